/* CockroachDB Cloud paths the fixtures do not reach (model/crdb/): backup-config refusals,
 * wrong-typed restore members and options, and restores whose destination changed before they
 * completed (the conflict found again at completion fails the job). */
#include "branches_support.h"

#define CC_INVALID_ARGUMENT 3
#define CC_FAILED_PRECONDITION 9

static const char world_text[] =
    "{'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'oc','vendor':'cockroachdb'}],"
    "'keys':[{'key':'admin','org':'oc','roles':['ORG_ADMIN','CLUSTER_ADMIN']}],"
    "'clusters':[{'id':'adv','org':'oc','plan':'ADVANCED','databases':[{'name':'defaultdb'},"
    "{'name':'postgres'},{'name':'tpcc','tables':[{'name':'warehouse','schema':'public',"
    "'version':3},{'name':'customer','schema':'sales','version':5}]}]},"
    "{'id':'dr','org':'oc','plan':'ADVANCED','databases':[{'name':'defaultdb'},{'name':"
    "'postgres'}]},{'id':'basic','org':'oc','plan':'BASIC'}],"
    "'backups':[{'id':'b1','cluster':'adv','createTime':'2024-08-25T23:00:00Z'}]}";

static void cc_refused(br_world *w, const char *method, const char *path, const char *body,
                       int status, long long code, const char *words)
{
    uint64_t before = br_world_digest(w);
    br_response res =
        bt_expect(w, &(bt_req){method, path, .bearer = "admin", .body = body}, status);
    assert_true(res.error);
    assert_int_equal(body_code(&res), code);
    assert_true(json_is_array(json_object_get(res.body, "details")));
    const char *msg = json_string_value(json_object_get(res.body, "message"));
    assert_non_null(msg);
    if (words && !strstr(msg, words)) fail_msg("message \"%s\" lacks \"%s\"", msg, words);
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
}

static json_t *cc_ok(br_world *w, const char *method, const char *path, const char *body)
{
    br_response res = bt_expect(w, &(bt_req){method, path, .bearer = "admin", .body = body}, 200);
    assert_false(res.error);
    json_t *b = json_incref(res.body);
    br_response_clear(&res);
    return b;
}

