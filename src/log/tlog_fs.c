/* tlog_fs — owns the tlog-tiles path encoding, the batched durable
 * writes of tiles and bundles, reading a log's files, and removing the
 * partials and temporary files nobody needs (see tlog_fs.h). syncfs(2) is
 * what makes one sync per batch possible; it is Linux-specific, and
 * reports writeback errors from Linux 5.8 on. */
#define _GNU_SOURCE /* syncfs */
#include "log/tlog_fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "io/file.h"
#include "log/tlog.h"

/* mkstemp's template; file_write_atomic (the checkpoint) names its
 * temporary files the same way. */
#define TLOG_TMP_MARK ".tmp."
#define TLOG_TMP_SUFFIX TLOG_TMP_MARK "XXXXXX"

/* "tile/entries" or "tile/<level>": the directory of a level's tiles. */
static int tlog_level_path(char buf[TLOG_PATH_MAX], int level)
{
    return level == TLOG_ENTRIES ? snprintf(buf, TLOG_PATH_MAX, "tile/entries")
                                 : snprintf(buf, TLOG_PATH_MAX, "tile/%d", level);
}

size_t tlog_tile_path(char buf[TLOG_PATH_MAX], int level, uint64_t n, unsigned width)
{
    /* Three-digit groups, most significant first: 2^64 has 7 of them. */
    unsigned groups[7];
    int ng = 0;
    do {
        groups[ng++] = (unsigned)(n % 1000);
        n /= 1000;
    } while (n > 0);
    int len = tlog_level_path(buf, level);
    len += snprintf(buf + len, TLOG_PATH_MAX - (size_t)len, "/");
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

/* ---- reading ---- */

static int tlog_unreadable(err_info *e, const char *path, const char *what, const char *why)
{
    return err_set(e, ERR_INVALID, "TLOG_CORRUPT", path, "the log on disk is corrupt: the %s %s",
                   what, why);
}

int tlog_file_read_if(const char *path, size_t max, const char *what, char **buf, size_t *len,
                      err_info *e)
{
    /* Looked at before it is opened: opening a FIFO put in a mirror would
     * block, and a directory opens fine and fails only on read. */
    struct stat st;
    int err = stat(path, &st) == 0 ? 0 : errno;
    *buf = NULL;
    if (err == ENOENT || err == ENOTDIR) /* ENOTDIR: a file where a directory should be */
        return 1;
    if (err == 0 && !S_ISREG(st.st_mode))
        return tlog_unreadable(e, path, what, "is not a regular file");
    err_info why = {0};
    int rc = file_read_all(path, max, buf, len, &why);
    if (rc == ERR_NOTFOUND) /* gone since the stat */
        return 1;
    if (rc == ERR_LIMIT) {
        char too[48];
        snprintf(too, sizeof too, "is over %zu bytes", max);
        return tlog_unreadable(e, path, what, too);
    }
    if (rc < 0 && e)
        *e = why;
    return rc; /* 0, or FILE_* (ERR_IO): the system could not read it */
}

int tlog_file_read(const char *path, size_t max, const char *what, char **buf, size_t *len,
                   err_info *e)
{
    int rc = tlog_file_read_if(path, max, what, buf, len, e);
    return rc == 1 ? tlog_unreadable(e, path, what, "is missing") : rc;
}

/* ---- removing what nobody needs ---- */

static bool tlog_is_dot(const char *name)
{
    return !strcmp(name, ".") || !strcmp(name, "..");
}

/* A temporary file of tlog_write_tmp or file_write_atomic: "<name>.tmp.XXXXXX". */
static bool tlog_is_tmp(const char *name)
{
    size_t n = strlen(name), k = sizeof TLOG_TMP_SUFFIX - 1;
    return n > k && !memcmp(name + n - k, TLOG_TMP_MARK, sizeof TLOG_TMP_MARK - 1);
}

/* Is `name` the partial of width keep[0] or keep[1] (0: no width)? */
static bool tlog_is_kept(const char *name, const unsigned keep[2])
{
    for (int i = 0; i < 2; i++) {
        char w[16];
        snprintf(w, sizeof w, "%u", keep[i]);
        if (keep[i] && !strcmp(name, w))
            return true;
    }
    return false;
}

/* Open the directory `name` of dirfd `at` without following a symbolic
 * link: what is removed below the log's directories must be the log's own
 * (and a link cannot send a sweep round in circles). */
static DIR *tlog_opendir_at(int at, const char *name)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);
    if (!d && fd >= 0)
        close(fd);
    return d;
}

