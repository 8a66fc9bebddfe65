/* gen_forms — owns the generation of every TPS's true C.Hasil: per TPS one
 * voters section (gen_voters.c), then for each ballot cast there the
 * papers, the invalid votes and the valid votes split over the selections
 * from the seeded preferences (gen_prefs.c) with the TPS's own noise, or
 * for PPWP from the outcome table (gen_ppwp.c). One form struct is reused,
 * so nothing is allocated per form. Each TPS and each of its ballots draw
 * from their own streams, so asking for fewer contests does not change the
 * forms of the others. See gen.h. */
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "gen/gen_internal.h"

#define TPS_LEAN_MIN 0.5      /* a TPS's lean for a party: x 0.5 .. 1.5 */
#define BALLOT_LEAN_MIN 0.85  /* ... and per ballot: x 0.85 .. 1.15 */
#define BALLOT_LEAN_SPAN 0.3

/* Invalid votes per ballot kind (share of those who voted). */
static const double invalid_rate[CONTEST_KINDS] = {
    [CONTEST_PPWP] = 0.02, [CONTEST_DPR] = 0.03, [CONTEST_DPD] = 0.03,
    [CONTEST_DPRD_PROV] = 0.03, [CONTEST_DPRD_KAB] = 0.03,
};

typedef struct forms_run {
    const election *el;
    gen_prefs pr;
    gen_ppwp_plan plan;
    int with_plan;
    rng tps_root;
    form *f;
    rng tps_rng;               /* the TPS's stream as it starts: ballots fork it */
    /* the TPS being generated */
    uint32_t tps;
    size_t prov, kab;          /* indices into the preference tables */
    gen_voters v;
    unsigned ppwp_invalid;     /* PPWP invalid votes fixed by the plan */
    double party_lean[ELECTION_PARTY_MAX + 1];
    double pair_lean[ELECTION_CANDIDATES_MAX];
} forms_run;

/* Invalid votes among n ballots of kind k: the kind's rate times a
 * per-form factor 0.5..1.5. */
static unsigned draw_invalid(rng *r, unsigned n, contest_kind k)
{
    return rng_binomial(r, n, invalid_rate[k] * (0.5 + rng_uniform(r)));
}

/* ---- the votes of each kind --------------------------------------------- */

static void votes_ppwp(forms_run *run, const election_district *d, rng *r, unsigned valid)
{
    form *f = run->f;
    double cum[ELECTION_CANDIDATES_MAX], acc = 0.0;
    if (run->with_plan) {
        gen_ppwp_plan_split(&run->plan, run->el, &run->pr, run->tps, r, run->pair_lean,
                            f->votes);
    } else {
        const double *base = run->pr.kab_pair + run->kab * run->pr.npair;
        for (unsigned j = 0; j < d->ncand; j++) {
            acc += base[j] * run->pair_lean[j];
            cum[j] = acc;
        }
        gen_split(r, valid, cum, d->ncand, f->votes);
    }
    f->nvotes = d->ncand;
}

static void votes_dpd(forms_run *run, const election_district *d, rng *r, unsigned valid)
{
    uint32_t di = (uint32_t)(d - run->el->district[CONTEST_DPD]);
    const double *cum = run->pr.cand_cum[CONTEST_DPD] + run->pr.cand_off[CONTEST_DPD][di];
    gen_split(r, valid, cum, d->ncand, run->f->votes);
    run->f->nvotes = d->ncand;
}

/* Party lists: valid votes over the parties, then each party's over
 * party-only and its candidates. */
static void votes_lists(forms_run *run, const election_district *d, rng *r, unsigned valid)
{
    form *f = run->f;
    const gen_prefs *pr = &run->pr;
    double cum[FORM_PARTIES_MAX], acc = 0.0;
    uint16_t total[FORM_PARTIES_MAX];
    for (unsigned l = 0; l < d->nlist; l++) {
        int pi = pr->party_idx[d->list[l].party];
        acc += pr->kab_party[run->kab * pr->nparty + (size_t)pi] * run->party_lean[pi] *
               (BALLOT_LEAN_MIN + BALLOT_LEAN_SPAN * rng_uniform(r));
        cum[l] = acc;
    }
    gen_split(r, valid, cum, d->nlist, total);
    uint32_t di = (uint32_t)(d - run->el->district[d->kind]);
    const double *ccum = pr->cand_cum[d->kind] + pr->cand_off[d->kind][di];
    unsigned at = 0;
    for (unsigned l = 0; l < d->nlist; l++) {
        const election_list *li = &d->list[l];
        int pi = pr->party_idx[li->party];
        form_party *p = &f->party[l];
        double only_share = pr->prov_only[run->prov * pr->nparty + (size_t)pi];
        unsigned only = rng_binomial(r, total[l], only_share);
        p->no = li->party;
        p->total = total[l];
        p->party_only = (uint16_t)only;
        p->ncand = li->ncand;
        p->cand = (uint16_t)at;
        gen_split(r, total[l] - only, ccum + at, li->ncand, f->votes + at);
        at += li->ncand;
    }
    f->nparty = d->nlist;
    f->nvotes = (uint16_t)at;
}

/* ---- one form ----------------------------------------------------------- */

