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

/* The widest partial of tile `rel` wider than `width` in its .p directory
 * (temporary files and names the log never writes skipped), 0 when there
 * is none or no directory. The widest is the newest: the one the writer
 * keeps longest (until two more checkpoints are signed), where the
 * narrowest wider one is usually the previous checkpoint's, the next to
 * go: a reader slower than the writer is overtaken on every look more
 * often choosing it (RELIABILITY.md, "The one failure"). */
static unsigned tlog_wider_partial(const char *dir, const char *rel, unsigned width)
{
    char pdir[TLOG_READ_PATH_MAX];
    snprintf(pdir, sizeof pdir, "%s/%s.p", dir, rel);
    DIR *d = opendir(pdir);
    unsigned best = 0;
    for (struct dirent *de; d && (de = readdir(d)) != NULL;) {
        char *end;
        unsigned long w = strtoul(de->d_name, &end, 10);
        if (*end == '\0' && de->d_name[0] >= '1' && de->d_name[0] <= '9' && w > width &&
            w < TLOG_TILE_WIDTH && w > best)
            best = (unsigned)w;
    }
    if (d)
        closedir(d);
    return best;
}

/* The first `width` items of tile n of `level` read from its file of
 * width `wider` (TLOG_TILE_WIDTH: the full tile), named in `path`: 0 when
 * read, 1 when that file is not there, <0 as tlog_file_read. */
static int tlog_tile_prefix(const char *dir, int level, uint64_t n, unsigned wider,
                            unsigned width, char **buf, size_t *len, char *path, err_info *e)
{
    char rel[TLOG_PATH_MAX];
    tlog_tile_path(rel, level, n, wider);
    snprintf(path, TLOG_READ_PATH_MAX, "%s/%s", dir, rel);
    size_t max = level == TLOG_ENTRIES ? TLOG_BUNDLE_MAX : (size_t)TLOG_TILE_WIDTH * MERKLE_HASH_SIZE;
    int rc = tlog_file_read_if(path, max, tlog_what(level), buf, len, e);
    if (rc != 0 || wider == width)
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

/* How many times tlog_tile_read looks for a pruned partial's bytes before
 * it gives up. A look is: its own file, the full tile, the widest
 * partial. On a log nobody writes, a look that finds nothing finds nothing
 * again (the file is missing: TLOG_CORRUPT). Beside a writer, a look can
 * come back empty only because the writer published during it: the writer
 * renames a tile's full file into place before it removes the tile's
 * partials, and removes a partial only once two later checkpoints are
 * signed (a restart's sweep keeps the checkpoint's own), so a file listed
 * and gone before it is opened, or a partials directory gone before it is
 * listed, means a publication in between; the next look finds the newer
 * file. Looking again is then the correct answer, not a blind retry; it is
 * bounded because a reader that a writer overtakes on every look (each
 * time descheduled across a publication between two system calls) should
 * be told so, TLOG_MOVED, rather than spin. */
#define TLOG_READ_LOOKS 32

int tlog_tile_read(const char *dir, int level, uint64_t n, unsigned width, char **buf,
                   size_t *len, char *path, err_info *e)
{
    assert(width >= 1 && width <= TLOG_TILE_WIDTH);
    char rel[TLOG_PATH_MAX], full[TLOG_PATH_MAX];
    int moved = 0;
    tlog_tile_path(rel, level, n, width);
    tlog_tile_path(full, level, n, TLOG_TILE_WIDTH);
    size_t max = level == TLOG_ENTRIES ? TLOG_BUNDLE_MAX : (size_t)TLOG_TILE_WIDTH * MERKLE_HASH_SIZE;
    char wpath[TLOG_READ_PATH_MAX];
    snprintf(path, TLOG_READ_PATH_MAX, "%s/%s", dir, rel);
    if (width == TLOG_TILE_WIDTH) /* a full tile is never removed */
        return tlog_file_read(path, max, tlog_what(level), buf, len, e);
    for (int look = 0; look < TLOG_READ_LOOKS; look++) {
        /* its own file; pruned since the caller's checkpoint: the full
         * tile, else the widest partial, whose first `width` items it is */
        int rc = tlog_file_read_if(path, max, tlog_what(level), buf, len, e);
        if (rc <= 0)
            return rc;
        rc = tlog_tile_prefix(dir, level, n, TLOG_TILE_WIDTH, width, buf, len, wpath, e);
        unsigned wider = rc == 1 ? tlog_wider_partial(dir, full, width) : 0;
        if (wider)
            rc = tlog_tile_prefix(dir, level, n, wider, width, buf, len, wpath, e);
        if (rc <= 0) {
            memcpy(path, wpath, sizeof wpath);
            return rc;
        }
        moved |= wider != 0; /* listed, then gone before it was opened */
    }
    if (moved)
        return err_set(e, ERR_LIMIT, "TLOG_MOVED", path,
                       "the log moved on while it was read: this %s was pruned, and each wider "
                       "one found was removed before it could be read, %d times; read it again",
                       tlog_what(level), TLOG_READ_LOOKS);
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
