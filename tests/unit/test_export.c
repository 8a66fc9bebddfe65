/* Tests of export (the per-TPS CSV bytes) and election_region_district:
 * header and rows for a PPWP, a DPD and a legislative form of a small
 * election built here by hand, against lines written out by hand from the
 * column rules (pairs by position, DPD padded to the widest ballot, party
 * columns in election order with a party off the ballot left empty, text
 * quoted per RFC 4180); the snprintf-like contract (truncation, NUL, the
 * length needed); and the single district of regions of a generated
 * election. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/export.h"
#include "core/mem.h"
#include "gen/gen.h"
#include "io/masterdata.h"

/* Three parties (the second with a comma in its abbreviation), one PPWP
 * ballot of 3 pairs, DPD ballots of 4 and 2 candidates. */
typedef struct small {
    election el;
    election_party party[3];
    election_district ppwp[1], dpd[2];
} small;

static void small_init(small *s)
{
    memset(s, 0, sizeof *s);
    s->party[0] = (election_party){.no = 1, .abbrev = "PKB"};
    s->party[1] = (election_party){.no = 2, .abbrev = "A,B"};
    s->party[2] = (election_party){.no = 3, .abbrev = "PDI"};
    s->el.nparty = 3;
    s->el.party = s->party;
    s->ppwp[0].ncand = 3;
    s->dpd[0].ncand = 4;
    s->dpd[1].ncand = 2;
    s->el.ndistrict[CONTEST_PPWP] = 1;
    s->el.district[CONTEST_PPWP] = s->ppwp;
    s->el.ndistrict[CONTEST_DPD] = 2;
    s->el.district[CONTEST_DPD] = s->dpd;
}

/* A counted entry: DPT 100 + DPTb 5 + DPK 2 registered, 90 voted. */
static entry *small_entry(contest_kind k, uint32_t version, uint16_t valid, uint16_t invalid)
{
    entry *en = mem_calloc(1, sizeof *en);
    form *f = &en->sub.form;
    strcpy(f->tps, "6501012001001");
    f->kind = k;
    f->dpt.total = 100;
    f->dptb.total = 5;
    f->dpk.total = 2;
    f->b4.total = 90;
    f->valid = valid;
    f->invalid = invalid;
    en->sub.version = version;
    return en;
}

static void expect_header(const election *el, contest_kind k, const char *want)
{
    char buf[256];
    assert_int_equal(export_csv_header(el, k, buf, sizeof buf), strlen(want));
    assert_string_equal(buf, want);
}

static void expect_row(const election *el, const entry *en, const char *want)
{
    char buf[256];
    assert_int_equal(export_csv_row(el, en, buf, sizeof buf), strlen(want));
    assert_string_equal(buf, want);
}

static void test_ppwp(void **state)
{
    (void)state;
    small s;
    small_init(&s);
    expect_header(&s.el, CONTEST_PPWP,
                  "tps,contest,version,dpt,voters,valid,invalid,pair_1,pair_2,pair_3\n");
    entry *en = small_entry(CONTEST_PPWP, 1, 88, 2);
    en->sub.form.nvotes = 3;
    en->sub.form.votes[0] = 50;
    en->sub.form.votes[1] = 30;
    en->sub.form.votes[2] = 8;
    expect_row(&s.el, en, "6501012001001,ppwp,1,107,90,88,2,50,30,8\n");
    free(en);
}

static void test_dpd_padded(void **state)
{
    (void)state;
    small s;
    small_init(&s);
    expect_header(&s.el, CONTEST_DPD,
                  "tps,contest,version,dpt,voters,valid,invalid,cand_1,cand_2,cand_3,cand_4\n");
    entry *en = small_entry(CONTEST_DPD, 4, 16, 0);
    en->sub.form.nvotes = 2;
    en->sub.form.votes[0] = 7;
    en->sub.form.votes[1] = 9;
    expect_row(&s.el, en, "6501012001001,dpd,4,107,90,16,0,7,9,,\n");
    free(en);
}

static void test_legislative(void **state)
{
    (void)state;
    small s;
    small_init(&s);
    const char *head = "tps,contest,version,dpt,voters,valid,invalid,"
                       "party_1_PKB,\"party_2_A,B\",party_3_PDI\n";
    expect_header(&s.el, CONTEST_DPR, head);
    expect_header(&s.el, CONTEST_DPRD_KAB, head);
    char cols[64];
    assert_int_equal(export_csv_columns(&s.el, CONTEST_DPR, cols, sizeof cols), 38);
    assert_string_equal(cols, ",party_1_PKB,\"party_2_A,B\",party_3_PDI");

    /* Parties 3 and 1 on the ballot (its own order), 2 not: by number. */
    entry *en = small_entry(CONTEST_DPR, 2, 85, 5);
    form *f = &en->sub.form;
    f->nparty = 2;
    f->party[0] = (form_party){.no = 3, .total = 45};
    f->party[1] = (form_party){.no = 1, .total = 0};
    expect_row(&s.el, en, "6501012001001,dpr,2,107,90,85,5,0,,45\n");
    free(en);
}

