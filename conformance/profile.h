/* Target profiles: how to speak to one endpoint (docs/profiles.md). A profile is JSON; these
 * helpers read and validate it. The behaviour profile ("default" or "strict") is another
 * thing: a target profile may name one with "behaviour". */
#ifndef BR_PROFILE_H
#define BR_PROFILE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* True when the --profile value names a behaviour profile ("default", "strict") rather
 * than a target profile file. */
bool br_profile_is_behaviour(const char *arg);

/* Reads and validates a target profile file. Returns a new reference, or NULL with err
 * written: the path, then why (a file that cannot be read: the system's reason; bad JSON:
 * what and on which line; a field of the wrong type; an unknown field). */
json_t *br_profile_load(const char *path, char *err, size_t errlen);
/* Validates an already parsed profile (borrowed). Returns true, or false with err. */
bool br_profile_validate(const json_t *p, char *err, size_t errlen);

/* The behaviour profile the target profile names ("default" when none). p may be NULL. */
const char *br_profile_behaviour(const json_t *p);
/* Whether the endpoint is `brcheck serve`: 1 yes, 0 no, -1 not said (probe it). */
int br_profile_admin(const json_t *p);
/* The admin token: from the environment variable the profile names, else
 * $BRCHECK_ADMIN_TOKEN, else "admin-demo-token". Borrowed (static or environment). */
const char *br_profile_admin_token(const json_t *p);
/* The real id for a fixture's name, or NULL when the profile maps none. Borrowed. */
const char *br_profile_id(const json_t *p, const char *name);
/* The fixture name for a real id (reverse of br_profile_id), or NULL. Borrowed. */
const char *br_profile_id_reverse(const json_t *p, const char *real);
/* Credentials for a fixture key name, read from the environment variables the profile
 * names: a Bearer token, or a Digest pair (public, private). Returns false when the profile
 * maps no credentials for the key or a variable is unset (then *missing names it). */
bool br_profile_bearer(const json_t *p, const char *key, const char **token, const char **missing);
bool br_profile_digest(const json_t *p, const char *key, const char **user, const char **pass,
                       const char **missing);
/* The environment variable the profile names for key's credentials (digest: the Atlas pair,
 * else the Bearer token) that is unset or empty; NULL when every one is set or the profile
 * names none for the key. Borrowed. */
const char *br_profile_unset_credential(const json_t *p, const char *key, bool digest);
/* Requests per second allowed per path template for a vendor ("zilliz", "crdb", "atlas");
 * 0: no limit. */
double br_profile_rate(const json_t *p, const char *vendor);
/* Seconds: one request (default 30), one await step on a real endpoint (default 1800). */
double br_profile_timeout(const json_t *p, const char *which);
/* Poll back-off on a real endpoint: first wait, factor, longest wait (1 s, 2, 30 s). */
void br_profile_poll(const json_t *p, double *initial, double *factor, double *max);
/* True when the fixture is on the skip list (an id or an fnmatch pattern) or its vendor is
 * not among the profile's "vendors"; reason then holds why. */
bool br_profile_skip(const json_t *p, const char *fixture_id, const char *vendor, char *reason,
                     size_t len);
/* The base URLs the profile lists ("baseUrls"); 0 when none. Borrowed. */
size_t br_profile_base_urls(const json_t *p, const char **out, size_t max);
/* Whether each step is also run on the in-process model (1), not (0), or not said (-1). */
int br_profile_lockstep(const json_t *p);

#endif
