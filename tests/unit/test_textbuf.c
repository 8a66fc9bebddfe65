/* test_textbuf — the bounded text writer against snprintf as the oracle:
 * decimal and hex edge values, counting past cap, NUL-termination at every
 * cap (0 with a NULL buffer included), the room/at/wrote hand-off to a
 * writer that formats into the buffer itself, and JSON strings (every
 * control character, the quote and the backslash escaped, the rest as is). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/textbuf.h"

/* Writes one sample through every append: the text under test. */
static size_t write_sample(char *buf, size_t cap)
{
    static const uint8_t bytes[] = {0x00, 0x09, 0x0a, 0x7f, 0x80, 0xab, 0xff};
    textbuf t;

    textbuf_init(&t, buf, cap);
    textbuf_str(&t, "v=");
    textbuf_u64(&t, 1234567890123ULL);
    textbuf_put(&t, " h=", 3);
    textbuf_hex(&t, bytes, sizeof bytes);
    textbuf_put(&t, "", 0);
    textbuf_str(&t, ";");
    return textbuf_finish(&t);
}

#define SAMPLE_EXPECTED "v=1234567890123 h=00090a7f80abff;"

static void test_decimal_edges(void **state)
{
    static const uint64_t values[] = {0, 1, 9, 10, 99, 100, 65535, UINT32_MAX,
                                      (uint64_t)UINT32_MAX + 1, 10000000000000000000ULL,
                                      UINT64_MAX - 1, UINT64_MAX};
    (void)state;
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        char got[32], want[32];
        textbuf t;

        textbuf_init(&t, got, sizeof got);
        textbuf_u64(&t, values[i]);
        size_t n = textbuf_finish(&t);
        int m = snprintf(want, sizeof want, "%" PRIu64, values[i]);
        assert_int_equal(n, (size_t)m);
        assert_string_equal(got, want);
    }
}

static void test_hex_every_byte(void **state)
{
    uint8_t all[256];
    char got[2 * sizeof all + 1], want[2 * sizeof all + 1];
    textbuf t;

    (void)state;
    for (size_t i = 0; i < sizeof all; i++) {
        all[i] = (uint8_t)i;
        snprintf(want + 2 * i, 3, "%02x", (unsigned)i);
    }
    textbuf_init(&t, got, sizeof got);
    textbuf_hex(&t, all, sizeof all);
    assert_int_equal(textbuf_finish(&t), 2 * sizeof all);
    assert_string_equal(got, want);

    textbuf_init(&t, got, sizeof got);
    textbuf_hex(&t, all, 0);
    assert_int_equal(textbuf_finish(&t), 0);
    assert_string_equal(got, "");
}

/* At every cap the length is the full length and the buffer holds what
 * snprintf would: the first cap - 1 bytes and a NUL, nothing past cap. */
static void test_truncation_at_every_cap(void **state)
{
    const size_t full = strlen(SAMPLE_EXPECTED);

    (void)state;
    assert_int_equal(write_sample(NULL, 0), full);
    for (size_t cap = 0; cap <= full + 2; cap++) {
        char got[64], want[64];

        memset(got, '#', sizeof got);
        memset(want, '#', sizeof want);
        assert_int_equal(write_sample(got, cap), full);
        assert_int_equal(snprintf(want, cap, "%s", SAMPLE_EXPECTED), (int)full);
        assert_memory_equal(got, want, sizeof got);
    }
}

/* The hand-off to a writer formatting into the buffer itself (as
 * form_format and keys_quote do inside an entry). */
static void test_room_and_wrote(void **state)
{
    char buf[8];
    textbuf t;

    (void)state;
    textbuf_init(&t, buf, sizeof buf);
    textbuf_str(&t, "abc");
    assert_int_equal(textbuf_room(&t), 5);
    assert_ptr_equal(textbuf_at(&t), buf + 3);
    textbuf_wrote(&t, (size_t)snprintf(textbuf_at(&t), textbuf_room(&t), "defghij"));
    assert_int_equal(textbuf_room(&t), 0);
    assert_null(textbuf_at(&t));
    textbuf_str(&t, "k"); /* past cap: counted, not written */
    assert_int_equal(textbuf_finish(&t), 11);
    assert_string_equal(buf, "abcdefg");

    textbuf_init(&t, NULL, 0);
    assert_int_equal(textbuf_room(&t), 0);
    assert_null(textbuf_at(&t));
    textbuf_u64(&t, UINT64_MAX);
    assert_int_equal(textbuf_finish(&t), 20);
}

/* Every byte 1..255 in one string: 0x01..0x1f as \u00XX, '"' and '\\'
 * with a backslash, everything else (UTF-8 included) unchanged. */
static void test_json_str(void **state)
{
    char in[256], want[2048], got[2048];
    size_t w = 0;
    textbuf t;

    (void)state;
    want[w++] = '"';
    for (int c = 1; c < 256; c++) {
        in[c - 1] = (char)c;
        if (c < 0x20)
            w += (size_t)snprintf(want + w, sizeof want - w, "\\u%04x", c);
        else if (c == '"' || c == '\\')
            w += (size_t)snprintf(want + w, sizeof want - w, "\\%c", c);
        else
            want[w++] = (char)c;
    }
    in[255] = '\0';
    want[w++] = '"';
    want[w] = '\0';
    textbuf_init(&t, got, sizeof got);
    textbuf_json_str(&t, in);
    assert_int_equal(textbuf_finish(&t), w);
    assert_memory_equal(got, want, w + 1);

    textbuf_init(&t, NULL, 0); /* sizing only */
    textbuf_json_str(&t, "a\"b");
    assert_int_equal(textbuf_finish(&t), 6);
    textbuf_init(&t, got, sizeof got);
    textbuf_json_str(&t, "");
    assert_int_equal(textbuf_finish(&t), 2);
    assert_string_equal(got, "\"\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal_edges),
        cmocka_unit_test(test_hex_every_byte),
        cmocka_unit_test(test_truncation_at_every_cap),
        cmocka_unit_test(test_room_and_wrote),
        cmocka_unit_test(test_json_str),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
