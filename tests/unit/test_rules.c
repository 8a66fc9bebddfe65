/* test_rules — the rule table and every check. A builder makes a valid
 * C.Hasil for each of the five contest kinds from a handful of primary
 * numbers; table-driven cases then break each rule in turn, for every
 * ballot type it applies to, and assert exactly which rules fire — and
 * that the boundary cases (received at the cap, B1 = DPT, ...) pass. The
 * one entry point (rules_check) is its two halves on every case, and its
 * soft flag is the same whichever half-set it is read from. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/election.h"
#include "core/form.h"
#include "core/mem.h"
#include "core/rules.h"

/* ------------------------------------------------------------------ */
/* building valid forms                                                */

/* The primary numbers of a TPS; everything else follows from them. */
typedef struct base {
    uint16_t dpt[2], dptb[2], dpk[2];   /* male, female */
    uint16_t b1[2], b2[2], b3[2], dis[2];
    uint16_t damaged, unused, invalid;
} base;

/* DPT 250, DPTb 7, DPK 5; 198 voted (B4 95 + 103); 260 ballots received
 * (under the cap of ceil(250 * 1.02) + 7 + 5 = 267); 190 valid, 8 invalid. */
static const base BASE = {
    .dpt = {120, 130}, .dptb = {4, 3}, .dpk = {3, 2},
    .b1 = {90, 100}, .b2 = {3, 2}, .b3 = {2, 1}, .dis = {2, 1},
    .damaged = 2, .unused = 60, .invalid = 8,
};

/* A ballot: n candidates (PPWP, DPD) or n party blocks. */
typedef struct shape {
    unsigned n;
    uint16_t no[8], ncand[8];
} shape;

static const shape SHAPES[CONTEST_KINDS] = {
    [CONTEST_PPWP] = {3, {0}, {0}},
    [CONTEST_DPD] = {6, {0}, {0}},
    [CONTEST_DPR] = {3, {1, 2, 5}, {3, 4, 3}},
    [CONTEST_DPRD_PROV] = {3, {1, 2, 5}, {2, 3, 4}},
    [CONTEST_DPRD_KAB] = {3, {1, 2, 5}, {4, 2, 5}},
};

#define TPS_HOME "3273011001001"
#define TPS_ABROAD "9901011001001"

static form_lpt lpt(const uint16_t mf[2])
{
    return (form_lpt){mf[0], mf[1], (uint16_t)(mf[0] + mf[1])};
}

/* total split over n parts as evenly as it goes */
static uint16_t share(unsigned total, unsigned n, unsigned i)
{
    return (uint16_t)(total / n + (i < total % n));
}

static void build_votes(form *f, const shape *s)
{
    if (!contest_is_party_list(f->kind)) {
        f->nvotes = (uint16_t)s->n;
        for (unsigned i = 0; i < s->n; i++)
            f->votes[i] = share(f->valid, s->n, i);
        return;
    }
    f->nparty = (uint16_t)s->n;
    for (unsigned p = 0; p < s->n; p++) {
        form_party *b = &f->party[p];
        unsigned total = share(f->valid, s->n, p);
        unsigned only = s->ncand[p] ? total / 4 : total;
        *b = (form_party){.no = s->no[p], .party_only = (uint16_t)only,
                          .total = (uint16_t)total, .ncand = s->ncand[p],
                          .cand = f->nvotes};
        for (unsigned c = 0; c < s->ncand[p]; c++)
            f->votes[f->nvotes++] = share(total - only, s->ncand[p], c);
    }
}

static void build(form *f, contest_kind k, const base *b, const shape *s)
{
    memset(f, 0, sizeof *f);
    strcpy(f->tps, TPS_HOME);
    f->kind = k;
    f->dpt = lpt(b->dpt);
    f->dptb = lpt(b->dptb);
    f->dpk = lpt(b->dpk);
    f->b1 = lpt(b->b1);
    f->b2 = lpt(b->b2);
    f->b3 = lpt(b->b3);
    f->disabled = lpt(b->dis);
    f->b4 = (form_lpt){(uint16_t)(f->b1.male + f->b2.male + f->b3.male),
                       (uint16_t)(f->b1.female + f->b2.female + f->b3.female),
                       (uint16_t)(f->b1.total + f->b2.total + f->b3.total)};
    f->used = f->b4.total;
    f->damaged = b->damaged;
    f->unused = b->unused;
    f->received = (uint16_t)(f->used + f->damaged + f->unused);
    f->total = f->b4.total;
    f->invalid = b->invalid;
    f->valid = (uint16_t)(f->total - f->invalid);
    build_votes(f, s);
}

static void build_base(form *f, contest_kind k, const base *b)
{
    build(f, k, b, &SHAPES[k]);
}

/* ------------------------------------------------------------------ */
/* an election the forms above belong to                              */

static const char REGIONS_CSV[] =
    "kode,nama\n"
    "32,Jawa Barat\n32.73,Kota Bandung\n32.73.01,Sukasari\n"
    "32.73.01.1001,Sarijadi\n32.73.01.1002,Gegerkalong\n"
    "99,Luar Negeri\n99.01,Malaysia\n99.01.01,Kuala Lumpur\n99.01.01.1001,KBRI\n";

static election_candidate *candidates(unsigned n, int pairs)
{
    election_candidate *c = mem_calloc(n, sizeof *c);
    for (unsigned i = 0; i < n; i++) {
        char name[32];
        snprintf(name, sizeof name, "Calon %u", i + 1);
        c[i] = (election_candidate){(uint16_t)(i + 1), pairs ? '\0' : (i % 2 ? 'P' : 'L'),
                                    mem_strdup(name)};
    }
    return c;
}

static void add_district(election *el, contest_kind k, const char *id, const char *const *regions,
                         unsigned nregion, uint16_t seats)
{
    const shape *s = &SHAPES[k];
    election_district *d;

    el->district[k] = mem_realloc(el->district[k], (el->ndistrict[k] + 1) * sizeof *d);
    d = &el->district[k][el->ndistrict[k]++];
    memset(d, 0, sizeof *d);
    d->id = mem_strdup(id);
    d->name = mem_strdup(id);
    d->kind = k;
    d->seats = seats;
    d->nregion = nregion;
    d->region = mem_calloc(nregion, sizeof *d->region);
    for (unsigned i = 0; i < nregion; i++) {
        d->region[i] = region_find(el->tree, regions[i]);
        assert_int_not_equal(d->region[i], REGION_NONE);
    }
    if (!contest_is_party_list(k)) {
        d->ncand = (uint16_t)s->n;
        d->cand = candidates(s->n, k == CONTEST_PPWP);
        return;
    }
    d->nlist = (uint16_t)s->n;
    d->list = mem_calloc(s->n, sizeof *d->list);
    for (unsigned p = 0; p < s->n; p++)
        d->list[p] = (election_list){s->no[p], s->ncand[p], candidates(s->ncand[p], 0)};
}

