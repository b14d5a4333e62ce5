/* Shared harness pieces: the fixed hash seed, the embedded world, fixture-step requests and
 * the checks every answer gets (status range, INV-ATOMIC, the world's INV-* invariants). */
#include "fuzz.h"

#include "process.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const char br_fuzz_world_text[]; /* generated from fuzz/worlds/all.json */

void br_fuzz_init(void)
{
    static int done;
    if (done) return;
    done = 1;
    json_object_seed(1);
    br_process_init(); /* memory freed at the end of an input stays for the next one */
}

jmp_buf *br_fuzz_fail_jump;

void br_fuzz_fail(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("brcheck-fuzz: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    if (br_fuzz_fail_jump) longjmp(*br_fuzz_fail_jump, 1);
    abort();
}

const json_t *br_fuzz_request_world(void)
{
    static json_t *world;
    if (!world) {
        br_fuzz_init();
        json_error_t err;
        world = json_loads(br_fuzz_world_text, 0, &err);
        if (!world) br_fuzz_fail("embedded world: %s (line %d)", err.text, err.line);
    }
    return world;
}

br_vendor br_fuzz_vendor_of_path(const char *path)
{
    if (strncmp(path, "/v2/", 4) == 0) return BR_VENDOR_ZILLIZ;
    if (strncmp(path, "/api/v1/", 8) == 0) return BR_VENDOR_CRDB;
    if (strncmp(path, "/api/atlas/", 11) == 0) return BR_VENDOR_ATLAS;
    return BR_VENDOR_COUNT;
}

/* The whole check (shadow NULL) or the one over what the shadow saw change; what was just
 * done is formatted only for a violation (it is named after every step). */
static void check_world(const br_world *w, const br_world_shadow *shadow, const char *fmt,
                        va_list ap)
{
    br_rule rule;
    char msg[512] = "";
    int n = shadow ? br_world_check_changed(w, shadow, &rule, msg, sizeof msg)
                   : br_world_check(w, &rule, msg, sizeof msg);
    if (n <= 0) return;
    char after[600];
    vsnprintf(after, sizeof after, fmt, ap);
    br_fuzz_fail("%s after %s: %s", br_rule_id(rule), after, msg);
}

static void check_world_f(const br_world *w, const br_world_shadow *shadow, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void check_world_f(const br_world *w, const br_world_shadow *shadow, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    check_world(w, shadow, fmt, ap);
    va_end(ap);
}

void br_fuzz_check_world(const br_world *w, const char *after)
{
    check_world_f(w, NULL, "%s", after);
}

void br_fuzz_check_world_changed(const br_world *w, const br_world_shadow *shadow, const char *fmt,
                                 ...)
{
    va_list ap;
    va_start(ap, fmt);
    check_world(w, shadow, fmt, ap);
    va_end(ap);
}

static void check_answer(const br_request *req, const br_response *res)
{
    if (res->status < 200 || res->status > 599)
        br_fuzz_fail("%s %s: status %d is not an HTTP answer", req->method, req->path, res->status);
    char why[128];
    if (res->body && !br_fuzz_serializes(res->body, why, sizeof why))
        br_fuzz_fail("%s %s: the answer does not serialize: %s", req->method, req->path, why);
}

/* Sends req and checks the answer on its own: the model answered, the status, it serializes. */
static void handle_checked(br_world *w, const br_request *req, br_response *res)
{
    int rc = br_world_handle(w, req, res);
    if (rc != BR_OK)
        br_fuzz_fail("%s %s: the model failed: %s", req->method, req->path, br_strerror(rc));
    check_answer(req, res);
}

/* After a request: INV-ATOMIC when it was refused and changed the world, then the invariants
 * (over what the shadow saw change, or the whole world when shadow is NULL). */
static void check_after(const br_world *w, const br_request *req, const br_response *res,
                        bool changed, const br_world_shadow *shadow)
{
    if (changed && res->error)
        br_fuzz_fail("INV-ATOMIC: %s %s: an error answer (HTTP %d) changed the world", req->method,
                     req->path, res->status);
    check_world_f(w, shadow, "%s %.500s", req->method, req->path);
}

bool br_fuzz_send_checked_known(br_world *w, const br_request *req, br_response *res,
                                uint64_t *digest)
{
    handle_checked(w, req, res);
    uint64_t after = br_world_digest(w);
    bool changed = after != *digest;
    *digest = after;
    if (changed) check_after(w, req, res, true, NULL);
    return changed;
}

bool br_fuzz_send_checked_since(br_world *w, const br_request *req, br_response *res,
                                br_world_shadow *shadow)
{
    handle_checked(w, req, res);
    bool changed;
    if (br_world_shadow_sync(shadow, w, &changed) != BR_OK) br_fuzz_fail("out of memory");
    if (changed) check_after(w, req, res, true, shadow);
    return changed;
}

void br_fuzz_send_checked(br_world *w, const br_request *req, br_response *res)
{
    uint64_t before = br_world_digest(w);
    handle_checked(w, req, res);
    check_after(w, req, res, br_world_digest(w) != before, NULL);
}
