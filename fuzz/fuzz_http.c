/* The `http` harness: the input is raw bytes of one client connection (one or more HTTP
 * requests) handed to a detached mock server (server/server.h: no listening socket, no
 * threads) over a socketpair. Checks: the server answers (br_server_feed is not NULL), the
 * answer is empty or starts with "HTTP/1.", the hosted world's invariants hold.
 *
 * Atlas Digest: a fuzzer cannot guess a server nonce, so in the first Authorization header
 * of the input the value `auto` stands for the right one: nonce="auto" becomes a fresh nonce
 * of this server and response="auto" the right response for the header's username (its
 * secret), uri, nc, cnonce and qop, and the request line's method. Any other value goes to
 * the server as it is (wrong credentials are fuzzed too). The nonce key is fixed (zeros) so
 * runs repeat.
 *
 * One server serves every input while nothing changed; it is rebuilt after an input that
 * changed its state (the world's digest or clock, the world itself, profile, mutant, armed
 * faults), so every input meets the same server (AFL stability). */
#include "fuzz.h"
#include "md5.h"
#include "server_internal.h"

#include <microhttpd.h>

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static br_server *server;
static uint64_t pristine_digest;
static br_time pristine_now;
static const br_world *pristine_world;
static int pristine_fault_id;
static bool trace; /* BR_FUZZ_TRACE=1: each answer's status line on stderr */
/* BR_FUZZ_FRESH=1: a fresh server for every input (fuzz_request.c: the model's caches make
 * paths depend a little on earlier inputs on a kept world). */
static bool fresh_each;

static void fresh_server(void)
{
    br_server_stop(server);
    br_server_config cfg = {
        .world = br_fuzz_request_world(),
        .clock = BR_CLOCK_VIRTUAL,
        .mutant = BR_RULE_COUNT,
        .seed = -1,
        .quiet = true,
    };
    char err[512];
    server = br_server_start_detached(&cfg, err, sizeof err);
    if (!server) br_fuzz_fail("the detached server does not start: %s", err);
    memset(server->digest.key, 0, sizeof server->digest.key);
    /* Work due at the start settles now, not in the first input (which would then change the
     * world and rebuild the server every time). */
    if (br__host_advance(&server->host, 0, 0) != BR_OK)
        br_fuzz_fail("the server's world does not settle");
    pristine_world = server->host.world;
    pristine_digest = br_world_digest(server->host.world);
    pristine_now = br_world_now(server->host.world);
    pristine_fault_id = server->faults.next_id;
}

/* A connection the server still holds after br_server_feed: one whose input stalled it in a
 * state where it no longer reads (a request head past the connection's memory, say). The
 * server would close it at its idle timeout, in wall-clock seconds, during a later input's
 * run: a rebuilt server leaves nothing behind. */
static bool connection_left(void)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return !info || info->num_connections != 0;
}

static bool server_changed(void)
{
    const br__host *h = &server->host;
    return h->world != pristine_world || br_world_digest(h->world) != pristine_digest ||
           br_world_now(h->world) != pristine_now || strcmp(h->profile, "default") != 0 ||
           h->mutant != BR_RULE_COUNT || server->faults.n != 0 ||
           server->faults.next_id != pristine_fault_id || connection_left();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    br_fuzz_init();
    trace = getenv("BR_FUZZ_TRACE") != NULL;
    fresh_each = getenv("BR_FUZZ_FRESH") != NULL && strcmp(getenv("BR_FUZZ_FRESH"), "0") != 0;
    fresh_server();
    br_fuzz_check_world(server->host.world, "starting the server");
    br_world_reset_caches(server->host.world);
    return 0;
}

/* ---- Digest `auto` values ---- */

