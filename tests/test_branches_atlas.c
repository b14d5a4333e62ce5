/* MongoDB Atlas paths the fixtures do not reach (model/atlas/): Digest Authorization headers
 * with extra, quoted or broken parameters, access-list entries of every form, v2 Accept
 * headers, paging and expiry edges, restore and download refusals and their forms, jobs whose
 * target goes away, envelope and pretty combinations, wrong-typed body members, and the world
 * section "snapshots". Every refusal answers the Atlas error body {detail, error, errorCode,
 * reason} and changes nothing. */
#include "branches_support.h"

#include <strings.h>

#define GP "b0123456789abcdef012345b" /* group prod */
#define GS "c0123456789abcdef012345c" /* group staging */
#define GL "f0123456789abcdef012345f" /* the access-listed organization's group */
#define GZ "0123456789abcdef01234567" /* a Zilliz project with an ObjectId-shaped id */
#define S_OK "5ced491ce7a2e10517c81fa1"
#define S_QUEUED "5ced491ce7a2e10517c81fa2"
#define S_NOVER "5ced491ce7a2e10517c81fa3"
#define S_M5 "5ced491ce7a2e10517c81fa4"
#define S_FAILED "5ced491ce7a2e10517c81fa5"
#define V1 "/api/atlas/v1.0/groups/"
#define V2 "/api/atlas/v2/groups/"
#define TENANT(g, c) g "/clusters/" c "/backup/tenant"

static const char world_text[] =
    "{'seed':4,'clock':'2024-08-26T00:00:00Z','orgs':[{'id':'a0123456789abcdef012345a','vendor':"
    "'atlas','projects':[{'id':'" GP "','name':'prod'},{'id':'" GS "','name':'staging'}]},"
    "{'id':'f0123456789abcdef0123450','vendor':'atlas','projects':[{'id':'" GL "'}],"
    "'accessList':['10.0.0.0/8','2001:db8::/32','2001:db9::5','203.0.113.0/24','192.0.2.0/',"
    "'192.0.2.0/24z','not-an-address','198.18.0.0/33','fe80::/129']},"
    "{'id':'z','vendor':'zilliz','projects':[{'id':'" GZ "'}]}],"
    "'keys':[{'key':'owner-key','org':'a0123456789abcdef012345a','roles':['ORG_OWNER']},"
    "{'key':'listed-key','org':'f0123456789abcdef0123450','roles':['ORG_OWNER']},"
    "{'key':'zilliz-key','org':'z','roles':['ORG_OWNER']}],"
    "'clusters':[{'id':'5cee4c83e7a2e10d2ad30001','name':'M2A','project':'" GP "','plan':'M2',"
    "'provider':'aws','region':'US_EAST_1','mongoMajor':7,'createTime':'2024-08-25T12:00:00Z',"
    "'databases':[{'name':'shop','collections':[{'name':'orders','version':3}]}]},"
    "{'id':'5cee4c83e7a2e10d2ad30002','name':'M5B','project':'" GP "','plan':'M5','provider':"
    "'gcp','region':'CENTRAL_US','mongoMajor':7},"
    "{'id':'5cee4c83e7a2e10d2ad30003','name':'R40T','project':'" GP "','plan':'R40','provider':"
    "'azure','region':'US_EAST_2','mongoMajor':7,'databases':[{'name':'keep','collections':[{"
    "'name':'k','version':1}]}]},"
    "{'id':'5cee4c83e7a2e10d2ad30004','name':'Old','project':'" GP "','plan':'M10','provider':"
    "'aws','region':'US_EAST_1','mongoMajor':6},"
    "{'id':'5cee4c83e7a2e10d2ad30005','name':'Flex','project':'" GP "','plan':'FLEX',"
    "'status':'UPDATING','mongoMajor':8},"
    "{'id':'5cee4c83e7a2e10d2ad30006','name':'Stg','project':'" GS "','plan':'M10','provider':"
    "'aws','region':'US_EAST_1','mongoMajor':7},"
    "{'id':'5cee4c83e7a2e10d2ad30007','name':'L1','project':'" GL "','plan':'M10','provider':"
    "'aws','region':'US_EAST_1','mongoMajor':7}],"
    "'snapshots':[{'id':'" S_OK "','cluster':'5cee4c83e7a2e10d2ad30001','scheduledTime':"
    "'2024-08-25T12:00:00Z','expiration':'2024-09-02T12:00:00Z','mongoDBVersion':'7.0.12'},"
    "{'id':'" S_QUEUED "','cluster':'5cee4c83e7a2e10d2ad30001','status':'QUEUED',"
    "'scheduledTime':'2024-08-25T13:00:00Z'},"
    "{'id':'" S_NOVER "','cluster':'5cee4c83e7a2e10d2ad30001','scheduledTime':"
    "'2024-08-25T14:00:00Z','mongoDBVersion':'','databases':[{'name':'n','collections':[{"
    "'name':'unversioned'}]}]},"
    "{'id':'" S_M5 "','cluster':'5cee4c83e7a2e10d2ad30002','scheduledTime':"
    "'2024-08-25T12:00:00Z'},"
    "{'id':'" S_FAILED "','cluster':'5cee4c83e7a2e10d2ad30001','status':'FAILED',"
    "'scheduledTime':'2024-08-25T15:00:00Z'}]}";

static const char *header(const br_response *res, const char *name)
{
    for (size_t i = 0; i < res->n_headers; i++)
        if (strcasecmp(res->headers[i].name, name) == 0) return res->headers[i].value;
    return NULL;
}

static const char *reason(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 403:
        return "Forbidden";
    case 404:
        return "Not Found";
    case 406:
        return "Not Acceptable";
    default:
        return "Conflict";
    }
}

