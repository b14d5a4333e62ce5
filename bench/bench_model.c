/* Benchmark: JSON requests per second through the in-process model for a realistic Zilliz
 * mix, beside a floor measured in the same run (jansson parse + build + dump of the same
 * bodies), as a ratio; and typed job transitions per second. Prints figures, asserts none. */
#include "process.h"
#include "brcheck/model.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int by_value(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static const char world_json[] =
    "{\"seed\":9,\"orgs\":[{\"id\":\"org-1\",\"vendor\":\"zilliz\",\"projects\":[{\"id\":\"proj-"
    "1\"},{\"id\":\"proj-2\"}]}],"
    "\"keys\":[{\"key\":\"owner\",\"org\":\"org-1\",\"roles\":[\"ORG_OWNER\"]}],"
    "\"clusters\":[{\"id\":\"in01-a\",\"name\":\"A\",\"project\":\"proj-1\",\"plan\":\"Standard\","
    "\"region\":\"aws-us-west-2\",\"cuType\":\"Performance-optimized\",\"cuSize\":2,"
    "\"databases\":[{\"name\":\"default\",\"collections\":[{\"name\":\"c1\"},{\"name\":\"c2\"}]}]},"
    "{\"id\":\"in01-b\",\"name\":\"B\",\"project\":\"proj-2\",\"plan\":\"Standard\","
    "\"region\":\"aws-us-west-2\",\"cuType\":\"Performance-optimized\",\"cuSize\":1,"
    "\"databases\":[{\"name\":\"default\",\"collections\":[{\"name\":\"x\"}]}]},"
    "{\"id\":\"in01-f\",\"name\":\"F\",\"project\":\"proj-1\",\"plan\":\"Free\",\"region\":\"aws-"
    "us-west-2\"}],"
    "\"backups\":[{\"id\":\"backup1_a\",\"cluster\":\"in01-a\"},"
    "{\"id\":\"backup2_b\",\"cluster\":\"in01-a\",\"type\":\"COLLECTION\",\"collections\":[\"c1\"]}"
    ","
    "{\"id\":\"backup3_c\",\"cluster\":\"in01-a\",\"method\":\"AUTO\",\"expireTime\":\"2030-01-"
    "01T00:00:00Z\"}]}";

static const char *const mix[][3] = {
    {"GET", "/v2/backups", "pageSize=10&currentPage=1"},
    {"GET", "/v2/clusters/in01-a/backups/backup1_a", NULL},
    {"GET", "/v2/backups", "clusterId=in01-a&creationMethod=MANUAL"},
    {"POST", "/v2/clusters/in01-a/backups/create", "{\"backupType\":\"CLUSTER\"}"},
    {"GET", "/v2/clusters/in01-a/backups/policy", NULL},
    {"POST", "/v2/clusters/in01-a/backups/backup2_b/restoreCollection",
     "{\"destClusterId\":\"in01-b\",\"dbCollections\":[{\"collections\":[{\"collectionName\":"
     "\"c1\","
     "\"destCollectionName\":\"x\"}]}]}"},
    {"POST", "/v2/clusters/in01-f/backups/create", "{\"backupType\":\"CLUSTER\"}"},
    {"GET", "/v2/clusters/in01-a", NULL},
    {"POST", "/v2/clusters/in01-a/backups/backup1_a/restoreCluster",
     "{\"projectId\":\"proj-1\",\"clusterName\":\"A\",\"cuSize\":1}"},
    {"GET", "/v2/clusters/in01-a/backups/backup3_c", NULL},
};
#define MIX (sizeof mix / sizeof *mix)

/* A vendor mix taken from recorded fixtures: each fixture's world and its request steps
 * (those without captures), replayed round after round, each round on a fresh copy of the
 * fixture's world (made outside the timing), so that the model gives the recorded answers
 * the floor works on rather than answers over piled-up jobs. Prints model and floor rates. */
typedef struct {
    br_world *w;
    json_t *given;
    br_request req[32];
    br_header hdr[32][4];
    char *text[32][3]; /* path, body, auth (owned) */
    char *answer[32];
    size_t n;
} fixture_mix;

