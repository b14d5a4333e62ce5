/* Unit tests of br_world_shadow_sync: every field a request could change counts, also those
 * the digest leaves out (expiries, times, job parameters, access lists); a string rewritten
 * to its value, the caches and the id counter do not; a refused request leaves the shadow
 * equal and an accepted one does not; a failed copy is reported and reports a change. And
 * of br_world_check_changed: it finds in what changed what br_world_check finds, ids held
 * twice included, and falls back to the whole check when the shadow cannot tell. */
#include "test_support.h"

#include "world.h"

#define CREATE "{\"backupType\": \"CLUSTER\"}"
#define CREATE_PATH "/v2/clusters/in01-a/backups/create"

/* Whether the answer was an error (Zilliz answers most errors with HTTP 200 and a code). */
static bool refused(br_world *w, const char *method, const char *path, const char *body)
{
    br_response res;
    assert_int_equal(test_send(w, method, path, "owner", body, body ? strlen(body) : 0, &res),
                     BR_OK);
    bool error = res.error;
    br_response_clear(&res);
    return error;
}

/* n more backups of in01-a, one at a time (ZC-CREATE-ONE), each settled. */
static void add_backups(br_world *w, int n)
{
    for (int i = 0; i < n; i++) {
        assert_false(refused(w, "POST", CREATE_PATH, CREATE));
        assert_int_equal(br_world_advance(w, 3600), BR_OK);
    }
}

static bool sync_changed(br_world_shadow *s, const br_world *w)
{
    bool changed = false;
    assert_int_equal(br_world_shadow_sync(s, w, &changed), BR_OK);
    return changed;
}

/* The test world with one more backup (and its job), settled, and a shadow of it. */
static br_world *world_with_backup(br_world_shadow **s)
{
    br_world *w = test_world();
    assert_non_null(w);
    size_t n = w->n_backups;
    add_backups(w, 1);
    assert_int_equal(w->n_backups, n + 1);
    *s = br_world_shadow_new();
    assert_non_null(*s);
    assert_true(sync_changed(*s, w)); /* the first sync: nothing to compare with */
    assert_false(sync_changed(*s, w));
    return w;
}

static void fields_count(void **state)
{
    (void)state;
    br_world_shadow *s;
    br_world *w = world_with_backup(&s);
    br_backup *b = &w->backups[0];
    br_time expires = b->expires;
    b->expires += 60; /* a field br_world_digest does not hash */
    assert_true(sync_changed(s, w));
    assert_false(sync_changed(s, w));
    b->expires = expires;
    assert_true(sync_changed(s, w));
    br_cluster *c = &w->clusters[0];
    c->content.items[0].version++;
    assert_true(sync_changed(s, w));
    assert_true(br__content_add(&c->content, "default", NULL, "films", 1, false) >= 0);
    assert_true(sync_changed(s, w));
    br__set_text(w->jobs[0].status, "FAILED");
    assert_true(sync_changed(s, w));
    w->now += 1;
    assert_true(sync_changed(s, w));
    assert_false(sync_changed(s, w));
    br_world_shadow_free(s);
    br_world_free(w);
}

static void access_list_counts(void **state)
{
    (void)state;
    br_world_shadow *s;
    br_world *w = world_with_backup(&s);
    br_org *o = &w->orgs[0];
    assert_int_equal(
        br__grow((void **)&o->access, &o->cap_access, o->n_access + 1, sizeof *o->access), BR_OK);
    br__set_text(o->access[o->n_access], "10.0.0.0/8");
    o->n_access++;
    assert_true(sync_changed(s, w));
    assert_false(sync_changed(s, w));
    br__set_text(o->access[o->n_access - 1], "10.0.0.0/9");
    assert_true(sync_changed(s, w));
    br_world_shadow_free(s);
    br_world_free(w);
}

