/* Loading a world from its JSON description: the fixture "given" format, also the mock
 * server's --world file (fixtures/README.md documents every field). */
#include "world.h"

#include <stdio.h>
#include <string.h>

#define FAIL(...)                                                                                  \
    do {                                                                                           \
        if (err) snprintf(err, errlen, __VA_ARGS__);                                               \
        return BR_EWORLD;                                                                          \
    } while (0)
#define NOMEM()                                                                                    \
    do {                                                                                           \
        if (err) snprintf(err, errlen, "out of memory");                                           \
        return BR_ENOMEM;                                                                          \
    } while (0)

static const char *str(const json_t *o, const char *key, const char *dflt)
{
    const json_t *v = json_object_get(o, key);
    return json_is_string(v) ? json_string_value(v) : dflt;
}

static int copy_field(char *dst, size_t size, const char *src)
{
    if (strlen(src) >= size) return BR_EWORLD;
    memcpy(dst, src, strlen(src) + 1);
    return BR_OK;
}

#define COPY(dst, src, what)                                                                       \
    do {                                                                                           \
        if (copy_field(dst, sizeof(dst), src) != BR_OK)                                            \
            FAIL("%s \"%.40s\" is too long", what, src);                                           \
    } while (0)

int br__world_entry(const json_t *o, const char *what, const char *const *known, char *err,
                    size_t errlen)
{
    char list[320] = "";
    for (size_t i = 0; known[i]; i++)
        snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", known[i]);
    if (!json_is_object(o)) FAIL("%s is an object {%s}", what, list);
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        size_t i = 0;
        while (known[i] && strcmp(known[i], k) != 0)
            i++;
        if (!known[i]) FAIL("%s: unknown field \"%s\" (the fields: %s)", what, k, list);
    }
    return BR_OK;
}

int br__world_list(const json_t *o, const char *key, const char *what, char *err, size_t errlen)
{
    const json_t *v = json_object_get(o, key);
    if (v && !json_is_array(v)) FAIL("%s: \"%s\" is an array", what, key);
    return BR_OK;
}

/* "clusters[2] (in01-a)": the entry's place, and its id when it has one (idkey NULL: an
 * entry whose id is a secret, as an API key, is named by its place alone). */
static void entry_name(char *buf, size_t size, const char *where, const char *list, size_t i,
                       const json_t *o, const char *idkey)
{
    const char *id = idkey ? str(o, idkey, NULL) : NULL;
    snprintf(buf, size, "%s%s%s[%zu]%s%.64s%s", where, where[0] ? " " : "", list, i, id ? " (" : "",
             id ? id : "", id ? ")" : "");
}

static int load_time(const json_t *o, const char *key, br_time *out, char *err, size_t errlen)
{
    const json_t *v = json_object_get(o, key);
    if (!v) return BR_OK;
    if (!json_is_string(v) || br__time_parse(json_string_value(v), out) != BR_OK)
        FAIL("%s must be an RFC 3339 time", key);
    return BR_OK;
}

static int load_durations(br_world *w, const json_t *d, char *err, size_t errlen)
{
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"backupQueue", offsetof(br_durations, backup_queue)},
        {"backup", offsetof(br_durations, backup_run)},
        {"restoreQueue", offsetof(br_durations, restore_queue)},
        {"restore", offsetof(br_durations, restore_run)},
        {"exportQueue", offsetof(br_durations, export_queue)},
        {"export", offsetof(br_durations, export_run)},
        {"download", offsetof(br_durations, download_run)},
    };
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)d, k, v)
    {
        size_t i;
        for (i = 0; i < sizeof keys / sizeof *keys; i++)
            if (strcmp(keys[i].key, k) == 0) break;
        if (i == sizeof keys / sizeof *keys) FAIL("unknown duration \"%s\"", k);
        br_time t;
        if (json_is_integer(v) && json_integer_value(v) >= 0)
            t = json_integer_value(v);
        else if (!json_is_string(v) || br__duration_parse(json_string_value(v), &t) != BR_OK)
            FAIL("duration %s must be seconds or \"15m\"-style", k);
        *(br_time *)((char *)&w->dur + keys[i].off) = t;
    }
    return BR_OK;
}

