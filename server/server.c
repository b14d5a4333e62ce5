/* The mock server's wire layer on libmicrohttpd: reads requests within limits, applies armed
 * faults, authenticates Atlas Digest (RFC 7616, MD5, qop=auth) with libmicrohttpd's own
 * implementation, hands the request to the hosted model and writes its answer. No rule
 * logic lives here. Refusals that the request head decides (a Digest challenge, 413 by
 * Content-Length, 412, a fault, an admin refusal) go to a client waiting on "Expect:
 * 100-continue" in place of the 100 (RFC 9110 section 10.1.1); a body sent without waiting is
 * read before the answer (dropped when over the limit): closing a connection on unread bytes
 * resets it, and the answer with it. */
#include "server_callbacks.h"
#include "server_internal.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>

#define ADMIN_PREFIX "/_brcheck/v1/"
#define MAX_BODY BR__MAX_BODY
#define MAX_URI 8192
#define MAX_HEADERS 48
/* A body over the limit sent without waiting for 100 Continue is read and dropped up to this
 * much before the 413 (closing on unread bytes resets the connection, and the answer with it
 * on the client's side); past it, the answer goes at once. */
#define MAX_DRAIN (64 * 1024 * 1024)
#define MAX_HOST 300 /* the longest Host value (model/atlas/atlas.h MA_MAX_HOST) */

/* One request in flight: the raw URI (with its query) and the body read so far. */
typedef struct {
    char *uri; /* split into path and query in place */
    char *raw; /* as sent: what a Digest response signs */
    char *body;
    size_t len, cap;
    size_t declared; /* Content-Length when it exceeds the limit */
    size_t received; /* body bytes read, kept or not */
    bool started, too_large;
    bool split;  /* uri split into path and query */
    char *query; /* into uri, after the split */
    bool fault_checked, has_fault, delayed;
    bool early;        /* answered on the request head, before any body */
    br__fault fault;   /* the fault this request drew, kept across a delay */
    bool auth_checked; /* Atlas Digest verified once (a nonce count is taken once) */
    bool stale;
    char *principal; /* the verified Atlas key, NULL when none */
    bool refused;    /* arrived while the server was stopping: answered 503 */
    struct timespec t0;
} conn_req;

/* One open connection, for the header deadline: when the head of its current request began
 * (the connection's opening for its first request, the request line for later ones). */
struct br__conn_watch {
    struct br__conn_watch *prev, *next;
    int fd;
    bool waiting; /* a request head is arriving */
    struct timespec since;
};

static struct br__conn_watch *watch_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* Marks the head of a request as arriving (since now) or arrived. */
static void watch_head(br_server *s, struct MHD_Connection *c, bool arriving)
{
    struct br__conn_watch *w = watch_of(c);
    if (!w) return;
    pthread_mutex_lock(&s->conns_lock);
    if (arriving && !w->waiting) clock_gettime(CLOCK_MONOTONIC, &w->since);
    w->waiting = arriving;
    pthread_mutex_unlock(&s->conns_lock);
}

void br__server_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    br_server *s = cls;
    struct br__conn_watch *w = *socket_context;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (!ci || !(w = calloc(1, sizeof *w))) return;
        w->fd = ci->connect_fd;
        w->waiting = true; /* a connection is opened to send a request */
        clock_gettime(CLOCK_MONOTONIC, &w->since);
        pthread_mutex_lock(&s->conns_lock);
        w->next = s->conns;
        if (s->conns) s->conns->prev = w;
        s->conns = w;
        pthread_mutex_unlock(&s->conns_lock);
        *socket_context = w;
        return;
    }
    if (!w) return;
    /* Called before libmicrohttpd closes the socket: the watchdog never shuts a reused fd. */
    pthread_mutex_lock(&s->conns_lock);
    if (w->prev)
        w->prev->next = w->next;
    else
        s->conns = w->next;
    if (w->next) w->next->prev = w->prev;
    pthread_mutex_unlock(&s->conns_lock);
    free(w);
    *socket_context = NULL;
}

