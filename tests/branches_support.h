/* Helpers for the branch tests (tests/test_branches_*.c): worlds and bodies written with single
 * quotes, requests of every vendor, and the check that a refusal changed nothing. */
#ifndef BR_BRANCHES_SUPPORT_H
#define BR_BRANCHES_SUPPORT_H

#include "test_support.h"

#include <stdio.h>
#include <stdlib.h>

/* A string of 120 'x': longer than every fixed-size field of the model. */
#define LONG120                                                                                    \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"  \
    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxx"

/* JSON text written with ' for " (no ' inside strings), "@L" standing for LONG120. Returns an
 * owned string. */
static inline char *bt_json_text(const char *text)
{
    size_t n = strlen(text), l = strlen(LONG120);
    char *out = malloc(n * l + 1);
    assert_non_null(out);
    char *o = out;
    for (const char *p = text; *p; p++) {
        if (p[0] == '@' && p[1] == 'L') {
            memcpy(o, LONG120, l);
            o += l;
            p++;
        } else {
            *o++ = *p == '\'' ? '"' : *p;
        }
    }
    *o = '\0';
    return out;
}

/* The JSON value of such a text (owned; fails the test when it does not parse). */
static inline json_t *bt_json(const char *text)
{
    char *s = bt_json_text(text);
    json_error_t jerr;
    json_t *v = json_loads(s, JSON_DECODE_ANY, &jerr);
    if (!v) fail_msg("test JSON does not parse: %s: %s", jerr.text, s);
    free(s);
    return v;
}

/* A world from such a text; fails the test when the model refuses it. */
static inline br_world *bt_world(const char *text)
{
    json_t *given = bt_json(text);
    char err[512] = "";
    br_world *w = br_world_new(given, err, sizeof err);
    json_decref(given);
    if (!w) fail_msg("world refused: %s", err);
    return w;
}

/* The model must refuse this world, with and without an error buffer; the message holds
 * 'words'. */
static inline void bt_world_refused(const char *text, const char *words)
{
    json_t *given = bt_json(text);
    char err[512] = "";
    br_world *w = br_world_new(given, err, sizeof err);
    if (w) fail_msg("world accepted: %s", text);
    if (!strstr(err, words)) fail_msg("message \"%s\" lacks \"%s\" (%s)", err, words, text);
    assert_null(br_world_new(given, NULL, 0));
    json_decref(given);
}

typedef struct {
    const char *method;
    const char *path;     /* may carry ?query */
    const char *bearer;   /* Bearer token (Zilliz, CockroachDB), or NULL */
    const char *atlas;    /* the Atlas public key (principal), or NULL */
    const char *body;     /* text with ' for " (bt_json_text), or NULL */
    const char *raw;      /* raw bytes, sent as they are, or NULL */
    const char *hname[2]; /* extra headers */
    const char *hvalue[2];
    const char *ip; /* caller address, default 127.0.0.1 */
} bt_req;

/* Sends the request; returns br_world_handle's result. */
static inline int bt_send(br_world *w, const bt_req *r, br_response *res)
{
    char path[1024], auth[256];
    snprintf(path, sizeof path, "%s", r->path);
    char *q = strchr(path, '?');
    if (q) *q++ = '\0';
    br_header h[4];
    size_t nh = 0;
    if (r->bearer) {
        snprintf(auth, sizeof auth, "Bearer %s", r->bearer);
        h[nh++] = (br_header){"Authorization", auth};
    }
    for (int i = 0; i < 2; i++)
        if (r->hname[i]) h[nh++] = (br_header){r->hname[i], r->hvalue[i]};
    char *body = r->body ? bt_json_text(r->body) : NULL;
    const char *bytes = r->raw ? r->raw : body;
    br_request req = {.method = r->method,
                      .path = path,
                      .query = q,
                      .headers = h,
                      .n_headers = nh,
                      .body = bytes,
                      .body_len = bytes ? strlen(bytes) : 0,
                      .caller_ip = r->ip ? r->ip : "127.0.0.1",
                      .principal = r->atlas};
    int rc = br_world_handle(w, &req, res);
    free(body);
    return rc;
}

/* Sends and expects 'status'; returns the answer (caller clears it). */
static inline br_response bt_expect(br_world *w, const bt_req *r, int status)
{
    br_response res;
    assert_int_equal(bt_send(w, r, &res), BR_OK);
    if (res.status != status) {
        char *t = br_response_text(&res);
        fail_msg("%s %s: status %d, expected %d: %s", r->method, r->path, res.status, status, t);
    }
    return res;
}

/* A refusal: the status, an error answer, the message (any of the vendor's message members)
 * holding 'words', and the world's digest unchanged. */
static inline void bt_refused(br_world *w, const bt_req *r, int status, const char *words)
{
    uint64_t before = br_world_digest(w);
    br_response res = bt_expect(w, r, status);
    assert_true(res.error);
    const char *msg = json_string_value(json_object_get(res.body, "message"));
    if (!msg) msg = json_string_value(json_object_get(res.body, "detail"));
    if (!msg) msg = json_string_value(json_object_get(res.body, "error"));
    assert_non_null(msg);
    if (words && !strstr(msg, words)) fail_msg("message \"%s\" lacks \"%s\"", msg, words);
    if (br_world_digest(w) != before)
        fail_msg("%s %s: a refusal changed the world", r->method, r->path);
    br_response_clear(&res);
}

/* A Zilliz refusal answered with HTTP 200 (or 4xx) and the {code, message} envelope: 'code'
 * is the Zilliz error code. */
static inline void bt_zc_refused(br_world *w, const bt_req *r, int status, long long code,
                                 const char *words)
{
    uint64_t before = br_world_digest(w);
    br_response res = bt_expect(w, r, status);
    assert_true(res.error);
    if (body_code(&res) != code) {
        char *t = br_response_text(&res);
        fail_msg("%s %s: code %lld, expected %lld: %s", r->method, r->path, body_code(&res), code,
                 t);
    }
    const char *msg = json_string_value(json_object_get(res.body, "message"));
    assert_non_null(msg);
    if (words && !strstr(msg, words)) fail_msg("message \"%s\" lacks \"%s\"", msg, words);
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
}

/* The value of a JSON pointer-like path ("clusters/in01-a/encrypted") in the world dump, as an
 * owned JSON value (NULL when absent). */
static inline json_t *bt_dump_at(const br_world *w, const char *path)
{
    json_t *d = br_world_dump(w);
    assert_non_null(d);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    json_t *v = d;
    for (char *s = strtok(buf, "/"); s && v; s = strtok(NULL, "/"))
        v = json_object_get(v, s);
    json_incref(v);
    json_decref(d);
    return v;
}

/* Fails unless the world dump holds the boolean 'want' at 'path'. */
static inline void bt_expect_dump_bool(const br_world *w, const char *path, bool want)
{
    json_t *v = bt_dump_at(w, path);
    if (!json_is_boolean(v) || json_is_true(v) != want)
        fail_msg("dump %s: not %s", path, want ? "true" : "false");
    json_decref(v);
}

#endif
