/* Tests of tally: shapes, deltas, and the property that every region's
 * totals equal the sum of the forms currently applied to its TPS, under
 * random sequences of submissions and corrections. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/election.h"
#include "core/mem.h"
#include "core/rng.h"
#include "core/tally.h"

static const char tally_csv[] =
    "kode,nama\n"
    "11,Aceh\n11.01,Kab A\n11.01.01,Kec A\n11.01.01.2001,Desa A1\n11.01.01.2002,Desa A2\n"
    "11.02,Kab B\n11.02.01,Kec B\n11.02.01.2001,Desa B1\n"
    "12,Sumut\n12.01,Kab C\n12.01.01,Kec C\n12.01.01.2001,Desa C1\n";

static uint32_t *tally_regions(const region_tree *t, const char *a, const char *b, uint32_t *n)
{
    uint32_t *r = mem_calloc(2, sizeof *r);
    r[0] = region_find(t, a);
    *n = 1;
    if (b)
        r[(*n)++] = region_find(t, b);
    return r;
}

static election_candidate *tally_cands(unsigned n, int with_sex)
{
    election_candidate *c = mem_calloc(n, sizeof *c);
    for (unsigned i = 0; i < n; i++) {
        c[i].no = (uint16_t)(i + 1);
        c[i].sex = !with_sex ? '\0' : i % 2 ? 'P' : 'L';
        char name[32];
        snprintf(name, sizeof name, "Calon %u", i + 1);
        c[i].name = mem_strdup(name);
    }
    return c;
}

/* Two provinces, 4 desa, 2-3 TPS each; PPWP national, DPR in two districts
 * with lists of parties 1 and 3; the other kinds one district per province. */
static election *tally_election(void)
{
    region_tree *tree = region_tree_new();
    assert_int_equal(region_add_csv(tree, tally_csv, strlen(tally_csv), "t", NULL), 0);
    assert_int_equal(region_tree_finish(tree, NULL), 0);
    const char *desa[] = {"1101012001", "1101012002", "1102012001", "1201012001"};
    for (unsigned i = 0; i < 4; i++)
        for (unsigned no = 1; no <= 2 + i % 2; no++)
            assert_int_equal(region_add_tps(tree, region_find(tree, desa[i]), no, NULL), 0);
    assert_int_equal(region_tree_finish(tree, NULL), 0);

    election *el = election_new(tree);
    el->name = mem_strdup("tally test");
    el->rules.reserve_permille = 20;
    el->rules.tps_max_dpt = 300;
    el->nparty = 2;
    el->party = mem_calloc(2, sizeof *el->party);
    for (unsigned i = 0; i < 2; i++) {
        el->party[i].no = (uint16_t)(1 + 2 * i);
        el->party[i].abbrev = mem_strdup(i ? "P3" : "P1");
        el->party[i].name = mem_strdup(i ? "Partai Tiga" : "Partai Satu");
    }
    for (int k = 0; k < CONTEST_KINDS; k++) {
        /* DPRD kab/kota districts lie inside one kab/kota */
        static const char *const scope[2][3] = {{"11", "12"}, {"1101", "1102", "1201"}};
        int national = k == CONTEST_PPWP, local = k == CONTEST_DPRD_KAB;
        el->ndistrict[k] = national ? 1 : local ? 3 : 2;
        el->district[k] = mem_calloc(el->ndistrict[k], sizeof(election_district));
        for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
            election_district *ds = &el->district[k][d];
            char id[32];
            snprintf(id, sizeof id, "%s-%u", contest_kind_id[k], d);
            ds->id = mem_strdup(id);
            ds->name = mem_strdup(id);
            ds->kind = (contest_kind)k;
            ds->seats = national ? 1 : (k == CONTEST_DPD ? 4 : 6);
            ds->region = national ? tally_regions(tree, "0", NULL, &ds->nregion)
                                  : tally_regions(tree, scope[local][d], NULL, &ds->nregion);
            if (!contest_is_party_list((contest_kind)k)) {
                ds->ncand = national ? 3 : 4;
                ds->cand = tally_cands(ds->ncand, !national);
                continue;
            }
            ds->nlist = 2;
            ds->list = mem_calloc(2, sizeof *ds->list);
            for (unsigned l = 0; l < 2; l++) {
                ds->list[l].party = el->party[l].no;
                ds->list[l].ncand = (uint16_t)(2 + l + d % 2);
                ds->list[l].cand = tally_cands(ds->list[l].ncand, 1);
            }
        }
    }
    assert_int_equal(el->ntps, tree->level_start[REGION_TPS + 1] - tree->level_start[REGION_TPS]);
    for (size_t i = 0; i < el->ntps; i++) {
        el->tps[i].dpt_male = 100;
        el->tps[i].dpt_female = 110;
    }
    err_info e = {0};
    int rc = election_link(el, &e);
    if (rc)
        fprintf(stderr, "election_link: %s %s %s\n", e.code, e.where, e.msg);
    assert_int_equal(rc, 0);
    return el;
}

