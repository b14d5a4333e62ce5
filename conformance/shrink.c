/* Shrinking (shrink.h): a step that diverges alone; else blocks deleted from the end, each
 * as long as it can be, keeping the time their waits made; then ddmin over steps (Zeller and
 * Hildebrandt); then one field at a time, then single-step removal until no step can go. */
#include "shrink.h"

#include <stdlib.h>
#include <string.h>

typedef struct {
    br_fuzz_env env;
    const br_divergence *first;
    unsigned plays, max_plays;
} shrinker;

/* Plays a copy of the candidate; on the same divergence returns the played copy (with its
 * captures, cut after the diverging step), else NULL. */
static json_t *reproduces(shrinker *s, const json_t *candidate)
{
    if (s->max_plays && s->plays >= s->max_plays) return NULL;
    if (json_array_size(candidate) == 0) return NULL;
    s->plays++;
    json_t *copy = json_deep_copy(candidate);
    if (!copy) return NULL;
    br_divergence d = {0};
    int rc = br_fuzz_play(&s->env, copy, &d);
    bool same =
        rc == 1 && d.kind == s->first->kind &&
        (d.kind == BR_DIV_ANSWER || d.kind == BR_DIV_WORLD || strcmp(d.rule, s->first->rule) == 0);
    if (same)
        while (json_array_size(copy) > (size_t)d.step)
            json_array_remove(copy, json_array_size(copy) - 1);
    br_divergence_clear(&d);
    if (!same) {
        json_decref(copy);
        return NULL;
    }
    return copy;
}

/* steps[from, to) as a new array, or everything but that range when 'complement'. */
static json_t *slice(const json_t *steps, size_t from, size_t to, bool complement)
{
    json_t *out = json_array();
    for (size_t i = 0; out && i < json_array_size(steps); i++)
        if ((i >= from && i < to) != complement) json_array_append(out, json_array_get(steps, i));
    return out;
}

static json_int_t advance_of(const json_t *step)
{
    const json_t *a = json_object_get(step, "advance");
    return json_is_integer(a) ? json_integer_value(a) : 0;
}

/* Appends a wait of 'secs' to out, into the wait out ends with if it does. */
static void append_wait(json_t *out, json_int_t secs)
{
    if (!out || secs <= 0) return;
    size_t n = json_array_size(out);
    json_int_t last = n ? advance_of(json_array_get(out, n - 1)) : 0;
    if (last > 0)
        json_array_set_new(out, n - 1, json_pack("{s:I}", "advance", last + secs));
    else
        json_array_append_new(out, json_pack("{s:I}", "advance", secs));
}

/* The steps without [from, to), and in their place one wait as long as the waits among them
 * (merged into a wait just before; none after the last step kept). NULL when that is not
 * shorter than steps. */
static json_t *without_keeping_time(const json_t *steps, size_t from, size_t to)
{
    json_t *out = json_array();
    json_int_t skipped = 0;
    for (size_t i = 0; out && i < json_array_size(steps); i++) {
        const json_t *step = json_array_get(steps, i);
        if (i >= from && i < to) {
            skipped += advance_of(step);
            continue;
        }
        append_wait(out, skipped);
        skipped = 0;
        if (advance_of(step) > 0)
            append_wait(out, advance_of(step));
        else
            json_array_append(out, (json_t *)step);
    }
    if (out && json_array_size(out) >= json_array_size(steps)) {
        json_decref(out);
        return NULL;
    }
    return out;
}

/* A step that diverges alone, the last one first: the shortest result there is, found with
 * plays of one step each (a step using an id an earlier step revealed stops at once). NULL
 * when no step does. */
static json_t *one_step_alone(shrinker *s, const json_t *steps)
{
    for (size_t i = json_array_size(steps); i-- > 0;) {
        json_t *cand = slice(steps, i, i + 1, false);
        json_t *ok = cand ? reproduces(s, cand) : NULL;
        json_decref(cand);
        if (ok) return ok;
        if (s->max_plays && s->plays >= s->max_plays) break;
    }
    return NULL;
}

