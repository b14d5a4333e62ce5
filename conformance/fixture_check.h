/* The static check of a fixture's steps, made when it loads (fixtures/README.md): known keys
 * only, requests with a method and a path, well-formed bodies, durations and matchers, rule
 * ids of the catalog, and ${name} references to captures of earlier steps. A fixture that
 * fails it is a bad fixture (exit 2), never a violation charged to the target. */
#ifndef BR_FIXTURE_CHECK_H
#define BR_FIXTURE_CHECK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* True when every step of 'steps' (a JSON array) is well-formed; otherwise *step is the
 * first bad step (1-based) and msg says what is wrong with it. */
bool br_fixture_check_steps(const json_t *steps, int *step, char *msg, size_t msglen);

#endif
