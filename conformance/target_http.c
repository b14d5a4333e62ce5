/* The HTTP target (libcurl, one keep-alive handle): vendor requests go over the wire; against
 * `brcheck serve` the world, clock, simulator, dump, digest and invariant check go through
 * its admin API (server/README.md); against a real endpoint the target profile maps ids and
 * credentials, fixtures that need a world it cannot be put in are skipped, and awaits poll
 * in real time. A careful client: 429 and 503 are waited out, a dropped connection resent
 * once (a POST or PATCH only when it did not go out whole); each step may also run on an
 * in-process model in lockstep. */
#include "target_http.h"
#include "secrets.h"

#include "profile.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Response headers kept in full; beyond, only the first of each that the runner reads (a
 * gateway may add dozens, and a header the runner needs must never be lost to them). */
#define MAX_RESPONSE_HEADERS 1000
#define MAX_BUCKETS 64
#define MAX_RETRIES 8
#define MAX_RETRY_WAIT 60.0 /* seconds: longest Retry-After honoured */

typedef struct {
    char name[64];
    char *value;
} header;

typedef struct {
    char tmpl[192];
    double rate; /* requests per second: its vendor's */
    double tokens, last;
} bucket;

typedef struct {
    CURL *curl;
    CURL *digest_curl;  /* Atlas Digest exchanges */
    bool digest_primed; /* digest_curl holds a nonce */
    char base[512];
    bool admin;
    char admin_token[256];
    json_t *profile; /* own reference, may be NULL */
    json_t *given;   /* own reference: the current world (Atlas key secrets) */
    br_target *shadow;
    bool lockstep;
    /* `brcheck serve`: the generation of the world this target loaded (the admin API counts
     * the worlds loaded; every call names it in X-Brcheck-World); 'replaced' once the server
     * said another client has loaded one since. */
    json_int_t generation;
    bool replaced;
    char err[512];
    char div[512];
    bool has_div;
    /* the answer being received */
    char *body;
    size_t body_len, body_cap;
    bool body_oom;
    header *headers;
    size_t n_headers, cap_headers;
    /* the exchange being performed: requests libcurl began to send, whether an answer began
     * since the last one, whether that request went out whole (its head, then all of its
     * body), and whether libcurl tried to resend it on its own (refused: see on_prereq) */
    unsigned sends;
    bool answered;
    bool head_out;
    size_t body_out;
    bool resend_refused;
    /* real endpoints */
    double request_timeout, await_timeout;
    double poll_initial, poll_factor, poll_max;
    double await_started;
    double rate[BR_VENDOR_COUNT]; /* requests per second per path template; 0: no limit */
    bucket buckets[MAX_BUCKETS];
    size_t n_buckets;
    br_http_stats stats;
} http_target;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_seconds(http_target *h, double s)
{
    if (s <= 0) return;
    h->stats.waited += s;
    struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
    }
}

/* ---- receiving ---- */

static void clear_headers(http_target *h)
{
    for (size_t i = 0; i < h->n_headers; i++)
        free(h->headers[i].value);
    h->n_headers = 0;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    http_target *h = ctx;
    size_t len = size * n;
    if (h->body_len + len + 1 > h->body_cap) {
        size_t cap = h->body_cap ? h->body_cap : 4096;
        while (cap < h->body_len + len + 1)
            cap *= 2;
        char *nb = realloc(h->body, cap);
        if (!nb) {
            h->body_oom = true;
            return 0;
        }
        h->body = nb;
        h->body_cap = cap;
    }
    memcpy(h->body + h->body_len, data, len);
    h->body_len += len;
    h->body[h->body_len] = '\0';
    return len;
}

static const char *find_header(const http_target *h, const char *name)
{
    for (size_t i = 0; i < h->n_headers; i++)
        if (strcasecmp(h->headers[i].name, name) == 0) return h->headers[i].value;
    return NULL;
}

/* The response headers fixtures look at (in this order in a br_response) and Retry-After,
 * which the careful client reads. */
static const char *const read_headers[] = {
    "Content-Type", "WWW-Authenticate", "Retry-After", "Location", "Link", "X-Error-Code", NULL};

static bool is_read_header(const char *name)
{
    for (size_t i = 0; read_headers[i]; i++)
        if (strcasecmp(read_headers[i], name) == 0) return true;
    return false;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    http_target *h = ctx;
    size_t len = size * n;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* a new answer (after a Digest challenge or a 100 Continue): forget the previous */
        clear_headers(h);
        h->body_len = 0;
        h->answered = true;
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon) return len;
    size_t nl = (size_t)(colon - data);
    if (nl == 0 || nl >= sizeof h->headers[0].name) return len;
    char name[sizeof h->headers[0].name];
    memcpy(name, data, nl);
    name[nl] = '\0';
    /* past the bound only the first of each header read here is kept: memory stays bounded
     * (libcurl bounds each header's size), and what is read is never lost */
    if (h->n_headers >= MAX_RESPONSE_HEADERS && (!is_read_header(name) || find_header(h, name)))
        return len;
    if (h->n_headers == h->cap_headers) {
        size_t cap = h->cap_headers ? h->cap_headers * 2 : 32;
        header *nh = realloc(h->headers, cap * sizeof *nh);
        if (!nh) return len;
        h->headers = nh;
        h->cap_headers = cap;
    }
    const char *v = colon + 1, *end = data + len;
    while (v < end && (*v == ' ' || *v == '\t'))
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n' || end[-1] == ' '))
        end--;
    header *hd = &h->headers[h->n_headers];
    memcpy(hd->name, name, nl + 1);
    hd->value = malloc((size_t)(end - v) + 1);
    if (!hd->value) return len;
    memcpy(hd->value, v, (size_t)(end - v));
    hd->value[end - v] = '\0';
    h->n_headers++;
    return len;
}

