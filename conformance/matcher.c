/* Matchers: literal equality, object subsets, and the $-matchers of fixtures/README.md. */
#include "matcher.h"
#include "secrets.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool br_is_utc_time(const char *s)
{
    static const char shape[] = "dddd-dd-ddTdd:dd:dd";
    for (size_t i = 0; shape[i]; i++) {
        if (shape[i] == 'd' ? !isdigit((unsigned char)s[i]) : s[i] != shape[i]) return false;
    }
    const char *p = s + sizeof shape - 1;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p)) return false;
        while (isdigit((unsigned char)*p))
            p++;
    }
    return p[0] == 'Z' && p[1] == '\0';
}

/* What a message shows of v, found under the field 'key': redacted as the report's actual
 * answer is (SEC-SECRETS), so a message never holds what the report hides. */
static char *show(const char *key, const json_t *v)
{
    if (!v) return strdup("(absent)");
    json_t *shown = br_redacted_copy(key, v);
    char *s = shown ? json_dumps(shown, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_decref(shown);
    if (s && strlen(s) > 160) strcpy(s + 150, "...");
    return s ? s : strdup("?");
}

static bool fail(char *msg, size_t msglen, const char *path, const char *key, const char *want,
                 const json_t *got)
{
    char *g = show(key, got);
    snprintf(msg, msglen, "%s: expected %s, got %s", path, want, g);
    free(g);
    return false;
}

/* A matcher as a message shows it: under a secret key the value of $eq, $ne and $oneOf
 * (which may hold a captured secret) is not shown. */
static bool fail_matcher(char *msg, size_t msglen, const char *path, const char *key, const char *m,
                         const json_t *got)
{
    if (br_secret_key(key) && (strncmp(m, "$eq:", 4) == 0 || strncmp(m, "$ne:", 4) == 0 ||
                               strncmp(m, "$oneOf:", 7) == 0)) {
        char want[32];
        snprintf(want, sizeof want, "%.*s" BR_REDACTED, (int)(strchr(m, ':') - m + 1), m);
        return fail(msg, msglen, path, key, want, got);
    }
    return fail(msg, msglen, path, key, m, got);
}

static bool equal_numbers(const json_t *a, const json_t *b)
{
    return json_is_number(a) && json_is_number(b) && json_number_value(a) == json_number_value(b);
}

static bool match_at(const json_t *expected, const json_t *actual, json_t *captures,
                     const char *path, const char *key, char *msg, size_t msglen);

/* 'key': the field the value was found under (NULL: none), for redaction. */
static bool matcher(const char *m, const json_t *actual, json_t *captures, const char *path,
                    const char *key, char *msg, size_t msglen)
{
    if (strcmp(m, "$any") == 0)
        return actual ? true : fail(msg, msglen, path, key, "a value", actual);
    if (strcmp(m, "$absent") == 0)
        return !actual ? true : fail(msg, msglen, path, key, "no such field", actual);
    if (strcmp(m, "$time") == 0)
        return json_is_string(actual) && br_is_utc_time(json_string_value(actual))
                   ? true
                   : fail(msg, msglen, path, key, "an RFC 3339 UTC time", actual);
    if (strncmp(m, "$capture:", 9) == 0) {
        if (!actual) return fail(msg, msglen, path, key, "a value to capture", actual);
        json_object_set(captures, m + 9, (json_t *)actual);
        return true;
    }
    if (strncmp(m, "$regex:", 7) == 0 || strncmp(m, "$iregex:", 8) == 0) {
        bool icase = m[1] == 'i';
        const char *re = m + (icase ? 8 : 7);
        if (!json_is_string(actual)) return fail_matcher(msg, msglen, path, key, m, actual);
        regex_t rx;
        if (regcomp(&rx, re, REG_EXTENDED | REG_NOSUB | (icase ? REG_ICASE : 0)) != 0) {
            snprintf(msg, msglen, "%s: bad regular expression %s", path, re);
            return false;
        }
        bool ok = regexec(&rx, json_string_value(actual), 0, NULL, 0) == 0;
        regfree(&rx);
        return ok ? true : fail_matcher(msg, msglen, path, key, m, actual);
    }
    const char *arg = strchr(m, ':');
    json_t *val = arg ? json_loads(arg + 1, JSON_DECODE_ANY, NULL) : NULL;
    if (!val) {
        snprintf(msg, msglen, "%s: unknown or malformed matcher %s", path, m);
        return false;
    }
    bool ok = false;
    if (strncmp(m, "$oneOf:", 7) == 0 && json_is_array(val)) {
        size_t i;
        json_t *e;
        char sub[256];
        json_array_foreach(val, i, e) ok =
            ok || match_at(e, actual, captures, path, key, sub, sizeof sub);
        if (!ok) fail_matcher(msg, msglen, path, key, m, actual);
    } else if (strncmp(m, "$ne:", 4) == 0) {
        ok = actual && !json_equal(val, (json_t *)actual) && !equal_numbers(val, actual);
        if (!ok) fail_matcher(msg, msglen, path, key, m, actual);
    } else if (strncmp(m, "$eq:", 4) == 0) {
        ok = actual && (json_equal(val, (json_t *)actual) || equal_numbers(val, actual));
        if (!ok) fail_matcher(msg, msglen, path, key, m, actual);
    } else if (strncmp(m, "$range:", 7) == 0 && json_array_size(val) == 2) {
        double lo = json_number_value(json_array_get(val, 0));
        double hi = json_number_value(json_array_get(val, 1));
        ok = json_is_number(actual) && json_number_value(actual) >= lo &&
             json_number_value(actual) <= hi;
        if (!ok) fail_matcher(msg, msglen, path, key, m, actual);
    } else if (strncmp(m, "$len:", 5) == 0 && json_is_integer(val)) {
        size_t n = json_is_array(actual)    ? json_array_size(actual)
                   : json_is_object(actual) ? json_object_size(actual)
                                            : (size_t)-1;
        ok = n == (size_t)json_integer_value(val);
        if (!ok) fail_matcher(msg, msglen, path, key, m, actual);
    } else {
        snprintf(msg, msglen, "%s: unknown matcher %s", path, m);
    }
    json_decref(val);
    return ok;
}

static bool match_at(const json_t *expected, const json_t *actual, json_t *captures,
                     const char *path, const char *key, char *msg, size_t msglen)
{
    if (json_is_string(expected) && json_string_value(expected)[0] == '$' &&
        json_string_value(expected)[1] != '{')
        return matcher(json_string_value(expected), actual, captures, path, key, msg, msglen);
    if (!actual) return fail(msg, msglen, path, key, "a value", actual);
    if (json_is_object(expected)) {
        if (!json_is_object(actual)) return fail(msg, msglen, path, key, "an object", actual);
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)expected, k, v)
        {
            char sub[512];
            snprintf(sub, sizeof sub, "%s.%s", path, k);
            if (!match_at(v, json_object_get(actual, k), captures, sub, k, msg, msglen))
                return false;
        }
        return true;
    }
    if (json_is_array(expected)) {
        if (!json_is_array(actual) || json_array_size(actual) != json_array_size(expected)) {
            char want[64];
            snprintf(want, sizeof want, "an array of %zu", json_array_size(expected));
            return fail(msg, msglen, path, key, want, actual);
        }
        size_t i;
        json_t *v;
        json_array_foreach(expected, i, v)
        {
            char sub[512];
            snprintf(sub, sizeof sub, "%s[%zu]", path, i);
            if (!match_at(v, json_array_get(actual, i), captures, sub, NULL, msg, msglen))
                return false;
        }
        return true;
    }
    if (json_equal((json_t *)expected, (json_t *)actual) || equal_numbers(expected, actual))
        return true;
    char *e = show(key, expected); /* it may hold a captured secret */
    bool r = fail(msg, msglen, path, key, e, actual);
    free(e);
    return r;
}

