/* The world: creation, look-ups, deterministic ids, simulator operations, the dump and
 * digest of its observable state, and the invariant check (rules.md, INV). */
#include "world.h"

#include "hash.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void br__alloc_init(void);

static const char *const vendor_names[BR_VENDOR_COUNT] = {"zilliz", "crdb", "atlas"};

const char *br_vendor_name(br_vendor v)
{
    return v < BR_VENDOR_COUNT ? vendor_names[v] : "?";
}

br_vendor br_vendor_from_name(const char *name)
{
    for (int v = 0; v < BR_VENDOR_COUNT; v++)
        if (name && strcmp(name, vendor_names[v]) == 0) return (br_vendor)v;
    if (name && (strcmp(name, "cockroachdb") == 0 || strcmp(name, "cockroach") == 0))
        return BR_VENDOR_CRDB;
    return BR_VENDOR_COUNT;
}

static const char *const rule_ids[BR_RULE_COUNT + 1] = {
#define BR_RULE(sym, id) id,
#include "brcheck/rules.def"
#undef BR_RULE
    NULL};

const char *br_rule_id(br_rule rule)
{
    return rule < BR_RULE_COUNT ? rule_ids[rule] : NULL;
}

br_rule br_rule_from_id(const char *id)
{
    for (int r = 0; id && r < BR_RULE_COUNT; r++)
        if (strcmp(rule_ids[r], id) == 0) return (br_rule)r;
    return BR_RULE_COUNT;
}

br_world *br_world_new(const json_t *given, char *err, size_t errlen)
{
    br__alloc_init();
    br_world *w = br__calloc(1, sizeof *w);
    if (!w) {
        if (err) snprintf(err, errlen, "out of memory");
        return NULL;
    }
    w->mutant = BR_RULE_COUNT;
    w->seed = 1;
    w->now = 1724630400; /* 2024-08-26T00:00:00Z, the seeds' era */
    w->dur = (br_durations){.backup_queue = 60,
                            .backup_run = 300,
                            .restore_queue = 60,
                            .restore_run = 600,
                            .export_queue = 60,
                            .export_run = 120,
                            .download_run = 300};
    if (given && br__world_load(w, given, err, errlen) != BR_OK) {
        br_world_free(w);
        return NULL;
    }
    return w;
}

void br_world_free(br_world *w)
{
    if (!w) return;
    for (size_t i = 0; i < w->n_orgs; i++)
        br__free(w->orgs[i].access);
    for (size_t i = 0; i < w->n_keys; i++)
        br__free(w->keys[i].grants);
    for (size_t i = 0; i < w->n_clusters; i++) {
        br__content_free(&w->clusters[i].content);
        br__content_release(w->clusters[i].snap);
    }
    for (size_t i = 0; i < w->n_backups; i++)
        br__backup_free(&w->backups[i]);
    for (size_t i = 0; i < w->n_jobs; i++) {
        json_decref(w->jobs[i].params);
        json_decref(w->jobs[i].reason);
    }
    br__free(w->ix_clusters.slots);
    br__free(w->ix_backups.slots);
    br__free(w->ix_jobs.slots);
    br__free(w->ix_projects.slots);
    br__free(w->job_due.v);
    for (int v = 0; v < BR_VENDOR_COUNT; v++)
        br__free(w->expiry[v].v);
    for (int v = 0; v < BR_VIEW_COUNT; v++)
        br__free(w->views[v].v);
    br__free(w->orgs);
    br__free(w->projects);
    br__free(w->keys);
    br__free(w->clusters);
    br__free(w->backups);
    br__free(w->jobs);
    br__free(w);
}

br_time br_world_now(const br_world *w)
{
    return w->now;
}

void br_world_set_mutant(br_world *w, br_rule rule)
{
    w->mutant = rule;
    br__world_touch(w);
}

bool br__mutated(const br_world *w, br_rule rule)
{
    return w->mutant == rule;
}

int br_world_set_profile(br_world *w, const char *profile)
{
    if (strcmp(profile, "default") == 0)
        w->strict = false;
    else if (strcmp(profile, "strict") == 0 || strcmp(profile, "alternate") == 0)
        w->strict = true;
    else
        return BR_EINVAL;
    br__world_touch(w);
    return BR_OK;
}

