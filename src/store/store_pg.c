/* store_pg — the PostgreSQL backend of the store (store_impl.h), through
 * libpq: one connection per handle, its numbered schema migrations (the
 * append-only rule enforced by triggers in the database), the hot paths'
 * statements prepared once per connection (PQprepare), a batch as one
 * transaction (BEGIN ... COMMIT: with the server's synchronous_commit and
 * synchronous_standby_names, a COMMIT that returns is on the synchronous
 * standby too) whose inserts and COMMIT go through libpq's pipeline mode
 * (one round trip for many rows, not one per row), entries streamed by
 * keyset pages of bounded size, and the mapping of SQLSTATEs to stable
 * STORE_* codes. docs/STORE.md ("The
 * PostgreSQL store") has the schema and the privileges an operator sets. */
#include "store/store_impl.h"

#include <endian.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* Rows per page of store_entries_each / store_officers_each: bounds the
 * memory of a walk (at most this many entries of <= 64 KiB each). */
#define PG_PAGE_ROWS 256

/* Migration n (1-based) takes a schema at version n-1 to n; a shipped step
 * is never edited. The same columns and CHECKs as SQLite's migration 1;
 * officer.seq keeps the enrolment order (SQLite's rowid). The triggers
 * refuse UPDATE, DELETE and TRUNCATE from any role, owners included. */
static const char *const migrations[] = {
    "CREATE TABLE meta ("
    "  key   text PRIMARY KEY,"
    "  value text NOT NULL"
    ");"
    "CREATE TABLE officer ("
    "  pubkey      bytea PRIMARY KEY CHECK (length(pubkey) = 32),"
    "  role        integer NOT NULL CHECK (role IN (0, 1)),"
    "  region      text NOT NULL CHECK (octet_length(region) BETWEEN 1 AND 13),"
    "  name        text NOT NULL CHECK (octet_length(name) < 128),"
    "  enrolled_at bigint NOT NULL CHECK (enrolled_at >= 0),"
    "  seq         bigint GENERATED ALWAYS AS IDENTITY UNIQUE"
    ");"
    "CREATE TABLE entry ("
    "  idx      bigint PRIMARY KEY CHECK (idx >= 0),"
    "  tps      text NOT NULL CHECK (octet_length(tps) BETWEEN 1 AND 13),"
    "  contest  integer NOT NULL CHECK (contest BETWEEN 0 AND 4),"
    "  version  bigint NOT NULL CHECK (version >= 1),"
    "  accepted integer NOT NULL CHECK (accepted IN (0, 1)),"
    "  bytes    bytea NOT NULL CHECK (length(bytes) BETWEEN 1 AND 65535),"
    "  UNIQUE (tps, contest, version)"
    ");"
    "CREATE FUNCTION rekap_append_only() RETURNS trigger LANGUAGE plpgsql AS $$"
    " BEGIN RAISE EXCEPTION '% is append-only: %', TG_TABLE_NAME, TG_ARGV[0]"
    "   USING ERRCODE = 'insufficient_privilege'; END $$;"
    "CREATE TRIGGER entry_no_change BEFORE UPDATE OR DELETE ON entry FOR EACH ROW"
    "  EXECUTE FUNCTION rekap_append_only('a correction is a new version');"
    "CREATE TRIGGER entry_no_truncate BEFORE TRUNCATE ON entry FOR EACH STATEMENT"
    "  EXECUTE FUNCTION rekap_append_only('a correction is a new version');"
    "CREATE TRIGGER officer_no_change BEFORE UPDATE OR DELETE ON officer FOR EACH ROW"
    "  EXECUTE FUNCTION rekap_append_only('enrolments are never changed in place');"
    "CREATE TRIGGER officer_no_truncate BEFORE TRUNCATE ON officer FOR EACH STATEMENT"
    "  EXECUTE FUNCTION rekap_append_only('enrolments are never changed in place');",
};
_Static_assert(sizeof migrations / sizeof *migrations == STORE_SCHEMA_VERSION,
               "one migration step per schema version");

/* Every integer column is read as int8, in binary. */
#define ENTRY_COLS "idx, tps, contest::int8, version, accepted::int8, bytes"

/* One writer at a time per schema: a transaction-scoped advisory lock
 * keyed by the entry table's OID (so two schemas do not share it), taken
 * by the migration and by every batch. A second writer waits for it
 * (lock_timeout: STORE_BUSY). */
