/* Tests of edir, the read side of an election directory: a directory made
 * with the ingest API (a real generated province, Kalimantan Utara), read
 * back from its signed log alone. The same tally as the writer had,
 * corrections counted once, rejected entries not counted; the refusals
 * (no directory, no checkpoint, an edited election.json, a store row that
 * is not the log's entry); and that reading writes nothing: the log's
 * files byte for byte and the directory's listing (names, sizes, mtimes)
 * are the same after an open and a close. Then the pool of read-only
 * store connections (reuse, its bound, concurrent takers) and a version
 * read by a reader who knows which one it wants. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "core/keys.h"
#include "core/mem.h"
#include "edir/edir.h"
#include "ingest/ingest.h"
#include "io/file.h"
#include "testutil.h"

/* At rest (no writer has the store open) SQLite, under store_open_readonly,
 * creates rekap.db-wal and rekap.db-shm and leaves them (src/store decides
 * how the store is opened, not edir). Set to 1 once a read-only open
 * creates nothing, so the listing at rest is compared whole. */
#define EDIR_TEST_STRICT_AT_REST 0

#define NFIRST 30 /* TPS 0..NFIRST-1 submit version 1, accepted */
#define TPS_REJ NFIRST /* TPS whose version 1 is rejected, version 2 accepted */
#define NKEYS (NFIRST + 1)

typedef struct fixture {
    char dir[256], eldir[300];
    election *el;
    form *forms;       /* the true PPWP forms, one per TPS */
    size_t nforms;
    form counted[NKEYS]; /* what each TPS has counted in the end */
    uint8_t (*pk)[32], (*sk)[64];
    ingest *in;        /* the writer, live until test_at_rest closes it */
} fixture;

/* Sign form f (version, reason) with TPS key `key` and submit it. */
static void submit(fixture *fx, const form *f, uint32_t version, const char *reason, size_t key,
                   ingest_status want)
{
    submission *s = mem_calloc(1, sizeof *s);
    memcpy(&s->form, f, sizeof *f);
    s->version = version;
    if (reason)
        snprintf(s->reason, sizeof s->reason, "%s", reason);
    char *buf = mem_alloc(ENTRY_MAX + 1);
    size_t n = submission_encode(s, buf, ENTRY_MAX + 1);
    uint8_t sig[64];
    entry_sign(buf, n, fx->sk[key], sig);
    ingest_result r;
    ingest_submit(fx->in, buf, n, fx->pk[key], sig, &r);
    if (r.status != want)
        fail_msg("%s v%u: status %d, wanted %d (%s %s)", f->tps, version, r.status, want,
                 r.err.code ? r.err.code : "", r.codes);
    free(buf);
    free(s);
}

/* Move d votes (at most what `from` has) from one pair to another. */
static form shifted(const form *f, unsigned from, unsigned to, unsigned d)
{
    form g = *f;
    if (d > g.votes[from])
        d = g.votes[from];
    g.votes[from] -= d;
    g.votes[to] += d;
    return g;
}

static uint64_t checkpoint_size(const fixture *fx)
{
    char path[400], *buf = NULL;
    size_t len = 0;
    snprintf(path, sizeof path, "%s/%s", fx->eldir, EDIR_CHECKPOINT);
    if (file_read_all(path, 1 << 20, &buf, &len, NULL) < 0)
        return UINT64_MAX;
    const char *nl = strchr(buf, '\n');
    uint64_t n = nl ? strtoull(nl + 1, NULL, 10) : UINT64_MAX;
    free(buf);
    return n;
}

/* The log holds NFIRST + 5 entries, 2 of them rejected:
 *   0..29  TPS 0..29 version 1, accepted
 *   30, 31 TPS 0 versions 2 and 3, accepted corrections
 *   32, 33 TPS 30 version 1 rejected (VOTES_SUM), version 2 accepted
 *   34     TPS 1 version 2 rejected: version 1 stays counted */
