/* SEC-BAD-INPUT, one test each: the Zilliz error envelope, a 4xx, a clear message, and no
 * change to the world. */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>

static void expect_refused(const char *method, const char *path, const char *body, size_t len,
                           int status, const char *words)
{
    br_world *w = test_world();
    uint64_t before = br_world_digest(w);
    br_response res;
    assert_int_equal(test_send(w, method, path, "owner", body, len, &res), BR_OK);
    assert_int_equal(res.status, status);
    assert_true(res.error);
    assert_int_not_equal(body_code(&res), 0);
    const char *msg = json_string_value(json_object_get(res.body, "message"));
    assert_non_null(msg);
    if (words && !strstr(msg, words))
        fail_msg("message \"%s\" does not mention \"%s\"", msg, words);
    assert_true(br_ruleset_has(&res.rules, BR_RULE_SEC_BAD_INPUT));
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
    br_world_free(w);
}

#define CREATE "/v2/clusters/in01-a/backups/create"
#define RESTORE "/v2/clusters/in01-a/backups/backup1_x/restoreCluster"

static void malformed_json(void **s)
{
    const char *b = "{\"backupType\": ";
    expect_refused("POST", CREATE, b, strlen(b), 400, "malformed JSON");
}

static void wrong_type(void **s)
{
    const char *b = "{\"backupType\": 12}";
    expect_refused("POST", CREATE, b, strlen(b), 400, "backupType");
}

static void unknown_enum(void **s)
{
    const char *b = "{\"backupType\": \"DATABASE\"}";
    expect_refused("POST", CREATE, b, strlen(b), 400, "CLUSTER or COLLECTION");
}

static void missing_required(void **s)
{
    const char *b = "{\"projectId\":\"proj-1\",\"cuSize\":1}";
    expect_refused("POST", RESTORE, b, strlen(b), 400, "clusterName");
}

static void out_of_range(void **s)
{
    const char *b = "{\"projectId\":\"proj-1\",\"clusterName\":\"n\",\"cuSize\":1000}";
    expect_refused("POST", RESTORE, b, strlen(b), 400, "cuSize");
}

static void body_over_limit(void **s)
{
    size_t n = 1024 * 1024 + 100;
    char *b = malloc(n);
    memset(b, ' ', n);
    memcpy(b, "{\"backupType\":\"CLUSTER\"}", 24);
    expect_refused("POST", CREATE, b, n, 413, "1 MiB");
    free(b);
}

static void nesting_10000_deep(void **s)
{
    size_t n = 10000;
    char *b = malloc(n * 2 + 1);
    for (size_t i = 0; i < n; i++) {
        b[i] = '[';
        b[n + i] = ']';
    }
    b[2 * n] = '\0';
    expect_refused("POST", CREATE, b, 2 * n, 400, "depth");
    free(b);
}

static void invalid_utf8(void **s)
{
    const char b[] = "{\"backupType\":\"CL\xc3\x28USTER\"}";
    expect_refused("POST", CREATE, b, sizeof b - 1, 400, "UTF-8");
}

static void unknown_path_and_method(void **s)
{
    expect_refused("GET", "/v2/nothing", NULL, 0, 404, NULL);
    expect_refused("PATCH", CREATE, NULL, 0, 405, NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(malformed_json),
        cmocka_unit_test(wrong_type),
        cmocka_unit_test(unknown_enum),
        cmocka_unit_test(missing_required),
        cmocka_unit_test(out_of_range),
        cmocka_unit_test(body_over_limit),
        cmocka_unit_test(nesting_10000_deep),
        cmocka_unit_test(invalid_utf8),
        cmocka_unit_test(unknown_path_and_method),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
