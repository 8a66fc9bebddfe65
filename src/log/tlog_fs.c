/* tlog_fs — owns the tlog-tiles path encoding and the batched durable
 * writes of tiles and bundles (see tlog_fs.h). syncfs(2) is what makes
 * one sync per batch possible; it is Linux-specific, and reports writeback
 * errors from Linux 5.8 on. */
#define _GNU_SOURCE /* syncfs */
#include "log/tlog_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "log/tlog.h"

#define TLOG_TMP_SUFFIX ".tmp.XXXXXX"

size_t tlog_tile_path(char buf[TLOG_PATH_MAX], int level, uint64_t n, unsigned width)
{
    /* Three-digit groups, most significant first: 2^64 has 7 of them. */
    unsigned groups[7];
    int ng = 0;
    do {
        groups[ng++] = (unsigned)(n % 1000);
        n /= 1000;
    } while (n > 0);
    int len = level == TLOG_ENTRIES ? snprintf(buf, TLOG_PATH_MAX, "tile/entries/")
                                    : snprintf(buf, TLOG_PATH_MAX, "tile/%d/", level);
    while (ng-- > 1)
        len += snprintf(buf + len, TLOG_PATH_MAX - (size_t)len, "x%03u/", groups[ng]);
    len += snprintf(buf + len, TLOG_PATH_MAX - (size_t)len, "%03u", groups[0]);
    if (width < TLOG_TILE_WIDTH)
        len += snprintf(buf + len, TLOG_PATH_MAX - (size_t)len, ".p/%u", width);
    return (size_t)len;
}

char *tlog_join(const char *root, const char *rel)
{
    size_t a = strlen(root), b = strlen(rel);
    char *p = mem_alloc(a + 1 + b + 1);
    memcpy(p, root, a);
    p[a] = '/';
    memcpy(p + a + 1, rel, b + 1);
    return p;
}

static int tlog_os_error(err_info *e, const char *path, const char *what)
{
    return err_set(e, ERR_IO, "TLOG_WRITE", path, "cannot %s %s: %s", what, path,
                   strerror(errno));
}

/* Create the missing directories of `path` below its first `from` bytes
 * (the log directory, which exists). New directories become durable with
 * the stage's filesystem syncs. */
static int tlog_mkdirs(char *path, size_t from, err_info *e)
{
    for (char *s = path + from; (s = strchr(s + 1, '/')) != NULL;) {
        *s = '\0';
        int rc = mkdir(path, 0755) == 0 || errno == EEXIST ? 0 : -1;
        if (rc < 0)
            rc = tlog_os_error(e, path, "create the directory");
        *s = '/';
        if (rc < 0)
            return rc;
    }
    return 0;
}

void tlog_stage_init(tlog_stage *s, const char *root)
{
    memset(s, 0, sizeof *s);
    s->root = root;
}

static int tlog_write_all(int fd, const uint8_t *p, size_t len)
{
    while (len > 0) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

/* Fill a new temporary file for dst; on failure nothing is left behind. */
static int tlog_write_tmp(const char *dst, char **tmp_out, const void *data, size_t len,
                          err_info *e)
{
    size_t dl = strlen(dst);
    char *tmp = mem_alloc(dl + sizeof TLOG_TMP_SUFFIX);
    memcpy(tmp, dst, dl);
    memcpy(tmp + dl, TLOG_TMP_SUFFIX, sizeof TLOG_TMP_SUFFIX);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        int rc = tlog_os_error(e, dst, "create a temporary file for");
        free(tmp);
        return rc;
    }
    /* Tiles are public static files: readable by the web server. */
    int bad = fchmod(fd, 0644) != 0 || tlog_write_all(fd, data, len) != 0;
    bad = close(fd) != 0 || bad;
    if (bad) {
        int rc = tlog_os_error(e, dst, "write");
        unlink(tmp);
        free(tmp);
        return rc;
    }
    *tmp_out = tmp;
    return 0;
}

int tlog_stage_add(tlog_stage *s, const char *rel, const void *data, size_t len,
                   err_info *e)
{
    char *dst = tlog_join(s->root, rel);
    char *tmp = NULL;
    int rc = tlog_mkdirs(dst, strlen(s->root), e);
    if (rc == 0)
        rc = tlog_write_tmp(dst, &tmp, data, len, e);
    if (rc < 0) {
        free(dst);
        return rc;
    }
    mem_grow((void **)&s->files, &s->cap, s->n + 1, sizeof *s->files);
    s->files[s->n++] = (tlog_staged){.tmp = tmp, .dst = dst};
    return 0;
}

static int tlog_syncfs(int fd, const char *root, err_info *e)
{
    return syncfs(fd) == 0 ? 0 : tlog_os_error(e, root, "sync the filesystem of");
}

int tlog_stage_commit(tlog_stage *s, err_info *e)
{
    int fd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return tlog_os_error(e, s->root, "open");
    /* First the contents, so that no final name can point at lost data. */
    int rc = tlog_syncfs(fd, s->root, e);
    for (size_t i = 0; rc == 0 && i < s->n; i++) {
        if (rename(s->files[i].tmp, s->files[i].dst) != 0) {
            rc = tlog_os_error(e, s->files[i].dst, "rename over");
            break;
        }
        free(s->files[i].tmp);
        s->files[i].tmp = NULL;
    }
    /* Then the names and any new directories. */
    if (rc == 0)
        rc = tlog_syncfs(fd, s->root, e);
    close(fd);
    return rc;
}

void tlog_stage_free(tlog_stage *s)
{
    for (size_t i = 0; i < s->n; i++) {
        if (s->files[i].tmp)
            unlink(s->files[i].tmp);
        free(s->files[i].tmp);
        free(s->files[i].dst);
    }
    free(s->files);
    memset(s, 0, sizeof *s);
}

void tlog_remove_partials(const char *root, const char *rel)
{
    char *full = tlog_join(root, rel);
    size_t fl = strlen(full);
    char *dir = mem_alloc(fl + 3);
    memcpy(dir, full, fl);
    memcpy(dir + fl, ".p", 3);
    DIR *d = opendir(dir);
    if (d) {
        for (struct dirent *de; (de = readdir(d)) != NULL;)
            if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                unlinkat(dirfd(d), de->d_name, 0);
        closedir(d);
        rmdir(dir);
    }
    free(dir);
    free(full);
}
