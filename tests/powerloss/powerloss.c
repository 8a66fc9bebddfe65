/* powerloss — an LD_PRELOAD shim that makes a power cut reproducible in
 * tests (docs/RELIABILITY.md, "How a power cut is simulated"). Tests only.
 *
 * A SIGKILL keeps the page cache: every write the process made survives
 * it, synced or not. A power cut keeps only what was synced. To simulate
 * one, this shim sits between the program and libc for the files below
 * one directory (POWERLOSS_ROOT) and, before each change it lets through,
 * appends to an undo journal (POWERLOSS_JOURNAL/journal) what is needed to
 * take the change back: the old bytes of a write, the old size of a file,
 * the name a rename replaced (kept alive as a hard link in
 * POWERLOSS_JOURNAL/stash), the file an unlink removed. A sync makes
 * changes durable, so the journal records it too:
 *   - fsync/fdatasync of a file: its content is durable (its name is not);
 *   - fsync/fdatasync of a directory: the names created, renamed or removed
 *     in it are durable;
 *   - syncfs/sync: everything is durable: the journal starts again empty.
 * The "power cut" is then a SIGKILL followed by pl_rollback (rollback.c),
 * which takes back every change not yet durable.
 *
 * The journal only has to survive the SIGKILL, not a real power cut (the
 * machine keeps running), so it is written with write(2) and never synced:
 * a record is complete in the page cache before the change it describes is
 * made. A sync is recorded before the real call: until that call returns
 * the program cannot rely on it, and "the disk happened to write it all
 * already" is one of the outcomes a real cut allows.
 *
 * What is not seen: calls libc makes to itself (stdio's writes, mkstemp's
 * open). Hence mkstemp and fopen are reimplemented on the intercepted open,
 * and a file opened through stdio for writing is journaled whole when it
 * is opened (a new file needs nothing: it started empty). Writes through
 * shared memory maps are not seen: SQLite's -shm file is one, and it is
 * left alone here and removed by the rollback, as a reboot makes it stale.
 * Renames that exchange two names, hard and symbolic links are not
 * modelled. */
#undef _FORTIFY_SOURCE /* its inline open() would clash with ours */
#define _GNU_SOURCE    /* RTLD_NEXT, syncfs, renameat2, the *64 calls */
#include "powerloss.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

/* glibc's entry points for fortified and large-file callers: declared
 * here, as _FORTIFY_SOURCE is off in this file. */
int __open_2(const char *path, int flags);
int __open64_2(const char *path, int flags);
int __openat_2(int dirfd, const char *path, int flags);
int __openat64_2(int dirfd, const char *path, int flags);

/* ---- the real calls, and the shim's state ---- */

static struct {
    int (*openat)(int, const char *, int, ...);
    ssize_t (*write)(int, const void *, size_t);
    ssize_t (*pwrite)(int, const void *, size_t, off_t);
    ssize_t (*writev)(int, const struct iovec *, int);
    ssize_t (*pwritev)(int, const struct iovec *, int, off_t);
    int (*ftruncate)(int, off_t);
    int (*fallocate)(int, int, off_t, off_t);
    int (*posix_fallocate)(int, off_t, off_t);
    int (*fsync)(int);
    int (*fdatasync)(int);
    int (*syncfs)(int);
    void (*sync)(void);
    int (*renameat)(int, const char *, int, const char *);
    int (*renameat2)(int, const char *, int, const char *, unsigned);
    int (*unlinkat)(int, const char *, int);
    int (*mkdirat)(int, const char *, mode_t);
    FILE *(*fopen)(const char *, const char *);
    FILE *(*fdopen)(int, const char *);
} real;

static struct {
    int active;
    char root[PATH_MAX];
    size_t root_len;
    dev_t dev;
    char stash[PATH_MAX];
    int jfd;
    unsigned long stashed;
    unsigned long records, cut_at; /* POWERLOSS_CUT_AT: SIGKILL at that record (0: never) */
    /* Inodes whose size before the first change since their last sync is
     * journaled: an append to them needs no new record. A cache: when
     * full, appends are journaled again (harmless). */
    struct { dev_t dev; ino_t ino; } live[1024];
    size_t nlive;
} pl;

