/* Request-sequence generation over the three vendors (gen.h): a palette of operations per
 * vendor, mostly valid on live ids, some invalid (unknown ids, wrong types, missing fields,
 * narrow or foreign keys, out-of-range paging), time steps and simulator operations. */
#include "gen.h"

#include "brcheck/model.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- choice sources ---- */

static uint64_t splitmix64(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint32_t prng_pick(br_choice *c, uint32_t n)
{
    if (n <= 1) return 0;
    return (uint32_t)(splitmix64(c->self) % n);
}

void br_choice_prng(br_choice *c, uint64_t *state)
{
    c->pick = prng_pick;
    c->exhausted = false;
    c->self = state;
}

/* One byte for small ranges, two for larger ones: the fuzzer's mutations stay local. */
static uint32_t bytes_pick(br_choice *c, uint32_t n)
{
    br_choice_bytes_state *s = c->self;
    if (n <= 1) return 0;
    size_t need = n <= 256 ? 1 : n <= 65536 ? 2 : 4;
    if (s->pos + need > s->len) {
        s->pos = s->len;
        c->exhausted = true;
        return 0;
    }
    uint32_t v = 0;
    for (size_t i = 0; i < need; i++)
        v = (v << 8) | s->data[s->pos++];
    return v % n;
}

void br_choice_bytes(br_choice *c, br_choice_bytes_state *s)
{
    c->pick = bytes_pick;
    c->exhausted = false;
    c->self = s;
}

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
    char *packed;     /* a clone's copies of its source's strings, end to end (one block) */
    size_t packed_len;
};

/* Frees one of g's strings (those in the packed block go with it). */
static void release(const br_gen *g, char *s)
{
    if (s && (uintptr_t)s - (uintptr_t)g->packed >= g->packed_len) free(s);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

static obj *add(br_gen *g, int vendor, int kind, const char *id)
{
    if (!id) return NULL;
    for (size_t i = 0; i < g->n; i++)
        if (g->objs[i].kind == kind && g->objs[i].vendor == vendor &&
            strcmp(g->objs[i].id, id) == 0)
            return &g->objs[i];
    if (g->n == g->cap) {
        size_t ncap = g->cap ? g->cap * 2 : 64;
        obj *no = realloc(g->objs, ncap * sizeof *no);
        if (!no) return NULL;
        g->objs = no;
        g->cap = ncap;
    }
    obj *o = &g->objs[g->n];
    memset(o, 0, sizeof *o);
    o->id = strdup(id);
    if (!o->id) return NULL;
    o->vendor = vendor;
    o->kind = kind;
    g->n++;
    return o;
}

static void set_str(const br_gen *g, char **dst, const char *s)
{
    if (!s) return;
    release(g, *dst);
    *dst = dup_or_null(s);
}

static const obj *find(const br_gen *g, int vendor, int kind, const char *id)
{
    for (size_t i = 0; id && i < g->n; i++)
        if (g->objs[i].kind == kind && g->objs[i].vendor == vendor &&
            strcmp(g->objs[i].id, id) == 0)
            return &g->objs[i];
    return NULL;
}

/* The vendor of an organization named in 'given'. */
static int org_vendor(const json_t *given, const char *org)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(given, "orgs"), i, o)
    {
        const char *id = json_string_value(json_object_get(o, "id"));
        if (id && org && strcmp(id, org) == 0)
            return (int)br_vendor_from_name(json_string_value(json_object_get(o, "vendor")));
    }
    return BR_VENDOR_COUNT;
}

/* The first organization of each vendor is the main one; the others are foreign. */
static const char *main_org(const json_t *given, int vendor)
{
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(given, "orgs"), i, o)
    {
        if ((int)br_vendor_from_name(json_string_value(json_object_get(o, "vendor"))) == vendor)
            return json_string_value(json_object_get(o, "id"));
    }
    return NULL;
}

static const char *project_org(const json_t *given, const char *project)
{
    size_t i, k;
    json_t *o, *p;
    json_array_foreach(json_object_get(given, "orgs"), i, o)
    {
        json_array_foreach(json_object_get(o, "projects"), k, p)
        {
            const char *id = json_string_value(json_object_get(p, "id"));
            if (id && project && strcmp(id, project) == 0)
                return json_string_value(json_object_get(o, "id"));
        }
    }
    return NULL;
}

static bool full_role(const char *role)
{
    static const char *const full[] = {"ORG_OWNER", "CLUSTER_ADMIN", "ORG_ADMIN", NULL};
    for (size_t i = 0; full[i]; i++)
        if (role && strcmp(role, full[i]) == 0) return true;
    return false;
}

br_gen *br_gen_new(const json_t *given)
{
    br_gen *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    /* Shared, not copied: a copy per generator cost the sequence harness an eighth of its
     * time (one generator per input). */
    g->given = given ? json_incref((json_t *)given) : json_object();
    if (!g->given) {
        free(g);
        return NULL;
    }
    size_t i, k;
    json_t *o, *p;
    json_array_foreach(json_object_get(g->given, "orgs"), i, o)
    {
        int v = (int)br_vendor_from_name(json_string_value(json_object_get(o, "vendor")));
        const char *oid = json_string_value(json_object_get(o, "id"));
        const char *mo = main_org(g->given, v);
        json_array_foreach(json_object_get(o, "projects"), k, p)
        {
            obj *pr = add(g, v, K_PROJECT, json_string_value(json_object_get(p, "id")));
            if (pr) {
                set_str(g, &pr->owner, oid);
                set_str(g, &pr->name, json_string_value(json_object_get(p, "name")));
                pr->flag = mo && oid && strcmp(mo, oid) == 0;
            }
        }
    }
    json_array_foreach(json_object_get(g->given, "keys"), i, o)
    {
        const char *org = json_string_value(json_object_get(o, "org"));
        int v = org_vendor(g->given, org);
        obj *key = add(g, v, K_KEY, json_string_value(json_object_get(o, "key")));
        if (!key) continue;
        set_str(g, &key->owner, org);
        const char *mo = main_org(g->given, v);
        key->flag = KEY_NARROW;
        if (!mo || !org || strcmp(mo, org) != 0) {
            key->flag = KEY_FOREIGN;
            continue;
        }
        json_array_foreach(json_object_get(o, "roles"), k, p)
        {
            if (json_is_string(p) && full_role(json_string_value(p))) key->flag = KEY_FULL;
            if (json_is_object(p) && json_string_value(json_object_get(p, "role")) &&
                strcmp(json_string_value(json_object_get(p, "role")), "GROUP_OWNER") == 0 &&
                key->flag != KEY_FULL)
                set_str(g, &key->name, json_string_value(json_object_get(p, "scope")));
        }
    }
    json_array_foreach(json_object_get(g->given, "clusters"), i, o)
    {
        const char *project = json_string_value(json_object_get(o, "project"));
        const char *org = json_string_value(json_object_get(o, "org"));
        if (!org) org = project_org(g->given, project);
        int v = org_vendor(g->given, org);
        obj *c = add(g, v, K_CLUSTER, json_string_value(json_object_get(o, "id")));
        if (!c) continue;
        set_str(g, &c->owner, project ? project : org);
        set_str(g, &c->name, json_string_value(json_object_get(o, "name")));
        set_str(g, &c->extra, json_string_value(json_object_get(o, "plan")));
        const char *mo = main_org(g->given, v);
        c->flag = mo && org && strcmp(mo, org) == 0;
        c->dbs = json_object_get(o, "databases");
    }
    json_t *lists[] = {json_object_get(g->given, "backups"),
                       json_object_get(g->given, "snapshots")};
    for (size_t l = 0; l < 2; l++)
        json_array_foreach(lists[l], i, o)
        {
            const char *cid = json_string_value(json_object_get(o, "cluster"));
            const obj *c = NULL;
            for (int v = 0; v < BR_VENDOR_COUNT && !c; v++)
                c = find(g, v, K_CLUSTER, cid);
            if (!c) continue;
            obj *b = add(g, c->vendor, c->vendor == BR_VENDOR_ATLAS ? K_SNAPSHOT : K_BACKUP,
                         json_string_value(json_object_get(o, "id")));
            if (!b) continue;
            set_str(g, &b->owner, cid);
            const char *type = json_string_value(json_object_get(o, "type"));
            set_str(g, &b->extra, type ? type : "CLUSTER");
            set_str(g, &b->name,
                    json_string_value(json_array_get(json_object_get(o, "collections"), 0)));
        }
    return g;
}

