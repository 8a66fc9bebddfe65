/* tlog — owns the transparency log: appending entries to the Merkle tree,
 * publishing tiles, bundles and signed checkpoints, recovering the tree
 * from its files (and refusing files that do not reproduce the signed
 * checkpoint), and serving roots, proofs and entries. See tlog.h; the file
 * side (paths, batched durable writes) is tlog_fs.c. */
#include "log/tlog.h"

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/mem.h"
#include "io/file.h"
#include "log/tlog_fs.h"

#define TLOG_CHECKPOINT "checkpoint"

struct tlog {
    char *dir;
    note_signer signer;                /* a follower's: the verifier only, no secret */
    int follower;                      /* adopts checkpoints (tlog_adopt), never signs */
    merkle_tree *tree;
    uint64_t pub_size;                 /* the last signed checkpoint */
    uint8_t pub_root[MERKLE_HASH_SIZE];
    char *cp;                          /* its bytes */
    size_t cp_len;
    /* Entries from index `base` on, back to back: those of the last
     * partial bundle and those not yet published, the only ones a publish
     * may need to write again. off[i] is where entry base + i starts;
     * off[count] is the end. */
    uint64_t base;
    uint8_t *buf;
    size_t buf_len, buf_cap;
    size_t *off;
    size_t off_cap;
    uint8_t *scratch;                  /* a bundle being encoded */
    size_t scratch_cap;
    /* Below `base` the tree keeps its levels from TLOG_KEEP_LEVEL up; the
     * lower ones come back from the level-0 tiles on disk
     * (tlog_tile_source). The last tile read is kept, with which of its
     * groups were checked: the restart's rebuild asks in log order. */
    uint64_t disk_tile;                /* which one disk holds (UINT64_MAX: none) */
    uint16_t disk_checked;             /* bit g: group g of it checked */
    uint8_t (*disk)[MERKLE_HASH_SIZE];
};

/* The lowest level the tree keeps below the edge: a forgotten hash is
 * checked against the kept hash of its group of 2^4 leaves (15 node
 * hashes) rather than of its whole tile (255). Memory: levels 4 and up
 * hold n / 8 hashes, 4 bytes per entry (16 MB for 4.1 million entries,
 * against 64 bytes per entry for every level). */
#define TLOG_KEEP_LEVEL 4
#define TLOG_GROUP (1u << TLOG_KEEP_LEVEL)

static int tlog_corrupt(err_info *e, const char *where, const char *what)
{
    return err_set(e, ERR_INVALID, "TLOG_CORRUPT", where, "the log on disk is corrupt: %s",
                   what);
}

/* ---- the tree: upper levels in memory, the rest in the tiles ---- */

/* The path of full level-0 tile n (the caller frees it). */
static char *tlog_tile_name(const tlog *l, uint64_t n)
{
    char rel[TLOG_PATH_MAX];
    tlog_tile_path(rel, 0, n, TLOG_TILE_WIDTH);
    return tlog_join(l->dir, rel);
}

/* Level-0 tile n (full, below base) into l->disk, none of it checked yet. */
static int tlog_disk_load(tlog *l, uint64_t n, err_info *e)
{
    char *path = tlog_tile_name(l, n), *buf = NULL;
    size_t len = 0;
    const size_t want_len = (size_t)TLOG_TILE_WIDTH * MERKLE_HASH_SIZE;
    int rc = tlog_file_read(path, want_len, "tile", &buf, &len, e);
    if (rc == 0 && len != want_len)
        rc = tlog_corrupt(e, path, "a full tile is short");
    if (rc == 0) {
        if (!l->disk)
            l->disk = mem_alloc(want_len);
        memcpy(l->disk, buf, want_len);
        l->disk_tile = n;
        l->disk_checked = 0;
    }
    free(buf);
    free(path);
    return rc;
}

/* Group g of the tile in l->disk must hash to the tree's kept hash of it:
 * what comes from disk is what the log verified. */
