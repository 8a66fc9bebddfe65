/* Tests for gen: the districting helpers (exact sums, bounds, optimal
 * balanced consecutive groups against brute force), the vote split, a
 * one-province election from the real master data (determinism, every form
 * free of hard rule breaks, contests chosen independently, the PPWP table
 * reproduced exactly, all error paths), overseas, and the national figures. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/rules.h"
#include "gen/gen.h"
#include "gen/gen_internal.h"
#include "io/masterdata.h"

#define SMALL_PROV "65" /* Kalimantan Utara: small, so fast under ASan */

/* ---- helpers ------------------------------------------------------------ */

static election *make_election(const char *scope, uint64_t seed)
{
    err_info e = {0};
    region_tree *t = NULL;
    election *el = NULL;
    assert_int_equal(masterdata_load(REKAP_DATA_DIR, &t, &e), 0);
    gen_params p;
    gen_params_default(&p);
    p.seed = seed;
    p.scope = scope;
    int rc = gen_election(t, &p, &el, &e);
    if (rc < 0)
        fail_msg("gen_election: %s %s %s", e.code, e.where, e.msg);
    return el;
}

static char *election_bytes(const election *el, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    assert_int_equal(election_write(el, f), 0);
    fclose(f);
    return buf;
}

/* What a sink run collected: a hash of every form's bytes, counts, rule
 * hits and per-province PPWP sums. */
typedef struct collect {
    const election *el;
    uint64_t hash, khash[CONTEST_KINDS];
    unsigned long nform, nhard, per_kind[CONTEST_KINDS];
    uint64_t ppwp[100][3];
    char first_hard[160];
    int stop_after;          /* > 0: return ERR_IO at this form */
} collect;

