/* Target profiles (docs/profiles.md): reading, validating and querying the JSON that says
 * how to speak to one endpoint. Secrets are never in the file: it names environment
 * variables. */
#include "profile.h"

#include "brcheck/model.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

bool br_profile_is_behaviour(const char *arg)
{
    return arg && (strcmp(arg, "default") == 0 || strcmp(arg, "strict") == 0);
}

static bool fail(char *err, size_t len, const char *fmt, const char *what)
{
    snprintf(err, len, fmt, what);
    return false;
}

static bool all_strings(const json_t *o)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        if (!json_is_string(v)) return false;
    }
    return true;
}

/* Refuses any field of the object o other than those listed: a misspelt "perSecnd" would
 * otherwise be read as no limit at all. 'where' names o ("timeouts", "skip[2]"). */
static bool only_fields(const json_t *o, const char *where, const char *const known[], char *err,
                        size_t len)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)o, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            ok = ok || strcmp(k, known[i]) == 0;
        if (ok) continue;
        char list[200] = "";
        size_t o2 = 0;
        for (size_t i = 0; known[i] && o2 < sizeof list; i++)
            o2 += (size_t)snprintf(list + o2, sizeof list - o2, "%s%s", i ? ", " : "", known[i]);
        snprintf(err, len, "unknown field \"%s.%s\" (%s holds %s; see docs/profiles.md)", where, k,
                 where, list);
        return false;
    }
    return true;
}

/* A number field of o, when present, within [lo, hi]: values outside are refused rather than
 * replaced (a request timeout of 0 would mean none at all to libcurl, and the run would hang). */
static bool number_in(const json_t *o, const char *where, const char *key, double lo, double hi,
                      const char *unit, char *err, size_t len)
{
    json_t *v = json_object_get(o, key);
    if (!v) return true;
    if (json_is_number(v) && json_number_value(v) >= lo && json_number_value(v) <= hi) return true;
    char got[64];
    if (json_is_number(v))
        snprintf(got, sizeof got, "%g", json_number_value(v));
    else
        snprintf(got, sizeof got, "a %s",
                 json_is_string(v)   ? "string"
                 : json_is_object(v) ? "object"
                 : json_is_array(v)  ? "array"
                 : json_is_null(v)   ? "null"
                                     : "boolean");
    snprintf(err, len, "%s.%s is a number from %.10g to %.10g%s%s (got %s)", where, key, lo, hi,
             *unit ? " " : "", unit, got);
    return false;
}

/* A field naming an environment variable: a non-empty string. */
static bool env_name(const json_t *o, const char *where, const char *key, char *err, size_t len)
{
    json_t *v = json_object_get(o, key);
    if (!v || (json_is_string(v) && json_string_length(v) > 0)) return true;
    snprintf(err, len, "%s.%s names an environment variable (a non-empty string)", where, key);
    return false;
}

/* The ranges a profile's numbers are checked against (docs/profiles.md). */
#define RATE_MIN 0.01 /* requests per second: one every 100 s */
#define RATE_MAX 100000.0
#define REQUEST_MIN 0.001 /* seconds: libcurl counts in milliseconds, 0 being none */
#define REQUEST_MAX 86400.0
#define AWAIT_MIN 0.001
#define AWAIT_MAX 2592000.0 /* 30 days */
#define POLL_MIN 0.001
#define POLL_MAX 86400.0
#define FACTOR_MIN 1.0
#define FACTOR_MAX 100.0

static bool validate_credentials(const json_t *creds, char *err, size_t len)
{
    static const char *const fields[] = {"bearerEnv", "publicEnv", "privateEnv", NULL};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)creds, k, v)
    {
        char where[200];
        snprintf(where, sizeof where, "credentials.%s", k);
        if (!json_is_object(v))
            return fail(err, len, "%s is an object of environment variable names", where);
        if (!only_fields(v, where, fields, err, len)) return false;
        for (size_t i = 0; fields[i]; i++)
            if (!env_name(v, where, fields[i], err, len)) return false;
        bool bearer = json_object_get(v, "bearerEnv") != NULL;
        bool pub = json_object_get(v, "publicEnv") != NULL;
        bool priv = json_object_get(v, "privateEnv") != NULL;
        if (pub != priv)
            return fail(err, len, "%s: publicEnv and privateEnv go together (Atlas Digest)", where);
        if (!bearer && !pub)
            return fail(err, len, "%s: bearerEnv, or publicEnv and privateEnv", where);
    }
    return true;
}