/* What went out of the request being sent: its head, then its body's bytes. */
static int on_debug(CURL *c, curl_infotype type, char *data, size_t size, void *ctx)
{
    (void)c;
    (void)data;
    http_target *h = ctx;
    if (type == CURLINFO_HEADER_OUT) h->head_out = true;
    if (type == CURLINFO_DATA_OUT) h->body_out += size;
    return 0;
}

/* Called before each request libcurl sends. libcurl sends a request again on its own when a
 * reused connection died without an answer, a POST included; with perform_careful's own
 * resend that made three sends. It is refused here (the perform ends as a dropped
 * connection): perform_careful alone decides, and resends at most once. A second request
 * after an answer (a Digest challenge) goes ahead. */
static int on_prereq(void *ctx, char *primary_ip, char *local_ip, int primary_port, int local_port)
{
    (void)primary_ip;
    (void)local_ip;
    (void)primary_port;
    (void)local_port;
    http_target *h = ctx;
    if (h->sends++ > 0 && !h->answered) {
        h->resend_refused = true;
        return CURL_PREREQFUNC_ABORT;
    }
    h->answered = false;
    h->head_out = false;
    h->body_out = 0;
    return CURL_PREREQFUNC_OK;
}

/* ---- one exchange ---- */

typedef struct {
    const char *method;
    const char *url;
    struct curl_slist *headers;
    const char *body;
    size_t body_len;
    const char *user, *pass; /* Digest credentials, or NULL */
    bool fresh;              /* on a new connection */
} exchange;

/* Performs one exchange as is (no retries). Returns the curl code; *status the HTTP status. */
static CURLcode perform(http_target *h, const exchange *x, long *status)
{
    CURL *c = x->user && h->digest_curl ? h->digest_curl : h->curl;
    h->body_len = 0;
    h->body_oom = false;
    clear_headers(h);
    curl_easy_setopt(c, CURLOPT_URL, x->url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(c, CURLOPT_NOBODY, 0L);
    if (x->body) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)x->body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, x->body);
        if (strcmp(x->method, "POST") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, x->method);
    } else if (strcmp(x->method, "HEAD") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    } else if (strcmp(x->method, "POST") == 0) {
        curl_easy_setopt(c, CURLOPT_POST, 1L);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)0);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, "");
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        if (strcmp(x->method, "GET") != 0) curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, x->method);
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, x->headers);
    /* a server may answer a large body before reading it (413, a Digest challenge): never
     * reuse such a connection, whatever is left of the body would read as the next request */
    curl_easy_setopt(c, CURLOPT_FORBID_REUSE, x->body_len > 64 * 1024 ? 1L : 0L);
    if (x->user) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_DIGEST);
        curl_easy_setopt(c, CURLOPT_USERNAME, x->user);
        curl_easy_setopt(c, CURLOPT_PASSWORD, x->pass ? x->pass : "");
    } else {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
        curl_easy_setopt(c, CURLOPT_USERNAME, NULL);
        curl_easy_setopt(c, CURLOPT_PASSWORD, NULL);
    }
    curl_easy_setopt(c, CURLOPT_FRESH_CONNECT, x->fresh ? 1L : 0L);
    h->sends = 0;
    h->answered = h->head_out = h->resend_refused = false;
    h->body_out = 0;
    CURLcode rc = curl_easy_perform(c);
    *status = 0;
    if (rc == CURLE_OK) curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    return rc;
}

static bool dropped(const http_target *h, CURLcode rc)
{
    return rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
           rc == CURLE_PARTIAL_FILE || (rc == CURLE_ABORTED_BY_CALLBACK && h->resend_refused);
}

/* Methods whose request may be repeated without a second effect (RFC 9110, 9.2.2). */
static bool idempotent(const char *method)
{
    static const char *const m[] = {"GET", "HEAD", "PUT", "DELETE", "OPTIONS", NULL};
    for (size_t i = 0; m[i]; i++)
        if (strcmp(method, m[i]) == 0) return true;
    return false;
}

/* Performs with the careful client's retries: 429 and 503 are waited out (Retry-After, else
 * back-off); a dropped connection is resent once, on a new connection, unless the request
 * went out whole and its method is not idempotent: a POST the server received may have
 * started a restore, and a second one would start another. Returns false with h->err on
 * failure. */
