/* HTTP Digest authentication (RFC 7616: MD5, qop=auth) as the Atlas API does it: the 401
 * challenge in Atlas's shape, nonces that carry their issue time and a MAC (so no state is
 * needed to check them), each nonce count taken once per nonce (a replayed nc is refused;
 * counts from concurrent connections may arrive a little out of order), and an expired
 * nonce answered with stale=true. */
#include "server_internal.h"
#include "md5.h"

#include <ctype.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_seconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (uint64_t)t.tv_sec;
}

int br__digest_init(br__digest *d, unsigned timeout)
{
    pthread_mutex_init(&d->lock, NULL);
    d->timeout = timeout ? timeout : 300;
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, d->key, sizeof d->key) : -1;
    if (fd >= 0) close(fd);
    return got == (ssize_t)sizeof d->key ? 0 : -1;
}

void br__digest_free(br__digest *d)
{
    pthread_mutex_destroy(&d->lock);
}

/* The MAC part of the nonce issued at 'ts' with sequence number 'seq'. */
static void nonce_mac(const br__digest *d, uint64_t ts, uint32_t seq, char out[33])
{
    br_md5 m;
    char t[32];
    snprintf(t, sizeof t, ":%016llx:%08x", (unsigned long long)ts, (unsigned)seq);
    br_md5_init(&m);
    br_md5_update(&m, d->key, sizeof d->key);
    br_md5_update(&m, t, strlen(t));
    br_md5_hex(&m, out);
}

static bool bit(const unsigned char *set, uint32_t seq)
{
    uint32_t i = seq % BR_DIGEST_WINDOW;
    return (set[i / 8] >> (i % 8)) & 1;
}

static void set_bit(unsigned char *set, uint32_t seq, bool on)
{
    uint32_t i = seq % BR_DIGEST_WINDOW;
    if (on)
        set[i / 8] |= (unsigned char)(1u << (i % 8));
    else
        set[i / 8] &= (unsigned char)~(1u << (i % 8));
}

char *br__digest_challenge(br__digest *d, bool stale)
{
    uint64_t ts = now_seconds();
    pthread_mutex_lock(&d->lock);
    uint32_t seq = ++d->seq;
    set_bit(d->used, seq, false); /* a fresh number: not used yet */
    pthread_mutex_unlock(&d->lock);
    char mac[33];
    nonce_mac(d, ts, seq, mac);
    char *v = malloc(256);
    if (!v) return NULL;
    snprintf(v, 256,
             "Digest realm=\"%s\", domain=\"\", nonce=\"%016llx%08x%s\", algorithm=MD5, "
             "qop=\"auth\", stale=%s",
             BR_DIGEST_REALM, (unsigned long long)ts, (unsigned)seq, mac, stale ? "true" : "false");
    return v;
}

void br__digest_rewind(br__digest *d, uint32_t seq, uint64_t tick)
{
    pthread_mutex_lock(&d->lock);
    if (d->tick != tick)
        for (size_t k = 0; k < BR_DIGEST_SLOTS; k++)
            if (d->slots[k].last > tick) memset(&d->slots[k], 0, sizeof d->slots[k]);
    for (uint32_t s = seq + 1; s != d->seq + 1 && s - seq <= BR_DIGEST_WINDOW; s++)
        set_bit(d->used, s, false);
    d->seq = seq;
    d->tick = tick;
    pthread_mutex_unlock(&d->lock);
}

/* Finds parameter 'name' in a Digest header's list; copies its (unquoted) value. */
static bool param(const char *h, const char *name, char *out, size_t len)
{
    size_t n = strlen(name);
    const char *p = h;
    while (*p) {
        while (*p == ' ' || *p == ',' || *p == '\t')
            p++;
        const char *key = p;
        while (*p && *p != '=' && *p != ',')
            p++;
        size_t kl = (size_t)(p - key);
        while (kl && key[kl - 1] == ' ')
            kl--;
        if (*p != '=') continue;
        p++;
        while (*p == ' ')
            p++;
        char val[512];
        size_t vl = 0;
        if (*p == '"') {
            for (p++; *p && *p != '"'; p++) {
                if (*p == '\\' && p[1]) p++;
                if (vl < sizeof val - 1) val[vl++] = *p;
            }
            if (*p == '"') p++;
        } else {
            while (*p && *p != ',' && *p != ' ')
                if (vl < sizeof val - 1)
                    val[vl++] = *p++;
                else
                    p++;
        }
        val[vl] = '\0';
        if (kl == n && strncasecmp(key, name, n) == 0) {
            if (vl >= len) return false;
            memcpy(out, val, vl + 1);
            return true;
        }
    }
    return false;
}

/* Checks and records nonce count 'nc' of nonce number 'seq'. Each count is taken once: a
 * count above the highest seen so far, or one of the 63 below it not seen yet (requests on
 * several connections sharing a nonce arrive out of order), is OK; a count seen before, or
 * too far below to tell, is BAD (RFC 7616 3.4: the same nc twice is a replay). A nonce used
 * before whose record was since overwritten by another (or too old to tell) is STALE, so a
 * replay is never taken for a first use. */
