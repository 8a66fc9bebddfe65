/* gen — synthetic but realistic elections for tests, demos and benchmarks.
 *
 * gen_election() turns the master data (the region tree with populations)
 * into a full election definition: TPS per desa from population, overseas
 * TPS, parties, presidential pairs, dapils with seats for DPR, DPRD
 * provinsi and DPRD kab/kota, DPD per province, candidate lists.
 * gen_forms() writes every TPS's true C.Hasil for a seeded outcome,
 * optionally with the PPWP result per province taken from a CSV.
 * Both are deterministic for a given seed and input. */
#ifndef REKAP_GEN_H
#define REKAP_GEN_H

#include <stddef.h>
#include <stdint.h>

#include "core/election.h"
#include "core/err.h"
#include "core/form.h"
#include "core/region.h"

typedef struct gen_params {
    uint64_t seed;
    const char *scope;    /* NULL or "0": the whole nation with overseas; else a
                             province code ("31"): only that province (demo) */
    double dpt_ratio;     /* registered voters / population, 0.72 */
    unsigned tps_domestic;/* target number of domestic TPS nationally, 820161 */
    unsigned tps_overseas;/* overseas TPS, 3059 */
} gen_params;

void gen_params_default(gen_params *p);

/* Build the election. Takes ownership of `tree` (the master data: regions
 * down to desa, overseas included, with kab/kota populations), adds TPS to
 * it and hands it to the election. On error frees the tree; e->code is
 * GEN_PARAMS (a parameter out of range), GEN_SCOPE (ERR_NOTFOUND: the scope
 * is not a province of the tree), GEN_TREE (the tree already has TPS),
 * GEN_POPULATION (a kab/kota with desa but no population), GEN_DISTRICTS
 * (seats or regions too few to district), or one of region_* / election_link
 * (ELECTION_*). */
int gen_election(region_tree *tree, const gen_params *p, election **out, err_info *e);

/* PPWP outcome per province: votes[i][j] for province code prov[i] and pair
 * j (ballot order). Parsed from a CSV "kode,<pair 1>,<pair 2>,..." (header
 * required, one row per province, at most 100 rows, each count up to 10^9).
 * Errors: the csv reader's (CSV_*), else GEN_PPWP_CSV with e->where
 * "source:line" (no or bad header, a row with another number of fields, a
 * code that is not a province code, a province twice, a bad count; ERR_LIMIT
 * for too many rows). On error *out is empty. */
typedef struct gen_ppwp_table {
    size_t n;
    char (*prov)[REGION_CODE_MAX];
    uint64_t (*votes)[ELECTION_CANDIDATES_MAX];
    unsigned npair;
} gen_ppwp_table;

int gen_ppwp_table_parse(const char *csv, size_t len, const char *source,
                         gen_ppwp_table *out, err_info *e);
void gen_ppwp_table_free(gen_ppwp_table *t);

/* Called once per generated form, in TPS order then contest order; a
 * non-zero return stops generation and is returned. */
typedef int (*gen_form_sink)(void *ctx, const form *f);

/* Generate the true C.Hasil of every TPS for the contests in `kinds`
 * (bit 1<<kind; other bits ignored). Every form passes every HARD rule of
 * rules.h under the election's rules. The forms of one contest do not
 * depend on which other contests are asked for. With `ppwp` given, the
 * PPWP votes of every province with TPS sum exactly to its row per pair
 * (rows of provinces without TPS are ignored); the voters sections of all
 * ballots follow the PPWP turnout. Errors (nothing sunk): ERR_INVALID with
 * GEN_PPWP_CAPACITY when a row cannot fit the province's TPS,
 * GEN_PPWP_MISSING when a province with TPS has no row, GEN_PPWP_PAIRS when
 * the table's pairs differ from the ballot's; ERR_NOTFOUND GEN_PPWP_UNKNOWN
 * for a row naming no province of the tree; ERR_LIMIT GEN_BALLOT_SIZE for a
 * ballot larger than a form holds. */
int gen_forms(const election *el, uint64_t seed, unsigned kinds,
              const gen_ppwp_table *ppwp, gen_form_sink sink, void *ctx,
              err_info *e);

#endif