long br__world_add_cluster(br_world *w)
{
    if (br__grow_unzeroed((void **)&w->clusters, &w->cap_clusters, w->n_clusters + 1,
                          sizeof *w->clusters))
        return -1;
    br_cluster *c = &w->clusters[w->n_clusters];
    memset(c, 0, sizeof *c);
    c->restoring_job = -1;
    c->created = w->now;
    snprintf(c->status, sizeof c->status, "RUNNING");
    return (long)w->n_clusters++;
}

long br__world_add_backup(br_world *w)
{
    if (br__grow_unzeroed((void **)&w->backups, &w->cap_backups, w->n_backups + 1,
                          sizeof *w->backups))
        return -1;
    br_backup *b = &w->backups[w->n_backups];
    memset(b, 0, sizeof *b);
    b->job = -1;
    b->cluster = -1;
    return (long)w->n_backups++;
}

long br__world_add_job(br_world *w)
{
    if (br__grow_unzeroed((void **)&w->jobs, &w->cap_jobs, w->n_jobs + 1, sizeof *w->jobs))
        return -1;
    br_job *j = &w->jobs[w->n_jobs];
    memset(j, 0, sizeof *j);
    j->backup = j->src_cluster = j->dst_cluster = -1;
    return (long)w->n_jobs++;
}

static void index_reset(br_id_index *ix)
{
    if (ix->cap) memset(ix->slots, 0, ix->cap * sizeof *ix->slots);
    ix->synced = 0;
}

void br__world_unadd_cluster(br_world *w)
{
    index_reset(&w->ix_clusters);
    br__views_reset(w);
    br_cluster *c = &w->clusters[--w->n_clusters];
    br__content_free(&c->content);
    br__content_release(c->snap);
    memset(c, 0, sizeof *c);
    br__world_touch(w);
}

void br__world_unadd_backup(br_world *w)
{
    index_reset(&w->ix_backups);
    br__views_reset(w);
    if (w->backups_queued >= w->n_backups) w->backups_queued = w->n_backups - 1;
    br__backup_free(&w->backups[--w->n_backups]);
    br__world_touch(w);
}

void br__world_unadd_job(br_world *w)
{
    index_reset(&w->ix_jobs);
    br__views_reset(w);
    if (w->jobs_queued >= w->n_jobs) w->jobs_queued = w->n_jobs - 1;
    br_job *j = &w->jobs[--w->n_jobs];
    json_decref(j->params);
    json_decref(j->reason);
    memset(j, 0, sizeof *j);
    br__world_touch(w);
}

void br__backup_free(br_backup *b)
{
    br__content_release(b->content);
    b->content = NULL;
}

br_content *br__cluster_capture(br_world *w, long cluster)
{
    br_cluster *c = &w->clusters[cluster];
    if (c->snap && br__content_same(c->snap, &c->content)) return br__content_share(c->snap);
    br_content *snap = br__content_snapshot(&c->content);
    if (!snap) return NULL;
    br__content_release(c->snap);
    c->snap = br__content_share(snap);
    return snap;
}

/* ---- id indexes ---- */

/* An id's first slot: its array hashed a word at a time (an id is up to 47 characters; a
 * byte at a time, indexing the backups CockroachDB clusters take every hour was a fortieth
 * of the sequence harness's instructions), the slot from the hash's top bits, which every
 * byte of the id reaches. */
static size_t id_home(const char id[BR_ID_MAX], size_t cap)
{
    return (size_t)(br__mix_chars(0, id, BR_ID_MAX) >> (64 - __builtin_ctzll(cap)));
}

/* Every indexed object starts with its id (char id[BR_ID_MAX]). */
_Static_assert(offsetof(br_cluster, id) == 0 && offsetof(br_backup, id) == 0 &&
                   offsetof(br_job, id) == 0 && offsetof(br_project, id) == 0,
               "ids come first");
#define ID_AT(base, stride, i) ((const char *)(base) + (size_t)(i) * (stride))

static void index_put(br_id_index *ix, const void *base, size_t stride, size_t i)
{
    size_t mask = ix->cap - 1, at = id_home(ID_AT(base, stride, i), ix->cap);
    while (ix->slots[at])
        at = (at + 1) & mask;
    ix->slots[at] = (uint32_t)i + 1;
}