static void mix_load(fixture_mix *m, const char *file, bool atlas)
{
    memset(m, 0, sizeof *m);
    json_t *fx = json_load_file(file, 0, NULL);
    if (!fx) {
        fprintf(stderr, "bench: cannot read %s\n", file);
        exit(2);
    }
    m->given = json_incref(json_object_get(fx, "given"));
    m->w = br_world_new(m->given, NULL, 0);
    size_t i;
    json_t *st;
    json_array_foreach(json_object_get(fx, "steps"), i, st)
    {
        json_t *r = json_object_get(st, "request");
        char *text = r ? json_dumps(r, JSON_COMPACT) : NULL;
        bool usable = r && m->n < 32 && !strstr(text, "${");
        free(text);
        if (!usable) continue;
        size_t k = m->n++;
        m->text[k][0] = strdup(json_string_value(json_object_get(r, "path")));
        char *q = strchr(m->text[k][0], '?');
        if (q) *q++ = '\0';
        json_t *body = json_object_get(r, "body");
        m->text[k][1] = body ? json_dumps(body, JSON_COMPACT) : NULL;
        const char *key = json_string_value(json_object_get(r, "key"));
        size_t nh = 0;
        const char *hk;
        json_t *hv;
        json_object_foreach(json_object_get(r, "headers"), hk, hv)
        {
            if (nh < 3) m->hdr[k][nh++] = (br_header){strdup(hk), strdup(json_string_value(hv))};
        }
        if (key && !atlas) {
            m->text[k][2] = malloc(strlen(key) + 8);
            sprintf(m->text[k][2], "Bearer %s", key);
            m->hdr[k][nh++] = (br_header){"Authorization", m->text[k][2]};
        }
        m->req[k] = (br_request){.method = strdup(json_string_value(json_object_get(r, "method"))),
                                 .path = m->text[k][0],
                                 .query = q,
                                 .headers = m->hdr[k],
                                 .n_headers = nh,
                                 .body = m->text[k][1],
                                 .body_len = m->text[k][1] ? strlen(m->text[k][1]) : 0,
                                 .caller_ip = "127.0.0.1",
                                 .principal = atlas && key ? strdup(key) : NULL};
        br_response res;
        br_world_handle(m->w, &m->req[k], &res);
        m->answer[k] = br_response_text(&res);
        br_response_clear(&res);
    }
    json_decref(fx);
}

static void vendor_mix(const char *vendor, const char *const files[], size_t n_files, bool atlas,
                       long iters)
{
    double model_s = 0, floor_s = 0;
    size_t sink = 0, requests = 0;
    for (size_t f = 0; f < n_files; f++) {
        fixture_mix m;
        mix_load(&m, files[f], atlas);
        if (m.n == 0) continue;
        double t0 = now_s();
        for (long n = 0; n < iters; n++) {
            const br_request *r = &m.req[n % m.n];
            json_t *in = r->body ? json_loadb(r->body, r->body_len, 0, NULL) : NULL;
            json_t *out = json_loads(m.answer[n % m.n], 0, NULL);
            char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
            sink += text ? strlen(text) : 0;
            free(text);
            json_decref(out);
            json_decref(in);
        }
        floor_s += now_s() - t0;
        br_world_free(m.w);
        enum { BATCH = 64 };
        long rounds = (iters + (long)m.n - 1) / (long)m.n, done = 0;
        for (long r0 = 0; r0 < rounds; r0 += BATCH) {
            br_world *ws[BATCH];
            long nb = rounds - r0 < BATCH ? rounds - r0 : BATCH;
            for (long k = 0; k < nb; k++)
                ws[k] = br_world_new(m.given, NULL, 0);
            t0 = now_s();
            for (long k = 0; k < nb; k++)
                for (size_t q = 0; q < m.n && done < iters; q++, done++) {
                    br_response res;
                    br_world_handle(ws[k], &m.req[q], &res);
                    char *text = br_response_text(&res);
                    sink += strlen(text);
                    free(text);
                    br_response_clear(&res);
                }
            model_s += now_s() - t0;
            for (long k = 0; k < nb; k++)
                br_world_free(ws[k]);
        }
        requests += (size_t)iters;
        json_decref(m.given); /* the rest of the mix is left to the process exit */
    }
    printf("%-9s mix: model %9.0f req/s, floor %9.0f req/s, ratio %.2f (%zu requests, %zu "
           "fixtures)\n",
           vendor, (double)requests / model_s, (double)requests / floor_s, floor_s / model_s,
           requests, n_files);
    if (sink == 0) exit(1);
}

