/* ingest_recap — owns the tiered recap's path through ingest: a signed
 * recap (rekap-dhasil/1) or plenary record (rekap-dkk/1) prepared (parsed,
 * placed in its unit, its key and signature checked), decided by the
 * writer against everything logged before it, logged and recorded in the
 * book; a stored one replayed at the restart; and what a reader asks of
 * the book (ingest.h). The rules themselves are core's (recap.h). */
#include "ingest/ingest_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "edir/edir.h"

/* ------------------------------------------------------------- prepare */

/* The unit an entry belongs to: a recap's shape must be its unit's. */
static int recap_unit_of(const election *el, const recap_entry *rx, recap_unit *u, err_info *e)
{
    if (rx->type == SIGNED_RECAP)
        return recap_shape(el, &rx->recap, u, e);
    return recap_unit_find(el, rx->record.region, rx->record.kind, rx->record.district, u, e);
}

/* Key and signature, as for a C.Hasil: a recap key enrolled for exactly
 * the unit's region. */
static int recap_signed_by(ingest *in, const recap_entry *rx, const recap_unit *u,
                           const uint8_t pk[32], const uint8_t sig[64], err_info *e)
{
    int rc = ingest_check_key(in, pk, STORE_ROLE_RECAP, u->region, "KEY_WRONG_REGION", e);
    if (rc == 0 && entry_verify(rx->sub_bytes, rx->sub_len, pk, sig) < 0)
        rc = err_set(e, ERR_INVALID, "SIG_INVALID", "sig",
                     "the signature does not match the submission and key");
    return rc;
}

int ingest_recap_prepare(ingest *in, const char *sub, size_t sublen, const uint8_t pubkey[32],
                         const uint8_t sig[64], ingest_job **job, err_info *e)
{
    ingest_job *j = mem_calloc(1, sizeof *j);
    j->rx = mem_calloc(1, sizeof *j->rx);
    j->bytes = mem_alloc(sublen ? sublen : 1);  /* the parsed entry points into it */
    memcpy(j->bytes, sub, sublen);
    j->len = j->sub_len = sublen;
    j->sub = j->bytes;
    int rc = recap_submission_parse(j->bytes, sublen, j->rx, e);
    if (rc == 0)
        rc = recap_unit_of(in->el, j->rx, &j->unit, e);
    if (rc == 0)
        rc = recap_signed_by(in, j->rx, &j->unit, pubkey, sig, e);
    if (rc < 0) {
        ingest_job_free(j);
        return rc;
    }
    j->type = j->rx->type;
    j->kind = j->unit.kind;
    j->version = j->type == SIGNED_RECAP ? j->rx->recap.version : j->rx->record.number;
    j->accepted = 1;
    memcpy(j->rx->pubkey, pubkey, 32);
    memcpy(j->rx->sig, sig, 64);
    *job = j;
    return 0;
}

/* ------------------------------------------------------------- writer */

void ingest_recap_result_base(const ingest *in, const ingest_job *j, ingest_result *r)
{
    const recap_entry *rx = j->rx;
    memset(r, 0, sizeof *r);
    r->type = j->type;
    r->status = INGEST_REFUSED;
    r->kind = j->kind;
    r->version = j->version;
    recap_key(in->el, &j->unit, j->type, r->tps);
    snprintf(r->region, sizeof r->region, "%s", in->el->tree->node[j->unit.region].code);
    snprintf(r->district, sizeof r->district, "%s",
             rx->type == SIGNED_RECAP ? rx->recap.district : rx->record.district);
}

/* The source of the counted forms for the writer: its own counted[] and
 * its store, checked against its log. */
static recap_src recap_writer_src(ingest *in, edir_prev_store *prev)
{
    prev->st = in->st;
    prev->tree = tlog_tree(in->log);
    return (recap_src){.counted = recap_counted_array, .counted_ctx = in->counted,
                       .prev = edir_prev_from_store, .prev_ctx = prev};
}

