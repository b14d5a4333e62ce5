/* The conformance runner: plays fixtures against a target, step by step, and collects
 * violations, each naming its rule, fixture, step, expectation and answer. */
#ifndef BR_RUNNER_H
#define BR_RUNNER_H

#include "brcheck/model.h"

#include <stdio.h>

/* A target: where requests go. The in-process model is one; others implement the same. */
typedef struct br_target br_target;
struct br_target {
    const char *name;
    /* Starts a fresh world from 'given' (borrowed). BR_OK or an error with err set. */
    int (*reset)(br_target *t, const json_t *given, const char *profile, char *err, size_t errlen);
    int (*send)(br_target *t, const br_request *req, br_response *res);
    int (*advance)(br_target *t, br_time seconds);
    /* Simulator operation ({"op": ...}); BR_OK, BR_ENOENT or BR_EINVAL (refused). */
    int (*sim)(br_target *t, const json_t *op);
    json_t *(*dump)(br_target *t); /* new reference or NULL when unsupported */
    bool (*digest)(br_target *t, uint64_t *out);
    /* Invariant check over the target's own state, when it can (the model can). */
    int (*check)(br_target *t, br_rule *rule, char *msg, size_t msglen);
    void (*close)(br_target *t);
    void *self;
    /* Optional hooks of remote targets (NULL on the model). The reason of the last failed
     * send (borrowed, valid until the next call). */
    const char *(*error)(br_target *t);
    /* After a send: true and msg when the answer's status class differs from the in-process
     * model's run in lockstep. */
    bool (*diverged)(br_target *t, char *msg, size_t msglen);
    /* Real-time await: waits before poll 'attempt' (1-based); false once the await's
     * wall-clock budget is spent. When set, await steps do not advance virtual time. */
    bool (*poll_wait)(br_target *t, unsigned attempt);
    /* Before reset: true and why when the fixture (borrowed) cannot be set up on this target
     * (its "needs", the profile's skip list); it is then skipped and counted. */
    bool (*skips)(br_target *t, const json_t *fixture, char *why, size_t len);
    /* Why the world this run loaded is no longer the target's (another client loaded one into
     * the same server), or NULL. What follows is not the target's answer to this run: the
     * fixture ends there, as an error. */
    const char *(*lost)(br_target *t);
};

/* The in-process model target; 'mutant' is a rule to switch off (BR_RULE_COUNT: none). */
br_target *br_model_target_new(br_rule mutant);

/* A request built from a fixture step's "request" object (captures already substituted).
 * 'vendor' says how "key" authenticates; a path under /api/atlas/ always names a Digest
 * principal. Owned by the caller (br_built_free); NULL with msg on a bad request. */
typedef struct br_built br_built;
br_built *br_step_build(const json_t *request, br_vendor vendor, char *msg, size_t msglen);
const br_request *br_built_request(const br_built *b); /* borrowed from b */
void br_built_free(br_built *b);

typedef struct {
    char rule[40];
    int step; /* 1-based; 0 for the fixture as a whole */
    char step_name[128];
    char message[1024];
    char *expected; /* owned, may be NULL */
    char *actual;   /* owned, may be NULL */
} br_violation;

typedef enum { BR_FIX_PASS, BR_FIX_FAIL, BR_FIX_SKIP, BR_FIX_ERROR } br_fixture_status;

typedef struct {
    char id[128];
    char file[1024];
    char vendor[16];
    br_fixture_status status;
    char skip_reason[256];
    json_t *rules;   /* borrowed from the fixture: {"ZC-TIER": "refuses"} */
    json_t *fixture; /* owned */
    br_violation *violations;
    size_t n_violations;
    int steps_run;
    double seconds;
} br_fixture_result;

/* What a run was asked for, as given on the command line: what a reproduce command repeats
 * and the reports record. Borrowed strings; NULL for the defaults (target "model", profile
 * "default", no mutant). */
typedef struct {
    const char *target;
    const char *profile;
    const char *mutant;
} br_run_context;

typedef struct {
    br_fixture_result *fixtures;
    size_t n;
    size_t passed, failed, skipped, errors;
    br_run_context context;
} br_run;

/* Loads every fixture under the paths (files or folders, recursively *.json) into run,
 * sorted by file name. Unreadable or malformed fixtures become BR_FIX_ERROR entries. */
int br_run_load(br_run *run, char *const paths[], size_t n_paths);
/* Every exchange of later runs is appended to 'log' as one JSON line {vendor, method, path,
 * status, body} with secrets redacted (NULL: no log). Borrowed. */
