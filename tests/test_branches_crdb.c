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

/* A refusal of a request with extra headers: the status, the {code, message, details} shape
 * with the gRPC code, the message holding 'words', and the world unchanged. */
static void cc_req_refused(br_world *w, const bt_req *r, int status, long long code,
                           const char *words)
{
    uint64_t before = br_world_digest(w);
    br_response res = bt_expect(w, r, status);
    assert_true(res.error);
    assert_int_equal(body_code(&res), code);
    assert_true(json_is_array(json_object_get(res.body, "details")));
    const char *msg = json_string_value(json_object_get(res.body, "message"));
    assert_non_null(msg);
    if (words && !strstr(msg, words)) fail_msg("message \"%s\" lacks \"%s\"", msg, words);
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
}

/* Cc-Version must be a real calendar date. */
static void version_header_dates(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    static const char *const bad[] = {
        "2024-0916",  "2024x09-16", "2024-09x16", "2024-09-1a", "a024-09-16",
        "0000-09-16", "2024-00-16", "2024-13-16", "2024-09-00", "2024-09-31",
        "2023-02-29", "1900-02-29", "2024-04-31", "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        cc_req_refused(w,
                       &(bt_req){"GET", "/api/v1/clusters/adv/restores", .bearer = "admin",
                                 .hname = {"Cc-Version"}, .hvalue = {bad[i]}},
                       400, CC_INVALID_ARGUMENT, "invalid Cc-Version header");
    static const char *const good[] = {"2024-02-29", "2000-02-29", "2024-12-31", "2023-02-28",
                                       "2024-09-16"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        br_response res =
            bt_expect(w,
                      &(bt_req){"GET", "/api/v1/clusters/adv/restores", .bearer = "admin",
                                .hname = {"Cc-Version"}, .hvalue = {good[i]}},
                      200);
        assert_false(res.error);
        assert_int_equal(json_array_size(json_object_get(res.body, "restores")), 0);
        br_response_clear(&res);
    }
    br_world_free(w);
}

/* The ids of a restore list page, comma-separated into 'ids'; returns the next_page token
 * (owned, NULL when there is none). */
static char *list_page(br_world *w, const char *path, char *ids, size_t len)
{
    json_t *b = cc_ok(w, "GET", path, NULL);
    json_t *list = json_object_get(b, "restores");
    assert_true(json_is_array(list));
    ids[0] = '\0';
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        size_t used = strlen(ids);
        snprintf(ids + used, len - used, "%s%s", i ? "," : "",
                 json_string_value(json_object_get(o, "id")));
    }
    json_t *page = json_object_get(b, "pagination");
    assert_true(json_is_object(page));
    const char *next = json_string_value(json_object_get(page, "next_page"));
    char *token = next ? strdup(next) : NULL;
    json_decref(b);
    return token;
}

static void expect_page(br_world *w, const char *path, const char *ids, const char *next)
{
    char got[512];
    char *token = list_page(w, path, got, sizeof got);
    if (strcmp(got, ids) != 0) fail_msg("%s: restores %s, expected %s", path, got, ids);
    if ((next == NULL) != (token == NULL) || (next && strcmp(next, token) != 0))
        fail_msg("%s: next_page %s, expected %s", path, token ? token : "(none)",
                 next ? next : "(none)");
    free(token);
}

#define T0 1724630400LL /* 2024-08-26T00:00:00Z, the world's clock */
#define RB "'backup_id':'b1','source_cluster_id':'adv'"

/* Lists of a cluster's restores: keyset pages in both orders, start and end times, limits
 * (0 is the default, above 1000 is 1000), empty lists and every refused parameter. */