static void backup_config_refusals(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
#define CFG "/api/v1/clusters/adv/backups-config"
    static const struct {
        const char *body, *words;
    } bad[] = {
        {"{'enabled':'yes'}", "enabled must be a boolean"},
        {"{'frequency_minutes':'60'}", "frequency_minutes must be an integer"},
        {"{'retention_days':true}", "retention_days must be an integer"},
        {"{'frequency_minutes':7}", "frequency_minutes 7 is invalid"},
        {"{'retention_days':8}", "retention_days 8 is invalid"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cc_refused(w, "PATCH", CFG, bad[i].body, 400, CC_INVALID_ARGUMENT, bad[i].words);
    /* Basic clusters: fixed schedule and retention */
    cc_refused(w, "PATCH", "/api/v1/clusters/basic/backups-config", "{'frequency_minutes':60}", 400,
               CC_FAILED_PRECONDITION, "cannot be changed");
    cc_refused(w, "PUT", "/api/v1/clusters/basic/backups/config", "{'retention_days':7}", 400,
               CC_FAILED_PRECONDITION, "cannot be changed");
    json_t *b = cc_ok(w, "PUT", "/api/v1/clusters/basic/backups/config", "{'enabled':false}");
    assert_true(json_is_false(json_object_get(b, "enabled")));
    json_decref(b);
    /* the retention changes once; a second change needs a support ticket */
    b = cc_ok(w, "PATCH", CFG, "{'retention_days':7,'frequency_minutes':60}");
    assert_int_equal(json_integer_value(json_object_get(b, "retention_days")), 7);
    json_decref(b);
    cc_refused(w, "PATCH", CFG, "{'retention_days':90}", 400, CC_FAILED_PRECONDITION,
               "already has a retention policy set");
    /* the same retention again is no change; disabling and enabling restarts the schedule */
    b = cc_ok(w, "PATCH", CFG, "{'retention_days':7,'enabled':false}");
    json_decref(b);
    b = cc_ok(w, "PATCH", CFG, "{'enabled':true}");
    assert_true(json_is_true(json_object_get(b, "enabled")));
    json_decref(b);
    b = cc_ok(w, "GET", "/api/v1/clusters/adv/backups/config", NULL);
    assert_int_equal(json_integer_value(json_object_get(b, "frequency_minutes")), 60);
    json_decref(b);
    assert_int_equal(br_world_advance(w, 3 * 3600), BR_OK);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
#undef CFG
}

static void restore_body_refusals(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
#define B "'backup_id':'b1','source_cluster_id':'adv'"
    static const struct {
        const char *body, *words;
    } bad[] = {
        {"{'type':5}", "type, backup_id, source_cluster_id and destination_cluster_id are strings"},
        {"{'type':'TABLE','backup_id':5}", "are strings"},
        {"{'type':'TABLE'," B ",'objects':{}}", "objects must be an array"},
        {"{'type':'TABLE'," B ",'objects':[5]}", "objects[0] must be an object"},
        {"{'type':'TABLE'," B ",'objects':[{'database':5}]}",
         "objects[0].database must be a string"},
        {"{'type':'TABLE'," B ",'objects':[{'database':'tpcc','schema':5}]}",
         "objects[0].schema must be a string"},
        {"{'type':'TABLE'," B ",'objects':[{'database':'@L'}]}",
         "objects[0].database is longer than"},
        {"{'type':'TABLE'," B ",'objects':[{'table':'x'}]}", "objects[0].database is required"},
        {"{'type':'TABLE'," B ",'objects':[{'database':''}]}", "objects[0].database is required"},
        {"{'type':'TABLE'," B ",'objects':[{'database':'tpcc'}]}",
         "objects[0].table is required for a TABLE restore"},
        {"{'type':'DATABASE'," B ",'objects':[{'database':'tpcc','table':'x'}]}",
         "objects[0].table is only allowed in a TABLE restore"},
        {"{'type':'CLUSTER'," B ",'objects':[{'database':'tpcc'}]}",
         "objects is only used when type is DATABASE or TABLE"},
        {"{'type':'DATABASE'," B "}", "objects is required when type is DATABASE or TABLE"},
        {"{'type':'DATABASE'," B ",'objects':[{'database':'tpcc'}],'restore_opts':5}",
         "restore_opts must be an object"},
        {"{'type':'DATABASE'," B ",'objects':[{'database':'tpcc'}],'restore_opts':{"
         "'schema_only':'yes'}}",
         "restore_opts.schema_only must be a boolean"},
        {"{'type':'DATABASE'," B ",'objects':[{'database':'tpcc'}],'restore_opts':{"
         "'new_db_name':5}}",
         "restore_opts.new_db_name must be a string"},
        {"{'type':'DATABASE'," B ",'objects':[{'database':'tpcc'}],'restore_opts':{"
         "'into_db':'defaultdb'}}",
         "cannot use \"into_db\" option when restoring database(s)"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cc_refused(w, "POST", "/api/v1/clusters/dr/restores", bad[i].body, 400, CC_INVALID_ARGUMENT,
                   bad[i].words);
    br_world_free(w);
}

/* Starts a restore into 'dst'; returns its id (owned). */
static char *start_restore(br_world *w, const char *dst, const char *body)
{
    char path[128];
    snprintf(path, sizeof path, "/api/v1/clusters/%s/restores", dst);
    json_t *b = cc_ok(w, "POST", path, body);
    char *id = strdup(json_string_value(json_object_get(b, "id")));
    json_decref(b);
    return id;
}

static json_t *job_field(br_world *w, const char *id, const char *field)
{
    char p[128];
    snprintf(p, sizeof p, "jobs/%s/%s", id, field);
    return bt_dump_at(w, p);
}

static void assert_job_status(br_world *w, const char *id, const char *status)
{
    json_t *v = job_field(w, id, "status");
    if (!json_is_string(v) || strcmp(json_string_value(v), status) != 0)
        fail_msg("restore %s is %s, expected %s", id, json_string_value(v), status);
    json_decref(v);
}

/* The destination changes while the restore runs: the conflict the create did not see is
 * found at completion and fails the job, with nothing written (INV-CONTENT). */
static void restore_effects_at_completion(void **s)
{
    (void)s;
    /* a table restore into a database where the table then appears */
    br_world *w = bt_world(world_text);
    char *id = start_restore(w, "dr",
                             "{'type':'TABLE'," B ",'objects':[{'database':'tpcc','schema':'sales',"
                             "'table':'customer'}],'restore_opts':{'into_db':'defaultdb'}}");
    assert_int_equal(br_world_write(w, "dr", "defaultdb", "sales", "customer"), BR_OK);
    json_t *before = bt_dump_at(w, "clusters/dr/databases");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job_status(w, id, "FAILED");
    json_t *after = bt_dump_at(w, "clusters/dr/databases");
    assert_true(json_equal(before, after));
    json_decref(before);
    json_decref(after);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/clusters/dr/restores/%s", id);
    json_t *b = cc_ok(w, "GET", path, NULL);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "FAILED");
    json_decref(b);
    free(id);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);

    /* a full cluster restore into a cluster that gets a schema and a table meanwhile */
    w = bt_world(world_text);
    id = start_restore(w, "dr", "{'type':'CLUSTER'," B "}");
    assert_int_equal(br_world_write(w, "dr", "defaultdb", "audit", "events"), BR_OK);
    assert_int_equal(br_world_write(w, "dr", "defaultdb", "audit", "logins"), BR_OK);
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job_status(w, id, "FAILED");
    free(id);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);

    /* a database restore whose destination cluster is deleted */
    w = bt_world(world_text);
    id = start_restore(w, "dr",
                       "{'type':'DATABASE'," B ",'objects':[{'database':'tpcc'}],'restore_opts':{"
                       "'new_db_name':'tpcc_copy'}}");
    assert_int_equal(br_world_drop_cluster(w, "dr"), BR_OK);
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job_status(w, id, "FAILED");
    free(id);
    br_world_free(w);

    /* schema_only: the tables arrive empty (version 0) */
    w = bt_world(world_text);
    id = start_restore(w, "dr",
                       "{'type':'DATABASE'," B ",'objects':[{'database':'tpcc'}],'restore_opts':{"
                       "'schema_only':true,'new_db_name':'shape'}}");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job_status(w, id, "SUCCESS");
    json_t *v = bt_dump_at(w, "clusters/dr/databases/shape/sales.customer/version");
    assert_int_equal(json_integer_value(v), 0);
    json_decref(v);
    free(id);
    /* the restored database now holds the table: restoring it there again is refused */
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores",
               "{'type':'TABLE'," B ",'objects':[{'database':'tpcc','table':'warehouse'}],"
               "'restore_opts':{'into_db':'shape'}}",
               409, 6, "relation \"shape.public.warehouse\" already exists");
    id = start_restore(w, "dr",
                       "{'type':'TABLE'," B ",'objects':[{'database':'tpcc','table':"
                       "'warehouse'}],'restore_opts':{'into_db':'defaultdb'}}");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job_status(w, id, "SUCCESS");
    v = bt_dump_at(w, "clusters/dr/databases/defaultdb/public.warehouse/version");
    assert_int_equal(json_integer_value(v), 3);
    json_decref(v);
    free(id);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
#undef B
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backup_config_refusals),
        cmocka_unit_test(restore_body_refusals),
        cmocka_unit_test(restore_effects_at_completion),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