#define PG_WRITER_LOCK                                                                    \
    "SELECT pg_advisory_xact_lock((1919640929::int8 << 32)"                               \
    " | coalesce(to_regclass('entry')::oid::int8, 0))"

/* The statements of the hot paths, prepared once per connection. */
enum stmt_id {
    ST_NEXT_INDEX,
    ST_ENTRY_ADD,
    ST_ENTRY_FIND,
    ST_ENTRY_LATEST,
    ST_ENTRIES_PAGE,
    ST_OFFICER_ADD,
    ST_OFFICERS_PAGE,
    ST_META_GET,
    ST_META_SET,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_NEXT_INDEX] = "SELECT coalesce(max(idx) + 1, 0) FROM entry",
    [ST_ENTRY_ADD] = "INSERT INTO entry (idx, tps, contest, version, accepted, bytes)"
                     " VALUES ($1::int8, $2, $3::int4, $4::int8, $5::int4, $6::bytea)",
    [ST_ENTRY_FIND] = "SELECT " ENTRY_COLS " FROM entry"
                      " WHERE tps = $1 AND contest = $2::int4 AND version = $3::int8",
    [ST_ENTRY_LATEST] = "SELECT " ENTRY_COLS " FROM entry"
                        " WHERE tps = $1 AND contest = $2::int4 ORDER BY version DESC LIMIT 1",
    [ST_ENTRIES_PAGE] = "SELECT " ENTRY_COLS " FROM entry WHERE idx >= $1::int8"
                        " ORDER BY idx LIMIT $2::int8",
    [ST_OFFICER_ADD] = "INSERT INTO officer (pubkey, role, region, name, enrolled_at)"
                       " VALUES ($1::bytea, $2::int4, $3, $4, $5::int8)",
    [ST_OFFICERS_PAGE] = "SELECT pubkey, role::int8, region, name, enrolled_at, seq"
                         " FROM officer WHERE seq > $1::int8 ORDER BY seq LIMIT $2::int8",
    [ST_META_GET] = "SELECT value FROM meta WHERE key = $1",
    [ST_META_SET] = "INSERT INTO meta (key, value) VALUES ($1, $2)"
                    " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
};

/* A statement sent in pipeline mode whose result is not read yet, with
 * what its error needs: a duplicate is named by its key, as SQLite's
 * immediate errors are. */
typedef enum sent_kind { SENT_ENTRY, SENT_OFFICER, SENT_COMMIT } sent_kind;

typedef struct pg_sent {
    sent_kind kind;
    store_entry entry;  /* SENT_ENTRY: tps, kind, version (the bytes are not kept) */
    uint8_t pubkey[32]; /* SENT_OFFICER */
} pg_sent;

typedef struct pg {
    PGconn *conn;
    char name[ST_COUNT][8]; /* the prepared statements' names */
    pg_sent *sent;          /* STORE_PG_PIPELINE_MAX of them, allocated by a writer */
    size_t nsent;           /* sent in pipeline mode, results not read yet */
} pg;

#define PG(s) ((pg *)(s)->impl)

/* Map a failed call (res may be NULL) to a STORE_* code by its SQLSTATE;
 * a lost connection is STORE_IO. Clears res. */
static int pg_error(store *s, PGresult *res, err_info *e, const char *what)
{
    PGconn *c = PG(s)->conn;
    const char *field = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
    const char *msg = res && *PQresultErrorMessage(res) ? PQresultErrorMessage(res)
                                                        : PQerrorMessage(c);
    char text[512], sqlstate[6];
    snprintf(text, sizeof text, "%s", msg);
    text[strcspn(text, "\n")] = '\0';
    snprintf(sqlstate, sizeof sqlstate, "%s", field ? field : "");
    const char *state = field ? sqlstate : NULL;
    PQclear(res);
    const char *code = "STORE_SQL";
    int err = ERR_IO;
    if (!state || PQstatus(c) != CONNECTION_OK || strncmp(state, "08", 2) == 0 ||
        strncmp(state, "57P", 3) == 0 || strncmp(state, "58", 2) == 0)
        code = "STORE_IO"; /* connection lost, server shut down, system I/O error */
    else if (strcmp(state, "23505") == 0)
        err = ERR_EXISTS;  /* unique_violation, as SQLite's */
    else if (strcmp(state, "53100") == 0)
        code = "STORE_FULL";
    else if (strcmp(state, "55P03") == 0 || strcmp(state, "40P01") == 0 ||
             strcmp(state, "40001") == 0)
        code = "STORE_BUSY";
    else if (strcmp(state, "XX001") == 0 || strcmp(state, "XX002") == 0)
        code = s->opening ? "STORE_OPEN" : "STORE_CORRUPT";
    return err_set(e, err, code, s->path, "%s: %s%s%s", what, text, state ? " SQLSTATE " : "",
                   state ? state : "");
}

