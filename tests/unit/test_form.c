/* test_form — the rekap-chasil/1 parser and writer: valid forms of each
 * shape, every structural error code with its JSON path, bounds, the
 * write/parse round trip, and the canonical fast path of form_parse
 * against the reference parser (differentially over generated and random
 * forms, and under thousands of random byte mutations). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/form.h"
#include "core/form_internal.h"
#include "core/mem.h"
#include "gen/gen.h"
#include "io/masterdata.h"

/* Hand-written documents in the canonical layout (field order and no
 * spaces as docs/FORMAT-chasil.md shows), so the writer must reproduce them
 * byte for byte. */
#define VOTERS                                                                  \
    "\"voters\":{\"dpt\":[120,130,250],\"dptb\":[4,3,7],\"dpk\":[3,2,5],"           \
    "\"b1\":[90,100,190],\"b2\":[3,2,5],\"b3\":[2,1,3],\"b4\":[95,103,198],"       \
    "\"disabled\":[2,1,3]}"
#define BALLOTS "\"ballots\":{\"received\":260,\"used\":198,\"damaged\":2,\"unused\":60}"
#define PARTIES                                                                 \
    "\"parties\":[{\"no\":1,\"party_only\":10,\"candidates\":[20,15,5],\"total\":50}," \
    "{\"no\":2,\"party_only\":5,\"candidates\":[30,20,10,5],\"total\":70},"        \
    "{\"no\":5,\"party_only\":20,\"candidates\":[],\"total\":20},"                 \
    "{\"no\":7,\"party_only\":0,\"candidates\":[25,15,10],\"total\":50}]"
#define HEAD(contest)                                                           \
    "{\"format\":\"rekap-chasil/1\",\"tps\":\"3273011001004\",\"contest\":\"" contest "\","
#define TAIL "\"valid\":190,\"invalid\":8,\"total\":198}"

static const char PPWP[] =
    HEAD("ppwp") VOTERS "," BALLOTS ",\"votes\":[70,80,40]," TAIL;
static const char DPR[] = HEAD("dpr") VOTERS "," BALLOTS "," PARTIES "," TAIL;

static int parse_str(const char *s, form *f, err_info *e)
{
    return form_parse(s, strlen(s), f, e);
}

static int all_zero(const form *f)
{
    const unsigned char *p = (const unsigned char *)f;
    for (size_t i = 0; i < sizeof *f; i++)
        if (p[i])
            return 0;
    return 1;
}

static form *new_form(void)
{
    return mem_calloc(1, sizeof(form));
}

/* ------------------------------------------------------------------ */

static void test_parse_ppwp(void **state)
{
    (void)state;
    form *f = new_form();
    err_info e = {0};

    assert_int_equal(parse_str(PPWP, f, &e), 0);
    assert_string_equal(f->tps, "3273011001004");
    assert_int_equal(f->kind, CONTEST_PPWP);
    assert_int_equal(f->dpt.male, 120);
    assert_int_equal(f->dpt.female, 130);
    assert_int_equal(f->dpt.total, 250);
    assert_int_equal(f->dptb.total, 7);
    assert_int_equal(f->dpk.male, 3);
    assert_int_equal(f->b1.female, 100);
    assert_int_equal(f->b3.total, 3);
    assert_int_equal(f->b4.total, 198);
    assert_int_equal(f->disabled.male, 2);
    assert_int_equal(f->received, 260);
    assert_int_equal(f->used, 198);
    assert_int_equal(f->damaged, 2);
    assert_int_equal(f->unused, 60);
    assert_int_equal(f->nvotes, 3);
    assert_int_equal(f->votes[0], 70);
    assert_int_equal(f->votes[2], 40);
    assert_int_equal(f->nparty, 0);
    assert_int_equal(f->valid, 190);
    assert_int_equal(f->invalid, 8);
    assert_int_equal(f->total, 198);
    free(f);
}

static void test_parse_dpr(void **state)
{
    (void)state;
    form *f = new_form();
    err_info e = {0};

    assert_int_equal(parse_str(DPR, f, &e), 0);
    assert_int_equal(f->kind, CONTEST_DPR);
    assert_int_equal(f->nparty, 4);
    assert_int_equal(f->nvotes, 10);
    assert_int_equal(f->party[0].no, 1);
    assert_int_equal(f->party[0].party_only, 10);
    assert_int_equal(f->party[0].cand, 0);
    assert_int_equal(f->party[0].ncand, 3);
    assert_int_equal(f->party[1].cand, 3);
    assert_int_equal(f->party[1].ncand, 4);
    assert_int_equal(f->votes[f->party[1].cand + 3], 5);
    assert_int_equal(f->party[2].no, 5);
    assert_int_equal(f->party[2].ncand, 0);
    assert_int_equal(f->party[3].no, 7);
    assert_int_equal(f->party[3].cand, 7);
    assert_int_equal(f->votes[9], 10);
    assert_int_equal(f->party[3].total, 50);
    assert_int_equal(form_party_candidates_sum(f, 0), 40);
    assert_int_equal(form_party_candidates_sum(f, 1), 65);
    assert_int_equal(form_party_candidates_sum(f, 2), 0);
    assert_int_equal(form_party_candidates_sum(f, 3), 50);
    free(f);
}

/* Every contest id, with the selections field its kind needs. */
static void test_parse_each_contest(void **state)
{
    (void)state;
    static const struct {
        const char *id;
        contest_kind kind;
    } c[] = {{"ppwp", CONTEST_PPWP},          {"dpd", CONTEST_DPD},
             {"dpr", CONTEST_DPR},            {"dprd_prov", CONTEST_DPRD_PROV},
             {"dprd_kab", CONTEST_DPRD_KAB}};
    form *f = new_form();

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char to[32];
        snprintf(to, sizeof to, "\"contest\":\"%s\"", c[i].id);
        int party_list = c[i].kind != CONTEST_PPWP && c[i].kind != CONTEST_DPD;
        const char *base = party_list ? DPR : PPWP;
        char *s = test_replace(base, party_list ? "\"contest\":\"dpr\"" : "\"contest\":\"ppwp\"", to);
        err_info e = {0};
        assert_int_equal(parse_str(s, f, &e), 0);
        assert_int_equal(f->kind, c[i].kind);
        assert_int_equal(f->nparty, party_list ? 4 : 0);
        free(s);
    }
    free(f);
}

/* Whitespace and key order are free on input. */
static void test_parse_layout_free(void **state)
{
    (void)state;
    static const char doc[] =
        "{ \"total\" : 3, \"invalid\": 0, \"valid\": 3,\n"
        "  \"votes\": [ 1, 2 ],\n"
        "  \"ballots\": {\"unused\": 7, \"damaged\": 0, \"used\": 3, \"received\": 10},\n"
        "  \"voters\": {\"disabled\": [0,0,0], \"b4\": [1,2,3], \"b3\": [0,0,0],\n"
        "    \"b2\": [0,0,0], \"b1\": [1,2,3], \"dpk\": [0,0,0], \"dptb\": [0,0,0],\n"
        "    \"dpt\": [4,5,9]},\n"
        "  \"contest\": \"dpd\", \"tps\": \"9901010001001\", \"format\": \"rekap-chasil/1\" }\n";
    form *f = new_form();
    err_info e = {0};

    assert_int_equal(parse_str(doc, f, &e), 0);
    assert_int_equal(f->kind, CONTEST_DPD);
    assert_int_equal(f->nvotes, 2);
    assert_int_equal(f->votes[1], 2);
    assert_int_equal(f->dpt.total, 9);
    assert_int_equal(f->received, 10);
    free(f);
}

