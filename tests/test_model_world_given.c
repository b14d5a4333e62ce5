/* The world's starting state (fixtures' "given"): RFC 3339 clocks with fractions and zone
 * offsets, job durations in s/m/h/d, Zilliz policies given up front, and the refusals of
 * malformed values. Paths the fixtures do not reach (coverage report: model/clock.c,
 * model/zilliz/zilliz.c's policy loading). */
#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>

/* A one-cluster Zilliz world with extra top-level members ("clock": ..., ...). */
static br_world *world_with(const char *extra, char *err, size_t errlen)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"seed\":1,%s%s\"orgs\":[{\"id\":\"org-1\",\"vendor\":\"zilliz\",\"projects\":[{"
             "\"id\":\"proj-1\"}]}],\"keys\":[{\"key\":\"owner\",\"org\":\"org-1\",\"roles\":["
             "\"ORG_OWNER\"]}],\"clusters\":[{\"id\":\"in01-a\",\"name\":\"A\",\"project\":"
             "\"proj-1\",\"plan\":\"Standard\",\"region\":\"aws-us-west-2\",\"databases\":[{"
             "\"name\":\"default\",\"collections\":[{\"name\":\"c1\"}]}]}]}",
             extra, *extra ? "," : "");
    json_error_t jerr;
    json_t *given = json_loads(text, 0, &jerr);
    assert_non_null(given);
    if (err && errlen) err[0] = '\0';
    br_world *w = br_world_new(given, err, errlen);
    json_decref(given);
    return w;
}

/* 2024-08-26T00:00:00Z */
#define T0 1724630400LL

static void clock_forms(void **state)
{
    (void)state;
    static const struct {
        const char *clock;
        long long want;
    } ok[] = {
        {"\"2024-08-26T00:00:00Z\"", T0},
        {"\"2024-08-26t00:00:00z\"", T0},
        {"\"2024-08-26 00:00:00Z\"", T0},
        {"\"2024-08-26T00:00:00.123456Z\"", T0},
        {"\"2024-08-26T02:30:00+02:30\"", T0},
        {"\"2024-08-25T21:00:00-03:00\"", T0},
        {"\"2024-08-26\"", T0},
        {"\"2024-02-29T12:00:00Z\"", 1709208000LL},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char extra[128];
        snprintf(extra, sizeof extra, "\"clock\":%s", ok[i].clock);
        br_world *w = world_with(extra, NULL, 0);
        assert_non_null(w);
        assert_int_equal(br_world_now(w), ok[i].want);
        br_world_free(w);
    }
}

static void clock_refusals(void **state)
{
    (void)state;
    static const char *const bad[] = {
        "\"2024-08-26T00:00:00\"",   /* a time of day needs a zone */
        "\"2024-08-26T00:00:00.Z\"", /* a fraction needs digits */
        "\"2024-08-26T00:00Z\"",     /* seconds are required */
        "\"2024-08-26T00:00:00+0200\"",
        "\"2024-13-01T00:00:00Z\"",
        "\"2024-08-32\"",
        "\"2024-08-26T24:00:00Z\"",
        "\"2024-08-26X\"",
        "\"2024-8-26\"",
        "\"\"",
        "1724630400",
        "\"2024-08-26T00:00:00Zjunk\"",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char extra[128], err[256];
        snprintf(extra, sizeof extra, "\"clock\":%s", bad[i]);
        br_world *w = world_with(extra, err, sizeof err);
        if (w) fail_msg("clock %s accepted", bad[i]);
        assert_true(err[0] != '\0');
    }
}

/* Creates a CLUSTER backup; returns its status after 'wait' seconds. */
static const char *backup_status_after(br_world *w, br_time wait, char *out, size_t len)
{
    br_response res = {0};
    const char *body = "{\"backupType\":\"CLUSTER\"}";
    assert_int_equal(test_send(w, "POST", "/v2/clusters/in01-a/backups/create", "owner", body,
                               strlen(body), &res),
                     BR_OK);
    assert_int_equal(body_code(&res), 0);
    char path[160];
    snprintf(path, sizeof path, "/v2/clusters/in01-a/backups/%s",
             json_string_value(json_object_get(json_object_get(res.body, "data"), "backupId")));
    br_response_clear(&res);
    assert_int_equal(br_world_advance(w, wait), BR_OK);
    assert_int_equal(test_send(w, "GET", path, "owner", NULL, 0, &res), BR_OK);
    snprintf(out, len, "%s",
             json_string_value(json_object_get(json_object_get(res.body, "data"), "status")));
    br_response_clear(&res);
    return out;
}

