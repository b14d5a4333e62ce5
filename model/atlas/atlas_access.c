/* Atlas access: the gate every request passes before routing (SEC-AUTH with HTTP Digest
 * keys, MA-ACCESS-LIST, MA-VERSION-HEADER), then groups and tenancy (SEC-TENANCY),
 * project roles (MA-ROLE) and the path's cluster. */
#include "atlas/atlas.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* ---- SEC-AUTH: the Digest public key ---- */

/* The username="..." of a Digest Authorization header, copied into out. */
static bool digest_username(const char *h, char *out, size_t len)
{
    if (!h || strncasecmp(h, "Digest ", 7) != 0) return false;
    for (const char *p = h + 7; *p;) {
        while (*p == ' ' || *p == ',')
            p++;
        if (strncasecmp(p, "username=\"", 10) == 0) {
            const char *v = p + 10, *end = strchr(v, '"');
            if (!end || (size_t)(end - v) >= len || end == v) return false;
            memcpy(out, v, (size_t)(end - v));
            out[end - v] = '\0';
            return true;
        }
        const char *q = p; /* skip one name=value pair, quoted values may hold commas */
        while (*q && *q != ',') {
            if (*q == '"') {
                q = strchr(q + 1, '"');
                if (!q) return false;
            }
            q++;
        }
        p = q;
    }
    return false;
}

static long find_key(const br_world *w, const char *public_key)
{
    for (size_t i = 0; public_key && i < w->n_keys; i++)
        if (w->orgs[w->keys[i].org].vendor == BR_VENDOR_ATLAS &&
            strcmp(w->keys[i].key, public_key) == 0)
            return (long)i;
    return -1;
}

/* The Digest challenge: a nonce from the clock, without touching the id sequence. */
static void challenge(br_ctx *ctx)
{
    br_response *res = ctx->res;
    char *value = br__malloc(160);
    if (!value) {
        ctx->oom = true;
        return;
    }
    uint64_t nonce = (uint64_t)ctx->w->now * 0x9e3779b97f4a7c15ULL ^ ctx->w->seed;
    snprintf(value, 160,
             "Digest realm=\"MMS Public API\", domain=\"\", nonce=\"%016llx\", algorithm=MD5, "
             "qop=\"auth\", stale=false",
             (unsigned long long)nonce);
    for (size_t i = 0; i < BR_MAX_RESPONSE_HEADERS; i++)
        if (!res->owned[i]) {
            res->owned[i] = value;
            break;
        }
    if (res->n_headers < BR_MAX_RESPONSE_HEADERS)
        res->headers[res->n_headers++] = (br_header){"WWW-Authenticate", value};
}

static bool authenticate(br_ctx *ctx)
{
    br_world *w = ctx->w;
    char user[96];
    const char *who = ctx->req->principal;
    if (!who && digest_username(br__header(ctx, "Authorization"), user, sizeof user)) who = user;
    long ki = find_key(w, who);
    br__applied(ctx, BR_RULE_SEC_AUTH);
    if (ki < 0 && br__mutated(w, BR_RULE_SEC_AUTH)) /* mutant: any caller is the first key */
        for (size_t i = 0; ki < 0 && i < w->n_keys; i++)
            if (w->orgs[w->keys[i].org].vendor == BR_VENDOR_ATLAS) ki = (long)i;
    if (ki < 0) {
        br__ma_error(ctx, 401, NULL, NULL, NULL, "You are not authorized for this resource.");
        challenge(ctx);
        return false;
    }
    ctx->key = &w->keys[ki];
    ctx->key_index = ki;
    return true;
}

/* ---- MA-ACCESS-LIST ---- */

/* Parses an address into 16 bytes (IPv4 as ::ffff:a.b.c.d); *v4 tells which it was. */
static bool parse_addr(const char *s, unsigned char out[16], bool *v4)
{
    unsigned char a4[4];
    if (inet_pton(AF_INET, s, a4) == 1) {
        memset(out, 0, 10);
        out[10] = out[11] = 0xff;
        memcpy(out + 12, a4, 4);
        *v4 = true;
        return true;
    }
    *v4 = false;
    return inet_pton(AF_INET6, s, out) == 1;
}

