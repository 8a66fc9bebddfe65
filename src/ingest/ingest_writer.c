/* ingest_writer — the bounded queue and the one writer thread: versions
 * and duplicates, group commit to the store, the tally, the log and the
 * answers. See ingest.h for the order of events a submission goes through. */
#include "ingest/ingest_internal.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"

/* What the writer decided for one job of a batch. */
typedef enum writer_verdict { W_PENDING, W_NEW, W_DUPLICATE, W_REFUSED } writer_verdict;

typedef struct writer_item {
    ingest_job *job;
    writer_verdict verdict;
    ingest_result res;
    size_t slot;                 /* the form's place in version[] and counted[] */
    struct writer_item *before;  /* the last item of the batch before it for that form, or NULL */
    uint16_t latest;             /* the form's highest version logged once this item is decided */
} writer_item;

/* What every answer of job j says, whatever the writer decides: where, and
 * the hits of the rules prepare ran (valid until the job is freed). */
static void writer_result_base(const ingest *in, const ingest_job *j, ingest_result *r)
{
    if (j->type != SIGNED_FORM) {
        ingest_recap_result_base(in, j, r);
        return;
    }
    assert(j->tps < in->el->ntps && j->kind < CONTEST_KINDS);
    memset(r, 0, sizeof *r);
    snprintf(r->tps, sizeof r->tps, "%s", election_tps_region(in->el, j->tps)->code);
    r->kind = j->kind;
    r->version = j->version;
    r->hits = j->hits;
    r->nhits = j->nhits;
}

/* The same (tps, contest, version) was logged before: the same signed
 * submission gets the same answer, a different one is a conflict.
 * Returns <0 when the store's read failed: inside the batch that fails the
 * batch (on PostgreSQL the read is where a refused insert of the batch is
 * reported: docs/STORE.md), and the batch's answer is that error. */
static int writer_duplicate(ingest *in, writer_item *it)
{
    ingest_job *j = it->job;
    store_entry se;
    err_info *e = &it->res.err;
    it->verdict = W_REFUSED;
    it->res.status = INGEST_REFUSED;
    entry *en = mem_alloc(sizeof *en);
    int rc = store_entry_find(in->st, it->res.tps, j->kind, j->version, &se, e);
    if (rc < 0 || entry_parse((const char *)se.bytes, se.len, en, e) < 0) {
        free(en);
        return rc < 0 && rc != ERR_NOTFOUND ? rc : 0;
    }
    if (en->sub_len == j->sub_len && !memcmp(en->sub_bytes, j->sub, j->sub_len)) {
        it->verdict = W_DUPLICATE;
        it->res.status = en->accepted ? INGEST_ACCEPTED : INGEST_REJECTED;
        it->res.duplicate = 1;
        it->res.index = se.idx;
        snprintf(it->res.codes, sizeof it->res.codes, "%s", en->accepted ? j->codes : en->codes);
    } else {
        err_set(e, ERR_EXISTS, "VERSION_CONFLICT", it->res.tps,
                "version %u of this form was already submitted with other content; "
                "submit a correction as version %u",
                j->version, it->latest + 1u);
    }
    free(en);
    return 0;
}

/* Decide one job inside the open transaction, against the versions
 * logged before the batch and by its items before this one (version[]
 * moves only once the batch is committed, writer_apply). Returns <0 when
 * the store failed: the transaction is gone, the batch with it. */
static int writer_decide(ingest *in, writer_item *it)
{
    ingest_job *j = it->job;
    assert(j->version >= 1 && j->version <= ENTRY_VERSION_MAX); /* fits the 16-bit slot */
    assert(!it->before || it->before->verdict != W_PENDING); /* decided in batch order */
    it->latest = it->before ? it->before->latest : in->version[it->slot];
    if (j->version <= it->latest)
        return writer_duplicate(in, it);
    if (j->version != it->latest + 1u) {
        it->verdict = W_REFUSED;
        it->res.status = INGEST_REFUSED;
        err_set(&it->res.err, ERR_INVALID, "VERSION_GAP", it->res.tps,
                "expected version %u of this form, got %u", it->latest + 1u, j->version);
        return 0;
    }
    store_entry se = {.idx = store_next_index(in->st), .kind = j->kind, .version = j->version,
                      .accepted = j->accepted, .bytes = (const uint8_t *)j->bytes, .len = j->len};
    memcpy(se.tps, it->res.tps, sizeof se.tps);
    if (store_entry_add(in->st, &se, &it->res.err) < 0)
        return -1;
    it->verdict = W_NEW;
    it->res.status = j->accepted ? INGEST_ACCEPTED : INGEST_REJECTED;
    it->res.index = se.idx;
    snprintf(it->res.codes, sizeof it->res.codes, "%s", j->codes);
    it->latest = (uint16_t)j->version;
    return 0;
}