/* Brings the index up to n objects, stopping at an object whose id is not yet written
 * (objects get their id just after they are added); false when it cannot grow (the caller
 * scans). Earlier objects come first on a probe, so a look-up finds the first object with
 * an id, as a scan would. */
static bool index_sync(br_id_index *ix, const void *base, size_t stride, size_t n)
{
    if (n > UINT32_MAX - 1) return false;
    if (ix->synced > n) { /* a rollback: rebuild */
        ix->synced = 0;
        if (ix->cap) memset(ix->slots, 0, ix->cap * sizeof *ix->slots);
    }
    if (ix->synced == n) return ix->cap > 0 || n == 0;
    if (2 * n > ix->cap) {
        size_t cap = ix->cap ? ix->cap : 16;
        while (2 * n > cap)
            cap *= 2;
        uint32_t *slots = br__calloc(cap, sizeof *slots);
        if (!slots) return false;
        br__free(ix->slots);
        ix->slots = slots;
        ix->cap = cap;
        ix->synced = 0;
    }
    size_t i = ix->synced;
    for (; i < n && ID_AT(base, stride, i)[0]; i++)
        index_put(ix, base, stride, i);
    ix->synced = i;
    return true;
}

static long index_find(br_id_index *ix, const void *base, size_t stride, size_t n, const char *id)
{
    if (!id) return -1;
    /* Every id held is shorter than BR_ID_MAX: a longer one is none of them. The id in an
     * array of that size, zero-filled, as the objects hold theirs (hashed the same way). */
    size_t len = strnlen(id, BR_ID_MAX);
    if (len == BR_ID_MAX) return -1;
    char key[BR_ID_MAX] = {0};
    memcpy(key, id, len);
    size_t tail = 0;
    if (index_sync(ix, base, stride, n) && ix->cap) {
        size_t mask = ix->cap - 1;
        for (size_t at = id_home(key, ix->cap); ix->slots[at]; at = (at + 1) & mask) {
            size_t i = ix->slots[at] - 1;
            /* An id may have been cleared after indexing: compare the id it has now. */
            if (i < n && strcmp(ID_AT(base, stride, i), id) == 0) return (long)i;
        }
        tail = ix->synced;
    }
    for (size_t i = tail; i < n; i++) /* not indexed (yet) */
        if (strcmp(ID_AT(base, stride, i), id) == 0) return (long)i;
    return -1;
}

/* The indexes are caches: look-ups through a const world may fill them. */
#define FIND(w, ix, arr, n, id)                                                                    \
    index_find((br_id_index *)&(w)->ix, (w)->arr, sizeof *(w)->arr, (w)->n, id)

long br__world_find_cluster(const br_world *w, const char *id)
{
    return FIND(w, ix_clusters, clusters, n_clusters, id);
}

long br__world_find_cluster_name(const br_world *w, int project, const char *name)
{
    for (size_t i = 0; name && i < w->n_clusters; i++)
        if (w->clusters[i].project == project && !w->clusters[i].dropped &&
            strcmp(w->clusters[i].name, name) == 0)
            return (long)i;
    return -1;
}

long br__world_find_project(const br_world *w, const char *id)
{
    return FIND(w, ix_projects, projects, n_projects, id);
}

long br__world_find_backup(const br_world *w, const char *id)
{
    return FIND(w, ix_backups, backups, n_backups, id);
}

long br__world_find_job(const br_world *w, const char *id)
{
    return FIND(w, ix_jobs, jobs, n_jobs, id);
}

/* The index of n objects as a fresh world's first look-up builds it: the table at the size n
 * needs (an index that grew for an object added and then taken back keeps its larger table,
 * where probes take other paths), filled. No room: look-ups scan, as they would anyway. */
static void index_settle(br_id_index *ix, const void *base, size_t stride, size_t n)
{
    size_t cap = 16;
    while (2 * n > cap)
        cap *= 2;
    if (ix->cap != cap) {
        br__free(ix->slots);
        ix->slots = NULL;
        ix->cap = ix->synced = 0;
    }
    (void)index_sync(ix, base, stride, n);
}