/* ------------------------------------------------------------------ */
/* structural errors: (base, replace, with) -> rc, code, where          */

typedef struct bad_case {
    const char *base;
    const char *from, *to;
    int rc;
    const char *code;
    const char *where;
} bad_case;

#define BAD(b, f, t, code, where) {b, f, t, ERR_INVALID, code, where}

static const bad_case bad_cases[] = {
    /* missing fields, at every level */
    BAD(PPWP, "\"valid\":190,", "", "FORM_FIELD_MISSING", "valid"),
    BAD(PPWP, "\"format\":\"rekap-chasil/1\",", "", "FORM_FIELD_MISSING", "format"),
    BAD(PPWP, "\"tps\":\"3273011001004\",", "", "FORM_FIELD_MISSING", "tps"),
    BAD(PPWP, "\"contest\":\"ppwp\",", "", "FORM_FIELD_MISSING", "contest"),
    BAD(PPWP, ",\"total\":198}", "}", "FORM_FIELD_MISSING", "total"),
    BAD(PPWP, BALLOTS ",", "", "FORM_FIELD_MISSING", "ballots"),
    BAD(PPWP, VOTERS ",", "", "FORM_FIELD_MISSING", "voters"),
    BAD(DPR, PARTIES ",", "", "FORM_FIELD_MISSING", "parties"),
    BAD(PPWP, "\"dpk\":[3,2,5],", "", "FORM_FIELD_MISSING", "voters.dpk"),
    BAD(PPWP, ",\"disabled\":[2,1,3]", "", "FORM_FIELD_MISSING", "voters.disabled"),
    BAD(PPWP, ",\"unused\":60", "", "FORM_FIELD_MISSING", "ballots.unused"),
    BAD(PPWP, "\"votes\":[70,80,40],", "", "FORM_FIELD_MISSING", "votes"),
    BAD(DPR, "\"no\":2,", "", "FORM_FIELD_MISSING", "parties[1].no"),
    BAD(DPR, ",\"total\":70", "", "FORM_FIELD_MISSING", "parties[1].total"),
    BAD(DPR, "\"party_only\":20,", "", "FORM_FIELD_MISSING", "parties[2].party_only"),
    BAD(DPR, "\"candidates\":[],", "", "FORM_FIELD_MISSING", "parties[2].candidates"),
    /* unknown fields: typos must not pass */
    BAD(PPWP, "\"valid\":190", "\"vaild\":190", "FORM_FIELD_UNKNOWN", "vaild"),
    BAD(PPWP, "\"b4\":", "\"b5\":[0,0,0],\"b4\":", "FORM_FIELD_UNKNOWN", "voters.b5"),
    BAD(PPWP, "\"unused\":60", "\"unused\":60,\"spoiled\":0", "FORM_FIELD_UNKNOWN",
        "ballots.spoiled"),
    BAD(DPR, "\"no\":5,", "\"no\":5,\"name\":\"X\",", "FORM_FIELD_UNKNOWN",
        "parties[2].name"),
    /* types */
    BAD(PPWP, "\"valid\":190", "\"valid\":\"190\"", "FORM_FIELD_TYPE", "valid"),
    BAD(PPWP, "\"valid\":190", "\"valid\":190.0", "FORM_FIELD_TYPE", "valid"),
    BAD(PPWP, "\"valid\":190", "\"valid\":1.9e2", "FORM_FIELD_TYPE", "valid"),
    BAD(PPWP, "\"valid\":190", "\"valid\":null", "FORM_FIELD_TYPE", "valid"),
    BAD(PPWP, "\"valid\":190", "\"valid\":true", "FORM_FIELD_TYPE", "valid"),
    BAD(PPWP, "\"invalid\":8", "\"invalid\":[8]", "FORM_FIELD_TYPE", "invalid"),
    BAD(PPWP, "\"format\":\"rekap-chasil/1\"", "\"format\":1", "FORM_FIELD_TYPE", "format"),
    BAD(PPWP, "\"tps\":\"3273011001004\"", "\"tps\":3273011001004", "FORM_FIELD_TYPE", "tps"),
    BAD(PPWP, "\"contest\":\"ppwp\"", "\"contest\":0", "FORM_FIELD_TYPE", "contest"),
    BAD(PPWP, VOTERS, "\"voters\":[]", "FORM_FIELD_TYPE", "voters"),
    BAD(PPWP, BALLOTS, "\"ballots\":260", "FORM_FIELD_TYPE", "ballots"),
    BAD(PPWP, "\"dpt\":[120,130,250]", "\"dpt\":250", "FORM_FIELD_TYPE", "voters.dpt"),
    BAD(PPWP, "\"dpt\":[120,130,250]", "\"dpt\":[120,130]", "FORM_FIELD_TYPE", "voters.dpt"),
    BAD(PPWP, "\"dpt\":[120,130,250]", "\"dpt\":[120,130,250,0]", "FORM_FIELD_TYPE",
        "voters.dpt"),
    BAD(PPWP, "\"dpt\":[120,130,250]", "\"dpt\":{\"m\":120}", "FORM_FIELD_TYPE",
        "voters.dpt"),
    BAD(PPWP, "\"b2\":[3,2,5]", "\"b2\":[3,\"2\",5]", "FORM_FIELD_TYPE", "voters.b2[1]"),
    BAD(PPWP, "\"received\":260", "\"received\":\"260\"", "FORM_FIELD_TYPE",
        "ballots.received"),
    BAD(PPWP, "\"votes\":[70,80,40]", "\"votes\":{\"1\":70}", "FORM_FIELD_TYPE", "votes"),
    BAD(PPWP, "\"votes\":[70,80,40]", "\"votes\":[70,80.5,40]", "FORM_FIELD_TYPE",
        "votes[1]"),
    BAD(DPR, PARTIES, "\"parties\":{}", "FORM_FIELD_TYPE", "parties"),
    BAD(DPR, "{\"no\":2,\"party_only\":5,\"candidates\":[30,20,10,5],\"total\":70}", "70",
        "FORM_FIELD_TYPE", "parties[1]"),
    BAD(DPR, "\"no\":2", "\"no\":\"2\"", "FORM_FIELD_TYPE", "parties[1].no"),
    BAD(DPR, "\"candidates\":[30,20,10,5]", "\"candidates\":65", "FORM_FIELD_TYPE",
        "parties[1].candidates"),
    BAD(DPR, "[25,15,10]", "[25,\"15\",10]", "FORM_FIELD_TYPE", "parties[3].candidates[1]"),
    BAD(DPR, "\"party_only\":0", "\"party_only\":false", "FORM_FIELD_TYPE",
        "parties[3].party_only"),
    /* ranges: a count is three digit boxes */
    BAD(PPWP, "\"b4\":[95,103,198]", "\"b4\":[95,103,-1]", "FORM_VALUE_RANGE", "voters.b4[2]"),
    BAD(PPWP, "\"b4\":[95,103,198]", "\"b4\":[95,103,1000]", "FORM_VALUE_RANGE",
        "voters.b4[2]"),
    BAD(PPWP, "\"damaged\":2", "\"damaged\":-2", "FORM_VALUE_RANGE", "ballots.damaged"),
    BAD(PPWP, "\"total\":198}", "\"total\":65536}", "FORM_VALUE_RANGE", "total"),
    BAD(PPWP, "[70,80,40]", "[70,80,4000000000]", "FORM_VALUE_RANGE", "votes[2]"),
    BAD(DPR, "[25,15,10]", "[25,15,1000]", "FORM_VALUE_RANGE", "parties[3].candidates[2]"),
    BAD(DPR, "\"party_only\":10", "\"party_only\":-10", "FORM_VALUE_RANGE",
        "parties[0].party_only"),
    BAD(DPR, "\"no\":1,", "\"no\":0,", "FORM_VALUE_RANGE", "parties[0].no"),
    BAD(DPR, "\"no\":7,", "\"no\":100,", "FORM_VALUE_RANGE", "parties[3].no"),
    BAD(DPR, "\"no\":5,", "\"no\":2,", "FORM_PARTY_DUPLICATE", "parties[2].no"),
    /* head */
    BAD(PPWP, "rekap-chasil/1", "rekap-chasil/2", "FORM_FORMAT", "format"),
    BAD(PPWP, "\"3273011001004\"", "\"327301100100\"", "FORM_TPS_CODE", "tps"),
    BAD(PPWP, "\"3273011001004\"", "\"32730110010044\"", "FORM_TPS_CODE", "tps"),
    BAD(PPWP, "\"3273011001004\"", "\"32.73.01.1001.004\"", "FORM_TPS_CODE", "tps"),
    BAD(PPWP, "\"3273011001004\"", "\"32730110010a4\"", "FORM_TPS_CODE", "tps"),
    BAD(PPWP, "\"3273011001004\"", "\"3273011001000\"", "FORM_TPS_CODE", "tps"),
    BAD(PPWP, "\"3273011001004\"", "\"\"", "FORM_TPS_CODE", "tps"),
    BAD(PPWP, "\"ppwp\"", "\"pilkada\"", "FORM_CONTEST", "contest"),
    BAD(PPWP, "\"ppwp\"", "\"PPWP\"", "FORM_CONTEST", "contest"),
    /* the selections the contest needs */
    BAD(PPWP, "\"votes\":[70,80,40]", "\"parties\":[]", "FORM_SHAPE", "parties"),
    BAD(PPWP, "\"votes\":[70,80,40]", "\"votes\":[70,80,40],\"parties\":[]", "FORM_SHAPE",
        "parties"),
    BAD(PPWP, "\"votes\":[70,80,40]", "\"votes\":[]", "FORM_SHAPE", "votes"),
    BAD(DPR, "\"parties\":", "\"votes\":[1],\"parties\":", "FORM_SHAPE", "votes"),
    BAD(DPR, "\"contest\":\"dpr\"", "\"contest\":\"dpd\"", "FORM_SHAPE", "parties"),
    BAD(PPWP, "\"contest\":\"ppwp\"", "\"contest\":\"dprd_kab\"", "FORM_SHAPE", "votes"),
    BAD(PPWP, "\"votes\":[70,80,40]", "\"parties\":[{\"no\":1}]", "FORM_SHAPE", "parties"),
    /* not a form at all */
    BAD(PPWP, PPWP, "", "FORM_JSON", NULL),
    BAD(PPWP, PPWP, "{", "FORM_JSON", NULL),
    BAD(PPWP, ",\"total\":198}", ",\"total\":198", "FORM_JSON", NULL),
    BAD(PPWP, ",\"total\":198}", ",\"total\":198} {}", "FORM_JSON", NULL),
    BAD(PPWP, ",\"total\":198}", ",\"total\":198}x", "FORM_JSON", NULL),
    BAD(PPWP, "\"valid\":190", "\"valid\":99999999999999999999999", "FORM_JSON", NULL),
    BAD(PPWP, "\"valid\":190", "'valid':190", "FORM_JSON", NULL),
    BAD(PPWP, "ppwp", "pp\\u0000wp", "FORM_JSON", NULL),
    BAD(PPWP, PPWP, "[]", "FORM_FIELD_TYPE", ""),
    BAD(PPWP, PPWP, "\"rekap-chasil/1\"", "FORM_JSON", NULL), /* jansson: objects and arrays only */
    BAD(PPWP, PPWP, "{}", "FORM_FIELD_MISSING", "format"),
    /* duplicate keys, at the top and nested */
    BAD(PPWP, "\"valid\":190", "\"valid\":190,\"valid\":190", "FORM_FIELD_DUPLICATE", NULL),
    BAD(PPWP, "\"unused\":60", "\"unused\":60,\"unused\":61", "FORM_FIELD_DUPLICATE", NULL),
    BAD(DPR, "\"no\":5,", "\"no\":5,\"no\":5,", "FORM_FIELD_DUPLICATE", NULL),
};