/* The transaction failed: nothing of the batch is stored, say so to every
 * job not already refused for its own reason. */
static void writer_undo(writer_item *items, size_t n, const err_info *why)
{
    for (size_t i = 0; i < n; i++) {
        writer_item *it = &items[i];
        if (it->verdict == W_REFUSED && it->res.err.code)
            continue;
        it->verdict = W_REFUSED;
        it->res.status = INGEST_REFUSED;
        it->res.duplicate = 0;
        it->res.err = *why;
    }
}

/* After the commit: the versions, the tally and the log take the new
 * entries, together under the tally's lock (ingest_form_versions). */
static void writer_apply(ingest *in, writer_item *items, size_t n)
{
    pthread_rwlock_wrlock(&in->tally_lock);
    for (size_t i = 0; i < n; i++) {
        ingest_job *j = items[i].job;
        if (items[i].verdict != W_NEW)
            continue;
        assert(j->version == in->version[items[i].slot] + 1u); /* in batch order */
        in->version[items[i].slot] = (uint16_t)j->version;
        uint64_t idx;
        err_info e = {0};
        if (tlog_append(in->log, (const uint8_t *)j->bytes, j->len, &idx, &e) < 0 ||
            idx != items[i].res.index)
            abort(); /* the log can only fall out of step with the store through a bug */
        if (j->accepted && ingest_count(in, j->tps, j->kind, j->version, &j->form, j->flagged, &e) < 0)
            abort();
    }
    pthread_rwlock_unlock(&in->tally_lock);
}

/* Items by form, in batch order within a form. */
static int writer_by_form(const void *a, const void *b)
{
    const writer_item *x = *(writer_item *const *)a, *y = *(writer_item *const *)b;
    if (x->slot != y->slot)
        return x->slot < y->slot ? -1 : 1;
    return x < y ? -1 : x > y;
}

/* Link each item to the item of the batch before it for the same form. */
static void writer_link(writer_item *items, size_t n)
{
    writer_item **by = mem_alloc(n * sizeof *by);
    for (size_t i = 0; i < n; i++)
        by[i] = &items[i];
    qsort(by, n, sizeof *by, writer_by_form);
    for (size_t i = 1; i < n; i++)
        if (by[i]->slot == by[i - 1]->slot)
            by[i]->before = by[i - 1];
    free(by);
}

static void writer_batch(ingest *in, ingest_job *jobs)
{
    size_t n = 0, cap = 0;
    writer_item *items = NULL;
    for (ingest_job *j = jobs; j; j = j->next) {
        mem_grow((void **)&items, &cap, n + 1, sizeof *items);
        memset(&items[n], 0, sizeof items[n]);
        items[n].job = j;
        items[n].slot = (size_t)j->tps * CONTEST_KINDS + j->kind;
        writer_result_base(in, j, &items[n++].res);
    }
    writer_link(items, n);
    err_info e = {0};
    pthread_mutex_lock(&in->store_lock);
    if (store_batch_begin(in->st, &e) < 0) {
        writer_undo(items, n, &e);
    } else {
        size_t i = 0;
        while (i < n && writer_decide(in, &items[i]) == 0)
            i++;
        if (i < n) {
            store_batch_rollback(in->st); /* a failed read leaves SQLite's batch open */
            e = items[i].res.err;
            items[i].res.err.code = NULL;
            writer_undo(items, n, &e);
        } else if (store_batch_commit(in->st, &e) < 0) {
            store_batch_rollback(in->st);
            writer_undo(items, n, &e);
        } else {
            writer_apply(in, items, n);
        }
    }
    pthread_mutex_unlock(&in->store_lock);
    for (size_t i = 0; i < n; i++) {
        ingest_job *j = items[i].job;
        if (j->done)
            j->done(j->ctx, &items[i].res);
        ingest_job_free(j);
    }
    free(items);
}

/* A batch in queue order: runs of C.Hasil jobs go through writer_batch
 * together; a recap or record is decided alone, against everything queued
 * before it, so its verdict is the one a replay of the log recomputes. */
static void writer_dispatch(ingest *in, ingest_job *jobs)
{
    while (jobs) {
        ingest_job *run = jobs, *last = NULL;
        while (jobs && jobs->type == SIGNED_FORM) {
            last = jobs;
            jobs = jobs->next;
        }
        if (last) {
            last->next = NULL;
            writer_batch(in, run);
            continue;
        }
        ingest_job *j = jobs;
        jobs = j->next;
        j->next = NULL;
        ingest_recap_write(in, j);
    }
}

/* The log's sizes for other threads. */
static void writer_log_seen(ingest *in)
{
    atomic_store(&in->log_size, tlog_size(in->log));
    atomic_store(&in->log_published, tlog_published_size(in->log));
}

