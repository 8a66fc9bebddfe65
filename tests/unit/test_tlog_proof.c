/* Tests for tlog_proof, proofs from a log directory's tiles alone: at
 * every checkpoint of a log grown one entry per publish up to 600 entries,
 * and around 65,536 (where the second tile level appears), the proofs from
 * the tiles (all of them at many sizes, a spread at the others) equal the
 * writer's (tlog.h, from its in-memory tree) and verify against the signed
 * roots; so do proofs at superseded checkpoints whose partial tiles were
 * pruned. Then the failures: sizes and indexes out of range, missing,
 * short and altered tiles, a wrong root. Run under ASan+UBSan. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

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
#include "log/tlog_proof.h"
#include "testutil.h"

#define H MERKLE_HASH_SIZE
#define ORIGIN "rekap.example/proof-test"
#define SMALL 600 /* bundles 000, 001, 002.p/88; tiles 0/000, 0/001, 0/002.p/88, 1/000.p/2 */
#define BIG 65536 /* the first tile of level 2 */

static const uint8_t seed[NOTE_SEED_SIZE] = {9, 8, 7};

typedef struct fixture {
    char dir[64];
    tlog *l;
} fixture;

static int setup(void **state)
{
    fixture *fx = mem_calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rekap-tlogp-XXXXXX");
    err_info e = {0};
    if (!mkdtemp(fx->dir) || tlog_open(fx->dir, ORIGIN, seed, &fx->l, &e) != 0)
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    tlog_close(fx->l);
    test_remove_tree(fx->dir);
    free(fx);
    return 0;
}

/* Append entries until the log has `size`, each of its own length. */
static void grow(tlog *l, uint64_t size)
{
    err_info e = {0};
    while (tlog_size(l) < size) {
        char buf[64];
        uint64_t i = tlog_size(l), idx;
        snprintf(buf, sizeof buf, "entry %llu%.*s", (unsigned long long)i, (int)(i % 19),
                 "===================");
        assert_int_equal(tlog_append(l, (const uint8_t *)buf, strlen(buf), &idx, &e), 0);
        assert_int_equal(idx, i);
    }
}

static void publish(tlog *l)
{
    err_info e = {0};
    assert_int_equal(tlog_publish(l, &e), 0);
}

/* The checkpoint the log signed last, as read from its file. */
static checkpoint current(const tlog *l)
{
    size_t len = 0;
    const char *text = tlog_checkpoint_text(l, &len);
    size_t body = 1; /* the note's text ends at its blank line */
    while (body < len && !(text[body - 1] == '\n' && text[body] == '\n'))
        body++;
    assert_true(body < len);
    checkpoint cp;
    err_info e = {0};
    assert_int_equal(checkpoint_parse(&cp, text, body, &e), 0);
    assert_int_equal(cp.size, tlog_published_size(l));
    return cp;
}

/* The checkpoint of `size` entries the log signed earlier (its root). */
static checkpoint earlier(const tlog *l, uint64_t size)
{
    checkpoint cp = {.size = size};
    assert_int_equal(tlog_root(l, size, cp.root), 0);
    return cp;
}

static void proofs_equal(const uint8_t (*a)[H], size_t na, const uint8_t (*b)[H], size_t nb)
{
    assert_int_equal(na, nb);
    if (na)
        assert_memory_equal(a, b, na * H);
}

/* Entry `index` in the tree of `size`, at checkpoint cp: the tiles' proof
 * is the writer's, names the right bundle and verifies. */
