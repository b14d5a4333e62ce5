/* Faults armed through the admin API: for requests whose path matches a pattern (and method,
 * as sent: HEAD is not GET here), answer 429 (with Retry-After), 500 or 503 in place of the
 * model, delay the answer, or drop the connection; once, a number of times, or every time. */
#include "server_internal.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

/* A method name as clients send them: 1 to 15 capital letters. */
static bool method_token(const char *m)
{
    size_t n = m ? strlen(m) : 0;
    if (n == 0 || n >= sizeof((br__fault *)0)->method) return false;
    for (size_t i = 0; i < n; i++)
        if (m[i] < 'A' || m[i] > 'Z') return false;
    return true;
}

int br__faults_add(br__faults *f, const json_t *spec, char *err, size_t errlen)
{
    br__fault x = {0};
    const char *path = json_string_value(json_object_get(spec, "path"));
    const char *method = json_string_value(json_object_get(spec, "method"));
    json_t *status = json_object_get(spec, "status"), *retry = json_object_get(spec, "retryAfter");
    json_t *delay = json_object_get(spec, "delayMs"), *times = json_object_get(spec, "times");
    json_t *drop = json_object_get(spec, "drop");
    static const char *const known[] = {"path",    "method", "status", "retryAfter",
                                        "delayMs", "drop",   "times",  NULL};
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)spec, k, v)
    {
        size_t i = 0;
        while (known[i] && strcmp(known[i], k) != 0)
            i++;
        if (!known[i]) {
            snprintf(err, errlen,
                     "unknown key \"%.80s\" (a fault takes \"path\", \"method\", \"status\", "
                     "\"retryAfter\", \"delayMs\", \"drop\", \"times\")",
                     k);
            return -1;
        }
    }
    if (!json_is_object(spec) || !path || strlen(path) >= sizeof x.path) {
        snprintf(err, errlen, "a fault needs \"path\" (a pattern of at most 511 characters)");
        return -1;
    }
    json_t *m = json_object_get(spec, "method");
    if (m && !json_is_null(m) && !method_token(method)) {
        /* Methods are case-sensitive (RFC 9110 section 9.1): "get" would never match a GET. */
        snprintf(err, errlen,
                 "\"method\" is a request method as sent, in capitals (\"GET\", \"POST\", ...)");
        return -1;
    }
    if (status && (!json_is_integer(status) ||
                   (json_integer_value(status) != 429 && json_integer_value(status) != 500 &&
                    json_integer_value(status) != 503))) {
        snprintf(err, errlen, "\"status\" is 429, 500 or 503");
        return -1;
    }
    if ((retry && (!json_is_integer(retry) || json_integer_value(retry) < 0 ||
                   json_integer_value(retry) > 3600)) ||
        (delay && (!json_is_integer(delay) || json_integer_value(delay) < 0 ||
                   json_integer_value(delay) > 60000)) ||
        (times && (!json_is_integer(times) || json_integer_value(times) < 0 ||
                   json_integer_value(times) > 1000000)) ||
        (drop && !json_is_boolean(drop))) {
        snprintf(err, errlen,
                 "\"retryAfter\" is 0..3600 seconds, \"delayMs\" 0..60000, \"times\" 0..1000000 "
                 "(0: every time), \"drop\" a boolean");
        return -1;
    }
    if (!status && !(delay && json_integer_value(delay) > 0) && !json_is_true(drop)) {
        /* {"delayMs": 0} alone would be armed, take its uses and do nothing. */
        snprintf(err, errlen,
                 "a fault needs \"status\", \"delayMs\" over 0 or \"drop\": true (it would do "
                 "nothing)");
        return -1;
    }
    /* The admin API is never faulted (a client could not take its faults back): a pattern
     * whose fixed start is under it would be armed and never hit. */
    size_t fixed = strcspn(path, "*?[\\");
    if (fixed >= 9 && strncmp(path, "/_brcheck", 9) == 0) {
        snprintf(err, errlen,
                 "\"path\" \"%.200s\" is under the admin API (/_brcheck/), which faults never "
                 "hit; faults apply to the vendor APIs",
                 path);
        return -1;
    }
    snprintf(x.path, sizeof x.path, "%s", path);
    snprintf(x.method, sizeof x.method, "%s", method ? method : "");
    x.status = status ? (int)json_integer_value(status) : 0;
    x.retry_after = retry ? (int)json_integer_value(retry) : (x.status == 429 ? 1 : 0);
    x.delay_ms = delay ? (int)json_integer_value(delay) : 0;
    x.drop = json_is_true(drop);
    x.times = times ? (int)json_integer_value(times) : 1;
    pthread_mutex_lock(&f->lock);
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 8;
        br__fault *items = realloc(f->items, cap * sizeof *items);
        if (!items) {
            pthread_mutex_unlock(&f->lock);
            snprintf(err, errlen, "out of memory");
            return -1;
        }
        f->items = items;
        f->cap = cap;
    }
    x.id = ++f->next_id;
    f->items[f->n++] = x;
    pthread_mutex_unlock(&f->lock);
    return x.id;
}

bool br__faults_take(br__faults *f, const char *method, const char *path, br__fault *out)
{
    bool hit = false;
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; i < f->n && !hit; i++) {
        br__fault *x = &f->items[i];
        if ((x->method[0] && strcmp(x->method, method) != 0) || fnmatch(x->path, path, 0) != 0)
            continue;
        *out = *x;
        hit = true;
        if (x->times > 0 && --x->times == 0) {
            memmove(x, x + 1, (f->n - i - 1) * sizeof *x);
            f->n--;
        }
    }
    pthread_mutex_unlock(&f->lock);
    return hit;
}

json_t *br__faults_list(br__faults *f)
{
    json_t *out = json_array();
    pthread_mutex_lock(&f->lock);
    for (size_t i = 0; out && i < f->n; i++) {
        const br__fault *x = &f->items[i];
        json_array_append_new(out, json_pack("{s:i,s:s,s:s?,s:i,s:i,s:i,s:b,s:i}", "id", x->id,
                                             "path", x->path, "method",
                                             x->method[0] ? x->method : NULL, "status", x->status,
                                             "retryAfter", x->retry_after, "delayMs", x->delay_ms,
                                             "drop", x->drop, "times", x->times));
    }
    pthread_mutex_unlock(&f->lock);
    return out;
}

void br__faults_clear(br__faults *f)
{
    pthread_mutex_lock(&f->lock);
    f->n = 0;
    pthread_mutex_unlock(&f->lock);
}