/* The value of Digest parameter 'name' in [h, end) (quoted or not), copied into out. */
static bool digest_param(const char *h, const char *end, const char *name, char *out, size_t len)
{
    size_t n = strlen(name);
    const char *p = h;
    while (p < end) {
        while (p < end && (*p == ' ' || *p == ',' || *p == '\t'))
            p++;
        const char *key = p;
        while (p < end && *p != '=' && *p != ',')
            p++;
        size_t kl = (size_t)(p - key);
        while (kl && key[kl - 1] == ' ')
            kl--;
        if (p >= end || *p != '=') continue;
        p++;
        while (p < end && *p == ' ')
            p++;
        size_t vl = 0;
        bool quoted = p < end && *p == '"';
        if (quoted) p++;
        for (; p < end && (quoted ? *p != '"' : *p != ',' && *p != ' '); p++) {
            if (quoted && *p == '\\' && p + 1 < end) p++;
            if (vl + 1 < len) out[vl++] = *p;
        }
        if (quoted && p < end) p++;
        out[vl] = '\0';
        if (kl == n && strncasecmp(key, name, n) == 0) return true;
    }
    return false;
}

/* Appends [p, p+n) to the growing buffer. */
static bool put(char **buf, size_t *len, size_t *cap, const void *p, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t c = (*len + n + 1) * 2;
        char *b = realloc(*buf, c);
        if (!b) return false;
        *buf = b;
        *cap = c;
    }
    memcpy(*buf + *len, p, n);
    *len += n;
    return true;
}

/* The input with the first Authorization: Digest header's `auto` values filled in, or NULL
 * when there is nothing to fill in (the input goes as it is). */
static char *fill_digest(const uint8_t *data, size_t size, size_t *out_len)
{
    const char *in = (const char *)data, *end = in + size;
    const char *line = in, *hdr = NULL, *hend = NULL;
    while (line < end) { /* the header lines of the first request */
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        if (!eol) eol = end;
        if (line != in && (eol == line || (eol == line + 1 && *line == '\r'))) break;
        static const char name[] = "authorization:";
        if ((size_t)(eol - line) > sizeof name && strncasecmp(line, name, sizeof name - 1) == 0) {
            const char *v = line + sizeof name - 1;
            while (v < eol && *v == ' ')
                v++;
            if (eol - v > 7 && strncasecmp(v, "Digest ", 7) == 0) {
                hdr = v + 7;
                hend = eol > hdr && eol[-1] == '\r' ? eol - 1 : eol;
                break;
            }
        }
        line = eol + 1;
    }
    if (!hdr) return NULL;
    char nonce[64], resp[64];
    bool auto_nonce =
        digest_param(hdr, hend, "nonce", nonce, sizeof nonce) && strcmp(nonce, "auto") == 0;
    bool auto_resp =
        digest_param(hdr, hend, "response", resp, sizeof resp) && strcmp(resp, "auto") == 0;
    if (!auto_nonce && !auto_resp) return NULL;
    if (auto_nonce) {
        char *ch = br__digest_challenge(&server->digest, false);
        if (!ch) return NULL;
        const char *p = strstr(ch, "nonce=\"");
        size_t k = 0;
        for (p = p ? p + 7 : ""; *p && *p != '"' && k + 1 < sizeof nonce; p++)
            nonce[k++] = *p;
        nonce[k] = '\0';
        free(ch);
    } else if (!digest_param(hdr, hend, "nonce", nonce, sizeof nonce)) {
        nonce[0] = '\0';
    }
    char user[96] = "", uri[2048] = "", nc[16] = "", cnonce[128] = "", qop[16] = "";
    digest_param(hdr, hend, "username", user, sizeof user);
    digest_param(hdr, hend, "uri", uri, sizeof uri);
    digest_param(hdr, hend, "nc", nc, sizeof nc);
    digest_param(hdr, hend, "cnonce", cnonce, sizeof cnonce);
    digest_param(hdr, hend, "qop", qop, sizeof qop);
    char method[16] = "";
    for (size_t i = 0; i < size && i + 1 < sizeof method && in[i] != ' '; i++) {
        method[i] = in[i];
        method[i + 1] = '\0';
    }
    const char *secret = br_world_atlas_secret(server->host.world, user);
    char ha1[33], ha2[33], want[33];
    br_md5_join(ha1,
                (const char *const[]){user, BR_DIGEST_REALM, secret && *secret ? secret : user}, 3);
    br_md5_join(ha2, (const char *const[]){method, uri}, 2);
    br_md5_join(want, (const char *const[]){ha1, nonce, nc, cnonce, qop, ha2}, 6);

    /* Rewrite the header: every `auto` value that is the nonce's or the response's. */
    char *out = NULL;
    size_t len = 0, cap = 0;
    const char *p = in;
    bool ok = true;
    while (ok && p < end) {
        const char *hit = NULL, *val = NULL;
        if (p >= hdr && p < hend) {
            for (const char *q = p; q + 4 <= hend && !hit; q++) {
                if (strncmp(q, "auto", 4) != 0) continue;
                const char *k = q;
                if (k > hdr && k[-1] == '"') k--;
                while (k > hdr && k[-1] == ' ')
                    k--;
                if (k <= hdr || k[-1] != '=') continue;
                k--;
                while (k > hdr && k[-1] == ' ')
                    k--;
                if (auto_nonce && k - hdr >= 5 && strncasecmp(k - 5, "nonce", 5) == 0 &&
                    (k - 5 == hdr || !isalnum((unsigned char)k[-6]))) {
                    hit = q;
                    val = nonce;
                } else if (auto_resp && k - hdr >= 8 && strncasecmp(k - 8, "response", 8) == 0) {
                    hit = q;
                    val = want;
                }
            }
        }
        if (!hit) {
            const char *stop = p < hdr ? hdr : p < hend ? hend : end;
            ok = put(&out, &len, &cap, p, (size_t)(stop - p));
            p = stop;
            continue;
        }
        ok = put(&out, &len, &cap, p, (size_t)(hit - p)) && put(&out, &len, &cap, val, strlen(val));
        p = hit + 4;
    }
    if (!ok) {
        free(out);
        return NULL;
    }
    *out_len = len;
    return out;
}

