/* Lockstep play of a step sequence against a target and the faithful in-process model (the
 * oracle): answers compared field by field with generated ids mapped between the two sides,
 * then the target's invariants, the observed invariants and INV-ATOMIC. */
#include "fuzz_run.h"

#include "matcher.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct br_lockstep {
    br_fuzz_env env;
    br_target *oracle; /* owned */
    json_t *constants; /* every string of the world description: {string: true} */
    json_t *cap_o;     /* name -> the oracle's value */
    json_t *cap_t;     /* name -> the target's value */
    json_t *by_o;      /* oracle value -> name */
    json_t *by_t;      /* target value -> name */
    json_t *fresh;     /* names bound by the current step: {name: true} */
    br_observer *obs;
    br_response last; /* the oracle's last answer */
    bool has_last;
    unsigned next_name;
    unsigned pending; /* state-changing steps since the worlds were last compared */
};

const char *br_div_kind_name(br_div_kind k)
{
    static const char *const names[] = {"none",     "answer", "invariant",
                                        "observed", "atomic", "world"};
    return k <= BR_DIV_WORLD ? names[k] : "?";
}

void br_divergence_clear(br_divergence *d)
{
    if (!d) return;
    json_decref(d->oracle_value);
    memset(d, 0, sizeof *d);
}

static void collect_strings(json_t *set, const json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    if (json_is_string(v)) {
        json_object_set_new(set, json_string_value(v), json_true());
    } else if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, e) collect_strings(set, e);
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e) collect_strings(set, e);
    }
}

void br_lockstep_free(br_lockstep *ls)
{
    if (!ls) return;
    if (ls->oracle) ls->oracle->close(ls->oracle);
    json_decref(ls->constants);
    json_decref(ls->cap_o);
    json_decref(ls->cap_t);
    json_decref(ls->by_o);
    json_decref(ls->by_t);
    json_decref(ls->fresh);
    br_observer_free(ls->obs);
    br_response_clear(&ls->last);
    free(ls);
}

br_lockstep *br_lockstep_new(const br_fuzz_env *env, char *err, size_t errlen)
{
    br_lockstep *ls = calloc(1, sizeof *ls);
    if (!ls) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    ls->env = *env;
    ls->oracle = br_model_target_new(BR_RULE_COUNT);
    ls->constants = json_object();
    ls->cap_o = json_object();
    ls->cap_t = json_object();
    ls->by_o = json_object();
    ls->by_t = json_object();
    ls->fresh = json_object();
    ls->obs = br_observer_new();
    ls->next_name = 1;
    if (!ls->oracle || !ls->constants || !ls->cap_o || !ls->cap_t || !ls->by_o || !ls->by_t ||
        !ls->fresh || !ls->obs) {
        snprintf(err, errlen, "out of memory");
        br_lockstep_free(ls);
        return NULL;
    }
    collect_strings(ls->constants, env->given);
    if (ls->oracle->reset(ls->oracle, env->given, env->profile, err, errlen) != BR_OK ||
        env->target->reset(env->target, env->given, env->profile, err, errlen) != BR_OK) {
        br_lockstep_free(ls);
        return NULL;
    }
    return ls;
}

const br_response *br_lockstep_oracle_answer(const br_lockstep *ls)
{
    return ls->has_last ? &ls->last : NULL;
}

/* ---- what a field is ---- */

static bool in_list(const char *k, const char *const *list)
{
    for (size_t i = 0; list[i]; i++)
        if (strcmp(k, list[i]) == 0) return true;
    return false;
}

/* Fields whose values are ids the service makes up (and paging tokens). */
static bool id_key(const char *k)
{
    static const char *const keys[] = {"id",        "jobId",     "backupId",
                                       "clusterId", "restoreId", "snapshotId",
                                       "backup_id", "next_page", NULL};
    return k && in_list(k, keys);
}

static bool secret_key(const char *k)
{
    return k && (strcasecmp(k, "password") == 0 || strcasecmp(k, "privateKey") == 0);
}

static bool loose_key(const char *k) /* compared only in strict mode */
{
    static const char *const keys[] = {"message", "detail", "client_error_message", NULL};
    if (!k) return false;
    size_t n = strlen(k);
    return in_list(k, keys) || (n > 4 && strcmp(k + n - 4, "Time") == 0) ||
           (n > 3 && strcmp(k + n - 3, "_at") == 0) || (n > 4 && strcmp(k + n - 4, "Date") == 0) ||
           strcmp(k, "expiration") == 0 || strcmp(k, "as_of_time") == 0 ||
           strcmp(k, "backup_end_time") == 0;
}

