/* brcheck record: a recording proxy (libmicrohttpd in front, libcurl behind). Every request
 * is forwarded to the upstream as is and its answer returned as is; the session is written
 * as a fixture skeleton (conformance/record.c) after every exchange and at the end. */
#include "commands.h"
#include "record.h"

#include <arpa/inet.h>
#include <errno.h>
#include <curl/curl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static const char record_usage[] =
    "usage: brcheck record --upstream URL --out FILE [--listen ADDR] [--vendor V]\n"
    "                      [--world FILE] [--port-file FILE] [--upstream-timeout S]\n"
    "\n"
    "A recording proxy: point a client at ADDR instead of the upstream; every request is\n"
    "forwarded unchanged and the session is written to FILE as a fixture skeleton (the id\n"
    "is FILE's base name). Authorization headers are never written: a Bearer token becomes\n"
    "the name of the world's key it equals, else key-1, key-2...; a Digest pair its public\n"
    "key. Other secret-looking headers (X-Api-Key, Cookie...) and query values (?token=,\n"
    "?api_key=...) are written as REDACTED, and the world's key secrets are left out of\n"
    "\"given\" (replayed, a key's public key is its private key too; against a real\n"
    "endpoint a profile supplies credentials). Answers become matchers: new ids are\n"
    "captured ($capture:name) and reused as ${name}, times become $time, passwords $any.\n"
    "Stop with Ctrl-C (SIGINT) or SIGTERM.\n"
    "\n"
    "  --upstream URL    where requests go (e.g. http://127.0.0.1:8080 for brcheck serve)\n"
    "  --out FILE        the fixture to write (rewritten after every exchange)\n"
    "  --listen ADDR     IPv4 HOST:PORT to listen on (default 127.0.0.1:8081; port 0: any)\n"
    "  --vendor V        zilliz, crdb or atlas (default: from the first path)\n"
    "  --world FILE      the upstream's world (a \"given\" or a fixture): the fixture's \"given\"\n"
    "  --port-file FILE  write the bound port to FILE once listening\n"
    "  --upstream-timeout S  give up a request the upstream has not answered in S seconds\n"
    "                    (default 120; the client gets 502 and nothing is recorded)\n"
    "\n"
    "A stop does not wait for the upstream: a request in flight is given up (its client\n"
    "gets 502, it is not recorded) and the fixture written within about a second. A second\n"
    "Ctrl-C exits at once (status 130); the fixture, rewritten after every exchange before\n"
    "its answer goes back, holds every exchange answered.\n"
    "\n"
    "Exit status: 0 stopped by a signal with the fixture written; 2 a usage or start-up error,\n"
    "or the fixture could not be written (at start: before any exchange); 130 a second signal.\n";

#define MAX_HEADERS 64
#define MAX_BODY (64 * 1024 * 1024)

typedef struct {
    char upstream[512];
    const char *out, *id, *source;
    br_recorder *rec;
    CURL *curl;
    pthread_mutex_t lock;
} proxy;

typedef struct {
    char *body;
    size_t len, cap;
    bool too_big;
    bool started;
    char *uri; /* the request target as received */
} buffer;

typedef struct {
    br_header h[MAX_HEADERS];
    char *owned[MAX_HEADERS];
    size_t n;
} headers;

/* Set by the signal handler on the main thread, read by the thread curl runs on: atomic
 * (lock-free, so safe in a handler). */
static atomic_int stop;
static char tmp_path[1100]; /* the fixture being written (out.tmp) */

/* The first signal stops: the request in flight upstream is given up (abort_if_stopping)
 * and the fixture written. A second one exits at once: the fixture, rewritten through a
 * rename after every exchange before its answer goes back, already holds every exchange
 * answered. */
static void on_signal(int sig)
{
    (void)sig;
    if (atomic_load(&stop)) {
        static const char msg[] = "brcheck record: stopped at once; the fixture holds every "
                                  "exchange answered\n";
        unlink(tmp_path);
        ssize_t w = write(STDERR_FILENO, msg, sizeof msg - 1);
        (void)w;
        _exit(130);
    }
    atomic_store(&stop, 1);
}

/* curl calls this about once a second even while the upstream says nothing: a stop does not
 * wait for the upstream timeout. */
