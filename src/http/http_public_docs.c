/* http_public_docs — the documents of the public listener: who renders
 * them, when, and where they are kept (render.h says what they hold).
 *
 * Owns:
 *   - the render thread: every render_ms it reads, under the ingest's read
 *     lock, only the tally rows whose rev moved since it last rendered them
 *     (tally.h) of the nation and the provinces (docs_kept), renders their
 *     results and 2024-layout documents and publishes each in its cache
 *     slot; the lock is released every few hundred documents so the
 *     writer never waits long. The first round, run before the listener
 *     opens, renders everything it keeps.
 *   - the documents of the tally below them (a kab/kota's, a kecamatan's,
 *     a desa's results, each district's hhcd file), rendered on request
 *     and kept in the bounded table under their rev (docs_on_request);
 *   - the anomaly list: flagged TPS read from the tally, rejected entries
 *     read from the store (the thread's own read-only connection), a
 *     bounded number of log entries per round;
 *   - documents rendered on demand from the store (TPS detail, the TPS
 *     file and desa table of the 2024 layout), kept render_ms in a bounded
 *     table, and the static region lists, kept for good;
 *   - the CSV export thread: one CSV per contest, made again at most every
 *     PUB_EXPORT_INTERVAL seconds and only when asked for and changed.
 * Every store connection comes from one bounded pool (edir_pool). Which
 * versions of a form are logged and counted comes from the ingest
 * (ingest_form_versions); the store gives only the bytes of a version so
 * named (edir_store_entry). A request takes the ingest's read lock only for
 * the instant of reading those two numbers, never while it reads the store
 * or renders; otherwise it reads published documents or the store (WAL
 * readers never wait for the writer). */
#include "http/http_public_internal.h"

#include <assert.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "http/http_util.h"

#define PUB_RENDER_CHUNK 384  /* documents rendered per hold of the read lock */
#define PUB_SCAN_CHUNK 8192   /* regions looked at per hold */
#define PUB_TAIL_CHUNK 200000 /* log entries read per round for the anomaly list */
#define PUB_EXPORT_CC "public, max-age=60"
#define PUB_CT_CSV "text/csv; charset=utf-8"

/* ------------------------------------------------------------ the slots */

/* Slot layout, by contest k and region r (above TPS):
 *   k * nregion + r                      results of k for r
 *   (CONTEST_KINDS + k) * nregion + r    the 2024 hhcw file of r (above desa)
 *   (2 * CONTEST_KINDS + k) * nregion + r  the 2024 hhcd file of a DPR or
 *                                        DPRD container (r: the nation or
 *                                        a province; docs_kept)
 * then the extras: per contest its anomaly list, the pairs, the parties,
 * per contest its CSV. A district's hhcd file and a kab/kota container's
 * are rendered on request (docs_on_request). */
enum {
    EXTRA_ANOMALIES = 0,
    EXTRA_PAIRS = CONTEST_KINDS,
    EXTRA_PARTIES = CONTEST_KINDS + 1,
    EXTRA_EXPORT = CONTEST_KINDS + 2,
    EXTRA_COUNT = 2 * CONTEST_KINDS + 2
};

static size_t slot_results(const public_server *s, contest_kind k, uint32_t r)
{
    return (size_t)k * s->nregion + r;
}

static size_t slot_hhcw(const public_server *s, contest_kind k, uint32_t r)
{
    return (size_t)(CONTEST_KINDS + k) * s->nregion + r;
}

static size_t slot_hhcd_at(const public_server *s, contest_kind k, uint32_t r)
{
    return (size_t)(2 * CONTEST_KINDS + k) * s->nregion + r;
}

static size_t slot_extra(const public_server *s, unsigned i)
{
    return (size_t)3 * CONTEST_KINDS * s->nregion + i;
}

static double docs_ttl(const public_server *s)
{
    return s->cfg.render_ms / 1000.0;
}

/* A new document of x's bytes (x is left empty). */
static cache_doc *docs_new(rbuf *x, const char *ctype, const char *cc)
{
    size_t len;
    char *body = rbuf_take(x, &len);
    return cache_doc_new(body, len, ctype, cc, http_now());
}

/* Keep d under key and return a reference for the caller too. */
static cache_doc *docs_keep(public_server *s, const char *key, cache_doc *d)
{
    cache_doc_ref(d);
    cache_table_put(s->table, key, d);
    return d;
}

