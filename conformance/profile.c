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

static bool number_or_absent(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return !v || (json_is_number(v) && json_number_value(v) >= 0);
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
    if (admin && !json_is_boolean(admin) &&
        !(json_is_object(admin) && (!json_object_get(admin, "tokenEnv") ||
                                    json_is_string(json_object_get(admin, "tokenEnv")))))
        return fail(err, len, "\"admin\" is true, false or {\"tokenEnv\": \"VAR\"}%s", "");
    json_t *ids = json_object_get(p, "ids");
    if (ids && (!json_is_object(ids) || !all_strings(ids)))
        return fail(err, len, "\"ids\" maps fixture names to real ids (strings)%s", "");
    json_object_foreach(json_object_get(p, "credentials"), k, v)
    {
        if (!json_is_object(v) || !all_strings(v))
            return fail(err, len, "credentials for \"%s\": an object of variable names", k);
        bool bearer = json_object_get(v, "bearerEnv") != NULL;
        bool digest = json_object_get(v, "publicEnv") && json_object_get(v, "privateEnv");
        if (!bearer && !digest)
            return fail(err, len, "credentials for \"%s\": bearerEnv, or publicEnv and privateEnv",
                        k);
    }
    json_t *creds = json_object_get(p, "credentials");
    if (creds && !json_is_object(creds))
        return fail(err, len, "\"credentials\" is an object%s", "");
    json_t *rl = json_object_get(p, "rateLimits");
    if (rl && !json_is_object(rl)) return fail(err, len, "\"rateLimits\" is an object%s", "");
    json_object_foreach(rl, k, v)
    {
        if (br_vendor_from_name(k) == BR_VENDOR_COUNT)
            return fail(err, len, "rateLimits: unknown vendor %s", k);
        if (!json_is_object(v) || !number_or_absent(v, "perSecond"))
            return fail(err, len, "rateLimits.%s is {\"perSecond\": N}", k);
    }
    json_t *to = json_object_get(p, "timeouts");
    if (to &&
        (!json_is_object(to) || !number_or_absent(to, "request") || !number_or_absent(to, "await")))
        return fail(err, len, "\"timeouts\" is {\"request\": seconds, \"await\": seconds}%s", "");
    json_t *poll = json_object_get(p, "poll");
    if (poll && (!json_is_object(poll) || !number_or_absent(poll, "initial") ||
                 !number_or_absent(poll, "factor") || !number_or_absent(poll, "max")))
        return fail(err, len, "\"poll\" is {\"initial\", \"factor\", \"max\"} (numbers)%s", "");
    json_t *skip = json_object_get(p, "skip");
    if (skip) {
        size_t i;
        json_t *e;
        if (!json_is_array(skip)) return fail(err, len, "\"skip\" is an array%s", "");
        json_array_foreach(skip, i, e)
        {
            if (!json_is_string(json_object_get(e, "fixture")) ||
                !json_is_string(json_object_get(e, "reason")))
                return fail(err, len, "each \"skip\" entry is {\"fixture\", \"reason\"}%s", "");
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
    char msg[256];
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

double br_profile_rate(const json_t *p, const char *vendor)
{
    json_t *v =
        json_object_get(json_object_get(json_object_get(p, "rateLimits"), vendor), "perSecond");
    return json_is_number(v) ? json_number_value(v) : 0;
}

double br_profile_timeout(const json_t *p, const char *which)
{
    json_t *v = json_object_get(json_object_get(p, "timeouts"), which);
    if (json_is_number(v) && json_number_value(v) > 0) return json_number_value(v);
    return strcmp(which, "await") == 0 ? 1800 : 30;
}

void br_profile_poll(const json_t *p, double *initial, double *factor, double *max)
{
    json_t *o = json_object_get(p, "poll");
    json_t *i = json_object_get(o, "initial"), *f = json_object_get(o, "factor"),
           *m = json_object_get(o, "max");
    *initial = json_is_number(i) && json_number_value(i) > 0 ? json_number_value(i) : 1;
    *factor = json_is_number(f) && json_number_value(f) >= 1 ? json_number_value(f) : 2;
    *max = json_is_number(m) && json_number_value(m) > 0 ? json_number_value(m) : 30;
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
