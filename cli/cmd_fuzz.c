/* brcheck fuzz: generated request sequences against a target with the faithful model as the
 * oracle in lockstep; a divergence is shrunk and written as a fixture and a curl script. */
#include "commands.h"
#include "fuzz_run.h"
#include "gen.h"
#include "shrink.h"
#include "target_http.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char fuzz_usage[] =
    "usage: brcheck fuzz [options]\n"
    "\n"
    "Generates request sequences over Zilliz Cloud, CockroachDB Cloud and Atlas (mostly valid\n"
    "operations on live ids, some invalid, time steps and simulator operations), plays each\n"
    "step against the target and the faithful in-process model in lockstep, and compares\n"
    "the answers, the target's invariants and the observed invariants. A divergence is\n"
    "shrunk to a 1-minimal sequence and written as a fixture and a curl script.\n"
    "The script (curl and python3) replays the fixture against `brcheck serve` at\n"
    "$BRCHECK_URL and judges it as `brcheck run` does: exit 0 no difference, 1 the\n"
    "divergence reproduced, 2 set-up failed, 3 cannot judge (no python3).\n"
    "\n"
    "  --target T      model (in-process; default) or the URL of a `brcheck serve`, whose\n"
    "                  admin API loads the world, moves the clock and runs the simulator\n"
    "                  (token: $BRCHECK_ADMIN_TOKEN, else admin-demo-token); a real\n"
    "                  endpoint is checked with fixtures: brcheck run --target URL\n"
    "  --mutant RULE   the model target with exactly that rule broken\n"
    "  --seed S        first seed (default 1); same seed, same sequence\n"
    "  --steps N       steps per sequence (default 500)\n"
    "  --runs R        sequences (default 1); run r uses seed S + (K-1) + r*N of --shard\n"
    "  --shard K/N     this job's share of the seeds (default 1/1)\n"
    "  --time T        stop starting new steps after T seconds, T >= 1 (default: no\n"
    "                  limit; shrinking a divergence found is not counted)\n"
    "  --out DIR       where the fixture and the script go (default fuzz-out)\n"
    "  -h, --help      this text\n"
    "\n"
    "Exit status: 0 no divergence, 1 a divergence (fixture written), 2 usage or set-up error.\n";

/* The options of fuzz; each takes a value. */
static const char *const fuzz_options[] = {"--target", "--mutant", "--seed", "--steps",
                                           "--runs",   "--shard",  "--time", "--out"};

static bool fuzz_option(const char *a)
{
    for (size_t k = 0; k < sizeof fuzz_options / sizeof *fuzz_options; k++)
        if (strcmp(a, fuzz_options[k]) == 0) return true;
    return false;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bool parse_u64(const char *s, unsigned long long *out)
{
    char *end;
    errno = 0;
    if (!s || *s < '0' || *s > '9') return false; /* digits only: no sign, no blank */
    *out = strtoull(s, &end, 10);
    return errno == 0 && *end == '\0';
}

/* The target named on the command line; 'strict' for in-process targets. */
static br_target *open_target(const char *name, br_rule mutant, bool *strict, char *err, size_t len)
{
    if (strcmp(name, "model") == 0) {
        *strict = true;
        return br_model_target_new(mutant);
    }
    if (strncmp(name, "http://", 7) == 0 || strncmp(name, "https://", 8) == 0) {
        if (mutant != BR_RULE_COUNT) {
            snprintf(err, len, "--mutant applies to --target model (a server takes --mutant)");
            return NULL;
        }
        *strict = false;
        br_target *t = br_http_target_new(name, NULL, err, len);
        if (t && !br_http_target_is_admin(t)) {
            /* without the admin API no world is loaded and no wait or simulator step does
             * anything: every answer would differ from the oracle's for that reason alone */
            snprintf(err, len,
                     "%s does not answer GET /_brcheck/v1/ping as brcheck serve: brcheck fuzz "
                     "sets up its world, clock and simulator through that admin API; a real "
                     "endpoint is checked with fixtures (brcheck run --target URL --profile "
                     "FILE)",
                     name);
            t->close(t);
            return NULL;
        }
        if (t) br_http_target_set_lockstep(t, false); /* the fuzzer runs its own oracle */
        return t;
    }
    snprintf(err, len, "--target is model or an http(s):// URL, not %s", name);
    return NULL;
}

static int write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    int rc = fputs(text, f) < 0 ? -1 : 0;
    return fclose(f) != 0 ? -1 : rc;
}