/* Every change and its record are made under this lock, so the journal's
 * order is the order of the changes. */
static pthread_mutex_t pl_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t pl_once = PTHREAD_ONCE_INIT;

/* The simulation cannot be faithful past this point: stop the program
 * rather than let a test pass on changes that were never journaled. */
static void pl_die(const char *what)
{
    fprintf(stderr, "powerloss: %s: %s\n", what, strerror(errno));
    abort();
}

static void *pl_sym(const char *name)
{
    void *p = dlsym(RTLD_NEXT, name);
    if (!p) {
        fprintf(stderr, "powerloss: no %s in libc\n", name);
        abort();
    }
    return p;
}

static void pl_resolve_real(void)
{
    real.openat = pl_sym("openat");
    real.write = pl_sym("write");
    real.pwrite = pl_sym("pwrite64");
    real.writev = pl_sym("writev");
    real.pwritev = pl_sym("pwritev64");
    real.ftruncate = pl_sym("ftruncate64");
    real.fallocate = pl_sym("fallocate64");
    real.posix_fallocate = pl_sym("posix_fallocate64");
    real.fsync = pl_sym("fsync");
    real.fdatasync = pl_sym("fdatasync");
    real.syncfs = pl_sym("syncfs");
    real.sync = pl_sym("sync");
    real.renameat = pl_sym("renameat");
    real.renameat2 = pl_sym("renameat2");
    real.unlinkat = pl_sym("unlinkat");
    real.mkdirat = pl_sym("mkdirat");
    real.fopen = pl_sym("fopen64");
    real.fdopen = pl_sym("fdopen");
}

/* POWERLOSS_ROOT (the directory watched) and POWERLOSS_JOURNAL (the
 * journal's directory, on the same filesystem: the stash uses hard
 * links). Without them the shim only passes calls through. */
static void pl_init(void)
{
    pl_resolve_real();
    const char *root = getenv("POWERLOSS_ROOT"), *jdir = getenv("POWERLOSS_JOURNAL");
    if (!root || !jdir)
        return;
    struct stat rs, js;
    if (!realpath(root, pl.root) || stat(pl.root, &rs) != 0)
        pl_die("POWERLOSS_ROOT");
    char path[PATH_MAX];
    snprintf(pl.stash, sizeof pl.stash, "%s/" PL_STASH, jdir);
    snprintf(path, sizeof path, "%s/" PL_JOURNAL, jdir);
    if ((real.mkdirat(AT_FDCWD, jdir, 0755) != 0 && errno != EEXIST) ||
        (real.mkdirat(AT_FDCWD, pl.stash, 0755) != 0 && errno != EEXIST))
        pl_die("POWERLOSS_JOURNAL");
    pl.jfd = real.openat(AT_FDCWD, path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (pl.jfd < 0 || stat(pl.stash, &js) != 0)
        pl_die(path);
    if (js.st_dev != rs.st_dev) {
        errno = EXDEV;
        pl_die("POWERLOSS_JOURNAL must be on the filesystem of POWERLOSS_ROOT");
    }
    const char *cut = getenv("POWERLOSS_CUT_AT");
    pl.cut_at = cut ? strtoul(cut, NULL, 10) : 0;
    pl.root_len = strlen(pl.root);
    pl.dev = rs.st_dev;
    pl.active = 1;
}

static int pl_on(void)
{
    pthread_once(&pl_once, pl_init);
    return pl.active;
}

/* A real call, resolved first: libraries may call in before any check
 * of ours has run. */
#define REAL(f) (pl_on(), real.f)

/* ---- paths ---- */

/* Strictly below the root (or the root itself too, with `or_root`). */
static int pl_below(const char *abs, int or_root)
{
    return !strncmp(abs, pl.root, pl.root_len) &&
           (abs[pl.root_len] == '/' || (or_root && !abs[pl.root_len]));
}

/* SQLite's shared-memory index: written through a map, never synced,
 * rebuilt from the WAL when missing. Not journaled; removed at the cut. */
static int pl_is_shm(const char *abs)
{
    size_t n = strlen(abs);
    return n > 4 && !strcmp(abs + n - 4, "-shm");
}

/* The path an open descriptor names (" (deleted)" dropped); -1 if none. */
static int pl_fd_path(int fd, char out[PATH_MAX])
{
    char link[64];
    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, out, PATH_MAX - 1);
    if (n < 0)
        return -1;
    out[n] = '\0';
    char *del = strstr(out, " (deleted)");
    if (del && !del[10])
        *del = '\0';
    return 0;
}

