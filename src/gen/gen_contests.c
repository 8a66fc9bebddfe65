/* gen_contests — owns the five contests of a generated election: the
 * parties, the presidential pairs, the districts (dapil) of DPR, DPRD
 * provinsi and DPRD kab/kota with their seats, the DPD districts, and every
 * candidate list. The districts come from the generic steps of
 * gen_district.c, driven by one table row per legislative contest; they are
 * always worked out for the whole nation (the totals are national) and
 * only the ones inside the scope are kept. See gen_internal.h. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "gen/gen_internal.h"

#define LIST_FULL_SHARE 0.8   /* lists as long as the seats; the rest shorter */
#define LIST_WOMAN_EXTRA 0.06 /* a woman beyond the one-in-three quota (2024: ~37% women) */
#define DPD_CAND_MIN 10
#define DPD_CAND_SPAN 21      /* 10..30 DPD candidates per province */
#define DPD_WOMEN 0.2

/* ---- names of districts ------------------------------------------------ */

static void roman(unsigned n, char *buf, size_t cap)
{
    static const struct {
        unsigned v;
        const char *s;
    } r[] = {{1000, "M"}, {900, "CM"}, {500, "D"}, {400, "CD"}, {100, "C"},
             {90, "XC"},  {50, "L"},   {40, "XL"}, {10, "X"},   {9, "IX"},
             {5, "V"},    {4, "IV"},   {1, "I"}};
    size_t len = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < sizeof r / sizeof r[0]; i++)
        for (; n >= r[i].v && len + strlen(r[i].s) < cap; n -= r[i].v)
            len += (size_t)snprintf(buf + len, cap - len, "%s", r[i].s);
}

/* A region's name the way the commission prints dapil names: uppercase,
 * "DKI JAKARTA", "DI YOGYAKARTA", kabupaten without the word. */
