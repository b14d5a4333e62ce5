/* Jobs and the virtual clock: every job is a small state machine (queued -> running ->
 * succeeded | failed) spelled per vendor; advancing time fires due transitions and the
 * dialects' schedules in time order (INV-TERMINAL, INV-PROGRESS, INV-TIME). */
#include "world.h"

#include <stdio.h>
#include <stdlib.h>
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
    br__set_text(j->type, type);
    br__set_text(j->status, state_names[v].queued);
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
    const char *s = j->status;
    switch (s[0]) { /* by the first letter: the time loop asks this of every open job */
    case 'S':
        return strcmp(s, "SUCCESSFUL") == 0 || strcmp(s, "SUCCESS") == 0;
    case 'C':
        return strcmp(s, "COMPLETED") == 0 || strcmp(s, "CANCELED") == 0;
    case 'F':
        return strcmp(s, "FAILED") == 0;
    default:
        return false;
    }
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

/* Status names are short constants: copied without a format. */
static void set_status(br_job *j, const char *s)
{
    size_t n = strlen(s);
    if (n >= sizeof j->status) n = sizeof j->status - 1;
    memcpy(j->status, s, n);
    j->status[n] = '\0';
}

int br__job_fail(br_job *j, int code, const char *why)
{
    json_t *reason = json_string_nocheck(why);
    if (!reason) return BR_ENOMEM;
    set_status(j, state_names[j->vendor].failed);
    j->failing = true;
    json_decref(j->reason);
    j->reason = reason;
    j->error_code = code;
    j->result_hash = 0;
    return BR_OK;
}

static int job_step(br_world *w, br_job *j, br_time at)
{
    const br_dialect *d = br__dialect(j->vendor);
    j->last_progress = br__job_progress(w, j);
    if (!j->started) {
        j->started = at;
        set_status(j, state_names[j->vendor].running);
        return d->job_started ? d->job_started(w, j) : BR_OK;
    }
    j->finished = at;
    set_status(j, j->failing ? state_names[j->vendor].failed : state_names[j->vendor].ok);
    int rc = d->job_finished ? d->job_finished(w, j) : BR_OK;
    j->last_progress = br__job_progress(w, j);
    j->was_terminal = true;
    return rc;
}

/* ---- due-time heaps ---- */

static bool due_before(const br_due *a, const br_due *b)
{
    return a->t != b->t ? a->t < b->t : a->index < b->index;
}

int br__heap_push(br_heap *h, br_time t, uint32_t index)
{
    if (br__grow((void **)&h->v, &h->cap, h->n + 1, sizeof *h->v)) return BR_ENOMEM;
    br_due e = {t, index};
    size_t i = h->n++;
    while (i > 0 && due_before(&e, &h->v[(i - 1) / 2])) {
        h->v[i] = h->v[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    h->v[i] = e;
    return BR_OK;
}

void br__heap_pop(br_heap *h)
{
    if (!h->n) return;
    br_due e = h->v[--h->n];
    size_t i = 0, n = h->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && due_before(&h->v[c + 1], &h->v[c])) c++;
        if (!due_before(&h->v[c], &e)) break;
        h->v[i] = h->v[c];
        i = c;
    }
    if (n) h->v[i] = e;
}

/* When the job next changes state, or 0 when it never will. */
static br_time job_due(const br_job *j)
{
    if (br__job_terminal(j)) return 0;
    if (!j->started) return j->created + j->queue_s;
    return j->started + j->run_s;
}

/* A heap entry still describes its job (a job's due time changes only in job_step, which
 * queues the new one; a job ended from outside leaves a stale entry behind). */
static bool job_entry_live(const br_world *w, const br_due *e)
{
    return e->index < w->n_jobs && job_due(&w->jobs[e->index]) == e->t && e->t != 0;
}

/* An expiry entry is live while its backup is, and due at or after the backup's expiry (an
 * entry pushed again to wait for the jobs that read the backup is due after it). */
static bool expiry_entry_live(const br_world *w, br_vendor v, const br_due *e)
{
    const br_backup *b = e->index < w->n_backups ? &w->backups[e->index] : NULL;
    return b && b->vendor == v && !b->deleted && b->expires && b->expires <= e->t && e->t != 0;
}

/* When the last running job that reads backup bi (a restore or an export from it) next
 * changes state, or 0 when none reads it. A running job has a live entry in the due-time
 * heap, which holds the running jobs only: scanning it, not every job the world ever had,
 * keeps an expiry cheap in a world of many finished jobs. */
