/* CockroachDB Cloud API dialect, internal (rules.md, CC). Errors are gRPC statuses
 * {"code":<gRPC code>,"message":...,"details":[]} with the HTTP status of the code. */
#ifndef BR_CRDB_H
#define BR_CRDB_H

#include "world.h"

/* gRPC status codes the dialect answers (google.golang.org/grpc/codes). */
enum {
    CC_INVALID_ARGUMENT = 3,
    CC_NOT_FOUND = 5,
    CC_ALREADY_EXISTS = 6,
    CC_PERMISSION_DENIED = 7,
    CC_FAILED_PRECONDITION = 9,
    CC_UNIMPLEMENTED = 12,
    CC_INTERNAL = 13,
    CC_UNAUTHENTICATED = 16,
};

/* Backup schedule: the documented choices and defaults (CC-BACKUP-CONFIG). */
#define CC_DEFAULT_FREQUENCY_MIN 60
#define CC_DEFAULT_RETENTION_DAYS 30
#define CC_BASIC_FREQUENCY_MIN 1440
#define CC_LATEST_WINDOW (7 * 86400) /* CC-RESTORE-LATEST: the last 7 days */

/* Answers the gRPC error 'code' with its HTTP status; sets ctx->res->error. Returns BR_OK. */
int br__cc_error(br_ctx *ctx, int code, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Bad input (SEC-BAD-INPUT): INVALID_ARGUMENT, HTTP 400. */
#define CC_BAD(ctx, ...) br__cc_error(ctx, CC_INVALID_ARGUMENT, __VA_ARGS__)
/* Answers 200 with 'body' (stolen; NULL sets ctx->oom). Returns BR_OK. */
int br__cc_ok(br_ctx *ctx, json_t *body);

/* The path's cluster for this caller: unknown, dropped or another organization's cluster is
 * NOT_FOUND (SEC-TENANCY); without a role on it PERMISSION_DENIED (CC-ROLE). 'write' asks
 * for CLUSTER_ADMIN or CLUSTER_OPERATOR_WRITER, else any role that sees the cluster.
 * Returns the index, or -1 after answering. */
long br__cc_cluster(br_ctx *ctx, const char *id, bool write);
bool br__cc_plan_is(const br_cluster *c, const char *plan);
/* "GCP" from "gcp"; out[16]. */
void br__cc_provider(const br_cluster *c, char out[16]);

/* Keyset paging shared by the two lists (CC-LIST-BACKUPS): query pagination.page,
 * pagination.limit, pagination.sort_order, pagination.as_of_time, start_time, end_time. */
typedef struct {
    long limit;
    bool desc;
    bool has_after;
    br_time after_time;
    char after_id[BR_ID_MAX];
    bool has_start, has_end;
    br_time start, end;
} br__cc_page;

typedef struct {
    br_time t;
    const char *id;
    size_t index;
} br__cc_row;

/* Reads the query; on bad input answers 400 and returns false. */
bool br__cc_page_parse(br_ctx *ctx, br__cc_page *p);
/* Sorts rows by (time, id) in the page's order, drops those up to the page token, and
 * keeps at most limit of them (*n updated). *more says whether rows were left over. */
void br__cc_page_select(const br__cc_page *p, br__cc_row *rows, size_t *n, bool *more);
/* The {"next_page"} object for the last row shown (NULL row: {}). New reference. */
json_t *br__cc_page_json(const br__cc_row *last, bool more);
/* Answers one page of a list: selects the page from 'rows' (takes them), shows each as
 * item(w, index) under 'key', with the pagination object. BR_OK or BR_ENOMEM. */
int br__cc_page_answer(br_ctx *ctx, const br__cc_page *p, br__cc_row *rows, size_t n,
                       const char *key, json_t *(*item)(const br_world *w, size_t index));
/* The same for rows already selected (taken), 'more' saying whether rows are left over. */
int br__cc_page_rows(br_ctx *ctx, br__cc_row *rows, size_t n, bool more, const char *key,
                     json_t *(*item)(const br_world *w, size_t index));
/* Selects the page from rows [0, n) already in ascending (time, id) order, given by
 * row(ctx_data, k): writes the positions shown into pos[0..*keep) in page order (pos holds
 * up to p->limit), and whether rows were left over. */
void br__cc_page_window(const br__cc_page *p, size_t n, const void *data,
                        br__cc_row (*row)(const void *data, size_t k), size_t *pos, size_t *keep,
                        bool *more);

/* Managed backups (crdb_backups.c). Takes a scheduled backup of the cluster now: AVAILABLE,
 * content captured, expiring after the cluster's retention. Index or -1 (allocation). */
long br__cc_take_backup(br_world *w, long cluster);
br_time br__cc_next_event(const br_world *w, br_time after);
int br__cc_run_event(br_world *w, br_time at);

/* Restores (crdb_restore_plan.c): the content a restore writes, from its backup and the
 * job parameters {"type", "objects", "restore_opts"}. 'out' is filled (caller frees). */
int br__cc_restore_content(const br_backup *b, const json_t *params, br_content *out);
/* The conflicts a restore meets in its destination (CC-EMPTY-DEST, CC-DB-EXISTS,
 * CC-INTO-DB, CC-TABLE-EXISTS). With a context each guard is recorded and may be the
 * mutant; without one (at completion) only the mutant is honoured. Returns the refusing
 * rule with its SQL message and gRPC code, or BR_RULE_COUNT when none refuses. */
br_rule br__cc_restore_conflict(br_ctx *ctx, const br_world *w, long dst, const char *type,
                                const br_content *made, char *msg, size_t len, int *code);
/* The restore as the API shows it. New reference or NULL. */
json_t *br__cc_restore_json(const br_world *w, const br_job *j);
int br__cc_job_finished(br_world *w, br_job *job);

/* Handlers, one per endpoint. */
int br__cc_get_cluster(br_ctx *ctx);
int br__cc_list_databases(br_ctx *ctx);
int br__cc_list_backups(br_ctx *ctx);
int br__cc_get_backup_config(br_ctx *ctx);
int br__cc_update_backup_config(br_ctx *ctx);
int br__cc_create_restore(br_ctx *ctx);
int br__cc_list_restores(br_ctx *ctx);
int br__cc_get_restore(br_ctx *ctx);

/* World loading: CockroachDB defaults and the "backupConfigs" section (crdb_config.c). */
bool br__cc_valid_frequency(long long minutes);
bool br__cc_valid_retention(long long days);
int br__cc_load_configs(br_world *w, const json_t *given, char *err, size_t errlen);

#endif
