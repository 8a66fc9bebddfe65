/* http_conn — owns what the two rekapd listeners do alike with their TCP
 * side (http_conn.h): the daemon's address and options, the thread count,
 * and the per-connection deadline with its reaper thread.
 *
 * The list of connections and each fd change under the list's lock (only
 * at connect, close and cut); since and state are atomics a request
 * updates without taking it (a lock every request takes would be one more
 * thing all the listener's threads meet on). `since` is stored before
 * `state` and the reaper loads state first, so a state it sees comes with
 * the since stored with it. */
#include "http/http_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/resource.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "core/mem.h"
#include "http/http_util.h"

enum { CONN_IDLE, CONN_REQUEST, CONN_HELD };

struct http_conn {
    struct http_conn *prev, *next;
    int fd;                      /* -1 once cut */
    atomic_llong since_ms;       /* start of the current deadline */
    atomic_int state;            /* CONN_* */
};

struct http_conns {
    http_conns_config cfg;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    http_conn *list;
    pthread_t reaper;
    int stop;
};

static long long conn_now_ms(void)
{
    return (long long)(http_now() * 1000.0);
}

/* ---------------------------------------------------------------- state */

http_conn *http_conn_of(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void conn_set(http_conn *pc, int state, int restart)
{
    if (!pc)
        return;
    if (restart)
        atomic_store(&pc->since_ms, conn_now_ms());
    atomic_store(&pc->state, state);
}

void http_conn_request(http_conn *pc) { conn_set(pc, CONN_REQUEST, 0); }
void http_conn_hold(http_conn *pc) { conn_set(pc, CONN_HELD, 1); }
void http_conn_release(http_conn *pc) { conn_set(pc, CONN_REQUEST, 1); }
void http_conn_idle(http_conn *pc) { conn_set(pc, CONN_IDLE, 1); }

/* --------------------------------------------------------------- reaper */

void http_thread_nice(int nice)
{
    static _Thread_local int current;
    if (nice == current)
        return;
    current = nice;
    /* PRIO_PROCESS with 0 is the calling thread on Linux; where it is not
     * permitted the priority simply stays as it was */
    (void)setpriority(PRIO_PROCESS, 0, nice);
}

/* MHD_OPTION_NOTIFY_CONNECTION: list a connection when it opens, unlist
 * it when it closes. MHD closes the socket after this notice: once
 * unlisted here, the reaper can never touch a descriptor that was reused. */
static void conn_notify(void *cls, struct MHD_Connection *c, void **socket_context,
                        enum MHD_ConnectionNotificationCode toe)
{
    http_conns *cs = cls;
    http_conn *pc = *socket_context;
    pthread_mutex_lock(&cs->lock);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
        pc = mem_calloc(1, sizeof *pc);
        pc->fd = ci ? ci->connect_fd : -1;
        atomic_init(&pc->since_ms, conn_now_ms());
        atomic_init(&pc->state, CONN_IDLE);
        pc->next = cs->list;
        if (cs->list)
            cs->list->prev = pc;
        cs->list = pc;
        *socket_context = pc;
    } else if (pc) {
        if (pc->prev)
            pc->prev->next = pc->next;
        else
            cs->list = pc->next;
        if (pc->next)
            pc->next->prev = pc->prev;
        free(pc);
        *socket_context = NULL;
    }
    pthread_mutex_unlock(&cs->lock);
}

static int conn_overdue(const http_conns *cs, http_conn *pc, long long now)
{
    int state = atomic_load(&pc->state);
    if (state == CONN_HELD || pc->fd < 0)
        return 0;
    long long limit = state == CONN_REQUEST ? cs->cfg.request_timeout_s : cs->cfg.idle_timeout_s;
    return now - atomic_load(&pc->since_ms) > limit * 1000;
}

/* Every second: shut down the connections past their deadline.
 * shutdown() does not close the descriptor; MHD sees the end of the
 * stream and closes the connection in its own thread. */
