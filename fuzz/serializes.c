/* Whether an answer's body serializes, without serializing it (fuzz.h). jansson's dump
 * refuses a string that is not UTF-8 by its rules (utf8.c: no overlong form, no surrogate,
 * nothing past U+10FFFF), a real that is not finite, and a value that contains itself; it
 * prints a key that is not UTF-8 as it is, which this check refuses too. Writing the answer
 * out to a sink that kept nothing was an eighth of the `sequence` harness's time: the dump
 * formats every number and escapes every character, and keeps a table of the containers it
 * is inside (keyed by their printed addresses) to find a cycle. */
#include "fuzz.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A container nested this deep is a cycle or a bug: the model's answers are a few levels
 * deep (jansson's parser stops at the same depth). */
#define MAX_DEPTH 2048

/* The byte length of a valid UTF-8 sequence at s (n bytes left), or 0. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned char c = s[0];
    if (c < 0x80) return 1;
    size_t len;
    uint32_t v;
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        return 0; /* a continuation byte, C0/C1 (overlong) or F5..FF */
    }
    if (len > n) return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80) return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
    if ((len == 3 && v < 0x800) || (len == 4 && v < 0x10000)) return 0; /* overlong */
    return len;
}

static bool utf8_valid(const char *text, size_t n)
{
    const unsigned char *s = (const unsigned char *)text;
    size_t i = 0;
    while (i < n) {
        /* ASCII eight bytes at a time: one load where a sanitizer checks (and AFL++ counts)
         * one per byte */
        uint64_t v;
        if (n - i >= 8 && (memcpy(&v, s + i, 8), (v & 0x8080808080808080ULL) == 0)) {
            i += 8;
            continue;
        }
        if (s[i] < 0x80) {
            i++;
            continue;
        }
        size_t k = utf8_seq(s + i, n - i);
        if (!k) return false;
        i += k;
    }
    return true;
}

static bool fail(char *why, size_t len, const char *what, const char *text)
{
    snprintf(why, len, "%s%s%.60s%s", what, text ? " \"" : "", text ? text : "", text ? "\"" : "");
    return false;
}

static bool walk(const json_t *v, int depth, char *why, size_t len)
{
    if (!v) return fail(why, len, "a missing value", NULL);
    switch (json_typeof(v)) {
    case JSON_STRING:
        return utf8_valid(json_string_value(v), json_string_length(v))
                   ? true
                   : fail(why, len, "a string that is not UTF-8:", json_string_value(v));
    case JSON_REAL:
        return isfinite(json_real_value(v)) ? true
                                            : fail(why, len, "a real that is not finite", NULL);
    case JSON_ARRAY:
    case JSON_OBJECT:
        if (depth >= MAX_DEPTH)
            return fail(why, len, "containers nested too deep (one inside itself?)", NULL);
        break;
    default:
        return true;
    }
    if (json_is_array(v)) {
        size_t i;
        const json_t *e;
        json_array_foreach(v, i, e)
        {
            if (!walk(e, depth + 1, why, len)) return false;
        }
        return true;
    }
    const char *key;
    size_t key_len;
    const json_t *e;
    json_object_keylen_foreach((json_t *)v, key, key_len, e)
    {
        if (!utf8_valid(key, key_len)) return fail(why, len, "a key that is not UTF-8:", key);
        if (!walk(e, depth + 1, why, len)) return false;
    }
    return true;
}

bool br_fuzz_serializes(const json_t *body, char *why, size_t len)
{
    return walk(body, 0, why, len);
}
