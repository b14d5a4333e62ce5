/* Running fixtures: loading and validating them, then playing each step against a target
 * with the checks every step gets (expectation, INV-ATOMIC on errors, invariants). */
#define _XOPEN_SOURCE 700 /* realpath */
#include "fixture_check.h"
#include "matcher.h"
#include "runner.h"
#include "secrets.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <time.h>

/* ---- loading ---- */

static int add_file(char ***files, size_t *n, size_t *cap, const char *path)
{
    if (*n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 64;
        char **nf = realloc(*files, ncap * sizeof *nf);
        if (!nf) return -1;
        *files = nf;
        *cap = ncap;
    }
    (*files)[(*n)++] = strdup(path);
    return 0;
}

static int collect(char ***files, size_t *n, size_t *cap, const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) return -1;
    if (!S_ISDIR(st.st_mode)) return add_file(files, n, cap, path);
    DIR *d = opendir(path);
    if (!d) return -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.') continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, e->d_name);
        size_t len = strlen(e->d_name);
        struct stat ss;
        if (stat(sub, &ss) != 0) continue;
        if (S_ISDIR(ss.st_mode))
            collect(files, n, cap, sub);
        else if (len > 5 && strcmp(e->d_name + len - 5, ".json") == 0)
            add_file(files, n, cap, sub);
    }
    closedir(d);
    return 0;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void violation(br_fixture_result *f, const char *rule, int step, const char *step_name,
                      const char *expected, const char *actual, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

static void violation(br_fixture_result *f, const char *rule, int step, const char *step_name,
                      const char *expected, const char *actual, const char *fmt, ...)
{
    br_violation *nv = realloc(f->violations, (f->n_violations + 1) * sizeof *nv);
    if (!nv) return;
    f->violations = nv;
    br_violation *v = &nv[f->n_violations++];
    memset(v, 0, sizeof *v);
    snprintf(v->rule, sizeof v->rule, "%s", rule ? rule : "");
    v->step = step;
    snprintf(v->step_name, sizeof v->step_name, "%s", step_name ? step_name : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
    v->expected = expected ? strdup(expected) : NULL;
    v->actual = actual ? strdup(actual) : NULL;
}

/* Checks the fixture's shape; on a problem records it and returns false. */
static bool validate(br_fixture_result *f)
{
    json_t *fx = f->fixture;
    const char *id = json_string_value(json_object_get(fx, "id"));
    const char *vendor = json_string_value(json_object_get(fx, "vendor"));
    json_t *rules = json_object_get(fx, "rules"), *steps = json_object_get(fx, "steps");
    if (!id || !vendor || br_vendor_from_name(vendor) == BR_VENDOR_COUNT) {
        violation(f, "", 0, "", NULL, NULL,
                  "fixture needs an \"id\" and a \"vendor\" (zilliz, crdb, atlas)");
        return false;
    }
    snprintf(f->id, sizeof f->id, "%s", id);
    snprintf(f->vendor, sizeof f->vendor, "%s", vendor);
    const char *base = strrchr(f->file, '/');
    base = base ? base + 1 : f->file;
    if (strncmp(base, id, strlen(id)) != 0 || strcmp(base + strlen(id), ".json") != 0) {
        violation(f, "", 0, "", NULL, NULL, "file name must be <id>.json (id is %s)", id);
        return false;
    }
    if (!json_is_object(rules) || json_object_size(rules) == 0) {
        violation(f, "", 0, "", NULL, NULL, "\"rules\" maps rule ids to \"holds\" or \"refuses\"");
        return false;
    }
    const char *k;
    json_t *v;
    json_object_foreach(rules, k, v)
    {
        if (!br_catalog_rule(k)) {
            violation(f, k, 0, "", NULL, NULL, "unknown rule id %s", k);
            return false;
        }
        const char *what = json_string_value(v);
        if (!what || (strcmp(what, "holds") != 0 && strcmp(what, "refuses") != 0)) {
            violation(f, k, 0, "", NULL, NULL, "rule %s: say \"holds\" or \"refuses\"", k);
            return false;
        }
    }
    f->rules = rules;
    if (!json_is_array(steps) || json_array_size(steps) == 0) {
        violation(f, "", 0, "", NULL, NULL, "\"steps\" is a non-empty array");
        return false;
    }
    if (!json_is_string(json_object_get(fx, "source"))) {
        violation(f, "", 0, "", NULL, NULL, "\"source\" names where the behaviour is documented");
        return false;
    }
    static const char *const keys[] = {"id",    "vendor",  "rules", "source",
                                       "given", "profile", "needs", "steps"};
    json_object_foreach(fx, k, v)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof keys / sizeof *keys && !known; i++)
            known = strcmp(k, keys[i]) == 0;
        if (!known) {
            violation(f, "", 0, "", NULL, NULL,
                      "unknown key \"%s\" (the keys: id, vendor, rules, source, given, profile, "
                      "needs, steps)",
                      k);
            return false;
        }
    }
    const json_t *needs = json_object_get(fx, "needs");
    const char *reason = json_string_value(json_object_get(needs, "reason"));
    if (needs && (!json_is_object(needs) || json_object_size(needs) != 1 || !reason || !*reason)) {
        violation(f, "", 0, "", NULL, NULL,
                  "\"needs\" is {\"reason\": \"...\"} (why a real endpoint cannot be put in the "
                  "starting state)");
        return false;
    }
    char msg[512];
    int bad_step;
    if (!br_fixture_check_steps(steps, &bad_step, msg, sizeof msg)) {
        json_t *name = json_object_get(json_array_get(steps, (size_t)bad_step - 1), "name");
        violation(f, "", bad_step, json_string_value(name), NULL, NULL, "bad step: %s", msg);
        return false;
    }
    /* The world loads here, not only when the fixture plays: `brcheck rules` (which plays
     * nothing) then refuses the same fixtures `brcheck run` does. */
    const json_t *given = json_object_get(fx, "given");
    const char *profile = json_string_value(json_object_get(fx, "profile"));
    if (json_object_get(fx, "profile") && !profile) {
        violation(f, "", 0, "", NULL, NULL, "\"profile\" is \"default\" or \"strict\"");
        return false;
    }
    br_world *w = br_world_new(given, msg, sizeof msg);
    if (!w) {
        violation(f, "", 0, "given", NULL, NULL, "cannot load the world: %s", msg);
        return false;
    }
    int prc = profile ? br_world_set_profile(w, profile) : BR_OK;
    br_world_free(w);
    if (prc != BR_OK) {
        violation(f, "", 0, "", NULL, NULL, "unknown profile %s (\"default\" or \"strict\")",
                  profile);
        return false;
    }
    return true;
}

