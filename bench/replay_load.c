/* replay_load — the timed half of the full replay (issue 13 item 1,
 * docs/BENCHMARKS.md §7): every request bench/replay_prep wrote, sent by
 * many officers at once while the public reads.
 *
 *   replay_load [options] WORK HOST INGEST_PORT PUBLIC_PORT
 *     --conns N        ingest connections, one officer's phone each (128)
 *     --shards N       places in the country the forms come from at once (256)
 *     --crawlers N     public connections crawling the results documents (2)
 *     --crawl-rate R   their requests per second in all; 0: unpaced (500)
 *     --hot N          public connections polling the hot pages (2)
 *     --hot-rate R     their requests per second in all; 0: unpaced (200)
 *     --province CODE  the province whose results page is hot (32)
 *     --json FILE      the figures, as JSON
 *
 * Officers: the phases of WORK/feed.idx (replay.h) one after the other.
 * The forms come from --shards equal slices of the feed (in TPS order)
 * taken in turn, so at any moment forms arrive from all over the country,
 * as on election night, not kecamatan by kecamatan; a form with a photo
 * has its photo PUT first on the same connection. Every answer is checked
 * against what the prep expects (201, or 422 for a misread the rules
 * catch); a 503 is waited out and sent again, a lost connection dialled
 * again (every request is idempotent).
 *
 * Public: crawlers walk /api/v1/results/<contest>/<code>.json from the
 * nation down to every desa, contest after contest, over and over, the way
 * the 2024 scrapers read the portal; hot connections poll the national
 * and a province's results, the 2024 layout's national page and the log's
 * checkpoint with If-None-Match and gzip, as an open portal tab does.
 * They run while the officers send and stop when they are done.
 *
 * Loopback only: a benchmark, not a tool to point at others' servers.
 * Exit status: 0 every answer as expected, 1 otherwise, 2 usage. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "http_client.h"
#include "replay.h"

#define LOAD_CONNS_MAX 1024
#define LOAD_PUBLIC_MAX 64
#define LOAD_RESP_MAX 65536           /* an officer's answer: kept for a report */
#define LOAD_DOC_MAX (4u << 20)       /* a results document a crawler parses */
#define LOAD_CRAWL_MAX (4u << 20)     /* regions waiting in one crawl (REGION_NODES_MAX) */
#define LOAD_MISMATCH_SHOWN 5

typedef struct load_opts {
    const char *work, *host, *province, *json;
    int iport, pport;
    unsigned conns, shards, crawlers, hot;
    double hot_rate, crawl_rate;
} load_opts;

static load_opts opt;

/* ---------------------------------------------------------------- feed */

static int feed_fd;
static uint64_t count[REPLAY_PHASES], first[REPLAY_PHASES], nrec;
static uint64_t *offset;              /* [nrec] */
static replay_photos *photos;

static void die(const char *what)
{
    fprintf(stderr, "replay_load: %s%s%s\n", what, errno ? ": " : "", errno ? strerror(errno) : "");
    exit(2);
}

static FILE *open_in(const char *name)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", opt.work, name);
    FILE *f = fopen(path, "r");
    if (!f)
        die(path);
    return f;
}

/* feed.idx: the counts per phase, then every record's offset. */
static void feed_open(void)
{
    FILE *f = open_in("feed.idx");
    if (fread(count, sizeof *count, REPLAY_PHASES, f) != REPLAY_PHASES)
        die("feed.idx: too short (run replay_prep first)");
    for (int ph = 0; ph < REPLAY_PHASES; ph++) {
        first[ph] = nrec;
        nrec += count[ph];
    }
    if (nrec > (UINT64_C(1) << 32))
        die("feed.idx: more records than a replay holds");
    offset = mem_alloc(nrec * sizeof *offset + 1);
    if (fread(offset, sizeof *offset, nrec, f) != nrec)
        die("feed.idx: offsets missing");
    fclose(f);
    char path[4096];
    snprintf(path, sizeof path, "%s/feed.bin", opt.work);
    if ((feed_fd = open(path, O_RDONLY)) < 0)
        die(path);
    photos = replay_photos_new(0);
}