bool br_profile_validate(const json_t *p, char *err, size_t len)
{
    static const char *const known[] = {"description", "behaviour",  "vendors",  "admin", "ids",
                                        "credentials", "rateLimits", "timeouts", "poll",  "skip",
                                        "baseUrls",    "lockstep",   NULL};
    if (!json_is_object(p)) return fail(err, len, "a target profile is a JSON object%s", "");
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)p, k, v)
    {
        bool ok = false;
        for (size_t i = 0; known[i]; i++)
            ok = ok || strcmp(k, known[i]) == 0;
        if (!ok) return fail(err, len, "unknown field \"%s\" (see docs/profiles.md)", k);
    }
    json_t *d = json_object_get(p, "description");
    if (d && !json_is_string(d)) return fail(err, len, "\"description\" is a string%s", "");
    json_t *b = json_object_get(p, "behaviour");
    if (b && !br_profile_is_behaviour(json_string_value(b)))
        return fail(err, len, "\"behaviour\" is \"default\" or \"strict\"%s", "");
    json_t *vendors = json_object_get(p, "vendors");
    if (vendors) {
        size_t i;
        json_t *e;
        if (!json_is_array(vendors)) return fail(err, len, "\"vendors\" is an array%s", "");
        json_array_foreach(vendors, i, e)
        {
            const char *s = json_string_value(e);
            if (!s || br_vendor_from_name(s) == BR_VENDOR_COUNT)
                return fail(err, len, "\"vendors\" holds zilliz, crdb, atlas%s", "");
        }
    }
    json_t *admin = json_object_get(p, "admin");
    if (admin && !json_is_boolean(admin)) {
        static const char *const fields[] = {"tokenEnv", NULL};
        if (!json_is_object(admin))
            return fail(err, len, "\"admin\" is true, false or {\"tokenEnv\": \"VAR\"}%s", "");
        if (!only_fields(admin, "admin", fields, err, len) ||
            !env_name(admin, "admin", "tokenEnv", err, len))
            return false;
    }
    json_t *ids = json_object_get(p, "ids");
    if (ids && (!json_is_object(ids) || !all_strings(ids)))
        return fail(err, len, "\"ids\" maps fixture names to real ids (strings)%s", "");
    json_t *creds = json_object_get(p, "credentials");
    if (creds && !json_is_object(creds))
        return fail(err, len, "\"credentials\" is an object%s", "");
    if (creds && !validate_credentials(creds, err, len)) return false;
    json_t *rl = json_object_get(p, "rateLimits");
    if (rl && !json_is_object(rl)) return fail(err, len, "\"rateLimits\" is an object%s", "");
    json_object_foreach(rl, k, v)
    {
        static const char *const fields[] = {"perSecond", NULL};
        char where[64];
        if (br_vendor_from_name(k) == BR_VENDOR_COUNT)
            return fail(err, len, "rateLimits: unknown vendor %s (zilliz, crdb, atlas)", k);
        snprintf(where, sizeof where, "rateLimits.%s", k);
        if (!json_is_object(v)) return fail(err, len, "rateLimits.%s is {\"perSecond\": N}", k);
        if (!only_fields(v, where, fields, err, len)) return false;
        if (!json_object_get(v, "perSecond"))
            return fail(err, len, "rateLimits.%s is {\"perSecond\": N}", k);
        if (!number_in(v, where, "perSecond", RATE_MIN, RATE_MAX, "requests per second", err, len))
            return false;
    }
    json_t *to = json_object_get(p, "timeouts");
    if (to) {
        static const char *const fields[] = {"request", "await", NULL};
        if (!json_is_object(to))
            return fail(err, len, "\"timeouts\" is {\"request\": seconds, \"await\": seconds}%s",
                        "");
        if (!only_fields(to, "timeouts", fields, err, len) ||
            !number_in(to, "timeouts", "request", REQUEST_MIN, REQUEST_MAX, "seconds", err, len) ||
            !number_in(to, "timeouts", "await", AWAIT_MIN, AWAIT_MAX, "seconds", err, len))
            return false;
    }
    json_t *poll = json_object_get(p, "poll");
    if (poll) {
        static const char *const fields[] = {"initial", "factor", "max", NULL};
        if (!json_is_object(poll))
            return fail(err, len, "\"poll\" is {\"initial\", \"factor\", \"max\"} (numbers)%s", "");
        if (!only_fields(poll, "poll", fields, err, len) ||
            !number_in(poll, "poll", "initial", POLL_MIN, POLL_MAX, "seconds", err, len) ||
            !number_in(poll, "poll", "factor", FACTOR_MIN, FACTOR_MAX, "", err, len) ||
            !number_in(poll, "poll", "max", POLL_MIN, POLL_MAX, "seconds", err, len))
            return false;
        double initial, factor, max;
        br_profile_poll(p, &initial, &factor, &max);
        if (max < initial) {
            snprintf(err, len, "poll.max (%g s) is below poll.initial (%g s%s)", max, initial,
                     json_object_get(poll, "initial") ? "" : ", the default");
            return false;
        }
    }
    json_t *skip = json_object_get(p, "skip");
    if (skip) {
        size_t i;
        json_t *e;
        if (!json_is_array(skip)) return fail(err, len, "\"skip\" is an array%s", "");
        json_array_foreach(skip, i, e)
        {
            static const char *const fields[] = {"fixture", "reason", NULL};
            char where[32];
            snprintf(where, sizeof where, "skip[%zu]", i);
            if (!json_is_string(json_object_get(e, "fixture")) ||
                !json_is_string(json_object_get(e, "reason")))
                return fail(err, len, "%s is {\"fixture\": \"id or pattern\", \"reason\": \"...\"}",
                            where);
            if (!only_fields(e, where, fields, err, len)) return false;
        }
    }
    json_t *urls = json_object_get(p, "baseUrls");
    if (urls) {
        size_t i;
        json_t *e;
        if (!json_is_array(urls)) return fail(err, len, "\"baseUrls\" is an array%s", "");
        json_array_foreach(urls, i, e)
        {
            const char *s = json_string_value(e);
            if (!s || (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0))
                return fail(err, len, "\"baseUrls\" holds http:// or https:// URLs%s", "");
        }
    }
    json_t *ls = json_object_get(p, "lockstep");
    if (ls && !json_is_boolean(ls)) return fail(err, len, "\"lockstep\" is true or false%s", "");
    return true;
}