/* The same file reached through two paths ("f", "./f", a folder given twice) is played once,
 * under the first of its names in sorted order. */
static void drop_repeats(char **files, size_t *n)
{
    char **real = calloc(*n ? *n : 1, sizeof *real);
    size_t kept = 0;
    for (size_t i = 0; i < *n; i++) {
        char *r = real ? realpath(files[i], NULL) : NULL;
        bool seen = false;
        for (size_t k = 0; r && k < kept && !seen; k++)
            seen = real[k] && strcmp(real[k], r) == 0;
        if (seen) {
            free(r);
            free(files[i]);
            continue;
        }
        if (real) real[kept] = r;
        files[kept++] = files[i];
    }
    for (size_t k = 0; real && k < kept; k++)
        free(real[k]);
    free(real);
    *n = kept;
}

/* Ids are unique (fixtures/README.md): two files with one id are both errors, each naming
 * the other, so neither can stand in for the other in a report. */
static void refuse_shared_ids(br_run *run)
{
    for (size_t i = 0; i < run->n; i++)
        for (size_t k = i + 1; k < run->n; k++) {
            br_fixture_result *a = &run->fixtures[i], *b = &run->fixtures[k];
            if (!a->rules || !b->rules || strcmp(a->id, b->id) != 0) continue;
            violation(a, "", 0, "", NULL, NULL, "id %s also in %s", a->id, b->file);
            violation(b, "", 0, "", NULL, NULL, "id %s also in %s", b->id, a->file);
            a->status = b->status = BR_FIX_ERROR;
        }
}

