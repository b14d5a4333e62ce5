/* Zilliz Cloud refusals the fixtures do not reach (model/zilliz/): wrong-typed and missing body
 * members, invalid enums and ranges, restores into a stopped or foreign target, renamed
 * collections, policy windows, list paging; each refusal answers the {code, message} envelope
 * and changes nothing. */
#include "branches_support.h"

/* Error codes (model/zilliz/zilliz.h) */
#define E_BAD_REGION 96001
#define E_BAD_CU_SIZE 96002
#define E_BAD_CU_TYPE 96003
#define E_BAD_PROJECT 96005
#define E_BAD_TIME 96007
#define E_BAD_PAGE_SIZE 96008
#define E_BAD_PAGE 96009
#define E_BAD_CLUSTER_NAME 96010
#define E_NO_CLUSTER 96017
#define E_WRONG_TYPE 96303
#define E_TIER 96305
#define E_NO_COLLECTION 96306
#define E_COLLECTION_EXISTS 96307
#define E_NO_JOB 96309
#define E_CONFLICT 96310
#define E_NOT_RUNNING 96311
#define E_BAD 96312

static const char world_text[] =
    "{'orgs':[{'id':'o','vendor':'zilliz','projects':[{'id':'p1'},{'id':'p2'}]},{'id':'o2',"
    "'vendor':'zilliz','projects':[{'id':'q'}]}],"
    "'keys':[{'key':'owner','org':'o','roles':['ORG_OWNER']},{'key':'p1admin','org':'o','roles':"
    "[{'role':'PROJECT_ADMIN','scope':'p1'}]},{'key':'stranger','org':'o2','roles':["
    "'ORG_OWNER']}],"
    "'clusters':[{'id':'in01-a','name':'A','project':'p1','plan':'Standard','region':"
    "'aws-us-west-2','cuType':'Performance-optimized','cuSize':1,'databases':[{'name':"
    "'default','collections':[{'name':'c1'},{'name':'c2'}]},{'name':'db2','collections':[{"
    "'name':'logs'}]}]},"
    "{'id':'in01-stop','name':'S','project':'p1','plan':'Standard','region':'aws-us-west-2',"
    "'status':'STOPPED','databases':[{'name':'default'}]},"
    "{'id':'in01-free','name':'F','project':'p1','plan':'Free','region':'aws-us-west-2'},"
    "{'id':'in01-p2','name':'P2','project':'p2','plan':'Enterprise','region':'aws-us-west-2',"
    "'databases':[{'name':'default'}]},"
    "{'id':'in01-q','name':'Q','project':'q','plan':'Standard','region':'aws-us-west-2'}],"
    "'backups':[{'id':'bc','cluster':'in01-a','createTime':'2024-08-20T00:00:00Z'},{'id':'bcol',"
    "'cluster':'in01-a','type':'COLLECTION','collections':['c1','logs'],'createTime':"
    "'2024-08-21T00:00:00Z'},{'id':'bauto','cluster':'in01-a','method':'AUTO','createTime':"
    "'2024-08-22T00:00:00Z'}]}";

#define RC "/v2/clusters/in01-a/backups/bc/restoreCluster"
#define RCOL "/v2/clusters/in01-a/backups/bcol/restoreCollection"

static void post_refused(br_world *w, const char *path, const char *body, int status,
                         long long code, const char *words)
{
    bt_zc_refused(w, &(bt_req){"POST", path, .bearer = "owner", .body = body}, status, code, words);
}

