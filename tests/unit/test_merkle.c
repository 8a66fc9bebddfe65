/* Tests for merkle: the published RFC 6962 vectors, then every tree size up
 * to 300 against a naive implementation written straight from the RFC 6962
 * section 2.1 definitions (MTH, PATH, PROOF), from the tree and from
 * another source of hashes (with its errors), a tree that forgets its
 * lower levels, then verification rejecting every corruption. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core/err.h"
#include "core/merkle.h"

#define H MERKLE_HASH_SIZE
#define MAX_LEAVES 300
/* Up to this size every corruption and misuse is tried on every proof;
 * above it one flipped hash per proof (the hashing cost grows fast). */
#define THOROUGH_SIZE 100

/* ---- naive RFC 6962 section 2.1, over a fixed set of leaf hashes ---- */

static uint8_t leaves[MAX_LEAVES][H];
static uint8_t memo[MAX_LEAVES + 1][MAX_LEAVES + 1][H]; /* MTH(D[lo:hi]) */
static bool memo_set[MAX_LEAVES + 1][MAX_LEAVES + 1];

static uint64_t largest_pow2_below(uint64_t n)
{
    uint64_t k = 1;
    while (k * 2 < n)
        k *= 2;
    return k;
}

static void naive_node(const uint8_t *l, const uint8_t *r, uint8_t *out)
{
    uint8_t buf[1 + 2 * H];
    buf[0] = 1;
    memcpy(buf + 1, l, H);
    memcpy(buf + 1 + H, r, H);
    crypto_hash_sha256(out, buf, sizeof buf);
}

/* MTH(D[lo:hi]) by the recursive definition (memoised: the leaves never
 * change, so each range is computed once). */
static const uint8_t *mth(uint64_t lo, uint64_t hi)
{
    if (!memo_set[lo][hi]) {
        uint64_t n = hi - lo;
        if (n == 0)
            crypto_hash_sha256(memo[lo][hi], NULL, 0);
        else if (n == 1)
            memcpy(memo[lo][hi], leaves[lo], H);
        else {
            uint64_t k = largest_pow2_below(n);
            naive_node(mth(lo, lo + k), mth(lo + k, hi), memo[lo][hi]);
        }
        memo_set[lo][hi] = true;
    }
    return memo[lo][hi];
}

/* PATH(m, D[lo:hi]), appended to out; returns the new count. */
static size_t naive_path(uint64_t m, uint64_t lo, uint64_t hi, uint8_t (*out)[H], size_t n)
{
    uint64_t size = hi - lo;
    if (size == 1)
        return n;
    uint64_t k = largest_pow2_below(size);
    if (m < k) {
        n = naive_path(m, lo, lo + k, out, n);
        memcpy(out[n], mth(lo + k, hi), H);
    } else {
        n = naive_path(m - k, lo + k, hi, out, n);
        memcpy(out[n], mth(lo, lo + k), H);
    }
    return n + 1;
}

/* SUBPROOF(m, D[lo:hi], b), appended to out; returns the new count. */
static size_t naive_subproof(uint64_t m, uint64_t lo, uint64_t hi, bool b,
                             uint8_t (*out)[H], size_t n)
{
    uint64_t size = hi - lo;
    if (m == size) {
        if (b)
            return n;
        memcpy(out[n], mth(lo, hi), H);
        return n + 1;
    }
    uint64_t k = largest_pow2_below(size);
    if (m <= k) {
        n = naive_subproof(m, lo, lo + k, b, out, n);
        memcpy(out[n], mth(lo + k, hi), H);
    } else {
        n = naive_subproof(m - k, lo + k, hi, false, out, n);
        memcpy(out[n], mth(lo, lo + k), H);
    }
    return n + 1;
}

/* PROOF(m, D[n]); empty for m = 0 or m = n. */
static size_t naive_proof(uint64_t m, uint64_t size, uint8_t (*out)[H])
{
    return m == 0 || m == size ? 0 : naive_subproof(m, 0, size, true, out, 0);
}

static bool proofs_equal(const uint8_t (*a)[H], size_t na, const uint8_t (*b)[H], size_t nb)
{
    return na == nb && (na == 0 || memcmp(a, b, na * H) == 0);
}

