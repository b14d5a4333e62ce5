/* Jobs and the virtual clock: every job is a small state machine (queued -> running ->
 * succeeded | failed) spelled per vendor; advancing time fires due transitions and the
 * dialects' schedules in time order (INV-TERMINAL, INV-PROGRESS, INV-TIME). */
#include "world.h"

#include <stdio.h>
#include <string.h>

/* Vendor spellings of the four job states (rules.md ZC-BACKUP-LIFE, CC-RESTORE-LIFE,
 * MA-RESTORE-LIFE). CockroachDB has no running state: a restore stays PENDING. */
static const struct {
    const char *queued, *running, *ok, *failed;
} state_names[BR_VENDOR_COUNT] = {
    [BR_VENDOR_ZILLIZ] = {"PENDING", "IN_PROGRESS", "SUCCESSFUL", "FAILED"},
    [BR_VENDOR_CRDB] = {"PENDING", "PENDING", "SUCCESS", "FAILED"},
    [BR_VENDOR_ATLAS] = {"PENDING", "RUNNING", "COMPLETED", "FAILED"},
};

long br__job_new(br_world *w, br_vendor v, const char *type, int project, br_time queue_s,
                 br_time run_s)
{
    long ji = br__world_add_job(w);
    if (ji < 0) return -1;
    br_job *j = &w->jobs[ji];
    j->vendor = v;
    snprintf(j->type, sizeof j->type, "%s", type);
    snprintf(j->status, sizeof j->status, "%s", state_names[v].queued);
    j->created = w->now;
    j->project = project;
    j->queue_s = queue_s;
    j->run_s = run_s;
    switch (v) {
    case BR_VENDOR_ZILLIZ:
        br__world_new_id(w, "job-", 22, j->id);
        break;
    case BR_VENDOR_CRDB:
        br__world_new_uuid(w, j->id);
        break;
    default:
        br__world_new_id(w, "", 24, j->id);
        break;
    }
    return ji;
}

bool br__job_terminal(const br_job *j)
{
    return strcmp(j->status, "SUCCESSFUL") == 0 || strcmp(j->status, "SUCCESS") == 0 ||
           strcmp(j->status, "COMPLETED") == 0 || strcmp(j->status, "FAILED") == 0 ||
           strcmp(j->status, "CANCELED") == 0;
}

bool br__job_running(const br_job *j)
{
    return !br__job_terminal(j);
}

static bool job_succeeded(const br_job *j)
{
    return br__job_terminal(j) && strcmp(j->status, "FAILED") != 0 &&
           strcmp(j->status, "CANCELED") != 0;
}

int br__job_progress(const br_world *w, const br_job *j)
{
    if (job_succeeded(j)) return 100;
    if (br__job_terminal(j) || !j->started || j->run_s <= 0) return j->last_progress;
    br_time done = w->now - j->started;
    int p = (int)(done * 100 / j->run_s);
    if (p > 99) p = 99;
    return p < j->last_progress ? j->last_progress : p;
}

/* When the job next changes state, or 0 when it never will. */
static br_time job_due(const br_job *j)
{
    if (br__job_terminal(j)) return 0;
    if (!j->started) return j->created + j->queue_s;
    return j->started + j->run_s;
}

static int job_step(br_world *w, br_job *j, br_time at)
{
    const br_dialect *d = br__dialect(j->vendor);
    j->last_progress = br__job_progress(w, j);
    if (!j->started) {
        j->started = at;
        snprintf(j->status, sizeof j->status, "%s", state_names[j->vendor].running);
        return d->job_started ? d->job_started(w, j) : BR_OK;
    }
    j->finished = at;
    snprintf(j->status, sizeof j->status, "%s",
             j->failing ? state_names[j->vendor].failed : state_names[j->vendor].ok);
    int rc = d->job_finished ? d->job_finished(w, j) : BR_OK;
    j->last_progress = br__job_progress(w, j);
    j->was_terminal = true;
    return rc;
}

/* Runs everything due at or before 'until', in time order, and leaves the clock there. */
static int run_until(br_world *w, br_time until)
{
    for (;;) {
        br_time next = 0;
        while (w->jobs_open_from < w->n_jobs && br__job_terminal(&w->jobs[w->jobs_open_from]))
            w->jobs_open_from++;
        for (size_t i = w->jobs_open_from; i < w->n_jobs; i++) {
            br_time t = job_due(&w->jobs[i]);
            if (t && (!next || t < next)) next = t;
        }
        for (int v = 0; v < BR_VENDOR_COUNT; v++) {
            const br_dialect *d = br__dialect((br_vendor)v);
            br_time t = d->next_event ? d->next_event(w, w->now) : 0;
            if (t && (!next || t < next)) next = t;
        }
        if (!next || next > until) break;
        if (next > w->now) w->now = next;
        for (size_t i = w->jobs_open_from; i < w->n_jobs; i++) {
            br_time t = job_due(&w->jobs[i]);
            if (t && t <= w->now) {
                int rc = job_step(w, &w->jobs[i], w->now);
                if (rc) return rc;
            }
        }
        for (int v = 0; v < BR_VENDOR_COUNT; v++) {
            const br_dialect *d = br__dialect((br_vendor)v);
            br_time t = d->next_event ? d->next_event(w, w->now) : 0;
            if (t && t <= w->now) {
                int rc = d->run_event(w, w->now);
                if (rc) return rc;
            }
        }
    }
    if (until > w->now) w->now = until;
    return BR_OK;
}

int br_world_advance(br_world *w, br_time seconds)
{
    if (seconds < 0) return BR_EINVAL;
    return run_until(w, w->now + seconds);
}
