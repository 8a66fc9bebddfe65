/* pl_rollback — the second half of a simulated power cut (tests only;
 * docs/RELIABILITY.md, "How a power cut is simulated"). After the program
 * that ran under the powerloss shim (powerloss.c) was killed with SIGKILL,
 * put every file below ROOT back as its last syncs left it, from the
 * shim's journal:
 *   1. names: every create, mkdir, rmdir, rename and unlink whose
 *      directory was not synced since (fsync of the directory, or syncfs)
 *      is undone, the latest first;
 *   2. content: every write and truncation of a file not fsynced since is
 *      undone, the latest first, and the file cut back to its size before
 *      the first of them (a file created since its last sync: empty);
 *   3. SQLite's -shm files go, as a reboot leaves them stale (they are
 *      written through a map the shim cannot see).
 * Then the journal and the stash are emptied, ready for the next run.
 * usage: pl_rollback [-v] JOURNAL_DIR ROOT
 * Prints one line saying what was undone, after (-v) one line per change
 * undone: "  <create|mkdir|rmdir|rename|unlink|content> <path below ROOT>".
 * Exit status 0, 1 on an error (a damaged journal, a file that cannot be
 * put back). */
#define _GNU_SOURCE
#include "powerloss.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct rec {
    pl_rec h;
    char *path[3];           /* path, to, stash ("" when absent) */
    const unsigned char *old; /* PL_DATA: the old bytes */
    int synced[2];           /* names: the directory of path[i] synced since */
    int cancelled;           /* PL_CREATE, PL_MKDIR: the call failed */
} rec;

typedef struct journal {
    unsigned char *bytes;
    size_t len;
    rec *r;
    size_t n;
} journal;

/* An inode below the root and its path now (content is undone by inode). */
typedef struct inode_path {
    dev_t dev;
    ino_t ino;
    char *path;
} inode_path;

typedef struct inodes {
    inode_path *v;
    size_t n, cap;
} inodes;

static const char *root;
static size_t root_len;
static int failures;
static int verbose; /* -v: one line per change undone */

/* -v: what was undone, the path below the root. */
static void tell(const char *what, const char *path)
{
    if (verbose)
        printf("  %s %s\n", what, strncmp(path, root, root_len) ? path : path + root_len + 1);
}

static void fail(const char *what, const char *path)
{
    fprintf(stderr, "pl_rollback: %s %s: %s\n", what, path, strerror(errno));
    failures++;
}

static void *xalloc(size_t n)
{
    void *p = calloc(1, n ? n : 1);
    if (!p) {
        fprintf(stderr, "pl_rollback: out of memory\n");
        exit(1);
    }
    return p;
}

/* ---- reading the journal ---- */

static int read_all(const char *path, unsigned char **out, size_t *len)
{
    FILE *f = fopen(path, "rb");
    size_t cap = 1 << 16, n = 0;
    unsigned char *b = xalloc(cap);
    for (size_t r; f && (r = fread(b + n, 1, cap - n, f)) > 0;) {
        n += r;
        if (n == cap)
            b = realloc(b, cap *= 2);
        if (!b)
            return -1;
    }
    int bad = !f || ferror(f);
    if (f)
        fclose(f);
    *out = b;
    *len = n;
    return bad && errno != ENOENT ? -1 : 0;
}

/* The records of the journal. A record cut short ends it: the shim was
 * killed while writing it, so the change it describes was never made. */
static int parse(journal *j)
{
    size_t at = 0, cap = 0;
    while (j->len - at >= sizeof(pl_rec)) {
        rec r = {0};
        memcpy(&r.h, j->bytes + at, sizeof r.h);
        if (r.h.magic != PL_MAGIC) {
            fprintf(stderr, "pl_rollback: a damaged journal record at byte %zu\n", at);
            return -1;
        }
        size_t need = sizeof r.h + r.h.path_len[0] + r.h.path_len[1] + r.h.path_len[2] + r.h.len;
        if (j->len - at < need)
            break;
        const unsigned char *p = j->bytes + at + sizeof r.h;
        for (int i = 0; i < 3; i++) {
            r.path[i] = strndup((const char *)p, r.h.path_len[i]);
            p += r.h.path_len[i];
        }
        r.old = p;
        if (j->n == cap) {
            cap = cap ? 2 * cap : 256;
            j->r = realloc(j->r, cap * sizeof *j->r);
            if (!j->r)
                return -1;
        }
        j->r[j->n++] = r;
        at += need;
    }
    return 0;
}

/* ---- which name changes are durable ---- */

static int is_name_change(const rec *r)
{
    return r->h.type == PL_CREATE || r->h.type == PL_MKDIR || r->h.type == PL_RMDIR ||
           r->h.type == PL_RENAME || r->h.type == PL_UNLINK;
}

/* The directory of `path`, into dir. */
static void parent_of(const char *path, char dir[PATH_MAX])
{
    snprintf(dir, PATH_MAX, "%s", path);
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
}