int br_run_load(br_run *run, char *const paths[], size_t n_paths)
{
    char **files = NULL;
    size_t n = 0, cap = 0;
    int rc = 0;
    for (size_t i = 0; i < n_paths; i++)
        if (collect(&files, &n, &cap, paths[i]) != 0) {
            fprintf(stderr, "brcheck: cannot read %s: %s\n", paths[i], strerror(errno));
            rc = -1;
        }
    if (n) qsort(files, n, sizeof *files, cmp_str);
    drop_repeats(files, &n);
    run->fixtures = calloc(n ? n : 1, sizeof *run->fixtures);
    for (size_t i = 0; i < n; i++) {
        br_fixture_result *f = &run->fixtures[run->n++];
        snprintf(f->file, sizeof f->file, "%s", files[i]);
        json_error_t err;
        f->fixture = json_load_file(files[i], JSON_REJECT_DUPLICATES, &err);
        if (!f->fixture) {
            snprintf(f->id, sizeof f->id, "%s", files[i]);
            violation(f, "", 0, "", NULL, NULL, "not valid JSON: %s (line %d)", err.text, err.line);
            f->status = BR_FIX_ERROR;
        } else if (!validate(f)) {
            if (!f->id[0]) snprintf(f->id, sizeof f->id, "%s", files[i]);
            f->status = BR_FIX_ERROR;
        }
        free(files[i]);
    }
    free(files);
    refuse_shared_ids(run);
    return rc;
}

void br_run_free(br_run *run)
{
    for (size_t i = 0; i < run->n; i++) {
        br_fixture_result *f = &run->fixtures[i];
        for (size_t k = 0; k < f->n_violations; k++) {
            free(f->violations[k].expected);
            free(f->violations[k].actual);
        }
        free(f->violations);
        json_decref(f->fixture);
    }
    free(run->fixtures);
    memset(run, 0, sizeof *run);
}

/* ---- requests ---- */

#define MAX_HEADERS 32

typedef struct {
    br_request req;
    br_header headers[MAX_HEADERS];
    char *strings[MAX_HEADERS * 2 + 8];
    size_t n_strings;
    char *body;
} built;

/* Keeps s for built_free; NULL (s freed) when s is NULL or there is no room. */
static char *keep(built *b, char *s)
{
    if (!s) return NULL;
    if (b->n_strings == sizeof b->strings / sizeof *b->strings) {
        free(s);
        return NULL;
    }
    return b->strings[b->n_strings++] = s;
}

static void built_free(built *b)
{
    for (size_t i = 0; i < b->n_strings; i++)
        free(b->strings[i]);
    free(b->body);
    memset(b, 0, sizeof *b);
}

