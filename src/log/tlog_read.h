/* tlog_read — a log directory read the way an outside monitor reads it,
 * from its static files alone: the checkpoint verified against a verifier
 * key, every entry bundle read in order with each entry handed to the
 * caller, the tree rebuilt from the entries and its root compared with the
 * checkpoint's, and every tile file compared with the rebuilt tree. Nothing
 * of the writer's state (tlog.h) is used, so this is the check the public
 * can run on a mirror.
 *
 * No file read can crash it or make it hang: every error names the file
 * in e->where (the log directory's path joined with the file's).
 * Error codes:
 *   TLOG_CORRUPT  a file is missing, not a regular file (a directory, a
 *                 FIFO), too large, malformed (a bundle cut short or with
 *                 bytes after its last entry, a tile of the wrong size or
 *                 bytes), or the checkpoint has extension lines
 *   TLOG_ROOT     the entries do not hash to the checkpoint's root
 *                 (e->where: the checkpoint)
 *   TLOG_KEY      the checkpoint is signed by v but for another origin
 *   NOTE_* / CHECKPOINT_*  the checkpoint is not a note signed by v (for
 *                 another key: NOTE_UNVERIFIED) or not a checkpoint;
 *                 e->where is "<path>: <line>" when a line is named
 *   TLOG_MOVED    (ERR_LIMIT) the log is being published and a partial
 *                 of the checkpoint read was pruned, and every wider one
 *                 found was removed in turn before it could be read, 32
 *                 times (tlog_tile_read): not a fault of the log; read it
 *                 again
 *   FILE_*        the system could not read a file that is there (ERR_IO)
 * All but FILE_* and TLOG_MOVED are ERR_INVALID (NOTE_TOO_LARGE,
 * NOTE_TOO_MANY_SIGS: ERR_LIMIT). */
#ifndef REKAP_TLOG_READ_H
#define REKAP_TLOG_READ_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/merkle.h"
#include "core/note.h"

/* Called for each entry in log order; a non-zero return stops the read and
 * is returned. */
typedef int (*tlog_read_fn)(void *ctx, uint64_t index, const uint8_t *entry, size_t len);

/* Tile n of `level` (TLOG_ENTRIES: the entry bundle) as a tree whose
 * edge tile holds `width` hashes or entries has it: its own file when it is
 * there, else the first `width` items of a wider one of the same tile (the
 * full tile, or the widest partial): a tile only grows at its end, so the
 * prefix is the narrower tile, byte for byte. The log prunes superseded
 * partials (LOG.md), so a reader holding an older checkpoint, and the
 * public listener answering for one, read through here. The writer may
 * prune again while this looks (a file listed, then gone; the tile full
 * between two looks): it looks again, up to 32 times. *buf (caller frees)
 * holds *len bytes; *path (TLOG_READ_PATH_MAX) names the file read.
 * TLOG_CORRUPT when neither the tile nor a wider one is there, or the wider
 * one is too short; TLOG_MOVED when every look was overtaken by the
 * writer; FILE_*. The caller checks the bytes against its tree. */
#define TLOG_READ_PATH_MAX 4200
int tlog_tile_read(const char *dir, int level, uint64_t n, unsigned width, char **buf,
                   size_t *len, char *path, err_info *e);

/* Verify the log in `dir` against verifier v and read its entries. On
 * success *cp holds the verified checkpoint (cp->ext is NULL). The tree is
 * rebuilt into `tree` when the caller gives one (empty, caller-owned): its
 * leaf hashes are there for fn to check earlier entries against
 * (merkle_tree_hash(tree, 0, i) for every i below the entry handed over)
 * and stay after the call; NULL uses a tree of its own. */
int tlog_read_verify(const char *dir, const note_verifier *v, checkpoint *cp, merkle_tree *tree,
                     tlog_read_fn fn, void *ctx, err_info *e);

#endif