void *br__server_watchdog(void *arg)
{
    br_server *s = arg;
    /* A sleep between rounds, not a timed wait on a condition with the lock held: a preloaded
     * libfaketime (the wall-clock tests) replaces pthread_cond_timedwait, and ThreadSanitizer
     * then never sees the lock released. The stop is seen within a round. */
    while (!__atomic_load_n(&s->watchdog_stop, __ATOMIC_SEQ_CST)) {
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        pthread_mutex_lock(&s->conns_lock);
        for (struct br__conn_watch *w = s->conns; w; w = w->next) {
            if (!w->waiting || now.tv_sec - w->since.tv_sec < (time_t)s->header_timeout) continue;
            /* The event loop sees the end of the stream and closes the connection. */
            w->waiting = false;
            shutdown(w->fd, SHUT_RDWR);
            if (!s->quiet)
                fprintf(stderr,
                        "brcheck serve: closed a connection whose request head took over "
                        "%us (--header-timeout)\n",
                        s->header_timeout);
        }
        pthread_mutex_unlock(&s->conns_lock);
        nanosleep(&(struct timespec){0, 200000000L}, NULL);
    }
    return NULL;
}

void *br__server_on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    br_server *s = cls;
    watch_head(s, c, true);
    conn_req *r = calloc(1, sizeof *r);
    if (!r) return NULL;
    r->uri = strdup(uri ? uri : "/");
    r->raw = strdup(uri ? uri : "/");
    clock_gettime(CLOCK_MONOTONIC, &r->t0);
    /* Counted until its answer is done: a stop waits for it. One that begins after the stop
     * began is refused instead. */
    __atomic_add_fetch(&s->inflight, 1, __ATOMIC_SEQ_CST);
    r->refused = __atomic_load_n(&s->stopping, __ATOMIC_SEQ_CST);
    return r;
}

void br__server_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                             enum MHD_RequestTerminationCode toe)
{
    br_server *s = cls;
    conn_req *r = *con_cls;
    watch_head(s, c, false);
    if (!r) return;
    __atomic_sub_fetch(&s->inflight, 1, __ATOMIC_SEQ_CST);
    free(r->uri);
    free(r->raw);
    free(r->body);
    free(r->principal);
    free(r);
    *con_cls = NULL;
}

/* ---- answers the server writes itself (faults, limits, failures) in the vendor's shape */

static br_vendor vendor_of(const char *path)
{
    if (strncmp(path, "/v2/", 4) == 0) return BR_VENDOR_ZILLIZ;
    if (strncmp(path, "/api/v1/", 8) == 0) return BR_VENDOR_CRDB;
    if (strncmp(path, "/api/atlas/", 11) == 0) return BR_VENDOR_ATLAS;
    return BR_VENDOR_COUNT;
}

static const char *reason(int status)
{
    switch (status) {
    case 413:
        return "Payload Too Large";
    case 414:
        return "URI Too Long";
    case 429:
        return "Too Many Requests";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    default:
        return "Error";
    }
}

static json_t *vendor_error(br_vendor v, int status, const char *msg)
{
    switch (v) {
    case BR_VENDOR_ZILLIZ:
        return json_pack("{s:i,s:s}", "code", status, "message", msg);
    case BR_VENDOR_CRDB: {
        int grpc = status == 429 ? 8 : status == 503 ? 14 : status == 500 ? 13 : 3;
        return json_pack("{s:i,s:s,s:[]}", "code", grpc, "message", msg, "details");
    }
    case BR_VENDOR_ATLAS: {
        const char *code = status == 429   ? "RATE_LIMITED"
                           : status == 503 ? "SERVICE_UNAVAILABLE"
                           : status == 500 ? "UNEXPECTED_ERROR"
                                           : "INVALID_REQUEST";
        return json_pack("{s:s,s:i,s:s,s:[],s:s}", "detail", msg, "error", status, "errorCode",
                         code, "parameters", "reason", reason(status));
    }
    default:
        return json_pack("{s:s}", "error", msg);
    }
}

/* A response holding 'body' (taken) as compact JSON, with its Content-Type; NULL when out of
 * memory. */
static struct MHD_Response *json_response(json_t *body, const char *content_type)
{
    char *text = body ? json_dumps(body, JSON_COMPACT | JSON_ENCODE_ANY) : strdup("");
    json_decref(body);
    if (!text) return NULL;
    struct MHD_Response *res =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!res) {
        free(text);
        return NULL;
    }
    MHD_add_response_header(res, "Content-Type", content_type ? content_type : "application/json");
    return res;
}

