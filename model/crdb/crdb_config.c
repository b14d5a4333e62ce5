/* CockroachDB managed-backup configuration (CC-BACKUP-CONFIG): GET and PATCH backups-config
 * (also PUT backups/config), and the world's defaults and "backupConfigs" section. */
#include "crdb/crdb.h"

#include <stdio.h>
#include <string.h>

bool br__cc_valid_frequency(long long minutes)
{
    static const long long ok[] = {5, 10, 15, 30, 60, 240, 1440};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (minutes == ok[i]) return true;
    return false;
}

bool br__cc_valid_retention(long long days)
{
    static const long long ok[] = {2, 7, 30, 90, 365};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++)
        if (days == ok[i]) return true;
    return false;
}

static json_t *config_json(const br_policy *p)
{
    return json_pack("{s:b,s:i,s:i}", "enabled", p->enabled, "frequency_minutes", p->frequency_min,
                     "retention_days", p->retention_days);
}

int br__cc_get_backup_config(br_ctx *ctx)
{
    long ci = br__cc_cluster(ctx, ctx->params[0], true);
    if (ci < 0) return BR_OK;
    br__applied(ctx, BR_RULE_CC_BACKUP_CONFIG);
    return br__cc_ok(ctx, config_json(&ctx->w->clusters[ci].policy));
}

int br__cc_update_backup_config(br_ctx *ctx)
{
    br_world *w = ctx->w;
    long ci = br__cc_cluster(ctx, ctx->params[0], true);
    if (ci < 0) return BR_OK;
    br_cluster *c = &w->clusters[ci];
    br_policy *p = &c->policy;
    bool has_enabled, enabled = p->enabled, has_freq, has_ret;
    long long freq = p->frequency_min, ret = p->retention_days;
    if (!br__body_bool(ctx->body, "enabled", &has_enabled, &enabled))
        return CC_BAD(ctx, "enabled must be a boolean");
    if (!br__body_int(ctx->body, "frequency_minutes", &has_freq, &freq))
        return CC_BAD(ctx, "frequency_minutes must be an integer");
    if (!br__body_int(ctx->body, "retention_days", &has_ret, &ret))
        return CC_BAD(ctx, "retention_days must be an integer");
    br__applied(ctx, BR_RULE_CC_BACKUP_CONFIG);
    if (has_freq && br__rule(ctx, BR_RULE_CC_BACKUP_CONFIG, !br__cc_valid_frequency(freq)))
        return CC_BAD(ctx,
                      "frequency_minutes %lld is invalid: valid values are [5, 10, 15, 30, "
                      "60, 240, 1440]",
                      freq);
    if (has_ret && br__rule(ctx, BR_RULE_CC_BACKUP_CONFIG, !br__cc_valid_retention(ret)))
        return CC_BAD(ctx, "retention_days %lld is invalid: valid values are [2, 7, 30, 90, 365]",
                      ret);
    bool freq_changed = has_freq && freq != p->frequency_min;
    bool ret_changed = has_ret && ret != p->retention_days;
    if (br__rule(ctx, BR_RULE_CC_BACKUP_CONFIG,
                 br__cc_plan_is(c, "BASIC") && (freq_changed || ret_changed)))
        return br__cc_error(ctx, CC_FAILED_PRECONDITION,
                            "backups on Basic clusters are taken every 24 hours and retained "
                            "for 30 days; these settings cannot be changed");
    if (br__rule(ctx, BR_RULE_CC_BACKUP_CONFIG, ret_changed && p->retention_edits >= 1))
        return br__cc_error(
            ctx, CC_FAILED_PRECONDITION,
            "cluster already has a retention policy set, open a support ticket to change it");
    json_t *body = json_pack("{s:b,s:I,s:I}", "enabled", enabled, "frequency_minutes",
                             (json_int_t)freq, "retention_days", (json_int_t)ret);
    if (!body) return BR_ENOMEM;
    bool was_enabled = p->enabled;
    /* A change of frequency or retention takes a full backup at once. */
    if ((freq_changed || ret_changed) && enabled && !br__mutated(w, BR_RULE_CC_BACKUP_CONFIG)) {
        int old_f = p->frequency_min, old_r = p->retention_days;
        p->frequency_min = (int)freq;
        p->retention_days = (int)ret;
        if (br__cc_take_backup(w, ci) < 0) {
            c = &w->clusters[ci];
            c->policy.frequency_min = old_f;
            c->policy.retention_days = old_r;
            json_decref(body);
            return BR_ENOMEM;
        }
        c = &w->clusters[ci];
        p = &c->policy;
        p->last_run = w->now;
    } else if (enabled && !was_enabled) {
        p->last_run = w->now; /* the schedule starts again from now */
    }
    p->enabled = enabled;
    p->frequency_min = freq > 0 && freq <= 525600 ? (int)freq : p->frequency_min;
    p->retention_days = ret > 0 && ret <= 36500 ? (int)ret : p->retention_days;
    if (ret_changed) p->retention_edits++;
    return br__cc_ok(ctx, body);
}

