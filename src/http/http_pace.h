/* http_pace — requests that wait their turn. A client over its rate
 * (http_limit's limiter_take_wait) is not refused at once: its connection
 * is suspended (libmicrohttpd's MHD_suspend_connection, so no listener
 * thread waits) and resumed by the pacer's thread when its token is due,
 * then answered as usual. This is how a crawler at 16 connections from one
 * address is slowed to the rate instead of being refused, the way nginx's
 * `limit_req ... burst=` delays requests (docs/API.md, "Protection").
 *
 * Bounded: at most `cap` connections wait (the listener's connection cap,
 * as a connection waits with at most one request); the caller refuses a
 * request pace_defer cannot take. The daemon must be started with
 * MHD_ALLOW_SUSPEND_RESUME. */
#ifndef REKAP_HTTP_PACE_H
#define REKAP_HTTP_PACE_H

#include <stddef.h>

#include <microhttpd.h>

#include "core/err.h"

typedef struct pacer pacer;

/* Start the pacer's thread. HTTP_THREAD when it cannot be started. */
int pace_new(size_t cap, pacer **out, err_info *e);
/* Suspend c (from within its access handler) until `due` (http_now()
 * seconds); it is then resumed and its handler called again. 0, or -1 when
 * cap connections already wait (c is not suspended). */
int pace_defer(pacer *p, struct MHD_Connection *c, double due);
/* Resume every waiting connection now (before MHD_stop_daemon, which
 * requires it); later pace_defer calls fail. */
void pace_drain(pacer *p);
/* Drain, stop the thread and free. NULL is a no-op. */
void pace_free(pacer *p);
/* Connections waiting now, and requests deferred since the start. */
size_t pace_waiting(pacer *p);
unsigned long long pace_deferred(pacer *p);

#endif
