/* Tests for http_photo: a photo's name (path_photo_name: 64 lowercase hex
 * digits, nothing else), its type from its first bytes, and the upload
 * into a scratch directory: stored under its hash, readable (0644),
 * exactly the bytes; the same photo again is already there; too large
 * (declared or sent), empty and mismatched uploads keep nothing; an upload
 * dropped midway leaves no temp file, and the temp files a crash left are
 * swept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/err.h"
#include "core/mem.h"
#include "http/http_photo.h"
#include "testutil.h"

static const char jpeg[] = "\xff\xd8\xff\xe0 a photo of the form";

/* The name of bytes[0..n): their SHA-256 in lowercase hex. */
static void name_of(const void *bytes, size_t n, char out[PHOTO_NAME_LEN + 1])
{
    uint8_t h[32];
    crypto_hash_sha256(h, bytes, n);
    sodium_bin2hex(out, PHOTO_NAME_LEN + 1, h, sizeof h);
}

/* Files in dir (. and .. not counted). */
static int entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
    closedir(d);
    return n;
}

/* ============================================================ pure parts */

static void test_name(void **state)
{
    (void)state;
    char ok[PHOTO_NAME_LEN + 1];
    name_of(jpeg, sizeof jpeg - 1, ok);
    assert_true(path_photo_name(ok));
    assert_true(path_photo_name("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    char bad[PHOTO_NAME_LEN + 2];
    snprintf(bad, sizeof bad, "%.63s", ok); /* 63 digits */
    assert_false(path_photo_name(bad));
    snprintf(bad, sizeof bad, "%s0", ok); /* 65 */
    assert_false(path_photo_name(bad));
    snprintf(bad, sizeof bad, "%s", ok);
    bad[10] = 'A'; /* upper case is another spelling: refused */
    assert_false(path_photo_name(bad));
    bad[10] = 'g';
    assert_false(path_photo_name(bad));
    bad[10] = '/';
    assert_false(path_photo_name(bad));
    assert_false(path_photo_name(""));
    assert_false(path_photo_name(".."));
    assert_false(path_photo_name("../election.json"));
}

static void test_type(void **state)
{
    (void)state;
    const unsigned char png[] = {0x89, 'P', 'N', 'G'}, gif[] = {'G', 'I', 'F', '8'};
    assert_string_equal(photo_type((const unsigned char *)jpeg, PHOTO_SNIFF), "image/jpeg");
    assert_string_equal(photo_type((const unsigned char *)jpeg, 3), "image/jpeg");
    assert_string_equal(photo_type(png, sizeof png), "image/png");
    assert_string_equal(photo_type(gif, sizeof gif), "application/octet-stream");
    /* too short to tell */
    assert_string_equal(photo_type((const unsigned char *)jpeg, 2), "application/octet-stream");
    assert_string_equal(photo_type(png, 3), "application/octet-stream");
    assert_string_equal(photo_type(png, 0), "application/octet-stream");
}

/* ================================================================ upload */

typedef struct scratch {
    char root[64], dir[96];
} scratch;

static int setup(void **state)
{
    scratch *s = mem_calloc(1, sizeof *s);
    snprintf(s->root, sizeof s->root, "/tmp/test_http_photo.XXXXXX");
    assert_non_null(mkdtemp(s->root));
    snprintf(s->dir, sizeof s->dir, "%s/photos", s->root);
    err_info e = {0};
    assert_int_equal(photo_dir_prepare(s->dir, &e), 0);
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    scratch *s = *state;
    test_remove_tree(s->root);
    free(s);
    return 0;
}

/* Upload bytes[0..n) under `name` in pieces of `piece`, at most max. */
static int upload(const scratch *s, const char *name, const char *bytes, size_t n, size_t piece,
                  uint64_t max, uint64_t *size, err_info *e)
{
    photo_upload *u = NULL;
    int rc = photo_put_begin(s->dir, name, 0, max, &u, e);
    if (rc < 0)
        return rc;
    for (size_t at = 0; at < n; at += piece)
        photo_put_body(u, bytes + at, n - at < piece ? n - at : piece);
    rc = photo_put_finish(u, size, e);
    photo_put_free(u);
    return rc;
}

static void test_stored_then_exists(void **state)
{
    scratch *s = *state;
    char name[PHOTO_NAME_LEN + 1], path[192];
    size_t n = sizeof jpeg - 1;
    name_of(jpeg, n, name);
    uint64_t size = 0;
    err_info e = {0};
    assert_int_equal(upload(s, name, jpeg, n, 5, 1024, &size, &e), 0);
    assert_int_equal(size, n);
    snprintf(path, sizeof path, "%s/%s", s->dir, name);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);
    assert_int_equal(st.st_size, (off_t)n);
    FILE *f = fopen(path, "rb");
    char back[64];
    assert_int_equal(fread(back, 1, sizeof back, f), n);
    fclose(f);
    assert_memory_equal(back, jpeg, n);
    assert_int_equal(entries(s->dir), 1); /* no temp file left */
    /* content-addressed: the same photo is there, whatever is declared */
    photo_upload *u = NULL;
    assert_int_equal(photo_put_begin(s->dir, name, 1u << 30, 1024, &u, &e), ERR_EXISTS);
    assert_null(u);
}

static void test_refusals_keep_nothing(void **state)
{
    scratch *s = *state;
    char name[PHOTO_NAME_LEN + 1];
    size_t n = sizeof jpeg - 1;
    name_of(jpeg, n, name);
    uint64_t size = 0;
    photo_upload *u = NULL;
    err_info e = {0};
    /* declared too large: refused before any byte */
    assert_int_equal(photo_put_begin(s->dir, name, 11, 10, &u, &e), ERR_LIMIT);
    assert_string_equal(e.code, "PHOTO_TOO_LARGE");
    assert_null(u);
    /* sent too large */
    memset(&e, 0, sizeof e);
    assert_true(upload(s, name, jpeg, n, 4, n - 1, &size, &e) < 0);
    assert_string_equal(e.code, "PHOTO_TOO_LARGE");
    /* empty */
    memset(&e, 0, sizeof e);
    assert_true(upload(s, name, "", 0, 1, 1024, &size, &e) < 0);
    assert_string_equal(e.code, "PHOTO_EMPTY");
    /* other bytes than the name says */
    memset(&e, 0, sizeof e);
    assert_true(upload(s, name, "another photo", 13, 13, 1024, &size, &e) < 0);
    assert_string_equal(e.code, "PHOTO_HASH_MISMATCH");
    assert_int_equal(entries(s->dir), 0);
}

static void test_dropped_and_swept(void **state)
{
    scratch *s = *state;
    char name[PHOTO_NAME_LEN + 1], path[192];
    name_of(jpeg, sizeof jpeg - 1, name);
    photo_upload *u = NULL;
    err_info e = {0};
    /* a connection gone midway */
    assert_int_equal(photo_put_begin(s->dir, name, 0, 1024, &u, &e), 0);
    photo_put_body(u, jpeg, 4);
    assert_int_equal(entries(s->dir), 1);
    photo_put_free(u);
    assert_int_equal(entries(s->dir), 0);
    /* a crash's leftovers go at the next start; photos stay */
    snprintf(path, sizeof path, "%s/.tmp-%.16s-abcdef", s->dir, name);
    fclose(fopen(path, "w"));
    snprintf(path, sizeof path, "%s/%s", s->dir, name);
    fclose(fopen(path, "w"));
    assert_int_equal(photo_dir_prepare(s->dir, &e), 0);
    assert_int_equal(entries(s->dir), 1);
    assert_int_equal(access(path, F_OK), 0);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_name),
        cmocka_unit_test(test_type),
        cmocka_unit_test_setup_teardown(test_stored_then_exists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_keep_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dropped_and_swept, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
