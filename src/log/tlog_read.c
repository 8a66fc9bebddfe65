/* tlog_read — verify a log directory from its files; see tlog_read.h. */
#include "log/tlog_read.h"

#include <assert.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/merkle.h"
#include "log/tlog.h"
#include "log/tlog_fs.h"

typedef struct tlog_reader {
    const char *dir;
    merkle_tree *tree;
    tlog_read_fn fn;
    void *ctx;
    err_info *e;
} tlog_reader;

static const char *tlog_what(int level)
{
    return level == TLOG_ENTRIES ? "entry bundle" : "tile";
}

/* The byte length of the first `width` items of a tile's bytes: hashes, or
 * length-prefixed entries; 0 when the bytes hold fewer. */
static size_t tlog_prefix_len(int level, const uint8_t *p, size_t len, unsigned width)
{
    if (level != TLOG_ENTRIES)
        return len >= (size_t)width * MERKLE_HASH_SIZE ? (size_t)width * MERKLE_HASH_SIZE : 0;
    size_t at = 0;
    for (unsigned i = 0; i < width; i++) {
        if (len - at < 2 || len - at - 2 < ((size_t)p[at] << 8 | p[at + 1]))
            return 0;
        at += 2 + ((size_t)p[at] << 8 | p[at + 1]);
    }
    return at;
}

/* The narrowest partial of tile `rel` wider than `width` in its .p
 * directory, 0 when there is none. */
static unsigned tlog_wider_partial(const char *dir, const char *rel, unsigned width)
{
    char pdir[TLOG_READ_PATH_MAX];
    snprintf(pdir, sizeof pdir, "%s/%s.p", dir, rel);
    DIR *d = opendir(pdir);
    unsigned best = 0;
    for (struct dirent *de; d && (de = readdir(d)) != NULL;) {
        char *end;
        unsigned long w = strtoul(de->d_name, &end, 10);
        if (*end == '\0' && de->d_name[0] != '0' && w > width && w < TLOG_TILE_WIDTH &&
            (!best || w < best))
            best = (unsigned)w;
    }
    if (d)
        closedir(d);
    return best;
}

/* A wider tile's first `width` items; 0 when read, <0 as tlog_file_read. */
static int tlog_tile_prefix(const char *dir, int level, uint64_t n, unsigned wider,
                            unsigned width, char **buf, size_t *len, char *path, err_info *e)
{
    char rel[TLOG_PATH_MAX];
    tlog_tile_path(rel, level, n, wider);
    snprintf(path, TLOG_READ_PATH_MAX, "%s/%s", dir, rel);
    size_t max = level == TLOG_ENTRIES ? TLOG_BUNDLE_MAX : (size_t)TLOG_TILE_WIDTH * MERKLE_HASH_SIZE;
    int rc = tlog_file_read(path, max, tlog_what(level), buf, len, e);
    if (rc < 0)
        return rc;
    size_t keep = tlog_prefix_len(level, (const uint8_t *)*buf, *len, width);
    if (!keep) {
        free(*buf);
        *buf = NULL;
        return err_set(e, ERR_INVALID, "TLOG_CORRUPT", path,
                       "the log on disk is corrupt: %s holds fewer than %u items",
                       tlog_what(level), width);
    }
    *len = keep;
    return 0;
}

int tlog_tile_read(const char *dir, int level, uint64_t n, unsigned width, char **buf,
                   size_t *len, char *path, err_info *e)
{
    assert(width >= 1 && width <= TLOG_TILE_WIDTH);
    char rel[TLOG_PATH_MAX], full[TLOG_PATH_MAX];
    tlog_tile_path(rel, level, n, width);
    snprintf(path, TLOG_READ_PATH_MAX, "%s/%s", dir, rel);
    size_t max = level == TLOG_ENTRIES ? TLOG_BUNDLE_MAX : (size_t)TLOG_TILE_WIDTH * MERKLE_HASH_SIZE;
    struct stat st;
    if (width == TLOG_TILE_WIDTH || stat(path, &st) == 0)
        return tlog_file_read(path, max, tlog_what(level), buf, len, e);
    /* pruned since the caller's checkpoint: a wider one holds it; the
     * writer may prune again meanwhile, so look a few times */
    tlog_tile_path(full, level, n, TLOG_TILE_WIDTH);
    for (int tries = 0; tries < 4; tries++) {
        char fpath[TLOG_READ_PATH_MAX];
        snprintf(fpath, sizeof fpath, "%s/%s", dir, full);
        unsigned wider = stat(fpath, &st) == 0 ? TLOG_TILE_WIDTH : tlog_wider_partial(dir, full, width);
        if (!wider)
            break;
        char wpath[TLOG_READ_PATH_MAX];
        err_info why = {0};
        int rc = tlog_tile_prefix(dir, level, n, wider, width, buf, len, wpath, &why);
        if (rc == 0 || strcmp(why.code, "TLOG_CORRUPT") != 0 || stat(wpath, &st) == 0) {
            memcpy(path, wpath, sizeof wpath);
            if (rc < 0 && e)
                *e = why;
            return rc;
        }
    }
    return tlog_file_read(path, max, tlog_what(level), buf, len, e);
}