/* The "databases" of a cluster or backup ('where' names it). */
static int load_content(br_content *c, const json_t *owner, const char *where, char *err,
                        size_t errlen)
{
    static const char *const db_fields[] = {"name", "collections", "tables", NULL};
    static const char *const coll_fields[] = {"name", "schema", "version", "loaded", NULL};
    if (br__world_list(owner, "databases", where, err, errlen)) return BR_EWORLD;
    size_t i;
    json_t *db;
    json_array_foreach(json_object_get(owner, "databases"), i, db)
    {
        char what[256];
        entry_name(what, sizeof what, where, "databases", i, db, "name");
        if (br__world_entry(db, what, db_fields, err, errlen)) return BR_EWORLD;
        const char *name = str(db, "name", NULL);
        if (!name || strlen(name) >= BR_NAME_MAX)
            FAIL("%s: a database needs a \"name\" (at most %d characters)", what, BR_NAME_MAX - 1);
        if (json_object_get(db, "collections") && json_object_get(db, "tables"))
            FAIL("%s: \"collections\" or \"tables\" (the same list), not both", what);
        const char *list = json_object_get(db, "tables") ? "tables" : "collections";
        if (br__world_list(db, list, what, err, errlen)) return BR_EWORLD;
        if (br__content_add_db(c, name)) NOMEM();
        const json_t *colls = json_object_get(db, list);
        size_t k;
        json_t *coll;
        json_array_foreach(colls, k, coll)
        {
            char cwhat[320];
            snprintf(cwhat, sizeof cwhat, "%s %s[%zu]", what, list, k);
            if (br__world_entry(coll, cwhat, coll_fields, err, errlen)) return BR_EWORLD;
            const char *cname = str(coll, "name", NULL);
            const char *schema = str(coll, "schema", "");
            if (!cname || strlen(cname) >= BR_NAME_MAX || strlen(schema) >= BR_NAME_MAX)
                FAIL("a collection or table in %s needs a short \"name\"", name);
            json_t *ver = json_object_get(coll, "version");
            json_t *loaded = json_object_get(coll, "loaded");
            if (br__content_add(c, name, schema, cname, ver ? json_integer_value(ver) : 1,
                                loaded ? json_is_true(loaded) : true) < 0)
                NOMEM();
        }
    }
    return BR_OK;
}

static int load_grants(br_key *k, const json_t *roles, const char *where, char *err, size_t errlen)
{
    static const char *const fields[] = {"role", "scope", NULL};
    size_t n = json_array_size(roles);
    if (n == 0) return BR_OK;
    k->grants = br__calloc(n, sizeof *k->grants);
    if (!k->grants) NOMEM();
    size_t i;
    json_t *r;
    json_array_foreach(roles, i, r)
    {
        br_grant *g = &k->grants[k->n_grants++];
        char what[320];
        snprintf(what, sizeof what, "%s roles[%zu]", where, i);
        if (json_is_object(r) && br__world_entry(r, what, fields, err, errlen)) return BR_EWORLD;
        const char *role = json_is_string(r) ? json_string_value(r) : str(r, "role", NULL);
        if (!role) FAIL("a role is a name or {\"role\": ..., \"scope\": ...}");
        const json_t *scope = json_object_get(r, "scope");
        if (scope && !json_is_string(scope) && !json_is_null(scope))
            FAIL("a role scope is a string: an organization, project or cluster id");
        COPY(g->role, role, "role");
        COPY(g->scope, json_is_object(r) ? str(r, "scope", "") : "", "role scope");
    }
    return BR_OK;
}

