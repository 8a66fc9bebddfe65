/* Tests for sha256: the FIPS 180-4 example vectors, then every length
 * around the block boundaries and a multi-megabyte buffer, whole and fed
 * in parts split at every offset, against libsodium's independent
 * implementation. First of all, many threads hash at once: the first use
 * fetches the algorithm. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/sha256.h"

static void hex_of(const uint8_t h[SHA256_SIZE], char out[2 * SHA256_SIZE + 1])
{
    sodium_bin2hex(out, 2 * SHA256_SIZE + 1, h, SHA256_SIZE);
}

static void test_vectors(void **state)
{
    (void)state;
    static const struct {
        const char *in, *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        uint8_t h[SHA256_SIZE];
        char hex[2 * SHA256_SIZE + 1];
        sha256(v[i].in, strlen(v[i].in), h);
        hex_of(h, hex);
        assert_string_equal(hex, v[i].hex);
    }
    uint8_t h[SHA256_SIZE];
    char hex[2 * SHA256_SIZE + 1];
    sha256(NULL, 0, h); /* the empty input may come without a buffer */
    hex_of(h, hex);
    assert_string_equal(hex, v[0].hex);
    sha256_end(sha256_begin(), h);
    hex_of(h, hex);
    assert_string_equal(hex, v[0].hex);
}

static uint8_t *pattern(size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    assert_non_null(b);
    uint32_t x = 2024;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        b[i] = (uint8_t)(x >> 24);
    }
    return b;
}

static void test_against_libsodium(void **state)
{
    (void)state;
    uint8_t *b = pattern(300);
    for (size_t n = 0; n <= 300; n++) {
        uint8_t want[SHA256_SIZE], got[SHA256_SIZE];
        crypto_hash_sha256(want, b, n);
        sha256(b, n, got);
        assert_memory_equal(got, want, SHA256_SIZE);
        /* in two parts, split at every offset */
        for (size_t cut = 0; cut <= n; cut++) {
            sha256_state *s = sha256_begin();
            sha256_add(s, b, cut);
            sha256_add(s, b + cut, n - cut);
            sha256_end(s, got);
            assert_memory_equal(got, want, SHA256_SIZE);
        }
    }
    free(b);
}

static void test_large_in_chunks(void **state)
{
    (void)state;
    size_t n = (5u << 20) + 333; /* a photo's size, not a multiple of anything */
    uint8_t *b = pattern(n);
    uint8_t want[SHA256_SIZE], got[SHA256_SIZE];
    crypto_hash_sha256(want, b, n);
    sha256(b, n, got);
    assert_memory_equal(got, want, SHA256_SIZE);
    sha256_state *s = sha256_begin();
    for (size_t off = 0, step = 1; off < n; off += step, step = step * 3 % 65521 + 1)
        sha256_add(s, b + off, off + step <= n ? step : n - off);
    sha256_end(s, got);
    assert_memory_equal(got, want, SHA256_SIZE);
    /* dropped unfinished: nothing leaks (the sanitizer build checks) */
    s = sha256_begin();
    sha256_add(s, b, 100);
    sha256_free(s);
    sha256_free(NULL);
    free(b);
}

static void *hash_many(void *arg)
{
    const uint8_t *b = arg;
    uint8_t want[SHA256_SIZE], got[SHA256_SIZE];
    crypto_hash_sha256(want, b, 1000);
    for (int i = 0; i < 2000; i++) {
        sha256(b, 1000, got);
        if (memcmp(got, want, SHA256_SIZE) != 0)
            return (void *)1;
    }
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    uint8_t *b = pattern(1000);
    pthread_t t[8];
    for (int i = 0; i < 8; i++)
        assert_int_equal(pthread_create(&t[i], NULL, hash_many, b), 0);
    for (int i = 0; i < 8; i++) {
        void *bad = (void *)1;
        assert_int_equal(pthread_join(t[i], &bad), 0);
        assert_null(bad);
    }
    free(b);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_threads), /* first: the threads race to fetch */
        cmocka_unit_test(test_vectors),
        cmocka_unit_test(test_against_libsodium),
        cmocka_unit_test(test_large_in_chunks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
