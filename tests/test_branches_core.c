/* The shared model (model/world_load.c, world.c, dispatch.c, clock.c, sim.c, alloc.c): every
 * refusal of a malformed world, the invariant check on worlds that break an invariant, the
 * simulator's flags, the vendor aliases, query and path decoding in the dispatcher, and the
 * world loading under allocation failure. */
#include "branches_support.h"

#define ZORG "{'id':'o','vendor':'zilliz','projects':[{'id':'p'}]}"
#define ZCL "{'id':'c','project':'p','plan':'Standard','region':'aws-us-west-2'}"

static void world_field_refusals(void **s)
{
    (void)s;
    static const struct {
        const char *given, *words;
    } bad[] = {
        {"[1]", "a world is a JSON object"},
        {"{'nope':1}", "unknown world field \"nope\""},
        {"{'profile':'lax'}", "profile is"},
        {"{'clock':5}", "clock must be an RFC 3339 time"},
        {"{'durations':{'backupz':5}}", "unknown duration \"backupz\""},
        {"{'durations':{'restore':-5}}", "duration restore must be"},
        {"{'durations':{'export':'ten'}}", "duration export must be"},
        /* organizations, access lists, projects */
        {"{'orgs':[{'name':'n'}]}", "an organization needs an \"id\""},
        {"{'orgs':[{'id':'@L'}]}", "organization id"},
        {"{'orgs':[{'id':'o','name':'@L'}]}", "organization name"},
        {"{'orgs':[{'id':'o','vendor':'oracle'}]}", "vendor is zilliz, crdb or atlas"},
        {"{'orgs':[{'id':'o','accessList':[5]}]}", "accessList holds addresses"},
        {"{'orgs':[{'id':'o','accessList':['@L']}]}", "accessList holds addresses"},
        {"{'orgs':[{'id':'o','projects':[{'name':'p'}]}]}", "a project needs an \"id\""},
        {"{'orgs':[{'id':'o','projects':[{'id':'p'},{'id':'p'}]}]}", "project id p used twice"},
        {"{'orgs':[{'id':'o','projects':[{'id':'@L'}]}]}", "project id"},
        {"{'orgs':[{'id':'o','projects':[{'id':'p','name':'@L'}]}]}", "project name"},
        /* keys and roles */
        {"{'orgs':[" ZORG "],'keys':[{'org':'o'}]}", "an API key needs a \"key\""},
        {"{'orgs':[" ZORG "],'keys':[{'key':'@L','org':'o'}]}", "key \""},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','secret':'@L','org':'o'}]}", "secret"},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','org':'nope'}]}", "key k: unknown \"org\""},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k'}]}", "key k: unknown \"org\""},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','org':'o','roles':[5]}]}", "a role is a name"},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','org':'o','roles':[{'scope':'p'}]}]}",
         "a role is a name"},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','org':'o','roles':['@L']}]}", "role \""},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','org':'o','roles':[{'role':'R','scope':'@L'}]}]}",
         "role scope"},
        /* a scope that is not a string (nor null, no scope) would make the role organization-
         * wide */
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','org':'o','roles':[{'role':'R','scope':5}]}]}",
         "a role scope is a string"},
        /* clusters */
        {"{'orgs':[" ZORG "],'clusters':[{'project':'p'}]}", "a cluster needs an \"id\""},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL "," ZCL "]}", "cluster id c used twice"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'q'}]}",
         "cluster c: unknown \"project\" or \"org\""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','org':'q'}]}",
         "cluster c: unknown \"project\" or \"org\""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c'}]}", "cluster c: unknown"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'@L','project':'p'}]}", "cluster id"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','name':'@L'}]}", "cluster name"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','plan':'@L'}]}", "plan \""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','region':'@L'}]}", "region"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','provider':'@L'}]}", "provider"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','cuType':'@L'}]}", "cuType"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','status':'@L'}]}", "status"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','createTime':'noon'}]}",
         "createTime must be an RFC 3339 time"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':[{}]}]}",
         "a database needs a \"name\""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':[{'name':'@L'}]}]}",
         "a database needs a \"name\""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':[{'name':'d',"
         "'collections':[{'version':2}]}]}]}",
         "a collection or table in d needs a short \"name\""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':[{'name':'d',"
         "'collections':[{'name':'@L'}]}]}]}",
         "a collection or table in d"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':[{'name':'d',"
         "'tables':[{'name':'t','schema':'@L'}]}]}]}",
         "a collection or table in d"},
        /* backups */
        {"{'orgs':[" ZORG "],'clusters':[" ZCL "],'backups':[{'cluster':'c'}]}",
         "a backup needs an \"id\""},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL "],'backups':[{'id':'b','cluster':'c'},{'id':'b',"
         "'cluster':'c'}]}",
         "backup id b used twice"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL "],'backups':[{'id':'b','cluster':'nope'}]}",
         "backup b: unknown \"cluster\""},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL "],'backups':[{'id':'b'}]}",
         "backup b: unknown \"cluster\""},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL "],'backups':[{'id':'@L','cluster':'c'}]}",
         "backup id"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','name':'@L'}]}",
         "backup name"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','type':'@L'}]}",
         "backup type"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','status':'@L'}]}",
         "backup status"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','mongoDBVersion':'@L'}]}",
         "mongoDBVersion"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','createTime':'x'}]}",
         "createTime must be"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','expireTime':7}]}",
         "expireTime must be"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','finishTime':'2024-99-01'}]}",
         "finishTime must be"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','databases':[{'name':'d','collections':[{}]}]}]}",
         "a collection or table in d"},
        /* an Atlas backup's status defaults to COMPLETED: a long one is still refused */
        {"{'orgs':[{'id':'a','vendor':'atlas','projects':[{'id':'g'}]}],'clusters':[{'id':'m',"
         "'project':'g','plan':'M2'}],'backups':[{'id':'s','cluster':'m','status':'@L'}]}",
         "backup status"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bt_world_refused(bad[i].given, bad[i].words);
}

#define CORG "{'id':'oc','vendor':'crdb'}"
#define AORG "{'id':'oa','vendor':'atlas','projects':[{'id':'g'}]}"
#define ACL "{'id':'m','project':'g','plan':'M2'}"

/* A misspelled field in any world entry, or a section that is not a list, is refused with
 * the entry and the field named (fixtures/README.md: a misspelled key is never ignored). */
