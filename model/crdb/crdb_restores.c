/* CockroachDB POST /clusters/{destination_cluster_id}/restores (seed 003): the request
 * body (CC-RESTORE-TYPE), the backup (CC-RESTORE-LATEST), roles on both clusters (CC-ROLE),
 * plans (CC-PLAN-STANDARD, CC-PLAN-ADVANCED), options (CC-NEW-DB-ONE, CC-INTO-DB) and the
 * destination's conflicts (CC-EMPTY-DEST, CC-DB-EXISTS, CC-TABLE-EXISTS); a PENDING restore. */
#include "crdb/crdb.h"

#include <stdio.h>
#include <string.h>

static const char *const bool_opts[] = {"schema_only",
                                        "skip_localities_check",
                                        "skip_missing_foreign_keys",
                                        "skip_missing_sequences",
                                        "skip_missing_sequence_owners",
                                        "skip_missing_udfs",
                                        "skip_missing_views",
                                        NULL};

typedef struct {
    const char *type, *backup_id, *source_id;
    const char *new_db, *into_db;
    json_t *params; /* owned: {"type", "objects", "restore_opts"} as the job keeps them */
    size_t n_objects;
} request;

/* A string field: absent, null or a string of at most 63 bytes. */
static bool name_field(br_ctx *ctx, const json_t *o, const char *key, const char *where,
                       const char **out)
{
    *out = NULL;
    if (!br__body_string(o, key, out)) {
        CC_BAD(ctx, "%s%s must be a string", where, key);
        return false;
    }
    if (*out && strlen(*out) >= BR_NAME_MAX) {
        CC_BAD(ctx, "%s%s is longer than %d bytes", where, key, BR_NAME_MAX - 1);
        return false;
    }
    return true;
}

/* objects: [{database, schema, table}], normalized into the job's parameters. */
static bool read_objects(br_ctx *ctx, request *r)
{
    const json_t *objects = json_object_get(ctx->body, "objects");
    if (objects && !json_is_null(objects) && !json_is_array(objects)) {
        CC_BAD(ctx, "objects must be an array of {database, schema, table}");
        return false;
    }
    json_t *out = json_array();
    if (!out || json_object_set_new(r->params, "objects", out) != 0) {
        ctx->oom = true;
        return false;
    }
    bool table = strcmp(r->type, "TABLE") == 0;
    size_t i;
    json_t *o;
    json_array_foreach(objects, i, o)
    {
        const char *db = NULL, *schema = NULL, *name = NULL;
        char where[32];
        snprintf(where, sizeof where, "objects[%zu].", i);
        if (!json_is_object(o)) {
            CC_BAD(ctx, "objects[%zu] must be an object", i);
            return false;
        }
        if (!name_field(ctx, o, "database", where, &db) ||
            !name_field(ctx, o, "schema", where, &schema) ||
            !name_field(ctx, o, "table", where, &name))
            return false;
        if (!db || !*db) {
            CC_BAD(ctx, "objects[%zu].database is required", i);
            return false;
        }
        if (br__rule(ctx, BR_RULE_CC_RESTORE_TYPE, table ? !name || !*name : name && *name)) {
            CC_BAD(ctx,
                   table ? "objects[%zu].table is required for a TABLE restore"
                         : "objects[%zu].table is only allowed in a TABLE restore",
                   i);
            return false;
        }
        json_t *item = table ? json_pack("{s:s,s:s,s:s}", "database", db, "schema",
                                         schema && *schema ? schema : "public", "table", name)
                             : json_pack("{s:s}", "database", db);
        if (!item || json_array_append_new(out, item) != 0) {
            ctx->oom = true;
            return false;
        }
    }
    r->n_objects = json_array_size(out);
    bool needs = strcmp(r->type, "CLUSTER") != 0;
    if (br__rule(ctx, BR_RULE_CC_RESTORE_TYPE, needs ? r->n_objects == 0 : r->n_objects > 0)) {
        CC_BAD(ctx, needs ? "objects is required when type is DATABASE or TABLE"
                          : "objects is only used when type is DATABASE or TABLE");
        return false;
    }
    return true;
}

/* restore_opts: the documented options, echoed back as given. */
static bool read_opts(br_ctx *ctx, request *r)
{
    const json_t *opts = json_object_get(ctx->body, "restore_opts");
    if (!opts || json_is_null(opts)) return true;
    if (!json_is_object(opts)) {
        CC_BAD(ctx, "restore_opts must be an object");
        return false;
    }
    json_t *echo = json_object();
    if (!echo || json_object_set_new(r->params, "restore_opts", echo) != 0) {
        ctx->oom = true;
        return false;
    }
    if (!name_field(ctx, opts, "new_db_name", "restore_opts.", &r->new_db) ||
        !name_field(ctx, opts, "into_db", "restore_opts.", &r->into_db))
        return false;
    if (r->new_db) br__set(ctx, echo, "new_db_name", json_string(r->new_db));
    if (r->into_db) br__set(ctx, echo, "into_db", json_string(r->into_db));
    r->new_db = r->new_db && *r->new_db ? r->new_db : NULL;
    r->into_db = r->into_db && *r->into_db ? r->into_db : NULL;
    for (size_t i = 0; bool_opts[i]; i++) {
        bool present, value;
        if (!br__body_bool(opts, bool_opts[i], &present, &value)) {
            CC_BAD(ctx, "restore_opts.%s must be a boolean", bool_opts[i]);
            return false;
        }
        if (present) br__set(ctx, echo, bool_opts[i], json_boolean(value));
    }
    return !ctx->oom;
}