/* Jawa Barat (two desa, 4 TPS) and one overseas TPS that votes only PPWP
 * and DPR; every TPS registers BASE's DPT. */
static election *test_election(void)
{
    static const char *const national[] = {"0"}, *const jabar[] = {"32"},
                             *const dpr[] = {"32", "99"}, *const bandung[] = {"3273"};
    static const char *const parties[][2] = {
        {"PKB", "Partai Kebangkitan Bangsa"},
        {"GERINDRA", "Partai Gerakan Indonesia Raya"},
        {"GOLKAR", "Partai Golongan Karya"}};
    region_tree *tree = region_tree_new();
    err_info e = {0};

    assert_int_equal(region_add_csv(tree, REGIONS_CSV, strlen(REGIONS_CSV), "test", &e), 0);
    assert_int_equal(region_tree_finish(tree, &e), 0);
    for (unsigned no = 1; no <= 3; no++)
        assert_int_equal(region_add_tps(tree, region_find(tree, "3273011001"), no, &e), 0);
    assert_int_equal(region_add_tps(tree, region_find(tree, "3273011002"), 1, &e), 0);
    assert_int_equal(region_add_tps(tree, region_find(tree, "9901011001"), 1, &e), 0);
    assert_int_equal(region_tree_finish(tree, &e), 0);

    election *el = election_new(tree);
    el->name = mem_strdup("Pemilu Uji");
    el->nparty = 3;
    el->party = mem_calloc(3, sizeof *el->party);
    for (unsigned p = 0; p < 3; p++)
        el->party[p] = (election_party){SHAPES[CONTEST_DPR].no[p], mem_strdup(parties[p][0]),
                                        mem_strdup(parties[p][1]), NULL};
    add_district(el, CONTEST_PPWP, "ppwp", national, 1, 1);
    add_district(el, CONTEST_DPR, "dpr-32-01", dpr, 2, 10);
    add_district(el, CONTEST_DPD, "dpd-32", jabar, 1, 4);
    add_district(el, CONTEST_DPRD_PROV, "dprd_prov-32-01", jabar, 1, 10);
    add_district(el, CONTEST_DPRD_KAB, "dprd_kab-3273-01", bandung, 1, 10);
    for (size_t i = 0; i < el->ntps; i++) {
        el->tps[i].dpt_male = BASE.dpt[0];
        el->tps[i].dpt_female = BASE.dpt[1];
    }
    if (election_link(el, &e))
        fail_msg("election_link: %s at %s: %s", e.code, e.where, e.msg);
    return el;
}

/* ------------------------------------------------------------------ */
/* running cases                                                       */

#define BIT(r) (1u << (r))
#define K_ALL 0x1Fu
#define K_INDIV (BIT(CONTEST_PPWP) | BIT(CONTEST_DPD))
#define K_PARTY (BIT(CONTEST_DPR) | BIT(CONTEST_DPRD_PROV) | BIT(CONTEST_DPRD_KAB))

typedef struct rule_case {
    const char *name;
    unsigned kinds;                 /* ballots the case runs on */
    void (*mutate)(form *f);        /* NULL: the valid form itself */
    const election_rules *rules;    /* NULL: the defaults */
    unsigned expect;                /* exactly these rules fire (BIT(rule_id)) */
} rule_case;

static unsigned hit_mask(const rule_report *r)
{
    unsigned m = 0;
    for (unsigned i = 0; i < r->nhit; i++)
        m |= BIT(r->hit[i].id);
    return m;
}

static void describe(const rule_report *r, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < r->nhit && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, " %s(%s)", rules_def(r->hit[i].id)->code,
                              r->hit[i].detail);
}

/* Run one case on each kind it names; el, when given, adds the checks
 * against the election. */
static void run_cases(const rule_case *cases, size_t n, const election *el)
{
    form *f = mem_alloc(sizeof *f);
    rule_report *r = mem_alloc(sizeof *r);
    char buf[1024];

    for (size_t i = 0; i < n; i++) {
        const rule_case *c = &cases[i];
        for (int k = 0; k < CONTEST_KINDS; k++) {
            if (!(c->kinds & BIT(k)))
                continue;
            build_base(f, (contest_kind)k, &BASE);
            if (c->mutate)
                c->mutate(f);
            rules_report_init(r);
            rules_check_form(f, c->rules, r);
            if (el)
                rules_check_election(f, el, r);
            unsigned got = hit_mask(r);
            unsigned hard = 0, soft = 0;
            for (unsigned h = 0; h < r->nhit; h++)
                *(rules_def(r->hit[h].id)->severity == RULE_HARD ? &hard : &soft) += 1;
            if (got != c->expect || hard != r->nhard || soft != r->nsoft || r->truncated) {
                describe(r, buf, sizeof buf);
                fail_msg("case \"%s\" on %s: hits%s; want mask %#x", c->name,
                         contest_kind_id[k], buf, c->expect);
            }
        }
    }
    free(r);
    free(f);
}

/* ------------------------------------------------------------------ */
/* mutations: each breaks one rule (or names the boundary it keeps)    */

static void set_dpt(form *f, uint16_t m, uint16_t w)
{
    f->dpt = (form_lpt){m, w, (uint16_t)(m + w)};
}

/* received set to r, with unused absorbing the difference */
static void set_received(form *f, uint16_t r)
{
    f->unused = (uint16_t)(r - f->used - f->damaged);
    f->received = r;
}

static void rebuild(form *f, const base *b)
{
    build_base(f, f->kind, b);
}

/* every valid vote to selection i (a party for party lists) */
static void concentrate(form *f, unsigned i)
{
    if (!contest_is_party_list(f->kind)) {
        for (unsigned j = 0; j < f->nvotes; j++)
            f->votes[j] = j == i ? f->valid : 0;
        return;
    }
    for (unsigned p = 0; p < f->nparty; p++) {
        form_party *b = &f->party[p];
        for (unsigned j = 0; j < b->ncand; j++)
            f->votes[b->cand + j] = 0;
        b->party_only = b->total = p == i ? f->valid : 0;
    }
}

