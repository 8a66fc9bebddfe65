/* replay_main — a fuzz target's corpus as a regression test, without
 * libFuzzer: linked with one tests/fuzz/fuzz_<target>.c by CMake (the
 * project's compiler, sanitizers when REKAP_SANITIZE), it calls
 * LLVMFuzzerInitialize when the target has one, then
 * LLVMFuzzerTestOneInput once on every file named or found in a directory
 * named (not recursive, in name order, so a failure names the same file
 * every run). A broken contract aborts, as under libFuzzer.
 *
 * Each input goes in a heap buffer of exactly its size, as libFuzzer
 * passes it, so a read past its end is an ASan report here too.
 *
 * Usage: replay_<target> PATH...   exit 0 when every input passed, 1 when
 * a path cannot be read or holds no input at all (an empty corpus would
 * test nothing). */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
/* Weak: most targets have none, and then its address is NULL. */
int LLVMFuzzerInitialize(int *argc, char ***argv) __attribute__((weak));

#define REPLAY_INPUT_MAX ((size_t)64 << 20) /* no seed comes near it */

/* Run the target on the file at path; -1 when it cannot be read. */
static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return -1;
    }
    size_t cap = 4096, n = 0;
    uint8_t *buf = malloc(cap);
    size_t got;
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap && cap < REPLAY_INPUT_MAX)
            buf = realloc(buf, cap *= 2);
    }
    int bad = !buf || ferror(f) || n >= REPLAY_INPUT_MAX;
    fclose(f);
    if (bad) {
        fprintf(stderr, "%s: cannot read it whole\n", path);
        free(buf);
        return -1;
    }
    /* exactly n bytes, as libFuzzer hands them over */
    uint8_t *exact = malloc(n ? n : 1);
    memcpy(exact, buf, n);
    free(buf);
    LLVMFuzzerTestOneInput(exact, n);
    free(exact);
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every regular file of dir, in name order; how many, or -1. */
static long replay_dir(const char *dir)
{
    DIR *d = opendir(dir);
    if (!d) {
        perror(dir);
        return -1;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        if (n == cap)
            names = realloc(names, (cap = cap ? 2 * cap : 64) * sizeof *names);
        size_t len = strlen(dir) + strlen(de->d_name) + 2;
        names[n] = malloc(len);
        snprintf(names[n++], len, "%s/%s", dir, de->d_name);
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, by_name);
    long done = 0;
    for (size_t i = 0; i < n; i++) {
        struct stat st;
        if (stat(names[i], &st) == 0 && S_ISREG(st.st_mode)) {
            if (replay_file(names[i]) < 0)
                done = -1;
            else if (done >= 0)
                done++;
        }
        free(names[i]);
    }
    free(names);
    return done;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
        return 2;
    }
    if (LLVMFuzzerInitialize)
        LLVMFuzzerInitialize(&argc, &argv);
    long total = 0;
    int failed = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        long n = stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode) ? replay_dir(argv[i])
                 : replay_file(argv[i]) < 0                    ? -1
                                                               : 1;
        if (n <= 0) {
            fprintf(stderr, "%s: %s\n", argv[i], n < 0 ? "unreadable" : "no input in it");
            failed = 1;
        } else {
            total += n;
        }
    }
    printf("%s: %ld inputs replayed\n", argv[0], total);
    return failed;
}
