/* A shadow of a world (br_world_shadow_sync): a byte copy of its object arrays, kept to tell
 * whether a request changed anything, at the cost of a memcmp where a digest hashes every
 * field. A byte difference is confirmed field by field before it counts: a string rewritten
 * to the value it had (other bytes left after its NUL) and the caches nothing observes do not
 * count as changes. Shared snapshots are compared by identity: that a snapshot never changes
 * is INV-SOURCE, which br_world_check verifies. */
#include "world.h"

#include "hash.h"

#include <stddef.h>
#include <string.h>

/* One copied array: 'n' elements, raw bytes. */
typedef struct {
    unsigned char *v;
    size_t n, cap; /* elements; cap in bytes */
} shadow_array;

/* The ids of the clusters, backups and jobs in the copies (INV-IDS): an open-addressing set of
 * references, (kind << 32 | index) + 1, into the copies. A sync adds the ids of new objects
 * only, and builds the set again when an id was rewritten or an object went away. */
typedef struct {
    uint64_t *slots;
    size_t cap, n; /* cap: a power of two, 0: none */
    bool valid;    /* holds every id of the copies, no id twice */
    bool twice;    /* the last sync found an id held twice: twice_id */
    char twice_id[BR_ID_MAX];
} id_set;

struct br_world_shadow {
    bool valid; /* false: nothing copied yet, or a copy failed: the next sync reports a change */
    br_time now;
    br_durations dur;
    br_rule mutant;
    bool strict;
    shadow_array orgs, projects, keys, clusters, backups, jobs;
    shadow_array access, grants, items, dbs; /* the per-object lists, end to end */
    uint8_t *dirty; /* per block of backups: changed or new at the last sync */
    size_t dirty_cap;
    id_set ids;
};

/* How an element type compares: its char-array fields (compared up to their NUL) and the
 * fields nothing observes (pointers to lists compared apart, caches), zeroed before a field
 * by field comparison. */
typedef struct {
    size_t off, len;
} span;

typedef struct {
    size_t size;
    const span *texts;
    size_t n_texts;
    const span *ignored;
    size_t n_ignored;
} layout;

#define SPAN(type, field)                                                                          \
    {                                                                                              \
        offsetof(type, field), sizeof(((type *)0)->field)                                          \
    }
#define LAYOUT(type, texts, ignored)                                                               \
    {                                                                                              \
        sizeof(type), texts, sizeof texts / sizeof *texts, ignored,                                \
            sizeof ignored / sizeof *ignored                                                       \
    }

static const span org_texts[] = {SPAN(br_org, id), SPAN(br_org, name)};
static const span org_ignored[] = {SPAN(br_org, access), SPAN(br_org, cap_access)};
static const span project_texts[] = {SPAN(br_project, id), SPAN(br_project, name)};
static const span key_texts[] = {SPAN(br_key, key), SPAN(br_key, secret)};
static const span key_ignored[] = {SPAN(br_key, grants)};
static const span cluster_texts[] = {
    SPAN(br_cluster, id),           SPAN(br_cluster, name),
    SPAN(br_cluster, plan),         SPAN(br_cluster, provider),
    SPAN(br_cluster, region),       SPAN(br_cluster, cu_type),
    SPAN(br_cluster, status),       SPAN(br_cluster, policy.frequency),
    SPAN(br_cluster, policy.window)};
static const span cluster_ignored[] = {
    SPAN(br_cluster, content.items), SPAN(br_cluster, content.cap_items),
    SPAN(br_cluster, content.dbs),   SPAN(br_cluster, content.cap_dbs),
    SPAN(br_cluster, content.refs),  SPAN(br_cluster, n_backups),
    SPAN(br_cluster, snap)};
static const span backup_texts[] = {SPAN(br_backup, id), SPAN(br_backup, name),
                                    SPAN(br_backup, status), SPAN(br_backup, type),
                                    SPAN(br_backup, mongo_version)};
