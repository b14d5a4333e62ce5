/* Recording: exchanges seen by the recording proxy (`brcheck record`) turned into a fixture
 * skeleton (fixtures/README.md): requests without credentials, answers as matchers (ids
 * captured and reused, times as $time, passwords as $any). */
#ifndef BR_RECORD_H
#define BR_RECORD_H

#include "brcheck/model.h"

typedef struct br_recorder br_recorder;

/* A recorder. 'world' (borrowed, may be NULL) is the world the upstream serves, in the
 * fixture "given" format: it becomes the fixture's "given", and names its keys and ids (a
 * Bearer token that is a key of the world is written as that key's name; values the world
 * already holds stay literal). 'vendor' may be NULL (taken from the first path). NULL on
 * allocation failure. */
br_recorder *br_recorder_new(const json_t *world, const char *vendor);
void br_recorder_free(br_recorder *r);

/* One exchange; every pointer is borrowed. 'target' is the path with its query. Bodies are
 * raw bytes (JSON or not). Returns BR_OK or BR_ENOMEM. */
int br_recorder_add(br_recorder *r, const char *method, const char *target, const br_header *req_h,
                    size_t n_req_h, const char *req_body, size_t req_len, int status,
                    const br_header *res_h, size_t n_res_h, const char *res_body, size_t res_len);
/* Exchanges recorded so far (a Digest challenge answered by the next request is dropped). */
size_t br_recorder_count(const br_recorder *r);

/* The fixture skeleton with that id; 'source' says where it was recorded. New reference. */
json_t *br_recorder_fixture(const br_recorder *r, const char *id, const char *source);

#endif
