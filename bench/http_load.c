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
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#define LOAD_REC_MAX (65535 + 96)
#define LOAD_BODY_MAX (4 * LOAD_REC_MAX)
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

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int feed_next(char *rec, uint32_t *len)
{
    pthread_mutex_lock(&feed_lock);
    int ok = taken < limit && fread(len, 4, 1, feed) == 1 && *len <= 65535 &&
             fread(rec, 1, *len + 96, feed) == *len + 96;
    taken += ok;
    pthread_mutex_unlock(&feed_lock);
    return ok;
}

/* JSON string of the submission text: it holds quotes and newlines. */
static size_t json_quote(const char *s, size_t n, char *out)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c < 0x20) {
            o += (size_t)sprintf(out + o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    return o;
}

static size_t make_request(const char *rec, uint32_t len, char *req)
{
    static _Thread_local char body[LOAD_BODY_MAX];
    char key[64], sig[128];
    const uint8_t *pk = (const uint8_t *)rec + len;
    sodium_bin2base64(key, sizeof key, pk, 32, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(sig, sizeof sig, pk + 32, 64, sodium_base64_VARIANT_ORIGINAL);
    size_t b = 0;
    b += (size_t)sprintf(body + b, "{\"submission\":");
    b += json_quote(rec, len, body + b);
    b += (size_t)sprintf(body + b, ",\"key\":\"%s\",\"sig\":\"%s\"}", key, sig);
    int h = sprintf(req,
                    "POST /api/v1/submissions HTTP/1.1\r\nHost: %s:%d\r\n"
                    "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                    host, port, b);
    memcpy(req + h, body, b);
    return (size_t)h + b;
}

static int dial(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read one response; returns its status (and Retry-After) or -1. */
static int read_response(int fd, char *buf, size_t cap, int *retry_after)
{
    size_t got = 0;
    char *hdr_end = NULL;
    while (!(hdr_end = memmem(buf, got, "\r\n\r\n", 4))) {
        ssize_t r = recv(fd, buf + got, cap - got - 1, 0);
        if (r <= 0)
            return -1;
        got += (size_t)r;
    }
    buf[got] = '\0';
    int status = atoi(buf + 9);
    char *cl = strcasestr(buf, "\r\nContent-Length:");
    size_t body = cl && cl < hdr_end ? (size_t)strtoul(cl + 17, NULL, 10) : 0;
    char *ra = strcasestr(buf, "\r\nRetry-After:");
    *retry_after = ra && ra < hdr_end ? atoi(ra + 14) : 0;
    size_t have = got - (size_t)(hdr_end + 4 - buf);
    while (have < body) {
        ssize_t r = recv(fd, buf, cap - 1, 0);
        if (r <= 0)
            return -1;
        have += (size_t)r;
    }
    return status;
}

static void *worker(void *arg)
{
    (void)arg;
    char *rec = malloc(LOAD_REC_MAX), *req = malloc(LOAD_BODY_MAX + 512), *resp = malloc(65536);
    uint32_t len;
    int fd = dial();
    while (fd >= 0 && feed_next(rec, &len)) {
        size_t n = make_request(rec, len, req);
        for (;;) {
            double t0 = now_s();
            int ra = 0, st = -1;
            if (send_all(fd, req, n) == 0)
                st = read_response(fd, resp, 65536, &ra);
            if (st < 0) { /* connection lost: dial again and resend */
                close(fd);
                atomic_fetch_add(&failures, 1);
                if ((fd = dial()) < 0)
                    break;
                continue;
            }
            if (st == 503) {
                usleep((useconds_t)(ra > 0 ? ra : 1) * 100000u); /* back off briefly */
                continue;
            }
            atomic_fetch_add(&by_status[st < 600 ? st : 599], 1);
            unsigned long i = atomic_fetch_add(&nlat, 1);
            if (i < LOAD_LAT_MAX)
                lat[i] = now_s() - t0;
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
    double t0 = now_s();
    for (int i = 0; i < nth; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    double s = now_s() - t0;
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