/* The Atlas error body of an answer: error = status, errorCode (NULL: none), reason, and a
 * detail holding 'words'. */
static void assert_ma_error(const json_t *body, int status, const char *code, const char *words)
{
    assert_int_equal(json_integer_value(json_object_get(body, "error")), status);
    assert_string_equal(json_string_value(json_object_get(body, "reason")), reason(status));
    const char *got = json_string_value(json_object_get(body, "errorCode"));
    if (code)
        assert_string_equal(got, code);
    else
        assert_null(got);
    const char *detail = json_string_value(json_object_get(body, "detail"));
    assert_non_null(detail);
    if (words && !strstr(detail, words)) fail_msg("detail \"%s\" lacks \"%s\"", detail, words);
}

/* A refusal: status, the Atlas error body, the X-Error-Code header, the world unchanged. */
static void ma_refused(br_world *w, const bt_req *r, int status, const char *code,
                       const char *words)
{
    uint64_t before = br_world_digest(w);
    br_response res = bt_expect(w, r, status);
    assert_true(res.error);
    assert_ma_error(res.body, status, code, words);
    if (code) assert_string_equal(header(&res, "X-Error-Code"), code);
    assert_string_equal(header(&res, "Content-Type"), "application/json");
    if (br_world_digest(w) != before)
        fail_msg("%s %s: a refusal changed the world", r->method, r->path);
    br_response_clear(&res);
}

/* A 400 naming one parameter: {"parameters": [param]}. */
static void ma_bad(br_world *w, const bt_req *r, const char *code, const char *param)
{
    uint64_t before = br_world_digest(w);
    br_response res = bt_expect(w, r, 400);
    assert_ma_error(res.body, 400, code, NULL);
    json_t *params = json_object_get(res.body, "parameters");
    assert_int_equal(json_array_size(params), 1);
    assert_string_equal(json_string_value(json_array_get(params, 0)), param);
    assert_true(br_world_digest(w) == before);
    br_response_clear(&res);
}

/* A successful answer's body (owned). */
static json_t *ma_ok(br_world *w, const bt_req *r)
{
    br_response res = bt_expect(w, r, 200);
    assert_false(res.error);
    json_t *b = json_incref(res.body);
    br_response_clear(&res);
    return b;
}

#define LIST V1 TENANT(GP, "M2A") "/snapshots"

/* Without a transport principal the public key comes from the Digest header's username. */
static void digest_header_forms(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    static const char *const accepted[] = {
        "Digest username=\"owner-key\", realm=\"MMS Public API\", nonce=\"n\", uri=\"" LIST "\"",
        "Digest  realm=\"MMS, Public API\" ,, nonce=\"a,b\", qop=auth, username=\"owner-key\"",
        "digest USERNAME=\"owner-key\"",
    };
    for (size_t i = 0; i < sizeof accepted / sizeof *accepted; i++) {
        json_t *b =
            ma_ok(w, &(bt_req){"GET", LIST, .hname = {"Authorization"}, .hvalue = {accepted[i]}});
        assert_true(json_is_array(json_object_get(b, "results")));
        json_decref(b);
    }
    static const char *const refused[] = {
        "Digest realm=\"MMS Public API\"",  /* no username */
        "Digest username=\"owner-key",      /* unterminated */
        "Digest username=\"\"",             /* empty */
        "Digest nonce=\"abc, username=\"x", /* the username inside a quoted value */
        "Digest nonce=\"abc",               /* a quoted value never closed */
        "Digest username=owner-key",        /* not quoted */
        "Digest username=\"nobody\"",       /* no such key */
        "Digest username=\"zilliz-key\"",   /* not an Atlas key */
        "Basic b3duZXIta2V5OnNlY3JldA==",   /* another scheme */
        "Digest username=\"" LONG120 "\"",  /* longer than any key */
        "Digest ",                          /* nothing at all */
    };
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        uint64_t before = br_world_digest(w);
        br_response res = bt_expect(
            w, &(bt_req){"GET", LIST, .hname = {"Authorization"}, .hvalue = {refused[i]}}, 401);
        assert_true(res.error);
        assert_ma_error(res.body, 401, NULL, "You are not authorized for this resource.");
        const char *ch = header(&res, "WWW-Authenticate");
        assert_non_null(ch);
        assert_non_null(strstr(ch, "Digest realm=\"MMS Public API\""));
        assert_true(br_world_digest(w) == before);
        br_response_clear(&res);
    }
    /* a transport's principal wins over whatever the header says */
    json_t *b = ma_ok(w, &(bt_req){"GET", LIST, .atlas = "owner-key", .hname = {"Authorization"},
                                   .hvalue = {"Digest username=\"nobody\""}});
    json_decref(b);
    br_world_free(w);
}

#define LLIST V1 TENANT(GL, "L1") "/snapshots"

