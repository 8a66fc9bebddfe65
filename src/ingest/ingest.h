/* ingest — the path from a signed submission to a durable, logged, counted
 * form. One ingest owns an election directory:
 *
 *   <dir>/election.json   the definition (rekap-election/1)
 *   <dir>/rekap.db        the store (store.h): officers and every entry
 *   <dir>/log/            the transparency log as static tiles (tlog.h)
 *   <dir>/log.key         the log's signing key (mode 0600)
 *
 * Work is split so that the expensive part runs in parallel and the
 * durable part runs once per batch:
 *
 *   ingest_prepare   (any thread, in parallel): parse the submission, find
 *                    the officer's key, check it is enrolled for the TPS,
 *                    verify the Ed25519 signature, run every rule.
 *   ingest_enqueue   hands the job to the one writer thread through a
 *                    bounded queue (full: INGEST_BUSY, or wait).
 *   writer thread    takes up to batch_max jobs (what arrived while the
 *                    last batch was written), checks versions and duplicates, writes
 *                    them in one transaction (one fsync), then moves the
 *                    tally by deltas, appends to the log and calls each
 *                    job's done callback. The log's tiles and signed
 *                    checkpoint are published at most every
 *                    publish_interval_ms and when the queue runs dry.
 *
 * A done callback with status INGEST_ACCEPTED or INGEST_REJECTED means the
 * entry is on disk and has a log index. Rejected = logged but breaking a
 * HARD rule: never counted.
 *
 * A replica (ingest_config.replica; docs/REPLICAS.md) opens a replica
 * directory instead (`rekap init --replica`): the store read-only (a
 * PostgreSQL hot standby, or the primary's SQLite file), log.key holding
 * only the log's public key, its own log/. No writer: a follower thread
 * reads the rows past its log every follow_interval_ms, verifies each as
 * at ingest (the restart's checks), moves its own tally and book and
 * appends to its own log, then adopts the checkpoint the primary signed
 * (the store's meta "log_checkpoint") once its own tree reproduces it
 * (tlog_adopt). A row or checkpoint that does not verify stops the
 * following for good (the replica keeps serving what it verified and
 * reports itself unhealthy); a store that cannot be read is retried. It
 * takes no submission and enrols nobody (INGEST_REPLICA). */
#ifndef REKAP_INGEST_H
#define REKAP_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "core/election.h"
#include "core/entry.h"
#include "core/err.h"
#include "core/recap.h"
#include "core/rules.h"
#include "core/tally.h"
#include "store/store.h"

typedef struct ingest ingest;
typedef struct ingest_job ingest_job;

typedef struct ingest_config {
    const char *dir;             /* election directory */
    const char *data_dir;        /* master data (regions) */
    unsigned queue_max;          /* jobs waiting for the writer (default 16384) */
    unsigned batch_max;          /* jobs per transaction (default 4096) */
    unsigned publish_interval_ms;/* log publication, and its retry after a failure (default 1000) */
    /* Told of what an operator must see: "log_publish_failed" (e: why) when
     * the log stops being published, "log_published" (e: NULL) when it is
     * published again. Called from the writer thread; NULL: nobody. */
    void (*event)(void *ctx, const char *name, const err_info *e);
    void *event_ctx;
    int replica;                 /* follow the store as a public replica (above) */
    unsigned follow_interval_ms; /* a replica's reads of the store (default 100) */
} ingest_config;

typedef enum ingest_status {
    INGEST_ACCEPTED = 0,         /* logged and counted */
    INGEST_REJECTED = 1,         /* logged, breaks a hard rule, not counted */
    INGEST_REFUSED = 2,          /* not logged: see err (bad signature, version, I/O...) */
} ingest_status;

