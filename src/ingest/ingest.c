/* ingest — opening an election directory, rebuilding the tally and the log
 * from the store, the enrolled keys, and the parallel half of a submission
 * (parse, key, signature, rules). The writer thread is in ingest_writer.c.
 * See ingest.h. */
#include "ingest/ingest_internal.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include <sodium.h>

#include "core/count.h"
#include "core/keys.h"
#include "core/mem.h"
#include "core/note.h"
#include "core/rules.h"
#include "core/sha256.h"
#include "edir/edir.h"
#include "io/file.h"
#include "io/masterdata.h"
#include "io/par.h"

#define INGEST_REBUILD_PUBLISH 65536 /* entries appended to the log between publications */

/* ------------------------------------------------------------- key map */

static size_t ingest_key_slot(const uint8_t pk[32], size_t cap)
{
    uint64_t h;
    memcpy(&h, pk, sizeof h); /* Ed25519 keys are uniformly random bytes */
    return (size_t)(h & (cap - 1));
}

static void ingest_keys_put(ingest *in, const uint8_t pk[32], uint32_t node, int role);

static void ingest_keys_grow(ingest *in)
{
    ingest_key *old = in->keys;
    size_t oldcap = in->capkeys;
    in->capkeys = oldcap ? oldcap * 2 : 1024;
    in->keys = mem_alloc(in->capkeys * sizeof *in->keys);
    for (size_t i = 0; i < in->capkeys; i++)
        in->keys[i].region = REGION_NONE;
    in->nkeys = 0;
    for (size_t i = 0; i < oldcap; i++)
        if (old[i].region != REGION_NONE)
            ingest_keys_put(in, old[i].pubkey, old[i].region, old[i].role);
    free(old);
}

/* Filled up to 4/5: linear probing over uniformly random keys still finds
 * a key in ~3 probes (an absent one in ~13), and the national roll of
 * 831,000 keys fits 2^20 slots (40 MiB) instead of 2^21. */
static void ingest_keys_put(ingest *in, const uint8_t pk[32], uint32_t node, int role)
{
    if ((in->nkeys + 1) * 5 > in->capkeys * 4)
        ingest_keys_grow(in);
    size_t i = ingest_key_slot(pk, in->capkeys);
    while (in->keys[i].region != REGION_NONE && memcmp(in->keys[i].pubkey, pk, 32))
        i = (i + 1) & (in->capkeys - 1);
    if (in->keys[i].region == REGION_NONE)
        in->nkeys++;
    memcpy(in->keys[i].pubkey, pk, 32);
    in->keys[i].region = node;
    in->keys[i].role = (uint8_t)role;
}

static const ingest_key *ingest_keys_find(const ingest *in, const uint8_t pk[32])
{
    if (!in->capkeys)
        return NULL;
    for (size_t i = ingest_key_slot(pk, in->capkeys); in->keys[i].region != REGION_NONE;
         i = (i + 1) & (in->capkeys - 1))
        if (!memcmp(in->keys[i].pubkey, pk, 32))
            return &in->keys[i];
    return NULL;
}

static int ingest_load_key(void *ctx, const store_officer *o)
{
    ingest *in = ctx;
    uint32_t r = region_find(in->el->tree, o->region);
    if (r != REGION_NONE)
        ingest_keys_put(in, o->pubkey, r, o->role);
    return 0;
}

int ingest_keys_reload(ingest *in, err_info *e)
{
    pthread_rwlock_wrlock(&in->keys_lock);
    int rc = store_officers_each(in->st, ingest_load_key, in, e);
    pthread_rwlock_unlock(&in->keys_lock);
    return rc;
}

/* What a replica refuses: it writes nothing (docs/REPLICAS.md). */
static int ingest_replica_refuse(err_info *e)
{
    return err_set(e, ERR_INVALID, "INGEST_REPLICA", "",
                   "this server is a public replica: submissions and enrolment go to the primary");
}

/* A KPPS key signs for one TPS; a recap key for one region above TPS. */
static int ingest_officer_check(ingest *in, const ingest_officer *req, store_officer *o,
                                uint32_t *node, err_info *e)
{
    uint32_t r = region_find(in->el->tree, req->region);
    if (r == REGION_NONE)
        return err_set(e, ERR_NOTFOUND, "INGEST_REGION_UNKNOWN", req->region, "no such region");
    int tps = in->el->tree->node[r].level == REGION_TPS;
    if ((req->role == STORE_ROLE_KPPS) != tps)
        return err_set(e, ERR_INVALID, "INGEST_ROLE_LEVEL", req->region,
                       "a KPPS key is enrolled for a TPS, a recap key for a region above it");
    if (req->name && strlen(req->name) >= sizeof o->name)
        return err_set(e, ERR_LIMIT, "INGEST_NAME", req->region, "an officer's name has at most %zu bytes",
                       sizeof o->name - 1);
    memset(o, 0, sizeof *o);
    o->role = (store_role)req->role;
    memcpy(o->pubkey, req->pubkey, 32);
    snprintf(o->region, sizeof o->region, "%s", in->el->tree->node[r].code);
    snprintf(o->name, sizeof o->name, "%s", req->name ? req->name : "");
    o->enrolled_at = (uint64_t)time(NULL);
    *node = r;
    return 0;
}