/* The steps without [end - k, end), keeping their waits; the played copy when that reproduces,
 * else NULL. */
static json_t *without_block(shrinker *s, const json_t *steps, size_t end, size_t k)
{
    json_t *cand = without_keeping_time(steps, end - k, end);
    json_t *ok = cand ? reproduces(s, cand) : NULL;
    json_decref(cand);
    return ok;
}

/* Deletes blocks from the end backwards, each as long as it can be: from the block of one step
 * before 'end', the length doubles while the shorter sequence still diverges, then a binary
 * search finds the longest block that goes (MacIver's adaptive deletion). A long sequence
 * whose divergence needs a few of its steps loses the rest in a few plays per step kept,
 * where ddmin takes one chunk of 1/n at a time. */
static json_t *delete_blocks(shrinker *s, json_t *steps)
{
    size_t end = json_array_size(steps);
    while (end > 0 && json_array_size(steps) > 1) {
        if (end > json_array_size(steps)) end = json_array_size(steps);
        json_t *best = without_block(s, steps, end, 1);
        if (!best) {
            end--;
            continue;
        }
        /* lo goes; hi (when not 0) does not: doubling until one does not, then halving */
        size_t lo = 1, hi = 0;
        while (hi ? hi - lo > 1 : lo < end) {
            size_t k = hi ? lo + (hi - lo) / 2 : lo * 2 < end ? lo * 2 : end;
            json_t *ok = without_block(s, steps, end, k);
            if (ok) {
                json_decref(best);
                best = ok;
                lo = k;
            } else {
                hi = k;
            }
        }
        json_decref(steps);
        steps = best;
        end -= lo;
        if (s->max_plays && s->plays >= s->max_plays) break;
    }
    return steps;
}

/* ddmin; a complement that diverges is removed and the scan goes on from the next chunk
 * (starting again from the first chunk cost a play per chunk kept, each time). */
static json_t *ddmin(shrinker *s, json_t *steps)
{
    size_t n = 2;
    size_t start = 0;
    while (json_array_size(steps) >= 2) {
        size_t len = json_array_size(steps);
        if (n > len) n = len;
        bool reduced = false;
        for (int pass = 0; pass < 2 && !reduced; pass++) {
            for (size_t j = 0; j < n && !reduced; j++) {
                size_t i = pass == 0 ? j : (start + j) % n;
                size_t from = len * i / n, to = len * (i + 1) / n;
                json_t *cand = slice(steps, from, to, pass == 1);
                json_t *ok = cand ? reproduces(s, cand) : NULL;
                json_decref(cand);
                if (ok) {
                    json_decref(steps);
                    steps = ok;
                    n = pass == 0 ? 2 : (n > 2 ? n - 1 : 2);
                    start = pass == 0 ? 0 : i;
                    reduced = true;
                }
            }
        }
        if (!reduced) {
            if (n >= len) break;
            n = n * 2 < len ? n * 2 : len;
        }
        if (s->max_plays && s->plays >= s->max_plays) break;
    }
    return steps;
}

/* ---- simpler versions of one step ---- */

static void add_variant(json_t *list, json_t *v)
{
    if (v) json_array_append_new(list, v);
}

/* Variants that drop one member of an object or shrink one integer under 'v' (inside
 * 'step'; each variant is a copy of the whole step). 'path' locates v in a copy. */
