/* Unit tests of request-sequence generation (conformance/gen.h): determinism, byte sources
 * running dry, every generated request buildable, every endpoint of each vendor reached. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "gen.h"
#include "runner.h"

static json_t *sequence(uint64_t seed, int n)
{
    json_t *given = br_gen_default_world();
    br_gen *g = br_gen_new(given);
    uint64_t state = seed;
    br_choice c;
    br_choice_prng(&c, &state);
    json_t *out = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(out, br_gen_next(g, &c));
    br_gen_free(g);
    json_decref(given);
    return out;
}

static void same_seed_same_steps(void **state)
{
    json_t *a = sequence(7, 300), *b = sequence(7, 300), *c = sequence(8, 300);
    assert_true(json_equal(a, b));
    assert_false(json_equal(a, c));
    json_decref(a);
    json_decref(b);
    json_decref(c);
}

static void byte_source_runs_dry(void **state)
{
    static const uint8_t bytes[] = {3, 200, 17, 5, 99};
    br_choice_bytes_state s = {bytes, sizeof bytes, 0};
    br_choice c;
    br_choice_bytes(&c, &s);
    assert_int_equal(c.pick(&c, 10), 3);
    assert_false(c.exhausted);
    json_t *given = br_gen_default_world();
    br_gen *g = br_gen_new(given);
    for (int i = 0; i < 50; i++) { /* keeps producing valid steps on zeros */
        json_t *step = br_gen_next(g, &c);
        assert_non_null(step);
        json_decref(step);
    }
    assert_true(c.exhausted);
    assert_int_equal(s.pos, s.len);
    assert_int_equal(c.pick(&c, 10), 0);
    /* the same bytes give the same steps */
    br_choice_bytes_state s2 = {bytes, sizeof bytes, 0}, s3 = {bytes, sizeof bytes, 0};
    br_choice c2, c3;
    br_choice_bytes(&c2, &s2);
    br_choice_bytes(&c3, &s3);
    json_t *x = br_gen_next(g, &c2), *y = br_gen_next(g, &c3);
    assert_true(json_equal(x, y));
    json_decref(x);
    json_decref(y);
    br_gen_free(g);
    json_decref(given);
}

/* "/v2/clusters/in01-x/backups/b1/restoreCluster" -> "POST /v2/clusters/{}/backups/{}/..." */
static void route_of(const char *method, const char *path, char *out, size_t len)
{
    static const char *const fixed[] = {"v2",
                                        "clusters",
                                        "backups",
                                        "create",
                                        "policy",
                                        "restoreCluster",
                                        "restoreCollection",
                                        "export",
                                        "jobs",
                                        "api",
                                        "v1",
                                        "databases",
                                        "backups-config",
                                        "config",
                                        "restores",
                                        "atlas",
                                        "v1.0",
                                        "groups",
                                        "backup",
                                        "tenant",
                                        "restore",
                                        "snapshots",
                                        "download",
                                        NULL};
    size_t n = (size_t)snprintf(out, len, "%s ", method);
    char buf[1024];
    snprintf(buf, sizeof buf, "%s", path);
    char *q = strchr(buf, '?');
    if (q) *q = '\0';
    for (char *seg = strtok(buf, "/"); seg && n < len; seg = strtok(NULL, "/")) {
        bool known = false;
        for (size_t i = 0; fixed[i]; i++)
            known = known || strcmp(seg, fixed[i]) == 0;
        n += (size_t)snprintf(out + n, len - n, "/%s", known ? seg : "{}");
    }
}

