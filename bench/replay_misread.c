/* replay_misread — realistic misreads of a C.Hasil (replay_prep.h). In
 * 2024 the commission's app read the handwritten numbers off the form's
 * photo, and the errors the public found were of a few kinds: a 1 read as
 * a 7, a digit lost or one too many, two neighbouring boxes swapped. A
 * single changed count always breaks an arithmetic rule (a row's total,
 * the sum of the votes, a party's sum); a swap of two candidates keeps
 * every sum and is caught by nothing: that is what the replay counts as
 * misreads that stayed consistent with every rule. */
#include "replay_prep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const misread_name[MISREAD_KINDS] = {"none", "one_as_seven", "dropped_digit",
                                                 "extra_digit", "swapped_columns"};

/* Every count of a form, a pointer each: voters, ballots, votes, parties,
 * V.A/V.B/V.C. */
#define COUNTS_MAX (3 * FORM_VOTER_ROWS + 4 + FORM_SELECTIONS_MAX + 2 * FORM_PARTIES_MAX + 3)

static form_lpt *voter_row(form *f, unsigned i)
{
    form_lpt *rows[FORM_VOTER_ROWS] = {&f->dpt, &f->dptb, &f->dpk, &f->b1,
                                       &f->b2,  &f->b3,   &f->b4,  &f->disabled};
    return rows[i];
}

static unsigned form_counts(form *f, uint16_t **out)
{
    unsigned n = 0;
    for (unsigned i = 0; i < FORM_VOTER_ROWS; i++) {
        out[n++] = &voter_row(f, i)->male;
        out[n++] = &voter_row(f, i)->female;
        out[n++] = &voter_row(f, i)->total;
    }
    out[n++] = &f->received;
    out[n++] = &f->used;
    out[n++] = &f->damaged;
    out[n++] = &f->unused;
    for (unsigned i = 0; i < f->nvotes; i++)
        out[n++] = &f->votes[i];
    for (unsigned i = 0; i < f->nparty; i++) {
        out[n++] = &f->party[i].party_only;
        out[n++] = &f->party[i].total;
    }
    out[n++] = &f->valid;
    out[n++] = &f->invalid;
    out[n++] = &f->total;
    return n;
}

/* Whether a digit misread of kind k can change value v. */
static int digit_fits(unsigned v, int k)
{
    char d[8];
    snprintf(d, sizeof d, "%u", v);
    switch (k) {
    case MISREAD_ONE_AS_SEVEN:
        return strchr(d, '1') != NULL;
    case MISREAD_DROPPED_DIGIT:
        return v >= 10;
    case MISREAD_EXTRA_DIGIT:
        return v <= 99; /* a fourth digit does not fit the form's boxes */
    default:
        return 0;
    }
}

/* v misread as kind k (digit_fits), the digit and position drawn from r. */
static unsigned digit_misread(unsigned v, int k, rng *r)
{
    char d[8], out[8];
    int n = snprintf(d, sizeof d, "%u", v);
    if (k == MISREAD_ONE_AS_SEVEN) {
        int ones[3], m = 0;
        for (int i = 0; i < n; i++)
            if (d[i] == '1')
                ones[m++] = i;
        d[ones[rng_below(r, (uint64_t)m)]] = '7';
        return (unsigned)atoi(d);
    }
    if (k == MISREAD_DROPPED_DIGIT) {
        int at = (int)rng_below(r, (uint64_t)n);
        memmove(d + at, d + at + 1, (size_t)(n - at));
        return (unsigned)atoi(d);
    }
    for (;;) { /* an extra digit; a leading 0 would change nothing: draw again */
        int at = (int)rng_below(r, (uint64_t)n + 1);
        char c = (char)('0' + rng_below(r, 10));
        snprintf(out, sizeof out, "%.*s%c%s", at, d, c, d + at);
        if ((unsigned)atoi(out) != v)
            return (unsigned)atoi(out);
    }
}

/* One count of kind k, chosen at random among those it can change. */
static int misread_digit(form *f, int k, rng *r)
{
    static _Thread_local uint16_t *all[COUNTS_MAX], *fit[COUNTS_MAX];
    unsigned n = form_counts(f, all), m = 0;
    for (unsigned i = 0; i < n; i++)
        if (digit_fits(*all[i], k))
            fit[m++] = all[i];
    if (!m)
        return MISREAD_NONE;
    uint16_t *c = fit[rng_below(r, m)];
    *c = (uint16_t)digit_misread(*c, k, r);
    return k;
}

/* Two neighbouring columns swapped, where they differ: male and female
 * of a voters row, two candidates next to each other, valid and invalid. */
static int misread_swap(form *f, rng *r)
{
    static _Thread_local uint16_t *a[FORM_VOTER_ROWS + FORM_SELECTIONS_MAX + 1],
        *b[FORM_VOTER_ROWS + FORM_SELECTIONS_MAX + 1];
    unsigned m = 0;
    for (unsigned i = 0; i < FORM_VOTER_ROWS; i++)
        if (voter_row(f, i)->male != voter_row(f, i)->female) {
            a[m] = &voter_row(f, i)->male;
            b[m++] = &voter_row(f, i)->female;
        }
    for (unsigned i = 0; i + 1 < f->nvotes; i++)
        if (f->votes[i] != f->votes[i + 1]) {
            a[m] = &f->votes[i];
            b[m++] = &f->votes[i + 1];
        }
    if (f->valid != f->invalid) {
        a[m] = &f->valid;
        b[m++] = &f->invalid;
    }
    if (!m)
        return MISREAD_NONE;
    unsigned i = (unsigned)rng_below(r, m);
    uint16_t t = *a[i];
    *a[i] = *b[i];
    *b[i] = t;
    return MISREAD_SWAPPED;
}

int misread_apply(form *f, rng *r)
{
    int first = 1 + (int)rng_below(r, MISREAD_KINDS - 1);
    for (int j = 0; j < MISREAD_KINDS - 1; j++) {
        int k = 1 + (first - 1 + j) % (MISREAD_KINDS - 1);
        int got = k == MISREAD_SWAPPED ? misread_swap(f, r) : misread_digit(f, k, r);
        if (got != MISREAD_NONE)
            return got;
    }
    return MISREAD_NONE;
}