static bool constant(const br_lockstep *ls, const char *s)
{
    return json_object_get(ls->constants, s) != NULL;
}

/* ---- JSON pointers ---- */

static void ptr_append(char *out, size_t len, const char *base, const char *seg)
{
    size_t n = (size_t)snprintf(out, len, "%s/", base);
    for (; *seg && n + 3 < len; seg++) {
        if (*seg == '~' || *seg == '/') {
            out[n++] = '~';
            out[n++] = *seg == '~' ? '0' : '1';
        } else {
            out[n++] = *seg;
        }
    }
    out[n < len ? n : len - 1] = '\0';
}

static json_t *ptr_get(json_t *v, const char *ptr)
{
    char buf[512];
    snprintf(buf, sizeof buf, "%s", ptr);
    char *p = buf;
    while (v && *p == '/') {
        p++;
        size_t l = strcspn(p, "/");
        char seg[256], *o = seg;
        for (size_t i = 0; i < l && o < seg + sizeof seg - 1; i++) {
            if (p[i] == '~' && i + 1 < l && (p[i + 1] == '0' || p[i + 1] == '1')) {
                *o++ = p[i + 1] == '0' ? '~' : '/';
                i++;
            } else {
                *o++ = p[i];
            }
        }
        *o = '\0';
        v = json_is_array(v) ? json_array_get(v, (size_t)atol(seg)) : json_object_get(v, seg);
        p += l;
    }
    return v;
}

/* ---- ids ---- */

static const char *annotated_name(json_t *step, const char *ptr)
{
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(step, "capture"), k, v)
    {
        if (json_is_string(v) && strcmp(json_string_value(v), ptr) == 0) return k;
    }
    return NULL;
}

static void bind(br_lockstep *ls, const char *name, const char *ov, const char *tv)
{
    json_object_set_new(ls->cap_o, name, json_string(ov));
    json_object_set_new(ls->cap_t, name, json_string(tv));
    json_object_set_new(ls->by_o, ov, json_string(name));
    json_object_set_new(ls->by_t, tv, json_string(name));
    json_object_set_new(ls->fresh, name, json_true());
}

/* An id the oracle made up: the same name on both sides, a new one bound on first sight. */
static bool match_id(br_lockstep *ls, json_t *step, const char *ptr, const char *ov, const char *tv,
                     char *msg, size_t len)
{
    const char *name = json_string_value(json_object_get(ls->by_o, ov));
    if (name) {
        const char *want = json_string_value(json_object_get(ls->cap_t, name));
        if (want && strcmp(want, tv) == 0) return true;
        snprintf(msg, len, "%s: id %s stands for %s here, the oracle's %s stands for %s", ptr, tv,
                 want ? want : "nothing", ov, name);
        return false;
    }
    const char *other = json_string_value(json_object_get(ls->by_t, tv));
    if (other) {
        snprintf(msg, len, "%s: id %s was already %s; the oracle has a new id %s", ptr, tv, other,
                 ov);
        return false;
    }
    name = annotated_name(step, ptr);
    char fresh[32];
    if (!name) {
        snprintf(fresh, sizeof fresh, "v%u", ls->next_name++);
        name = fresh;
        json_t *cap = json_object_get(step, "capture");
        if (!json_is_object(cap)) {
            cap = json_object();
            json_object_set_new(step, "capture", cap);
        }
        json_object_set_new(cap, name, json_string(ptr));
    }
    bind(ls, name, ov, tv);
    return true;
}

/* 's' with every target id replaced by the oracle's. Owned result. */
static char *map_to_oracle(const br_lockstep *ls, const char *s)
{
    char *out = strdup(s);
    const char *name;
    json_t *tv;
    json_object_foreach(ls->cap_t, name, tv)
    {
        const char *from = json_string_value(tv);
        const char *to = json_string_value(json_object_get(ls->cap_o, name));
        if (!out || !from || !to || !*from || strcmp(from, to) == 0) continue;
        char *hit;
        while (out && (hit = strstr(out, from))) {
            size_t n = strlen(out) - strlen(from) + strlen(to) + 1;
            char *next = malloc(n);
            if (next) snprintf(next, n, "%.*s%s%s", (int)(hit - out), out, to, hit + strlen(from));
            free(out);
            out = next;
        }
    }
    return out;
}

static void show(char *buf, size_t len, const json_t *v)
{
    char *s = v ? json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    snprintf(buf, len, "%.200s", s ? s : "(absent)");
    free(s);
}