/* A form of the right shape for TPS i and kind k with random numbers; the
 * tally does not check arithmetic, so only the shape needs to be right. */
static void tally_random_form(const election *el, uint32_t i, contest_kind k, rng *r, form *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->tps, sizeof f->tps, "%s", election_tps_region(el, i)->code);
    f->kind = k;
    const election_district *d = election_tps_district(el, i, k);
    f->dpt = (form_lpt){100, 110, 210};
    f->b4.total = (uint16_t)rng_below(r, 211);
    f->invalid = (uint16_t)rng_below(r, 10);
    unsigned valid = 0;
    if (!contest_is_party_list(k)) {
        f->nvotes = d->ncand;
        for (unsigned c = 0; c < d->ncand; c++)
            valid += f->votes[c] = (uint16_t)rng_below(r, 60);
    } else {
        f->nparty = d->nlist;
        for (unsigned l = 0; l < d->nlist; l++) {
            form_party *p = &f->party[l];
            p->no = d->list[l].party;
            p->ncand = d->list[l].ncand;
            p->cand = f->nvotes;
            p->party_only = (uint16_t)rng_below(r, 20);
            p->total = p->party_only;
            for (unsigned c = 0; c < p->ncand; c++)
                p->total += f->votes[f->nvotes++] = (uint16_t)rng_below(r, 30);
            valid += p->total;
        }
    }
    f->valid = (uint16_t)valid;
    f->total = (uint16_t)(valid + f->invalid);
}

static void test_expected_counts(void **state)
{
    (void)state;
    election *el = tally_election();
    tally *t = tally_new(el);
    uint32_t nat = region_find(el->tree, "0"), aceh = region_find(el->tree, "11");
    assert_int_equal(tally_region(t, CONTEST_PPWP, nat)->tps_expected, el->ntps);
    assert_int_equal(tally_region(t, CONTEST_PPWP, aceh)->tps_expected, 2 + 3 + 2);
    assert_int_equal(tally_region(t, CONTEST_DPD, region_find(el->tree, "1201012001"))->tps_expected, 3);
    assert_int_equal(tally_region(t, CONTEST_PPWP, nat)->tps_counted, 0);
    tally_free(t);
    election_free(el);
}

static void test_shape_mismatch_changes_nothing(void **state)
{
    (void)state;
    election *el = tally_election();
    tally *t = tally_new(el);
    rng r;
    rng_seed(&r, 1);
    form *f = mem_alloc(sizeof *f);
    tally_random_form(el, 0, CONTEST_DPR, &r, f);
    f->party[1].ncand--; /* one candidate short */
    f->nvotes--;
    assert_int_equal(tally_apply(t, f, 0, +1), ERR_INVALID);
    tally_random_form(el, 0, CONTEST_PPWP, &r, f);
    f->nvotes = 2;
    assert_int_equal(tally_apply(t, f, 0, +1), ERR_INVALID);
    tally_random_form(el, 0, CONTEST_PPWP, &r, f);
    assert_int_equal(tally_apply(t, f, (uint32_t)el->ntps, +1), ERR_INVALID);
    assert_int_equal(tally_apply(t, f, 0, 0), ERR_INVALID);
    uint32_t nat = region_find(el->tree, "0");
    for (int k = 0; k < CONTEST_KINDS; k++) {
        assert_int_equal(tally_region(t, (contest_kind)k, nat)->tps_counted, 0);
        assert_int_equal(tally_region(t, (contest_kind)k, nat)->valid, 0);
    }
    free(f);
    tally_free(t);
    election_free(el);
}

