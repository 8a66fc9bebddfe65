/* store_sqlite — the SQLite backend of the store (store_impl.h): opening
 * the file in WAL mode with full fsync, its numbered schema migrations,
 * one cache of prepared statements per connection, the transaction of a
 * batch (one transaction = one fsync), and the mapping of SQLite failures
 * to stable STORE_* codes. See store.h for the interface and
 * docs/STORE.md for the schema and the guarantees. */
#include "store/store_impl.h"

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
/* The writer's page cache: the (tps, contest, version) index of a
 * national election (~4 million rows) stays in memory. */
#define STORE_CACHE_KIB 65536
/* A reader's: rekapd opens one per listener thread and more (edir_pool,
 * up to 66), each reading scattered rows once; the kernel's page cache
 * serves them as well, and 66 × 64 MiB would be most of a national
 * rekapd's memory. */
#define STORE_READER_CACHE_KIB 4096

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

typedef struct sq {
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    int created;          /* the open created the file: its directory is synced */
} sq;

#define SQ(s) ((sq *)(s)->impl)

/* Map a failed SQLite call (extended result code rc) to a STORE_* code.
 * Must run before anything else touches the connection: it reads
 * sqlite3_errmsg. */
static int sql_error(store *s, int rc, err_info *e, const char *what)
{
    sqlite3 *db = SQ(s)->db;
    const char *msg = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
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

static int sq_exec(store *s, const char *sql, const char *what, err_info *e)
{
    int rc = sqlite3_exec(SQ(s)->db, sql, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sql_error(s, rc, e, what);
}

/* Roll back the open transaction, if SQLite has not already done so (it
 * does by itself after SQLITE_FULL and SQLITE_IOERR). Error paths only. */
static void sq_rollback(store *s)
{
    if (!sqlite3_get_autocommit(SQ(s)->db))
        sqlite3_exec(SQ(s)->db, "ROLLBACK", NULL, NULL, NULL);
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

static int sq_next_index(store *s, uint64_t *out, err_info *e)
{
    int64_t n = 0;
    int rc = query_int(SQ(s)->st[ST_NEXT_INDEX], &n);
    if (rc != SQLITE_OK)
        return sql_error(s, rc, e, "read the next log index");
    *out = (uint64_t)n;
    return 0;
}

/* A statement used once, on the rare paths (open, iteration); the caller
 * finalizes it. */
static int prepare_once(store *s, const char *sql, sqlite3_stmt **st, err_info *e,
                        const char *what)
{
    int rc = sqlite3_prepare_v2(SQ(s)->db, sql, -1, st, NULL);
    return rc == SQLITE_OK ? 0 : sql_error(s, rc, e, what);
}

/* The schema version of the database: 0 when it is empty. A database with
 * tables but no meta (another program's) or without a readable version is
 * not a rekap store. */
static int sq_schema_version(store *s, int *out, err_info *e)
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
    if (step != SQLITE_ROW && step != SQLITE_DONE)
        rc = sql_error(s, step, e, "read schema_version");
    else
        rc = store_schema_parse(
            s, step == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL, out, e);
    sqlite3_finalize(st);
    return rc;
}

/* WAL (readers never wait for the writer), a full fsync per commit, and
 * the append-only triggers fired for REPLACE's deletes too. */
static int sq_configure(store *s, err_info *e)
{
    char sql[320];
    snprintf(sql, sizeof sql,
             "PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;"
             " PRAGMA recursive_triggers = ON; PRAGMA trusted_schema = OFF;"
             " PRAGMA cache_size = -%d;%s",
             s->readonly ? STORE_READER_CACHE_KIB : STORE_CACHE_KIB,
             s->readonly ? " PRAGMA query_only = ON;" : "");
    int rc = sq_exec(s, sql, "open the database", e);
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

static int sq_connect(store *s, const char *path, err_info *e)
{
    sq *q = mem_calloc(1, sizeof *q);
    s->impl = q;
    struct stat sb;
    q->created = !s->readonly && stat(path, &sb) != 0 && errno == ENOENT;
    int flags = s->readonly ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE;
    int rc = sqlite3_open_v2(path, &q->db, flags | SQLITE_OPEN_NOMUTEX, NULL);
    if (rc != SQLITE_OK)
        return sql_error(s, rc, e, "open the database");
    sqlite3_extended_result_codes(q->db, 1);
    sqlite3_busy_timeout(q->db, STORE_BUSY_MS);
    return sq_configure(s, e);
}

/* A newly created database file's name must survive a crash too (SQLite
 * syncs the directory for its WAL file, not for the database file); then
 * the hot paths' statements. */
static int sq_ready(store *s, err_info *e)
{
    sq *q = SQ(s);
    if (q->created && file_sync_dir(s->path, NULL) < 0)
        return err_set(e, ERR_IO, "STORE_IO", s->path,
                       "could not sync the directory of the new database");
    for (int i = 0; i < ST_COUNT; i++) {
        int rc = sqlite3_prepare_v3(q->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT,
                                    &q->st[i], NULL);
        if (rc != SQLITE_OK)
            return sql_error(s, rc, e, "prepare the statements");
    }
    return 0;
}

static void sq_close(store *s)
{
    sq *q = SQ(s);
    if (!q)
        return;
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(q->st[i]);
    sqlite3_close_v2(q->db);
    free(q);
    s->impl = NULL;
}

/* ---- meta ---- */

static int sq_meta_put(store *s, const char *key, const char *value, size_t n, err_info *e)
{
    sqlite3_stmt *st = SQ(s)->st[ST_META_SET];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, (int)n, SQLITE_STATIC);
    int rc = step_done(st);
    return rc ? sql_error(s, rc, e, "set a meta value") : 0;
}

static int sq_meta_get(store *s, const char *key, char *buf, size_t cap, err_info *e)
{
    sqlite3_stmt *st = SQ(s)->st[ST_META_GET];
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int step = sqlite3_step(st), rc;
    if (step == SQLITE_ROW)
        rc = store_meta_copy(s, key, (const char *)sqlite3_column_text(st, 0),
                             (size_t)sqlite3_column_bytes(st, 0), buf, cap, e);
    else if (step == SQLITE_DONE)
        rc = err_set(e, ERR_NOTFOUND, "STORE_NOT_FOUND", s->path, "no meta value for %s", key);
    else
        rc = sql_error(s, step, e, "read a meta value");
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

static const char *col_text(sqlite3_stmt *st, int col)
{
    return (const char *)sqlite3_column_text(st, col);
}

static size_t col_len(sqlite3_stmt *st, int col)
{
    return (size_t)sqlite3_column_bytes(st, col);
}

/* Decode the ENTRY_COLS of the current row; bytes point into the row. */
static int entry_row(store *s, sqlite3_stmt *st, store_entry *out, err_info *e)
{
    const char *tps = col_text(st, 1);
    size_t tps_len = col_len(st, 1);
    const void *bytes = sqlite3_column_blob(st, 5);
    return store_entry_decode(s, sqlite3_column_int64(st, 0), tps, tps_len,
                              sqlite3_column_int64(st, 2), sqlite3_column_int64(st, 3),
                              sqlite3_column_int64(st, 4), bytes, col_len(st, 5), out, e);
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

static int sq_entries_each(store *s, uint64_t from, int (*fn)(void *ctx, const store_entry *en),
                           void *ctx, err_info *e)
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
    const char *reg = col_text(st, 2);
    size_t reg_len = col_len(st, 2);
    const char *name = col_text(st, 3);
    size_t name_len = col_len(st, 3);
    const void *key = sqlite3_column_blob(st, 0);
    int rc = store_officer_decode(s, sqlite3_column_int64(st, 5), key, col_len(st, 0),
                                  sqlite3_column_int64(st, 1), reg, reg_len, name,
                                  name_len, sqlite3_column_int64(st, 4), &o, e);
    return rc ? rc : v->fn(v->ctx, &o);
}

static int sq_officers_each(store *s, int (*fn)(void *ctx, const store_officer *o), void *ctx,
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

/* ---- writes ---- */

static int sq_officer_insert(store *s, const store_officer *o, err_info *e)
{
    sqlite3_stmt *st = SQ(s)->st[ST_OFFICER_ADD];
    sqlite3_bind_blob(st, 1, o->pubkey, 32, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)o->role);
    sqlite3_bind_text(st, 3, o->region, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 4, o->name, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 5, (sqlite3_int64)o->enrolled_at);
    int step = step_done(st);
    if (step == SQLITE_CONSTRAINT_PRIMARYKEY)
        return store_err_enrolled(s, o, e);
    return step != SQLITE_OK ? sql_error(s, step, e, "enrol an officer") : 0;
}

static int sq_entry_insert(store *s, const store_entry *en, err_info *e)
{
    /* SQLITE_STATIC: SQLite reads the caller's buffers during the step
     * only; every parameter is bound again before the next one. */
    sqlite3_stmt *st = SQ(s)->st[ST_ENTRY_ADD];
    sqlite3_bind_int64(st, 1, (sqlite3_int64)en->idx);
    sqlite3_bind_text(st, 2, en->tps, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, (int)en->kind);
    sqlite3_bind_int64(st, 4, en->version);
    sqlite3_bind_int(st, 5, en->accepted);
    sqlite3_bind_blob(st, 6, en->bytes, (int)en->len, SQLITE_STATIC);
    int step = step_done(st);
    if (step == SQLITE_CONSTRAINT_UNIQUE)
        return store_err_duplicate(s, en, e);
    return step ? sql_error(s, step, e, "add an entry") : 0;
}

/* The single-row lookups: the bytes are copied into the store's buffer,
 * since the row goes away with the statement's reset. */
static int sq_entry_get(store *s, const char *tps, contest_kind k, uint32_t version,
                        store_entry *out, err_info *e)
{
    sqlite3_stmt *st = SQ(s)->st[version ? ST_ENTRY_FIND : ST_ENTRY_LATEST];
    sqlite3_bind_text(st, 1, tps, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, (int)k);
    if (version)
        sqlite3_bind_int64(st, 3, version);
    int step = sqlite3_step(st), rc = ERR_NOTFOUND;
    if (step == SQLITE_ROW) {
        rc = entry_row(s, st, out, e);
        if (rc == 0)
            store_entry_keep(s, out);
    } else if (step != SQLITE_DONE) {
        rc = sql_error(s, step, e, "find an entry");
    }
    sqlite3_reset(st);
    return rc;
}

/* ---- batches ---- */

/* BEGIN IMMEDIATE takes the write lock: the next index read under it
 * cannot move, whoever wrote last. */
static int sq_begin(store *s, uint64_t *next, err_info *e)
{
    int rc = step_done(SQ(s)->st[ST_BEGIN]);
    if (rc)
        return sql_error(s, rc, e, "begin a batch");
    return sq_next_index(s, next, e);
}

static int sq_commit(store *s, err_info *e)
{
    int rc = step_done(SQ(s)->st[ST_COMMIT]);
    return rc == SQLITE_OK ? 0 : sql_error(s, rc, e, "commit the batch");
}

const store_backend store_sqlite_backend = {
    .connect = sq_connect,
    .schema_version = sq_schema_version,
    .exec = sq_exec,
    .migrate_begin = "BEGIN IMMEDIATE",
    .migrations = migrations,
    .ready = sq_ready,
    .close = sq_close,
    .rollback = sq_rollback,
    .next_index = sq_next_index,
    .begin = sq_begin,
    .commit = sq_commit,
    .meta_put = sq_meta_put,
    .meta_get = sq_meta_get,
    .officer_insert = sq_officer_insert,
    .entry_insert = sq_entry_insert,
    .entry_get = sq_entry_get,
    .entries_each = sq_entries_each,
    .officers_each = sq_officers_each,
};
