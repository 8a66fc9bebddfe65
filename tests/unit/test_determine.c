/* Tests of determine: worked examples of every rule of
 * docs/DETERMINATION.md (each computed by hand in the comments), the
 * tie-breaks, the --votes table reader's errors, and a whole generated
 * province determined from its tally. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/determine.h"
#include "core/mem.h"
#include "core/tally.h"
#include "testutil.h"

/* ------------------------------------------------------- Sainte-Laguë */

/* The textbook case, 7 seats: quotients
 *   A 53000: 53000 17667 10600  7571
 *   B 24000: 24000  8000  4800
 *   C 23000: 23000  7667  4600
 * the seven highest: 53000 A, 24000 B, 23000 C, 17667 A, 10600 A, 8000 B,
 * 7667 C -> A 3, B 2, C 2. */
static void test_sainte_lague_textbook(void **state)
{
    (void)state;
    uint64_t v[] = {53000, 24000, 23000};
    uint16_t s[3];
    assert_int_equal(determine_sainte_lague(v, NULL, 3, 7, s, NULL), 7);
    assert_int_equal(s[0], 3);
    assert_int_equal(s[1], 2);
    assert_int_equal(s[2], 2);
}

/* A tie of quotients at the last seat, 2 seats, A 300 and B 100: seat 1
 * to A (300); then A 300/3 = 100 and B 100/1 = 100 tie: the lower ballot
 * number (stand-in) takes it. With A first that is A (2, 0); with the
 * parties the other way round it is B's ballot number that is lower, so
 * (1, 1). Ties are compared exactly, 300*1 == 100*3. */
static void test_sainte_lague_tie(void **state)
{
    (void)state;
    uint64_t v[] = {300, 100};
    uint16_t s[2];
    assert_int_equal(determine_sainte_lague(v, NULL, 2, 2, s, NULL), 2);
    assert_int_equal(s[0], 2);
    assert_int_equal(s[1], 0);
    uint64_t w[] = {100, 300};
    assert_int_equal(determine_sainte_lague(w, NULL, 2, 2, s, NULL), 2);
    assert_int_equal(s[0], 1);
    assert_int_equal(s[1], 1);
}

/* One party takes every seat: 3 seats, A 1000, B 10, C 0: A 1000, 333,
 * 200 all beat B's 10; C with no vote never wins. */
static void test_sainte_lague_all_seats(void **state)
{
    (void)state;
    uint64_t v[] = {1000, 10, 0};
    uint16_t s[3];
    assert_int_equal(determine_sainte_lague(v, NULL, 3, 3, s, NULL), 3);
    assert_int_equal(s[0], 3);
    assert_int_equal(s[1], 0);
    assert_int_equal(s[2], 0);
    /* A not eligible (below the threshold): B takes all three */
    uint8_t ok[] = {0, 1, 1};
    assert_int_equal(determine_sainte_lague(v, ok, 3, 3, s, NULL), 3);
    assert_int_equal(s[0], 0);
    assert_int_equal(s[1], 3);
}

/* No eligible vote: no seat is given (a count not yet begun). */
static void test_sainte_lague_no_votes(void **state)
{
    (void)state;
    uint64_t v[] = {0, 0};
    uint16_t s[2] = {9, 9};
    assert_int_equal(determine_sainte_lague(v, NULL, 2, 5, s, NULL), 0);
    assert_int_equal(s[0], 0);
    assert_int_equal(s[1], 0);
    err_info e = {0};
    assert_int_equal(determine_sainte_lague(v, NULL, 2, ELECTION_SEATS_MAX + 1, s, &e), ERR_LIMIT);
    assert_string_equal(e.code, "DETERMINE_SHAPE");
    uint64_t big[] = {DETERMINE_VOTES_MAX, 1};
    assert_int_equal(determine_sainte_lague(big, NULL, 2, 1, s, &e), ERR_LIMIT);
    assert_string_equal(e.code, "DETERMINE_VOTES_LIMIT");
}

/* ------------------------------------------------------------ threshold */

/* 10,000 valid votes: 399 is 3.99% (out), 400 exactly 4.00% (in), the
 * rest 92.01%. With no threshold (DPRD) everyone is in. */
