/* http_conn — the connection side both rekapd listeners share: the
 * libmicrohttpd daemon on an address and port, the thread count, and the
 * deadline on every TCP connection.
 *
 * The deadline exists because libmicrohttpd's own timeout only measures
 * silence, which a client trickling one byte at a time never produces. A
 * reaper thread looks at every connection once a second and shutdown()s
 * one past its deadline; libmicrohttpd then sees the end of the stream
 * and closes the connection in its own thread. A connection is in one of
 * three states:
 *   idle      reading a request's line and headers, or between requests:
 *             cut idle_timeout_s after `since`
 *   request   its headers are in: cut request_timeout_s after `since`
 *             (since is not moved by http_conn_request, so this is the
 *             whole request, headers included)
 *   held      not cut (an answer being sent, or waiting for another
 *             thread); the listener's timeouts are MHD's own there */
#ifndef REKAP_HTTP_CONN_H
#define REKAP_HTTP_CONN_H

#include <microhttpd.h>

#include "core/err.h"

typedef struct http_conn http_conn;     /* one TCP connection */
typedef struct http_conns http_conns;   /* a listener's connections and reaper */

typedef struct http_conns_config {
    unsigned idle_timeout_s;     /* headers, and idle between requests */
    unsigned request_timeout_s;  /* from the end of idle to the answer */
    /* called (reaper thread, list lock held: keep it short) for each cut;
     * may be NULL */
    void (*on_cut)(void *cls);
    void *cls;
} http_conns_config;

/* Set the calling thread's niceness (Linux threads have their own); a
 * system call only when it changes. */
void http_thread_nice(int nice);

/* Start the reaper. HTTP_THREAD when it cannot be started (nothing left
 * behind). */
int http_conns_new(const http_conns_config *cfg, http_conns **out, err_info *e);
/* Stop the reaper and free; after MHD_stop_daemon (which closes, so
 * unlists, every connection). NULL is a no-op. */
void http_conns_free(http_conns *cs);

/* The connection of c (its MHD socket context), NULL when unknown. */
http_conn *http_conn_of(struct MHD_Connection *c);
/* State changes (any thread, lock-free; a NULL connection is a no-op). */
void http_conn_request(http_conn *pc); /* headers in: the request deadline */
void http_conn_hold(http_conn *pc);    /* not cut until released or idle */
void http_conn_release(http_conn *pc); /* held -> request, its deadline restarting now */
void http_conn_idle(http_conn *pc);    /* request over: the idle deadline from now */

/* Threads of a listener: `want` if not 0, else per_cpu per online core;
 * within 1..max. */
unsigned http_threads(unsigned want, unsigned per_cpu, unsigned max);

/* One listener's daemon. Beyond what both listeners use (an internal
 * epoll thread pool, a 1024 backlog, errors logged as "mhd" lines naming
 * `name`), the caller gives: */
typedef struct http_listen_config {
    const char *name;            /* for the log: "ingest", "public" */
    const char *addr;            /* IPv4 or IPv6 text */
    unsigned port;               /* 0: ephemeral */
    unsigned flags;              /* extra MHD_USE_* flags */
    unsigned threads;            /* the pool's size (http_threads) */
    unsigned conn_max, conn_per_ip;
    unsigned timeout_s;          /* MHD's silence timeout */
    size_t memory_limit;         /* per connection */
    MHD_AccessHandlerCallback access;
    MHD_RequestCompletedCallback completed;
    void *cls;                   /* of access and completed */
    http_conns *conns;           /* the deadlines of its connections */
} http_listen_config;

/* Start the daemon into *out. HTTP_PORT (port > 65535), HTTP_ADDR (not an
 * address), HTTP_LISTEN (cannot listen). */
int http_listen(const http_listen_config *cfg, struct MHD_Daemon **out, err_info *e);

#endif
