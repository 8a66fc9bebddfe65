/* tlog_fs — the file side of the transparency log (internal to src/log):
 * tile paths, and "staged" writes that make a whole batch of tiles and
 * bundles durable with two filesystem syncs instead of two fsyncs per
 * file: every file is written to a temporary name beside its final path,
 * the filesystem is synced, all are renamed into place, and the filesystem
 * is synced again. Readers see a tile either absent or complete. */
#ifndef REKAP_TLOG_FS_H
#define REKAP_TLOG_FS_H

#include <stddef.h>

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

/* Best effort: remove the directory <root>/<rel>.p of obsolete partial
 * tiles and the files in it. Failing leaves only unused files behind. */
void tlog_remove_partials(const char *root, const char *rel);

#endif
