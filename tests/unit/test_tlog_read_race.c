/* Reading a log while its writer publishes (tlog_tile_read): a reader
 * holding a checkpoint reads its partials, and the writer prunes a partial
 * two publications after the checkpoint that wrote it (LOG.md, "Partial
 * files on disk"). Each race is made to happen at one exact moment: this
 * program puts its own open(2) and opendir(3) in front of libc's (the
 * executable's definitions win over the shared libc for every object
 * linked into it), and the hook publishes before the reader's call goes
 * on, as a writer would between two of the reader's system calls:
 *   - the reader's own partial removed between its stat and its open;
 *   - the tile filled (full tile written, its partials' directory removed)
 *     between the reader's look for the full tile and its listing of the
 *     partials;
 *   - the wider partial it listed removed before it opens it, again and
 *     again: bounded, and then TLOG_MOVED, not corruption;
 *   - one publication between each listing and open: the widest partial,
 *     the newest, is still there (the narrowest wider one never is);
 *   - a whole tlog_read_verify whose checkpoint is superseded twice while
 *     it reads its last bundle.
 * Before tlog_tile_read looked again, every case here failed: with
 * TLOG_CORRUPT ("the entry bundle is missing", "the tile is missing") on a
 * log that was never damaged. */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <dlfcn.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/err.h"
#include "core/merkle.h"
#include "core/note.h"
#include "io/file.h"
#include "log/tlog.h"
#include "log/tlog_read.h"
#include "testutil.h"

#define ORIGIN "rekap.example/read-race"

static const uint8_t seed[NOTE_SEED_SIZE] = {9, 9, 9};

/* ---- the writer, driven from the hooks ---- */

static tlog *writer;
static uint64_t appended;

static void entry_text(char *buf, size_t cap, uint64_t i)
{
    snprintf(buf, cap, "entry %llu%.*s", (unsigned long long)i, (int)(i % 19),
             "-------------------"); /* lengths vary */
}

/* Append one entry and publish it: a new edge partial, the one of two
 * checkpoints before pruned. */
static void publish_one(void)
{
    char buf[64];
    uint64_t idx;
    err_info e = {0};
    entry_text(buf, sizeof buf, appended++);
    assert_int_equal(tlog_append(writer, (const uint8_t *)buf, strlen(buf), &idx, &e), 0);
    assert_int_equal(tlog_publish(writer, &e), 0);
}

static void publish_to(uint64_t size)
{
    while (appended < size)
        publish_one();
}

/* ---- the hooks ---- */

typedef enum { HOOK_OPEN, HOOK_OPENDIR } hook_call;

typedef struct hook_spec {
    hook_call call;
    const char *suffix;  /* the path the hook waits for ends so */
    int times;           /* how many more times it fires (-1: always) */
    int publishes;       /* publications each time it fires */
    uint64_t fill_to;    /* or: publish up to this size */
    int fired;
} hook_spec;
static hook_spec hook;
static int in_hook; /* the writer's own calls pass straight through */

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* A partial's name: "<dir>.p/<digits>". */
static int is_partial(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash && slash - path >= 2 && !strncmp(slash - 2, ".p", 2) && slash[1] &&
           strspn(slash + 1, "0123456789") == strlen(slash + 1);
}

static void hook_maybe(hook_call call, const char *path)
{
    if (in_hook || !hook.suffix || hook.call != call || hook.times == 0)
        return;
    if (strcmp(hook.suffix, "*partial") == 0 ? !is_partial(path) : !ends_with(path, hook.suffix))
        return;
    in_hook = 1;
    if (hook.times > 0)
        hook.times--;
    hook.fired++;
    for (int i = 0; i < hook.publishes; i++)
        publish_one();
    if (hook.fill_to)
        publish_to(hook.fill_to);
    in_hook = 0;
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
    hook_maybe(HOOK_OPEN, path);
    return real(path, flags, mode);
}

DIR *opendir(const char *path)
{
    static DIR *(*real)(const char *);
    if (!real)
        real = (DIR * (*)(const char *)) dlsym(RTLD_NEXT, "opendir");
    hook_maybe(HOOK_OPENDIR, path);
    return real(path);
}

/* ---- fixture ---- */

static char dir[64];
static note_verifier ver;

/* A fresh log published up to `size`, one entry per publication. */
static void log_new(uint64_t size)
{
    snprintf(dir, sizeof dir, "/tmp/rekap-tlogrr-XXXXXX");
    assert_non_null(mkdtemp(dir));
    err_info e = {0};
    appended = 0;
    assert_int_equal(tlog_open(dir, ORIGIN, seed, &writer, &e), 0);
    ver = *tlog_verifier(writer);
    publish_to(size);
    memset(&hook, 0, sizeof hook);
}

