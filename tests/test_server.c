/* The mock server over real loopback HTTP (libcurl against libmicrohttpd): the demo world of
 * all three vendors, Bearer and Digest auth, the admin API, faults, limits and bad input.
 * Every refusal is checked to leave the world's digest unchanged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <curl/curl.h>
#include <microhttpd.h>

#include "md5.h"
#include "server.h"
#include "server_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define ADMIN "Authorization: Bearer admin-demo-token"
#define ZKEY "Authorization: Bearer zilliz-demo-key"
#define CKEY "Authorization: Bearer crdb-demo-key"
#define SNAPS                                                                                      \
    "/api/atlas/v1.0/groups/5f0000000000000000000002/clusters/M2Shop/backup/tenant/snapshots"

typedef struct {
    char *data;
    size_t len;
} buf;

typedef struct {
    long status;
    CURLcode rc;
    buf body, head;
    json_t *json;
    double seconds;
} answer;

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
    buf *b = ud;
    size_t add = size * n;
    char *d = realloc(b->data, b->len + add + 1);
    if (!d) return 0;
    memcpy(d + b->len, p, add);
    b->data = d;
    b->len += add;
    d[b->len] = '\0';
    return add;
}

static void answer_free(answer *a)
{
    free(a->body.data);
    free(a->head.data);
    json_decref(a->json);
    memset(a, 0, sizeof *a);
}

static unsigned port;

/* How an exchange differs from the usual one. */
typedef struct {
    bool http10;    /* HTTP/1.0 */
    bool no_expect; /* a large body is sent at once, without waiting for 100 Continue */
} http_options;

/* One exchange. 'easy' may be reused (Digest state lives in it); NULL: a fresh handle. 'path'
 * is on this server, or a whole URL. */
static answer http_with(const http_options *o, CURL *easy, const char *method, const char *path,
                        const char *body, size_t body_len, const char *userpwd, const char *h1,
                        const char *h2)
{
    static const http_options usual = {0};
    if (!o) o = &usual;
    answer a = {0};
    CURL *c = easy ? easy : curl_easy_init();
    char url[16384];
    if (strncmp(path, "http", 4) == 0)
        snprintf(url, sizeof url, "%s", path);
    else
        snprintf(url, sizeof url, "http://127.0.0.1:%u%s", port, path);
    struct curl_slist *hs = NULL;
    if (h1) hs = curl_slist_append(hs, h1);
    if (h2) hs = curl_slist_append(hs, h2);
    /* A body past the server's limit waits for its answer first (Expect: 100-continue, as curl
     * does by default past 1 MiB, and as long as that takes): the server refuses on the length
     * before reading, and a body already on its way when the refusal came made the exchange
     * depend on timing (a reset connection now and then on a loaded machine). */
    bool big = body && body_len > 1024 * 1024 && !o->no_expect;
    hs = curl_slist_append(hs, big ? "Expect: 100-continue" : "Expect:");
    if (big) curl_easy_setopt(c, CURLOPT_EXPECT_100_TIMEOUT_MS, 60000L);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hs);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &a.body);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, collect);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &a.head);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 20L);
    curl_easy_setopt(c, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
    curl_easy_setopt(c, CURLOPT_HTTP_VERSION,
                     o->http10 ? (long)CURL_HTTP_VERSION_1_0 : (long)CURL_HTTP_VERSION_NONE);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(c, CURLOPT_NOBODY, strcmp(method, "HEAD") == 0 ? 1L : 0L);
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, strcmp(method, "HEAD") == 0 ? NULL : method);
    }
    if (userpwd) {
        curl_easy_setopt(c, CURLOPT_HTTPAUTH, CURLAUTH_DIGEST);
        curl_easy_setopt(c, CURLOPT_USERPWD, userpwd);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    a.rc = curl_easy_perform(c);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    a.seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &a.status);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, NULL);
    curl_slist_free_all(hs);
    if (!easy) curl_easy_cleanup(c);
    if (a.body.data) {
        json_error_t e;
        a.json = json_loads(a.body.data, 0, &e);
    }
    return a;
}

static answer http(CURL *easy, const char *method, const char *path, const char *body,
                   size_t body_len, const char *userpwd, const char *h1, const char *h2)
{
    return http_with(NULL, easy, method, path, body, body_len, userpwd, h1, h2);
}

static answer get(const char *path, const char *h1)
{
    return http(NULL, "GET", path, NULL, 0, NULL, h1, NULL);
}

static answer send_json(const char *method, const char *path, const char *body, const char *h1)
{
    return http(NULL, method, path, body, strlen(body), NULL, h1, "Content-Type: application/json");
}

static char *digest_of_world(void)
{
    answer a = get("/_brcheck/v1/digest", ADMIN);
    assert_int_equal(a.status, 200);
    char *d = strdup(json_string_value(json_object_get(a.json, "digest")));
    answer_free(&a);
    return d;
}

static void assert_world_unchanged(const char *before)
{
    char *after = digest_of_world();
    assert_string_equal(before, after);
    free(after);
}

static br_server *start(unsigned nonce_timeout)
{
    char err[256];
    br_server_config cfg = {.listen = "127.0.0.1:0",
                            .mutant = BR_RULE_COUNT,
                            .seed = -1,
                            .quiet = true,
                            .threads = 2,
                            .nonce_timeout = nonce_timeout};
    br_server *s = br_server_start(&cfg, err, sizeof err);
    if (!s) fail_msg("server did not start: %s", err);
    port = br_server_port(s);
    assert_true(port > 0);
    return s;
}

static int setup(void **state)
{
    *state = start(0);
    return 0;
}

static int teardown(void **state)
{
    br_server_stop(*state);
    return 0;
}

static void test_demo_world_answers_all_three_vendors(void **state)
{
    answer z = get("/v2/backups?clusterId=in01-demo0dedicated01", ZKEY);
    assert_int_equal(z.status, 200);
    assert_int_equal(json_integer_value(json_object_get(z.json, "code")), 0);
    json_t *backups = json_object_get(json_object_get(z.json, "data"), "backups");
    assert_string_equal(json_string_value(json_object_get(json_array_get(backups, 0), "status")),
                        "AVAILABLE");
    answer_free(&z);

    answer c = get("/api/v1/clusters/10000000-0000-4000-8000-000000000003/backups", CKEY);
    assert_int_equal(c.status, 200);
    assert_int_equal(json_array_size(json_object_get(c.json, "backups")), 2);
    answer_free(&c);

    answer a =
        http(NULL, "GET", SNAPS, NULL, 0, "atlas-demo-public:atlas-demo-private", NULL, NULL);
    assert_int_equal(a.status, 200);
    assert_int_equal(json_integer_value(json_object_get(a.json, "totalCount")), 1);
    assert_non_null(strstr(a.head.data, "Content-Type: application/json"));
    answer_free(&a);
}

static void test_bearer_refused_in_vendor_shape(void **state)
{
    char *before = digest_of_world();
    answer z = send_json("POST", "/v2/clusters/in01-demo0dedicated01/backups/create",
                         "{\"backupType\":\"CLUSTER\"}", "Authorization: Bearer wrong");
    assert_int_not_equal(json_integer_value(json_object_get(z.json, "code")), 0);
    assert_non_null(json_object_get(z.json, "message"));
    answer_free(&z);
    answer c = get("/api/v1/clusters/10000000-0000-4000-8000-000000000003/backups", NULL);
    assert_int_equal(c.status, 401);
    assert_non_null(json_object_get(c.json, "message"));
    answer_free(&c);
    assert_world_unchanged(before);
    free(before);
}