static void same_values_do_not_count(void **state)
{
    (void)state;
    br_world_shadow *s;
    br_world *w = world_with_backup(&s);
    br_cluster *c = &w->clusters[0];
    char status[sizeof c->status];
    memcpy(status, c->status, sizeof status);
    /* a longer value and back: the same string, other bytes after its NUL */
    br__set_text(c->status, "RESTORING_AND_MORE");
    br__set_text(c->status, status);
    assert_false(sync_changed(s, w));
    br_backup *b = &w->backups[w->n_backups - 1];
    char was[sizeof b->status];
    memcpy(was, b->status, sizeof was);
    br__set_text(b->status, "AVAILABLE_AND_MORE");
    br__set_text(b->status, was);
    assert_false(sync_changed(s, w));
    /* caches: the lazy backup count, the last snapshot, the id counter */
    c->n_backups += 3;
    w->id_counter += 7;
    br_content *snap = c->snap;
    c->snap = NULL;
    assert_false(sync_changed(s, w));
    c->snap = snap;
    /* the items moved to other memory, the same values */
    br_content moved = {0};
    assert_int_equal(br__content_copy(&moved, &c->content), BR_OK);
    br__content_clear(&c->content);
    br__content_free(&c->content);
    c->content = moved;
    assert_false(sync_changed(s, w));
    br_world_shadow_free(s);
    br_world_free(w);
}

static void refused_and_accepted_requests(void **state)
{
    (void)state;
    br_world_shadow *s;
    br_world *w = world_with_backup(&s);
    /* refused: no such cluster, a body that is not JSON, a backup type that is not one */
    assert_true(refused(w, "POST", "/v2/clusters/in01-9/backups/create", "{}"));
    assert_false(sync_changed(s, w));
    assert_true(refused(w, "POST", CREATE_PATH, "{\"back"));
    assert_false(sync_changed(s, w));
    assert_true(refused(w, "POST", CREATE_PATH, "{\"backupType\": \"TABLE\"}"));
    assert_false(sync_changed(s, w));
    (void)refused(w, "GET", "/v2/backups", NULL); /* a read, answered or not */
    assert_false(sync_changed(s, w));
    size_t n = w->n_backups;
    assert_false(refused(w, "POST", CREATE_PATH, CREATE));
    assert_int_equal(w->n_backups, n + 1);
    assert_true(sync_changed(s, w));
    assert_false(sync_changed(s, w));
    br_world_shadow_free(s);
    br_world_free(w);
}

/* Many backups: a change far into the array and an append are both found, block by block. */
static void long_arrays(void **state)
{
    (void)state;
    br_world_shadow *s;
    br_world *w = world_with_backup(&s);
    add_backups(w, 100);
    assert_int_equal(br_world_advance(w, 86400), BR_OK);
    assert_true(sync_changed(s, w));
    assert_false(sync_changed(s, w));
    w->backups[77].deleted = !w->backups[77].deleted;
    assert_true(sync_changed(s, w));
    w->backups[77].deleted = !w->backups[77].deleted;
    assert_true(sync_changed(s, w));
    w->backups[w->n_backups - 1].size++;
    assert_true(sync_changed(s, w));
    assert_false(sync_changed(s, w));
    br_world_shadow_free(s);
    br_world_free(w);
}

static void copy_failure(void **state)
{
    (void)state;
    br_world_shadow *s;
    br_world *w = world_with_backup(&s);
    add_backups(w, 100);
    bool changed = false;
    br_alloc_fail_after(1); /* the copy of the grown array cannot grow */
    assert_int_equal(br_world_shadow_sync(s, w, &changed), BR_ENOMEM);
    br_alloc_fail_after(0);
    assert_true(changed);
    assert_true(sync_changed(s, w)); /* after a failed copy: a change, whatever holds */
    assert_false(sync_changed(s, w));
    br_world_shadow_free(s);
    br_world_shadow_free(NULL);
    br_world_free(w);
}

/* The rule br_world_check_changed reports, or BR_RULE_COUNT when none. */
static br_rule changed_rule(const br_world *w, const br_world_shadow *s)
{
    br_rule rule = BR_RULE_COUNT;
    char msg[256];
    return br_world_check_changed(w, s, &rule, msg, sizeof msg) > 0 ? rule : BR_RULE_COUNT;
}

static br_rule full_rule(const br_world *w)
{
    br_rule rule = BR_RULE_COUNT;
    char msg[256];
    return br_world_check(w, &rule, msg, sizeof msg) > 0 ? rule : BR_RULE_COUNT;
}

