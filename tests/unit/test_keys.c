/* test_keys — officer key files (rekap-key/1, secret and public) round
 * trips and every error, the RFC 8032 test key through a key file, and the
 * shared text primitives: base64 (RFC 4648 vectors, strict decoding), the
 * canonical quoting and the line reader with the caller's codes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/keys.h"
#include "core/mem.h"

/* RFC 8032 section 7.1, test 1: the seed and public key in base64. */
static const char RFC_SEED_HEX[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char RFC_PK_HEX[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    size_t got = 0;
    assert_int_equal(sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL), 0);
    assert_int_equal(got, n);
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static void parse_ok(const char *text, keys_file *k)
{
    err_info e = {0};
    if (keys_parse(text, strlen(text), k, &e) != 0)
        fail_msg("keys_parse: %s at %s: %s", e.code, e.where, e.msg);
}

/* A secret key file of a fresh key pair named `name`. */
static char *secret_file(const char *name, keys_file *k)
{
    char *buf = mem_alloc(KEYS_FILE_MAX);
    memset(k, 0, sizeof *k);
    snprintf(k->name, sizeof k->name, "%s", name);
    keys_generate(k->pk, k->sk);
    k->has_secret = 1;
    size_t n = keys_format_secret(k, buf, KEYS_FILE_MAX);
    assert_true(n < KEYS_FILE_MAX);
    return buf;
}

/* ---- key files ----------------------------------------------------------- */

static void test_secret_roundtrip(void **state)
{
    (void)state;
    keys_file k, back;
    char *text = secret_file("KPPS 3273011001004 \"ketua\" \\ Siti Nurhaliza", &k);
    parse_ok(text, &back);
    assert_string_equal(back.name, k.name);
    assert_memory_equal(back.pk, k.pk, sizeof k.pk);
    assert_int_equal(back.has_secret, 1);
    assert_memory_equal(back.sk, k.sk, sizeof k.sk);
    /* the file signs like the key it came from */
    uint8_t sig[64];
    crypto_sign_ed25519_detached(sig, NULL, (const unsigned char *)"x", 1, back.sk);
    assert_int_equal(crypto_sign_ed25519_verify_detached(sig, (const unsigned char *)"x", 1, k.pk), 0);
    /* layout: four lines, the name quoted, the seed (not the 64-byte key) */
    const char *head = "rekap-key/1\nname \"KPPS 3273011001004 \\\"ketua\\\" \\\\ Siti Nurhaliza\"\npublic ";
    assert_true(strncmp(text, head, strlen(head)) == 0);
    char seed[KEYS_B64_LEN(32) + 1];
    keys_b64_encode(k.sk, 32, seed);
    char *line = strstr(text, "\nsecret ");
    assert_non_null(line);
    assert_memory_equal(line + 8, seed, strlen(seed));
    assert_string_equal(line + 8 + strlen(seed), "\n");
    free(text);
}

static void test_public_roundtrip(void **state)
{
    (void)state;
    keys_file k, back;
    char *secret = secret_file("Ketua KPPS — ümlaut", &k);
    char pub[KEYS_FILE_MAX];
    size_t n = keys_format_public(&k, pub, sizeof pub);
    assert_int_equal(n, strlen(pub));
    assert_null(strstr(pub, "secret"));
    /* the public file is the secret one without its last line */
    assert_memory_equal(pub, secret, n);
    assert_true(strncmp(secret + n, "secret ", 7) == 0);
    parse_ok(pub, &back);
    assert_string_equal(back.name, "Ketua KPPS — ümlaut");
    assert_memory_equal(back.pk, k.pk, 32);
    assert_int_equal(back.has_secret, 0);
    assert_true(all_zero(back.sk, sizeof back.sk));
    /* sizing like snprintf */
    char small[12];
    assert_int_equal(keys_format_public(&k, small, sizeof small), n);
    assert_string_equal(small, "rekap-key/1");
    assert_int_equal(keys_format_secret(&k, NULL, 0), strlen(secret));
    free(secret);
}

static void test_rfc8032_key_file(void **state)
{
    (void)state;
    uint8_t seed[32], pk[32];
    char seed64[KEYS_B64_LEN(32) + 1], pk64[KEYS_B64_LEN(32) + 1], text[512];
    keys_file k;
    unhex(RFC_SEED_HEX, seed, 32);
    unhex(RFC_PK_HEX, pk, 32);
    keys_b64_encode(seed, 32, seed64);
    keys_b64_encode(pk, 32, pk64);
    snprintf(text, sizeof text, "rekap-key/1\nname \"rfc8032 test 1\"\npublic %s\nsecret %s\n",
             pk64, seed64);
    parse_ok(text, &k);
    assert_memory_equal(k.pk, pk, 32);
    assert_memory_equal(k.sk, seed, 32);
    assert_memory_equal(k.sk + 32, pk, 32); /* libsodium: seed || public */
}

typedef struct key_case {
    const char *from, *to;
    int rc;
    const char *code, *where;
} key_case;

static void expect_key_error(const char *label, const char *text, size_t len, int rc,
                             const char *code, const char *where)
{
    keys_file k;
    err_info e = {0};
    memset(&k, 0x5a, sizeof k);
    int got = keys_parse(text, len, &k, &e);
    if (got != rc || !e.code || strcmp(e.code, code) != 0 || strcmp(e.where, where) != 0)
        fail_msg("%s: expected %d %s at \"%s\", got %d %s at \"%s\": %s", label, rc, code,
                 where, got, e.code ? e.code : "(none)", e.where, e.msg);
    assert_true(e.msg[0] != '\0');
    assert_true(all_zero(&k, sizeof k));
}

static void test_key_errors(void **state)
{
    (void)state;
    keys_file k, other;
    char *text = secret_file("Ketua KPPS", &k);
    char *text2 = secret_file("Anggota KPPS", &other);
    char pub[KEYS_B64_LEN(32) + 1], pub2[KEYS_B64_LEN(32) + 1], sec[KEYS_B64_LEN(32) + 1];
    char longname[KEYS_NAME_MAX + 4];
    char identity[KEYS_B64_LEN(32) + 1];
    uint8_t one[32] = {1}; /* y = 1: the neutral point, of small order */
    keys_b64_encode(k.pk, 32, pub);
    keys_b64_encode(other.pk, 32, pub2);
    keys_b64_encode(other.sk, 32, sec);
    keys_b64_encode(one, 32, identity);
    memset(longname, 'n', sizeof longname);
    longname[0] = '"';
    longname[KEYS_NAME_MAX + 2] = '"';
    longname[KEYS_NAME_MAX + 3] = '\0';
    char *secret_line = strstr(text, "secret ") + 7;
    char mine[KEYS_B64_LEN(32) + 1];
    memcpy(mine, secret_line, KEYS_B64_LEN(32));
    mine[KEYS_B64_LEN(32)] = '\0';

    const key_case m[] = {
        {"rekap-key/1", "rekap-key/2", ERR_INVALID, "KEY_FORMAT", "format"},
        {"rekap-key/1\n", "rekap-key/1\r\n", ERR_INVALID, "KEY_FORMAT", "format"},
        {"name ", "nama ", ERR_INVALID, "KEY_FORMAT", "name"},
        {"name \"Ketua KPPS\"\n", "", ERR_INVALID, "KEY_FORMAT", "name"},
        {"name \"Ketua KPPS\"", "name \"\"", ERR_INVALID, "KEY_NAME", "name"},
        {"name \"Ketua KPPS\"", "name Ketua", ERR_INVALID, "KEY_NAME", "name"},
        {"name \"Ketua KPPS\"", "name \"a\\nb\"", ERR_INVALID, "KEY_NAME", "name"},
        {"name \"Ketua KPPS\"", "name \"a\xe2\x82\"", ERR_INVALID, "KEY_NAME", "name"},
        {"\"Ketua KPPS\"", longname, ERR_LIMIT, "KEY_NAME", "name"},
        {"name \"Ketua KPPS\"", "name \"\\u004btua\"", ERR_INVALID, "KEY_FORMAT", "name"},
        {"name \"Ketua KPPS\"", "name  \"Ketua KPPS\"", ERR_INVALID, "KEY_FORMAT", "name"},
        {pub, pub + 1, ERR_INVALID, "KEY_BASE64", "public"},
        {pub, "not base64 at all, not base64 at all, not b=", ERR_INVALID, "KEY_BASE64", "public"},
        {pub, identity, ERR_INVALID, "KEY_POINT", "public"},
        {pub, pub2, ERR_INVALID, "KEY_MISMATCH", "secret"},
        {mine, sec, ERR_INVALID, "KEY_MISMATCH", "secret"},
        {mine, pub2 + 4, ERR_INVALID, "KEY_BASE64", "secret"},
        {"public ", "publik ", ERR_INVALID, "KEY_FORMAT", "public"},
        {"\nsecret ", "\nsecret: ", ERR_INVALID, "KEY_FORMAT", "end"},
        {"=\n", "=\n\n", ERR_INVALID, "KEY_FORMAT", "end"},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        char *t = test_replace(text, m[i].from, m[i].to);
        expect_key_error(m[i].to, t, strlen(t), m[i].rc, m[i].code, m[i].where);
        free(t);
    }
    /* a name of exactly KEYS_NAME_MAX bytes is fine */
    longname[KEYS_NAME_MAX + 1] = '"';
    longname[KEYS_NAME_MAX + 2] = '\0';
    char *t = test_replace(text, "\"Ketua KPPS\"", longname);
    parse_ok(t, &k);
    assert_int_equal(strlen(k.name), KEYS_NAME_MAX);
    free(t);
    /* no final newline, truncated, empty, too large */
    size_t n = strlen(text);
    expect_key_error("no newline", text, n - 1, ERR_INVALID, "KEY_FORMAT", "secret");
    expect_key_error("empty", "", 0, ERR_INVALID, "KEY_FORMAT", "format");
    expect_key_error("truncated", text, (size_t)(strstr(text, "public") - text), ERR_INVALID,
                     "KEY_FORMAT", "public");
    char *big = mem_alloc(KEYS_FILE_MAX + 1);
    memset(big, ' ', KEYS_FILE_MAX + 1);
    memcpy(big, text, n);
    expect_key_error("big", big, KEYS_FILE_MAX + 1, ERR_LIMIT, "KEY_TOO_LARGE", "");
    free(big);
    free(text2);
    free(text);
}

/* ---- text primitives ----------------------------------------------------- */

static void test_b64(void **state)
{
    (void)state;
    /* RFC 4648 section 10 */
    static const char *const vec[][2] = {
        {"", ""},         {"f", "Zg=="},     {"fo", "Zm8="},         {"foo", "Zm9v"},
        {"foob", "Zm9vYg=="}, {"fooba", "Zm9vYmE="}, {"foobar", "Zm9vYmFy"},
    };
    for (size_t i = 0; i < sizeof vec / sizeof vec[0]; i++) {
        size_t n = strlen(vec[i][0]);
        char out[16];
        uint8_t back[8];
        keys_b64_encode((const uint8_t *)vec[i][0], n, out);
        assert_string_equal(out, vec[i][1]);
        assert_int_equal(strlen(out), KEYS_B64_LEN(n));
        assert_int_equal(keys_b64_decode(out, strlen(out), back, n), 0);
        assert_memory_equal(back, vec[i][0], n);
    }
    uint8_t b[3];
    assert_int_equal(keys_b64_decode("Zm8", 3, b, 2), ERR_INVALID);      /* no padding */
    assert_int_equal(keys_b64_decode("Zm9=", 4, b, 2), ERR_INVALID);     /* unused bits set */
    assert_int_equal(keys_b64_decode("Zm9v", 4, b, 2), ERR_INVALID);     /* 3 bytes, not 2 */
    assert_int_equal(keys_b64_decode("Zm8=", 4, b, 3), ERR_INVALID);     /* 2 bytes, not 3 */
    assert_int_equal(keys_b64_decode("Zm 8", 4, b, 2), ERR_INVALID);     /* whitespace */
    assert_int_equal(keys_b64_decode("Zm-=", 4, b, 2), ERR_INVALID);     /* URL alphabet */
    assert_int_equal(keys_b64_decode("Zm8=Zm8=", 8, b, 2), ERR_INVALID); /* more after */
}

/* The base64 alphabet, for building spellings by hand. */
static const char B64_ALPHABET[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

static unsigned b64_value(char c)
{
    const char *p = strchr(B64_ALPHABET, c);
    assert_non_null(p);
    return (unsigned)(p - B64_ALPHABET);
}

/* Every byte >= 0x80 put where a '/' stands is refused: libsodium 1.0.18
 * decodes each of them as '/', so without the re-encoding check "////"
 * had 129 spellings. */
static void test_b64_high_bytes(void **state)
{
    (void)state;
    uint8_t b[3], want[3] = {0xff, 0xff, 0xff};
    char s[5] = "////";
    assert_int_equal(keys_b64_decode(s, 4, b, 3), 0);
    assert_memory_equal(b, want, 3);
    for (int c = 0x80; c <= 0xff; c++) {
        for (int at = 0; at < 4; at++) {
            s[at] = (char)c;
            if (keys_b64_decode(s, 4, b, 3) != ERR_INVALID)
                fail_msg("byte 0x%02x at %d read as '/'", c, at);
            s[at] = '/';
        }
    }
    /* and past the first group of 48 bytes the check works in */
    uint8_t big[100], back[100];
    char enc[KEYS_B64_LEN(100) + 1];
    size_t n = 0;
    memset(big, 0xff, sizeof big);
    keys_b64_encode(big, sizeof big, enc);
    assert_int_equal(keys_b64_decode_max(enc, strlen(enc), back, sizeof back, &n), 0);
    assert_int_equal(n, sizeof big);
    for (size_t at = 0; at < strlen(enc); at += 7) {
        if (enc[at] != '/')
            continue;
        enc[at] = (char)0xaf;
        assert_int_equal(keys_b64_decode_max(enc, strlen(enc), back, sizeof back, &n),
                         ERR_INVALID);
        enc[at] = '/';
    }
}

/* For a 32-byte key the last character carries 4 bits and 2 unused ones,
 * for a 64-byte signature 2 bits and 4 unused ones: of the 4 (16)
 * characters that say the same bits there, only the one with the unused
 * bits zero is read. */
static void test_b64_unused_bits(void **state)
{
    (void)state;
    static const struct {
        size_t n;   /* bytes */
        size_t at;  /* the last character before the padding */
        unsigned unused;
    } sizes[] = {{32, 42, 3}, {64, 85, 15}, {1, 1, 15}, {2, 2, 3}};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        uint8_t bin[64], back[64];
        char s[KEYS_B64_LEN(64) + 1];
        size_t n = sizes[k].n, at = sizes[k].at;
        for (size_t i = 0; i < n; i++)
            bin[i] = (uint8_t)(i * 37 + 11);
        keys_b64_encode(bin, n, s);
        unsigned canon = b64_value(s[at]);
        assert_int_equal(canon & sizes[k].unused, 0);
        /* the characters that differ from it in the unused bits only */
        for (unsigned v = canon; v <= (canon | sizes[k].unused); v++) {
            s[at] = B64_ALPHABET[v];
            int rc = keys_b64_decode(s, strlen(s), back, n);
            if (v == canon) {
                assert_int_equal(rc, 0);
                assert_memory_equal(back, bin, n);
            } else if (rc != ERR_INVALID) {
                fail_msg("%zu bytes: '%c' in place of '%c' read", n, B64_ALPHABET[v],
                         B64_ALPHABET[canon]);
            }
        }
    }
}

/* Padding, whitespace and other bytes around a valid text. */
static void test_b64_one_spelling(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len, n;
    } bad[] = {
        {"Zg", 2, 1},       {"Zg=", 3, 1},       {"Zg===", 5, 1},    {"Zg==\n", 5, 1},
        {"Zg==\r\n", 6, 1}, {" Zg==", 5, 1},     {"Zg ==", 5, 1},    {"Z\ng==", 5, 1},
        {"Zg==\0", 5, 1},   {"Zg\0\0", 4, 1},    {"Zm9v=", 5, 3},    {"Zm9v====", 8, 3},
        {"=", 1, 0},        {"====", 4, 0},      {"-_-_", 4, 3},     {"Zm9v\tYmFy", 9, 6},
    };
    uint8_t b[8];
    size_t n = 0;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (keys_b64_decode(bad[i].s, bad[i].len, b, bad[i].n) != ERR_INVALID)
            fail_msg("case %zu read", i);
    /* any length up to max; more bytes than max is refused */
    assert_int_equal(keys_b64_decode_max("Zm9vYmE=", 8, b, 8, &n), 0);
    assert_int_equal(n, 5);
    assert_memory_equal(b, "fooba", 5);
    assert_int_equal(keys_b64_decode_max("", 0, b, 8, &n), 0);
    assert_int_equal(n, 0);
    assert_int_equal(keys_b64_decode_max("Zm9vYmFy", 8, b, 5, &n), ERR_INVALID);
    assert_int_equal(keys_b64_decode_max("Zm9vYmF=", 8, b, 8, &n), ERR_INVALID);
}

