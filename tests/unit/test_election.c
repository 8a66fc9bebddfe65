/* Tests for election: contest kinds, parsing a small hand-written
 * rekap-election/1 document over a small region tree (Aceh and overseas),
 * lookups, district membership checked against a brute-force oracle, the
 * byte-identical round trip, and one failing document per error code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/election.h"
#include "core/mem.h"
#include "core/region.h"
#include "election_small_tree.h"

/* Written with ' for " to stay readable; dq() turns them back. Regions of
 * every level appear in districts: nation, province, kab/kota, kecamatan,
 * desa; overseas (99) joins ACEH II for DPR. */
static const char base_doc[] =
    "{'format':'rekap-election/1','name':'Pemilu Uji','seed':7,\n"
    "'rules':{'ballot_reserve_permille':20,'reserve_dptb':true,'reserve_dpk':false,'tps_max_dpt':300},\n"
    "'parties':[{'no':1,'abbrev':'PKB','name':'Partai Kebangkitan Bangsa'},\n"
    " {'no':2,'abbrev':'GERINDRA','name':'Partai Gerakan Indonesia Raya'},\n"
    " {'no':19,'abbrev':'PNA','name':'Partai Nanggroe Aceh','only_in':'11'}],\n"
    "'contests':{\n"
    " 'ppwp':[{'id':'ppwp','name':'Presiden dan Wakil Presiden','seats':1,'regions':['0'],\n"
    "   'candidates':[{'no':1,'name':'Anies - Muhaimin'},{'no':2,'name':'Prabowo - Gibran'}]}],\n"
    " 'dpr':[{'id':'dpr-11-1','name':'ACEH I','seats':2,'regions':['1101'],\n"
    "   'lists':[{'party':1,'candidates':[{'no':1,'name':'Teuku Umar','sex':'L'},{'no':2,'name':'Cut Nyak Dhien','sex':'P'}]},\n"
    "            {'party':2,'candidates':[{'no':1,'name':'Ali Hasjmy','sex':'L'}]}]},\n"
    "  {'id':'dpr-11-2','name':'ACEH II','seats':2,'regions':['1102','99'],\n"
    "   'lists':[{'party':1,'candidates':[{'no':1,'name':'Nurdin','sex':'L'}]}]}],\n"
    " 'dpd':[{'id':'dpd-11','name':'ACEH','seats':4,'regions':['11'],\n"
    "   'candidates':[{'no':1,'name':'Fachrul Razi','sex':'L'},{'no':2,'name':'Darwati','sex':'P'}]}],\n"
    " 'dprd_prov':[{'id':'dpra-1','name':'ACEH 1','seats':3,'regions':['110101','110102'],\n"
    "   'lists':[{'party':19,'candidates':[{'no':1,'name':'Irwandi','sex':'L'}]}]},\n"
    "  {'id':'dpra-2','name':'ACEH 2','seats':3,'regions':['1102'],\n"
    "   'lists':[{'party':2,'candidates':[{'no':1,'name':'Zainal','sex':'L'}]}]}],\n"
    " 'dprd_kab':[{'id':'dprk-1101-1','name':'ACEH SELATAN 1','seats':3,'regions':['1101012001','1101012002'],\n"
    "   'lists':[{'party':1,'candidates':[{'no':1,'name':'Hasan','sex':'L'}]},{'party':19,'candidates':[{'no':1,'name':'Aminah','sex':'P'}]}]},\n"
    "  {'id':'dprk-1101-2','name':'ACEH SELATAN 2','seats':3,'regions':['110102'],\n"
    "   'lists':[{'party':2,'candidates':[{'no':1,'name':'Yusuf','sex':'L'}]}]},\n"
    "  {'id':'dprk-1102-1','name':'ACEH TENGGARA 1','seats':3,'regions':['1102'],\n"
    "   'lists':[{'party':1,'candidates':[{'no':1,'name':'Rahmah','sex':'P'}]}]}]},\n"
    "'tps':{'1101012001':[[100,110],[120,115]],'1101012002':[[90,95]],'1101022001':[[150,149]],\n"
    " '1102012001':[[1,0]],'9901010001':[[60,70],[55,45]],'9902010001':[[200,100]]}}\n";

static char *dq(const char *s)
{
    char *d = mem_strdup(s);
    for (char *c = d; *c; c++)
        if (*c == '\'')
            *c = '"';
    return d;
}

/* s with the first `from` replaced by `to` (all in ' notation). */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    if (!at)
        fail_msg("\"%s\" is not in the document", from);
    size_t a = (size_t)(at - s), nf = strlen(from), nt = strlen(to);
    char *d = mem_alloc(strlen(s) - nf + nt + 1);
    memcpy(d, s, a);
    memcpy(d + a, to, nt);
    strcpy(d + a + nt, at + nf);
    return d;
}

static region_tree *small_tree(void)
{
    err_info e = {0};
    region_tree *t = region_tree_new();
    assert_int_equal(region_add_csv(t, election_small_regions_csv,
                                    strlen(election_small_regions_csv), "t.csv", &e),
                     0);
    assert_int_equal(region_tree_finish(t, &e), 0);
    return t;
}

/* Parse a document written in ' notation. */
static int parse_sq(const char *doc, election **el, err_info *e)
{
    char *d = dq(doc);
    int rc = election_parse(d, strlen(d), small_tree(), el, e);
    free(d);
    return rc;
}

