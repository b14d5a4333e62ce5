/* JUnit XML report (the Jenkins/Ant format CI systems read): one testsuite per vendor, one
 * testcase per fixture; a failed fixture carries one <failure> naming its first violated rule
 * and step with every violation (expected and actual, already redacted) in the body. */
#include "report_write.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const vendors[] = {"zilliz", "crdb", "atlas", NULL};

/* Suite of a fixture: its vendor, or "other" for fixtures that failed to load. */
static const char *suite_of(const br_fixture_result *f)
{
    for (size_t i = 0; vendors[i]; i++)
        if (strcmp(f->vendor, vendors[i]) == 0) return vendors[i];
    return "other";
}

static void put_violations(FILE *out, const br_fixture_result *f)
{
    for (size_t k = 0; k < f->n_violations; k++) {
        const br_violation *v = &f->violations[k];
        char title[1400];
        br__violation_title(v, title, sizeof title);
        br__put_escaped(out, title, 0, BR_ESC_XML_TEXT);
        fputc('\n', out);
        if (v->expected) {
            fputs("  expected: ", out);
            br__put_escaped(out, v->expected, 8192, BR_ESC_XML_TEXT);
            fputc('\n', out);
        }
        if (v->actual) {
            fputs("  actual:   ", out);
            br__put_escaped(out, v->actual, 8192, BR_ESC_XML_TEXT);
            fputc('\n', out);
        }
    }
}

static void put_property(FILE *out, const char *name, const char *value)
{
    fprintf(out, "      <property name=\"%s\" value=\"", name);
    br__put_escaped(out, value, 0, BR_ESC_XML_ATTR);
    fputs("\"/>\n", out);
}

static void put_testcase(FILE *out, const br_run *run, const br_fixture_result *f)
{
    char rel[1024];
    fputs("    <testcase classname=\"", out);
    br__put_escaped(out, suite_of(f), 0, BR_ESC_XML_ATTR);
    fputs("\" name=\"", out);
    br__put_escaped(out, f->id, 0, BR_ESC_XML_ATTR);
    fprintf(out, "\" time=\"%.6f\" file=\"", f->seconds >= 0 ? f->seconds : 0.0);
    br__put_escaped(out, br__report_relpath(f->file, rel, sizeof rel, NULL), 0, BR_ESC_XML_ATTR);
    fputs("\"", out);
    if (f->status == BR_FIX_PASS) {
        fputs("/>\n", out);
        return;
    }
    fputs(">\n", out);
    if (f->status == BR_FIX_SKIP) {
        fputs("      <skipped message=\"", out);
        br__put_escaped(out, f->skip_reason, 0, BR_ESC_XML_ATTR);
        fputs("\"/>\n", out);
    } else {
        const char *el = f->status == BR_FIX_FAIL ? "failure" : "error";
        char title[1400] = "the fixture could not run";
        const char *type = f->status == BR_FIX_FAIL ? "violation" : "fixture";
        if (f->n_violations) {
            br__violation_title(&f->violations[0], title, sizeof title);
            if (f->violations[0].rule[0] && f->status == BR_FIX_FAIL) type = f->violations[0].rule;
        }
        fprintf(out, "      <%s message=\"", el);
        br__put_escaped(out, title, 1000, BR_ESC_XML_ATTR);
        if (f->n_violations > 1) fprintf(out, " (and %zu more)", f->n_violations - 1);
        fputs("\" type=\"", out);
        br__put_escaped(out, type, 0, BR_ESC_XML_ATTR);
        fputs("\">", out);
        put_violations(out, f);
        char *repro = br_reproduce_command(run, f->file, true);
        fputs("reproduce: ", out);
        br__put_escaped(out, repro ? repro : "(out of memory)", 0, BR_ESC_XML_TEXT);
        free(repro);
        fprintf(out, "\n</%s>\n", el);
    }
    fputs("    </testcase>\n", out);
}

int br_report_junit(const br_run *run, const char *target, const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out) return -1;
    char stamp[32], host[256] = "localhost";
    br__timestamp(stamp, sizeof stamp, 0);
    if (gethostname(host, sizeof host - 1) != 0) snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    double total = 0;
    for (size_t i = 0; i < run->n; i++)
        total += run->fixtures[i].seconds;
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out,
            "<testsuites name=\"brcheck\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" "
            "skipped=\"%zu\" time=\"%.6f\">\n",
            run->n, run->failed, run->errors, run->skipped, total);
    static const char *const suites[] = {"zilliz", "crdb", "atlas", "other", NULL};
    int id = 0;
    for (size_t s = 0; suites[s]; s++) {
        size_t tests = 0, failures = 0, errors = 0, skipped = 0;
        double seconds = 0;
        for (size_t i = 0; i < run->n; i++) {
            const br_fixture_result *f = &run->fixtures[i];
            if (strcmp(suite_of(f), suites[s]) != 0) continue;
            tests++;
            failures += f->status == BR_FIX_FAIL;
            errors += f->status == BR_FIX_ERROR;
            skipped += f->status == BR_FIX_SKIP;
            seconds += f->seconds;
        }
        if (!tests) continue;
        fprintf(out,
                "  <testsuite name=\"brcheck.%s\" id=\"%d\" package=\"brcheck\" tests=\"%zu\" "
                "failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\" time=\"%.6f\" "
                "timestamp=\"%s\" hostname=\"",
                suites[s], id++, tests, failures, errors, skipped, seconds, stamp);
        br__put_escaped(out, host, 0, BR_ESC_XML_ATTR);
        fputs("\">\n    <properties>\n      <property name=\"target\" value=\"", out);
        br__put_escaped(out, target ? target : "model", 0, BR_ESC_XML_ATTR);
        fputs("\"/>\n", out);
        put_property(out, "profile", run->context.profile ? run->context.profile : "default");
        if (run->context.mutant) put_property(out, "mutant", run->context.mutant);
        fputs("    </properties>\n", out);
        for (size_t i = 0; i < run->n; i++)
            if (strcmp(suite_of(&run->fixtures[i]), suites[s]) == 0)
                put_testcase(out, run, &run->fixtures[i]);
        fputs("  </testsuite>\n", out);
    }
    fputs("</testsuites>\n", out);
    return br__report_close(out, path, 0);
}