/* A key file has one spelling: any single-byte change, insertion or
 * removal that still parses writes back to exactly the changed text. The
 * RFC 8032 key has a '/' in both its lines' base64. */
static void test_key_file_one_spelling(void **state)
{
    (void)state;
    keys_file k = {.name = "Ketua \"KPPS\" \xc3\xbc", .has_secret = 1}, back;
    uint8_t seed[32];
    char text[KEYS_FILE_MAX], again[KEYS_FILE_MAX];
    unhex(RFC_SEED_HEX, seed, 32);
    crypto_sign_ed25519_seed_keypair(k.pk, k.sk, seed);
    size_t n = keys_format_secret(&k, text, sizeof text);
    char *mut = mem_alloc(n + 2);
    static const unsigned char subst[] = {0x80, 0xaf, 0xff, '/', '+', '=', ' ', '\n',
                                          '\r', '\0', '\\', 'A', 'a', '0'};
    unsigned accepted = 0;
    for (size_t i = 0; i <= n; i++) {
        for (size_t k2 = 0; k2 < sizeof subst + 2; k2++) {
            size_t m = n;
            memcpy(mut, text, n);
            if (k2 < sizeof subst && i < n) {
                mut[i] = (char)subst[k2];
            } else if (k2 == sizeof subst && i < n) { /* removed */
                memmove(mut + i, text + i + 1, n - i - 1);
                m = n - 1;
            } else if (k2 == sizeof subst + 1) { /* doubled */
                memcpy(mut + i + 1, text + i, n - i);
                mut[i] = i < n ? text[i] : '\n';
                m = n + 1;
            } else {
                continue;
            }
            err_info e = {0};
            if (keys_parse(mut, m, &back, &e) != 0)
                continue;
            accepted++;
            size_t w = keys_format_secret(&back, again, sizeof again);
            if (w != m || memcmp(again, mut, m) != 0)
                fail_msg("a second spelling at byte %zu (case %zu) is read", i, k2);
        }
    }
    assert_true(accepted > 0); /* a changed letter of the name is another name */
    free(mut);
}

