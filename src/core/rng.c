/* rng — owns the seeded pseudo-random generator every synthetic number in
 * the project comes from: xoshiro256** (Blackman and Vigna) with its state
 * filled by splitmix64, plus the few distributions the generator needs.
 * The integer stream is identical on every machine; the real-valued draws
 * use only IEEE arithmetic, sqrt, log and pow, so they agree wherever the
 * C library rounds those the same way (glibc everywhere we run). */
#include "core/rng.h"

#include <math.h>

/* splitmix64: turns any 64-bit value into a well-mixed one; used to fill the
 * xoshiro state so that nearby seeds give unrelated streams. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

void rng_seed(rng *r, uint64_t seed)
{
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
    /* xoshiro's one forbidden state is all zeros; splitmix64 cannot produce
     * four zero words in a row, but the invariant is cheap to keep. */
    if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
        r->s[0] = 1;
}

/* The child depends on the parent's whole state and on the tag, and the
 * parent is left untouched: forks for tags 0..n can be made in any order (or
 * in parallel) and give the same streams. */
void rng_fork(rng *out, const rng *parent, uint64_t tag)
{
    uint64_t x = tag ^ 0x5851f42d4c957f2dULL;
    uint64_t h = splitmix64(&x);
    for (int i = 0; i < 4; i++)
        h = splitmix64(&x) ^ rotl(h, 17) ^ parent->s[i];
    rng_seed(out, h);
}

uint64_t rng_next(rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Lemire's multiply-and-reject: unbiased without a division in the usual
 * case. */
uint64_t rng_below(rng *r, uint64_t n)
{
    unsigned __int128 m = (unsigned __int128)rng_next(r) * n;
    uint64_t lo = (uint64_t)m;
    if (lo < n) {
        uint64_t threshold = (0 - n) % n;
        while (lo < threshold) {
            m = (unsigned __int128)rng_next(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

/* Marsaglia's polar method; the second value of each pair is dropped so the
 * generator keeps no hidden state beyond s[4]. */
double rng_normal(rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

/* Inversion of the CDF, walking up from 0: exact, and quick while the mean
 * is small (the loop runs about n*p times). */
static uint32_t binomial_inversion(rng *r, uint32_t n, double p)
{
    double q = 1.0 - p;
    double ratio = p / q;
    double f = pow(q, (double)n);
    double u = rng_uniform(r);
    uint32_t x = 0;
    while (u > f && x < n) {
        u -= f;
        x++;
        f *= ratio * (double)(n - x + 1) / (double)x;
    }
    return x;
}

/* Up to this many trials: count them one by one (exact, and cheaper than
 * the pow of the inversion). */
#define BINOMIAL_BERNOULLI_N 16
/* Mean below this: exact inversion; above it the normal approximation is
 * within a fraction of a vote of the true distribution's shape. */
#define BINOMIAL_EXACT_MEAN 12.0

uint32_t rng_binomial(rng *r, uint32_t n, double p)
{
    if (n == 0 || !(p > 0.0))
        return 0;
    if (p >= 1.0)
        return n;
    if (n <= BINOMIAL_BERNOULLI_N) {
        uint32_t x = 0;
        for (uint32_t i = 0; i < n; i++)
            x += rng_uniform(r) < p;
        return x;
    }
    if (p > 0.5)
        return n - rng_binomial(r, n, 1.0 - p);
    double mean = (double)n * p;
    if (mean < BINOMIAL_EXACT_MEAN)
        return binomial_inversion(r, n, p);
    double x = floor(mean + sqrt(mean * (1.0 - p)) * rng_normal(r) + 0.5);
    if (x < 0.0)
        return 0;
    if (x > (double)n)
        return n;
    return (uint32_t)x;
}
