/* Model allocation, with failure injection for the allocation-failure loop (style.md:
 * "fail on purpose"). jansson is routed through the same functions. */
#include "world.h"

#include <stdlib.h>
#include <string.h>

static unsigned long fail_countdown; /* 0: off; 1: the next allocation fails */
static unsigned long failures;

static bool should_fail(void)
{
    if (fail_countdown == 0) return false;
    if (--fail_countdown == 0) {
        failures++;
        fail_countdown = 1; /* keep failing: persistent fault */
        return true;
    }
    return false;
}

void br_alloc_fail_after(unsigned long n)
{
    fail_countdown = n;
    failures = 0;
}

unsigned long br_alloc_failures(void)
{
    return failures;
}

void *br__malloc(size_t n)
{
    return should_fail() ? NULL : malloc(n ? n : 1);
}

void *br__calloc(size_t n, size_t size)
{
    return should_fail() ? NULL : calloc(n ? n : 1, size ? size : 1);
}

void *br__realloc(void *p, size_t n)
{
    return should_fail() ? NULL : realloc(p, n ? n : 1);
}

void br__free(void *p)
{
    free(p);
}

char *br__strdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = br__malloc(n);
    if (d) memcpy(d, s, n);
    return d;
}

static int grow(void **v, size_t *cap, size_t need, size_t size, bool zero)
{
    if (need <= *cap) return BR_OK;
    size_t ncap = *cap ? *cap * 2 : 8;
    while (ncap < need)
        ncap *= 2;
    void *nv = br__realloc(*v, ncap * size);
    if (!nv) return BR_ENOMEM;
    if (zero) memset((char *)nv + *cap * size, 0, (ncap - *cap) * size);
    *v = nv;
    *cap = ncap;
    return BR_OK;
}

int br__grow(void **v, size_t *cap, size_t need, size_t size)
{
    return grow(v, cap, need, size, true);
}

int br__grow_unzeroed(void **v, size_t *cap, size_t need, size_t size)
{
    return grow(v, cap, need, size, false);
}

/* jansson uses the model's allocator from the first world on (idempotent). */
void br__alloc_init(void);
void br__alloc_init(void)
{
    static bool done;
    if (!done) {
        json_set_alloc_funcs(br__malloc, br__free);
        done = true;
    }
}

const char *br_strerror(int err)
{
    switch (err) {
#define BR_ERR_MSG(name, num, msg)                                                                 \
    case num:                                                                                      \
        return msg;
        BR_ERRNO_MAP(BR_ERR_MSG)
#undef BR_ERR_MSG
    }
    return "unknown error";
}
