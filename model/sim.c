/* Simulator operations as data ({"op": "write" | "drop_cluster" | "set_flag", ...}): the form
 * fixtures, the mock server's admin API and its journal use. */
#include "brcheck/model.h"

#include <string.h>

static const char *str(const json_t *op, const char *key)
{
    return json_string_value(json_object_get(op, key));
}

int br_world_sim(br_world *w, const json_t *op)
{
    const char *name = str(op, "op");
    const char *cluster = str(op, "cluster");
    if (!name || !cluster) return BR_EINVAL;
    if (strcmp(name, "write") == 0) {
        const char *db = str(op, "db");
        const char *coll = str(op, "collection") ? str(op, "collection") : str(op, "table");
        const char *schema = str(op, "schema");
        return br_world_write(w, cluster, db ? db : "default", schema ? schema : "",
                              coll ? coll : "data");
    }
    if (strcmp(name, "drop_cluster") == 0) return br_world_drop_cluster(w, cluster);
    if (strcmp(name, "set_flag") == 0)
        return br_world_set_flag(w, cluster, str(op, "flag") ? str(op, "flag") : "",
                                 json_is_true(json_object_get(op, "value")));
    return BR_EINVAL;
}
