/* The curl script written beside a fuzz finding (br_fuzz_curl_script): a POSIX shell
 * script that replays a fixture against `brcheck serve` without brcheck, so the finding can
 * be shown to whoever owns the target.
 *
 * Every value taken from the fixture is written single-quoted (a ' as '\''), or as the one
 * line of a here-document whose delimiter a compact JSON text cannot be; bodies go to curl
 * from a file written with printf '%s', so they arrive byte for byte. The script judges what
 * `brcheck run --target URL` judges: each answer against the whole expectation (status,
 * body with matchers, headers), INV-ATOMIC around refusals, the server's invariant check,
 * simulator refusals and inspect steps; python3 does the JSON, captures included. */
#include "fuzz_run.h"
#include "secrets.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

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

/* s as one single-quoted shell word: nothing in it is expanded, whatever bytes it holds. */
static void sq(sbuf *b, const char *s)
{
    put(b, "'", 1);
    for (const char *p = s ? s : ""; *p; p++) {
        if (*p == '\'')
            puts_(b, "'\\''");
        else
            put(b, p, 1);
    }
    put(b, "'", 1);
}

/* " WORD": a space, then s single-quoted. */
static void arg(sbuf *b, const char *s)
{
    put(b, " ", 1);
    sq(b, s);
}

/* A word that is s with the captures of earlier answers filled in at run time: single-quoted
 * when s names none, else "$(fill 's')". */
static void filled(sbuf *b, const char *s)
{
    put(b, " ", 1);
    if (!strstr(s, "${")) {
        sq(b, s);
        return;
    }
    puts_(b, "\"$(fill ");
    sq(b, s);
    puts_(b, ")\"");
}

/* s for a comment line: control characters (a newline would end the comment) as '?'. */
static void comment(sbuf *b, const char *s)
{
    for (const char *p = s ? s : ""; *p; p++)
        put(b, (unsigned char)*p < 0x20 || *p == 0x7f ? "?" : p, 1);
}

/* JSON text of v (compact, keys in their order); owned, "null" when it cannot be written. */
static char *compact(const json_t *v)
{
    char *text = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    return text ? text : strdup("null");
}

/* The secret the server holds for an Atlas key (its name when the world gives none). */
static const char *secret_of(const json_t *given, const char *key)
{
    size_t i;
    json_t *k;
    json_array_foreach(json_object_get(given, "keys"), i, k)
    {
        const char *name = json_string_value(json_object_get(k, "key"));
        const char *secret = json_string_value(json_object_get(k, "secret"));
        if (name && secret && strcmp(name, key) == 0) return secret;
    }
    return key;
}

/* The request's body into $tmp/request, byte for byte (printf '%s' adds nothing). */
static void request_body(sbuf *b, const json_t *r)
{
    const json_t *body = json_object_get(r, "body");
    const char *raw = json_string_value(json_object_get(r, "bodyRaw"));
    if (body) {
        char *text = compact(body);
        puts_(b, strstr(text, "${") ? "fill_json" : "printf '%s'");
        arg(b, text);
        free(text);
    } else if (raw) {
        puts_(b, "printf '%s'");
        arg(b, raw);
    } else {
        puts_(b, ":");
    }
    puts_(b, " >\"$tmp/request\"\n");
}

