/* brcheck model: the public API of the executable specification.
 * A world (tenants, clusters, data, backups, jobs, a virtual clock) answers HTTP-shaped
 * requests the way the vendors document; see shared docs rules.md for the rules. */
#ifndef BRCHECK_MODEL_H
#define BRCHECK_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Library errors: the library failing, never the service saying no (a 409 is BR_OK). */
#define BR_ERRNO_MAP(X)                                                                            \
    X(OK, 0, "success")                                                                            \
    X(ENOMEM, 1, "out of memory")                                                                  \
    X(EINVAL, 2, "invalid argument")                                                               \
    X(EWORLD, 3, "invalid world description")                                                      \
    X(ENOENT, 4, "no such object")

typedef enum {
#define BR_ERR_ENUM(name, num, msg) BR_##name = num,
    BR_ERRNO_MAP(BR_ERR_ENUM)
#undef BR_ERR_ENUM
} br_err;

/* Returns a static message for an error number. */
const char *br_strerror(int err);

/* Every documented rule, by catalog id (spec/rules/ *.json holds the same ids). */
typedef enum {
#define BR_RULE(sym, id) BR_RULE_##sym,
#include "brcheck/rules.def"
#undef BR_RULE
    BR_RULE_COUNT
} br_rule;

/* Returns the catalog id ("ZC-TIER") of a rule, or NULL when out of range. */
const char *br_rule_id(br_rule rule);
/* Returns the rule with that catalog id, or BR_RULE_COUNT when unknown. */
br_rule br_rule_from_id(const char *id);

typedef struct {
    uint64_t bits[(BR_RULE_COUNT + 63) / 64];
} br_ruleset;

static inline void br_ruleset_add(br_ruleset *s, br_rule r)
{
    s->bits[r / 64] |= (uint64_t)1 << (r % 64);
}
static inline bool br_ruleset_has(const br_ruleset *s, br_rule r)
{
    return (s->bits[r / 64] >> (r % 64)) & 1;
}

typedef enum { BR_VENDOR_ZILLIZ, BR_VENDOR_CRDB, BR_VENDOR_ATLAS, BR_VENDOR_COUNT } br_vendor;

/* "zilliz", "crdb", "atlas"; and back (BR_VENDOR_COUNT when unknown). */
const char *br_vendor_name(br_vendor v);
br_vendor br_vendor_from_name(const char *name);

typedef struct {
    const char *name;
    const char *value;
} br_header;

/* An HTTP-shaped request. Every pointer is borrowed for the duration of br_world_handle. */
typedef struct {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* "/v2/backups", without the query */
    const char *query;  /* "pageSize=10&currentPage=2", or NULL */
    const br_header *headers;
    size_t n_headers;
    const char *body; /* raw bytes, not necessarily NUL-terminated; NULL when none */
    size_t body_len;
    const char *caller_ip; /* the caller's address ("127.0.0.1"); NULL means unknown */
    /* A principal authenticated by the transport (the server's Digest check): the key's
     * public id. NULL means the model authenticates from the headers itself. */
    const char *principal;
} br_request;

/* Six: every header fixtures look at (Content-Type, WWW-Authenticate, Retry-After,
 * Location, Link, X-Error-Code) fits in one answer. */
#define BR_MAX_RESPONSE_HEADERS 6

/* An HTTP-shaped answer. Owned by the caller after br_world_handle; release with
 * br_response_clear. */
typedef struct {
    int status;
    json_t *body; /* owned; NULL for an empty body */
    bool pretty;  /* the caller asked for indented output (Atlas pretty=true) */
    br_header headers[BR_MAX_RESPONSE_HEADERS]; /* static strings or owned by 'owned' */
    size_t n_headers;
    char *owned[BR_MAX_RESPONSE_HEADERS];
    br_ruleset rules; /* the rules this request applied */
    br_vendor vendor; /* the dialect that answered */
    bool error;       /* the vendor said no (any error envelope) */
} br_response;

/* Frees what the response owns and zeroes it. Accepts NULL. */
void br_response_clear(br_response *res);
/* Serializes the body (compact, or indented when res->pretty). Returns an owned string,
 * "" for no body, or NULL on allocation failure. */
char *br_response_text(const br_response *res);

typedef struct br_world br_world;

/* Time in the model: seconds since the Unix epoch, virtual. */
typedef int64_t br_time;

/* Creates a world from a description (the fixture "given" format; see fixtures/README.md).
 * 'given' is borrowed; NULL gives an empty world. On failure returns NULL and, if 'err' is
 * not NULL, writes a message into err[errlen]. */
br_world *br_world_new(const json_t *given, char *err, size_t errlen);
/* Frees the world. Accepts NULL. */
void br_world_free(br_world *w);
/* A deep copy of a world that answers every request, clock step and check as the original
 * would from here on (a fraction of the cost of loading it again). NULL on allocation
 * failure. */
br_world *br_world_clone(const br_world *w);

/* Handles one request. 'res' is written in full (caller clears it). Returns BR_OK when
 * the model produced an answer (including vendor errors), BR_ENOMEM when an allocation
 * failed (res then holds nothing). */