/* ---- the RFC 6962 vectors ---- */

static void hex_to_bin(const char *hex, uint8_t *out, size_t *len, size_t max)
{
    assert_int_equal(sodium_hex2bin(out, max, hex, strlen(hex), NULL, len, NULL), 0);
}

static json_t *load_vectors(void)
{
    json_error_t je;
    json_t *v = json_load_file(REKAP_VECTORS_DIR "/rfc6962.json", 0, &je);
    assert_non_null(v);
    return v;
}

static void test_vectors(void **state)
{
    (void)state;
    json_t *v = load_vectors();
    json_t *inputs = json_object_get(v, "leaf_inputs_hex");
    json_t *levels = json_object_get(v, "node_hashes_by_level");
    json_t *roots = json_object_get(v, "root_by_size");
    assert_int_equal(json_array_size(inputs), 8);
    assert_int_equal(json_array_size(roots), 9);

    merkle_tree *t = merkle_tree_new();
    uint8_t hashes[8][H], want[H], got[H];
    for (size_t i = 0; i < 8; i++) {
        uint8_t entry[64];
        size_t len = 0;
        hex_to_bin(json_string_value(json_array_get(inputs, i)), entry, &len, sizeof entry);
        merkle_leaf_hash(entry, len, hashes[i]);
        merkle_tree_append(t, hashes[i]);
    }
    /* Every stored complete-subtree hash, level by level, and nothing more. */
    for (size_t k = 0; k < json_array_size(levels); k++) {
        json_t *lv = json_array_get(levels, k);
        for (size_t i = 0; i < json_array_size(lv); i++) {
            size_t len = 0;
            hex_to_bin(json_string_value(json_array_get(lv, i)), want, &len, H);
            assert_int_equal(len, H);
            const uint8_t *h = merkle_tree_hash(t, (unsigned)k, i);
            assert_non_null(h);
            assert_memory_equal(h, want, H);
        }
        assert_null(merkle_tree_hash(t, (unsigned)k, json_array_size(lv)));
    }
    assert_null(merkle_tree_hash(t, 4, 0));
    for (uint64_t n = 0; n <= 8; n++) {
        size_t len = 0;
        hex_to_bin(json_string_value(json_array_get(roots, n)), want, &len, H);
        assert_int_equal(merkle_tree_root(t, n, got), 0);
        assert_memory_equal(got, want, H);
        merkle_root_of((const uint8_t (*)[H])hashes, n, got);
        assert_memory_equal(got, want, H);
    }
    assert_int_equal(merkle_tree_root(t, 9, got), ERR_INVALID);
    merkle_tree_free(t);
    json_decref(v);
}

/* ---- every size up to MAX_LEAVES against the naive definitions ---- */

static merkle_tree *fixed_tree(void)
{
    merkle_tree *t = merkle_tree_new();
    for (size_t i = 0; i < MAX_LEAVES; i++) {
        uint8_t entry[8];
        for (int b = 0; b < 8; b++)
            entry[b] = (uint8_t)(i >> (8 * b));
        merkle_leaf_hash(entry, sizeof entry, leaves[i]);
        merkle_tree_append(t, leaves[i]);
    }
    return t;
}

static void test_roots(void **state)
{
    (void)state;
    merkle_tree *t = fixed_tree();
    uint8_t got[H];
    for (uint64_t n = 0; n <= MAX_LEAVES; n++) {
        assert_int_equal(merkle_tree_root(t, n, got), 0);
        assert_memory_equal(got, mth(0, n), H);
        merkle_root_of((const uint8_t (*)[H])leaves, n, got);
        assert_memory_equal(got, mth(0, n), H);
    }
    merkle_tree_free(t);
}