static int load_orgs(br_world *w, const json_t *orgs, char *err, size_t errlen)
{
    static const char *const fields[] = {"id", "name", "vendor", "accessList", "projects", NULL};
    static const char *const project_fields[] = {"id", "name", NULL};
    size_t i;
    json_t *o;
    json_array_foreach(orgs, i, o)
    {
        char what[256];
        entry_name(what, sizeof what, "", "orgs", i, o, "id");
        if (br__world_entry(o, what, fields, err, errlen) ||
            br__world_list(o, "accessList", what, err, errlen) ||
            br__world_list(o, "projects", what, err, errlen))
            return BR_EWORLD;
        if (br__grow((void **)&w->orgs, &w->cap_orgs, w->n_orgs + 1, sizeof *w->orgs)) NOMEM();
        br_org *org = &w->orgs[w->n_orgs++];
        memset(org, 0, sizeof *org);
        const char *id = str(o, "id", NULL);
        if (!id) FAIL("an organization needs an \"id\"");
        COPY(org->id, id, "organization id");
        COPY(org->name, str(o, "name", id), "organization name");
        org->vendor = br_vendor_from_name(str(o, "vendor", "zilliz"));
        if (org->vendor == BR_VENDOR_COUNT)
            FAIL("organization %s: vendor is zilliz, crdb or atlas (crdb also as cockroachdb or "
                 "cockroach)",
                 id);
        const json_t *acl = json_object_get(o, "accessList");
        size_t k;
        json_t *a;
        json_array_foreach(acl, k, a)
        {
            if (!json_is_string(a) || strlen(json_string_value(a)) >= 48)
                FAIL("organization %s: accessList holds addresses", id);
            if (br__grow((void **)&org->access, &org->cap_access, org->n_access + 1,
                         sizeof *org->access))
                NOMEM();
            snprintf(org->access[org->n_access++], 48, "%s", json_string_value(a));
        }
        const json_t *projects = json_object_get(o, "projects");
        json_t *p;
        json_array_foreach(projects, k, p)
        {
            char pwhat[320];
            entry_name(pwhat, sizeof pwhat, what, "projects", k, p, "id");
            if (br__world_entry(p, pwhat, project_fields, err, errlen)) return BR_EWORLD;
            if (br__grow((void **)&w->projects, &w->cap_projects, w->n_projects + 1,
                         sizeof *w->projects))
                NOMEM();
            br_project *pr = &w->projects[w->n_projects++];
            memset(pr, 0, sizeof *pr);
            const char *pid = str(p, "id", NULL);
            if (!pid) FAIL("a project needs an \"id\"");
            if (br__world_find_project(w, pid) >= 0) FAIL("project id %s used twice", pid);
            COPY(pr->id, pid, "project id");
            COPY(pr->name, str(p, "name", pid), "project name");
            pr->org = (int)(w->n_orgs - 1);
        }
    }
    return BR_OK;
}

/* Clusters name a "project", or for vendors without projects (CockroachDB) an "org":
 * the organization's implicit project then has the organization's id. */
static long cluster_project(br_world *w, const json_t *c)
{
    const char *pid = str(c, "project", NULL);
    if (pid) return br__world_find_project(w, pid);
    const char *oid = str(c, "org", NULL);
    for (size_t i = 0; oid && i < w->n_orgs; i++) {
        if (strcmp(w->orgs[i].id, oid) != 0) continue;
        long p = br__world_find_project(w, oid);
        if (p >= 0) return p;
        if (br__grow((void **)&w->projects, &w->cap_projects, w->n_projects + 1,
                     sizeof *w->projects))
            return -2;
        br_project *pr = &w->projects[w->n_projects];
        memset(pr, 0, sizeof *pr);
        snprintf(pr->id, sizeof pr->id, "%s", oid);
        snprintf(pr->name, sizeof pr->name, "%s", oid);
        pr->org = (int)i;
        return (long)w->n_projects++;
    }
    return -1;
}

static int load_clusters(br_world *w, const json_t *clusters, char *err, size_t errlen)
{
    static const char *const fields[] = {
        "id",      "name",   "project",    "org",       "plan",       "provider",
        "region",  "cuType", "cuSize",     "status",    "mongoMajor", "encrypted",
        "sharded", "paused", "createTime", "databases", NULL};
    size_t i;
    json_t *o;
    json_array_foreach(clusters, i, o)
    {
        char what[256];
        entry_name(what, sizeof what, "", "clusters", i, o, "id");
        if (br__world_entry(o, what, fields, err, errlen)) return BR_EWORLD;
        const char *id = str(o, "id", NULL);
        if (!id) FAIL("a cluster needs an \"id\"");
        if (br__world_find_cluster(w, id) >= 0) FAIL("cluster id %s used twice", id);
        long p = cluster_project(w, o);
        if (p == -2) NOMEM();
        if (p < 0) FAIL("cluster %s: unknown \"project\" or \"org\"", id);
        long ci = br__world_add_cluster(w);
        if (ci < 0) NOMEM();
        br_cluster *c = &w->clusters[ci];
        c->project = (int)p;
        c->vendor = w->orgs[w->projects[p].org].vendor;
        COPY(c->id, id, "cluster id");
        COPY(c->name, str(o, "name", id), "cluster name");
        COPY(c->plan, str(o, "plan", ""), "plan");
        COPY(c->region, str(o, "region", ""), "region");
        const char *provider = str(o, "provider", NULL);
        if (!provider) { /* Zilliz regions start with the provider: "aws-us-west-2" */
            char buf[16] = "";
            const char *dash = strchr(c->region, '-');
            if (dash && (size_t)(dash - c->region) < sizeof buf)
                memcpy(buf, c->region, (size_t)(dash - c->region));
            COPY(c->provider, buf, "provider");
        } else {
            COPY(c->provider, provider, "provider");
        }
        COPY(c->cu_type, str(o, "cuType", ""), "cuType");
        COPY(c->status, str(o, "status", "RUNNING"), "status");
        json_t *v;
        if ((v = json_object_get(o, "cuSize"))) c->cu_size = (int)json_integer_value(v);
        if ((v = json_object_get(o, "mongoMajor"))) c->mongo_major = (int)json_integer_value(v);
        c->encrypted = json_is_true(json_object_get(o, "encrypted"));
        c->sharded = json_is_true(json_object_get(o, "sharded"));
        c->paused = json_is_true(json_object_get(o, "paused"));
        c->created = w->now;
        if (load_time(o, "createTime", &c->created, err, errlen)) return BR_EWORLD;
        int rc = load_content(&c->content, o, what, err, errlen);
        if (rc) return rc;
    }
    return BR_OK;
}

