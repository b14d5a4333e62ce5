/* The admin API under /_brcheck/v1/ (server/README.md): load and read the world, move the
 * clock, simulator ops, faults, mutants, and a static ping. Loopback callers with the admin
 * token only. */
#include "server_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

br_time br__parse_duration(const json_t *v)
{
    if (json_is_integer(v)) {
        json_int_t n = json_integer_value(v);
        return n < 0 ? -1 : n > BR__MAX_ADVANCE ? -2 : (br_time)n;
    }
    const char *s = json_string_value(v);
    if (!s || *s < '0' || *s > '9') return -1;
    char *end;
    errno = 0;
    long long n = strtoll(s, &end, 10);
    long long unit = !*end               ? 1
                     : !strcmp(end, "s") ? 1
                     : !strcmp(end, "m") ? 60
                     : !strcmp(end, "h") ? 3600
                     : !strcmp(end, "d") ? 86400
                                         : -1;
    if (unit < 0) return -1;
    /* The bound is on the seconds the unit makes (ERANGE: past even that). */
    if (errno == ERANGE || n > BR__MAX_ADVANCE / unit) return -2;
    return (br_time)(n * unit);
}

static json_t *error(const char *msg)
{
    return json_pack("{s:s}", "error", msg);
}

static json_t *clock_answer(br__host *h)
{
    pthread_mutex_lock(&h->lock);
    br__host_sync_locked(h);
    br_time now = br_world_now(h->world);
    pthread_mutex_unlock(&h->lock);
    char text[32];
    time_t t = (time_t)now;
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return json_pack("{s:s,s:I,s:s}", "now", text, "epoch", (json_int_t)now, "clock",
                     h->clock == BR_CLOCK_WALL ? "wall" : "virtual");
}

/* Whether every key of 'obj' is one of 'known' (NULL-terminated); otherwise *out is a 400
 * answer naming the first other key and the ones the call takes. */
static bool keys_known(const json_t *obj, const char *const known[], json_t **out)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        size_t i = 0;
        while (known[i] && strcmp(known[i], k) != 0)
            i++;
        if (known[i]) continue;
        char list[200] = "", msg[400];
        for (i = 0; known[i]; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s\"%s\"", i ? ", " : "",
                     known[i]);
        snprintf(msg, sizeof msg, "unknown key \"%.80s\" (this call takes %s)", k, list);
        *out = error(msg);
        return false;
    }
    return true;
}

/* Reads a JSON body; NULL with *out set to a 400 answer when it is not JSON. */
static json_t *parse(const char *body, size_t len, json_t **out)
{
    json_error_t e;
    json_t *v = json_loadb(body ? body : "", len, JSON_DECODE_ANY, &e);
    if (!v) {
        char msg[256];
        snprintf(msg, sizeof msg, "malformed JSON body: %s", e.text);
        *out = error(msg);
    }
    return v;
}

static const char *query_value(const char *query, const char *name, char *buf, size_t len)
{
    size_t n = strlen(name);
    for (const char *p = query; p && *p;) {
        size_t seg = strcspn(p, "&");
        if (strncmp(p, name, n) == 0 && p[n] == '=') {
            size_t vl = seg - n - 1 < len - 1 ? seg - n - 1 : len - 1;
            memcpy(buf, p + n + 1, vl);
            buf[vl] = '\0';
            return buf;
        }
        p += seg + (p[seg] == '&');
    }
    return NULL;
}

static uint64_t generation_now(br__host *h)
{
    pthread_mutex_lock(&h->lock);
    uint64_t g = h->generation;
    pthread_mutex_unlock(&h->lock);
    return g;
}

/* The answer to a call made for a world no longer loaded (BR__HOST_REPLACED). Caller holds the
 * lock or passes the generation it read under it. A generation this server has not reached
 * yet was loaded into an earlier run of it (restarted since). */