static int collect_sink(void *ctx, const form *f)
{
    collect *c = ctx;
    static char buf[FORM_JSON_MAX];
    size_t n = form_format(f, buf, sizeof buf);
    assert_true(n < sizeof buf);
    for (size_t i = 0; i < n; i++) {
        c->hash = (c->hash ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
        c->khash[f->kind] = (c->khash[f->kind] ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
    }
    rule_report r;
    rules_report_init(&r);
    rules_check_form(f, &c->el->rules, &r);
    rules_check_election(f, c->el, &r);
    if (r.nhard && !c->nhard)
        snprintf(c->first_hard, sizeof c->first_hard, "%s %s: %s %s", f->tps,
                 contest_kind_id[f->kind], rules_def(r.hit[0].id)->code, r.hit[0].detail);
    c->nhard += r.nhard;
    c->nform++;
    c->per_kind[f->kind]++;
    if (f->kind == CONTEST_PPWP) {
        int prov = (f->tps[0] - '0') * 10 + (f->tps[1] - '0');
        for (unsigned j = 0; j < f->nvotes && j < 3; j++)
            c->ppwp[prov][j] += f->votes[j];
    }
    if (c->stop_after && c->nform == (unsigned long)c->stop_after)
        return ERR_IO;
    return 0;
}

static void run_forms(const election *el, uint64_t seed, unsigned kinds,
                      const gen_ppwp_table *tab, collect *c)
{
    err_info e = {0};
    memset(c, 0, sizeof *c);
    c->el = el;
    c->hash = 0xcbf29ce484222325ULL;
    int rc = gen_forms(el, seed, kinds, tab, collect_sink, c, &e);
    if (rc < 0)
        fail_msg("gen_forms: %s %s %s", e.code, e.where, e.msg);
    if (c->nhard)
        fail_msg("%lu hard rule hits, first: %s", c->nhard, c->first_hard);
}

static uint64_t tps_dpt(const election *el)
{
    uint64_t sum = 0;
    for (size_t i = 0; i < el->ntps; i++)
        sum += (uint64_t)el->tps[i].dpt_male + el->tps[i].dpt_female;
    return sum;
}

/* ---- apportionment ----------------------------------------------------- */

static void test_apportion(void **state)
{
    (void)state;
    const double w[] = {100, 1, 50, 0, 30, 2000};
    unsigned out[6];
    assert_int_equal(gen_apportion(w, 6, 60, 3, 12, out), 0);
    unsigned sum = 0;
    for (int i = 0; i < 6; i++) {
        assert_true(out[i] >= 3 && out[i] <= 12);
        sum += out[i];
    }
    assert_int_equal(sum, 60);
    assert_int_equal(out[5], 12);          /* the giant is capped */
    assert_true(out[0] >= out[2] && out[2] >= out[4] && out[4] >= out[1]);
    assert_int_equal(out[3], 3);           /* zero weight: the floor */

    /* unbounded: plain largest remainder */
    const double v[] = {0.5, 0.3, 0.2};
    assert_int_equal(gen_apportion(v, 3, 10, 0, 100, out), 0);
    assert_int_equal(out[0], 5);
    assert_int_equal(out[1], 3);
    assert_int_equal(out[2], 2);
    const double z[] = {0, 0, 0, 0};
    assert_int_equal(gen_apportion(z, 4, 8, 0, 8, out), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(out[i], 2);

    /* infeasible bounds */
    assert_int_equal(gen_apportion(w, 6, 17, 3, 12, out), ERR_INVALID);
    assert_int_equal(gen_apportion(w, 6, 73, 3, 12, out), ERR_INVALID);
    assert_int_equal(gen_apportion(w, 6, 10, 5, 4, out), ERR_INVALID);
}

/* Random weights and totals: always exact and in bounds. */
static void test_apportion_random(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 11);
    for (int it = 0; it < 300; it++) {
        size_t n = 1 + rng_below(&r, 40);
        unsigned lo = (unsigned)rng_below(&r, 4), hi = lo + (unsigned)rng_below(&r, 10);
        unsigned total = lo * (unsigned)n + (unsigned)rng_below(&r, (hi - lo) * n + 1);
        double w[40];
        unsigned out[40], sum = 0;
        for (size_t i = 0; i < n; i++)
            w[i] = rng_uniform(&r) < 0.1 ? 0.0 : exp(3 * rng_normal(&r));
        assert_int_equal(gen_apportion(w, n, total, lo, hi, out), 0);
        for (size_t i = 0; i < n; i++) {
            assert_true(out[i] >= lo && out[i] <= hi);
            sum += out[i];
        }
        assert_int_equal(sum, total);
    }
}

/* ---- partition ---------------------------------------------------------- */

static double groups_cost(const double *pop, size_t n, unsigned k, const size_t *start)
{
    double total = 0.0, cost = 0.0;
    for (size_t i = 0; i < n; i++)
        total += pop[i];
    for (unsigned g = 0; g < k; g++) {
        double s = 0.0;
        for (size_t i = start[g]; i < start[g + 1]; i++)
            s += pop[i];
        cost += (s - total / k) * (s - total / k);
    }
    return cost;
}

/* Least cost over every way to cut n units into k consecutive groups. */
static double brute_cost(const double *pop, size_t n, unsigned k, size_t *start,
                         unsigned g)
{
    if (g == k) {
        start[k] = n;
        return groups_cost(pop, n, k, start);
    }
    double best = INFINITY;
    for (size_t s = start[g - 1] + 1; s + (k - g) <= n; s++) {
        start[g] = s;
        double c = brute_cost(pop, n, k, start, g + 1);
        if (c < best)
            best = c;
    }
    return best;
}

static void test_partition(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 3);
    for (int it = 0; it < 200; it++) {
        size_t n = 1 + rng_below(&r, 9);
        unsigned k = 1 + (unsigned)rng_below(&r, n < 4 ? n : 4);
        double pop[10];
        size_t start[11], tmp[11];
        for (size_t i = 0; i < n; i++)
            pop[i] = floor(1000 * exp(rng_normal(&r)));
        gen_partition(pop, n, k, start);
        assert_int_equal(start[0], 0);
        assert_int_equal(start[k], n);
        for (unsigned g = 0; g < k; g++)
            assert_true(start[g] < start[g + 1]); /* non-empty, in order */
        tmp[0] = 0;
        double best = k == 1 ? groups_cost(pop, n, 1, (size_t[]){0, n})
                             : brute_cost(pop, n, k, tmp, 1);
        assert_true(fabs(groups_cost(pop, n, k, start) - best) <= 1e-6 * (best + 1));
    }
    /* equal units split evenly */
    double eq[12];
    size_t st[5];
    for (int i = 0; i < 12; i++)
        eq[i] = 5;
    gen_partition(eq, 12, 4, st);
    for (int g = 0; g < 4; g++)
        assert_int_equal(st[g + 1] - st[g], 3);
}

static void test_choose_counts(void **state)
{
    (void)state;
    const unsigned seats[] = {91, 3, 22, 8, 40};
    unsigned kmin[5], kmax[5], k[5], lo = 0, hi = 0;
    for (int i = 0; i < 5; i++) {
        kmin[i] = (seats[i] + 9) / 10;
        kmax[i] = seats[i] / 3;
        lo += kmin[i];
        hi += kmax[i];
    }
    for (unsigned target = lo; target <= hi; target++) {
        assert_int_equal(gen_choose_counts(seats, kmin, kmax, 5, target, k), target);
        unsigned sum = 0;
        for (int i = 0; i < 5; i++) {
            assert_true(k[i] >= kmin[i] && k[i] <= kmax[i]);
            sum += k[i];
        }
        assert_int_equal(sum, target);
    }
    /* beyond the bounds: as near as they allow */
    assert_int_equal(gen_choose_counts(seats, kmin, kmax, 5, 5, k), lo);
    assert_int_equal(gen_choose_counts(seats, kmin, kmax, 5, 500, k), hi);
}

static void test_split(void **state)
{
    (void)state;
    rng r;
    rng_seed(&r, 8);
    const double cum[] = {1, 1, 3, 6, 6, 10}; /* selections 1 and 4 weigh nothing */
    uint16_t out[6];
    unsigned long got[6] = {0};
    for (int it = 0; it < 2000; it++) {
        unsigned n = (unsigned)rng_below(&r, 400);
        gen_split(&r, n, cum, 6, out);
        unsigned sum = 0;
        for (int j = 0; j < 6; j++) {
            sum += out[j];
            got[j] += out[j];
        }
        assert_int_equal(sum, n);
        assert_int_equal(out[1], 0);
        assert_int_equal(out[4], 0);
    }
    double all = got[0] + got[2] + got[3] + got[5];
    assert_true(fabs(got[5] / all - 0.4) < 0.01);
    assert_true(fabs(got[0] / all - 0.1) < 0.01);
}

/* ---- one province from the real data ------------------------------------ */

static void test_province_deterministic(void **state)
{
    (void)state;
    election *a = make_election(SMALL_PROV, 42), *b = make_election(SMALL_PROV, 42);
    election *c = make_election(SMALL_PROV, 43);
    size_t la, lb, lc;
    char *ba = election_bytes(a, &la), *bb = election_bytes(b, &lb);
    char *bc = election_bytes(c, &lc);
    assert_true(la == lb && memcmp(ba, bb, la) == 0);
    assert_false(la == lc && memcmp(ba, bc, la) == 0);
    collect ca, cb, cc;
    run_forms(a, 7, 0x1f, NULL, &ca);
    run_forms(b, 7, 0x1f, NULL, &cb);
    run_forms(a, 8, 0x1f, NULL, &cc);
    assert_true(ca.hash == cb.hash);
    assert_false(ca.hash == cc.hash);
    free(ba);
    free(bb);
    free(bc);
    election_free(a);
    election_free(b);
    election_free(c);
}

/* Every TPS of the province gets all five ballots, every form is clean, and
 * asking for one contest gives the same forms as asking for all. */
static void test_province_forms(void **state)
{
    (void)state;
    election *el = make_election(SMALL_PROV, 1);
    assert_true(el->ntps > 1000);
    for (size_t i = 0; i < el->ntps; i++) {
        unsigned dpt = el->tps[i].dpt_male + el->tps[i].dpt_female;
        assert_true(dpt >= 1 && dpt <= 300);
    }
    collect all, some, none;
    run_forms(el, 2, 0x1f, NULL, &all);
    for (int k = 0; k < CONTEST_KINDS; k++)
        assert_int_equal(all.per_kind[k], el->ntps);
    /* bits beyond the five kinds are ignored */
    run_forms(el, 2, (1u << CONTEST_DPR) | (1u << CONTEST_DPD) | (1u << 7), NULL, &some);
    assert_int_equal(some.nform, 2 * el->ntps);
    assert_true(some.khash[CONTEST_DPR] == all.khash[CONTEST_DPR]);
    assert_true(some.khash[CONTEST_DPD] == all.khash[CONTEST_DPD]);
    run_forms(el, 2, 0, NULL, &none);
    assert_int_equal(none.nform, 0);
    election_free(el);
}

/* The same forms with the rules' DPTb/DPK allowances switched off. */
static void test_forms_strict_rules(void **state)
{
    (void)state;
    election *el = make_election(SMALL_PROV, 1);
    el->rules.reserve_dptb = 0;
    el->rules.reserve_dpk = 0;
    collect c;
    run_forms(el, 3, 0x1f, NULL, &c);
    assert_int_equal(c.nform, 5 * el->ntps);
    el->rules.reserve_dpk = 1; /* DPTb off, DPK on */
    run_forms(el, 3, 0x1f, NULL, &c);
    election_free(el);
}

static void test_sink_stops(void **state)
{
    (void)state;
    election *el = make_election(SMALL_PROV, 1);
    collect c;
    err_info e = {0};
    memset(&c, 0, sizeof c);
    c.el = el;
    c.stop_after = 7;
    assert_int_equal(gen_forms(el, 1, 0x1f, NULL, collect_sink, &c, &e), ERR_IO);
    assert_int_equal(c.nform, 7);
    election_free(el);
}

/* ---- the PPWP table ----------------------------------------------------- */

static int parse(const char *csv, gen_ppwp_table *t, err_info *e)
{
    memset(e, 0, sizeof *e);
    return gen_ppwp_table_parse(csv, strlen(csv), "t.csv", t, e);
}

static void test_ppwp_exact(void **state)
{
    (void)state;
    election *el = make_election(SMALL_PROV, 5);
    uint64_t dpt = tps_dpt(el);
    uint64_t v[3] = {dpt * 21 / 100, dpt * 45 / 100, dpt * 13 / 100 + 7};
    char csv[256];
    snprintf(csv, sizeof csv,
             "kode,Anies,Prabowo,Ganjar\r\n11,1,2,3\r\n%s,%llu,%llu,%llu\r\n", SMALL_PROV,
             (unsigned long long)v[0], (unsigned long long)v[1], (unsigned long long)v[2]);
    gen_ppwp_table t;
    err_info e;
    assert_int_equal(parse(csv, &t, &e), 0);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.npair, 3);
    collect c;
    run_forms(el, 9, 0x1f, &t, &c);
    for (int j = 0; j < 3; j++)
        assert_true(c.ppwp[65][j] == v[j]);
    /* with no DPK allowance the table must still fit the DPT */
    el->rules.reserve_dpk = 0;
    run_forms(el, 9, 0x1f, &t, &c);
    for (int j = 0; j < 3; j++)
        assert_true(c.ppwp[65][j] == v[j]);
    gen_ppwp_table_free(&t);

    /* above the natural turnout: DPK grows, still exact and clean */
    el->rules.reserve_dpk = 1;
    snprintf(csv, sizeof csv, "kode,a,b,c\n65,%llu,%llu,0\n",
             (unsigned long long)(dpt * 60 / 100), (unsigned long long)(dpt * 55 / 100));
    assert_int_equal(parse(csv, &t, &e), 0);
    run_forms(el, 9, 1u << CONTEST_PPWP, &t, &c);
    assert_true(c.ppwp[65][0] == dpt * 60 / 100 && c.ppwp[65][2] == 0);
    gen_ppwp_table_free(&t);
    election_free(el);
}

