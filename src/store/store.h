/* store — the election's durable state in SQLite (WAL, synchronous=FULL):
 * the enrolled officer keys and every log entry (accepted and rejected
 * forms and corrections) with its log index. Nothing is ever updated in
 * place: a correction is a new row with a higher version (the database
 * itself refuses UPDATE and DELETE on entries and officers).
 *
 * One writer: store_batch_begin / store_entry_add... / store_batch_commit
 * make one transaction, so a batch of submissions costs one fsync (group
 * commit). When store_batch_commit returns 0 every row of the batch is on
 * disk. Readers use separate connections (store_open_readonly) so they
 * never wait for the writer (WAL). Schema changes go through numbered
 * migrations (schema_version in table meta). docs/STORE.md has the schema,
 * the guarantees and every STORE_* error code.
 *
 * A store handle belongs to one thread at a time (open one per thread). */
#ifndef REKAP_STORE_H
#define REKAP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/election.h"
#include "core/err.h"

#define STORE_SCHEMA_VERSION 1   /* the newest schema this code knows */
#define STORE_NAME_MAX 128       /* officer name, NUL included */
#define STORE_META_KEY_MAX 64    /* bytes of a meta key */
#define STORE_META_VALUE_MAX 4096/* bytes of a meta value */
#define STORE_PG_PIPELINE_MAX 1024 /* PostgreSQL: adds of a batch waiting for results, at most */

typedef struct store store;

typedef enum store_role {
    STORE_ROLE_KPPS = 0,   /* TPS officer: submits C.Hasil for one TPS */
    STORE_ROLE_RECAP = 1,  /* recap officer: signs D.Hasil for one region at its level */
} store_role;

typedef struct store_officer {
    uint8_t pubkey[32];
    store_role role;
    char region[REGION_CODE_MAX]; /* a TPS code for KPPS; a region code for recap */
    char name[STORE_NAME_MAX];
    uint64_t enrolled_at;         /* unix seconds, given by the caller */
} store_officer;

typedef struct store_entry {
    uint64_t idx;                 /* log index */
    char tps[REGION_CODE_MAX];
    contest_kind kind;
    uint32_t version;             /* 1..ENTRY_VERSION_MAX */
    int accepted;                 /* 1 or 0 */
    const uint8_t *bytes;         /* the encoded entry (entry.h), 1..ENTRY_MAX bytes; */
    size_t len;                   /* from find/latest: valid until the next call on this
                                     store; in an each-callback: during the callback */
} store_entry;

/* Open (creating and migrating when needed) the database at path.
 * STORE_OPEN when it cannot be opened or is not a rekap store,
 * STORE_SCHEMA_NEWER when a newer program wrote it. */
int store_open(const char *path, store **out, err_info *e);
/* A read-only connection for readers that must not wait on the writer.
 * The database must exist at this code's schema version (STORE_SCHEMA_OLDER
 * when the writer has not migrated it yet). */
int store_open_readonly(const char *path, store **out, err_info *e);
/* Rolls back an open batch, then closes. NULL is allowed. */
void store_close(store *s);

/* Small key/value facts: the election's SHA-256, the log origin, ...
 * Inside a batch the change commits (or rolls back) with the batch.
 * "schema_version" is reserved (readable, not writable). */
int store_meta_set(store *s, const char *key, const char *value, err_info *e);
/* Copies the value into buf; ERR_NOTFOUND when absent, ERR_LIMIT when it
 * does not fit in cap bytes (NUL included). */
int store_meta_get(store *s, const char *key, char *buf, size_t cap, err_info *e);

/* Enrol a key; ERR_EXISTS (STORE_KEY_ENROLLED) when that key is enrolled. */
int store_officer_add(store *s, const store_officer *o, err_info *e);
/* Calls fn for each officer in enrolment order. Returns 0 after the last
 * one, fn's value when fn returned non-zero (stopping there), or a negative
 * ERR_* code from the store. */
int store_officers_each(store *s, int (*fn)(void *ctx, const store_officer *o), void *ctx,
                        err_info *e);

/* Group commit. Entries must come with consecutive log indices starting at
 * store_next_index(). On any error of a write (entry, officer, meta) while
 * a batch is open, the whole batch is rolled back and closed: later adds
 * and the commit then fail with STORE_NO_BATCH. A commit that fails (full
 * disk: STORE_FULL, I/O: STORE_IO) also leaves the store as before the
 * batch.
 *
 * When the error is reported: the argument checks (STORE_INDEX_GAP,
 * STORE_ENTRY_INVALID, STORE_TOO_LONG, ...) always by the call itself. What
 * the database refuses (STORE_DUPLICATE, STORE_KEY_ENROLLED, STORE_IO, ...)
 * by the call itself on SQLite. On PostgreSQL an add inside a batch
 * (store_entry_add, store_officer_add) is pipelined: it answers 0 before
 * the server has seen the row, and the row's refusal comes, with the same
 * code and message, from the first of: the add that brings the adds
 * waiting for their results to STORE_PG_PIPELINE_MAX, a read on the
 * handle inside the batch (store_entry_find, store_entry_latest,
 * store_entries_each, store_officers_each, store_meta_get), a
 * store_meta_set, or store_batch_commit. That call fails, and the whole
 * batch is rolled back as above. */
int store_batch_begin(store *s, err_info *e);
int store_entry_add(store *s, const store_entry *en, err_info *e);
int store_batch_commit(store *s, err_info *e);
void store_batch_rollback(store *s);  /* no-op without an open batch */

/* Number of entries stored (committed, plus those of the open batch). */
uint64_t store_next_index(store *s);

/* The entry with this (tps, kind, version); ERR_NOTFOUND when none. */
int store_entry_find(store *s, const char *tps, contest_kind k, uint32_t version,
                     store_entry *out, err_info *e);
/* The entry with the highest version for (tps, kind); ERR_NOTFOUND when none. */
int store_entry_latest(store *s, const char *tps, contest_kind k, store_entry *out,
                       err_info *e);
/* Entries in log order from index `from`, streamed (one row in memory at a
 * time). Returns like store_officers_each. fn must not write to this store. */
int store_entries_each(store *s, uint64_t from,
                       int (*fn)(void *ctx, const store_entry *en), void *ctx, err_info *e);

#endif