void br_run_set_traffic_log(FILE *log);
/* Plays every loaded fixture against the target. */
void br_run_execute(br_run *run, br_target *t, const char *profile);
void br_run_free(br_run *run);
/* Sets run's passed/failed/skipped/errors from its fixtures' statuses. */
void br_run_count(br_run *run);
/* A fixture duration: seconds as an integer, or "90", "15m", "4h", "8d". False when it is
 * none of these or negative. */
bool br_fixture_duration(const json_t *v, br_time *out);

/* The shell command that plays the fixture 'file' again as 'run' did: `brcheck run` with the
 * run's --target, --profile and --mutant where they are not the defaults, then the file;
 * every argument a POSIX shell would split or expand is single-quoted. With 'from_root' the
 * paths are relative to the source tree's root inside it and absolute outside it, so that
 * the command runs from the root (the CI reports); else they are as given, for the directory
 * the run started in. Owned by the caller (free); NULL when out of memory. */
char *br_reproduce_command(const br_run *run, const char *file, bool from_root);

/* Per-rule tallies of a run: only fixtures that ran (passed or failed) show a rule holding or
 * refused; skipped and errored fixtures are counted apart, never as a rule that holds. */
typedef struct {
    int fixtures;   /* fixtures that ran and name or violate the rule, or stopped with an
                       error after an answer violated it */
    int holds;      /* of those, naming it "holds" */
    int refuses;    /* of those, naming it "refuses" */
    int violations; /* violations of the rule seen in answers */
    int failing;    /* fixtures with such a violation */
    int skipped;    /* skipped fixtures naming the rule */
    int errors;     /* other fixtures naming the rule that did not load or stopped with an
                       error */
} br_rule_tally;
/* The tally of rule 'id' over the fixtures of 'run' of vendor 'vendor' (NULL: all). */
br_rule_tally br_run_tally(const br_run *run, const char *id, const char *vendor);

/* Writes the JSON report (machines) to 'path'. Returns 0 on success, else -1 with errno set. */
int br_report_json(const br_run *run, const char *target, const char *path);
/* Prints the failures and the per-rule summary. */
void br_report_text(const br_run *run, FILE *out, bool verbose);
/* CI formats, each written to 'path' from the recorded (already redacted) violations; 0 on
 * success, else -1 with errno set. JUnit XML (one testsuite per vendor, one testcase per
 * fixture), SARIF 2.1.0 (the catalog as rules, one result per violation), a self-contained
 * HTML page (rule x vendor matrix, diffs of expected and actual), a Markdown summary for pull
 * requests. */
int br_report_junit(const br_run *run, const char *target, const char *path);
int br_report_sarif(const br_run *run, const char *target, const char *path);
int br_report_html(const br_run *run, const char *target, const char *path);
int br_report_markdown(const br_run *run, const char *target, const char *path);
/* Writes one report with 'write' (one of the above) to 'path'. On failure returns -1 with
 * the reason in 'why' and removes what was written of a regular file, so that no cut report
 * is left to be read as a whole one. */
int br_report_write(int (*write)(const br_run *, const char *, const char *), const br_run *run,
                    const char *target, const char *path, char *why, size_t whylen);
/* An output file of a run (the traffic log): opened for writing, replacing what was there;
 * NULL with the reason in 'why'. */
FILE *br_output_open(const char *path, char *why, size_t whylen);
/* Ends writing to an output stream: flushes it and, with 'close', closes it (takes f).
 * 0, or -1 with the reason in 'why' when any write to it failed. */
int br_output_finish(FILE *f, bool close, char *why, size_t whylen);
/* Called before each fixture of later runs: done is 1-based, label the fixture id (NULL
 * callback: none). See progress.h for the terminal progress line. */
void br_run_set_progress(void (*cb)(void *ctx, size_t done, size_t total, const char *label),
                         void *ctx);

#ifndef BR_VERSION
#define BR_VERSION "0.1.0"
#endif

/* The catalog (spec/rules/ *.json, embedded): a JSON array of rule objects. Borrowed,
 * loaded once. */
const json_t *br_catalog(void);
const json_t *br_catalog_rule(const char *id);

/* Observed invariants over the answers of one fixture run (INV-TERMINAL, INV-PROGRESS,
 * INV-TIME): feed every answer body; returns false and fills rule/msg on a violation. */
typedef struct br_observer br_observer;
br_observer *br_observer_new(void);
void br_observer_free(br_observer *o);
bool br__observe(br_observer *o, const json_t *body, char rule[40], char *msg, size_t msglen);

#endif
