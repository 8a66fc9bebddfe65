/* http_conn — owns what the two rekapd listeners do alike with their TCP
 * side (http_conn.h): the daemon's address and options, the thread count,
 * and what keeps slow and hostile clients from holding a listener: the
 * deadlines, the floor and the fair shares, with the reaper thread that
 * enforces them and the summaries of refusals and cuts in the log.
 *
 * The list of connections, the table of addresses, each fd and the
 * reaper's bookkeeping of a connection change under the list's lock (at
 * connect, accept, close and each reaper round); since and state are
 * atomics a request updates without taking it (a lock every request takes
 * would be one more thing all the listener's threads meet on). `since` is
 * stored before `state` and the reaper loads state first, so a state it
 * sees comes with the since stored with it. */
#include "http/http_conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/tcp.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/mem.h"
#include "http/http_logsum.h"
#include "http/http_util.h"

enum { CONN_IDLE, CONN_REQUEST, CONN_ANSWER, CONN_HELD };

const char *const http_conn_event_kind[HTTP_CONN_EVENTS] = {
    "deadline", "slow", "share", "per_ip", "share", "conn_max",
};

struct http_conn {
    struct http_conn *prev, *next;
    int fd;                      /* -1 once cut */
    atomic_llong since_ms;       /* start of the current deadline */
    atomic_int state;            /* CONN_* */
    /* the rest is the list lock's */
    uint8_t key[HTTP_CLIENT_KEY_MAX];
    size_t klen;                 /* 0: an address not counted */
    /* the floor: the window of the state (win_state, win_since) */
    int win_state;
    long long win_since, win_ms; /* win_ms 0: no window open (idle, nothing came) */
    uint64_t win_bytes;          /* received when the window opened */
    /* who is slowest: bytes a second, smoothed over the reaper's rounds */
    long long last_ms;
    uint64_t last_bytes;
    double speed;
};

/* One client address with connections (a place of the open-addressing
 * table; len 0: free). */
typedef struct conn_addr {
    uint8_t key[HTTP_CLIENT_KEY_MAX];
    size_t len;
    uint64_t hash;
    unsigned count;
} conn_addr;

