/* Faults armed through the admin API: for requests whose path matches a pattern, answer 429
 * (with Retry-After), 500 or 503 in place of the model, delay the answer, or drop the
 * connection; once, a number of times, or every time. */
#include "server_internal.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

int br__faults_add(br__faults *f, const json_t *spec, char *err, size_t errlen)
{
    br__fault x = {0};
    const char *path = json_string_value(json_object_get(spec, "path"));
    const char *method = json_string_value(json_object_get(spec, "method"));
    json_t *status = json_object_get(spec, "status"), *retry = json_object_get(spec, "retryAfter");
    json_t *delay = json_object_get(spec, "delayMs"), *times = json_object_get(spec, "times");
    json_t *drop = json_object_get(spec, "drop");
    if (!json_is_object(spec) || !path || strlen(path) >= sizeof x.path) {
        snprintf(err, errlen, "a fault needs \"path\" (a pattern of at most 511 characters)");
        return -1;
    }
    if (method && strlen(method) >= sizeof x.method) {
        snprintf(err, errlen, "\"method\" is too long");
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
    if (!status && !delay && !json_is_true(drop)) {
        snprintf(err, errlen, "a fault needs \"status\", \"delayMs\" or \"drop\": true");
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
