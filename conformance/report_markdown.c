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

/* The reproduce commands in one fenced block. The fence is longer than any run of backticks
 * in the commands, so none can close it (CommonMark 4.5) and each command is copied as is. */
static void put_reproduce(FILE *out, const br_run *run)
{
    size_t n = 0;
    char **cmds = calloc(run->n ? run->n : 1, sizeof *cmds);
    size_t fence = 3;
    for (size_t i = 0; cmds && i < run->n; i++) {
        const br_fixture_result *f = &run->fixtures[i];
        if (f->status != BR_FIX_FAIL && f->status != BR_FIX_ERROR) continue;
        char *repro = br_reproduce_command(run, f->file, true);
        cmds[n] = br__utf8_clean(repro ? repro : "(out of memory)");
        free(repro);
        size_t ticks = 0;
        for (const char *p = cmds[n] ? cmds[n] : ""; *p; p++) {
            ticks = *p == '`' ? ticks + 1 : 0;
            if (ticks >= fence) fence = ticks + 1;
        }
        n++;
    }
    fputs("\n### Reproduce\n\n", out);
    for (size_t k = 0; k < fence; k++)
        fputc('`', out);
    fputs("sh\n", out);
    for (size_t i = 0; i < n; i++) {
        fprintf(out, "%s\n", cmds[i] ? cmds[i] : "");
        free(cmds[i]);
    }
    for (size_t k = 0; k < fence; k++)
        fputc('`', out);
    fputc('\n', out);
    free(cmds);
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
    if (run->context.profile && strcmp(run->context.profile, "default") != 0) {
        fputs(", profile: ", out);
        cell(out, run->context.profile, 200);
    }
    if (run->context.mutant) {
        fputs(", mutant: ", out);
        cell(out, run->context.mutant, 0);
    }
    fprintf(out,
            "\n\n| fixtures | passed | failed | skipped | errors | violations |\n"
            "|---:|---:|---:|---:|---:|---:|\n| %zu | %zu | %zu | %zu | %zu | %zu |\n",
            run->n, run->passed, run->failed, run->skipped, run->errors, violations);
    if (ok) return br__report_close(out, path, 0);
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
    put_reproduce(out, run);
    return br__report_close(out, path, 0);
}
