/* What a CockroachDB restore writes and what stops it: the content planned from the backup
 * (CLUSTER, DATABASE with new_db_name, TABLE with into_db; schema_only), the destination
 * conflicts with their SQL messages (CC-EMPTY-DEST, CC-DB-EXISTS, CC-INTO-DB,
 * CC-TABLE-EXISTS), checked at create and again at completion, and the effect (INV-CONTENT). */
#include "crdb/crdb.h"

#include <stdio.h>
#include <string.h>

static const char *opt_string(const json_t *opts, const char *key)
{
    const char *s = json_string_value(json_object_get(opts, key));
    return s && *s ? s : NULL;
}

/* Adds an item once. Returns BR_OK or BR_ENOMEM. */
static int add_once(br_content *c, const br_item *it, const char *db, bool schema_only)
{
    if (br__content_find(c, db, it->schema, it->name) >= 0) return BR_OK;
    return br__content_add(c, db, it->schema, it->name, schema_only ? 0 : it->version, true) < 0
               ? BR_ENOMEM
               : BR_OK;
}

static int plan(const br_backup *b, const json_t *params, br_content *out)
{
    const char *type = json_string_value(json_object_get(params, "type"));
    const json_t *opts = json_object_get(params, "restore_opts");
    bool schema_only = json_is_true(json_object_get(opts, "schema_only"));
    const char *new_db = opt_string(opts, "new_db_name"), *into_db = opt_string(opts, "into_db");
    if (!type || strcmp(type, "CLUSTER") == 0) {
        int rc = br__content_copy(out, b->content);
        for (size_t i = 0; rc == BR_OK && schema_only && i < out->n_items; i++)
            out->items[i].version = 0;
        return rc;
    }
    size_t k;
    json_t *o;
    json_array_foreach(json_object_get(params, "objects"), k, o)
    {
        const char *db = json_string_value(json_object_get(o, "database"));
        const char *schema = json_string_value(json_object_get(o, "schema"));
        const char *table = json_string_value(json_object_get(o, "table"));
        if (!db) continue;
        if (strcmp(type, "DATABASE") == 0) {
            const char *to = new_db ? new_db : db;
            if (br__content_add_db(out, to)) return BR_ENOMEM;
            for (size_t i = 0; i < b->content->n_items; i++)
                if (strcmp(b->content->items[i].db, db) == 0 &&
                    add_once(out, &b->content->items[i], to, schema_only))
                    return BR_ENOMEM;
        } else if (table) {
            long it = br__content_find(b->content, db, schema ? schema : "public", table);
            if (it >= 0 &&
                add_once(out, &b->content->items[it], into_db ? into_db : db, schema_only))
                return BR_ENOMEM;
        }
    }
    return BR_OK;
}

int br__cc_restore_content(const br_backup *b, const json_t *params, br_content *out)
{
    br__content_clear(out);
    int rc = plan(b, params, out);
    if (rc) br__content_free(out);
    return rc;
}

/* With a context the guard is recorded (br__rule); without, only the mutant counts. */
static bool guard(br_ctx *ctx, const br_world *w, br_rule rule, bool refuses)
{
    return ctx ? br__rule(ctx, rule, refuses) : refuses && !br__mutated(w, rule);
}

static bool default_db(const char *db)
{
    return strcmp(db, "defaultdb") == 0 || strcmp(db, "postgres") == 0 || strcmp(db, "system") == 0;
}

/* Appends ", name" (or "name") to list; counts it. */
static void name_add(char *list, size_t len, int *n, const char *name)
{
    size_t used = strlen(list);
    if (used + 1 < len) snprintf(list + used, len - used, "%s%s", *n ? ", " : "", name);
    (*n)++;
}

/* The user descriptors a full cluster restore finds in the way: each database other than
 * the default ones with its public schema, other schemas, and every table. */
static int descriptors(const br_content *c, char *list, size_t len)
{
    int n = 0;
    list[0] = '\0';
    for (size_t d = 0; d < c->n_dbs; d++) {
        const char *db = c->dbs[d];
        if (!default_db(db)) {
            name_add(list, len, &n, db);
            name_add(list, len, &n, "public");
        }
        for (size_t i = 0; i < c->n_items; i++) {
            const br_item *it = &c->items[i];
            if (strcmp(it->db, db) != 0 || !it->schema[0] || strcmp(it->schema, "public") == 0)
                continue;
            bool first = true;
            for (size_t k = 0; k < i && first; k++)
                first = strcmp(c->items[k].db, db) != 0 || strcmp(c->items[k].schema, it->schema);
            if (first) name_add(list, len, &n, it->schema);
        }
        for (size_t i = 0; i < c->n_items; i++)
            if (strcmp(c->items[i].db, db) == 0) name_add(list, len, &n, c->items[i].name);
    }
    return n;
}

