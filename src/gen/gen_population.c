/* gen_population — owns where the voters live: each kab/kota's population
 * spread over its desa (the master data stops at kab/kota), the registered
 * voters (DPT) per desa, the one national voters-per-TPS step that turns
 * them into the target number of TPS, the overseas TPS, and the TPS nodes
 * and their DPT. See gen_internal.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "gen/gen_internal.h"

#define TPS_MAX_DPT 300          /* PKPU: at most 300 voters per TPS */
#define TPS_PER_DESA_MAX 999     /* TPS numbers have three digits */
#define DESA_SPREAD_SIGMA 0.6    /* lognormal spread of desa sizes */
#define KELURAHAN_FACTOR 2.5     /* urban kelurahan (1xxx) are larger */
#define OVERSEAS_DPT_MIN 100
#define OVERSEAS_DPT_SPAN 201    /* 100..300 voters per overseas TPS */

int gen_in_scope(const gen_build *b, uint32_t node)
{
    return b->scope == REGION_NONE || region_is_within(b->t, node, b->scope);
}

void gen_level_range(const region_tree *t, uint32_t node, int level, size_t *lo,
                     size_t *hi)
{
    size_t a = t->level_start[level], z = t->level_start[level + 1];
    const char *code = t->node[node].code;
    size_t len = strlen(code);
    if (t->node[node].level == REGION_NATIONAL) {
        *lo = a;
        *hi = z;
        return;
    }
    size_t l = a, h = z;
    while (l < h) { /* first code not below the prefix */
        size_t m = l + (h - l) / 2;
        if (strncmp(t->node[m].code, code, len) < 0)
            l = m + 1;
        else
            h = m;
    }
    *lo = l;
    h = z;
    while (l < h) { /* first code past the prefix */
        size_t m = l + (h - l) / 2;
        if (strncmp(t->node[m].code, code, len) <= 0)
            l = m + 1;
        else
            h = m;
    }
    *hi = l;
}

static int is_overseas(const region *r)
{
    return strncmp(r->code, REGION_OVERSEAS, 2) == 0;
}

/* ---- population and DPT per desa --------------------------------------- */

/* Split `total` over n parts by cumulative weights cw (cw[n-1] > 0) as
 * integers summing exactly: part i is round(total*cw[i]/W) minus the same
 * for i-1. */
static void split_cumulative(uint32_t total, const double *cw, size_t n, uint32_t *out)
{
    double W = cw[n - 1];
    uint64_t prev = 0;
    for (size_t i = 0; i < n; i++) {
        uint64_t at = i + 1 == n ? total : (uint64_t)floor(total * (cw[i] / W) + 0.5);
        if (at < prev)
            at = prev;
        if (at > total)
            at = total;
        out[i] = (uint32_t)(at - prev);
        prev = at;
    }
}

/* DPT of one desa from its population, never zero: every desa gets a TPS. */
static void desa_dpt(gen_build *b, size_t d, uint32_t male, uint32_t female)
{
    double ratio = b->p->dpt_ratio;
    uint32_t m = (uint32_t)floor(male * ratio + 0.5), f = (uint32_t)floor(female * ratio + 0.5);
    const uint32_t max = TPS_PER_DESA_MAX * TPS_MAX_DPT;
    if (m + f > max) { /* no real desa comes near; keep the bound anyway */
        m = (uint32_t)((uint64_t)m * max / (m + f));
        f = max - m;
    }
    if (m + f == 0)
        f = 1;
    size_t i = d - b->t->level_start[REGION_DESA];
    b->dpt_m[i] = m;
    b->dpt_f[i] = f;
}

/* Spread kab/kota k's population over its desa with seeded lognormal
 * weights, kelurahan larger; kecamatan get the sums of their desa. */
