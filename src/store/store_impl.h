/* store_impl — between the dispatcher (store.c) and the backends
 * (store_sqlite.c, store_pg.c). The dispatcher owns everything the
 * backends share: the choice of backend by target, the checks of every
 * argument, the batch state and its rollback-on-error rule, the migration
 * loop, the decoding bounds of a row and the wording of the STORE_* errors.
 * A backend owns its connection, its SQL and the mapping of its failures
 * to STORE_* codes. Not part of the store's interface (store.h). */
#ifndef REKAP_STORE_IMPL_H
#define REKAP_STORE_IMPL_H

#include "store/store.h"

typedef struct store_backend {
    /* Connect to target (and configure the connection); s->readonly says
     * which open. */
    int (*connect)(store *s, const char *target, err_info *e);
    /* The schema version in the database, 0 when it is empty; STORE_OPEN
     * when it is not a rekap store. */
    int (*schema_version)(store *s, int *out, err_info *e);
    /* Run SQL that returns nothing (the migration steps). */
    int (*exec)(store *s, const char *sql, const char *what, err_info *e);
    const char *migrate_begin;         /* begins the migration's write transaction */
    const char *const *migrations;     /* STORE_SCHEMA_VERSION steps */
    /* After the schema is right: prepare the hot paths' statements. */
    int (*ready)(store *s, err_info *e);
    void (*close)(store *s);
    /* Roll back the database's open transaction, if any (error paths). */
    void (*rollback)(store *s);
    int (*next_index)(store *s, uint64_t *out, err_info *e);
    /* Begin the write transaction and read the next index under its lock. */
    int (*begin)(store *s, uint64_t *next, err_info *e);
    /* Ends the batch: every write of it is durable when this returns 0.
     * May report the failure of a write queued earlier (flush). */
    int (*commit)(store *s, err_info *e);
    /* Inside a batch: send the writes the backend queued without waiting
     * for their results (PostgreSQL's pipeline), read the results, and
     * return the first failure, after which the batch's transaction is
     * failed. The dispatcher calls it before every other use of the
     * connection inside a batch. NULL: every write answers at once. */
    int (*flush)(store *s, err_info *e);
    /* The writes, arguments already checked. Duplicate keys: ERR_EXISTS
     * through store_err_duplicate / store_err_enrolled. Inside a batch
     * entry_insert and officer_insert may queue the row and answer 0; its
     * failure then comes from a later insert, flush or commit. */
    int (*meta_put)(store *s, const char *key, const char *value, size_t n, err_info *e);
    int (*meta_get)(store *s, const char *key, char *buf, size_t cap, err_info *e);
    int (*officer_insert)(store *s, const store_officer *o, err_info *e);
    int (*entry_insert)(store *s, const store_entry *en, err_info *e);
    /* Version `version` of (tps, k), or the latest when version is 0, into
     * *out through store_entry_keep; a bare ERR_NOTFOUND (no err_set) when
     * there is none. */
    int (*entry_get)(store *s, const char *tps, contest_kind k, uint32_t version,
                     store_entry *out, err_info *e);
    int (*entries_each)(store *s, uint64_t from, int (*fn)(void *ctx, const store_entry *en),
                        void *ctx, err_info *e);
    int (*officers_each)(store *s, int (*fn)(void *ctx, const store_officer *o), void *ctx,
                         err_info *e);
} store_backend;

extern const store_backend store_sqlite_backend;
extern const store_backend store_pg_backend;

struct store {
    const store_backend *be;
    void *impl;           /* the backend's connection state */
    char *path;           /* for error messages: a file name, or a URI without its password */
    int readonly;
    int opening;          /* inside store_open*: a damaged database is STORE_OPEN */
    int in_batch;
    uint64_t next;        /* next log index; exact while a batch is open */
    uint64_t batch_start; /* next index when the batch began, for rollback */
    void *buf;            /* bytes of the entry last returned by find/latest */
    size_t cap;
};

/* A row read back, bounds-checked again before it fills fixed buffers
 * (STORE_CORRUPT when it breaks the schema's bounds). text fields are not
 * NUL-terminated; n is their length in bytes. */
int store_entry_decode(store *s, int64_t idx, const char *tps, size_t tps_len, int64_t kind,
                       int64_t version, int64_t accepted, const void *bytes, size_t len,
                       store_entry *out, err_info *e);
int store_officer_decode(store *s, int64_t order, const void *key, size_t key_len, int64_t role,
                         const char *reg, size_t reg_len, const char *name,
                         size_t name_len, int64_t at, store_officer *out, err_info *e);
/* Copy out's bytes into the store's buffer (valid until the next call). */
void store_entry_keep(store *s, store_entry *out);
/* A meta value of n bytes into buf (STORE_TOO_LONG when it does not fit). */
int store_meta_copy(store *s, const char *key, const char *text, size_t n, char *buf,
                    size_t cap, err_info *e);
/* The text of meta.schema_version into *out; STORE_OPEN when invalid
 * (text NULL: absent). */
int store_schema_parse(store *s, const char *text, int *out, err_info *e);
int store_err_duplicate(store *s, const store_entry *en, err_info *e);
int store_err_enrolled(store *s, const store_officer *o, err_info *e);

#endif