static void fill(fixture *fx)
{
    for (size_t i = 0; i < NFIRST; i++) {
        submit(fx, &fx->forms[i], 1, NULL, i, INGEST_ACCEPTED);
        fx->counted[i] = fx->forms[i];
    }
    form v2 = shifted(&fx->forms[0], 1, 0, 5), v3 = shifted(&v2, 2, 0, 3);
    submit(fx, &v2, 2, "salah hitung", 0, INGEST_ACCEPTED);
    submit(fx, &v3, 3, "salah hitung lagi", 0, INGEST_ACCEPTED);
    fx->counted[0] = v3;
    form bad = fx->forms[TPS_REJ];
    bad.votes[0] += 500;
    submit(fx, &bad, 1, NULL, TPS_REJ, INGEST_REJECTED);
    submit(fx, &fx->forms[TPS_REJ], 2, "angka salah baca", TPS_REJ, INGEST_ACCEPTED);
    fx->counted[TPS_REJ] = fx->forms[TPS_REJ];
    bad = fx->forms[1];
    bad.votes[0] += 500;
    submit(fx, &bad, 2, "koreksi", 1, INGEST_REJECTED);
    /* the writer publishes when its queue runs dry, just after answering;
     * its state says so only once the publication (pruning included) is
     * over, so the directory is still while the test compares listings */
    ingest_log_state ls = {0};
    for (int i = 0; i < 1000; i++, usleep(10000)) {
        ingest_log_state_get(fx->in, &ls);
        if (ls.published == NFIRST + 5)
            break;
    }
    assert_int_equal(ls.published, NFIRST + 5);
    assert_int_equal(checkpoint_size(fx), NFIRST + 5);
}

static void make_election(fixture *fx, char *path)
{
    fx->el = test_province("65", 5, 1u << CONTEST_PPWP, &fx->forms, &fx->nforms);
    snprintf(path, 300, "%s/election.json", fx->dir);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    assert_int_equal(election_write(fx->el, f), 0);
    fclose(f);
    assert_true(fx->nforms > NKEYS);
}

static int setup(void **state)
{
    keys_init();
    fixture *fx = mem_calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rekap-test-edir-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->eldir, sizeof fx->eldir, "%s/el", fx->dir);
    char path[300];
    make_election(fx, path);
    err_info e = {0};
    assert_int_equal(ingest_init(fx->eldir, REKAP_DATA_DIR, path, "example.org/edir", &e), 0);
    ingest_config cfg = {.dir = fx->eldir, .data_dir = REKAP_DATA_DIR, .publish_interval_ms = 1};
    if (ingest_open(&cfg, &fx->in, &e) < 0)
        fail_msg("ingest_open: %s %s %s", e.code, e.where, e.msg);
    fx->pk = mem_alloc(NKEYS * sizeof *fx->pk);
    fx->sk = mem_alloc(NKEYS * sizeof *fx->sk);
    ingest_officer req[NKEYS];
    for (size_t i = 0; i < NKEYS; i++) {
        keys_generate(fx->pk[i], fx->sk[i]);
        req[i] = (ingest_officer){.role = STORE_ROLE_KPPS, .name = "KPPS",
                                  .region = election_tps_region(fx->el, (uint32_t)i)->code};
        memcpy(req[i].pubkey, fx->pk[i], 32);
    }
    assert_int_equal(ingest_enrol_many(fx->in, req, NKEYS, &e), 0);
    fill(fx);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ingest_close(fx->in);
    test_remove_tree(fx->dir);
    election_free(fx->el);
    free(fx->forms);
    free(fx->pk);
    free(fx->sk);
    free(fx);
    return 0;
}

/* ------------------------------------------------------------ listings */

/* Every file and directory under a root, one line each, sorted:
 * "path mode size mtime sha256" (the digest for the log's files). SQLite's
 * rekap.db-shm is its shared-memory index, which every reader of a WAL
 * database writes into (its read marks): name and size only. */
typedef struct listing {
    char **line;
    size_t n, cap;
} listing;

static void sha_file(const char *path, char hex[65])
{
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(file_read_all(path, 1 << 30, &buf, &len, NULL), 0);
    uint8_t sha[32];
    crypto_hash_sha256(sha, (const uint8_t *)buf, len);
    sodium_bin2hex(hex, 65, sha, sizeof sha);
    free(buf);
}

