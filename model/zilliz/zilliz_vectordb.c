/* Zilliz Cloud data-plane reads that make restore effects observable (rules.md OBS,
 * ZC-OBS-COLLECTIONS): the Milvus RESTful v2 collection reads POST /v2/vectordb/collections/
 * list, describe and get_load_state, with their load state, at a cluster's endpoint. */
#include "zilliz/zilliz.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <stdio.h>

/* Whether the Host label names a cluster: the id of one the world holds (any vendor, any
 * tenant: those the caller may not see get the control plane's "does not exist"), or any
 * label shaped like a Zilliz cluster id ("in" digits "-" letters and digits), so that an
 * unknown id and a foreign one get the same answer (SEC-TENANCY). */
static bool names_cluster(const br_world *w, const char *label)
{
    if (!label[0]) return false;
    if (br__world_find_cluster(w, label) >= 0) return true;
    if (strncmp(label, "in", 2) != 0) return false;
    const char *p = label + 2;
    if (!isdigit((unsigned char)*p)) return false;
    while (isdigit((unsigned char)*p))
        p++;
    if (*p++ != '-' || !*p) return false;
    for (; *p; p++)
        if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p)) return false;
    return true;
}

/* The cluster whose endpoint the request reached. A real cluster's connectAddress is
 * https://<clusterId>.<region>.vectordb.zillizcloud.com: the first DNS label of the Host
 * names the cluster; the mock serves every endpoint on its one port, so any domain will do
 * (Host: in01-<id>.localhost:8080). Answers and returns -1: 404 when the Host names no
 * cluster (the control-plane host, an address, none), the control plane's "does not exist"
 * for a cluster that is unknown, dropped or outside the caller's tenancy, and NOT_RUNNING
 * while the cluster is not RUNNING (a restoreCluster target before its job ends). */
static long endpoint_cluster(br_ctx *ctx)
{
    const char *host = br__header(ctx, "Host");
    char label[BR_ID_MAX] = "";
    size_t n = host ? strcspn(host, ".:") : 0;
    if (host && host[0] != '[' && n < sizeof label) {
        memcpy(label, host, n);
        label[n] = '\0';
    }
    if (!names_cluster(ctx->w, label)) {
        br__zc_error(ctx, 404, ZC_E_NO_PATH,
                     "No cluster endpoint at host '%s': the data-plane API (/v2/vectordb/...) is "
                     "served at a cluster's endpoint, whose host begins with the cluster id "
                     "(in01-xxxxxxxxxxxxxxx.localhost:8080 against brcheck serve).",
                     host ? host : "");
        return -1;
    }
    long ci = br__zc_cluster(ctx, label, false);
    if (ci < 0) return -1;
    const br_cluster *c = &ctx->w->clusters[ci];
    if (strcmp(c->status, "RUNNING") != 0) {
        ZC_FAIL(ctx, ZC_E_NOT_RUNNING,
                "Cluster %s is %s: its endpoint serves requests once it is RUNNING.", c->id,
                c->status);
        return -1;
    }
    return ci;
}

/* Milvus's own name check (validateCollectionName), or NULL when the name is valid. */
static const char *name_problem(const char *name)
{
    if (strlen(name) > 255)
        return "the length of a collection name must be less than 255 characters";
    if (name[0] != '_' && !isalpha((unsigned char)name[0]))
        return "the first character of a collection name must be an underscore or letter";
    for (const char *p = name + 1; *p; p++)
        if (*p != '_' && !isalnum((unsigned char)*p))
            return "collection name can only contain numbers, letters and underscores";
    return NULL;
}

/* The body's dbName ("default" when absent or empty) and, when 'name' is not NULL, its
 * collectionName (required). False after answering Milvus's refusal: 1801 for a value that
 * is not a string, 1802 for a missing name, 1100 for a name Milvus would never accept. */
static bool read_names(br_ctx *ctx, const char **db, const char **name)
{
    const char *d = NULL, *n = NULL;
    const char *wrong = !br__body_string(ctx->body, "dbName", &d) ? "dbName"
                        : name && !br__body_string(ctx->body, "collectionName", &n)
                            ? "collectionName"
                            : NULL;
    if (wrong) {
        ZC_FAIL(ctx, ZC_E_MILVUS_NOT_JSON,
                "can only accept json format request, error: %s must be a string", wrong);
        return false;
    }
    *db = d && *d ? d : "default";
    if (!name) return true;
    if (!n || !*n) {
        ZC_FAIL(ctx, ZC_E_MILVUS_MISSING_PARAM,
                "missing required parameters, error: Key: 'CollectionNameReq.CollectionName' "
                "Error:Field validation for 'CollectionName' failed on the 'required' tag");
        return false;
    }
    const char *why = name_problem(n);
    if (why) {
        ZC_FAIL(ctx, ZC_E_MILVUS_BAD_PARAM, "Invalid collection name: %s. %s: invalid parameter", n,
                why);
        return false;
    }
    *name = n;
    return true;
}

