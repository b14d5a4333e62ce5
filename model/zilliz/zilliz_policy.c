/* Zilliz automatic backups (ZC-POLICY, ZC-RETAIN): the policy endpoints, the schedule that
 * takes one automatic backup at enabling and then one per scheduled weekday at the window's
 * start, and expiry after retentionDays. Also jobs (ZC-JOBS) and the cluster read. */
#include "zilliz/zilliz.h"

#include <stdio.h>
#include <string.h>

bool br__zc_valid_frequency(const char *s)
{
    bool seen[8] = {false};
    if (!*s) return false;
    for (;;) {
        if (*s < '1' || *s > '7' || seen[*s - '0']) return false;
        seen[*s - '0'] = true;
        s++;
        if (*s == '\0') return true;
        if (*s++ != ',') return false;
    }
}

static bool digit(char c)
{
    return c >= '0' && c <= '9'; /* ASCII only, whatever the locale (and no table look-up) */
}

static bool hhmm(const char *s, int *minute)
{
    if (!digit(s[0]) || !digit(s[1]) || s[2] != ':' || !digit(s[3]) || !digit(s[4])) return false;
    int h = (s[0] - '0') * 10 + s[1] - '0', m = (s[3] - '0') * 10 + s[4] - '0';
    *minute = h * 60 + m;
    return h < 24 && m < 60;
}

bool br__zc_valid_window(const char *s, int *start_minute)
{
    int end;
    return strlen(s) == 11 && s[5] == '-' && hhmm(s, start_minute) && hhmm(s + 6, &end) &&
           end != *start_minute;
}

void br__zc_policy_derive(br_policy *p)
{
    int start;
    p->start_minute = br__zc_valid_window(p->window, &start) ? (int16_t)start : -1;
    p->weekdays = 0;
    for (int d = 1; d <= 7; d++) /* what a weekday's digit anywhere in the text means */
        if (strchr(p->frequency, '0' + d)) p->weekdays |= (uint8_t)(1u << d);
}

/* The first scheduled start strictly after 'after' (weekday 1 = Monday). */
/* Whether a cluster serves (RUNNING): only then is a backup of it taken. */
static bool serving(const br_cluster *c)
{
    return strcmp(c->status, "RUNNING") == 0;
}

br_time br__zc_next_run(const br_policy *p, br_time after)
{
    if (!p->enabled || p->start_minute < 0) return 0;
    br_time day = after >= 0 ? after / 86400 : 0;
    for (int k = 0; k <= 8; k++, day++) {
        int weekday = (int)((day + 3) % 7) + 1; /* 1970-01-01 was a Thursday */
        br_time t = day * 86400 + p->start_minute * 60;
        if (t > after && (p->weekdays >> weekday & 1)) return t;
    }
    return 0;
}

br_time br__zc_next_event(const br_world *w, br_time after)
{
    br_time next = 0;
    for (size_t i = 0; i < w->n_clusters; i++) {
        const br_cluster *c = &w->clusters[i];
        if (c->vendor != BR_VENDOR_ZILLIZ || c->dropped || !c->policy.enabled) continue;
        br_time t = br__zc_next_run(&c->policy, c->policy.last_run);
        if (t && (!next || t < next)) next = t;
    }
    if (br__mutated(w, BR_RULE_ZC_RETAIN)) return next;
    br_time t = br__expiry_next(w, BR_VENDOR_ZILLIZ);
    return t && (!next || t < next) ? t : next;
}

int br__zc_run_event(br_world *w, br_time at)
{
    for (size_t i = 0; i < w->n_clusters; i++) {
        br_cluster *c = &w->clusters[i];
        if (c->vendor != BR_VENDOR_ZILLIZ || c->dropped || !c->policy.enabled) continue;
        br_time t = br__zc_next_run(&c->policy, c->policy.last_run);
        if (t && t <= at) {
            /* a cluster that is not serving (CREATING from a restore) skips that run, as a
             * manual backup of it is refused (ZC-BACKUP-LIFE) */
            if (serving(c) && br__zc_take_backup(w, (long)i, false, NULL) < 0) return BR_ENOMEM;
            w->clusters[i].policy.last_run = at;
        }
    }
    if (!br__mutated(w, BR_RULE_ZC_RETAIN)) {
        int rc = br__events_sync(w); /* the backups just taken expire later, but are queued */
        if (rc) return rc;
        br__expiry_run(w, BR_VENDOR_ZILLIZ, at);
    }
    return BR_OK;
}

static json_t *policy_json(const br_cluster *c)
{
    const br_policy *p = &c->policy;
    json_t *o = json_pack("{s:s,s:b,s:s}", "clusterId", c->id, "enabled", p->enabled, "status",
                          p->enabled ? "ENABLED" : "DISABLED");
    if (o && p->set) {
        json_object_set_new(o, "frequency", json_string(p->frequency));
        json_object_set_new(o, "startTime", json_string(p->window));
        json_object_set_new(o, "retentionDays", json_integer(p->retention_days));
    }
    return o;
}

