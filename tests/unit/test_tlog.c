/* Tests for tlog: paths as in the tlog-tiles spec, random logs published in
 * random batches and checked file by file against hashes computed here
 * from the entries, re-opening, the spec's 70,000-entry example, a crash
 * between tiles and checkpoint, partials bounded on disk (one entry per
 * publish) and what a crash leaves swept at open, corruption refused with
 * TLOG_CORRUPT, and an independent monitor that reads only the files on
 * disk (checkpoint, tiles, bundles), verifies the checkpoint with the
 * verifier key string and checks inclusion and consistency proofs the way
 * an outside client does; and a follower (a public replica) that adopts
 * the signer's checkpoints, ends with its files byte for byte, and refuses
 * what it cannot reproduce. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/merkle.h"
#include "core/note.h"
#include "io/file.h"
#include "log/tlog.h"
#include "log/tlog_read.h"
#include "testutil.h"

#define H MERKLE_HASH_SIZE
#define ORIGIN "rekap.example/test-log"

static const uint8_t seed[NOTE_SEED_SIZE] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};

/* ---- fixture: a fresh directory, removed with everything in it ---- */

typedef struct fixture {
    char dir[64];
} fixture;

static int setup(void **state)
{
    fixture *fx = mem_calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rekap-tlog-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    test_remove_tree(fx->dir);
    free(fx);
    return 0;
}

/* ---- the model: entries kept here, hashed here ---- */

typedef struct model {
    uint8_t **entry;
    size_t *len;
    uint8_t (*leaf)[H];
    size_t n, cap, lcap, hcap;
} model;

static uint64_t rng_state = 0x9e3779b97f4a7c15u;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void model_add(model *m, const uint8_t *p, size_t len)
{
    mem_grow((void **)&m->entry, &m->cap, m->n + 1, sizeof *m->entry);
    mem_grow((void **)&m->len, &m->lcap, m->n + 1, sizeof *m->len);
    mem_grow((void **)&m->leaf, &m->hcap, m->n + 1, sizeof *m->leaf);
    m->entry[m->n] = mem_alloc(len ? len : 1);
    memcpy(m->entry[m->n], p, len);
    m->len[m->n] = len;
    uint8_t *buf = mem_alloc(len + 1);
    buf[0] = 0x00;
    memcpy(buf + 1, p, len);
    crypto_hash_sha256(m->leaf[m->n], buf, len + 1);
    free(buf);
    m->n++;
}

static void model_free(model *m)
{
    for (size_t i = 0; i < m->n; i++)
        free(m->entry[i]);
    free(m->entry);
    free(m->len);
    free(m->leaf);
    memset(m, 0, sizeof *m);
}

/* Append a random entry (0..max bytes) to both the log and the model. */
static void append_random(tlog *l, model *m, size_t max)
{
    uint8_t buf[2048];
    size_t len = (size_t)(rnd() % (max + 1));
    for (size_t i = 0; i < len; i++)
        buf[i] = (uint8_t)rnd();
    uint64_t idx = 0;
    err_info e = {0};
    assert_int_equal(tlog_append(l, buf, len, &idx, &e), 0);
    assert_int_equal(idx, m->n);
    model_add(m, buf, len);
}

static void node(const uint8_t *l, const uint8_t *r, uint8_t *out)
{
    uint8_t b[1 + 2 * H];
    b[0] = 0x01;
    memcpy(b + 1, l, H);
    memcpy(b + 1 + H, r, H);
    crypto_hash_sha256(out, b, sizeof b);
}

static uint64_t split_of(uint64_t n)
{
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

/* MTH(D[0:n]) over leaf hashes, by the RFC 6962 recursion. */
static void naive_mth(const uint8_t (*leaf)[H], uint64_t n, uint8_t out[H])
{
    if (n == 0) {
        crypto_hash_sha256(out, NULL, 0);
        return;
    }
    if (n == 1) {
        memcpy(out, leaf[0], H);
        return;
    }
    uint64_t k = split_of(n);
    uint8_t a[H], b[H];
    naive_mth(leaf, k, a);
    naive_mth(leaf + k, n - k, b);
    node(a, b, out);
}

static char *read_rel(const char *dir, const char *rel, size_t *len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    char *buf = NULL;
    err_info e = {0};
    if (file_read_all(path, 1u << 25, &buf, len, &e) != 0)
        return NULL;
    return buf;
}

static bool file_exists(const char *dir, const char *rel)
{
    char path[512];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    return stat(path, &st) == 0;
}

/* ---- checking the files against the model ---- */

static unsigned width_of(uint64_t count, uint64_t n)
{
    return count - n * 256 >= 256 ? 256 : (unsigned)(count - n * 256);
}

/* Every tile a checkpoint of `size` needs holds the hashes computed here. */
static void check_tiles(const char *dir, const model *m, uint64_t size)
{
    for (int lv = 0; lv < 8 && (size >> (8 * lv)) > 0; lv++) {
        uint64_t count = size >> (8 * lv), span = (uint64_t)1 << (8 * lv);
        for (uint64_t n = 0; n * 256 < count; n++) {
            unsigned w = width_of(count, n);
            char rel[TLOG_PATH_MAX];
            tlog_tile_path(rel, lv, n, w);
            size_t len = 0;
            char *buf = read_rel(dir, rel, &len);
            assert_non_null(buf);
            assert_int_equal(len, (size_t)w * H);
            for (unsigned j = 0; j < w; j++) {
                uint8_t want[H];
                naive_mth((const uint8_t (*)[H])m->leaf + (n * 256 + j) * span, span, want);
                assert_memory_equal(buf + (size_t)j * H, want, H);
            }
            free(buf);
        }
    }
}

/* Every bundle a checkpoint of `size` needs holds the model's entries. */
static void check_bundles(const char *dir, const model *m, uint64_t size)
{
    for (uint64_t n = 0; n * 256 < size; n++) {
        unsigned w = width_of(size, n);
        char rel[TLOG_PATH_MAX];
        tlog_tile_path(rel, TLOG_ENTRIES, n, w);
        size_t len = 0, at = 0;
        uint8_t *buf = (uint8_t *)read_rel(dir, rel, &len);
        assert_non_null(buf);
        for (unsigned j = 0; j < w; j++) {
            size_t i = n * 256 + j;
            assert_true(at + 2 <= len);
            size_t elen = (size_t)buf[at] << 8 | buf[at + 1];
            assert_int_equal(elen, m->len[i]);
            assert_true(at + 2 + elen <= len);
            if (elen)
                assert_memory_equal(buf + at + 2, m->entry[i], elen);
            at += 2 + elen;
        }
        assert_int_equal(at, len);
        free(buf);
    }
}

/* Collect every file below dir/rel into a list of relative paths. */
static void list_files(const char *dir, const char *rel, char ***out, size_t *n, size_t *cap)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    DIR *d = opendir(path);
    assert_non_null(d);
    for (struct dirent *de; (de = readdir(d));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[512], full[1024];
        snprintf(sub, sizeof sub, "%s%s%s", rel, rel[0] ? "/" : "", de->d_name);
        snprintf(full, sizeof full, "%s/%s", dir, sub);
        struct stat st;
        assert_int_equal(stat(full, &st), 0);
        if (S_ISDIR(st.st_mode)) {
            list_files(dir, sub, out, n, cap);
        } else {
            mem_grow((void **)out, cap, *n + 1, sizeof **out);
            (*out)[(*n)++] = mem_strdup(sub);
        }
    }
    closedir(d);
}

