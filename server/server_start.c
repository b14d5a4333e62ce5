/* Starting and stopping the mock server (server.h): the listening socket (HOST:PORT, port 0
 * for any), libmicrohttpd's daemon with the request callbacks of server.c, the host (world,
 * journal, clock) and the Digest state; a stop that lets answers in flight finish. */
#include "md5.h"
#include "server_callbacks.h"
#include "server_internal.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---- start and stop ---- */

/* HOST:PORT, strictly: an IPv4 address or localhost, or an IPv6 address in brackets; a port
 * of 1 to 5 digits up to 65535 (0: any). Messages quote the whole value. */
static bool parse_listen(const char *listen, struct sockaddr_storage *ss, bool *v6, char *err,
                         size_t errlen)
{
    char host[64];
    const char *port_text;
    size_t hl;
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close) {
            snprintf(err, errlen, "--listen \"%.200s\": an IPv6 address is written [ADDR]:PORT",
                     listen);
            return false;
        }
        if (close[1] != ':') {
            snprintf(err, errlen,
                     "--listen \"%.200s\": no port after the address (HOST:PORT, [::1]:8080)",
                     listen);
            return false;
        }
        hl = (size_t)(close - listen - 1);
        if (hl >= sizeof host) hl = sizeof host - 1;
        memcpy(host, listen + 1, hl);
        port_text = close + 2;
        *v6 = true;
    } else {
        const char *colon = strrchr(listen, ':');
        if (!colon) {
            snprintf(err, errlen,
                     "--listen \"%.200s\" has no port (HOST:PORT: 127.0.0.1:8080, [::1]:8080)",
                     listen);
            return false;
        }
        if (memchr(listen, ':', (size_t)(colon - listen))) {
            snprintf(err, errlen,
                     "--listen \"%.200s\": an IPv6 address goes in brackets ([::1]:8080)", listen);
            return false;
        }
        hl = (size_t)(colon - listen);
        if (hl >= sizeof host) hl = sizeof host - 1;
        memcpy(host, listen, hl);
        port_text = colon + 1;
        *v6 = false;
    }
    host[hl] = '\0';
    size_t pl = strlen(port_text);
    long port = 0;
    bool digits = pl >= 1 && pl <= 5;
    for (size_t i = 0; digits && i < pl; i++) {
        digits = port_text[i] >= '0' && port_text[i] <= '9';
        port = port * 10 + (port_text[i] - '0');
    }
    if (!digits || port > 65535) {
        snprintf(err, errlen,
                 "--listen \"%.200s\": the port is a number 0..65535 (0: any free port)", listen);
        return false;
    }
    memset(ss, 0, sizeof *ss);
    if (*v6) {
        struct sockaddr_in6 *in6 = (void *)ss;
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &in6->sin6_addr) == 1) return true;
    } else {
        struct sockaddr_in *in = (void *)ss;
        in->sin_family = AF_INET;
        in->sin_port = htons((uint16_t)port);
        if (inet_pton(AF_INET, strcmp(host, "localhost") == 0 ? "127.0.0.1" : host,
                      &in->sin_addr) == 1)
            return true;
    }
    snprintf(err, errlen,
             "--listen \"%.200s\": the host is a numeric IPv4 address, localhost or [IPv6 address]",
             listen);
    return false;
}

static void raise_fd_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

/* The start options that shape a journaled world: a restart with other ones would replay
 * into another world (a virtual-clock journal under --clock wall jumps to today). */
static json_t *start_options(const br_server_config *cfg)
{
    char world[64] = "(the built-in demo world)", seed[32] = "(the world's own)";
    if (cfg->world) {
        char *text = json_dumps(cfg->world, JSON_COMPACT | JSON_SORT_KEYS);
        if (!text) return NULL;
        br_md5 m;
        char hex[33];
        br_md5_init(&m);
        br_md5_update(&m, text, strlen(text));
        br_md5_hex(&m, hex);
        free(text);
        snprintf(world, sizeof world, "(a world of md5 %s)", hex);
    }
    if (cfg->seed >= 0) snprintf(seed, sizeof seed, "%lld", (long long)cfg->seed);
    return json_pack("{s:s,s:s,s:s}", "world", world, "seed", seed, "clock",
                     cfg->clock == BR_CLOCK_WALL ? "wall" : "virtual");
}

