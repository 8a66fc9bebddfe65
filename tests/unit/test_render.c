/* Tests of render (the public documents) and cache (their store): a real
 * generated election (Kalimantan Utara, every contest) is counted into a
 * tally, each document is parsed back with jansson and its numbers are
 * checked against sums computed here straight from the forms (not from the
 * tally); ETags change exactly when bytes change; gzip round-trips through
 * zlib; the stores keep, replace, expire and evict as documented. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/mem.h"
#include "core/rules.h"
#include "core/tally.h"
#include "http/cache.h"
#include "http/render.h"
#include "http/render_2024.h"
#include "testutil.h"

typedef struct fixture {
    election *el;
    form *forms; /* every form of every contest */
    size_t nforms;
    tally *t;
    uint8_t *mask;
    render24 *r24;
} fixture;

static int setup(void **state)
{
    fixture *fx = mem_calloc(1, sizeof *fx);
    fx->el = test_province("65", 11, (1u << CONTEST_KINDS) - 1, &fx->forms, &fx->nforms);
    fx->t = tally_new(fx->el);
    for (size_t i = 0; i < fx->nforms; i++) {
        const form *f = &fx->forms[i];
        uint32_t tps = election_tps_find(fx->el, f->tps);
        assert_int_equal(tally_apply(fx->t, f, tps, +1), 0);
        rule_report r;
        rules_report_init(&r);
        rules_check_form(f, &fx->el->rules, &r);
        if (r.nsoft)
            tally_flag(fx->t, f->kind, tps, +1);
    }
    fx->mask = render_contest_mask(fx->el);
    fx->r24 = render24_new(fx->el, fx->mask, "https://data.example.org");
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    render24_free(fx->r24);
    tally_free(fx->t);
    election_free(fx->el);
    free(fx->forms);
    free(fx->mask);
    free(fx);
    return 0;
}

/* ------------------------------------------------------------ helpers */

static json_t *parse(rbuf *b)
{
    json_error_t je;
    json_t *j = json_loadb(b->p, b->len, 0, &je);
    if (!j)
        fail_msg("not JSON: %s at %d: %.200s", je.text, je.position, b->p);
    rbuf_free(b);
    return j;
}

static uint64_t jint(const json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    if (!json_is_integer(v))
        fail_msg("%s is not an integer", key);
    return (uint64_t)json_integer_value(v);
}

/* Truth from the forms alone: totals of contest k over the TPS whose code
 * starts with `code` ("0": all). */
typedef struct truth {
    uint64_t counted, valid, invalid, voters;
    uint64_t sel[64]; /* PPWP/DPD: by ballot position; party lists: by party index */
} truth;

static void truth_of(const fixture *fx, contest_kind k, const char *code, truth *t)
{
    memset(t, 0, sizeof *t);
    size_t n = strcmp(code, "0") ? strlen(code) : 0;
    for (size_t i = 0; i < fx->nforms; i++) {
        const form *f = &fx->forms[i];
        if (f->kind != k || strncmp(f->tps, code, n))
            continue;
        t->counted++;
        t->valid += f->valid;
        t->invalid += f->invalid;
        t->voters += f->b4.total;
        if (!contest_is_party_list(k))
            for (unsigned c = 0; c < f->nvotes; c++)
                t->sel[c] += f->votes[c];
        for (unsigned p = 0; p < f->nparty; p++)
            t->sel[election_party_find(fx->el, f->party[p].no) - fx->el->party] +=
                f->party[p].total;
    }
}

/* A region code of each level down one branch, starting at a TPS of the
 * first form. */
static void branch(const fixture *fx, char codes[5][REGION_CODE_MAX])
{
    static const int len[5] = {1, 2, 4, 6, 10};
    strcpy(codes[0], "0");
    for (int l = 1; l < 5; l++)
        snprintf(codes[l], REGION_CODE_MAX, "%.*s", len[l], fx->forms[0].tps);
}

/* -------------------------------------------------------------- tests */