static int spread_kab(gen_build *b, uint32_t k, err_info *e)
{
    region_tree *t = b->t;
    const region *kab = &t->node[k];
    size_t lo, hi;
    gen_level_range(t, k, REGION_DESA, &lo, &hi);
    if (lo == hi)
        return 0;
    if ((uint64_t)kab->pop_male + kab->pop_female == 0)
        return err_set(e, ERR_INVALID, "GEN_POPULATION", kab->code,
                       "kab/kota %s (%s) has no population in the master data", kab->code,
                       kab->name);
    size_t n = hi - lo;
    double *cw = mem_alloc(n * sizeof *cw);
    uint32_t *m = mem_alloc(n * sizeof *m), *f = mem_alloc(n * sizeof *f);
    rng r;
    gen_stream(&r, b->p->seed, GEN_P_POPULATION, gen_code_key(kab->code));
    double acc = 0.0;
    for (size_t i = 0; i < n; i++) {
        int kelurahan = t->node[lo + i].code[6] == '1';
        acc += exp(DESA_SPREAD_SIGMA * rng_normal(&r)) * (kelurahan ? KELURAHAN_FACTOR : 1.0);
        cw[i] = acc;
    }
    split_cumulative(kab->pop_male, cw, n, m);
    split_cumulative(kab->pop_female, cw, n, f);
    for (size_t i = 0; i < n; i++) {
        uint32_t d = (uint32_t)(lo + i);
        b->pop[d] = m[i] + f[i];
        b->pop[t->node[d].parent] += m[i] + f[i];
        desa_dpt(b, d, m[i], f[i]);
    }
    free(cw);
    free(m);
    free(f);
    return 0;
}

/* Kab/kota keep the master data's population; provinces and the nation get
 * the sums of what lies under them. */
