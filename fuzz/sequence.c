/* The `sequence` harness's core (sequence.h): the generator turns the input's bytes into
 * fixture-format steps across the three vendors; each is played on a fresh world with the
 * same checks `brcheck run` makes, except that no expectation is known in advance. */
#include "sequence.h"

#include "gen.h"
#include "runner.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const json_t *br_fuzz_sequence_world(void)
{
    static json_t *world;
    if (!world) {
        br_fuzz_init();
        world = br_gen_default_world();
        if (!world) br_fuzz_fail("br_gen_default_world gave no world");
    }
    return world;
}

static void play_request(br_world *w, br_gen *g, br_observer *obs, const json_t *step, int n,
                         br_world_shadow *shadow)
{
    const json_t *request = json_object_get(step, "request");
    const char *path = json_string_value(json_object_get(request, "path"));
    char why[128];
    br_built *b = br_step_build(request, path ? br_fuzz_vendor_of_path(path) : BR_VENDOR_COUNT, why,
                                sizeof why);
    if (!b) br_fuzz_fail("step %d: the generator's request does not build: %s", n, why);
    const br_request *req = br_built_request(b);
    br_response res;
    br_fuzz_send_checked_since(w, req, &res, shadow);
    char rule[40], msg[512];
    if (!br__observe(obs, res.body, rule, msg, sizeof msg))
        br_fuzz_fail("%s at step %d (%s %s): %s", rule, n, req->method, req->path, msg);
    br_gen_observe(g, step, res.status, res.body);
    br_response_clear(&res);
    br_built_free(b);
}

/* Simulator operations through the public world API (the runner's model target does the
 * same); a refused one must leave the world as it was, and is marked "expectError" in the
 * step (as a fixture, the runner then expects the refusal). The shadow: of the world before,
 * then after. */
static void play_sim(br_world *w, json_t *step, int n, br_world_shadow *shadow)
{
    const json_t *op = json_object_get(step, "sim");
    const char *name = json_string_value(json_object_get(op, "op"));
    const char *cluster = json_string_value(json_object_get(op, "cluster"));
    if (!name || !cluster) br_fuzz_fail("step %d: a sim step without op or cluster", n);
    int rc;
    if (strcmp(name, "write") == 0) {
        const char *db = json_string_value(json_object_get(op, "db"));
        const char *coll = json_string_value(json_object_get(op, "collection"));
        const char *schema = json_string_value(json_object_get(op, "schema"));
        rc = br_world_write(w, cluster, db ? db : "default", schema ? schema : "",
                            coll ? coll : "data");
    } else if (strcmp(name, "drop_cluster") == 0) {
        rc = br_world_drop_cluster(w, cluster);
    } else if (strcmp(name, "set_flag") == 0) {
        const char *flag = json_string_value(json_object_get(op, "flag"));
        rc = br_world_set_flag(w, cluster, flag ? flag : "",
                               json_is_true(json_object_get(op, "value")));
    } else {
        br_fuzz_fail("step %d: unknown sim op %s", n, name);
    }
    if (rc == BR_ENOMEM) br_fuzz_fail("step %d: sim %s: out of memory", n, name);
    bool changed;
    if (br_world_shadow_sync(shadow, w, &changed) != BR_OK) br_fuzz_fail("out of memory");
    if (rc != BR_OK && changed)
        br_fuzz_fail("INV-ATOMIC at step %d: a refused sim %s changed the world", n, name);
    if (rc != BR_OK) json_object_set_new(step, "expectError", json_true());
    if (!changed) return;
    br_fuzz_check_world_changed(w, shadow, "step %d (sim %.30s)", n, name);
}

/* The world and generator every input starts from, built once and copied per input (loading
 * the world from JSON and learning it again was most of the cost of a short input). */
static void pristine(const br_world **w, const br_gen **g)
{
    static br_world *world;
    static br_gen *gen;
    if (!world) {
        const json_t *given = br_fuzz_sequence_world();
        char err[512];
        world = br_world_new(given, err, sizeof err);
        if (!world) br_fuzz_fail("the generator's world does not load: %s", err);
        /* what is due at its clock happens before the first step, as brcheck run does */
        if (br_world_advance(world, 0) != BR_OK)
            br_fuzz_fail("the generator's world does not settle");
        gen = br_gen_new(given);
        if (!gen) br_fuzz_fail("out of memory");
    }
    *w = world;
    *g = gen;
}

/* Plays up to max_steps steps chosen by c; with bytes (the input) it stops when they run
 * out. A shadow of the world is carried from step to step (br_world_shadow_sync, a memory
 * comparison: hashing the world after each step was a quarter of the harness's time). The
 * invariants are checked after every step that changed the world and every time step, over
 * what changed (br_world_check_changed: the whole world was another sixth), and over the
 * whole world after the last step (a snapshot changed in place, which the shadow does not
 * see, shows there as INV-SOURCE). The shadow is made for each input, so that how its copies
 * grow depends on that input alone (stability). */