static const span job_texts[] = {SPAN(br_job, id), SPAN(br_job, type), SPAN(br_job, status)};
static const span item_texts[] = {SPAN(br_item, db), SPAN(br_item, schema), SPAN(br_item, name)};
static const span whole_text[] = {{0, BR_NAME_MAX}};
static const span access_text[] = {{0, 48}};
static const span grant_texts[] = {SPAN(br_grant, role), SPAN(br_grant, scope)};
static const span none[] = {{0, 0}};

static const layout org_layout = LAYOUT(br_org, org_texts, org_ignored);
static const layout project_layout = LAYOUT(br_project, project_texts, none);
static const layout key_layout = LAYOUT(br_key, key_texts, key_ignored);
static const layout cluster_layout = LAYOUT(br_cluster, cluster_texts, cluster_ignored);
static const layout backup_layout = LAYOUT(br_backup, backup_texts, none);
static const layout job_layout = LAYOUT(br_job, job_texts, none);
static const layout item_layout = LAYOUT(br_item, item_texts, none);
static const layout db_layout = {BR_NAME_MAX, whole_text, 1, none, 0};
static const layout access_layout = {48, access_text, 1, none, 0};
static const layout grant_layout = LAYOUT(br_grant, grant_texts, none);

#define ELEMENT_MAX 1024
_Static_assert(sizeof(br_cluster) <= ELEMENT_MAX && sizeof(br_backup) <= ELEMENT_MAX &&
                   sizeof(br_job) <= ELEMENT_MAX && sizeof(br_org) <= ELEMENT_MAX &&
                   sizeof(br_key) <= ELEMENT_MAX && sizeof(br_item) <= ELEMENT_MAX,
               "an element fits the comparison buffers");
_Static_assert(sizeof(((br_org *)0)->access[0]) == 48, "access entries are 48 bytes");

/* An element as it is compared: ignored fields zeroed, strings cut at their NUL. */
static void normalize(unsigned char *out, const unsigned char *in, const layout *l)
{
    memcpy(out, in, l->size);
    for (size_t i = 0; i < l->n_ignored; i++)
        memset(out + l->ignored[i].off, 0, l->ignored[i].len);
    for (size_t i = 0; i < l->n_texts; i++) {
        unsigned char *s = out + l->texts[i].off;
        size_t n = strnlen((const char *)s, l->texts[i].len);
        if (n < l->texts[i].len) memset(s + n, 0, l->texts[i].len - n);
    }
}

/* Whether n elements at 'now' hold what the copy holds (the copy's own length). *stale: the
 * bytes differ (the copy needs refreshing even when the values do not). */
static bool same(const shadow_array *copy, const void *now, size_t n, const layout *l, bool *stale)
{
    if (copy->n != n) return false;
    if (n == 0 || memcmp(copy->v, now, n * l->size) == 0) return true;
    *stale = true;
    unsigned char a[ELEMENT_MAX], b[ELEMENT_MAX];
    const unsigned char *was = copy->v, *is = now;
    for (size_t i = 0; i < n; i++, was += l->size, is += l->size) {
        if (memcmp(was, is, l->size) == 0) continue;
        normalize(a, was, l);
        normalize(b, is, l);
        if (memcmp(a, b, l->size) != 0) return false;
    }
    return true;
}

static int reserve(shadow_array *copy, size_t bytes)
{
    if (bytes <= copy->cap) return BR_OK;
    size_t cap = copy->cap ? copy->cap : 4096;
    while (cap < bytes)
        cap *= 2;
    unsigned char *v = br__realloc(copy->v, cap);
    if (!v) return BR_ENOMEM;
    copy->v = v;
    copy->cap = cap;
    return BR_OK;
}

/* What a sync of one array records besides *changed: the blocks that differ or are new
 * (dirty, one flag per block, when not NULL) and whether an id, the first field of the
 * objects that have one, was rewritten (ids, when not NULL). */
typedef struct {
    uint8_t *dirty;
    bool *ids;
} seen;