/* The check over what changed finds what the whole check finds in the objects that changed. */
static void check_over_changes(void **state)
{
    (void)state;
    br_world_shadow *s;
    br_world *w = world_with_backup(&s);
    add_backups(w, 40);
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_COUNT);
    /* a backup far into the array with its times out of order */
    br_backup *b = &w->backups[33];
    br_time created = b->created;
    b->created = b->finished + 10;
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_INV_TIME);
    assert_int_equal(full_rule(w), BR_RULE_INV_TIME);
    b->created = created;
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_COUNT);
    /* a job that left its terminal state: every job is checked, changed or not */
    br_job *j = &w->jobs[w->n_jobs - 1];
    assert_true(j->was_terminal);
    char status[sizeof j->status];
    memcpy(status, j->status, sizeof status);
    br__set_text(j->status, "IN_PROGRESS");
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_INV_TERMINAL);
    br__set_text(j->status, status);
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_COUNT);
    /* a snapshot changed in place: the shadow does not see it, the whole check does */
    b->content->items[0].version += 100;
    assert_false(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_COUNT);
    assert_int_equal(full_rule(w), BR_RULE_INV_SOURCE);
    b->content->items[0].version -= 100;
    assert_int_equal(full_rule(w), BR_RULE_COUNT);
    br_world_shadow_free(s);
    br_world_free(w);
}

static void ids_twice(void **state)
{
    (void)state;
    br_world_shadow *s;
    br_world *w = world_with_backup(&s);
    add_backups(w, 20);
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_COUNT);
    /* a new backup with the id of an old one */
    long bi = br__world_add_backup(w);
    assert_true(bi >= 0);
    memcpy(w->backups[bi].id, w->backups[5].id, BR_ID_MAX);
    w->backups[bi].content = br__content_share(w->backups[5].content);
    w->backups[bi].content_hash = w->backups[5].content_hash;
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_INV_IDS);
    assert_false(sync_changed(s, w)); /* still held twice: found again */
    assert_int_equal(changed_rule(w, s), BR_RULE_INV_IDS);
    br__set_text(w->backups[bi].id, "backup-new-and-unique");
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_COUNT);
    /* an old backup's id rewritten to a job's */
    char id[BR_ID_MAX];
    memcpy(id, w->backups[2].id, BR_ID_MAX);
    memcpy(w->backups[2].id, w->jobs[7].id, BR_ID_MAX);
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_INV_IDS);
    assert_int_equal(full_rule(w), BR_RULE_INV_IDS);
    memcpy(w->backups[2].id, id, BR_ID_MAX);
    assert_true(sync_changed(s, w));
    assert_int_equal(changed_rule(w, s), BR_RULE_COUNT);
    br_world_shadow_free(s);
    br_world_free(w);
}

/* A shadow that cannot tell (never synced, or synced with another state): the whole check. */
static void check_without_a_shadow(void **state)
{
    (void)state;
    br_world_shadow *s;
    br_world *w = world_with_backup(&s);
    br_world_shadow *fresh = br_world_shadow_new();
    assert_non_null(fresh);
    br_backup *last = &w->backups[w->n_backups - 1];
    last->content->items[0].version += 100;
    assert_int_equal(changed_rule(w, fresh), BR_RULE_INV_SOURCE);
    assert_int_equal(br_world_advance(w, 60), BR_OK); /* the clock moved since s was synced */
    assert_int_equal(changed_rule(w, s), BR_RULE_INV_SOURCE);
    last->content->items[0].version -= 100;
    br_world_shadow_free(fresh);
    br_world_shadow_free(s);
    br_world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(fields_count),
        cmocka_unit_test(access_list_counts),
        cmocka_unit_test(same_values_do_not_count),
        cmocka_unit_test(refused_and_accepted_requests),
        cmocka_unit_test(long_arrays),
        cmocka_unit_test(copy_failure),
        cmocka_unit_test(check_over_changes),
        cmocka_unit_test(ids_twice),
        cmocka_unit_test(check_without_a_shadow),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