static int play(br_choice *c, const br_choice_bytes_state *bytes, int max_steps, json_t *steps)
{
    const br_world *w0;
    const br_gen *g0;
    pristine(&w0, &g0);
    br_world *w = br_world_clone(w0);
    br_gen *g = br_gen_clone(g0);
    br_world_shadow *shadow = br_world_shadow_new();
    bool changed;
    if (!w || !g || !shadow || br_world_shadow_sync(shadow, w, &changed) != BR_OK)
        br_fuzz_fail("out of memory");
    br_observer *obs = br_observer_new();
    if (!obs) br_fuzz_fail("out of memory");
    int n = 0;
    while (n < max_steps && !c->exhausted && (!bytes || bytes->pos < bytes->len)) {
        json_t *step = br_gen_next(g, c);
        if (!step) br_fuzz_fail("step %d: the generator gave nothing", n + 1);
        n++;
        if (steps) json_array_append(steps, step); /* before playing: a failing step is kept */
        if (json_object_get(step, "request")) {
            play_request(w, g, obs, step, n, shadow);
        } else if (json_object_get(step, "advance")) {
            json_int_t s = json_integer_value(json_object_get(step, "advance"));
            if (br_world_advance(w, (br_time)s) != BR_OK)
                br_fuzz_fail("step %d: advance %lld failed", n, (long long)s);
            if (br_world_shadow_sync(shadow, w, &changed) != BR_OK) br_fuzz_fail("out of memory");
            /* jobs move with the clock */
            br_fuzz_check_world_changed(w, shadow, "step %d (advance %lld)", n, (long long)s);
        } else if (json_object_get(step, "sim")) {
            play_sim(w, step, n, shadow);
        } else {
            br_fuzz_fail("step %d: the generator wrote an unknown step", n);
        }
        json_decref(step);
    }
    /* the whole world once per input: snapshots changed in place, which no shadow sees */
    if (n) br_fuzz_check_world(w, "the last step");
    br_world_shadow_free(shadow);
    br_observer_free(obs);
    br_gen_free(g);
    br_world_free(w);
    return n;
}

int br_fuzz_sequence_run(const uint8_t *data, size_t size, json_t *steps)
{
    br_choice_bytes_state bs = {.data = data, .len = size, .pos = 0};
    br_choice c;
    br_choice_bytes(&c, &bs);
    return play(&c, &bs, BR_FUZZ_MAX_STEPS, steps);
}

/* A PRNG choice source that writes each choice as the bytes the byte source reads back as the
 * same choice (one byte below 257 options, two below 65537, else four; big-endian). */
typedef struct {
    uint64_t state;
    uint8_t *buf;
    size_t len, cap;
    bool failed;
} recorder;

static uint32_t record_pick(br_choice *c, uint32_t n)
{
    recorder *r = c->self;
    if (n <= 1) return 0;
    br_choice inner;
    br_choice_prng(&inner, &r->state);
    uint32_t v = inner.pick(&inner, n);
    size_t need = n <= 256 ? 1 : n <= 65536 ? 2 : 4;
    if (r->len + need > r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 256;
        uint8_t *nb = realloc(r->buf, cap);
        if (!nb) {
            r->failed = true;
            return v;
        }
        r->buf = nb;
        r->cap = cap;
    }
    for (size_t i = need; i-- > 0;)
        r->buf[r->len++] = (uint8_t)(v >> (8 * i));
    return v;
}

int br_fuzz_sequence_seed(uint64_t seed, int steps, uint8_t **out, size_t *len)
{
    recorder r = {.state = seed};
    br_choice c = {.pick = record_pick, .exhausted = false, .self = &r};
    play(&c, NULL, steps < BR_FUZZ_MAX_STEPS ? steps : BR_FUZZ_MAX_STEPS, NULL);
    if (r.failed) {
        free(r.buf);
        return BR_ENOMEM;
    }
    *out = r.buf;
    *len = r.len;
    return BR_OK;
}

json_t *br_fuzz_sequence_fixture(const uint8_t *data, size_t size)
{
    json_t *steps = json_array();
    if (!steps) return NULL;
    /* A violation ends the run with the failing step last (what was allocated on the way is
     * left behind: the decoder exits right after). */
    jmp_buf jump;
    if (setjmp(jump) == 0) {
        br_fuzz_fail_jump = &jump;
        br_fuzz_sequence_run(data, size, steps);
    }
    br_fuzz_fail_jump = NULL;
    /* The fixture names one vendor (the first request's); requests carry their own paths. */
    const char *vendor = "zilliz";
    size_t i;
    json_t *s;
    json_array_foreach(steps, i, s)
    {
        const char *path =
            json_string_value(json_object_get(json_object_get(s, "request"), "path"));
        if (path && br_fuzz_vendor_of_path(path) != BR_VENDOR_COUNT) {
            vendor = br_vendor_name(br_fuzz_vendor_of_path(path));
            break;
        }
    }
    return json_pack("{s:s,s:{s:s,s:s},s:O,s:o}", "vendor", vendor, "rules", "INV-ATOMIC", "holds",
                     "INV-TERMINAL", "holds", "given", br_fuzz_sequence_world(), "steps", steps);
}