/* The render thread keeps the region documents of the nation and the
 * provinces rendered (a few hundred: the hot pages, whose rows move with
 * nearly every form, so rendering them on request would mean once per
 * request). A kab/kota's, a kecamatan's and a desa's are rendered when
 * asked (docs_on_request), at most once per change of their row: 7,300
 * kecamatan and 83,000 desa x 5 contests kept rendered were most of
 * rekapd's memory at national scale (~250 MB of kecamatan documents
 * alone), and re-rendering every kab/kota and kecamatan a round's forms
 * touched, 4 times a second, most of the render thread's work. So with
 * the 2024 hhcd files: the render thread keeps the nation's (DPR) and
 * the provinces' (DPRD provinsi) lists of districts; a kab/kota's list
 * and each of the ~2,700 districts' files are rendered when asked. */
static int docs_kept(const public_server *s, uint32_t r)
{
    return s->el->tree->node[r].level < REGION_KABKOTA;
}

/* Is region r a container of kind k's districts (render24_dapils)? */
static int docs_container(const public_server *s, contest_kind k, uint32_t r)
{
    return (int)s->el->tree->node[r].level == render24_container_level(k);
}

/* ================================================== the render thread */

/* Documents rendered under the lock, published after it. */
typedef struct docs_batch {
    size_t n;
    size_t slot[PUB_RENDER_CHUNK];
    rbuf body[PUB_RENDER_CHUNK];
} docs_batch;

static rbuf *docs_next(docs_batch *b, size_t slot)
{
    b->slot[b->n] = slot;
    memset(&b->body[b->n], 0, sizeof(rbuf));
    rbuf_reserve(&b->body[b->n], 2048); /* most documents fit: no growing */
    return &b->body[b->n++];
}

static size_t docs_publish(public_server *s, docs_batch *b)
{
    size_t n = b->n;
    for (size_t i = 0; i < b->n; i++)
        cache_slots_put(s->slots, b->slot[i], docs_new(&b->body[i], resp_ct_json, resp_cc_live));
    b->n = 0;
    return n;
}

/* Region r's documents whose rows moved (all of them when forced), for
 * the levels kept rendered (docs_kept). */
static void docs_region(public_server *s, const tally *t, uint32_t r, const char *ts, int force,
                        docs_batch *b)
{
    if (!docs_kept(s, r))
        return;
    for (int k = 0; k < CONTEST_KINDS; k++) {
        if (!(s->mask[r] & (1u << k)))
            continue;
        uint32_t rev = tally_region(t, (contest_kind)k, r)->rev;
        if (!force && rev == s->seen[k][r])
            continue;
        s->seen[k][r] = rev;
        render_results(docs_next(b, slot_results(s, (contest_kind)k, r)), t, (contest_kind)k, r,
                       ts);
        render24_region(docs_next(b, slot_hhcw(s, (contest_kind)k, r)), s->r24, t,
                        (contest_kind)k, r, ts);
        if (docs_container(s, (contest_kind)k, r)) /* its districts are all below it */
            render24_dapils(docs_next(b, slot_hhcd_at(s, (contest_kind)k, r)), s->r24, t,
                            (contest_kind)k, r, ts);
    }
}

/* Regions in index order, so the nation and provinces come first in each
 * round (the tree is sorted by level). Returns the documents rendered. */
static size_t docs_regions(public_server *s, const char *ts, int force)
{
    const tally *t = ingest_tally(s->in);
    docs_batch *b = mem_alloc(sizeof *b);
    b->n = 0;
    size_t done = 0;
    for (uint32_t r = 0; r < s->nregion;) {
        ingest_read_lock(s->in);
        for (uint32_t n = 0;
             r < s->nregion && n < PUB_SCAN_CHUNK && b->n + 3 * CONTEST_KINDS <= PUB_RENDER_CHUNK;
             r++, n++)
            docs_region(s, t, r, ts, force, b);
        ingest_read_unlock(s->in);
        done += docs_publish(s, b);
    }
    free(b);
    return done;
}

/* ------------------------------------------------------- anomaly list */

static void docs_ring_push(pub_ring *ring, const render_rejected *r)
{
    if (ring->n < PUB_ANOMALIES_MAX && ring->head == ring->cap)
        mem_grow((void **)&ring->e, &ring->cap, ring->cap + 1, sizeof *ring->e);
    if (ring->head == PUB_ANOMALIES_MAX)
        ring->head = 0;
    ring->e[ring->head++] = *r;
    if (ring->n < PUB_ANOMALIES_MAX)
        ring->n++;
    ring->total++;
}

typedef struct docs_tail {
    public_server *s;
    uint64_t left;
    int changed[CONTEST_KINDS];
} docs_tail;

/* The rejection codes from an entry's last line, "status rejected A,B\n". */
static void docs_rejected_codes(const uint8_t *bytes, size_t len, char *out, size_t cap)
{
    static const char key[] = "status rejected ";
    const char *text = (const char *)bytes;
    size_t end = len && text[len - 1] == '\n' ? len - 1 : len, start = end;
    while (start > 0 && text[start - 1] != '\n')
        start--;
    out[0] = '\0';
    if (end - start > sizeof key - 1 && !memcmp(text + start, key, sizeof key - 1))
        snprintf(out, cap, "%.*s", (int)(end - start - (sizeof key - 1)),
                 text + start + sizeof key - 1);
}

