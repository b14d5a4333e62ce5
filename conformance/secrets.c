/* SEC-SECRETS: the names that hold secrets and the redaction of JSON values (secrets.h). */
#include "secrets.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

bool br_secret_key(const char *k)
{
    static const char *const names[] = {"password",      "privateKey", "secret", "apiKey",
                                        "authorization", "token",      NULL};
    for (size_t i = 0; k && names[i]; i++)
        if (strcasecmp(k, names[i]) == 0) return true;
    return false;
}

bool br_secret_name(const char *name)
{
    /* compared without case and without '-', '_' and '.': X-Api-Key, api_key, apikey */
    static const char *const parts[] = {"authoriz",   "authentic",  "xauth",  "token",
                                        "secret",     "password",   "passwd", "apikey",
                                        "accesskey",  "privatekey", "cookie", "session",
                                        "credential", "signature",  NULL};
    if (!name) return false;
    char flat[128];
    size_t o = 0;
    for (const char *p = name; *p && o + 1 < sizeof flat; p++)
        if (*p != '-' && *p != '_' && *p != '.') flat[o++] = (char)tolower((unsigned char)*p);
    flat[o] = '\0';
    for (size_t i = 0; parts[i]; i++)
        if (strstr(flat, parts[i])) return true;
    return strcmp(flat, "auth") == 0 || strcmp(flat, "key") == 0 || strcmp(flat, "sig") == 0;
}

void br_redact(json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, e)
        {
            if (br_secret_key(k) && json_is_string(e))
                json_object_set_new(v, k, json_string(BR_REDACTED));
            else
                br_redact(e);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e) br_redact(e);
    }
}

/* The text an expected string under a secret key is shown as; NULL: as it is. */
static const char *expected_shown(const char *s)
{
    if (s[0] != '$' || s[1] == '{') return BR_REDACTED;
    if (strncmp(s, "$eq:", 4) == 0) return "$eq:" BR_REDACTED;
    if (strncmp(s, "$ne:", 4) == 0) return "$ne:" BR_REDACTED;
    if (strncmp(s, "$oneOf:", 7) == 0) return "$oneOf:" BR_REDACTED;
    return NULL;
}

void br_redact_expected(json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_object(v)) {
        json_object_foreach(v, k, e)
        {
            const char *shown =
                br_secret_key(k) && json_is_string(e) ? expected_shown(json_string_value(e)) : NULL;
            if (shown)
                json_object_set_new(v, k, json_string(shown));
            else
                br_redact_expected(e);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e) br_redact_expected(e);
    }
}

json_t *br_redacted_copy(const char *key, const json_t *v)
{
    if (!v) return NULL;
    if (br_secret_key(key) && json_is_string(v)) return json_string(BR_REDACTED);
    json_t *copy = json_deep_copy(v);
    br_redact(copy);
    return copy;
}

bool br_digest_literal_user(const json_t *given, const char *value, char *user, size_t len)
{
    if (!value || strncasecmp(value, "Digest ", 7) != 0) return false;
    const char *u = strstr(value, "username=\"");
    if (!u) return false;
    u += 10;
    size_t n = strcspn(u, "\"");
    if (n == 0 || n >= len || u[n] != '"') return false;
    memcpy(user, u, n);
    user[n] = '\0';
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(given, "keys"), i, k)
    {
        const char *name = json_string_value(json_object_get(k, "key"));
        if (name && strcmp(name, user) == 0) return true;
    }
    return false;
}
