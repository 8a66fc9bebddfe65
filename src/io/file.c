/* file — owns reading whole files under a size bound and replacing files
 * atomically (temporary file, fsync, rename, directory fsync). Every
 * operating-system failure becomes an err_info naming the path. See file.h. */
#include "io/file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"

#define FILE_READ_CHUNK 65536u
#define FILE_TMP_SUFFIX ".tmp.XXXXXX"

static int file_os_error(err_info *e, int rc, const char *code, const char *path,
                         const char *what)
{
    return err_set(e, rc, code, path, "%s %s: %s", what, path, strerror(errno));
}

static int file_too_large(err_info *e, const char *path, size_t max)
{
    return err_set(e, ERR_LIMIT, "FILE_TOO_LARGE", path,
                   "%s is larger than the limit of %zu bytes", path, max);
}

/* Capacity to grow a read buffer of `cap` bytes to: doubling, but never
 * past max + 1 (one byte over the limit is enough to know it is over). */
static size_t file_next_cap(size_t cap, size_t max)
{
    size_t want = cap < FILE_READ_CHUNK ? FILE_READ_CHUNK
                : cap > SIZE_MAX / 4 ? SIZE_MAX / 2 : cap * 2;
    return want > max + 1 ? max + 1 : want;
}

/* Read fd to its end into *buf; the size from fstat is only a hint (the
 * file may change under us, or be a pipe). */
static int file_read_fd(int fd, const char *path, size_t max, size_t hint,
                        char **buf, size_t *len, err_info *e)
{
    size_t cap = hint, n = 0;
    char *b = mem_alloc(cap + 1);
    for (;;) {
        if (n == cap) {
            if (cap > max) {
                free(b);
                return file_too_large(e, path, max);
            }
            cap = file_next_cap(cap, max);
            b = mem_realloc(b, cap + 1);
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int rc = file_os_error(e, ERR_IO, "FILE_READ", path, "cannot read");
            free(b);
            return rc;
        }
        if (r == 0)
            break;
        n += (size_t)r;
    }
    b[n] = '\0';
    *buf = b;
    *len = n;
    return 0;
}

int file_read_all(const char *path, size_t max, char **buf, size_t *len,
                  err_info *e)
{
    if (max >= SIZE_MAX / 2)
        max = SIZE_MAX / 2 - 1;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return file_os_error(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO,
                             "FILE_OPEN", path, "cannot open");
    struct stat st;
    size_t hint = 0;
    if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
        if ((uintmax_t)st.st_size > max) {
            close(fd);
            return file_too_large(e, path, max);
        }
        hint = (size_t)st.st_size + 1; /* room to see the end without growing */
    }
    int rc = file_read_fd(fd, path, max, hint, buf, len, e);
    close(fd);
    return rc;
}

/* Permission bits for the new file: the old file's, else 0644. */
static mode_t file_mode_for(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (st.st_mode & 07777) : 0644;
}

int file_sync_dir(const char *path, err_info *e)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? mem_strndup(path, slash == path ? 1 : (size_t)(slash - path))
                      : mem_strdup(".");
    int rc = 0;
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || fsync(fd) != 0)
        rc = file_os_error(e, ERR_IO, "FILE_WRITE", path,
                           "replaced but could not sync the directory of");
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

/* Write, flush and sync the content into the open temporary file. Closes f
 * in every case. */
static int file_fill(FILE *f, const char *path, file_writer w, void *ctx,
                     err_info *e)
{
    int rc = w(f, ctx);
    if (rc != 0) {
        rc = rc < 0 ? rc : ERR_IO;
        err_set(e, rc, "FILE_WRITE", path, "the content of %s could not be produced (%s)",
                path, err_name(rc));
    } else if (fflush(f) != 0 || ferror(f) || fsync(fileno(f)) != 0) {
        rc = file_os_error(e, ERR_IO, "FILE_WRITE", path, "cannot write");
    }
    if (fclose(f) != 0 && rc == 0)
        rc = file_os_error(e, ERR_IO, "FILE_WRITE", path, "cannot close");
    return rc;
}

int file_write_atomic(const char *path, file_writer w, void *ctx, err_info *e)
{
    return file_write_atomic_mode(path, 0, w, ctx, e);
}

int file_write_atomic_mode(const char *path, unsigned mode_new, file_writer w, void *ctx,
                           err_info *e)
{
    size_t plen = strlen(path);
    char *tmp = mem_alloc(plen + sizeof FILE_TMP_SUFFIX);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, FILE_TMP_SUFFIX, sizeof FILE_TMP_SUFFIX);
    mode_t mode = mode_new ? (mode_t)mode_new : file_mode_for(path);
    int rc;
    int fd = mkstemp(tmp);
    if (fd < 0) {
        rc = file_os_error(e, ERR_IO, "FILE_WRITE", path, "cannot create a temporary file for");
        free(tmp);
        return rc;
    }
    FILE *f = fchmod(fd, mode) == 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        rc = file_os_error(e, ERR_IO, "FILE_WRITE", path, "cannot open a temporary file for");
        close(fd);
    } else if ((rc = file_fill(f, path, w, ctx, e)) == 0 && rename(tmp, path) != 0) {
        rc = file_os_error(e, ERR_IO, "FILE_WRITE", path, "cannot rename over");
    }
    if (rc < 0) {
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    return file_sync_dir(path, e);
}

typedef struct file_bytes {
    const void *p;
    size_t n;
} file_bytes;

static int file_put_bytes(FILE *f, void *ctx)
{
    const file_bytes *b = ctx;
    if (b->n)
        fwrite(b->p, 1, b->n, f); /* errors: file_write_atomic checks the stream */
    return 0;
}

int file_write_atomic_bytes(const char *path, unsigned mode, const void *buf, size_t len,
                            err_info *e)
{
    file_bytes b = {buf, len};
    return file_write_atomic_mode(path, mode, file_put_bytes, &b, e);
}
