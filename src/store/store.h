/* store — the election's durable state in SQLite (WAL, synchronous=FULL):
 * the enrolled officer keys and every log entry (accepted and rejected
 * forms and corrections) with its log index. Nothing is ever updated in
 * place: a correction is a new row with a higher version.
 *
 * One writer: store_batch_begin / store_entry_add... / store_batch_commit
 * make one transaction, so a batch of submissions costs one fsync (group
 * commit). When store_batch_commit returns 0 every row of the batch is on
 * disk. Readers use separate connections (store_open_readonly) so they
 * never wait for the writer (WAL). Schema changes go through numbered
 * migrations (schema_version in table meta). */
#ifndef REKAP_STORE_H
#define REKAP_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "core/election.h"
#include "core/err.h"

typedef struct store store;

typedef enum store_role {
    STORE_ROLE_KPPS = 0,   /* TPS officer: submits C.Hasil for one TPS */
    STORE_ROLE_RECAP = 1,  /* recap officer: signs D.Hasil for one region at its level */
} store_role;

typedef struct store_officer {
    uint8_t pubkey[32];
    store_role role;
    char region[REGION_CODE_MAX]; /* a TPS code for KPPS; a region code for recap */
    char name[128];
} store_officer;

typedef struct store_entry {
    uint64_t idx;                 /* log index */
    char tps[REGION_CODE_MAX];
    contest_kind kind;
    uint32_t version;
    int accepted;
    const uint8_t *bytes;         /* the encoded entry (entry.h); valid until the next call */
    size_t len;
} store_entry;

/* Open (creating and migrating when needed) the database at path. */
int store_open(const char *path, store **out, err_info *e);
/* A read-only connection for readers that must not wait on the writer. */
int store_open_readonly(const char *path, store **out, err_info *e);
void store_close(store *s);

/* Small key/value facts: the election's SHA-256, the log origin, ... */
int store_meta_set(store *s, const char *key, const char *value, err_info *e);
/* Copies the value into buf; ERR_NOTFOUND when absent. */
int store_meta_get(store *s, const char *key, char *buf, size_t cap, err_info *e);

/* Enrol a key; ERR_EXISTS (STORE_KEY_ENROLLED) when that key is enrolled. */
int store_officer_add(store *s, const store_officer *o, err_info *e);
/* Calls fn for each officer; stops at a non-zero return. */
int store_officers_each(store *s, int (*fn)(void *ctx, const store_officer *o), void *ctx,
                        err_info *e);

/* Group commit. Entries must come with consecutive log indices starting at
 * store_next_index(). On any error the whole batch is rolled back. */
int store_batch_begin(store *s, err_info *e);
int store_entry_add(store *s, const store_entry *en, err_info *e);
int store_batch_commit(store *s, err_info *e);
void store_batch_rollback(store *s);

uint64_t store_next_index(store *s);  /* number of entries stored */

/* The entry with this (tps, kind, version); ERR_NOTFOUND when none. */
int store_entry_find(store *s, const char *tps, contest_kind k, uint32_t version,
                     store_entry *out, err_info *e);
/* Entries in log order from index `from`; fn's non-zero return stops. */
int store_entries_each(store *s, uint64_t from,
                       int (*fn)(void *ctx, const store_entry *en), void *ctx, err_info *e);

#endif
