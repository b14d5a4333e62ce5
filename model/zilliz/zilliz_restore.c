/* Zilliz restores and exports (seed 000): restoreCluster (ZC-RESTORE-CLUSTER-TYPE,
 * ZC-RESTORE-REGION, ZC-RESTORE-CU, ZC-RESTORE-LOAD), restoreCollection
 * (ZC-RESTORE-COLLECTION, ZC-FIELD-NAMES), export, all behind ZC-RESTORE-AVAILABLE; and the
 * effect of each job when it ends (INV-CONTENT). */
#include "zilliz/zilliz.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* Shared opening of the three backup operations: source cluster (kept backups of dropped
 * clusters still restore), caller's role, backup, and ZC-RESTORE-AVAILABLE. */
static long usable_backup(br_ctx *ctx, long *cluster)
{
    br_world *w = ctx->w;
    long ci = br__zc_cluster(ctx, ctx->params[0], true);
    if (ci < 0 || !br__zc_can_write(ctx, w->clusters[ci].project)) return -1;
    long bi = br__zc_backup(ctx, ci, ctx->params[1]);
    if (bi < 0) return -1;
    const br_backup *b = &w->backups[bi];
    if (br__rule(ctx, BR_RULE_ZC_RESTORE_AVAILABLE, strcmp(b->status, "AVAILABLE") != 0)) {
        ZC_FAIL(ctx, ZC_E_NOT_AVAILABLE,
                "You can only restore or export backup files in the AVAILABLE state; backup %s "
                "is %s.",
                b->id, b->status);
        return -1;
    }
    *cluster = ci;
    return bi;
}

static bool valid_cluster_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64) return false;
    for (; *s; s++)
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_') return false;
    return true;
}

/* The target project of a restore (projectId / targetProjectId): must be in the caller's
 * organization, visible, and writable. Returns -1 after answering the error. */
static long target_project(br_ctx *ctx, const char *id, int dflt)
{
    if (!id) return br__zc_can_write(ctx, dflt) ? dflt : -1;
    long pi = br__world_find_project(ctx->w, id);
    if (pi < 0 ||
        br__rule(ctx, BR_RULE_SEC_TENANCY, !br__key_sees_project(ctx->w, ctx->key, (int)pi))) {
        ZC_FAIL(ctx, ZC_E_BAD_PROJECT, "Invalid projectId %s.", id);
        return -1;
    }
    return br__zc_can_write(ctx, (int)pi) ? pi : -1;
}

