/* gen_internal — what the generator's files share with each other and with
 * its unit test; not an interface for the rest of the project (gen.h is).
 *
 *   gen_util.c      random streams keyed by region code, vote splitting
 *   gen_district.c  the generic districting steps: apportion seats, split an
 *                   ordered list of units into balanced groups, choose how
 *                   many districts each area gets
 *   gen_names.c     synthetic Indonesian personal names
 *   gen_parties.c   the 2024 parties and presidential pairs
 *   gen_population.c population per desa, DPT, TPS per desa and overseas
 *   gen_contests.c  the five contests: districts, seats, candidate lists
 *   gen_election.c  gen_election: the steps above in order
 *   gen_prefs.c     the seeded voting preferences behind gen_forms
 *   gen_voters.c    the voters and ballot-paper sections of a form
 *   gen_forms.c     gen_forms: every TPS's true C.Hasil
 *   gen_ppwp.c      the PPWP outcome table and its exact reproduction */
#ifndef REKAP_GEN_INTERNAL_H
#define REKAP_GEN_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "core/rng.h"
#include "gen/gen.h"

/* ---- streams (gen_util.c) ---------------------------------------------- */

/* Each purpose draws from its own stream, keyed further by a region code or
 * a district id: a province generated alone (scope) draws exactly the
 * numbers it draws inside the national run. */
enum gen_purpose {
    GEN_P_POPULATION = 1, /* desa weights, per kab/kota */
    GEN_P_OVERSEAS,       /* overseas TPS and their DPT */
    GEN_P_LISTS,          /* list lengths and candidates, per district */
    GEN_P_PREFS,          /* voting preferences, per province / kab/kota */
    GEN_P_CAND_WEIGHT,    /* candidates' pull, per district */
    GEN_P_TPS,            /* one TPS's forms, per TPS code */
    GEN_P_PPWP,           /* the PPWP table's spread over TPS */
};

void gen_stream(rng *out, uint64_t seed, uint64_t purpose, uint64_t key);
/* A region code as a number (13 digits fit), the key of its stream. */
uint64_t gen_code_key(const char *code);
/* FNV-1a of a string: the key of a district's stream. */
uint64_t gen_text_key(const char *s);

/* Split n votes over k selections with cumulative weights cum[0..k)
 * (cum[k-1] > 0) into out[0..k): a multinomial draw. k <= GEN_SPLIT_MAX. */
#define GEN_SPLIT_MAX 128
void gen_split(rng *r, unsigned n, const double *cum, unsigned k, uint16_t *out);

/* Uppercase ASCII copy of s into buf. */
void gen_upper(const char *s, char *buf, size_t cap);

/* ---- districting (gen_district.c) -------------------------------------- */

/* Allocate `total` over n shares in proportion to weight[] (clamped to
 * [lo, hi] each, largest remainder): out[] sums to total exactly. Weights
 * are non-negative; all-zero weights count as equal. ERR_INVALID when
 * n*lo > total or n*hi < total. */
int gen_apportion(const double *weight, size_t n, unsigned total, unsigned lo,
                  unsigned hi, unsigned *out);

/* Split units 0..n-1 (in their order, with populations pop[]) into k
 * consecutive non-empty groups whose populations are as equal as possible
 * (least squares, exact by dynamic programming, O(k n^2)): group g is
 * [start[g], start[g+1]), start[0] = 0, start[k] = n. 1 <= k <= n. */
void gen_partition(const double *pop, size_t n, unsigned k, size_t *start);

/* How many districts each of n areas gets: counts[i] within [kmin[i],
 * kmax[i]] (kmin <= kmax), summing to `target` when the bounds allow it
 * (else as near as they allow), near seats[i]*target/sum(seats), taking
 * and giving where districts are largest / smallest. Returns the sum. */
unsigned gen_choose_counts(const unsigned *seats, const unsigned *kmin,
                           const unsigned *kmax, size_t n, unsigned target,
                           unsigned *counts);

/* ---- names (gen_names.c) ----------------------------------------------- */

#define GEN_NAME_MAX 96
/* A person's name as printed on a ballot (titles included now and then),
 * with a regional flavour for province `prov` (2-digit code). */
void gen_person_name(rng *r, char sex, const char *prov, char *buf, size_t cap);

/* ---- parties and pairs (gen_parties.c) --------------------------------- */

typedef struct gen_party_def {
    uint16_t no;
    const char *abbrev, *name;
    const char *only_in;  /* NULL or a province code */
    double share;         /* national vote share in percent (2024-like) */
} gen_party_def;

extern const gen_party_def gen_party_defs[];
extern const size_t gen_party_ndefs;
extern const char *const gen_pair_names[];
extern const double gen_pair_shares[];
extern const size_t gen_npairs;
/* Vote share of party `no` (1.0 for a party the table does not know). */
double gen_party_share(unsigned no);

/* ---- building the election (gen_population.c, gen_contests.c) ---------- */