static void world_unknown_fields_refused(void **s)
{
    (void)s;
    static const struct {
        const char *given, *words;
    } bad[] = {
        {"{'orgs':[{'id':'o','vendr':'zilliz'}]}", "orgs[0] (o): unknown field \"vendr\""},
        {"{'orgs':[5]}", "orgs[0] is an object {id, name, vendor"},
        {"{'orgs':[{'id':'o','projects':[{'id':'p','nmae':'x'}]}]}",
         "orgs[0] (o) projects[0] (p): unknown field \"nmae\""},
        {"{'orgs':[{'id':'o','projects':{'id':'p'}}]}", "orgs[0] (o): \"projects\" is an array"},
        {"{'orgs':[{'id':'o','accessList':'127.0.0.1'}]}",
         "orgs[0] (o): \"accessList\" is an array"},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','org':'o','rolez':['ORG_OWNER']}]}",
         "keys[0]: unknown field \"rolez\""},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','org':'o','roles':'ORG_OWNER'}]}",
         "keys[0]: \"roles\" is an array"},
        {"{'orgs':[" ZORG "],'keys':[{'key':'k','org':'o','roles':[{'role':'R','scop':'p'}]}]}",
         "keys[0] roles[0]: unknown field \"scop\""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','cuSise':4}]}",
         "clusters[0] (c): unknown field \"cuSise\""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':{}}]}",
         "clusters[0] (c): \"databases\" is an array"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':['d']}]}",
         "clusters[0] (c) databases[0] is an object"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':[{'name':'d',"
         "'colections':[]}]}]}",
         "clusters[0] (c) databases[0] (d): unknown field \"colections\""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':[{'name':'d',"
         "'collections':[],'tables':[]}]}]}",
         "clusters[0] (c) databases[0] (d): \"collections\" or \"tables\""},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':[{'name':'d',"
         "'tables':{}}]}]}",
         "databases[0] (d): \"tables\" is an array"},
        {"{'orgs':[" ZORG "],'clusters':[{'id':'c','project':'p','databases':[{'name':'d',"
         "'collections':[{'name':'x','loded':true}]}]}]}",
         "clusters[0] (c) databases[0] (d) collections[0]: unknown field \"loded\""},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL "],'backups':[{'id':'b','cluster':'c','sise':1}]}",
         "backups[0] (b): unknown field \"sise\""},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','collections':'x'}]}",
         "backups[0] (b): \"collections\" is an array"},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL
         "],'backups':[{'id':'b','cluster':'c','databases':[{'name':'d','tables':[{'name':'t',"
         "'shema':'s'}]}]}]}",
         "backups[0] (b) databases[0] (d) tables[0]: unknown field \"shema\""},
        {"{'orgs':[" ZORG "],'clusters':[" ZCL "],'policies':[{'cluster':'c','retentionDay':7}]}",
         "policies[0]: unknown field \"retentionDay\""},
        {"{'orgs':[" CORG "],'clusters':[{'id':'k','org':'oc'}],'backupConfigs':[{'cluster':'k',"
         "'retention':7}]}",
         "backupConfigs[0]: unknown field \"retention\""},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','databases':[{'name':'d','colls':[]}]}]}",
         "snapshots[0] databases[0]: unknown field \"colls\""},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','databases':[{'name':'d','collections':[{'name':"
         "'x','versoin':2}]}]}]}",
         "snapshots[0] databases[0] collections[0]: unknown field \"versoin\""},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','databases':{}}]}",
         "snapshots[0]: databases are"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','databases':[{'name':'d','collections':{}}]}]}",
         "snapshots[0] databases[0]: \"collections\" is an array"},
        {"{'orgs':{'id':'o'}}", "the world: \"orgs\" is an array"},
        {"{'clusters':{}}", "the world: \"clusters\" is an array"},
        {"{'policies':5}", "the world: \"policies\" is an array"},
        {"{'durations':'5m'}", "\"durations\" is an object"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bt_world_refused(bad[i].given, bad[i].words);
    /* the same worlds without the mistake load */
    br_world_free(bt_world("{'orgs':[" ZORG "],'keys':[{'key':'k','org':'o','roles':[{'role':'R',"
                           "'scope':'p'}]}],'clusters':[{'id':'c','project':'p','cuSize':4,"
                           "'databases':[{'name':'d','collections':[{'name':'x','loaded':true}]}]"
                           "}],'policies':[{'cluster':'c','retentionDays':7}],'comment':'any'}"));
}

