/* edir — an election directory, read side. The names of the directory's
 * files are defined here, once:
 *
 *   <dir>/election.json  the definition; its SHA-256 must be the store's
 *                        meta "election_sha256" (INGEST_ELECTION_CHANGED)
 *   <dir>/rekap.db       the store: here only a source of the bytes of an
 *                        earlier version, each checked against the log's
 *                        leaf hash before it is used
 *   <dir>/store.conf     when present, the store is PostgreSQL instead: its
 *                        first line is the libpq connection URI
 *                        (edir_store_target; mode 0600, it may hold a password)
 *   <dir>/log/           the transparency log (tiles, signed checkpoint)
 *   <dir>/log.key        the log's key file: only its public key is read
 *   <dir>/photos/        the photos (rekapd)
 *   <dir>/lock           the one writer's lock (ingest): never taken here
 *
 * edir_open_readonly reads a directory as a monitor reads a log: the
 * checkpoint verified with the public half of log.key, every entry bundle
 * read, the tree rebuilt and every tile compared (tlog_read.h); then every
 * entry replayed in log order through the one counting rule (count_form,
 * core/count.h), so the totals it gives are those the signed log
 * proves, never a store column taken on trust. The log covers what the
 * writer has published: the last signed checkpoint, at most about a second
 * (publish_interval_ms) behind the writer.
 *
 * It reads only: no thread, no signature, no lock, and it never writes or
 * creates a file itself. SQLite does, under store_open_readonly: a reader
 * of a WAL database writes its read marks into rekap.db-shm, and on a
 * directory at rest (no writer) SQLite creates rekap.db-wal and
 * rekap.db-shm and leaves them there.
 *
 * Error codes, besides those of the parts it reads through (STORE_*,
 * FILE_*, ELECTION_*, KEY_*, TLOG_*, NOTE_*, CHECKPOINT_*, the counting
 * rule's INGEST_TALLY, and edir_prev_from_store's INGEST_STORE_NOT_LOGGED,
 * INGEST_STORE_COLUMNS): EDIR_DIR (no such directory), EDIR_PATH (a path too
 * long), EDIR_STORE_CONF (store.conf unreadable or not a URI), EDIR_POOL (every connection of a pool is taken), EDIR_LOG_KEY
 * (log.key's name is not a valid key name), EDIR_ENTRY
 * (a logged entry does not parse), EDIR_TPS (a logged entry names a TPS
 * not in the election), EDIR_VERSION (a logged version does not follow the
 * one before), EDIR_NOT_COUNTED (no form counted there), EDIR_RECAP (a logged
 * recap or plenary record does not replay),
 * INGEST_ELECTION_CHANGED. docs/CLI.md lists them. */
#ifndef REKAP_EDIR_H
#define REKAP_EDIR_H

#include <stdint.h>

#include "core/election.h"
#include "core/entry.h"
#include "core/err.h"
#include "core/merkle.h"
#include "core/note.h"
#include "core/recap.h"
#include "core/tally.h"
#include "store/store.h"

#define EDIR_ELECTION "election.json"
#define EDIR_STORE "rekap.db"
#define EDIR_STORE_CONF "store.conf"
#define EDIR_LOG_KEY "log.key"
#define EDIR_LOG "log"
#define EDIR_CHECKPOINT "log/checkpoint" /* the log's signed checkpoint (C2SP tlog-tiles) */
#define EDIR_PHOTOS "photos"
#define EDIR_LOCK "lock"

#define EDIR_PATH_MAX 4096

/* "<dir>/<name>" into buf (EDIR_PATH_MAX bytes); ERR_LIMIT (EDIR_PATH)
 * when it does not fit. */
int edir_path(char *buf, const char *dir, const char *name, err_info *e);

/* Where the directory's store is, for store_open*: the first line of
 * <dir>/store.conf when that file exists — a libpq URI (PostgreSQL), or
 * the absolute path of another directory's SQLite store (a replica on the
 * primary's machine) — else the path <dir>/rekap.db (SQLite). buf holds
 * cap bytes (EDIR_PATH_MAX will do). EDIR_STORE_CONF when store.conf
 * cannot be read or its first line is neither (edir_store_uri_ok);
 * EDIR_PATH when it does not fit. Error messages name the file, never the
 * URI (it may hold a password). */
int edir_store_target(const char *dir, char *buf, size_t cap, err_info *e);
/* Whether s (up to its end or newline) may name a store in store.conf: a
 * postgresql:// or postgres:// URI, or an absolute path. */
int edir_store_uri_ok(const char *s);

/* 0 when the definition at path is the one the store was made for (its
 * SHA-256 is the store's meta "election_sha256"), else ERR_INVALID
 * (INGEST_ELECTION_CHANGED): an edited election.json would silently move
 * every total. The writer (ingest) and the read side both call it. */
int edir_election_check(store *st, const char *path, err_info *e);

/* The store as the source of a version counted before (count_prev_fn,
 * core/count.h): the row's bytes must hash to the leaf the tree holds at
 * the row's index (INGEST_STORE_NOT_LOGGED) and say what its columns say
 * (INGEST_STORE_COLUMNS). The writer passes its log's tree, readers the
 * tree they rebuilt from the log's files. */
typedef struct edir_prev_store {
    store *st;
    const merkle_tree *tree;
} edir_prev_store;
int edir_prev_from_store(void *ctx, const char *tps, contest_kind k, uint32_t version,
                         entry *out, err_info *e);

