/* The `request` harness: one vendor request per input (layout in fuzz.h) against a world
 * holding all three vendors (fuzz/worlds/all.json). Checks: the model answers, the status is
 * in 200..599, an error changes nothing (INV-ATOMIC), the invariants hold. The world is kept
 * between inputs while it is unchanged and rebuilt after any change, so every input meets
 * the same world (AFL stability). */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static br_world *world;
static uint64_t pristine;
static bool trace; /* BR_FUZZ_TRACE=1: one line per input on stderr (status, method, path) */
/* BR_FUZZ_FRESH=1: a fresh world for every input (slower). Not needed for stability: the
 * model fills caches on look-ups (id indexes, per-cluster list views), and after each input
 * br_world_reset_caches puts them as the world alone gives them, so a request's path does
 * not depend on the requests before it. */
static bool fresh_each;

static void fresh_world(void)
{
    char err[512];
    br_world_free(world);
    world = br_world_new(br_fuzz_request_world(), err, sizeof err);
    if (!world) br_fuzz_fail("the request world does not load: %s", err);
    if (br_world_advance(world, 0) != BR_OK) br_fuzz_fail("the request world does not settle");
    pristine = br_world_digest(world);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    br_fuzz_init();
    trace = getenv("BR_FUZZ_TRACE") != NULL;
    fresh_each = getenv("BR_FUZZ_FRESH") != NULL && strcmp(getenv("BR_FUZZ_FRESH"), "0") != 0;
    fresh_world();
    br_fuzz_check_world(world, "loading the world");
    br_world_reset_caches(world);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (!world) LLVMFuzzerInitialize(NULL, NULL);
    br_fuzz_request r;
    if (br_fuzz_request_decode(br_fuzz_request_world(), data, size, &r) != BR_OK) return 0;
    br_request req;
    br_fuzz_request_to_br(&r, &req);
    br_response res;
    /* The world before every input is the pristine one (rebuilt after any change): its
     * digest is known, one digest per input. */
    uint64_t digest = pristine;
    bool changed = br_fuzz_send_checked_known(world, &req, &res, &digest);
    if (trace)
        fprintf(stderr, "%d %s %s%s%s\n", res.status, req.method, req.path, req.query ? "?" : "",
                req.query ? req.query : "");
    changed = changed || (!res.error && strcmp(req.method, "GET") != 0);
    br_response_clear(&res);
    br_fuzz_request_free(&r);
    if (changed || fresh_each) fresh_world();
    /* and its caches as a fresh world's (br_world_reset_caches; after this input, not before
     * the next: what the reset does depends on this input alone). AFL++ stability. */
    br_world_reset_caches(world);
    return 0;
}
