/* HTML report: one self-contained page (inline CSS, no script, no external resource) with
 * the totals, a rule x vendor matrix, the failing steps with a line diff of expected against
 * actual (both already redacted), and every rule's statement and source. */
#include "report_write.h"

#include <stdlib.h>
#include <string.h>

static const char *const vendors[] = {"zilliz", "crdb", "atlas"};
#define N_VENDORS 3

static void esc(FILE *out, const char *s)
{
    br__put_escaped(out, s, 0, BR_ESC_XML_ATTR);
}

/* ---- line diff ---- */

typedef struct {
    char **lines;
    size_t n;
    char *text;
} lines;

/* Pretty-prints JSON text (sorted keys) or keeps it as is; splits into lines. */
static void split(const char *s, lines *l)
{
    json_t *j = s ? json_loads(s, JSON_DECODE_ANY, NULL) : NULL;
    l->text =
        j ? json_dumps(j, JSON_INDENT(2) | JSON_SORT_KEYS | JSON_ENCODE_ANY) : strdup(s ? s : "");
    json_decref(j);
    l->n = 0;
    l->lines = NULL;
    if (!l->text) return;
    size_t cap = 1;
    for (char *p = l->text; *p; p++)
        cap += *p == '\n';
    l->lines = malloc(cap * sizeof *l->lines);
    if (!l->lines) return;
    for (char *p = l->text; p;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        l->lines[l->n++] = p;
        p = nl ? nl + 1 : NULL;
    }
}

static void put_line(FILE *out, const char *cls, char mark, const char *text)
{
    fprintf(out, "<span class=\"%s\">%c ", cls, mark);
    br__put_escaped(out, text, 4000, BR_ESC_XML_TEXT);
    fputs("</span>", out);
}

/* A unified view of every line: '-' only expected, '+' only actual, ' ' both (LCS). */
static void put_diff(FILE *out, const char *expected, const char *actual)
{
    lines a, b;
    split(expected, &a);
    split(actual, &b);
    const size_t limit = 600;
    size_t n = a.n < limit ? a.n : limit, m = b.n < limit ? b.n : limit;
    unsigned short *t = calloc((n + 1) * (m + 1), sizeof *t);
    fputs("<pre class=\"diff\">", out);
    if (t && a.lines && b.lines) {
        for (size_t i = n; i-- > 0;)
            for (size_t j = m; j-- > 0;)
                t[i * (m + 1) + j] = strcmp(a.lines[i], b.lines[j]) == 0
                                         ? (unsigned short)(t[(i + 1) * (m + 1) + j + 1] + 1)
                                         : (t[(i + 1) * (m + 1) + j] > t[i * (m + 1) + j + 1]
                                                ? t[(i + 1) * (m + 1) + j]
                                                : t[i * (m + 1) + j + 1]);
        size_t i = 0, j = 0;
        while (i < n || j < m) {
            if (i < n && j < m && strcmp(a.lines[i], b.lines[j]) == 0) {
                put_line(out, "same", ' ', a.lines[i]);
                i++, j++;
            } else if (j < m && (i == n || t[i * (m + 1) + j + 1] >= t[(i + 1) * (m + 1) + j])) {
                put_line(out, "add", '+', b.lines[j++]);
            } else {
                put_line(out, "del", '-', a.lines[i++]);
            }
        }
        if (a.n > n || b.n > m) fputs("<span class=\"same\">  (longer text cut)</span>", out);
    }
    fputs("</pre>\n", out);
    free(t);
    free(a.lines);
    free(a.text);
    free(b.lines);
    free(b.text);
}

/* ---- matrix ---- */

/* "S skipped, E errors" (the parts that are not zero) after 'lead'. */
static void put_not_run(FILE *out, const char *lead, const br_rule_tally *t, const char *tail)
{
    fputs(lead, out);
    if (t->skipped) fprintf(out, "%d skipped", t->skipped);
    if (t->skipped && t->errors) fputs(", ", out);
    if (t->errors) fprintf(out, "%d error%s", t->errors, t->errors == 1 ? "" : "s");
    fputs(tail, out);
}

