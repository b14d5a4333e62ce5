/* A progress line on a terminal while fixtures run: "[37/92] fixture-id", drawn only when the
 * stream is a TTY and the run has lasted more than a delay, redrawn at most ten times a
 * second, and cleared at the end. Nothing at all is written to a stream that is not a TTY. */
#ifndef BR_PROGRESS_H
#define BR_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct br_progress br_progress;

/* For 'out' (borrowed): active when out is a TTY; the line appears after one second. */
br_progress *br_progress_new(FILE *out, size_t total);
/* The same with the decision made by the caller (tests): 'tty' forces the terminal
 * behaviour, 'delay' is the quiet time in seconds before the first line. */
br_progress *br_progress_new_opts(FILE *out, size_t total, bool tty, double delay);
/* Fixture 'done' (1-based) of total is starting; 'label' is its id. NULL-safe. */
void br_progress_step(br_progress *p, size_t done, const char *label);
/* Clears the line if one was drawn, and frees. NULL-safe. */
void br_progress_end(br_progress *p);
/* Adapter for br_run_set_progress: ctx is a br_progress. */
void br_progress_callback(void *ctx, size_t done, size_t total, const char *label);

#endif
