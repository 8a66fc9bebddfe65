/* gen_district — owns the three generic steps every legislative contest's
 * districting is made of, written once: how many districts each area gets
 * (gen_choose_counts), which consecutive units form each district
 * (gen_partition) and how the seats are spread over them (gen_apportion).
 * The same apportionment also spreads the overseas TPS. See gen_internal.h. */
#include <math.h>
#include <stdlib.h>

#include "core/mem.h"
#include "gen/gen_internal.h"

/* ---- apportionment ----------------------------------------------------- */

static double clamp_sum(const double *w, size_t n, double lambda, unsigned lo,
                        unsigned hi)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double q = lambda * w[i];
        s += q < lo ? lo : q > hi ? hi : q;
    }
    return s;
}

/* Weights with zeros lifted to a tiny positive value (so that every share
 * can still grow to `hi`), all equal when none is positive. */
static double *apportion_weights(const double *weight, size_t n)
{
    double *w = mem_alloc(n * sizeof *w), wmax = 0.0;
    for (size_t i = 0; i < n; i++)
        if (weight[i] > wmax)
            wmax = weight[i];
    for (size_t i = 0; i < n; i++)
        w[i] = wmax <= 0.0 ? 1.0 : weight[i] > 0.0 ? weight[i] : wmax * 1e-12;
    return w;
}

typedef struct rem_ref {
    double rem;
    size_t i;
} rem_ref;

static int rem_desc(const void *a, const void *b)
{
    const rem_ref *x = a, *y = b;
    if (x->rem != y->rem)
        return x->rem > y->rem ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* Round the quotas q[] to integers within [lo, hi] summing to total: floors
 * first, then one more for the largest remainders (and, should rounding
 * error overshoot, one less for the smallest). */
static void apportion_round(const double *q, size_t n, unsigned total, unsigned lo,
                            unsigned hi, unsigned *out)
{
    rem_ref *ref = mem_alloc(n * sizeof *ref);
    long long deficit = total;
    for (size_t i = 0; i < n; i++) {
        double f = floor(q[i]);
        out[i] = f < lo ? lo : f > hi ? hi : (unsigned)f;
        deficit -= out[i];
        ref[i] = (rem_ref){q[i] - out[i], i};
    }
    qsort(ref, n, sizeof *ref, rem_desc);
    while (deficit > 0)
        for (size_t j = 0; j < n && deficit > 0; j++)
            if (out[ref[j].i] < hi) {
                out[ref[j].i]++;
                deficit--;
            }
    while (deficit < 0)
        for (size_t j = n; j-- > 0 && deficit < 0;)
            if (out[ref[j].i] > lo) {
                out[ref[j].i]--;
                deficit++;
            }
    free(ref);
}

/* Quotas are clamp(lambda * w, lo, hi) with lambda found by bisection so they
 * sum to total: proportional where the bounds allow, at a bound where not. */
int gen_apportion(const double *weight, size_t n, unsigned total, unsigned lo,
                  unsigned hi, unsigned *out)
{
    if (lo > hi || (unsigned long long)lo * n > total ||
        (unsigned long long)hi * n < total)
        return ERR_INVALID;
    if (n == 0)
        return 0;
    double *w = apportion_weights(weight, n);
    double wsum = 0.0;
    for (size_t i = 0; i < n; i++)
        wsum += w[i];
    double a = 0.0, b = total / wsum + 1.0;
    while (clamp_sum(w, n, b, lo, hi) < total)
        b *= 2.0;
    for (int it = 0; it < 200 && b - a > 1e-15 * b; it++) {
        double m = 0.5 * (a + b);
        if (clamp_sum(w, n, m, lo, hi) < total)
            a = m;
        else
            b = m;
    }
    double *q = w; /* reuse: quotas at lambda = b */
    for (size_t i = 0; i < n; i++) {
        double x = b * w[i];
        q[i] = x < lo ? lo : x > hi ? hi : x;
    }
    apportion_round(q, n, total, lo, hi, out);
    free(w);
    return 0;
}

/* ---- balanced consecutive groups --------------------------------------- */

void gen_partition(const double *pop, size_t n, unsigned k, size_t *start)
{
    size_t w = n + 1;
    double *sum = mem_alloc(w * sizeof *sum);
    double *cost = mem_alloc((size_t)(k + 1) * w * sizeof *cost);
    size_t *from = mem_alloc((size_t)(k + 1) * w * sizeof *from);
    sum[0] = 0.0;
    for (size_t i = 0; i < n; i++)
        sum[i + 1] = sum[i] + pop[i];
    double target = sum[n] / k;
    for (size_t i = 0; i <= n; i++)
        cost[i] = i == 0 ? 0.0 : INFINITY;
    /* cost[g][i]: best sum of squared deviations splitting units [0, i) into
     * g groups; each group needs at least one unit on both sides */
    for (unsigned g = 1; g <= k; g++) {
        for (size_t i = 0; i <= n; i++) {
            double best = INFINITY;
            size_t arg = 0;
            if (i >= g && n - i >= k - g)
                for (size_t j = g - 1; j < i; j++) {
                    double d = sum[i] - sum[j] - target;
                    double c = cost[(g - 1) * w + j] + d * d;
                    if (c < best) {
                        best = c;
                        arg = j;
                    }
                }
            cost[g * w + i] = best;
            from[g * w + i] = arg;
        }
    }
    start[k] = n;
    for (unsigned g = k; g > 0; g--)
        start[g - 1] = from[g * w + start[g]];
    free(sum);
    free(cost);
    free(from);
}

/* ---- districts per area ------------------------------------------------ */

/* The area to give one more district: the one whose districts are largest. */
static size_t pick_grow(const unsigned *seats, const unsigned *kmax, size_t n,
                        const unsigned *c)
{
    size_t best = n;
    double bv = -1.0;
    for (size_t i = 0; i < n; i++) {
        if (c[i] >= kmax[i])
            continue;
        double v = c[i] ? (double)seats[i] / c[i] : INFINITY;
        if (v > bv) {
            bv = v;
            best = i;
        }
    }
    return best;
}

/* The area to take one from: the one whose districts stay smallest. */
static size_t pick_shrink(const unsigned *seats, const unsigned *kmin, size_t n,
                          const unsigned *c)
{
    size_t best = n;
    double bv = INFINITY;
    for (size_t i = 0; i < n; i++) {
        if (c[i] <= kmin[i] || c[i] <= 1)
            continue;
        double v = (double)seats[i] / (c[i] - 1);
        if (v < bv) {
            bv = v;
            best = i;
        }
    }
    return best;
}

unsigned gen_choose_counts(const unsigned *seats, const unsigned *kmin,
                           const unsigned *kmax, size_t n, unsigned target,
                           unsigned *counts)
{
    unsigned long long seat_sum = 0;
    unsigned sum = 0;
    for (size_t i = 0; i < n; i++)
        seat_sum += seats[i];
    for (size_t i = 0; i < n; i++) {
        double want = seat_sum ? (double)seats[i] * target / (double)seat_sum : 0.0;
        unsigned c = (unsigned)floor(want + 0.5);
        counts[i] = c < kmin[i] ? kmin[i] : c > kmax[i] ? kmax[i] : c;
        sum += counts[i];
    }
    while (sum < target) {
        size_t i = pick_grow(seats, kmax, n, counts);
        if (i == n)
            break;
        counts[i]++;
        sum++;
    }
    while (sum > target) {
        size_t i = pick_shrink(seats, kmin, n, counts);
        if (i == n)
            break;
        counts[i]--;
        sum--;
    }
    return sum;
}