static bool perform_careful(http_target *h, const exchange *x0, long *status)
{
    int drops = 0;
    double backoff = 0.05;
    exchange cur = *x0;
    const exchange *x = &cur;
    for (int attempt = 0;; attempt++) {
        h->stats.requests++;
        CURLcode rc = perform(h, x, status);
        if (rc == CURLE_OK && h->body_oom) {
            snprintf(h->err, sizeof h->err, "out of memory reading the answer");
            return false;
        }
        if (rc == CURLE_OK) {
            bool busy = *status == 503 || *status == 429;
            if (!busy || attempt >= MAX_RETRIES) return true;
            const char *ra = find_header(h, "Retry-After");
            double wait = backoff;
            if (ra && isdigit((unsigned char)ra[0])) wait = strtod(ra, NULL);
            if (wait > MAX_RETRY_WAIT) wait = MAX_RETRY_WAIT;
            backoff = backoff * 2 > 5 ? 5 : backoff * 2;
            h->stats.retried++;
            sleep_seconds(h, wait);
            continue;
        }
        if (dropped(h, rc)) {
            const char *why =
                h->resend_refused ? "no answer on a reused connection" : curl_easy_strerror(rc);
            bool whole = h->head_out && h->body_out >= x->body_len;
            bool resend = !whole || idempotent(x->method);
            if (drops++ == 0 && resend) {
                h->stats.retried++;
                cur.fresh = true;
                continue;
            }
            if (!resend)
                snprintf(h->err, sizeof h->err,
                         "%s %s: the connection was dropped after the request went out (%s); "
                         "not resent: the %s may have taken effect",
                         x->method, x->url, why, x->method);
            else
                snprintf(h->err, sizeof h->err, "%s %s: the connection was dropped twice (%s)",
                         x->method, x->url, why);
        } else
            snprintf(h->err, sizeof h->err, "%s %s: %s", x->method, x->url, curl_easy_strerror(rc));
        return false;
    }
}

/* ---- the admin API ---- */

/* `brcheck serve` refuses a call that names a world another client has replaced since this
 * target loaded its own (412 {"worldReplaced": true}): two runs sharing one server would
 * otherwise reset each other's world, and what followed would read as the server's fault.
 * From then on every call fails with the reason. */
static bool fenced(http_target *h, long status)
{
    if (status != 412 || !h->body_len) return h->replaced;
    json_t *b = json_loadb(h->body, h->body_len, 0, NULL);
    if (json_is_true(json_object_get(b, "worldReplaced")) && !h->replaced) {
        h->replaced = true;
        json_int_t now = json_integer_value(json_object_get(b, "generation"));
        if (now > 0 && now < h->generation) /* a server that counts from 1 again */
            snprintf(h->err, sizeof h->err,
                     "%.300s was restarted after this run loaded its world (world %lld; it has "
                     "loaded %lld since): its world is gone (brcheck serve --state FILE keeps it)",
                     h->base, (long long)h->generation, (long long)now);
        else
            snprintf(h->err, sizeof h->err,
                     "another client loaded a world into %.300s after this run loaded its own "
                     "(world %lld): give each run or fuzzer its own brcheck serve",
                     h->base, (long long)h->generation);
    }
    json_decref(b);
    return h->replaced;
}

/* The X-Brcheck-World header naming the world this target loaded, added to hl (`brcheck serve`
 * only, once it has said which). */
static struct curl_slist *name_world(const http_target *h, struct curl_slist *hl)
{
    if (!h->admin || !h->generation) return hl;
    char line[64];
    snprintf(line, sizeof line, "X-Brcheck-World: %lld", (long long)h->generation);
    return curl_slist_append(hl, line);
}

