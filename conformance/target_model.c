/* The in-process target: the model itself, no network (the default of `brcheck run`). */
#include "runner.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    br_world *w;
    br_rule mutant;
    br_world_shadow *shadow; /* for digest: the world as the last digest saw it */
    uint64_t generation;     /* how many times a digest found the world changed */
} model_target;

static br_world *world(br_target *t)
{
    return ((model_target *)t->self)->w;
}

static int reset(br_target *t, const json_t *given, const char *profile, char *err, size_t len)
{
    model_target *m = t->self;
    br_world_free(m->w);
    m->w = br_world_new(given, err, len);
    if (!m->w) return BR_EWORLD;
    br_world_set_mutant(m->w, m->mutant);
    if (profile && br_world_set_profile(world(t), profile) != BR_OK) {
        snprintf(err, len, "unknown profile %s", profile);
        return BR_EINVAL;
    }
    /* What is due at the world's clock happens now, before the first step: otherwise the
     * first request would do it, and a refused first request would seem to change the world
     * (INV-ATOMIC). With the mutant and profile set: they apply to it. */
    return br_world_advance(m->w, 0);
}

static int send(br_target *t, const br_request *req, br_response *res)
{
    return br_world_handle(world(t), req, res);
}

static int advance(br_target *t, br_time s)
{
    return br_world_advance(world(t), s);
}

static int sim(br_target *t, const json_t *op)
{
    return br_world_sim(world(t), op);
}

static json_t *dump(br_target *t)
{
    return br_world_dump(world(t));
}

/* The digest the runner compares before and after a step (INV-ATOMIC): a count of the changes
 * a shadow of the world has seen (br_world_shadow_sync), so that every field counts, not only
 * those br_world_digest hashes. Equal before and after exactly when nothing changed between. */
static bool digest(br_target *t, uint64_t *out)
{
    model_target *m = t->self;
    bool changed;
    if (!m->shadow && !(m->shadow = br_world_shadow_new())) return false;
    if (br_world_shadow_sync(m->shadow, m->w, &changed) != BR_OK) return false;
    if (changed) m->generation++;
    *out = m->generation;
    return true;
}

static int check(br_target *t, br_rule *rule, char *msg, size_t len)
{
    return br_world_check(world(t), rule, msg, len);
}

static void close_target(br_target *t)
{
    if (!t) return;
    br_world_free(world(t));
    br_world_shadow_free(((model_target *)t->self)->shadow);
    free(t->self);
    free(t);
}

br_target *br_model_target_new(br_rule mutant)
{
    br_target *t = calloc(1, sizeof *t);
    model_target *m = calloc(1, sizeof *m);
    if (!t || !m) {
        free(t);
        free(m);
        return NULL;
    }
    m->mutant = mutant;
    *t = (br_target){.name = "model",
                     .reset = reset,
                     .send = send,
                     .advance = advance,
                     .sim = sim,
                     .dump = dump,
                     .digest = digest,
                     .check = check,
                     .close = close_target,
                     .self = m};
    return t;
}