static int replaced_answer(uint64_t want, uint64_t now, json_t **out)
{
    char msg[200];
    if (want > now)
        snprintf(msg, sizeof msg,
                 "X-Brcheck-World names world %llu, but this server has loaded %llu world(s) since "
                 "it started: it was restarted after that world was loaded",
                 (unsigned long long)want, (unsigned long long)now);
    else
        snprintf(msg, sizeof msg,
                 "X-Brcheck-World names world %llu, but another client has loaded world %llu since",
                 (unsigned long long)want, (unsigned long long)now);
    *out =
        json_pack("{s:s,s:b,s:I}", "error", msg, "worldReplaced", 1, "generation", (json_int_t)now);
    return 412;
}

int br__admin_replaced(br_server *s, uint64_t want, json_t **out)
{
    return replaced_answer(want, generation_now(&s->host), out);
}

static int world_call(br_server *s, uint64_t want, const char *method, const char *query,
                      const char *body, size_t len, json_t **out)
{
    br__host *h = &s->host;
    if (strcmp(method, "GET") == 0) {
        pthread_mutex_lock(&h->lock);
        if (br__host_replaced_locked(h, want)) {
            int status = replaced_answer(want, h->generation, out);
            pthread_mutex_unlock(&h->lock);
            return status;
        }
        br__host_sync_locked(h);
        *out = br_world_dump(h->world);
        pthread_mutex_unlock(&h->lock);
        return *out ? 200 : 500;
    }
    if (strcmp(method, "PUT") != 0 && strcmp(method, "POST") != 0) return 405;
    json_t *given = parse(body, len, out);
    if (!given) return 400;
    if (!json_is_object(given)) {
        json_decref(given);
        *out = error("a world is a JSON object (the fixture \"given\" format)");
        return 400;
    }
    char pbuf[16], err[512];
    const char *profile = query_value(query, "profile", pbuf, sizeof pbuf);
    if (!profile) profile = json_string_value(json_object_get(given, "profile"));
    uint64_t generation = 0;
    int rc = br__host_load(h, given, profile ? profile : "default", &generation, err, sizeof err);
    json_decref(given);
    if (rc != BR_OK) {
        *out = error(err);
        return rc == BR__HOST_JOURNAL ? 500 : 400; /* a journal failure is the server's */
    }
    *out = clock_answer(h);
    json_object_set_new(*out, "loaded", json_true());
    json_object_set_new(*out, "generation", json_integer((json_int_t)generation));
    return 200;
}

static int clock_call(br_server *s, uint64_t want, const char *method, const char *body, size_t len,
                      json_t **out)
{
    if (strcmp(method, "GET") == 0) {
        *out = clock_answer(&s->host);
        return 200;
    }
    if (strcmp(method, "POST") != 0) return 405;
    json_t *req = parse(body, len, out);
    if (!req) return 400;
    static const char *const known[] = {"advance", NULL};
    if (!keys_known(req, known, out)) {
        json_decref(req);
        return 400;
    }
    br_time secs = br__parse_duration(json_object_get(req, "advance"));
    json_decref(req);
    if (secs == -2) {
        char msg[200];
        snprintf(msg, sizeof msg,
                 "\"advance\" moves the clock at most %lld seconds (%d days) per call; send "
                 "several calls to go further",
                 (long long)BR__MAX_ADVANCE, (int)(BR__MAX_ADVANCE / 86400));
        *out = error(msg);
        return 400;
    }
    if (secs < 0) {
        *out = error("\"advance\" is a number of seconds or a duration like \"10m\", \"2h\", "
                     "\"1d\"");
        return 400;
    }
    int rc = br__host_advance(&s->host, want, secs);
    if (rc == BR__HOST_REPLACED) return replaced_answer(want, generation_now(&s->host), out);
    if (rc != BR_OK) {
        char why[160];
        *out = error(rc == BR__HOST_JOURNAL ? br__host_journal_error(&s->host, why, sizeof why)
                                            : "the clock could not move (out of memory)");
        return 500;
    }
    *out = clock_answer(&s->host);
    return 200;
}