/* 0 when res has the status ok, else pg_error (which clears res). */
static int pg_check(store *s, PGresult *res, ExecStatusType ok, err_info *e, const char *what)
{
    if (res && PQresultStatus(res) == ok)
        return 0;
    return pg_error(s, res, e, what);
}

static int pg_exec(store *s, const char *sql, const char *what, err_info *e)
{
    PGresult *res = PQexec(PG(s)->conn, sql);
    ExecStatusType st = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        PQclear(res);
        return 0;
    }
    return pg_error(s, res, e, what);
}

/* Parameters are text, the bytea ones binary (lens[i] > 0). */
#define PG_PARAMS_MAX 8

static void param_formats(int n, const int *lens, int fmts[PG_PARAMS_MAX])
{
    for (int i = 0; i < n; i++)
        fmts[i] = lens && lens[i] > 0;
}

/* Run prepared statement id, results in binary. */
static PGresult *run(store *s, int id, int n, const char *const *vals, const int *lens)
{
    int fmts[PG_PARAMS_MAX] = {0};
    param_formats(n, lens, fmts);
    return PQexecPrepared(PG(s)->conn, PG(s)->name[id], n, vals, lens, fmts, 1);
}

static int64_t get_i8(const PGresult *r, int row, int col)
{
    uint64_t v;
    if (PQgetlength(r, row, col) != 8)
        return INT64_MIN;
    memcpy(&v, PQgetvalue(r, row, col), 8);
    return (int64_t)be64toh(v);
}

static int pg_next_index(store *s, uint64_t *out, err_info *e)
{
    PGresult *r = run(s, ST_NEXT_INDEX, 0, NULL, NULL);
    int rc = pg_check(s, r, PGRES_TUPLES_OK, e, "read the next log index");
    if (rc)
        return rc;
    int64_t n = PQntuples(r) == 1 ? get_i8(r, 0, 0) : -1;
    PQclear(r);
    if (n < 0)
        return err_set(e, ERR_IO, "STORE_CORRUPT", s->path, "the next log index is unreadable");
    *out = (uint64_t)n;
    return 0;
}

/* The schema version: 0 when the current schema (search_path) holds no
 * table; STORE_OPEN when it holds tables but no meta (another program's)
 * or no valid schema_version. */
static int pg_schema_version(store *s, int *out, err_info *e)
{
    PGresult *r = PQexec(PG(s)->conn,
                         "SELECT count(*), count(*) FILTER (WHERE c.relname = 'meta'"
                         " AND c.relkind = 'r') FROM pg_class c JOIN pg_namespace n"
                         " ON n.oid = c.relnamespace WHERE n.nspname = current_schema()"
                         " AND c.relkind IN ('r', 'p', 'v', 'm', 'f')");
    int rc = pg_check(s, r, PGRES_TUPLES_OK, e, "read the schema");
    if (rc)
        return rc;
    long objects = atol(PQgetvalue(r, 0, 0)), has_meta = atol(PQgetvalue(r, 0, 1));
    PQclear(r);
    *out = 0;
    if (objects == 0)
        return 0;
    if (!has_meta)
        return err_set(e, ERR_IO, "STORE_OPEN", s->path,
                       "not a rekap store (a schema with tables but without table meta)");
    r = PQexec(PG(s)->conn, "SELECT value FROM meta WHERE key = 'schema_version'");
    rc = pg_check(s, r, PGRES_TUPLES_OK, e, "read schema_version");
    if (rc)
        return rc;
    rc = store_schema_parse(s, PQntuples(r) == 1 ? PQgetvalue(r, 0, 0) : NULL, out, e);
    PQclear(r);
    return rc;
}

