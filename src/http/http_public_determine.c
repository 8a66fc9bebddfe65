/* http_public_determine — the determination of results on the public
 * listener: /api/v1/determination/<contest>.json (docs/API.md,
 * "Determination"), who is elected from the votes counted so far
 * (core/determine.h), in the bytes core/determine_json.c writes (the same
 * as `rekap determine --json`).
 *
 * Owns one document per contest and when it was made. It is made when
 * asked for, and made again only when the contest's national tally row
 * has moved since (its rev: every counted form of the contest bumps it),
 * so a flood of requests costs one determination per change, never one
 * per request; a mutex per contest makes sure two requests after a change
 * do not both compute it (the second waits for the first and takes its
 * bytes), while another contest's requests go on.
 * The tally's read lock is held only while the contest is determined
 * (milliseconds nationally); the JSON is written after it is released. A
 * determination that fails (DETERMINE_VOTES_LIMIT, DETERMINE_SHAPE) is
 * remembered like a document, so it is not tried again until the votes
 * move. */
#include "http/http_public_internal.h"

#include <stdlib.h>

#include "core/determine.h"
#include "core/recap.h"
#include "core/mem.h"
#include "http/http_util.h"

struct pub_determination {
    pthread_mutex_t lock[CONTEST_KINDS]; /* one determination of k at a time; guards k's rest */
    int made[CONTEST_KINDS];             /* doc or err is the answer at rev */
    uint64_t rev[CONTEST_KINDS];         /* national row rev | book changes << 32 at making */
    cache_doc *doc[CONTEST_KINDS];       /* NULL: the determination failed with err */
    err_info err[CONTEST_KINDS];
};

pub_determination *pubdet_new(void)
{
    pub_determination *p = mem_calloc(1, sizeof *p);
    for (int k = 0; k < CONTEST_KINDS; k++)
        pthread_mutex_init(&p->lock[k], NULL);
    return p;
}

void pubdet_free(pub_determination *p)
{
    if (!p)
        return;
    for (int k = 0; k < CONTEST_KINDS; k++) {
        cache_doc_unref(p->doc[k]);
        pthread_mutex_destroy(&p->lock[k]);
    }
    free(p);
}

/* Determine contest k from the ingest's tally and its signed recaps (the
 * caller holds the read lock): the result into *r, what the document says
 * beside it into *m, whose per-district sources are *fr (freed by the
 * caller). */
static int pubdet_compute(public_server *s, contest_kind k, determine_result **r,
                          determine_json_meta *m, uint8_t **fr, err_info *e)
{
    return recap_determine(ingest_recap_book(s->in), s->el, ingest_tally(s->in), k, r, m, fr,
                           e);
}

/* Make the answer for contest k at the national row's current rev, unless
 * it is made already (p->lock[k] held). */
static void pubdet_refresh(public_server *s, pub_determination *p, contest_kind k)
{
    determine_result *r = NULL;
    determine_json_meta m;
    uint8_t *fr = NULL;
    err_info e = {0};
    ingest_read_lock(s->in);
    /* the votes move with the national row; the sources with the book */
    uint64_t rev = tally_region(ingest_tally(s->in), k, 0)->rev |
                   recap_book_changes(ingest_recap_book(s->in)) << 32;
    if (p->made[k] && p->rev[k] == rev) {
        ingest_read_unlock(s->in);
        return;
    }
    int rc = pubdet_compute(s, k, &r, &m, &fr, &e);
    ingest_read_unlock(s->in);
    cache_doc_unref(p->doc[k]);
    p->doc[k] = NULL;
    p->err[k] = e;
    if (rc == 0) {
        size_t len;
        char *body = determine_json_new(s->el, r, &m, &len);
        p->doc[k] = cache_doc_new(body, len, resp_ct_json, resp_cc_live, http_now());
    }
    determine_result_free(r);
    free(fr);
    p->rev[k] = rev;
    p->made[k] = 1;
}

cache_doc *pubdocs_determination(public_server *s, contest_kind k, err_info *e)
{
    if (!(s->mask[0] & (1u << k)))
        return NULL; /* not cast in this election */
    pub_determination *p = s->det;
    pthread_mutex_lock(&p->lock[k]);
    pubdet_refresh(s, p, k);
    cache_doc *d = p->doc[k];
    if (d)
        cache_doc_ref(d);
    else
        *e = p->err[k];
    pthread_mutex_unlock(&p->lock[k]);
    return d;
}
