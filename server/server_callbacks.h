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
/* Connections opening and closing: tracks when each request's head began, so that a
 * watchdog can close connections whose head takes longer than the header timeout. */
void br__server_on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
                              enum MHD_ConnectionNotificationCode toe);
/* The watchdog thread (arg: the server): closes connections past their header deadline. */
void *br__server_watchdog(void *arg);
void br__server_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                             enum MHD_RequestTerminationCode toe);

#endif
