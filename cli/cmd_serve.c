/* `brcheck serve`: the mock server of all three APIs on one port (server/README.md). */
#include "runner.h"
#include "server.h"

#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char serve_usage[] =
    "usage: brcheck serve [options]\n"
    "\n"
    "Serves Zilliz (/v2/...), CockroachDB (/api/v1/...) and Atlas (/api/atlas/v1.0|v2/...)\n"
    "from the model on one port, with an admin API under /_brcheck/v1/ (server/README.md).\n"
    "\n"
    "  --listen ADDR        HOST:PORT to listen on (default 127.0.0.1:8080; port 0: any)\n"
    "  --world FILE         the world to serve (fixture \"given\" format, or a fixture);\n"
    "                       default: the built-in demo world (README.md lists its ids)\n"
    "  --clock MODE         virtual (default: time moves only by the admin API) or wall\n"
    "                       (jobs and schedules run on real time)\n"
    "  --state FILE         journal every state change to FILE before answering; on start,\n"
    "                       replay it (a torn last record is dropped; a restart with other\n"
    "                       --world, --seed or --clock is refused)\n"
    "  --mutant RULE        serve the model with exactly that rule broken\n"
    "  --list-mutants       list the rules that have a mutant, and exit\n"
    "  --seed N             ids and passwords from seed N instead of the world's own\n"
    "  --admin-token T      the admin API's Bearer token (default admin-demo-token)\n"
    "  --port-file FILE     write the bound port to FILE once listening\n"
    "  --threads N          event threads (default 1: the best latency on loopback)\n"
    "  --max-connections N  concurrent connections (default 4096)\n"
    "  --idle-timeout S     close connections idle for S seconds (default 30)\n"
    "  --header-timeout S   close a connection whose request head (request line and headers)\n"
    "                       is not complete S seconds after it began (default 10)\n"
    "  --nonce-timeout S    lifetime of an Atlas Digest nonce (default 300)\n"
    "  --quiet              no request log on stderr\n"
    "The numbers N and S are 1..1000000 (--threads 1..256).\n"
    "\n"
    "Demo credentials: Zilliz 'Authorization: Bearer zilliz-demo-key'; CockroachDB\n"
    "'Authorization: Bearer crdb-demo-key'; Atlas Digest atlas-demo-public:atlas-demo-private.\n"
    "SIGINT or SIGTERM stops the server gracefully: no new connections, every request that had\n"
    "begun gets its answer (at most 65 s), then it exits; a second signal exits at once.\n"
    "\n"
    "Exit status: 0 after a stop by signal (1 when a second signal cut the stop short);\n"
    "2 on a bad option or value, an unreadable world or journal, or an address that cannot\n"
    "be listened on.\n";

/* The options of serve that take a value. */
static const char *const serve_options[] = {
    "--listen",       "--world",          "--clock",        "--state",   "--mutant",
    "--seed",         "--admin-token",    "--port-file",    "--threads", "--max-connections",
    "--idle-timeout", "--header-timeout", "--nonce-timeout"};

static bool serve_option(const char *a)
{
    for (size_t k = 0; k < sizeof serve_options / sizeof *serve_options; k++)
        if (strcmp(a, serve_options[k]) == 0) return true;
    return false;
}

static int list_mutants(void)
{
    int n = 0;
    for (int r = 0; r < BR_RULE_COUNT; r++) {
        if (!br_rule_has_mutant((br_rule)r)) continue;
        const json_t *rule = br_catalog_rule(br_rule_id((br_rule)r));
        printf("%-26s %.90s\n", br_rule_id((br_rule)r),
               json_string_value(json_object_get(rule, "statement")));
        n++;
    }
    fprintf(stderr, "%d mutants\n", n);
    return 0;
}

static bool parse_uint(const char *s, unsigned *out)
{
    char *end;
    unsigned long v = strtoul(s, &end, 10);
    /* 0 is refused: it would silently mean the default (or no limit at all). */
    if (*s < '1' || *s > '9' || *end || v > 1000000) return false;
    *out = (unsigned)v;
    return true;
}

/* A second SIGINT or SIGTERM while the stop waits for answers in flight: exit at once (the
 * journal holds every change that was answered or about to be). */
static void *second_signal(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    int sig = 0;
    sigwait(&set, &sig);
    static const char msg[] = "brcheck serve: second signal, exiting without waiting\n";
    if (write(2, msg, sizeof msg - 1) < 0) _exit(1);
    _exit(1);
}

/* A world file: a "given" object, or a whole fixture (its "given" is taken). */
static json_t *load_world(const char *path)
{
    json_error_t e;
    json_t *doc = json_load_file(path, 0, &e);
    if (!doc) {
        if (e.line > 0)
            fprintf(stderr, "brcheck serve: %s: %s (line %d)\n", path, e.text, e.line);
        else
            fprintf(stderr, "brcheck serve: %s: %s\n", path, e.text);
        return NULL;
    }
    json_t *given = json_object_get(doc, "given");
    if (json_is_object(given) && json_object_get(doc, "steps")) {
        json_incref(given);
        json_decref(doc);
        return given;
    }
    if (!json_is_object(doc)) {
        fprintf(stderr, "brcheck serve: %s is not a JSON object\n", path);
        json_decref(doc);
        return NULL;
    }
    return doc;
}