static void test_text_quoting(void **state)
{
    (void)state;
    char buf[32];
    assert_int_equal(export_csv_text("plain", buf, sizeof buf), 5);
    assert_string_equal(buf, "plain");
    assert_int_equal(export_csv_text("say \"hi\"", buf, sizeof buf), 12);
    assert_string_equal(buf, "\"say \"\"hi\"\"\"");
    assert_int_equal(export_csv_text("a\nb", buf, sizeof buf), 5);
    assert_string_equal(buf, "\"a\nb\"");
    assert_int_equal(export_csv_text("", buf, sizeof buf), 0);
    assert_string_equal(buf, "");
}

/* snprintf's contract: the full length whatever cap, at most cap - 1 bytes
 * and a NUL written, nothing at all for cap 0. */
static void test_truncation(void **state)
{
    (void)state;
    small s;
    small_init(&s);
    const char *want = "tps,contest,version,dpt,voters,valid,invalid,pair_1,pair_2,pair_3\n";
    size_t n = strlen(want);
    assert_int_equal(export_csv_header(&s.el, CONTEST_PPWP, NULL, 0), n);
    char buf[128];
    memset(buf, 'x', sizeof buf);
    assert_int_equal(export_csv_header(&s.el, CONTEST_PPWP, buf, 1), n);
    assert_int_equal(buf[0], '\0');
    assert_int_equal(buf[1], 'x');
    memset(buf, 'x', sizeof buf);
    assert_int_equal(export_csv_header(&s.el, CONTEST_PPWP, buf, 10), n);
    assert_string_equal(buf, "tps,conte");
    assert_int_equal(buf[10], 'x');
    memset(buf, 'x', sizeof buf);
    assert_int_equal(export_csv_header(&s.el, CONTEST_PPWP, buf, n), n);
    assert_int_equal(strlen(buf), n - 1);
    assert_int_equal(export_csv_header(&s.el, CONTEST_PPWP, buf, n + 1), n);
    assert_string_equal(buf, want);

    entry *en = small_entry(CONTEST_DPD, 1, 16, 0);
    assert_int_equal(export_csv_row(&s.el, en, NULL, 0),
                     strlen("6501012001001,dpd,1,107,90,16,0,,,,\n"));
    memset(buf, 'x', sizeof buf);
    assert_int_equal(export_csv_text("a,b", buf, 3), 5);
    assert_string_equal(buf, "\"a");
    free(en);
}

/* A generated Kalimantan Utara: one national PPWP ballot, one DPD ballot
 * (the province), several DPRD kabupaten ballots. */
static void test_region_district(void **state)
{
    (void)state;
    region_tree *tree;
    election *el;
    err_info e = {0};
    gen_params p;
    gen_params_default(&p);
    p.scope = "65";
    p.seed = 5;
    assert_int_equal(masterdata_load(REKAP_DATA_DIR, &tree, &e), 0);
    assert_int_equal(gen_election(tree, &p, &el, &e), 0);
    uint32_t tps0 = (uint32_t)el->tree->level_start[REGION_TPS];
    for (int k = 0; k < CONTEST_KINDS; k++)
        assert_ptr_equal(election_region_district(el, (contest_kind)k, tps0),
                         election_tps_district(el, 0, (contest_kind)k));
    assert_ptr_equal(election_region_district(el, CONTEST_PPWP, 0), &el->district[CONTEST_PPWP][0]);
    uint32_t prov = region_ancestor(el->tree, tps0, REGION_PROVINCE);
    assert_ptr_equal(election_region_district(el, CONTEST_DPD, prov),
                     election_tps_district(el, 0, CONTEST_DPD));
    assert_true(el->ndistrict[CONTEST_DPRD_KAB] > 1);
    assert_null(election_region_district(el, CONTEST_DPRD_KAB, prov));
    assert_null(election_region_district(el, CONTEST_DPRD_KAB, 0));
    election_free(el);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ppwp),
        cmocka_unit_test(test_dpd_padded),
        cmocka_unit_test(test_legislative),
        cmocka_unit_test(test_text_quoting),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_region_district),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
