/* The hosted world: the model behind one lock. Every state change (a world load, a clock
 * move, a simulator op, a mutant switch, a vendor request that may change state) is written
 * to the journal before it takes effect, and the journal replays through the same code. */
#include "server_internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Journals a record when a journal is open and this is not a replay. Caller holds lock. */
static int journal(br__host *h, json_t *rec)
{
    int rc = 0;
    if (rec && h->journal && !h->replaying) rc = br__journal_append(h->journal, rec);
    json_decref(rec);
    return rc;
}

void br__host_sync_locked(br__host *h)
{
    if (h->clock != BR_CLOCK_WALL || !h->world || h->replaying) return;
    /* World time is real time plus the advances made since the load: an advance shifts the
     * clock, which keeps running (it would stand still until real time caught up). */
    br_time now = (br_time)time(NULL) + h->offset, then = br_world_now(h->world);
    if (now > then) br_world_advance(h->world, now - then);
}

/* Loads under the lock (journal.c replays call this too). */
static int load_locked(br__host *h, const json_t *given, const char *profile, char *err,
                       size_t errlen)
{
    json_t *copy = json_deep_copy(given ? given : json_object());
    if (!copy) {
        snprintf(err, errlen, "out of memory");
        return BR_ENOMEM;
    }
    if (h->clock == BR_CLOCK_WALL && !h->replaying) {
        /* A wall-clock world starts now, whatever time its description names. */
        char now[32];
        time_t t = time(NULL);
        struct tm tm;
        gmtime_r(&t, &tm);
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
        json_object_set_new(copy, "clock", json_string(now));
    }
    br_world *w = br_world_new(copy, err, errlen);
    if (!w) {
        json_decref(copy);
        return BR_EWORLD;
    }
    if (profile && br_world_set_profile(w, profile) != BR_OK) {
        snprintf(err, errlen, "profile is \"default\" or \"strict\"");
        br_world_free(w);
        json_decref(copy);
        return BR_EINVAL;
    }
    if (h->journal && !h->replaying) {
        /* with its generation: a client that names it goes on after a restart */
        json_t *rec = json_pack("{s:s,s:O,s:s?,s:I}", "k", "world", "given", copy, "profile",
                                profile, "g", (json_int_t)(h->generation + 1));
        if (br__journal_restart(h->journal) != 0 || journal(h, rec) != 0) {
            snprintf(err, errlen, "cannot write the journal");
            br_world_free(w);
            json_decref(copy);
            return BR_EINVAL;
        }
    }
    json_decref(copy);
    br_world_free(h->world);
    h->world = w;
    h->offset = 0;
    snprintf(h->profile, sizeof h->profile, "%s", profile ? profile : "default");
    br_world_set_mutant(w, h->mutant);
    h->generation++;
    /* What is due at the world's clock happens at load, as in the in-process target: not in
     * the first request, which would seem to change the world even when refused. */
    int rc = br_world_advance(w, 0);
    if (rc != BR_OK) snprintf(err, errlen, "%s", br_strerror(rc));
    br__host_sync_locked(h);
    return rc;
}

int br__host_load(br__host *h, const json_t *given, const char *profile, uint64_t *generation,
                  char *err, size_t errlen)
{
    pthread_mutex_lock(&h->lock);
    int rc = load_locked(h, given, profile, err, errlen);
    if (generation) *generation = h->generation;
    pthread_mutex_unlock(&h->lock);
    return rc;
}