static void restore_list_paging(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    /* r1, r2 at T0 (ordered by id), r3 at T0 + 120 */
    char *r[3];
    r[0] = start_restore(w, "dr",
                         "{'type':'DATABASE'," RB ",'objects':[{'database':'tpcc'}],"
                         "'restore_opts':{'new_db_name':'c1'}}");
    r[1] = start_restore(w, "dr",
                         "{'type':'DATABASE'," RB ",'objects':[{'database':'tpcc'}],"
                         "'restore_opts':{'new_db_name':'c2'}}");
    if (strcmp(r[0], r[1]) > 0) {
        char *t = r[0];
        r[0] = r[1];
        r[1] = t;
    }
    assert_int_equal(br_world_advance(w, 120), BR_OK);
    r[2] = start_restore(w, "dr",
                         "{'type':'TABLE'," RB ",'objects':[{'database':'tpcc','table':"
                         "'warehouse'}],'restore_opts':{'into_db':'defaultdb'}}");
    char all[512], tok[3][160], path[512];
    snprintf(all, sizeof all, "%s,%s,%s", r[0], r[1], r[2]);
    for (int i = 0; i < 3; i++)
        snprintf(tok[i], sizeof tok[i], "%lld.%s", T0 + (i == 2 ? 120 : 0), r[i]);
#define L "/api/v1/clusters/dr/restores"
    expect_page(w, L, all, NULL);
    expect_page(w, L "?pagination.limit=0&pagination.sort_order=&pagination.page=", all, NULL);
    expect_page(w, L "?pagination.limit=5000&pagination.sort_order=ASC", all, NULL);
    expect_page(w, L "?pagination.as_of_time=2024-08-26T00:00:00Z", all, NULL);
    /* ascending pages of one */
    expect_page(w, L "?pagination.limit=1", r[0], tok[0]);
    snprintf(path, sizeof path, L "?pagination.limit=1&pagination.page=%s", tok[0]);
    expect_page(w, path, r[1], tok[1]);
    snprintf(path, sizeof path, L "?pagination.limit=1&pagination.page=%s", tok[1]);
    expect_page(w, path, r[2], NULL);
    snprintf(path, sizeof path, L "?pagination.page=%s", tok[2]);
    expect_page(w, path, "", NULL);
    /* descending pages of two */
    char two[512];
    snprintf(two, sizeof two, "%s,%s", r[2], r[1]);
    expect_page(w, L "?pagination.limit=2&pagination.sort_order=DESC", two, tok[1]);
    snprintf(path, sizeof path,
             L "?pagination.limit=2&pagination.sort_order=DESC&"
               "pagination.page=%s",
             tok[1]);
    expect_page(w, path, r[0], NULL);
    snprintf(path, sizeof path, L "?pagination.sort_order=DESC&pagination.page=%s", tok[0]);
    expect_page(w, path, "", NULL);
    /* a token between rows: 'zz' sorts after both ids of T0 */
    snprintf(path, sizeof path, L "?pagination.page=%lld.zz", T0);
    expect_page(w, path, r[2], NULL);
    snprintf(path, sizeof path, L "?pagination.sort_order=DESC&pagination.page=%lld.zz", T0);
    snprintf(two, sizeof two, "%s,%s", r[1], r[0]);
    expect_page(w, path, two, NULL);
    /* start_time inclusive, end_time exclusive */
    expect_page(w, L "?start_time=2024-08-26T00:02:00Z", r[2], NULL);
    expect_page(w, L "?start_time=2024-08-26T00:02:01Z", "", NULL);
    snprintf(two, sizeof two, "%s,%s", r[0], r[1]);
    expect_page(w, L "?end_time=2024-08-26T00:02:00Z", two, NULL);
    expect_page(w, L "?end_time=2024-08-26T00:00:00Z", "", NULL);
    expect_page(w, L "?start_time=2024-08-26T00:00:00Z&end_time=2024-08-26T00:00:01Z", two, NULL);
    expect_page(w,
                L "?start_time=2024-08-26T00:02:00Z&end_time=2024-08-26T00:00:00Z&"
                  "pagination.sort_order=DESC",
                "", NULL);
    expect_page(w,
                L "?start_time=2024-08-26T00:00:00Z&pagination.sort_order=DESC&"
                  "pagination.limit=1",
                r[2], tok[2]);
    /* the source cluster and a cluster without restores list none */
    expect_page(w, "/api/v1/clusters/adv/restores", "", NULL);
    expect_page(w, "/api/v1/clusters/basic/restores?pagination.sort_order=DESC", "", NULL);
    /* refused parameters */
    static const struct {
        const char *query, *words;
    } bad[] = {
        {"pagination.limit=", "pagination.limit must be a non-negative integer"},
        {"pagination.limit=ten", "pagination.limit must be"},
        {"pagination.limit=5x", "pagination.limit must be"},
        {"pagination.limit=-1", "pagination.limit must be"},
        {"pagination.limit=3000000000", "pagination.limit must be"},
        {"pagination.sort_order=asc", "pagination.sort_order is ASC or DESC"},
        {"pagination.sort_order=UP", "pagination.sort_order is ASC or DESC"},
        {"pagination.page=abc", "invalid pagination.page token"},
        {"pagination.page=12", "invalid pagination.page token"},
        {"pagination.page=12x", "invalid pagination.page token"},
        {"pagination.page=12.", "invalid pagination.page token"},
        {"pagination.page=12.@L", "invalid pagination.page token"},
        {"pagination.as_of_time=yesterday", "are RFC 3339 times"},
        {"start_time=26.08.2024", "are RFC 3339 times"},
        {"end_time=noon", "are RFC 3339 times"},
        {"start_time=2024-08-26T00:00:00Z&end_time=noon", "are RFC 3339 times"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char *q = bt_json_text(bad[i].query);
        snprintf(path, sizeof path, L "?%s", q);
        free(q);
        cc_refused(w, "GET", path, NULL, 400, CC_INVALID_ARGUMENT, bad[i].words);
    }
    cc_refused(w, "GET", "/api/v1/clusters/nope/restores", NULL, 404, 5, "nope");
    for (int i = 0; i < 3; i++)
        free(r[i]);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
#undef L
}

/* GET of one restore while pending, after success and after failure; restores of other
 * clusters and unknown ids are not found. */
static void restore_get_states(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    char *ok = start_restore(w, "dr",
                             "{'type':'DATABASE'," RB ",'objects':[{'database':'tpcc'}],"
                             "'restore_opts':{'new_db_name':'copy','skip_localities_check':"
                             "true}}");
    char *bad = start_restore(w, "dr",
                              "{'type':'TABLE'," RB ",'objects':[{'database':'tpcc','schema':"
                              "'sales','table':'customer'}],'restore_opts':{'into_db':"
                              "'defaultdb'}}");
    char path[160];
    snprintf(path, sizeof path, "/api/v1/clusters/dr/restores/%s", ok);
    json_t *b = cc_ok(w, "GET", path, NULL);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "PENDING");
    assert_string_equal(json_string_value(json_object_get(b, "type")), "DATABASE");
    assert_null(json_object_get(b, "completed_at"));
    assert_null(json_object_get(b, "client_error_code"));
    assert_true(
        json_is_true(json_object_get(json_object_get(b, "restore_opts"), "skip_localities_check")));
    assert_true(json_real_value(json_object_get(b, "completion_percent")) == 0.0);
    json_decref(b);
    /* half way: still PENDING (no running state), progress shown */
    assert_int_equal(br_world_advance(w, 60 + 300), BR_OK);
    b = cc_ok(w, "GET", path, NULL);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "PENDING");
    assert_true(json_real_value(json_object_get(b, "completion_percent")) == 0.5);
    json_decref(b);
    assert_int_equal(br_world_write(w, "dr", "defaultdb", "sales", "customer"), BR_OK);
    assert_int_equal(br_world_advance(w, 300), BR_OK);
    b = cc_ok(w, "GET", path, NULL);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "SUCCESS");
    assert_string_equal(json_string_value(json_object_get(b, "completed_at")),
                        "2024-08-26T00:11:00Z");
    assert_true(json_real_value(json_object_get(b, "completion_percent")) == 1.0);
    json_decref(b);
    snprintf(path, sizeof path, "/api/v1/clusters/dr/restores/%s", bad);
    b = cc_ok(w, "GET", path, NULL);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "FAILED");
    assert_null(json_object_get(b, "completed_at"));
    assert_true(json_is_integer(json_object_get(b, "client_error_code")));
    assert_non_null(json_string_value(json_object_get(b, "client_error_message")));
    json_decref(b);
    /* the restore belongs to dr, not to its source */
    snprintf(path, sizeof path, "/api/v1/clusters/adv/restores/%s", ok);
    cc_refused(w, "GET", path, NULL, 404, 5, "not found in cluster adv");
    cc_refused(w, "GET", "/api/v1/clusters/dr/restores/nope", NULL, 404, 5,
               "restore nope not found in cluster dr");
    cc_refused(w, "GET", "/api/v1/clusters/gone/restores/nope", NULL, 404, 5, "gone");
    free(ok);
    free(bad);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
}
#undef RB
#undef T0