static void vendor_section_refusals(void **s)
{
    (void)s;
    static const struct {
        const char *given, *words;
    } bad[] = {
        /* CockroachDB: plans and backupConfigs */
        {"{'orgs':[" CORG "],'clusters':[{'id':'k','org':'oc','plan':'MEGA'}]}",
         "cluster k: plan is BASIC, STANDARD or ADVANCED"},
        {"{'orgs':[" CORG "],'clusters':[{'id':'k','org':'oc'}],'backupConfigs':[{'cluster':'x'}]}",
         "backupConfigs[0]: unknown CockroachDB cluster"},
        {"{'orgs':[" CORG "," ZORG "],'clusters':[{'id':'k','org':'oc'}," ZCL
         "],'backupConfigs':[{'cluster':'c'}]}",
         "backupConfigs[0]"},
        {"{'orgs':[" CORG "],'clusters':[{'id':'k','org':'oc'}],'backupConfigs':[{'cluster':'k',"
         "'enabled':'yes'}]}",
         "backupConfigs[0]"},
        {"{'orgs':[" CORG "],'clusters':[{'id':'k','org':'oc'}],'backupConfigs':[{'cluster':'k',"
         "'frequency_minutes':7}]}",
         "backupConfigs[0]"},
        {"{'orgs':[" CORG "],'clusters':[{'id':'k','org':'oc'}],'backupConfigs':[{'cluster':'k',"
         "'retention_days':8}]}",
         "backupConfigs[0]"},
        /* Atlas: snapshots */
        {"{'orgs':[" AORG "],'clusters':[" ACL "],'snapshots':{}}", "\"snapshots\" is an array"},
        {"{'orgs':[" AORG "],'clusters':[" ACL "],'snapshots':[{'id':'s','cluster':'m','size':1}]}",
         "snapshots[0]: unknown field \"size\""},
        {"{'orgs':[" AORG "],'clusters':[" ACL "],'snapshots':[{'cluster':'m'}]}",
         "snapshots[0]: a unique \"id\" is needed"},
        {"{'orgs':[" AORG "],'clusters':[" ACL "],'snapshots':[{'id':'@L','cluster':'m'}]}",
         "a unique \"id\""},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m'},{'id':'s','cluster':'m'}]}",
         "snapshots[1]: a unique \"id\""},
        {"{'orgs':[" AORG "],'clusters':[" ACL "],'snapshots':[{'id':'s','cluster':'q'}]}",
         "\"cluster\" names an Atlas cluster id"},
        {"{'orgs':[" AORG "," ZORG "],'clusters':[" ACL "," ZCL
         "],'snapshots':[{'id':'s','cluster':'c'}]}",
         "\"cluster\" names an Atlas cluster id"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','status':'DONE'}]}",
         "status is PENDING, QUEUED, RUNNING, COMPLETED or FAILED"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','mongoDBVersion':'7.0.0-rc1-abcdefghij'}]}",
         "mongoDBVersion is too long"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','scheduledTime':5}]}",
         "times are RFC 3339"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','startTime':'late'}]}",
         "times are RFC 3339"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','finishTime':'late'}]}",
         "times are RFC 3339"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','expiration':'late'}]}",
         "times are RFC 3339"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','databases':[{'collections':[]}]}]}",
         "databases are [{name, collections"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','databases':[{'name':'@L'}]}]}",
         "databases are"},
        {"{'orgs':[" AORG "],'clusters':[" ACL
         "],'snapshots':[{'id':'s','cluster':'m','databases':[{'name':'d','collections':[{}]}]}]}",
         "databases are"},
        {"{'orgs':[" AORG "],'clusters':[" ACL "],'snapshots':[{'id':'s','cluster':'m','databases':"
         "[{'name':'d','collections':[{'name':'@L'}]}]}]}",
         "databases are"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        bt_world_refused(bad[i].given, bad[i].words);
}

/* The forms a world may take that the fixtures do not use: vendor aliases, clusters of an
 * organization without projects, the provider given or derived, flags given up front,
 * collection backups that keep only the named collections. */
static void world_forms_accepted(void **s)
{
    (void)s;
    static const char *const aliases[] = {"cockroach", "cockroachdb", "crdb"};
    for (size_t i = 0; i < 3; i++) {
        char text[512];
        snprintf(text, sizeof text,
                 "{'orgs':[{'id':'oc','vendor':'%s'}],'keys':[{'key':'admin','org':'oc','roles':"
                 "['ORG_ADMIN']}],'clusters':[{'id':'k','org':'oc','plan':'BASIC'},{'id':'k2',"
                 "'org':'oc'}]}",
                 aliases[i]);
        br_world *w = bt_world(text);
        json_t *v = bt_dump_at(w, "clusters/k/vendor");
        assert_string_equal(json_string_value(v), "crdb");
        json_decref(v);
        /* both clusters share the organization's implicit project */
        v = bt_dump_at(w, "clusters/k2/project");
        assert_string_equal(json_string_value(v), "oc");
        json_decref(v);
        br_response res =
            bt_expect(w, &(bt_req){"GET", "/api/v1/clusters/k", .bearer = "admin"}, 200);
        assert_false(res.error);
        br_response_clear(&res);
        br_world_free(w);
    }
    assert_int_equal(br_vendor_from_name("cockroach"), BR_VENDOR_CRDB);
    assert_int_equal(br_vendor_from_name("cockroachdb"), BR_VENDOR_CRDB);
    assert_int_equal(br_vendor_from_name("oracle"), BR_VENDOR_COUNT);
    assert_int_equal(br_vendor_from_name(NULL), BR_VENDOR_COUNT);
    assert_string_equal(br_vendor_name(BR_VENDOR_COUNT), "?");
    assert_string_equal(br_vendor_name(BR_VENDOR_ATLAS), "atlas");

    br_world *w = bt_world(
        "{'orgs':[" AORG "," ZORG "],'clusters':[{'id':'m','project':'g','plan':'M10','provider':"
        "'gcp','encrypted':true,'sharded':true,'paused':true,'mongoMajor':6,'cuSize':2},{'id':"
        "'c','project':'p','plan':'Standard','region':'averyveryverylongprovider-east','databases':"
        "[{'name':'d','collections':[{'name':'a','version':3,'loaded':false},{'name':'b'}]}]}],"
        "'backups':[{'id':'b1','cluster':'c','type':'COLLECTION','collections':['b',5],'method':"
        "'AUTO','size':77},{'id':'b2','cluster':'c','status':'CREATING'}]}");
    json_t *v = bt_dump_at(w, "clusters/m/encrypted");
    assert_true(json_is_true(v));
    json_decref(v);
    bt_expect_dump_bool(w, "clusters/m/sharded", true);
    bt_expect_dump_bool(w, "clusters/m/paused", true);
    v = bt_dump_at(w, "clusters/m/mongoMajor");
    assert_int_equal(json_integer_value(v), 6);
    json_decref(v);
    bt_expect_dump_bool(w, "clusters/c/databases/d/a/loaded", false);
    v = bt_dump_at(w, "clusters/c/databases/d/a/version");
    assert_int_equal(json_integer_value(v), 3);
    json_decref(v);
    /* the collection backup keeps "b" only ("5" is not a name) */
    v = bt_dump_at(w, "backups/b1/databases/d");
    assert_int_equal(json_object_size(v), 1);
    assert_non_null(json_object_get(v, "b"));
    json_decref(v);
    bt_expect_dump_bool(w, "backups/b1/manual", false);
    v = bt_dump_at(w, "backups/b2/status");
    assert_string_equal(json_string_value(v), "CREATING");
    json_decref(v);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
}

/* Worlds given in a state that breaks an invariant: the check names the rule and the object. */
static void invariant_check_finds_violations(void **s)
{
    (void)s;
    static const struct {
        const char *backup;
        br_rule rule;
        const char *words;
    } cases[] = {
        {"{'id':'b','cluster':'c','createTime':'2024-08-26T00:00:00Z','expireTime':"
         "'2024-08-25T00:00:00Z'}",
         BR_RULE_INV_TIME, "backup b times out of order"},
        {"{'id':'b','cluster':'c','createTime':'2024-08-26T00:00:00Z','finishTime':"
         "'2024-08-25T00:00:00Z'}",
         BR_RULE_INV_TIME, "backup b times out of order"},
        {"{'id':'c','cluster':'c'}", BR_RULE_INV_IDS, "id c used twice"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char text[1024];
        snprintf(text, sizeof text, "{'orgs':[" ZORG "],'clusters':[" ZCL "],'backups':[%s]}",
                 cases[i].backup);
        br_world *w = bt_world(text);
        br_rule rule = BR_RULE_COUNT;
        char msg[256] = "";
        assert_int_equal(br_world_check(w, &rule, msg, sizeof msg), 1);
        assert_int_equal(rule, cases[i].rule);
        if (!strstr(msg, cases[i].words)) fail_msg("\"%s\" lacks \"%s\"", msg, cases[i].words);
        assert_int_equal(br_world_check(w, NULL, NULL, 0), 1);
        br_world_free(w);
    }
    /* Two at once: the first is reported, both are counted. */
    br_world *w = bt_world("{'orgs':[" ZORG "],'clusters':[" ZCL "],'backups':[{'id':'c',"
                           "'cluster':'c','createTime':'2024-08-26T00:00:00Z','expireTime':"
                           "'2024-08-01T00:00:00Z'}]}");
    br_rule rule = BR_RULE_COUNT;
    char msg[256];
    assert_int_equal(br_world_check(w, &rule, msg, sizeof msg), 2);
    assert_int_equal(rule, BR_RULE_INV_TIME);
    br_world_free(w);
    /* an empty world holds every invariant */
    w = br_world_new(NULL, NULL, 0);
    assert_non_null(w);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
}

/* Simulator operations as data, and the flags encrypted/sharded/paused. */
static void simulator_ops_and_flags(void **s)
{
    (void)s;
    br_world *w =
        bt_world("{'orgs':[" AORG "," ZORG "],'clusters':[" ACL "," ZCL "],'backups':[{'id':'ba',"
                 "'cluster':'c','method':'AUTO'},{'id':'bm','cluster':'c'}]}");
    static const struct {
        const char *op;
        int rc;
    } ops[] = {
        {"{'op':'set_flag','cluster':'m','flag':'encrypted','value':true}", BR_OK},
        {"{'op':'set_flag','cluster':'m','flag':'sharded','value':true}", BR_OK},
        {"{'op':'set_flag','cluster':'m','flag':'paused','value':true}", BR_OK},
        {"{'op':'set_flag','cluster':'m','flag':'paused'}", BR_OK},
        {"{'op':'set_flag','cluster':'m','flag':'frozen','value':true}", BR_EINVAL},
        {"{'op':'set_flag','cluster':'m'}", BR_EINVAL},
        {"{'op':'set_flag','cluster':'nope','flag':'paused','value':true}", BR_ENOENT},
        {"{'op':'write','cluster':'c','db':'d','table':'t','schema':'public'}", BR_OK},
        {"{'op':'write','cluster':'c'}", BR_OK},
        {"{'op':'write','cluster':'nope'}", BR_ENOENT},
        {"{'op':'explode','cluster':'c'}", BR_EINVAL},
        {"{'op':'write'}", BR_EINVAL},
        {"{'cluster':'c'}", BR_EINVAL},
        {"{'op':'drop_cluster','cluster':'c'}", BR_OK},
        {"{'op':'drop_cluster','cluster':'c'}", BR_ENOENT},
        {"{'op':'drop_cluster','cluster':'nope'}", BR_ENOENT},
        {"{'op':'write','cluster':'c'}", BR_ENOENT},
    };
    for (size_t i = 0; i < sizeof ops / sizeof *ops; i++) {
        json_t *op = bt_json(ops[i].op);
        uint64_t before = br_world_digest(w);
        int rc = br_world_sim(w, op);
        if (rc != ops[i].rc) fail_msg("%s: %d, expected %d", ops[i].op, rc, ops[i].rc);
        if (rc != BR_OK && br_world_digest(w) != before)
            fail_msg("%s changed the world", ops[i].op);
        json_decref(op);
    }
    json_t *v = bt_dump_at(w, "clusters/m/encrypted");
    assert_true(json_is_true(v));
    json_decref(v);
    bt_expect_dump_bool(w, "clusters/m/sharded", true);
    v = bt_dump_at(w, "clusters/m/paused"); /* the last set_flag had no value: false */
    assert_true(json_is_false(v));
    json_decref(v);
    v = bt_dump_at(w, "clusters/c/databases/d/public.t/version");
    assert_true(json_integer_value(v) > 0);
    json_decref(v);
    v = bt_dump_at(w, "clusters/c/databases/default/data");
    assert_non_null(v);
    json_decref(v);
    /* dropped with its cluster: the automatic backup, not the manual one (ZC-RETAIN) */
    bt_expect_dump_bool(w, "backups/ba/deleted", true);
    bt_expect_dump_bool(w, "backups/bm/deleted", false);
    v = bt_dump_at(w, "clusters/c/status");
    assert_string_equal(json_string_value(v), "DELETED");
    json_decref(v);
    br_world_free(w);
}

/* Public helpers at the edges of their domains. */
static void api_edges(void **s)
{
    (void)s;
    assert_null(br_rule_id(BR_RULE_COUNT));
    assert_int_equal(br_rule_from_id(NULL), BR_RULE_COUNT);
    assert_int_equal(br_rule_from_id("ZC-NOPE"), BR_RULE_COUNT);
    assert_int_equal(br_rule_from_id("ZC-TIER"), BR_RULE_ZC_TIER);
    assert_false(br_rule_has_mutant(BR_RULE_COUNT));
    assert_false(br_rule_has_mutant(BR_RULE_INV_TIME));
    assert_true(br_rule_has_mutant(BR_RULE_INV_ATOMIC));
    assert_false(br_rule_has_mutant(BR_RULE_ZC_ENVELOPE));
    assert_string_equal(br_strerror(BR_OK), "success");
    assert_string_equal(br_strerror(BR_ENOMEM), "out of memory");
    assert_string_equal(br_strerror(BR_EINVAL), "invalid argument");
    assert_string_equal(br_strerror(BR_EWORLD), "invalid world description");
    assert_string_equal(br_strerror(BR_ENOENT), "no such object");
    assert_string_equal(br_strerror(99), "unknown error");
    br_response_clear(NULL);
    br_response empty = {0};
    char *t = br_response_text(&empty);
    assert_string_equal(t, "");
    free(t);

    br_world *w = test_world();
    assert_int_equal(br_world_set_profile(w, "alternate"), BR_OK);
    assert_int_equal(br_world_set_profile(w, "strict"), BR_OK);
    assert_int_equal(br_world_set_profile(w, "lenient"), BR_EINVAL);
    assert_int_equal(br_world_set_profile(w, "default"), BR_OK);
    assert_null(br_world_atlas_secret(w, NULL));
    assert_null(br_world_atlas_secret(w, "owner")); /* a Zilliz key has no Atlas secret */
    br_response res;
    assert_int_equal(br_world_handle(w, NULL, &res), BR_EINVAL);
    br_request req = {.method = NULL, .path = "/v2/backups"};
    assert_int_equal(br_world_handle(w, &req, &res), BR_EINVAL);
    req = (br_request){.method = "GET", .path = NULL};
    assert_int_equal(br_world_handle(w, &req, &res), BR_EINVAL);
    br_world_free(w);
}

static long long zc_count(br_world *w, const char *path)
{
    br_response res = bt_expect(w, &(bt_req){"GET", path, .bearer = "owner"}, 200);
    assert_false(res.error);
    long long n = json_integer_value(json_object_get(json_object_get(res.body, "data"), "count"));
    br_response_clear(&res);
    return n;
}

/* Query strings: %XX in either case, '+' for space, parameters without '=', empty ones, escapes
 * that are not hex kept as they are, and at most 24 parameters read. */
static void query_decoding(void **s)
{
    (void)s;
    br_world *w = test_world();
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=in01-a"), 2);
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=in01%2Da"), 2);
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=in01%2da"), 2);
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=%69n01-a"), 2);
    assert_int_equal(zc_count(w, "/v2/backups?&&clusterId=in01-a&&flag&"), 2);
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=in01%zz-a"), 0);
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=in01%g1-a"), 0);
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=in01-a%2"), 0);
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=in01-a%"), 0);
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=in01+a"), 0);
    assert_int_equal(zc_count(w, "/v2/backups?clusterId=in01-a&backupType=CLUSTER"), 2);
    /* '+' decodes to a space: an enum value with a space in it is refused */
    bt_zc_refused(
        w, &(bt_req){"GET", "/v2/backups?clusterId=in01-a&backupType=CLU+STER", .bearer = "owner"},
        400, 96312, NULL);
    /* the 25th parameter is not read: pageSize=0 there would be refused */
    char path[1024] = "/v2/backups?clusterId=in01-a";
    for (int i = 0; i < 23; i++) {
        char p[16];
        snprintf(p, sizeof p, "&x%d=%d", i, i);
        strcat(path, p);
    }
    strcat(path, "&pageSize=0");
    assert_int_equal(zc_count(w, path), 2);
    br_world_free(w);
}

/* Path segments: %-escapes decoded (a decoded byte that is not UTF-8 is shown as '?' in the
 * message), a trailing '/', an empty segment, paths under no vendor. */
static void path_decoding(void **s)
{
    (void)s;
    br_world *w = test_world();
    br_response res =
        bt_expect(w, &(bt_req){"GET", "/v2/clusters/in01%2Da", .bearer = "owner"}, 200);
    assert_false(res.error);
    br_response_clear(&res);
    res = bt_expect(w, &(bt_req){"GET", "/v2/clusters/in01-a/", .bearer = "owner"}, 200);
    assert_false(res.error);
    br_response_clear(&res);
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/in01%FF%FEx", .bearer = "owner"}, 200, 96017,
                  "The specified cluster in01??x does not exist.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/%E2%82", .bearer = "owner"}, 200, 96017,
                  "The specified cluster ?? does not exist.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/%ED%A0%80", .bearer = "owner"}, 200, 96017,
                  "The specified cluster ??? does not exist.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/%F4%90%80%80", .bearer = "owner"}, 200, 96017,
                  "The specified cluster ???? does not exist.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/%F0%82%82%AC", .bearer = "owner"}, 200, 96017,
                  "The specified cluster ???? does not exist.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters/%C3%A9t%C3%A9", .bearer = "owner"}, 200, 96017,
                  "The specified cluster \xC3\xA9t\xC3\xA9 does not exist.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusters//backups/x", .bearer = "owner"}, 404, 96404,
                  NULL);
    bt_zc_refused(w, &(bt_req){"GET", "/v2/clusterz", .bearer = "owner"}, 404, 96404,
                  "no such path");
    bt_zc_refused(w, &(bt_req){"PUT", "/v2/backups", .bearer = "owner"}, 405, 96404,
                  "method not allowed on this path");
    uint64_t before = br_world_digest(w);
    res = bt_expect(w, &(bt_req){"GET", "/v3/backups", .bearer = "owner"}, 404);
    assert_true(res.error);
    assert_int_equal(res.vendor, BR_VENDOR_COUNT);
    assert_string_equal(json_string_value(json_object_get(res.body, "error")),
                        "no vendor API under this path");
    br_response_clear(&res);
    assert_true(br_world_digest(w) == before);
    br_world_free(w);
}

