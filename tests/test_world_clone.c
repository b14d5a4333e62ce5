/* Unit tests of br_world_clone and br_gen_clone: a copy taken in the middle of a generated
 * run answers the rest of it exactly as the original does, is independent of it, and
 * under allocation failure is either whole or NULL (the sanitizer build checks leaks,
 * double releases of shared snapshots and reads after the original is freed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "runner.h"

static br_vendor vendor_of(const char *path)
{
    if (strncmp(path, "/v2/", 4) == 0) return BR_VENDOR_ZILLIZ;
    if (strncmp(path, "/api/v1/", 8) == 0) return BR_VENDOR_CRDB;
    return BR_VENDOR_ATLAS;
}

/* Plays one generated step; the answer's status and text (or the advance/sim result) are
 * appended to 'trace'. */
static void play(br_world *w, br_gen *g, const json_t *step, json_t *trace)
{
    const json_t *request = json_object_get(step, "request");
    if (request) {
        const char *path = json_string_value(json_object_get(request, "path"));
        char why[128];
        br_built *b = br_step_build(request, vendor_of(path), why, sizeof why);
        assert_non_null(b);
        br_response res;
        assert_int_equal(br_world_handle(w, br_built_request(b), &res), BR_OK);
        char *text = br_response_text(&res);
        assert_non_null(text);
        json_array_append_new(trace, json_pack("[i,s]", res.status, text));
        br_gen_observe(g, step, res.status, res.body);
        free(text);
        br_response_clear(&res);
        br_built_free(b);
    } else if (json_object_get(step, "advance")) {
        json_int_t s = json_integer_value(json_object_get(step, "advance"));
        json_array_append_new(trace, json_integer(br_world_advance(w, (br_time)s)));
    } else {
        json_array_append_new(trace, json_integer(br_world_sim(w, json_object_get(step, "sim"))));
    }
}

/* n steps chosen from *state on (w, g); the steps and the trace of answers. */
static void run(br_world *w, br_gen *g, uint64_t *state, int n, json_t *steps, json_t *trace)
{
    br_choice c;
    br_choice_prng(&c, state);
    for (int i = 0; i < n; i++) {
        json_t *step = br_gen_next(g, &c);
        assert_non_null(step);
        play(w, g, step, trace);
        json_array_append_new(steps, step);
    }
}

static void assert_same_world(const br_world *a, const br_world *b)
{
    json_t *da = br_world_dump(a), *db = br_world_dump(b);
    assert_non_null(da);
    assert_non_null(db);
    assert_true(json_equal(da, db));
    assert_true(br_world_digest(a) == br_world_digest(b));
    json_decref(da);
    json_decref(db);
}

/* A world after 'n' generated steps of 'seed', with its generator. */
static br_world *grown(uint64_t seed, int n, br_gen **g, json_t **given)
{
    *given = br_gen_default_world();
    br_world *w = br_world_new(*given, NULL, 0);
    assert_non_null(w);
    *g = br_gen_new(*given);
    assert_non_null(*g);
    json_t *steps = json_array(), *trace = json_array();
    run(w, *g, &seed, n, steps, trace);
    json_decref(steps);
    json_decref(trace);
    return w;
}

static void clone_goes_on_as_the_original(void **state)
{
    (void)state;
    for (uint64_t seed = 1; seed <= 6; seed++) {
        json_t *given;
        br_gen *g;
        br_world *w = grown(seed, 120, &g, &given);
        br_world *c = br_world_clone(w);
        br_gen *gc = br_gen_clone(g);
        assert_non_null(c);
        assert_non_null(gc);
        assert_same_world(w, c);
        /* the same next steps, chosen from the same state, get the same answers */
        uint64_t s1 = seed * 1000, s2 = seed * 1000;
        json_t *steps1 = json_array(), *trace1 = json_array();
        json_t *steps2 = json_array(), *trace2 = json_array();
        run(w, g, &s1, 150, steps1, trace1);
        run(c, gc, &s2, 150, steps2, trace2);
        assert_true(json_equal(steps1, steps2));
        assert_true(json_equal(trace1, trace2));
        assert_same_world(w, c);
        assert_int_equal(br_world_check(w, NULL, NULL, 0), br_world_check(c, NULL, NULL, 0));
        /* the copy outlives the original (shared snapshots keep their holders) */
        br_world_free(w);
        br_gen_free(g);
        assert_int_equal(br_world_advance(c, 40 * 86400), BR_OK);
        json_t *dump = br_world_dump(c);
        assert_non_null(dump);
        json_decref(dump);
        json_decref(steps1);
        json_decref(trace1);
        json_decref(steps2);
        json_decref(trace2);
        br_world_free(c);
        br_gen_free(gc);
        json_decref(given);
    }
}