/* One bundle of `width` entries: length-prefixed, nothing after the last. */
static int tlog_read_bundle(tlog_reader *r, uint64_t n, unsigned width)
{
    char path[TLOG_READ_PATH_MAX];
    char *buf = NULL;
    size_t len = 0;
    int rc = tlog_tile_read(r->dir, TLOG_ENTRIES, n, width, &buf, &len, path, r->e);
    if (rc < 0)
        return rc;
    const uint8_t *p = (const uint8_t *)buf, *end = p + len;
    for (unsigned i = 0; i < width && rc == 0; i++) {
        size_t elen = end - p >= 2 ? (size_t)p[0] << 8 | p[1] : SIZE_MAX;
        if (elen == SIZE_MAX || elen > (size_t)(end - p - 2)) {
            rc = err_set(r->e, ERR_INVALID, "TLOG_CORRUPT", path,
                         "the log on disk is corrupt: entry %u of the bundle is cut short", i);
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
        rc = err_set(r->e, ERR_INVALID, "TLOG_CORRUPT", path,
                     "the log on disk is corrupt: the bundle has bytes after its last entry");
    free(buf);
    return rc;
}

/* Tile n of level L must hold exactly the rebuilt tree's hashes. */
static int tlog_read_check_tile(tlog_reader *r, int level, uint64_t n, unsigned width)
{
    char path[TLOG_READ_PATH_MAX];
    char *buf = NULL;
    size_t len = 0;
    int rc = tlog_tile_read(r->dir, level, n, width, &buf, &len, path, r->e);
    if (rc < 0)
        return rc;
    const uint8_t *want = merkle_tree_hash(r->tree, (unsigned)level * TLOG_TILE_HEIGHT,
                                           n * TLOG_TILE_WIDTH);
    if (len != (size_t)width * MERKLE_HASH_SIZE || !want || memcmp(buf, want, len) != 0)
        rc = err_set(r->e, ERR_INVALID, "TLOG_CORRUPT", path,
                     "the log on disk is corrupt: the tile does not match the entries");
    free(buf);
    return rc;
}

static int tlog_read_tiles(tlog_reader *r, uint64_t size)
{
    for (int level = 0; level < TLOG_LEVELS; level++) {
        uint64_t count = tlog_level_count(level, size);
        for (uint64_t n = 0; n * TLOG_TILE_WIDTH < count; n++) {
            int rc = tlog_read_check_tile(r, level, n, tlog_tile_width(count, n));
            if (rc < 0)
                return rc;
        }
    }
    return 0;
}

/* The note layer's errors say where in the text (a line), not which file:
 * the path goes first. Returns rc. */
static int tlog_read_in_file(err_info *e, int rc, const char *path)
{
    if (!e)
        return rc;
    char where[TLOG_READ_PATH_MAX + sizeof e->where + 2], msg[sizeof e->msg];
    snprintf(where, sizeof where, "%s%s%s", path, e->where[0] ? ": " : "", e->where);
    memcpy(msg, e->msg, sizeof msg);
    return err_set(e, rc, e->code, where, "%s", msg);
}

/* The checkpoint at `path`, signed by v for v's log: the log's key is
 * named after its origin, so another origin is another log. */
static int tlog_read_checkpoint(const char *path, const note_verifier *v, checkpoint *cp,
                                err_info *e)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = tlog_file_read(path, NOTE_MAX_SIZE, "checkpoint", &buf, &len, e);
    if (rc == 0 && (rc = checkpoint_open(cp, buf, len, v, 1, e)) < 0)
        rc = tlog_read_in_file(e, rc, path);
    if (rc == 0 && cp->ext_len)
        rc = err_set(e, ERR_INVALID, "TLOG_CORRUPT", path,
                     "the log on disk is corrupt: the checkpoint has extension lines");
    if (rc == 0 && strcmp(cp->origin, v->name) != 0)
        rc = err_set(e, ERR_INVALID, "TLOG_KEY", path,
                     "the checkpoint is for the origin \"%s\", not \"%s\"", cp->origin, v->name);
    cp->ext = NULL; /* it pointed into buf */
    cp->ext_len = 0;
    free(buf);
    return rc;
}

int tlog_read_verify(const char *dir, const note_verifier *v, checkpoint *cp, merkle_tree *tree,
                     tlog_read_fn fn, void *ctx, err_info *e)
{
    assert(!tree || merkle_tree_size(tree) == 0);
    char path[TLOG_READ_PATH_MAX];
    snprintf(path, sizeof path, "%s/checkpoint", dir);
    int rc = tlog_read_checkpoint(path, v, cp, e);
    if (rc < 0)
        return rc;
    tlog_reader r = {.dir = dir, .tree = tree ? tree : merkle_tree_new(), .fn = fn, .ctx = ctx,
                     .e = e};
    for (uint64_t n = 0; rc == 0 && n * TLOG_TILE_WIDTH < cp->size; n++)
        rc = tlog_read_bundle(&r, n, tlog_tile_width(cp->size, n));
    uint8_t root[MERKLE_HASH_SIZE];
    if (rc == 0 && (merkle_tree_root(r.tree, cp->size, root) < 0 ||
                    memcmp(root, cp->root, sizeof root) != 0))
        rc = err_set(e, ERR_INVALID, "TLOG_ROOT", path,
                     "the entries do not hash to the checkpoint's root");
    if (rc == 0)
        rc = tlog_read_tiles(&r, cp->size);
    if (!tree)
        merkle_tree_free(r.tree);
    return rc;
}