static int hexdigit(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* The body of the request, in a buffer of exactly its length (no terminator: a reader that
 * runs past body_len is caught by the sanitizers). */
static bool build_body(built *b, const json_t *r, char *msg, size_t len)
{
    json_t *body = json_object_get(r, "body");
    json_t *raw = json_object_get(r, "bodyRaw");
    const char *hex = json_string_value(json_object_get(r, "bodyHex"));
    json_t *rep = json_object_get(r, "bodyRepeat");
    size_t n = 0;
    if (body) {
        char *text = json_dumps(body, JSON_ENCODE_ANY | JSON_COMPACT);
        if (!text) goto oom;
        n = strlen(text);
        b->body = malloc(n ? n : 1);
        if (b->body) memcpy(b->body, text, n);
        free(text);
    } else if (json_is_string(raw)) {
        n = json_string_length(raw); /* NUL bytes included */
        b->body = malloc(n ? n : 1);
        if (b->body) memcpy(b->body, json_string_value(raw), n);
    } else if (hex) {
        n = strlen(hex) / 2;
        b->body = malloc(n ? n : 1);
        for (size_t i = 0; b->body && i < n; i++) {
            int hi = hexdigit(hex[2 * i]), lo = hexdigit(hex[2 * i + 1]);
            if (hi < 0 || lo < 0) {
                snprintf(msg, len, "bodyHex holds a character that is not a hex digit");
                return false;
            }
            b->body[i] = (char)(hi * 16 + lo);
        }
    } else if (rep) {
        const char *pre = json_string_value(json_object_get(rep, "prefix"));
        const char *unit = json_string_value(json_object_get(rep, "unit"));
        const char *suf = json_string_value(json_object_get(rep, "suffix"));
        json_int_t count = json_integer_value(json_object_get(rep, "count"));
        pre = pre ? pre : "";
        suf = suf ? suf : "";
        unit = unit ? unit : " ";
        size_t ul = strlen(unit), pl = strlen(pre), sl = strlen(suf);
        if (count < 0 || (ul && (size_t)count > 64 * 1024 * 1024 / ul)) {
            snprintf(msg, len, "bodyRepeat builds more than 64 MiB");
            return false;
        }
        n = pl + ul * (size_t)count + sl;
        b->body = malloc(n ? n : 1);
        if (b->body) {
            char *o = b->body;
            memcpy(o, pre, pl);
            o += pl;
            for (json_int_t i = 0; i < count; i++, o += ul)
                memcpy(o, unit, ul);
            memcpy(o, suf, sl);
        }
    } else {
        return true;
    }
    if (!b->body) goto oom;
    b->req.body = b->body;
    b->req.body_len = n;
    return true;
oom:
    snprintf(msg, len, "out of memory");
    return false;
}

/* Builds the request; vendor decides how "key" authenticates. False with msg on a request
 * without method or path, or out of memory; b is always safe to free. */
static bool build(built *b, const json_t *r, br_vendor vendor, char *msg, size_t len)
{
    memset(b, 0, sizeof *b);
    const char *method = json_string_value(json_object_get(r, "method"));
    const char *path = json_string_value(json_object_get(r, "path"));
    if (!method || !path) {
        snprintf(msg, len, "a request needs \"method\" and \"path\"");
        return false;
    }
    char *p = keep(b, strdup(path));
    if (!p) {
        snprintf(msg, len, "out of memory");
        return false;
    }
    char *q = strchr(p, '?');
    if (q) *q++ = '\0';
    b->req.method = method;
    b->req.path = p;
    b->req.query = q;
    size_t nh = 0;
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(r, "headers"), k, v)
    {
        if (nh < MAX_HEADERS - 2 && json_is_string(v))
            b->headers[nh++] = (br_header){k, json_string_value(v)};
    }
    const char *key = json_string_value(json_object_get(r, "key"));
    if (key && (vendor == BR_VENDOR_ATLAS || strncmp(path, "/api/atlas/", 11) == 0)) {
        b->req.principal = key;
    } else if (key) {
        char *auth = keep(b, malloc(strlen(key) + 8));
        if (!auth) {
            snprintf(msg, len, "out of memory");
            return false;
        }
        sprintf(auth, "Bearer %s", key);
        b->headers[nh++] = (br_header){"Authorization", auth};
    }
    b->req.headers = b->headers;
    b->req.n_headers = nh;
    const char *ip = json_string_value(json_object_get(r, "callerIp"));
    b->req.caller_ip = ip ? ip : "127.0.0.1";
    return build_body(b, r, msg, len);
}

struct br_built {
    built b;
};

br_built *br_step_build(const json_t *request, br_vendor vendor, char *msg, size_t msglen)
{
    br_built *x = malloc(sizeof *x);
    if (!x) {
        snprintf(msg, msglen, "out of memory");
        return NULL;
    }
    if (!build(&x->b, request, vendor, msg, msglen)) {
        built_free(&x->b);
        free(x);
        return NULL;
    }
    return x;
}

const br_request *br_built_request(const br_built *b)
{
    return &b->b.req;
}

void br_built_free(br_built *b)
{
    if (!b) return;
    built_free(&b->b);
    free(b);
}

/* ---- running ---- */

typedef struct {
    br_target *t;
    br_fixture_result *f;
    json_t *captures;
    br_observer *obs;
    br_vendor vendor;
    int step;
    const char *step_name;
    const char *rule; /* the rule a failed expectation is charged to */
} runner;

