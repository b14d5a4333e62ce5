/* Matchers of fixture expectations (fixtures/README.md#matchers) and ${name} captures. */
#ifndef BR_MATCHER_H
#define BR_MATCHER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

/* Matches 'actual' (borrowed, may be NULL = absent) against 'expected' (borrowed).
 * Captures go into 'captures' (a JSON object, borrowed). On a mismatch returns false and
 * writes where and why into msg[msglen] ("$.data.status: expected ..., got ..."), with the
 * values it shows redacted as reports redact answers (SEC-SECRETS, secrets.h): a string under
 * a secret field is shown as "[REDACTED]", and so are the secrets inside an object shown. */
bool br_match(const json_t *expected, const json_t *actual, json_t *captures, const char *path,
              char *msg, size_t msglen);
/* br_match for a value found under the field (or header) 'key': a secret one is redacted. */
bool br_match_field(const json_t *expected, const json_t *actual, json_t *captures,
                    const char *path, const char *key, char *msg, size_t msglen);

/* Returns a new deep copy of 'v' with every ${name} replaced by its capture (a string
 * that is exactly "${name}" becomes the captured value itself). NULL on allocation
 * failure or when a name was never captured (then msg says which). */
json_t *br_substitute(const json_t *v, const json_t *captures, char *msg, size_t msglen);

/* True when s is an RFC 3339 UTC time ("2024-08-26T02:27:51Z", fraction allowed). */
bool br_is_utc_time(const char *s);

#endif
