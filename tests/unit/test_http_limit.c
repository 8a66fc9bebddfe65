/* Tests for http_limit: bursts, refill at the rate, retry_after, the
 * disabled limiter, independent keys, a table that stays bounded under a
 * flood of keys (collisions only make a limit stricter), a clock that
 * goes back, and many threads on one bucket never taking more than it
 * holds; waiting a turn: paced in order within the wait, refused beyond
 * it with the time until a turn would fit. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include "http/http_limit.h"

static int take(limiter *l, const char *key, double now, double *retry)
{
    return limiter_take(l, key, strlen(key), now, retry);
}

/* How many takes succeed in a row at time `now`. */
static int drain(limiter *l, const char *key, double now)
{
    int n = 0;
    while (n < 100000 && take(l, key, now, NULL))
        n++;
    return n;
}

static void test_burst_then_refused(void **state)
{
    (void)state;
    limiter *l = limiter_new(10, 5, 1024);
    double retry = -1;
    for (int i = 0; i < 5; i++) {
        assert_int_equal(take(l, "192.0.2.1", 100.0, &retry), 1);
        assert_true(retry == 0);
    }
    assert_int_equal(take(l, "192.0.2.1", 100.0, &retry), 0);
    assert_true(retry > 0.099 && retry < 0.101); /* one token at 10/s */
    limiter_free(l);
}

static void test_refill_at_rate(void **state)
{
    (void)state;
    limiter *l = limiter_new(4, 2, 1024);
    assert_int_equal(drain(l, "k", 0), 2);
    assert_int_equal(take(l, "k", 0.1, NULL), 0);   /* 0.4 token */
    assert_int_equal(take(l, "k", 0.26, NULL), 1);  /* 1.04 tokens */
    assert_int_equal(take(l, "k", 0.26, NULL), 0);
    double retry;
    assert_int_equal(take(l, "k", 0.30, &retry), 0); /* 0.2 token: 0.8 to go at 4/s */
    assert_true(retry > 0.19 && retry < 0.21);
    /* a long pause refills only up to the burst */
    assert_int_equal(drain(l, "k", 1000), 2);
    limiter_free(l);
}

static void test_fractional_retry_is_exact_wait(void **state)
{
    (void)state;
    limiter *l = limiter_new(0.5, 1, 1024);  /* one every two seconds */
    double retry;
    assert_int_equal(take(l, "officer", 10, &retry), 1);
    assert_int_equal(take(l, "officer", 10, &retry), 0);
    assert_true(retry > 1.99 && retry < 2.01);
    assert_int_equal(take(l, "officer", 10 + retry - 0.01, NULL), 0);
    assert_int_equal(take(l, "officer", 10 + retry + 0.01, NULL), 1);
    limiter_free(l);
}

static void test_disabled(void **state)
{
    (void)state;
    limiter *l = limiter_new(0, 1, 64);
    double retry = -1;
    for (int i = 0; i < 1000; i++)
        assert_int_equal(take(l, "x", 0, &retry), 1);
    assert_true(retry == 0);
    limiter_free(l);
    assert_int_equal(limiter_take(NULL, "x", 1, 0, NULL), 1); /* no limiter: no limit */
}

static void test_burst_below_one(void **state)
{
    (void)state;
    limiter *l = limiter_new(1, 0.2, 64); /* a bucket holds at least one request */
    assert_int_equal(drain(l, "x", 5), 1);
    limiter_free(l);
}

static void test_keys_independent(void **state)
{
    (void)state;
    limiter *l = limiter_new(1, 3, 1 << 20);
    assert_int_equal(drain(l, "198.51.100.7", 0), 3);
    assert_int_equal(drain(l, "198.51.100.8", 0), 3); /* its own bucket */
    assert_int_equal(take(l, "198.51.100.7", 0, NULL), 0);
    limiter_free(l);
}

/* Thousands of keys in a big table: (nearly) each gets its own burst; a
 * collision may only ever give less, never more. */
static void test_many_keys(void **state)
{
    (void)state;
    limiter *l = limiter_new(1, 2, 1 << 18);
    int full = 0;
    char key[32];
    for (int i = 0; i < 5000; i++) {
        snprintf(key, sizeof key, "10.%d.%d.1", i / 256, i % 256);
        int n = drain(l, key, 0);
        assert_true(n <= 2);
        full += n == 2;
    }
    assert_true(full >= 4900);
    limiter_free(l);
}

