/* The mock server: the model behind libmicrohttpd, with the admin API (server/README.md). */
#ifndef BR_SERVER_H
#define BR_SERVER_H

#include "brcheck/model.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct br_server br_server;

typedef enum { BR_CLOCK_VIRTUAL, BR_CLOCK_WALL } br_clock_mode;

typedef struct {
    const char *listen;       /* "127.0.0.1:8080", "[::1]:8080", "127.0.0.1:0" (any port) */
    const json_t *world;      /* borrowed; NULL: the built-in demo world */
    br_clock_mode clock;      /* virtual (default) or wall */
    const char *state_path;   /* journal file, NULL: none */
    br_rule mutant;           /* BR_RULE_COUNT: none */
    int64_t seed;             /* -1: the world's own */
    const char *admin_token;  /* NULL: "admin-demo-token" */
    unsigned threads;         /* 0: chosen by the server */
    unsigned max_connections; /* 0: 4096 */
    unsigned idle_timeout;    /* seconds a connection may sit idle; 0: 30 */
    unsigned header_timeout;  /* seconds a request's head may take to arrive (slowloris); 0: 10 */
    unsigned nonce_timeout;   /* seconds an Atlas Digest nonce lives; 0: 300 */
    bool quiet;               /* no request log on stderr */
} br_server_config;

/* Starts serving in background threads. Returns NULL and writes err on failure (address in
 * use, bad world, unreadable journal). */
br_server *br_server_start(const br_server_config *cfg, char *err, size_t errlen);
/* The port actually bound (useful with port 0). */
unsigned br_server_port(const br_server *s);
/* Stops accepting connections (a request arriving on one already open is answered 503 and
 * the connection closed), lets every request that had begun get its answer (waiting at most
 * BR_SERVER_STOP_WAIT seconds: a delay fault may hold one 60 s), closes the journal, frees.
 * Accepts NULL. */
#define BR_SERVER_STOP_WAIT 65
void br_server_stop(br_server *s);

/* For fuzzing and tests without a network: a server with no listening socket, driven by the
 * caller's thread (no background threads). Same configuration as br_server_start; 'listen'
 * is ignored. */
br_server *br_server_start_detached(const br_server_config *cfg, char *err, size_t errlen);
/* Hands raw bytes to a detached server as one client connection (over a socketpair) and
 * returns everything the server wrote back before closing it (owned; *out_len set), or NULL
 * on a system failure. The connection is closed for writing after the bytes. */
char *br_server_feed(br_server *s, const void *data, size_t len, size_t *out_len);

/* The built-in demo world (documented in README.md). New reference. */
json_t *br_server_demo_world(void);

#endif
