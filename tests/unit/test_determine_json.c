/* Tests of determine_json: the document of every contest of a generated
 * province read back with jansson and compared field by field with the
 * determination it was written from; a tally with no vote (outcome
 * no_votes, no seat given, nobody elected); a second round and shares
 * rounded in integers, on a result made by hand; names that need
 * escaping; the snprintf-like contract at every buffer size. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/determine.h"
#include "core/mem.h"
#include "core/tally.h"
#include "testutil.h"

typedef struct fixture {
    election *el;
    form *forms;
    size_t nforms;
} fixture;

static int setup(void **state)
{
    fixture *fx = mem_calloc(1, sizeof *fx);
    fx->el = test_province("65", 7, (1u << CONTEST_KINDS) - 1, &fx->forms, &fx->nforms);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    free(fx->forms);
    election_free(fx->el);
    free(fx);
    return 0;
}

/* A tally of the fixture's first n forms. */
static tally *tally_of(const fixture *fx, size_t n)
{
    tally *t = tally_new(fx->el);
    for (size_t i = 0; i < n; i++)
        assert_int_equal(tally_apply(t, &fx->forms[i], election_tps_find(fx->el, fx->forms[i].tps),
                                     +1),
                         0);
    return t;
}

/* Contest k determined from t and written as JSON, parsed back; *rp keeps
 * the result (the caller frees both). */
static json_t *document(const fixture *fx, const tally *t, contest_kind k, determine_result **rp)
{
    err_info e = {0};
    assert_int_equal(determine_contest(fx->el, t, k, rp, &e), 0);
    determine_json_meta m;
    determine_json_meta_tps(fx->el, t, k, &m);
    size_t len;
    char *text = determine_json_new(fx->el, *rp, &m, &len);
    assert_int_equal(strlen(text), len);
    assert_int_equal(text[len - 1], '\n');
    json_error_t je;
    json_t *doc = json_loadb(text, len, 0, &je);
    if (!doc)
        fprintf(stderr, "%s: %s at %d\n%s", contest_kind_id[k], je.text, je.position, text);
    assert_non_null(doc);
    free(text);
    return doc;
}

static json_int_t num(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    assert_true(json_is_integer(v));
    return json_integer_value(v);
}

static const char *str(const json_t *o, const char *key)
{
    const json_t *v = json_object_get(o, key);
    assert_true(json_is_string(v));
    return json_string_value(v);
}

/* ------------------------------------------------ every contest, counted */

static void check_head(const json_t *doc, contest_kind k, const tally *t, int complete)
{
    const tally_row *row = tally_region(t, k, 0);
    assert_string_equal(str(doc, "contest"), contest_kind_id[k]);
    assert_string_equal(str(doc, "source"), "tps");
    assert_true(json_is_boolean(json_object_get(doc, "complete")));
    assert_int_equal(json_is_true(json_object_get(doc, "complete")), complete);
    const json_t *tps = json_object_get(doc, "tps");
    assert_int_equal(num(tps, "counted"), row->tps_counted);
    assert_int_equal(num(tps, "expected"), row->tps_expected);
}

static void check_ppwp(const election *el, const json_t *doc, const determine_result *r)
{
    const election_district *ds = &el->district[CONTEST_PPWP][0];
    const json_t *p = json_object_get(doc, "ppwp");
    assert_int_equal(num(p, "total"), r->ppwp.total);
    assert_int_equal(num(p, "provinces"), r->ppwp.nprov);
    const json_t *pairs = json_object_get(p, "pairs");
    assert_int_equal(json_array_size(pairs), ds->ncand);
    for (unsigned i = 0; i < ds->ncand; i++) {
        const json_t *x = json_array_get(pairs, i);
        assert_int_equal(num(x, "no"), ds->cand[i].no);
        assert_string_equal(str(x, "name"), ds->cand[i].name);
        assert_int_equal(num(x, "votes"), r->ppwp.votes[i]);
        assert_int_equal(num(x, "provinces_20"), r->ppwp.prov20[i]);
        double pct = json_real_value(json_object_get(x, "pct"));
        assert_true(pct > 100.0 * r->ppwp.votes[i] / r->ppwp.total - 0.0051);
        assert_true(pct < 100.0 * r->ppwp.votes[i] / r->ppwp.total + 0.0051);
    }
    if (r->ppwp.outcome == DETERMINE_PPWP_ELECTED) {
        assert_string_equal(str(p, "outcome"), "elected");
        assert_int_equal(num(json_object_get(p, "winner"), "no"), ds->cand[r->ppwp.winner].no);
        assert_int_equal(json_array_size(json_object_get(p, "runoff")), 0);
    } else {
        assert_string_equal(str(p, "outcome"), "runoff");
        assert_true(json_is_null(json_object_get(p, "winner")));
        assert_int_equal(json_array_size(json_object_get(p, "runoff")), 2);
    }
}