void br_world_reset_caches(br_world *w)
{
    for (int k = 0; k < BR_VIEW_COUNT; k++) {
        br__free(w->views[k].v);
        memset(&w->views[k], 0, sizeof w->views[k]);
    }
    index_settle(&w->ix_clusters, w->clusters, sizeof *w->clusters, w->n_clusters);
    index_settle(&w->ix_projects, w->projects, sizeof *w->projects, w->n_projects);
    index_settle(&w->ix_backups, w->backups, sizeof *w->backups, w->n_backups);
    index_settle(&w->ix_jobs, w->jobs, sizeof *w->jobs, w->n_jobs);
}

/* splitmix64 over (seed, counter): deterministic, well spread. */
static uint64_t next_random(br_world *w)
{
    uint64_t z = w->seed * 0x9e3779b97f4a7c15ULL + (++w->id_counter) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* The 16 hex digits of r, lowest nibble first. */
static void hex16(uint64_t r, char out[16])
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    /* eight nibbles to eight bytes (nibble k in byte k), then each byte to its digit; no
     * byte carries into the next (at most 15 + 6, 15 + 48 + 39) */
    for (int half = 0; half < 2; half++) {
        uint64_t x = r >> (32 * half) & 0xffffffffULL;
        x = (x | x << 16) & 0x0000ffff0000ffffULL;
        x = (x | x << 8) & 0x00ff00ff00ff00ffULL;
        x = (x | x << 4) & 0x0f0f0f0f0f0f0f0fULL;
        uint64_t letters = (x + 0x0606060606060606ULL) >> 4 & 0x0101010101010101ULL;
        x += 0x3030303030303030ULL + letters * ('a' - '0' - 10);
        memcpy(out + 8 * half, &x, 8);
    }
#else
    static const char hex[] = "0123456789abcdef";
    for (int i = 0; i < 16; i++, r >>= 4)
        out[i] = hex[r & 15];
#endif
}

void br__world_new_id(br_world *w, const char *prefix, int hexlen, char out[BR_ID_MAX])
{
    size_t n = strlen(prefix);
    if (n > BR_ID_MAX - 33) n = BR_ID_MAX - 33;
    if (hexlen > 32) hexlen = 32;
    if (hexlen < 0) hexlen = 0;
    memcpy(out, prefix, n);
    char digits[32];
    for (int i = 0; i < hexlen; i += 16) /* one random number per 16 digits */
        hex16(next_random(w), digits + i);
    memcpy(out + n, digits, (size_t)hexlen);
    out[n + (size_t)hexlen] = '\0';
}

void br__world_new_uuid(br_world *w, char out[BR_ID_MAX])
{
    /* 8-4-4-4-12 with the version (4) and variant (8) digits fixed, from the same 32 digits
     * an id gets; by hand (an snprintf was a tenth of taking a scheduled backup) */
    char h[BR_ID_MAX];
    br__world_new_id(w, "", 32, h);
    memcpy(out, h, 8);
    out[8] = '-';
    memcpy(out + 9, h + 8, 4);
    out[13] = '-';
    out[14] = '4';
    memcpy(out + 15, h + 13, 3);
    out[18] = '-';
    out[19] = '8';
    memcpy(out + 20, h + 17, 3);
    out[23] = '-';
    memcpy(out + 24, h + 20, 12);
    out[36] = '\0';
}

void br__world_new_secret(br_world *w, char out[24])
{
    static const char chars[] =
        "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789!#$%()*+;]";
    uint64_t r = next_random(w), r2 = next_random(w);
    for (int i = 0; i < 16; i++) {
        uint64_t src = i < 8 ? r : r2;
        out[i] = chars[(src >> ((i % 8) * 8)) % (sizeof chars - 1)];
    }
    out[16] = '\0';
}

/* ---- simulator operations ---- */

/* Work a simulator operation made due at this instant (a paused cluster's overdue schedule
 * once it resumes) runs now, as after a request: the next request starts from a settled
 * world, and an error answer to it changes nothing (INV-ATOMIC). */
static int settle(br_world *w)
{
    return br_world_advance(w, 0);
}