struct http_conns {
    http_conns_config cfg;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    http_conn *list;
    unsigned n;                  /* connections listed */
    conn_addr *addr;             /* 2^k places, at least twice the budget */
    size_t addr_cap;
    unsigned naddr;              /* addresses with connections */
    unsigned char hkey[crypto_shorthash_KEYBYTES];
    http_conn **cand;            /* the trim's scratch */
    size_t cand_cap;
    logsum *log;
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
void http_conn_answer(http_conn *pc) { conn_set(pc, CONN_ANSWER, 0); }
void http_conn_hold(http_conn *pc) { conn_set(pc, CONN_HELD, 1); }
void http_conn_release(http_conn *pc) { conn_set(pc, CONN_ANSWER, 1); }
void http_conn_idle(http_conn *pc) { conn_set(pc, CONN_IDLE, 1); }

/* ------------------------------------------------------------ addresses */

/* The place of key: where it is, or the free place where it would go.
 * Never full: the table has twice the budget's places. */
static size_t conn_addr_find(const http_conns *cs, const uint8_t *key, size_t len, uint64_t *hash)
{
    crypto_shorthash((unsigned char *)hash, key, len, cs->hkey);
    size_t mask = cs->addr_cap - 1, i = (size_t)*hash & mask;
    while (cs->addr[i].len && (cs->addr[i].len != len || memcmp(cs->addr[i].key, key, len)))
        i = (i + 1) & mask;
    return i;
}

/* Connections of key now. */
static unsigned conn_addr_count(const http_conns *cs, const uint8_t *key, size_t len)
{
    uint64_t h;
    const conn_addr *a = &cs->addr[conn_addr_find(cs, key, len, &h)];
    return a->len ? a->count : 0;
}

static void conn_addr_add(http_conns *cs, const uint8_t *key, size_t len)
{
    uint64_t h;
    conn_addr *a = &cs->addr[conn_addr_find(cs, key, len, &h)];
    if (!a->len) {
        memcpy(a->key, key, len);
        a->len = len;
        a->hash = h;
        a->count = 0;
        cs->naddr++;
    }
    a->count++;
}

/* Free place i, moving back the places after it that probed past it
 * (linear probing's deletion: no tombstones, so the table never fills
 * with them however many addresses come and go). */
static void conn_addr_free(http_conns *cs, size_t i)
{
    size_t mask = cs->addr_cap - 1;
    for (size_t j = (i + 1) & mask; cs->addr[j].len; j = (j + 1) & mask) {
        size_t home = (size_t)cs->addr[j].hash & mask;
        /* j may move to i unless its home lies cyclically in (i, j] */
        int stays = i <= j ? (home > i && home <= j) : (home > i || home <= j);
        if (!stays) {
            cs->addr[i] = cs->addr[j];
            i = j;
        }
    }
    cs->addr[i].len = 0;
    cs->naddr--;
}

static void conn_addr_del(http_conns *cs, const uint8_t *key, size_t len)
{
    uint64_t h;
    size_t i = conn_addr_find(cs, key, len, &h);
    if (cs->addr[i].len && --cs->addr[i].count == 0)
        conn_addr_free(cs, i);
}

/* --------------------------------------------------------------- shares */

/* Fair shares apply from this many connections on. */
static unsigned conn_pressure(const http_conns *cs)
{
    unsigned p = cs->cfg.conn_max / 4 * HTTP_CONN_PRESSURE_QUARTERS +
                 cs->cfg.conn_max % 4 * HTTP_CONN_PRESSURE_QUARTERS / 4;
    return p ? p : 1;
}

/* One address's share among `addrs`: the pressure level split evenly, so
 * the shares leave the rest of the budget to newcomers. */
static unsigned conn_share(const http_conns *cs, unsigned addrs)
{
    unsigned s = conn_pressure(cs) / (addrs ? addrs : 1);
    return s ? s : 1;
}

static void conn_event(http_conns *cs, http_conn_event ev, const uint8_t *key, size_t klen)
{
    if (cs->cfg.on_event)
        cs->cfg.on_event(cs->cfg.cls, ev);
    logsum_note(cs->log, ev <= HTTP_CUT_SHARE ? "cut" : "refused", http_conn_event_kind[ev], key,
                klen);
}

/* Whether a new connection from key is refused: the event, or -1. */
static int conn_admit(const http_conns *cs, const uint8_t *key, size_t klen)
{
    if (!klen)
        return -1;
    unsigned have = conn_addr_count(cs, key, klen);
    if (cs->cfg.conn_per_ip && have >= cs->cfg.conn_per_ip)
        return HTTP_REFUSE_PER_IP;
    unsigned addrs = cs->naddr + !have; /* alone (behind a proxy) it has no one to share with */
    if (addrs > 1 && cs->n >= conn_pressure(cs) && have >= conn_share(cs, addrs))
        return HTTP_REFUSE_SHARE;
    return -1;
}

/* libmicrohttpd's accept policy: before a connection is set up. (Counted
 * when it starts, a moment later: connections accepted at once by several
 * threads may pass an address's cap by a few.) */
static enum MHD_Result conn_accept(void *cls, const struct sockaddr *sa, socklen_t len)
{
    http_conns *cs = cls;
    uint8_t key[HTTP_CLIENT_KEY_MAX];
    size_t klen = len ? http_sockaddr_key(sa, key) : 0;
    pthread_mutex_lock(&cs->lock);
    int ev = conn_admit(cs, key, klen);
    pthread_mutex_unlock(&cs->lock);
    if (ev < 0)
        return MHD_YES;
    conn_event(cs, (http_conn_event)ev, key, klen);
    return MHD_NO;
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
        pc->win_state = -1;
        pc->klen = http_client_key(c, pc->key);
        if (pc->klen)
            conn_addr_add(cs, pc->key, pc->klen);
        pc->next = cs->list;
        if (cs->list)
            cs->list->prev = pc;
        cs->list = pc;
        cs->n++;
        *socket_context = pc;
    } else if (pc) {
        if (pc->prev)
            pc->prev->next = pc->next;
        else
            cs->list = pc->next;
        if (pc->next)
            pc->next->prev = pc->prev;
        if (pc->klen)
            conn_addr_del(cs, pc->key, pc->klen);
        cs->n--;
        free(pc);
        *socket_context = NULL;
    }
    pthread_mutex_unlock(&cs->lock);
}

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

/* Bytes the kernel has received on fd, in *b: 0, or -1 when it cannot
 * say (not TCP, or a kernel before 4.1). */
static int conn_bytes_in(int fd, uint64_t *b)
{
    struct tcp_info ti;
    socklen_t n = sizeof ti;
    memset(&ti, 0, sizeof ti);
    if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &n) < 0 ||
        n < offsetof(struct tcp_info, tcpi_bytes_received) + sizeof ti.tcpi_bytes_received)
        return -1;
    *b = ti.tcpi_bytes_received;
    return 0;
}

static void conn_cut(http_conns *cs, http_conn *pc, http_conn_event ev)
{
    shutdown(pc->fd, SHUT_RDWR);
    pc->fd = -1; /* once */
    conn_event(cs, ev, pc->key, pc->klen);
}

/* The speed the trim ranks by: bytes a second, averaged with the rounds
 * before (a connection that just paused is not yet the slowest). */