static void m_lpt_dpt(form *f) { f->dpt.male--; }
static void m_lpt_dptb(form *f) { f->dptb.male++; }
static void m_lpt_dpk(form *f) { f->dpk.female++; }
static void m_lpt_disabled(form *f) { f->disabled.total++; }
static void m_lpt_b1(form *f) { f->b1.total++; }
static void m_lpt_b2(form *f) { f->b2.male++; }
static void m_lpt_b3(form *f) { f->b3.female--; }
static void m_lpt_b4(form *f) { f->b4.male++; }
static void m_b4_sum(form *f) { f->b4.male++; f->b4.female--; }
/* B1 female 100 > DPT female 99; received lowered to the new cap
 * ceil(219 * 1.02) + 7 + 5 = 236 */
static void m_b1_dpt(form *f) { set_dpt(f, 120, 99); set_received(f, 236); }
/* boundary: B1 female = DPT female = 100: cap ceil(220 * 1.02) + 12 = 237 */
static void m_b1_eq_dpt(form *f) { set_dpt(f, 120, 100); set_received(f, 237); }
static void m_b2_dptb(form *f) { f->dptb = (form_lpt){2, 3, 5}; }
static void m_b2_eq_dptb(form *f) { f->dptb = (form_lpt){3, 2, 5}; }
static void m_b3_dpk(form *f) { f->dpk = (form_lpt){1, 2, 3}; }
static void m_b3_eq_dpk(form *f) { f->dpk = (form_lpt){2, 1, 3}; }
/* B1 male 90 > DPT male 80 pushes B4 male 95 over 80 + 4 + 3; cap
 * ceil(210 * 1.02) + 12 = 227 */
static void m_b4_cap_via_b1(form *f) { set_dpt(f, 80, 130); set_received(f, 227); }
/* B4 written far too large (B1..B3 and the rest untouched) */
static void m_b4_cap_written(form *f) { f->b4 = (form_lpt){130, 140, 270}; }
/* boundary: everyone registered voted, B4 = DPT + DPTb + DPK = 262 */
static void m_b4_eq_cap(form *f)
{
    base b = BASE;
    memcpy(b.b1, b.dpt, sizeof b.b1);
    memcpy(b.b2, b.dptb, sizeof b.b2);
    memcpy(b.b3, b.dpk, sizeof b.b3);
    b.unused = 3; /* received 262 + 2 + 3 = 267, the cap */
    rebuild(f, &b);
}
static void m_disabled_cap(form *f) { f->disabled = (form_lpt){96, 0, 96}; }
static void m_disabled_cap_female(form *f) { f->disabled = (form_lpt){0, 104, 104}; }
static void m_disabled_eq_b4(form *f) { f->disabled = f->b4; }
static void m_ballot_sum_damaged(form *f) { f->damaged++; }
static void m_ballot_sum_received(form *f) { f->received--; }
static void m_received_cap(form *f) { set_received(f, 268); }
static void m_received_eq_cap(form *f) { set_received(f, 267); }
/* DPT 249: ceil(249 * 1.02) = ceil(253.98) = 254, + 12 = 266 */
static void m_received_round_ok(form *f) { set_dpt(f, 119, 130); set_received(f, 266); }
static void m_received_round_over(form *f) { set_dpt(f, 119, 130); set_received(f, 267); }
static void m_received_255(form *f) { set_received(f, 255); }
static void m_received_256(form *f) { set_received(f, 256); }
static void m_received_262(form *f) { set_received(f, 262); }
static void m_received_263(form *f) { set_received(f, 263); }
static void m_used_b4(form *f) { f->used++; f->unused--; }
static void m_total_sum(form *f) { f->invalid++; }
static void m_total_b4(form *f) { f->total++; f->invalid++; }

static void m_votes_sum(form *f)
{
    if (contest_is_party_list(f->kind)) {
        f->party[0].total++;
        f->party[0].party_only++;
    } else {
        f->votes[f->nvotes - 1]++;
    }
}

static void m_votes_sum_valid(form *f) { f->valid--; f->invalid++; }
static void m_party_sum_candidate(form *f) { f->votes[f->party[1].cand]++; }
static void m_party_sum_only(form *f) { f->party[2].party_only--; }

/* DPT 195 < B4 198 (DPTb and DPK voters), cap ceil(195 * 1.02) + 12 = 211 */
static void m_turnout_over(form *f) { set_dpt(f, 95, 100); set_received(f, 211); }
/* boundary: DPT 198 = B4, cap ceil(198 * 1.02) + 12 = 214 */
static void m_turnout_eq(form *f) { set_dpt(f, 95, 103); set_received(f, 214); }
static void m_one_takes_all_first(form *f) { concentrate(f, 0); }
static void m_one_takes_all_last(form *f) { concentrate(f, 2); }

/* n voters from DPT, all for one selection */
static void small_landslide(form *f, uint16_t male, uint16_t female)
{
    base b = BASE;
    b.b1[0] = male;
    b.b1[1] = female;
    memset(b.b2, 0, sizeof b.b2);
    memset(b.b3, 0, sizeof b.b3);
    memset(b.dis, 0, sizeof b.dis);
    b.invalid = 0;
    rebuild(f, &b);
    concentrate(f, 1);
}

static void m_landslide_9(form *f) { small_landslide(f, 5, 4); }
static void m_landslide_10(form *f) { small_landslide(f, 5, 5); }

/* a single selection holding every vote is no signal */
static void m_single_selection(form *f)
{
    shape s = SHAPES[f->kind];
    s.n = 1;
    build(f, f->kind, &BASE, &s);
}

static void with_invalid(form *f, uint16_t invalid)
{
    base b = BASE;
    b.invalid = invalid;
    rebuild(f, &b);
}

static void m_invalid_20(form *f) { with_invalid(f, 20); } /* 20 / 198 > 10% */
static void m_invalid_19(form *f) { with_invalid(f, 19); } /* 19 / 198 < 10% */

/* exactly 10%: 20 of 200 */
static void m_invalid_10pct(form *f)
{
    base b = BASE;
    b.b1[0] = 91;
    b.b1[1] = 101;
    b.invalid = 20;
    rebuild(f, &b);
}