/* The absolute path of `path` relative to dirfd, its last component not
 * resolved (the name itself is what is created, renamed or removed);
 * -1 when its directory does not exist (the call will fail anyway). */
static int pl_abs(int dirfd, const char *path, char out[PATH_MAX])
{
    char full[2 * PATH_MAX], base[PATH_MAX], parent[PATH_MAX];
    if (path[0] == '/')
        base[0] = '\0';
    else if (dirfd == AT_FDCWD ? !getcwd(base, sizeof base) : pl_fd_path(dirfd, base) < 0)
        return -1;
    snprintf(full, sizeof full, "%s/%s", base, path);
    size_t n = strlen(full);
    while (n > 1 && full[n - 1] == '/')
        full[--n] = '\0';
    char *slash = strrchr(full, '/'), *name = slash + 1;
    if (!strcmp(name, ".") || !strcmp(name, ".."))
        return realpath(full, out) ? 0 : -1;
    *slash = '\0';
    if (!realpath(slash == full ? "/" : full, parent))
        return -1;
    int w = snprintf(out, PATH_MAX, "%s/%s", strcmp(parent, "/") ? parent : "", name);
    return w > 0 && w < PATH_MAX ? 0 : -1;
}

/* Is `path` (relative to dirfd) a name below the root worth journaling?
 * Its absolute path in abs ("" when it has none). */
static int pl_watched(int dirfd, const char *path, char abs[PATH_MAX])
{
    abs[0] = '\0';
    if (!pl_on() || pl_abs(dirfd, path, abs) != 0) {
        abs[0] = '\0';
        return 0;
    }
    return pl_below(abs, 0) && !pl_is_shm(abs);
}

/* Is fd a regular file below the root (its inode in *st)? */
static int pl_watched_fd(int fd, struct stat *st)
{
    char path[PATH_MAX];
    return pl_on() && fstat(fd, st) == 0 && S_ISREG(st->st_mode) && pl_fd_path(fd, path) == 0 &&
           pl_below(path, 0) && !pl_is_shm(path);
}

/* ---- the journal ---- */

/* The cut at a chosen point of the program's I/O rather than at a moment
 * chosen from outside, which mostly falls where everything is synced:
 * the power goes right after the record of change POWERLOSS_CUT_AT is
 * written, before the change itself (or, for a sync, before it returns). */
static void pl_maybe_cut(void)
{
    if (++pl.records != pl.cut_at)
        return;
    static const char msg[] = "powerloss: cut at a journaled change\n";
    ssize_t w = REAL(write)(2, msg, sizeof msg - 1);
    (void)w;
    raise(SIGKILL);
}

/* Append one record: the header, up to three paths, the old bytes. */
static void pl_journal(pl_rec r, const char *p0, const char *p1, const char *p2,
                       const void *data)
{
    const char *paths[3] = {p0, p1, p2};
    size_t total = sizeof r;
    r.magic = PL_MAGIC;
    for (int i = 0; i < 3; i++) {
        r.path_len[i] = paths[i] ? (uint32_t)strlen(paths[i]) : 0;
        total += r.path_len[i];
    }
    total += r.len;
    char *buf = malloc(total), *p = buf;
    if (!buf)
        pl_die("journal record");
    memcpy(p, &r, sizeof r);
    p += sizeof r;
    for (int i = 0; i < 3; i++) {
        if (r.path_len[i])
            memcpy(p, paths[i], r.path_len[i]);
        p += r.path_len[i];
    }
    if (r.len)
        memcpy(p, data, r.len);
    for (size_t done = 0; done < total;) {
        ssize_t w = REAL(write)(pl.jfd, buf + done, total - done);
        if (w < 0 && errno != EINTR)
            pl_die("journal write");
        done += w > 0 ? (size_t)w : 0;
    }
    free(buf);
    pl_maybe_cut();
}

