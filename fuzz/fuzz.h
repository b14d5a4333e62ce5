/* Shared pieces of the fuzzing harnesses (fuzz/README.md): the embedded world, the decoding
 * of a `request` input into an HTTP-shaped request, fixture-step requests, and the checks
 * every answer gets. Nothing here is part of the model; harnesses abort() on a violation. */
#ifndef BR_FUZZ_H
#define BR_FUZZ_H

#include "brcheck/model.h"

#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

/* The libFuzzer entry points every harness defines. */
int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Fixes jansson's hash seed (before any object exists) so runs are reproducible. */
void br_fuzz_init(void);
/* Prints "brcheck-fuzz: <message>" to stderr and aborts (the fuzzer's crash signal), or,
 * when br_fuzz_fail_jump is set (fuzz_decode), jumps there instead. */
extern jmp_buf *br_fuzz_fail_jump;
void br_fuzz_fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* The world of the `request` harness (fuzz/worlds/all.json, embedded at build time):
 * parsed once; borrowed. Aborts when it does not parse. */
const json_t *br_fuzz_request_world(void);

/* ---- `request` inputs ----
 * Layout: byte 0 route row (fuzz/request_routes.def), byte 1 key, bytes 2..4 the values of
 * the path's slots in order, byte 5 flags (bits 0-2 header variant, bits 3-4 caller address,
 * bit 5 a query string follows up to the first '\n', bits 6-7 method: 0-1 the route's, 2 the
 * other of GET/POST, 3 PATCH); the rest is the raw body. Missing bytes read as 0. */
#define BR_FUZZ_REQUEST_HEAD 6
#define BR_FUZZ_FLAG_QUERY 0x20

typedef struct {
    br_vendor vendor;
    const char *method;
    const char *tmpl; /* the route template */
    char path[2048];
    char *query;     /* owned, NUL-terminated, or NULL */
    const char *key; /* borrowed (world or static); NULL: no credentials */
    char auth[512];  /* "Bearer <key>" for Zilliz and CockroachDB */
    br_header headers[3];
    size_t n_headers;
    const char *caller_ip; /* static, or NULL */
    char *body;            /* owned, exactly body_len bytes (no terminator), or NULL */
    size_t body_len;
} br_fuzz_request;

/* Number of route rows, and row i's vendor, method and template (NULL when out of range). */
size_t br_fuzz_route_count(void);
const char *br_fuzz_route(size_t i, br_vendor *vendor, const char **method);

/* Decodes an input against the world (borrowed, must outlive r). BR_OK or BR_ENOMEM. */
int br_fuzz_request_decode(const json_t *world, const uint8_t *data, size_t size,
                           br_fuzz_request *r);
/* The model's view of r (pointers borrowed from r). */
void br_fuzz_request_to_br(const br_fuzz_request *r, br_request *out);
/* The fixture form of r: {"method", "path", "headers", "key", "callerIp", "body" |
 * "bodyRaw" | "bodyHex"}. New reference or NULL. */
json_t *br_fuzz_request_json(const br_fuzz_request *r);
void br_fuzz_request_free(br_fuzz_request *r);

/* The vendor a path belongs to (by prefix), BR_VENDOR_COUNT when none. */
br_vendor br_fuzz_vendor_of_path(const char *path);

/* Sends req to w and checks the answer: the model answered, the status is in 200..599, the
 * body serializes, an error answer left the digest unchanged (INV-ATOMIC), and the world's
 * invariants hold. Aborts on a violation; res is the answer (caller clears it). */
void br_fuzz_send_checked(br_world *w, const br_request *req, br_response *res);
/* The same checks with the digest of w before the request already known (*digest, e.g. the
 * digest after the previous step): *digest becomes the digest after it, one digest per
 * request instead of up to two. The invariants are checked only when the digest changed (an
 * unchanged world passed them already). Returns whether the world changed. */
bool br_fuzz_send_checked_known(br_world *w, const br_request *req, br_response *res,
                                uint64_t *digest);
/* The same checks against a shadow of w taken before the request (br_world_shadow_sync),
 * which becomes a shadow of w after it: any field an error answer changed is an INV-ATOMIC
 * violation, not only the fields a digest hashes; the invariants are checked over what
 * changed (br_world_check_changed). Returns whether the world changed. */
bool br_fuzz_send_checked_since(br_world *w, const br_request *req, br_response *res,
                                br_world_shadow *shadow);
/* Whether body serializes as JSON (what json_dump would refuse: a string that is not UTF-8,
 * a real that is not finite, a container inside itself; and a key that is not UTF-8, which
 * it would print as it is), without writing it out. On false, why says what was found. */
bool br_fuzz_serializes(const json_t *body, char *why, size_t len);
/* Aborts when br_world_check finds a violation; 'after' names what was just done. */
void br_fuzz_check_world(const br_world *w, const char *after);
/* The same with br_world_check_changed: over what the last sync of 'shadow' saw change;
 * what was just done in printf form, formatted only for a violation. */
void br_fuzz_check_world_changed(const br_world *w, const br_world_shadow *shadow, const char *fmt,
                                 ...) __attribute__((format(printf, 3, 4)));

#endif