int br_world_write(br_world *w, const char *cluster_id, const char *db, const char *schema,
                   const char *collection)
{
    long ci = br__world_find_cluster(w, cluster_id);
    if (ci < 0 || w->clusters[ci].dropped) return BR_ENOENT;
    br_cluster *c = &w->clusters[ci];
    br__world_touch(w);
    if (c->restoring_job >= 0 && c->vendor == BR_VENDOR_ATLAS &&
        !br__mutated(w, BR_RULE_MA_ONE_RESTORE))
        return BR_EINVAL; /* MA-ONE-RESTORE: no writes while a restore runs */
    long it = br__content_find(&c->content, db, schema, collection);
    if (it < 0) it = br__content_add(&c->content, db, schema, collection, 0, true);
    if (it < 0) return BR_ENOMEM;
    c->content.items[it].version = (int64_t)(++w->id_counter);
    return settle(w);
}

int br_world_drop_cluster(br_world *w, const char *cluster_id)
{
    long ci = br__world_find_cluster(w, cluster_id);
    if (ci < 0 || w->clusters[ci].dropped) return BR_ENOENT;
    br_cluster *c = &w->clusters[ci];
    br__world_touch(w);
    c->dropped = true;
    snprintf(c->status, sizeof c->status, "DELETED");
    /* ZC-RETAIN: automatic backups go with their cluster; manual ones stay. */
    for (size_t i = 0; i < w->n_backups; i++) {
        br_backup *b = &w->backups[i];
        if (b->cluster == ci && !b->manual && !b->deleted &&
            !(c->vendor == BR_VENDOR_ZILLIZ && br__mutated(w, BR_RULE_ZC_RETAIN)))
            br__backup_remove(w, i);
    }
    return settle(w);
}

int br_world_set_flag(br_world *w, const char *cluster_id, const char *flag, bool value)
{
    long ci = br__world_find_cluster(w, cluster_id);
    if (ci < 0) return BR_ENOENT;
    br_cluster *c = &w->clusters[ci];
    br__world_touch(w);
    if (strcmp(flag, "paused") == 0)
        c->paused = value;
    else if (strcmp(flag, "encrypted") == 0)
        c->encrypted = value;
    else if (strcmp(flag, "sharded") == 0)
        c->sharded = value;
    else
        return BR_EINVAL;
    return settle(w);
}

/* ---- dump and digest ---- */

static json_t *content_json(const br_content *c)
{
    json_t *dbs = json_object();
    bool ok = dbs != NULL;
    for (size_t i = 0; ok && i < c->n_dbs; i++)
        ok = json_object_set_new(dbs, c->dbs[i], json_object()) == 0;
    for (size_t i = 0; ok && i < c->n_items; i++) {
        const br_item *it = &c->items[i];
        json_t *db = json_object_get(dbs, it->db);
        if (!db) continue;
        char key[2 * BR_NAME_MAX + 2];
        if (it->schema[0])
            snprintf(key, sizeof key, "%s.%s", it->schema, it->name);
        else
            snprintf(key, sizeof key, "%s", it->name);
        ok = json_object_set_new(db, key,
                                 json_pack("{s:I,s:b}", "version", (json_int_t)it->version,
                                           "loaded", it->loaded)) == 0;
    }
    if (!ok) {
        json_decref(dbs);
        return NULL;
    }
    return dbs;
}