static void access_list_edges(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    static const char *const allowed[] = {"10.1.2.3", "2001:db8:1::7", "2001:db9::5",
                                          "203.0.113.77"};
    for (size_t i = 0; i < sizeof allowed / sizeof *allowed; i++) {
        json_t *b = ma_ok(w, &(bt_req){"GET", LLIST, .atlas = "listed-key", .ip = allowed[i]});
        json_decref(b);
    }
    /* outside every entry; entries that are no address or no prefix match nothing */
    static const char *const refused[] = {"11.0.0.1",   "2001:db9::6", "192.0.2.1",
                                          "198.18.0.1", "fe80::1",     "127.0.0.1",
                                          "not-an-ip",  "10.0.0.1.5",  "2001:db8::g"};
    for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
        char words[96];
        snprintf(words, sizeof words, "IP address %s is not allowed", refused[i]);
        ma_refused(w, &(bt_req){"GET", LLIST, .atlas = "listed-key", .ip = refused[i]}, 403,
                   "IP_ADDRESS_NOT_ON_ACCESS_LIST", words);
    }
    /* an unknown caller address is refused and shown as such; a nameless header is skipped */
    br_header h[2] = {{NULL, "x"}, {"Accept", "application/json"}};
    br_request req = {.method = "GET",
                      .path = LLIST,
                      .headers = h,
                      .n_headers = 2,
                      .caller_ip = NULL,
                      .principal = "listed-key"};
    uint64_t before = br_world_digest(w);
    br_response res;
    assert_int_equal(br_world_handle(w, &req, &res), BR_OK);
    assert_int_equal(res.status, 403);
    assert_ma_error(res.body, 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST", "(unknown)");
    assert_string_equal(
        json_string_value(json_array_get(json_object_get(res.body, "parameters"), 0)), "(unknown)");
    br_response_clear(&res);
    assert_true(br_world_digest(w) == before);
    /* an organization without a list takes any address, known or not */
    req.path = LIST;
    req.principal = "owner-key";
    assert_int_equal(br_world_handle(w, &req, &res), BR_OK);
    assert_int_equal(res.status, 200);
    br_response_clear(&res);
    br_world_free(w);
}

static void accept_header_forms(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    static const struct {
        const char *path, *accept, *type;
    } ok[] = {
        {V2 TENANT(GP, "M2A") "/snapshots", "application/vnd.atlas.2023-01-01+json",
         "application/vnd.atlas.2023-01-01+json;charset=utf-8"},
        /* the newest version on or before the date asked for */
        {V2 TENANT(GP, "M2A") "/snapshots", "application/vnd.atlas.2025-06-30+json",
         "application/vnd.atlas.2023-01-01+json;charset=utf-8"},
        {V2 GP "/clusters/M2A", "application/vnd.atlas.2023-01-15+json",
         "application/vnd.atlas.2023-01-01+json;charset=utf-8"},
        {V2 GP "/clusters/M2A", "text/plain, application/vnd.atlas.2023-06-01+json",
         "application/vnd.atlas.2023-02-01+json;charset=utf-8"},
        {V2 GP "/clusters/M2A", "application/vnd.atlas.2025-01-01+json;q=0.9",
         "application/vnd.atlas.2024-08-05+json;charset=utf-8"},
        /* v1.0 reads no Accept header */
        {V1 GP "/clusters/M2A", "application/vnd.atlas.1999-01-01+json", "application/json"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        br_response res = bt_expect(w,
                                    &(bt_req){"GET", ok[i].path, .atlas = "owner-key",
                                              .hname = {"accept"}, .hvalue = {ok[i].accept}},
                                    200);
        assert_false(res.error);
        assert_string_equal(header(&res, "Content-Type"), ok[i].type);
        br_response_clear(&res);
    }
    static const char *const bad[] = {
        "application/json",
        "application/vnd.atlas.2024",
        "application/vnd.atlas.2022-12-31+json", /* before every cluster version */
        "application/vnd.atlas.2024-13-01+json",
        "application/vnd.atlas.2024-00-10+json",
        "application/vnd.atlas.2024-01-00+json",
        "application/vnd.atlas.2024-01-32+json",
        "application/vnd.atlas.2024/01/01+json",
        "application/vnd.atlas.2024-0a-01+json",
        "application/vnd.atlas.20x4-01-01+json",
        "application/vnd.atlas.2024-08-05+xml",
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ma_refused(w,
                   &(bt_req){"GET", V2 GP "/clusters/M2A", .atlas = "owner-key",
                             .hname = {"Accept"}, .hvalue = {bad[i]}},
                   406, "INVALID_VERSION_DATE", "Invalid accept header or version date.");
    /* the tenant resource has only 2023-01-01 */
    ma_refused(w,
               &(bt_req){"GET", V2 TENANT(GP, "M2A") "/snapshots", .atlas = "owner-key",
                         .hname = {"Accept"}, .hvalue = {"application/vnd.atlas.2022-12-31+json"}},
               406, "INVALID_VERSION_DATE", NULL);
    ma_refused(w, &(bt_req){"GET", V2 TENANT(GP, "M2A") "/snapshots", .atlas = "owner-key"}, 406,
               "INVALID_VERSION_DATE", NULL);
    br_world_free(w);
}

static void paging_edges(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    static const struct {
        const char *query, *param;
    } bad[] = {
        {"pageNum=0", "pageNum"},
        {"pageNum=", "pageNum"},
        {"pageNum=1234567890", "pageNum"},
        {"pageNum=-1", "pageNum"},
        {"pageNum=1x", "pageNum"},
        {"itemsPerPage=0", "itemsPerPage"},
        {"itemsPerPage=501", "itemsPerPage"},
        {"itemsPerPage=abc", "itemsPerPage"},
        {"includeCount=yes", "includeCount"},
        {"includeCount=", "includeCount"},
    };
    static const char *const lists[] = {LIST, V1 TENANT(GP, "M2A") "/restores"};
    for (size_t l = 0; l < 2; l++)
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
            char path[256];
            snprintf(path, sizeof path, "%s?%s", lists[l], bad[i].query);
            ma_bad(w, &(bt_req){"GET", path, .atlas = "owner-key"}, "INVALID_QUERY_PARAMETER",
                   bad[i].param);
        }
    /* four snapshots of M2A, oldest first; the middle page links both ways */
    json_t *b = ma_ok(w, &(bt_req){"GET", LIST "?pageNum=2&itemsPerPage=1&includeCount=TRUE",
                                   .atlas = "owner-key"});
    assert_int_equal(json_integer_value(json_object_get(b, "totalCount")), 4);
    json_t *results = json_object_get(b, "results");
    assert_int_equal(json_array_size(results), 1);
    assert_string_equal(json_string_value(json_object_get(json_array_get(results, 0), "id")),
                        S_QUEUED);
    json_t *links = json_object_get(b, "links");
    assert_int_equal(json_array_size(links), 3);
    assert_string_equal(json_string_value(json_object_get(json_array_get(links, 1), "rel")),
                        "next");
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(links, 1), "href")),
                           "includeCount=true&pageNum=3&itemsPerPage=1"));
    assert_string_equal(json_string_value(json_object_get(json_array_get(links, 2), "rel")),
                        "previous");
    json_decref(b);
    /* without the count; the last page has no next link */
    b = ma_ok(w, &(bt_req){"GET", LIST "?includeCount=False&pageNum=2&itemsPerPage=3",
                           .atlas = "owner-key"});
    assert_null(json_object_get(b, "totalCount"));
    assert_int_equal(json_array_size(json_object_get(b, "results")), 1);
    links = json_object_get(b, "links");
    assert_int_equal(json_array_size(links), 2);
    assert_non_null(strstr(json_string_value(json_object_get(json_array_get(links, 0), "href")),
                           "includeCount=false&pageNum=2&itemsPerPage=3"));
    json_decref(b);
    /* far past the end: empty, still counted */
    b = ma_ok(w,
              &(bt_req){"GET", LIST "?pageNum=999999999&itemsPerPage=500", .atlas = "owner-key"});
    assert_int_equal(json_array_size(json_object_get(b, "results")), 0);
    assert_int_equal(json_integer_value(json_object_get(b, "totalCount")), 4);
    json_decref(b);
    br_world_free(w);
}