/* Readers: read-only transactions (a hot standby needs them anyway).
 * Writer: a commit never returns before the server made it durable,
 * whatever the database's default (synchronous_commit off would return
 * before the WAL flush); the server's synchronous_standby_names decide
 * which standbys must have it too. Both: a lock held over 5 s by another
 * writer is STORE_BUSY, and the migration's DDL stays quiet. */
static int pg_configure(store *s, err_info *e)
{
    char sql[256];
    snprintf(sql, sizeof sql,
             "SET lock_timeout = '5s'; SET client_min_messages = warning; %s",
             s->readonly ? "SET default_transaction_read_only = on;"
                         : "SELECT CASE WHEN current_setting('synchronous_commit') = 'off'"
                           " THEN set_config('synchronous_commit', 'on', false) END;");
    return pg_exec(s, sql, "configure the connection", e);
}

static int pg_connect(store *s, const char *uri, err_info *e)
{
    pg *p = mem_calloc(1, sizeof *p);
    s->impl = p;
    p->conn = PQconnectdb(uri);
    if (!p->conn || PQstatus(p->conn) != CONNECTION_OK) {
        /* libpq's message names the host, never the password. */
        const char *msg = p->conn ? PQerrorMessage(p->conn) : "out of memory";
        char text[512];
        snprintf(text, sizeof text, "%s", msg);
        text[strcspn(text, "\n")] = '\0';
        return err_set(e, ERR_IO, "STORE_IO", s->path, "connect to PostgreSQL: %s", text);
    }
    if (PQsetClientEncoding(p->conn, "UTF8") != 0)
        return pg_error(s, NULL, e, "set the client encoding");
    return pg_configure(s, e);
}

static int pg_ready(store *s, err_info *e)
{
    pg *p = PG(s);
    for (int i = 0; i < ST_COUNT; i++) {
        snprintf(p->name[i], sizeof p->name[i], "rk%d", i);
        PGresult *r = PQprepare(p->conn, p->name[i], stmt_sql[i], 0, NULL);
        int rc = pg_check(s, r, PGRES_COMMAND_OK, e, "prepare the statements");
        if (rc)
            return rc;
        PQclear(r);
    }
    return 0;
}

static void pg_close(store *s)
{
    pg *p = PG(s);
    if (!p)
        return;
    PQfinish(p->conn);
    free(p->sent);
    free(p);
    s->impl = NULL;
}

/* ---- meta ---- */

static int pg_meta_put(store *s, const char *key, const char *value, size_t n, err_info *e)
{
    (void)n; /* value is NUL-terminated and checked by the dispatcher */
    const char *vals[2] = {key, value};
    PGresult *r = run(s, ST_META_SET, 2, vals, NULL);
    int rc = pg_check(s, r, PGRES_COMMAND_OK, e, "set a meta value");
    if (rc == 0)
        PQclear(r);
    return rc;
}

static int pg_meta_get(store *s, const char *key, char *buf, size_t cap, err_info *e)
{
    const char *vals[1] = {key};
    PGresult *r = run(s, ST_META_GET, 1, vals, NULL);
    int rc = pg_check(s, r, PGRES_TUPLES_OK, e, "read a meta value");
    if (rc)
        return rc;
    if (PQntuples(r) == 1)
        rc = store_meta_copy(s, key, PQgetvalue(r, 0, 0), (size_t)PQgetlength(r, 0, 0), buf,
                             cap, e);
    else
        rc = err_set(e, ERR_NOTFOUND, "STORE_NOT_FOUND", s->path, "no meta value for %s", key);
    PQclear(r);
    return rc;
}

/* ---- rows ---- */

static int entry_row(store *s, const PGresult *r, int row, store_entry *out, err_info *e)
{
    return store_entry_decode(s, get_i8(r, row, 0), PQgetvalue(r, row, 1),
                              (size_t)PQgetlength(r, row, 1), get_i8(r, row, 2),
                              get_i8(r, row, 3), get_i8(r, row, 4), PQgetvalue(r, row, 5),
                              (size_t)PQgetlength(r, row, 5), out, e);
}

static int officer_row(store *s, const PGresult *r, int row, store_officer *out, err_info *e)
{
    return store_officer_decode(s, get_i8(r, row, 5), PQgetvalue(r, row, 0),
                                (size_t)PQgetlength(r, row, 0), get_i8(r, row, 1),
                                PQgetvalue(r, row, 2), (size_t)PQgetlength(r, row, 2),
                                PQgetvalue(r, row, 3), (size_t)PQgetlength(r, row, 3),
                                get_i8(r, row, 4), out, e);
}