static void expect_forms_error(const election *el, const char *csv, int rc,
                               const char *code)
{
    gen_ppwp_table t;
    err_info e;
    collect c;
    assert_int_equal(parse(csv, &t, &e), 0);
    memset(&c, 0, sizeof c);
    c.el = el;
    memset(&e, 0, sizeof e);
    assert_int_equal(gen_forms(el, 1, 0x1f, &t, collect_sink, &c, &e), rc);
    assert_string_equal(e.code, code);
    assert_int_equal(c.nform, 0);
    gen_ppwp_table_free(&t);
}

static void test_ppwp_errors(void **state)
{
    (void)state;
    election *el = make_election(SMALL_PROV, 5);
    expect_forms_error(el, "kode,a,b,c\n11,1,2,3\n", ERR_INVALID, "GEN_PPWP_MISSING");
    expect_forms_error(el, "kode,a,b,c\n65,999999999,999999999,0\n", ERR_INVALID,
                       "GEN_PPWP_CAPACITY");
    expect_forms_error(el, "kode,a,b\n65,1,2\n", ERR_INVALID, "GEN_PPWP_PAIRS");
    expect_forms_error(el, "kode,a,b,c\n65,1,2,3\n98,1,1,1\n", ERR_NOTFOUND,
                       "GEN_PPWP_UNKNOWN");
    election_free(el);
}