/* Bodies: empty, a JSON array, bytes that are not UTF-8, a header without a name. */
static void body_and_headers(void **s)
{
    (void)s;
    br_world *w = test_world();
    bt_zc_refused(
        w,
        &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "owner", .raw = "[1,2]"},
        400, 96312, "request body must be a JSON object");
    bt_zc_refused(w,
                  &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "owner",
                            .raw = "{\"a\":\"\xC3"},
                  400, 96312, "request body is not valid UTF-8");
    bt_zc_refused(w,
                  &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "owner",
                            .raw = "{\"a\":"},
                  400, 96312, "malformed JSON body");
    /* an empty body is an empty object: backupType is then missing */
    bt_zc_refused(
        w, &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "owner", .raw = ""},
        400, 96312, "backupType is required");
    br_response res;
    /* a nameless header is skipped; the Authorization after it is found */
    br_header h[2] = {{NULL, "x"}, {"authorization", "Bearer owner"}};
    br_request req = {.method = "GET",
                      .path = "/v2/backups",
                      .query = "clusterId=in01-a",
                      .headers = h,
                      .n_headers = 2,
                      .caller_ip = "127.0.0.1"};
    assert_int_equal(br_world_handle(w, &req, &res), BR_OK);
    assert_int_equal(res.status, 200);
    assert_false(res.error);
    br_response_clear(&res);
    br_world_free(w);
}

