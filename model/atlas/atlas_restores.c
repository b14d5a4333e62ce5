/* Atlas tenant restores and downloads (seed 004): the request body (MA-REQUIRED), the
 * snapshot (MA-SNAPSHOT-COMPLETE), the target (MA-TARGET-EXISTS, MA-ROLE on the target
 * group, MA-TARGET-TIER, MA-TARGET-COMPAT, MA-ONE-RESTORE) and the job that does it. */
#include "atlas/atlas.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

typedef struct {
    const char *snapshot_id, *target_name, *target_project;
} ma_body;

static bool listed(const char *const list[], const char *s)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0) return true;
    return false;
}

/* targetDeploymentItemName: ^[\p{L}\p{N}\-_.(),:&@+']{1,64}$ (non-ASCII bytes are taken
 * as letters). */
static bool valid_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && !((unsigned char)*s & 0x80) &&
            !strchr("-_.(),:&@+'", *s))
            return false;
    return true;
}

/* Reads a TenantRestore body: unknown attributes, wrong JSON types and unknown enum values
 * are bad input; MA-REQUIRED checks presence and form. Answers and returns false on a
 * refusal. */
static bool read_body(br_ctx *ctx, ma_body *out, bool download)
{
    static const char *const writable[] = {"snapshotId", "targetDeploymentItemName",
                                           "targetProjectId", NULL};
    static const char *const read_only[] = {"clusterName",
                                            "deliveryType",
                                            "expirationDate",
                                            "id",
                                            "links",
                                            "projectId",
                                            "restoreFinishedDate",
                                            "restoreScheduledDate",
                                            "snapshotFinishedDate",
                                            "snapshotUrl",
                                            "status",
                                            NULL};
    static const char *const delivery_types[] = {"RESTORE", "DOWNLOAD", NULL};
    static const char *const states[] = {"PENDING", "QUEUED",    "RUNNING",
                                         "FAILED",  "COMPLETED", NULL};
    const char *k;
    json_t *v;
    json_object_foreach(ctx->body, k, v)
    {
        if (!listed(writable, k) && !listed(read_only, k)) {
            br__ma_bad(ctx, "INVALID_ATTRIBUTE", k, NULL, "Invalid attribute %s specified.", k);
            return false;
        }
        bool text =
            listed(writable, k) || strcmp(k, "deliveryType") == 0 || strcmp(k, "status") == 0;
        if (text && !json_is_null(v) && !json_is_string(v)) {
            br__ma_bad(ctx, "INVALID_JSON_ATTRIBUTE", k, NULL,
                       "Received JSON for the %s attribute does not match expected format.", k);
            return false;
        }
        const char *const *values = strcmp(k, "deliveryType") == 0 ? delivery_types
                                    : strcmp(k, "status") == 0     ? states
                                                                   : NULL;
        if (values && json_is_string(v) && !listed(values, json_string_value(v))) {
            br__ma_bad(ctx, "INVALID_ENUM_VALUE", json_string_value(v), NULL,
                       "An invalid enumeration value %s was specified.", json_string_value(v));
            return false;
        }
    }
    *out = (ma_body){0};
    br__body_string(ctx->body, "snapshotId", &out->snapshot_id);
    br__body_string(ctx->body, "targetDeploymentItemName", &out->target_name);
    br__body_string(ctx->body, "targetProjectId", &out->target_project);
    /* MA-REQUIRED: v1.0 also requires targetProjectId; v2 defaults it to the path's group. */
    const char *missing = !out->snapshot_id                ? "snapshotId"
                          : !download && !out->target_name ? "targetDeploymentItemName"
                          : !download && !out->target_project && !br__ma_v2(ctx) ? "targetProjectId"
                                                                                 : NULL;
    if (br__rule(ctx, BR_RULE_MA_REQUIRED, missing != NULL)) {
        br__ma_bad(ctx, "MISSING_ATTRIBUTE", missing, NULL,
                   "The required attribute %s was not specified.", missing);
        return false;
    }
    const char *bad = out->snapshot_id && !br__ma_object_id(out->snapshot_id) ? "snapshotId"
                      : !download && out->target_name && !valid_name(out->target_name)
                          ? "targetDeploymentItemName"
                      : !download && out->target_project && !br__ma_object_id(out->target_project)
                          ? "targetProjectId"
                          : NULL;
    if (br__rule(ctx, BR_RULE_MA_REQUIRED, bad != NULL)) {
        br__ma_bad(ctx, "INVALID_ATTRIBUTE", bad, NULL, "Invalid attribute %s specified.", bad);
        return false;
    }
    return true;
}

