/* The `noop` harness: the AFL++ driver (afl_main.c) around an entry point that does nothing.
 * Not for fuzzing: bench/bench_fuzz.sh runs it under afl-fuzz next to the real harnesses, so
 * that their execs/s are read against what afl-fuzz itself reaches on the same machine in
 * the same run (the fork server's round trip per input, the mutations, the map). */
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    (void)data;
    (void)size;
    return 0;
}