/* Clock and duration forms not yet covered by test_model_world_given.c. */
static void clock_and_duration_forms(void **s)
{
    (void)s;
    static const struct {
        const char *clock;
        long long want;
    } ok[] = {
        {"1969-12-31T23:59:59Z", -1},
        {"0001-01-01T00:00:00Z", -62135596800LL},
        {"2024-08-26T00:00:60Z", 1724630460LL},
        {"2024-08-26T00:00:00.5+00:00", 1724630400LL},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char text[128];
        snprintf(text, sizeof text, "{'clock':'%s'}", ok[i].clock);
        br_world *w = bt_world(text);
        assert_int_equal(br_world_now(w), ok[i].want);
        br_world_free(w);
    }
    static const char *const bad[] = {
        "2024-08-26T00:00:61Z",
        "2024-08-26T00:60:00Z",
        "2024-00-26T00:00:00Z",
        "2024-08-00T00:00:00Z",
        "2024x08-26",
        "2024-08x26",
        "20a4-08-26",
        "2024-0a-26",
        "2024-08-2a",
        "2024-08-26T0a:00:00Z",
        "2024-08-26T00-00:00Z",
        "2024-08-26T00:0a:00Z",
        "2024-08-26T00:00-00Z",
        "2024-08-26T00:00:0aZ",
        "2024-08-26T00:00:00+0a:00",
        "2024-08-26T00:00:00+02-00",
        "2024-08-26T00:00:00+02:0a",
        "2024-08-26Z",
        "2024",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[128];
        snprintf(text, sizeof text, "{'clock':'%s'}", bad[i]);
        bt_world_refused(text, "clock must be an RFC 3339 time");
    }
    /* durations: plain seconds, 's', 'm' */
    br_world *w = bt_world("{'durations':{'backup':'15m','restore':'45s','export':'3','download':"
                           "0,'backupQueue':'2h','restoreQueue':'1d','exportQueue':10}}");
    br_world_free(w);
    static const char *const bad_d[] = {"'15q'", "'1000000000m'", "'-5'", "''", "'m5'", "null"};
    for (size_t i = 0; i < sizeof bad_d / sizeof *bad_d; i++) {
        char text[128];
        snprintf(text, sizeof text, "{'durations':{'backup':%s}}", bad_d[i]);
        bt_world_refused(text, "duration backup must be");
    }
}

/* Clock forms at the edges of the calendar: year 0 (days before 1970 and before the era), times
 * whose UTC year falls outside 0000-9999 (shown clamped), lower-case and space separators, and
 * times refused for a missing zone or fraction. */
static void clock_calendar_edges(void **s)
{
    (void)s;
    static const struct {
        const char *clock, *shown;
        long long want;
    } ok[] = {
        {"0000-01-01T00:00:00Z", "0000-01-01T00:00:00Z", -62167219200LL},
        {"0000-03-01T00:00:00Z", "0000-03-01T00:00:00Z", -62162035200LL},
        /* one hour before year 0 and one after year 9999: the year is clamped */
        {"0000-01-01T00:00:00+01:00", "0000-12-31T23:00:00Z", -62167222800LL},
        {"9999-12-31T23:30:00-01:00", "9999-01-01T00:30:00Z", 253402302600LL},
        {"2024-08-26t00:00:00z", "2024-08-26T00:00:00Z", 1724630400LL},
        {"2024-08-26 01:00:00+01:00", "2024-08-26T00:00:00Z", 1724630400LL},
        {"2024-08-26", "2024-08-26T00:00:00Z", 1724630400LL},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        char text[128];
        snprintf(text, sizeof text, "{'clock':'%s'}", ok[i].clock);
        br_world *w = bt_world(text);
        assert_int_equal(br_world_now(w), ok[i].want);
        json_t *d = br_world_dump(w);
        assert_string_equal(json_string_value(json_object_get(d, "clock")), ok[i].shown);
        json_decref(d);
        br_world_free(w);
    }
    static const char *const bad[] = {"2024-08-26T00:00:00", "2024-08-26T00:00:00X",
                                      "2024-08-26T00:00:00.Z", "2024-08-26X00:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char text[128];
        snprintf(text, sizeof text, "{'clock':'%s'}", bad[i]);
        bt_world_refused(text, "clock must be an RFC 3339 time");
    }
    br_world *w = bt_world("{'durations':{'backup':'2d','restore':'36500d'}}");
    br_world_free(w);
    bt_world_refused("{'durations':{'backup':'36501d'}}", "duration backup must be");
    bt_world_refused("{'durations':{'backup':'876001h'}}", "duration backup must be");
}

#define CC_WORLD(durations, backups)                                                               \
    "{'clock':'2024-08-26T00:00:00Z'," durations "'orgs':[{'id':'oc','vendor':'cockroachdb'}],"    \
    "'keys':[{'key':'admin','org':'oc','roles':['ORG_ADMIN','CLUSTER_ADMIN']}],"                   \
    "'clusters':[{'id':'adv','org':'oc','plan':'ADVANCED','databases':[{'name':'tpcc','tables':"   \
    "[{'name':'warehouse','schema':'public','version':3}]}]},{'id':'dr','org':'oc','plan':"        \
    "'ADVANCED'}],'backups':[" backups "]}"
#define CC_RESTORE(db)                                                                             \
    "{'type':'DATABASE','backup_id':'b1','source_cluster_id':'adv','objects':[{'database':"        \
    "'tpcc'}],'restore_opts':{'new_db_name':'" db "'}}"

static char *cc_start(br_world *w, const char *body)
{
    br_response res = bt_expect(
        w, &(bt_req){"POST", "/api/v1/clusters/dr/restores", .bearer = "admin", .body = body}, 200);
    char *id = strdup(json_string_value(json_object_get(res.body, "id")));
    br_response_clear(&res);
    return id;
}

static void assert_job(br_world *w, const char *id, const char *status)
{
    char p[160];
    snprintf(p, sizeof p, "jobs/%s/status", id);
    json_t *v = bt_dump_at(w, p);
    if (!json_is_string(v) || strcmp(json_string_value(v), status) != 0)
        fail_msg("job %s is %s, expected %s", id, json_string_value(v), status);
    json_decref(v);
}

/* Jobs due at the same instant: with no queue and no run time a restore starts and ends at
 * the instant of its request (the request settles the jobs due then; the second step, due at
 * the instant of the first, waits for the next pass); a restore ends at the second its backup
 * expires; restores started a second apart. */