int br__zc_restore_cluster(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci;
    long bi = usable_backup(ctx, &ci);
    if (bi < 0) return BR_OK;
    const br_backup *b = &w->backups[bi];
    if (br__rule(ctx, BR_RULE_ZC_RESTORE_CLUSTER_TYPE, strcmp(b->type, "CLUSTER") != 0))
        return ZC_FAIL(ctx, ZC_E_WRONG_TYPE,
                       "restoreCluster needs a CLUSTER backup; backup %s is a %s backup.", b->id,
                       b->type);
    const json_t *body = ctx->body;
    const char *project_id = NULL, *name = NULL, *status = "KEEP", *region = NULL, *cloud = NULL,
               *cu_type = NULL, *password = NULL;
    if (!br__zc_field(ctx, body, "targetProjectId", "projectId", &project_id)) return BR_OK;
    if (!project_id) return ZC_BAD(ctx, "projectId (or targetProjectId) is required");
    if (!br__body_string(body, "clusterName", &name) || !name)
        return ZC_BAD(ctx, "clusterName is required and is a string");
    if (!br__body_string(body, "collectionStatus", &status) ||
        (strcmp(status, "KEEP") != 0 && strcmp(status, "RELEASE") != 0))
        return ZC_BAD(ctx, "collectionStatus is KEEP or RELEASE");
    if (!br__body_string(body, "regionId", &region) || !br__body_string(body, "cloudId", &cloud) ||
        !br__body_string(body, "cuType", &cu_type) || !br__body_string(body, "password", &password))
        return ZC_BAD(ctx, "regionId, cloudId, cuType and password are strings");
    bool has_size;
    long long cu_size = 1;
    if (!br__body_int(body, "cuSize", &has_size, &cu_size) || !has_size)
        return br__zc_error(ctx, 400, ZC_E_BAD_CU_SIZE, "cuSize is required and is an integer");
    if (br__rule(ctx, BR_RULE_ZC_RESTORE_CU, cu_size < 1 || cu_size > 256))
        return br__zc_error(ctx, 400, ZC_E_BAD_CU_SIZE,
                            "Invalid cuSize %lld: the value is between 1 and 256.", cu_size);
    if (!valid_cluster_name(name))
        return br__zc_error(ctx, 400, ZC_E_BAD_CLUSTER_NAME,
                            "Invalid clusterName. Cluster names can only contain alphanumeric "
                            "letters, hyphens and underscores (1 to 64).");
    const br_cluster *src = &w->clusters[ci];
    if (br__rule(ctx, BR_RULE_ZC_RESTORE_REGION,
                 (region && strcmp(region, src->region) != 0) ||
                     (cloud && strcmp(cloud, src->provider) != 0)))
        return ZC_FAIL(ctx, region && strcmp(region, src->region) != 0 ? ZC_E_BAD_REGION : 96000,
                       "A restored cluster stays in the backup's cloud provider and region "
                       "(%s); %s was requested.",
                       src->region, region ? region : cloud);
    if (br__rule(ctx, BR_RULE_ZC_RESTORE_CU, cu_type && strcmp(cu_type, src->cu_type) != 0))
        return ZC_FAIL(ctx, ZC_E_BAD_CU_TYPE,
                       "A restored cluster keeps the CU type %s of its backup; %s was requested.",
                       src->cu_type, cu_type);
    long pi = target_project(ctx, project_id, src->project);
    if (pi < 0) return BR_OK;
    if (br__world_find_cluster_name(w, (int)pi, name) >= 0)
        return ZC_FAIL(ctx, ZC_E_NAME_EXISTS, "The specified cluster name already exists.");
    /* The new cluster: same provider, region and CU type; content arrives with the job. */
    long ni = br__world_add_cluster(w);
    if (ni < 0) return BR_ENOMEM;
    long ji = br__job_new(w, BR_VENDOR_ZILLIZ, "RESTORE", (int)pi, w->dur.restore_queue,
                          w->dur.restore_run);
    json_t *params = json_pack("{s:b}", "release", strcmp(status, "RELEASE") == 0);
    if (ji < 0 || !params) {
        json_decref(params);
        if (ji >= 0) br__world_unadd_job(w);
        br__world_unadd_cluster(w);
        return BR_ENOMEM;
    }
    src = &w->clusters[ci];
    b = &w->backups[bi];
    br_cluster *dst = &w->clusters[ni];
    br_job *j = &w->jobs[ji];
    br__world_new_id(w, "in01-", 15, dst->id);
    snprintf(dst->name, sizeof dst->name, "%s", name);
    dst->vendor = BR_VENDOR_ZILLIZ;
    dst->project = (int)pi;
    memcpy(dst->plan, src->plan, sizeof dst->plan);
    memcpy(dst->provider, src->provider, sizeof dst->provider);
    memcpy(dst->region, src->region, sizeof dst->region);
    memcpy(dst->cu_type, src->cu_type, sizeof dst->cu_type);
    dst->cu_size = (int)cu_size;
    snprintf(dst->status, sizeof dst->status, "CREATING");
    dst->restoring_job = (int)ji;
    j->backup = (int)bi;
    j->src_cluster = (int)ci;
    j->dst_cluster = (int)ni;
    j->params = params;
    j->expected_hash = b->content_hash;
    char secret[24];
    br__world_new_secret(w, secret);
    br__applied(ctx, BR_RULE_ZC_RESTORE_LOAD);
    br__applied(ctx, BR_RULE_ZC_RESTORE_REGION);
    br__applied(ctx, BR_RULE_ZC_RESTORE_CU);
    return br__zc_ok(ctx,
                     json_pack("{s:s,s:s,s:s,s:s}", "clusterId", dst->id, "username", "db_admin",
                               "password", password ? password : secret, "jobId", j->id));
}