#define N10(c) c c c c c c c c c c
#define N50(c) N10(c) N10(c) N10(c) N10(c) N10(c)
/* A full cluster restore into a cluster holding user descriptors: the refusal counts and lists
 * them (databases with their public schema, other schemas once, tables; not system, postgres
 * or defaultdb; a long list is cut), the strict profile accepts it and fails it, and a
 * schema-only full restore into an empty cluster writes the tables empty. */
static void cluster_restore_descriptors(void **s)
{
    (void)s;
    br_world
        *
            w = bt_world("{'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'oc','vendor':'cockroachdb'"
                         "}],"
                         "'keys':[{'key':'admin','org':'oc','roles':['ORG_ADMIN','CLUSTER_ADMIN']}]"
                         ","
                         "'clusters':[{'id':'adv','org':'oc','plan':'ADVANCED','databases':[{'name'"
                         ":'tpcc',"
                         "'tables':[{'name':'warehouse','schema':'public','version':3},{'name':'"
                         "customer',"
                         "'schema':'sales','version':5}]}]},"
                         "{'id':'full','org':'oc','plan':'ADVANCED','databases':[{'name':'system'},"
                         "{'name':"
                         "'postgres'},{'name':'a','tables':[{'name':'t1','schema':'s'}]},{'name':'"
                         "b','tables':[{"
                         "'name':'t2','schema':'s'},{'name':'t3','schema':'s'},{'name':'t4','"
                         "schema':'public'}]}]},"
                         "{'id':'big','org':'oc','plan':'ADVANCED','databases':[{'name':'" N50("a") "'},{'name':'" N50("b") "'},{'name':'" N50(
                             "c") "'},{'name':'" N50("d") "'},{'name':'" N50("e") "'},"
                                                                                  "{'name':'" N50("f") "'},{'name':'" N50("g") "'},{'name':'" N50(
                                                                                      "h") "'}]},"
                                                                                           "{'id':'"
                                                                                           "empty',"
                                                                                           "'org':'"
                                                                                           "oc','"
                                                                                           "plan':'"
                                                                                           "ADVANCE"
                                                                                           "D','"
                                                                                           "databas"
                                                                                           "es':[{'"
                                                                                           "name':'"
                                                                                           "default"
                                                                                           "db'}]}]"
                                                                                           ","
                                                                                           "'backup"
                                                                                           "s':[{'"
                                                                                           "id':'"
                                                                                           "b1','"
                                                                                           "cluster"
                                                                                           "':'adv'"
                                                                                           ",'"
                                                                                           "createT"
                                                                                           "ime':'"
                                                                                           "2024-"
                                                                                           "08-"
                                                                                           "25T23:"
                                                                                           "00:00Z'"
                                                                                           "}]}");
#define CR "{'type':'CLUSTER','backup_id':'b1','source_cluster_id':'adv'}"
    cc_refused(w, "POST", "/api/v1/clusters/full/restores", CR, 400, CC_FAILED_PRECONDITION,
               "but found 10 descriptors: a, public, s, t1, b, public, s, t2, t3, t4");
    /* 16 descriptors of 50 and 6 bytes: the list stops within the message */
    uint64_t before = br_world_digest(w);
    br_response res = bt_expect(
        w, &(bt_req){"POST", "/api/v1/clusters/big/restores", .bearer = "admin", .body = CR}, 400);
    assert_int_equal(body_code(&res), CC_FAILED_PRECONDITION);
    const char *msg = json_string_value(json_object_get(res.body, "message"));
    assert_non_null(strstr(msg, "but found 16 descriptors: " N50("a") ", public, "));
    assert_null(strstr(msg, N50("h")));
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
    /* schema_only: every table of the backup, empty */
    char *id = start_restore(w, "empty",
                             "{'type':'CLUSTER','backup_id':'b1','source_cluster_id':'adv',"
                             "'restore_opts':{'schema_only':true}}");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job_status(w, id, "SUCCESS");
    json_t *v = bt_dump_at(w, "clusters/empty/databases/tpcc/sales.customer/version");
    assert_int_equal(json_integer_value(v), 0);
    json_decref(v);
    v = bt_dump_at(w, "clusters/empty/databases/tpcc/public.warehouse/version");
    assert_int_equal(json_integer_value(v), 0);
    json_decref(v);
    free(id);
    /* strict: accepted, then FAILED with the refusal's code and message; nothing written */
    assert_int_equal(br_world_set_profile(w, "strict"), BR_OK);
    json_t *was = bt_dump_at(w, "clusters/full/databases");
    id = start_restore(w, "full", CR);
    assert_job_status(w, id, "PENDING");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job_status(w, id, "FAILED");
    json_t *now = bt_dump_at(w, "clusters/full/databases");
    assert_true(json_equal(was, now));
    json_decref(was);
    json_decref(now);
    char path[160];
    snprintf(path, sizeof path, "/api/v1/clusters/full/restores/%s", id);
    json_t *b = cc_ok(w, "GET", path, NULL);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "FAILED");
    assert_int_equal(json_integer_value(json_object_get(b, "client_error_code")),
                     CC_FAILED_PRECONDITION);
    assert_non_null(strstr(json_string_value(json_object_get(b, "client_error_message")),
                           "found 10 descriptors"));
    json_decref(b);
    free(id);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
