/* gen_voters — owns section I of a generated C.Hasil, the voters: who is
 * registered (DPT, DPTb, DPK) and who came (B1..B4, disabled voters), drawn
 * once per TPS and shared by all its ballots, as on the real forms. Every
 * draw keeps the hard rules: each row's columns add up, B1..B3 stay within
 * their register column by column, and B4 leaves room for the ballots the
 * rules let the TPS receive (DPT + reserve, plus DPTb / DPK where the
 * election's rules add them). See gen_internal.h. */
#include <math.h>

#include "gen/gen_internal.h"

#define TURNOUT_TPS_SD 0.05   /* TPS around its kab/kota's turnout */
#define DPTB_SLOTS 4          /* DPTb per column ~ Binomial(4, 0.25) */
#define DPTB_P 0.25
#define DPTB_CAME 0.9         /* most voters who moved in do vote */
#define DPK_SLOTS 4           /* DPK per column ~ Binomial(4, 0.2) */
#define DPK_P 0.2
#define DISABLED_P 0.006
#define GROWTH_OF_DPT 2       /* with DPK allowed, B4 may reach 2 x DPT */

/* Ballot papers for DPT plus the reserve, rounded up (as rules.c checks). */
static unsigned dpt_ballots(const election *el, unsigned dpt)
{
    return (unsigned)(((unsigned long long)dpt * (1000 + el->rules.reserve_permille) + 999) /
                      1000);
}

static void lpt_sum(form_lpt *r)
{
    r->total = (uint16_t)(r->male + r->female);
}

/* Most B2 voters: all of DPTb when the rules send ballots for them, else
 * only what the reserve covers. */
static unsigned room_b2(const election *el, const gen_voters *v)
{
    unsigned reserve = dpt_ballots(el, v->dpt.total) - v->dpt.total;
    return el->rules.reserve_dptb || v->dptb.total < reserve ? v->dptb.total : reserve;
}

/* Most B3 voters without growing DPK. */
static unsigned room_b3(const election *el, const gen_voters *v)
{
    if (el->rules.reserve_dpk)
        return v->dpk.total;
    unsigned reserve = dpt_ballots(el, v->dpt.total) - v->dpt.total;
    unsigned used = el->rules.reserve_dptb ? 0 : room_b2(el, v);
    unsigned left = reserve > used ? reserve - used : 0;
    return v->dpk.total < left ? v->dpk.total : left;
}

/* Set row r to `total`, columns drawn in the proportion of `bound` and
 * kept within it column by column. */
static void lpt_fit(form_lpt *r, unsigned total, const form_lpt *bound, rng *g)
{
    unsigned lo = total > bound->female ? total - bound->female : 0;
    unsigned hi = total < bound->male ? total : bound->male;
    double p = bound->total ? (double)bound->male / bound->total : 0.5;
    unsigned m = rng_binomial(g, total, p);
    m = m < lo ? lo : m > hi ? hi : m;
    r->male = (uint16_t)m;
    r->female = (uint16_t)(total - m);
    r->total = (uint16_t)total;
}

static void voters_finish(gen_voters *v, rng *r)
{
    v->b4.male = (uint16_t)(v->b1.male + v->b2.male + v->b3.male);
    v->b4.female = (uint16_t)(v->b1.female + v->b2.female + v->b3.female);
    lpt_sum(&v->b4);
    v->disabled.male = (uint16_t)rng_binomial(r, v->b4.male, DISABLED_P);
    v->disabled.female = (uint16_t)rng_binomial(r, v->b4.female, DISABLED_P);
    lpt_sum(&v->disabled);
}