static void restore_cluster_refusals(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
#define OKB "'projectId':'p1','clusterName':'copy','cuSize':1"
    static const struct {
        const char *body;
        int status;
        long long code;
        const char *words;
    } cases[] = {
        {"{}", 400, E_BAD, "projectId (or targetProjectId) is required"},
        {"{'projectId':5}", 400, E_BAD, "projectId must be a string"},
        {"{'targetProjectId':5}", 400, E_BAD, "targetProjectId must be a string"},
        {"{'targetProjectId':'p1','projectId':'p2'}", 400, E_CONFLICT, "name the same field"},
        {"{'projectId':'p1'}", 400, E_BAD, "clusterName is required"},
        {"{'projectId':'p1','clusterName':7}", 400, E_BAD, "clusterName is required"},
        {"{" OKB ",'collectionStatus':'HOT'}", 400, E_BAD, "collectionStatus is KEEP or RELEASE"},
        {"{" OKB ",'collectionStatus':1}", 400, E_BAD, "collectionStatus is KEEP or RELEASE"},
        {"{" OKB ",'regionId':1}", 400, E_BAD, "regionId, cloudId, cuType and password"},
        {"{" OKB ",'cloudId':1}", 400, E_BAD, "regionId, cloudId, cuType and password"},
        {"{" OKB ",'cuType':1}", 400, E_BAD, "regionId, cloudId, cuType and password"},
        {"{" OKB ",'password':1}", 400, E_BAD, "regionId, cloudId, cuType and password"},
        {"{'projectId':'p1','clusterName':'copy'}", 400, E_BAD_CU_SIZE, "cuSize is required"},
        {"{'projectId':'p1','clusterName':'copy','cuSize':'2'}", 400, E_BAD_CU_SIZE,
         "cuSize is required"},
        {"{'projectId':'p1','clusterName':'copy','cuSize':0}", 400, E_BAD_CU_SIZE,
         "Invalid cuSize 0"},
        {"{'projectId':'p1','clusterName':'copy','cuSize':257}", 400, E_BAD_CU_SIZE,
         "Invalid cuSize 257"},
        {"{'projectId':'p1','clusterName':'no spaces','cuSize':1}", 400, E_BAD_CLUSTER_NAME,
         "Invalid clusterName"},
        {"{'projectId':'p1','clusterName':'','cuSize':1}", 400, E_BAD_CLUSTER_NAME, NULL},
        {"{'projectId':'p1','clusterName':'@L','cuSize':1}", 400, E_BAD_CLUSTER_NAME, NULL},
        {"{" OKB ",'regionId':'gcp-us-west1'}", 200, E_BAD_REGION, "aws-us-west-2"},
        {"{" OKB ",'cloudId':'gcp'}", 200, 96000, "gcp was requested"},
        {"{" OKB ",'cuType':'Capacity-optimized'}", 200, E_BAD_CU_TYPE,
         "keeps the CU type Performance-optimized"},
        {"{'projectId':'nope','clusterName':'copy','cuSize':1}", 200, E_BAD_PROJECT,
         "Invalid projectId nope."},
        {"{'projectId':'q','clusterName':'copy','cuSize':1}", 200, E_BAD_PROJECT,
         "Invalid projectId q."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        post_refused(w, RC, cases[i].body, cases[i].status, cases[i].code, cases[i].words);
    /* the wrong kind of backup for each restore */
    post_refused(w, "/v2/clusters/in01-a/backups/bcol/restoreCluster", "{" OKB "}", 200,
                 E_WRONG_TYPE, "restoreCluster needs a CLUSTER backup");
    post_refused(w, "/v2/clusters/in01-a/backups/bc/restoreCollection", "{}", 200, E_WRONG_TYPE,
                 "restoreCollection needs a COLLECTION backup");
    /* all optional members given, matching the source: accepted */
    br_response res = bt_expect(
        w,
        &(bt_req){"POST", RC, .bearer = "owner",
                  .body = "{" OKB ",'collectionStatus':'RELEASE','regionId':'aws-us-west-2',"
                          "'cloudId':'aws','cuType':'Performance-optimized','password':'pw'}"},
        200);
    assert_false(res.error);
    assert_non_null(json_object_get(json_object_get(res.body, "data"), "jobId"));
    br_response_clear(&res);
    br_world_free(w);
#undef OKB
}

static void restore_collection_refusals(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
#define ENT(x) "{'destClusterId':'in01-a','dbCollections':[" x "]}"
    static const struct {
        const char *body;
        int status;
        long long code;
        const char *words;
    } cases[] = {
        {"{}", 400, E_BAD, "destClusterId (or targetClusterId) is required"},
        {"{'destClusterId':5}", 400, E_BAD, "destClusterId must be a string"},
        {"{'destClusterId':'in01-a','targetClusterId':'in01-p2'}", 400, E_CONFLICT, NULL},
        {"{'destClusterId':'in01-a'}", 400, E_BAD, "dbCollections is required"},
        {"{'destClusterId':'in01-a','dbCollections':[]}", 400, E_BAD, "dbCollections is required"},
        {"{'destClusterId':'in01-a','dbCollections':{}}", 400, E_BAD, "dbCollections is required"},
        {"{'destClusterId':'in01-zz','dbCollections':[{}]}", 200, E_NO_CLUSTER,
         "in01-zz does not exist"},
        {"{'destClusterId':'in01-q','dbCollections':[{}]}", 200, E_NO_CLUSTER, NULL},
        {"{'destClusterId':'in01-p2','projectId':'p1','dbCollections':[{}]}", 200, E_NO_CLUSTER,
         "does not exist in project p1"},
        {"{'destClusterId':'in01-a','projectId':'nope','dbCollections':[{}]}", 200, E_BAD_PROJECT,
         "Invalid projectId nope."},
        {"{'destClusterId':'in01-free','dbCollections':[{}]}", 200, E_TIER,
         "cluster in01-free is on the Free plan"},
        {"{'destClusterId':'in01-stop','dbCollections':[{}]}", 200, E_NOT_RUNNING,
         "restores into a running cluster; in01-stop is STOPPED"},
        {ENT("5"), 400, E_BAD, "dbCollections[0] is an object with a string dbName"},
        {ENT("{'dbName':5}"), 400, E_BAD, "dbCollections[0] is an object with a string dbName"},
        {ENT("{'dbName':'default','targetDbName':5}"), 400, E_BAD, "targetDbName must be"},
        {ENT("{'dbName':'default','targetDbName':'a','destDbName':'b'}"), 400, E_CONFLICT, NULL},
        {ENT("{'dbName':'default'}"), 400, E_BAD, "dbCollections[0].collections must list"},
        {ENT("{'dbName':'default','collections':[]}"), 400, E_BAD, "collections must list"},
        {ENT("{'dbName':'default','collections':[5]}"), 400, E_BAD,
         "collections[0].collectionName is required"},
        {ENT("{'dbName':'default','collections':[{}]}"), 400, E_BAD,
         "collections[0].collectionName is required"},
        {ENT("{'dbName':'default','collections':[{'collectionName':5}]}"), 400, E_BAD,
         "collectionName is required"},
        {ENT("{'dbName':'default','collections':[{'collectionName':'c1','targetCollectionName':"
             "'x','destCollectionName':'y'}]}"),
         400, E_CONFLICT, NULL},
        {ENT("{'dbName':'default','collections':[{'collectionName':'c1','destCollectionStatus':"
             "5}]}"),
         400, E_BAD, "destCollectionStatus must be a string"},
        {ENT("{'dbName':'default','collections':[{'collectionName':'c1','targetCollectionStatus':"
             "'WARM','targetCollectionName':'n'}]}"),
         400, E_BAD, "targetCollectionStatus is LOADED or UNLOADED"},
        {ENT("{'dbName':'default','collections':[{'collectionName':'c2'}]}"), 200, E_NO_COLLECTION,
         "Collection c2 is not in backup bcol."},
        {ENT("{'collections':[{'collectionName':'nope'}]}"), 200, E_NO_COLLECTION,
         "Collection nope is not in backup bcol."},
        /* without dbName the collection is found in whichever database: db2.logs exists */
        {ENT("{'collections':[{'collectionName':'logs'}]}"), 200, E_COLLECTION_EXISTS,
         "Collection logs already exists in database db2 of cluster in01-a."},
        {ENT("{'dbName':'default','targetDbName':'db9','collections':[{'collectionName':'c1',"
             "'targetCollectionName':'n'}]}"),
         200, E_NO_COLLECTION, "Database db9 does not exist in cluster in01-a."},
        /* two entries restoring to one name */
        {ENT("{'dbName':'default','collections':[{'collectionName':'c1','targetCollectionName':"
             "'same'},{'collectionName':'c1','destCollectionName':'same'}]}"),
         200, E_COLLECTION_EXISTS, "Collection same already exists"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        post_refused(w, RCOL, cases[i].body, cases[i].status, cases[i].code, cases[i].words);

    /* renamed: c1 -> c1_copy (unloaded), logs -> db2.logs_copy; the names are taken while the
     * restore runs, and the content arrives when it finishes */
    const char *renamed =
        ENT("{'dbName':'default','collections':[{'collectionName':'c1','targetCollectionName':"
            "'c1_copy','targetCollectionStatus':'UNLOADED'}]},{'collections':[{'collectionName':"
            "'logs','destCollectionName':'logs_copy','destCollectionStatus':'LOADED'}]}");
    br_response res =
        bt_expect(w, &(bt_req){"POST", RCOL, .bearer = "owner", .body = renamed}, 200);
    assert_false(res.error);
    char job[64];
    snprintf(job, sizeof job, "/v2/jobs/%s",
             json_string_value(json_object_get(json_object_get(res.body, "data"), "jobId")));
    br_response_clear(&res);
    post_refused(w, RCOL,
                 ENT("{'dbName':'default','collections':[{'collectionName':'c1',"
                     "'targetCollectionName':'c1_copy'}]}"),
                 200, E_COLLECTION_EXISTS, "Collection c1_copy already exists");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    res = bt_expect(w, &(bt_req){"GET", job, .bearer = "owner"}, 200);
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(res.body, "data"), "status")),
        "SUCCESSFUL");
    br_response_clear(&res);
    json_t *v = bt_dump_at(w, "clusters/in01-a/databases/default/c1_copy/loaded");
    assert_true(json_is_false(v));
    json_decref(v);
    bt_expect_dump_bool(w, "clusters/in01-a/databases/db2/logs_copy/loaded", true);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
#undef ENT
}

static void create_and_export_refusals(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
#define CR "/v2/clusters/in01-a/backups/create"
#define COL(x) "{'backupType':'COLLECTION','dbCollections':[" x "]}"
    static const struct {
        const char *path, *body;
        int status;
        long long code;
        const char *words;
    } cases[] = {
        {CR, "{'backupType':5}", 400, E_BAD, "backupType is required"},
        {CR, "{'backupType':'DATABASE'}", 400, E_BAD, "backupType is required"},
        {CR, "{'backupType':'COLLECTION'}", 400, E_BAD, "dbCollections is required"},
        {CR, COL("5"), 400, E_BAD, "dbCollections[0] must be an object"},
        {CR, COL("{'dbName':5}"), 400, E_BAD, "dbCollections[0] must be an object"},
        {CR, COL("{'dbName':'default'}"), 400, E_BAD, "collectionNames must list collections"},
        {CR, COL("{'collectionNames':[5]}"), 400, E_BAD, "collectionNames holds strings"},
        {CR, COL("{'collectionNames':['c1']},{'dbName':'db2','collectionNames':['logs']}"), 400,
         E_BAD, "one database only"},
        {CR, COL("{'collectionNames':['c9']}"), 200, E_NO_COLLECTION,
         "collection c9 not found in database default"},
        {"/v2/clusters/in01-stop/backups/create", "{'backupType':'CLUSTER'}", 200, E_NOT_RUNNING,
         "Cluster in01-stop is STOPPED, not RUNNING."},
        {"/v2/clusters/in01-a/backups/bc/export", "{}", 400, E_BAD, "integrationId is required"},
        {"/v2/clusters/in01-a/backups/bc/export", "{'integrationId':''}", 400, E_BAD,
         "integrationId is required"},
        {"/v2/clusters/in01-a/backups/bc/export", "{'integrationId':5}", 400, E_BAD,
         "integrationId is required"},
        {"/v2/clusters/in01-a/backups/bc/export", "{'integrationId':'i','directory':5}", 400, E_BAD,
         "directory is a string"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        post_refused(w, cases[i].path, cases[i].body, cases[i].status, cases[i].code,
                     cases[i].words);
    /* a COLLECTION backup naming one collection twice holds it once */
    br_response res = bt_expect(
        w, &(bt_req){"POST", CR, .bearer = "owner", .body = COL("{'collectionNames':['c1','c1']}")},
        200);
    assert_false(res.error);
    char path[128];
    snprintf(path, sizeof path, "/v2/clusters/in01-a/backups/%s",
             json_string_value(json_object_get(json_object_get(res.body, "data"), "backupId")));
    br_response_clear(&res);
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    res = bt_expect(w, &(bt_req){"GET", path, .bearer = "owner"}, 200);
    json_t *colls = json_object_get(json_object_get(res.body, "data"), "collections");
    assert_int_equal(json_array_size(colls), 1);
    br_response_clear(&res);
    br_world_free(w);
#undef CR
#undef COL
}

static void policy_refusals(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
#define POL "/v2/clusters/in01-a/backups/policy"
    static const struct {
        const char *body, *words;
    } cases[] = {
        {"{'enabled':'yes'}", "enabled is required"},
        {"{}", "enabled is required"},
        {"{'enabled':true,'frequency':5}", "frequency lists weekdays"},
        {"{'enabled':true,'frequency':''}", "frequency lists weekdays"},
        {"{'enabled':true,'frequency':'1,1'}", "frequency lists weekdays"},
        {"{'enabled':true,'frequency':'0'}", "frequency lists weekdays"},
        {"{'enabled':true,'frequency':'1,'}", "frequency lists weekdays"},
        {"{'enabled':true,'frequency':'12'}", "frequency lists weekdays"},
        {"{'enabled':true,'startTime':5}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'2:00-04:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02:00-02:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'0a:00-04:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02:0a-04:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02-00-04:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02:00+04:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'24:00-04:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02:60-04:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02:00-04:00x'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'2x:00-04:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02:a0-04:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02:00-0a:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02:00-04:0a'}", "startTime is a UTC window"},
        {"{'enabled':true,'startTime':'02:00-25:00'}", "startTime is a UTC window"},
        {"{'enabled':true,'retentionDays':'7'}", "retentionDays is an integer from 1 to 30"},
        {"{'enabled':true,'retentionDays':0}", "retentionDays is an integer from 1 to 30"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        post_refused(w, POL, cases[i].body, 400, E_BAD, cases[i].words);
    post_refused(w, "/v2/clusters/in01-free/backups/policy", "{'enabled':true}", 200, E_TIER,
                 "Automatic backups are available only to Dedicated clusters");
    bt_zc_refused(w, &(bt_req){"POST", POL, .bearer = "stranger", .body = "{'enabled':true}"}, 200,
                  E_NO_CLUSTER, NULL);
    /* a window that wraps midnight, on Sundays only: accepted, and the schedule runs */
    br_response res =
        bt_expect(w,
                  &(bt_req){"POST", POL, .bearer = "owner",
                            .body = "{'enabled':true,'frequency':'7','startTime':'23:00-01:00',"
                                    "'retentionDays':30}"},
                  200);
    assert_false(res.error);
    br_response_clear(&res);
    assert_int_equal(br_world_advance(w, 8 * 86400), BR_OK);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    res = bt_expect(w, &(bt_req){"GET", POL, .bearer = "owner"}, 200);
    json_t *data = json_object_get(res.body, "data");
    assert_int_equal(json_integer_value(json_object_get(data, "retentionDays")), 30);
    br_response_clear(&res);
    br_world_free(w);
#undef POL
}

static void list_and_job_edges(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    static const struct {
        const char *query;
        long long code;
        const char *words;
    } bad[] = {
        {"clusterId=in01-a&pageSize=0", E_BAD_PAGE_SIZE, "pageSize should be between 1 and 100"},
        {"clusterId=in01-a&pageSize=101", E_BAD_PAGE_SIZE, NULL},
        {"clusterId=in01-a&pageSize=", E_BAD_PAGE_SIZE, NULL},
        {"clusterId=in01-a&pageSize=5x", E_BAD_PAGE_SIZE, NULL},
        {"clusterId=in01-a&currentPage=0", E_BAD_PAGE, "currentPage should have a value"},
        {"creationMethod=BOTH", E_BAD, "creationMethod is MANUAL or AUTO"},
        {"backupType=DB", E_BAD, "backupType is CLUSTER or COLLECTION"},
        {"startTime=yesterday", E_BAD_TIME, "Invalid ISO 8601 timestamp"},
        {"endTime=2024-13-01T00:00:00Z", E_BAD_TIME, NULL},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v2/backups?%s", bad[i].query);
        bt_zc_refused(w, &(bt_req){"GET", path, .bearer = "owner"}, 400, bad[i].code, bad[i].words);
    }
    bt_zc_refused(w, &(bt_req){"GET", "/v2/backups?projectId=nope", .bearer = "owner"}, 200,
                  E_BAD_PROJECT, "Invalid projectId nope.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/backups?projectId=p2", .bearer = "p1admin"}, 200,
                  E_BAD_PROJECT, "Invalid projectId p2.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/jobs/job-nope", .bearer = "owner"}, 200, E_NO_JOB, NULL);
    static const struct {
        const char *query;
        long long count;
        size_t listed;
    } ok[] = {
        {"clusterId=in01-a", 3, 3},
        {"clusterId=in01-a&creationMethod=AUTO", 1, 1},
        {"clusterId=in01-a&creationMethod=MANUAL", 2, 2},
        {"clusterId=in01-a&backupType=COLLECTION", 1, 1},
        {"projectId=p1&startTime=2024-08-21T00:00:00Z", 2, 2},
        {"projectId=p1&endTime=2024-08-21T00:00:00Z", 2, 2},
        {"clusterId=in01-a&pageSize=2&currentPage=2", 3, 1},
        {"clusterId=in01-a&pageSize=2&currentPage=9", 3, 0},
        {"clusterId=in01-a&projectId=p2", 0, 0},
        {"clusterId=in01-p2", 0, 0},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char path[256];
        snprintf(path, sizeof path, "/v2/backups?%s", ok[i].query);
        br_response res = bt_expect(w, &(bt_req){"GET", path, .bearer = "owner"}, 200);
        json_t *data = json_object_get(res.body, "data");
        if (json_integer_value(json_object_get(data, "count")) != ok[i].count ||
            json_array_size(json_object_get(data, "backups")) != ok[i].listed)
            fail_msg("%s: %s", path, br_response_text(&res));
        br_response_clear(&res);
    }
    /* newest first */
    br_response res =
        bt_expect(w, &(bt_req){"GET", "/v2/backups?projectId=p1", .bearer = "owner"}, 200);
    json_t *list = json_object_get(json_object_get(res.body, "data"), "backups");
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 0), "backupId")),
                        "bauto");
    assert_string_equal(json_string_value(json_object_get(json_array_get(list, 2), "backupId")),
                        "bc");
    br_response_clear(&res);
    br_world_free(w);
}

