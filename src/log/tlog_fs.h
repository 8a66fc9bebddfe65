/* tlog_fs — the file side of the transparency log (internal to src/log):
 * tile paths; "staged" writes that make a whole batch of tiles and
 * bundles durable with two filesystem syncs instead of two fsyncs per
 * file: every file is written to a temporary name beside its final path,
 * the filesystem is synced, all are renamed into place, and the filesystem
 * is synced again (readers see a tile either absent or complete); reading
 * a log's files; and removing, best effort, the partial tiles and
 * temporary files nobody needs any more. */
#ifndef REKAP_TLOG_FS_H
#define REKAP_TLOG_FS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

typedef struct tlog_staged {
    char *tmp; /* temporary file, NULL once renamed */
    char *dst; /* final path */
} tlog_staged;

typedef struct tlog_stage {
    const char *root; /* the log directory; every path is relative to it */
    tlog_staged *files;
    size_t n, cap;
} tlog_stage;

/* "<root>/<rel>" as a new string. */
char *tlog_join(const char *root, const char *rel);

void tlog_stage_init(tlog_stage *s, const char *root);

/* Write data to a temporary file beside <root>/<rel>, creating missing
 * directories. TLOG_WRITE. */
int tlog_stage_add(tlog_stage *s, const char *rel, const void *data, size_t len,
                   err_info *e);

/* Make every staged file durable under its final name. TLOG_WRITE. */
int tlog_stage_commit(tlog_stage *s, err_info *e);

/* Remove temporary files left (after a failure) and free the stage. */
void tlog_stage_free(tlog_stage *s);

/* Read the log's file at `path` whole into *buf (caller frees; NULL on
 * failure), *len bytes. A file that is missing, not a regular file, or
 * over `max` bytes is a corrupt log: TLOG_CORRUPT naming `what` ("tile",
 * "entry bundle", "checkpoint"), e->where = path. The system failing to
 * read it is FILE_* (ERR_IO). */
int tlog_file_read(const char *path, size_t max, const char *what, char **buf, size_t *len,
                   err_info *e);

/* As tlog_file_read, but a file that is not there (at its stat or at its
 * open: a partial the writer prunes can go between the two) is not an
 * error: 1, *buf NULL and nothing in e. A reader of a log being published
 * (tlog_tile_read) then looks for the same bytes elsewhere. */
int tlog_file_read_if(const char *path, size_t max, const char *what, char **buf, size_t *len,
                      err_info *e);

/* Best effort: in <root>/<rel>.p, the partials of tile <rel>, remove every
 * file but the partials of widths keep[0] and keep[1] (0: none), and the
 * directory too when nothing is kept. Failing leaves only unused files. */
void tlog_remove_partials(const char *root, const char *rel, const unsigned keep[2]);

/* Best effort, for a log just recovered: below <root>/tile/<level> (level
 * as in tlog_tile_path), whose signed tree holds `count` hashes (entries),
 * remove the temporary files and every partial but the edge tile's of
 * width count mod 256 (the one the checkpoint needs). Full tiles and
 * files of names the log never writes are left alone. */
void tlog_sweep_level(const char *root, int level, uint64_t count);

/* Best effort: remove the temporary files in <root> itself (a checkpoint
 * write that died before its rename). */
void tlog_sweep_tmp(const char *root);

#endif
