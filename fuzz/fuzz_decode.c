/* fuzz_decode: writes a fuzzing input as a readable fixture (fixtures/README.md), so that a
 * crash found by a fuzzer becomes a scenario anyone can read, edit and replay with
 * `brcheck run`. Used by fuzz/crash-to-fixture.sh. */
#include "fuzz.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#ifdef BR_FUZZ_HAVE_GEN
#include "sequence.h"
#define MAX_STEPS BR_FUZZ_MAX_STEPS
#else
#define MAX_STEPS 64
#endif

/* The longest fixture id brcheck run keeps whole (conformance/runner.h: char id[128]). */
#define MAX_ID 127

static void usage(FILE *out, const char *argv0)
{
    fprintf(out,
            "usage: %s HARNESS INPUT [ID]\n"
            "Prints the input as a fixture: for `request` one request step against the world\n"
            "of fuzz/worlds/all.json; for `sequence` the decoded steps with their world.\n"
            "ID names the fixture (default fuzz-HARNESS-<hash of the input>): 1..%d letters,\n"
            "digits, '.', '_' or '-', starting with a letter or a digit; the fixture's file\n"
            "must then be ID.json (brcheck run checks it).\n"
            "       %s --sequence-seed SEED STEPS\n"
            "Writes a `sequence` input whose bytes decode to a PRNG run of STEPS steps\n"
            "(SEED 0..%llu, STEPS 1..%d).\n"
            "Exit 0 on success, 2 on a usage error, an unreadable input or one that decodes to\n"
            "no step (a `sequence` input too short to choose one).\n",
            argv0, MAX_ID, argv0, (unsigned long long)UINT64_MAX, MAX_STEPS);
}

/* brcheck run keeps a fixture's id in 128 bytes (conformance/runner.h) and wants the file
 * named <id>.json; ctest names each fixture test after it. */
static bool valid_id(const char *id)
{
    size_t n = strlen(id);
    if (n == 0 || n > MAX_ID) return false;
    for (size_t i = 0; i < n; i++) {
        char c = id[i];
        bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
        if (!alnum && (i == 0 || (c != '.' && c != '_' && c != '-'))) return false;
    }
    return true;
}

/* The whole file, or NULL with a message: a folder opens on Linux and reads as an error,
 * which must not pass for an empty input. */
static uint8_t *read_all(const char *path, size_t *len)
{
    struct stat st;
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "fuzz_decode: cannot read %s: %s\n", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fprintf(stderr, "fuzz_decode: cannot read %s: it is a folder, not an input file\n", path);
        fclose(f);
        return NULL;
    }
    size_t cap = 4096, n = 0, got;
    uint8_t *buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            uint8_t *nb = realloc(buf, cap *= 2);
            if (!nb) free(buf);
            buf = nb;
        }
    }
    int err = ferror(f) ? errno : 0;
    fclose(f);
    if (!buf) {
        fprintf(stderr, "fuzz_decode: out of memory reading %s\n", path);
        return NULL;
    }
    if (err) {
        fprintf(stderr, "fuzz_decode: cannot read %s: %s\n", path, strerror(err));
        free(buf);
        return NULL;
    }
    *len = n;
    return buf;
}

#ifdef BR_FUZZ_HAVE_GEN
/* SEED: a decimal 0..UINT64_MAX, nothing else (strtoull takes a sign and wraps "-1"). */
static bool parse_seed(const char *s, unsigned long long *out)
{
    if (s[0] < '0' || s[0] > '9') return false;
    char *end;
    errno = 0;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno || *end) return false;
    *out = v;
    return true;
}

/* STEPS: a decimal 1..MAX_STEPS, nothing else. */
static bool parse_steps(const char *s, int *out)
{
    if (s[0] < '0' || s[0] > '9') return false;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || *end || v < 1 || v > MAX_STEPS) return false;
    *out = (int)v;
    return true;
}
#endif

static uint64_t fnv1a(const uint8_t *d, size_t n)
{
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ d[i]) * 1099511628211ULL;
    return h;
}

