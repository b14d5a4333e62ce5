/* The rule catalog, parsed once from the copy of spec/rules/ embedded at build time. */
#include "runner.h"

#include <pthread.h>
#include <string.h>

extern const char *const br_spec_files[];
extern const char *const br_spec_names[];
extern const size_t br_spec_count;

static json_t *catalog;
static pthread_once_t catalog_once = PTHREAD_ONCE_INIT;

static void catalog_load(void)
{
    catalog = json_array();
    for (size_t i = 0; i < br_spec_count; i++) {
        json_error_t err;
        json_t *rows = json_loads(br_spec_files[i], 0, &err);
        if (!json_is_array(rows)) {
            fprintf(stderr, "brcheck: spec/rules/%s: %s (line %d)\n", br_spec_names[i], err.text,
                    err.line);
            json_decref(rows);
            continue;
        }
        json_array_extend(catalog, rows);
        json_decref(rows);
    }
}

/* Parsed on first use, once, whichever thread gets there first. */
const json_t *br_catalog(void)
{
    pthread_once(&catalog_once, catalog_load);
    return catalog;
}

const json_t *br_catalog_rule(const char *id)
{
    size_t i;
    json_t *r;
    json_array_foreach(br_catalog(), i, r)
    {
        if (strcmp(json_string_value(json_object_get(r, "id")), id) == 0) return r;
    }
    return NULL;
}
