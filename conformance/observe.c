/* Observed invariants: what every answer of one run must keep, whatever the target
 * (rules.md INV-TERMINAL, INV-PROGRESS, INV-TIME), judged from the wire alone. */
#include "matcher.h"
#include "runner.h"

#include <stdlib.h>
#include <string.h>

struct br_observer {
    json_t *seen; /* object id -> {"status", "progress"} */
};

br_observer *br_observer_new(void)
{
    br_observer *o = calloc(1, sizeof *o);
    if (o) o->seen = json_object();
    return o;
}

void br_observer_free(br_observer *o)
{
    if (!o) return;
    json_decref(o->seen);
    free(o);
}

static bool terminal(const char *s)
{
    static const char *const names[] = {"SUCCESSFUL", "SUCCESS",  "COMPLETED",
                                        "FAILED",     "CANCELED", NULL};
    for (size_t i = 0; names[i]; i++)
        if (strcmp(s, names[i]) == 0) return true;
    return false;
}

static bool success(const char *s)
{
    return strcmp(s, "SUCCESSFUL") == 0 || strcmp(s, "SUCCESS") == 0 || strcmp(s, "COMPLETED") == 0;
}

/* Progress as a fraction: Zilliz "0".."100", CockroachDB 0..1. -1 when absent. */
static double progress_of(const json_t *obj)
{
    const json_t *p = json_object_get(obj, "progress");
    if (json_is_string(p)) return atof(json_string_value(p)) / 100.0;
    if (json_is_number(p)) return json_number_value(p) / 100.0;
    p = json_object_get(obj, "completion_percent");
    if (json_is_number(p)) return json_number_value(p);
    return -1;
}

static bool time_key(const char *k)
{
    size_t n = strlen(k);
    return (n > 4 && strcmp(k + n - 4, "Time") == 0) || (n > 3 && strcmp(k + n - 3, "_at") == 0) ||
           (n > 4 && strcmp(k + n - 4, "Date") == 0) || strcmp(k, "as_of_time") == 0 ||
           strcmp(k, "backup_end_time") == 0;
}

/* Pairs that must be ordered when both are present. */
static const char *const ordered[][2] = {
    {"createTime", "startTime"},
    {"startTime", "endTime"},
    {"createTime", "expireTime"},
    {"created_at", "completed_at"},
    {"startTime", "finishTime"},
    {"scheduledTime", "startTime"},
    {"restoreScheduledDate", "restoreFinishedDate"},
};

static bool check_object(br_observer *o, const json_t *obj, char rule[40], char *msg, size_t len)
{
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)obj, k, v)
    {
        const char *sv = json_string_value(v);
        bool date_like = sv && strlen(sv) >= 10 && sv[4] == '-' && sv[7] == '-';
        if (date_like && time_key(k) && !br_is_utc_time(sv)) {
            strcpy(rule, "INV-TIME");
            snprintf(msg, len, "%s \"%s\" is not an RFC 3339 UTC time", k, json_string_value(v));
            return false;
        }
    }
    for (size_t i = 0; i < sizeof ordered / sizeof *ordered; i++) {
        const json_t *a = json_object_get(obj, ordered[i][0]),
                     *b = json_object_get(obj, ordered[i][1]);
        if (json_is_string(a) && json_is_string(b) && br_is_utc_time(json_string_value(a)) &&
            br_is_utc_time(json_string_value(b)) &&
            strcmp(json_string_value(a), json_string_value(b)) > 0) {
            strcpy(rule, "INV-TIME");
            snprintf(msg, len, "%s %s is after %s %s", ordered[i][0], json_string_value(a),
                     ordered[i][1], json_string_value(b));
            return false;
        }
    }
    const json_t *status = json_object_get(obj, "status");
    const char *idkeys[] = {"jobId", "restoreId", "id", NULL};
    const json_t *id = NULL;
    for (size_t i = 0; idkeys[i] && !id; i++)
        if (json_is_string(json_object_get(obj, idkeys[i]))) id = json_object_get(obj, idkeys[i]);
    if (!json_is_string(status) || !id) return true;
    const char *sid = json_string_value(id), *st = json_string_value(status);
    double p = progress_of(obj);
    if (success(st) && p >= 0 && p < 0.999) {
        strcpy(rule, "INV-PROGRESS");
        snprintf(msg, len, "%s is %s with progress %.2f (not complete)", sid, st, p);
        return false;
    }
    json_t *prev = json_object_get(o->seen, sid);
    if (prev) {
        const char *pst = json_string_value(json_object_get(prev, "status"));
        if (pst && terminal(pst) && strcmp(pst, st) != 0) {
            strcpy(rule, "INV-TERMINAL");
            snprintf(msg, len, "%s left terminal state %s for %s", sid, pst, st);
            return false;
        }
        double pp = json_number_value(json_object_get(prev, "progress"));
        if (p >= 0 && p + 1e-9 < pp) {
            strcpy(rule, "INV-PROGRESS");
            snprintf(msg, len, "%s progress fell from %.2f to %.2f", sid, pp, p);
            return false;
        }
        if (p < 0) p = pp;
    }
    json_object_set_new(o->seen, sid,
                        json_pack("{s:s,s:f}", "status", st, "progress", p < 0 ? 0 : p));
    return true;
}

bool br__observe(br_observer *o, const json_t *body, char rule[40], char *msg, size_t msglen)
{
    if (json_is_object(body)) {
        if (!check_object(o, body, rule, msg, msglen)) return false;
        const char *k;
        json_t *v;
        json_object_foreach((json_t *)body, k, v)
        {
            if ((json_is_object(v) || json_is_array(v)) && !br__observe(o, v, rule, msg, msglen))
                return false;
        }
    } else if (json_is_array(body)) {
        size_t i;
        json_t *v;
        json_array_foreach(body, i, v)
        {
            if (!br__observe(o, v, rule, msg, msglen)) return false;
        }
    }
    return true;
}
