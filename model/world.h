/* The world's internal layout, shared by the core and the vendor dialects (br__ prefix).
 * Objects live in growable arrays and refer to each other by index; nothing is ever
 * removed (a deleted object keeps its slot), so ids are never reused (INV-IDS). */
#ifndef BR_WORLD_H
#define BR_WORLD_H

#include "brcheck/model.h"

#include <stdarg.h>
#include <string.h>

#define BR_ID_MAX 48
#define BR_NAME_MAX 64
#define BR_STATE_MAX 24

/* ---- allocation (alloc.c): every model allocation goes through these ---- */
void *br__malloc(size_t n);
void *br__calloc(size_t n, size_t size);
void *br__realloc(void *p, size_t n);
void br__free(void *p);
char *br__strdup(const char *s);
/* Grows *v (elements of 'size') so that it can hold 'need' of them, the new room zeroed.
 * BR_OK or BR_ENOMEM. */
int br__grow(void **v, size_t *cap, size_t need, size_t size);
/* The same, the new room left as the allocator gives it: for arrays whose adders clear each
 * element (zeroing the whole new room touched every page of it at once, most of it long
 * before use: a world of growing object arrays paid a page fault per 4 KiB up front). */
int br__grow_unzeroed(void **v, size_t *cap, size_t need, size_t size);

/* ---- time (clock.c) ---- */
/* Writes "YYYY-MM-DDTHH:MM:SSZ" into out[21]. */
void br__time_format(br_time t, char out[21]);
/* Parses RFC 3339 ("2024-08-26T02:27:51Z", offsets and fractions allowed). Returns BR_OK. */
int br__time_parse(const char *s, br_time *out);
/* Parses a duration "90", "90s", "15m", "4h", "7d". Returns BR_OK. */
int br__duration_parse(const char *s, br_time *out);
/* A JSON string holding the formatted time (new reference, NULL on failure). */
json_t *br__time_json(br_time t);

/* Copies 'src' into the char array 'dst' of 'cap' bytes, cut to fit, always terminated: what
 * snprintf(dst, cap, "%s", src) does, without the format machinery (it was most of the cost
 * of taking a scheduled backup). br__set_text(array, src) takes the array's own size. */
static inline void br__copy_text(char *dst, size_t cap, const char *src)
{
    size_t n = strnlen(src, cap - 1);
    memcpy(dst, src, n);
    dst[n] = '\0';
}
#define br__set_text(array, src) br__copy_text((array), sizeof(array), (src))
/* Writes v in decimal at 'out' (room for 21 bytes), no terminator; returns the end. */
static inline char *br__put_int(char *out, long long v)
{
    char digits[20];
    int n = 0;
    unsigned long long u = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0) *out++ = '-';
    while (n)
        *out++ = digits[--n];
    return out;
}

/* ---- content: databases, schemas and collections/tables with content versions ---- */
typedef struct {
    char db[BR_NAME_MAX];
    char schema[BR_NAME_MAX]; /* "" where the vendor has no schemas */
    char name[BR_NAME_MAX];
    int64_t version; /* content version: bumped by every write */
    bool loaded;     /* Zilliz load state */
} br_item;

typedef struct {
    br_item *items;
    size_t n_items, cap_items;
    char (*dbs)[BR_NAME_MAX]; /* databases, also empty ones */
    size_t n_dbs, cap_dbs;
    size_t refs; /* holders of a shared, immutable snapshot (backups); 0 for a cluster's own */
} br_content;

void br__content_free(br_content *c);
/* Shared snapshots: a backup's content is captured once and never changes (INV-SOURCE), so
 * backups of an unchanged cluster share one copy. A new snapshot holding a copy of src
 * (refs 1), or NULL on allocation failure. */