#undef CR
}

/* The world's backupConfigs section: refused entries, Basic clusters' fixed values, a
 * retention marked as changed once, and backups given an expiry keep it. */
static void backup_configs_section(void **s)
{
    (void)s;
#define CW(configs)                                                                                \
    "{'orgs':[{'id':'oc','vendor':'cockroachdb'},{'id':'oz','vendor':'zilliz','projects':[{"       \
    "'id':'p'}]}],'keys':[{'key':'admin','org':'oc','roles':['ORG_ADMIN','CLUSTER_ADMIN']}],"      \
    "'clusters':[{'id':'adv','org':'oc','plan':'ADVANCED'},{'id':'basic','org':'oc','plan':"       \
    "'BASIC'},{'id':'z','project':'p','plan':'Standard','region':'aws-us-west-2'}],"               \
    "'backups':[{'id':'b1','cluster':'adv','createTime':'2024-08-25T00:00:00Z','expireTime':"      \
    "'2024-08-27T00:00:00Z'},{'id':'b2','cluster':'adv','createTime':'2024-08-25T00:00:00Z'}],"    \
    "'backupConfigs':[" configs "]}"
    static const char *const bad[] = {
        CW("{'cluster':'nope'}"),
        CW("{}"),
        CW("{'cluster':'z'}"),
        CW("{'cluster':'adv','enabled':'yes'}"),
        CW("{'cluster':'adv','frequency_minutes':7}"),
        CW("{'cluster':'adv','retention_days':8}"),
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bt_world_refused(bad[i], "backupConfigs[0]: unknown CockroachDB cluster or invalid value");
    bt_world_refused(CW("{'cluster':'basic','frequency_minutes':60}"),
                     "Basic clusters are fixed at 1440/30");
    bt_world_refused(CW("{'cluster':'basic','retention_days':7}"),
                     "Basic clusters are fixed at 1440/30");
    bt_world_refused(CW("{'cluster':'basic','frequency_minutes':1440,'retention_days':7}"),
                     "Basic clusters are fixed at 1440/30");
    br_world *w = bt_world(
        CW("{'cluster':'basic','enabled':false,'frequency_minutes':1440,'retention_days':30},"
           "{'cluster':'adv','retention_days':7,'retention_changed':true},{'cluster':'adv',"
           "'retention_changed':false,'enabled':true}"));
    json_t *b = cc_ok(w, "GET", "/api/v1/clusters/basic/backups-config", NULL);
    assert_true(json_is_false(json_object_get(b, "enabled")));
    assert_int_equal(json_integer_value(json_object_get(b, "frequency_minutes")), 1440);
    json_decref(b);
    /* the retention was changed once already */
    cc_refused(w, "PATCH", "/api/v1/clusters/adv/backups-config", "{'retention_days':30}", 400,
               CC_FAILED_PRECONDITION, "already has a retention policy set");
    /* b1 keeps its expiry (a day from now), b2 expires after the 7 days */
    static const struct {
        long long advance;
        bool b1, b2;
    } steps[] = {
        {86399, false, false}, {1, true, false}, {5 * 86399, true, false}, {5, true, true}};
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
        assert_int_equal(br_world_advance(w, steps[i].advance), BR_OK);
        json_t *v = bt_dump_at(w, "backups/b1/deleted");
        assert_int_equal(json_is_true(v), steps[i].b1);
        json_decref(v);
        v = bt_dump_at(w, "backups/b2/deleted");
        assert_int_equal(json_is_true(v), steps[i].b2);
        json_decref(v);
    }
    br_world_free(w);
#undef CW
}