/* tiny TPS: V.C = 19 with 10 invalid is no signal; V.C = 20 with 3 is */
static void tiny_tps(form *f, uint16_t male, uint16_t female, uint16_t invalid)
{
    base b = BASE;
    b.b1[0] = male;
    b.b1[1] = female;
    memset(b.b2, 0, sizeof b.b2);
    memset(b.b3, 0, sizeof b.b3);
    memset(b.dis, 0, sizeof b.dis);
    b.invalid = invalid;
    rebuild(f, &b);
}

static void m_invalid_tiny_19(form *f) { tiny_tps(f, 10, 9, 10); }
static void m_invalid_tiny_20(form *f) { tiny_tps(f, 10, 10, 3); }

/* an empty TPS (nobody came) breaks nothing */
static void m_empty(form *f) { tiny_tps(f, 0, 0, 0); }

static const election_rules NO_ALLOWANCE = {.reserve_permille = 20};
static const election_rules NO_RESERVE = {.reserve_permille = 0, .reserve_dptb = 1,
                                          .reserve_dpk = 1};

static const rule_case form_cases[] = {
    {"valid form", K_ALL, NULL, NULL, 0},
    {"valid form, explicit rules", K_ALL, NULL, &NO_RESERVE, 0},
    {"empty TPS", K_ALL, m_empty, NULL, 0},
    /* LPT_SUM on every row */
    {"dpt m+f != total", K_ALL, m_lpt_dpt, NULL, BIT(RULE_LPT_SUM)},
    {"dptb m+f != total", K_ALL, m_lpt_dptb, NULL, BIT(RULE_LPT_SUM)},
    {"dpk m+f != total", K_ALL, m_lpt_dpk, NULL, BIT(RULE_LPT_SUM)},
    {"disabled m+f != total", K_ALL, m_lpt_disabled, NULL, BIT(RULE_LPT_SUM)},
    {"b1 m+f != total", K_ALL, m_lpt_b1, NULL, BIT(RULE_LPT_SUM) | BIT(RULE_B4_SUM)},
    {"b2 m+f != total", K_ALL, m_lpt_b2, NULL, BIT(RULE_LPT_SUM) | BIT(RULE_B4_SUM)},
    {"b3 m+f != total", K_ALL, m_lpt_b3, NULL, BIT(RULE_LPT_SUM) | BIT(RULE_B4_SUM)},
    {"b4 m+f != total", K_ALL, m_lpt_b4, NULL, BIT(RULE_LPT_SUM) | BIT(RULE_B4_SUM)},
    /* voters section */
    {"B4 != B1+B2+B3", K_ALL, m_b4_sum, NULL, BIT(RULE_B4_SUM)},
    {"B1 > DPT", K_ALL, m_b1_dpt, NULL, BIT(RULE_B1_DPT)},
    {"B1 = DPT", K_ALL, m_b1_eq_dpt, NULL, 0},
    {"B2 > DPTb", K_ALL, m_b2_dptb, NULL, BIT(RULE_B2_DPTB)},
    {"B2 = DPTb", K_ALL, m_b2_eq_dptb, NULL, 0},
    {"B3 > DPK", K_ALL, m_b3_dpk, NULL, BIT(RULE_B3_DPK)},
    {"B3 = DPK", K_ALL, m_b3_eq_dpk, NULL, 0},
    {"B4 > DPT+DPTb+DPK via B1", K_ALL, m_b4_cap_via_b1, NULL,
     BIT(RULE_B1_DPT) | BIT(RULE_B4_CAP)},
    {"B4 written too large", K_ALL, m_b4_cap_written, NULL,
     BIT(RULE_B4_SUM) | BIT(RULE_B4_CAP) | BIT(RULE_USED_B4) | BIT(RULE_TOTAL_B4) |
         BIT(RULE_TURNOUT_OVER)},
    {"B4 = DPT+DPTb+DPK", K_ALL, m_b4_eq_cap, NULL, BIT(RULE_TURNOUT_OVER)},
    {"disabled > B4 (male)", K_ALL, m_disabled_cap, NULL, BIT(RULE_DISABLED_CAP)},
    {"disabled > B4 (female)", K_ALL, m_disabled_cap_female, NULL, BIT(RULE_DISABLED_CAP)},
    {"disabled = B4", K_ALL, m_disabled_eq_b4, NULL, 0},
    /* ballot papers */
    {"received != sum (damaged)", K_ALL, m_ballot_sum_damaged, NULL, BIT(RULE_BALLOT_SUM)},
    {"received != sum (received)", K_ALL, m_ballot_sum_received, NULL, BIT(RULE_BALLOT_SUM)},
    {"received over cap", K_ALL, m_received_cap, NULL, BIT(RULE_RECEIVED_CAP)},
    {"received at cap", K_ALL, m_received_eq_cap, NULL, 0},
    {"received at rounded-up cap", K_ALL, m_received_round_ok, NULL, 0},
    {"received over rounded-up cap", K_ALL, m_received_round_over, NULL,
     BIT(RULE_RECEIVED_CAP)},
    {"no DPTb/DPK allowance: over", K_ALL, NULL, &NO_ALLOWANCE, BIT(RULE_RECEIVED_CAP)},
    {"no DPTb/DPK allowance: 256", K_ALL, m_received_256, &NO_ALLOWANCE,
     BIT(RULE_RECEIVED_CAP)},
    {"no DPTb/DPK allowance: 255", K_ALL, m_received_255, &NO_ALLOWANCE, 0},
    {"no reserve: 262", K_ALL, m_received_262, &NO_RESERVE, 0},
    {"no reserve: 263", K_ALL, m_received_263, &NO_RESERVE, BIT(RULE_RECEIVED_CAP)},
    {"used != B4", K_ALL, m_used_b4, NULL, BIT(RULE_USED_B4)},
    /* votes */
    {"V.C != V.A + V.B", K_ALL, m_total_sum, NULL, BIT(RULE_TOTAL_SUM)},
    {"V.C != B4", K_ALL, m_total_b4, NULL, BIT(RULE_TOTAL_B4)},
    {"selections != V.A", K_ALL, m_votes_sum, NULL, BIT(RULE_VOTES_SUM)},
    {"V.A moved to V.B", K_ALL, m_votes_sum_valid, NULL, BIT(RULE_VOTES_SUM)},
    {"party total != candidates", K_PARTY, m_party_sum_candidate, NULL, BIT(RULE_PARTY_SUM)},
    {"party total != party-only", K_PARTY, m_party_sum_only, NULL, BIT(RULE_PARTY_SUM)},
    /* soft signals */
    {"turnout over 100%", K_ALL, m_turnout_over, NULL, BIT(RULE_TURNOUT_OVER)},
    {"turnout exactly 100%", K_ALL, m_turnout_eq, NULL, 0},
    {"first takes all", K_ALL, m_one_takes_all_first, NULL, BIT(RULE_ONE_TAKES_ALL)},
    {"last takes all", K_ALL, m_one_takes_all_last, NULL, BIT(RULE_ONE_TAKES_ALL)},
    {"9 valid votes to one", K_ALL, m_landslide_9, NULL, 0},
    {"10 valid votes to one", K_ALL, m_landslide_10, NULL, BIT(RULE_ONE_TAKES_ALL)},
    {"one selection only", K_ALL, m_single_selection, NULL, 0},
    {"invalid 20 of 198", K_ALL, m_invalid_20, NULL, BIT(RULE_INVALID_HIGH)},
    {"invalid 19 of 198", K_ALL, m_invalid_19, NULL, 0},
    {"invalid 20 of 200", K_ALL, m_invalid_10pct, NULL, 0},
    {"invalid 10 of 19", K_ALL, m_invalid_tiny_19, NULL, 0},
    {"invalid 3 of 20", K_ALL, m_invalid_tiny_20, NULL, BIT(RULE_INVALID_HIGH)},
};