/* The verdict on a recap against what is logged now: its hits go with the
 * job (the answer's messages), its codes and status into the entry. */
static int recap_decide(ingest *in, ingest_job *j, err_info *e)
{
    recap_entry *rx = j->rx;
    if (rx->type != SIGNED_RECAP) {
        rx->accepted = j->accepted = 1;   /* a record is always accepted */
        return 0;
    }
    edir_prev_store prev;
    recap_src src = recap_writer_src(in, &prev);
    recap_child *ch = NULL;
    uint32_t n = 0;
    int rc = recap_children_now(in->el, in->book, &src, &j->unit, &ch, &n, e);
    if (rc < 0)
        return rc;
    rule_report *rep = mem_alloc(sizeof *rep);
    recap_check(&rx->recap, &j->unit, ch, n, rep);
    recap_children_free(ch, n);
    rx->accepted = j->accepted = rep->nhard == 0;
    rules_report_codes(rep, RULE_HARD, rx->codes, sizeof rx->codes);
    snprintf(j->codes, sizeof j->codes, "%s", rx->codes);
    if (rep->nhit) {
        j->nhits = rep->nhit;
        j->hits = mem_alloc(rep->nhit * sizeof *j->hits);
        memcpy(j->hits, rep->hit, rep->nhit * sizeof *j->hits);
    }
    free(rep);
    return 0;
}

/* That version (number) is logged: the same signed text gets the same
 * answer, another text is a conflict. */
static void recap_duplicate(ingest *in, ingest_job *j, ingest_result *r)
{
    store_entry se;
    recap_entry old;
    if (store_entry_find(in->st, r->tps, j->kind, j->version, &se, &r->err) < 0 ||
        recap_entry_parse((const char *)se.bytes, se.len, &old, &r->err) < 0)
        return;
    if (old.sub_len == j->sub_len && !memcmp(old.sub_bytes, j->sub, j->sub_len)) {
        r->status = old.accepted ? INGEST_ACCEPTED : INGEST_REJECTED;
        r->duplicate = 1;
        r->index = se.idx;
        snprintf(r->codes, sizeof r->codes, "%s", old.codes);
    } else {
        err_set(&r->err, ERR_EXISTS, "VERSION_CONFLICT", r->tps,
                "%s %u of this unit was already submitted with other content",
                j->type == SIGNED_RECAP ? "version" : "record", j->version);
    }
    recap_entry_free(&old);
}

/* The entry's bytes: the signed text (kept in j->bytes so far), sealed. */
static int recap_seal(ingest_job *j, err_info *e)
{
    recap_entry *rx = j->rx;
    char *buf = mem_alloc(ENTRY_MAX + 1);
    rx->received = (uint64_t)time(NULL);
    size_t n = recap_entry_encode(rx, buf, ENTRY_MAX + 1);
    if (n > ENTRY_MAX) {
        free(buf);
        return err_set(e, ERR_LIMIT, "ENTRY_TOO_LARGE", "", "the entry is over %d bytes",
                       ENTRY_MAX);
    }
    free(j->bytes);
    j->bytes = mem_realloc(buf, n);
    j->len = n;
    j->sub = (const char *)memchr(j->bytes, '\n', n) + 1;
    rx->sub_bytes = j->sub;   /* the parsed text's own bytes went with the old buffer */
    return 0;
}

/* Store it in a transaction of its own (one fsync), then log and book it. */
static int recap_commit(ingest *in, ingest_job *j, ingest_result *r)
{
    store_entry se = {.idx = store_next_index(in->st), .kind = j->kind, .version = j->version,
                      .accepted = j->accepted, .bytes = (const uint8_t *)j->bytes,
                      .len = j->len};
    memcpy(se.tps, r->tps, sizeof se.tps);
    if (store_batch_begin(in->st, &r->err) < 0)
        return -1;
    if (store_entry_add(in->st, &se, &r->err) < 0 || store_batch_commit(in->st, &r->err) < 0) {
        store_batch_rollback(in->st);
        return -1;
    }
    pthread_rwlock_wrlock(&in->tally_lock);
    uint64_t idx;
    err_info e = {0};
    if (tlog_append(in->log, (const uint8_t *)j->bytes, j->len, &idx, &e) < 0 || idx != se.idx)
        abort(); /* the log can only fall out of step with the store through a bug */
    recap_book_record(in->book, &j->unit, j->rx, idx);
    pthread_rwlock_unlock(&in->tally_lock);
    r->index = idx;
    r->status = j->accepted ? INGEST_ACCEPTED : INGEST_REJECTED;
    snprintf(r->codes, sizeof r->codes, "%s", j->codes);
    return 0;
}