static enum MHD_Result send_json(struct MHD_Connection *c, int status, json_t *body,
                                 const char *content_type, int retry_after, const char *allow)
{
    struct MHD_Response *res = json_response(body, content_type);
    if (!res) return MHD_NO;
    if (retry_after >= 0) {
        char ra[16];
        snprintf(ra, sizeof ra, "%d", retry_after);
        MHD_add_response_header(res, "Retry-After", ra);
    }
    if (allow) MHD_add_response_header(res, "Allow", allow);
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, res);
    MHD_destroy_response(res);
    return rc;
}

/* The answer to a request that arrived after the stop began: 503, and the connection closes
 * (a client retries it elsewhere or after a restart; the model never saw it). */
static enum MHD_Result send_stopping(struct MHD_Connection *c, br_vendor v)
{
    struct MHD_Response *res = json_response(
        vendor_error(v, 503, "brcheck serve is stopping; the request was not run"), NULL);
    if (!res) return MHD_NO;
    MHD_add_response_header(res, "Connection", "close");
    enum MHD_Result rc = MHD_queue_response(c, 503, res);
    MHD_destroy_response(res);
    return rc;
}

/* ---- request pieces ---- */

typedef struct {
    br_header items[MAX_HEADERS + 2]; /* room for the Host and scheme the server adds */
    size_t n;
} header_list;

static enum MHD_Result collect_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                      const char *value)
{
    header_list *h = cls;
    if (h->n < MAX_HEADERS) h->items[h->n++] = (br_header){key, value ? value : ""};
    return MHD_YES;
}

static const char *header(const header_list *h, const char *name)
{
    for (size_t i = 0; i < h->n; i++)
        if (strcasecmp(h->items[i].name, name) == 0) return h->items[i].value;
    return NULL;
}

static void drop_header(header_list *h, const char *name)
{
    for (size_t i = 0; i < h->n;)
        if (strcasecmp(h->items[i].name, name) == 0)
            h->items[i] = h->items[--h->n];
        else
            i++;
}

/* The caller's address as text; IPv4-mapped IPv6 addresses as plain IPv4. */
static bool caller_address(struct MHD_Connection *c, char *out, size_t len, bool *loopback)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    *loopback = false;
    if (!ci || !ci->client_addr) return false;
    const struct sockaddr *sa = ci->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)sa;
        inet_ntop(AF_INET, &in->sin_addr, out, (socklen_t)len);
        *loopback = (ntohl(in->sin_addr.s_addr) >> 24) == 127;
        return true;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)sa;
        if (IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr)) {
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], out, (socklen_t)len);
            *loopback = in6->sin6_addr.s6_addr[12] == 127;
        } else {
            inet_ntop(AF_INET6, &in6->sin6_addr, out, (socklen_t)len);
            *loopback = IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr);
        }
        return true;
    }
    return false;
}

static void log_line(const br_server *s, const char *method, const char *uri, int status,
                     const conn_req *r)
{
    if (s->quiet) return;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms =
        (double)(t1.tv_sec - r->t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - r->t0.tv_nsec) / 1e6;
    /* The query may carry nothing secret by the vendors' designs; headers are never logged. */
    fprintf(stderr, "%s %.200s %d %.2fms\n", method, uri, status, ms);
}

static bool secret_of(void *ctx, const char *user, char *pass, size_t len)
{
    br_server *s = ctx;
    pthread_mutex_lock(&s->host.lock);
    const char *secret = br_world_atlas_secret(s->host.world, user);
    if (secret) snprintf(pass, len, "%s", *secret ? secret : user);
    pthread_mutex_unlock(&s->host.lock);
    return secret != NULL;
}

/* Atlas Digest, once per request (each nonce count is taken once): r->principal when the
 * credentials verify; r->stale when the nonce expired. */
static void atlas_verify(br_server *s, struct MHD_Connection *c, const char *method, conn_req *r)
{
    if (r->auth_checked) return;
    r->auth_checked = true;
    char user[96];
    const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization");
    br__digest_result rc = br__digest_verify(&s->digest, auth, method, r->raw, secret_of, s, user);
    r->stale = rc == BR_DIGEST_STALE;
    r->principal = rc == BR_DIGEST_OK ? strdup(user) : NULL;
}