/* Verification of a good inclusion proof with one thing changed fails. */
static void check_inclusion_corruptions(uint64_t index, uint64_t size,
                                        uint8_t (*proof)[H], size_t n)
{
    const uint8_t *root = mth(0, size);
    uint8_t bad[H];
    size_t from = size <= THOROUGH_SIZE || n == 0 ? 0 : index % n;
    size_t to = size <= THOROUGH_SIZE || n == 0 ? n : from + 1;
    for (size_t i = from; i < to; i++) {
        proof[i][i % H] ^= 0x40;
        assert_int_equal(merkle_verify_inclusion(leaves[index], index, size,
                                                 (const uint8_t (*)[H])proof, n, root),
                         ERR_INVALID);
        proof[i][i % H] ^= 0x40;
    }
    memcpy(bad, root, H);
    bad[31] ^= 1;
    assert_int_equal(merkle_verify_inclusion(leaves[index], index, size,
                                             (const uint8_t (*)[H])proof, n, bad),
                     ERR_INVALID);
    /* A proof one hash short or one hash long. */
    if (n > 0)
        assert_int_equal(merkle_verify_inclusion(leaves[index], index, size,
                                                 (const uint8_t (*)[H])proof, n - 1, root),
                         ERR_INVALID);
    memcpy(proof[n], root, H);
    assert_int_equal(merkle_verify_inclusion(leaves[index], index, size,
                                             (const uint8_t (*)[H])proof, n + 1, root),
                     ERR_INVALID);
    /* Another leaf at the same place, or this leaf claimed elsewhere. */
    assert_int_equal(merkle_verify_inclusion(leaves[(index + 1) % size], index, size,
                                             (const uint8_t (*)[H])proof, n, root),
                     size == 1 ? 0 : ERR_INVALID);
    assert_int_equal(merkle_verify_inclusion(leaves[index], size, size,
                                             (const uint8_t (*)[H])proof, n, root),
                     ERR_INVALID);
}

/* The proof for (index, size) checked as if it were for another index or
 * size, against that tree's real root: it must verify exactly when the
 * naive proofs of both happen to be the same list. */
static void check_inclusion_misuse(uint64_t index, uint64_t size,
                                   const uint8_t (*proof)[H], size_t n)
{
    uint8_t other[MERKLE_PROOF_MAX][H];
    for (uint64_t s = index + 1; s <= MAX_LEAVES && s <= size + 2; s++) {
        if (s == size)
            continue;
        size_t no = naive_path(index, 0, s, other, 0);
        int want = proofs_equal(proof, n, (const uint8_t (*)[H])other, no) ? 0 : ERR_INVALID;
        assert_int_equal(merkle_verify_inclusion(leaves[index], index, s, proof, n, mth(0, s)),
                         want);
    }
    for (uint64_t j = index > 0 ? index - 1 : 0; j < size && j <= index + 1; j++) {
        if (j == index)
            continue;
        assert_int_equal(merkle_verify_inclusion(leaves[index], j, size, proof, n,
                                                 mth(0, size)),
                         ERR_INVALID);
    }
}

static void test_inclusion_all_sizes(void **state)
{
    (void)state;
    merkle_tree *t = fixed_tree();
    uint8_t proof[MERKLE_PROOF_MAX + 1][H], want[MERKLE_PROOF_MAX][H];
    for (uint64_t size = 1; size <= MAX_LEAVES; size++) {
        for (uint64_t index = 0; index < size; index++) {
            size_t n = 99;
            assert_int_equal(merkle_inclusion_proof(t, index, size, proof, &n), 0);
            size_t nw = naive_path(index, 0, size, want, 0);
            assert_true(proofs_equal((const uint8_t (*)[H])proof, n,
                                     (const uint8_t (*)[H])want, nw));
            assert_int_equal(merkle_verify_inclusion(leaves[index], index, size,
                                                     (const uint8_t (*)[H])proof, n,
                                                     mth(0, size)),
                             0);
            check_inclusion_corruptions(index, size, proof, n);
            if (size <= THOROUGH_SIZE)
                check_inclusion_misuse(index, size, (const uint8_t (*)[H])proof, n);
        }
    }
    size_t n = 0;
    assert_int_equal(merkle_inclusion_proof(t, 5, 5, proof, &n), ERR_INVALID);
    assert_int_equal(merkle_inclusion_proof(t, 0, MAX_LEAVES + 1, proof, &n), ERR_INVALID);
    assert_int_equal(merkle_inclusion_proof(t, 0, 0, proof, &n), ERR_INVALID);
    assert_int_equal(merkle_verify_inclusion(leaves[0], 0, 0, (const uint8_t (*)[H])proof, 0,
                                             mth(0, 0)),
                     ERR_INVALID);
    merkle_tree_free(t);
}