/* Is rel the path of a tile (or bundle) the log of `size` may hold: a full
 * tile below the edge, or a partial of the edge tile no wider than now. */
static bool allowed_tile(const char *rel, uint64_t size)
{
    for (int lv = TLOG_ENTRIES; lv < 8; lv++) {
        uint64_t count = lv <= 0 ? size : size >> (8 * lv);
        char p[TLOG_PATH_MAX];
        for (uint64_t n = 0; n * 256 < count; n++) {
            unsigned w = width_of(count, n);
            tlog_tile_path(p, lv, n, 256);
            if (w == 256 && !strcmp(p, rel))
                return true;
            for (unsigned pw = 1; w < 256 && pw <= w; pw++) {
                tlog_tile_path(p, lv, n, pw);
                if (!strcmp(p, rel))
                    return true;
            }
        }
    }
    return false;
}

/* The directory holds the checkpoint and tiles only: no temporary files,
 * no partial tiles whose full tile exists, nothing past the size. */
static void check_no_strays(const char *dir, uint64_t size)
{
    char **files = NULL;
    size_t n = 0, cap = 0;
    list_files(dir, "", &files, &n, &cap);
    for (size_t i = 0; i < n; i++) {
        if (strcmp(files[i], "checkpoint") != 0 && !allowed_tile(files[i], size))
            fail_msg("unexpected file %s in a log of %llu entries", files[i],
                     (unsigned long long)size);
        free(files[i]);
    }
    free(files);
}

/* ---- partials on disk: which, how many, how large ---- */

/* Tile levels holding hashes in a tree of `size` entries. */
static unsigned hash_levels(uint64_t size)
{
    unsigned n = 0;
    while (n < 8 && (size >> (8 * n)) > 0)
        n++;
    return n;
}

/* The bound of tlog.h: per hash level 2 partials of at most 255 hashes,
 * and 2 partial bundles of at most 255 entries of `max` bytes, each with
 * its 2-byte length. */
static uint64_t partial_bytes_bound(uint64_t size, size_t max)
{
    return 2 * ((uint64_t)hash_levels(size) * 255 * H + 255 * (2 + (uint64_t)max));
}

/* Is rel a partial the log may keep once the checkpoint of `size` has
 * replaced the one of `prev`: at each level the edge tile's, at the width
 * of either checkpoint. */
static bool allowed_partial(const char *rel, uint64_t size, uint64_t prev)
{
    for (int lv = TLOG_ENTRIES; lv < 8; lv++) {
        uint64_t c1 = lv <= 0 ? size : size >> (8 * lv), c0 = lv <= 0 ? prev : prev >> (8 * lv);
        unsigned w[2] = {(unsigned)(c1 % 256), c0 / 256 == c1 / 256 ? (unsigned)(c0 % 256) : 0};
        for (int i = 0; i < 2; i++) {
            char p[TLOG_PATH_MAX];
            tlog_tile_path(p, lv, c1 / 256, w[i]);
            if (w[i] && !strcmp(p, rel))
                return true;
        }
    }
    return false;
}

/* The partial files on disk, counted and sized by walking the directory:
 * only allowed ones, within the bound; no temporary file anywhere. */
static void check_partials(const char *dir, uint64_t size, uint64_t prev, size_t max)
{
    char **files = NULL;
    size_t n = 0, cap = 0, count = 0;
    uint64_t bytes = 0;
    list_files(dir, "", &files, &n, &cap);
    for (size_t i = 0; i < n; i++) {
        if (strstr(files[i], ".tmp."))
            fail_msg("temporary file %s left in the log", files[i]);
        if (strstr(files[i], ".p/")) {
            if (!allowed_partial(files[i], size, prev))
                fail_msg("partial %s kept in a log of %llu entries signed after %llu", files[i],
                         (unsigned long long)size, (unsigned long long)prev);
            char path[512];
            struct stat st;
            snprintf(path, sizeof path, "%s/%s", dir, files[i]);
            assert_int_equal(stat(path, &st), 0);
            count++;
            bytes += (uint64_t)st.st_size;
        }
        free(files[i]);
    }
    free(files);
    assert_true(count <= 2 * (hash_levels(size) + 1));
    assert_true(bytes <= partial_bytes_bound(size, max));
}

/* An outside reader of the files (tlog_read) accepts the log as signed. */
static void check_read_verify(const char *dir, const tlog *l)
{
    checkpoint cp;
    err_info e = {0};
    assert_int_equal(tlog_read_verify(dir, tlog_verifier(l), &cp, NULL, NULL, NULL, &e), 0);
    assert_int_equal(cp.size, tlog_published_size(l));
}

/* ---- the monitor: knows only the directory and the verifier key ---- */

typedef struct monitor {
    const char *dir;
    note_verifier key;
    checkpoint cp;
    char *note;
} monitor;

static void monitor_load(monitor *mo, const char *dir, const char *vkey)
{
    err_info e = {0};
    mo->dir = dir;
    assert_int_equal(note_verifier_parse(&mo->key, vkey, &e), 0);
    size_t len = 0;
    mo->note = read_rel(dir, "checkpoint", &len);
    assert_non_null(mo->note);
    assert_int_equal(checkpoint_open(&mo->cp, mo->note, len, &mo->key, 1, &e), 0);
    assert_string_equal(mo->cp.origin, ORIGIN);
}

/* Hash of the complete subtree at merkle level k, index i, from tiles of
 * the checkpoint's tree: the tile of level k / 8 holding its leftmost
 * descendant, hashed up k % 8 levels. */
static void mon_subtree(const monitor *mo, unsigned k, uint64_t i, uint8_t out[H])
{
    unsigned lv = k / 8, r = k % 8;
    uint64_t first = i << r, count = mo->cp.size >> (8 * lv), n = first / 256;
    char rel[TLOG_PATH_MAX];
    tlog_tile_path(rel, (int)lv, n, width_of(count, n));
    size_t len = 0;
    char *tile = read_rel(mo->dir, rel, &len);
    assert_non_null(tile);
    size_t from = (size_t)(first % 256), span = (size_t)1 << r;
    assert_true((from + span) * H <= len);
    naive_mth((const uint8_t (*)[H])(tile + from * H), span, out);
    free(tile);
}