json_t *br_profile_load(const char *path, char *err, size_t len)
{
    /* Opened here, not by jansson, so that a file that cannot be read says why (jansson
     * has no line to give then). */
    FILE *f = fopen(path, "r");
    if (!f) {
        snprintf(err, len, "%s: cannot read: %s", path, strerror(errno));
        return NULL;
    }
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        snprintf(err, len, "%s: cannot read: %s", path, strerror(EISDIR));
        return NULL;
    }
    json_error_t je;
    json_t *p = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
    fclose(f);
    if (!p) {
        if (je.line > 0)
            snprintf(err, len, "%s: %s (line %d)", path, je.text, je.line);
        else
            snprintf(err, len, "%s: %s", path, je.text);
        return NULL;
    }
    char msg[400];
    if (!br_profile_validate(p, msg, sizeof msg)) {
        snprintf(err, len, "%s: %s", path, msg);
        json_decref(p);
        return NULL;
    }
    return p;
}

const char *br_profile_behaviour(const json_t *p)
{
    const char *b = json_string_value(json_object_get(p, "behaviour"));
    return b ? b : "default";
}

int br_profile_admin(const json_t *p)
{
    json_t *a = json_object_get(p, "admin");
    if (!a) return -1;
    return json_is_false(a) ? 0 : 1;
}

const char *br_profile_admin_token(const json_t *p)
{
    const char *var = json_string_value(json_object_get(json_object_get(p, "admin"), "tokenEnv"));
    const char *v = var ? getenv(var) : NULL;
    if (!v || !*v) v = getenv("BRCHECK_ADMIN_TOKEN");
    return v && *v ? v : "admin-demo-token";
}

const char *br_profile_id(const json_t *p, const char *name)
{
    return name ? json_string_value(json_object_get(json_object_get(p, "ids"), name)) : NULL;
}

const char *br_profile_id_reverse(const json_t *p, const char *real)
{
    const char *k;
    json_t *v;
    if (!real) return NULL;
    json_object_foreach(json_object_get(p, "ids"), k, v)
    {
        if (strcmp(json_string_value(v), real) == 0) return k;
    }
    return NULL;
}