static int sim_call(br_server *s, uint64_t want, const char *method, const char *body, size_t len,
                    json_t **out)
{
    if (strcmp(method, "POST") != 0) return 405;
    json_t *op = parse(body, len, out);
    if (!op) return 400;
    /* The fixture form of a simulator op (fixtures/README.md): a malformed one is a bad
     * request; 409 is the world refusing a well-formed one. */
    static const char *const known[] = {"op",         "cluster", "db",    "schema", "table",
                                        "collection", "flag",    "value", NULL};
    const char *name = json_string_value(json_object_get(op, "op"));
    const char *bad = !json_is_object(op) ? "a simulator op is a JSON object ({\"op\": ...})"
                      : !name || (strcmp(name, "write") != 0 && strcmp(name, "drop_cluster") != 0 &&
                                  strcmp(name, "set_flag") != 0)
                          ? "\"op\" is write, drop_cluster or set_flag"
                      : !json_is_string(json_object_get(op, "cluster"))
                          ? "\"cluster\" names a cluster"
                          : NULL;
    /* Each field has its type (a number for "db" would write into the default database), and
     * set_flag names a flag the model has. */
    static const char *const strings[] = {"db", "schema", "table", "collection", "flag", NULL};
    char why[160];
    for (size_t i = 0; !bad && strings[i]; i++) {
        json_t *v = json_object_get(op, strings[i]);
        if (v && !json_is_string(v)) {
            snprintf(why, sizeof why, "\"%s\" is a string", strings[i]);
            bad = why;
        }
    }
    if (!bad && json_object_get(op, "value") && !json_is_boolean(json_object_get(op, "value")))
        bad = "\"value\" is true or false";
    if (!bad && strcmp(name, "set_flag") == 0) {
        const char *flag = json_string_value(json_object_get(op, "flag"));
        if (!flag || (strcmp(flag, "paused") != 0 && strcmp(flag, "encrypted") != 0 &&
                      strcmp(flag, "sharded") != 0)) {
            snprintf(why, sizeof why, "\"flag\" is paused, encrypted or sharded, not \"%.60s\"",
                     flag ? flag : "");
            bad = why;
        }
    }
    if (bad || !keys_known(op, known, out)) {
        if (bad) *out = error(bad);
        json_decref(op);
        return 400;
    }
    int rc = br__host_sim(&s->host, want, op);
    json_decref(op);
    if (rc == BR__HOST_REPLACED) return replaced_answer(want, generation_now(&s->host), out);
    if (rc == BR_OK) {
        *out = json_pack("{s:b}", "ok", 1);
        return 200;
    }
    if (rc == BR__HOST_JOURNAL) {
        *out = error(br__host_journal_error(&s->host, why, sizeof why));
        return 500;
    }
    *out = error(rc == BR_ENOENT ? "no such cluster"
                                 : "the world refuses this operation, or it is malformed");
    return rc == BR_ENOENT ? 404 : 409;
}

static int faults_call(br_server *s, const char *method, const char *body, size_t len, json_t **out)
{
    if (strcmp(method, "GET") == 0) {
        *out = br__faults_list(&s->faults);
        return 200;
    }
    if (strcmp(method, "DELETE") == 0) {
        br__faults_clear(&s->faults);
        *out = json_pack("{s:b}", "cleared", 1);
        return 200;
    }
    if (strcmp(method, "POST") != 0) return 405;
    json_t *spec = parse(body, len, out);
    if (!spec) return 400;
    char err[256];
    int id = br__faults_add(&s->faults, spec, err, sizeof err);
    json_decref(spec);
    if (id < 0) {
        *out = error(err);
        return 400;
    }
    *out = json_pack("{s:i}", "id", id);
    return 201;
}

static json_t *mutant_answer(br__host *h)
{
    br_rule r = h->mutant;
    return json_pack("{s:s?}", "rule", r == BR_RULE_COUNT ? NULL : br_rule_id(r));
}

