/* Zilliz Cloud REST v2 dialect, internal (rules.md, ZC). Envelope: {"code":0,"data":...};
 * errors {"code":<non-zero>,"message":...}. Business errors come with HTTP 200 as the
 * vendor does (recorded: 40013 with 200); bad input with 400; auth with 401. */
#ifndef BR_ZILLIZ_H
#define BR_ZILLIZ_H

#include "world.h"

/* Error codes. Those marked "documented" are in the vendor's error-code list or in
 * recorded responses; the others are this model's own: a conforming endpoint may answer
 * any non-zero code for them, and the fixtures match them as such. */
#define ZC_ERROR_MAP(X)                                                                            \
    X(AUTH, 80001, "documented: invalid token")                                                    \
    X(BAD_REGION, 96001, "documented: invalid RegionId")                                           \
    X(BAD_CU_SIZE, 96002, "documented: invalid cuSize")                                            \
    X(BAD_CU_TYPE, 96003, "documented: invalid cuType")                                            \
    X(BAD_PROJECT, 96005, "documented: invalid projectId")                                         \
    X(BAD_TIME, 96007, "documented: invalid ISO 8601 timestamp")                                   \
    X(BAD_PAGE_SIZE, 96008, "documented: pageSize between 1 and 100")                              \
    X(BAD_PAGE, 96009, "documented: currentPage between 1 and max int")                            \
    X(BAD_CLUSTER_NAME, 96010, "documented: invalid clusterName")                                  \
    X(NO_PROJECT_ROLE, 96013, "documented: org owner or project owner needed (project)")           \
    X(NO_CLUSTER_ROLE, 96015, "documented: org owner or project owner needed (cluster)")           \
    X(KEY_SCOPE, 96016, "documented: check your Apikey scope")                                     \
    X(NO_CLUSTER, 96017, "documented: the specified cluster does not exist")                       \
    X(NAME_EXISTS, 40013, "recorded: the specified cluster name already exists")                   \
    X(NO_BACKUP, 96301, "model: backup not found")                                                 \
    X(NOT_AVAILABLE, 96302, "model: backup not AVAILABLE")                                         \
    X(WRONG_TYPE, 96303, "model: backup type does not fit the operation")                          \
    X(ONE_AT_A_TIME, 96304, "model: a backup job is already pending or running")                   \
    X(TIER, 96305, "model: not available on this tier")                                            \
    X(NO_COLLECTION, 96306, "model: database or collection not found")                             \
    X(COLLECTION_EXISTS, 96307, "model: target collection exists")                                 \
    X(IN_USE, 96308, "model: backup in use by a running job")                                      \
    X(NO_JOB, 96309, "model: job not found")                                                       \
    X(CONFLICT_FIELDS, 96310, "model: two spellings of one field disagree")                        \
    X(NOT_RUNNING, 96311, "model: cluster not running")                                            \
    X(BAD_PARAM, 96312, "model: invalid parameter")                                                \
    X(NO_PATH, 96404, "model: no such API path or method (or no cluster endpoint at the Host)")    \
    X(MILVUS_NO_COLLECTION, 100, "documented (Milvus merr): collection not found")                 \
    X(MILVUS_NO_DATABASE, 800, "documented (Milvus merr): database not found")                     \
    X(MILVUS_BAD_PARAM, 1100, "documented (Milvus merr): invalid parameter")                       \
    X(MILVUS_NOT_JSON, 1801, "documented (Milvus merr): can only accept json format request")      \
    X(MILVUS_MISSING_PARAM, 1802, "documented (Milvus merr): missing required parameters")

enum {
#define ZC_ENUM(name, num, what) ZC_E_##name = num,
    ZC_ERROR_MAP(ZC_ENUM)
#undef ZC_ENUM
};