#define ONE(id) LIST "/" id

/* Snapshots: another cluster's is not found, a loaded snapshot keeps its given form, and an
 * expired one is gone; the daily snapshots expire 8 days after they were taken. */
static void snapshot_reads_and_expiry(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    ma_refused(w, &(bt_req){"GET", ONE(S_M5), .atlas = "owner-key"}, 404,
               "TENANT_SNAPSHOT_NOT_FOUND",
               "No M2/M5 snapshot with ID " S_M5 " exists for cluster M2A");
    ma_refused(w, &(bt_req){"GET", ONE("5CED491CE7A2E10517C81FA1"), .atlas = "owner-key"}, 404,
               "TENANT_SNAPSHOT_NOT_FOUND", NULL);
    ma_refused(w,
               &(bt_req){"GET", V1 "B0123456789ABCDEF012345B/clusters/M2A", .atlas = "owner-key"},
               404, "INVALID_GROUP_ID", "An invalid group ID");
    ma_refused(w, &(bt_req){"GET", V1 GZ "/clusters/M2A", .atlas = "owner-key"}, 404,
               "GROUP_NOT_FOUND", "No group with ID " GZ " exists.");
    /* no version given: none shown; a queued snapshot has no start time */
    json_t *b = ma_ok(w, &(bt_req){"GET", ONE(S_NOVER), .atlas = "owner-key"});
    assert_null(json_object_get(b, "mongoDBVersion"));
    assert_string_equal(json_string_value(json_object_get(b, "status")), "COMPLETED");
    json_decref(b);
    b = ma_ok(w, &(bt_req){"GET", ONE(S_QUEUED), .atlas = "owner-key"});
    assert_string_equal(json_string_value(json_object_get(b, "status")), "QUEUED");
    assert_null(json_object_get(b, "startTime"));
    assert_null(json_object_get(b, "finishTime"));
    assert_string_equal(json_string_value(json_object_get(b, "mongoDBVersion")), "7.0.0");
    json_decref(b);
    json_t *v = bt_dump_at(w, "backups/" S_NOVER);
    assert_non_null(v);
    json_decref(v);
    /* 2024-09-02T11:59:59Z: still there; a second later gone */
    assert_int_equal(br_world_advance(w, 7 * 86400 + 12 * 3600 - 1), BR_OK);
    b = ma_ok(w, &(bt_req){"GET", ONE(S_OK), .atlas = "owner-key"});
    assert_string_equal(json_string_value(json_object_get(b, "expiration")),
                        "2024-09-02T12:00:00Z");
    json_decref(b);
    b = ma_ok(w, &(bt_req){"GET", LIST "?itemsPerPage=500", .atlas = "owner-key"});
    size_t listed = json_array_size(json_object_get(b, "results"));
    json_decref(b);
    /* 2024-09-02T12:00:00Z: the expiry and the day's snapshot fall on the same second */
    assert_int_equal(br_world_advance(w, 1), BR_OK);
    ma_refused(w, &(bt_req){"GET", ONE(S_OK), .atlas = "owner-key"}, 404,
               "TENANT_SNAPSHOT_NOT_FOUND", NULL);
    b = ma_ok(w, &(bt_req){"GET", LIST "?itemsPerPage=500", .atlas = "owner-key"});
    json_t *all = json_object_get(b, "results");
    assert_int_equal(json_array_size(all), listed);
    for (size_t k = 0; k < json_array_size(all); k++)
        assert_string_not_equal(json_string_value(json_object_get(json_array_get(all, k), "id")),
                                S_OK);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(all, listed - 1), "scheduledTime")),
        "2024-09-02T12:00:00Z");
    json_decref(b);
    /* eight days later (2024-09-10T12:00:00Z): the loaded snapshots without an expiration
     * stay, the daily ones up to 2024-09-02 are gone, that day's expiring with the new one
     * being taken */
    assert_int_equal(br_world_advance(w, 8 * 86400), BR_OK);
    b = ma_ok(w, &(bt_req){"GET", LIST "?itemsPerPage=500", .atlas = "owner-key"});
    all = json_object_get(b, "results");
    assert_int_equal(json_array_size(all), 3 + 8);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 0), "id")), S_QUEUED);
    assert_string_equal(json_string_value(json_object_get(json_array_get(all, 3), "scheduledTime")),
                        "2024-09-03T12:00:00Z");
    json_t *last = json_array_get(all, 10);
    assert_string_equal(json_string_value(json_object_get(last, "scheduledTime")),
                        "2024-09-10T12:00:00Z");
    assert_string_equal(json_string_value(json_object_get(last, "status")), "PENDING");
    json_decref(b);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
}