br_content *br__content_snapshot(const br_content *src);
/* Moves *c (emptied) into a new snapshot (refs 1); NULL on allocation failure (*c kept). */
br_content *br__content_adopt(br_content *c);
/* One more holder of a snapshot (returns it); dropping one frees the last. Accept NULL. */
br_content *br__content_share(br_content *snap);
void br__content_release(br_content *snap);
/* True when both hold the same items and databases in the same order. */
bool br__content_same(const br_content *a, const br_content *b);
int br__content_copy(br_content *dst, const br_content *src);
int br__content_add_db(br_content *c, const char *db);
bool br__content_has_db(const br_content *c, const char *db);
/* Finds an item (schema NULL matches any). Returns the index or -1. */
long br__content_find(const br_content *c, const char *db, const char *schema, const char *name);
/* Adds an item (and its database). Returns the index or -1 on allocation failure. */
long br__content_add(br_content *c, const char *db, const char *schema, const char *name,
                     int64_t version, bool loaded);
void br__content_remove_db(br_content *c, const char *db);
void br__content_clear(br_content *c);
/* Order-independent digest of names and versions (load state excluded). */
uint64_t br__content_hash(const br_content *c);

/* ---- tenants ---- */
typedef struct {
    char id[BR_ID_MAX];
    char name[BR_NAME_MAX];
    br_vendor vendor;
    /* Atlas: the organization's API access list (addresses or CIDR blocks). */
    char (*access)[48];
    size_t n_access, cap_access;
} br_org;

typedef struct {
    char id[BR_ID_MAX];
    char name[BR_NAME_MAX];
    int org;
} br_project;

/* A role grant: role name as the vendor spells it, scoped to the organization (scope ""),
 * a project/group id or a cluster id. */
typedef struct {
    char role[40];
    char scope[BR_ID_MAX];
} br_grant;

typedef struct {
    char key[96];    /* Bearer token, or Atlas public key */
    char secret[96]; /* Atlas private key ("" for Bearer keys) */
    int org;
    br_grant *grants;
    size_t n_grants;
} br_key;

/* ---- clusters ---- */
typedef struct {
    bool set;
    bool enabled;
    char frequency[32];  /* Zilliz "1,3,5" */
    char window[16];     /* Zilliz "HH:mm-HH:mm" */
    int retention_days;  /* Zilliz 1..30; CockroachDB {2,7,30,90,365} */
    int frequency_min;   /* CockroachDB */
    int retention_edits; /* CockroachDB: retention may change once */
    br_time last_run;    /* last scheduled backup (0: none yet) */
    /* Zilliz, read from 'window' and 'frequency' whenever they are written
     * (br__zc_policy_derive), so that the time loop does not parse them at every event: */
    int16_t start_minute; /* the window's start, -1 when 'window' is not a valid window */
    uint8_t weekdays;     /* bit d set when 'frequency' names weekday d (1 = Monday) */
} br_policy;

typedef struct {
    char id[BR_ID_MAX];
    char name[BR_NAME_MAX];
    br_vendor vendor;
    int project;             /* index into w->projects */
    char plan[BR_STATE_MAX]; /* Zilliz Free|Serverless|Standard|Enterprise; CC BASIC|...; Atlas tier
                              */
    char provider[16];       /* aws, gcp, azure */
    char region[48];         /* Zilliz "aws-us-west-2" */
    char cu_type[48];        /* Zilliz "Performance-optimized" */
    int cu_size;
    char status[BR_STATE_MAX]; /* RUNNING, CREATING, RESTORING, DELETED, ... */
    int mongo_major;           /* Atlas */
    bool encrypted, sharded, paused;
    bool dropped;
    br_time created;
    int restoring_job; /* job writing into this cluster, -1 when none */
    br_content content;
    int32_t n_backups; /* backups taken of it so far (counted lazily, zilliz_backups.c) */
    br_content *snap;  /* the last snapshot taken of 'content' (shared with backups) or NULL */
    br_policy policy;
} br_cluster;

/* ---- backups, snapshots ----
 * Kept small: a world holds up to millions of them (design.md, scale). */