int br_http_target_admin(br_target *t, const char *method, const char *path, const json_t *body,
                         json_t **out)
{
    http_target *h = t->self;
    if (out) *out = NULL;
    char url[1024], auth[300];
    snprintf(url, sizeof url, "%s/_brcheck/v1/%s", h->base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", h->admin_token);
    struct curl_slist *hl = curl_slist_append(NULL, auth);
    hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    if (strncmp(path, "world", 5) != 0 || strcmp(method, "GET") == 0) hl = name_world(h, hl);
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    exchange x = {.method = method,
                  .url = url,
                  .headers = hl,
                  .body = text,
                  .body_len = text ? strlen(text) : 0,
                  .fresh = false};
    long status = 0;
    bool ok = perform_careful(h, &x, &status);
    free(text);
    curl_slist_free_all(hl);
    if (!ok) return 0;
    if (out && h->body_len) *out = json_loadb(h->body, h->body_len, 0, NULL);
    if (fenced(h, status)) return (int)status; /* h->err says why */
    if (status >= 400) {
        const char *msg = h->body_len ? h->body : "";
        snprintf(h->err, sizeof h->err, "admin %s %s: HTTP %ld %.300s", method, path, status, msg);
    }
    return (int)status;
}

/* ---- the target ---- */

static const char *target_error(br_target *t)
{
    http_target *h = t->self;
    return h->err[0] ? h->err : NULL;
}

static const char *target_lost(br_target *t)
{
    http_target *h = t->self;
    return h->replaced ? h->err : NULL;
}

static int reset(br_target *t, const json_t *given, const char *profile, char *err, size_t len)
{
    http_target *h = t->self;
    h->err[0] = '\0';
    h->has_div = false;
    json_decref(h->given);
    h->given = given ? json_incref((json_t *)given) : NULL;
    if (h->shadow) {
        int rc = h->shadow->reset(h->shadow, given, profile, err, len);
        if (rc != BR_OK) return rc;
    }
    if (!h->admin) return BR_OK; /* a real endpoint: only the ids are mapped, per request */
    char path[64];
    snprintf(path, sizeof path, "world?profile=%s", profile ? profile : "default");
    json_t *empty = given ? NULL : json_object();
    json_t *loaded = NULL;
    h->replaced = false;
    h->generation = 0;
    int status = br_http_target_admin(t, "PUT", path, given ? given : empty, &loaded);
    json_decref(empty);
    /* 0 (a server that does not say): calls name no world */
    h->generation = json_integer_value(json_object_get(loaded, "generation"));
    /* Fixtures and the fuzzer's oracle run on virtual time: on a wall clock the world moves
     * between any two calls (a digest around an error answer, an await, a time compared). */
    bool wall = json_is_string(json_object_get(loaded, "clock")) &&
                strcmp(json_string_value(json_object_get(loaded, "clock")), "wall") == 0;
    json_decref(loaded);
    if (status / 100 == 2 && wall) {
        snprintf(err, len,
                 "%.300s runs on the wall clock (brcheck serve --clock wall); fixtures and "
                 "brcheck fuzz play virtual time: serve them with --clock virtual, the default",
                 h->base);
        return BR_EINVAL;
    }
    if (status / 100 == 2) return BR_OK;
    snprintf(err, len, "%s", h->err);
    return status == 0 ? BR_EINVAL : BR_EWORLD;
}

static const char *vendor_of_path(const char *path)
{
    if (strncmp(path, "/v2/", 4) == 0) return "zilliz";
    if (strncmp(path, "/api/v1/", 8) == 0) return "crdb";
    if (strncmp(path, "/api/atlas/", 11) == 0) return "atlas";
    return NULL;
}

/* The profile's rateLimits: each vendor's requests at most its perSecond per endpoint, a
 * token bucket per path template (segments holding digits are ids); Zilliz, for one, allows
 * 20 requests/s per endpoint. */
static void rate_limit(http_target *h, const char *method, const char *path)
{
    const char *vendor = vendor_of_path(path);
    br_vendor v = vendor ? br_vendor_from_name(vendor) : BR_VENDOR_COUNT;
    if (v == BR_VENDOR_COUNT || h->rate[v] <= 0) return;
    double rate = h->rate[v];
    char tmpl[192];
    size_t o = (size_t)snprintf(tmpl, sizeof tmpl, "%s ", method);
    for (const char *p = path; *p && o + 2 < sizeof tmpl;) {
        size_t n = strcspn(p + 1, "/") + 1;
        bool id = false;
        for (size_t i = 1; i < n; i++)
            id = id || isdigit((unsigned char)p[i]);
        o += (size_t)snprintf(tmpl + o, sizeof tmpl - o, "%.*s", id ? 2 : (int)n, id ? "/*" : p);
        p += n;
    }
    bucket *b = NULL;
    for (size_t i = 0; i < h->n_buckets && !b; i++)
        if (strcmp(h->buckets[i].tmpl, tmpl) == 0) b = &h->buckets[i];
    double t = now_seconds();
    if (!b) {
        b = &h->buckets[h->n_buckets < MAX_BUCKETS ? h->n_buckets++ : MAX_BUCKETS - 1];
        snprintf(b->tmpl, sizeof b->tmpl, "%s", tmpl);
        b->rate = rate;
        b->tokens = rate < 1 ? 1 : rate;
        b->last = t;
    }
    /* a bucket holds at least one token: below 1 request/s it would never fill */
    double full = b->rate < 1 ? 1 : b->rate;
    b->tokens += (t - b->last) * b->rate;
    if (b->tokens > full) b->tokens = full;
    b->last = t;
    if (b->tokens < 1) {
        sleep_seconds(h, (1 - b->tokens) / b->rate);
        b->tokens = 1;
        b->last = now_seconds();
    }
    b->tokens -= 1;
}

/* The private key of an Atlas key in the current world: its "secret", else the key itself
 * (brcheck serve's convention for worlds without secrets). */
static const char *given_secret(const http_target *h, const char *key)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(h->given, "keys"), i, k)
    {
        const char *name = json_string_value(json_object_get(k, "key"));
        const char *secret = json_string_value(json_object_get(k, "secret"));
        if (name && strcmp(name, key) == 0 && secret) return secret;
    }
    return key;
}

/* Appends s to a growing buffer; false on allocation failure. */
static bool append(char **buf, size_t *len, size_t *cap, const char *s, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t nc = *cap ? *cap : 256;
        while (nc < *len + n + 1)
            nc *= 2;
        char *nb = realloc(*buf, nc);
        if (!nb) return false;
        *buf = nb;
        *cap = nc;
    }
    memcpy(*buf + *len, s, n);
    *len += n;
    (*buf)[*len] = '\0';
    return true;
}

/* The profile whose ids and credentials stand in for the fixture's: a real endpoint's only.
 * `brcheck serve` is loaded with the fixture's own world, so its names are the real ones
 * there, in paths, bodies and answers alike. */
static const json_t *mapping(const http_target *h)
{
    return h->admin ? NULL : h->profile;
}

/* The URL for a request; on a real endpoint every path segment and query value that the
 * profile maps is replaced by the real id. Owned. */
static char *make_url(const http_target *h, const br_request *req)
{
    const json_t *profile = mapping(h);
    char *u = NULL;
    size_t len = 0, cap = 0;
    bool ok = append(&u, &len, &cap, h->base, strlen(h->base));
    const char *parts[2] = {req->path, req->query};
    for (int part = 0; part < 2 && ok; part++) {
        const char *p = parts[part];
        if (!p) continue;
        if (part == 1) ok = append(&u, &len, &cap, "?", 1);
        const char *seps = part == 0 ? "/" : "&=";
        while (ok && *p) {
            size_t n = strcspn(p, seps);
            char seg[256];
            const char *real = NULL;
            if (profile && n > 0 && n < sizeof seg) {
                memcpy(seg, p, n);
                seg[n] = '\0';
                real = br_profile_id(profile, seg);
            }
            ok = real ? append(&u, &len, &cap, real, strlen(real)) : append(&u, &len, &cap, p, n);
            p += n;
            if (*p && ok) ok = append(&u, &len, &cap, p++, 1);
        }
    }
    if (!ok) {
        free(u);
        return NULL;
    }
    return u;
}

