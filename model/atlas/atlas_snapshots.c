/* Atlas tenant snapshots (MA-SNAPSHOT-LIFE): the daily snapshot the service takes of every
 * M2/M5 cluster (PENDING -> RUNNING -> COMPLETED, content captured at scheduledTime,
 * expiration 8 days later), the two snapshot reads, and the world section "snapshots". */
#include "atlas/atlas.h"

#include <stdio.h>
#include <string.h>

long br__ma_snapshot(br_ctx *ctx, long cluster, const char *id)
{
    const br_world *w = ctx->w;
    long bi = br__ma_object_id(id) ? br__world_find_backup(w, id) : -1;
    const br_backup *b = bi >= 0 ? &w->backups[bi] : NULL;
    br__applied(ctx, BR_RULE_MA_SNAPSHOT_LIFE); /* expired snapshots are gone */
    if (!b || b->vendor != BR_VENDOR_ATLAS || b->deleted || b->cluster != cluster) {
        const char *name = w->clusters[cluster].name;
        br__ma_not_found(ctx, "TENANT_SNAPSHOT_NOT_FOUND", id ? id : "", name,
                         "No M2/M5 snapshot with ID %s exists for cluster %s.", id ? id : "", name);
        return -1;
    }
    return bi;
}

json_t *br__ma_snapshot_json(const br_backup *b)
{
    json_t *o = json_object();
    if (!o) return NULL;
    int rc = 0;
    if (b->expires) rc |= json_object_set_new(o, "expiration", br__time_json(b->expires));
    if (b->finished) rc |= json_object_set_new(o, "finishTime", br__time_json(b->finished));
    rc |= json_object_set_new(o, "id", json_string(b->id));
    if (b->mongo_version[0])
        rc |= json_object_set_new(o, "mongoDBVersion", json_string(b->mongo_version));
    rc |= json_object_set_new(o, "scheduledTime", br__time_json(b->created));
    if (b->started) rc |= json_object_set_new(o, "startTime", br__time_json(b->started));
    rc |= json_object_set_new(o, "status", json_string(b->status));
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* True when backup a is listed before backup b: oldest scheduledTime first (recorded). */
static bool before(const br_world *w, size_t a, size_t b)
{
    const br_backup *x = &w->backups[a], *y = &w->backups[b];
    return x->created != y->created ? x->created < y->created : a < b;
}

static bool view_keep(const br_world *w, size_t i, long cluster)
{
    const br_backup *b = &w->backups[i];
    return b->vendor == BR_VENDOR_ATLAS && !b->deleted && b->cluster == cluster;
}

static bool view_before(const br_world *w, uint32_t a, uint32_t b)
{
    return before(w, a, b);
}

int br__ma_list_snapshots(br_ctx *ctx)
{
    const br_world *w = ctx->w;
    br_ma_page pg;
    long ci = br__ma_path_cluster(ctx, false);
    if (ci < 0 || !br__ma_paging(ctx, &pg)) return BR_OK;
    const br_view *v = br__view(ctx->w, BR_VIEW_MA_SNAPSHOTS, ci, ctx->w->n_backups, false,
                                view_keep, view_before);
    if (v) { /* the cached list: only the page is built */
        json_t *page = json_array();
        size_t first = (size_t)(pg.num - 1) * (size_t)pg.per;
        for (size_t k = first; page && k < v->n && k < first + (size_t)pg.per; k++)
            br__append(ctx, page, br__ma_snapshot_json(&w->backups[v->v[k]]));
        br__applied(ctx, BR_RULE_MA_SNAPSHOT_LIFE);
        return br__ma_list_page(ctx, page, v->n, &pg);
    }
    size_t *order = br__malloc((w->n_backups + 1) * sizeof *order), n = 0;
    if (!order) return BR_ENOMEM;
    for (size_t i = 0; i < w->n_backups; i++) {
        const br_backup *b = &w->backups[i];
        if (b->vendor != BR_VENDOR_ATLAS || b->deleted || b->cluster != ci) continue;
        size_t k = n++; /* insertion sort: lists are short */
        for (; k > 0 && before(w, i, order[k - 1]); k--)
            order[k] = order[k - 1];
        order[k] = i;
    }
    json_t *all = json_array();
    for (size_t k = 0; all && k < n; k++)
        br__append(ctx, all, br__ma_snapshot_json(&w->backups[order[k]]));
    br__free(order);
    br__applied(ctx, BR_RULE_MA_SNAPSHOT_LIFE);
    return br__ma_list(ctx, all, &pg);
}

int br__ma_get_snapshot(br_ctx *ctx)
{
    long ci = br__ma_path_cluster(ctx, false);
    if (ci < 0) return BR_OK;
    long bi = br__ma_snapshot(ctx, ci, ctx->params[2]);
    if (bi < 0) return BR_OK;
    br__applied(ctx, BR_RULE_MA_SNAPSHOT_LIFE);
    return br__ma_ok(ctx, br__ma_snapshot_json(&ctx->w->backups[bi]));
}

/* ---- the daily schedule and retention ---- */

static bool takes_snapshots(const br_cluster *c)
{
    return c->vendor == BR_VENDOR_ATLAS && !c->dropped && !c->paused &&
           (strcmp(c->plan, "M2") == 0 || strcmp(c->plan, "M5") == 0);
}

/* The next daily snapshot after the last one: at the time of day the cluster was created
 * (the recordings show one snapshot a day at a fixed time). */
static br_time next_snapshot(const br_cluster *c)
{
    br_time tod = ((c->created % 86400) + 86400) % 86400, last = c->policy.last_run;
    br_time t = (last >= 0 ? last / 86400 : 0) * 86400 + tod;
    while (t <= last)
        t += 86400;
    return t;
}

br_time br__ma_next_event(const br_world *w, br_time after)
{
    (void)after;
    br_time next = 0;
    bool any = false; /* no Atlas cluster: no Atlas snapshot to expire either */
    for (size_t i = 0; i < w->n_clusters; i++) {
        any = any || w->clusters[i].vendor == BR_VENDOR_ATLAS;
        if (!takes_snapshots(&w->clusters[i])) continue;
        br_time t = next_snapshot(&w->clusters[i]);
        if (!next || t < next) next = t;
    }
    if (br__mutated(w, BR_RULE_MA_SNAPSHOT_LIFE)) return next; /* mutant: kept forever */
    br_time t = any ? br__expiry_next(w, BR_VENDOR_ATLAS) : 0;
    return t && (!next || t < next) ? t : next;
}

/* Takes the cluster's snapshot now: content captured at scheduledTime, a BACKUP job
 * moves it through PENDING -> RUNNING -> COMPLETED. Returns the backup index or -1 (world
 * unchanged) on allocation failure. */
static long take_snapshot(br_world *w, long ci)
{
    br_content *captured = br__cluster_capture(w, ci);
    if (!captured) return -1;
    long bi = br__world_add_backup(w);
    if (bi < 0) {
        br__content_release(captured);
        return -1;
    }
    br__world_new_id(w, "", 24, w->backups[bi].id);
    long ji = br__job_new(w, BR_VENDOR_ATLAS, "BACKUP", w->clusters[ci].project,
                          w->dur.backup_queue, w->dur.backup_run);
    if (ji < 0) {
        br__world_unadd_backup(w);
        br__content_release(captured);
        return -1;
    }
    br_backup *b = &w->backups[bi];
    const br_cluster *c = &w->clusters[ci];
    br_job *j = &w->jobs[ji];
    b->vendor = BR_VENDOR_ATLAS;
    b->cluster = (int)ci;
    b->project = c->project;
    br__set_text(b->name, b->id);
    br__set_text(b->type, "CLUSTER");
    br__set_text(b->status, j->status);
    b->created = w->now;
    b->expires = w->now + MA_SNAPSHOT_RETENTION;
    b->job = (int)ji;
    br__ma_version_string(c->mongo_major, b->mongo_version);
    b->content = captured;
    b->content_hash = br__content_hash(b->content);
    j->backup = (int)bi;
    j->src_cluster = (int)ci;
    return bi;
}

int br__ma_run_event(br_world *w, br_time at)
{
    for (size_t i = 0; i < w->n_clusters; i++) {
        if (!takes_snapshots(&w->clusters[i]) || next_snapshot(&w->clusters[i]) > at) continue;
        if (take_snapshot(w, (long)i) < 0) return BR_ENOMEM;
        w->clusters[i].policy.last_run = at;
    }
    if (!br__mutated(w, BR_RULE_MA_SNAPSHOT_LIFE)) {
        int rc = br__events_sync(w);
        if (rc) return rc;
        br__expiry_run(w, BR_VENDOR_ATLAS, at);
    }
    return BR_OK;
}

/* ---- the world section "snapshots" ----
 * "snapshots": [{"id" (24 hex digits), "cluster" (an Atlas cluster id), "status" (PENDING,
 * QUEUED, RUNNING, COMPLETED (default) or FAILED), "scheduledTime" (default: the clock),
 * "startTime" (default scheduledTime), "finishTime" (default startTime when COMPLETED),
 * "expiration" (none by default), "mongoDBVersion" (default: the cluster's major, "7.0.0"),
 * "databases" ([{name, collections: [{name, version}]}]; default: the cluster's content)}].
 * Loaded snapshots have no job: their status stays as given. Atlas clusters without
 * "mongoMajor" run MongoDB 7; the daily schedule starts after the world's clock. */

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        if (err) snprintf(err, errlen, __VA_ARGS__);                                               \
        return BR_EWORLD;                                                                          \
    } while (0)

