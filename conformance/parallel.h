/* Planning a run: which target (the in-process model or an HTTP endpoint with its profile),
 * how many fixtures at once (-j), which share of the fixtures (--shard K/N). */
#ifndef BR_PARALLEL_H
#define BR_PARALLEL_H

#include "runner.h"

typedef struct {
    const char *target;       /* "model" (default when NULL) or an http:// URL */
    const json_t *profile;    /* target profile, borrowed, may be NULL */
    const char *profile_path; /* the file it was read from (messages), may be NULL */
    const char *behaviour;    /* "default" or "strict" */
    br_rule mutant;           /* the model target only; BR_RULE_COUNT: none */
    unsigned jobs;            /* fixtures at once; 0 or 1: one after the other */
    int lockstep;             /* HTTP: -1 as the profile says, 0 off, 1 on */
    bool quiet;               /* no notes on stderr */
} br_run_plan;

/* Plays every loaded fixture of 'run' as planned. The model target runs -j fixtures at once,
 * one world per thread; an HTTP target runs one fixture at a time per base URL (the
 * profile's "baseUrls", else the target URL): fixtures on one server share its world.
 * Returns 0, or 2 with err written when a target cannot be created (unreachable, bad URL) or
 * a fixture to play against a real endpoint authenticates with a key whose credentials the
 * profile names in an unset environment variable (nothing is played then). */
int br_run_plan_execute(br_run *run, const br_run_plan *plan, char *err, size_t errlen);

/* Reads the options of `brcheck run` into a plan: --profile (a behaviour profile, "default"
 * or "strict", or a target profile file: *tprofile then holds it, a new reference), -j N,
 * --shard K/N (k, n: 1/1 when NULL). Prints the problem and returns false on bad values. */
bool br_run_plan_options(br_run_plan *plan, json_t **tprofile, const char *profile,
                         const char *jobs, const char *shard, unsigned *k, unsigned *n);

/* Keeps the fixtures whose index in the sorted list is k-1 modulo n (1 <= k <= n); the
 * others are freed. Deterministic: the same k/n on any machine gives the same share. */
void br_run_shard(br_run *run, unsigned k, unsigned n);
/* Parses "K/N" (1 <= K <= N). Returns false on anything else. */
bool br_parse_shard(const char *s, unsigned *k, unsigned *n);

#endif
