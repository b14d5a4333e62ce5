/* AFL++ driver: persistent mode over shared-memory inputs with a deferred fork server, so
 * the world is built once before the fork point (LLVMFuzzerInitialize) and each child runs
 * up to 100000 inputs. Compiled only by afl-clang-fast / afl-clang-lto (fuzz/CMakeLists.txt).
 *
 * Warm-up: before the fork point the harness runs over the inputs of BR_FUZZ_WARMUP (a file
 * or a folder, e.g. the seed corpus; campaign.sh sets it), or over a few built-in byte
 * patterns. What is set up on first use (lazily built tables, first-time branches) then
 * happens once in the parent instead of in the first input of every child, where AFL++
 * counted it as instability. */
#ifdef __AFL_FUZZ_TESTCASE_LEN
#include "fuzz.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

__AFL_FUZZ_INIT();

static void warm_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) return;
    static uint8_t buf[1 << 16];
    size_t n = fread(buf, 1, sizeof buf, f);
    fclose(f);
    uint8_t *exact = malloc(n ? n : 1);
    if (!exact) return;
    memcpy(exact, buf, n);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
}

static void warm_up(void)
{
    const char *path = getenv("BR_FUZZ_WARMUP");
    struct stat st;
    if (path && *path && stat(path, &st) == 0) {
        if (!S_ISDIR(st.st_mode)) {
            warm_file(path);
            return;
        }
        DIR *d = opendir(path);
        struct dirent *e;
        int n = 0;
        while (d && (e = readdir(d)) && n < 2000) {
            if (e->d_name[0] == '.') continue;
            char file[4096];
            snprintf(file, sizeof file, "%s/%s", path, e->d_name);
            if (stat(file, &st) == 0 && S_ISREG(st.st_mode)) {
                warm_file(file);
                n++;
            }
        }
        if (d) closedir(d);
        return;
    }
    static const uint8_t patterns[][16] = {{0}, {1, 2, 3, 4, 5, 6, 7, 8}, {0xff, 0xff, 0xff, 0xff}};
    LLVMFuzzerTestOneInput((const uint8_t *)"", 0);
    for (size_t i = 0; i < sizeof patterns / sizeof *patterns; i++)
        LLVMFuzzerTestOneInput(patterns[i], sizeof patterns[i]);
}

/* The loop itself is not instrumented (AFL++ skips functions named __afl*): the block that
 * calls __AFL_LOOP runs before the coverage map is cleared in the first pass and after the
 * input in the others, so an instrumented loop made every child's first input look
 * different (unstable) from the same input later. */
__attribute__((noinline)) static void __afl_br_loop(void)
{
    const unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(100000)) {
        int len = __AFL_FUZZ_TESTCASE_LEN;
        LLVMFuzzerTestOneInput(buf, (size_t)len);
    }
}

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    warm_up();
    __AFL_INIT();
    __afl_br_loop();
    return 0;
}
#else
#error "fuzz/afl_main.c needs AFL++'s compiler (afl-clang-fast or afl-clang-lto)"
#endif
