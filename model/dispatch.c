/* The one dispatcher: every request passes the shared steps here, in this order, before
 * any handler runs: due jobs settle, the dialect is chosen by path prefix, the caller is
 * authenticated (SEC-AUTH: before any body validation), the route and method are matched,
 * and the body is parsed within limits (SEC-BAD-INPUT). Handlers only apply rules. HEAD is
 * answered as GET wherever GET is (RFC 9110 section 9.3.2), the body included so that the wire
 * layer can state its length; a 405 names the path's methods in Allow (section 15.5.6). */
#include "world.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const br_dialect *const dialects[BR_VENDOR_COUNT] = {
    [BR_VENDOR_ZILLIZ] = &br__zilliz_dialect,
    [BR_VENDOR_CRDB] = &br__crdb_dialect,
    [BR_VENDOR_ATLAS] = &br__atlas_dialect,
};

const br_dialect *br__dialect(br_vendor v)
{
    return dialects[v];
}

void br_response_clear(br_response *res)
{
    if (!res) return;
    json_decref(res->body);
    for (size_t i = 0; i < BR_MAX_RESPONSE_HEADERS; i++)
        br__free(res->owned[i]);
    memset(res, 0, sizeof *res);
}

char *br_response_text(const br_response *res)
{
    if (!res->body) return br__strdup("");
    size_t flags = JSON_PRESERVE_ORDER | (res->pretty ? JSON_INDENT(2) : JSON_COMPACT);
    return json_dumps(res->body, flags | JSON_ENCODE_ANY);
}

bool br__rule(br_ctx *ctx, br_rule rule, bool refuses)
{
    br_ruleset_add(&ctx->res->rules, rule);
    return refuses && !br__mutated(ctx->w, rule);
}

void br__applied(br_ctx *ctx, br_rule rule)
{
    br_ruleset_add(&ctx->res->rules, rule);
}

const char *br__query(const br_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->n_query; i++)
        if (strcmp(ctx->query[i].name, name) == 0) return ctx->query[i].value;
    return NULL;
}

const char *br__header(const br_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->req->n_headers; i++)
        if (ctx->req->headers[i].name && strcasecmp(ctx->req->headers[i].name, name) == 0)
            return ctx->req->headers[i].value;
    return NULL;
}

void br__set(br_ctx *ctx, json_t *obj, const char *key, json_t *v)
{
    if (!v || !obj || json_object_set_new(obj, key, v) != 0) ctx->oom = true;
}

void br__append(br_ctx *ctx, json_t *arr, json_t *v)
{
    if (!v || !arr || json_array_append_new(arr, v) != 0) ctx->oom = true;
}

void br__utf8_scrub(char *s)
{
    unsigned char *p = (unsigned char *)s;
    while (*p) {
        size_t len = *p < 0x80                  ? 1
                     : *p >= 0xC2 && *p <= 0xDF ? 2
                     : *p >= 0xE0 && *p <= 0xEF ? 3
                     : *p >= 0xF0 && *p <= 0xF4 ? 4
                                                : 0;
        unsigned long cp = len == 2 ? *p & 0x1F : len == 3 ? *p & 0x0F : *p & 0x07;
        for (size_t i = 1; i < len; i++) {
            if ((p[i] & 0xC0) != 0x80) {
                len = 0;
                break;
            }
            cp = cp << 6 | (p[i] & 0x3F);
        }
        if (len > 1 && ((len == 3 && (cp < 0x800 || (cp >= 0xD800 && cp <= 0xDFFF))) ||
                        (len == 4 && (cp < 0x10000 || cp > 0x10FFFF))))
            len = 0;
        if (len == 0) {
            *p++ = '?';
            continue;
        }
        p += len;
    }
}

void br__answer(br_ctx *ctx, int status, json_t *body)
{
    if (!body) ctx->oom = true;
    json_decref(ctx->res->body);
    ctx->res->body = body;
    ctx->res->status = status;
}