static void test_results_match_forms(void **state)
{
    fixture *fx = *state;
    char codes[5][REGION_CODE_MAX];
    branch(fx, codes);
    contest_kind kinds[] = {CONTEST_PPWP, CONTEST_DPR, CONTEST_DPRD_KAB};
    for (size_t ki = 0; ki < sizeof kinds / sizeof kinds[0]; ki++) {
        contest_kind k = kinds[ki];
        for (int l = 0; l < 5; l++) {
            uint32_t reg = region_find(fx->el->tree, codes[l]);
            rbuf b = {0};
            render_results(&b, fx->t, k, reg, "2024-02-14 18:44:00");
            json_t *j = parse(&b);
            truth want;
            truth_of(fx, k, codes[l], &want);
            assert_string_equal(json_string_value(json_object_get(j, "code")), codes[l]);
            assert_string_equal(json_string_value(json_object_get(j, "contest")),
                                contest_kind_id[k]);
            assert_int_equal(jint(j, "tps_counted"), want.counted);
            assert_int_equal(jint(j, "tps_expected"), want.counted); /* every TPS submitted */
            assert_int_equal(jint(j, "valid"), want.valid);
            assert_int_equal(jint(j, "invalid"), want.invalid);
            assert_int_equal(jint(j, "voters"), want.voters);
            json_t *sel = json_object_get(j, "selections");
            if (contest_is_party_list(k))
                assert_int_equal(json_array_size(sel), fx->el->nparty);
            for (size_t i = 0; i < json_array_size(sel); i++)
                assert_int_equal(jint(json_array_get(sel, i), "votes"), want.sel[i]);
            /* children: their rows add up to the parent's, each against the forms */
            json_t *kids = json_object_get(j, "children");
            assert_true(json_array_size(kids) > 0);
            uint64_t counted = 0;
            for (size_t c = 0; c < json_array_size(kids); c++) {
                json_t *kid = json_array_get(kids, c);
                const char *kc = json_string_value(json_object_get(kid, "code"));
                truth kt;
                truth_of(fx, k, kc, &kt);
                if (l == 4) { /* a desa's children are its TPS */
                    assert_int_equal(strlen(kc), 13);
                    assert_true(json_is_true(json_object_get(kid, "counted")));
                    counted++;
                    continue;
                }
                assert_int_equal(jint(kid, "tps_counted"), kt.counted);
                assert_int_equal(jint(kid, "valid"), kt.valid);
                json_t *votes = json_object_get(kid, "votes");
                assert_int_equal(json_array_size(votes), json_array_size(sel));
                for (size_t i = 0; i < json_array_size(votes); i++)
                    assert_int_equal(json_integer_value(json_array_get(votes, i)), kt.sel[i]);
                counted += kt.counted;
            }
            assert_int_equal(counted, want.counted);
            json_decref(j);
        }
    }
}

static void test_results_dpd_above_province_has_no_selections(void **state)
{
    fixture *fx = *state;
    rbuf b = {0};
    render_results(&b, fx->t, CONTEST_DPD, 0, "t");
    json_t *j = parse(&b);
    assert_int_equal(json_array_size(json_object_get(j, "selections")), 0);
    json_decref(j);
    render_results(&b, fx->t, CONTEST_DPD, region_find(fx->el->tree, "65"), "t");
    j = parse(&b);
    truth want;
    truth_of(fx, CONTEST_DPD, "65", &want);
    json_t *sel = json_object_get(j, "selections");
    assert_true(json_array_size(sel) > 1);
    for (size_t i = 0; i < json_array_size(sel); i++)
        assert_int_equal(jint(json_array_get(sel, i), "votes"), want.sel[i]);
    json_decref(j);
}

static void test_hhcw_region_and_wilayah(void **state)
{
    fixture *fx = *state;
    char codes[5][REGION_CODE_MAX];
    branch(fx, codes);
    uint32_t prov = region_find(fx->el->tree, codes[1]);
    rbuf b = {0};
    render24_region(&b, fx->r24, fx->t, CONTEST_PPWP, prov, "2024-02-14 18:44:00");
    json_t *j = parse(&b);
    assert_string_equal(json_string_value(json_object_get(j, "mode")), "hhcw");
    assert_string_equal(json_string_value(json_object_get(j, "ts")), "2024-02-14 18:44:00");
    truth want;
    truth_of(fx, CONTEST_PPWP, codes[1], &want);
    json_t *chart = json_object_get(j, "chart");
    unsigned npair = fx->el->district[CONTEST_PPWP][0].ncand;
    for (unsigned i = 0; i < npair; i++) {
        char id[16];
        snprintf(id, sizeof id, "%u", 100025 + i);
        assert_int_equal(jint(chart, id), want.sel[i]);
    }
    assert_true(json_is_real(json_object_get(chart, "persen")));
    assert_true(json_real_value(json_object_get(chart, "persen")) == 100.0);
    json_t *prog = json_object_get(j, "progres");
    assert_int_equal(jint(prog, "total"), want.counted);
    assert_int_equal(jint(prog, "progres"), want.counted);
    json_t *table = json_object_get(j, "table");
    const char *code;
    json_t *row;
    size_t rows = 0;
    json_object_foreach(table, code, row)
    {
        truth kt;
        truth_of(fx, CONTEST_PPWP, code, &kt);
        assert_int_equal(strlen(code), 4);
        assert_int_equal(jint(row, "100025"), kt.sel[0]);
        assert_string_equal(json_string_value(json_object_get(row, "psu")), "Reguler");
        assert_true(json_is_true(json_object_get(row, "status_progress")));
        rows++;
    }
    /* the wilayah list names the same children, with the 2024 field types */
    render24_wilayah(&b, fx->r24, CONTEST_PPWP, prov);
    json_t *w = parse(&b);
    assert_int_equal(json_array_size(w), rows);
    const char *prev = "";
    for (size_t i = 0; i < json_array_size(w); i++) {
        json_t *kid = json_array_get(w, i);
        const char *kode = json_string_value(json_object_get(kid, "kode"));
        const char *nama = json_string_value(json_object_get(kid, "nama"));
        assert_non_null(nama);
        assert_true(strcmp(prev, nama) <= 0); /* by name, as 2024 listed them */
        prev = nama;
        assert_non_null(kode);
        assert_non_null(json_object_get(table, kode));
        /* the id: the region's node index, below 2^31 */
        assert_int_equal(jint(kid, "id"), region_find(fx->el->tree, kode));
        assert_int_equal(jint(kid, "tingkat"), 2);
    }
    json_decref(w);
    json_decref(j);
}