/* Appends s to the packed block (sized beforehand); NULL stays NULL. */
static char *pack(br_gen *g, const char *s)
{
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *at = g->packed + g->packed_len;
    memcpy(at, s, n);
    g->packed_len += n;
    return at;
}

/* The strings of every object go into one block, made with one allocation: a clone is made
 * per fuzzing input, and a string each was a tenth of the cost of a short one. */
br_gen *br_gen_clone(const br_gen *src)
{
    br_gen *g = calloc(1, sizeof *g);
    if (!g) return NULL;
    g->given = json_incref(src->given);
    g->counter = src->counter;
    size_t bytes = 0;
    for (size_t i = 0; i < src->n; i++) {
        const obj *s = &src->objs[i];
        const char *text[] = {s->id, s->owner, s->name, s->extra};
        for (size_t k = 0; k < sizeof text / sizeof *text; k++)
            if (text[k]) bytes += strlen(text[k]) + 1;
    }
    g->objs = src->n ? calloc(src->n, sizeof *g->objs) : NULL;
    g->packed = bytes ? malloc(bytes) : NULL;
    if ((src->n && !g->objs) || (bytes && !g->packed)) {
        br_gen_free(g);
        return NULL;
    }
    g->cap = src->n;
    for (size_t i = 0; i < src->n; i++) {
        const obj *s = &src->objs[i];
        obj *o = &g->objs[g->n++];
        *o = *s; /* dbs: borrowed from 'given', shared */
        o->id = pack(g, s->id);
        o->owner = pack(g, s->owner);
        o->name = pack(g, s->name);
        o->extra = pack(g, s->extra);
    }
    return g;
}

void br_gen_free(br_gen *g)
{
    if (!g) return;
    for (size_t i = 0; i < g->n; i++) {
        release(g, g->objs[i].id);
        release(g, g->objs[i].owner);
        release(g, g->objs[i].name);
        release(g, g->objs[i].extra);
    }
    free(g->objs);
    free(g->packed);
    json_decref(g->given);
    free(g);
}

/* ---- picking ---- */

static uint32_t pick(br_choice *c, uint32_t n)
{
    return n ? c->pick(c, n) : 0;
}

static bool chance(br_choice *c, uint32_t percent)
{
    return pick(c, 100) < percent;
}