/* Recompute region r's totals from the current forms, naively. */
static void tally_naive(const election *el, form **cur, contest_kind k, uint32_t reg,
                        tally_row *row, uint64_t *sel, unsigned width)
{
    memset(row, 0, sizeof *row);
    memset(sel, 0, width * sizeof *sel);
    for (uint32_t i = 0; i < el->ntps; i++) {
        const form *f = cur[i * CONTEST_KINDS + k];
        uint32_t node = (uint32_t)(el->tree->level_start[REGION_TPS] + i);
        if (!f || !region_is_within(el->tree, node, reg))
            continue;
        row->tps_counted++;
        row->valid += f->valid;
        row->invalid += f->invalid;
        row->voters += f->b4.total;
        if (!contest_is_party_list(k))
            for (unsigned c = 0; c < f->nvotes; c++)
                sel[c] += f->votes[c];
        for (unsigned p = 0; p < f->nparty; p++)
            sel[election_party_find(el, f->party[p].no) - el->party] += f->party[p].total;
    }
}

static void test_random_submissions_and_corrections(void **state)
{
    (void)state;
    election *el = tally_election();
    tally *t = tally_new(el);
    form **cur = mem_calloc(el->ntps * CONTEST_KINDS, sizeof *cur);
    rng r;
    rng_seed(&r, 42);
    for (int step = 0; step < 3000; step++) {
        uint32_t i = (uint32_t)rng_below(&r, el->ntps);
        contest_kind k = (contest_kind)rng_below(&r, CONTEST_KINDS);
        if (el->tps[i].district[k] == ELECTION_NONE)
            continue;
        form *f = mem_alloc(sizeof *f);
        tally_random_form(el, i, k, &r, f);
        form **slot = &cur[i * CONTEST_KINDS + k];
        if (*slot) /* a correction: take the old version out, put the new in */
            assert_int_equal(tally_apply(t, *slot, i, -1), 0);
        assert_int_equal(tally_apply(t, f, i, +1), 0);
        free(*slot);
        *slot = f;
        if (step % 100)
            continue;
        for (size_t s2 = 0; s2 < el->ntps * CONTEST_KINDS; s2++)
            assert_int_equal(t->tps_counted[s2 % CONTEST_KINDS][s2 / CONTEST_KINDS], cur[s2] != NULL);
        for (int kk = 0; kk < CONTEST_KINDS; kk++) {
            for (uint32_t reg = 0; reg < t->nregion; reg++) {
                tally_row want;
                uint64_t sel[8];
                tally_naive(el, cur, (contest_kind)kk, reg, &want, sel, t->width[kk]);
                const tally_row *got = tally_region(t, (contest_kind)kk, reg);
                assert_int_equal(got->tps_counted, want.tps_counted);
                assert_int_equal(got->valid, want.valid);
                assert_int_equal(got->invalid, want.invalid);
                assert_int_equal(got->voters, want.voters);
                assert_memory_equal(tally_region_sel(t, (contest_kind)kk, reg), sel,
                                    t->width[kk] * sizeof *sel);
            }
        }
    }
    /* Taking every form out again leaves all zeros. */
    for (size_t s = 0; s < el->ntps * CONTEST_KINDS; s++) {
        if (cur[s])
            assert_int_equal(tally_apply(t, cur[s], (uint32_t)(s / CONTEST_KINDS), -1), 0);
        free(cur[s]);
    }
    for (int k = 0; k < CONTEST_KINDS; k++) {
        const tally_row *nat = tally_region(t, (contest_kind)k, 0);
        assert_int_equal(nat->tps_counted, 0);
        assert_int_equal(nat->valid, 0);
        uint32_t n;
        for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
            const uint64_t *v = tally_district(t, (contest_kind)k, d, &n);
            for (uint32_t c = 0; c < n; c++)
                assert_int_equal(v[c], 0);
        }
    }
    free(cur);
    tally_free(t);
    election_free(el);
}