static void test_threshold(void **state)
{
    (void)state;
    uint64_t v[] = {399, 400, 9201};
    uint8_t ok[3];
    assert_int_equal(determine_threshold(v, 3, DETERMINE_DPR_THRESHOLD_BP, ok, NULL), 0);
    assert_int_equal(ok[0], 0);
    assert_int_equal(ok[1], 1);
    assert_int_equal(ok[2], 1);
    assert_int_equal(determine_threshold(v, 3, 0, ok, NULL), 0);
    assert_int_equal(ok[0], 1);
    /* exact at 2^53: 4% of 2^53 would overflow 64-bit products */
    uint64_t big[] = {DETERMINE_VOTES_MAX / 25, DETERMINE_VOTES_MAX - DETERMINE_VOTES_MAX / 25};
    assert_int_equal(determine_threshold(big, 2, 400, ok, NULL), 0);
    assert_int_equal(ok[0], 0); /* 2^53/25 rounds down: just under 4% */
    err_info e = {0};
    assert_int_equal(determine_threshold(v, 3, 10001, ok, &e), ERR_INVALID);
}

/* ----------------------------------------------------------- ranking */

/* DPD top four, a tie at fourth (Art. 423(2)): votes 50 40 30 20 20 10;
 * candidates 4 and 5 tie at 20. The one with votes in more kab/kota (5 in
 * 5 against 3) is elected; without a spread the lower ballot number. */
static void test_rank_dpd_tie_fourth(void **state)
{
    (void)state;
    uint64_t v[] = {50, 40, 30, 20, 20, 10};
    uint64_t spread[] = {5, 5, 5, 3, 5, 2};
    unsigned o[6];
    determine_rank(v, spread, 6, o);
    assert_int_equal(o[0], 0);
    assert_int_equal(o[1], 1);
    assert_int_equal(o[2], 2);
    assert_int_equal(o[3], 4);
    assert_int_equal(o[4], 3);
    determine_rank(v, NULL, 6, o);
    assert_int_equal(o[3], 3);
}

/* Candidates of a list: 10 10 5, the second a woman: equal votes put the
 * woman first (stand-in for the regulation's spread, then sex); with no
 * vote at all the ballot number decides, sex aside. */
static void test_rank_candidates(void **state)
{
    (void)state;
    uint64_t v[] = {10, 10, 5}, woman[] = {0, 1, 0};
    unsigned o[3];
    determine_rank(v, woman, 3, o);
    assert_int_equal(o[0], 1);
    assert_int_equal(o[1], 0);
    assert_int_equal(o[2], 2);
    uint64_t z[] = {0, 0, 0};
    determine_rank(z, woman, 3, o);
    assert_int_equal(o[0], 0);
    assert_int_equal(o[1], 1);
}

/* --------------------------------------------------------------- PPWP */

/* Three pairs, four provinces (the 20% rule needs more than 2 of 4). */
static void test_ppwp_majority_not_reached(void **state)
{
    (void)state;
    /* 450 350 200 of 1000: 45%, no majority -> second round of 1 and 2 */
    uint64_t nat[] = {450, 350, 200};
    uint64_t prov[] = {150, 50, 50, 100, 100, 50, 100, 100, 50, 100, 100, 50};
    determine_ppwp p;
    assert_int_equal(determine_ppwp_run(nat, 3, prov, 4, &p, NULL), 0);
    assert_int_equal(p.outcome, DETERMINE_PPWP_RUNOFF);
    assert_int_equal(p.runoff[0], 0);
    assert_int_equal(p.runoff[1], 1);
    assert_int_equal(p.total, 1000);
    /* exactly 50% is not "more than 50%" */
    uint64_t half[] = {500, 300, 200};
    uint64_t hp[] = {125, 75, 50, 125, 75, 50, 125, 75, 50, 125, 75, 50};
    assert_int_equal(determine_ppwp_run(half, 3, hp, 4, &p, NULL), 0);
    assert_int_equal(p.outcome, DETERMINE_PPWP_RUNOFF);
}

/* 60% nationally but 20% in only 2 of 4 provinces:
 *   p1 280 10 10 (93%)   p2 280 10 10 (93%)
 *   p3  20 90 90 (10%)   p4  20 90 90 (10%)
 * pair 1: 600 of 1000 = 60%, >= 20% in 2 provinces, not more than half
 * -> second round. Second place: pairs 2 and 3 tie at 200, each with
 * votes in all 4 provinces -> the lower ballot number, pair 2 (stand-in
 * for Art. 416(5)'s tiered spread). With p3 at 40 80 80 (pair 1 has
 * exactly 20%, "sedikitnya"), 3 of 4 provinces: elected. */