/* A link's (or an endpoint's) path and query: its origin is the server the client called (a server
 * built on the Host it was called with, the oracle in-process on Atlas's own), not a behaviour.
 * NULL when 's' is not an absolute http(s) URL. */
static const char *after_origin(const char *s)
{
    const char *p = strncmp(s, "https://", 8) == 0  ? s + 8
                    : strncmp(s, "http://", 7) == 0 ? s + 7
                                                    : NULL;
    return p ? p + strcspn(p, "/?#") : NULL;
}

/* Walks the oracle's value and the target's side by side. 'ids': bind made-up ids (answer
 * bodies); 'at' receives the pointer of the first difference. */
static bool compare(br_lockstep *ls, json_t *step, const json_t *o, const json_t *t,
                    const char *ptr, const char *key, bool ids, char *msg, size_t len, char *at,
                    size_t atlen)
{
    char a[256], b[256];
    if (!o && !t) return true;
    if (!o || !t || json_typeof(o) != json_typeof(t)) {
        show(a, sizeof a, o);
        show(b, sizeof b, t);
        snprintf(msg, len, "%s: the oracle has %s, the target %s", ptr[0] ? ptr : "/", a, b);
        snprintf(at, atlen, "%s", ptr);
        return false;
    }
    const char *k;
    json_t *v;
    size_t i;
    char sub[512];
    switch (json_typeof(o)) {
    case JSON_OBJECT:
        json_object_foreach((json_t *)o, k, v)
        {
            ptr_append(sub, sizeof sub, ptr, k);
            if (!compare(ls, step, v, json_object_get(t, k), sub, k, ids, msg, len, at, atlen))
                return false;
        }
        json_object_foreach((json_t *)t, k, v)
        {
            if (!json_object_get(o, k)) {
                ptr_append(sub, sizeof sub, ptr, k);
                return compare(ls, step, NULL, v, sub, k, ids, msg, len, at, atlen);
            }
        }
        return true;
    case JSON_ARRAY:
        if (json_array_size(o) != json_array_size(t)) {
            snprintf(msg, len, "%s: the oracle has %zu elements, the target %zu",
                     ptr[0] ? ptr : "/", json_array_size(o), json_array_size(t));
            snprintf(at, atlen, "%s", ptr);
            return false;
        }
        json_array_foreach(o, i, v)
        {
            snprintf(sub, sizeof sub, "%s/%zu", ptr, i);
            if (!compare(ls, step, v, json_array_get(t, i), sub, key, ids, msg, len, at, atlen))
                return false;
        }
        return true;
    case JSON_STRING: {
        const char *os = json_string_value(o), *ts = json_string_value(t);
        if (secret_key(key)) return true;
        if (ids && id_key(key) && !constant(ls, os)) {
            if (match_id(ls, step, ptr, os, ts, msg, len)) return true;
            snprintf(at, atlen, "%s", ptr);
            return false;
        }
        if (!ls->env.strict && loose_key(key)) return true;
        if (key && (strcmp(key, "href") == 0 || strcmp(key, "connectAddress") == 0) &&
            after_origin(os) && after_origin(ts)) {
            os = after_origin(os);
            ts = after_origin(ts);
        }
        if (strcmp(os, ts) == 0) return true;
        char *mapped = map_to_oracle(ls, ts);
        bool same = mapped && strcmp(mapped, os) == 0;
        free(mapped);
        if (same) return true;
        break;
    }
    default:
        if (json_equal(o, t)) return true;
    }
    show(a, sizeof a, o);
    show(b, sizeof b, t);
    snprintf(msg, len, "%s: the oracle has %s, the target %s", ptr[0] ? ptr : "/", a, b);
    snprintf(at, atlen, "%s", ptr);
    return false;
}

/* The ${name} standing for e when e is a string holding an id bound before (new), else NULL. */
static json_t *ref_for(const br_lockstep *ls, const json_t *e)
{
    const char *name = json_is_string(e)
                           ? json_string_value(json_object_get(ls->by_o, json_string_value(e)))
                           : NULL;
    if (!name) return NULL;
    char ref[64];
    snprintf(ref, sizeof ref, "${%s}", name);
    return json_string(ref);
}

/* Every whole string value inside v (an object or an array) that holds a bound id, as
 * ${name}; below 64 levels values are left as they are. */