static int docs_tail_one(void *ctx, const store_entry *en)
{
    docs_tail *d = ctx;
    public_server *s = d->s;
    s->tail_next = en->idx + 1;
    /* rejected C.Hasil only: a recap's row is keyed by its unit (recap_key),
     * and its rejections are shown with the recap (pubdocs_recap_*) */
    if (!en->accepted && en->kind < CONTEST_KINDS && strlen(en->tps) == REGION_CODE_MAX - 1) {
        render_rejected r = {.index = en->idx, .version = en->version};
        memcpy(r.tps, en->tps, sizeof r.tps);
        docs_rejected_codes(en->bytes, en->len, r.codes, sizeof r.codes);
        docs_ring_push(&s->rejected[en->kind], &r);
        d->changed[en->kind] = 1;
    }
    return --d->left == 0;
}

/* The flagged TPS of contest k (read lock held): up to PUB_ANOMALIES_MAX
 * indices into out, the count of all of them returned. */
static uint64_t docs_flagged(const tally *t, contest_kind k, uint32_t *out, size_t *n)
{
    uint64_t total = 0;
    *n = 0;
    for (size_t i = 0; i < t->el->ntps; i++) {
        if (!t->tps_flagged[k][i])
            continue;
        total++;
        if (*n < PUB_ANOMALIES_MAX)
            out[(*n)++] = (uint32_t)i;
    }
    return total;
}

static void docs_anomaly_doc(public_server *s, contest_kind k, const uint32_t *flagged,
                             size_t nflag, uint64_t flag_total, const char *ts)
{
    const pub_ring *ring = &s->rejected[k];
    const render_rejected **rej = mem_calloc(ring->n ? ring->n : 1, sizeof *rej);
    for (size_t i = 0; i < ring->n; i++) /* latest first */
        rej[i] = &ring->e[(ring->head + PUB_ANOMALIES_MAX - 1 - i) % PUB_ANOMALIES_MAX];
    rbuf x = {0};
    render_anomalies(&x, s->el, k, flagged, nflag, flag_total, rej, ring->n, ring->total,
                     s->tail_next, ts);
    free(rej);
    cache_slots_put(s->slots, slot_extra(s, EXTRA_ANOMALIES + k),
                    docs_new(&x, resp_ct_json, resp_cc_live));
}

static void docs_anomalies(public_server *s, const char *ts, int force)
{
    /* only rows the log holds: a replica's store may be ahead of what it
     * has verified */
    ingest_log_state ls;
    ingest_log_state_get(s->in, &ls);
    uint64_t want = ls.size > s->tail_next ? ls.size - s->tail_next : 0;
    docs_tail d = {.s = s, .left = want < PUB_TAIL_CHUNK ? want : PUB_TAIL_CHUNK};
    uint64_t chunk = d.left;
    err_info e = {0};
    if (chunk && store_entries_each(s->tail, s->tail_next, docs_tail_one, &d, &e) < 0)
        http_log(HTTP_LOG_WARN, "anomalies_read_failed",
                 json_pack("{s:s,s:s}", "code", e.code ? e.code : "?", "message", e.msg));
    const tally *t = ingest_tally(s->in);
    uint32_t *flagged = NULL;
    for (int k = 0; k < CONTEST_KINDS; k++) {
        if (!(s->mask[0] & (1u << k)))
            continue;
        ingest_read_lock(s->in);
        uint32_t rev = tally_region(t, (contest_kind)k, 0)->rev;
        /* the list, or how far the log was read, may have moved */
        if (!force && !d.changed[k] && d.left == chunk && rev == s->anomalies_seen[k]) {
            ingest_read_unlock(s->in);
            continue;
        }
        s->anomalies_seen[k] = rev;
        if (!flagged)
            flagged = mem_alloc(PUB_ANOMALIES_MAX * sizeof *flagged);
        size_t nflag;
        uint64_t total = docs_flagged(t, (contest_kind)k, flagged, &nflag);
        ingest_read_unlock(s->in);
        docs_anomaly_doc(s, (contest_kind)k, flagged, nflag, total, ts);
    }
    free(flagged);
}

/* One round; its figures go to the debug log (docs/OPERATIONS.md). */
static void docs_round(public_server *s, int force)
{
    char ts[RENDER_TS_MAX];
    render_ts(time(NULL), ts);
    double t0 = http_now();
    size_t n = docs_regions(s, ts, force);
    double t1 = http_now();
    docs_anomalies(s, ts, force);
    if (n)
        http_log(HTTP_LOG_DEBUG, "render_round",
                 json_pack("{s:i,s:f,s:f}", "documents", (int)n, "regions_seconds", t1 - t0,
                           "anomalies_seconds", http_now() - t1));
}

