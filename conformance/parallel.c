/* Planning a run: the target (model or HTTP), fixtures in parallel (-j) and shards
 * (--shard K/N). Each thread owns its target; fixtures are handed out one at a time. */
#include "parallel.h"

#include "profile.h"
#include "target_http.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#define MAX_WORKERS 64

typedef struct {
    br_run *run;
    const char *behaviour;
    pthread_mutex_t lock;
    size_t next;
} queue;

typedef struct {
    queue *q;
    br_target *t;
} worker;

static void *work(void *arg)
{
    worker *w = arg;
    queue *q = w->q;
    for (;;) {
        pthread_mutex_lock(&q->lock);
        size_t i = q->next++;
        pthread_mutex_unlock(&q->lock);
        if (i >= q->run->n) break;
        /* a one-fixture view of the run: its counters are summed afterwards */
        br_run view = {.fixtures = &q->run->fixtures[i], .n = 1};
        br_run_execute(&view, w->t, q->behaviour);
    }
    return NULL;
}

static br_target *make_target(const br_run_plan *plan, const char *url, char *err, size_t len)
{
    if (!url) {
        br_target *t = br_model_target_new(plan->mutant);
        if (!t) snprintf(err, len, "out of memory");
        return t;
    }
    br_target *t = br_http_target_new(url, plan->profile, err, len);
    if (t && plan->lockstep != -1) br_http_target_set_lockstep(t, plan->lockstep == 1);
    return t;
}

/* Against a real endpoint a fixture whose key's credential variable is unset would send the
 * key's name as the credential, and every step would be refused and charged to the vendor's
 * rules: such a run stops before playing, naming the profile, the key, the variable and how
 * many fixtures use it. Fixtures the profile skips do not count. */
static bool credentials_unset(const br_run *run, br_target *t, const br_run_plan *plan, char *err,
                              size_t len)
{
    const char *key = NULL, *var = NULL, *first = NULL;
    size_t n = 0, others = 0;
    for (size_t i = 0; i < run->n; i++) {
        const br_fixture_result *f = &run->fixtures[i];
        char why[256];
        const char *k, *v;
        if (f->status == BR_FIX_ERROR || !f->fixture ||
            (t->skips && t->skips(t, f->fixture, why, sizeof why)) ||
            !br_http_target_unset_credential(t, f->fixture, &k, &v))
            continue;
        if (!key) {
            key = k;
            var = v;
            first = f->id;
        }
        if (strcmp(k, key) == 0 && strcmp(v, var) == 0)
            n++;
        else
            others++;
    }
    if (!key) return false;
    snprintf(err, len,
             "%s: the credentials for key \"%s\" come from $%s, which is not set (%zu fixture%s "
             "use%s the key, %s among them%s): export it, or skip those fixtures in the profile",
             plan->profile_path ? plan->profile_path : "the target profile", key, var, n,
             n == 1 ? "" : "s", n == 1 ? "s" : "", first,
             others ? "; other keys' variables are unset too" : "");
    return true;
}