static void clone_is_independent(void **state)
{
    (void)state;
    json_t *given;
    br_gen *g;
    br_world *w = grown(3, 100, &g, &given);
    json_t *before = br_world_dump(w);
    uint64_t digest = br_world_digest(w);
    br_world *c = br_world_clone(w);
    assert_non_null(c);
    /* writes, a drop and a month on the copy leave the original as it was */
    json_t *clusters = json_object_get(before, "clusters");
    const char *id;
    json_t *v;
    int writes = 0;
    json_object_foreach(clusters, id, v)
    {
        if (writes < 6 && br_world_write(c, id, "default", "", "fresh") == BR_OK) writes++;
    }
    assert_int_equal(writes, 6);
    assert_int_equal(br_world_advance(c, 30 * 86400), BR_OK);
    assert_true(br_world_digest(c) != digest);
    assert_true(br_world_digest(w) == digest);
    json_t *after = br_world_dump(w);
    assert_true(json_equal(before, after));
    json_decref(after);
    /* and the other way round */
    uint64_t cd = br_world_digest(c);
    assert_int_equal(br_world_advance(w, 7 * 86400), BR_OK);
    assert_true(br_world_digest(c) == cd);
    json_decref(before);
    br_world_free(c);
    br_world_free(w);
    br_gen_free(g);
    json_decref(given);
}

/* For every n, the n-th allocation of the copy fails: the copy is NULL (nothing leaked,
 * nothing of the original released) or whole; the original is untouched either way. */
static void clone_under_allocation_failure(void **state)
{
    (void)state;
    json_t *given;
    br_gen *g;
    br_world *w = grown(5, 150, &g, &given);
    json_t *dump = br_world_dump(w);
    uint64_t digest = br_world_digest(w);
    unsigned long n;
    int nulls = 0;
    for (n = 1; n < 10000; n++) {
        br_alloc_fail_after(n);
        br_world *c = br_world_clone(w);
        unsigned long failed = br_alloc_failures();
        br_alloc_fail_after(0);
        if (c) {
            assert_same_world(w, c);
            br_world_free(c);
        } else {
            assert_true(failed > 0);
            nulls++;
        }
        assert_true(br_world_digest(w) == digest);
        if (failed == 0) break; /* the copy did not reach allocation n */
    }
    assert_true(nulls > 5);
    json_t *again = br_world_dump(w);
    assert_true(json_equal(dump, again));
    json_decref(again);
    json_decref(dump);
    br_world_free(w);
    br_gen_free(g);
    json_decref(given);
}

static void generator_copy_chooses_the_same(void **state)
{
    (void)state;
    json_t *given;
    br_gen *g;
    br_world *w = grown(9, 80, &g, &given);
    br_gen *gc = br_gen_clone(g);
    assert_non_null(gc);
    uint64_t s1 = 42, s2 = 42;
    br_choice c1, c2;
    br_choice_prng(&c1, &s1);
    br_choice_prng(&c2, &s2);
    for (int i = 0; i < 200; i++) {
        json_t *a = br_gen_next(g, &c1), *b = br_gen_next(gc, &c2);
        assert_true(json_equal(a, b));
        json_decref(a);
        json_decref(b);
    }
    br_gen_free(g);
    br_gen_free(gc);
    br_world_free(w);
    json_decref(given);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clone_goes_on_as_the_original),
        cmocka_unit_test(clone_is_independent),
        cmocka_unit_test(clone_under_allocation_failure),
        cmocka_unit_test(generator_copy_chooses_the_same),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