static void test_parse_errors(void **state)
{
    (void)state;
    form *f = new_form();

    for (size_t i = 0; i < sizeof bad_cases / sizeof bad_cases[0]; i++) {
        const bad_case *c = &bad_cases[i];
        char *s = test_replace(c->base, c->from, c->to);
        err_info e = {0};
        memset(f, 0xA5, sizeof *f);
        int rc = parse_str(s, f, &e);
        if (rc != c->rc || !e.code || strcmp(e.code, c->code) != 0 ||
            (c->where && strcmp(e.where, c->where) != 0))
            fail_msg("case %zu (%s -> %s): rc %d code %s where \"%s\" msg \"%s\"; "
                     "want %s at \"%s\"",
                     i, c->from, c->to, rc, e.code ? e.code : "(none)", e.where, e.msg,
                     c->code, c->where ? c->where : "*");
        assert_true(e.msg[0] != '\0');
        assert_true(all_zero(f)); /* nothing half-filled on error */
        free(s);
    }
    free(f);
}

/* A JSON syntax error says where: line and column. */
static void test_parse_json_error_position(void **state)
{
    (void)state;
    form *f = new_form();
    err_info e = {0};

    assert_int_equal(parse_str("{\n  \"format\": x\n}", f, &e), ERR_INVALID);
    assert_string_equal(e.code, "FORM_JSON");
    assert_int_equal(strncmp(e.where, "2:", 2), 0);
    free(f);
}

