/* stall — a reader descheduled at the worst moment, made to happen often:
 * preloaded (LD_PRELOAD) into a program that reads a log rekapd is
 * publishing, it sleeps a random 0..STALL_US microseconds (default 8000)
 * before each stat(2), open(2) and opendir(3) of a path containing
 * STALL_MATCH (default ".p/": a partial tile or bundle), as a loaded
 * machine may between two system calls. The writer goes on meanwhile: a
 * partial the reader saw may be pruned before it opens it
 * (integration/test_verify_live). Built by that test with the system's C
 * compiler; not part of rekap. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static void stall(const char *path)
{
    static unsigned us_max, seed;
    static const char *match;
    if (!match) {
        const char *s = getenv("STALL_US");
        us_max = s ? (unsigned)atoi(s) : 8000;
        match = getenv("STALL_MATCH") ? getenv("STALL_MATCH") : ".p/";
        seed = (unsigned)time(NULL) ^ (unsigned)getpid() << 16;
    }
    if (path && us_max && strstr(path, match))
        usleep((useconds_t)(rand_r(&seed) % (us_max + 1)));
}

int stat(const char *path, struct stat *st)
{
    static int (*real)(const char *, struct stat *);
    if (!real)
        real = (int (*)(const char *, struct stat *))dlsym(RTLD_NEXT, "stat");
    stall(path);
    return real(path, st);
}

int open(const char *path, int flags, ...)
{
    static int (*real)(const char *, int, ...);
    if (!real)
        real = (int (*)(const char *, int, ...))dlsym(RTLD_NEXT, "open");
    mode_t mode = 0;
    if (flags & (O_CREAT | O_TMPFILE)) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    stall(path);
    return real(path, flags, mode);
}

DIR *opendir(const char *path)
{
    static DIR *(*real)(const char *);
    if (!real)
        real = (DIR * (*)(const char *)) dlsym(RTLD_NEXT, "opendir");
    stall(path);
    return real(path);
}