static election *parse_ok(const char *doc)
{
    err_info e = {0};
    election *el = NULL;
    int rc = parse_sq(doc, &el, &e);
    if (rc)
        fail_msg("parse failed: %s at %s: %s", e.code, e.where, e.msg);
    return el;
}

static char *write_mem(const election *el, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    assert_non_null(f);
    assert_int_equal(election_write(el, f), 0);
    fclose(f);
    return buf;
}

static const election_district *tps_district(const election *el, const char *tps,
                                             contest_kind k)
{
    uint32_t i = election_tps_find(el, tps);
    assert_int_not_equal(i, ELECTION_NONE);
    return election_tps_district(el, i, k);
}

static void test_kinds(void **state)
{
    (void)state;
    for (int k = 0; k < CONTEST_KINDS; k++)
        assert_int_equal(contest_kind_parse(contest_kind_id[k]), k);
    assert_int_equal(contest_kind_parse("dprd"), -1);
    assert_int_equal(contest_kind_parse(NULL), -1);
    assert_false(contest_is_party_list(CONTEST_PPWP));
    assert_true(contest_is_party_list(CONTEST_DPR));
    assert_false(contest_is_party_list(CONTEST_DPD));
    assert_true(contest_is_party_list(CONTEST_DPRD_PROV));
    assert_true(contest_is_party_list(CONTEST_DPRD_KAB));
}

static void test_parse(void **state)
{
    (void)state;
    election *el = parse_ok(base_doc);
    assert_string_equal(el->name, "Pemilu Uji");
    assert_int_equal(el->seed, 7);
    assert_int_equal(el->rules.reserve_permille, 20);
    assert_int_equal(el->rules.reserve_dptb, 1);
    assert_int_equal(el->rules.reserve_dpk, 0);
    assert_int_equal(el->rules.tps_max_dpt, 300);
    assert_int_equal(el->nparty, 3);
    assert_string_equal(election_party_find(el, 2)->abbrev, "GERINDRA");
    assert_string_equal(election_party_find(el, 19)->only_in, "11");
    assert_null(election_party_find(el, 1)->only_in);
    assert_null(election_party_find(el, 3));
    assert_null(election_party_find(el, 0));
    assert_int_equal(el->ndistrict[CONTEST_PPWP], 1);
    assert_int_equal(el->ndistrict[CONTEST_DPR], 2);
    assert_int_equal(el->ndistrict[CONTEST_DPD], 1);
    assert_int_equal(el->ndistrict[CONTEST_DPRD_PROV], 2);
    assert_int_equal(el->ndistrict[CONTEST_DPRD_KAB], 3);
    const election_district *d = &el->district[CONTEST_DPR][0];
    assert_string_equal(d->id, "dpr-11-1");
    assert_int_equal(d->kind, CONTEST_DPR);
    assert_int_equal(d->seats, 2);
    assert_int_equal(d->nlist, 2);
    assert_int_equal(d->list[0].ncand, 2);
    assert_string_equal(d->list[0].cand[1].name, "Cut Nyak Dhien");
    assert_int_equal(d->list[0].cand[1].sex, 'P');
    assert_int_equal(d->list[1].party, 2);
    const election_district *p = &el->district[CONTEST_PPWP][0];
    assert_int_equal(p->ncand, 2);
    assert_int_equal(p->cand[1].sex, '\0');
    assert_string_equal(p->cand[1].name, "Prabowo - Gibran");
    assert_int_equal(p->nregion, 1);
    assert_int_equal(p->region[0], region_find(el->tree, "0"));
    election_free(el);
}

static void test_tps_lookup(void **state)
{
    (void)state;
    election *el = parse_ok(base_doc);
    assert_int_equal(el->ntps, 8);
    /* tps[] follows the tree's TPS level one to one. */
    for (uint32_t i = 0; i < el->ntps; i++) {
        const region *r = election_tps_region(el, i);
        assert_int_equal(r->level, REGION_TPS);
        assert_int_equal(election_tps_find(el, r->code), i);
    }
    assert_null(election_tps_region(el, (uint32_t)el->ntps));
    uint32_t i = election_tps_find(el, "1101012001002");
    assert_int_not_equal(i, ELECTION_NONE);
    assert_string_equal(election_tps_region(el, i)->code, "1101012001002");
    assert_int_equal(el->tps[i].dpt_male, 120);
    assert_int_equal(el->tps[i].dpt_female, 115);
    i = election_tps_find(el, "9902010001001");
    assert_int_equal(el->tps[i].dpt_male, 200);
    assert_int_equal(el->tps[i].dpt_female, 100);
    assert_int_equal(election_tps_find(el, "1101012001003"), ELECTION_NONE);
    assert_int_equal(election_tps_find(el, "1101012001"), ELECTION_NONE);
    assert_int_equal(election_tps_find(el, "x"), ELECTION_NONE);
    election_free(el);
}