/* Boundary values that must pass: 0 and 999 everywhere a count goes. */
static void test_parse_count_bounds(void **state)
{
    (void)state;
    form *f = new_form();
    err_info e = {0};
    char *s = test_replace(PPWP, "\"b4\":[95,103,198]", "\"b4\":[0,999,999]");
    char *t = test_replace(s, "[70,80,40]", "[0,999,0]");

    assert_int_equal(parse_str(t, f, &e), 0);
    assert_int_equal(f->b4.male, 0);
    assert_int_equal(f->b4.total, 999);
    assert_int_equal(f->votes[1], 999);
    free(s);
    free(t);

    s = test_replace(DPR, "\"no\":7,", "\"no\":99,");
    assert_int_equal(parse_str(s, f, &e), 0);
    assert_int_equal(f->party[3].no, 99);
    free(s);
    free(f);
}

/* ------------------------------------------------------------------ */
/* sizes and counts                                                    */

/* A PPWP document whose "votes" holds n zeros. */
static char *ppwp_with_votes(unsigned n)
{
    size_t cap = 2 * n + 16;
    char *list = mem_alloc(cap);
    size_t len = 0;
    list[len++] = '[';
    for (unsigned i = 0; i < n; i++)
        len += (size_t)snprintf(list + len, cap - len, i ? ",0" : "0");
    list[len++] = ']';
    list[len] = '\0';
    char *s = test_replace(PPWP, "[70,80,40]", list);
    free(list);
    return s;
}

/* A DPR document of nparty parties (numbers 1..) with ncand zero
 * candidates each. */
static char *dpr_with(unsigned nparty, unsigned ncand)
{
    size_t cap = (size_t)nparty * (64 + 2 * ncand) + 16;
    char *list = mem_alloc(cap);
    size_t len = 0;
    list[len++] = '[';
    for (unsigned p = 0; p < nparty; p++) {
        len += (size_t)snprintf(list + len, cap - len,
                                "%s{\"no\":%u,\"party_only\":0,\"candidates\":[", p ? "," : "",
                                p + 1);
        for (unsigned c = 0; c < ncand; c++)
            len += (size_t)snprintf(list + len, cap - len, c ? ",0" : "0");
        len += (size_t)snprintf(list + len, cap - len, "],\"total\":0}");
    }
    list[len++] = ']';
    list[len] = '\0';
    char *s = test_replace(DPR, PARTIES + strlen("\"parties\":"), list);
    free(list);
    return s;
}

static void expect_error(const char *s, int rc, const char *code, const char *where)
{
    form *f = new_form();
    err_info e = {0};
    assert_int_equal(form_parse(s, strlen(s), f, &e), rc);
    assert_string_equal(e.code, code);
    if (where)
        assert_string_equal(e.where, where);
    free(f);
}

static void expect_ok(const char *s, unsigned nparty, unsigned nvotes)
{
    form *f = new_form();
    err_info e = {0};
    int rc = form_parse(s, strlen(s), f, &e);
    if (rc)
        fail_msg("%s at %s: %s", e.code, e.where, e.msg);
    assert_int_equal(f->nparty, nparty);
    assert_int_equal(f->nvotes, nvotes);
    free(f);
}

static void test_parse_limits(void **state)
{
    (void)state;
    char *s;

    s = ppwp_with_votes(ELECTION_CANDIDATES_MAX);
    expect_ok(s, 0, ELECTION_CANDIDATES_MAX);
    free(s);
    s = ppwp_with_votes(ELECTION_CANDIDATES_MAX + 1);
    expect_error(s, ERR_LIMIT, "FORM_TOO_MANY", "votes");
    free(s);

    s = dpr_with(FORM_PARTIES_MAX, 1);
    expect_ok(s, FORM_PARTIES_MAX, FORM_PARTIES_MAX);
    free(s);
    s = dpr_with(FORM_PARTIES_MAX + 1, 1);
    expect_error(s, ERR_LIMIT, "FORM_TOO_MANY", "parties");
    free(s);

    s = dpr_with(1, ELECTION_CANDIDATES_MAX);
    expect_ok(s, 1, ELECTION_CANDIDATES_MAX);
    free(s);
    s = dpr_with(1, ELECTION_CANDIDATES_MAX + 1);
    expect_error(s, ERR_LIMIT, "FORM_TOO_MANY", "parties[0].candidates");
    free(s);

    /* 1200 candidate fields fit; the party that passes them is named */
    s = dpr_with(FORM_SELECTIONS_MAX / 40, 40);
    expect_ok(s, FORM_SELECTIONS_MAX / 40, FORM_SELECTIONS_MAX);
    free(s);
    s = dpr_with(13, ELECTION_CANDIDATES_MAX); /* 12 * 99 = 1188, 13 * 99 = 1287 */
    expect_error(s, ERR_LIMIT, "FORM_TOO_MANY", "parties[12].candidates");
    free(s);
}

/* A document of exactly FORM_JSON_MAX bytes parses; one byte more is
 * refused before parsing. */
static void test_parse_size(void **state)
{
    (void)state;
    size_t n = FORM_JSON_MAX + 1;
    char *buf = mem_alloc(n);
    size_t doc = strlen(PPWP);
    form *f = new_form();
    err_info e = {0};

    memset(buf, ' ', n);
    memcpy(buf, PPWP, doc);
    assert_int_equal(form_parse(buf, FORM_JSON_MAX, f, &e), 0);
    assert_int_equal(f->valid, 190);
    assert_int_equal(form_parse(buf, FORM_JSON_MAX + 1, f, &e), ERR_LIMIT);
    assert_string_equal(e.code, "FORM_JSON_MAX");
    assert_true(all_zero(f));
    free(buf);
    free(f);
}

/* Deep nesting inside the size bound: an error, not a crash. */
static void test_parse_deep(void **state)
{
    (void)state;
    size_t depth = 60000;
    char *buf = mem_alloc(2 * depth);
    form *f = new_form();
    err_info e = {0};

    memset(buf, '[', depth);
    memset(buf + depth, ']', depth);
    assert_int_equal(form_parse(buf, 2 * depth, f, &e), ERR_INVALID);
    assert_string_equal(e.code, "FORM_JSON");
    free(buf);
    free(f);
}

/* The parser reads exactly len bytes: no NUL needed, none allowed inside. */
static void test_parse_length(void **state)
{
    (void)state;
    size_t n = strlen(PPWP);
    char *buf = mem_alloc(n + 8);
    form *f = new_form();
    err_info e = {0};

    memcpy(buf, PPWP, n);
    memcpy(buf + n, "garbage", 8);
    assert_int_equal(form_parse(buf, n, f, &e), 0);
    buf[n] = '\0';
    assert_int_equal(form_parse(buf, n + 1, f, &e), ERR_INVALID);
    assert_string_equal(e.code, "FORM_JSON");
    assert_int_equal(form_parse(buf, n - 1, f, &e), ERR_INVALID);
    free(buf);
    free(f);
}

/* ------------------------------------------------------------------ */
/* writing                                                             */

