/* Writes the curl script `brcheck fuzz` writes beside a finding, for any fixture: the tests
 * hand it fixtures no fuzz run would shrink to (hostile names, bodies and values).
 * Usage: fuzz_curl_write FIXTURE.json OUT.sh [MUTANT] */
#include "fuzz_run.h"

#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: fuzz_curl_write FIXTURE.json OUT.sh [MUTANT]\n");
        return 2;
    }
    json_error_t err;
    json_t *fx = json_load_file(argv[1], 0, &err);
    if (!fx) {
        fprintf(stderr, "fuzz_curl_write: %s:%d: %s\n", argv[1], err.line, err.text);
        return 2;
    }
    char *script = br_fuzz_curl_script(fx, argc == 4 ? argv[3] : NULL);
    json_decref(fx);
    FILE *out = script ? fopen(argv[2], "w") : NULL;
    if (!out) {
        fprintf(stderr, "fuzz_curl_write: cannot write %s\n", argv[2]);
        free(script);
        return 2;
    }
    fputs(script, out);
    free(script);
    return fclose(out) == 0 ? 0 : 2;
}