#define E_NO_BACKUP 96301

static const char mixed_world[] =
    "{'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'o','vendor':'zilliz','projects':[{'id':'p1'}"
    "]},{'id':'oc','vendor':'cockroachdb'}],"
    "'keys':[{'key':'owner','org':'o','roles':['ORG_OWNER']},{'key':'admin','org':'oc','roles':"
    "['ORG_ADMIN','CLUSTER_ADMIN']}],"
    "'clusters':[{'id':'in01-d','project':'p1','plan':'Dedicated','region':'aws-us-west-2',"
    "'databases':[{'name':'default','collections':[{'name':'c1'}]}]},{'id':'in01-bc','project':"
    "'p1','plan':'BusinessCritical','region':'aws-us-west-2','databases':[{'name':'default'}]},"
    "{'id':'adv','org':'oc','plan':'ADVANCED','databases':[{'name':'tpcc'}]},{'id':'dr','org':"
    "'oc','plan':'ADVANCED'}],"
    "'backups':[{'id':'cb','cluster':'adv','createTime':'2024-08-25T23:00:00Z'},{'id':'t1',"
    "'cluster':'in01-d','createTime':'2024-08-20T00:00:00Z'},{'id':'t2','cluster':'in01-d',"
    "'createTime':'2024-08-20T00:00:00Z'}],"
    "'policies':[{'cluster':'in01-bc'}]}";

