/* tlog_proof — RFC 6962 inclusion and consistency proofs of a log
 * directory, from its tile files alone (what a mirror or the public
 * listener has; nothing of the writer's state, tlog.h). The algorithms
 * are merkle.h's; this module is their source of hashes: the complete
 * subtree of 2^k leaves number j is hash j of the tiles of level k / 8
 * when 8 divides k, else the tree hash of the 2^(k mod 8) hashes from
 * j * 2^(k mod 8) of that level (docs/LOG.md, "which tile holds a hash").
 * Tiles are read through tlog_tile_read, so a checkpoint whose partial
 * tiles were pruned since is still served; each tile is read once per
 * proof.
 *
 * A proof is given for the tree of a checkpoint `cp` (its size says which
 * tiles, full or partial, hold the hashes) or of a prefix of it, and it is
 * checked before it is returned: it must verify against the roots made
 * from the same tiles, and each of those roots must be the signed one
 * (cp->root) or a prefix of it (a consistency proof from the tiles
 * verifying against cp->root). The checkpoint's signature is the caller's
 * business (tlog_read.h verifies one).
 *
 * Error codes:
 *   TLOG_PROOF_SIZE  a tree size past the checkpoint's, or a consistency
 *                    proof from a larger tree to a smaller (ERR_INVALID)
 *   TLOG_INDEX       the entry index is at or past the tree's size
 *                    (ERR_NOTFOUND)
 *   TLOG_CORRUPT     a tile is missing, not a regular file or of the wrong
 *                    length (e->where: its path), or the tiles do not
 *                    reproduce the checkpoint's root (e->where: the
 *                    directory) (ERR_INVALID)
 *   FILE_*           the system could not read a tile that is there */
#ifndef REKAP_TLOG_PROOF_H
#define REKAP_TLOG_PROOF_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/merkle.h"
#include "core/note.h"
#include "log/tlog.h"

/* Entry `index` in the tree of `size` entries. */
typedef struct tlog_inclusion {
    uint8_t leaf[MERKLE_HASH_SIZE];                /* the entry's leaf hash */
    uint8_t root[MERKLE_HASH_SIZE];                /* of the tree of `size` */
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_SIZE]; /* leaf side first */
    size_t n;
    char bundle[TLOG_PATH_MAX]; /* the entry's bundle in the checkpoint's tree,
                                   relative ("tile/entries/000.p/7") */
} tlog_inclusion;

/* The tree of size2 entries extends that of size1. */
typedef struct tlog_consistency {
    uint8_t root1[MERKLE_HASH_SIZE];
    uint8_t root2[MERKLE_HASH_SIZE];
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_SIZE]; /* RFC 6962 PROOF order */
    size_t n;
} tlog_consistency;

/* The inclusion proof of entry `index` in the tree of the first `size`
 * entries of the log in `dir` at checkpoint cp (size <= cp->size). */
int tlog_proof_inclusion(const char *dir, const checkpoint *cp, uint64_t index, uint64_t size,
                         tlog_inclusion *out, err_info *e);

/* The consistency proof from the tree of size1 entries to that of size2
 * (size1 <= size2 <= cp->size) of the log in `dir` at checkpoint cp. */
int tlog_proof_consistency(const char *dir, const checkpoint *cp, uint64_t size1,
                           uint64_t size2, tlog_consistency *out, err_info *e);

#endif