static const char *env_of(const json_t *c, const char *field, const char **missing)
{
    const char *var = json_string_value(json_object_get(c, field));
    const char *v = var ? getenv(var) : NULL;
    if (!v || !*v) {
        *missing = var;
        return NULL;
    }
    return v;
}

bool br_profile_bearer(const json_t *p, const char *key, const char **token, const char **missing)
{
    const char *dummy;
    if (!missing) missing = &dummy;
    *missing = NULL;
    json_t *c = key ? json_object_get(json_object_get(p, "credentials"), key) : NULL;
    if (!c || !json_object_get(c, "bearerEnv")) return false;
    *token = env_of(c, "bearerEnv", missing);
    return *token != NULL;
}

bool br_profile_digest(const json_t *p, const char *key, const char **user, const char **pass,
                       const char **missing)
{
    const char *dummy;
    if (!missing) missing = &dummy;
    *missing = NULL;
    json_t *c = key ? json_object_get(json_object_get(p, "credentials"), key) : NULL;
    if (!c || !json_object_get(c, "publicEnv")) return false;
    *user = env_of(c, "publicEnv", missing);
    *pass = *user ? env_of(c, "privateEnv", missing) : NULL;
    return *user && *pass;
}

const char *br_profile_unset_credential(const json_t *p, const char *key, bool digest)
{
    json_t *c = key ? json_object_get(json_object_get(p, "credentials"), key) : NULL;
    static const char *const bearer[] = {"bearerEnv", NULL}, *const pair[] = {"publicEnv",
                                                                              "privateEnv", NULL};
    const char *const *fields = digest ? pair : bearer;
    if (!c || !json_object_get(c, fields[0])) return NULL;
    for (size_t i = 0; fields[i]; i++) {
        const char *var = json_string_value(json_object_get(c, fields[i]));
        const char *v = var ? getenv(var) : NULL;
        if (!v || !*v) return var;
    }
    return NULL;
}

double br_profile_rate(const json_t *p, const char *vendor)
{
    json_t *v =
        json_object_get(json_object_get(json_object_get(p, "rateLimits"), vendor), "perSecond");
    return json_is_number(v) ? json_number_value(v) : 0;
}

double br_profile_timeout(const json_t *p, const char *which)
{
    json_t *v = json_object_get(json_object_get(p, "timeouts"), which);
    if (json_is_number(v)) return json_number_value(v); /* in range: validated */
    return strcmp(which, "await") == 0 ? 1800 : 30;
}

void br_profile_poll(const json_t *p, double *initial, double *factor, double *max)
{
    json_t *o = json_object_get(p, "poll");
    json_t *i = json_object_get(o, "initial"), *f = json_object_get(o, "factor"),
           *m = json_object_get(o, "max");
    /* in range when present: validated */
    *initial = json_is_number(i) ? json_number_value(i) : 1;
    *factor = json_is_number(f) ? json_number_value(f) : 2;
    *max = json_is_number(m) ? json_number_value(m) : 30;
}

bool br_profile_skip(const json_t *p, const char *fixture_id, const char *vendor, char *reason,
                     size_t len)
{
    json_t *vendors = json_object_get(p, "vendors");
    if (vendors && vendor) {
        bool spoken = false;
        size_t i;
        json_t *e;
        json_array_foreach(vendors, i, e)
        {
            spoken = spoken || strcmp(json_string_value(e), vendor) == 0;
        }
        if (!spoken) {
            snprintf(reason, len, "the endpoint does not speak %s (profile \"vendors\")", vendor);
            return true;
        }
    }
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(p, "skip"), i, e)
    {
        const char *pat = json_string_value(json_object_get(e, "fixture"));
        if (pat && fixture_id && fnmatch(pat, fixture_id, 0) == 0) {
            snprintf(reason, len, "%s", json_string_value(json_object_get(e, "reason")));
            return true;
        }
    }
    return false;
}

size_t br_profile_base_urls(const json_t *p, const char **out, size_t max)
{
    size_t n = 0, i;
    json_t *e;
    json_array_foreach(json_object_get(p, "baseUrls"), i, e)
    {
        if (n < max && json_is_string(e)) out[n++] = json_string_value(e);
    }
    return n;
}

int br_profile_lockstep(const json_t *p)
{
    json_t *v = json_object_get(p, "lockstep");
    return v ? json_is_true(v) : -1;
}