static int verify_cons(uint64_t s1, uint64_t s2, const uint8_t (*proof)[H], size_t n)
{
    return merkle_verify_consistency(s1, s2, mth(0, s1), mth(0, s2), proof, n);
}

static void check_consistency_corruptions(uint64_t s1, uint64_t s2, uint8_t (*proof)[H],
                                          size_t n)
{
    size_t from = s2 <= THOROUGH_SIZE || n == 0 ? 0 : s1 % n;
    size_t to = s2 <= THOROUGH_SIZE || n == 0 ? n : from + 1;
    for (size_t i = from; i < to; i++) {
        proof[i][(i * 7) % H] ^= 0x01;
        assert_int_equal(verify_cons(s1, s2, (const uint8_t (*)[H])proof, n), ERR_INVALID);
        proof[i][(i * 7) % H] ^= 0x01;
    }
    uint8_t bad[H];
    memcpy(bad, mth(0, s2), H);
    bad[0] ^= 0x80;
    /* Any tree extends the empty tree: there the second root is not bound. */
    int want = s1 == 0 ? 0 : ERR_INVALID;
    assert_int_equal(merkle_verify_consistency(s1, s2, mth(0, s1), bad,
                                               (const uint8_t (*)[H])proof, n),
                     want);
    memcpy(bad, mth(0, s1), H);
    bad[5] ^= 0x02;
    assert_int_equal(merkle_verify_consistency(s1, s2, bad, mth(0, s2),
                                               (const uint8_t (*)[H])proof, n),
                     want);
    if (n > 0)
        assert_int_equal(verify_cons(s1, s2, (const uint8_t (*)[H])proof, n - 1), ERR_INVALID);
    memcpy(proof[n], mth(0, s1), H);
    assert_int_equal(verify_cons(s1, s2, (const uint8_t (*)[H])proof, n + 1), ERR_INVALID);
    if (s1 > 0 && s1 < s2)
        assert_int_equal(verify_cons(s2, s1, (const uint8_t (*)[H])proof, n), ERR_INVALID);
}

/* The proof checked for neighbouring sizes against those trees' roots:
 * valid exactly when the naive proof for them is the same list. */
static void check_consistency_misuse(uint64_t s1, uint64_t s2, const uint8_t (*proof)[H],
                                     size_t n)
{
    uint8_t other[MERKLE_PROOF_MAX][H];
    for (uint64_t o1 = s1 > 0 ? s1 - 1 : 0; o1 <= s1 + 1 && o1 <= s2; o1++) {
        for (uint64_t o2 = s2 > o1 ? s2 - 1 : o1; o2 <= s2 + 1 && o2 <= MAX_LEAVES; o2++) {
            if (o1 == s1 && o2 == s2)
                continue;
            size_t no = naive_proof(o1, o2, other);
            int want = proofs_equal(proof, n, (const uint8_t (*)[H])other, no) ? 0 : ERR_INVALID;
            assert_int_equal(verify_cons(o1, o2, proof, n), want);
        }
    }
}

static void test_consistency_all_sizes(void **state)
{
    (void)state;
    merkle_tree *t = fixed_tree();
    uint8_t proof[MERKLE_PROOF_MAX + 1][H], want[MERKLE_PROOF_MAX][H];
    for (uint64_t s2 = 1; s2 <= MAX_LEAVES; s2++) {
        for (uint64_t s1 = 0; s1 <= s2; s1++) {
            size_t n = 99;
            assert_int_equal(merkle_consistency_proof(t, s1, s2, proof, &n), 0);
            size_t nw = naive_proof(s1, s2, want);
            assert_true(proofs_equal((const uint8_t (*)[H])proof, n,
                                     (const uint8_t (*)[H])want, nw));
            assert_int_equal(verify_cons(s1, s2, (const uint8_t (*)[H])proof, n), 0);
            check_consistency_corruptions(s1, s2, proof, n);
            if (s2 <= THOROUGH_SIZE)
                check_consistency_misuse(s1, s2, (const uint8_t (*)[H])proof, n);
        }
    }
    size_t n = 0;
    assert_int_equal(merkle_consistency_proof(t, 3, 2, proof, &n), ERR_INVALID);
    assert_int_equal(merkle_consistency_proof(t, 1, MAX_LEAVES + 1, proof, &n), ERR_INVALID);
    merkle_tree_free(t);
}