/* ---- the checks ---- */

/* The answer is empty (the server closed without one, e.g. on a cut request) or starts with
 * a status line "HTTP/1.x NNN" with NNN in 100..599. */
static void check_answer(const char *out, size_t n)
{
    if (n == 0) return;
    if (n < 12 || memcmp(out, "HTTP/1.", 7) != 0 || out[8] != ' ')
        br_fuzz_fail("http: the answer does not start with a status line: \"%.40s\"", out);
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (!isdigit((unsigned char)out[i]))
            br_fuzz_fail("http: the status line has no status: \"%.40s\"", out);
        status = status * 10 + (out[i] - '0');
    }
    if (status < 100 || status > 599) br_fuzz_fail("http: status %d is not an HTTP status", status);
    if (!trace) return;
    /* Every status line (pipelined requests get one answer each, one after the other: each
     * answer's head, then its Content-Length bytes of body). */
    const char *end = out + n;
    for (const char *p = out; end - p > 12 && memcmp(p, "HTTP/1.", 7) == 0;) {
        fprintf(stderr, "%.*s\n", (int)strcspn(p, "\r\n"), p);
        const char *body = strstr(p, "\r\n\r\n"); /* out ends with a NUL */
        if (!body) break;
        unsigned long length = 0;
        for (const char *h = p; h && h < body; h = memchr(h, '\n', (size_t)(body - h))) {
            if (*h == '\n') h++;
            if (strncasecmp(h, "Content-Length:", 15) == 0) length = strtoul(h + 15, NULL, 10);
        }
        if (length > (size_t)(end - body - 4)) break;
        p = body + 4 + length;
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!server) LLVMFuzzerInitialize(NULL, NULL);
    uint32_t digest_seq = server->digest.seq;
    uint64_t digest_tick = server->digest.tick;
    size_t len = size;
    char *filled = fill_digest(data, size, &len);
    size_t n = 0;
    char *out = br_server_feed(server, filled ? (const void *)filled : data, len, &n);
    free(filled);
    if (!out) br_fuzz_fail("http: br_server_feed failed (%zu input bytes)", size);
    check_answer(out, n);
    free(out);
    /* The Digest nonces this input was given and the counts it took are forgotten: the next
     * input meets the same table (AFL++ stability; a rebuilt server starts empty too). */
    br__digest_rewind(&server->digest, digest_seq, digest_tick);
    if (server_changed()) {
        br_fuzz_check_world(server->host.world, "an HTTP input");
        fresh_server();
    } else if (fresh_each) {
        fresh_server();
    }
    /* The next input meets the same world, its caches too (br_world_reset_caches: a cache
     * left as this input left it would make a request take another path: AFL++ instability).
     * Here, not before the next input: what the reset does depends on this input alone. */
    br_world_reset_caches(server->host.world);
    return 0;
}