static br_server *start(const br_server_config *cfg, bool detached, char *err, size_t errlen)
{
    br_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    pthread_mutex_init(&s->host.lock, NULL);
    pthread_mutex_init(&s->faults.lock, NULL);
    pthread_mutex_init(&s->conns_lock, NULL);
    s->header_timeout = cfg->header_timeout ? cfg->header_timeout : 10u;
    s->host.clock = cfg->clock;
    /* A journal replays with the mutants it recorded; --mutant applies after it. */
    s->host.mutant = cfg->state_path ? BR_RULE_COUNT : cfg->mutant;
    s->quiet = cfg->quiet;
    snprintf(s->admin_token, sizeof s->admin_token, "%s",
             cfg->admin_token ? cfg->admin_token : "admin-demo-token");

    size_t replayed = 0;
    if (cfg->state_path) {
        if (!(s->host.opts = start_options(cfg))) {
            snprintf(err, errlen, "out of memory");
            goto fail;
        }
        s->host.replaying = true;
        s->host.journal =
            br__journal_open(cfg->state_path, br__host_apply, &s->host, &replayed, err, errlen);
        s->host.replaying = false;
        if (!s->host.journal) goto fail;
    }
    if (!s->host.world) { /* no journal, or an empty one: the configured world */
        json_t *given = cfg->world ? json_deep_copy(cfg->world) : br_server_demo_world();
        if (!given) {
            snprintf(err, errlen, "cannot build the world");
            goto fail;
        }
        if (cfg->seed >= 0) json_object_set_new(given, "seed", json_integer(cfg->seed));
        const char *profile = json_string_value(json_object_get(given, "profile"));
        s->host.mutant = cfg->mutant;
        int rc = br__host_load(&s->host, given, profile ? profile : "default", NULL, err, errlen);
        json_decref(given);
        if (rc != BR_OK) goto fail;
    } else {
        /* Replay ends where the server was: due work settled, as every operation leaves it. */
        pthread_mutex_lock(&s->host.lock);
        int rc = br_world_advance(s->host.world, 0);
        br__host_sync_locked(&s->host);
        pthread_mutex_unlock(&s->host.lock);
        if (rc == BR_OK && cfg->mutant != BR_RULE_COUNT)
            rc = br__host_set_mutant(&s->host, 0, cfg->mutant);
        if (rc != BR_OK) {
            char why[160];
            snprintf(err, errlen, "%s",
                     rc == BR__HOST_JOURNAL ? br__host_journal_error(&s->host, why, sizeof why)
                                            : br_strerror(rc));
            goto fail;
        }
        if (!cfg->quiet)
            fprintf(stderr, "brcheck serve: replayed %zu journal records from %s\n", replayed,
                    cfg->state_path);
    }

    struct sockaddr_storage ss;
    bool v6 = false;
    if (!detached &&
        !parse_listen(cfg->listen ? cfg->listen : "127.0.0.1:8080", &ss, &v6, err, errlen))
        goto fail;
    raise_fd_limit();
    if (br__digest_init(&s->digest, cfg->nonce_timeout) != 0) {
        snprintf(err, errlen, "cannot read /dev/urandom for Digest nonces");
        goto fail;
    }
    s->digest_ready = true;
    /* One event thread by default: on loopback it gave the best latency (README); the model
     * is behind one lock anyway. */
    unsigned threads = cfg->threads ? cfg->threads : 1;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
    if (!cfg->quiet) flags |= MHD_USE_ERROR_LOG;
    if (v6) flags |= MHD_USE_IPv6;
    if (detached) {
        s->detached = true;
        s->daemon =
            MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET | (cfg->quiet ? 0 : MHD_USE_ERROR_LOG), 0,
                             NULL, NULL, br__server_on_request, s, MHD_OPTION_URI_LOG_CALLBACK,
                             br__server_on_uri, s, MHD_OPTION_NOTIFY_COMPLETED,
                             br__server_on_completed, s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
                             (size_t)32 * 1024, MHD_OPTION_CONNECTION_TIMEOUT, 5u, MHD_OPTION_END);
        if (!s->daemon) {
            snprintf(err, errlen, "libmicrohttpd refused a detached daemon");
            goto fail;
        }
        return s;
    }
    /* A thread pool only when asked for more than one event thread. Each connection's memory
     * (request line, headers, answer headers) is 32 KiB: an 8 KiB URI and 16 KiB of headers
     * fit; libmicrohttpd clears it between keep-alive requests, and 64 KiB cost 15% of the
     * model route's throughput. */
    struct MHD_OptionItem pool[] = {
        {threads > 1 ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, threads, NULL},
        {MHD_OPTION_END, 0, NULL}};
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, br__server_on_request, s, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&ss, MHD_OPTION_URI_LOG_CALLBACK, br__server_on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, br__server_on_completed, s, MHD_OPTION_NOTIFY_CONNECTION,
        br__server_on_connection, s, MHD_OPTION_CONNECTION_LIMIT,
        cfg->max_connections ? cfg->max_connections : 4096u, MHD_OPTION_CONNECTION_TIMEOUT,
        cfg->idle_timeout ? cfg->idle_timeout : 30u, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)32 * 1024, MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_ARRAY, pool,
        MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, errlen, "cannot listen on %s: %s",
                 cfg->listen ? cfg->listen : "127.0.0.1:8080",
                 errno ? strerror(errno) : "libmicrohttpd refused the options");
        goto fail;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : 0;
    if (pthread_create(&s->watchdog, NULL, br__server_watchdog, s) != 0) {
        snprintf(err, errlen, "cannot start the header-timeout thread");
        goto fail;
    }
    s->watchdog_running = true;
    return s;