static void check_inclusion(const fixture *fx, const checkpoint *cp, uint64_t index,
                            uint64_t size)
{
    tlog_inclusion p;
    err_info e = {0};
    if (tlog_proof_inclusion(fx->dir, cp, index, size, &p, &e) != 0)
        fail_msg("inclusion %llu in %llu at %llu: %s %s %s", (unsigned long long)index,
                 (unsigned long long)size, (unsigned long long)cp->size, e.code, e.where, e.msg);
    uint8_t want[MERKLE_PROOF_MAX][H], root[H];
    size_t n = 0;
    assert_int_equal(tlog_inclusion_proof(fx->l, index, size, want, &n), 0);
    proofs_equal((const uint8_t (*)[H])p.proof, p.n, (const uint8_t (*)[H])want, n);
    uint8_t leaf[H];
    assert_int_equal(merkle_tree_get(tlog_tree(fx->l), 0, index, leaf, NULL), 0);
    assert_memory_equal(p.leaf, leaf, H);
    assert_int_equal(tlog_root(fx->l, size, root), 0);
    assert_memory_equal(p.root, root, H);
    assert_int_equal(merkle_verify_inclusion(p.leaf, index, size, (const uint8_t (*)[H])p.proof,
                                             p.n, root),
                     0);
    char bundle[TLOG_PATH_MAX];
    uint64_t left = cp->size - index / 256 * 256;
    tlog_tile_path(bundle, TLOG_ENTRIES, index / 256, left >= 256 ? 256 : (unsigned)left);
    assert_string_equal(p.bundle, bundle);
}

/* From the tree of size1 to that of size2, at checkpoint cp. */
static void check_consistency(const fixture *fx, const checkpoint *cp, uint64_t size1,
                              uint64_t size2)
{
    tlog_consistency p;
    err_info e = {0};
    if (tlog_proof_consistency(fx->dir, cp, size1, size2, &p, &e) != 0)
        fail_msg("consistency %llu to %llu at %llu: %s %s %s", (unsigned long long)size1,
                 (unsigned long long)size2, (unsigned long long)cp->size, e.code, e.where, e.msg);
    uint8_t want[MERKLE_PROOF_MAX][H], root1[H], root2[H];
    size_t n = 0;
    assert_int_equal(tlog_consistency_proof(fx->l, size1, size2, want, &n), 0);
    proofs_equal((const uint8_t (*)[H])p.proof, p.n, (const uint8_t (*)[H])want, n);
    assert_int_equal(tlog_root(fx->l, size1, root1), 0);
    assert_int_equal(tlog_root(fx->l, size2, root2), 0);
    assert_memory_equal(p.root1, root1, H);
    assert_memory_equal(p.root2, root2, H);
    assert_int_equal(merkle_verify_consistency(size1, size2, root1, root2,
                                               (const uint8_t (*)[H])p.proof, p.n),
                     0);
}

/* Every proof at checkpoint cp for its own tree: each entry's inclusion,
 * consistency from every smaller tree. */
static void check_all(const fixture *fx, const checkpoint *cp)
{
    for (uint64_t i = 0; i < cp->size; i++)
        check_inclusion(fx, cp, i, cp->size);
    for (uint64_t s1 = 0; s1 <= cp->size; s1++)
        check_consistency(fx, cp, s1, cp->size);
}

/* Proofs at checkpoint cp for entries and smaller trees where the tiles
 * change: the ends, both sides of each tile boundary and of half a tile,
 * the middle. */
static void check_spread(const fixture *fx, const checkpoint *cp)
{
    const uint64_t s = cp->size;
    const uint64_t at[] = {0, 1, 2, 127, 128, 129, 255, 256, 257, 383, 511, 512, 513,
                           s / 2, s / 3 * 2, s - 2, s - 1, s};
    for (size_t i = 0; i < sizeof at / sizeof at[0]; i++) {
        if (at[i] < s)
            check_inclusion(fx, cp, at[i], s);
        if (at[i] <= s)
            check_consistency(fx, cp, at[i], s);
    }
}

static int exists(const fixture *fx, const char *rel)
{
    char path[256];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", fx->dir, rel);
    return stat(path, &st) == 0;
}

/* One entry per publish up to SMALL. At each checkpoint: every proof up to
 * 128 entries and at the sizes around tile boundaries, a spread of them
 * elsewhere (a proof costs up to a few hundred hashes); and proofs at the
 * checkpoint three publications back, whose partials are pruned (its
 * edge tiles are read as prefixes of wider ones). */
