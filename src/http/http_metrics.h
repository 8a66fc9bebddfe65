/* http_metrics — counters and latency histograms of a listener, rendered
 * in the Prometheus text exposition format (version 0.0.4). Updates are
 * relaxed atomic adds: a request never waits on a lock to be counted, and
 * a scrape reads without stopping anyone (a scrape may see one counter a
 * request ahead of another; Prometheus expects no more).
 *
 * Families, with `prefix` (e.g. "rekapd_ingest"):
 *   <prefix>_http_requests_total{route,code}            counter
 *   <prefix>_http_request_duration_seconds{route}       histogram
 *   and each counter given to http_metrics_new. */
#ifndef REKAP_HTTP_METRICS_H
#define REKAP_HTTP_METRICS_H

#include <stddef.h>
#include <stdint.h>

#define HTTP_METRICS_ROUTES_MAX 16
#define HTTP_METRICS_COUNTERS_MAX 64

typedef struct http_counter_def {
    const char *name;    /* full family name: "rekapd_submissions_total" */
    const char *labels;  /* "result=\"accepted\"", or NULL */
    const char *help;    /* one line; the first of a family is used */
} http_counter_def;

typedef struct http_metrics http_metrics;

/* routes[0..nroutes) name the route label; counters are kept by pointer
 * (static tables). Families of several label sets must be consecutive.
 * Aborts beyond the _MAX bounds (a programming error). */
http_metrics *http_metrics_new(const char *prefix, const char *const *routes, unsigned nroutes,
                               const http_counter_def *counters, unsigned ncounters);
void http_metrics_free(http_metrics *m);

/* One request answered on `route` with `status` (100..599) after `seconds`. */
void http_metrics_request(http_metrics *m, unsigned route, unsigned status, double seconds);
/* Add n to counter i (its index in the table given to http_metrics_new). */
void http_metrics_add(http_metrics *m, unsigned counter, uint64_t n);
uint64_t http_metrics_get(const http_metrics *m, unsigned counter);

/* The exposition text: every family above, then `extra` verbatim (gauges
 * the caller formats, e.g. a queue depth; may be NULL). NUL-terminated,
 * freed with free(); *len its length. */
char *http_metrics_render(const http_metrics *m, const char *extra, size_t *len);

#endif