static void pl_journal_path(pl_type t, const char *p0, const char *p1, const char *p2)
{
    pl_journal((pl_rec){.type = t}, p0, p1, p2, NULL);
}

static int pl_live_find(const struct stat *st)
{
    for (size_t i = 0; i < pl.nlive; i++)
        if (pl.live[i].dev == st->st_dev && pl.live[i].ino == st->st_ino)
            return (int)i;
    return -1;
}

static void pl_live_add(const struct stat *st)
{
    if (pl_live_find(st) < 0 && pl.nlive < sizeof pl.live / sizeof pl.live[0]) {
        pl.live[pl.nlive].dev = st->st_dev;
        pl.live[pl.nlive++].ino = st->st_ino;
    }
}

static void pl_live_drop(const struct stat *st)
{
    int i = pl_live_find(st);
    if (i >= 0)
        pl.live[i] = pl.live[--pl.nlive];
}

/* Read [off, off + len) of fd; a write-only descriptor is read again
 * through /proc. */
static void pl_read_old(int fd, void *buf, size_t len, off_t off)
{
    ssize_t n = pread(fd, buf, len, off);
    if (n < 0 && errno == EBADF) {
        char link[64];
        snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
        int rfd = REAL(openat)(AT_FDCWD, link, O_RDONLY | O_CLOEXEC);
        n = rfd < 0 ? -1 : pread(rfd, buf, len, off);
        if (rfd >= 0)
            close(rfd);
    }
    if (n != (ssize_t)len)
        pl_die("reading the bytes a write replaces");
}

/* About to change bytes [off, off + n) of the watched file fd (inode st):
 * journal the old bytes there and the size. An append past the end needs
 * only the size, once per file between syncs. */
static void pl_save(int fd, const struct stat *st, uint64_t off, uint64_t n)
{
    uint64_t size = (uint64_t)st->st_size, end = off + n < size ? off + n : size;
    uint64_t len = off < end ? end - off : 0;
    if (len == 0 && pl_live_find(st) >= 0)
        return;
    void *old = len ? malloc(len) : NULL;
    if (len && !old)
        pl_die("journal record");
    if (len)
        pl_read_old(fd, old, len, (off_t)off);
    pl_journal((pl_rec){.type = PL_DATA, .dev = st->st_dev, .ino = st->st_ino, .off = off,
                        .size = size, .len = len},
               NULL, NULL, NULL, old);
    free(old);
    pl_live_add(st);
}

/* Before a write of n bytes at `off` (-1: the file position, or the end
 * with O_APPEND) to fd. Returns with the lock held when fd is watched. */
static int pl_before_write(int fd, off_t off, uint64_t n)
{
    struct stat st;
    if (!pl_watched_fd(fd, &st))
        return 0;
    pthread_mutex_lock(&pl_lock);
    fstat(fd, &st); /* the size now, under the lock */
    if (off < 0)
        off = (fcntl(fd, F_GETFL) & O_APPEND) ? st.st_size : lseek(fd, 0, SEEK_CUR);
    pl_save(fd, &st, (uint64_t)off, n);
    return 1;
}

/* Release the lock taken by pl_before_write, keeping the call's errno. */
static void pl_after(int locked)
{
    if (locked) {
        int saved = errno;
        pthread_mutex_unlock(&pl_lock);
        errno = saved;
    }
}

/* The whole file, for changes that cannot be seen one by one (stdio). */
static void pl_save_whole(int fd)
{
    struct stat st;
    if (!pl_watched_fd(fd, &st) || st.st_size == 0)
        return;
    pthread_mutex_lock(&pl_lock);
    fstat(fd, &st);
    pl_save(fd, &st, 0, (uint64_t)st.st_size);
    pthread_mutex_unlock(&pl_lock);
}

/* ---- syncs ---- */

/* syncfs or sync: everything so far is durable; the journal and the
 * stash start again empty. */
