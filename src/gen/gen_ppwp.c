/* gen_ppwp — owns the PPWP outcome table ("kode,<pair 1>,<pair 2>,..."
 * per province) and its exact reproduction: each province's valid votes
 * are spread over its TPS in proportion to their natural turnout, within
 * what each TPS can hold, by sequential binomial draws clamped so the rest
 * always fits; each TPS's votes are then drawn pair by pair from what is
 * left of the province's "urn", clamped the same way, so every province
 * ends with exactly its row. See gen.h and gen_internal.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/csv.h"
#include "core/mem.h"
#include "gen/gen_internal.h"

#define PPWP_ROWS_MAX 100                 /* provinces in one table */
#define PPWP_VOTES_MAX 1000000000ULL      /* votes in one cell */

/* ---- the table ---------------------------------------------------------- */

static int table_fail(const csv_reader *r, err_info *e, int rc, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A table error at the record last read: GEN_PPWP_CSV, "source:line". */
static int table_fail(const csv_reader *r, err_info *e, int rc, const char *fmt, ...)
{
    char where[sizeof e->where], msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    csv_where(r, where, sizeof where);
    return err_set(e, rc, "GEN_PPWP_CSV", where, "%s", msg);
}

static int table_header(csv_reader *r, char **f, gen_ppwp_table *out, err_info *e)
{
    int nf = csv_next(r, f, ELECTION_CANDIDATES_MAX + 1, e);
    if (nf < 0)
        return nf;
    if (nf == 0 || strcasecmp(f[0], "kode") != 0)
        return table_fail(r, e, ERR_INVALID, "the header must start with \"kode\"");
    if (nf < 2)
        return table_fail(r, e, ERR_INVALID, "the header names no pair");
    out->npair = (unsigned)nf - 1;
    return 0;
}

static int table_row(csv_reader *r, char **f, int nf, gen_ppwp_table *out, err_info *e)
{
    char code[REGION_CODE_MAX];
    if (out->n == PPWP_ROWS_MAX)
        return table_fail(r, e, ERR_LIMIT, "more than %d rows", PPWP_ROWS_MAX);
    if (nf != (int)out->npair + 1)
        return table_fail(r, e, ERR_INVALID, "the row has %d fields, the header %u", nf,
                          out->npair + 1);
    if (region_code_normalise(f[0], code) < 0 || region_code_level(code) != REGION_PROVINCE)
        return table_fail(r, e, ERR_INVALID, "\"%.20s\" is not a province code", f[0]);
    for (size_t i = 0; i < out->n; i++)
        if (strcmp(out->prov[i], code) == 0)
            return table_fail(r, e, ERR_INVALID, "province %s has a second row", code);
    memcpy(out->prov[out->n], code, sizeof code);
    for (unsigned j = 0; j < out->npair; j++) {
        unsigned long long v;
        if (csv_uint(f[j + 1], PPWP_VOTES_MAX, &v) < 0)
            return table_fail(r, e, ERR_INVALID,
                              "\"%.20s\" (pair %u) is not a vote count up to %llu", f[j + 1],
                              j + 1, PPWP_VOTES_MAX);
        out->votes[out->n][j] = v;
    }
    out->n++;
    return 0;
}

/* The rows are few (one per province): room for the most is taken at once. */
int gen_ppwp_table_parse(const char *csv, size_t len, const char *source,
                         gen_ppwp_table *out, err_info *e)
{
    csv_reader *r = mem_alloc(sizeof *r);
    char *f[ELECTION_CANDIDATES_MAX + 1];
    memset(out, 0, sizeof *out);
    out->prov = mem_calloc(PPWP_ROWS_MAX, sizeof *out->prov);
    out->votes = mem_calloc(PPWP_ROWS_MAX, sizeof *out->votes);
    csv_init(r, csv, len, source);
    int rc = table_header(r, f, out, e);
    while (rc == 0) {
        int nf = csv_next(r, f, ELECTION_CANDIDATES_MAX + 1, e);
        if (nf <= 0) {
            rc = nf;
            break;
        }
        rc = table_row(r, f, nf, out, e);
    }
    free(r);
    if (rc < 0)
        gen_ppwp_table_free(out);
    return rc;
}

void gen_ppwp_table_free(gen_ppwp_table *t)
{
    free(t->prov);
    free(t->votes);
    memset(t, 0, sizeof *t);
}

/* ---- the plan ----------------------------------------------------------- */

/* x drawn as Binomial(n, p), clamped into [lo, hi]. */
static uint64_t draw_clamped(rng *r, uint64_t n, double p, uint64_t lo, uint64_t hi)
{
    uint64_t x = rng_binomial(r, (uint32_t)n, p > 1.0 ? 1.0 : p < 0.0 ? 0.0 : p);
    return x < lo ? lo : x > hi ? hi : x;
}

/* Per province: which table row (or -1), natural weight, capacity. */
typedef struct prov_acc {
    int row;
    uint64_t weight, cap, votes;
} prov_acc;

static size_t tps_prov(const election *el, const gen_prefs *pr, uint32_t i)
{
    uint32_t node = (uint32_t)(el->tree->level_start[REGION_TPS] + i);
    return region_ancestor(el->tree, node, REGION_PROVINCE) - pr->prov0;
}

static int plan_rows(const election *el, const gen_prefs *pr, const gen_ppwp_table *tab,
                     prov_acc *acc, err_info *e)
{
    const election_district *d =
        el->ndistrict[CONTEST_PPWP] ? &el->district[CONTEST_PPWP][0] : NULL;
    if (!d || tab->npair != d->ncand)
        return err_set(e, ERR_INVALID, "GEN_PPWP_PAIRS", "ppwp",
                       "the table has %u pairs, the presidential ballot %u", tab->npair,
                       d ? d->ncand : 0);
    for (size_t p = 0; p < pr->nprov; p++)
        acc[p].row = -1;
    for (size_t i = 0; i < tab->n; i++) {
        uint32_t p = region_find(el->tree, tab->prov[i]);
        if (p == REGION_NONE || el->tree->node[p].level != REGION_PROVINCE)
            return err_set(e, ERR_NOTFOUND, "GEN_PPWP_UNKNOWN", tab->prov[i],
                           "the PPWP table names province %s, which the regions lack",
                           tab->prov[i]);
        acc[p - pr->prov0].row = (int)i;
        for (unsigned j = 0; j < tab->npair; j++)
            acc[p - pr->prov0].votes += tab->votes[i][j];
    }
    return 0;
}

/* Every province with TPS needs its row, and its row must fit. */
static int plan_check(const election *el, const gen_prefs *pr, const prov_acc *acc,
                      err_info *e)
{
    for (size_t p = 0; p < pr->nprov; p++) {
        const region *r = &el->tree->node[pr->prov0 + p];
        if (acc[p].cap == 0)
            continue;
        if (acc[p].row < 0)
            return err_set(e, ERR_INVALID, "GEN_PPWP_MISSING", r->code,
                           "the PPWP table has no row for province %s (%s)", r->code,
                           r->name);
        if (acc[p].votes > acc[p].cap)
            return err_set(e, ERR_INVALID, "GEN_PPWP_CAPACITY", r->code,
                           "province %s: %llu valid votes do not fit its TPS (at most %llu)",
                           r->code, (unsigned long long)acc[p].votes,
                           (unsigned long long)acc[p].cap);
    }
    return 0;
}

/* Sequential spread of each province's votes over its TPS (in TPS order):
 * TPS i takes its weight's share of the votes left, randomly rounded (its
 * natural turnout already varies; more noise would only push full TPS
 * over their DPT), clamped so what remains still fits the TPS after it. */
static void plan_spread(gen_ppwp_plan *pl, const election *el, const gen_prefs *pr,
                        uint64_t seed, prov_acc *acc, const uint16_t *weight,
                        const uint16_t *cap)
{
    rng r;
    gen_stream(&r, seed, GEN_P_PPWP, 0);
    for (uint32_t i = 0; i < el->ntps; i++) {
        prov_acc *a = &acc[tps_prov(el, pr, i)];
        a->cap -= cap[i];
        uint64_t lo = a->votes > a->cap ? a->votes - a->cap : 0;
        uint64_t hi = a->votes < cap[i] ? a->votes : cap[i];
        double share = a->weight ? (double)a->votes * weight[i] / (double)a->weight
                                 : (double)a->votes;
        uint64_t x = (uint64_t)(share + rng_uniform(&r));
        x = x < lo ? lo : x > hi ? hi : x;
        pl->valid[i] = (uint16_t)x;
        a->votes -= x;
        a->weight -= weight[i];
    }
}

int gen_ppwp_plan_init(gen_ppwp_plan *pl, const election *el, const gen_prefs *pr,
                       uint64_t seed, const rng *tps_root, const gen_ppwp_table *tab,
                       err_info *e)
{
    memset(pl, 0, sizeof *pl);
    prov_acc *acc = mem_calloc(pr->nprov, sizeof *acc);
    int rc = plan_rows(el, pr, tab, acc, e);
    uint16_t *weight = mem_alloc((el->ntps + 1) * sizeof *weight);
    uint16_t *cap = mem_alloc((el->ntps + 1) * sizeof *cap);
    for (uint32_t i = 0; rc == 0 && i < el->ntps; i++) {
        rng r;
        gen_voters v;
        gen_tps_rng(&r, tps_root, el, i);
        gen_voters_draw(el, pr, i, &r, &v);
        weight[i] = v.b4.total;
        cap[i] = (uint16_t)gen_voters_capacity(el, &v);
        prov_acc *a = &acc[tps_prov(el, pr, i)];
        a->weight += weight[i];
        a->cap += cap[i];
    }
    if (rc == 0)
        rc = plan_check(el, pr, acc, e);
    if (rc == 0) {
        pl->npair = tab->npair;
        pl->valid = mem_alloc((el->ntps + 1) * sizeof *pl->valid);
        pl->urn = mem_calloc(pr->nprov * pl->npair + 1, sizeof *pl->urn);
        for (size_t p = 0; p < pr->nprov; p++)
            for (unsigned j = 0; acc[p].row >= 0 && j < pl->npair; j++)
                pl->urn[p * pl->npair + j] = tab->votes[acc[p].row][j];
        plan_spread(pl, el, pr, seed, acc, weight, cap);
    }
    free(acc);
    free(weight);
    free(cap);
    return rc;
}

void gen_ppwp_plan_free(gen_ppwp_plan *pl)
{
    free(pl->valid);
    free(pl->urn);
    memset(pl, 0, sizeof *pl);
}

/* Pair by pair: a binomial share of the TPS's votes left, with the pair's
 * chance its urn share times the local lean, clamped so the pairs after it
 * can still take the rest. */
void gen_ppwp_plan_split(gen_ppwp_plan *pl, const election *el, const gen_prefs *pr,
                         uint32_t tps, rng *r, const double *lean, uint16_t *votes)
{
    uint32_t node = (uint32_t)(el->tree->level_start[REGION_TPS] + tps);
    size_t kab = region_ancestor(el->tree, node, REGION_KABKOTA) - pr->kab0;
    uint64_t *urn = pl->urn + tps_prov(el, pr, tps) * pl->npair;
    const double *kl = pr->kab_lean + kab * pr->npair;
    uint64_t left = pl->valid[tps];
    double w[ELECTION_CANDIDATES_MAX], wsum = 0.0;
    uint64_t after = 0;
    for (unsigned j = 0; j < pl->npair; j++) {
        w[j] = (double)urn[j] * kl[j] * lean[j];
        wsum += w[j];
        after += urn[j];
    }
    for (unsigned j = 0; j < pl->npair; j++) {
        after -= urn[j];
        wsum -= w[j];
        uint64_t lo = left > after ? left - after : 0;
        uint64_t hi = left < urn[j] ? left : urn[j];
        uint64_t x = j + 1 == pl->npair
                         ? left
                         : draw_clamped(r, left, w[j] + wsum > 0 ? w[j] / (w[j] + wsum) : 0.0,
                                        lo, hi);
        votes[j] = (uint16_t)x;
        urn[j] -= x;
        left -= x;
    }
}
