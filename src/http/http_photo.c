/* http_photo — the photos' one home: their names and types, the upload's
 * temp file, hash, fsync and rename, the sweep of what a crash left, and
 * the public GET; see http_photo.h. A photo file is only ever created
 * here, and only under the name its bytes hash to. */
#include "http/http_photo.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/mem.h"
#include "core/sha256.h"
#include "http/http_response.h"
#include "http/http_util.h"

#define PHOTO_PATH_MAX 4096
#define PHOTO_TMP_PREFIX ".tmp-"

struct photo_upload {
    const char *dir;           /* the caller's: outlives the upload */
    char hex[PHOTO_NAME_LEN + 1];
    char tmp[PHOTO_PATH_MAX];  /* the temp file's path */
    int fd;                    /* the temp file; -1 once closed or never made */
    int io_errno;              /* the first I/O failure; 0: none */
    int too_large;
    uint64_t size, max;
    sha256_state *sha;         /* the body's hash so far; NULL once done */
};

/* ============================================================ pure parts */

const char *photo_type(const unsigned char *head, size_t n)
{
    if (n >= 3 && head[0] == 0xff && head[1] == 0xd8 && head[2] == 0xff)
        return "image/jpeg";
    if (n >= 4 && head[0] == 0x89 && head[1] == 'P' && head[2] == 'N' && head[3] == 'G')
        return "image/png";
    return resp_ct_bin;
}

/* dir/name into out (the listeners cap dir's length well below this). */
static void photo_path(char out[PHOTO_PATH_MAX], const char *dir, const char *name)
{
    int n = snprintf(out, PHOTO_PATH_MAX, "%s/%s", dir, name);
    assert(n > 0 && n < PHOTO_PATH_MAX);
    (void)n;
}

/* ================================================================ upload */

int photo_dir_prepare(const char *dir, err_info *e)
{
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "HTTP_PHOTO_DIR", dir, "cannot create: %s", strerror(errno));
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *de;
    char path[PHOTO_PATH_MAX];
    while ((de = readdir(d)))
        if (strncmp(de->d_name, PHOTO_TMP_PREFIX, strlen(PHOTO_TMP_PREFIX)) == 0) {
            photo_path(path, dir, de->d_name);
            unlink(path);
        }
    closedir(d);
    return 0;
}

int photo_put_begin(const char *dir, const char *name, uint64_t declared, uint64_t max,
                    photo_upload **out, err_info *e)
{
    assert(path_photo_name(name));
    char final[PHOTO_PATH_MAX];
    photo_path(final, dir, name);
    if (access(final, F_OK) == 0) /* content-addressed: the same bytes are there */
        return ERR_EXISTS;
    if (declared > max)
        return err_set(e, ERR_LIMIT, "PHOTO_TOO_LARGE", "", "%llu bytes declared, at most %llu",
                       (unsigned long long)declared, (unsigned long long)max);
    photo_upload *u = mem_calloc(1, sizeof *u);
    u->dir = dir;
    u->max = max;
    memcpy(u->hex, name, sizeof u->hex);
    snprintf(u->tmp, sizeof u->tmp, "%s/" PHOTO_TMP_PREFIX "%.16s-XXXXXX", dir, name);
    u->fd = mkstemp(u->tmp);
    if (u->fd < 0)
        u->io_errno = errno; /* told once the body is in */
    else
        u->sha = sha256_begin();
    *out = u;
    return 0;
}

/* Close and remove the temp file, if still open. */
static void photo_put_drop(photo_upload *u)
{
    if (u->fd >= 0) {
        close(u->fd);
        unlink(u->tmp);
        u->fd = -1;
    }
}

void photo_put_body(photo_upload *u, const char *data, size_t n)
{
    u->size += n;
    if (u->size > u->max)
        u->too_large = 1;
    if (u->fd < 0 || u->too_large) {
        photo_put_drop(u);
        return;
    }
    sha256_add(u->sha, data, n);
    while (n > 0) {
        ssize_t w = write(u->fd, data, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            u->io_errno = w < 0 ? errno : EIO;
            photo_put_drop(u);
            return;
        }
        data += w;
        n -= (size_t)w;
    }
}

/* fsync the file, move it to its name, fsync the directory. Photos are
 * public (mkstemp made the temp file 0600): readable by a web server. */
static int photo_put_commit(photo_upload *u)
{
    char final[PHOTO_PATH_MAX];
    photo_path(final, u->dir, u->hex);
    if (fchmod(u->fd, 0644) < 0 || fsync(u->fd) < 0 || rename(u->tmp, final) < 0) {
        u->io_errno = errno;
        photo_put_drop(u);
        return -1;
    }
    close(u->fd);
    u->fd = -1;
    int dfd = open(u->dir, O_RDONLY | O_DIRECTORY);
    if (dfd >= 0) {
        if (fsync(dfd) < 0)
            u->io_errno = errno;
        close(dfd);
    }
    return u->io_errno ? -1 : 0;
}

/* Does the body hash to the photo's name? */
static int photo_put_hash_ok(photo_upload *u)
{
    uint8_t got[32], want[32];
    sha256_end(u->sha, got);
    u->sha = NULL;
    sodium_hex2bin(want, sizeof want, u->hex, PHOTO_NAME_LEN, NULL, NULL, NULL);
    return sodium_memcmp(got, want, 32) == 0;
}

int photo_put_finish(photo_upload *u, uint64_t *size, err_info *e)
{
    const char *code = NULL;
    int rc = ERR_INVALID;
    if (u->too_large)
        code = "PHOTO_TOO_LARGE", rc = ERR_LIMIT;
    else if (!u->io_errno && u->size == 0)
        code = "PHOTO_EMPTY";
    if (!code && !u->io_errno) {
        if (!photo_put_hash_ok(u))
            code = "PHOTO_HASH_MISMATCH";
        else if (photo_put_commit(u) == 0) {
            *size = u->size;
            return 0;
        }
    }
    photo_put_drop(u);
    if (!code) {
        code = u->io_errno == ENOSPC || u->io_errno == EDQUOT ? "PHOTO_FULL" : "PHOTO_STORE";
        rc = ERR_IO;
        http_log(HTTP_LOG_ERROR, "photo_store",
                 json_pack("{s:s,s:s}", "sha256", u->hex, "error", strerror(u->io_errno)));
    }
    return err_set(e, rc, code, "", "photo %s not stored", u->hex);
}

void photo_put_free(photo_upload *u)
{
    if (!u)
        return;
    photo_put_drop(u);
    sha256_free(u->sha);
    free(u);
}

/* =================================================================== get */

/* The type of the file at path from its first bytes. */
static const char *photo_file_type(const char *path)
{
    unsigned char head[PHOTO_SNIFF];
    ssize_t n = -1;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd >= 0) {
        n = read(fd, head, sizeof head);
        close(fd);
    }
    return photo_type(head, n > 0 ? (size_t)n : 0);
}

enum MHD_Result photo_get(struct MHD_Connection *c, const char *dir, const char *name)
{
    if (!path_photo_name(name))
        return http_send_error(c, "NOT_FOUND", NULL, NULL, 0);
    char path[PHOTO_PATH_MAX], etag[PHOTO_NAME_LEN + 3];
    photo_path(path, dir, name);
    snprintf(etag, sizeof etag, "\"%s\"", name); /* content-addressed: the name is the hash */
    return resp_send_file(c, path, photo_file_type(path), resp_cc_immutable, etag);
}