static int tlog_disk_check(tlog *l, unsigned g, err_info *e)
{
    if (l->disk_checked & (1u << g))
        return 0;
    uint8_t want[MERKLE_HASH_SIZE], got[MERKLE_HASH_SIZE];
    uint64_t group = l->disk_tile * (TLOG_TILE_WIDTH / TLOG_GROUP) + g;
    int rc = merkle_tree_get(l->tree, TLOG_KEEP_LEVEL, group, want, e);
    if (rc < 0)
        return rc;
    merkle_root_of((const uint8_t (*)[MERKLE_HASH_SIZE])l->disk[g * TLOG_GROUP], TLOG_GROUP, got);
    if (sodium_memcmp(got, want, MERKLE_HASH_SIZE) != 0) {
        char *path = tlog_tile_name(l, l->disk_tile);
        rc = tlog_corrupt(e, path, "a tile does not match the log's tree");
        free(path);
        l->disk_tile = UINT64_MAX; /* read it again next time, not this copy */
        return rc;
    }
    l->disk_checked |= (uint16_t)(1u << g);
    return 0;
}

/* The tree's source of forgotten hashes (merkle_source_fn): a subtree of
 * 2^level < 2^TLOG_KEEP_LEVEL leaves lies within one group of one full
 * level-0 tile. */
static int tlog_tile_source(void *ctx, unsigned level, uint64_t index,
                            uint8_t out[MERKLE_HASH_SIZE], err_info *e)
{
    tlog *l = ctx;
    assert(level < TLOG_KEEP_LEVEL);
    uint64_t first = index << level, n = first / TLOG_TILE_WIDTH;
    assert(first + (UINT64_C(1) << level) <= l->base);
    int rc = l->disk_tile == n ? 0 : tlog_disk_load(l, n, e);
    if (rc == 0)
        rc = tlog_disk_check(l, (unsigned)(first % TLOG_TILE_WIDTH / TLOG_GROUP), e);
    if (rc < 0)
        return rc;
    merkle_root_of((const uint8_t (*)[MERKLE_HASH_SIZE])l->disk[first % TLOG_TILE_WIDTH],
                   UINT64_C(1) << level, out);
    return 0;
}

/* The tree hash of the first `size` entries (<= the tree's size). */
static int tlog_tree_root(const tlog *l, uint64_t size, uint8_t out[MERKLE_HASH_SIZE],
                          err_info *e)
{
    assert(size <= merkle_tree_size(l->tree));
    return merkle_root_from(merkle_tree_src_hash, &(merkle_tree_src){l->tree, e}, size, out);
}

/* ---- entries held in memory ---- */

static uint64_t tlog_held(const tlog *l)
{
    return merkle_tree_size(l->tree) - l->base;
}

static void tlog_hold(tlog *l, const uint8_t *entry, size_t len)
{
    uint64_t n = tlog_held(l);
    mem_grow((void **)&l->off, &l->off_cap, (size_t)n + 2, sizeof *l->off);
    mem_grow((void **)&l->buf, &l->buf_cap, l->buf_len + len, 1);
    if (len)
        memcpy(l->buf + l->buf_len, entry, len);
    l->off[n] = l->buf_len;
    l->buf_len += len;
    l->off[n + 1] = l->buf_len;
}

/* Append to the tree and keep the entry. */
static void tlog_add(tlog *l, const uint8_t *entry, size_t len)
{
    uint8_t h[MERKLE_HASH_SIZE];
    merkle_leaf_hash(entry, len, h);
    tlog_hold(l, entry, len);
    merkle_tree_append(l->tree, h);
}

/* Forget held entries before `base` (their bundles are full and public). */
static void tlog_release(tlog *l, uint64_t base)
{
    if (base == l->base) /* nothing to forget (a follower's empty log, say) */
        return;
    size_t drop = (size_t)(base - l->base), keep = (size_t)tlog_held(l) - drop;
    size_t from = l->off[drop];
    memmove(l->buf, l->buf + from, l->buf_len - from);
    l->buf_len -= from;
    for (size_t i = 0; i <= keep; i++)
        l->off[i] = l->off[drop + i] - from;
    l->base = base;
}

int tlog_append(tlog *l, const uint8_t *entry, size_t len, uint64_t *index, err_info *e)
{
    if (len > TLOG_ENTRY_MAX)
        return err_set(e, ERR_LIMIT, "TLOG_ENTRY_TOO_LARGE", "",
                       "a log entry of %zu bytes is over the limit of %u", len, TLOG_ENTRY_MAX);
    tlog_add(l, entry, len);
    *index = merkle_tree_size(l->tree) - 1;
    return 0;
}

