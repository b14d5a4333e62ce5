/* The journal of `brcheck serve --state` (server/journal.c) on its own: replay is linear in
 * the file's size, and an append that fails leaves the journal as it was. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "server_internal.h"

#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int count_apply(void *ctx, const json_t *rec, char *err, size_t errlen)
{
    (void)rec;
    (void)err;
    (void)errlen;
    ++*(size_t *)ctx;
    return 0;
}

static void temp_path(char *out, size_t len, const char *name)
{
    const char *dir = getenv("TMPDIR");
    snprintf(out, len, "%s/brcheck-journal-%ld-%s", dir && *dir ? dir : "/tmp", (long)getpid(),
             name);
    unlink(out);
}

/* A journal of n records of about 130 bytes each. */
static void write_journal(const char *path, size_t n)
{
    size_t replayed = 0;
    char err[512];
    br__journal *j = br__journal_open(path, count_apply, &replayed, NULL, err, sizeof err);
    assert_non_null(j);
    br__journal_close(j);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    for (size_t i = 0; i < n; i++) {
        char text[200];
        int len = snprintf(text, sizeof text, "{\"k\":\"advance\",\"s\":0,\"pad\":\"%0100zu\"}", i);
        fprintf(f, "%08x %d %s\n", br__crc32(text, (size_t)len), len, text);
    }
    assert_int_equal(fclose(f), 0);
}

static double replay_seconds(const char *path, size_t want)
{
    double best = 1e9;
    for (int round = 0; round < 5; round++) {
        size_t replayed = 0, applied = 0;
        char err[512];
        struct timespec a, b;
        clock_gettime(CLOCK_MONOTONIC, &a);
        br__journal *j = br__journal_open(path, count_apply, &applied, &replayed, err, sizeof err);
        clock_gettime(CLOCK_MONOTONIC, &b);
        assert_non_null(j);
        br__journal_close(j);
        assert_int_equal(replayed, want);
        assert_int_equal(applied, want);
        double t = (double)(b.tv_sec - a.tv_sec) + (double)(b.tv_nsec - a.tv_nsec) / 1e9;
        if (t < best) best = t;
    }
    return best;
}

/* Each record was once parsed by sscanf over the rest of the file, which glibc measures in
 * full: replay time grew with the square of the journal (200k records took 64 s). Four
 * times the records now take about four times as long; the square would take sixteen. */
static void test_replay_is_linear(void **state)
{
    (void)state;
    char small[256], big[256];
    temp_path(small, sizeof small, "small");
    temp_path(big, sizeof big, "big");
    write_journal(small, 5000);
    write_journal(big, 20000);
    double ts = replay_seconds(small, 5000), tb = replay_seconds(big, 20000);
    printf("replay: 5000 records %.4f s, 20000 records %.4f s (ratio %.1f)\n", ts, tb, tb / ts);
    assert_true(tb < 8 * ts + 0.005);
    assert_true(tb < 5.0);
    unlink(small);
    unlink(big);
}

/* An append that fails part-way (here: past the file size limit) is cut off: once writing
 * works again, the records after it make a journal that still replays in full. Before,
 * the torn bytes stayed and the next restart refused the journal as damaged in the middle. */
static void test_failed_append_is_cut_off(void **state)
{
    (void)state;
    char path[256], err[512];
    temp_path(path, sizeof path, "torn");
    size_t applied = 0, replayed = 0;
    br__journal *j = br__journal_open(path, count_apply, &applied, &replayed, err, sizeof err);
    assert_non_null(j);
    json_t *small = json_pack("{s:s,s:i}", "k", "advance", "s", 60);
    assert_int_equal(br__journal_append(j, small), 0);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    off_t before = st.st_size;

    /* A record far larger than what the limit leaves. */
    char *pad = malloc(20000);
    memset(pad, 'x', 19999);
    pad[19999] = '\0';
    json_t *large = json_pack("{s:s,s:i,s:s}", "k", "advance", "s", 1, "pad", pad);
    free(pad);
    struct rlimit old, lim;
    assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
    lim = old;
    lim.rlim_cur = (rlim_t)before + 4096;
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &lim), 0);
    assert_int_equal(br__journal_append(j, large), -1);
    assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, was);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, before); /* nothing of it is left */

    assert_int_equal(br__journal_append(j, small), 0);
    br__journal_close(j);
    json_decref(small);
    json_decref(large);

    applied = replayed = 0;
    j = br__journal_open(path, count_apply, &applied, &replayed, err, sizeof err);
    if (!j) fail_msg("%s", err);
    assert_int_equal(replayed, 2);
    br__journal_close(j);
    unlink(path);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_replay_is_linear),
        cmocka_unit_test(test_failed_append_is_cut_off),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
