/* http_metrics — per-route request counters by status, per-route latency
 * histograms and named counters, as relaxed atomics; rendered on demand in
 * the Prometheus text format (http_metrics.h). */
#include "http/http_metrics.h"

#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

#define METRICS_STATUS_MIN 100
#define METRICS_STATUSES 500      /* 100..599 */

/* Upper bounds of the latency buckets in seconds (+Inf follows). */
static const double metrics_le[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                    0.1,    0.25,  0.5,    1,     2.5,  5,     10};
#define METRICS_BUCKETS (sizeof metrics_le / sizeof metrics_le[0])

typedef struct metrics_route {
    const char *name;
    _Atomic uint64_t status[METRICS_STATUSES];
    _Atomic uint64_t bucket[METRICS_BUCKETS + 1]; /* not cumulative; the last is +Inf */
    _Atomic uint64_t sum_us;
} metrics_route;

struct http_metrics {
    char *prefix;
    unsigned nroutes, ncounters;
    metrics_route route[HTTP_METRICS_ROUTES_MAX];
    const http_counter_def *def;
    _Atomic uint64_t counter[HTTP_METRICS_COUNTERS_MAX];
};

http_metrics *http_metrics_new(const char *prefix, const char *const *routes, unsigned nroutes,
                               const http_counter_def *counters, unsigned ncounters)
{
    if (nroutes > HTTP_METRICS_ROUTES_MAX || ncounters > HTTP_METRICS_COUNTERS_MAX)
        abort();
    http_metrics *m = mem_calloc(1, sizeof *m);
    m->prefix = mem_strdup(prefix);
    m->nroutes = nroutes;
    for (unsigned i = 0; i < nroutes; i++)
        m->route[i].name = routes[i];
    m->def = counters;
    m->ncounters = ncounters;
    return m;
}

void http_metrics_free(http_metrics *m)
{
    if (!m)
        return;
    free(m->prefix);
    free(m);
}

void http_metrics_request(http_metrics *m, unsigned route, unsigned status, double seconds)
{
    if (route >= m->nroutes)
        return;
    metrics_route *r = &m->route[route];
    if (status >= METRICS_STATUS_MIN && status < METRICS_STATUS_MIN + METRICS_STATUSES)
        atomic_fetch_add_explicit(&r->status[status - METRICS_STATUS_MIN], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < METRICS_BUCKETS && seconds > metrics_le[b])
        b++;
    atomic_fetch_add_explicit(&r->bucket[b], 1, memory_order_relaxed);
    if (seconds > 0)
        atomic_fetch_add_explicit(&r->sum_us, (uint64_t)(seconds * 1e6), memory_order_relaxed);
}

void http_metrics_add(http_metrics *m, unsigned counter, uint64_t n)
{
    if (counter < m->ncounters)
        atomic_fetch_add_explicit(&m->counter[counter], n, memory_order_relaxed);
}

uint64_t http_metrics_get(const http_metrics *m, unsigned counter)
{
    return counter < m->ncounters
               ? atomic_load_explicit(&((http_metrics *)m)->counter[counter], memory_order_relaxed)
               : 0;
}

/* --------------------------------------------------------------- render */

typedef struct metrics_buf {
    char *s;
    size_t len, cap;
} metrics_buf;

static void metrics_printf(metrics_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void metrics_printf(metrics_buf *b, const char *fmt, ...)
{
    for (;;) {
        va_list ap;
        va_start(ap, fmt);
        int n = vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
        va_end(ap);
        if (n < 0)
            abort();
        if ((size_t)n < b->cap - b->len) {
            b->len += (size_t)n;
            return;
        }
        mem_grow((void **)&b->s, &b->cap, b->len + (size_t)n + 1, 1);
    }
}

static uint64_t metrics_load(_Atomic uint64_t *v)
{
    return atomic_load_explicit(v, memory_order_relaxed);
}

static void metrics_render_requests(metrics_buf *b, http_metrics *m)
{
    metrics_printf(b, "# HELP %s_http_requests_total Requests answered, by route and status.\n"
                      "# TYPE %s_http_requests_total counter\n", m->prefix, m->prefix);
    for (unsigned i = 0; i < m->nroutes; i++)
        for (unsigned s = 0; s < METRICS_STATUSES; s++) {
            uint64_t v = metrics_load(&m->route[i].status[s]);
            if (v)
                metrics_printf(b, "%s_http_requests_total{route=\"%s\",code=\"%u\"} %llu\n",
                               m->prefix, m->route[i].name, s + METRICS_STATUS_MIN,
                               (unsigned long long)v);
        }
}

static void metrics_render_latency(metrics_buf *b, http_metrics *m)
{
    const char *p = m->prefix;
    metrics_printf(b, "# HELP %s_http_request_duration_seconds Time from a request's headers to its answer.\n"
                      "# TYPE %s_http_request_duration_seconds histogram\n", p, p);
    for (unsigned i = 0; i < m->nroutes; i++) {
        metrics_route *r = &m->route[i];
        uint64_t cum = 0;
        for (size_t k = 0; k <= METRICS_BUCKETS; k++) {
            cum += metrics_load(&r->bucket[k]);
            if (k < METRICS_BUCKETS)
                metrics_printf(b, "%s_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %llu\n",
                               p, r->name, metrics_le[k], (unsigned long long)cum);
            else
                metrics_printf(b, "%s_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %llu\n",
                               p, r->name, (unsigned long long)cum);
        }
        metrics_printf(b, "%s_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n", p, r->name,
                       (double)metrics_load(&r->sum_us) / 1e6);
        metrics_printf(b, "%s_http_request_duration_seconds_count{route=\"%s\"} %llu\n", p, r->name,
                       (unsigned long long)cum);
    }
}

static void metrics_render_counters(metrics_buf *b, http_metrics *m)
{
    for (unsigned i = 0; i < m->ncounters; i++) {
        const http_counter_def *d = &m->def[i];
        if (i == 0 || strcmp(d->name, m->def[i - 1].name) != 0)
            metrics_printf(b, "# HELP %s %s\n# TYPE %s counter\n", d->name, d->help, d->name);
        uint64_t v = metrics_load(&m->counter[i]);
        if (d->labels)
            metrics_printf(b, "%s{%s} %llu\n", d->name, d->labels, (unsigned long long)v);
        else
            metrics_printf(b, "%s %llu\n", d->name, (unsigned long long)v);
    }
}

char *http_metrics_render(const http_metrics *cm, const char *extra, size_t *len)
{
    http_metrics *m = (http_metrics *)cm; /* atomics are read, never written */
    metrics_buf b = {mem_alloc(4096), 0, 4096};
    b.s[0] = '\0';
    metrics_render_requests(&b, m);
    metrics_render_latency(&b, m);
    metrics_render_counters(&b, m);
    if (extra)
        metrics_printf(&b, "%s", extra);
    *len = b.len;
    return b.s;
}