/* Replaces JSON string values: fixture names by real ids (to_real) or back. */
static void map_ids(const json_t *profile, json_t *v, bool to_real)
{
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, e)
        {
            const char *s = json_string_value(e);
            const char *m =
                s ? (to_real ? br_profile_id(profile, s) : br_profile_id_reverse(profile, s))
                  : NULL;
            if (m)
                json_object_set_new(v, k, json_string(m));
            else
                map_ids(profile, e, to_real);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            const char *s = json_string_value(e);
            const char *m =
                s ? (to_real ? br_profile_id(profile, s) : br_profile_id_reverse(profile, s))
                  : NULL;
            if (m)
                json_array_set_new(v, i, json_string(m));
            else
                map_ids(profile, e, to_real);
        }
    }
}

/* Whether an answer of HTTP 200 still says no. Zilliz refuses with HTTP 200 as often as not:
 * its envelope's "code" is 0 on success and the error's code otherwise (ZC-ENVELOPE). Atlas
 * asked for ?envelope=true answers 200 with the status it would have sent in the body:
 * {"status", "content"}. */
static bool refuses_in_body(br_vendor vendor, const json_t *body)
{
    if (vendor == BR_VENDOR_ZILLIZ) {
        const json_t *code = json_object_get(body, "code");
        return json_is_integer(code) && json_integer_value(code) != 0;
    }
    if (vendor == BR_VENDOR_ATLAS && json_object_get(body, "content")) {
        const json_t *status = json_object_get(body, "status");
        return json_is_integer(status) && json_integer_value(status) >= 400;
    }
    return false;
}

static void fill_response(http_target *h, const char *path, long status, br_response *res)
{
    memset(res, 0, sizeof *res);
    res->status = (int)status;
    if (h->body_len) {
        res->body = json_loadb(h->body, h->body_len, JSON_DECODE_ANY, NULL);
        if (!res->body) res->body = json_stringn_nocheck(h->body, h->body_len);
        if (res->body && mapping(h)) map_ids(mapping(h), res->body, false);
    }
    /* the headers fixtures look at, in this order, as many as a response holds */
    const char *const *wanted = read_headers;
    for (size_t i = 0; wanted[i] && res->n_headers < BR_MAX_RESPONSE_HEADERS; i++) {
        const char *v = find_header(h, wanted[i]);
        if (!v) continue;
        char *copy = strdup(v);
        if (!copy) continue;
        res->owned[res->n_headers] = copy;
        res->headers[res->n_headers++] = (br_header){wanted[i], copy};
    }
    const char *vendor = vendor_of_path(path);
    res->vendor = vendor ? br_vendor_from_name(vendor) : BR_VENDOR_COUNT;
    res->error = status >= 400 || refuses_in_body(res->vendor, res->body);
}

static bool has_request_header(const br_request *req, const char *name)
{
    for (size_t i = 0; i < req->n_headers; i++)
        if (strcasecmp(req->headers[i].name, name) == 0) return true;
    return false;
}

/* True when the credentials the profile names for key are all set. Else false with h->err
 * naming the key and the variable, and url and hl freed: sending the key's name as the
 * credential would have every step refused, and charged to the vendor's rules. A run checks
 * this before playing (br_http_target_unset_credential); this is for any other caller. */
static bool unset_credential(http_target *h, const char *key, bool digest, char *url,
                             struct curl_slist *hl)
{
    const char *var = br_profile_unset_credential(mapping(h), key, digest);
    if (!var) return true;
    snprintf(h->err, sizeof h->err,
             "the target profile's credentials for key \"%.100s\": $%.100s is not set", key, var);
    free(url);
    curl_slist_free_all(hl);
    return false;
}

