/* SEC-SECRETS: which names hold secrets, and their redaction, shared by everything that
 * writes what a target answered (reports, the traffic log, the text output, matcher
 * messages) and by the recorder (recorded fixtures). */
#ifndef BR_SECRETS_H
#define BR_SECRETS_H

#include <jansson.h>
#include <stdbool.h>

/* What a redacted value is written as in reports and the traffic log. */
#define BR_REDACTED "[REDACTED]"

/* True when a JSON field of that name holds a secret (password, privateKey, secret, apiKey,
 * authorization, token; any case). NULL: false. */
bool br_secret_key(const char *k);

/* True when a header or query parameter of that name looks like it carries a credential:
 * Authorization, Cookie, X-Api-Key, ?token=, ?access_token=, X-Auth-Token, a session id...
 * Wider than br_secret_key: names there are free-form. */
bool br_secret_name(const char *name);

/* In place: every string under a secret key (br_secret_key), at any depth, becomes
 * BR_REDACTED. */
void br_redact(json_t *v);

/* In place, for an expectation shown in a report: under a secret key a literal string (a
 * fixture's own value or a captured secret put in by ${name}) becomes BR_REDACTED, and so
 * does the value of an $eq:, $ne: or $oneOf: matcher; other matchers ($regex:, $any...) stay
 * as they say what was wanted. */
void br_redact_expected(json_t *v);

/* A new reference to what may be shown of 'v' found under the field 'key' (NULL: none, at
 * the top or in an array): BR_REDACTED for a string under a secret key, else a copy of v
 * with br_redact applied. NULL stays NULL. */
json_t *br_redacted_copy(const char *key, const json_t *v);

/* In-process, a fixture's literal "Authorization: Digest username=\"K\", ..." naming a key
 * of the world 'given' stands for valid credentials of K (the transport checks digests, the
 * model does not); over the wire that is a real Digest exchange as K. True with K's name in
 * 'user' (at most len - 1 bytes) when the value is such a header and K a key of the world. */
bool br_digest_literal_user(const json_t *given, const char *value, char *user, size_t len);

#endif