/* Names in error messages are cleaned to UTF-8 (each byte of a bad sequence shows as '?'); the
 * Dedicated and BusinessCritical plans take backups; CockroachDB clusters, backups and jobs
 * are not found through the Zilliz API. */
static void messages_plans_and_other_vendors(void **s)
{
    (void)s;
    br_world *w = bt_world(mixed_world);
    static const struct {
        const char *id, *words;
    } names[] = {
        {"%E0%80%80", "cluster ??? does not exist"},          /* overlong, 3 bytes */
        {"%ED%A0%80", "cluster ??? does not exist"},          /* a surrogate */
        {"%F0%80%80%80", "cluster ???? does not exist"},      /* overlong, 4 bytes */
        {"%F4%90%80%80", "cluster ???? does not exist"},      /* past U+10FFFF */
        {"%EF%BF%BD", "cluster \xEF\xBF\xBD does not exist"}, /* U+FFFD */
        {"%F0%9F%98%80", "cluster \xF0\x9F\x98\x80 does not exist"},
        {"%C3%A9%FF", "cluster \xC3\xA9? does not exist"},
    };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v2/clusters/%s", names[i].id);
        bt_zc_refused(w, &(bt_req){"GET", path, .bearer = "owner"}, 200, E_NO_CLUSTER,
                      names[i].words);
    }
    static const char *const dedicated[] = {"in01-d", "in01-bc"};
    for (size_t i = 0; i < 2; i++) {
        char path[128];
        snprintf(path, sizeof path, "/v2/clusters/%s/backups/create", dedicated[i]);
        br_response res = bt_expect(
            w, &(bt_req){"POST", path, .bearer = "owner", .body = "{'backupType':'CLUSTER'}"}, 200);
        assert_false(res.error);
        assert_non_null(
            json_string_value(json_object_get(json_object_get(res.body, "data"), "backupId")));
        br_response_clear(&res);
    }
    /* the policy given without 'enabled' is off */
    br_response res = bt_expect(
        w, &(bt_req){"GET", "/v2/clusters/in01-bc/backups/policy", .bearer = "owner"}, 200);
    assert_false(json_is_true(json_object_get(json_object_get(res.body, "data"), "enabled")));
    br_response_clear(&res);
    /* the other vendor's objects */
    res = bt_expect(w,
                    &(bt_req){"POST", "/api/v1/clusters/dr/restores", .bearer = "admin",
                              .body = "{'type':'CLUSTER','backup_id':'cb'}"},
                    200);
    char job[128];
    snprintf(job, sizeof job, "/v2/jobs/%s", json_string_value(json_object_get(res.body, "id")));
    br_response_clear(&res);
    bt_zc_refused(w, &(bt_req){"GET", job, .bearer = "owner"}, 200, E_NO_JOB, "does not exist");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/adv", .bearer = "owner"}, 200, E_NO_CLUSTER,
                  "The specified cluster adv does not exist.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/in01-d/backups/cb", .bearer = "owner"}, 200,
                  E_NO_BACKUP, "The backup cb does not exist in cluster in01-d.");
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
}

