/* store — owns the election's SQLite database: opening it in WAL mode with
 * full fsync, the numbered schema migrations, one cache of prepared
 * statements per connection, the batch (one transaction = one fsync) with
 * its log-index bookkeeping, and the mapping of SQLite failures to stable
 * STORE_* codes. See store.h for the interface and docs/STORE.md for the
 * schema and the guarantees. */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/entry.h"
#include "core/mem.h"
#include "io/file.h"

/* How long a connection waits for another one's lock before STORE_BUSY.
 * Only a second writer (or a migration in progress) can make it wait. */
#define STORE_BUSY_MS 5000
/* Page cache per connection: the (tps, contest, version) index of a
 * national election (~4 million rows) stays in memory. */
#define STORE_CACHE_KIB 65536

/* Migration n (1-based) takes a database at schema version n-1 to n. A
 * shipped step is never edited: a change is a new step. Version 0 is the
 * empty database. */
static const char *const migrations[] = {
    /* 1: meta, officers and the entry log. STRICT tables refuse values of
     * the wrong type; the triggers make the log append-only for every
     * connection, not only this code. Lengths are in bytes (CAST AS BLOB). */
    "CREATE TABLE meta ("
    "  key   TEXT PRIMARY KEY,"
    "  value TEXT NOT NULL"
    ") STRICT;"
    "CREATE TABLE officer ("
    "  pubkey      BLOB PRIMARY KEY CHECK (length(pubkey) = 32),"
    "  role        INTEGER NOT NULL CHECK (role IN (0, 1)),"
    "  region      TEXT NOT NULL CHECK (length(CAST(region AS BLOB)) BETWEEN 1 AND 13),"
    "  name        TEXT NOT NULL CHECK (length(CAST(name AS BLOB)) < 128),"
    "  enrolled_at INTEGER NOT NULL CHECK (enrolled_at >= 0)"
    ") STRICT;"
    "CREATE TABLE entry ("
    "  idx      INTEGER PRIMARY KEY CHECK (idx >= 0),"
    "  tps      TEXT NOT NULL CHECK (length(CAST(tps AS BLOB)) BETWEEN 1 AND 13),"
    "  contest  INTEGER NOT NULL CHECK (contest BETWEEN 0 AND 4),"
    "  version  INTEGER NOT NULL CHECK (version >= 1),"
    "  accepted INTEGER NOT NULL CHECK (accepted IN (0, 1)),"
    "  bytes    BLOB NOT NULL CHECK (length(bytes) BETWEEN 1 AND 65535),"
    "  UNIQUE (tps, contest, version)"
    ") STRICT;"
    "CREATE TRIGGER entry_no_update BEFORE UPDATE ON entry BEGIN"
    "  SELECT RAISE(ABORT, 'entry is append-only: a correction is a new version');"
    "END;"
    "CREATE TRIGGER entry_no_delete BEFORE DELETE ON entry BEGIN"
    "  SELECT RAISE(ABORT, 'entry is append-only: a correction is a new version');"
    "END;"
    "CREATE TRIGGER officer_no_update BEFORE UPDATE ON officer BEGIN"
    "  SELECT RAISE(ABORT, 'officer enrolments are never changed in place');"
    "END;"
    "CREATE TRIGGER officer_no_delete BEFORE DELETE ON officer BEGIN"
    "  SELECT RAISE(ABORT, 'officer enrolments are never changed in place');"
    "END;",
};
_Static_assert(sizeof migrations / sizeof *migrations == STORE_SCHEMA_VERSION,
               "one migration step per schema version");
_Static_assert(CONTEST_KINDS == 5 && REGION_CODE_MAX == 14 && ENTRY_MAX == 65535 &&
                   STORE_NAME_MAX == 128,
               "the CHECK constraints of migration 1 spell these bounds out");

#define ENTRY_COLS "idx, tps, contest, version, accepted, bytes"

