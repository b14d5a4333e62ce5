/* The model's time text (model/clock.c): br__time_format writes what gmtime and strftime
 * write, br__time_parse reads it back, and br__time_json holds the same text. */
#include "world.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

static void check_time(br_time t)
{
    char ours[21], theirs[32];
    br__time_format(t, ours);
    time_t tt = (time_t)t;
    struct tm tm;
    assert_non_null(gmtime_r(&tt, &tm));
    assert_int_equal(strftime(theirs, sizeof theirs, "%Y-%m-%dT%H:%M:%SZ", &tm), 20);
    assert_string_equal(ours, theirs);
    br_time back = -1;
    assert_int_equal(br__time_parse(ours, &back), BR_OK);
    assert_int_equal(back, t);
    json_t *j = br__time_json(t);
    assert_non_null(j);
    assert_string_equal(json_string_value(j), theirs);
    json_decref(j);
}

static void format_matches_strftime(void **state)
{
    (void)state;
    /* each second of a day, each day of the years around a leap day, then a spread out to
     * the year 9999 */
    for (br_time t = 951782400; t < 951782400 + 86400; t++) /* 2000-02-29 */
        check_time(t);
    for (br_time t = 0; t < 400LL * 366 * 86400; t += 86400 + 37)
        check_time(t);
    uint64_t x = 88172645463325252ULL;
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        check_time((br_time)(x % 253402300800ULL)); /* up to 9999-12-31T23:59:59Z */
    }
}

static void years_outside_four_digits_are_clamped(void **state)
{
    (void)state;
    char out[21];
    br__time_format(253402300800LL, out); /* 10000-01-01 */
    assert_int_equal(strlen(out), 20);
    assert_memory_equal(out, "9999-", 5);
    br__time_format(-62167219201LL, out); /* the second before year 0 */
    assert_int_equal(strlen(out), 20);
    assert_memory_equal(out, "0000-", 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(format_matches_strftime),
        cmocka_unit_test(years_outside_four_digits_are_clamped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
