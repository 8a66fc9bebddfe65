/* gen_prefs — owns the seeded "true" mood of the electorate behind
 * gen_forms: each party's and each pair's pull per province and kab/kota
 * (2024-like national shares, lognormal regional deviations), turnout per
 * kab/kota, the share of party-only votes, and each candidate's pull (low
 * ballot numbers draw more). Everything is keyed by region code or
 * district id, so a province generated alone votes as it does in the
 * national run. See gen_internal.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "gen/gen_internal.h"

#define PROV_PARTY_SD 0.5    /* lognormal deviation of a party in a province */
#define KAB_PARTY_SD 0.25    /* ... and in a kab/kota of it */
#define PROV_PAIR_SD 0.45
#define KAB_PAIR_SD 0.2
#define TURNOUT_NATIONAL 0.81
#define TURNOUT_OVERSEAS 0.6
#define TURNOUT_PROV_SD 0.04
#define TURNOUT_KAB_SD 0.03
#define PARTY_ONLY_MIN 0.2   /* party-only votes 20..40% of a party's votes */
#define PARTY_ONLY_SPAN 0.2
#define CAND_RANK_POWER 0.9  /* pull of number n ~ n^-0.9 */
#define CAND_PULL_SD 0.6
#define DPD_PULL_SD 0.8

void gen_tps_rng(rng *out, const rng *tps_root, const election *el, uint32_t tps)
{
    rng_fork(out, tps_root, gen_code_key(election_tps_region(el, tps)->code));
}

static double lognormal(rng *r, double sd)
{
    return exp(sd * rng_normal(r));
}

static double pair_share(const gen_prefs *pr, unsigned j)
{
    return pr->npair == gen_npairs ? gen_pair_shares[j] : 1.0;
}

/* Province-level pulls into prov_party / prov_pair / turnout (scratch),
 * then each kab/kota's own deviation on top. */
typedef struct prov_mood {
    double party[ELECTION_PARTY_MAX + 1];
    double pair[ELECTION_CANDIDATES_MAX];
    double turnout;
} prov_mood;

static void prov_draw(gen_prefs *pr, const election *el, uint64_t seed, size_t p,
                      prov_mood *m)
{
    const region *r = &el->tree->node[pr->prov0 + p];
    rng g;
    gen_stream(&g, seed, GEN_P_PREFS, gen_code_key(r->code));
    for (unsigned i = 0; i < pr->nparty; i++) {
        m->party[i] = gen_party_share(el->party[i].no) * lognormal(&g, PROV_PARTY_SD);
        pr->prov_only[p * pr->nparty + i] = PARTY_ONLY_MIN + PARTY_ONLY_SPAN * rng_uniform(&g);
    }
    for (unsigned j = 0; j < pr->npair; j++)
        m->pair[j] = pair_share(pr, j) * lognormal(&g, PROV_PAIR_SD);
    int overseas = strcmp(r->code, REGION_OVERSEAS) == 0;
    m->turnout = (overseas ? TURNOUT_OVERSEAS : TURNOUT_NATIONAL) +
                 TURNOUT_PROV_SD * rng_normal(&g);
}

static void kab_draw(gen_prefs *pr, const election *el, uint64_t seed, size_t k,
                     const prov_mood *m)
{
    const region *r = &el->tree->node[pr->kab0 + k];
    rng g;
    gen_stream(&g, seed, GEN_P_PREFS, gen_code_key(r->code));
    for (unsigned i = 0; i < pr->nparty; i++)
        pr->kab_party[k * pr->nparty + i] = m->party[i] * lognormal(&g, KAB_PARTY_SD);
    for (unsigned j = 0; j < pr->npair; j++) {
        double lean = lognormal(&g, KAB_PAIR_SD);
        pr->kab_lean[k * pr->npair + j] = lean;
        pr->kab_pair[k * pr->npair + j] = m->pair[j] * lean;
    }
    double t = m->turnout + TURNOUT_KAB_SD * rng_normal(&g);
    pr->kab_turnout[k] = t < 0.4 ? 0.4 : t > 0.97 ? 0.97 : t;
}