static void expect_parse_error(const char *csv, int rc, const char *code,
                               const char *where)
{
    gen_ppwp_table t;
    err_info e;
    assert_int_equal(parse(csv, &t, &e), rc);
    assert_string_equal(e.code, code);
    if (where)
        assert_string_equal(e.where, where);
    assert_null(t.prov);
    assert_int_equal(t.n, 0);
}

static void test_ppwp_parse(void **state)
{
    (void)state;
    gen_ppwp_table t;
    err_info e;
    /* BOM, any case, quoted names, CRLF, blank lines */
    assert_int_equal(
        parse("\xEF\xBB\xBFKODE,\"01, Anies\",02\r\n\r\n32,5,6\r\n35,1,2\r\n", &t, &e), 0);
    assert_int_equal(t.n, 2);
    assert_int_equal(t.npair, 2);
    assert_string_equal(t.prov[1], "35");
    assert_true(t.votes[0][1] == 6);
    gen_ppwp_table_free(&t);
    assert_int_equal(parse("kode,x\n", &t, &e), 0); /* a header alone: no rows */
    assert_int_equal(t.n, 0);
    gen_ppwp_table_free(&t);

    expect_parse_error("", ERR_INVALID, "GEN_PPWP_CSV", NULL);
    expect_parse_error("code,a,b\n32,1,2\n", ERR_INVALID, "GEN_PPWP_CSV", "t.csv:1");
    expect_parse_error("kode\n32\n", ERR_INVALID, "GEN_PPWP_CSV", "t.csv:1");
    expect_parse_error("kode,a,b\n32,1,2\n33,1\n", ERR_INVALID, "GEN_PPWP_CSV", "t.csv:3");
    expect_parse_error("kode,a,b\n32,1,2\n33,1,2,3\n", ERR_INVALID, "GEN_PPWP_CSV",
                       "t.csv:3");
    expect_parse_error("kode,a,b\n3201,1,2\n", ERR_INVALID, "GEN_PPWP_CSV", "t.csv:2");
    expect_parse_error("kode,a,b\nJB,1,2\n", ERR_INVALID, "GEN_PPWP_CSV", "t.csv:2");
    expect_parse_error("kode,a,b\n32,1,2\n32,3,4\n", ERR_INVALID, "GEN_PPWP_CSV",
                       "t.csv:3");
    expect_parse_error("kode,a,b\n32,1,-2\n", ERR_INVALID, "GEN_PPWP_CSV", "t.csv:2");
    expect_parse_error("kode,a,b\n32,1,1000000001\n", ERR_INVALID, "GEN_PPWP_CSV", NULL);
    expect_parse_error("kode,a,b\n32,\"1,2\n", ERR_INVALID, "CSV_QUOTE", NULL);

    expect_parse_error("kode,a,b\n35.,1,2\n", ERR_INVALID, "GEN_PPWP_CSV", "t.csv:2");

    /* 100 distinct provinces fit, the 101st row does not */
    char big[4096];
    size_t len = (size_t)snprintf(big, sizeof big, "kode,a\n");
    for (int i = 0; i < 101; i++)
        len += (size_t)snprintf(big + len, sizeof big - len, "%02d,1\n",
                                i < 90 ? 10 + i : i - 90);
    expect_parse_error(big, ERR_LIMIT, "GEN_PPWP_CSV", "t.csv:102");
}

