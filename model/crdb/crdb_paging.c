/* CockroachDB keyset paging (CC-LIST-BACKUPS): pagination.page is an opaque token naming
 * the last row shown ("<unix time>.<id>"), rows are ordered by (time, id), ASC by default;
 * start_time is inclusive and end_time exclusive. */
#include "crdb/crdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CC_PAGE_DEFAULT 100
#define CC_PAGE_MAX 1000

static bool parse_limit(const char *s, long *out)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (*s == '\0' || *end != '\0' || v < 0 || v > 2147483647LL) return false;
    *out = v == 0 ? CC_PAGE_DEFAULT : v > CC_PAGE_MAX ? CC_PAGE_MAX : (long)v;
    return true;
}

static bool parse_token(const char *s, br__cc_page *p)
{
    char *end;
    long long t = strtoll(s, &end, 10);
    if (end == s || *end != '.' || strlen(end + 1) == 0 || strlen(end + 1) >= BR_ID_MAX)
        return false;
    p->has_after = true;
    p->after_time = t;
    snprintf(p->after_id, sizeof p->after_id, "%s", end + 1);
    return true;
}

bool br__cc_page_parse(br_ctx *ctx, br__cc_page *p)
{
    memset(p, 0, sizeof *p);
    p->limit = CC_PAGE_DEFAULT;
    const char *limit = br__query(ctx, "pagination.limit");
    const char *order = br__query(ctx, "pagination.sort_order");
    const char *page = br__query(ctx, "pagination.page");
    const char *as_of = br__query(ctx, "pagination.as_of_time");
    const char *start = br__query(ctx, "start_time"), *end = br__query(ctx, "end_time");
    br_time ignored;
    if (limit && !parse_limit(limit, &p->limit)) {
        CC_BAD(ctx, "pagination.limit must be a non-negative integer");
        return false;
    }
    if (order && *order && strcmp(order, "ASC") != 0 && strcmp(order, "DESC") != 0) {
        CC_BAD(ctx, "pagination.sort_order is ASC or DESC");
        return false;
    }
    p->desc = order && strcmp(order, "DESC") == 0;
    if (page && *page && !parse_token(page, p)) {
        CC_BAD(ctx, "invalid pagination.page token");
        return false;
    }
    if ((as_of && br__time_parse(as_of, &ignored) != BR_OK) ||
        (start && br__time_parse(start, &p->start) != BR_OK) ||
        (end && br__time_parse(end, &p->end) != BR_OK)) {
        CC_BAD(ctx, "start_time, end_time and pagination.as_of_time are RFC 3339 times");
        return false;
    }
    p->has_start = start != NULL;
    p->has_end = end != NULL;
    return true;
}

static int cmp_key(br_time t1, const char *id1, br_time t2, const char *id2)
{
    if (t1 != t2) return t1 < t2 ? -1 : 1;
    return strcmp(id1, id2);
}

static int cmp_rows(const void *a, const void *b)
{
    const br__cc_row *x = a, *y = b;
    return cmp_key(x->t, x->id, y->t, y->id);
}

static int cmp_rows_desc(const void *a, const void *b)
{
    return -cmp_rows(a, b);
}

void br__cc_page_select(const br__cc_page *p, br__cc_row *rows, size_t *n, bool *more)
{
    if (*n > 1) qsort(rows, *n, sizeof *rows, p->desc ? cmp_rows_desc : cmp_rows);
    size_t first = 0;
    while (p->has_after && first < *n) {
        int c = cmp_key(rows[first].t, rows[first].id, p->after_time, p->after_id);
        if (p->desc ? c < 0 : c > 0) break;
        first++;
    }
    size_t left = *n - first;
    size_t keep = left < (size_t)p->limit ? left : (size_t)p->limit;
    if (keep && first) memmove(rows, rows + first, keep * sizeof *rows);
    *n = keep;
    *more = left > keep;
}

json_t *br__cc_page_json(const br__cc_row *last, bool more)
{
    json_t *o = json_object();
    if (!o || !more || !last) return o;
    char token[BR_ID_MAX + 24];
    snprintf(token, sizeof token, "%lld.%s", (long long)last->t, last->id);
    if (json_object_set_new(o, "next_page", json_string(token)) != 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

/* The first position in [lo, hi) whose row is after (strictly: > 0, else >= 0) the key. */
static size_t bound(size_t lo, size_t hi, const void *data,
                    br__cc_row (*row)(const void *data, size_t k), br_time t, const char *id,
                    bool strictly)
{
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        br__cc_row r = row(data, mid);
        int c = cmp_key(r.t, r.id, t, id);
        if (strictly ? c > 0 : c >= 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

void br__cc_page_window(const br__cc_page *p, size_t n, const void *data,
                        br__cc_row (*row)(const void *data, size_t k), size_t *pos, size_t *keep,
                        bool *more)
{
    /* start_time inclusive, end_time exclusive: rows [lo, hi) by time alone. */
    size_t lo = p->has_start ? bound(0, n, data, row, p->start, "", false) : 0;
    size_t hi = p->has_end ? bound(0, n, data, row, p->end, "", false) : n;
    if (hi < lo) hi = lo;
    size_t left, k = 0;
    if (!p->desc) {
        size_t first =
            p->has_after ? bound(lo, hi, data, row, p->after_time, p->after_id, true) : lo;
        left = hi - first;
        for (; k < left && k < (size_t)p->limit; k++)
            pos[k] = first + k;
    } else {
        size_t end =
            p->has_after ? bound(lo, hi, data, row, p->after_time, p->after_id, false) : hi;
        left = end - lo;
        for (; k < left && k < (size_t)p->limit; k++)
            pos[k] = end - 1 - k;
    }
    *keep = k;
    *more = left > k;
}

int br__cc_page_answer(br_ctx *ctx, const br__cc_page *p, br__cc_row *rows, size_t n,
                       const char *key, json_t *(*item)(const br_world *w, size_t index))
{
    bool more;
    br__cc_page_select(p, rows, &n, &more);
    return br__cc_page_rows(ctx, rows, n, more, key, item);
}

int br__cc_page_rows(br_ctx *ctx, br__cc_row *rows, size_t n, bool more, const char *key,
                     json_t *(*item)(const br_world *w, size_t index))
{
    json_t *list = json_array();
    for (size_t k = 0; list && k < n; k++)
        br__append(ctx, list, item(ctx->w, rows[k].index));
    json_t *page = br__cc_page_json(n ? &rows[n - 1] : NULL, more);
    br__free(rows);
    if (!list || !page) {
        json_decref(list);
        json_decref(page);
        return BR_ENOMEM;
    }
    return br__cc_ok(ctx, json_pack("{s:o,s:o}", key, list, "pagination", page));
}