/* A page of a walk: the rows of stmt id from key `after`; *r is the
 * caller's to clear. The connection is free again while the caller's
 * callbacks run, so they may read from this store. */
static int page_read(store *s, int id, int64_t after, PGresult **r, err_info *e,
                     const char *what)
{
    char a[24], lim[24];
    snprintf(a, sizeof a, "%" PRId64, after);
    snprintf(lim, sizeof lim, "%d", PG_PAGE_ROWS);
    const char *vals[2] = {a, lim};
    *r = run(s, id, 2, vals, NULL);
    int rc = pg_check(s, *r, PGRES_TUPLES_OK, e, what);
    if (rc)
        *r = NULL;
    return rc;
}

/* Entries in log order, PG_PAGE_ROWS at a time (keyset on idx): bounded
 * memory however long the log. */
static int pg_entries_each(store *s, uint64_t from, int (*fn)(void *ctx, const store_entry *en),
                           void *ctx, err_info *e)
{
    int64_t next = from > INT64_MAX ? INT64_MAX : (int64_t)from;
    for (;;) {
        PGresult *r;
        int rc = page_read(s, ST_ENTRIES_PAGE, next, &r, e, "read entries");
        if (rc)
            return rc;
        int n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++) {
            store_entry en;
            rc = entry_row(s, r, i, &en, e);
            if (rc == 0) {
                next = (int64_t)en.idx + 1;
                rc = fn(ctx, &en);
            }
        }
        PQclear(r);
        if (rc || n < PG_PAGE_ROWS)
            return rc;
    }
}

static int pg_officers_each(store *s, int (*fn)(void *ctx, const store_officer *o), void *ctx,
                            err_info *e)
{
    int64_t after = 0;
    for (;;) {
        PGresult *r;
        int rc = page_read(s, ST_OFFICERS_PAGE, after, &r, e, "read officers");
        if (rc)
            return rc;
        int n = PQntuples(r);
        for (int i = 0; rc == 0 && i < n; i++) {
            store_officer o;
            rc = officer_row(s, r, i, &o, e);
            if (rc == 0)
                rc = fn(ctx, &o);
            after = get_i8(r, i, 5);
        }
        PQclear(r);
        if (rc || n < PG_PAGE_ROWS)
            return rc;
    }
}

/* ---- the pipeline: a batch's inserts and its COMMIT ---- */

/* Waiting for each insert's answer cost one round trip per row, so a
 * batch (and an enrolment of many keys) was bound by latency, not by the
 * server. Inside a batch the inserts are sent in pipeline mode without
 * waiting, and their results are read together by pg_flush: when
 * STORE_PG_PIPELINE_MAX are waiting (bounded memory on both sides), before
 * any statement that needs the connection synchronously (the dispatcher
 * flushes before a read or a meta write), and with the COMMIT, which is
 * sent behind the last inserts (one round trip for both). */

static const char *const sent_what[] = {
    [SENT_ENTRY] = "add an entry",
    [SENT_OFFICER] = "enrol an officer",
    [SENT_COMMIT] = "commit the batch",
};

/* The result of one statement (r may be NULL): 0, the duplicate-key error
 * naming its row, as the SQLite backend's immediate one does, or
 * pg_error. Clears r. */
static int sent_result(store *s, PGresult *r, const pg_sent *q, err_info *e)
{
    if (r && PQresultStatus(r) == PGRES_COMMAND_OK) {
        /* A COMMIT of a transaction that had failed answers ROLLBACK. */
        int rolled_back = q->kind == SENT_COMMIT && strcmp(PQcmdStatus(r), "ROLLBACK") == 0;
        PQclear(r);
        return rolled_back ? err_set(e, ERR_IO, "STORE_SQL", s->path,
                                     "commit the batch: the server rolled it back")
                           : 0;
    }
    const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
    if (q->kind == SENT_COMMIT || !state || strcmp(state, "23505") != 0)
        return pg_error(s, r, e, sent_what[q->kind]);
    PQclear(r);
    if (q->kind == SENT_ENTRY)
        return store_err_duplicate(s, &q->entry, e);
    store_officer o = {0};
    memcpy(o.pubkey, q->pubkey, sizeof o.pubkey);
    return store_err_enrolled(s, &o, e);
}

