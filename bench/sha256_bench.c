/* sha256_bench — rekap's SHA-256 (core/sha256.h: OpenSSL's libcrypto)
 * against libsodium's crypto_hash_sha256, which it replaced, on the
 * sizes rekapd hashes: a tree node (1 + 64 bytes), a log entry (~1.5 KB),
 * a photo (275 KiB, the replay's mean). Alternated in one run, several
 * rounds, the best round of each kept (the machine is shared and noisy);
 * the ratio is the figure (docs/BENCHMARKS.md §7).
 * usage: sha256_bench [SECONDS_PER_MEASUREMENT] */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/sha256.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* Seconds per hash of n bytes by one of the two, over about `budget` s.
 * Each hash feeds the next (its first byte), so none can be skipped. */
static double per_hash(int ours, uint8_t *buf, size_t n, double budget)
{
    uint8_t out[SHA256_SIZE];
    long it = 0, batch = (long)(1e7 / (double)(n + 64)) + 1;
    double t0 = now(), t;
    do {
        for (long i = 0; i < batch; i++, it++) {
            if (ours)
                sha256(buf, n, out);
            else
                crypto_hash_sha256(out, buf, n);
            buf[0] ^= out[0];
        }
    } while ((t = now() - t0) < budget);
    return t / (double)it;
}

int main(int argc, char **argv)
{
    double budget = argc > 1 ? atof(argv[1]) : 0.5;
    if (sodium_init() < 0 || budget <= 0 || budget > 60) {
        fprintf(stderr, "usage: sha256_bench [SECONDS 0-60]\n");
        return 2;
    }
    static const struct {
        const char *what;
        size_t n;
    } sizes[] = {{"tree node", 65}, {"log entry", 1500}, {"photo", 275 * 1024}};
    uint8_t *buf = malloc(275 * 1024);
    if (!buf)
        return 1;
    randombytes_buf(buf, 275 * 1024);
    printf("| input | libsodium | rekap (libcrypto) | ratio |\n|---|---|---|---|\n");
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        double best[2] = {1e9, 1e9};
        for (int round = 0; round < 3; round++)
            for (int ours = 0; ours < 2; ours++) {
                double t = per_hash(ours, buf, sizes[s].n, budget);
                if (t < best[ours])
                    best[ours] = t;
            }
        printf("| %s, %zu B | %.3f us (%.0f MB/s) | %.3f us (%.0f MB/s) | %.2fx |\n",
               sizes[s].what, sizes[s].n, best[0] * 1e6, (double)sizes[s].n / best[0] / 1e6,
               best[1] * 1e6, (double)sizes[s].n / best[1] / 1e6, best[0] / best[1]);
    }
    free(buf);
    return 0;
}