/* Wait until `deadline` (monotonic seconds) or a stop; 1 when stopping. */
static int docs_sleep_until(public_server *s, double deadline)
{
    pthread_mutex_lock(&s->render_lock);
    while (!atomic_load(&s->stopping)) {
        double left = deadline - http_now();
        if (left <= 0)
            break;
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        double at = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9 + left;
        ts.tv_sec = (time_t)at;
        ts.tv_nsec = (long)((at - (double)ts.tv_sec) * 1e9);
        pthread_cond_timedwait(&s->render_wake, &s->render_lock, &ts);
    }
    pthread_mutex_unlock(&s->render_lock);
    return atomic_load(&s->stopping);
}

/* A round every render_ms, counted from the start of the last one, so an
 * acknowledged form shows within render_ms plus one round. */
static void *docs_render_main(void *arg)
{
    public_server *s = arg;
    double next = http_now() + docs_ttl(s);
    while (!docs_sleep_until(s, next)) {
        next = http_now() + docs_ttl(s);
        pub_yield(s);
        docs_round(s, 0);
    }
    return NULL;
}

/* =================================================== store, on demand */

/* The counted form of TPS tps (index into the election's tps[]) for
 * contest k into *en: the version the ingest counts, its bytes from the
 * store. 0, ERR_NOTFOUND (nothing counted; e untouched), or the store's
 * error. */
static int docs_counted(public_server *s, store *st, uint32_t tps, contest_kind k, entry *en,
                        err_info *e)
{
    uint32_t latest, counted;
    uint64_t idx;
    ingest_form_versions(s->in, tps, k, &latest, &counted);
    if (!counted)
        return ERR_NOTFOUND;
    return edir_store_entry(st, election_tps_region(s->el, tps)->code, k, counted, 1, en, &idx,
                            e);
}

/* ------------------------------------------------------- TPS detail */

/* Every version logged of TPS tps's form of contest k into c (entries
 * allocated), the counted one marked and checked against the rules into
 * *report. */
static int docs_tps_contest(public_server *s, store *st, uint32_t tps, contest_kind k,
                            render_tps_contest *c, rule_report *report, err_info *e)
{
    const char *code = election_tps_region(s->el, tps)->code;
    uint32_t n, counted;
    ingest_form_versions(s->in, tps, k, &n, &counted);
    memset(c, 0, sizeof *c);
    c->kind = k;
    c->counted = (int)counted - 1; /* -1: none */
    render_version *v = mem_calloc(n ? n : 1, sizeof *v);
    c->v = v;
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < n; i++) {
        entry *en = mem_alloc(sizeof *en);
        v[i].en = en;
        c->n = i + 1;
        rc = edir_store_entry(st, code, k, i + 1, i + 1 == counted, en, &v[i].index, e);
    }
    if (rc == 0 && counted) {
        rules_check(&v[counted - 1].en->sub.form, s->el, report);
        c->report = report;
    }
    return rc;
}

static void docs_tps_free(render_tps_contest *c, unsigned nc)
{
    for (unsigned i = 0; i < nc; i++) {
        for (unsigned j = 0; j < c[i].n; j++)
            free((entry *)c[i].v[j].en);
        free((render_version *)c[i].v);
    }
}

static int docs_tps_render(public_server *s, store *st, contest_kind unused, uint32_t tps, rbuf *x,
                           err_info *e)
{
    (void)unused; /* every contest cast there */
    const election *el = s->el;
    render_tps_contest c[CONTEST_KINDS];
    rule_report *rep = mem_alloc(CONTEST_KINDS * sizeof *rep);
    unsigned nc = 0;
    int rc = 0;
    for (int k = 0; rc == 0 && k < CONTEST_KINDS; k++) {
        if (el->tps[tps].district[k] == ELECTION_NONE)
            continue;
        rc = docs_tps_contest(s, st, tps, (contest_kind)k, &c[nc], &rep[nc], e);
        nc++; /* freed whether or not it was read whole */
    }
    if (rc == 0) {
        char ts[RENDER_TS_MAX];
        render_ts(time(NULL), ts);
        render_tps(x, el, tps, c, nc, ts);
    }
    docs_tps_free(c, nc);
    free(rep);
    return rc;
}

/* --------------------------------------------- 2024 layout, from store */

static int docs_hhcw_tps_render(public_server *s, store *st, contest_kind k, uint32_t tps, rbuf *x,
                                err_info *e)
{
    entry *en = mem_alloc(sizeof *en);
    int rc = docs_counted(s, st, tps, k, en, e);
    if (rc == 0 || rc == ERR_NOTFOUND) {
        char ts[RENDER_TS_MAX];
        render_ts(time(NULL), ts);
        render24_tps(x, s->r24, k, tps, rc == 0 ? en : NULL, ts);
        rc = 0;
    }
    free(en);
    return rc;
}

