/* The request generator's own pieces (gen.h), shared by gen.c (what it knows, picking, time
 * and simulator steps) and the vendor files gen_zilliz.c, gen_crdb.c and gen_atlas.c (each
 * vendor's operations and what they learn from its answers). Not part of the public API. */
#ifndef BR_GEN_INTERNAL_H
#define BR_GEN_INTERNAL_H

#include "gen.h"

#include "brcheck/model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- what the generator knows ---- */

enum { K_CLUSTER, K_BACKUP, K_JOB, K_RESTORE, K_SNAPSHOT, K_PAGE, K_KEY, K_PROJECT };
enum { KEY_FULL, KEY_NARROW, KEY_FOREIGN };

typedef struct {
    int vendor, kind;
    char *id;
    char *owner;       /* cluster of a backup/snapshot/restore/page; project of a cluster; org */
    char *name;        /* cluster name; a COLLECTION backup's collection; a key's scope */
    char *extra;       /* cluster plan; backup type ("CLUSTER", "COLLECTION") */
    int flag;          /* key class (KEY_*); a cluster of the main organization (1) */
    const json_t *dbs; /* a cluster's databases (borrowed from the world copy), or NULL */
} obj;

struct br_gen {
    json_t *given; /* owned copy */
    obj *objs;
    size_t n, cap;
    unsigned counter; /* names of new clusters and collections */
    unsigned reads;   /* Zilliz cluster reads so far: which read comes next */
    char *packed;     /* a clone's copies of its source's strings, end to end (one block) */
    size_t packed_len;
};

/* The object of a kind with that id, added when new (NULL: out of memory, or no id). The
 * table may move: a pointer into it lasts until the next add. */
obj *br__gen_add(br_gen *g, int vendor, int kind, const char *id);
/* *dst becomes a copy of s (s NULL: unchanged). */
void br__gen_set_str(const br_gen *g, char **dst, const char *s);
const obj *br__gen_find(const br_gen *g, int vendor, int kind, const char *id);

/* ---- picking ---- */

static inline uint32_t pick(br_choice *c, uint32_t n)
{
    return n ? c->pick(c, n) : 0;
}

static inline bool chance(br_choice *c, uint32_t percent)
{
    return pick(c, 100) < percent;
}

static inline const char *one_of(br_choice *c, const char *const *list, size_t n)
{
    return list[pick(c, (uint32_t)n)];
}
#define ONE_OF(c, ...)                                                                             \
    one_of(c, (const char *const[]){__VA_ARGS__},                                                  \
           sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

typedef bool (*obj_filter)(const obj *o, const void *arg);

/* A random object of a kind (and filter), or NULL when there is none. */
const obj *br__gen_pick_obj(br_gen *g, br_choice *c, int vendor, int kind, obj_filter f,
                            const void *arg);
/* Filters: owned by the cluster (or project) arg; a cluster of the main organization. */
bool br__gen_same_owner(const obj *o, const void *arg);
bool br__gen_main_cluster(const obj *o, const void *arg);
/* The key a request uses: mostly one with full rights; sometimes narrow, foreign, unknown or
 * none (NULL). */
const char *br__gen_pick_key(br_gen *g, br_choice *c, int vendor);
/* A cluster id, mostly of the main organization, now and then 'unknown'. */
const char *br__gen_pick_cluster_id(br_gen *g, br_choice *c, int vendor, const char *unknown);
/* A collection (or table) name of the cluster's content, or a made-up one; *db its database. */
const char *br__gen_pick_collection(br_choice *c, const json_t *dbs, const char **db, bool tables);
/* The fixture forms {"method", "path", "key"?} and {"name", "request"} (req stolen). */
json_t *br__gen_request(const char *method, const char *path, const char *key);
json_t *br__gen_step(const char *name, json_t *req);

/* ---- each vendor's operations, and learning from its answers ---- */

json_t *br__gen_zilliz_step(br_gen *g, br_choice *c);
json_t *br__gen_crdb_step(br_gen *g, br_choice *c);
json_t *br__gen_atlas_step(br_gen *g, br_choice *c);

/* Segment n (0-based, after the leading '/') of a path, into out. */
bool br__gen_segment(const char *path, int n, char *out, size_t len);
bool br__gen_ends_with(const char *s, const char *suffix);
void br__gen_learn_zilliz(br_gen *g, const char *method, const char *path, const json_t *reqbody,
                          const json_t *body);
void br__gen_learn_crdb(br_gen *g, const char *method, const char *path, const json_t *body);
void br__gen_learn_atlas(br_gen *g, const char *path, const json_t *body);

#endif
