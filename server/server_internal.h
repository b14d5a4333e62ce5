/* Internals of the mock server shared by its files (br__ prefix): the hosted world with its
 * lock and journal, faults, and the admin API. */
#ifndef BR_SERVER_INTERNAL_H
#define BR_SERVER_INTERNAL_H

#include "server.h"

#include <pthread.h>
#include <stdio.h>

/* The longest request body the server keeps; a longer one is refused on its length (413). */
#define BR__MAX_BODY (1024 * 1024)

/* ---- journal (journal.c): a header line "brcheck-journal 2", then one record per line,
 * "crc32hex length json\n" ---- */
typedef struct br__journal br__journal;

/* Opens (creating) the journal and hands every intact record to 'apply' in order. A torn
 * last record is reported on stderr and cut off; damage before the end is an error. A path
 * that is not a regular file, a file without the header line and a journal another process
 * holds (an exclusive flock) are refused, the file untouched. Returns NULL and writes err
 * (naming the file and the reason) on failure. */
typedef int (*br__journal_apply)(void *ctx, const json_t *record, char *err, size_t errlen);
br__journal *br__journal_open(const char *path, br__journal_apply apply, void *ctx,
                              size_t *replayed, char *err, size_t errlen);
/* Appends one record and flushes it to disk (fdatasync). Returns 0, or -1 (errno set) with
 * the journal as it was before the call (what was written of the record is cut off). */
int br__journal_append(br__journal *j, const json_t *record);
/* Where the next record goes; br__journal_unwind(j, mark) takes back the records written
 * since (a request that changed nothing a replay needs). */
long long br__journal_mark(br__journal *j);
void br__journal_unwind(br__journal *j, long long mark);
/* Replaces the journal with one record (a new world makes earlier records moot): written to
 * FILE.new in the same folder, synced, renamed over FILE, the folder synced. Returns 0, or
 * -1 (errno set) with the old journal still in place and in use. */
int br__journal_replace(br__journal *j, const json_t *record);
void br__journal_close(br__journal *j);
/* CRC-32 (IEEE) of a buffer, exposed for tests. */
uint32_t br__crc32(const void *data, size_t len);

/* ---- the hosted world (host.c): every state change goes through here, under the lock,
 * journaled before it takes effect ---- */
typedef struct {
    pthread_mutex_t lock;
    br_world *world;
    char profile[16];
    br_rule mutant;
    br_clock_mode clock;
    br_time offset;       /* wall clock: the seconds advanced since the world was loaded */
    br__journal *journal; /* NULL without --state */
    bool replaying;
    /* The start options that shape the world ({"world", "seed", "clock"}), recorded in
     * every world record of the journal: a restart with other ones is refused. NULL without
     * --state. */
    json_t *opts;
    int journal_errno; /* why the last journal write failed (BR__HOST_JOURNAL) */
    /* Worlds loaded since start: a client that loaded its own tells by this number whether
     * another client has loaded one since (the admin API's "generation"). */
    uint64_t generation;
} br__host;

/* Loads a world description (borrowed). Journals it, with the mutant and the start options,
 * as the journal's only record. *generation (when not NULL): the generation of the world
 * loaded. BR__HOST_JOURNAL (err says why) leaves the old world and journal in place. */
int br__host_load(br__host *h, const json_t *given, const char *profile, uint64_t *generation,
                  char *err, size_t errlen);
/* A call made for a world no longer loaded: 'want', the generation a client named (its
 * X-Brcheck-World header), is not the current one. 0 names none: any world. The server answers
 * 412 {"error", "worldReplaced": true} (admin calls add "generation") and changes nothing. */
#define BR__HOST_REPLACED 1001
/* The journal could not be written: nothing was applied; the server answers 500 with
 * br__host_journal_error. */
#define BR__HOST_JOURNAL 1002
/* "cannot write the journal: <reason>" for the last BR__HOST_JOURNAL. */
const char *br__host_journal_error(const br__host *h, char *buf, size_t len);
/* Whether a call naming world 'want' comes too late (BR__HOST_REPLACED). Caller holds the lock. */
static inline bool br__host_replaced_locked(const br__host *h, uint64_t want)
{
    return want && want != h->generation;
}

/* Moves the clock; in wall mode, to the real time first. */
int br__host_advance(br__host *h, uint64_t want, br_time seconds);
/* Brings a wall-clock world up to the real time (no-op in virtual mode). Caller holds lock. */
void br__host_sync_locked(br__host *h);
/* A simulator op ({"op": ...}); BR_OK, BR_ENOENT, BR_EINVAL or BR__HOST_JOURNAL. */
int br__host_sim(br__host *h, uint64_t want, const json_t *op);
/* Switches the mutant (BR_RULE_COUNT: none); BR__HOST_REPLACED when 'want' is stale. */
int br__host_set_mutant(br__host *h, uint64_t want, br_rule rule);
/* Hands a vendor request to the model; state-changing methods are journaled first, and the
 * record taken back when the request changed nothing a replay needs (an error answer that
 * drew no id, without a mutant: INV-ATOMIC). BR__HOST_JOURNAL when it cannot be written. */
int br__host_handle(br__host *h, uint64_t want, const br_request *req, br_response *res);
/* Replays one journal record (journal.c's apply callback). */
int br__host_apply(void *host, const json_t *record, char *err, size_t errlen);

/* ---- faults (faults.c) ---- */
typedef struct {
    int id;
    char path[512];  /* fnmatch pattern */
    char method[16]; /* "" = any */
    int status;      /* 0 = none */
    int retry_after;
    int delay_ms;
    bool drop;
    int times; /* remaining; 0 = every time */
} br__fault;

