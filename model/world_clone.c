/* A deep copy of a world (br_world_clone): what loading the same JSON again would give,
 * without parsing it. Shared content snapshots and job parameters are immutable once
 * taken, so the copy holds one more reference to each instead of copying them; the
 * look-up caches and due-time heaps are copied, the list views start empty. */
#include "world.h"

#include <string.h>

/* A copy of n elements of 'size' bytes (NULL when n is 0). False on allocation failure. */
static bool dup_array(void **dst, size_t *cap, const void *src, size_t n, size_t size)
{
    *dst = NULL;
    *cap = 0;
    if (!n) return true;
    *dst = br__malloc(n * size);
    if (!*dst) return false;
    memcpy(*dst, src, n * size);
    *cap = n;
    return true;
}

static bool dup_index(br_id_index *dst, const br_id_index *src)
{
    size_t cap;
    *dst = *src;
    if (!dup_array((void **)&dst->slots, &cap, src->slots, src->cap, sizeof *src->slots)) {
        *dst = (br_id_index){0};
        return false;
    }
    return true;
}

static bool dup_heap(br_heap *dst, const br_heap *src)
{
    dst->n = src->n;
    return dup_array((void **)&dst->v, &dst->cap, src->v, src->n, sizeof *src->v);
}

/* Every owning pointer of the copy is either NULL or its own (or a new reference), so
 * br_world_free can free a copy that stopped half-way. */
static bool copy_owned(br_world *w, const br_world *src)
{
    bool ok = true;
    for (size_t i = 0; i < w->n_orgs; i++) {
        br_org *o = &w->orgs[i];
        if (ok)
            ok = dup_array((void **)&o->access, &o->cap_access, src->orgs[i].access, o->n_access,
                           sizeof *o->access);
        else
            o->access = NULL;
    }
    for (size_t i = 0; i < w->n_keys; i++) {
        br_key *k = &w->keys[i];
        size_t cap;
        if (ok)
            ok = dup_array((void **)&k->grants, &cap, src->keys[i].grants, k->n_grants,
                           sizeof *k->grants);
        else
            k->grants = NULL;
    }
    for (size_t i = 0; i < w->n_clusters; i++) {
        br_cluster *c = &w->clusters[i];
        c->content = (br_content){0};
        if (ok) ok = br__content_copy(&c->content, &src->clusters[i].content) == BR_OK;
        c->snap = br__content_share(src->clusters[i].snap);
    }
    for (size_t i = 0; i < w->n_backups; i++)
        br__content_share(w->backups[i].content);
    for (size_t i = 0; i < w->n_jobs; i++) {
        if (w->jobs[i].params) json_incref(w->jobs[i].params);
        if (w->jobs[i].reason) json_incref(w->jobs[i].reason);
    }
    ok = ok && dup_index(&w->ix_clusters, &src->ix_clusters) &&
         dup_index(&w->ix_backups, &src->ix_backups) && dup_index(&w->ix_jobs, &src->ix_jobs) &&
         dup_index(&w->ix_projects, &src->ix_projects) && dup_heap(&w->job_due, &src->job_due);
    for (int v = 0; ok && v < BR_VENDOR_COUNT; v++)
        ok = dup_heap(&w->expiry[v], &src->expiry[v]);
    return ok;
}

br_world *br_world_clone(const br_world *src)
{
    br_world *w = br__malloc(sizeof *w);
    if (!w) return NULL;
    *w = *src;
    /* Nothing of src is owned yet: clear every pointer before the first allocation. */
    w->orgs = NULL;
    w->projects = NULL;
    w->keys = NULL;
    w->clusters = NULL;
    w->backups = NULL;
    w->jobs = NULL;
    w->n_orgs = w->n_projects = w->n_keys = w->n_clusters = w->n_backups = w->n_jobs = 0;
    w->ix_clusters = w->ix_backups = w->ix_jobs = w->ix_projects = (br_id_index){0};
    w->job_due = (br_heap){0};
    memset(w->expiry, 0, sizeof w->expiry);
    memset(w->views, 0, sizeof w->views);
    bool ok = true;
#define COPY(arr, n, cap)                                                                          \
    do {                                                                                           \
        if (ok && (ok = dup_array((void **)&w->arr, &w->cap, src->arr, src->n, sizeof *w->arr)))   \
            w->n = src->n;                                                                         \
    } while (0)
    COPY(orgs, n_orgs, cap_orgs);
    COPY(projects, n_projects, cap_projects);
    COPY(keys, n_keys, cap_keys);
    COPY(clusters, n_clusters, cap_clusters);
    COPY(backups, n_backups, cap_backups);
    COPY(jobs, n_jobs, cap_jobs);
#undef COPY
    if (!ok) { /* the arrays copied so far hold src's pointers: not ours to free */
        for (size_t i = 0; i < w->n_orgs; i++)
            w->orgs[i].access = NULL;
        for (size_t i = 0; i < w->n_keys; i++)
            w->keys[i].grants = NULL;
        for (size_t i = 0; i < w->n_clusters; i++) {
            w->clusters[i].content = (br_content){0};
            w->clusters[i].snap = NULL;
        }
        for (size_t i = 0; i < w->n_backups; i++)
            w->backups[i].content = NULL;
        br_world_free(w); /* jobs were not copied: the last step */
        return NULL;
    }
    if (!copy_owned(w, src)) {
        br_world_free(w);
        return NULL;
    }
    return w;
}
