/* Decoding a `request` input (layout in fuzz.h) into one vendor request: the route row, the
 * credentials, the path's ids (from the world, or junk), headers, caller address, query and
 * body. The same decoding writes the fixture form for fuzz/crash-to-fixture.sh. */
#include "fuzz.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    br_vendor vendor;
    const char *method;
    const char *tmpl;
} route;

static const route routes[] = {
#define BR_FUZZ_ROUTE(v, m, p) {BR_VENDOR_##v, m, p},
#include "request_routes.def"
#undef BR_FUZZ_ROUTE
};
#define N_ROUTES (sizeof routes / sizeof *routes)

size_t br_fuzz_route_count(void)
{
    return N_ROUTES;
}

const char *br_fuzz_route(size_t i, br_vendor *vendor, const char **method)
{
    if (i >= N_ROUTES) return NULL;
    if (vendor) *vendor = routes[i].vendor;
    if (method) *method = routes[i].method;
    return routes[i].tmpl;
}

/* Ids that no world holds: empty, traversal, encoded, a well-formed unknown uuid, long. */
static const char *const junk[] = {
    "x",
    "..",
    "%2e%2e%2fv2",
    "00000000-0000-4000-8000-000000000000",
    "a%00b",
    "5f0000000000000000000000",
    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
};
#define N_JUNK (sizeof junk / sizeof *junk)

/* The slot kinds of the templates, and where the world holds their values. */
static const char slot_kinds[] = "cnbgj";

/* The i-th candidate of a slot kind: the world's values in order, then junk (see
 * fuzz/make-corpus.py, which counts the same way). */
static size_t world_values(const json_t *world, char kind, const char **out, size_t max)
{
    size_t n = 0;
    size_t i, k;
    json_t *e, *p;
    switch (kind) {
    case 'c':
    case 'n':
        json_array_foreach(json_object_get(world, "clusters"), i, e)
        {
            const char *s = json_string_value(json_object_get(e, kind == 'c' ? "id" : "name"));
            if (s && n < max) out[n++] = s;
        }
        break;
    case 'b':
    case 'j':
        json_array_foreach(json_object_get(world, "backups"), i, e)
        {
            const char *s = json_string_value(json_object_get(e, "id"));
            if (s && n < max) out[n++] = s;
        }
        json_array_foreach(json_object_get(world, "snapshots"), i, e)
        {
            const char *s = json_string_value(json_object_get(e, "id"));
            if (s && n < max) out[n++] = s;
        }
        break;
    case 'g':
        json_array_foreach(json_object_get(world, "orgs"), i, e)
        {
            json_array_foreach(json_object_get(e, "projects"), k, p)
            {
                const char *s = json_string_value(json_object_get(p, "id"));
                if (s && n < max) out[n++] = s;
            }
        }
        break;
    case 'k':
        json_array_foreach(json_object_get(world, "keys"), i, e)
        {
            const char *s = json_string_value(json_object_get(e, "key"));
            if (s && n < max) out[n++] = s;
        }
        break;
    }
    return n;
}

static const char *slot_value(const json_t *world, char kind, uint8_t pick)
{
    const char *vals[256];
    size_t n = world_values(world, kind, vals, 256 - N_JUNK);
    for (size_t i = 0; i < N_JUNK; i++)
        vals[n++] = junk[i];
    return vals[pick % n];
}

static const char *key_value(const json_t *world, uint8_t pick)
{
    const char *vals[256];
    size_t n = world_values(world, 'k', vals, 254);
    vals[n++] = NULL; /* no credentials */
    vals[n++] = "not-a-key";
    return vals[pick % n];
}