/* True when 'ip' lies in 'entry' ("10.0.0.0/8", "2001:db8::/32" or one address). */
static bool entry_matches(const char *entry, const unsigned char ip[16])
{
    char addr[48];
    snprintf(addr, sizeof addr, "%s", entry);
    char *slash = strchr(addr, '/');
    long bits = -1;
    if (slash) {
        char *end;
        *slash = '\0';
        bits = strtol(slash + 1, &end, 10);
        if (end == slash + 1 || *end) return false;
    }
    unsigned char net[16];
    bool v4;
    if (!parse_addr(addr, net, &v4)) return false;
    if (bits < 0) bits = v4 ? 32 : 128;
    if (bits > (v4 ? 32 : 128)) return false;
    if (v4) bits += 96;
    for (long i = 0; i < bits; i++) {
        int mask = 0x80 >> (i % 8);
        if ((net[i / 8] & mask) != (ip[i / 8] & mask)) return false;
    }
    return true;
}

bool br__ma_ip_allowed(const br_org *org, const char *ip)
{
    if (org->n_access == 0) return true;
    unsigned char a[16];
    bool v4;
    if (!ip || !parse_addr(ip, a, &v4)) return false;
    for (size_t i = 0; i < org->n_access; i++)
        if (entry_matches(org->access[i], a)) return true;
    return false;
}

/* ---- MA-VERSION-HEADER ---- */

static bool valid_date(const char *d)
{
    for (int i = 0; i < 10; i++)
        if (i == 4 || i == 7 ? d[i] != '-' : !isdigit((unsigned char)d[i])) return false;
    int m = atoi(d + 5), day = atoi(d + 8);
    return m >= 1 && m <= 12 && day >= 1 && day <= 31;
}

const char *br__ma_accept_version(const br_request *req)
{
    static const char *const cluster_versions[] = {"2024-08-05", "2023-02-01", "2023-01-01"};
    static const char *const tenant_versions[] = {MA_TENANT_VERSION};
    const char *accept = NULL;
    for (size_t i = 0; i < req->n_headers; i++)
        if (req->headers[i].name && strcasecmp(req->headers[i].name, "Accept") == 0)
            accept = req->headers[i].value;
    const char *p = accept ? strstr(accept, "application/vnd.atlas.") : NULL;
    if (!p) return NULL;
    p += strlen("application/vnd.atlas.");
    if (strlen(p) < 15 || !valid_date(p) || strncmp(p + 10, "+json", 5) != 0) return NULL;
    bool cluster_read = strstr(req->path, "/backup/") == NULL;
    const char *const *v = cluster_read ? cluster_versions : tenant_versions;
    size_t n = cluster_read ? 3 : 1;
    for (size_t i = 0; i < n; i++) /* the newest version on or before the date asked for */
        if (strncmp(v[i], p, 10) <= 0) return v[i];
    return NULL;
}

bool br__ma_gate(br_ctx *ctx)
{
    if (!authenticate(ctx)) return false;
    const br_org *org = &ctx->w->orgs[ctx->key->org];
    const char *ip = ctx->req->caller_ip;
    if (br__rule(ctx, BR_RULE_MA_ACCESS_LIST, !br__ma_ip_allowed(org, ip))) {
        const char *shown = ip ? ip : "(unknown)";
        br__ma_error(ctx, 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", shown, NULL,
                     "IP address %s is not allowed to access this resource.", shown);
        return false;
    }
    if (br__ma_v2(ctx) &&
        br__rule(ctx, BR_RULE_MA_VERSION_HEADER, !br__ma_accept_version(ctx->req))) {
        br__ma_error(ctx, 406, "INVALID_VERSION_DATE", NULL, NULL,
                     "Invalid accept header or version date.");
        return false;
    }
    return true;
}