static void conn_speed(http_conn *pc, uint64_t b, long long now)
{
    if (pc->last_ms && now > pc->last_ms)
        pc->speed = (pc->speed + (double)(b - pc->last_bytes) * 1000.0 /
                                     (double)(now - pc->last_ms)) / 2;
    pc->last_ms = now;
    pc->last_bytes = b;
}

/* The floor: whether pc, reading a request, got fewer than min_rate bytes
 * a second over its last window. A window opens when a state begins (a
 * body is arriving) or, idle, with the first byte of the next request (so
 * an idle keep-alive connection is left to its deadline), and closes after
 * rate_window_s: under the floor the connection is cut, else the next
 * window opens. */
static int conn_slow(const http_conns *cs, http_conn *pc, int state, long long since, uint64_t b,
                     long long now)
{
    if (state != pc->win_state || since != pc->win_since) {
        pc->win_state = state;
        pc->win_since = since;
        pc->win_ms = state == CONN_REQUEST ? now : 0;
        pc->win_bytes = b;
        return 0;
    }
    if (!pc->win_ms) {
        if (b > pc->win_bytes)
            pc->win_ms = now; /* a request began: its bytes count in the window */
        return 0;
    }
    long long span = now - pc->win_ms;
    if (span < (long long)cs->cfg.rate_window_s * 1000)
        return 0;
    if ((b - pc->win_bytes) * 1000 < (uint64_t)cs->cfg.min_rate * (uint64_t)span)
        return 1;
    pc->win_ms = now;
    pc->win_bytes = b;
    return 0;
}

/* A round's look at one connection: its deadline, then the floor. */
static void conn_watch(http_conns *cs, http_conn *pc, long long now)
{
    int state = atomic_load(&pc->state);
    if (state == CONN_HELD || pc->fd < 0)
        return;
    long long since = atomic_load(&pc->since_ms);
    uint64_t b = 0;
    int known = conn_bytes_in(pc->fd, &b) == 0;
    if (known)
        conn_speed(pc, b, now);
    long long limit = state == CONN_IDLE ? cs->cfg.idle_timeout_s : cs->cfg.request_timeout_s;
    if (now - since > limit * 1000)
        conn_cut(cs, pc, HTTP_CUT_DEADLINE);
    else if (known && cs->cfg.min_rate && state != CONN_ANSWER &&
             conn_slow(cs, pc, state, since, b, now))
        conn_cut(cs, pc, HTTP_CUT_SLOW);
}

/* The trim's order: by address, then those cut already (they are going
 * anyway), then the slowest. */
static int conn_trim_order(const void *a, const void *b)
{
    const http_conn *x = *(http_conn *const *)a, *y = *(http_conn *const *)b;
    if (x->klen != y->klen)
        return x->klen < y->klen ? -1 : 1;
    int c = memcmp(x->key, y->key, x->klen);
    if (c)
        return c;
    if ((x->fd < 0) != (y->fd < 0))
        return x->fd < 0 ? -1 : 1;
    return x->speed < y->speed ? -1 : x->speed > y->speed;
}

/* Cut the excess of one address's connections cand[0..n) (in trim order)
 * over its share; held ones never (an answer on its way, a submission at
 * the writer). */
static void conn_trim_address(http_conns *cs, http_conn **cand, size_t n, unsigned share)
{
    size_t excess = n - share;
    for (size_t i = 0; i < n && excess; i++) {
        if (cand[i]->fd >= 0 && atomic_load(&cand[i]->state) == CONN_HELD)
            continue;
        if (cand[i]->fd >= 0)
            conn_cut(cs, cand[i], HTTP_CUT_SHARE);
        excess--;
    }
}

/* Near the budget: every address over its fair share loses the excess,
 * its slowest connections first. */
static void conn_trim(http_conns *cs)
{
    unsigned share = conn_share(cs, cs->naddr);
    size_t n = 0;
    for (http_conn *pc = cs->list; pc; pc = pc->next)
        if (pc->klen && conn_addr_count(cs, pc->key, pc->klen) > share) {
            mem_grow((void **)&cs->cand, &cs->cand_cap, n + 1, sizeof *cs->cand);
            cs->cand[n++] = pc;
        }
    if (!n)
        return;
    qsort(cs->cand, n, sizeof *cs->cand, conn_trim_order);
    for (size_t i = 0, j; i < n; i = j) {
        for (j = i + 1; j < n && cs->cand[j]->klen == cs->cand[i]->klen &&
                        !memcmp(cs->cand[j]->key, cs->cand[i]->key, cs->cand[i]->klen);
             j++)
            ;
        conn_trim_address(cs, cs->cand + i, j - i, share); /* all of its connections */
    }
}