/* The database named, which every cluster has when it is "default". False after answering. */
static bool has_database(br_ctx *ctx, const br_cluster *c, const char *db)
{
    if (strcmp(db, "default") == 0 || br__content_has_db(&c->content, db)) return true;
    ZC_FAIL(ctx, ZC_E_MILVUS_NO_DATABASE, "database not found[database=%s]", db);
    return false;
}

/* The endpoint's cluster and the collection the body names: its item, or NULL after
 * answering (unknown collection: Milvus's code 100). */
static const br_item *named_collection(br_ctx *ctx)
{
    br__applied(ctx, BR_RULE_ZC_OBS_COLLECTIONS);
    const char *db, *name;
    long ci = endpoint_cluster(ctx);
    if (ci < 0 || !read_names(ctx, &db, &name)) return NULL;
    const br_cluster *c = &ctx->w->clusters[ci];
    if (!has_database(ctx, c, db)) return NULL;
    long it = br__content_find(&c->content, db, NULL, name);
    if (it < 0) {
        ZC_FAIL(ctx, ZC_E_MILVUS_NO_COLLECTION, "collection not found[database=%s][collection=%s]",
                db, name);
        return NULL;
    }
    return &c->content.items[it];
}

/* LoadStateLoaded or LoadStateNotLoad, as the world holds it (ZC-RESTORE-LOAD sets it). */
static bool shown_loaded(const br_ctx *ctx, const br_item *it)
{
    /* ZC-OBS-COLLECTIONS' mutant: every collection reads as loaded, whatever the world holds. */
    return it->loaded || br__mutated(ctx->w, BR_RULE_ZC_OBS_COLLECTIONS);
}

int br__zc_list_collections(br_ctx *ctx)
{
    br__applied(ctx, BR_RULE_ZC_OBS_COLLECTIONS);
    const char *db;
    long ci = endpoint_cluster(ctx);
    if (ci < 0 || !read_names(ctx, &db, NULL)) return BR_OK;
    const br_cluster *c = &ctx->w->clusters[ci];
    if (!has_database(ctx, c, db)) return BR_OK;
    json_t *names = json_array();
    for (size_t i = 0; names && i < c->content.n_items; i++)
        if (strcmp(c->content.items[i].db, db) == 0)
            br__append(ctx, names, json_string(c->content.items[i].name));
    return br__zc_ok(ctx, names);
}

/* The schema (fields, indexes, shards, partitions) is not modelled and not shown: the
 * answer holds what the model knows, with Milvus's names. */
int br__zc_describe_collection(br_ctx *ctx)
{
    const br_item *it = named_collection(ctx);
    if (!it) return BR_OK;
    return br__zc_ok(ctx, json_pack("{s:s,s:s,s:[],s:s,s:[]}", "collectionName", it->name,
                                    "description", "", "aliases", "load",
                                    shown_loaded(ctx, it) ? "LoadStateLoaded" : "LoadStateNotLoad",
                                    "properties"));
}

/* Milvus answers loadProgress only for a collection that is loaded or loading. */
int br__zc_get_load_state(br_ctx *ctx)
{
    const br_item *it = named_collection(ctx);
    if (!it) return BR_OK;
    if (!shown_loaded(ctx, it))
        return br__zc_ok(ctx, json_pack("{s:s}", "loadState", "LoadStateNotLoad"));
    return br__zc_ok(ctx,
                     json_pack("{s:s,s:i}", "loadState", "LoadStateLoaded", "loadProgress", 100));
}

void br__zc_connect_address(const br_ctx *ctx, const br_cluster *c, char *out, size_t len)
{
    const char *host = br__header(ctx, "Host");
    if (!host || !*host || strlen(host) > 255 || strcspn(host, "/ \t\"\\@?#") != strlen(host)) {
        snprintf(out, len, "https://%s.%s.vectordb.zillizcloud.com:443", c->id, c->region);
        return;
    }
    const char *proto = br__header(ctx, "X-Forwarded-Proto");
    const char *scheme = proto && strcasecmp(proto, "http") == 0 ? "http" : "https";
    /* the port, if the Host names one (not inside an IPv6 literal) */
    const char *close = strrchr(host, ']');
    const char *colon = strrchr(close ? close : host, ':');
    const char *port = colon ? colon : "";
    size_t name_len = colon ? (size_t)(colon - host) : strlen(host);
    /* an address or localhost: the cluster under localhost; a name: the cluster under it,
     * or in place of the cluster label a data-plane host already begins with */
    bool address = host[0] == '[' || strspn(host, "0123456789.") == name_len ||
                   (name_len == 9 && strncasecmp(host, "localhost", 9) == 0);
    size_t first = strcspn(host, ".:");
    char label[BR_ID_MAX] = "";
    if (first < sizeof label) {
        memcpy(label, host, first);
        label[first] = '\0';
    }
    if (address)
        snprintf(out, len, "%s://%s.localhost%s", scheme, c->id, port);
    else if (host[first] == '.' && names_cluster(ctx->w, label))
        snprintf(out, len, "%s://%s%.*s%s", scheme, c->id, (int)(name_len - first), host + first,
                 port);
    else
        snprintf(out, len, "%s://%s.%.*s%s", scheme, c->id, (int)name_len, host, port);
}