static int load_time(const json_t *o, const char *key, br_time dflt, br_time *out)
{
    const json_t *v = json_object_get(o, key);
    *out = dflt;
    if (!v) return BR_OK;
    return json_is_string(v) ? br__time_parse(json_string_value(v), out) : BR_EWORLD;
}

/* A snapshot's "databases". */
#define SNAPSHOT_DBS "databases are [{name, collections: [{name, version}]}]"
static int load_content(br_content *c, const json_t *dbs, size_t snap, char *err, size_t errlen)
{
    static const char *const db_fields[] = {"name", "collections", NULL};
    static const char *const coll_fields[] = {"name", "version", NULL};
    size_t i, k;
    json_t *db, *coll;
    if (!json_is_array(dbs)) FAIL("snapshots[%zu]: " SNAPSHOT_DBS, snap);
    json_array_foreach(dbs, i, db)
    {
        char what[80];
        snprintf(what, sizeof what, "snapshots[%zu] databases[%zu]", snap, i);
        if (br__world_entry(db, what, db_fields, err, errlen) ||
            br__world_list(db, "collections", what, err, errlen))
            return BR_EWORLD;
        const char *name = json_string_value(json_object_get(db, "name"));
        if (!name || strlen(name) >= BR_NAME_MAX)
            FAIL("%s: " SNAPSHOT_DBS " (a short \"name\" is needed)", what);
        if (br__content_add_db(c, name)) return BR_ENOMEM;
        json_array_foreach(json_object_get(db, "collections"), k, coll)
        {
            char cwhat[128];
            snprintf(cwhat, sizeof cwhat, "%s collections[%zu]", what, k);
            if (br__world_entry(coll, cwhat, coll_fields, err, errlen)) return BR_EWORLD;
            const char *cname = json_string_value(json_object_get(coll, "name"));
            json_t *ver = json_object_get(coll, "version");
            if (!cname || strlen(cname) >= BR_NAME_MAX)
                FAIL("%s: " SNAPSHOT_DBS " (a short \"name\" is needed)", cwhat);
            if (br__content_add(c, name, "", cname, ver ? json_integer_value(ver) : 1, true) < 0)
                return BR_ENOMEM;
        }
    }
    return BR_OK;
}

