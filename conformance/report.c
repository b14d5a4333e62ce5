/* Reports: the JSON report for machines and the text summary (failures, then rules). */
#include "runner.h"

#include <string.h>

static const char *status_name(br_fixture_status s)
{
    static const char *const names[] = {"passed", "failed", "skipped", "error"};
    return names[s];
}

int br_report_json(const br_run *run, const char *target, const char *path)
{
    json_t *fixtures = json_array(), *rules = json_object();
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        json_object_set_new(rules, json_string_value(json_object_get(r, "id")),
                            json_pack("{s:O,s:i,s:i,s:i,s:i}", "vendor",
                                      json_object_get(r, "vendor"), "holds", 0, "refuses", 0,
                                      "violations", 0, "fixtures", 0));
    }
    for (size_t n = 0; n < run->n; n++) {
        const br_fixture_result *f = &run->fixtures[n];
        json_t *vs = json_array();
        for (size_t k = 0; k < f->n_violations; k++) {
            const br_violation *v = &f->violations[k];
            json_t *o = json_pack("{s:s,s:i,s:s,s:s}", "rule", v->rule, "step", v->step, "stepName",
                                  v->step_name, "message", v->message);
            if (v->expected) json_object_set_new(o, "expected", json_string(v->expected));
            if (v->actual) json_object_set_new(o, "actual", json_string(v->actual));
            json_array_append_new(vs, o);
            json_t *row = json_object_get(rules, v->rule);
            if (row)
                json_object_set_new(
                    row, "violations",
                    json_integer(json_integer_value(json_object_get(row, "violations")) + 1));
        }
        const char *k;
        json_t *what;
        json_object_foreach(f->rules, k, what)
        {
            json_t *row = json_object_get(rules, k);
            if (!row) continue;
            const char *w = json_string_value(what);
            json_object_set_new(row, w,
                                json_integer(json_integer_value(json_object_get(row, w)) + 1));
            json_object_set_new(
                row, "fixtures",
                json_integer(json_integer_value(json_object_get(row, "fixtures")) + 1));
        }
        char repro[1200];
        snprintf(repro, sizeof repro, "brcheck run %s", f->file);
        json_array_append_new(fixtures,
                              json_pack("{s:s,s:s,s:s,s:s,s:i,s:f,s:s,s:o}", "id", f->id, "file",
                                        f->file, "vendor", f->vendor, "status",
                                        status_name(f->status), "steps", f->steps_run, "seconds",
                                        f->seconds, "reproduce", repro, "violations", vs));
    }
    json_t *root = json_pack(
        "{s:s,s:s,s:{s:i,s:i,s:i,s:i,s:i},s:o,s:o}", "tool", "brcheck", "target", target, "summary",
        "fixtures", (int)run->n, "passed", (int)run->passed, "failed", (int)run->failed, "skipped",
        (int)run->skipped, "errors", (int)run->errors, "rules", rules, "fixtures", fixtures);
    int rc = json_dump_file(root, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    return rc;
}

void br_report_text(const br_run *run, FILE *out, bool verbose)
{
    for (size_t n = 0; n < run->n; n++) {
        const br_fixture_result *f = &run->fixtures[n];
        if (f->status == BR_FIX_PASS && !verbose) continue;
        fprintf(out, "%-7s %s (%s)\n",
                f->status == BR_FIX_PASS   ? "PASS"
                : f->status == BR_FIX_SKIP ? "SKIP"
                : f->status == BR_FIX_FAIL ? "FAIL"
                                           : "ERROR",
                f->id, f->file);
        for (size_t k = 0; k < f->n_violations; k++) {
            const br_violation *v = &f->violations[k];
            fprintf(out, "  [%s] step %d%s%s%s: %s\n", v->rule[0] ? v->rule : "fixture", v->step,
                    v->step_name[0] ? " (" : "", v->step_name, v->step_name[0] ? ")" : "",
                    v->message);
            if (v->expected) fprintf(out, "    expected: %.600s\n", v->expected);
            if (v->actual) fprintf(out, "    actual:   %.600s\n", v->actual);
        }
        if (f->n_violations) fprintf(out, "  reproduce: brcheck run %s\n", f->file);
    }
    /* Per-rule summary. */
    fprintf(out, "\n%-26s %-7s %8s %6s %8s %10s\n", "rule", "vendor", "fixtures", "holds",
            "refuses", "violations");
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        int fixtures = 0, holds = 0, refuses = 0, violations = 0;
        for (size_t n = 0; n < run->n; n++) {
            const br_fixture_result *f = &run->fixtures[n];
            const char *w = json_string_value(json_object_get(f->rules, id));
            if (w) {
                fixtures++;
                holds += strcmp(w, "holds") == 0;
                refuses += strcmp(w, "refuses") == 0;
            }
            for (size_t k = 0; k < f->n_violations; k++)
                violations += strcmp(f->violations[k].rule, id) == 0;
        }
        if (!fixtures && !violations) continue;
        fprintf(out, "%-26s %-7s %8d %6d %8d %10d%s\n", id,
                json_string_value(json_object_get(r, "vendor")), fixtures, holds, refuses,
                violations, violations ? "  <-- VIOLATED" : "");
    }
    fprintf(out, "\n%zu fixtures: %zu passed, %zu failed, %zu skipped, %zu errors\n", run->n,
            run->passed, run->failed, run->skipped, run->errors);
}
