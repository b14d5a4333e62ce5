/* Shared pieces of the report writers: escaping to valid UTF-8, paths as the reports name
 * them, the line where a fixture step begins, violation titles, per-rule tallies, reproduce
 * commands. */
#define _XOPEN_SOURCE 700 /* realpath, open_memstream */
#include "report_write.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Decodes one UTF-8 character at s (n bytes available). Returns its length (>= 1) and sets
 * *cp; a malformed, overlong or surrogate sequence yields length 1 and cp -1. */
static size_t utf8_next(const unsigned char *s, size_t n, long *cp)
{
    unsigned c = s[0];
    size_t len;
    long v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if ((c & 0xE0) == 0xC0)
        len = 2, v = c & 0x1F, min = 0x80;
    else if ((c & 0xF0) == 0xE0)
        len = 3, v = c & 0x0F, min = 0x800;
    else if ((c & 0xF8) == 0xF0)
        len = 4, v = c & 0x07, min = 0x10000;
    else {
        *cp = -1;
        return 1;
    }
    if (len > n) {
        *cp = -1;
        return 1;
    }
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = -1;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = -1;
        return 1;
    }
    *cp = v;
    return len;
}

/* XML 1.0 Char production, which is also what every report format can carry. */
static int allowed(long cp)
{
    return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0xD7FF) ||
           (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
}

static const char replacement[] = "\xEF\xBF\xBD"; /* U+FFFD */

void br__put_escaped(FILE *out, const char *s, size_t max, br_esc mode)
{
    if (!s) return;
    size_t n = strlen(s), i = 0;
    while (i < n) {
        long cp;
        size_t len = utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (max && i + len > max) {
            fputs("\xE2\x80\xA6", out); /* U+2026 */
            return;
        }
        if (cp < 0 || !allowed(cp)) {
            fputs(replacement, out);
        } else if (cp == '&') {
            fputs("&amp;", out);
        } else if (cp == '<') {
            fputs("&lt;", out);
        } else if (cp == '>') {
            fputs("&gt;", out);
        } else if (mode == BR_ESC_XML_ATTR && cp == '"') {
            fputs("&quot;", out);
        } else if (mode == BR_ESC_XML_ATTR && cp == '\'') {
            fputs("&#39;", out);
        } else if (mode == BR_ESC_XML_ATTR && (cp == '\n' || cp == '\r' || cp == '\t')) {
            fprintf(out, "&#%ld;", cp);
        } else if (mode == BR_ESC_MD_CELL && (cp == '\n' || cp == '\r' || cp == '\t')) {
            fputc(' ', out);
        } else if (mode == BR_ESC_MD_CELL && strchr("|\\`*_[]#", (int)cp)) {
            fputc('\\', out);
            fputc((int)cp, out);
        } else {
            fwrite(s + i, 1, len, out);
        }
        i += len;
    }
}

char *br__utf8_clean(const char *s)
{
    if (!s) s = "";
    size_t n = strlen(s), o = 0;
    char *out = malloc(n * 3 + 1);
    if (!out) return NULL;
    for (size_t i = 0; i < n;) {
        long cp;
        size_t len = utf8_next((const unsigned char *)s + i, n - i, &cp);
        if (cp < 0 || !allowed(cp)) {
            memcpy(out + o, replacement, 3);
            o += 3;
        } else {
            memcpy(out + o, s + i, len);
            o += len;
        }
        i += len;
    }
    out[o] = '\0';
    return out;
}

const char *br__report_relpath(const char *file, char *buf, size_t len, bool *inside)
{
    char root[PATH_MAX], abs[PATH_MAX], cwd[PATH_MAX];
    snprintf(buf, len, "%s", file);
    if (inside) *inside = false;
    if (!realpath(file, abs)) {
        /* Gone since the run: the text of the path alone, from the current directory. */
        if (file[0] == '/')
            snprintf(abs, sizeof abs, "%s", file);
        else if (!getcwd(cwd, sizeof cwd) ||
                 (size_t)snprintf(abs, sizeof abs, "%s/%s", cwd, file) >= sizeof abs)
            return buf;
    }
    size_t rl = realpath(BR_SOURCE_DIR, root) ? strlen(root) : 0;
    bool in = rl && strncmp(abs, root, rl) == 0 && abs[rl] == '/';
    snprintf(buf, len, "%s", in ? abs + rl + 1 : abs);
    if (inside) *inside = in;
    return buf;
}

