/* Tests for tlog_read, the outside reader of a log directory: a good log
 * reads back entry by entry, and every kind of missing or damaged file
 * (checkpoint, bundle, tile; a directory, a FIFO or nothing where a file
 * should be) gives a stable code with e->where naming the file, never a
 * crash or a hang. Run under ASan+UBSan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/merkle.h"
#include "core/note.h"
#include "io/file.h"
#include "log/tlog.h"
#include "testutil.h"
#include "log/tlog_read.h"

#define ORIGIN "rekap.example/read-test"
#define ENTRIES 600 /* bundles 000, 001, 002.p/88; tiles 0/000, 0/001, 0/002.p/88, 1/000.p/2 */

static const uint8_t seed[NOTE_SEED_SIZE] = {7, 7, 7};

typedef struct fixture {
    char dir[64];
    note_verifier v;
} fixture;

static void entry_text(char *buf, size_t cap, uint64_t i)
{
    snprintf(buf, cap, "entry %llu%.*s", (unsigned long long)i, (int)(i % 23),
             "-----------------------"); /* lengths vary */
}

/* A closed log of ENTRIES known entries. */
static int setup(void **state)
{
    fixture *fx = mem_calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rekap-tlogr-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    tlog *l = NULL;
    err_info e = {0};
    if (tlog_open(fx->dir, ORIGIN, seed, &l, &e) != 0)
        return -1;
    for (uint64_t i = 0; i < ENTRIES; i++) {
        char buf[64];
        uint64_t idx;
        entry_text(buf, sizeof buf, i);
        if (tlog_append(l, (const uint8_t *)buf, strlen(buf), &idx, &e) != 0)
            return -1;
    }
    int rc = tlog_publish(l, &e);
    fx->v = *tlog_verifier(l);
    tlog_close(l);
    *state = fx;
    return rc;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    test_remove_tree(fx->dir);
    free(fx);
    return 0;
}

static void rel_path(char path[256], const fixture *fx, const char *rel)
{
    snprintf(path, 256, "%s/%s", fx->dir, rel);
}

static char *read_rel(const fixture *fx, const char *rel, size_t *len)
{
    char path[256], *buf = NULL;
    rel_path(path, fx, rel);
    err_info e = {0};
    assert_int_equal(file_read_all(path, 1u << 22, &buf, len, &e), 0);
    return buf;
}