static void symbolize_values(const br_lockstep *ls, json_t *v, int depth)
{
    const char *k;
    json_t *e, *ref;
    size_t i;
    if (depth > 64) return;
    if (json_is_object(v)) {
        json_object_foreach(v, k, e)
        {
            if ((ref = ref_for(ls, e)))
                json_object_set_new(v, k, ref);
            else
                symbolize_values(ls, e, depth + 1);
        }
    } else if (json_is_array(v)) {
        json_array_foreach(v, i, e)
        {
            if ((ref = ref_for(ls, e)))
                json_array_set_new(v, i, ref);
            else
                symbolize_values(ls, e, depth + 1);
        }
    }
}

void br_lockstep_symbolize(br_lockstep *ls, json_t *step)
{
    json_t *req = json_object_get(step, "request");
    const char *path = json_string_value(json_object_get(req, "path"));
    if (path) {
        /* whole path segments and query values */
        char out[2048];
        size_t n = 0;
        const char *p = path;
        out[0] = '\0';
        while (*p) {
            size_t l = strcspn(p, "/?&=");
            if (l) {
                char seg[512];
                snprintf(seg, sizeof seg, "%.*s", (int)(l < 511 ? l : 511), p);
                const char *name = json_string_value(json_object_get(ls->by_o, seg));
                if (name)
                    n += (size_t)snprintf(out + n, sizeof out - n, "${%s}", name);
                else
                    n += (size_t)snprintf(out + n, sizeof out - n, "%.*s", (int)l, p);
                p += l;
            }
            if (n + 2 >= sizeof out) return; /* too long to rewrite: left as it is */
            if (*p) {
                out[n++] = *p++;
                out[n] = '\0';
            }
        }
        json_object_set_new(req, "path", json_string(out));
    }
    /* whole string values of the body */
    symbolize_values(ls, json_object_get(req, "body"), 0);
    /* the first label of a Host header (a Zilliz cluster's own endpoint names its id) */
    const char *k;
    json_t *v;
    json_object_foreach(json_object_get(req, "headers"), k, v)
    {
        const char *host = json_string_value(v);
        if (strcasecmp(k, "Host") != 0 || !host) continue;
        size_t l = strcspn(host, ".:");
        char label[64], out[512];
        if (l == 0 || l >= sizeof label) continue;
        snprintf(label, sizeof label, "%.*s", (int)l, host);
        const char *name = json_string_value(json_object_get(ls->by_o, label));
        if (!name || (size_t)snprintf(out, sizeof out, "${%s}%s", name, host + l) >= sizeof out)
            continue;
        json_object_set_new(json_object_get(req, "headers"), k, json_string(out));
    }
}

/* ---- expectations for fixtures ---- */

/* 's' with every id bound before this step written as ${name}; NULL when it holds an id
 * bound by this step (then only "$any" can stand for it). Owned result. */
static char *symbolic_text(const br_lockstep *ls, const char *s)
{
    char *out = strdup(s);
    const char *name;
    json_t *ov;
    json_object_foreach(ls->cap_o, name, ov)
    {
        const char *from = json_string_value(ov);
        if (!out || !from || !*from || !strstr(out, from)) continue;
        if (json_object_get(ls->fresh, name)) {
            free(out);
            return NULL;
        }
        char ref[64];
        snprintf(ref, sizeof ref, "${%s}", name);
        char *hit;
        size_t from_len = strlen(from);
        char *scan = out;
        while (out && (hit = strstr(scan, from))) {
            size_t off = (size_t)(hit - out);
            size_t n = strlen(out) - from_len + strlen(ref) + 1;
            char *next = malloc(n);
            if (next) snprintf(next, n, "%.*s%s%s", (int)off, out, ref, hit + from_len);
            free(out);
            out = next;
            scan = out ? out + off + strlen(ref) : NULL;
        }
    }
    return out;
}

/* A link or an address with any origin (a server builds them on the origin it is called
 * at, as the fuzzer compares them): "$regex:^https?://[^/?#]+REST$", REST escaped, its ids
 * as ${name} (ids are letters, digits and dashes: nothing to escape once filled in). */
static json_t *origin_free(const br_lockstep *ls, const char *rest)
{
    char *text = symbolic_text(ls, rest);
    if (!text) return json_string("$any");
    size_t n = strlen(text);
    char *re = malloc(n * 2 + 32);
    if (!re) {
        free(text);
        return NULL;
    }
    size_t o = (size_t)sprintf(re, "$regex:^https?://[^/?#]+");
    for (const char *p = text; *p; p++) {
        if (p[0] == '$' && p[1] == '{' && strchr(p, '}')) { /* a ${name}, kept whole */
            size_t l = (size_t)(strchr(p, '}') - p) + 1;
            memcpy(re + o, p, l);
            o += l;
            p += l - 1;
            continue;
        }
        if (strchr("\\.^$|?*+()[]{}", *p)) re[o++] = '\\';
        re[o++] = *p;
    }
    re[o++] = '$';
    re[o] = '\0';
    json_t *out = json_string(re);
    free(re);
    free(text);
    return out;
}

