/* http_conn — the connection side both rekapd listeners share: the
 * libmicrohttpd daemon on an address and port, the thread count, and what
 * keeps slow and hostile clients from holding the listener (docs/API.md,
 * "Limits"; docs/RELIABILITY.md, "Hostile clients"):
 *
 *   deadlines  libmicrohttpd's own timeout only measures silence, which a
 *              client trickling one byte at a time never produces;
 *   a floor    while a request's line, headers or body arrive, at least
 *              min_rate bytes a second over every window of rate_window_s
 *              seconds (the kernel's count of bytes received, TCP_INFO), so
 *              a trickle is cut within a window, not at the deadline;
 *   shares     at most conn_per_ip connections per address, and once the
 *              listener holds HTTP_CONN_PRESSURE of its budget, fair
 *              shares: an address holding its share of the budget (3/4 of
 *              it split evenly among the addresses connected) is refused
 *              new connections, and the reaper cuts the excess of every
 *              address over its share, its slowest connections first. So
 *              twenty attacking addresses cannot take every slot, and a
 *              newcomer always finds the last quarter of the budget free.
 *              One address alone (a proxy in front) shares with no one:
 *              it has the whole budget.
 *
 * A reaper thread looks at every connection once a second and
 * shutdown()s what is to be cut; libmicrohttpd then sees the end of the
 * stream and closes the connection in its own thread. A connection is in
 * one of four states:
 *   idle      reading a request's line and headers, or between requests:
 *             cut idle_timeout_s after `since`; the floor applies once a
 *             byte of a request has come (an idle keep-alive connection is
 *             left to the deadline)
 *   request   its headers are in, its body arriving: cut request_timeout_s
 *             after `since` (since is not moved by http_conn_request, so
 *             this is the whole request, headers included); the floor
 *   answer    the whole request is in, the answer is being made or sent:
 *             the same deadline, no floor (nothing more is to arrive)
 *   held      not cut (waiting for another thread, or an answer of the
 *             public listener being sent); the listener's timeouts are
 *             MHD's own there
 * Refusals and cuts are counted (on_event, for /metrics) and logged as
 * summaries (http_logsum), never one line per connection. */
#ifndef REKAP_HTTP_CONN_H
#define REKAP_HTTP_CONN_H

#include <microhttpd.h>

#include "core/err.h"

typedef struct http_conn http_conn;     /* one TCP connection */
typedef struct http_conns http_conns;   /* a listener's connections and reaper */

/* Fair shares apply from this share of the budget (numerator over 4). */
#define HTTP_CONN_PRESSURE_QUARTERS 3
/* Seconds between two summary lines of one kind in the log. */
#define HTTP_CONN_LOG_INTERVAL 10.0

typedef enum http_conn_event {
    HTTP_CUT_DEADLINE,     /* past its deadline */
    HTTP_CUT_SLOW,         /* under the floor */
    HTTP_CUT_SHARE,        /* its address over its fair share */
    HTTP_REFUSE_PER_IP,    /* its address at conn_per_ip */
    HTTP_REFUSE_SHARE,     /* its address at its fair share */
    HTTP_REFUSE_CONN_MAX,  /* the budget is full (libmicrohttpd refused it) */
    HTTP_CONN_EVENTS
} http_conn_event;

/* The kind of each event in the log's summaries ("deadline", "slow",
 * "share", "per_ip", "share", "conn_max"). */
extern const char *const http_conn_event_kind[HTTP_CONN_EVENTS];

typedef struct http_conns_config {
    const char *name;            /* the listener, in the log: "ingest", "public" */
    unsigned idle_timeout_s;     /* headers, and idle between requests */
    unsigned request_timeout_s;  /* from the end of idle to the answer */
    unsigned min_rate;           /* bytes a second while a request arrives; 0: no floor */
    unsigned rate_window_s;      /* the floor's window (at least 1) */
    unsigned conn_max;           /* the listener's budget (at least 1) */
    unsigned conn_per_ip;        /* per address; 0: no cap */
    /* called for each refusal and cut (any thread, maybe under the list
     * lock: keep it to a counter); may be NULL */
    void (*on_event)(void *cls, http_conn_event ev);
    void *cls;
} http_conns_config;

/* Set the calling thread's niceness (Linux threads have their own); a
 * system call only when it changes. */
void http_thread_nice(int nice);

/* Start the reaper. HTTP_THREAD when it cannot be started (nothing left
 * behind). */
int http_conns_new(const http_conns_config *cfg, http_conns **out, err_info *e);
/* Stop the reaper, write the pending summaries and free; after
 * MHD_stop_daemon (which closes, so unlists, every connection). NULL is a
 * no-op. */
void http_conns_free(http_conns *cs);

/* A refusal the listener made itself (a 429: kind "rate_limited",
 * "key_rate_limited"), into the log's summaries with c's address. */
void http_conns_refused(http_conns *cs, const char *kind, struct MHD_Connection *c);

/* The connection of c (its MHD socket context), NULL when unknown. */
http_conn *http_conn_of(struct MHD_Connection *c);
/* State changes (any thread, lock-free; a NULL connection is a no-op). */
void http_conn_request(http_conn *pc); /* headers in: the request deadline */
void http_conn_answer(http_conn *pc);  /* the whole request in: no floor */
void http_conn_hold(http_conn *pc);    /* not cut until released or idle */
void http_conn_release(http_conn *pc); /* held -> answer, its deadline restarting now */
void http_conn_idle(http_conn *pc);    /* request over: the idle deadline from now */

/* Threads of a listener: `want` if not 0, else per_cpu per online core;
 * within 1..max. */
unsigned http_threads(unsigned want, unsigned per_cpu, unsigned max);

/* Make sure the process may open `need` file descriptors: the soft limit
 * is raised (up to the hard limit) when lower. HTTP_FD_LIMIT, saying how
 * many are needed and allowed, when the hard limit is lower. */
int http_fd_reserve(unsigned long need, err_info *e);

/* One listener's daemon. Beyond what both listeners use (an internal
 * epoll thread pool, a 1024 backlog, the budget and shares of `conns`,
 * libmicrohttpd's messages summarised in the log under the listener's
 * name), the caller gives: */
typedef struct http_listen_config {
    const char *addr;            /* IPv4 or IPv6 text */
    unsigned port;               /* 0: ephemeral */
    unsigned flags;              /* extra MHD_USE_* flags */
    unsigned threads;            /* the pool's size (http_threads) */
    unsigned timeout_s;          /* MHD's silence timeout */
    size_t memory_limit;         /* per connection */
    MHD_AccessHandlerCallback access;
    MHD_RequestCompletedCallback completed;
    void *cls;                   /* of access and completed */
    http_conns *conns;           /* its connections: deadlines, floor, shares */
} http_listen_config;

/* Start the daemon into *out. HTTP_PORT (port > 65535), HTTP_ADDR (not an
 * address), HTTP_LISTEN (cannot listen). */
int http_listen(const http_listen_config *cfg, struct MHD_Daemon **out, err_info *e);

#endif