br_rule br__cc_restore_conflict(br_ctx *ctx, const br_world *w, long dst, const char *type,
                                const br_content *made, char *msg, size_t len, int *code)
{
    const br_content *dc = &w->clusters[dst].content;
    if (strcmp(type, "CLUSTER") == 0) {
        char list[400];
        int n = descriptors(dc, list, sizeof list);
        *code = CC_FAILED_PRECONDITION;
        snprintf(msg, len,
                 "full cluster restore can only be run on a cluster with no tables or databases "
                 "but found %d descriptors: %s",
                 n, list);
        return guard(ctx, w, BR_RULE_CC_EMPTY_DEST, n > 0) ? BR_RULE_CC_EMPTY_DEST : BR_RULE_COUNT;
    }
    if (strcmp(type, "DATABASE") == 0) {
        for (size_t d = 0; d < made->n_dbs; d++)
            if (guard(ctx, w, BR_RULE_CC_DB_EXISTS, br__content_has_db(dc, made->dbs[d]))) {
                *code = CC_ALREADY_EXISTS;
                snprintf(msg, len, "database \"%s\" already exists", made->dbs[d]);
                return BR_RULE_CC_DB_EXISTS;
            }
        return BR_RULE_COUNT;
    }
    for (size_t i = 0; i < made->n_items; i++) {
        const br_item *it = &made->items[i];
        if (guard(ctx, w, BR_RULE_CC_INTO_DB, !br__content_has_db(dc, it->db))) {
            *code = CC_NOT_FOUND;
            snprintf(msg, len, "a database named \"%s\" needs to exist to restore table \"%s\"",
                     it->db, it->name);
            return BR_RULE_CC_INTO_DB;
        }
        if (guard(ctx, w, BR_RULE_CC_TABLE_EXISTS,
                  br__content_find(dc, it->db, it->schema, it->name) >= 0)) {
            *code = CC_ALREADY_EXISTS;
            snprintf(msg, len, "relation \"%s.%s.%s\" already exists", it->db, it->schema,
                     it->name);
            return BR_RULE_CC_TABLE_EXISTS;
        }
    }
    return BR_RULE_COUNT;
}

/* Writes 'made' into the destination: a CLUSTER restore replaces everything, the others add
 * databases and tables (a table that is there, only under a mutant, is overwritten). */
static int apply(br_content *dc, const char *type, const br_content *made)
{
    if (strcmp(type, "CLUSTER") == 0) return br__content_copy(dc, made);
    for (size_t d = 0; d < made->n_dbs; d++)
        if (br__content_add_db(dc, made->dbs[d])) return BR_ENOMEM;
    for (size_t i = 0; i < made->n_items; i++) {
        const br_item *it = &made->items[i];
        long at = br__content_find(dc, it->db, it->schema, it->name);
        if (at >= 0)
            dc->items[at].version = it->version;
        else if (br__content_add(dc, it->db, it->schema, it->name, it->version, true) < 0)
            return BR_ENOMEM;
    }
    return BR_OK;
}

/* What the destination holds where the restore wrote: the whole cluster, the restored
 * databases, or the restored tables (INV-CONTENT compares it with the plan). */
static int written(const br_content *dc, const char *type, const br_content *made, br_content *out)
{
    if (strcmp(type, "CLUSTER") == 0) return br__content_copy(out, dc);
    bool whole_dbs = strcmp(type, "DATABASE") == 0;
    for (size_t d = 0; d < made->n_dbs; d++)
        if (br__content_has_db(dc, made->dbs[d]) && br__content_add_db(out, made->dbs[d]))
            return BR_ENOMEM;
    for (size_t i = 0; i < dc->n_items; i++) {
        const br_item *it = &dc->items[i];
        bool mine = whole_dbs ? br__content_has_db(made, it->db)
                              : br__content_find(made, it->db, it->schema, it->name) >= 0;
        if (mine && br__content_add(out, it->db, it->schema, it->name, it->version, true) < 0)
            return BR_ENOMEM;
    }
    return BR_OK;
}

/* BR_ENOMEM leaves the job as it was. The message is kept as written (not checked as UTF-8
 * here: the answer that shows it does). */
int br__cc_job_finished(br_world *w, br_job *j)
{
    if (strcmp(j->type, "RESTORE") != 0 || j->failing || j->backup < 0 || j->dst_cluster < 0)
        return BR_OK;
    br_cluster *dst = &w->clusters[j->dst_cluster];
    if (dst->dropped) return br__job_fail(j, CC_NOT_FOUND, "the destination cluster was deleted");
    const char *type = json_string_value(json_object_get(j->params, "type"));
    type = type ? type : "CLUSTER";
    br_content made = {0}, got = {0};
    int rc = br__cc_restore_content(&w->backups[j->backup], j->params, &made);
    if (rc) return rc;
    char msg[512];
    int code = 0;
    /* Someone may have written into the destination, or another restore finished first. */
    if (br__cc_restore_conflict(NULL, w, j->dst_cluster, type, &made, msg, sizeof msg, &code) !=
        BR_RULE_COUNT) {
        rc = br__job_fail(j, code, msg);
    } else if ((rc = apply(&dst->content, type, &made)) == BR_OK &&
               (rc = written(&dst->content, type, &made, &got)) == BR_OK) {
        j->result_hash = br__content_hash(&got);
    }
    br__content_free(&made);
    br__content_free(&got);
    return rc;
}
