/* merkle — RFC 6962 / RFC 9162 Merkle hash trees (SHA-256): leaf and node
 * hashes, the tree hash of any prefix of the log, inclusion (audit) proofs
 * and consistency proofs, and their verification. Pure: no I/O.
 *
 *   leaf hash  = SHA-256(0x00 || entry)
 *   node hash  = SHA-256(0x01 || left || right)
 *   empty tree = SHA-256("")
 *
 * A merkle_tree keeps, for every level k, the hashes of all complete
 * subtrees of 2^k leaves, left to right: level 0 holds the leaf hashes,
 * level 8 the hashes a level-1 tlog tile holds, and so on. Appending a leaf
 * costs one leaf store plus, amortised, one node hash; the tree hash of any
 * size and every proof then take O(log n) stored hashes and node hashes.
 * Memory is about 64 bytes per leaf (2n hashes in all) — unless the tree
 * forgets: merkle_tree_forget drops the lower levels of its older part,
 * whose hashes a source (a log's tiles on disk, tlog.c) then gives back
 * when asked (merkle_tree_get). Forgetting the 8 levels a tlog tile holds
 * keeps 2n / 256 hashes: 64 bytes per 256 leaves.
 *
 * Proofs are arrays of 32-byte hashes ordered from the leaf (or the smaller
 * tree) upward, exactly as RFC 6962 section 2.1.1 / 2.1.2 define PATH and
 * PROOF, so they interoperate with every RFC 6962 / tlog client.
 *
 * The proof algorithms are written once, over a source of complete
 * subtree hashes (merkle_hash_fn): a merkle_tree is one such source, a log
 * directory's tiles another (log/tlog_proof.h). */
#ifndef REKAP_MERKLE_H
#define REKAP_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define MERKLE_HASH_SIZE 32
/* Longest proof for any tree of fewer than 2^64 leaves: an inclusion proof
 * has at most 64 hashes, a consistency proof at most 65. */
#define MERKLE_PROOF_MAX 65

typedef struct merkle_tree merkle_tree;

/* SHA-256(0x00 || entry[0..len)). */
void merkle_leaf_hash(const uint8_t *entry, size_t len, uint8_t out[MERKLE_HASH_SIZE]);

/* SHA-256(0x01 || left || right); out may alias left or right. */
void merkle_node_hash(const uint8_t left[MERKLE_HASH_SIZE],
                      const uint8_t right[MERKLE_HASH_SIZE],
                      uint8_t out[MERKLE_HASH_SIZE]);

/* The tree hash of n leaf hashes held in one array (SHA-256("") for n = 0),
 * in O(log n) extra memory. */
void merkle_root_of(const uint8_t (*leaves)[MERKLE_HASH_SIZE], uint64_t n,
                    uint8_t out[MERKLE_HASH_SIZE]);

merkle_tree *merkle_tree_new(void);
void merkle_tree_free(merkle_tree *t);

/* Append one leaf hash (not the entry: hash it with merkle_leaf_hash). */
void merkle_tree_append(merkle_tree *t, const uint8_t leaf[MERKLE_HASH_SIZE]);

/* Number of leaves appended so far. */
uint64_t merkle_tree_size(const merkle_tree *t);

/* The stored hash of the complete subtree of 2^level leaves number `index`
 * (leaves index * 2^level up to (index + 1) * 2^level), or NULL when that
 * subtree is not complete yet. Hashes of one level are contiguous, so the
 * pointer also reaches the following complete subtrees of that level. */
const uint8_t *merkle_tree_hash(const merkle_tree *t, unsigned level, uint64_t index);

/* Where a tree's forgotten hashes come from: the hash of the complete
 * subtree of 2^level leaves number `index` into out, or a negative ERR_*
 * code with e (may be NULL) set. */
typedef int (*merkle_source_fn)(void *ctx, unsigned level, uint64_t index,
                                uint8_t out[MERKLE_HASH_SIZE], err_info *e);

/* Name the source of t's forgotten hashes (before merkle_tree_forget). */
void merkle_tree_set_source(merkle_tree *t, merkle_source_fn fn, void *ctx);

/* Drop the hashes of levels 0 .. below - 1 of the first `leaves` leaves
 * (a multiple of 2^below, at most the tree's size): from now on the
 * source gives them. `below` is the same at every call. Levels from
 * `below` up are always kept. */
void merkle_tree_forget(merkle_tree *t, unsigned below, uint64_t leaves);