static void test_ppwp_spread_rule(void **state)
{
    (void)state;
    uint64_t nat[] = {600, 200, 200};
    uint64_t prov[] = {280, 10, 10, 280, 10, 10, 20, 90, 90, 20, 90, 90};
    determine_ppwp p;
    assert_int_equal(determine_ppwp_run(nat, 3, prov, 4, &p, NULL), 0);
    assert_int_equal(p.prov20[0], 2);
    assert_int_equal(p.outcome, DETERMINE_PPWP_RUNOFF);
    assert_int_equal(p.runoff[0], 0);
    assert_int_equal(p.runoff[1], 1);

    uint64_t nat2[] = {620, 190, 190};
    uint64_t prov2[] = {280, 10, 10, 280, 10, 10, 40, 80, 80, 20, 90, 90};
    assert_int_equal(determine_ppwp_run(nat2, 3, prov2, 4, &p, NULL), 0);
    assert_int_equal(p.prov20[0], 3);
    assert_int_equal(p.outcome, DETERMINE_PPWP_ELECTED);
    assert_int_equal(p.winner, 0);
}

/* Art. 416(5): pairs 2 and 3 tie for second (300 each); pair 3 has votes
 * in 4 provinces, pair 2 in 3: pair 3 goes to the second round. And
 * 416(3): two pairs tie for first, both go. */
static void test_ppwp_ties(void **state)
{
    (void)state;
    uint64_t nat[] = {400, 300, 300};
    uint64_t prov[] = {100, 100, 75, 100, 100, 75, 100, 100, 75, 100, 0, 75};
    determine_ppwp p;
    assert_int_equal(determine_ppwp_run(nat, 3, prov, 4, &p, NULL), 0);
    assert_int_equal(p.outcome, DETERMINE_PPWP_RUNOFF);
    assert_int_equal(p.runoff[0], 0);
    assert_int_equal(p.runoff[1], 2);
    uint64_t first[] = {400, 400, 200};
    assert_int_equal(determine_ppwp_run(first, 3, NULL, 0, &p, NULL), 0);
    assert_int_equal(p.outcome, DETERMINE_PPWP_RUNOFF);
    assert_int_equal(p.runoff[0], 0);
    assert_int_equal(p.runoff[1], 1);
}

/* Two pairs (MK 50/PUU-XII/2014): the one with more votes wins even where
 * the provinces' rule fails; a tie goes to a new vote. Overseas votes
 * (national above the provinces' sum) are fine; a province above the
 * nation is not. No vote: no outcome. */
static void test_ppwp_two_pairs_and_shapes(void **state)
{
    (void)state;
    uint64_t nat[] = {600, 400};
    uint64_t prov[] = {290, 10, 290, 10, 10, 190, 10, 190};
    determine_ppwp p;
    assert_int_equal(determine_ppwp_run(nat, 2, prov, 4, &p, NULL), 0);
    assert_int_equal(p.outcome, DETERMINE_PPWP_ELECTED);
    assert_int_equal(p.winner, 0);
    uint64_t tie[] = {500, 500};
    assert_int_equal(determine_ppwp_run(tie, 2, NULL, 0, &p, NULL), 0);
    assert_int_equal(p.outcome, DETERMINE_PPWP_RUNOFF);
    uint64_t zero[] = {0, 0, 0};
    assert_int_equal(determine_ppwp_run(zero, 3, NULL, 0, &p, NULL), 0);
    assert_int_equal(p.outcome, DETERMINE_PPWP_NO_VOTES);
    err_info e = {0};
    uint64_t over[] = {700, 10, 10, 10};
    assert_int_equal(determine_ppwp_run(nat, 2, over, 2, &p, &e), ERR_INVALID);
    assert_string_equal(e.code, "DETERMINE_SHAPE");
    assert_int_equal(determine_ppwp_run(nat, 1, NULL, 0, &p, &e), ERR_INVALID);
}

/* ---------------------------------------------------- the --votes table */

/* Two dapil; national sums: party 1 = 5000+3000 = 8000, party 2 = 1500 +
 * 2000 = 3500, party 3 = 390 + 0 = 390 (390 / 11890 = 3.28%: out).
 * I (3 seats): 1: 5000 1667 1000; 2: 1500 500 -> 1 1 1 + 2 1 -> 1:2, 2:1.
 * II (2 seats): 1: 3000 1000; 2: 2000 667 -> 1:1, 2:1. */