static json_t *skeleton(const br_lockstep *ls, json_t *step, const json_t *v, const char *ptr,
                        const char *key)
{
    const char *k;
    json_t *e;
    size_t i;
    char sub[512];
    if (json_is_object(v)) {
        json_t *o = json_object();
        json_object_foreach((json_t *)v, k, e)
        {
            ptr_append(sub, sizeof sub, ptr, k);
            json_object_set_new(o, k, skeleton(ls, step, e, sub, k));
        }
        return o;
    }
    if (json_is_array(v)) {
        json_t *a = json_array();
        json_array_foreach(v, i, e)
        {
            snprintf(sub, sizeof sub, "%s/%zu", ptr, i);
            json_array_append_new(a, skeleton(ls, step, e, sub, key));
        }
        return a;
    }
    if (!json_is_string(v)) return json_deep_copy(v);
    const char *s = json_string_value(v);
    if (secret_key(key)) return json_string("$any");
    if (id_key(key) && !constant(ls, s)) {
        const char *name = json_string_value(json_object_get(ls->by_o, s));
        char m[64];
        if (!name) return json_string("$any");
        if (json_object_get(ls->fresh, name)) {
            const char *at =
                json_string_value(json_object_get(json_object_get(step, "capture"), name));
            if (!at || strcmp(at, ptr) != 0) return json_string("$any");
            snprintf(m, sizeof m, "$capture:%s", name);
        } else {
            snprintf(m, sizeof m, "${%s}", name);
        }
        return json_string(m);
    }
    if (!ls->env.strict && loose_key(key)) return json_string("$any");
    if (key && (strcmp(key, "href") == 0 || strcmp(key, "connectAddress") == 0) && after_origin(s))
        return origin_free(ls, after_origin(s));
    char *text = symbolic_text(ls, s);
    if (!text) return json_string("$any");
    json_t *out = json_string(text[0] == '$' && strncmp(text, "${", 2) != 0 ? "$any" : text);
    free(text);
    return out;
}

static json_t *expectation(const br_lockstep *ls, json_t *step, const br_response *res)
{
    json_t *e = json_pack("{s:i}", "status", res->status);
    if (res->body) json_object_set_new(e, "body", skeleton(ls, step, res->body, "", NULL));
    if (ls->env.strict && res->n_headers) {
        json_t *h = json_object();
        for (size_t i = 0; i < res->n_headers; i++)
            json_object_set_new(h, res->headers[i].name, json_string(res->headers[i].value));
        json_object_set_new(e, "headers", h);
    }
    return e;
}

/* Keys the target sends and the oracle does not: "$absent" in the skeleton, since an
 * expectation otherwise lets extra keys through. */
static void mark_absent(json_t *skel, const json_t *o, const json_t *t)
{
    const char *k;
    json_t *v;
    size_t i;
    if (json_is_object(skel) && json_is_object(o) && json_is_object(t)) {
        json_object_foreach((json_t *)t, k, v)
        {
            if (!json_object_get(o, k))
                json_object_set_new(skel, k, json_string("$absent"));
            else
                mark_absent(json_object_get(skel, k), json_object_get(o, k), v);
        }
    } else if (json_is_array(skel) && json_is_array(o) && json_is_array(t) &&
               json_array_size(o) == json_array_size(t)) {
        json_array_foreach(o, i, v) mark_absent(json_array_get(skel, i), v, json_array_get(t, i));
    }
}

/* ---- one step ---- */

static br_vendor vendor_of(const char *path)
{
    if (path && strncmp(path, "/api/atlas/", 11) == 0) return BR_VENDOR_ATLAS;
    if (path && strncmp(path, "/api/v1/", 8) == 0) return BR_VENDOR_CRDB;
    return BR_VENDOR_ZILLIZ;
}

static int fail(br_divergence *d, br_div_kind kind, int index, const char *rule, const char *fmt,
                const char *a, const char *b)
{
    d->kind = kind;
    d->step = index;
    snprintf(d->rule, sizeof d->rule, "%s", rule ? rule : "");
    snprintf(d->message, sizeof d->message, fmt, a ? a : "", b ? b : "");
    return 1;
}

static const char *header(const br_response *res, const char *name)
{
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->headers[i].name, name) == 0) return res->headers[i].value;
    return NULL;
}