typedef struct {
    char id[BR_ID_MAX];
    char name[BR_NAME_MAX];
    char status[16]; /* Zilliz CREATING|AVAILABLE; Atlas PENDING..COMPLETED */
    char type[12];   /* CLUSTER | COLLECTION */
    char mongo_version[16];
    br_time created, started, finished, expires; /* 0: none */
    int64_t size;
    uint64_t content_hash;
    br_content *content; /* shared snapshot captured at creation: the point in time */
    int32_t cluster;     /* source cluster index */
    int32_t project;
    int32_t job; /* the job that creates it, -1 when none */
    uint8_t vendor;
    bool manual;
    bool deleted;
} br_backup;

/* ---- jobs: backups, restores, exports, downloads ---- */
typedef struct {
    char id[BR_ID_MAX];
    br_vendor vendor;
    char type[16];             /* BACKUP | RESTORE | EXPORT | DOWNLOAD */
    char status[BR_STATE_MAX]; /* vendor spelling */
    br_time created, started, finished;
    br_time queue_s, run_s; /* time before starting, time running */
    int project;
    int backup;      /* -1 when none */
    int src_cluster; /* -1 when none */
    int dst_cluster; /* -1 when none */
    bool failing;    /* decided at create: ends FAILED */
    int error_code;  /* the vendor's code when it FAILED, 0: none */
    json_t *reason;  /* owned, shared by world copies, never changed: why it FAILED, or NULL */
    json_t *params;  /* owned: the dialect's request parameters */
    bool was_terminal;
    int last_progress;
    uint64_t expected_hash; /* INV-CONTENT: what the restore must produce */
    uint64_t result_hash;   /* what it produced, at completion */
} br_job;

/* ---- the world ---- */
typedef struct {
    br_time backup_queue, backup_run;
    br_time restore_queue, restore_run;
    br_time export_queue, export_run;
    br_time download_run;
} br_durations;

/* An id -> index hash table over one object array (world.c): open addressing, slots hold
 * index + 1. A cache: filled lazily up to the array's length, rebuilt after a rollback;
 * when it cannot grow, look-ups fall back to a scan. */
typedef struct {
    uint32_t *slots;
    size_t cap; /* power of two, 0: none */
    size_t synced;
} br_id_index;

/* Due times (jobs.c): a binary min-heap of (time, index), ties by index. Entries go
 * stale when their object changes; each user checks an entry against the object. */
typedef struct {
    br_time t;
    uint32_t index;
} br_due;

typedef struct {
    br_due *v;
    size_t n, cap;
} br_heap;

/* A cached, ordered list of the backups (or jobs) one list endpoint shows for a cluster,
 * valid while the world's epoch is unchanged (jobs.c). */
typedef struct {
    uint32_t *v;
    size_t n, cap;
    uint64_t epoch; /* epoch + 1 when built; 0: never */
    size_t scanned; /* objects [0, scanned) were considered */
    int32_t cluster;
    int32_t project; /* the project of every entry, -1 when mixed */
} br_view;

enum {
    BR_VIEW_ZC_BACKUPS,
    BR_VIEW_CC_BACKUPS,
    BR_VIEW_CC_RESTORES,
    BR_VIEW_MA_SNAPSHOTS,
    BR_VIEW_MA_RESTORES,
    BR_VIEW_COUNT
};