static void request_step(sbuf *b, const json_t *given, const json_t *s, bool atlas_vendor)
{
    const json_t *r = json_object_get(s, "request");
    const char *method = json_string_value(json_object_get(r, "method"));
    const char *path = json_string_value(json_object_get(r, "path"));
    const char *key = json_string_value(json_object_get(r, "key"));
    const char *ip = json_string_value(json_object_get(r, "callerIp"));
    method = method ? method : "GET";
    path = path ? path : "/";
    bool body = json_object_get(r, "body") || json_object_get(r, "bodyRaw");
    bool data = body || strcmp(method, "POST") == 0; /* a POST without a body: Content-Length 0 */
    if (data) request_body(b, r);
    puts_(b, "send");
    arg(b, method);
    arg(b, path);
    bool atlas = atlas_vendor || strncmp(path, "/api/atlas/", 11) == 0;
    char user[128] = "";
    bool content_type = false;
    const char *hk;
    json_t *hv;
    json_object_foreach((json_t *)json_object_get(r, "headers"), hk, hv)
    {
        const char *v = json_string_value(hv);
        if (!v) continue;
        if (!key && strcasecmp(hk, "Authorization") == 0 &&
            br_digest_literal_user(given, v, user, sizeof user))
            continue;
        content_type = content_type || strcasecmp(hk, "Content-Type") == 0;
        size_t n = strlen(hk) + strlen(v) + 3;
        char *line = malloc(n);
        if (!line) continue;
        /* curl sends "Name;" as a header with an empty value ("Name:" removes it) */
        snprintf(line, n, *v ? "%s: %s" : "%s;", hk, v);
        puts_(b, " -H");
        filled(b, line);
        free(line);
    }
    /* only the headers the fixture names, as `brcheck run` sends them */
    if (!content_type) puts_(b, " -H 'Content-Type:'");
    if (key && !atlas) {
        size_t n = strlen(key) + 32;
        char *line = malloc(n);
        if (line) {
            snprintf(line, n, "Authorization: Bearer %s", key);
            puts_(b, " -H");
            filled(b, line);
            free(line);
        }
    } else if (key || user[0]) {
        const char *who = key ? key : user;
        const char *secret = secret_of(given, who);
        if (strstr(path, "envelope=true")) {
            puts_(b, " -H \"$(digest_auth");
            arg(b, method);
            arg(b, path);
            arg(b, who);
            arg(b, secret);
            puts_(b, ")\"");
        } else {
            size_t n = strlen(who) + strlen(secret) + 2;
            char *cred = malloc(n);
            if (cred) {
                snprintf(cred, n, "%s:%s", who, secret);
                puts_(b, " --digest -u");
                filled(b, cred);
                free(cred);
            }
        }
    }
    if (ip && strcmp(ip, "127.0.0.1") != 0) {
        size_t n = strlen(ip) + 32;
        char *line = malloc(n);
        if (line) {
            snprintf(line, n, "X-Brcheck-Caller-Ip: %s", ip);
            puts_(b, " -H");
            filled(b, line);
            free(line);
        }
        puts_(b, " -H \"X-Brcheck-Admin-Token: $ADMIN\"");
    }
    if (data) puts_(b, " --data-binary @\"$tmp/request\"");
    puts_(b, "\n");
    const json_t *expect = json_object_get(s, "expect");
    if (expect) {
        char *text = compact(expect);
        puts_(b, "expect");
        arg(b, text);
        puts_(b, "\n");
        free(text);
    }
}

static const char header[] =
    "# Each answer is printed and compared with what the faithful model answered when the\n"
    "# fixture was written, as `brcheck run --target $BRCHECK_URL` compares it: the status, the\n"
    "# body (with the matchers of fixtures/README.md; ${name} is an id captured from an earlier\n"
    "# answer) and the headers the fixture names (a link's http://host part aside). An answer\n"
    "# that refuses must leave the world as it was (GET /_brcheck/v1/digest before and after),\n"
    "# the server's invariant check (GET /_brcheck/v1/check) must hold after every step, a\n"
    "# simulator operation is refused exactly when the model refused it, and an inspect step\n"
    "# compares the server's world (GET /_brcheck/v1/world) at a JSON pointer.\n"
    "#\n"
    "# Exit status: 0 no difference (the divergence is not reproduced)\n"
    "#              1 the divergence is reproduced (each difference is printed as DIFFERS)\n"
    "#              2 set-up failed: the server is unreachable or not brcheck serve, the admin\n"
    "#                API refuses the token, loading the world or moving the clock failed\n"
    "#              3 cannot judge: no python3, the answers and expectations are printed\n"
    "# Needs curl and python3 (python3 reads the JSON: captures and comparisons). Environment:\n"
    "# BRCHECK_URL (default http://127.0.0.1:8080), BRCHECK_ADMIN_TOKEN (the server's\n"
    "# --admin-token, default admin-demo-token), BRCHECK_PYTHON (default: python3 on the PATH;\n"
    "# empty: none). Every value from the fixture is single-quoted: nothing in it is expanded.\n";