/* The elected of district d: party, ballot number, name, sex, votes. */
static void check_list_elected(const election_district *ds, const determine_district *dd,
                               const json_t *el)
{
    assert_int_equal(json_array_size(el), dd->nelected);
    for (unsigned i = 0; i < dd->nelected; i++) {
        const json_t *x = json_array_get(el, i);
        const election_list *li = &ds->list[dd->elected[i].list];
        const election_candidate *c = &li->cand[dd->elected[i].cand];
        assert_int_equal(num(x, "party"), li->party);
        assert_int_equal(num(x, "no"), c->no);
        assert_string_equal(str(x, "name"), c->name);
        assert_int_equal(str(x, "sex")[0], c->sex);
        assert_int_equal(num(x, "votes"), dd->elected[i].votes);
    }
}

static void check_lists(const election *el, const json_t *doc, const determine_result *r)
{
    contest_kind k = r->kind;
    assert_int_equal(num(doc, "threshold_bp"), k == CONTEST_DPR ? 400 : 0);
    const json_t *parties = json_object_get(doc, "parties");
    assert_int_equal(json_array_size(parties), el->nparty);
    for (unsigned p = 0; p < el->nparty; p++) {
        const json_t *x = json_array_get(parties, p);
        assert_int_equal(num(x, "no"), el->party[p].no);
        assert_string_equal(str(x, "abbrev"), el->party[p].abbrev);
        assert_int_equal(num(x, "votes"), r->party_votes[p]);
        assert_int_equal(json_is_true(json_object_get(x, "eligible")), r->party_eligible[p]);
    }
    const json_t *dists = json_object_get(doc, "districts");
    assert_int_equal(json_array_size(dists), el->ndistrict[k]);
    for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
        const json_t *x = json_array_get(dists, d);
        const election_district *ds = &el->district[k][d];
        const determine_district *dd = &r->district[d];
        assert_int_equal(num(x, "index"), d);
        assert_string_equal(str(x, "id"), ds->id);
        assert_int_equal(num(x, "seats"), ds->seats);
        assert_int_equal(num(x, "allocated"), ds->seats);
        assert_int_equal(num(x, "valid"), dd->valid);
        const json_t *lists = json_object_get(x, "parties");
        assert_int_equal(json_array_size(lists), ds->nlist);
        for (unsigned l = 0; l < ds->nlist; l++) {
            const json_t *y = json_array_get(lists, l);
            assert_int_equal(num(y, "no"), ds->list[l].party);
            assert_int_equal(num(y, "votes"), dd->list_votes[l]);
            assert_int_equal(num(y, "seats"), dd->seats[l]);
        }
        check_list_elected(ds, dd, json_object_get(x, "elected"));
    }
}

static void check_dpd(const election *el, const json_t *doc, const determine_result *r)
{
    const json_t *dists = json_object_get(doc, "districts");
    assert_null(json_object_get(doc, "parties"));
    assert_int_equal(json_array_size(dists), el->ndistrict[CONTEST_DPD]);
    for (uint32_t d = 0; d < el->ndistrict[CONTEST_DPD]; d++) {
        const json_t *x = json_array_get(dists, d);
        const election_district *ds = &el->district[CONTEST_DPD][d];
        const determine_district *dd = &r->district[d];
        assert_string_equal(str(x, "name"), ds->name);
        const json_t *elected = json_object_get(x, "elected");
        assert_int_equal(json_array_size(elected), ds->seats);
        for (unsigned i = 0; i < dd->nelected; i++) {
            const json_t *y = json_array_get(elected, i);
            assert_int_equal(num(y, "no"), ds->cand[dd->elected[i].cand].no);
            assert_string_equal(str(y, "name"), ds->cand[dd->elected[i].cand].name);
            assert_int_equal(num(y, "votes"), dd->elected[i].votes);
        }
    }
}

