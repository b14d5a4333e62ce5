/* The `sequence` harness's core: input bytes -> choices -> generated steps (conformance/gen.h)
 * played against a fresh world, with every check after every step. */
#ifndef BR_FUZZ_SEQUENCE_H
#define BR_FUZZ_SEQUENCE_H

#include "fuzz.h"

/* At most this many steps per input. */
#define BR_FUZZ_MAX_STEPS 64

/* The world of generated runs (br_gen_default_world), parsed once; borrowed. */
const json_t *br_fuzz_sequence_world(void);
/* Decodes the input into steps and plays them against a fresh world, checking after each:
 * the answer (br_fuzz_send_checked), the observed invariants over answer bodies
 * (INV-TERMINAL, INV-PROGRESS, INV-TIME), INV-ATOMIC for refused simulator operations, and
 * the world's invariants. Aborts on a violation. When 'steps' is not NULL every step played
 * is appended to it (borrowed array). Returns the number of steps played. */
int br_fuzz_sequence_run(const uint8_t *data, size_t size, json_t *steps);
/* A seed input: the choices of a PRNG run (seed) of 'steps' steps (at most 64), written as
 * the bytes that decode to the same choices. *out is owned by the caller (free). BR_OK or
 * BR_ENOMEM. */
int br_fuzz_sequence_seed(uint64_t seed, int steps, uint8_t **out, size_t *len);
/* The fixture form: {"vendor", "rules", "given", "steps"}; new reference or NULL. */
json_t *br_fuzz_sequence_fixture(const uint8_t *data, size_t size);

#endif