/* ---- bundles ---- */

/* The next entry of a bundle p[*at..len); ERR_INVALID when truncated. */
static int tlog_bundle_next(const uint8_t *p, size_t len, size_t *at, const uint8_t **entry,
                            size_t *elen)
{
    if (len - *at < 2)
        return ERR_INVALID;
    size_t n = (size_t)p[*at] << 8 | p[*at + 1];
    if (len - *at - 2 < n)
        return ERR_INVALID;
    *entry = p + *at + 2;
    *elen = n;
    *at += 2 + n;
    return 0;
}

/* Encode bundle n of `width` held entries into the scratch buffer. */
static size_t tlog_bundle_encode(tlog *l, uint64_t n, unsigned width)
{
    size_t first = (size_t)(n * TLOG_TILE_WIDTH - l->base);
    size_t bytes = l->off[first + width] - l->off[first] + 2 * (size_t)width;
    mem_grow((void **)&l->scratch, &l->scratch_cap, bytes, 1);
    uint8_t *p = l->scratch;
    for (size_t i = first; i < first + width; i++) {
        size_t len = l->off[i + 1] - l->off[i];
        *p++ = (uint8_t)(len >> 8);
        *p++ = (uint8_t)len;
        memcpy(p, l->buf + l->off[i], len);
        p += len;
    }
    return bytes;
}

/* Read the bundle file at `rel` into *buf (caller frees). A missing or
 * malformed file is corruption of a published log. */
static int tlog_bundle_read(const tlog *l, const char *rel, char **buf, size_t *len,
                            err_info *e)
{
    char *path = tlog_join(l->dir, rel);
    int rc = tlog_file_read(path, TLOG_BUNDLE_MAX, "entry bundle", buf, len, e);
    free(path);
    return rc;
}

/* ---- publishing ---- */

