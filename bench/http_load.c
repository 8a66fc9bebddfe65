/* http_load — the HTTP ingest load generator of docs/BENCHMARKS.md.
 *
 *   http_load SIGNED.BIN HOST PORT CONNECTIONS [LIMIT]
 *
 * Streams the signed submissions bench_ingest prepared (records of
 * [u32 length][submission][32-byte key][64-byte sig]) as
 * POST /api/v1/submissions {"submission","key","sig"} over CONNECTIONS
 * keep-alive HTTP/1.1 connections (one thread each, one request in flight
 * per connection), and reports answers by status, forms/s and latency
 * percentiles. 503 answers (queue full) are retried after Retry-After, so
 * every form is counted once. Loopback only: it is a benchmark, not a tool
 * to point at others' servers. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "http_client.h"

#define LOAD_REC_MAX (HC_SUB_MAX + 96)
#define LOAD_THREADS_MAX 512
#define LOAD_LAT_MAX (4u << 20)

static FILE *feed;
static pthread_mutex_t feed_lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned long limit = ~0ul, taken;
static const char *host;
static int port;
static atomic_ulong by_status[600], failures;
static double *lat;          /* seconds per answered request */
static atomic_ulong nlat;

static int feed_next(char *rec, uint32_t *len)
{
    pthread_mutex_lock(&feed_lock);
    int ok = taken < limit && fread(len, 4, 1, feed) == 1 && *len <= HC_SUB_MAX &&
             fread(rec, 1, *len + 96, feed) == *len + 96;
    taken += ok;
    pthread_mutex_unlock(&feed_lock);
    return ok;
}

static void *worker(void *arg)
{
    (void)arg;
    char *rec = malloc(LOAD_REC_MAX), *req = malloc(HC_REQUEST_MAX), *resp = malloc(65536);
    uint32_t len;
    int fd = hc_dial(host, port);
    while (fd >= 0 && feed_next(rec, &len)) {
        const uint8_t *pk = (const uint8_t *)rec + len;
        size_t n = hc_submission_request(host, port, rec, len, pk, pk + 32, req);
        for (;;) {
            double t0 = hc_now();
            hc_response r;
            int st = -1;
            if (hc_send_all(fd, req, n) == 0)
                st = hc_read_response(fd, resp, 65536, &r);
            if (st < 0) { /* connection lost: dial again and resend */
                close(fd);
                atomic_fetch_add(&failures, 1);
                if ((fd = hc_dial(host, port)) < 0)
                    break;
                continue;
            }
            if (st == 503) {
                /* back off briefly */
                usleep((useconds_t)(r.retry_after > 0 ? r.retry_after : 1) * 100000u);
                continue;
            }
            atomic_fetch_add(&by_status[st < 600 ? st : 599], 1);
            unsigned long i = atomic_fetch_add(&nlat, 1);
            if (i < LOAD_LAT_MAX)
                lat[i] = hc_now() - t0;
            break;
        }
    }
    if (fd >= 0)
        close(fd);
    free(rec);
    free(req);
    free(resp);
    return NULL;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 5 || sodium_init() < 0) {
        fprintf(stderr, "usage: http_load SIGNED.BIN HOST PORT CONNECTIONS [LIMIT]\n");
        return 2;
    }
    feed = fopen(argv[1], "r");
    host = argv[2];
    port = atoi(argv[3]);
    int nth = atoi(argv[4]);
    if (argc > 5)
        limit = strtoul(argv[5], NULL, 10);
    if (!feed || nth < 1 || nth > LOAD_THREADS_MAX || port <= 0) {
        fprintf(stderr, "http_load: bad arguments\n");
        return 2;
    }
    lat = malloc(LOAD_LAT_MAX * sizeof *lat);
    pthread_t th[LOAD_THREADS_MAX];
    double t0 = hc_now();
    for (int i = 0; i < nth; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    double s = hc_now() - t0;
    unsigned long n = atomic_load(&nlat), ok = by_status[201];
    unsigned long m = n < LOAD_LAT_MAX ? n : LOAD_LAT_MAX;
    qsort(lat, m, sizeof *lat, cmp_double);
    printf("http_load: %lu answers in %.2f s = %.0f/s; 201: %lu (%.0f/s); reconnects %lu\n", n, s,
           n / s, ok, ok / s, (unsigned long)failures);
    for (int st = 100; st < 600; st++)
        if (by_status[st] && st != 201)
            printf("  status %d: %lu\n", st, (unsigned long)by_status[st]);
    if (m)
        printf("  latency p50 %.1f ms, p99 %.1f ms, max %.1f ms\n", 1e3 * lat[m / 2],
               1e3 * lat[m * 99 / 100], 1e3 * lat[m - 1]);
    return ok == n ? 0 : 1;
}