fail:
    br_server_stop(s);
    return NULL;
}

br_server *br_server_start(const br_server_config *cfg, char *err, size_t errlen)
{
    return start(cfg, false, err, errlen);
}

br_server *br_server_start_detached(const br_server_config *cfg, char *err, size_t errlen)
{
    return start(cfg, true, err, errlen);
}

/* Appends what the server wrote so far; false on EOF or a hard error. */
static bool drain(int fd, char **out, size_t *len, size_t *cap)
{
    for (;;) {
        if (*len + 4096 > *cap) {
            size_t ncap = *cap ? *cap * 2 : 8192;
            char *b = realloc(*out, ncap);
            if (!b) return false;
            *out = b;
            *cap = ncap;
        }
        ssize_t n = read(fd, *out + *len, *cap - *len - 1);
        if (n > 0) {
            *len += (size_t)n;
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) return true;
        return false;
    }
}

char *br_server_feed(br_server *s, const void *data, size_t len, size_t *out_len)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) != 0) return NULL;
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
    if (MHD_add_connection(s->daemon, sv[1], (struct sockaddr *)&peer, sizeof peer) != MHD_YES) {
        close(sv[0]);
        close(sv[1]);
        return NULL;
    }
    char *out = NULL;
    size_t n = 0, cap = 0, sent = 0;
    const char *p = data;
    bool open = true;
    /* Bounded: the server either answers and closes, or stalls on a partial request. */
    for (int round = 0; round < 100000 && open; round++) {
        if (sent < len) {
            ssize_t w = write(sv[0], p + sent, len - sent);
            if (w > 0) sent += (size_t)w;
            if (sent == len) shutdown(sv[0], SHUT_WR);
        } else if (round == 0) {
            shutdown(sv[0], SHUT_WR);
        }
        MHD_run(s->daemon);
        open = drain(sv[0], &out, &n, &cap);
        if (open && sent == len) {
            MHD_UNSIGNED_LONG_LONG timeout;
            if (MHD_get_timeout(s->daemon, &timeout) == MHD_YES && timeout > 0 && round > 64)
                break; /* waiting for more input that will never come */
        }
    }
    close(sv[0]);
    /* The server notices the close and frees the connection within this call: one left for a
     * later call was cleaned up there, in another input's run (the http fuzzing harness saw
     * that as instability). Bounded: a suspended (delayed) answer may hold it longer. */
    for (int i = 0; i < 64; i++) {
        MHD_run(s->daemon);
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        if (!info || info->num_connections == 0) break;
    }
    if (!out && !(out = malloc(1))) return NULL;
    out[n] = '\0';
    *out_len = n;
    return out;
}

unsigned br_server_port(const br_server *s)
{
    return s ? s->port : 0;
}

void br_server_stop(br_server *s)
{
    if (!s) return;
    MHD_socket ls = MHD_INVALID_SOCKET;
    if (s->daemon && !s->detached) {
        /* No new connections; a request arriving on an open one is refused (server.c). The
         * socket stops listening now (Linux then refuses connections to it) but is closed
         * only once the daemon is stopped: its thread may still be polling it. */
        __atomic_store_n(&s->stopping, true, __ATOMIC_SEQ_CST);
        ls = MHD_quiesce_daemon(s->daemon);
        if (ls != MHD_INVALID_SOCKET) shutdown(ls, SHUT_RDWR);
    }
    /* Every request that had begun gets its answer: a delayed one resumes on its own timer
     * (and its timer must be done before the daemon goes: it resumes the connection). A
     * detached server has no thread that could answer: its requests still open (a head it
     * stalled on, say) end with the daemon below, and only the delay timers are waited for. */
    for (int i = 0; i < BR_SERVER_STOP_WAIT * 100 &&
                    ((!s->detached && __atomic_load_n(&s->inflight, __ATOMIC_SEQ_CST) > 0) ||
                     __atomic_load_n(&s->delays_pending, __ATOMIC_SEQ_CST) > 0);
         i++)
        nanosleep(&(struct timespec){0, 10000000L}, NULL);
    if (s->daemon) MHD_stop_daemon(s->daemon);
    if (ls != MHD_INVALID_SOCKET) close(ls);
    if (s->watchdog_running) {
        __atomic_store_n(&s->watchdog_stop, true, __ATOMIC_SEQ_CST);
        pthread_join(s->watchdog, NULL);
    }
    br__journal_close(s->host.journal);
    json_decref(s->host.opts);
    br_world_free(s->host.world);
    free(s->faults.items);
    if (s->digest_ready) br__digest_free(&s->digest);
    pthread_mutex_destroy(&s->host.lock);
    pthread_mutex_destroy(&s->faults.lock);
    pthread_mutex_destroy(&s->conns_lock);
    free(s);
}
