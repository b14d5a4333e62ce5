/* CockroachDB reads that make restore effects observable (rules.md OBS, CC-OBS-CLUSTER):
 * GET /clusters/{id} (plan, provider, regions, state) and GET /clusters/{id}/databases. */
#include "crdb/crdb.h"

#include <string.h>

int br__cc_get_cluster(br_ctx *ctx)
{
    long ci = br__cc_cluster(ctx, ctx->params[0], false);
    if (ci < 0) return BR_OK;
    const br_cluster *c = &ctx->w->clusters[ci];
    bool mutant = br__mutated(ctx->w, BR_RULE_CC_OBS_CLUSTER);
    br__applied(ctx, BR_RULE_CC_OBS_CLUSTER);
    char provider[16];
    br__cc_provider(c, provider);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", c->id, "name", c->name, "plan",
                          mutant ? "STANDARD" : c->plan, "state", "CREATED");
    if (o && provider[0]) br__set(ctx, o, "cloud_provider", json_string(provider));
    if (o && c->region[0]) br__set(ctx, o, "regions", json_pack("[{s:s}]", "name", c->region));
    if (o) br__set(ctx, o, "created_at", br__time_json(c->created));
    return br__cc_ok(ctx, o);
}

int br__cc_list_databases(br_ctx *ctx)
{
    long ci = br__cc_cluster(ctx, ctx->params[0], false);
    if (ci < 0) return BR_OK;
    const br_content *content = &ctx->w->clusters[ci].content;
    bool mutant = br__mutated(ctx->w, BR_RULE_CC_OBS_CLUSTER); /* mutant: no table counts */
    br__applied(ctx, BR_RULE_CC_OBS_CLUSTER);
    json_t *list = json_array();
    for (size_t d = 0; list && d < content->n_dbs; d++) {
        json_int_t tables = 0;
        for (size_t i = 0; i < content->n_items; i++)
            tables += strcmp(content->items[i].db, content->dbs[d]) == 0;
        br__append(ctx, list,
                   json_pack("{s:s,s:I}", "name", content->dbs[d], "table_count",
                             mutant ? (json_int_t)0 : tables));
    }
    if (!list) return BR_ENOMEM;
    return br__cc_ok(ctx, json_pack("{s:o,s:{}}", "databases", list, "pagination"));
}