static void put_matrix(FILE *out, const br_run *run)
{
    fputs("<h2 id=\"matrix\">Rules by vendor</h2>\n<table class=\"matrix\">\n<thead><tr><th>rule"
          "</th>",
          out);
    for (size_t v = 0; v < N_VENDORS; v++)
        fprintf(out, "<th>%s</th>", vendors[v]);
    fputs("</tr></thead>\n<tbody>\n", out);
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        const char *rv = json_string_value(json_object_get(r, "vendor"));
        fputs("<tr><th><a href=\"#rule-", out);
        esc(out, id);
        fputs("\">", out);
        esc(out, id);
        fputs("</a></th>", out);
        for (size_t v = 0; v < N_VENDORS; v++) {
            bool applies = rv && (strcmp(rv, "all") == 0 || strcmp(rv, vendors[v]) == 0);
            /* Skipped and errored fixtures verified nothing: never a pass. */
            br_rule_tally c = br_run_tally(run, id, vendors[v]);
            bool not_run = c.skipped || c.errors;
            if (!applies && !c.fixtures && !not_run) {
                fputs("<td class=\"na\">n/a</td>", out);
            } else if (c.failing || c.fixtures) {
                if (c.failing)
                    fprintf(out, "<td class=\"fail\">fail %d/%d", c.failing, c.fixtures);
                else
                    fprintf(out, "<td class=\"pass\">pass %d", c.fixtures);
                if (not_run) put_not_run(out, " (", &c, ")");
                fputs("</td>", out);
            } else if (not_run) {
                put_not_run(out, "<td class=\"none\">not run: ", &c, "</td>");
            } else {
                fputs("<td class=\"none\">not exercised</td>", out);
            }
        }
        fputs("</tr>\n", out);
    }
    fputs("</tbody>\n</table>\n", out);
}

/* ---- page ---- */

static const char css[] =
    "body{font-family:system-ui,-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px;"
    "color:#1f2328;background:#fff;max-width:1200px}"
    "h1{font-size:24px;margin:0 0 8px}h2{font-size:19px;margin:28px 0 8px;border-bottom:1px solid "
    "#d0d7de;padding-bottom:4px}h3{font-size:15px;margin:18px 0 6px}"
    ".meta{color:#59636e;margin:0 0 12px}"
    ".totals{border-collapse:collapse}.totals td,.totals th{padding:6px 14px;border:1px solid "
    "#d0d7de;text-align:right}"
    ".verdict{display:inline-block;padding:4px 12px;border-radius:4px;font-weight:700;color:#fff}"
    ".verdict.ok{background:#1a7f37}.verdict.bad{background:#cf222e}"
    "table.matrix{border-collapse:collapse;font-size:13px}"
    "table.matrix th,table.matrix td{border:1px solid #d0d7de;padding:4px 10px;text-align:left}"
    "table.matrix td{min-width:110px}table.matrix thead th{background:#f6f8fa}"
    "td.pass{background:#2da44e;color:#fff}td.fail{background:#cf222e;color:#fff;font-weight:700}"
    "td.none{background:#fff8c5;color:#6e5600}td.na{background:#f6f8fa;color:#8c959f}"
    ".failure{border:1px solid #d0d7de;border-left:4px solid #cf222e;padding:8px 12px;margin:12px "
    "0;border-radius:4px}"
    ".failure .msg{margin:4px 0}code,pre{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"
    "monospace;font-size:12px}"
    "pre.diff{background:#f6f8fa;padding:8px;overflow-x:auto;white-space:pre-wrap;"
    "word-break:break-all}"
    "pre.diff span{display:block}pre.diff .add{background:#dafbe1}pre.diff .del{background:"
    "#ffebe9}"
    ".legend span{display:inline-block;padding:2px 8px;margin-right:6px;border-radius:3px}"
    ".legend .del{background:#ffebe9}.legend .add{background:#dafbe1}"
    "dl.rules dt{font-weight:700;margin-top:10px}dl.rules dd{margin:2px 0 0 16px}"
    ".src{color:#59636e;font-size:13px}";

static void put_failures(FILE *out, const br_run *run)
{
    fputs("<h2 id=\"failures\">Failing steps</h2>\n", out);
    bool any = false;
    for (size_t i = 0; i < run->n; i++) {
        const br_fixture_result *f = &run->fixtures[i];
        if (f->status != BR_FIX_FAIL && f->status != BR_FIX_ERROR) continue;
        any = true;
        fputs("<div class=\"failure\">\n<h3>", out);
        esc(out, f->id);
        fprintf(out, " <small>(%s, %s)</small></h3>\n", f->vendor[0] ? f->vendor : "?",
                br__status_word(f->status));
        char *repro = br_reproduce_command(run, f->file, true);
        fputs("<div>reproduce: <code>", out);
        esc(out, repro ? repro : "(out of memory)");
        fputs("</code></div>\n", out);
        free(repro);
        for (size_t k = 0; k < f->n_violations; k++) {
            const br_violation *v = &f->violations[k];
            char title[1400];
            br__violation_title(v, title, sizeof title);
            fputs("<p class=\"msg\"><strong>", out);
            esc(out, title);
            fputs("</strong></p>\n", out);
            if (v->expected || v->actual) {
                fputs("<div class=\"legend\"><span class=\"del\">- expected</span><span "
                      "class=\"add\">+ actual</span></div>\n",
                      out);
                put_diff(out, v->expected, v->actual);
            }
        }
        fputs("</div>\n", out);
    }
    if (!any) fputs("<p>None: every fixture passed.</p>\n", out);
}

