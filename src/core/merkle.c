/* merkle — owns RFC 6962 hashing, the level-by-level store of complete
 * subtree hashes (merkle_tree), proof generation (once, over any source of
 * complete subtree hashes; the tree is one) and proof verification per
 * RFC 9162. See merkle.h. */
#include "core/merkle.h"

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/sha256.h"

#define MERKLE_LEVELS 64 /* a complete subtree of 2^64 leaves cannot exist */

struct merkle_tree {
    /* level[k] holds the hashes of 2^k leaves numbered first[k] up to
     * count[k]; first[k] is 0 but where merkle_tree_forget dropped the
     * older ones, which `source` gives back */
    uint8_t *level[MERKLE_LEVELS];
    uint64_t first[MERKLE_LEVELS];
    uint64_t count[MERKLE_LEVELS];
    size_t cap[MERKLE_LEVELS];     /* hashes level[k] has room for */
    unsigned forgot_below;         /* levels below it may be forgotten (0: none) */
    merkle_source_fn source;
    void *source_ctx;
};

void merkle_leaf_hash(const uint8_t *entry, size_t len, uint8_t out[MERKLE_HASH_SIZE])
{
    static const uint8_t prefix = 0x00;
    sha256_state *st = sha256_begin();
    sha256_add(st, &prefix, 1);
    sha256_add(st, entry, len);
    sha256_end(st, out);
}

void merkle_node_hash(const uint8_t left[MERKLE_HASH_SIZE],
                      const uint8_t right[MERKLE_HASH_SIZE],
                      uint8_t out[MERKLE_HASH_SIZE])
{
    uint8_t buf[1 + 2 * MERKLE_HASH_SIZE];
    buf[0] = 0x01;
    memcpy(buf + 1, left, MERKLE_HASH_SIZE);
    memcpy(buf + 1 + MERKLE_HASH_SIZE, right, MERKLE_HASH_SIZE);
    sha256(buf, sizeof buf, out);
}

/* The tree hash of consecutive complete subtrees hs[0..n) of strictly
 * decreasing size, left to right: RFC 6962 splits a tree at the largest
 * power of two below its size, so the hash nests to the right. */
static void merkle_fold(uint8_t (*hs)[MERKLE_HASH_SIZE], unsigned n,
                        uint8_t out[MERKLE_HASH_SIZE])
{
    if (n == 0) {
        sha256(NULL, 0, out);
        return;
    }
    uint8_t acc[MERKLE_HASH_SIZE];
    memcpy(acc, hs[n - 1], MERKLE_HASH_SIZE);
    for (unsigned i = n - 1; i-- > 0;)
        merkle_node_hash(hs[i], acc, acc);
    memcpy(out, acc, MERKLE_HASH_SIZE);
}

void merkle_root_of(const uint8_t (*leaves)[MERKLE_HASH_SIZE], uint64_t n,
                    uint8_t out[MERKLE_HASH_SIZE])
{
    /* One pending complete subtree per set bit of the count so far. */
    uint8_t stack[MERKLE_LEVELS + 1][MERKLE_HASH_SIZE];
    unsigned depth = 0;
    for (uint64_t i = 0; i < n; i++) {
        memcpy(stack[depth++], leaves[i], MERKLE_HASH_SIZE);
        for (uint64_t c = i + 1; (c & 1) == 0; c >>= 1) {
            depth--;
            merkle_node_hash(stack[depth - 1], stack[depth], stack[depth - 1]);
        }
    }
    merkle_fold(stack, depth, out);
}

merkle_tree *merkle_tree_new(void)
{
    return mem_calloc(1, sizeof(merkle_tree));
}

void merkle_tree_free(merkle_tree *t)
{
    if (!t)
        return;
    for (unsigned k = 0; k < MERKLE_LEVELS; k++)
        free(t->level[k]);
    free(t);
}

static size_t merkle_held(const merkle_tree *t, unsigned k)
{
    return (size_t)(t->count[k] - t->first[k]);
}