/* One record: its head, text, key and signature (rec: HC_SUB_MAX + 96). */
static void feed_read(uint64_t i, replay_head *h, char *rec)
{
    if (pread(feed_fd, h, sizeof *h, (off_t)offset[i]) != (ssize_t)sizeof *h ||
        h->len > HC_SUB_MAX || h->photo_blocks > REPLAY_PHOTO_MAX_BLOCKS ||
        pread(feed_fd, rec, h->len + 96, (off_t)(offset[i] + sizeof *h)) != h->len + 96)
        die("feed.bin: a record is cut short");
}

/* --------------------------------------------------------------- queue */

/* The phases one after the other: a phase's records are handed out until
 * none is left, and the next starts once every answer is in. */
static struct {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int phase;
    uint64_t next, inflight;
    double start[REPLAY_PHASES], end[REPLAY_PHASES];
} q = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, 0, {0}, {0}};

/* The next record of the phase; the forms' order takes the shards in
 * turn: slice s holds records [s * per, (s + 1) * per). */
static int phase_pick(uint64_t *i)
{
    uint64_t n = count[q.phase];
    if (q.phase != REPLAY_FORMS) {
        *i = q.next++;
        return *i < n;
    }
    uint64_t s = opt.shards, per = (n + s - 1) / s;
    while (q.next < s * per) {
        uint64_t j = q.next++, at = (j % s) * per + j / s;
        if (at < n) {
            *i = at;
            return 1;
        }
    }
    return 0;
}

static int queue_take(uint64_t *rec)
{
    pthread_mutex_lock(&q.lock);
    while (q.phase < REPLAY_PHASES) {
        uint64_t i;
        if (phase_pick(&i)) {
            q.inflight++;
            *rec = first[q.phase] + i;
            pthread_mutex_unlock(&q.lock);
            return 1;
        }
        if (q.inflight) {
            pthread_cond_wait(&q.cond, &q.lock);
            continue;
        }
        q.end[q.phase] = hc_now();
        if (++q.phase < REPLAY_PHASES)
            q.start[q.phase] = q.end[q.phase - 1];
        q.next = 0;
        pthread_cond_broadcast(&q.cond);
    }
    pthread_mutex_unlock(&q.lock);
    return 0;
}

static void queue_done(void)
{
    pthread_mutex_lock(&q.lock);
    if (--q.inflight == 0)
        pthread_cond_broadcast(&q.cond);
    pthread_mutex_unlock(&q.lock);
}

/* --------------------------------------------------------------- stats */

typedef struct lat {
    float *v;
    size_t cap;
    atomic_size_t n;
} lat;

enum { LAT_FORM, LAT_PHOTO, LAT_CORRECTION, LAT_RECAP, LAT_PUBLIC, LATS };
static const char *const lat_name[LATS] = {"form", "photo", "correction", "recap", "public"};
static lat lats[LATS];
static atomic_ulong by_status[REPLAY_PHASES][600], photo_status[600], pub_status[600];
static atomic_ulong mismatches, reconnects, photo_bytes, pub_hot, pub_crawl, pub_bytes;
static atomic_ulong crawl_docs, crawl_passes, crawl_cut;
static atomic_int stop_public;

static void lat_init(lat *l, size_t cap)
{
    l->v = mem_alloc(cap * sizeof *l->v);
    l->cap = cap;
}

static void lat_add(lat *l, double secs)
{
    size_t i = atomic_fetch_add(&l->n, 1);
    if (i < l->cap) /* bounded: past the cap a latency is counted, not kept */
        l->v[i] = (float)secs;
}

static int cmp_float(const void *a, const void *b)
{
    float x = *(const float *)a, y = *(const float *)b;
    return x < y ? -1 : x > y;
}

/* Percentile p (0..100) in ms, after lat_sort. */
static double lat_ms(const lat *l, double p)
{
    size_t n = l->n < l->cap ? l->n : l->cap;
    return n ? 1e3 * l->v[(size_t)((double)(n - 1) * p / 100.0)] : 0.0;
}