typedef struct ingest_result {
    signed_type type;            /* a C.Hasil, a recap or a plenary record */
    ingest_status status;
    int duplicate;               /* the same submission was logged before: the same answer */
    uint64_t index;              /* log index (accepted, rejected) */
    char tps[REGION_CODE_MAX];   /* a recap's or record's: its store key (recap_key) */
    contest_kind kind;
    uint32_t version;            /* a record's: its number */
    char region[REGION_CODE_MAX];/* recap, record: the unit's region and district id */
    char district[ELECTION_TEXT_MAX + 1];
    char codes[ENTRY_CODES_MAX + 1]; /* rejected: hard rule codes; accepted: soft flags */
    /* The hits of the submission's rules as prepare found them (the first
     * RULES_HITS_MAX, both severities, with details): what an answer's
     * messages are made of, so nobody runs the rules again. They belong to
     * the job: valid during the done callback only (copy what you keep;
     * ingest_submit's result has none). NULL when there are none. */
    const rule_hit *hits;
    unsigned nhits;
    err_info err;                /* refused: why */
} ingest_result;

typedef void (*ingest_done_fn)(void *ctx, const ingest_result *r);

/* Create a new election directory from a definition file. */
int ingest_init(const char *dir, const char *data_dir, const char *election_path,
                const char *origin, err_info *e);
/* Create a replica directory: dir/store.conf must name the store already
 * (the primary's); the definition must be the one that store was made for
 * (INGEST_ELECTION_CHANGED) and `vkey` the log's verifier key, whose name
 * is the store's log origin (INGEST_REPLICA_KEY). Writes election.json,
 * log.key (the public key only) and an empty log/. */
int ingest_init_replica(const char *dir, const char *data_dir, const char *election_path,
                        const char *vkey, err_info *e);

/* Open an election directory, rebuild the tally from the store, bring the
 * log up to the store, start the writer thread. */
int ingest_open(const ingest_config *cfg, ingest **out, err_info *e);
/* Finish every queued job, publish the log, stop the writer, free. */
void ingest_close(ingest *in);

/* The parallel half. On refusal returns <0 with e set (the job is not
 * created); else *job holds the prepared entry. */
int ingest_prepare(ingest *in, const char *sub, size_t sublen, const uint8_t pubkey[32],
                   const uint8_t sig[64], ingest_job **job, err_info *e);
/* Queue a prepared job (ownership passes). With block = 0 a full queue
 * returns ERR_LIMIT (INGEST_BUSY) and the job is freed. done is called
 * exactly once, from the writer thread. */
int ingest_enqueue(ingest *in, ingest_job *job, int block, ingest_done_fn done, void *ctx);
/* prepare + enqueue + wait: the result of one submission. */
void ingest_submit(ingest *in, const char *sub, size_t sublen, const uint8_t pubkey[32],
                   const uint8_t sig[64], ingest_result *out);

/* Enrol an officer key (store + the in-memory key map). role is a
 * store_role: KPPS keys for a TPS code, recap keys for a region above. */
int ingest_enrol(ingest *in, const uint8_t pubkey[32], int role, const char *code,
                 const char *name, err_info *e);

typedef struct ingest_officer {
    uint8_t pubkey[32];
    int role;
    const char *region;
    const char *name;
} ingest_officer;

/* Enrol many keys in one transaction: all of them, or none (e names the
 * first that failed). Safe while submissions flow: it waits for the batch
 * being written. */
int ingest_enrol_many(ingest *in, const ingest_officer *req, size_t n, err_info *e);

/* Read access for show/export: the election and its tally. The caller
 * holds ingest_read_lock while reading the tally (the writer moves it). */
const election *ingest_election(const ingest *in);
const tally *ingest_tally(const ingest *in);
void ingest_read_lock(ingest *in);
void ingest_read_unlock(ingest *in);

/* The versions of TPS tps's (index into the election's tps[]) form of
 * contest k: *latest the highest logged, accepted or rejected, *counted
 * the one the tally counts (the latest accepted); 0: none. Both are in the
 * store already (committed before they move) and agree with the tally of
 * the same moment. Takes the tally's read lock for an instant: do not
 * call it while holding ingest_read_lock. */
