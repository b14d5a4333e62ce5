/* Black-box stateful fuzzing: a sequence of fixture steps played against a target and a
 * faithful in-process model (the oracle) in lockstep, answers compared step by step. */
#ifndef BR_FUZZ_RUN_H
#define BR_FUZZ_RUN_H

#include "gen.h"
#include "runner.h"

/* Where a run differs from the oracle. */
typedef enum {
    BR_DIV_NONE,
    BR_DIV_ANSWER,    /* status, error class, body or headers differ */
    BR_DIV_INVARIANT, /* the target's own invariant check (t->check) failed */
    BR_DIV_OBSERVED,  /* an observed invariant over the target's answers (br__observe) */
    BR_DIV_ATOMIC,    /* an error answer changed the target's world (INV-ATOMIC) */
    BR_DIV_WORLD,     /* cluster content or flags differ (targets that show their world) */
} br_div_kind;

typedef struct {
    br_div_kind kind;
    int step;      /* 1-based */
    char rule[40]; /* the rule, when the kind names one */
    char message[1024];
    char pointer[512];    /* BR_DIV_WORLD: JSON pointer into the world dump (${name} ids) */
    json_t *oracle_value; /* BR_DIV_WORLD: the oracle's value there (owned) */
} br_divergence;

void br_divergence_clear(br_divergence *d);
const char *br_div_kind_name(br_div_kind k);

typedef struct {
    br_target *target;   /* borrowed */
    const json_t *given; /* borrowed */
    const char *profile; /* NULL: default */
    /* In-process targets: compare messages, times and headers exactly, and cluster content
     * after every step. Remote targets: only what a vendor may not vary. */
    bool strict;
    /* Compare world dumps (set by the caller; the shrinker switches it off when the
     * divergence is not a world divergence). */
    bool compare_world;
    /* Compare the worlds after this many state-changing steps (0 or 1: after each); a
     * world dump costs as much as the world is large. */
    unsigned world_every;
} br_fuzz_env;

typedef struct br_lockstep br_lockstep;

/* Fresh worlds on both sides. NULL with err on failure. */
br_lockstep *br_lockstep_new(const br_fuzz_env *env, char *err, size_t errlen);
void br_lockstep_free(br_lockstep *ls);

/* Rewrites a step generated with the oracle's concrete ids (owned by the caller, changed
 * in place): every id that an earlier answer produced becomes "${name}". */
void br_lockstep_symbolize(br_lockstep *ls, json_t *step);

/* Plays one step (a symbolic fixture step, changed in place: new captures are written to
 * its "capture" object {name: JSON pointer}). When 'expect' is not NULL and the step is a
 * request, *expect receives the fixture expectation built from the oracle's answer (new
 * reference). Returns 1 on a divergence (d filled), 0 when both agree, -1 when the step
 * cannot be played (a capture it names was never bound, or a target failure; d->message). */
int br_lockstep_step(br_lockstep *ls, json_t *step, int index, br_divergence *d, json_t **expect);

/* Compares the worlds now if a state-changing step came after the last comparison;
 * returns as br_lockstep_step ('step' and 'index' name where a divergence is charged). */
int br_lockstep_check_world(br_lockstep *ls, json_t *step, int index, br_divergence *d);

/* The oracle's last answer to a request step (borrowed; NULL after other steps). */
const br_response *br_lockstep_oracle_answer(const br_lockstep *ls);

/* Plays a whole sequence on fresh worlds; returns as br_lockstep_step (stops at the first
 * divergence, or -1 at the first step that cannot be played). The worlds are compared after
 * the last step too when world_every left changes uncompared. */
int br_fuzz_play(const br_fuzz_env *env, json_t *steps, br_divergence *d);

/* Replays the (shrunk) sequence and writes it as a fixture (fixtures/README.md): requests as
 * played, expectations from the oracle's answers ("$capture:" / "${name}" for made-up ids,
 * "$any" for passwords), and an inspect step for a world divergence. 'id' names it, 'rule'
 * (may be NULL) is the rule it shows. New reference, or NULL with d->message. */
json_t *br_fuzz_fixture(const br_fuzz_env *env, const json_t *steps, const char *id,
                        const char *rule, const char *source, br_divergence *d);

/* A POSIX shell script replaying a fixture with curl against `brcheck serve` at $BRCHECK_URL
 * (admin API for the world, the clock and simulator operations; Bearer keys for Zilliz and
 * CockroachDB, Digest for Atlas) and judging it as `brcheck run --target` does, with python3:
 * exit 0 no difference, 1 the divergence reproduced, 2 set-up failed, 3 cannot judge.
 * Every fixture value is quoted so that it is sent byte for byte and never run. Owned
 * string, or NULL on allocation failure. */
char *br_fuzz_curl_script(const json_t *fixture, const char *mutant);

#endif