/* Compares n elements at 'now' with the copy and brings the copy up to them in the same pass,
 * a block at a time: only the blocks that differ are copied (a step changes a few objects
 * and appends a few). *changed is set when a value differs. */
#define BLOCK BR__SHADOW_BLOCK
static int sync_array(shadow_array *copy, const void *now, size_t n, const layout *l, bool *changed,
                      seen saw)
{
    size_t common = copy->n < n ? copy->n : n;
    const unsigned char *is = now;
    for (size_t at = 0; at < common; at += BLOCK) {
        size_t k = common - at < BLOCK ? common - at : BLOCK;
        unsigned char *was = copy->v + at * l->size;
        const unsigned char *from = is + at * l->size;
        if (memcmp(was, from, k * l->size) == 0) continue;
        if (saw.dirty) saw.dirty[at / BLOCK] = 1;
        for (size_t i = 0; saw.ids && !*saw.ids && i < k; i++)
            *saw.ids = strncmp((const char *)was + i * l->size, (const char *)from + i * l->size,
                               BR_ID_MAX) != 0;
        if (!*changed) {
            shadow_array block = {was, k, 0};
            bool stale = false;
            *changed = !same(&block, from, k, l, &stale);
        }
        memcpy(was, from, k * l->size);
    }
    if (n != copy->n) {
        *changed = true;
        if (saw.ids && n < copy->n) *saw.ids = true; /* objects went away */
        if (reserve(copy, n * l->size)) return BR_ENOMEM;
        if (n > common)
            memcpy(copy->v + common * l->size, is + common * l->size, (n - common) * l->size);
        for (size_t at = common; saw.dirty && at < n; at += BLOCK - at % BLOCK)
            saw.dirty[at / BLOCK] = 1;
        copy->n = n;
    }
    return BR_OK;
}

/* ---- the id set ---- */

static const shadow_array *id_kind(const br_world_shadow *s, unsigned kind, size_t *size)
{
    *size = kind == 0 ? sizeof(br_cluster) : kind == 1 ? sizeof(br_backup) : sizeof(br_job);
    return kind == 0 ? &s->clusters : kind == 1 ? &s->backups : &s->jobs;
}

static const char *id_of(const br_world_shadow *s, uint64_t ref)
{
    size_t size;
    const shadow_array *a = id_kind(s, (unsigned)((ref - 1) >> 32), &size);
    return (const char *)a->v + (size_t)((ref - 1) & 0xffffffffu) * size;
}

/* The slot for an id: where it is, or the empty one where it would go. The set hashes an
 * id's first 16 bytes, where ids already differ, and compares whole ids (as br_world_check). */
static uint64_t *id_slot(const br_world_shadow *s, const char *id)
{
    unsigned bits = (unsigned)__builtin_ctzll(s->ids.cap);
    size_t mask = s->ids.cap - 1;
    for (size_t at = (size_t)(br__mix_chars(0, id, 16) >> (64 - bits));; at = (at + 1) & mask)
        if (!s->ids.slots[at] || strncmp(id_of(s, s->ids.slots[at]), id, BR_ID_MAX) == 0)
            return &s->ids.slots[at];
}

static int id_grow(br_world_shadow *s, size_t need)
{
    if (2 * need <= s->ids.cap) return BR_OK;
    size_t cap = s->ids.cap ? s->ids.cap : 64;
    while (cap < 2 * need)
        cap *= 2;
    uint64_t *old = s->ids.slots, *slots = br__calloc(cap, sizeof *slots);
    if (!slots) return BR_ENOMEM;
    size_t old_cap = s->ids.cap;
    s->ids.slots = slots;
    s->ids.cap = cap;
    for (size_t i = 0; i < old_cap; i++)
        if (old[i]) *id_slot(s, id_of(s, old[i])) = old[i];
    br__free(old);
    return BR_OK;
}

/* Adds the ids of objects [from, to) of a kind; one held already is recorded in twice_id and
 * leaves the set to be built again at the next sync (which finds it again). */