static void test_table_seats(void **state)
{
    (void)state;
    static const char csv[] = "dapil,seats,party,votes\r\n"
                              "\"DAPIL I, barat\",3,1,5000\n"
                              "\"DAPIL I, barat\",3,2,1500\n"
                              "\"DAPIL I, barat\",3,3,390\n"
                              "\n"
                              "DAPIL II,2,2,2000\n"
                              "DAPIL II,2,1,3000\n";
    determine_table *t = NULL;
    err_info e = {0};
    assert_int_equal(determine_table_parse(csv, strlen(csv), "t.csv", &t, &e), 0);
    assert_int_equal(t->ndapil, 2);
    assert_string_equal(t->dapil[0].id, "DAPIL I, barat");
    uint16_t *s = mem_calloc(2 * ELECTION_PARTY_MAX, sizeof *s);
    uint8_t ok[ELECTION_PARTY_MAX];
    assert_int_equal(determine_table_seats(t, 400, s, ok, &e), 0);
    assert_int_equal(ok[2], 0);
    assert_int_equal(s[0], 2);
    assert_int_equal(s[1], 1);
    assert_int_equal(s[2], 0);
    assert_int_equal(s[ELECTION_PARTY_MAX + 0], 1);
    assert_int_equal(s[ELECTION_PARTY_MAX + 1], 1);
    /* no threshold: party 3 competes in I: 5000 1667 1500 -> 1:2, 2:1
     * still (390 is below 1500) */
    assert_int_equal(determine_table_seats(t, 0, s, ok, &e), 0);
    assert_int_equal(ok[2], 1);
    assert_int_equal(s[2], 0);
    free(s);
    determine_table_free(t);
}

static void table_error(const char *csv, const char *code, const char *where)
{
    determine_table *t = (determine_table *)1;
    err_info e = {0};
    assert_true(determine_table_parse(csv, strlen(csv), "t.csv", &t, &e) < 0);
    assert_null(t);
    assert_string_equal(e.code, code);
    assert_string_equal(e.where, where);
    assert_non_null(e.code[0] == 'C' ? "" : determine_msg_id(e.code));
}

static void test_table_errors(void **state)
{
    (void)state;
    table_error("", "DETERMINE_CSV_HEADER", "t.csv:0");
    table_error("dapil,seats,party\n", "DETERMINE_CSV_HEADER", "t.csv:1");
    table_error("dapil,seats,party,votes\n", "DETERMINE_CSV_EMPTY", "t.csv");
    table_error("dapil,seats,party,votes\nA,3,1,10\nA,3,2\n", "DETERMINE_CSV_FIELDS", "t.csv:3");
    table_error("dapil,seats,party,votes\nA,0,1,10\n", "DETERMINE_CSV_SEATS", "t.csv:2");
    table_error("dapil,seats,party,votes\nA,121,1,10\n", "DETERMINE_CSV_SEATS", "t.csv:2");
    table_error("dapil,seats,party,votes\nA,3,1,10\nA,4,2,10\n", "DETERMINE_CSV_SEATS", "t.csv:3");
    table_error("dapil,seats,party,votes\nA,3,100,10\n", "DETERMINE_CSV_PARTY", "t.csv:2");
    table_error("dapil,seats,party,votes\nA,3,0,10\n", "DETERMINE_CSV_PARTY", "t.csv:2");
    table_error("dapil,seats,party,votes\nA,3,1,-1\n", "DETERMINE_CSV_VOTES", "t.csv:2");
    table_error("dapil,seats,party,votes\nA,3,1,9007199254740993\n", "DETERMINE_CSV_VOTES",
                "t.csv:2");
    table_error("dapil,seats,party,votes\nA,3,1, 10\n", "DETERMINE_CSV_VOTES", "t.csv:2");
    table_error("dapil,seats,party,votes\nA,3,1,10\nA,3,1,20\n", "DETERMINE_CSV_DUPLICATE",
                "t.csv:3");
    table_error("dapil,seats,party,votes\nA,3,1,10\nB,3,1,10\nA,3,2,5\n",
                "DETERMINE_CSV_DUPLICATE", "t.csv:4");
    table_error("dapil,seats,party,votes\n,3,1,10\n", "DETERMINE_CSV_DAPIL", "t.csv:2");
    table_error("dapil,seats,party,votes\n\"A,3,1,10\n", "CSV_QUOTE", "t.csv:2");
    /* 2^53 itself is allowed; two of them in one party's sum are not */
    static const char big[] = "dapil,seats,party,votes\nA,1,1,9007199254740992\n"
                              "B,1,1,1\n";
    determine_table *t = NULL;
    err_info e = {0};
    assert_int_equal(determine_table_parse(big, strlen(big), "t.csv", &t, &e), 0);
    uint16_t s[2 * ELECTION_PARTY_MAX];
    assert_int_equal(determine_table_seats(t, 400, s, NULL, &e), ERR_LIMIT);
    assert_string_equal(e.code, "DETERMINE_VOTES_LIMIT");
    determine_table_free(t);
}

