/* Atlas restore and download jobs as the API shows them (MA-RESTORE-LIFE, MA-DOWNLOAD),
 * their two reads, and what each job does when it runs and ends (MA-WIPE, INV-CONTENT,
 * the snapshot life cycle of MA-SNAPSHOT-LIFE). */
#include "atlas/atlas.h"

#include <stdio.h>
#include <string.h>

static bool is_delivery(const br_job *j)
{
    return j->vendor == BR_VENDOR_ATLAS &&
           (strcmp(j->type, "RESTORE") == 0 || strcmp(j->type, "DOWNLOAD") == 0);
}

json_t *br__ma_job_json(br_ctx *ctx, const br_job *j)
{
    const br_world *w = ctx->w;
    const br_backup *b = &w->backups[j->backup];
    bool download = strcmp(j->type, "DOWNLOAD") == 0;
    bool completed = strcmp(j->status, "COMPLETED") == 0;
    br_time expiry = j->created + MA_LINK_LIFETIME;
    json_t *o = json_object();
    if (!o) return NULL;
    int rc = 0;
    rc |= json_object_set_new(o, "clusterName", json_string(w->clusters[j->src_cluster].name));
    rc |= json_object_set_new(o, "deliveryType", json_string(download ? "DOWNLOAD" : "RESTORE"));
    rc |= json_object_set_new(o, "expirationDate", br__time_json(expiry));
    rc |= json_object_set_new(o, "id", json_string(j->id));
    rc |= json_object_set_new(o, "projectId", json_string(w->projects[j->project].id));
    /* MA-RESTORE-LIFE: restoreFinishedDate appears only once the job is COMPLETED. */
    if (!br__rule(ctx, BR_RULE_MA_RESTORE_LIFE, !completed))
        rc |= json_object_set_new(o, "restoreFinishedDate",
                                  br__time_json(j->finished ? j->finished : j->created));
    rc |= json_object_set_new(o, "restoreScheduledDate", br__time_json(j->created));
    if (b->finished)
        rc |= json_object_set_new(o, "snapshotFinishedDate", br__time_json(b->finished));
    rc |= json_object_set_new(o, "snapshotId", json_string(b->id));
    /* MA-DOWNLOAD: the link of a finished download works until expirationDate. */
    if (download && completed && !br__rule(ctx, BR_RULE_MA_DOWNLOAD, w->now >= expiry)) {
        char url[160];
        snprintf(url, sizeof url, "https://restore-%s.tenant-backups.mongodb.net/restore-%s.tar.gz",
                 j->id, b->id);
        rc |= json_object_set_new(o, "snapshotUrl", json_string(url));
    }
    rc |= json_object_set_new(o, "status", json_string(j->status));
    json_t *name = json_object_get(j->params, "targetDeploymentItemName");
    json_t *group = json_object_get(j->params, "targetProjectId");
    if (name) rc |= json_object_set(o, "targetDeploymentItemName", name);
    if (group) rc |= json_object_set(o, "targetProjectId", group);
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* A cluster's restore and download jobs (fixed at creation), by index. */
static bool view_keep(const br_world *w, size_t i, long cluster)
{
    return is_delivery(&w->jobs[i]) && w->jobs[i].src_cluster == cluster;
}

static bool view_before(const br_world *w, uint32_t a, uint32_t b)
{
    (void)w;
    return a < b;
}

int br__ma_list_restores(br_ctx *ctx)
{
    const br_world *w = ctx->w;
    br_ma_page pg;
    long ci = br__ma_path_cluster(ctx, false);
    if (ci < 0 || !br__ma_paging(ctx, &pg)) return BR_OK;
    const br_view *v =
        br__view(ctx->w, BR_VIEW_MA_RESTORES, ci, w->n_jobs, true, view_keep, view_before);
    if (v) { /* the cached list, newest first: only the page is built */
        json_t *page = json_array();
        size_t first = (size_t)(pg.num - 1) * (size_t)pg.per;
        for (size_t k = first; page && k < v->n && k < first + (size_t)pg.per; k++)
            br__append(ctx, page, br__ma_job_json(ctx, &w->jobs[v->v[v->n - 1 - k]]));
        br__applied(ctx, BR_RULE_MA_RESTORE_LIFE);
        return br__ma_list_page(ctx, page, v->n, &pg);
    }
    json_t *all = json_array();
    for (size_t i = w->n_jobs; all && i-- > 0;) { /* newest first, as recorded */
        const br_job *j = &w->jobs[i];
        if (is_delivery(j) && j->src_cluster == ci) br__append(ctx, all, br__ma_job_json(ctx, j));
    }
    br__applied(ctx, BR_RULE_MA_RESTORE_LIFE);
    return br__ma_list(ctx, all, &pg);
}

int br__ma_get_restore(br_ctx *ctx)
{
    const br_world *w = ctx->w;
    long ci = br__ma_path_cluster(ctx, false);
    if (ci < 0) return BR_OK;
    const char *id = ctx->params[2];
    long ji = br__ma_object_id(id) ? br__world_find_job(w, id) : -1;
    if (ji < 0 || !is_delivery(&w->jobs[ji]) || w->jobs[ji].src_cluster != ci)
        return br__ma_not_found(ctx, "TENANT_RESTORE_NOT_FOUND", id, w->clusters[ci].name,
                                "No M2/M5 restore with ID %s exists for cluster %s.", id,
                                w->clusters[ci].name);
    br__applied(ctx, BR_RULE_MA_RESTORE_LIFE);
    if (strcmp(w->jobs[ji].type, "DOWNLOAD") == 0) br__applied(ctx, BR_RULE_MA_DOWNLOAD);
    return br__ma_ok(ctx, br__ma_job_json(ctx, &w->jobs[ji]));
}

/* ---- job effects ---- */

int br__ma_job_started(br_world *w, br_job *j)
{
    if (strcmp(j->type, "BACKUP") == 0 && j->backup >= 0) {
        br_backup *b = &w->backups[j->backup];
        snprintf(b->status, sizeof b->status, "%.15s", j->status);
        b->started = j->started;
    } else if (strcmp(j->type, "RESTORE") == 0 && j->dst_cluster >= 0 &&
               w->clusters[j->dst_cluster].dropped) {
        j->failing = true; /* the target went away before the restore began */
    }
    return BR_OK;
}

/* The MA-WIPE mutant: the snapshot's collections are laid over the target's, whose other
 * collections survive. */
static int merge(br_content *dst, const br_content *src)
{
    for (size_t i = 0; i < src->n_dbs; i++)
        if (br__content_add_db(dst, src->dbs[i])) return BR_ENOMEM;
    for (size_t i = 0; i < src->n_items; i++) {
        const br_item *it = &src->items[i];
        long k = br__content_find(dst, it->db, it->schema, it->name);
        if (k >= 0)
            dst->items[k].version = it->version;
        else if (br__content_add(dst, it->db, it->schema, it->name, it->version, it->loaded) < 0)
            return BR_ENOMEM;
    }
    return BR_OK;
}

int br__ma_job_finished(br_world *w, br_job *j)
{
    bool ok = strcmp(j->status, "COMPLETED") == 0;
    if (strcmp(j->type, "BACKUP") == 0 && j->backup >= 0) {
        br_backup *b = &w->backups[j->backup];
        snprintf(b->status, sizeof b->status, "%.15s", j->status);
        b->finished = j->finished;
        return BR_OK;
    }
    if (strcmp(j->type, "DOWNLOAD") == 0) {
        if (ok) j->result_hash = w->backups[j->backup].content_hash; /* the archive's content */
        return BR_OK;
    }
    if (strcmp(j->type, "RESTORE") != 0 || j->dst_cluster < 0) return BR_OK;
    br_cluster *dst = &w->clusters[j->dst_cluster];
    if (ok && dst->dropped) { /* the target went away while it ran: nothing was restored */
        snprintf(j->status, sizeof j->status, "FAILED");
        j->failing = true;
    } else if (ok) {
        /* MA-WIPE: the target holds the snapshot's content and nothing else. */
        const br_content *snap = w->backups[j->backup].content;
        int rc = br__mutated(w, BR_RULE_MA_WIPE) ? merge(&dst->content, snap)
                                                 : br__content_copy(&dst->content, snap);
        if (rc) return rc;
        j->result_hash = br__content_hash(&dst->content);
    }
    if (dst->restoring_job == (int)(j - w->jobs)) dst->restoring_job = -1;
    return BR_OK;
}
