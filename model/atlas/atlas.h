/* MongoDB Atlas tenant (M2/M5) backups dialect, internal (rules.md, MA). Paths under
 * /api/atlas/v1.0 and /api/atlas/v2; errors {"detail","error","errorCode","parameters",
 * "reason"}; empty fields are left out; envelope=true and pretty=true on every answer. */
#ifndef BR_ATLAS_H
#define BR_ATLAS_H

#include "world.h"

/* Recorded and documented constants. */
#define MA_LINK_LIFETIME (4 * 3600)       /* seed 004 and download docs: 4 hours */
#define MA_SNAPSHOT_RETENTION (8 * 86400) /* recorded: expiration = scheduledTime + 8 days */
#define MA_TENANT_VERSION "2023-01-01"    /* the only v2 resource version of /backup/tenant */
/* The origin of links in answers to requests without a Host header (in-process); over HTTP
 * links start with the origin the request came to (atlas_paging.c). */
#define MA_BASE_URL "https://cloud.mongodb.com"
#define MA_MAX_HOST 300 /* the longest Host value links are built on */
#define MA_MAX_PER_PAGE 500

/* Answers an Atlas error: 'http' status, errorCode 'code' (a string literal: it is also
 * sent as the X-Error-Code header), up to two 'parameters' (NULL to leave out) and a
 * detail built from fmt. Sets res->error. Returns BR_OK. */
int br__ma_error(br_ctx *ctx, int http, const char *code, const char *p1, const char *p2,
                 const char *fmt, ...) __attribute__((format(printf, 6, 7)));
/* SEC-BAD-INPUT: a 400 for a bad request body or query; same contract as br__ma_error. */
int br__ma_bad(br_ctx *ctx, const char *code, const char *p1, const char *p2, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
/* MA-TARGET-EXISTS: a 404 naming what is missing with 'code' (GROUP_NOT_FOUND,
 * CLUSTER_NOT_FOUND, TENANT_SNAPSHOT_NOT_FOUND, ...); with the rule switched off the model
 * still cannot find it but answers the generic RESOURCE_NOT_FOUND. Returns BR_OK. */
int br__ma_not_found(br_ctx *ctx, const char *code, const char *p1, const char *p2, const char *fmt,
                     ...) __attribute__((format(printf, 5, 6)));
/* Answers 200 with 'body' (stolen; NULL sets ctx->oom). Returns BR_OK. */
int br__ma_ok(br_ctx *ctx, json_t *body);

/* True when the request came in under /api/atlas/v2. */
bool br__ma_v2(const br_ctx *ctx);
/* The v2 resource version a versioned Accept header asks for, resolved against the
 * endpoint's versions; NULL when the header is missing or not a valid version date. */
const char *br__ma_accept_version(const br_request *req);

/* Authentication and the gate before any route or body (atlas_access.c): Digest key
 * (SEC-AUTH), API access list (MA-ACCESS-LIST), versioned Accept header on v2
 * (MA-VERSION-HEADER). Writes the refusal and returns false. */
bool br__ma_gate(br_ctx *ctx);
/* True when 'ip' is on the organization's access list (addresses or CIDR blocks, IPv4 and
 * IPv6); an empty list allows every address. */
bool br__ma_ip_allowed(const br_org *org, const char *ip);
/* The group (project) with that id, visible to the caller (SEC-TENANCY); answers 404
 * INVALID_GROUP_ID / GROUP_NOT_FOUND and returns -1 otherwise. */
long br__ma_group(br_ctx *ctx, const char *id);
/* MA-ROLE: creating restores and downloads needs GROUP_OWNER (or ORG_OWNER); reads need
 * GROUP_READ_ONLY or any higher project or organization role. Answers 401
 * USER_UNAUTHORIZED and returns false when the caller lacks it. */
bool br__ma_may(br_ctx *ctx, int project, bool write);
/* True when the caller holds GROUP_OWNER or ORG_OWNER for the project (no answer). */
bool br__ma_is_owner(const br_ctx *ctx, int project);
/* The path's group ({groupId}) and cluster ({clusterName}) for a call that reads
 * ('write' false) or creates: group visible, caller's role, cluster by name. Returns the
 * cluster index, or -1 after answering. */
long br__ma_path_cluster(br_ctx *ctx, bool write);
/* True for a 24-hex-digit object id (lower case, as Atlas spells them). */
bool br__ma_object_id(const char *s);
/* Instance size number of a tier ("M0" 0, "M2" 2, "M10" 10, "R40" 40); -1 when unknown. */
int br__ma_tier_size(const char *plan);
/* "7.0.0" for a cluster running MongoDB 7 (out[16]). */
void br__ma_version_string(int major, char out[16]);
/* Major version of a version string ("7.0.12" -> 7); 0 when unknown. */
int br__ma_major(const char *version);

/* Lists (atlas_paging.c): pageNum (>= 1), itemsPerPage (1..500, default 100),
 * includeCount (default true); MA-PAGING. */
typedef struct {
    long num, per;
    bool count;
} br_ma_page;
/* Reads the paging query; answers 400 INVALID_QUERY_PARAMETER and returns false when a
 * value is out of range. */
bool br__ma_paging(br_ctx *ctx, br_ma_page *pg);
/* Answers {links, results, totalCount} for one page of 'all' (stolen, in list order). */
int br__ma_list(br_ctx *ctx, json_t *all, const br_ma_page *pg);
/* The same for one page already built ('results', stolen) out of 'total' items. */
int br__ma_list_page(br_ctx *ctx, json_t *results, size_t total, const br_ma_page *pg);

/* Snapshots (atlas_snapshots.c). */
long br__ma_snapshot(br_ctx *ctx, long cluster, const char *id);
json_t *br__ma_snapshot_json(const br_backup *b);
int br__ma_list_snapshots(br_ctx *ctx);
int br__ma_get_snapshot(br_ctx *ctx);
br_time br__ma_next_event(const br_world *w, br_time after);
int br__ma_run_event(br_world *w, br_time at);
/* Loads the world section "snapshots" (Atlas field names) and fills Atlas defaults. */
int br__ma_load_snapshots(br_world *w, const json_t *given, char *err, size_t errlen);

/* Restore and download jobs (atlas_restores.c, atlas_jobs.c). */
int br__ma_create_restore(br_ctx *ctx);
int br__ma_create_download(br_ctx *ctx);
int br__ma_list_restores(br_ctx *ctx);
int br__ma_get_restore(br_ctx *ctx);
/* The job as the API shows it (TenantRestore); NULL on allocation failure. */
json_t *br__ma_job_json(br_ctx *ctx, const br_job *j);
int br__ma_job_started(br_world *w, br_job *j);
int br__ma_job_finished(br_world *w, br_job *j);

/* The cluster read that makes effects observable (atlas_cluster.c, OBS). */
int br__ma_get_cluster(br_ctx *ctx);

#endif