static void log_done(void)
{
    memset(&hook, 0, sizeof hook);
    tlog_close(writer);
    writer = NULL;
    test_remove_tree(dir);
}

/* Bundle 0 of `width` entries as the writer encodes it. */
static size_t bundle_bytes(unsigned width, uint8_t *out)
{
    size_t at = 0;
    for (unsigned i = 0; i < width; i++) {
        char buf[64];
        entry_text(buf, sizeof buf, i);
        size_t n = strlen(buf);
        out[at++] = (uint8_t)(n >> 8);
        out[at++] = (uint8_t)n;
        memcpy(out + at, buf, n);
        at += n;
    }
    return at;
}

static void expect_bundle(unsigned width, const char *buf, size_t len)
{
    static uint8_t want[TLOG_TILE_WIDTH * 64];
    size_t n = bundle_bytes(width, want);
    assert_int_equal(len, n);
    assert_memory_equal(buf, want, n);
}

static int exists(const char *rel)
{
    char p[256];
    snprintf(p, sizeof p, "%s/%s", dir, rel);
    return access(p, F_OK) == 0;
}

/* ---- the races ---- */

/* The reader's own partial is there at its stat and gone at its open:
 * the writer published twice in between. */
static void test_gone_between_stat_and_open(void **state)
{
    (void)state;
    log_new(150);
    hook = (hook_spec){.call = HOOK_OPEN, .suffix = "/tile/entries/000.p/150", .times = 1,
                          .publishes = 2};
    char *buf = NULL, path[TLOG_READ_PATH_MAX];
    size_t len = 0;
    err_info e = {0};
    assert_int_equal(tlog_tile_read(dir, TLOG_ENTRIES, 0, 150, &buf, &len, path, &e), 0);
    assert_int_equal(hook.fired, 1);
    assert_false(exists("tile/entries/000.p/150")); /* it did go */
    expect_bundle(150, buf, len);
    assert_non_null(strstr(path, "000.p/15")); /* 151 or 152: a wider one */
    free(buf);
    log_done();
}

/* The tile fills between the reader's look for the full tile and its
 * listing of the partials: the directory it lists is gone, the full tile
 * is there now. */
static void test_filled_between_looks(void **state)
{
    (void)state;
    log_new(150);
    publish_to(190); /* 150's partial pruned: the reader must look further */
    assert_false(exists("tile/entries/000.p/150"));
    hook = (hook_spec){.call = HOOK_OPENDIR, .suffix = "/tile/entries/000.p", .times = 1,
                          .fill_to = 300};
    char *buf = NULL, path[TLOG_READ_PATH_MAX];
    size_t len = 0;
    err_info e = {0};
    assert_int_equal(tlog_tile_read(dir, TLOG_ENTRIES, 0, 150, &buf, &len, path, &e), 0);
    assert_int_equal(hook.fired, 1);
    assert_false(exists("tile/entries/000.p"));
    expect_bundle(150, buf, len);
    assert_true(ends_with(path, "/tile/entries/000"));
    free(buf);
    log_done();
}

/* Every wider partial the reader lists is removed before it opens it,
 * several times in a row (more than the 4 looks of the first version):
 * it looks again and reads the next one. */
static void test_listed_then_gone(void **state)
{
    (void)state;
    log_new(100);
    publish_to(104); /* 100's partial pruned */
    hook = (hook_spec){.call = HOOK_OPEN, .suffix = "*partial", .times = 6, .publishes = 2};
    char *buf = NULL, path[TLOG_READ_PATH_MAX];
    size_t len = 0;
    err_info e = {0};
    assert_int_equal(tlog_tile_read(dir, TLOG_ENTRIES, 0, 100, &buf, &len, path, &e), 0);
    assert_int_equal(hook.fired, 6);
    expect_bundle(100, buf, len);
    free(buf);
    /* and the hashes of level 0 the same way */
    hook = (hook_spec){.call = HOOK_OPEN, .suffix = "*partial", .times = 6, .publishes = 2};
    assert_int_equal(tlog_tile_read(dir, 0, 0, 100, &buf, &len, path, &e), 0);
    assert_int_equal(len, 100 * MERKLE_HASH_SIZE);
    free(buf);
    log_done();
}

/* A writer that publishes once between each listing of the partials and
 * the open of the one chosen: the previous checkpoint's partial (the
 * narrowest wider one) is gone every time, the newest (the widest) never
 * is. So the reader reads the widest, at the first look. */