static int docs_hhcw_desa_render(public_server *s, store *st, contest_kind k, uint32_t desa,
                                 rbuf *x, err_info *e)
{
    const region *rg = &s->el->tree->node[desa];
    assert(rg->level == REGION_DESA && rg->child >= s->el->tree->level_start[REGION_TPS]);
    size_t first = rg->child - s->el->tree->level_start[REGION_TPS]; /* its TPS, in order */
    entry **en = mem_calloc(rg->nchild ? rg->nchild : 1, sizeof *en);
    const form **forms = mem_calloc(rg->nchild ? rg->nchild : 1, sizeof *forms);
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < rg->nchild; i++) {
        en[i] = mem_alloc(sizeof **en);
        rc = docs_counted(s, st, (uint32_t)(first + i), k, en[i], e);
        if (rc == 0)
            forms[i] = &en[i]->sub.form;
        else if (rc == ERR_NOTFOUND)
            rc = 0;
    }
    if (rc == 0) {
        char ts[RENDER_TS_MAX];
        render_ts(time(NULL), ts);
        render24_desa(x, s->r24, k, desa, forms, ts);
    }
    for (uint32_t i = 0; i < rg->nchild; i++)
        free(en[i]);
    free(en);
    free(forms);
    return rc;
}

typedef int (*docs_store_fn)(public_server *s, store *st, contest_kind k, uint32_t i, rbuf *x,
                             err_info *e);

/* The document under key, rendered from the store when absent or older
 * than render_ms. */
static cache_doc *docs_from_store(public_server *s, const char *key, docs_store_fn fn,
                                  contest_kind k, uint32_t i, err_info *e)
{
    cache_doc *d = cache_table_get(s->table, key, http_now(), docs_ttl(s));
    if (d)
        return d;
    store *st;
    if (edir_pool_take(s->pool, &st, e) < 0)
        return NULL;
    rbuf x = {0};
    int rc = fn(s, st, k, i, &x, e);
    edir_pool_give(s->pool, st);
    if (rc < 0) {
        rbuf_free(&x);
        return NULL;
    }
    return docs_keep(s, key, docs_new(&x, resp_ct_json, resp_cc_live));
}

/* ================================================== what routes ask */

/* The documents made from the tally alone; i is a region but for
 * DOCS_DAPIL, where it is a district. */
typedef enum docs_tally_doc {
    DOCS_RESULTS, /* /api/v1/results/<k>/<region>.json */
    DOCS_HHCW,    /* the 2024 hhcw file of a region */
    DOCS_HHCD,    /* the 2024 hhcd file of a container: its districts */
    DOCS_DAPIL,   /* the 2024 hhcd file of one district */
} docs_tally_doc;

/* The rev of what the document shows; under the read lock. A region
 * row's rev moves with every form counted below it; a district's is the
 * sum of its regions' (render24_dapil_rev). */
static uint64_t docs_rev(const public_server *s, const tally *t, docs_tally_doc what,
                         contest_kind k, uint32_t i)
{
    return what == DOCS_DAPIL ? render24_dapil_rev(s->r24, t, k, i) : tally_region(t, k, i)->rev;
}

/* The table's key of the document at rev. */
static void docs_rev_key(const public_server *s, docs_tally_doc what, contest_kind k, uint32_t i,
                         uint64_t rev, char key[64])
{
    char id[16];
    if (what == DOCS_DAPIL)
        snprintf(id, sizeof id, "%u", i);
    snprintf(key, 64, "%c%d/%s/%" PRIu64, "dwcp"[what], k,
             what == DOCS_DAPIL ? id : s->el->tree->node[i].code, rev);
}

/* A document from the tally, rendered on request and kept in the table
 * under its rev: the same bytes (and ETag, so a poll is answered 304)
 * until the rev moves, so a document is never older than its rev says. */
static cache_doc *docs_on_request(public_server *s, docs_tally_doc what, contest_kind k,
                                  uint32_t i)
{
    const tally *t = ingest_tally(s->in);
    char key[64];
    ingest_read_lock(s->in);
    uint64_t rev = docs_rev(s, t, what, k, i);
    ingest_read_unlock(s->in);
    docs_rev_key(s, what, k, i, rev, key);
    cache_doc *d = cache_table_get(s->table, key, 0, 0); /* the rev is in the key */
    if (d)
        return d;
    char ts[RENDER_TS_MAX];
    render_ts(time(NULL), ts);
    rbuf x = {0};
    ingest_read_lock(s->in);
    rev = docs_rev(s, t, what, k, i); /* what is rendered is of this rev */
    switch (what) {
    case DOCS_RESULTS:
        render_results(&x, t, k, i, ts);
        break;
    case DOCS_HHCW:
        render24_region(&x, s->r24, t, k, i, ts);
        break;
    case DOCS_HHCD:
        render24_dapils(&x, s->r24, t, k, i, ts);
        break;
    case DOCS_DAPIL:
        render24_dapil(&x, s->r24, t, k, i, ts);
        break;
    }
    ingest_read_unlock(s->in);
    docs_rev_key(s, what, k, i, rev, key);
    return docs_keep(s, key, docs_new(&x, resp_ct_json, resp_cc_live));
}

