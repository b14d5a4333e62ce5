/* The static check of a fixture's steps (fixture_check.h), made when fixtures load: a
 * misspelled key, an unknown rule id, a matcher that cannot match anything or a capture used
 * before it is made would otherwise pass quietly (an unknown key is never looked at) or be
 * charged to the target as a violation of the fixture's first rule. */
#include "fixture_check.h"

#include "runner.h"

#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* An await polls at most this many times (timeout / every): a fixture that waits longer
 * would hold a run for minutes of CPU; the suite's longest wait is 240 polls. */
#define AWAIT_POLLS_MAX 10000

typedef struct {
    char *msg;
    size_t len;
    int step;          /* 1-based; 0: the fixture as a whole */
    json_t *captured;  /* names captured by the steps before: {name: true} */
    json_t *capturing; /* names the current step captures */
} checker;

static bool bad(checker *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool bad(checker *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(c->msg, c->len, fmt, ap);
    va_end(ap);
    return false;
}

/* Whether every key of o is one of 'known' (NULL-terminated); names the first that is not. */
static bool keys_known(checker *c, const json_t *o, const char *what, const char *const *known)
{
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i] && !ok; i++)
            ok = strcmp(k, known[i]) == 0;
        if (!ok) {
            char list[256] = "";
            for (size_t i = 0; known[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "",
                         known[i]);
            return bad(c, "%s: unknown key \"%s\" (the keys: %s)", what, k, list);
        }
    }
    return true;
}

/* Every ${name} in s names a capture of an earlier step. */
static bool names_captured(checker *c, const char *s, const char *where)
{
    for (const char *p = strstr(s, "${"); p; p = strstr(p + 2, "${")) {
        const char *end = strchr(p + 2, '}');
        if (!end) return true; /* not a reference: the text stays as it is */
        char name[128];
        size_t n = (size_t)(end - p - 2);
        if (n >= sizeof name) n = sizeof name - 1;
        memcpy(name, p + 2, n);
        name[n] = '\0';
        if (!json_object_get(c->captured, name))
            return bad(c, "%s: ${%s} is not captured by an earlier step", where, name);
    }
    return true;
}

/* Every ${name} in v (strings and keys at any depth) names an earlier capture. */
static bool refs_ok(checker *c, const json_t *v, const char *where)
{
    if (json_is_string(v)) return names_captured(c, json_string_value(v), where);
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, e)
        {
            if (!names_captured(c, k, where) || !refs_ok(c, e, where)) return false;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            if (!refs_ok(c, e, where)) return false;
        }
    }
    return true;
}

/* One matcher string (fixtures/README.md#matchers); arguments that name a capture are
 * known only when the step plays. */
static bool matcher_ok(checker *c, const char *m, const char *where)
{
    if (strncmp(m, "${", 2) == 0 || strcmp(m, "$any") == 0 || strcmp(m, "$absent") == 0 ||
        strcmp(m, "$time") == 0)
        return true;
    if (strncmp(m, "$capture:", 9) == 0) {
        if (!m[9]) return bad(c, "%s: $capture: needs a name", where);
        json_object_set_new(c->capturing, m + 9, json_true());
        return true;
    }
    bool later = strstr(m, "${") != NULL;
    if (strncmp(m, "$regex:", 7) == 0 || strncmp(m, "$iregex:", 8) == 0) {
        const char *re = m + (m[1] == 'i' ? 8 : 7);
        regex_t rx;
        if (later) return true;
        int rc = regcomp(&rx, re, REG_EXTENDED | REG_NOSUB);
        if (rc != 0) {
            char why[128];
            regerror(rc, &rx, why, sizeof why);
            return bad(c, "%s: bad regular expression %s: %s", where, re, why);
        }
        regfree(&rx);
        return true;
    }
    static const char *const with_json[] = {"$oneOf:", "$ne:", "$eq:", "$range:", "$len:"};
    for (size_t i = 0; i < sizeof with_json / sizeof *with_json; i++) {
        size_t n = strlen(with_json[i]);
        if (strncmp(m, with_json[i], n) != 0) continue;
        if (later) return true;
        json_t *arg = json_loads(m + n, JSON_DECODE_ANY, NULL);
        bool ok = arg != NULL;
        if (ok && i == 0) ok = json_is_array(arg);
        if (ok && i == 3)
            ok = json_array_size(arg) == 2 && json_is_number(json_array_get(arg, 0)) &&
                 json_is_number(json_array_get(arg, 1));
        if (ok && i == 4) ok = json_is_integer(arg) && json_integer_value(arg) >= 0;
        json_decref(arg);
        if (!ok) {
            static const char *const want[] = {"a JSON array", "a JSON value", "a JSON value",
                                               "[lo, hi] (two numbers)", "a count (integer >= 0)"};
            return bad(c, "%s: %s takes %s: %s", where, with_json[i], want[i], m);
        }
        return true;
    }
    return bad(c,
               "%s: unknown matcher %s (the matchers: $any, $absent, $time, $capture:, $regex:, "
               "$iregex:, $oneOf:, $ne:, $eq:, $range:, $len:; a literal string cannot start "
               "with $)",
               where, m);
}