static void test_membership(void **state)
{
    (void)state;
    election *el = parse_ok(base_doc);
    assert_string_equal(tps_district(el, "1101012001001", CONTEST_PPWP)->id, "ppwp");
    assert_string_equal(tps_district(el, "1101012001001", CONTEST_DPR)->id, "dpr-11-1");
    assert_string_equal(tps_district(el, "1101012001001", CONTEST_DPD)->id, "dpd-11");
    assert_string_equal(tps_district(el, "1101012001001", CONTEST_DPRD_PROV)->id, "dpra-1");
    assert_string_equal(tps_district(el, "1101012001001", CONTEST_DPRD_KAB)->id, "dprk-1101-1");
    assert_string_equal(tps_district(el, "1101022001001", CONTEST_DPRD_KAB)->id, "dprk-1101-2");
    assert_string_equal(tps_district(el, "1102012001001", CONTEST_DPR)->id, "dpr-11-2");
    /* Overseas: PPWP and DPR only. */
    assert_string_equal(tps_district(el, "9901010001002", CONTEST_PPWP)->id, "ppwp");
    assert_string_equal(tps_district(el, "9901010001002", CONTEST_DPR)->id, "dpr-11-2");
    assert_null(tps_district(el, "9901010001002", CONTEST_DPD));
    assert_null(tps_district(el, "9902010001001", CONTEST_DPRD_PROV));
    assert_null(tps_district(el, "9902010001001", CONTEST_DPRD_KAB));
    assert_null(election_tps_district(el, (uint32_t)el->ntps, CONTEST_DPR));

    /* Oracle: the district of every TPS is the one listing a region that
     * holds it, found by brute force over every listing. */
    for (uint32_t i = 0; i < el->ntps; i++) {
        uint32_t node = (uint32_t)el->tree->level_start[REGION_TPS] + i;
        for (int k = 0; k < CONTEST_KINDS; k++) {
            const election_district *want = NULL;
            for (size_t d = 0; d < el->ndistrict[k]; d++)
                for (size_t j = 0; j < el->district[k][d].nregion; j++)
                    if (region_is_within(el->tree, node, el->district[k][d].region[j])) {
                        assert_null(want);
                        want = &el->district[k][d];
                    }
            assert_ptr_equal(election_tps_district(el, i, (contest_kind)k), want);
        }
    }
    election_free(el);
}

/* parse(write(parse(x))) writes the same bytes, and the written document
 * does not depend on the order of members or on escapes in the input. */
static void test_round_trip(void **state)
{
    (void)state;
    election *a = parse_ok(base_doc);
    size_t na, nb, nc;
    char *wa = write_mem(a, &na);
    err_info e = {0};
    election *b = NULL;
    assert_int_equal(election_parse(wa, na, small_tree(), &b, &e), 0);
    char *wb = write_mem(b, &nb);
    assert_int_equal(na, nb);
    assert_memory_equal(wa, wb, na);
    assert_int_equal(b->ntps, a->ntps);
    for (size_t i = 0; i < a->ntps; i++)
        assert_memory_equal(&a->tps[i], &b->tps[i], sizeof a->tps[i]);

    /* tps first, members reordered, a name spelt with an escape, dotted
     * codes. */
    char *moved = replace(base_doc, "{'format':'rekap-election/1',",
                          "{'tps':{},'\\u0066ormat':'rekap-election/1',");
    char *t1 = replace(moved, "'tps':{'1101012001'", "'xtps':{'1101012001'");
    char *t2 = replace(t1, "'tps':{},", "");
    char *t3 = replace(t2, "'xtps'", "'tps'");
    char *t4 = replace(t3, "'regions':['1101'],", "'regions':['11.01'],");
    char *t5 = replace(t4, "'1101022001':", "'11.01.02.2001':");
    election *c = parse_ok(t5);
    char *wc = write_mem(c, &nc);
    assert_int_equal(nc, na);
    assert_memory_equal(wc, wa, na);
    free(moved);
    free(t1);
    free(t2);
    free(t3);
    free(t4);
    free(t5);
    free(wa);
    free(wb);
    free(wc);
    election_free(a);
    election_free(b);
    election_free(c);
}

/* Names with quotes, backslashes, control characters and UTF-8 survive. */
static void test_text_escapes(void **state)
{
    (void)state;
    char *doc = replace(base_doc, "'name':'Pemilu Uji'",
                        "'name':'Pemilu \\'Uji\\' \\\\ \\t Ac\\u00e9h \xc3\xa9'");
    /* dq turned the escaped ' into ", which is what we want in JSON. */
    election *el = parse_ok(doc);
    assert_string_equal(el->name, "Pemilu \"Uji\" \\ \t Ac\xc3\xa9h \xc3\xa9");
    size_t n, m;
    char *w = write_mem(el, &n);
    election *again = NULL;
    err_info e = {0};
    assert_int_equal(election_parse(w, n, small_tree(), &again, &e), 0);
    assert_string_equal(again->name, el->name);
    char *w2 = write_mem(again, &m);
    assert_int_equal(n, m);
    assert_memory_equal(w, w2, n);
    free(doc);
    free(w);
    free(w2);
    election_free(el);
    election_free(again);
}

/* A ballot other than PPWP and DPR may be left out of a whole province (DKI
 * Jakarta has no DPRD kab/kota), never out of part of one. */