/* A name outside the root is not the simulation's: always durable. */
static int outside(const char *dir)
{
    return strncmp(dir, root, root_len) || (dir[root_len] && dir[root_len] != '/');
}

/* Mark, in the name changes before record k, the directory `dir` synced. */
static void dir_synced(journal *j, size_t k, const char *dir)
{
    for (size_t i = 0; i < k; i++) {
        rec *r = &j->r[i];
        for (int s = 0; s < 2 && is_name_change(r); s++) {
            char d[PATH_MAX];
            parent_of(r->path[s], d);
            if (r->path[s][0] && !strcmp(d, dir))
                r->synced[s] = 1;
        }
    }
}

/* Each name change: which of its directories were synced after it, and
 * whether its call failed. */
static void mark_durable(journal *j)
{
    for (size_t k = 0; k < j->n; k++) {
        rec *r = &j->r[k];
        if (r->h.type == PL_DIRSYNC)
            dir_synced(j, k, r->path[0]);
        else if (r->h.type == PL_CANCEL && k > 0)
            j->r[k - 1].cancelled = 1;
        for (int s = 0; s < 2 && is_name_change(r); s++) {
            char d[PATH_MAX];
            parent_of(r->path[s], d);
            if (!r->path[s][0] || outside(d))
                r->synced[s] = 1;
        }
    }
}

static int durable(const rec *r)
{
    return r->cancelled || (r->synced[0] && r->synced[1]);
}

/* ---- undoing name changes ---- */

static int exists(const char *path, struct stat *st)
{
    struct stat tmp;
    return lstat(path, st ? st : &tmp) == 0;
}

/* rm -rf: a directory whose creation is lost takes its content with it. */
static void remove_tree(const char *path)
{
    DIR *d = opendir(path);
    for (struct dirent *de; d && (de = readdir(d)) != NULL;) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[PATH_MAX];
        snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
        struct stat st;
        if (lstat(sub, &st) == 0 && S_ISDIR(st.st_mode))
            remove_tree(sub);
        else if (unlink(sub) != 0)
            fail("cannot remove", sub);
    }
    if (d)
        closedir(d);
    if (rmdir(path) != 0 && errno != ENOENT)
        fail("cannot remove", path);
}

/* Put back what a rename replaced, or drop the stash link when the
 * name still holds it. */
static void unstash(const char *kept, const char *to)
{
    if (!kept[0])
        return;
    if (!exists(to, NULL) ? rename(kept, to) != 0 : unlink(kept) != 0)
        fail("cannot put back", to);
}

/* Each undo checks that the change was made: the shim journals before
 * the call, and the kill may fall between the two. */
static void undo_rename(const rec *r)
{
    struct stat st;
    const char *from = r->path[0], *to = r->path[1];
    if (exists(to, &st) && st.st_ino == r->h.ino && st.st_dev == r->h.dev && !exists(from, NULL) &&
        rename(to, from) != 0)
        fail("cannot rename back", to);
    unstash(r->path[2], to);
}

static void undo_name(const rec *r)
{
    const char *path = r->path[0];
    switch (r->h.type) {
    case PL_CREATE:
        if (unlink(path) != 0 && errno != ENOENT)
            fail("cannot remove", path);
        break;
    case PL_MKDIR:
        remove_tree(path);
        break;
    case PL_RMDIR:
        if (!exists(path, NULL) && mkdir(path, r->h.mode) != 0)
            fail("cannot create again", path);
        break;
    case PL_RENAME:
        undo_rename(r);
        break;
    case PL_UNLINK:
        unstash(r->path[2], path);
        break;
    default:
        break;
    }
}

static size_t undo_names(journal *j)
{
    static const char *names[] = {[PL_CREATE] = "create", [PL_MKDIR] = "mkdir",
                                  [PL_RMDIR] = "rmdir", [PL_RENAME] = "rename",
                                  [PL_UNLINK] = "unlink"};
    size_t undone = 0;
    for (size_t k = j->n; k-- > 0;)
        if (is_name_change(&j->r[k]) && !durable(&j->r[k])) {
            tell(names[j->r[k].h.type], j->r[k].path[j->r[k].h.type == PL_RENAME]);
            undo_name(&j->r[k]);
            undone++;
        }
    return undone;
}

/* ---- undoing content ---- */

/* Call fn on every entry below dir (depth first, symlinks not followed). */
static void walk(const char *dir, void (*fn)(const char *, const struct stat *, void *),
                 void *ctx)
{
    DIR *d = opendir(dir);
    for (struct dirent *de; d && (de = readdir(d)) != NULL;) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char path[PATH_MAX];
        struct stat st;
        snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
        if (lstat(path, &st) != 0)
            continue;
        fn(path, &st, ctx);
        if (S_ISDIR(st.st_mode))
            walk(path, fn, ctx);
    }
    if (d)
        closedir(d);
}