/* ---- the same algorithms over another source of hashes ---- */

/* The naive MTH of complete subtrees as a merkle_hash_fn: it checks that
 * only subtrees within the tree are asked for, counts the calls, and fails
 * the call numbered fail_at (0: none). */
typedef struct naive_source {
    uint64_t size;
    unsigned calls, fail_at;
} naive_source;

static int naive_hash(void *ctx, unsigned level, uint64_t index, uint8_t out[H])
{
    naive_source *src = ctx;
    assert_true(level < 64 && index < src->size >> level);
    if (++src->calls == src->fail_at)
        return ERR_IO;
    memcpy(out, mth(index << level, (index + 1) << level), H);
    return 0;
}

/* Every proof of every size from the naive source equals the naive one. */
static void test_source_all_sizes(void **state)
{
    (void)state;
    merkle_tree *t = fixed_tree();
    uint8_t proof[MERKLE_PROOF_MAX][H], want[MERKLE_PROOF_MAX][H], root[H];
    for (uint64_t size = 0; size <= MAX_LEAVES; size++) {
        naive_source src = {.size = size};
        assert_int_equal(merkle_root_from(naive_hash, &src, size, root), 0);
        assert_memory_equal(root, mth(0, size), H);
        for (uint64_t index = 0; index < size; index++) {
            size_t n = 99;
            assert_int_equal(merkle_inclusion_proof_from(naive_hash, &src, index, size, proof,
                                                         &n), 0);
            size_t nw = naive_path(index, 0, size, want, 0);
            assert_true(proofs_equal((const uint8_t (*)[H])proof, n,
                                     (const uint8_t (*)[H])want, nw));
        }
        for (uint64_t s1 = 0; s1 <= size; s1++) {
            size_t n = 99;
            assert_int_equal(merkle_consistency_proof_from(naive_hash, &src, s1, size, proof,
                                                           &n), 0);
            size_t nw = naive_proof(s1, size, want);
            assert_true(proofs_equal((const uint8_t (*)[H])proof, n,
                                     (const uint8_t (*)[H])want, nw));
        }
    }
    merkle_tree_free(t);
}

/* A source's error, at whichever call it comes, is what the algorithm
 * returns; arguments out of order are refused before the source is asked. */
static void test_source_errors(void **state)
{
    (void)state;
    merkle_tree *t = fixed_tree();
    uint8_t proof[MERKLE_PROOF_MAX][H], root[H];
    size_t n = 0;
    naive_source src = {.size = MAX_LEAVES};
    assert_int_equal(merkle_inclusion_proof_from(naive_hash, &src, 123, MAX_LEAVES, proof, &n),
                     0);
    unsigned inclusion_calls = src.calls;
    src.calls = 0;
    assert_int_equal(merkle_consistency_proof_from(naive_hash, &src, 99, MAX_LEAVES, proof, &n),
                     0);
    unsigned consistency_calls = src.calls;
    src.calls = 0;
    assert_int_equal(merkle_root_from(naive_hash, &src, MAX_LEAVES, root), 0);
    unsigned root_calls = src.calls;
    assert_true(inclusion_calls > 5 && consistency_calls > 5 && root_calls > 1);
    for (unsigned k = 1; k <= inclusion_calls; k++) {
        src = (naive_source){.size = MAX_LEAVES, .fail_at = k};
        assert_int_equal(merkle_inclusion_proof_from(naive_hash, &src, 123, MAX_LEAVES, proof,
                                                     &n), ERR_IO);
    }
    for (unsigned k = 1; k <= consistency_calls; k++) {
        src = (naive_source){.size = MAX_LEAVES, .fail_at = k};
        assert_int_equal(merkle_consistency_proof_from(naive_hash, &src, 99, MAX_LEAVES, proof,
                                                       &n), ERR_IO);
    }
    for (unsigned k = 1; k <= root_calls; k++) {
        src = (naive_source){.size = MAX_LEAVES, .fail_at = k};
        assert_int_equal(merkle_root_from(naive_hash, &src, MAX_LEAVES, root), ERR_IO);
    }
    src = (naive_source){.size = MAX_LEAVES};
    assert_int_equal(merkle_inclusion_proof_from(naive_hash, &src, 5, 5, proof, &n), ERR_INVALID);
    assert_int_equal(merkle_inclusion_proof_from(naive_hash, &src, 0, 0, proof, &n), ERR_INVALID);
    assert_int_equal(merkle_consistency_proof_from(naive_hash, &src, 6, 5, proof, &n),
                     ERR_INVALID);
    assert_int_equal(src.calls, 0);
    merkle_tree_free(t);
}

