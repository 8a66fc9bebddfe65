/* bench_ingest — the library-path ingest benchmark of docs/BENCHMARKS.md.
 *
 *   bench_ingest prepare WORK   national election (seed 2024), one KPPS key
 *                               per TPS, every TPS's true PPWP form signed
 *                               by its key, written to WORK/signed.bin; an
 *                               election directory WORK/el with the keys
 *                               enrolled. Setup, not measured.
 *   bench_ingest ceiling WORK   Ed25519 verifications/s of those signatures
 *                               on every core: the machine's ceiling.
 *   bench_ingest run WORK       open WORK/el, ingest every signed form
 *                               (signatures verified, rules, fsync-durable
 *                               group commit, log), report forms/s and
 *                               peak RSS; then close and reopen: restart
 *                               (tally rebuild) time.
 *
 * signed.bin: records of [u32 length][submission][32-byte key][64-byte sig]. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/entry.h"
#include "core/keys.h"
#include "core/mem.h"
#include "gen/gen.h"
#include "ingest/ingest.h"
#include "io/masterdata.h"

#ifndef REKAP_DATA_DIR
#define REKAP_DATA_DIR "data"
#endif

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long peak_rss_kib(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return ru.ru_maxrss;
}

static void die(const char *what, const err_info *e)
{
    fprintf(stderr, "bench_ingest: %s: %s %s %s\n", what, e ? e->code : "", e ? e->where : "",
            e ? e->msg : "");
    exit(1);
}

/* ---------------------------------------------------------------- prepare */

typedef struct prep {
    election *el;
    uint8_t (*sk)[64];     /* one secret key per TPS */
    FILE *out;
    unsigned long n;
} prep;

/* Each generated PPWP form is signed by its TPS's key and written out. */
static int prep_sink(void *ctx, const form *f)
{
    prep *p = ctx;
    static submission s;
    static char buf[ENTRY_MAX + 1];
    memcpy(&s.form, f, sizeof *f);
    s.version = 1;
    size_t n = submission_encode(&s, buf, sizeof buf);
    uint32_t tps = election_tps_find(p->el, f->tps);
    uint8_t sig[64];
    entry_sign(buf, n, p->sk[tps], sig);
    uint32_t len = (uint32_t)n;
    fwrite(&len, sizeof len, 1, p->out);
    fwrite(buf, 1, n, p->out);
    fwrite(p->sk[tps] + 32, 1, 32, p->out); /* libsodium: sk = seed || public key */
    fwrite(sig, 1, 64, p->out);
    p->n++;
    return 0;
}

static void bench_prepare(const char *work)
{
    char path[4096], eldir[4096];
    err_info e = {0};
    region_tree *tree;
    election *el;
    gen_params gp;
    gen_params_default(&gp);
    gp.seed = 2024;
    mkdir(work, 0755);
    if (masterdata_load(REKAP_DATA_DIR, &tree, &e) < 0 || gen_election(tree, &gp, &el, &e) < 0)
        die("generate", &e);
    snprintf(path, sizeof path, "%s/election.json", work);
    FILE *f = fopen(path, "w");
    if (!f || election_write(el, f) < 0 || fclose(f) != 0)
        die("write election.json", NULL);
    snprintf(eldir, sizeof eldir, "%s/el", work);
    if (ingest_init(eldir, REKAP_DATA_DIR, path, "rekap.bench/national", &e) < 0)
        die("init", &e);

    double t0 = now_s();
    prep p = {.el = el, .sk = mem_alloc(el->ntps * sizeof *p.sk)};
    ingest_officer *req = mem_alloc(el->ntps * sizeof *req);
    for (size_t i = 0; i < el->ntps; i++) {
        keys_generate(req[i].pubkey, p.sk[i]);
        req[i].role = 0;
        req[i].region = election_tps_region(el, (uint32_t)i)->code;
        req[i].name = "";
    }
    ingest *in;
    ingest_config cfg = {.dir = eldir, .data_dir = REKAP_DATA_DIR};
    if (ingest_open(&cfg, &in, &e) < 0 || ingest_enrol_many(in, req, el->ntps, &e) < 0)
        die("enrol", &e);
    ingest_close(in);
    free(req);
    fprintf(stderr, "keys: %zu generated and enrolled in %.1f s\n", el->ntps, now_s() - t0);

    t0 = now_s();
    snprintf(path, sizeof path, "%s/signed.bin", work);
    p.out = fopen(path, "w");
    if (!p.out || gen_forms(el, 2024, 1u << CONTEST_PPWP, NULL, prep_sink, &p, &e) < 0 ||
        fclose(p.out) != 0)
        die("sign forms", &e);
    fprintf(stderr, "forms: %lu PPWP forms signed in %.1f s\n", p.n, now_s() - t0);
    free(p.sk);
    election_free(el);
}