#define RESTORE V1 TENANT(GP, "M2A") "/restore"
#define DOWNLOAD V1 TENANT(GP, "M2A") "/download"
#define TGT(name) "'targetDeploymentItemName':'" name "','targetProjectId':'" GP "'"

/* Every member of the TenantRestore body with the wrong JSON type, unknown enum values and
 * unknown attributes, on both routes and both API versions. */
static void body_member_refusals(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    static const struct {
        const char *body, *code, *param;
    } bad[] = {
        {"{'snapshotId':5}", "INVALID_JSON_ATTRIBUTE", "snapshotId"},
        {"{'snapshotId':'" S_OK "','targetDeploymentItemName':true}", "INVALID_JSON_ATTRIBUTE",
         "targetDeploymentItemName"},
        {"{'snapshotId':'" S_OK "','targetProjectId':[]}", "INVALID_JSON_ATTRIBUTE",
         "targetProjectId"},
        {"{'snapshotId':'" S_OK "','deliveryType':5}", "INVALID_JSON_ATTRIBUTE", "deliveryType"},
        {"{'snapshotId':'" S_OK "','status':{}}", "INVALID_JSON_ATTRIBUTE", "status"},
        {"{'snapshotId':'" S_OK "','deliveryType':'EMAIL'}", "INVALID_ENUM_VALUE", "EMAIL"},
        {"{'snapshotId':'" S_OK "','status':'DONE'}", "INVALID_ENUM_VALUE", "DONE"},
        {"{'snapshotId':'" S_OK "','mode':'fast'}", "INVALID_ATTRIBUTE", "mode"},
        {"{'snapshotId':null}", "MISSING_ATTRIBUTE", "snapshotId"},
        {"{}", "MISSING_ATTRIBUTE", "snapshotId"},
        {"{'snapshotId':'not-an-object-id'," TGT("R40T") "}", "INVALID_ATTRIBUTE", "snapshotId"},
    };
    static const char *const routes[] = {RESTORE, DOWNLOAD, V2 TENANT(GP, "M2A") "/restore",
                                         V2 TENANT(GP, "M2A") "/download"};
    for (size_t r = 0; r < 4; r++)
        for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
            ma_bad(w,
                   &(bt_req){"POST", routes[r], .atlas = "owner-key", .body = bad[i].body,
                             .hname = {"Accept"},
                             .hvalue = {"application/vnd.atlas.2023-01-01+json"}},
                   bad[i].code, bad[i].param);
    /* the restore's own members */
    static const struct {
        const char *body, *code, *param;
    } restore_bad[] = {
        {"{'snapshotId':'" S_OK "','targetProjectId':'" GP "'}", "MISSING_ATTRIBUTE",
         "targetDeploymentItemName"},
        {"{'snapshotId':'" S_OK "','targetDeploymentItemName':'R40T'}", "MISSING_ATTRIBUTE",
         "targetProjectId"},
        {"{'snapshotId':'" S_OK "'," TGT("") "}", "INVALID_ATTRIBUTE", "targetDeploymentItemName"},
        {"{'snapshotId':'" S_OK "'," TGT("a b") "}", "INVALID_ATTRIBUTE",
         "targetDeploymentItemName"},
        {"{'snapshotId':'" S_OK "'," TGT("a/b") "}", "INVALID_ATTRIBUTE",
         "targetDeploymentItemName"},
        {"{'snapshotId':'" S_OK "'," TGT("@L") "}", "INVALID_ATTRIBUTE",
         "targetDeploymentItemName"},
        {"{'snapshotId':'" S_OK "','targetDeploymentItemName':'R40T','targetProjectId':'prod'}",
         "INVALID_ATTRIBUTE", "targetProjectId"},
    };
    for (size_t i = 0; i < sizeof restore_bad / sizeof *restore_bad; i++)
        ma_bad(w, &(bt_req){"POST", RESTORE, .atlas = "owner-key", .body = restore_bad[i].body},
               restore_bad[i].code, restore_bad[i].param);
    /* not an object, not JSON */
    ma_refused(w, &(bt_req){"POST", RESTORE, .atlas = "owner-key", .raw = "[1]"}, 400,
               "INVALID_JSON", "Received JSON does not match expected format.");
    ma_refused(w, &(bt_req){"POST", DOWNLOAD, .atlas = "owner-key", .raw = "{\"snapshotId\":"}, 400,
               "MALFORMED_JSON", "Received JSON is malformed.");
    /* read-only members are taken and ignored; valid enum values pass; a download ignores
     * the target members' form */
    json_t *b = ma_ok(w, &(bt_req){"POST", DOWNLOAD, .atlas = "owner-key",
                                   .body = "{'snapshotId':'" S_OK "','deliveryType':'DOWNLOAD',"
                                           "'status':'COMPLETED','id':5,'links':[],"
                                           "'targetDeploymentItemName':'a b','targetProjectId':"
                                           "'prod','snapshotFinishedDate':null}"});
    assert_string_equal(json_string_value(json_object_get(b, "deliveryType")), "DOWNLOAD");
    assert_string_equal(json_string_value(json_object_get(b, "targetDeploymentItemName")), "M2A");
    assert_string_equal(json_string_value(json_object_get(b, "targetProjectId")), GP);
    json_decref(b);
    br_world_free(w);
}