static void test_hhcw_desa_and_tps(void **state)
{
    fixture *fx = *state;
    char codes[5][REGION_CODE_MAX];
    branch(fx, codes);
    uint32_t desa = region_find(fx->el->tree, codes[4]);
    const region *rg = &fx->el->tree->node[desa];
    const form **forms = mem_calloc(rg->nchild, sizeof *forms);
    for (size_t i = 0; i < fx->nforms; i++) /* every other TPS counted */
        for (uint32_t c = 0; c < rg->nchild; c += 2)
            if (fx->forms[i].kind == CONTEST_PPWP &&
                !strcmp(fx->forms[i].tps, fx->el->tree->node[rg->child + c].code))
                forms[c] = &fx->forms[i];
    rbuf b = {0};
    render24_desa(&b, fx->r24, CONTEST_PPWP, desa, forms, "t");
    json_t *j = parse(&b);
    json_t *table = json_object_get(j, "table");
    assert_int_equal(json_object_size(table), rg->nchild);
    uint64_t sum = 0, counted = 0;
    for (uint32_t c = 0; c < rg->nchild; c++) {
        json_t *row = json_object_get(table, fx->el->tree->node[rg->child + c].code);
        assert_non_null(row);
        assert_int_equal(json_is_true(json_object_get(row, "status_progress")), forms[c] != NULL);
        if (forms[c]) {
            assert_int_equal(jint(row, "100026"), forms[c]->votes[1]);
            sum += forms[c]->votes[1];
            counted++;
        } else { /* every key in every row: 0 until counted */
            assert_int_equal(jint(row, "100026"), 0);
            assert_int_equal(jint(row, "persen"), 0);
        }
    }
    assert_int_equal(jint(json_object_get(j, "chart"), "100026"), sum);
    assert_int_equal(jint(json_object_get(j, "progres"), "progres"), counted);
    assert_int_equal(jint(json_object_get(j, "progres"), "total"), rg->nchild);
    json_decref(j);

    /* the TPS file, counted and not */
    entry *en = mem_calloc(1, sizeof *en);
    en->sub.form = *forms[0];
    en->sub.version = 1;
    en->sub.nphoto = 1;
    memset(en->sub.photo[0], 0xab, 32);
    en->accepted = 1;
    uint32_t tps0 = election_tps_find(fx->el, forms[0]->tps);
    render24_tps(&b, fx->r24, CONTEST_PPWP, tps0, en, "t");
    assert_true(!strncmp(b.p, "{\"mode\":\"hhcw\",\"chart\":{\"null\":null,\"100025\":", 40));
    j = parse(&b);
    assert_int_equal(jint(json_object_get(j, "chart"), "100025"), forms[0]->votes[0]);
    json_t *adm = json_object_get(j, "administrasi");
    assert_int_equal(jint(adm, "suara_sah"), forms[0]->valid);
    assert_int_equal(jint(adm, "pemilih_dpt_j"), forms[0]->dpt.total);
    assert_int_equal(jint(adm, "pengguna_total_l"), forms[0]->b4.male);
    json_t *img = json_object_get(j, "images");
    assert_int_equal(json_array_size(img), 3);
    assert_string_equal(json_string_value(json_array_get(img, 0)),
                        "https://data.example.org/photos/"
                        "abababababababababababababababababababababababababababababababab");
    assert_true(json_is_null(json_array_get(img, 1)));
    assert_true(json_is_true(json_object_get(j, "status_suara")));
    assert_true(json_is_null(json_object_get(j, "psu")));
    json_decref(j);
    en->sub.version = 2; /* a re-count, and a re-vote */
    en->sub.psu = ENTRY_PSU_RECOUNT;
    render24_tps(&b, fx->r24, CONTEST_PPWP, tps0, en, "t");
    j = parse(&b);
    assert_string_equal(json_string_value(json_object_get(j, "psu")), "Penghitungan Suara Ulang");
    json_decref(j);
    en->sub.psu = ENTRY_PSU_REVOTE;
    render24_tps(&b, fx->r24, CONTEST_PPWP, tps0, en, "t");
    j = parse(&b);
    assert_string_equal(json_string_value(json_object_get(j, "psu")), "Pemungutan Suara Ulang");
    json_decref(j);
    render24_tps(&b, fx->r24, CONTEST_PPWP, tps0, NULL, "t");
    j = parse(&b);
    assert_true(json_is_null(json_object_get(j, "chart")));
    assert_true(json_is_false(json_object_get(j, "status_suara")));
    json_decref(j);
    free(en);
    free(forms);
}

/* The DPR TPS file of form f against f: per party its total and
 * party-only votes, per candidate its votes under an id the district's
 * candidate list names with the same ballot number. */
