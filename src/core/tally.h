/* tally — the running totals of an election: for every region above the
 * TPS (nation .. desa) and every contest, the number of TPS expected and
 * counted, voters, valid/invalid votes and votes per selection; and for
 * every district the votes of each candidate and each party alone.
 *
 * Totals move only by deltas: tally_apply(+1) adds a form, tally_apply(-1)
 * takes it away again, so a correction is (-1 old, +1 new) and a region's
 * total is always exactly the sum of the forms applied to its TPS. Only
 * forms without HARD rule hits may be applied; the caller decides that
 * (rules.h) and counts flags with tally_flag. The tally keeps no forms.
 *
 * Selections of a region row: PPWP and DPD by candidate ballot position,
 * DPR/DPRD by party (index into election.party). DPD rows above a province
 * mix different ballots and are left to show as totals only.
 *
 * Change tracking, for readers that publish the totals (rekapd's public
 * listener): every apply or flag bumps the `rev` of each row it moves, so a
 * reader that remembers the rev it last rendered re-renders exactly the
 * rows that changed, without the writer doing anything more; and per TPS
 * the tally keeps whether a form is counted and flagged there, so a desa's
 * TPS can be listed from the tally alone. */
#ifndef REKAP_TALLY_H
#define REKAP_TALLY_H

#include <stdint.h>

#include "core/election.h"
#include "core/form.h"

typedef struct tally_row {
    uint32_t tps_expected;   /* TPS in this region where this ballot is cast */
    uint32_t tps_counted;    /* forms applied */
    uint32_t tps_flagged;    /* counted forms with SOFT flags */
    uint64_t dpt, voters;    /* registered (DPT+DPTb+DPK) and voted (B4) totals */
    uint64_t valid, invalid, total;
    uint32_t rev;            /* bumped by every apply and flag that moves this row */
} tally_row;

typedef struct tally {
    const election *el;      /* not owned */
    uint32_t nregion;        /* region nodes above TPS level */
    unsigned width[CONTEST_KINDS];
    tally_row *row[CONTEST_KINDS];  /* [nregion] */
    uint64_t *sel[CONTEST_KINDS];   /* [nregion * width] */
    /* per district: candidate votes (ballot order, lists concatenated), then
     * for party lists one party-only count per list */
    uint32_t *dist_off[CONTEST_KINDS]; /* [ndistrict + 1] offsets into dist */
    uint64_t *dist[CONTEST_KINDS];
    /* per TPS ([ntps]): forms applied and flags counted there, each 0 or 1
     * when the caller keeps one counted form per TPS and contest */
    uint8_t *tps_counted[CONTEST_KINDS];
    uint8_t *tps_flagged[CONTEST_KINDS];
} tally;

tally *tally_new(const election *el);
void tally_free(tally *t);
/* A copy of kind k of t alone (the other kinds are empty: reading them is
 * a bug), for a reader that changes its copy (recap_book_overlay) while t
 * moves on. The caller frees it with tally_free. */
tally *tally_clone_kind(const tally *t, contest_kind k);

/* 0 when form f can be applied to TPS index `tps`: that ballot is cast
 * there and the form has its exact shape; else ERR_INVALID. */
int tally_fits(const tally *t, const form *f, uint32_t tps);

/* Add (sign +1) or remove (sign -1) form f of TPS index `tps`. Returns
 * ERR_INVALID, changing nothing, when the form does not fit (tally_fits)
 * or sign is neither. */
int tally_apply(tally *t, const form *f, uint32_t tps, int sign);

/* Count (+1) or uncount (-1) a flagged form in the TPS's regions: +1 only
 * while a form is counted there (after tally_apply +1), -1 only what was
 * counted before (asserted). */
void tally_flag(tally *t, contest_kind k, uint32_t tps, int sign);

const tally_row *tally_region(const tally *t, contest_kind k, uint32_t region);
/* Votes per selection of a region: width[k] values. */
const uint64_t *tally_region_sel(const tally *t, contest_kind k, uint32_t region);
/* Candidate votes of district d in ballot order (lists concatenated for
 * party lists), followed for party lists by one party-only count per list. */
const uint64_t *tally_district(const tally *t, contest_kind k, uint32_t d, uint32_t *n);

#endif