/* Typed transitions at volume: 'clusters' Zilliz clusters each start a manual backup
 * (requests, not timed), then one advance moves every job PENDING -> IN_PROGRESS ->
 * SUCCESSFUL (timed: two transitions a job, with the backups becoming AVAILABLE). */
static void typed_transitions(long clusters)
{
    json_t *list = json_array();
    for (long i = 0; i < clusters; i++) {
        char id[32];
        snprintf(id, sizeof id, "in01-%010ld", i);
        json_array_append_new(list, json_pack("{s:s,s:s,s:s,s:s,s:s,s:i}", "id", id, "name", id,
                                              "project", "proj-1", "plan", "Enterprise", "region",
                                              "aws-us-west-2", "cuSize", 1));
    }
    json_t *given =
        json_pack("{s:[{s:s,s:s,s:[{s:s}]}],s:[{s:s,s:s,s:[s]}],s:o}", "orgs", "id", "org-1",
                  "vendor", "zilliz", "projects", "id", "proj-1", "keys", "key", "owner", "org",
                  "org-1", "roles", "ORG_OWNER", "clusters", list);
    br_world *w = br_world_new(given, NULL, 0);
    json_decref(given);
    if (!w) exit(1);
    br_header auth = {"Authorization", "Bearer owner"};
    const char *body = "{\"backupType\":\"CLUSTER\"}";
    double adv_s = 0;
    long transitions = 0;
    for (int round = 0; round < 5; round++) {
        for (long i = 0; i < clusters; i++) {
            char path[64];
            snprintf(path, sizeof path, "/v2/clusters/in01-%010ld/backups/create", i);
            br_request req = {.method = "POST",
                              .path = path,
                              .headers = &auth,
                              .n_headers = 1,
                              .body = body,
                              .body_len = strlen(body),
                              .caller_ip = "127.0.0.1"};
            br_response res;
            br_world_handle(w, &req, &res);
            if (res.status != 200) exit(1);
            br_response_clear(&res);
        }
        double t0 = now_s();
        br_world_advance(w, 3600);
        adv_s += now_s() - t0;
        transitions += 2 * clusters;
    }
    printf("typed transitions: %ld backup jobs over %ld clusters, %.0f transitions/s (target >= "
           "5M/s)\n",
           transitions / 2, clusters, (double)transitions / adv_s);
    br_world_free(w);
}