static void check_leg_tps(fixture *fx, const form *f)
{
    uint32_t tps = election_tps_find(fx->el, f->tps);
    uint32_t d = fx->el->tps[tps].district[f->kind];
    entry *en = mem_calloc(1, sizeof *en);
    en->sub.form = *f;
    en->sub.version = 1;
    rbuf b = {0};
    render24_tps(&b, fx->r24, f->kind, tps, en, "t");
    assert_true(!strncmp(b.p, "{\"chart\":{", 10)); /* no "mode" in the legislative files */
    json_t *j = parse(&b);
    render24_caleg(&b, fx->r24, f->kind, d);
    json_t *cl = parse(&b);
    assert_string_equal(json_string_value(json_object_get(j, "kode_dapil")), fx->r24->kode[f->kind][d]);
    assert_int_equal(json_array_size(json_object_get(j, "images")), 1); /* no photo: [null] */
    json_t *chart = json_object_get(j, "chart"), *caleg = json_object_get(j, "caleg");
    assert_int_equal(json_object_size(chart), f->nparty);
    for (uint16_t p = 0; p < f->nparty; p++) {
        char no[8];
        snprintf(no, sizeof no, "%u", f->party[p].no);
        json_t *pc = json_object_get(chart, no), *pv = json_object_get(caleg, no);
        assert_int_equal(jint(pc, "jml_suara_total"), f->party[p].total);
        assert_int_equal(jint(pc, "jml_suara_partai"), f->party[p].party_only);
        assert_int_equal(json_object_size(pv), f->party[p].ncand);
        const char *id;
        json_t *v;
        unsigned c = 0;
        json_object_foreach(pv, id, v) /* jansson keeps the order written */
        {
            assert_int_equal(json_integer_value(v), f->votes[f->party[p].cand + c]);
            json_t *who = json_object_get(json_object_get(cl, no), id);
            assert_non_null(who);
            assert_int_equal(jint(who, "nomor_urut"), c + 1);
            c++;
        }
    }
    json_decref(cl);
    json_decref(j);
    free(en);
}

static void test_2024_legislative(void **state)
{
    fixture *fx = *state;
    const election *el = fx->el;
    /* a region file by party: the parties that run, each row with every key */
    uint32_t prov = region_find(el->tree, "65");
    rbuf b = {0};
    render24_region(&b, fx->r24, fx->t, CONTEST_DPR, prov, "t");
    json_t *j = parse(&b);
    truth want;
    truth_of(fx, CONTEST_DPR, "65", &want);
    json_t *chart = json_object_get(j, "chart");
    unsigned nkeys = 0;
    for (uint16_t p = 0; p < el->nparty; p++) {
        char no[8];
        snprintf(no, sizeof no, "%u", el->party[p].no);
        json_t *v = json_object_get(chart, no);
        if (!fx->r24->runs[CONTEST_DPR][el->party[p].no]) {
            assert_null(v);
            continue;
        }
        nkeys++;
        assert_int_equal(json_integer_value(v), want.sel[p]);
    }
    assert_true(nkeys > 1);
    const char *code;
    json_t *row;
    json_object_foreach(json_object_get(j, "table"), code, row)
        assert_int_equal(json_object_size(row), nkeys + 3); /* psu, persen, status_progress */
    json_decref(j);

    /* TPS files of a few DPR and DPRD forms */
    unsigned seen = 0;
    for (size_t i = 0; i < fx->nforms && seen < 12; i++)
        if (contest_is_party_list(fx->forms[i].kind) && i % 7 == 0) {
            check_leg_tps(fx, &fx->forms[i]);
            seen++;
        }
    assert_true(seen >= 3);

    /* each district's file against its forms; the container's rows are
     * the districts' charts, its chart their sum */
    render24_dapils(&b, fx->r24, fx->t, CONTEST_DPR, 0, "t");
    json_t *all = parse(&b);
    uint64_t progres = 0;
    for (uint32_t d = 0; d < el->ndistrict[CONTEST_DPR]; d++) {
        render24_dapil(&b, fx->r24, fx->t, CONTEST_DPR, d, "t");
        json_t *dj = parse(&b);
        const char *kode = fx->r24->kode[CONTEST_DPR][d];
        assert_int_equal(render24_dapil_find(fx->r24, CONTEST_DPR, kode), d);
        json_t *drow = json_object_get(json_object_get(all, "table"), kode);
        assert_non_null(drow);
        uint64_t want_party[ELECTION_PARTY_MAX + 1] = {0}, forms_in = 0;
        for (size_t i = 0; i < fx->nforms; i++) {
            const form *f = &fx->forms[i];
            if (f->kind != CONTEST_DPR ||
                el->tps[election_tps_find(el, f->tps)].district[CONTEST_DPR] != d)
                continue;
            forms_in++;
            for (uint16_t p = 0; p < f->nparty; p++)
                want_party[f->party[p].no] += f->party[p].total;
        }
        assert_int_equal(jint(json_object_get(dj, "progres"), "progres"), forms_in);
        progres += forms_in;
        json_t *tab = json_object_get(dj, "table"), *dchart = json_object_get(dj, "chart");
        const char *no;
        json_t *pt;
        json_object_foreach(tab, no, pt)
        {
            uint64_t total = jint(pt, "jml_suara_total");
            assert_int_equal(total, want_party[atoi(no)]);
            assert_int_equal(jint(dchart, no), total);
            assert_int_equal(jint(drow, no), total);
        }
        json_decref(dj);
    }
    assert_int_equal(jint(json_object_get(all, "progres"), "progres"), progres);
    json_decref(all);

    /* the dapil list names each district under its code */
    render24_dapil_list(&b, fx->r24, CONTEST_DPR, 0);
    j = parse(&b);
    assert_int_equal(json_array_size(j), el->ndistrict[CONTEST_DPR]);
    json_t *first = json_array_get(j, 0);
    assert_int_equal(render24_dapil_find(fx->r24, CONTEST_DPR,
                                         json_string_value(json_object_get(first, "kode"))),
                     jint(first, "id") - 5001);
    json_decref(j);
    render24_parties(&b, fx->r24, "t");
    j = parse(&b);
    assert_int_equal(json_object_size(j), el->nparty);
    char no[8];
    snprintf(no, sizeof no, "%u", el->party[0].no);
    assert_int_equal(jint(json_object_get(j, no), "id_partai"), 100000 + el->party[0].no);
    json_decref(j);
}

