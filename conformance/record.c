/* Recorded exchanges to a fixture skeleton (fixtures/README.md). Answers become matchers:
 * a new id is captured ($capture:name) and later occurrences in paths, bodies and answers
 * become ${name}; times become $time, URLs a $regex, secrets $any. Credentials never reach
 * the fixture (SEC-SECRETS): a Bearer token becomes a key name (the world's, or key-N), a
 * Digest pair its public key; the world's key secrets are left out, and secret-looking
 * request headers and query values are written as REDACTED. */
#include "record.h"
#include "secrets.h"

#include <ctype.h>
#include <regex.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* What a fixture keeps of a secret in a request: a placeholder that is still a valid value
 * (in a query too, where "[REDACTED]" would need escaping). */
#define PLACEHOLDER "REDACTED"

struct br_recorder {
    json_t *world;    /* own reference, may be NULL */
    json_t *steps;    /* the fixture's steps */
    json_t *captures; /* name -> captured string */
    json_t *seen;     /* string values the world or a request already held: set */
    json_t *tokens;   /* Bearer token -> key name */
    char vendor[16];
    bool last_challenge; /* the last step is an unauthenticated 401 Digest challenge */
    char last_method[16];
    char *last_target;
};

static void collect_strings(json_t *seen, const json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_string(v)) {
        json_object_set_new(seen, json_string_value(v), json_true());
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, e) collect_strings(seen, e);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e) collect_strings(seen, e);
    }
}

br_recorder *br_recorder_new(const json_t *world, const char *vendor)
{
    br_recorder *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->steps = json_array();
    r->captures = json_object();
    r->seen = json_object();
    r->tokens = json_object();
    if (!r->steps || !r->captures || !r->seen || !r->tokens) {
        br_recorder_free(r);
        return NULL;
    }
    if (world) {
        r->world = json_incref((json_t *)world);
        collect_strings(r->seen, world);
    }
    if (vendor) snprintf(r->vendor, sizeof r->vendor, "%s", vendor);
    return r;
}

void br_recorder_free(br_recorder *r)
{
    if (!r) return;
    json_decref(r->world);
    json_decref(r->steps);
    json_decref(r->captures);
    json_decref(r->seen);
    json_decref(r->tokens);
    free(r->last_target);
    free(r);
}

size_t br_recorder_count(const br_recorder *r)
{
    return json_array_size(r->steps);
}

static const char *vendor_of(const char *path)
{
    if (strncmp(path, "/v2/", 4) == 0) return "zilliz";
    if (strncmp(path, "/api/v1/", 8) == 0) return "crdb";
    if (strncmp(path, "/api/atlas/", 11) == 0) return "atlas";
    return NULL;
}

static bool world_has_key(const br_recorder *r, const char *name)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(r->world, "keys"), i, k)
    {
        const char *key = json_string_value(json_object_get(k, "key"));
        if (key && strcmp(key, name) == 0) return true;
    }
    return false;
}

/* The key name to write for a credential; NULL when the request carries none. */
static char *key_name(br_recorder *r, const char *auth)
{
    if (!auth) return NULL;
    if (strncasecmp(auth, "Bearer ", 7) == 0) {
        const char *token = auth + 7;
        if (world_has_key(r, token)) return strdup(token);
        const char *known = json_string_value(json_object_get(r->tokens, token));
        if (known) return strdup(known);
        char name[32];
        snprintf(name, sizeof name, "key-%zu", json_object_size(r->tokens) + 1);
        json_object_set_new(r->tokens, token, json_string(name));
        return strdup(name);
    }
    if (strncasecmp(auth, "Digest ", 7) == 0) {
        const char *u = strstr(auth, "username=\"");
        if (!u) return NULL;
        u += 10;
        size_t n = strcspn(u, "\"");
        return strndup(u, n);
    }
    return NULL;
}

static bool id_key(const char *k)
{
    if (!k) return false;
    size_t n = strlen(k);
    return strcasecmp(k, "id") == 0 || strcasecmp(k, "uuid") == 0 ||
           (n > 2 && (strcmp(k + n - 2, "Id") == 0 || strcmp(k + n - 2, "ID") == 0 ||
                      strcmp(k + n - 3, "_id") == 0));
}

static bool rfc3339(const char *s)
{
    static const char re_text[] =
        "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}(:[0-9]{2}(\\.[0-9]+)?)?Z$";
    regex_t re;
    if (regcomp(&re, re_text, REG_EXTENDED | REG_NOSUB) != 0) return false;
    bool ok = regexec(&re, s, 0, NULL, 0) == 0;
    regfree(&re);
    return ok;
}