/* Restore refusals found after the body: the snapshot, the target group and cluster, the
 * target's tier and version; and targets the rules let through. */
static void restore_target_forms(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    static const struct {
        const char *body;
        int status;
        const char *code, *words;
    } bad[] = {
        {"{'snapshotId':'" S_QUEUED "'," TGT("R40T") "}", 409,
         "CANNOT_START_RESTORE_JOB_FOR_INCOMPLETE_CLUSTER_SNAPSHOT", "incomplete cluster snapshot"},
        {"{'snapshotId':'" S_FAILED "'," TGT("R40T") "}", 409,
         "CANNOT_START_RESTORE_JOB_FOR_INCOMPLETE_CLUSTER_SNAPSHOT", NULL},
        {"{'snapshotId':'" S_M5 "'," TGT("R40T") "}", 404, "TENANT_SNAPSHOT_NOT_FOUND",
         "for cluster M2A"},
        {"{'snapshotId':'" S_OK "'," TGT("Z\xc3\xbcrich") "}", 404, "CLUSTER_NOT_FOUND",
         "No cluster named Z\xc3\xbcrich exists in group " GP},
        {"{'snapshotId':'" S_OK "'," TGT("x(y),z:a&b@c+d") "}", 404, "CLUSTER_NOT_FOUND", NULL},
        {"{'snapshotId':'" S_OK "','targetDeploymentItemName':'R40T','targetProjectId':'" GZ "'}",
         404, "GROUP_NOT_FOUND", NULL},
        {"{'snapshotId':'" S_OK "','targetDeploymentItemName':'L1','targetProjectId':'" GL "'}",
         404, "GROUP_NOT_FOUND", NULL},
        {"{'snapshotId':'" S_OK "'," TGT("Old") "}", 400, "TENANT_RESTORE_VERSION_MISMATCH",
         "mismatched versions"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        ma_refused(w, &(bt_req){"POST", RESTORE, .atlas = "owner-key", .body = bad[i].body},
                   bad[i].status, bad[i].code, bad[i].words);
    ma_refused(
        w,
        &(bt_req){"POST", DOWNLOAD, .atlas = "owner-key", .body = "{'snapshotId':'" S_QUEUED "'}"},
        409, "CANNOT_DOWNLOAD_INCOMPLETE_SNAPSHOT", "Cannot download incomplete");
    /* a snapshot without a version is restored into any major; an R40 tier is M2 or larger;
     * v2 defaults the target group to the path's */
    json_t *b = ma_ok(w, &(bt_req){"POST", RESTORE, .atlas = "owner-key",
                                   .body = "{'snapshotId':'" S_NOVER "'," TGT("Old") "}"});
    assert_string_equal(json_string_value(json_object_get(b, "status")), "PENDING");
    json_decref(b);
    b = ma_ok(w,
              &(bt_req){"POST", V2 TENANT(GP, "M2A") "/restore", .atlas = "owner-key",
                        .body = "{'snapshotId':'" S_OK "','targetDeploymentItemName':'R40T'}",
                        .hname = {"Accept"}, .hvalue = {"application/vnd.atlas.2023-01-01+json"}});
    assert_string_equal(json_string_value(json_object_get(b, "targetProjectId")), GP);
    json_decref(b);
    ma_refused(w,
               &(bt_req){"POST", RESTORE, .atlas = "owner-key",
                         .body = "{'snapshotId':'" S_OK "'," TGT("R40T") "}"},
               409, "ATLAS_CLUSTER_RESTORE_IN_PROGRESS", "Cluster restore already in progress.");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    json_t *v = bt_dump_at(w, "clusters/5cee4c83e7a2e10d2ad30004/databases/n/unversioned/version");
    assert_int_equal(json_integer_value(v), 1);
    json_decref(v);
    v = bt_dump_at(w, "clusters/5cee4c83e7a2e10d2ad30003/databases/keep");
    assert_null(v);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
}

/* The job's status through the restore read. */
static void assert_restore(br_world *w, const char *id, const char *status)
{
    char path[256];
    snprintf(path, sizeof path, "%s/restores/%s", V1 TENANT(GP, "M2A"), id);
    json_t *b = ma_ok(w, &(bt_req){"GET", path, .atlas = "owner-key"});
    assert_string_equal(json_string_value(json_object_get(b, "status")), status);
    json_decref(b);
}

static char *post_job(br_world *w, const char *path, const char *body)
{
    json_t *b = ma_ok(w, &(bt_req){"POST", path, .atlas = "owner-key", .body = body});
    char *id = strdup(json_string_value(json_object_get(b, "id")));
    json_decref(b);
    return id;
}

/* Jobs whose target goes away, downloads and their link, reads of another cluster's job. */
static void restore_and_download_jobs(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    /* the target is dropped before the restore starts: it fails */
    char *early = post_job(w, RESTORE, "{'snapshotId':'" S_OK "'," TGT("R40T") "}");
    assert_int_equal(br_world_drop_cluster(w, "5cee4c83e7a2e10d2ad30003"), BR_OK);
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_restore(w, early, "FAILED");
    /* dropped while it runs: it fails at completion, writing nothing */
    char *late = post_job(w, RESTORE, "{'snapshotId':'" S_NOVER "'," TGT("Old") "}");
    assert_int_equal(br_world_advance(w, 60), BR_OK);
    assert_restore(w, late, "RUNNING");
    assert_int_equal(br_world_drop_cluster(w, "5cee4c83e7a2e10d2ad30004"), BR_OK);
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_restore(w, late, "FAILED"); /* nothing was restored (INV-CONTENT) */
    json_t *v = bt_dump_at(w, "clusters/5cee4c83e7a2e10d2ad30004/databases/n");
    assert_null(v);
    /* a download: a link once completed, for four hours after it was asked for */
    char *dl = post_job(w, DOWNLOAD, "{'snapshotId':'" S_OK "'}");
    char path[256];
    snprintf(path, sizeof path, "%s/restores/%s", V1 TENANT(GP, "M2A"), dl);
    json_t *b = ma_ok(w, &(bt_req){"GET", path, .atlas = "owner-key"});
    assert_null(json_object_get(b, "snapshotUrl"));
    assert_null(json_object_get(b, "restoreFinishedDate"));
    json_decref(b);
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    b = ma_ok(w, &(bt_req){"GET", path, .atlas = "owner-key"});
    assert_string_equal(json_string_value(json_object_get(b, "status")), "COMPLETED");
    assert_non_null(strstr(json_string_value(json_object_get(b, "snapshotUrl")), dl));
    assert_non_null(json_object_get(b, "restoreFinishedDate"));
    json_decref(b);
    assert_int_equal(br_world_advance(w, 3 * 3600), BR_OK);
    b = ma_ok(w, &(bt_req){"GET", path, .atlas = "owner-key"});
    assert_null(json_object_get(b, "snapshotUrl"));
    json_decref(b);
    /* another cluster's job, a malformed id, an unknown one */
    char other[256];
    snprintf(other, sizeof other, "%s/restores/%s", V1 TENANT(GP, "M5B"), dl);
    ma_refused(w, &(bt_req){"GET", other, .atlas = "owner-key"}, 404, "TENANT_RESTORE_NOT_FOUND",
               "exists for cluster M5B");
    ma_refused(w, &(bt_req){"GET", V1 TENANT(GP, "M2A") "/restores/nothex", .atlas = "owner-key"},
               404, "TENANT_RESTORE_NOT_FOUND", "No M2/M5 restore with ID nothex");
    /* the list, newest first, cached and after a change */
    b = ma_ok(
        w, &(bt_req){"GET", V1 TENANT(GP, "M2A") "/restores?itemsPerPage=2", .atlas = "owner-key"});
    assert_int_equal(json_integer_value(json_object_get(b, "totalCount")), 3);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(b, "results"), 0), "id")),
        dl);
    json_decref(b);
    b = ma_ok(w, &(bt_req){"GET", V1 TENANT(GP, "M2A") "/restores?pageNum=2&itemsPerPage=2",
                           .atlas = "owner-key"});
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(b, "results"), 0), "id")),
        early);
    json_decref(b);
    free(early);
    free(late);
    free(dl);
    assert_int_equal(br_world_check(w, NULL, NULL, 0), 0);
    br_world_free(w);
}