static bool read_request(br_ctx *ctx, request *r)
{
    const json_t *body = ctx->body;
    const char *dest = NULL;
    if (!br__body_string(body, "type", &r->type) ||
        !br__body_string(body, "backup_id", &r->backup_id) ||
        !br__body_string(body, "source_cluster_id", &r->source_id) ||
        !br__body_string(body, "destination_cluster_id", &dest)) {
        CC_BAD(ctx, "type, backup_id, source_cluster_id and destination_cluster_id are strings");
        return false;
    }
    bool known = r->type && (strcmp(r->type, "CLUSTER") == 0 || strcmp(r->type, "DATABASE") == 0 ||
                             strcmp(r->type, "TABLE") == 0);
    if (br__rule(ctx, BR_RULE_CC_RESTORE_TYPE, !known)) {
        CC_BAD(ctx,
               r->type ? "invalid type \"%.40s\": CLUSTER, DATABASE or TABLE"
                       : "type is required: CLUSTER, DATABASE or TABLE%.0s",
               r->type ? r->type : "");
        return false;
    }
    if (!known) r->type = "CLUSTER"; /* mutant: no type check */
    if (r->backup_id && !*r->backup_id) r->backup_id = NULL;
    if (r->source_id && !*r->source_id) r->source_id = NULL;
    r->params = json_pack("{s:s}", "type", r->type);
    if (!r->params) {
        ctx->oom = true;
        return false;
    }
    return read_objects(ctx, r) && read_opts(ctx, r);
}

/* The backup to restore: backup_id, or the latest of the source cluster within 7 days
 * (CC-RESTORE-LATEST). Sets *src; -1 after answering. */
static long find_backup(br_ctx *ctx, const request *r, long dst, long *src)
{
    br_world *w = ctx->w;
    if (r->backup_id) {
        long bi = br__world_find_backup(w, r->backup_id);
        bool found = bi >= 0 && w->backups[bi].vendor == BR_VENDOR_CRDB && !w->backups[bi].deleted;
        if (found && br__rule(ctx, BR_RULE_SEC_TENANCY,
                              w->projects[w->backups[bi].project].org != ctx->key->org))
            found = false;
        const br_cluster *owner = found ? &w->clusters[w->backups[bi].cluster] : NULL;
        if (!found || (r->source_id && strcmp(owner->id, r->source_id) != 0)) {
            br__cc_error(ctx, CC_NOT_FOUND, "backup %.60s not found%s%.60s", r->backup_id,
                         r->source_id ? " in cluster " : "", r->source_id ? r->source_id : "");
            return -1;
        }
        *src = br__cc_cluster(ctx, owner->id, true);
        return *src < 0 ? -1 : bi;
    }
    *src = r->source_id ? br__cc_cluster(ctx, r->source_id, true) : dst;
    if (*src < 0) return -1;
    long best = -1;
    br__applied(ctx, BR_RULE_CC_RESTORE_LATEST);
    for (size_t i = 0; i < w->n_backups; i++) {
        const br_backup *b = &w->backups[i];
        if (b->vendor != BR_VENDOR_CRDB || b->cluster != *src || b->deleted ||
            strcmp(b->status, "AVAILABLE") != 0)
            continue;
        if (br__rule(ctx, BR_RULE_CC_RESTORE_LATEST, b->created < w->now - CC_LATEST_WINDOW))
            continue;
        if (best < 0 || b->created > w->backups[best].created ||
            (b->created == w->backups[best].created && strcmp(b->id, w->backups[best].id) > 0))
            best = (long)i;
    }
    if (best < 0)
        br__cc_error(ctx, CC_NOT_FOUND, "no backup of cluster %s was taken in the last 7 days",
                     w->clusters[*src].id);
    return best;
}

/* CC-PLAN-STANDARD and CC-PLAN-ADVANCED. False after answering. */
static bool plans_allow(br_ctx *ctx, const request *r, long src, long dst)
{
    const br_world *w = ctx->w;
    const br_cluster *s = &w->clusters[src], *d = &w->clusters[dst];
    bool s_adv = br__cc_plan_is(s, "ADVANCED"), d_adv = br__cc_plan_is(d, "ADVANCED");
    if (br__rule(ctx, BR_RULE_CC_PLAN_STANDARD,
                 !s_adv && (strcmp(r->type, "CLUSTER") != 0 || src != dst))) {
        br__cc_error(ctx, CC_FAILED_PRECONDITION,
                     "cluster %s is on the %s plan: its managed backups restore only at the "
                     "cluster level and only into the same cluster",
                     s->id, s->plan);
        return false;
    }
    bool same_org = w->projects[s->project].org == w->projects[d->project].org;
    if (br__rule(ctx, BR_RULE_CC_PLAN_ADVANCED, src != dst && (!s_adv || !d_adv || !same_org))) {
        br__cc_error(ctx, CC_FAILED_PRECONDITION,
                     "a restore into another cluster needs two Advanced clusters of one "
                     "organization; %s is on the %s plan",
                     d->id, d->plan);
        return false;
    }
    return true;
}