void gen_voters_draw(const election *el, const gen_prefs *pr, uint32_t tps, rng *r,
                     gen_voters *v)
{
    const election_tps *tp = &el->tps[tps];
    uint32_t node = (uint32_t)(el->tree->level_start[REGION_TPS] + tps);
    uint32_t kab = region_ancestor(el->tree, node, REGION_KABKOTA);
    double t = pr->kab_turnout[kab - pr->kab0] + TURNOUT_TPS_SD * rng_normal(r);
    t = t < 0.3 ? 0.3 : t > 0.99 ? 0.99 : t;

    v->dpt = (form_lpt){tp->dpt_male, tp->dpt_female, 0};
    lpt_sum(&v->dpt);
    v->dptb = (form_lpt){(uint16_t)rng_binomial(r, DPTB_SLOTS, DPTB_P),
                         (uint16_t)rng_binomial(r, DPTB_SLOTS, DPTB_P), 0};
    lpt_sum(&v->dptb);
    v->dpk = (form_lpt){(uint16_t)rng_binomial(r, DPK_SLOTS, DPK_P),
                        (uint16_t)rng_binomial(r, DPK_SLOTS, DPK_P), 0};
    lpt_sum(&v->dpk);
    v->b1 = (form_lpt){(uint16_t)rng_binomial(r, v->dpt.male, t),
                       (uint16_t)rng_binomial(r, v->dpt.female, t < 0.98 ? t + 0.01 : t), 0};
    lpt_sum(&v->b1);
    v->b2 = (form_lpt){(uint16_t)rng_binomial(r, v->dptb.male, DPTB_CAME),
                       (uint16_t)rng_binomial(r, v->dptb.female, DPTB_CAME), 0};
    lpt_sum(&v->b2);
    v->b3 = v->dpk; /* DPK are by definition the people who came to vote */
    unsigned b2 = room_b2(el, v), b3 = room_b3(el, v);
    if (v->b2.total > b2)
        lpt_fit(&v->b2, b2, &v->b2, r);
    if (v->b3.total > b3)
        lpt_fit(&v->b3, b3, &v->b3, r);
    voters_finish(v, r);
}

unsigned gen_voters_capacity(const election *el, const gen_voters *v)
{
    unsigned dpt = v->dpt.total, cap = dpt + room_b2(el, v);
    if (el->rules.reserve_dpk) {
        unsigned grown = GROWTH_OF_DPT * dpt;
        cap = cap + v->dpk.total > grown ? cap + v->dpk.total : grown;
    } else {
        cap += room_b3(el, v);
    }
    return cap > FORM_COUNT_MAX ? FORM_COUNT_MAX : cap;
}

/* Keep the natural B2 and B3 where they fit, let B1 take the rest up to
 * the DPT, then fill B2 and B3 to their room; DPK grows (when the rules
 * allow it) for what is left. b4 <= gen_voters_capacity. */
void gen_voters_fit(const election *el, unsigned b4, rng *r, gen_voters *v)
{
    unsigned dpt = v->dpt.total;
    unsigned b2 = v->b2.total < b4 ? v->b2.total : b4;
    unsigned b3 = v->b3.total < b4 - b2 ? v->b3.total : b4 - b2;
    unsigned b1 = b4 - b2 - b3;
    if (b1 > dpt) {
        unsigned over = b1 - dpt, room = room_b2(el, v) - b2;
        b1 = dpt;
        unsigned add = over < room ? over : room;
        b2 += add;
        b3 += over - add;
    }
    if (b3 > v->dpk.total) { /* only reachable with reserve_dpk */
        unsigned grow = b3 - v->dpk.total;
        unsigned gm = rng_binomial(r, grow, 0.5);
        v->dpk.male = (uint16_t)(v->dpk.male + gm);
        v->dpk.female = (uint16_t)(v->dpk.female + grow - gm);
        lpt_sum(&v->dpk);
    }
    lpt_fit(&v->b1, b1, &v->dpt, r);
    lpt_fit(&v->b2, b2, &v->dptb, r);
    lpt_fit(&v->b3, b3, &v->dpk, r);
    voters_finish(v, r);
}

/* Section II for one ballot: papers received (DPT + reserve, more when the
 * voters outnumber that, within the cap), used = B4, a few damaged. */
void gen_ballots(const election *el, const gen_voters *v, rng *r, form *f)
{
    unsigned base = dpt_ballots(el, v->dpt.total);
    if (base > FORM_COUNT_MAX)
        base = FORM_COUNT_MAX;
    unsigned cap = base + (el->rules.reserve_dptb ? v->dptb.total : 0) +
                   (el->rules.reserve_dpk ? v->dpk.total : 0);
    if (cap > FORM_COUNT_MAX)
        cap = FORM_COUNT_MAX;
    unsigned used = v->b4.total;
    unsigned damaged = rng_binomial(r, 6, 0.15);
    if (used + damaged > cap)
        damaged = cap - used;
    unsigned received = used + damaged > base ? used + damaged : base;
    f->received = (uint16_t)received;
    f->used = (uint16_t)used;
    f->damaged = (uint16_t)damaged;
    f->unused = (uint16_t)(received - used - damaged);
}