/* The fixture's numbers, by hand: if the builder drifted, every case
 * above would test something else. */
static void test_builder(void **state)
{
    (void)state;
    form *f = mem_alloc(sizeof *f);

    for (int k = 0; k < CONTEST_KINDS; k++) {
        build_base(f, (contest_kind)k, &BASE);
        assert_int_equal(f->dpt.total, 250);
        assert_int_equal(f->b4.male, 95);
        assert_int_equal(f->b4.female, 103);
        assert_int_equal(f->b4.total, 198);
        assert_int_equal(f->received, 260);
        assert_int_equal(f->valid, 190);
        assert_int_equal(f->total, 198);
        if (k == CONTEST_PPWP) {
            assert_int_equal(f->nvotes, 3);
            assert_int_equal(f->votes[0] + f->votes[1] + f->votes[2], 190);
        } else if (k == CONTEST_DPR) {
            assert_int_equal(f->nparty, 3);
            assert_int_equal(f->nvotes, 10);
            assert_int_equal(f->party[2].no, 5);
            assert_int_equal(f->party[0].total + f->party[1].total + f->party[2].total, 190);
        }
    }
    free(f);
}

static void test_form_rules(void **state)
{
    (void)state;
    run_cases(form_cases, sizeof form_cases / sizeof form_cases[0], NULL);
}

/* Round trip through JSON keeps every verdict: the checks see what the
 * parser gives them. */
static void test_rules_after_roundtrip(void **state)
{
    (void)state;
    form *f = mem_alloc(sizeof *f), *g = mem_alloc(sizeof *g);
    rule_report *a = mem_alloc(sizeof *a), *b = mem_alloc(sizeof *b);
    char buf[FORM_TEXT_MAX];

    for (size_t i = 0; i < sizeof form_cases / sizeof form_cases[0]; i++) {
        for (int k = 0; k < CONTEST_KINDS; k++) {
            build_base(f, (contest_kind)k, &BASE);
            if (form_cases[i].mutate)
                form_cases[i].mutate(f);
            size_t n = form_format(f, buf, sizeof buf);
            assert_int_equal(form_parse(buf, n, g, NULL), 0);
            rules_report_init(a);
            rules_report_init(b);
            rules_check_form(f, form_cases[i].rules, a);
            rules_check_form(g, form_cases[i].rules, b);
            assert_int_equal(hit_mask(a), hit_mask(b));
            assert_int_equal(a->nhard, b->nhard);
        }
    }
    free(a);
    free(b);
    free(f);
    free(g);
}

/* ------------------------------------------------------------------ */
/* against the election                                                */

static void m_tps_unknown(form *f) { strcpy(f->tps, "3273011001009"); }
static void m_desa_unknown(form *f) { strcpy(f->tps, "3273011003001"); }
static void m_other_tps(form *f) { strcpy(f->tps, "3273011002001"); }
static void m_abroad(form *f) { strcpy(f->tps, TPS_ABROAD); }
static void m_dpt_male(form *f) { set_dpt(f, 121, 130); }
static void m_dpt_female(form *f) { set_dpt(f, 120, 131); }

static void reshape(form *f, void (*edit)(shape *s))
{
    shape s = SHAPES[f->kind];
    edit(&s);
    build(f, f->kind, &BASE, &s);
}

static void e_one_more(shape *s) { s->no[s->n] = 9; s->ncand[s->n] = 1; s->n++; }
static void e_one_less(shape *s) { s->n--; }
static void e_swap(shape *s)
{
    uint16_t no = s->no[0], nc = s->ncand[0];
    s->no[0] = s->no[1];
    s->ncand[0] = s->ncand[1];
    s->no[1] = no;
    s->ncand[1] = nc;
}
static void e_renumber(shape *s) { s->no[2] = 6; }
static void e_candidates(shape *s) { s->ncand[1]++; }

static void m_shape_more(form *f) { reshape(f, e_one_more); }
static void m_shape_less(form *f) { reshape(f, e_one_less); }
static void m_shape_swap(form *f) { reshape(f, e_swap); }
static void m_shape_renumber(form *f) { reshape(f, e_renumber); }
static void m_shape_candidates(form *f) { reshape(f, e_candidates); }

static const rule_case election_cases[] = {
    {"valid form", K_ALL, NULL, NULL, 0},
    {"another TPS of the election", K_ALL, m_other_tps, NULL, 0},
    {"abroad: PPWP and DPR", BIT(CONTEST_PPWP) | BIT(CONTEST_DPR), m_abroad, NULL, 0},
    {"abroad: DPD and DPRD", BIT(CONTEST_DPD) | BIT(CONTEST_DPRD_PROV) | BIT(CONTEST_DPRD_KAB),
     m_abroad, NULL, BIT(RULE_CONTEST_NOT_HERE)},
    {"TPS number unknown", K_ALL, m_tps_unknown, NULL, BIT(RULE_TPS_UNKNOWN)},
    {"desa unknown", K_ALL, m_desa_unknown, NULL, BIT(RULE_TPS_UNKNOWN)},
    {"one selection more", K_ALL, m_shape_more, NULL, BIT(RULE_BALLOT_SHAPE)},
    {"one selection less", K_ALL, m_shape_less, NULL, BIT(RULE_BALLOT_SHAPE)},
    {"parties swapped", K_PARTY, m_shape_swap, NULL, BIT(RULE_BALLOT_SHAPE)},
    {"party renumbered", K_PARTY, m_shape_renumber, NULL, BIT(RULE_BALLOT_SHAPE)},
    {"candidate count", K_PARTY, m_shape_candidates, NULL, BIT(RULE_BALLOT_SHAPE)},
    {"DPT male differs", K_ALL, m_dpt_male, NULL, BIT(RULE_DPT_MISMATCH)},
    {"DPT female differs", K_ALL, m_dpt_female, NULL, BIT(RULE_DPT_MISMATCH)},
};