/* ---- a tree that forgets its lower levels ---- */

/* The forgotten hashes' source (merkle_source_fn): the naive MTH, asked
 * only for levels below `below` of leaves before `upto`; fails when told. */
typedef struct forget_source {
    unsigned below, calls;
    uint64_t upto;
    int fail;
} forget_source;

static int forget_hash(void *ctx, unsigned level, uint64_t index, uint8_t out[H], err_info *e)
{
    forget_source *src = ctx;
    assert_true(level < src->below && (index + 1) << level <= src->upto);
    src->calls++;
    if (src->fail)
        return err_set(e, ERR_IO, "TEST_SOURCE", "", "the source fails");
    memcpy(out, mth(index << level, (index + 1) << level), H);
    return 0;
}

/* Every hash, root and proof of a tree of `size` leaves that forgot what
 * lies before `upto` equals the naive one. */
static void check_forgotten(const merkle_tree *t, uint64_t size, uint64_t upto, unsigned below)
{
    uint8_t h[H], proof[MERKLE_PROOF_MAX][H], want[MERKLE_PROOF_MAX][H];
    for (unsigned k = 0; k < 10; k++) {
        for (uint64_t i = 0; (i + 1) << k <= size; i++) {
            assert_int_equal(merkle_tree_get(t, k, i, h, NULL), 0);
            assert_memory_equal(h, mth(i << k, (i + 1) << k), H);
            /* kept: the upper levels, and the lower ones from upto on */
            bool kept = k >= below || i << k >= upto;
            assert_true((merkle_tree_hash(t, k, i) != NULL) == kept);
        }
    }
    for (uint64_t s = 0; s <= size; s++) {
        assert_int_equal(merkle_tree_root(t, s, h), 0);
        assert_memory_equal(h, mth(0, s), H);
    }
    for (uint64_t i = 0; i < size; i += 7) {
        size_t n = 99;
        assert_int_equal(merkle_inclusion_proof(t, i, size, proof, &n), 0);
        assert_true(proofs_equal((const uint8_t (*)[H])proof, n, (const uint8_t (*)[H])want,
                                 naive_path(i, 0, size, want, 0)));
    }
    for (uint64_t s1 = 1; s1 < size; s1 += 5) {
        size_t n = 99;
        assert_int_equal(merkle_consistency_proof(t, s1, size, proof, &n), 0);
        assert_true(proofs_equal((const uint8_t (*)[H])proof, n, (const uint8_t (*)[H])want,
                                 naive_proof(s1, size, want)));
    }
}

/* Forgetting in steps while leaves keep coming changes no hash, root or
 * proof; only the source is asked for what was forgotten, and its error
 * is what the tree returns. */
