/* Tests for file: bounded whole-file reads and atomic replacement, with the
 * failure paths that must leave the old file untouched and no temporary
 * file behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "io/file.h"

typedef struct fixture {
    char dir[32];
    char path[64];
} fixture;

static int setup(void **state)
{
    fixture *fx = mem_calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rekap-file-XXXXXX");
    if (!mkdtemp(fx->dir))
        return -1;
    snprintf(fx->path, sizeof fx->path, "%s/out.txt", fx->dir);
    *state = fx;
    return 0;
}

/* Entries in the directory besides . and .. */
static int dir_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    for (struct dirent *de; (de = readdir(d));)
        n += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
    closedir(d);
    return n;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    unlink(fx->path);
    int rc = rmdir(fx->dir); /* fails if a temporary file was left behind */
    free(fx);
    return rc;
}

static void write_plain(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static void test_read_all(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    char *buf = NULL;
    size_t len = 0;
    write_plain(fx->path, "kode,nama\n11,Aceh\n");
    assert_int_equal(file_read_all(fx->path, 1 << 20, &buf, &len, &e), 0);
    assert_int_equal(len, 18);
    assert_string_equal(buf, "kode,nama\n11,Aceh\n");
    free(buf);

    /* Exactly at the limit passes; one byte under does not. */
    assert_int_equal(file_read_all(fx->path, 18, &buf, &len, &e), 0);
    free(buf);
    assert_int_equal(file_read_all(fx->path, 17, &buf, &len, &e), ERR_LIMIT);
    assert_string_equal(e.code, "FILE_TOO_LARGE");
    assert_string_equal(e.where, fx->path);

    write_plain(fx->path, "");
    assert_int_equal(file_read_all(fx->path, 10, &buf, &len, &e), 0);
    assert_int_equal(len, 0);
    assert_string_equal(buf, "");
    free(buf);
}

static void test_read_errors(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    char *buf = NULL;
    size_t len = 0;
    assert_int_equal(file_read_all(fx->path, 10, &buf, &len, &e), ERR_NOTFOUND);
    assert_string_equal(e.code, "FILE_OPEN");
    assert_string_equal(e.where, fx->path);
    assert_int_equal(file_read_all(fx->dir, 10, &buf, &len, &e), ERR_IO);
    assert_string_equal(e.code, "FILE_READ");
    assert_null(buf);
}

/* Files whose size fstat does not tell (procfs says 0): the size is only a
 * hint, and the bound still holds while reading. */
static void test_read_unsized(void **state)
{
    (void)state;
    err_info e = {0};
    char *buf = NULL;
    size_t len = 0;
    if (access("/proc/self/status", R_OK) != 0)
        skip();
    assert_int_equal(file_read_all("/proc/self/status", 1 << 20, &buf, &len, &e), 0);
    assert_true(len > 0);
    assert_int_equal(strlen(buf), len);
    free(buf);
    assert_int_equal(file_read_all("/proc/self/status", 8, &buf, &len, &e), ERR_LIMIT);
    assert_string_equal(e.code, "FILE_TOO_LARGE");
}

typedef struct text_ctx {
    const char *text;
    size_t repeat;
    int rc;
} text_ctx;

static int write_text(FILE *f, void *ctx)
{
    const text_ctx *c = ctx;
    for (size_t i = 0; i < c->repeat; i++)
        fputs(c->text, f);
    return c->rc;
}

static void test_write_atomic(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    char *buf = NULL;
    size_t len = 0;
    text_ctx big = {"0123456789", 20000, 0};
    assert_int_equal(file_write_atomic(fx->path, write_text, &big, &e), 0);
    assert_int_equal(file_read_all(fx->path, 1 << 20, &buf, &len, &e), 0);
    assert_int_equal(len, 200000);
    assert_memory_equal(buf + 199990, "0123456789", 10);
    free(buf);
    struct stat st;
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0644);

    /* Replacing keeps the old permission bits. */
    assert_int_equal(chmod(fx->path, 0600), 0);
    text_ctx small = {"new\n", 1, 0};
    assert_int_equal(file_write_atomic(fx->path, write_text, &small, &e), 0);
    assert_int_equal(file_read_all(fx->path, 100, &buf, &len, &e), 0);
    assert_string_equal(buf, "new\n");
    free(buf);
    assert_int_equal(stat(fx->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    assert_int_equal(dir_entries(fx->dir), 1);
}

static void test_write_failures_leave_old_file(void **state)
{
    fixture *fx = *state;
    err_info e = {0};
    char *buf = NULL;
    size_t len = 0;
    write_plain(fx->path, "old\n");

    text_ctx failing = {"half of it", 100, ERR_INVALID};
    assert_int_equal(file_write_atomic(fx->path, write_text, &failing, &e), ERR_INVALID);
    assert_string_equal(e.code, "FILE_WRITE");
    assert_string_equal(e.where, fx->path);
    assert_int_equal(file_read_all(fx->path, 100, &buf, &len, &e), 0);
    assert_string_equal(buf, "old\n");
    free(buf);
    assert_int_equal(dir_entries(fx->dir), 1);

    /* A writer returning a positive value is a failure too. */
    text_ctx odd = {"x", 1, 1};
    assert_int_equal(file_write_atomic(fx->path, write_text, &odd, &e), ERR_IO);
    assert_int_equal(dir_entries(fx->dir), 1);

    /* No directory to put the temporary file in. */
    char missing[96];
    snprintf(missing, sizeof missing, "%s/no/such/file", fx->dir);
    text_ctx ok = {"x", 1, 0};
    assert_int_equal(file_write_atomic(missing, write_text, &ok, &e), ERR_IO);
    assert_string_equal(e.code, "FILE_WRITE");

    /* Renaming over a non-empty directory fails after the temporary file is
     * complete: it must be removed. */
    char sub[96], inner[128];
    snprintf(sub, sizeof sub, "%s/sub", fx->dir);
    snprintf(inner, sizeof inner, "%s/keep", sub);
    assert_int_equal(mkdir(sub, 0755), 0);
    write_plain(inner, "k");
    assert_int_equal(file_write_atomic(sub, write_text, &ok, &e), ERR_IO);
    assert_string_equal(e.code, "FILE_WRITE");
    assert_int_equal(dir_entries(fx->dir), 2); /* out.txt and sub, no temp */
    unlink(inner);
    rmdir(sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_read_all, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_errors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_read_unsized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_atomic, setup, teardown),
        cmocka_unit_test_setup_teardown(test_write_failures_leave_old_file, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
