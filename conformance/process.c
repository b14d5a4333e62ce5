/* Process settings (process.h). brcheck builds worlds and frees them one after another (a
 * world per fixture in `run`, per sequence in `fuzz` and the harnesses, per PUT of the
 * server's admin API), and a world grows its object arrays by doubling. By default glibc gives
 * the top of its heap back to the kernel once 128 KiB of it is free and maps large blocks
 * apart, so each new world touched fresh pages again: a page fault per 4 KiB, about 13 µs on
 * the virtual machines this project is measured on, when a day of a cluster's automatic
 * backups costs the model under 0.5 µs. Keeping up to 256 MiB of freed heap, and mapping apart
 * only blocks of 32 MiB and more (the arrays of a million-backup world; a mapped block grows
 * with mremap, without a copy), lets the next world reuse those pages. */
#include "process.h"

#include <stdlib.h> /* through <features.h>: __GLIBC__ on glibc */
#ifdef __GLIBC__
#include <malloc.h>
#endif

void br_process_init(void)
{
    static int done;
    if (done) return;
    done = 1;
#ifdef __GLIBC__
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
#endif
}
