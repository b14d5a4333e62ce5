/* CockroachDB Cloud dialect: routes, Bearer auth and the Cc-Version header (SEC-AUTH,
 * CC-VERSION), gRPC-status errors (CC-ERROR-SHAPE), cluster look-up (SEC-TENANCY, CC-ROLE). */
#include "crdb/crdb.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* HTTP status of a gRPC code, as grpc-gateway maps them (UNIMPLEMENTED, which the gateway
 * answers for a known path with another method, is kept a 4xx: SEC-BAD-INPUT). */
static int http_status(int code)
{
    switch (code) {
    case CC_INVALID_ARGUMENT:
    case CC_FAILED_PRECONDITION:
        return 400;
    case CC_UNAUTHENTICATED:
        return 401;
    case CC_PERMISSION_DENIED:
        return 403;
    case CC_NOT_FOUND:
        return 404;
    case CC_UNIMPLEMENTED:
        return 405;
    case CC_ALREADY_EXISTS:
        return 409;
    default:
        return 500;
    }
}

int br__cc_error(br_ctx *ctx, int code, const char *fmt, ...)
{
    char msg[640];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    br__utf8_scrub(msg);
    if (code == CC_INVALID_ARGUMENT) br__applied(ctx, BR_RULE_SEC_BAD_INPUT);
    json_t *body;
    int status = http_status(code);
    if (br__rule(ctx, BR_RULE_CC_ERROR_SHAPE, true)) {
        body = json_pack("{s:i,s:s,s:[]}", "code", code, "message", msg, "details");
    } else { /* mutant: a bare message, every error a 400 */
        body = json_pack("{s:s}", "message", msg);
        status = 400;
    }
    br__answer(ctx, status, body);
    ctx->res->error = true;
    return BR_OK;
}

int br__cc_ok(br_ctx *ctx, json_t *body)
{
    br__answer(ctx, 200, body);
    return BR_OK;
}

