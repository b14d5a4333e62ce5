/* Shrinking benchmark: a generated 100-step sequence that diverges at its last step against
 * the model with a mutant, shrunk to a 1-minimal one. Prints the time (target < 10 s).
 * usage: bench_shrink [RULE] (default ZC-RESTORE-AVAILABLE) */
#include "process.h"
#include "fuzz_run.h"
#include "shrink.h"

#include <stdio.h>
#include <time.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    br_process_init();
    const char *rule = argc > 1 ? argv[1] : "ZC-RESTORE-AVAILABLE";
    br_rule mutant = br_rule_from_id(rule);
    if (mutant == BR_RULE_COUNT || !br_rule_has_mutant(mutant)) {
        fprintf(stderr, "bench_shrink: no mutant for %s\n", rule);
        return 2;
    }
    br_target *t = br_model_target_new(mutant);
    json_t *given = br_gen_default_world();
    br_fuzz_env env = {
        .target = t, .given = given, .strict = true, .compare_world = true, .world_every = 1};
    /* Seeds until one diverges at step 100 or later: its first 100 steps, with the step that
     * diverges moved last, make the 100-step failing sequence. */
    for (uint64_t seed = 1; seed < 2000; seed++) {
        char err[256];
        br_lockstep *ls = br_lockstep_new(&env, err, sizeof err);
        br_gen *g = br_gen_new(given);
        uint64_t st = seed;
        br_choice c;
        br_choice_prng(&c, &st);
        json_t *seq = json_array();
        br_divergence d = {0};
        int rc = 0;
        for (int i = 0; i < 400 && rc == 0; i++) {
            json_t *step = br_gen_next(g, &c);
            json_t *concrete = json_deep_copy(step);
            br_lockstep_symbolize(ls, step);
            json_array_append_new(seq, step);
            rc = br_lockstep_step(ls, step, i + 1, &d, NULL);
            const br_response *res = br_lockstep_oracle_answer(ls);
            if (res) br_gen_observe(g, concrete, res->status, res->body);
            json_decref(concrete);
        }
        br_lockstep_free(ls);
        br_gen_free(g);
        if (rc == 1 && d.step >= 100) {
            while (json_array_size(seq) > (size_t)d.step)
                json_array_remove(seq, json_array_size(seq) - 1);
            while (json_array_size(seq) > 100) /* keep the last 100 steps' tail by dropping */
                json_array_remove(seq, 0);     /* early steps: it must still diverge */
            br_divergence d2 = {0};
            json_t *copy = json_deep_copy(seq);
            int again = br_fuzz_play(&env, copy, &d2);
            json_decref(copy);
            if (again == 1 && d2.kind == d.kind) {
                double t0 = now_s();
                br_shrink_stats stats = {0};
                json_t *small = br_shrink(&env, seq, &d2, 0, &stats);
                double took = now_s() - t0;
                printf("{\"bench\": \"shrink\", \"mutant\": \"%s\", \"seed\": %llu, \"from\": %zu, "
                       "\"to\": %zu, \"plays\": %u, \"seconds\": %.3f, \"target_seconds\": 10}\n",
                       rule, (unsigned long long)seed, (size_t)d2.step, stats.to, stats.plays,
                       took);
                json_decref(small);
                br_divergence_clear(&d2);
                br_divergence_clear(&d);
                json_decref(seq);
                json_decref(given);
                t->close(t);
                return took < 10 ? 0 : 1;
            }
            br_divergence_clear(&d2);
        }
        br_divergence_clear(&d);
        json_decref(seq);
    }
    fprintf(stderr, "bench_shrink: no seed gives a 100-step divergence\n");
    json_decref(given);
    t->close(t);
    return 2;
}
