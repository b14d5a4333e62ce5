/* The generator's CockroachDB Cloud operations (gen.h): managed backups, restores and their
 * objects on live ids, and what it learns from CockroachDB answers. */
#include "gen_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- CockroachDB Cloud ---- */

static json_t *crdb_objects(br_choice *c, const obj *src, const char *type)
{
    const char *db;
    bool table = strcmp(type, "TABLE") == 0;
    const char *t = br__gen_pick_collection(c, src ? src->dbs : NULL, &db, table);
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

json_t *br__gen_crdb_step(br_gen *g, br_choice *c)
{
    char path[512];
    const char *key = br__gen_pick_key(g, c, BR_VENDOR_CRDB);
    const char *cid =
        br__gen_pick_cluster_id(g, c, BR_VENDOR_CRDB, "99999999-9999-4999-8999-999999999999");
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
        const obj *page = br__gen_pick_obj(g, c, BR_VENDOR_CRDB, K_PAGE, br__gen_same_owner, cid);
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
        const obj *src =
            br__gen_pick_obj(g, c, BR_VENDOR_CRDB, K_CLUSTER, br__gen_main_cluster, NULL);
        if (chance(c, 50) || !src) src = br__gen_find(g, BR_VENDOR_CRDB, K_CLUSTER, cid);
        const char *type = ONE_OF(c, "CLUSTER", "DATABASE", "TABLE", "CLUSTER", "DATABASE");
        body = json_object();
        if (chance(c, 96)) json_object_set_new(body, "type", json_string(type));
        if (chance(c, 2)) json_object_set_new(body, "type", json_string("INDEX"));
        if (chance(c, 2)) json_object_set_new(body, "type", json_integer(5));
        if (src && chance(c, 60))
            json_object_set_new(body, "source_cluster_id", json_string(src->id));
        if (chance(c, 30)) {
            const obj *b = br__gen_pick_obj(g, c, BR_VENDOR_CRDB, K_BACKUP,
                                            src ? br__gen_same_owner : NULL, src ? src->id : NULL);
            if (!b || chance(c, 20))
                b = br__gen_pick_obj(g, c, BR_VENDOR_CRDB, K_BACKUP, NULL, NULL);
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
        const obj *r = br__gen_pick_obj(g, c, BR_VENDOR_CRDB, K_RESTORE, NULL, NULL);
        if (r && chance(c, 85)) cid = r->owner;
        snprintf(path, sizeof path, "/api/v1/clusters/%s/restores/%s", cid,
                 r && chance(c, 95) ? r->id : "00000000-0000-4000-8000-000000000000");
    }
    }
    json_t *r = br__gen_request(method, path, key);
    if (r && chance(c, 10))
        json_object_set_new(
            r, "headers",
            json_pack("{s:s}", "Cc-Version",
                      ONE_OF(c, "2024-09-16", "2025-07-25", "latest", "2024-13-45")));
    if (r && body)
        json_object_set_new(r, "body", body);
    else
        json_decref(body);
    return br__gen_step(name, r);
}

void br__gen_learn_crdb(br_gen *g, const char *method, const char *path, const json_t *body)
{
    char cid[128];
    if (!br__gen_segment(path, 3, cid, sizeof cid)) return;
    if (strcmp(method, "POST") == 0 && br__gen_ends_with(path, "/restores")) {
        obj *r = br__gen_add(g, BR_VENDOR_CRDB, K_RESTORE,
                             json_string_value(json_object_get(body, "id")));
        if (r) br__gen_set_str(g, &r->owner, cid);
    }
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(body, "backups"), i, b)
    {
        obj *o =
            br__gen_add(g, BR_VENDOR_CRDB, K_BACKUP, json_string_value(json_object_get(b, "id")));
        if (o && !o->owner) br__gen_set_str(g, &o->owner, cid);
    }
    json_array_foreach(json_object_get(body, "restores"), i, b)
    {
        obj *o =
            br__gen_add(g, BR_VENDOR_CRDB, K_RESTORE, json_string_value(json_object_get(b, "id")));
        if (o && !o->owner) br__gen_set_str(g, &o->owner, cid);
    }
    const char *next =
        json_string_value(json_object_get(json_object_get(body, "pagination"), "next_page"));
    obj *p = next && *next ? br__gen_add(g, BR_VENDOR_CRDB, K_PAGE, next) : NULL;
    if (p) br__gen_set_str(g, &p->owner, cid);
}