static void display_name(const region *r, char *buf, size_t cap)
{
    static const struct {
        const char *from, *to;
    } short_form[] = {{"Daerah Khusus Ibukota ", "DKI "},
                      {"Daerah Istimewa ", "DI "},
                      {"Kabupaten ", ""}};
    char tmp[REGION_NAME_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s", r->name);
    for (size_t i = 0; i < sizeof short_form / sizeof short_form[0]; i++) {
        size_t n = strlen(short_form[i].from);
        if (strncmp(r->name, short_form[i].from, n) == 0) {
            snprintf(tmp, sizeof tmp, "%s%s", short_form[i].to, r->name + n);
            break;
        }
    }
    gen_upper(tmp, buf, cap);
}

/* ---- districts and candidates ------------------------------------------ */

static election_district *district_new(gen_build *b, contest_kind k, const char *id,
                                       const char *name, unsigned seats)
{
    election *el = b->el;
    mem_grow((void **)&el->district[k], &b->dcap[k], el->ndistrict[k] + 1,
             sizeof *el->district[k]);
    election_district *d = &el->district[k][el->ndistrict[k]++];
    memset(d, 0, sizeof *d);
    d->id = mem_strdup(id);
    d->name = mem_strdup(name);
    d->kind = k;
    d->seats = (uint16_t)seats;
    return d;
}

static void district_regions(election_district *d, const uint32_t *reg, size_t n)
{
    d->region = mem_alloc(n * sizeof *d->region);
    memcpy(d->region, reg, n * sizeof *d->region);
    d->nregion = (uint32_t)n;
}

/* n candidates; `woman[i]` says who is a woman. */
static election_candidate *candidates_new(rng *r, unsigned n, const unsigned char *woman,
                                          const char *prov)
{
    election_candidate *c = mem_calloc(n, sizeof *c);
    char name[GEN_NAME_MAX];
    for (unsigned i = 0; i < n; i++) {
        c[i].no = (uint16_t)(i + 1);
        c[i].sex = woman[i] ? 'P' : 'L';
        gen_person_name(r, c[i].sex, prov, name, sizeof name);
        c[i].name = mem_strdup(name);
    }
    return c;
}

/* The law's quota: at least one woman in every three candidates of a list
 * (so at least 30%), in a seeded place within each three. */
static void list_women(rng *r, unsigned n, unsigned char *woman)
{
    for (unsigned start = 0; start < n; start += 3) {
        unsigned len = n - start < 3 ? n - start : 3;
        unsigned pick = (unsigned)rng_below(r, len);
        for (unsigned j = 0; j < len; j++)
            woman[start + j] = j == pick || rng_uniform(r) < LIST_WOMAN_EXTRA;
    }
}

/* Lists of every party standing in district d (local parties only on the
 * DPRD ballots of their province), seeded by the district id. */
static void district_lists(gen_build *b, election_district *d, const char *prov)
{
    const election *el = b->el;
    rng r;
    unsigned char woman[ELECTION_CANDIDATES_MAX];
    gen_stream(&r, b->p->seed, GEN_P_LISTS, gen_text_key(d->id));
    d->list = mem_calloc(el->nparty, sizeof *d->list);
    for (size_t i = 0; i < el->nparty; i++) {
        const election_party *pa = &el->party[i];
        if (pa->only_in && (d->kind == CONTEST_DPR || strncmp(pa->only_in, prov, 2) != 0))
            continue;
        unsigned n = d->seats;
        if (rng_uniform(&r) >= LIST_FULL_SHARE)
            n = (unsigned)ceil(d->seats * (0.4 + 0.6 * rng_uniform(&r)));
        if (n < 1)
            n = 1;
        if (n > d->seats)
            n = d->seats;
        list_women(&r, n, woman);
        election_list *l = &d->list[d->nlist++];
        l->party = pa->no;
        l->ncand = (uint16_t)n;
        l->cand = candidates_new(&r, n, woman, prov);
    }
}

/* ---- parties, PPWP, DPD ------------------------------------------------ */

void gen_parties(gen_build *b)
{
    election *el = b->el;
    el->party = mem_calloc(gen_party_ndefs, sizeof *el->party);
    el->nparty = (uint16_t)gen_party_ndefs;
    for (size_t i = 0; i < gen_party_ndefs; i++) {
        const gen_party_def *def = &gen_party_defs[i];
        el->party[i].no = def->no;
        el->party[i].abbrev = mem_strdup(def->abbrev);
        el->party[i].name = mem_strdup(def->name);
        el->party[i].only_in = def->only_in ? mem_strdup(def->only_in) : NULL;
    }
}

void gen_ppwp_contest(gen_build *b)
{
    election_district *d =
        district_new(b, CONTEST_PPWP, "ppwp", "PRESIDEN DAN WAKIL PRESIDEN", 1);
    uint32_t root = 0;
    district_regions(d, &root, 1);
    d->cand = mem_calloc(gen_npairs, sizeof *d->cand);
    d->ncand = (uint16_t)gen_npairs;
    for (size_t i = 0; i < gen_npairs; i++) {
        d->cand[i].no = (uint16_t)(i + 1);
        d->cand[i].name = mem_strdup(gen_pair_names[i]);
    }
}

void gen_dpd(gen_build *b)
{
    const region_tree *t = b->t;
    unsigned char woman[DPD_CAND_MIN + DPD_CAND_SPAN];
    char id[32], name[REGION_NAME_MAX];
    for (size_t p = t->level_start[REGION_PROVINCE]; p < t->level_start[REGION_PROVINCE + 1];
         p++) {
        const region *pr = &t->node[p];
        if ((uint32_t)p == b->overseas || !gen_in_scope(b, (uint32_t)p))
            continue;
        snprintf(id, sizeof id, "dpd-%s", pr->code);
        display_name(pr, name, sizeof name);
        election_district *d = district_new(b, CONTEST_DPD, id, name, GEN_DPD_SEATS);
        uint32_t reg = (uint32_t)p;
        district_regions(d, &reg, 1);
        rng r;
        gen_stream(&r, b->p->seed, GEN_P_LISTS, gen_text_key(id));
        unsigned n = DPD_CAND_MIN + (unsigned)rng_below(&r, DPD_CAND_SPAN);
        for (unsigned i = 0; i < n; i++)
            woman[i] = rng_uniform(&r) < DPD_WOMEN;
        d->cand = candidates_new(&r, n, woman, pr->code);
        d->ncand = (uint16_t)n;
    }
}

/* ---- legislative districting ------------------------------------------- */

/* Seats of the DPRD by population, UU 7/2017 art. 188 and 191 (a bracket
 * applies up to and including its bound). */
typedef struct bracket {
    uint64_t upto;
    unsigned seats;
} bracket;

static const bracket prov_brackets[] = {
    {1000000, 35}, {3000000, 45},  {5000000, 55},  {7000000, 65},
    {9000000, 75}, {11000000, 85}, {20000000, 100}, {UINT64_MAX, 120},
};
static const bracket kab_brackets[] = {
    {100000, 20}, {200000, 25},  {300000, 30},  {400000, 35},
    {500000, 40}, {1000000, 45}, {3000000, 50}, {UINT64_MAX, 55},
};

static unsigned bracket_seats(const bracket *br, uint64_t pop)
{
    while (pop > br->upto)
        br++;
    return br->seats;
}

/* The special autonomy laws give the DPR Aceh (UU 11/2006) and the DPRD of
 * Jakarta (UU 29/2007) 125% of the general number. */
static unsigned prov_seats(const region *r, uint64_t pop)
{
    unsigned s = bracket_seats(prov_brackets, pop);
    if (strcmp(r->code, "11") == 0 || strcmp(r->code, "31") == 0)
        s = s * 125 / 100;
    return s;
}

/* One legislative contest's way of districting. */
typedef struct legis_spec {
    contest_kind kind;
    int area_level;            /* seats are fixed per province or kab/kota */
    int unit_coarse, unit_fine;/* districts are made of units of these levels */
    unsigned seat_lo, seat_hi; /* seats per district */
    unsigned target;           /* districts nationally */
    int roman;                 /* "JAWA BARAT III" rather than "JAWA BARAT 3" */
} legis_spec;

static const legis_spec legis_specs[] = {
    {CONTEST_DPR, REGION_PROVINCE, REGION_KABKOTA, REGION_KABKOTA, 3, 10,
     GEN_DPR_DISTRICTS, 1},
    {CONTEST_DPRD_PROV, REGION_PROVINCE, REGION_KABKOTA, REGION_KECAMATAN, 3, 12,
     GEN_DPRD_PROV_DISTRICTS, 0},
    {CONTEST_DPRD_KAB, REGION_KABKOTA, REGION_KECAMATAN, REGION_KECAMATAN, 3, 12,
     GEN_DPRD_KAB_DISTRICTS, 0},
};

typedef struct area {
    uint32_t node;
    unsigned seats, kmin, kmax, k;
} area;

static size_t count_at(const region_tree *t, uint32_t node, int level)
{
    size_t lo, hi;
    gen_level_range(t, node, level, &lo, &hi);
    return hi - lo;
}

/* The domestic areas of the contest's level, with their seats. */
/* DKI Jakarta's kabupaten and kota are administrative: no DPRD of their own. */
#define GEN_NO_DPRD_KAB "31"

static area *areas_collect(const gen_build *b, const legis_spec *sp, size_t *n)
{
    const region_tree *t = b->t;
    size_t lo = t->level_start[sp->area_level], hi = t->level_start[sp->area_level + 1];
    area *a = mem_calloc(hi - lo, sizeof *a);
    size_t m = 0;
    for (size_t i = lo; i < hi; i++) {
        const region *r = &t->node[i];
        if (strncmp(r->code, REGION_OVERSEAS, 2) == 0 || b->pop[i] == 0 ||
            (sp->kind == CONTEST_DPRD_KAB && strncmp(r->code, GEN_NO_DPRD_KAB, 2) == 0))
            continue;
        a[m].node = (uint32_t)i;
        if (sp->kind == CONTEST_DPRD_PROV)
            a[m].seats = prov_seats(r, b->pop[i]);
        else if (sp->kind == CONTEST_DPRD_KAB)
            a[m].seats = bracket_seats(kab_brackets, b->pop[i]);
        m++;
    }
    *n = m;
    return a;
}

/* DPR seats: 580 over the provinces by population, at least 3 each. */
static int dpr_seats(const gen_build *b, area *a, size_t n)
{
    double *w = mem_alloc(n * sizeof *w);
    unsigned *s = mem_alloc(n * sizeof *s);
    for (size_t i = 0; i < n; i++)
        w[i] = (double)b->pop[a[i].node];
    int rc = gen_apportion(w, n, GEN_DPR_SEATS, 3, GEN_DPR_SEATS, s);
    for (size_t i = 0; rc == 0 && i < n; i++)
        a[i].seats = s[i];
    free(w);
    free(s);
    return rc;
}

/* Districts per area: within the seats' bounds and the units available,
 * adding up to the national target. */
static void areas_count(const gen_build *b, const legis_spec *sp, area *a, size_t n)
{
    unsigned *seats = mem_alloc(n * sizeof *seats), *kmin = mem_alloc(n * sizeof *kmin);
    unsigned *kmax = mem_alloc(n * sizeof *kmax), *k = mem_alloc(n * sizeof *k);
    for (size_t i = 0; i < n; i++) {
        size_t units = count_at(b->t, a[i].node, sp->unit_fine);
        seats[i] = a[i].seats;
        kmin[i] = (a[i].seats + sp->seat_hi - 1) / sp->seat_hi;
        kmax[i] = a[i].seats / sp->seat_lo;
        if (kmax[i] > units)
            kmax[i] = (unsigned)units;
        if (kmax[i] < kmin[i])
            kmax[i] = kmin[i];
    }
    gen_choose_counts(seats, kmin, kmax, n, sp->target, k);
    for (size_t i = 0; i < n; i++)
        a[i].k = k[i];
    free(seats);
    free(kmin);
    free(kmax);
    free(k);
}

/* DKI Jakarta's second DPR district holds the overseas voters too, and so
 * is built when either is in scope (area_districts keeps only that one of
 * Jakarta's when the scope is overseas). */
static int area_in_scope(const gen_build *b, const legis_spec *sp, const area *a)
{
    if (gen_in_scope(b, a->node))
        return 1;
    return sp->kind == CONTEST_DPR && b->scope != REGION_NONE &&
           b->scope == b->overseas && strcmp(b->t->node[a->node].code, "31") == 0;
}

/* A district is built when one of its regions lies in the scope. */
static int regions_in_scope(const gen_build *b, const uint32_t *reg, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (gen_in_scope(b, reg[i]))
            return 1;
    return 0;
}

static void district_name(const legis_spec *sp, const region *ar, unsigned g, unsigned k,
                          char *id, size_t idcap, char *name, size_t namecap)
{
    char disp[REGION_NAME_MAX], num[16];
    snprintf(id, idcap, "%s-%s-%02u", contest_kind_id[sp->kind], ar->code, g + 1);
    display_name(ar, disp, sizeof disp);
    if (sp->roman)
        roman(g + 1, num, sizeof num);
    else
        snprintf(num, sizeof num, "%u", g + 1);
    if (sp->roman && k == 1)
        snprintf(name, namecap, "%s", disp);
    else
        snprintf(name, namecap, "%s %s", disp, num);
}

/* The k districts of one area: the coarsest units that are enough, split
 * into balanced consecutive groups, the area's seats spread over them. */
static int area_districts(gen_build *b, const legis_spec *sp, const area *a, err_info *e)
{
    const region_tree *t = b->t;
    const region *ar = &t->node[a->node];
    int level = sp->unit_coarse;
    while (level < REGION_DESA && count_at(t, a->node, level) < a->k)
        level++;
    size_t lo, hi;
    gen_level_range(t, a->node, level, &lo, &hi);
    size_t n = hi - lo;
    if (n < a->k)
        return err_set(e, ERR_INVALID, "GEN_DISTRICTS", ar->code,
                       "%s needs %u %s districts but has only %zu regions", ar->code,
                       a->k, contest_kind_id[sp->kind], n);
    double *pop = mem_alloc(n * sizeof *pop), *gpop = mem_alloc(a->k * sizeof *gpop);
    size_t *start = mem_alloc((a->k + 1) * sizeof *start);
    unsigned *seats = mem_alloc(a->k * sizeof *seats);
    uint32_t *reg = mem_alloc((n + 1) * sizeof *reg);
    for (size_t i = 0; i < n; i++)
        pop[i] = (double)b->pop[lo + i];
    gen_partition(pop, n, a->k, start);
    for (unsigned g = 0; g < a->k; g++) {
        gpop[g] = 0.0;
        for (size_t i = start[g]; i < start[g + 1]; i++)
            gpop[g] += pop[i];
    }
    int rc = gen_apportion(gpop, a->k, a->seats, sp->seat_lo, sp->seat_hi, seats);
    if (rc < 0)
        rc = err_set(e, ERR_INVALID, "GEN_DISTRICTS", ar->code,
                     "%u seats do not fit %u %s districts of %u..%u", a->seats, a->k,
                     contest_kind_id[sp->kind], sp->seat_lo, sp->seat_hi);
    for (unsigned g = 0; rc == 0 && g < a->k; g++) {
        char id[64], name[REGION_NAME_MAX + 16];
        size_t m = 0;
        for (size_t i = start[g]; i < start[g + 1]; i++)
            reg[m++] = (uint32_t)(lo + i);
        if (sp->kind == CONTEST_DPR && b->overseas != REGION_NONE &&
            strcmp(ar->code, "31") == 0 && g == (a->k > 1 ? 1u : 0u))
            reg[m++] = b->overseas;
        if (!regions_in_scope(b, reg, m))
            continue;
        district_name(sp, ar, g, a->k, id, sizeof id, name, sizeof name);
        election_district *d = district_new(b, sp->kind, id, name, seats[g]);
        district_regions(d, reg, m);
        district_lists(b, d, ar->code);
    }
    free(pop);
    free(gpop);
    free(start);
    free(seats);
    free(reg);
    return rc;
}

static int legislative_one(gen_build *b, const legis_spec *sp, err_info *e)
{
    size_t n;
    area *a = areas_collect(b, sp, &n);
    int rc = 0;
    if (sp->kind == CONTEST_DPR && (rc = dpr_seats(b, a, n)) < 0)
        rc = err_set(e, ERR_INVALID, "GEN_DISTRICTS", "dpr",
                     "%u DPR seats cannot give %zu provinces 3 each", GEN_DPR_SEATS, n);
    if (rc == 0)
        areas_count(b, sp, a, n);
    for (size_t i = 0; rc == 0 && i < n; i++)
        if (area_in_scope(b, sp, &a[i]))
            rc = area_districts(b, sp, &a[i], e);
    free(a);
    return rc;
}

int gen_legislative(gen_build *b, err_info *e)
{
    for (size_t i = 0; i < sizeof legis_specs / sizeof legis_specs[0]; i++) {
        int rc = legislative_one(b, &legis_specs[i], e);
        if (rc < 0)
            return rc;
    }
    return 0;
}