int ingest_enrol_many(ingest *in, const ingest_officer *req, size_t n, err_info *e)
{
    if (in->cfg.replica)
        return ingest_replica_refuse(e);
    uint32_t *node = mem_alloc((n ? n : 1) * sizeof *node);
    pthread_mutex_lock(&in->store_lock);
    pthread_rwlock_wrlock(&in->keys_lock);
    int rc = store_batch_begin(in->st, e); /* one transaction: all or none */
    for (size_t i = 0; i < n && rc == 0; i++) {
        store_officer o;
        rc = ingest_officer_check(in, &req[i], &o, &node[i], e);
        if (rc == 0)
            rc = store_officer_add(in->st, &o, e);
    }
    if (rc == 0)
        rc = store_batch_commit(in->st, e);
    store_batch_rollback(in->st); /* a no-op after a commit */
    for (size_t i = 0; i < n && rc == 0; i++)
        ingest_keys_put(in, req[i].pubkey, node[i], req[i].role);
    pthread_rwlock_unlock(&in->keys_lock);
    pthread_mutex_unlock(&in->store_lock);
    free(node);
    return rc;
}

int ingest_enrol(ingest *in, const uint8_t pubkey[32], int role, const char *code,
                 const char *name, err_info *e)
{
    ingest_officer req = {.role = role, .region = code, .name = name};
    memcpy(req.pubkey, pubkey, 32);
    return ingest_enrol_many(in, &req, 1, e);
}

/* ------------------------------------------------------------- counting */

int ingest_count(ingest *in, uint32_t tps, contest_kind k, uint32_t version, const form *f,
                 int flagged, err_info *e)
{
    edir_prev_store src = {in->st, tlog_tree(in->log)};
    return count_form(in->t, edir_prev_from_store, &src, in->counted, tps, k,
                      version, f, flagged, e);
}

/* ------------------------------------------------------------- prepare */

int ingest_check_key(ingest *in, const uint8_t pk[32], int role, uint32_t node,
                     const char *wrong, err_info *e)
{
    pthread_rwlock_rdlock(&in->keys_lock);
    const ingest_key *k = ingest_keys_find(in, pk);
    int rc = 0;
    if (!k)
        rc = err_set(e, ERR_INVALID, "KEY_NOT_ENROLLED", "key", "this key is not enrolled");
    else if (k->role != role || k->region != node)
        rc = err_set(e, ERR_INVALID, wrong, "key", "this key is not enrolled as the %s key of %s",
                     role == STORE_ROLE_KPPS ? "KPPS" : "recap", in->el->tree->node[node].code);
    pthread_rwlock_unlock(&in->keys_lock);
    return rc;
}

/* The form's TPS must exist and cast that ballot. */
static int ingest_locate(ingest *in, const form *f, uint32_t *tps, err_info *e)
{
    *tps = election_tps_find(in->el, f->tps);
    if (*tps == ELECTION_NONE)
        return err_set(e, ERR_NOTFOUND, "TPS_UNKNOWN", f->tps, "no such TPS in this election");
    if (in->el->tps[*tps].district[f->kind] == ELECTION_NONE)
        return err_set(e, ERR_NOTFOUND, "CONTEST_NOT_HERE", f->tps,
                       "the %s ballot is not cast at this TPS", contest_kind_id[f->kind]);
    return 0;
}

/* Everything decided about a signed submission before it may be logged:
 * where it belongs, who signed it (a KPPS key enrolled for exactly this
 * TPS), the signature over its bytes, and every rule into *r. The same
 * checks re-verify a stored row at start (ingest_rebuild_one): one home for
 * what "verified as at ingest" means. */
static int ingest_judge(ingest *in, const submission *sub, const char *bytes, size_t len,
                        const uint8_t pubkey[32], const uint8_t sig[64], uint32_t *tps,
                        rule_report *r, err_info *e)
{
    int rc = ingest_locate(in, &sub->form, tps, e);
    if (rc == 0)
        rc = ingest_check_key(in, pubkey, STORE_ROLE_KPPS,
                              (uint32_t)(in->el->tree->level_start[REGION_TPS] + *tps),
                              "KEY_WRONG_TPS", e);
    if (rc == 0 && entry_verify(bytes, len, pubkey, sig) < 0)
        rc = err_set(e, ERR_INVALID, "SIG_INVALID", "sig",
                     "the signature does not match the submission and key");
    if (rc < 0)
        return rc;
    rules_check(&sub->form, in->el, r);
    return 0;
}

/* The job of a judged submission: where it goes, its verdict from the
 * rules' report (accepted: no HARD hit; flagged; the codes its entry
 * records or its answer names) and the report's hits, which the answer's
 * messages are made of: the rules run once per submission. */