static int id_add(br_world_shadow *s, unsigned kind, size_t from, size_t to)
{
    if (from >= to) return BR_OK;
    if (id_grow(s, s->ids.n + (to - from))) return BR_ENOMEM;
    for (size_t i = from; i < to; i++) {
        uint64_t ref = ((uint64_t)kind << 32 | i) + 1;
        const char *id = id_of(s, ref);
        uint64_t *slot = id_slot(s, id);
        if (*slot) {
            if (!s->ids.twice) br__set_text(s->ids.twice_id, id);
            s->ids.twice = true;
            s->ids.valid = false;
            continue;
        }
        *slot = ref;
        s->ids.n++;
    }
    return BR_OK;
}

/* Brings the set up to the copies: new ids only (old counts given), or all of them. */
static int id_sync(br_world_shadow *s, const size_t old[3], bool rebuild)
{
    bool was_valid = s->ids.valid;
    s->ids.twice = false;
    s->ids.valid = true;
    if (rebuild || !was_valid) {
        if (s->ids.cap) memset(s->ids.slots, 0, s->ids.cap * sizeof *s->ids.slots);
        s->ids.n = 0;
    }
    int rc = BR_OK;
    for (unsigned kind = 0; !rc && kind < 3; kind++) {
        size_t size;
        const shadow_array *a = id_kind(s, kind, &size);
        if (a->n > 0xffffffffu) return BR_ENOMEM; /* a reference holds a 32-bit index */
        rc = id_add(s, kind, rebuild || !was_valid ? 0 : old[kind], a->n);
    }
    if (rc) s->ids.valid = false;
    return rc;
}

/* Appends n elements to a list copy (n counts elements of 'size'). */
static int append(shadow_array *copy, const void *src, size_t n, size_t size)
{
    if (reserve(copy, (copy->n + n) * size)) return BR_ENOMEM;
    if (n) memcpy(copy->v + copy->n * size, src, n * size);
    copy->n += n;
    return BR_OK;
}

/* The per-object lists compared against their copies, in object order. */
static bool same_lists(const br_world_shadow *s, const br_world *w, bool *stale)
{
    shadow_array part;
    size_t at = 0;
#define LIST(copy, ptr, count, lay)                                                                \
    do {                                                                                           \
        if (at + (count) > (copy).n) return false;                                                 \
        part = (shadow_array){(count) ? (copy).v + at * (lay).size : NULL, (count), 0};            \
        if (!same(&part, (ptr), (count), &(lay), stale)) return false;                             \
        at += (count);                                                                             \
    } while (0)
    for (size_t i = 0; i < w->n_orgs; i++)
        LIST(s->access, w->orgs[i].access, w->orgs[i].n_access, access_layout);
    if (at != s->access.n) return false;
    at = 0;
    for (size_t i = 0; i < w->n_keys; i++)
        LIST(s->grants, w->keys[i].grants, w->keys[i].n_grants, grant_layout);
    if (at != s->grants.n) return false;
    at = 0;
    for (size_t i = 0; i < w->n_clusters; i++)
        LIST(s->items, w->clusters[i].content.items, w->clusters[i].content.n_items, item_layout);
    if (at != s->items.n) return false;
    at = 0;
    for (size_t i = 0; i < w->n_clusters; i++)
        LIST(s->dbs, w->clusters[i].content.dbs, w->clusters[i].content.n_dbs, db_layout);
    return at == s->dbs.n;
#undef LIST
}

/* The per-object lists copied again, end to end. */
static int take_lists(br_world_shadow *s, const br_world *w)
{
    int rc = BR_OK;
    s->access.n = s->grants.n = s->items.n = s->dbs.n = 0;
    for (size_t i = 0; !rc && i < w->n_orgs; i++)
        rc = append(&s->access, w->orgs[i].access, w->orgs[i].n_access, 48);
    for (size_t i = 0; !rc && i < w->n_keys; i++)
        rc = append(&s->grants, w->keys[i].grants, w->keys[i].n_grants, sizeof(br_grant));
    for (size_t i = 0; !rc && i < w->n_clusters; i++) {
        const br_content *c = &w->clusters[i].content;
        rc = append(&s->items, c->items, c->n_items, sizeof *c->items);
        if (!rc) rc = append(&s->dbs, c->dbs, c->n_dbs, BR_NAME_MAX);
    }
    return rc;
}

