/* Tests for csv: quoting, line ends, BOM, bounds and their error codes,
 * csv_uint. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/mem.h"

#define MAXF 8

/* Read every record of `text`, joining fields with '|' and records with
 * '\n' into out; returns the last csv_next result (0 at a clean end). */
static int read_all(const char *text, size_t len, char *out, size_t cap,
                    err_info *e)
{
    static csv_reader r;
    char *f[MAXF];
    int nf;
    out[0] = '\0';
    csv_init(&r, text, len, "t.csv");
    while ((nf = csv_next(&r, f, MAXF, e)) > 0) {
        for (int i = 0; i < nf; i++) {
            strncat(out, f[i], cap - strlen(out) - 1);
            strncat(out, i + 1 < nf ? "|" : "\n", cap - strlen(out) - 1);
        }
    }
    return nf;
}

static void expect_records(const char *text, const char *want)
{
    char out[512];
    err_info e = {0};
    assert_int_equal(read_all(text, strlen(text), out, sizeof out, &e), 0);
    assert_string_equal(out, want);
    assert_null(e.code);
}

static void expect_error(const char *text, size_t len, int rc, const char *code,
                         const char *where)
{
    char out[512];
    err_info e = {0};
    assert_int_equal(read_all(text, len, out, sizeof out, &e), rc);
    assert_string_equal(e.code, code);
    assert_string_equal(e.where, where);
}

static void test_plain_and_quoted(void **state)
{
    (void)state;
    expect_records("kode,nama\n11,Aceh\n", "kode|nama\n11|Aceh\n");
    expect_records("12.07.28.1007,\"Lubuk Pakam I,II\"\n",
                   "12.07.28.1007|Lubuk Pakam I,II\n");
    expect_records("\"say \"\"hi\"\"\",x\n", "say \"hi\"|x\n");
    expect_records("\"\",,\n", "||\n");
    expect_records("\"two\nlines\",b\n", "two\nlines|b\n");
}

static void test_line_ends_and_bom(void **state)
{
    (void)state;
    expect_records("a,b\r\nc,d\r\n", "a|b\nc|d\n");
    expect_records("a,b\r\nc,d", "a|b\nc|d\n");          /* no final newline */
    expect_records("a,b\r", "a|b\n");                     /* CR at the end */
    expect_records("a\rb,c\n", "a\rb|c\n");               /* lone CR is data */
    expect_records("\xEF\xBB\xBFkode,nama\n", "kode|nama\n");
    expect_records("\n\r\na\n\n\nb\n\n", "a\nb\n");       /* blank lines */
    expect_records("", "");
    expect_records("\xEF\xBB\xBF", "");
}

static void test_line_numbers(void **state)
{
    (void)state;
    static csv_reader r;
    char *f[MAXF], where[64];
    err_info e = {0};
    const char *text = "a\n\n\"x\ny\",z\nlast\n";
    csv_init(&r, text, strlen(text), "f.csv");
    assert_int_equal(csv_next(&r, f, MAXF, &e), 1);
    assert_int_equal(r.line, 1);
    assert_int_equal(csv_next(&r, f, MAXF, &e), 2);
    assert_int_equal(r.line, 3);
    assert_int_equal(csv_next(&r, f, MAXF, &e), 1);
    assert_int_equal(r.line, 5);
    csv_where(&r, where, sizeof where);
    assert_string_equal(where, "f.csv:5");
    assert_int_equal(csv_next(&r, f, MAXF, &e), 0);
}

static void test_quote_errors(void **state)
{
    (void)state;
    expect_error("a,b\n\"open,c\n", 12, ERR_INVALID, "CSV_QUOTE", "t.csv:2");
    expect_error("ab\"c,d\n", 7, ERR_INVALID, "CSV_QUOTE", "t.csv:1");
    expect_error("\"ab\"c,d\n", 8, ERR_INVALID, "CSV_QUOTE", "t.csv:1");
    expect_error("a\nb\0c\n", 6, ERR_INVALID, "CSV_NUL", "t.csv:2");
}

static void test_bounds(void **state)
{
    (void)state;
    /* A record exactly at the limit (field bytes + one NUL) passes, one byte
     * more does not. */
    size_t n = CSV_RECORD_MAX - 1;
    char *big = mem_alloc(n + 3);
    memset(big, 'x', n + 1);
    big[n] = '\n';
    static csv_reader r;
    char *f[MAXF];
    err_info e = {0};
    csv_init(&r, big, n + 1, "big.csv");
    assert_int_equal(csv_next(&r, f, MAXF, &e), 1);
    assert_int_equal(strlen(f[0]), n);
    memset(big, 'x', n + 1);
    big[n + 1] = '\n';
    expect_error(big, n + 2, ERR_LIMIT, "CSV_RECORD_TOO_LONG", "t.csv:1");
    free(big);

    expect_error("1,2,3,4,5,6,7,8,9\n", 18, ERR_LIMIT, "CSV_TOO_MANY_FIELDS", "t.csv:1");
    expect_error("1,2,3,4,5,6,7,8,\n", 17, ERR_LIMIT, "CSV_TOO_MANY_FIELDS", "t.csv:1");
    expect_records("1,2,3,4,5,6,7,8\n", "1|2|3|4|5|6|7|8\n");
}

static void test_after_error_reader_is_done(void **state)
{
    (void)state;
    static csv_reader r;
    char *f[MAXF];
    err_info e = {0};
    const char *text = "a\"b\nc,d\n";
    csv_init(&r, text, strlen(text), "s.csv");
    assert_int_equal(csv_next(&r, f, MAXF, &e), ERR_INVALID);
    assert_int_equal(csv_next(&r, f, MAXF, &e), 0);
}

static void test_uint(void **state)
{
    (void)state;
    unsigned long long v = 7;
    assert_int_equal(csv_uint("0", 10, &v), 0);
    assert_int_equal(v, 0);
    assert_int_equal(csv_uint("284973643", UINT32_MAX, &v), 0);
    assert_int_equal(v, 284973643ull);
    assert_int_equal(csv_uint("4294967295", UINT32_MAX, &v), 0);
    assert_int_equal(v, 4294967295ull);
    assert_int_equal(csv_uint("4294967296", UINT32_MAX, &v), ERR_INVALID);
    assert_int_equal(csv_uint("18446744073709551615", UINT64_MAX, &v), 0);
    assert_true(v == UINT64_MAX);
    assert_int_equal(csv_uint("18446744073709551616", UINT64_MAX, &v), ERR_INVALID);
    assert_int_equal(csv_uint("10", 9, &v), ERR_INVALID);
    assert_int_equal(csv_uint("7", 5, &v), ERR_INVALID);
    assert_int_equal(csv_uint("5", 5, &v), 0);
    v = 42;
    assert_int_equal(csv_uint("", 10, &v), ERR_INVALID);
    assert_int_equal(csv_uint("-1", 10, &v), ERR_INVALID);
    assert_int_equal(csv_uint("+1", 10, &v), ERR_INVALID);
    assert_int_equal(csv_uint(" 1", 10, &v), ERR_INVALID);
    assert_int_equal(csv_uint("1 ", 10, &v), ERR_INVALID);
    assert_int_equal(csv_uint("1.5", 10, &v), ERR_INVALID);
    assert_int_equal(v, 42); /* untouched on error */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_quoted),
        cmocka_unit_test(test_line_ends_and_bom),
        cmocka_unit_test(test_line_numbers),
        cmocka_unit_test(test_quote_errors),
        cmocka_unit_test(test_bounds),
        cmocka_unit_test(test_after_error_reader_is_done),
        cmocka_unit_test(test_uint),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