static ingest_job *ingest_job_new(const submission *s, uint32_t tps, const rule_report *r)
{
    ingest_job *j = mem_calloc(1, sizeof *j);
    j->tps = tps;
    j->kind = s->form.kind;
    j->version = s->version;
    assert(j->version >= 1 && j->version <= ENTRY_VERSION_MAX); /* the writer keeps 16 bits */
    j->accepted = r->nhard == 0;
    j->flagged = j->accepted && rules_flagged(r);
    rules_report_codes(r, j->accepted ? RULE_SOFT : RULE_HARD, j->codes, sizeof j->codes);
    assert(j->accepted || j->codes[0]); /* a rejection names its reasons */
    if (r->nhit) {
        j->nhits = r->nhit;
        j->hits = mem_alloc(r->nhit * sizeof *j->hits);
        memcpy(j->hits, r->hit, r->nhit * sizeof *j->hits);
    }
    memcpy(&j->form, &s->form, sizeof j->form);
    return j;
}

int ingest_prepare(ingest *in, const char *sub, size_t sublen, const uint8_t pubkey[32],
                   const uint8_t sig[64], ingest_job **job, err_info *e)
{
    if (in->cfg.replica)
        return ingest_replica_refuse(e);
    if (signed_type_of_submission(sub, sublen) > SIGNED_FORM)
        return ingest_recap_prepare(in, sub, sublen, pubkey, sig, job, e);
    entry *en = mem_calloc(1, sizeof *en);
    uint32_t tps = 0;
    rule_report r;
    int rc = submission_parse(sub, sublen, &en->sub, e);
    if (rc == 0)
        rc = ingest_judge(in, &en->sub, sub, sublen, pubkey, sig, &tps, &r, e);
    if (rc < 0) {
        free(en);
        return rc;
    }
    assert(tps < in->el->ntps && in->el->tps[tps].district[en->sub.form.kind] != ELECTION_NONE);
    ingest_job *j = ingest_job_new(&en->sub, tps, &r);

    memcpy(en->pubkey, pubkey, 32);
    memcpy(en->sig, sig, 64);
    en->sub_bytes = sub;
    en->sub_len = sublen;
    en->received = (uint64_t)time(NULL);
    en->accepted = j->accepted;
    if (!j->accepted)
        snprintf(en->codes, sizeof en->codes, "%s", j->codes);
    char *buf = mem_alloc(ENTRY_MAX + 1);
    j->len = entry_encode(en, buf, ENTRY_MAX + 1);
    j->sub_len = sublen;
    free(en);
    if (j->len > ENTRY_MAX) {
        free(buf);
        ingest_job_free(j);
        return err_set(e, ERR_LIMIT, "ENTRY_TOO_LARGE", "", "the entry is over %d bytes", ENTRY_MAX);
    }
    j->bytes = mem_realloc(buf, j->len);
    /* The entry carries the submission verbatim after its first line. */
    j->sub = (const char *)memchr(j->bytes, '\n', j->len) + 1;
    if (j->sub + sublen > j->bytes + j->len || memcmp(j->sub, sub, sublen) != 0)
        abort(); /* entry_encode broke its own format */
    *job = j;
    return 0;
}

/* ------------------------------------------------------------- rebuild */

/* The restart reads the store in chunks: what each row needs on its own
 * (parsing, the leaf hash, the rules) runs on every core, the rest in log
 * order on one (ingest_rebuild_apply). */
#define INGEST_REBUILD_CHUNK 4096

typedef struct rebuild_row {
    store_entry se;              /* se.bytes: the copy in bytes */
    uint8_t *bytes;
    entry en;
    recap_entry *rx;             /* a recap or record row: parsed here instead of en */
    err_info perr;               /* code NULL: parsed */
    uint8_t leaf[MERKLE_HASH_SIZE]; /* a row the log holds: the log's leaf at its index */
    int leaf_ok;                 /* ... and its bytes hash to it */
    int flagged;                 /* the rules' soft flag (rules_flagged) */
} rebuild_row;

typedef struct ingest_rebuild {
    ingest *in;
    rebuild_row *rows;           /* INGEST_REBUILD_CHUNK */
    size_t n;
    unsigned threads;
    uint64_t log_size;           /* entries the signed log holds */
    uint64_t next;               /* the index the next stored row must have */
    int lock;                    /* readers run meanwhile: apply under tally_lock */
    err_info *e;
} ingest_rebuild;

/* A stored row the start refuses: the store is input, and input that does
 * not verify stops the start rather than reach the log or the tally. */
static int ingest_row_error(ingest_rebuild *rb, const store_entry *se, const char *code,
                            const char *what, const err_info *why)
{
    return err_set(rb->e, ERR_INVALID, code, se->tps, "store row %llu (%s %s v%u): %s%s%s%s%s",
                   (unsigned long long)se->idx, se->tps, contest_kind_id[se->kind], se->version,
                   what, why ? ": " : "", why && why->code ? why->code : "", why ? " " : "",
                   why ? why->msg : "");
}

/* The parallel half of one row: parse, and for an accepted entry its flag;
 * a row the log holds, its leaf hash against the log's (read before, in
 * log order: ingest_rebuild_leaves). */