/* Before anything is counted every row has every key, at 0. */
static void test_2024_empty(void **state)
{
    fixture *fx = *state;
    tally *t = tally_new(fx->el);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        rbuf b = {0};
        uint32_t reg = k == CONTEST_DPD ? region_find(fx->el->tree, "65") : 0;
        render24_region(&b, fx->r24, t, (contest_kind)k, reg, "t");
        json_t *j = parse(&b);
        assert_int_equal(jint(json_object_get(j, "progres"), "progres"), 0);
        const char *code, *key;
        json_t *row, *v;
        size_t keys = json_object_size(json_object_get(j, "chart")) - 1; /* but persen */
        json_object_foreach(json_object_get(j, "table"), code, row)
        {
            assert_string_equal(json_string_value(json_object_get(row, "psu")), "Reguler");
            assert_true(json_is_false(json_object_get(row, "status_progress")));
            assert_int_equal(json_object_size(row), keys + 3);
            json_object_foreach(row, key, v) if (json_is_integer(v))
                assert_int_equal(json_integer_value(v), 0);
        }
        json_decref(j);
    }
    tally_free(t);
}

/* Search by name: case aside, word starts and higher levels first, each
 * hit with its parents; every region containing the text is counted. */
static void test_search(void **state)
{
    fixture *fx = *state;
    char codes[5][REGION_CODE_MAX];
    branch(fx, codes); /* a desa of this election */
    const region *desa = &fx->el->tree->node[region_find(fx->el->tree, codes[4])];
    char q[RENDER_SEARCH_Q_MAX + 1];
    snprintf(q, sizeof q, "%.20s", desa->name);
    for (char *p = q; *p; p++) /* another case */
        *p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    rbuf b = {0};
    render_search(&b, fx->el, fx->mask, q);
    json_t *j = parse(&b);
    json_t *hits = json_object_get(j, "regions");
    assert_true(json_array_size(hits) >= 1);
    assert_true(jint(j, "matched") >= json_array_size(hits));
    int found = 0;
    for (size_t i = 0; i < json_array_size(hits); i++) {
        json_t *h = json_array_get(hits, i);
        const char *code = json_string_value(json_object_get(h, "code"));
        if (!strcmp(code, desa->code)) {
            found = 1;
            json_t *par = json_object_get(h, "parents"); /* kecamatan, kab/kota, province */
            assert_int_equal(json_array_size(par), 3);
            assert_int_equal(strlen(json_string_value(json_object_get(json_array_get(par, 2), "code"))), 2);
        }
        unsigned lv = (unsigned)jint(h, "tingkat");
        assert_true(lv >= 1 && lv <= 4);
    }
    assert_true(found);
    json_decref(j);
    render_search(&b, fx->el, fx->mask, "zzqqxx");
    j = parse(&b);
    assert_int_equal(json_array_size(json_object_get(j, "regions")), 0);
    assert_int_equal(jint(j, "matched"), 0);
    json_decref(j);
}

/* A contest nothing is counted for yet: its ballot's shape with names (an
 * officer's page enters the form from it), and the reserve rules. */
static void test_tps_detail_ballot(void **state)
{
    fixture *fx = *state;
    const form *f = NULL;
    for (size_t i = 0; i < fx->nforms && !f; i++)
        if (fx->forms[i].kind == CONTEST_DPR)
            f = &fx->forms[i];
    uint32_t tps = election_tps_find(fx->el, f->tps);
    const election_district *d = election_tps_district(fx->el, tps, CONTEST_DPR);
    render_tps_contest c = {.kind = CONTEST_DPR, .v = NULL, .n = 0, .counted = -1};
    rbuf b = {0};
    render_tps(&b, fx->el, tps, &c, 1, "t");
    json_t *j = parse(&b);
    json_t *rules = json_object_get(j, "rules");
    assert_int_equal(jint(rules, "ballot_reserve_permille"), fx->el->rules.reserve_permille);
    assert_true(json_is_boolean(json_object_get(rules, "reserve_dpk")));
    json_t *k = json_array_get(json_object_get(j, "contests"), 0);
    assert_true(json_is_null(json_object_get(k, "form")));
    json_t *parties = json_object_get(json_object_get(k, "ballot"), "parties");
    assert_int_equal(json_array_size(parties), d->nlist);
    for (uint16_t l = 0; l < d->nlist; l++) {
        json_t *p = json_array_get(parties, l);
        assert_int_equal(jint(p, "no"), d->list[l].party);
        json_t *cands = json_object_get(p, "candidates");
        assert_int_equal(json_array_size(cands), d->list[l].ncand);
        assert_string_equal(json_string_value(json_object_get(json_array_get(cands, 0), "name")),
                            d->list[l].cand[0].name);
    }
    json_decref(j);
}