int main(int argc, char **argv)
{
    br_process_init();
    long iters = argc > 1 ? atol(argv[1]) : 200000;
    json_t *given = json_loads(world_json, 0, NULL);
    br_world *w = br_world_new(given, NULL, 0);
    json_decref(given);
    br_header auth = {"Authorization", "Bearer owner"};
    br_request reqs[MIX];
    char *answers[MIX];
    for (size_t i = 0; i < MIX; i++) {
        bool has_body = mix[i][0][0] == 'P';
        reqs[i] = (br_request){.method = mix[i][0],
                               .path = mix[i][1],
                               .query = has_body ? NULL : mix[i][2],
                               .headers = &auth,
                               .n_headers = 1,
                               .body = has_body ? mix[i][2] : NULL,
                               .body_len = has_body ? strlen(mix[i][2]) : 0,
                               .caller_ip = "127.0.0.1"};
        br_response res;
        br_world_handle(w, &reqs[i], &res);
        answers[i] = br_response_text(&res);
        br_response_clear(&res);
    }
    /* Floor: parse the request body, build the answer (parse of its text), dump it. */
    double t0 = now_s();
    size_t sink = 0;
    for (long n = 0; n < iters; n++) {
        const br_request *r = &reqs[n % MIX];
        json_t *in = r->body ? json_loadb(r->body, r->body_len, 0, NULL) : NULL;
        json_t *out = json_loads(answers[n % MIX], 0, NULL);
        char *text = json_dumps(out, JSON_COMPACT | JSON_PRESERVE_ORDER);
        sink += strlen(text);
        free(text);
        json_decref(out);
        json_decref(in);
    }
    double floor_s = now_s() - t0;
    t0 = now_s();
    for (long n = 0; n < iters; n++) {
        br_response res;
        br_world_handle(w, &reqs[n % MIX], &res);
        char *text = br_response_text(&res);
        sink += strlen(text);
        free(text);
        br_response_clear(&res);
    }
    double model_s = now_s() - t0;
    double floor_rate = (double)iters / floor_s, model_rate = (double)iters / model_s;
    printf("requests: %ld (Zilliz mix of %zu endpoints)\n", iters, MIX);
    printf("floor  (jansson parse+build+dump): %10.0f req/s\n", floor_rate);
    printf("model  (dispatch+rules+dump):      %10.0f req/s\n", model_rate);
    printf("ratio model/floor: %.2f (target >= 0.75)\n", model_rate / floor_rate);

    /* Typed transitions: one cluster's daily automatic backups, a day at a time (each day a
     * scheduled backup whose job steps PENDING -> IN_PROGRESS -> SUCCESSFUL, and an expiry).
     * One run takes milliseconds, so a slow moment of a shared machine moves it a lot: 11
     * runs on fresh worlds, the median (and the spread) printed. A world reuses the memory the
     * one before it freed (br_process_init, as in brcheck itself); the first run's figure,
     * which pays a page fault for every page its arrays grow into, is printed apart. */
    br_world_free(w);
    long days = argc > 2 ? atol(argv[2]) : 2000;
    enum { RUNS = 11 };
    double rates[RUNS];
    for (int run = 0; run < RUNS; run++) {
        given = json_loads(world_json, 0, NULL);
        w = br_world_new(given, NULL, 0);
        json_decref(given);
        br_request policy = reqs[0];
        policy.method = "POST";
        policy.path = "/v2/clusters/in01-a/backups/policy";
        policy.query = NULL;
        policy.body = "{\"enabled\":true,\"retentionDays\":30,\"frequency\":\"1,2,3,4,5,6,7\"}";
        policy.body_len = strlen(policy.body);
        br_response res;
        br_world_handle(w, &policy, &res);
        br_response_clear(&res);
        t0 = now_s();
        for (long d = 0; d < days; d++)
            br_world_advance(w, 86400);
        rates[run] = (double)(days * 3) / (now_s() - t0);
        br_world_free(w);
    }
    double first = rates[0];
    qsort(rates, RUNS, sizeof *rates, by_value);
    printf("typed transitions: %ld days of daily automatic backups, median of %d runs, %.0f "
           "transitions/s (job steps + expiries; runs from %.0f to %.0f; the first, on pages "
           "the process had not touched yet, %.0f/s)\n",
           days, RUNS, rates[RUNS / 2], rates[0], rates[RUNS - 1], first);
    for (size_t i = 0; i < MIX; i++)
        free(answers[i]);
    typed_transitions(argc > 3 ? atol(argv[3]) : 20000);

    static const char *const crdb[] = {
        BR_SOURCE_DIR "/fixtures/cockroach/cc-list-backups-paging.json",
        BR_SOURCE_DIR "/fixtures/cockroach/cc-seed-003-restore-databases.json",
        BR_SOURCE_DIR "/fixtures/cockroach/cc-backup-config.json"};
    static const char *const atlas[] = {
        BR_SOURCE_DIR "/fixtures/atlas/ma-paging-pages-and-links.json",
        BR_SOURCE_DIR "/fixtures/atlas/ma-v2-restore-and-download.json",
        BR_SOURCE_DIR "/fixtures/atlas/ma-seed-004-create-restore-job.json"};
    vendor_mix("cockroach", crdb, 3, false, iters / 30);
    vendor_mix("atlas", atlas, 3, true, iters / 30);
    return sink == 0;
}
