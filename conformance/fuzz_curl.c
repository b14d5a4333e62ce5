/* The curl script written beside a fuzz finding (br_fuzz_curl_script): a POSIX shell
 * script that replays a fixture against `brcheck serve` without brcheck, so the finding can
 * be shown to whoever owns the target. */
#include "fuzz_run.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
    char *s;
    size_t n, cap;
} sbuf;

static void put(sbuf *b, const char *text, size_t len)
{
    if (!b->s && b->cap) return; /* an earlier allocation failed */
    if (b->n + len + 1 > b->cap) {
        size_t ncap = (b->cap ? b->cap : 4096);
        while (ncap < b->n + len + 1)
            ncap *= 2;
        char *ns = realloc(b->s, ncap);
        if (!ns) {
            free(b->s);
            b->s = NULL;
            b->cap = 1;
            return;
        }
        b->s = ns;
        b->cap = ncap;
    }
    memcpy(b->s + b->n, text, len);
    b->n += len;
    b->s[b->n] = '\0';
}

static void puts_(sbuf *b, const char *text)
{
    put(b, text, strlen(text));
}

static void printf_(sbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void printf_(sbuf *b, const char *fmt, ...)
{
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n > 0) put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Text for a double-quoted shell word or an unquoted here-document: \, `, " and $ escaped,
 * except ${name} references to captured shell variables. */
static void shell_text(sbuf *b, const char *s, bool quote)
{
    for (; *s; s++) {
        if (s[0] == '$' && s[1] == '{') {
            size_t l = strcspn(s + 2, "}");
            bool name = s[2 + l] == '}' && l > 0;
            for (size_t i = 0; i < l && name; i++)
                name = (s[2 + i] >= 'a' && s[2 + i] <= 'z') ||
                       (s[2 + i] >= '0' && s[2 + i] <= '9') || s[2 + i] == '_';
            if (name) {
                put(b, s, l + 3);
                s += l + 2;
                continue;
            }
        }
        if (*s == '\\' || *s == '`' || *s == '$' || (quote && *s == '"')) put(b, "\\", 1);
        put(b, s, 1);
    }
}

/* jq paths of every "$capture:name" in an expectation. */
static void captures_of(sbuf *b, const json_t *v, const char *jq)
{
    const char *k;
    json_t *e;
    size_t i;
    char sub[600];
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, e)
        {
            snprintf(sub, sizeof sub, "%s[\"%s\"]", jq, k);
            captures_of(b, e, sub);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            snprintf(sub, sizeof sub, "%s[%zu]", jq, i);
            captures_of(b, e, sub);
        }
    } else if (json_is_string(v) && strncmp(json_string_value(v), "$capture:", 9) == 0) {
        printf_(b, "%s=$(jq -r '.%s' \"$out\")\n", json_string_value(v) + 9, jq);
    }
}

