/* Content of clusters and backups: databases and collections/tables with content versions,
 * the material INV-CONTENT and INV-SOURCE are checked on. */
#include "world.h"

#include "hash.h"

#include <stdio.h>
#include <string.h>

void br__content_free(br_content *c)
{
    if (!c) return;
    br__free(c->items);
    br__free(c->dbs);
    memset(c, 0, sizeof *c);
}

void br__content_clear(br_content *c)
{
    c->n_items = 0;
    c->n_dbs = 0;
}

int br__content_copy(br_content *dst, const br_content *src)
{
    br_content t = {0};
    if (br__grow((void **)&t.items, &t.cap_items, src->n_items, sizeof *t.items) ||
        br__grow((void **)&t.dbs, &t.cap_dbs, src->n_dbs, sizeof *t.dbs)) {
        br__content_free(&t);
        return BR_ENOMEM;
    }
    if (src->n_items) memcpy(t.items, src->items, src->n_items * sizeof *t.items);
    if (src->n_dbs) memcpy(t.dbs, src->dbs, src->n_dbs * sizeof *t.dbs);
    t.n_items = src->n_items;
    t.n_dbs = src->n_dbs;
    br__content_free(dst);
    *dst = t;
    return BR_OK;
}

br_content *br__content_snapshot(const br_content *src)
{
    br_content *s = br__calloc(1, sizeof *s);
    if (!s) return NULL;
    if (br__content_copy(s, src)) {
        br__free(s);
        return NULL;
    }
    s->refs = 1;
    return s;
}

br_content *br__content_adopt(br_content *c)
{
    br_content *s = br__malloc(sizeof *s);
    if (!s) return NULL;
    *s = *c;
    s->refs = 1;
    memset(c, 0, sizeof *c);
    return s;
}

br_content *br__content_share(br_content *snap)
{
    if (snap) snap->refs++;
    return snap;
}

void br__content_release(br_content *snap)
{
    if (!snap || --snap->refs > 0) return;
    br__content_free(snap);
    br__free(snap);
}

bool br__content_same(const br_content *a, const br_content *b)
{
    return a->n_items == b->n_items && a->n_dbs == b->n_dbs &&
           (!a->n_items || memcmp(a->items, b->items, a->n_items * sizeof *a->items) == 0) &&
           (!a->n_dbs || memcmp(a->dbs, b->dbs, a->n_dbs * sizeof *a->dbs) == 0);
}

bool br__content_has_db(const br_content *c, const char *db)
{
    for (size_t i = 0; i < c->n_dbs; i++)
        if (strcmp(c->dbs[i], db) == 0) return true;
    return false;
}

int br__content_add_db(br_content *c, const char *db)
{
    if (br__content_has_db(c, db)) return BR_OK;
    if (br__grow((void **)&c->dbs, &c->cap_dbs, c->n_dbs + 1, sizeof *c->dbs)) return BR_ENOMEM;
    snprintf(c->dbs[c->n_dbs++], BR_NAME_MAX, "%s", db);
    return BR_OK;
}

long br__content_find(const br_content *c, const char *db, const char *schema, const char *name)
{
    for (size_t i = 0; i < c->n_items; i++) {
        const br_item *it = &c->items[i];
        if (strcmp(it->db, db) == 0 && strcmp(it->name, name) == 0 &&
            (!schema || strcmp(it->schema, schema) == 0))
            return (long)i;
    }
    return -1;
}

long br__content_add(br_content *c, const char *db, const char *schema, const char *name,
                     int64_t version, bool loaded)
{
    if (br__content_add_db(c, db) ||
        br__grow((void **)&c->items, &c->cap_items, c->n_items + 1, sizeof *c->items))
        return -1;
    br_item *it = &c->items[c->n_items];
    memset(it, 0, sizeof *it);
    snprintf(it->db, sizeof it->db, "%s", db);
    snprintf(it->schema, sizeof it->schema, "%s", schema ? schema : "");
    snprintf(it->name, sizeof it->name, "%s", name);
    it->version = version;
    it->loaded = loaded;
    return (long)c->n_items++;
}

void br__content_remove_db(br_content *c, const char *db)
{
    size_t k = 0;
    for (size_t i = 0; i < c->n_items; i++)
        if (strcmp(c->items[i].db, db) != 0) c->items[k++] = c->items[i];
    c->n_items = k;
    k = 0;
    for (size_t i = 0; i < c->n_dbs; i++)
        if (strcmp(c->dbs[i], db) != 0) memcpy(c->dbs[k++], c->dbs[i], BR_NAME_MAX);
    c->n_dbs = k;
}

uint64_t br__content_hash(const br_content *c)
{
    uint64_t sum = 0x9e3779b97f4a7c15ULL;
    for (size_t i = 0; i < c->n_items; i++) {
        const br_item *it = &c->items[i];
        uint64_t h = br__mix_field(br__mix_field(br__mix_field(1, it->db), it->schema), it->name);
        h = br__mix(h, (uint64_t)it->version);
        sum += h ^ (h >> 33); /* order-independent */
    }
    for (size_t i = 0; i < c->n_dbs; i++)
        sum += br__mix_field(7, c->dbs[i]) * 31;
    return sum;
}
