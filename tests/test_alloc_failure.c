/* The allocation-failure loop: for every n, the n-th allocation (and every later one)
 * fails; the model must answer BR_ENOMEM or a normal answer, never crash, never leak
 * (the sanitizer build checks leaks). */
#include "test_support.h"

#include <stdio.h>

static const char *const steps[][3] = {
    {"POST", "/v2/clusters/in01-a/backups/create", "{\"backupType\":\"CLUSTER\"}"},
    {"POST", "/v2/clusters/in01-a/backups/policy", "{\"enabled\":true,\"retentionDays\":2}"},
    {"GET", "/v2/backups?pageSize=5", NULL},
    {"POST", "/v2/clusters/in01-a/backups/backup1_x/restoreCluster",
     "{\"projectId\":\"proj-1\",\"clusterName\":\"r1\",\"cuSize\":2,\"collectionStatus\":"
     "\"RELEASE\"}"},
    {"POST", "/v2/clusters/in01-a/backups/backup1_x/export", "{\"integrationId\":\"i\"}"},
    {"GET", "/v2/clusters/in01-a/backups/backup1_x", NULL},
    {"POST", "/v2/clusters/in01-a/backups/create", "{not json"},
    {"DELETE", "/v2/clusters/in01-a/backups/backup2_y", NULL},
};

/* Runs the scenario; returns how many allocations failed on purpose. */
static unsigned long scenario(unsigned long fail_at, int *enomem)
{
    json_t *given = json_loads(test_world_json, 0, NULL);
    br_alloc_fail_after(fail_at);
    br_world *w = br_world_new(given, NULL, 0);
    if (w) {
        for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
            br_response res;
            const char *b = steps[i][2];
            int rc = test_send(w, steps[i][0], steps[i][1], "owner", b, b ? strlen(b) : 0, &res);
            assert_true(rc == BR_OK || rc == BR_ENOMEM);
            if (rc == BR_ENOMEM) {
                assert_null(res.body);
                (*enomem)++;
            }
            br_response_clear(&res);
            rc = br_world_advance(w, 3600);
            assert_true(rc == BR_OK || rc == BR_ENOMEM);
        }
        br_world_check(w, NULL, NULL, 0);
    }
    unsigned long failed = br_alloc_failures();
    br_alloc_fail_after(0);
    br_world_free(w);
    json_decref(given);
    return failed;
}

static void every_allocation_may_fail(void **state)
{
    int enomem = 0;
    unsigned long n;
    for (n = 1; n < 100000; n++)
        if (scenario(n, &enomem) == 0)
            break; /* the whole scenario ran without reaching allocation n */
    printf("allocation-failure loop: %lu points, %d answers were BR_ENOMEM\n", n - 1, enomem);
    assert_true(n > 50);
    assert_true(enomem > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(every_allocation_may_fail)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
