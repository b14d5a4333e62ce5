/* Unit test of br_process_init (process.h): memory a world frees stays in the process for the
 * next one. With glibc's defaults a 4 MiB array is mapped apart and unmapped when freed, and
 * the top of the heap goes back to the kernel past 128 KiB: the next world pays a page fault
 * for each 4 KiB again. The sanitizer builds allocate with their own allocator: skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "process.h"

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define BR_OWN_ALLOCATOR 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define BR_OWN_ALLOCATOR 1
#endif
#endif

#if defined(__GLIBC__) && !defined(BR_OWN_ALLOCATOR)
#include <malloc.h>

static void freed_memory_stays(void **state)
{
    (void)state;
    br_process_init();
    br_process_init(); /* idempotent */
    enum { SIZE = 4 << 20 };
    struct mallinfo2 before = mallinfo2();
    char *p = malloc(SIZE);
    assert_non_null(p);
    memset(p, 1, SIZE);
    struct mallinfo2 in_use = mallinfo2();
    if (in_use.arena == before.arena && in_use.hblks == before.hblks) {
        free(p); /* not glibc's allocator (valgrind, a preloaded one): nothing to see */
        skip();
    }
    assert_int_equal(in_use.hblks, before.hblks); /* from the heap, not mapped apart */
    assert_true(in_use.arena >= before.arena + SIZE);
    free(p);
    struct mallinfo2 after = mallinfo2();
    assert_int_equal(after.arena, in_use.arena); /* the heap kept its top */
    assert_true(after.fordblks >= SIZE);         /* free for the next allocation */
    char *again = malloc(SIZE);
    assert_non_null(again);
    assert_int_equal(mallinfo2().arena, in_use.arena); /* reused: the heap did not grow */
    free(again);
}
#else
static void freed_memory_stays(void **state)
{
    (void)state;
    br_process_init();
    skip();
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(freed_memory_stays)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