static void lat_sort(lat *l)
{
    qsort(l->v, l->n < l->cap ? l->n : l->cap, sizeof *l->v, cmp_float);
}

static void count_status(atomic_ulong *by, int st)
{
    atomic_fetch_add(&by[st > 0 && st < 600 ? st : 599], 1);
}

/* ---------------------------------------------------------- connection */

typedef struct conn {
    int fd, port;
    char *resp;                       /* the last answer's body */
    size_t cap;
} conn;

static void conn_init(conn *c, int port, size_t cap)
{
    *c = (conn){.fd = -1, .port = port, .resp = mem_alloc(cap), .cap = cap};
}

static void conn_free(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    free(c->resp);
}

/* One request and its answer, as a client that must get through does it:
 * a lost connection is dialled again and the request sent again, a 503
 * waited out (a tenth of its Retry-After: the queue drains in
 * milliseconds). Bounded: after 1,000 tries it gives up (-1). *secs: the
 * attempt that was answered. */
static int exchange(conn *c, const struct iovec *iov, int n, hc_response *r, double *secs)
{
    for (int tries = 0; tries < 1000; tries++) {
        struct iovec v[4];
        memcpy(v, iov, (size_t)n * sizeof *v);
        if (c->fd < 0 && (c->fd = hc_dial(opt.host, c->port)) < 0) {
            usleep(100000);
            continue;
        }
        double t0 = hc_now();
        int st = hc_sendv(c->fd, v, n) == 0 ? hc_read_response(c->fd, c->resp, c->cap, r) : -1;
        if (st < 0) {
            close(c->fd);
            c->fd = -1;
            atomic_fetch_add(&reconnects, 1);
            continue;
        }
        if (st == 503) {
            usleep((useconds_t)(r->retry_after > 0 ? r->retry_after : 1) * 100000u);
            continue;
        }
        *secs = hc_now() - t0;
        return st;
    }
    *secs = 0;
    return -1;
}

/* ------------------------------------------------------------ officers */

/* An answer other than the one expected: counted, and the first few shown
 * with the first two lines of the text (its format and TPS or region). */
static void mismatch(const replay_head *h, const char *text, int got, int want, const conn *c)
{
    if (atomic_fetch_add(&mismatches, 1) >= LOAD_MISMATCH_SHOWN)
        return;
    const char *lf = memchr(text, '\n', h->len);
    lf = lf ? memchr(lf + 1, '\n', h->len - (size_t)(lf + 1 - text)) : NULL;
    fprintf(stderr, "replay_load: %s: answered %d, expected %d: %.*s\n  %.300s\n",
            replay_phase_name[h->phase], got, want, lf ? (int)(lf - text) : 0, text,
            got > 0 ? c->resp : "(no answer)");
}

/* PUT the photo the text names (its first photo line), from the shared
 * master and its own tail. */
static void put_photo(conn *c, const replay_head *h, const char *text)
{
    const char *ph = memmem(text, h->len, "\nphoto ", 7);
    if (!ph || h->photo_blocks < 1) {
        mismatch(h, text, 0, 201, c);
        return;
    }
    char head[256];
    uint8_t tail[REPLAY_PHOTO_BLOCK];
    size_t prefix = (size_t)(h->photo_blocks - 1) * REPLAY_PHOTO_BLOCK;
    int hn = snprintf(head, sizeof head,
                      "PUT /api/v1/photos/%.64s HTTP/1.1\r\nHost: %s:%d\r\n"
                      "Content-Type: image/jpeg\r\nContent-Length: %zu\r\n\r\n",
                      ph + 7, opt.host, opt.iport, prefix + sizeof tail);
    replay_photo_tail(h->photo_id, tail);
    struct iovec v[3] = {{head, (size_t)hn},
                         {(void *)replay_photo_master(photos), prefix},
                         {tail, sizeof tail}};
    hc_response r;
    double secs;
    int st = exchange(c, v, 3, &r, &secs);
    count_status(photo_status, st);
    lat_add(&lats[LAT_PHOTO], secs);
    atomic_fetch_add(&photo_bytes, prefix + sizeof tail);
    if (st != 201 && st != 200) /* 200: already stored (a retry) */
        mismatch(h, text, st, 201, c);
}

