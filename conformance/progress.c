/* The progress line on a terminal (see progress.h). */
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct br_progress {
    FILE *out;
    size_t total;
    bool tty, drawn;
    double start, delay, last;
};

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

br_progress *br_progress_new_opts(FILE *out, size_t total, bool tty, double delay)
{
    br_progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    p->out = out;
    p->total = total;
    p->tty = tty && out;
    p->delay = delay;
    p->start = now();
    p->last = -1;
    return p;
}

br_progress *br_progress_new(FILE *out, size_t total)
{
    return br_progress_new_opts(out, total, out && isatty(fileno(out)), 1.0);
}

void br_progress_step(br_progress *p, size_t done, const char *label)
{
    if (!p || !p->tty) return;
    double t = now();
    if (t - p->start < p->delay) return;
    if (p->drawn && t - p->last < 0.1 && done < p->total) return;
    p->last = t;
    /* \r to the line start, the text (cut to fit a narrow terminal), \033[K clears the
     * rest of the previous text. Control characters in the label are not sent. */
    char text[96];
    snprintf(text, sizeof text, "[%zu/%zu] %s", done, p->total, label ? label : "");
    for (char *c = text; *c; c++)
        if ((unsigned char)*c < 0x20 || *c == 0x7f) *c = '?';
    fprintf(p->out, "\r%s\033[K", text);
    fflush(p->out);
    p->drawn = true;
}

void br_progress_end(br_progress *p)
{
    if (!p) return;
    if (p->drawn) {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
    free(p);
}

void br_progress_callback(void *ctx, size_t done, size_t total, const char *label)
{
    (void)total;
    br_progress_step(ctx, done, label);
}
