/* Tests for store: creating, reopening and migrating the database, batches
 * and their all-or-nothing rollback, log-index and uniqueness rules, the
 * append-only triggers, officers, meta, a reader beside an open batch, a
 * second writer (waits the 5 s busy timeout), damaged and newer files, and
 * a full disk or failing fsync injected through a wrapping SQLite VFS. A
 * small throughput measurement closes (REKAP_STORE_BENCH_ROWS sets its
 * size). The backend-neutral cases run again against PostgreSQL when
 * REKAP_TEST_PG_URI names a server (each case in a schema of its own,
 * created and dropped here), with the PostgreSQL failure paths: UPDATE,
 * DELETE and TRUNCATE refused by the database itself, a newer schema, a
 * foreign schema, a reader before the migration. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/entry.h"
#include "core/mem.h"
#include "store/store.h"

typedef struct fixture {
    char dir[32];
    char path[1024];  /* an SQLite file, or a PostgreSQL URI into the case's schema */
    char schema[64];  /* PostgreSQL: the case's schema */
} fixture;

static int setup(void **state)
{
    fixture *fx = mem_calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rekap-store-XXXXXX");
    if (!mkdtemp(fx->dir)) {
        free(fx);
        return -1;
    }
    snprintf(fx->path, sizeof fx->path, "%s/rekap.db", fx->dir);
    *state = fx;
    return 0;
}

/* Remove whatever the test left in its directory (database, WAL, shm,
 * planted files), then the directory. */
static int teardown(void **state)
{
    fixture *fx = *state;
    DIR *d = opendir(fx->dir);
    if (d) {
        for (struct dirent *de; (de = readdir(d));) {
            if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                continue;
            char p[320];
            snprintf(p, sizeof p, "%s/%s", fx->dir, de->d_name);
            unlink(p);
        }
        closedir(d);
    }
    int rc = rmdir(fx->dir);
    free(fx);
    return rc;
}

static store *open_ok(const char *path)
{
    err_info e = {0};
    store *s = NULL;
    int rc = store_open(path, &s, &e);
    if (rc)
        fail_msg("store_open: %s: %s", e.code, e.msg);
    assert_non_null(s);
    return s;
}

static store *open_reader(const char *path)
{
    err_info e = {0};
    store *s = NULL;
    int rc = store_open_readonly(path, &s, &e);
    if (rc)
        fail_msg("store_open_readonly: %s: %s", e.code, e.msg);
    return s;
}

/* ---- entries made up for the tests ---- */

typedef struct test_entry {
    store_entry en;
    uint8_t bytes[96];
} test_entry;

/* An entry whose bytes depend on every key field, so a row read back under
 * the wrong key cannot compare equal. */
static void make_entry(test_entry *t, uint64_t idx, unsigned tps, contest_kind k,
                       uint32_t version, int accepted)
{
    memset(t, 0, sizeof *t);
    t->en.idx = idx;
    snprintf(t->en.tps, sizeof t->en.tps, "3273011%06u", tps);
    t->en.kind = k;
    t->en.version = version;
    t->en.accepted = accepted;
    int n = snprintf((char *)t->bytes, sizeof t->bytes, "entry %s %s v%u %s", t->en.tps,
                     contest_kind_id[k], version, accepted ? "accepted" : "rejected");
    t->en.bytes = t->bytes;
    t->en.len = (size_t)n;
}

static void add_ok(store *s, const test_entry *t)
{
    err_info e = {0};
    int rc = store_entry_add(s, &t->en, &e);
    if (rc)
        fail_msg("store_entry_add: %s: %s", e.code, e.msg);
}

static void begin_ok(store *s)
{
    err_info e = {0};
    int rc = store_batch_begin(s, &e);
    if (rc)
        fail_msg("store_batch_begin: %s: %s", e.code, e.msg);
}

static void commit_ok(store *s)
{
    err_info e = {0};
    int rc = store_batch_commit(s, &e);
    if (rc)
        fail_msg("store_batch_commit: %s: %s", e.code, e.msg);
}

/* Commit n entries with fresh keys (tps numbers from `first`). */
static void commit_entries(store *s, unsigned first, unsigned n)
{
    begin_ok(s);
    for (unsigned i = 0; i < n; i++) {
        test_entry t;
        make_entry(&t, store_next_index(s), first + i, (contest_kind)(i % CONTEST_KINDS), 1,
                   (int)(i % 2));
        add_ok(s, &t);
    }
    commit_ok(s);
}

/* PostgreSQL pipelines the adds of a batch (store.h): what the database
 * refuses is reported by a later call, not by the add. */
static int pipelined(const fixture *fx)
{
    return fx->schema[0] != '\0';
}

/* An add the database refuses, in an open batch with fewer than
 * STORE_PG_PIPELINE_MAX adds waiting: SQLite's add fails; PostgreSQL's
 * answers 0 and the commit fails, with the same code and a message naming
 * the same row. Either way the batch is over. */
static void add_refused(const fixture *fx, store *s, const store_entry *en, int want,
                        const char *code)
{
    err_info e = {0};
    int rc = store_entry_add(s, en, &e);
    if (pipelined(fx)) {
        assert_int_equal(rc, 0);
        rc = store_batch_commit(s, &e);
    }
    assert_int_equal(rc, want);
    assert_string_equal(e.code, code);
    assert_non_null(strstr(e.msg, en->tps));
    assert_int_equal(store_batch_commit(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_NO_BATCH");
}

static void assert_same_entry(const store_entry *got, const store_entry *want)
{
    assert_int_equal(got->idx, want->idx);
    assert_string_equal(got->tps, want->tps);
    assert_int_equal(got->kind, want->kind);
    assert_int_equal(got->version, want->version);
    assert_int_equal(got->accepted, want->accepted);
    assert_int_equal(got->len, want->len);
    assert_memory_equal(got->bytes, want->bytes, want->len);
}

static int entry_exists(store *s, const test_entry *t)
{
    err_info e = {0};
    store_entry got;
    int rc = store_entry_find(s, t->en.tps, t->en.kind, t->en.version, &got, &e);
    if (rc == 0) {
        assert_same_entry(&got, &t->en);
        return 1;
    }
    assert_int_equal(rc, ERR_NOTFOUND);
    assert_string_equal(e.code, "STORE_NOT_FOUND");
    return 0;
}

/* Counts the entries visited and checks they come in log order. */
typedef struct walk {
    uint64_t count, expect_next;
    uint64_t stop_after; /* 0: never stop */
} walk;

static int walk_fn(void *ctx, const store_entry *en)
{
    walk *w = ctx;
    assert_int_equal(en->idx, w->expect_next);
    w->expect_next++;
    w->count++;
    return w->stop_after && w->count == w->stop_after ? 7 : 0;
}

static uint64_t count_from(store *s, uint64_t from)
{
    walk w = {.expect_next = from};
    err_info e = {0};
    assert_int_equal(store_entries_each(s, from, walk_fn, &w, &e), 0);
    return w.count;
}

/* Run one SQL statement on a separate raw connection; SQLite's code. */
static int raw_exec(const char *path, const char *sql)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_exec(db, "PRAGMA recursive_triggers = ON", NULL, NULL, NULL);
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    }
    sqlite3_close(db);
    return rc;
}

