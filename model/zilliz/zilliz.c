/* Zilliz Cloud dialect: routes, Bearer auth, the envelope, shared look-ups and guards
 * (ZC-ROLE, ZC-TIER, SEC-AUTH, SEC-TENANCY, ZC-FIELD-NAMES), and loading "policies". */
#include "zilliz/zilliz.h"

#include <stdio.h>
#include <string.h>

int br__zc_error(br_ctx *ctx, int http, int code, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    br__utf8_scrub(msg);
    br__applied(ctx, BR_RULE_ZC_ENVELOPE);
    if (http >= 400 && http != 401) br__applied(ctx, BR_RULE_SEC_BAD_INPUT);
    br__answer(ctx, http, json_pack("{s:i,s:s}", "code", code, "message", msg));
    ctx->res->error = true;
    return BR_OK;
}

int br__zc_ok(br_ctx *ctx, json_t *data)
{
    br__applied(ctx, BR_RULE_ZC_ENVELOPE);
    if (!data) {
        ctx->oom = true;
        return BR_OK;
    }
    br__answer(ctx, 200, json_pack("{s:i,s:o}", "code", 0, "data", data));
    return BR_OK;
}

static bool authenticate(br_ctx *ctx)
{
    const char *h = br__header(ctx, "Authorization");
    br__applied(ctx, BR_RULE_SEC_AUTH);
    if (h && strncmp(h, "Bearer ", 7) == 0) {
        const char *token = h + 7;
        for (size_t i = 0; i < ctx->w->n_keys; i++) {
            const br_key *k = &ctx->w->keys[i];
            if (ctx->w->orgs[k->org].vendor == BR_VENDOR_ZILLIZ && strcmp(k->key, token) == 0) {
                ctx->key = k;
                ctx->key_index = (long)i;
                return true;
            }
        }
    }
    if (br__mutated(ctx->w, BR_RULE_SEC_AUTH) && ctx->w->n_keys) {
        for (size_t i = 0; i < ctx->w->n_keys; i++)
            if (ctx->w->orgs[ctx->w->keys[i].org].vendor == BR_VENDOR_ZILLIZ) {
                ctx->key = &ctx->w->keys[i]; /* mutant: any caller is the first key */
                return true;
            }
    }
    br__zc_error(ctx, 401, ZC_E_AUTH,
                 h ? "Invalid token: the API key is not valid"
                   : "Invalid token: missing "
                     "Authorization: Bearer header");
    return false;
}

static void fail(br_ctx *ctx, int kind, const char *message)
{
    if (kind == BR_FAIL_NO_ROUTE || kind == BR_FAIL_NO_METHOD)
        br__zc_error(ctx, kind == BR_FAIL_NO_ROUTE ? 404 : 405, ZC_E_NO_PATH, "%s", message);
    else
        br__zc_error(ctx, kind == BR_FAIL_TOO_LARGE ? 413 : 400, ZC_E_BAD_PARAM, "%s", message);
}

long br__zc_cluster(br_ctx *ctx, const char *id, bool allow_dropped)
{
    br_world *w = ctx->w;
    long ci = br__world_find_cluster(w, id);
    br__applied(ctx, BR_RULE_SEC_TENANCY);
    bool visible = ci >= 0 && w->clusters[ci].vendor == BR_VENDOR_ZILLIZ &&
                   (allow_dropped || !w->clusters[ci].dropped);
    if (visible && br__rule(ctx, BR_RULE_SEC_TENANCY,
                            !br__key_sees_project(w, ctx->key, w->clusters[ci].project)))
        visible = false;
    if (!visible) {
        ZC_FAIL(ctx, ZC_E_NO_CLUSTER, "The specified cluster %s does not exist.", id);
        return -1;
    }
    return ci;
}

bool br__zc_can_write(br_ctx *ctx, int project)
{
    static const char *const writers[] = {"ORG_OWNER", "PROJECT_ADMIN", NULL};
    const char *pid = ctx->w->projects[project].id;
    bool ok =
        ctx->w->projects[project].org == ctx->key->org && br__key_has_role(ctx->key, pid, writers);
    if (br__rule(ctx, BR_RULE_ZC_ROLE, !ok)) {
        ZC_FAIL(ctx, ZC_E_NO_PROJECT_ROLE,
                "You don't have permission for this project. Org owner or project admin is "
                "needed.");
        return false;
    }
    return true;
}

bool br__zc_dedicated(const br_cluster *c)
{
    return strcmp(c->plan, "Standard") == 0 || strcmp(c->plan, "Enterprise") == 0 ||
           strcmp(c->plan, "Dedicated") == 0 || strcmp(c->plan, "BusinessCritical") == 0;
}

long br__zc_managed_cluster(br_ctx *ctx, const char *what)
{
    long ci = br__zc_cluster(ctx, ctx->params[0], false);
    if (ci < 0 || !br__zc_can_write(ctx, ctx->w->clusters[ci].project)) return -1;
    const br_cluster *c = &ctx->w->clusters[ci];
    if (br__rule(ctx, BR_RULE_ZC_TIER, !br__zc_dedicated(c))) {
        ZC_FAIL(ctx, ZC_E_TIER,
                "%s are available only to Dedicated clusters; cluster %s is on the %s plan.", what,
                c->id, c->plan);
        return -1;
    }
    return ci;
}