/* CC-NEW-DB-ONE, CC-INTO-DB (option with a DATABASE restore), and every object in the
 * backup (CC-RESTORE-TYPE). False after answering. */
static bool options_allow(br_ctx *ctx, const request *r, const br_backup *b)
{
    bool database = strcmp(r->type, "DATABASE") == 0, table = strcmp(r->type, "TABLE") == 0;
    if (r->new_db) br__applied(ctx, BR_RULE_CC_NEW_DB_ONE);
    if (br__rule(ctx, BR_RULE_CC_NEW_DB_ONE, r->new_db && (!database || r->n_objects != 1))) {
        CC_BAD(ctx, "new_db_name can only be used for RESTORE DATABASE with a single target "
                    "database");
        return false;
    }
    if (r->into_db) br__applied(ctx, BR_RULE_CC_INTO_DB);
    if (br__rule(ctx, BR_RULE_CC_INTO_DB, r->into_db && !table)) {
        CC_BAD(ctx, "cannot use \"into_db\" option when restoring database(s)");
        return false;
    }
    size_t i;
    json_t *o;
    json_array_foreach(json_object_get(r->params, "objects"), i, o)
    {
        const char *db = json_string_value(json_object_get(o, "database"));
        const char *schema = json_string_value(json_object_get(o, "schema"));
        const char *name = json_string_value(json_object_get(o, "table"));
        bool there = table ? br__content_find(b->content, db, schema, name) >= 0
                           : br__content_has_db(b->content, db);
        if (br__rule(ctx, BR_RULE_CC_RESTORE_TYPE, !there)) {
            br__cc_error(ctx, CC_NOT_FOUND, "%s \"%s%s%s%s%s\" not found in backup %s",
                         table ? "table" : "database", db, table ? "." : "", table ? schema : "",
                         table ? "." : "", table ? name : "", b->id);
            return false;
        }
    }
    return true;
}

/* Creates the PENDING restore job and answers it. */
static int start_restore(br_ctx *ctx, request *r, long bi, long src, long dst,
                         const br_content *made, const char *failure, int code)
{
    br_world *w = ctx->w;
    long ji = br__job_new(w, BR_VENDOR_CRDB, "RESTORE", w->clusters[dst].project,
                          w->dur.restore_queue, w->dur.restore_run);
    if (ji < 0) return BR_ENOMEM;
    br_job *j = &w->jobs[ji];
    j->backup = (int)bi;
    j->src_cluster = (int)src;
    j->dst_cluster = (int)dst;
    j->params = r->params;
    j->expected_hash = br__content_hash(made);
    if (failure) { /* CC-EMPTY-DEST, strict profile: accepted, ends FAILED */
        j->failing = true;
        j->reason = json_string_nocheck(failure);
        j->error_code = code;
    }
    json_t *body = failure && !j->reason ? NULL : br__cc_restore_json(w, j);
    if (!body) {
        j->params = NULL; /* still the caller's */
        br__world_unadd_job(w);
        return BR_ENOMEM;
    }
    r->params = NULL; /* the job owns it now */
    br__applied(ctx, BR_RULE_CC_RESTORE_LIFE);
    br__applied(ctx, BR_RULE_CC_RESTORE_TYPE);
    return br__cc_ok(ctx, body);
}

static int create(br_ctx *ctx, request *r)
{
    br_world *w = ctx->w;
    if (!read_request(ctx, r)) return BR_OK;
    long dst = br__cc_cluster(ctx, ctx->params[0], true);
    if (dst < 0) return BR_OK;
    long src;
    long bi = find_backup(ctx, r, dst, &src);
    if (bi < 0 || !plans_allow(ctx, r, src, dst) || !options_allow(ctx, r, &w->backups[bi]))
        return BR_OK;
    br_content made = {0};
    if (br__cc_restore_content(&w->backups[bi], r->params, &made)) return BR_ENOMEM;
    char msg[512];
    int code = 0;
    br_rule refused = br__cc_restore_conflict(ctx, w, dst, r->type, &made, msg, sizeof msg, &code);
    int rc;
    if (refused == BR_RULE_COUNT)
        rc = start_restore(ctx, r, bi, src, dst, &made, NULL, 0);
    else if (refused == BR_RULE_CC_EMPTY_DEST && w->strict)
        rc = start_restore(ctx, r, bi, src, dst, &made, msg, code);
    else
        rc = br__cc_error(ctx, code, "%s", msg);
    br__content_free(&made);
    return rc;
}

int br__cc_create_restore(br_ctx *ctx)
{
    request r = {0};
    int rc = create(ctx, &r);
    json_decref(r.params);
    return ctx->oom ? BR_ENOMEM : rc;
}