/* A collection already in the target database, or promised to it by a running restore. */
static bool name_taken(const br_world *w, long cluster, const char *db, const char *name)
{
    if (br__content_find(&w->clusters[cluster].content, db, NULL, name) >= 0) return true;
    for (size_t i = 0; i < w->n_jobs; i++) {
        const br_job *j = &w->jobs[i];
        if (j->dst_cluster != cluster || !br__job_running(j) || !j->params) continue;
        size_t k;
        json_t *it;
        json_array_foreach(json_object_get(j->params, "items"), k, it)
        {
            if (strcmp(json_string_value(json_object_get(it, "destDb")), db) == 0 &&
                strcmp(json_string_value(json_object_get(it, "destName")), name) == 0)
                return true;
        }
    }
    return false;
}

/* Reads one dbCollections[] entry into 'items'; answers and returns false on a refusal. */
static bool read_entry(br_ctx *ctx, const br_backup *b, long dst, const json_t *e, size_t i,
                       json_t *items, br_content *expect)
{
    const char *db = NULL, *dest_db = NULL;
    if (!json_is_object(e) || !br__body_string(e, "dbName", &db)) {
        ZC_BAD(ctx, "dbCollections[%zu] is an object with a string dbName", i);
        return false;
    }
    if (!br__zc_field(ctx, e, "targetDbName", "destDbName", &dest_db)) return false;
    const json_t *colls = json_object_get(e, "collections");
    if (!json_is_array(colls) || json_array_size(colls) == 0) {
        ZC_BAD(ctx, "dbCollections[%zu].collections must list collections", i);
        return false;
    }
    size_t k;
    json_t *c;
    json_array_foreach(colls, k, c)
    {
        const char *name = NULL, *dest = NULL, *status = NULL;
        if (!json_is_object(c) || !br__body_string(c, "collectionName", &name) || !name) {
            ZC_BAD(ctx, "collections[%zu].collectionName is required", k);
            return false;
        }
        if (!br__zc_field(ctx, c, "targetCollectionName", "destCollectionName", &dest) ||
            !br__zc_field(ctx, c, "targetCollectionStatus", "destCollectionStatus", &status))
            return false;
        if (status && strcmp(status, "LOADED") != 0 && strcmp(status, "UNLOADED") != 0) {
            ZC_BAD(ctx, "targetCollectionStatus is LOADED or UNLOADED");
            return false;
        }
        long it = br__content_find(b->content, db ? db : "default", NULL, name);
        if (it < 0 && !db) /* without dbName: the collection in whichever database */
            for (size_t n = 0; n < b->content->n_items && it < 0; n++)
                if (strcmp(b->content->items[n].name, name) == 0) it = (long)n;
        if (it < 0) {
            ZC_FAIL(ctx, ZC_E_NO_COLLECTION, "Collection %s is not in backup %s.", name, b->id);
            return false;
        }
        const br_item *src = &b->content->items[it];
        const char *to_db = dest_db ? dest_db : src->db;
        const char *to = dest ? dest : name;
        const br_content *tc = &ctx->w->clusters[dst].content;
        if (!br__content_has_db(tc, to_db)) {
            ZC_FAIL(ctx, ZC_E_NO_COLLECTION, "Database %s does not exist in cluster %s.", to_db,
                    ctx->w->clusters[dst].id);
            return false;
        }
        if (br__rule(ctx, BR_RULE_ZC_RESTORE_COLLECTION,
                     name_taken(ctx->w, dst, to_db, to) ||
                         br__content_find(expect, to_db, NULL, to) >= 0)) {
            ZC_FAIL(ctx, ZC_E_COLLECTION_EXISTS,
                    "Collection %s already exists in database %s of cluster %s.", to, to_db,
                    ctx->w->clusters[dst].id);
            return false;
        }
        bool loaded = !status || strcmp(status, "LOADED") == 0;
        if (br__content_add(expect, to_db, "", to, src->version, loaded) < 0) {
            ctx->oom = true;
            return false;
        }
        br__append(ctx, items,
                   json_pack("{s:s,s:s,s:s,s:s,s:b}", "db", src->db, "name", src->name, "destDb",
                             to_db, "destName", to, "loaded", loaded));
    }
    return true;
}