static void roundtrip(const form *f)
{
    char buf[FORM_TEXT_MAX];
    form *g = new_form();
    err_info e = {0};
    size_t n = form_format(f, buf, sizeof buf);

    assert_true(n < sizeof buf);
    assert_int_equal(strlen(buf), n);
    assert_null(strchr(buf, ' '));
    assert_null(strchr(buf, '\n'));
    if (form_parse(buf, n, g, &e))
        fail_msg("%s at %s: %s in %s", e.code, e.where, e.msg, buf);
    assert_memory_equal(f, g, sizeof *f);
    free(g);
}

/* Canonical documents come back byte for byte, and the struct survives. */
static void test_write_canonical(void **state)
{
    (void)state;
    const char *docs[] = {PPWP, DPR};
    form *f = new_form();
    char buf[FORM_TEXT_MAX];
    err_info e = {0};

    for (size_t i = 0; i < 2; i++) {
        assert_int_equal(parse_str(docs[i], f, &e), 0);
        assert_int_equal(form_format(f, buf, sizeof buf), strlen(docs[i]));
        assert_string_equal(buf, docs[i]);
        roundtrip(f);
    }
    free(f);
}

/* A form filled to every bound with the largest counts. */
static void fill_max(form *f)
{
    memset(f, 0, sizeof *f);
    memcpy(f->tps, "9999999999999", REGION_CODE_MAX);
    f->kind = CONTEST_DPRD_KAB;
    form_lpt *rows[] = {&f->dpt, &f->dptb, &f->dpk, &f->b1,
                        &f->b2,  &f->b3,   &f->b4,  &f->disabled};
    for (size_t i = 0; i < 8; i++)
        *rows[i] = (form_lpt){FORM_COUNT_MAX, FORM_COUNT_MAX, FORM_COUNT_MAX};
    f->received = f->used = f->damaged = f->unused = FORM_COUNT_MAX;
    f->nparty = FORM_PARTIES_MAX;
    for (unsigned p = 0; p < FORM_PARTIES_MAX; p++) {
        f->party[p] = (form_party){.no = (uint16_t)(ELECTION_PARTY_MAX - p),
                                   .party_only = FORM_COUNT_MAX,
                                   .total = FORM_COUNT_MAX,
                                   .ncand = FORM_SELECTIONS_MAX / FORM_PARTIES_MAX,
                                   .cand = (uint16_t)(p * (FORM_SELECTIONS_MAX /
                                                           FORM_PARTIES_MAX))};
    }
    f->nvotes = FORM_SELECTIONS_MAX;
    for (unsigned i = 0; i < FORM_SELECTIONS_MAX; i++)
        f->votes[i] = FORM_COUNT_MAX;
    f->valid = f->invalid = f->total = FORM_COUNT_MAX;
}

static void test_write_roundtrip_max(void **state)
{
    (void)state;
    form *f = new_form();

    fill_max(f);
    roundtrip(f);
    f->kind = CONTEST_DPD; /* the same counts as an individual ballot */
    f->nparty = 0;
    memset(f->party, 0, sizeof f->party);
    f->nvotes = ELECTION_CANDIDATES_MAX;
    memset(f->votes + f->nvotes, 0,
           sizeof f->votes - f->nvotes * sizeof f->votes[0]);
    roundtrip(f);
    free(f);
}

/* FORM_TEXT_MAX holds even a form whose counts are the largest uint16. */
static void test_write_text_max(void **state)
{
    (void)state;
    form *f = new_form();
    char *buf = mem_alloc(4 * FORM_TEXT_MAX);

    fill_max(f);
    uint16_t *counts[] = {&f->received, &f->used, &f->damaged, &f->unused,
                          &f->valid,    &f->invalid, &f->total};
    for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++)
        *counts[i] = UINT16_MAX;
    for (unsigned i = 0; i < FORM_SELECTIONS_MAX; i++)
        f->votes[i] = UINT16_MAX;
    for (unsigned p = 0; p < FORM_PARTIES_MAX; p++)
        f->party[p].party_only = f->party[p].total = UINT16_MAX;
    f->dpt = f->b4 = (form_lpt){UINT16_MAX, UINT16_MAX, UINT16_MAX};
    size_t n = form_format(f, buf, 4 * FORM_TEXT_MAX);
    assert_true(n < FORM_TEXT_MAX);
    assert_int_equal(strlen(buf), n);
    free(buf);
    free(f);
}

/* Like snprintf: the needed length whatever the room, a NUL-terminated
 * prefix when the buffer is short, nothing touched when cap is 0. */
static void test_format_truncates(void **state)
{
    (void)state;
    form *f = new_form();
    char full[FORM_TEXT_MAX], small[16];
    err_info e = {0};

    assert_int_equal(parse_str(PPWP, f, &e), 0);
    size_t n = form_format(f, full, sizeof full);
    memset(small, 'x', sizeof small);
    assert_int_equal(form_format(f, small, sizeof small), n);
    assert_int_equal(small[sizeof small - 1], '\0');
    assert_memory_equal(small, full, sizeof small - 1);
    assert_int_equal(form_format(f, NULL, 0), n);
    free(f);
}

static void test_write_file(void **state)
{
    (void)state;
    form *f = new_form();
    err_info e = {0};
    char buf[FORM_TEXT_MAX];
    FILE *fp = tmpfile();

    assert_non_null(fp);
    assert_int_equal(parse_str(DPR, f, &e), 0);
    assert_int_equal(form_write(f, fp), (int)strlen(DPR));
    rewind(fp);
    size_t n = fread(buf, 1, sizeof buf - 1, fp);
    buf[n] = '\0';
    assert_string_equal(buf, DPR);
    fclose(fp);

    /* a stream that cannot be written to is ERR_IO */
    fp = fopen("/dev/full", "w");
    if (fp) {
        setvbuf(fp, NULL, _IONBF, 0);
        assert_int_equal(form_write(f, fp), ERR_IO);
        fclose(fp);
    }
    free(f);
}

/* ------------------------------------------------------------------ */
/* the canonical fast path: form_parse must be the reference parser     */

/* xorshift64*: deterministic, so a failing case replays. */
typedef struct rng {
    uint64_t s;
} rng;

static uint64_t rng_next(rng *r)
{
    r->s ^= r->s >> 12;
    r->s ^= r->s << 25;
    r->s ^= r->s >> 27;
    return r->s * 0x2545F4914F6CDD1DULL;
}

static unsigned rng_below(rng *r, unsigned n)
{
    return (unsigned)(rng_next(r) % n);
}

#define CODES_SEEN_MAX 32

/* Scratch space and what the documents checked so far showed. */
typedef struct differ {
    form *fast, *ref, *scan; /* results of form_parse, the reference, the scanner */
    char *text;              /* FORM_TEXT_MAX: the reference result written back */
    unsigned long docs, taken, valid;
    const char *codes[CODES_SEEN_MAX]; /* distinct error codes met */
    unsigned ncodes;
} differ;