static void add_inode(const char *path, const struct stat *st, void *ctx)
{
    inodes *m = ctx;
    if (!S_ISREG(st->st_mode))
        return;
    if (m->n == m->cap) {
        m->cap = m->cap ? 2 * m->cap : 256;
        m->v = realloc(m->v, m->cap * sizeof *m->v);
        if (!m->v)
            exit(1);
    }
    m->v[m->n++] = (inode_path){st->st_dev, st->st_ino, strdup(path)};
}

static inode_path *find_inode(inodes *m, uint64_t dev, uint64_t ino)
{
    for (size_t i = 0; i < m->n; i++)
        if (m->v[i].dev == dev && m->v[i].ino == ino)
            return &m->v[i];
    return NULL;
}

/* The content records of an inode, and its size before the first. */
typedef struct touched {
    uint64_t dev, ino, size;
    int synced;
} touched;

static touched *touch(touched *t, size_t *n, uint64_t dev, uint64_t ino)
{
    for (size_t i = 0; i < *n; i++)
        if (t[i].dev == dev && t[i].ino == ino)
            return &t[i];
    t[*n] = (touched){.dev = dev, .ino = ino, .size = UINT64_MAX};
    return &t[(*n)++];
}

static void put_back(const inode_path *f, const rec *r)
{
    int fd = open(f->path, O_WRONLY);
    if (fd < 0 || pwrite(fd, r->old, r->h.len, (off_t)r->h.off) != (ssize_t)r->h.len)
        fail("cannot write back", f->path);
    if (fd >= 0)
        close(fd);
}

/* Latest first: a file fsynced after a change keeps it. Returns the
 * number of writes undone; *files the files cut back. */
static size_t undo_content(journal *j, inodes *m, size_t *files)
{
    touched *t = xalloc(j->n * sizeof *t);
    size_t nt = 0, undone = 0;
    for (size_t k = j->n; k-- > 0;) {
        const rec *r = &j->r[k];
        if (r->h.type != PL_FSYNC && r->h.type != PL_DATA && r->h.type != PL_CREATED)
            continue;
        touched *x = touch(t, &nt, r->h.dev, r->h.ino);
        if (r->h.type == PL_FSYNC) {
            x->synced = 1;
            continue;
        }
        if (x->synced)
            continue;
        inode_path *f = find_inode(m, r->h.dev, r->h.ino);
        x->size = r->h.type == PL_CREATED ? 0 : r->h.size;
        if (f && r->h.type == PL_DATA && r->h.len)
            put_back(f, r);
        undone += r->h.type == PL_DATA;
    }
    *files = 0;
    for (size_t i = 0; i < nt; i++) {
        inode_path *f = find_inode(m, t[i].dev, t[i].ino);
        if (!f || t[i].size == UINT64_MAX)
            continue;
        if (truncate(f->path, (off_t)t[i].size) != 0)
            fail("cannot cut back", f->path);
        tell("content", f->path);
        (*files)++;
    }
    free(t);
    return undone;
}

/* ---- the rest ---- */

static void remove_shm(const char *path, const struct stat *st, void *ctx)
{
    size_t n = strlen(path);
    if (S_ISREG(st->st_mode) && n > 4 && !strcmp(path + n - 4, "-shm")) {
        if (unlink(path) != 0)
            fail("cannot remove", path);
        else
            ++*(size_t *)ctx;
    }
}

/* Empty the journal and the stash for the next run. */
static void reset(const char *jdir)
{
    char path[PATH_MAX];
    snprintf(path, sizeof path, "%s/" PL_JOURNAL, jdir);
    if (truncate(path, 0) != 0 && errno != ENOENT)
        fail("cannot empty", path);
    snprintf(path, sizeof path, "%s/" PL_STASH, jdir);
    remove_tree(path);
}

int main(int argc, char **argv)
{
    verbose = argc == 4 && !strcmp(argv[1], "-v");
    argv += verbose;
    argc -= verbose;
    if (argc != 3) {
        fprintf(stderr, "usage: pl_rollback [-v] JOURNAL_DIR ROOT\n");
        return 2;
    }
    static char rootbuf[PATH_MAX], path[PATH_MAX];
    if (!realpath(argv[2], rootbuf)) {
        fail("no root", argv[2]);
        return 1;
    }
    root = rootbuf;
    root_len = strlen(root);
    journal j = {0};
    snprintf(path, sizeof path, "%s/" PL_JOURNAL, argv[1]);
    if (read_all(path, &j.bytes, &j.len) < 0 || parse(&j) < 0) {
        fail("cannot read", path);
        return 1;
    }
    mark_durable(&j);
    size_t names = undo_names(&j), files = 0, shm = 0;
    inodes m = {0};
    walk(root, add_inode, &m);
    size_t writes = undo_content(&j, &m, &files);
    walk(root, remove_shm, &shm);
    reset(argv[1]);
    printf("pl_rollback: %zu records; undid %zu name changes, %zu writes, cut back %zu files; "
           "removed %zu -shm\n", j.n, names, writes, files, shm);
    return failures ? 1 : 0;
}