/* The statements of the hot paths, prepared once per connection. */
enum stmt_id {
    ST_BEGIN,
    ST_COMMIT,
    ST_NEXT_INDEX,
    ST_ENTRY_ADD,
    ST_ENTRY_FIND,
    ST_ENTRY_LATEST,
    ST_OFFICER_ADD,
    ST_META_GET,
    ST_META_SET,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN IMMEDIATE",
    [ST_COMMIT] = "COMMIT",
    [ST_NEXT_INDEX] = "SELECT coalesce(max(idx) + 1, 0) FROM entry",
    [ST_ENTRY_ADD] = "INSERT INTO entry (" ENTRY_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_ENTRY_FIND] = "SELECT " ENTRY_COLS " FROM entry"
                      " WHERE tps = ?1 AND contest = ?2 AND version = ?3",
    [ST_ENTRY_LATEST] = "SELECT " ENTRY_COLS " FROM entry"
                        " WHERE tps = ?1 AND contest = ?2 ORDER BY version DESC LIMIT 1",
    [ST_OFFICER_ADD] = "INSERT INTO officer (pubkey, role, region, name, enrolled_at)"
                       " VALUES (?1, ?2, ?3, ?4, ?5)",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = ?1",
    [ST_META_SET] = "INSERT INTO meta (key, value) VALUES (?1, ?2)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
};

struct store {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    char *path;           /* for error messages */
    int readonly;
    int opening;          /* inside store_open*: a damaged file is STORE_OPEN */
    int in_batch;
    uint64_t next;        /* next log index; exact while a batch is open */
    uint64_t batch_start; /* next index when the batch began, for rollback */
    void *buf;            /* bytes of the entry last returned by find/latest */
    size_t cap;
};

/* Map a failed SQLite call (extended result code rc) to a STORE_* code.
 * Must run before anything else touches the connection: it reads
 * sqlite3_errmsg. */
static int sql_error(store *s, int rc, err_info *e, const char *what)
{
    const char *msg = s->db ? sqlite3_errmsg(s->db) : sqlite3_errstr(rc);
    const char *code = "STORE_SQL";
    switch (rc & 0xff) {
    case SQLITE_FULL:
        code = "STORE_FULL";
        break;
    case SQLITE_IOERR:
        code = "STORE_IO";
        break;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        code = "STORE_BUSY";
        break;
    case SQLITE_CANTOPEN:
    case SQLITE_PERM:
    case SQLITE_READONLY:
        code = s->opening ? "STORE_OPEN" : "STORE_IO";
        break;
    case SQLITE_NOTADB:
    case SQLITE_CORRUPT:
        code = s->opening ? "STORE_OPEN" : "STORE_CORRUPT";
        break;
    }
    return err_set(e, ERR_IO, code, s->path, "%s: %s", what, msg);
}

/* Step a statement that returns no row and reset it; SQLITE_OK or the
 * extended error code (the message stays readable through sqlite3_errmsg). */
static int step_done(sqlite3_stmt *st)
{
    int rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? SQLITE_OK : rc;
}

static int exec_sql(store *s, const char *sql, err_info *e, const char *what)
{
    int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sql_error(s, rc, e, what);
}

/* Roll back the open transaction, if SQLite has not already done so (it
 * does by itself after SQLITE_FULL and SQLITE_IOERR). Error paths only. */
static void rollback_open_txn(store *s)
{
    if (!sqlite3_get_autocommit(s->db))
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}

void store_batch_rollback(store *s)
{
    if (!s->in_batch)
        return;
    rollback_open_txn(s);
    s->in_batch = 0;
    s->next = s->batch_start;
}

/* A write that fails while a batch is open ends the batch, so the caller
 * never has to guess which rows of a half-failed batch are in. rc comes
 * from err_set, already recorded before the rollback clears SQLite's
 * message. */
static int write_failed(store *s, int rc)
{
    store_batch_rollback(s);
    return rc;
}

static int readonly_error(store *s, err_info *e)
{
    return err_set(e, ERR_INVALID, "STORE_READONLY", s->path,
                   "this connection was opened read-only");
}