static void test_tps_detail(void **state)
{
    fixture *fx = *state;
    const form *f = &fx->forms[1]; /* some contest of the first TPS */
    uint32_t tps = election_tps_find(fx->el, f->tps);
    entry *v = mem_calloc(2, sizeof *v);
    v[0].sub.form = *f;
    v[0].sub.version = 1;
    v[0].accepted = 1;
    v[1].sub.form = *f;
    v[1].sub.form.valid++; /* a broken correction, rejected */
    v[1].sub.version = 2;
    strcpy(v[1].sub.reason, "salah \"tulis\"\n");
    strcpy(v[1].codes, "VOTES_SUM,TOTAL_SUM");
    render_version rv[2] = {{.index = 7, .en = &v[0]}, {.index = 42, .en = &v[1]}};
    rule_report rep;
    rules_report_init(&rep);
    rules_report_add(&rep, RULE_INVALID_HIGH, "invalid %u", 9u);
    render_tps_contest c = {.kind = f->kind, .v = rv, .n = 2, .counted = 0, .report = &rep};
    rbuf b = {0};
    render_tps(&b, fx->el, tps, &c, 1, "t");
    json_t *j = parse(&b);
    assert_string_equal(json_string_value(json_object_get(j, "code")), f->tps);
    json_t *k = json_array_get(json_object_get(j, "contests"), 0);
    assert_string_equal(json_string_value(json_object_get(k, "contest")), contest_kind_id[f->kind]);
    assert_string_equal(json_string_value(json_object_get(k, "status")), "flagged");
    assert_int_equal(jint(k, "counted_version"), 1);
    assert_int_equal(jint(json_object_get(k, "form"), "valid"), f->valid);
    json_t *flag = json_array_get(json_object_get(k, "flags"), 0);
    assert_string_equal(json_string_value(json_object_get(flag, "code")), "INVALID_HIGH");
    json_t *vers = json_object_get(k, "versions");
    assert_int_equal(json_array_size(vers), 2);
    json_t *v2 = json_array_get(vers, 1);
    assert_int_equal(jint(v2, "log_index"), 42);
    assert_true(json_is_false(json_object_get(v2, "accepted")));
    assert_string_equal(json_string_value(json_object_get(v2, "reason")), "salah \"tulis\"\n");
    assert_string_equal(json_string_value(json_array_get(json_object_get(v2, "rejected_codes"), 1)),
                        "TOTAL_SUM");
    json_t *why = json_array_get(json_object_get(v2, "rejected_rules"), 0);
    assert_string_equal(json_string_value(json_object_get(why, "code")), "VOTES_SUM");
    assert_string_equal(json_string_value(json_object_get(why, "message_en")),
                        rules_find("VOTES_SUM")->msg_en);
    assert_string_equal(json_string_value(json_object_get(why, "message_id")),
                        rules_find("VOTES_SUM")->msg_id);
    assert_string_equal(json_string_value(json_object_get(v2, "proof")), "/api/v1/proof/42");
    json_decref(j);
    /* nothing counted: status rejected, form null */
    c.counted = -1;
    c.report = NULL;
    render_tps(&b, fx->el, tps, &c, 1, "t");
    j = parse(&b);
    k = json_array_get(json_object_get(j, "contests"), 0);
    assert_string_equal(json_string_value(json_object_get(k, "status")), "rejected");
    assert_true(json_is_null(json_object_get(k, "form")));
    json_decref(j);
    free(v);
}

static void test_anomalies_and_csv(void **state)
{
    fixture *fx = *state;
    uint32_t flagged[2] = {0, 3};
    render_rejected r1 = {.index = 9, .version = 2, .codes = "B4_SUM"};
    strcpy(r1.tps, fx->forms[0].tps);
    const render_rejected *rej[1] = {&r1};
    rbuf b = {0};
    render_anomalies(&b, fx->el, CONTEST_PPWP, flagged, 2, 17, rej, 1, 5, 100, "t");
    json_t *j = parse(&b);
    json_t *fl = json_object_get(j, "flagged");
    assert_int_equal(jint(fl, "total"), 17);
    assert_string_equal(
        json_string_value(json_object_get(json_array_get(json_object_get(fl, "tps"), 1), "code")),
        fx->el->tree->node[fx->el->tree->level_start[REGION_TPS] + 3].code);
    json_t *re = json_object_get(j, "rejected");
    assert_int_equal(jint(re, "total"), 5);
    assert_int_equal(jint(json_array_get(json_object_get(re, "entries"), 0), "log_index"), 9);
    json_decref(j);

    entry *en = mem_calloc(1, sizeof *en);
    const form *dpr = NULL;
    for (size_t i = 0; i < fx->nforms && !dpr; i++)
        if (fx->forms[i].kind == CONTEST_DPR)
            dpr = &fx->forms[i];
    en->sub.form = *dpr;
    en->sub.version = 3;
    render_csv_header(&b, fx->el, CONTEST_DPR);
    render_csv_row(&b, fx->el, en);
    char *line2 = strchr(b.p, '\n') + 1;
    unsigned cols_head = 1, cols_row = 1;
    for (char *p = b.p; p < line2; p++)
        cols_head += *p == ',';
    for (char *p = line2; *p && *p != '\n'; p++)
        cols_row += *p == ',';
    assert_int_equal(cols_head, 7 + fx->el->nparty);
    assert_int_equal(cols_row, cols_head);
    char want[64];
    snprintf(want, sizeof want, "%s,dpr,3,", dpr->tps);
    assert_memory_equal(line2, want, strlen(want));
    rbuf_free(&b);
    free(en);
}

