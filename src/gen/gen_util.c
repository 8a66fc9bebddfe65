/* gen_util — owns the generator's small shared tools: the keyed random
 * streams (so that every region draws from its own stream, whatever else is
 * generated around it), the multinomial split of votes over selections, and
 * the uppercase display names. See gen_internal.h. */
#include <assert.h>
#include <ctype.h>
#include <string.h>

#include "gen/gen_internal.h"

void gen_stream(rng *out, uint64_t seed, uint64_t purpose, uint64_t key)
{
    rng root, sub;
    rng_seed(&root, seed);
    rng_fork(&sub, &root, purpose);
    rng_fork(out, &sub, key);
}

uint64_t gen_code_key(const char *code)
{
    uint64_t k = 0;
    for (const char *s = code; *s >= '0' && *s <= '9'; s++)
        k = k * 10 + (uint64_t)(*s - '0');
    /* the length keeps "01" and "1" (different levels) apart */
    return k * 16 + (uint64_t)strlen(code);
}

uint64_t gen_text_key(const char *s)
{
    uint64_t h = 0xcbf29ce484222325ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= 0x100000001b3ULL;
    }
    return h;
}

/* Index of the first cumulative weight above u. */
static unsigned split_find(const double *cum, unsigned k, double u)
{
    if (k <= 16) {
        unsigned j = 0;
        while (j + 1 < k && cum[j] <= u)
            j++;
        return j;
    }
    unsigned lo = 0, hi = k - 1;
    while (lo < hi) {
        unsigned mid = (lo + hi) / 2;
        if (cum[mid] <= u)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Few votes: one categorical draw per vote is cheaper than k binomials and
 * uses no library maths. Many votes: a binomial per selection, each from
 * what the ones before left. */
void gen_split(rng *r, unsigned n, const double *cum, unsigned k, uint16_t *out)
{
    assert(k >= 1 && k <= GEN_SPLIT_MAX && n <= UINT16_MAX);
    double total = cum[k - 1];
    for (unsigned j = 0; j < k; j++)
        out[j] = 0;
    if (n <= 3 * k) {
        for (unsigned v = 0; v < n; v++)
            out[split_find(cum, k, rng_uniform(r) * total)]++;
        return;
    }
    unsigned rem = n;
    double prev = 0.0;
    for (unsigned j = 0; j + 1 < k && rem > 0; j++) {
        double left = total - prev;
        double p = left > 0.0 ? (cum[j] - prev) / left : 0.0;
        unsigned x = rng_binomial(r, rem, p > 1.0 ? 1.0 : p);
        out[j] = (uint16_t)x;
        rem -= x;
        prev = cum[j];
    }
    out[k - 1] = (uint16_t)(out[k - 1] + rem);
}

void gen_upper(const char *s, char *buf, size_t cap)
{
    size_t i = 0;
    for (; s[i] && i + 1 < cap; i++)
        buf[i] = (char)toupper((unsigned char)s[i]);
    buf[i] = '\0';
}