static enum MHD_Result send_model_answer(br_server *s, struct MHD_Connection *c,
                                         const br_response *res, bool stale)
{
    char *text = br_response_text(res);
    if (!text) return MHD_NO;
    struct MHD_Response *mr =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
    if (!mr) {
        free(text);
        return MHD_NO;
    }
    bool typed = false, challenge = false;
    for (size_t i = 0; i < res->n_headers; i++) {
        if (strcasecmp(res->headers[i].name, "WWW-Authenticate") == 0) {
            challenge = true; /* replaced by a challenge with a real nonce */
            continue;
        }
        typed |= strcasecmp(res->headers[i].name, "Content-Type") == 0;
        MHD_add_response_header(mr, res->headers[i].name, res->headers[i].value);
    }
    if (!typed && text[0]) MHD_add_response_header(mr, "Content-Type", "application/json");
    if (challenge && res->vendor == BR_VENDOR_ATLAS) {
        char *value = br__digest_challenge(&s->digest, stale);
        if (value) MHD_add_response_header(mr, "WWW-Authenticate", value);
        free(value);
    }
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)res->status, mr);
    MHD_destroy_response(mr);
    return rc;
}

static bool admin_token_ok(const br_server *s, const char *t)
{
    return t && strlen(t) == strlen(s->admin_token) && strcmp(t, s->admin_token) == 0;
}

typedef struct {
    br_server *s;
    struct MHD_Connection *c;
    int ms;
} delayed;

static void *resume_later(void *arg)
{
    delayed *d = arg;
    struct timespec t = {d->ms / 1000, (long)(d->ms % 1000) * 1000000L};
    nanosleep(&t, NULL);
    MHD_resume_connection(d->c);
    __atomic_sub_fetch(&d->s->delays_pending, 1, __ATOMIC_SEQ_CST);
    free(d);
    return NULL;
}

/* Suspends the connection for 'ms' without holding a worker; false when it cannot (then the
 * answer goes out at once). */
static bool delay(br_server *s, struct MHD_Connection *c, int ms)
{
    if (s->detached) return false; /* driven by one caller: no timers */
    delayed *d = malloc(sizeof *d);
    if (!d) return false;
    *d = (delayed){s, c, ms};
    __atomic_add_fetch(&s->delays_pending, 1, __ATOMIC_SEQ_CST);
    MHD_suspend_connection(c);
    pthread_t t;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    int rc = pthread_create(&t, &attr, resume_later, d);
    pthread_attr_destroy(&attr);
    if (rc != 0) {
        MHD_resume_connection(c);
        __atomic_sub_fetch(&s->delays_pending, 1, __ATOMIC_SEQ_CST);
        free(d);
        return false;
    }
    return true;
}

/* An X-Brcheck-World value: 1 to 20 decimal digits that fit 64 bits ("0": any world). */
static bool parse_generation(const char *text, uint64_t *out)
{
    uint64_t v = 0;
    size_t n = strlen(text);
    if (n == 0 || n > 20) return false;
    for (size_t i = 0; i < n; i++) {
        if (text[i] < '0' || text[i] > '9') return false;
        unsigned d = (unsigned)(text[i] - '0');
        if (v > (UINT64_MAX - d) / 10) return false;
        v = v * 10 + d;
    }
    *out = v;
    return true;
}

/* ---- the request head ---- */

static void split_uri(conn_req *r)
{
    if (r->split) return;
    r->split = true;
    r->query = strchr(r->uri, '?');
    if (r->query) *r->query++ = '\0';
}

typedef struct {
    int n;
    const char *value;
} host_count;

static enum MHD_Result count_host(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    host_count *hc = cls;
    if (strcasecmp(key, "Host") == 0) {
        hc->n++;
        hc->value = value ? value : "";
    }
    return MHD_YES;
}

/* A host name, IPv4 address or [IPv6] literal with an optional port (what links are built
 * on: model/atlas/atlas_paging.c takes the same characters); empty is allowed. */
static bool host_ok(const char *v)
{
    size_t n = strlen(v);
    if (n > MAX_HOST) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)v[i]) && !strchr(".-_~:[]%", v[i])) return false;
    return true;
}