/* A failed allocation anywhere gives NULL, never a dump with parts missing. */
json_t *br_world_dump(const br_world *w)
{
    json_t *root = json_object(), *clusters = json_object(), *backups = json_object(),
           *jobs = json_object();
    if (!root || !clusters || !backups || !jobs) {
        json_decref(root);
        json_decref(clusters);
        json_decref(backups);
        json_decref(jobs);
        return NULL;
    }
    bool ok = true;
    for (size_t i = 0; ok && i < w->n_clusters; i++) {
        const br_cluster *c = &w->clusters[i];
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:b,s:b,s:b,s:b,s:i,s:s,s:s,s:i}", "name", c->name,
                              "vendor", br_vendor_name(c->vendor), "status", c->status, "plan",
                              c->plan, "dropped", c->dropped, "paused", c->paused, "encrypted",
                              c->encrypted, "sharded", c->sharded, "cuSize", c->cu_size, "cuType",
                              c->cu_type, "region", c->region, "mongoMajor", c->mongo_major);
        ok = o && json_object_set_new(o, "project", json_string(w->projects[c->project].id)) == 0 &&
             json_object_set_new(o, "databases", content_json(&c->content)) == 0;
        ok = json_object_set_new(clusters, c->id, o) == 0 && ok;
    }
    for (size_t i = 0; ok && i < w->n_backups; i++) {
        const br_backup *b = &w->backups[i];
        json_t *o = json_pack("{s:s,s:s,s:b,s:b,s:s,s:o}", "type", b->type, "status", b->status,
                              "manual", b->manual, "deleted", b->deleted, "cluster",
                              b->cluster >= 0 ? w->clusters[b->cluster].id : "", "databases",
                              content_json(b->content));
        ok = json_object_set_new(backups, b->id, o) == 0;
    }
    for (size_t i = 0; ok && i < w->n_jobs; i++) {
        const br_job *j = &w->jobs[i];
        ok = json_object_set_new(jobs, j->id,
                                 json_pack("{s:s,s:s,s:i}", "type", j->type, "status", j->status,
                                           "progress", br__job_progress(w, j))) == 0;
    }
    /* Each set takes its value, attached or freed. */
    ok = json_object_set_new(root, "clock", br__time_json(w->now)) == 0 && ok;
    ok = json_object_set_new(root, "clusters", clusters) == 0 && ok;
    ok = json_object_set_new(root, "backups", backups) == 0 && ok;
    ok = json_object_set_new(root, "jobs", jobs) == 0 && ok;
    if (!ok) {
        json_decref(root);
        return NULL;
    }
    return root;
}

/* Content hashes of the shared snapshots within one walk over the backups: backups of an
 * unchanged cluster share one snapshot, and hashing it again for each of them was most of
 * a digest. Each snapshot is still hashed from what it holds now (INV-SOURCE compares that
 * with the hash taken at capture). One entry per source cluster (by index, modulo the
 * table): what the walk does never depends on where the snapshots happen to be in memory,
 * so the fuzzing harnesses take the same path for the same input (stability). */
#define SNAP_MEMO 256
typedef struct {
    const br_content *key[SNAP_MEMO];
    uint64_t hash[SNAP_MEMO];
} snap_memo;

static uint64_t snap_hash(snap_memo *m, const br_backup *b)
{
    if (!b->content) return 0; /* nothing captured (the memo's empty keys are NULL too) */
    size_t at = (size_t)b->cluster & (SNAP_MEMO - 1);
    if (m->key[at] != b->content) {
        m->key[at] = b->content;
        m->hash[at] = br__content_hash(b->content);
    }
    return m->hash[at];
}

/* One cluster's part of a digest. */
static uint64_t cluster_digest(uint64_t h, const br_cluster *c)
{
    /* Ids are written once, when a cluster, backup or job is made (INV-IDS checks them all):
     * the position stands for the id, and hashing ids was half of a digest. */
    h = br__mix_field(br__mix_field(h, c->status), c->name);
    h = br__mix(h, br__content_hash(&c->content));
    for (size_t k = 0; k < c->content.n_items; k++)
        h = br__mix(h, c->content.items[k].loaded);
    h = br__mix(h, (uint64_t)c->dropped | (uint64_t)c->paused << 1 | (uint64_t)c->encrypted << 2 |
                       (uint64_t)c->sharded << 3 | (uint64_t)c->cu_size << 8 |
                       (uint64_t)(uint32_t)c->restoring_job << 32);
    const br_policy *p = &c->policy;
    h = br__mix_field(
        br__mix_field(br__mix(h, (uint64_t)p->enabled | (uint64_t)p->set << 1), p->frequency),
        p->window);
    return br__mix(br__mix(br__mix(h, (uint64_t)p->retention_days), (uint64_t)p->frequency_min),
                   (uint64_t)p->retention_edits);
}

static uint64_t backup_digest(uint64_t h, snap_memo *memo, const br_backup *b)
{
    /* the id: see cluster_digest */
    return br__mix(br__mix(br__mix_field(h, b->status),
                           (b->content ? snap_hash(memo, b) : 0) ^ (uint64_t)b->deleted),
                   (uint64_t)b->expires);
}

/* Clusters, backups and jobs are hashed in four independent chains (record i into chain i % 4),
 * joined at the end: one chain through every backup of a large world waited on each
 * multiply in turn, while separate chains overlap in the processor. Positions still count:
 * each chain sees its records in order. */