static int abort_if_stopping(void *ctx, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                             curl_off_t ulnow)
{
    (void)ctx;
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    return atomic_load(&stop) ? 1 : 0;
}

static bool grow(buffer *b, const char *data, size_t n)
{
    if (b->len + n > MAX_BODY) {
        b->too_big = true;
        return false;
    }
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 1024;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *nb = realloc(b->body, cap);
        if (!nb) return false;
        b->body = nb;
        b->cap = cap;
    }
    memcpy(b->body + b->len, data, n);
    b->len += n;
    b->body[b->len] = '\0';
    return true;
}

static void headers_add(headers *hs, const char *name, size_t nl, const char *value, size_t vl)
{
    if (hs->n == MAX_HEADERS) return;
    char *s = malloc(nl + vl + 2);
    if (!s) return;
    memcpy(s, name, nl);
    s[nl] = '\0';
    memcpy(s + nl + 1, value, vl);
    s[nl + 1 + vl] = '\0';
    hs->owned[hs->n] = s;
    hs->h[hs->n++] = (br_header){s, s + nl + 1};
}

static void headers_free(headers *hs)
{
    for (size_t i = 0; i < hs->n; i++)
        free(hs->owned[i]);
    hs->n = 0;
}

static enum MHD_Result collect_header(void *ctx, enum MHD_ValueKind kind, const char *k,
                                      const char *v)
{
    (void)kind;
    headers_add(ctx, k, strlen(k), v ? v : "", v ? strlen(v) : 0);
    return MHD_YES;
}

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    return grow(ctx, data, size * n) ? size * n : 0;
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    headers *hs = ctx;
    size_t len = size * n;
    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        headers_free(hs);
        return len;
    }
    const char *colon = memchr(data, ':', len);
    if (!colon) return len;
    const char *v = colon + 1, *end = data + len;
    while (v < end && *v == ' ')
        v++;
    while (end > v && (end[-1] == '\r' || end[-1] == '\n'))
        end--;
    headers_add(hs, data, (size_t)(colon - data), v, (size_t)(end - v));
    return len;
}

static bool hop_by_hop(const char *name)
{
    static const char *const names[] = {"Connection",       "Keep-Alive", "Transfer-Encoding",
                                        "Content-Length",   "Host",       "Expect",
                                        "Proxy-Connection", NULL};
    for (size_t i = 0; names[i]; i++)
        if (strcasecmp(name, names[i]) == 0) return true;
    return false;
}

/* Writes the fixture through a temporary file and a rename; false (with the reason on stderr)
 * when it could not. */
