/* The generator's Zilliz Cloud operations (gen.h): backups, restores, policies and jobs on
 * live ids, and what it learns from Zilliz answers. */
#include "gen_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Zilliz Cloud ---- */

static bool is_collection_backup(const obj *o, const void *arg)
{
    (void)arg;
    return o && o->extra && strcmp(o->extra, "COLLECTION") == 0;
}

json_t *br__gen_zilliz_step(br_gen *g, br_choice *c)
{
    char path[512], host[160] = "";
    const char *key = br__gen_pick_key(g, c, BR_VENDOR_ZILLIZ);
    const char *cid = br__gen_pick_cluster_id(g, c, BR_VENDOR_ZILLIZ, "in01-00000000000000000");
    const obj *cl = br__gen_find(g, BR_VENDOR_ZILLIZ, K_CLUSTER, cid);
    const obj *b = br__gen_pick_obj(g, c, BR_VENDOR_ZILLIZ, K_BACKUP, br__gen_same_owner, cid);
    if (chance(c, 15)) b = br__gen_pick_obj(g, c, BR_VENDOR_ZILLIZ, K_BACKUP, NULL, NULL);
    if (b && chance(c, 80)) { /* operate on the backup's own cluster most of the time */
        cid = b->owner;
        cl = br__gen_find(g, BR_VENDOR_ZILLIZ, K_CLUSTER, cid);
    }
    const char *bid = b && chance(c, 95) ? b->id : "backup9_00000000000000";
    const obj *proj =
        br__gen_pick_obj(g, c, BR_VENDOR_ZILLIZ, K_PROJECT, br__gen_main_cluster, NULL);
    const char *pid = proj ? proj->id : "proj-unknown";
    json_t *body = NULL;
    const char *name = NULL, *method = "GET";
    switch (pick(c, 11)) {
    case 0: { /* create */
        name = "zilliz: create backup";
        method = "POST";
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/create", cid);
        const char *db;
        const char *coll = br__gen_pick_collection(c, cl ? cl->dbs : NULL, &db, false);
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
        /* mostly a COLLECTION backup (a CLUSTER one is refused before anything else is
         * looked at), restored mostly into its own cluster, where its names are taken */
        if (!is_collection_backup(b, NULL) && chance(c, 70)) {
            const obj *cb =
                br__gen_pick_obj(g, c, BR_VENDOR_ZILLIZ, K_BACKUP, is_collection_backup, NULL);
            if (cb && cb->owner) {
                b = cb;
                cid = cb->owner;
                cl = br__gen_find(g, BR_VENDOR_ZILLIZ, K_CLUSTER, cid);
                bid = cb->id;
            }
        }
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/%s/restoreCollection", cid, bid);
        const obj *dest =
            chance(c, 40) ? cl : br__gen_pick_obj(g, c, BR_VENDOR_ZILLIZ, K_CLUSTER, NULL, NULL);
        const char *coll = b && b->name ? b->name : "medium_articles";
        if (chance(c, 10)) {
            const char *db;
            coll = br__gen_pick_collection(c, cl ? cl->dbs : NULL, &db, false);
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
        const obj *j = br__gen_pick_obj(g, c, BR_VENDOR_ZILLIZ, K_JOB, NULL, NULL);
        snprintf(path, sizeof path, "/v2/jobs/%s",
                 j && chance(c, 95) ? j->id : "job-0000000000000");
        break;
    }
    default: {
        /* Describe the cluster, or read its collections through the data plane at its own
         * host (ZC-OBS-COLLECTIONS), in turn: by a count of these steps, not by a choice, so
         * that every other step of a choice stream stays what it was. */
        static const char *const reads[] = {NULL, "list", "describe", "get_load_state"};
        const char *op = reads[g->reads++ % 4];
        if (op) {
            const json_t *d0 = json_array_get(cl ? cl->dbs : NULL, 0);
            const char *db = json_string_value(json_object_get(d0, "name"));
            const char *coll = json_string_value(
                json_object_get(json_array_get(json_object_get(d0, "collections"), 0), "name"));
            name = "zilliz: read collections";
            method = "POST";
            snprintf(path, sizeof path, "/v2/vectordb/collections/%s", op);
            body = strcmp(op, "list") == 0 ? json_pack("{s:s}", "dbName", db ? db : "default")
                                           : json_pack("{s:s,s:s}", "dbName", db ? db : "default",
                                                       "collectionName", coll ? coll : "nothing");
            snprintf(host, sizeof host, "%s.localhost", cid);
            break;
        }
        name = "zilliz: describe cluster";
        snprintf(path, sizeof path, "/v2/clusters/%s", cid);
    }
    }
    json_t *r = br__gen_request(method, path, key);
    if (r && host[0]) json_object_set_new(r, "headers", json_pack("{s:s}", "Host", host));
    if (r && body)
        json_object_set_new(r, "body", body);
    else
        json_decref(body);
    return br__gen_step(name, r);
}

void br__gen_learn_zilliz(br_gen *g, const char *method, const char *path, const json_t *reqbody,
                          const json_t *body)
{
    const json_t *data = json_object_get(body, "data");
    char cid[128];
    bool has_cid = br__gen_segment(path, 2, cid, sizeof cid);
    const char *job = json_string_value(json_object_get(data, "jobId"));
    if (job) br__gen_add(g, BR_VENDOR_ZILLIZ, K_JOB, job);
    if (strcmp(method, "POST") == 0 && br__gen_ends_with(path, "/backups/create") && has_cid) {
        obj *b = br__gen_add(g, BR_VENDOR_ZILLIZ, K_BACKUP,
                             json_string_value(json_object_get(data, "backupId")));
        if (b) {
            br__gen_set_str(g, &b->owner, cid);
            const char *type = json_string_value(json_object_get(reqbody, "backupType"));
            br__gen_set_str(g, &b->extra, type);
            const json_t *dbc = json_array_get(json_object_get(reqbody, "dbCollections"), 0);
            br__gen_set_str(
                g, &b->name,
                json_string_value(json_array_get(json_object_get(dbc, "collectionNames"), 0)));
        }
    } else if (br__gen_ends_with(path, "/restoreCluster") && has_cid) {
        obj *c = br__gen_add(g, BR_VENDOR_ZILLIZ, K_CLUSTER,
                             json_string_value(json_object_get(data, "clusterId")));
        const obj *src = br__gen_find(g, BR_VENDOR_ZILLIZ, K_CLUSTER, cid);
        if (c) {
            const char *p = json_string_value(json_object_get(reqbody, "projectId"));
            if (!p) p = json_string_value(json_object_get(reqbody, "targetProjectId"));
            br__gen_set_str(g, &c->owner, p);
            br__gen_set_str(g, &c->name,
                            json_string_value(json_object_get(reqbody, "clusterName")));
            br__gen_set_str(g, &c->extra, src ? src->extra : "Standard");
            c->flag = 1;
            c->dbs = src ? src->dbs : NULL;
        }
    }
    size_t i;
    json_t *b;
    json_array_foreach(json_object_get(data, "backups"), i, b)
    {
        obj *o = br__gen_add(g, BR_VENDOR_ZILLIZ, K_BACKUP,
                             json_string_value(json_object_get(b, "backupId")));
        if (o && !o->owner) {
            br__gen_set_str(g, &o->owner, json_string_value(json_object_get(b, "clusterId")));
            br__gen_set_str(g, &o->extra, json_string_value(json_object_get(b, "backupType")));
        }
    }
}
