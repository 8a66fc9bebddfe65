/* tlog_proof — owns the tiles of a log directory as merkle.h's source of
 * complete subtree hashes (which tile holds which hash, the tiles read
 * during one proof) and the checks a proof from them passes before it is
 * returned. See tlog_proof.h. */
#include "log/tlog_proof.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "log/tlog_read.h"

#define TLOG_PROOF_TILES 16 /* a proof reads a few tiles per level, 8 levels at most */

/* The tiles of a checkpoint's tree as a merkle_hash_fn source, with the
 * last TLOG_PROOF_TILES tiles read (the oldest is replaced). */
typedef struct tlog_tiles {
    const char *dir;
    uint64_t size; /* the checkpoint's: which tiles are full, the partials' widths */
    err_info *e;
    unsigned loaded; /* tiles read so far; slot loaded % TLOG_PROOF_TILES is the next */
    struct {
        int level;
        uint64_t n;
        uint8_t *hashes;
    } tile[TLOG_PROOF_TILES];
} tlog_tiles;

static int tlog_proof_corrupt(const tlog_tiles *t, const char *what)
{
    return err_set(t->e, ERR_INVALID, "TLOG_CORRUPT", t->dir, "the log on disk is corrupt: %s",
                   what);
}

/* Tile n of `level` as the checkpoint's tree has it: kept from earlier in
 * this proof, or read (a pruned partial as the prefix of a wider tile) and
 * its length checked. */
static int tlog_tiles_get(tlog_tiles *t, int level, uint64_t n, const uint8_t **hashes)
{
    unsigned kept = t->loaded < TLOG_PROOF_TILES ? t->loaded : TLOG_PROOF_TILES;
    for (unsigned i = 0; i < kept; i++) {
        if (t->tile[i].level == level && t->tile[i].n == n) {
            *hashes = t->tile[i].hashes;
            return 0;
        }
    }
    unsigned width = tlog_tile_width(tlog_level_count(level, t->size), n);
    char path[TLOG_READ_PATH_MAX], *buf = NULL;
    size_t len = 0;
    int rc = tlog_tile_read(t->dir, level, n, width, &buf, &len, path, t->e);
    if (rc < 0)
        return rc;
    if (len != (size_t)width * MERKLE_HASH_SIZE) {
        free(buf);
        return err_set(t->e, ERR_INVALID, "TLOG_CORRUPT", path,
                       "the log on disk is corrupt: the tile holds %zu bytes, not %u hashes", len,
                       width);
    }
    unsigned slot = t->loaded++ % TLOG_PROOF_TILES;
    free(t->tile[slot].hashes);
    t->tile[slot].level = level;
    t->tile[slot].n = n;
    t->tile[slot].hashes = (uint8_t *)buf;
    *hashes = t->tile[slot].hashes;
    return 0;
}

static void tlog_tiles_free(tlog_tiles *t)
{
    for (unsigned i = 0; i < TLOG_PROOF_TILES; i++)
        free(t->tile[i].hashes);
}

/* merkle_hash_fn over the tiles: the complete subtree of 2^level leaves
 * number `index` is the tree hash of 2^(level mod 8) hashes of tile level
 * level / 8 (one hash when 8 divides level), all in one tile since their
 * count divides the tile width. */
static int tlog_tiles_hash(void *ctx, unsigned level, uint64_t index,
                           uint8_t out[MERKLE_HASH_SIZE])
{
    tlog_tiles *t = ctx;
    assert(level < 64 && index < t->size >> level); /* complete in the checkpoint's tree */
    unsigned up = level % TLOG_TILE_HEIGHT;
    uint64_t first = index << up;
    const uint8_t *tile;
    int rc = tlog_tiles_get(t, (int)(level / TLOG_TILE_HEIGHT), first / TLOG_TILE_WIDTH, &tile);
    if (rc < 0)
        return rc;
    const uint8_t *at = tile + first % TLOG_TILE_WIDTH * MERKLE_HASH_SIZE;
    merkle_root_of((const uint8_t (*)[MERKLE_HASH_SIZE])at, UINT64_C(1) << up, out);
    return 0;
}

