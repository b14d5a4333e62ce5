/* Unit tests of the CockroachDB Cloud guards: each refusal answers the {code, message,
 * details} shape with the gRPC code matching the HTTP status, and changes nothing. */
#include "test_support.h"

#include <stdio.h>

#define ADV "/api/v1/clusters/22222222-2222-4222-8222-222222222222"

static br_world *crdb_world(void)
{
    json_t *fx =
        json_load_file(BR_SOURCE_DIR "/fixtures/cockroach/cc-new-db-one-refused.json", 0, NULL);
    assert_non_null(fx);
    br_world *w = br_world_new(json_object_get(fx, "given"), NULL, 0);
    json_decref(fx);
    assert_non_null(w);
    return w;
}

/* Sends with a Cc-Version header when 'version' is not NULL. */
static int send_crdb(br_world *w, const char *method, const char *path, const char *key,
                     const char *version, const char *body, br_response *res)
{
    char auth[128];
    snprintf(auth, sizeof auth, "Bearer %s", key);
    br_header h[2] = {{"Authorization", auth}, {"Cc-Version", version}};
    br_request req = {.method = method,
                      .path = path,
                      .headers = h,
                      .n_headers = version ? 2 : 1,
                      .body = body,
                      .body_len = body ? strlen(body) : 0,
                      .caller_ip = "127.0.0.1"};
    return br_world_handle(w, &req, res);
}

static void refused(const char *key, const char *version, const char *body, int status,
                    br_rule rule, const char *words)
{
    br_world *w = crdb_world();
    uint64_t before = br_world_digest(w);
    br_response res;
    assert_int_equal(send_crdb(w, "POST", ADV "/restores", key, version, body, &res), BR_OK);
    assert_int_equal(res.status, status);
    assert_true(res.error);
    assert_true(json_is_integer(json_object_get(res.body, "code")));
    assert_true(json_is_array(json_object_get(res.body, "details")));
    const char *msg = json_string_value(json_object_get(res.body, "message"));
    assert_non_null(msg);
    if (words && !strstr(msg, words)) fail_msg("message \"%s\" lacks \"%s\"", msg, words);
    if (rule != BR_RULE_COUNT) assert_true(br_ruleset_has(&res.rules, rule));
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
    br_world_free(w);
}

static void new_db_name_one_database(void **s)
{
    refused("admin-key", NULL,
            "{\"type\":\"DATABASE\",\"objects\":[{\"database\":\"tpcc\"},{\"database\":\"movr\"}],"
            "\"restore_opts\":{\"new_db_name\":\"both\"}}",
            400, BR_RULE_CC_NEW_DB_ONE,
            "new_db_name can only be used for RESTORE DATABASE with a single target database");
}

static void database_already_exists(void **s)
{
    refused("admin-key", NULL, "{\"type\":\"DATABASE\",\"objects\":[{\"database\":\"tpcc\"}]}", 409,
            BR_RULE_CC_DB_EXISTS, "already exists");
}

static void restore_type_required(void **s)
{
    refused("admin-key", NULL, "{\"objects\":[{\"database\":\"tpcc\"}]}", 400,
            BR_RULE_CC_RESTORE_TYPE, NULL);
    refused("admin-key", NULL, "{\"type\":\"SCHEMA\"}", 400, BR_RULE_COUNT, NULL);
}

static void role_needed(void **s)
{
    refused("developer-key", NULL, "{\"type\":\"CLUSTER\"}", 403, BR_RULE_CC_ROLE, NULL);
}

static void invalid_cc_version(void **s)
{
    refused("admin-key", "yesterday", "{\"type\":\"CLUSTER\"}", 400, BR_RULE_COUNT, NULL);
}

static void unknown_key(void **s)
{
    refused("no-such-key", NULL, "{\"type\":\"CLUSTER\"}", 401, BR_RULE_SEC_AUTH, NULL);
}

/* A bad escape before a byte that is not UTF-8: the parser's message quotes the byte; the
 * answer's message holds it as '?' (before: the model failed, out of memory). */
static void bad_escape_not_utf8(void **s)
{
    refused("admin-key", NULL, "{\"r\\\xc8\x91]xa14}", 400, BR_RULE_SEC_BAD_INPUT,
            "malformed JSON body");
}

static void valid_version_accepted(void **s)
{
    br_world *w = crdb_world();
    br_response res;
    assert_int_equal(send_crdb(w, "GET", ADV "/restores", "admin-key", "2024-09-16", NULL, &res),
                     BR_OK);
    assert_int_equal(res.status, 200);
    assert_false(res.error);
    br_response_clear(&res);
    br_world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(new_db_name_one_database),
        cmocka_unit_test(database_already_exists),
        cmocka_unit_test(restore_type_required),
        cmocka_unit_test(role_needed),
        cmocka_unit_test(bad_escape_not_utf8),
        cmocka_unit_test(invalid_cc_version),
        cmocka_unit_test(unknown_key),
        cmocka_unit_test(valid_version_accepted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