static br_time read_until(br_world *w, size_t bi)
{
    br_time until = 0;
    bool synced = br__events_sync(w) == BR_OK; /* jobs made since the last sync */
    size_t n = synced ? w->job_due.n : w->n_jobs;
    for (size_t k = 0; k < n; k++) {
        const br_job *j;
        if (synced) {
            if (!job_entry_live(w, &w->job_due.v[k])) continue;
            j = &w->jobs[w->job_due.v[k].index];
        } else {
            j = &w->jobs[k];
            if (!br__job_running(j)) continue;
        }
        if (j->backup != (int)bi || strcmp(j->type, "BACKUP") == 0) continue;
        br_time t = job_due(j);
        if (t > until) until = t;
    }
    return until;
}

/* A backup a running job reads stays until that job has ended (as deleting it is refused,
 * ZC-DELETE): its expiry entry is pushed again, after the job's next change and after 'at'
 * (the job may be due at 'at' itself). False when nothing reads it (or no memory: it goes). */
static bool held(br_world *w, br_vendor v, size_t bi, br_time at)
{
    br_time until = read_until(w, bi);
    if (!until) return false;
    return br__heap_push(&w->expiry[v], until > at ? until : at + 1, (uint32_t)bi) == BR_OK;
}

int br__events_sync(br_world *w)
{
    for (; w->jobs_queued < w->n_jobs; w->jobs_queued++) {
        br_time t = job_due(&w->jobs[w->jobs_queued]);
        if (t && br__heap_push(&w->job_due, t, (uint32_t)w->jobs_queued)) return BR_ENOMEM;
    }
    for (; w->backups_queued < w->n_backups; w->backups_queued++) {
        const br_backup *b = &w->backups[w->backups_queued];
        if (b->expires && !b->deleted && b->vendor < BR_VENDOR_COUNT &&
            br__heap_push(&w->expiry[b->vendor], b->expires, (uint32_t)w->backups_queued))
            return BR_ENOMEM;
    }
    return BR_OK;
}

br_time br__expiry_next(const br_world *cw, br_vendor v)
{
    br_world *w = (br_world *)cw; /* dropping stale entries changes nothing observable */
    br_heap *h = &w->expiry[v];
    while (h->n && !expiry_entry_live(w, v, &h->v[0]))
        br__heap_pop(h);
    return h->n ? h->v[0].t : 0;
}

void br__expiry_run(br_world *w, br_vendor v, br_time at)
{
    br_heap *h = &w->expiry[v];
    while (h->n && h->v[0].t <= at) {
        br_due e = h->v[0];
        br__heap_pop(h);
        if (expiry_entry_live(w, v, &e) && !held(w, v, e.index, at))
            w->backups[e.index].deleted = true;
    }
}

void br__backup_remove(br_world *w, size_t bi)
{
    br_backup *b = &w->backups[bi];
    if (b->vendor < BR_VENDOR_COUNT && read_until(w, bi)) {
        b->expires = w->now;
        if (held(w, b->vendor, bi, w->now)) return;
    }
    b->deleted = true;
}

/* ---- list views ---- */

void br__world_touch(br_world *w)
{
    w->epoch++;
}

/* qsort's comparator has no context argument: the world and the order being sorted by are
 * kept per thread, since worlds on different threads sort their views at the same time. */
static _Thread_local const br_world *sort_world;
static _Thread_local bool (*sort_before)(const br_world *w, uint32_t a, uint32_t b);

static int cmp_view(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    if (x == y) return 0;
    return sort_before(sort_world, x, y) ? -1 : 1;
}

const br_view *br__view(br_world *w, int which, long cluster, size_t n, bool stable,
                        bool (*keep)(const br_world *w, size_t i, long cluster),
                        bool (*before)(const br_world *w, uint32_t a, uint32_t b))
{
    br_view *v = &w->views[which];
    bool fresh = v->epoch && v->cluster == cluster && v->scanned <= n;
    if (fresh && !stable && v->epoch == w->epoch + 1) return v;
    if (!fresh || !stable) {
        v->n = v->scanned = 0;
        v->cluster = (int32_t)cluster;
        v->project = -1;
    }
    v->epoch = 0;
    bool sorted = true;
    for (size_t i = v->scanned; i < n; i++) {
        if (!keep(w, i, cluster)) continue;
        if (br__grow((void **)&v->v, &v->cap, v->n + 1, sizeof *v->v)) return NULL;
        int32_t project = which == BR_VIEW_CC_RESTORES || which == BR_VIEW_MA_RESTORES
                              ? w->jobs[i].project
                              : w->backups[i].project;
        if (v->n == 0) v->project = project;
        if (v->project != project) v->project = -2;
        if (v->n && !before(w, v->v[v->n - 1], (uint32_t)i)) sorted = false;
        v->v[v->n++] = (uint32_t)i;
    }
    if (v->project == -2) v->project = -1;
    if (!sorted) { /* qsort is not stable, but 'before' is a total order */
        sort_world = w;
        sort_before = before;
        qsort(v->v, v->n, sizeof *v->v, cmp_view);
    }
    v->scanned = n;
    v->epoch = w->epoch + 1;
    return v;
}

