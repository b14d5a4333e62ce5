/* brcheck: command-line entry. Subcommands: run (fixtures against a target), rules (the
 * catalog with fixture coverage). */
#include "process.h"
#include "commands.h"
#include "matrix.h"
#include "parallel.h"
#include "progress.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: brcheck <command> [options]\n"
    "\n"
    "Commands:\n"
    "  run [PATH...]     play fixtures (files or folders; default: the fixtures/ folder)\n"
    "                    against the in-process model and print a per-rule summary.\n"
    "      --json FILE     write the JSON report (also: --report FILE)\n"
    "      --junit FILE    write JUnit XML (one testsuite per vendor, one testcase per\n"
    "                      fixture)\n"
    "      --sarif FILE    write SARIF 2.1.0 (one result per violation, at its step)\n"
    "      --html FILE     write a self-contained HTML page (rule x vendor matrix, diffs)\n"
    "      --markdown FILE write a Markdown summary for a pull request\n"
    "      --profile P     default | strict (rules with two allowed outcomes), or a\n"
    "                      target profile file (docs/profiles.md)\n"
    "      --target T      model (the default: in-process, no network) or a URL:\n"
    "                      brcheck serve (driven through its admin API) or a real\n"
    "                      endpoint described by --profile FILE; unreachable: exit 2\n"
    "      -j N            N fixtures at once (model: one world per thread; HTTP: one\n"
    "                      per base URL the profile lists)\n"
    "      --shard K/N     only the fixtures whose sorted index is K-1 modulo N\n"
    "      --traffic FILE  write every exchange as a JSON line (secrets redacted); the\n"
    "                      file is replaced, one per run\n"
    "      --mutant RULE   play against the model with exactly that rule broken (a\n"
    "                      good suite then fails: exit 1)\n"
    "      -v, --verbose   list passing fixtures too\n"
    "  rules [PATH...]   list the rule catalog with how many fixtures show each rule\n"
    "                    holding and refused. A path that cannot be read or a bad\n"
    "                    fixture (checked as run checks it before playing: keys, rule\n"
    "                    ids, steps, its world): exit 2.\n"
    "      --json          as JSON: stdout holds one JSON document, and --check says what\n"
    "                      it finds on stderr\n"
    "      --check         exit 1 unless every rule has its fixtures and the catalog and\n"
    "                      the model agree on rule ids\n"
    "      --only A,B      only the rule families with these prefixes (INV,SEC,ZC,CC,MA)\n"
    "      --matrix        the traceability matrix: each rule's source, the fixtures\n"
    "                      where it holds and is refused, its mutant (played against\n"
    "                      the suite in-process: killed or not) and the functions that\n"
    "                      enforce it (file:line); with --json, --markdown (the whole\n"
    "                      matrix), --summary (counts by vendor, Markdown), --check\n"
    "                      (exit 1 when a rule lacks any of these; beside --json,\n"
    "                      --markdown or --summary it speaks on stderr), --no-mutants\n"
    "  serve             the mock server of all three APIs over HTTP, with an admin API\n"
    "                    (brcheck serve --help)\n"
    "  mutate            the mutation score over HTTP: the suite against the server with\n"
    "                    each mutant (brcheck mutate --help)\n"
    "  record            a recording proxy that writes a fixture skeleton (brcheck record\n"
    "                    --help)\n"
    "  fuzz              generated sequences against a target with the model as oracle;\n"
    "                    divergences shrunk to fixtures (brcheck fuzz --help)\n"
    "  help, --help      this text\n"
    "  version           the version\n"
    "\n"
    "Exit status: 0 all hold, 1 a violation (or --check failed), 2 usage or bad fixture.\n"
    "Fixtures folder: $BRCHECK_FIXTURES, else the source tree's fixtures/.\n";

static const char *default_fixtures(void)
{
    const char *env = getenv("BRCHECK_FIXTURES");
    return env && *env ? env : BR_SOURCE_DIR "/fixtures";
}

/* Report files of `run`, in the order they are written. */
typedef int (*report_fn)(const br_run *, const char *, const char *);
static const struct {
    const char *option;
    report_fn write;
} report_kinds[] = {{"--json", br_report_json},
                    {"--junit", br_report_junit},
                    {"--sarif", br_report_sarif},
                    {"--html", br_report_html},
                    {"--markdown", br_report_markdown}};
