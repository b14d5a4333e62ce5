/* The HTTP target: fixtures played over the wire (libcurl) against `brcheck serve` or a real
 * endpoint described by a target profile (docs/profiles.md). */
#ifndef BR_TARGET_HTTP_H
#define BR_TARGET_HTTP_H

#include "runner.h"

/* A target speaking to base_url ("http://127.0.0.1:8080", no trailing path). 'profile' is
 * borrowed (kept by reference) and may be NULL: then the endpoint is probed, and if it
 * answers GET /_brcheck/v1/ping it is driven as `brcheck serve` through the admin API.
 * Returns NULL with err written when the URL is malformed, the endpoint is unreachable, or
 * the admin token is refused. Not thread-safe to create; each target serves one thread. */
br_target *br_http_target_new(const char *base_url, const json_t *profile, char *err,
                              size_t errlen);
/* Whether each step is also played on an in-process model and a difference in the answer's
 * status class reported (on by default against `brcheck serve`). */
void br_http_target_set_lockstep(br_target *t, bool on);
/* True when the target drives `brcheck serve` through its admin API. */
bool br_http_target_is_admin(const br_target *t);
/* The admin API of `brcheck serve`: METHOD /_brcheck/v1/<path> with a JSON body (borrowed,
 * may be NULL). Returns the HTTP status (0 when no answer) and the answer in *out (new
 * reference, may be NULL; out may be NULL). */
int br_http_target_admin(br_target *t, const char *method, const char *path, const json_t *body,
                         json_t **out);

/* Against a real endpoint: true when a request of the fixture (borrowed) authenticates with a
 * key whose credentials the profile names in an environment variable that is unset; *key and
 * *var (borrowed) then say which. Always false against `brcheck serve`. */
bool br_http_target_unset_credential(const br_target *t, const json_t *fixture, const char **key,
                                     const char **var);

typedef struct {
    unsigned long requests; /* vendor requests sent, retries included */
    unsigned long retried;  /* retries after 429, 503 or a dropped connection */
    double waited;          /* seconds slept for Retry-After, back-off and rate limits */
} br_http_stats;
void br_http_target_stats(const br_target *t, br_http_stats *out);

#endif
