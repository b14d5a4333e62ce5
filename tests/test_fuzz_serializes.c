/* br_fuzz_serializes (fuzz/serializes.c) agrees with jansson's dump on every string it
 * could meet, and refuses what the dump would write out broken (a key that is not UTF-8). */
#include "fuzz.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static int discard(const char *buffer, size_t size, void *data)
{
    (void)buffer;
    (void)size;
    (void)data;
    return 0;
}

static bool dumps(const json_t *v)
{
    return json_dump_callback(v, discard, NULL, JSON_COMPACT | JSON_ENCODE_ANY) == 0;
}

/* The check and the dump agree on the string s[0..n), as a value and inside an array. */
static void agree(const unsigned char *s, size_t n)
{
    json_t *v = json_stringn_nocheck((const char *)s, n);
    assert_non_null(v);
    char why[128] = "";
    bool ours = br_fuzz_serializes(v, why, sizeof why);
    if (ours != dumps(v)) {
        char hex[64] = "";
        for (size_t i = 0; i < n && i < 8; i++)
            snprintf(hex + 3 * i, sizeof hex - 3 * i, "%02x ", s[i]);
        fail_msg("bytes %s: the check says %d, the dump %d", hex, ours, !ours);
    }
    if (!ours) assert_non_null(strstr(why, "not UTF-8"));
    json_t *a = json_pack("[io]", 1, v);
    assert_non_null(a);
    assert_int_equal(br_fuzz_serializes(a, why, sizeof why), ours);
    json_decref(a);
}

static void every_short_string(void **state)
{
    (void)state;
    unsigned char s[4];
    for (unsigned a = 0; a < 256; a++) { /* every one- and two-byte string */
        s[0] = (unsigned char)a;
        agree(s, 1);
        for (unsigned b = 0; b < 256; b++) {
            s[1] = (unsigned char)b;
            agree(s, 2);
        }
    }
    /* three bytes after every lead from C0 up: the continuation bytes' edges and an ASCII
     * byte, so overlong forms, surrogates and truncations all come up */
    static const unsigned char tail[] = {0x00, 0x41, 0x7f, 0x80, 0x81, 0x8f, 0x90, 0x9f,
                                         0xa0, 0xbf, 0xc0, 0xc2, 0xe0, 0xf4, 0xff};
    for (unsigned a = 0xc0; a < 256; a++)
        for (size_t b = 0; b < sizeof tail; b++)
            for (size_t c = 0; c < sizeof tail; c++) {
                s[0] = (unsigned char)a;
                s[1] = tail[b];
                s[2] = tail[c];
                agree(s, 3);
                for (size_t d = 0; d < sizeof tail; d++) {
                    s[3] = tail[d];
                    agree(s, 4);
                }
            }
}

static void random_strings(void **state)
{
    (void)state;
    uint64_t x = 0x9e3779b97f4a7c15ULL;
    unsigned char s[24];
    for (int k = 0; k < 200000; k++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        size_t n = x % sizeof s;
        for (size_t i = 0; i < n; i++) {
            x = x * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned char c = (unsigned char)(x >> 56);
            s[i] = (x & 3) ? c : (unsigned char)(c & 0x7f); /* some plain ASCII */
        }
        agree(s, n);
    }
}

static void answers_and_cycles(void **state)
{
    (void)state;
    char why[128];
    json_t *answer = json_pack("{s:i,s:{s:[s,s,f,b,n]},s:s}", "code", 0, "data", "items", "a",
                               "\xc3\xa9t\xc3\xa9", 1.5, true, "message", "ok \xe2\x82\xac");
    assert_non_null(answer);
    assert_true(br_fuzz_serializes(answer, why, sizeof why));
    assert_true(dumps(answer));
    /* a value inside itself: the dump refuses it, and so does the check */
    json_t *a = json_array(), *b = json_array();
    assert_int_equal(json_array_append(a, b), 0);
    assert_int_equal(json_array_append(b, a), 0);
    assert_int_equal(json_object_set(answer, "loop", a), 0);
    assert_false(dumps(answer));
    assert_false(br_fuzz_serializes(answer, why, sizeof why));
    assert_non_null(strstr(why, "nested too deep"));
    json_array_clear(b); /* break the cycle so that everything is freed */
    json_object_del(answer, "loop");
    assert_true(br_fuzz_serializes(answer, why, sizeof why));
    /* a key that is not UTF-8: the dump writes it out as it is; the check refuses it */
    assert_int_equal(json_object_setn_new_nocheck(answer, "k\xff", 2, json_true()), 0);
    assert_true(dumps(answer));
    assert_false(br_fuzz_serializes(answer, why, sizeof why));
    assert_non_null(strstr(why, "key that is not UTF-8"));
    json_decref(answer);
    json_decref(a);
    json_decref(b);
}

int main(void)
{
    br_fuzz_init();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_short_string),
        cmocka_unit_test(random_strings),
        cmocka_unit_test(answers_and_cycles),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
