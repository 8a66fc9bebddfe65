/* http_public_internal — the state shared by http_public.c (the listener:
 * routes, the log's files, proofs; answers go out through http_response,
 * photos are http_photo's, the deadline is http_conn),
 * http_public_docs.c (the documents: the render thread, documents rendered
 * from the store on demand, the anomaly list, the CSV export) and
 * http_public_determine.c (the determination of results). Not for other
 * modules. */
#ifndef REKAP_HTTP_PUBLIC_INTERNAL_H
#define REKAP_HTTP_PUBLIC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <microhttpd.h>

#include "edir/edir.h"
#include "http/cache.h"
#include "http/http_conn.h"
#include "http/http_limit.h"
#include "http/http_pace.h"
#include "http/http_web.h"
#include "http/http_public.h"
#include "http/http_response.h"
#include "http/render.h"
#include "http/render_2024.h"
#include "store/store.h"

#define PUB_THREADS_MAX 64
#define PUB_POOL_MAX (PUB_THREADS_MAX + 2) /* the listener, render and export threads */
#define PUB_ANOMALIES_MAX 10000u   /* flagged TPS and rejected entries listed per contest */

/* The determination documents (http_public_determine.c). */
typedef struct pub_determination pub_determination;

/* Rejected log entries of one contest, the latest PUB_ANOMALIES_MAX kept. */
typedef struct pub_ring {
    render_rejected *e;
    size_t cap, head, n;         /* next write at head; n kept */
    uint64_t total;              /* seen since the log's start */
} pub_ring;

struct public_server {
    public_config cfg;
    char *addr, *dir, *log_dir, *photo_dir;
    ingest *in;
    const election *el;
    uint8_t *mask;               /* render_contest_mask */
    render24 *r24;               /* the 2024 layout's ids, codes and photo base URL */
    web_site *web;               /* the web pages (http_web) */
    cache_doc *vkey;             /* /log/vkey: the log's verifier key */
    uint32_t nregion;            /* region nodes above TPS */
    struct MHD_Daemon *d;
    limiter *ip_limit;
    pacer *pacer;                /* requests over the rate wait their turn here */

    /* documents: slots the render thread keeps (see http_public_docs.c
     * for the layout), and documents rendered on demand */
    cache_slots *slots;
    cache_table *table;

    /* read-only store connections (PUB_POOL_MAX): the listener threads'
     * (documents rendered on demand), the render thread's and the export
     * thread's, each opened on first use */
    edir_pool *pool;

    /* the render thread */
    pthread_t render;
    int render_started;
    pthread_mutex_t render_lock;
    pthread_cond_t render_wake;
    atomic_int stopping;                  /* the render and export threads end */
    uint32_t *seen[CONTEST_KINDS];        /* row rev last rendered, per region */
    uint32_t anomalies_seen[CONTEST_KINDS];
    store *tail;                          /* the render thread's, taken from the pool */
    uint64_t tail_next;                   /* next log index to read for the anomaly list */
    pub_ring rejected[CONTEST_KINDS];

    /* the CSV export thread */
    pthread_t export;
    int export_started;
    atomic_uint export_want;              /* bit k: a reader found contest k's CSV stale */
    uint32_t export_rev[CONTEST_KINDS];   /* national row rev the CSV was made at */
    int export_made[CONTEST_KINDS];

    pub_determination *det;               /* made with the documents, freed with them */

    /* connections, for the deadline (held while an answer is sent) */
    http_conns *conns;
};

/* ------------------------------------------------ http_public_docs.c */

/* Render every document once (synchronously), then start the render and
 * export threads. The pool's errors (EDIR_POOL, STORE_*) when no store
 * connection can be had. */
int pubdocs_start(public_server *s, err_info *e);
/* Stop the threads; documents stay until the caches are freed. */
void pubdocs_stop(public_server *s);

/* Each returns a new reference, or NULL: not a region of that kind (the
 * caller answers 404), or (e set) the store failed. */
cache_doc *pubdocs_results(public_server *s, contest_kind k, uint32_t reg);
cache_doc *pubdocs_tps(public_server *s, uint32_t tps, err_info *e);
cache_doc *pubdocs_region(public_server *s, uint32_t reg);
cache_doc *pubdocs_anomalies(public_server *s, contest_kind k);
/* The 2024 layout (render_2024.h): NULL also where contest k has no such
 * document (not cast in reg, not a party-list contest, ...). */
cache_doc *pubdocs_hhcw(public_server *s, contest_kind k, uint32_t reg, err_info *e);
cache_doc *pubdocs_hhcw_tps(public_server *s, contest_kind k, uint32_t tps, err_info *e);
cache_doc *pubdocs_hhcd(public_server *s, contest_kind k, uint32_t reg);
cache_doc *pubdocs_hhcd_dapil(public_server *s, contest_kind k, uint32_t d);
cache_doc *pubdocs_wilayah(public_server *s, contest_kind k, uint32_t reg);
cache_doc *pubdocs_dapil_list(public_server *s, contest_kind k, uint32_t reg);
cache_doc *pubdocs_caleg(public_server *s, contest_kind k, uint32_t d);
cache_doc *pubdocs_pairs(public_server *s);
cache_doc *pubdocs_parties(public_server *s);
/* NULL while the first CSV of contest k is being made; a CSV older than
 * PUB_EXPORT_INTERVAL seconds asks the export thread for a new one. */
cache_doc *pubdocs_export(public_server *s, contest_kind k);

#define PUB_EXPORT_INTERVAL 60.0

/* ------------------------------------------- http_public_determine.c */

pub_determination *pubdet_new(void);
void pubdet_free(pub_determination *p); /* NULL is allowed */

/* /api/v1/determination/<contest>.json: a new reference to contest k's
 * determination at the tally's current state (made again only when the
 * contest's votes have moved since it was last asked for); NULL when k is
 * not cast in this election (404), or with e set when it cannot be
 * determined (500). */
cache_doc *pubdocs_determination(public_server *s, contest_kind k, err_info *e);

/* ------------------------------------------------ http_public_recap.c */

/* A unit's document key packs its region node and district. */
#define PUBRECAP_DISTRICT_BITS 14
/* /api/v1/recap/<contest>/<code>.json of region node reg, and
 * /api/v1/recap/<contest>/<code>/<d>.json of the unit packed as
 * reg << PUBRECAP_DISTRICT_BITS | d, written into x with st, a pooled
 * store connection. Errors: recap_unit_at's, the store's. */
int pubrecap_region_render(public_server *s, store *st, contest_kind k, uint32_t reg, rbuf *x,
                           err_info *e);
int pubrecap_unit_render(public_server *s, store *st, contest_kind k, uint32_t packed, rbuf *x,
                         err_info *e);
/* The two documents through the store-made cache (http_public_docs.c). */
cache_doc *pubdocs_recap_region(public_server *s, contest_kind k, uint32_t reg, err_info *e);
cache_doc *pubdocs_recap_unit(public_server *s, contest_kind k, uint32_t reg, uint32_t d,
                              err_info *e);

/* While the ingest path has work (a submission queued in the last
 * PUB_YIELD_MS), the public side's threads run at niceness PUB_NICE, so a
 * flood of reads on a shared machine yields the CPU to signature checks
 * and the writer; otherwise they run at full priority (docs/BENCHMARKS.md,
 * the flood figure). Called by each thread before its work. */
#define PUB_NICE 10
#define PUB_YIELD_MS 500

static inline void pub_yield(public_server *s)
{
    http_thread_nice(ingest_busy(s->in, PUB_YIELD_MS) ? PUB_NICE : 0);
}

#endif