static void test_ballot_whole_province(void **state)
{
    (void)state;
    /* No dprd_kab district at all: the one province in the document has none. */
    const char *from = strstr(base_doc, " 'dprd_kab':[");
    const char *to = strstr(base_doc, "'tps':{");
    size_t head = (size_t)(from - base_doc);
    char *doc = mem_alloc(strlen(base_doc) + 32);
    memcpy(doc, base_doc, head);
    sprintf(doc + head, " 'dprd_kab':[]},\n%s", to);
    election *el = parse_ok(doc);
    for (uint32_t i = 0; i < el->ntps; i++)
        assert_int_equal(el->tps[i].district[CONTEST_DPRD_KAB], ELECTION_NONE);
    election_free(el);
    free(doc);
}

static void test_seed_range(void **state)
{
    (void)state;
    char *doc = replace(base_doc, "'seed':7", "'seed':18446744073709551615");
    election *el = parse_ok(doc);
    assert_true(el->seed == UINT64_MAX);
    size_t n;
    char *w = write_mem(el, &n);
    assert_non_null(strstr(w, "\"seed\":18446744073709551615,"));
    free(w);
    free(doc);
    election_free(el);
}

typedef struct bad_case {
    const char *from, *to; /* mutation of base_doc, ' notation */
    const char *code, *where;
    int rc;
} bad_case;