static int setup_election(void **state)
{
    *state = test_election();
    return 0;
}

static int teardown_election(void **state)
{
    election_free(*state);
    return 0;
}

static void test_election_rules(void **state)
{
    run_cases(election_cases, sizeof election_cases / sizeof election_cases[0], *state);
}

/* A ballot that is not cast at the TPS says so once; the shape and the DPT
 * are then not compared (there is no ballot to compare with). */
static void test_election_stops_early(void **state)
{
    const election *el = *state;
    form *f = mem_alloc(sizeof *f);
    rule_report *r = mem_alloc(sizeof *r);

    build_base(f, CONTEST_DPD, &BASE);
    m_abroad(f);
    m_shape_more(f);
    strcpy(f->tps, TPS_ABROAD);
    set_dpt(f, 1, 1);
    rules_report_init(r);
    rules_check_election(f, el, r);
    assert_int_equal(r->nhit, 1);
    assert_int_equal(r->hit[0].id, RULE_CONTEST_NOT_HERE);
    assert_non_null(strstr(r->hit[0].detail, "dpd"));

    strcpy(f->tps, "3273011001999");
    rules_report_init(r);
    rules_check_election(f, el, r);
    assert_int_equal(r->nhit, 1);
    assert_int_equal(r->hit[0].id, RULE_TPS_UNKNOWN);
    assert_non_null(strstr(r->hit[0].detail, "3273011001999"));
    free(r);
    free(f);
}

/* The shape hit names the first difference. */
static void test_election_shape_detail(void **state)
{
    const election *el = *state;
    form *f = mem_alloc(sizeof *f);
    rule_report *r = mem_alloc(sizeof *r);

    build_base(f, CONTEST_DPR, &BASE);
    m_shape_renumber(f);
    rules_report_init(r);
    rules_check_election(f, el, r);
    assert_int_equal(r->nhit, 1);
    assert_non_null(strstr(r->hit[0].detail, "parties[2]"));
    assert_non_null(strstr(r->hit[0].detail, "party 6"));
    assert_non_null(strstr(r->hit[0].detail, "party 5"));

    build_base(f, CONTEST_DPD, &BASE);
    m_shape_less(f);
    rules_report_init(r);
    rules_check_election(f, el, r);
    assert_int_equal(r->nhit, 1);
    assert_non_null(strstr(r->hit[0].detail, "5 candidates"));
    assert_non_null(strstr(r->hit[0].detail, "6"));
    free(r);
    free(f);
}

/* ------------------------------------------------------------------ */
/* the one entry point                                                 */

static void assert_same_report(const rule_report *a, const rule_report *b)
{
    assert_int_equal(a->nhit, b->nhit);
    assert_int_equal(a->nhard, b->nhard);
    assert_int_equal(a->nsoft, b->nsoft);
    assert_int_equal(a->truncated, b->truncated);
    for (unsigned i = 0; i < a->nhit; i++) {
        assert_int_equal(a->hit[i].id, b->hit[i].id);
        assert_string_equal(a->hit[i].detail, b->hit[i].detail);
    }
}

/* rules_check on one form: its report starts empty, and it is its two
 * halves (without an election, the form alone with the default reserve);
 * the election's half adds HARD hits only, so the flag is the same from
 * the form's own rules (count's way) as from all of them. */
static void check_one_form(const form *f, const election *el, rule_report *a, rule_report *b)
{
    rules_report_init(a);
    rules_report_add(a, RULE_INVALID_HIGH, "left from another form");
    rules_check(f, NULL, a);
    rules_report_init(b);
    rules_check_form(f, NULL, b);
    assert_same_report(a, b);

    rules_check(f, el, a);
    rules_report_init(b);
    rules_check_form(f, &el->rules, b);
    int own = rules_flagged(b);
    unsigned nsoft = b->nsoft;
    rules_check_election(f, el, b);
    assert_same_report(a, b);
    assert_int_equal(a->nsoft, nsoft);
    assert_int_equal(rules_flagged(a), own);
}

/* Over every case of both tables, on every ballot. */
static void test_check_entry_point(void **state)
{
    const election *el = *state;
    const rule_case *tables[] = {form_cases, election_cases};
    size_t sizes[] = {sizeof form_cases / sizeof form_cases[0],
                      sizeof election_cases / sizeof election_cases[0]};
    form *f = mem_alloc(sizeof *f);
    rule_report *a = mem_alloc(sizeof *a), *b = mem_alloc(sizeof *b);

    for (size_t t = 0; t < 2; t++)
        for (size_t i = 0; i < sizes[t]; i++)
            for (int k = 0; k < CONTEST_KINDS; k++) {
                if (!(tables[t][i].kinds & BIT(k)))
                    continue;
                build_base(f, (contest_kind)k, &BASE);
                if (tables[t][i].mutate)
                    tables[t][i].mutate(f);
                check_one_form(f, el, a, b);
            }
    free(a);
    free(b);
    free(f);
}

/* A form whose own numbers are right but which breaks a rule against the
 * election: only rules_check with the election sees it, and it does not
 * count. With a soft signal as well, the hard hit still decides. */
