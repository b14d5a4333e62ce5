/* Report writers on a hand-made run that has every fixture status (passed, failed, skipped,
 * error) and hostile text: XML/HTML/Markdown metacharacters, control characters XML 1.0
 * forbids, invalid and cut UTF-8. Usage:
 *   report_sample DIR       writes DIR/sample.{xml,sarif,html,md} (checked by check_reports.py)
 *   report_sample progress  checks the progress line on a forced terminal and on a file */
#include "progress.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

static const char hostile[] = "a <b> & \"c\" 'd' | `e` *f* _g_ [h] ]]> \x01\x07\x1b[31m \x7f "
                              "bad:\xff\xfe cut:\xe2\x82 ok:\xc3\xa9\xe2\x9c\x93 \xef\xbf\xbf";

static br_fixture_result *add(br_run *run, const char *id, const char *vendor,
                              br_fixture_status status)
{
    br_fixture_result *f = &run->fixtures[run->n++];
    snprintf(f->id, sizeof f->id, "%s", id);
    snprintf(f->vendor, sizeof f->vendor, "%s", vendor);
    snprintf(f->file, sizeof f->file, "%s/tests/data/%s.json", BR_SOURCE_DIR, id);
    f->status = status;
    f->fixture = json_pack("{s:{s:s}}", "rules", "ZC-TIER", "holds");
    f->rules = json_object_get(f->fixture, "rules");
    f->seconds = 0.25;
    return f;
}

static void violate(br_fixture_result *f, const char *rule, int step, const char *name,
                    const char *expected, const char *actual)
{
    f->violations = realloc(f->violations, (f->n_violations + 1) * sizeof *f->violations);
    br_violation *v = &f->violations[f->n_violations++];
    memset(v, 0, sizeof *v);
    snprintf(v->rule, sizeof v->rule, "%s", rule);
    v->step = step;
    snprintf(v->step_name, sizeof v->step_name, "%s", name);
    snprintf(v->message, sizeof v->message, "message %s", hostile);
    v->expected = expected ? strdup(expected) : NULL;
    v->actual = actual ? strdup(actual) : NULL;
}

static int sample(const char *dir)
{
    br_run run = {0};
    run.fixtures = calloc(4, sizeof *run.fixtures);
    add(&run, "sample-pass", "zilliz", BR_FIX_PASS);
    br_fixture_result *f = add(&run, "failing-restore", "zilliz", BR_FIX_FAIL);
    violate(f, "ZC-TIER", 1, hostile, "{\"status\":409,\"body\":{\"code\":1}}",
            "{\"status\":200,\"body\":{\"code\":0,\"note\":\"x\\u0001y <z>\"}}");
    violate(f, "INV-ATOMIC", 1, "second", NULL, "not json at all \x02");
    f = add(&run, "sample-skip", "atlas", BR_FIX_SKIP);
    snprintf(f->skip_reason, sizeof f->skip_reason, "needs an M0 cluster %s", hostile);
    f = add(&run, "sample-error", "", BR_FIX_ERROR);
    violate(f, "", 0, "", NULL, NULL);
    run.passed = run.failed = run.skipped = run.errors = 1;
    static const struct {
        const char *ext;
        int (*write)(const br_run *, const char *, const char *);
    } kinds[] = {{"xml", br_report_junit},
                 {"sarif", br_report_sarif},
                 {"html", br_report_html},
                 {"md", br_report_markdown}};
    int bad = 0;
    for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/sample.%s", dir, kinds[k].ext);
        if (kinds[k].write(&run, "model <&>", path) != 0) {
            fprintf(stderr, "cannot write %s\n", path);
            bad++;
        }
    }
    /* An unwritable path is an error, not a crash. */
    if (br_report_junit(&run, "model", "/nonexistent-dir/x.xml") == 0 ||
        br_report_html(&run, "model", "/nonexistent-dir/x.html") == 0 ||
        br_report_markdown(&run, "model", "/nonexistent-dir/x.md") == 0 ||
        br_report_sarif(&run, "model", "/nonexistent-dir/x.sarif") == 0) {
        fprintf(stderr, "writing into a missing folder reported success\n");
        bad++;
    }
    br_run_free(&run);
    return bad ? 1 : 0;
}

static char *drain(FILE *f)
{
    static char buf[4096];
    fflush(f);
    rewind(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    return buf;
}

static int progress(void)
{
    int bad = 0;
    /* A terminal, no delay: lines drawn, then cleared. */
    FILE *f = tmpfile();
    br_progress *p = br_progress_new_opts(f, 3, true, 0);
    br_progress_step(p, 1, "first");
    br_progress_step(p, 3, "third\x1b");
    br_progress_end(p);
    const char *out = drain(f);
    if (!strstr(out, "\r[1/3] first\033[K") || !strstr(out, "\r[3/3] third?\033[K")) {
        fprintf(stderr, "terminal: no progress line in \"%s\"\n", out);
        bad++;
    }
    size_t len = strlen(out);
    if (len < 4 || strcmp(out + len - 4, "\r\033[K") != 0) {
        fprintf(stderr, "terminal: the line is not cleared at the end\n");
        bad++;
    }
    fclose(f);
    /* A terminal, but the run is shorter than the delay: nothing. */
    f = tmpfile();
    p = br_progress_new_opts(f, 3, true, 60);
    br_progress_step(p, 1, "first");
    br_progress_end(p);
    if (*drain(f)) {
        fprintf(stderr, "short run: wrote \"%s\"\n", drain(f));
        bad++;
    }
    fclose(f);
    /* Not a terminal (a file): nothing, whatever the time. */
    f = tmpfile();
    p = br_progress_new(f, 3);
    br_progress_step(p, 1, "first");
    br_progress_end(p);
    p = br_progress_new_opts(f, 3, false, 0);
    br_progress_step(p, 1, "first");
    br_progress_end(p);
    if (*drain(f)) {
        fprintf(stderr, "not a terminal: wrote \"%s\"\n", drain(f));
        bad++;
    }
    fclose(f);
    br_progress_step(NULL, 1, "x");
    br_progress_end(NULL);
    if (!bad) printf("progress line: drawn and cleared on a terminal, silent otherwise\n");
    return bad ? 1 : 0;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: report_sample DIR | progress\n");
        return 2;
    }
    return strcmp(argv[1], "progress") == 0 ? progress() : sample(argv[1]);
}