static void test_one_publication_per_look(void **state)
{
    (void)state;
    log_new(100);
    publish_to(110); /* 100's partial pruned: 110 and 109 stay */
    hook = (hook_spec){.call = HOOK_OPEN, .suffix = "*partial", .times = -1, .publishes = 1};
    char *buf = NULL, path[TLOG_READ_PATH_MAX];
    size_t len = 0;
    err_info e = {0};
    assert_int_equal(tlog_tile_read(dir, TLOG_ENTRIES, 0, 100, &buf, &len, path, &e), 0);
    assert_int_equal(hook.fired, 1);
    assert_true(ends_with(path, "/tile/entries/000.p/110"));
    expect_bundle(100, buf, len);
    free(buf);
    log_done();
}

/* A writer that overtakes the reader on every look: after a bounded
 * number of looks, TLOG_MOVED (read it again), not TLOG_CORRUPT; and a
 * log that is not moving still reports a missing partial as corrupt. */
static void test_overtaken_every_time(void **state)
{
    (void)state;
    log_new(10);
    publish_to(12);
    hook = (hook_spec){.call = HOOK_OPEN, .suffix = "*partial", .times = -1, .publishes = 2};
    char *buf = NULL, path[TLOG_READ_PATH_MAX];
    size_t len = 0;
    err_info e = {0};
    assert_int_equal(tlog_tile_read(dir, TLOG_ENTRIES, 0, 10, &buf, &len, path, &e), ERR_LIMIT);
    assert_string_equal(e.code, "TLOG_MOVED");
    assert_null(buf);
    assert_in_range(hook.fired, 2, 100); /* bounded */
    assert_true(appended < TLOG_TILE_WIDTH);
    memset(&hook, 0, sizeof hook);
    /* nothing moves: the missing partial is corruption, as before */
    char p[256];
    snprintf(p, sizeof p, "%s/tile/entries/000.p", dir);
    test_remove_tree(p);
    e = (err_info){0};
    assert_int_equal(tlog_tile_read(dir, TLOG_ENTRIES, 0, 10, &buf, &len, path, &e), ERR_INVALID);
    assert_string_equal(e.code, "TLOG_CORRUPT");
    assert_non_null(strstr(e.msg, "missing"));
    assert_null(buf);
    /* no err_info (rekapd's public listener): no crash */
    assert_int_equal(tlog_tile_read(dir, TLOG_ENTRIES, 0, 10, &buf, &len, path, NULL), ERR_INVALID);
    log_done();
}

/* rekap verify's read as a whole: the checkpoint read, then, while the
 * last bundle is opened, two more publications prune its partial; then
 * while its tile of hashes is opened, two more. It verifies the
 * checkpoint it read. */
static void test_verify_overtaken(void **state)
{
    (void)state;
    log_new(600); /* bundles 000, 001, 002.p/88; tiles 0/002.p/88, 1/000.p/2 */
    hook = (hook_spec){.call = HOOK_OPEN, .suffix = "/tile/entries/002.p/88", .times = 1,
                          .publishes = 2};
    checkpoint cp;
    err_info e = {0};
    assert_int_equal(tlog_read_verify(dir, &ver, &cp, NULL, NULL, NULL, &e), 0);
    assert_int_equal(cp.size, 600);
    assert_int_equal(hook.fired, 1);
    hook = (hook_spec){.call = HOOK_OPEN, .suffix = "/tile/0/002.p/90", .times = 1,
                          .publishes = 2};
    assert_int_equal(tlog_read_verify(dir, &ver, &cp, NULL, NULL, NULL, &e), 0);
    assert_int_equal(cp.size, 602);
    assert_int_equal(hook.fired, 1);
    assert_false(exists("tile/0/002.p/90"));
    /* the level-1 tile as the tile fills: 1/000.p/2 (768 entries: 3) */
    hook = (hook_spec){.call = HOOK_OPEN, .suffix = "/tile/1/000.p/2", .times = 1,
                          .fill_to = 800};
    assert_int_equal(tlog_read_verify(dir, &ver, &cp, NULL, NULL, NULL, &e), 0);
    assert_int_equal(cp.size, 604);
    assert_int_equal(hook.fired, 1);
    log_done();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_gone_between_stat_and_open),
        cmocka_unit_test(test_filled_between_looks),
        cmocka_unit_test(test_listed_then_gone),
        cmocka_unit_test(test_one_publication_per_look),
        cmocka_unit_test(test_overtaken_every_time),
        cmocka_unit_test(test_verify_overtaken),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