/* The checkpoint just signed goes to the store too (meta
 * "log_checkpoint"), where the replicas read it (ingest_follow.c); after
 * its rows, so a replica that reads it and then the rows has them all.
 * Only a newer one is written. */
static int writer_share(ingest *in, err_info *e)
{
    uint64_t size = tlog_published_size(in->log);
    if (in->shared_ok && in->shared_size == size)
        return 0;
    size_t len = 0;
    const char *cp = tlog_checkpoint_text(in->log, &len);
    char text[STORE_META_VALUE_MAX];
    assert(cp && len < sizeof text); /* one origin line, a size, a root, one signature */
    memcpy(text, cp, len);
    text[len] = '\0';
    pthread_mutex_lock(&in->store_lock);
    int rc = store_meta_set(in->st, INGEST_META_CHECKPOINT, text, e);
    pthread_mutex_unlock(&in->store_lock);
    if (rc == 0) {
        in->shared_ok = 1;
        in->shared_size = size;
    }
    return rc;
}

/* Publish the log when due (force: now). A failure is never dropped: it is
 * counted, kept for /healthz, told once to the operator, and until a retry
 * succeeds the writer acknowledges nothing (writer_main). Returns 0 when
 * the log is published up to what was appended, <0 otherwise. */
static int writer_publish(ingest *in, int force)
{
    uint64_t now = ingest_now_ms();
    int failed = atomic_load(&in->log_failed);
    if (!force && !failed && now - in->last_publish_ms < in->cfg.publish_interval_ms)
        return 0;
    err_info e = {0};
    in->last_publish_ms = now;
    int rc = tlog_publish(in->log, &e);
    if (rc == 0)
        rc = writer_share(in, &e);
    writer_log_seen(in);
    if (rc == 0) {
        if (failed) {
            atomic_store(&in->log_failed, 0);
            if (in->cfg.event)
                in->cfg.event(in->cfg.event_ctx, "log_published", NULL);
        }
        return 0;
    }
    atomic_fetch_add(&in->publish_failures, 1);
    pthread_mutex_lock(&in->log_err_lock);
    in->log_err = e;
    pthread_mutex_unlock(&in->log_err_lock);
    if (!failed) {
        atomic_store(&in->log_failed, 1);
        if (in->cfg.event)
            in->cfg.event(in->cfg.event_ctx, "log_publish_failed", &e);
    }
    return rc;
}

/* While the log cannot be published nothing more is acknowledged: the
 * batch is answered INGEST_LOG_UNPUBLISHED without touching the store. */
static void writer_refuse(ingest *in, ingest_job *jobs)
{
    while (jobs) {
        ingest_job *j = jobs;
        jobs = j->next;
        ingest_result r;
        writer_result_base(in, j, &r);
        r.status = INGEST_REFUSED;
        err_set(&r.err, ERR_IO, "INGEST_LOG_UNPUBLISHED", "log",
                "the log cannot be published now; nothing was stored; try again shortly");
        if (j->done)
            j->done(j->ctx, &r);
        ingest_job_free(j);
    }
}

/* Wait for work; while the log is unpublished, wake every
 * publish_interval_ms to retry. Called and returns with qlock held. */
static void writer_idle(ingest *in)
{
    while (!in->head && !in->stopping) {
        if (!atomic_load(&in->log_failed)) {
            pthread_cond_wait(&in->qwork, &in->qlock);
            continue;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)in->cfg.publish_interval_ms * 1000000u;
        until.tv_sec += (time_t)(ns / 1000000000u);
        until.tv_nsec = (long)(ns % 1000000000u);
        if (pthread_cond_timedwait(&in->qwork, &in->qlock, &until) != 0 && !in->head) {
            pthread_mutex_unlock(&in->qlock);
            writer_publish(in, 1);
            pthread_mutex_lock(&in->qlock);
        }
    }
}

static void *writer_main(void *arg)
{
    ingest *in = arg;
    writer_log_seen(in);
    writer_publish(in, 1); /* shares the checkpoint of the start */
    pthread_mutex_lock(&in->qlock);
    for (;;) {
        writer_idle(in);
        if (!in->head && in->stopping)
            break;
        /* take up to batch_max jobs: what arrived during the last commit */
        ingest_job *batch = in->head, *last = batch;
        unsigned n = 1;
        while (last->next && n < in->cfg.batch_max) {
            last = last->next;
            n++;
        }
        assert(n <= in->qlen && n <= in->cfg.batch_max);
        in->head = last->next;
        if (!in->head)
            in->tail = NULL;
        last->next = NULL;
        in->qlen -= n;
        pthread_cond_broadcast(&in->qspace);
        int drained = in->head == NULL;
        pthread_mutex_unlock(&in->qlock);
        if (atomic_load(&in->log_failed) && writer_publish(in, 1) < 0) {
            writer_refuse(in, batch);
        } else {
            writer_dispatch(in, batch);
            writer_publish(in, drained);
        }
        pthread_mutex_lock(&in->qlock);
    }
    pthread_mutex_unlock(&in->qlock);
    writer_publish(in, 1);
    return NULL;
}