static void durations_in_units(void **state)
{
    (void)state;
    char status[32];
    /* 2h of backup after a 30 s queue: still CREATING at 1h59m, AVAILABLE at 2h01m. */
    br_world *w = world_with("\"durations\":{\"backupQueue\":30,\"backup\":\"2h\"}", NULL, 0);
    assert_non_null(w);
    assert_string_equal(backup_status_after(w, 2 * 3600 - 60, status, sizeof status), "CREATING");
    br_world_free(w);
    w = world_with("\"durations\":{\"backupQueue\":\"30s\",\"backup\":\"2h\"}", NULL, 0);
    assert_non_null(w);
    assert_string_equal(backup_status_after(w, 2 * 3600 + 60, status, sizeof status), "AVAILABLE");
    br_world_free(w);
    /* a day-long backup */
    w = world_with("\"durations\":{\"backupQueue\":\"0s\",\"backup\":\"1d\"}", NULL, 0);
    assert_non_null(w);
    assert_string_equal(backup_status_after(w, 86400 - 60, status, sizeof status), "CREATING");
    br_world_free(w);
    static const char *const bad[] = {"\"5x\"", "\"-1m\"", "\"m\"", "\"99999999d\"", "-3", "true"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char extra[128], err[256];
        snprintf(extra, sizeof extra, "\"durations\":{\"backup\":%s}", bad[i]);
        if (world_with(extra, err, sizeof err)) fail_msg("duration %s accepted", bad[i]);
        assert_true(err[0] != '\0');
    }
}

static void policy_given(void **state)
{
    (void)state;
    br_world *w = world_with("\"policies\":[{\"cluster\":\"in01-a\",\"enabled\":true,"
                             "\"frequency\":\"1,3,5\",\"startTime\":\"02:00-04:00\","
                             "\"retentionDays\":14}]",
                             NULL, 0);
    assert_non_null(w);
    br_response res = {0};
    assert_int_equal(
        test_send(w, "GET", "/v2/clusters/in01-a/backups/policy", "owner", NULL, 0, &res), BR_OK);
    json_t *data = json_object_get(res.body, "data");
    assert_true(json_is_true(json_object_get(data, "enabled")));
    assert_int_equal(json_integer_value(json_object_get(data, "retentionDays")), 14);
    br_response_clear(&res);
    br_world_free(w);
    /* defaults: every day, 00:00-02:00, 7 days */
    w = world_with("\"policies\":[{\"cluster\":\"in01-a\",\"enabled\":false}]", NULL, 0);
    assert_non_null(w);
    assert_int_equal(
        test_send(w, "GET", "/v2/clusters/in01-a/backups/policy", "owner", NULL, 0, &res), BR_OK);
    data = json_object_get(res.body, "data");
    assert_false(json_is_true(json_object_get(data, "enabled")));
    assert_int_equal(json_integer_value(json_object_get(data, "retentionDays")), 7);
    br_response_clear(&res);
    br_world_free(w);
    static const char *const bad[] = {
        "{\"cluster\":\"in01-nope\",\"enabled\":true}",
        "{\"cluster\":\"in01-a\",\"enabled\":true,\"frequency\":\"8\"}",
        "{\"cluster\":\"in01-a\",\"enabled\":true,\"startTime\":\"25:00-26:00\"}",
        "{\"cluster\":\"in01-a\",\"enabled\":true,\"retentionDays\":0}",
        "{\"cluster\":\"in01-a\",\"enabled\":true,\"retentionDays\":31}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char extra[256], err[256];
        snprintf(extra, sizeof extra, "\"policies\":[%s]", bad[i]);
        if (world_with(extra, err, sizeof err)) fail_msg("policy %s accepted", bad[i]);
        assert_non_null(strstr(err, "policies[0]"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(clock_forms),
        cmocka_unit_test(clock_refusals),
        cmocka_unit_test(durations_in_units),
        cmocka_unit_test(policy_given),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