/* Replaces every captured value (the longest first) inside s by ${name}. Owned. */
static char *replace_captures(const br_recorder *r, const char *s)
{
    char *out = strdup(s);
    for (bool again = true; again && out;) {
        again = false;
        const char *best = NULL, *best_name = NULL;
        const char *name;
        json_t *v;
        json_object_foreach(r->captures, name, v)
        {
            const char *val = json_string_value(v);
            if (val && strlen(val) >= 4 && strstr(out, val) &&
                (!best || strlen(val) > strlen(best))) {
                best = val;
                best_name = name;
            }
        }
        if (!best) break;
        char *at = strstr(out, best);
        size_t vl = strlen(best), nl = strlen(best_name);
        char *n = malloc(strlen(out) - vl + nl + 4);
        if (!n) {
            free(out);
            return NULL;
        }
        sprintf(n, "%.*s${%s}%s", (int)(at - out), out, best_name, at + vl);
        free(out);
        out = n;
        again = true;
    }
    return out;
}

/* Request bodies: captured values become ${name}, secrets a placeholder. In place. */
static void request_value(br_recorder *r, json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, e)
        {
            if (br_secret_key(k) && json_is_string(e)) {
                json_object_set_new(v, k, json_string(PLACEHOLDER));
            } else if (json_is_string(e)) {
                collect_strings(r->seen, e);
                char *s = replace_captures(r, json_string_value(e));
                if (s) json_object_set_new(v, k, json_string(s));
                free(s);
            } else {
                request_value(r, e);
            }
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            if (json_is_string(e)) {
                collect_strings(r->seen, e);
                char *s = replace_captures(r, json_string_value(e));
                if (s) json_array_set_new(v, i, json_string(s));
                free(s);
            } else {
                request_value(r, e);
            }
        }
    }
}

static const char *capture_name(br_recorder *r, const char *key, char *buf, size_t len)
{
    char base[64];
    size_t o = 0;
    for (const char *p = key; *p && o + 1 < sizeof base; p++)
        if (isalnum((unsigned char)*p) || *p == '_') base[o++] = *p;
    base[o] = '\0';
    if (!o) snprintf(base, sizeof base, "value");
    snprintf(buf, len, "%s", base);
    for (int n = 2; json_object_get(r->captures, buf); n++)
        snprintf(buf, len, "%s_%d", base, n);
    return buf;
}

/* One answer value as a matcher. New reference. */
static json_t *answer_value(br_recorder *r, const char *key, const json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_object(v)) {
        json_t *o = json_object();
        json_object_foreach((json_t *)v, k, e) json_object_set_new(o, k, answer_value(r, k, e));
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        json_array_foreach(v, i, e) json_array_append_new(a, answer_value(r, NULL, e));
        return a;
    }
    if (!json_is_string(v)) return json_deep_copy(v);
    const char *s = json_string_value(v);
    if (br_secret_key(key)) return json_string("$any");
    const char *name;
    json_t *c;
    json_object_foreach(r->captures, name, c)
    {
        if (strcmp(json_string_value(c), s) == 0) {
            char ref[160];
            snprintf(ref, sizeof ref, "${%s}", name);
            return json_string(ref);
        }
    }
    if (rfc3339(s)) return json_string("$time");
    if (id_key(key) && *s && !json_object_get(r->seen, s)) {
        char buf[96], m[128];
        capture_name(r, key, buf, sizeof buf);
        json_object_set_new(r->captures, buf, json_string(s));
        snprintf(m, sizeof m, "$capture:%s", buf);
        return json_string(m);
    }
    if (strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0)
        return json_string("$regex:^https?://");
    if (s[0] == '$') return json_string("$any"); /* would read as a matcher */
    return json_string(s);
}

static bool skipped_header(const char *name)
{
    static const char *const names[] = {"Authorization",
                                        "Host",
                                        "Content-Length",
                                        "Connection",
                                        "Transfer-Encoding",
                                        "Expect",
                                        "Keep-Alive",
                                        "Accept-Encoding",
                                        "User-Agent",
                                        "Proxy-Authorization",
                                        NULL};
    for (size_t i = 0; names[i]; i++)
        if (strcasecmp(name, names[i]) == 0) return true;
    return strncasecmp(name, "X-Brcheck-", 10) == 0;
}

/* The request target with the value of every secret-looking query parameter (?token=,
 * ?api_key=, ?sig=...) replaced by PLACEHOLDER. Owned; NULL when out of memory. */
static char *redact_query(const char *target)
{
    const char *q = strchr(target, '?');
    size_t n = strlen(target);
    char *out = malloc(n + (n / 2 + 1) * sizeof PLACEHOLDER + 1);
    if (!out) return NULL;
    size_t o = q ? (size_t)(q - target) + 1 : n;
    memcpy(out, target, o);
    for (const char *p = q ? q + 1 : target + n; *p;) {
        size_t len = strcspn(p, "&"), nl = strcspn(p, "=&");
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(nl < sizeof name ? nl : sizeof name - 1), p);
        if (nl < len && br_secret_name(name)) {
            memcpy(out + o, p, nl + 1);
            o += nl + 1;
            memcpy(out + o, PLACEHOLDER, sizeof PLACEHOLDER - 1);
            o += sizeof PLACEHOLDER - 1;
        } else {
            memcpy(out + o, p, len);
            o += len;
        }
        p += len;
        if (*p == '&') out[o++] = *p++;
    }
    out[o] = '\0';
    return out;
}