/* The CC-BACKUP-CONFIG mutant: any frequency and retention are accepted and no backup is
 * taken; values that are no schedule (0, over a year) leave the old ones. */
static void backup_config_mutant(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    br_world_set_mutant(w, br_rule_from_id("CC-BACKUP-CONFIG"));
    json_t *n0 = bt_dump_at(w, "backups");
    size_t n = json_object_size(n0);
    json_decref(n0);
    json_t *b = cc_ok(w, "PATCH", "/api/v1/clusters/adv/backups-config",
                      "{'frequency_minutes':0,'retention_days':40000}");
    assert_int_equal(json_integer_value(json_object_get(b, "frequency_minutes")), 0);
    json_decref(b);
    b = cc_ok(w, "GET", "/api/v1/clusters/adv/backups-config", NULL);
    assert_int_equal(json_integer_value(json_object_get(b, "frequency_minutes")), 60);
    assert_int_equal(json_integer_value(json_object_get(b, "retention_days")), 30);
    json_decref(b);
    b = cc_ok(w, "PATCH", "/api/v1/clusters/adv/backups-config",
              "{'frequency_minutes':7,'retention_days':8}");
    json_decref(b);
    b = cc_ok(w, "GET", "/api/v1/clusters/adv/backups-config", NULL);
    assert_int_equal(json_integer_value(json_object_get(b, "frequency_minutes")), 7);
    assert_int_equal(json_integer_value(json_object_get(b, "retention_days")), 8);
    json_decref(b);
    n0 = bt_dump_at(w, "backups");
    assert_int_equal(json_object_size(n0), n);
    json_decref(n0);
    br_world_free(w);
}

static const char multi_world[] =
    "{'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'oz','vendor':'zilliz','projects':[{'id':"
    "'p'}]},{'id':'oc','vendor':'cockroachdb'},{'id':'other','vendor':'cockroachdb'}],"
    "'keys':[{'key':'zk','org':'oz','roles':['ORG_OWNER']},{'key':'admin','org':'oc','roles':["
    "'ORG_ADMIN','CLUSTER_ADMIN']},{'key':'drkey','org':'oc','roles':[{'role':'CLUSTER_ADMIN',"
    "'scope':'dr'}]},{'key':'orgkey','org':'oc','roles':[{'role':'CLUSTER_ADMIN','scope':'oc'}]},"
    "{'key':'stranger','org':'other','roles':['ORG_ADMIN','CLUSTER_ADMIN']}],"
    "'clusters':[{'id':'adv','org':'oc','plan':'ADVANCED','databases':[{'name':'tpcc'}]},"
    "{'id':'dr','org':'oc','plan':'ADVANCED'},{'id':'std','org':'oc','plan':'STANDARD'},"
    "{'id':'far','org':'other','plan':'ADVANCED','databases':[{'name':'x'}]}],"
    "'backups':[{'id':'b1','cluster':'adv','createTime':'2024-08-25T20:00:00Z'},{'id':'b3',"
    "'cluster':'adv','createTime':'2024-08-25T22:00:00Z'},{'id':'b2','cluster':'adv',"
    "'createTime':'2024-08-25T22:00:00Z'},{'id':'old','cluster':'std','createTime':"
    "'2024-08-10T00:00:00Z'},{'id':'fb','cluster':'far','createTime':'2024-08-25T22:00:00Z'}]}";

static void expect_backups(br_world *w, const char *path, const char *ids, const char *next)
{
    json_t *b = cc_ok(w, "GET", path, NULL);
    char got[256] = "";
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(b, "backups"), i, o)
    {
        size_t used = strlen(got);
        snprintf(got + used, sizeof got - used, "%s%s", i ? "," : "",
                 json_string_value(json_object_get(o, "id")));
    }
    if (strcmp(got, ids) != 0) fail_msg("%s: backups %s, expected %s", path, got, ids);
    const char *n =
        json_string_value(json_object_get(json_object_get(b, "pagination"), "next_page"));
    if ((next == NULL) != (n == NULL) || (next && strcmp(next, n) != 0))
        fail_msg("%s: next_page %s, expected %s", path, n ? n : "(none)", next ? next : "(none)");
    json_decref(b);
}

/* Keys scoped to one cluster or to the organization, and restores without a backup id: the
 * latest backup of the source, ties broken by id. */
static void scoped_keys_and_latest(void **s)
{
    (void)s;
    br_world *w = bt_world(multi_world);
    /* drkey: dr only; orgkey: every cluster of oc */
    cc_req_refused(w, &(bt_req){"GET", "/api/v1/clusters/adv", .bearer = "drkey"}, 403, 7,
                   "no role on cluster adv");
    br_response res = bt_expect(w, &(bt_req){"GET", "/api/v1/clusters/dr", .bearer = "drkey"}, 200);
    br_response_clear(&res);
    res = bt_expect(w, &(bt_req){"GET", "/api/v1/clusters/adv/databases", .bearer = "orgkey"}, 200);
    br_response_clear(&res);
    cc_req_refused(w, &(bt_req){"GET", "/api/v1/clusters/adv", .bearer = "stranger"}, 404, 5,
                   "cluster adv not found");
    /* b2 and b3 were taken at one instant: b3 is the latest */
    json_t *b = cc_ok(w, "POST", "/api/v1/clusters/dr/restores",
                      "{'type':'CLUSTER','source_cluster_id':'adv'}");
    assert_string_equal(json_string_value(json_object_get(b, "backup_id")), "b3");
    json_decref(b);
    /* another organization's backup, and a backup of another cluster than the one named */
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores", "{'type':'CLUSTER','backup_id':'fb'}",
               404, 5, "backup fb not found");
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores",
               "{'type':'CLUSTER','backup_id':'b1','source_cluster_id':'std'}", 404, 5,
               "backup b1 not found in cluster std");
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores", "{'type':'CLUSTER','backup_id':'zz'}",
               404, 5, "backup zz not found");
    /* std's only backup is 16 days old */
    cc_refused(w, "POST", "/api/v1/clusters/std/restores", "{'type':'CLUSTER'}", 404, 5,
               "no backup of cluster std was taken in the last 7 days");
    br_world_free(w);
}