static void test_digest_challenge_before_body(void **state)
{
    char *before = digest_of_world();
    answer a = send_json("POST",
                         "/api/atlas/v1.0/groups/5f0000000000000000000002/clusters/M2Shop/backup/"
                         "tenant/restore",
                         "{not json", NULL);
    assert_int_equal(a.status, 401);
    assert_int_equal(json_integer_value(json_object_get(a.json, "error")), 401);
    assert_non_null(strstr(a.head.data, "WWW-Authenticate: Digest realm=\"MMS Public API\""));
    assert_non_null(strstr(a.head.data, "qop=\"auth\""));
    assert_non_null(strstr(a.head.data, "nonce=\""));
    answer_free(&a);

    /* The right user name with a wrong password is not enough. */
    answer w = http(NULL, "GET", SNAPS, NULL, 0, "atlas-demo-public:wrong", NULL, NULL);
    assert_int_equal(w.status, 401);
    answer_free(&w);
    /* Neither is a Digest header naming a real key with a made-up response. */
    answer f = get(SNAPS, "Authorization: Digest username=\"atlas-demo-public\", realm=\"MMS "
                          "Public API\", nonce=\"00\", uri=\"/\", response=\"00\"");
    assert_int_equal(f.status, 401);
    answer_free(&f);
    assert_world_unchanged(before);
    free(before);
}

static int count(const char *hay, const char *needle)
{
    int n = 0;
    for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
        n++;
    return n;
}

static void test_digest_nonce_reuse_with_rising_nc(void **state)
{
    CURL *c = curl_easy_init();
    const char *creds = "atlas-demo-public:atlas-demo-private";
    answer first = http(c, "GET", SNAPS, NULL, 0, creds, NULL, NULL);
    assert_int_equal(first.status, 200);
    assert_int_equal(count(first.head.data, " 401 "), 1); /* the challenge, then the answer */
    answer_free(&first);
    for (int i = 0; i < 3; i++) {
        answer again = http(c, "GET", SNAPS, NULL, 0, creds, NULL, NULL);
        assert_int_equal(again.status, 200);
        assert_int_equal(count(again.head.data, " 401 "), 0); /* same nonce, nc 2, 3, 4 */
        answer_free(&again);
    }
    curl_easy_cleanup(c);
}

static void hex_md5(char out[33], const char *text)
{
    br_md5 m;
    br_md5_init(&m);
    br_md5_update(&m, text, strlen(text));
    br_md5_hex(&m, out);
}

/* An Authorization header computed by hand (RFC 7616, MD5, qop=auth). */
static void digest_header(char *out, size_t len, const char *nonce, const char *nc)
{
    char a1[128], ha1[33], a2[256], ha2[33], all[512], resp[33];
    snprintf(a1, sizeof a1, "atlas-demo-public:MMS Public API:atlas-demo-private");
    hex_md5(ha1, a1);
    snprintf(a2, sizeof a2, "GET:%s", SNAPS);
    hex_md5(ha2, a2);
    snprintf(all, sizeof all, "%s:%s:%s:c0ffee:auth:%s", ha1, nonce, nc, ha2);
    hex_md5(resp, all);
    snprintf(out, len,
             "Authorization: Digest username=\"atlas-demo-public\", realm=\"MMS Public API\", "
             "nonce=\"%s\", uri=\"%s\", algorithm=MD5, qop=auth, nc=%s, cnonce=\"c0ffee\", "
             "response=\"%s\"",
             nonce, SNAPS, nc, resp);
}

static void test_digest_replayed_count_refused(void **state)
{
    answer ch = get(SNAPS, NULL);
    assert_int_equal(ch.status, 401);
    const char *n = strstr(ch.head.data, "nonce=\"");
    assert_non_null(n);
    char nonce[128];
    snprintf(nonce, sizeof nonce, "%.*s", (int)strcspn(n + 7, "\""), n + 7);
    answer_free(&ch);
    char h[1024];
    digest_header(h, sizeof h, nonce, "00000001");
    answer one = get(SNAPS, h);
    assert_int_equal(one.status, 200);
    answer_free(&one);
    answer replay = get(SNAPS, h); /* the same nc again: a replay */
    assert_int_equal(replay.status, 401);
    answer_free(&replay);
    digest_header(h, sizeof h, nonce, "00000002");
    answer two = get(SNAPS, h);
    assert_int_equal(two.status, 200);
    answer_free(&two);
    nonce[30] = nonce[30] == 'a' ? 'b' : 'a'; /* a nonce the server never issued */
    digest_header(h, sizeof h, nonce, "00000003");
    answer forged = get(SNAPS, h);
    assert_int_equal(forged.status, 401);
    answer_free(&forged);
}

static bool demo_secret(void *ctx, const char *user, char *pass, size_t len)
{
    (void)ctx;
    if (strcmp(user, "atlas-demo-public") != 0) return false;
    snprintf(pass, len, "atlas-demo-private");
    return true;
}

static void nonce_of(const char *challenge, char out[128])
{
    const char *n = strstr(challenge, "nonce=\"");
    assert_non_null(n);
    snprintf(out, 128, "%.*s", (int)strcspn(n + 7, "\""), n + 7);
}

/* A nonce whose record was pushed out of the table by thousands of later nonces is not taken
 * for a first use again: its replay is answered stale, never accepted. */
static void test_digest_replay_after_eviction_refused(void **state)
{
    (void)state;
    br__digest *d = calloc(1, sizeof *d);
    assert_non_null(d);
    assert_int_equal(br__digest_init(d, 300), 0);
    char *ch = br__digest_challenge(d, false);
    char first[128], h[1024], user[96];
    nonce_of(ch, first);
    free(ch);
    digest_header(h, sizeof h, first, "00000001");
    const char *auth = h + strlen("Authorization: ");
    assert_int_equal(br__digest_verify(d, auth, "GET", SNAPS, demo_secret, NULL, user),
                     BR_DIGEST_OK);
    for (int i = 0; i < 4 * BR_DIGEST_SLOTS; i++) { /* evicts every slot many times over */
        char other[128], oh[1024];
        ch = br__digest_challenge(d, false);
        nonce_of(ch, other);
        free(ch);
        digest_header(oh, sizeof oh, other, "00000001");
        assert_int_equal(br__digest_verify(d, oh + 15, "GET", SNAPS, demo_secret, NULL, user),
                         BR_DIGEST_OK);
    }
    assert_int_equal(br__digest_verify(d, auth, "GET", SNAPS, demo_secret, NULL, user),
                     BR_DIGEST_STALE);
    br__digest_free(d);
    free(d);
}

/* br__digest_rewind (the http fuzzing harness): from an empty table, the nonces issued and
 * the counts taken after the mark are forgotten: the table is empty again, byte for byte. */