static void pl_all_durable(void)
{
    pthread_mutex_lock(&pl_lock);
    if (REAL(ftruncate)(pl.jfd, 0) != 0)
        pl_die("journal reset");
    DIR *d = opendir(pl.stash);
    for (struct dirent *de; d && (de = readdir(d)) != NULL;)
        if (de->d_name[0] != '.')
            REAL(unlinkat)(dirfd(d), de->d_name, 0);
    if (d)
        closedir(d);
    pl.nlive = 0;
    pthread_mutex_unlock(&pl_lock);
}

/* fsync or fdatasync of fd: a watched file's content, or the names of a
 * watched directory (the root included), are durable. */
static void pl_synced(int fd)
{
    struct stat st;
    char path[PATH_MAX];
    if (!pl_on() || fstat(fd, &st) != 0 || pl_fd_path(fd, path) < 0 ||
        !pl_below(path, S_ISDIR(st.st_mode)) || pl_is_shm(path))
        return;
    pthread_mutex_lock(&pl_lock);
    if (S_ISDIR(st.st_mode)) {
        pl_journal_path(PL_DIRSYNC, path, NULL, NULL);
    } else if (S_ISREG(st.st_mode)) {
        pl_journal((pl_rec){.type = PL_FSYNC, .dev = st.st_dev, .ino = st.st_ino}, NULL, NULL,
                   NULL, NULL);
        pl_live_drop(&st);
    }
    pthread_mutex_unlock(&pl_lock);
}

int fsync(int fd)
{
    pl_synced(fd);
    return REAL(fsync)(fd);
}

int fdatasync(int fd)
{
    pl_synced(fd);
    return REAL(fdatasync)(fd);
}

int syncfs(int fd)
{
    struct stat st;
    if (pl_on() && fstat(fd, &st) == 0 && st.st_dev == pl.dev)
        pl_all_durable();
    return REAL(syncfs)(fd);
}

void sync(void)
{
    if (pl_on())
        pl_all_durable();
    REAL(sync)();
}

/* ---- content ---- */

ssize_t write(int fd, const void *buf, size_t n)
{
    int locked = pl_before_write(fd, -1, n);
    ssize_t r = REAL(write)(fd, buf, n);
    pl_after(locked);
    return r;
}

ssize_t pwrite(int fd, const void *buf, size_t n, off_t off)
{
    int locked = pl_before_write(fd, off, n);
    ssize_t r = REAL(pwrite)(fd, buf, n, off);
    pl_after(locked);
    return r;
}

static uint64_t pl_iov_len(const struct iovec *iov, int cnt)
{
    uint64_t n = 0;
    for (int i = 0; i < cnt; i++)
        n += iov[i].iov_len;
    return n;
}

ssize_t writev(int fd, const struct iovec *iov, int cnt)
{
    int locked = pl_before_write(fd, -1, pl_iov_len(iov, cnt));
    ssize_t r = REAL(writev)(fd, iov, cnt);
    pl_after(locked);
    return r;
}

ssize_t pwritev(int fd, const struct iovec *iov, int cnt, off_t off)
{
    int locked = pl_before_write(fd, off, pl_iov_len(iov, cnt));
    ssize_t r = REAL(pwritev)(fd, iov, cnt, off);
    pl_after(locked);
    return r;
}

/* A truncation journals the bytes it cuts off (none when it grows). */
int ftruncate(int fd, off_t len)
{
    struct stat st;
    int locked = pl_watched_fd(fd, &st) && len >= 0;
    if (locked) {
        pthread_mutex_lock(&pl_lock);
        fstat(fd, &st);
        pl_save(fd, &st, (uint64_t)len, len < st.st_size ? (uint64_t)(st.st_size - len) : 0);
    }
    int r = REAL(ftruncate)(fd, len);
    pl_after(locked);
    return r;
}