/* A tiny table under a flood of new keys: memory is fixed, so all the
 * keys together get no more than the table's buckets hold. */
static void test_flood_bounded(void **state)
{
    (void)state;
    limiter *l = limiter_new(1, 2, 1); /* rounded up to the minimum table */
    long allowed = 0;
    char key[32];
    for (int i = 0; i < 100000; i++) {
        snprintf(key, sizeof key, "k%d", i);
        allowed += take(l, key, 0, NULL);
    }
    assert_true(allowed >= 2);
    assert_true(allowed <= 64 * 2);
    limiter_free(l);
}

static void test_clock_back(void **state)
{
    (void)state;
    limiter *l = limiter_new(10, 1, 64);
    assert_int_equal(take(l, "x", 50, NULL), 1);
    assert_int_equal(take(l, "x", 40, NULL), 0); /* going back refills nothing */
    assert_int_equal(take(l, "x", 50.05, NULL), 0);
    assert_int_equal(take(l, "x", 50.11, NULL), 1);
    limiter_free(l);
}

typedef struct smoke {
    limiter *l;
    int allowed;
} smoke;

static void *smoke_main(void *arg)
{
    smoke *s = arg;
    for (int i = 0; i < 20000; i++)
        s->allowed += limiter_take(s->l, "shared", 6, 0, NULL);
    return NULL;
}

/* Threads hammering one bucket (no refill: time stands still) never
 * take more than the burst between them. */
static void test_threads(void **state)
{
    (void)state;
    limiter *l = limiter_new(1, 1000, 64);
    smoke s[4];
    pthread_t t[4];
    for (int i = 0; i < 4; i++) {
        s[i] = (smoke){l, 0};
        assert_int_equal(pthread_create(&t[i], NULL, smoke_main, &s[i]), 0);
    }
    int total = 0;
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        total += s[i].allowed;
    }
    assert_int_equal(total, 1000);
    limiter_free(l);
}

/* Over the rate, requests wait their turn: each is due 1/rate after the
 * one before; none is refused while the wait stays within max_wait. */
static void test_wait_paces(void **state)
{
    (void)state;
    limiter *l = limiter_new(10, 2, 1 << 20); /* "j" and "k" meet 1 in 10^6 */
    double wait = -1;
    for (int i = 0; i < 2; i++) { /* the burst: now */
        assert_int_equal(limiter_take_wait(l, "k", 1, 5.0, 1.0, &wait), 1);
        assert_true(wait == 0);
    }
    for (int i = 1; i <= 10; i++) { /* then one every 0.1 s, up to 1 s ahead */
        assert_int_equal(limiter_take_wait(l, "k", 1, 5.0, 1.0, &wait), 1);
        assert_true(wait > 0.1 * i - 1e-9 && wait < 0.1 * i + 1e-9);
    }
    /* the 11th would wait 1.1 s: refused, back in 0.1 s */
    assert_int_equal(limiter_take_wait(l, "k", 1, 5.0, 1.0, &wait), 0);
    assert_true(wait > 0.099 && wait < 0.101);
    /* and a refusal takes nothing: 0.15 s later one more fits, 0.95 s on */
    assert_int_equal(limiter_take_wait(l, "k", 1, 5.15, 1.0, &wait), 1);
    assert_true(wait > 0.949 && wait < 0.951);
    /* another key is not slowed */
    assert_int_equal(limiter_take_wait(l, "j", 1, 5.1, 1.0, &wait), 1);
    assert_true(wait == 0);
    /* max_wait 0 is limiter_take */
    assert_int_equal(limiter_take_wait(l, "k", 1, 5.15, 0, &wait), 0);
    assert_true(wait > 1.049 && wait < 1.051);
    limiter_free(l);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_burst_then_refused),
        cmocka_unit_test(test_refill_at_rate),
        cmocka_unit_test(test_fractional_retry_is_exact_wait),
        cmocka_unit_test(test_disabled),
        cmocka_unit_test(test_burst_below_one),
        cmocka_unit_test(test_keys_independent),
        cmocka_unit_test(test_many_keys),
        cmocka_unit_test(test_flood_bounded),
        cmocka_unit_test(test_clock_back),
        cmocka_unit_test(test_threads),
        cmocka_unit_test(test_wait_paces),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