/* Mutants, each observable through the API: CC-LIST-BACKUPS (start and end times ignored, the
 * list sorted and paged without the cache), SEC-AUTH (an unknown key acts as the first
 * CockroachDB key), CC-RESTORE-TYPE, SEC-TENANCY, CC-PLAN-ADVANCED, CC-RESTORE-LATEST and
 * CC-ERROR-SHAPE (a bare message, every error a 400). */
static void crdb_mutants(void **s)
{
    (void)s;
    br_world *w = bt_world(multi_world);
#define BL "/api/v1/clusters/adv/backups"
    expect_backups(w, BL "?start_time=2024-08-25T21:00:00Z", "b2,b3", NULL);
    br_world_set_mutant(w, br_rule_from_id("CC-LIST-BACKUPS"));
    expect_backups(w, BL, "b1,b2,b3", NULL);
    expect_backups(w, BL "?start_time=2024-08-25T21:00:00Z&end_time=2024-08-25T22:00:00Z",
                   "b1,b2,b3", NULL);
    expect_backups(w, BL "?pagination.limit=1", "b1", "1724616000.b1");
    expect_backups(w, BL "?pagination.limit=1&pagination.page=1724616000.b1", "b2",
                   "1724623200.b2");
    expect_backups(w, BL "?pagination.page=1724623200.b2", "b3", NULL);
    expect_backups(w, BL "?pagination.page=1724623200.b3", "", NULL);
    expect_backups(w, BL "?pagination.sort_order=DESC&pagination.limit=2", "b3,b2",
                   "1724623200.b2");
    expect_backups(w, BL "?pagination.sort_order=DESC&pagination.page=1724623200.b2", "b1", NULL);
    expect_backups(w, "/api/v1/clusters/dr/backups", "", NULL);
    br_world_free(w);
#undef BL

    w = bt_world(multi_world);
    br_world_set_mutant(w, br_rule_from_id("SEC-AUTH"));
    br_response res =
        bt_expect(w, &(bt_req){"GET", "/api/v1/clusters/adv", .bearer = "nobody"}, 200);
    assert_string_equal(json_string_value(json_object_get(res.body, "id")), "adv");
    br_response_clear(&res);
    br_world_free(w);

    w = bt_world(multi_world);
    br_world_set_mutant(w, br_rule_from_id("CC-RESTORE-TYPE"));
    json_t *b =
        cc_ok(w, "POST", "/api/v1/clusters/dr/restores", "{'type':'SNAPSHOT','backup_id':'b1'}");
    assert_string_equal(json_string_value(json_object_get(b, "type")), "CLUSTER");
    json_decref(b);
    br_world_free(w);

    w = bt_world(multi_world);
    br_world_set_mutant(w, br_rule_from_id("SEC-TENANCY"));
    b = cc_ok(w, "GET", "/api/v1/clusters/far", NULL);
    json_decref(b);
    /* the backup is found; the two organizations still stop the restore */
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores", "{'type':'CLUSTER','backup_id':'fb'}",
               400, CC_FAILED_PRECONDITION, "needs two Advanced clusters of one organization");
    br_world_free(w);

    w = bt_world(multi_world);
    cc_refused(w, "POST", "/api/v1/clusters/std/restores", "{'type':'CLUSTER','backup_id':'b1'}",
               400, CC_FAILED_PRECONDITION, "needs two Advanced clusters");
    br_world_set_mutant(w, br_rule_from_id("CC-PLAN-ADVANCED"));
    b = cc_ok(w, "POST", "/api/v1/clusters/std/restores", "{'type':'CLUSTER','backup_id':'b1'}");
    json_decref(b);
    br_world_free(w);

    w = bt_world(multi_world);
    br_world_set_mutant(w, br_rule_from_id("CC-RESTORE-LATEST"));
    b = cc_ok(w, "POST", "/api/v1/clusters/std/restores", "{'type':'CLUSTER'}");
    assert_string_equal(json_string_value(json_object_get(b, "backup_id")), "old");
    json_decref(b);
    br_world_free(w);

    w = bt_world(multi_world);
    br_world_set_mutant(w, br_rule_from_id("CC-ERROR-SHAPE"));
    uint64_t before = br_world_digest(w);
    res = bt_expect(w, &(bt_req){"GET", "/api/v1/clusters/nope", .bearer = "admin"}, 400);
    assert_true(res.error);
    assert_null(json_object_get(res.body, "code"));
    assert_null(json_object_get(res.body, "details"));
    assert_non_null(
        strstr(json_string_value(json_object_get(res.body, "message")), "cluster nope not found"));
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
    br_world_free(w);
}

/* Restore bodies in their optional forms (null objects and options, empty ids and names read
 * as absent, boolean options given false), wrong-typed cluster ids, and the latest backup
 * passing over expired and unfinished ones. */