static const char *first_rule(const br_fixture_result *f, const json_t *step)
{
    json_t *r = json_array_get(json_object_get(step, "rules"), 0);
    if (json_is_string(r)) return json_string_value(r);
    const char *k;
    json_t *v;
    json_object_foreach(f->rules, k, v)
    {
        if (strncmp(k, "INV-", 4) != 0) return k;
    }
    json_object_foreach(f->rules, k, v) return k;
    return "";
}

static char *response_json(const br_response *res)
{
    json_t *o = json_pack("{s:i}", "status", res->status);
    if (res->body) {
        json_t *copy = json_deep_copy(res->body);
        br_redact(copy);
        json_object_set_new(o, "body", copy);
    }
    char *s = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    return s;
}

/* Checks an answer against {"status", "body", "headers"}; captures on success. */
static bool expect_ok(runner *r, const json_t *expect, const br_response *res, char *msg,
                      size_t len)
{
    json_t *status = json_integer(res->status);
    bool ok = true;
    json_t *want = json_object_get(expect, "status");
    if (want) ok = br_match(want, status, r->captures, "status", msg, len);
    json_decref(status);
    want = json_object_get(expect, "body");
    if (ok && want) ok = br_match(want, res->body, r->captures, "$", msg, len);
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(expect, "headers"), k, v)
    {
        if (!ok) break;
        json_t *actual = NULL;
        for (size_t i = 0; i < res->n_headers; i++)
            if (strcasecmp(res->headers[i].name, k) == 0)
                actual = json_string(res->headers[i].value);
        char path[128];
        snprintf(path, sizeof path, "header %s", k);
        ok = br_match_field(v, actual, r->captures, path, k, msg, len);
        json_decref(actual);
    }
    return ok;
}

/* An expectation found under the field 'key' (NULL: none) as a report shows it (SEC-SECRETS:
 * it may hold a captured secret). Owned. */
static char *expected_json(const char *key, const json_t *expect)
{
    json_t *box = json_object();
    if (!box || json_object_set_new(box, key ? key : "", json_deep_copy(expect)) != 0) {
        json_decref(box);
        return NULL;
    }
    br_redact_expected(box);
    char *s = json_dumps(json_object_get(box, key ? key : ""), JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(box);
    return s;
}

static FILE *traffic_log;

void br_run_set_traffic_log(FILE *log)
{
    traffic_log = log;
}

static void log_exchange(const br_request *req, const br_response *res)
{
    if (!traffic_log) return;
    json_t *body = res->body ? json_deep_copy(res->body) : json_null();
    br_redact(body);
    json_t *line =
        json_pack("{s:s,s:s,s:s,s:i,s:o}", "vendor", br_vendor_name(res->vendor), "method",
                  req->method, "path", req->path, "status", res->status, "body", body);
    char *text = json_dumps(line, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (text) fprintf(traffic_log, "%s\n", text);
    free(text);
    json_decref(line);
}

static bool send_checked(runner *r, const json_t *request, br_response *res)
{
    char msg[1024];
    json_t *req = br_substitute(request, r->captures, msg, sizeof msg);
    if (!req) {
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL, "%s", msg);
        return false;
    }
    built b;
    if (!build(&b, req, r->vendor, msg, sizeof msg)) {
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL, "%s", msg);
        built_free(&b);
        json_decref(req);
        return false;
    }
    uint64_t before = 0, after = 0;
    bool has_digest = r->t->digest && r->t->digest(r->t, &before);
    int rc = r->t->send(r->t, &b.req, res);
    if (rc == BR_OK) log_exchange(&b.req, res);
    built_free(&b);
    json_decref(req);
    if (rc != BR_OK) {
        const char *why = r->t->error ? r->t->error(r->t) : NULL;
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL, "target failed: %s",
                  why ? why : br_strerror(rc));
        return false;
    }
    if (r->t->diverged && r->t->diverged(r->t, msg, sizeof msg))
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL, "%s", msg);
    if (res->error && has_digest && r->t->digest(r->t, &after) && before != after) {
        char *a = response_json(res);
        violation(r->f, "INV-ATOMIC", r->step, r->step_name, NULL, a,
                  "an answer with an error (HTTP %d) changed the world", res->status);
        free(a);
    }
    char rule[40];
    if (!br__observe(r->obs, res->body, rule, msg, sizeof msg))
        violation(r->f, rule, r->step, r->step_name, NULL, NULL, "%s", msg);
    return true;
}