/* The root of the first `size` entries from the tiles, checked to be the
 * signed tree's (size = cp->size) or a prefix of it (a consistency proof
 * from the same tiles verifies against cp->root). */
static int tlog_tiles_root(tlog_tiles *t, const checkpoint *cp, uint64_t size,
                           uint8_t root[MERKLE_HASH_SIZE])
{
    uint8_t proof[MERKLE_PROOF_MAX][MERKLE_HASH_SIZE];
    size_t n = 0;
    int rc = merkle_root_from(tlog_tiles_hash, t, size, root);
    if (rc == 0)
        rc = merkle_consistency_proof_from(tlog_tiles_hash, t, size, cp->size, proof, &n);
    if (rc == 0 && merkle_verify_consistency(size, cp->size, root, cp->root,
                                             (const uint8_t (*)[MERKLE_HASH_SIZE])proof, n) < 0)
        rc = tlog_proof_corrupt(t, "the tiles do not reproduce the checkpoint's root");
    return rc;
}

/* A proof asked for a tree the checkpoint does not cover. */
static int tlog_proof_past(const char *dir, uint64_t size, uint64_t cp_size, err_info *e)
{
    return err_set(e, ERR_INVALID, "TLOG_PROOF_SIZE", dir,
                   "no tree of %llu entries: the checkpoint has %llu", (unsigned long long)size,
                   (unsigned long long)cp_size);
}

int tlog_proof_inclusion(const char *dir, const checkpoint *cp, uint64_t index, uint64_t size,
                         tlog_inclusion *out, err_info *e)
{
    if (size > cp->size)
        return tlog_proof_past(dir, size, cp->size, e);
    if (index >= size)
        return err_set(e, ERR_NOTFOUND, "TLOG_INDEX", dir,
                       "entry %llu is not in the tree of %llu entries", (unsigned long long)index,
                       (unsigned long long)size);
    tlog_tiles t = {.dir = dir, .size = cp->size, .e = e};
    int rc = tlog_tiles_hash(&t, 0, index, out->leaf);
    if (rc == 0)
        rc = merkle_inclusion_proof_from(tlog_tiles_hash, &t, index, size, out->proof, &out->n);
    if (rc == 0)
        rc = tlog_tiles_root(&t, cp, size, out->root);
    if (rc == 0 && merkle_verify_inclusion(out->leaf, index, size,
                                           (const uint8_t (*)[MERKLE_HASH_SIZE])out->proof,
                                           out->n, out->root) < 0)
        rc = tlog_proof_corrupt(&t, "the tiles do not prove the entry's inclusion");
    tlog_tiles_free(&t);
    if (rc == 0) {
        uint64_t bundle = index / TLOG_TILE_WIDTH;
        tlog_tile_path(out->bundle, TLOG_ENTRIES, bundle, tlog_tile_width(cp->size, bundle));
    }
    return rc;
}

int tlog_proof_consistency(const char *dir, const checkpoint *cp, uint64_t size1,
                           uint64_t size2, tlog_consistency *out, err_info *e)
{
    if (size2 > cp->size)
        return tlog_proof_past(dir, size2, cp->size, e);
    if (size1 > size2)
        return err_set(e, ERR_INVALID, "TLOG_PROOF_SIZE", dir,
                       "no consistency proof from %llu entries to fewer (%llu)",
                       (unsigned long long)size1, (unsigned long long)size2);
    tlog_tiles t = {.dir = dir, .size = cp->size, .e = e};
    /* root2 is checked against the checkpoint; a proof that verifies from
     * root1 to it then proves root1 too */
    int rc = merkle_consistency_proof_from(tlog_tiles_hash, &t, size1, size2, out->proof,
                                           &out->n);
    if (rc == 0)
        rc = merkle_root_from(tlog_tiles_hash, &t, size1, out->root1);
    if (rc == 0)
        rc = tlog_tiles_root(&t, cp, size2, out->root2);
    if (rc == 0 && merkle_verify_consistency(size1, size2, out->root1, out->root2,
                                             (const uint8_t (*)[MERKLE_HASH_SIZE])out->proof,
                                             out->n) < 0)
        rc = tlog_proof_corrupt(&t, "the tiles do not prove the trees consistent");
    tlog_tiles_free(&t);
    return rc;
}