static void test_digest_rewind_forgets_what_came_after(void **state)
{
    (void)state;
    br__digest *d = calloc(1, sizeof *d);
    br__digest *kept = malloc(sizeof *kept);
    assert_non_null(d);
    assert_non_null(kept);
    assert_int_equal(br__digest_init(d, 300), 0);
    memcpy(kept, d, sizeof *d);
    uint32_t seq = d->seq;
    uint64_t tick = d->tick;

    /* two nonces, three counts */
    char one[128], two[128], h[1024], user[96];
    char *ch = br__digest_challenge(d, false);
    nonce_of(ch, one);
    free(ch);
    ch = br__digest_challenge(d, false);
    nonce_of(ch, two);
    free(ch);
    const char *counts[][2] = {{one, "00000001"}, {one, "00000002"}, {two, "00000001"}};
    for (size_t i = 0; i < 3; i++) {
        digest_header(h, sizeof h, counts[i][0], counts[i][1]);
        assert_int_equal(br__digest_verify(d, h + 15, "GET", SNAPS, demo_secret, NULL, user),
                         BR_DIGEST_OK);
    }
    digest_header(h, sizeof h, one, "00000002"); /* a replay, before the rewind */
    assert_int_equal(br__digest_verify(d, h + 15, "GET", SNAPS, demo_secret, NULL, user),
                     BR_DIGEST_BAD);
    assert_true(memcmp(kept->slots, d->slots, sizeof d->slots) != 0);
    assert_true(memcmp(kept->used, d->used, sizeof d->used) != 0);

    br__digest_rewind(d, seq, tick);
    assert_int_equal(d->seq, seq);
    assert_true(d->tick == tick);
    assert_memory_equal(kept->slots, d->slots, sizeof d->slots);
    assert_memory_equal(kept->used, d->used, sizeof d->used);
    /* the next nonce is numbered as the first was */
    ch = br__digest_challenge(d, false);
    char again[128];
    nonce_of(ch, again);
    free(ch);
    assert_int_equal(d->seq, seq + 1);
    assert_memory_equal(again + 16, one + 16, 8); /* after 16 hex digits of time, the number */
    /* a rewind to now changes nothing */
    digest_header(h, sizeof h, again, "00000001");
    assert_int_equal(br__digest_verify(d, h + 15, "GET", SNAPS, demo_secret, NULL, user),
                     BR_DIGEST_OK);
    memcpy(kept, d, sizeof *d);
    br__digest_rewind(d, d->seq, d->tick);
    assert_memory_equal(kept->slots, d->slots, sizeof d->slots);
    assert_memory_equal(kept->used, d->used, sizeof d->used);
    free(kept);
    br__digest_free(d);
    free(d);
}

/* Connections sharing a nonce send their counts a little out of order: each count is taken
 * once, whatever the order; a count seen before, or 64 or more below the highest, is not. */
static void test_digest_counts_out_of_order_taken_once(void **state)
{
    answer ch = get(SNAPS, NULL);
    assert_int_equal(ch.status, 401);
    char nonce[128];
    nonce_of(ch.head.data, nonce);
    answer_free(&ch);
    const struct {
        const char *nc;
        long status;
    } seq[] = {{"00000003", 200}, {"00000001", 200}, {"00000002", 200}, {"00000002", 401},
               {"00000001", 401}, {"00000003", 401}, {"00000050", 200}, {"00000010", 401},
               {"00000011", 200}, {"00000000", 401}};
    for (size_t i = 0; i < sizeof seq / sizeof *seq; i++) {
        char h[1024];
        digest_header(h, sizeof h, nonce, seq[i].nc);
        answer a = get(SNAPS, h);
        if (a.status != seq[i].status)
            fail_msg("nc %s: %ld, not %ld", seq[i].nc, a.status, seq[i].status);
        answer_free(&a);
    }
}

static void test_digest_stale_nonce(void **state)
{
    br_server *s = start(1);
    CURL *c = curl_easy_init();
    const char *creds = "atlas-reader-public:atlas-reader-private";
    answer first = http(c, "GET", SNAPS, NULL, 0, creds, NULL, NULL);
    assert_int_equal(first.status, 200);
    answer_free(&first);
    sleep(3);
    answer later = http(c, "GET", SNAPS, NULL, 0, creds, NULL, NULL);
    assert_non_null(strstr(later.head.data, "stale=true"));
    assert_int_equal(later.status, 200); /* the client took the fresh nonce */
    answer_free(&later);
    curl_easy_cleanup(c);
    br_server_stop(s);
}

static void test_access_list_sees_the_socket_address(void **state)
{
    answer load = send_json(
        "PUT", "/_brcheck/v1/world",
        "{\"orgs\":[{\"id\":\"a0123456789abcdef012345a\",\"vendor\":\"atlas\",\"accessList\":[\"10."
        "0.0.0/8\"],\"projects\":[{\"id\":\"b0123456789abcdef012345b\"}]}],\"keys\":[{\"key\":"
        "\"k\",\"secret\":\"s\",\"org\":\"a0123456789abcdef012345a\",\"roles\":[\"ORG_OWNER\"]}],"
        "\"clusters\":[{\"id\":\"c0123456789abcdef012345c\",\"name\":\"M2\",\"project\":"
        "\"b0123456789abcdef012345b\",\"plan\":\"M2\",\"mongoMajor\":7}]}",
        ADMIN);
    assert_int_equal(load.status, 200);
    answer_free(&load);
    const char *p =
        "/api/atlas/v1.0/groups/b0123456789abcdef012345b/clusters/M2/backup/tenant/snapshots";
    answer from_loopback = http(NULL, "GET", p, NULL, 0, "k:s", NULL, NULL);
    assert_int_equal(from_loopback.status, 403);
    answer_free(&from_loopback);
    answer stated = http(NULL, "GET", p, NULL, 0, "k:s", "X-Brcheck-Caller-Ip: 10.1.2.3",
                         "X-Brcheck-Admin-Token: admin-demo-token");
    assert_int_equal(stated.status, 200);
    answer_free(&stated);
    answer forged = http(NULL, "GET", p, NULL, 0, "k:s", "X-Brcheck-Caller-Ip: 10.1.2.3",
                         "X-Brcheck-Admin-Token: guess");
    assert_int_equal(forged.status, 403);
    answer_free(&forged);
}

static void test_admin_api(void **state)
{
    answer ping = get("/_brcheck/v1/ping", NULL);
    assert_int_equal(ping.status, 200);
    assert_true(json_is_true(json_object_get(ping.json, "pong")));
    answer_free(&ping);
    answer no_token = get("/_brcheck/v1/world", NULL);
    assert_int_equal(no_token.status, 401);
    answer_free(&no_token);
    answer bad_token = get("/_brcheck/v1/world", "Authorization: Bearer guess");
    assert_int_equal(bad_token.status, 401);
    answer_free(&bad_token);

    char *before = digest_of_world();
    answer bad_world = send_json("PUT", "/_brcheck/v1/world", "{\"clusters\":[{\"id\":7}]}", ADMIN);
    assert_int_equal(bad_world.status, 400);
    assert_non_null(json_object_get(bad_world.json, "error"));
    answer_free(&bad_world);
    answer not_json = send_json("PUT", "/_brcheck/v1/world", "{", ADMIN);
    assert_int_equal(not_json.status, 400);
    answer_free(&not_json);
    answer bad_mutant = send_json("PUT", "/_brcheck/v1/mutant", "{\"rule\":\"NOPE\"}", ADMIN);
    assert_int_equal(bad_mutant.status, 400);
    answer_free(&bad_mutant);
    answer bad_clock = send_json("POST", "/_brcheck/v1/clock", "{\"advance\":\"soon\"}", ADMIN);
    assert_int_equal(bad_clock.status, 400);
    answer_free(&bad_clock);
    answer bad_sim =
        send_json("POST", "/_brcheck/v1/sim",
                  "{\"op\":\"write\",\"cluster\":\"nope\",\"collection\":\"x\"}", ADMIN);
    assert_int_equal(bad_sim.status, 404);
    answer_free(&bad_sim);
    assert_world_unchanged(before);
    free(before);

    answer clock = send_json("POST", "/_brcheck/v1/clock", "{\"advance\":\"1d\"}", ADMIN);
    assert_int_equal(clock.status, 200);
    assert_string_equal(json_string_value(json_object_get(clock.json, "now")),
                        "2025-06-03T00:00:00Z");
    answer_free(&clock);
    answer sim = send_json("POST", "/_brcheck/v1/sim",
                           "{\"op\":\"write\",\"cluster\":\"in01-demo0dedicated01\",\"db\":"
                           "\"default\",\"collection\":\"medium_articles\"}",
                           ADMIN);
    assert_int_equal(sim.status, 200);
    answer_free(&sim);
    answer world = get("/_brcheck/v1/world", ADMIN);
    json_t *v = json_object_get(
        json_object_get(
            json_object_get(json_object_get(json_object_get(json_object_get(world.json, "clusters"),
                                                            "in01-demo0dedicated01"),
                                            "databases"),
                            "default"),
            "medium_articles"),
        "version");
    assert_true(json_integer_value(v) > 3); /* a new content version */
    answer_free(&world);

    answer m =
        send_json("PUT", "/_brcheck/v1/mutant", "{\"rule\":\"ZC-RESTORE-AVAILABLE\"}", ADMIN);
    assert_int_equal(m.status, 200);
    assert_string_equal(json_string_value(json_object_get(m.json, "rule")), "ZC-RESTORE-AVAILABLE");
    answer_free(&m);
    answer off = send_json("PUT", "/_brcheck/v1/mutant", "{\"rule\":null}", ADMIN);
    assert_true(json_is_null(json_object_get(off.json, "rule")));
    answer_free(&off);
    answer check = get("/_brcheck/v1/check", ADMIN);
    assert_true(json_is_true(json_object_get(check.json, "ok")));
    answer_free(&check);
}