static void step_request(runner *r, const json_t *step)
{
    br_response res;
    if (!send_checked(r, json_object_get(step, "request"), &res)) return;
    char msg[1024] = "";
    const json_t *want = json_object_get(step, "expect");
    json_t *expect = want ? br_substitute(want, r->captures, msg, sizeof msg) : NULL;
    if (!want) {
        /* no expectation: the step still gets INV-ATOMIC, the observer and the model check */
    } else if (!expect) {
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL, "%s", msg);
    } else if (!expect_ok(r, expect, &res, msg, sizeof msg)) {
        char *e = expected_json(NULL, expect);
        char *a = response_json(&res);
        violation(r->f, r->rule, r->step, r->step_name, e, a, "%s", msg);
        free(e);
        free(a);
    }
    json_decref(expect);
    size_t i;
    json_t *rule;
    json_array_foreach(json_object_get(step, "rules"), i, rule)
    {
        br_rule id = br_rule_from_id(json_string_value(rule));
        if (id != BR_RULE_COUNT && !br_ruleset_has(&res.rules, id) &&
            strcmp(r->t->name, "model") == 0)
            violation(r->f, json_string_value(rule), r->step, r->step_name, NULL, NULL,
                      "the model did not apply %s here", json_string_value(rule));
    }
    br_response_clear(&res);
}

bool br_fixture_duration(const json_t *v, br_time *out)
{
    if (json_is_integer(v)) {
        *out = json_integer_value(v);
        return *out >= 0;
    }
    const char *s = json_string_value(v);
    if (!s) return false;
    char *end;
    long long n = strtoll(s, &end, 10);
    long long mul = *end == 'm' ? 60 : *end == 'h' ? 3600 : *end == 'd' ? 86400 : 1;
    if (end == s || n < 0 || (*end && (strchr("smhd", *end) == NULL || end[1]))) return false;
    *out = n * mul;
    return true;
}

static void step_await(runner *r, const json_t *aw)
{
    br_time timeout = 3600, every = 30;
    if ((json_object_get(aw, "timeout") &&
         !br_fixture_duration(json_object_get(aw, "timeout"), &timeout)) ||
        (json_object_get(aw, "every") &&
         !br_fixture_duration(json_object_get(aw, "every"), &every)) ||
        every <= 0) {
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL, "await: bad timeout or every");
        return;
    }
    char msg[1024] = "";
    char *last = NULL;
    for (br_time waited = 0;; waited += every) {
        br_response res;
        if (!send_checked(r, json_object_get(aw, "request"), &res)) break;
        json_t *until = br_substitute(json_object_get(aw, "until"), r->captures, msg, sizeof msg);
        bool ok = until && expect_ok(r, until, &res, msg, sizeof msg);
        json_decref(until);
        free(last);
        last = response_json(&res);
        br_response_clear(&res);
        if (ok) break;
        if (r->t->poll_wait ? !r->t->poll_wait(r->t, (unsigned)(waited / every) + 1)
                            : waited + every > timeout) {
            char *e = expected_json(NULL, json_object_get(aw, "until"));
            violation(r->f, r->rule, r->step, r->step_name, e, last,
                      "await: not reached within %llds: %s", (long long)timeout, msg);
            free(e);
            break;
        }
        if (!r->t->poll_wait && r->t->advance(r->t, every) != BR_OK) {
            const char *why = r->t->error ? r->t->error(r->t) : NULL;
            violation(r->f, r->rule, r->step, r->step_name, NULL, NULL, "advance failed%s%s",
                      why ? ": " : "", why ? why : "");
            break;
        }
    }
    free(last);
}

