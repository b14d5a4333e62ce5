/* MongoDB Atlas tenant-backup dialect: routes (v1.0 and v2), the Atlas error body and its
 * headers, library-level refusals, and the envelope=true / pretty=true post-processing
 * (MA-ENVELOPE) applied to every answer, errors included. */
#include "atlas/atlas.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

static const char *reason_phrase(int http)
{
    switch (http) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 406:
        return "Not Acceptable";
    case 409:
        return "Conflict";
    case 413:
        return "Payload Too Large";
    default:
        return "Internal Server Error";
    }
}

/* Sets (or replaces) a response header; 'value' is a static string. */
static void set_header(br_response *res, const char *name, const char *value)
{
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->headers[i].name, name) == 0) {
            res->headers[i].value = value;
            return;
        }
    if (res->n_headers < BR_MAX_RESPONSE_HEADERS)
        res->headers[res->n_headers++] = (br_header){name, value};
}

static int answer_error(br_ctx *ctx, int http, const char *code, const char *p1, const char *p2,
                        const char *fmt, va_list ap)
{
    char detail[512];
    vsnprintf(detail, sizeof detail, fmt, ap);
    br__utf8_scrub(detail);
    json_t *o = json_object();
    if (!o) {
        ctx->oom = true;
        return BR_OK;
    }
    br__set(ctx, o, "detail", json_string(detail));
    br__set(ctx, o, "error", json_integer(http));
    if (code) br__set(ctx, o, "errorCode", json_string(code));
    if (p1) { /* parameters echo the request too */
        char *a1 = br__strdup(p1), *a2 = br__strdup(p2 ? p2 : "");
        json_t *params = NULL;
        if (a1 && a2) {
            br__utf8_scrub(a1);
            br__utf8_scrub(a2);
            params = json_pack(p2 ? "[s,s]" : "[s]", a1, a2);
        }
        br__free(a1);
        br__free(a2);
        br__set(ctx, o, "parameters", params);
    }
    br__set(ctx, o, "reason", json_string(reason_phrase(http)));
    br__answer(ctx, http, o);
    ctx->res->error = true;
    if (code) set_header(ctx->res, "X-Error-Code", code);
    return BR_OK;
}

int br__ma_error(br_ctx *ctx, int http, const char *code, const char *p1, const char *p2,
                 const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    answer_error(ctx, http, code, p1, p2, fmt, ap);
    va_end(ap);
    return BR_OK;
}

int br__ma_bad(br_ctx *ctx, const char *code, const char *p1, const char *p2, const char *fmt, ...)
{
    va_list ap;
    br__applied(ctx, BR_RULE_SEC_BAD_INPUT);
    va_start(ap, fmt);
    answer_error(ctx, 400, code, p1, p2, fmt, ap);
    va_end(ap);
    return BR_OK;
}

int br__ma_not_found(br_ctx *ctx, const char *code, const char *p1, const char *p2, const char *fmt,
                     ...)
{
    va_list ap;
    va_start(ap, fmt);
    if (br__rule(ctx, BR_RULE_MA_TARGET_EXISTS, true))
        answer_error(ctx, 404, code, p1, p2, fmt, ap);
    else /* mutant: still not found, but no longer said what */
        br__ma_error(ctx, 404, "RESOURCE_NOT_FOUND", ctx->req->path, NULL,
                     "Cannot find resource %s.", ctx->req->path);
    va_end(ap);
    return BR_OK;
}

int br__ma_ok(br_ctx *ctx, json_t *body)
{
    br__answer(ctx, 200, body);
    return BR_OK;
}

bool br__ma_v2(const br_ctx *ctx)
{
    return strncmp(ctx->req->path, "/api/atlas/v2/", 14) == 0;
}

static void fail(br_ctx *ctx, int kind, const char *message)
{
    switch (kind) {
    case BR_FAIL_NO_ROUTE:
        br__ma_error(ctx, 404, "RESOURCE_NOT_FOUND", ctx->req->path, NULL,
                     "Cannot find resource %s.", ctx->req->path);
        break;
    case BR_FAIL_NO_METHOD:
        br__ma_error(ctx, 405, "METHOD_NOT_ALLOWED", ctx->req->method, NULL,
                     "HTTP method %s is not allowed on %s.", ctx->req->method, ctx->req->path);
        break;
    case BR_FAIL_TOO_LARGE:
        br__ma_error(ctx, 413, "REQUEST_TOO_LARGE", NULL, NULL, "%s.", message);
        break;
    case BR_FAIL_NOT_OBJECT:
        br__ma_error(ctx, 400, "INVALID_JSON", NULL, NULL,
                     "Received JSON does not match expected format.");
        break;
    default: /* malformed JSON, invalid UTF-8, too deep */
        br__ma_error(ctx, 400, "MALFORMED_JSON", NULL, NULL, "Received JSON is malformed.");
        break;
    }
}