/* A copy of the world without its secrets (an Atlas key's "secret"): replayed, the key's
 * public key is its private key too, in the model and in brcheck serve alike. */
static json_t *world_without_secrets(const json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_object(v)) {
        json_t *o = json_object();
        json_object_foreach((json_t *)v, k, e) if (!br_secret_key(k))
            json_object_set_new(o, k, world_without_secrets(e));
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        json_array_foreach(v, i, e) json_array_append_new(a, world_without_secrets(e));
        return a;
    }
    return json_deep_copy(v);
}

static bool printable_utf8(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] == '\0' || (unsigned char)s[i] >= 0x80) return false;
    return true;
}

int br_recorder_add(br_recorder *r, const char *method, const char *target, const br_header *req_h,
                    size_t n_req_h, const char *req_body, size_t req_len, int status,
                    const br_header *res_h, size_t n_res_h, const char *res_body, size_t res_len)
{
    const char *auth = NULL;
    for (size_t i = 0; i < n_req_h; i++)
        if (strcasecmp(req_h[i].name, "Authorization") == 0) auth = req_h[i].value;
    char *key = key_name(r, auth);
    /* curl --digest: the unauthenticated first try and its challenge are not the scenario */
    if (r->last_challenge && auth && strncasecmp(auth, "Digest ", 7) == 0 &&
        strcmp(r->last_method, method) == 0 && r->last_target &&
        strcmp(r->last_target, target) == 0)
        json_array_remove(r->steps, json_array_size(r->steps) - 1);
    if (!r->vendor[0] && vendor_of(target))
        snprintf(r->vendor, sizeof r->vendor, "%s", vendor_of(target));

    json_t *request = json_object();
    json_object_set_new(request, "method", json_string(method));
    char *redacted = redact_query(target);
    if (!redacted) {
        json_decref(request);
        free(key);
        return BR_ENOMEM;
    }
    char *path = replace_captures(r, redacted);
    json_object_set_new(request, "path", json_string(path ? path : redacted));
    free(redacted);
    /* path segments and query values now count as known: ids the client already had */
    char *copy = strdup(target);
    char *save = NULL;
    for (char *seg = copy ? strtok_r(copy, "/?&=", &save) : NULL; seg;
         seg = strtok_r(NULL, "/?&=", &save))
        json_object_set_new(r->seen, seg, json_true());
    free(copy);
    free(path);
    json_t *headers = json_object();
    for (size_t i = 0; i < n_req_h; i++)
        if (!skipped_header(req_h[i].name))
            json_object_set_new(
                headers, req_h[i].name,
                json_string(br_secret_name(req_h[i].name) ? PLACEHOLDER : req_h[i].value));
    if (json_object_size(headers))
        json_object_set_new(request, "headers", headers);
    else
        json_decref(headers);
    if (req_body && req_len) {
        json_t *body = json_loadb(req_body, req_len, JSON_DECODE_ANY, NULL);
        if (body) {
            request_value(r, body);
            json_object_set_new(request, "body", body);
        } else if (printable_utf8(req_body, req_len)) {
            json_object_set_new(request, "bodyRaw", json_stringn(req_body, req_len));
        } else {
            char *hex = malloc(req_len * 2 + 1);
            for (size_t i = 0; hex && i < req_len; i++)
                sprintf(hex + 2 * i, "%02x", (unsigned char)req_body[i]);
            if (hex) json_object_set_new(request, "bodyHex", json_string(hex));
            free(hex);
        }
    }
    if (key) json_object_set_new(request, "key", json_string(key));

    json_t *expect = json_object();
    json_object_set_new(expect, "status", json_integer(status));
    json_t *answer = res_len ? json_loadb(res_body, res_len, JSON_DECODE_ANY, NULL) : NULL;
    if (answer) json_object_set_new(expect, "body", answer_value(r, NULL, answer));
    json_decref(answer);
    /* answer headers are transport (the model itself sets none but challenges): not kept */
    (void)res_h;
    (void)n_res_h;

    char name[300];
    snprintf(name, sizeof name, "%s %s", method,
             json_string_value(json_object_get(request, "path")));
    json_t *step = json_pack("{s:s,s:o,s:o}", "name", name, "request", request, "expect", expect);
    int rc = step && json_array_append_new(r->steps, step) == 0 ? BR_OK : BR_ENOMEM;
    r->last_challenge = status == 401 && !key;
    snprintf(r->last_method, sizeof r->last_method, "%s", method);
    free(r->last_target);
    r->last_target = strdup(target);
    free(key);
    return rc;
}

json_t *br_recorder_fixture(const br_recorder *r, const char *id, const char *source)
{
    json_t *given = r->world ? world_without_secrets(r->world) : json_object();
    return json_pack("{s:s,s:s,s:{s:s},s:s,s:o,s:O}", "id", id, "vendor",
                     r->vendor[0] ? r->vendor : "zilliz", "rules", "INV-ATOMIC", "holds", "source",
                     source, "given", given, "steps", r->steps);
}