/* Every matcher in an expected value, at any depth. */
static bool expected_ok(checker *c, const json_t *v, const char *where)
{
    if (json_is_string(v) && json_string_value(v)[0] == '$')
        return matcher_ok(c, json_string_value(v), where);
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, e)
        {
            if (!expected_ok(c, e, where)) return false;
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            if (!expected_ok(c, e, where)) return false;
        }
    }
    return refs_ok(c, v, where);
}

static bool request_ok(checker *c, const json_t *r, const char *where)
{
    static const char *const keys[] = {"method",  "path",       "headers", "body",     "bodyRaw",
                                       "bodyHex", "bodyRepeat", "key",     "callerIp", NULL};
    if (!json_is_object(r)) return bad(c, "%s is an object", where);
    if (!keys_known(c, r, where, keys)) return false;
    if (!json_is_string(json_object_get(r, "method")) ||
        !json_is_string(json_object_get(r, "path")))
        return bad(c, "%s needs \"method\" and \"path\" (strings)", where);
    int bodies = (json_object_get(r, "body") != NULL) + (json_object_get(r, "bodyRaw") != NULL) +
                 (json_object_get(r, "bodyHex") != NULL) +
                 (json_object_get(r, "bodyRepeat") != NULL);
    if (bodies > 1) return bad(c, "%s: one of body, bodyRaw, bodyHex, bodyRepeat", where);
    const json_t *raw = json_object_get(r, "bodyRaw");
    if (raw && !json_is_string(raw)) return bad(c, "%s: bodyRaw is a string", where);
    const json_t *hex = json_object_get(r, "bodyHex");
    if (hex) {
        const char *h = json_string_value(hex);
        size_t n = h ? strlen(h) : 0;
        if (!h || n % 2 || strspn(h, "0123456789abcdefABCDEF") != n)
            return bad(c, "%s: bodyHex is a string of hex digit pairs", where);
    }
    const json_t *rep = json_object_get(r, "bodyRepeat");
    if (rep) {
        static const char *const rkeys[] = {"prefix", "unit", "count", "suffix", NULL};
        if (!json_is_object(rep) || !keys_known(c, rep, "bodyRepeat", rkeys) ||
            !json_is_integer(json_object_get(rep, "count")) ||
            json_integer_value(json_object_get(rep, "count")) < 0)
            return bad(c, "%s: bodyRepeat is {prefix, unit, count (integer >= 0), suffix}", where);
    }
    const json_t *h = json_object_get(r, "headers");
    const char *k;
    json_t *v;
    if (h && !json_is_object(h)) return bad(c, "%s: headers is an object of strings", where);
    json_object_foreach((json_t *)h, k, v)
    {
        if (!json_is_string(v)) return bad(c, "%s: header %s is not a string", where, k);
    }
    const json_t *key = json_object_get(r, "key"), *ip = json_object_get(r, "callerIp");
    if ((key && !json_is_string(key) && !json_is_null(key)) || (ip && !json_is_string(ip)))
        return bad(c, "%s: key and callerIp are strings", where);
    return refs_ok(c, r, where);
}