/* Read a single-integer query (the statement is reset). */
static int query_int(sqlite3_stmt *st, int64_t *out)
{
    int rc = sqlite3_step(st);
    if (rc == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    sqlite3_reset(st);
    return rc == SQLITE_ROW ? SQLITE_OK : rc;
}

static int next_index_read(store *s, uint64_t *out)
{
    int64_t n = 0;
    int rc = query_int(s->st[ST_NEXT_INDEX], &n);
    if (rc == SQLITE_OK)
        *out = (uint64_t)n;
    return rc;
}

uint64_t store_next_index(store *s)
{
    /* Outside a batch the database is the truth (another connection may
     * have committed); inside one, only this connection writes. */
    if (!s->in_batch)
        next_index_read(s, &s->next);
    return s->next;
}

/* A statement used once, on the rare paths (open, iteration); the caller
 * finalizes it. */
static int prepare_once(store *s, const char *sql, sqlite3_stmt **st, err_info *e,
                        const char *what)
{
    int rc = sqlite3_prepare_v2(s->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : sql_error(s, rc, e, what);
}

/* The schema version of the database: 0 when it is empty. A database with
 * tables but no meta (another program's) or without a readable version is
 * not a rekap store. */
static int schema_version_read(store *s, int *out, err_info *e)
{
    sqlite3_stmt *st;
    int rc = prepare_once(s, "SELECT count(*), count(*) FILTER (WHERE name = 'meta'"
                             " AND type = 'table') FROM sqlite_schema",
                          &st, e, "read the schema");
    if (rc)
        return rc;
    int64_t objects = 0, has_meta = 0;
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        objects = sqlite3_column_int64(st, 0);
        has_meta = sqlite3_column_int64(st, 1);
    } else {
        rc = sql_error(s, step, e, "read the schema");
    }
    sqlite3_finalize(st);
    if (rc || objects == 0) {
        *out = 0;
        return rc;
    }
    if (!has_meta)
        return err_set(e, ERR_IO, "STORE_OPEN", s->path,
                       "not a rekap store (an SQLite database without table meta)");
    rc = prepare_once(s, "SELECT value FROM meta WHERE key = 'schema_version'", &st, e,
                      "read schema_version");
    if (rc)
        return rc;
    step = sqlite3_step(st);
    const char *text = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    char *end = NULL;
    long v = text ? strtol(text, &end, 10) : -1;
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sql_error(s, step, e, "read schema_version");
    else if (!text || text[0] < '1' || text[0] > '9' || *end != '\0' || v > 1000000)
        rc = err_set(e, ERR_IO, "STORE_OPEN", s->path,
                     "not a rekap store (table meta has no valid schema_version)");
    else
        *out = (int)v;
    sqlite3_finalize(st);
    return rc;
}

static int schema_newer(store *s, int v, err_info *e)
{
    return err_set(e, ERR_INVALID, "STORE_SCHEMA_NEWER", s->path,
                   "the database has schema version %d; this program knows up to %d"
                   " (a newer rekap wrote it)",
                   v, STORE_SCHEMA_VERSION);
}

/* Bring the database to STORE_SCHEMA_VERSION in one write transaction, so
 * two processes opening a new file cannot both migrate it and a failed
 * step leaves the old version whole. */
static int store_migrate(store *s, err_info *e)
{
    int rc = exec_sql(s, "BEGIN IMMEDIATE", e, "begin the migration");
    if (rc)
        return rc;
    int v = 0;
    rc = schema_version_read(s, &v, e);
    if (rc == 0 && v > STORE_SCHEMA_VERSION)
        rc = schema_newer(s, v, e);
    int migrated = rc == 0 && v < STORE_SCHEMA_VERSION;
    for (; rc == 0 && v < STORE_SCHEMA_VERSION; v++)
        rc = exec_sql(s, migrations[v], e, "migrate the schema");
    if (rc == 0 && migrated) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "INSERT INTO meta (key, value) VALUES ('schema_version', '%d')"
                 " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 STORE_SCHEMA_VERSION);
        rc = exec_sql(s, sql, e, "record schema_version");
    }
    if (rc == 0)
        rc = exec_sql(s, "COMMIT", e, "commit the migration");
    if (rc)
        rollback_open_txn(s);
    return rc;
}