static differ *differ_new(void)
{
    differ *d = mem_calloc(1, sizeof *d);
    d->fast = new_form();
    d->ref = new_form();
    d->scan = new_form();
    d->text = mem_alloc(FORM_TEXT_MAX);
    return d;
}

static void differ_free(differ *d)
{
    free(d->fast);
    free(d->ref);
    free(d->scan);
    free(d->text);
    free(d);
}

static void note_code(differ *d, const char *code)
{
    for (unsigned i = 0; i < d->ncodes; i++)
        if (strcmp(d->codes[i], code) == 0)
            return;
    assert_true(d->ncodes < CODES_SEEN_MAX);
    d->codes[d->ncodes++] = code;
}

static int code_seen(const differ *d, const char *code)
{
    for (unsigned i = 0; i < d->ncodes; i++)
        if (strcmp(d->codes[i], code) == 0)
            return 1;
    return 0;
}

static int same_error(const err_info *a, const err_info *b)
{
    if (!a->code || !b->code)
        return a->code == b->code;
    return strcmp(a->code, b->code) == 0 && strcmp(a->where, b->where) == 0 &&
           strcmp(a->msg, b->msg) == 0;
}

/* form_parse and the reference parser agree on doc[0..len): the same rc,
 * the same struct (all zero on error), the same code, where and message.
 * And the scanner takes exactly the valid documents that form_format
 * writes back byte for byte, into the reference's struct. Returns whether
 * the scanner took doc. */
static int agree(differ *d, const char *doc, size_t len)
{
    err_info ea = {0}, eb = {0};

    memset(d->fast, 0xA5, sizeof(form));
    memset(d->ref, 0x5A, sizeof(form));
    int ra = form_parse(doc, len, d->fast, &ea);
    int rb = form_parse_reference(doc, len, d->ref, &eb);
    if (ra != rb || memcmp(d->fast, d->ref, sizeof(form)) != 0 || !same_error(&ea, &eb))
        fail_msg("form_parse and the reference differ on %.*s: rc %d / %d, %s / %s at "
                 "\"%s\" / \"%s\"",
                 (int)len, doc, ra, rb, ea.code ? ea.code : "-", eb.code ? eb.code : "-",
                 ea.where, eb.where);

    int taken = form_parse_canonical(doc, len, d->scan);
    int canonical = rb == 0 && form_format(d->ref, d->text, FORM_TEXT_MAX) == len &&
                    memcmp(d->text, doc, len) == 0;
    if (taken != canonical)
        fail_msg("the scanner %s a %s document: %.*s", taken ? "took" : "refused",
                 canonical ? "canonical" : "non-canonical or invalid", (int)len, doc);
    if (taken)
        assert_memory_equal(d->scan, d->ref, sizeof(form));

    d->docs++;
    d->taken += (unsigned long)taken;
    d->valid += rb == 0;
    if (rb)
        note_code(d, eb.code);
    return taken;
}

static int agree_str(differ *d, const char *s)
{
    return agree(d, s, strlen(s));
}

/* Bytes a mutation writes: half JSON's punctuation, digits and the bytes
 * that trip lexers, half anything. */
static char mutation_byte(rng *r)
{
    static const char tricky[] = {'0', '1', '5', '9', '-', '+', '.', 'e', 'E', ',', ':',
                                  '[', ']', '{', '}', '"', ' ', '\\', '\n', 'a', 'u',
                                  '\0', '\x7f', '\xc3', '\xff'};
    if (rng_below(r, 2))
        return tricky[rng_below(r, sizeof tricky)];
    return (char)rng_below(r, 256);
}

/* n single-byte mutants of base (a byte replaced, inserted or deleted),
 * each checked with agree(). */
static void mutate(differ *d, rng *r, const char *base, size_t len, unsigned n)
{
    char *buf = mem_alloc(len + 1);

    for (unsigned i = 0; i < n; i++) {
        size_t pos = rng_below(r, (unsigned)len), m = len;
        memcpy(buf, base, len);
        switch (rng_below(r, 3)) {
        case 0:
            buf[pos] = mutation_byte(r);
            break;
        case 1:
            pos = rng_below(r, (unsigned)len + 1);
            memmove(buf + pos + 1, buf + pos, len - pos);
            buf[pos] = mutation_byte(r);
            m = len + 1;
            break;
        default:
            memmove(buf + pos, buf + pos + 1, len - pos - 1);
            m = len - 1;
        }
        agree(d, buf, m);
    }
    free(buf);
}

/* A count, often at or next to a bound. */
static uint16_t random_count(rng *r)
{
    static const uint16_t edge[] = {0, 1, 9, 10, 99, 100, 998, FORM_COUNT_MAX};
    if (rng_below(r, 4) == 0)
        return edge[rng_below(r, sizeof edge / sizeof edge[0])];
    return (uint16_t)rng_below(r, FORM_COUNT_MAX + 1);
}

/* A random form within every structural rule: any contest, any counts,
 * 1..99 votes or 1..40 party blocks with distinct numbers and up to 99
 * candidates each, 1200 on the form. */
static void random_form(rng *r, form *f)
{
    memset(f, 0, sizeof *f);
    for (int i = 0; i < REGION_CODE_MAX - 1; i++)
        f->tps[i] = (char)('0' + rng_below(r, 10));
    if (memcmp(f->tps + 10, "000", 3) == 0)
        f->tps[12] = (char)('1' + rng_below(r, 9));
    f->kind = (contest_kind)rng_below(r, CONTEST_KINDS);
    for (unsigned i = 0; i < FORM_VOTER_ROWS; i++)
        *form_voter_row(f, i) = (form_lpt){random_count(r), random_count(r), random_count(r)};
    for (unsigned i = 0; i < FORM_BALLOT_FIELDS; i++)
        *form_ballot_field(f, i) = random_count(r);
    f->valid = random_count(r);
    f->invalid = random_count(r);
    f->total = random_count(r);
    if (!contest_is_party_list(f->kind)) {
        f->nvotes = (uint16_t)(1 + rng_below(r, ELECTION_CANDIDATES_MAX));
        for (unsigned i = 0; i < f->nvotes; i++)
            f->votes[i] = random_count(r);
        return;
    }
    uint8_t no[ELECTION_PARTY_MAX];
    for (unsigned i = 0; i < ELECTION_PARTY_MAX; i++)
        no[i] = (uint8_t)(i + 1);
    f->nparty = (uint16_t)(1 + rng_below(r, FORM_PARTIES_MAX));
    for (unsigned i = 0; i < f->nparty; i++) {
        unsigned j = i + rng_below(r, ELECTION_PARTY_MAX - i); /* a shuffle of 1..99 */
        uint8_t t = no[i];
        no[i] = no[j];
        no[j] = t;
        unsigned room = FORM_SELECTIONS_MAX - f->nvotes;
        if (room > ELECTION_CANDIDATES_MAX)
            room = ELECTION_CANDIDATES_MAX;
        unsigned ncand = rng_below(r, room + 1);
        f->party[i] = (form_party){.no = no[i], .party_only = random_count(r),
                                   .total = random_count(r), .ncand = (uint16_t)ncand,
                                   .cand = f->nvotes};
        for (unsigned k = 0; k < ncand; k++)
            f->votes[f->nvotes + k] = random_count(r);
        f->nvotes = (uint16_t)(f->nvotes + ncand);
    }
}