static void test_json_strings_and_ts(void **state)
{
    (void)state;
    rbuf b = {0};
    rbuf_puts(&b, "[");
    rbuf_json_str(&b, "a\"b\\c\n\x01 Caf\xc3\xa9");
    rbuf_puts(&b, "]");
    json_t *j = parse(&b);
    assert_string_equal(json_string_value(json_array_get(j, 0)), "a\"b\\c\n\x01 Caf\xc3\xa9");
    json_decref(j);
    char ctl[300]; /* into an empty buffer, escaped six times longer: grows */
    memset(ctl, '\x1f', sizeof ctl - 1);
    ctl[sizeof ctl - 1] = '\0';
    rbuf_json_str(&b, ctl);
    assert_int_equal(b.len, 2 + 6 * (sizeof ctl - 1));
    assert_memory_equal(b.p, "\"\\u001f\\u001f", 13);
    assert_int_equal(b.p[b.len], '\0');
    rbuf_free(&b);
    char ts[RENDER_TS_MAX];
    render_ts(0, ts);
    assert_string_equal(ts, "1970-01-01 07:00:00"); /* WIB is UTC+7 */
    render_ts(1707911040, ts);                      /* 2024-02-14 11:44:00 UTC */
    assert_string_equal(ts, "2024-02-14 18:44:00");
    assert_int_equal(RENDER24_PAIR_BASE + 1, 100025);
    size_t len;
    char *p = rbuf_take(&b, &len); /* an empty buffer gives "" */
    assert_int_equal(len, 0);
    assert_string_equal(p, "");
    free(p);
}

static void test_contest_mask(void **state)
{
    fixture *fx = *state;
    uint32_t prov = region_find(fx->el->tree, "65"), other = region_find(fx->el->tree, "11");
    assert_int_equal(fx->mask[0], (1u << CONTEST_KINDS) - 1);
    assert_int_equal(fx->mask[prov], (1u << CONTEST_KINDS) - 1);
    assert_int_equal(fx->mask[other], 0); /* a province outside the scope has no TPS */
    rbuf b = {0};
    render_region(&b, fx->el, fx->mask, 0);
    json_t *j = parse(&b);
    assert_int_equal(json_array_size(json_object_get(j, "children")), 1);
    assert_int_equal(json_array_size(json_object_get(j, "contests")), CONTEST_KINDS);
    assert_true(json_is_null(json_object_get(j, "parent")));
    json_decref(j);
}

/* ---------------------------------------------------------------- cache */

static cache_doc *doc_of(rbuf *b)
{
    size_t len;
    char *body = rbuf_take(b, &len);
    return cache_doc_new(body, len, "application/json", "public, max-age=1", 0);
}

static void test_etag_follows_bytes(void **state)
{
    fixture *fx = *state;
    uint32_t prov = region_find(fx->el->tree, "65");
    rbuf b = {0};
    render_results(&b, fx->t, CONTEST_PPWP, prov, "t");
    cache_doc *a = doc_of(&b);
    render_results(&b, fx->t, CONTEST_PPWP, prov, "t");
    cache_doc *same = doc_of(&b);
    assert_int_equal(a->len, same->len);
    assert_memory_equal(a->body, same->body, a->len);
    assert_string_equal(a->etag, same->etag);
    assert_int_equal(strlen(a->etag), 34);
    assert_int_equal(a->etag[0], '"');
    /* one vote moved: other bytes, another ETag; moved back: the first again */
    form *f = mem_alloc(sizeof *f);
    *f = fx->forms[0];
    uint32_t tps = election_tps_find(fx->el, f->tps);
    assert_int_equal(tally_apply(fx->t, f, tps, -1), 0);
    f->votes[0]--;
    f->votes[1]++;
    assert_int_equal(tally_apply(fx->t, f, tps, +1), 0);
    render_results(&b, fx->t, CONTEST_PPWP, prov, "t");
    cache_doc *moved = doc_of(&b);
    assert_true(moved->len != a->len || memcmp(moved->body, a->body, a->len));
    assert_string_not_equal(moved->etag, a->etag);
    assert_int_equal(tally_apply(fx->t, f, tps, -1), 0);
    assert_int_equal(tally_apply(fx->t, &fx->forms[0], tps, +1), 0);
    render_results(&b, fx->t, CONTEST_PPWP, prov, "t");
    cache_doc *back = doc_of(&b);
    assert_string_equal(back->etag, a->etag);
    free(f);
    cache_doc_unref(a);
    cache_doc_unref(same);
    cache_doc_unref(moved);
    cache_doc_unref(back);
}

