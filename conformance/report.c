/* Reports: the JSON report for machines and the text summary (failures, then rules). */
#include "report_write.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static const char *status_name(br_fixture_status s)
{
    static const char *const names[] = {"passed", "failed", "skipped", "error"};
    return names[s];
}

/* The JSON report's per-rule row. */
static json_t *rule_row(const br_run *run, const json_t *rule)
{
    br_rule_tally t = br_run_tally(run, json_string_value(json_object_get(rule, "id")), NULL);
    return json_pack("{s:O,s:i,s:i,s:i,s:i,s:i,s:i}", "vendor", json_object_get(rule, "vendor"),
                     "holds", t.holds, "refuses", t.refuses, "violations", t.violations, "fixtures",
                     t.fixtures, "skipped", t.skipped, "errors", t.errors);
}

/* A JSON string of any bytes: invalid UTF-8 becomes U+FFFD (a file name, a message). */
static json_t *str(const char *s)
{
    char *c = br__utf8_clean(s);
    json_t *j = c ? json_string(c) : NULL;
    free(c);
    return j;
}

static json_t *fixture_entry(const br_run *run, const br_fixture_result *f)
{
    json_t *vs = json_array();
    for (size_t k = 0; k < f->n_violations; k++) {
        const br_violation *v = &f->violations[k];
        json_t *o = json_pack("{s:o,s:i,s:o,s:o}", "rule", str(v->rule), "step", v->step,
                              "stepName", str(v->step_name), "message", str(v->message));
        if (v->expected) json_object_set_new(o, "expected", str(v->expected));
        if (v->actual) json_object_set_new(o, "actual", str(v->actual));
        if (json_array_append_new(vs, o) != 0) return json_decref(vs), NULL;
    }
    char *repro = br_reproduce_command(run, f->file, false);
    json_t *o = json_pack("{s:o,s:o,s:o,s:s}", "id", str(f->id), "file", str(f->file), "vendor",
                          str(f->vendor), "status", status_name(f->status));
    /* json_object_set_new refuses a NULL value (no memory left): then no entry at all. */
    int bad = 0;
    if (f->status == BR_FIX_SKIP) bad |= json_object_set_new(o, "reason", str(f->skip_reason));
    bad |= json_object_set_new(o, "steps", json_integer(f->steps_run));
    bad |= json_object_set_new(o, "seconds", json_real(f->seconds));
    bad |= json_object_set_new(o, "reproduce", repro ? str(repro) : NULL);
    bad |= json_object_set_new(o, "violations", vs);
    free(repro);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int br_report_json(const br_run *run, const char *target, const char *path)
{
    json_t *fixtures = json_array(), *rules = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        json_object_set_new(rules, json_string_value(json_object_get(r, "id")), rule_row(run, r));
    }
    bool built = true;
    for (size_t n = 0; n < run->n; n++)
        built =
            json_array_append_new(fixtures, fixture_entry(run, &run->fixtures[n])) == 0 && built;
    const char *profile = run->context.profile ? run->context.profile : "default";
    json_t *root = json_pack("{s:s,s:o,s:o,s:o,s:{s:i,s:i,s:i,s:i,s:i},s:o,s:o}", "tool", "brcheck",
                             "target", str(target ? target : "model"), "profile", str(profile),
                             "mutant", run->context.mutant ? str(run->context.mutant) : json_null(),
                             "summary", "fixtures", (int)run->n, "passed", (int)run->passed,
                             "failed", (int)run->failed, "skipped", (int)run->skipped, "errors",
                             (int)run->errors, "rules", rules, "fixtures", fixtures);
    if (!root || !built) {
        json_decref(root);
        errno = ENOMEM; /* every string was made valid UTF-8: only memory can be missing */
        return -1;
    }
    return br__report_json_file(root, path);
}

void br_report_text(const br_run *run, FILE *out, bool verbose)
{
    for (size_t n = 0; n < run->n; n++) {
        const br_fixture_result *f = &run->fixtures[n];
        if (f->status == BR_FIX_PASS && !verbose) continue;
        fprintf(out, "%-7s %s (%s)",
                f->status == BR_FIX_PASS   ? "PASS"
                : f->status == BR_FIX_SKIP ? "SKIP"
                : f->status == BR_FIX_FAIL ? "FAIL"
                                           : "ERROR",
                f->id, f->file);
        if (f->status == BR_FIX_SKIP && f->skip_reason[0]) fprintf(out, ": %s", f->skip_reason);
        fputc('\n', out);
        for (size_t k = 0; k < f->n_violations; k++) {
            const br_violation *v = &f->violations[k];
            fprintf(out, "  [%s] step %d%s%s%s: %s\n", v->rule[0] ? v->rule : "fixture", v->step,
                    v->step_name[0] ? " (" : "", v->step_name, v->step_name[0] ? ")" : "",
                    v->message);
            if (v->expected) fprintf(out, "    expected: %.600s\n", v->expected);
            if (v->actual) fprintf(out, "    actual:   %.600s\n", v->actual);
        }
        if (f->n_violations) {
            char *repro = br_reproduce_command(run, f->file, false);
            fprintf(out, "  reproduce: %s\n", repro ? repro : "(out of memory)");
            free(repro);
        }
    }
    /* Per-rule summary: only fixtures that ran show a rule holding or refused. */
    fprintf(out, "\n%-26s %-7s %8s %6s %8s %10s %8s %7s\n", "rule", "vendor", "fixtures", "holds",
            "refuses", "violations", "skipped", "errors");
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        br_rule_tally t = br_run_tally(run, id, NULL);
        if (!t.fixtures && !t.violations && !t.skipped && !t.errors) continue;
        fprintf(out, "%-26s %-7s %8d %6d %8d %10d %8d %7d%s\n", id,
                json_string_value(json_object_get(r, "vendor")), t.fixtures, t.holds, t.refuses,
                t.violations, t.skipped, t.errors,
                t.violations  ? "  <-- VIOLATED"
                : !t.fixtures ? "  <-- NOT RUN"
                              : "");
    }
    fprintf(out, "\n%zu fixtures: %zu passed, %zu failed, %zu skipped, %zu errors\n", run->n,
            run->passed, run->failed, run->skipped, run->errors);
}