static void post_text(conn *c, const replay_head *h, const char *rec, char *req)
{
    static const int lat_of[REPLAY_PHASES] = {LAT_FORM, LAT_CORRECTION, LAT_RECAP,
                                              LAT_RECAP, LAT_RECAP, LAT_RECAP};
    const uint8_t *pk = (const uint8_t *)rec + h->len;
    struct iovec v = {req, hc_submission_request(opt.host, opt.iport, rec, h->len, pk, pk + 32, req)};
    hc_response r;
    double secs;
    int st = exchange(c, &v, 1, &r, &secs);
    int want = h->expect == REPLAY_EXPECT_REJECTED ? 422 : 201;
    count_status(by_status[h->phase], st);
    lat_add(&lats[lat_of[h->phase]], secs);
    if (st != want)
        mismatch(h, rec, st, want, c);
}

static void *officer_main(void *arg)
{
    (void)arg;
    conn c;
    conn_init(&c, opt.iport, LOAD_RESP_MAX);
    char *rec = mem_alloc(HC_SUB_MAX + 96), *req = mem_alloc(HC_REQUEST_MAX);
    uint64_t i;
    while (queue_take(&i)) {
        replay_head h;
        feed_read(i, &h, rec);
        if (h.photo)
            put_photo(&c, &h, rec);
        post_text(&c, &h, rec, req);
        queue_done();
    }
    free(rec);
    free(req);
    conn_free(&c);
    return NULL;
}

/* -------------------------------------------------------------- public */

static int public_get(conn *c, const char *path, const char *headers, hc_response *r)
{
    char req[512];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: %s:%d\r\n%s\r\n", path, opt.host,
                     opt.pport, headers);
    struct iovec v = {req, (size_t)n};
    double secs;
    int st = exchange(c, &v, 1, r, &secs);
    count_status(pub_status, st);
    lat_add(&lats[LAT_PUBLIC], secs);
    atomic_fetch_add(&pub_bytes, st > 0 ? r->body_len : 0);
    return st;
}

/* Pacing of one public connection: `every` seconds between its requests
 * (0: none). A connection that fell behind paces from now on instead of
 * bursting to catch up. */
typedef struct pacer {
    double every, due;
} pacer;

static void pace(pacer *p)
{
    if (p->every <= 0)
        return;
    p->due += p->every;
    double wait = p->due - hc_now();
    if (wait > 0)
        usleep((useconds_t)(wait * 1e6));
    else if (wait < -1)
        p->due = hc_now();
}

static pacer pacer_for(double rate, unsigned conns)
{
    return (pacer){.every = rate > 0 ? conns / rate : 0, .due = hc_now()};
}

#define HOT_PATHS 4

/* A portal tab left open: the pages everyone watches, polled with the
 * ETag of the last answer (304 when nothing moved) and gzip. */
static void *hot_main(void *arg)
{
    (void)arg;
    conn c;
    conn_init(&c, opt.pport, LOAD_RESP_MAX);
    char path[HOT_PATHS][96], etag[HOT_PATHS][80] = {{0}}, headers[160];
    snprintf(path[0], sizeof path[0], "/api/v1/results/ppwp/0.json");
    snprintf(path[1], sizeof path[1], "/api/v1/results/ppwp/%s.json", opt.province);
    snprintf(path[2], sizeof path[2], "/pemilu/hhcw/ppwp.json");
    snprintf(path[3], sizeof path[3], "/log/checkpoint");
    pacer pc = pacer_for(opt.hot_rate, opt.hot);
    for (unsigned k = 0; !atomic_load(&stop_public); k++) {
        unsigned j = k % HOT_PATHS;
        hc_response r;
        snprintf(headers, sizeof headers, "Accept-Encoding: gzip\r\n%s%s%s",
                 etag[j][0] ? "If-None-Match: " : "", etag[j], etag[j][0] ? "\r\n" : "");
        if (public_get(&c, path[j], headers, &r) == 200)
            memcpy(etag[j], r.etag, sizeof etag[j]);
        atomic_fetch_add(&pub_hot, 1);
        pace(&pc);
    }
    conn_free(&c);
    return NULL;
}