static void list_walk(listing *l, const char *root, const char *rel)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", root, rel);
    DIR *d = opendir(path);
    assert_non_null(d);
    for (struct dirent *de; (de = readdir(d));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[512], full[1600], digest[65] = "-", line[2048];
        snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
        snprintf(full, sizeof full, "%s/%s", root, sub);
        struct stat sb;
        assert_int_equal(lstat(full, &sb), 0);
        if (S_ISREG(sb.st_mode) && !strncmp(sub, EDIR_LOG "/", strlen(EDIR_LOG) + 1))
            sha_file(full, digest);
        if (!strcmp(sub, EDIR_STORE "-shm"))
            sb.st_mtim = (struct timespec){0};
        snprintf(line, sizeof line, "%s %o %lld %lld.%09ld %s", sub, (unsigned)sb.st_mode,
                 (long long)sb.st_size, (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec, digest);
        mem_grow((void **)&l->line, &l->cap, l->n + 1, sizeof *l->line);
        l->line[l->n++] = mem_strdup(line);
        if (S_ISDIR(sb.st_mode))
            list_walk(l, root, sub);
    }
    closedir(d);
}

static int line_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static listing list_dir(const char *root)
{
    listing l = {0};
    list_walk(&l, root, "");
    qsort(l.line, l.n, sizeof *l.line, line_cmp);
    return l;
}

/* Leave out the entries whose path is `name`. */
static void list_drop(listing *l, const char *name)
{
    size_t k = 0, n = strlen(name);
    for (size_t i = 0; i < l->n; i++) {
        if (!strncmp(l->line[i], name, n) && l->line[i][n] == ' ')
            free(l->line[i]);
        else
            l->line[k++] = l->line[i];
    }
    l->n = k;
}

static void list_free(listing *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->line[i]);
    free(l->line);
}

static void assert_same_listing(listing *a, listing *b)
{
    for (size_t i = 0; i < a->n || i < b->n; i++)
        if (i >= a->n || i >= b->n || strcmp(a->line[i], b->line[i]))
            fail_msg("the directory changed: before \"%s\", after \"%s\"",
                     i < a->n ? a->line[i] : "(nothing)", i < b->n ? b->line[i] : "(nothing)");
    list_free(a);
    list_free(b);
}

/* ------------------------------------------------------------ tallies */

static void assert_same_row(const tally_row *a, const tally_row *b)
{
    assert_int_equal(a->tps_expected, b->tps_expected);
    assert_int_equal(a->tps_counted, b->tps_counted);
    assert_int_equal(a->tps_flagged, b->tps_flagged);
    assert_int_equal(a->dpt, b->dpt);
    assert_int_equal(a->voters, b->voters);
    assert_int_equal(a->valid, b->valid);
    assert_int_equal(a->invalid, b->invalid);
    assert_int_equal(a->total, b->total);
}

/* Every row, selection, district count and per-TPS mark (not the revs,
 * which count moves, not totals). */
static void assert_same_tally(const tally *a, const tally *b)
{
    assert_int_equal(a->nregion, b->nregion);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        assert_int_equal(a->width[k], b->width[k]);
        for (uint32_t r = 0; r < a->nregion; r++)
            assert_same_row(&a->row[k][r], &b->row[k][r]);
        assert_memory_equal(a->sel[k], b->sel[k],
                            (size_t)a->nregion * a->width[k] * sizeof(uint64_t));
        uint32_t nd = a->el->ndistrict[k];
        assert_int_equal(nd, b->el->ndistrict[k]);
        assert_memory_equal(a->dist_off[k], b->dist_off[k], (nd + 1) * sizeof(uint32_t));
        if (a->dist_off[k][nd])
            assert_memory_equal(a->dist[k], b->dist[k], a->dist_off[k][nd] * sizeof(uint64_t));
        assert_memory_equal(a->tps_counted[k], b->tps_counted[k], a->el->ntps);
        assert_memory_equal(a->tps_flagged[k], b->tps_flagged[k], a->el->ntps);
    }
}

static edir *open_ok(const char *dir)
{
    edir *d = NULL;
    err_info e = {0};
    if (edir_open_readonly(dir, REKAP_DATA_DIR, &d, &e) < 0)
        fail_msg("edir_open_readonly: %s %s %s", e.code, e.where, e.msg);
    return d;
}

/* ------------------------------------------------------------ tests */

/* With the writer live and idle: the same tally as the writer's, and not a
 * byte of the directory changed. */