/* Answers {"code":code,"message":...} with 'http' status. Returns BR_OK. */
int br__zc_error(br_ctx *ctx, int http, int code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Business error: HTTP 200 with a non-zero code, as the vendor answers. */
#define ZC_FAIL(ctx, code, ...) br__zc_error(ctx, 200, code, __VA_ARGS__)
/* Bad input: HTTP 400 (SEC-BAD-INPUT). */
#define ZC_BAD(ctx, ...) br__zc_error(ctx, 400, ZC_E_BAD_PARAM, __VA_ARGS__)
/* Answers {"code":0,"data":data}; steals data. Returns BR_OK. */
int br__zc_ok(br_ctx *ctx, json_t *data);

/* Looks up the cluster named in the path for this caller (SEC-TENANCY): answers the
 * error and returns -1 when unknown, dropped (unless allow_dropped) or out of scope. */
long br__zc_cluster(br_ctx *ctx, const char *id, bool allow_dropped);
/* ZC-ROLE: Organization Owner or Project Admin for the project. Answers the error and
 * returns false when the caller lacks it. */
bool br__zc_can_write(br_ctx *ctx, int project);
/* ZC-TIER: Dedicated (Standard, Enterprise) clusters only. */
bool br__zc_dedicated(const br_cluster *c);
/* The path's cluster for a backup operation: visible, the caller may write (ZC-ROLE), and
 * Dedicated (ZC-TIER; 'what' names the feature in the message). -1 after answering. */
long br__zc_managed_cluster(br_ctx *ctx, const char *what);
/* Finds a live backup of the cluster; answers the error and returns -1 when absent. */
long br__zc_backup(br_ctx *ctx, long cluster, const char *backup_id);
/* Takes a backup (manual or automatic) of the cluster now: CREATING, with a BACKUP job.
 * 'only' limits a COLLECTION backup to those items (NULL: whole cluster). Returns the
 * backup index or -1 on allocation failure. */
long br__zc_take_backup(br_world *w, long cluster, bool manual, const br_content *only);
/* The backup as the API shows it (describe when 'detailed', else a list item). */
json_t *br__zc_backup_json(const br_world *w, const br_backup *b, bool detailed);
/* A JSON string field that may be spelled two ways (ZC-FIELD-NAMES): sets *out to the
 * value and returns true; answers the error and returns false when both are given and
 * differ or a value is not a string. */
bool br__zc_field(br_ctx *ctx, const json_t *obj, const char *seed_name, const char *ref_name,
                  const char **out);

/* Handlers, one per endpoint. */
int br__zc_create_backup(br_ctx *ctx);
int br__zc_list_backups(br_ctx *ctx);
int br__zc_describe_backup(br_ctx *ctx);
int br__zc_delete_backup(br_ctx *ctx);
int br__zc_restore_cluster(br_ctx *ctx);
int br__zc_restore_collection(br_ctx *ctx);
int br__zc_export_backup(br_ctx *ctx);
int br__zc_get_policy(br_ctx *ctx);
int br__zc_set_policy(br_ctx *ctx);
int br__zc_get_job(br_ctx *ctx);
int br__zc_describe_cluster(br_ctx *ctx);
/* The data plane at a cluster's endpoint (zilliz_vectordb.c): the cluster is the one the
 * first label of the request's Host names. */
int br__zc_list_collections(br_ctx *ctx);
/* A cluster's connectAddress, the endpoint of its data plane: on the origin the request came
 * to (its Host, the scheme from X-Forwarded-Proto), with the cluster id as the first label
 * (in01-xxx.localhost:8080 against brcheck serve, where *.localhost is the loopback);
 * without a Host (the model in-process), Zilliz's own form
 * https://<id>.<region>.vectordb.zillizcloud.com:443. */
void br__zc_connect_address(const br_ctx *ctx, const br_cluster *c, char *out, size_t len);
int br__zc_describe_collection(br_ctx *ctx);
int br__zc_get_load_state(br_ctx *ctx);

/* Schedules (automatic backups, expiry) and job effects. */
br_time br__zc_next_event(const br_world *w, br_time after);
int br__zc_run_event(br_world *w, br_time at);
int br__zc_job_finished(br_world *w, br_job *job);
br_time br__zc_next_run(const br_policy *p, br_time after);
/* Sets the policy's start_minute and weekdays from its window and frequency: after every
 * write to either. */
void br__zc_policy_derive(br_policy *p);
bool br__zc_valid_frequency(const char *s);
bool br__zc_valid_window(const char *s, int *start_minute);

#endif