static void put_rules(FILE *out)
{
    fputs("<h2 id=\"rules\">Rules and their sources</h2>\n<dl class=\"rules\">\n", out);
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        fputs("<dt id=\"rule-", out);
        esc(out, id);
        fputs("\">", out);
        esc(out, id);
        fputs(" <small>(", out);
        esc(out, json_string_value(json_object_get(r, "vendor")));
        fputs(")</small></dt>\n<dd>", out);
        esc(out, json_string_value(json_object_get(r, "statement")));
        fputs("<div class=\"src\">source: ", out);
        esc(out, json_string_value(json_object_get(r, "source")));
        fputs("</div></dd>\n", out);
    }
    fputs("</dl>\n", out);
}

static void put_fixtures(FILE *out, const br_run *run)
{
    fprintf(out,
            "<h2 id=\"fixtures\">Fixtures</h2>\n<details><summary>%zu fixtures</summary>\n"
            "<table class=\"totals\">\n<tr><th>fixture</th><th>vendor</th><th>status</th>"
            "<th>steps</th><th>seconds</th></tr>\n",
            run->n);
    for (size_t i = 0; i < run->n; i++) {
        const br_fixture_result *f = &run->fixtures[i];
        fputs("<tr><td style=\"text-align:left\">", out);
        esc(out, f->id);
        fputs("</td><td>", out);
        esc(out, f->vendor);
        fprintf(out, "</td><td>%s", br__status_word(f->status));
        if (f->status == BR_FIX_SKIP) {
            fputs(": ", out);
            esc(out, f->skip_reason);
        }
        fprintf(out, "</td><td>%d</td><td>%.3f</td></tr>\n", f->steps_run, f->seconds);
    }
    fputs("</table>\n</details>\n", out);
}

int br_report_html(const br_run *run, const char *target, const char *path)
{
    FILE *out = fopen(path, "w");
    if (!out) return -1;
    char stamp[32];
    br__timestamp(stamp, sizeof stamp, 1);
    bool ok = run->failed == 0 && run->errors == 0;
    fprintf(out,
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<title>brcheck conformance report</title>\n<style>%s</style>\n</head>\n<body>\n"
            "<h1>brcheck conformance report</h1>\n<p class=\"meta\">brcheck %s, target ",
            css, BR_VERSION);
    esc(out, target ? target : "model");
    if (run->context.profile && strcmp(run->context.profile, "default") != 0) {
        fputs(", profile ", out);
        esc(out, run->context.profile);
    }
    if (run->context.mutant) {
        fputs(", mutant ", out);
        esc(out, run->context.mutant);
    }
    fprintf(out, ", %s</p>\n", stamp);
    fprintf(out, "<p><span class=\"verdict %s\">%s</span></p>\n", ok ? "ok" : "bad",
            ok ? "all fixtures pass" : "violations found");
    fprintf(out,
            "<h2 id=\"summary\">Summary</h2>\n<table class=\"totals\">\n<tr><th>fixtures</th>"
            "<th>passed</th><th>failed</th><th>skipped</th><th>errors</th></tr>\n<tr><td>%zu</td>"
            "<td>%zu</td><td>%zu</td><td>%zu</td><td>%zu</td></tr>\n</table>\n",
            run->n, run->passed, run->failed, run->skipped, run->errors);
    put_matrix(out, run);
    fputs(
        "<p class=\"legend\"><span class=\"pass\" style=\"background:#2da44e;color:#fff\">pass "
        "N</span>N fixtures that ran exercise the rule, none violates it <span style=\"background:"
        "#cf222e;color:#fff\">fail F/N</span>F of N fixtures violate it <span style=\""
        "background:#fff8c5\">not exercised</span>no fixture of this run exercises it <span "
        "style=\"background:#fff8c5\">not run: S skipped, E errors</span>every fixture of the "
        "rule was skipped or could not run. Skipped fixtures and fixtures that could not run "
        "verify nothing: they are counted apart, never as a pass.</p>\n",
        out);
    put_failures(out, run);
    put_rules(out);
    put_fixtures(out, run);
    fputs("</body>\n</html>\n", out);
    return br__report_close(out, path, 0);
}