static int tlog_stage_bundles(tlog *l, tlog_stage *st, uint64_t size, err_info *e)
{
    for (uint64_t n = l->pub_size / TLOG_TILE_WIDTH; n * TLOG_TILE_WIDTH < size; n++) {
        unsigned w = tlog_tile_width(size, n);
        char rel[TLOG_PATH_MAX];
        tlog_tile_path(rel, TLOG_ENTRIES, n, w);
        size_t bytes = tlog_bundle_encode(l, n, w);
        int rc = tlog_stage_add(st, rel, l->scratch, bytes, e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* Every tile that grew between the last checkpoint and `size`: at each
 * level, from the tile holding the old edge to the new edge. */
static int tlog_stage_tiles(tlog *l, tlog_stage *st, uint64_t size, err_info *e)
{
    for (int lv = 0; lv < TLOG_LEVELS && tlog_level_count(lv, size) > 0; lv++) {
        uint64_t c0 = tlog_level_count(lv, l->pub_size), c1 = tlog_level_count(lv, size);
        for (uint64_t n = c0 / TLOG_TILE_WIDTH; c1 > c0 && n * TLOG_TILE_WIDTH < c1; n++) {
            unsigned w = tlog_tile_width(c1, n);
            char rel[TLOG_PATH_MAX];
            tlog_tile_path(rel, lv, n, w);
            const uint8_t *h = merkle_tree_hash(l->tree, (unsigned)(TLOG_TILE_HEIGHT * lv),
                                                n * TLOG_TILE_WIDTH);
            assert(h); /* a tile that grows lies at or past base: kept */
            int rc = tlog_stage_add(st, rel, h, (size_t)w * MERKLE_HASH_SIZE, e);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* The promise behind every signature: the tree about to be signed extends
 * the last signed one. The tree is append-only, so this fails only through
 * a bug or corrupted memory, and then nothing may be signed. */
static int tlog_check_extends(const tlog *l, uint64_t size, const uint8_t root[MERKLE_HASH_SIZE],
                              err_info *e)
{
    uint8_t old[MERKLE_HASH_SIZE], proof[MERKLE_PROOF_MAX][MERKLE_HASH_SIZE];
    size_t n = 0;
    int rc = 0;
    if (size >= l->pub_size) { /* a tile that cannot be read is its own error */
        rc = tlog_tree_root(l, l->pub_size, old, e);
        if (rc == 0)
            rc = merkle_consistency_proof_from(merkle_tree_src_hash,
                                               &(merkle_tree_src){l->tree, e}, l->pub_size,
                                               size, proof, &n);
        if (rc < 0)
            return rc;
    }
    if (size < l->pub_size || sodium_memcmp(old, l->pub_root, MERKLE_HASH_SIZE) != 0
        || merkle_verify_consistency(l->pub_size, size, l->pub_root, root,
                                     (const uint8_t (*)[MERKLE_HASH_SIZE])proof, n) < 0)
        return err_set(e, ERR_INVALID, "TLOG_INCONSISTENT", "",
                       "the tree of %" PRIu64 " entries does not extend the signed tree of %"
                       PRIu64 "; refusing to sign", size, l->pub_size);
    return 0;
}

/* Sign the checkpoint of the first `size` entries and replace the
 * checkpoint file with it; the log's signed state follows only once the
 * file is in place. */
static int tlog_sign(tlog *l, uint64_t size, err_info *e)
{
    checkpoint c = {.size = size};
    snprintf(c.origin, sizeof c.origin, "%s", l->signer.pub.name);
    int rc = tlog_tree_root(l, size, c.root, e);
    if (rc == 0)
        rc = tlog_check_extends(l, size, c.root, e);
    char *text = NULL, *msg = NULL;
    size_t tlen = 0, mlen = 0;
    if (rc == 0)
        rc = checkpoint_format(&c, &text, &tlen, e);
    if (rc == 0)
        rc = note_sign(&l->signer, text, tlen, &msg, &mlen, e);
    free(text);
    char *path = tlog_join(l->dir, TLOG_CHECKPOINT);
    if (rc == 0)
        rc = file_write_atomic_bytes(path, 0, msg, mlen, e);
    free(path);
    if (rc < 0) {
        free(msg);
        return rc;
    }
    free(l->cp);
    l->cp = msg;
    l->cp_len = mlen;
    l->pub_size = size;
    memcpy(l->pub_root, c.root, MERKLE_HASH_SIZE);
    return 0;
}

/* Once the checkpoint of `size` replaced the one of `old`: at every level
 * the partials of the tiles now full go, and of the edge tile only the
 * partials of these two checkpoints stay (a reader who fetched the old
 * checkpoint a moment ago still finds its partial). Those of earlier
 * checkpoints go, and so does anything a failed publish wrote since `old`,
 * which lies in the same tiles. This keeps the partials on disk bounded
 * whatever the publish rate (tlog.h). */
static void tlog_prune(const tlog *l, uint64_t old, uint64_t size)
{
    for (int lv = TLOG_ENTRIES; lv < TLOG_LEVELS && tlog_level_count(lv, size) > 0; lv++) {
        uint64_t c0 = tlog_level_count(lv, old), c1 = tlog_level_count(lv, size);
        uint64_t edge = c1 / TLOG_TILE_WIDTH;
        for (uint64_t n = c0 / TLOG_TILE_WIDTH; n <= edge; n++) {
            unsigned keep[2] = {0, 0};
            if (n == edge) {
                keep[0] = (unsigned)(c1 % TLOG_TILE_WIDTH);
                keep[1] = c0 / TLOG_TILE_WIDTH == edge ? (unsigned)(c0 % TLOG_TILE_WIDTH) : 0;
            }
            char rel[TLOG_PATH_MAX];
            tlog_tile_path(rel, lv, n, TLOG_TILE_WIDTH);
            tlog_remove_partials(l->dir, rel, keep);
        }
    }
}

/* Write every tile and bundle of the first `size` entries that changed
 * since the last checkpoint, all durable before this returns. */
static int tlog_write_files(tlog *l, uint64_t size, err_info *e)
{
    tlog_stage st;
    tlog_stage_init(&st, l->dir);
    int rc = tlog_stage_bundles(l, &st, size, e);
    if (rc == 0)
        rc = tlog_stage_tiles(l, &st, size, e);
    if (rc == 0)
        rc = tlog_stage_commit(&st, e);
    tlog_stage_free(&st);
    return rc;
}

/* The checkpoint of `size` is in place: forget what no publish will
 * write again (the entries, and the tree's lowest levels, which the full
 * level-0 tiles below the edge now hold), and prune the partials of older
 * checkpoints. */
static void tlog_published(tlog *l, uint64_t old, uint64_t size)
{
    tlog_release(l, size / TLOG_TILE_WIDTH * TLOG_TILE_WIDTH);
    merkle_tree_forget(l->tree, TLOG_KEEP_LEVEL, l->base);
    tlog_prune(l, old, size);
}

int tlog_publish(tlog *l, err_info *e)
{
    uint64_t old = l->pub_size, size = merkle_tree_size(l->tree);
    if (l->follower)
        return err_set(e, ERR_INVALID, "TLOG_FOLLOWER", l->dir,
                       "a follower's log has no signing key: it adopts the signed checkpoints");
    if (size == old)
        return 0;
    int rc = tlog_write_files(l, size, e);
    if (rc == 0)
        rc = tlog_sign(l, size, e);
    if (rc < 0)
        return rc;
    tlog_published(l, old, size);
    return 0;
}

/* ---- following ---- */

static int tlog_read_checkpoint(const tlog *l, const char *text, size_t len, const char *what,
                                checkpoint *c, err_info *e);

/* Replace the checkpoint file with the signer's bytes `text` for a tree of
 * `size` entries whose root the caller has checked. */
static int tlog_install(tlog *l, const char *text, size_t len, const checkpoint *c, err_info *e)
{
    char *path = tlog_join(l->dir, TLOG_CHECKPOINT);
    int rc = file_write_atomic_bytes(path, 0, text, len, e);
    free(path);
    if (rc < 0)
        return rc;
    free(l->cp);
    l->cp = mem_alloc(len);
    memcpy(l->cp, text, len);
    l->cp_len = len;
    l->pub_size = c->size;
    memcpy(l->pub_root, c->root, MERKLE_HASH_SIZE);
    return 0;
}

/* The checkpoint is the log's (its key, its origin, no extension lines)
 * and this tree reproduces it: it extends the last one adopted and its
 * root is the root of our first c->size entries. */
static int tlog_adopt_check(const tlog *l, const char *text, size_t len, checkpoint *c,
                            err_info *e)
{
    int rc = tlog_read_checkpoint(l, text, len, "adopted checkpoint", c, e);
    if (rc < 0)
        return rc;
    if (c->size < l->pub_size)
        return err_set(e, ERR_INVALID, "TLOG_CHECKPOINT_OLDER", "",
                       "the checkpoint of %" PRIu64 " entries is older than the one adopted (%"
                       PRIu64 ")", c->size, l->pub_size);
    if (c->size > merkle_tree_size(l->tree))
        return err_set(e, ERR_LIMIT, "TLOG_CHECKPOINT_AHEAD", "",
                       "the checkpoint covers %" PRIu64 " entries, this log holds %" PRIu64,
                       c->size, merkle_tree_size(l->tree));
    uint8_t root[MERKLE_HASH_SIZE];
    rc = tlog_tree_root(l, c->size, root, e);
    if (rc < 0)
        return rc;
    if (sodium_memcmp(root, c->root, MERKLE_HASH_SIZE) != 0)
        return err_set(e, ERR_INVALID, "TLOG_FORK", "",
                       "the signed root of %" PRIu64 " entries is not the root of the entries "
                       "this log verified", c->size);
    return tlog_check_extends(l, c->size, c->root, e);
}

int tlog_adopt(tlog *l, const char *text, size_t len, err_info *e)
{
    assert(l->follower);
    checkpoint c;
    uint64_t old = l->pub_size;
    int rc = tlog_adopt_check(l, text, len, &c, e);
    if (rc < 0 || (c.size == old && l->cp))
        return rc;
    rc = tlog_write_files(l, c.size, e);
    if (rc == 0)
        rc = tlog_install(l, text, len, &c, e);
    if (rc == 0)
        tlog_published(l, old, c.size);
    return rc;
}

/* ---- recovery ---- */

/* Load bundle n of `width` entries into the tree; the entries of a
 * partial bundle are kept, since the next publish rewrites it. */
static int tlog_load_bundle(tlog *l, uint64_t n, unsigned width, err_info *e)
{
    char rel[TLOG_PATH_MAX], *buf = NULL;
    size_t len = 0, at = 0;
    tlog_tile_path(rel, TLOG_ENTRIES, n, width);
    int rc = tlog_bundle_read(l, rel, &buf, &len, e);
    for (unsigned i = 0; rc == 0 && i < width; i++) {
        const uint8_t *entry;
        size_t elen;
        if (tlog_bundle_next((const uint8_t *)buf, len, &at, &entry, &elen) < 0)
            rc = tlog_corrupt(e, rel, "an entry bundle is truncated");
        else if (width < TLOG_TILE_WIDTH)
            tlog_add(l, entry, elen);
        else {
            uint8_t h[MERKLE_HASH_SIZE];
            merkle_leaf_hash(entry, elen, h);
            merkle_tree_append(l->tree, h);
        }
    }
    if (rc == 0 && at != len)
        rc = tlog_corrupt(e, rel, "an entry bundle has bytes past its entries");
    free(buf);
    return rc;
}

/* Tile n of level lv (`width` hashes) must hold exactly the tree's hashes. */
static int tlog_check_tile(const tlog *l, int lv, uint64_t n, unsigned width, err_info *e)
{
    char rel[TLOG_PATH_MAX];
    tlog_tile_path(rel, lv, n, width);
    char *path = tlog_join(l->dir, rel), *buf = NULL;
    size_t len = 0;
    int rc = tlog_file_read(path, (size_t)TLOG_TILE_WIDTH * MERKLE_HASH_SIZE, "tile", &buf, &len,
                            e);
    const uint8_t *want = merkle_tree_hash(l->tree, (unsigned)(TLOG_TILE_HEIGHT * lv),
                                           n * TLOG_TILE_WIDTH);
    if (rc == 0 && (len != (size_t)width * MERKLE_HASH_SIZE || memcmp(buf, want, len) != 0))
        rc = tlog_corrupt(e, path, "a tile does not match the entries");
    free(buf);
    free(path);
    return rc;
}

/* Every tile but the full ones of level 0 (tlog_recover checks those as it
 * reads their bundles). */
static int tlog_check_tiles(const tlog *l, uint64_t size, err_info *e)
{
    for (int lv = 0; lv < TLOG_LEVELS && tlog_level_count(lv, size) > 0; lv++) {
        uint64_t c = tlog_level_count(lv, size);
        for (uint64_t n = lv == 0 ? c / TLOG_TILE_WIDTH : 0; n * TLOG_TILE_WIDTH < c; n++) {
            int rc = tlog_check_tile(l, lv, n, tlog_tile_width(c, n), e);
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* Rebuild the tree of the checkpoint from the bundles, then check every
 * tile and the root against it. Each full bundle's level-0 tile is
 * checked as soon as its leaves are in, and the tree then forgets its
 * lowest levels there: memory stays that of a running log. */
static int tlog_recover(tlog *l, const checkpoint *c, err_info *e)
{
    l->base = c->size / TLOG_TILE_WIDTH * TLOG_TILE_WIDTH;
    int rc = 0;
    for (uint64_t n = 0; rc == 0 && n * TLOG_TILE_WIDTH < c->size; n++) {
        unsigned w = tlog_tile_width(c->size, n);
        rc = tlog_load_bundle(l, n, w, e);
        if (rc == 0 && w == TLOG_TILE_WIDTH)
            rc = tlog_check_tile(l, 0, n, w, e);
        if (rc == 0 && w == TLOG_TILE_WIDTH)
            merkle_tree_forget(l->tree, TLOG_KEEP_LEVEL, (n + 1) * TLOG_TILE_WIDTH);
    }
    if (rc == 0)
        rc = tlog_check_tiles(l, c->size, e);
    uint8_t root[MERKLE_HASH_SIZE];
    if (rc == 0)
        rc = tlog_tree_root(l, c->size, root, e);
    if (rc == 0 && sodium_memcmp(root, c->root, MERKLE_HASH_SIZE) != 0)
        rc = tlog_corrupt(e, TLOG_CHECKPOINT, "the entries do not hash to the checkpoint's root");
    if (rc == 0) {
        l->pub_size = c->size;
        memcpy(l->pub_root, c->root, MERKLE_HASH_SIZE);
    }
    return rc;
}

/* Check a checkpoint's signature and origin (`what`: where it came from,
 * for the error). A checkpoint that is well formed but not ours means a
 * wrong key or origin was configured. */
static int tlog_read_checkpoint(const tlog *l, const char *text, size_t len, const char *what,
                                checkpoint *c, err_info *e)
{
    err_info why = {0};
    int rc = checkpoint_open(c, text, len, &l->signer.pub, 1, &why);
    if (rc < 0 && strcmp(why.code, "NOTE_UNVERIFIED") == 0)
        return err_set(e, ERR_INVALID, "TLOG_KEY", what,
                       "the checkpoint is not signed by the key %s+%08" PRIx32,
                       l->signer.pub.name, l->signer.pub.key_id);
    if (rc < 0)
        return err_set(e, ERR_INVALID, "TLOG_CORRUPT", what,
                       "the log on disk is corrupt: checkpoint: %s: %s", why.code, why.msg);
    if (strcmp(c->origin, l->signer.pub.name) != 0)
        return err_set(e, ERR_INVALID, "TLOG_KEY", what,
                       "the checkpoint is for the origin \"%s\", not \"%s\"", c->origin,
                       l->signer.pub.name);
    if (c->ext) /* this log never writes extension lines */
        return tlog_corrupt(e, what, "the checkpoint has extension lines");
    return 0;
}

/* What a crash can leave beside a log whose checkpoint is verified:
 * partials of tiles now full (killed between signing and pruning),
 * partials of the edge tile other than the checkpoint's (older ones, and
 * wider ones from a publish that was never signed), partials past the
 * edge, and temporary files. Only the checkpoint's own partials stay; a
 * failure to remove is harmless (the files are unused). */
static void tlog_sweep(const tlog *l)
{
    tlog_sweep_tmp(l->dir);
    for (int lv = TLOG_ENTRIES; lv < TLOG_LEVELS; lv++)
        tlog_sweep_level(l->dir, lv, tlog_level_count(lv, l->pub_size));
}

/* Load the existing log, or start a new one when the directory holds no
 * checkpoint and no tiles. Tiles without a checkpoint are refused: a lost
 * checkpoint must not let the log sign a second history. */
static int tlog_load(tlog *l, err_info *e)
{
    char *path = tlog_join(l->dir, TLOG_CHECKPOINT);
    int rc = file_read_all(path, NOTE_MAX_SIZE, &l->cp, &l->cp_len, e);
    if (rc == ERR_NOTFOUND) {
        char *tiles = tlog_join(l->dir, "tile");
        struct stat st;
        rc = stat(tiles, &st) == 0
               ? tlog_corrupt(e, path, "tiles exist but the checkpoint is missing")
               : l->follower ? 0 /* nothing adopted yet */
                             : tlog_sign(l, 0, e);
        free(tiles);
    } else if (rc == 0) {
        checkpoint c;
        rc = tlog_read_checkpoint(l, l->cp, l->cp_len, path, &c, e);
        if (rc == 0)
            rc = tlog_recover(l, &c, e);
    }
    free(path);
    if (rc == 0)
        tlog_sweep(l);
    return rc;
}

/* The directory, an empty tree, then what the directory holds. */
static int tlog_start(tlog *l, const char *dir, tlog **out, err_info *e)
{
    if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
        int rc = err_set(e, ERR_IO, "TLOG_DIR", dir, "cannot create the log directory %s: %s",
                         dir, strerror(errno));
        note_signer_wipe(&l->signer);
        free(l);
        return rc;
    }
    l->dir = mem_strdup(dir);
    l->tree = merkle_tree_new();
    l->disk_tile = UINT64_MAX;
    merkle_tree_set_source(l->tree, tlog_tile_source, l);
    merkle_tree_root(l->tree, 0, l->pub_root);
    mem_grow((void **)&l->off, &l->off_cap, 1, sizeof *l->off);
    l->off[0] = 0;
    int rc = tlog_load(l, e);
    if (rc < 0) {
        tlog_close(l);
        return rc;
    }
    *out = l;
    return 0;
}

int tlog_open(const char *dir, const char *origin, const uint8_t seed[NOTE_SEED_SIZE],
              tlog **out, err_info *e)
{
    tlog *l = mem_calloc(1, sizeof *l);
    int rc = note_signer_from_seed(&l->signer, origin, seed, NULL);
    if (rc < 0) {
        free(l);
        return err_set(e, ERR_INVALID, "TLOG_ORIGIN", "",
                       "the log origin \"%s\" must be a valid key name: 1 to %d bytes, no "
                       "spaces, no '+'", origin, NOTE_NAME_MAX);
    }
    return tlog_start(l, dir, out, e);
}

int tlog_open_follower(const char *dir, const note_verifier *v, tlog **out, err_info *e)
{
    tlog *l = mem_calloc(1, sizeof *l);
    l->signer.pub = *v;
    l->follower = 1;
    return tlog_start(l, dir, out, e);
}

void tlog_close(tlog *l)
{
    if (!l)
        return;
    note_signer_wipe(&l->signer);
    merkle_tree_free(l->tree);
    free(l->dir);
    free(l->cp);
    free(l->buf);
    free(l->off);
    free(l->scratch);
    free(l->disk);
    free(l);
}

/* ---- reading ---- */

uint64_t tlog_size(const tlog *l)
{
    return merkle_tree_size(l->tree);
}

uint64_t tlog_published_size(const tlog *l)
{
    return l->pub_size;
}

int tlog_root(const tlog *l, uint64_t size, uint8_t out[MERKLE_HASH_SIZE])
{
    if (size > merkle_tree_size(l->tree))
        return ERR_INVALID;
    return tlog_tree_root(l, size, out, NULL);
}

int tlog_inclusion_proof(const tlog *l, uint64_t index, uint64_t size,
                         uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n)
{
    return merkle_inclusion_proof(l->tree, index, size, proof, n);
}

int tlog_consistency_proof(const tlog *l, uint64_t size1, uint64_t size2,
                           uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n)
{
    return merkle_consistency_proof(l->tree, size1, size2, proof, n);
}

const char *tlog_checkpoint_text(const tlog *l, size_t *len)
{
    *len = l->cp_len;
    return l->cp;
}

const merkle_tree *tlog_tree(const tlog *l)
{
    return l->tree;
}

const note_verifier *tlog_verifier(const tlog *l)
{
    return &l->signer.pub;
}

static void tlog_copy_out(const uint8_t *p, size_t len, uint8_t **entry, size_t *elen)
{
    *entry = mem_alloc(len);
    if (len)
        memcpy(*entry, p, len);
    *elen = len;
}

/* Entry `index` from its full bundle on disk, checked against its leaf. */
static int tlog_entry_from_disk(const tlog *l, uint64_t index, uint8_t **entry, size_t *len,
                                err_info *e)
{
    char rel[TLOG_PATH_MAX], *buf = NULL;
    size_t blen = 0, at = 0;
    uint64_t n = index / TLOG_TILE_WIDTH;
    tlog_tile_path(rel, TLOG_ENTRIES, n, TLOG_TILE_WIDTH);
    int rc = tlog_bundle_read(l, rel, &buf, &blen, e);
    const uint8_t *p = NULL;
    size_t plen = 0;
    for (uint64_t i = n * TLOG_TILE_WIDTH; rc == 0 && i <= index; i++)
        if (tlog_bundle_next((const uint8_t *)buf, blen, &at, &p, &plen) < 0)
            rc = tlog_corrupt(e, rel, "an entry bundle is truncated");
    uint8_t h[MERKLE_HASH_SIZE], want[MERKLE_HASH_SIZE];
    if (rc == 0)
        rc = merkle_tree_get(l->tree, 0, index, want, e);
    if (rc == 0) {
        merkle_leaf_hash(p, plen, h);
        if (memcmp(h, want, MERKLE_HASH_SIZE) != 0)
            rc = tlog_corrupt(e, rel, "an entry does not match its leaf hash");
    }
    if (rc == 0)
        tlog_copy_out(p, plen, entry, len);
    free(buf);
    return rc;
}

int tlog_entry(const tlog *l, uint64_t index, uint8_t **entry, size_t *len, err_info *e)
{
    if (index >= merkle_tree_size(l->tree))
        return err_set(e, ERR_NOTFOUND, "TLOG_INDEX", "",
                       "no log entry %" PRIu64 ": the log holds %" PRIu64, index,
                       merkle_tree_size(l->tree));
    if (index < l->base)
        return tlog_entry_from_disk(l, index, entry, len, e);
    size_t i = (size_t)(index - l->base);
    tlog_copy_out(l->buf + l->off[i], l->off[i + 1] - l->off[i], entry, len);
    return 0;
}
