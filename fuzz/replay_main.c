/* The replay driver: runs a harness's entry point over files and folders of inputs (a
 * regression corpus, a crash) without any fuzzing engine, for ctest and for debugging.
 * A violation aborts, as it does under the fuzzer. */
#include "fuzz.h"

#include <dirent.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A hang, as afl-fuzz counts one, is a finding too: an input that runs longer than
 * BR_FUZZ_HANG_SECONDS (10 by default, far above any input's time even under ASan) aborts
 * the replay, naming the input. 0 turns the limit off (a debugger). */
static unsigned hang_seconds = 10;
static char hang_path[4096];

static void on_hang(int sig)
{
    (void)sig;
    static const char head[] = "replay: a hang: ";
    static const char tail[] = " runs longer than BR_FUZZ_HANG_SECONDS\n";
    ssize_t r = write(2, head, sizeof head - 1);
    r = write(2, hang_path, strlen(hang_path));
    r = write(2, tail, sizeof tail - 1);
    (void)r;
    signal(SIGABRT, SIG_DFL);
    abort();
}

static int replay_file(const char *path, int verbose)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    fclose(f);
    if (!buf) {
        fprintf(stderr, "replay: out of memory reading %s\n", path);
        return -1;
    }
    /* An exact-size copy: a read past the input's end is caught by ASan. */
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) {
        free(buf);
        return -1;
    }
    memcpy(exact, buf, n);
    free(buf);
    if (verbose) fprintf(stderr, "replay: %s (%zu bytes)\n", path, n);
    snprintf(hang_path, sizeof hang_path, "%s", path);
    alarm(hang_seconds);
    LLVMFuzzerTestOneInput(exact, n);
    alarm(0);
    free(exact);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Replays a file, or every regular file of a folder (sorted, not recursive, dot-files
 * skipped). Returns the number replayed, or -1 on an unreadable path. */
static long replay_path(const char *path, int verbose)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: no such file or folder: %s\n", path);
        return -1;
    }
    if (!S_ISDIR(st.st_mode)) return replay_file(path, verbose) == 0 ? 1 : -1;
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strcmp(e->d_name, "README") == 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **nn = realloc(names, cap * sizeof *nn);
            if (!nn) break;
            names = nn;
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) break;
        snprintf(names[n], len, "%s/%s", path, e->d_name);
        n++;
    }
    closedir(d);
    if (n) qsort(names, n, sizeof *names, cmp_str);
    long done = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat fs;
        if (stat(names[i], &fs) == 0 && S_ISREG(fs.st_mode)) {
            if (replay_file(names[i], verbose) != 0) done = -1;
            if (done >= 0) done++;
        }
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    int verbose = 0, first = 1;
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: %s [-v] INPUT|FOLDER...\n"
               "Runs the harness over each input (every file of a folder) without a fuzzer.\n"
               "A violation aborts (exit by SIGABRT) with a message naming it, and so does an\n"
               "input that runs longer than BR_FUZZ_HANG_SECONDS (default 10; 0: no limit).\n"
               "Exit 0 when every input ran, 1 when none was found, 2 on an unreadable path\n"
               "or a bad BR_FUZZ_HANG_SECONDS.\n",
               argv[0]);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "-v") == 0) {
        verbose = 1;
        first = 2;
    }
    if (first >= argc) {
        fprintf(stderr, "usage: %s [-v] INPUT|FOLDER... (--help)\n", argv[0]);
        return 2;
    }
    const char *hs = getenv("BR_FUZZ_HANG_SECONDS");
    if (hs && *hs) {
        char *end;
        unsigned long v = strtoul(hs, &end, 10);
        if (*end || *hs < '0' || *hs > '9' || v > 86400) {
            fprintf(stderr, "replay: BR_FUZZ_HANG_SECONDS must be 0..86400 seconds, not \"%s\"\n",
                    hs);
            return 2;
        }
        hang_seconds = (unsigned)v;
    }
    signal(SIGALRM, on_hang);
    LLVMFuzzerInitialize(&argc, &argv);
    long total = 0;
    for (int i = first; i < argc; i++) {
        long n = replay_path(argv[i], verbose);
        if (n < 0) return 2;
        total += n;
    }
    printf("replayed %ld input%s\n", total, total == 1 ? "" : "s");
    return total > 0 ? 0 : 1;
}
