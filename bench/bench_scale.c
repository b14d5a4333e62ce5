/* Benchmark: the model at scale (docs/performance.md: 1M backups in one world). For
 * worlds of 1k, 100k and 1M backups of one cluster, per vendor: model memory per backup
 * (heap in use, measured with mallinfo2 around br_world_new, the world description freed)
 * and the time of a list page (first page and a middle page) through br_world_handle, and
 * the ratio of the page time at the largest size to the smallest (target <= 2). Prints
 * figures, asserts none. Usage: bench_scale [max backups (default 1000000)]. */
#include "process.h"
#include "brcheck/model.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

#define CLOCK 1724630400 /* 2024-08-26T00:00:00Z */

static void fmt_time(long long t, char out[32])
{
    time_t tt = (time_t)t;
    struct tm tm;
    gmtime_r(&tt, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The id and creation time of backup i of n: one every 2 s, the newest a minute before the
 * clock (CockroachDB keeps them 30 days; 1M backups span 23 days). */
static void backup_id(br_vendor v, long i, char out[48])
{
    if (v == BR_VENDOR_ATLAS)
        snprintf(out, 48, "%024lx", (unsigned long)i + 1);
    else if (v == BR_VENDOR_CRDB)
        snprintf(out, 48, "00000000-0000-4000-8000-%012lx", (unsigned long)i);
    else
        snprintf(out, 48, "backup%ld_%015lx", i, (unsigned long)i * 2654435761UL);
}

static long long backup_time(long i, long n)
{
    return CLOCK - 60 - 2LL * (n - 1 - i);
}

static const char *const cluster_id[BR_VENDOR_COUNT] = {
    "in01-scale", "11111111-1111-4111-8111-111111111111", "5cee4c83e7a2e10d2ad30001"};

/* The world description: one organization, project, key and cluster, n backups. */
static json_t *world(br_vendor v, long n)
{
    const char *vendor = br_vendor_name(v);
    json_t *org = json_pack("{s:s,s:s,s:s}", "id", "org-scale", "name", "Scale", "vendor", vendor);
    const char *project = v == BR_VENDOR_ATLAS ? "b0123456789abcdef012345b" : "proj-scale";
    if (v != BR_VENDOR_CRDB)
        json_object_set_new(org, "projects", json_pack("[{s:s,s:s}]", "id", project, "name", "p"));
    json_t *cluster =
        json_pack("{s:s,s:s,s:s,s:[{s:s,s:[{s:s}]}]}", "id", cluster_id[v], "name", "big", "plan",
                  v == BR_VENDOR_ZILLIZ ? "Enterprise"
                  : v == BR_VENDOR_CRDB ? "ADVANCED"
                                        : "M5",
                  "databases", "name", v == BR_VENDOR_ZILLIZ ? "default" : "shop",
                  v == BR_VENDOR_CRDB ? "tables" : "collections", "name", "orders");
    if (v == BR_VENDOR_CRDB)
        json_object_set_new(cluster, "org", json_string("org-scale"));
    else
        json_object_set_new(cluster, "project", json_string(project));
    if (v == BR_VENDOR_ZILLIZ) {
        json_object_set_new(cluster, "region", json_string("aws-us-west-2"));
        json_object_set_new(cluster, "cuType", json_string("Performance-optimized"));
        json_object_set_new(cluster, "cuSize", json_integer(2));
    }
    json_t *backups = json_array();
    for (long i = 0; i < n; i++) {
        char id[48], t[32];
        backup_id(v, i, id);
        fmt_time(backup_time(i, n), t);
        json_array_append_new(backups, json_pack("{s:s,s:s,s:s}", "id", id, "cluster",
                                                 cluster_id[v], "createTime", t));
    }
    char clock[32];
    fmt_time(CLOCK, clock);
    const char *role = v == BR_VENDOR_CRDB ? "CLUSTER_ADMIN" : "ORG_OWNER";
    return json_pack("{s:s,s:[o],s:[{s:s,s:s,s:[s]}],s:[o],s:o}", "clock", clock, "orgs", org,
                     "keys", "key", "owner", "org", "org-scale", "roles", role, "clusters", cluster,
                     "backups", backups);
}

/* Mean time of one list request (seconds) over 'reps' runs; checks the answer is a 200. */
static double list_time(br_world *w, br_vendor v, const char *path, const char *query, int reps)
{
    br_header auth = {"Authorization", "Bearer owner"};
    br_request req = {.method = "GET",
                      .path = path,
                      .query = query,
                      .headers = &auth,
                      .n_headers = v == BR_VENDOR_ATLAS ? 0 : 1,
                      .caller_ip = "127.0.0.1",
                      .principal = v == BR_VENDOR_ATLAS ? "owner" : NULL};
    double t0 = now_s();
    for (int r = 0; r < reps; r++) {
        br_response res;
        if (br_world_handle(w, &req, &res) != BR_OK || res.status != 200) {
            char *text = br_response_text(&res);
            fprintf(stderr, "bench_scale: %s?%s answered %d: %.300s\n", path, query, res.status,
                    text ? text : "");
            free(text);
            exit(1);
        }
        br_response_clear(&res);
    }
    return (now_s() - t0) / reps;
}

/* Bytes allocated from the heap, small blocks and mapped ones. */
static size_t heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return m.uordblks + m.hblkhd;
}

typedef struct {
    double first, middle; /* seconds per page */
} page_times;

/* First and middle page of the vendor's list endpoint, 100 items a page. */
static page_times pages(br_world *w, br_vendor v, long n, double *cold)
{
    char path[160], q1[160], q2[200];
    long mid = n / 2;
    if (v == BR_VENDOR_ZILLIZ) {
        snprintf(path, sizeof path, "/v2/backups");
        snprintf(q1, sizeof q1, "clusterId=%s&pageSize=100&currentPage=1", cluster_id[v]);
        snprintf(q2, sizeof q2, "clusterId=%s&pageSize=100&currentPage=%ld", cluster_id[v],
                 mid / 100 + 1);
    } else if (v == BR_VENDOR_CRDB) {
        char id[48];
        backup_id(v, mid, id);
        snprintf(path, sizeof path, "/api/v1/clusters/%s/backups", cluster_id[v]);
        snprintf(q1, sizeof q1, "pagination.limit=100");
        snprintf(q2, sizeof q2, "pagination.limit=100&pagination.page=%lld.%s", backup_time(mid, n),
                 id);
    } else {
        snprintf(path, sizeof path,
                 "/api/atlas/v1.0/groups/b0123456789abcdef012345b/clusters/big/backup/tenant/"
                 "snapshots");
        snprintf(q1, sizeof q1, "pageNum=1&itemsPerPage=100");
        snprintf(q2, sizeof q2, "pageNum=%ld&itemsPerPage=100", mid / 100 + 1);
    }
    *cold = list_time(w, v, path, q1, 1); /* builds the cached list */
    int reps = 300;
    return (page_times){list_time(w, v, path, q1, reps), list_time(w, v, path, q2, reps)};
}

int main(int argc, char **argv)
{
    br_process_init();
    long max = argc > 1 ? atol(argv[1]) : 1000000;
    long sizes[] = {1000, 100000, 1000000};
    size_t n_sizes = 0;
    while (n_sizes < 3 && sizes[n_sizes] <= max)
        n_sizes++;
    if (n_sizes == 0) sizes[n_sizes++] = max;
    double t_all = now_s();
    printf("%-9s %9s %11s %9s %11s %12s %12s\n", "vendor", "backups", "bytes/bkp", "load s",
           "cold list", "first page", "middle page");
    for (int v = 0; v < BR_VENDOR_COUNT; v++) {
        page_times small = {0, 0}, big = {0, 0};
        for (size_t s = 0; s < n_sizes; s++) {
            long n = sizes[s];
            json_t *given = world((br_vendor)v, n);
            size_t before = heap_in_use();
            double t0 = now_s();
            char err[256] = "";
            br_world *w = br_world_new(given, err, sizeof err);
            double load = now_s() - t0;
            if (!w) {
                fprintf(stderr, "bench_scale: world: %s\n", err);
                return 1;
            }
            size_t after = heap_in_use();
            double cold;
            page_times pt = pages(w, (br_vendor)v, n, &cold);
            size_t with_lists = heap_in_use();
            printf("%-9s %9ld %11.1f %9.2f %9.1fus %10.2fus %10.2fus  (with cached list: %.1f "
                   "B/backup)\n",
                   br_vendor_name((br_vendor)v), n, (double)(after - before) / (double)n, load,
                   cold * 1e6, pt.first * 1e6, pt.middle * 1e6,
                   (double)(with_lists - before) / (double)n);
            if (s == 0) small = pt;
            big = pt;
            br_world_free(w);
            json_decref(given);
        }
        printf("%-9s page time ratio %ld/%ld: first %.2f, middle %.2f (target <= 2)\n",
               br_vendor_name((br_vendor)v), sizes[n_sizes - 1], sizes[0], big.first / small.first,
               big.middle / small.middle);
    }
    printf("total %.1f s\n", now_s() - t_all);
    return 0;
}