cache_doc *pubdocs_results(public_server *s, contest_kind k, uint32_t reg)
{
    if (reg >= s->nregion || !(s->mask[reg] & (1u << k)))
        return NULL;
    if (!docs_kept(s, reg))
        return docs_on_request(s, DOCS_RESULTS, k, reg);
    return cache_slots_get(s->slots, slot_results(s, k, reg));
}

cache_doc *pubdocs_hhcw(public_server *s, contest_kind k, uint32_t reg, err_info *e)
{
    if (reg >= s->nregion || !(s->mask[reg] & (1u << k)))
        return NULL;
    if (docs_kept(s, reg))
        return cache_slots_get(s->slots, slot_hhcw(s, k, reg));
    if (s->el->tree->node[reg].level < REGION_DESA) /* a desa's lists its TPS: the store */
        return docs_on_request(s, DOCS_HHCW, k, reg);
    char key[32];
    snprintf(key, sizeof key, "h%d/%s", k, s->el->tree->node[reg].code);
    return docs_from_store(s, key, docs_hhcw_desa_render, k, reg, e);
}

cache_doc *pubdocs_hhcw_tps(public_server *s, contest_kind k, uint32_t tps, err_info *e)
{
    if (s->el->tps[tps].district[k] == ELECTION_NONE)
        return NULL;
    char key[32];
    snprintf(key, sizeof key, "ht%d/%s", k, election_tps_region(s->el, tps)->code);
    return docs_from_store(s, key, docs_hhcw_tps_render, k, tps, e);
}

cache_doc *pubdocs_tps(public_server *s, uint32_t tps, err_info *e)
{
    char key[32];
    snprintf(key, sizeof key, "t/%s", election_tps_region(s->el, tps)->code);
    return docs_from_store(s, key, docs_tps_render, CONTEST_PPWP, tps, e);
}

cache_doc *pubdocs_recap_region(public_server *s, contest_kind k, uint32_t reg, err_info *e)
{
    char key[32];
    snprintf(key, sizeof key, "r%d/%s", k, s->el->tree->node[reg].code);
    return docs_from_store(s, key, pubrecap_region_render, k, reg, e);
}

cache_doc *pubdocs_recap_unit(public_server *s, contest_kind k, uint32_t reg, uint32_t d,
                              err_info *e)
{
    char key[40];
    assert(reg < (1u << (32 - PUBRECAP_DISTRICT_BITS)) && d < (1u << PUBRECAP_DISTRICT_BITS));
    snprintf(key, sizeof key, "u%d/%s/%u", k, s->el->tree->node[reg].code, d);
    return docs_from_store(s, key, pubrecap_unit_render, k,
                           reg << PUBRECAP_DISTRICT_BITS | d, e);
}

cache_doc *pubdocs_hhcd(public_server *s, contest_kind k, uint32_t reg)
{
    if (!contest_is_party_list(k) || reg >= s->nregion || !docs_container(s, k, reg))
        return NULL;
    if (docs_kept(s, reg))
        return cache_slots_get(s->slots, slot_hhcd_at(s, k, reg));
    return docs_on_request(s, DOCS_HHCD, k, reg);
}

cache_doc *pubdocs_hhcd_dapil(public_server *s, contest_kind k, uint32_t d)
{
    if (!contest_is_party_list(k) || d >= s->el->ndistrict[k])
        return NULL;
    return docs_on_request(s, DOCS_DAPIL, k, d);
}

/* Lists never change while the election is loaded: kept for good (until
 * evicted from the table), made on first use. */
typedef enum docs_list {
    DOCS_REGION,   /* /api/v1/regions/<code>.json: i a region */
    DOCS_WILAYAH,  /* /wilayah/pemilu/<c>/...: i a region */
    DOCS_DAPILS,   /* the dapil list of a container region i */
    DOCS_CALEG,    /* the candidates of district i */
} docs_list;