br_world_shadow *br_world_shadow_new(void)
{
    return br__calloc(1, sizeof(br_world_shadow));
}

void br_world_shadow_free(br_world_shadow *s)
{
    if (!s) return;
    shadow_array *all[] = {&s->orgs, &s->projects, &s->keys,   &s->clusters, &s->backups,
                           &s->jobs, &s->access,   &s->grants, &s->items,    &s->dbs};
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
        br__free(all[i]->v);
    br__free(s->dirty);
    br__free(s->ids.slots);
    br__free(s);
}

int br_world_shadow_sync(br_world_shadow *s, const br_world *w, bool *changed)
{
    bool was_valid = s->valid;
    bool ch = !s->valid || s->now != w->now || memcmp(&s->dur, &w->dur, sizeof s->dur) != 0 ||
              s->mutant != w->mutant || s->strict != w->strict;
    s->valid = false; /* until every copy is brought up to w */
    s->now = w->now;
    s->dur = w->dur;
    s->mutant = w->mutant;
    s->strict = w->strict;
    size_t blocks = (w->n_backups + BLOCK - 1) / BLOCK;
    if (blocks > s->dirty_cap) {
        size_t cap = s->dirty_cap ? s->dirty_cap : 64;
        while (cap < blocks)
            cap *= 2;
        uint8_t *dirty = br__realloc(s->dirty, cap);
        if (!dirty) {
            *changed = true;
            return BR_ENOMEM;
        }
        s->dirty = dirty;
        s->dirty_cap = cap;
    }
    /* after a failed sync, what the copies hold is no guide: every block counts as changed */
    if (blocks) memset(s->dirty, !was_valid, blocks);
    size_t old[3] = {s->clusters.n, s->backups.n, s->jobs.n};
    bool rewritten = false;
    int rc = sync_array(&s->backups, w->backups, w->n_backups, &backup_layout, &ch,
                        (seen){s->dirty, &rewritten});
    if (!rc) rc = sync_array(&s->jobs, w->jobs, w->n_jobs, &job_layout, &ch, (seen){0, &rewritten});
    if (!rc)
        rc = sync_array(&s->clusters, w->clusters, w->n_clusters, &cluster_layout, &ch,
                        (seen){0, &rewritten});
    if (!rc) rc = sync_array(&s->orgs, w->orgs, w->n_orgs, &org_layout, &ch, (seen){0});
    if (!rc)
        rc = sync_array(&s->projects, w->projects, w->n_projects, &project_layout, &ch, (seen){0});
    if (!rc) rc = sync_array(&s->keys, w->keys, w->n_keys, &key_layout, &ch, (seen){0});
    if (!rc) rc = id_sync(s, old, rewritten || !was_valid);
    if (!rc) {
        bool stale = false, lists_same = same_lists(s, w, &stale);
        ch = ch || !lists_same;
        if (!lists_same || stale) rc = take_lists(s, w);
    }
    *changed = ch;
    s->valid = rc == BR_OK;
    return rc;
}

bool br__shadow_changes_get(const br_world_shadow *s, const br_world *w, br__shadow_changes *out)
{
    if (!s || !s->valid || (!s->ids.valid && !s->ids.twice) || s->now != w->now ||
        s->backups.n != w->n_backups || s->jobs.n != w->n_jobs || s->clusters.n != w->n_clusters)
        return false;
    out->backup_blocks = s->dirty;
    out->n_blocks = (w->n_backups + BLOCK - 1) / BLOCK;
    out->id_twice = s->ids.twice ? s->ids.twice_id : NULL;
    return true;
}