static void test_every_contest_counted(void **state)
{
    fixture *fx = *state;
    tally *t = tally_of(fx, fx->nforms);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        determine_result *r = NULL;
        json_t *doc = document(fx, t, (contest_kind)k, &r);
        check_head(doc, (contest_kind)k, t, 1);
        if (k == CONTEST_PPWP)
            check_ppwp(fx->el, doc, r);
        else if (k == CONTEST_DPD)
            check_dpd(fx->el, doc, r);
        else
            check_lists(fx->el, doc, r);
        json_decref(doc);
        determine_result_free(r);
    }
    tally_free(t);
}

/* ------------------------------------------------------- nothing counted */

static void test_no_votes(void **state)
{
    fixture *fx = *state;
    tally *t = tally_of(fx, 0);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        determine_result *r = NULL;
        json_t *doc = document(fx, t, (contest_kind)k, &r);
        check_head(doc, (contest_kind)k, t, 0);
        assert_int_equal(num(json_object_get(doc, "tps"), "counted"), 0);
        if (k == CONTEST_PPWP) {
            const json_t *p = json_object_get(doc, "ppwp");
            assert_string_equal(str(p, "outcome"), "no_votes");
            assert_true(json_is_null(json_object_get(p, "winner")));
            assert_int_equal(json_array_size(json_object_get(p, "runoff")), 0);
            assert_int_equal(num(p, "total"), 0);
            const json_t *x = json_array_get(json_object_get(p, "pairs"), 0);
            assert_true(json_real_value(json_object_get(x, "pct")) == 0.0);
        }
        const json_t *dists = json_object_get(doc, "districts");
        for (size_t d = 0; d < json_array_size(dists); d++) {
            const json_t *x = json_array_get(dists, d);
            assert_int_equal(num(x, "valid"), 0);
            assert_int_equal(json_array_size(json_object_get(x, "elected")), 0);
            if (k == CONTEST_DPD)
                continue;
            assert_int_equal(num(x, "allocated"), 0);
            const json_t *lists = json_object_get(x, "parties");
            for (size_t l = 0; l < json_array_size(lists); l++)
                assert_int_equal(num(json_array_get(lists, l), "seats"), 0);
        }
        const json_t *parties = json_object_get(doc, "parties");
        assert_int_equal(json_array_size(parties),
                         contest_is_party_list((contest_kind)k) ? fx->el->nparty : 0);
        for (size_t p = 0; p < json_array_size(parties); p++)
            assert_int_equal(num(json_array_get(parties, p), "votes"), 0);
        json_decref(doc);
        determine_result_free(r);
    }
    tally_free(t);
}

/* --------------------------------------------- made by hand: the bytes */

/* A PPWP result by hand: a second round between pairs 1 and 3, and shares
 * that round (hundredths, half up): 1/3 33.33, 1/8 12.50, 2/3 of the rest. */