static const char prelude[] =
    "set -u\n"
    "URL=${BRCHECK_URL:-http://127.0.0.1:8080}\n"
    "ADMIN=${BRCHECK_ADMIN_TOKEN:-admin-demo-token}\n"
    "tmp=$(mktemp -d) || exit 2\n"
    "trap 'rm -rf \"$tmp\"' EXIT\n"
    "differs=0    # a difference from the faithful model was seen\n"
    "unjudged=0   # an answer could not be compared (no python3)\n"
    "\n"
    "setup_failed() { echo \"SET-UP FAILED: $*\" >&2; exit 2; }\n"
    "differ() { echo \"   DIFFERS: $*\"; differs=1; }\n"
    "\n"
    "# admin METHOD CALL [FILE]: the admin API (body from FILE); anything but HTTP 2xx stops here\n"
    "admin() {\n"
    "  a_method=$1 a_call=$2\n"
    "  shift 2\n"
    "  [ $# -eq 0 ] || set -- -H 'Content-Type: application/json' --data-binary @\"$1\"\n"
    "  a_status=$(curl -gsS -o \"$tmp/admin\" -w '%{http_code}' -X \"$a_method\" -H 'Expect:' \\\n"
    "    -H \"Authorization: Bearer $ADMIN\" \"$@\" \"$URL/_brcheck/v1/$a_call\") ||\n"
    "    setup_failed \"cannot reach brcheck serve at $URL (set BRCHECK_URL)\"\n"
    "  case $a_status in\n"
    "  2[0-9][0-9]) ;;\n"
    "  401 | 403) setup_failed \"$a_method /_brcheck/v1/$a_call: HTTP $a_status, the admin API "
    "refuses\" \\\n"
    "    \"the token (set BRCHECK_ADMIN_TOKEN to the server's --admin-token): $(cat "
    "\"$tmp/admin\")\" ;;\n"
    "  *) setup_failed \"$a_method /_brcheck/v1/$a_call: HTTP $a_status $(cat \"$tmp/admin\")\" "
    ";;\n"
    "  esac\n"
    "}\n"
    "\n"
    "# fill TEXT / fill_json TEXT: TEXT with each ${name} captured from an earlier answer "
    "replaced\n"
    "fill() {\n"
    "  case $1 in\n"
    "  *'${'*) if [ -n \"$py\" ]; then printf '%s' \"$1\" | \"$py\" \"$tmp/judge.py\" fill "
    "\"$tmp\"; else\n"
    "    printf '%s' \"$1\"; fi ;;\n"
    "  *) printf '%s' \"$1\" ;;\n"
    "  esac\n"
    "}\n"
    "fill_json() {\n"
    "  case $1 in\n"
    "  *'${'*) if [ -n \"$py\" ]; then printf '%s' \"$1\" | \"$py\" \"$tmp/judge.py\" fill-json "
    "\"$tmp\"; else\n"
    "    printf '%s' \"$1\"; fi ;;\n"
    "  *) printf '%s' \"$1\" ;;\n"
    "  esac\n"
    "}\n"
    "\n"
    "# advance SECONDS: the server's clock moves on (a number, or a JSON string such as \"30m\")\n"
    "advance() {\n"
    "  printf '{\"advance\":%s}' \"$1\" >\"$tmp/request\"\n"
    "  admin POST clock \"$tmp/request\"\n"
    "  echo \"the clock moves on by $1\"\n"
    "}\n"
    "\n"
    "step() { printf '\\n# step %s: %s\\n' \"$1\" \"$2\"; }\n"
    "\n"
    "# invariants: the server's own invariant check must hold after every step\n"
    "invariants() {\n"
    "  admin GET check\n"
    "  case $(cat \"$tmp/admin\") in *'\"ok\":false'*) differ \"invariant check: $(cat "
    "\"$tmp/admin\")\" ;; esac\n"
    "}\n"
    "\n"
    "# send METHOD PATH [curl options]: one request, the body (if any) from $tmp/request; the\n"
    "# answer to $tmp/status, $tmp/headers and $tmp/answer, the world's digest before and after\n"
    "send() {\n"
    "  s_method=$1\n"
    "  fill \"$2\" >\"$tmp/path\"\n"
    "  shift 2\n"
    "  admin GET digest\n"
    "  cp \"$tmp/admin\" \"$tmp/before\"\n"
    "  if [ \"$s_method\" = HEAD ]; then set -- --head \"$@\"; else set -- -X \"$s_method\" "
    "\"$@\"; fi\n"
    "  s_status=$(curl -gsS -o \"$tmp/answer\" -D \"$tmp/headers\" -w '%{http_code}' -H 'Accept:' "
    "\\\n"
    "    -H 'Expect:' \"$@\" \"$URL$(cat \"$tmp/path\")\") ||\n"
    "    setup_failed \"cannot reach brcheck serve at $URL (set BRCHECK_URL)\"\n"
    "  [ \"$s_method\" != HEAD ] || : >\"$tmp/answer\"\n"
    "  printf '%s' \"$s_status\" >\"$tmp/status\"\n"
    "  admin GET digest\n"
    "  cp \"$tmp/admin\" \"$tmp/after\"\n"
    "  echo \"$s_method $(cat \"$tmp/path\") -> HTTP $s_status\"\n"
    "  cat \"$tmp/answer\"\n"
    "  echo\n"
    "}\n"
    "\n"
    "# digest_auth METHOD PATH USER PASSWORD: an Authorization header answering the server's\n"
    "# Digest challenge, for an Atlas ?envelope=true call (curl --digest cannot answer a\n"
    "# challenge wrapped in an HTTP 200)\n"
    "digest_auth() {\n"
    "  curl -sS -o /dev/null -D \"$tmp/challenge\" \"$URL/api/atlas/v1.0/groups\" ||\n"
    "    setup_failed \"cannot reach brcheck serve at $URL (set BRCHECK_URL)\"\n"
    "  if [ -n \"$py\" ]; then \"$py\" \"$tmp/judge.py\" digest \"$tmp\" \"$1\" \"$(fill \"$2\")\" "
    "\"$3\" \"$4\"; else\n"
    "    echo 'X-No-Python3: cannot answer a Digest challenge'; fi\n"
    "}\n"
    "\n"
    "# expect EXPECTATION: the answer against what the faithful model answered "
    "(fixtures/README.md:\n"
    "# status, body with matchers, the headers named); an answer that refuses must not change the "
    "world\n"
    "expect() {\n"
    "  printf '%s' \"$1\" >\"$tmp/expect.json\"\n"
    "  if [ -z \"$py\" ]; then\n"
    "    echo \"   the faithful model answers: $1\"\n"
    "    unjudged=1\n"
    "  elif ! \"$py\" \"$tmp/judge.py\" expect \"$tmp\"; then\n"
    "    echo \"   the faithful model answers: $1\"\n"
    "    differs=1\n"
    "  fi\n"
    "}\n"
    "\n"
    "# sim OPERATION accepted|refused: a simulator operation, refused exactly when the model "
    "refused it\n"
    "sim() {\n"
    "  fill_json \"$1\" >\"$tmp/request\"\n"
    "  admin GET digest\n"
    "  cp \"$tmp/admin\" \"$tmp/before\"\n"
    "  s_status=$(curl -sS -o \"$tmp/answer\" -w '%{http_code}' -X POST -H 'Expect:' \\\n"
    "    -H \"Authorization: Bearer $ADMIN\" -H 'Content-Type: application/json' \\\n"
    "    --data-binary @\"$tmp/request\" \"$URL/_brcheck/v1/sim\") ||\n"
    "    setup_failed \"cannot reach brcheck serve at $URL (set BRCHECK_URL)\"\n"
    "  case $s_status in\n"
    "  2[0-9][0-9]) s_got=accepted ;;\n"
    "  401 | 403) setup_failed \"POST /_brcheck/v1/sim: HTTP $s_status, the admin API refuses the "
    "token\" ;;\n"
    "  4[0-9][0-9]) s_got=refused ;;\n"
    "  *) setup_failed \"POST /_brcheck/v1/sim: HTTP $s_status $(cat \"$tmp/answer\")\" ;;\n"
    "  esac\n"
    "  admin GET digest\n"
    "  echo \"sim $(cat \"$tmp/request\") -> HTTP $s_status $(cat \"$tmp/answer\")\"\n"
    "  [ \"$s_got\" = \"$2\" ] || differ \"the server $s_got the operation, the faithful model $2 "
    "it\"\n"
    "  [ \"$s_got\" = accepted ] || cmp -s \"$tmp/admin\" \"$tmp/before\" ||\n"
    "    differ \"INV-ATOMIC: a refused simulator operation changed the world\"\n"
    "}\n"
    "\n"
    "# inspect '{\"path\": POINTER, \"expect\": VALUE}': the server's world (GET "
    "/_brcheck/v1/world)\n"
    "# at a JSON pointer against what the faithful model had there\n"
    "inspect() {\n"
    "  admin GET world\n"
    "  cp \"$tmp/admin\" \"$tmp/answer\"\n"
    "  printf '%s' \"$1\" >\"$tmp/expect.json\"\n"
    "  if [ -z \"$py\" ]; then\n"
    "    echo \"   the faithful model has: $1\"\n"
    "    unjudged=1\n"
    "  elif ! \"$py\" \"$tmp/judge.py\" inspect \"$tmp\"; then\n"
    "    echo \"   the faithful model has: $1\"\n"
    "    differs=1\n"
    "  fi\n"
    "}\n";