static void arm(const char *spec)
{
    answer a = send_json("POST", "/_brcheck/v1/faults", spec, ADMIN);
    assert_int_equal(a.status, 201);
    answer_free(&a);
}

static void *slow_get(void *out)
{
    *(answer *)out = get("/v2/backups?clusterId=in01-demo0dedicated01", ZKEY);
    return NULL;
}

static void test_faults(void **state)
{
    const char *zpath = "/v2/backups?clusterId=in01-demo0dedicated01";
    arm("{\"path\":\"/v2/backups*\",\"status\":429,\"retryAfter\":2}");
    answer limited = get(zpath, ZKEY);
    assert_int_equal(limited.status, 429);
    assert_non_null(strstr(limited.head.data, "Retry-After: 2"));
    assert_int_not_equal(json_integer_value(json_object_get(limited.json, "code")), 0);
    answer_free(&limited);
    answer next = get(zpath, ZKEY); /* once: gone */
    assert_int_equal(next.status, 200);
    answer_free(&next);

    arm("{\"path\":\"/api/v1/*\",\"status\":503,\"times\":2}");
    for (int i = 0; i < 2; i++) {
        answer u = get("/api/v1/clusters/10000000-0000-4000-8000-000000000003/backups", CKEY);
        assert_int_equal(u.status, 503);
        assert_int_equal(json_integer_value(json_object_get(u.json, "code")), 14);
        answer_free(&u);
    }
    answer back = get("/api/v1/clusters/10000000-0000-4000-8000-000000000003/backups", CKEY);
    assert_int_equal(back.status, 200);
    answer_free(&back);

    arm("{\"path\":\"/api/atlas/*\",\"method\":\"GET\",\"status\":500}");
    answer broken = get(SNAPS, NULL);
    assert_int_equal(broken.status, 500);
    assert_string_equal(json_string_value(json_object_get(broken.json, "errorCode")),
                        "UNEXPECTED_ERROR");
    answer_free(&broken);

    /* A delayed answer holds no worker: the server answers others meanwhile. */
    arm("{\"path\":\"/v2/*\",\"delayMs\":600}");
    pthread_t slow_thread;
    answer slow;
    pthread_create(&slow_thread, NULL, slow_get, &slow);
    nanosleep(&(struct timespec){0, 150000000L}, NULL);
    answer meanwhile = get("/api/v1/clusters/10000000-0000-4000-8000-000000000003/backups", CKEY);
    assert_int_equal(meanwhile.status, 200);
    assert_true(meanwhile.seconds < 0.3);
    answer_free(&meanwhile);
    pthread_join(slow_thread, NULL);
    assert_int_equal(slow.status, 200);
    assert_true(slow.seconds >= 0.59);
    answer_free(&slow);

    arm("{\"path\":\"/v2/*\",\"drop\":true}");
    answer dropped = get(zpath, ZKEY);
    assert_int_equal(dropped.rc, CURLE_GOT_NOTHING);
    answer_free(&dropped);

    arm("{\"path\":\"/v2/*\",\"status\":500,\"times\":0}");
    for (int i = 0; i < 3; i++) {
        answer e = get(zpath, ZKEY);
        assert_int_equal(e.status, 500);
        answer_free(&e);
    }
    answer list = get("/_brcheck/v1/faults", ADMIN);
    assert_int_equal(json_array_size(list.json), 1);
    answer_free(&list);
    answer cleared = http(NULL, "DELETE", "/_brcheck/v1/faults", NULL, 0, NULL, ADMIN, NULL);
    assert_int_equal(cleared.status, 200);
    answer_free(&cleared);
    answer ok = get(zpath, ZKEY);
    assert_int_equal(ok.status, 200);
    answer_free(&ok);

    answer bad =
        send_json("POST", "/_brcheck/v1/faults", "{\"path\":\"/v2/*\",\"status\":418}", ADMIN);
    assert_int_equal(bad.status, 400);
    answer_free(&bad);
}

static void test_limits_and_bad_input(void **state)
{
    char *before = digest_of_world();
    size_t big = 1024 * 1024 + 10;
    char *body = malloc(big + 1);
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    body[big] = '\0';
    answer z = http(NULL, "POST", "/v2/clusters/in01-demo0dedicated01/backups/create", body, big,
                    NULL, ZKEY, "Content-Type: application/json");
    assert_int_equal(z.status, 413);
    assert_int_not_equal(json_integer_value(json_object_get(z.json, "code")), 0);
    answer_free(&z);
    answer c = http(NULL, "POST", "/api/v1/clusters/10000000-0000-4000-8000-000000000003/restores",
                    body, big, NULL, CKEY, "Content-Type: application/json");
    assert_int_equal(c.status, 413);
    assert_non_null(json_object_get(c.json, "message"));
    answer_free(&c);
    answer a = http(NULL, "POST",
                    "/api/atlas/v1.0/groups/5f0000000000000000000002/clusters/M2Shop/backup/"
                    "tenant/restore",
                    body, big, "atlas-demo-public:atlas-demo-private", NULL,
                    "Content-Type: application/json");
    assert_int_equal(a.status, 413);
    assert_int_equal(json_integer_value(json_object_get(a.json, "error")), 413);
    answer_free(&a);
    free(body);

    answer bad = send_json("POST", "/v2/clusters/in01-demo0dedicated01/backups/create",
                           "{\"backupType\": ", ZKEY);
    assert_int_equal(bad.status, 400);
    assert_int_not_equal(json_integer_value(json_object_get(bad.json, "code")), 0);
    answer_free(&bad);
    answer utf8 = http(NULL, "POST", "/v2/clusters/in01-demo0dedicated01/backups/create",
                       "{\"backupType\":\"\xff\xfe\"}", 18, NULL, ZKEY, NULL);
    assert_true(utf8.status >= 400 && utf8.status < 500);
    answer_free(&utf8);

    char *path = malloc(10000);
    memset(path, 'a', 9999);
    path[0] = '/';
    path[9999] = '\0';
    answer long_uri = get(path, ZKEY);
    assert_true(long_uri.status == 414 || long_uri.status == 431);
    answer_free(&long_uri);
    free(path);
    char *hdr = malloc(70000);
    memcpy(hdr, "X-Big: ", 7);
    memset(hdr + 7, 'b', 69990);
    hdr[69997] = '\0';
    answer big_header = get("/v2/backups", hdr);
    assert_true(big_header.status >= 400 || big_header.rc != CURLE_OK);
    answer_free(&big_header);
    free(hdr);

    answer unknown = get("/nowhere", NULL);
    assert_int_equal(unknown.status, 404);
    answer_free(&unknown);
    assert_world_unchanged(before);
    free(before);
    answer ping = get("/_brcheck/v1/ping", NULL); /* still serving */
    assert_int_equal(ping.status, 200);
    answer_free(&ping);
}