/* The target group: visible (SEC-TENANCY, MA-TARGET-EXISTS) and the caller a Project Owner
 * there (MA-ROLE). Returns the project index or -1 after answering. */
static long target_group(br_ctx *ctx, const char *id)
{
    long pi = br__ma_group(ctx, id);
    if (pi < 0) return -1;
    if (br__rule(ctx, BR_RULE_MA_ROLE, !br__ma_is_owner(ctx, (int)pi))) {
        br__ma_error(ctx, 403, "CANNOT_RESTORE_TO_TARGET", NULL, NULL,
                     "Cannot restore with insufficient permission on source snapshot or target "
                     "cluster.");
        return -1;
    }
    return pi;
}

/* MA-TARGET-TIER: restores go to M2 or larger; an M0 target is refused. */
static bool ma_target_tier(br_ctx *ctx, const br_cluster *dst)
{
    int size = br__ma_tier_size(dst->plan);
    if (br__rule(ctx, BR_RULE_MA_TARGET_TIER, size >= 0 && size < 2)) {
        br__ma_error(ctx, 400, "INSUFFICIENT_INSTANCE_SIZE", "M2", NULL,
                     "This feature requires instance size M2 or larger.");
        return false;
    }
    return true;
}

/* MA-TARGET-COMPAT: running, same major version as the snapshot, no encryption at rest,
 * not sharded. */
static bool ma_target_compat(br_ctx *ctx, const br_backup *snap, const br_cluster *dst)
{
    int major = br__ma_major(snap->mongo_version);
    if (br__rule(ctx, BR_RULE_MA_TARGET_COMPAT, dst->paused)) {
        br__ma_error(ctx, 400, "CLUSTER_PAUSED_CANNOT_RESTORE", NULL, NULL,
                     "Backup restore cannot occur on a paused cluster. Please unpause the target "
                     "cluster or choose another target cluster.");
        return false;
    }
    if (br__rule(ctx, BR_RULE_MA_TARGET_COMPAT, major && major != dst->mongo_major)) {
        br__ma_error(ctx, 400, "TENANT_RESTORE_VERSION_MISMATCH", NULL, NULL,
                     "The specified snapshot and target cluster have mismatched versions of "
                     "MongoDB.");
        return false;
    }
    if (br__rule(ctx, BR_RULE_MA_TARGET_COMPAT, dst->encrypted)) {
        br__ma_error(ctx, 400, "TENANT_RESTORE_DESTINATION_ENCRYPTION", NULL, NULL,
                     "M2/M5 Snapshots cannot be restored into Dedicated clusters with Encryption "
                     "at Rest.");
        return false;
    }
    if (br__rule(ctx, BR_RULE_MA_TARGET_COMPAT, dst->sharded)) {
        br__ma_error(ctx, 400, "TENANT_RESTORE_INCOMPATIBLE_TOPOLOGY", NULL, NULL,
                     "Tenant backups can not be restored into sharded clusters.");
        return false;
    }
    return true;
}

/* MA-ONE-RESTORE: one restore at a time into a target. */
static bool ma_one_restore(br_ctx *ctx, long dst)
{
    bool busy = false;
    for (size_t i = 0; i < ctx->w->n_jobs; i++) {
        const br_job *j = &ctx->w->jobs[i];
        busy = busy || (j->vendor == BR_VENDOR_ATLAS && strcmp(j->type, "RESTORE") == 0 &&
                        j->dst_cluster == dst && br__job_running(j));
    }
    if (br__rule(ctx, BR_RULE_MA_ONE_RESTORE, busy)) {
        br__ma_error(ctx, 409, "ATLAS_CLUSTER_RESTORE_IN_PROGRESS", NULL, NULL,
                     "Cluster restore already in progress.");
        return false;
    }
    return true;
}