static void restore_body_forms(void **s)
{
    (void)s;
    br_world *w = bt_world(
        "{'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'oc','vendor':'cockroachdb'},{'id':'oz',"
        "'vendor':'zilliz','projects':[{'id':'p'}]}],"
        "'keys':[{'key':'admin','org':'oc','roles':['ORG_ADMIN','CLUSTER_ADMIN']}],"
        "'clusters':[{'id':'z1','project':'p','plan':'Standard','region':'aws-us-west-2'},"
        "{'id':'adv','org':'oc','plan':'ADVANCED','databases':[{'name':'tpcc'}]},"
        "{'id':'dr','org':'oc','plan':'ADVANCED'}],"
        "'backups':[{'id':'zb','cluster':'z1','createTime':'2024-08-25T23:50:00Z'},{'id':'ok',"
        "'cluster':'adv','createTime':'2024-08-25T20:00:00Z'},{'id':'ok2','cluster':'adv',"
        "'createTime':'2024-08-25T20:00:00Z'},{'id':'wip',"
        "'cluster':'adv','status':'PENDING','createTime':'2024-08-25T22:00:00Z'},{'id':'gone',"
        "'cluster':'adv','createTime':'2024-08-25T23:00:00Z','expireTime':"
        "'2024-08-25T23:30:00Z'}]}");
    assert_int_equal(br_world_advance(w, 0), BR_OK);
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores",
               "{'type':'CLUSTER','backup_id':'ok','source_cluster_id':5}", 400,
               CC_INVALID_ARGUMENT, "are strings");
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores",
               "{'type':'CLUSTER','backup_id':'ok','destination_cluster_id':5}", 400,
               CC_INVALID_ARGUMENT, "are strings");
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores", "{'type':'CLUSTER','backup_id':'gone'}",
               404, 5, "backup gone not found");
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores", "{'type':'CLUSTER','backup_id':'zb'}",
               404, 5, "backup zb not found");
    json_t *b = cc_ok(w, "POST", "/api/v1/clusters/dr/restores",
                      "{'type':'DATABASE','backup_id':'','source_cluster_id':'adv','objects':[{"
                      "'database':'tpcc','schema':'','table':''}],'restore_opts':{'new_db_name':"
                      "'','into_db':'','schema_only':false}}");
    /* ok and ok2 were taken at one instant: ok2 is the latest */
    assert_string_equal(json_string_value(json_object_get(b, "backup_id")), "ok2");
    json_t *opts = json_object_get(b, "restore_opts");
    assert_string_equal(json_string_value(json_object_get(opts, "new_db_name")), "");
    assert_true(json_is_false(json_object_get(opts, "schema_only")));
    json_decref(b);
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores",
               "{'type':'TABLE','backup_id':'ok','objects':[{'database':'tpcc','table':''}]}", 400,
               CC_INVALID_ARGUMENT, "objects[0].table is required for a TABLE restore");
    /* the uncached list (CC-LIST-BACKUPS mutant) passes over the expired backup */
    br_world_set_mutant(w, br_rule_from_id("CC-LIST-BACKUPS"));
    expect_backups(w, "/api/v1/clusters/adv/backups?end_time=2024-08-25T21:00:00Z", "ok,ok2,wip",
                   NULL);
    br_world_free(w);

    w = bt_world(world_text);
    b = cc_ok(w, "POST", "/api/v1/clusters/dr/restores",
              "{'type':'CLUSTER','backup_id':'b1','source_cluster_id':'','objects':null,"
              "'restore_opts':null}");
    assert_string_equal(json_string_value(json_object_get(b, "backup_id")), "b1");
    assert_null(json_object_get(b, "objects"));
    assert_null(json_object_get(b, "restore_opts"));
    json_decref(b);
    br_world_free(w);
}

/* Cluster reads: a cluster without provider or region shows neither, databases with their
 * table counts, an unknown cluster; under the CC-OBS-CLUSTER mutant the plan reads STANDARD
 * and the counts 0. */
static void cluster_reads(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    json_t *b = cc_ok(w, "GET", "/api/v1/clusters/adv", NULL);
    assert_string_equal(json_string_value(json_object_get(b, "plan")), "ADVANCED");
    assert_null(json_object_get(b, "regions"));
    json_decref(b);
    b = cc_ok(w, "GET", "/api/v1/clusters/adv/databases", NULL);
    json_t *dbs = json_object_get(b, "databases");
    assert_int_equal(json_array_size(dbs), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(dbs, 2), "name")), "tpcc");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(dbs, 2), "table_count")), 2);
    json_decref(b);
    cc_refused(w, "GET", "/api/v1/clusters/nope/databases", NULL, 404, 5, "cluster nope not found");
    br_world_set_mutant(w, br_rule_from_id("CC-OBS-CLUSTER"));
    b = cc_ok(w, "GET", "/api/v1/clusters/adv", NULL);
    assert_string_equal(json_string_value(json_object_get(b, "plan")), "STANDARD");
    json_decref(b);
    b = cc_ok(w, "GET", "/api/v1/clusters/adv/databases", NULL);
    dbs = json_object_get(b, "databases");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(dbs, 2), "table_count")), 0);
    json_decref(b);
    br_world_free(w);
}

/* Refusals before any route runs, in the gRPC shape: an empty path segment (NOT_FOUND), a
 * known path with another method (UNIMPLEMENTED, 405), a body that is not an object, and a
 * body over 1 MiB (INVALID_ARGUMENT's shape with the transport's 413). */
