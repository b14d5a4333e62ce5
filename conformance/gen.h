/* Request-sequence generation over the three vendors, driven by a source of choices (a
 * fuzzer's bytes or a seeded PRNG). Steps come out in the fixture format (fixtures/README.md)
 * so that any generated sequence can be written as a fixture and replayed. */
#ifndef BR_GEN_H
#define BR_GEN_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* A source of choices. pick returns a value in [0, n) (n >= 1); a byte source that runs dry
 * returns 0 and sets 'exhausted'. */
typedef struct br_choice br_choice;
struct br_choice {
    uint32_t (*pick)(br_choice *c, uint32_t n);
    bool exhausted;
    void *self;
};

/* A choice source over a seeded PRNG (same seed, same choices). */
void br_choice_prng(br_choice *c, uint64_t *state);
/* A choice source over a byte buffer (borrowed; must outlive c). */
typedef struct {
    const uint8_t *data;
    size_t len, pos;
} br_choice_bytes_state;
void br_choice_bytes(br_choice *c, br_choice_bytes_state *s);

typedef struct br_gen br_gen;

/* A generator that knows the world's keys, projects and clusters from 'given' and learns the
 * ids it sees in answers. It keeps a reference to 'given' (read only, never changed): the
 * caller must not change it while the generator lives. NULL on allocation failure. */
br_gen *br_gen_new(const json_t *given);
void br_gen_free(br_gen *g);
/* A copy that goes on as 'g' would (same ids known, same names next). NULL on allocation
 * failure. */
br_gen *br_gen_clone(const br_gen *g);
/* The next step: {"name", "request": {...}} or {"advance": seconds}; mostly valid operations
 * on live ids, some invalid. New reference. */
json_t *br_gen_next(br_gen *g, br_choice *c);
/* Learns ids from the answer to a request step (borrowed). */
void br_gen_observe(br_gen *g, const json_t *step, int status, const json_t *body);
/* A world holding all three vendors' interesting cases, for generated runs. New reference. */
json_t *br_gen_default_world(void);

#endif