/* Header variants per vendor (flags bits 0-2). */
static const char *const zilliz_headers[][2] = {
    {NULL, NULL},
    {"Content-Type", "application/json"},
    {"Content-Type", "text/plain"},
    {"Accept", "application/json"},
};
static const char *const crdb_headers[][2] = {
    {NULL, NULL},
    {"Cc-Version", "2024-09-16"},
    {"Cc-Version", "2025-07-25"},
    {"Cc-Version", "latest"},
    {"Cc-Version", "2024-13-45"},
    {"Cc-Version", "2024-02-29"},
    {"Cc-Version", ""},
};
static const char *const atlas_headers[][2] = {
    {NULL, NULL},
    {"Accept", "application/vnd.atlas.2023-01-01+json"},
    {"Accept", "application/vnd.atlas.2023-02-01+json"},
    {"Accept", "application/vnd.atlas.2024-08-05+json"},
    {"Accept", "application/json"},
    {"Accept", "application/vnd.atlas.2023-13-45+json"},
    {"Accept", "application/vnd.atlas.2022-12-31+json"},
    {"Accept", "*/*"},
};
static const char *const caller_ips[] = {"127.0.0.1", "10.1.2.3", "203.0.113.9", NULL};

int br_fuzz_request_decode(const json_t *world, const uint8_t *data, size_t size,
                           br_fuzz_request *r)
{
    memset(r, 0, sizeof *r);
    uint8_t head[BR_FUZZ_REQUEST_HEAD] = {0};
    size_t hn = size < BR_FUZZ_REQUEST_HEAD ? size : BR_FUZZ_REQUEST_HEAD;
    memcpy(head, data, hn);
    const uint8_t *rest = data + hn;
    size_t rest_len = size - hn;

    const route *rt = &routes[head[0] % N_ROUTES];
    r->vendor = rt->vendor;
    r->tmpl = rt->tmpl;
    uint8_t flags = head[5];
    switch (flags >> 6) {
    case 2:
        r->method = strcmp(rt->method, "GET") == 0 ? "POST" : "GET";
        break;
    case 3:
        r->method = "PATCH";
        break;
    default:
        r->method = rt->method;
    }

    /* The path: each {x} slot takes the next slot byte. */
    size_t o = 0, slot = 2;
    for (const char *p = rt->tmpl; *p && o < sizeof r->path - 1;) {
        if (p[0] == '{' && p[1] && strchr(slot_kinds, p[1]) && p[2] == '}') {
            const char *v = slot_value(world, p[1], slot < 5 ? head[slot] : 0);
            slot++;
            size_t len = strlen(v);
            if (len > sizeof r->path - 1 - o) len = sizeof r->path - 1 - o;
            memcpy(r->path + o, v, len);
            o += len;
            p += 3;
        } else {
            r->path[o++] = *p++;
        }
    }
    r->path[o] = '\0';

    r->key = key_value(world, head[1]);
    if (r->key && r->vendor != BR_VENDOR_ATLAS) {
        snprintf(r->auth, sizeof r->auth, "Bearer %s", r->key);
        r->headers[r->n_headers++] = (br_header){"Authorization", r->auth};
    }
    const char *const(*hv)[2] = zilliz_headers;
    size_t nhv = sizeof zilliz_headers / sizeof *zilliz_headers;
    if (r->vendor == BR_VENDOR_CRDB) {
        hv = crdb_headers;
        nhv = sizeof crdb_headers / sizeof *crdb_headers;
    } else if (r->vendor == BR_VENDOR_ATLAS) {
        hv = atlas_headers;
        nhv = sizeof atlas_headers / sizeof *atlas_headers;
    }
    const char *const *h = hv[(flags & 7) % nhv];
    if (h[0]) r->headers[r->n_headers++] = (br_header){h[0], h[1]};
    r->caller_ip = caller_ips[(flags >> 3) & 3];

    if (flags & BR_FUZZ_FLAG_QUERY) {
        const uint8_t *nl = memchr(rest, '\n', rest_len);
        size_t qlen = nl ? (size_t)(nl - rest) : rest_len;
        r->query = malloc(qlen + 1);
        if (!r->query) return BR_ENOMEM;
        memcpy(r->query, rest, qlen);
        r->query[qlen] = '\0';
        rest += nl ? qlen + 1 : qlen;
        rest_len -= nl ? qlen + 1 : qlen;
    }
    if (rest_len) {
        /* An exact-size copy, so that a read past the body's end is caught by ASan. */
        r->body = malloc(rest_len);
        if (!r->body) {
            br_fuzz_request_free(r);
            return BR_ENOMEM;
        }
        memcpy(r->body, rest, rest_len);
        r->body_len = rest_len;
    }
    return BR_OK;
}