static void test_mutant_served(void **state)
{
    /* With ZC-RESTORE-AVAILABLE broken a CREATING backup restores; without, it is refused. */
    answer load = send_json(
        "PUT", "/_brcheck/v1/world",
        "{\"orgs\":[{\"id\":\"o\",\"vendor\":\"zilliz\",\"projects\":[{\"id\":\"p\"}]}],\"keys\":[{"
        "\"key\":\"k\",\"org\":\"o\",\"roles\":[\"ORG_OWNER\"]}],\"clusters\":[{\"id\":\"in01-a\","
        "\"name\":\"A\",\"project\":\"p\",\"plan\":\"Standard\",\"region\":\"aws-us-west-2\","
        "\"cuSize\":1}],\"backups\":[{\"id\":\"backup1_x\",\"cluster\":\"in01-a\",\"status\":"
        "\"CREATING\"}]}",
        ADMIN);
    assert_int_equal(load.status, 200);
    answer_free(&load);
    const char *restore = "/v2/clusters/in01-a/backups/backup1_x/restoreCluster";
    const char *body = "{\"projectId\":\"p\",\"clusterName\":\"R\",\"cuSize\":1}";
    answer refused = send_json("POST", restore, body, "Authorization: Bearer k");
    assert_int_not_equal(json_integer_value(json_object_get(refused.json, "code")), 0);
    answer_free(&refused);
    answer m =
        send_json("PUT", "/_brcheck/v1/mutant", "{\"rule\":\"ZC-RESTORE-AVAILABLE\"}", ADMIN);
    answer_free(&m);
    answer allowed = send_json("POST", restore, body, "Authorization: Bearer k");
    assert_int_equal(json_integer_value(json_object_get(allowed.json, "code")), 0);
    answer_free(&allowed);
    m = send_json("PUT", "/_brcheck/v1/mutant", "{\"rule\":null}", ADMIN);
    answer_free(&m);
}

/* ---- the wire: links, HEAD, 405, Expect, Host, limits, admin bodies ---- */

/* The value of header 'name' in the last answer of an exchange (after a Digest challenge,
 * the answer's own), or "" when it has none. */
static const char *header_of(const answer *a, const char *name, char *out, size_t len)
{
    out[0] = '\0';
    const char *last = a->head.data;
    for (const char *p = a->head.data; p && (p = strstr(p, "HTTP/1.")); p++)
        last = p;
    size_t n = strlen(name);
    for (const char *line = last; line && *line;) {
        const char *end = strstr(line, "\r\n");
        if (!end) break;
        if (strncasecmp(line, name, n) == 0 && line[n] == ':') {
            const char *v = line + n + 1;
            while (*v == ' ')
                v++;
            snprintf(out, len, "%.*s", (int)(end - v), v);
            return out;
        }
        line = end + 2;
    }
    return out;
}

/* The world of the paging fixture (three snapshots of M2AWS): keys without a secret, so the
 * public key is the private one. */
static void load_paging_world(void)
{
    json_error_t e;
    json_t *f =
        json_load_file(BR_SOURCE_DIR "/fixtures/atlas/ma-paging-pages-and-links.json", 0, &e);
    assert_non_null(f);
    char *given = json_dumps(json_object_get(f, "given"), JSON_COMPACT);
    json_decref(f);
    answer load = send_json("PUT", "/_brcheck/v1/world", given, ADMIN);
    assert_int_equal(load.status, 200);
    answer_free(&load);
    free(given);
}

#define M2AWS_SNAPS                                                                                \
    "/api/atlas/v1.0/groups/b0123456789abcdef012345b/clusters/M2AWS/backup/tenant/snapshots"

static const char *href_of(const answer *a, const char *rel)
{
    size_t i;
    json_t *l;
    json_array_foreach(json_object_get(a->json, "links"), i, l)
    {
        if (strcmp(json_string_value(json_object_get(l, "rel")), rel) == 0)
            return json_string_value(json_object_get(l, "href"));
    }
    return NULL;
}

/* Atlas list links point at the server the client called (its Host; the address it
 * connected to under HTTP/1.0 without one), never at cloud.mongodb.com: a client that pages
 * by following "next" stays on the mock with its credentials. */
static void test_atlas_links_on_the_origin_called(void **state)
{
    load_paging_world();
    char origin[64], want[512];
    snprintf(origin, sizeof origin, "http://127.0.0.1:%u", port);
    answer first = http(NULL, "GET", M2AWS_SNAPS "?itemsPerPage=2", NULL, 0, "owner-key:owner-key",
                        NULL, NULL);
    assert_int_equal(first.status, 200);
    snprintf(want, sizeof want, "%s%s?includeCount=true&pageNum=1&itemsPerPage=2", origin,
             M2AWS_SNAPS);
    assert_string_equal(href_of(&first, "self"), want);
    const char *next = href_of(&first, "next");
    assert_non_null(next);
    assert_true(strncmp(next, origin, strlen(origin)) == 0);
    /* following it: the second page, from this server */
    answer second = http(NULL, "GET", next, NULL, 0, "owner-key:owner-key", NULL, NULL);
    assert_int_equal(second.status, 200);
    assert_int_equal(json_array_size(json_object_get(second.json, "results")), 1);
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(second.json, "results"), 0), "id")),
                        "5ced491ce7a2e10517c81fa7");
    const char *previous = href_of(&second, "previous");
    assert_non_null(previous);
    assert_true(strncmp(previous, origin, strlen(origin)) == 0);
    answer_free(&second);
    answer_free(&first);

    /* the Host the client named, and the scheme a proxy in front says it was called on */
    answer named = http(NULL, "GET", M2AWS_SNAPS, NULL, 0, "owner-key:owner-key",
                        "Host: backups.example:8443", "X-Forwarded-Proto: https");
    assert_int_equal(named.status, 200);
    snprintf(want, sizeof want,
             "https://backups.example:8443%s?includeCount=true&pageNum=1&itemsPerPage=100",
             M2AWS_SNAPS);
    assert_string_equal(href_of(&named, "self"), want);
    answer_free(&named);

    /* HTTP/1.0 without a Host: the address the client connected to */
    http_options http10 = {.http10 = true};
    answer old =
        http_with(&http10, NULL, "GET", M2AWS_SNAPS, NULL, 0, "owner-key:owner-key", "Host:", NULL);
    assert_int_equal(old.status, 200);
    snprintf(want, sizeof want, "%s%s?includeCount=true&pageNum=1&itemsPerPage=100", origin,
             M2AWS_SNAPS);
    assert_string_equal(href_of(&old, "self"), want);
    answer_free(&old);
}

