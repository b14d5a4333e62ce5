/* The allocation-failure loop over recorded scenarios of every vendor: each fixture's
 * requests (expectations ignored) are replayed with the n-th allocation failing, for every
 * n; the model answers BR_ENOMEM or normally, never crashes, never leaks (ASan build). */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>

static const char *const fixtures[] = {
    "zilliz/zc-seed-000-restore-collection.json",
    "cockroach/cc-seed-003-restore-database-new-name.json",
    "cockroach/cc-backup-config.json",
    "atlas/ma-seed-004-create-restore-job.json",
    "atlas/ma-v2-restore-and-download.json",
};

/* Replays the requests of 'steps'; returns the number of BR_ENOMEM answers. */
static int replay(br_world *w, const json_t *steps, bool atlas, char *const *bodies)
{
    int enomem = 0;
    size_t i;
    json_t *step;
    json_array_foreach(steps, i, step)
    {
        json_t *r = json_object_get(step, "request");
        if (!r && json_object_get(step, "await"))
            r = json_object_get(json_object_get(step, "await"), "request");
        if (!r) {
            int rc = br_world_advance(w, 1800);
            assert_true(rc == BR_OK || rc == BR_ENOMEM);
            continue;
        }
        char path[512], auth[160];
        snprintf(path, sizeof path, "%s", json_string_value(json_object_get(r, "path")));
        char *q = strchr(path, '?');
        if (q) *q++ = '\0';
        const char *key = json_string_value(json_object_get(r, "key"));
        br_header h[8];
        size_t nh = 0;
        const char *hk;
        json_t *hv;
        json_object_foreach(json_object_get(r, "headers"), hk, hv)
        {
            if (nh < 6 && json_is_string(hv)) h[nh++] = (br_header){hk, json_string_value(hv)};
        }
        if (key && !atlas) {
            snprintf(auth, sizeof auth, "Bearer %s", key);
            h[nh++] = (br_header){"Authorization", auth};
        }
        const char *body = json_string_value(json_object_get(r, "bodyRaw"));
        if (!body) body = bodies[i];
        br_request req = {.method = json_string_value(json_object_get(r, "method")),
                          .path = path,
                          .query = q,
                          .headers = h,
                          .n_headers = nh,
                          .body = body,
                          .body_len = body ? strlen(body) : 0,
                          .caller_ip = "127.0.0.1",
                          .principal = atlas ? key : NULL};
        br_response res;
        int rc = br_world_handle(w, &req, &res);
        assert_true(rc == BR_OK || rc == BR_ENOMEM);
        if (rc == BR_ENOMEM) {
            assert_null(res.body);
            enomem++;
        }
        br_response_clear(&res);
    }
    return enomem;
}

static void every_allocation_may_fail(void **state)
{
    for (size_t f = 0; f < sizeof fixtures / sizeof *fixtures; f++) {
        char file[1024];
        snprintf(file, sizeof file, "%s/fixtures/%s", BR_SOURCE_DIR, fixtures[f]);
        json_t *fx = json_load_file(file, 0, NULL);
        assert_non_null(fx);
        bool atlas = strstr(fixtures[f], "atlas/") != NULL;
        /* Request bodies as text, made before any allocation is made to fail. */
        const json_t *steps = json_object_get(fx, "steps");
        char **bodies = calloc(json_array_size(steps) + 1, sizeof *bodies);
        for (size_t i = 0; i < json_array_size(steps); i++) {
            const json_t *st = json_array_get(steps, i);
            const json_t *r = json_object_get(st, "request");
            if (!r) r = json_object_get(json_object_get(st, "await"), "request");
            if (json_object_get(r, "body"))
                bodies[i] = json_dumps(json_object_get(r, "body"), JSON_COMPACT);
        }
        unsigned long n;
        int enomem = 0;
        for (n = 1; n < 200000; n++) {
            br_alloc_fail_after(n);
            br_world *w = br_world_new(json_object_get(fx, "given"), NULL, 0);
            if (w) {
                enomem += replay(w, steps, atlas, bodies);
                br_world_check(w, NULL, NULL, 0);
            }
            unsigned long failed = br_alloc_failures();
            br_alloc_fail_after(0);
            br_world_free(w);
            if (failed == 0 && w) break;
        }
        printf("%s: %lu allocation-failure points, %d BR_ENOMEM answers\n", fixtures[f], n - 1,
               enomem);
        assert_true(n > 20);
        for (size_t i = 0; i < json_array_size(steps); i++)
            free(bodies[i]);
        free(bodies);
        json_decref(fx);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(every_allocation_may_fail)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