static void test_every_size(void **state)
{
    fixture *fx = *state;
    checkpoint empty = current(fx->l);
    check_consistency(fx, &empty, 0, 0);
    for (uint64_t size = 1; size <= SMALL; size++) {
        grow(fx->l, size);
        publish(fx->l);
        checkpoint cp = current(fx->l);
        int all = size <= 128 || size == SMALL || (size >= 255 && size <= 257) ||
                  (size >= 511 && size <= 513);
        if (all)
            check_all(fx, &cp);
        else
            check_spread(fx, &cp);
        if (size < 4)
            continue;
        checkpoint old = earlier(fx->l, size - 3);
        check_inclusion(fx, &old, 0, old.size);
        check_inclusion(fx, &old, old.size - 1, old.size);
        check_consistency(fx, &old, old.size / 2, old.size);
        check_consistency(fx, &old, old.size - 1, old.size);
        /* and prefixes of the current tree, checked against its root */
        check_inclusion(fx, &cp, old.size - 1, old.size);
        check_consistency(fx, &cp, old.size / 2, old.size);
    }
    assert_false(exists(fx, "tile/0/002.p/85"));
    assert_false(exists(fx, "tile/entries/002.p/85"));
    assert_true(exists(fx, "tile/0/002.p/87"));
}

/* Around the first level-2 tile: entries in every tile level's first and
 * last tile, consistency from sizes on both sides of 65,536. */
static void test_second_level(void **state)
{
    fixture *fx = *state;
    grow(fx->l, BIG - 3);
    publish(fx->l);
    for (uint64_t size = BIG - 2; size <= BIG + 2; size++) {
        grow(fx->l, size);
        publish(fx->l);
        checkpoint cp = current(fx->l);
        checkpoint old = earlier(fx->l, BIG - 3); /* its partials are gone */
        const uint64_t idx[] = {0, 1, 255, 256, 4097, 30000, 65279, 65280, BIG - 4};
        const uint64_t from[] = {0, 1, 256, 257, 4096, 33333, 65280, BIG - 4, BIG - 3};
        for (size_t i = 0; i < sizeof idx / sizeof idx[0]; i++) {
            check_inclusion(fx, &cp, idx[i], size);
            check_inclusion(fx, &cp, size - 1 - idx[i], size);
            check_inclusion(fx, &old, idx[i], old.size);
            check_consistency(fx, &cp, from[i], size);
            check_consistency(fx, &cp, from[i], old.size);
            check_consistency(fx, &old, from[i], old.size);
        }
        check_consistency(fx, &cp, BIG - 2, size);
        check_consistency(fx, &cp, size, size);
    }
    assert_true(exists(fx, "tile/2/000.p/1"));
}

static void expect_code(int rc, int want_rc, const err_info *e, const char *code)
{
    assert_int_equal(rc, want_rc);
    assert_non_null(e->code);
    if (strcmp(e->code, code) != 0)
        fail_msg("expected %s, got %s (%s: %s)", code, e->code, e->where, e->msg);
    assert_true(e->msg[0] != '\0');
}

static int inclusion_fails(const fixture *fx, const checkpoint *cp, uint64_t index,
                           uint64_t size, err_info *e)
{
    tlog_inclusion p;
    *e = (err_info){0};
    return tlog_proof_inclusion(fx->dir, cp, index, size, &p, e);
}

static int consistency_fails(const fixture *fx, const checkpoint *cp, uint64_t size1,
                             uint64_t size2, err_info *e)
{
    tlog_consistency p;
    *e = (err_info){0};
    return tlog_proof_consistency(fx->dir, cp, size1, size2, &p, e);
}

static void test_bad_arguments(void **state)
{
    fixture *fx = *state;
    grow(fx->l, SMALL);
    publish(fx->l);
    checkpoint cp = current(fx->l);
    err_info e;
    expect_code(inclusion_fails(fx, &cp, SMALL, SMALL, &e), ERR_NOTFOUND, &e, "TLOG_INDEX");
    expect_code(inclusion_fails(fx, &cp, 10, 10, &e), ERR_NOTFOUND, &e, "TLOG_INDEX");
    expect_code(inclusion_fails(fx, &cp, 0, 0, &e), ERR_NOTFOUND, &e, "TLOG_INDEX");
    expect_code(inclusion_fails(fx, &cp, 0, SMALL + 1, &e), ERR_INVALID, &e, "TLOG_PROOF_SIZE");
    expect_code(consistency_fails(fx, &cp, 5, 4, &e), ERR_INVALID, &e, "TLOG_PROOF_SIZE");
    expect_code(consistency_fails(fx, &cp, 5, SMALL + 1, &e), ERR_INVALID, &e,
                "TLOG_PROOF_SIZE");
    expect_code(consistency_fails(fx, &cp, UINT64_MAX, UINT64_MAX, &e), ERR_INVALID, &e,
                "TLOG_PROOF_SIZE");
}

