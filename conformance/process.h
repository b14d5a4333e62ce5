/* Settings every brcheck program makes at start: the command, the fuzz harnesses and the
 * benchmarks (which measure the model as the command runs it). */
#ifndef BR_PROCESS_H
#define BR_PROCESS_H

/* Keeps freed memory in the process for the next allocation instead of giving it back to the
 * kernel. Idempotent. */
void br_process_init(void);

#endif