int br_world_handle(br_world *w, const br_request *req, br_response *res);

/* The virtual clock. */
br_time br_world_now(const br_world *w);
/* Moves virtual time forward, running every job, schedule and expiry due on the way. */
int br_world_advance(br_world *w, br_time seconds);

/* Simulator operations (not vendor endpoints): write data into a collection or table (a
 * new content version; created if missing), and drop a cluster. */
int br_world_write(br_world *w, const char *cluster_id, const char *db, const char *schema,
                   const char *collection);
int br_world_drop_cluster(br_world *w, const char *cluster_id);
/* Pauses or resumes a cluster (Atlas) and similar flags: "paused", "encrypted", "sharded". */
int br_world_set_flag(br_world *w, const char *cluster_id, const char *flag, bool value);

/* A simulator operation as data: {"op": "write", "cluster", "db", "schema", "collection"},
 * {"op": "drop_cluster", "cluster"}, {"op": "set_flag", "cluster", "flag", "value"} (borrowed).
 * BR_OK, BR_ENOENT (no such cluster) or BR_EINVAL (malformed or refused). */
int br_world_sim(br_world *w, const json_t *op);

/* A JSON picture of the whole world (clusters with content versions, backups, jobs),
 * for inspection and digests. Returns a new reference, or NULL on allocation failure. */
json_t *br_world_dump(const br_world *w);
/* A 64-bit digest of the world's observable state (INV-ATOMIC compares two). Backup ids
 * are written once, when a backup is made, and stand in it by their position. */
uint64_t br_world_digest(const br_world *w);

/* How many ids and content versions the world has drawn (they are never given back, not
 * even by a refused request that rolled its objects back). A caller that journals requests
 * for replay may drop one that answered an error and left this unchanged: by INV-ATOMIC it
 * changed nothing else a replay could observe. */
uint64_t br_world_draws(const br_world *w);

/* A shadow: a copy of a world's objects kept to tell whether the world changed since it was
 * taken, for callers that ask after every request (the fuzzing harnesses' INV-ATOMIC). It
 * costs a memory comparison where br_world_digest hashes every field, and it is stricter:
 * every field counts (times, expiries, names, job parameters, access lists), except the
 * caches nothing observes and the counter ids are drawn from. Strings count up to their NUL.
 * Shared snapshots count by identity (INV-SOURCE, in br_world_check, checks they never
 * change). */
typedef struct br_world_shadow br_world_shadow;
/* An empty shadow (its first sync reports a change), or NULL on allocation failure. */
br_world_shadow *br_world_shadow_new(void);
/* Accepts NULL. */
void br_world_shadow_free(br_world_shadow *s);
/* Compares w with the shadow (*changed: whether anything differs), then makes the shadow a
 * copy of w. BR_OK, or BR_ENOMEM when the copy failed (the next sync reports a change). */
int br_world_shadow_sync(br_world_shadow *s, const br_world *w, bool *changed);

/* Checks the invariants (INV-*) over the world. Returns the number of violations and
 * writes the first one's rule and message. */
int br_world_check(const br_world *w, br_rule *rule, char *msg, size_t msglen);
/* The same check limited to what the last br_world_shadow_sync(s, w) saw change, for callers
 * that check after every request (the fuzzing harnesses): every job (progress moves with
 * the clock), the backups that changed or are new, and INV-IDS over every id (kept by the
 * shadow, which looks only at new ids and at ids rewritten). A snapshot changed in place is
 * not seen (the shadow compares snapshots by identity): br_world_check sees it. Checks
 * everything when the shadow cannot tell. */
int br_world_check_changed(const br_world *w, const br_world_shadow *s, br_rule *rule, char *msg,
                           size_t msglen);

/* Puts the world's caches, which nothing observes, in a state that depends on the world
 * alone: list views dropped, id indexes filled. For callers that keep one world across
 * unrelated requests (the fuzzing harnesses): otherwise a request's path depends a little
 * on the requests before it (a view kept for the cluster asked last, an index filled on
 * first use or refilled after a rolled-back creation). */
void br_world_reset_caches(br_world *w);

/* The private key of the Atlas API key with that public key (borrowed; "" when the world
 * gave none), or NULL when there is no such Atlas key. For a transport's Digest check. */
const char *br_world_atlas_secret(const br_world *w, const char *public_key);

/* Mutants: the world with exactly one rule broken. BR_RULE_COUNT switches it off. */
void br_world_set_mutant(br_world *w, br_rule rule);
/* Returns true when the model has a mutant for the rule (a guard it can switch off). */
bool br_rule_has_mutant(br_rule rule);

/* Behaviour profile where the documents allow more than one outcome:
 * "default" or "strict"/"alternate" (see spec). Returns BR_EINVAL when unknown. */
int br_world_set_profile(br_world *w, const char *profile);

/* Allocation-failure injection for tests: the n-th allocation from now on fails
 * (0 switches it off). Process-wide; not thread-safe; for tests only. */
void br_alloc_fail_after(unsigned long n);
/* Number of allocations that failed on purpose since the last br_alloc_fail_after. */
unsigned long br_alloc_failures(void);

#ifdef __cplusplus
}
#endif
#endif