/* MTH(D[lo:hi]) straight from the definition, complete parts from tiles. */
static void mon_mth(const monitor *mo, uint64_t lo, uint64_t hi, uint8_t out[H])
{
    uint64_t n = hi - lo;
    if ((n & (n - 1)) == 0 && lo % n == 0) {
        unsigned k = (unsigned)__builtin_ctzll(n);
        mon_subtree(mo, k, lo >> k, out);
        return;
    }
    uint64_t k = split_of(n);
    uint8_t a[H], b[H];
    mon_mth(mo, lo, lo + k, a);
    mon_mth(mo, lo + k, hi, b);
    node(a, b, out);
}

static size_t mon_path(const monitor *mo, uint64_t m, uint64_t lo, uint64_t hi,
                       uint8_t (*out)[H], size_t n)
{
    if (hi - lo == 1)
        return n;
    uint64_t k = split_of(hi - lo);
    if (m < lo + k) {
        n = mon_path(mo, m, lo, lo + k, out, n);
        mon_mth(mo, lo + k, hi, out[n]);
    } else {
        n = mon_path(mo, m, lo + k, hi, out, n);
        mon_mth(mo, lo, lo + k, out[n]);
    }
    return n + 1;
}

static size_t mon_subproof(const monitor *mo, uint64_t m, uint64_t lo, uint64_t hi, bool b,
                           uint8_t (*out)[H], size_t n)
{
    if (m == hi - lo) {
        if (b)
            return n;
        mon_mth(mo, lo, hi, out[n]);
        return n + 1;
    }
    uint64_t k = split_of(hi - lo);
    if (m <= k) {
        n = mon_subproof(mo, m, lo, lo + k, b, out, n);
        mon_mth(mo, lo + k, hi, out[n]);
    } else {
        n = mon_subproof(mo, m - k, lo + k, hi, false, out, n);
        mon_mth(mo, lo, lo + k, out[n]);
    }
    return n + 1;
}

/* The entry at index from its bundle, hashed as a leaf. */
static void mon_leaf(const monitor *mo, uint64_t index, uint8_t out[H])
{
    uint64_t n = index / 256;
    char rel[TLOG_PATH_MAX];
    tlog_tile_path(rel, TLOG_ENTRIES, n, width_of(mo->cp.size, n));
    size_t len = 0, at = 0, elen = 0;
    uint8_t *b = (uint8_t *)read_rel(mo->dir, rel, &len);
    assert_non_null(b);
    for (uint64_t i = n * 256; i <= index; i++) {
        assert_true(at + 2 <= len);
        elen = (size_t)b[at] << 8 | b[at + 1];
        at += 2 + elen;
        assert_true(at <= len);
    }
    uint8_t *buf = mem_alloc(elen + 1);
    buf[0] = 0;
    memcpy(buf + 1, b + at - elen, elen);
    crypto_hash_sha256(out, buf, elen + 1);
    free(buf);
    free(b);
}

/* The monitor checks the entry's inclusion in its checkpoint, and that the
 * log serves the same proof. */
static void monitor_check_inclusion(const monitor *mo, const tlog *l, uint64_t index)
{
    uint8_t proof[MERKLE_PROOF_MAX][H], served[MERKLE_PROOF_MAX][H], leaf[H];
    size_t n = mon_path(mo, index, 0, mo->cp.size, proof, 0), ns = 0;
    mon_leaf(mo, index, leaf);
    assert_int_equal(merkle_verify_inclusion(leaf, index, mo->cp.size,
                                             (const uint8_t (*)[H])proof, n, mo->cp.root),
                     0);
    assert_int_equal(tlog_inclusion_proof(l, index, mo->cp.size, served, &ns), 0);
    assert_int_equal(ns, n);
    if (n)
        assert_memory_equal(served, proof, n * H);
    leaf[0] ^= 1;
    assert_int_equal(merkle_verify_inclusion(leaf, index, mo->cp.size,
                                             (const uint8_t (*)[H])proof, n, mo->cp.root),
                     ERR_INVALID);
}

/* From an older checkpoint to this one, with the proof from the tiles. */
static void monitor_check_consistency(const monitor *mo, const tlog *l, const checkpoint *old)
{
    uint8_t proof[MERKLE_PROOF_MAX][H], served[MERKLE_PROOF_MAX][H];
    size_t n = old->size == 0 || old->size == mo->cp.size
                   ? 0 : mon_subproof(mo, old->size, 0, mo->cp.size, true, proof, 0);
    size_t ns = 0;
    assert_int_equal(merkle_verify_consistency(old->size, mo->cp.size, old->root, mo->cp.root,
                                               (const uint8_t (*)[H])proof, n),
                     0);
    assert_int_equal(tlog_consistency_proof(l, old->size, mo->cp.size, served, &ns), 0);
    assert_int_equal(ns, n);
    if (n)
        assert_memory_equal(served, proof, n * H);
}

static void monitor_free(monitor *mo)
{
    free(mo->note);
}

static char *verifier_string(const tlog *l)
{
    return note_verifier_format(tlog_verifier(l));
}

/* ---- tests ---- */

