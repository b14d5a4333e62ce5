/* The hosted world: the model behind one lock. Every state change (a world load, a clock
 * move, a simulator op, a mutant switch, a vendor request that may change state) is written
 * to the journal before it takes effect, and the journal replays through the same code. */
#include "server_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Journals a record (taken) when a journal is open and this is not a replay: 0, or
 * BR__HOST_JOURNAL with the reason kept. Caller holds lock. */
static int journal(br__host *h, json_t *rec)
{
    int rc = 0;
    if (h->journal && !h->replaying) {
        if (!rec || br__journal_append(h->journal, rec) != 0) {
            h->journal_errno = rec ? errno : ENOMEM;
            rc = BR__HOST_JOURNAL;
        }
    }
    json_decref(rec);
    return rc;
}

const char *br__host_journal_error(const br__host *h, char *buf, size_t len)
{
    snprintf(buf, len, "cannot write the journal: %s", strerror(h->journal_errno));
    return buf;
}

/* Work due at the world's instant settles before every operation, live and in replay alike:
 * a record taken back (a refused request, which settles first too) then changes nothing. */
static int settle(br__host *h)
{
    return h->world ? br_world_advance(h->world, 0) : BR_OK;
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
        const char *mutant = h->mutant == BR_RULE_COUNT ? NULL : br_rule_id(h->mutant);
        json_t *rec = json_pack("{s:s,s:O,s:s?,s:I,s:O?,s:s?}", "k", "world", "given", copy,
                                "profile", profile, "g", (json_int_t)(h->generation + 1), "o",
                                h->opts, "mutant", mutant);
        /* The journal is replaced only once the new one is on disk: on failure the old
         * world goes on serving with its journal. */
        if (!rec || br__journal_replace(h->journal, rec) != 0) {
            h->journal_errno = rec ? errno : ENOMEM;
            br__host_journal_error(h, err, errlen);
            json_decref(rec);
            br_world_free(w);
            json_decref(copy);
            return BR__HOST_JOURNAL;
        }
        json_decref(rec);
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
    /* what is due now happens first, as before every operation (a replay does the same) */
    int rc = settle(h);
    if (rc != BR_OK) {
        pthread_mutex_unlock(&h->lock);
        return rc;
    }
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
    rc = br_world_advance(h->world, seconds);
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
    int rc = settle(h);
    if (rc == 0)
        rc = journal(h, json_pack("{s:s,s:O,s:I}", "k", "sim", "op", op, "t",
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
    int rc = settle(h);
    if (rc == 0) rc = journal(h, json_pack("{s:s,s:s?}", "k", "mutant", "rule", id));
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

/* A body longer than the server keeps (BR__MAX_BODY) is refused on its length: only the
 * length is recorded, and the request holds no more bytes than that. */
static json_t *request_record(const br__host *h, const br_request *req)
{
    json_t *hs = json_array();
    for (size_t i = 0; hs && i < req->n_headers; i++)
        json_array_append_new(hs, json_pack("[s,s]", req->headers[i].name,
                                            req->headers[i].value ? req->headers[i].value : ""));
    json_t *rec = json_pack("{s:s,s:I,s:s,s:s,s:s?,s:o,s:s?,s:s?}", "k", "req", "t",
                            (json_int_t)br_world_now(h->world), "m", req->method, "p", req->path,
                            "q", req->query, "h", hs, "ip", req->caller_ip, "pr", req->principal);
    if (rec && req->body_len > BR__MAX_BODY) {
        if (json_object_set_new(rec, "bl", json_integer((json_int_t)req->body_len)) != 0) {
            json_decref(rec);
            return NULL;
        }
    } else if (rec && req->body && req->body_len) {
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
    long long mark = -1;
    if (changes_state(req->method) && h->journal && !h->replaying) {
        mark = br__journal_mark(h->journal);
        rc = journal(h, request_record(h, req)); /* not journaled: not applied */
    }
    if (rc == BR_OK) {
        uint64_t draws = br_world_draws(h->world);
        rc = br_world_handle(h->world, req, res);
        /* A refusal that drew no id changed nothing (INV-ATOMIC; a mutant may break it):
         * its record goes, so that refused requests (a flood of unauthenticated 1 MiB
         * bodies) do not grow the journal. Its settling of due work is redone by the next
         * operation, which settles first. */
        if (mark >= 0 && rc == BR_OK && res->error && h->mutant == BR_RULE_COUNT &&
            br_world_draws(h->world) == draws)
            br__journal_unwind(h->journal, mark);
    }
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
    json_int_t bl = json_integer_value(json_object_get(rec, "bl"));
    const char *bx = json_string_value(json_object_get(rec, "bx"));
    char *body = NULL;
    size_t blen = 0;
    if (bl > BR__MAX_BODY) { /* refused on its length: no byte of it is read */
        b = "";
        blen = (size_t)bl;
    } else if (b) {
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

/* A mutant named in the journal: null is none; a rule this brcheck has no mutant for is
 * refused (replaying without it would serve another model). */
static bool mutant_of(const json_t *id, br_rule *out, char *err, size_t errlen)
{
    *out = BR_RULE_COUNT;
    if (!id || json_is_null(id)) return true;
    const char *name = json_string_value(id);
    br_rule r = name ? br_rule_from_id(name) : BR_RULE_COUNT;
    if (r == BR_RULE_COUNT || !br_rule_has_mutant(r)) {
        snprintf(err, errlen,
                 "it names mutant \"%.80s\", which this brcheck does not have (brcheck serve "
                 "--list-mutants)",
                 name ? name : "(not a string)");
        return false;
    }
    *out = r;
    return true;
}

/* Whether the journal's start options are this server's; err names the first difference. */
static bool opts_match(const br__host *h, const json_t *o, char *err, size_t errlen)
{
    if (!h->opts || json_equal((json_t *)o, h->opts)) return true;
    static const struct {
        const char *key, *option;
    } fields[] = {{"clock", "--clock"}, {"world", "--world"}, {"seed", "--seed"}};
    for (size_t i = 0; i < sizeof fields / sizeof *fields; i++) {
        const json_t *was = json_object_get(o, fields[i].key);
        const json_t *now = json_object_get(h->opts, fields[i].key);
        if (json_equal((json_t *)was, (json_t *)now)) continue;
        const char *a = json_string_value(was), *b = json_string_value(now);
        snprintf(err, errlen,
                 "it was written by a server started with %s %s, and this one has %s %s: "
                 "start with the options it was written with, or move the journal away (or name "
                 "another --state) to start afresh",
                 fields[i].option, a ? a : "(not recorded)", fields[i].option, b ? b : "?");
        return false;
    }
    snprintf(err, errlen, "its start options differ from this server's");
    return false;
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
        if (!opts_match(h, json_object_get(rec, "o"), err, errlen)) return -1;
        br_rule mutant = BR_RULE_COUNT;
        if (!mutant_of(json_object_get(rec, "mutant"), &mutant, err, errlen)) return -1;
        h->mutant = mutant;
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
    int rc = settle(h);
    if (rc) {
        snprintf(err, errlen, "journal replay failed: %s", br_strerror(rc));
        return -1;
    }
    if (strcmp(k, "advance") == 0) {
        br_time secs = (br_time)json_integer_value(json_object_get(rec, "s"));
        rc = br_world_advance(h->world, secs);
        if (h->clock == BR_CLOCK_WALL) h->offset += secs;
    } else if (strcmp(k, "sim") == 0) {
        br_world_sim(h->world, json_object_get(rec, "op")); /* a refusal replays as one */
    } else if (strcmp(k, "mutant") == 0) {
        br_rule mutant = BR_RULE_COUNT;
        if (!mutant_of(json_object_get(rec, "rule"), &mutant, err, errlen)) return -1;
        h->mutant = mutant;
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