static void list_ids(br_world *w, const char *path, const char *ids)
{
    br_response res = bt_expect(w, &(bt_req){"GET", path, .bearer = "owner"}, 200);
    assert_false(res.error);
    json_t *list = json_object_get(json_object_get(res.body, "data"), "backups");
    char got[256] = "";
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        size_t used = strlen(got);
        snprintf(got + used, sizeof got - used, "%s%s", i ? "," : "",
                 json_string_value(json_object_get(o, "backupId")));
    }
    if (strcmp(got, ids) != 0) fail_msg("%s: %s, expected %s", path, got, ids);
    br_response_clear(&res);
}

/* Lists: backups of one instant (the later index first), a backup still being created is
 * listed, another organization's key sees none of the cluster's; under the ZC-LIST mutant the
 * deleted ones are listed too. */
static void list_orders_and_states(void **s)
{
    (void)s;
    br_world *w = bt_world(mixed_world);
    list_ids(w, "/v2/backups?clusterId=in01-d", "t2,t1");
    list_ids(w, "/v2/backups?clusterId=in01-d&creationMethod=MANUAL", "t2,t1");
    br_response res = bt_expect(w,
                                &(bt_req){"POST", "/v2/clusters/in01-d/backups/create",
                                          .bearer = "owner", .body = "{'backupType':'CLUSTER'}"},
                                200);
    char made[64];
    snprintf(made, sizeof made, "%s",
             json_string_value(json_object_get(json_object_get(res.body, "data"), "backupId")));
    br_response_clear(&res);
    char want[128];
    snprintf(want, sizeof want, "%s,t2,t1", made);
    list_ids(w, "/v2/backups?clusterId=in01-d", want);
    list_ids(w, "/v2/backups?clusterId=in01-d&backupType=CLUSTER", want);
    res = bt_expect(w, &(bt_req){"GET", "/v2/backups?clusterId=in01-d", .bearer = "stranger"}, 401);
    br_response_clear(&res);
    br_world_free(w);

    w = bt_world(world_text);
    res = bt_expect(w, &(bt_req){"GET", "/v2/backups?clusterId=in01-a", .bearer = "stranger"}, 200);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(res.body, "data"), "count")), 0);
    br_response_clear(&res);
    /* a deleted backup: not listed; listed under the mutant */
    res =
        bt_expect(w, &(bt_req){"DELETE", "/v2/clusters/in01-a/backups/bc", .bearer = "owner"}, 200);
    br_response_clear(&res);
    list_ids(w, "/v2/backups?clusterId=in01-a", "bauto,bcol");
    br_world_set_mutant(w, br_rule_from_id("ZC-LIST"));
    list_ids(w, "/v2/backups?clusterId=in01-a", "bauto,bcol,bc");
    br_world_free(w);
}

/* More create refusals (dbCollections and collectionNames of the wrong shape), cluster names
 * with hyphens and underscores, and names promised by a running restore only in their own
 * database. */