static int load_backups(br_world *w, const json_t *backups, char *err, size_t errlen)
{
    static const char *const fields[] = {"id",          "name",   "cluster",        "type",
                                         "method",      "status", "createTime",     "expireTime",
                                         "finishTime",  "size",   "mongoDBVersion", "databases",
                                         "collections", NULL};
    size_t i;
    json_t *o;
    json_array_foreach(backups, i, o)
    {
        char what[256];
        entry_name(what, sizeof what, "", "backups", i, o, "id");
        if (br__world_entry(o, what, fields, err, errlen) ||
            br__world_list(o, "collections", what, err, errlen))
            return BR_EWORLD;
        const char *id = str(o, "id", NULL);
        if (!id) FAIL("a backup needs an \"id\"");
        if (br__world_find_backup(w, id) >= 0) FAIL("backup id %s used twice", id);
        long ci = br__world_find_cluster(w, str(o, "cluster", NULL));
        if (ci < 0) FAIL("backup %s: unknown \"cluster\"", id);
        long bi = br__world_add_backup(w);
        if (bi < 0) NOMEM();
        br_backup *b = &w->backups[bi];
        const br_cluster *c = &w->clusters[ci];
        b->cluster = (int)ci;
        b->project = c->project;
        b->vendor = c->vendor;
        COPY(b->id, id, "backup id");
        COPY(b->name, str(o, "name", id), "backup name");
        COPY(b->type, str(o, "type", "CLUSTER"), "backup type");
        b->manual = strcmp(str(o, "method", "MANUAL"), "AUTO") != 0;
        COPY(b->status, str(o, "status", c->vendor == BR_VENDOR_ATLAS ? "COMPLETED" : "AVAILABLE"),
             "backup status");
        COPY(b->mongo_version, str(o, "mongoDBVersion", ""), "mongoDBVersion");
        b->created = w->now;
        if (load_time(o, "createTime", &b->created, err, errlen) ||
            load_time(o, "expireTime", &b->expires, err, errlen))
            return BR_EWORLD;
        b->started = b->created;
        if (strcmp(b->status, "AVAILABLE") == 0 || strcmp(b->status, "COMPLETED") == 0)
            b->finished = b->created;
        if (load_time(o, "finishTime", &b->finished, err, errlen)) return BR_EWORLD;
        json_t *size = json_object_get(o, "size");
        b->size = size ? json_integer_value(size) : 0;
        const json_t *dbs = json_object_get(o, "databases");
        const json_t *colls = json_object_get(o, "collections");
        br_content own = {0}; /* this backup's own content (given, or a subset) */
        if (dbs) {
            int rc = load_content(&own, o, what, err, errlen);
            if (rc) {
                br__content_free(&own);
                return rc;
            }
        } else if (colls && br__content_copy(&own, &c->content)) {
            NOMEM();
        }
        if (colls) { /* a COLLECTION backup of named collections: keep only those */
            size_t k = 0;
            for (size_t n = 0; n < own.n_items; n++) {
                size_t m;
                json_t *name;
                bool keep = false;
                json_array_foreach(colls, m, name) keep =
                    keep || (json_is_string(name) &&
                             strcmp(json_string_value(name), own.items[n].name) == 0);
                if (keep) own.items[k++] = own.items[n];
            }
            own.n_items = k;
        }
        /* Backups of the cluster as it is share one snapshot. */
        b->content = dbs || colls ? br__content_adopt(&own) : br__cluster_capture(w, ci);
        br__content_free(&own);
        if (!b->content) NOMEM();
        b->content_hash = br__content_hash(b->content);
    }
    return BR_OK;
}

