/* Allocation failures on request paths and clock runs the recorded scenarios of
 * test_alloc_fixtures.c do not take: every Atlas route (lists, reads, creates, the Digest
 * challenge, envelopes, v2 answers), CockroachDB restore lists, and advancing the clock through
 * daily snapshots, due jobs and expiries. For each n the n-th allocation (and every later one)
 * fails: the model answers BR_ENOMEM with no body and an unchanged world, or answers in full;
 * a clock run that fails leaves a world that still holds its invariants and runs on. */
#include "branches_support.h"

#define GP "b0123456789abcdef012345b"
#define SNAP "5ced491ce7a2e10517c81fa1"
#define T "/api/atlas/v1.0/groups/" GP "/clusters/M2A/backup/tenant"
#define T2 "/api/atlas/v2/groups/" GP "/clusters/M2A/backup/tenant"
#define ACCEPT .hname = {"Accept"}, .hvalue = {"application/vnd.atlas.2023-01-01+json"}

static const char world_text[] =
    "{'seed':4,'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'a0123456789abcdef012345a','vendor':"
    "'atlas','projects':[{'id':'" GP "'}]},{'id':'oc','vendor':'cockroachdb'}],"
    "'keys':[{'key':'owner-key','org':'a0123456789abcdef012345a','roles':['ORG_OWNER']},"
    "{'key':'admin','org':'oc','roles':['ORG_ADMIN','CLUSTER_ADMIN']}],"
    "'clusters':[{'id':'5cee4c83e7a2e10d2ad30001','name':'M2A','project':'" GP "','plan':'M2',"
    "'provider':'aws','region':'US_EAST_1','mongoMajor':7,'createTime':'2024-08-25T12:00:00Z',"
    "'databases':[{'name':'shop','collections':[{'name':'orders','version':3}]}]},"
    "{'id':'5cee4c83e7a2e10d2ad30003','name':'R40T','project':'" GP "','plan':'R40','provider':"
    "'azure','region':'US_EAST_2','mongoMajor':7},"
    "{'id':'adv','org':'oc','plan':'ADVANCED','databases':[{'name':'defaultdb'},{'name':'tpcc',"
    "'tables':[{'name':'warehouse','schema':'public','version':3}]}]},"
    "{'id':'dr','org':'oc','plan':'ADVANCED','databases':[{'name':'defaultdb'}]}],"
    "'backups':[{'id':'b1','cluster':'adv','createTime':'2024-08-25T23:00:00Z'}],"
    "'snapshots':[{'id':'" SNAP "','cluster':'5cee4c83e7a2e10d2ad30001','scheduledTime':"
    "'2024-08-25T12:00:00Z','expiration':'2024-08-26T12:00:00Z','mongoDBVersion':'7.0.12'}]}";

/* A world with one restore and one download under way, and a CockroachDB restore. */
static br_world *busy_world(void)
{
    br_world *w = bt_world(world_text);
    static const bt_req setup[] = {
        {"POST", T "/restore", .atlas = "owner-key",
         .body = "{'snapshotId':'" SNAP "','targetDeploymentItemName':'R40T','targetProjectId':'" GP
                 "'}"},
        {"POST", T "/download", .atlas = "owner-key", .body = "{'snapshotId':'" SNAP "'}"},
        {"POST", "/api/v1/clusters/dr/restores", .bearer = "admin",
         .body = "{'type':'DATABASE','backup_id':'b1','source_cluster_id':'adv','objects':[{"
                 "'database':'tpcc'}],'restore_opts':{'new_db_name':'copy'}}"},
    };
    for (size_t i = 0; i < sizeof setup / sizeof *setup; i++) {
        br_response res = bt_expect(w, &setup[i], 200);
        br_response_clear(&res);
    }
    return w;
}