static void test_check_breaks_election_rule(void **state)
{
    const election *el = *state;
    form *f = mem_alloc(sizeof *f);
    rule_report *r = mem_alloc(sizeof *r);
    char codes[64];

    build_base(f, CONTEST_DPR, &BASE);
    m_dpt_male(f);
    rules_check(f, NULL, r);
    assert_int_equal(r->nhit, 0);
    rules_check(f, el, r);
    assert_int_equal(r->nhit, 1);
    assert_int_equal(r->hit[0].id, RULE_DPT_MISMATCH);
    assert_int_equal(r->nhard, 1);
    assert_false(rules_flagged(r));
    rules_report_codes(r, RULE_HARD, codes, sizeof codes);
    assert_string_equal(codes, "DPT_MISMATCH");

    build_base(f, CONTEST_PPWP, &BASE);
    m_turnout_over(f); /* a smaller DPT: over 100%, and not the registered one */
    rules_check(f, el, r);
    assert_int_equal(hit_mask(r), BIT(RULE_TURNOUT_OVER) | BIT(RULE_DPT_MISMATCH));
    assert_int_equal(r->nhard, 1);
    assert_int_equal(r->nsoft, 1);
    rules_report_codes(r, RULE_HARD, codes, sizeof codes);
    assert_string_equal(codes, "DPT_MISMATCH");

    build_base(f, CONTEST_DPD, &BASE);
    m_abroad(f);
    rules_check(f, el, r);
    assert_int_equal(hit_mask(r), BIT(RULE_CONTEST_NOT_HERE));
    free(r);
    free(f);
}

/* A form with a soft signal counts and is flagged, with or without the
 * election; a clean form is not flagged. */
static void test_check_soft_flag(void **state)
{
    const election *el = *state;
    form *f = mem_alloc(sizeof *f);
    rule_report *r = mem_alloc(sizeof *r);
    char codes[64];

    for (int k = 0; k < CONTEST_KINDS; k++) {
        build_base(f, (contest_kind)k, &BASE);
        rules_check(f, el, r);
        assert_int_equal(r->nhit, 0);
        assert_false(rules_flagged(r));

        m_one_takes_all_first(f);
        for (int with_el = 0; with_el < 2; with_el++) {
            rules_check(f, with_el ? el : NULL, r);
            assert_int_equal(hit_mask(r), BIT(RULE_ONE_TAKES_ALL));
            assert_int_equal(r->nhard, 0);
            assert_true(rules_flagged(r));
            rules_report_codes(r, RULE_SOFT, codes, sizeof codes);
            assert_string_equal(codes, "ONE_TAKES_ALL");
        }
    }
    free(r);
    free(f);
}

/* ------------------------------------------------------------------ */
/* the table, the report and the messages                              */