/* In-process, without a Host (the model as `brcheck run` plays it), links are Atlas's own. */
static void test_atlas_links_in_process_are_atlas_own(void **state)
{
    (void)state;
    json_error_t e;
    json_t *f =
        json_load_file(BR_SOURCE_DIR "/fixtures/atlas/ma-paging-pages-and-links.json", 0, &e);
    assert_non_null(f);
    char err[256];
    br_world *w = br_world_new(json_object_get(f, "given"), err, sizeof err);
    json_decref(f);
    assert_non_null(w);
    const br_header with_host[] = {{"Host", "mock.example:8080"}};
    for (int k = 0; k < 2; k++) {
        br_request req = {.method = "GET",
                          .path = M2AWS_SNAPS,
                          .query = "itemsPerPage=2",
                          .headers = k ? with_host : NULL,
                          .n_headers = k ? 1 : 0,
                          .caller_ip = "10.0.0.1",
                          .principal = "owner-key"};
        br_response res;
        assert_int_equal(br_world_handle(w, &req, &res), BR_OK);
        assert_int_equal(res.status, 200);
        json_t *next = json_array_get(json_object_get(res.body, "links"), 1);
        const char *href = json_string_value(json_object_get(next, "href"));
        assert_non_null(href);
        /* a Host without a scheme is taken to be Atlas's https */
        const char *want = k ? "https://mock.example:8080" M2AWS_SNAPS
                               "?includeCount=true&pageNum=2&itemsPerPage=2"
                             : "https://cloud.mongodb.com" M2AWS_SNAPS
                               "?includeCount=true&pageNum=2&itemsPerPage=2";
        assert_string_equal(href, want);
        br_response_clear(&res);
    }
    br_world_free(w);
}

/* HEAD wherever GET (RFC 9110 section 9.3.2): the same status and headers, no body. */
static void test_head_answers_as_get(void **state)
{
    char *before = digest_of_world();
    static const struct {
        const char *path, *h, *userpwd;
    } gets[] = {
        {"/v2/backups?clusterId=in01-demo0dedicated01", ZKEY, NULL},
        {"/api/v1/clusters/10000000-0000-4000-8000-000000000003/backups", CKEY, NULL},
        {SNAPS, NULL, "atlas-demo-public:atlas-demo-private"},
        {"/_brcheck/v1/digest", ADMIN, NULL},
        {"/_brcheck/v1/ping", NULL, NULL},
    };
    for (size_t i = 0; i < sizeof gets / sizeof *gets; i++) {
        answer g = http(NULL, "GET", gets[i].path, NULL, 0, gets[i].userpwd, gets[i].h, NULL);
        answer h = http(NULL, "HEAD", gets[i].path, NULL, 0, gets[i].userpwd, gets[i].h, NULL);
        assert_int_equal(g.status, 200);
        if (h.status != g.status) fail_msg("HEAD %s: %ld", gets[i].path, h.status);
        char gt[128], ht[128], hl[32], len[32];
        assert_string_equal(header_of(&h, "Content-Type", ht, sizeof ht),
                            header_of(&g, "Content-Type", gt, sizeof gt));
        snprintf(len, sizeof len, "%zu", g.body.len);
        assert_string_equal(header_of(&h, "Content-Length", hl, sizeof hl), len);
        assert_int_equal(h.body.len, 0);
        answer_free(&g);
        answer_free(&h);
    }
    /* not where there is no GET */
    answer post_only =
        http(NULL, "HEAD",
             "/v2/clusters/in01-demo0dedicated01/backups/backup1_demo0000000aaaa/restoreCluster",
             NULL, 0, NULL, ZKEY, NULL);
    assert_int_equal(post_only.status, 405);
    char allow[64];
    assert_string_equal(header_of(&post_only, "Allow", allow, sizeof allow), "POST");
    answer_free(&post_only);
    assert_world_unchanged(before);
    free(before);
}

/* Every 405 names the methods the path answers (RFC 9110 section 15.5.6), in the vendor's
 * error shape; and changes nothing. */
static void test_405_carries_allow(void **state)
{
    char *before = digest_of_world();
    char allow[64];
    answer z = http(NULL, "DELETE", "/v2/backups?clusterId=in01-demo0dedicated01", NULL, 0, NULL,
                    ZKEY, NULL);
    assert_int_equal(z.status, 405);
    assert_string_equal(header_of(&z, "Allow", allow, sizeof allow), "GET, HEAD");
    assert_int_not_equal(json_integer_value(json_object_get(z.json, "code")), 0);
    assert_non_null(json_object_get(z.json, "message"));
    answer_free(&z);
    answer c = send_json("PUT", "/api/v1/clusters/10000000-0000-4000-8000-000000000003/backups",
                         "{}", CKEY);
    assert_int_equal(c.status, 405);
    assert_string_equal(header_of(&c, "Allow", allow, sizeof allow), "GET, HEAD");
    assert_int_equal(json_integer_value(json_object_get(c.json, "code")), 12);
    answer_free(&c);
    answer a =
        http(NULL, "DELETE", SNAPS, NULL, 0, "atlas-demo-public:atlas-demo-private", NULL, NULL);
    assert_int_equal(a.status, 405);
    assert_string_equal(header_of(&a, "Allow", allow, sizeof allow), "GET, HEAD");
    assert_string_equal(json_string_value(json_object_get(a.json, "errorCode")),
                        "METHOD_NOT_ALLOWED");
    answer_free(&a);
    answer r = http(NULL, "GET",
                    "/api/atlas/v1.0/groups/5f0000000000000000000002/clusters/M2Shop/backup/"
                    "tenant/restore",
                    NULL, 0, "atlas-demo-public:atlas-demo-private", NULL, NULL);
    assert_int_equal(r.status, 405);
    assert_string_equal(header_of(&r, "Allow", allow, sizeof allow), "POST");
    answer_free(&r);
    static const struct {
        const char *method, *call, *allow;
    } admin[] = {{"DELETE", "digest", "GET, HEAD"},
                 {"GET", "sim", "POST"},
                 {"POST", "ping", "GET, HEAD"},
                 {"PATCH", "faults", "GET, HEAD, POST, DELETE"},
                 {"DELETE", "world", "GET, HEAD, PUT, POST"}};
    for (size_t i = 0; i < sizeof admin / sizeof *admin; i++) {
        char path[64];
        snprintf(path, sizeof path, "/_brcheck/v1/%s", admin[i].call);
        answer m = http(NULL, admin[i].method, path, NULL, 0, NULL, ADMIN, NULL);
        if (m.status != 405) fail_msg("%s %s: %ld", admin[i].method, path, m.status);
        assert_string_equal(header_of(&m, "Allow", allow, sizeof allow), admin[i].allow);
        assert_non_null(json_object_get(m.json, "error"));
        answer_free(&m);
    }
    assert_world_unchanged(before);
    free(before);
}