static void jobs_due_together(void **s)
{
    (void)s;
    br_world *w =
        bt_world(CC_WORLD("'durations':{'restoreQueue':0,'restore':0},",
                          "{'id':'b1','cluster':'adv','createTime':'2024-08-25T23:00:00Z'}"));
    char *a = cc_start(w, CC_RESTORE("c1"));
    char *b = cc_start(w, CC_RESTORE("c2"));
    assert_job(w, a, "SUCCESS");
    char *c = cc_start(w, CC_RESTORE("c3"));
    assert_int_equal(br_world_advance(w, 0), BR_OK);
    assert_int_equal(br_world_now(w), 1724630400LL);
    assert_job(w, a, "SUCCESS");
    assert_job(w, b, "SUCCESS");
    assert_job(w, c, "SUCCESS");
    json_t *v = bt_dump_at(w, "clusters/dr/databases/c3/public.warehouse/version");
    assert_int_equal(json_integer_value(v), 3);
    json_decref(v);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    free(a);
    free(b);
    free(c);
    br_world_free(w);

    /* the restore (queued 60 s, running 600 s) ends at the second its backup expires */
    w = bt_world(CC_WORLD("", "{'id':'b1','cluster':'adv','createTime':'2024-08-25T23:00:00Z',"
                              "'expireTime':'2024-08-26T00:11:00Z'}"));
    a = cc_start(w, CC_RESTORE("c1"));
    assert_int_equal(br_world_advance(w, 659), BR_OK);
    assert_job(w, a, "PENDING");
    v = bt_dump_at(w, "backups/b1");
    assert_non_null(v);
    json_decref(v);
    assert_int_equal(br_world_advance(w, 1), BR_OK);
    assert_job(w, a, "SUCCESS");
    v = bt_dump_at(w, "clusters/dr/databases/c1/public.warehouse/version");
    assert_int_equal(json_integer_value(v), 3);
    json_decref(v);
    br_response res =
        bt_expect(w, &(bt_req){"GET", "/api/v1/clusters/adv/backups", .bearer = "admin"}, 200);
    assert_int_equal(json_array_size(json_object_get(res.body, "backups")), 0);
    br_response_clear(&res);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    free(a);
    br_world_free(w);

    /* restores started a second apart, due one after the other in one long run */
    w = bt_world(CC_WORLD("'durations':{'restoreQueue':0,'restore':1},",
                          "{'id':'b1','cluster':'adv','createTime':'2024-08-25T23:00:00Z'}"));
    a = cc_start(w, CC_RESTORE("c1"));
    assert_int_equal(br_world_advance(w, 1), BR_OK);
    b = cc_start(w, CC_RESTORE("c2"));
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_job(w, a, "SUCCESS");
    assert_job(w, b, "SUCCESS");
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    free(a);
    free(b);
    br_world_free(w);
}

#define AGP "b0123456789abcdef012345b"
#define ASNAP "5ced491ce7a2e10517c81fa1"
#define AT "/api/atlas/v1.0/groups/" AGP "/clusters/M2A/backup/tenant"
/* Atlas's R40T first (the first live cluster), a Zilliz cluster with an automatic backup. */
static const char two_vendor_world[] =
    "{'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'oz','vendor':'zilliz','projects':[{'id':"
    "'p1'}]},{'id':'a0123456789abcdef012345a','vendor':'atlas','projects':[{'id':'" AGP "'}]}],"
    "'keys':[{'key':'zk','org':'oz','roles':['ORG_OWNER']},{'key':'owner-key','secret':'sek',"
    "'org':'a0123456789abcdef012345a','roles':['ORG_OWNER']}],"
    "'clusters':[{'id':'5cee4c83e7a2e10d2ad30003','name':'R40T','project':'" AGP "','plan':"
    "'R40','provider':'azure','region':'US_EAST_2','mongoMajor':7},{'id':'in01-a','project':"
    "'p1','plan':'Standard','region':'aws-us-west-2','databases':[{'name':'default',"
    "'collections':[{'name':'c1'}]}]},{'id':'5cee4c83e7a2e10d2ad30001','name':'M2A','project':'" AGP
    "','plan':'M2','provider':'aws','region':'US_EAST_1','mongoMajor':7,'createTime':"
    "'2024-08-25T12:00:00Z','databases':[{'name':'shop','collections':[{'name':'orders',"
    "'version':3}]}]}],"
    "'backups':[{'id':'auto','cluster':'in01-a','method':'AUTO','createTime':"
    "'2024-08-25T00:00:00Z'}],"
    "'snapshots':[{'id':'" ASNAP "','cluster':'5cee4c83e7a2e10d2ad30001','scheduledTime':"
    "'2024-08-25T12:00:00Z','expiration':'2024-08-26T12:00:00Z','mongoDBVersion':'7.0.12'}]}";

static bool dump_has(const br_world *w, const char *path)
{
    json_t *v = bt_dump_at(w, path);
    json_decref(v);
    return v != NULL;
}

static void restore_into_r40t(br_world *w)
{
    br_response res =
        bt_expect(w,
                  &(bt_req){"POST", AT "/restore", .atlas = "owner-key",
                            .body = "{'snapshotId':'" ASNAP "','targetDeploymentItemName':'R40T',"
                                    "'targetProjectId':'" AGP "'}"},
                  200);
    assert_false(res.error);
    br_response_clear(&res);
}

/* Library entry points and mutants that reach across vendors: the Atlas secret look-up,
 * pretty answers, SEC-BAD-INPUT (malformed and oversized bodies read as {}), MA-ONE-RESTORE
 * (writes into a cluster under restore), ZC-RETAIN (automatic backups kept when their cluster
 * is dropped) and INV-ATOMIC (a refused request leaves a write in the first live cluster,
 * none when that cluster is under restore). */
static void cross_vendor_entry_points(void **s)
{
    (void)s;
    br_world *w = bt_world(two_vendor_world);
    assert_string_equal(br_world_atlas_secret(w, "owner-key"), "sek");
    assert_null(br_world_atlas_secret(w, "zk"));
    assert_null(br_world_atlas_secret(w, "nobody"));
    assert_null(br_world_atlas_secret(w, NULL));
    br_response res =
        bt_expect(w, &(bt_req){"GET", AT "/snapshots?pretty=true", .atlas = "owner-key"}, 200);
    char *text = br_response_text(&res);
    assert_non_null(strstr(text, "{\n  \"links\": [\n"));
    free(text);
    br_response_clear(&res);
    /* malformed and oversized bodies */
    size_t big = 1100000;
    char *huge = malloc(big + 3);
    assert_non_null(huge);
    huge[0] = '{';
    memset(huge + 1, ' ', big);
    huge[big + 1] = '}';
    huge[big + 2] = '\0';
    bt_zc_refused(
        w, &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "zk", .raw = "{nope"},
        400, 96312, "malformed JSON body");
    bt_zc_refused(
        w, &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "zk", .raw = huge},
        413, 96312, "request body is larger than 1 MiB");
    br_world_set_mutant(w, br_rule_from_id("SEC-BAD-INPUT"));
    bt_zc_refused(
        w, &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "zk", .raw = "{nope"},
        400, 96312, "backupType is required");
    bt_zc_refused(
        w, &(bt_req){"POST", "/v2/clusters/in01-a/backups/create", .bearer = "zk", .raw = huge},
        400, 96312, "backupType is required");
    free(huge);
    /* writes while a restore runs */
    br_world_set_mutant(w, BR_RULE_COUNT);
    restore_into_r40t(w);
    assert_int_equal(br_world_write(w, "5cee4c83e7a2e10d2ad30003", "x", "", "y"), BR_EINVAL);
    br_world_set_mutant(w, br_rule_from_id("MA-ONE-RESTORE"));
    assert_int_equal(br_world_write(w, "5cee4c83e7a2e10d2ad30003", "x", "", "y"), BR_OK);
    br_world_free(w);

    /* dropping a Zilliz cluster deletes its automatic backups; not under ZC-RETAIN */
    w = bt_world(two_vendor_world);
    assert_int_equal(br_world_drop_cluster(w, "in01-a"), BR_OK);
    json_t *v = bt_dump_at(w, "backups/auto/deleted");
    assert_true(json_is_true(v));
    json_decref(v);
    br_world_free(w);
    w = bt_world(two_vendor_world);
    br_world_set_mutant(w, br_rule_from_id("ZC-RETAIN"));
    assert_int_equal(br_world_drop_cluster(w, "in01-a"), BR_OK);
    bt_expect_dump_bool(w, "backups/auto/deleted", false);
    br_world_free(w);

    /* INV-ATOMIC */
    static const bt_req refused = {"POST", "/v2/clusters/in01-a/backups/create", .bearer = "zk",
                                   .raw = "{nope"};
    w = bt_world(two_vendor_world);
    br_world_set_mutant(w, br_rule_from_id("INV-ATOMIC"));
    uint64_t before = br_world_digest(w);
    res = bt_expect(w, &refused, 400);
    br_response_clear(&res);
    assert_true(br_world_digest(w) != before);
    assert_true(dump_has(w, "clusters/5cee4c83e7a2e10d2ad30003/databases/default"));
    br_world_free(w);
    w = bt_world(two_vendor_world);
    br_world_set_mutant(w, br_rule_from_id("INV-ATOMIC"));
    assert_int_equal(br_world_drop_cluster(w, "5cee4c83e7a2e10d2ad30003"), BR_OK);
    res = bt_expect(w, &refused, 400);
    br_response_clear(&res);
    assert_true(dump_has(w, "clusters/in01-a/databases/default/refused_request_trace"));
    br_world_free(w);
    w = bt_world(two_vendor_world);
    br_world_set_mutant(w, br_rule_from_id("INV-ATOMIC"));
    restore_into_r40t(w);
    before = br_world_digest(w);
    res = bt_expect(w, &refused, 400);
    br_response_clear(&res);
    assert_true(br_world_digest(w) == before);
    br_world_free(w);
}