static char *gunzip(const char *in, size_t len, size_t cap, size_t *out_len)
{
    char *out = mem_alloc(cap);
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK); /* gzip only */
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    *out_len = z.total_out;
    inflateEnd(&z);
    return out;
}

static void test_gzip_round_trip(void **state)
{
    fixture *fx = *state;
    rbuf b = {0};
    render_results(&b, fx->t, CONTEST_DPR, region_find(fx->el->tree, "65"), "t");
    cache_doc *d = doc_of(&b);
    const char *gz, *gz2, *etag;
    size_t gzlen, gzlen2, n;
    assert_int_equal(cache_doc_gzip(d, &gz, &gzlen, &etag), 0);
    assert_true(gzlen < d->len);
    char *plain = gunzip(gz, gzlen, d->len + 16, &n);
    assert_int_equal(n, d->len);
    assert_memory_equal(plain, d->body, n);
    free(plain);
    /* the gzip ETag is the identity one marked, and the form is made once */
    assert_int_equal(strlen(etag), strlen(d->etag) + 3);
    assert_memory_equal(etag, d->etag, strlen(d->etag) - 1);
    assert_string_equal(etag + strlen(d->etag) - 1, "-gz\"");
    assert_int_equal(cache_doc_gzip(d, &gz2, &gzlen2, &etag), 0);
    assert_ptr_equal(gz2, gz);
    cache_doc_unref(d);
    /* too small to be worth it */
    rbuf_puts(&b, "{\"a\":1}");
    d = doc_of(&b);
    assert_int_equal(cache_doc_gzip(d, &gz, &gzlen, &etag), ERR_INVALID);
    cache_doc_unref(d);
}

static void test_slots(void **state)
{
    (void)state;
    cache_slots *s = cache_slots_new(4);
    assert_null(cache_slots_get(s, 1));
    assert_null(cache_slots_get(s, 9));
    rbuf b = {0};
    rbuf_puts(&b, "one");
    cache_doc *one = doc_of(&b);
    cache_doc_ref(one); /* the test keeps one reference */
    cache_slots_put(s, 1, one);
    cache_doc *got = cache_slots_get(s, 1);
    assert_ptr_equal(got, one);
    rbuf_puts(&b, "two");
    cache_slots_put(s, 1, doc_of(&b)); /* replaced: the readers' references keep it alive */
    assert_string_equal(one->body, "one");
    cache_doc_unref(got);
    cache_doc_unref(one);
    got = cache_slots_get(s, 1);
    assert_string_equal(got->body, "two");
    cache_doc_unref(got);
    rbuf_puts(&b, "x");
    cache_slots_put(s, 99, doc_of(&b)); /* out of range: dropped */
    assert_int_equal(cache_slots_size(s), 4);
    cache_slots_free(s);
}

static void test_table(void **state)
{
    (void)state;
    cache_table *t = cache_table_new(1); /* one place: every key evicts the last */
    rbuf b = {0};
    rbuf_puts(&b, "a");
    size_t len;
    char *body = rbuf_take(&b, &len);
    cache_table_put(t, "t/1", cache_doc_new(body, len, "x", "y", 10.0));
    cache_doc *d = cache_table_get(t, "t/1", 10.5, 1.0);
    assert_non_null(d);
    cache_doc_unref(d);
    assert_null(cache_table_get(t, "t/1", 11.5, 1.0)); /* older than its ttl */
    d = cache_table_get(t, "t/1", 1000.0, 0);          /* no ttl: kept */
    assert_non_null(d);
    cache_doc_unref(d);
    assert_null(cache_table_get(t, "t/2", 10.0, 0));
    rbuf_puts(&b, "b");
    body = rbuf_take(&b, &len);
    cache_table_put(t, "t/2", cache_doc_new(body, len, "x", "y", 10.0));
    assert_null(cache_table_get(t, "t/1", 10.0, 0)); /* evicted */
    d = cache_table_get(t, "t/2", 10.0, 0);
    assert_string_equal(d->body, "b");
    cache_doc_unref(d);
    cache_table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_results_match_forms),
        cmocka_unit_test(test_results_dpd_above_province_has_no_selections),
        cmocka_unit_test(test_hhcw_region_and_wilayah),
        cmocka_unit_test(test_hhcw_desa_and_tps),
        cmocka_unit_test(test_2024_legislative),
        cmocka_unit_test(test_2024_empty),
        cmocka_unit_test(test_search),
        cmocka_unit_test(test_tps_detail),
        cmocka_unit_test(test_tps_detail_ballot),
        cmocka_unit_test(test_anomalies_and_csv),
        cmocka_unit_test(test_json_strings_and_ts),
        cmocka_unit_test(test_contest_mask),
        cmocka_unit_test(test_etag_follows_bytes),
        cmocka_unit_test(test_gzip_round_trip),
        cmocka_unit_test(test_slots),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
