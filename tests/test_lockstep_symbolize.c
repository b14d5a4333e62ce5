/* Unit test of br_lockstep_symbolize (conformance/fuzz_run.h): in a step written to a fixture,
 * every id an earlier answer made up becomes ${name}, in the path, in every string value of
 * the body however it is nested, and as the first label of a Host header (a Zilliz cluster's
 * own endpoint), and nothing else changes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fuzz_run.h"

/* Plays generated steps in lockstep (as brcheck fuzz does) until one names, in its path, an id
 * an earlier answer made up; its concrete and symbolic segments are copied out. */
static br_lockstep *bind_an_id(br_fuzz_env *env, char *id, char *ref, size_t len)
{
    char err[256];
    br_lockstep *ls = br_lockstep_new(env, err, sizeof err);
    assert_non_null(ls);
    br_gen *g = br_gen_new(env->given);
    uint64_t state = 11;
    br_choice c;
    br_choice_prng(&c, &state);
    br_divergence d = {0};
    for (int i = 0; i < 2000; i++) {
        json_t *step = br_gen_next(g, &c);
        json_t *concrete = json_deep_copy(step);
        br_lockstep_symbolize(ls, step);
        const char *was =
            json_string_value(json_object_get(json_object_get(concrete, "request"), "path"));
        const char *is =
            json_string_value(json_object_get(json_object_get(step, "request"), "path"));
        const char *at = is ? strstr(is, "${") : NULL;
        if (at && strchr(at, '}')) {
            size_t pre = (size_t)(at - is), n = (size_t)(strchr(at, '}') + 1 - at);
            snprintf(ref, len, "%.*s", (int)n, at);
            size_t idn = strcspn(was + pre, "/?&");
            snprintf(id, len, "%.*s", (int)idn, was + pre);
            json_decref(step);
            json_decref(concrete);
            br_gen_free(g);
            br_divergence_clear(&d);
            return ls;
        }
        assert_int_equal(br_lockstep_step(ls, step, i + 1, &d, NULL), 0);
        const br_response *res = br_lockstep_oracle_answer(ls);
        if (res) br_gen_observe(g, concrete, res->status, res->body);
        json_decref(step);
        json_decref(concrete);
    }
    fail_msg("2000 generated steps never named an id an answer made up");
    return NULL;
}

static json_t *nest(json_t *v, int levels)
{
    for (int i = 0; i < levels; i++)
        v = json_pack("[o]", v);
    return v;
}

static void body_ids_become_names(void **state)
{
    (void)state;
    json_t *given = br_gen_default_world();
    br_target *t = br_model_target_new(BR_RULE_COUNT);
    br_fuzz_env env = {.target = t, .given = given, .strict = true};
    char id[128], ref[128];
    br_lockstep *ls = bind_an_id(&env, id, ref, sizeof id);
    assert_true(strlen(id) > 0 && strncmp(ref, "${", 2) == 0);

    /* 100 sibling objects (more than any fixed stack of pending values), arrays, a nesting of
     * 20 levels, and values that merely contain the id or are not strings */
    json_t *wide = json_object();
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%03d", i);
        json_object_set_new(wide, k, json_pack("{s:s}", "id", id));
    }
    char longer[300];
    snprintf(longer, sizeof longer, "%s-x", id);
    json_t *body =
        json_pack("{s:s, s:[s,s,i], s:o, s:o, s:s, s:b}", "c", id, "list", id, "other", 5, "wide",
                  wide, "deep", nest(json_string(id), 20), "near", longer, "flag", 1);
    json_t *step =
        json_pack("{s:{s:s,s:s,s:O}}", "request", "method", "POST", "path", "/v2/x", "body", body);
    br_lockstep_symbolize(ls, step);
    json_t *got = json_object_get(json_object_get(step, "request"), "body");

    json_t *want_wide = json_object();
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%03d", i);
        json_object_set_new(want_wide, k, json_pack("{s:s}", "id", ref));
    }
    json_t *want =
        json_pack("{s:s, s:[s,s,i], s:o, s:o, s:s, s:b}", "c", ref, "list", ref, "other", 5, "wide",
                  want_wide, "deep", nest(json_string(ref), 20), "near", longer, "flag", 1);
    char *g = json_dumps(got, JSON_SORT_KEYS), *w = json_dumps(want, JSON_SORT_KEYS);
    assert_string_equal(g, w);
    free(g);
    free(w);
    json_decref(want);
    json_decref(step);
    json_decref(body);
    br_lockstep_free(ls);
    t->close(t);
    json_decref(given);
}

/* A Zilliz data-plane read names its cluster in the Host header: a made-up cluster id there
 * becomes ${name} (else a fixture shrunk from it breaks when an earlier step goes and the ids
 * shift), with the rest of the host kept; a host whose first label is no bound id, or that
 * merely starts with one, is left alone, and so are other headers. */
static void host_label_becomes_name(void **state)
{
    (void)state;
    json_t *given = br_gen_default_world();
    br_target *t = br_model_target_new(BR_RULE_COUNT);
    br_fuzz_env env = {.target = t, .given = given, .strict = true};
    char id[128], ref[128];
    br_lockstep *ls = bind_an_id(&env, id, ref, sizeof id);
    char host[300], port[300], near[300], want_host[300], want_port[300];
    snprintf(host, sizeof host, "%s.localhost", id);
    snprintf(port, sizeof port, "%s:8080", id);
    snprintf(near, sizeof near, "%sx.localhost", id);
    snprintf(want_host, sizeof want_host, "%s.localhost", ref);
    snprintf(want_port, sizeof want_port, "%s:8080", ref);
    const char *cases[][2] = {{host, want_host},
                              {port, want_port},
                              {near, near},
                              {"in01-unbound.localhost", "in01-unbound.localhost"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        json_t *step = json_pack("{s:{s:s,s:s,s:{s:s,s:s}}}", "request", "method", "POST", "path",
                                 "/v2/vectordb/collections/list", "headers", "Host", cases[i][0],
                                 "X-Other", id);
        br_lockstep_symbolize(ls, step);
        json_t *h = json_object_get(json_object_get(step, "request"), "headers");
        assert_string_equal(json_string_value(json_object_get(h, "Host")), cases[i][1]);
        assert_string_equal(json_string_value(json_object_get(h, "X-Other")), id);
        json_decref(step);
    }
    br_lockstep_free(ls);
    t->close(t);
    json_decref(given);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(body_ids_become_names),
                                       cmocka_unit_test(host_label_becomes_name)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
