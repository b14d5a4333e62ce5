/* Shared harness pieces: the fixed hash seed, the embedded world, fixture-step requests and
 * the checks every answer gets (status range, INV-ATOMIC, the world's INV-* invariants). */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char br_fuzz_world_text[]; /* generated from fuzz/worlds/all.json */

void br_fuzz_init(void)
{
    static int done;
    if (done) return;
    done = 1;
    json_object_seed(1);
}

jmp_buf *br_fuzz_fail_jump;

void br_fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("brcheck-fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (br_fuzz_fail_jump) longjmp(*br_fuzz_fail_jump, 1);
    abort();
}

const json_t *br_fuzz_request_world(void)
{
    static json_t *world;
    if (!world) {
        br_fuzz_init();
        json_error_t err;
        world = json_loads(br_fuzz_world_text, 0, &err);
        if (!world) br_fuzz_fail("embedded world: %s (line %d)", err.text, err.line);
    }
    return world;
}

br_vendor br_fuzz_vendor_of_path(const char *path)
{
    if (strncmp(path, "/v2/", 4) == 0) return BR_VENDOR_ZILLIZ;
    if (strncmp(path, "/api/v1/", 8) == 0) return BR_VENDOR_CRDB;
    if (strncmp(path, "/api/atlas/", 11) == 0) return BR_VENDOR_ATLAS;
    return BR_VENDOR_COUNT;
}

static char *keep(br_fuzz_built *b, char *s)
{
    if (!s) return NULL;
    if (b->n_strings == sizeof b->strings / sizeof *b->strings) {
        free(s);
        return NULL;
    }
    return b->strings[b->n_strings++] = s;
}

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : 0;
}

int br_fuzz_build(br_fuzz_built *b, const json_t *r, br_vendor vendor)
{
    memset(b, 0, sizeof *b);
    const char *method = json_string_value(json_object_get(r, "method"));
    const char *path = json_string_value(json_object_get(r, "path"));
    if (!method || !path) return BR_EINVAL;
    char *p = keep(b, strdup(path));
    if (!p) return BR_ENOMEM;
    char *q = strchr(p, '?');
    if (q) *q++ = '\0';
    b->req.method = method;
    b->req.path = p;
    b->req.query = q;
    size_t nh = 0, max = sizeof b->headers / sizeof *b->headers;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r, "headers"), k, v)
    {
        if (nh < max - 1 && json_is_string(v))
            b->headers[nh++] = (br_header){k, json_string_value(v)};
    }
    const char *key = json_string_value(json_object_get(r, "key"));
    if (key && vendor == BR_VENDOR_ATLAS) {
        b->req.principal = key;
    } else if (key) {
        char *auth = keep(b, malloc(strlen(key) + 8));
        if (!auth) return BR_ENOMEM;
        sprintf(auth, "Bearer %s", key);
        b->headers[nh++] = (br_header){"Authorization", auth};
    }
    b->req.headers = b->headers;
    b->req.n_headers = nh;
    const char *ip = json_string_value(json_object_get(r, "callerIp"));
    b->req.caller_ip = ip ? ip : "127.0.0.1";
    json_t *body = json_object_get(r, "body");
    json_t *raw = json_object_get(r, "bodyRaw");
    const char *hex = json_string_value(json_object_get(r, "bodyHex"));
    if (body) {
        char *text = json_dumps(body, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!text) return BR_ENOMEM;
        b->req.body_len = strlen(text);
        b->body = malloc(b->req.body_len ? b->req.body_len : 1); /* exact size: no terminator */
        if (b->body) memcpy(b->body, text, b->req.body_len);
        free(text);
        if (!b->body) return BR_ENOMEM;
    } else if (json_is_string(raw)) {
        b->req.body_len = json_string_length(raw);
        b->body = malloc(b->req.body_len ? b->req.body_len : 1);
        if (!b->body) return BR_ENOMEM;
        memcpy(b->body, json_string_value(raw), b->req.body_len);
    } else if (hex) {
        size_t n = strlen(hex) / 2;
        b->body = malloc(n ? n : 1);
        if (!b->body) return BR_ENOMEM;
        for (size_t i = 0; i < n; i++)
            b->body[i] = (char)(hexval(hex[2 * i]) * 16 + hexval(hex[2 * i + 1]));
        b->req.body_len = n;
    }
    b->req.body = b->body;
    return BR_OK;
}

void br_fuzz_built_free(br_fuzz_built *b)
{
    for (size_t i = 0; i < b->n_strings; i++)
        free(b->strings[i]);
    free(b->body);
    memset(b, 0, sizeof *b);
}

void br_fuzz_check_world(const br_world *w, const char *after)
{
    br_rule rule;
    char msg[512] = "";
    if (br_world_check(w, &rule, msg, sizeof msg) > 0)
        br_fuzz_fail("%s after %s: %s", br_rule_id(rule), after, msg);
}

static void check_answer(const br_request *req, const br_response *res)
{
    if (res->status < 200 || res->status > 599)
        br_fuzz_fail("%s %s: status %d is not an HTTP answer", req->method, req->path, res->status);
    char *text = br_response_text(res);
    if (!text) br_fuzz_fail("%s %s: the answer does not serialize", req->method, req->path);
    free(text);
}

static void check_world_after(const br_world *w, const br_request *req)
{
    char what[600];
    snprintf(what, sizeof what, "%s %.500s", req->method, req->path);
    br_fuzz_check_world(w, what);
}

bool br_fuzz_send_checked_known(br_world *w, const br_request *req, br_response *res,
                                uint64_t *digest)
{
    int rc = br_world_handle(w, req, res);
    if (rc != BR_OK)
        br_fuzz_fail("%s %s: the model failed: %s", req->method, req->path, br_strerror(rc));
    check_answer(req, res);
    uint64_t after = br_world_digest(w);
    bool changed = after != *digest;
    *digest = after;
    if (!changed) return false;
    if (res->error)
        br_fuzz_fail("INV-ATOMIC: %s %s: an error answer (HTTP %d) changed the world", req->method,
                     req->path, res->status);
    check_world_after(w, req);
    return true;
}

void br_fuzz_send_checked(br_world *w, const br_request *req, br_response *res)
{
    uint64_t before = br_world_digest(w);
    int rc = br_world_handle(w, req, res);
    if (rc != BR_OK)
        br_fuzz_fail("%s %s: the model failed: %s", req->method, req->path, br_strerror(rc));
    check_answer(req, res);
    if (res->error && br_world_digest(w) != before)
        br_fuzz_fail("INV-ATOMIC: %s %s: an error answer (HTTP %d) changed the world", req->method,
                     req->path, res->status);
    check_world_after(w, req);
}