int br_cmd_serve(int argc, char **argv)
{
    br_server_config cfg = {
        .listen = "127.0.0.1:8080", .clock = BR_CLOCK_VIRTUAL, .mutant = BR_RULE_COUNT, .seed = -1};
    const char *world_path = NULL, *port_file = NULL;
    for (int i = 0; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            fputs(serve_usage, stdout);
            return 0;
        }
        if (strcmp(a, "--list-mutants") == 0) return list_mutants();
        if (strcmp(a, "--quiet") == 0) {
            cfg.quiet = true;
            continue;
        }
        if (a[0] != '-') {
            fprintf(stderr, "brcheck serve: %s is not an option (see brcheck serve --help)\n", a);
            return 2;
        }
        if (!serve_option(a)) {
            fprintf(stderr, "brcheck serve: unknown option %s (see brcheck serve --help)\n", a);
            return 2;
        }
        if (i + 1 >= argc) {
            fprintf(stderr, "brcheck serve: %s needs a value (see brcheck serve --help)\n", a);
            return 2;
        }
        const char *v = argv[++i];
        bool ok = true;
        if (strcmp(a, "--listen") == 0)
            cfg.listen = v;
        else if (strcmp(a, "--world") == 0)
            world_path = v;
        else if (strcmp(a, "--state") == 0)
            cfg.state_path = v;
        else if (strcmp(a, "--admin-token") == 0) {
            /* An empty token would let "Authorization: Bearer " through. */
            ok = *v != '\0' && strlen(v) < 128;
            cfg.admin_token = v;
        } else if (strcmp(a, "--port-file") == 0)
            port_file = v;
        else if (strcmp(a, "--clock") == 0) {
            ok = strcmp(v, "virtual") == 0 || strcmp(v, "wall") == 0;
            cfg.clock = strcmp(v, "wall") == 0 ? BR_CLOCK_WALL : BR_CLOCK_VIRTUAL;
        } else if (strcmp(a, "--mutant") == 0) {
            cfg.mutant = br_rule_from_id(v);
            ok = cfg.mutant != BR_RULE_COUNT && br_rule_has_mutant(cfg.mutant);
        } else if (strcmp(a, "--seed") == 0) {
            char *end;
            long long s = strtoll(v, &end, 10);
            ok = *v && !*end && s >= 0;
            cfg.seed = s;
        } else if (strcmp(a, "--threads") == 0)
            ok = parse_uint(v, &cfg.threads) && cfg.threads <= 256;
        else if (strcmp(a, "--max-connections") == 0)
            ok = parse_uint(v, &cfg.max_connections);
        else if (strcmp(a, "--idle-timeout") == 0)
            ok = parse_uint(v, &cfg.idle_timeout);
        else if (strcmp(a, "--header-timeout") == 0)
            ok = parse_uint(v, &cfg.header_timeout);
        else if (strcmp(a, "--nonce-timeout") == 0)
            ok = parse_uint(v, &cfg.nonce_timeout);
        else {
            fprintf(stderr, "brcheck serve: unknown option %s (see brcheck serve --help)\n", a);
            return 2;
        }
        if (!ok) {
            fprintf(stderr, "brcheck serve: bad value for %s: \"%s\"%s\n", a, v,
                    strcmp(a, "--mutant") == 0        ? " (brcheck serve --list-mutants)"
                    : strcmp(a, "--admin-token") == 0 ? " (a token of 1 to 127 characters)"
                    : strcmp(a, "--threads") == 0     ? " (1..256)"
                    : strcmp(a, "--clock") == 0 || strcmp(a, "--seed") == 0 ||
                            strcmp(a, "--listen") == 0
                        ? ""
                        : " (a whole number 1..1000000)");
            return 2;
        }
    }
    json_t *world = NULL;
    if (world_path && !(world = load_world(world_path))) return 2;
    cfg.world = world;

    /* Signals are taken by sigwait below; the server's threads inherit the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    /* A file size limit fails the journal's write (500 "cannot write the journal") instead of
     * killing the server. */
    signal(SIGXFSZ, SIG_IGN);

    char err[512];
    br_server *s = br_server_start(&cfg, err, sizeof err);
    json_decref(world);
    if (!s) {
        fprintf(stderr, "brcheck serve: %s\n", err);
        return 2;
    }
    unsigned port = br_server_port(s);
    if (port_file) {
        FILE *f = fopen(port_file, "w");
        if (!f || fprintf(f, "%u\n", port) < 0 || fclose(f) != 0) {
            fprintf(stderr, "brcheck serve: cannot write %s\n", port_file);
            br_server_stop(s);
            return 2;
        }
    }
    const char *host = cfg.listen;
    int hl = (int)(strrchr(host, ':') - host);
    printf("brcheck serve: listening on http://%.*s:%u (clock %s%s%s)\n", hl, host, port,
           cfg.clock == BR_CLOCK_WALL ? "wall" : "virtual",
           cfg.mutant != BR_RULE_COUNT ? ", mutant " : "",
           cfg.mutant != BR_RULE_COUNT ? br_rule_id(cfg.mutant) : "");
    if (!world_path)
        printf("  demo world. Zilliz:      -H 'Authorization: Bearer zilliz-demo-key'\n"
               "              CockroachDB: -H 'Authorization: Bearer crdb-demo-key'\n"
               "              Atlas:       --digest -u atlas-demo-public:atlas-demo-private\n");
    printf("  admin API: http://%.*s:%u/_brcheck/v1/ (Authorization: Bearer %s)\n", hl, host, port,
           cfg.admin_token ? "<your --admin-token>" : "admin-demo-token");
    fflush(stdout);
    int sig = 0;
    sigwait(&set, &sig);
    fprintf(stderr, "brcheck serve: %s, stopping (answering the requests in flight)\n",
            sig == SIGINT ? "SIGINT" : "SIGTERM");
    pthread_t second;
    if (pthread_create(&second, NULL, second_signal, NULL) == 0) pthread_detach(second);
    br_server_stop(s);
    return 0;
}
