/* Atlas lists (MA-PAGING): pageNum, itemsPerPage and includeCount, and the list body
 * {links, results, totalCount} with self/next/previous links as the recordings show, on the
 * origin the request came to. */
#include "atlas/atlas.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A decimal in [lo, hi]; an absent value keeps *out. */
static bool parse_count(const char *s, long lo, long hi, long *out)
{
    if (!s) return true;
    size_t n = strlen(s);
    if (n == 0 || n > 9) return false;
    for (size_t i = 0; i < n; i++)
        if (!isdigit((unsigned char)s[i])) return false;
    long v = strtol(s, NULL, 10);
    if (v < lo || v > hi) return false;
    *out = v;
    return true;
}

bool br__ma_paging(br_ctx *ctx, br_ma_page *pg)
{
    *pg = (br_ma_page){.num = 1, .per = 100, .count = true};
    const char *count = br__query(ctx, "includeCount");
    const char *bad = NULL;
    if (!parse_count(br__query(ctx, "pageNum"), 1, 999999999L, &pg->num))
        bad = "pageNum";
    else if (!parse_count(br__query(ctx, "itemsPerPage"), 1, MA_MAX_PER_PAGE, &pg->per))
        bad = "itemsPerPage";
    else if (count && strcasecmp(count, "true") != 0 && strcasecmp(count, "false") != 0)
        bad = "includeCount";
    else if (count)
        pg->count = strcasecmp(count, "true") == 0;
    br__applied(ctx, BR_RULE_MA_PAGING);
    if (br__rule(ctx, BR_RULE_MA_PAGING, bad != NULL)) {
        br__ma_bad(ctx, "INVALID_QUERY_PARAMETER", bad, NULL,
                   "Invalid query parameter %s specified.", bad);
        return false;
    }
    return true;
}

/* A Host value usable in a link: a host name, IPv4 address or [IPv6] literal, with a port. */
static bool authority_ok(const char *host)
{
    size_t n = strlen(host);
    if (n == 0 || n > MA_MAX_HOST) return false;
    for (size_t i = 0; i < n; i++)
        if (!isalnum((unsigned char)host[i]) && !strchr(".-_~:[]%", host[i])) return false;
    return true;
}

/* Where links point: the origin the request came to (its Host, and X-Forwarded-Proto's
 * scheme, https without it), as a real Atlas builds them (recorded: http://localhost:8080/...
 * for a client that called localhost:8080), so that a client following them stays on the
 * server it called; Atlas's own origin for a request without a Host (the model in-process). */
static void origin(const br_ctx *ctx, char *out, size_t len)
{
    const char *host = br__header(ctx, "Host");
    if (!host || !authority_ok(host)) {
        snprintf(out, len, "%s", MA_BASE_URL);
        return;
    }
    const char *proto = br__header(ctx, "X-Forwarded-Proto");
    bool plain = proto && strcasecmp(proto, "http") == 0;
    snprintf(out, len, "%s://%s", plain ? "http" : "https", host);
}

static json_t *link(br_ctx *ctx, const br_ma_page *pg, long num, const char *rel)
{
    char base[MA_MAX_HOST + 16];
    origin(ctx, base, sizeof base);
    size_t len = strlen(base) + strlen(ctx->req->path) + 96;
    char *href = br__malloc(len);
    if (!href) return NULL;
    snprintf(href, len, "%s%s?includeCount=%s&pageNum=%ld&itemsPerPage=%ld", base, ctx->req->path,
             pg->count ? "true" : "false", num, pg->per);
    json_t *o = json_pack("{s:s,s:s}", "href", href, "rel", rel);
    br__free(href);
    return o;
}

int br__ma_list(br_ctx *ctx, json_t *all, const br_ma_page *pg)
{
    if (!all) {
        ctx->oom = true;
        return BR_OK;
    }
    size_t total = json_array_size(all);
    size_t first = (size_t)(pg->num - 1) * (size_t)pg->per;
    json_t *results = json_array();
    for (size_t k = first; results && k < total && k < first + (size_t)pg->per; k++)
        br__append(ctx, results, json_incref(json_array_get(all, k)));
    json_decref(all);
    return br__ma_list_page(ctx, results, total, pg);
}

int br__ma_list_page(br_ctx *ctx, json_t *results, size_t total, const br_ma_page *pg)
{
    size_t first = (size_t)(pg->num - 1) * (size_t)pg->per;
    json_t *links = json_array(), *body = json_object();
    if (!results || !links || !body) {
        json_decref(results);
        json_decref(links);
        json_decref(body);
        ctx->oom = true;
        return BR_OK;
    }
    br__append(ctx, links, link(ctx, pg, pg->num, "self"));
    if (first + (size_t)pg->per < total) br__append(ctx, links, link(ctx, pg, pg->num + 1, "next"));
    if (pg->num > 1) br__append(ctx, links, link(ctx, pg, pg->num - 1, "previous"));
    br__set(ctx, body, "links", links);
    br__set(ctx, body, "results", results);
    if (pg->count) br__set(ctx, body, "totalCount", json_integer((json_int_t)total));
    return br__ma_ok(ctx, body);
}