int br_run_plan_execute(br_run *run, const br_run_plan *plan, char *err, size_t errlen)
{
    const char *target = plan->target ? plan->target : "model";
    bool model = strcmp(target, "model") == 0;
    const char *urls[MAX_WORKERS];
    size_t n_urls = 0;
    if (!model && plan->mutant != BR_RULE_COUNT) {
        snprintf(err, errlen,
                 "--mutant plays against the model; for a server use "
                 "brcheck serve --mutant RULE");
        return 2;
    }
    if (!model) {
        n_urls = br_profile_base_urls(plan->profile, urls, MAX_WORKERS);
        if (n_urls == 0) urls[n_urls++] = target;
    }
    size_t jobs = plan->jobs ? plan->jobs : 1;
    if (jobs > MAX_WORKERS) jobs = MAX_WORKERS;
    if (!model && jobs > n_urls) {
        if (jobs > 1 && !plan->quiet)
            fprintf(stderr,
                    "brcheck run: %zu base URL(s): fixtures on one server share its world, "
                    "running %zu at a time\n",
                    n_urls, n_urls);
        jobs = n_urls;
    }
    if (jobs > run->n) jobs = run->n ? run->n : 1;
    worker workers[MAX_WORKERS];
    for (size_t i = 0; i < jobs; i++) {
        workers[i].t = make_target(plan, model ? NULL : urls[i], err, errlen);
        if (!workers[i].t) {
            for (size_t k = 0; k < i; k++)
                workers[k].t->close(workers[k].t);
            return 2;
        }
    }
    if (!model && credentials_unset(run, workers[0].t, plan, err, errlen)) {
        for (size_t k = 0; k < jobs; k++)
            workers[k].t->close(workers[k].t);
        return 2;
    }
    queue q = {.run = run, .behaviour = plan->behaviour ? plan->behaviour : "default"};
    if (jobs == 1) {
        br_run_execute(run, workers[0].t, q.behaviour);
        workers[0].t->close(workers[0].t);
        return 0;
    }
    /* the model's allocator switch happens with the first world: do it before the threads */
    br_world_free(br_world_new(NULL, NULL, 0));
    pthread_mutex_init(&q.lock, NULL);
    pthread_t threads[MAX_WORKERS];
    size_t started = 0;
    for (size_t i = 0; i < jobs; i++) {
        workers[i].q = &q;
        if (pthread_create(&threads[i], NULL, work, &workers[i]) != 0) break;
        started++;
    }
    if (started == 0) work(&workers[0]);
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    for (size_t i = 0; i < jobs; i++)
        workers[i].t->close(workers[i].t);
    pthread_mutex_destroy(&q.lock);
    br_run_count(run);
    return 0;
}

void br_run_shard(br_run *run, unsigned k, unsigned n)
{
    if (n <= 1 || k < 1 || k > n) return;
    size_t kept = 0;
    for (size_t i = 0; i < run->n; i++) {
        br_fixture_result *f = &run->fixtures[i];
        if (i % n == k - 1) {
            if (kept != i) run->fixtures[kept] = *f;
            kept++;
            continue;
        }
        for (size_t v = 0; v < f->n_violations; v++) {
            free(f->violations[v].expected);
            free(f->violations[v].actual);
        }
        free(f->violations);
        json_decref(f->fixture);
    }
    run->n = kept;
}

bool br_parse_shard(const char *s, unsigned *k, unsigned *n)
{
    if (!s) return false;
    char *end;
    unsigned long a = strtoul(s, &end, 10);
    if (end == s || *end != '/') return false;
    const char *b = end + 1;
    unsigned long c = strtoul(b, &end, 10);
    if (end == b || *end || a < 1 || c < 1 || a > c || c > 1000000) return false;
    *k = (unsigned)a;
    *n = (unsigned)c;
    return true;
}

bool br_run_plan_options(br_run_plan *plan, json_t **tprofile, const char *profile,
                         const char *jobs, const char *shard, unsigned *k, unsigned *n)
{
    *tprofile = NULL;
    plan->behaviour = "default";
    if (br_profile_is_behaviour(profile)) {
        plan->behaviour = profile;
    } else if (profile) {
        char err[512];
        *tprofile = br_profile_load(profile, err, sizeof err);
        if (!*tprofile) {
            fprintf(stderr,
                    "brcheck run: --profile is default, strict or a target profile file: %s\n",
                    err);
            return false;
        }
        plan->behaviour = br_profile_behaviour(*tprofile);
        plan->profile = *tprofile;
        plan->profile_path = profile;
    }
    if (jobs) {
        char *end;
        unsigned long j = strtoul(jobs, &end, 10);
        if (end == jobs || *end || j < 1 || j > MAX_WORKERS) {
            fprintf(stderr, "brcheck run: -j takes a number from 1 to %d\n", MAX_WORKERS);
            json_decref(*tprofile);
            *tprofile = NULL;
            return false;
        }
        plan->jobs = (unsigned)j;
    }
    *k = *n = 1;
    if (shard && !br_parse_shard(shard, k, n)) {
        fprintf(stderr, "brcheck run: --shard takes K/N with 1 <= K <= N (got %s)\n", shard);
        json_decref(*tprofile);
        *tprofile = NULL;
        return false;
    }
    const char *t = plan->target ? plan->target : "model";
    if (strcmp(t, "model") != 0 && strncmp(t, "http://", 7) != 0 &&
        strncmp(t, "https://", 8) != 0) {
        fprintf(stderr, "brcheck run: --target is model or an http:// or https:// URL (got %s)\n",
                t);
        json_decref(*tprofile);
        *tprofile = NULL;
        return false;
    }
    return true;
}
