/* Zilliz backups: create (ZC-CREATE-TYPE, ZC-CREATE-ONE, ZC-BACKUP-LIFE), list (ZC-LIST),
 * describe (ZC-DESCRIBE) and delete (ZC-DELETE). Seeds 001 and 002. */
#include "zilliz/zilliz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How many of the backups before 'upto' come from the cluster (counted once, kept in the
 * clusters; recounted after a rollback). */
static int count_cluster_backups(br_world *w, long cluster, size_t upto)
{
    if (w->backups_counted > upto) {
        for (size_t i = 0; i < w->n_clusters; i++)
            w->clusters[i].n_backups = 0;
        w->backups_counted = 0;
    }
    for (; w->backups_counted < upto; w->backups_counted++) {
        int32_t ci = w->backups[w->backups_counted].cluster;
        if (ci >= 0 && (size_t)ci < w->n_clusters) w->clusters[ci].n_backups++;
    }
    return w->clusters[cluster].n_backups;
}

long br__zc_take_backup(br_world *w, long cluster, bool manual, const br_content *only)
{
    long bi = br__world_add_backup(w);
    if (bi < 0) return -1;
    long ji = br__job_new(w, BR_VENDOR_ZILLIZ, "BACKUP", w->clusters[cluster].project,
                          w->dur.backup_queue, w->dur.backup_run);
    if (ji < 0) {
        br__world_unadd_backup(w);
        return -1;
    }
    br_backup *b = &w->backups[bi];
    const br_cluster *c = &w->clusters[cluster];
    b->content = only ? br__content_snapshot(only) : br__cluster_capture(w, cluster);
    if (!b->content) {
        br__world_unadd_backup(w);
        w->jobs[ji].id[0] = '\0';
        snprintf(w->jobs[ji].status, sizeof w->jobs[ji].status, "FAILED");
        w->jobs[ji].was_terminal = true;
        return -1;
    }
    /* "backup<n>_" and "<name, up to 40>_backup<n>", by hand: the two snprintf calls were
     * a third of taking a scheduled backup */
    char suffix[BR_ID_MAX];
    int n = count_cluster_backups(w, cluster, (size_t)bi);
    memcpy(suffix, "backup", 6);
    char *end = br__put_int(suffix + 6, n);
    end[0] = '_';
    end[1] = '\0';
    br__world_new_id(w, suffix, 15, b->id);
    b->vendor = BR_VENDOR_ZILLIZ;
    b->cluster = (int)cluster;
    b->project = c->project;
    b->manual = manual;
    b->created = w->now;
    b->job = (int)ji;
    b->content_hash = br__content_hash(b->content);
    br__set_text(b->type, only ? "COLLECTION" : "CLUSTER");
    br__set_text(b->status, "CREATING");
    const char *base = only && only->n_items ? only->items[0].name : c->name;
    size_t len = strnlen(base, 40);
    _Static_assert(sizeof b->name >= 40 + 7 + 11 + 1, "room for the name");
    memcpy(b->name, base, len);
    memcpy(b->name + len, "_backup", 7);
    *br__put_int(b->name + len + 7, n) = '\0';
    if (!manual) b->expires = w->now + (br_time)c->policy.retention_days * 86400;
    w->jobs[ji].backup = (int)bi;
    w->jobs[ji].src_cluster = (int)cluster;
    return bi;
}

