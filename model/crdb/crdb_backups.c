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
    if (br__content_copy(&b->content, &c->content)) {
        w->n_backups--;
        return -1;
    }
    br__world_new_uuid(w, b->id);
    snprintf(b->name, sizeof b->name, "%s", b->id);
    snprintf(b->type, sizeof b->type, "CLUSTER");
    snprintf(b->status, sizeof b->status, "AVAILABLE");
    b->vendor = BR_VENDOR_CRDB;
    b->cluster = (int)cluster;
    b->project = c->project;
    b->manual = false;
    b->created = b->started = b->finished = w->now;
    b->expires = w->now + (br_time)c->policy.retention_days * 86400;
    b->content_hash = br__content_hash(&b->content);
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
    for (size_t i = 0; any && i < w->n_backups; i++) {
        const br_backup *b = &w->backups[i];
        if (b->vendor == BR_VENDOR_CRDB && !b->deleted && b->expires &&
            (!next || b->expires < next))
            next = b->expires;
    }
    return next;
}

int br__cc_run_event(br_world *w, br_time at)
{
    for (size_t i = 0; i < w->n_backups; i++) {
        br_backup *b = &w->backups[i];
        if (b->vendor == BR_VENDOR_CRDB && !b->deleted && b->expires && b->expires <= at)
            b->deleted = true;
    }
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

int br__cc_list_backups(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci = br__cc_cluster(ctx, ctx->params[0], true);
    if (ci < 0) return BR_OK;
    br__cc_page p;
    if (!br__cc_page_parse(ctx, &p)) return BR_OK;
    br__applied(ctx, BR_RULE_CC_LIST_BACKUPS);
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