int ingest_writer_start(ingest *in, err_info *e)
{
    if (pthread_create(&in->writer, NULL, writer_main, in) != 0)
        return err_set(e, ERR_IO, "INGEST_THREAD", "", "cannot start the writer thread");
    in->writer_started = 1;
    return 0;
}

void ingest_thread_stop(ingest *in, pthread_t t)
{
    pthread_mutex_lock(&in->qlock);
    in->stopping = 1;
    pthread_cond_broadcast(&in->qwork);
    pthread_cond_broadcast(&in->qspace);
    pthread_mutex_unlock(&in->qlock);
    pthread_join(t, NULL);
}

void ingest_writer_stop(ingest *in)
{
    ingest_thread_stop(in, in->writer);
    in->writer_started = 0;
}

int ingest_enqueue(ingest *in, ingest_job *job, int block, ingest_done_fn done, void *ctx)
{
    job->done = done;
    job->ctx = ctx;
    job->next = NULL;
    atomic_store_explicit(&in->last_enqueue_ms, ingest_now_ms(), memory_order_relaxed);
    pthread_mutex_lock(&in->qlock);
    while (in->qlen >= in->cfg.queue_max && block && !in->stopping)
        pthread_cond_wait(&in->qspace, &in->qlock);
    if (in->qlen >= in->cfg.queue_max || in->stopping) {
        pthread_mutex_unlock(&in->qlock);
        ingest_job_free(job);
        return ERR_LIMIT;
    }
    assert(!in->tail == !in->head && !in->head == !in->qlen);
    if (in->tail)
        in->tail->next = job;
    else
        in->head = job;
    in->tail = job;
    in->qlen++;
    pthread_cond_signal(&in->qwork);
    pthread_mutex_unlock(&in->qlock);
    return 0;
}

/* ingest_submit waits on one of these. */
typedef struct writer_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    ingest_result *out;
} writer_wait;

static void writer_wait_done(void *ctx, const ingest_result *r)
{
    writer_wait *w = ctx;
    pthread_mutex_lock(&w->lock);
    *w->out = *r;
    w->out->hits = NULL; /* they go with the job, freed once this returns */
    w->out->nhits = 0;
    w->done = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

void ingest_submit(ingest *in, const char *sub, size_t sublen, const uint8_t pubkey[32],
                   const uint8_t sig[64], ingest_result *out)
{
    memset(out, 0, sizeof *out);
    out->status = INGEST_REFUSED;
    ingest_job *job;
    if (ingest_prepare(in, sub, sublen, pubkey, sig, &job, &out->err) < 0)
        return;
    writer_wait w = {.out = out};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cond, NULL);
    if (ingest_enqueue(in, job, 1, writer_wait_done, &w) < 0) {
        err_set(&out->err, ERR_LIMIT, "INGEST_BUSY", "", "the server is shutting down");
    } else {
        pthread_mutex_lock(&w.lock);
        while (!w.done)
            pthread_cond_wait(&w.cond, &w.lock);
        pthread_mutex_unlock(&w.lock);
    }
    pthread_mutex_destroy(&w.lock);
    pthread_cond_destroy(&w.cond);
}

/* ---- for the HTTP listener -------------------------------------------- */

void ingest_log_state_get(ingest *in, ingest_log_state *out)
{
    out->size = atomic_load(&in->log_size);
    out->published = atomic_load(&in->log_published);
    out->failures = atomic_load(&in->publish_failures);
    out->healthy = !atomic_load(&in->log_failed);
    out->replica = in->cfg.replica;
    ingest_follow_state(in, &out->diverged, &out->behind_ms);
    pthread_mutex_lock(&in->log_err_lock);
    out->last = in->log_err;
    pthread_mutex_unlock(&in->log_err_lock);
}

int ingest_log_healthy(ingest *in)
{
    return !atomic_load(&in->log_failed);
}

unsigned ingest_queue_depth(ingest *in)
{
    pthread_mutex_lock(&in->qlock);
    unsigned n = in->qlen;
    pthread_mutex_unlock(&in->qlock);
    return n;
}

int ingest_busy(ingest *in, unsigned window_ms)
{
    uint64_t last = atomic_load_explicit(&in->last_enqueue_ms, memory_order_relaxed);
    return last && ingest_now_ms() - last < window_ms;
}

void ingest_job_free(ingest_job *job)
{
    if (!job)
        return;
    free(job->bytes);
    free(job->hits);
    recap_entry_free(job->rx);
    free(job->rx);
    free(job);
}
