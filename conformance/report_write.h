/* Shared pieces of the report writers (JUnit, SARIF, HTML, Markdown): text escaping that
 * always yields valid UTF-8, paths as the reports name them, per-rule tallies, reproduce
 * commands. The writers print only what the runner recorded: violation messages and the
 * already-redacted expected/actual strings, never a fixture's requests. */
#ifndef BR_REPORT_WRITE_H
#define BR_REPORT_WRITE_H

#include "runner.h"

#include <stdio.h>

/* Escape modes for br__put_escaped. */
typedef enum {
    BR_ESC_XML_TEXT, /* & < > escaped; tab, newline kept */
    BR_ESC_XML_ATTR, /* also quotes, and tab/newline/CR as character references */
    BR_ESC_MD_CELL   /* Markdown table cell: | \ ` * _ [ ] < > & escaped, newlines as spaces */
} br_esc;

/* Writes at most 'max' bytes of s (0: all), escaped. Invalid UTF-8, characters XML 1.0
 * forbids (controls other than tab/newline/CR, U+FFFE/U+FFFF, surrogates) become U+FFFD.
 * A cut at 'max' never splits a character and is marked with an ellipsis. */
void br__put_escaped(FILE *out, const char *s, size_t max, br_esc mode);
/* A malloc'd copy of s that is valid UTF-8 without forbidden controls (see above). */
char *br__utf8_clean(const char *s);
/* A path as the reports name it, written to buf: relative to the source tree's root when it
 * lies inside it (*inside set, when not NULL), else absolute (a relative path taken from the
 * current directory; as given when even that fails), so that every path of a report reads
 * from the root. */
const char *br__report_relpath(const char *file, char *buf, size_t len, bool *inside);
/* 1-based line where step 'step' (1-based) of the fixture's "steps" array begins in the
 * file; 1 when it cannot be found. */
int br__step_line(const char *file, int step);
/* Status word of a fixture: passed, failed, skipped, error. */
const char *br__status_word(br_fixture_status s);
/* "RULE at step N 'name': message" (or "fixture: message" without a step). */
void br__violation_title(const br_violation *v, char *buf, size_t len);
/* Now, UTC, as 2024-05-01T12:00:00 (with 'z': a trailing Z). */
void br__timestamp(char *buf, size_t len, int z);
/* True when v, a violation of fixture f, is the target's doing: seen in an answer of a fixture
 * that ran, rather than a problem of the fixture itself. */
bool br__violation_counts(const br_fixture_result *f, const br_violation *v);
/* Closes the report file 'out' written to 'path' (takes out): 0, or -1 with errno saying why
 * when a write, the flush or the close failed, or 'seen' is not 0 (the errno of a failure
 * the writer met itself); a regular file is then removed. */
int br__report_close(FILE *out, const char *path, int seen);
/* Writes 'doc' (stolen; NULL: out of memory) to 'path' as indented JSON in key order, as
 * br__report_close: 0, or -1 with errno saying why (nothing cut short is left behind). */
int br__report_json_file(json_t *doc, const char *path);

#endif