/* Readers cannot migrate: they need the writer to have done it. */
static int schema_check_readonly(store *s, err_info *e)
{
    int v = 0;
    int rc = schema_version_read(s, &v, e);
    if (rc)
        return rc;
    if (v > STORE_SCHEMA_VERSION)
        return schema_newer(s, v, e);
    if (v < STORE_SCHEMA_VERSION)
        return err_set(e, ERR_INVALID, "STORE_SCHEMA_OLDER", s->path,
                       "the database has schema version %d, this program needs %d:"
                       " open it for writing once to migrate it",
                       v, STORE_SCHEMA_VERSION);
    return 0;
}

/* WAL (readers never wait for the writer), a full fsync per commit, and
 * the append-only triggers fired for REPLACE's deletes too. */
static int store_configure(store *s, err_info *e)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
             " PRAGMA recursive_triggers = ON; PRAGMA trusted_schema = OFF;"
             " PRAGMA cache_size = -%d;%s",
             STORE_CACHE_KIB, s->readonly ? " PRAGMA query_only = ON;" : "");
    int rc = exec_sql(s, sql, e, "open the database");
    if (rc || s->readonly)
        return rc;
    sqlite3_stmt *st;
    rc = prepare_once(s, "PRAGMA journal_mode = WAL", &st, e, "switch to WAL");
    if (rc)
        return rc;
    int step = sqlite3_step(st);
    const char *mode = step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (step != SQLITE_ROW)
        rc = sql_error(s, step, e, "switch to WAL");
    else if (!mode || strcmp(mode, "wal") != 0)
        rc = err_set(e, ERR_IO, "STORE_OPEN", s->path,
                     "the file system does not support WAL (journal mode %s)",
                     mode ? mode : "?");
    sqlite3_finalize(st);
    return rc;
}

static int stmts_prepare(store *s, err_info *e)
{
    for (int i = 0; i < ST_COUNT; i++) {
        int rc = sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                    &s->st[i], NULL);
        if (rc != SQLITE_OK)
            return sql_error(s, rc, e, "prepare the statements");
    }
    return 0;
}

/* A newly created database file's name must survive a crash too (SQLite
 * syncs the directory for its WAL file, not for the database file). */
static int dir_sync(store *s, err_info *e)
{
    if (file_sync_dir(s->path, NULL) < 0)
        return err_set(e, ERR_IO, "STORE_IO", s->path,
                       "could not sync the directory of the new database");
    return 0;
}

static int store_connect(store *s, int flags, err_info *e)
{
    int rc = sqlite3_open_v2(s->path, &s->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return sql_error(s, rc, e, "open the database");
    sqlite3_extended_result_codes(s->db, 1);
    sqlite3_busy_timeout(s->db, STORE_BUSY_MS);
    return 0;
}

/* Shared tail of both opens: the store is returned only whole. */
static int store_open_as(const char *path, int readonly, store **out, err_info *e)
{
    *out = NULL;
    store *s = mem_calloc(1, sizeof *s);
    s->path = mem_strdup(path);
    s->readonly = readonly;
    s->opening = 1;
    struct stat sb;
    int created = !readonly && stat(path, &sb) != 0 && errno == ENOENT;
    int rc = store_connect(s, readonly ? SQLITE_OPEN_READONLY
                                       : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, e);
    if (rc == 0)
        rc = store_configure(s, e);
    if (rc == 0)
        rc = readonly ? schema_check_readonly(s, e) : store_migrate(s, e);
    if (rc == 0 && created)
        rc = dir_sync(s, e);
    if (rc == 0)
        rc = stmts_prepare(s, e);
    if (rc == 0 && (rc = next_index_read(s, &s->next)) != SQLITE_OK)
        rc = sql_error(s, rc, e, "read the next log index");
    if (rc) {
        store_close(s);
        return rc;
    }
    s->opening = 0;
    *out = s;
    return 0;
}

int store_open(const char *path, store **out, err_info *e)
{
    return store_open_as(path, 0, out, e);
}

int store_open_readonly(const char *path, store **out, err_info *e)
{
    return store_open_as(path, 1, out, e);
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->db)
        store_batch_rollback(s);
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    sqlite3_close_v2(s->db);
    free(s->buf);
    free(s->path);
    free(s);
}

