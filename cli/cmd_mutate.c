/* brcheck mutate: the suite's mutation score over HTTP. For every rule the model can break
 * (br_rule_has_mutant), the mock server serves the model with exactly that rule broken and
 * the whole suite runs against it over loopback; a mutant no fixture catches survives. */
#include "commands.h"
#include "matrix.h"
#include "parallel.h"
#include "server.h"
#include "target_http.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_JOBS 16

static const char mutate_usage[] =
    "usage: brcheck mutate [--fixtures PATH] [--only ZC,CC,...] [-j N] [--json FILE]\n"
    "\n"
    "Starts the mock server in this process, and for every rule that has a mutant (the\n"
    "model with exactly that rule broken) switches the mutant on (PUT /_brcheck/v1/mutant)\n"
    "and plays the whole suite against it over HTTP. Prints one row per mutant (killed or\n"
    "SURVIVED, and by which fixtures) and the mutation score.\n"
    "\n"
    "  --fixtures PATH  fixture files or folders (repeatable; default: the fixtures/ folder)\n"
    "  --only A,B       only mutants of these rule families (SEC, ZC, CC, MA, INV)\n"
    "  -j N             N servers and N mutants at a time (default 1)\n"
    "  --json FILE      also write the table as JSON\n"
    "\n"
    "Exit status: 0 every mutant killed, 1 a mutant survived (or the suite fails without\n"
    "any mutant), 2 usage error or a server that does not start.\n";

typedef struct {
    br_rule rule;
    bool killed;
    size_t n_by;
    char by[512];   /* fixture ids, comma-separated, shortened (the table) */
    json_t *by_all; /* every fixture id that failed (the JSON report); owned */
    double seconds;
} mutant_row;

typedef struct {
    char *const *paths;
    size_t n_paths;
    mutant_row *rows;
    size_t n_rows;
    size_t next;
    pthread_mutex_t lock;
    bool broken; /* a run could not be made */
} plan_t;

typedef struct {
    plan_t *p;
    br_server *server;
    br_target *t;
} job;

static double seconds_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) + (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* Plays the suite against the target; fills the row with the failing fixtures. Returns
 * false when the run could not be made. */
static bool play(plan_t *p, br_target *t, mutant_row *row)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    br_run run = {0};
    if (br_run_load(&run, p->paths, p->n_paths) != 0 || run.n == 0) {
        br_run_free(&run);
        return false;
    }
    br_run_execute(&run, t, "default");
    row->killed = false;
    row->n_by = 0;
    row->by[0] = '\0';
    json_decref(row->by_all);
    row->by_all = json_array();
    size_t used = 0;
    for (size_t i = 0; i < run.n; i++) {
        const br_fixture_result *f = &run.fixtures[i];
        if (f->status != BR_FIX_FAIL && f->status != BR_FIX_ERROR) continue;
        row->killed = true;
        row->n_by++;
        json_array_append_new(row->by_all, json_string(f->id));
        if (row->n_by <= 3 && used + strlen(f->id) + 3 < sizeof row->by)
            used += (size_t)snprintf(row->by + used, sizeof row->by - used, "%s%s",
                                     row->n_by > 1 ? ", " : "", f->id);
    }
    if (row->n_by > 3) snprintf(row->by + used, sizeof row->by - used, " +%zu more", row->n_by - 3);
    br_run_free(&run);
    row->seconds = seconds_since(&t0);
    return true;
}