static void test_same_tally_as_writer(void **state)
{
    fixture *fx = *state;
    assert_non_null(fx->in);
    listing before = list_dir(fx->eldir);
    edir *d = open_ok(fx->eldir);
    ingest_read_lock(fx->in);
    assert_same_tally(ingest_tally(fx->in), edir_tally(d));
    ingest_read_unlock(fx->in);
    assert_int_equal(edir_log_size(d), NFIRST + 5);
    edir_close(d);
    listing after = list_dir(fx->eldir);
    assert_same_listing(&before, &after);
}

/* Corrections replace the counted version once; rejected entries are read
 * and never counted. */
static void test_corrections_and_rejections(void **state)
{
    fixture *fx = *state;
    edir *d = open_ok(fx->eldir);
    const edir_stats *st = edir_stats_of(d);
    assert_int_equal(st->read, NFIRST + 5);
    assert_int_equal(st->accepted, NFIRST + 3);
    assert_int_equal(st->rejected, 2);
    const tally *t = edir_tally(d);
    assert_int_equal(tally_region(t, CONTEST_PPWP, 0)->tps_counted, NKEYS);
    uint64_t want[3] = {0};
    for (size_t i = 0; i < NKEYS; i++)
        for (unsigned p = 0; p < 3; p++)
            want[p] += fx->counted[i].votes[p];
    for (unsigned p = 0; p < 3; p++)
        assert_int_equal(tally_region_sel(t, CONTEST_PPWP, 0)[p], want[p]);

    edir_versions v;
    edir_versions_of(d, 0, CONTEST_PPWP, &v);
    assert_true(v.latest == 3 && v.counted == 3 && v.index == NFIRST + 1);
    edir_versions_of(d, 1, CONTEST_PPWP, &v); /* its correction was rejected */
    assert_true(v.latest == 2 && v.counted == 1 && v.index == 1);
    edir_versions_of(d, TPS_REJ, CONTEST_PPWP, &v);
    assert_true(v.latest == 2 && v.counted == 2 && v.index == NFIRST + 3);
    edir_versions_of(d, NKEYS, CONTEST_PPWP, &v);
    assert_true(v.latest == 0 && v.counted == 0);

    entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    assert_int_equal(edir_counted_entry(d, 0, CONTEST_PPWP, en, &e), 0);
    assert_int_equal(en->sub.version, 3);
    assert_memory_equal(en->sub.form.votes, fx->counted[0].votes, 3 * sizeof en->sub.form.votes[0]);
    assert_int_equal(edir_counted_entry(d, NKEYS, CONTEST_PPWP, en, &e), ERR_NOTFOUND);
    assert_string_equal(e.code, "EDIR_NOT_COUNTED");
    free(en);
    edir_close(d);
}

/* With nobody writing: the log's files byte for byte, and nothing created
 * but what SQLite makes under store_open_readonly (see the switch above). */
static void test_at_rest_writes_nothing(void **state)
{
    fixture *fx = *state;
    ingest_close(fx->in);
    fx->in = NULL;
    listing before = list_dir(fx->eldir);
    edir_close(open_ok(fx->eldir));
    listing after = list_dir(fx->eldir);
    if (!EDIR_TEST_STRICT_AT_REST) {
        list_drop(&after, EDIR_STORE "-wal");
        list_drop(&after, EDIR_STORE "-shm");
    }
    assert_same_listing(&before, &after);
}

/* A copy of the (closed) directory at `name` beside it, to break. */
static void copy_dir(fixture *fx, const char *name, char *out)
{
    ingest_close(fx->in);
    fx->in = NULL;
    snprintf(out, 400, "%s/%s", fx->dir, name);
    char cmd[1400]; /* out and eldir hold at most 400 and 300 bytes */
    snprintf(cmd, sizeof cmd, "rm -rf '%s' && cp -a '%s' '%s'", out, fx->eldir, out);
    assert_int_equal(system(cmd), 0);
}

/* The open fails with rc and code, and e->where names `where` (or NULL). */
static void expect_refusal(const char *dir, int rc, const char *code, const char *where)
{
    edir *d = (edir *)1;
    err_info e = {0};
    assert_int_equal(edir_open_readonly(dir, REKAP_DATA_DIR, &d, &e), rc);
    assert_null(d);
    assert_non_null(e.code);
    if (strcmp(e.code, code) || (where && !strstr(e.where, where)))
        fail_msg("wanted %s at %s, got %s %s %s", code, where ? where : "", e.code, e.where,
                 e.msg);
}