static void test_quote(void **state)
{
    (void)state;
    char buf[64];
    assert_int_equal(keys_quote("plain — ü", buf, sizeof buf), strlen("\"plain — ü\""));
    assert_string_equal(buf, "\"plain — ü\"");
    assert_int_equal(keys_quote("a\"b\\c/d", buf, sizeof buf), 11);
    assert_string_equal(buf, "\"a\\\"b\\\\c/d\"");
    assert_int_equal(keys_quote("a\nb\x1f", buf, sizeof buf), 16);
    assert_string_equal(buf, "\"a\\u000ab\\u001f\""); /* one line, refused on reading */
    assert_int_equal(keys_quote("", buf, sizeof buf), 2);
    assert_string_equal(buf, "\"\"");
    /* like snprintf */
    assert_int_equal(keys_quote("abcdef", buf, 4), 8);
    assert_string_equal(buf, "\"ab");
    assert_int_equal(keys_quote("abcdef", NULL, 0), 8);
}

/* The reader with its own codes, and its quoted-text bounds. */
static void test_lines(void **state)
{
    (void)state;
    static const char text[] = "fmt/1\nn 12\nt \"x\"\n";
    keys_lines r;
    const char *v;
    size_t n;
    char out[8];
    err_info e = {0};

    keys_lines_init(&r, text, strlen(text), "MISSING", "LAYOUT");
    assert_int_equal(keys_lines_header(&r, "fmt/1", "HEAD", &e), 0);
    assert_int_equal(keys_lines_peek(&r, "n"), 1);
    assert_int_equal(keys_lines_peek(&r, "t"), 0);
    assert_int_equal(keys_lines_field(&r, "n", &v, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_memory_equal(v, "12", 2);
    assert_int_equal(keys_lines_end(&r, &e), ERR_INVALID);
    assert_string_equal(e.code, "MISSING");
    assert_string_equal(e.where, "end");
    assert_int_equal(keys_lines_text(&r, "t", 1, out, "TEXT", &e), 0);
    assert_string_equal(out, "x");
    assert_int_equal(keys_lines_end(&r, &e), 0);
    assert_int_equal(keys_lines_field(&r, "u", &v, &n, &e), ERR_INVALID);
    assert_string_equal(e.code, "MISSING");
    assert_string_equal(e.where, "u");

    keys_lines_init(&r, text, strlen(text), "MISSING", "LAYOUT");
    assert_int_equal(keys_lines_header(&r, "fmt/2", "HEAD", &e), ERR_INVALID);
    assert_string_equal(e.code, "HEAD");
    keys_lines_init(&r, text + 6, strlen(text + 6), "MISSING", "LAYOUT");
    assert_int_equal(keys_lines_field(&r, "t", &v, &n, &e), ERR_INVALID);
    assert_string_equal(e.code, "MISSING");
    assert_string_equal(e.where, "t");
    /* text longer than max: the caller's code with ERR_LIMIT */
    keys_lines_init(&r, "t \"xy\"\n", 7, "MISSING", "LAYOUT");
    assert_int_equal(keys_lines_text(&r, "t", 1, out, "TEXT", &e), ERR_LIMIT);
    assert_string_equal(e.code, "TEXT");
    keys_lines_init(&r, "t \"\\u0078\"\n", 11, "MISSING", "LAYOUT");
    assert_int_equal(keys_lines_text(&r, "t", 4, out, "TEXT", &e), ERR_INVALID);
    assert_string_equal(e.code, "LAYOUT");
    keys_lines_init(&r, "t 12\n", 5, "MISSING", "LAYOUT");
    assert_int_equal(keys_lines_text(&r, "t", 4, out, "TEXT", &e), ERR_INVALID);
    assert_string_equal(e.code, "TEXT");
    keys_lines_init(&r, "b Zm8=\n", 7, "MISSING", "LAYOUT");
    assert_int_equal(keys_lines_b64(&r, "b", (uint8_t *)out, 3, "B64", &e), ERR_INVALID);
    assert_string_equal(e.code, "B64");
    assert_string_equal(e.where, "b");
    /* a value with spaces inside is fine, around it is not */
    keys_lines_init(&r, "s a b\ns  a\n", 11, "MISSING", "LAYOUT");
    assert_int_equal(keys_lines_field(&r, "s", &v, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_int_equal(keys_lines_field(&r, "s", &v, &n, &e), ERR_INVALID);
    assert_string_equal(e.code, "LAYOUT");
}

static void test_generate_distinct(void **state)
{
    (void)state;
    uint8_t pk1[32], sk1[64], pk2[32], sk2[64];
    keys_generate(pk1, sk1);
    keys_generate(pk2, sk2);
    assert_memory_not_equal(pk1, pk2, 32);
    assert_memory_equal(sk1 + 32, pk1, 32);
    assert_true(crypto_core_ed25519_is_valid_point(pk1));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_roundtrip),
        cmocka_unit_test(test_public_roundtrip),
        cmocka_unit_test(test_rfc8032_key_file),
        cmocka_unit_test(test_key_errors),
        cmocka_unit_test(test_b64),
        cmocka_unit_test(test_b64_high_bytes),
        cmocka_unit_test(test_b64_unused_bits),
        cmocka_unit_test(test_b64_one_spelling),
        cmocka_unit_test(test_key_file_one_spelling),
        cmocka_unit_test(test_quote),
        cmocka_unit_test(test_lines),
        cmocka_unit_test(test_generate_distinct),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