static void names_and_selections(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
#define CR "/v2/clusters/in01-a/backups/create"
    static const struct {
        const char *body, *words;
    } bad[] = {
        {"{'backupType':'COLLECTION','dbCollections':5}", "dbCollections is required"},
        {"{'backupType':'COLLECTION','dbCollections':[]}", "dbCollections is required"},
        {"{'backupType':'COLLECTION','dbCollections':[{'collectionNames':'c1'}]}",
         "dbCollections[0].collectionNames must list collections"},
        {"{'backupType':'COLLECTION','dbCollections':[{'collectionNames':[]}]}",
         "dbCollections[0].collectionNames must list collections"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        post_refused(w, CR, bad[i].body, 400, E_BAD, bad[i].words);
    br_response res =
        bt_expect(w,
                  &(bt_req){"POST", RC, .bearer = "owner",
                            .body = "{'projectId':'p1','clusterName':'copy_1-B','cuSize':1}"},
                  200);
    assert_false(res.error);
    br_response_clear(&res);
    /* db2.logs_copy is promised; default.logs_copy is free */
    res = bt_expect(w,
                    &(bt_req){"POST", RCOL, .bearer = "owner",
                              .body = "{'destClusterId':'in01-a','dbCollections':[{'dbName':"
                                      "'db2','collections':[{'collectionName':'logs',"
                                      "'targetCollectionName':'logs_copy'}]}]}"},
                    200);
    br_response_clear(&res);
    post_refused(w, RCOL,
                 "{'destClusterId':'in01-a','dbCollections':[{'dbName':'db2','collections':[{"
                 "'collectionName':'logs','targetCollectionName':'logs_copy'}]}]}",
                 200, E_COLLECTION_EXISTS, "Collection logs_copy already exists");
    res = bt_expect(w,
                    &(bt_req){"POST", RCOL, .bearer = "owner",
                              .body = "{'destClusterId':'in01-a','dbCollections':[{'dbName':"
                                      "'default','collections':[{'collectionName':'c1',"
                                      "'targetCollectionName':'logs_copy'}]}]}"},
                    200);
    assert_false(res.error);
    br_response_clear(&res);
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    json_t *v = bt_dump_at(w, "clusters/in01-a/databases/default/logs_copy");
    assert_non_null(v);
    json_decref(v);
    v = bt_dump_at(w, "clusters/in01-a/databases/db2/logs_copy");
    assert_non_null(v);
    json_decref(v);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
#undef CR
}

#define E_ONE_AT_A_TIME 96304
#define E_IN_USE 96308

static char *data_string(br_world *w, const bt_req *r, const char *member)
{
    br_response res = bt_expect(w, r, 200);
    assert_false(res.error);
    const char *v = json_string_value(json_object_get(json_object_get(res.body, "data"), member));
    assert_non_null(v);
    char *out = strdup(v);
    br_response_clear(&res);
    return out;
}

/* ZC-CREATE-ONE names the backup in the way: the manual one still running, or the automatic
 * one running in the cluster. */
static void create_one_names_the_backup(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
#define CR "/v2/clusters/in01-a/backups/create"
    char *id =
        data_string(w, &(bt_req){"POST", CR, .bearer = "owner", .body = "{'backupType':'CLUSTER'}"},
                    "backupId");
    char words[160];
    snprintf(words, sizeof words, "in progress in cluster in01-a; backup %s is not done.", id);
    post_refused(w, CR, "{'backupType':'CLUSTER'}", 200, E_ONE_AT_A_TIME, words);
    free(id);
    /* the automatic backup of the next day's window */
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    br_response res = bt_expect(w,
                                &(bt_req){"POST", "/v2/clusters/in01-a/backups/policy",
                                          .bearer = "owner", .body = "{'enabled':true}"},
                                200);
    br_response_clear(&res);
    assert_int_equal(br_world_advance(w, 23 * 3600), BR_OK);
    res = bt_expect(
        w, &(bt_req){"GET", "/v2/backups?clusterId=in01-a&creationMethod=AUTO", .bearer = "owner"},
        200);
    json_t *first =
        json_array_get(json_object_get(json_object_get(res.body, "data"), "backups"), 0);
    assert_string_equal(json_string_value(json_object_get(first, "status")), "CREATING");
    snprintf(words, sizeof words,
             "A manual backup cannot start while automatic backup %s runs in cluster in01-a.",
             json_string_value(json_object_get(first, "backupId")));
    br_response_clear(&res);
    post_refused(w, CR, "{'backupType':'CLUSTER'}", 200, E_ONE_AT_A_TIME, words);
    br_world_free(w);
#undef CR
}

#define E_NO_PROJECT_ROLE 96013

/* Routes' look-ups one by one (unknown cluster, backup of another cluster, unknown backup,
 * another project), a backup in use by a running restore, a page shorter than the list, and
 * the same requests under the SEC-TENANCY, ZC-DELETE and ZC-CREATE-ONE mutants. */
static void lookups_and_mutants(void **s)
{
    (void)s;
#define RCB "'projectId':'p1','clusterName':'copy','cuSize':1"
    static const struct {
        const char *method, *path, *key, *body;
        long long code;
        const char *words;
    } bad[] = {
        {"DELETE", "/v2/clusters/nope/backups/bc", "owner", NULL, E_NO_CLUSTER, "nope"},
        {"DELETE", "/v2/clusters/in01-a/backups/nope", "owner", NULL, E_NO_BACKUP,
         "The backup nope does not exist in cluster in01-a."},
        {"GET", "/v2/clusters/in01-p2/backups/bc", "owner", NULL, E_NO_BACKUP,
         "The backup bc does not exist in cluster in01-p2."},
        {"POST", "/v2/clusters/in01-a/backups/nope/restoreCluster", "owner", "{" RCB "}",
         E_NO_BACKUP, "backup nope"},
        {"POST", "/v2/clusters/nope/backups/bc/restoreCluster", "owner", "{" RCB "}", E_NO_CLUSTER,
         "nope"},
        {"POST", "/v2/clusters/in01-a/backups/bc/restoreCluster", "p1admin",
         "{'projectId':'p2','clusterName':'copy','cuSize':1}", E_BAD_PROJECT,
         "Invalid projectId p2."},
        {"POST", "/v2/clusters/in01-a/backups/nope/restoreCollection", "owner",
         "{'destClusterId':'in01-a','dbCollections':[{'collections':[{'collectionName':'c1'}]}]}",
         E_NO_BACKUP, "backup nope"},
        {"GET", "/v2/clusters/nope/backups/policy", "owner", NULL, E_NO_CLUSTER, "nope"},
    };
    br_world *w = bt_world(world_text);
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bt_zc_refused(
            w, &(bt_req){bad[i].method, bad[i].path, .bearer = bad[i].key, .body = bad[i].body},
            200, bad[i].code, bad[i].words);
    char *job = data_string(w,
                            &(bt_req){"POST", "/v2/clusters/in01-a/backups/bc/restoreCluster",
                                      .bearer = "owner", .body = "{" RCB "}"},
                            "jobId");
    char words[128];
    snprintf(words, sizeof words, "Backup bc is in use by running RESTORE job %s.", job);
    bt_zc_refused(w, &(bt_req){"DELETE", "/v2/clusters/in01-a/backups/bc", .bearer = "owner"}, 200,
                  E_IN_USE, words);
    free(job);
    br_response res = bt_expect(
        w,
        &(bt_req){"GET", "/v2/backups?clusterId=in01-a&projectId=p1&pageSize=1", .bearer = "owner"},
        200);
    json_t *data = json_object_get(res.body, "data");
    assert_int_equal(json_integer_value(json_object_get(data, "count")), 3);
    assert_int_equal(json_array_size(json_object_get(data, "backups")), 1);
    br_response_clear(&res);
    br_world_free(w);

    /* SEC-TENANCY: another organization's key sees the cluster and its backups, and is then
     * refused the write for want of a role */
    w = bt_world(world_text);
    br_world_set_mutant(w, br_rule_from_id("SEC-TENANCY"));
    res = bt_expect(w, &(bt_req){"GET", "/v2/backups?clusterId=in01-a", .bearer = "stranger"}, 200);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(res.body, "data"), "count")), 3);
    br_response_clear(&res);
    res = bt_expect(w, &(bt_req){"GET", "/v2/backups?projectId=p1", .bearer = "stranger"}, 200);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(res.body, "data"), "count")), 3);
    br_response_clear(&res);
    bt_zc_refused(w,
                  &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "stranger",
                            .body = "{'backupType':'CLUSTER'}"},
                  200, E_NO_PROJECT_ROLE, "You don't have permission for this project.");
    bt_zc_refused(w, &(bt_req){"DELETE", "/v2/clusters/in01-a/backups/bc", .bearer = "stranger"},
                  200, E_NO_PROJECT_ROLE, NULL);
    bt_zc_refused(w,
                  &(bt_req){"POST", "/v2/clusters/in01-a/backups/bcol/restoreCollection",
                            .bearer = "p1admin",
                            .body = "{'destClusterId':'in01-p2','dbCollections':[{'dbName':"
                                    "'default','collections':[{'collectionName':'c1'}]}]}"},
                  200, E_NO_PROJECT_ROLE, NULL);
    bt_zc_refused(w,
                  &(bt_req){"POST", "/v2/clusters/in01-a/backups/bc/restoreCluster",
                            .bearer = "p1admin",
                            .body = "{'projectId':'p2','clusterName':'copy','cuSize':1}"},
                  200, E_NO_PROJECT_ROLE, NULL);
    br_world_free(w);

    /* ZC-DELETE: a backup in use is deleted; ZC-CREATE-ONE: a second manual backup starts */
    w = bt_world(world_text);
    br_world_set_mutant(w, br_rule_from_id("ZC-DELETE"));
    res = bt_expect(w,
                    &(bt_req){"POST", "/v2/clusters/in01-a/backups/bc/restoreCluster",
                              .bearer = "owner", .body = "{" RCB "}"},
                    200);
    br_response_clear(&res);
    res =
        bt_expect(w, &(bt_req){"DELETE", "/v2/clusters/in01-a/backups/bc", .bearer = "owner"}, 200);
    assert_false(res.error);
    br_response_clear(&res);
    br_world_set_mutant(w, br_rule_from_id("ZC-CREATE-ONE"));
    for (int i = 0; i < 2; i++) {
        res = bt_expect(w,
                        &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "owner",
                                  .body = "{'backupType':'CLUSTER'}"},
                        200);
        assert_false(res.error);
        br_response_clear(&res);
    }
    br_world_free(w);
