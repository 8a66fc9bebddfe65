/* The undo journal shared by the power-loss shim (powerloss.c, preloaded
 * into the program under test) and its rollback tool (rollback.c). Tests
 * only; docs/RELIABILITY.md ("How a power cut is simulated") explains the
 * model.
 *
 * The shim appends one record before each change it lets through, so the
 * journal always holds what is needed to take back every change the disk
 * would not have kept yet; the tool reads it after the "power cut" (a
 * SIGKILL) and puts every file back as the last syncs left it. */
#ifndef REKAP_POWERLOSS_H
#define REKAP_POWERLOSS_H

#include <stdint.h>

#define PL_MAGIC 0x314a4c50u /* "PLJ1", little-endian */
#define PL_JOURNAL "journal" /* in the journal directory */
#define PL_STASH "stash"     /* hard links keeping unlinked or replaced files */

typedef enum pl_type {
    /* Content, by inode. */
    PL_DATA = 1,  /* about to change bytes [off, off + len) of a file of `size` bytes:
                     the old bytes follow (len = 0: only the size, an append) */
    PL_CREATED,   /* the file of PL_CREATE is the inode dev/ino: it started empty */
    PL_FSYNC,     /* fsync/fdatasync of inode dev/ino: its content is durable */
    /* Names, by path (absolute). */
    PL_CREATE,    /* about to create the file `path` */
    PL_CANCEL,    /* the PL_CREATE or PL_MKDIR just before failed: nothing to undo */
    PL_MKDIR,     /* about to create the directory `path` */
    PL_RMDIR,     /* about to remove the directory `path` */
    PL_RENAME,    /* about to rename `path` (inode dev/ino) to `to`; `stash` holds the file
                     `to` named before, when there was one */
    PL_UNLINK,    /* about to unlink `path`; `stash` is a hard link to it */
    PL_DIRSYNC,   /* fsync of the directory `path`: the names changed in it are durable */
} pl_type;

/* One record: this header, then the paths (path, to, stash: path_len[]
 * bytes each, no terminator), then `len` bytes of old content. */
typedef struct pl_rec {
    uint32_t magic;
    uint32_t type;
    uint64_t dev, ino;
    uint64_t off, size, len;
    uint32_t path_len[3];
    uint32_t mode; /* PL_RMDIR: the directory's permission bits */
} pl_rec;

#endif