/* ---------------------------------------------------------------- records */

typedef struct rec {
    const char *sub;
    uint32_t len;
    const uint8_t *pk, *sig;
} rec;

typedef struct recs {
    char *buf;
    rec *r;
    size_t n;
} recs;

static void recs_load(const char *work, recs *rs)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/signed.bin", work);
    FILE *f = fopen(path, "r");
    struct stat st;
    if (!f || fstat(fileno(f), &st) < 0)
        die("open signed.bin (run prepare first)", NULL);
    rs->buf = mem_alloc((size_t)st.st_size);
    if (fread(rs->buf, 1, (size_t)st.st_size, f) != (size_t)st.st_size)
        die("read signed.bin", NULL);
    fclose(f);
    size_t cap = 0;
    for (char *p = rs->buf; p < rs->buf + st.st_size;) {
        mem_grow((void **)&rs->r, &cap, rs->n + 1, sizeof *rs->r);
        rec *r = &rs->r[rs->n++];
        memcpy(&r->len, p, 4);
        r->sub = p + 4;
        r->pk = (const uint8_t *)r->sub + r->len;
        r->sig = r->pk + 32;
        p = (char *)r->sig + 64;
    }
}

/* ---------------------------------------------------------------- ceiling */

typedef struct worker {
    const recs *rs;
    atomic_size_t *next;
    ingest *in;
    unsigned long ok, bad;
} worker;

static void *ceiling_main(void *arg)
{
    worker *w = arg;
    size_t i;
    while ((i = atomic_fetch_add(w->next, 1)) < w->rs->n) {
        const rec *r = &w->rs->r[i];
        if (entry_verify(r->sub, r->len, r->pk, r->sig) == 0)
            w->ok++;
        else
            w->bad++;
    }
    return NULL;
}

static double run_workers(const recs *rs, ingest *in, void *(*fn)(void *), unsigned nthreads,
                          unsigned long *ok)
{
    atomic_size_t next = 0;
    pthread_t th[16];
    worker w[16];
    double t0 = now_s();
    for (unsigned t = 0; t < nthreads; t++) {
        w[t] = (worker){.rs = rs, .next = &next, .in = in};
        pthread_create(&th[t], NULL, fn, &w[t]);
    }
    *ok = 0;
    for (unsigned t = 0; t < nthreads; t++) {
        pthread_join(th[t], NULL);
        *ok += w[t].ok;
    }
    return now_s() - t0;
}

static unsigned ncores(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 16 ? 16 : (unsigned)n;
}

static void bench_ceiling(const char *work)
{
    recs rs = {0};
    recs_load(work, &rs);
    unsigned long ok;
    double s = run_workers(&rs, NULL, ceiling_main, ncores(), &ok);
    printf("ceiling: %lu Ed25519 verifications on %u cores in %.2f s = %.0f/s\n", ok, ncores(), s,
           ok / s);
    free(rs.r);
    free(rs.buf);
}

/* ---------------------------------------------------------------- run */

static atomic_ulong answered, accepted;

static void run_done(void *ctx, const ingest_result *r)
{
    (void)ctx;
    if (r->status == INGEST_ACCEPTED)
        atomic_fetch_add(&accepted, 1);
    else if (atomic_load(&answered) < 5)
        fprintf(stderr, "not accepted: %s %s %s %s\n", r->tps, r->err.code ? r->err.code : "",
                r->err.msg, r->codes);
    atomic_fetch_add(&answered, 1);
}