static const char judge[] =
    "import hashlib, json, os, re, sys\n"
    "\n"
    "T = sys.argv[2]\n"
    "CAPS = os.path.join(T, \"captures.json\")\n"
    "\n"
    "\n"
    "def read(name, mode=\"r\"):\n"
    "    with open(os.path.join(T, name), mode) as f:\n"
    "        return f.read()\n"
    "\n"
    "\n"
    "def captures():\n"
    "    return json.load(open(CAPS)) if os.path.exists(CAPS) else {}\n"
    "\n"
    "\n"
    "def fill(s, caps, in_json):\n"
    "    # ${name} of a value captured before: in a JSON text a whole \"${name}\" is the value\n"
    "    # itself, inside a longer string its text; any other ${...} stays as it is\n"
    "    def whole(m):\n"
    "        return json.dumps(caps[m.group(1)], ensure_ascii=False) if m.group(1) in caps else "
    "m.group(0)\n"
    "\n"
    "    def part(m):\n"
    "        if m.group(1) not in caps:\n"
    "            return m.group(0)\n"
    "        v = caps[m.group(1)]\n"
    "        v = v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)\n"
    "        return json.dumps(v, ensure_ascii=False)[1:-1] if in_json else v\n"
    "\n"
    "    if in_json:\n"
    "        s = re.sub(r'\"\\$\\{([^}$\"]+)\\}\"', whole, s)\n"
    "    return re.sub(r\"\\$\\{([^}$]+)\\}\", part, s)\n"
    "\n"
    "\n"
    "def subst(v, caps):\n"
    "    # the expectation with the ${name} of every captured value replaced (a whole \"${name}\"\n"
    "    # by the value itself); a ${...} that names no capture is text\n"
    "    if isinstance(v, dict):\n"
    "        return {k: subst(e, caps) for k, e in v.items()}\n"
    "    if isinstance(v, list):\n"
    "        return [subst(e, caps) for e in v]\n"
    "    if isinstance(v, str):\n"
    "        m = re.fullmatch(r\"\\$\\{([^$]+)\\}\", v)\n"
    "        return caps[m.group(1)] if m and m.group(1) in caps else fill(v, caps, False)\n"
    "    return v\n"
    "\n"
    "\n"
    "ABSENT = object()\n"
    "\n"
    "\n"
    "def show(v):\n"
    "    return \"(absent)\" if v is ABSENT else json.dumps(v, ensure_ascii=False, "
    "separators=(\",\", \":\"))[:160]\n"
    "\n"
    "\n"
    "def after_origin(s):\n"
    "    # an absolute URL's path: the server builds links on the address it was called at\n"
    "    for p in (\"https://\", \"http://\"):\n"
    "        if isinstance(s, str) and s.startswith(p):\n"
    "            rest = s[len(p):]\n"
    "            return rest[len(re.split(r\"[/?#]\", rest)[0]):]\n"
    "    return None\n"
    "\n"
    "\n"
    "def same(a, b):\n"
    "    if isinstance(a, bool) or isinstance(b, bool):\n"
    "        return a is b\n"
    "    if isinstance(a, (int, float)) and isinstance(b, (int, float)):\n"
    "        return a == b\n"
    "    return type(a) == type(b) and a == b\n"
    "\n"
    "\n"
    "def match(want, got, caps, path, key=None):\n"
    "    # the matchers of fixtures/README.md; returns None or what differs\n"
    "    if isinstance(want, str) and want.startswith(\"$\") and not want.startswith(\"${\"):\n"
    "        if want == \"$any\":\n"
    "            return None if got is not ABSENT else \"%s: expected a value, got (absent)\" % "
    "path\n"
    "        if want == \"$absent\":\n"
    "            return None if got is ABSENT else \"%s: expected no such field, got %s\" % (path, "
    "show(got))\n"
    "        if want == \"$time\":\n"
    "            ok = isinstance(got, str) and "
    "re.fullmatch(r\"\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d+)?Z\", got)\n"
    "            return None if ok else \"%s: expected an RFC 3339 UTC time, got %s\" % (path, "
    "show(got))\n"
    "        if want.startswith(\"$capture:\"):\n"
    "            if got is ABSENT:\n"
    "                return \"%s: expected a value to capture, got (absent)\" % path\n"
    "            caps[want[9:]] = got\n"
    "            return None\n"
    "        if want.startswith(\"$regex:\") or want.startswith(\"$iregex:\"):\n"
    "            icase = want[1] == \"i\"\n"
    "            rx = want[8:] if icase else want[7:]\n"
    "            ok = isinstance(got, str) and re.search(rx, got, re.I if icase else 0)\n"
    "            return None if ok else \"%s: expected %s, got %s\" % (path, want, show(got))\n"
    "        name, _, arg = want.partition(\":\")\n"
    "        val = json.loads(arg)\n"
    "        if name == \"$oneOf\":\n"
    "            ok = any(match(e, got, caps, path) is None for e in val)\n"
    "        elif name == \"$ne\":\n"
    "            ok = got is not ABSENT and not same(val, got)\n"
    "        elif name == \"$eq\":\n"
    "            ok = got is not ABSENT and same(val, got)\n"
    "        elif name == \"$range\":\n"
    "            ok = isinstance(got, (int, float)) and not isinstance(got, bool) and val[0] <= "
    "got <= val[1]\n"
    "        elif name == \"$len\":\n"
    "            ok = isinstance(got, (list, dict)) and len(got) == val\n"
    "        else:\n"
    "            return \"%s: unknown matcher %s\" % (path, want)\n"
    "        return None if ok else \"%s: expected %s, got %s\" % (path, want, show(got))\n"
    "    if got is ABSENT:\n"
    "        return \"%s: expected a value, got (absent)\" % path\n"
    "    if isinstance(want, dict):\n"
    "        if not isinstance(got, dict):\n"
    "            return \"%s: expected an object, got %s\" % (path, show(got))\n"
    "        for k, e in want.items():\n"
    "            d = match(e, got.get(k, ABSENT), caps, \"%s.%s\" % (path, k), k)\n"
    "            if d:\n"
    "                return d\n"
    "        return None\n"
    "    if isinstance(want, list):\n"
    "        if not isinstance(got, list) or len(got) != len(want):\n"
    "            return \"%s: expected an array of %d, got %s\" % (path, len(want), show(got))\n"
    "        for i, e in enumerate(want):\n"
    "            d = match(e, got[i], caps, \"%s[%d]\" % (path, i), key)\n"
    "            if d:\n"
    "                return d\n"
    "        return None\n"
    "    if key in (\"href\", \"connectAddress\") and after_origin(want) is not None and "
    "after_origin(got) is not None:\n"
    "        want, got = after_origin(want), after_origin(got)\n"
    "    return None if same(want, got) else \"%s: expected %s, got %s\" % (path, show(want), "
    "show(got))\n"
    "\n"
    "\n"
    "def answer():\n"
    "    status = int(read(\"status\"))\n"
    "    raw = read(\"answer\", \"rb\")\n"
    "    try:\n"
    "        body = json.loads(raw) if raw else ABSENT\n"
    "    except ValueError:\n"
    "        body = raw.decode(\"utf-8\", \"replace\")\n"
    "    headers = {}\n"
    "    for line in read(\"headers\", \"rb\").decode(\"latin-1\").splitlines():\n"
    "        if line.startswith(\"HTTP/\"):\n"
    "            headers = {}  # a Digest challenge comes first: only the last answer counts\n"
    "        elif \":\" in line:\n"
    "            k, _, v = line.partition(\":\")\n"
    "            headers[k.strip().lower()] = v.strip()\n"
    "    return status, body, headers\n"
    "\n"
    "\n"
    "def refuses(path, status, body):\n"
    "    if status >= 400:\n"
    "        return True\n"
    "    if not isinstance(body, dict):\n"
    "        return False\n"
    "    if not path.startswith(\"/api/\"):  # Zilliz: an envelope whose code is not 0\n"
    "        return isinstance(body.get(\"code\"), int) and body[\"code\"] != 0\n"
    "    if path.startswith(\"/api/atlas/\") and \"content\" in body:  # Atlas ?envelope=true\n"
    "        return isinstance(body.get(\"status\"), int) and body[\"status\"] >= 400\n"
    "    return False\n"
    "\n"
    "\n"
    "def expect(caps):\n"
    "    want = subst(json.loads(read(\"expect.json\")), caps)\n"
    "    status, body, headers = answer()\n"
    "    diffs = []\n"
    "    d = match(want.get(\"status\", \"$any\"), status, caps, \"status\")\n"
    "    if not d and \"body\" in want:\n"
    "        d = match(want[\"body\"], body, caps, \"$\")\n"
    "    for k, v in want.get(\"headers\", {}).items():\n"
    "        d = d or match(v, headers.get(k.lower(), ABSENT), caps, \"header \" + k)\n"
    "    if d:\n"
    "        diffs.append(d)\n"
    "    if refuses(read(\"path\"), status, body) and read(\"before\") != read(\"after\"):\n"
    "        diffs.append(\"INV-ATOMIC: an answer with an error (HTTP %d) changed the world\" % "
    "status)\n"
    "    return diffs\n"
    "\n"
    "\n"
    "def inspect(caps):\n"
    "    ins = json.loads(read(\"expect.json\"))\n"
    "    path = fill(ins[\"path\"], caps, False)\n"
    "    cur = json.loads(read(\"answer\"))\n"
    "    for seg in [s for s in path.split(\"/\") if s]:\n"
    "        seg = seg.replace(\"~1\", \"/\").replace(\"~0\", \"~\")\n"
    "        if isinstance(cur, list):\n"
    "            cur = cur[int(seg)] if seg.isdigit() and int(seg) < len(cur) else ABSENT\n"
    "        elif isinstance(cur, dict):\n"
    "            cur = cur.get(seg, ABSENT)\n"
    "        else:\n"
    "            cur = ABSENT\n"
    "        if cur is ABSENT:\n"
    "            break\n"
    "    print(\"   the server's world has: %s\" % show(cur))\n"
    "    d = match(subst(ins[\"expect\"], caps), cur, caps, path)\n"
    "    return [\"inspect \" + d] if d else []\n"
    "\n"
    "\n"
    "def digest_auth(method, uri, user, password):\n"
    "    # the Authorization header of a Digest answer to the challenge in $tmp/challenge (curl\n"
    "    # --digest cannot: an ?envelope=true answer wraps the challenge in an HTTP 200)\n"
    "    h = read(\"challenge\")\n"
    "    f = dict(re.findall(r'(\\w+)=\"?([^\",]*)\"?', h.split(\"Digest\", 1)[1]))\n"
    "    md5 = lambda s: hashlib.md5(s.encode()).hexdigest()\n"
    "    cnonce, nc = \"0a4f113b\", \"00000001\"\n"
    "    ha1 = md5(\"%s:%s:%s\" % (user, f[\"realm\"], password))\n"
    "    ha2 = md5(\"%s:%s\" % (method, uri))\n"
    "    resp = md5(\"%s:%s:%s:%s:auth:%s\" % (ha1, f[\"nonce\"], nc, cnonce, ha2))\n"
    "    return ('Authorization: Digest username=\"%s\", realm=\"%s\", nonce=\"%s\", uri=\"%s\", "
    "'\n"
    "            'cnonce=\"%s\", nc=%s, qop=auth, response=\"%s\", algorithm=MD5'\n"
    "            % (user, f[\"realm\"], f[\"nonce\"], uri, cnonce, nc, resp))\n"
    "\n"
    "\n"
    "def main():\n"
    "    cmd, caps = sys.argv[1], captures()\n"
    "    if cmd in (\"fill\", \"fill-json\"):\n"
    "        text = sys.stdin.buffer.read().decode(\"utf-8\", \"surrogateescape\")\n"
    "        sys.stdout.buffer.write(fill(text, caps, cmd == \"fill-json\").encode(\"utf-8\", "
    "\"surrogateescape\"))\n"
    "        return 0\n"
    "    if cmd == \"digest\":\n"
    "        print(digest_auth(*sys.argv[3:7]))\n"
    "        return 0\n"
    "    diffs = expect(caps) if cmd == \"expect\" else inspect(caps)\n"
    "    json.dump(caps, open(CAPS, \"w\"))\n"
    "    for d in diffs:\n"
    "        print(\"   DIFFERS: \" + d)\n"
    "    return 1 if diffs else 0\n"
    "\n"
    "\n"
    "sys.exit(main())\n";