static int send_both(br_lockstep *ls, json_t *step, int index, br_divergence *d, json_t **expect)
{
    br_target *t = ls->env.target;
    json_t *request = json_object_get(step, "request");
    char msg[700];
    json_t *ro = br_substitute(request, ls->cap_o, msg, sizeof msg);
    json_t *rt = ro ? br_substitute(request, ls->cap_t, msg, sizeof msg) : NULL;
    if (!ro || !rt) {
        json_decref(ro);
        snprintf(d->message, sizeof d->message, "step %d: %s", index, msg);
        return -1;
    }
    br_vendor v = vendor_of(json_string_value(json_object_get(ro, "path")));
    br_built *bo = br_step_build(ro, v, msg, sizeof msg);
    br_built *bt = bo ? br_step_build(rt, v, msg, sizeof msg) : NULL;
    int rc = -1;
    br_response rest = {0};
    if (!bo || !bt) {
        snprintf(d->message, sizeof d->message, "step %d: %s", index, msg);
        goto out;
    }
    br_response_clear(&ls->last);
    ls->has_last = false;
    if (ls->oracle->send(ls->oracle, br_built_request(bo), &ls->last) != BR_OK) {
        snprintf(d->message, sizeof d->message, "step %d: the oracle failed", index);
        goto out;
    }
    ls->has_last = true;
    uint64_t before = 0, after = 0;
    bool digest = t->digest && t->digest(t, &before);
    if (t->send(t, br_built_request(bt), &rest) != BR_OK) {
        const char *why = t->error ? t->error(t) : NULL;
        snprintf(d->message, sizeof d->message, "step %d: the target failed%s%.400s", index,
                 why ? ": " : "", why ? why : "");
        goto out;
    }
    const br_response *ro_res = &ls->last;
    char a[64], b[64], at[512];
    json_object_clear(ls->fresh);
    rc = 0;
    if (ro_res->status != rest.status) {
        snprintf(a, sizeof a, "%d", ro_res->status);
        snprintf(b, sizeof b, "%d", rest.status);
        rc = fail(d, BR_DIV_ANSWER, index, NULL, "status: the oracle answers %s, the target %s", a,
                  b);
    } else if (ro_res->error != rest.error) {
        rc = fail(d, BR_DIV_ANSWER, index, NULL, "the oracle %s%s, the target does not",
                  ro_res->error ? "refuses" : "accepts", "");
    } else if (!compare(ls, step, ro_res->body, rest.body, "", NULL, true, msg, sizeof msg, at,
                        sizeof at)) {
        rc = fail(d, BR_DIV_ANSWER, index, NULL, "body %s%s", msg, NULL);
    } else if (ls->env.strict) {
        for (size_t i = 0; i < ro_res->n_headers && !rc; i++) {
            const char *want = ro_res->headers[i].value;
            const char *got = header(&rest, ro_res->headers[i].name);
            if (!got || strcmp(got, want) != 0) {
                snprintf(msg, sizeof msg, "header %s: the oracle sends %s, the target %s",
                         ro_res->headers[i].name, want, got ? got : "nothing");
                rc = fail(d, BR_DIV_ANSWER, index, NULL, "%s%s", msg, NULL);
            }
        }
        if (!rc && rest.n_headers != ro_res->n_headers)
            rc = fail(d, BR_DIV_ANSWER, index, NULL, "the target sends other headers%s%s", NULL,
                      NULL);
    }
    if (!rc && rest.error && digest && t->digest(t, &after) && before != after)
        rc = fail(d, BR_DIV_ATOMIC, index, "INV-ATOMIC", "an error answer changed the world%s%s",
                  NULL, NULL);
    char rule[40];
    if (!rc && !br__observe(ls->obs, rest.body, rule, msg, sizeof msg))
        rc = fail(d, BR_DIV_OBSERVED, index, rule, "%s%s", msg, NULL);
    if (expect) {
        *expect = expectation(ls, step, ro_res);
        mark_absent(json_object_get(*expect, "body"), ro_res->body, rest.body);
    }
out:
    br_response_clear(&rest);
    br_built_free(bo);
    br_built_free(bt);
    json_decref(ro);
    json_decref(rt);
    return rc;
}