static void step_inspect(runner *r, const json_t *ins)
{
    char msg[1024];
    json_t *spath = br_substitute(json_object_get(ins, "path"), r->captures, msg, sizeof msg);
    const char *path = json_string_value(spath);
    json_t *dump = r->t->dump ? r->t->dump(r->t) : NULL;
    if (!dump) {
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL,
                  "inspect: the target cannot show its world");
        json_decref(spath);
        return;
    }
    /* JSON pointer: "/clusters/in01-a/databases/default/coll/version" */
    json_t *cur = dump;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", path ? path : "");
    char *save = NULL, *field = NULL; /* the last segment: the field a value is under */
    for (char *seg = strtok_r(buf, "/", &save); seg && cur; seg = strtok_r(NULL, "/", &save)) {
        char *o = seg;
        for (char *s = seg; *s; s++) {
            if (s[0] == '~' && (s[1] == '0' || s[1] == '1')) {
                *o++ = s[1] == '0' ? '~' : '/';
                s++;
            } else {
                *o++ = *s;
            }
        }
        *o = '\0';
        field = json_is_array(cur) ? NULL : seg;
        cur =
            json_is_array(cur) ? json_array_get(cur, (size_t)atol(seg)) : json_object_get(cur, seg);
    }
    json_t *expect = br_substitute(json_object_get(ins, "expect"), r->captures, msg, sizeof msg);
    if (!expect ||
        !br_match_field(expect, cur, r->captures, path ? path : "", field, msg, sizeof msg)) {
        /* the world holds the keys' secrets: shown as an answer is (SEC-SECRETS) */
        json_t *shown = br_redacted_copy(field, cur);
        char *e = expect ? expected_json(field, expect) : NULL;
        char *a = shown ? json_dumps(shown, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
        json_decref(shown);
        violation(r->f, r->rule, r->step, r->step_name, e, a, "inspect %s: %s", path ? path : "",
                  msg);
        free(e);
        free(a);
    }
    json_decref(expect);
    json_decref(dump);
    json_decref(spath);
}

/* Plays a simulator operation; false when the fixture itself is wrong: it names a cluster
 * that the world does not hold (or no longer holds) at this step. A refusal by the world of
 * a well-formed operation (a write into a restoring target) stays a violation unless the
 * step expects it: the target may be the one at fault (a restore that never ends). */
static bool step_sim(runner *r, const json_t *step_op, bool expect_error)
{
    char msg[512];
    /* ${name} in an operation (a cluster a restore created) is a capture, as in requests. */
    json_t *op = br_substitute(step_op, r->captures, msg, sizeof msg);
    if (!op) {
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL, "sim: %s", msg);
        return true;
    }
    uint64_t before = 0, after = 0;
    bool has = r->t->digest && r->t->digest(r->t, &before);
    int rc = r->t->sim ? r->t->sim(r->t, op) : BR_EINVAL;
    if (rc == BR_ENOENT && !expect_error) {
        violation(r->f, "", r->step, r->step_name, NULL, NULL,
                  "bad step: sim %s: the world has no cluster \"%s\" at this step (never "
                  "given or created, or dropped before)",
                  json_string_value(json_object_get(op, "op")),
                  json_string_value(json_object_get(op, "cluster")));
        json_decref(op);
        return false;
    }
    if (expect_error && rc == BR_OK)
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL,
                  "sim %s: the world accepted what it must refuse",
                  json_string_value(json_object_get(op, "op")));
    else if (!expect_error && rc != BR_OK)
        violation(r->f, r->rule, r->step, r->step_name, NULL, NULL, "sim %s failed: %s",
                  json_string_value(json_object_get(op, "op")), br_strerror(rc));
    if (expect_error && has && r->t->digest(r->t, &after) && before != after)
        violation(r->f, "INV-ATOMIC", r->step, r->step_name, NULL, NULL,
                  "a refused simulator operation changed the world");
    json_decref(op);
    return true;
}

