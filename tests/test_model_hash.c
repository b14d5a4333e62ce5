/* Unit tests of the model's string hashing (model/hash.h) and text helpers (world.h): a
 * string in a fixed array hashes by what it holds up to its NUL, never by what is left after
 * it, so br_world_digest sees a field rewritten to the same value as unchanged, and any
 * other value as a change. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "hash.h"
#include "world.h"

static uint64_t hash_in(const char *s, char fill)
{
    char a[48];
    memset(a, fill, sizeof a);
    memcpy(a, s, strlen(s) + 1);
    return br__mix_chars(5, a, sizeof a);
}

static void leftovers_never_count(void **state)
{
    (void)state;
    char s[41];
    for (size_t n = 0; n <= 40; n++) {
        memset(s, 'x', n);
        s[n] = '\0';
        uint64_t zeros = hash_in(s, 0), junk = hash_in(s, 'q'), high = hash_in(s, (char)0xff);
        assert_true(zeros == junk);
        assert_true(zeros == high);
        if (n > 0) { /* one byte more or less, or another byte, is another string */
            s[n - 1] = 'y';
            assert_true(hash_in(s, 0) != zeros);
            s[n - 1] = '\0';
            assert_true(hash_in(s, 0) != zeros);
        }
    }
}

static void lengths_and_words_told_apart(void **state)
{
    (void)state;
    /* the same bytes in the first word, the NUL in the next one or in this one */
    assert_true(hash_in("abcdefgh", 0) != hash_in("abcdefg", 0));
    assert_true(hash_in("abcdefgh", 0) != hash_in("abcdefghi", 0));
    assert_true(hash_in("", 0) != hash_in("a", 0));
    assert_true(hash_in("ab", 'b') != hash_in("abb", 0));
    /* a full array without a NUL still hashes (the whole array), and not as a shorter one */
    char full[16];
    memset(full, 'z', sizeof full);
    char shorter[16] = "zzzzzzzzzzzzzzz";
    assert_true(br__mix_chars(1, full, sizeof full) != br__mix_chars(1, shorter, sizeof shorter));
    /* the typed form takes the array's size */
    char status[16] = "AVAILABLE";
    assert_true(br__mix_field(1, status) == br__mix_chars(1, status, sizeof status));
}

static void bounded_copy_cuts_and_terminates(void **state)
{
    (void)state;
    char small[8];
    memset(small, 'q', sizeof small);
    br__set_text(small, "AVAILABLE");
    assert_string_equal(small, "AVAILAB");
    br__set_text(small, "OK");
    assert_string_equal(small, "OK");
    assert_int_equal(small[3], 'I'); /* the rest is left as it was: the hash must ignore it */
    br__set_text(small, "");
    assert_string_equal(small, "");
}

static void decimal_like_printf(void **state)
{
    (void)state;
    static const long long values[] = {0, 7, 10, -1, 1234567890123LL, LLONG_MAX, LLONG_MIN};
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char got[32], want[32];
        *br__put_int(got, values[i]) = '\0';
        snprintf(want, sizeof want, "%lld", values[i]);
        assert_string_equal(got, want);
    }
}

static const char world_text[] =
    "{\"clock\": \"2024-08-26T00:00:00Z\", \"seed\": 11, \"keys\": [{\"key\": \"k\", \"org\": "
    "\"org-1\","
    " \"roles\": [\"ORG_OWNER\"]}], \"orgs\": [{\"id\": \"org-1\", \"name\": \"A\","
    " \"vendor\": \"zilliz\", \"projects\": [{\"id\": \"proj-1\", \"name\": \"P\"}]}],"
    " \"clusters\": [{\"id\": \"in01-1\", \"name\": \"Dedicated-01\", \"project\": \"proj-1\","
    " \"plan\": \"Standard\", \"databases\": [{\"name\": \"default\", \"collections\": ["
    "{\"name\": \"books\", \"version\": 1}]}]}]}";