static int send_http(br_target *t, const br_request *req, br_response *res)
{
    http_target *h = t->self;
    memset(res, 0, sizeof *res);
    if (h->replaced) return BR_EINVAL; /* h->err says why */
    h->err[0] = '\0';
    char *url = make_url(h, req);
    if (!url) return BR_ENOMEM;
    struct curl_slist *hl = NULL;
    char line[2048], digest_user[128] = "";
    for (size_t i = 0; i < req->n_headers; i++) {
        const char *name = req->headers[i].name, *value = req->headers[i].value;
        const char *token = NULL;
        if (h->admin && !req->principal && strcasecmp(name, "Authorization") == 0 &&
            br_digest_literal_user(h->given, value, digest_user, sizeof digest_user))
            continue;
        /* a real endpoint: the fixture's key name becomes the credential the profile names */
        bool bearer = mapping(h) && strcasecmp(name, "Authorization") == 0 &&
                      strncmp(value, "Bearer ", 7) == 0;
        if (bearer && !unset_credential(h, value + 7, false, url, hl))
            return BR_EINVAL; /* h->err says which variable */
        if (bearer && br_profile_bearer(mapping(h), value + 7, &token, NULL))
            snprintf(line, sizeof line, "%s: Bearer %s", name, token);
        else if (*value)
            snprintf(line, sizeof line, "%s: %s", name, value);
        else
            snprintf(line, sizeof line, "%s;", name);
        hl = curl_slist_append(hl, line);
    }
    /* what the model sees in-process: no headers curl would add on its own */
    if (!has_request_header(req, "Accept")) hl = curl_slist_append(hl, "Accept:");
    if (!has_request_header(req, "Content-Type")) hl = curl_slist_append(hl, "Content-Type:");
    hl = curl_slist_append(hl, "Expect:");
    hl = name_world(h, hl);
    if (h->admin && req->caller_ip && strcmp(req->caller_ip, "127.0.0.1") != 0) {
        snprintf(line, sizeof line, "X-Brcheck-Caller-Ip: %s", req->caller_ip);
        hl = curl_slist_append(hl, line);
        snprintf(line, sizeof line, "X-Brcheck-Admin-Token: %s", h->admin_token);
        hl = curl_slist_append(hl, line);
    }
    const char *user = NULL, *pass = NULL;
    if (digest_user[0]) {
        user = digest_user;
        pass = given_secret(h, digest_user);
    } else if (req->principal) {
        if (mapping(h) && !unset_credential(h, req->principal, true, url, hl)) return BR_EINVAL;
        if (!mapping(h) || !br_profile_digest(mapping(h), req->principal, &user, &pass, NULL)) {
            user = req->principal;
            pass = given_secret(h, req->principal);
        }
    }
    char *body = NULL;
    size_t body_len = req->body_len;
    if (req->body && mapping(h) && json_object_size(json_object_get(mapping(h), "ids"))) {
        json_t *j = json_loadb(req->body, req->body_len, JSON_DECODE_ANY, NULL);
        if (j) {
            map_ids(mapping(h), j, true);
            body = json_dumps(j, JSON_COMPACT | JSON_ENCODE_ANY);
            body_len = body ? strlen(body) : 0;
            json_decref(j);
        }
    }
    rate_limit(h, req->method, req->path);
    if (user && !h->digest_primed && strstr(url, "envelope=true")) {
        /* envelope=true wraps even the Digest challenge in a 200, which no client can answer:
         * take a nonce first from a plain request, as a careful Atlas client does. */
        char primer[700];
        snprintf(primer, sizeof primer, "%s/api/atlas/v1.0/groups", h->base);
        struct curl_slist *ph = curl_slist_append(NULL, "Expect:");
        exchange p = {.method = "GET", .url = primer, .headers = ph, .user = user, .pass = pass};
        long pst = 0;
        perform(h, &p, &pst);
        curl_slist_free_all(ph);
        h->digest_primed = true;
    }
    exchange x = {.method = req->method,
                  .url = url,
                  .headers = hl,
                  .body = body        ? body
                          : req->body ? req->body
                                      : NULL,
                  .body_len = body_len,
                  .user = user,
                  .pass = pass};
    long status = 0;
    bool ok = perform_careful(h, &x, &status);
    curl_slist_free_all(hl);
    free(body);
    free(url);
    if (!ok && h->admin && !h->replaced) {
        /* A connection of `brcheck serve` that dropped: if the server was restarted (or its
         * world replaced) meanwhile, that is the reason to give, not the drop it caused. */
        char why[sizeof h->err];
        snprintf(why, sizeof why, "%s", h->err);
        br_http_target_admin(t, "GET", "clock", NULL, NULL);
        if (!h->replaced) snprintf(h->err, sizeof h->err, "%s", why);
    }
    if (!ok || fenced(h, status)) return BR_EINVAL;
    fill_response(h, req->path, status, res);
    h->has_div = false;
    if (h->lockstep && h->shadow) {
        br_response model;
        if (h->shadow->send(h->shadow, req, &model) == BR_OK &&
            model.status / 100 != status / 100) {
            h->has_div = true;
            snprintf(h->div, sizeof h->div,
                     "lockstep: the model answers %s %s with HTTP %d, the target with HTTP %ld",
                     req->method, req->path, model.status, status);
        }
        br_response_clear(&model);
    }
    return BR_OK;
}

static bool diverged(br_target *t, char *msg, size_t len)
{
    http_target *h = t->self;
    if (!h->has_div) return false;
    h->has_div = false;
    snprintf(msg, len, "%s", h->div);
    return true;
}

static int advance(br_target *t, br_time seconds)
{
    http_target *h = t->self;
    if (h->shadow) h->shadow->advance(h->shadow, seconds);
    if (!h->admin) return BR_OK; /* real time passes on its own */
    json_t *body = json_pack("{s:I}", "advance", (json_int_t)seconds);
    int status = br_http_target_admin(t, "POST", "clock", body, NULL);
    json_decref(body);
    return status / 100 == 2 ? BR_OK : BR_EINVAL;
}

static int sim(br_target *t, const json_t *op)
{
    http_target *h = t->self;
    if (h->shadow) h->shadow->sim(h->shadow, op);
    if (!h->admin) return BR_EINVAL;
    int status = br_http_target_admin(t, "POST", "sim", op, NULL);
    return status / 100 == 2 ? BR_OK : status == 404 ? BR_ENOENT : BR_EINVAL;
}