void br__views_reset(br_world *w)
{
    for (int k = 0; k < BR_VIEW_COUNT; k++)
        w->views[k].epoch = 0;
}

/* ---- the clock ---- */

/* Steps every job due at w->now in index order, as a scan over the jobs would: a job
 * created or made due during the pass is stepped in it when its index is past the last one
 * stepped, and waits for the next pass otherwise. */
static int run_jobs(br_world *w, size_t *stepped)
{
    br_heap *h = &w->job_due;
    br_heap batch = {0}, later = {0}; /* batch: by index only (t = 0) */
    int rc = BR_OK;
    long cursor = -1;
    for (;;) {
        if ((rc = br__events_sync(w))) break;
        /* Due times never lie in the past (a job is queued at its creation, due at or after
         * it), so the due entries all hold w->now and leave the heap in index order: the
         * common path steps them straight away. Entries from the past, should there be any,
         * are sorted by index first. */
        while (h->n && (h->v[0].t < w->now || (batch.n && h->v[0].t == w->now))) {
            br_due e = h->v[0];
            br__heap_pop(h);
            if (!job_entry_live(w, &e)) continue;
            rc = (long)e.index > cursor ? br__heap_push(&batch, 0, e.index)
                                        : br__heap_push(&later, e.t, e.index);
            if (rc) break;
        }
        if (rc) break;
        uint32_t i;
        if (batch.n) {
            i = batch.v[0].index;
            br__heap_pop(&batch);
            if ((long)i == cursor) continue; /* queued twice */
        } else {
            if (!h->n || h->v[0].t > w->now) break;
            br_due e = h->v[0];
            br__heap_pop(h);
            if (!job_entry_live(w, &e)) continue;
            if ((long)e.index <= cursor) {
                if ((rc = br__heap_push(&later, e.t, e.index))) break;
                continue;
            }
            i = e.index;
        }
        cursor = i;
        br_job *j = &w->jobs[i];
        br_time t = job_due(j);
        if (!t || t > w->now) continue; /* changed by an earlier step; queued anew if open */
        if ((rc = job_step(w, j, w->now))) break;
        (*stepped)++;
        t = job_due(&w->jobs[i]);
        if (t && (rc = br__heap_push(h, t, i))) break;
    }
    for (size_t k = 0; k < batch.n; k++) { /* left by an error: back into the queue */
        br_time t = job_due(&w->jobs[batch.v[k].index]);
        if (t && br__heap_push(h, t, batch.v[k].index)) rc = BR_ENOMEM;
    }
    for (size_t k = 0; k < later.n; k++)
        if (br__heap_push(h, later.v[k].t, later.v[k].index)) rc = BR_ENOMEM;
    br__free(batch.v);
    br__free(later.v);
    return rc;
}

/* The earliest open job transition (0: none). */
static br_time next_job(br_world *w)
{
    br_heap *h = &w->job_due;
    while (h->n && !job_entry_live(w, &h->v[0]))
        br__heap_pop(h);
    return h->n ? h->v[0].t : 0;
}

/* Runs everything due at or before 'until', in time order, and leaves the clock there.
 * A vendor's next event (a schedule, an expiry) depends on the world alone, not on the
 * clock: 'due' holds them while 'known', i.e. until a job steps or a vendor event runs
 * (computing them scans every cluster, twice a pass before). */
static int run_until(br_world *w, br_time until)
{
    br_time due[BR_VENDOR_COUNT];
    bool known = false;
    for (;;) {
        int rc = br__events_sync(w);
        if (rc) return rc;
        br_time next = next_job(w);
        for (int v = 0; v < BR_VENDOR_COUNT; v++) {
            const br_dialect *d = br__dialect((br_vendor)v);
            if (!known) due[v] = d->next_event ? d->next_event(w, w->now) : 0;
            if (due[v] && (!next || due[v] < next)) next = due[v];
        }
        known = true;
        if (!next || next > until) break;
        br__world_touch(w);
        if (next > w->now) w->now = next;
        size_t stepped = 0;
        if ((rc = run_jobs(w, &stepped))) return rc;
        if ((rc = br__events_sync(w))) return rc;
        bool ran = false;
        for (int v = 0; v < BR_VENDOR_COUNT; v++) {
            const br_dialect *d = br__dialect((br_vendor)v);
            if (stepped || ran) due[v] = d->next_event ? d->next_event(w, w->now) : 0;
            if (due[v] && due[v] <= w->now) {
                rc = d->run_event(w, w->now);
                if (rc) return rc;
                if ((rc = br__events_sync(w))) return rc;
                ran = true;
            }
        }
        known = !ran;
    }
    if (until > w->now) w->now = until;
    return BR_OK;
}

int br_world_advance(br_world *w, br_time seconds)
{
    if (seconds < 0) return BR_EINVAL;
    return run_until(w, w->now + seconds);
}