/* ---- parameters and scope ----------------------------------------------- */

static void expect_gen_error(gen_params *p, int rc, const char *code)
{
    err_info e = {0};
    region_tree *t = NULL;
    election *el = NULL;
    assert_int_equal(masterdata_load(REKAP_DATA_DIR, &t, &e), 0);
    assert_int_equal(gen_election(t, p, &el, &e), rc); /* the tree is freed */
    assert_string_equal(e.code, code);
    assert_null(el);
}

static void test_gen_errors(void **state)
{
    (void)state;
    gen_params p;
    gen_params_default(&p);
    p.scope = "3201";
    expect_gen_error(&p, ERR_NOTFOUND, "GEN_SCOPE");
    p.scope = "77";
    expect_gen_error(&p, ERR_NOTFOUND, "GEN_SCOPE");
    gen_params_default(&p);
    p.dpt_ratio = 0.0;
    expect_gen_error(&p, ERR_INVALID, "GEN_PARAMS");
    p.dpt_ratio = 1.5;
    expect_gen_error(&p, ERR_INVALID, "GEN_PARAMS");
    gen_params_default(&p);
    p.tps_domestic = 0;
    expect_gen_error(&p, ERR_INVALID, "GEN_PARAMS");
    gen_params_default(&p);
    p.tps_overseas = 200000;
    expect_gen_error(&p, ERR_INVALID, "GEN_PARAMS");
}