static json_t *dump(br_target *t)
{
    json_t *out = NULL;
    int status = br_http_target_admin(t, "GET", "world", NULL, &out);
    if (status != 200) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static bool digest(br_target *t, uint64_t *out)
{
    json_t *o = NULL;
    int status = br_http_target_admin(t, "GET", "digest", NULL, &o);
    const char *hex = json_string_value(json_object_get(o, "digest"));
    bool ok = status == 200 && hex;
    if (ok) *out = strtoull(hex, NULL, 16);
    json_decref(o);
    return ok;
}

static int check(br_target *t, br_rule *rule, char *msg, size_t len)
{
    json_t *o = NULL;
    int status = br_http_target_admin(t, "GET", "check", NULL, &o);
    int bad = 0;
    if (status == 200 && json_is_false(json_object_get(o, "ok"))) {
        *rule = br_rule_from_id(json_string_value(json_object_get(o, "rule")));
        snprintf(msg, len, "%s",
                 json_string_value(json_object_get(o, "message"))
                     ? json_string_value(json_object_get(o, "message"))
                     : "the server's invariant check failed");
        bad = 1;
    }
    json_decref(o);
    return bad;
}

/* Real endpoints: awaits poll with back-off until the profile's await timeout. */
static bool poll_wait(br_target *t, unsigned attempt)
{
    http_target *h = t->self;
    if (attempt <= 1) h->await_started = now_seconds();
    double wait = h->poll_initial;
    for (unsigned i = 1; i < attempt && wait < h->poll_max; i++)
        wait *= h->poll_factor;
    if (wait > h->poll_max) wait = h->poll_max;
    if (now_seconds() - h->await_started + wait > h->await_timeout) return false;
    sleep_seconds(h, wait);
    return true;
}

/* A real endpoint cannot be put in every world: fixtures that say so, that drive the world
 * (sim, inspect), or that the profile lists are skipped. */
static bool skips(br_target *t, const json_t *fixture, char *why, size_t len)
{
    http_target *h = t->self;
    const char *id = json_string_value(json_object_get(fixture, "id"));
    const char *vendor = json_string_value(json_object_get(fixture, "vendor"));
    if (h->profile && br_profile_skip(h->profile, id, vendor, why, len)) return true;
    if (h->admin) return false;
    const char *reason =
        json_string_value(json_object_get(json_object_get(fixture, "needs"), "reason"));
    if (reason) {
        snprintf(why, len, "needs %s", reason);
        return true;
    }
    size_t i;
    json_t *step;
    json_array_foreach(json_object_get(fixture, "steps"), i, step)
    {
        if (json_object_get(step, "sim") || json_object_get(step, "inspect")) {
            snprintf(why, len, "step %zu drives the world (%s): only brcheck serve can", i + 1,
                     json_object_get(step, "sim") ? "sim" : "inspect");
            return true;
        }
    }
    return false;
}

static void close_target(br_target *t)
{
    if (!t) return;
    http_target *h = t->self;
    if (h) {
        if (h->curl) curl_easy_cleanup(h->curl);
        if (h->digest_curl) curl_easy_cleanup(h->digest_curl);
        clear_headers(h);
        free(h->headers);
        free(h->body);
        json_decref(h->profile);
        json_decref(h->given);
        if (h->shadow) h->shadow->close(h->shadow);
        free(h);
    }
    free(t);
}

void br_http_target_set_lockstep(br_target *t, bool on)
{
    http_target *h = t->self;
    h->lockstep = on;
    if (on && !h->shadow) h->shadow = br_model_target_new(BR_RULE_COUNT);
    if (!on && h->shadow) {
        h->shadow->close(h->shadow);
        h->shadow = NULL;
    }
}

bool br_http_target_is_admin(const br_target *t)
{
    return ((const http_target *)t->self)->admin;
}

/* A request object's credential (request.key, or a literal "Authorization: Bearer NAME")
 * whose variable is unset: sets *key and *var. */
static bool request_unset(const http_target *h, const json_t *r, bool atlas, const char **key,
                          const char **var)
{
    const char *k = json_string_value(json_object_get(r, "key"));
    const char *path = json_string_value(json_object_get(r, "path"));
    bool digest = atlas || (path && strncmp(path, "/api/atlas/", 11) == 0);
    if (k && (*var = br_profile_unset_credential(mapping(h), k, digest))) {
        *key = k;
        return true;
    }
    const char *name;
    json_t *v;
    json_object_foreach(json_object_get(r, "headers"), name, v)
    {
        const char *s = json_string_value(v);
        if (s && strcasecmp(name, "Authorization") == 0 && strncmp(s, "Bearer ", 7) == 0 &&
            (*var = br_profile_unset_credential(mapping(h), s + 7, false))) {
            *key = s + 7;
            return true;
        }
    }
    return false;
}

bool br_http_target_unset_credential(const br_target *t, const json_t *fixture, const char **key,
                                     const char **var)
{
    const http_target *h = t->self;
    if (!mapping(h)) return false;
    const char *vendor = json_string_value(json_object_get(fixture, "vendor"));
    bool atlas = vendor && strcmp(vendor, "atlas") == 0;
    size_t i;
    json_t *step;
    json_array_foreach(json_object_get(fixture, "steps"), i, step)
    {
        if (request_unset(h, json_object_get(step, "request"), atlas, key, var) ||
            request_unset(h, json_object_get(json_object_get(step, "await"), "request"), atlas, key,
                          var))
            return true;
    }
    return false;
}

void br_http_target_stats(const br_target *t, br_http_stats *out)
{
    *out = ((const http_target *)t->self)->stats;
}

br_target *br_http_target_new(const char *base_url, const json_t *profile, char *err, size_t errlen)
{
    static bool curl_ready;
    if (!base_url ||
        (strncmp(base_url, "http://", 7) != 0 && strncmp(base_url, "https://", 8) != 0)) {
        snprintf(err, errlen, "a target URL starts with http:// or https:// (got %s)",
                 base_url ? base_url : "nothing");
        return NULL;
    }
    if (strlen(base_url) >= 500) {
        snprintf(err, errlen, "the target URL is too long");
        return NULL;
    }
    if (!curl_ready) {
        if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
            snprintf(err, errlen, "libcurl failed to initialize");
            return NULL;
        }
        curl_ready = true;
    }
    br_target *t = calloc(1, sizeof *t);
    http_target *h = calloc(1, sizeof *h);
    if (!t || !h || !(h->curl = curl_easy_init())) {
        free(t);
        free(h);
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    *t = (br_target){.name = "http",
                     .reset = reset,
                     .send = send_http,
                     .advance = advance,
                     .sim = sim,
                     .dump = dump,
                     .digest = digest,
                     .check = check,
                     .close = close_target,
                     .self = h,
                     .error = target_error,
                     .diverged = diverged,
                     .skips = skips,
                     .lost = target_lost};
    snprintf(h->base, sizeof h->base, "%s", base_url);
    size_t bl = strlen(h->base);
    while (bl > 0 && h->base[bl - 1] == '/')
        h->base[--bl] = '\0';
    h->profile = profile ? json_incref((json_t *)profile) : NULL;
    snprintf(h->admin_token, sizeof h->admin_token, "%s", br_profile_admin_token(profile));
    h->request_timeout = br_profile_timeout(profile, "request");
    h->await_timeout = br_profile_timeout(profile, "await");
    br_profile_poll(profile, &h->poll_initial, &h->poll_factor, &h->poll_max);
    for (int v = 0; v < BR_VENDOR_COUNT; v++)
        h->rate[v] = br_profile_rate(profile, br_vendor_name((br_vendor)v));
    CURL *c = h->curl;
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, h);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, (long)(h->request_timeout * 1000));
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_PREREQFUNCTION, on_prereq);
    curl_easy_setopt(c, CURLOPT_PREREQDATA, h);
    /* the debug callback says what of a request went out (verbose only feeds it) */
    curl_easy_setopt(c, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(c, CURLOPT_DEBUGDATA, h);
    curl_easy_setopt(c, CURLOPT_VERBOSE, 1L);
    /* Digest exchanges get their own handle: its nonce survives other requests, and an
     * unfinished Digest negotiation never leaks into a Bearer or admin request (libcurl
     * would send that body as Content-Length: 0, expecting a challenge). */
    h->digest_curl = curl_easy_duphandle(c);
    if (!h->digest_curl) {
        snprintf(err, errlen, "out of memory");
        close_target(t);
        return NULL;
    }
    /* Is anyone there, and is it brcheck serve? */
    int admin = br_profile_admin(profile);
    char url[600];
    snprintf(url, sizeof url, "%s/_brcheck/v1/ping", h->base);
    struct curl_slist *hl = curl_slist_append(NULL, "Expect:");
    exchange x = {.method = "GET", .url = url, .headers = hl};
    long status = 0;
    CURLcode rc = perform(h, &x, &status);
    curl_slist_free_all(hl);
    if (rc != CURLE_OK) {
        snprintf(err, errlen, "cannot reach %s: %s", h->base, curl_easy_strerror(rc));
        close_target(t);
        return NULL;
    }
    json_t *pong = status == 200 ? json_loadb(h->body, h->body_len, 0, NULL) : NULL;
    bool is_serve = json_is_true(json_object_get(pong, "pong"));
    json_decref(pong);
    if (admin == 1 && !is_serve) {
        snprintf(err, errlen, "%s is not brcheck serve (GET /_brcheck/v1/ping: HTTP %ld)", h->base,
                 status);
        close_target(t);
        return NULL;
    }
    h->admin = admin == -1 ? is_serve : admin == 1;
    if (h->admin) {
        json_t *clock = NULL;
        int s = br_http_target_admin(t, "GET", "clock", NULL, &clock);
        bool wall = json_is_string(json_object_get(clock, "clock")) &&
                    strcmp(json_string_value(json_object_get(clock, "clock")), "wall") == 0;
        json_decref(clock);
        if (s != 200) {
            snprintf(err, errlen, "%s: the admin API refused the token (HTTP %d)", h->base, s);
            close_target(t);
            return NULL;
        }
        if (wall) { /* refused once, at the start, not as an error of every fixture */
            snprintf(err, errlen,
                     "%.300s runs on the wall clock (brcheck serve --clock wall); fixtures and "
                     "brcheck fuzz play virtual time: serve them with --clock virtual, the "
                     "default",
                     h->base);
            close_target(t);
            return NULL;
        }
        t->name = "brcheck-serve";
    } else {
        t->dump = NULL;
        t->digest = NULL;
        t->check = NULL;
        t->poll_wait = poll_wait;
    }
    int ls = br_profile_lockstep(profile);
    br_http_target_set_lockstep(t, ls == -1 ? h->admin : ls == 1);
    if (ls != 0 && h->admin && !h->shadow) {
        snprintf(err, errlen, "out of memory");
        close_target(t);
        return NULL;
    }
    return t;
}