static void *conn_reaper(void *arg)
{
    http_conns *cs = arg;
    pthread_mutex_lock(&cs->lock);
    while (!cs->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += 1;
        pthread_cond_timedwait(&cs->wake, &cs->lock, &ts);
        long long now = conn_now_ms();
        for (http_conn *pc = cs->list; pc; pc = pc->next)
            if (conn_overdue(cs, pc, now)) {
                shutdown(pc->fd, SHUT_RDWR);
                pc->fd = -1; /* once */
                if (cs->cfg.on_cut)
                    cs->cfg.on_cut(cs->cfg.cls);
            }
    }
    pthread_mutex_unlock(&cs->lock);
    return NULL;
}

int http_conns_new(const http_conns_config *cfg, http_conns **out, err_info *e)
{
    http_conns *cs = mem_calloc(1, sizeof *cs);
    cs->cfg = *cfg;
    pthread_mutex_init(&cs->lock, NULL);
    pthread_cond_init(&cs->wake, NULL);
    if (pthread_create(&cs->reaper, NULL, conn_reaper, cs) != 0) {
        pthread_mutex_destroy(&cs->lock);
        pthread_cond_destroy(&cs->wake);
        free(cs);
        return err_set(e, ERR_IO, "HTTP_THREAD", "", "cannot start the deadline thread");
    }
    *out = cs;
    return 0;
}

void http_conns_free(http_conns *cs)
{
    if (!cs)
        return;
    pthread_mutex_lock(&cs->lock);
    cs->stop = 1;
    pthread_cond_signal(&cs->wake);
    pthread_mutex_unlock(&cs->lock);
    pthread_join(cs->reaper, NULL);
    pthread_mutex_destroy(&cs->lock);
    pthread_cond_destroy(&cs->wake);
    free(cs);
}

/* --------------------------------------------------------------- listen */

unsigned http_threads(unsigned want, unsigned per_cpu, unsigned max)
{
    long n = want;
    if (!want) {
        n = sysconf(_SC_NPROCESSORS_ONLN);
        n = (n < 1 ? 1 : n) * (long)per_cpu;
    }
    return n < 1 ? 1 : n > (long)max ? max : (unsigned)n;
}

/* The listen address: IPv4 or IPv6 text, into ss; 1 for IPv6. */
static int conn_sockaddr(const char *addr, unsigned port, struct sockaddr_storage *ss, err_info *e)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (port > 65535)
        return err_set(e, ERR_INVALID, "HTTP_PORT", "port", "a port is 0..65535");
    if (inet_pton(AF_INET, addr, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((uint16_t)port);
        return 0;
    }
    if (inet_pton(AF_INET6, addr, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((uint16_t)port);
        return 1;
    }
    return err_set(e, ERR_INVALID, "HTTP_ADDR", addr, "not an IPv4 or IPv6 address");
}

/* MHD's error messages, as log lines; cls is the listener's name. */
static void conn_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char msg[512];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    http_log(HTTP_LOG_WARN, "mhd",
             json_pack("{s:s,s:s}", "listener", (const char *)cls, "message", msg));
}

int http_listen(const http_listen_config *cfg, struct MHD_Daemon **out, err_info *e)
{
    struct sockaddr_storage ss;
    int v6 = conn_sockaddr(cfg->addr, cfg->port, &ss, e);
    if (v6 < 0)
        return v6;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     cfg->flags | (v6 ? MHD_USE_IPv6 : 0);
    /* clang-format off: one option per line */
    *out = MHD_start_daemon(flags, (uint16_t)cfg->port, NULL, NULL, cfg->access, cfg->cls,
                            /* first, so it gets every message */
                            MHD_OPTION_EXTERNAL_LOGGER, conn_mhd_log, (void *)cfg->name,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
                            MHD_OPTION_CONNECTION_LIMIT, cfg->conn_max,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, cfg->conn_per_ip,
                            MHD_OPTION_CONNECTION_TIMEOUT, cfg->timeout_s,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, cfg->memory_limit,
                            MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u,
                            MHD_OPTION_NOTIFY_COMPLETED, cfg->completed, cfg->cls,
                            MHD_OPTION_NOTIFY_CONNECTION, conn_notify, cfg->conns,
                            MHD_OPTION_END);
    /* clang-format on */
    if (!*out)
        return err_set(e, ERR_IO, "HTTP_LISTEN", cfg->addr, "cannot listen on port %u: %s",
                       cfg->port, strerror(errno));
    return 0;
}
