/* file — whole-file reads with a size bound, and atomic replacement of a
 * file ("nothing half-written": readers see the old file or the new one,
 * never a mixture, even across a crash).
 *
 * Error codes (e->code, e->where = the path): FILE_OPEN (ERR_NOTFOUND when
 * the file does not exist, else ERR_IO), FILE_READ (ERR_IO), FILE_TOO_LARGE
 * (ERR_LIMIT), FILE_WRITE (ERR_IO, or the writer's own negative code). */
#ifndef REKAP_FILE_H
#define REKAP_FILE_H

#include <stddef.h>
#include <stdio.h>

#include "core/err.h"

/* Read the whole of `path` into a new NUL-terminated buffer *buf (owned by
 * the caller, free() it) of *len bytes (the NUL not counted). A file larger
 * than `max` bytes is refused without reading it all. */
int file_read_all(const char *path, size_t max, char **buf, size_t *len,
                  err_info *e);

/* Writes the content to f; returns 0 or a negative ERR_* code. Write
 * errors on f need not be checked: file_write_atomic checks the stream. */
typedef int (*file_writer)(FILE *f, void *ctx);

/* Replace `path` with what `w` writes: into a temporary file in the same
 * directory, flushed and fsync'ed, renamed over `path`, then the directory
 * fsync'ed. On any failure before the rename the temporary file is removed
 * and the old file is untouched. The new file keeps the old file's
 * permission bits, or gets 0644 when there was none. */
int file_write_atomic(const char *path, file_writer w, void *ctx, err_info *e);

/* The same with the file's permission bits given (e.g. 0600 for a secret
 * key); mode 0 means file_write_atomic's choice. */
int file_write_atomic_mode(const char *path, unsigned mode, file_writer w, void *ctx,
                           err_info *e);

/* file_write_atomic_mode of the bytes buf[0..len): the common case. */
int file_write_atomic_bytes(const char *path, unsigned mode, const void *buf, size_t len,
                            err_info *e);

/* fsync the directory holding `path`, so that a file's creation or rename
 * is itself durable. FILE_WRITE on failure. */
int file_sync_dir(const char *path, err_info *e);

#endif