static void write_rel(const fixture *fx, const char *rel, const void *buf, size_t len)
{
    char path[256];
    rel_path(path, fx, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* The read fails with `code`, and e->where starts with the path of `rel`. */
static void expect_fails(const fixture *fx, const char *code, const char *rel)
{
    checkpoint cp;
    err_info e = {0};
    int rc = tlog_read_verify(fx->dir, &fx->v, &cp, NULL, NULL, NULL, &e);
    assert_true(rc < 0);
    assert_non_null(e.code);
    if (strcmp(e.code, code) != 0)
        fail_msg("expected %s for %s, got %s (%s: %s)", code, rel, e.code, e.where, e.msg);
    char path[256];
    rel_path(path, fx, rel);
    if (strncmp(e.where, path, strlen(path)) != 0)
        fail_msg("%s: where is \"%s\", not %s", code, e.where, path);
    assert_true(e.msg[0] != '\0');
}

/* Replace a file's bytes, expect the read to fail, put it back. */
static void with_bytes(const fixture *fx, const char *rel, const void *bad, size_t len,
                       const char *code, const char *where)
{
    size_t olen = 0;
    char *orig = read_rel(fx, rel, &olen);
    write_rel(fx, rel, bad, len);
    expect_fails(fx, code, where);
    write_rel(fx, rel, orig, olen);
    free(orig);
}

/* The file's own bytes, `cut` fewer or with `extra` more (zero bytes). */
static void with_resized(const fixture *fx, const char *rel, size_t cut, size_t extra,
                         const char *code)
{
    size_t len = 0;
    char *orig = read_rel(fx, rel, &len);
    char *bad = mem_calloc(1, len + extra + 1);
    memcpy(bad, orig, len);
    with_bytes(fx, rel, bad, len - cut + extra, code, rel);
    free(bad);
    free(orig);
}

/* Move the file away (or make() something else in its place), expect the
 * read to fail, put it back. */
static void with_replaced(const fixture *fx, const char *rel, int (*make)(const char *),
                          const char *code, const char *where)
{
    char path[256], aside[300];
    rel_path(path, fx, rel);
    snprintf(aside, sizeof aside, "%s/aside", fx->dir);
    assert_int_equal(rename(path, aside), 0);
    if (make)
        assert_int_equal(make(path), 0);
    expect_fails(fx, code, where);
    test_remove_tree(path);
    assert_int_equal(rename(aside, path), 0);
}

static int make_dir(const char *path)
{
    return mkdir(path, 0755);
}

static int make_fifo(const char *path)
{
    return mkfifo(path, 0644);
}

static int make_file(const char *path)
{
    FILE *f = fopen(path, "wb");
    return f ? fclose(f) : -1;
}

/* Sign a checkpoint for the log's origin (or `origin`) with `key`. */
static char *signed_checkpoint(const char *origin, uint64_t size, const char *ext,
                               const uint8_t key[NOTE_SEED_SIZE], size_t *len)
{
    note_signer s;
    err_info e = {0};
    assert_int_equal(note_signer_from_seed(&s, ORIGIN, key, &e), 0);
    checkpoint c = {.size = size, .ext = ext, .ext_len = ext ? strlen(ext) : 0};
    snprintf(c.origin, sizeof c.origin, "%s", origin);
    memset(c.root, 1, sizeof c.root);
    char *text = NULL, *msg = NULL;
    size_t tl = 0;
    assert_int_equal(checkpoint_format(&c, &text, &tl, &e), 0);
    assert_int_equal(note_sign(&s, text, tl, &msg, len, &e), 0);
    free(text);
    note_signer_wipe(&s);
    return msg;
}

/* ---- tests ---- */

typedef struct taken {
    uint64_t next;
    uint64_t stop_at;
} taken;

static int take(void *ctx, uint64_t index, const uint8_t *entry, size_t len)
{
    taken *t = ctx;
    char want[64];
    entry_text(want, sizeof want, index);
    assert_int_equal(index, t->next);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(entry, want, len);
    t->next++;
    return index + 1 == t->stop_at ? 42 : 0;
}

static void test_good_log(void **state)
{
    fixture *fx = *state;
    checkpoint cp;
    err_info e = {0};
    taken t = {0};
    merkle_tree *tree = merkle_tree_new();
    assert_int_equal(tlog_read_verify(fx->dir, &fx->v, &cp, tree, take, &t, &e), 0);
    assert_int_equal(cp.size, ENTRIES);
    assert_string_equal(cp.origin, ORIGIN);
    assert_null(cp.ext);
    assert_int_equal(t.next, ENTRIES);
    assert_int_equal(merkle_tree_size(tree), ENTRIES);
    merkle_tree_free(tree);
    /* The callback stops the read; its value comes back. */
    taken stop = {.stop_at = 300};
    assert_int_equal(tlog_read_verify(fx->dir, &fx->v, &cp, NULL, take, &stop, &e), 42);
    assert_int_equal(stop.next, 300);
}

static void test_checkpoint_damaged(void **state)
{
    fixture *fx = *state;
    /* Missing: the crash of `rekap verify` (an uninitialised buffer freed). */
    with_replaced(fx, "checkpoint", NULL, "TLOG_CORRUPT", "checkpoint");
    with_replaced(fx, "checkpoint", make_dir, "TLOG_CORRUPT", "checkpoint");
    with_replaced(fx, "checkpoint", make_fifo, "TLOG_CORRUPT", "checkpoint");
    with_bytes(fx, "checkpoint", "", 0, "NOTE_MALFORMED", "checkpoint");
    static const char garbage[] = "\x01\xff\x00garbage\n\n\x80";
    with_bytes(fx, "checkpoint", garbage, sizeof garbage, "NOTE_TEXT", "checkpoint");
    with_bytes(fx, "checkpoint", "a\nb\n", 4, "NOTE_MALFORMED", "checkpoint");
    char *big = mem_calloc(1, NOTE_MAX_SIZE + 2);
    memset(big, 'a', NOTE_MAX_SIZE + 1);
    with_bytes(fx, "checkpoint", big, NOTE_MAX_SIZE + 1, "TLOG_CORRUPT", "checkpoint");
    free(big);
    /* Damaged after its signature: one byte of the root. */
    size_t len = 0;
    char *cp = read_rel(fx, "checkpoint", &len);
    cp[strlen(ORIGIN) + 6] ^= 1;
    with_bytes(fx, "checkpoint", cp, len, "NOTE_BAD_SIGNATURE", "checkpoint");
    free(cp);
}

static void test_checkpoint_not_ours(void **state)
{
    fixture *fx = *state;
    static const uint8_t other[NOTE_SEED_SIZE] = {8};
    size_t len = 0;
    char *cp = signed_checkpoint(ORIGIN, ENTRIES, NULL, other, &len);
    with_bytes(fx, "checkpoint", cp, len, "NOTE_UNVERIFIED", "checkpoint");
    free(cp);
    cp = signed_checkpoint("rekap.example/another-log", ENTRIES, NULL, seed, &len);
    with_bytes(fx, "checkpoint", cp, len, "TLOG_KEY", "checkpoint");
    free(cp);
    cp = signed_checkpoint(ORIGIN, ENTRIES, "extension\n", seed, &len);
    with_bytes(fx, "checkpoint", cp, len, "TLOG_CORRUPT", "checkpoint");
    free(cp);
    /* Signed by the key over a root the files do not give. */
    cp = signed_checkpoint(ORIGIN, ENTRIES, NULL, seed, &len);
    with_bytes(fx, "checkpoint", cp, len, "TLOG_ROOT", "checkpoint");
    free(cp);
    /* A size past the files: the bundle it needs is missing. */
    cp = signed_checkpoint(ORIGIN, ENTRIES + 1, NULL, seed, &len);
    with_bytes(fx, "checkpoint", cp, len, "TLOG_CORRUPT", "tile/entries/002.p/89");
    free(cp);
}

static void test_checkpoint_line_named(void **state)
{
    fixture *fx = *state;
    note_signer s;
    err_info e = {0};
    assert_int_equal(note_signer_from_seed(&s, ORIGIN, seed, &e), 0);
    static const char text[] = ORIGIN "\n0600\nAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=\n";
    char *msg = NULL;
    size_t len = 0;
    assert_int_equal(note_sign(&s, text, sizeof text - 1, &msg, &len, &e), 0);
    note_signer_wipe(&s);
    size_t olen = 0;
    char *orig = read_rel(fx, "checkpoint", &olen);
    write_rel(fx, "checkpoint", msg, len);
    checkpoint cp;
    assert_int_equal(tlog_read_verify(fx->dir, &fx->v, &cp, NULL, NULL, NULL, &e), ERR_INVALID);
    assert_string_equal(e.code, "CHECKPOINT_SIZE");
    char want[256];
    snprintf(want, sizeof want, "%s/checkpoint: checkpoint line 2", fx->dir);
    assert_string_equal(e.where, want);
    write_rel(fx, "checkpoint", orig, olen);
    free(orig);
    free(msg);
}

static void test_bundle_damaged(void **state)
{
    fixture *fx = *state;
    with_replaced(fx, "tile/entries/001", NULL, "TLOG_CORRUPT", "tile/entries/001");
    with_replaced(fx, "tile/entries/002.p/88", NULL, "TLOG_CORRUPT", "tile/entries/002.p/88");
    with_replaced(fx, "tile/entries/000", make_dir, "TLOG_CORRUPT", "tile/entries/000");
    with_replaced(fx, "tile/entries/002.p/88", make_fifo, "TLOG_CORRUPT", "tile/entries/002.p/88");
    with_replaced(fx, "tile/entries", make_file, "TLOG_CORRUPT", "tile/entries/000");
    with_resized(fx, "tile/entries/002.p/88", 1, 0, "TLOG_CORRUPT");
    with_resized(fx, "tile/entries/000", 100, 0, "TLOG_CORRUPT");
    with_bytes(fx, "tile/entries/001", "\x00", 1, "TLOG_CORRUPT", "tile/entries/001");
    with_bytes(fx, "tile/entries/001", "", 0, "TLOG_CORRUPT", "tile/entries/001");
    with_resized(fx, "tile/entries/002.p/88", 0, 1, "TLOG_CORRUPT");
    with_resized(fx, "tile/entries/000", 0, 3, "TLOG_CORRUPT");
    /* A length prefix grown into the next entry, and one byte of an entry
     * changed: well formed, but not the signed entries. */
    size_t len = 0;
    char *b = read_rel(fx, "tile/entries/000", &len);
    b[1] = (char)(b[1] + 2);
    with_bytes(fx, "tile/entries/000", b, len, "TLOG_CORRUPT", "tile/entries/000");
    b[1] = (char)(b[1] - 2);
    b[2] ^= 1;
    with_bytes(fx, "tile/entries/000", b, len, "TLOG_ROOT", "checkpoint");
    free(b);
}

static void test_tile_damaged(void **state)
{
    fixture *fx = *state;
    with_replaced(fx, "tile/0/001", NULL, "TLOG_CORRUPT", "tile/0/001");
    with_replaced(fx, "tile/1/000.p/2", NULL, "TLOG_CORRUPT", "tile/1/000.p/2");
    with_replaced(fx, "tile/0/000", make_dir, "TLOG_CORRUPT", "tile/0/000");
    with_replaced(fx, "tile/0/002.p/88", make_fifo, "TLOG_CORRUPT", "tile/0/002.p/88");
    with_replaced(fx, "tile/1", make_file, "TLOG_CORRUPT", "tile/1/000.p/2");
    with_resized(fx, "tile/0/000", 32, 0, "TLOG_CORRUPT");
    with_resized(fx, "tile/0/002.p/88", 1, 0, "TLOG_CORRUPT");
    with_resized(fx, "tile/0/001", 0, 32, "TLOG_CORRUPT"); /* over the size of a full tile */
    with_resized(fx, "tile/1/000.p/2", 0, 32, "TLOG_CORRUPT");
    size_t len = 0;
    char *t = read_rel(fx, "tile/0/002.p/88", &len);
    t[len - 1] ^= 1;
    with_bytes(fx, "tile/0/002.p/88", t, len, "TLOG_CORRUPT", "tile/0/002.p/88");
    free(t);
}

static void test_no_log(void **state)
{
    fixture *fx = *state;
    char dir[128];
    snprintf(dir, sizeof dir, "%s/nothing-here", fx->dir);
    checkpoint cp;
    err_info e = {0};
    assert_int_equal(tlog_read_verify(dir, &fx->v, &cp, NULL, NULL, NULL, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_CORRUPT");
    assert_non_null(strstr(e.where, "nothing-here/checkpoint"));
    /* No err_info to fill: still no crash. */
    assert_int_equal(tlog_read_verify(dir, &fx->v, &cp, NULL, NULL, NULL, NULL), ERR_INVALID);
    /* After every case above the log reads as before. */
    assert_int_equal(tlog_read_verify(fx->dir, &fx->v, &cp, NULL, NULL, NULL, &e), 0);
}

/* A reader holding an older checkpoint: its partials were pruned since,
 * and the first items of a wider partial, or of the full tile, stand in
 * for them byte for byte (tlog_tile_read). */
static void test_older_checkpoint(void **state)
{
    (void)state;
    char dir[64];
    snprintf(dir, sizeof dir, "/tmp/rekap-tlogr-old-XXXXXX");
    assert_non_null(mkdtemp(dir));
    tlog *l = NULL;
    err_info e = {0};
    assert_int_equal(tlog_open(dir, ORIGIN, seed, &l, &e), 0);
    note_verifier v = *tlog_verifier(l);
    char cp_path[128], *cp150 = NULL, *cp100 = NULL;
    size_t len150 = 0, len100 = 0;
    snprintf(cp_path, sizeof cp_path, "%s/checkpoint", dir);
    static const uint64_t sizes[] = {100, 150, 170, 190, 300};
    uint64_t next = 0;
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (; next < sizes[s]; next++) {
            char buf[64];
            uint64_t idx;
            entry_text(buf, sizeof buf, next);
            assert_int_equal(tlog_append(l, (const uint8_t *)buf, strlen(buf), &idx, &e), 0);
        }
        assert_int_equal(tlog_publish(l, &e), 0);
        if (sizes[s] == 100)
            assert_int_equal(file_read_all(cp_path, 4096, &cp100, &len100, &e), 0);
        if (sizes[s] == 150)
            assert_int_equal(file_read_all(cp_path, 4096, &cp150, &len150, &e), 0);
        if (sizes[s] == 190) { /* 150's partials are gone, the widest (190's) stands in */
            char p150[128];
            snprintf(p150, sizeof p150, "%s/tile/entries/000.p/150", dir);
            assert_int_not_equal(access(p150, F_OK), 0);
            FILE *f = fopen(cp_path, "w");
            assert_non_null(f);
            fwrite(cp150, 1, len150, f);
            fclose(f);
            checkpoint cp;
            assert_int_equal(tlog_read_verify(dir, &v, &cp, NULL, NULL, NULL, &e), 0);
            assert_int_equal(cp.size, 150);
            char *buf = NULL, path[TLOG_READ_PATH_MAX];
            size_t blen = 0;
            assert_int_equal(tlog_tile_read(dir, 0, 0, 150, &buf, &blen, path, &e), 0);
            assert_int_equal(blen, 150 * MERKLE_HASH_SIZE);
            assert_non_null(strstr(path, "000.p/190"));
            free(buf);
        }
    }
    tlog_close(l);
    /* the log is at 300: tile 000 is full, every partial of 100 is gone */
    FILE *f = fopen(cp_path, "w");
    assert_non_null(f);
    fwrite(cp100, 1, len100, f);
    fclose(f);
    checkpoint cp;
    assert_int_equal(tlog_read_verify(dir, &v, &cp, NULL, NULL, NULL, &e), 0);
    assert_int_equal(cp.size, 100);
    /* a wider tile that is too short is corruption, not a prefix */
    char *buf = NULL, path[TLOG_READ_PATH_MAX];
    size_t blen = 0;
    char full[128];
    snprintf(full, sizeof full, "%s/tile/entries/000", dir);
    assert_int_equal(truncate(full, 10), 0);
    assert_int_equal(tlog_tile_read(dir, TLOG_ENTRIES, 0, 100, &buf, &blen, path, &e),
                     ERR_INVALID);
    assert_string_equal(e.code, "TLOG_CORRUPT");
    assert_null(buf);
    free(cp100);
    free(cp150);
    test_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_older_checkpoint),
        cmocka_unit_test(test_good_log),
        cmocka_unit_test(test_checkpoint_damaged),
        cmocka_unit_test(test_checkpoint_not_ours),
        cmocka_unit_test(test_checkpoint_line_named),
        cmocka_unit_test(test_bundle_damaged),
        cmocka_unit_test(test_tile_damaged),
        cmocka_unit_test(test_no_log),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