/* By path: through the descriptor, where the old bytes can be read. */
int truncate(const char *path, off_t len)
{
    int fd = openat(AT_FDCWD, path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int r = ftruncate(fd, len);
    int saved = errno;
    close(fd);
    errno = saved;
    return r;
}

/* Allocation may grow the file: its size is what is journaled. */
int fallocate(int fd, int mode, off_t off, off_t len)
{
    int locked = pl_before_write(fd, off, 0);
    int r = REAL(fallocate)(fd, mode, off, len);
    pl_after(locked);
    return r;
}

int posix_fallocate(int fd, off_t off, off_t len)
{
    int locked = pl_before_write(fd, off, 0);
    int r = REAL(posix_fallocate)(fd, off, len);
    pl_after(locked);
    return r;
}

/* ---- opening: creation and O_TRUNC ---- */

/* An existing file about to be truncated by open: all of it is old. */
static void pl_save_for_trunc(const char *abs)
{
    int fd = REAL(openat)(AT_FDCWD, abs, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0)
        pl_die(abs);
    pl_save(fd, &st, 0, (uint64_t)st.st_size);
    close(fd);
}

/* After a creation was journaled: the new inode (it started empty), or a
 * cancellation when the call failed. */
static void pl_created(int fd)
{
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0) {
        pl_journal_path(PL_CANCEL, NULL, NULL, NULL);
        return;
    }
    pl_journal((pl_rec){.type = PL_CREATED, .dev = st.st_dev, .ino = st.st_ino}, NULL, NULL,
               NULL, NULL);
    pl_live_add(&st);
}

static int pl_open(int dirfd, const char *path, int flags, mode_t mode)
{
    char abs[PATH_MAX];
    int tmpfile = (flags & O_TMPFILE) == O_TMPFILE;
    if (tmpfile || !(flags & (O_CREAT | O_TRUNC)) || !pl_watched(dirfd, path, abs))
        return REAL(openat)(dirfd, path, flags, mode);
    pthread_mutex_lock(&pl_lock);
    struct stat st;
    int exists = lstat(abs, &st) == 0, create = !exists && (flags & O_CREAT);
    if (create)
        pl_journal_path(PL_CREATE, abs, NULL, NULL);
    else if (exists && S_ISREG(st.st_mode) && (flags & O_TRUNC) && (flags & O_ACCMODE) != O_RDONLY)
        pl_save_for_trunc(abs);
    int fd = REAL(openat)(dirfd, path, flags, mode);
    int saved = errno;
    if (create)
        pl_created(fd);
    pthread_mutex_unlock(&pl_lock);
    errno = saved;
    return fd;
}

static mode_t pl_mode_arg(int flags, va_list ap)
{
    return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE ? (mode_t)va_arg(ap, int) : 0;
}