/* A raw connection to the server; -1 when it cannot connect. */
static int raw_open(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    assert_true(fd >= 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(0x7f000001);
    assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    return fd;
}

static void raw_send(int fd, const char *text)
{
    size_t len = strlen(text), sent = 0;
    while (sent < len) {
        ssize_t n = write(fd, text + sent, len - sent);
        assert_true(n > 0);
        sent += (size_t)n;
    }
}

/* What the server writes until it closes, or until 'ms' pass with nothing more. */
static char *raw_read(int fd, int ms)
{
    struct timeval tv = {ms / 1000, (ms % 1000) * 1000};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    buf b = {0};
    char chunk[4096];
    ssize_t n;
    while ((n = read(fd, chunk, sizeof chunk)) > 0)
        collect(chunk, 1, (size_t)n, &b);
    return b.data ? b.data : strdup("");
}

/* One raw exchange: the request, then everything until the server closes (or 2 s of quiet). */
static char *raw(const char *request)
{
    int fd = raw_open();
    raw_send(fd, request);
    char *out = raw_read(fd, 2000);
    close(fd);
    return out;
}

/* A client waiting on "Expect: 100-continue" gets a refusal the request head decides in place
 * of the 100 (the Digest challenge first of all, README): the body is never sent. */
static void test_expect_continue_gets_the_refusal_first(void **state)
{
    char *before = digest_of_world();
    static const struct {
        const char *request, *status;
    } cases[] = {
        {"POST /api/atlas/v1.0/groups/5f0000000000000000000002/clusters/M2Shop/backup/tenant/"
         "restore HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "
         "40\r\nExpect: 100-continue\r\n\r\n",
         "HTTP/1.1 401 "},
        {"POST /v2/clusters/in01-demo0dedicated01/backups/create HTTP/1.1\r\nHost: x\r\n"
         "Authorization: Bearer zilliz-demo-key\r\nContent-Length: 5000000\r\n"
         "Expect: 100-continue\r\n\r\n",
         "HTTP/1.1 413 "},
        {"POST /v2/clusters/in01-demo0dedicated01/backups/create HTTP/1.1\r\nHost: x\r\n"
         "Authorization: Bearer zilliz-demo-key\r\nX-Brcheck-World: 9\r\nContent-Length: 20\r\n"
         "Expect: 100-continue\r\n\r\n",
         "HTTP/1.1 412 "},
        {"POST /_brcheck/v1/clock HTTP/1.1\r\nHost: x\r\nContent-Length: 20\r\n"
         "Expect: 100-continue\r\n\r\n",
         "HTTP/1.1 401 "},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char *out = raw(cases[i].request);
        if (strncmp(out, cases[i].status, strlen(cases[i].status)) != 0)
            fail_msg("case %zu: %.60s", i, out);
        assert_null(strstr(out, "100 Continue"));
        if (i == 0) assert_non_null(strstr(out, "WWW-Authenticate: Digest realm="));
        free(out);
    }
    /* a request the head does not refuse is asked for its body */
    int fd = raw_open();
    raw_send(fd, "POST /v2/clusters/in01-demo0dedicated01/backups/create HTTP/1.1\r\nHost: x\r\n"
                 "Authorization: Bearer zilliz-demo-key\r\nContent-Length: 9\r\n"
                 "Expect: 100-continue\r\nConnection: close\r\n\r\n");
    char *cont = raw_read(fd, 1000);
    assert_string_equal(cont, "HTTP/1.1 100 Continue\r\n\r\n");
    free(cont);
    raw_send(fd, "{\"a\":   }");
    char *out = raw_read(fd, 2000);
    assert_true(strncmp(out, "HTTP/1.1 400 ", 13) == 0); /* malformed: read and refused */
    free(out);
    close(fd);
    assert_world_unchanged(before);
    free(before);
}

/* RFC 9112 section 3.2: an HTTP/1.1 request without a Host, or with two, is a bad request,
 * answered in plain text, and changes nothing; HTTP/1.0 may leave it out. */
static void test_host_header_exactly_once(void **state)
{
    char *before = digest_of_world();
    /* a backup the server creates when the request names its Host once */
#define CREATE                                                                                     \
    "POST /v2/clusters/in01-demo0dedicated01/backups/create HTTP/1.1\r\nAuthorization: Bearer "    \
    "zilliz-demo-key\r\nContent-Type: application/json\r\nContent-Length: 24\r\n"
#define CREATE_BODY "\r\n{\"backupType\":\"CLUSTER\"}"
    static const char *const bad[] = {
        CREATE CREATE_BODY,
        CREATE "Host: a\r\nHost: b\r\n" CREATE_BODY,
        CREATE "Host: a/b\r\n" CREATE_BODY,
        "GET /_brcheck/v1/ping HTTP/1.1\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *out = raw(bad[i]);
        if (strncmp(out, "HTTP/1.1 400 ", 13) != 0) fail_msg("case %zu: %.60s", i, out);
        assert_non_null(strstr(out, "Content-Type: text/plain"));
        assert_non_null(strstr(out, "Host header"));
        free(out);
    }
    assert_world_unchanged(before);
    free(before);
    char *old = raw("GET /_brcheck/v1/ping HTTP/1.0\r\n\r\n");
    assert_true(strncmp(old, "HTTP/1.1 200 ", 13) == 0 || strncmp(old, "HTTP/1.0 200 ", 13) == 0);
    free(old);
    char *once = raw(CREATE "Host: a\r\nConnection: close\r\n" CREATE_BODY);
    assert_true(strncmp(once, "HTTP/1.1 200 ", 13) == 0);
    assert_non_null(strstr(once, "\"backupId\""));
    free(once);
#undef CREATE
#undef CREATE_BODY
}

/* A body over the limit sent without waiting for 100 Continue still gets its 413, whole: the
 * server reads the rest and drops it instead of closing on it (which resets the connection,
 * and a client still sending loses the answer). The client here sends all of it, then reads. */
static void test_413_delivered_without_expect(void **state)
{
    char *before = digest_of_world();
    size_t big = 20 * 1024 * 1024;
    char *body = malloc(big);
    assert_non_null(body);
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    for (int i = 0; i < 3; i++) {
        int fd = raw_open();
        char head[512];
        snprintf(head, sizeof head,
                 "POST /v2/clusters/in01-demo0dedicated01/backups/create HTTP/1.1\r\nHost: x\r\n"
                 "Authorization: Bearer zilliz-demo-key\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                 big);
        raw_send(fd, head);
        for (size_t sent = 0; sent < big;) {
            ssize_t n = send(fd, body + sent, big - sent, MSG_NOSIGNAL);
            if (n <= 0) fail_msg("try %d: the server closed after %zu of %zu bytes", i, sent, big);
            sent += (size_t)n;
        }
        char *out = raw_read(fd, 5000);
        close(fd);
        if (strncmp(out, "HTTP/1.1 413 ", 13) != 0) fail_msg("try %d: %.60s", i, out);
        assert_non_null(strstr(out, "\"code\":"));
        free(out);
    }
    free(body);
    assert_world_unchanged(before);
    free(before);
}

/* The admin API as server/README.md has it: X-Brcheck-World is honoured on every call, fault
 * methods are spelled as sent, unknown keys and simulator ops are bad requests; none of
 * these refusals changes anything. */
static void test_admin_refusals_change_nothing(void **state)
{
    char *before = digest_of_world();
    answer clock0 = get("/_brcheck/v1/clock", ADMIN);
    const char *now = json_string_value(json_object_get(clock0.json, "now"));
    arm("{\"path\":\"/nowhere\",\"status\":503}");

    static const struct {
        const char *method, *call, *body;
    } stale[] = {{"GET", "clock", NULL},
                 {"GET", "faults", NULL},
                 {"GET", "mutant", NULL},
                 {"GET", "ping", NULL},
                 {"DELETE", "faults", NULL},
                 {"PUT", "mutant", "{\"rule\":\"ZC-TIER\"}"},
                 {"POST", "faults", "{\"path\":\"/v2/*\",\"status\":500}"},
                 {"POST", "clock", "{\"advance\":60}"}};
    for (size_t i = 0; i < sizeof stale / sizeof *stale; i++) {
        char path[64];
        snprintf(path, sizeof path, "/_brcheck/v1/%s", stale[i].call);
        answer a =
            http(NULL, stale[i].method, path, stale[i].body,
                 stale[i].body ? strlen(stale[i].body) : 0, NULL, ADMIN, "X-Brcheck-World: 5");
        if (a.status != 412) fail_msg("%s %s: %ld", stale[i].method, path, a.status);
        assert_true(json_is_true(json_object_get(a.json, "worldReplaced")));
        answer_free(&a);
    }

    static const struct {
        const char *method, *call, *body, *names;
    } bad[] = {
        {"POST", "faults", "{\"path\":\"/v2/*\",\"method\":\"get\",\"status\":503}", "method"},
        {"POST", "faults", "{\"path\":\"/v2/*\",\"status\":503,\"tims\":2}", "tims"},
        {"POST", "clock", "{\"advance\":60,\"bogus\":1}", "bogus"},
        {"PUT", "mutant", "{\"rule\":\"ZC-TIER\",\"x\":1}", "\"x\""},
        {"POST", "sim", "{\"op\":\"nope\",\"cluster\":\"in01-demo0dedicated01\"}", "op"},
        {"POST", "sim",
         "{\"op\":\"write\",\"cluster\":\"in01-demo0dedicated01\",\"colection\":\"books\"}",
         "colection"},
        {"POST", "sim", "[\"write\"]", "object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char path[64];
        snprintf(path, sizeof path, "/_brcheck/v1/%s", bad[i].call);
        answer a = send_json(bad[i].method, path, bad[i].body, ADMIN);
        if (a.status != 400) fail_msg("%s %s %s: %ld", bad[i].method, path, bad[i].body, a.status);
        const char *msg = json_string_value(json_object_get(a.json, "error"));
        if (!msg || !strstr(msg, bad[i].names))
            fail_msg("%s: the error does not name %s: %s", bad[i].body, bad[i].names, msg);
        answer_free(&a);
    }

    /* nothing changed: the world, its clock, the one fault armed, no mutant */
    assert_world_unchanged(before);
    free(before);
    answer clock1 = get("/_brcheck/v1/clock", ADMIN);
    assert_string_equal(json_string_value(json_object_get(clock1.json, "now")), now);
    answer_free(&clock1);
    answer_free(&clock0);
    answer faults = get("/_brcheck/v1/faults", ADMIN);
    assert_int_equal(json_array_size(faults.json), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(faults.json, 0), "path")),
                        "/nowhere");
    answer_free(&faults);
    answer mutant = get("/_brcheck/v1/mutant", ADMIN);
    assert_true(json_is_null(json_object_get(mutant.json, "rule")));
    answer_free(&mutant);
    /* the world's own generation is taken */
    answer ok = http(NULL, "GET", "/_brcheck/v1/clock", NULL, 0, NULL, ADMIN, "X-Brcheck-World: 1");
    assert_int_equal(ok.status, 200);
    answer_free(&ok);
}

/* Raw bytes straight into the request handling (no socket): answers or a closed connection,
 * never a crash, and the server goes on. */
static void test_detached_server_takes_raw_bytes(void **state)
{
    char err[256];
    br_server_config cfg = {.mutant = BR_RULE_COUNT, .seed = -1, .quiet = true};
    br_server *s = br_server_start_detached(&cfg, err, sizeof err);
    assert_non_null(s);
    /* pipelined garbage the http fuzzing harness found: its connection outlived the call */
    static char found[8192];
    FILE *f = fopen(BR_SOURCE_DIR "/fuzz/regress/http/pipelined-garbage-leaves-connection", "rb");
    assert_non_null(f);
    size_t found_len = fread(found, 1, sizeof found - 1, f);
    fclose(f);
    assert_true(found_len > 5000);
    size_t found_out;
    char *found_answer = br_server_feed(s, found, found_len, &found_out);
    assert_non_null(found_answer);
    free(found_answer);
    const union MHD_DaemonInfo *left =
        MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    assert_non_null(left);
    assert_int_equal(left->num_connections, 0);
    static const char *const inputs[] = {
        "GARBAGE\r\n\r\n",
        "GET /v2/backups HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        "POST /v2/clusters/in01-demo0dedicated01/backups/create HTTP/1.1\r\nHost: x\r\n"
        "Transfer-Encoding: chunked\r\n\r\nzz\r\n",
        "GET /api/atlas/v1.0/groups HTTP/1.1\r\nHost: x\r\nAuthorization: Digest "
        "username=\"atlas-demo-public\", nonce=\"\", response\r\n\r\n",
        "POST /v2/x HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc",
    };
    for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
        size_t n;
        char *out = br_server_feed(s, inputs[i], strlen(inputs[i]), &n);
        assert_non_null(out);
        assert_true(n == 0 || strncmp(out, "HTTP/1.", 7) == 0);
        free(out);
        /* the connection is gone when the call returns, a stalled one too (nothing of this
         * input is left for the next call to clean up) */
        const union MHD_DaemonInfo *info =
            MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        assert_non_null(info);
        assert_int_equal(info->num_connections, 0);
    }
    const char *ok = "GET /v2/backups?clusterId=in01-demo0dedicated01 HTTP/1.1\r\nHost: x\r\n"
                     "Authorization: Bearer zilliz-demo-key\r\n\r\n";
    size_t n;
    char *out = br_server_feed(s, ok, strlen(ok), &n);
    assert_non_null(strstr(out, "HTTP/1.1 200"));
    assert_non_null(strstr(out, "backup1_demo0000000aaaa"));
    free(out);
    br_server_stop(s);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_demo_world_answers_all_three_vendors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bearer_refused_in_vendor_shape, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_challenge_before_body, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_nonce_reuse_with_rising_nc, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_replayed_count_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_digest_counts_out_of_order_taken_once, setup,
                                        teardown),
        cmocka_unit_test(test_digest_replay_after_eviction_refused),
        cmocka_unit_test(test_digest_rewind_forgets_what_came_after),
        cmocka_unit_test(test_digest_stale_nonce),
        cmocka_unit_test_setup_teardown(test_access_list_sees_the_socket_address, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_api, setup, teardown),
        cmocka_unit_test_setup_teardown(test_faults, setup, teardown),
        cmocka_unit_test_setup_teardown(test_limits_and_bad_input, setup, teardown),
        cmocka_unit_test_setup_teardown(test_mutant_served, setup, teardown),
        cmocka_unit_test(test_detached_server_takes_raw_bytes),
        cmocka_unit_test_setup_teardown(test_atlas_links_on_the_origin_called, setup, teardown),
        cmocka_unit_test(test_atlas_links_in_process_are_atlas_own),
        cmocka_unit_test_setup_teardown(test_head_answers_as_get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_405_carries_allow, setup, teardown),
        cmocka_unit_test_setup_teardown(test_expect_continue_gets_the_refusal_first, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_host_header_exactly_once, setup, teardown),
        cmocka_unit_test_setup_teardown(test_413_delivered_without_expect, setup, teardown),
        cmocka_unit_test_setup_teardown(test_admin_refusals_change_nothing, setup, teardown),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return rc;
}