static const char begin[] =
    "\n"
    "py=${BRCHECK_PYTHON-$(command -v python3)}\n"
    "[ -n \"$py\" ] || echo \"python3 not found: the answers are printed, not compared\"\n"
    "p_status=$(curl -sS -o \"$tmp/admin\" -w '%{http_code}' \"$URL/_brcheck/v1/ping\") ||\n"
    "  setup_failed \"cannot reach brcheck serve at $URL (set BRCHECK_URL)\"\n"
    "[ \"$p_status\" = 200 ] ||\n"
    "  setup_failed \"$URL is not brcheck serve (GET /_brcheck/v1/ping: HTTP $p_status)\"\n";

static const char finish[] =
    "\n"
    "echo\n"
    "if [ \"$differs\" -ne 0 ]; then\n"
    "  echo \"DIVERGENCE REPRODUCED: the server differs from the faithful model (DIFFERS above)\"\n"
    "  exit 1\n"
    "elif [ \"$unjudged\" -ne 0 ]; then\n"
    "  echo \"CANNOT JUDGE: compare the answers above with the faithful model's by hand\"\n"
    "  exit 3\n"
    "fi\n"
    "echo \"no difference: the server answers as the faithful model did\"\n"
    "exit 0\n";

char *br_fuzz_curl_script(const json_t *fixture, const char *mutant)
{
    sbuf b = {0};
    const char *id = json_string_value(json_object_get(fixture, "id"));
    const json_t *given = json_object_get(fixture, "given");
    const char *vendor = json_string_value(json_object_get(fixture, "vendor"));
    bool atlas = vendor && strcmp(vendor, "atlas") == 0;
    puts_(&b, "#!/bin/sh\n# Replays fixture ");
    comment(&b, id ? id : "");
    puts_(&b, " with curl against the mock server:\n"
              "#   brcheck serve --listen 127.0.0.1:8080");
    if (mutant) {
        puts_(&b, " --mutant ");
        comment(&b, mutant);
    }
    puts_(&b, " &\n#   BRCHECK_URL=http://127.0.0.1:8080 sh ");
    comment(&b, id ? id : "fixture");
    puts_(&b, ".sh\n");
    puts_(&b, header);
    puts_(&b, prelude);
    puts_(&b, "\ncat >\"$tmp/judge.py\" <<'BRCHECK_JUDGE'\n");
    puts_(&b, judge);
    puts_(&b, "BRCHECK_JUDGE\n");
    puts_(&b, begin);
    /* one line of compact JSON: never the line BRCHECK_WORLD */
    char *world = compact(given ? given : json_object_get(fixture, "none"));
    puts_(&b, "\ncat >\"$tmp/world.json\" <<'BRCHECK_WORLD'\n");
    puts_(&b, json_is_object(given) ? world : "{}");
    puts_(&b, "\nBRCHECK_WORLD\n");
    free(world);
    const char *profile = json_string_value(json_object_get(fixture, "profile"));
    puts_(&b, "admin PUT");
    size_t plen = strlen(profile ? profile : "default") + 16;
    char *call = malloc(plen);
    if (call) snprintf(call, plen, "world?profile=%s", profile ? profile : "default");
    arg(&b, call ? call : "world");
    free(call);
    puts_(&b, " \"$tmp/world.json\"\necho \"the world of the fixture is loaded\"\n");
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(fixture, "steps"), i, s)
    {
        const char *name = json_string_value(json_object_get(s, "name"));
        printf_(&b, "\nstep %zu", i + 1);
        if (json_object_get(s, "request")) {
            arg(&b, name ? name : "");
            puts_(&b, "\n");
            request_step(&b, given, s, atlas);
        } else if (json_object_get(s, "advance")) {
            char *adv = compact(json_object_get(s, "advance"));
            arg(&b, name ? name : "the clock moves on");
            puts_(&b, "\nadvance");
            arg(&b, adv);
            puts_(&b, "\n");
            free(adv);
        } else if (json_object_get(s, "sim")) {
            char *op = compact(json_object_get(s, "sim"));
            arg(&b, name ? name : "a simulator operation");
            puts_(&b, "\nsim");
            arg(&b, op);
            puts_(&b,
                  json_is_true(json_object_get(s, "expectError")) ? " refused\n" : " accepted\n");
            free(op);
        } else if (json_object_get(s, "inspect")) {
            char *ins = compact(json_object_get(s, "inspect"));
            arg(&b, name ? name : "the server's world");
            puts_(&b, "\ninspect");
            arg(&b, ins);
            puts_(&b, "\n");
            free(ins);
        } else {
            arg(&b, name ? name : "");
            puts_(&b, "\necho '   this script does not replay this kind of step'\nunjudged=1\n");
        }
        puts_(&b, "invariants\n");
    }
    puts_(&b, finish);
    return b.s;
}