int open(const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = pl_mode_arg(flags, ap);
    va_end(ap);
    return pl_open(AT_FDCWD, path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
    va_list ap;
    va_start(ap, flags);
    mode_t mode = pl_mode_arg(flags, ap);
    va_end(ap);
    return pl_open(dirfd, path, flags, mode);
}

int __open_2(const char *path, int flags)
{
    return pl_open(AT_FDCWD, path, flags, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
    return pl_open(dirfd, path, flags, 0);
}

int creat(const char *path, mode_t mode)
{
    return pl_open(AT_FDCWD, path, O_WRONLY | O_CREAT | O_TRUNC, mode);
}

/* mkstemp and its kin, on the intercepted open (libc's own would create
 * the file unseen). `suffix` characters follow the XXXXXX. */
static int pl_mkstemp(char *tmpl, int suffix, int flags)
{
    static const char chars[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    size_t n = strlen(tmpl);
    if (suffix < 0 || n < 6 + (size_t)suffix || strncmp(tmpl + n - suffix - 6, "XXXXXX", 6)) {
        errno = EINVAL;
        return -1;
    }
    char *x = tmpl + n - suffix - 6;
    for (int tries = 0; tries < 1000; tries++) {
        unsigned char r[6];
        if (getrandom(r, sizeof r, 0) != (ssize_t)sizeof r)
            return -1;
        for (int i = 0; i < 6; i++)
            x[i] = chars[r[i] % (sizeof chars - 1)];
        int fd = pl_open(AT_FDCWD, tmpl, (flags & ~O_ACCMODE) | O_RDWR | O_CREAT | O_EXCL, 0600);
        if (fd >= 0 || errno != EEXIST)
            return fd;
    }
    errno = EEXIST;
    return -1;
}

int mkstemp(char *tmpl)
{
    return pl_mkstemp(tmpl, 0, 0);
}

int mkostemp(char *tmpl, int flags)
{
    return pl_mkstemp(tmpl, 0, flags);
}

int mkstemps(char *tmpl, int suffix)
{
    return pl_mkstemp(tmpl, suffix, 0);
}

int mkostemps(char *tmpl, int suffix, int flags)
{
    return pl_mkstemp(tmpl, suffix, flags);
}

/* ---- stdio: its writes are not seen, so the file is journaled whole ---- */

static int pl_mode_writes(const char *mode)
{
    return strpbrk(mode, "wa+") != NULL;
}

/* fopen's mode as open flags. */
static int pl_mode_flags(const char *mode)
{
    int plus = strchr(mode, '+') != NULL;
    int f = mode[0] == 'r' ? (plus ? O_RDWR : O_RDONLY)
            : mode[0] == 'w' ? (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_TRUNC
                             : (plus ? O_RDWR : O_WRONLY) | O_CREAT | O_APPEND;
    if (strchr(mode, 'x'))
        f |= O_EXCL;
    if (strchr(mode, 'e'))
        f |= O_CLOEXEC;
    return f;
}

static FILE *pl_fopen(const char *path, const char *mode)
{
    char abs[PATH_MAX];
    if (!pl_mode_writes(mode) || !pl_watched(AT_FDCWD, path, abs))
        return REAL(fopen)(path, mode);
    int fd = pl_open(AT_FDCWD, path, pl_mode_flags(mode), 0666);
    if (fd < 0)
        return NULL;
    FILE *f = fdopen(fd, mode);
    if (!f) {
        int saved = errno;
        close(fd);
        errno = saved;
    }
    return f;
}

FILE *fopen(const char *path, const char *mode)
{
    return pl_fopen(path, mode);
}

FILE *fdopen(int fd, const char *mode)
{
    if (pl_mode_writes(mode))
        pl_save_whole(fd);
    return REAL(fdopen)(fd, mode);
}

/* ---- names ---- */

/* A hard link in the stash keeping the file `abs` alive, its path in out. */
static void pl_stash(const char *abs, char out[PATH_MAX])
{
    int w = snprintf(out, PATH_MAX, "%s/%ld.%lu", pl.stash, (long)getpid(), pl.stashed++);
    if (w < 0 || w >= PATH_MAX)
        errno = ENAMETOOLONG;
    if (w < 0 || w >= PATH_MAX || linkat(AT_FDCWD, abs, AT_FDCWD, out, 0) != 0)
        pl_die(abs);
}

static int pl_rename(int fd1, const char *p1, int fd2, const char *p2, unsigned flags)
{
    char a1[PATH_MAX], a2[PATH_MAX], kept[PATH_MAX] = "";
    int w1 = pl_watched(fd1, p1, a1), w2 = pl_watched(fd2, p2, a2);
    struct stat s1, s2;
    /* a rename in or out of the root is journaled too; one that exchanges
     * two names is not modelled */
    if ((!w1 && !w2) || !a1[0] || !a2[0] || (flags & RENAME_EXCHANGE) || lstat(a1, &s1) != 0)
        return flags ? REAL(renameat2)(fd1, p1, fd2, p2, flags) : REAL(renameat)(fd1, p1, fd2, p2);
    pthread_mutex_lock(&pl_lock);
    if (!(flags & RENAME_NOREPLACE) && lstat(a2, &s2) == 0 && !S_ISDIR(s2.st_mode))
        pl_stash(a2, kept);
    pl_journal((pl_rec){.type = PL_RENAME, .dev = s1.st_dev, .ino = s1.st_ino}, a1, a2,
               kept[0] ? kept : NULL, NULL);
    int r = flags ? REAL(renameat2)(fd1, p1, fd2, p2, flags) : REAL(renameat)(fd1, p1, fd2, p2);
    pl_after(1);
    return r;
}

int rename(const char *from, const char *to)
{
    return pl_rename(AT_FDCWD, from, AT_FDCWD, to, 0);
}

int renameat(int fd1, const char *from, int fd2, const char *to)
{
    return pl_rename(fd1, from, fd2, to, 0);
}

int renameat2(int fd1, const char *from, int fd2, const char *to, unsigned flags)
{
    return pl_rename(fd1, from, fd2, to, flags);
}

static int pl_rmdir(int dirfd, const char *path)
{
    char abs[PATH_MAX];
    struct stat st;
    if (!pl_watched(dirfd, path, abs) || lstat(abs, &st) != 0 || !S_ISDIR(st.st_mode))
        return REAL(unlinkat)(dirfd, path, AT_REMOVEDIR);
    pthread_mutex_lock(&pl_lock);
    pl_journal((pl_rec){.type = PL_RMDIR, .mode = st.st_mode & 07777}, abs, NULL, NULL, NULL);
    int r = REAL(unlinkat)(dirfd, path, AT_REMOVEDIR);
    pl_after(1);
    return r;
}

static int pl_unlink(int dirfd, const char *path, int flags)
{
    char abs[PATH_MAX], kept[PATH_MAX];
    struct stat st;
    if (flags & AT_REMOVEDIR)
        return pl_rmdir(dirfd, path);
    if (!pl_watched(dirfd, path, abs) || lstat(abs, &st) != 0 || S_ISDIR(st.st_mode))
        return REAL(unlinkat)(dirfd, path, flags);
    pthread_mutex_lock(&pl_lock);
    pl_stash(abs, kept);
    pl_journal_path(PL_UNLINK, abs, NULL, kept);
    int r = REAL(unlinkat)(dirfd, path, flags);
    pl_after(1);
    return r;
}

int unlink(const char *path)
{
    return pl_unlink(AT_FDCWD, path, 0);
}

int unlinkat(int dirfd, const char *path, int flags)
{
    return pl_unlink(dirfd, path, flags);
}

int rmdir(const char *path)
{
    return pl_rmdir(AT_FDCWD, path);
}

int remove(const char *path)
{
    struct stat st;
    return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) ? pl_rmdir(AT_FDCWD, path)
                                                         : pl_unlink(AT_FDCWD, path, 0);
}

static int pl_mkdir(int dirfd, const char *path, mode_t mode)
{
    char abs[PATH_MAX];
    struct stat st;
    if (!pl_watched(dirfd, path, abs) || lstat(abs, &st) == 0)
        return REAL(mkdirat)(dirfd, path, mode);
    pthread_mutex_lock(&pl_lock);
    pl_journal_path(PL_MKDIR, abs, NULL, NULL);
    int r = REAL(mkdirat)(dirfd, path, mode);
    int saved = errno;
    if (r != 0)
        pl_journal_path(PL_CANCEL, NULL, NULL, NULL);
    pthread_mutex_unlock(&pl_lock);
    errno = saved;
    return r;
}

int mkdir(const char *path, mode_t mode)
{
    return pl_mkdir(AT_FDCWD, path, mode);
}

int mkdirat(int dirfd, const char *path, mode_t mode)
{
    return pl_mkdir(dirfd, path, mode);
}

/* ---- the large-file names: the same calls where off_t is 64 bits ---- */

_Static_assert(sizeof(off_t) == 8, "the *64 calls are aliases: off_t must be 64 bits");
#define PL_SAME(name, fn) extern __typeof__(fn) name __attribute__((alias(#fn)))
PL_SAME(open64, open);
PL_SAME(openat64, openat);
PL_SAME(__open64_2, __open_2);
PL_SAME(__openat64_2, __openat_2);
PL_SAME(creat64, creat);
PL_SAME(fopen64, fopen);
PL_SAME(pwrite64, pwrite);
PL_SAME(pwritev64, pwritev);
PL_SAME(ftruncate64, ftruncate);
PL_SAME(truncate64, truncate);
PL_SAME(fallocate64, fallocate);
PL_SAME(posix_fallocate64, posix_fallocate);
PL_SAME(mkstemp64, mkstemp);
PL_SAME(mkostemp64, mkostemp);
PL_SAME(mkstemps64, mkstemps);
PL_SAME(mkostemps64, mkostemps);
