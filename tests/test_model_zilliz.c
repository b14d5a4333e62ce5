/* Unit tests of the model's transitions and guards (Zilliz dialect, job engine, clock). */
#include "test_support.h"

#include <stdio.h>

static void backup_life(void **state)
{
    br_world *w = test_world();
    br_response res;
    const char *body = "{\"backupType\":\"CLUSTER\"}";
    assert_int_equal(test_send(w, "POST", "/v2/clusters/in01-a/backups/create", "owner", body,
                               strlen(body), &res),
                     BR_OK);
    assert_int_equal(res.status, 200);
    assert_int_equal(body_code(&res), 0);
    assert_true(br_ruleset_has(&res.rules, BR_RULE_ZC_BACKUP_LIFE));
    char id[64], path[128];
    snprintf(id, sizeof id, "%s",
             json_string_value(json_object_get(json_object_get(res.body, "data"), "backupId")));
    br_response_clear(&res);
    snprintf(path, sizeof path, "/v2/clusters/in01-a/backups/%s", id);
    test_send(w, "GET", path, "owner", NULL, 0, &res);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res.body, "data"), "status")),
        "CREATING");
    br_response_clear(&res);
    assert_int_equal(br_world_advance(w, 60 + 300), BR_OK);
    test_send(w, "GET", path, "owner", NULL, 0, &res);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res.body, "data"), "status")),
        "AVAILABLE");
    br_response_clear(&res);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
}

static void refusal_changes_nothing(br_world *w, const char *method, const char *path,
                                    const char *key, const char *body, size_t len, int status)
{
    uint64_t before = br_world_digest(w);
    br_response res;
    assert_int_equal(test_send(w, method, path, key, body, len, &res), BR_OK);
    assert_int_equal(res.status, status);
    assert_true(res.error);
    assert_true(json_is_string(json_object_get(res.body, "message")));
    assert_int_not_equal(body_code(&res), 0);
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
}

static void tier_guard(void **state)
{
    br_world *w = test_world();
    const char *body = "{\"backupType\":\"CLUSTER\"}";
    refusal_changes_nothing(w, "POST", "/v2/clusters/in01-free/backups/create", "owner", body,
                            strlen(body), 200);
    br_world_free(w);
}

static void role_guard(void **state)
{
    br_world *w = test_world();
    const char *body = "{\"backupType\":\"CLUSTER\"}";
    refusal_changes_nothing(w, "POST", "/v2/clusters/in01-a/backups/create", "reader", body,
                            strlen(body), 200);
    br_world_free(w);
}

static void auth_guard(void **state)
{
    br_world *w = test_world();
    refusal_changes_nothing(w, "GET", "/v2/backups", NULL, NULL, 0, 401);
    refusal_changes_nothing(w, "GET", "/v2/backups", "wrong", NULL, 0, 401);
    br_world_free(w);
}

static void restore_available_guard_and_mutant(void **state)
{
    br_world *w = test_world();
    const char *body = "{\"projectId\":\"proj-1\",\"clusterName\":\"r\",\"cuSize\":1}";
    refusal_changes_nothing(w, "POST", "/v2/clusters/in01-a/backups/backup2_y/restoreCluster",
                            "owner", body, strlen(body), 200);
    /* The mutant without ZC-RESTORE-AVAILABLE lets a CREATING backup restore. */
    br_world_set_mutant(w, BR_RULE_ZC_RESTORE_AVAILABLE);
    br_response res;
    test_send(w, "POST", "/v2/clusters/in01-a/backups/backup2_y/restoreCluster", "owner", body,
              strlen(body), &res);
    assert_int_equal(body_code(&res), 0);
    br_response_clear(&res);
    br_world_free(w);
}

/* ZC-CREATE-TYPE's mutant takes a create without backupType (it crashed the model once):
 * the backup is made as a CLUSTER backup; the faithful model refuses and changes nothing. */
static void create_type_guard_and_mutant(void **state)
{
    br_world *w = test_world();
    refusal_changes_nothing(w, "POST", "/v2/clusters/in01-a/backups/create", "owner", "{}", 2, 400);
    br_world_set_mutant(w, BR_RULE_ZC_CREATE_TYPE);
    static const char *const bodies[] = {"{}", "{\"backupType\":\"NOPE\"}"};
    for (size_t i = 0; i < 2; i++) {
        br_response res;
        assert_int_equal(test_send(w, "POST", "/v2/clusters/in01-a/backups/create", "owner",
                                   bodies[i], strlen(bodies[i]), &res),
                         BR_OK);
        assert_int_equal(body_code(&res), 0);
        br_response_clear(&res);
        br_world_advance(w, 3600); /* let the job finish: one at a time */
    }
    br_world_free(w);
}

static void clock_and_ids_are_deterministic(void **state)
{
    br_world *a = test_world(), *b = test_world();
    const char *body = "{\"backupType\":\"CLUSTER\"}";
    br_response ra, rb;
    test_send(a, "POST", "/v2/clusters/in01-a/backups/create", "owner", body, strlen(body), &ra);
    test_send(b, "POST", "/v2/clusters/in01-a/backups/create", "owner", body, strlen(body), &rb);
    char *ta = br_response_text(&ra), *tb = br_response_text(&rb);
    assert_string_equal(ta, tb);
    free(ta);
    free(tb);
    br_response_clear(&ra);
    br_response_clear(&rb);
    assert_true(br_world_digest(a) == br_world_digest(b));
    assert_int_equal(br_world_advance(a, -1), BR_EINVAL);
    br_world_free(a);
    br_world_free(b);
}

static void bad_world_is_refused(void **state)
{
    char err[128] = "";
    json_t *g = json_loads("{\"clusters\":[{\"id\":\"x\",\"project\":\"nope\"}]}", 0, NULL);
    assert_null(br_world_new(g, err, sizeof err));
    assert_non_null(strstr(err, "project"));
    json_decref(g);
    g = json_loads("{\"bogus\":1}", 0, NULL);
    assert_null(br_world_new(g, err, sizeof err));
    json_decref(g);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backup_life),
        cmocka_unit_test(tier_guard),
        cmocka_unit_test(role_guard),
        cmocka_unit_test(auth_guard),
        cmocka_unit_test(restore_available_guard_and_mutant),
        cmocka_unit_test(create_type_guard_and_mutant),
        cmocka_unit_test(clock_and_ids_are_deterministic),
        cmocka_unit_test(bad_world_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