/* ---- meta ---- */

static int meta_key_check(store *s, const char *key, err_info *e)
{
    size_t n = strnlen(key, STORE_META_KEY_MAX + 1);
    if (n == 0)
        return err_set(e, ERR_INVALID, "STORE_META_INVALID", s->path, "empty meta key");
    if (n > STORE_META_KEY_MAX)
        return err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                       "meta key longer than %d bytes", STORE_META_KEY_MAX);
    return 0;
}

static int meta_put(store *s, const char *key, const char *value, err_info *e)
{
    int rc = meta_key_check(s, key, e);
    if (rc)
        return rc;
    if (strcmp(key, "schema_version") == 0)
        return err_set(e, ERR_INVALID, "STORE_META_RESERVED", s->path,
                       "meta key schema_version belongs to the migrations");
    size_t n = strnlen(value, STORE_META_VALUE_MAX + 1);
    if (n > STORE_META_VALUE_MAX)
        return err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                       "meta value for %s longer than %d bytes", key, STORE_META_VALUE_MAX);
    sqlite3_stmt *st = s->st[ST_META_SET];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, (int)n, SQLITE_STATIC);
    rc = step_done(st);
    return rc ? sql_error(s, rc, e, "set a meta value") : 0;
}

int store_meta_set(store *s, const char *key, const char *value, err_info *e)
{
    if (s->readonly)
        return readonly_error(s, e);
    int rc = meta_put(s, key, value, e);
    return rc ? write_failed(s, rc) : 0;
}

int store_meta_get(store *s, const char *key, char *buf, size_t cap, err_info *e)
{
    int rc = meta_key_check(s, key, e);
    if (rc)
        return rc;
    sqlite3_stmt *st = s->st[ST_META_GET];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st);
    if (step == SQLITE_ROW) {
        size_t n = (size_t)sqlite3_column_bytes(st, 0);
        if (n < cap)
            memcpy(buf, sqlite3_column_text(st, 0), n + 1);
        else
            rc = err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                         "meta value for %s has %zu bytes, the buffer holds %zu", key, n,
                         cap ? cap - 1 : 0);
    } else if (step == SQLITE_DONE) {
        rc = err_set(e, ERR_NOTFOUND, "STORE_NOT_FOUND", s->path, "no meta value for %s", key);
    } else {
        rc = sql_error(s, step, e, "read a meta value");
    }
    sqlite3_reset(st);
    return rc;
}

/* ---- iteration ---- */

/* Decodes the current row of st and hands it on; non-zero stops. */
typedef int (*row_visit)(store *s, sqlite3_stmt *st, void *arg, err_info *e);

/* Stream the rows of a one-off statement through visit, then finalize it:
 * one row in memory at a time, and no cached statement is held, so a
 * callback may itself read from this store. */
static int rows_each(store *s, sqlite3_stmt *st, row_visit visit, void *arg, err_info *e,
                     const char *what)
{
    int ret = 0, step;
    while (ret == 0 && (step = sqlite3_step(st)) == SQLITE_ROW)
        ret = visit(s, st, arg, e);
    if (ret == 0 && step != SQLITE_DONE)
        ret = sql_error(s, step, e, what);
    sqlite3_finalize(st);
    return ret;
}

static int corrupt(store *s, err_info *e, const char *what, int64_t rowid)
{
    return err_set(e, ERR_IO, "STORE_CORRUPT", s->path, "%s %" PRId64 " is out of range", what,
                   rowid);
}

/* Copy a TEXT column into a fixed buffer of cap bytes (NUL included);
 * -1 when it is empty or does not fit. */