/* An expectation of an answer: {"status", "body", "headers"}. */
static bool expect_ok(checker *c, const json_t *e, const char *where)
{
    static const char *const keys[] = {"status", "body", "headers", NULL};
    if (!json_is_object(e)) return bad(c, "%s is an object {status, body, headers}", where);
    if (!keys_known(c, e, where, keys)) return false;
    const json_t *h = json_object_get(e, "headers");
    if (h && !json_is_object(h)) return bad(c, "%s: headers is an object", where);
    return expected_ok(c, e, where);
}

static bool duration_ok(checker *c, const json_t *v, const char *what, bool positive)
{
    br_time t;
    if (!br_fixture_duration(v, &t) || (positive && t <= 0))
        return bad(c, "%s: a %sduration: seconds, or \"90\", \"15m\", \"4h\", \"8d\"", what,
                   positive ? "positive " : "");
    return true;
}

static bool rules_ok(checker *c, const json_t *rules)
{
    if (!json_is_array(rules)) return bad(c, "\"rules\" is an array of rule ids");
    size_t i;
    json_t *r;
    json_array_foreach(rules, i, r)
    {
        const char *id = json_string_value(r);
        if (!id || br_rule_from_id(id) == BR_RULE_COUNT)
            return bad(c, "\"rules\": %s%s%s is not a rule id of the catalog", id ? "\"" : "",
                       id ? id : "an element", id ? "\"" : "");
    }
    return true;
}

/* A simulator operation (model/sim.c) with the fields its op reads, each present: a write
 * without "db" or "collection" would otherwise go to "default"/"data", and a flag other than
 * the three the world has would be a failure charged to the target. */
static bool sim_ok(checker *c, const json_t *op)
{
    static const char *const keys[] = {"op",         "cluster", "db",    "schema", "table",
                                       "collection", "flag",    "value", NULL};
    static const char *const write_keys[] = {"op",    "cluster",    "db", "schema",
                                             "table", "collection", NULL};
    static const char *const drop_keys[] = {"op", "cluster", NULL};
    static const char *const flag_keys[] = {"op", "cluster", "flag", "value", NULL};
    if (!json_is_object(op) || !keys_known(c, op, "sim", keys)) return false;
    const char *name = json_string_value(json_object_get(op, "op"));
    if (!name || (strcmp(name, "write") != 0 && strcmp(name, "drop_cluster") != 0 &&
                  strcmp(name, "set_flag") != 0))
        return bad(c, "sim: \"op\" is write, drop_cluster or set_flag");
    if (!json_is_string(json_object_get(op, "cluster")))
        return bad(c, "sim %s: \"cluster\" names a cluster", name);
    if (strcmp(name, "write") == 0) {
        const json_t *coll = json_object_get(op, "collection"),
                     *table = json_object_get(op, "table");
        const json_t *schema = json_object_get(op, "schema");
        if (!keys_known(c, op, "sim write", write_keys)) return false;
        if (!json_is_string(json_object_get(op, "db")))
            return bad(c, "sim write: \"db\" names the database written");
        if ((coll && table) || !json_is_string(coll ? coll : table))
            return bad(c, "sim write: \"collection\" (or \"table\", the same) names what is "
                          "written");
        if (schema && !json_is_string(schema)) return bad(c, "sim write: \"schema\" is a string");
    } else if (strcmp(name, "drop_cluster") == 0) {
        if (!keys_known(c, op, "sim drop_cluster", drop_keys)) return false;
    } else {
        const char *flag = json_string_value(json_object_get(op, "flag"));
        if (!keys_known(c, op, "sim set_flag", flag_keys)) return false;
        if (!flag || (strcmp(flag, "paused") != 0 && strcmp(flag, "encrypted") != 0 &&
                      strcmp(flag, "sharded") != 0))
            return bad(c, "sim set_flag: \"flag\" is paused, encrypted or sharded");
        if (!json_is_boolean(json_object_get(op, "value")))
            return bad(c, "sim set_flag: \"value\" is true or false");
    }
    return refs_ok(c, op, "sim");
}