/* In the partials directory `name` of dirfd `at`, remove every file but
 * the partials of widths keep[], then the directory itself when nothing is
 * kept. Best effort: a failure leaves only unused files behind. */
static void tlog_prune_at(int at, const char *name, const unsigned keep[2])
{
    DIR *d = tlog_opendir_at(at, name);
    if (!d)
        return;
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        if (!tlog_is_dot(de->d_name) && !tlog_is_kept(de->d_name, keep))
            unlinkat(dirfd(d), de->d_name, 0);
    closedir(d);
    if (!keep[0] && !keep[1])
        unlinkat(at, name, AT_REMOVEDIR);
}

void tlog_remove_partials(const char *root, const char *rel, const unsigned keep[2])
{
    char *full = tlog_join(root, rel);
    size_t fl = strlen(full);
    char *dir = mem_alloc(fl + 3);
    memcpy(dir, full, fl);
    memcpy(dir + fl, ".p", 3);
    tlog_prune_at(AT_FDCWD, dir, keep);
    free(dir);
    free(full);
}

/* "ddd", three decimal digits, as a number; -1 for anything else. */
static int tlog_group(const char *s)
{
    if (strspn(s, "0123456789") < 3)
        return -1;
    return (s[0] - '0') * 100 + (s[1] - '0') * 10 + (s[2] - '0');
}

/* Sweep the directory d of tile indexes `prefix`·1000 + ddd (see
 * tlog_tile_path): temporary files go, "x<ddd>" directories are swept in
 * turn, and in each "<ddd>.p" only the edge tile's partial of width
 * count mod 256 stays. Names of any other shape are not the log's and are
 * left alone. */
static void tlog_sweep_dir(DIR *d, uint64_t prefix, uint64_t count)
{
    for (struct dirent *de; (de = readdir(d)) != NULL;) {
        const char *s = de->d_name;
        int x = s[0] == 'x', g = tlog_group(s + x);
        if (tlog_is_tmp(s)) {
            unlinkat(dirfd(d), s, 0);
        } else if (g < 0 || prefix > (UINT64_MAX - 999) / 1000) {
            continue;
        } else if (x && !s[4] && (prefix || g)) { /* canonical: no leading x000 */
            DIR *sub = tlog_opendir_at(dirfd(d), s);
            if (sub) {
                tlog_sweep_dir(sub, prefix * 1000 + (uint64_t)g, count);
                closedir(sub);
            }
        } else if (!x && !strcmp(s + 3, ".p")) {
            uint64_t n = prefix * 1000 + (uint64_t)g;
            unsigned keep[2] = {n == count / TLOG_TILE_WIDTH ? (unsigned)(count % TLOG_TILE_WIDTH)
                                                             : 0, 0};
            tlog_prune_at(dirfd(d), s, keep);
        }
    }
}

void tlog_sweep_level(const char *root, int level, uint64_t count)
{
    char rel[TLOG_PATH_MAX];
    tlog_level_path(rel, level);
    char *path = tlog_join(root, rel);
    DIR *d = opendir(path);
    if (d) {
        tlog_sweep_dir(d, 0, count);
        closedir(d);
    }
    free(path);
}

void tlog_sweep_tmp(const char *root)
{
    DIR *d = opendir(root);
    if (!d)
        return;
    for (struct dirent *de; (de = readdir(d)) != NULL;)
        if (tlog_is_tmp(de->d_name))
            unlinkat(dirfd(d), de->d_name, 0);
    closedir(d);
}