static void field_variants(json_t *list, const json_t *step, const char *const *path, size_t depth,
                           const json_t *v)
{
    const char *k;
    json_t *e;
    size_t i;
    if (depth >= 8) return;
    const char *sub[9];
    for (size_t d = 0; d < depth; d++)
        sub[d] = path[d];
    if (json_is_object(v)) {
        json_object_foreach((json_t *)v, k, e)
        {
            json_t *copy = json_deep_copy(step);
            json_t *at = copy;
            for (size_t d = 0; d < depth && at; d++)
                at = json_is_array(at) ? json_array_get(at, (size_t)atol(path[d]))
                                       : json_object_get(at, path[d]);
            if (at) json_object_del(at, k);
            add_variant(list, copy);
            sub[depth] = k;
            field_variants(list, step, sub, depth + 1, e);
        }
    } else if (json_is_array(v)) {
        char idx[8][16];
        json_array_foreach(v, i, e)
        {
            if (i >= 8) break;
            snprintf(idx[i], sizeof idx[i], "%zu", i);
            sub[depth] = idx[i];
            field_variants(list, step, sub, depth + 1, e);
        }
    } else if (json_is_integer(v) && json_integer_value(v) != 0) {
        json_int_t n = json_integer_value(v);
        json_int_t smaller[] = {0, 1, n / 2};
        for (size_t s = 0; s < 3; s++) {
            if (smaller[s] == n || (s == 2 && (smaller[s] == 0 || smaller[s] == 1))) continue;
            json_t *copy = json_deep_copy(step);
            json_t *parent = copy;
            for (size_t d = 0; d + 1 < depth && parent; d++)
                parent = json_is_array(parent) ? json_array_get(parent, (size_t)atol(path[d]))
                                               : json_object_get(parent, path[d]);
            if (json_is_object(parent))
                json_object_set_new(parent, path[depth - 1], json_integer(smaller[s]));
            else if (json_is_array(parent))
                json_array_set_new(parent, (size_t)atol(path[depth - 1]), json_integer(smaller[s]));
            add_variant(list, copy);
        }
    }
}

/* A copy of the step without query parameter k (0-based); NULL when there is none. */
static json_t *drop_query(const json_t *step, size_t k)
{
    const char *path = json_string_value(json_object_get(json_object_get(step, "request"), "path"));
    const char *q = path ? strchr(path, '?') : NULL;
    if (!q) return NULL;
    char out[2048];
    size_t n = (size_t)(q - path), kept = 0;
    if (n >= sizeof out) return NULL;
    memcpy(out, path, n);
    out[n] = '\0';
    bool dropped = false;
    size_t idx = 0;
    for (const char *p = q + 1; *p; idx++) {
        size_t l = strcspn(p, "&");
        if (idx == k) {
            dropped = true;
        } else if (n + l + 2 < sizeof out) {
            out[n++] = kept++ ? '&' : '?';
            memcpy(out + n, p, l);
            n += l;
            out[n] = '\0';
        }
        p += l + (p[l] == '&');
    }
    if (!dropped) return NULL;
    json_t *copy = json_deep_copy(step);
    json_object_set_new(json_object_get(copy, "request"), "path", json_string(out));
    return copy;
}

static json_t *variants(const json_t *step)
{
    json_t *list = json_array();
    const json_t *req = json_object_get(step, "request");
    if (req) {
        for (size_t k = 0;; k++) {
            json_t *v = drop_query(step, k);
            if (!v) break;
            add_variant(list, v);
        }
        static const char *const optional[] = {"headers", "callerIp", NULL};
        for (size_t i = 0; optional[i]; i++)
            if (json_object_get(req, optional[i])) {
                json_t *copy = json_deep_copy(step);
                json_object_del(json_object_get(copy, "request"), optional[i]);
                add_variant(list, copy);
            }
        const char *path[] = {"request", "body"};
        if (json_object_get(req, "body"))
            field_variants(list, step, path, 2, json_object_get(req, "body"));
    }
    json_t *adv = json_object_get(step, "advance");
    if (json_is_integer(adv) && json_integer_value(adv) > 1) {
        json_int_t n = json_integer_value(adv);
        json_int_t smaller[] = {1, n / 2};
        for (size_t s = 0; s < 2; s++)
            if (smaller[s] >= 1 && smaller[s] < n && (s == 0 || smaller[s] != 1))
                add_variant(list, json_pack("{s:I}", "advance", smaller[s]));
    }
    return list;
}