/* "YYYY-MM-DD", a real calendar date. */
static bool valid_version(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-') return false;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i])) return false;
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
    static const int days[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (y < 1 || m < 1 || m > 12 || d < 1 || d > days[m - 1]) return false;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return !(m == 2 && d == 29 && !leap);
}

/* SEC-AUTH, then CC-VERSION: both are checked before any route or body. */
static bool authenticate(br_ctx *ctx)
{
    br_world *w = ctx->w;
    const char *h = br__header(ctx, "Authorization");
    br__applied(ctx, BR_RULE_SEC_AUTH);
    if (h && strncmp(h, "Bearer ", 7) == 0) {
        for (size_t i = 0; i < w->n_keys && !ctx->key; i++) {
            const br_key *k = &w->keys[i];
            if (w->orgs[k->org].vendor == BR_VENDOR_CRDB && strcmp(k->key, h + 7) == 0) {
                ctx->key = k;
                ctx->key_index = (long)i;
            }
        }
    }
    if (!ctx->key && br__mutated(w, BR_RULE_SEC_AUTH)) {
        for (size_t i = 0; i < w->n_keys && !ctx->key; i++)
            if (w->orgs[w->keys[i].org].vendor == BR_VENDOR_CRDB) {
                ctx->key = &w->keys[i]; /* mutant: any caller is the first key */
                ctx->key_index = (long)i;
            }
    }
    if (!ctx->key) {
        br__cc_error(ctx, CC_UNAUTHENTICATED,
                     h ? "unauthenticated: the API key is not valid"
                       : "unauthenticated: missing Authorization: Bearer header");
        return false;
    }
    const char *version = br__header(ctx, "Cc-Version");
    if (br__rule(ctx, BR_RULE_CC_VERSION, version && !valid_version(version))) {
        CC_BAD(ctx, "invalid Cc-Version header \"%.40s\": expected a date YYYY-MM-DD", version);
        return false;
    }
    return true;
}

static void fail(br_ctx *ctx, int kind, const char *message)
{
    if (kind == BR_FAIL_NO_ROUTE)
        br__cc_error(ctx, CC_NOT_FOUND, "Not Found");
    else if (kind == BR_FAIL_NO_METHOD)
        br__cc_error(ctx, CC_UNIMPLEMENTED, "Method Not Allowed");
    else
        CC_BAD(ctx, "%s", message);
    /* Over the body limit: INVALID_ARGUMENT's shape with the transport's 413. */
    if (kind == BR_FAIL_TOO_LARGE && ctx->res->status == 400) ctx->res->status = 413;
}

bool br__cc_plan_is(const br_cluster *c, const char *plan)
{
    return strcmp(c->plan, plan) == 0;
}

void br__cc_provider(const br_cluster *c, char out[16])
{
    size_t i = 0;
    for (; c->provider[i] && i < 15; i++)
        out[i] = (char)toupper((unsigned char)c->provider[i]);
    out[i] = '\0';
}

/* A role granted for the whole organization (no scope, or the organization's id) or for
 * this cluster. */
static bool has_role(const br_world *w, const br_key *k, const br_cluster *c,
                     const char *const roles[])
{
    const char *org = w->orgs[w->projects[c->project].org].id;
    return br__key_has_role(k, c->id, roles) || br__key_has_role(k, org, roles);
}

static bool sees(const br_world *w, const br_key *k, const br_cluster *c)
{
    const char *org = w->orgs[w->projects[c->project].org].id;
    for (size_t i = 0; i < k->n_grants; i++) {
        const char *s = k->grants[i].scope;
        if (!s[0] || strcmp(s, org) == 0 || strcmp(s, c->id) == 0) return true;
    }
    return false;
}

long br__cc_cluster(br_ctx *ctx, const char *id, bool write)
{
    static const char *const writers[] = {"CLUSTER_ADMIN", "CLUSTER_OPERATOR_WRITER", NULL};
    br_world *w = ctx->w;
    long ci = br__world_find_cluster(w, id);
    br__applied(ctx, BR_RULE_SEC_TENANCY);
    bool found = ci >= 0 && w->clusters[ci].vendor == BR_VENDOR_CRDB && !w->clusters[ci].dropped;
    if (found && br__rule(ctx, BR_RULE_SEC_TENANCY,
                          w->projects[w->clusters[ci].project].org != ctx->key->org))
        found = false;
    if (!found) {
        br__cc_error(ctx, CC_NOT_FOUND, "cluster %.60s not found", id);
        return -1;
    }
    const br_cluster *c = &w->clusters[ci];
    bool allowed = write ? has_role(w, ctx->key, c, writers) : sees(w, ctx->key, c);
    if (br__rule(ctx, BR_RULE_CC_ROLE, !allowed)) {
        br__cc_error(ctx, CC_PERMISSION_DENIED,
                     write ? "permission denied: CLUSTER_ADMIN or CLUSTER_OPERATOR_WRITER is "
                             "needed on cluster %s"
                           : "permission denied: no role on cluster %s",
                     c->id);
        return -1;
    }
    return ci;
}

static const br_route routes[] = {
    {"GET", "/api/v1/clusters/{}", br__cc_get_cluster, false},
    {"GET", "/api/v1/clusters/{}/databases", br__cc_list_databases, false},
    {"GET", "/api/v1/clusters/{}/backups", br__cc_list_backups, false},
    {"GET", "/api/v1/clusters/{}/backups-config", br__cc_get_backup_config, false},
    {"PATCH", "/api/v1/clusters/{}/backups-config", br__cc_update_backup_config, true},
    {"GET", "/api/v1/clusters/{}/backups/config", br__cc_get_backup_config, false},
    {"PUT", "/api/v1/clusters/{}/backups/config", br__cc_update_backup_config, true},
    {"POST", "/api/v1/clusters/{}/restores", br__cc_create_restore, true},
    {"GET", "/api/v1/clusters/{}/restores", br__cc_list_restores, false},
    {"GET", "/api/v1/clusters/{}/restores/{}", br__cc_get_restore, false},
};

/* CockroachDB clusters: plan defaults and checks, backup configurations ("backupConfigs"),
 * and retention of the backups the world was given. */
int br__crdb_load(br_world *w, const json_t *given, char *err, size_t errlen)
{
    return br__cc_load_configs(w, given, err, errlen);
}

const br_dialect br__crdb_dialect = {
    .vendor = BR_VENDOR_CRDB,
    .prefix = "/api/v1/",
    .routes = routes,
    .n_routes = sizeof routes / sizeof *routes,
    .authenticate = authenticate,
    .fail = fail,
    .job_finished = br__cc_job_finished,
    .next_event = br__cc_next_event,
    .run_event = br__cc_run_event,
};