/* Why the request's Host makes it a bad request (RFC 9112 section 3.2: an HTTP/1.1 request
 * carries exactly one Host header, naming a host; HTTP/1.0 may leave it out), or NULL. */
static const char *host_problem(struct MHD_Connection *c, const char *version)
{
    host_count hc = {0, NULL};
    MHD_get_connection_values(c, MHD_HEADER_KIND, count_host, &hc);
    if (hc.n > 1)
        return "Bad Request: a request carries one Host header, not several (RFC 9112 section "
               "3.2)\n";
    if (hc.n == 0 && strcmp(version, MHD_HTTP_VERSION_1_0) != 0)
        return "Bad Request: an HTTP/1.1 request carries a Host header naming the server it is "
               "for (RFC 9112 section 3.2)\n";
    if (hc.n == 1 && !host_ok(hc.value))
        return "Bad Request: the Host header is not a host[:port] (RFC 9112 section 3.2)\n";
    return NULL;
}

/* The address the client connected to as a Host value ("127.0.0.1:8080", "[::1]:8080"): the
 * origin of links for a request that named none (HTTP/1.0). */
static void local_authority(struct MHD_Connection *c, char *out, size_t len)
{
    snprintf(out, len, "localhost");
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    if (!ci || getsockname(ci->connect_fd, (struct sockaddr *)&ss, &sl) != 0) return;
    char ip[INET6_ADDRSTRLEN];
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *in = (const void *)&ss;
        inet_ntop(AF_INET, &in->sin_addr, ip, sizeof ip);
        snprintf(out, len, "%s:%u", ip, (unsigned)ntohs(in->sin_port));
    } else if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const void *)&ss;
        bool v4 = IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr);
        if (v4)
            inet_ntop(AF_INET, &in6->sin6_addr.s6_addr[12], ip, sizeof ip);
        else
            inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof ip);
        snprintf(out, len, v4 ? "%s:%u" : "[%s]:%u", ip, (unsigned)ntohs(in6->sin6_port));
    }
}

static enum MHD_Result send_plain(struct MHD_Connection *c, int status, const char *text)
{
    struct MHD_Response *res =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!res) return MHD_NO;
    MHD_add_response_header(res, "Content-Type", "text/plain; charset=utf-8");
    MHD_add_response_header(res, "Connection", "close");
    enum MHD_Result rc = MHD_queue_response(c, (unsigned)status, res);
    MHD_destroy_response(res);
    return rc;
}

/* Whether the request head alone decides a refusal, so that a client waiting on 100-continue
 * gets it in place of the 100: a body over the limit by Content-Length, a bad or replaced
 * X-Brcheck-World, an admin refusal, a fault that answers, Atlas credentials that do not
 * verify. Takes the fault and verifies the credentials for process(), once. */
static bool refused_on_head(br_server *s, struct MHD_Connection *c, const char *method, conn_req *r)
{
    if (r->too_large) return true;
    split_uri(r);
    const char *world = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Brcheck-World");
    uint64_t want = 0;
    if (world && !parse_generation(world, &want)) return true;
    char ip[INET6_ADDRSTRLEN];
    bool loopback;
    caller_address(c, ip, sizeof ip, &loopback);
    if (strncmp(r->uri, ADMIN_PREFIX, strlen(ADMIN_PREFIX)) == 0)
        return br__admin_refused(s, method, r->uri,
                                 MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Authorization"),
                                 want, loopback);
    if (want) {
        pthread_mutex_lock(&s->host.lock);
        bool replaced = br__host_replaced_locked(&s->host, want);
        pthread_mutex_unlock(&s->host.lock);
        if (replaced) return true;
    }
    if (!r->fault_checked) {
        r->fault_checked = true;
        r->has_fault = br__faults_take(&s->faults, method, r->uri, &r->fault);
    }
    /* A delayed fault waits for the body: the delay is the answer's, after the request. */
    if (r->has_fault && r->fault.delay_ms == 0 && (r->fault.drop || r->fault.status)) return true;
    if (vendor_of(r->uri) != BR_VENDOR_ATLAS) return false;
    atlas_verify(s, c, method, r);
    return r->principal == NULL;
}

