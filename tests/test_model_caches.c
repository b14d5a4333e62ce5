/* Unit tests of br_world_reset_caches: the caches nothing observes (list views, id indexes)
 * are put in the state the world alone gives, whatever the requests before left in them,
 * and the world's answers and digest do not change. The fuzzing harnesses that keep one
 * world across inputs rely on it for AFL++ stability. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "world.h"

static const char world_text[] =
    "{\"clock\": \"2024-08-26T00:00:00Z\", \"seed\": 11, \"keys\": [{\"key\": \"k\", \"org\": "
    "\"org-1\", \"roles\": [\"ORG_OWNER\"]}], \"orgs\": [{\"id\": \"org-1\", \"name\": \"A\","
    " \"vendor\": \"zilliz\", \"projects\": [{\"id\": \"proj-1\", \"name\": \"P\"}]}],"
    " \"clusters\": [{\"id\": \"in01-1\", \"name\": \"Dedicated-01\", \"project\": \"proj-1\","
    " \"plan\": \"Standard\", \"databases\": [{\"name\": \"default\", \"collections\": ["
    "{\"name\": \"books\", \"version\": 1}]}]},"
    " {\"id\": \"in01-2\", \"name\": \"Dedicated-02\", \"project\": \"proj-1\","
    " \"plan\": \"Standard\"}]}";

static br_response send(br_world *w, const char *method, const char *path, const char *query,
                        const char *body)
{
    br_header auth = {"Authorization", "Bearer k"};
    br_request req = {.method = method,
                      .path = path,
                      .query = query,
                      .headers = &auth,
                      .n_headers = 1,
                      .body = body,
                      .body_len = body ? strlen(body) : 0,
                      .caller_ip = "127.0.0.1"};
    br_response res;
    assert_int_equal(br_world_handle(w, &req, &res), BR_OK);
    return res;
}

static char *list_text(br_world *w, const char *cluster)
{
    char query[64];
    snprintf(query, sizeof query, "clusterId=%s", cluster);
    br_response res = send(w, "GET", "/v2/backups", query, NULL);
    assert_int_equal(res.status, 200);
    char *text = br_response_text(&res);
    assert_non_null(text);
    br_response_clear(&res);
    return text;
}

static br_world *world_with_backups(int n)
{
    json_t *given = json_loads(world_text, 0, NULL);
    assert_non_null(given);
    br_world *w = br_world_new(given, NULL, 0);
    json_decref(given);
    assert_non_null(w);
    for (int i = 0; i < n; i++) {
        br_response res = send(w, "POST",
                               i % 2 ? "/v2/clusters/in01-2/backups/create"
                                     : "/v2/clusters/in01-1/backups/create",
                               NULL, "{\"backupType\": \"CLUSTER\"}");
        assert_int_equal(res.status, 200);
        br_response_clear(&res);
    }
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    return w;
}

static void caches_as_the_world_alone_gives(void **state)
{
    (void)state;
    br_world *w = world_with_backups(4);
    /* the caches as a world that was only ever reset has them */
    br_world_reset_caches(w);
    size_t cap = w->ix_backups.cap, synced = w->ix_backups.synced;
    assert_int_equal(synced, w->n_backups);
    assert_null(w->views[BR_VIEW_ZC_BACKUPS].v);
    uint64_t digest = br_world_digest(w);
    char *one = list_text(w, "in01-1"), *two = list_text(w, "in01-2");

    /* what requests leave behind: a view for the cluster asked last, and an index grown for
     * objects that were then taken back (a creation that failed half-way) */
    assert_non_null(w->views[BR_VIEW_ZC_BACKUPS].v);
    size_t n = w->n_backups;
    for (int i = 0; i < 40; i++) {
        long b = br__world_add_backup(w);
        assert_true(b >= 0);
        snprintf(w->backups[b].id, sizeof w->backups[b].id, "backup-taken-back-%d", i);
        assert_int_equal(br__world_find_backup(w, w->backups[b].id), b);
    }
    assert_true(w->ix_backups.cap > cap);
    while (w->n_backups > n)
        br__world_unadd_backup(w);
    assert_true(br__world_find_backup(w, "backup-taken-back-0") < 0);
    assert_true(w->ix_backups.cap > cap); /* kept larger: probes would take other paths */

    br_world_reset_caches(w);
    assert_int_equal(w->ix_backups.cap, cap);
    assert_int_equal(w->ix_backups.synced, synced);
    for (int k = 0; k < BR_VIEW_COUNT; k++) {
        assert_null(w->views[k].v);
        assert_int_equal(w->views[k].epoch, 0);
    }
    /* nothing observable changed */
    assert_true(br_world_digest(w) == digest);
    char *one_after = list_text(w, "in01-1"), *two_after = list_text(w, "in01-2");
    assert_string_equal(one_after, one);
    assert_string_equal(two_after, two);
    br_rule rule;
    assert_int_equal(br_world_check(w, &rule, NULL, 0), 0);
    free(one), free(two), free(one_after), free(two_after);
    br_world_free(w);
}

/* Every look-up still finds what it found before the reset. */
static void look_ups_unchanged(void **state)
{
    (void)state;
    br_world *w = world_with_backups(6);
    for (size_t i = 0; i < w->n_backups; i++)
        assert_int_equal(br__world_find_backup(w, w->backups[i].id), (long)i);
    br_world_reset_caches(w);
    br_world_reset_caches(w); /* twice: the same */
    for (size_t i = 0; i < w->n_backups; i++)
        assert_int_equal(br__world_find_backup(w, w->backups[i].id), (long)i);
    for (size_t i = 0; i < w->n_jobs; i++)
        assert_int_equal(br__world_find_job(w, w->jobs[i].id), (long)i);
    assert_int_equal(br__world_find_cluster(w, "in01-2"), 1);
    assert_true(br__world_find_cluster(w, "in01-3") < 0);
    br_world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(caches_as_the_world_alone_gives),
        cmocka_unit_test(look_ups_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