/* ------------------------------------------------ a whole province */

/* Kalimantan Utara's true forms applied to a tally: every contest
 * determines; each party-list district gives all its seats, only to
 * parties over the threshold (DPR), and each list's elected candidates
 * have at least the votes of its others; DPD elects four. */
static void test_contest_province(void **state)
{
    (void)state;
    form *forms = NULL;
    size_t n = 0;
    election *el = test_province("65", 7, 0x1f, &forms, &n);
    tally *t = tally_new(el);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(tally_apply(t, &forms[i], election_tps_find(el, forms[i].tps), +1), 0);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        determine_result *r = NULL;
        err_info e = {0};
        int rc = determine_contest(el, t, (contest_kind)k, &r, &e);
        if (rc)
            fprintf(stderr, "%s: %s %s\n", contest_kind_id[k], e.code, e.msg);
        assert_int_equal(rc, 0);
        if (k == CONTEST_PPWP) {
            assert_int_not_equal(r->ppwp.outcome, DETERMINE_PPWP_NO_VOTES);
            assert_int_equal(r->ppwp.nprov, 1);
        }
        for (uint32_t d = 0; d < r->ndistrict; d++) {
            const election_district *ds = &el->district[k][d];
            const determine_district *dd = &r->district[d];
            assert_true(dd->valid > 0);
            if (k == CONTEST_DPD) {
                assert_int_equal(dd->nelected, ds->seats < ds->ncand ? ds->seats : ds->ncand);
                continue;
            }
            unsigned sum = 0;
            for (unsigned l = 0; l < ds->nlist; l++) {
                sum += dd->seats[l];
                const election_party *p = election_party_find(el, ds->list[l].party);
                if (dd->seats[l])
                    assert_true(r->party_eligible[p - el->party]);
            }
            assert_int_equal(sum, ds->seats);
            assert_int_equal(dd->allocated, ds->seats);
            uint32_t nv;
            const uint64_t *v = tally_district(t, (contest_kind)k, d, &nv);
            for (unsigned i = 0; i < dd->nelected; i++) {
                const determine_elected *x = &dd->elected[i];
                uint32_t off = 0;
                for (unsigned l = 0; l < x->list; l++)
                    off += ds->list[l].ncand;
                assert_int_equal(x->votes, v[off + x->cand]);
                for (unsigned c = 0; c < ds->list[x->list].ncand; c++) {
                    int elected = 0;
                    for (unsigned j = 0; j < dd->nelected; j++)
                        elected |= dd->elected[j].list == x->list && dd->elected[j].cand == c;
                    if (!elected)
                        assert_true(v[off + c] <= x->votes);
                }
            }
        }
        determine_result_free(r);
    }
    tally_free(t);
    free(forms);
    election_free(el);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sainte_lague_textbook),
        cmocka_unit_test(test_sainte_lague_tie),
        cmocka_unit_test(test_sainte_lague_all_seats),
        cmocka_unit_test(test_sainte_lague_no_votes),
        cmocka_unit_test(test_threshold),
        cmocka_unit_test(test_rank_dpd_tie_fourth),
        cmocka_unit_test(test_rank_candidates),
        cmocka_unit_test(test_ppwp_majority_not_reached),
        cmocka_unit_test(test_ppwp_spread_rule),
        cmocka_unit_test(test_ppwp_ties),
        cmocka_unit_test(test_ppwp_two_pairs_and_shapes),
        cmocka_unit_test(test_table_seats),
        cmocka_unit_test(test_table_errors),
        cmocka_unit_test(test_contest_province),
    };
    return cmocka_run_group_tests(tests, 0, NULL);
}