static const char *one_of(br_choice *c, const char *const *list, size_t n)
{
    return list[pick(c, (uint32_t)n)];
}
#define ONE_OF(c, ...)                                                                             \
    one_of(c, (const char *const[]){__VA_ARGS__},                                                  \
           sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

typedef bool (*obj_filter)(const obj *o, const void *arg);

/* A random object of a kind (and filter), or NULL when there is none. */
static const obj *pick_obj(br_gen *g, br_choice *c, int vendor, int kind, obj_filter f,
                           const void *arg)
{
    uint32_t n = 0;
    for (size_t i = 0; i < g->n; i++)
        n += g->objs[i].vendor == vendor && g->objs[i].kind == kind && (!f || f(&g->objs[i], arg));
    if (!n) return NULL;
    uint32_t k = pick(c, n);
    for (size_t i = 0; i < g->n; i++)
        if (g->objs[i].vendor == vendor && g->objs[i].kind == kind && (!f || f(&g->objs[i], arg)) &&
            k-- == 0)
            return &g->objs[i];
    return NULL;
}

static bool key_class(const obj *o, const void *arg)
{
    return o->flag == *(const int *)arg;
}

static bool same_owner(const obj *o, const void *arg)
{
    return o->owner && strcmp(o->owner, arg) == 0;
}

static bool main_cluster(const obj *o, const void *arg)
{
    return o->flag == 1;
}

/* The key a request uses: mostly one with full rights; sometimes narrow, foreign, unknown or
 * none (NULL). */
static const char *pick_key(br_gen *g, br_choice *c, int vendor)
{
    uint32_t r = pick(c, 100);
    int cls = r < 80 ? KEY_FULL : r < 90 ? KEY_NARROW : r < 95 ? KEY_FOREIGN : -1;
    if (cls >= 0) {
        const obj *k = pick_obj(g, c, vendor, K_KEY, key_class, &cls);
        if (!k) {
            cls = KEY_FULL;
            k = pick_obj(g, c, vendor, K_KEY, key_class, &cls);
        }
        if (k) return k->id;
    }
    return chance(c, 50) ? "no-such-key" : NULL;
}

static const char *pick_cluster_id(br_gen *g, br_choice *c, int vendor, const char *unknown)
{
    if (chance(c, 5)) return unknown;
    const obj *o = pick_obj(g, c, vendor, K_CLUSTER, chance(c, 90) ? main_cluster : NULL, NULL);
    return o ? o->id : unknown;
}

static json_t *request(const char *method, const char *path, const char *key)
{
    json_t *r = json_pack("{s:s,s:s}", "method", method, "path", path);
    if (r && key) json_object_set_new(r, "key", json_string(key));
    return r;
}

static json_t *step(const char *name, json_t *req)
{
    if (!req) return NULL;
    return json_pack("{s:s,s:o}", "name", name, "request", req);
}

/* A name from a collection of the cluster's content (or a made-up one). */
static const char *pick_collection(br_choice *c, const json_t *dbs, const char **db, bool tables)
{
    size_t nd = json_array_size(dbs);
    if (!nd) {
        *db = "default";
        return "nothing";
    }
    const json_t *d = json_array_get(dbs, pick(c, (uint32_t)nd));
    *db = json_string_value(json_object_get(d, "name"));
    const json_t *items = json_object_get(d, tables ? "tables" : "collections");
    size_t ni = json_array_size(items);
    if (!ni) return "nothing";
    return json_string_value(json_object_get(json_array_get(items, pick(c, (uint32_t)ni)), "name"));
}

/* ---- Zilliz Cloud ---- */

static json_t *zilliz_step(br_gen *g, br_choice *c)
{
    char path[512];
    const char *key = pick_key(g, c, BR_VENDOR_ZILLIZ);
    const char *cid = pick_cluster_id(g, c, BR_VENDOR_ZILLIZ, "in01-00000000000000000");
    const obj *cl = find(g, BR_VENDOR_ZILLIZ, K_CLUSTER, cid);
    const obj *b = pick_obj(g, c, BR_VENDOR_ZILLIZ, K_BACKUP, same_owner, cid);
    if (chance(c, 15)) b = pick_obj(g, c, BR_VENDOR_ZILLIZ, K_BACKUP, NULL, NULL);
    if (b && chance(c, 80)) { /* operate on the backup's own cluster most of the time */
        cid = b->owner;
        cl = find(g, BR_VENDOR_ZILLIZ, K_CLUSTER, cid);
    }
    const char *bid = b && chance(c, 95) ? b->id : "backup9_00000000000000";
    const obj *proj = pick_obj(g, c, BR_VENDOR_ZILLIZ, K_PROJECT, main_cluster, NULL);
    const char *pid = proj ? proj->id : "proj-unknown";
    json_t *body = NULL;
    const char *name = NULL, *method = "GET";
    switch (pick(c, 11)) {
    case 0: { /* create */
        name = "zilliz: create backup";
        method = "POST";
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/create", cid);
        const char *db;
        const char *coll = pick_collection(c, cl ? cl->dbs : NULL, &db, false);
        switch (pick(c, 8)) {
        case 0:
        case 1:
        case 2:
            body = json_pack("{s:s}", "backupType", "CLUSTER");
            break;
        case 3:
        case 4:
            body = json_pack("{s:s,s:[{s:s,s:[s]}]}", "backupType", "COLLECTION", "dbCollections",
                             "dbName", db, "collectionNames", coll);
            break;
        case 5:
            body = json_pack("{s:s,s:[{s:[s]}]}", "backupType", "COLLECTION", "dbCollections",
                             "collectionNames", coll);
            break;
        case 6:
            body = json_pack("{s:s}", "backupType",
                             ONE_OF(c, "DATABASE", "EVERYTHING", "COLLECTION", "cluster"));
            break;
        default:
            body = chance(c, 50) ? json_object() : json_pack("{s:i}", "backupType", 5);
        }
        break;
    }
    case 1: { /* list */
        name = "zilliz: list backups";
        char q[256] = "";
        size_t len = 0;
        if (chance(c, 40)) len += (size_t)snprintf(q + len, sizeof q - len, "&clusterId=%s", cid);
        if (chance(c, 20)) len += (size_t)snprintf(q + len, sizeof q - len, "&projectId=%s", pid);
        if (chance(c, 25))
            len += (size_t)snprintf(q + len, sizeof q - len, "&creationMethod=%s",
                                    ONE_OF(c, "MANUAL", "AUTO", "SOMETIMES"));
        if (chance(c, 15))
            len += (size_t)snprintf(q + len, sizeof q - len, "&backupType=%s",
                                    ONE_OF(c, "CLUSTER", "COLLECTION"));
        if (chance(c, 25)) {
            const char *size = ONE_OF(c, "1", "2", "10", "100", "0", "101");
            const char *page = ONE_OF(c, "1", "2", "3", "0");
            len += (size_t)snprintf(q + len, sizeof q - len, "&pageSize=%s&currentPage=%s", size,
                                    page);
        }
        if (chance(c, 10))
            len += (size_t)snprintf(q + len, sizeof q - len, "&startTime=%s",
                                    ONE_OF(c, "2024-08-25T03:00:00Z", "yesterday"));
        snprintf(path, sizeof path, "/v2/backups%s%s", len ? "?" : "", len ? q + 1 : "");
        break;
    }
    case 2:
        name = "zilliz: get policy";
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/policy", cid);
        break;
    case 3: {
        name = "zilliz: set policy";
        method = "POST";
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/policy", cid);
        body = json_object();
        if (chance(c, 92)) json_object_set_new(body, "enabled", json_boolean(chance(c, 70)));
        if (chance(c, 3)) json_object_set_new(body, "enabled", json_string("yes"));
        if (chance(c, 40))
            json_object_set_new(body, "frequency",
                                json_string(ONE_OF(c, "1,2,3,4,5,6,7", "1,3,5", "2", "1,8")));
        if (chance(c, 30))
            json_object_set_new(
                body, "startTime",
                json_string(ONE_OF(c, "00:00-02:00", "02:00-04:00", "25:00-26:00")));
        if (chance(c, 40)) {
            int days = chance(c, 85) ? 1 + (int)pick(c, 30) : chance(c, 50) ? 0 : 31;
            json_object_set_new(body, "retentionDays", json_integer(days));
        }
        break;
    }
    case 4:
        name = "zilliz: describe backup";
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/%s", cid, bid);
        break;
    case 5:
        name = "zilliz: delete backup";
        method = "DELETE";
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/%s", cid, bid);
        break;
    case 6: {
        name = "zilliz: restore cluster";
        method = "POST";
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/%s/restoreCluster", cid, bid);
        char cname[64];
        snprintf(cname, sizeof cname, "restored-%u", ++g->counter);
        body = json_object();
        const char *pkey = chance(c, 50) ? "projectId" : "targetProjectId";
        json_object_set_new(body, pkey, json_string(chance(c, 95) ? pid : "proj-unknown"));
        if (chance(c, 5)) /* both spellings, different values */
            json_object_set_new(body, pkey[0] == 'p' ? "targetProjectId" : "projectId",
                                json_string("proj-8f0a2b3c4d5e6f708192a3"));
        if (chance(c, 90)) {
            const char *cn = chance(c, 90) ? cname : cl ? cl->name : "x";
            json_object_set_new(body, "clusterName", json_string(cn));
        }
        if (chance(c, 90)) {
            int cu = chance(c, 90) ? 1 + (int)pick(c, 8) : chance(c, 50) ? 0 : 257;
            json_object_set_new(body, "cuSize", json_integer(cu));
        }
        if (chance(c, 60))
            json_object_set_new(body, "collectionStatus",
                                json_string(ONE_OF(c, "KEEP", "RELEASE", "KEEP", "MAYBE")));
        if (chance(c, 10))
            json_object_set_new(
                body, "cuType",
                json_string(ONE_OF(c, "Performance-optimized", "Capacity-optimized")));
        if (chance(c, 10))
            json_object_set_new(body, "regionId",
                                json_string(ONE_OF(c, "aws-us-west-2", "gcp-us-west1")));
        if (chance(c, 4)) json_object_set_new(body, "cloudId", json_string("gcp"));
        break;
    }
    case 7: {
        name = "zilliz: restore collection";
        method = "POST";
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/%s/restoreCollection", cid, bid);
        const obj *dest = pick_obj(g, c, BR_VENDOR_ZILLIZ, K_CLUSTER, NULL, NULL);
        const char *coll = b && b->name ? b->name : "medium_articles";
        if (chance(c, 10)) {
            const char *db;
            coll = pick_collection(c, cl ? cl->dbs : NULL, &db, false);
        }
        char newname[64];
        snprintf(newname, sizeof newname, "copy_%u", ++g->counter);
        json_t *item = json_pack("{s:s}", "collectionName", coll);
        if (chance(c, 70)) {
            const char *field = chance(c, 50) ? "destCollectionName" : "targetCollectionName";
            json_object_set_new(item, field,
                                json_string(chance(c, 85) ? newname : "existing_coll"));
        }
        if (chance(c, 30))
            json_object_set_new(item, "destCollectionStatus",
                                json_string(ONE_OF(c, "LOADED", "UNLOADED")));
        if (chance(c, 5)) json_object_set_new(item, "targetCollectionName", json_string("other"));
        json_t *dbc = json_pack("{s:[o]}", "collections", item);
        if (chance(c, 20)) json_object_set_new(dbc, "destDbName", json_string("default"));
        const char *dkey = chance(c, 50) ? "destClusterId" : "targetClusterId";
        body = json_pack("{s:s,s:[o]}", dkey, dest ? dest->id : cid, "dbCollections", dbc);
        if (chance(c, 20)) json_object_set_new(body, "projectId", json_string(pid));
        if (chance(c, 5))
            json_object_set_new(body, dkey[0] == 'd' ? "targetClusterId" : "destClusterId",
                                json_string(cid));
        if (chance(c, 5)) json_object_del(body, "dbCollections");
        break;
    }
    case 8:
        name = "zilliz: export backup";
        method = "POST";
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/%s/export", cid, bid);
        body = chance(c, 90)
                   ? json_pack("{s:s,s:s}", "integrationId", "integ-0123", "directory", "backups/")
                   : json_object();
        break;
    case 9: {
        name = "zilliz: describe job";
        const obj *j = pick_obj(g, c, BR_VENDOR_ZILLIZ, K_JOB, NULL, NULL);
        snprintf(path, sizeof path, "/v2/jobs/%s",
                 j && chance(c, 95) ? j->id : "job-0000000000000");
        break;
    }
    default:
        name = "zilliz: describe cluster";
        snprintf(path, sizeof path, "/v2/clusters/%s", cid);
    }
    json_t *r = request(method, path, key);
    if (r && body)
        json_object_set_new(r, "body", body);
    else
        json_decref(body);
    return step(name, r);
}

/* ---- CockroachDB Cloud ---- */

static json_t *crdb_objects(br_choice *c, const obj *src, const char *type)
{
    const char *db;
    bool table = strcmp(type, "TABLE") == 0;
    const char *t = pick_collection(c, src ? src->dbs : NULL, &db, table);
    json_t *a = json_array();
    if (table)
        json_array_append_new(
            a, chance(c, 50)
                   ? json_pack("{s:s,s:s,s:s}", "database", db, "schema", "public", "table", t)
                   : json_pack("{s:s,s:s}", "database", db, "table", t));
    else
        json_array_append_new(a, json_pack("{s:s}", "database", db));
    if (chance(c, 10)) json_array_append_new(a, json_pack("{s:s}", "database", "movr"));
    return a;
}

static json_t *crdb_step(br_gen *g, br_choice *c)
{
    char path[512];
    const char *key = pick_key(g, c, BR_VENDOR_CRDB);
    const char *cid = pick_cluster_id(g, c, BR_VENDOR_CRDB, "99999999-9999-4999-8999-999999999999");
    const char *name, *method = "GET";
    json_t *body = NULL;
    switch (pick(c, 10)) {
    case 0:
        name = "crdb: get cluster";
        snprintf(path, sizeof path, "/api/v1/clusters/%s", cid);
        break;
    case 1:
        name = "crdb: list databases";
        snprintf(path, sizeof path, "/api/v1/clusters/%s/databases", cid);
        break;
    case 2: {
        name = "crdb: list backups";
        char q[300] = "";
        size_t len = 0;
        const obj *page = pick_obj(g, c, BR_VENDOR_CRDB, K_PAGE, same_owner, cid);
        if (chance(c, 40))
            len += (size_t)snprintf(q + len, sizeof q - len, "&pagination.limit=%s",
                                    ONE_OF(c, "1", "2", "5", "ten"));
        if (chance(c, 25))
            len += (size_t)snprintf(q + len, sizeof q - len, "&pagination.sort_order=%s",
                                    ONE_OF(c, "ASC", "DESC", "UP"));
        if (page && chance(c, 50))
            len += (size_t)snprintf(q + len, sizeof q - len, "&pagination.page=%s", page->id);
        if (chance(c, 10))
            len += (size_t)snprintf(q + len, sizeof q - len, "&start_time=%s",
                                    ONE_OF(c, "2024-08-25T12:00:00Z", "yesterday"));
        if (chance(c, 8))
            len +=
                (size_t)snprintf(q + len, sizeof q - len, "&end_time=%s", "2024-08-25T14:00:00Z");
        snprintf(path, sizeof path, "/api/v1/clusters/%s/backups%s%s", cid, len ? "?" : "",
                 len ? q + 1 : "");
        break;
    }
    case 3:
        name = "crdb: get backup configuration";
        snprintf(path, sizeof path,
                 chance(c, 70) ? "/api/v1/clusters/%s/backups-config"
                               : "/api/v1/clusters/%s/backups/config",
                 cid);
        break;
    case 4: {
        name = "crdb: update backup configuration";
        bool put = chance(c, 30);
        method = put ? "PUT" : "PATCH";
        snprintf(path, sizeof path,
                 put ? "/api/v1/clusters/%s/backups/config" : "/api/v1/clusters/%s/backups-config",
                 cid);
        body = json_object();
        if (chance(c, 40)) json_object_set_new(body, "enabled", json_boolean(chance(c, 80)));
        if (chance(c, 50))
            json_object_set_new(
                body, "frequency_minutes",
                json_integer(atoi(ONE_OF(c, "5", "10", "15", "30", "60", "240", "1440", "45"))));
        if (chance(c, 50))
            json_object_set_new(body, "retention_days",
                                json_integer(atoi(ONE_OF(c, "2", "7", "30", "90", "365", "14"))));
        if (chance(c, 4)) json_object_set_new(body, "frequency_minutes", json_string("60"));
        break;
    }
    case 5:
    case 6: {
        name = "crdb: create restore";
        method = "POST";
        snprintf(path, sizeof path, "/api/v1/clusters/%s/restores", cid);
        const obj *src = pick_obj(g, c, BR_VENDOR_CRDB, K_CLUSTER, main_cluster, NULL);
        if (chance(c, 50) || !src) src = find(g, BR_VENDOR_CRDB, K_CLUSTER, cid);
        const char *type = ONE_OF(c, "CLUSTER", "DATABASE", "TABLE", "CLUSTER", "DATABASE");
        body = json_object();
        if (chance(c, 96)) json_object_set_new(body, "type", json_string(type));
        if (chance(c, 2)) json_object_set_new(body, "type", json_string("INDEX"));
        if (chance(c, 2)) json_object_set_new(body, "type", json_integer(5));
        if (src && chance(c, 60))
            json_object_set_new(body, "source_cluster_id", json_string(src->id));
        if (chance(c, 30)) {
            const obj *b = pick_obj(g, c, BR_VENDOR_CRDB, K_BACKUP, src ? same_owner : NULL,
                                    src ? src->id : NULL);
            if (!b || chance(c, 20)) b = pick_obj(g, c, BR_VENDOR_CRDB, K_BACKUP, NULL, NULL);
            if (b) json_object_set_new(body, "backup_id", json_string(b->id));
        }
        if (strcmp(type, "CLUSTER") != 0 && chance(c, 92))
            json_object_set_new(body, "objects", crdb_objects(c, src, type));
        if (chance(c, 35)) {
            json_t *opts = json_object();
            if (chance(c, 50)) {
                char nn[64];
                snprintf(nn, sizeof nn, "db_%u", ++g->counter);
                json_object_set_new(opts, "new_db_name",
                                    json_string(chance(c, 85) ? nn : ONE_OF(c, "tpcc2", "app")));
            }
            if (chance(c, 50))
                json_object_set_new(
                    opts, "into_db",
                    json_string(ONE_OF(c, "tpcc2", "defaultdb", "nowhere", "app", "tpcc")));
            if (chance(c, 15)) json_object_set_new(opts, "skip_missing_foreign_keys", json_true());
            if (chance(c, 10)) json_object_set_new(opts, "schema_only", json_true());
            json_object_set_new(body, "restore_opts", opts);
        }
        break;
    }
    case 7: {
        name = "crdb: list restores";
        snprintf(path, sizeof path, "/api/v1/clusters/%s/restores%s", cid,
                 chance(c, 15) ? ONE_OF(c, "?pagination.limit=1", "?pagination.page=garbage") : "");
        break;
    }
    default: {
        name = "crdb: get restore";
        const obj *r = pick_obj(g, c, BR_VENDOR_CRDB, K_RESTORE, NULL, NULL);
        if (r && chance(c, 85)) cid = r->owner;
        snprintf(path, sizeof path, "/api/v1/clusters/%s/restores/%s", cid,
                 r && chance(c, 95) ? r->id : "00000000-0000-4000-8000-000000000000");
    }
    }
    json_t *r = request(method, path, key);
    if (r && chance(c, 10))
        json_object_set_new(
            r, "headers",
            json_pack("{s:s}", "Cc-Version",
                      ONE_OF(c, "2024-09-16", "2025-07-25", "latest", "2024-13-45")));
    if (r && body)
        json_object_set_new(r, "body", body);
    else
        json_decref(body);
    return step(name, r);
}

/* ---- MongoDB Atlas ---- */

static const char *atlas_group(br_gen *g, const obj *cl)
{
    return cl && cl->owner ? cl->owner : "5f0000000000000000000000";
}

static json_t *atlas_step(br_gen *g, br_choice *c)
{
    char path[640], base[400];
    const char *key = pick_key(g, c, BR_VENDOR_ATLAS);
    /* A key scoped to one group works on that group. */
    const obj *ko = find(g, BR_VENDOR_ATLAS, K_KEY, key);
    const obj *cl =
        pick_obj(g, c, BR_VENDOR_ATLAS, K_CLUSTER, chance(c, 90) ? main_cluster : NULL, NULL);
    if (ko && ko->name && chance(c, 70)) {
        const obj *in = pick_obj(g, c, BR_VENDOR_ATLAS, K_CLUSTER, same_owner, ko->name);
        if (in) cl = in;
    }
    const obj *snap = pick_obj(g, c, BR_VENDOR_ATLAS, K_SNAPSHOT, NULL, NULL);
    if (snap && chance(c, 85)) {
        const obj *sc = find(g, BR_VENDOR_ATLAS, K_CLUSTER, snap->owner);
        if (sc) cl = sc;
    }
    const char *group = atlas_group(g, cl);
    const char *cname = cl ? cl->name : "Nope";
    if (chance(c, 3)) group = ONE_OF(c, "5f0000000000000000000000", "prod");
    if (chance(c, 3)) cname = "Nope";
    bool v2 = chance(c, 30);
    snprintf(base, sizeof base, "/api/atlas/%s/groups/%s/clusters/%s", v2 ? "v2" : "v1.0", group,
             cname);
    const char *name, *method = "GET", *query = "";
    json_t *body = NULL;
    const char *sid =
        snap && chance(c, 95) ? snap->id : ONE_OF(c, "5ced491ce7a2e10517c80000", "5ced491c");
    switch (pick(c, 8)) {
    case 0:
    case 1: {
        name = "atlas: create restore";
        method = "POST";
        snprintf(path, sizeof path, "%s/backup/tenant/restore", base);
        const obj *target =
            pick_obj(g, c, BR_VENDOR_ATLAS, K_CLUSTER, chance(c, 90) ? main_cluster : NULL, NULL);
        body = json_object();
        if (chance(c, 95)) json_object_set_new(body, "snapshotId", json_string(sid));
        if (chance(c, 2)) json_object_set_new(body, "snapshotId", json_integer(42));
        if (chance(c, 95)) {
            const char *tn = target && chance(c, 95) ? target->name : "Ghost";
            json_object_set_new(body, "targetDeploymentItemName", json_string(tn));
        }
        if (chance(c, v2 ? 60 : 95)) {
            const char *tp = chance(c, 95) ? atlas_group(g, target) : "5f0000000000000000000001";
            json_object_set_new(body, "targetProjectId", json_string(tp));
        }
        if (chance(c, 3)) json_object_set_new(body, "deliveryType", json_string("EMAIL"));
        break;
    }
    case 2:
        name = "atlas: list restores";
        snprintf(path, sizeof path, "%s/backup/tenant/restores", base);
        query = chance(c, 20) ? ONE_OF(c, "?itemsPerPage=1&includeCount=true", "?itemsPerPage=501",
                                       "?pageNum=-1", "?pageNum=2&itemsPerPage=1")
                              : "";
        break;
    case 3: {
        name = "atlas: get restore";
        const obj *r = pick_obj(g, c, BR_VENDOR_ATLAS, K_RESTORE, NULL, NULL);
        if (r && chance(c, 85)) {
            const obj *rc = find(g, BR_VENDOR_ATLAS, K_CLUSTER, r->owner);
            if (rc)
                snprintf(base, sizeof base, "/api/atlas/%s/groups/%s/clusters/%s",
                         v2 ? "v2" : "v1.0", atlas_group(g, rc), rc->name);
        }
        snprintf(path, sizeof path, "%s/backup/tenant/restores/%s", base,
                 r && chance(c, 95) ? r->id : "5cee4c83e7a2e10d2ad35971");
        break;
    }
    case 4:
        name = "atlas: list snapshots";
        snprintf(path, sizeof path, "%s/backup/tenant/snapshots", base);
        query = chance(c, 25) ? ONE_OF(c, "?itemsPerPage=2", "?itemsPerPage=2&pageNum=2",
                                       "?pageNum=9", "?itemsPerPage=0", "?includeCount=false",
                                       "?envelope=true", "?pageNum=0")
                              : "";
        break;
    case 5:
        name = "atlas: get snapshot";
        snprintf(path, sizeof path, "%s/backup/tenant/snapshots/%s", base, sid);
        query = chance(c, 10) ? ONE_OF(c, "?envelope=true", "?envelope=true&pretty=true") : "";
        break;
    case 6:
        name = "atlas: create download";
        method = "POST";
        snprintf(path, sizeof path, "%s/backup/tenant/download", base);
        body = chance(c, 95) ? json_pack("{s:s}", "snapshotId", sid) : json_object();
        break;
    default:
        name = "atlas: get cluster";
        snprintf(path, sizeof path, "%s", base);
    }
    if (!*query && chance(c, 4)) query = "?envelope=true";
    char full[700];
    snprintf(full, sizeof full, "%s%s", path, query);
    json_t *r = request(method, full, key);
    if (r && v2 && chance(c, 90)) {
        const char *accept =
            chance(c, 95) ? ONE_OF(c, "application/vnd.atlas.2023-01-01+json",
                                   "application/vnd.atlas.2023-02-01+json",
                                   "application/vnd.atlas.2024-08-05+json")
                          : ONE_OF(c, "application/json", "application/vnd.atlas.2022-12-31+json");
        json_object_set_new(r, "headers", json_pack("{s:s}", "Accept", accept));
    }
    if (r && chance(c, 3))
        json_object_set_new(r, "callerIp", json_string(ONE_OF(c, "203.0.113.9", "10.1.2.3")));
    if (r && body)
        json_object_set_new(r, "body", body);
    else
        json_decref(body);
    return step(name, r);
}

/* ---- time and simulator ---- */

static json_t *sim_step(br_gen *g, br_choice *c)
{
    int vendor = (int)pick(c, BR_VENDOR_COUNT);
    const obj *cl = pick_obj(g, c, vendor, K_CLUSTER, main_cluster, NULL);
    if (!cl) return json_pack("{s:i}", "advance", 60);
    if (vendor == BR_VENDOR_ATLAS && chance(c, 30)) {
        bool paused = chance(c, 50);
        return json_pack("{s:s,s:{s:s,s:s,s:s,s:b}}", "name", "sim: pause or resume", "sim", "op",
                         "set_flag", "cluster", cl->id, "flag", "paused", "value", paused);
    }
    if (chance(c, 4))
        return json_pack("{s:s,s:{s:s,s:s}}", "name", "sim: drop cluster", "sim", "op",
                         "drop_cluster", "cluster", cl->id);
    const char *db;
    const char *coll = pick_collection(c, cl->dbs, &db, vendor == BR_VENDOR_CRDB);
    json_t *op = json_pack("{s:s,s:s,s:s,s:s}", "op", "write", "cluster", cl->id, "db", db,
                           "collection", coll);
    if (op && vendor == BR_VENDOR_CRDB) json_object_set_new(op, "schema", json_string("public"));
    return json_pack("{s:s,s:o}", "name", "sim: write", "sim", op);
}

/* Now and then a body that is not JSON (SEC-BAD-INPUT). */
static json_t *malformed(br_choice *c, json_t *step)
{
    json_t *req = json_object_get(step, "request");
    if (!json_object_get(req, "body") || !chance(c, 3)) return step;
    json_object_del(req, "body");
    json_object_set_new(
        req, "bodyRaw",
        json_string(ONE_OF(c, "{\"backupType\": ", "{\"enabled\": tru}", "[1,", "}")));
    return step;
}

json_t *br_gen_next(br_gen *g, br_choice *c)
{
    if (!g || !c) return NULL;
    uint32_t r = pick(c, 100);
    if (r < 8) {
        static const int secs[] = {30, 60, 120, 300, 600, 1800, 3600, 4 * 3600, 86400};
        return json_pack("{s:i}", "advance", secs[pick(c, sizeof secs / sizeof *secs)]);
    }
    if (r < 11) return sim_step(g, c);
    switch (pick(c, 3)) {
    case 0:
        return malformed(c, zilliz_step(g, c));
    case 1:
        return malformed(c, crdb_step(g, c));
    default:
        return malformed(c, atlas_step(g, c));
    }
}

/* ---- learning from answers ---- */

/* "/v2/clusters/X/backups/Y/..." -> segment n (0-based, after the leading '/'). */
static bool segment(const char *path, int n, char *out, size_t len)
{
    const char *p = path;
    for (int i = 0; i <= n; i++) {
        if (*p != '/') return false;
        p++;
        size_t l = strcspn(p, "/?");
        if (i == n) {
            if (l == 0 || l >= len) return false;
            memcpy(out, p, l);
            out[l] = '\0';
            return true;
        }
        p += l;
    }
    return false;
}

static bool ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

static void learn_zilliz(br_gen *g, const char *method, const char *path, const json_t *reqbody,
                         const json_t *body)
{
    const json_t *data = json_object_get(body, "data");
    char cid[128];
    bool has_cid = segment(path, 2, cid, sizeof cid);
    const char *job = json_string_value(json_object_get(data, "jobId"));
    if (job) add(g, BR_VENDOR_ZILLIZ, K_JOB, job);
    if (strcmp(method, "POST") == 0 && ends_with(path, "/backups/create") && has_cid) {
        obj *b = add(g, BR_VENDOR_ZILLIZ, K_BACKUP,
                     json_string_value(json_object_get(data, "backupId")));
        if (b) {
            set_str(g, &b->owner, cid);
            const char *type = json_string_value(json_object_get(reqbody, "backupType"));
            set_str(g, &b->extra, type);
            const json_t *dbc = json_array_get(json_object_get(reqbody, "dbCollections"), 0);
            set_str(g, &b->name,
                    json_string_value(json_array_get(json_object_get(dbc, "collectionNames"), 0)));
        }
    } else if (ends_with(path, "/restoreCluster") && has_cid) {
        obj *c = add(g, BR_VENDOR_ZILLIZ, K_CLUSTER,
                     json_string_value(json_object_get(data, "clusterId")));
        const obj *src = find(g, BR_VENDOR_ZILLIZ, K_CLUSTER, cid);
        if (c) {
            const char *p = json_string_value(json_object_get(reqbody, "projectId"));
            if (!p) p = json_string_value(json_object_get(reqbody, "targetProjectId"));
            set_str(g, &c->owner, p);
            set_str(g, &c->name, json_string_value(json_object_get(reqbody, "clusterName")));
            set_str(g, &c->extra, src ? src->extra : "Standard");
            c->flag = 1;
            c->dbs = src ? src->dbs : NULL;
        }
    }
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(data, "backups"), i, b)
    {
        obj *o =
            add(g, BR_VENDOR_ZILLIZ, K_BACKUP, json_string_value(json_object_get(b, "backupId")));
        if (o && !o->owner) {
            set_str(g, &o->owner, json_string_value(json_object_get(b, "clusterId")));
            set_str(g, &o->extra, json_string_value(json_object_get(b, "backupType")));
        }
    }
}