static void *work(void *arg)
{
    job *j = arg;
    plan_t *p = j->p;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        size_t i = p->next++;
        pthread_mutex_unlock(&p->lock);
        if (i >= p->n_rows) break;
        mutant_row *row = &p->rows[i];
        json_t *body = json_pack("{s:s}", "rule", br_rule_id(row->rule));
        int status = br_http_target_admin(j->t, "PUT", "mutant", body, NULL);
        json_decref(body);
        if (status != 200 || !play(p, j->t, row)) {
            const char *why = j->t->error ? j->t->error(j->t) : NULL;
            fprintf(stderr, "brcheck mutate: cannot play against mutant %s: %s\n",
                    br_rule_id(row->rule), why ? why : "the fixtures do not load");
            pthread_mutex_lock(&p->lock);
            p->broken = true;
            pthread_mutex_unlock(&p->lock);
        }
    }
    json_t *off = json_pack("{s:n}", "rule");
    br_http_target_admin(j->t, "PUT", "mutant", off, NULL);
    json_decref(off);
    return NULL;
}

static int write_json(const char *path, const mutant_row *rows, size_t n, size_t killed)
{
    json_t *arr = json_array();
    for (size_t i = 0; i < n; i++) {
        json_t *by = rows[i].by_all ? json_incref(rows[i].by_all) : json_array();
        json_array_append_new(arr, json_pack("{s:s,s:b,s:I,s:o,s:f}", "mutant",
                                             br_rule_id(rows[i].rule), "killed", rows[i].killed,
                                             "fixtures", (json_int_t)rows[i].n_by, "by", by,
                                             "seconds", rows[i].seconds));
    }
    json_t *o =
        json_pack("{s:o,s:I,s:I,s:f}", "mutants", arr, "killed", (json_int_t)killed, "total",
                  (json_int_t)n, "score", n ? 100.0 * (double)killed / (double)n : 0.0);
    int rc = json_dump_file(o, path, JSON_INDENT(2));
    json_decref(o);
    return rc;
}