static json_t *simplify(shrinker *s, json_t *steps)
{
    for (size_t i = 0; i < json_array_size(steps); i++) {
        bool again = true;
        while (again) {
            again = false;
            json_t *list = variants(json_array_get(steps, i));
            size_t k;
            json_t *v;
            json_array_foreach(list, k, v)
            {
                json_t *cand = json_copy(steps);
                json_array_set(cand, i, v);
                json_t *ok = reproduces(s, cand);
                json_decref(cand);
                if (ok) {
                    json_decref(steps);
                    steps = ok;
                    again = i < json_array_size(steps);
                    break;
                }
            }
            json_decref(list);
            if (s->max_plays && s->plays >= s->max_plays) return steps;
        }
    }
    return steps;
}

/* Removes single steps until none can go: the result is 1-minimal. */
static json_t *one_minimal(shrinker *s, json_t *steps)
{
    for (size_t i = 0; i < json_array_size(steps) && json_array_size(steps) > 1;) {
        json_t *cand = slice(steps, i, i + 1, true);
        json_t *ok = cand ? reproduces(s, cand) : NULL;
        json_decref(cand);
        if (ok) {
            json_decref(steps);
            steps = ok;
            i = 0;
        } else {
            i++;
        }
        if (s->max_plays && s->plays >= s->max_plays) break;
    }
    return steps;
}

/* Two waits in a row become one. */
static json_t *merge_advances(shrinker *s, json_t *steps)
{
    for (size_t i = 0; i + 1 < json_array_size(steps);) {
        json_t *a = json_object_get(json_array_get(steps, i), "advance");
        json_t *b = json_object_get(json_array_get(steps, i + 1), "advance");
        json_t *ok = NULL;
        if (json_is_integer(a) && json_is_integer(b)) {
            json_t *cand = slice(steps, i + 1, i + 2, true);
            json_array_set_new(
                cand, i,
                json_pack("{s:I}", "advance", json_integer_value(a) + json_integer_value(b)));
            ok = reproduces(s, cand);
            json_decref(cand);
        }
        if (ok) {
            json_decref(steps);
            steps = ok;
        } else {
            i++;
        }
        if (s->max_plays && s->plays >= s->max_plays) break;
    }
    return steps;
}

json_t *br_shrink(const br_fuzz_env *env, const json_t *steps, const br_divergence *first,
                  unsigned max_plays, br_shrink_stats *stats)
{
    shrinker s = {.env = *env, .first = first, .max_plays = max_plays};
    s.env.compare_world = env->compare_world && first->kind == BR_DIV_WORLD;
    s.env.world_every = 1; /* short sequences: after every state-changing step */
    json_t *cur = slice(steps, 0, (size_t)first->step, false);
    if (!cur) return NULL;
    json_t *ok = reproduces(&s, cur);
    if (ok) { /* the cut sequence diverges as it did: shrink from there */
        json_decref(cur);
        cur = ok;
        json_t *alone = one_step_alone(&s, cur);
        if (alone) {
            json_decref(cur);
            cur = alone;
        }
        /* long sequences: the worlds compared every 32 state-changing steps, as while fuzzing
         * (a divergence seen later is cut there); every step once they are short */
        s.env.world_every = 32;
        cur = delete_blocks(&s, cur);
        s.env.world_every = 1;
        cur = ddmin(&s, cur);
        cur = merge_advances(&s, cur);
        cur = simplify(&s, cur);
        cur = one_minimal(&s, cur);
    }
    if (stats) {
        stats->plays = s.plays;
        stats->from = json_array_size(steps);
        stats->to = json_array_size(cur);
    }
    return cur;
}
