/* tlog_read — verify a log directory from its files; see tlog_read.h. */
#include "log/tlog_read.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/merkle.h"
#include "io/file.h"
#include "log/tlog.h"

#define TLOG_READ_PATH_MAX 4200
#define TLOG_BUNDLE_MAX ((size_t)TLOG_TILE_WIDTH * (2 + TLOG_ENTRY_MAX))

typedef struct tlog_reader {
    const char *dir;
    merkle_tree *tree;
    tlog_read_fn fn;
    void *ctx;
    err_info *e;
} tlog_reader;

/* Read <dir>/<tile path> whole. */
static int tlog_read_tile(const tlog_reader *r, int level, uint64_t n, unsigned width,
                          size_t max, char **buf, size_t *len, char *path)
{
    char rel[TLOG_PATH_MAX];
    tlog_tile_path(rel, level, n, width);
    snprintf(path, TLOG_READ_PATH_MAX, "%s/%s", r->dir, rel);
    int rc = file_read_all(path, max, buf, len, r->e);
    if (rc < 0)
        return err_set(r->e, ERR_INVALID, "TLOG_CORRUPT", path, "missing or unreadable");
    return 0;
}

/* One bundle of `width` entries: length-prefixed, nothing after the last. */
static int tlog_read_bundle(tlog_reader *r, uint64_t n, unsigned width)
{
    char path[TLOG_READ_PATH_MAX];
    char *buf;
    size_t len;
    int rc = tlog_read_tile(r, TLOG_ENTRIES, n, width, TLOG_BUNDLE_MAX, &buf, &len, path);
    if (rc < 0)
        return rc;
    const uint8_t *p = (const uint8_t *)buf, *end = p + len;
    for (unsigned i = 0; i < width && rc == 0; i++) {
        size_t elen = end - p >= 2 ? (size_t)p[0] << 8 | p[1] : SIZE_MAX;
        if (elen == SIZE_MAX || elen > (size_t)(end - p - 2)) {
            rc = err_set(r->e, ERR_INVALID, "TLOG_CORRUPT", path, "entry %u is cut short", i);
            break;
        }
        uint8_t leaf[MERKLE_HASH_SIZE];
        merkle_leaf_hash(p + 2, elen, leaf);
        merkle_tree_append(r->tree, leaf);
        if (r->fn)
            rc = r->fn(r->ctx, n * TLOG_TILE_WIDTH + i, p + 2, elen);
        p += 2 + elen;
    }
    if (rc == 0 && p != end)
        rc = err_set(r->e, ERR_INVALID, "TLOG_CORRUPT", path, "bytes after the last entry");
    free(buf);
    return rc;
}

/* Tile n of level L must hold exactly the rebuilt tree's hashes. */
static int tlog_read_check_tile(tlog_reader *r, int level, uint64_t n, unsigned width)
{
    char path[TLOG_READ_PATH_MAX];
    char *buf;
    size_t len;
    int rc = tlog_read_tile(r, level, n, width, (size_t)TLOG_TILE_WIDTH * MERKLE_HASH_SIZE, &buf,
                            &len, path);
    if (rc < 0)
        return rc;
    const uint8_t *want = merkle_tree_hash(r->tree, (unsigned)level * TLOG_TILE_HEIGHT,
                                           n * TLOG_TILE_WIDTH);
    if (len != (size_t)width * MERKLE_HASH_SIZE || !want || memcmp(buf, want, len) != 0)
        rc = err_set(r->e, ERR_INVALID, "TLOG_CORRUPT", path, "does not match the entries");
    free(buf);
    return rc;
}

static int tlog_read_tiles(tlog_reader *r, uint64_t size)
{
    for (int level = 0;; level++) {
        uint64_t nodes = size >> (TLOG_TILE_HEIGHT * level); /* complete subtrees at 8·L */
        if (!nodes)
            return 0;
        for (uint64_t n = 0; n < nodes / TLOG_TILE_WIDTH; n++) {
            int rc = tlog_read_check_tile(r, level, n, TLOG_TILE_WIDTH);
            if (rc < 0)
                return rc;
        }
        unsigned rest = (unsigned)(nodes % TLOG_TILE_WIDTH);
        if (rest) {
            int rc = tlog_read_check_tile(r, level, nodes / TLOG_TILE_WIDTH, rest);
            if (rc < 0)
                return rc;
        }
    }
}

static int tlog_read_checkpoint(const char *dir, const note_verifier *v, checkpoint *cp,
                                err_info *e)
{
    char path[TLOG_READ_PATH_MAX];
    char *buf;
    size_t len;
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    int rc = file_read_all(path, NOTE_MAX_SIZE, &buf, &len, e);
    if (rc == 0)
        rc = checkpoint_open(cp, buf, len, v, 1, e);
    if (rc == 0 && cp->ext_len)
        rc = err_set(e, ERR_INVALID, "TLOG_CORRUPT", path, "unexpected extension lines");
    cp->ext = NULL;
    cp->ext_len = 0;
    free(buf);
    return rc;
}

int tlog_read_verify(const char *dir, const note_verifier *v, checkpoint *cp, merkle_tree *tree,
                     tlog_read_fn fn, void *ctx, err_info *e)
{
    assert(!tree || merkle_tree_size(tree) == 0);
    int rc = tlog_read_checkpoint(dir, v, cp, e);
    if (rc < 0)
        return rc;
    tlog_reader r = {.dir = dir, .tree = tree ? tree : merkle_tree_new(), .fn = fn, .ctx = ctx,
                     .e = e};
    uint64_t full = cp->size / TLOG_TILE_WIDTH;
    unsigned rest = (unsigned)(cp->size % TLOG_TILE_WIDTH);
    for (uint64_t n = 0; n < full && rc == 0; n++)
        rc = tlog_read_bundle(&r, n, TLOG_TILE_WIDTH);
    if (rc == 0 && rest)
        rc = tlog_read_bundle(&r, full, rest);
    uint8_t root[MERKLE_HASH_SIZE];
    if (rc == 0 && (merkle_tree_root(r.tree, cp->size, root) < 0 ||
                    memcmp(root, cp->root, sizeof root) != 0))
        rc = err_set(e, ERR_INVALID, "TLOG_ROOT", dir,
                     "the entries do not hash to the checkpoint's root");
    if (rc == 0)
        rc = tlog_read_tiles(&r, cp->size);
    if (!tree)
        merkle_tree_free(r.tree);
    return rc;
}