static const bt_req requests[] = {
    {"GET", T "/snapshots?pageNum=1&itemsPerPage=1", .raw = NULL},
    {"GET", T "/snapshots/" SNAP "?envelope=true&pretty=true", .raw = NULL},
    {"GET", T "/restores?itemsPerPage=1&pageNum=2", .raw = NULL},
    {"GET", T "/restores?envelope=true", .raw = NULL},
    {"GET", T2 "/snapshots", ACCEPT},
    {"GET", T2 "/restores?pageNum=2&itemsPerPage=1", ACCEPT},
    {"POST", T2 "/download", .body = "{'snapshotId':'" SNAP "'}", ACCEPT},
    {"POST", T "/restore?envelope=true",
     .body =
         "{'snapshotId':'" SNAP "','targetDeploymentItemName':'R40T','targetProjectId':'" GP "'}"},
    {"GET", "/api/atlas/v1.0/groups/" GP "/clusters/M2A", .raw = NULL},
    {"GET", "/api/atlas/v2/groups/" GP "/clusters/M2A", ACCEPT},
    {"GET", T "/snapshots/5ced491ce7a2e10517c80000?envelope=true", .raw = NULL},
    {"GET", T2 "/snapshots", .raw = NULL}, /* 406 */
    {"GET", "/api/v1/clusters/dr/restores?pagination.limit=1", .raw = NULL},
    {"GET", "/api/v1/clusters/adv/backups?pagination.limit=1", .raw = NULL},
};

static void requests_out_of_memory(void **s)
{
    (void)s;
    for (size_t r = 0; r < sizeof requests / sizeof *requests; r++) {
        bt_req req = requests[r];
        bool crdb = strncmp(req.path, "/api/v1/", 8) == 0;
        if (crdb)
            req.bearer = "admin";
        else
            req.atlas = "owner-key";
        int enomem = 0;
        unsigned long n;
        for (n = 1; n < 100000; n++) {
            br_world *w = busy_world();
            uint64_t before = br_world_digest(w);
            br_response res;
            br_alloc_fail_after(n);
            int rc = bt_send(w, &req, &res);
            unsigned long failed = br_alloc_failures();
            br_alloc_fail_after(0);
            assert_true(rc == BR_OK || rc == BR_ENOMEM);
            if (rc == BR_ENOMEM) {
                assert_null(res.body);
                if (br_world_digest(w) != before)
                    fail_msg("%s %s: allocation %lu failing changed the world", req.method,
                             req.path, n);
                enomem++;
            } else {
                assert_non_null(res.body);
            }
            br_response_clear(&res);
            assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
            br_world_free(w);
            if (!failed) break;
        }
        if (enomem == 0) fail_msg("%s %s: never BR_ENOMEM", req.method, req.path);
        printf("%s %s: %lu allocation-failure points\n", req.method, req.path, n - 1);
    }
    /* the Digest challenge of an unknown caller */
    br_world *w = bt_world(world_text);
    unsigned long n;
    for (n = 1; n < 1000; n++) {
        br_response res;
        br_alloc_fail_after(n);
        int rc =
            bt_send(w, &(bt_req){"GET", T "/snapshots?envelope=true", .atlas = "nobody"}, &res);
        unsigned long failed = br_alloc_failures();
        br_alloc_fail_after(0);
        assert_true(rc == BR_OK || rc == BR_ENOMEM);
        if (rc == BR_OK) {
            assert_int_equal(res.status, 200);
            assert_int_equal(json_integer_value(json_object_get(res.body, "status")), 401);
        }
        br_response_clear(&res);
        if (!failed) break;
    }
    assert_true(n > 3);
    br_world_free(w);
}

/* A day of the clock under allocation failure: the daily snapshot, the jobs' steps, the
 * snapshot's expiry at the same instant as the snapshot is taken. */
static void clock_out_of_memory(void **s)
{
    (void)s;
    int enomem = 0;
    unsigned long n;
    for (n = 1; n < 100000; n++) {
        br_world *w = busy_world();
        br_alloc_fail_after(n);
        int rc = br_world_advance(w, 86400);
        unsigned long failed = br_alloc_failures();
        br_alloc_fail_after(0);
        assert_true(rc == BR_OK || rc == BR_ENOMEM);
        if (rc == BR_ENOMEM) enomem++;
        /* whatever was left half-way, the world holds its invariants and runs on */
        char msg[256] = "";
        if (br_world_check(w, NULL, msg, sizeof msg) != 0)
            fail_msg("allocation %lu failing in a clock run: %s", n, msg);
        assert_int_equal(br_world_advance(w, 86400), BR_OK);
        assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
        br_world_free(w);
        if (!failed) break;
    }
    assert_true(enomem > 0);
    assert_true(n > 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(requests_out_of_memory),
        cmocka_unit_test(clock_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