bool br_match(const json_t *expected, const json_t *actual, json_t *captures, const char *path,
              char *msg, size_t msglen)
{
    return match_at(expected, actual, captures, path, NULL, msg, msglen);
}

bool br_match_field(const json_t *expected, const json_t *actual, json_t *captures,
                    const char *path, const char *key, char *msg, size_t msglen)
{
    return match_at(expected, actual, captures, path, key, msg, msglen);
}

static json_t *subst_string(const char *s, const json_t *captures, char *msg, size_t msglen)
{
    size_t n = strlen(s);
    if (n > 3 && s[0] == '$' && s[1] == '{' && s[n - 1] == '}' && !strchr(s + 2, '$')) {
        char name[128];
        snprintf(name, sizeof name, "%.*s", (int)(n - 3), s + 2);
        json_t *v = json_object_get(captures, name);
        if (!v) {
            snprintf(msg, msglen, "${%s} was never captured", name);
            return NULL;
        }
        return json_deep_copy(v);
    }
    char *out = malloc(n * 4 + 1024);
    size_t o = 0, cap = n * 4 + 1024;
    if (!out) return NULL;
    for (const char *p = s; *p;) {
        const char *end;
        if (p[0] == '$' && p[1] == '{' && (end = strchr(p, '}'))) {
            char name[128];
            snprintf(name, sizeof name, "%.*s", (int)(end - p - 2), p + 2);
            json_t *v = json_object_get(captures, name);
            if (!v) {
                snprintf(msg, msglen, "${%s} was never captured", name);
                free(out);
                return NULL;
            }
            char *text = json_is_string(v) ? strdup(json_string_value(v))
                                           : json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
            size_t tl = text ? strlen(text) : 0;
            if (o + tl + 1 > cap) {
                cap = (o + tl + 1) * 2;
                char *no = realloc(out, cap);
                if (!no) {
                    free(text);
                    free(out);
                    return NULL;
                }
                out = no;
            }
            if (text) memcpy(out + o, text, tl);
            o += tl;
            free(text);
            p = end + 1;
        } else {
            if (o + 2 > cap) {
                cap *= 2;
                char *no = realloc(out, cap);
                if (!no) {
                    free(out);
                    return NULL;
                }
                out = no;
            }
            out[o++] = *p++;
        }
    }
    out[o] = '\0';
    json_t *r = json_string(out);
    free(out);
    return r;
}

json_t *br_substitute(const json_t *v, const json_t *captures, char *msg, size_t msglen)
{
    if (json_is_string(v)) return subst_string(json_string_value(v), captures, msg, msglen);
    if (json_is_object(v)) {
        json_t *o = json_object();
        const char *k;
        json_t *e;
        json_object_foreach((json_t *)v, k, e)
        {
            json_t *s = br_substitute(e, captures, msg, msglen);
            if (!s || json_object_set_new(o, k, s)) {
                json_decref(o);
                return NULL;
            }
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            json_t *s = br_substitute(e, captures, msg, msglen);
            if (!s || json_array_append_new(a, s)) {
                json_decref(a);
                return NULL;
            }
        }
        return a;
    }
    return json_deep_copy(v);
}