static json_t *request_fixture(const uint8_t *data, size_t size)
{
    br_fuzz_request r;
    if (br_fuzz_request_decode(br_fuzz_request_world(), data, size, &r) != BR_OK) return NULL;
    json_t *req = br_fuzz_request_json(&r);
    json_t *fx =
        json_pack("{s:s,s:{s:s},s:O,s:[{s:s,s:o,s:{s:s}}]}", "vendor", br_vendor_name(r.vendor),
                  "rules", "INV-ATOMIC", "holds", "given", br_fuzz_request_world(), "steps", "name",
                  "the fuzzed request", "request", req, "expect", "status", "$range:[200,599]");
    br_fuzz_request_free(&r);
    return fx;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout, argv[0]);
        return 0;
    }
    if (argc < 3 || argc > 4) {
        usage(stderr, argv[0]);
        return 2;
    }
    br_fuzz_init();
#ifdef BR_FUZZ_HAVE_GEN
    if (strcmp(argv[1], "--sequence-seed") == 0) {
        /* fuzz_decode --sequence-seed SEED STEPS: a seed input on stdout (make-corpus.py). */
        unsigned long long seed;
        int steps;
        if (argc != 4) {
            fprintf(stderr, "fuzz_decode --sequence-seed SEED STEPS: give both\n");
            return 2;
        }
        if (!parse_seed(argv[2], &seed)) {
            fprintf(stderr, "fuzz_decode --sequence-seed: SEED \"%s\" is not a number 0..%llu\n",
                    argv[2], (unsigned long long)UINT64_MAX);
            return 2;
        }
        if (!parse_steps(argv[3], &steps)) {
            fprintf(stderr, "fuzz_decode --sequence-seed: STEPS \"%s\" is not a number 1..%d\n",
                    argv[3], MAX_STEPS);
            return 2;
        }
        uint8_t *buf;
        size_t len;
        if (br_fuzz_sequence_seed(seed, steps, &buf, &len) != BR_OK) return 2;
        fwrite(buf, 1, len, stdout);
        free(buf);
        return 0;
    }
#endif
    if (argc == 4 && !valid_id(argv[3])) {
        fprintf(stderr,
                "fuzz_decode: ID \"%s\" is no fixture id: 1..%d letters, digits, '.', '_' or "
                "'-', starting with a letter or a digit\n",
                argv[3], MAX_ID);
        return 2;
    }
    size_t size = 0;
    uint8_t *data = read_all(argv[2], &size);
    if (!data) return 2;
    json_t *fx = NULL;
    if (strcmp(argv[1], "request") == 0) {
        fx = request_fixture(data, size);
#ifdef BR_FUZZ_HAVE_GEN
    } else if (strcmp(argv[1], "sequence") == 0) {
        fx = br_fuzz_sequence_fixture(data, size);
#endif
    } else {
        fprintf(stderr, "fuzz_decode: unknown harness %s\n", argv[1]);
        free(data);
        return 2;
    }
    if (!fx) {
        fprintf(stderr, "fuzz_decode: cannot decode %s\n", argv[2]);
        free(data);
        return 2;
    }
    /* brcheck run refuses a fixture without steps: say so here, where the input is named. */
    if (json_array_size(json_object_get(fx, "steps")) == 0) {
        fprintf(stderr,
                "fuzz_decode: %s (%zu bytes) decodes to no step: no fixture (a `%s` input "
                "needs more bytes to choose a step)\n",
                argv[2], size, argv[1]);
        json_decref(fx);
        free(data);
        return 2;
    }
    char id[MAX_ID + 1];
    if (argc == 4)
        snprintf(id, sizeof id, "%s", argv[3]);
    else
        snprintf(id, sizeof id, "fuzz-%s-%016llx", argv[1], (unsigned long long)fnv1a(data, size));
    free(data);
    json_t *out = json_pack("{s:s}", "id", id);
    json_object_update(out, fx);
    json_object_set_new(out, "source",
                        json_string("inferred: found by the fuzzer; minimized input decoded "
                                    "by fuzz/fuzz_decode"));
    json_object_del(out, "given");
    json_object_set(out, "given", json_object_get(fx, "given"));
    json_object_del(out, "steps");
    json_object_set(out, "steps", json_object_get(fx, "steps"));
    json_decref(fx);
    json_dumpf(out, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    putchar('\n');
    json_decref(out);
    return 0;
}