/* A tree that already has TPS, and one whose kab/kota lacks a population. */
static void test_gen_bad_tree(void **state)
{
    (void)state;
    err_info e = {0};
    election *el = NULL;
    gen_params p;
    gen_params_default(&p);
    region_tree *t = region_tree_new();
    const char *csv = "kode,nama\n11,Aceh\n11.01,Kab\n11.01.01,Kec\n11.01.01.2001,Desa\n";
    assert_int_equal(region_add_csv(t, csv, strlen(csv), "w.csv", &e), 0);
    assert_int_equal(region_tree_finish(t, &e), 0);
    assert_int_equal(gen_election(t, &p, &el, &e), ERR_INVALID);
    assert_string_equal(e.code, "GEN_POPULATION");

    t = region_tree_new();
    assert_int_equal(region_add_csv(t, csv, strlen(csv), "w.csv", &e), 0);
    assert_int_equal(region_tree_finish(t, &e), 0);
    assert_int_equal(region_add_tps(t, (uint32_t)t->level_start[REGION_DESA], 1, &e), 0);
    assert_int_equal(region_tree_finish(t, &e), 0);
    assert_int_equal(gen_election(t, &p, &el, &e), ERR_INVALID);
    assert_string_equal(e.code, "GEN_TREE");
}

/* Overseas alone: PPWP and DPR (DKI Jakarta II) only, every PPLN staffed,
 * the TPS count exact, DPT 100..300. */
static void test_overseas(void **state)
{
    (void)state;
    election *el = make_election("99", 4);
    gen_params p;
    gen_params_default(&p);
    assert_int_equal(el->ntps, p.tps_overseas);
    const region_tree *t = el->tree;
    size_t lo, hi;
    gen_level_range(t, region_find(t, "99"), REGION_DESA, &lo, &hi);
    for (size_t d = lo; d < hi; d++)
        assert_true(t->node[d].nchild >= 1);
    assert_int_equal(el->ndistrict[CONTEST_DPR], 1);
    assert_string_equal(el->district[CONTEST_DPR][0].name, "DKI JAKARTA II");
    for (size_t i = 0; i < el->ntps; i++) {
        unsigned dpt = el->tps[i].dpt_male + el->tps[i].dpt_female;
        assert_true(dpt >= 100 && dpt <= 300);
        assert_true(el->tps[i].district[CONTEST_DPR] == 0);
        assert_true(el->tps[i].district[CONTEST_DPD] == ELECTION_NONE);
        assert_true(el->tps[i].district[CONTEST_DPRD_KAB] == ELECTION_NONE);
    }
    collect c;
    run_forms(el, 1, 0x1f, NULL, &c);
    assert_int_equal(c.nform, 2 * el->ntps);
    election_free(el);
}

/* ---- the nation --------------------------------------------------------- */

static void check_seats(const election *el, contest_kind k, unsigned lo, unsigned hi,
                        unsigned long *seats)
{
    *seats = 0;
    for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
        const election_district *ds = &el->district[k][d];
        assert_true(ds->seats >= lo && ds->seats <= hi);
        *seats += ds->seats;
        for (uint16_t l = 0; l < ds->nlist; l++) {
            const election_list *li = &ds->list[l];
            unsigned women = 0;
            for (uint16_t c = 0; c < li->ncand; c++)
                women += li->cand[c].sex == 'P';
            assert_true(li->ncand >= 1 && li->ncand <= ds->seats);
            assert_true(women * 10 >= li->ncand * 3); /* at least 30% */
            const election_party *pa = election_party_find(el, li->party);
            assert_true(!pa->only_in ||
                        (k != CONTEST_DPR && strncmp(ds->id + strlen(contest_kind_id[k]) + 1,
                                                     "11", 2) == 0));
        }
    }
}

/* DPR districts are runs of whole kab/kota: listed in district order they
 * give each province's kab/kota in code order. */