/* Cluster records of both worlds, ids mapped. */
static int compare_world(br_lockstep *ls, json_t *step, int index, br_divergence *d)
{
    br_target *t = ls->env.target;
    if (!t->dump) return 0;
    json_t *wo = ls->oracle->dump(ls->oracle), *wt = t->dump(t);
    int rc = 0;
    const char *k;
    json_t *co;
    json_object_foreach(json_object_get(wo, "clusters"), k, co)
    {
        const char *name = constant(ls, k) ? NULL : json_string_value(json_object_get(ls->by_o, k));
        if (!constant(ls, k) && !name) continue; /* never seen in an answer */
        const char *tk = name ? json_string_value(json_object_get(ls->cap_t, name)) : k;
        json_t *ct = json_object_get(json_object_get(wt, "clusters"), tk);
        char base[300], msg[700], at[512];
        char ref[64];
        snprintf(ref, sizeof ref, "${%s}", name ? name : "");
        ptr_append(base, sizeof base, "/clusters", name ? ref : k);
        if (!compare(ls, step, co, ct, base, NULL, false, msg, sizeof msg, at, sizeof at)) {
            rc = fail(d, BR_DIV_WORLD, index, NULL, "world %s%s", msg, NULL);
            snprintf(d->pointer, sizeof d->pointer, "%s", at);
            /* the oracle's value at that pointer, looked up with the real id */
            const char *rest = at + strlen(base);
            json_t *val = ptr_get(co, rest);
            d->oracle_value = val ? json_incref(val) : json_string("$absent");
            break;
        }
    }
    json_decref(wo);
    json_decref(wt);
    return rc;
}

int br_lockstep_step(br_lockstep *ls, json_t *step, int index, br_divergence *d, json_t **expect)
{
    br_target *t = ls->env.target;
    if (expect) *expect = NULL;
    int rc;
    if (json_object_get(step, "request")) {
        rc = send_both(ls, step, index, d, expect);
    } else if (json_object_get(step, "advance")) {
        br_time s;
        ls->has_last = false;
        if (!br_fixture_duration(json_object_get(step, "advance"), &s)) {
            snprintf(d->message, sizeof d->message, "step %d: bad advance", index);
            return -1;
        }
        if (ls->oracle->advance(ls->oracle, s) != BR_OK) {
            snprintf(d->message, sizeof d->message, "step %d: the oracle's advance failed", index);
            return -1;
        }
        if (t->advance(t, s) != BR_OK) {
            const char *why = t->error ? t->error(t) : NULL;
            snprintf(d->message, sizeof d->message, "step %d: the target failed to advance%s%.400s",
                     index, why ? ": " : "", why ? why : "");
            return -1;
        }
        rc = 0;
    } else if (json_object_get(step, "sim")) {
        ls->has_last = false;
        json_t *op =
            br_substitute(json_object_get(step, "sim"), ls->cap_o, d->message, sizeof d->message);
        json_t *opt = op ? br_substitute(json_object_get(step, "sim"), ls->cap_t, d->message,
                                         sizeof d->message)
                         : NULL;
        if (!op || !opt) {
            json_decref(op);
            return -1;
        }
        if (!t->sim) { /* a target without simulator operations: neither side does it */
            json_decref(op);
            json_decref(opt);
            return 0;
        }
        int ro = ls->oracle->sim(ls->oracle, op), rt = t->sim(t, opt);
        json_decref(op);
        json_decref(opt);
        const char *lost = rt != BR_OK && t->lost ? t->lost(t) : NULL;
        if (lost) { /* not the target's refusal: its world is gone */
            snprintf(d->message, sizeof d->message, "step %d: the target failed: %.400s", index,
                     lost);
            return -1;
        }
        if (ro != BR_OK)
            json_object_set_new(step, "expectError", json_true());
        else
            json_object_del(step, "expectError");
        rc = 0;
        if ((ro == BR_OK) != (rt == BR_OK))
            rc = fail(d, BR_DIV_ANSWER, index, NULL,
                      "simulator operation: the oracle %s, the target %s",
                      ro == BR_OK ? "accepts" : "refuses", rt == BR_OK ? "accepts" : "refuses");
    } else {
        snprintf(d->message, sizeof d->message,
                 "step %d: only request, advance and sim steps are played in lockstep", index);
        return -1;
    }
    if (rc) return rc;
    br_rule rule;
    char msg[512];
    if (t->check && t->check(t, &rule, msg, sizeof msg) > 0)
        return fail(d, BR_DIV_INVARIANT, index, br_rule_id(rule), "%s%s", msg, NULL);
    /* Cluster content changes only by time, simulator operations and accepted writes. */
    const char *method =
        json_string_value(json_object_get(json_object_get(step, "request"), "method"));
    bool changes = !method || (strcmp(method, "GET") != 0 && ls->has_last && !ls->last.error);
    ls->pending += changes;
    if (ls->env.strict && ls->env.compare_world && ls->pending &&
        ls->pending >= ls->env.world_every) {
        ls->pending = 0;
        return compare_world(ls, step, index, d);
    }
    return 0;
}