/* Creates the RESTORE (into cluster 'dst' of group 'group') or DOWNLOAD job from snapshot
 * 'bi' of cluster 'ci' and answers it; the world is unchanged on allocation failure. */
static int start_job(br_ctx *ctx, bool restore, long ci, long bi, long dst, long group,
                     const char *name)
{
    br_world *w = ctx->w;
    json_t *params = json_pack("{s:s,s:s}", "targetProjectId", w->projects[group].id,
                               "targetDeploymentItemName", name);
    if (!params) return BR_ENOMEM;
    long ji =
        br__job_new(w, BR_VENDOR_ATLAS, restore ? "RESTORE" : "DOWNLOAD", w->clusters[ci].project,
                    w->dur.restore_queue, restore ? w->dur.restore_run : w->dur.download_run);
    if (ji < 0) {
        json_decref(params);
        return BR_ENOMEM;
    }
    br_job *j = &w->jobs[ji];
    j->backup = (int)bi;
    j->src_cluster = (int)ci;
    j->dst_cluster = restore ? (int)dst : -1;
    j->params = params;
    j->expected_hash = w->backups[bi].content_hash;
    json_t *body = br__ma_job_json(ctx, j);
    if (!body) {
        json_decref(params);
        j->params = NULL;
        br__world_unadd_job(w);
        return BR_ENOMEM;
    }
    if (restore) w->clusters[dst].restoring_job = (int)ji; /* no writes while it restores */
    br__applied(ctx, restore ? BR_RULE_MA_WIPE : BR_RULE_MA_DOWNLOAD);
    br__applied(ctx, BR_RULE_MA_RESTORE_LIFE);
    return br__ma_ok(ctx, body);
}

int br__ma_create_restore(br_ctx *ctx)
{
    br_world *w = ctx->w;
    ma_body rq;
    long ci = br__ma_path_cluster(ctx, true);
    if (ci < 0 || !read_body(ctx, &rq, false)) return BR_OK;
    long bi = br__ma_snapshot(ctx, ci, rq.snapshot_id);
    if (bi < 0) return BR_OK;
    if (br__rule(ctx, BR_RULE_MA_SNAPSHOT_COMPLETE,
                 strcmp(w->backups[bi].status, "COMPLETED") != 0))
        return br__ma_error(ctx, 409, "CANNOT_START_RESTORE_JOB_FOR_INCOMPLETE_CLUSTER_SNAPSHOT",
                            NULL, NULL,
                            "Cannot start restore job for incomplete cluster snapshot.");
    long pi = rq.target_project ? target_group(ctx, rq.target_project) : w->clusters[ci].project;
    if (pi < 0) return BR_OK;
    const char *name = rq.target_name ? rq.target_name : "";
    long di = br__world_find_cluster_name(w, (int)pi, name);
    if (di < 0)
        return br__ma_not_found(ctx, "CLUSTER_NOT_FOUND", name, w->projects[pi].id,
                                "No cluster named %s exists in group %s.", name,
                                w->projects[pi].id);
    if (!ma_target_tier(ctx, &w->clusters[di]) ||
        !ma_target_compat(ctx, &w->backups[bi], &w->clusters[di]) || !ma_one_restore(ctx, di))
        return BR_OK;
    return start_job(ctx, true, ci, bi, di, pi, w->clusters[di].name);
}

int br__ma_create_download(br_ctx *ctx)
{
    br_world *w = ctx->w;
    ma_body rq;
    long ci = br__ma_path_cluster(ctx, true);
    if (ci < 0 || !read_body(ctx, &rq, true)) return BR_OK;
    long bi = br__ma_snapshot(ctx, ci, rq.snapshot_id);
    if (bi < 0) return BR_OK;
    if (br__rule(ctx, BR_RULE_MA_SNAPSHOT_COMPLETE,
                 strcmp(w->backups[bi].status, "COMPLETED") != 0))
        return br__ma_error(ctx, 409, "CANNOT_DOWNLOAD_INCOMPLETE_SNAPSHOT", NULL, NULL,
                            "Cannot download incomplete cluster snapshot.");
    return start_job(ctx, false, ci, bi, -1, w->clusters[ci].project, w->clusters[ci].name);
}