static void merkle_push(merkle_tree *t, unsigned k, const uint8_t h[MERKLE_HASH_SIZE])
{
    size_t at = merkle_held(t, k);
    mem_grow((void **)&t->level[k], &t->cap[k], at + 1, MERKLE_HASH_SIZE);
    memcpy(t->level[k] + at * MERKLE_HASH_SIZE, h, MERKLE_HASH_SIZE);
    t->count[k]++;
}

void merkle_tree_append(merkle_tree *t, const uint8_t leaf[MERKLE_HASH_SIZE])
{
    merkle_push(t, 0, leaf);
    /* Each level that now has an even count completed a subtree above. */
    for (unsigned k = 0; k + 1 < MERKLE_LEVELS && t->count[k] % 2 == 0; k++) {
        /* first[k] is even (a multiple of 2^(forgotten levels - k)), so a
         * completed pair is always held */
        assert(merkle_held(t, k) >= 2);
        const uint8_t *pair = t->level[k] + (merkle_held(t, k) - 2) * MERKLE_HASH_SIZE;
        uint8_t parent[MERKLE_HASH_SIZE];
        merkle_node_hash(pair, pair + MERKLE_HASH_SIZE, parent);
        merkle_push(t, k + 1, parent);
    }
}

uint64_t merkle_tree_size(const merkle_tree *t)
{
    return t->count[0];
}

const uint8_t *merkle_tree_hash(const merkle_tree *t, unsigned level, uint64_t index)
{
    if (level >= MERKLE_LEVELS || index >= t->count[level] || index < t->first[level])
        return NULL;
    return t->level[level] + (index - t->first[level]) * MERKLE_HASH_SIZE;
}

int merkle_tree_get(const merkle_tree *t, unsigned level, uint64_t index,
                    uint8_t out[MERKLE_HASH_SIZE], err_info *e)
{
    if (level >= MERKLE_LEVELS || index >= t->count[level])
        return err_set(e, ERR_NOTFOUND, "MERKLE_INDEX", "",
                       "no complete subtree %" PRIu64 " of 2^%u leaves in a tree of %" PRIu64,
                       index, level, t->count[0]);
    const uint8_t *h = merkle_tree_hash(t, level, index);
    if (h) {
        memcpy(out, h, MERKLE_HASH_SIZE);
        return 0;
    }
    assert(t->source && level < t->forgot_below);
    return t->source(t->source_ctx, level, index, out, e);
}

void merkle_tree_set_source(merkle_tree *t, merkle_source_fn fn, void *ctx)
{
    t->source = fn;
    t->source_ctx = ctx;
}

void merkle_tree_forget(merkle_tree *t, unsigned below, uint64_t leaves)
{
    assert(t->source && below > 0 && below < MERKLE_LEVELS);
    assert(leaves % (UINT64_C(1) << below) == 0 && leaves <= t->count[0]);
    assert(t->forgot_below == 0 || t->forgot_below == below);
    t->forgot_below = below;
    for (unsigned k = 0; k < below; k++) {
        uint64_t upto = leaves >> k;
        if (upto <= t->first[k])
            continue;
        size_t drop = (size_t)(upto - t->first[k]), keep = (size_t)(t->count[k] - upto);
        memmove(t->level[k], t->level[k] + drop * MERKLE_HASH_SIZE, keep * MERKLE_HASH_SIZE);
        t->first[k] = upto;
        /* Give back what a burst of appends grew, keeping room to grow. */
        if (t->cap[k] > 4 * keep + 1024) {
            t->cap[k] = 2 * keep + 512;
            t->level[k] = mem_realloc(t->level[k], t->cap[k] * MERKLE_HASH_SIZE);
        }
    }
}

/* MTH(D[lo:hi]) for a range the RFC recursion can produce: lo is a
 * multiple of the largest power of two not above hi - lo, so the range is
 * a run of complete subtrees of decreasing size, each asked of the source. */
static int merkle_range_hash(merkle_hash_fn hash, void *ctx, uint64_t lo, uint64_t hi,
                             uint8_t out[MERKLE_HASH_SIZE])
{
    uint8_t parts[MERKLE_LEVELS][MERKLE_HASH_SIZE];
    unsigned n = 0;
    uint64_t size = hi - lo;
    for (unsigned k = MERKLE_LEVELS; k-- > 0;) {
        if (!((size >> k) & 1))
            continue;
        assert((lo & ((UINT64_C(1) << k) - 1)) == 0);
        int rc = hash(ctx, k, lo >> k, parts[n++]);
        if (rc < 0)
            return rc;
        lo += UINT64_C(1) << k;
    }
    merkle_fold(parts, n, out);
    return 0;
}

