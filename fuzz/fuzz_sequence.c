/* The `sequence` harness: structure-aware; the input's bytes are the choices of the request
 * generator (conformance/gen.h), which writes up to 64 steps across the three vendors on live
 * ids; each is played on a fresh world with every check after every step (sequence.h). */
#include "sequence.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    br_fuzz_init();
    br_fuzz_sequence_world();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    br_fuzz_init();
    br_fuzz_sequence_run(data, size, NULL);
    return 0;
}