static void test_district_candidates(void **state)
{
    (void)state;
    election *el = tally_election();
    tally *t = tally_new(el);
    rng r;
    rng_seed(&r, 9);
    form *f = mem_alloc(sizeof *f), *g = mem_alloc(sizeof *g);
    tally_random_form(el, 0, CONTEST_DPR, &r, f);
    tally_random_form(el, 1, CONTEST_DPR, &r, g);
    assert_int_equal(tally_apply(t, f, 0, +1), 0);
    assert_int_equal(tally_apply(t, g, 1, +1), 0);
    uint32_t n;
    const uint64_t *v = tally_district(t, CONTEST_DPR, el->tps[0].district[CONTEST_DPR], &n);
    assert_int_equal(n, f->nvotes + f->nparty);
    for (unsigned c = 0; c < f->nvotes; c++)
        assert_int_equal(v[c], f->votes[c] + g->votes[c]);
    for (unsigned p = 0; p < f->nparty; p++)
        assert_int_equal(v[f->nvotes + p], f->party[p].party_only + g->party[p].party_only);
    tally_flag(t, CONTEST_DPR, 0, +1);
    assert_int_equal(tally_region(t, CONTEST_DPR, 0)->tps_flagged, 1);
    free(f);
    free(g);
    tally_free(t);
    election_free(el);
}

/* Snapshot of every row's rev of one contest. */
static uint32_t *tally_revs(const tally *t, contest_kind k)
{
    uint32_t *rev = mem_calloc(t->nregion, sizeof *rev);
    for (uint32_t r = 0; r < t->nregion; r++)
        rev[r] = tally_region(t, k, r)->rev;
    return rev;
}

/* Exactly the rows of the TPS's ancestors move their rev, in that contest
 * only; the TPS's own counted and flagged marks follow apply and flag. */
static void test_change_tracking(void **state)
{
    (void)state;
    election *el = tally_election();
    tally *t = tally_new(el);
    rng r;
    rng_seed(&r, 5);
    form *f = mem_alloc(sizeof *f);
    uint32_t tps = 3; /* in Desa A2 */
    uint32_t node = (uint32_t)(el->tree->level_start[REGION_TPS] + tps);
    uint32_t *before = tally_revs(t, CONTEST_PPWP), *dpr_before = tally_revs(t, CONTEST_DPR);
    tally_random_form(el, tps, CONTEST_PPWP, &r, f);
    assert_int_equal(tally_apply(t, f, tps, +1), 0);
    tally_flag(t, CONTEST_PPWP, tps, +1);
    uint32_t *after = tally_revs(t, CONTEST_PPWP), *dpr_after = tally_revs(t, CONTEST_DPR);
    for (uint32_t reg = 0; reg < t->nregion; reg++) {
        int touched = region_is_within(el->tree, node, reg);
        assert_int_equal(after[reg] != before[reg], touched);
        assert_int_equal(dpr_after[reg], dpr_before[reg]);
    }
    assert_int_equal(t->tps_counted[CONTEST_PPWP][tps], 1);
    assert_int_equal(t->tps_flagged[CONTEST_PPWP][tps], 1);
    assert_int_equal(t->tps_counted[CONTEST_PPWP][tps - 1], 0);
    assert_int_equal(t->tps_counted[CONTEST_DPR][tps], 0);
    /* a refused apply moves nothing */
    uint32_t nat_rev = tally_region(t, CONTEST_PPWP, 0)->rev;
    assert_int_equal(tally_apply(t, f, tps, 0), ERR_INVALID);
    assert_int_equal(tally_region(t, CONTEST_PPWP, 0)->rev, nat_rev);
    /* a correction taken out and put in: counted once, rev moved again */
    assert_int_equal(tally_apply(t, f, tps, -1), 0);
    tally_flag(t, CONTEST_PPWP, tps, -1);
    assert_int_equal(t->tps_counted[CONTEST_PPWP][tps], 0);
    assert_int_equal(t->tps_flagged[CONTEST_PPWP][tps], 0);
    assert_int_equal(tally_apply(t, f, tps, +1), 0);
    assert_int_equal(t->tps_counted[CONTEST_PPWP][tps], 1);
    assert_int_not_equal(tally_region(t, CONTEST_PPWP, 0)->rev, nat_rev);
    free(before);
    free(after);
    free(dpr_before);
    free(dpr_after);
    free(f);
    tally_free(t);
    election_free(el);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_expected_counts),
        cmocka_unit_test(test_shape_mismatch_changes_nothing),
        cmocka_unit_test(test_random_submissions_and_corrections),
        cmocka_unit_test(test_district_candidates),
        cmocka_unit_test(test_change_tracking),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