static void ingest_row_prepare(void *ctx, size_t i)
{
    ingest_rebuild *rb = ctx;
    rebuild_row *row = &rb->rows[i];
    memset(&row->perr, 0, sizeof row->perr);
    if (signed_type_of_entry((const char *)row->bytes, row->se.len) > SIGNED_FORM) {
        row->rx = mem_calloc(1, sizeof *row->rx);
        if (recap_entry_parse((const char *)row->bytes, row->se.len, row->rx, &row->perr) < 0)
            return;
    } else if (entry_parse((const char *)row->bytes, row->se.len, &row->en, &row->perr) < 0) {
        return;
    }
    if (row->se.idx < rb->log_size) {
        uint8_t leaf[MERKLE_HASH_SIZE];
        merkle_leaf_hash(row->bytes, row->se.len, leaf);
        row->leaf_ok = sodium_memcmp(leaf, row->leaf, MERKLE_HASH_SIZE) == 0;
    }
    if (!row->rx && row->en.accepted) {
        rule_report r;
        rules_check(&row->en.sub.form, rb->in->el, &r);
        row->flagged = rules_flagged(&r);
    }
}

/* The row's columns are what its bytes say: readers that go by columns
 * (the TPS status, version lookups) must see the logged truth. */
static int ingest_row_columns(ingest_rebuild *rb, const rebuild_row *row)
{
    const store_entry *se = &row->se;
    const entry *en = &row->en;
    if (strcmp(se->tps, en->sub.form.tps) || se->kind != en->sub.form.kind ||
        se->version != en->sub.version || se->accepted != en->accepted)
        return ingest_row_error(rb, se, "INGEST_STORE_COLUMNS",
                                "its columns (tps, contest, version, accepted) differ from its entry",
                                NULL);
    return 0;
}

/* A row the log does not hold yet (written, then a crash before the log was
 * published; or put there by someone else) is verified exactly as a new
 * submission is: key, signature, rules, and the verdict the row claims. */
static int ingest_row_reverify(ingest_rebuild *rb, const rebuild_row *row)
{
    const entry *en = &row->en;
    uint32_t tps;
    rule_report r;
    err_info why = {0};
    if (ingest_judge(rb->in, &en->sub, en->sub_bytes, en->sub_len, en->pubkey, en->sig, &tps, &r,
                     &why) < 0)
        return ingest_row_error(rb, &row->se, "INGEST_STORE_UNVERIFIED", "it does not verify",
                                &why);
    char codes[ENTRY_CODES_MAX + 1];
    rules_report_codes(&r, RULE_HARD, codes, sizeof codes);
    if (en->accepted != (r.nhard == 0) || (!en->accepted && strcmp(en->codes, codes) != 0))
        return ingest_row_error(rb, &row->se, "INGEST_STORE_UNVERIFIED",
                                "its verdict is not what the rules say", NULL);
    return 0;
}

/* The checks of one prepared row, in log order: it is an entry, its
 * columns are its bytes, and it is the log's entry (or verifies as a new
 * submission when the log does not hold it yet). */
static int ingest_row_check(ingest_rebuild *rb, const rebuild_row *row)
{
    if (row->perr.code)
        return ingest_row_error(rb, &row->se, "INGEST_STORE_ENTRY", "its bytes are not an entry",
                                &row->perr);
    int rc = row->rx ? 0 : ingest_row_columns(rb, row);
    if (rc == 0 && row->se.idx < rb->log_size && !row->leaf_ok)
        rc = ingest_row_error(rb, &row->se, "INGEST_STORE_LOG_MISMATCH",
                              "its bytes are not the log's entry at this index", NULL);
    if (rc == 0 && row->rx) {
        err_info why = {0};
        if (ingest_recap_row(rb->in, &row->se, row->rx, row->se.idx < rb->log_size, &why) < 0)
            rc = ingest_row_error(rb, &row->se, why.code, "the recap does not replay", &why);
    } else if (rc == 0 && row->se.idx >= rb->log_size) {
        rc = ingest_row_reverify(rb, row);
    }
    return rc;
}

/* A row the signed log does not hold yet goes to the log now. */
static int ingest_row_log(ingest_rebuild *rb, const rebuild_row *row)
{
    ingest *in = rb->in;
    uint64_t idx;
    if (row->se.idx < rb->log_size)
        return 0;
    int rc = tlog_append(in->log, row->bytes, row->se.len, &idx, rb->e);
    assert(rc < 0 || idx == row->se.idx);
    /* a log rebuilt from scratch must not wait in memory to the end (a
     * replica's waits for the primary's checkpoint: docs/REPLICAS.md) */
    if (rc == 0 && !in->cfg.replica &&
        tlog_size(in->log) - tlog_published_size(in->log) >= INGEST_REBUILD_PUBLISH)
        rc = tlog_publish(in->log, rb->e);
    return rc;
}

/* One checked row, in log order: versions, the log when it lags the store,
 * then the tally. */
static int ingest_row_apply(ingest_rebuild *rb, const rebuild_row *row)
{
    ingest *in = rb->in;
    const store_entry *se = &row->se;
    const form *f = &row->en.sub.form;
    if (row->rx) /* checked and recorded in the book by ingest_row_check */
        return ingest_row_log(rb, row);
    uint32_t tps = election_tps_find(in->el, f->tps);
    if (tps == ELECTION_NONE) /* a logged entry for a TPS of another election */
        return ingest_row_error(rb, se, "INGEST_STORE_TPS", "no such TPS in this election", NULL);
    size_t slot = (size_t)tps * CONTEST_KINDS + f->kind;
    if (row->en.sub.version != in->version[slot] + 1u)
        return ingest_row_error(rb, se, "INGEST_STORE_VERSION",
                                "its version does not follow the one before", NULL);
    assert(row->en.sub.version <= ENTRY_VERSION_MAX); /* fits the 16-bit slot */
    in->version[slot] = (uint16_t)row->en.sub.version;
    int rc = ingest_row_log(rb, row); /* the log takes it before the tally does */
    if (rc == 0 && row->en.accepted)
        rc = ingest_count(in, tps, f->kind, row->en.sub.version, f, row->flagged, rb->e);
    return rc;
}