static int load_snapshot(br_world *w, const json_t *o, size_t i, char *err, size_t errlen)
{
    static const char *const fields[] = {"id",        "cluster",    "status",     "scheduledTime",
                                         "startTime", "finishTime", "expiration", "mongoDBVersion",
                                         "databases", NULL};
    static const char *const states[] = {"PENDING",   "QUEUED", "RUNNING",
                                         "COMPLETED", "FAILED", NULL};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        size_t f = 0;
        while (fields[f] && strcmp(fields[f], k) != 0)
            f++;
        if (!fields[f]) FAIL("snapshots[%zu]: unknown field \"%s\"", i, k);
    }
    const char *id = json_string_value(json_object_get(o, "id"));
    const char *status = json_string_value(json_object_get(o, "status"));
    const char *version = json_string_value(json_object_get(o, "mongoDBVersion"));
    long ci = br__world_find_cluster(w, json_string_value(json_object_get(o, "cluster")));
    if (!id || strlen(id) >= BR_ID_MAX || br__world_find_backup(w, id) >= 0)
        FAIL("snapshots[%zu]: a unique \"id\" is needed", i);
    if (ci < 0 || w->clusters[ci].vendor != BR_VENDOR_ATLAS)
        FAIL("snapshots[%zu]: \"cluster\" names an Atlas cluster id", i);
    size_t s = 0;
    while (status && states[s] && strcmp(states[s], status) != 0)
        s++;
    if (status && !states[s])
        FAIL("snapshots[%zu]: status is PENDING, QUEUED, RUNNING, COMPLETED or FAILED", i);
    if (version && strlen(version) >= 16) FAIL("snapshots[%zu]: mongoDBVersion is too long", i);
    br_time sched, start, fin, exp;
    bool done = !status || strcmp(status, "COMPLETED") == 0;
    if (load_time(o, "scheduledTime", w->now, &sched) || load_time(o, "startTime", sched, &start) ||
        load_time(o, "finishTime", done ? start : 0, &fin) || load_time(o, "expiration", 0, &exp))
        FAIL("snapshots[%zu]: times are RFC 3339", i);
    long bi = br__world_add_backup(w);
    if (bi < 0) return BR_ENOMEM;
    br_backup *b = &w->backups[bi];
    const br_cluster *c = &w->clusters[ci];
    snprintf(b->id, sizeof b->id, "%s", id);
    snprintf(b->name, sizeof b->name, "%s", id);
    snprintf(b->type, sizeof b->type, "CLUSTER");
    snprintf(b->status, sizeof b->status, "%s", status ? status : "COMPLETED");
    b->vendor = BR_VENDOR_ATLAS;
    b->cluster = (int)ci;
    b->project = c->project;
    b->created = sched;
    b->started = strcmp(b->status, "PENDING") && strcmp(b->status, "QUEUED") ? start : 0;
    b->finished = fin;
    b->expires = exp;
    if (version)
        snprintf(b->mongo_version, sizeof b->mongo_version, "%s", version);
    else
        br__ma_version_string(c->mongo_major, b->mongo_version);
    const json_t *dbs = json_object_get(o, "databases");
    int rc = BR_OK;
    if (dbs) {
        br_content loaded = {0};
        rc = load_content(&loaded, dbs, i, err, errlen);
        if (rc == BR_OK && !(b->content = br__content_adopt(&loaded))) rc = BR_ENOMEM;
        br__content_free(&loaded);
    } else if (!(b->content = br__cluster_capture(w, ci))) {
        rc = BR_ENOMEM;
    }
    if (rc) return rc;
    b->content_hash = br__content_hash(b->content);
    return BR_OK;
}

int br__ma_load_snapshots(br_world *w, const json_t *given, char *err, size_t errlen)
{
    for (size_t i = 0; i < w->n_clusters; i++) {
        br_cluster *c = &w->clusters[i];
        if (c->vendor != BR_VENDOR_ATLAS) continue;
        if (c->mongo_major == 0) c->mongo_major = 7; /* the default major of the fixtures */
        c->policy.last_run = w->now;                 /* no snapshots before the world starts */
    }
    for (size_t i = 0; i < w->n_backups; i++) { /* the generic "backups" array */
        br_backup *b = &w->backups[i];
        if (b->vendor == BR_VENDOR_ATLAS && !b->mongo_version[0])
            br__ma_version_string(w->clusters[b->cluster].mongo_major, b->mongo_version);
    }
    const json_t *snaps = json_object_get(given, "snapshots");
    if (snaps && !json_is_array(snaps)) FAIL("\"snapshots\" is an array");
    size_t i;
    json_t *o;
    json_array_foreach(snaps, i, o)
    {
        int rc = load_snapshot(w, o, i, err, errlen);
        if (rc == BR_ENOMEM && err) snprintf(err, errlen, "out of memory");
        if (rc) return rc;
    }
    return BR_OK;
}
