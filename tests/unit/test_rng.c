/* Tests for rng: the seeding against splitmix64's published outputs,
 * determinism, forks, and the distributions' ranges and moments. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <string.h>

#include "core/rng.h"

#define DRAWS 200000

/* splitmix64 from state 0 yields these four words (the reference
 * implementation's well-known first outputs); they are xoshiro's state. */
static void test_seed_reference(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 0);
    assert_true(r.s[0] == 0xe220a8397b1dcdafULL);
    assert_true(r.s[1] == 0x6e789e6aa1b965f4ULL);
    assert_true(r.s[2] == 0x06c45d188009454fULL);
    assert_true(r.s[3] == 0xf88bb8a8724c81ecULL);
}

static void test_deterministic(void **state)
{
    (void)state;
    rng a, b, c;
    rng_seed(&a, 2024);
    rng_seed(&b, 2024);
    rng_seed(&c, 2025);
    int differ = 0;
    for (int i = 0; i < 1000; i++) {
        uint64_t x = rng_next(&a);
        assert_true(x == rng_next(&b));
        differ += x != rng_next(&c);
    }
    assert_true(differ > 990);
}

static void test_fork(void **state)
{
    (void)state;
    rng parent, copy, f1, f2, f3, g1;
    rng_seed(&parent, 7);
    copy = parent;
    rng_fork(&f1, &parent, 1);
    rng_fork(&f2, &parent, 2);
    assert_memory_equal(&parent, &copy, sizeof parent); /* parent untouched */
    rng_fork(&g1, &parent, 1);                            /* order does not matter */
    rng_fork(&f3, &parent, 3);
    int same12 = 0;
    for (int i = 0; i < 100; i++) {
        uint64_t a = rng_next(&f1);
        assert_true(a == rng_next(&g1));
        same12 += a == rng_next(&f2);
        (void)rng_next(&f3);
    }
    assert_int_equal(same12, 0);
    /* a fork differs from its parent's own stream */
    rng_fork(&f1, &parent, 0);
    assert_false(rng_next(&f1) == rng_next(&parent));
}

static void test_below(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 1);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(rng_below(&r, 1), 0);
    uint64_t big = (UINT64_C(1) << 63) + 1;
    for (int i = 0; i < 1000; i++)
        assert_true(rng_below(&r, big) < big);
    /* chi-square over 10 cells: 9 degrees of freedom, 40 is far in the tail */
    unsigned count[10] = {0};
    for (int i = 0; i < DRAWS; i++) {
        uint64_t x = rng_below(&r, 10);
        assert_true(x < 10);
        count[x]++;
    }
    double chi = 0.0, want = DRAWS / 10.0;
    for (int i = 0; i < 10; i++)
        chi += (count[i] - want) * (count[i] - want) / want;
    assert_true(chi < 40.0);
}

static void test_uniform_normal(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 99);
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < DRAWS; i++) {
        double u = rng_uniform(&r);
        assert_true(u >= 0.0 && u < 1.0);
        sum += u;
    }
    assert_true(fabs(sum / DRAWS - 0.5) < 0.005);
    sum = 0.0;
    int tail = 0;
    for (int i = 0; i < DRAWS; i++) {
        double z = rng_normal(&r);
        sum += z;
        sum2 += z * z;
        tail += fabs(z) > 1.96;
    }
    double mean = sum / DRAWS, var = sum2 / DRAWS - mean * mean;
    assert_true(fabs(mean) < 0.01);
    assert_true(fabs(var - 1.0) < 0.02);
    assert_true(fabs((double)tail / DRAWS - 0.05) < 0.005); /* 5% beyond +-1.96 */
}

/* Sample mean and variance of Binomial(n, p) against np and np(1-p). */
static void check_binomial(rng *r, uint32_t n, double p)
{
    const int draws = 50000;
    double sum = 0.0, sum2 = 0.0;
    for (int i = 0; i < draws; i++) {
        uint32_t x = rng_binomial(r, n, p);
        assert_true(x <= n);
        sum += x;
        sum2 += (double)x * x;
    }
    double mean = sum / draws, var = sum2 / draws - mean * mean;
    double want_mean = n * p, want_var = n * p * (1 - p);
    assert_true(fabs(mean - want_mean) < 5.0 * sqrt(want_var / draws) + 1e-9);
    assert_true(fabs(var - want_var) < 0.05 * want_var + 0.05);
}

static void test_binomial(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 5);
    assert_int_equal(rng_binomial(&r, 0, 0.5), 0);
    assert_int_equal(rng_binomial(&r, 10, 0.0), 0);
    assert_int_equal(rng_binomial(&r, 10, -1.0), 0);
    assert_int_equal(rng_binomial(&r, 10, NAN), 0);
    assert_int_equal(rng_binomial(&r, 10, 1.0), 10);
    assert_int_equal(rng_binomial(&r, 10, 2.0), 10);
    check_binomial(&r, 10, 0.35);    /* trial by trial */
    check_binomial(&r, 20, 0.3);     /* exact inversion */
    check_binomial(&r, 50, 0.9);     /* mirrored */
    check_binomial(&r, 1000, 0.4);   /* normal approximation */
    check_binomial(&r, 4000000, 1e-5); /* small mean, huge n */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seed_reference), cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_fork),           cmocka_unit_test(test_below),
        cmocka_unit_test(test_uniform_normal), cmocka_unit_test(test_binomial),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