/* Version `version` of (tps, k) from the store, for a reader that knows
 * which version it wants (the ingest's ingest_form_versions says which is
 * logged and counted): the row's bytes parsed into *out, its log index
 * into *index. The entry must be that version of that form, and accepted
 * when `counted` (INGEST_STORE_COLUMNS); ERR_NOTFOUND when the store has no
 * such row. Not checked against the log (edir_prev_from_store is): for
 * readers beside the writer, whose store it is. out's sub_bytes point into
 * the store's buffer, valid until the next call on st. */
int edir_store_entry(store *st, const char *tps, contest_kind k, uint32_t version, int counted,
                     entry *out, uint64_t *index, err_info *e);

/* A pool of read-only connections to the store of an election directory,
 * for a server's threads: a thread takes one for a piece of work and gives
 * it back. At most `max` are open at once; each is opened when first
 * needed and kept for the next taker (the one given back last is taken
 * first) until edir_pool_free. Thread-safe; a connection taken belongs to
 * its taker alone until given back. */
typedef struct edir_pool edir_pool;

/* A pool for the directory's store (edir_store_target); nothing is opened
 * yet. EDIR_PATH, EDIR_STORE_CONF. */
int edir_pool_new(const char *dir, unsigned max, edir_pool **out, err_info *e);
/* A connection into *out: an idle one, or one opened now while fewer than
 * max are open (store_open_readonly's errors). ERR_LIMIT (EDIR_POOL) when
 * all max are taken: size the pool for every thread that takes one. */
int edir_pool_take(edir_pool *p, store **out, err_info *e);
/* Give back a connection taken from p. */
void edir_pool_give(edir_pool *p, store *st);
/* Close every connection (each must have been given back) and free the
 * pool; NULL is allowed. */
void edir_pool_free(edir_pool *p);

/* The log's verifier from <dir>/log.key: its name and public key only (a
 * public key file does as well as the secret one), so nothing that calls
 * this can sign. EDIR_LOG_KEY when the name is not a valid log origin;
 * KEY_* / FILE_* from reading the file. */
int edir_log_verifier(const char *dir, note_verifier *out, err_info *e);

typedef struct edir edir;

/* Open the election directory dir (master data from data_dir) read-only
 * and replay its signed log. On success *out is the caller's (edir_close);
 * on error *out is NULL and nothing is left open. */
int edir_open_readonly(const char *dir, const char *data_dir, edir **out, err_info *e);
/* Free everything; NULL is allowed. */
void edir_close(edir *d);

/* The definition and the totals the log proves (owned by d). */
const election *edir_election(const edir *d);
const tally *edir_tally(const edir *d);
/* Entries the verified checkpoint covers. */
uint64_t edir_log_size(const edir *d);

/* The entries replayed: read = accepted + rejected = edir_log_size. */
typedef struct edir_stats {
    uint64_t read;
    uint64_t accepted;
    uint64_t rejected;
} edir_stats;
const edir_stats *edir_stats_of(const edir *d);

/* The tiered recap the log proves: every recap and plenary record
 * replayed in log order with its verdict recomputed (recap_book_replay;
 * a status line the rules do not give stops the open with EDIR_RECAP).
 * Owned by d. */
const recap_book *edir_recap_book(const edir *d);
/* The read-only store and the log's leaves the replay rebuilt (owned by d). */
store *edir_store(edir *d);
const merkle_tree *edir_tree(const edir *d);
/* What each child of unit u says at the end of the log
 * (recap_children_now over the replay's counted forms). */
int edir_recap_children(edir *d, const recap_unit *u, recap_child **out, uint32_t *n,
                        err_info *e);

/* Recap version v (t SIGNED_RECAP) or record number v (SIGNED_RECORD) of
 * unit u from store st into *out (recap_entry_free), its log index into
 * *index (may be NULL): the row must be that version of that unit
 * (INGEST_STORE_COLUMNS) and, when tree is given, the log's entry at its
 * index (INGEST_STORE_NOT_LOGGED); ERR_NOTFOUND when the store has none.
 * tree NULL: for readers beside the writer, whose store it is. */
int edir_store_recap(store *st, const merkle_tree *tree, const election *el,
                     const recap_unit *u, signed_type t, uint32_t v, recap_entry *out,
                     uint64_t *index, err_info *e);
/* The numbers (u->width) version v of child region node `child` of u
 * stood for: the TPS's counted form (a kecamatan's child) or the child
 * region's recap of u's district; checked as edir_store_recap. */
int edir_adopted_numbers(store *st, const merkle_tree *tree, const election *el,
                         const recap_unit *u, uint32_t child, uint32_t v, uint64_t *out,
                         err_info *e);
/* Both for the directory d replayed, checked against its log. */
int edir_recap_entry(edir *d, const recap_unit *u, signed_type t, uint32_t v, recap_entry *out,
                     uint64_t *index, err_info *e);
int edir_recap_adopted(edir *d, const recap_unit *u, uint32_t child, uint32_t v, uint64_t *out,
                       err_info *e);

/* Per TPS (index into the election's tps[]) and contest. */
typedef struct edir_versions {
    uint32_t latest;   /* the highest version logged, accepted or rejected; 0: none */
    uint32_t counted;  /* the version counted in the tally; 0: none */
    uint64_t index;    /* the log index of the counted version (when counted) */
} edir_versions;
void edir_versions_of(const edir *d, uint32_t tps, contest_kind k, edir_versions *out);

/* The counted entry of (tps, k) into *out: its bytes come from the store
 * and are used only when they hash to the log's leaf (the log holds each
 * version of a form once, so that leaf is the counted one). ERR_NOTFOUND
 * (EDIR_NOT_COUNTED) when nothing is counted there. out's sub_bytes point
 * into the store's buffer, valid until the next call on d. */
int edir_counted_entry(edir *d, uint32_t tps, contest_kind k, entry *out, err_info *e);

#endif
