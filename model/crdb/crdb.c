/* Placeholder dialect: answers 404 for every path until the dialect is written. */
#include "world.h"

#include <stdio.h>

static bool authenticate(br_ctx *ctx)
{
    (void)ctx;
    return true;
}

static void fail(br_ctx *ctx, int kind, const char *message)
{
    br__answer(ctx, 404, json_pack("{s:s}", "message", message));
    ctx->res->error = true;
}

int br__crdb_load(br_world *w, const json_t *given, char *err, size_t errlen)
{
    return BR_OK;
}

const br_dialect br__crdb_dialect = {
    .vendor = BR_VENDOR_CRDB,
    .prefix = "/api/v1/",
    .routes = NULL,
    .n_routes = 0,
    .authenticate = authenticate,
    .fail = fail,
};