/* The whole request is in (or its head decides the answer): admin call, fault, or the model. */
static enum MHD_Result process(br_server *s, struct MHD_Connection *c, const char *method,
                               conn_req *r)
{
    split_uri(r);
    char *path = r->uri, *query = r->query;
    char ip[INET6_ADDRSTRLEN] = "";
    bool loopback;
    caller_address(c, ip, sizeof ip, &loopback);
    header_list h = {.n = 0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, &h);

    /* The world a brcheck client loaded and means (server_internal.h, BR__HOST_REPLACED). */
    const char *world = header(&h, "X-Brcheck-World");
    uint64_t want = 0;
    if (world && !parse_generation(world, &want)) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "X-Brcheck-World must be the decimal generation a PUT /_brcheck/v1/world "
                 "answered, not \"%.60s\"",
                 world);
        log_line(s, method, path, 400, r);
        return send_json(c, 400, json_pack("{s:s}", "error", msg), NULL, -1, NULL);
    }
    drop_header(&h, "X-Brcheck-World");

    if (strncmp(path, ADMIN_PREFIX, strlen(ADMIN_PREFIX)) == 0) {
        json_t *out;
        const char *allow;
        int status = br__admin_handle(s, method, path, query, header(&h, "Authorization"), want,
                                      loopback, r->body, r->len, &out, &allow);
        log_line(s, method, path, status, r);
        return send_json(c, status, out, NULL, -1, status == 405 ? allow : NULL);
    }

    br_vendor v = vendor_of(path);
    if (!r->fault_checked) {
        r->fault_checked = true;
        r->has_fault = br__faults_take(&s->faults, method, path, &r->fault);
    }
    /* A delay suspends the connection; a timer resumes it and we come back here. An answer the
     * request head decided goes at once. */
    if (r->has_fault && r->fault.delay_ms > 0 && !r->delayed && !r->early) {
        r->delayed = true;
        if (delay(s, c, r->fault.delay_ms)) return MHD_YES;
    }
    const br__fault fault = r->fault;
    if (r->has_fault) {
        if (fault.drop) {
            log_line(s, method, path, 0, r);
            return MHD_NO; /* closes the connection without an answer */
        }
        if (fault.status) {
            log_line(s, method, path, fault.status, r);
            return send_json(c, fault.status,
                             vendor_error(v, fault.status, "fault injected by brcheck serve"), NULL,
                             fault.status == 429 ? fault.retry_after : -1, NULL);
        }
    }

    /* A fixture's stated caller, honoured only with the admin token. */
    const char *stated = header(&h, "X-Brcheck-Caller-Ip");
    if (stated && loopback && admin_token_ok(s, header(&h, "X-Brcheck-Admin-Token")))
        snprintf(ip, sizeof ip, "%s", stated);
    drop_header(&h, "X-Brcheck-Admin-Token");
    drop_header(&h, "X-Brcheck-Caller-Ip");

    /* The origin the client called, for the links in answers (Atlas lists): its Host (the
     * address it connected to when it named none) over plain HTTP, unless a proxy in front
     * said otherwise. */
    char local[INET6_ADDRSTRLEN + 16];
    const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Host");
    if (!host || !*host) {
        local_authority(c, local, sizeof local);
        host = local;
    }
    drop_header(&h, "Host");
    h.items[h.n++] = (br_header){"Host", host};
    if (!header(&h, "X-Forwarded-Proto")) h.items[h.n++] = (br_header){"X-Forwarded-Proto", "http"};

    if (v == BR_VENDOR_ATLAS) {
        atlas_verify(s, c, method, r);
        /* Unverified credentials never reach the model (it would trust the user name). */
        if (!r->principal) drop_header(&h, "Authorization");
    }
    br_request req = {
        .method = method,
        .path = path,
        .query = query,
        .headers = h.items,
        .n_headers = h.n,
        .body = r->body,
        .body_len = r->too_large ? (r->declared > MAX_BODY ? r->declared : MAX_BODY + 1) : r->len,
        .caller_ip = ip[0] ? ip : NULL,
        .principal = v == BR_VENDOR_ATLAS ? r->principal : NULL};
    if (r->too_large && !req.body) req.body = ""; /* never kept: the length refuses it */
    if (r->early && !r->too_large && (v != BR_VENDOR_ATLAS || r->principal)) {
        /* Answered on its head for the world it named: the model never takes it without its
         * body, even when a load has made that world current since. */
        pthread_mutex_lock(&s->host.lock);
        bool replaced = br__host_replaced_locked(&s->host, want);
        pthread_mutex_unlock(&s->host.lock);
        json_t *why = replaced ? NULL
                               : vendor_error(v, 409,
                                              "the world changed while the request came "
                                              "in; send it again");
        int status = replaced ? br__admin_replaced(s, want, &why) : 409;
        log_line(s, method, path, status, r);
        return send_json(c, status, why, NULL, -1, NULL);
    }
    br_response res;
    int rc = br__host_handle(&s->host, want, &req, &res);
    if (rc == BR__HOST_REPLACED) {
        json_t *why;
        int status = br__admin_replaced(s, want, &why);
        log_line(s, method, path, status, r);
        return send_json(c, status, why, NULL, -1, NULL);
    }
    if (rc != BR_OK) {
        char why[160];
        log_line(s, method, path, 500, r);
        return send_json(c, 500,
                         vendor_error(v, 500,
                                      rc == BR__HOST_JOURNAL
                                          ? br__host_journal_error(&s->host, why, sizeof why)
                                          : br_strerror(rc)),
                         NULL, -1, NULL);
    }
    log_line(s, method, path, res.status, r);
    enum MHD_Result out = send_model_answer(s, c, &res, r->stale);
    br_response_clear(&res);
    return out;
}