int br_cmd_mutate(int argc, char **argv)
{
    const char *only = NULL, *json_out = NULL;
    unsigned jobs = 1;
    char **paths = calloc((size_t)argc + 1, sizeof *paths);
    size_t n_paths = 0;
    if (!paths) return 2;
    for (int i = 0; i < argc; i++) {
        bool has_value = i + 1 < argc;
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            fputs(mutate_usage, stdout);
            free(paths);
            return 0;
        } else if ((strcmp(argv[i], "--fixtures") == 0 || strcmp(argv[i], "--only") == 0 ||
                    strcmp(argv[i], "-j") == 0 || strcmp(argv[i], "--json") == 0) &&
                   !has_value) {
            fprintf(stderr, "brcheck mutate: %s needs a value\n", argv[i]);
            free(paths);
            return 2;
        } else if (strcmp(argv[i], "--fixtures") == 0) {
            paths[n_paths++] = argv[++i];
        } else if (strcmp(argv[i], "--only") == 0) {
            char why[256];
            only = argv[++i];
            if (br_rule_family_unknown(only, why, sizeof why)) {
                fprintf(stderr, "brcheck mutate: --only: %s\n", why);
                free(paths);
                return 2;
            }
        } else if (strcmp(argv[i], "--json") == 0) {
            json_out = argv[++i];
        } else if (strncmp(argv[i], "-j", 2) == 0) { /* -j N or -jN */
            const char *arg = argv[i][2] ? argv[i] + 2 : argv[++i];
            char *end;
            unsigned long v = strtoul(arg, &end, 10);
            if (*end || v < 1 || v > MAX_JOBS) {
                fprintf(stderr, "brcheck mutate: -j takes a number from 1 to %d\n", MAX_JOBS);
                free(paths);
                return 2;
            }
            jobs = (unsigned)v;
        } else {
            fprintf(stderr, "brcheck mutate: unknown argument %s (see brcheck mutate --help)\n",
                    argv[i]);
            free(paths);
            return 2;
        }
    }
    if (n_paths == 0) {
        const char *env = getenv("BRCHECK_FIXTURES");
        paths[n_paths++] = (char *)(env && *env ? env : BR_SOURCE_DIR "/fixtures");
    }
    mutant_row *rows = calloc(BR_RULE_COUNT, sizeof *rows);
    size_t n_rows = 0;
    for (int r = 0; r < BR_RULE_COUNT && rows; r++)
        if (br_rule_has_mutant((br_rule)r) && br_rule_family_selected(only, br_rule_id((br_rule)r)))
            rows[n_rows++].rule = (br_rule)r;
    if (!rows || n_rows == 0) {
        fprintf(stderr, "brcheck mutate: no mutants%s%s\n", only ? " in families " : "",
                only ? only : "");
        free(rows);
        free(paths);
        return 2;
    }
    if (jobs > n_rows) jobs = (unsigned)n_rows;
    plan_t p = {.paths = paths, .n_paths = n_paths, .rows = rows, .n_rows = n_rows};
    pthread_mutex_init(&p.lock, NULL);
    job js[MAX_JOBS] = {0};
    int rc = 0;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (unsigned k = 0; k < jobs && rc == 0; k++) {
        char err[512], url[64];
        br_server_config cfg = {.listen = "127.0.0.1:0",
                                .mutant = BR_RULE_COUNT,
                                .seed = -1,
                                .threads = 1,
                                .quiet = true};
        js[k].p = &p;
        js[k].server = br_server_start(&cfg, err, sizeof err);
        if (!js[k].server) {
            fprintf(stderr, "brcheck mutate: the mock server does not start: %s\n", err);
            rc = 2;
            break;
        }
        snprintf(url, sizeof url, "http://127.0.0.1:%u", br_server_port(js[k].server));
        js[k].t = br_http_target_new(url, NULL, err, sizeof err);
        if (!js[k].t) {
            fprintf(stderr, "brcheck mutate: %s\n", err);
            rc = 2;
            break;
        }
        /* only the fixtures may kill a mutant: no lockstep model beside the server */
        br_http_target_set_lockstep(js[k].t, false);
    }
    /* the suite must hold without a mutant, or every mutant would look killed */
    mutant_row base = {.rule = BR_RULE_COUNT};
    if (rc == 0 && (!play(&p, js[0].t, &base) || base.killed)) {
        fprintf(stderr,
                "brcheck mutate: the suite fails against the server without a mutant (%s); "
                "fix that first: brcheck run --target URL\n",
                base.by[0] ? base.by : "no fixtures");
        rc = base.killed ? 1 : 2;
    }
    if (rc == 0) {
        pthread_t threads[MAX_JOBS];
        unsigned started = 0;
        for (unsigned k = 1; k < jobs; k++)
            if (pthread_create(&threads[started], NULL, work, &js[k]) == 0) started++;
        work(&js[0]);
        for (unsigned k = 0; k < started; k++)
            pthread_join(threads[k], NULL);
        size_t killed = 0;
        printf("%-24s %-9s %s\n", "mutant", "killed", "by fixtures");
        for (size_t i = 0; i < n_rows; i++) {
            killed += rows[i].killed;
            printf("%-24s %-9s %s\n", br_rule_id(rows[i].rule), rows[i].killed ? "yes" : "SURVIVED",
                   rows[i].killed ? rows[i].by : "-");
        }
        printf("\nmutation score: %zu/%zu killed (%.1f%%) over HTTP in %.1f s\n", killed, n_rows,
               100.0 * (double)killed / (double)n_rows, seconds_since(&t0));
        if (json_out && write_json(json_out, rows, n_rows, killed) != 0) {
            fprintf(stderr, "brcheck mutate: cannot write %s\n", json_out);
            rc = 2;
        }
        if (rc == 0) rc = p.broken ? 2 : killed == n_rows ? 0 : 1;
    }
    for (unsigned k = 0; k < jobs; k++) {
        if (js[k].t) js[k].t->close(js[k].t);
        br_server_stop(js[k].server);
    }
    pthread_mutex_destroy(&p.lock);
    for (size_t i = 0; i < n_rows; i++)
        json_decref(rows[i].by_all);
    json_decref(base.by_all);
    free(rows);
    free(paths);
    return rc;
}
