/* Unit tests of the in-process target's digest, which the runner compares before and after a
 * step (INV-ATOMIC): equal exactly when nothing changed between, whatever field changed; a
 * cluster's encryption flag is one br_world_digest does not hash. */
#include "test_support.h"

#include "runner.h"

static bool answered_error(br_target *t, const char *path, const char *body)
{
    br_header auth = {"Authorization", "Bearer owner"};
    br_request req = test_request("POST", path, NULL, &auth, body, strlen(body));
    br_response res;
    assert_int_equal(t->send(t, &req, &res), BR_OK);
    bool error = res.error;
    br_response_clear(&res);
    return error;
}

static uint64_t digest(br_target *t)
{
    uint64_t d;
    assert_true(t->digest(t, &d));
    return d;
}

static void digest_counts_every_change(void **state)
{
    (void)state;
    br_target *t = br_model_target_new(BR_RULE_COUNT);
    assert_non_null(t);
    json_t *given = json_loads(test_world_json, 0, NULL);
    assert_non_null(given);
    char err[256];
    assert_int_equal(t->reset(t, given, NULL, err, sizeof err), BR_OK);
    uint64_t a = digest(t);
    assert_true(digest(t) == a); /* nothing in between */
    json_t *op = json_pack("{s:s,s:s,s:s,s:b}", "op", "set_flag", "cluster", "in01-a", "flag",
                           "encrypted", "value", 1);
    assert_int_equal(t->sim(t, op), BR_OK);
    json_decref(op);
    uint64_t b = digest(t);
    assert_true(b != a);
    assert_true(answered_error(t, "/v2/clusters/in01-9/backups/create", "{}"));
    assert_true(digest(t) == b);
    assert_false(
        answered_error(t, "/v2/clusters/in01-a/backups/create", "{\"backupType\": \"CLUSTER\"}"));
    uint64_t c = digest(t);
    assert_true(c != b);
    assert_int_equal(t->advance(t, 3600), BR_OK);
    assert_true(digest(t) != c);
    /* a fresh world from the same text: a change too */
    uint64_t d = digest(t);
    assert_int_equal(t->reset(t, given, NULL, err, sizeof err), BR_OK);
    assert_true(digest(t) != d);
    json_decref(given);
    t->close(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(digest_counts_every_change),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