char *br_fuzz_curl_script(const json_t *fixture, const char *mutant)
{
    sbuf b = {0};
    const char *id = json_string_value(json_object_get(fixture, "id"));
    printf_(
        &b,
        "#!/bin/sh\n"
        "# Replays fixture %s with curl against the mock server:\n"
        "#   brcheck serve --listen 127.0.0.1:8080%s%s &\n"
        "#   BRCHECK_URL=http://127.0.0.1:8080 sh %s.sh\n"
        "# Prints every answer and the status the faithful model gives; exit 1 when a status\n"
        "# differs. Needs curl and jq.\n"
        "set -u\n"
        "URL=${BRCHECK_URL:-http://127.0.0.1:8080}\n"
        "ADMIN=${BRCHECK_ADMIN_TOKEN:-admin-demo-token}\n"
        "out=$(mktemp)\n"
        "trap 'rm -f \"$out\"' EXIT\n"
        "differs=0\n"
        "admin() { curl -sS -X \"$1\" -H \"Authorization: Bearer $ADMIN\" "
        "-H 'Content-Type: application/json' --data-binary @- \"$URL/_brcheck/v1/$2\"; echo; }\n"
        "check() { echo \"-> HTTP $code\"; cat \"$out\"; echo; [ \"$code\" = \"$1\" ] || "
        "{ echo \"   the faithful model answers HTTP $1\"; differs=1; }\n"
        "  [ $# -lt 3 ] || [ \"$(jq -r \"$2\" \"$out\")\" = \"$3\" ] || "
        "{ echo \"   the faithful model answers $2 = $3\"; differs=1; }; }\n\n",
        id ? id : "", mutant ? " --mutant " : "", mutant ? mutant : "", id ? id : "fixture");
    const char *profile = json_string_value(json_object_get(fixture, "profile"));
    printf_(&b, "admin PUT 'world?profile=%s' <<'WORLD'\n", profile ? profile : "default");
    char *world = json_dumps(json_object_get(fixture, "given"), JSON_COMPACT);
    puts_(&b, world ? world : "{}");
    free(world);
    puts_(&b, "\nWORLD\n");
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(fixture, "steps"), i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        printf_(&b, "\necho '# step %zu: %s'\n", i + 1, name ? name : "");
        const json_t *r = json_object_get(s, "request");
        if (r) {
            const char *method = json_string_value(json_object_get(r, "method"));
            const char *path = json_string_value(json_object_get(r, "path"));
            const char *key = json_string_value(json_object_get(r, "key"));
            const char *ip = json_string_value(json_object_get(r, "callerIp"));
            const json_t *body = json_object_get(r, "body");
            printf_(&b, "code=$(curl -sS -o \"$out\" -w '%%{http_code}' -X %s", method);
            if (key && path && strncmp(path, "/api/atlas/", 11) == 0) {
                puts_(&b, " --digest -u \"");
                shell_text(&b, key, true);
                puts_(&b, ":");
                shell_text(&b, key, true);
                puts_(&b, "\"");
            } else if (key) {
                puts_(&b, " -H \"Authorization: Bearer ");
                shell_text(&b, key, true);
                puts_(&b, "\"");
            }
            const char *hk;
            json_t *hv;
            json_object_foreach((json_t *)json_object_get(r, "headers"), hk, hv)
            {
                puts_(&b, " -H \"");
                shell_text(&b, hk, true);
                puts_(&b, ": ");
                shell_text(&b, json_string_value(hv) ? json_string_value(hv) : "", true);
                puts_(&b, "\"");
            }
            if (ip) {
                puts_(&b, " -H \"X-Brcheck-Caller-Ip: ");
                shell_text(&b, ip, true);
                puts_(&b, "\" -H \"X-Brcheck-Admin-Token: $ADMIN\"");
            }
            const char *raw = json_string_value(json_object_get(r, "bodyRaw"));
            if (body || raw) puts_(&b, " -H 'Content-Type: application/json' --data-binary @-");
            puts_(&b, " \"$URL");
            shell_text(&b, path ? path : "/", true);
            puts_(&b, "\")");
            if (body) {
                char *text = json_dumps(body, JSON_ENCODE_ANY | JSON_COMPACT);
                puts_(&b, " <<BODY\n");
                shell_text(&b, text ? text : "null", false);
                puts_(&b, "\nBODY\n");
                free(text);
            } else if (raw) {
                puts_(&b, " <<'BODY'\n");
                puts_(&b, raw);
                puts_(&b, "\nBODY\n");
            } else {
                puts_(&b, "\n");
            }
            const json_t *expect = json_object_get(s, "expect");
            const json_t *eb = json_object_get(expect, "body");
            const json_t *ec = json_object_get(eb, "code");
            const json_t *ea = json_object_get(eb, "errorCode");
            printf_(&b, "check %d", (int)json_integer_value(json_object_get(expect, "status")));
            if (json_is_integer(ec))
                printf_(&b, " .code %lld", (long long)json_integer_value(ec));
            else if (json_is_string(ea) && json_string_value(ea)[0] != '$')
                printf_(&b, " .errorCode %s", json_string_value(ea));
            puts_(&b, "\n");
            captures_of(&b, json_object_get(expect, "body"), "");
        } else if (json_object_get(s, "advance")) {
            char *adv = json_dumps(json_object_get(s, "advance"), JSON_ENCODE_ANY);
            printf_(&b, "admin POST clock <<'JSON'\n{\"advance\": %s}\nJSON\n", adv ? adv : "0");
            free(adv);
        } else if (json_object_get(s, "sim")) {
            char *op = json_dumps(json_object_get(s, "sim"), JSON_COMPACT);
            puts_(&b, "admin POST sim <<JSON\n");
            shell_text(&b, op ? op : "{}", false);
            puts_(&b, "\nJSON\n");
            free(op);
        } else if (json_object_get(s, "inspect")) {
            const json_t *ins = json_object_get(s, "inspect");
            char *want = json_dumps(json_object_get(ins, "expect"), JSON_ENCODE_ANY | JSON_COMPACT);
            puts_(&b, "echo '# the faithful model has: ");
            shell_text(&b, want ? want : "", false);
            puts_(&b, "'\ncurl -sS -H \"Authorization: Bearer $ADMIN\" \"$URL/_brcheck/v1/world\" "
                      "| jq -c --arg p \"");
            shell_text(&b, json_string_value(json_object_get(ins, "path")), true);
            puts_(&b, "\" 'getpath($p | ltrimstr(\"/\") | split(\"/\"))'\n");
            free(want);
        }
    }
    puts_(&b, "\nexit $differs\n");
    return b.s;
}
