/* CockroachDB restores as the API shows them (CC-RESTORE-LIFE): the Restore object, GET of
 * one restore and the keyset-paged list of a destination cluster's restores. */
#include "crdb/crdb.h"

#include <stdlib.h>
#include <string.h>

json_t *br__cc_restore_json(const br_world *w, const br_job *j)
{
    const br_backup *b = &w->backups[j->backup];
    json_t *o = json_object();
    if (!o) return NULL;
    int rc = 0;
    rc |= json_object_set_new(o, "id", json_string(j->id));
    rc |= json_object_set_new(o, "backup_id", json_string(b->id));
    rc |= json_object_set_new(o, "status", json_string(j->status));
    rc |= json_object_set_new(o, "created_at", br__time_json(j->created));
    rc |= json_object_set_new(o, "type",
                              json_object_get(j->params, "type")
                                  ? json_copy(json_object_get(j->params, "type"))
                                  : json_string("CLUSTER"));
    rc |= json_object_set_new(o, "completion_percent", json_real(br__job_progress(w, j) / 100.0));
    rc |= json_object_set_new(o, "source_cluster_name",
                              json_string(w->clusters[j->src_cluster].name));
    rc |= json_object_set_new(o, "destination_cluster_name",
                              json_string(w->clusters[j->dst_cluster].name));
    rc |= json_object_set_new(o, "backup_end_time", br__time_json(b->created));
    const json_t *objects = json_object_get(j->params, "objects");
    if (json_array_size(objects)) rc |= json_object_set_new(o, "objects", json_deep_copy(objects));
    const json_t *opts = json_object_get(j->params, "restore_opts");
    if (opts) rc |= json_object_set_new(o, "restore_opts", json_deep_copy(opts));
    bool failed = strcmp(j->status, "FAILED") == 0;
    bool mutant = br__mutated(w, BR_RULE_CC_RESTORE_LIFE);
    if (strcmp(j->status, "SUCCESS") == 0 || mutant) /* mutant: completed_at from the start */
        rc |= json_object_set_new(o, "completed_at",
                                  br__time_json(j->finished ? j->finished : j->created));
    if (failed && !mutant) {
        const char *why = json_string_value(j->reason);
        rc |= json_object_set_new(o, "client_error_code", json_integer(j->error_code));
        rc |= json_object_set_new(o, "client_error_message",
                                  json_string(why && *why ? why : "restore failed"));
    }
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static bool is_restore_of(const br_job *j, long cluster)
{
    return j->vendor == BR_VENDOR_CRDB && strcmp(j->type, "RESTORE") == 0 &&
           j->dst_cluster == cluster && j->backup >= 0;
}

int br__cc_get_restore(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci = br__cc_cluster(ctx, ctx->params[0], true);
    if (ci < 0) return BR_OK;
    long ji = br__world_find_job(w, ctx->params[1]);
    if (ji < 0 || !is_restore_of(&w->jobs[ji], ci))
        return br__cc_error(ctx, CC_NOT_FOUND, "restore %.60s not found in cluster %s",
                            ctx->params[1], w->clusters[ci].id);
    br__applied(ctx, BR_RULE_CC_RESTORE_LIFE);
    return br__cc_ok(ctx, br__cc_restore_json(w, &w->jobs[ji]));
}

static json_t *restore_item(const br_world *w, size_t index)
{
    return br__cc_restore_json(w, &w->jobs[index]);
}

/* A cluster's restores (fixed at creation), cached in (time, id) order. */
static bool view_keep(const br_world *w, size_t i, long cluster)
{
    return is_restore_of(&w->jobs[i], cluster);
}

static bool view_before(const br_world *w, uint32_t a, uint32_t b)
{
    const br_job *p = &w->jobs[a], *q = &w->jobs[b];
    if (p->created != q->created) return p->created < q->created;
    int c = strcmp(p->id, q->id);
    return c != 0 ? c < 0 : a < b;
}

static br__cc_row view_row(const void *data, size_t k)
{
    const br_world *w = data;
    const br_view *v = &w->views[BR_VIEW_CC_RESTORES];
    const br_job *j = &w->jobs[v->v[k]];
    return (br__cc_row){j->created, j->id, v->v[k]};
}

int br__cc_list_restores(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci = br__cc_cluster(ctx, ctx->params[0], true);
    if (ci < 0) return BR_OK;
    br__cc_page p;
    if (!br__cc_page_parse(ctx, &p)) return BR_OK;
    br__applied(ctx, BR_RULE_CC_RESTORE_LIFE);
    const br_view *v =
        br__view(w, BR_VIEW_CC_RESTORES, ci, w->n_jobs, true, view_keep, view_before);
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
        return br__cc_page_rows(ctx, rows, keep, more, "restores", restore_item);
    }
    br__cc_row *rows = w->n_jobs ? br__malloc(w->n_jobs * sizeof *rows) : NULL;
    if (w->n_jobs && !rows) return BR_ENOMEM;
    size_t n = 0;
    for (size_t i = 0; i < w->n_jobs; i++) {
        const br_job *j = &w->jobs[i];
        if (!is_restore_of(j, ci) || (p.has_start && j->created < p.start) ||
            (p.has_end && j->created >= p.end))
            continue;
        rows[n++] = (br__cc_row){j->created, j->id, i};
    }
    return br__cc_page_answer(ctx, &p, rows, n, "restores", restore_item);
}