/* Shrinks, writes the fixture and the script, prints what was found. */
static int report(const br_fuzz_env *env, json_t *steps, br_divergence *d, unsigned long long seed,
                  const char *mutant, const char *target, const char *outdir)
{
    printf("divergence at step %d of seed %llu (%s%s%s): %s\n", d->step, seed,
           br_div_kind_name(d->kind), d->rule[0] ? " " : "", d->rule, d->message);
    double t0 = now_s();
    br_shrink_stats st = {0};
    json_t *small = br_shrink(env, steps, d, 20000, &st);
    double took = now_s() - t0;
    if (!small) {
        fprintf(stderr, "brcheck fuzz: out of memory while shrinking\n");
        return 2;
    }
    printf("shrunk %zu steps to %zu in %.2f s (%u plays)\n", (size_t)d->step, st.to, took,
           st.plays);
    char id[160], source[256];
    snprintf(id, sizeof id, "fuzz-%s-seed%llu", mutant ? mutant : "target", seed);
    for (char *p = id; *p; p++)
        if (*p >= 'A' && *p <= 'Z') *p = (char)(*p - 'A' + 'a');
    snprintf(source, sizeof source, "inferred: brcheck fuzz --target %s%s%s --seed %llu", target,
             mutant ? " --mutant " : "", mutant ? mutant : "", seed);
    br_divergence d2 = {0};
    json_t *fx = br_fuzz_fixture(env, small, id, mutant, source, &d2);
    br_divergence_clear(&d2);
    json_decref(small);
    if (!fx) {
        fprintf(stderr, "brcheck fuzz: cannot write the fixture\n");
        return 2;
    }
    char dir[1024];
    snprintf(dir, sizeof dir, "%s", outdir);
    for (char *p = dir[0] ? dir + 1 : dir; *p; p++) /* mkdir -p */
        if (*p == '/') {
            *p = '\0';
            mkdir(dir, 0777);
            *p = '/';
        }
    mkdir(dir, 0777);
    char path[1200], spath[1200];
    snprintf(path, sizeof path, "%s/%s.json", outdir, id);
    snprintf(spath, sizeof spath, "%s/%s.sh", outdir, id);
    char *script = br_fuzz_curl_script(fx, mutant);
    int rc = json_dump_file(fx, path, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    if (rc == 0 && script) rc = write_file(spath, script);
    if (rc == 0) chmod(spath, 0755);
    free(script);
    json_decref(fx);
    if (rc != 0) {
        fprintf(stderr, "brcheck fuzz: cannot write %s\n", path);
        return 2;
    }
    /* the command that plays the fixture where it was found: the model with the mutant, or
     * the server (which then loads the fixture's world through its admin API) */
    bool model = strcmp(target, "model") == 0;
    printf("wrote %s\nwrote %s\nreproduce: brcheck run%s%s%s%s %s\n", path, spath,
           model ? "" : " --target ", model ? "" : target, mutant ? " --mutant " : "",
           mutant ? mutant : "", path);
    return 1;
}

int br_cmd_fuzz(int argc, char **argv)
{
    const char *target = "model", *mutant = NULL, *outdir = "fuzz-out";
    unsigned long long seed = 1, steps = 500, runs = 1, shard_k = 1, shard_n = 1, seconds = 0;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            fputs(fuzz_usage, stdout);
            return 0;
        }
        if (a[0] != '-') {
            fprintf(stderr, "brcheck fuzz: %s is not an option (see brcheck fuzz --help)\n", a);
            return 2;
        }
        if (!fuzz_option(a)) {
            fprintf(stderr, "brcheck fuzz: unknown option %s (see brcheck fuzz --help)\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "brcheck fuzz: %s needs a value (see brcheck fuzz --help)\n", a);
            return 2;
        }
        const char *v = argv[++i];
        bool ok = true;
        if (strcmp(a, "--target") == 0)
            target = v;
        else if (strcmp(a, "--mutant") == 0)
            mutant = v;
        else if (strcmp(a, "--out") == 0)
            ok = *(outdir = v) != '\0';
        else if (strcmp(a, "--seed") == 0)
            ok = parse_u64(v, &seed);
        else if (strcmp(a, "--steps") == 0)
            ok = parse_u64(v, &steps) && steps > 0 && steps <= 10000000;
        else if (strcmp(a, "--runs") == 0)
            ok = parse_u64(v, &runs) && runs > 0;
        else if (strcmp(a, "--time") == 0)
            ok = parse_u64(v, &seconds) && seconds > 0;
        else if (strcmp(a, "--shard") == 0) {
            char *slash = strchr(v, '/');
            char kbuf[32];
            ok = slash && (size_t)(slash - v) < sizeof kbuf;
            if (ok) {
                snprintf(kbuf, sizeof kbuf, "%.*s", (int)(slash - v), v);
                ok = parse_u64(kbuf, &shard_k) && parse_u64(slash + 1, &shard_n) && shard_n > 0 &&
                     shard_k >= 1 && shard_k <= shard_n;
            }
        } else {
            fprintf(stderr, "brcheck fuzz: unknown option %s (see brcheck fuzz --help)\n", a);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "brcheck fuzz: bad value for %s: '%s'\n", a, v);
            return 2;
        }
    }
    /* the last seed played, seed + (K-1) + (runs-1)*N, must not wrap around */
    if (seed > ULLONG_MAX - (shard_k - 1) ||
        (runs - 1) > (ULLONG_MAX - seed - (shard_k - 1)) / shard_n) {
        fprintf(stderr,
                "brcheck fuzz: --seed %llu with --runs %llu and --shard %llu/%llu goes "
                "past the largest seed, %llu\n",
                seed, runs, shard_k, shard_n, ULLONG_MAX);
        return 2;
    }
    br_rule mrule = mutant ? br_rule_from_id(mutant) : BR_RULE_COUNT;
    if (mutant && (mrule == BR_RULE_COUNT || !br_rule_has_mutant(mrule))) {
        fprintf(stderr, "brcheck fuzz: no mutant for rule %s\n", mutant);
        return 2;
    }
    char err[512] = "";
    bool strict = false;
    br_target *t = open_target(target, mrule, &strict, err, sizeof err);
    if (!t) {
        fprintf(stderr, "brcheck fuzz: %s\n", err[0] ? err : "cannot open the target");
        return 2;
    }
    json_t *given = br_gen_default_world();
    br_fuzz_env env = {
        .target = t, .given = given, .strict = strict, .compare_world = strict, .world_every = 32};
    double start = now_s();
    unsigned long long total = 0;
    int rc = 0;
    for (unsigned long long r = 0; r < runs && rc == 0; r++) {
        if (seconds && now_s() - start >= (double)seconds) break;
        unsigned long long s = seed + (shard_k - 1) + r * shard_n;
        br_lockstep *ls = br_lockstep_new(&env, err, sizeof err);
        br_gen *g = br_gen_new(given);
        json_t *seq = json_array();
        if (!ls || !g || !seq) {
            fprintf(stderr, "brcheck fuzz: cannot start: %s\n", ls ? "out of memory" : err);
            br_lockstep_free(ls);
            br_gen_free(g);
            json_decref(seq);
            rc = 2;
            break;
        }
        uint64_t state = s;
        br_choice c;
        br_choice_prng(&c, &state);
        br_divergence d = {0};
        for (unsigned long long i = 0; i < steps && rc == 0; i++) {
            if (seconds && (i & 63) == 0 && now_s() - start >= (double)seconds) break;
            json_t *step = br_gen_next(g, &c);
            json_t *concrete = step ? json_deep_copy(step) : NULL;
            if (!step || !concrete) {
                json_decref(step);
                rc = 2;
                fprintf(stderr, "brcheck fuzz: out of memory\n");
                break;
            }
            br_lockstep_symbolize(ls, step);
            json_array_append_new(seq, step);
            int sr = br_lockstep_step(ls, step, (int)i + 1, &d, NULL);
            total++;
            const br_response *res = br_lockstep_oracle_answer(ls);
            if (res) br_gen_observe(g, concrete, res->status, res->body);
            json_decref(concrete);
            if (sr == 0 && i + 1 == steps) /* the last step: the worlds too */
                sr = br_lockstep_check_world(ls, step, (int)i + 1, &d);
            if (sr < 0) {
                fprintf(stderr, "brcheck fuzz: seed %llu: %s\n", s, d.message);
                rc = 2;
            } else if (sr > 0) {
                br_lockstep_free(ls);
                ls = NULL;
                rc = report(&env, seq, &d, s, mutant, target, outdir);
            }
        }
        br_divergence_clear(&d);
        br_lockstep_free(ls);
        br_gen_free(g);
        json_decref(seq);
    }
    if (rc == 0)
        printf("no divergence: %llu steps against %s%s%s in %.2f s\n", total, target,
               mutant ? " with mutant " : "", mutant ? mutant : "", now_s() - start);
    json_decref(given);
    t->close(t);
    return rc;
}
