/* Markdown report: a short summary for a pull request (totals, the failing rules with fixture
 * and step, one reproduction command per failing fixture). */
#include "report_write.h"

#include <stdlib.h>
#include <string.h>

#define MAX_ROWS 50 /* a pull-request comment stays short */

static void cell(FILE *out, const char *s, size_t max)
{
    br__put_escaped(out, s, max, BR_ESC_MD_CELL);
}

int br_report_markdown(const br_run *run, const char *target, const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out) return -1;
    bool ok = run->failed == 0 && run->errors == 0;
    size_t violations = 0;
    for (size_t i = 0; i < run->n; i++)
        violations += run->fixtures[i].status == BR_FIX_FAIL ? run->fixtures[i].n_violations : 0;
    fprintf(out, "## brcheck conformance: %s\n\n", ok ? "all fixtures pass" : "FAILED");
    fputs("Target: ", out);
    cell(out, target ? target : "model", 200);
    fprintf(out,
            "\n\n| fixtures | passed | failed | skipped | errors | violations |\n"
            "|---:|---:|---:|---:|---:|---:|\n| %zu | %zu | %zu | %zu | %zu | %zu |\n",
            run->n, run->passed, run->failed, run->skipped, run->errors, violations);
    if (ok) return fclose(out) != 0 ? -1 : 0;
    fputs("\n### Failing rules\n\n| rule | fixture | step | message |\n|---|---|---|---|\n", out);
    size_t rows = 0, more = 0;
    for (size_t i = 0; i < run->n; i++) {
        const br_fixture_result *f = &run->fixtures[i];
        if (f->status != BR_FIX_FAIL && f->status != BR_FIX_ERROR) continue;
        for (size_t k = 0; k < f->n_violations; k++) {
            const br_violation *v = &f->violations[k];
            if (rows == MAX_ROWS) {
                more++;
                continue;
            }
            rows++;
            fputs("| ", out);
            cell(out, v->rule[0] ? v->rule : (f->status == BR_FIX_ERROR ? "fixture error" : "-"),
                 0);
            fputs(" | ", out);
            cell(out, f->id, 0);
            fputs(" | ", out);
            if (v->step > 0) {
                fprintf(out, "%d", v->step);
                if (v->step_name[0]) {
                    fputs(" (", out);
                    cell(out, v->step_name, 80);
                    fputs(")", out);
                }
            } else {
                fputs("-", out);
            }
            fputs(" | ", out);
            cell(out, v->message, 240);
            fputs(" |\n", out);
        }
    }
    if (more) fprintf(out, "\n%zu more violations are in the full report.\n", more);
    fputs("\n### Reproduce\n\n```sh\n", out);
    for (size_t i = 0; i < run->n; i++) {
        const br_fixture_result *f = &run->fixtures[i];
        if (f->status != BR_FIX_FAIL && f->status != BR_FIX_ERROR) continue;
        char rel[1024];
        br__report_relpath(f->file, rel, sizeof rel);
        /* Inside the fence only a backtick or a line break could escape; none is kept. */
        char *clean = br__utf8_clean(rel);
        for (char *p = clean; p && *p; p++)
            if (*p == '`' || *p == '\n' || *p == '\r' || *p == '\t') *p = '?';
        fprintf(out, "brcheck run %s\n", clean ? clean : "");
        free(clean);
    }
    fputs("```\n", out);
    int bad = ferror(out);
    return fclose(out) != 0 || bad ? -1 : 0;
}