static void check_dpr_contiguous(const election *el)
{
    const region_tree *t = el->tree;
    size_t k0 = t->level_start[REGION_KABKOTA], next = k0;
    for (uint32_t d = 0; d < el->ndistrict[CONTEST_DPR]; d++) {
        const election_district *ds = &el->district[CONTEST_DPR][d];
        for (uint32_t j = 0; j < ds->nregion; j++) {
            const region *r = &t->node[ds->region[j]];
            if (strcmp(r->code, "99") == 0)
                continue;
            assert_int_equal(r->level, REGION_KABKOTA);
            assert_int_equal(ds->region[j], next);
            next++;
        }
    }
    while (next < t->level_start[REGION_KABKOTA + 1])
        assert_true(strncmp(t->node[next++].code, "99", 2) == 0);
}

static void test_national(void **state)
{
    (void)state;
    election *el = make_election(NULL, 2024);
    const double want = 823220;
    printf("national: %zu TPS (%+.3f%%), DPT %llu\n", el->ntps,
           100.0 * (el->ntps - want) / want, (unsigned long long)tps_dpt(el));
    assert_true(fabs(el->ntps - want) <= 0.05 * want);
    uint64_t pop = el->tree->node[0].pop_male + (uint64_t)el->tree->node[0].pop_female;
    assert_true(fabs((double)tps_dpt(el) - 0.72 * pop) < 0.01 * 0.72 * pop);

    unsigned long seats;
    assert_int_equal(el->ndistrict[CONTEST_PPWP], 1);
    assert_int_equal(el->ndistrict[CONTEST_DPR], 84);
    check_seats(el, CONTEST_DPR, 3, 10, &seats);
    assert_int_equal(seats, 580);
    assert_int_equal(el->ndistrict[CONTEST_DPD], 38);
    check_seats(el, CONTEST_DPD, 4, 4, &seats);
    assert_int_equal(seats, 152);
    check_seats(el, CONTEST_DPRD_PROV, 3, 12, &seats);
    printf("DPRD provinsi: %u districts, %lu seats\n", el->ndistrict[CONTEST_DPRD_PROV],
           seats);
    assert_true(abs((int)el->ndistrict[CONTEST_DPRD_PROV] - 301) <= 15);
    assert_true(fabs(seats - 2372.0) < 0.05 * 2372);
    check_seats(el, CONTEST_DPRD_KAB, 3, 12, &seats);
    printf("DPRD kab/kota: %u districts, %lu seats\n", el->ndistrict[CONTEST_DPRD_KAB],
           seats);
    assert_true(abs((int)el->ndistrict[CONTEST_DPRD_KAB] - 2325) <= 100);
    assert_true(fabs(seats - 17510.0) < 0.05 * 17510);
    check_dpr_contiguous(el);

    /* a province built alone has the national districts and candidates */
    election *one = make_election(SMALL_PROV, 2024);
    for (int k = CONTEST_DPR; k < CONTEST_KINDS; k++)
        for (uint32_t d = 0; d < one->ndistrict[k]; d++) {
            const election_district *a = &one->district[k][d];
            const election_district *b = NULL;
            for (uint32_t x = 0; x < el->ndistrict[k] && !b; x++)
                if (strcmp(el->district[k][x].id, a->id) == 0)
                    b = &el->district[k][x];
            assert_non_null(b);
            assert_string_equal(a->name, b->name);
            assert_int_equal(a->seats, b->seats);
            assert_int_equal(a->nregion, b->nregion);
            assert_memory_equal(a->region, b->region, a->nregion * sizeof *a->region);
            if (a->nlist)
                assert_string_equal(a->list[0].cand[0].name, b->list[0].cand[0].name);
        }
    election_free(one);
    election_free(el);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_apportion),
        cmocka_unit_test(test_apportion_random),
        cmocka_unit_test(test_partition),
        cmocka_unit_test(test_choose_counts),
        cmocka_unit_test(test_split),
        cmocka_unit_test(test_province_deterministic),
        cmocka_unit_test(test_province_forms),
        cmocka_unit_test(test_forms_strict_rules),
        cmocka_unit_test(test_sink_stops),
        cmocka_unit_test(test_ppwp_exact),
        cmocka_unit_test(test_ppwp_errors),
        cmocka_unit_test(test_ppwp_parse),
        cmocka_unit_test(test_gen_errors),
        cmocka_unit_test(test_gen_bad_tree),
        cmocka_unit_test(test_overseas),
        cmocka_unit_test(test_national),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