static void learn_crdb(br_gen *g, const char *method, const char *path, const json_t *body)
{
    char cid[128];
    if (!segment(path, 3, cid, sizeof cid)) return;
    if (strcmp(method, "POST") == 0 && ends_with(path, "/restores")) {
        obj *r = add(g, BR_VENDOR_CRDB, K_RESTORE, json_string_value(json_object_get(body, "id")));
        if (r) set_str(g, &r->owner, cid);
    }
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(body, "backups"), i, b)
    {
        obj *o = add(g, BR_VENDOR_CRDB, K_BACKUP, json_string_value(json_object_get(b, "id")));
        if (o && !o->owner) set_str(g, &o->owner, cid);
    }
    json_array_foreach(json_object_get(body, "restores"), i, b)
    {
        obj *o = add(g, BR_VENDOR_CRDB, K_RESTORE, json_string_value(json_object_get(b, "id")));
        if (o && !o->owner) set_str(g, &o->owner, cid);
    }
    const char *next =
        json_string_value(json_object_get(json_object_get(body, "pagination"), "next_page"));
    obj *p = next && *next ? add(g, BR_VENDOR_CRDB, K_PAGE, next) : NULL;
    if (p) set_str(g, &p->owner, cid);
}

static void learn_atlas(br_gen *g, const char *path, const json_t *body)
{
    char group[128], name[128];
    if (!segment(path, 4, group, sizeof group) || !segment(path, 6, name, sizeof name)) return;
    const obj *cl = NULL;
    for (size_t i = 0; i < g->n && !cl; i++)
        if (g->objs[i].vendor == BR_VENDOR_ATLAS && g->objs[i].kind == K_CLUSTER &&
            g->objs[i].name && g->objs[i].owner && strcmp(g->objs[i].name, name) == 0 &&
            strcmp(g->objs[i].owner, group) == 0)
            cl = &g->objs[i];
    if (!cl) return;
    char *cid = strdup(cl->id); /* 'add' may move the table */
    if (!cid) return;
    if (json_is_object(json_object_get(body, "content"))) body = json_object_get(body, "content");
    bool restores =
        strstr(path, "/backup/tenant/restore") || strstr(path, "/backup/tenant/download");
    bool snapshots = strstr(path, "/backup/tenant/snapshots") != NULL;
    const json_t *list = json_object_get(body, "results");
    size_t n = json_is_array(list) ? json_array_size(list) : 1;
    for (size_t i = 0; i < n; i++) {
        const json_t *it = json_is_array(list) ? json_array_get(list, i) : body;
        const char *id = json_string_value(json_object_get(it, "id"));
        if (!id || (!restores && !snapshots)) continue;
        obj *o = add(g, BR_VENDOR_ATLAS, restores ? K_RESTORE : K_SNAPSHOT, id);
        if (o && !o->owner) set_str(g, &o->owner, cid);
    }
    free(cid);
}