static int load_keys(br_world *w, const json_t *keys, char *err, size_t errlen)
{
    static const char *const fields[] = {"key", "secret", "org", "roles", NULL};
    size_t i;
    json_t *o;
    json_array_foreach(keys, i, o)
    {
        char what[256];
        entry_name(what, sizeof what, "", "keys", i, o, NULL);
        if (br__world_entry(o, what, fields, err, errlen) ||
            br__world_list(o, "roles", what, err, errlen))
            return BR_EWORLD;
        if (br__grow((void **)&w->keys, &w->cap_keys, w->n_keys + 1, sizeof *w->keys)) NOMEM();
        br_key *k = &w->keys[w->n_keys++];
        memset(k, 0, sizeof *k);
        const char *key = str(o, "key", NULL);
        if (!key) FAIL("an API key needs a \"key\"");
        COPY(k->key, key, "key");
        COPY(k->secret, str(o, "secret", ""), "secret");
        const char *org = str(o, "org", NULL);
        k->org = -1;
        for (size_t n = 0; org && n < w->n_orgs; n++)
            if (strcmp(w->orgs[n].id, org) == 0) k->org = (int)n;
        if (k->org < 0) FAIL("key %s: unknown \"org\"", key);
        int rc = load_grants(k, json_object_get(o, "roles"), what, err, errlen);
        if (rc) return rc;
    }
    return BR_OK;
}

/* Vendor-specific sections ("policies" and the like) are read by the dialects. */
int br__zilliz_load(br_world *w, const json_t *given, char *err, size_t errlen);
int br__crdb_load(br_world *w, const json_t *given, char *err, size_t errlen);
int br__atlas_load(br_world *w, const json_t *given, char *err, size_t errlen);

int br__world_load(br_world *w, const json_t *given, char *err, size_t errlen)
{
    if (!json_is_object(given)) FAIL("a world is a JSON object");
    static const char *const known[] = {
        "seed",    "clock",    "durations",     "profile",   "orgs",    "keys", "clusters",
        "backups", "policies", "backupConfigs", "snapshots", "comment", NULL};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)given, k, v)
    {
        size_t i = 0;
        while (known[i] && strcmp(known[i], k) != 0)
            i++;
        if (!known[i]) FAIL("unknown world field \"%s\"", k);
    }
    static const char *const lists[] = {"orgs",     "keys",          "clusters",  "backups",
                                        "policies", "backupConfigs", "snapshots", NULL};
    for (size_t i = 0; lists[i]; i++)
        if (br__world_list(given, lists[i], "the world", err, errlen)) return BR_EWORLD;
    json_t *seed = json_object_get(given, "seed");
    if (seed) w->seed = (uint64_t)json_integer_value(seed);
    if (load_time(given, "clock", &w->now, err, errlen)) return BR_EWORLD;
    json_t *d = json_object_get(given, "durations");
    if (d && !json_is_object(d)) FAIL("\"durations\" is an object {\"backup\": \"5m\", ...}");
    if (d && load_durations(w, d, err, errlen)) return BR_EWORLD;
    const char *profile = str(given, "profile", "default");
    if (br_world_set_profile(w, profile) != BR_OK) FAIL("profile is \"default\" or \"strict\"");
    int rc;
    if ((rc = load_orgs(w, json_object_get(given, "orgs"), err, errlen)) ||
        (rc = load_keys(w, json_object_get(given, "keys"), err, errlen)) ||
        (rc = load_clusters(w, json_object_get(given, "clusters"), err, errlen)) ||
        (rc = load_backups(w, json_object_get(given, "backups"), err, errlen)) ||
        (rc = br__zilliz_load(w, given, err, errlen)) ||
        (rc = br__crdb_load(w, given, err, errlen)) || (rc = br__atlas_load(w, given, err, errlen)))
        return rc;
    return BR_OK;
}