#define N_REPORT_KINDS (sizeof report_kinds / sizeof *report_kinds)

/* Index in report_kinds of a report option (--report is --json), or -1. */
static int report_kind(const char *arg)
{
    if (strcmp(arg, "--report") == 0) return 0;
    for (size_t k = 0; k < N_REPORT_KINDS; k++)
        if (strcmp(arg, report_kinds[k].option) == 0) return (int)k;
    return -1;
}

/* Writes every requested report; returns the number that could not be written (each said on
 * stderr with its reason, and not left behind cut short). */
static int write_reports(const br_run *run, const char *target, const char *const files[])
{
    int bad = 0;
    char why[256];
    for (size_t k = 0; k < N_REPORT_KINDS; k++)
        if (files[k] &&
            br_report_write(report_kinds[k].write, run, target, files[k], why, sizeof why) != 0) {
            fprintf(stderr, "brcheck run: cannot write %s: %s\n", files[k], why);
            bad++;
        }
    return bad;
}

static int cmd_run(int argc, char **argv)
{
    const char *reports[N_REPORT_KINDS] = {0};
    const char *profile = "default", *target = "model", *mutant = NULL, *traffic = NULL;
    const char *jobs_arg = NULL, *shard = NULL;
    unsigned shard_k = 1, shard_n = 1;
    bool verbose = false;
    char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        int kind = report_kind(argv[i]);
        if ((kind >= 0 || strcmp(argv[i], "--profile") == 0 || strcmp(argv[i], "--target") == 0 ||
             strcmp(argv[i], "--mutant") == 0 || strcmp(argv[i], "--traffic") == 0 ||
             strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--shard") == 0) &&
            i + 1 >= argc) {
            fprintf(stderr, "brcheck run: %s needs a value\n", argv[i]);
            free(paths);
            return 2;
        }
        if (kind >= 0)
            reports[kind] = argv[++i];
        else if (strcmp(argv[i], "--profile") == 0)
            profile = argv[++i];
        else if (strcmp(argv[i], "--target") == 0)
            target = argv[++i];
        else if (strcmp(argv[i], "--mutant") == 0)
            mutant = argv[++i];
        else if (strcmp(argv[i], "--traffic") == 0)
            traffic = argv[++i];
        else if (strcmp(argv[i], "-j") == 0)
            jobs_arg = argv[++i];
        else if (strncmp(argv[i], "-j", 2) == 0 && argv[i][2]) /* -j4, as make takes it */
            jobs_arg = argv[i] + 2;
        else if (strcmp(argv[i], "--shard") == 0)
            shard = argv[++i];
        else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0)
            verbose = true;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            free(paths);
            return 0;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "brcheck run: unknown option %s (see brcheck --help)\n", argv[i]);
            free(paths);
            return 2;
        } else
            paths[n++] = argv[i];
    }
    br_run_plan plan = {.target = target, .mutant = BR_RULE_COUNT, .lockstep = -1};
    json_t *tprofile = NULL;
    if (!br_run_plan_options(&plan, &tprofile, profile, jobs_arg, shard, &shard_k, &shard_n)) {
        free(paths);
        return 2;
    }
    const char *profile_arg = profile; /* as given: what a reproduce command repeats */
    profile = plan.behaviour;
    br_rule mutant_rule = mutant ? br_rule_from_id(mutant) : BR_RULE_COUNT;
    if (mutant && (mutant_rule == BR_RULE_COUNT || !br_rule_has_mutant(mutant_rule))) {
        fprintf(stderr, "brcheck run: no mutant for rule %s\n", mutant);
        free(paths);
        json_decref(tprofile);
        return 2;
    }
    plan.mutant = mutant_rule;
    if (n == 0) paths[n++] = (char *)default_fixtures();
    br_run run = {0};
    int load = br_run_load(&run, paths, n);
    free(paths);
    size_t loaded = run.n;
    br_run_shard(&run, shard_k, shard_n);
    if (load != 0 || run.n == 0) {
        /* a path that cannot be read was named by br_run_load, with the reason */
        if (load != 0)
            fprintf(stderr, "brcheck run: a path cannot be read: nothing played\n");
        else if (loaded)
            fprintf(stderr, "brcheck run: shard %u/%u holds none of the %zu fixtures\n", shard_k,
                    shard_n, loaded);
        else
            fprintf(stderr, "brcheck run: no fixtures (*.json) under the paths given\n");
        br_run_free(&run);
        json_decref(tprofile);
        return 2;
    }
    run.context = (br_run_context){.target = target, .profile = profile_arg, .mutant = mutant};
    char why[256];
    FILE *log = traffic ? br_output_open(traffic, why, sizeof why) : NULL;
    if (traffic && !log) {
        fprintf(stderr, "brcheck run: cannot write %s: %s\n", traffic, why);
        br_run_free(&run);
        json_decref(tprofile);
        return 2;
    }
    br_run_set_traffic_log(log);
    br_progress *progress = plan.jobs > 1 ? NULL : br_progress_new(stderr, run.n);
    if (progress) br_run_set_progress(br_progress_callback, progress);
    char err[1024];
    int prc = br_run_plan_execute(&run, &plan, err, sizeof err);
    br_run_set_progress(NULL, NULL);
    br_progress_end(progress);
    json_decref(tprofile);
    br_run_set_traffic_log(NULL);
    bool log_lost = log && br_output_finish(log, true, why, sizeof why) != 0;
    if (prc != 0) {
        fprintf(stderr, "brcheck run: %s\n", err);
        br_run_free(&run);
        return prc;
    }
    /* A run whose traffic log or text report is incomplete writes no report files: none of
     * them may stand for a run that did not finish as asked. */
    if (log_lost) {
        fprintf(stderr, "brcheck run: cannot write %s: %s\n", traffic, why);
        br_run_free(&run);
        return 2;
    }
    br_report_text(&run, stdout, verbose);
    if (br_output_finish(stdout, false, why, sizeof why) != 0) {
        fprintf(stderr, "brcheck run: cannot write the report to standard output: %s\n", why);
        br_run_free(&run);
        return 2;
    }
    int rc = run.errors ? 2 : run.failed ? 1 : 0;
    if (write_reports(&run, target, reports)) rc = 2;
    br_run_free(&run);
    return rc;
}