static bool write_fixture(proxy *p)
{
    json_t *fx = br_recorder_fixture(p->rec, p->id, p->source);
    const char *tmp = tmp_path;
    errno = 0;
    bool ok = fx && json_dump_file(fx, tmp, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0 &&
              rename(tmp, p->out) == 0;
    if (!ok) {
        fprintf(stderr, "brcheck record: cannot write %s: %s\n", p->out,
                !fx     ? "out of memory"
                : errno ? strerror(errno)
                        : "write failed");
        remove(tmp);
    }
    json_decref(fx);
    return ok;
}

static enum MHD_Result answer_error(struct MHD_Connection *c, unsigned status, const char *msg)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(msg), (void *)msg, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
                              const char *method, const char *version, const char *upload,
                              size_t *upload_size, void **con_cls)
{
    (void)version;
    proxy *p = cls;
    buffer *in = *con_cls;
    if (!in) return MHD_NO;
    if (!in->started) {
        in->started = true;
        return MHD_YES;
    }
    if (*upload_size) {
        grow(in, upload, *upload_size);
        *upload_size = 0;
        return MHD_YES;
    }
    if (in->too_big) return answer_error(c, 413, "{\"error\":\"request body too large\"}");
    headers req = {.n = 0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, collect_header, &req);
    /* the target as the client wrote it (path and query, undecoded), from the URI log */
    const char *target = in->uri ? in->uri : url;
    headers res = {.n = 0};
    buffer body = {0};
    char upstream_url[9000];
    if (strlen(target) > 8000) {
        headers_free(&req);
        return answer_error(c, 414, "{\"error\":\"request target too long\"}");
    }
    snprintf(upstream_url, sizeof upstream_url, "%s%s", p->upstream, target);
    struct curl_slist *hl = NULL;
    for (size_t i = 0; i < req.n; i++) {
        if (hop_by_hop(req.h[i].name)) continue;
        char line[4096];
        if (*req.h[i].value)
            snprintf(line, sizeof line, "%s: %s", req.h[i].name, req.h[i].value);
        else
            snprintf(line, sizeof line, "%s;", req.h[i].name);
        hl = curl_slist_append(hl, line);
    }
    /* only what the client sent: no headers of curl's own */
    bool has_accept = false, has_type = false;
    for (size_t i = 0; i < req.n; i++) {
        has_accept |= strcasecmp(req.h[i].name, "Accept") == 0;
        has_type |= strcasecmp(req.h[i].name, "Content-Type") == 0;
    }
    if (!has_accept) hl = curl_slist_append(hl, "Accept:");
    if (!has_type) hl = curl_slist_append(hl, "Content-Type:");
    hl = curl_slist_append(hl, "Expect:");
    pthread_mutex_lock(&p->lock);
    CURL *cu = p->curl;
    curl_easy_setopt(cu, CURLOPT_URL, upstream_url);
    curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(cu, CURLOPT_NOBODY, 0L);
    if (in->len || strcmp(method, "POST") == 0) {
        curl_easy_setopt(cu, CURLOPT_POST, 1L);
        curl_easy_setopt(cu, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)in->len);
        curl_easy_setopt(cu, CURLOPT_POSTFIELDS, in->body ? in->body : "");
    } else {
        curl_easy_setopt(cu, CURLOPT_HTTPGET, 1L);
        if (strcmp(method, "HEAD") == 0) curl_easy_setopt(cu, CURLOPT_NOBODY, 1L);
    }
    if (strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0 && strcmp(method, "HEAD") != 0)
        curl_easy_setopt(cu, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(cu, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(cu, CURLOPT_WRITEDATA, &body);
    curl_easy_setopt(cu, CURLOPT_HEADERDATA, &res);
    CURLcode crc = curl_easy_perform(cu);
    long status = 0;
    curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(hl);
    enum MHD_Result rc;
    if (crc != CURLE_OK) {
        pthread_mutex_unlock(&p->lock);
        const char *why = crc == CURLE_ABORTED_BY_CALLBACK  ? "the recorder is stopping"
                          : crc == CURLE_OPERATION_TIMEDOUT ? "no answer within --upstream-timeout"
                                                            : curl_easy_strerror(crc);
        char msg[512];
        snprintf(msg, sizeof msg, "{\"error\":\"upstream: %s\"}", why);
        fprintf(stderr, "brcheck record: %s %s: %s (not recorded)\n", method, target, why);
        rc = answer_error(c, 502, msg);
    } else {
        br_recorder_add(p->rec, method, target, req.h, req.n, in->body, in->len, (int)status, res.h,
                        res.n, body.body, body.len);
        write_fixture(p);
        pthread_mutex_unlock(&p->lock);
        struct MHD_Response *r = MHD_create_response_from_buffer(
            body.len, body.body ? body.body : (char *)"", MHD_RESPMEM_MUST_COPY);
        if (!r) {
            rc = MHD_NO;
        } else {
            for (size_t i = 0; i < res.n; i++)
                if (!hop_by_hop(res.h[i].name))
                    MHD_add_response_header(r, res.h[i].name, res.h[i].value);
            rc = MHD_queue_response(c, (unsigned)status, r);
            MHD_destroy_response(r);
        }
    }
    headers_free(&req);
    headers_free(&res);
    free(body.body);
    return rc;
}

static void completed(void *cls, struct MHD_Connection *c, void **con_cls,
                      enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)c;
    (void)toe;
    buffer *in = *con_cls;
    if (in) {
        free(in->body);
        free(in->uri);
    }
    free(in);
    *con_cls = NULL;
}

/* Called first for every request, with the target as received: keep it undecoded. */
static void *log_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
    (void)cls;
    (void)c;
    buffer *in = calloc(1, sizeof *in);
    if (in && uri) in->uri = strdup(uri);
    return in;
}