static void test_paths(void **state)
{
    (void)state;
    static const struct {
        int level;
        uint64_t n;
        unsigned w;
        const char *want;
    } cases[] = {
        {0, 0, 256, "tile/0/000"},
        {0, 255, 256, "tile/0/255"},
        {0, 256, 256, "tile/0/256"},
        {0, 999, 256, "tile/0/999"},
        {0, 1000, 256, "tile/0/x001/000"},
        {0, 1234067, 256, "tile/0/x001/x234/067"},
        {TLOG_ENTRIES, 1234067, 8, "tile/entries/x001/x234/067.p/8"},
        {TLOG_ENTRIES, 0, 256, "tile/entries/000"},
        {1, 5, 1, "tile/1/005.p/1"},
        {2, 0, 255, "tile/2/000.p/255"},
        {63, UINT64_MAX, 255, "tile/63/x018/x446/x744/x073/x709/x551/615.p/255"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char buf[TLOG_PATH_MAX];
        size_t len = tlog_tile_path(buf, cases[i].level, cases[i].n, cases[i].w);
        assert_string_equal(buf, cases[i].want);
        assert_int_equal(len, strlen(cases[i].want));
        assert_true(len < TLOG_PATH_MAX);
    }
}

/* Size and root of the log match the model; the checkpoint verifies. */
static void check_published(const char *dir, const tlog *l, const model *m)
{
    uint8_t want[H], got[H];
    naive_mth((const uint8_t (*)[H])m->leaf, m->n, want);
    assert_int_equal(tlog_size(l), m->n);
    assert_int_equal(tlog_published_size(l), m->n);
    assert_int_equal(tlog_root(l, m->n, got), 0);
    assert_memory_equal(got, want, H);
    char *vkey = verifier_string(l);
    monitor mo;
    monitor_load(&mo, dir, vkey);
    assert_int_equal(mo.cp.size, m->n);
    assert_memory_equal(mo.cp.root, want, H);
    size_t len = 0;
    const char *text = tlog_checkpoint_text(l, &len);
    assert_int_equal(len, strlen(mo.note));
    assert_memory_equal(text, mo.note, len);
    monitor_free(&mo);
    free(vkey);
}

static void test_random_batches(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    tlog *l = NULL;
    model m = {0};
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    assert_int_equal(tlog_size(l), 0);
    check_published(fx->dir, l, &m); /* the empty tree is signed at once */
    checkpoint prev = {0};
    crypto_hash_sha256(prev.root, NULL, 0);
    char *vkey = verifier_string(l);
    while (m.n < 3000) {
        size_t batch = 1 + (size_t)(rnd() % 700);
        for (size_t i = 0; i < batch; i++)
            append_random(l, &m, 300);
        assert_int_equal(tlog_published_size(l) + batch, tlog_size(l));
        assert_int_equal(tlog_publish(l, &e), 0);
        check_published(fx->dir, l, &m);
        check_tiles(fx->dir, &m, m.n);
        check_bundles(fx->dir, &m, m.n);
        check_no_strays(fx->dir, m.n);
        monitor mo;
        monitor_load(&mo, fx->dir, vkey);
        monitor_check_consistency(&mo, l, &prev);
        for (int k = 0; k < 20; k++)
            monitor_check_inclusion(&mo, l, rnd() % m.n);
        check_partials(fx->dir, m.n, prev.size, 300);
        prev = mo.cp;
        monitor_free(&mo);
    }
    /* Publishing nothing new changes nothing. */
    size_t len = 0;
    char *before = mem_strdup(tlog_checkpoint_text(l, &len));
    assert_int_equal(tlog_publish(l, &e), 0);
    assert_string_equal(tlog_checkpoint_text(l, &len), before);
    free(before);

    /* Every entry reads back, from memory or from its bundle. */
    for (size_t i = 0; i < m.n; i++) {
        uint8_t *p = NULL;
        size_t plen = 0;
        assert_int_equal(tlog_entry(l, i, &p, &plen, &e), 0);
        assert_int_equal(plen, m.len[i]);
        if (plen)
            assert_memory_equal(p, m.entry[i], plen);
        free(p);
    }
    uint8_t *p = NULL;
    size_t plen = 0;
    assert_int_equal(tlog_entry(l, m.n, &p, &plen, &e), ERR_NOTFOUND);
    assert_string_equal(e.code, "TLOG_INDEX");
    tlog_close(l);

    /* Re-open: the same tree, then it grows on. */
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    check_published(fx->dir, l, &m);
    for (int i = 0; i < 300; i++)
        append_random(l, &m, 50);
    assert_int_equal(tlog_publish(l, &e), 0);
    check_published(fx->dir, l, &m);
    check_tiles(fx->dir, &m, m.n);
    check_no_strays(fx->dir, m.n);
    for (size_t i = m.n - 400; i < m.n; i++) {
        assert_int_equal(tlog_entry(l, i, &p, &plen, &e), 0);
        assert_int_equal(plen, m.len[i]);
        free(p);
    }
    tlog_close(l);
    free(vkey);
    model_free(&m);
}

/* The example of the tlog-tiles spec: a tree of 70,000 entries is 273 full
 * level-0 tiles and one of width 112, one full level-1 tile and one of
 * width 17, and one level-2 tile of width 1. */
static void test_spec_example(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    tlog *l = NULL;
    model m = {0};
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    while (m.n < 70000) {
        size_t batch = 1 + (size_t)(rnd() % 9000);
        for (size_t i = 0; i < batch && m.n < 70000; i++)
            append_random(l, &m, 8);
        assert_int_equal(tlog_publish(l, &e), 0);
    }
    check_published(fx->dir, l, &m);
    assert_true(file_exists(fx->dir, "tile/0/272"));
    assert_true(file_exists(fx->dir, "tile/0/273.p/112"));
    assert_false(file_exists(fx->dir, "tile/0/273"));
    assert_true(file_exists(fx->dir, "tile/1/000"));
    assert_true(file_exists(fx->dir, "tile/1/001.p/17"));
    assert_true(file_exists(fx->dir, "tile/2/000.p/1"));
    assert_true(file_exists(fx->dir, "tile/entries/272"));
    assert_true(file_exists(fx->dir, "tile/entries/273.p/112"));
    assert_false(file_exists(fx->dir, "tile/3"));
    check_tiles(fx->dir, &m, m.n);
    check_bundles(fx->dir, &m, m.n);
    check_no_strays(fx->dir, m.n);
    char *vkey = verifier_string(l);
    monitor mo;
    monitor_load(&mo, fx->dir, vkey);
    static const uint64_t idx[] = {0, 1, 255, 256, 65535, 65536, 69631, 69888, 69999};
    for (size_t i = 0; i < sizeof idx / sizeof *idx; i++)
        monitor_check_inclusion(&mo, l, idx[i]);
    monitor_free(&mo);
    free(vkey);
    tlog_close(l);
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    check_published(fx->dir, l, &m);
    tlog_close(l);
    model_free(&m);
}

/* A publish that wrote its tiles but died before the checkpoint: the log
 * comes back at the old checkpoint and other entries may follow. */
static void test_crash_before_checkpoint(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    tlog *l = NULL;
    model m = {0};
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    for (int i = 0; i < 300; i++)
        append_random(l, &m, 100);
    assert_int_equal(tlog_publish(l, &e), 0);
    size_t len = 0;
    char *old = read_rel(fx->dir, "checkpoint", &len);
    for (int i = 0; i < 200; i++)
        append_random(l, &m, 100);
    assert_int_equal(tlog_publish(l, &e), 0);
    tlog_close(l);
    char path[128];
    snprintf(path, sizeof path, "%s/checkpoint", fx->dir);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fwrite(old, 1, len, f);
    fclose(f);
    free(old);

    model m2 = {0};
    for (size_t i = 0; i < 300; i++)
        model_add(&m2, m.entry[i], m.len[i]);
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    assert_int_equal(tlog_size(l), 300);
    for (int i = 0; i < 250; i++)
        append_random(l, &m2, 100);
    assert_int_equal(tlog_publish(l, &e), 0);
    check_published(fx->dir, l, &m2);
    check_tiles(fx->dir, &m2, m2.n);
    check_bundles(fx->dir, &m2, m2.n);
    tlog_close(l);
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    check_published(fx->dir, l, &m2);
    tlog_close(l);
    model_free(&m);
    model_free(&m2);
}

/* One entry per publish, the worst case for partials: every publish
 * rewrites the edge bundle of up to 255 entries. After each one only the
 * partials of the last two checkpoints are on disk, within the bound of
 * tlog.h, and the files verify; re-opened, only the checkpoint's own
 * partials stay. */
static void test_one_per_publish(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    tlog *l = NULL;
    model m = {0};
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    for (int i = 0; i < 1000; i++) {
        uint64_t prev = tlog_published_size(l);
        append_random(l, &m, 300);
        assert_int_equal(tlog_publish(l, &e), 0);
        check_partials(fx->dir, m.n, prev, 300);
        check_read_verify(fx->dir, l);
    }
    check_tiles(fx->dir, &m, m.n);
    check_bundles(fx->dir, &m, m.n);
    tlog_close(l);
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    check_published(fx->dir, l, &m);
    check_partials(fx->dir, m.n, m.n, 300);
    check_read_verify(fx->dir, l);
    tlog_close(l);
    model_free(&m);
}

static void write_rel(const char *dir, const char *rel, const char *buf, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(buf, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* write_rel, creating the missing directories of rel first. */
static void put_rel(const char *dir, const char *rel, const char *buf, size_t len)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    for (char *s = path + strlen(dir) + 1; (s = strchr(s, '/')) != NULL; *s++ = '/') {
        *s = '\0';
        assert_true(mkdir(path, 0755) == 0 || errno == EEXIST);
    }
    write_rel(dir, rel, buf, len);
}

/* What a kill can leave: between signing 600 entries and pruning, the
 * partials of 200 entries beside tiles now full; at the edge, partials of
 * older checkpoints and wider ones of a publish never signed; partials
 * past the edge; temporary files of tiles and of the checkpoint. tlog_open
 * removes them all and nothing the checkpoint needs; a file it cannot
 * remove does not stop it, and names the log never writes are left. */
static void test_crash_leftovers(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    tlog *l = NULL;
    model m = {0};
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    for (int i = 0; i < 200; i++)
        append_random(l, &m, 40);
    assert_int_equal(tlog_publish(l, &e), 0);
    size_t tlen = 0, blen = 0;
    char *tile200 = read_rel(fx->dir, "tile/0/000.p/200", &tlen);
    char *bundle200 = read_rel(fx->dir, "tile/entries/000.p/200", &blen);
    assert_non_null(tile200);
    assert_non_null(bundle200);
    for (int i = 0; i < 400; i++)
        append_random(l, &m, 40);
    assert_int_equal(tlog_publish(l, &e), 0);
    tlog_close(l);

    static const char *const stale[] = {
        "tile/0/000.p/200", "tile/entries/000.p/200",        /* tiles now full */
        "tile/0/002.p/50", "tile/entries/002.p/87",          /* older at the edge */
        "tile/0/002.p/120", "tile/entries/002.p/255",        /* wider, never signed */
        "tile/1/000.p/3", "tile/0/003.p/1", "tile/2/000.p/1", /* past the edge */
        "tile/0/002.p/88.tmp.Ab3dE9", "tile/0/001.tmp.q1W2e3", "tile/entries/001.tmp.zzzzzz",
        "tile/1/000.p/2.tmp.abcdef", "checkpoint.tmp.AAAAAA",
    };
    put_rel(fx->dir, stale[0], tile200, tlen);
    put_rel(fx->dir, stale[1], bundle200, blen);
    for (size_t i = 2; i < sizeof stale / sizeof *stale; i++)
        put_rel(fx->dir, stale[i], "stale", 5);
    put_rel(fx->dir, "tile/entries/001.p/7/x", "x", 1); /* unremovable: a directory */
    put_rel(fx->dir, "tile/0/README", "not the log's", 13);

    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    for (size_t i = 0; i < sizeof stale / sizeof *stale; i++)
        if (file_exists(fx->dir, stale[i]))
            fail_msg("%s survived tlog_open", stale[i]);
    assert_true(file_exists(fx->dir, "tile/entries/001.p/7/x"));
    assert_true(file_exists(fx->dir, "tile/0/README"));
    assert_true(file_exists(fx->dir, "tile/0/002.p/88"));
    assert_true(file_exists(fx->dir, "tile/entries/002.p/88"));
    assert_true(file_exists(fx->dir, "tile/1/000.p/2"));
    check_published(fx->dir, l, &m);
    check_tiles(fx->dir, &m, m.n);
    check_bundles(fx->dir, &m, m.n);
    check_read_verify(fx->dir, l);
    char path[256];
    snprintf(path, sizeof path, "%s/tile/0/README", fx->dir);
    assert_int_equal(unlink(path), 0);
    snprintf(path, sizeof path, "%s/tile/entries/001.p", fx->dir);
    test_remove_tree(path);
    check_partials(fx->dir, m.n, m.n, 40);

    /* It grows on from there, and opens again. */
    for (int i = 0; i < 100; i++)
        append_random(l, &m, 40);
    assert_int_equal(tlog_publish(l, &e), 0);
    check_partials(fx->dir, m.n, 600, 40);
    tlog_close(l);
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    check_published(fx->dir, l, &m);
    check_read_verify(fx->dir, l);
    tlog_close(l);
    free(tile200);
    free(bundle200);
    model_free(&m);
}

/* A log of 600 entries on disk, closed. */
/* Every leaf of the log equals the model's, whether the tree kept it or
 * it came back from a tile; those below the last full tile of the edge
 * were forgotten. */
static void check_leaves(const tlog *l, const model *m)
{
    const merkle_tree *t = tlog_tree(l);
    uint64_t base = tlog_published_size(l) / TLOG_TILE_WIDTH * TLOG_TILE_WIDTH;
    for (uint64_t i = 0; i < m->n; i++) {
        uint8_t h[H];
        err_info e = {0};
        assert_int_equal(merkle_tree_get(t, 0, i, h, &e), 0);
        assert_memory_equal(h, m->leaf[i], H);
        assert_true((merkle_tree_hash(t, 0, i) == NULL) == (i < base));
    }
}

/* The tree forgets the levels the full level-0 tiles hold, once they are
 * published, and reads them back from the tiles (after a reopen too),
 * each tile checked against the tree's hash of it: a tile changed, short
 * or gone is TLOG_CORRUPT (or the file's error), never a wrong hash. */
static void test_forgets_into_tiles(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    tlog *l = NULL;
    model m = {0};
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    for (int i = 0; i < 1000; i++)
        append_random(l, &m, 40);
    check_leaves(l, &m); /* nothing published: all kept */
    assert_int_equal(tlog_publish(l, &e), 0);
    check_leaves(l, &m);
    check_published(fx->dir, l, &m);
    uint8_t *entry = NULL;
    size_t len = 0;
    assert_int_equal(tlog_entry(l, 5, &entry, &len, &e), 0); /* from its bundle */
    assert_int_equal(len, m.len[5]);
    free(entry);

    char rel[TLOG_PATH_MAX];
    tlog_tile_path(rel, 0, 0, TLOG_TILE_WIDTH);
    size_t tlen = 0;
    char *tile = read_rel(fx->dir, rel, &tlen);
    uint8_t h[H];
    assert_int_equal(merkle_tree_get(tlog_tree(l), 0, 600, h, &e), 0); /* tile 2 in hand */
    tile[100] ^= 1;
    write_rel(fx->dir, rel, tile, tlen);
    assert_int_equal(merkle_tree_get(tlog_tree(l), 0, 5, h, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_CORRUPT");
    assert_int_equal(tlog_entry(l, 5, &entry, &len, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_CORRUPT");
    write_rel(fx->dir, rel, tile, tlen - H); /* short */
    assert_int_equal(merkle_tree_get(tlog_tree(l), 0, 5, h, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_CORRUPT");
    char path[512];
    snprintf(path, sizeof path, "%s/%s", fx->dir, rel);
    assert_int_equal(unlink(path), 0);
    e = (err_info){0};
    assert_true(merkle_tree_get(tlog_tree(l), 0, 5, h, &e) < 0);
    assert_non_null(e.code);
    tile[100] ^= 1;
    write_rel(fx->dir, rel, tile, tlen);
    free(tile);
    check_leaves(l, &m);

    /* more entries, then a reopen: the recovery forgets as it goes */
    for (int i = 0; i < 700; i++)
        append_random(l, &m, 40);
    assert_int_equal(tlog_publish(l, &e), 0);
    check_leaves(l, &m);
    tlog_close(l);
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    check_leaves(l, &m);
    check_published(fx->dir, l, &m);
    for (int i = 0; i < 300; i++)
        append_random(l, &m, 40);
    assert_int_equal(tlog_publish(l, &e), 0);
    check_leaves(l, &m);
    check_published(fx->dir, l, &m);
    check_read_verify(fx->dir, l);
    tlog_close(l);
    model_free(&m);
}

static void make_log(const char *dir, model *m)
{
    err_info e = {0};
    tlog *l = NULL;
    assert_int_equal(tlog_open(dir, ORIGIN, seed, &l, &e), 0);
    for (int i = 0; i < 600; i++)
        append_random(l, m, 40);
    assert_int_equal(tlog_publish(l, &e), 0);
    tlog_close(l);
}

static void expect_open_fails(const char *dir, const char *code)
{
    err_info e = {0};
    tlog *l = NULL;
    assert_int_equal(tlog_open(dir, ORIGIN, seed, &l, &e), ERR_INVALID);
    assert_string_equal(e.code, code);
    assert_null(l);
}

/* Change one file, expect the log to refuse to open, put the file back. */
static void corrupt_and_check(const char *dir, const char *rel, size_t at, int delta,
                              long resize, const char *code)
{
    size_t len = 0;
    char *orig = read_rel(dir, rel, &len);
    assert_non_null(orig);
    char *bad = mem_alloc(len + 16);
    memcpy(bad, orig, len);
    memset(bad + len, 0, 16);
    bad[at] = (char)(bad[at] + delta);
    write_rel(dir, rel, bad, (size_t)((long)len + resize));
    expect_open_fails(dir, code);
    write_rel(dir, rel, orig, len);
    free(bad);
    free(orig);
}

static void test_corruption_refused(void **state)
{
    fixture *fx = *state;
    model m = {0};
    make_log(fx->dir, &m);
    corrupt_and_check(fx->dir, "tile/0/000", 5, 1, 0, "TLOG_CORRUPT");
    corrupt_and_check(fx->dir, "tile/0/002.p/88", 87 * 32, 1, 0, "TLOG_CORRUPT");
    corrupt_and_check(fx->dir, "tile/0/001", 0, 0, -32, "TLOG_CORRUPT");
    corrupt_and_check(fx->dir, "tile/1/000.p/2", 40, 1, 0, "TLOG_CORRUPT");
    corrupt_and_check(fx->dir, "tile/entries/000", 10, 1, 0, "TLOG_CORRUPT");
    corrupt_and_check(fx->dir, "tile/entries/002.p/88", 0, 0, 1, "TLOG_CORRUPT");
    corrupt_and_check(fx->dir, "tile/entries/002.p/88", 0, 0, -1, "TLOG_CORRUPT");
    corrupt_and_check(fx->dir, "tile/entries/001", 0, 1, 0, "TLOG_CORRUPT");
    corrupt_and_check(fx->dir, "checkpoint", 30, 1, 0, "TLOG_CORRUPT");

    /* A file the checkpoint needs is missing. */
    char path[256], moved[256];
    snprintf(path, sizeof path, "%s/tile/entries/001", fx->dir);
    snprintf(moved, sizeof moved, "%s/moved", fx->dir);
    assert_int_equal(rename(path, moved), 0);
    expect_open_fails(fx->dir, "TLOG_CORRUPT");
    assert_int_equal(rename(moved, path), 0);
    snprintf(path, sizeof path, "%s/tile/1/000.p/2", fx->dir);
    assert_int_equal(rename(path, moved), 0);
    expect_open_fails(fx->dir, "TLOG_CORRUPT");
    assert_int_equal(rename(moved, path), 0);

    /* A checkpoint signed by the right key over a root the files do not
     * give; then no checkpoint at all next to the tiles. */
    size_t len = 0;
    char *cp = read_rel(fx->dir, "checkpoint", &len);
    note_signer s;
    err_info e = {0};
    assert_int_equal(note_signer_from_seed(&s, ORIGIN, seed, &e), 0);
    checkpoint forged = {.size = 600};
    snprintf(forged.origin, sizeof forged.origin, ORIGIN);
    memset(forged.root, 7, H);
    char *text = NULL, *msg = NULL;
    size_t tl = 0, ml = 0;
    assert_int_equal(checkpoint_format(&forged, &text, &tl, &e), 0);
    assert_int_equal(note_sign(&s, text, tl, &msg, &ml, &e), 0);
    write_rel(fx->dir, "checkpoint", msg, ml);
    expect_open_fails(fx->dir, "TLOG_CORRUPT");
    snprintf(path, sizeof path, "%s/checkpoint", fx->dir);
    assert_int_equal(unlink(path), 0);
    expect_open_fails(fx->dir, "TLOG_CORRUPT");
    write_rel(fx->dir, "checkpoint", cp, len);
    free(text);
    free(msg);
    note_signer_wipe(&s);

    /* Another key, or another origin, is not this log. */
    tlog *l = NULL;
    uint8_t other[NOTE_SEED_SIZE] = {9};
    assert_int_equal(tlog_open(fx->dir, ORIGIN, other, &l, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_KEY");
    assert_int_equal(tlog_open(fx->dir, "rekap.example/other", seed, &l, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_KEY");

    /* Restored, it opens again with everything in it. */
    assert_int_equal(tlog_open(fx->dir, ORIGIN, seed, &l, &e), 0);
    check_published(fx->dir, l, &m);
    tlog_close(l);
    free(cp);
    model_free(&m);
}

static void test_errors(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    tlog *l = NULL;
    assert_int_equal(tlog_open(fx->dir, "bad origin", seed, &l, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_ORIGIN");
    assert_int_equal(tlog_open(fx->dir, "a+b", seed, &l, &e), ERR_INVALID);
    char path[256];
    snprintf(path, sizeof path, "%s/no/such/dir", fx->dir);
    assert_int_equal(tlog_open(path, ORIGIN, seed, &l, &e), ERR_IO);
    assert_string_equal(e.code, "TLOG_DIR");

    snprintf(path, sizeof path, "%s/log", fx->dir);
    assert_int_equal(tlog_open(path, ORIGIN, seed, &l, &e), 0);
    static uint8_t big[TLOG_ENTRY_MAX + 1];
    uint64_t idx = 99;
    assert_int_equal(tlog_append(l, big, sizeof big, &idx, &e), ERR_LIMIT);
    assert_string_equal(e.code, "TLOG_ENTRY_TOO_LARGE");
    assert_int_equal(tlog_size(l), 0);
    assert_int_equal(tlog_append(l, big, TLOG_ENTRY_MAX, &idx, &e), 0);
    assert_int_equal(idx, 0);
    assert_int_equal(tlog_append(l, NULL, 0, &idx, &e), 0);
    assert_int_equal(idx, 1);

    /* A file where the tile directory must go: publishing fails, signs
     * nothing, leaves no temporary file, and works once it is gone. */
    char tile[300];
    snprintf(tile, sizeof tile, "%s/tile", path);
    write_rel(path, "tile", "x", 1);
    size_t len = 0;
    char *before = mem_strdup(tlog_checkpoint_text(l, &len));
    assert_int_equal(tlog_publish(l, &e), ERR_IO);
    assert_string_equal(e.code, "TLOG_WRITE");
    assert_int_equal(tlog_published_size(l), 0);
    assert_string_equal(tlog_checkpoint_text(l, &len), before);
    size_t clen = 0;
    char *disk = read_rel(path, "checkpoint", &clen);
    assert_string_equal(disk, before);
    free(disk);
    free(before);
    assert_int_equal(unlink(tile), 0);
    assert_int_equal(tlog_publish(l, &e), 0);
    assert_int_equal(tlog_published_size(l), 2);
    check_no_strays(path, 2);
    uint8_t *p = NULL;
    size_t plen = 0;
    assert_int_equal(tlog_entry(l, 0, &p, &plen, &e), 0);
    assert_int_equal(plen, TLOG_ENTRY_MAX);
    free(p);
    uint8_t proof[MERKLE_PROOF_MAX][H];
    size_t n = 0;
    assert_int_equal(tlog_inclusion_proof(l, 2, 2, proof, &n), ERR_INVALID);
    assert_int_equal(tlog_consistency_proof(l, 1, 3, proof, &n), ERR_INVALID);
    uint8_t root[H];
    assert_int_equal(tlog_root(l, 3, root), ERR_INVALID);
    tlog_close(l);
    tlog_close(NULL);
    /* The largest entry survives a re-open (a bundle of one 64 KiB entry). */
    assert_int_equal(tlog_open(path, ORIGIN, seed, &l, &e), 0);
    assert_int_equal(tlog_size(l), 2);
    tlog_close(l);
}


/* ---- a follower (a public replica) ---- */

/* The files of dir a and dir b (recursively from rel) are the same names
 * with the same bytes. */
static void check_same_tree(const char *a, const char *b, const char *rel)
{
    char pa[512], pb[512];
    snprintf(pa, sizeof pa, "%s/%s", a, rel);
    snprintf(pb, sizeof pb, "%s/%s", b, rel);
    struct stat sa, sb;
    assert_int_equal(stat(pa, &sa), 0);
    assert_int_equal(stat(pb, &sb), 0);
    assert_int_equal(S_ISDIR(sa.st_mode), S_ISDIR(sb.st_mode));
    if (!S_ISDIR(sa.st_mode)) {
        size_t la = 0, lb = 0;
        char *ba = read_rel(a, rel, &la), *bb = read_rel(b, rel, &lb);
        assert_int_equal(la, lb);
        assert_memory_equal(ba, bb, la);
        free(ba);
        free(bb);
        return;
    }
    size_t na = 0, nb = 0;
    for (int side = 0; side < 2; side++) { /* the same number of names on each side */
        DIR *d = opendir(side ? pb : pa);
        assert_non_null(d);
        struct dirent *de;
        while ((de = readdir(d)))
            if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
                *(side ? &nb : &na) += 1;
                if (!side) {
                    char sub[512];
                    snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name);
                    check_same_tree(a, b, sub);
                }
            }
        closedir(d);
    }
    assert_int_equal(na, nb);
}

/* The signed checkpoint text of l, copied. */
static char *checkpoint_copy(const tlog *l, size_t *len)
{
    const char *t = tlog_checkpoint_text(l, len);
    char *c = mem_alloc(*len + 1);
    memcpy(c, t, *len);
    c[*len] = '\0';
    return c;
}

/* A follower fed the signer's entries, a little ahead of its checkpoints
 * as a replica is, adopts every checkpoint and ends with the signer's
 * files byte for byte; it reopens from them; it cannot sign. */
static void test_follower(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    char sdir[128], fdir[128];
    snprintf(sdir, sizeof sdir, "%s/signer", fx->dir);
    snprintf(fdir, sizeof fdir, "%s/follower", fx->dir);
    tlog *s = NULL, *f = NULL;
    model m = {0};
    assert_int_equal(tlog_open(sdir, ORIGIN, seed, &s, &e), 0);
    assert_int_equal(tlog_open_follower(fdir, tlog_verifier(s), &f, &e), 0);
    size_t len = 0;
    assert_null(tlog_checkpoint_text(f, &len)); /* nothing adopted yet */
    assert_false(file_exists(fdir, "checkpoint"));
    assert_int_equal(tlog_publish(f, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_FOLLOWER");
    size_t fed = 0;
    for (int round = 0; round < 40; round++) {
        size_t batch = (size_t)(rnd() % 300);
        for (size_t i = 0; i < batch; i++)
            append_random(s, &m, 200);
        if (round % 3 != 1)
            assert_int_equal(tlog_publish(s, &e), 0);
        char *cp = checkpoint_copy(s, &len);
        /* the follower has the entries up to the signer's edge */
        for (; fed < m.n; fed++) {
            uint64_t idx;
            assert_int_equal(tlog_append(f, m.entry[fed], m.len[fed], &idx, &e), 0);
            assert_int_equal(idx, fed);
        }
        assert_int_equal(tlog_adopt(f, cp, len, &e), 0);
        assert_int_equal(tlog_published_size(f), tlog_published_size(s));
        size_t flen = 0;
        assert_memory_equal(tlog_checkpoint_text(f, &flen), cp, len);
        assert_int_equal(flen, len);
        if (tlog_published_size(s) == m.n)
            check_same_tree(sdir, fdir, "");
        assert_int_equal(tlog_adopt(f, cp, len, &e), 0); /* again: nothing to do */
        free(cp);
    }
    assert_int_equal(tlog_publish(s, &e), 0);
    char *cp = checkpoint_copy(s, &len);
    assert_int_equal(tlog_adopt(f, cp, len, &e), 0);
    check_same_tree(sdir, fdir, "");
    check_tiles(fdir, &m, m.n);
    check_bundles(fdir, &m, m.n);
    tlog_close(f);
    /* reopened, the follower recovers its tree from its own files */
    assert_int_equal(tlog_open_follower(fdir, tlog_verifier(s), &f, &e), 0);
    assert_int_equal(tlog_size(f), m.n);
    assert_int_equal(tlog_published_size(f), m.n);
    size_t flen = 0;
    assert_memory_equal(tlog_checkpoint_text(f, &flen), cp, len);
    free(cp);
    tlog_close(f);
    tlog_close(s);
    model_free(&m);
}

/* What a follower refuses: another key's checkpoint, a checkpoint past
 * its entries (until they come), a root its entries do not give (a fork),
 * and an older checkpoint; a refusal changes nothing on disk. */
static void test_follower_refuses(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    char sdir[128], fdir[128], odir[128];
    snprintf(sdir, sizeof sdir, "%s/signer", fx->dir);
    snprintf(fdir, sizeof fdir, "%s/follower", fx->dir);
    snprintf(odir, sizeof odir, "%s/other", fx->dir);
    static const uint8_t other_seed[NOTE_SEED_SIZE] = {9, 9, 9};
    tlog *s = NULL, *f = NULL, *o = NULL;
    model m = {0};
    assert_int_equal(tlog_open(sdir, ORIGIN, seed, &s, &e), 0);
    assert_int_equal(tlog_open(odir, ORIGIN, other_seed, &o, &e), 0);
    assert_int_equal(tlog_open_follower(fdir, tlog_verifier(s), &f, &e), 0);
    for (int i = 0; i < 300; i++)
        append_random(s, &m, 100);
    assert_int_equal(tlog_publish(s, &e), 0);
    size_t len = 0, olen = 0;
    char *old = checkpoint_copy(s, &len);
    uint64_t idx;
    for (size_t i = 0; i < m.n; i++) {
        assert_int_equal(tlog_append(o, m.entry[i], m.len[i], &idx, &e), 0);
        if (i < 200)
            assert_int_equal(tlog_append(f, m.entry[i], m.len[i], &idx, &e), 0);
    }
    assert_int_equal(tlog_publish(o, &e), 0);
    char *forged = checkpoint_copy(o, &olen); /* same entries, another key */
    assert_int_equal(tlog_adopt(f, forged, olen, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_KEY");
    assert_int_equal(tlog_adopt(f, old, len, &e), ERR_LIMIT); /* 300 > the 200 it holds */
    assert_string_equal(e.code, "TLOG_CHECKPOINT_AHEAD");
    assert_false(file_exists(fdir, "checkpoint"));
    for (size_t i = 200; i < m.n; i++)
        assert_int_equal(tlog_append(f, m.entry[i], m.len[i], &idx, &e), 0);
    assert_int_equal(tlog_adopt(f, old, len, &e), 0); /* now it holds them */
    /* the signer moves on with an entry the follower never saw */
    for (int i = 0; i < 10; i++)
        append_random(s, &m, 100);
    assert_int_equal(tlog_publish(s, &e), 0);
    char *next = checkpoint_copy(s, &len);
    const uint8_t bogus[] = "not the signer's entry";
    for (int i = 0; i < 10; i++)
        assert_int_equal(tlog_append(f, i == 4 ? bogus : m.entry[300 + i],
                                     i == 4 ? sizeof bogus : m.len[300 + i], &idx, &e), 0);
    assert_int_equal(tlog_adopt(f, next, len, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_FORK");
    assert_int_equal(tlog_published_size(f), 300);
    size_t flen = 0;
    char *served = checkpoint_copy(f, &flen);
    assert_true(strstr(served, "\n300\n") != NULL); /* still the old one */
    char *ondisk = read_rel(fdir, "checkpoint", &flen);
    assert_memory_equal(ondisk, served, flen);
    free(ondisk);
    free(served);
    /* a checkpoint older than the one adopted */
    tlog_close(f);
    assert_int_equal(tlog_open_follower(fdir, tlog_verifier(s), &f, &e), 0);
    for (size_t i = 300; i < m.n; i++)
        assert_int_equal(tlog_append(f, m.entry[i], m.len[i], &idx, &e), 0);
    assert_int_equal(tlog_adopt(f, next, len, &e), 0);
    assert_int_equal(tlog_adopt(f, old, strlen(old), &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_CHECKPOINT_OLDER");
    /* a follower opened on a signer's files with another key refuses them */
    tlog_close(f);
    assert_int_equal(tlog_open_follower(fdir, tlog_verifier(o), &f, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_KEY");
    free(old);
    free(next);
    free(forged);
    tlog_close(s);
    tlog_close(o);
    model_free(&m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_paths),
        cmocka_unit_test_setup_teardown(test_random_batches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_spec_example, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_before_checkpoint, setup, teardown),
        cmocka_unit_test_setup_teardown(test_one_per_publish, setup, teardown),
        cmocka_unit_test_setup_teardown(test_forgets_into_tiles, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crash_leftovers, setup, teardown),
        cmocka_unit_test_setup_teardown(test_corruption_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follower, setup, teardown),
        cmocka_unit_test_setup_teardown(test_follower_refuses, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