static int spread_all(gen_build *b, err_info *e)
{
    region_tree *t = b->t;
    for (size_t k = t->level_start[REGION_KABKOTA]; k < t->level_start[REGION_KABKOTA + 1];
         k++) {
        const region *kab = &t->node[k];
        b->pop[k] = kab->pop_male + kab->pop_female;
        if (is_overseas(kab))
            continue;
        b->pop[kab->parent] += b->pop[k];
        b->pop[0] += b->pop[k];
        int rc = spread_kab(b, (uint32_t)k, e);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ---- TPS per desa ------------------------------------------------------ */

static unsigned tps_for(uint32_t dpt, double c)
{
    double n = ceil(dpt / c);
    return n < 1 ? 1 : n > TPS_PER_DESA_MAX ? TPS_PER_DESA_MAX : (unsigned)n;
}

static uint64_t count_tps(const gen_build *b, double c)
{
    const region_tree *t = b->t;
    size_t d0 = t->level_start[REGION_DESA], nd = t->level_start[REGION_DESA + 1] - d0;
    uint64_t sum = 0;
    for (size_t i = 0; i < nd; i++)
        if (!is_overseas(&t->node[d0 + i]))
            sum += tps_for(b->dpt_m[i] + b->dpt_f[i], c);
    return sum;
}

/* One voters-per-TPS step c for the whole nation (also when only a
 * province is built, so a demo province looks like the national data):
 * every desa gets ceil(DPT / c) TPS, and c is found by bisection so the
 * national count comes as near the target as the steps allow. */
static void choose_capacity(gen_build *b)
{
    uint64_t target = b->p->tps_domestic;
    double lo = 1.0, hi = TPS_MAX_DPT;
    if (count_tps(b, hi) >= target) {
        b->capacity = hi;
        return;
    }
    if (count_tps(b, lo) <= target) {
        b->capacity = lo;
        return;
    }
    for (int it = 0; it < 40; it++) { /* count(lo) > target >= count(hi) */
        double mid = 0.5 * (lo + hi);
        if (count_tps(b, mid) > target)
            lo = mid;
        else
            hi = mid;
    }
    uint64_t above = count_tps(b, lo), below = count_tps(b, hi);
    b->capacity = above - target < target - below ? lo : hi;
}

/* Overseas: every PPLN gets one TPS, the rest go by the population of its
 * country shared among the country's PPLN. */
static int overseas_tps(gen_build *b)
{
    region_tree *t = b->t;
    if (b->overseas == REGION_NONE)
        return 0;
    size_t lo, hi;
    gen_level_range(t, b->overseas, REGION_DESA, &lo, &hi);
    size_t n = hi - lo;
    if (n == 0)
        return 0;
    double *w = mem_alloc(n * sizeof *w);
    unsigned *extra = mem_alloc(n * sizeof *extra);
    for (size_t i = 0; i < n; i++) {
        uint32_t country = region_ancestor(t, (uint32_t)(lo + i), REGION_KABKOTA);
        size_t clo, chi;
        gen_level_range(t, country, REGION_DESA, &clo, &chi);
        w[i] = (double)b->pop[country] / (double)(chi - clo);
    }
    unsigned rest = b->p->tps_overseas > n ? b->p->tps_overseas - (unsigned)n : 0;
    int rc = gen_apportion(w, n, rest, 0, TPS_PER_DESA_MAX - 1, extra);
    for (size_t i = 0; rc == 0 && i < n; i++)
        b->ntps[lo + i - t->level_start[REGION_DESA]] = (uint16_t)(1 + extra[i]);
    free(w);
    free(extra);
    return rc;
}

int gen_population(gen_build *b, err_info *e)
{
    region_tree *t = b->t;
    size_t nd = t->level_start[REGION_DESA + 1] - t->level_start[REGION_DESA];
    b->pop = mem_calloc(b->nbase, sizeof *b->pop);
    b->dpt_m = mem_calloc(nd, sizeof *b->dpt_m);
    b->dpt_f = mem_calloc(nd, sizeof *b->dpt_f);
    b->ntps = mem_calloc(nd, sizeof *b->ntps);
    int rc = spread_all(b, e);
    if (rc < 0)
        return rc;
    choose_capacity(b);
    size_t d0 = t->level_start[REGION_DESA];
    for (size_t i = 0; i < nd; i++)
        if (!is_overseas(&t->node[d0 + i]))
            b->ntps[i] = (uint16_t)tps_for(b->dpt_m[i] + b->dpt_f[i], b->capacity);
    if (overseas_tps(b) < 0)
        return err_set(e, ERR_INVALID, "GEN_PARAMS", "tps_overseas",
                       "%u overseas TPS are more than the PPLN can hold (%u each)",
                       b->p->tps_overseas, TPS_PER_DESA_MAX);
    return 0;
}

int gen_add_tps(gen_build *b, err_info *e)
{
    region_tree *t = b->t;
    size_t d0 = t->level_start[REGION_DESA], d1 = t->level_start[REGION_DESA + 1];
    for (size_t d = d0; d < d1; d++) {
        if (!gen_in_scope(b, (uint32_t)d))
            continue;
        for (unsigned no = 1; no <= b->ntps[d - d0]; no++) {
            int rc = region_add_tps(t, (uint32_t)d, no, e);
            if (rc < 0)
                return rc;
        }
    }
    return region_tree_finish(t, e);
}

/* TPS j of the n of a desa: the desa's DPT in near-equal parts, the male
 * share cut at the same cumulative points so every part stays within its
 * total. */
static void even_share(uint32_t dm, uint32_t df, unsigned n, unsigned j, election_tps *tp)
{
    uint64_t dpt = (uint64_t)dm + df, base = dpt / n, extra = dpt % n;
    uint64_t c0 = j * base + (j < extra ? j : extra);
    uint64_t c1 = c0 + base + (j < extra);
    uint64_t m0 = c0 * dm / dpt, m1 = c1 * dm / dpt;
    tp->dpt_male = (uint16_t)(m1 - m0);
    tp->dpt_female = (uint16_t)((c1 - c0) - (m1 - m0));
}

/* Overseas TPS: 100..300 voters, a seeded share of women (migrant workers
 * make some posts mostly female, others mostly male). */
static void overseas_share(const gen_build *b, const region *tps, election_tps *tp)
{
    rng r;
    gen_stream(&r, b->p->seed, GEN_P_OVERSEAS, gen_code_key(tps->code));
    unsigned dpt = OVERSEAS_DPT_MIN + (unsigned)rng_below(&r, OVERSEAS_DPT_SPAN);
    unsigned f = (unsigned)floor(dpt * (0.3 + 0.4 * rng_uniform(&r)) + 0.5);
    tp->dpt_female = (uint16_t)f;
    tp->dpt_male = (uint16_t)(dpt - f);
}

void gen_fill_tps(gen_build *b)
{
    const region_tree *t = b->t;
    election *el = b->el;
    size_t d0 = t->level_start[REGION_DESA], s = t->level_start[REGION_TPS];
    for (size_t i = 0; i < el->ntps; i++) {
        const region *tps = &t->node[s + i];
        const region *desa = &t->node[tps->parent];
        if (is_overseas(tps)) {
            overseas_share(b, tps, &el->tps[i]);
            continue;
        }
        size_t di = tps->parent - d0;
        even_share(b->dpt_m[di], b->dpt_f[di], desa->nchild,
                   (unsigned)(s + i - desa->child), &el->tps[i]);
    }
}