void br_fuzz_request_to_br(const br_fuzz_request *r, br_request *out)
{
    memset(out, 0, sizeof *out);
    out->method = r->method;
    out->path = r->path;
    out->query = r->query;
    out->headers = r->headers;
    out->n_headers = r->n_headers;
    out->body = r->body;
    out->body_len = r->body_len;
    out->caller_ip = r->caller_ip;
    out->principal = r->vendor == BR_VENDOR_ATLAS ? r->key : NULL;
}

static json_t *body_json(const br_fuzz_request *r)
{
    /* JSON when it parses, the raw text when it is UTF-8 without NUL, hex otherwise. */
    json_t *parsed = json_loadb(r->body, r->body_len, JSON_DECODE_ANY, NULL);
    if (parsed) {
        char *again = json_dumps(parsed, JSON_ENCODE_ANY | JSON_COMPACT);
        bool same = again && strlen(again) == r->body_len && !memcmp(again, r->body, r->body_len);
        free(again);
        if (same) return json_pack("{s:o}", "body", parsed);
        json_decref(parsed);
    }
    if (!memchr(r->body, 0, r->body_len)) {
        json_t *s = json_stringn(r->body, r->body_len);
        if (s) return json_pack("{s:o}", "bodyRaw", s);
    }
    char *hex = malloc(r->body_len * 2 + 1);
    if (!hex) return NULL;
    for (size_t i = 0; i < r->body_len; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)r->body[i]);
    json_t *o = json_pack("{s:s}", "bodyHex", hex);
    free(hex);
    return o;
}

json_t *br_fuzz_request_json(const br_fuzz_request *r)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "method", json_string(r->method));
    size_t plen = strlen(r->path), qlen = r->query ? strlen(r->query) : 0;
    char *full = malloc(plen + 3 * qlen + 2);
    if (full) {
        memcpy(full, r->path, plen + 1);
        if (r->query) {
            /* Control and non-ASCII bytes as %XX: the model decodes the query, so the
             * fixture's request reaches it with the same bytes, and the path stays UTF-8. */
            char *q = full + plen;
            *q++ = '?';
            for (const unsigned char *c = (const unsigned char *)r->query; *c; c++)
                q += *c < 0x20 || *c >= 0x7f ? sprintf(q, "%%%02X", *c) : sprintf(q, "%c", *c);
            *q = '\0';
        }
        json_t *p = json_string(full);
        json_object_set_new(o, "path", p ? p : json_string(r->path));
        free(full);
    }
    json_t *headers = json_object();
    for (size_t i = 0; i < r->n_headers; i++)
        if (strcmp(r->headers[i].name, "Authorization") != 0)
            json_object_set_new(headers, r->headers[i].name, json_string(r->headers[i].value));
    if (json_object_size(headers))
        json_object_set_new(o, "headers", headers);
    else
        json_decref(headers);
    if (r->key) json_object_set_new(o, "key", json_string(r->key));
    if (r->caller_ip) json_object_set_new(o, "callerIp", json_string(r->caller_ip));
    if (r->body_len) {
        json_t *b = body_json(r);
        if (b) json_object_update(o, b);
        json_decref(b);
    }
    return o;
}

void br_fuzz_request_free(br_fuzz_request *r)
{
    if (!r) return;
    free(r->query);
    free(r->body);
    r->query = r->body = NULL;
}
