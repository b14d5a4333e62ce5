/* CockroachDB managed backups: taken by the service on each cluster's schedule and expired
 * after its retention (CC-BACKUP-CONFIG), and listed with keyset paging (CC-LIST-BACKUPS). */
#include "crdb/crdb.h"

#include <stdio.h>
#include <string.h>

long br__cc_take_backup(br_world *w, long cluster)
{
    long bi = br__world_add_backup(w);
    if (bi < 0) return -1;
    br_backup *b = &w->backups[bi];
    const br_cluster *c = &w->clusters[cluster];
    b->content = br__cluster_capture(w, cluster);
    if (!b->content) {
        br__world_unadd_backup(w);
        return -1;
    }
    br__world_new_uuid(w, b->id);
    br__set_text(b->name, b->id);
    br__set_text(b->type, "CLUSTER");
    br__set_text(b->status, "AVAILABLE");
    b->vendor = BR_VENDOR_CRDB;
    b->cluster = (int)cluster;
    b->project = c->project;
    b->manual = false;
    b->created = b->started = b->finished = w->now;
    b->expires = w->now + (br_time)c->policy.retention_days * 86400;
    b->content_hash = br__content_hash(b->content);
    return bi;
}

/* The next scheduled backup of a cluster, or 0. */
static br_time next_run(const br_cluster *c)
{
    if (c->vendor != BR_VENDOR_CRDB || c->dropped || !c->policy.enabled ||
        c->policy.frequency_min <= 0)
        return 0;
    return c->policy.last_run + (br_time)c->policy.frequency_min * 60;
}

br_time br__cc_next_event(const br_world *w, br_time after)
{
    (void)after;
    br_time next = 0;
    bool any = false; /* no CockroachDB cluster: no CockroachDB backup to expire either */
    for (size_t i = 0; i < w->n_clusters; i++) {
        br_time t = next_run(&w->clusters[i]);
        any = any || w->clusters[i].vendor == BR_VENDOR_CRDB;
        if (t && (!next || t < next)) next = t;
    }
    br_time t = any ? br__expiry_next(w, BR_VENDOR_CRDB) : 0;
    return t && (!next || t < next) ? t : next;
}

int br__cc_run_event(br_world *w, br_time at)
{
    int rc = br__events_sync(w);
    if (rc) return rc;
    br__expiry_run(w, BR_VENDOR_CRDB, at);
    for (size_t i = 0; i < w->n_clusters; i++) {
        br_time t = next_run(&w->clusters[i]);
        if (!t || t > at) continue;
        if (br__cc_take_backup(w, (long)i) < 0) return BR_ENOMEM;
        w->clusters[i].policy.last_run = at;
    }
    return BR_OK;
}

static json_t *backup_item(const br_world *w, size_t index)
{
    const br_backup *b = &w->backups[index];
    return json_pack("{s:s,s:o}", "id", b->id, "as_of_time", br__time_json(b->created));
}

/* One cluster's live backups, cached in (time, id) order (CC-LIST-BACKUPS). */
static bool view_keep(const br_world *w, size_t i, long cluster)
{
    const br_backup *b = &w->backups[i];
    return b->vendor == BR_VENDOR_CRDB && b->cluster == cluster && !b->deleted;
}

static bool view_before(const br_world *w, uint32_t a, uint32_t b)
{
    const br_backup *p = &w->backups[a], *q = &w->backups[b];
    if (p->created != q->created) return p->created < q->created;
    int c = strcmp(p->id, q->id);
    return c != 0 ? c < 0 : a < b;
}

/* Row k of the cached view ('data' is the world). */
static br__cc_row view_row(const void *data, size_t k)
{
    const br_world *w = data;
    const br_view *v = &w->views[BR_VIEW_CC_BACKUPS];
    const br_backup *b = &w->backups[v->v[k]];
    return (br__cc_row){b->created, b->id, v->v[k]};
}

int br__cc_list_backups(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci = br__cc_cluster(ctx, ctx->params[0], true);
    if (ci < 0) return BR_OK;
    br__cc_page p;
    if (!br__cc_page_parse(ctx, &p)) return BR_OK;
    br__applied(ctx, BR_RULE_CC_LIST_BACKUPS);
    const br_view *v =
        br__mutated(w, BR_RULE_CC_LIST_BACKUPS)
            ? NULL
            : br__view(w, BR_VIEW_CC_BACKUPS, ci, w->n_backups, false, view_keep, view_before);
    if (v) { /* the cached list, in (time, id) order: the page by binary search */
        size_t *pos = br__malloc((size_t)p.limit * sizeof *pos);
        br__cc_row *rows = br__malloc((size_t)p.limit * sizeof *rows);
        if (!pos || !rows) {
            br__free(pos);
            br__free(rows);
            return BR_ENOMEM;
        }
        size_t keep;
        bool more;
        br__cc_page_window(&p, v->n, w, view_row, pos, &keep, &more);
        for (size_t k = 0; k < keep; k++)
            rows[k] = view_row(w, pos[k]);
        br__free(pos);
        return br__cc_page_rows(ctx, rows, keep, more, "backups", backup_item);
    }
    br__cc_row *rows = w->n_backups ? br__malloc(w->n_backups * sizeof *rows) : NULL;
    if (w->n_backups && !rows) return BR_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < w->n_backups; i++) {
        const br_backup *b = &w->backups[i];
        if (b->vendor != BR_VENDOR_CRDB || b->cluster != ci || b->deleted) continue;
        bool outside = (p.has_start && b->created < p.start) || (p.has_end && b->created >= p.end);
        if (br__rule(ctx, BR_RULE_CC_LIST_BACKUPS, outside)) continue;
        rows[n++] = (br__cc_row){b->created, b->id, i};
    }
    return br__cc_page_answer(ctx, &p, rows, n, "backups", backup_item);
}