static void docs_list_render(public_server *s, docs_list what, contest_kind k, uint32_t i, rbuf *x)
{
    switch (what) {
    case DOCS_REGION:
        render_region(x, s->el, s->mask, i);
        break;
    case DOCS_WILAYAH:
        render24_wilayah(x, s->r24, k, i);
        break;
    case DOCS_DAPILS:
        render24_dapil_list(x, s->r24, k, i);
        break;
    case DOCS_CALEG:
        render24_caleg(x, s->r24, k, i);
        break;
    }
}

static cache_doc *docs_list_get(public_server *s, docs_list what, contest_kind k, uint32_t i)
{
    char key[32];
    snprintf(key, sizeof key, "l%d/%d/%u", (int)what, (int)k, i);
    cache_doc *d = cache_table_get(s->table, key, 0, 0);
    if (d)
        return d;
    rbuf x = {0};
    docs_list_render(s, what, k, i, &x);
    return docs_keep(s, key, docs_new(&x, resp_ct_json, resp_cc_static));
}

cache_doc *pubdocs_region(public_server *s, uint32_t reg)
{
    return docs_list_get(s, DOCS_REGION, CONTEST_PPWP, reg);
}

cache_doc *pubdocs_wilayah(public_server *s, contest_kind k, uint32_t reg)
{
    return s->mask[reg] & (1u << k) ? docs_list_get(s, DOCS_WILAYAH, k, reg) : NULL;
}

cache_doc *pubdocs_dapil_list(public_server *s, contest_kind k, uint32_t reg)
{
    return contest_is_party_list(k) ? docs_list_get(s, DOCS_DAPILS, k, reg) : NULL;
}

cache_doc *pubdocs_caleg(public_server *s, contest_kind k, uint32_t d)
{
    return k != CONTEST_PPWP && d < s->el->ndistrict[k] ? docs_list_get(s, DOCS_CALEG, k, d)
                                                         : NULL;
}

cache_doc *pubdocs_anomalies(public_server *s, contest_kind k)
{
    return cache_slots_get(s->slots, slot_extra(s, EXTRA_ANOMALIES + k));
}

cache_doc *pubdocs_pairs(public_server *s)
{
    return cache_slots_get(s->slots, slot_extra(s, EXTRA_PAIRS));
}

cache_doc *pubdocs_parties(public_server *s)
{
    return cache_slots_get(s->slots, slot_extra(s, EXTRA_PARTIES));
}

cache_doc *pubdocs_export(public_server *s, contest_kind k)
{
    cache_doc *d = cache_slots_get(s->slots, slot_extra(s, EXTRA_EXPORT + k));
    if (!d || http_now() - d->born > PUB_EXPORT_INTERVAL)
        atomic_fetch_or(&s->export_want, 1u << k); /* the export thread looks every second */
    return d;
}

/* ================================================ the CSV export thread */

/* The TPS counted for contest k now, and the national rev they belong to. */
static uint32_t *docs_counted_tps(public_server *s, contest_kind k, size_t *n, uint32_t *rev)
{
    const tally *t = ingest_tally(s->in);
    uint32_t *list = NULL;
    size_t cap = 0;
    *n = 0;
    ingest_read_lock(s->in);
    *rev = tally_region(t, k, 0)->rev;
    for (size_t i = 0; i < s->el->ntps; i++)
        if (t->tps_counted[k][i]) {
            mem_grow((void **)&list, &cap, *n + 1, sizeof *list);
            list[(*n)++] = (uint32_t)i;
        }
    ingest_read_unlock(s->in);
    return list;
}

/* The CSV of contest k from its counted forms, unless nothing changed
 * since the last one. */
static void docs_export_one(public_server *s, store *st, contest_kind k)
{
    size_t n;
    uint32_t rev;
    uint32_t *list = docs_counted_tps(s, k, &n, &rev);
    if (s->export_made[k] && rev == s->export_rev[k]) {
        free(list);
        return;
    }
    rbuf x = {0};
    render_csv_header(&x, s->el, k);
    entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n && !atomic_load(&s->stopping); i++) {
        rc = docs_counted(s, st, list[i], k, en, &e); /* counted stays counted: found */
        if (rc == 0)
            render_csv_row(&x, s->el, en);
    }
    free(en);
    free(list);
    if (rc < 0 || atomic_load(&s->stopping)) {
        if (rc < 0)
            http_log(HTTP_LOG_WARN, "export_failed",
                     json_pack("{s:s,s:s}", "code", e.code ? e.code : "?", "message", e.msg));
        rbuf_free(&x);
        return;
    }
    cache_slots_put(s->slots, slot_extra(s, EXTRA_EXPORT + k),
                    docs_new(&x, PUB_CT_CSV, PUB_EXPORT_CC));
    s->export_rev[k] = rev;
    s->export_made[k] = 1;
}