static int column_text(sqlite3_stmt *st, int col, char *dst, size_t cap, int allow_empty)
{
    const unsigned char *t = sqlite3_column_text(st, col);
    size_t n = (size_t)sqlite3_column_bytes(st, col);
    if (!t || n >= cap || (n == 0 && !allow_empty))
        return -1;
    memcpy(dst, t, n + 1);
    return 0;
}

/* Decode the ENTRY_COLS of the current row; bytes point into the row. The
 * schema's CHECKs make a bad row impossible short of editing the file, but
 * fixed-size buffers are filled here, so every bound is checked again. */
static int entry_row(store *s, sqlite3_stmt *st, store_entry *out, err_info *e)
{
    int64_t idx = sqlite3_column_int64(st, 0);
    int64_t kind = sqlite3_column_int64(st, 2), version = sqlite3_column_int64(st, 3);
    int64_t accepted = sqlite3_column_int64(st, 4);
    out->bytes = sqlite3_column_blob(st, 5);
    out->len = (size_t)sqlite3_column_bytes(st, 5);
    if (idx < 0 || kind < 0 || kind >= CONTEST_KINDS || version < 1 || version > UINT32_MAX ||
        (accepted != 0 && accepted != 1) || !out->bytes ||
        column_text(st, 1, out->tps, sizeof out->tps, 0) != 0)
        return corrupt(s, e, "entry", idx);
    out->idx = (uint64_t)idx;
    out->kind = (contest_kind)kind;
    out->version = (uint32_t)version;
    out->accepted = (int)accepted;
    return 0;
}

typedef struct entries_visit {
    int (*fn)(void *ctx, const store_entry *en);
    void *ctx;
} entries_visit;

static int entry_visit(store *s, sqlite3_stmt *st, void *arg, err_info *e)
{
    entries_visit *v = arg;
    store_entry en;
    int rc = entry_row(s, st, &en, e);
    return rc ? rc : v->fn(v->ctx, &en);
}

int store_entries_each(store *s, uint64_t from,
                       int (*fn)(void *ctx, const store_entry *en), void *ctx, err_info *e)
{
    sqlite3_stmt *st;
    int rc = prepare_once(s, "SELECT " ENTRY_COLS " FROM entry WHERE idx >= ?1 ORDER BY idx",
                          &st, e, "read entries");
    if (rc)
        return rc;
    sqlite3_bind_int64(st, 1, from > INT64_MAX ? INT64_MAX : (sqlite3_int64)from);
    entries_visit v = {fn, ctx};
    return rows_each(s, st, entry_visit, &v, e, "read entries");
}

typedef struct officers_visit {
    int (*fn)(void *ctx, const store_officer *o);
    void *ctx;
} officers_visit;

static int officer_visit(store *s, sqlite3_stmt *st, void *arg, err_info *e)
{
    officers_visit *v = arg;
    store_officer o;
    memset(&o, 0, sizeof o);
    int64_t role = sqlite3_column_int64(st, 1), at = sqlite3_column_int64(st, 4);
    const void *key = sqlite3_column_blob(st, 0);
    if (!key || sqlite3_column_bytes(st, 0) != 32 || (role != 0 && role != 1) || at < 0 ||
        column_text(st, 2, o.region, sizeof o.region, 0) != 0 ||
        column_text(st, 3, o.name, sizeof o.name, 1) != 0)
        return corrupt(s, e, "officer", sqlite3_column_int64(st, 5));
    memcpy(o.pubkey, key, 32);
    o.role = (store_role)role;
    o.enrolled_at = (uint64_t)at;
    return v->fn(v->ctx, &o);
}

int store_officers_each(store *s, int (*fn)(void *ctx, const store_officer *o), void *ctx,
                        err_info *e)
{
    sqlite3_stmt *st;
    int rc = prepare_once(s, "SELECT pubkey, role, region, name, enrolled_at, rowid"
                             " FROM officer ORDER BY rowid",
                          &st, e, "read officers");
    if (rc)
        return rc;
    officers_visit v = {fn, ctx};
    return rows_each(s, st, officer_visit, &v, e, "read officers");
}