json_t *br__zc_backup_json(const br_world *w, const br_backup *b, bool detailed)
{
    const br_cluster *c = &w->clusters[b->cluster];
    json_t *o = json_object();
    if (!o) return NULL;
    int rc = 0;
    rc |= json_object_set_new(o, "clusterId", json_string(c->id));
    rc |= json_object_set_new(o, "clusterName", json_string(c->name));
    if (detailed) rc |= json_object_set_new(o, "regionId", json_string(c->region));
    rc |= json_object_set_new(o, "projectId", json_string(w->projects[b->project].id));
    rc |= json_object_set_new(o, "backupId", json_string(b->id));
    rc |= json_object_set_new(o, "backupName", json_string(b->name));
    rc |= json_object_set_new(o, "backupType", json_string(b->type));
    rc |= json_object_set_new(o, "creationMethod", json_string(b->manual ? "MANUAL" : "AUTO"));
    rc |= json_object_set_new(o, "status", json_string(b->status));
    rc |= json_object_set_new(o, "size", json_integer(b->size));
    if (detailed) {
        json_t *colls = json_array();
        for (size_t i = 0; colls && strcmp(b->type, "COLLECTION") == 0 && i < b->content->n_items;
             i++)
            rc |= json_array_append_new(colls,
                                        json_pack("{s:s,s:s}", "dbName", b->content->items[i].db,
                                                  "collectionName", b->content->items[i].name));
        rc |= json_object_set_new(o, "collections", colls);
    }
    rc |= json_object_set_new(o, "createTime", br__time_json(b->created));
    if (b->expires) rc |= json_object_set_new(o, "expireTime", br__time_json(b->expires));
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* ZC-CREATE-TYPE: the collections of a COLLECTION backup, all in one database. */
static int collection_selection(br_ctx *ctx, const br_cluster *c, br_content *sel, bool *ok)
{
    *ok = false;
    const json_t *dbcs = json_object_get(ctx->body, "dbCollections");
    if (br__rule(ctx, BR_RULE_ZC_CREATE_TYPE, !json_is_array(dbcs) || json_array_size(dbcs) == 0))
        return ZC_BAD(ctx, "dbCollections is required for a COLLECTION backup");
    const char *db = NULL;
    size_t i;
    json_t *e;
    json_array_foreach(dbcs, i, e)
    {
        const char *name = "default";
        if (!json_is_object(e) || !br__body_string(e, "dbName", &name))
            return ZC_BAD(ctx, "dbCollections[%zu] must be an object with a string dbName", i);
        if (br__rule(ctx, BR_RULE_ZC_CREATE_TYPE, db && strcmp(db, name) != 0))
            return ZC_BAD(ctx, "a COLLECTION backup covers collections of one database only");
        db = name;
        const json_t *names = json_object_get(e, "collectionNames");
        if (!json_is_array(names) || json_array_size(names) == 0)
            return ZC_BAD(ctx, "dbCollections[%zu].collectionNames must list collections", i);
        size_t k;
        json_t *n;
        json_array_foreach(names, k, n)
        {
            if (!json_is_string(n)) return ZC_BAD(ctx, "collectionNames holds strings");
            long it = br__content_find(&c->content, name, NULL, json_string_value(n));
            if (br__rule(ctx, BR_RULE_ZC_CREATE_TYPE, it < 0))
                return ZC_FAIL(ctx, ZC_E_NO_COLLECTION, "collection %s not found in database %s",
                               json_string_value(n), name);
            if (it < 0) continue;
            const br_item *src = &c->content.items[it];
            if (br__content_find(sel, src->db, src->schema, src->name) < 0 &&
                br__content_add(sel, src->db, src->schema, src->name, src->version, src->loaded) <
                    0)
                return BR_ENOMEM;
        }
    }
    *ok = true;
    return BR_OK;
}

int br__zc_create_backup(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci = br__zc_managed_cluster(ctx, "Backups");
    if (ci < 0) return BR_OK;
    br_cluster *c = &w->clusters[ci];
    if (strcmp(c->status, "RUNNING") != 0)
        return ZC_FAIL(ctx, ZC_E_NOT_RUNNING, "Cluster %s is %s, not RUNNING.", c->id, c->status);
    const char *type = NULL;
    if (!br__body_string(ctx->body, "backupType", &type) ||
        br__rule(ctx, BR_RULE_ZC_CREATE_TYPE,
                 !type || (strcmp(type, "CLUSTER") != 0 && strcmp(type, "COLLECTION") != 0)))
        return ZC_BAD(ctx, "backupType is required and is CLUSTER or COLLECTION");
    if (!type) type = "CLUSTER"; /* only ZC-CREATE-TYPE's mutant gets here without one */
    /* ZC-CREATE-ONE: one manual backup job at a time, none while an automatic one runs. */
    br__applied(ctx, BR_RULE_ZC_CREATE_ONE);
    for (size_t i = 0; i < w->n_backups; i++) {
        const br_backup *b = &w->backups[i];
        if (b->cluster != ci || b->job < 0 || !br__job_running(&w->jobs[b->job])) continue;
        if (br__rule(ctx, BR_RULE_ZC_CREATE_ONE, true))
            return b->manual ? ZC_FAIL(ctx, ZC_E_ONE_AT_A_TIME,
                                       "Only one manually created backup job can be pending or "
                                       "in progress in cluster %s; backup %s is not done.",
                                       c->id, b->id)
                             : ZC_FAIL(ctx, ZC_E_ONE_AT_A_TIME,
                                       "A manual backup cannot start while automatic backup %s "
                                       "runs in cluster %s.",
                                       b->id, c->id);
    }
    br_content sel = {0};
    long bi;
    if (strcmp(type, "COLLECTION") == 0) {
        bool ok;
        int rc = collection_selection(ctx, c, &sel, &ok);
        if (rc || !ok) {
            br__content_free(&sel);
            return rc;
        }
        bi = br__zc_take_backup(w, ci, true, &sel);
    } else {
        bi = br__zc_take_backup(w, ci, true, NULL);
    }
    br__content_free(&sel);
    if (bi < 0) return BR_ENOMEM;
    br__applied(ctx, BR_RULE_ZC_BACKUP_LIFE);
    const br_backup *b = &w->backups[bi];
    return br__zc_ok(ctx, json_pack("{s:s,s:s,s:s}", "backupId", b->id, "backupName", b->name,
                                    "jobId", w->jobs[b->job].id));
}

static bool parse_positive(const char *s, long *out, long max)
{
    if (!s) return true;
    char *end;
    long v = strtol(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 1 || v > max) return false;
    *out = v;
    return true;
}

typedef struct {
    const br_world *w;
    size_t i;
} sort_item;

static int cmp_items(const void *a, const void *b)
{
    const sort_item *x = a, *y = b;
    const br_backup *p = &x->w->backups[x->i], *q = &y->w->backups[y->i];
    if (p->created != q->created) return p->created > q->created ? -1 : 1;
    return x->i > y->i ? -1 : 1;
}

/* The list of one cluster, cached (ZC-LIST: CREATING and AVAILABLE backups, newest first). */
static bool view_keep(const br_world *w, size_t i, long cluster)
{
    const br_backup *b = &w->backups[i];
    return b->vendor == BR_VENDOR_ZILLIZ && b->cluster == cluster && !b->deleted &&
           (strcmp(b->status, "CREATING") == 0 || strcmp(b->status, "AVAILABLE") == 0);
}

static bool view_before(const br_world *w, uint32_t a, uint32_t b)
{
    const br_backup *p = &w->backups[a], *q = &w->backups[b];
    return p->created != q->created ? p->created > q->created : a > b;
}

static int list_answer(br_ctx *ctx, const uint32_t *order, size_t n, long page, long page_size)
{
    const br_world *w = ctx->w;
    json_t *list = json_array();
    size_t first = (size_t)(page - 1) * (size_t)page_size;
    for (size_t k = first; list && k < n && k < first + (size_t)page_size; k++)
        br__append(ctx, list, br__zc_backup_json(w, &w->backups[order[k]], false));
    return br__zc_ok(ctx, json_pack("{s:I,s:I,s:I,s:o}", "count", (json_int_t)n, "currentPage",
                                    (json_int_t)page, "pageSize", (json_int_t)page_size, "backups",
                                    list));
}

int br__zc_list_backups(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long page_size = 10, page = 1;
    const char *project = br__query(ctx, "projectId"), *cluster = br__query(ctx, "clusterId");
    const char *method = br__query(ctx, "creationMethod"), *type = br__query(ctx, "backupType");
    const char *start_s = br__query(ctx, "startTime"), *end_s = br__query(ctx, "endTime");
    br__applied(ctx, BR_RULE_ZC_LIST);
    if (!parse_positive(br__query(ctx, "pageSize"), &page_size, 100))
        return br__zc_error(ctx, 400, ZC_E_BAD_PAGE_SIZE,
                            "The parameter value for pageSize should be between 1 and 100.");
    if (!parse_positive(br__query(ctx, "currentPage"), &page, 2147483647L))
        return br__zc_error(ctx, 400, ZC_E_BAD_PAGE,
                            "The parameter currentPage should have a value between 1 and the "
                            "maximum value of Int.");
    if (method && strcmp(method, "MANUAL") != 0 && strcmp(method, "AUTO") != 0)
        return ZC_BAD(ctx, "creationMethod is MANUAL or AUTO");
    if (type && strcmp(type, "CLUSTER") != 0 && strcmp(type, "COLLECTION") != 0)
        return ZC_BAD(ctx, "backupType is CLUSTER or COLLECTION");
    br_time start = 0, end = 0;
    if ((start_s && br__time_parse(start_s, &start)) || (end_s && br__time_parse(end_s, &end)))
        return br__zc_error(ctx, 400, ZC_E_BAD_TIME, "Invalid ISO 8601 timestamp format in UTC.");
    long pi = -1;
    if (project) {
        pi = br__world_find_project(w, project);
        if (pi < 0 ||
            br__rule(ctx, BR_RULE_SEC_TENANCY, !br__key_sees_project(w, ctx->key, (int)pi)))
            return ZC_FAIL(ctx, ZC_E_BAD_PROJECT, "Invalid projectId %s.", project);
    }
    if (cluster && !method && !type && !start_s && !end_s && !br__mutated(w, BR_RULE_ZC_LIST) &&
        !br__mutated(w, BR_RULE_SEC_TENANCY)) {
        /* One cluster's list: the cached view (its backups share the cluster's project). */
        long ci = br__world_find_cluster(w, cluster);
        const br_view *v = ci >= 0 ? br__view(w, BR_VIEW_ZC_BACKUPS, ci, w->n_backups, false,
                                              view_keep, view_before)
                                   : NULL;
        if (ci < 0) return list_answer(ctx, NULL, 0, page, page_size);
        if (v && (v->n == 0 || v->project >= 0)) {
            bool shown = v->n && br__key_sees_project(w, ctx->key, v->project) &&
                         (pi < 0 || pi == v->project);
            return list_answer(ctx, v->v, shown ? v->n : 0, page, page_size);
        }
    }
    sort_item *items = w->n_backups ? br__malloc(w->n_backups * sizeof *items) : NULL;
    if (w->n_backups && !items) return BR_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < w->n_backups; i++) {
        const br_backup *b = &w->backups[i];
        if (b->vendor != BR_VENDOR_ZILLIZ) continue;
        bool listed = !b->deleted &&
                      (strcmp(b->status, "CREATING") == 0 || strcmp(b->status, "AVAILABLE") == 0);
        if (!listed && !br__mutated(w, BR_RULE_ZC_LIST)) continue;
        if (!br__key_sees_project(w, ctx->key, b->project) && !br__mutated(w, BR_RULE_SEC_TENANCY))
            continue;
        if ((pi >= 0 && b->project != pi) ||
            (cluster && strcmp(w->clusters[b->cluster].id, cluster) != 0) ||
            (method && (strcmp(method, "MANUAL") == 0) != b->manual) ||
            (type && strcmp(type, b->type) != 0) || (start_s && b->created < start) ||
            (end_s && b->created > end))
            continue;
        items[n++] = (sort_item){w, i};
    }
    if (n > 1)
        qsort(items, n, sizeof *items, cmp_items); /* items is NULL in a world without backups */
    json_t *list = json_array();
    size_t first = (size_t)(page - 1) * (size_t)page_size;
    for (size_t k = first; list && k < n && k < first + (size_t)page_size; k++)
        br__append(ctx, list, br__zc_backup_json(w, &w->backups[items[k].i], false));
    br__free(items);
    return br__zc_ok(ctx, json_pack("{s:I,s:I,s:I,s:o}", "count", (json_int_t)n, "currentPage",
                                    (json_int_t)page, "pageSize", (json_int_t)page_size, "backups",
                                    list));
}