#define DIGEST_FOUR(n, step)                                                                       \
    do {                                                                                           \
        size_t i = 0;                                                                              \
        for (; i + 4 <= (n); i += 4) {                                                             \
            l0 = step(l0, i);                                                                      \
            l1 = step(l1, i + 1);                                                                  \
            l2 = step(l2, i + 2);                                                                  \
            l3 = step(l3, i + 3);                                                                  \
        }                                                                                          \
        if (i < (n)) l0 = step(l0, i);                                                             \
        if (i + 1 < (n)) l1 = step(l1, i + 1);                                                     \
        if (i + 2 < (n)) l2 = step(l2, i + 2);                                                     \
        h = br__mix(br__mix(br__mix(br__mix(h, l0), l1), l2), l3);                                 \
    } while (0)

uint64_t br_world_draws(const br_world *w)
{
    return w->id_counter;
}

uint64_t br_world_digest(const br_world *w)
{
    uint64_t h = br__mix(br__mix(0, w->n_clusters), w->n_backups);
    h = br__mix(br__mix(h, w->n_jobs), (uint64_t)w->now);
    uint64_t l0 = 1, l1 = 2, l2 = 3, l3 = 4;
#define CLUSTER(l, i) cluster_digest((l), &w->clusters[(i)])
    DIGEST_FOUR(w->n_clusters, CLUSTER);
#undef CLUSTER
    snap_memo memo;
    memset(memo.key, 0, sizeof memo.key);
#define BACKUP(l, i) backup_digest((l), &memo, &w->backups[(i)])
    DIGEST_FOUR(w->n_backups, BACKUP);
#undef BACKUP
#define JOB(l, i) br__mix_field((l), w->jobs[(i)].status) /* the id: see cluster_digest */
    DIGEST_FOUR(w->n_jobs, JOB);
#undef JOB
    return h;
}
#undef DIGEST_FOUR

/* ---- invariants ---- */

/* The first id that 'ids' holds twice, or NULL: an open-addressing set of the ids seen
 * (linear in the number of ids; sorting them cost the fuzzing harnesses a fifth of their
 * time). Each id is a char[BR_ID_MAX] field. 'slots' has room for 2^bits entries, at least
 * twice n. The set hashes an id's first 16 bytes, where ids already differ (random hex
 * digits or UUIDs after a short prefix), and compares whole ids: ids alike in their first 16
 * bytes cost a longer probe, never a wrong answer. Hashing all 48 was most of a check. */
#define ID_HASHED 16
static const char *first_repeated_id(const char *const *ids, size_t n, const char **slots,
                                     unsigned bits)
{
    size_t mask = ((size_t)1 << bits) - 1;
    for (size_t i = 0; i < n; i++) {
        /* the top bits: the multiply in mix leaves the low ones depending on little */
        for (size_t at = (size_t)(br__mix_chars(0, ids[i], ID_HASHED) >> (64 - bits));;
             at = (at + 1) & mask) {
            if (!slots[at]) {
                slots[at] = ids[i];
                break;
            }
            if (strcmp(slots[at], ids[i]) == 0) return ids[i];
        }
    }
    return NULL;
}

void br__finding(br__findings *f, br_rule rule, const char *fmt, ...)
{
    if (f->n++ > 0) return;
    if (f->rule) *f->rule = rule;
    if (f->msg) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(f->msg, f->msglen, fmt, ap);
        va_end(ap);
    }
}

/* Every job: INV-TERMINAL, INV-PROGRESS (progress moves with the clock, so every job is
 * checked every time), INV-TIME, INV-CONTENT. */
static void check_jobs(const br_world *w, br__findings *f)
{
    for (size_t i = 0; i < w->n_jobs; i++) {
        const br_job *j = &w->jobs[i];
        if (j->was_terminal && !br__job_terminal(j))
            br__finding(f, BR_RULE_INV_TERMINAL, "job %s left a terminal state for %s", j->id,
                        j->status);
        int p = br__job_progress(w, j);
        if (p < j->last_progress)
            br__finding(f, BR_RULE_INV_PROGRESS, "job %s progress fell from %d to %d", j->id,
                        j->last_progress, p);
        if ((j->started && j->started < j->created) ||
            (j->finished && j->finished < (j->started ? j->started : j->created)))
            br__finding(f, BR_RULE_INV_TIME, "job %s times out of order", j->id);
        if (j->result_hash && j->result_hash != j->expected_hash)
            br__finding(f, BR_RULE_INV_CONTENT,
                        "restore %s produced content other than what its backup captured", j->id);
    }
}