int br__zc_restore_collection(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci;
    long bi = usable_backup(ctx, &ci);
    if (bi < 0) return BR_OK;
    const br_backup *b = &w->backups[bi];
    if (br__rule(ctx, BR_RULE_ZC_RESTORE_CLUSTER_TYPE, strcmp(b->type, "COLLECTION") != 0))
        return ZC_FAIL(ctx, ZC_E_WRONG_TYPE,
                       "restoreCollection needs a COLLECTION backup; backup %s is a %s backup.",
                       b->id, b->type);
    const char *project_id = NULL, *dest_id = NULL;
    if (!br__zc_field(ctx, ctx->body, "targetProjectId", "projectId", &project_id) ||
        !br__zc_field(ctx, ctx->body, "targetClusterId", "destClusterId", &dest_id))
        return BR_OK;
    if (!dest_id) return ZC_BAD(ctx, "destClusterId (or targetClusterId) is required");
    const json_t *dbcs = json_object_get(ctx->body, "dbCollections");
    if (!json_is_array(dbcs) || json_array_size(dbcs) == 0)
        return ZC_BAD(ctx, "dbCollections is required and lists the collections to restore");
    long di = br__zc_cluster(ctx, dest_id, false);
    if (di < 0) return BR_OK;
    br_cluster *dst = &w->clusters[di];
    long pi = target_project(ctx, project_id, dst->project);
    if (pi < 0) return BR_OK;
    if (pi != dst->project)
        return ZC_FAIL(ctx, ZC_E_NO_CLUSTER,
                       "The specified cluster %s does not exist in project "
                       "%s.",
                       dst->id, w->projects[pi].id);
    if (br__rule(ctx, BR_RULE_ZC_TIER, !br__zc_dedicated(dst)))
        return ZC_FAIL(ctx, ZC_E_TIER,
                       "Restores are available only to Dedicated clusters; "
                       "cluster %s is on the %s plan.",
                       dst->id, dst->plan);
    if (br__rule(ctx, BR_RULE_ZC_RESTORE_COLLECTION, strcmp(dst->status, "RUNNING") != 0))
        return ZC_FAIL(ctx, ZC_E_NOT_RUNNING,
                       "restoreCollection restores into a running cluster; %s is %s.", dst->id,
                       dst->status);
    json_t *items = json_array();
    br_content expect = {0};
    if (!items) return BR_ENOMEM;
    size_t i;
    json_t *e;
    json_array_foreach(dbcs, i, e)
    {
        if (!read_entry(ctx, b, di, e, i, items, &expect)) {
            json_decref(items);
            br__content_free(&expect);
            return BR_OK;
        }
    }
    json_t *params = json_pack("{s:o}", "items", items);
    long ji = params ? br__job_new(w, BR_VENDOR_ZILLIZ, "RESTORE", (int)pi, w->dur.restore_queue,
                                   w->dur.restore_run)
                     : -1;
    if (ji < 0) {
        json_decref(params);
        br__content_free(&expect);
        return BR_ENOMEM;
    }
    br_job *j = &w->jobs[ji];
    j->backup = (int)bi;
    j->src_cluster = (int)ci;
    j->dst_cluster = (int)di;
    j->params = params;
    j->expected_hash = br__content_hash(&expect);
    br__content_free(&expect);
    br__applied(ctx, BR_RULE_ZC_RESTORE_COLLECTION);
    return br__zc_ok(ctx, json_pack("{s:s}", "jobId", j->id));
}

int br__zc_export_backup(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci;
    long bi = usable_backup(ctx, &ci);
    if (bi < 0) return BR_OK;
    const char *integration = NULL, *dir = NULL;
    if (!br__body_string(ctx->body, "integrationId", &integration) || !integration || !*integration)
        return ZC_BAD(ctx, "integrationId is required and is a string");
    if (!br__body_string(ctx->body, "directory", &dir)) return ZC_BAD(ctx, "directory is a string");
    long ji = br__job_new(w, BR_VENDOR_ZILLIZ, "EXPORT", w->clusters[ci].project,
                          w->dur.export_queue, w->dur.export_run);
    if (ji < 0) return BR_ENOMEM;
    w->jobs[ji].backup = (int)bi;
    w->jobs[ji].src_cluster = (int)ci;
    br__applied(ctx, BR_RULE_ZC_JOBS);
    return br__zc_ok(ctx, json_pack("{s:s}", "jobId", w->jobs[ji].id));
}

