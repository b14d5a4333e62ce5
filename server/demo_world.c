/* The built-in demo world of `brcheck serve` (server/demo_world.json, embedded at build time;
 * its ids and credentials are listed in README.md). */
#include "server.h"

extern const char br_demo_world_json[];

json_t *br_server_demo_world(void)
{
    json_error_t e;
    return json_loads(br_demo_world_json, 0, &e);
}