/* The run streams signed.bin, so the peak RSS is the ingest's own. */
typedef struct feed {
    FILE *f;
    pthread_mutex_t lock;
    ingest *in;
    unsigned long queued;
} feed;

/* Next record into buf (ENTRY_MAX + 96 bytes); 0 at the end. */
static int feed_next(feed *fd, char *buf, uint32_t *len)
{
    pthread_mutex_lock(&fd->lock);
    int ok = fread(len, sizeof *len, 1, fd->f) == 1 && *len <= ENTRY_MAX &&
             fread(buf, 1, *len + 96, fd->f) == *len + 96;
    pthread_mutex_unlock(&fd->lock);
    return ok;
}

static void *run_main(void *arg)
{
    feed *fd = arg;
    char *buf = mem_alloc(ENTRY_MAX + 96);
    uint32_t len;
    while (feed_next(fd, buf, &len)) {
        ingest_job *job;
        err_info e = {0};
        const uint8_t *pk = (const uint8_t *)buf + len;
        if (ingest_prepare(fd->in, buf, len, pk, pk + 32, &job, &e) < 0) {
            fprintf(stderr, "refused: %s %s\n", e.code, e.msg);
            continue;
        }
        if (ingest_enqueue(fd->in, job, 1, run_done, NULL) == 0)
            __atomic_fetch_add(&fd->queued, 1, __ATOMIC_RELAXED);
    }
    free(buf);
    return NULL;
}

static void bench_run(const char *work)
{
    char eldir[4096], path[4096];
    snprintf(eldir, sizeof eldir, "%s/el", work);
    snprintf(path, sizeof path, "%s/signed.bin", work);
    ingest_config cfg = {.dir = eldir, .data_dir = REKAP_DATA_DIR};
    feed fd = {.f = fopen(path, "r")};
    if (!fd.f)
        die("open signed.bin (run prepare first)", NULL);
    pthread_mutex_init(&fd.lock, NULL);
    err_info e = {0};
    double t0 = now_s();
    if (ingest_open(&cfg, &fd.in, &e) < 0)
        die("open", &e);
    printf("open before ingest: %.2f s, RSS %ld MiB\n", now_s() - t0, peak_rss_kib() / 1024);
    double t1 = now_s();
    pthread_t th[16];
    unsigned n = ncores();
    for (unsigned t = 0; t < n; t++)
        pthread_create(&th[t], NULL, run_main, &fd);
    for (unsigned t = 0; t < n; t++)
        pthread_join(th[t], NULL);
    ingest_close(fd.in); /* waits for every queued job and publishes the log */
    double s = now_s() - t1;
    fclose(fd.f);
    printf("ingest: %lu forms queued, %lu answered, %lu accepted in %.2f s = %.0f forms/s "
           "(%u preparing threads)\n",
           fd.queued, (unsigned long)answered, (unsigned long)accepted, s, accepted / s, n);
    printf("peak RSS after ingest: %ld MiB\n", peak_rss_kib() / 1024);

    t0 = now_s();
    if (ingest_open(&cfg, &fd.in, &e) < 0)
        die("reopen", &e);
    printf("restart: open with tally rebuild %.2f s (rebuild alone %.2f s)\n", now_s() - t0,
           ingest_rebuild_seconds(fd.in));
    ingest_close(fd.in);
    printf("peak RSS overall: %ld MiB\n", peak_rss_kib() / 1024);
}

int main(int argc, char **argv)
{
    if (sodium_init() < 0 || argc != 3) {
        fprintf(stderr, "usage: bench_ingest prepare|ceiling|run WORKDIR\n");
        return 2;
    }
    if (!strcmp(argv[1], "prepare"))
        bench_prepare(argv[2]);
    else if (!strcmp(argv[1], "ceiling"))
        bench_ceiling(argv[2]);
    else if (!strcmp(argv[1], "run"))
        bench_run(argv[2]);
    else
        return 2;
    return 0;
}
