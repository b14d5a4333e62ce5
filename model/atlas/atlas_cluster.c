/* The Atlas cluster read that makes restore effects observable (rules.md OBS,
 * MA-OBS-CLUSTER): GET .../groups/{groupId}/clusters/{clusterName} with the instance size,
 * MongoDB major version, paused flag, encryption, topology and state name. */
#include "atlas/atlas.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

static const char *state_name(const br_cluster *c)
{
    if (strcmp(c->status, "RUNNING") == 0) return "IDLE";
    return c->status;
}

/* "AWS" from "aws"; out[16]. */
static void upper(const char *s, char out[16])
{
    size_t i = 0;
    for (; s[i] && i < 15; i++)
        out[i] = (char)toupper((unsigned char)s[i]);
    out[i] = '\0';
}

/* Provider settings of the tier: shared tiers run on the TENANT provider, backed by a
 * cloud provider; dedicated tiers name the cloud provider itself. */
static json_t *region_config(const br_cluster *c, bool v2)
{
    int size = br__ma_tier_size(c->plan);
    bool shared = c->plan[0] == 'M' && size >= 0 && size <= 5;
    char provider[16];
    upper(c->provider[0] ? c->provider : "aws", provider);
    json_t *o = json_object();
    if (!o) return NULL;
    int rc = 0;
    if (shared) rc |= json_object_set_new(o, "backingProviderName", json_string(provider));
    if (v2)
        rc |= json_object_set_new(o, "electableSpecs", json_pack("{s:s}", "instanceSize", c->plan));
    else
        rc |= json_object_set_new(o, "instanceSizeName", json_string(c->plan));
    rc |= json_object_set_new(o, "providerName", json_string(shared ? "TENANT" : provider));
    if (c->region[0]) rc |= json_object_set_new(o, "regionName", json_string(c->region));
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *cluster_json(br_ctx *ctx, const br_cluster *c)
{
    bool v2 = br__ma_v2(ctx);
    char major[16], version[16];
    snprintf(major, sizeof major, "%d.0", c->mongo_major);
    br__ma_version_string(c->mongo_major, version);
    json_t *o = json_object(), *rc_json = region_config(c, v2);
    if (!o || !rc_json) {
        json_decref(o);
        json_decref(rc_json);
        return NULL;
    }
    int rc = 0;
    rc |= json_object_set_new(o, "clusterType", json_string(c->sharded ? "SHARDED" : "REPLICASET"));
    rc |= json_object_set_new(o, "createDate", br__time_json(c->created));
    rc |= json_object_set_new(o, "encryptionAtRestProvider",
                              json_string(c->encrypted ? "AWS" : "NONE"));
    rc |= json_object_set_new(o, "groupId", json_string(ctx->w->projects[c->project].id));
    rc |= json_object_set_new(o, "id", json_string(c->id));
    rc |= json_object_set_new(o, "mongoDBMajorVersion", json_string(major));
    rc |= json_object_set_new(o, "mongoDBVersion", json_string(version));
    rc |= json_object_set_new(o, "name", json_string(c->name));
    rc |= json_object_set_new(o, "paused", json_boolean(c->paused));
    if (v2)
        rc |= json_object_set_new(
            o, "replicationSpecs",
            json_pack("[{s:i,s:[o]}]", "numShards", c->sharded ? 2 : 1, "regionConfigs", rc_json));
    else
        rc |= json_object_set_new(o, "providerSettings", rc_json);
    rc |= json_object_set_new(o, "stateName", json_string(state_name(c)));
    if (rc) {
        json_decref(o);
        return NULL;
    }
    return o;
}

int br__ma_get_cluster(br_ctx *ctx)
{
    long ci = br__ma_path_cluster(ctx, false);
    if (ci < 0) return BR_OK;
    /* Mutant: the model stops serving the read, so no effect can be observed through it. */
    if (!br__rule(ctx, BR_RULE_MA_OBS_CLUSTER, true))
        return br__ma_error(ctx, 404, "RESOURCE_NOT_FOUND", ctx->req->path, NULL,
                            "Cannot find resource %s.", ctx->req->path);
    return br__ma_ok(ctx, cluster_json(ctx, &ctx->w->clusters[ci]));
}