static br__digest_result count_fresh(br__digest *d, const char *nonce, uint32_t seq,
                                     unsigned long nc)
{
    uint32_t h = 2166136261u;
    for (const char *p = nonce; *p; p++)
        h = (h ^ (unsigned char)*p) * 16777619u;
    /* A set of BR_DIGEST_WAYS slots per hash, so that nonces in use at once rarely push each
     * other out (with one slot per hash, 64 nonces collided in about half of the runs). */
    size_t base = h % (BR_DIGEST_SLOTS / BR_DIGEST_WAYS) * BR_DIGEST_WAYS;
    br__digest_result r = BR_DIGEST_OK;
    pthread_mutex_lock(&d->lock);
    size_t i = base;
    for (size_t k = base; k < base + BR_DIGEST_WAYS; k++) {
        if (strcmp(d->slots[k].nonce, nonce) == 0) {
            i = k;
            break;
        }
        if (d->slots[k].last < d->slots[i].last) i = k; /* the oldest, or an empty one */
    }
    if (nc == 0) {
        r = BR_DIGEST_BAD; /* counts start at 1 */
    } else if (d->seq - seq >= BR_DIGEST_WINDOW) {
        r = BR_DIGEST_STALE;
    } else if (strcmp(d->slots[i].nonce, nonce) == 0) {
        unsigned long top = d->slots[i].nc;
        if (nc > top) {
            d->slots[i].seen = nc - top >= 64 ? 1 : d->slots[i].seen << (nc - top) | 1;
            d->slots[i].nc = nc;
        } else if (top - nc >= 64 || (d->slots[i].seen >> (top - nc) & 1)) {
            r = BR_DIGEST_BAD;
        } else {
            d->slots[i].seen |= (uint64_t)1 << (top - nc);
        }
    } else if (bit(d->used, seq)) {
        r = BR_DIGEST_STALE;
    } else {
        set_bit(d->used, seq, true);
        snprintf(d->slots[i].nonce, sizeof d->slots[i].nonce, "%s", nonce);
        d->slots[i].nc = nc;
        d->slots[i].seen = 1;
    }
    if (r == BR_DIGEST_OK) d->slots[i].last = ++d->tick;
    pthread_mutex_unlock(&d->lock);
    return r;
}

br__digest_result br__digest_verify(br__digest *d, const char *header, const char *method,
                                    const char *uri, br__digest_secret secret_of, void *ctx,
                                    char user[96])
{
    if (!header || strncasecmp(header, "Digest ", 7) != 0) return BR_DIGEST_NONE;
    const char *h = header + 7;
    char realm[128], nonce[64], duri[8192], response[64], qop[16], nc[16], cnonce[256], alg[16];
    if (!param(h, "username", user, 96) || !param(h, "realm", realm, sizeof realm) ||
        !param(h, "nonce", nonce, sizeof nonce) || !param(h, "uri", duri, sizeof duri) ||
        !param(h, "response", response, sizeof response) || !param(h, "qop", qop, sizeof qop) ||
        !param(h, "nc", nc, sizeof nc) || !param(h, "cnonce", cnonce, sizeof cnonce))
        return BR_DIGEST_BAD;
    if (param(h, "algorithm", alg, sizeof alg) && strcasecmp(alg, "MD5") != 0) return BR_DIGEST_BAD;
    if (strcmp(realm, BR_DIGEST_REALM) != 0 || strcmp(qop, "auth") != 0 || strcmp(duri, uri) != 0)
        return BR_DIGEST_BAD;
    /* The nonce: 16 hex digits of issue time, 8 of sequence, then its MAC. */
    if (strlen(nonce) != 56) return BR_DIGEST_BAD;
    char ts_hex[17], seq_hex[9], mac[33], *end, *end2;
    memcpy(ts_hex, nonce, 16);
    ts_hex[16] = '\0';
    memcpy(seq_hex, nonce + 16, 8);
    seq_hex[8] = '\0';
    uint64_t ts = strtoull(ts_hex, &end, 16);
    uint32_t seq = (uint32_t)strtoul(seq_hex, &end2, 16);
    if (*end || *end2) return BR_DIGEST_BAD;
    nonce_mac(d, ts, seq, mac);
    if (strcmp(mac, nonce + 24) != 0) return BR_DIGEST_BAD;
    char pass[128];
    if (!secret_of(ctx, user, pass, sizeof pass)) return BR_DIGEST_BAD;
    char ha1[33], ha2[33], want[33];
    br_md5_join(ha1, (const char *const[]){user, realm, pass}, 3);
    br_md5_join(ha2, (const char *const[]){method, duri}, 2);
    br_md5_join(want, (const char *const[]){ha1, nonce, nc, cnonce, qop, ha2}, 6);
    for (char *p = response; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    if (strcmp(want, response) != 0) return BR_DIGEST_BAD;
    /* Right credentials: now whether the nonce is still fresh and the count new. */
    uint64_t now = now_seconds();
    if (ts > now || now - ts > d->timeout) return BR_DIGEST_STALE;
    unsigned long count = strtoul(nc, &end, 16);
    if (*end) return BR_DIGEST_BAD;
    return count_fresh(d, nonce, seq, count);
}