/* Job effects at the end (ZC-BACKUP-LIFE, ZC-RESTORE-LOAD, INV-CONTENT). */
/* What a restoreCollection finds when it ends: its target cluster dropped meanwhile, or (the
 * cluster kept serving) one of its names taken in the target database since it was accepted
 * (ZC-RESTORE-COLLECTION: restoring onto a name that exists is refused; the restore does not
 * overwrite it). True with why. */
static bool restore_collection_blocked(const br_world *w, const br_job *j, char *why, size_t len)
{
    const br_cluster *dst = &w->clusters[j->dst_cluster];
    if (dst->dropped) {
        snprintf(why, len, "The target cluster %s was deleted.", dst->id);
        return true;
    }
    if (br__mutated(w, BR_RULE_ZC_RESTORE_COLLECTION)) return false;
    size_t k;
    json_t *it;
    json_array_foreach(json_object_get(j->params, "items"), k, it)
    {
        const char *db = json_string_value(json_object_get(it, "destDb"));
        const char *to = json_string_value(json_object_get(it, "destName"));
        if (db && to && br__content_find(&dst->content, db, NULL, to) >= 0) {
            snprintf(why, len, "Collection %s already exists in database %s of cluster %s.", to, db,
                     dst->id);
            return true;
        }
    }
    return false;
}

int br__zc_job_finished(br_world *w, br_job *j)
{
    bool ok = strcmp(j->status, "SUCCESSFUL") == 0;
    if (strcmp(j->type, "BACKUP") == 0 && j->backup >= 0) {
        br_backup *b = &w->backups[j->backup];
        if (ok) {
            snprintf(b->status, sizeof b->status, "AVAILABLE");
            b->started = j->started;
            b->finished = j->finished;
            b->size = (int64_t)b->content->n_items * 1048576;
        } else {
            b->deleted = true;
        }
        return BR_OK;
    }
    if (strcmp(j->type, "RESTORE") != 0 || j->dst_cluster < 0) return BR_OK;
    br_cluster *dst = &w->clusters[j->dst_cluster];
    const br_backup *b = &w->backups[j->backup];
    if (dst->restoring_job == (int)(j - w->jobs)) { /* restoreCluster: a new cluster */
        dst->restoring_job = -1;
        snprintf(dst->status, sizeof dst->status, "%s", ok ? "RUNNING" : "DELETED");
        if (!ok) return BR_OK;
        int rc = br__content_copy(&dst->content, b->content);
        if (rc) return rc;
        bool release = json_is_true(json_object_get(j->params, "release"));
        for (size_t i = 0; i < dst->content.n_items; i++)
            if (release && !br__mutated(w, BR_RULE_ZC_RESTORE_LOAD))
                dst->content.items[i].loaded = false;
        j->result_hash = br__content_hash(&dst->content);
        return BR_OK;
    }
    if (!ok) return BR_OK;
    char why[512];
    if (restore_collection_blocked(w, j, why, sizeof why)) return br__job_fail(j, 0, why);
    br_content made = {0};
    size_t k;
    json_t *it;
    json_array_foreach(json_object_get(j->params, "items"), k, it)
    {
        const char *db = json_string_value(json_object_get(it, "db"));
        const char *name = json_string_value(json_object_get(it, "name"));
        const char *to_db = json_string_value(json_object_get(it, "destDb"));
        const char *to = json_string_value(json_object_get(it, "destName"));
        long src = br__content_find(b->content, db, NULL, name);
        int64_t version = src >= 0 ? b->content->items[src].version : 0;
        bool loaded = json_is_true(json_object_get(it, "loaded"));
        if (br__content_add(&dst->content, to_db, "", to, version, loaded) < 0 ||
            br__content_add(&made, to_db, "", to, version, loaded) < 0) {
            br__content_free(&made);
            return BR_ENOMEM;
        }
    }
    j->result_hash = br__content_hash(&made);
    br__content_free(&made);
    return BR_OK;
}