#undef RCB
}

static long long auto_count(br_world *w, const char *cluster)
{
    char path[128];
    snprintf(path, sizeof path, "/v2/backups?clusterId=%s&creationMethod=AUTO", cluster);
    br_response res = bt_expect(w, &(bt_req){"GET", path, .bearer = "owner"}, 200);
    long long n = json_integer_value(json_object_get(json_object_get(res.body, "data"), "count"));
    br_response_clear(&res);
    return n;
}

#define POLICY_WORLD(policies)                                                                     \
    "{'clock':'2024-08-26T12:00:00Z','orgs':[{'id':'oc','vendor':'cockroachdb'},{'id':'o',"        \
    "'vendor':'zilliz','projects':[{'id':'p1'}]}],'keys':[{'key':'owner','org':'o','roles':["      \
    "'ORG_OWNER']}],'clusters':[{'id':'crdb1','org':'oc','plan':'BASIC'},"                         \
    "{'id':'in01-a','project':'p1','plan':'Standard','region':'aws-us-west-2'},"                   \
    "{'id':'in01-b','project':'p1','plan':'Standard','region':'aws-us-west-2'},"                   \
    "{'id':'in01-c','project':'p1','plan':'Standard','region':'aws-us-west-2'},"                   \
    "{'id':'in01-d','project':'p1','plan':'Standard','region':'aws-us-west-2'}],"                  \
    "'policies':[" policies "]}"

/* Schedules of several clusters (the earliest window first, a disabled policy and a dropped
 * cluster skipped), automatic backups expiring after their retention, and the ZC-RETAIN and
 * ZC-POLICY mutants (no expiry; no backup when enabled, a window that never opens). */
static void policies_and_schedules(void **s)
{
    (void)s;
    const char *text = POLICY_WORLD(
        "{'cluster':'in01-a','enabled':true,'startTime':'03:00-05:00','retentionDays':1},"
        "{'cluster':'in01-b','enabled':true,'startTime':'01:00-03:00','retentionDays':1},"
        "{'cluster':'in01-c','enabled':false},{'cluster':'in01-d','enabled':true}");
    br_world *w = bt_world(text);
    assert_int_equal(br_world_drop_cluster(w, "in01-d"), BR_OK);
    assert_int_equal(br_world_advance(w, 14 * 3600), BR_OK); /* 02:00 the next day */
    assert_int_equal(auto_count(w, "in01-a"), 0);
    assert_int_equal(auto_count(w, "in01-b"), 1);
    assert_int_equal(br_world_advance(w, 2 * 3600), BR_OK);
    assert_int_equal(auto_count(w, "in01-a"), 1);
    assert_int_equal(auto_count(w, "in01-c"), 0);
    /* a day later each has taken the next one and the first has expired */
    assert_int_equal(br_world_advance(w, 86400), BR_OK);
    assert_int_equal(auto_count(w, "in01-a"), 1);
    assert_int_equal(auto_count(w, "in01-b"), 1);
    /* an automatic backup deleted before it expires: its expiry passes without it */
    br_response res = bt_expect(
        w, &(bt_req){"GET", "/v2/backups?clusterId=in01-b&creationMethod=AUTO", .bearer = "owner"},
        200);
    char path[128];
    snprintf(path, sizeof path, "/v2/clusters/in01-b/backups/%s",
             json_string_value(json_object_get(
                 json_array_get(json_object_get(json_object_get(res.body, "data"), "backups"), 0),
                 "backupId")));
    br_response_clear(&res);
    res = bt_expect(w, &(bt_req){"DELETE", path, .bearer = "owner"}, 200);
    assert_false(res.error);
    br_response_clear(&res);
    assert_int_equal(auto_count(w, "in01-b"), 0);
    assert_int_equal(br_world_advance(w, 86400), BR_OK);
    assert_int_equal(auto_count(w, "in01-b"), 1);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);

    w = bt_world(text);
    br_world_set_mutant(w, br_rule_from_id("ZC-RETAIN"));
    assert_int_equal(br_world_advance(w, 3 * 86400), BR_OK);
    assert_int_equal(auto_count(w, "in01-a"), 3);
    assert_int_equal(auto_count(w, "in01-b"), 3);
    br_world_free(w);

    w = bt_world(text);
    br_world_set_mutant(w, br_rule_from_id("ZC-POLICY"));
    res = bt_expect(w,
                    &(bt_req){"POST", "/v2/clusters/in01-c/backups/policy", .bearer = "owner",
                              .body = "{'enabled':true,'startTime':'25:00-26:00'}"},
                    200);
    assert_false(res.error);
    br_response_clear(&res);
    assert_int_equal(auto_count(w, "in01-c"), 0);
    assert_int_equal(br_world_advance(w, 3 * 86400), BR_OK);
    assert_int_equal(auto_count(w, "in01-c"), 0);
    /* enabled again while enabled: no backup at once */
    br_world_set_mutant(w, BR_RULE_COUNT);
    long long before = auto_count(w, "in01-a");
    res = bt_expect(w,
                    &(bt_req){"POST", "/v2/clusters/in01-a/backups/policy", .bearer = "owner",
                              .body = "{'enabled':true,'startTime':'03:00-05:00'}"},
                    200);
    assert_false(res.error);
    br_response_clear(&res);
    assert_int_equal(auto_count(w, "in01-a"), before);
    br_world_free(w);
}

