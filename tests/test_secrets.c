/* Unit test of SEC-SECRETS in matcher messages and the shared redaction (secrets.h): a
 * mismatch message shows a secret field as a report's actual answer does ("[REDACTED]"),
 * whether the value is the field itself or inside an object shown whole; a failed br_match
 * changes neither the answer nor the captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "matcher.h"
#include "secrets.h"

static const char answer_text[] = "{\"code\":0,\"data\":{\"username\":\"db_admin\","
                                  "\"password\":\"S3cr\",\"nested\":[{\"Token\":\"tok-9\"}]}}";

/* Matches 'expected' against the answer; the message must fail, hold 'shows' and no secret. */
static void mismatch(const char *expected, const char *shows)
{
    json_t *answer = json_loads(answer_text, 0, NULL);
    json_t *before = json_deep_copy(answer);
    json_t *want = json_loads(expected, 0, NULL);
    json_t *captures = json_object();
    assert_non_null(answer);
    assert_non_null(want);
    char msg[512] = "";
    assert_false(br_match(want, answer, captures, "$", msg, sizeof msg));
    if (!strstr(msg, shows)) fail_msg("message %s lacks %s", msg, shows);
    if (strstr(msg, "S3cr") || strstr(msg, "tok-9")) fail_msg("secret in message: %s", msg);
    assert_true(json_equal(answer, before));
    assert_int_equal(json_object_size(captures), 0);
    json_decref(answer);
    json_decref(before);
    json_decref(want);
    json_decref(captures);
}

static void secret_field_redacted(void **state)
{
    (void)state;
    mismatch("{\"data\":{\"password\":\"$regex:^.{8,}$\"}}",
             "$.data.password: expected $regex:^.{8,}$, got \"[REDACTED]\"");
    mismatch("{\"data\":{\"password\":\"other\"}}",
             "$.data.password: expected \"[REDACTED]\", got \"[REDACTED]\"");
    mismatch("{\"data\":{\"password\":\"$eq:\\\"other\\\"\"}}",
             "expected $eq:[REDACTED], got \"[REDACTED]\"");
    mismatch("{\"data\":{\"password\":\"$len:3\"}}", "expected $len:3, got \"[REDACTED]\"");
}

static void object_shown_redacted(void **state)
{
    (void)state;
    mismatch("{\"data\":\"not an object\"}", "\"password\":\"[REDACTED]\"");
    mismatch("{\"data\":{\"nested\":[]}}", "\"Token\":\"[REDACTED]\"");
    mismatch("{\"data\":{\"missing\":\"$any\"}}", "$.data.missing: expected a value, got (absent)");
}

static void other_fields_shown(void **state)
{
    (void)state;
    mismatch("{\"data\":{\"username\":\"x\"}}",
             "$.data.username: expected \"x\", got \"db_admin\"");
}

static void names(void **state)
{
    (void)state;
    static const char *const secret[] = {
        "Authorization", "Cookie",    "X-Api-Key", "api_key",   "token", "access_token",
        "X-Auth-Token",  "sessionId", "password",  "Signature", "key"};
    static const char *const plain[] = {"Content-Type", "Accept",   "clusterId",       "pageSize",
                                        "author",       "keyspace", "Envelope-Version"};
    for (size_t i = 0; i < sizeof secret / sizeof *secret; i++)
        if (!br_secret_name(secret[i])) fail_msg("%s is not taken for a secret", secret[i]);
    for (size_t i = 0; i < sizeof plain / sizeof *plain; i++)
        if (br_secret_name(plain[i])) fail_msg("%s is taken for a secret", plain[i]);
    assert_true(br_secret_key("PASSWORD"));
    assert_false(br_secret_key("username"));
    assert_false(br_secret_key(NULL));
}

static void expected_keeps_matchers(void **state)
{
    (void)state;
    json_t *v = json_loads("{\"a\":{\"password\":\"$regex:^.{8,}$\",\"secret\":\"lit\","
                           "\"token\":\"$oneOf:[\\\"x\\\"]\",\"name\":\"n\"}}",
                           0, NULL);
    br_redact_expected(v);
    json_t *a = json_object_get(v, "a");
    assert_string_equal(json_string_value(json_object_get(a, "password")), "$regex:^.{8,}$");
    assert_string_equal(json_string_value(json_object_get(a, "secret")), BR_REDACTED);
    assert_string_equal(json_string_value(json_object_get(a, "token")), "$oneOf:" BR_REDACTED);
    assert_string_equal(json_string_value(json_object_get(a, "name")), "n");
    json_decref(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(secret_field_redacted),   cmocka_unit_test(object_shown_redacted),
        cmocka_unit_test(other_fields_shown),      cmocka_unit_test(names),
        cmocka_unit_test(expected_keeps_matchers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