static void plant_file(const char *path, const char *content, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(content, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* ---- open, reopen, migrations ---- */


static void test_create_and_reopen(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    char v[16];
    err_info e = {0};
    assert_int_equal(store_meta_get(s, "schema_version", v, sizeof v, &e), 0);
    assert_int_equal(atoi(v), STORE_SCHEMA_VERSION);
    assert_int_equal(store_next_index(s), 0);
    commit_entries(s, 1, 12);
    assert_int_equal(store_meta_set(s, "origin", "rekap.example/2024", &e), 0);
    store_close(s);

    s = open_ok(fx->path);
    assert_int_equal(store_next_index(s), 12);
    assert_int_equal(count_from(s, 0), 12);
    char origin[64];
    assert_int_equal(store_meta_get(s, "origin", origin, sizeof origin, &e), 0);
    assert_string_equal(origin, "rekap.example/2024");
    assert_int_equal(store_meta_get(s, "schema_version", v, sizeof v, &e), 0);
    assert_int_equal(atoi(v), STORE_SCHEMA_VERSION);
    store_close(s);
}

/* Number of schema objects, read on a raw connection. */
static int schema_objects(const char *path)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema", -1, &st, NULL),
                     SQLITE_OK);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    int n = sqlite3_column_int(st, 0);
    sqlite3_finalize(st);
    sqlite3_close(db);
    return n;
}

static void test_migrations_idempotent(void **state)
{
    fixture *fx = *state;
    plant_file(fx->path, "", 0); /* an empty file is an empty database: version 0 */
    store *s = open_ok(fx->path);
    commit_entries(s, 1, 3);
    store_close(s);
    int objects = schema_objects(fx->path);
    assert_true(objects >= 4); /* meta, officer, entry, their indexes and triggers */
    for (int i = 0; i < 3; i++) {
        s = open_ok(fx->path);
        assert_int_equal(store_next_index(s), 3);
        store_close(s);
        assert_int_equal(schema_objects(fx->path), objects);
    }
}

static void test_not_sqlite(void **state)
{
    fixture *fx = *state;
    static const char junk[] = "kode,nama\n32,Jawa Barat\n"
                               "this is a CSV file and certainly not an SQLite database....."
                               "...............................................................";
    plant_file(fx->path, junk, sizeof junk - 1);
    err_info e = {0};
    store *s = (store *)1;
    assert_int_equal(store_open(fx->path, &s, &e), ERR_IO);
    assert_string_equal(e.code, "STORE_OPEN");
    assert_string_equal(e.where, fx->path);
    assert_null(s);
    memset(&e, 0, sizeof e);
    assert_int_equal(store_open_readonly(fx->path, &s, &e), ERR_IO);
    assert_string_equal(e.code, "STORE_OPEN");

    /* The file is left as it was. */
    char *back = NULL;
    FILE *f = fopen(fx->path, "rb");
    assert_non_null(f);
    back = mem_calloc(1, sizeof junk);
    assert_int_equal(fread(back, 1, sizeof junk, f), sizeof junk - 1);
    fclose(f);
    assert_memory_equal(back, junk, sizeof junk - 1);
    free(back);
}