/* Break one structural rule in a way form_format can still write: a count
 * above 999, a party number outside 1..99 or twice, a TPS number 000, an
 * empty ballot, too many votes. */
static void break_rule(rng *r, form *f)
{
    int party_list = contest_is_party_list(f->kind);
    uint16_t big = (uint16_t)(FORM_COUNT_MAX + 1 + rng_below(r, UINT16_MAX - FORM_COUNT_MAX));

    switch (rng_below(r, 6)) {
    case 0:
        if (f->nvotes)
            f->votes[rng_below(r, f->nvotes)] = big;
        else
            f->valid = big;
        break;
    case 1:
        form_voter_row(f, rng_below(r, FORM_VOTER_ROWS))->female = big;
        break;
    case 2:
        memcpy(f->tps + 10, "000", 3);
        break;
    case 3:
        if (party_list)
            f->party[rng_below(r, f->nparty)].no =
                rng_below(r, 2) ? (uint16_t)(rng_below(r, 2) ? 0 : ELECTION_PARTY_MAX + 1) : big;
        else
            f->total = big;
        break;
    case 4:
        if (party_list && f->nparty > 1)
            f->party[f->nparty - 1].no = f->party[rng_below(r, f->nparty - 1)].no;
        else if (party_list)
            f->party[0].total = big;
        else
            f->nvotes = 0;
        break;
    default:
        if (party_list) {
            f->nparty = 0;
            f->nvotes = 0;
        } else {
            f->nvotes = (uint16_t)(ELECTION_CANDIDATES_MAX + 1 + rng_below(r, 200));
        }
    }
}

/* Random valid forms come back through the scanner into the reference's
 * struct; with one rule broken the scanner refuses them and form_parse
 * reports the reference's error. */
static void test_fast_random_forms(void **state)
{
    (void)state;
    differ *d = differ_new();
    form *f = new_form();
    char *doc = mem_alloc(FORM_TEXT_MAX);
    rng r = {0x9E3779B97F4A7C15ULL};

    for (unsigned i = 0; i < 3000; i++) {
        random_form(&r, f);
        size_t n = form_format(f, doc, FORM_TEXT_MAX);
        assert_true(agree(d, doc, n));
        assert_memory_equal(d->ref, f, sizeof *f);

        break_rule(&r, f);
        n = form_format(f, doc, FORM_TEXT_MAX);
        assert_false(agree(d, doc, n));
        assert_int_not_equal(form_parse(doc, n, d->fast, &(err_info){0}), 0);
    }
    fill_max(f); /* every bound at once */
    size_t n = form_format(f, doc, FORM_TEXT_MAX);
    assert_true(agree(d, doc, n));
    assert_memory_equal(d->ref, f, sizeof *f);
    static const char *const broken[] = {"FORM_VALUE_RANGE", "FORM_TPS_CODE",
                                         "FORM_PARTY_DUPLICATE", "FORM_SHAPE",
                                         "FORM_TOO_MANY"};
    for (size_t i = 0; i < sizeof broken / sizeof broken[0]; i++)
        if (!code_seen(d, broken[i]))
            fail_msg("no broken form gave %s", broken[i]);
    free(doc);
    free(f);
    differ_free(d);
}

/* Documents at the edge of what the scanner takes: each must get the
 * reference parser's result, and the scanner must take exactly those
 * marked. */
static void test_fast_edges(void **state)
{
    (void)state;
    static const struct {
        const char *base, *from, *to;
        int taken;
    } c[] = {
        {PPWP, "", "", 1},
        {DPR, "", "", 1},
        {PPWP, "\"valid\":190", "\"valid\":0", 1},
        {PPWP, "\"valid\":190", "\"valid\":999", 1},
        {PPWP, "\"valid\":190", "\"valid\":1000", 0},
        {PPWP, "\"valid\":190", "\"valid\":65535", 0},
        {PPWP, "\"valid\":190", "\"valid\":65536", 0},
        {PPWP, "\"valid\":190", "\"valid\":100000", 0},
        {PPWP, "\"valid\":190", "\"valid\":99999999999999999999", 0},
        {PPWP, "\"valid\":190", "\"valid\":0190", 0},
        {PPWP, "\"valid\":190", "\"valid\":00", 0},
        {PPWP, "\"valid\":190", "\"valid\":-0", 0},
        {PPWP, "\"valid\":190", "\"valid\":-1", 0},
        {PPWP, "\"valid\":190", "\"valid\":190.0", 0},
        {PPWP, "\"valid\":190", "\"valid\":19e1", 0},
        {PPWP, "\"valid\":190", "\"valid\" :190", 0},
        {PPWP, "\"ppwp\"", "\"pp\\u0077p\"", 0},
        {PPWP, "\"ppwp\"", "\"dpd\"", 1},
        {PPWP, "\"ppwp\"", "\"ppwpx\"", 0},
        {PPWP, "\"ppwp\"", "\"ppw\"", 0},
        {PPWP, "\"tps\"", "\"t\\u0070s\"", 0},
        {PPWP, "\"3273011001004\"", "\"3273011001000\"", 0},
        {PPWP, "\"3273011001004\"", "\"3273011001\\u00304\"", 0},
        {PPWP, "\"3273011001004\"", "\"32730110010044\"", 0},
        {PPWP, "rekap-chasil/1", "rekap-chasil\\/1", 0},
        {PPWP, ",\"total\":198}", ",\"total\":198}\n", 0},
        {PPWP, ",\"total\":198}", ",\"total\":198} ", 0},
        {PPWP, "{\"format\"", " {\"format\"", 0},
        {PPWP, "[70,80,40]", "[0]", 1},
        {PPWP, "[70,80,40]", "[]", 0},
        {PPWP, "[70,80,40]", "[70,80,40,]", 0},
        {PPWP, "\"votes\":[70,80,40]", "\"parties\":[]", 0},
        {PPWP, "\"dpt\":[120,130,250]", "\"dpt\":[120,130]", 0},
        {PPWP, "\"dpt\":[120,130,250]", "\"dpt\":[120,130,250,1]", 0},
        {PPWP, "\"received\":260,\"used\":198", "\"used\":198,\"received\":260", 0},
        {DPR, "\"no\":1,", "\"no\":99,", 1},
        {DPR, "\"no\":1,", "\"no\":0,", 0},
        {DPR, "\"no\":1,", "\"no\":100,", 0},
        {DPR, "\"no\":5,", "\"no\":2,", 0},
        {DPR, "\"party_only\":10,\"candidates\":[20,15,5]",
         "\"candidates\":[20,15,5],\"party_only\":10", 0},
        {DPR, "\"candidates\":[20,15,5]", "\"candidates\":[]", 1},
        {DPR, "\"dpr\"", "\"dprd_kab\"", 1},
        {DPR, "\"dpr\"", "\"ppwp\"", 0},
        {DPR, PARTIES, "\"parties\":[]", 0},
    };
    differ *d = differ_new();

    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        char *s = test_replace(c[i].base, c[i].from, c[i].to);
        if (agree_str(d, s) != c[i].taken)
            fail_msg("case %zu (%s -> %s): the scanner should %s it", i, c[i].from, c[i].to,
                     c[i].taken ? "take" : "refuse");
        free(s);
    }

    /* a raw NUL ends the contest id for C but not for JSON: not a form */
    size_t n = strlen(DPR), at = (size_t)(strstr(DPR, "dpr\"") - DPR) + 3;
    char *s = mem_alloc(n + 1);
    memcpy(s, DPR, at);
    s[at] = '\0';
    memcpy(s + at + 1, DPR + at, n - at);
    assert_false(agree(d, s, n + 1));
    assert_false(agree(d, s, at)); /* cut short */
    free(s);
    assert_false(agree(d, NULL, 0));

    /* the bounds on selections, each side of each */
    static const struct {
        unsigned nparty, ncand;
        int taken;
    } b[] = {{FORM_PARTIES_MAX, 1, 1},  {FORM_PARTIES_MAX + 1, 1, 0},
             {1, ELECTION_CANDIDATES_MAX, 1}, {1, ELECTION_CANDIDATES_MAX + 1, 0},
             {FORM_SELECTIONS_MAX / 40, 40, 1}, {13, ELECTION_CANDIDATES_MAX, 0}};
    for (size_t i = 0; i < sizeof b / sizeof b[0]; i++) {
        s = dpr_with(b[i].nparty, b[i].ncand);
        assert_int_equal(agree_str(d, s), b[i].taken);
        free(s);
    }
    s = ppwp_with_votes(ELECTION_CANDIDATES_MAX);
    assert_true(agree_str(d, s));
    free(s);
    s = ppwp_with_votes(ELECTION_CANDIDATES_MAX + 1);
    assert_false(agree_str(d, s));
    free(s);
    differ_free(d);
}