/* ---- officers ---- */

static int officer_check(store *s, const store_officer *o, err_info *e)
{
    size_t region_len = strnlen(o->region, sizeof o->region);
    if (o->role != STORE_ROLE_KPPS && o->role != STORE_ROLE_RECAP)
        return err_set(e, ERR_INVALID, "STORE_OFFICER_INVALID", s->path, "unknown role %d",
                       (int)o->role);
    if (region_len == 0 || region_len == sizeof o->region)
        return err_set(e, ERR_INVALID, "STORE_OFFICER_INVALID", s->path,
                       "region code must have 1 to %d characters", REGION_CODE_MAX - 1);
    if (strnlen(o->name, sizeof o->name) == sizeof o->name)
        return err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                       "officer name longer than %d bytes", STORE_NAME_MAX - 1);
    if (o->enrolled_at > INT64_MAX)
        return err_set(e, ERR_INVALID, "STORE_OFFICER_INVALID", s->path,
                       "enrolment time out of range");
    return 0;
}

int store_officer_add(store *s, const store_officer *o, err_info *e)
{
    if (s->readonly)
        return readonly_error(s, e);
    int rc = officer_check(s, o, e);
    if (rc)
        return write_failed(s, rc);
    sqlite3_stmt *st = s->st[ST_OFFICER_ADD];
    sqlite3_bind_blob(st, 1, o->pubkey, 32, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)o->role);
    sqlite3_bind_text(st, 3, o->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)o->enrolled_at);
    int step = step_done(st);
    if (step == SQLITE_CONSTRAINT_PRIMARYKEY)
        rc = err_set(e, ERR_EXISTS, "STORE_KEY_ENROLLED", s->path,
                     "key %02x%02x%02x%02x... is already enrolled", o->pubkey[0], o->pubkey[1],
                     o->pubkey[2], o->pubkey[3]);
    else if (step != SQLITE_OK)
        rc = sql_error(s, step, e, "enrol an officer");
    return rc ? write_failed(s, rc) : 0;
}

/* ---- entries ---- */

static int entry_key_check(store *s, const char *tps, contest_kind k, err_info *e)
{
    size_t n = strnlen(tps, REGION_CODE_MAX);
    if (n == 0 || n == REGION_CODE_MAX)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path,
                       "TPS code must have 1 to %d characters", REGION_CODE_MAX - 1);
    if ((unsigned)k >= CONTEST_KINDS)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path, "unknown contest %d",
                       (int)k);
    return 0;
}

static int entry_check(store *s, const store_entry *en, err_info *e)
{
    int rc = entry_key_check(s, en->tps, en->kind, e);
    if (rc)
        return rc;
    if (en->version < 1 || en->version > ENTRY_VERSION_MAX)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path,
                       "version %" PRIu32 " is not in 1..%d", en->version, ENTRY_VERSION_MAX);
    if (en->accepted != 0 && en->accepted != 1)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path,
                       "accepted must be 0 or 1");
    if (!en->bytes || en->len == 0)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path, "empty entry");
    if (en->len > ENTRY_MAX)
        return err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                       "entry of %zu bytes; at most %d", en->len, ENTRY_MAX);
    if (en->idx != s->next)
        return err_set(e, ERR_INVALID, "STORE_INDEX_GAP", s->path,
                       "entry has log index %" PRIu64 ", the next index is %" PRIu64, en->idx,
                       s->next);
    return 0;
}

static int entry_insert(store *s, const store_entry *en, err_info *e)
{
    /* SQLITE_STATIC: SQLite reads the caller's buffers during the step
     * only; every parameter is bound again before the next one. */
    sqlite3_stmt *st = s->st[ST_ENTRY_ADD];
    sqlite3_bind_int64(st, 1, (sqlite3_int64)en->idx);
    sqlite3_bind_text(st, 2, en->tps, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, (int)en->kind);
    sqlite3_bind_int64(st, 4, en->version);
    sqlite3_bind_int(st, 5, en->accepted);
    sqlite3_bind_blob(st, 6, en->bytes, (int)en->len, SQLITE_STATIC);
    int step = step_done(st);
    if (step == SQLITE_CONSTRAINT_UNIQUE)
        return err_set(e, ERR_EXISTS, "STORE_DUPLICATE", s->path,
                       "TPS %s contest %s version %" PRIu32 " is already stored", en->tps,
                       contest_kind_id[en->kind], en->version);
    return step ? sql_error(s, step, e, "add an entry") : 0;
}