static br_world *hash_world(void)
{
    json_t *given = json_loads(world_text, 0, NULL);
    assert_non_null(given);
    char err[256];
    br_world *w = br_world_new(given, err, sizeof err);
    json_decref(given);
    assert_non_null(w);
    return w;
}

static void digest_sees_values_not_leftovers(void **state)
{
    (void)state;
    br_world *w = hash_world();
    br_cluster *c = &w->clusters[0];
    char status[sizeof c->status];
    memcpy(status, c->status, sizeof status);
    uint64_t before = br_world_digest(w);
    /* a longer value and back: the same string, other bytes after its NUL */
    br__set_text(c->status, "RESTORING_AND_MORE");
    assert_true(br_world_digest(w) != before);
    br__set_text(c->status, status);
    assert_true(br_world_digest(w) == before);
    /* a collection renamed, then named back */
    br__set_text(c->content.items[0].name, "books_and_more_books");
    assert_true(br_world_digest(w) != before);
    br__set_text(c->content.items[0].name, "books");
    assert_true(br_world_digest(w) == before);
    br_world_free(w);
}

/* The cluster flags a request could flip (encryption, sharding, the restore writing into it)
 * and a backup's expiry count in the digest (INV-ATOMIC over HTTP compares two). */
static void digest_sees_flags_and_expiry(void **state)
{
    (void)state;
    br_world *w = hash_world();
    br_cluster *c = &w->clusters[0];
    uint64_t before = br_world_digest(w);
    c->encrypted = !c->encrypted;
    assert_true(br_world_digest(w) != before);
    c->encrypted = !c->encrypted;
    c->sharded = !c->sharded;
    assert_true(br_world_digest(w) != before);
    c->sharded = !c->sharded;
    int job = c->restoring_job;
    c->restoring_job = 3;
    assert_true(br_world_digest(w) != before);
    c->restoring_job = job;
    assert_true(br_world_digest(w) == before);
    long bi = br__world_add_backup(w);
    assert_true(bi >= 0);
    uint64_t with_backup = br_world_digest(w);
    w->backups[bi].expires = w->now + 86400;
    assert_true(br_world_digest(w) != with_backup);
    br_world_free(w);
}

/* Ids come from the world's seeded random numbers, sixteen hex digits each, lowest digit
 * first: the same seed gives the same ids on every build (fixtures and journals rely on it). */
static void generated_ids_are_stable(void **state)
{
    (void)state;
    json_t *given = json_loads(world_text, 0, NULL);
    assert_non_null(given);
    br_world *w = br_world_new(given, NULL, 0);
    json_decref(given);
    assert_non_null(w);
    br_header auth = {"Authorization", "Bearer k"};
    const char *body = "{\"backupType\": \"CLUSTER\"}";
    br_request req = {.method = "POST",
                      .path = "/v2/clusters/in01-1/backups/create",
                      .headers = &auth,
                      .n_headers = 1,
                      .body = body,
                      .body_len = strlen(body),
                      .caller_ip = "127.0.0.1"};
    br_response res;
    assert_int_equal(br_world_handle(w, &req, &res), BR_OK);
    assert_int_equal(res.status, 200);
    const json_t *data = json_object_get(res.body, "data");
    /* what the digit-by-digit writer made of this world's first numbers */
    assert_string_equal(json_string_value(json_object_get(data, "backupId")),
                        "backup0_a051a76dd8c6bd3");
    assert_string_equal(json_string_value(json_object_get(data, "jobId")),
                        "job-8890b6b8dc226b71a2d511");
    br_response_clear(&res);
    br_world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(leftovers_never_count),
        cmocka_unit_test(lengths_and_words_told_apart),
        cmocka_unit_test(bounded_copy_cuts_and_terminates),
        cmocka_unit_test(decimal_like_printf),
        cmocka_unit_test(digest_sees_values_not_leftovers),
        cmocka_unit_test(digest_sees_flags_and_expiry),
        cmocka_unit_test(generated_ids_are_stable),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