static bool step_ok(checker *c, const json_t *s)
{
    if (!json_is_object(s)) return bad(c, "a step is an object");
    static const char *const kinds[] = {"request", "advance", "await", "sim", "inspect"};
    const char *kind = NULL;
    for (size_t i = 0; i < sizeof kinds / sizeof *kinds; i++)
        if (json_object_get(s, kinds[i])) {
            if (kind) return bad(c, "a step is one of request, advance, await, sim, inspect");
            kind = kinds[i];
        }
    if (!kind) return bad(c, "a step is one of request, advance, await, sim, inspect");
    const json_t *name = json_object_get(s, "name");
    if (name && !json_is_string(name)) return bad(c, "\"name\" is a string");
    if (strcmp(kind, "request") == 0) {
        static const char *const keys[] = {"name", "request", "expect", "rules", NULL};
        if (!keys_known(c, s, "a request step", keys) ||
            !request_ok(c, json_object_get(s, "request"), "request"))
            return false;
        if (json_object_get(s, "rules") && !rules_ok(c, json_object_get(s, "rules"))) return false;
        return !json_object_get(s, "expect") ||
               expect_ok(c, json_object_get(s, "expect"), "expect");
    }
    if (strcmp(kind, "advance") == 0) {
        static const char *const keys[] = {"name", "advance", NULL};
        return keys_known(c, s, "an advance step", keys) &&
               duration_ok(c, json_object_get(s, "advance"), "advance", false);
    }
    if (strcmp(kind, "await") == 0) {
        static const char *const keys[] = {"name", "await", "rules", NULL};
        static const char *const akeys[] = {"request", "until", "timeout", "every", NULL};
        const json_t *aw = json_object_get(s, "await");
        if (!keys_known(c, s, "an await step", keys)) return false;
        if (json_object_get(s, "rules") && !rules_ok(c, json_object_get(s, "rules"))) return false;
        if (!json_is_object(aw) || !keys_known(c, aw, "await", akeys))
            return bad(c, "await is {request, until, timeout, every}");
        if (!json_object_get(aw, "until")) return bad(c, "await needs \"until\"");
        br_time timeout = 3600, every = 30; /* the runner's defaults */
        if (!request_ok(c, json_object_get(aw, "request"), "await.request") ||
            !expect_ok(c, json_object_get(aw, "until"), "await.until") ||
            (json_object_get(aw, "timeout") &&
             !duration_ok(c, json_object_get(aw, "timeout"), "await.timeout", false)) ||
            (json_object_get(aw, "every") &&
             !duration_ok(c, json_object_get(aw, "every"), "await.every", true)))
            return false;
        br_fixture_duration(json_object_get(aw, "timeout"), &timeout);
        br_fixture_duration(json_object_get(aw, "every"), &every);
        if (timeout / every > AWAIT_POLLS_MAX)
            return bad(c, "await: timeout / every is %lld polls, more than %d",
                       (long long)(timeout / every), AWAIT_POLLS_MAX);
        return true;
    }
    if (strcmp(kind, "sim") == 0) {
        static const char *const keys[] = {"name", "sim", "expectError", NULL};
        const json_t *e = json_object_get(s, "expectError");
        if (!keys_known(c, s, "a sim step", keys)) return false;
        if (e && !json_is_boolean(e)) return bad(c, "\"expectError\" is true or false");
        return sim_ok(c, json_object_get(s, "sim"));
    }
    static const char *const keys[] = {"name", "inspect", NULL};
    static const char *const ikeys[] = {"path", "expect", NULL};
    const json_t *ins = json_object_get(s, "inspect");
    if (!keys_known(c, s, "an inspect step", keys)) return false;
    if (!json_is_object(ins) || !keys_known(c, ins, "inspect", ikeys) ||
        !json_is_string(json_object_get(ins, "path")) || !json_object_get(ins, "expect"))
        return bad(c, "inspect is {path (a JSON pointer), expect}");
    return refs_ok(c, json_object_get(ins, "path"), "inspect.path") &&
           expected_ok(c, json_object_get(ins, "expect"), "inspect.expect");
}

bool br_fixture_check_steps(const json_t *steps, int *step, char *msg, size_t msglen)
{
    checker c = {.msg = msg, .len = msglen, .captured = json_object()};
    bool ok = c.captured != NULL;
    if (!ok) snprintf(msg, msglen, "out of memory");
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s)
    {
        if (!ok) break;
        c.step = (int)i + 1;
        c.capturing = json_object();
        ok = c.capturing && step_ok(&c, s);
        if (ok) json_object_update(c.captured, c.capturing);
        json_decref(c.capturing);
    }
    *step = ok ? 0 : c.step;
    json_decref(c.captured);
    return ok;
}