/* Body members given as null read as absent (strings, integers, booleans), in CockroachDB and
 * Zilliz bodies; cluster flags given false, collections' loaded forms and a COLLECTION backup
 * naming a non-string collection; a key scoped to a cluster sees that cluster's project. */
static void null_members_and_world_forms(void **s)
{
    (void)s;
    br_world *w = bt_world(
        "{'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'oc','vendor':'cockroachdb'},{'id':'o',"
        "'vendor':'zilliz','projects':[{'id':'p1'},{'id':'p2'}]}],"
        "'keys':[{'key':'admin','org':'oc','roles':['ORG_ADMIN','CLUSTER_ADMIN']},{'key':"
        "'owner','org':'o','roles':['ORG_OWNER']},{'key':'clkey','org':'o','roles':[{'role':"
        "'ORG_OWNER','scope':'in01-a'}]},{'key':'nowhere','org':'o','roles':[{'role':"
        "'ORG_OWNER','scope':'zzz'}]},{'key':'nullscope','org':'o','roles':[{'role':'ORG_OWNER',"
        "'scope':null}]}],"
        "'clusters':[{'id':'adv','org':'oc','plan':'ADVANCED','encrypted':false,'sharded':false,"
        "'paused':false},{'id':'in01-a','project':'p1','plan':'Standard','region':"
        "'aws-us-west-2','databases':[{'name':'default','collections':[{'name':'c1','loaded':"
        "false},{'name':'c2','loaded':true}]}]},{'id':'in01-b','project':'p2','plan':'Standard',"
        "'region':'aws-us-west-2'}],"
        "'backups':[{'id':'bz','cluster':'in01-a','type':'COLLECTION','collections':[5,'c1']}]}");
    json_t *v = bt_dump_at(w, "clusters/adv/encrypted");
    assert_true(json_is_false(v));
    json_decref(v);
    bt_expect_dump_bool(w, "clusters/in01-a/databases/default/c1/loaded", false);
    bt_expect_dump_bool(w, "clusters/in01-a/databases/default/c2/loaded", true);
    v = bt_dump_at(w, "backups/bz/databases/default");
    assert_int_equal(json_object_size(v), 1);
    assert_non_null(json_object_get(v, "c1"));
    json_decref(v);
    /* nulls */
    br_response res =
        bt_expect(w,
                  &(bt_req){"PATCH", "/api/v1/clusters/adv/backups-config", .bearer = "admin",
                            .body = "{'enabled':null,'frequency_minutes':null,"
                                    "'retention_days':null}"},
                  200);
    assert_true(json_is_true(json_object_get(res.body, "enabled")));
    assert_int_equal(json_integer_value(json_object_get(res.body, "frequency_minutes")), 60);
    assert_int_equal(json_integer_value(json_object_get(res.body, "retention_days")), 30);
    br_response_clear(&res);
    uint64_t before = br_world_digest(w);
    res = bt_expect(w,
                    &(bt_req){"POST", "/api/v1/clusters/adv/restores", .bearer = "admin",
                              .body = "{'type':null}"},
                    400);
    assert_true(res.error);
    assert_int_equal(body_code(&res), 3); /* INVALID_ARGUMENT */
    assert_true(json_is_array(json_object_get(res.body, "details")));
    assert_string_equal(json_string_value(json_object_get(res.body, "message")),
                        "type is required: CLUSTER, DATABASE or TABLE");
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
    res = bt_expect(w,
                    &(bt_req){"POST", "/v2/clusters/in01-a/backups/policy", .bearer = "owner",
                              .body = "{'enabled':true,'frequency':null,'startTime':null,"
                                      "'retentionDays':null}"},
                    200);
    json_t *data = json_object_get(res.body, "data");
    assert_string_equal(json_string_value(json_object_get(data, "startTime")), "00:00-02:00");
    assert_int_equal(json_integer_value(json_object_get(data, "retentionDays")), 7);
    br_response_clear(&res);
    /* scopes: a cluster's project, an unknown scope, a null scope (none) */
    res = bt_expect(w, &(bt_req){"GET", "/v2/backups?projectId=p1", .bearer = "clkey"}, 200);
    assert_false(res.error);
    br_response_clear(&res);
    bt_zc_refused(w, &(bt_req){"GET", "/v2/backups?projectId=p2", .bearer = "clkey"}, 200, 96005,
                  "Invalid projectId p2.");
    bt_zc_refused(w, &(bt_req){"GET", "/v2/backups?projectId=p1", .bearer = "nowhere"}, 200, 96005,
                  "Invalid projectId p1.");
    res = bt_expect(w, &(bt_req){"GET", "/v2/backups?projectId=p2", .bearer = "nullscope"}, 200);
    assert_false(res.error);
    br_response_clear(&res);
    br_world_free(w);
}

/* Atlas under the SEC-AUTH mutant: an unknown caller acts as the first Atlas key (after the
 * Zilliz one); with no Atlas key at all it stays unknown. */
static void atlas_auth_mutant(void **s)
{
    (void)s;
    br_world *w = bt_world(two_vendor_world);
    bt_refused(w, &(bt_req){"GET", AT "/snapshots", .atlas = "nobody"}, 401, NULL);
    br_world_set_mutant(w, br_rule_from_id("SEC-AUTH"));
    br_response res = bt_expect(w, &(bt_req){"GET", AT "/snapshots", .atlas = "nobody"}, 200);
    assert_int_equal(json_integer_value(json_object_get(res.body, "totalCount")), 1);
    br_response_clear(&res);
    br_world_free(w);
    w = bt_world(
        "{'orgs':[{'id':'a0123456789abcdef012345a','vendor':'atlas','projects':[{'id':'" AGP
        "'}]}]}");
    br_world_set_mutant(w, br_rule_from_id("SEC-AUTH"));
    bt_refused(w, &(bt_req){"GET", AT "/snapshots", .atlas = "nobody"}, 401, NULL);
    br_world_free(w);
}