struct br_world {
    br_time now;
    uint64_t seed;
    uint64_t id_counter;
    br_durations dur;
    br_rule mutant; /* BR_RULE_COUNT: none */
    bool strict;    /* the alternate profile where rules allow two outcomes */
    br_org *orgs;
    size_t n_orgs, cap_orgs;
    br_project *projects;
    size_t n_projects, cap_projects;
    br_key *keys;
    size_t n_keys, cap_keys;
    br_cluster *clusters;
    size_t n_clusters, cap_clusters;
    br_backup *backups;
    size_t n_backups, cap_backups;
    br_job *jobs;
    size_t n_jobs, cap_jobs;
    size_t jobs_open_from; /* every job before this index is terminal (jobs.c) */
    /* Caches for scale (world.c, jobs.c): none of them is observable. */
    br_id_index ix_clusters, ix_backups, ix_jobs, ix_projects;
    br_heap job_due;                 /* open jobs by next transition */
    size_t jobs_queued;              /* jobs [0, jobs_queued) are in job_due */
    br_heap expiry[BR_VENDOR_COUNT]; /* live backups by expiry time */
    size_t backups_queued;           /* backups [0, backups_queued) are in expiry */
    size_t backups_counted;          /* backups [0, backups_counted) are in n_backups */
    uint64_t epoch;                  /* bumped by anything that may change the world */
    br_view views[BR_VIEW_COUNT];    /* one cached list per endpoint (the last cluster asked) */
};