int br__zc_get_policy(br_ctx *ctx)
{
    long ci = br__zc_cluster(ctx, ctx->params[0], false);
    if (ci < 0) return BR_OK;
    br__applied(ctx, BR_RULE_ZC_POLICY);
    return br__zc_ok(ctx, policy_json(&ctx->w->clusters[ci]));
}

int br__zc_set_policy(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci = br__zc_managed_cluster(ctx, "Automatic backups");
    if (ci < 0) return BR_OK;
    br_cluster *c = &w->clusters[ci];
    bool has_enabled, enabled = false, has_days;
    long long days = c->policy.set ? c->policy.retention_days : 7;
    const char *freq = NULL, *window = NULL;
    int start;
    if (!br__body_bool(ctx->body, "enabled", &has_enabled, &enabled) ||
        br__rule(ctx, BR_RULE_ZC_POLICY, !has_enabled))
        return ZC_BAD(ctx, "enabled is required and is true or false");
    if (!br__body_string(ctx->body, "frequency", &freq) ||
        br__rule(ctx, BR_RULE_ZC_POLICY, freq && !br__zc_valid_frequency(freq)))
        return ZC_BAD(ctx, "frequency lists weekdays \"1\"..\"7\" (1 = Monday), comma-separated");
    if (!br__body_string(ctx->body, "startTime", &window) ||
        br__rule(ctx, BR_RULE_ZC_POLICY, window && !br__zc_valid_window(window, &start)))
        return ZC_BAD(ctx, "startTime is a UTC window \"HH:mm-HH:mm\"");
    if (!br__body_int(ctx->body, "retentionDays", &has_days, &days) ||
        br__rule(ctx, BR_RULE_ZC_POLICY, days < 1 || days > 30))
        return ZC_BAD(ctx, "retentionDays is an integer from 1 to 30");
    bool was_enabled = c->policy.enabled;
    br_policy *p = &c->policy;
    if (!p->set) {
        snprintf(p->frequency, sizeof p->frequency, "1,2,3,4,5,6,7");
        snprintf(p->window, sizeof p->window, "00:00-02:00");
    }
    p->set = true;
    p->enabled = enabled;
    if (freq) snprintf(p->frequency, sizeof p->frequency, "%s", freq);
    if (window) snprintf(p->window, sizeof p->window, "%s", window);
    br__zc_policy_derive(p);
    p->retention_days = (int)days;
    if (enabled && !was_enabled && !br__mutated(w, BR_RULE_ZC_POLICY)) {
        /* ZC-POLICY: enabling takes one automatic backup at once (of a serving cluster). */
        if (serving(c) && br__zc_take_backup(w, ci, false, NULL) < 0) return BR_ENOMEM;
        c = &w->clusters[ci];
        c->policy.last_run = w->now;
    }
    br__applied(ctx, BR_RULE_ZC_POLICY);
    return br__zc_ok(ctx, policy_json(c));
}

int br__zc_get_job(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ji = br__world_find_job(w, ctx->params[0]);
    br__applied(ctx, BR_RULE_SEC_TENANCY);
    if (ji < 0 || w->jobs[ji].vendor != BR_VENDOR_ZILLIZ ||
        br__rule(ctx, BR_RULE_SEC_TENANCY, !br__key_sees_project(w, ctx->key, w->jobs[ji].project)))
        return ZC_FAIL(ctx, ZC_E_NO_JOB, "The job %s does not exist.", ctx->params[0]);
    const br_job *j = &w->jobs[ji];
    char progress[8];
    snprintf(progress, sizeof progress, "%d", br__job_progress(w, j));
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "jobId", j->id, "type", j->type, "status", j->status,
                          "progress", progress);
    if (o && j->started) br__set(ctx, o, "startTime", br__time_json(j->started));
    if (o && j->finished) br__set(ctx, o, "endTime", br__time_json(j->finished));
    if (o && strcmp(j->status, "FAILED") == 0) {
        const char *why = json_string_value(j->reason);
        br__set(ctx, o, "reason", json_string(why && *why ? why : "job failed"));
    }
    br__applied(ctx, BR_RULE_ZC_JOBS);
    br__applied(ctx, BR_RULE_ZC_BACKUP_LIFE);
    return br__zc_ok(ctx, o);
}

int br__zc_describe_cluster(br_ctx *ctx)
{
    long ci = br__zc_cluster(ctx, ctx->params[0], false);
    if (ci < 0) return BR_OK;
    const br_cluster *c = &ctx->w->clusters[ci];
    br__applied(ctx, BR_RULE_ZC_OBS_CLUSTER);
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:i}", "clusterId", c->id, "clusterName", c->name,
                  "projectId", ctx->w->projects[c->project].id, "regionId", c->region, "cuType",
                  c->cu_type, "plan", c->plan, "status", c->status, "cuSize", c->cu_size);
    if (o) br__set(ctx, o, "createTime", br__time_json(c->created));
    char address[BR_ID_MAX + 192];
    br__zc_connect_address(ctx, c, address, sizeof address);
    if (o) {
        br__set(ctx, o, "connectAddress", json_string(address));
        br__set(ctx, o, "privateLinkAddress", json_string(""));
        br__set(ctx, o, "description", json_string(""));
    }
    return br__zc_ok(ctx, o);
}