static void form_voters(form *f, const gen_voters *v)
{
    f->dpt = v->dpt;
    f->dptb = v->dptb;
    f->dpk = v->dpk;
    f->b1 = v->b1;
    f->b2 = v->b2;
    f->b3 = v->b3;
    f->b4 = v->b4;
    f->disabled = v->disabled;
}

static void form_build(forms_run *run, contest_kind k, const election_district *d)
{
    form *f = run->f;
    const region *reg = election_tps_region(run->el, run->tps);
    rng r;
    rng_fork(&r, &run->tps_rng, (uint64_t)k);
    memcpy(f->tps, reg->code, sizeof f->tps);
    f->kind = k;
    form_voters(f, &run->v);
    gen_ballots(run->el, &run->v, &r, f);
    unsigned b4 = run->v.b4.total;
    unsigned invalid = k == CONTEST_PPWP && run->with_plan ? run->ppwp_invalid
                                                           : draw_invalid(&r, b4, k);
    unsigned valid = b4 - invalid;
    f->nparty = 0;
    if (k == CONTEST_PPWP)
        votes_ppwp(run, d, &r, valid);
    else if (k == CONTEST_DPD)
        votes_dpd(run, d, &r, valid);
    else
        votes_lists(run, d, &r, valid);
    f->valid = (uint16_t)valid;
    f->invalid = (uint16_t)invalid;
    f->total = (uint16_t)b4;
}

/* ---- one TPS ------------------------------------------------------------ */

/* Voters first (from the TPS's stream, as the plan drew them), then with a
 * PPWP plan B4 is set to the plan's valid votes plus the invalid ones. */
static void tps_begin(forms_run *run, uint32_t i)
{
    const region_tree *t = run->el->tree;
    uint32_t node = (uint32_t)(t->level_start[REGION_TPS] + i);
    rng r;
    run->tps = i;
    run->kab = region_ancestor(t, node, REGION_KABKOTA) - run->pr.kab0;
    run->prov = region_ancestor(t, node, REGION_PROVINCE) - run->pr.prov0;
    gen_tps_rng(&run->tps_rng, &run->tps_root, run->el, i);
    r = run->tps_rng;
    gen_voters_draw(run->el, &run->pr, i, &r, &run->v);
    for (unsigned p = 0; p < run->pr.nparty; p++)
        run->party_lean[p] = TPS_LEAN_MIN + rng_uniform(&r);
    for (unsigned j = 0; j < run->pr.npair; j++)
        run->pair_lean[j] = TPS_LEAN_MIN + rng_uniform(&r);
    if (run->with_plan) {
        unsigned valid = run->plan.valid[i], cap = gen_voters_capacity(run->el, &run->v);
        unsigned inv = draw_invalid(&r, valid, CONTEST_PPWP);
        if (valid + inv > cap)
            inv = cap - valid;
        run->ppwp_invalid = inv;
        gen_voters_fit(run->el, valid + inv, &r, &run->v);
    }
}

static int tps_forms(forms_run *run, uint32_t i, unsigned kinds, gen_form_sink sink,
                     void *ctx)
{
    tps_begin(run, i);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        const election_district *d = election_tps_district(run->el, i, (contest_kind)k);
        if (!d || !(kinds & (1u << k)))
            continue;
        form_build(run, (contest_kind)k, d);
        int rc = sink(ctx, run->f);
        if (rc)
            return rc;
    }
    return 0;
}

/* A ballot too big for a C.Hasil (a hand-written election may have one). */
static int check_shapes(const election *el, unsigned kinds, err_info *e)
{
    for (int k = 0; k < CONTEST_KINDS; k++) {
        if (!(kinds & (1u << k)))
            continue;
        for (uint32_t i = 0; i < el->ndistrict[k]; i++) {
            const election_district *d = &el->district[k][i];
            size_t n = d->ncand;
            for (size_t l = 0; l < d->nlist; l++)
                n += d->list[l].ncand;
            if (d->nlist > FORM_PARTIES_MAX || n > FORM_SELECTIONS_MAX ||
                d->ncand > GEN_SPLIT_MAX)
                return err_set(e, ERR_LIMIT, "GEN_BALLOT_SIZE", d->id,
                               "district %s has %u lists and %zu candidates, more than "
                               "a form holds",
                               d->id, d->nlist, n);
        }
    }
    return 0;
}

int gen_forms(const election *el, uint64_t seed, unsigned kinds,
              const gen_ppwp_table *ppwp, gen_form_sink sink, void *ctx, err_info *e)
{
    kinds &= (1u << CONTEST_KINDS) - 1;
    int rc = check_shapes(el, kinds, e);
    if (rc < 0)
        return rc;
    forms_run *run = mem_calloc(1, sizeof *run);
    run->el = el;
    gen_prefs_init(&run->pr, el, seed);
    gen_stream(&run->tps_root, seed, GEN_P_TPS, 0);
    if (ppwp) {
        rc = gen_ppwp_plan_init(&run->plan, el, &run->pr, seed, &run->tps_root, ppwp, e);
        run->with_plan = rc == 0;
    }
    run->f = mem_calloc(1, sizeof *run->f);
    for (uint32_t i = 0; rc == 0 && i < el->ntps; i++)
        rc = tps_forms(run, i, kinds, sink, ctx);
    gen_ppwp_plan_free(&run->plan);
    gen_prefs_free(&run->pr);
    free(run->f);
    free(run);
    return rc;
}