/* ---- groups, roles, clusters ---- */

bool br__ma_object_id(const char *s)
{
    if (!s || strlen(s) != 24) return false;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s) && (*s < 'a' || *s > 'f')) return false;
    return true;
}

long br__ma_group(br_ctx *ctx, const char *id)
{
    br_world *w = ctx->w;
    if (!br__ma_object_id(id)) {
        br__ma_not_found(ctx, "INVALID_GROUP_ID", id, NULL, "An invalid group ID %s was specified.",
                         id);
        return -1;
    }
    br__applied(ctx, BR_RULE_MA_TARGET_EXISTS);
    long pi = br__world_find_project(w, id);
    if (pi >= 0 && w->orgs[w->projects[pi].org].vendor != BR_VENDOR_ATLAS) pi = -1;
    br__applied(ctx, BR_RULE_SEC_TENANCY);
    /* Another organization's group is answered exactly like a group that does not exist. */
    if (pi >= 0 && br__rule(ctx, BR_RULE_SEC_TENANCY, w->projects[pi].org != ctx->key->org))
        pi = -1;
    if (pi < 0)
        br__ma_not_found(ctx, "GROUP_NOT_FOUND", id, NULL, "No group with ID %s exists.", id);
    return pi;
}

bool br__ma_is_owner(const br_ctx *ctx, int project)
{
    static const char *const owners[] = {"GROUP_OWNER", "ORG_OWNER", NULL};
    return br__key_has_role(ctx->key, ctx->w->projects[project].id, owners);
}

bool br__ma_may(br_ctx *ctx, int project, bool write)
{
    static const char *const readers[] = {"GROUP_OWNER",
                                          "GROUP_CLUSTER_MANAGER",
                                          "GROUP_DATA_ACCESS_ADMIN",
                                          "GROUP_DATA_ACCESS_READ_WRITE",
                                          "GROUP_DATA_ACCESS_READ_ONLY",
                                          "GROUP_PROJECT_OPERATOR",
                                          "GROUP_BACKUP_MANAGER",
                                          "GROUP_SEARCH_INDEX_EDITOR",
                                          "GROUP_STREAM_PROCESSING_OWNER",
                                          "GROUP_OBSERVABILITY_VIEWER",
                                          "GROUP_READ_ONLY",
                                          "ORG_OWNER",
                                          "ORG_READ_ONLY",
                                          NULL};
    bool ok = write ? br__ma_is_owner(ctx, project)
                    : br__key_has_role(ctx->key, ctx->w->projects[project].id, readers);
    if (br__rule(ctx, BR_RULE_MA_ROLE, !ok)) {
        br__ma_error(ctx, 401, "USER_UNAUTHORIZED", NULL, NULL,
                     "Current user is not authorized to perform this action.");
        return false;
    }
    return true;
}

long br__ma_path_cluster(br_ctx *ctx, bool write)
{
    long pi = br__ma_group(ctx, ctx->params[0]);
    if (pi < 0 || !br__ma_may(ctx, (int)pi, write)) return -1;
    long ci = br__world_find_cluster_name(ctx->w, (int)pi, ctx->params[1]);
    if (ci < 0) {
        br__ma_not_found(ctx, "CLUSTER_NOT_FOUND", ctx->params[1], ctx->params[0],
                         "No cluster named %s exists in group %s.", ctx->params[1], ctx->params[0]);
        return -1;
    }
    return ci;
}

int br__ma_tier_size(const char *plan)
{
    if ((plan[0] != 'M' && plan[0] != 'R') || !isdigit((unsigned char)plan[1])) return -1;
    return atoi(plan + 1);
}

void br__ma_version_string(int major, char out[16])
{
    snprintf(out, 16, "%d.0.0", major);
}

int br__ma_major(const char *version)
{
    return version && isdigit((unsigned char)version[0]) ? atoi(version) : 0;
}
