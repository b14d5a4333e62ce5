/* fuzz_decode: writes a fuzzing input as a readable fixture (fixtures/README.md), so that a
 * crash found by a fuzzer becomes a scenario anyone can read, edit and replay with
 * `brcheck run`. Used by fuzz/crash-to-fixture.sh. */
#include "fuzz.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef BR_FUZZ_HAVE_GEN
#include "sequence.h"
#endif

static void usage(FILE *out, const char *argv0)
{
    fprintf(out,
            "usage: %s HARNESS INPUT [ID]\n"
            "Prints the input as a fixture: for `request` one request step against the world\n"
            "of fuzz/worlds/all.json; for `sequence` the decoded steps with their world.\n"
            "ID names the fixture (default fuzz-HARNESS-<hash of the input>).\n"
            "       %s --sequence-seed SEED STEPS\n"
            "Writes a `sequence` input whose bytes decode to a PRNG run of STEPS steps.\n"
            "Exit 0 on success, 2 on a usage error or an unreadable input.\n",
            argv0, argv0);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
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
    fclose(f);
    *len = n;
    return buf;
}

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
        char *end;
        unsigned long long seed = strtoull(argv[2], &end, 10);
        int steps = argc == 4 ? atoi(argv[3]) : 0;
        if (*end || argc != 4 || steps < 1) {
            fprintf(stderr, "fuzz_decode --sequence-seed SEED STEPS (STEPS 1..64)\n");
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
    size_t size = 0;
    uint8_t *data = read_all(argv[2], &size);
    if (!data) {
        fprintf(stderr, "fuzz_decode: cannot read %s\n", argv[2]);
        return 2;
    }
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
    char id[96];
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