void ingest_recap_write(ingest *in, ingest_job *j)
{
    ingest_result r;
    ingest_recap_result_base(in, j, &r);
    pthread_mutex_lock(&in->store_lock);
    int rc = recap_book_follows(in->book, &j->unit, j->rx, &r.err);
    if (rc == ERR_EXISTS) {
        memset(&r.err, 0, sizeof r.err);
        recap_duplicate(in, j, &r);
    } else if (rc == 0 && recap_decide(in, j, &r.err) == 0 && recap_seal(j, &r.err) == 0) {
        r.hits = j->hits;
        r.nhits = j->nhits;
        recap_commit(in, j, &r);
    }
    pthread_mutex_unlock(&in->store_lock);
    if (j->done)
        j->done(j->ctx, &r);
    ingest_job_free(j);
}

/* ------------------------------------------------------------- restart */

int ingest_recap_row(ingest *in, const store_entry *se, const recap_entry *rx, int in_log,
                     err_info *why)
{
    recap_unit u;
    char key[RECAP_KEY_MAX];
    int rc = recap_unit_of(in->el, rx, &u, why);
    if (rc < 0)
        return rc;
    recap_key(in->el, &u, rx->type, key);
    uint32_t version = rx->type == SIGNED_RECAP ? rx->recap.version : rx->record.number;
    if (strcmp(se->tps, key) || se->kind != u.kind || se->version != version ||
        se->accepted != rx->accepted)
        return err_set(why, ERR_INVALID, "INGEST_STORE_COLUMNS", se->tps,
                       "its columns (key, contest, version, accepted) differ from its entry");
    if (!in_log && (rc = recap_signed_by(in, rx, &u, rx->pubkey, rx->sig, why)) < 0)
        return rc;
    edir_prev_store prev;
    recap_src src = recap_writer_src(in, &prev);
    return recap_book_replay(in->book, in->el, &src, rx, se->idx, why);
}

/* ------------------------------------------------------------- readers */

const recap_book *ingest_recap_book(const ingest *in) { return in->book; }

/* A reader's counted version: ingest_form_versions, an instant under the lock. */
static uint32_t recap_reader_counted(void *ctx, uint32_t tps, contest_kind k)
{
    uint32_t latest, counted;
    ingest_form_versions(ctx, tps, k, &latest, &counted);
    return counted;
}

/* A reader's counted entry: from its own connection, as the writer stored it. */
static int recap_reader_prev(void *ctx, const char *tps, contest_kind k, uint32_t version,
                             entry *out, err_info *e)
{
    uint64_t index;
    return edir_store_entry(ctx, tps, k, version, 1, out, &index, e);
}

int ingest_recap_children(ingest *in, store *st, const recap_unit *u, recap_child **out,
                          uint32_t *n, err_info *e)
{
    recap_src src = {.counted = recap_reader_counted, .counted_ctx = in,
                     .prev = recap_reader_prev, .prev_ctx = st};
    if (u->level == REGION_KECAMATAN) /* TPS only: no book, and no lock over the reads */
        return recap_children_now(in->el, in->book, &src, u, out, n, e);
    pthread_rwlock_rdlock(&in->tally_lock);
    int rc = recap_children_now(in->el, in->book, &src, u, out, n, e);
    pthread_rwlock_unlock(&in->tally_lock);
    return rc;
}
