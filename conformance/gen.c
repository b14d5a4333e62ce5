/* Request-sequence generation over the three vendors (gen.h): the choice sources, what the
 * generator knows of the world, picking among it, time and simulator steps, and the choice of
 * a vendor per step. Each vendor's palette of operations (mostly valid on live ids, some
 * invalid: unknown ids, wrong types, missing fields, narrow or foreign keys, out-of-range
 * paging) is in gen_zilliz.c, gen_crdb.c and gen_atlas.c; the default world in gen_world.c. */
#include "gen_internal.h"

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

/* Frees one of g's strings (those in the packed block go with it). */
static void release(const br_gen *g, char *s)
{
    if (s && (uintptr_t)s - (uintptr_t)g->packed >= g->packed_len) free(s);
}

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

obj *br__gen_add(br_gen *g, int vendor, int kind, const char *id)
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

void br__gen_set_str(const br_gen *g, char **dst, const char *s)
{
    if (!s) return;
    release(g, *dst);
    *dst = dup_or_null(s);
}

const obj *br__gen_find(const br_gen *g, int vendor, int kind, const char *id)
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
            obj *pr = br__gen_add(g, v, K_PROJECT, json_string_value(json_object_get(p, "id")));
            if (pr) {
                br__gen_set_str(g, &pr->owner, oid);
                br__gen_set_str(g, &pr->name, json_string_value(json_object_get(p, "name")));
                pr->flag = mo && oid && strcmp(mo, oid) == 0;
            }
        }
    }
    json_array_foreach(json_object_get(g->given, "keys"), i, o)
    {
        const char *org = json_string_value(json_object_get(o, "org"));
        int v = org_vendor(g->given, org);
        obj *key = br__gen_add(g, v, K_KEY, json_string_value(json_object_get(o, "key")));
        if (!key) continue;
        br__gen_set_str(g, &key->owner, org);
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
                br__gen_set_str(g, &key->name, json_string_value(json_object_get(p, "scope")));
        }
    }
    json_array_foreach(json_object_get(g->given, "clusters"), i, o)
    {
        const char *project = json_string_value(json_object_get(o, "project"));
        const char *org = json_string_value(json_object_get(o, "org"));
        if (!org) org = project_org(g->given, project);
        int v = org_vendor(g->given, org);
        obj *c = br__gen_add(g, v, K_CLUSTER, json_string_value(json_object_get(o, "id")));
        if (!c) continue;
        br__gen_set_str(g, &c->owner, project ? project : org);
        br__gen_set_str(g, &c->name, json_string_value(json_object_get(o, "name")));
        br__gen_set_str(g, &c->extra, json_string_value(json_object_get(o, "plan")));
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
                c = br__gen_find(g, v, K_CLUSTER, cid);
            if (!c) continue;
            obj *b = br__gen_add(g, c->vendor, c->vendor == BR_VENDOR_ATLAS ? K_SNAPSHOT : K_BACKUP,
                                 json_string_value(json_object_get(o, "id")));
            if (!b) continue;
            br__gen_set_str(g, &b->owner, cid);
            const char *type = json_string_value(json_object_get(o, "type"));
            br__gen_set_str(g, &b->extra, type ? type : "CLUSTER");
            br__gen_set_str(
                g, &b->name,
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
    g->reads = src->reads;
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

/* A random object of a kind (and filter), or NULL when there is none. */
const obj *br__gen_pick_obj(br_gen *g, br_choice *c, int vendor, int kind, obj_filter f,
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

bool br__gen_same_owner(const obj *o, const void *arg)
{
    return o->owner && strcmp(o->owner, arg) == 0;
}

bool br__gen_main_cluster(const obj *o, const void *arg)
{
    return o->flag == 1;
}

/* The key a request uses: mostly one with full rights; sometimes narrow, foreign, unknown or
 * none (NULL). */
const char *br__gen_pick_key(br_gen *g, br_choice *c, int vendor)
{
    uint32_t r = pick(c, 100);
    int cls = r < 80 ? KEY_FULL : r < 90 ? KEY_NARROW : r < 95 ? KEY_FOREIGN : -1;
    if (cls >= 0) {
        const obj *k = br__gen_pick_obj(g, c, vendor, K_KEY, key_class, &cls);
        if (!k) {
            cls = KEY_FULL;
            k = br__gen_pick_obj(g, c, vendor, K_KEY, key_class, &cls);
        }
        if (k) return k->id;
    }
    return chance(c, 50) ? "no-such-key" : NULL;
}

const char *br__gen_pick_cluster_id(br_gen *g, br_choice *c, int vendor, const char *unknown)
{
    if (chance(c, 5)) return unknown;
    const obj *o = br__gen_pick_obj(g, c, vendor, K_CLUSTER,
                                    chance(c, 90) ? br__gen_main_cluster : NULL, NULL);
    return o ? o->id : unknown;
}

json_t *br__gen_request(const char *method, const char *path, const char *key)
{
    json_t *r = json_pack("{s:s,s:s}", "method", method, "path", path);
    if (r && key) json_object_set_new(r, "key", json_string(key));
    return r;
}

json_t *br__gen_step(const char *name, json_t *req)
{
    if (!req) return NULL;
    return json_pack("{s:s,s:o}", "name", name, "request", req);
}

/* A name from a collection of the cluster's content (or a made-up one). */
const char *br__gen_pick_collection(br_choice *c, const json_t *dbs, const char **db, bool tables)
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

/* ---- time and simulator ---- */

static json_t *sim_step(br_gen *g, br_choice *c)
{
    int vendor = (int)pick(c, BR_VENDOR_COUNT);
    const obj *cl = br__gen_pick_obj(g, c, vendor, K_CLUSTER, br__gen_main_cluster, NULL);
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
    const char *coll = br__gen_pick_collection(c, cl->dbs, &db, vendor == BR_VENDOR_CRDB);
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
        return malformed(c, br__gen_zilliz_step(g, c));
    case 1:
        return malformed(c, br__gen_crdb_step(g, c));
    default:
        return malformed(c, br__gen_atlas_step(g, c));
    }
}

/* ---- learning from answers ---- */

/* "/v2/clusters/X/backups/Y/..." -> segment n (0-based, after the leading '/'). */
bool br__gen_segment(const char *path, int n, char *out, size_t len)
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

bool br__gen_ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), m = strlen(suffix);
    return n >= m && strcmp(s + n - m, suffix) == 0;
}

void br_gen_observe(br_gen *g, const json_t *step, int status, const json_t *body)
{
    const json_t *req = json_object_get(step, "request");
    const char *method = json_string_value(json_object_get(req, "method"));
    const char *path = json_string_value(json_object_get(req, "path"));
    if (!g || !method || !path || status != 200 || !json_is_object(body)) return;
    if (strncmp(path, "/v2/", 4) == 0) {
        if (json_integer_value(json_object_get(body, "code")) == 0)
            br__gen_learn_zilliz(g, method, path, json_object_get(req, "body"), body);
    } else if (strncmp(path, "/api/v1/", 8) == 0) {
        br__gen_learn_crdb(g, method, path, body);
    } else if (strncmp(path, "/api/atlas/", 11) == 0) {
        if (!json_object_get(body, "errorCode")) br__gen_learn_atlas(g, path, body);
    }
}