int br__host_advance(br__host *h, uint64_t want, br_time seconds)
{
    if (seconds < 0) return BR_EINVAL;
    pthread_mutex_lock(&h->lock);
    if (br__host_replaced_locked(h, want)) {
        pthread_mutex_unlock(&h->lock);
        return BR__HOST_REPLACED;
    }
    br__host_sync_locked(h);
    /* An advance is all or nothing: br_world_advance stops where an allocation fails, with
     * the jobs due before that point run and the clock moved up to it. So the world moves on
     * while a copy stays behind; a failure (or a journal that cannot take the record) puts
     * the copy back, and only an advance that succeeded is journaled and kept. */
    br_time from = br_world_now(h->world);
    br_world *before = br_world_clone(h->world);
    if (!before) {
        pthread_mutex_unlock(&h->lock);
        return BR_ENOMEM;
    }
    int rc = br_world_advance(h->world, seconds);
    /* with the time it started from: a replay reaches it first (wall-clock worlds move) */
    if (rc == BR_OK)
        rc = journal(h, json_pack("{s:s,s:I,s:I}", "k", "advance", "s", (json_int_t)seconds, "t",
                                  (json_int_t)from));
    if (rc != BR_OK) {
        br_world_free(h->world);
        h->world = before;
    } else {
        br_world_free(before);
        if (h->clock == BR_CLOCK_WALL) h->offset += seconds;
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

int br__host_sim(br__host *h, uint64_t want, const json_t *op)
{
    pthread_mutex_lock(&h->lock);
    if (br__host_replaced_locked(h, want)) {
        pthread_mutex_unlock(&h->lock);
        return BR__HOST_REPLACED;
    }
    br__host_sync_locked(h);
    int rc = journal(h, json_pack("{s:s,s:O,s:I}", "k", "sim", "op", op, "t",
                                  (json_int_t)br_world_now(h->world)));
    if (rc == 0) rc = br_world_sim(h->world, op);
    pthread_mutex_unlock(&h->lock);
    return rc;
}

int br__host_set_mutant(br__host *h, uint64_t want, br_rule rule)
{
    pthread_mutex_lock(&h->lock);
    if (br__host_replaced_locked(h, want)) {
        pthread_mutex_unlock(&h->lock);
        return BR__HOST_REPLACED;
    }
    const char *id = rule == BR_RULE_COUNT ? NULL : br_rule_id(rule);
    int rc = journal(h, json_pack("{s:s,s:s?}", "k", "mutant", "rule", id));
    if (rc == 0) {
        h->mutant = rule;
        br_world_set_mutant(h->world, rule);
    }
    pthread_mutex_unlock(&h->lock);
    return rc;
}

/* Hex for bodies that are not valid UTF-8 (JSON strings must be). */
static json_t *body_value(const char *body, size_t len, const char **key)
{
    json_t *s = json_stringn(body, len);
    if (s) {
        *key = "b";
        return s;
    }
    char *hex = malloc(len * 2 + 1);
    if (!hex) return NULL;
    for (size_t i = 0; i < len; i++)
        snprintf(hex + 2 * i, 3, "%02x", (unsigned char)body[i]);
    *key = "bx";
    s = json_string(hex);
    free(hex);
    return s;
}

static json_t *request_record(const br__host *h, const br_request *req)
{
    json_t *hs = json_array();
    for (size_t i = 0; hs && i < req->n_headers; i++)
        json_array_append_new(hs, json_pack("[s,s]", req->headers[i].name,
                                            req->headers[i].value ? req->headers[i].value : ""));
    json_t *rec = json_pack("{s:s,s:I,s:s,s:s,s:s?,s:o,s:s?,s:s?}", "k", "req", "t",
                            (json_int_t)br_world_now(h->world), "m", req->method, "p", req->path,
                            "q", req->query, "h", hs, "ip", req->caller_ip, "pr", req->principal);
    if (rec && req->body && req->body_len) {
        const char *key;
        json_t *b = body_value(req->body, req->body_len, &key);
        if (!b || json_object_set_new(rec, key, b) != 0) {
            json_decref(rec);
            return NULL;
        }
    }
    return rec;
}

static bool changes_state(const char *method)
{
    return strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 &&
           strcmp(method, "OPTIONS") != 0;
}

int br__host_handle(br__host *h, uint64_t want, const br_request *req, br_response *res)
{
    pthread_mutex_lock(&h->lock);
    if (br__host_replaced_locked(h, want)) {
        pthread_mutex_unlock(&h->lock);
        return BR__HOST_REPLACED;
    }
    br__host_sync_locked(h);
    int rc = BR_OK;
    if (changes_state(req->method) && h->journal && !h->replaying) {
        json_t *rec = request_record(h, req);
        rc = rec ? journal(h, rec) : -1;
    }
    if (rc == 0)
        rc = br_world_handle(h->world, req, res);
    else
        rc = BR_ENOMEM; /* not journaled: not applied, answered as a server failure */
    pthread_mutex_unlock(&h->lock);
    return rc;
}

/* ---- replay ---- */

static int hexdigit(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : 0;
}

/* Moves a replayed world to the time of the record (wall-clock worlds moved on their own). */
static void catch_up(br__host *h, const json_t *rec)
{
    json_t *t = json_object_get(rec, "t");
    if (!json_is_integer(t) || !h->world) return;
    br_time then = (br_time)json_integer_value(t), now = br_world_now(h->world);
    if (then > now) br_world_advance(h->world, then - now);
}

static int replay_request(br__host *h, const json_t *rec)
{
    enum { MAXH = 64 };
    br_header hs[MAXH];
    size_t nh = 0, i;
    json_t *pair;
    json_array_foreach(json_object_get(rec, "h"), i, pair)
    {
        if (nh < MAXH)
            hs[nh++] = (br_header){json_string_value(json_array_get(pair, 0)),
                                   json_string_value(json_array_get(pair, 1))};
    }
    const char *b = json_string_value(json_object_get(rec, "b"));
    const char *bx = json_string_value(json_object_get(rec, "bx"));
    char *body = NULL;
    size_t blen = 0;
    if (b) {
        blen = json_string_length(json_object_get(rec, "b"));
    } else if (bx) {
        blen = strlen(bx) / 2;
        body = malloc(blen + 1);
        if (!body) return BR_ENOMEM;
        for (size_t k = 0; k < blen; k++)
            body[k] = (char)(hexdigit(bx[2 * k]) * 16 + hexdigit(bx[2 * k + 1]));
    }
    br_request req = {.method = json_string_value(json_object_get(rec, "m")),
                      .path = json_string_value(json_object_get(rec, "p")),
                      .query = json_string_value(json_object_get(rec, "q")),
                      .headers = hs,
                      .n_headers = nh,
                      .body = b ? b : body,
                      .body_len = blen,
                      .caller_ip = json_string_value(json_object_get(rec, "ip")),
                      .principal = json_string_value(json_object_get(rec, "pr"))};
    br_response res;
    int rc = br_world_handle(h->world, &req, &res);
    br_response_clear(&res);
    free(body);
    return rc;
}

int br__host_apply(void *host, const json_t *rec, char *err, size_t errlen)
{
    br__host *h = host;
    const char *k = json_string_value(json_object_get(rec, "k"));
    if (!k) {
        snprintf(err, errlen, "journal record without a kind");
        return -1;
    }
    if (strcmp(k, "world") == 0) {
        /* The generation it had (journals written before it was recorded: the next one). */
        json_int_t g = json_integer_value(json_object_get(rec, "g"));
        uint64_t before = h->generation;
        if (g > 0) h->generation = (uint64_t)g - 1;
        json_t *p = json_object_get(rec, "profile");
        if (load_locked(h, json_object_get(rec, "given"), json_string_value(p), err, errlen)) {
            h->generation = before;
            return -1;
        }
        return 0;
    }
    if (!h->world) {
        snprintf(err, errlen, "journal does not start with a world");
        return -1;
    }
    catch_up(h, rec);
    int rc = 0;
    if (strcmp(k, "advance") == 0) {
        br_time secs = (br_time)json_integer_value(json_object_get(rec, "s"));
        rc = br_world_advance(h->world, secs);
        if (h->clock == BR_CLOCK_WALL) h->offset += secs;
    } else if (strcmp(k, "sim") == 0) {
        br_world_sim(h->world, json_object_get(rec, "op")); /* a refusal replays as one */
    } else if (strcmp(k, "mutant") == 0) {
        const char *id = json_string_value(json_object_get(rec, "rule"));
        h->mutant = id ? br_rule_from_id(id) : BR_RULE_COUNT;
        br_world_set_mutant(h->world, h->mutant);
    } else if (strcmp(k, "req") == 0) {
        rc = replay_request(h, rec);
    } else {
        snprintf(err, errlen, "journal record of unknown kind \"%s\"", k);
        return -1;
    }
    if (rc) snprintf(err, errlen, "journal replay failed: %s", br_strerror(rc));
    return rc ? -1 : 0;
}