static void regions_draw(gen_prefs *pr, const election *el, uint64_t seed)
{
    const region_tree *t = el->tree;
    prov_mood *mood = mem_alloc(pr->nprov * sizeof *mood);
    for (size_t p = 0; p < pr->nprov; p++)
        prov_draw(pr, el, seed, p, &mood[p]);
    for (size_t k = 0; k < pr->nkab; k++)
        kab_draw(pr, el, seed, k, &mood[t->node[pr->kab0 + k].parent - pr->prov0]);
    free(mood);
}

/* Cumulative pulls of n candidates from `at`: rank-skewed for party lists,
 * flat but spread for DPD. */
static void cand_pulls(rng *g, unsigned n, int ranked, double *at)
{
    double acc = 0.0;
    for (unsigned c = 0; c < n; c++) {
        double w = ranked ? pow(c + 1.0, -CAND_RANK_POWER) * lognormal(g, CAND_PULL_SD)
                          : lognormal(g, DPD_PULL_SD);
        acc += w;
        at[c] = acc;
    }
}

static size_t district_cands(const election_district *d)
{
    size_t n = d->ncand;
    for (size_t l = 0; l < d->nlist; l++)
        n += d->list[l].ncand;
    return n;
}

static void candidates_draw(gen_prefs *pr, const election *el, uint64_t seed, int k)
{
    uint32_t nd = el->ndistrict[k];
    size_t *off = mem_alloc((nd + 1) * sizeof *off);
    off[0] = 0;
    for (uint32_t d = 0; d < nd; d++)
        off[d + 1] = off[d] + district_cands(&el->district[k][d]);
    double *cum = mem_alloc((off[nd] ? off[nd] : 1) * sizeof *cum);
    for (uint32_t d = 0; d < nd; d++) {
        const election_district *ds = &el->district[k][d];
        rng g;
        gen_stream(&g, seed, GEN_P_CAND_WEIGHT, gen_text_key(ds->id));
        size_t at = off[d];
        cand_pulls(&g, ds->ncand, 0, cum + at);
        at += ds->ncand;
        for (size_t l = 0; l < ds->nlist; l++) {
            cand_pulls(&g, ds->list[l].ncand, 1, cum + at);
            at += ds->list[l].ncand;
        }
    }
    pr->cand_off[k] = off;
    pr->cand_cum[k] = cum;
}

void gen_prefs_init(gen_prefs *pr, const election *el, uint64_t seed)
{
    const region_tree *t = el->tree;
    memset(pr, 0, sizeof *pr);
    pr->prov0 = t->level_start[REGION_PROVINCE];
    pr->nprov = t->level_start[REGION_PROVINCE + 1] - pr->prov0;
    pr->kab0 = t->level_start[REGION_KABKOTA];
    pr->nkab = t->level_start[REGION_KABKOTA + 1] - pr->kab0;
    pr->nparty = el->nparty;
    for (size_t i = 0; i <= ELECTION_PARTY_MAX; i++)
        pr->party_idx[i] = -1;
    for (unsigned i = 0; i < el->nparty; i++)
        pr->party_idx[el->party[i].no] = (int16_t)i;
    pr->npair = el->ndistrict[CONTEST_PPWP] ? el->district[CONTEST_PPWP][0].ncand : 0;
    pr->kab_party = mem_calloc(pr->nkab * pr->nparty + 1, sizeof *pr->kab_party);
    pr->prov_only = mem_calloc(pr->nprov * pr->nparty + 1, sizeof *pr->prov_only);
    pr->kab_pair = mem_calloc(pr->nkab * pr->npair + 1, sizeof *pr->kab_pair);
    pr->kab_lean = mem_calloc(pr->nkab * pr->npair + 1, sizeof *pr->kab_lean);
    pr->kab_turnout = mem_calloc(pr->nkab + 1, sizeof *pr->kab_turnout);
    regions_draw(pr, el, seed);
    for (int k = 0; k < CONTEST_KINDS; k++)
        candidates_draw(pr, el, seed, k);
}

void gen_prefs_free(gen_prefs *pr)
{
    free(pr->kab_party);
    free(pr->prov_only);
    free(pr->kab_pair);
    free(pr->kab_lean);
    free(pr->kab_turnout);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        free(pr->cand_off[k]);
        free(pr->cand_cum[k]);
    }
    memset(pr, 0, sizeof *pr);
}