/* ---- the invariant check (world.c) and what a shadow saw change (world_shadow.c) ---- */
/* Where a check writes: the number of violations, the first one's rule and message. */
typedef struct {
    int n;
    br_rule *rule;
    char *msg;
    size_t msglen;
} br__findings;
void br__finding(br__findings *f, br_rule rule, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Backups are compared (and flagged as changed) this many at a time. */
#define BR__SHADOW_BLOCK 16
typedef struct {
    const uint8_t *backup_blocks; /* per block of backups: changed or new at the last sync */
    size_t n_blocks;
    const char *id_twice; /* an id that two clusters, backups or jobs hold, or NULL */
} br__shadow_changes;
/* What the last sync of s saw change; false when it cannot tell for w (no sync, a failed
 * copy, or w is not the world it was synced with): everything is to be checked. */
bool br__shadow_changes_get(const br_world_shadow *s, const br_world *w, br__shadow_changes *out);

/* Adds objects; each returns the new index or -1 on allocation failure. */
long br__world_add_cluster(br_world *w);
long br__world_add_backup(br_world *w);
long br__world_add_job(br_world *w);
long br__world_find_cluster(const br_world *w, const char *id); /* by id */
long br__world_find_cluster_name(const br_world *w, int project, const char *name);
long br__world_find_project(const br_world *w, const char *id);
long br__world_find_backup(const br_world *w, const char *id);
long br__world_find_job(const br_world *w, const char *id);
/* Undoes the last add (a creation that failed half-way); the caches notice. */
void br__world_unadd_cluster(br_world *w);
void br__world_unadd_backup(br_world *w);
void br__world_unadd_job(br_world *w);
/* Frees what a backup owns (its content reference). */
void br__backup_free(br_backup *b);
/* A shared snapshot of the cluster's content now (reused while the content is unchanged),
 * or NULL on allocation failure. */
br_content *br__cluster_capture(br_world *w, long cluster);

/* ---- due times and list caches (jobs.c) ---- */
/* Brings the job and expiry heaps up to date with new objects. BR_OK or BR_ENOMEM. */
int br__events_sync(br_world *w);
/* The earliest live expiry of the vendor's backups (0: none). */
br_time br__expiry_next(const br_world *w, br_vendor v);
/* Marks every live backup of the vendor expiring at or before 'at' deleted, but one that a
 * running restore or export reads: that one goes right after the last such job ends. */
void br__expiry_run(br_world *w, br_vendor v, br_time at);
/* Removes backup bi (gone with its cluster, ZC-RETAIN), or, while a running restore or export
 * reads it, makes it expire now and go right after the last such job ends. */
void br__backup_remove(br_world *w, size_t bi);
/* The world may have changed: cached lists are stale. */
void br__world_touch(br_world *w);
/* Objects were taken back (a rollback): every cached list is rebuilt. */
void br__views_reset(br_world *w);
/* The cached view 'which' of the n objects (backups or jobs) for a cluster: those 'keep'
 * accepts, in the order 'before' gives. A view is rebuilt when the world changed; a
 * 'stable' one (membership and order fixed at creation: jobs) only takes in new objects.
 * NULL on allocation failure (callers then scan). */
const br_view *br__view(br_world *w, int which, long cluster, size_t n, bool stable,
                        bool (*keep)(const br_world *w, size_t i, long cluster),
                        bool (*before)(const br_world *w, uint32_t a, uint32_t b));
int br__heap_push(br_heap *h, br_time t, uint32_t index);
void br__heap_pop(br_heap *h);

/* Deterministic ids from the world's seed: prefix + 'hexlen' hex digits ("in01-", 15). */
void br__world_new_id(br_world *w, const char *prefix, int hexlen, char out[BR_ID_MAX]);
/* A random-looking deterministic secret (restoreCluster passwords). */
void br__world_new_secret(br_world *w, char out[24]);
/* Canonical UUID form (CockroachDB). */
void br__world_new_uuid(br_world *w, char out[BR_ID_MAX]);

/* ---- request context and dispatch (dispatch.c) ---- */
#define BR_MAX_SEGS 16
#define BR_MAX_PARAMS 6
#define BR_MAX_QUERY 24

typedef struct {
    char *name;
    char *value;
} br_kv;

typedef struct br_ctx {
    br_world *w;
    const br_request *req;
    br_response *res;
    br_vendor vendor;
    const br_key *key; /* authenticated key, NULL before auth */
    long key_index;
    const char *params[BR_MAX_PARAMS]; /* path captures, in pattern order */
    size_t n_params;
    br_kv query[BR_MAX_QUERY];
    size_t n_query;
    json_t *body; /* parsed body (owned by the context), NULL when none */
    bool oom;     /* an allocation failed while answering */
    char *buf;    /* the working copy of the path */
} br_ctx;

typedef int (*br_handler)(br_ctx *ctx);

typedef struct {
    const char *method;
    const char *pattern; /* "/v2/clusters/{}/backups/{}": {} captures one segment */
    br_handler handler;
    bool needs_body; /* parse the body as a JSON object first */
} br_route;

typedef struct {
    br_vendor vendor;
    const char *prefix; /* path prefix that selects the dialect */
    const br_route *routes;
    size_t n_routes;
    /* Authenticates: on success sets ctx->key and returns true; otherwise writes the
     * vendor's 401 into ctx->res and returns false. */
    bool (*authenticate)(br_ctx *ctx);
    /* Writes the vendor's error for a library-level refusal: kind is one of the
     * BR_FAIL_* values below. */
    void (*fail)(br_ctx *ctx, int kind, const char *message);
    /* Job life-cycle hooks (may be NULL): called when a job starts running and when it
     * reaches its end; they apply the effect (content copied, cluster created ...). */
    int (*job_started)(br_world *w, br_job *job);
    int (*job_finished)(br_world *w, br_job *job);
    /* Periodic work (schedules, expiries): the earliest time at which the dialect has
     * something to do (0: nothing; a time at or before the clock: due now), and doing it at
     * 'at'. next_event reads the world's state alone, never the clock ('after' is unused):
     * run_until keeps its answer until a job steps or an event runs. */
    br_time (*next_event)(const br_world *w, br_time after);
    int (*run_event)(br_world *w, br_time at);
    /* Post-processing of a successful answer (Atlas envelope/pretty). May be NULL. */
    void (*finish)(br_ctx *ctx);
} br_dialect;

enum {
    BR_FAIL_BAD_JSON = 1, /* malformed body, bad UTF-8, too deep */
    BR_FAIL_TOO_LARGE,    /* body over the limit */
    BR_FAIL_NO_ROUTE,     /* unknown path */
    BR_FAIL_NO_METHOD,    /* known path, other method */
    BR_FAIL_NOT_OBJECT,   /* body is JSON but not an object */
};

#define BR_MAX_BODY (1024 * 1024)

extern const br_dialect br__zilliz_dialect;
extern const br_dialect br__crdb_dialect;
extern const br_dialect br__atlas_dialect;
const br_dialect *br__dialect(br_vendor v);

/* Records that a rule was applied. When 'refuses' is true the rule wants to refuse the
 * request; the function returns whether it really does (false when the rule is the
 * world's mutant). Guards read: if (br__rule(ctx, BR_RULE_ZC_TIER, !dedicated)) ... */
bool br__rule(br_ctx *ctx, br_rule rule, bool refuses);
/* Records a rule with no refusal (an effect the request relies on). */
void br__applied(br_ctx *ctx, br_rule rule);
/* True when 'rule' is switched off in this world (mutant). */
bool br__mutated(const br_world *w, br_rule rule);

/* Query parameter by name, or NULL. */
const char *br__query(const br_ctx *ctx, const char *name);
/* Request header by name (case-insensitive), or NULL. */
const char *br__header(const br_ctx *ctx, const char *name);

/* JSON building that remembers failures: sets ctx->oom when 'v' is NULL or setting fails.
 * Steals v. */
void br__set(br_ctx *ctx, json_t *obj, const char *key, json_t *v);
void br__append(br_ctx *ctx, json_t *arr, json_t *v);
/* Error messages echo the caller's input ("Invalid projectId %s.", a body's bad bytes quoted
 * by the JSON parser): bytes that are not UTF-8, or a sequence cut short by the message's
 * size, become '?' in place, so that the JSON answer can hold the message. */
void br__utf8_scrub(char *s);
/* Sets the answer: status and body (stolen; NULL body sets ctx->oom). */
void br__answer(br_ctx *ctx, int status, json_t *body);

/* Body field helpers. Each returns true when the field is absent or well-typed and
 * stores it; on a wrong type returns false. */
bool br__body_string(const json_t *obj, const char *key, const char **out);
bool br__body_int(const json_t *obj, const char *key, bool *present, long long *out);
bool br__body_bool(const json_t *obj, const char *key, bool *present, bool *out);

/* Roles: true when 'k' holds one of the NULL-terminated 'roles' at organization level, or
 * for 'scope' (a project or cluster id; NULL checks organization level only). */
bool br__key_has_role(const br_key *k, const char *scope, const char *const roles[]);
/* True when the key may see the project at all (any grant on it or organization level). */
bool br__key_sees_project(const br_world *w, const br_key *k, int project);

/* ---- jobs (jobs.c) ---- */
/* Creates a job in the vendor's first state at w->now. Returns its index or -1. */
long br__job_new(br_world *w, br_vendor v, const char *type, int project, br_time queue_s,
                 br_time run_s);
bool br__job_terminal(const br_job *j);
bool br__job_running(const br_job *j); /* not yet terminal */
/* A job found at its completion unable to have its effect (its vendor's job_finished): it
 * ends FAILED with the reason (a new JSON string) and the vendor's error code (0: none).
 * BR_OK or BR_ENOMEM. */
int br__job_fail(br_job *j, int code, const char *why);
/* Progress 0..100 at the world's current time. */
int br__job_progress(const br_world *w, const br_job *j);

/* ---- world loading and dumping (world.c, world_load.c) ---- */
int br__world_load(br_world *w, const json_t *given, char *err, size_t errlen);
/* A world entry ('what', as "clusters[0] (in01-a)") is an object whose every key is one of
 * 'known' (NULL-terminated): otherwise BR_EWORLD, err naming the entry and the key. */
int br__world_entry(const json_t *o, const char *what, const char *const *known, char *err,
                    size_t errlen);
/* o's 'key' is absent or an array: otherwise BR_EWORLD, err naming 'what' and the key. */
int br__world_list(const json_t *o, const char *key, const char *what, char *err, size_t errlen);

#endif