static void every_request_builds_and_every_endpoint_is_reached(void **state)
{
    static const char *const routes[] = {
        "POST /v2/clusters/{}/backups/create",
        "GET /v2/backups",
        "GET /v2/clusters/{}/backups/policy",
        "POST /v2/clusters/{}/backups/policy",
        "GET /v2/clusters/{}/backups/{}",
        "DELETE /v2/clusters/{}/backups/{}",
        "POST /v2/clusters/{}/backups/{}/restoreCluster",
        "POST /v2/clusters/{}/backups/{}/restoreCollection",
        "POST /v2/clusters/{}/backups/{}/export",
        "GET /v2/jobs/{}",
        "GET /v2/clusters/{}",
        "GET /api/v1/clusters/{}",
        "GET /api/v1/clusters/{}/databases",
        "GET /api/v1/clusters/{}/backups",
        "GET /api/v1/clusters/{}/backups-config",
        "PATCH /api/v1/clusters/{}/backups-config",
        "GET /api/v1/clusters/{}/backups/config",
        "PUT /api/v1/clusters/{}/backups/config",
        "POST /api/v1/clusters/{}/restores",
        "GET /api/v1/clusters/{}/restores",
        "GET /api/v1/clusters/{}/restores/{}",
        "POST /api/atlas/v1.0/groups/{}/clusters/{}/backup/tenant/restore",
        "GET /api/atlas/v1.0/groups/{}/clusters/{}/backup/tenant/restores",
        "GET /api/atlas/v1.0/groups/{}/clusters/{}/backup/tenant/restores/{}",
        "GET /api/atlas/v1.0/groups/{}/clusters/{}/backup/tenant/snapshots",
        "GET /api/atlas/v1.0/groups/{}/clusters/{}/backup/tenant/snapshots/{}",
        "POST /api/atlas/v1.0/groups/{}/clusters/{}/backup/tenant/download",
        "GET /api/atlas/v1.0/groups/{}/clusters/{}",
        "POST /api/atlas/v2/groups/{}/clusters/{}/backup/tenant/restore",
        "GET /api/atlas/v2/groups/{}/clusters/{}",
        NULL};
    size_t n_routes = 0;
    while (routes[n_routes])
        n_routes++;
    bool *seen = calloc(n_routes, sizeof *seen);
    json_t *given = br_gen_default_world();
    br_gen *g = br_gen_new(given);
    br_world *w = br_world_new(given, NULL, 0);
    assert_non_null(w);
    uint64_t st = 1;
    br_choice c;
    br_choice_prng(&c, &st);
    int advances = 0, sims = 0;
    for (int i = 0; i < 3000; i++) {
        json_t *step = br_gen_next(g, &c);
        assert_non_null(step);
        json_t *req = json_object_get(step, "request");
        if (!req) {
            advances += json_object_get(step, "advance") != NULL;
            sims += json_object_get(step, "sim") != NULL;
            if (json_object_get(step, "advance"))
                br_world_advance(w, json_integer_value(json_object_get(step, "advance")));
            json_decref(step);
            continue;
        }
        char msg[256];
        const char *path = json_string_value(json_object_get(req, "path"));
        br_vendor v = strncmp(path, "/api/atlas/", 11) == 0 ? BR_VENDOR_ATLAS
                      : strncmp(path, "/api/v1/", 8) == 0   ? BR_VENDOR_CRDB
                                                            : BR_VENDOR_ZILLIZ;
        br_built *b = br_step_build(req, v, msg, sizeof msg);
        assert_non_null(b);
        br_response res;
        assert_int_equal(br_world_handle(w, br_built_request(b), &res), BR_OK);
        br_gen_observe(g, step, res.status, res.body);
        char route[512];
        route_of(json_string_value(json_object_get(req, "method")), path, route, sizeof route);
        for (size_t k = 0; k < n_routes; k++)
            if (strcmp(route, routes[k]) == 0) seen[k] = true;
        br_response_clear(&res);
        br_built_free(b);
        json_decref(step);
    }
    for (size_t k = 0; k < n_routes; k++)
        if (!seen[k]) fail_msg("never generated: %s", routes[k]);
    assert_true(advances > 0);
    assert_true(sims > 0);
    free(seen);
    br_world_free(w);
    br_gen_free(g);
    json_decref(given);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(same_seed_same_steps),
        cmocka_unit_test(byte_source_runs_dry),
        cmocka_unit_test(every_request_builds_and_every_endpoint_is_reached),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