/* Read the results up to the Sync, in the order sent. The first failure
 * is the answer: after it the server skipped the rest up to the Sync
 * (PGRES_PIPELINE_ABORTED) and the transaction is failed. */
static int pipeline_collect(store *s, err_info *e)
{
    pg *p = PG(s);
    int rc = 0, nulls = 0;
    for (size_t i = 0;;) {
        PGresult *r = PQgetResult(p->conn);
        if (!r) {
            /* A NULL ends one statement's results; a second one in a row
             * means nothing more is coming: the connection is gone. */
            if (++nulls == 2)
                return rc ? rc : pg_error(s, NULL, e, "read the batch's results");
            continue;
        }
        nulls = 0;
        if (PQresultStatus(r) == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            return rc;
        }
        if (rc == 0 && i < p->nsent)
            rc = sent_result(s, r, &p->sent[i], e);
        else
            PQclear(r);
        i++;
    }
}

/* Send a Sync behind what was sent, read every result and leave pipeline
 * mode, so the connection is synchronous again. 0 when nothing waits. */
static int pg_flush(store *s, err_info *e)
{
    pg *p = PG(s);
    if (PQpipelineStatus(p->conn) == PQ_PIPELINE_OFF)
        return 0;
    int rc = PQpipelineSync(p->conn) ? pipeline_collect(s, e)
                                     : pg_error(s, NULL, e, "send the batch's writes");
    p->nsent = 0;
    if (!PQexitPipelineMode(p->conn) && rc == 0)
        rc = pg_error(s, NULL, e, "leave pipeline mode");
    return rc;
}

/* Send prepared statement id (COMMIT for SENT_COMMIT) in pipeline mode,
 * entering it first; its result is read by a later pg_flush, at once
 * when STORE_PG_PIPELINE_MAX results wait. */
static int pipeline_send(store *s, int id, int n, const char *const *vals, const int *lens,
                         const pg_sent *q, err_info *e)
{
    pg *p = PG(s);
    if (!p->sent)
        p->sent = mem_alloc(STORE_PG_PIPELINE_MAX * sizeof *p->sent);
    if (PQpipelineStatus(p->conn) == PQ_PIPELINE_OFF && !PQenterPipelineMode(p->conn))
        return pg_error(s, NULL, e, sent_what[q->kind]);
    int fmts[PG_PARAMS_MAX] = {0};
    param_formats(n, lens, fmts);
    int sent = q->kind == SENT_COMMIT
                   ? PQsendQueryParams(p->conn, "COMMIT", 0, NULL, NULL, NULL, NULL, 1)
                   : PQsendQueryPrepared(p->conn, p->name[id], n, vals, lens, fmts, 1);
    if (!sent)
        return pg_error(s, NULL, e, sent_what[q->kind]);
    p->sent[p->nsent++] = *q;
    return p->nsent == STORE_PG_PIPELINE_MAX ? pg_flush(s, e) : 0;
}

/* ---- writes ---- */

/* Inside a batch an officer's insert is pipelined (its error may come
 * later, docs/STORE.md); outside one it commits at once and answers now. */
static int pg_officer_insert(store *s, const store_officer *o, err_info *e)
{
    char role[4], at[24];
    snprintf(role, sizeof role, "%d", (int)o->role);
    snprintf(at, sizeof at, "%" PRIu64, o->enrolled_at);
    const char *vals[5] = {(const char *)o->pubkey, role, o->region, o->name, at};
    const int lens[5] = {32, 0, 0, 0, 0};
    pg_sent q = {.kind = SENT_OFFICER};
    memcpy(q.pubkey, o->pubkey, sizeof q.pubkey);
    if (s->in_batch)
        return pipeline_send(s, ST_OFFICER_ADD, 5, vals, lens, &q, e);
    return sent_result(s, run(s, ST_OFFICER_ADD, 5, vals, lens), &q, e);
}