static void test_missing_directory(void **state)
{
    fixture *fx = *state;
    char dir[400];
    snprintf(dir, sizeof dir, "%s/none", fx->dir);
    expect_refusal(dir, ERR_NOTFOUND, "EDIR_DIR", dir);
}

static void test_missing_checkpoint(void **state)
{
    char dir[400], path[500];
    copy_dir(*state, "nocp", dir);
    snprintf(path, sizeof path, "%s/%s", dir, EDIR_CHECKPOINT);
    assert_int_equal(unlink(path), 0);
    expect_refusal(dir, ERR_INVALID, "TLOG_CORRUPT", EDIR_CHECKPOINT);
}

static void test_election_changed(void **state)
{
    char dir[400], path[500];
    copy_dir(*state, "edited", dir);
    snprintf(path, sizeof path, "%s/%s", dir, EDIR_ELECTION);
    FILE *f = fopen(path, "a");
    assert_non_null(f);
    fputc('\n', f); /* the same definition to JSON, not the same bytes */
    fclose(f);
    expect_refusal(dir, ERR_INVALID, "INGEST_ELECTION_CHANGED", EDIR_ELECTION);
}

/* Replace the store row of (tps, ppwp, version) by one whose bytes differ
 * from the log's entry in the received time only: it still parses. */