int merkle_root_from(merkle_hash_fn hash, void *ctx, uint64_t size,
                     uint8_t out[MERKLE_HASH_SIZE])
{
    return merkle_range_hash(hash, ctx, 0, size, out);
}

/* The largest power of two strictly below n (n >= 2): where RFC 6962
 * splits a tree of n leaves. */
static uint64_t merkle_split(uint64_t n)
{
    return UINT64_C(1) << (63 - __builtin_clzll(n - 1));
}

/* Proofs come out of the RFC recursion outermost hash first; callers want
 * them innermost first. */
static void merkle_reverse(uint8_t (*proof)[MERKLE_HASH_SIZE], size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        uint8_t tmp[MERKLE_HASH_SIZE];
        memcpy(tmp, proof[i], MERKLE_HASH_SIZE);
        memcpy(proof[i], proof[n - 1 - i], MERKLE_HASH_SIZE);
        memcpy(proof[n - 1 - i], tmp, MERKLE_HASH_SIZE);
    }
}

int merkle_inclusion_proof_from(merkle_hash_fn hash, void *ctx, uint64_t index, uint64_t size,
                                uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n)
{
    if (index >= size)
        return ERR_INVALID;
    size_t k = 0;
    uint64_t lo = 0, hi = size;
    /* PATH(m, D[lo:hi]): descend towards the leaf, recording the sibling
     * subtree at each split. */
    while (hi - lo > 1) {
        uint64_t mid = lo + merkle_split(hi - lo);
        bool left = index < mid;
        assert(k < MERKLE_PROOF_MAX);
        int rc = merkle_range_hash(hash, ctx, left ? mid : lo, left ? hi : mid, proof[k++]);
        if (rc < 0)
            return rc;
        if (left)
            hi = mid;
        else
            lo = mid;
    }
    merkle_reverse(proof, k);
    *n = k;
    return 0;
}

int merkle_consistency_proof_from(merkle_hash_fn hash, void *ctx, uint64_t size1,
                                  uint64_t size2, uint8_t (*proof)[MERKLE_HASH_SIZE],
                                  size_t *n)
{
    if (size1 > size2)
        return ERR_INVALID;
    size_t k = 0;
    int rc = 0;
    if (size1 > 0 && size1 < size2) {
        /* SUBPROOF(m, D[lo:hi], whole): m counts from lo; `whole` stays
         * true while the old tree is a left part of the new one, when its
         * hash is known to the verifier and need not be sent. */
        uint64_t lo = 0, hi = size2, m = size1;
        bool whole = true;
        while (rc == 0 && m != hi - lo) {
            uint64_t split = merkle_split(hi - lo);
            assert(k < MERKLE_PROOF_MAX);
            if (m <= split) {
                rc = merkle_range_hash(hash, ctx, lo + split, hi, proof[k++]);
                hi = lo + split;
            } else {
                rc = merkle_range_hash(hash, ctx, lo, lo + split, proof[k++]);
                lo += split;
                m -= split;
                whole = false;
            }
        }
        if (rc == 0 && !whole)
            rc = merkle_range_hash(hash, ctx, lo, hi, proof[k++]);
    }
    if (rc < 0)
        return rc;
    merkle_reverse(proof, k);
    *n = k;
    return 0;
}

int merkle_tree_src_hash(void *ctx, unsigned level, uint64_t index,
                         uint8_t out[MERKLE_HASH_SIZE])
{
    const merkle_tree_src *src = ctx;
    return merkle_tree_get(src->tree, level, index, out, src->e);
}

int merkle_tree_root(const merkle_tree *t, uint64_t size, uint8_t out[MERKLE_HASH_SIZE])
{
    if (size > merkle_tree_size(t))
        return ERR_INVALID;
    return merkle_root_from(merkle_tree_src_hash, &(merkle_tree_src){t, NULL}, size, out);
}