static bool parse_listen(const char *s, struct sockaddr_in *sa)
{
    char host[64];
    const char *colon = strrchr(s, ':');
    if (!colon || (size_t)(colon - s) >= sizeof host) return false;
    memcpy(host, s, (size_t)(colon - s));
    host[colon - s] = '\0';
    char *end;
    unsigned long port = strtoul(colon + 1, &end, 10);
    if (end == colon + 1 || *end || port > 65535) return false;
    memset(sa, 0, sizeof *sa);
    sa->sin_family = AF_INET;
    sa->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host[0] ? host : "127.0.0.1", &sa->sin_addr) == 1;
}

int br_cmd_record(int argc, char **argv)
{
    const char *upstream = NULL, *listen = "127.0.0.1:8081", *out = NULL, *vendor = NULL,
               *world_path = NULL, *port_file = NULL, *timeout_arg = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(record_usage, stdout);
            return 0;
        }
        bool valued = strcmp(a, "--upstream") == 0 || strcmp(a, "--listen") == 0 ||
                      strcmp(a, "--out") == 0 || strcmp(a, "--vendor") == 0 ||
                      strcmp(a, "--world") == 0 || strcmp(a, "--port-file") == 0 ||
                      strcmp(a, "--upstream-timeout") == 0;
        if (!valued) {
            fprintf(stderr, "brcheck record: unknown argument %s (see brcheck record --help)\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "brcheck record: %s needs a value\n", a);
            return 2;
        }
        const char *v = argv[++i];
        if (strcmp(a, "--upstream") == 0) upstream = v;
        if (strcmp(a, "--listen") == 0) listen = v;
        if (strcmp(a, "--out") == 0) out = v;
        if (strcmp(a, "--vendor") == 0) vendor = v;
        if (strcmp(a, "--world") == 0) world_path = v;
        if (strcmp(a, "--port-file") == 0) port_file = v;
        if (strcmp(a, "--upstream-timeout") == 0) timeout_arg = v;
    }
    if (!upstream || !out) {
        fprintf(stderr, "brcheck record: --upstream URL and --out FILE are required\n");
        return 2;
    }
    if ((strncmp(upstream, "http://", 7) != 0 && strncmp(upstream, "https://", 8) != 0) ||
        strlen(upstream) >= 500) {
        fprintf(stderr, "brcheck record: --upstream is an http:// or https:// URL\n");
        return 2;
    }
    long upstream_timeout = 120;
    if (timeout_arg) {
        char *end;
        errno = 0;
        upstream_timeout = strtol(timeout_arg, &end, 10);
        if (end == timeout_arg || *end || errno || upstream_timeout < 1 ||
            upstream_timeout > 86400) {
            fprintf(stderr,
                    "brcheck record: --upstream-timeout is whole seconds from 1 to 86400 (got "
                    "%s)\n",
                    timeout_arg);
            return 2;
        }
    }
    if (vendor && br_vendor_from_name(vendor) == BR_VENDOR_COUNT) {
        fprintf(stderr, "brcheck record: --vendor is zilliz, crdb or atlas\n");
        return 2;
    }
    const char *base = strrchr(out, '/');
    base = base ? base + 1 : out;
    size_t bl = strlen(base);
    if (bl <= 5 || strcmp(base + bl - 5, ".json") != 0 || bl - 5 >= 128) {
        fprintf(stderr, "brcheck record: --out names <id>.json (the fixture id is its name)\n");
        return 2;
    }
    char id[128];
    snprintf(id, sizeof id, "%.*s", (int)(bl - 5), base);
    if (strlen(out) + 5 > sizeof tmp_path - 1) {
        fprintf(stderr, "brcheck record: --out is too long (%zu bytes)\n", strlen(out));
        return 2;
    }
    snprintf(tmp_path, sizeof tmp_path, "%s.tmp", out);
    struct sockaddr_in sa;
    if (!parse_listen(listen, &sa)) {
        fprintf(stderr, "brcheck record: --listen is an IPv4 HOST:PORT (got %s)\n", listen);
        return 2;
    }
    json_t *world = NULL;
    if (world_path) {
        json_error_t je;
        json_t *w = json_load_file(world_path, 0, &je);
        if (!w || !json_is_object(w)) {
            fprintf(stderr, "brcheck record: %s: %s\n", world_path,
                    w ? "a world is a JSON object" : je.text);
            json_decref(w);
            return 2;
        }
        world = json_object_get(w, "given") ? json_incref(json_object_get(w, "given")) : w;
        if (world != w) json_decref(w);
    }
    char source[700];
    time_t now = time(NULL);
    char when[32];
    struct tm tm;
    strftime(when, sizeof when, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    snprintf(source, sizeof source,
             "recorded from %s on %s by brcheck record; name the rules this scenario shows",
             upstream, when);
    proxy p = {.out = out, .id = id, .source = source};
    snprintf(p.upstream, sizeof p.upstream, "%s", upstream);
    size_t ul = strlen(p.upstream);
    while (ul && p.upstream[ul - 1] == '/')
        p.upstream[--ul] = '\0';
    p.rec = br_recorder_new(world, vendor);
    json_decref(world);
    curl_global_init(CURL_GLOBAL_DEFAULT);
    p.curl = curl_easy_init();
    if (!p.rec || !p.curl) {
        fprintf(stderr, "brcheck record: out of memory\n");
        br_recorder_free(p.rec);
        if (p.curl) curl_easy_cleanup(p.curl);
        return 2;
    }
    curl_easy_setopt(p.curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(p.curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(p.curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(p.curl, CURLOPT_TIMEOUT, upstream_timeout);
    curl_easy_setopt(p.curl, CURLOPT_XFERINFOFUNCTION, abort_if_stopping);
    curl_easy_setopt(p.curl, CURLOPT_NOPROGRESS, 0L);
    pthread_mutex_init(&p.lock, NULL);
    /* SIGINT and SIGTERM go to this thread only (the daemon's and curl's threads start with
     * them blocked), taken in sigsuspend: none is lost between the test of stop and the wait */
    struct sigaction act = {.sa_handler = on_signal};
    sigaction(SIGINT, &act, NULL);
    sigaction(SIGTERM, &act, NULL);
    sigset_t stops, waiting;
    sigemptyset(&stops);
    sigaddset(&stops, SIGINT);
    sigaddset(&stops, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &stops, &waiting);
    /* one polling thread: exchanges are recorded in the order they are answered */
    struct MHD_Daemon *d = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL, NULL, handle, &p,
        MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_NOTIFY_COMPLETED, completed, NULL,
        MHD_OPTION_URI_LOG_CALLBACK, log_uri, NULL, MHD_OPTION_END);
    if (!d) {
        fprintf(stderr, "brcheck record: cannot listen on %s\n", listen);
        pthread_sigmask(SIG_SETMASK, &waiting, NULL);
        pthread_mutex_destroy(&p.lock);
        br_recorder_free(p.rec);
        curl_easy_cleanup(p.curl);
        return 2;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
    unsigned port = info ? info->port : ntohs(sa.sin_port);
    pthread_mutex_lock(&p.lock); /* the daemon already takes exchanges */
    bool writable = write_fixture(&p);
    pthread_mutex_unlock(&p.lock);
    if (!writable) { /* nothing could be kept: say so now, not after the client's session */
        MHD_stop_daemon(d);
        pthread_sigmask(SIG_SETMASK, &waiting, NULL);
        pthread_mutex_destroy(&p.lock);
        br_recorder_free(p.rec);
        curl_easy_cleanup(p.curl);
        return 2;
    }
    if (port_file) {
        char tmp[1100];
        snprintf(tmp, sizeof tmp, "%s.tmp", port_file);
        FILE *f = fopen(tmp, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0 || rename(tmp, port_file) != 0)
            fprintf(stderr, "brcheck record: cannot write %s\n", port_file);
    }
    char addr[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &sa.sin_addr, addr, sizeof addr);
    fprintf(stderr, "brcheck record: http://%s:%u -> %s, writing %s\n", addr, port, p.upstream,
            out);
    while (!atomic_load(&stop))
        sigsuspend(&waiting);
    pthread_sigmask(SIG_SETMASK, &waiting, NULL); /* a second signal now exits at once */
    MHD_stop_daemon(d);
    pthread_mutex_lock(&p.lock);
    bool written = write_fixture(&p);
    size_t n = br_recorder_count(p.rec);
    pthread_mutex_unlock(&p.lock);
    if (written) fprintf(stderr, "brcheck record: %zu exchanges written to %s\n", n, out);
    pthread_mutex_destroy(&p.lock);
    br_recorder_free(p.rec);
    curl_easy_cleanup(p.curl);
    return written ? 0 : 2;
}
