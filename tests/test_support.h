/* Shared helpers for the model's unit tests: a small Zilliz world and request sending. */
#ifndef BR_TEST_SUPPORT_H
#define BR_TEST_SUPPORT_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "brcheck/model.h"

static const char test_world_json[] =
    "{\"seed\":3,\"orgs\":[{\"id\":\"org-1\",\"vendor\":\"zilliz\",\"projects\":[{\"id\":\"proj-"
    "1\"}]}],"
    "\"keys\":[{\"key\":\"owner\",\"org\":\"org-1\",\"roles\":[\"ORG_OWNER\"]},"
    "{\"key\":\"reader\",\"org\":\"org-1\",\"roles\":[{\"role\":\"PROJECT_READ_ONLY\",\"scope\":"
    "\"proj-1\"}]}],"
    "\"clusters\":[{\"id\":\"in01-a\",\"name\":\"A\",\"project\":\"proj-1\",\"plan\":\"Standard\","
    "\"region\":\"aws-us-west-2\",\"cuType\":\"Performance-optimized\",\"cuSize\":1,"
    "\"databases\":[{\"name\":\"default\",\"collections\":[{\"name\":\"c1\",\"version\":2}]}]},"
    "{\"id\":\"in01-free\",\"name\":\"F\",\"project\":\"proj-1\",\"plan\":\"Free\",\"region\":"
    "\"aws-us-west-2\"}],"
    "\"backups\":[{\"id\":\"backup1_x\",\"cluster\":\"in01-a\",\"status\":\"AVAILABLE\"},"
    "{\"id\":\"backup2_y\",\"cluster\":\"in01-a\",\"status\":\"CREATING\"}]}";

static inline br_world *test_world(void)
{
    json_t *given = json_loads(test_world_json, 0, NULL);
    br_world *w = br_world_new(given, NULL, 0);
    json_decref(given);
    return w;
}

/* A request from 127.0.0.1 with the header 'auth' (NULL: none) and a raw body (NULL: none);
 * path and query as given. */
static inline br_request test_request(const char *method, const char *path, const char *query,
                                      const br_header *auth, const char *body, size_t body_len)
{
    return (br_request){.method = method,
                        .path = path,
                        .query = query,
                        .headers = auth,
                        .n_headers = auth ? 1 : 0,
                        .body = body,
                        .body_len = body ? body_len : 0,
                        .caller_ip = "127.0.0.1"};
}

/* Sends a request as 'key' (NULL: no Authorization) with a raw body. */
static inline int test_send(br_world *w, const char *method, const char *path, const char *key,
                            const char *body, size_t body_len, br_response *res)
{
    char auth[128];
    br_header h = {"Authorization", auth};
    snprintf(auth, sizeof auth, "Bearer %s", key ? key : "");
    char *q = strchr(path, '?');
    char p[256];
    snprintf(p, sizeof p, "%.*s", q ? (int)(q - path) : (int)strlen(path), path);
    br_request req = test_request(method, p, q ? q + 1 : NULL, key ? &h : NULL, body, body_len);
    return br_world_handle(w, &req, res);
}

static inline long long body_code(const br_response *res)
{
    return json_integer_value(json_object_get(res->body, "code"));
}

#endif