/* Every CockroachDB cluster gets the default configuration (Basic: fixed 24 h / 30 days);
 * "backupConfigs": [{"cluster", "enabled", "frequency_minutes", "retention_days",
 * "retention_changed"}] sets others. The world starts after any earlier scheduled run;
 * backups the world was given expire after the retention unless they carry expireTime. */
int br__cc_load_configs(br_world *w, const json_t *given, char *err, size_t errlen)
{
    for (size_t i = 0; i < w->n_clusters; i++) {
        br_cluster *c = &w->clusters[i];
        if (c->vendor != BR_VENDOR_CRDB) continue;
        if (!c->plan[0]) snprintf(c->plan, sizeof c->plan, "STANDARD");
        if (!br__cc_plan_is(c, "BASIC") && !br__cc_plan_is(c, "STANDARD") &&
            !br__cc_plan_is(c, "ADVANCED")) {
            snprintf(err, errlen, "cluster %s: plan is BASIC, STANDARD or ADVANCED", c->id);
            return BR_EWORLD;
        }
        br_policy *p = &c->policy;
        p->set = true;
        p->enabled = true;
        p->frequency_min =
            br__cc_plan_is(c, "BASIC") ? CC_BASIC_FREQUENCY_MIN : CC_DEFAULT_FREQUENCY_MIN;
        p->retention_days = CC_DEFAULT_RETENTION_DAYS;
        p->retention_edits = 0;
        p->last_run = w->now;
    }
    size_t i;
    json_t *o;
    static const char *const fields[] = {"cluster",        "enabled",           "frequency_minutes",
                                         "retention_days", "retention_changed", NULL};
    json_array_foreach(json_object_get(given, "backupConfigs"), i, o)
    {
        char what[48];
        snprintf(what, sizeof what, "backupConfigs[%zu]", i);
        if (br__world_entry(o, what, fields, err, errlen)) return BR_EWORLD;
        long ci = br__world_find_cluster(w, json_string_value(json_object_get(o, "cluster")));
        json_t *en = json_object_get(o, "enabled"), *f = json_object_get(o, "frequency_minutes"),
               *r = json_object_get(o, "retention_days");
        if (ci < 0 || w->clusters[ci].vendor != BR_VENDOR_CRDB || (en && !json_is_boolean(en)) ||
            (f && !br__cc_valid_frequency(json_integer_value(f))) ||
            (r && !br__cc_valid_retention(json_integer_value(r)))) {
            snprintf(err, errlen,
                     "backupConfigs[%zu]: unknown CockroachDB cluster or invalid value (frequency "
                     "5, 10, 15, 30, 60, 240, 1440; retention 2, 7, 30, 90, 365)",
                     i);
            return BR_EWORLD;
        }
        br_cluster *c = &w->clusters[ci];
        if (br__cc_plan_is(c, "BASIC") &&
            ((f && json_integer_value(f) != CC_BASIC_FREQUENCY_MIN) ||
             (r && json_integer_value(r) != CC_DEFAULT_RETENTION_DAYS))) {
            snprintf(err, errlen, "backupConfigs[%zu]: Basic clusters are fixed at 1440/30", i);
            return BR_EWORLD;
        }
        br_policy *p = &c->policy;
        if (en) p->enabled = json_is_true(en);
        if (f) p->frequency_min = (int)json_integer_value(f);
        if (r) p->retention_days = (int)json_integer_value(r);
        if (json_is_true(json_object_get(o, "retention_changed"))) p->retention_edits = 1;
    }
    for (size_t k = 0; k < w->n_backups; k++) {
        br_backup *b = &w->backups[k];
        if (b->vendor != BR_VENDOR_CRDB || b->expires) continue;
        b->expires = b->created + (br_time)w->clusters[b->cluster].policy.retention_days * 86400;
    }
    return BR_OK;
}
