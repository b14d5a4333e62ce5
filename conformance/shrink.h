/* Shrinking a diverging step sequence to a 1-minimal one: a step that diverges alone, else
 * blocks deleted from the end keeping their waits, then delta debugging over the steps, then
 * simpler fields (optional body fields, headers, query parameters dropped, numbers and waits
 * made smaller), every try on fresh worlds. */
#ifndef BR_SHRINK_H
#define BR_SHRINK_H

#include "fuzz_run.h"

typedef struct {
    unsigned plays;  /* sequences played */
    size_t from, to; /* steps before and after */
} br_shrink_stats;

/* Returns the shrunk sequence (new reference) that still diverges the way 'first' did (same
 * kind, same rule); 'steps' is borrowed. NULL on allocation failure. 'max_plays' bounds the
 * work (0: no bound). */
json_t *br_shrink(const br_fuzz_env *env, const json_t *steps, const br_divergence *first,
                  unsigned max_plays, br_shrink_stats *stats);

#endif