static void run_fixture(br_fixture_result *f, br_target *t, const char *profile)
{
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    char err[512];
    const char *fprofile = json_string_value(json_object_get(f->fixture, "profile"));
    json_t *given = json_object_get(f->fixture, "given");
    if (t->skips && t->skips(t, f->fixture, f->skip_reason, sizeof f->skip_reason)) {
        f->status = BR_FIX_SKIP;
        return;
    }
    if (t->reset(t, given, fprofile ? fprofile : profile, err, sizeof err) != BR_OK) {
        violation(f, "", 0, "given", NULL, NULL, "cannot load the world: %s", err);
        f->status = BR_FIX_ERROR;
        return;
    }
    runner r = {.t = t, .f = f, .captures = json_object(), .obs = br_observer_new()};
    r.vendor = br_vendor_from_name(f->vendor);
    size_t i;
    json_t *step;
    json_array_foreach(json_object_get(f->fixture, "steps"), i, step)
    {
        r.step = (int)i + 1;
        r.step_name = json_string_value(json_object_get(step, "name"));
        r.rule = first_rule(f, step);
        size_t before = f->n_violations;
        if (json_object_get(step, "request")) {
            step_request(&r, step);
        } else if (json_object_get(step, "advance")) {
            br_time s;
            if (!br_fixture_duration(json_object_get(step, "advance"), &s)) {
                violation(f, r.rule, r.step, r.step_name, NULL, NULL, "bad advance");
            } else if (t->advance(t, s) != BR_OK) {
                const char *why = t->error ? t->error(t) : NULL;
                violation(f, r.rule, r.step, r.step_name, NULL, NULL, "advance failed%s%s",
                          why ? ": " : "", why ? why : "");
            }
        } else if (json_object_get(step, "await")) {
            step_await(&r, json_object_get(step, "await"));
        } else if (json_object_get(step, "sim")) {
            if (!step_sim(&r, json_object_get(step, "sim"),
                          json_is_true(json_object_get(step, "expectError")))) {
                f->status = BR_FIX_ERROR;
                break;
            }
        } else if (json_object_get(step, "inspect")) {
            step_inspect(&r, json_object_get(step, "inspect"));
        } else {
            violation(f, "", r.step, r.step_name, NULL, NULL,
                      "a step is one of request, advance, await, sim, inspect");
            f->status = BR_FIX_ERROR;
        }
        br_rule rule;
        char msg[512];
        const char *lost = t->lost ? t->lost(t) : NULL;
        if (lost) {
            violation(f, "", r.step, r.step_name, NULL, NULL, "%s", lost);
            f->status = BR_FIX_ERROR;
            break;
        }
        if (t->check && t->check(t, &rule, msg, sizeof msg) > 0)
            violation(f, br_rule_id(rule), r.step, r.step_name, NULL, NULL, "%s", msg);
        f->steps_run++;
        if (f->n_violations > before + 5) break;
    }
    json_decref(r.captures);
    br_observer_free(r.obs);
    if (f->status != BR_FIX_ERROR) f->status = f->n_violations ? BR_FIX_FAIL : BR_FIX_PASS;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    f->seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
}

static void (*progress_cb)(void *, size_t, size_t, const char *);
static void *progress_ctx;

void br_run_set_progress(void (*cb)(void *ctx, size_t done, size_t total, const char *label),
                         void *ctx)
{
    progress_cb = cb;
    progress_ctx = ctx;
}

void br_run_execute(br_run *run, br_target *t, const char *profile)
{
    for (size_t i = 0; i < run->n; i++) {
        br_fixture_result *f = &run->fixtures[i];
        if (progress_cb) progress_cb(progress_ctx, i + 1, run->n, f->id);
        if (f->status != BR_FIX_ERROR) run_fixture(f, t, profile);
    }
    br_run_count(run);
}

void br_run_count(br_run *run)
{
    run->passed = run->failed = run->skipped = run->errors = 0;
    for (size_t i = 0; i < run->n; i++)
        switch (run->fixtures[i].status) {
        case BR_FIX_PASS:
            run->passed++;
            break;
        case BR_FIX_FAIL:
            run->failed++;
            break;
        case BR_FIX_SKIP:
            run->skipped++;
            break;
        default:
            run->errors++;
        }
}