int br_lockstep_check_world(br_lockstep *ls, json_t *step, int index, br_divergence *d)
{
    if (!ls->env.strict || !ls->env.compare_world || !ls->pending) return 0;
    ls->pending = 0;
    return compare_world(ls, step, index, d);
}

/* The largest N of the capture names "vN" in the sequence. */
static unsigned max_name(const json_t *steps)
{
    unsigned max = 0;
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s)
    {
        const char *k;
        json_t *v;
        json_object_foreach(json_object_get(s, "capture"), k, v)
        {
            if (k[0] == 'v' && (unsigned)atoi(k + 1) > max) max = (unsigned)atoi(k + 1);
        }
    }
    return max;
}

int br_fuzz_play(const br_fuzz_env *env, json_t *steps, br_divergence *d)
{
    char err[512];
    br_lockstep *ls = br_lockstep_new(env, err, sizeof err);
    if (!ls) {
        snprintf(d->message, sizeof d->message, "cannot load the world: %s", err);
        return -1;
    }
    ls->next_name = max_name(steps) + 1;
    int rc = 0;
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s)
    {
        rc = br_lockstep_step(ls, s, (int)i + 1, d, NULL);
        if (rc) break;
    }
    size_t n = json_array_size(steps);
    if (rc == 0 && n) rc = br_lockstep_check_world(ls, json_array_get(steps, n - 1), (int)n, d);
    br_lockstep_free(ls);
    return rc;
}

/* ---- writing what was found ---- */

json_t *br_fuzz_fixture(const br_fuzz_env *env, const json_t *steps, const char *id,
                        const char *rule, const char *source, br_divergence *d)
{
    char err[512];
    br_fuzz_env every = *env;
    every.world_every = 1; /* the inspect step names the first step where worlds differ */
    br_lockstep *ls = br_lockstep_new(&every, err, sizeof err);
    if (!ls) {
        snprintf(d->message, sizeof d->message, "cannot load the world: %s", err);
        return NULL;
    }
    json_t *play = json_deep_copy(steps);
    ls->next_name = max_name(play) + 1;
    json_t *out = json_array();
    json_t *rules = json_object();
    const char *vendor = NULL;
    size_t i;
    json_t *s;
    br_divergence last = {0};
    json_array_foreach(play, i, s)
    {
        json_t *expect = NULL;
        br_divergence_clear(&last);
        int rc = br_lockstep_step(ls, s, (int)i + 1, &last, &expect);
        json_t *fs = json_deep_copy(s);
        json_object_del(fs, "capture");
        if (expect) json_object_set_new(fs, "expect", expect);
        json_array_append_new(out, fs);
        const br_response *res = br_lockstep_oracle_answer(ls);
        const char *path =
            json_string_value(json_object_get(json_object_get(s, "request"), "path"));
        if (path && !vendor) vendor = br_vendor_name(vendor_of(path));
        if (res && i + 1 == json_array_size(play))
            for (int r = 0; r < BR_RULE_COUNT; r++)
                if (br_ruleset_has(&res->rules, (br_rule)r))
                    json_object_set_new(rules, br_rule_id((br_rule)r), json_string("holds"));
        if (rc == -1) break;
    }
    if (last.kind == BR_DIV_WORLD && last.oracle_value)
        json_array_append_new(out, json_pack("{s:s,s:{s:s,s:O}}", "name", "the oracle's world here",
                                             "inspect", "path", last.pointer, "expect",
                                             last.oracle_value));
    if (rule && br_catalog_rule(rule)) json_object_set_new(rules, rule, json_string("holds"));
    if (last.rule[0] && br_catalog_rule(last.rule))
        json_object_set_new(rules, last.rule, json_string("holds"));
    if (json_object_size(rules) == 0)
        json_object_set_new(rules, "SEC-BAD-INPUT", json_string("holds"));
    br_divergence_clear(&last);
    json_t *fx =
        json_pack("{s:s,s:s,s:o,s:s,s:O,s:o}", "id", id, "vendor", vendor ? vendor : "zilliz",
                  "rules", rules, "source", source, "given", env->given, "steps", out);
    if (env->profile) json_object_set_new(fx, "profile", json_string(env->profile));
    json_decref(play);
    br_lockstep_free(ls);
    return fx;
}