bool br__body_string(const json_t *obj, const char *key, const char **out)
{
    const json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) return true;
    if (!json_is_string(v)) return false;
    *out = json_string_value(v);
    return true;
}

bool br__body_int(const json_t *obj, const char *key, bool *present, long long *out)
{
    const json_t *v = json_object_get(obj, key);
    *present = false;
    if (!v || json_is_null(v)) return true;
    if (!json_is_integer(v)) return false;
    *present = true;
    *out = json_integer_value(v);
    return true;
}

bool br__body_bool(const json_t *obj, const char *key, bool *present, bool *out)
{
    const json_t *v = json_object_get(obj, key);
    *present = false;
    if (!v || json_is_null(v)) return true;
    if (!json_is_boolean(v)) return false;
    *present = true;
    *out = json_is_true(v);
    return true;
}

bool br__key_has_role(const br_key *k, const char *scope, const char *const roles[])
{
    for (size_t i = 0; i < k->n_grants; i++) {
        const br_grant *g = &k->grants[i];
        if (g->scope[0] && (!scope || strcmp(g->scope, scope) != 0)) continue;
        for (size_t r = 0; roles[r]; r++)
            if (strcmp(g->role, roles[r]) == 0) return true;
    }
    return false;
}

bool br__key_sees_project(const br_world *w, const br_key *k, int project)
{
    const br_project *p = &w->projects[project];
    if (p->org != k->org) return false;
    for (size_t i = 0; i < k->n_grants; i++) {
        const char *scope = k->grants[i].scope;
        if (!scope[0] || strcmp(scope, p->id) == 0) return true;
        long ci = br__world_find_cluster(w, scope);
        if (ci >= 0 && w->clusters[ci].project == project) return true;
    }
    return false;
}

bool br_rule_has_mutant(br_rule rule)
{
    const char *id = br_rule_id(rule);
    if (!id) return false;
    /* Invariants are checked, not enforced by one guard; SEC-SECRETS lives in reports;
     * the others below describe shapes and fields, with no refusal to switch off. */
    static const br_rule observational[] = {
        BR_RULE_SEC_SECRETS, BR_RULE_ZC_BACKUP_LIFE, BR_RULE_ZC_DESCRIBE,
        BR_RULE_ZC_JOBS,     BR_RULE_ZC_ENVELOPE,    BR_RULE_ZC_OBS_CLUSTER,
    };
    for (size_t i = 0; i < sizeof observational / sizeof *observational; i++)
        if (rule == observational[i]) return false;
    return strncmp(id, "INV-", 4) != 0 || rule == BR_RULE_INV_ATOMIC;
}

/* Splits the query string into ctx->query (decoding %XX and '+'). */
static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

static void url_decode(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (*s == '%' && hexval(s[1]) >= 0 && hexval(s[2]) >= 0) {
            *o++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
            s += 2;
        } else {
            *o++ = *s == '+' ? ' ' : *s;
        }
    }
    *o = '\0';
}

static int parse_query(br_ctx *ctx, char *q)
{
    while (q && *q && ctx->n_query < BR_MAX_QUERY) {
        char *amp = strchr(q, '&');
        if (amp) *amp = '\0';
        if (*q) {
            char *eq = strchr(q, '=');
            if (eq) *eq = '\0';
            url_decode(q);
            if (eq) url_decode(eq + 1);
            ctx->query[ctx->n_query].name = q;
            ctx->query[ctx->n_query].value = eq ? eq + 1 : (char *)"";
            ctx->n_query++;
        }
        q = amp ? amp + 1 : NULL;
    }
    return BR_OK;
}

/* Matches 'path' (a writable copy) against a pattern; fills ctx->params. */
static bool match(br_ctx *ctx, const char *pattern, const char *path)
{
    size_t np = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (p[0] == '{' && p[1] == '}') {
            const char *end = strchr(s, '/');
            size_t len = end ? (size_t)(end - s) : strlen(s);
            if (len == 0 || np >= BR_MAX_PARAMS) return false;
            ctx->params[np++] = s;
            s += len;
            p += 2;
        } else if (*p == *s) {
            p++, s++;
        } else {
            return false;
        }
    }
    if (*p || (*s && strcmp(s, "/") != 0)) return false;
    ctx->n_params = np;
    return true;
}