enum MHD_Result br__server_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    br_server *s = cls;
    conn_req *r = *con_cls;
    if (!r || !r->uri || !r->raw) return MHD_NO;
    if (!r->started) {
        r->started = true;
        watch_head(s, c, false);
        if (r->refused) {
            log_line(s, method, r->uri, 503, r);
            return send_stopping(c, vendor_of(r->uri));
        }
        if (strlen(r->uri) > MAX_URI) {
            log_line(s, method, "(long URI)", 414, r);
            return send_json(c, 414, vendor_error(vendor_of(r->uri), 414, "URI is too long"), NULL,
                             -1, NULL);
        }
        const char *bad_host = host_problem(c, version);
        if (bad_host) {
            log_line(s, method, r->uri, 400, r);
            return send_plain(c, 400, bad_host);
        }
        const char *cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Length");
        unsigned long long declared = 0;
        if (cl) {
            char *end;
            declared = strtoull(cl, &end, 10);
            if (end == cl) declared = 0;
        }
        if (declared > MAX_BODY) {
            /* The model refuses on the length alone: nothing of the body is kept. */
            r->too_large = true;
            r->declared =
                declared > (unsigned long long)SIZE_MAX / 2 ? SIZE_MAX / 2 : (size_t)declared;
        }
        const char *expect = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Expect");
        bool waits = expect && strcasecmp(expect, "100-continue") == 0 &&
                     strcmp(version, MHD_HTTP_VERSION_1_0) != 0;
        bool body = declared > 0 ||
                    MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Transfer-Encoding") != NULL;
        /* A response queued now goes out in place of the 100 Continue (the body never comes);
         * a body already on its way is read (and dropped) before the answer instead. */
        if ((body && waits && refused_on_head(s, c, method, r)) ||
            (r->too_large && r->declared > MAX_DRAIN)) {
            r->early = true;
            return process(s, c, method, r);
        }
        return MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        r->received += n;
        if (r->received > MAX_DRAIN) {
            log_line(s, method, r->uri, 0, r);
            return MHD_NO; /* a body this long is not read to its end */
        }
        if (r->too_large) return MHD_YES;
        if (r->len + n > MAX_BODY) {
            r->too_large = true; /* keep reading, keep nothing more */
            return MHD_YES;
        }
        if (r->len + n + 1 > r->cap) {
            size_t cap = r->cap ? r->cap : 4096;
            while (cap < r->len + n + 1)
                cap *= 2;
            char *b = realloc(r->body, cap);
            if (!b) return MHD_NO;
            r->body = b;
            r->cap = cap;
        }
        memcpy(r->body + r->len, upload_data, n);
        r->len += n;
        r->body[r->len] = '\0';
        return MHD_YES;
    }
    return process(s, c, method, r);
}