/* Every second: cut what is past its deadline or under the floor, trim
 * the addresses over their share when near the budget, then write the
 * log's summaries (outside the lock). shutdown() does not close the
 * descriptor; MHD sees the end of the stream and closes the connection in
 * its own thread. */
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
            conn_watch(cs, pc, now);
        if (cs->n >= conn_pressure(cs) && cs->naddr > 1)
            conn_trim(cs);
        pthread_mutex_unlock(&cs->lock);
        logsum_flush(cs->log, 0);
        pthread_mutex_lock(&cs->lock);
    }
    pthread_mutex_unlock(&cs->lock);
    return NULL;
}

int http_conns_new(const http_conns_config *cfg, http_conns **out, err_info *e)
{
    http_conns *cs = mem_calloc(1, sizeof *cs);
    cs->cfg = *cfg;
    if (!cs->cfg.conn_max)
        cs->cfg.conn_max = 1;
    if (!cs->cfg.rate_window_s)
        cs->cfg.rate_window_s = 1;
    for (cs->addr_cap = 64; cs->addr_cap < 2 * (size_t)cs->cfg.conn_max; cs->addr_cap *= 2)
        ;
    cs->addr = mem_calloc(cs->addr_cap, sizeof *cs->addr);
    if (sodium_init() < 0)
        abort();
    randombytes_buf(cs->hkey, sizeof cs->hkey); /* nobody aims addresses at one chain */
    cs->log = logsum_new(cfg->name, HTTP_CONN_LOG_INTERVAL);
    pthread_mutex_init(&cs->lock, NULL);
    pthread_cond_init(&cs->wake, NULL);
    if (pthread_create(&cs->reaper, NULL, conn_reaper, cs) != 0) {
        pthread_mutex_destroy(&cs->lock);
        pthread_cond_destroy(&cs->wake);
        logsum_free(cs->log);
        free(cs->addr);
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
    logsum_free(cs->log); /* what is still counted is written */
    free(cs->addr);
    free(cs->cand);
    free(cs);
}

void http_conns_refused(http_conns *cs, const char *kind, struct MHD_Connection *c)
{
    uint8_t key[HTTP_CLIENT_KEY_MAX];
    size_t klen = http_client_key(c, key);
    logsum_note(cs->log, "refused", kind, key, klen);
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

int http_fd_reserve(unsigned long need, err_info *e)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
        return err_set(e, ERR_IO, "HTTP_FD_LIMIT", "", "cannot read the file descriptor limit: %s",
                       strerror(errno));
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= need)
        return 0;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < need)
        return err_set(e, ERR_LIMIT, "HTTP_FD_LIMIT", "",
                       "the connection caps need %lu file descriptors and the limit is %llu: "
                       "raise it (LimitNOFILE= in the systemd unit, ulimit -n) or lower "
                       "ingest_conn_max or public_conn_max",
                       need, (unsigned long long)rl.rlim_max);
    rl.rlim_cur = need;
    if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
        return err_set(e, ERR_IO, "HTTP_FD_LIMIT", "",
                       "cannot raise the file descriptor limit to %lu: %s", need, strerror(errno));
    return 0;
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

/* MHD's messages, as summaries in the log (most are about one connection:
 * a flood of them must not become a flood of lines); a full budget is a
 * refusal like the others. */
static void conn_mhd_log(void *cls, const char *fmt, va_list ap)
{
    http_conns *cs = cls;
    char msg[LOGSUM_TEXT_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = '\0';
    if (!strncmp(msg, "Server reached connection limit", 31))
        conn_event(cs, HTTP_REFUSE_CONN_MAX, NULL, 0);
    else
        logsum_note(cs->log, "mhd", msg, NULL, 0);
}

int http_listen(const http_listen_config *cfg, struct MHD_Daemon **out, err_info *e)
{
    struct sockaddr_storage ss;
    int v6 = conn_sockaddr(cfg->addr, cfg->port, &ss, e);
    if (v6 < 0)
        return v6;
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                     cfg->flags | (v6 ? MHD_USE_IPv6 : 0);
    /* per-address caps are conn_accept's (it knows the fair shares), so
     * MHD gets none of its own */
    /* clang-format off: one option per line */
    *out = MHD_start_daemon(flags, (uint16_t)cfg->port, conn_accept, cfg->conns, cfg->access,
                            cfg->cls,
                            /* first, so it gets every message */
                            MHD_OPTION_EXTERNAL_LOGGER, conn_mhd_log, cfg->conns,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
                            MHD_OPTION_THREAD_POOL_SIZE, cfg->threads,
                            MHD_OPTION_CONNECTION_LIMIT, cfg->conns->cfg.conn_max,
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
