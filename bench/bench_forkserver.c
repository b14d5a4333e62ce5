/* The fork server's floor: what one input costs in AFL++'s persistent mode before any harness
 * code runs, on this machine. Three processes play the protocol afl-fuzz and its runtime
 * play, with nothing else: the fuzzer writes a word to the fork server's control pipe; the
 * fork server wakes the stopped child (SIGCONT) and writes its pid back; the child runs an
 * empty input and stops itself (SIGSTOP); the fork server, in waitpid(WUNTRACED), sees it
 * stop and writes the status back to the fuzzer. All three are pinned to one core, as
 * afl-fuzz binds itself and its target. Also a plain pipe round trip between two processes
 * (two context switches), the unit the protocol is made of.
 *
 * The inverse of the protocol's round trip is the most any harness can reach under afl-fuzz
 * here: bench/bench_fuzz.sh prints it beside the harnesses' execs/s.
 * usage: bench_forkserver [SECONDS] [CPU]  (defaults: 2 seconds per part, the core it starts on) */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int put(int fd, int32_t v)
{
    return write(fd, &v, sizeof v) == (ssize_t)sizeof v ? 0 : -1;
}

static int get(int fd, int32_t *v)
{
    return read(fd, v, sizeof *v) == (ssize_t)sizeof *v ? 0 : -1;
}

/* Two processes passing a word back and forth; returns round trips per second, or -1. */
static double pipe_round_trips(double seconds)
{
    int there[2], back[2];
    if (pipe(there) || pipe(back)) return -1;
    pid_t echo = fork();
    if (echo < 0) return -1;
    if (echo == 0) {
        int32_t v;
        while (get(there[0], &v) == 0 && v >= 0)
            if (put(back[1], v)) break;
        _exit(0);
    }
    long n = 0;
    double start = now_s(), end = start;
    int32_t v = 0;
    while (end - start < seconds) {
        for (int i = 0; i < 256; i++, n++)
            if (put(there[1], 0) || get(back[0], &v)) n = -1000000000L;
        end = now_s();
    }
    put(there[1], -1);
    waitpid(echo, NULL, 0);
    close(there[0]), close(there[1]), close(back[0]), close(back[1]);
    return n > 0 ? (double)n / (end - start) : -1;
}

/* The fork server: forks the child once, then per control word wakes it, reports its pid,
 * waits for it to stop and reports the status (what afl-fuzz's runtime does in persistent
 * mode between inputs). A negative control word ends it. */
static void fork_server(int ctl, int st)
{
    pid_t child = fork();
    if (child < 0) _exit(1);
    if (child == 0) {
        for (;;)
            raise(SIGSTOP); /* each stop ends one (empty) input */
    }
    int status;
    if (waitpid(child, &status, WUNTRACED) != child) _exit(1); /* stopped before the first */
    int32_t word;
    while (get(ctl, &word) == 0 && word >= 0) {
        if (kill(child, SIGCONT)) break;
        if (put(st, (int32_t)child)) break;
        if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status)) break;
        if (put(st, (int32_t)status)) break;
    }
    kill(child, SIGKILL);
    waitpid(child, NULL, 0);
    _exit(0);
}

/* Inputs per second through the protocol, or -1. */
static double protocol_round_trips(double seconds)
{
    int ctl[2], st[2];
    if (pipe(ctl) || pipe(st)) return -1;
    pid_t server = fork();
    if (server < 0) return -1;
    if (server == 0) fork_server(ctl[0], st[1]);
    long n = 0;
    double start = now_s(), end = start;
    int32_t pid, status;
    while (end - start < seconds && n >= 0) {
        for (int i = 0; i < 64; i++, n++)
            if (put(ctl[1], 0) || get(st[0], &pid) || get(st[0], &status)) {
                n = -1;
                break;
            }
        end = now_s();
    }
    put(ctl[1], -1);
    waitpid(server, NULL, 0);
    close(ctl[0]), close(ctl[1]), close(st[0]), close(st[1]);
    return n > 0 ? (double)n / (end - start) : -1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
        puts("usage: bench_forkserver [SECONDS] [CPU]\n"
             "AFL++'s persistent-mode round trip (fuzzer, fork server, stopped child) with an\n"
             "empty input, all pinned to one core: the most execs/s any harness reaches under\n"
             "afl-fuzz on this machine. SECONDS per part (default 2); CPU (default: the current).");
        return 0;
    }
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    if (!(seconds > 0 && seconds <= 600)) {
        fprintf(stderr, "bench_forkserver: SECONDS must be in (0, 600]\n");
        return 2;
    }
    int cpu = argc > 2 ? atoi(argv[2]) : sched_getcpu();
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu < 0 ? 0 : cpu, &set);
    if (sched_setaffinity(0, sizeof set, &set))
        fprintf(stderr, "bench_forkserver: not pinned to core %d: %s\n", cpu, strerror(errno));
    double pipe_rt = pipe_round_trips(seconds);
    double proto = protocol_round_trips(seconds);
    if (pipe_rt <= 0 || proto <= 0) {
        fprintf(stderr, "bench_forkserver: a process or a pipe failed\n");
        return 1;
    }
    printf("pipe round trip (2 context switches): %.2f us\n", 1e6 / pipe_rt);
    printf("persistent-mode round trip (fuzzer, fork server, stopped child): %.2f us\n",
           1e6 / proto);
    printf("fork server floor: %.0f execs/s at most, on core %d\n", proto, cpu);
    return 0;
}