typedef struct crawl {
    char (*todo)[16];                 /* region codes to read, breadth first */
    size_t head, n, cap;
} crawl;

static void crawl_push(crawl *w, const char *code, size_t len)
{
    if (len >= sizeof w->todo[0] || w->n >= LOAD_CRAWL_MAX)
        return;
    mem_grow((void **)&w->todo, &w->cap, w->n + 1, sizeof *w->todo);
    memcpy(w->todo[w->n], code, len);
    w->todo[w->n++][len] = '\0';
}

/* The children of a results document above desa level, to read next. */
static void crawl_children(crawl *w, const char *doc)
{
    const char *t = strstr(doc, "\"tingkat\":"), *p = strstr(doc, "\"children\":[");
    if (!t || !p || atoi(t + 10) >= 4) /* a desa's children are its TPS */
        return;
    while ((p = strstr(p, "\"code\":\"")) != NULL) {
        p += 8;
        size_t len = strcspn(p, "\"");
        crawl_push(w, p, len);
        p += len;
    }
}

/* One contest, from the nation down to every desa. */
static void crawl_contest(conn *c, crawl *w, pacer *pc, int k)
{
    static const char *const contest[5] = {"ppwp", "dpr", "dpd", "dprd_prov", "dprd_kab"};
    char path[96];
    w->head = w->n = 0;
    crawl_push(w, "0", 1);
    while (w->head < w->n && !atomic_load(&stop_public)) {
        hc_response r;
        snprintf(path, sizeof path, "/api/v1/results/%s/%s.json", contest[k], w->todo[w->head++]);
        int st = public_get(c, path, "", &r);
        atomic_fetch_add(&pub_crawl, 1);
        pace(pc);
        if (st != 200)
            continue;
        atomic_fetch_add(&crawl_docs, 1);
        if (r.kept < r.body_len)
            atomic_fetch_add(&crawl_cut, 1); /* its children past the buffer are not read */
        crawl_children(w, c->resp);
    }
}

static void *crawl_main(void *arg)
{
    (void)arg;
    conn c;
    crawl w = {0};
    conn_init(&c, opt.pport, LOAD_DOC_MAX);
    pacer pc = pacer_for(opt.crawl_rate, opt.crawlers);
    while (!atomic_load(&stop_public)) {
        for (int k = 0; k < 5 && !atomic_load(&stop_public); k++)
            crawl_contest(&c, &w, &pc, k);
        if (!atomic_load(&stop_public))
            atomic_fetch_add(&crawl_passes, 1);
    }
    free(w.todo);
    conn_free(&c);
    return NULL;
}

/* -------------------------------------------------------------- report */

static unsigned long phase_answers(int ph)
{
    unsigned long n = 0;
    for (int st = 0; st < 600; st++)
        n += by_status[ph][st];
    return n;
}

static void print_statuses(const char *what, atomic_ulong *by)
{
    printf("  %s:", what);
    for (int st = 0; st < 600; st++)
        if (by[st])
            printf(" %d: %lu", st, (unsigned long)by[st]);
    printf("\n");
}

static void print_phases(void)
{
    for (int ph = 0; ph < REPLAY_PHASES; ph++) {
        double s = q.end[ph] - q.start[ph];
        unsigned long n = phase_answers(ph);
        printf("%-16s %9lu in %7.2f s = %8.0f/s", replay_phase_name[ph], n, s, s > 0 ? n / s : 0);
        print_statuses("answers", by_status[ph]);
    }
}

static void print_latencies(void)
{
    for (int l = 0; l < LATS; l++) {
        lat_sort(&lats[l]);
        if (lats[l].n)
            printf("latency %-10s n %9zu  p50 %7.2f ms  p99 %7.2f ms  max %8.2f ms\n", lat_name[l],
                   (size_t)lats[l].n, lat_ms(&lats[l], 50), lat_ms(&lats[l], 99),
                   lat_ms(&lats[l], 100));
    }
}