static void *docs_export_main(void *arg)
{
    public_server *s = arg;
    store *st = NULL;
    unsigned want = s->mask[0] & ((1u << CONTEST_KINDS) - 1); /* every contest, once */
    while (!atomic_load(&s->stopping)) {
        err_info e = {0};
        pub_yield(s);
        if (!st && edir_pool_take(s->pool, &st, &e) < 0)
            http_log(HTTP_LOG_WARN, "export_store_failed", json_pack("{s:s}", "message", e.msg));
        want |= atomic_exchange(&s->export_want, 0);
        for (int k = 0; st && k < CONTEST_KINDS; k++)
            if (want & (1u << k))
                docs_export_one(s, st, (contest_kind)k);
        want = 0;
        docs_sleep_until(s, http_now() + 1.0);
    }
    if (st)
        edir_pool_give(s->pool, st);
    return NULL;
}

/* ======================================================== start, stop */

/* Bytes of the documents kept for contest k (results, hhcw, hhcd; not
 * their gzip forms, made on first request) and how many: the memory the
 * render thread holds per contest, logged at start (docs/API.md). */
static void docs_bytes(public_server *s, contest_kind k, size_t *n, uint64_t *bytes)
{
    const size_t range[3][2] = {
        {slot_results(s, k, 0), slot_results(s, k, s->nregion)},
        {slot_hhcw(s, k, 0), slot_hhcw(s, k, s->nregion)},
        {slot_hhcd_at(s, k, 0), slot_hhcd_at(s, k, s->nregion)},
    };
    *n = 0;
    *bytes = 0;
    for (int part = 0; part < 3; part++) {
        for (size_t i = range[part][0]; i < range[part][1]; i++) {
            cache_doc *d = cache_slots_get(s->slots, i);
            if (!d)
                continue;
            (*n)++;
            *bytes += d->len;
            cache_doc_unref(d);
        }
    }
}

static void docs_log_bytes(public_server *s)
{
    json_t *per = json_object();
    for (int k = 0; k < CONTEST_KINDS; k++) {
        size_t n;
        uint64_t bytes;
        docs_bytes(s, (contest_kind)k, &n, &bytes);
        json_object_set_new(per, contest_kind_id[k],
                            json_pack("{s:I,s:I}", "documents", (json_int_t)n, "bytes",
                                      (json_int_t)bytes));
    }
    http_log(HTTP_LOG_INFO, "public_documents", per);
}

int pubdocs_start(public_server *s, err_info *e)
{
    s->det = pubdet_new();
    s->slots = cache_slots_new((size_t)3 * CONTEST_KINDS * s->nregion + EXTRA_COUNT);
    for (int k = 0; k < CONTEST_KINDS; k++)
        s->seen[k] = mem_calloc(s->nregion ? s->nregion : 1, sizeof(uint32_t));
    int rc = edir_pool_new(s->dir, PUB_POOL_MAX, &s->pool, e);
    if (rc == 0)
        rc = edir_pool_take(s->pool, &s->tail, e);
    if (rc < 0)
        return rc;
    docs_round(s, 1);
    docs_log_bytes(s);
    char ts[RENDER_TS_MAX];
    render_ts(time(NULL), ts);
    rbuf x = {0};
    render24_pairs(&x, s->r24, ts);
    cache_slots_put(s->slots, slot_extra(s, EXTRA_PAIRS), docs_new(&x, resp_ct_json, resp_cc_static));
    render24_parties(&x, s->r24, ts);
    cache_slots_put(s->slots, slot_extra(s, EXTRA_PARTIES),
                    docs_new(&x, resp_ct_json, resp_cc_static));
    if (pthread_create(&s->render, NULL, docs_render_main, s) != 0)
        return err_set(e, ERR_IO, "PUBLIC_THREAD", "", "cannot start the render thread");
    s->render_started = 1;
    if (pthread_create(&s->export, NULL, docs_export_main, s) != 0)
        return err_set(e, ERR_IO, "PUBLIC_THREAD", "", "cannot start the export thread");
    s->export_started = 1;
    return 0;
}

void pubdocs_stop(public_server *s)
{
    pthread_mutex_lock(&s->render_lock);
    atomic_store(&s->stopping, 1);
    pthread_cond_broadcast(&s->render_wake);
    pthread_mutex_unlock(&s->render_lock);
    if (s->render_started)
        pthread_join(s->render, NULL);
    if (s->export_started)
        pthread_join(s->export, NULL);
    s->render_started = s->export_started = 0;
    if (s->tail)
        edir_pool_give(s->pool, s->tail);
    s->tail = NULL;
    edir_pool_free(s->pool);
    s->pool = NULL;
    pubdet_free(s->det);
    s->det = NULL;
    for (int k = 0; k < CONTEST_KINDS; k++) {
        free(s->seen[k]);
        s->seen[k] = NULL;
        free(s->rejected[k].e);
        memset(&s->rejected[k], 0, sizeof s->rejected[k]);
    }
}