/* Thousands of single-byte mutants of canonical documents (the examples,
 * random forms, one at every bound): whatever the bytes, form_parse gives
 * the reference parser's answer. The mutants must reach both sides: some
 * still canonical and valid (a digit changed), some valid but not
 * canonical (a space), and many kinds of error. */
static void test_fast_mutations(void **state)
{
    (void)state;
    differ *d = differ_new();
    form *f = new_form();
    char *doc = mem_alloc(FORM_TEXT_MAX);
    rng r = {0xD1B54A32D192ED03ULL};

    mutate(d, &r, PPWP, strlen(PPWP), 3000);
    mutate(d, &r, DPR, strlen(DPR), 3000);
    for (unsigned i = 0; i < 40; i++) {
        random_form(&r, f);
        mutate(d, &r, doc, form_format(f, doc, FORM_TEXT_MAX), 150);
    }
    fill_max(f);
    mutate(d, &r, doc, form_format(f, doc, FORM_TEXT_MAX), 300);

    assert_true(d->taken > d->docs / 20);
    assert_true(d->valid > d->taken);
    static const char *const codes[] = {"FORM_JSON", "FORM_FIELD_UNKNOWN", "FORM_FIELD_TYPE",
                                        "FORM_VALUE_RANGE", "FORM_CONTEST", "FORM_TPS_CODE",
                                        "FORM_FORMAT"};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        if (!code_seen(d, codes[i]))
            fail_msg("no mutant gave %s", codes[i]);
    free(doc);
    free(f);
    differ_free(d);
}

/* Real forms: every C.Hasil the generator writes for a small province, all
 * five contests, is canonical, so the scanner takes each into the
 * reference's struct; a sample of them is then mutated. */
#define GEN_SAMPLE 12 /* documents per contest kept for mutation */

typedef struct gen_run {
    differ *d;
    rng r;
    char *doc;
    unsigned long seen[CONTEST_KINDS];
    char *sample[CONTEST_KINDS][GEN_SAMPLE];
} gen_run;

static int gen_sink(void *ctx, const form *f)
{
    gen_run *g = ctx;
    size_t n = form_format(f, g->doc, FORM_TEXT_MAX);

    assert_true(n < FORM_TEXT_MAX);
    assert_true(agree(g->d, g->doc, n));
    unsigned long k = g->seen[f->kind]++;
    if (k >= GEN_SAMPLE)
        k = rng_next(&g->r) % (k + 1); /* reservoir: a uniform sample */
    if (k < GEN_SAMPLE) {
        free(g->sample[f->kind][k]);
        g->sample[f->kind][k] = mem_strdup(g->doc);
    }
    return 0;
}

static void test_fast_generated(void **state)
{
    (void)state;
    err_info e = {0};
    region_tree *t = NULL;
    election *el = NULL;
    gen_params p;
    gen_run g = {.d = differ_new(), .r = {42}, .doc = mem_alloc(FORM_TEXT_MAX)};

    assert_int_equal(masterdata_load(REKAP_DATA_DIR, &t, &e), 0);
    gen_params_default(&p);
    p.scope = "65"; /* Kalimantan Utara: small */
    if (gen_election(t, &p, &el, &e))
        fail_msg("gen_election: %s %s %s", e.code, e.where, e.msg);
    if (gen_forms(el, 7, (1u << CONTEST_KINDS) - 1, NULL, gen_sink, &g, &e))
        fail_msg("gen_forms: %s %s %s", e.code, e.where, e.msg);
    assert_int_equal(g.d->taken, g.d->docs);
    unsigned long taken = g.d->taken;
    for (int k = 0; k < CONTEST_KINDS; k++) {
        assert_true(g.seen[k] >= GEN_SAMPLE);
        for (int i = 0; i < GEN_SAMPLE; i++) {
            mutate(g.d, &g.r, g.sample[k][i], strlen(g.sample[k][i]), 60);
            free(g.sample[k][i]);
        }
    }
    assert_true(g.d->taken > taken); /* some mutants are still canonical */
    election_free(el);
    free(g.doc);
    differ_free(g.d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_ppwp),
        cmocka_unit_test(test_parse_dpr),
        cmocka_unit_test(test_parse_each_contest),
        cmocka_unit_test(test_parse_layout_free),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_json_error_position),
        cmocka_unit_test(test_parse_count_bounds),
        cmocka_unit_test(test_parse_limits),
        cmocka_unit_test(test_parse_size),
        cmocka_unit_test(test_parse_deep),
        cmocka_unit_test(test_parse_length),
        cmocka_unit_test(test_write_canonical),
        cmocka_unit_test(test_write_roundtrip_max),
        cmocka_unit_test(test_write_text_max),
        cmocka_unit_test(test_format_truncates),
        cmocka_unit_test(test_write_file),
        cmocka_unit_test(test_fast_edges),
        cmocka_unit_test(test_fast_random_forms),
        cmocka_unit_test(test_fast_mutations),
        cmocka_unit_test(test_fast_generated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