/* restoreCollection with null dbName and collectionName, names promised in one database, and
 * a restore running into another cluster. */
static void restore_collection_promises(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    post_refused(w, RCOL,
                 "{'destClusterId':'in01-a','dbCollections':[{'dbName':null,'collections':[{"
                 "'collectionName':null}]}]}",
                 400, E_BAD, "collections[0].collectionName is required");
    char *p2job = data_string(
        w,
        &(bt_req){"POST", RCOL, .bearer = "owner",
                  .body = "{'destClusterId':'in01-p2','dbCollections':[{'dbName':'default',"
                          "'collections':[{'collectionName':'c1','targetCollectionName':'x'}]}]}"},
        "jobId");
    /* the job restores into project p2: p1's admin does not see it */
    char jp[96];
    snprintf(jp, sizeof jp, "/v2/jobs/%s", p2job);
    bt_zc_refused(w, &(bt_req){"GET", jp, .bearer = "p1admin"}, 200, E_NO_JOB, "does not exist");
    free(p2job);
    br_response res;
    res = bt_expect(w,
                    &(bt_req){"POST", RCOL, .bearer = "owner",
                              .body = "{'destClusterId':'in01-a','dbCollections':[{'dbName':"
                                      "'db2','collections':[{'collectionName':'logs',"
                                      "'targetCollectionName':'one'}]}]}"},
                    200);
    br_response_clear(&res);
    res = bt_expect(w,
                    &(bt_req){"POST", RCOL, .bearer = "owner",
                              .body = "{'destClusterId':'in01-a','dbCollections':[{'dbName':"
                                      "'db2','collections':[{'collectionName':'logs',"
                                      "'targetCollectionName':'two'}]}]}"},
                    200);
    br_response_clear(&res);
    post_refused(w, RCOL,
                 "{'destClusterId':'in01-a','dbCollections':[{'dbName':'db2','collections':[{"
                 "'collectionName':'logs','targetCollectionName':'two'}]}]}",
                 200, E_COLLECTION_EXISTS, "Collection two already exists");
    /* a backup being created cannot be deleted; one no running job uses can */
    char *made = data_string(w,
                             &(bt_req){"POST", "/v2/clusters/in01-a/backups/create",
                                       .bearer = "owner", .body = "{'backupType':'CLUSTER'}"},
                             "backupId");
    char path[128], words[128];
    snprintf(path, sizeof path, "/v2/clusters/in01-a/backups/%s", made);
    snprintf(words, sizeof words, "Backup %s is still being created.", made);
    bt_zc_refused(w, &(bt_req){"DELETE", path, .bearer = "owner"}, 200, E_IN_USE, words);
    free(made);
    res =
        bt_expect(w, &(bt_req){"DELETE", "/v2/clusters/in01-a/backups/bc", .bearer = "owner"}, 200);
    assert_false(res.error);
    br_response_clear(&res);
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    json_t *v = bt_dump_at(w, "clusters/in01-p2/databases/default/x");
    assert_non_null(v);
    json_decref(v);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
}

/* The SEC-AUTH mutant (an unknown or missing key acts as the first Zilliz key, none when the
 * world has no key), and a dropped cluster: gone for describe and policy, its manual backups
 * still described and listed (ZC-RETAIN). */
static void auth_mutant_and_dropped_clusters(void **s)
{
    (void)s;
    static const char text[] =
        "{'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'oc','vendor':'cockroachdb'},{'id':'o',"
        "'vendor':'zilliz','projects':[{'id':'p1'}]}],'keys':[{'key':'admin','org':'oc','roles':"
        "['ORG_ADMIN']},{'key':'owner','org':'o','roles':['ORG_OWNER']}],'clusters':[{'id':"
        "'in01-a','project':'p1','plan':'Standard','region':'aws-us-west-2'}],'backups':[{'id':"
        "'bc','cluster':'in01-a'}]}";
    br_world *w = bt_world(text);
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/in01-a", .bearer = "nobody"}, 401, 80001,
                  "Invalid token");
    br_world_set_mutant(w, br_rule_from_id("SEC-AUTH"));
    static const char *const callers[] = {"nobody", NULL};
    for (size_t i = 0; i < 2; i++) {
        br_response res =
            bt_expect(w, &(bt_req){"GET", "/v2/clusters/in01-a", .bearer = callers[i]}, 200);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(res.body, "data"), "clusterId")),
            "in01-a");
        br_response_clear(&res);
    }
    br_world_set_mutant(w, BR_RULE_COUNT);
    assert_int_equal(br_world_drop_cluster(w, "in01-a"), BR_OK);
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/in01-a", .bearer = "owner"}, 200, E_NO_CLUSTER,
                  "in01-a");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/in01-a/backups/policy", .bearer = "owner"}, 200,
                  E_NO_CLUSTER, "in01-a");
    br_response res =
        bt_expect(w, &(bt_req){"GET", "/v2/clusters/in01-a/backups/bc", .bearer = "owner"}, 200);
    assert_false(res.error);
    br_response_clear(&res);
    list_ids(w, "/v2/backups?clusterId=in01-a", "bc");
    br_world_free(w);

    w = bt_world("{'orgs':[{'id':'o','vendor':'zilliz','projects':[{'id':'p1'}]}]}");
    br_world_set_mutant(w, br_rule_from_id("SEC-AUTH"));
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/in01-a", .bearer = "nobody"}, 401, 80001,
                  "Invalid token");
    br_world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(restore_cluster_refusals),
        cmocka_unit_test(restore_collection_refusals),
        cmocka_unit_test(create_and_export_refusals),
        cmocka_unit_test(policy_refusals),
        cmocka_unit_test(list_and_job_edges),
        cmocka_unit_test(messages_plans_and_other_vendors),
        cmocka_unit_test(list_orders_and_states),
        cmocka_unit_test(names_and_selections),
        cmocka_unit_test(create_one_names_the_backup),
        cmocka_unit_test(lookups_and_mutants),
        cmocka_unit_test(policies_and_schedules),
        cmocka_unit_test(restore_collection_promises),
        cmocka_unit_test(auth_mutant_and_dropped_clusters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
