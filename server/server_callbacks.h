/* libmicrohttpd's callbacks for one request (server.c), which server_start.c gives the
 * daemon: the request's state is made at its URI, fed by each call for its head and body,
 * and freed when the connection is done with it. */
#ifndef BR_SERVER_CALLBACKS_H
#define BR_SERVER_CALLBACKS_H

#include <microhttpd.h>
#include <stddef.h>

void *br__server_on_uri(void *cls, const char *uri, struct MHD_Connection *c);
enum MHD_Result br__server_on_request(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls);
void br__server_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                             enum MHD_RequestTerminationCode toe);

#endif