/* The MA-WIPE mutant lays the snapshot over the target: the target's own data survives. */
static void wipe_mutant_merges(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    br_world_set_mutant(w, br_rule_from_id("MA-WIPE"));
    char *id = post_job(w, RESTORE, "{'snapshotId':'" S_OK "'," TGT("R40T") "}");
    assert_int_equal(br_world_advance(w, 3600), BR_OK);
    assert_restore(w, id, "COMPLETED");
    json_t *v = bt_dump_at(w, "clusters/5cee4c83e7a2e10d2ad30003/databases/keep/k/version");
    assert_int_equal(json_integer_value(v), 1);
    json_decref(v);
    v = bt_dump_at(w, "clusters/5cee4c83e7a2e10d2ad30003/databases/shop/orders/version");
    assert_int_equal(json_integer_value(v), 3);
    json_decref(v);
    free(id);
    br_world_free(w);
}

static void envelope_and_pretty(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    static const struct {
        const char *query;
        bool pretty, envelope;
    } flags[] = {
        {"pretty=true", true, false},     {"pretty=TRUE&envelope=True", true, true},
        {"pretty=yes", false, false},     {"pretty", false, false},
        {"prettyx=true", false, false},   {"pretty=fals", false, false},
        {"a&envelope=true", false, true}, {"envelope=truex&pretty=true", true, false},
        {"envelope=", false, false},
    };
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++) {
        char path[256];
        snprintf(path, sizeof path, "%s?%s", ONE(S_OK), flags[i].query);
        br_response res = bt_expect(w, &(bt_req){"GET", path, .atlas = "owner-key"}, 200);
        assert_int_equal(res.pretty, flags[i].pretty);
        json_t *content = flags[i].envelope ? json_object_get(res.body, "content") : res.body;
        assert_string_equal(json_string_value(json_object_get(content, "id")), S_OK);
        if (flags[i].envelope)
            assert_int_equal(json_integer_value(json_object_get(res.body, "status")), 200);
        else
            assert_null(json_object_get(res.body, "content"));
        br_response_clear(&res);
    }
    /* refusals are wrapped with HTTP 200 and still change nothing: the gate's, paging's */
    static const struct {
        const char *path, *key;
        int status;
        const char *code;
    } wrapped[] = {
        {V2 TENANT(GP, "M2A") "/snapshots?envelope=true", "owner-key", 406, "INVALID_VERSION_DATE"},
        {LIST "?envelope=true&pageNum=0", "owner-key", 400, "INVALID_QUERY_PARAMETER"},
        {LLIST "?envelope=true&pretty=true", "listed-key", 403, "IP_ADDRESS_NOT_ON_ACCESS_LIST"},
    };
    for (size_t i = 0; i < sizeof wrapped / sizeof *wrapped; i++) {
        uint64_t before = br_world_digest(w);
        br_response res =
            bt_expect(w, &(bt_req){"GET", wrapped[i].path, .atlas = wrapped[i].key}, 200);
        assert_true(res.error);
        assert_int_equal(json_integer_value(json_object_get(res.body, "status")),
                         wrapped[i].status);
        assert_ma_error(json_object_get(res.body, "content"), wrapped[i].status, wrapped[i].code,
                        NULL);
        assert_true(br_world_digest(w) == before);
        br_response_clear(&res);
    }
    /* a v2 list in an envelope keeps its own object and the version's Content-Type */
    br_response res = bt_expect(w,
                                &(bt_req){"GET", V2 TENANT(GP, "M2A") "/restores?envelope=true",
                                          .atlas = "owner-key", .hname = {"Accept"},
                                          .hvalue = {"application/vnd.atlas.2023-01-01+json"}},
                                200);
    assert_int_equal(json_integer_value(json_object_get(res.body, "status")), 200);
    assert_int_equal(json_integer_value(json_object_get(res.body, "totalCount")), 0);
    assert_string_equal(header(&res, "Content-Type"),
                        "application/vnd.atlas.2023-01-01+json;charset=utf-8");
    br_response_clear(&res);
    br_world_free(w);
}