void br_gen_observe(br_gen *g, const json_t *step, int status, const json_t *body)
{
    const json_t *req = json_object_get(step, "request");
    const char *method = json_string_value(json_object_get(req, "method"));
    const char *path = json_string_value(json_object_get(req, "path"));
    if (!g || !method || !path || status != 200 || !json_is_object(body)) return;
    if (strncmp(path, "/v2/", 4) == 0) {
        if (json_integer_value(json_object_get(body, "code")) == 0)
            learn_zilliz(g, method, path, json_object_get(req, "body"), body);
    } else if (strncmp(path, "/api/v1/", 8) == 0) {
        learn_crdb(g, method, path, body);
    } else if (strncmp(path, "/api/atlas/", 11) == 0) {
        if (!json_object_get(body, "errorCode")) learn_atlas(g, path, body);
    }
}

/* ---- the default world ---- */

static const char default_world[] =
    "{\"seed\": 11, \"clock\": \"2024-08-26T00:00:00Z\","
    " \"orgs\": ["
    "  {\"id\": \"org-zilliz-1\", \"name\": \"Acme\", \"vendor\": \"zilliz\", \"projects\": ["
    "    {\"id\": \"proj-20e13e974c7d659a83xxxx\", \"name\": \"Default Project\"},"
    "    {\"id\": \"proj-8f0a2b3c4d5e6f708192a3\", \"name\": \"Second Project\"}]},"
    "  {\"id\": \"org-zilliz-2\", \"name\": \"Other Org\", \"vendor\": \"zilliz\", \"projects\": ["
    "    {\"id\": \"proj-0ther0000000000000000\", \"name\": \"Other\"}]},"
    "  {\"id\": \"org-crdb-acme\", \"name\": \"Acme\", \"vendor\": \"crdb\"},"
    "  {\"id\": \"org-crdb-other\", \"name\": \"Other Corp\", \"vendor\": \"crdb\"},"
    "  {\"id\": \"a0123456789abcdef012345a\", \"name\": \"Acme\", \"vendor\": \"atlas\","
    "   \"accessList\": [\"127.0.0.1\", \"10.0.0.0/8\"], \"projects\": ["
    "    {\"id\": \"b0123456789abcdef012345b\", \"name\": \"prod\"},"
    "    {\"id\": \"c0123456789abcdef012345c\", \"name\": \"staging\"}]},"
    "  {\"id\": \"d0123456789abcdef012345d\", \"name\": \"Other\", \"vendor\": \"atlas\","
    "   \"projects\": [{\"id\": \"e0123456789abcdef012345e\", \"name\": \"theirs\"}]}],"
    " \"keys\": ["
    "  {\"key\": \"zc-owner-key\", \"org\": \"org-zilliz-1\", \"roles\": [\"ORG_OWNER\"]},"
    "  {\"key\": \"zc-admin-key\", \"org\": \"org-zilliz-1\", \"roles\": [{\"role\": "
    "\"PROJECT_ADMIN\", \"scope\": \"proj-20e13e974c7d659a83xxxx\"}]},"
    "  {\"key\": \"zc-reader-key\", \"org\": \"org-zilliz-1\", \"roles\": [{\"role\": "
    "\"PROJECT_READ_ONLY\", \"scope\": \"proj-20e13e974c7d659a83xxxx\"}]},"
    "  {\"key\": \"zc-other-key\", \"org\": \"org-zilliz-2\", \"roles\": [\"ORG_OWNER\"]},"
    "  {\"key\": \"cc-admin-key\", \"org\": \"org-crdb-acme\", \"roles\": [\"CLUSTER_ADMIN\"]},"
    "  {\"key\": \"cc-operator-key\", \"org\": \"org-crdb-acme\", \"roles\": [{\"role\": "
    "\"CLUSTER_OPERATOR_WRITER\", \"scope\": \"88888888-8888-4888-8888-888888888888\"}]},"
    "  {\"key\": \"cc-developer-key\", \"org\": \"org-crdb-acme\", \"roles\": "
    "[\"CLUSTER_DEVELOPER\"]},"
    "  {\"key\": \"cc-other-key\", \"org\": \"org-crdb-other\", \"roles\": [\"CLUSTER_ADMIN\"]},"
    "  {\"key\": \"ma-owner-key\", \"org\": \"a0123456789abcdef012345a\", \"roles\": "
    "[\"ORG_OWNER\"]},"
    "  {\"key\": \"ma-group-owner-key\", \"org\": \"a0123456789abcdef012345a\", \"roles\": "
    "[{\"role\": \"GROUP_OWNER\", \"scope\": \"c0123456789abcdef012345c\"}]},"
    "  {\"key\": \"ma-reader-key\", \"org\": \"a0123456789abcdef012345a\", \"roles\": "
    "[{\"role\": \"GROUP_READ_ONLY\", \"scope\": \"b0123456789abcdef012345b\"}]},"
    "  {\"key\": \"ma-other-key\", \"org\": \"d0123456789abcdef012345d\", \"roles\": "
    "[\"ORG_OWNER\"]}],"
    " \"clusters\": ["
    "  {\"id\": \"in01-3e5ad8adc38aaaa\", \"name\": \"Dedicated-01\", \"project\": "
    "\"proj-20e13e974c7d659a83xxxx\", \"plan\": \"Standard\", \"region\": \"aws-us-west-2\","
    "   \"cuType\": \"Performance-optimized\", \"cuSize\": 2, \"databases\": ["
    "    {\"name\": \"default\", \"collections\": [{\"name\": \"medium_articles\", \"version\": 3,"
    " \"loaded\": true}, {\"name\": \"books\", \"version\": 1, \"loaded\": false}]},"
    "    {\"name\": \"db2\", \"collections\": [{\"name\": \"logs\", \"version\": 5, \"loaded\": "
    "true}]}]},"
    "  {\"id\": \"in01-7b2c9d0e1f2bbbb\", \"name\": \"Dedicated-02\", \"project\": "
    "\"proj-8f0a2b3c4d5e6f708192a3\", \"plan\": \"Enterprise\", \"region\": \"aws-us-west-2\","
    "   \"cuType\": \"Performance-optimized\", \"cuSize\": 1, \"databases\": ["
    "    {\"name\": \"default\", \"collections\": [{\"name\": \"existing_coll\", \"version\": 1,"
    " \"loaded\": true}]}]},"
    "  {\"id\": \"in01-f7ee0000000cccc\", \"name\": \"Free-01\", \"project\": "
    "\"proj-20e13e974c7d659a83xxxx\", \"plan\": \"Free\", \"region\": \"gcp-us-west1\","
    "   \"cuType\": \"Performance-optimized\", \"cuSize\": 1, \"databases\": ["
    "    {\"name\": \"default\", \"collections\": [{\"name\": \"tiny\", \"version\": 1}]}]},"
    "  {\"id\": \"in01-5e7e1e55000dddd\", \"name\": \"Serverless-01\", \"project\": "
    "\"proj-20e13e974c7d659a83xxxx\", \"plan\": \"Serverless\", \"region\": \"gcp-us-west1\","
    "   \"cuType\": \"Performance-optimized\", \"cuSize\": 1},"
    "  {\"id\": \"in01-0123456789aeeee\", \"name\": \"Other-01\", \"project\": "
    "\"proj-0ther0000000000000000\", \"plan\": \"Standard\", \"region\": \"aws-us-west-2\","
    "   \"cuType\": \"Performance-optimized\", \"cuSize\": 1},"
    "  {\"id\": \"11111111-1111-4111-8111-111111111111\", \"name\": \"std-prod\", \"org\": "
    "\"org-crdb-acme\", \"plan\": \"STANDARD\", \"provider\": \"gcp\", \"region\": "
    "\"us-central1\", \"createTime\": \"2024-01-10T09:00:00Z\", \"databases\": ["
    "    {\"name\": \"defaultdb\"}, {\"name\": \"postgres\"}]},"
    "  {\"id\": \"22222222-2222-4222-8222-222222222222\", \"name\": \"adv-prod\", \"org\": "
    "\"org-crdb-acme\", \"plan\": \"ADVANCED\", \"provider\": \"gcp\", \"region\": "
    "\"us-central1\", \"createTime\": \"2024-01-10T09:00:00Z\", \"databases\": ["
    "    {\"name\": \"defaultdb\"}, {\"name\": \"postgres\"},"
    "    {\"name\": \"tpcc\", \"tables\": [{\"name\": \"warehouse\", \"schema\": \"public\","
    " \"version\": 3}, {\"name\": \"customer\", \"schema\": \"public\", \"version\": 5}]},"
    "    {\"name\": \"movr\", \"tables\": [{\"name\": \"rides\", \"schema\": \"public\", "
    "\"version\": 2}]}, {\"name\": \"tpcc2\"}]},"
    "  {\"id\": \"33333333-3333-4333-8333-333333333333\", \"name\": \"adv-dr\", \"org\": "
    "\"org-crdb-acme\", \"plan\": \"ADVANCED\", \"provider\": \"gcp\", \"region\": "
    "\"us-central1\", \"createTime\": \"2024-01-10T09:00:00Z\", \"databases\": ["
    "    {\"name\": \"defaultdb\"}, {\"name\": \"postgres\"}]},"
    "  {\"id\": \"44444444-4444-4444-8444-444444444444\", \"name\": \"adv-analytics\", \"org\": "
    "\"org-crdb-acme\", \"plan\": \"ADVANCED\", \"provider\": \"gcp\", \"region\": "
    "\"us-central1\", \"createTime\": \"2024-01-10T09:00:00Z\", \"databases\": ["
    "    {\"name\": \"defaultdb\"}, {\"name\": \"postgres\"}, {\"name\": \"app\", \"tables\": "
    "[{\"name\": \"users\", \"schema\": \"public\", \"version\": 7}]}]},"
    "  {\"id\": \"55555555-5555-4555-8555-555555555555\", \"name\": \"basic-dev\", \"org\": "
    "\"org-crdb-acme\", \"plan\": \"BASIC\", \"provider\": \"gcp\", \"region\": "
    "\"us-central1\", \"createTime\": \"2024-01-10T09:00:00Z\", \"databases\": ["
    "    {\"name\": \"defaultdb\", \"tables\": [{\"name\": \"notes\", \"schema\": \"public\", "
    "\"version\": 1}]}, {\"name\": \"postgres\"}]},"
    "  {\"id\": \"88888888-8888-4888-8888-888888888888\", \"name\": \"adv-lost\", \"org\": "
    "\"org-crdb-acme\", \"plan\": \"ADVANCED\", \"provider\": \"gcp\", \"region\": "
    "\"us-central1\", \"createTime\": \"2024-01-10T09:00:00Z\", \"databases\": ["
    "    {\"name\": \"defaultdb\"}, {\"name\": \"postgres\"}]},"
    "  {\"id\": \"77777777-7777-4777-8777-777777777777\", \"name\": \"std-stale\", \"org\": "
    "\"org-crdb-acme\", \"plan\": \"STANDARD\", \"provider\": \"gcp\", \"region\": "
    "\"us-central1\", \"createTime\": \"2024-01-10T09:00:00Z\", \"databases\": ["
    "    {\"name\": \"defaultdb\"}, {\"name\": \"postgres\"}]},"
    "  {\"id\": \"66666666-6666-4666-8666-666666666666\", \"name\": \"other-prod\", \"org\": "
    "\"org-crdb-other\", \"plan\": \"ADVANCED\", \"provider\": \"gcp\", \"region\": "
    "\"us-central1\", \"createTime\": \"2024-01-10T09:00:00Z\", \"databases\": ["
    "    {\"name\": \"shop\", \"tables\": [{\"name\": \"orders\", \"schema\": \"public\", "
    "\"version\": 9}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30001\", \"name\": \"M2AWS\", \"project\": "
    "\"b0123456789abcdef012345b\", \"plan\": \"M2\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 7, \"databases\": [{\"name\": \"shop\", \"collections\": ["
    "{\"name\": \"orders\", \"version\": 3}, {\"name\": \"customers\", \"version\": 5}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30002\", \"name\": \"Reports\", \"project\": "
    "\"b0123456789abcdef012345b\", \"plan\": \"M10\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 7, \"databases\": [{\"name\": \"legacy\", \"collections\": "
    "[{\"name\": \"events\", \"version\": 9}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30004\", \"name\": \"Sandbox\", \"project\": "
    "\"b0123456789abcdef012345b\", \"plan\": \"M0\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 7, \"databases\": [{\"name\": \"play\", \"collections\": "
    "[{\"name\": \"toys\", \"version\": 1}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30005\", \"name\": \"Small\", \"project\": "
    "\"b0123456789abcdef012345b\", \"plan\": \"M5\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 7, \"databases\": [{\"name\": \"tmp\", \"collections\": "
    "[{\"name\": \"scratch\", \"version\": 1}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30011\", \"name\": \"Paused\", \"project\": "
    "\"b0123456789abcdef012345b\", \"plan\": \"M10\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 7, \"paused\": true, \"databases\": [{\"name\": \"p\", "
    "\"collections\": [{\"name\": \"a\", \"version\": 1}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30012\", \"name\": \"Old\", \"project\": "
    "\"b0123456789abcdef012345b\", \"plan\": \"M10\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 6, \"databases\": [{\"name\": \"o\", \"collections\": "
    "[{\"name\": \"a\", \"version\": 1}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30013\", \"name\": \"Vault\", \"project\": "
    "\"b0123456789abcdef012345b\", \"plan\": \"M10\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 7, \"encrypted\": true, \"databases\": [{\"name\": \"v\", "
    "\"collections\": [{\"name\": \"a\", \"version\": 1}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30014\", \"name\": \"Sharded\", \"project\": "
    "\"b0123456789abcdef012345b\", \"plan\": \"M30\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 7, \"sharded\": true, \"databases\": [{\"name\": \"s\", "
    "\"collections\": [{\"name\": \"a\", \"version\": 1}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30031\", \"name\": \"Staging\", \"project\": "
    "\"c0123456789abcdef012345c\", \"plan\": \"M2\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 7, \"databases\": [{\"name\": \"qa\", \"collections\": "
    "[{\"name\": \"runs\", \"version\": 4}]}]},"
    "  {\"id\": \"5cee4c83e7a2e10d2ad30021\", \"name\": \"Theirs\", \"project\": "
    "\"e0123456789abcdef012345e\", \"plan\": \"M10\", \"provider\": \"aws\", \"region\": "
    "\"US_EAST_1\", \"mongoMajor\": 7, \"databases\": [{\"name\": \"their\", \"collections\": "
    "[{\"name\": \"data\", \"version\": 7}]}]}],"
    " \"backups\": ["
    "  {\"id\": \"backup1_0b9d15a0ddeaaaa\", \"name\": \"Dedicated-01_backup1\", \"cluster\": "
    "\"in01-3e5ad8adc38aaaa\", \"type\": \"CLUSTER\", \"method\": \"MANUAL\", \"status\": "
    "\"AVAILABLE\", \"createTime\": \"2024-08-25T02:27:51Z\"},"
    "  {\"id\": \"backup2_4adb19e3f9ebbbb\", \"name\": \"medium_articles_backup2\", \"cluster\": "
    "\"in01-3e5ad8adc38aaaa\", \"type\": \"COLLECTION\", \"method\": \"MANUAL\", \"status\": "
    "\"AVAILABLE\", \"createTime\": \"2024-08-25T03:00:00Z\", \"collections\": "
    "[\"medium_articles\"]},"
    "  {\"id\": \"backup3_c7b18539b97cccc\", \"name\": \"Dedicated-01_backup3\", \"cluster\": "
    "\"in01-3e5ad8adc38aaaa\", \"type\": \"CLUSTER\", \"method\": \"MANUAL\", \"status\": "
    "\"CREATING\", \"createTime\": \"2024-08-25T23:50:00Z\"},"
    "  {\"id\": \"b0000002-5d00-4000-8000-000000000002\", \"cluster\": "
    "\"11111111-1111-4111-8111-111111111111\", \"createTime\": \"2024-08-17T15:00:00Z\", "
    "\"method\": \"AUTO\"},"
    "  {\"id\": \"b0000001-5d00-4000-8000-000000000001\", \"cluster\": "
    "\"11111111-1111-4111-8111-111111111111\", \"createTime\": \"2024-08-25T15:00:00Z\", "
    "\"method\": \"AUTO\"},"
    "  {\"id\": \"b0000003-ad00-4000-8000-000000000003\", \"cluster\": "
    "\"22222222-2222-4222-8222-222222222222\", \"createTime\": \"2024-08-25T14:00:00Z\", "
    "\"method\": \"AUTO\"},"
    "  {\"id\": \"b0000004-ad00-4000-8000-000000000004\", \"cluster\": "
    "\"22222222-2222-4222-8222-222222222222\", \"createTime\": \"2024-08-25T15:00:00Z\", "
    "\"method\": \"AUTO\"},"
    "  {\"id\": \"b0000005-ba00-4000-8000-000000000005\", \"cluster\": "
    "\"55555555-5555-4555-8555-555555555555\", \"createTime\": \"2024-08-25T00:00:00Z\", "
    "\"method\": \"AUTO\"},"
    "  {\"id\": \"b0000006-0700-4000-8000-000000000006\", \"cluster\": "
    "\"66666666-6666-4666-8666-666666666666\", \"createTime\": \"2024-08-25T15:00:00Z\", "
    "\"method\": \"AUTO\"},"
    "  {\"id\": \"b0000008-0700-4000-8000-000000000008\", \"cluster\": "
    "\"77777777-7777-4777-8777-777777777777\", \"createTime\": \"2024-08-10T15:00:00Z\", "
    "\"method\": \"AUTO\"},"
    "  {\"id\": \"b0000007-1057-4000-8000-000000000007\", \"cluster\": "
    "\"88888888-8888-4888-8888-888888888888\", \"createTime\": \"2024-08-25T15:00:00Z\", "
    "\"method\": \"AUTO\"}],"
    " \"snapshots\": ["
    "  {\"id\": \"5ced491ce7a2e10517c81fa7\", \"cluster\": \"5cee4c83e7a2e10d2ad30001\", "
    "\"scheduledTime\": \"2024-08-25T12:00:00Z\", \"startTime\": \"2024-08-25T12:00:30Z\", "
    "\"finishTime\": \"2024-08-25T12:02:00Z\", \"expiration\": \"2024-09-02T12:00:00Z\", "
    "\"mongoDBVersion\": \"7.0.12\", \"databases\": [{\"name\": \"shop\", \"collections\": ["
    "{\"name\": \"orders\", \"version\": 2}, {\"name\": \"customers\", \"version\": 5}]}]},"
    "  {\"id\": \"5ced491ce7a2e10517c81fa8\", \"cluster\": \"5cee4c83e7a2e10d2ad30001\", "
    "\"scheduledTime\": \"2024-08-24T12:00:00Z\", \"finishTime\": \"2024-08-24T12:02:00Z\", "
    "\"mongoDBVersion\": \"7.0.12\"},"
    "  {\"id\": \"5ced491ce7a2e10517c81fb1\", \"cluster\": \"5cee4c83e7a2e10d2ad30001\", "
    "\"status\": \"RUNNING\", \"scheduledTime\": \"2024-08-25T23:59:00Z\", \"startTime\": "
    "\"2024-08-25T23:59:30Z\"},"
    "  {\"id\": \"5ced491ce7a2e10517c81fb2\", \"cluster\": \"5cee4c83e7a2e10d2ad30001\", "
    "\"status\": \"FAILED\", \"scheduledTime\": \"2024-08-24T12:00:00Z\", \"startTime\": "
    "\"2024-08-24T12:00:30Z\", \"finishTime\": \"2024-08-24T12:01:00Z\"},"
    "  {\"id\": \"5ced491ce7a2e10517c81fc1\", \"cluster\": \"5cee4c83e7a2e10d2ad30031\", "
    "\"scheduledTime\": \"2024-08-25T12:00:00Z\", \"finishTime\": \"2024-08-25T12:02:00Z\", "
    "\"mongoDBVersion\": \"7.0.12\"}]}";

json_t *br_gen_default_world(void)
{
    return json_loads(default_world, 0, NULL);
}
