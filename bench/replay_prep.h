/* replay_prep — the parts of the replay's preparation (bench/replay_prep.c)
 * that stand on their own: misreading a form the way a tired officer or an
 * OCR does (replay_misread.c) and the PPWP recap entries built from the
 * forms the server will count (replay_recap.c). */
#ifndef REKAP_BENCH_REPLAY_PREP_H
#define REKAP_BENCH_REPLAY_PREP_H

#include <stdint.h>
#include <stdio.h>

#include "core/election.h"
#include "core/form.h"
#include "core/rng.h"

/* ------------------------------------------------------------ misreads */

enum {
    MISREAD_NONE = 0,
    MISREAD_ONE_AS_SEVEN = 1,   /* a 1 read as 7: 214 -> 274 */
    MISREAD_DROPPED_DIGIT = 2,  /* 105 -> 15 */
    MISREAD_EXTRA_DIGIT = 3,    /* 42 -> 442 (only counts up to 99: a box holds 3 digits) */
    MISREAD_SWAPPED = 4,        /* two neighbouring columns swapped: male/female, two candidates */
    MISREAD_KINDS = 5,
};
extern const char *const misread_name[MISREAD_KINDS];

/* Misread one count of f, of a kind drawn from r (the next kind that has a
 * count it can change when the drawn one has none). Returns the kind, or
 * MISREAD_NONE when f has no count any kind can change (f untouched).
 * The result always parses: every count stays within 0..999. */
int misread_apply(form *f, rng *r);

/* --------------------------------------------------------- PPWP recaps */

/* Where the recaps go: fn(ctx, phase, node, text, len) for each signed
 * text, in the order it must be sent (the caller signs and writes it). */
typedef void (*recap_out_fn)(void *ctx, int phase, uint32_t node, const char *text, size_t len);

typedef struct recap_plan recap_plan;

/* A plan for every PPWP recap unit of el: the counted numbers of each TPS
 * come in through recap_plan_tps, then recap_plan_emit writes the unit
 * texts level by level, kecamatan first, each adopting every child at the
 * version the server counts (a TPS: its counted form; a region: its
 * version 1 recap). Bounded: one row of numbers per TPS (16-bit counts)
 * and one per unit. */
recap_plan *recap_plan_new(const election *el);
void recap_plan_free(recap_plan *p);
/* TPS index tps counts form f (PPWP) at version v. */
void recap_plan_tps(recap_plan *p, uint32_t tps, const form *f, uint32_t version);
/* Every unit's text, via fn; returns the number of units, or -1 (message
 * on stderr) when a unit cannot be written (a child without a counted
 * form, more children than a recap holds). */
long recap_plan_emit(recap_plan *p, recap_out_fn fn, void *ctx);

/* ------------------------------------------------- the expected totals */

/* The totals rekapd's results documents must show, per contest, for the
 * nation and every province: from every true form (truth) and from the
 * forms the server counts (expected: a caught misread's correction, an
 * undetected misread as misread). Aggregated here independently of the
 * server's tally, the way its documents define the fields (docs/API.md). */
enum { EXPECT_TRUTH = 0, EXPECT_COUNTED = 1 };
typedef struct replay_expect replay_expect;
replay_expect *replay_expect_new(const election *el);
void replay_expect_free(replay_expect *x);
/* Form f of TPS index tps into the totals `which` (EXPECT_*). */
void replay_expect_add(replay_expect *x, int which, uint32_t tps, const form *f);
/* The JSON object {"<contest>":{"<code>":{"truth":{...},"expected":{...}}}}. */
void replay_expect_write(const replay_expect *x, FILE *out);

#endif
