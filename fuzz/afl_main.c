/* AFL++ driver: persistent mode over shared-memory inputs with a deferred fork server, so
 * the world is built once before the fork point (LLVMFuzzerInitialize) and each child runs
 * up to 100000 inputs. Compiled only by afl-clang-fast / afl-clang-lto (fuzz/CMakeLists.txt). */
#ifdef __AFL_FUZZ_TESTCASE_LEN
#include "fuzz.h"

#include <unistd.h>

__AFL_FUZZ_INIT();

int main(int argc, char **argv)
{
    LLVMFuzzerInitialize(&argc, &argv);
    __AFL_INIT();
    const unsigned char *buf = __AFL_FUZZ_TESTCASE_BUF;
    while (__AFL_LOOP(100000)) {
        int len = __AFL_FUZZ_TESTCASE_LEN;
        LLVMFuzzerTestOneInput(buf, (size_t)len);
    }
    return 0;
}
#else
#error "fuzz/afl_main.c needs AFL++'s compiler (afl-clang-fast or afl-clang-lto)"
#endif