/* Skips a JSON string starting at the opening quote; returns the index after it. */
static size_t skip_string(const char *s, size_t i, size_t n)
{
    for (i++; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            return i + 1;
    }
    return n;
}

int br__step_line(const char *file, int step)
{
    if (step < 1) return 1;
    FILE *f = fopen(file, "rb");
    if (!f) return 1;
    size_t cap = 1 << 20, n = 0; /* fixtures are small; 1 MiB is plenty for the lookup */
    char *s = malloc(cap);
    if (s) n = fread(s, 1, cap, f);
    fclose(f);
    if (!s) return 1;
    int line = 1, depth = 0, steps_depth = -1, seen = 0, result = 1;
    size_t key_start = 0, key_end = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c == '\n') {
            line++;
        } else if (c == '"') {
            size_t end = skip_string(s, i, n);
            for (size_t k = i; k < end; k++)
                line += s[k] == '\n';
            key_start = i + 1;
            key_end = end - 1;
            i = end - 1;
        } else if (c == ':') {
            /* the key just read stays in key_start..key_end */
        } else if (c == '{' || c == '[') {
            if (c == '[' && depth == 1 && steps_depth < 0 && key_end - key_start == 5 &&
                strncmp(s + key_start, "steps", 5) == 0)
                steps_depth = depth + 1;
            else if (c == '{' && steps_depth >= 0 && depth == steps_depth && ++seen == step) {
                result = line;
                break;
            }
            depth++;
        } else if (c == '}' || c == ']') {
            depth--;
            if (steps_depth >= 0 && depth < steps_depth) break; /* end of "steps" */
        }
    }
    free(s);
    return result;
}

const char *br__status_word(br_fixture_status s)
{
    static const char *const names[] = {"passed", "failed", "skipped", "error"};
    return (unsigned)s < 4 ? names[s] : "error";
}

void br__violation_title(const br_violation *v, char *buf, size_t len)
{
    const char *rule = v->rule[0] ? v->rule : "fixture";
    if (v->step > 0 && v->step_name[0])
        snprintf(buf, len, "%s at step %d '%s': %s", rule, v->step, v->step_name, v->message);
    else if (v->step > 0)
        snprintf(buf, len, "%s at step %d: %s", rule, v->step, v->message);
    else
        snprintf(buf, len, "%s: %s", rule, v->message);
}