long br__zc_backup(br_ctx *ctx, long cluster, const char *backup_id)
{
    long bi = br__world_find_backup(ctx->w, backup_id);
    if (bi < 0 || ctx->w->backups[bi].deleted || ctx->w->backups[bi].cluster != cluster ||
        ctx->w->backups[bi].vendor != BR_VENDOR_ZILLIZ) {
        ZC_FAIL(ctx, ZC_E_NO_BACKUP, "The backup %s does not exist in cluster %s.", backup_id,
                ctx->w->clusters[cluster].id);
        return -1;
    }
    return bi;
}

bool br__zc_field(br_ctx *ctx, const json_t *obj, const char *seed_name, const char *ref_name,
                  const char **out)
{
    const char *a = NULL, *b = NULL;
    bool seed_ok = br__body_string(obj, seed_name, &a);
    if (!seed_ok || !br__body_string(obj, ref_name, &b)) {
        /* the member that is not a string (absent or null is fine) */
        ZC_BAD(ctx, "%s must be a string", seed_ok ? ref_name : seed_name);
        return false;
    }
    br__applied(ctx, BR_RULE_ZC_FIELD_NAMES);
    if (br__rule(ctx, BR_RULE_ZC_FIELD_NAMES, a && b && strcmp(a, b) != 0)) {
        br__zc_error(ctx, 400, ZC_E_CONFLICT_FIELDS,
                     "%s and %s name the same field with different values", seed_name, ref_name);
        return false;
    }
    *out = a ? a : b;
    return true;
}

static const br_route routes[] = {
    {"POST", "/v2/clusters/{}/backups/create", br__zc_create_backup, true},
    {"GET", "/v2/backups", br__zc_list_backups, false},
    {"GET", "/v2/clusters/{}/backups/policy", br__zc_get_policy, false},
    {"POST", "/v2/clusters/{}/backups/policy", br__zc_set_policy, true},
    {"GET", "/v2/clusters/{}/backups/{}", br__zc_describe_backup, false},
    {"DELETE", "/v2/clusters/{}/backups/{}", br__zc_delete_backup, false},
    {"POST", "/v2/clusters/{}/backups/{}/restoreCluster", br__zc_restore_cluster, true},
    {"POST", "/v2/clusters/{}/backups/{}/restoreCollection", br__zc_restore_collection, true},
    {"POST", "/v2/clusters/{}/backups/{}/export", br__zc_export_backup, true},
    {"GET", "/v2/jobs/{}", br__zc_get_job, false},
    {"GET", "/v2/clusters/{}", br__zc_describe_cluster, false},
    /* The data plane at a cluster's endpoint: the Host names the cluster (zilliz_vectordb.c). */
    {"POST", "/v2/vectordb/collections/list", br__zc_list_collections, true},
    {"POST", "/v2/vectordb/collections/describe", br__zc_describe_collection, true},
    {"POST", "/v2/vectordb/collections/get_load_state", br__zc_get_load_state, true},
};

/* "policies": [{"cluster", "enabled", "frequency", "startTime", "retentionDays"}] */
int br__zilliz_load(br_world *w, const json_t *given, char *err, size_t errlen)
{
    static const char *const fields[] = {"cluster",   "enabled",       "frequency",
                                         "startTime", "retentionDays", NULL};
    size_t i;
    json_t *p;
    json_array_foreach(json_object_get(given, "policies"), i, p)
    {
        char what[48];
        snprintf(what, sizeof what, "policies[%zu]", i);
        if (br__world_entry(p, what, fields, err, errlen)) return BR_EWORLD;
        long ci = br__world_find_cluster(w, json_string_value(json_object_get(p, "cluster")));
        const char *freq = json_string_value(json_object_get(p, "frequency"));
        const char *win = json_string_value(json_object_get(p, "startTime"));
        json_t *ret = json_object_get(p, "retentionDays");
        int start;
        if (ci < 0 || (freq && !br__zc_valid_frequency(freq)) ||
            (win && !br__zc_valid_window(win, &start)) ||
            (ret && (json_integer_value(ret) < 1 || json_integer_value(ret) > 30))) {
            snprintf(err, errlen, "policies[%zu]: unknown cluster or invalid value", i);
            return BR_EWORLD;
        }
        br_policy *pol = &w->clusters[ci].policy;
        pol->set = true;
        pol->enabled = json_is_true(json_object_get(p, "enabled"));
        snprintf(pol->frequency, sizeof pol->frequency, "%s", freq ? freq : "1,2,3,4,5,6,7");
        snprintf(pol->window, sizeof pol->window, "%s", win ? win : "00:00-02:00");
        br__zc_policy_derive(pol);
        pol->retention_days = ret ? (int)json_integer_value(ret) : 7;
        pol->last_run = w->now; /* the world starts after any earlier run */
    }
    return BR_OK;
}

const br_dialect br__zilliz_dialect = {
    .vendor = BR_VENDOR_ZILLIZ,
    .prefix = "/v2/",
    .routes = routes,
    .n_routes = sizeof routes / sizeof *routes,
    .authenticate = authenticate,
    .fail = fail,
    .job_finished = br__zc_job_finished,
    .next_event = br__zc_next_event,
    .run_event = br__zc_run_event,
};