/* A route serves the request's method: its own, or HEAD where it is GET. */
static bool serves(const char *route_method, const char *method)
{
    return strcmp(route_method, method) == 0 ||
           (strcmp(route_method, "GET") == 0 && strcmp(method, "HEAD") == 0);
}

/* Adds a header whose value the response owns ('value' taken); dropped when it is full. */
static void add_owned_header(br_ctx *ctx, const char *name, char *value)
{
    br_response *res = ctx->res;
    if (!value) {
        ctx->oom = true;
        return;
    }
    for (size_t i = 0; i < BR_MAX_RESPONSE_HEADERS; i++)
        if (!res->owned[i] && res->n_headers < BR_MAX_RESPONSE_HEADERS) {
            res->owned[i] = value;
            res->headers[res->n_headers++] = (br_header){name, value};
            return;
        }
    br__free(value);
}

/* Allow for a 405: the methods of every route of the path (ctx->buf), each once, HEAD after
 * GET. */
static void allow_header(br_ctx *ctx, const br_dialect *d)
{
    char allow[96] = "";
    for (size_t i = 0; i < d->n_routes; i++) {
        if (!match(ctx, d->routes[i].pattern, ctx->buf)) continue;
        const char *m = d->routes[i].method;
        for (int pass = 0; pass < 2; pass++) {
            char item[24];
            snprintf(item, sizeof item, "%s, ", m);
            if (!strstr(allow, item) && strlen(allow) + strlen(item) < sizeof allow)
                strcat(allow, item);
            if (strcmp(m, "GET") != 0) break;
            m = "HEAD";
        }
    }
    size_t n = strlen(allow);
    if (n < 2) return;
    allow[n - 2] = '\0';
    add_owned_header(ctx, "Allow", br__strdup(allow));
}

static int answer_fail(br_ctx *ctx, const br_dialect *d, int kind, const char *msg)
{
    br__applied(ctx, BR_RULE_SEC_BAD_INPUT);
    d->fail(ctx, kind, msg);
    return BR_OK;
}