/* The log's leaves of the chunk's rows it holds, on one thread: the
 * older ones come from the log's tiles on disk, one tile per 256 rows in
 * log order (tlog.h). */
static int ingest_rebuild_leaves(ingest_rebuild *rb)
{
    const merkle_tree *tree = tlog_tree(rb->in->log);
    for (size_t i = 0; i < rb->n; i++) {
        rebuild_row *row = &rb->rows[i];
        if (row->se.idx >= rb->log_size)
            continue;
        int rc = merkle_tree_get(tree, 0, row->se.idx, row->leaf, rb->e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* The chunk read so far: prepared on every core, checked and applied in
 * log order, stopping at the first row refused. */
static int ingest_rebuild_flush(ingest_rebuild *rb)
{
    int rc = ingest_rebuild_leaves(rb);
    if (rc == 0)
        par_for(rb->n, rb->threads, ingest_row_prepare, rb);
    if (rb->lock)
        pthread_rwlock_wrlock(&rb->in->tally_lock);
    for (size_t i = 0; i < rb->n && rc == 0; i++) {
        rc = ingest_row_check(rb, &rb->rows[i]);
        if (rc == 0)
            rc = ingest_row_apply(rb, &rb->rows[i]);
    }
    if (rb->lock)
        pthread_rwlock_unlock(&rb->in->tally_lock);
    for (size_t i = 0; i < rb->n; i++) {
        free(rb->rows[i].bytes);
        recap_entry_free(rb->rows[i].rx);
        free(rb->rows[i].rx);
    }
    rb->n = 0;
    return rc;
}

/* One stored row, in index order: kept for the chunk (rows must carry
 * consecutive indexes: a gap is refused after the rows before it). */
static int ingest_rebuild_take(void *ctx, const store_entry *se)
{
    ingest_rebuild *rb = ctx;
    if (se->idx != rb->next) {
        int rc = ingest_rebuild_flush(rb);
        return rc < 0 ? rc
                      : err_set(rb->e, ERR_INVALID, "INGEST_STORE_GAP", EDIR_STORE,
                                "the store has no row %llu: the next row is %llu",
                                (unsigned long long)rb->next, (unsigned long long)se->idx);
    }
    rb->next++;
    rebuild_row *row = &rb->rows[rb->n++];
    row->se = *se;
    row->bytes = mem_alloc(se->len ? se->len : 1);
    memcpy(row->bytes, se->bytes, se->len);
    row->se.bytes = row->bytes;
    row->rx = NULL;
    row->leaf_ok = row->flagged = 0;
    return rb->n == INGEST_REBUILD_CHUNK ? ingest_rebuild_flush(rb) : 0;
}

static double ingest_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

uint64_t ingest_now_ms(void)
{
    return (uint64_t)(ingest_seconds() * 1000.0);
}

int ingest_replay_rows(ingest *in, uint64_t from, int lock, uint64_t *next, err_info *e)
{
    ingest_rebuild rb = {.in = in, .rows = mem_alloc(INGEST_REBUILD_CHUNK * sizeof *rb.rows),
                         .threads = par_threads(), .log_size = tlog_size(in->log),
                         .next = from, .lock = lock, .e = e};
    int rc = store_entries_each(in->st, from, ingest_rebuild_take, &rb, e);
    if (rc == 0)
        rc = ingest_rebuild_flush(&rb);
    for (size_t i = 0; i < rb.n; i++) /* rows left by an error in the store's read */
        free(rb.rows[i].bytes);
    free(rb.rows);
    *next = rb.next;
    return rc;
}

static int ingest_rebuild_all(ingest *in, err_info *e)
{
    double t0 = ingest_seconds();
    uint64_t log_size = tlog_size(in->log), next = 0;
    int rc = ingest_replay_rows(in, 0, 0, &next, e);
    if (rc == 0 && next < log_size) /* rows the log holds are missing at the end */
        rc = err_set(e, ERR_INVALID, "INGEST_LOG_AHEAD", EDIR_LOG,
                     "the signed log holds %llu entries, the store only %llu",
                     (unsigned long long)log_size, (unsigned long long)next);
    if (rc == 0 && in->cfg.replica)
        rc = ingest_follow_adopt(in, e);
    else if (rc == 0 && tlog_size(in->log) != log_size)
        rc = tlog_publish(in->log, e);
    in->rebuild_s = ingest_seconds() - t0;
    return rc;
}

/* ------------------------------------------------------------- open / init */

/* A replica's log: its own files, checkpoints adopted from the primary,
 * checked with the public key in log.key. */
static int ingest_log_follow(ingest *in, err_info *e)
{
    char path[EDIR_PATH_MAX];
    note_verifier v;
    int rc = edir_log_verifier(in->cfg.dir, &v, e);
    if (rc == 0)
        rc = edir_path(path, in->cfg.dir, EDIR_LOG, e);
    return rc ? rc : tlog_open_follower(path, &v, &in->log, e);
}

static int ingest_log_open(ingest *in, err_info *e)
{
    if (in->cfg.replica)
        return ingest_log_follow(in, e);
    char path[EDIR_PATH_MAX], origin[256];
    char *buf = NULL;
    size_t len = 0;
    keys_file k;
    int rc = edir_path(path, in->cfg.dir, EDIR_LOG_KEY, e);
    if (rc == 0)
        rc = file_read_all(path, KEYS_FILE_MAX, &buf, &len, e);
    if (rc == 0)
        rc = keys_parse(buf, len, &k, e);
    free(buf);
    if (rc == 0 && !k.has_secret)
        rc = err_set(e, ERR_INVALID, "INGEST_LOG_KEY", path,
                     "the log key file has no secret (a replica's directory: rekapd --replica)");
    if (rc == 0)
        rc = store_meta_get(in->st, "log_origin", origin, sizeof origin, e);
    if (rc == 0)
        rc = edir_path(path, in->cfg.dir, EDIR_LOG, e);
    if (rc == 0)
        rc = tlog_open(path, origin, k.sk, &in->log, e);
    sodium_memzero(&k, sizeof k);
    return rc;
}

static void ingest_defaults(ingest_config *c)
{
    if (!c->queue_max)
        c->queue_max = 16384;
    if (!c->batch_max)
        c->batch_max = 4096;
    if (!c->publish_interval_ms)
        c->publish_interval_ms = 1000;
    if (!c->follow_interval_ms)
        c->follow_interval_ms = 100;
}

/* One writer per election directory: two would each keep their own log in
 * memory and sign diverging checkpoints. An exclusive flock on <dir>/lock
 * (released by the kernel when the process dies, even by SIGKILL); the
 * holder's pid is written into it so the refusal can name it. Read-only
 * commands never take it. */
static int ingest_lock(ingest *in, err_info *e)
{
    char path[EDIR_PATH_MAX];
    int rc = edir_path(path, in->cfg.dir, EDIR_LOCK, e);
    if (rc < 0)
        return rc;
    in->lock_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (in->lock_fd < 0)
        return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "INGEST_LOCK", path,
                       "cannot open the lock file: %s", strerror(errno));
    if (flock(in->lock_fd, LOCK_EX | LOCK_NB) < 0) {
        if (errno != EWOULDBLOCK)
            return err_set(e, ERR_IO, "INGEST_LOCK", path, "cannot lock: %s", strerror(errno));
        char pid[32] = "";
        ssize_t n = pread(in->lock_fd, pid, sizeof pid - 1, 0);
        pid[n > 0 ? n : 0] = '\0';
        pid[strcspn(pid, "\n")] = '\0';
        return err_set(e, ERR_EXISTS, "INGEST_LOCKED", in->cfg.dir,
                       "another process (pid %s) is writing this election directory; "
                       "read-only commands (show, export, verify) may run beside it",
                       pid[0] ? pid : "?");
    }
    char pid[32];
    int n = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
    if (ftruncate(in->lock_fd, 0) < 0 || pwrite(in->lock_fd, pid, (size_t)n, 0) != n)
        return err_set(e, ERR_IO, "INGEST_LOCK", path, "cannot write the lock file: %s",
                       strerror(errno));
    return 0;
}

static int ingest_load(ingest *in, err_info *e)
{
    char path[EDIR_PATH_MAX], db[EDIR_PATH_MAX];
    int rc = ingest_lock(in, e);
    if (rc == 0)
        rc = edir_path(path, in->cfg.dir, EDIR_ELECTION, e);
    if (rc == 0)
        rc = edir_store_target(in->cfg.dir, db, sizeof db, e);
    if (rc == 0)
        rc = in->cfg.replica ? store_open_readonly(db, &in->st, e) : store_open(db, &in->st, e);
    if (rc == 0)
        rc = edir_election_check(in->st, path, e);
    if (rc == 0)
        rc = masterdata_load_election(in->cfg.data_dir, path, &in->el, e);
    if (rc < 0)
        return rc;
    in->t = tally_new(in->el);
    in->version = mem_calloc(in->el->ntps * CONTEST_KINDS, sizeof *in->version);
    in->counted = mem_calloc(in->el->ntps * CONTEST_KINDS, sizeof *in->counted);
    in->book = recap_book_new(in->el);
    rc = store_officers_each(in->st, ingest_load_key, in, e);
    if (rc == 0)
        rc = ingest_log_open(in, e);
    if (rc == 0)
        rc = ingest_rebuild_all(in, e);
    return rc;
}

int ingest_open(const ingest_config *cfg, ingest **out, err_info *e)
{
    keys_init();
    ingest *in = mem_calloc(1, sizeof *in);
    in->lock_fd = -1;
    in->cfg = *cfg;
    ingest_defaults(&in->cfg);
    pthread_rwlock_init(&in->keys_lock, NULL);
    pthread_rwlock_init(&in->tally_lock, NULL);
    pthread_mutex_init(&in->qlock, NULL);
    pthread_mutex_init(&in->store_lock, NULL);
    pthread_mutex_init(&in->log_err_lock, NULL);
    pthread_cond_init(&in->qwork, NULL);
    pthread_cond_init(&in->qspace, NULL);
    int rc = ingest_load(in, e);
    if (rc == 0)
        rc = in->cfg.replica ? ingest_follow_start(in, e) : ingest_writer_start(in, e);
    if (rc < 0) {
        ingest_close(in);
        return rc;
    }
    *out = in;
    return 0;
}

void ingest_close(ingest *in)
{
    if (!in)
        return;
    if (in->writer_started)
        ingest_writer_stop(in);
    if (in->follower_started)
        ingest_follow_stop(in);
    tlog_close(in->log);
    store_close(in->st);
    tally_free(in->t);
    recap_book_free(in->book);
    election_free(in->el);
    free(in->keys);
    free(in->version);
    free(in->counted);
    if (in->lock_fd >= 0)
        close(in->lock_fd); /* releases the lock, after everything is written */
    pthread_rwlock_destroy(&in->keys_lock);
    pthread_rwlock_destroy(&in->tally_lock);
    pthread_mutex_destroy(&in->qlock);
    pthread_mutex_destroy(&in->store_lock);
    pthread_mutex_destroy(&in->log_err_lock);
    pthread_cond_destroy(&in->qwork);
    pthread_cond_destroy(&in->qspace);
    free(in);
}

const election *ingest_election(const ingest *in) { return in->el; }
const tally *ingest_tally(const ingest *in) { return in->t; }
void ingest_read_lock(ingest *in) { pthread_rwlock_rdlock(&in->tally_lock); }
void ingest_read_unlock(ingest *in) { pthread_rwlock_unlock(&in->tally_lock); }

void ingest_form_versions(ingest *in, uint32_t tps, contest_kind k, uint32_t *latest,
                          uint32_t *counted)
{
    assert(tps < in->el->ntps && (unsigned)k < CONTEST_KINDS);
    size_t slot = (size_t)tps * CONTEST_KINDS + k;
    pthread_rwlock_rdlock(&in->tally_lock);
    *latest = in->version[slot];
    *counted = in->counted[slot];
    pthread_rwlock_unlock(&in->tally_lock);
    assert(*counted <= *latest);
}

double ingest_rebuild_seconds(const ingest *in) { return in->rebuild_s; }

/* ------------------------------------------------------------- init */

static int ingest_write_file(const char *dir, const char *name, const char *buf, size_t len,
                             unsigned mode, err_info *e)
{
    char path[EDIR_PATH_MAX];
    int rc = edir_path(path, dir, name, e);
    return rc ? rc : file_write_atomic_bytes(path, mode, buf, len, e);
}

/* A fresh log key, kept beside the store, readable by its owner only. */
static int ingest_init_log_key(const char *dir, const char *origin, uint8_t seed[32],
                               err_info *e)
{
    keys_file k = {0};
    snprintf(k.name, sizeof k.name, "%s", origin);
    keys_generate(k.pk, k.sk);
    k.has_secret = 1;
    char buf[KEYS_FILE_MAX];
    size_t n = keys_format_secret(&k, buf, sizeof buf);
    memcpy(seed, k.sk, 32);
    sodium_memzero(&k, sizeof k);
    int rc = ingest_write_file(dir, EDIR_LOG_KEY, buf, n, 0600, e);
    sodium_memzero(buf, sizeof buf);
    return rc;
}


/* Everything after the election has been checked and copied. */
static int ingest_init_state(const char *dir, const char *sha_hex, const char *origin,
                             err_info *e)
{
    char path[EDIR_PATH_MAX];
    store *st = NULL;
    tlog *log = NULL;
    uint8_t seed[32];
    char prior[8];
    int rc = edir_store_target(dir, path, sizeof path, e);
    if (rc == 0)
        rc = store_open(path, &st, e);
    /* A PostgreSQL store is not a file the check below could see. */
    if (rc == 0 && store_meta_get(st, "election_sha256", prior, sizeof prior, e) != ERR_NOTFOUND)
        rc = err_set(e, ERR_EXISTS, "INGEST_EXISTS", dir, "an election store is already there");
    if (rc == 0)
        rc = store_meta_set(st, "election_sha256", sha_hex, e);
    if (rc == 0)
        rc = store_meta_set(st, "log_origin", origin, e);
    store_close(st);
    if (rc == 0)
        rc = ingest_init_log_key(dir, origin, seed, e);
    if (rc == 0)
        rc = edir_path(path, dir, EDIR_LOG, e);
    if (rc == 0)
        rc = tlog_open(path, origin, seed, &log, e);
    if (rc == 0)
        rc = tlog_publish(log, e); /* the empty log's first checkpoint */
    tlog_close(log);
    sodium_memzero(seed, sizeof seed);
    return rc;
}

/* The definition's bytes, once they load as an election over this master
 * data: checked before anything is written. */
static int ingest_definition(const char *data_dir, const char *election_path, char **buf,
                             size_t *len, err_info *e)
{
    election *el = NULL;
    int rc = masterdata_load_election(data_dir, election_path, &el, e);
    election_free(el);
    return rc ? rc : file_read_all(election_path, MASTERDATA_ELECTION_MAX, buf, len, e);
}

int ingest_init(const char *dir, const char *data_dir, const char *election_path,
                const char *origin, err_info *e)
{
    keys_init();
    char path[EDIR_PATH_MAX];
    struct stat sb;
    int rc = edir_store_target(dir, path, sizeof path, e);
    if (rc == 0 && stat(path, &sb) == 0)
        return err_set(e, ERR_EXISTS, "INGEST_EXISTS", dir, "an election store is already there");
    if (rc == 0 && mkdir(dir, 0755) < 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "INGEST_MKDIR", dir, "cannot create: %s", strerror(errno));
    if (rc == 0 && origin && !note_name_valid(origin, strlen(origin)))
        return err_set(e, ERR_INVALID, "INGEST_ORIGIN", origin,
                       "a log origin is non-empty UTF-8 text without spaces or '+'");
    if (rc == 0 && origin && strlen(origin) > KEYS_NAME_MAX)
        return err_set(e, ERR_LIMIT, "INGEST_ORIGIN", "", "a log origin has at most %d bytes",
                       KEYS_NAME_MAX);
    char *buf = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = ingest_definition(data_dir, election_path, &buf, &len, e);
    uint8_t sha[32];
    char hex[65], def_origin[64];
    if (rc == 0) {
        sha256(buf, len, sha);
        sodium_bin2hex(hex, sizeof hex, sha, sizeof sha);
        snprintf(def_origin, sizeof def_origin, "rekap.local/%.16s", hex);
        rc = ingest_write_file(dir, EDIR_ELECTION, buf, len, 0644, e);
    }
    free(buf);
    return rc ? rc : ingest_init_state(dir, hex, origin ? origin : def_origin, e);
}

/* ------------------------------------------------------------- a replica */

/* The replica's log.key: the log's public key under the log's name. */
static int ingest_replica_key(const char *dir, const note_verifier *v, err_info *e)
{
    keys_file k = {0};
    size_t name = strlen(v->name);
    if (name > KEYS_NAME_MAX) /* rekap init never makes such an origin */
        return err_set(e, ERR_LIMIT, "INGEST_REPLICA_KEY", "", "a log origin has at most %d bytes",
                       KEYS_NAME_MAX);
    memcpy(k.name, v->name, name + 1);
    memcpy(k.pk, v->pubkey, sizeof k.pk);
    char buf[KEYS_FILE_MAX];
    size_t n = keys_format_public(&k, buf, sizeof buf);
    assert(n < sizeof buf);
    return ingest_write_file(dir, EDIR_LOG_KEY, buf, n, 0644, e);
}

/* What the replica's store says must agree with what it is given: the
 * log's origin is the verifier key's name, the definition is the store's. */
static int ingest_replica_check(store *st, const note_verifier *v, const char *election_path,
                                err_info *e)
{
    char origin[256];
    int rc = store_meta_get(st, "log_origin", origin, sizeof origin, e);
    if (rc == 0 && strcmp(origin, v->name) != 0)
        rc = err_set(e, ERR_INVALID, "INGEST_REPLICA_KEY", v->name,
                     "the store's log is \"%s\", not the log of this verifier key", origin);
    return rc ? rc : edir_election_check(st, election_path, e);
}

int ingest_init_replica(const char *dir, const char *data_dir, const char *election_path,
                        const char *vkey, err_info *e)
{
    keys_init();
    note_verifier v;
    char path[EDIR_PATH_MAX];
    struct stat sb;
    store *st = NULL;
    int rc = note_verifier_parse(&v, vkey, e);
    if (rc == 0)
        rc = edir_path(path, dir, EDIR_LOG_KEY, e);
    if (rc == 0 && stat(path, &sb) == 0)
        rc = err_set(e, ERR_EXISTS, "INGEST_EXISTS", dir, "a log key is already there");
    if (rc == 0)
        rc = edir_path(path, dir, EDIR_STORE_CONF, e);
    if (rc == 0 && stat(path, &sb) != 0)
        rc = err_set(e, ERR_NOTFOUND, "INGEST_REPLICA_STORE", path,
                     "a replica names the primary's store in store.conf (rekap init --replica "
                     "--store)");
    if (rc == 0)
        rc = edir_store_target(dir, path, sizeof path, e);
    if (rc == 0)
        rc = store_open_readonly(path, &st, e);
    if (rc == 0)
        rc = ingest_replica_check(st, &v, election_path, e);
    store_close(st);
    char *buf = NULL;
    size_t len = 0;
    if (rc == 0)
        rc = ingest_definition(data_dir, election_path, &buf, &len, e);
    if (rc == 0)
        rc = ingest_write_file(dir, EDIR_ELECTION, buf, len, 0644, e);
    free(buf);
    if (rc == 0)
        rc = ingest_replica_key(dir, &v, e);
    if (rc == 0)
        rc = edir_path(path, dir, EDIR_LOG, e);
    if (rc == 0 && mkdir(path, 0755) < 0 && errno != EEXIST)
        rc = err_set(e, ERR_IO, "INGEST_MKDIR", path, "cannot create: %s", strerror(errno));
    return rc;
}