static void transport_refusals(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    cc_refused(w, "GET", "/api/v1/clusters//restores", NULL, 404, 5, "Not Found");
    cc_refused(w, "DELETE", "/api/v1/clusters/adv", NULL, 405, 12, "Method Not Allowed");
    cc_req_refused(
        w,
        &(bt_req){"PATCH", "/api/v1/clusters/adv/backups-config", .bearer = "admin", .raw = "[1]"},
        400, CC_INVALID_ARGUMENT, "request body must be a JSON object");
    size_t big = 1100000;
    char *huge = malloc(big + 3);
    assert_non_null(huge);
    huge[0] = '{';
    memset(huge + 1, ' ', big);
    huge[big + 1] = '}';
    huge[big + 2] = '\0';
    cc_req_refused(
        w,
        &(bt_req){"PATCH", "/api/v1/clusters/adv/backups-config", .bearer = "admin", .raw = huge},
        413, CC_INVALID_ARGUMENT, "request body is larger than 1 MiB");
    free(huge);
    br_world_free(w);
}

/* The CC-RESTORE-LIFE mutant: completed_at from the start, and a failed restore without its
 * client error. */
static void restore_life_mutant(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    br_world_set_mutant(w, br_rule_from_id("CC-RESTORE-LIFE"));
    json_t *b = cc_ok(w, "POST", "/api/v1/clusters/dr/restores",
                      "{'type':'TABLE','backup_id':'b1','objects':[{'database':'tpcc','schema':"
                      "'sales','table':'customer'}],'restore_opts':{'into_db':'defaultdb'}}");
    assert_string_equal(json_string_value(json_object_get(b, "status")), "PENDING");
    assert_string_equal(json_string_value(json_object_get(b, "completed_at")),
                        "2024-08-26T00:00:00Z");
    char path[160];
    snprintf(path, sizeof path, "/api/v1/clusters/dr/restores/%s",
             json_string_value(json_object_get(b, "id")));
    json_decref(b);
    assert_int_equal(br_world_write(w, "dr", "defaultdb", "sales", "customer"), BR_OK);
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    b = cc_ok(w, "GET", path, NULL);
    assert_string_equal(json_string_value(json_object_get(b, "status")), "FAILED");
    assert_string_equal(json_string_value(json_object_get(b, "completed_at")),
                        "2024-08-26T00:11:00Z");
    assert_null(json_object_get(b, "client_error_code"));
    json_decref(b);
    br_world_free(w);
}

/* Restore effects at their edges: one database named twice is restored once; a table without a
 * schema (written outside SQL) counts as a table but not as a schema in the way of a full
 * restore; under the CC-TABLE-EXISTS mutant a table restore over an existing table is accepted
 * and overwrites it at completion. */
static void restore_effect_edges(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    char *id = start_restore(w, "dr",
                             "{'type':'DATABASE','backup_id':'b1','objects':[{'database':'tpcc'},"
                             "{'database':'tpcc'}]}");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job_status(w, id, "SUCCESS");
    free(id);
    json_t *v = bt_dump_at(w, "clusters/dr/databases/tpcc");
    assert_int_equal(json_object_size(v), 2);
    json_decref(v);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);

    w = bt_world(world_text);
    assert_int_equal(br_world_write(w, "dr", "loose", "", "t"), BR_OK);
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores", "{'type':'CLUSTER','backup_id':'b1'}",
               400, CC_FAILED_PRECONDITION, "but found 3 descriptors: loose, public, t");
    br_world_free(w);

    w = bt_world(world_text);
    assert_int_equal(br_world_write(w, "dr", "defaultdb", "public", "warehouse"), BR_OK);
    cc_refused(w, "POST", "/api/v1/clusters/dr/restores",
               "{'type':'TABLE','backup_id':'b1','objects':[{'database':'tpcc','table':"
               "'warehouse'}],'restore_opts':{'into_db':'defaultdb'}}",
               409, 6, "relation \"defaultdb.public.warehouse\" already exists");
    br_world_set_mutant(w, br_rule_from_id("CC-TABLE-EXISTS"));
    id = start_restore(w, "dr",
                       "{'type':'TABLE','backup_id':'b1','objects':[{'database':'tpcc','table':"
                       "'warehouse'}],'restore_opts':{'into_db':'defaultdb'}}");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job_status(w, id, "SUCCESS");
    free(id);
    v = bt_dump_at(w, "clusters/dr/databases/defaultdb/public.warehouse/version");
    assert_int_equal(json_integer_value(v), 3);
    json_decref(v);
    br_world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(backup_config_refusals),
        cmocka_unit_test(restore_body_refusals),
        cmocka_unit_test(restore_effects_at_completion),
        cmocka_unit_test(version_header_dates),
        cmocka_unit_test(restore_list_paging),
        cmocka_unit_test(restore_get_states),
        cmocka_unit_test(cluster_restore_descriptors),
        cmocka_unit_test(backup_configs_section),
        cmocka_unit_test(backup_config_mutant),
        cmocka_unit_test(scoped_keys_and_latest),
        cmocka_unit_test(crdb_mutants),
        cmocka_unit_test(restore_body_forms),
        cmocka_unit_test(cluster_reads),
        cmocka_unit_test(transport_refusals),
        cmocka_unit_test(restore_life_mutant),
        cmocka_unit_test(restore_effect_edges),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