/* The cluster read of tiers that are not shared, providers not given, states not IDLE. */
static void cluster_read_forms(void **s)
{
    (void)s;
    br_world *w = bt_world(world_text);
    json_t *b = ma_ok(w, &(bt_req){"GET", V1 GP "/clusters/R40T", .atlas = "owner-key"});
    json_t *ps = json_object_get(b, "providerSettings");
    assert_string_equal(json_string_value(json_object_get(ps, "providerName")), "AZURE");
    assert_null(json_object_get(ps, "backingProviderName"));
    assert_string_equal(json_string_value(json_object_get(ps, "instanceSizeName")), "R40");
    json_decref(b);
    b = ma_ok(w, &(bt_req){"GET", V1 GP "/clusters/Flex", .atlas = "owner-key"});
    ps = json_object_get(b, "providerSettings");
    assert_string_equal(json_string_value(json_object_get(ps, "providerName")), "AWS");
    assert_null(json_object_get(ps, "backingProviderName"));
    assert_null(json_object_get(ps, "regionName"));
    assert_string_equal(json_string_value(json_object_get(b, "stateName")), "UPDATING");
    assert_string_equal(json_string_value(json_object_get(b, "mongoDBMajorVersion")), "8.0");
    json_decref(b);
    b = ma_ok(w, &(bt_req){"GET", V2 GP "/clusters/M5B", .atlas = "owner-key", .hname = {"Accept"},
                           .hvalue = {"application/vnd.atlas.2024-08-05+json"}});
    json_t *rc = json_array_get(
        json_object_get(json_array_get(json_object_get(b, "replicationSpecs"), 0), "regionConfigs"),
        0);
    assert_string_equal(json_string_value(json_object_get(rc, "providerName")), "TENANT");
    assert_string_equal(json_string_value(json_object_get(rc, "backingProviderName")), "GCP");
    json_decref(b);
    /* a Flex target has no M-size: not refused for its tier, but for its major version */
    ma_refused(w,
               &(bt_req){"POST", RESTORE, .atlas = "owner-key",
                         .body = "{'snapshotId':'" S_OK "'," TGT("Flex") "}"},
               400, "TENANT_RESTORE_VERSION_MISMATCH", NULL);
    br_world_free(w);
}

/* The world section "snapshots" and Atlas entries of "backups". */
static void snapshot_section_forms(void **s)
{
    (void)s;
#define ORG                                                                                        \
    "'orgs':[{'id':'o','vendor':'atlas','projects':[{'id':'" GP "'}]}],'clusters':[{'id':'c',"     \
    "'project':'" GP "','plan':'M2'}]"
    bt_world_refused("{" ORG ",'snapshots':{}}", "\"snapshots\" is an array");
    bt_world_refused("{" ORG ",'snapshots':[{'id':'" S_OK "','cluster':'c','startTime':5}]}",
                     "times are RFC 3339");
    bt_world_refused("{" ORG ",'snapshots':[{'id':'" S_OK "','cluster':'c','expiration':'x'}]}",
                     "times are RFC 3339");
    bt_world_refused("{" ORG ",'snapshots':[{'id':'" S_OK "','cluster':'c','databases':[{"
                     "'name':'d','collections':[{'version':2}]}]}]}",
                     "databases are [{name, collections");
    /* a generic backup of an Atlas cluster keeps its given version, or gets the cluster's */
    br_world *w = bt_world("{" ORG ",'keys':[{'key':'k','org':'o','roles':['ORG_OWNER']}],"
                           "'backups':[{'id':'" S_OK "','cluster':'c','mongoDBVersion':'6.0.3'},"
                           "{'id':'" S_M5 "','cluster':'c'}]}");
    json_t *b = ma_ok(w, &(bt_req){"GET", V1 TENANT(GP, "c") "/snapshots/" S_OK, .atlas = "k"});
    assert_string_equal(json_string_value(json_object_get(b, "mongoDBVersion")), "6.0.3");
    json_decref(b);
    b = ma_ok(w, &(bt_req){"GET", V1 TENANT(GP, "c") "/snapshots/" S_M5, .atlas = "k"});
    assert_string_equal(json_string_value(json_object_get(b, "mongoDBVersion")), "7.0.0");
    json_decref(b);
    br_world_free(w);
#undef ORG
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(digest_header_forms),       cmocka_unit_test(access_list_edges),
        cmocka_unit_test(accept_header_forms),       cmocka_unit_test(paging_edges),
        cmocka_unit_test(snapshot_reads_and_expiry), cmocka_unit_test(body_member_refusals),
        cmocka_unit_test(restore_target_forms),      cmocka_unit_test(restore_and_download_jobs),
        cmocka_unit_test(wipe_mutant_merges),        cmocka_unit_test(envelope_and_pretty),
        cmocka_unit_test(cluster_read_forms),        cmocka_unit_test(snapshot_section_forms),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