/* CPU seconds of this process (every thread): the load generator's own
 * share of the machine's two cores. */
static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static void write_json(double wall)
{
    FILE *f = fopen(opt.json, "w");
    if (!f)
        die(opt.json);
    double fs = q.end[REPLAY_FORMS] - q.start[REPLAY_FORMS];
    fprintf(f, "{\"wall_s\":%.3f,\"forms\":%lu,\"forms_s\":%.3f,\"forms_per_s\":%.1f,", wall,
            phase_answers(REPLAY_FORMS), fs, fs > 0 ? phase_answers(REPLAY_FORMS) / fs : 0);
    fprintf(f, "\"form_201\":%lu,\"form_422\":%lu,\"corrections_201\":%lu,\"recaps_201\":%lu,",
            (unsigned long)by_status[REPLAY_FORMS][201], (unsigned long)by_status[REPLAY_FORMS][422],
            (unsigned long)by_status[REPLAY_CORRECTIONS][201],
            (unsigned long)(by_status[REPLAY_RECAP_KEC][201] + by_status[REPLAY_RECAP_KAB][201] +
                            by_status[REPLAY_RECAP_PROV][201] + by_status[REPLAY_RECAP_NATION][201]));
    for (int l = 0; l < LATS; l++)
        fprintf(f, "\"%s_p50_ms\":%.3f,\"%s_p99_ms\":%.3f,", lat_name[l], lat_ms(&lats[l], 50),
                lat_name[l], lat_ms(&lats[l], 99));
    fprintf(f, "\"photos\":%lu,\"photo_bytes\":%lu,\"public_requests\":%lu,\"public_hot\":%lu,",
            (unsigned long)lats[LAT_PHOTO].n, (unsigned long)photo_bytes,
            (unsigned long)lats[LAT_PUBLIC].n, (unsigned long)pub_hot);
    fprintf(f, "\"public_crawl\":%lu,\"public_per_s\":%.1f,\"public_errors\":%lu,",
            (unsigned long)pub_crawl, wall > 0 ? lats[LAT_PUBLIC].n / wall : 0,
            (unsigned long)(lats[LAT_PUBLIC].n - pub_status[200] - pub_status[304]));
    fprintf(f, "\"crawl_docs\":%lu,\"crawl_passes\":%lu,\"reconnects\":%lu,\"mismatches\":%lu,",
            (unsigned long)crawl_docs, (unsigned long)crawl_passes, (unsigned long)reconnects,
            (unsigned long)mismatches);
    fprintf(f, "\"load_cpu_s\":%.2f}\n", cpu_seconds());
    if (ferror(f) || fclose(f) != 0)
        die(opt.json);
}

static void report(double wall)
{
    printf("replay: %lu requests in %.2f s, %u officers\n", (unsigned long)nrec, wall, opt.conns);
    print_phases();
    print_statuses("photos", photo_status);
    printf("  photos: %zu PUT, %.2f GB\n", (size_t)lats[LAT_PHOTO].n, photo_bytes / 1e9);
    print_latencies();
    printf("public: %zu requests in %.2f s = %.0f/s (hot %lu, crawl %lu: %lu documents, %lu "
           "whole passes, %lu cut)\n",
           (size_t)lats[LAT_PUBLIC].n, wall, wall > 0 ? lats[LAT_PUBLIC].n / wall : 0,
           (unsigned long)pub_hot, (unsigned long)pub_crawl, (unsigned long)crawl_docs,
           (unsigned long)crawl_passes, (unsigned long)crawl_cut);
    print_statuses("public", pub_status);
    printf("reconnects %lu; answers not as expected: %lu; this tool's CPU %.1f s\n",
           (unsigned long)reconnects, (unsigned long)mismatches, cpu_seconds());
    if (opt.json)
        write_json(wall);
}

/* ---------------------------------------------------------------- main */

static const char usage[] =
    "usage: replay_load [--conns N] [--shards N] [--crawlers N] [--crawl-rate R] [--hot N]\n"
    "                   [--hot-rate R] [--province CODE] [--json FILE]\n"
    "                   WORK HOST INGEST_PORT PUBLIC_PORT\n";