/* The hash of the complete subtree of 2^level leaves number `index`, kept
 * or from the source: 0, ERR_NOTFOUND (MERKLE_INDEX) when that subtree is
 * not complete yet, or the source's error. merkle_tree_hash gives kept
 * hashes only (NULL for a forgotten one). */
int merkle_tree_get(const merkle_tree *t, unsigned level, uint64_t index,
                    uint8_t out[MERKLE_HASH_SIZE], err_info *e);

/* The tree as a source for the proof algorithms below: ctx is a
 * merkle_tree_src, whose e (may be NULL) receives a source's error. */
typedef struct merkle_tree_src {
    const merkle_tree *tree;
    err_info *e;
} merkle_tree_src;
int merkle_tree_src_hash(void *ctx, unsigned level, uint64_t index,
                         uint8_t out[MERKLE_HASH_SIZE]);

/* Tree hash of the first `size` leaves into out (merkle_root_from with the
 * tree as the source); ERR_INVALID when size is larger than the tree. */
int merkle_tree_root(const merkle_tree *t, uint64_t size, uint8_t out[MERKLE_HASH_SIZE]);

/* A source of hashes for the proof algorithms: the hash of the complete
 * subtree of 2^level leaves number `index` (leaves index * 2^level up to
 * (index + 1) * 2^level, as merkle_tree_hash gives it) into out. Returns 0,
 * or a negative ERR_* code that the algorithm returns unchanged (the
 * source reports its own err_info through ctx). The algorithms ask only for
 * subtrees that lie within the size they are given. */
typedef int (*merkle_hash_fn)(void *ctx, unsigned level, uint64_t index,
                              uint8_t out[MERKLE_HASH_SIZE]);

/* The tree hash of the first `size` leaves from a source: the complete
 * subtrees of decreasing size that make it up, folded (SHA-256("") for 0). */
int merkle_root_from(merkle_hash_fn hash, void *ctx, uint64_t size,
                     uint8_t out[MERKLE_HASH_SIZE]);

/* RFC 6962 2.1.1 PATH of leaf `index` in the tree of `size` leaves from a
 * source; proof holds MERKLE_PROOF_MAX hashes, *n receives the count.
 * ERR_INVALID unless index < size; the source's errors. */
int merkle_inclusion_proof_from(merkle_hash_fn hash, void *ctx, uint64_t index, uint64_t size,
                                uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n);

/* RFC 6962 2.1.2 PROOF from the tree of size1 leaves to that of size2 from
 * a source (empty when size1 is 0 or equals size2). ERR_INVALID unless
 * size1 <= size2; the source's errors. */
int merkle_consistency_proof_from(merkle_hash_fn hash, void *ctx, uint64_t size1,
                                  uint64_t size2, uint8_t (*proof)[MERKLE_HASH_SIZE],
                                  size_t *n);

/* Inclusion proof of leaf `index` in the tree of the first `size` leaves
 * (merkle_inclusion_proof_from with the tree as the source): proof must
 * hold MERKLE_PROOF_MAX hashes; *n receives how many were written.
 * ERR_INVALID unless index < size <= merkle_tree_size. */
int merkle_inclusion_proof(const merkle_tree *t, uint64_t index, uint64_t size,
                           uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n);

/* Consistency proof from the tree of size1 leaves to the tree of size2
 * leaves (merkle_consistency_proof_from with the tree as the source; empty
 * when size1 is 0 or equals size2). ERR_INVALID unless
 * size1 <= size2 <= merkle_tree_size. */
int merkle_consistency_proof(const merkle_tree *t, uint64_t size1, uint64_t size2,
                             uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n);

/* RFC 9162 2.1.3.2: 0 when `leaf` is the leaf hash at `index` of the tree
 * of `size` leaves whose hash is `root`, ERR_INVALID otherwise. */
int merkle_verify_inclusion(const uint8_t leaf[MERKLE_HASH_SIZE], uint64_t index,
                            uint64_t size, const uint8_t (*proof)[MERKLE_HASH_SIZE],
                            size_t n, const uint8_t root[MERKLE_HASH_SIZE]);

/* RFC 9162 2.1.4.2: 0 when the tree of size2 leaves hashing to root2
 * extends the tree of size1 leaves hashing to root1, ERR_INVALID
 * otherwise. For size1 = size2 the proof must be empty and the roots equal;
 * for size1 = 0 the proof must be empty (every tree extends the empty one). */
int merkle_verify_consistency(uint64_t size1, uint64_t size2,
                              const uint8_t root1[MERKLE_HASH_SIZE],
                              const uint8_t root2[MERKLE_HASH_SIZE],
                              const uint8_t (*proof)[MERKLE_HASH_SIZE], size_t n);

#endif