static void store_forge_row(const char *db, const char *tps, int version)
{
    sqlite3 *h;
    sqlite3_stmt *st;
    assert_int_equal(sqlite3_open(db, &h), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "SELECT idx, bytes FROM entry WHERE tps = ?1 AND"
                                           " contest = ?2 AND version = ?3", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_text(st, 1, tps, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, CONTEST_PPWP);
    sqlite3_bind_int(st, 3, version);
    assert_int_equal(sqlite3_step(st), SQLITE_ROW);
    sqlite3_int64 idx = sqlite3_column_int64(st, 0);
    int len = sqlite3_column_bytes(st, 1);
    char *bytes = mem_alloc((size_t)len + 1);
    memcpy(bytes, sqlite3_column_blob(st, 1), (size_t)len);
    bytes[len] = '\0';
    sqlite3_finalize(st);
    char *rec = strstr(bytes, "\nreceived ");
    assert_non_null(rec);
    char *last = strchr(rec + 1, '\n') - 1;
    *last = *last == '9' ? '8' : (char)(*last + 1);
    assert_int_equal(sqlite3_exec(h, "DROP TRIGGER entry_no_delete", NULL, NULL, NULL), SQLITE_OK);
    char sql[200];
    snprintf(sql, sizeof sql, "DELETE FROM entry WHERE idx = %lld", (long long)idx);
    assert_int_equal(sqlite3_exec(h, sql, NULL, NULL, NULL), SQLITE_OK);
    assert_int_equal(sqlite3_prepare_v2(h, "INSERT INTO entry (idx, tps, contest, version, accepted,"
                                           " bytes) VALUES (?1, ?2, ?3, ?4, 1, ?5)", -1, &st, NULL),
                     SQLITE_OK);
    sqlite3_bind_int64(st, 1, idx);
    sqlite3_bind_text(st, 2, tps, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 3, CONTEST_PPWP);
    sqlite3_bind_int(st, 4, version);
    sqlite3_bind_blob(st, 5, bytes, len, SQLITE_STATIC);
    assert_int_equal(sqlite3_step(st), SQLITE_DONE);
    sqlite3_finalize(st);
    assert_int_equal(sqlite3_close(h), SQLITE_OK);
    free(bytes);
}

/* The version a correction replaces is read from the store: a row whose
 * bytes are not the log's entry is refused, never counted. */
static void test_store_row_not_logged(void **state)
{
    fixture *fx = *state;
    char dir[400], db[500];
    copy_dir(fx, "forged", dir);
    snprintf(db, sizeof db, "%s/%s", dir, EDIR_STORE);
    const char *tps = election_tps_region(fx->el, 0)->code;
    store_forge_row(db, tps, 2);
    expect_refusal(dir, ERR_INVALID, "INGEST_STORE_NOT_LOGGED", tps);
}

/* ------------------------------------------------------------ the pool */

static store *pool_take_ok(edir_pool *p)
{
    store *st = NULL;
    err_info e = {0};
    if (edir_pool_take(p, &st, &e) < 0)
        fail_msg("edir_pool_take: %s %s %s", e.code, e.where, e.msg);
    assert_non_null(st);
    return st;
}

/* TPS 0's latest PPWP version through st: 3 (fill). */
static uint32_t latest_of_tps0(fixture *fx, store *st)
{
    store_entry se;
    err_info e = {0};
    if (store_entry_latest(st, election_tps_region(fx->el, 0)->code, CONTEST_PPWP, &se, &e) < 0)
        return 0;
    return se.version;
}

/* Taken connections work and belong to their taker; one given back is
 * taken again; past max, ERR_LIMIT until one is given back; a connection
 * that cannot be opened takes no place. */
static void test_pool_take_give(void **state)
{
    fixture *fx = *state;
    edir_pool *p = NULL;
    err_info e = {0};
    assert_int_equal(edir_pool_new(fx->eldir, 2, &p, &e), 0);
    store *a = pool_take_ok(p);
    assert_int_equal(latest_of_tps0(fx, a), 3);
    edir_pool_give(p, a);
    assert_ptr_equal(pool_take_ok(p), a); /* reused, not opened again */
    store *b = pool_take_ok(p);
    assert_ptr_not_equal(a, b);
    assert_int_equal(latest_of_tps0(fx, b), 3);
    store *c = (store *)1;
    assert_int_equal(edir_pool_take(p, &c, &e), ERR_LIMIT);
    assert_string_equal(e.code, "EDIR_POOL");
    assert_null(c);
    edir_pool_give(p, b);
    assert_ptr_equal(pool_take_ok(p), b);
    edir_pool_give(p, b);
    edir_pool_give(p, a);
    edir_pool_free(p);

    char dir[400];
    snprintf(dir, sizeof dir, "%s/none", fx->dir);
    assert_int_equal(edir_pool_new(dir, 1, &p, &e), 0);
    for (int i = 0; i < 2; i++) { /* the failed open gave its place back */
        memset(&e, 0, sizeof e);
        assert_true(edir_pool_take(p, &c, &e) < 0);
        assert_string_equal(e.code, "STORE_OPEN");
    }
    edir_pool_free(p);
    char longdir[EDIR_PATH_MAX + 1];
    memset(longdir, 'a', EDIR_PATH_MAX);
    longdir[EDIR_PATH_MAX] = '\0';
    assert_int_equal(edir_pool_new(longdir, 1, &p, &e), ERR_LIMIT);
    assert_string_equal(e.code, "EDIR_PATH");
    assert_null(p);
}

#define POOL_MAX 3
#define POOL_ROUNDS 200

/* Takers on threads: which connections are out now, and what went wrong
 * (checked on the main thread: cmocka asserts only there). */
typedef struct pool_race {
    fixture *fx;
    edir_pool *p;
    pthread_mutex_t lock;
    store *out[2 * POOL_MAX];    /* taken now, one place per thread */
    store *seen[2 * POOL_MAX];   /* every connection ever handed out */
    unsigned nseen, taken, full, wrong;
} pool_race;

/* Note st as taken by thread t: wrong when another thread holds it. */
static void race_note(pool_race *r, unsigned t, store *st)
{
    pthread_mutex_lock(&r->lock);
    for (unsigned i = 0; i < 2 * POOL_MAX; i++)
        r->wrong += r->out[i] == st;
    r->out[t] = st;
    unsigned i = 0;
    while (i < r->nseen && r->seen[i] != st)
        i++;
    if (i == r->nseen && r->nseen < 2 * POOL_MAX)
        r->seen[r->nseen++] = st;
    r->taken++;
    pthread_mutex_unlock(&r->lock);
}

typedef struct pool_taker {
    pool_race *r;
    unsigned t;
} pool_taker;

static void *race_main(void *arg)
{
    pool_taker *k = arg;
    pool_race *r = k->r;
    for (int i = 0; i < POOL_ROUNDS; i++) {
        store *st = NULL;
        err_info e = {0};
        if (edir_pool_take(r->p, &st, &e) < 0) {
            pthread_mutex_lock(&r->lock);
            if (strcmp(e.code, "EDIR_POOL") == 0)
                r->full++;
            else
                r->wrong++;
            pthread_mutex_unlock(&r->lock);
            continue;
        }
        race_note(r, k->t, st);
        uint32_t v = latest_of_tps0(r->fx, st);
        pthread_mutex_lock(&r->lock);
        r->wrong += v != 3;
        r->out[k->t] = NULL;
        pthread_mutex_unlock(&r->lock);
        edir_pool_give(r->p, st);
    }
    return NULL;
}

/* n threads take, use and give back connections at once. */
static void race_run(pool_race *r, unsigned n)
{
    pthread_t th[2 * POOL_MAX];
    pool_taker k[2 * POOL_MAX];
    assert_true(n <= 2 * POOL_MAX);
    for (unsigned t = 0; t < n; t++) {
        k[t] = (pool_taker){r, t};
        assert_int_equal(pthread_create(&th[t], NULL, race_main, &k[t]), 0);
    }
    for (unsigned t = 0; t < n; t++)
        pthread_join(th[t], NULL);
}

/* As many takers as places: none is ever refused. Twice as many: some
 * are (EDIR_POOL), none errs otherwise. Never more than max connections,
 * never one connection in two threads' hands. */
static void test_pool_concurrent(void **state)
{
    pool_race r = {.fx = *state};
    err_info e = {0};
    pthread_mutex_init(&r.lock, NULL);
    assert_int_equal(edir_pool_new(r.fx->eldir, POOL_MAX, &r.p, &e), 0);
    race_run(&r, POOL_MAX);
    assert_int_equal(r.taken, POOL_MAX * POOL_ROUNDS);
    assert_int_equal(r.full, 0);
    race_run(&r, 2 * POOL_MAX);
    assert_int_equal(r.taken + r.full, 3 * POOL_MAX * POOL_ROUNDS);
    assert_int_equal(r.wrong, 0);
    assert_true(r.nseen >= 1 && r.nseen <= POOL_MAX);
    edir_pool_free(r.p);
    pthread_mutex_destroy(&r.lock);
}

/* A version read by a reader who knows which it wants: that version's
 * entry, refused as counted when it was rejected. */
static void test_store_entry(void **state)
{
    fixture *fx = *state;
    edir_pool *p = NULL;
    err_info e = {0};
    assert_int_equal(edir_pool_new(fx->eldir, 1, &p, &e), 0);
    store *st = pool_take_ok(p);
    entry *en = mem_alloc(sizeof *en);
    uint64_t idx = 0;
    const char *tps0 = election_tps_region(fx->el, 0)->code;
    const char *tps1 = election_tps_region(fx->el, 1)->code;
    assert_int_equal(edir_store_entry(st, tps0, CONTEST_PPWP, 3, 1, en, &idx, &e), 0);
    assert_true(idx == NFIRST + 1 && en->sub.version == 3 && en->accepted);
    assert_memory_equal(en->sub.form.votes, fx->counted[0].votes, 3 * sizeof en->sub.form.votes[0]);
    assert_int_equal(edir_store_entry(st, tps1, CONTEST_PPWP, 2, 0, en, &idx, &e), 0);
    assert_true(idx == NFIRST + 4 && en->sub.version == 2 && !en->accepted);
    assert_int_equal(edir_store_entry(st, tps1, CONTEST_PPWP, 2, 1, en, &idx, &e), ERR_INVALID);
    assert_string_equal(e.code, "INGEST_STORE_COLUMNS");
    assert_int_equal(edir_store_entry(st, tps0, CONTEST_PPWP, 4, 0, en, &idx, &e), ERR_NOTFOUND);
    free(en);
    edir_pool_give(p, st);
    edir_pool_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_tally_as_writer),
        cmocka_unit_test(test_corrections_and_rejections),
        cmocka_unit_test(test_at_rest_writes_nothing),
        cmocka_unit_test(test_missing_directory),
        cmocka_unit_test(test_missing_checkpoint),
        cmocka_unit_test(test_election_changed),
        cmocka_unit_test(test_store_row_not_logged),
        cmocka_unit_test(test_pool_take_give),
        cmocka_unit_test(test_pool_concurrent),
        cmocka_unit_test(test_store_entry),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