static int parse_opts(int argc, char **argv)
{
    static const struct option lo[] = {
        {"conns", required_argument, NULL, 'c'},    {"shards", required_argument, NULL, 's'},
        {"crawlers", required_argument, NULL, 'w'}, {"hot", required_argument, NULL, 'h'},
        {"hot-rate", required_argument, NULL, 'r'}, {"province", required_argument, NULL, 'p'},
        {"json", required_argument, NULL, 'j'},     {"crawl-rate", required_argument, NULL, 'R'},
        {NULL, 0, NULL, 0}};
    opt = (load_opts){.province = "32", .conns = 128, .shards = 256, .crawlers = 2, .hot = 2,
                      .hot_rate = 200, .crawl_rate = 500};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        unsigned long v = optarg ? strtoul(optarg, NULL, 10) : 0;
        switch (c) {
        case 'c': opt.conns = (unsigned)v; break;
        case 's': opt.shards = (unsigned)v; break;
        case 'w': opt.crawlers = (unsigned)v; break;
        case 'h': opt.hot = (unsigned)v; break;
        case 'r': opt.hot_rate = strtod(optarg, NULL); break;
        case 'R': opt.crawl_rate = strtod(optarg, NULL); break;
        case 'p': opt.province = optarg; break;
        case 'j': opt.json = optarg; break;
        default: return -1;
        }
    }
    if (argc - optind != 4)
        return -1;
    opt.work = argv[optind];
    opt.host = argv[optind + 1];
    opt.iport = atoi(argv[optind + 2]);
    opt.pport = atoi(argv[optind + 3]);
    int ok = opt.conns >= 1 && opt.conns <= LOAD_CONNS_MAX && opt.shards >= 1 &&
             opt.crawlers + opt.hot <= LOAD_PUBLIC_MAX && opt.iport > 0 && opt.pport > 0 &&
             opt.hot_rate >= 0 && opt.crawl_rate >= 0 && strlen(opt.province) < 8;
    return ok ? 0 : -1;
}

static void lats_init(void)
{
    uint64_t recaps = nrec - count[REPLAY_FORMS] - count[REPLAY_CORRECTIONS];
    size_t forms = count[REPLAY_FORMS] < (8u << 20) ? count[REPLAY_FORMS] : (8u << 20);
    lat_init(&lats[LAT_FORM], forms + 1);
    lat_init(&lats[LAT_PHOTO], forms + 1);
    lat_init(&lats[LAT_CORRECTION], count[REPLAY_CORRECTIONS] + 1);
    lat_init(&lats[LAT_RECAP], recaps + 1);
    lat_init(&lats[LAT_PUBLIC], 8u << 20);
}

int main(int argc, char **argv)
{
    if (parse_opts(argc, argv) < 0) {
        fputs(usage, stderr);
        return 2;
    }
    feed_open();
    lats_init();
    pthread_t pub[LOAD_PUBLIC_MAX], off[LOAD_CONNS_MAX];
    unsigned npub = 0;
    for (unsigned i = 0; i < opt.crawlers; i++)
        pthread_create(&pub[npub++], NULL, crawl_main, NULL);
    for (unsigned i = 0; i < opt.hot; i++)
        pthread_create(&pub[npub++], NULL, hot_main, NULL);
    double t0 = hc_now();
    q.start[0] = t0;
    for (unsigned i = 0; i < opt.conns; i++)
        pthread_create(&off[i], NULL, officer_main, NULL);
    for (unsigned i = 0; i < opt.conns; i++)
        pthread_join(off[i], NULL);
    double wall = hc_now() - t0;
    atomic_store(&stop_public, 1);
    for (unsigned i = 0; i < npub; i++)
        pthread_join(pub[i], NULL);
    report(wall);
    for (int l = 0; l < LATS; l++)
        free(lats[l].v);
    free(offset);
    replay_photos_free(photos);
    close(feed_fd);
    return mismatches ? 1 : 0;
}