static void test_foreign_database(void **state)
{
    fixture *fx = *state;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(fx->path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, "CREATE TABLE t (x)", NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
    err_info e = {0};
    store *s = NULL;
    assert_int_equal(store_open(fx->path, &s, &e), ERR_IO);
    assert_string_equal(e.code, "STORE_OPEN");
    assert_null(s);
    assert_int_equal(schema_objects(fx->path), 1); /* nothing of ours was added */
}

static void test_readonly_needs_migrated(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    store *s = NULL;
    assert_int_equal(store_open_readonly(fx->path, &s, &e), ERR_IO); /* no file */
    assert_string_equal(e.code, "STORE_OPEN");
    assert_int_equal(access(fx->path, F_OK), -1);                    /* and none made */
    plant_file(fx->path, "", 0);
    assert_int_equal(store_open_readonly(fx->path, &s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_SCHEMA_OLDER");
    assert_null(s);
}

static void test_schema_newer(void **state)
{
    fixture *fx = *state;
    store_close(open_ok(fx->path));
    char sql[128];
    snprintf(sql, sizeof sql, "UPDATE meta SET value = '%d' WHERE key = 'schema_version'",
             STORE_SCHEMA_VERSION + 1);
    assert_int_equal(raw_exec(fx->path, sql), SQLITE_OK);
    err_info e = {0};
    store *s = NULL;
    assert_int_equal(store_open(fx->path, &s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_SCHEMA_NEWER");
    assert_null(s);
    memset(&e, 0, sizeof e);
    assert_int_equal(store_open_readonly(fx->path, &s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_SCHEMA_NEWER");

    /* A mangled version is not taken for any version. */
    assert_int_equal(raw_exec(fx->path, "UPDATE meta SET value = ' 1x' WHERE key = 'schema_version'"),
                     SQLITE_OK);
    assert_int_equal(store_open(fx->path, &s, &e), ERR_IO);
    assert_string_equal(e.code, "STORE_OPEN");
}

/* ---- batches ---- */

static void test_batch_read_back(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    enum { N = 300 };
    test_entry *all = mem_calloc(N, sizeof *all);
    unsigned sizes[] = {1, 120, 179};
    uint64_t idx = 0;
    for (unsigned b = 0; b < 3; b++) {
        begin_ok(s);
        for (unsigned i = 0; i < sizes[b]; i++, idx++) {
            /* Corrections: every third TPS gets versions 1..3 over time. */
            unsigned tps = (unsigned)(idx % 100);
            uint32_t version = (uint32_t)(idx / 100) + 1;
            make_entry(&all[idx], idx, tps, (contest_kind)(tps % CONTEST_KINDS), version,
                       (int)(idx % 3 != 0));
            add_ok(s, &all[idx]);
            assert_int_equal(store_next_index(s), idx + 1);
        }
        commit_ok(s);
    }
    assert_int_equal(idx, N);
    assert_int_equal(store_next_index(s), N);
    assert_int_equal(count_from(s, 0), N);
    assert_int_equal(count_from(s, 250), 50);
    assert_int_equal(count_from(s, N), 0);
    assert_int_equal(count_from(s, UINT64_MAX), 0);

    /* A non-zero return stops the walk and comes back. */
    walk w = {.expect_next = 10, .stop_after = 5};
    err_info e = {0};
    assert_int_equal(store_entries_each(s, 10, walk_fn, &w, &e), 7);
    assert_int_equal(w.count, 5);

    for (unsigned i = 0; i < N; i += 7)
        assert_true(entry_exists(s, &all[i]));
    store_entry got;
    assert_int_equal(store_entry_latest(s, all[42].en.tps, all[42].en.kind, &got, &e), 0);
    assert_same_entry(&got, &all[242].en); /* version 3 of TPS 42 */
    test_entry absent;
    make_entry(&absent, 0, 42, all[42].en.kind, 4, 1);
    assert_false(entry_exists(s, &absent));
    assert_int_equal(store_entry_latest(s, "9999", CONTEST_PPWP, &got, &e), ERR_NOTFOUND);
    assert_int_equal(store_entry_find(s, "", CONTEST_PPWP, 1, &got, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_ENTRY_INVALID");
    assert_int_equal(store_entry_find(s, "1", (contest_kind)9, 1, &got, &e), ERR_INVALID);
    free(all);
    store_close(s);
}

static void test_duplicate_rolls_back_batch(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    commit_entries(s, 1, 5);

    test_entry t[4];
    begin_ok(s);
    for (unsigned i = 0; i < 3; i++) {
        make_entry(&t[i], 5 + i, 100 + i, CONTEST_DPR, 1, 1);
        add_ok(s, &t[i]);
    }
    make_entry(&t[3], 8, 1, CONTEST_PPWP, 1, 1); /* the first entry committed above */
    add_refused(fx, s, &t[3].en, ERR_EXISTS, "STORE_DUPLICATE");
    err_info e = {0};
    assert_int_equal(store_next_index(s), 5);
    for (unsigned i = 0; i < 3; i++)
        assert_false(entry_exists(s, &t[i]));

    /* The batch is over: neither adds nor a commit pretend otherwise. */
    make_entry(&t[3], 5, 200, CONTEST_DPD, 1, 1);
    assert_int_equal(store_entry_add(s, &t[3].en, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_NO_BATCH");
    assert_int_equal(store_batch_commit(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_NO_BATCH");
    store_batch_rollback(s); /* harmless now */

    /* A duplicate inside one batch, and the store still takes new batches. */
    begin_ok(s);
    make_entry(&t[0], 5, 300, CONTEST_DPD, 1, 1);
    add_ok(s, &t[0]);
    t[1] = t[0];
    t[1].en.bytes = t[1].bytes;
    t[1].en.idx = 6;
    add_refused(fx, s, &t[1].en, ERR_EXISTS, "STORE_DUPLICATE");
    assert_int_equal(store_next_index(s), 5);
    assert_false(entry_exists(s, &t[0]));
    commit_entries(s, 400, 2);
    store_close(s);

    s = open_ok(fx->path);
    assert_int_equal(store_next_index(s), 7);
    assert_int_equal(count_from(s, 0), 7);
    store_close(s);
}

/* A refused add inside a batch, then `call` (a read or a meta write) on
 * the handle: SQLite's add fails itself; PostgreSQL's answers 0 (the row
 * waits in the pipeline) and the call fails instead. Either way with the
 * refused row's error, and the batch is rolled back. */
static int refused_then(const fixture *fx, store *s, const store_entry *en,
                        int (*call)(store *s, err_info *e), err_info *e)
{
    int rc = store_entry_add(s, en, e);
    if (pipelined(fx)) {
        assert_int_equal(rc, 0);
        rc = call(s, e);
    }
    assert_non_null(strstr(e->msg, en->tps));
    return rc;
}

static const char *const in_batch_tps = "3273011000010";

static int find_in_batch(store *s, err_info *e)
{
    store_entry got;
    return store_entry_find(s, in_batch_tps, CONTEST_DPR, 1, &got, e);
}

static int meta_in_batch(store *s, err_info *e)
{
    return store_meta_set(s, "tree_size", "lost", e);
}

static int walk_in_batch(store *s, err_info *e)
{
    walk w = {.expect_next = 0};
    return store_entries_each(s, 0, walk_fn, &w, e);
}

/* When a refused add is reported (store.h): by the add on SQLite; on
 * PostgreSQL by the next read or meta write in the batch, by the add that
 * makes STORE_PG_PIPELINE_MAX adds wait, or by the commit (add_refused).
 * The batch is then rolled back whole. A read inside a batch sees the
 * batch's own rows. */
static void test_refusal_reported_later(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    commit_entries(s, 1, 2); /* TPS 1 PPWP and TPS 2 DPR, version 1 */
    test_entry good, dup;
    make_entry(&good, 2, 10, CONTEST_DPR, 1, 1);
    assert_string_equal(good.en.tps, in_batch_tps);
    make_entry(&dup, 3, 1, CONTEST_PPWP, 1, 1);
    int (*const calls[])(store *, err_info *) = {find_in_batch, meta_in_batch, walk_in_batch};
    for (size_t c = 0; c < sizeof calls / sizeof *calls; c++) {
        begin_ok(s);
        add_ok(s, &good);
        assert_true(entry_exists(s, &good)); /* the batch's own row, before its commit */
        err_info e = {0};
        assert_int_equal(refused_then(fx, s, &dup.en, calls[c], &e), ERR_EXISTS);
        assert_string_equal(e.code, "STORE_DUPLICATE");
        assert_int_equal(store_next_index(s), 2);
        assert_int_equal(store_batch_commit(s, &e), ERR_INVALID);
        assert_string_equal(e.code, "STORE_NO_BATCH");
        assert_false(entry_exists(s, &good));
        char buf[8];
        assert_int_equal(store_meta_get(s, "tree_size", buf, sizeof buf, &e), ERR_NOTFOUND);
    }

    /* A full pipeline: the STORE_PG_PIPELINE_MAX-th add waiting reports
     * the refusal of the first. */
    begin_ok(s);
    dup.en.idx = 2;
    err_info e = {0};
    int rc = store_entry_add(s, &dup.en, &e);
    unsigned failed_at = 0;
    for (unsigned i = 1; rc == 0 && i < STORE_PG_PIPELINE_MAX + 5; i++) {
        test_entry t;
        make_entry(&t, 2 + i, 1000 + i, CONTEST_DPD, 1, 1);
        rc = store_entry_add(s, &t.en, &e);
        failed_at = i;
    }
    assert_int_equal(failed_at, pipelined(fx) ? STORE_PG_PIPELINE_MAX - 1 : 0);
    assert_int_equal(rc, ERR_EXISTS);
    assert_string_equal(e.code, "STORE_DUPLICATE");
    assert_non_null(strstr(e.msg, dup.en.tps));
    assert_int_equal(store_next_index(s), 2);
    assert_int_equal(count_from(s, 0), 2);

    /* Rolled back by the caller with adds still waiting: none of them stays,
     * and the next batch goes through. */
    begin_ok(s);
    add_ok(s, &good);
    store_batch_rollback(s);
    assert_int_equal(store_next_index(s), 2);
    assert_false(entry_exists(s, &good));
    commit_entries(s, 2000, 3);
    assert_int_equal(count_from(s, 0), 5);
    store_close(s);
}

static void test_index_gap(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    commit_entries(s, 1, 2);
    test_entry t;
    err_info e = {0};
    uint64_t wrong[] = {4, 2, 0, UINT64_MAX}; /* the next index is 3 */
    for (unsigned i = 0; i < sizeof wrong / sizeof *wrong; i++) {
        begin_ok(s);
        make_entry(&t, 2, 50, CONTEST_PPWP, 1, 1);
        add_ok(s, &t);
        make_entry(&t, wrong[i], 51, CONTEST_PPWP, 1, 1);
        assert_int_equal(store_entry_add(s, &t.en, &e), ERR_INVALID);
        assert_string_equal(e.code, "STORE_INDEX_GAP");
        assert_int_equal(store_next_index(s), 2);
    }
    assert_int_equal(count_from(s, 0), 2);
    store_close(s);
}

static void test_invalid_entries_and_batch_misuse(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    err_info e = {0};
    test_entry t;
    make_entry(&t, 0, 1, CONTEST_PPWP, 1, 1);
    assert_int_equal(store_entry_add(s, &t.en, &e), ERR_INVALID); /* no batch */
    assert_string_equal(e.code, "STORE_NO_BATCH");
    assert_int_equal(store_batch_commit(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_NO_BATCH");

    begin_ok(s);
    assert_int_equal(store_batch_begin(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_BATCH_OPEN");
    store_batch_rollback(s);

    static uint8_t big[ENTRY_MAX + 1];
    for (int c = 0; c < 7; c++) {
        begin_ok(s);
        test_entry good;
        make_entry(&good, 0, 9, CONTEST_DPR, 1, 1);
        add_ok(s, &good);
        make_entry(&t, 1, 10, CONTEST_DPR, 1, 1);
        int want = ERR_INVALID;
        const char *code = "STORE_ENTRY_INVALID";
        switch (c) {
        case 0: t.en.tps[0] = '\0'; break;
        case 1: memset(t.en.tps, '1', sizeof t.en.tps); break; /* no NUL */
        case 2: t.en.kind = (contest_kind)CONTEST_KINDS; break;
        case 3: t.en.version = 0; break;
        case 4: t.en.accepted = 2; break;
        case 5: t.en.bytes = NULL; break;
        case 6:
            t.en.bytes = big;
            t.en.len = sizeof big;
            want = ERR_LIMIT;
            code = "STORE_TOO_LONG";
            break;
        }
        assert_int_equal(store_entry_add(s, &t.en, &e), want);
        assert_string_equal(e.code, code);
        assert_int_equal(store_next_index(s), 0);
        assert_false(entry_exists(s, &good));
    }

    /* An entry of exactly ENTRY_MAX bytes fits. */
    begin_ok(s);
    make_entry(&t, 0, 11, CONTEST_DPD, 1, 0);
    memset(big, 'x', sizeof big);
    t.en.bytes = big;
    t.en.len = ENTRY_MAX;
    add_ok(s, &t);
    commit_ok(s);
    store_entry got;
    assert_int_equal(store_entry_find(s, t.en.tps, CONTEST_DPD, 1, &got, &e), 0);
    assert_int_equal(got.len, ENTRY_MAX);
    assert_memory_equal(got.bytes, big, ENTRY_MAX);

    /* Closing with an open batch rolls it back. */
    begin_ok(s);
    make_entry(&t, 1, 12, CONTEST_DPD, 1, 0);
    add_ok(s, &t);
    store_close(s);
    s = open_ok(fx->path);
    assert_int_equal(store_next_index(s), 1);
    assert_false(entry_exists(s, &t));
    store_close(s);
}

/* Three entries and one officer, for the append-only cases. */
static store *open_three_and_officer(const char *path)
{
    store *s = open_ok(path);
    commit_entries(s, 1, 3);
    store_officer o = {.role = STORE_ROLE_KPPS, .region = "3273011001001", .name = "Siti",
                       .enrolled_at = 1707000000};
    memset(o.pubkey, 0xab, sizeof o.pubkey);
    err_info e = {0};
    assert_int_equal(store_officer_add(s, &o, &e), 0);
    return s;
}

static void test_append_only(void **state)
{
    fixture *fx = *state;
    store *s = open_three_and_officer(fx->path);
    store_close(s);

    static const char *const forbidden[] = {
        "UPDATE entry SET accepted = 1 - accepted WHERE idx = 1",
        "UPDATE entry SET bytes = x'00' WHERE idx = 0",
        "DELETE FROM entry WHERE idx = 2",
        "DELETE FROM entry",
        "INSERT OR REPLACE INTO entry (idx, tps, contest, version, accepted, bytes)"
        " VALUES (0, '1', 0, 1, 1, x'01')",
        "UPDATE officer SET region = '11'",
        "DELETE FROM officer",
    };
    for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++)
        assert_int_equal(raw_exec(fx->path, forbidden[i]) & 0xff, SQLITE_CONSTRAINT);

    s = open_ok(fx->path);
    assert_int_equal(count_from(s, 0), 3);
    test_entry t;
    make_entry(&t, 0, 1, CONTEST_PPWP, 1, 0);
    assert_true(entry_exists(s, &t)); /* unchanged, bytes and all */
    store_close(s);
}

/* ---- officers and meta ---- */

typedef struct officer_list {
    store_officer o[8];
    int n;
    int stop_at;
} officer_list;

static int collect_officer(void *ctx, const store_officer *o)
{
    officer_list *l = ctx;
    assert_true(l->n < 8);
    l->o[l->n++] = *o;
    return l->n == l->stop_at ? -99 : 0;
}

static void test_officers(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    store_officer o[3];
    memset(o, 0, sizeof o);
    for (int i = 0; i < 3; i++) {
        memset(o[i].pubkey, 3 - i, sizeof o[i].pubkey); /* enrol in descending key order */
        o[i].role = i == 2 ? STORE_ROLE_RECAP : STORE_ROLE_KPPS;
        snprintf(o[i].region, sizeof o[i].region, i == 2 ? "3273" : "327301100100%d", i);
        snprintf(o[i].name, sizeof o[i].name, "Petugas %d \xc3\xa9", i);
        o[i].enrolled_at = 1707000000u + (uint64_t)i;
        err_info e = {0};
        assert_int_equal(store_officer_add(s, &o[i], &e), 0);
    }
    err_info e = {0};
    store_officer dup = o[1];
    strcpy(dup.region, "1101");
    assert_int_equal(store_officer_add(s, &dup, &e), ERR_EXISTS);
    assert_string_equal(e.code, "STORE_KEY_ENROLLED");

    store_officer bad = o[0];
    bad.pubkey[0] = 0x77;
    bad.role = (store_role)5;
    assert_int_equal(store_officer_add(s, &bad, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_OFFICER_INVALID");
    bad.role = STORE_ROLE_KPPS;
    bad.region[0] = '\0';
    assert_int_equal(store_officer_add(s, &bad, &e), ERR_INVALID);
    bad.region[0] = '3';
    memset(bad.name, 'n', sizeof bad.name);
    assert_int_equal(store_officer_add(s, &bad, &e), ERR_LIMIT);
    assert_string_equal(e.code, "STORE_TOO_LONG");
    store_close(s);

    s = open_reader(fx->path);
    officer_list l = {0};
    assert_int_equal(store_officers_each(s, collect_officer, &l, &e), 0);
    assert_int_equal(l.n, 3);
    for (int i = 0; i < 3; i++) {
        assert_memory_equal(l.o[i].pubkey, o[i].pubkey, 32);
        assert_int_equal(l.o[i].role, o[i].role);
        assert_string_equal(l.o[i].region, o[i].region);
        assert_string_equal(l.o[i].name, o[i].name);
        assert_int_equal(l.o[i].enrolled_at, o[i].enrolled_at);
    }
    officer_list stop = {.stop_at = 2};
    assert_int_equal(store_officers_each(s, collect_officer, &stop, &e), -99);
    assert_int_equal(stop.n, 2);
    assert_int_equal(store_officer_add(s, &bad, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_READONLY");
    store_close(s);
}

/* Officer number i: its key says i, so the enrolment order can be checked. */
static void make_officer(store_officer *o, uint32_t i)
{
    memset(o, 0, sizeof *o);
    memset(o->pubkey, 0x5a, sizeof o->pubkey);
    memcpy(o->pubkey, &i, sizeof i);
    o->role = STORE_ROLE_KPPS;
    snprintf(o->region, sizeof o->region, "3273011%06u", (unsigned)i);
    snprintf(o->name, sizeof o->name, "KPPS %u", (unsigned)i);
    o->enrolled_at = 1707000000u + i;
}

static int count_officers_fn(void *ctx, const store_officer *o)
{
    uint32_t *n = ctx, i;
    memcpy(&i, o->pubkey, sizeof i);
    assert_int_equal(i, *n); /* in enrolment order */
    store_officer want;
    make_officer(&want, i);
    assert_memory_equal(o, &want, sizeof want);
    (*n)++;
    return 0;
}

static uint32_t count_officers(store *s)
{
    uint32_t n = 0;
    err_info e = {0};
    assert_int_equal(store_officers_each(s, count_officers_fn, &n, &e), 0);
    return n;
}

/* Many officers in one batch (rekap enrol --csv, --generate), more than
 * one pipeline holds; a key enrolled twice ends the batch with
 * STORE_KEY_ENROLLED (at the add on SQLite, at the commit on PostgreSQL)
 * and none of the batch's officers is stored. */
static void test_officers_in_batch(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    enum { N = STORE_PG_PIPELINE_MAX * 2 + 10 };
    store_officer o;
    err_info e = {0};
    begin_ok(s);
    for (uint32_t i = 0; i < N; i++) {
        make_officer(&o, i);
        assert_int_equal(store_officer_add(s, &o, &e), 0);
    }
    commit_ok(s);
    assert_int_equal(count_officers(s), N);

    begin_ok(s);
    make_officer(&o, N);
    assert_int_equal(store_officer_add(s, &o, &e), 0);
    make_officer(&o, 5);
    int rc = store_officer_add(s, &o, &e);
    if (pipelined(fx)) {
        assert_int_equal(rc, 0);
        rc = store_batch_commit(s, &e);
    }
    assert_int_equal(rc, ERR_EXISTS);
    assert_string_equal(e.code, "STORE_KEY_ENROLLED");
    assert_int_equal(store_batch_commit(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_NO_BATCH");
    assert_int_equal(count_officers(s), N);
    store_close(s);
}

static void test_meta(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    err_info e = {0};
    char buf[32];
    assert_int_equal(store_meta_get(s, "election_sha256", buf, sizeof buf, &e), ERR_NOTFOUND);
    assert_string_equal(e.code, "STORE_NOT_FOUND");
    assert_int_equal(store_meta_set(s, "k", "first", &e), 0);
    assert_int_equal(store_meta_set(s, "k", "second", &e), 0);
    assert_int_equal(store_meta_get(s, "k", buf, sizeof buf, &e), 0);
    assert_string_equal(buf, "second");
    assert_int_equal(store_meta_get(s, "k", buf, 6, &e), ERR_LIMIT); /* "second" + NUL = 7 */
    assert_string_equal(e.code, "STORE_TOO_LONG");
    assert_int_equal(store_meta_get(s, "k", buf, 7, &e), 0);

    assert_int_equal(store_meta_set(s, "schema_version", "99", &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_META_RESERVED");
    assert_int_equal(store_meta_set(s, "", "x", &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_META_INVALID");
    char key[STORE_META_KEY_MAX + 2];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    assert_int_equal(store_meta_set(s, key, "x", &e), ERR_LIMIT);
    assert_int_equal(store_meta_get(s, key, buf, sizeof buf, &e), ERR_LIMIT);
    char *value = mem_calloc(1, STORE_META_VALUE_MAX + 2);
    memset(value, 'v', STORE_META_VALUE_MAX + 1);
    assert_int_equal(store_meta_set(s, "k", value, &e), ERR_LIMIT);
    value[STORE_META_VALUE_MAX] = '\0';
    assert_int_equal(store_meta_set(s, "k", value, &e), 0);
    free(value);

    /* Inside a batch, meta goes with the batch, and a bad meta write ends it. */
    begin_ok(s);
    assert_int_equal(store_meta_set(s, "k", "in batch", &e), 0);
    store_batch_rollback(s);
    char *back = mem_calloc(1, STORE_META_VALUE_MAX + 1);
    assert_int_equal(store_meta_get(s, "k", back, STORE_META_VALUE_MAX + 1, &e), 0);
    assert_int_equal(strlen(back), STORE_META_VALUE_MAX);
    free(back);
    begin_ok(s);
    test_entry t;
    make_entry(&t, 0, 1, CONTEST_PPWP, 1, 1);
    add_ok(s, &t);
    assert_int_equal(store_meta_set(s, "schema_version", "2", &e), ERR_INVALID);
    assert_int_equal(store_next_index(s), 0);
    assert_int_equal(store_batch_commit(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_NO_BATCH");
    store_close(s);
}

/* ---- readers beside the writer ---- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A store with `committed` entries and an open batch of n more (TPS
 * numbers from `tps`), for the cases about a batch before its commit. */
static store *open_with_pending(const char *path, unsigned committed, test_entry *pending,
                                unsigned n, unsigned tps)
{
    store *s = open_ok(path);
    commit_entries(s, 1, committed);
    begin_ok(s);
    for (unsigned i = 0; i < n; i++) {
        make_entry(&pending[i], committed + i, tps + i, CONTEST_DPRD_KAB, 1, 1);
        add_ok(s, &pending[i]);
    }
    return s;
}

static void test_reader_beside_open_batch(void **state)
{
    fixture *fx = *state;
    test_entry pending[10];
    store *w = open_with_pending(fx->path, 10, pending, 10, 500);
    err_info e = {0};
    assert_int_equal(store_meta_set(w, "tree_size", "20", &e), 0);

    double t0 = now_seconds();
    store *r = open_reader(fx->path);
    assert_int_equal(store_next_index(r), 10);
    assert_int_equal(count_from(r, 0), 10);
    assert_false(entry_exists(r, &pending[0]));
    char buf[8];
    assert_int_equal(store_meta_get(r, "tree_size", buf, sizeof buf, &e), ERR_NOTFOUND);
    assert_true(now_seconds() - t0 < 1.0); /* nothing waited on the writer's lock */
    assert_int_equal(store_batch_begin(r, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_READONLY");
    assert_int_equal(store_meta_set(r, "x", "y", &e), ERR_INVALID);

    commit_ok(w);
    assert_int_equal(store_next_index(r), 20);
    assert_int_equal(count_from(r, 0), 20);
    assert_true(entry_exists(r, &pending[9]));
    assert_int_equal(store_meta_get(r, "tree_size", buf, sizeof buf, &e), 0);
    assert_string_equal(buf, "20");
    store_close(r);
    store_close(w);
}

/* A second writer holding the write lock: the store waits its busy timeout
 * (seconds), then says so instead of hanging. */
static void test_second_writer_busy(void **state)
{
    fixture *fx = *state;
    store *s = open_ok(fx->path);
    sqlite3 *other = NULL;
    assert_int_equal(sqlite3_open(fx->path, &other), SQLITE_OK);
    assert_int_equal(sqlite3_exec(other, "BEGIN IMMEDIATE", NULL, NULL, NULL), SQLITE_OK);
    err_info e = {0};
    double t0 = now_seconds();
    assert_int_equal(store_batch_begin(s, &e), ERR_IO);
    assert_string_equal(e.code, "STORE_BUSY");
    assert_true(now_seconds() - t0 >= 1.0);
    sqlite3_exec(other, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(other);
    commit_entries(s, 1, 1); /* and works once the other is gone */
    assert_int_equal(store_next_index(s), 1);
    store_close(s);
}

/* ---- a full disk and a failing fsync, injected under SQLite ---- */

/* The wrapper VFS: the default one, with xWrite/xSync that fail on demand.
 * Files keep the real layout; only their method table is swapped for a
 * copy (one per distinct real table: database and WAL files differ). */
enum { METHOD_TABLES = 4 };
static sqlite3_vfs *real_vfs;
static sqlite3_io_methods faulty_methods[METHOD_TABLES];
static const sqlite3_io_methods *real_methods[METHOD_TABLES];
static int fail_writes, fail_syncs;

static const sqlite3_io_methods *real_of(sqlite3_file *f)
{
    return real_methods[f->pMethods - faulty_methods];
}

static int faulty_write(sqlite3_file *f, const void *p, int n, sqlite3_int64 off)
{
    return fail_writes ? SQLITE_FULL : real_of(f)->xWrite(f, p, n, off);
}

static int faulty_sync(sqlite3_file *f, int flags)
{
    return fail_syncs ? SQLITE_IOERR_FSYNC : real_of(f)->xSync(f, flags);
}

static int faulty_open(sqlite3_vfs *vfs, sqlite3_filename name, sqlite3_file *f, int flags,
                       int *out_flags)
{
    int rc = real_vfs->xOpen(real_vfs, name, f, flags, out_flags);
    if (rc != SQLITE_OK || !f->pMethods)
        return rc;
    int i = 0;
    while (i < METHOD_TABLES && real_methods[i] && real_methods[i] != f->pMethods)
        i++;
    assert_true(i < METHOD_TABLES);
    if (!real_methods[i]) {
        real_methods[i] = f->pMethods;
        faulty_methods[i] = *f->pMethods;
        faulty_methods[i].xWrite = faulty_write;
        faulty_methods[i].xSync = faulty_sync;
    }
    f->pMethods = &faulty_methods[i];
    return rc;
}

static sqlite3_vfs faulty_vfs;

static void faulty_install(void)
{
    real_vfs = sqlite3_vfs_find(NULL);
    assert_non_null(real_vfs);
    faulty_vfs = *real_vfs;
    faulty_vfs.zName = "rekap-faulty";
    faulty_vfs.pNext = NULL;
    faulty_vfs.xOpen = faulty_open;
    assert_int_equal(sqlite3_vfs_register(&faulty_vfs, 1), SQLITE_OK);
}

static void faulty_remove(void)
{
    sqlite3_vfs_unregister(&faulty_vfs);
    memset(real_methods, 0, sizeof real_methods);
    fail_writes = fail_syncs = 0;
}

/* A batch whose commit fails leaves the store exactly as before it, and
 * the next batch goes through once the disk is back. */
static void commit_fails_cleanly(store *s, int *flag, int want, const char *code)
{
    uint64_t before = store_next_index(s);
    begin_ok(s);
    test_entry t[50];
    for (unsigned i = 0; i < 50; i++) {
        make_entry(&t[i], before + i, 1000 + (unsigned)before + i, CONTEST_DPR, 1, 1);
        add_ok(s, &t[i]);
    }
    err_info e = {0};
    assert_int_equal(store_meta_set(s, "tree_size", "lost", &e), 0);
    *flag = 1;
    assert_int_equal(store_batch_commit(s, &e), want);
    *flag = 0;
    assert_string_equal(e.code, code);
    assert_int_equal(store_next_index(s), before);
    assert_int_equal(count_from(s, 0), before);
    assert_false(entry_exists(s, &t[0]));
    char buf[16];
    assert_int_equal(store_meta_get(s, "tree_size", buf, sizeof buf, &e), ERR_NOTFOUND);
    commit_entries(s, 5000 + (unsigned)before, 5);
    assert_int_equal(store_next_index(s), before + 5);
}

static void test_full_disk_and_fsync_failure(void **state)
{
    fixture *fx = *state;
    faulty_install();
    store *s = open_ok(fx->path);
    commit_entries(s, 1, 20);
    commit_fails_cleanly(s, &fail_writes, ERR_IO, "STORE_FULL");
    commit_fails_cleanly(s, &fail_syncs, ERR_IO, "STORE_IO");
    store_close(s);
    faulty_remove();

    s = open_ok(fx->path);
    assert_int_equal(store_next_index(s), 30);
    assert_int_equal(count_from(s, 0), 30);
    err_info e = {0};
    char buf[16];
    assert_int_equal(store_meta_get(s, "tree_size", buf, sizeof buf, &e), ERR_NOTFOUND);
    store_close(s);
}

/* ---- throughput ---- */

static void test_bench_batches(void **state)
{
    fixture *fx = *state;
    const char *env = getenv("REKAP_STORE_BENCH_ROWS");
    unsigned rows = env ? (unsigned)strtoul(env, NULL, 10) : 20000;
    enum { BATCH = 2000, PAYLOAD = 1024 };
    store *s = open_ok(fx->path);
    uint8_t *payload = mem_alloc(PAYLOAD);
    for (unsigned i = 0; i < PAYLOAD; i++)
        payload[i] = (uint8_t)(i * 31 + 7);
    double in_batch = 0, commits = 0;
    unsigned done = 0;
    while (done < rows) {
        double t0 = now_seconds();
        begin_ok(s);
        for (unsigned i = 0; i < BATCH && done < rows; i++, done++) {
            store_entry en = {.idx = done, .kind = (contest_kind)(done % CONTEST_KINDS),
                              .version = 1, .accepted = 1, .bytes = payload, .len = PAYLOAD};
            /* TPS codes in a scattered order, as submissions arrive. */
            snprintf(en.tps, sizeof en.tps, "%013u", (done / CONTEST_KINDS) * 2654435761u);
            err_info e = {0};
            assert_int_equal(store_entry_add(s, &en, &e), 0);
        }
        double t1 = now_seconds();
        commit_ok(s);
        in_batch += t1 - t0;
        commits += now_seconds() - t1;
    }
    printf("store bench: %u rows of %d bytes in batches of %d: %.0f rows/s inside batches,"
           " %.0f rows/s with commits (%.2f ms per commit)\n",
           rows, PAYLOAD, BATCH, rows / in_batch, rows / (in_batch + commits),
           1000 * commits / ((rows + BATCH - 1) / BATCH));
    assert_int_equal(store_next_index(s), rows);
    store_close(s);

    /* Reading it all back in log order, as a restart rebuilding the tally does. */
    s = open_reader(fx->path);
    double t0 = now_seconds();
    assert_int_equal(count_from(s, 0), rows);
    printf("store bench: read back %.0f rows/s\n", rows / (now_seconds() - t0));
    free(payload);
    store_close(s);
}

/* ---- PostgreSQL: a schema per case ---- */

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

/* Run sql on a raw libpq connection to uri; its SQLSTATE ("" on success). */
static void pg_raw(const char *uri, const char *sql, char state[6])
{
    PGconn *c = PQconnectdb(uri);
    if (PQstatus(c) != CONNECTION_OK)
        fail_msg("connect to %s: %s", getenv("REKAP_TEST_PG_URI"), PQerrorMessage(c));
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    const char *code = PQresultErrorField(r, PG_DIAG_SQLSTATE);
    snprintf(state, 6, "%s", st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK ? "" : code);
    PQclear(r);
    PQfinish(c);
}

static void pg_raw_ok(const char *uri, const char *sql)
{
    char state[6];
    pg_raw(uri, sql, state);
    if (state[0])
        fail_msg("%s: SQLSTATE %s", sql, state);
}

static int setup_pg(void **state)
{
    static unsigned serial;
    const char *base = getenv("REKAP_TEST_PG_URI");
    fixture *fx = mem_calloc(1, sizeof *fx);
    snprintf(fx->schema, sizeof fx->schema, "rekap_test_%ld_%u_%u", (long)getpid(),
             (unsigned)time(NULL), serial++);
    snprintf(fx->path, sizeof fx->path, "%s%coptions=-csearch_path%%3D%s", base,
             strchr(base, '?') ? '&' : '?', fx->schema);
    char sql[128];
    snprintf(sql, sizeof sql, "CREATE SCHEMA %s", fx->schema);
    pg_raw_ok(base, sql);
    *state = fx;
    return 0;
}

static int teardown_pg(void **state)
{
    fixture *fx = *state;
    char sql[128];
    snprintf(sql, sizeof sql, "DROP SCHEMA %s CASCADE", fx->schema);
    pg_raw_ok(getenv("REKAP_TEST_PG_URI"), sql);
    free(fx);
    return 0;
}

/* Neither rekap nor anyone else can change or remove a row: the triggers
 * refuse UPDATE, DELETE, TRUNCATE and an upsert's update, for the owner too. */
static void test_pg_append_only(void **state)
{
    fixture *fx = *state;
    store *s = open_three_and_officer(fx->path);
    static const char *const forbidden[] = {
        "UPDATE entry SET accepted = 1 - accepted WHERE idx = 1",
        "UPDATE entry SET bytes = '\\x00' WHERE idx = 0",
        "DELETE FROM entry WHERE idx = 2",
        "DELETE FROM entry",
        "TRUNCATE entry",
        "TRUNCATE entry, officer CASCADE",
        "INSERT INTO entry (idx, tps, contest, version, accepted, bytes)"
        " VALUES (0, '1', 0, 1, 1, '\\x01') ON CONFLICT (idx) DO UPDATE SET tps = '1'",
        "UPDATE officer SET region = '11'",
        "DELETE FROM officer",
        "TRUNCATE officer",
    };
    for (size_t i = 0; i < sizeof forbidden / sizeof *forbidden; i++) {
        char st[6];
        pg_raw(fx->path, forbidden[i], st);
        if (strcmp(st, "42501") != 0)
            fail_msg("%s: SQLSTATE '%s', want 42501 from the trigger", forbidden[i], st);
    }
    assert_int_equal(count_from(s, 0), 3);
    test_entry t;
    make_entry(&t, 0, 1, CONTEST_PPWP, 1, 0);
    assert_true(entry_exists(s, &t)); /* unchanged, bytes and all */
    store_close(s);
}

static void test_pg_schema_newer_and_foreign(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    store *s = NULL;
    /* A reader cannot migrate an empty schema. */
    assert_int_equal(store_open_readonly(fx->path, &s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_SCHEMA_OLDER");
    /* Another program's tables: refused, untouched. */
    pg_raw_ok(fx->path, "CREATE TABLE t (x int)");
    assert_int_equal(store_open(fx->path, &s, &e), ERR_IO);
    assert_string_equal(e.code, "STORE_OPEN");
    pg_raw_ok(fx->path, "DROP TABLE t");

    store_close(open_ok(fx->path));
    store_close(open_ok(fx->path)); /* an up-to-date schema runs no step */
    char sql[160];
    snprintf(sql, sizeof sql, "UPDATE meta SET value = '%d' WHERE key = 'schema_version'",
             STORE_SCHEMA_VERSION + 1);
    pg_raw_ok(fx->path, sql);
    assert_int_equal(store_open(fx->path, &s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_SCHEMA_NEWER");
    assert_int_equal(store_open_readonly(fx->path, &s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_SCHEMA_NEWER");
    pg_raw_ok(fx->path, "UPDATE meta SET value = ' 1x' WHERE key = 'schema_version'");
    assert_int_equal(store_open(fx->path, &s, &e), ERR_IO);
    assert_string_equal(e.code, "STORE_OPEN");
}

/* An unreachable server is STORE_IO, and no message shows the password. */
static void test_pg_unreachable(void **state)
{
    (void)state;
    err_info e = {0};
    store *s = NULL;
    assert_int_equal(store_open("postgresql://rekap:s3cret@127.0.0.1:1/x?connect_timeout=2",
                                &s, &e), ERR_IO);
    assert_null(s);
    assert_string_equal(e.code, "STORE_IO");
    assert_null(strstr(e.where, "s3cret"));
    assert_null(strstr(e.msg, "s3cret"));
    assert_string_equal(e.where, "postgresql://rekap:***@127.0.0.1:1/x?connect_timeout=2");
    assert_int_equal(store_open_readonly("postgres://u@h.invalid/x?password=s3cret&sslmode=disable",
                                         &s, &e), ERR_IO);
    assert_string_equal(e.where, "postgres://u@h.invalid/x?password=***&sslmode=disable");
}

/* A second writer waits for the first one's batch, then gets STORE_BUSY
 * after the lock timeout (5 s) instead of interleaving log indices. */
static void test_pg_second_writer_busy(void **state)
{
    fixture *fx = *state;
    store *a = open_ok(fx->path), *b = open_ok(fx->path);
    commit_entries(a, 1, 2);
    begin_ok(a);
    err_info e = {0};
    double t0 = now_seconds();
    assert_int_equal(store_batch_begin(b, &e), ERR_IO);
    assert_string_equal(e.code, "STORE_BUSY");
    assert_true(now_seconds() - t0 >= 4.5);
    store_batch_rollback(a);
    begin_ok(b);
    assert_int_equal(store_next_index(b), 2);
    commit_ok(b);
    store_close(a);
    store_close(b);
}

/* The server ends the writer's connection while adds wait in the
 * pipeline: the commit fails with STORE_IO (it does not hang), the batch
 * is closed, and none of it is stored. */
static void test_pg_connection_lost(void **state)
{
    fixture *fx = *state;
    test_entry t[10];
    store *s = open_with_pending(fx->path, 2, t, 10, 100);
    /* The writer: the one holding this schema's writer lock (store_pg.c). */
    pg_raw_ok(fx->path, "SELECT pg_terminate_backend(pid, 5000) FROM pg_locks"
                        " WHERE locktype = 'advisory' AND granted"
                        " AND objid = to_regclass('entry')::oid");
    err_info e = {0};
    assert_int_equal(store_batch_commit(s, &e), ERR_IO);
    assert_string_equal(e.code, "STORE_IO");
    assert_int_equal(store_next_index(s), 2);
    assert_int_equal(store_batch_commit(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "STORE_NO_BATCH");
    store_close(s);
    s = open_ok(fx->path);
    assert_int_equal(count_from(s, 0), 2);
    assert_false(entry_exists(s, &t[0]));
    store_close(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_create_and_reopen, setup, teardown),
        cmocka_unit_test_setup_teardown(test_migrations_idempotent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_not_sqlite, setup, teardown),
        cmocka_unit_test_setup_teardown(test_foreign_database, setup, teardown),
        cmocka_unit_test_setup_teardown(test_readonly_needs_migrated, setup, teardown),
        cmocka_unit_test_setup_teardown(test_schema_newer, setup, teardown),
        cmocka_unit_test_setup_teardown(test_batch_read_back, setup, teardown),
        cmocka_unit_test_setup_teardown(test_duplicate_rolls_back_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusal_reported_later, setup, teardown),
        cmocka_unit_test_setup_teardown(test_index_gap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_entries_and_batch_misuse, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_officers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_officers_in_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_meta, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reader_beside_open_batch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_writer_busy, setup, teardown),
        cmocka_unit_test_setup_teardown(test_full_disk_and_fsync_failure, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bench_batches, setup, teardown),
    };
    int failed = cmocka_run_group_tests_name("store: SQLite", tests, NULL, NULL);
    if (!getenv("REKAP_TEST_PG_URI")) {
        printf("store: PostgreSQL cases skipped: REKAP_TEST_PG_URI is not set"
               " (tests/pg starts a server and prints one)\n");
        return failed;
    }
    const struct CMUnitTest pg_tests[] = {
        cmocka_unit_test_setup_teardown(test_create_and_reopen, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_pg_schema_newer_and_foreign, setup_pg, teardown_pg),
        cmocka_unit_test(test_pg_unreachable),
        cmocka_unit_test_setup_teardown(test_batch_read_back, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_duplicate_rolls_back_batch, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_refusal_reported_later, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_index_gap, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_invalid_entries_and_batch_misuse, setup_pg,
                                        teardown_pg),
        cmocka_unit_test_setup_teardown(test_pg_append_only, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_officers, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_officers_in_batch, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_meta, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_reader_beside_open_batch, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_pg_second_writer_busy, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_pg_connection_lost, setup_pg, teardown_pg),
        cmocka_unit_test_setup_teardown(test_bench_batches, setup_pg, teardown_pg),
    };
    return failed + cmocka_run_group_tests_name("store: PostgreSQL", pg_tests, NULL, NULL);
}