typedef struct gen_build {
    region_tree *t;
    const gen_params *p;
    uint32_t scope;      /* province index, or REGION_NONE for the nation */
    uint32_t overseas;   /* index of "99", or REGION_NONE */
    size_t nbase;        /* nodes above the TPS level (indices stay valid) */
    uint32_t *pop;       /* population of every node < nbase, both sexes */
    /* per desa (index - level_start[DESA]) */
    uint32_t *dpt_m, *dpt_f;
    uint16_t *ntps;
    double capacity;     /* the national voters-per-TPS step */
    election *el;
    size_t dcap[CONTEST_KINDS]; /* capacity of el->district[k] */
} gen_build;

/* Within scope: the node lies in the scope province (or no scope). */
int gen_in_scope(const gen_build *b, uint32_t node);
/* The nodes at `level` under `node`: [*lo, *hi) of the level's range. */
void gen_level_range(const region_tree *t, uint32_t node, int level, size_t *lo,
                     size_t *hi);

int gen_population(gen_build *b, err_info *e);   /* pop, DPT, TPS per desa */
int gen_add_tps(gen_build *b, err_info *e);      /* TPS nodes of the scope */
void gen_fill_tps(gen_build *b);                 /* el->tps voters */
void gen_parties(gen_build *b);
void gen_ppwp_contest(gen_build *b);
int gen_legislative(gen_build *b, err_info *e);  /* DPR, DPRD provinsi, kab/kota */
void gen_dpd(gen_build *b);

/* Election-wide constants of 2024 the generator reproduces. */
#define GEN_DPR_SEATS 580
#define GEN_DPR_DISTRICTS 84
#define GEN_DPRD_PROV_DISTRICTS 301
#define GEN_DPRD_KAB_DISTRICTS 2325
#define GEN_DPD_SEATS 4

/* ---- forms (gen_prefs.c, gen_voters.c, gen_ppwp.c) --------------------- */

typedef struct gen_prefs {
    size_t prov0, nprov;   /* province level range of the tree */
    size_t kab0, nkab;     /* kab/kota level range */
    unsigned nparty;
    int16_t party_idx[ELECTION_PARTY_MAX + 1]; /* party number -> index, -1 */
    double *kab_party;     /* [nkab][nparty] base weight of each party */
    double *prov_only;     /* [nprov][nparty] share of party-only votes */
    unsigned npair;
    double *kab_pair;      /* [nkab][npair] base weight of each pair */
    double *kab_lean;      /* [nkab][npair] the kab/kota's own lean alone */
    double *kab_turnout;   /* [nkab] expected turnout */
    /* candidates' cumulative pull, per kind: district d's candidates (lists
     * one after the other) start at cand_off[k][d] in cand_cum[k] */
    size_t *cand_off[CONTEST_KINDS];
    double *cand_cum[CONTEST_KINDS];
} gen_prefs;

void gen_prefs_init(gen_prefs *pr, const election *el, uint64_t seed);
void gen_prefs_free(gen_prefs *pr);
/* TPS i's own stream (forked from the forms' root by its code): its voters
 * are drawn from it first. */
void gen_tps_rng(rng *out, const rng *tps_root, const election *el, uint32_t tps);

/* The PPWP table applied to one election: valid votes per TPS, then per
 * pair from each province's urn. */
typedef struct gen_ppwp_plan {
    uint16_t *valid;       /* [ntps] PPWP valid votes of each TPS */
    uint64_t *urn;         /* [nprov][npair] votes left per province and pair */
    unsigned npair;
} gen_ppwp_plan;

/* What gen_forms knows of a TPS before its votes: its voters section drawn
 * from the TPS's stream (the same draw in the plan and in the forms). */
typedef struct gen_voters {
    form_lpt dpt, dptb, dpk, b1, b2, b3, b4, disabled;
} gen_voters;

void gen_voters_draw(const election *el, const gen_prefs *pr, uint32_t tps, rng *r,
                     gen_voters *v);
/* Most voters (B4) the TPS of v can take within every hard rule (DPK may
 * grow to absorb a PPWP target above the natural turnout). */
unsigned gen_voters_capacity(const election *el, const gen_voters *v);
/* Re-draw v's voters so B4 is exactly b4 (<= gen_voters_capacity). */
void gen_voters_fit(const election *el, unsigned b4, rng *r, gen_voters *v);
/* Section II (ballot papers) of one ballot for the voters v. */
void gen_ballots(const election *el, const gen_voters *v, rng *r, form *f);

int gen_ppwp_plan_init(gen_ppwp_plan *pl, const election *el, const gen_prefs *pr,
                       uint64_t seed, const rng *tps_root, const gen_ppwp_table *tab,
                       err_info *e);
void gen_ppwp_plan_free(gen_ppwp_plan *pl);
/* Split TPS `tps`'s planned valid votes over the pairs from its province's
 * urn, leaning by its kab/kota's lean times lean[] (the TPS's own). */
void gen_ppwp_plan_split(gen_ppwp_plan *pl, const election *el, const gen_prefs *pr,
                         uint32_t tps, rng *r, const double *lean, uint16_t *votes);

#endif