int merkle_inclusion_proof(const merkle_tree *t, uint64_t index, uint64_t size,
                           uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n)
{
    if (size > merkle_tree_size(t))
        return ERR_INVALID;
    return merkle_inclusion_proof_from(merkle_tree_src_hash, &(merkle_tree_src){t, NULL},
                                       index, size, proof, n);
}

int merkle_consistency_proof(const merkle_tree *t, uint64_t size1, uint64_t size2,
                             uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n)
{
    if (size2 > merkle_tree_size(t))
        return ERR_INVALID;
    return merkle_consistency_proof_from(merkle_tree_src_hash, &(merkle_tree_src){t, NULL},
                                         size1, size2, proof, n);
}

/* Shift fn and sn right together until fn is odd or zero (RFC 9162 step
 * "right-shift both fn and sn equally until ..."). */
static void merkle_shift_to_odd(uint64_t *fn, uint64_t *sn)
{
    while (*fn != 0 && (*fn & 1) == 0) {
        *fn >>= 1;
        *sn >>= 1;
    }
}

int merkle_verify_inclusion(const uint8_t leaf[MERKLE_HASH_SIZE], uint64_t index,
                            uint64_t size, const uint8_t (*proof)[MERKLE_HASH_SIZE],
                            size_t n, const uint8_t root[MERKLE_HASH_SIZE])
{
    if (index >= size || n > MERKLE_PROOF_MAX)
        return ERR_INVALID;
    uint64_t fn = index, sn = size - 1;
    uint8_t r[MERKLE_HASH_SIZE];
    memcpy(r, leaf, MERKLE_HASH_SIZE);
    for (size_t i = 0; i < n; i++) {
        if (sn == 0)
            return ERR_INVALID;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof[i], r, r);
            merkle_shift_to_odd(&fn, &sn);
        } else {
            merkle_node_hash(r, proof[i], r);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(r, root, MERKLE_HASH_SIZE) == 0 ? 0 : ERR_INVALID;
}

int merkle_verify_consistency(uint64_t size1, uint64_t size2,
                              const uint8_t root1[MERKLE_HASH_SIZE],
                              const uint8_t root2[MERKLE_HASH_SIZE],
                              const uint8_t (*proof)[MERKLE_HASH_SIZE], size_t n)
{
    if (size1 > size2 || n > MERKLE_PROOF_MAX)
        return ERR_INVALID;
    if (size1 == size2)
        return n == 0 && sodium_memcmp(root1, root2, MERKLE_HASH_SIZE) == 0 ? 0 : ERR_INVALID;
    if (size1 == 0)
        return n == 0 ? 0 : ERR_INVALID;
    if (n == 0)
        return ERR_INVALID;
    /* When size1 is a power of two the old root is itself the first node
     * of the path and the proof leaves it out. */
    bool pow2 = (size1 & (size1 - 1)) == 0;
    const uint8_t *first = pow2 ? root1 : proof[0];
    size_t i = pow2 ? 0 : 1;
    uint64_t fn = size1 - 1, sn = size2 - 1;
    while (fn & 1) {
        fn >>= 1;
        sn >>= 1;
    }
    uint8_t fr[MERKLE_HASH_SIZE], sr[MERKLE_HASH_SIZE];
    memcpy(fr, first, MERKLE_HASH_SIZE);
    memcpy(sr, first, MERKLE_HASH_SIZE);
    for (; i < n; i++) {
        if (sn == 0)
            return ERR_INVALID;
        if ((fn & 1) || fn == sn) {
            merkle_node_hash(proof[i], fr, fr);
            merkle_node_hash(proof[i], sr, sr);
            merkle_shift_to_odd(&fn, &sn);
        } else {
            merkle_node_hash(sr, proof[i], sr);
        }
        fn >>= 1;
        sn >>= 1;
    }
    return sn == 0 && sodium_memcmp(fr, root1, MERKLE_HASH_SIZE) == 0
                   && sodium_memcmp(sr, root2, MERKLE_HASH_SIZE) == 0
               ? 0 : ERR_INVALID;
}