static void test_runoff_and_shares(void **state)
{
    fixture *fx = *state;
    determine_result r = {.kind = CONTEST_PPWP};
    r.ppwp = (determine_ppwp){.outcome = DETERMINE_PPWP_RUNOFF, .runoff = {0, 2}, .total = 24,
                              .votes = {8, 3, 13}, .nprov = 1, .prov20 = {1, 0, 1}};
    determine_json_meta m = {.source = "recap", .complete = 1, .tps_counted = 7, .tps_expected = 7};
    size_t len;
    char *text = determine_json_new(fx->el, &r, &m, &len);
    const election_district *ds = &fx->el->district[CONTEST_PPWP][0];
    char want[2048];
    snprintf(want, sizeof want,
             "{\"contest\":\"ppwp\",\"source\":\"recap\",\"complete\":true,"
             "\"tps\":{\"counted\":7,\"expected\":7},\"ppwp\":{\"outcome\":\"runoff\","
             "\"winner\":null,\"runoff\":[{\"no\":1,\"name\":\"%s\"},{\"no\":3,\"name\":\"%s\"}],"
             "\"total\":24,\"provinces\":1,\"pairs\":["
             "{\"no\":1,\"name\":\"%s\",\"votes\":8,\"pct\":33.33,\"provinces_20\":1},"
             "{\"no\":2,\"name\":\"%s\",\"votes\":3,\"pct\":12.50,\"provinces_20\":0},"
             "{\"no\":3,\"name\":\"%s\",\"votes\":13,\"pct\":54.17,\"provinces_20\":1}]}}\n",
             ds->cand[0].name, ds->cand[2].name, ds->cand[0].name, ds->cand[1].name,
             ds->cand[2].name);
    assert_string_equal(text, want);
    free(text);
    /* half a hundredth rounds up, just under it down; 2^53 of 2^53 */
    r.ppwp.outcome = DETERMINE_PPWP_ELECTED;
    r.ppwp.winner = 2;
    r.ppwp.total = DETERMINE_VOTES_MAX;
    r.ppwp.votes[0] = DETERMINE_VOTES_MAX / 20000 + 1; /* just over 0.005% */
    r.ppwp.votes[1] = 1;
    r.ppwp.votes[2] = DETERMINE_VOTES_MAX;
    text = determine_json_new(fx->el, &r, &m, &len);
    assert_non_null(strstr(text, "\"votes\":450359962738,\"pct\":0.01,"));
    assert_non_null(strstr(text, "\"votes\":1,\"pct\":0.00,"));
    assert_non_null(strstr(text, "\"votes\":9007199254740992,\"pct\":100.00,"));
    assert_non_null(strstr(text, "\"winner\":{\"no\":3,"));
    free(text);
}

/* Names with a quote, a backslash and a control character come back as
 * they were. */
static void test_escaping(void **state)
{
    fixture *fx = *state;
    election_candidate *c = &fx->el->district[CONTEST_PPWP][0].cand[0];
    char *was = c->name;
    c->name = mem_strdup("Ahmad \"Dul\" \\ Anam\t\x01 Ñ");
    determine_result r = {.kind = CONTEST_PPWP};
    r.ppwp = (determine_ppwp){.outcome = DETERMINE_PPWP_ELECTED, .winner = 0, .total = 1,
                              .votes = {1}};
    determine_json_meta m = {.source = "tps"};
    size_t len;
    char *text = determine_json_new(fx->el, &r, &m, &len);
    assert_non_null(strstr(text, "\"Ahmad \\\"Dul\\\" \\\\ Anam\\u0009\\u0001 Ñ\""));
    json_t *doc = json_loadb(text, len, 0, NULL);
    assert_non_null(doc);
    assert_string_equal(
        str(json_object_get(json_object_get(doc, "ppwp"), "winner"), "name"), c->name);
    json_decref(doc);
    free(text);
    free(c->name);
    c->name = was;
}

/* Every buffer size gives the whole length and a NUL-terminated prefix. */
static void test_snprintf_contract(void **state)
{
    fixture *fx = *state;
    tally *t = tally_of(fx, fx->nforms / 2);
    determine_result *r = NULL;
    err_info e = {0};
    assert_int_equal(determine_contest(fx->el, t, CONTEST_DPRD_KAB, &r, &e), 0);
    determine_json_meta m;
    determine_json_meta_tps(fx->el, t, CONTEST_DPRD_KAB, &m);
    assert_false(m.complete);
    size_t len;
    char *whole = determine_json_new(fx->el, r, &m, &len);
    assert_int_equal(determine_json(fx->el, r, &m, NULL, 0), len);
    char *buf = mem_alloc(len + 8);
    const size_t caps[] = {1, 2, 17, len / 2, len - 1, len, len + 1, len + 8};
    for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
        memset(buf, 'x', len + 8);
        assert_int_equal(determine_json(fx->el, r, &m, buf, caps[i]), len);
        size_t kept = caps[i] - 1 < len ? caps[i] - 1 : len;
        assert_memory_equal(buf, whole, kept);
        assert_int_equal(buf[kept], '\0');
    }
    free(buf);
    free(whole);
    determine_result_free(r);
    tally_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_contest_counted),
        cmocka_unit_test(test_no_votes),
        cmocka_unit_test(test_runoff_and_shares),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_snprintf_contract),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