static void move_rel(const fixture *fx, const char *from, const char *to)
{
    char a[256], b[256];
    snprintf(a, sizeof a, "%s/%s", fx->dir, from);
    snprintf(b, sizeof b, "%s/%s", fx->dir, to);
    assert_int_equal(rename(a, b), 0);
}

static char *read_rel(const fixture *fx, const char *rel, size_t *len)
{
    char path[256], *buf = NULL;
    err_info e = {0};
    snprintf(path, sizeof path, "%s/%s", fx->dir, rel);
    assert_int_equal(file_read_all(path, 1u << 20, &buf, len, &e), 0);
    return buf;
}

static void write_rel(const fixture *fx, const char *rel, const char *buf, size_t len)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", fx->dir, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* Both proofs of a tree that needs `rel` fail with TLOG_CORRUPT; where
 * names `where` (relative to the directory; "" for the directory). */
static void expect_corrupt(const fixture *fx, const checkpoint *cp, uint64_t index,
                           const char *where)
{
    char want[256];
    snprintf(want, sizeof want, "%s%s%s", fx->dir, where[0] ? "/" : "", where);
    err_info e;
    expect_code(inclusion_fails(fx, cp, index, cp->size, &e), ERR_INVALID, &e, "TLOG_CORRUPT");
    assert_string_equal(e.where, want);
    expect_code(consistency_fails(fx, cp, index + 1, cp->size, &e), ERR_INVALID, &e,
                "TLOG_CORRUPT");
    assert_string_equal(e.where, want);
}

/* Tiles missing, short, altered, or a root the tiles do not make. */
static void test_damaged_tiles(void **state)
{
    fixture *fx = *state;
    grow(fx->l, SMALL);
    publish(fx->l);
    checkpoint cp = current(fx->l);

    move_rel(fx, "tile/0/001", "moved");
    expect_corrupt(fx, &cp, 300, "tile/0/001");
    char dir[256]; /* a directory where the tile should be */
    snprintf(dir, sizeof dir, "%s/tile/0/001", fx->dir);
    assert_int_equal(mkdir(dir, 0755), 0);
    expect_corrupt(fx, &cp, 300, "tile/0/001");
    assert_int_equal(rmdir(dir), 0);
    move_rel(fx, "moved", "tile/0/001");

    /* the edge partial and every wider one gone: the file asked for is named */
    move_rel(fx, "tile/1/000.p", "moved");
    expect_corrupt(fx, &cp, 10, "tile/1/000.p/2");
    move_rel(fx, "moved", "tile/1/000.p");

    /* a tile of the wrong length */
    const char *edge = "tile/0/002.p/88";
    size_t len = 0;
    char *buf = read_rel(fx, edge, &len);
    assert_int_equal(len, 88 * H);
    write_rel(fx, edge, buf, len - 1);
    expect_corrupt(fx, &cp, 520, edge);

    /* right length, one hash altered: the roots no longer match */
    buf[5] ^= 1;
    write_rel(fx, edge, buf, len);
    expect_corrupt(fx, &cp, 520, "");
    buf[5] ^= 1;
    write_rel(fx, edge, buf, len);
    free(buf);
    check_inclusion(fx, &cp, 520, SMALL);

    /* a root the tiles do not make (another log's checkpoint) */
    checkpoint other = cp;
    other.root[0] ^= 0x80;
    expect_corrupt(fx, &other, 7, "");
    /* a prefix is checked against the checkpoint too */
    err_info e;
    expect_code(inclusion_fails(fx, &other, 3, 100, &e), ERR_INVALID, &e, "TLOG_CORRUPT");
    expect_code(consistency_fails(fx, &other, 3, 100, &e), ERR_INVALID, &e, "TLOG_CORRUPT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_every_size, setup, teardown),
        cmocka_unit_test_setup_teardown(test_second_level, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
        cmocka_unit_test_setup_teardown(test_damaged_tiles, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