typedef struct {
    pthread_mutex_t lock;
    br__fault *items;
    size_t n, cap;
    int next_id;
} br__faults;

/* Parses and arms a fault; returns its id, or -1 with err. */
int br__faults_add(br__faults *f, const json_t *spec, char *err, size_t errlen);
/* Takes the first fault matching the request (consuming one use); true when one hit. */
bool br__faults_take(br__faults *f, const char *method, const char *path, br__fault *out);
json_t *br__faults_list(br__faults *f);
void br__faults_clear(br__faults *f);

/* ---- Atlas Digest authentication (digest.c) ---- */
#define BR_DIGEST_REALM "MMS Public API"
#define BR_DIGEST_SLOTS 4096 /* recent nonces remembered, in sets of BR_DIGEST_WAYS */
#define BR_DIGEST_WAYS 8
#define BR_DIGEST_WINDOW (1u << 20) /* nonces remembered as used, by sequence number */

typedef struct {
    pthread_mutex_t lock;
    unsigned char key[32]; /* MAC key of nonces, random per process */
    unsigned timeout;      /* seconds a nonce lives */
    uint32_t seq;          /* makes every nonce unique */
    uint64_t tick;         /* counts nonce counts taken */
    struct {
        char nonce[64];
        unsigned long nc;     /* the highest nonce count seen */
        uint64_t seen;        /* bit k: count nc - k was seen (concurrent requests may arrive
                                 out of order; each count is taken once) */
        uint64_t last;        /* when it was last taken (tick): a set replaces its oldest */
    } slots[BR_DIGEST_SLOTS]; /* per recent nonce */
    unsigned char used[BR_DIGEST_WINDOW / 8]; /* nonce numbers answered at least once */
} br__digest;

typedef enum { BR_DIGEST_NONE, BR_DIGEST_OK, BR_DIGEST_BAD, BR_DIGEST_STALE } br__digest_result;
/* Writes the private key of 'user' into pass; false when there is no such user. */
typedef bool (*br__digest_secret)(void *ctx, const char *user, char *pass, size_t len);

/* Returns 0, or -1 when no randomness could be read. */
int br__digest_init(br__digest *d, unsigned timeout);
void br__digest_free(br__digest *d);
/* A WWW-Authenticate value with a fresh nonce (owned by the caller). */
char *br__digest_challenge(br__digest *d, bool stale);
/* Checks an Authorization header for 'method' on the raw request 'uri'; writes the user. */
br__digest_result br__digest_verify(br__digest *d, const char *header, const char *method,
                                    const char *uri, br__digest_secret secret_of, void *ctx,
                                    char user[96]);
/* Takes the table back to when d->seq was 'seq' and d->tick was 'tick': the nonces issued
 * since are unmarked and every slot a count was taken in since is emptied. Exact when those
 * slots were empty at the mark: the http fuzzing harness rewinds after each input to the
 * empty table, so that every input meets the same one (AFL++ stability). Never on a serving
 * server: a forgotten nonce's counts could be replayed. */
void br__digest_rewind(br__digest *d, uint32_t seq, uint64_t tick);

/* ---- the server ---- */
struct br_server {
    struct MHD_Daemon *daemon;
    br__host host;
    br__faults faults;
    br__digest digest;
    bool digest_ready;
    int delays_pending; /* delayed answers not yet resumed */
    int inflight;       /* requests from their request line until their answer is done */
    bool stopping;      /* br_server_stop began: requests arriving now are refused (503) */
    /* Connections whose request head is still arriving, for the header deadline (watched by
     * a thread: libmicrohttpd's own timeout restarts on every byte, so a client sending one
     * header line a second would hold a connection for ever). */
    pthread_mutex_t conns_lock;
    struct br__conn_watch *conns;
    unsigned header_timeout;
    bool watchdog_running, watchdog_stop;
    pthread_t watchdog;
    bool detached; /* no listening socket, no threads (br_server_feed) */
    char admin_token[128];
    bool quiet;
    unsigned port;
};

/* The 412 answer to a vendor request naming world 'want' (BR__HOST_REPLACED): why, and the
 * current generation. Takes the host lock. */
int br__admin_replaced(br_server *s, uint64_t want, json_t **out);
/* Admin API (admin.c): answers a request under /_brcheck/v1/. 'loopback' is the caller's
 * address class; 'auth' the Authorization header; 'want' the generation the caller's
 * X-Brcheck-World header names (0: none). Fills status and a JSON body (owned); on a 405,
 * *allow is the call's methods (static). HEAD is answered as GET. */
int br__admin_handle(br_server *s, const char *method, const char *path, const char *query,
                     const char *auth, uint64_t want, bool loopback, const char *body,
                     size_t body_len, json_t **out, const char **allow);
/* Whether br__admin_handle refuses the call before reading its body (403, 401, 404, 405,
 * 412): the server answers such a call at once. */
bool br__admin_refused(br_server *s, const char *method, const char *path, const char *auth,
                       uint64_t want, bool loopback);

/* The most one clock advance may move the world: ten years. An advance runs every job and
 * schedule due on the way, so a century on a busy world builds millions of backups (gigabytes);
 * no fixture or client needs more than a few years per call. */
#define BR__MAX_ADVANCE ((br_time)3650 * 86400)
/* Parses "90", "10m", "2h", "1d" or a JSON integer into seconds; -1 when malformed, -2 when
 * over BR__MAX_ADVANCE (counted after the unit). */
br_time br__parse_duration(const json_t *v);

#endif
