/* rng — a small seeded generator (xoshiro256** seeded through splitmix64).
 * Deterministic across machines, so `rekap gen --seed N` reproduces the
 * same election byte for byte. Not for keys: libsodium makes those. */
#ifndef REKAP_RNG_H
#define REKAP_RNG_H

#include <stdint.h>

typedef struct rng { uint64_t s[4]; } rng;

void rng_seed(rng *r, uint64_t seed);
/* Independent stream for sub-task `tag` (e.g. a region index). */
void rng_fork(rng *out, const rng *parent, uint64_t tag);
uint64_t rng_next(rng *r);
double rng_uniform(rng *r);                 /* [0, 1) */
uint64_t rng_below(rng *r, uint64_t n);     /* [0, n), unbiased; n > 0 */
double rng_normal(rng *r);                  /* standard normal */
/* Binomial(n, p) draw: exact for small n, normal approximation clamped to
 * [0, n] for large n. */
uint32_t rng_binomial(rng *r, uint32_t n, double p);

#endif