static int dispatch(br_ctx *ctx)
{
    const br_request *req = ctx->req;
    const br_dialect *d = NULL;
    for (int v = 0; v < BR_VENDOR_COUNT; v++) {
        const char *pre = dialects[v]->prefix;
        if (pre && strncmp(req->path, pre, strlen(pre)) == 0) {
            d = dialects[v];
            break;
        }
    }
    if (!d) {
        ctx->res->vendor = BR_VENDOR_COUNT;
        br__answer(ctx, 404, json_pack("{s:s}", "error", "no vendor API under this path"));
        ctx->res->error = true;
        return BR_OK;
    }
    ctx->vendor = d->vendor;
    ctx->res->vendor = d->vendor;
    if (!d->authenticate(ctx)) {
        ctx->res->error = true;
        return BR_OK;
    }
    /* The path copy: params point into it, each segment NUL-terminated after matching. */
    size_t plen = strlen(req->path);
    ctx->buf = br__malloc(plen + 1 + (req->query ? strlen(req->query) + 1 : 0));
    if (!ctx->buf) return BR_ENOMEM;
    memcpy(ctx->buf, req->path, plen + 1);
    char *qbuf = ctx->buf + plen + 1;
    if (req->query) {
        memcpy(qbuf, req->query, strlen(req->query) + 1);
        parse_query(ctx, qbuf);
    }
    const br_route *route = NULL;
    bool path_known = false;
    for (size_t i = 0; i < d->n_routes; i++) {
        if (!match(ctx, d->routes[i].pattern, ctx->buf)) continue;
        path_known = true;
        if (serves(d->routes[i].method, req->method)) {
            route = &d->routes[i];
            break;
        }
    }
    if (!route && !path_known) return answer_fail(ctx, d, BR_FAIL_NO_ROUTE, "no such path");
    if (!route) {
        answer_fail(ctx, d, BR_FAIL_NO_METHOD, "method not allowed on this path");
        allow_header(ctx, d);
        return BR_OK;
    }
    /* Terminate the captured segments in place (params point into ctx->buf). */
    for (size_t i = 0; i < ctx->n_params; i++) {
        char *slash = strchr((char *)ctx->params[i], '/');
        if (slash) *slash = '\0';
        url_decode((char *)ctx->params[i]);
    }
    if (route->needs_body) {
        /* SEC-BAD-INPUT's mutant lets oversized bodies and malformed JSON through. */
        bool lax = br__mutated(ctx->w, BR_RULE_SEC_BAD_INPUT);
        if (req->body_len > BR_MAX_BODY && !lax)
            return answer_fail(ctx, d, BR_FAIL_TOO_LARGE, "request body is larger than 1 MiB");
        if (!req->body || req->body_len == 0) {
            ctx->body = json_object();
            if (!ctx->body) return BR_ENOMEM;
        } else {
            json_error_t jerr;
            ctx->body = json_loadb(req->body, req->body_len, 0, &jerr);
            if (!ctx->body && lax && json_error_code(&jerr) != json_error_out_of_memory)
                ctx->body = json_object();
            if (!ctx->body) {
                /* By code: the text may quote the body ("near 'memory'"). */
                if (json_error_code(&jerr) == json_error_out_of_memory) return BR_ENOMEM;
                char msg[400];
                bool utf8 = strstr(jerr.text, "decode byte") || strstr(jerr.text, "UTF-8");
                snprintf(msg, sizeof msg, "%s: %s (at byte %d)",
                         utf8 ? "request body is not valid UTF-8" : "malformed JSON body",
                         jerr.text, jerr.position);
                return answer_fail(ctx, d, BR_FAIL_BAD_JSON, msg);
            }
            if (!json_is_object(ctx->body))
                return answer_fail(ctx, d, BR_FAIL_NOT_OBJECT,
                                   "request body must be a JSON object");
        }
    }
    return route->handler(ctx);
}

int br_world_handle(br_world *w, const br_request *req, br_response *res)
{
    memset(res, 0, sizeof *res);
    if (!req || !req->method || !req->path) return BR_EINVAL;
    int rc = br_world_advance(w, 0); /* jobs due at this instant settle first */
    if (rc) return rc;
    /* Cached lists survive reads only: anything else may change the world. */
    bool read = strcmp(req->method, "GET") == 0 || strcmp(req->method, "HEAD") == 0;
    if (!read) br__world_touch(w);
    br_ctx ctx = {.w = w, .req = req, .res = res, .key_index = -1};
    rc = dispatch(&ctx);
    if (!read) br__world_touch(w);
    const br_dialect *d = res->vendor < BR_VENDOR_COUNT ? dialects[res->vendor] : NULL;
    if (rc == BR_OK && !ctx.oom && d && d->finish) d->finish(&ctx);
    json_decref(ctx.body);
    br__free(ctx.buf);
    if (rc == BR_OK && ctx.oom) rc = BR_ENOMEM;
    /* Work this request made due at this very instant (a schedule whose window opens now)
     * settles before the answer, so the next request starts from a settled world and an
     * error answer to it changes nothing (INV-ATOMIC). */
    if (rc == BR_OK) rc = br_world_advance(w, 0);
    /* INV-ATOMIC's mutant: a refused request leaves a trace (a write into the first live
     * cluster), which the digest comparison on error answers must catch. */
    if (rc == BR_OK && res->error && br__mutated(w, BR_RULE_INV_ATOMIC))
        for (size_t i = 0; i < w->n_clusters; i++)
            if (!w->clusters[i].dropped) {
                rc = br_world_write(w, w->clusters[i].id, "default", "", "refused_request_trace");
                if (rc == BR_EINVAL) rc = BR_OK; /* a target under restore takes no write */
                break;
            }
    if (rc != BR_OK) br_response_clear(res);
    return rc;
}