/* Backups [from, to): INV-SOURCE, INV-TIME. memo: NULL hashes every snapshot each time. */
static void check_backups(const br_world *w, size_t from, size_t to, snap_memo *memo,
                          br__findings *f)
{
    for (size_t i = from; i < to; i++) {
        const br_backup *b = &w->backups[i];
        if (!b->deleted &&
            (memo ? snap_hash(memo, b) : br__content_hash(b->content)) != b->content_hash)
            br__finding(f, BR_RULE_INV_SOURCE, "backup %s content changed after capture", b->id);
        if ((b->started && b->started < b->created) || (b->finished && b->finished < b->created) ||
            (b->expires && b->expires < b->created))
            br__finding(f, BR_RULE_INV_TIME, "backup %s times out of order", b->id);
    }
}

/* INV-IDS over every cluster, backup and job. */
static void check_ids(const br_world *w, br__findings *f)
{
    size_t total = w->n_clusters + w->n_backups + w->n_jobs;
    unsigned bits = 4;
    while (((size_t)1 << bits) < 2 * total)
        bits++;
    /* on the stack up to 512 ids (the fuzzing harnesses' worlds, checked after every step) */
    enum { ON_STACK = 512 };
    const char *ids_here[ON_STACK], *slots_here[2 * ON_STACK];
    bool small = total <= ON_STACK;
    const char **ids = small ? ids_here : malloc(total * sizeof *ids);
    const char **slots = small ? slots_here : calloc((size_t)1 << bits, sizeof *slots);
    if (small) memset(slots_here, 0, ((size_t)1 << bits) * sizeof *slots);
    if (total && ids && slots) {
        size_t k = 0;
        for (size_t i = 0; i < w->n_clusters; i++)
            ids[k++] = w->clusters[i].id;
        for (size_t i = 0; i < w->n_backups; i++)
            ids[k++] = w->backups[i].id;
        for (size_t i = 0; i < w->n_jobs; i++)
            ids[k++] = w->jobs[i].id;
        const char *twice = first_repeated_id(ids, k, slots, bits);
        if (twice) br__finding(f, BR_RULE_INV_IDS, "id %s used twice", twice);
    }
    if (!small) {
        free(ids);
        free(slots);
    }
}

int br_world_check(const br_world *w, br_rule *rule, char *msg, size_t msglen)
{
    br__findings f = {0, rule, msg, msglen};
    check_jobs(w, &f);
    snap_memo *memo = malloc(sizeof *memo); /* NULL: every snapshot hashed each time */
    if (memo) memset(memo->key, 0, sizeof memo->key);
    check_backups(w, 0, w->n_backups, memo, &f);
    free(memo);
    check_ids(w, &f);
    return f.n;
}

int br_world_check_changed(const br_world *w, const br_world_shadow *s, br_rule *rule, char *msg,
                           size_t msglen)
{
    br__shadow_changes ch;
    if (!br__shadow_changes_get(s, w, &ch)) return br_world_check(w, rule, msg, msglen);
    br__findings f = {0, rule, msg, msglen};
    check_jobs(w, &f);
    snap_memo memo;
    memset(memo.key, 0, sizeof memo.key);
    for (size_t k = 0; k < ch.n_blocks; k++) {
        if (!ch.backup_blocks[k]) continue;
        size_t from = k * BR__SHADOW_BLOCK, to = from + BR__SHADOW_BLOCK;
        check_backups(w, from, to < w->n_backups ? to : w->n_backups, &memo, &f);
    }
    if (ch.id_twice) br__finding(&f, BR_RULE_INV_IDS, "id %s used twice", ch.id_twice);
    return f.n;
}

const char *br_world_atlas_secret(const br_world *w, const char *public_key)
{
    for (size_t i = 0; public_key && i < w->n_keys; i++)
        if (w->orgs[w->keys[i].org].vendor == BR_VENDOR_ATLAS &&
            strcmp(w->keys[i].key, public_key) == 0)
            return w->keys[i].secret;
    return NULL;
}