void ingest_form_versions(ingest *in, uint32_t tps, contest_kind k, uint32_t *latest,
                          uint32_t *counted);

/* ---- the tiered recap (recap.h) ---------------------------------------
 * A recap (rekap-dhasil/1) or plenary record (rekap-dkk/1) goes through
 * ingest_prepare and ingest_enqueue like a C.Hasil: prepare parses it,
 * finds its unit, checks the key is a recap key enrolled for the unit's
 * region and verifies the signature; the writer decides its verdict
 * against everything logged before it (each is a batch of its own, so the
 * verdict is the one a replay of the log recomputes), logs it and records
 * it in the book. Refusals: the parser's RECAP_* / RECORD_*, the unit's
 * RECAP_REGION_UNKNOWN, RECAP_LEVEL, RECAP_DISTRICT_UNKNOWN,
 * RECAP_UNIT_UNKNOWN, RECAP_WIDTH, RECAP_CHILDREN, KEY_NOT_ENROLLED,
 * KEY_WRONG_REGION, SIG_INVALID, the book's RECAP_VERSION_GAP,
 * RECORD_NUMBER_GAP, RECORD_RECAP_UNKNOWN, and VERSION_CONFLICT. */

/* The book; read it under ingest_read_lock. */
const recap_book *ingest_recap_book(const ingest *in);
/* What each child of u says now (recap_children_now), for a reader with
 * its own read-only connection st to the store. Takes the read lock
 * itself (do not hold it). */
int ingest_recap_children(ingest *in, store *st, const recap_unit *u, recap_child **out,
                          uint32_t *n, err_info *e);

/* The log as the writer last left it. While a publication has failed
 * (full disk, I/O error) the writer acknowledges nothing: every submission
 * is refused with INGEST_LOG_UNPUBLISHED until a retry (every
 * publish_interval_ms) publishes the log again; nothing acknowledged is
 * lost meanwhile (it is in the store, and in the log once published). */
typedef struct ingest_log_state {
    uint64_t size;               /* entries logged (appended); a replica's: verified */
    uint64_t published;          /* entries under the last signed checkpoint
                                    (a replica's: adopted) */
    uint64_t failures;           /* publications that failed since the start (a
                                    replica's: store reads that failed) */
    int healthy;                 /* 0 while the last publication failed (a replica:
                                    it stopped following, or cannot read the store) */
    int replica;                 /* 1: a replica's state */
    int diverged;                /* a replica: a row or checkpoint did not verify;
                                    it follows no more (last: why) */
    uint64_t behind_ms;          /* a replica: since its last complete read of the store */
    err_info last;               /* why the last one failed (code NULL: never) */
} ingest_log_state;
void ingest_log_state_get(ingest *in, ingest_log_state *out);
/* Lock-free: 0 while the last publication failed. */
int ingest_log_healthy(ingest *in);
/* A replica's following now (lock-free): *diverged (it follows no more)
 * and *behind_ms (since its last complete read of the store). A primary:
 * 0 and 0. */
void ingest_follow_state(ingest *in, int *diverged, uint64_t *behind_ms);

/* Seconds the last ingest_open spent rebuilding (for benchmarks). */
double ingest_rebuild_seconds(const ingest *in);

/* ---- for the HTTP listener (src/http/http_ingest.c) ------------------ */

/* Jobs waiting for the writer now (a gauge for /metrics; takes the queue
 * lock for an instant). */
unsigned ingest_queue_depth(ingest *in);
/* Drop a prepared job that will not be queued (e.g. its officer key is
 * over its rate limit). NULL is allowed. */
void ingest_job_free(ingest_job *job);
/* Whether a submission was queued within the last window_ms: the public
 * side yields the CPU while the ingest path has work (lock-free). */
int ingest_busy(ingest *in, unsigned window_ms);

#endif