static int mutant_call(br_server *s, uint64_t want, const char *method, const char *body,
                       size_t len, json_t **out)
{
    if (strcmp(method, "GET") == 0) {
        pthread_mutex_lock(&s->host.lock);
        *out = mutant_answer(&s->host);
        pthread_mutex_unlock(&s->host.lock);
        return 200;
    }
    if (strcmp(method, "PUT") != 0 && strcmp(method, "POST") != 0) return 405;
    json_t *req = parse(body, len, out);
    if (!req) return 400;
    static const char *const known[] = {"rule", NULL};
    if (!keys_known(req, known, out)) {
        json_decref(req);
        return 400;
    }
    json_t *id = json_object_get(req, "rule");
    br_rule rule = BR_RULE_COUNT;
    if (json_is_string(id)) rule = br_rule_from_id(json_string_value(id));
    bool ok = json_is_null(id) || (rule != BR_RULE_COUNT && br_rule_has_mutant(rule));
    json_decref(req);
    if (!ok) {
        *out = error("\"rule\" is null or a catalog rule that has a mutant (brcheck serve "
                     "--list-mutants)");
        return 400;
    }
    int rc = br__host_set_mutant(&s->host, want, rule);
    if (rc == BR__HOST_REPLACED) return replaced_answer(want, generation_now(&s->host), out);
    if (rc != 0) {
        char why[160];
        *out = error(rc == BR__HOST_JOURNAL ? br__host_journal_error(&s->host, why, sizeof why)
                                            : "out of memory");
        return 500;
    }
    pthread_mutex_lock(&s->host.lock);
    *out = mutant_answer(&s->host);
    pthread_mutex_unlock(&s->host.lock);
    return 200;
}

static bool token_ok(const br_server *s, const char *auth)
{
    if (!auth || strncmp(auth, "Bearer ", 7) != 0) return false;
    const char *t = auth + 7, *want = s->admin_token;
    size_t a = strlen(t), b = strlen(want);
    unsigned char diff = (unsigned char)(a != b);
    for (size_t i = 0; i < a && i < b; i++)
        diff |= (unsigned char)(t[i] ^ want[i]);
    return diff == 0;
}

/* The admin calls and the methods each answers (HEAD wherever GET, RFC 9110 section 9.3.2):
 * the Allow header of a 405 (section 15.5.6). */
static const struct {
    const char *name;
    const char *allow;
} calls[] = {
    {"ping", "GET, HEAD"},
    {"world", "GET, HEAD, PUT, POST"},
    {"digest", "GET, HEAD"},
    {"check", "GET, HEAD"},
    {"clock", "GET, HEAD, POST"},
    {"sim", "POST"},
    {"faults", "GET, HEAD, POST, DELETE"},
    {"mutant", "GET, HEAD, PUT, POST"},
};

static bool allows(const char *allow, const char *method)
{
    size_t n = strlen(method);
    for (const char *p = allow; *p;) {
        size_t len = strcspn(p, ",");
        if (len == n && strncmp(p, method, n) == 0) return true;
        p += len;
        while (*p == ',' || *p == ' ')
            p++;
    }
    return false;
}

/* What an admin call meets before its body: the caller's address (403), the token (401; ping
 * needs none), the call (404), its methods (405, *allow set), the world it names (412). 0
 * when it passes; otherwise the status, *out its answer. */