static const bad_case bad_cases[] = {
    {"'rekap-election/1'", "'rekap-chasil/1'", "ELECTION_FORMAT", "format", ERR_INVALID},
    {"'seed':7,", "'seed':7,'extra':1,", "ELECTION_FIELD_UNKNOWN", "extra", ERR_INVALID},
    {"'seed':7,", "", "ELECTION_FIELD_MISSING", "seed", ERR_INVALID},
    {"'seats':4,", "", "ELECTION_FIELD_MISSING", "contests.dpd[0].seats", ERR_INVALID},
    {" 'dpd':[", " 'dpdx':[", "ELECTION_FIELD_UNKNOWN", "contests.dpdx", ERR_INVALID},
    {"'abbrev':'PKB',", "'abbrev':'PKB','colour':'green',", "ELECTION_FIELD_UNKNOWN",
     "parties[0].colour", ERR_INVALID},
    {"{'no':1,'name':'Anies - Muhaimin'}", "{'no':1,'name':'Anies - Muhaimin','sex':'L'}",
     "ELECTION_FIELD_UNKNOWN", "contests.ppwp[0].candidates[0].sex", ERR_INVALID},
    {"'name':'Darwati','sex':'P'", "'name':'Darwati'", "ELECTION_FIELD_MISSING",
     "contests.dpd[0].candidates[1].sex", ERR_INVALID},
    {"'seats':2,'regions':['1101']", "'seats':'2','regions':['1101']", "ELECTION_FIELD_TYPE",
     "contests.dpr[0].seats", ERR_INVALID},
    {"'reserve_dptb':true", "'reserve_dptb':1", "ELECTION_FIELD_TYPE", "rules.reserve_dptb",
     ERR_INVALID},
    {"'1102012001':[[1,0]]", "'1102012001':[[1,0,0]]", "ELECTION_FIELD_TYPE",
     "tps.1102012001[0]", ERR_INVALID},
    {"'seed':7", "'seed':'7'", "ELECTION_FIELD_TYPE", "seed", ERR_INVALID},
    {"'seed':7", "'seed':-7", "ELECTION_FIELD_RANGE", "seed", ERR_INVALID},
    {"'name':'Darwati','sex':'P'", "'name':'Darwati','sex':'W'", "ELECTION_FIELD_RANGE",
     "contests.dpd[0].candidates[1].sex", ERR_INVALID},
    {"'name':'Pemilu Uji'", "'name':''", "ELECTION_FIELD_RANGE", "name", ERR_INVALID},
    {"'tps_max_dpt':300", "'tps_max_dpt':1000", "ELECTION_FIELD_RANGE", "rules.tps_max_dpt",
     ERR_INVALID},
    {"'only_in':'11'", "'only_in':'1101'", "ELECTION_FIELD_RANGE", "parties[2].only_in",
     ERR_INVALID},
    {"'regions':['1102','99']", "'regions':['1103','99']", "ELECTION_REGION_UNKNOWN",
     "contests.dpr[1].regions[0]", ERR_NOTFOUND},
    {"'1102012001':", "'1102012009':", "ELECTION_REGION_UNKNOWN", "tps.1102012009",
     ERR_NOTFOUND},
    {"'1102012001':", "'110201':", "ELECTION_REGION_UNKNOWN", "tps.110201", ERR_NOTFOUND},
    {"{'party':2,'candidates':[{'no':1,'name':'Ali", "{'party':5,'candidates':[{'no':1,'name':'Ali",
     "ELECTION_PARTY_UNKNOWN", "contests.dpr[0].lists[1].party", ERR_NOTFOUND},
    {"{'no':2,'abbrev'", "{'no':1,'abbrev'", "ELECTION_PARTY_DUPLICATE", "parties[1].no",
     ERR_INVALID},
    {"{'party':2,'candidates':[{'no':1,'name':'Ali", "{'party':1,'candidates':[{'no':1,'name':'Ali",
     "ELECTION_PARTY_DUPLICATE", "contests.dpr[0].lists[1].party", ERR_INVALID},
    {"{'no':2,'abbrev'", "{'no':20,'abbrev'", "ELECTION_PARTY_ORDER", "parties[2].no",
     ERR_INVALID},
    {"{'party':1,'candidates':[{'no':1,'name':'Hasan','sex':'L'}]},{'party':19,",
     "{'party':19,'candidates':[{'no':1,'name':'Hasan','sex':'L'}]},{'party':1,",
     "ELECTION_PARTY_ORDER", "contests.dprd_kab[0].lists[1].party", ERR_INVALID},
    {"'only_in':'11'", "'only_in':'32'", "ELECTION_PARTY_LOCAL",
     "contests.dprd_prov[0].lists[0].party", ERR_INVALID},
    {"{'no':2,'name':'Cut Nyak Dhien'", "{'no':3,'name':'Cut Nyak Dhien'",
     "ELECTION_CANDIDATE_ORDER", "contests.dpr[0].lists[0].candidates[1].no", ERR_INVALID},
    {"{'no':1,'name':'Anies", "{'no':0,'name':'Anies", "ELECTION_CANDIDATE_ORDER",
     "contests.ppwp[0].candidates[0].no", ERR_INVALID},
    {"'seats':2,'regions':['1101']", "'seats':1,'regions':['1101']", "ELECTION_LIST_TOO_LONG",
     "contests.dpr[0].lists[0].candidates", ERR_INVALID},
    {"'regions':['110102']", "'regions':['110102','1101012002']", "ELECTION_DISTRICT_OVERLAP",
     "contests.dprd_kab[1].regions[1]", ERR_INVALID},
    {"'regions':['1102','99']", "'regions':['1102','99','9901']", "ELECTION_DISTRICT_OVERLAP",
     "contests.dpr[1].regions[2]", ERR_INVALID},
    {"'regions':['1102','99']", "'regions':['1102','1102']", "ELECTION_DISTRICT_OVERLAP",
     "contests.dpr[1].regions[1]", ERR_INVALID},
    {"'regions':['1102','99']", "'regions':['1102']", "ELECTION_DISTRICT_MISSING",
     "tps.9901010001[0]", ERR_INVALID},
    {"'regions':['11'],", "'regions':['1101'],", "ELECTION_DISTRICT_MISSING",
     "tps.1102012001[0]", ERR_INVALID},
    {"'id':'dprk-1101-2'", "'id':'dprk-1101-1'", "ELECTION_DISTRICT_DUPLICATE",
     "contests.dprd_kab[1].id", ERR_INVALID},
    {"'regions':['11'],", "'regions':['11','99'],", "ELECTION_DISTRICT_SCOPE",
     "contests.dpd[0].regions[1]", ERR_INVALID},
    {"'regions':['110102']", "'regions':['110102','110201']", "ELECTION_DISTRICT_SCOPE",
     "contests.dprd_kab[1].regions[1]", ERR_INVALID},
    {"'regions':['1101'],", "'regions':['0'],", "ELECTION_DISTRICT_SCOPE",
     "contests.dpr[0].regions[0]", ERR_INVALID},
    {"'candidates':[{'no':1,'name':'Anies - Muhaimin'},{'no':2,'name':'Prabowo - Gibran'}]}]",
     "'candidates':[{'no':1,'name':'Anies - Muhaimin'}]},"
     "{'id':'ppwp2','name':'x','seats':1,'regions':['0'],'candidates':[{'no':1,'name':'y'}]}]",
     "ELECTION_DISTRICT_SCOPE", "contests.ppwp[1]", ERR_INVALID},
    {"'regions':['1101'],", "'regions':[],", "ELECTION_FIELD_RANGE", "contests.dpr[0].regions",
     ERR_INVALID},
    {"'9902010001':[[200,100]]", "'9902010001':[[200,101]]", "ELECTION_DPT_RANGE",
     "tps.9902010001[0]", ERR_INVALID},
    {"'1102012001':[[1,0]]", "'1102012001':[[0,0]]", "ELECTION_DPT_RANGE", "tps.1102012001[0]",
     ERR_INVALID},
    {"'1101012001':[[100,110],[120,115]]", "'1101012001':[[100,110],[-1,115]]",
     "ELECTION_DPT_RANGE", "tps.1101012001[1]", ERR_INVALID},
    {"'seats':3,'regions':['1102']", "'seats':121,'regions':['1102']", "ELECTION_LIMIT",
     "contests.dprd_prov[1].seats", ERR_LIMIT},
    {"'seats':3,'regions':['1102']", "'seats':0,'regions':['1102']", "ELECTION_LIMIT",
     "contests.dprd_prov[1].seats", ERR_LIMIT},
    {"'seats':1,'regions':['0']", "'seats':2,'regions':['0']", "ELECTION_LIMIT",
     "contests.ppwp[0].seats", ERR_LIMIT},
    {"{'no':1,'abbrev':'PKB'", "{'no':0,'abbrev':'PKB'", "ELECTION_FIELD_RANGE",
     "parties[0].no", ERR_INVALID},
    {"{'no':19,'abbrev'", "{'no':100,'abbrev'", "ELECTION_FIELD_RANGE", "parties[2].no",
     ERR_INVALID},
    {"'ballot_reserve_permille':20", "'ballot_reserve_permille':1001", "ELECTION_FIELD_RANGE",
     "rules.ballot_reserve_permille", ERR_INVALID},
    {"'ballot_reserve_permille':20", "'ballot_reserve_permille':-1", "ELECTION_FIELD_RANGE",
     "rules.ballot_reserve_permille", ERR_INVALID},
    {"'name':'Darwati','sex':'P'", "'name':'Darwati','sex':1", "ELECTION_FIELD_TYPE",
     "contests.dpd[0].candidates[1].sex", ERR_INVALID},
    {"'name':'Darwati','sex':'P'", "'name':'Darwati','sex':'PL'", "ELECTION_FIELD_RANGE",
     "contests.dpd[0].candidates[1].sex", ERR_INVALID},
    {"'name':'ACEH I'", "'name':['ACEH I']", "ELECTION_FIELD_TYPE", "contests.dpr[0].name",
     ERR_INVALID},
    {"'regions':['1101'],", "'regions':'1101',", "ELECTION_FIELD_TYPE",
     "contests.dpr[0].regions", ERR_INVALID},
    {"'regions':['1101'],", "'regions':[1101],", "ELECTION_FIELD_TYPE",
     "contests.dpr[0].regions[0]", ERR_INVALID},
    {"'lists':[{'party':1,'candidates':[{'no':1,'name':'Nurdin','sex':'L'}]}]",
     "'lists':[]", "ELECTION_FIELD_RANGE", "contests.dpr[1].lists", ERR_INVALID},
    {"'candidates':[{'no':1,'name':'Fachrul Razi','sex':'L'},{'no':2,'name':'Darwati','sex':'P'}]",
     "'candidates':[]", "ELECTION_FIELD_RANGE", "contests.dpd[0].candidates", ERR_INVALID},
    {"'lists':[{'party':1,'candidates':[{'no':1,'name':'Nurdin','sex':'L'}]}]",
     "'lists':[{'party':1,'candidates':[]}]", "ELECTION_FIELD_RANGE",
     "contests.dpr[1].lists[0].candidates", ERR_INVALID},
    {"'lists':[{'party':1,'candidates':[{'no':1,'name':'Nurdin','sex':'L'}]}]",
     "'lists':[{'party':1,'candidates':[{'no':1,'name':'Nurdin','sex':'L'}]}],'candidates':[]",
     "ELECTION_FIELD_UNKNOWN", "contests.dpr[1].candidates", ERR_INVALID},
    {"'seed':7", "'seed':18446744073709551616", "ELECTION_FIELD_RANGE", "seed", ERR_INVALID},
    {"'seed':7", "'seed':07", "ELECTION_JSON", NULL, ERR_INVALID},
    {"'seed':7,", "'seed':7,'seed':8,", "ELECTION_JSON", NULL, ERR_INVALID},
    {"'seed':7,", "'seed':7,,", "ELECTION_JSON", NULL, ERR_INVALID},
    {"'name':'ACEH I'", "'name':ACEH I'", "ELECTION_JSON", NULL, ERR_INVALID},
    {"'1102012001':", "'1101012001':", "ELECTION_JSON", NULL, ERR_INVALID},
    {"'ppwp':[", "'ppwp':[],'ppwp':[", "ELECTION_JSON", NULL, ERR_INVALID},
    {"[[1,0]]", "[[1,0]", "ELECTION_JSON", NULL, ERR_INVALID},
    {"'Pemilu Uji'", "'Pemilu \xff Uji'", "ELECTION_JSON", NULL, ERR_INVALID},
    {"]}}\n", "]}}\n}", "ELECTION_JSON", NULL, ERR_INVALID},
};