static json_t *snapshot_ids(br_world *w)
{
    br_response res = bt_expect(w, &(bt_req){"GET", AT "/snapshots", .atlas = "owner-key"}, 200);
    json_t *ids = json_array();
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(res.body, "results"), i, o)
        json_array_append(ids, json_object_get(o, "id"));
    br_response_clear(&res);
    return ids;
}

/* Atlas reads of a sharded, encrypted cluster; the day's snapshot replacing the expired one,
 * kept under the MA-SNAPSHOT-LIFE mutant; the cluster read gone under MA-OBS-CLUSTER. */
static void atlas_reads_and_mutants(void **s)
{
    (void)s;
#define R40 "/api/atlas/v1.0/groups/" AGP "/clusters/R40T"
    br_world *w = bt_world(two_vendor_world);
    assert_int_equal(br_world_set_flag(w, "5cee4c83e7a2e10d2ad30003", "sharded", true), BR_OK);
    assert_int_equal(br_world_set_flag(w, "5cee4c83e7a2e10d2ad30003", "encrypted", true), BR_OK);
    br_response res = bt_expect(w, &(bt_req){"GET", R40, .atlas = "owner-key"}, 200);
    assert_string_equal(json_string_value(json_object_get(res.body, "clusterType")), "SHARDED");
    assert_string_equal(json_string_value(json_object_get(res.body, "encryptionAtRestProvider")),
                        "AWS");
    br_response_clear(&res);
    assert_int_equal(br_world_advance(w, 86400), BR_OK);
    json_t *ids = snapshot_ids(w);
    assert_int_equal(json_array_size(ids), 1);
    assert_string_not_equal(json_string_value(json_array_get(ids, 0)), ASNAP);
    json_decref(ids);
    br_world_free(w);

    w = bt_world(two_vendor_world);
    br_world_set_mutant(w, br_rule_from_id("MA-SNAPSHOT-LIFE"));
    assert_int_equal(br_world_advance(w, 86400), BR_OK);
    ids = snapshot_ids(w);
    assert_int_equal(json_array_size(ids), 2);
    assert_string_equal(json_string_value(json_array_get(ids, 0)), ASNAP);
    json_decref(ids);
    br_world_free(w);

    w = bt_world(two_vendor_world);
    br_world_set_mutant(w, br_rule_from_id("MA-OBS-CLUSTER"));
    bt_refused(w, &(bt_req){"GET", R40, .atlas = "owner-key"}, 404, "Cannot find resource");
    br_world_free(w);
#undef R40
}

/* A rich world of all three vendors: every section the loader reads. */
static const char rich_world[] =
    "{'seed':7,'clock':'2024-08-26T00:00:00Z','durations':{'backup':'10m'},'profile':'strict',"
    "'comment':'all sections',"
    "'orgs':[{'id':'oz','vendor':'zilliz','accessList':['127.0.0.1'],'projects':[{'id':'pz',"
    "'name':'PZ'}]},{'id':'oc','vendor':'cockroach'},{'id':'oa','vendor':'atlas','accessList':["
    "'127.0.0.1','10.0.0.0/8'],'projects':[{'id':'g'}]}],"
    "'keys':[{'key':'zk','org':'oz','roles':['ORG_OWNER',{'role':'PROJECT_ADMIN','scope':'pz'}]},"
    "{'key':'ck','org':'oc','roles':['ORG_ADMIN']},{'key':'ak','secret':'s','org':'oa','roles':"
    "[{'role':'GROUP_OWNER','scope':'g'}]}],"
    "'clusters':[{'id':'z','project':'pz','plan':'Standard','region':'aws-us-west-2','databases':"
    "[{'name':'default','collections':[{'name':'c1','version':2},{'name':'c2'}]}]},"
    "{'id':'k','org':'oc','plan':'ADVANCED','databases':[{'name':'db','tables':[{'name':'t',"
    "'schema':'public'}]}]},{'id':'m','project':'g','plan':'M5','databases':[{'name':'d',"
    "'collections':[{'name':'x'}]}]}],"
    "'backups':[{'id':'zb','cluster':'z'},{'id':'zc','cluster':'z','type':'COLLECTION',"
    "'collections':['c1']},{'id':'zd','cluster':'z','databases':[{'name':'default','collections':"
    "[{'name':'c9'}]}]},{'id':'ab','cluster':'m'}],"
    "'policies':[{'cluster':'z','enabled':true}],"
    "'backupConfigs':[{'cluster':'k','enabled':true,'frequency_minutes':60,'retention_days':30}],"
    "'snapshots':[{'id':'as','cluster':'m','status':'COMPLETED','databases':[{'name':'d',"
    "'collections':[{'name':'x','version':4}]}]},{'id':'aq','cluster':'m','status':'QUEUED'}]}";

/* Every allocation of loading a rich world fails in turn: no world, the message "out of
 * memory", and nothing leaks (ASan build); the load succeeds once no allocation fails. */
static void world_load_out_of_memory(void **s)
{
    (void)s;
    json_t *given = bt_json(rich_world);
    unsigned long n;
    for (n = 1; n < 100000; n++) {
        char err[128] = "";
        br_alloc_fail_after(n);
        br_world *w = br_world_new(given, err, sizeof err);
        unsigned long failed = br_alloc_failures();
        br_alloc_fail_after(0);
        if (w) {
            assert_int_equal(failed, 0);
            br_world_free(w);
            break;
        }
        assert_true(failed > 0);
        assert_string_equal(err, "out of memory");
        /* without an error buffer, too */
        br_alloc_fail_after(n);
        assert_null(br_world_new(given, NULL, 0));
        br_alloc_fail_after(0);
    }
    assert_true(n > 20);
    json_decref(given);
}

/* The dump of the rich world under allocation failure: NULL or a whole dump, never a crash. */
static void world_dump_out_of_memory(void **s)
{
    (void)s;
    br_world *w = bt_world(rich_world);
    json_t *full = br_world_dump(w);
    assert_non_null(full);
    unsigned long n;
    for (n = 1; n < 100000; n++) {
        br_alloc_fail_after(n);
        json_t *d = br_world_dump(w);
        unsigned long failed = br_alloc_failures();
        br_alloc_fail_after(0);
        /* a dump is whole or missing, never a partial picture */
        if (d && !json_equal(d, full)) fail_msg("allocation %lu failing: a partial dump", n);
        json_decref(d);
        if (!failed) {
            assert_non_null(d);
            break;
        }
    }
    assert_true(n > 10);
    json_t *again = br_world_dump(w);
    assert_true(json_equal(again, full));
    json_decref(again);
    json_decref(full);
    br_world_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(world_field_refusals),
        cmocka_unit_test(world_unknown_fields_refused),
        cmocka_unit_test(vendor_section_refusals),
        cmocka_unit_test(world_forms_accepted),
        cmocka_unit_test(invariant_check_finds_violations),
        cmocka_unit_test(simulator_ops_and_flags),
        cmocka_unit_test(api_edges),
        cmocka_unit_test(query_decoding),
        cmocka_unit_test(path_decoding),
        cmocka_unit_test(body_and_headers),
        cmocka_unit_test(clock_and_duration_forms),
        cmocka_unit_test(clock_calendar_edges),
        cmocka_unit_test(jobs_due_together),
        cmocka_unit_test(cross_vendor_entry_points),
        cmocka_unit_test(null_members_and_world_forms),
        cmocka_unit_test(atlas_auth_mutant),
        cmocka_unit_test(atlas_reads_and_mutants),
        cmocka_unit_test(world_load_out_of_memory),
        cmocka_unit_test(world_dump_out_of_memory),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