int br__zc_describe_backup(br_ctx *ctx)
{
    long ci = br__zc_cluster(ctx, ctx->params[0], true); /* ZC-RETAIN: cluster may be gone */
    if (ci < 0) return BR_OK;
    long bi = br__zc_backup(ctx, ci, ctx->params[1]);
    if (bi < 0) return BR_OK;
    br__applied(ctx, BR_RULE_ZC_DESCRIBE);
    if (ctx->w->clusters[ci].dropped) br__applied(ctx, BR_RULE_ZC_RETAIN);
    return br__zc_ok(ctx, br__zc_backup_json(ctx->w, &ctx->w->backups[bi], true));
}

int br__zc_delete_backup(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci = br__zc_cluster(ctx, ctx->params[0], true);
    if (ci < 0 || !br__zc_can_write(ctx, w->clusters[ci].project)) return BR_OK;
    long bi = br__zc_backup(ctx, ci, ctx->params[1]);
    if (bi < 0) return BR_OK;
    br_backup *b = &w->backups[bi];
    if (br__rule(ctx, BR_RULE_ZC_DELETE, strcmp(b->status, "CREATING") == 0))
        return ZC_FAIL(ctx, ZC_E_IN_USE, "Backup %s is still being created.", b->id);
    for (size_t i = 0; i < w->n_jobs; i++) {
        const br_job *j = &w->jobs[i];
        if (j->backup == bi && j->vendor == BR_VENDOR_ZILLIZ && strcmp(j->type, "BACKUP") != 0 &&
            br__job_running(j) && br__rule(ctx, BR_RULE_ZC_DELETE, true))
            return ZC_FAIL(ctx, ZC_E_IN_USE, "Backup %s is in use by running %s job %s.", b->id,
                           j->type, j->id);
    }
    json_t *data = json_pack("{s:s,s:s}", "backupId", b->id, "backupName", b->name);
    if (!data) return BR_ENOMEM;
    b->deleted = true;
    br__applied(ctx, BR_RULE_ZC_DELETE);
    return br__zc_ok(ctx, data);
}