/* Line and column (1-based) of the first difference between two texts. */
static void first_difference(const char *a, const char *b, char *where, size_t cap)
{
    size_t line = 1, col = 1;
    for (; *a && *a == *b; a++, b++) {
        if (*a == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    snprintf(where, cap, "%zu:%zu", line, col);
}

static void test_errors(void **state)
{
    (void)state;
    for (size_t c = 0; c < sizeof bad_cases / sizeof bad_cases[0]; c++) {
        const bad_case *bc = &bad_cases[c];
        char *doc = replace(base_doc, bc->from, bc->to);
        err_info e = {0};
        election *el = (election *)&e; /* must be reset to NULL */
        int rc = parse_sq(doc, &el, &e);
        if (rc != bc->rc || !e.code || strcmp(e.code, bc->code) != 0 ||
            (bc->where && strcmp(e.where, bc->where) != 0))
            fail_msg("case %zu (%s -> %s): got rc %d %s at \"%s\" (%s); want %d %s at \"%s\"",
                     c, bc->from, bc->to, rc, e.code ? e.code : "-", e.where, e.msg,
                     bc->rc, bc->code, bc->where ? bc->where : "(line:col)");
        assert_null(el);
        assert_true(e.msg[0] != '\0');
        free(doc);
    }
}

/* Syntax errors the scanner itself finds are placed at their line:col. */
static void test_json_position(void **state)
{
    (void)state;
    static const struct {
        const char *from, *to;
    } cases[] = {
        {"'seed':7,", "'seed':7,,"},
        {"'dpd':[", "'dpd'["},
        {"'9902010001':[[200,100]]}}", "'9902010001':[[200,100]]}}x"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char *doc = replace(base_doc, cases[c].from, cases[c].to);
        /* The bad byte is the first one that differs from the base. */
        char want[32], *a = dq(base_doc), *b = dq(doc);
        first_difference(a, b, want, sizeof want);
        err_info e = {0};
        election *el = NULL;
        assert_int_equal(parse_sq(doc, &el, &e), ERR_INVALID);
        assert_string_equal(e.code, "ELECTION_JSON");
        assert_string_equal(e.where, want);
        free(a);
        free(b);
        free(doc);
    }
}

/* "<item 1>,<item 2>,...,<item n>", item i formatted from fmt, which may
 * use i (1-based) twice. */
static char *repeat(const char *fmt, size_t n)
{
    size_t cap = 64, len = 0;
    char *s = mem_alloc(cap);
    s[0] = '\0';
    for (size_t i = 1; i <= n; i++) {
        char item[256];
        int w = snprintf(item, sizeof item, fmt, i, i);
        assert_true(w > 0 && (size_t)w < sizeof item);
        mem_grow((void **)&s, &cap, len + (size_t)w + 2, 1);
        if (i > 1)
            s[len++] = ',';
        memcpy(s + len, item, (size_t)w + 1);
        len += (size_t)w;
    }
    return s;
}

static void expect_limit(const char *from, const char *to_prefix, const char *items,
                         const char *to_suffix, const char *where)
{
    size_t n = strlen(to_prefix) + strlen(items) + strlen(to_suffix) + 1;
    char *to = mem_alloc(n);
    snprintf(to, n, "%s%s%s", to_prefix, items, to_suffix);
    char *doc = replace(base_doc, from, to);
    err_info e = {0};
    election *el = NULL;
    assert_int_equal(parse_sq(doc, &el, &e), ERR_LIMIT);
    assert_string_equal(e.code, "ELECTION_LIMIT");
    assert_string_equal(e.where, where);
    free(to);
    free(doc);
}

static void test_limits(void **state)
{
    (void)state;
    char *items = repeat("[%zu,%zu]", ELECTION_TPS_PER_DESA_MAX + 1);
    expect_limit("'1101012002':[[90,95]]", "'1101012002':[", items, "]", "tps.1101012002");
    free(items);

    items = repeat("{'no':%zu,'abbrev':'P%zu','name':'Partai'}", ELECTION_PARTY_MAX + 1);
    expect_limit("'parties':[", "'parties':[", items, ",", "parties");
    free(items);

    items = repeat("{'no':%zu,'name':'C%zu','sex':'L'}", ELECTION_CANDIDATES_MAX + 1);
    expect_limit("'candidates':[{'no':1,'name':'Fachrul Razi','sex':'L'},",
                 "'candidates':[", items, ",", "contests.dpd[0].candidates");
    free(items);

    items = repeat("{'id':'d%zu','name':'D%zu','seats':4,'regions':['11'],"
                   "'candidates':[{'no':1,'name':'C','sex':'L'}]}",
                   ELECTION_DISTRICTS_MAX + 1);
    expect_limit("'dpd':[", "'dpd':[", items, ",", "contests.dpd[10000]");
    free(items);

    char name[ELECTION_TEXT_MAX + 16];
    memset(name, 'a', ELECTION_TEXT_MAX + 1);
    name[ELECTION_TEXT_MAX + 1] = '\0';
    expect_limit("'Pemilu Uji'", "'", name, "'", "name");
    name[ELECTION_TEXT_MAX] = '\0'; /* exactly the bound: fine */
    char *to = mem_alloc(sizeof name + 2);
    snprintf(to, sizeof name + 2, "'%s'", name);
    char *doc = replace(base_doc, "'Pemilu Uji'", to);
    election_free(parse_ok(doc));
    free(doc);
    free(to);

    /* The size bound is checked before a byte is read. */
    err_info e = {0};
    election *el = NULL;
    assert_int_equal(election_parse("{}", ELECTION_DOC_MAX + 1, small_tree(), &el, &e),
                     ERR_LIMIT);
    assert_string_equal(e.code, "ELECTION_LIMIT");
    assert_null(el);
}

/* Documents that are not JSON, not objects, or have containers of the
 * wrong type. */
static void test_document_shape(void **state)
{
    (void)state;
    static const char *const not_json[] = {"", "   ", "[", "{", "{'format'", "nul", "{}x",
                                           "{'a' 1}", "{'a':1 'b':2}", "{'a':}", "{,}",
                                           "{'a':1]", "{'tps':{'1':[}}", "{'a':'\\'}"};
    for (size_t i = 0; i < sizeof not_json / sizeof not_json[0]; i++) {
        err_info e = {0};
        election *el = NULL;
        assert_int_equal(parse_sq(not_json[i], &el, &e), ERR_INVALID);
        assert_string_equal(e.code, "ELECTION_JSON");
        assert_null(el);
    }
#define HEAD "{'format':'rekap-election/1','name':'x','seed':1,'rules':{'ballot_reserve_permille':20," \
             "'reserve_dptb':true,'reserve_dpk':true,'tps_max_dpt':300},"
    static const struct {
        const char *doc, *code, *where;
    } cases[] = {
        {"[1,2]", "ELECTION_FIELD_TYPE", ""},
        {"{'format':'x'}", "ELECTION_FORMAT", "format"},
        {"{'format':1,'y':2}", "ELECTION_FORMAT", "format"},
        {"{'format':'rekap-election/1','y':2}", "ELECTION_FIELD_UNKNOWN", "y"},
        {"{'format':'rekap-election/1'}", "ELECTION_FIELD_MISSING", "name"},
        {HEAD "'parties':{},'contests':{},'tps':{}}", "ELECTION_FIELD_TYPE", "parties"},
        {HEAD "'parties':[],'contests':{},'tps':[]}", "ELECTION_FIELD_TYPE", "tps"},
        {HEAD "'parties':[],'contests':5,'tps':{}}", "ELECTION_FIELD_TYPE", "contests"},
        {HEAD "'parties':[],'contests':{'ppwp':{}},'tps':{}}", "ELECTION_FIELD_TYPE",
         "contests.ppwp"},
        {HEAD "'parties':[],'contests':{'ppwp':[7]},'tps':{}}", "ELECTION_FIELD_TYPE",
         "contests.ppwp[0]"},
        {HEAD "'parties':[],'contests':{'ppwp':[]},'tps':{}}", "ELECTION_FIELD_MISSING",
         "contests.dpr"},
        {HEAD "'parties':[],'contests':{'ppwp':[],'dpr':[],'dpd':[],'dprd_prov':[],"
              "'dprd_kab':[]},'tps':{'1101012001':7}}",
         "ELECTION_FIELD_TYPE", "tps.1101012001"},
    };
#undef HEAD
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        err_info e = {0};
        election *el = NULL;
        assert_int_equal(parse_sq(cases[i].doc, &el, &e), ERR_INVALID);
        assert_string_equal(e.code, cases[i].code);
        assert_string_equal(e.where, cases[i].where);
        assert_null(el);
    }
}

/* An election with no TPS at all is valid and round-trips. */
static void test_empty(void **state)
{
    (void)state;
    const char *doc = "{'format':'rekap-election/1','name':'x','seed':0,'rules':{"
                      "'ballot_reserve_permille':0,'reserve_dptb':false,'reserve_dpk':false,"
                      "'tps_max_dpt':1},'parties':[],'contests':{'ppwp':[],'dpr':[],'dpd':[],"
                      "'dprd_prov':[],'dprd_kab':[]},'tps':{}}";
    election *el = parse_ok(doc);
    assert_int_equal(el->ntps, 0);
    size_t n;
    char *w = write_mem(el, &n);
    election *again = NULL;
    err_info e = {0};
    assert_int_equal(election_parse(w, n, small_tree(), &again, &e), 0);
    assert_int_equal(again->nparty, 0);
    free(w);
    election_free(el);
    election_free(again);
}

/* A tree that already holds TPS is refused (and freed). */
static void test_tree_with_tps(void **state)
{
    (void)state;
    region_tree *t = small_tree();
    err_info e = {0};
    assert_int_equal(region_add_tps(t, region_find(t, "1101012001"), 1, &e), 0);
    assert_int_equal(region_tree_finish(t, &e), 0);
    char *doc = dq(base_doc);
    election *el = NULL;
    assert_int_equal(election_parse(doc, strlen(doc), t, &el, &e), ERR_INVALID);
    assert_string_equal(e.code, "ELECTION_TREE");
    assert_null(el);
    free(doc);
}

/* The generator's path: election_new over a tree with TPS, filled by hand,
 * then election_link. A gap in a desa's TPS numbers cannot be written. */
static void test_built_by_hand(void **state)
{
    (void)state;
    region_tree *t = small_tree();
    err_info e = {0};
    uint32_t desa = region_find(t, "1101012001");
    assert_int_equal(region_add_tps(t, desa, 1, &e), 0);
    assert_int_equal(region_add_tps(t, desa, 3, &e), 0);
    assert_int_equal(region_tree_finish(t, &e), 0);
    election *el = election_new(t);
    assert_int_equal(el->ntps, 2);
    assert_int_equal(el->rules.tps_max_dpt, 300);
    assert_int_equal(el->tps[1].district[CONTEST_DPR], ELECTION_NONE);
    el->name = mem_strdup("hand");
    el->tps[0].dpt_male = el->tps[1].dpt_female = 10;
    /* No districts: the first TPS misses PPWP. */
    assert_int_equal(election_link(el, &e), ERR_INVALID);
    assert_string_equal(e.code, "ELECTION_DISTRICT_MISSING");
    assert_string_equal(e.where, "tps.1101012001[0]");
    /* The definition must match its tree and be named. */
    el->ntps--;
    assert_int_equal(election_link(el, &e), ERR_INVALID);
    assert_string_equal(e.code, "ELECTION_TREE");
    el->ntps++;
    free(el->name);
    el->name = NULL;
    assert_int_equal(election_link(el, &e), ERR_INVALID);
    assert_string_equal(e.code, "ELECTION_FIELD_MISSING");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(election_write(el, f), ERR_INVALID);
    fclose(f);
    free(buf);
    election_free(el);
    election_free(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kinds),
        cmocka_unit_test(test_parse),
        cmocka_unit_test(test_tps_lookup),
        cmocka_unit_test(test_membership),
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_text_escapes),
        cmocka_unit_test(test_seed_range),
        cmocka_unit_test(test_ballot_whole_province),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_json_position),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_document_shape),
        cmocka_unit_test(test_empty),
        cmocka_unit_test(test_tree_with_tps),
        cmocka_unit_test(test_built_by_hand),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