static int upper_snake(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static void test_table(void **state)
{
    (void)state;
    unsigned soft = 0;

    for (unsigned i = 0; i < RULE_COUNT; i++) {
        const rule_def *d = rules_def((rule_id)i);
        assert_non_null(d);
        assert_int_equal(d->id, i);
        assert_true(upper_snake(d->code));
        assert_ptr_equal(rules_find(d->code), d);
        for (unsigned j = 0; j < i; j++)
            assert_string_not_equal(rules_def((rule_id)j)->code, d->code);
        assert_true(strlen(d->msg_id) > 10);
        assert_true(strlen(d->msg_en) > 10);
        assert_string_not_equal(d->msg_id, d->msg_en);
        if (d->severity == RULE_SOFT)
            soft |= BIT(i);
    }
    assert_int_equal(soft, BIT(RULE_TURNOUT_OVER) | BIT(RULE_ONE_TAKES_ALL) |
                               BIT(RULE_INVALID_HIGH) | BIT(RULE_NEIGHBOUR_OUTLIER));
    assert_null(rules_def(RULE_COUNT));
    assert_null(rules_find("NO_SUCH_RULE"));
    assert_null(rules_find("b4_sum"));
    assert_string_equal(rules_def(RULE_B4_SUM)->code, "B4_SUM");
    assert_string_equal(rules_find("RECEIVED_CAP")->msg_en,
                        rules_def(RULE_RECEIVED_CAP)->msg_en);
}

static void test_report_truncates(void **state)
{
    (void)state;
    rule_report *r = mem_alloc(sizeof *r);

    rules_report_init(r);
    for (unsigned i = 0; i < RULES_HITS_MAX + 6; i++)
        rules_report_add(r, i % 2 ? RULE_PARTY_SUM : RULE_INVALID_HIGH, "hit %u", i);
    assert_int_equal(r->nhit, RULES_HITS_MAX);
    assert_int_equal(r->truncated, 6);
    assert_int_equal(r->nhard + r->nsoft, RULES_HITS_MAX + 6);
    assert_int_equal(r->nhard, (RULES_HITS_MAX + 6) / 2);
    assert_string_equal(r->hit[RULES_HITS_MAX - 1].detail, "hit 63");

    /* a long detail is cut to the field, NUL-terminated */
    rules_report_init(r);
    rules_report_add(r, RULE_LPT_SUM, "%0200d", 7);
    assert_int_equal(strlen(r->hit[0].detail), RULES_DETAIL_MAX - 1);
    free(r);
}

/* A form broken everywhere: the report keeps the first RULES_HITS_MAX
 * details, and the counts still see every hit. */
static void test_report_many_hits(void **state)
{
    (void)state;
    form *f = mem_alloc(sizeof *f);
    rule_report *r = mem_alloc(sizeof *r);

    memset(f, 0, sizeof *f);
    strcpy(f->tps, TPS_HOME);
    f->kind = CONTEST_DPR;
    f->nparty = FORM_PARTIES_MAX;
    for (unsigned p = 0; p < FORM_PARTIES_MAX; p++)
        f->party[p] = (form_party){.no = (uint16_t)(p + 1), .total = 1};
    /* nobody registered, one voter of each sex on every voted row */
    f->b1 = f->b2 = f->b3 = (form_lpt){1, 1, 1};
    f->b4 = (form_lpt){2, 2, 2};
    f->received = 1;
    f->total = 1;
    rules_report_init(r);
    rules_check_form(f, NULL, r);
    /* LPT_SUM: b1..b4 (4); per column: B4_SUM, B1_DPT, B2_DPTB, B3_DPK,
     * B4_CAP (15); BALLOT_SUM, RECEIVED_CAP, USED_B4 (3); TOTAL_SUM,
     * TOTAL_B4, VOTES_SUM (3); PARTY_SUM (40); soft: TURNOUT_OVER */
    assert_int_equal(r->nhard, 4 + 15 + 3 + 3 + FORM_PARTIES_MAX);
    assert_int_equal(r->nsoft, 1);
    assert_int_equal(r->nhit, RULES_HITS_MAX);
    assert_int_equal(r->truncated, r->nhard + r->nsoft - RULES_HITS_MAX);
    assert_int_equal(r->hit[RULES_HITS_MAX - 1].id, RULE_PARTY_SUM);
    free(r);
    free(f);
}

static void test_details(void **state)
{
    (void)state;
    form *f = mem_alloc(sizeof *f);
    rule_report *r = mem_alloc(sizeof *r);

    build_base(f, CONTEST_DPRD_KAB, &BASE);
    m_party_sum_candidate(f);
    rules_report_init(r);
    rules_check_form(f, NULL, r);
    assert_int_equal(r->nhit, 1);
    assert_non_null(strstr(r->hit[0].detail, "party 2"));

    build_base(f, CONTEST_PPWP, &BASE);
    m_b4_sum(f);
    rules_report_init(r);
    rules_check_form(f, NULL, r);
    assert_int_equal(r->nhit, 2); /* male and female columns */
    assert_non_null(strstr(r->hit[0].detail, "voters.b4[0]"));
    assert_non_null(strstr(r->hit[0].detail, "96"));
    assert_non_null(strstr(r->hit[1].detail, "voters.b4[1]"));
    assert_non_null(strstr(r->hit[1].detail, "102"));

    build_base(f, CONTEST_DPD, &BASE);
    m_received_cap(f);
    rules_report_init(r);
    rules_check_form(f, NULL, r);
    assert_int_equal(r->nhit, 1);
    assert_non_null(strstr(r->hit[0].detail, "268"));
    assert_non_null(strstr(r->hit[0].detail, "267"));

    build_base(f, CONTEST_DPR, &BASE);
    m_one_takes_all_last(f);
    rules_report_init(r);
    rules_check_form(f, NULL, r);
    assert_int_equal(r->nhit, 1);
    assert_non_null(strstr(r->hit[0].detail, "party 5"));
    free(r);
    free(f);
}

static void test_hit_message(void **state)
{
    (void)state;
    rule_hit h = {.id = RULE_LPT_SUM};
    char buf[512], want[512];

    snprintf(h.detail, sizeof h.detail, "voters.dpt: 120 + 130 != 251");
    rules_hit_message(&h, "id", buf, sizeof buf);
    snprintf(want, sizeof want, "%s: %s", rules_def(RULE_LPT_SUM)->msg_id, h.detail);
    assert_string_equal(buf, want);
    assert_non_null(strstr(buf, "laki-laki"));
    rules_hit_message(&h, "en", buf, sizeof buf);
    snprintf(want, sizeof want, "%s: %s", rules_def(RULE_LPT_SUM)->msg_en, h.detail);
    assert_string_equal(buf, want);
    /* Bahasa Indonesia is the default */
    rules_hit_message(&h, NULL, buf, sizeof buf);
    assert_non_null(strstr(buf, "laki-laki"));
    rules_hit_message(&h, "fr", buf, sizeof buf);
    assert_non_null(strstr(buf, "laki-laki"));
    /* no detail: the message alone; a short buffer is cut, terminated */
    h.detail[0] = '\0';
    rules_hit_message(&h, "en", buf, sizeof buf);
    assert_string_equal(buf, rules_def(RULE_LPT_SUM)->msg_en);
    rules_hit_message(&h, "en", buf, 8);
    assert_int_equal(strlen(buf), 7);
}

/* ------------------------------------------------------------------ */
/* neighbours                                                          */

static void expect_flags(const double *v, size_t n, double spread, const char *want)
{
    unsigned char flagged[16];
    memset(flagged, 1, sizeof flagged);
    rules_neighbour_outliers(v, n, spread, flagged);
    for (size_t i = 0; i < n; i++)
        if (flagged[i] != (want[i] == '1'))
            fail_msg("entry %zu (%.1f): flagged %d, want %c", i, v[i], flagged[i], want[i]);
}

static void test_neighbours(void **state)
{
    (void)state;
    /* odd group: median 50 */
    expect_flags((double[]){10, 90, 50, 52, 48}, 5, 0.30, "11000");
    /* even group: median (70 + 72) / 2 = 71 */
    expect_flags((double[]){70, 72, 75, 20}, 4, 0.30, "0001");
    expect_flags((double[]){70, 72, 75, 41.5}, 4, 0.30, "0000");
    expect_flags((double[]){70, 72, 75, 40.5}, 4, 0.30, "0001");
    /* exactly `spread` away is not flagged */
    expect_flags((double[]){50, 50, 75}, 3, 0.25, "000");
    expect_flags((double[]){50, 50, 75.5}, 3, 0.25, "001");
    /* fewer than 3 make no group */
    expect_flags((double[]){10, 95}, 2, 0.30, "00");
    expect_flags((double[]){10}, 1, 0.30, "0");
    expect_flags(NULL, 0, 0.30, "");
    /* NaN (DPT 0) takes no part: still a group of 3, never flagged */
    expect_flags((double[]){70, NAN, 72, 10}, 4, 0.30, "0001");
    expect_flags((double[]){70, NAN, 10}, 3, 0.30, "000");
    /* turnout over 100% is just another number here */
    expect_flags((double[]){80, 85, 150}, 3, 0.30, "001");
}

/* A group larger than the stack buffer. */
static void test_neighbours_large(void **state)
{
    (void)state;
    size_t n = 3000;
    double *v = mem_alloc(n * sizeof *v);
    unsigned char *flagged = mem_alloc(n);

    for (size_t i = 0; i < n; i++)
        v[i] = 60.0 + (double)(i % 21); /* 60..80, median 70 */
    v[1234] = 5.0;
    v[2345] = 100.5;
    rules_neighbour_outliers(v, n, 0.30, flagged);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(flagged[i], i == 1234 || i == 2345);
    free(flagged);
    free(v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_builder),
        cmocka_unit_test(test_form_rules),
        cmocka_unit_test(test_rules_after_roundtrip),
        cmocka_unit_test_setup_teardown(test_election_rules, setup_election, teardown_election),
        cmocka_unit_test_setup_teardown(test_election_stops_early, setup_election,
                                        teardown_election),
        cmocka_unit_test_setup_teardown(test_election_shape_detail, setup_election,
                                        teardown_election),
        cmocka_unit_test_setup_teardown(test_check_entry_point, setup_election,
                                        teardown_election),
        cmocka_unit_test_setup_teardown(test_check_breaks_election_rule, setup_election,
                                        teardown_election),
        cmocka_unit_test_setup_teardown(test_check_soft_flag, setup_election,
                                        teardown_election),
        cmocka_unit_test(test_table),
        cmocka_unit_test(test_report_truncates),
        cmocka_unit_test(test_report_many_hits),
        cmocka_unit_test(test_details),
        cmocka_unit_test(test_hit_message),
        cmocka_unit_test(test_neighbours),
        cmocka_unit_test(test_neighbours_large),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