/* Always inside a batch (the dispatcher checks): pipelined. */
static int pg_entry_insert(store *s, const store_entry *en, err_info *e)
{
    char idx[24], kind[4], version[12], acc[4];
    snprintf(idx, sizeof idx, "%" PRIu64, en->idx);
    snprintf(kind, sizeof kind, "%d", (int)en->kind);
    snprintf(version, sizeof version, "%" PRIu32, en->version);
    snprintf(acc, sizeof acc, "%d", en->accepted);
    const char *vals[6] = {idx, en->tps, kind, version, acc, (const char *)en->bytes};
    const int lens[6] = {0, 0, 0, 0, 0, (int)en->len};
    pg_sent q = {.kind = SENT_ENTRY, .entry = *en};
    q.entry.bytes = NULL; /* libpq copied them; the caller's may go away */
    q.entry.len = 0;
    return pipeline_send(s, ST_ENTRY_ADD, 6, vals, lens, &q, e);
}

static int pg_entry_get(store *s, const char *tps, contest_kind k, uint32_t version,
                        store_entry *out, err_info *e)
{
    char kind[4], v[12];
    snprintf(kind, sizeof kind, "%d", (int)k);
    snprintf(v, sizeof v, "%" PRIu32, version);
    const char *vals[3] = {tps, kind, v};
    PGresult *r = run(s, version ? ST_ENTRY_FIND : ST_ENTRY_LATEST, version ? 3 : 2, vals, NULL);
    int rc = pg_check(s, r, PGRES_TUPLES_OK, e, "find an entry");
    if (rc)
        return rc;
    rc = ERR_NOTFOUND;
    if (PQntuples(r) == 1) {
        rc = entry_row(s, r, 0, out, e);
        if (rc == 0)
            store_entry_keep(s, out);
    }
    PQclear(r);
    return rc;
}

/* ---- batches ---- */

/* BEGIN, the writer's lock, and the next index read under it (one round
 * trip: the result is the last statement's). */
static int pg_begin(store *s, uint64_t *next, err_info *e)
{
    PGresult *r = PQexec(PG(s)->conn, "BEGIN; " PG_WRITER_LOCK ";"
                                      " SELECT coalesce(max(idx) + 1, 0) FROM entry");
    int rc = pg_check(s, r, PGRES_TUPLES_OK, e, "begin a batch");
    if (rc)
        return rc;
    int64_t n = PQntuples(r) == 1 ? atoll(PQgetvalue(r, 0, 0)) : -1;
    PQclear(r);
    if (n < 0)
        return err_set(e, ERR_IO, "STORE_CORRUPT", s->path, "the next log index is unreadable");
    *next = (uint64_t)n;
    return 0;
}

/* COMMIT behind the batch's last inserts, their results and its own read
 * in one round trip. It returns only once the server made the transaction
 * durable (and, with synchronous_standby_names, the synchronous standbys
 * did). A failed insert makes the server skip the COMMIT: that insert's
 * error is the answer, and the dispatcher rolls the failed transaction
 * back. A COMMIT whose answer is lost with the connection may have
 * committed: STORE_IO, fatal for the writer (docs/STORE.md). */
static int pg_commit(store *s, err_info *e)
{
    pg_sent q = {.kind = SENT_COMMIT};
    int rc = pipeline_send(s, 0, 0, NULL, NULL, &q, e);
    return rc ? rc : pg_flush(s, e);
}

/* Drop what the pipeline holds (its inserts run, to be rolled back), then
 * roll back the open transaction, if any. */
static void pg_rollback(store *s)
{
    PGconn *c = PG(s)->conn;
    if (!c)
        return;
    err_info ignored;
    pg_flush(s, &ignored);
    if (PQtransactionStatus(c) != PQTRANS_IDLE && PQtransactionStatus(c) != PQTRANS_UNKNOWN)
        PQclear(PQexec(c, "ROLLBACK"));
}

const store_backend store_pg_backend = {
    .connect = pg_connect,
    .schema_version = pg_schema_version,
    .exec = pg_exec,
    .migrate_begin = "BEGIN; " PG_WRITER_LOCK,
    .migrations = migrations,
    .ready = pg_ready,
    .close = pg_close,
    .rollback = pg_rollback,
    .next_index = pg_next_index,
    .begin = pg_begin,
    .commit = pg_commit,
    .flush = pg_flush,
    .meta_put = pg_meta_put,
    .meta_get = pg_meta_get,
    .officer_insert = pg_officer_insert,
    .entry_insert = pg_entry_insert,
    .entry_get = pg_entry_get,
    .entries_each = pg_entries_each,
    .officers_each = pg_officers_each,
};