void br__timestamp(char *buf, size_t len, int z)
{
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(buf, len, z ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%dT%H:%M:%S", &tm);
}

bool br__violation_counts(const br_fixture_result *f, const br_violation *v)
{
    /* A fixture that stopped with an error may have seen answers before it stopped: those
     * violations stand. Violations before any step (step 0) are the fixture's own. */
    return f->status == BR_FIX_FAIL || (f->status == BR_FIX_ERROR && v->step > 0);
}

br_rule_tally br_run_tally(const br_run *run, const char *id, const char *vendor)
{
    br_rule_tally t = {0};
    for (size_t i = 0; i < run->n; i++) {
        const br_fixture_result *f = &run->fixtures[i];
        if (vendor && strcmp(f->vendor, vendor) != 0) continue;
        const char *what = json_string_value(json_object_get(f->rules, id));
        int seen = 0;
        for (size_t k = 0; k < f->n_violations; k++)
            if (strcmp(f->violations[k].rule, id) == 0 &&
                br__violation_counts(f, &f->violations[k]))
                seen++;
        bool ran = f->status == BR_FIX_PASS || f->status == BR_FIX_FAIL;
        t.violations += seen;
        t.failing += seen > 0;
        if (ran || seen) {
            if (!what && !seen) continue;
            t.fixtures++;
            t.holds += what && strcmp(what, "holds") == 0;
            t.refuses += what && strcmp(what, "refuses") == 0;
        } else if (what && f->status == BR_FIX_SKIP) {
            t.skipped++;
        } else if (what) {
            t.errors++;
        }
    }
    return t;
}

int br__report_close(FILE *out, const char *path, int seen)
{
    struct stat st;
    bool regular = fstat(fileno(out), &st) == 0 && S_ISREG(st.st_mode);
    bool failed = seen != 0 || ferror(out) != 0;
    int err = seen;
    if (fflush(out) != 0) failed = true, err = err ? err : errno;
    if (fclose(out) != 0) failed = true, err = err ? err : errno;
    if (!failed) return 0;
    /* What was written is cut short: remove it, so that no part of a report is read as the
     * whole. Only a regular file: a device or a pipe named as the report is not ours. */
    if (regular) unlink(path);
    /* A write failed earlier and nothing was left to flush: the stream keeps no reason. */
    errno = err ? err : EIO;
    return -1;
}

/* Writes s as one POSIX shell word: as is when no shell gives any of its characters a
 * meaning, else in single quotes (a quote inside as '\''). */
static void put_word(FILE *out, const char *s)
{
    bool plain = *s != '\0';
    for (const char *p = s; *p && plain; p++)
        plain = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
                strchr("@%+=:,./_-", *p);
    fputc(' ', out);
    if (plain) {
        fputs(s, out);
        return;
    }
    fputc('\'', out);
    for (const char *p = s; *p; p++)
        if (*p == '\'')
            fputs("'\\''", out);
        else
            fputc(*p, out);
    fputc('\'', out);
}

/* A path argument: as the reports name it when asked, and never taken for an option. */
static void put_path(FILE *out, const char *path, bool from_root)
{
    char rel[PATH_MAX + 3];
    if (from_root)
        br__report_relpath(path, rel + 2, sizeof rel - 2, NULL);
    else
        snprintf(rel + 2, sizeof rel - 2, "%s", path);
    rel[0] = '.', rel[1] = '/';
    put_word(out, rel[2] == '-' ? rel : rel + 2);
}

char *br_reproduce_command(const br_run *run, const char *file, bool from_root)
{
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    if (!out) return NULL;
    const br_run_context *c = &run->context;
    fputs("brcheck run", out);
    if (c->target && strcmp(c->target, "model") != 0) {
        put_word(out, "--target");
        put_word(out, c->target);
    }
    if (c->profile && strcmp(c->profile, "default") != 0) {
        put_word(out, "--profile");
        if (strcmp(c->profile, "strict") == 0)
            put_word(out, c->profile);
        else
            put_path(out, c->profile, from_root);
    }
    if (c->mutant) {
        put_word(out, "--mutant");
        put_word(out, c->mutant);
    }
    put_path(out, file, from_root);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

int br_report_write(int (*write)(const br_run *, const char *, const char *), const br_run *run,
                    const char *target, const char *path, char *why, size_t whylen)
{
    errno = 0;
    if (write(run, target, path) == 0) return 0;
    snprintf(why, whylen, "%s", errno ? strerror(errno) : "the report could not be built");
    return -1;
}

FILE *br_output_open(const char *path, char *why, size_t whylen)
{
    FILE *f = fopen(path, "w");
    if (!f) snprintf(why, whylen, "%s", strerror(errno));
    return f;
}

int br_output_finish(FILE *f, bool close, char *why, size_t whylen)
{
    bool failed = ferror(f) != 0;
    errno = 0;
    if (fflush(f) != 0) failed = true;
    int err = errno;
    if (close && fclose(f) != 0) failed = true, err = err ? err : errno;
    if (!failed) return 0;
    /* A write failed earlier and nothing was left to flush: the stream keeps no reason. */
    snprintf(why, whylen, "%s", strerror(err ? err : EIO));
    return -1;
}

int br__report_json_file(json_t *doc, const char *path)
{
    if (!doc) {
        errno = ENOMEM;
        return -1;
    }
    FILE *out = fopen(path, "w");
    if (!out) {
        int err = errno; /* fopen's reason, whatever freeing does */
        json_decref(doc);
        errno = err;
        return -1;
    }
    errno = 0;
    /* The reason of a failed write, kept before the stream's flush can lose it. */
    int seen = json_dumpf(doc, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER) != 0
                   ? (errno ? errno : ENOMEM)
                   : 0;
    json_decref(doc);
    return br__report_close(out, path, seen);
}