/* A boolean query flag ("envelope=true"), read from the raw query: the gate may refuse a
 * request before the dispatcher parses the query, and the envelope still applies. */
static bool query_flag(const br_request *req, const char *name)
{
    size_t n = strlen(name);
    for (const char *q = req->query; q && *q;) {
        size_t len = strcspn(q, "&");
        if (len > n && strncmp(q, name, n) == 0 && q[n] == '=' && len - n - 1 == 4 &&
            strncasecmp(q + n + 1, "true", 4) == 0)
            return true;
        q += len + (q[len] == '&');
    }
    return false;
}

/* MA-ENVELOPE: envelope=true answers HTTP 200 with {"status", "content"} (a list keeps
 * its own object and gains "status"); pretty=true indents. Also the Content-Type. */
static void finish(br_ctx *ctx)
{
    br_response *res = ctx->res;
    res->pretty = query_flag(ctx->req, "pretty");
    const char *version = br__ma_v2(ctx) ? br__ma_accept_version(ctx->req) : NULL;
    if (res->error || !version)
        set_header(res, "Content-Type", "application/json");
    else if (strcmp(version, "2024-08-05") == 0)
        set_header(res, "Content-Type", "application/vnd.atlas.2024-08-05+json;charset=utf-8");
    else if (strcmp(version, "2023-02-01") == 0)
        set_header(res, "Content-Type", "application/vnd.atlas.2023-02-01+json;charset=utf-8");
    else
        set_header(res, "Content-Type", "application/vnd.atlas.2023-01-01+json;charset=utf-8");
    br__applied(ctx, BR_RULE_MA_ENVELOPE);
    if (!br__rule(ctx, BR_RULE_MA_ENVELOPE, query_flag(ctx->req, "envelope"))) return;
    json_t *body = res->body;
    if (json_is_array(json_object_get(body, "results")) && !res->error) {
        br__set(ctx, body, "status", json_integer(res->status));
    } else {
        json_t *wrap = json_object();
        if (!wrap) {
            ctx->oom = true;
            return;
        }
        if (body && json_object_set(wrap, "content", body) != 0) ctx->oom = true;
        br__set(ctx, wrap, "status", json_integer(res->status));
        json_decref(res->body);
        res->body = wrap;
    }
    res->status = 200;
}

#define MA_TENANT "/groups/{}/clusters/{}/backup/tenant"
#define MA_ROUTES(V)                                                                               \
    {"POST", "/api/atlas/" V MA_TENANT "/restore", br__ma_create_restore, true},                   \
        {"GET", "/api/atlas/" V MA_TENANT "/restores", br__ma_list_restores, false},               \
        {"GET", "/api/atlas/" V MA_TENANT "/restores/{}", br__ma_get_restore, false},              \
        {"GET", "/api/atlas/" V MA_TENANT "/snapshots", br__ma_list_snapshots, false},             \
        {"GET", "/api/atlas/" V MA_TENANT "/snapshots/{}", br__ma_get_snapshot, false},            \
        {"POST", "/api/atlas/" V MA_TENANT "/download", br__ma_create_download, true},             \
        {"GET", "/api/atlas/" V "/groups/{}/clusters/{}", br__ma_get_cluster, false},

static const br_route routes[] = {MA_ROUTES("v1.0") MA_ROUTES("v2")};

int br__atlas_load(br_world *w, const json_t *given, char *err, size_t errlen)
{
    return br__ma_load_snapshots(w, given, err, errlen);
}

const br_dialect br__atlas_dialect = {
    .vendor = BR_VENDOR_ATLAS,
    .prefix = "/api/atlas/",
    .routes = routes,
    .n_routes = sizeof routes / sizeof *routes,
    .authenticate = br__ma_gate,
    .fail = fail,
    .job_started = br__ma_job_started,
    .job_finished = br__ma_job_finished,
    .next_event = br__ma_next_event,
    .run_event = br__ma_run_event,
    .finish = finish,
};