static void test_forget(void **state)
{
    (void)state;
    const unsigned below = 4; /* tiles of 16 leaves */
    merkle_tree_free(fixed_tree()); /* the leaves */
    forget_source src = {.below = below};
    merkle_tree *t = merkle_tree_new();
    merkle_tree_set_source(t, forget_hash, &src);
    uint64_t size = 0;
    while (size < MAX_LEAVES) {
        uint64_t batch = 1 + (size * 7 + 3) % 40;
        for (uint64_t i = 0; i < batch && size < MAX_LEAVES; i++)
            merkle_tree_append(t, leaves[size++]);
        src.upto = size / 16 * 16;
        merkle_tree_forget(t, below, src.upto);
        src.calls = 0;
        check_forgotten(t, size, src.upto, below);
        assert_true(src.upto < 16 || src.calls > 0);
    }
    uint8_t h[H];
    err_info e = {0};
    src.fail = 1;
    assert_int_equal(merkle_tree_get(t, 0, 3, h, &e), ERR_IO);
    assert_string_equal(e.code, "TEST_SOURCE");
    assert_int_equal(merkle_tree_root(t, 3, h), ERR_IO);
    assert_int_equal(merkle_tree_get(t, 0, MAX_LEAVES - 1, h, &e), 0); /* kept: not asked */
    assert_int_equal(merkle_tree_get(t, 0, MAX_LEAVES, h, &e), ERR_NOTFOUND);
    assert_string_equal(e.code, "MERKLE_INDEX");
    assert_int_equal(merkle_tree_get(t, 5, MAX_LEAVES / 32, h, &e), ERR_NOTFOUND);
    merkle_tree_free(t);
}

/* Proof lengths stay within MERKLE_PROOF_MAX for the largest trees: the
 * verifier's arithmetic near 2^64 is exercised without building them. */
static void test_verify_bounds(void **state)
{
    (void)state;
    uint8_t proof[MERKLE_PROOF_MAX + 1][H] = {{0}}, root[H] = {0};
    assert_int_equal(merkle_verify_inclusion(root, 0, UINT64_MAX, (const uint8_t (*)[H])proof,
                                             MERKLE_PROOF_MAX + 1, root),
                     ERR_INVALID);
    assert_int_equal(merkle_verify_consistency(1, UINT64_MAX, root, root,
                                               (const uint8_t (*)[H])proof,
                                               MERKLE_PROOF_MAX + 1),
                     ERR_INVALID);
    /* 64 hashes is the right length for a leaf in a tree of 2^64 - 1
     * leaves; garbage hashes still fail, without overflowing anything. */
    assert_int_equal(merkle_verify_inclusion(root, UINT64_MAX - 1, UINT64_MAX,
                                             (const uint8_t (*)[H])proof, 64, root),
                     ERR_INVALID);
}

/* The RFC 9162 verifiers end with "sn must be 0": a proof that walks fewer
 * levels than the claimed size needs is refused even when every hash it
 * does compute matches (here: the roots of the smaller tree presented as
 * the roots of a larger one). */
static void test_size_binding(void **state)
{
    (void)state;
    merkle_tree *t = fixed_tree();
    uint8_t proof[MERKLE_PROOF_MAX][H];
    size_t n = 0;
    assert_int_equal(merkle_inclusion_proof(t, 0, 2, proof, &n), 0);
    assert_int_equal(merkle_verify_inclusion(leaves[0], 0, 2, (const uint8_t (*)[H])proof, n,
                                             mth(0, 2)),
                     0);
    assert_int_equal(merkle_verify_inclusion(leaves[0], 0, 3, (const uint8_t (*)[H])proof, n,
                                             mth(0, 2)),
                     ERR_INVALID);
    assert_int_equal(merkle_consistency_proof(t, 1, 2, proof, &n), 0);
    assert_int_equal(merkle_verify_consistency(1, 3, mth(0, 1), mth(0, 2),
                                               (const uint8_t (*)[H])proof, n),
                     ERR_INVALID);
    merkle_tree_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_roots),
        cmocka_unit_test(test_inclusion_all_sizes),
        cmocka_unit_test(test_consistency_all_sizes),
        cmocka_unit_test(test_source_all_sizes),
        cmocka_unit_test(test_source_errors),
        cmocka_unit_test(test_forget),
        cmocka_unit_test(test_verify_bounds),
        cmocka_unit_test(test_size_binding),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
