/* The generator's MongoDB Atlas operations (gen.h): tenant snapshots, restores and downloads
 * on live ids, and what it learns from Atlas answers. */
#include "gen_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- MongoDB Atlas ---- */

static const char *atlas_group(br_gen *g, const obj *cl)
{
    return cl && cl->owner ? cl->owner : "5f0000000000000000000000";
}

json_t *br__gen_atlas_step(br_gen *g, br_choice *c)
{
    char path[640], base[400];
    const char *key = br__gen_pick_key(g, c, BR_VENDOR_ATLAS);
    /* A key scoped to one group works on that group. */
    const obj *ko = br__gen_find(g, BR_VENDOR_ATLAS, K_KEY, key);
    const obj *cl = br__gen_pick_obj(g, c, BR_VENDOR_ATLAS, K_CLUSTER,
                                     chance(c, 90) ? br__gen_main_cluster : NULL, NULL);
    if (ko && ko->name && chance(c, 70)) {
        const obj *in =
            br__gen_pick_obj(g, c, BR_VENDOR_ATLAS, K_CLUSTER, br__gen_same_owner, ko->name);
        if (in) cl = in;
    }
    const obj *snap = br__gen_pick_obj(g, c, BR_VENDOR_ATLAS, K_SNAPSHOT, NULL, NULL);
    if (snap && chance(c, 85)) {
        const obj *sc = br__gen_find(g, BR_VENDOR_ATLAS, K_CLUSTER, snap->owner);
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
        const obj *target = br__gen_pick_obj(g, c, BR_VENDOR_ATLAS, K_CLUSTER,
                                             chance(c, 90) ? br__gen_main_cluster : NULL, NULL);
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
        const obj *r = br__gen_pick_obj(g, c, BR_VENDOR_ATLAS, K_RESTORE, NULL, NULL);
        if (r && chance(c, 85)) {
            const obj *rc = br__gen_find(g, BR_VENDOR_ATLAS, K_CLUSTER, r->owner);
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
    json_t *r = br__gen_request(method, full, key);
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
    return br__gen_step(name, r);
}

void br__gen_learn_atlas(br_gen *g, const char *path, const json_t *body)
{
    char group[128], name[128];
    if (!br__gen_segment(path, 4, group, sizeof group) ||
        !br__gen_segment(path, 6, name, sizeof name))
        return;
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
        obj *o = br__gen_add(g, BR_VENDOR_ATLAS, restores ? K_RESTORE : K_SNAPSHOT, id);
        if (o && !o->owner) br__gen_set_str(g, &o->owner, cid);
    }
    free(cid);
}