static int gate(br_server *s, const char *method, const char *call, const char *auth, uint64_t want,
                bool loopback, json_t **out, const char **allow)
{
    if (!loopback) {
        *out = error("the admin API answers loopback callers only");
        return 403;
    }
    size_t i = 0, n = sizeof calls / sizeof *calls;
    while (i < n && strcmp(calls[i].name, call) != 0)
        i++;
    if ((i == n || strcmp(call, "ping") != 0) && !token_ok(s, auth)) {
        *out = error("the admin API needs Authorization: Bearer <admin token>");
        return 401;
    }
    if (i == n) {
        *out = error("no such admin call (see server/README.md)");
        return 404;
    }
    if (!allows(calls[i].allow, method)) {
        *allow = calls[i].allow;
        *out = error("method not allowed on this admin call");
        return 405;
    }
    /* Every call carrying X-Brcheck-World names the world it is meant for; the calls that
     * read or change the world check again under the lock. */
    uint64_t now = generation_now(&s->host);
    if (want && want != now) return replaced_answer(want, now, out);
    return 0;
}

bool br__admin_refused(br_server *s, const char *method, const char *path, const char *auth,
                       uint64_t want, bool loopback)
{
    json_t *out = NULL;
    const char *allow = NULL;
    int status =
        gate(s, method, path + strlen("/_brcheck/v1/"), auth, want, loopback, &out, &allow);
    json_decref(out);
    return status != 0;
}

int br__admin_handle(br_server *s, const char *method, const char *path, const char *query,
                     const char *auth, uint64_t want, bool loopback, const char *body,
                     size_t body_len, json_t **out, const char **allow)
{
    const char *call = path + strlen("/_brcheck/v1/");
    *out = NULL;
    *allow = NULL;
    int status = gate(s, method, call, auth, want, loopback, out, allow);
    if (status) return status;
    if (strcmp(method, "HEAD") == 0) method = "GET"; /* the same answer; the body is not sent */
    status = 404;
    if (strcmp(call, "ping") == 0) {
        *out = json_pack("{s:b}", "pong", 1);
        status = 200;
    } else if (strcmp(call, "world") == 0) {
        status = world_call(s, want, method, query, body, body_len, out);
    } else if (strcmp(call, "digest") == 0) {
        pthread_mutex_lock(&s->host.lock);
        if (br__host_replaced_locked(&s->host, want)) {
            status = replaced_answer(want, s->host.generation, out);
            pthread_mutex_unlock(&s->host.lock);
            return status;
        }
        br__host_sync_locked(&s->host);
        char hex[24];
        snprintf(hex, sizeof hex, "%016llx", (unsigned long long)br_world_digest(s->host.world));
        json_int_t generation = (json_int_t)s->host.generation;
        pthread_mutex_unlock(&s->host.lock);
        *out = json_pack("{s:s,s:I}", "digest", hex, "generation", generation);
        status = 200;
    } else if (strcmp(call, "check") == 0) {
        br_rule rule;
        char msg[512] = "";
        pthread_mutex_lock(&s->host.lock);
        if (br__host_replaced_locked(&s->host, want)) {
            status = replaced_answer(want, s->host.generation, out);
            pthread_mutex_unlock(&s->host.lock);
            return status;
        }
        int bad = br_world_check(s->host.world, &rule, msg, sizeof msg);
        json_int_t generation = (json_int_t)s->host.generation;
        pthread_mutex_unlock(&s->host.lock);
        *out = bad ? json_pack("{s:b,s:s,s:s,s:i,s:I}", "ok", 0, "rule", br_rule_id(rule),
                               "message", msg, "violations", bad, "generation", generation)
                   : json_pack("{s:b,s:I}", "ok", 1, "generation", generation);
        status = 200;
    } else if (strcmp(call, "clock") == 0) {
        status = clock_call(s, want, method, body, body_len, out);
    } else if (strcmp(call, "sim") == 0) {
        status = sim_call(s, want, method, body, body_len, out);
    } else if (strcmp(call, "faults") == 0) {
        status = faults_call(s, method, body, body_len, out);
    } else if (strcmp(call, "mutant") == 0) {
        status = mutant_call(s, want, method, body, body_len, out);
    }
    if (!*out)
        *out = error(status == 405   ? "method not allowed on this admin call"
                     : status == 404 ? "no such admin call (see server/README.md)"
                                     : "out of memory");
    return status;
}