static const char *only_families;

static bool selected(const char *id)
{
    return br_rule_family_selected(only_families, id);
}

/* Catalog ids against the model's ids, both ways; each mismatch is a line on 'out'. Returns
 * the number of mismatches. */
static int check_ids(FILE *out)
{
    int bad = 0;
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (selected(id) && br_rule_from_id(id) == BR_RULE_COUNT) {
            fprintf(out, "catalog rule %s is unknown to the model\n", id);
            bad++;
        }
    }
    for (int k = 0; k < BR_RULE_COUNT; k++)
        if (selected(br_rule_id((br_rule)k)) && !br_catalog_rule(br_rule_id((br_rule)k))) {
            fprintf(out, "model rule %s is missing from spec/rules\n", br_rule_id((br_rule)k));
            bad++;
        }
    return bad;
}

static int cmd_rules(int argc, char **argv)
{
    bool as_json = false, check = false, matrix = false;
    br_matrix_format format = BR_MATRIX_TEXT;
    br_matrix_options mopt = {.run_mutants = true};
    char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t n = 0;
    for (int i = 0; i < argc; i++) {
        if (strcmp(argv[i], "--json") == 0)
            as_json = true, format = BR_MATRIX_JSON;
        else if (strcmp(argv[i], "--check") == 0)
            check = true;
        else if (strcmp(argv[i], "--matrix") == 0)
            matrix = true;
        else if (strcmp(argv[i], "--markdown") == 0)
            format = BR_MATRIX_MARKDOWN;
        else if (strcmp(argv[i], "--summary") == 0)
            format = BR_MATRIX_SUMMARY;
        else if (strcmp(argv[i], "--no-mutants") == 0)
            mopt.run_mutants = false;
        else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(usage, stdout);
            free(paths);
            return 0;
        } else if (strcmp(argv[i], "--only") == 0) {
            char why[256];
            if (i + 1 == argc) {
                fprintf(stderr, "brcheck rules: --only needs a value (e.g. --only ZC,CC)\n");
                free(paths);
                return 2;
            }
            only_families = argv[++i];
            if (br_rule_family_unknown(only_families, why, sizeof why)) {
                fprintf(stderr, "brcheck rules: --only: %s\n", why);
                free(paths);
                return 2;
            }
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "brcheck rules: unknown option %s\n", argv[i]);
            free(paths);
            return 2;
        } else
            paths[n++] = argv[i];
    }
    if (n == 0) paths[n++] = (char *)default_fixtures();
    if (matrix || format == BR_MATRIX_MARKDOWN || format == BR_MATRIX_SUMMARY) {
        mopt.only = only_families;
        int rc = matrix ? br_matrix_command(paths, n, &mopt, format, check) : 2;
        if (!matrix) fprintf(stderr, "brcheck rules: --markdown and --summary need --matrix\n");
        free(paths);
        return rc;
    }
    /* A path that cannot be read or a fixture that does not load is a usage error: a
     * listing over what did load would report its rules uncovered. */
    br_run run = {0};
    size_t unloaded = br_matrix_load(&run, paths, n, "brcheck rules", stderr);
    free(paths);
    if (unloaded) {
        br_run_free(&run);
        return 2;
    }
    /* With --json, stdout holds the document alone: the check speaks on stderr. */
    FILE *verdict = as_json ? stderr : stdout;
    int problems = 0;
    json_t *out = json_array();
    if (!as_json)
        printf("%-24s %-7s %6s %8s %-8s  %s\n", "rule", "vendor", "holds", "refuses", "covered",
               "statement");
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        const char *id = json_string_value(json_object_get(r, "id"));
        if (!selected(id)) continue;
        int holds = 0, refuses = 0;
        for (size_t k = 0; k < run.n; k++) {
            const char *w = json_string_value(json_object_get(run.fixtures[k].rules, id));
            holds += w && strcmp(w, "holds") == 0;
            refuses += w && strcmp(w, "refuses") == 0;
        }
        bool needs_refusal = json_is_true(json_object_get(r, "refuses"));
        bool covered = holds > 0 && (!needs_refusal || refuses > 0);
        if (!covered) {
            problems++;
            if (check)
                fprintf(verdict, "rule %s lacks %s\n", id,
                        holds == 0 ? "a fixture where it holds" : "a fixture showing its refusal");
        }
        if (as_json)
            json_array_append_new(out, json_pack("{s:s,s:O,s:O,s:O,s:i,s:i,s:b}", "id", id,
                                                 "vendor", json_object_get(r, "vendor"),
                                                 "statement", json_object_get(r, "statement"),
                                                 "source", json_object_get(r, "source"), "holds",
                                                 holds, "refuses", refuses, "covered", covered));
        else if (!check)
            printf("%-24s %-7s %6d %8d %-8s  %.70s\n", id,
                   json_string_value(json_object_get(r, "vendor")), holds, refuses,
                   covered ? "yes" : (needs_refusal && holds ? "no:refuse" : "NO"),
                   json_string_value(json_object_get(r, "statement")));
    }
    if (as_json) {
        char *s = json_dumps(out, JSON_INDENT(2));
        if (!s) {
            fprintf(stderr, "brcheck rules: cannot write the catalog (out of memory)\n");
            json_decref(out);
            br_run_free(&run);
            return 2;
        }
        puts(s);
        free(s);
    }
    json_decref(out);
    if (check) problems += check_ids(verdict);
    br_run_free(&run);
    if (check)
        fprintf(verdict, "%s\n",
                problems ? "rule coverage check FAILED" : "rule coverage check passed");
    return check && problems ? 1 : 0;
}

int main(int argc, char **argv)
{
    br_process_init();
    if (argc < 2) {
        fputs(usage, stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "run") == 0) return cmd_run(argc - 2, argv + 2);
    if (strcmp(cmd, "rules") == 0) return cmd_rules(argc - 2, argv + 2);
    if (strcmp(cmd, "serve") == 0) return br_cmd_serve(argc - 2, argv + 2);
    if (strcmp(cmd, "fuzz") == 0) return br_cmd_fuzz(argc - 2, argv + 2);
    if (strcmp(cmd, "mutate") == 0) return br_cmd_mutate(argc - 2, argv + 2);
    if (strcmp(cmd, "record") == 0) return br_cmd_record(argc - 2, argv + 2);
    if (strcmp(cmd, "help") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0) {
        fputs(usage, stdout);
        return 0;
    }
    if (strcmp(cmd, "version") == 0 || strcmp(cmd, "--version") == 0) {
        puts("brcheck " BR_VERSION);
        return 0;
    }
    fprintf(stderr, "brcheck: unknown command %s\n\n%s", cmd, usage);
    return 2;
}