int store_entry_add(store *s, const store_entry *en, err_info *e)
{
    if (!s->in_batch)
        return err_set(e, ERR_INVALID, "STORE_NO_BATCH", s->path,
                       "no open batch (never begun, or rolled back by an earlier error)");
    int rc = entry_check(s, en, e);
    if (rc == 0)
        rc = entry_insert(s, en, e);
    if (rc)
        return write_failed(s, rc);
    s->next++;
    return 0;
}

/* The single-row lookups: the bytes are copied into the store's buffer,
 * since the row goes away with the statement's reset. */
static int entry_one(store *s, sqlite3_stmt *st, store_entry *out, err_info *e)
{
    int step = sqlite3_step(st);
    int rc = 0;
    if (step == SQLITE_ROW) {
        rc = entry_row(s, st, out, e);
        if (rc == 0) {
            mem_grow(&s->buf, &s->cap, out->len, 1);
            memcpy(s->buf, out->bytes, out->len);
            out->bytes = s->buf;
        }
    } else if (step == SQLITE_DONE) {
        rc = ERR_NOTFOUND;
    } else {
        rc = sql_error(s, step, e, "find an entry");
    }
    sqlite3_reset(st);
    return rc;
}

static int entry_lookup(store *s, sqlite3_stmt *st, const char *tps, contest_kind k,
                        store_entry *out, err_info *e)
{
    int rc = entry_key_check(s, tps, k, e);
    if (rc)
        return rc;
    sqlite3_bind_text(st, 1, tps, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)k);
    rc = entry_one(s, st, out, e);
    if (rc == ERR_NOTFOUND)
        err_set(e, rc, "STORE_NOT_FOUND", s->path, "no entry for TPS %s contest %s", tps,
                contest_kind_id[k]);
    return rc;
}

int store_entry_find(store *s, const char *tps, contest_kind k, uint32_t version,
                     store_entry *out, err_info *e)
{
    sqlite3_bind_int64(s->st[ST_ENTRY_FIND], 3, version);
    return entry_lookup(s, s->st[ST_ENTRY_FIND], tps, k, out, e);
}

int store_entry_latest(store *s, const char *tps, contest_kind k, store_entry *out,
                       err_info *e)
{
    return entry_lookup(s, s->st[ST_ENTRY_LATEST], tps, k, out, e);
}

/* ---- batches ---- */

int store_batch_begin(store *s, err_info *e)
{
    if (s->readonly)
        return readonly_error(s, e);
    if (s->in_batch)
        return err_set(e, ERR_INVALID, "STORE_BATCH_OPEN", s->path, "a batch is already open");
    int rc = step_done(s->st[ST_BEGIN]);
    if (rc)
        return sql_error(s, rc, e, "begin a batch");
    /* Under the write lock now: the next index read here cannot move under
     * us, whoever wrote last. */
    uint64_t next = 0;
    rc = next_index_read(s, &next);
    if (rc) {
        rc = sql_error(s, rc, e, "read the next log index");
        rollback_open_txn(s);
        return rc;
    }
    s->in_batch = 1;
    s->next = s->batch_start = next;
    return 0;
}

int store_batch_commit(store *s, err_info *e)
{
    if (!s->in_batch)
        return err_set(e, ERR_INVALID, "STORE_NO_BATCH", s->path,
                       "no open batch (never begun, or rolled back by an earlier error)");
    int rc = step_done(s->st[ST_COMMIT]);
    if (rc == SQLITE_OK) {
        s->in_batch = 0;
        return 0;
    }
    return write_failed(s, sql_error(s, rc, e, "commit the batch"));
}
