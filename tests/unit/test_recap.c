/* test_recap — the tiered recap (recap.h): the rekap-dhasil/1 and
 * rekap-dkk/1 texts and their log entries (round trips, every parse error
 * code with its line, the status line's rule family), the units of a small
 * hand-built election (find, widths, children, districts, shape, keys,
 * field names, a form's numbers), the recap rules on hand-made children
 * (every code, on the totals and on a corrected row), and the book
 * (follows, record, children now from a test source and from the book,
 * replay with its verdict recomputed). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/election.h"
#include "core/entry.h"
#include "core/keys.h"
#include "core/mem.h"
#include "core/recap.h"
#include "core/region.h"
#include "core/rules.h"
#include "testutil.h"

/* ---- fixtures ------------------------------------------------------------ */

/* Numbers of a PPWP unit (width 33: 24 voters, 4 ballots, 3 votes totals,
 * 2 pairs). A and B each keep every arithmetic rule; T = A + B. */
#define N_A "100 110 210 2 3 5 1 1 2 80 90 170 2 1 3 1 0 1 83 91 174 1 1 2 208 174 4 30 170 4 174 85 85"
#define N_B "120 130 250 0 0 0 0 0 0 100 110 210 0 0 0 0 0 0 100 110 210 0 0 0 260 210 10 40 200 10 210 120 80"
#define N_T "220 240 460 2 3 5 1 1 2 180 200 380 2 1 3 1 0 1 183 201 384 1 1 2 468 384 14 70 370 14 384 205 165"
#define W_PPWP 33u
#define W_DPR34 36u /* lists 2 + 1 candidates, 2 party-only counts */
#define W_DPR35 38u /* lists 1 + 2 + 1 candidates, 3 party-only counts */
#define W_DPD 34u

#define TPS1 "3404011001001"
#define TPS2 "3404011001002"
#define TPS3 "3404011001003"

/* A kecamatan PPWP recap with one row of each kind: TPS 1 adopted (its
 * counted version 1 gives A), TPS 2 marked, TPS 3 corrected to B. */
static const char BASE[] = "rekap-dhasil/1\n"
                           "region 340401\n"
                           "contest ppwp\n"
                           "district ppwp\n"
                           "version 1\n"
                           "adopt " TPS1 " 1\n"
                           "mark " TPS2 " psu\n"
                           "why \"PSU dijadwalkan 24 Februari\"\n"
                           "correct " TPS3 " " N_B "\n"
                           "why \"Penghitungan ulang di pleno: suara paslon 2 salah baca\"\n"
                           "totals " N_T "\n";

/* A correction: reason with quotes, a backslash and raw UTF-8, every mark
 * state, and two corrected rows (the election is not consulted). */
static const char BASE2[] = "rekap-dhasil/1\n"
                            "region 340401\n"
                            "contest ppwp\n"
                            "district ppwp\n"
                            "version 2\n"
                            "reason \"Koreksi \\\"salah tulis\\\" di C:\\\\D \xe2\x80\x94 pleno\"\n"
                            "mark " TPS1 " pending\n"
                            "why \"Belum datang\"\n"
                            "mark " TPS2 " recount\n"
                            "why \"Hitung ulang\"\n"
                            "correct " TPS3 " " N_B "\n"
                            "why \"Salah baca\"\n"
                            "correct 3404011001004 " N_A "\n"
                            "why \"Salah baca juga\"\n"
                            "adopt 3404011001005 999\n"
                            "totals " N_T "\n";

static const char REC[] = "rekap-dkk/1\n"
                          "region 340401\n"
                          "contest ppwp\n"
                          "district ppwp\n"
                          "number 1\n"
                          "recap 1\n"
                          "kind objection\n"
                          "by \"Saksi Paslon 1, Budi\"\n"
                          "text \"Keberatan atas suara TPS 003: C.Hasil berbeda dengan salinan saksi\"\n";

/* A C.Hasil submission (test_entry's DPR form), for the other family. */
#define DPR_FORM                                                                   \
    "{\"format\":\"rekap-chasil/1\",\"tps\":\"3273011001004\",\"contest\":\"dpr\","   \
    "\"voters\":{\"dpt\":[120,130,250],\"dptb\":[4,3,7],\"dpk\":[3,2,5],"           \
    "\"b1\":[90,100,190],\"b2\":[3,2,5],\"b3\":[2,1,3],\"b4\":[95,103,198],"       \
    "\"disabled\":[2,1,3]},"                                                       \
    "\"ballots\":{\"received\":260,\"used\":198,\"damaged\":2,\"unused\":60},"     \
    "\"parties\":[{\"no\":1,\"party_only\":10,\"candidates\":[20,15,5],\"total\":50}," \
    "{\"no\":2,\"party_only\":5,\"candidates\":[30,20,10,5],\"total\":70},"        \
    "{\"no\":5,\"party_only\":20,\"candidates\":[],\"total\":20},"                 \
    "{\"no\":7,\"party_only\":0,\"candidates\":[25,15,10],\"total\":50}],"        \
    "\"valid\":190,\"invalid\":8,\"total\":198}"
static const char CHASIL[] = "rekap-submission/1\n"
                             "tps 3273011001004\n"
                             "contest dpr\n"
                             "version 1\n"
                             "form " DPR_FORM "\n";

#define RECEIVED 1708300800u

/* ---- small helpers ------------------------------------------------------- */

typedef struct sb {
    char *s;
    size_t n, cap;
} sb;

static void sb_add(sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void sb_add(sb *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(k >= 0);
    mem_grow((void **)&b->s, &b->cap, b->n + (size_t)k + 1, 1);
    va_start(ap, fmt);
    vsnprintf(b->s + b->n, b->cap - b->n, fmt, ap);
    va_end(ap);
    b->n += (size_t)k;
}

/* " v0 v1 ...\n" */
static void sb_nums(sb *b, const uint64_t *v, uint32_t w)
{
    for (uint32_t i = 0; i < w; i++)
        sb_add(b, " %llu", (unsigned long long)v[i]);
    sb_add(b, "\n");
}

/* The numbers of a space-separated list into v; returns how many. */
static uint32_t nums_of(const char *s, uint64_t *v, uint32_t cap)
{
    uint32_t n = 0;
    char *end;
    while (*s) {
        unsigned long long x = strtoull(s, &end, 10);
        assert_true(end != s);
        assert_true(n < cap);
        v[n++] = x;
        s = end;
    }
    return n;
}

/* Numbers of width w that keep every arithmetic rule, scaled by m. */
static void good(uint64_t *v, uint32_t w, uint64_t m)
{
    static const uint64_t fixed[RECAP_I_SEL] = {100, 110, 210, 2,  3,  5,   1,   1,   2,  80, 90,
                                                170, 2,   1,   3,  1,  0,   1,   83,  91, 174, 1,
                                                1,   2,   208, 174, 4, 30,  170, 4,   174};
    uint32_t nsel = w - RECAP_I_SEL;
    uint64_t left = 170 * m;
    for (uint32_t i = 0; i < RECAP_I_SEL; i++)
        v[i] = fixed[i] * m;
    for (uint32_t j = 0; j < nsel; j++) {
        v[RECAP_I_SEL + j] = j + 1 < nsel ? 170 * m / nsel : left;
        left -= v[RECAP_I_SEL + j];
    }
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

static char *crlf(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *out = mem_alloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            out[k++] = '\r';
        out[k++] = s[i];
    }
    out[k] = '\0';
    return out;
}

static char *repeat(char c, size_t n)
{
    char *s = mem_alloc(n + 1);
    memset(s, c, n);
    s[n] = '\0';
    return s;
}

/* The test key and signature bytes and their base64. */
static uint8_t PK[32], SIG[64];
static char PK_B64[KEYS_B64_LEN(32) + 1], SIG_B64[KEYS_B64_LEN(64) + 1];

static void test_keys(void)
{
    for (unsigned i = 0; i < 32; i++)
        PK[i] = (uint8_t)(i + 1);
    for (unsigned i = 0; i < 64; i++)
        SIG[i] = (uint8_t)(0xc0 ^ i);
    keys_b64_encode(PK, 32, PK_B64);
    keys_b64_encode(SIG, 64, SIG_B64);
}

/* The logged entry of a signed text with that status line value. */
static char *entry_of(const char *sub, const char *status)
{
    sb b = {0};
    test_keys();
    sb_add(&b, "rekap-entry/1\n%skey %s\nsig %s\nreceived %u\nstatus %s\n", sub, PK_B64, SIG_B64,
           RECEIVED, status);
    return b.s;
}

static void parse_sub_ok(const char *text, size_t len, recap_entry *en)
{
    err_info e = {0};
    if (recap_submission_parse(text, len, en, &e) != 0)
        fail_msg("recap_submission_parse: %s at %s: %s", e.code, e.where, e.msg);
}

static void parse_entry_ok(const char *text, recap_entry *en)
{
    err_info e = {0};
    if (recap_entry_parse(text, strlen(text), en, &e) != 0)
        fail_msg("recap_entry_parse: %s at %s: %s", e.code, e.where, e.msg);
}

/* label names the case in a failure message; entry: recap_entry_parse. */
static void expect_error(const char *label, int as_entry, const char *text, size_t len, int rc,
                         const char *code, const char *where)
{
    recap_entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    memset(en, 0x5a, sizeof *en);
    int got = as_entry ? recap_entry_parse(text, len, en, &e)
                    : recap_submission_parse(text, len, en, &e);
    if (got != rc || !e.code || strcmp(e.code, code) != 0 || strcmp(e.where, where) != 0)
        fail_msg("%s: expected %d %s at \"%s\", got %d %s at \"%s\": %s", label, rc, code, where,
                 got, e.code ? e.code : "(none)", e.where, e.msg);
    assert_true(e.msg[0] != '\0');
    assert_true(all_zero(en, sizeof *en)); /* nothing half-built, nothing owned */
    free(en);
}

typedef struct repl_case {
    const char *label, *from, *to;
    int rc;
    const char *code, *where;
} repl_case;

static void run_repl(const char *base, int as_entry, const repl_case *c, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *t = test_replace(base, c[i].from, c[i].to);
        expect_error(c[i].label, as_entry, t, strlen(t), c[i].rc, c[i].code, c[i].where);
        free(t);
    }
}

/* ---- the election ---------------------------------------------------------- */

static const char REGIONS_CSV[] =
    "kode,nama\n"
    "34,DI Yogyakarta\n34.04,Sleman\n"
    "34.04.01,Gamping\n34.04.01.1001,Ambarketawang\n"
    "34.04.02,Godean\n34.04.02.1001,Sidoagung\n"
    "34.04.03,Moyudan\n34.04.03.1001,Sumberrahayu\n"
    "34.71,Kota Yogyakarta\n34.71.01,Mantrijeron\n34.71.01.1001,Gedongkiwo\n"
    "35,Jawa Timur\n35.01,Pacitan\n35.01.01,Donorojo\n35.01.01.2001,Sawahan\n";

typedef struct lspec {
    uint16_t party, ncand;
} lspec;

static election_candidate *cands(unsigned n, int pairs)
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

static void add_district(election *el, contest_kind k, const char *id, const char *where,
                         uint16_t seats, unsigned ncand, const lspec *lists, unsigned nlist)
{
    el->district[k] =
        mem_realloc(el->district[k], (el->ndistrict[k] + 1) * sizeof(election_district));
    election_district *d = &el->district[k][el->ndistrict[k]++];
    memset(d, 0, sizeof *d);
    d->id = mem_strdup(id);
    d->name = mem_strdup(id);
    d->kind = k;
    d->seats = seats;
    d->nregion = 1;
    d->region = mem_calloc(1, sizeof *d->region);
    d->region[0] = region_find(el->tree, where);
    assert_int_not_equal(d->region[0], REGION_NONE);
    if (!contest_is_party_list(k)) {
        d->ncand = (uint16_t)ncand;
        d->cand = cands(ncand, k == CONTEST_PPWP);
        return;
    }
    d->nlist = (uint16_t)nlist;
    d->list = mem_calloc(nlist, sizeof *d->list);
    for (unsigned l = 0; l < nlist; l++)
        d->list[l] = (election_list){lists[l].party, lists[l].ncand, cands(lists[l].ncand, 0)};
}

/* DI Yogyakarta: kab Sleman (3404) with three kecamatan, 340401 holding
 * TPS 1..3 (indices 0..2), 340402 two (3, 4), 340403 one (5); Kota
 * Yogyakarta (3471) one TPS (6). Jawa Timur (35): one kecamatan, two TPS
 * (7, 8). PPWP national; DPR and DPD one district per province; DPRD
 * provinsi per kab in 34; DPRD kab/kota two dapil in Sleman (340401;
 * 340402 + 340403), one in each other kab/kota. */
static election *recap_election(void)
{
    static const lspec two[] = {{1, 2}, {2, 1}}, three[] = {{1, 1}, {2, 2}, {3, 1}};
    static const struct {
        const char *desa;
        unsigned n;
    } tps[] = {{"3404011001", 3}, {"3404021001", 2}, {"3404031001", 1}, {"3471011001", 1},
               {"3501012001", 2}};
    err_info e = {0};
    region_tree *tree = region_tree_new();
    assert_int_equal(region_add_csv(tree, REGIONS_CSV, strlen(REGIONS_CSV), "test", &e), 0);
    assert_int_equal(region_tree_finish(tree, &e), 0);
    for (unsigned i = 0; i < sizeof tps / sizeof *tps; i++)
        for (unsigned no = 1; no <= tps[i].n; no++)
            assert_int_equal(region_add_tps(tree, region_find(tree, tps[i].desa), no, &e), 0);
    assert_int_equal(region_tree_finish(tree, &e), 0);

    election *el = election_new(tree);
    el->name = mem_strdup("Pemilu Uji Rekap");
    el->nparty = 3;
    el->party = mem_calloc(3, sizeof *el->party);
    static const char *const abbrev[] = {"PA", "PB", "PC"};
    for (unsigned p = 0; p < 3; p++)
        el->party[p] = (election_party){(uint16_t)(p + 1), mem_strdup(abbrev[p]),
                                        mem_strdup(abbrev[p]), NULL};
    add_district(el, CONTEST_PPWP, "ppwp", "0", 1, 2, NULL, 0);
    add_district(el, CONTEST_DPR, "dpr-34", "34", 3, 0, two, 2);
    add_district(el, CONTEST_DPR, "dpr-35", "35", 3, 0, three, 3);
    add_district(el, CONTEST_DPD, "dpd-34", "34", 4, 3, NULL, 0);
    add_district(el, CONTEST_DPD, "dpd-35", "35", 4, 3, NULL, 0);
    add_district(el, CONTEST_DPRD_PROV, "dprd_prov-34-1", "3404", 3, 0, two, 2);
    add_district(el, CONTEST_DPRD_PROV, "dprd_prov-34-2", "3471", 3, 0, two, 2);
    add_district(el, CONTEST_DPRD_PROV, "dprd_prov-35-1", "35", 3, 0, two, 2);
    add_district(el, CONTEST_DPRD_KAB, "dprd_kab-3404-1", "340401", 3, 0, two, 2);
    add_district(el, CONTEST_DPRD_KAB, "dprd_kab-3404-2", "340402", 3, 0, two, 2);
    /* 340403 joins the second Sleman dapil */
    election_district *d2 = &el->district[CONTEST_DPRD_KAB][1];
    d2->region = mem_realloc(d2->region, 2 * sizeof *d2->region);
    d2->region[d2->nregion++] = region_find(tree, "340403");
    add_district(el, CONTEST_DPRD_KAB, "dprd_kab-3471-1", "3471", 3, 0, two, 2);
    add_district(el, CONTEST_DPRD_KAB, "dprd_kab-3501-1", "3501", 3, 0, two, 2);
    for (size_t i = 0; i < el->ntps; i++) {
        el->tps[i].dpt_male = 100;
        el->tps[i].dpt_female = 110;
    }
    if (election_link(el, &e))
        fail_msg("election_link: %s at %s: %s", e.code, e.where, e.msg);
    assert_int_equal(el->ntps, 9);
    return el;
}

static uint32_t node(const election *el, const char *code)
{
    uint32_t n = region_find(el->tree, code);
    assert_int_not_equal(n, REGION_NONE);
    return n;
}

static recap_unit unit_of(const election *el, const char *code, contest_kind k, const char *d)
{
    recap_unit u;
    err_info e = {0};
    if (recap_unit_find(el, code, k, d, &u, &e))
        fail_msg("recap_unit_find %s %s: %s at %s: %s", code, d, e.code, e.where, e.msg);
    return u;
}

/* A form of TPS i, kind k, holding the unit-layout numbers v. */
static void form_from_numbers(const election *el, uint32_t i, contest_kind k, const uint64_t *v,
                              form *f)
{
    memset(f, 0, sizeof *f);
    snprintf(f->tps, sizeof f->tps, "%s", election_tps_region(el, i)->code);
    f->kind = k;
    form_lpt *rows[FORM_VOTER_ROWS] = {&f->dpt, &f->dptb, &f->dpk, &f->b1,
                                       &f->b2,  &f->b3,   &f->b4,  &f->disabled};
    for (unsigned r = 0; r < FORM_VOTER_ROWS; r++)
        *rows[r] = (form_lpt){(uint16_t)v[3 * r], (uint16_t)v[3 * r + 1], (uint16_t)v[3 * r + 2]};
    f->received = (uint16_t)v[24];
    f->used = (uint16_t)v[25];
    f->damaged = (uint16_t)v[26];
    f->unused = (uint16_t)v[27];
    f->valid = (uint16_t)v[28];
    f->invalid = (uint16_t)v[29];
    f->total = (uint16_t)v[30];
    const election_district *d = election_tps_district(el, i, k);
    assert_non_null(d);
    if (!contest_is_party_list(k)) {
        f->nvotes = d->ncand;
        for (unsigned c = 0; c < d->ncand; c++)
            f->votes[c] = (uint16_t)v[RECAP_I_SEL + c];
        return;
    }
    unsigned ncand = 0;
    for (unsigned l = 0; l < d->nlist; l++)
        ncand += d->list[l].ncand;
    f->nparty = d->nlist;
    for (unsigned l = 0; l < d->nlist; l++) {
        form_party *p = &f->party[l];
        p->no = d->list[l].party;
        p->ncand = d->list[l].ncand;
        p->cand = f->nvotes;
        p->party_only = (uint16_t)v[RECAP_I_SEL + ncand + l];
        p->total = p->party_only;
        for (unsigned c = 0; c < p->ncand; c++) {
            f->votes[f->nvotes] = (uint16_t)v[RECAP_I_SEL + f->nvotes];
            p->total += f->votes[f->nvotes++];
        }
    }
}

/* A recap_src over test functions: counted[tps][kind] and the forms it
 * serves through prev. */
typedef struct served {
    uint32_t tps;
    contest_kind k;
    uint32_t version;
    uint64_t v[64];
} served;

typedef struct test_src {
    const election *el;
    uint32_t counted[16][CONTEST_KINDS];
    served form[8];
    unsigned nform;
    unsigned prev_calls;
    unsigned fail; /* prev fails from this call on (1: the first); 0: never */
} test_src;

static uint32_t ts_counted(void *ctx, uint32_t tps, contest_kind k)
{
    test_src *s = ctx;
    assert_true(tps < s->el->ntps);
    return s->counted[tps][k];
}

static int ts_prev(void *ctx, const char *tps, contest_kind k, uint32_t version, entry *out,
                   err_info *e)
{
    test_src *s = ctx;
    s->prev_calls++;
    if (s->fail && s->prev_calls >= s->fail)
        return err_set(e, ERR_IO, "TEST_READ", tps, "the test source cannot read %s", tps);
    uint32_t i = election_tps_find(s->el, tps);
    assert_int_not_equal(i, ELECTION_NONE);
    for (unsigned j = 0; j < s->nform; j++)
        if (s->form[j].tps == i && s->form[j].k == k && s->form[j].version == version) {
            memset(out, 0, sizeof *out);
            out->accepted = 1;
            out->sub.version = version;
            form_from_numbers(s->el, i, k, s->form[j].v, &out->sub.form);
            return 0;
        }
    fail_msg("prev: no form of %s %s v%u", tps, contest_kind_id[k], version);
    return ERR_NOTFOUND;
}

static void ts_serve(test_src *s, uint32_t tps, contest_kind k, uint32_t version,
                     const uint64_t *v, uint32_t w)
{
    assert_true(s->nform < 8 && w <= 64);
    served *f = &s->form[s->nform++];
    f->tps = tps;
    f->k = k;
    f->version = version;
    memcpy(f->v, v, w * sizeof *v);
    s->counted[tps][k] = version;
}

static recap_src src_of(test_src *s)
{
    return (recap_src){ts_counted, s, ts_prev, s};
}

/* ====================================================================== */
/* 1. texts                                                               */

static void test_recap_round_trip(void **state)
{
    (void)state;
    recap_entry *en = mem_alloc(sizeof *en);
    char *buf = mem_alloc(ENTRY_MAX + 1);
    uint64_t a[W_PPWP], b[W_PPWP], t[W_PPWP];
    assert_int_equal(nums_of(N_A, a, W_PPWP), W_PPWP);
    assert_int_equal(nums_of(N_B, b, W_PPWP), W_PPWP);
    assert_int_equal(nums_of(N_T, t, W_PPWP), W_PPWP);

    parse_sub_ok(BASE, strlen(BASE), en);
    assert_int_equal(en->type, SIGNED_RECAP);
    const recap *r = &en->recap;
    assert_string_equal(r->region, "340401");
    assert_int_equal(r->kind, CONTEST_PPWP);
    assert_string_equal(r->district, "ppwp");
    assert_int_equal(r->version, 1);
    assert_string_equal(r->reason, "");
    assert_int_equal(r->width, W_PPWP);
    assert_int_equal(r->nrow, 3);
    assert_string_equal(r->row[0].code, TPS1);
    assert_int_equal(r->row[0].how, RECAP_ADOPT);
    assert_int_equal(r->row[0].version, 1);
    assert_null(r->row[0].reason);
    assert_null(r->row[0].numbers);
    assert_string_equal(r->row[1].code, TPS2);
    assert_int_equal(r->row[1].how, RECAP_MARK);
    assert_int_equal(r->row[1].state, RECAP_PSU);
    assert_string_equal(r->row[1].reason, "PSU dijadwalkan 24 Februari");
    assert_null(r->row[1].numbers);
    assert_string_equal(r->row[2].code, TPS3);
    assert_int_equal(r->row[2].how, RECAP_CORRECT);
    assert_memory_equal(r->row[2].numbers, b, sizeof b);
    assert_string_equal(r->row[2].reason, "Penghitungan ulang di pleno: suara paslon 2 salah baca");
    assert_memory_equal(r->totals, t, sizeof t);
    assert_ptr_equal(en->sub_bytes, BASE);
    assert_int_equal(en->sub_len, strlen(BASE));

    /* the encoder gives the bytes back, snprintf-like */
    assert_int_equal(recap_submission_encode(en, buf, ENTRY_MAX + 1), strlen(BASE));
    assert_string_equal(buf, BASE);
    assert_int_equal(recap_submission_encode(en, NULL, 0), strlen(BASE));
    char small[16];
    assert_int_equal(recap_submission_encode(en, small, sizeof small), strlen(BASE));
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, BASE, sizeof small - 1);
    recap_entry_free(en);
    assert_true(all_zero(en, sizeof *en));

    /* a correction: reason in canonical quoting, every state, two corrected rows */
    parse_sub_ok(BASE2, strlen(BASE2), en);
    assert_int_equal(en->recap.version, 2);
    assert_string_equal(en->recap.reason, "Koreksi \"salah tulis\" di C:\\D \xe2\x80\x94 pleno");
    assert_int_equal(en->recap.nrow, 5);
    assert_int_equal(en->recap.row[0].state, RECAP_PENDING);
    assert_int_equal(en->recap.row[1].state, RECAP_RECOUNT);
    assert_memory_equal(en->recap.row[3].numbers, a, sizeof a);
    assert_int_equal(en->recap.row[4].how, RECAP_ADOPT);
    assert_int_equal(en->recap.row[4].version, 999);
    assert_int_equal(recap_submission_encode(en, buf, ENTRY_MAX + 1), strlen(BASE2));
    assert_string_equal(buf, BASE2);
    recap_entry_free(en);

    /* numbers at the bound 2^53 */
    char *big = test_replace(BASE, "totals 220 ", "totals 9007199254740992 ");
    parse_sub_ok(big, strlen(big), en);
    assert_true(en->recap.totals[0] == RECAP_VALUE_MAX);
    assert_int_equal(recap_submission_encode(en, buf, ENTRY_MAX + 1), strlen(big));
    assert_string_equal(buf, big);
    recap_entry_free(en);
    free(big);
    free(buf);
    free(en);
}

/* An encoder fed a hand-built recap writes what the parser reads back. */
static void test_recap_encode_built(void **state)
{
    (void)state;
    recap_entry *en = mem_calloc(1, sizeof *en), *back = mem_alloc(sizeof *back);
    char *buf = mem_alloc(ENTRY_MAX + 1);
    en->type = SIGNED_RECAP;
    recap *r = &en->recap;
    strcpy(r->region, "3404");
    r->kind = CONTEST_DPR;
    strcpy(r->district, "dpr-34");
    r->version = 3;
    strcpy(r->reason, "tab\there");
    r->width = W_DPR34;
    r->nrow = 2;
    r->row = mem_calloc(2, sizeof *r->row);
    strcpy(r->row[0].code, "340401");
    r->row[0].how = RECAP_ADOPT;
    r->row[0].version = 7;
    strcpy(r->row[1].code, "340402");
    r->row[1].how = RECAP_CORRECT;
    r->row[1].numbers = mem_alloc(W_DPR34 * sizeof(uint64_t));
    good(r->row[1].numbers, W_DPR34, 2);
    r->row[1].reason = mem_strdup("dikoreksi");
    r->totals = mem_alloc(W_DPR34 * sizeof(uint64_t));
    good(r->totals, W_DPR34, 3);
    size_t n = recap_submission_encode(en, buf, ENTRY_MAX + 1);
    assert_int_equal(n, strlen(buf));
    /* a control character is written as a \u escape: canonical, and read back */
    assert_non_null(strstr(buf, "reason \"tab\\u0009here\"\n"));
    assert_non_null(strstr(buf, "adopt 340401 7\ncorrect 340402 200 220 420 "));
    err_info e = {0};
    int rc = recap_submission_parse(buf, n, back, &e);
    /* a reason with a control character is not a valid reason */
    assert_int_equal(rc, ERR_INVALID);
    assert_string_equal(e.code, "RECAP_REASON");
    /* a reason on version 1 is written, so the parser refuses it rather
     * than a signature covering a text without it */
    r->version = 1;
    strcpy(r->reason, "alasan");
    n = recap_submission_encode(en, buf, ENTRY_MAX + 1);
    assert_non_null(strstr(buf, "version 1\nreason \"alasan\"\n"));
    assert_int_equal(recap_submission_parse(buf, n, back, &e), ERR_INVALID);
    assert_string_equal(e.code, "RECAP_REASON");
    r->version = 3;
    n = recap_submission_encode(en, buf, ENTRY_MAX + 1);
    parse_sub_ok(buf, n, back);
    assert_string_equal(back->recap.region, "3404");
    assert_int_equal(back->recap.kind, CONTEST_DPR);
    assert_int_equal(back->recap.version, 3);
    assert_string_equal(back->recap.reason, "alasan");
    assert_int_equal(back->recap.width, W_DPR34);
    assert_int_equal(back->recap.row[0].version, 7);
    assert_memory_equal(back->recap.row[1].numbers, r->row[1].numbers, W_DPR34 * sizeof(uint64_t));
    assert_memory_equal(back->recap.totals, r->totals, W_DPR34 * sizeof(uint64_t));
    recap_entry_free(back);
    recap_entry_free(en);
    free(back);
    free(en);
    free(buf);
}

static void test_record_round_trip(void **state)
{
    (void)state;
    recap_entry *en = mem_alloc(sizeof *en);
    char buf[1024];
    parse_sub_ok(REC, strlen(REC), en);
    assert_int_equal(en->type, SIGNED_RECORD);
    const record *c = &en->record;
    assert_string_equal(c->region, "340401");
    assert_int_equal(c->kind, CONTEST_PPWP);
    assert_string_equal(c->district, "ppwp");
    assert_int_equal(c->number, 1);
    assert_int_equal(c->recap, 1);
    assert_int_equal(c->what, RECORD_OBJECTION);
    assert_string_equal(c->by, "Saksi Paslon 1, Budi");
    assert_string_equal(c->text,
                        "Keberatan atas suara TPS 003: C.Hasil berbeda dengan salinan saksi");
    assert_int_equal(en->recap.nrow, 0);
    assert_null(en->recap.totals);
    assert_int_equal(recap_submission_encode(en, buf, sizeof buf), strlen(REC));
    assert_string_equal(buf, REC);
    recap_entry_free(en);

    /* an event before any recap, at the nation, with the longest by */
    char *by = repeat('b', KEYS_NAME_MAX);
    sb s = {0};
    sb_add(&s, "rekap-dkk/1\nregion 0\ncontest dpr\ndistrict dpr-35\nnumber 4294967295\n"
               "recap 0\nkind event\nby \"%s\"\ntext \"Listrik padam\"\n", by);
    parse_sub_ok(s.s, s.n, en);
    assert_int_equal(en->record.what, RECORD_EVENT);
    assert_int_equal(en->record.recap, 0);
    assert_int_equal(en->record.number, UINT32_MAX);
    assert_string_equal(en->record.by, by);
    assert_int_equal(recap_submission_encode(en, buf, sizeof buf), s.n);
    assert_string_equal(buf, s.s);
    recap_entry_free(en);
    free(s.s);
    free(by);
    free(en);
}

static void test_entry_round_trip(void **state)
{
    (void)state;
    recap_entry *en = mem_alloc(sizeof *en);
    char *buf = mem_alloc(ENTRY_MAX + 1);
    static const char *const status[] = {"accepted", "rejected RECAP_SUM",
                                         "rejected RECAP_CHILD_STALE,RECAP_SUM,RECAP_VOTES_SUM"};
    for (unsigned i = 0; i < 3; i++) {
        char *text = entry_of(BASE, status[i]);
        parse_entry_ok(text, en);
        assert_int_equal(en->type, SIGNED_RECAP);
        assert_ptr_equal(en->sub_bytes, text + strlen(ENTRY_FORMAT_ID "\n"));
        assert_int_equal(en->sub_len, strlen(BASE));
        assert_memory_equal(en->sub_bytes, BASE, en->sub_len);
        assert_memory_equal(en->pubkey, PK, 32);
        assert_memory_equal(en->sig, SIG, 64);
        assert_int_equal(en->received, RECEIVED);
        assert_int_equal(en->accepted, i == 0);
        assert_string_equal(en->codes, i == 0 ? "" : status[i] + strlen("rejected "));
        assert_int_equal(en->recap.nrow, 3);
        assert_int_equal(recap_entry_encode(en, buf, ENTRY_MAX + 1), strlen(text));
        assert_string_equal(buf, text);
        /* the signed text alone */
        assert_int_equal(recap_submission_encode(en, buf, ENTRY_MAX + 1), strlen(BASE));
        assert_string_equal(buf, BASE);
        recap_entry_free(en);
        free(text);
    }
    char *text = entry_of(REC, "accepted");
    parse_entry_ok(text, en);
    assert_int_equal(en->type, SIGNED_RECORD);
    assert_int_equal(en->accepted, 1);
    assert_int_equal(en->record.number, 1);
    assert_int_equal(recap_entry_encode(en, buf, ENTRY_MAX + 1), strlen(text));
    assert_string_equal(buf, text);
    char small[20];
    assert_int_equal(recap_entry_encode(en, small, sizeof small), strlen(text));
    assert_memory_equal(small, text, sizeof small - 1);
    assert_int_equal(small[sizeof small - 1], '\0');
    recap_entry_free(en);
    free(text);
    free(buf);
    free(en);
}

static void test_signed_type(void **state)
{
    (void)state;
    assert_int_equal(signed_type_of_submission(CHASIL, strlen(CHASIL)), SIGNED_FORM);
    assert_int_equal(signed_type_of_submission(BASE, strlen(BASE)), SIGNED_RECAP);
    assert_int_equal(signed_type_of_submission(REC, strlen(REC)), SIGNED_RECORD);
    static const char *const junk[] = {"",
                                       "rekap-dhasil/1",
                                       "rekap-dhasil/10\n",
                                       "rekap-dhasil/\n",
                                       "REKAP-DKK/1\n",
                                       " rekap-dkk/1\n",
                                       "rekap-entry/1\nrekap-dhasil/1\n",
                                       "rekap-submission/2\n",
                                       "garbage\n"};
    for (unsigned i = 0; i < sizeof junk / sizeof *junk; i++)
        if (signed_type_of_submission(junk[i], strlen(junk[i])) != -1)
            fail_msg("submission \"%s\" has a type", junk[i]);
    /* a CR LF text is still a recap: its reader names the layout error */
    assert_int_equal(signed_type_of_submission("rekap-dhasil/1\r\n", 16), SIGNED_RECAP);
    /* the length bounds the look: the format line cut short */
    assert_int_equal(signed_type_of_submission(BASE, strlen(RECAP_FORMAT_ID)), -1);
    assert_int_equal(signed_type_of_submission(BASE, strlen(RECAP_FORMAT_ID) + 1), SIGNED_RECAP);

    static const char *const subs[] = {CHASIL, BASE, REC};
    for (int t = 0; t < 3; t++) {
        char *e = entry_of(subs[t], "accepted");
        assert_int_equal(signed_type_of_entry(e, strlen(e)), t);
        free(e);
    }
    static const char *const ejunk[] = {"",
                                        "rekap-entry/1",
                                        "rekap-entry/1\n",
                                        "rekap-entry/1\ngarbage\n",
                                        "rekap-entry/1\r\nrekap-dhasil/1\n",
                                        "rekap-entry/2\nrekap-dhasil/1\n",
                                        "rekap-dhasil/1\nregion 0\n",
                                        "rekap-entry/1\nrekap-entry/1\nrekap-dhasil/1\n"};
    for (unsigned i = 0; i < sizeof ejunk / sizeof *ejunk; i++)
        if (signed_type_of_entry(ejunk[i], strlen(ejunk[i])) != -1)
            fail_msg("entry \"%s\" has a type", ejunk[i]);
    const char ok[] = "rekap-entry/1\nrekap-dkk/1\n";
    assert_int_equal(signed_type_of_entry(ok, sizeof ok - 1), SIGNED_RECORD);
    assert_int_equal(signed_type_of_entry(ok, sizeof ok - 2), -1);
}

/* ====================================================================== */
/* 2. parse errors                                                        */

static const repl_case recap_cases[] = {
    /* the format line */
    {"format", "rekap-dhasil/1\n", "rekap-dhasil/2\n", ERR_INVALID, "RECAP_FORMAT", "format"},
    {"format case", "rekap-dhasil/1\n", "REKAP-DHASIL/1\n", ERR_INVALID, "RECAP_FORMAT", "format"},
    {"format of a C.Hasil", "rekap-dhasil/1\n", "rekap-submission/1\n", ERR_INVALID,
     "RECAP_FORMAT", "format"},
    /* lines missing, misspelt, out of order, extra */
    {"no region", "region 340401\n", "", ERR_INVALID, "RECAP_FIELD", "region"},
    {"no contest", "contest ppwp\n", "", ERR_INVALID, "RECAP_FIELD", "contest"},
    {"no district", "district ppwp\n", "", ERR_INVALID, "RECAP_FIELD", "district"},
    {"no version", "version 1\n", "", ERR_INVALID, "RECAP_FIELD", "version"},
    {"out of order", "region 340401\ncontest ppwp\n", "contest ppwp\nregion 340401\n",
     ERR_INVALID, "RECAP_FIELD", "region"},
    {"misspelt", "version 1\n", "versi 1\n", ERR_INVALID, "RECAP_FIELD", "version"},
    {"no why", "why \"PSU dijadwalkan 24 Februari\"\n", "", ERR_INVALID, "RECAP_FIELD", "why"},
    {"why after adopt", "adopt " TPS1 " 1\n", "adopt " TPS1 " 1\nwhy \"x\"\n", ERR_INVALID,
     "RECAP_FIELD", "totals"},
    {"misspelt row", "adopt " TPS1 " 1\n", "adopted " TPS1 " 1\n", ERR_INVALID, "RECAP_FIELD",
     "totals"},
    {"no totals", "totals " N_T "\n", "", ERR_INVALID, "RECAP_FIELD", "totals"},
    {"extra line", "totals " N_T "\n", "totals " N_T "\nextra 1\n", ERR_INVALID, "RECAP_FIELD",
     "end"},
    {"totals twice", "totals " N_T "\n", "totals " N_T "\ntotals " N_T "\n", ERR_INVALID,
     "RECAP_FIELD", "end"},
    {"row after totals", "totals " N_T "\n", "totals " N_T "\nadopt 3404011001004 1\n",
     ERR_INVALID, "RECAP_FIELD", "end"},
    /* right meaning, another spelling */
    {"leading zero version", "version 1\n", "version 01\n", ERR_INVALID, "RECAP_NOT_CANONICAL",
     "line 5"},
    {"leading zero adopt", "adopt " TPS1 " 1\n", "adopt " TPS1 " 01\n", ERR_INVALID,
     "RECAP_NOT_CANONICAL", "line 6"},
    {"leading zero correct", "correct " TPS3 " 120 ", "correct " TPS3 " 0120 ", ERR_INVALID,
     "RECAP_NOT_CANONICAL", "line 9"},
    {"leading zero totals", "totals 220 ", "totals 0220 ", ERR_INVALID, "RECAP_NOT_CANONICAL",
     "line 11"},
    {"zero as 00", "totals 220 240 460 2 3 5 1 1 2 180 200 380 2 1 3 1 0 1",
     "totals 220 240 460 2 3 5 1 1 2 180 200 380 2 1 3 1 00 1", ERR_INVALID,
     "RECAP_NOT_CANONICAL", "line 11"},
    {"double space", "version 1\n", "version  1\n", ERR_INVALID, "RECAP_NOT_CANONICAL",
     "version"},
    {"double space totals", "totals 220", "totals  220", ERR_INVALID, "RECAP_NOT_CANONICAL",
     "totals"},
    {"double space contest", "contest ppwp", "contest  ppwp", ERR_INVALID, "RECAP_NOT_CANONICAL",
     "contest"},
    {"trailing space", "version 1\n", "version 1 \n", ERR_INVALID, "RECAP_NOT_CANONICAL",
     "version"},
    {"trailing space totals", "205 165\n", "205 165 \n", ERR_INVALID, "RECAP_NOT_CANONICAL",
     "totals"},
    {"trailing space mark", "psu\n", "psu \n", ERR_INVALID, "RECAP_NOT_CANONICAL", "mark"},
    {"CR LF line", "version 1\n", "version 1\r\n", ERR_INVALID, "RECAP_NOT_CANONICAL", "version"},
    {"CR LF why", "Februari\"\n", "Februari\"\r\n", ERR_INVALID, "RECAP_NOT_CANONICAL", "why"},
    {"reason quoting", "\"PSU dijadwalkan 24 Februari\"", "\"PSU dijadwalkan 24 Februar\\u0069\"",
     ERR_INVALID, "RECAP_NOT_CANONICAL", "why"},
    {"reason escaped slash", "\"PSU dijadwalkan 24 Februari\"",
     "\"PSU dijadwalkan 24\\/02\"", ERR_INVALID, "RECAP_NOT_CANONICAL", "why"},
    /* region */
    {"region TPS", "region 340401\n", "region 3404011001001\n", ERR_INVALID, "RECAP_REGION",
     "region"},
    {"region desa", "region 340401\n", "region 3404011001\n", ERR_INVALID, "RECAP_REGION",
     "region"},
    {"region letters", "region 340401\n", "region 34ab01\n", ERR_INVALID, "RECAP_REGION",
     "region"},
    {"region 3 digits", "region 340401\n", "region 340\n", ERR_INVALID, "RECAP_REGION", "region"},
    {"region dotted", "region 340401\n", "region 34.04.01\n", ERR_INVALID, "RECAP_REGION",
     "region"},
    {"region empty", "region 340401\n", "region \n", ERR_INVALID, "RECAP_REGION", "region"},
    {"region 14 digits", "region 340401\n", "region 34040110010011\n", ERR_INVALID,
     "RECAP_REGION", "region"},
    /* contest */
    {"contest case", "contest ppwp", "contest PPWP", ERR_INVALID, "RECAP_CONTEST", "contest"},
    {"contest unknown", "contest ppwp", "contest dprd", ERR_INVALID, "RECAP_CONTEST", "contest"},
    {"contest longer", "contest ppwp", "contest ppwp2", ERR_INVALID, "RECAP_CONTEST", "contest"},
    {"contest long", "contest ppwp", "contest dprd_kab_dprd_kab", ERR_INVALID, "RECAP_CONTEST",
     "contest"},
    {"contest empty", "contest ppwp", "contest ", ERR_INVALID, "RECAP_CONTEST", "contest"},
    /* district */
    {"district space", "district ppwp\n", "district ppwp x\n", ERR_INVALID, "RECAP_DISTRICT",
     "district"},
    {"district empty", "district ppwp\n", "district \n", ERR_INVALID, "RECAP_DISTRICT",
     "district"},
    {"district UTF-8", "district ppwp\n", "district pp\xc3\xa9\n", ERR_INVALID, "RECAP_DISTRICT",
     "district"},
    {"district DEL", "district ppwp\n", "district pp\x7f\n", ERR_INVALID, "RECAP_DISTRICT",
     "district"},
    {"district tab", "district ppwp\n", "district pp\twp\n", ERR_INVALID, "RECAP_DISTRICT",
     "district"},
    /* version */
    {"version 0", "version 1\n", "version 0\n", ERR_INVALID, "RECAP_VERSION", "version"},
    {"version 1000", "version 1\n", "version 1000\n", ERR_INVALID, "RECAP_VERSION", "version"},
    {"version letters", "version 1\n", "version x\n", ERR_INVALID, "RECAP_VERSION", "version"},
    {"version negative", "version 1\n", "version -1\n", ERR_INVALID, "RECAP_VERSION", "version"},
    {"version empty", "version 1\n", "version \n", ERR_INVALID, "RECAP_VERSION", "version"},
    {"version huge", "version 1\n", "version 99999999999999999999999\n", ERR_INVALID,
     "RECAP_VERSION", "version"},
    /* reason */
    {"reason on v1", "version 1\n", "version 1\nreason \"x\"\n", ERR_INVALID, "RECAP_REASON",
     "reason"},
    {"no reason on v2", "version 1\n", "version 2\n", ERR_INVALID, "RECAP_REASON", "reason"},
    {"reason empty", "version 1\n", "version 2\nreason \"\"\n", ERR_INVALID, "RECAP_REASON",
     "reason"},
    {"reason unquoted", "version 1\n", "version 2\nreason x\n", ERR_INVALID, "RECAP_REASON",
     "reason"},
    {"reason control", "version 1\n", "version 2\nreason \"a\\u0001\"\n", ERR_INVALID,
     "RECAP_REASON", "reason"},
    {"reason not a string", "version 1\n", "version 2\nreason 12\n", ERR_INVALID, "RECAP_REASON",
     "reason"},
    {"why empty", "\"PSU dijadwalkan 24 Februari\"", "\"\"", ERR_INVALID, "RECAP_REASON", "why"},
    {"why bad UTF-8", "\"PSU dijadwalkan 24 Februari\"", "\"PSU \xff\"", ERR_INVALID,
     "RECAP_REASON", "why"},
    /* rows */
    {"rows out of order", "adopt " TPS1 " 1\n", "adopt 3404011001004 1\n", ERR_INVALID,
     "RECAP_ROW", "row[1]"},
    {"duplicate child", "mark " TPS2 " psu\n", "mark " TPS1 " psu\n", ERR_INVALID, "RECAP_ROW",
     "row[1]"},
    {"adopt version 0", "adopt " TPS1 " 1\n", "adopt " TPS1 " 0\n", ERR_INVALID, "RECAP_ROW",
     "row[0]"},
    {"adopt version 1000", "adopt " TPS1 " 1\n", "adopt " TPS1 " 1000\n", ERR_INVALID,
     "RECAP_ROW", "row[0]"},
    {"adopt version letters", "adopt " TPS1 " 1\n", "adopt " TPS1 " 1a\n", ERR_INVALID,
     "RECAP_ROW", "row[0]"},
    {"adopt no version", "adopt " TPS1 " 1\n", "adopt " TPS1 "\n", ERR_INVALID, "RECAP_ROW",
     "row[0]"},
    {"adopt two versions", "adopt " TPS1 " 1\n", "adopt " TPS1 " 1 2\n", ERR_INVALID, "RECAP_ROW",
     "row[0]"},
    {"adopt double space", "adopt " TPS1 " 1\n", "adopt " TPS1 "  1\n", ERR_INVALID, "RECAP_ROW",
     "row[0]"},
    {"state revote", "mark " TPS2 " psu\n", "mark " TPS2 " revote\n", ERR_INVALID, "RECAP_ROW",
     "row[1]"},
    {"state case", "mark " TPS2 " psu\n", "mark " TPS2 " PSU\n", ERR_INVALID, "RECAP_ROW",
     "row[1]"},
    {"state missing", "mark " TPS2 " psu\n", "mark " TPS2 "\n", ERR_INVALID, "RECAP_ROW",
     "row[1]"},
    {"state prefix", "mark " TPS2 " psu\n", "mark " TPS2 " ps\n", ERR_INVALID, "RECAP_ROW",
     "row[1]"},
    {"code too long", "adopt " TPS1 " 1\n", "adopt 34040110010011 1\n", ERR_INVALID, "RECAP_ROW",
     "row[0]"},
    {"code letters", "adopt " TPS1 " 1\n", "adopt 34040110010a1 1\n", ERR_INVALID, "RECAP_ROW",
     "row[0]"},
    {"code national", "adopt " TPS1 " 1\n", "adopt 0 1\n", ERR_INVALID, "RECAP_ROW", "row[0]"},
    {"code 3 digits", "adopt " TPS1 " 1\n", "adopt 340 1\n", ERR_INVALID, "RECAP_ROW", "row[0]"},
    {"correct no numbers", "correct " TPS3 " " N_B "\n", "correct " TPS3 "\n", ERR_INVALID,
     "RECAP_ROW", "row[2]"},
    /* numbers */
    {"over 2^53", "totals 220 ", "totals 9007199254740993 ", ERR_INVALID, "RECAP_NUMBERS",
     "totals"},
    {"far over 2^64", "totals 220 ", "totals 99999999999999999999999999 ", ERR_INVALID,
     "RECAP_NUMBERS", "totals"},
    {"not digits", "totals 220 ", "totals 22a ", ERR_INVALID, "RECAP_NUMBERS", "totals"},
    {"negative", "totals 220 ", "totals -220 ", ERR_INVALID, "RECAP_NUMBERS", "totals"},
    {"plus sign", "totals 220 ", "totals +220 ", ERR_INVALID, "RECAP_NUMBERS", "totals"},
    {"comma", "totals 220 ", "totals 220,", ERR_INVALID, "RECAP_NUMBERS", "totals"},
    {"double space inside", "totals 220 240", "totals 220  240", ERR_INVALID, "RECAP_NUMBERS",
     "totals"},
    {"three numbers", "totals " N_T "\n", "totals 1 2 3\n", ERR_INVALID, "RECAP_NUMBERS",
     "totals"},
    {"totals empty", "totals " N_T "\n", "totals \n", ERR_INVALID, "RECAP_NUMBERS", "totals"},
    {"correct longer than totals", "120 80\n", "120 80 0\n", ERR_INVALID, "RECAP_NUMBERS",
     "totals"},
    {"correct shorter than totals", "120 80\n", "120\n", ERR_INVALID, "RECAP_NUMBERS", "totals"},
    {"correct over 2^53", "correct " TPS3 " 120 ", "correct " TPS3 " 9007199254740993 ",
     ERR_INVALID, "RECAP_NUMBERS", "row[2]"},
    {"correct not digits", "correct " TPS3 " 120 ", "correct " TPS3 " 1x0 ", ERR_INVALID,
     "RECAP_NUMBERS", "row[2]"},
    {"two corrected rows differ", "mark " TPS2 " psu\n", "correct " TPS2 " " N_A " 7\n",
     ERR_INVALID, "RECAP_NUMBERS", "row[2]"},
};

static void test_recap_errors(void **state)
{
    (void)state;
    run_repl(BASE, 0, recap_cases, sizeof recap_cases / sizeof *recap_cases);
    /* the same errors, with the same lines, inside an entry; text after
     * the totals is where the key line should be */
    enum { N = sizeof recap_cases / sizeof *recap_cases };
    repl_case *c = mem_alloc(sizeof recap_cases);
    memcpy(c, recap_cases, sizeof recap_cases);
    for (size_t i = 0; i < N; i++)
        if (!strcmp(c[i].where, "end"))
            c[i].where = "key";
    char *ent = entry_of(BASE, "accepted");
    run_repl(ent, 1, c, N);
    free(ent);
    free(c);
}

/* Texts the replacements cannot make: the whole layout, lengths, counts. */
static void test_recap_errors_built(void **state)
{
    (void)state;
    /* CR LF after the format line (that one: test_known_crlf_format_line) */
    char *t = crlf(BASE);
    t[strlen(RECAP_FORMAT_ID)] = '\n';
    memmove(t + strlen(RECAP_FORMAT_ID) + 1, t + strlen(RECAP_FORMAT_ID) + 2,
            strlen(t) - strlen(RECAP_FORMAT_ID) - 1);
    assert_int_equal(strncmp(t, RECAP_FORMAT_ID "\nregion 340401\r\n",
                             strlen(RECAP_FORMAT_ID "\nregion 340401\r\n")), 0);
    expect_error("CR LF", 0, t, strlen(t), ERR_INVALID, "RECAP_NOT_CANONICAL", "region");
    free(t);
    expect_error("no final LF", 0, BASE, strlen(BASE) - 1, ERR_INVALID, "RECAP_NOT_CANONICAL",
                 "totals");
    expect_error("empty", 0, "", 0, ERR_INVALID, "RECAP_FORMAT", "format");
    expect_error("only the format line", 0, "rekap-dhasil/1\n", 15, ERR_INVALID, "RECAP_FIELD",
                 "region");
    /* NUL bytes: in the contest, in a state */
    {
        char buf[sizeof BASE];
        memcpy(buf, BASE, sizeof BASE);
        char *at = strstr(buf, "ppwp\n");
        at[2] = '\0';
        expect_error("NUL contest", 0, buf, sizeof BASE - 1, ERR_INVALID, "RECAP_CONTEST",
                     "contest");
        memcpy(buf, BASE, sizeof BASE);
        at = strstr(buf, " psu\n");
        at[2] = '\0';
        expect_error("NUL state", 0, buf, sizeof BASE - 1, ERR_INVALID, "RECAP_ROW", "row[1]");
    }
    /* reasons: 500 bytes is the most (a v2 and a row's why) */
    char *r500 = repeat('a', ENTRY_REASON_MAX), *r501 = repeat('a', ENTRY_REASON_MAX + 1);
    sb s = {0};
    sb_add(&s, "version 2\nreason \"%s\"\n", r500);
    t = test_replace(BASE, "version 1\n", s.s);
    recap_entry *en = mem_alloc(sizeof *en);
    parse_sub_ok(t, strlen(t), en);
    assert_int_equal(strlen(en->recap.reason), ENTRY_REASON_MAX);
    recap_entry_free(en);
    free(t);
    s.n = 0;
    sb_add(&s, "version 2\nreason \"%s\"\n", r501);
    t = test_replace(BASE, "version 1\n", s.s);
    expect_error("reason too long", 0, t, strlen(t), ERR_LIMIT, "RECAP_REASON", "reason");
    free(t);
    s.n = 0;
    sb_add(&s, "why \"%s\"\n", r501);
    t = test_replace(BASE, "why \"PSU dijadwalkan 24 Februari\"\n", s.s);
    expect_error("why too long", 0, t, strlen(t), ERR_LIMIT, "RECAP_REASON", "why");
    free(t);
    s.n = 0;
    sb_add(&s, "why \"%s\"\n", r500);
    t = test_replace(BASE, "why \"PSU dijadwalkan 24 Februari\"\n", s.s);
    parse_sub_ok(t, strlen(t), en);
    recap_entry_free(en);
    free(t);

    /* 31 numbers: the fixed ones without a selection */
    s.n = 0;
    sb_add(&s, "totals");
    for (unsigned i = 0; i < RECAP_I_SEL; i++)
        sb_add(&s, " 0");
    sb_add(&s, "\n");
    char *norow = test_replace(BASE, "correct " TPS3 " " N_B
                                     "\nwhy \"Penghitungan ulang di pleno: suara paslon 2 "
                                     "salah baca\"\n",
                               "");
    t = test_replace(norow, "totals " N_T "\n", s.s);
    expect_error("31 numbers", 0, t, strlen(t), ERR_INVALID, "RECAP_NUMBERS", "totals");
    free(t);
    /* and a corrected row of 31 */
    s.n = 0;
    sb_add(&s, "correct " TPS3);
    for (unsigned i = 0; i < RECAP_I_SEL; i++)
        sb_add(&s, " 0");
    sb_add(&s, "\n");
    t = test_replace(BASE, "correct " TPS3 " " N_B "\n", s.s);
    expect_error("31 numbers in a row", 0, t, strlen(t), ERR_INVALID, "RECAP_NUMBERS", "row[2]");
    free(t);
    free(norow);
    /* the most numbers a unit has, and one more */
    for (unsigned extra = 0; extra < 2; extra++) {
        s.n = 0;
        sb_add(&s, "totals");
        for (unsigned i = 0; i < RECAP_WIDTH_MAX + extra; i++)
            sb_add(&s, " 0");
        sb_add(&s, "\n");
        char *bare = test_replace(BASE, "correct " TPS3 " " N_B
                                        "\nwhy \"Penghitungan ulang di pleno: suara paslon 2 "
                                        "salah baca\"\n",
                                  "");
        t = test_replace(bare, "totals " N_T "\n", s.s);
        free(bare);
        if (!extra) {
            parse_sub_ok(t, strlen(t), en);
            assert_int_equal(en->recap.width, RECAP_WIDTH_MAX);
            recap_entry_free(en);
        } else {
            expect_error("too many numbers", 0, t, strlen(t), ERR_INVALID, "RECAP_NUMBERS",
                         "totals");
        }
        free(t);
    }

    /* 2,000 rows parse; 2,001 is over the limit */
    for (unsigned nrow = RECAP_ROWS_MAX; nrow <= RECAP_ROWS_MAX + 1; nrow++) {
        s.n = 0;
        sb_add(&s, "rekap-dhasil/1\nregion 340401\ncontest ppwp\ndistrict ppwp\nversion 1\n");
        for (unsigned i = 0; i < nrow; i++)
            sb_add(&s, "adopt %llu 1\n", 3404011000000ull + i);
        sb_add(&s, "totals " N_T "\n");
        assert_true(s.n < ENTRY_MAX);
        if (nrow == RECAP_ROWS_MAX) {
            parse_sub_ok(s.s, s.n, en);
            assert_int_equal(en->recap.nrow, RECAP_ROWS_MAX);
            assert_string_equal(en->recap.row[RECAP_ROWS_MAX - 1].code, "3404011001999");
            recap_entry_free(en);
        } else {
            expect_error("2001 rows", 0, s.s, s.n, ERR_LIMIT, "RECAP_ROWS", "row");
        }
    }

    /* over 65,535 bytes, before anything is read */
    char *huge = mem_alloc(ENTRY_MAX + 2);
    memset(huge, 'x', ENTRY_MAX + 1);
    memcpy(huge, BASE, strlen(BASE));
    huge[ENTRY_MAX + 1] = '\0';
    expect_error("too large", 0, huge, ENTRY_MAX + 1, ERR_LIMIT, "RECAP_TOO_LARGE", "");
    expect_error("too large entry", 1, huge, ENTRY_MAX + 1, ERR_LIMIT, "RECAP_TOO_LARGE", "");
    expect_error("at the limit", 0, huge, ENTRY_MAX, ERR_INVALID, "RECAP_FIELD", "end");
    free(huge);
    free(r500);
    free(r501);
    free(s.s);
    free(en);
}

static const repl_case record_cases[] = {
    {"format", "rekap-dkk/1\n", "rekap-dkk/2\n", ERR_INVALID, "RECAP_FORMAT", "format"},
    {"region desa", "region 340401\n", "region 3404011001\n", ERR_INVALID, "RECAP_REGION",
     "region"},
    {"contest", "contest ppwp\n", "contest presiden\n", ERR_INVALID, "RECAP_CONTEST", "contest"},
    {"district", "district ppwp\n", "district \n", ERR_INVALID, "RECAP_DISTRICT", "district"},
    {"number 0", "number 1\n", "number 0\n", ERR_INVALID, "RECORD_NUMBER", "number"},
    {"number 2^32", "number 1\n", "number 4294967296\n", ERR_INVALID, "RECORD_NUMBER", "number"},
    {"number letters", "number 1\n", "number one\n", ERR_INVALID, "RECORD_NUMBER", "number"},
    {"number leading zero", "number 1\n", "number 01\n", ERR_INVALID, "RECAP_NOT_CANONICAL",
     "line 5"},
    {"recap 1000", "recap 1\n", "recap 1000\n", ERR_INVALID, "RECORD_RECAP", "recap"},
    {"recap letters", "recap 1\n", "recap v1\n", ERR_INVALID, "RECORD_RECAP", "recap"},
    {"kind", "kind objection\n", "kind keberatan\n", ERR_INVALID, "RECORD_KIND", "kind"},
    {"kind case", "kind objection\n", "kind Objection\n", ERR_INVALID, "RECORD_KIND", "kind"},
    {"kind prefix", "kind objection\n", "kind object\n", ERR_INVALID, "RECORD_KIND", "kind"},
    {"kind empty", "kind objection\n", "kind \n", ERR_INVALID, "RECORD_KIND", "kind"},
    {"by empty", "by \"Saksi Paslon 1, Budi\"", "by \"\"", ERR_INVALID, "RECORD_TEXT", "by"},
    {"by unquoted", "by \"Saksi Paslon 1, Budi\"", "by Budi", ERR_INVALID, "RECORD_TEXT", "by"},
    {"text empty", "text \"Keberatan atas suara TPS 003: C.Hasil berbeda dengan salinan saksi\"",
     "text \"\"", ERR_INVALID, "RECORD_TEXT", "text"},
    {"text quoting", "TPS 003", "TPS 00\\u0033", ERR_INVALID, "RECAP_NOT_CANONICAL", "text"},
    {"no recap", "recap 1\n", "", ERR_INVALID, "RECAP_FIELD", "recap"},
    {"no kind", "kind objection\n", "", ERR_INVALID, "RECAP_FIELD", "kind"},
    {"no by", "by \"Saksi Paslon 1, Budi\"\n", "", ERR_INVALID, "RECAP_FIELD", "by"},
    {"order", "number 1\nrecap 1\n", "recap 1\nnumber 1\n", ERR_INVALID, "RECAP_FIELD",
     "number"},
    {"a recap's version line", "number 1\n", "version 1\n", ERR_INVALID, "RECAP_FIELD",
     "number"},
    {"extra", "saksi\"\n", "saksi\"\nextra\n", ERR_INVALID, "RECAP_FIELD", "end"},
};

static void test_record_errors(void **state)
{
    (void)state;
    run_repl(REC, 0, record_cases, sizeof record_cases / sizeof *record_cases);
    char *by = repeat('b', KEYS_NAME_MAX + 1), *text = repeat('t', ENTRY_REASON_MAX + 1);
    sb s = {0};
    sb_add(&s, "by \"%s\"", by);
    char *t = test_replace(REC, "by \"Saksi Paslon 1, Budi\"", s.s);
    expect_error("by too long", 0, t, strlen(t), ERR_LIMIT, "RECORD_TEXT", "by");
    free(t);
    s.n = 0;
    sb_add(&s, "text \"%s\"\n", text);
    t = test_replace(REC, "text \"Keberatan atas suara TPS 003: C.Hasil berbeda dengan salinan "
                          "saksi\"\n",
                     s.s);
    expect_error("text too long", 0, t, strlen(t), ERR_LIMIT, "RECORD_TEXT", "text");
    free(t);
    free(s.s);
    free(by);
    free(text);
}

static const repl_case entry_cases[] = {
    {"envelope", "rekap-entry/1\n", "rekap-entry/2\n", ERR_INVALID, "RECAP_FORMAT", "format"},
    {"no envelope", "rekap-entry/1\n", "", ERR_INVALID, "RECAP_FORMAT", "format"},
    {"key", "key ", "key x", ERR_INVALID, "ENTRY_KEY", "key"},
    {"sig", "sig ", "sig x", ERR_INVALID, "ENTRY_SIG", "sig"},
    {"received", "received 1708300800", "received x", ERR_INVALID, "ENTRY_RECEIVED", "received"},
    {"received 2^63", "received 1708300800", "received 9223372036854775808", ERR_INVALID,
     "ENTRY_RECEIVED", "received"},
    {"received leading zero", "received 1708300800", "received 01708300800", ERR_INVALID,
     "RECAP_NOT_CANONICAL", "status"},
    {"status word", "status accepted", "status ok", ERR_INVALID, "ENTRY_STATUS", "status"},
    {"status case", "status accepted", "status Accepted", ERR_INVALID, "ENTRY_STATUS", "status"},
    {"rejected nothing", "status accepted", "status rejected", ERR_INVALID, "ENTRY_STATUS",
     "status"},
    {"a C.Hasil rule on a recap", "status accepted", "status rejected VOTES_SUM", ERR_INVALID,
     "ENTRY_STATUS", "status"},
    {"a C.Hasil rule among recap ones", "status accepted",
     "status rejected RECAP_SUM,B4_SUM", ERR_INVALID, "ENTRY_STATUS", "status"},
    {"an unknown code", "status accepted", "status rejected RECAP_NOPE", ERR_INVALID,
     "ENTRY_STATUS", "status"},
    {"a code twice", "status accepted", "status rejected RECAP_SUM,RECAP_SUM", ERR_INVALID,
     "ENTRY_STATUS", "status"},
    {"an empty code", "status accepted", "status rejected RECAP_SUM,", ERR_INVALID,
     "ENTRY_STATUS", "status"},
    {"a soft C.Hasil rule", "status accepted", "status rejected TURNOUT_OVER", ERR_INVALID,
     "ENTRY_STATUS", "status"},
    {"no status", "status accepted\n", "", ERR_INVALID, "RECAP_FIELD", "status"},
    {"status CR LF", "status accepted\n", "status accepted\r\n", ERR_INVALID,
     "RECAP_NOT_CANONICAL", "status"},
    {"after status", "status accepted\n", "status accepted\nmore\n", ERR_INVALID, "RECAP_FIELD",
     "end"},
    {"no final LF", "status accepted\n", "status accepted", ERR_INVALID, "RECAP_NOT_CANONICAL",
     "status"},
};

static void test_entry_errors(void **state)
{
    (void)state;
    char *ent = entry_of(BASE, "accepted");
    run_repl(ent, 1, entry_cases, sizeof entry_cases / sizeof *entry_cases);
    free(ent);

    /* a record is always accepted */
    ent = entry_of(REC, "rejected RECAP_SUM");
    expect_error("rejected record", 1, ent, strlen(ent), ERR_INVALID, "ENTRY_STATUS", "status");
    free(ent);
    /* a C.Hasil is not a recap entry */
    ent = entry_of(CHASIL, "accepted");
    expect_error("C.Hasil entry", 1, ent, strlen(ent), ERR_INVALID, "RECAP_FORMAT", "format");
    free(ent);
    /* a signed text alone is not an entry, an entry not a signed text */
    expect_error("submission as entry", 1, BASE, strlen(BASE), ERR_INVALID, "RECAP_FORMAT",
                 "format");
    ent = entry_of(BASE, "accepted");
    expect_error("entry as submission", 0, ent, strlen(ent), ERR_INVALID, "RECAP_FORMAT",
                 "format");
    free(ent);

    /* the C.Hasil family refuses the recap codes, and takes its own */
    entry *ce = mem_alloc(sizeof *ce);
    err_info e = {0};
    ent = entry_of(CHASIL, "rejected VOTES_SUM");
    if (entry_parse(ent, strlen(ent), ce, &e) != 0)
        fail_msg("entry_parse: %s at %s: %s", e.code, e.where, e.msg);
    assert_string_equal(ce->codes, "VOTES_SUM");
    free(ent);
    static const char *const wrong[] = {"rejected RECAP_SUM", "rejected VOTES_SUM,RECAP_SUM",
                                        "rejected RECAP_CHILD_UNSIGNED"};
    for (unsigned i = 0; i < 3; i++) {
        ent = entry_of(CHASIL, wrong[i]);
        memset(&e, 0, sizeof e);
        assert_int_equal(entry_parse(ent, strlen(ent), ce, &e), ERR_INVALID);
        assert_string_equal(e.code, "ENTRY_STATUS");
        assert_string_equal(e.where, "status");
        free(ent);
    }
    free(ce);
}

/* Every recap rule is a hard rule of the recap family; no C.Hasil rule is. */
static void test_rule_family(void **state)
{
    (void)state;
    static const char *const codes[] = {"RECAP_CHILD_UNSIGNED", "RECAP_CHILD_STALE",
                                        "RECAP_SUM",            "RECAP_LPT_SUM",
                                        "RECAP_B4_SUM",         "RECAP_BALLOT_SUM",
                                        "RECAP_USED_B4",        "RECAP_TOTAL_SUM",
                                        "RECAP_VOTES_SUM"};
    for (unsigned i = 0; i < sizeof codes / sizeof *codes; i++) {
        const rule_def *d = rules_find(codes[i]);
        assert_non_null(d);
        assert_int_equal(d->severity, RULE_HARD);
        assert_true(rules_is_recap(d->id));
        assert_true(d->msg_id[0] && d->msg_en[0]);
    }
    assert_false(rules_is_recap(rules_find("VOTES_SUM")->id));
    assert_false(rules_is_recap(rules_find("LPT_SUM")->id));
}

/* ====================================================================== */
/* 3. units of the election                                               */

static void expect_unit_error(const election *el, const char *code, contest_kind k,
                              const char *d, const char *ecode, const char *where)
{
    recap_unit u;
    err_info e = {0};
    int rc = recap_unit_find(el, code, k, d, &u, &e);
    if (rc != ERR_NOTFOUND || !e.code || strcmp(e.code, ecode) || strcmp(e.where, where))
        fail_msg("unit %s %s %s: expected %s at %s, got %d %s at %s", code,
                 contest_kind_id[k], d, ecode, where, rc, e.code ? e.code : "(none)", e.where);
}

static void test_unit_find(void **state)
{
    (void)state;
    election *el = recap_election();
    assert_int_equal(recap_top_level(CONTEST_PPWP), REGION_NATIONAL);
    assert_int_equal(recap_top_level(CONTEST_DPR), REGION_NATIONAL);
    assert_int_equal(recap_top_level(CONTEST_DPD), REGION_PROVINCE);
    assert_int_equal(recap_top_level(CONTEST_DPRD_PROV), REGION_PROVINCE);
    assert_int_equal(recap_top_level(CONTEST_DPRD_KAB), REGION_KABKOTA);

    recap_unit u = unit_of(el, "340401", CONTEST_PPWP, "ppwp");
    assert_int_equal(u.region, node(el, "340401"));
    assert_int_equal(u.level, REGION_KECAMATAN);
    assert_int_equal(u.kind, CONTEST_PPWP);
    assert_int_equal(u.district, 0);
    assert_int_equal(u.width, W_PPWP);
    u = unit_of(el, "0", CONTEST_DPR, "dpr-35");
    assert_int_equal(u.region, node(el, "0"));
    assert_int_equal(u.level, REGION_NATIONAL);
    assert_int_equal(u.district, 1);
    assert_int_equal(u.width, W_DPR35);
    u = unit_of(el, "3404", CONTEST_DPRD_KAB, "dprd_kab-3404-2");
    assert_int_equal(u.level, REGION_KABKOTA);
    assert_int_equal(u.district, 1);
    u = unit_of(el, "340403", CONTEST_DPRD_KAB, "dprd_kab-3404-2");
    assert_int_equal(u.level, REGION_KECAMATAN);
    u = unit_of(el, "34", CONTEST_DPD, "dpd-34");
    assert_int_equal(u.level, REGION_PROVINCE);
    assert_int_equal(u.width, W_DPD);
    u = unit_of(el, "35", CONTEST_DPRD_PROV, "dprd_prov-35-1");
    assert_int_equal(u.district, 2);

    /* recap_unit_at: the same unit by indices */
    recap_unit v;
    err_info e = {0};
    assert_int_equal(recap_unit_at(el, node(el, "3471"), CONTEST_DPRD_PROV, 1, &v, &e), 0);
    assert_int_equal(v.region, node(el, "3471"));
    assert_int_equal(v.width, W_DPR34);
    assert_int_equal(recap_unit_at(el, node(el, "3471"), CONTEST_DPRD_PROV, 0, &v, &e),
                     ERR_NOTFOUND);
    assert_string_equal(e.code, "RECAP_UNIT_UNKNOWN");
    assert_int_equal(recap_unit_at(el, node(el, "3471"), CONTEST_DPRD_PROV, 99, &v, &e),
                     ERR_NOTFOUND);
    assert_string_equal(e.code, "RECAP_UNIT_UNKNOWN");

    expect_unit_error(el, "340499", CONTEST_PPWP, "ppwp", "RECAP_REGION_UNKNOWN", "region");
    expect_unit_error(el, "36", CONTEST_DPR, "dpr-34", "RECAP_REGION_UNKNOWN", "region");
    expect_unit_error(el, "340401", CONTEST_DPR, "dpr-99", "RECAP_DISTRICT_UNKNOWN", "district");
    /* a district id of another contest */
    expect_unit_error(el, "340401", CONTEST_DPR, "ppwp", "RECAP_DISTRICT_UNKNOWN", "district");
    expect_unit_error(el, "3404011001", CONTEST_PPWP, "ppwp", "RECAP_LEVEL", "region");
    expect_unit_error(el, TPS1, CONTEST_PPWP, "ppwp", "RECAP_LEVEL", "region");
    expect_unit_error(el, "34", CONTEST_DPRD_KAB, "dprd_kab-3404-1", "RECAP_LEVEL", "region");
    expect_unit_error(el, "0", CONTEST_DPD, "dpd-34", "RECAP_LEVEL", "region");
    expect_unit_error(el, "0", CONTEST_DPRD_PROV, "dprd_prov-34-1", "RECAP_LEVEL", "region");
    expect_unit_error(el, "340401", CONTEST_DPR, "dpr-35", "RECAP_UNIT_UNKNOWN", "district");
    expect_unit_error(el, "340401", CONTEST_DPRD_KAB, "dprd_kab-3404-2", "RECAP_UNIT_UNKNOWN",
                      "district");
    expect_unit_error(el, "3471", CONTEST_DPRD_PROV, "dprd_prov-34-1", "RECAP_UNIT_UNKNOWN",
                      "district");
    expect_unit_error(el, "35", CONTEST_DPD, "dpd-34", "RECAP_UNIT_UNKNOWN", "district");
    election_free(el);
}

static void expect_nodes(const election *el, const uint32_t *got, uint32_t n,
                         const char *const *codes, uint32_t want, int tps)
{
    assert_int_equal(n, want);
    for (uint32_t i = 0; i < n; i++) {
        const char *c = tps ? election_tps_region(el, got[i])->code : el->tree->node[got[i]].code;
        if (strcmp(c, codes[i]) != 0)
            fail_msg("child %u is %s, expected %s", i, c, codes[i]);
    }
}

static void test_children_and_districts(void **state)
{
    (void)state;
    election *el = recap_election();
    assert_int_equal(recap_width(el, CONTEST_PPWP, 0), W_PPWP);
    assert_int_equal(recap_width(el, CONTEST_DPR, 0), W_DPR34);
    assert_int_equal(recap_width(el, CONTEST_DPR, 1), W_DPR35);
    assert_int_equal(recap_width(el, CONTEST_DPD, 1), W_DPD);
    assert_int_equal(recap_width(el, CONTEST_DPRD_KAB, 3), W_DPR34);

    uint32_t *c = NULL;
    recap_unit u = unit_of(el, "340401", CONTEST_PPWP, "ppwp");
    uint32_t n = recap_children(el, &u, &c);
    static const char *const kec1[] = {TPS1, TPS2, TPS3};
    expect_nodes(el, c, n, kec1, 3, 1);
    assert_int_equal(c[0], 0); /* TPS indices, not nodes */
    assert_int_equal(c[2], 2);
    free(c);
    assert_int_equal(recap_children(el, &u, NULL), 3);

    u = unit_of(el, "340402", CONTEST_DPRD_KAB, "dprd_kab-3404-2");
    n = recap_children(el, &u, &c);
    static const char *const kec2[] = {"3404021001001", "3404021001002"};
    expect_nodes(el, c, n, kec2, 2, 1);
    assert_int_equal(c[0], 3);
    free(c);

    u = unit_of(el, "3404", CONTEST_DPR, "dpr-34");
    n = recap_children(el, &u, &c);
    static const char *const sleman[] = {"340401", "340402", "340403"};
    expect_nodes(el, c, n, sleman, 3, 0);
    free(c);
    u = unit_of(el, "3404", CONTEST_DPRD_KAB, "dprd_kab-3404-2");
    n = recap_children(el, &u, &c);
    expect_nodes(el, c, n, sleman + 1, 2, 0);
    free(c);
    u = unit_of(el, "3404", CONTEST_DPRD_KAB, "dprd_kab-3404-1");
    n = recap_children(el, &u, &c);
    expect_nodes(el, c, n, sleman, 1, 0);
    free(c);
    u = unit_of(el, "34", CONTEST_DPRD_PROV, "dprd_prov-34-2");
    n = recap_children(el, &u, &c);
    static const char *const yogya[] = {"3471"};
    expect_nodes(el, c, n, yogya, 1, 0);
    free(c);
    u = unit_of(el, "34", CONTEST_DPD, "dpd-34");
    n = recap_children(el, &u, &c);
    static const char *const diy[] = {"3404", "3471"};
    expect_nodes(el, c, n, diy, 2, 0);
    free(c);
    u = unit_of(el, "0", CONTEST_PPWP, "ppwp");
    n = recap_children(el, &u, &c);
    static const char *const provinces[] = {"34", "35"};
    expect_nodes(el, c, n, provinces, 2, 0);
    free(c);
    u = unit_of(el, "0", CONTEST_DPR, "dpr-35");
    n = recap_children(el, &u, &c);
    expect_nodes(el, c, n, provinces + 1, 1, 0);
    free(c);

    /* districts a region touches, ascending */
    n = recap_districts(el, node(el, "3404"), CONTEST_DPRD_KAB, &c);
    assert_int_equal(n, 2);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 1);
    free(c);
    n = recap_districts(el, node(el, "340403"), CONTEST_DPRD_KAB, &c);
    assert_int_equal(n, 1);
    assert_int_equal(c[0], 1);
    free(c);
    n = recap_districts(el, node(el, "0"), CONTEST_DPR, &c);
    assert_int_equal(n, 2);
    assert_int_equal(c[0], 0);
    assert_int_equal(c[1], 1);
    free(c);
    n = recap_districts(el, node(el, "34"), CONTEST_DPRD_PROV, &c);
    assert_int_equal(n, 2);
    assert_int_equal(c[1], 1);
    free(c);
    n = recap_districts(el, node(el, "35"), CONTEST_DPRD_KAB, &c);
    assert_int_equal(n, 1);
    assert_int_equal(c[0], 3);
    free(c);
    assert_int_equal(recap_districts(el, node(el, "0"), CONTEST_DPRD_KAB, NULL), 4);
    assert_int_equal(recap_districts(el, node(el, "0"), CONTEST_PPWP, NULL), 1);
    assert_int_equal(recap_districts(el, node(el, "3501"), CONTEST_DPD, NULL), 1);
    election_free(el);
}

/* The text of BASE with its rows replaced. */
static char *with_rows(const char *rows)
{
    const char *from = strstr(BASE, "adopt "), *to = strstr(BASE, "totals ");
    sb s = {0};
    sb_add(&s, "%.*s%s%s", (int)(from - BASE), BASE, rows, to);
    return s.s;
}

static void expect_shape(const election *el, const char *text, const char *code,
                         const char *where, const char *msg_part)
{
    recap_entry *en = mem_alloc(sizeof *en);
    recap_unit u;
    err_info e = {0};
    parse_sub_ok(text, strlen(text), en);
    int rc = recap_shape(el, &en->recap, &u, &e);
    if (!code) {
        if (rc)
            fail_msg("recap_shape: %s at %s: %s", e.code, e.where, e.msg);
    } else if (rc == 0 || strcmp(e.code, code) || strcmp(e.where, where) ||
               (msg_part && !strstr(e.msg, msg_part))) {
        fail_msg("recap_shape: expected %s at %s (%s), got %d %s at %s: %s", code, where,
                 msg_part ? msg_part : "", rc, e.code ? e.code : "(none)", e.where, e.msg);
    }
    recap_entry_free(en);
    free(en);
}

static void test_shape(void **state)
{
    (void)state;
    election *el = recap_election();
    recap_entry *en = mem_alloc(sizeof *en);
    recap_unit u;
    err_info e = {0};
    parse_sub_ok(BASE, strlen(BASE), en);
    assert_int_equal(recap_shape(el, &en->recap, &u, &e), 0);
    assert_int_equal(u.region, node(el, "340401"));
    assert_int_equal(u.level, REGION_KECAMATAN);
    assert_int_equal(u.kind, CONTEST_PPWP);
    assert_int_equal(u.district, 0);
    assert_int_equal(u.width, W_PPWP);
    en->recap.width = W_PPWP + 1;
    assert_int_equal(recap_shape(el, &en->recap, &u, &e), ERR_INVALID);
    assert_string_equal(e.code, "RECAP_WIDTH");
    assert_string_equal(e.where, "totals");
    en->recap.width = W_PPWP;
    /* the last row gone */
    en->recap.nrow = 2;
    assert_int_equal(recap_shape(el, &en->recap, &u, &e), ERR_INVALID);
    assert_string_equal(e.code, "RECAP_CHILDREN");
    assert_string_equal(e.where, TPS3);
    assert_non_null(strstr(e.msg, "has no row"));
    en->recap.nrow = 3;
    recap_entry_free(en);
    free(en);

    /* the unit's errors come through */
    char *t = test_replace(BASE, "district ppwp", "district dpr-34");
    expect_shape(el, t, "RECAP_DISTRICT_UNKNOWN", "district", NULL);
    free(t);
    t = test_replace(BASE, "region 340401", "region 340499");
    expect_shape(el, t, "RECAP_REGION_UNKNOWN", "region", NULL);
    free(t);
    t = test_replace(BASE, "region 340401\ncontest ppwp\ndistrict ppwp",
                     "region 340401\ncontest dpr\ndistrict dpr-35");
    expect_shape(el, t, "RECAP_UNIT_UNKNOWN", "district", NULL);
    free(t);
    /* a DPR recap of 33 numbers where the district has 36 */
    t = test_replace(BASE, "contest ppwp\ndistrict ppwp", "contest dpr\ndistrict dpr-34");
    expect_shape(el, t, "RECAP_WIDTH", "totals", NULL);
    free(t);

    /* a child without a row: in the middle, first */
    t = with_rows("adopt " TPS1 " 1\nadopt " TPS3 " 1\n");
    expect_shape(el, t, "RECAP_CHILDREN", TPS2, "has no row");
    free(t);
    t = with_rows("adopt " TPS2 " 1\nadopt " TPS3 " 1\n");
    expect_shape(el, t, "RECAP_CHILDREN", TPS1, "has no row");
    free(t);
    t = with_rows("");
    expect_shape(el, t, "RECAP_CHILDREN", TPS1, "has no row");
    free(t);
    /* a row for a non-child: last, in the middle (sorting after the child) */
    t = with_rows("adopt " TPS1 " 1\nadopt " TPS2 " 1\nadopt " TPS3 " 1\nadopt 3404011001004 1\n");
    expect_shape(el, t, "RECAP_CHILDREN", "3404011001004", "not a child");
    free(t);
    t = with_rows("adopt " TPS1 " 1\nadopt " TPS2 " 1\nadopt 3404011001009 1\n");
    expect_shape(el, t, "RECAP_CHILDREN", TPS3, "has no row"); /* the first difference */
    free(t);
    /* a TPS of the next kecamatan */
    t = with_rows("adopt " TPS1 " 1\nadopt " TPS2 " 1\nadopt " TPS3 " 1\nadopt 3404021001001 1\n");
    expect_shape(el, t, "RECAP_CHILDREN", "3404021001001", "not a child");
    free(t);
    /* a kab/kota unit's rows are kecamatan: TPS rows are not its children
     * (340401 sorts before its TPS: it is the first difference) */
    t = test_replace(BASE, "region 340401", "region 3404");
    expect_shape(el, t, "RECAP_CHILDREN", "340401", "has no row");
    free(t);
    election_free(el);
}

/* ---- known bugs ------------------------------------------------------------
 * Deviations of src/core/recap*.c from the spec found while writing these
 * tests and reported (src/ is not edited here). While src/ still shows one,
 * its test is SKIPPED with the reason; once fixed it runs as an ordinary
 * assertion and keeps it fixed. */
#define KNOWN_BUG(cond, ...)                                                               \
    do {                                                                                   \
        if (cond) {                                                                        \
            print_message("[  KNOWN   ] " __VA_ARGS__);                                    \
            skip();                                                                        \
        }                                                                                  \
    } while (0)

/* recap_shape: a row for a non-child that sorts before the child at the
 * same position must be named as the row that is not a child; the error
 * named the (present) child instead. */
static void test_known_shape_extra_row_first(void **state)
{
    (void)state;
    election *el = recap_election();
    static const char *const extra[] = {"3404011000999", "3404011001"};
    int buggy = 0;
    for (unsigned i = 0; i < 2; i++) {
        sb rows = {0};
        sb_add(&rows, "adopt %s 1\nadopt " TPS1 " 1\nadopt " TPS2 " 1\nadopt " TPS3 " 1\n",
               extra[i]);
        char *t = with_rows(rows.s);
        recap_entry *en = mem_alloc(sizeof *en);
        recap_unit u;
        err_info e = {0};
        parse_sub_ok(t, strlen(t), en);
        assert_int_equal(recap_shape(el, &en->recap, &u, &e), ERR_INVALID);
        assert_string_equal(e.code, "RECAP_CHILDREN");
        if (!strcmp(e.where, TPS1) && strstr(e.msg, TPS1 " is not a child")) {
            buggy = 1;
        } else {
            assert_string_equal(e.where, extra[i]);
            assert_non_null(strstr(e.msg, "not a child"));
        }
        recap_entry_free(en);
        free(en);
        free(t);
        free(rows.s);
    }
    election_free(el);
    KNOWN_BUG(buggy, "recap_shape names the child " TPS1 " as \"not a child\" when an extra "
                     "row sorts before it\n");
}

/* A recap whose every line ends in CR LF is a layout error of a recap
 * (RECAP_NOT_CANONICAL at the format line, as a C.Hasil's CR LF is
 * ENTRY_NOT_CANONICAL), not a text of another format. */
static void test_known_crlf_format_line(void **state)
{
    (void)state;
    char *t = crlf(BASE);
    recap_entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    assert_int_equal(recap_submission_parse(t, strlen(t), en, &e), ERR_INVALID);
    int buggy = !strcmp(e.code, "RECAP_FORMAT");
    if (!buggy) {
        assert_string_equal(e.code, "RECAP_NOT_CANONICAL");
        assert_string_equal(e.where, "format");
        char *ent = entry_of(t, "accepted");
        expect_error("CR LF entry", 1, ent, strlen(ent), ERR_INVALID, "RECAP_NOT_CANONICAL",
                     "format");
        free(ent);
    }
    free(en);
    free(t);
    KNOWN_BUG(buggy, "a CR LF format line is RECAP_FORMAT, not RECAP_NOT_CANONICAL\n");
}

static void test_key_and_field_names(void **state)
{
    (void)state;
    election *el = recap_election();
    char key[RECAP_KEY_MAX];
    recap_unit u = unit_of(el, "340401", CONTEST_PPWP, "ppwp");
    recap_key(el, &u, SIGNED_RECAP, key);
    assert_string_equal(key, "340401/0");
    recap_key(el, &u, SIGNED_RECORD, key);
    assert_string_equal(key, "340401#0");
    u = unit_of(el, "0", CONTEST_DPR, "dpr-35");
    recap_key(el, &u, SIGNED_RECAP, key);
    assert_string_equal(key, "0/1");
    u = unit_of(el, "3404", CONTEST_DPRD_KAB, "dprd_kab-3404-2");
    recap_key(el, &u, SIGNED_RECORD, key);
    assert_string_equal(key, "3404#1");
    u = unit_of(el, "35", CONTEST_DPRD_PROV, "dprd_prov-35-1");
    recap_key(el, &u, SIGNED_RECAP, key);
    assert_string_equal(key, "35/2");

    static const struct {
        contest_kind k;
        uint32_t d, i;
        const char *name;
    } names[] = {
        {CONTEST_DPR, 0, 0, "voters.dpt.male"},
        {CONTEST_DPR, 0, 1, "voters.dpt.female"},
        {CONTEST_DPR, 0, 2, "voters.dpt.total"},
        {CONTEST_DPR, 0, 3, "voters.dptb.male"},
        {CONTEST_DPR, 0, 8, "voters.dpk.total"},
        {CONTEST_DPR, 0, 9, "voters.b1.male"},
        {CONTEST_DPR, 0, 16, "voters.b3.female"},
        {CONTEST_DPR, 0, 20, "voters.b4.total"},
        {CONTEST_DPR, 0, 23, "voters.disabled.total"},
        {CONTEST_DPR, 0, 24, "ballots.received"},
        {CONTEST_DPR, 0, 25, "ballots.used"},
        {CONTEST_DPR, 0, 26, "ballots.damaged"},
        {CONTEST_DPR, 0, 27, "ballots.unused"},
        {CONTEST_DPR, 0, 28, "valid"},
        {CONTEST_DPR, 0, 29, "invalid"},
        {CONTEST_DPR, 0, 30, "total"},
        {CONTEST_DPR, 0, 31, "votes[0]"},
        {CONTEST_DPR, 0, 33, "votes[2]"},
        {CONTEST_DPR, 0, 34, "party_only[0]"},
        {CONTEST_DPR, 0, 35, "party_only[1]"},
        {CONTEST_DPR, 1, 34, "votes[3]"},
        {CONTEST_DPR, 1, 35, "party_only[0]"},
        {CONTEST_DPR, 1, 37, "party_only[2]"},
        {CONTEST_PPWP, 0, 31, "votes[0]"},
        {CONTEST_PPWP, 0, 32, "votes[1]"},
        {CONTEST_DPD, 1, 33, "votes[2]"},
        {CONTEST_DPRD_KAB, 2, 35, "party_only[1]"},
    };
    for (unsigned i = 0; i < sizeof names / sizeof *names; i++) {
        char buf[64];
        recap_field_name(el, names[i].k, names[i].d, names[i].i, buf, sizeof buf);
        if (strcmp(buf, names[i].name) != 0)
            fail_msg("field %u of %s %u: %s, expected %s", names[i].i,
                     contest_kind_id[names[i].k], names[i].d, buf, names[i].name);
    }
    char small[8];
    recap_field_name(el, CONTEST_DPR, 0, 20, small, sizeof small);
    assert_string_equal(small, "voters.");
    election_free(el);
}

static void test_numbers_from_form(void **state)
{
    (void)state;
    form *f = mem_calloc(1, sizeof *f);
    uint64_t out[64];
    form_lpt *rows[FORM_VOTER_ROWS] = {&f->dpt, &f->dptb, &f->dpk, &f->b1,
                                       &f->b2,  &f->b3,   &f->b4,  &f->disabled};
    /* every fixed box i holds i + 1 */
    for (unsigned r = 0; r < FORM_VOTER_ROWS; r++)
        *rows[r] = (form_lpt){(uint16_t)(3 * r + 1), (uint16_t)(3 * r + 2), (uint16_t)(3 * r + 3)};
    f->received = 25;
    f->used = 26;
    f->damaged = 27;
    f->unused = 28;
    f->valid = 29;
    f->invalid = 30;
    f->total = 31;

    /* PPWP: one number per pair */
    f->kind = CONTEST_PPWP;
    f->nvotes = 2;
    f->votes[0] = 700;
    f->votes[1] = 999;
    for (unsigned i = 0; i < 64; i++)
        out[i] = 0xdead;
    recap_numbers_from_form(f, out);
    for (unsigned i = 0; i < RECAP_I_SEL; i++)
        assert_int_equal(out[i], i + 1);
    assert_int_equal(out[31], 700);
    assert_int_equal(out[32], 999);
    assert_int_equal(out[33], 0xdead); /* width 33: nothing past it */

    /* party lists: every candidate of every list, then the party-only counts */
    f->kind = CONTEST_DPR;
    f->nvotes = 4;
    f->nparty = 3;
    static const uint16_t votes[] = {40, 41, 42, 43};
    memcpy(f->votes, votes, sizeof votes);
    f->party[0] = (form_party){1, 50, 90, 1, 0};
    f->party[1] = (form_party){2, 51, 134, 2, 1};
    f->party[2] = (form_party){3, 52, 95, 1, 3};
    for (unsigned i = 0; i < 64; i++)
        out[i] = 0xdead;
    recap_numbers_from_form(f, out);
    for (unsigned i = 0; i < RECAP_I_SEL; i++)
        assert_int_equal(out[i], i + 1);
    static const uint64_t sel[] = {40, 41, 42, 43, 50, 51, 52};
    assert_memory_equal(out + RECAP_I_SEL, sel, sizeof sel);
    assert_int_equal(out[W_DPR35], 0xdead);

    /* a built form of the test election gives back what it was built from */
    election *el = recap_election();
    uint64_t v[W_DPR35];
    good(v, W_DPR35, 2);
    form_from_numbers(el, 7, CONTEST_DPR, v, f);
    assert_int_equal(f->nparty, 3);
    recap_numbers_from_form(f, out);
    assert_memory_equal(out, v, sizeof v);
    election_free(el);
    free(f);
}

/* ====================================================================== */
/* 4. rules                                                               */

typedef struct rule_fix {
    election *el;
    recap_unit u;
    recap_entry *en;    /* BASE */
    recap_child ch[3];
    uint64_t a[W_PPWP], p[W_PPWP], q[W_PPWP], b[W_PPWP], t[W_PPWP];
    rule_report rep;
    char codes[ENTRY_CODES_MAX + 1];
} rule_fix;

/* BASE's children as they stand when it is clean: TPS 1 counted v1 (A);
 * TPS 2 (marked) and TPS 3 (corrected) counted too, with numbers of their
 * own that must not count. */
static void rule_reset(rule_fix *x)
{
    nums_of(N_A, x->a, W_PPWP);
    good(x->p, W_PPWP, 3);
    good(x->q, W_PPWP, 5);
    memcpy(x->en->recap.row[2].numbers, x->b, sizeof x->b);
    memcpy(x->en->recap.totals, x->t, sizeof x->t);
    for (unsigned i = 0; i < 3; i++)
        x->ch[i] = (recap_child){(uint32_t)x->el->tree->level_start[REGION_TPS] + i,
                                 RECAP_CHILD_COUNTED, 1, i == 0 ? x->a : i == 1 ? x->p : x->q};
}

static rule_fix *rule_setup(void)
{
    rule_fix *x = mem_calloc(1, sizeof *x);
    x->el = recap_election();
    x->u = unit_of(x->el, "340401", CONTEST_PPWP, "ppwp");
    x->en = mem_alloc(sizeof *x->en);
    parse_sub_ok(BASE, strlen(BASE), x->en);
    nums_of(N_B, x->b, W_PPWP);
    nums_of(N_T, x->t, W_PPWP);
    rule_reset(x);
    return x;
}

static void rule_teardown(rule_fix *x)
{
    recap_entry_free(x->en);
    free(x->en);
    election_free(x->el);
    free(x);
}

static void rule_run(rule_fix *x)
{
    memset(&x->rep, 0x5a, sizeof x->rep);
    recap_check(&x->en->recap, &x->u, x->ch, 3, &x->rep);
    rules_report_codes(&x->rep, RULE_HARD, x->codes, sizeof x->codes);
}

static void describe(const rule_report *r, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (unsigned i = 0; i < r->nhit && n < cap; i++)
        n += (size_t)snprintf(buf + n, cap - n, " %s(%s)", rules_def(r->hit[i].id)->code,
                              r->hit[i].detail);
}

static void expect_codes(rule_fix *x, const char *label, const char *codes, unsigned nhard)
{
    if (strcmp(x->codes, codes) != 0 || x->rep.nhard != nhard || x->rep.nsoft != 0) {
        char d[2048];
        describe(&x->rep, d, sizeof d);
        fail_msg("%s: expected \"%s\" (%u hits), got \"%s\" (%u hard, %u soft):%s", label, codes,
                 nhard, x->codes, x->rep.nhard, x->rep.nsoft, d);
    }
}

static void test_rules_clean_and_children(void **state)
{
    (void)state;
    rule_fix *x = rule_setup();
    rule_run(x);
    expect_codes(x, "clean", "", 0);
    assert_int_equal(x->rep.nhit, 0);

    /* the value of each row in the sums */
    assert_ptr_equal(recap_row_value(&x->en->recap, 0, x->ch), x->a);
    assert_null(recap_row_value(&x->en->recap, 1, x->ch));
    assert_ptr_equal(recap_row_value(&x->en->recap, 2, x->ch), x->en->recap.row[2].numbers);
    x->ch[0].version = 2;
    assert_null(recap_row_value(&x->en->recap, 0, x->ch));
    rule_reset(x);

    /* the marked child counts zero even when it has numbers; counting it is
     * a wrong sum */
    x->ch[1].status = RECAP_CHILD_SIGNED;
    rule_run(x);
    expect_codes(x, "marked", "", 0);
    for (unsigned i = 0; i < W_PPWP; i++)
        x->en->recap.totals[i] += x->p[i];
    rule_run(x);
    expect_codes(x, "marked counted", "RECAP_SUM", 1);
    rule_reset(x);
    /* a corrected child's own numbers do not count either, whatever it says */
    x->ch[2].version = 0;
    x->ch[2].numbers = NULL;
    x->ch[2].status = RECAP_CHILD_NONE;
    x->ch[1].version = 0;
    x->ch[1].numbers = NULL;
    rule_run(x);
    expect_codes(x, "corrected and marked without versions", "", 0);
    rule_reset(x);

    /* an adopted child with nothing counted: the sum is not checked then */
    x->ch[0] = (recap_child){x->ch[0].node, RECAP_CHILD_NONE, 0, NULL};
    rule_run(x);
    expect_codes(x, "unsigned", "RECAP_CHILD_UNSIGNED", 1);
    assert_string_equal(x->rep.hit[0].detail, TPS1);
    x->en->recap.totals[0] += 1;
    x->en->recap.totals[2] += 1;
    rule_run(x);
    expect_codes(x, "unsigned, totals off", "RECAP_CHILD_UNSIGNED", 1);
    rule_reset(x);
    /* a region child whose latest is rejected and nothing was accepted */
    x->ch[0] = (recap_child){x->ch[0].node, RECAP_CHILD_REJECTED, 0, NULL};
    rule_run(x);
    expect_codes(x, "rejected child", "RECAP_CHILD_UNSIGNED", 1);
    rule_reset(x);

    /* an adopted version that no longer stands */
    x->ch[0].version = 2;
    rule_run(x);
    expect_codes(x, "stale", "RECAP_CHILD_STALE", 1);
    assert_non_null(strstr(x->rep.hit[0].detail, TPS1));
    assert_non_null(strstr(x->rep.hit[0].detail, "v1 adopted, v2 stands"));
    rule_reset(x);

    /* totals off by one (dpt male and total: the arithmetic still holds) */
    x->en->recap.totals[0] += 1;
    x->en->recap.totals[2] += 1;
    rule_run(x);
    expect_codes(x, "sum", "RECAP_SUM", 1);
    assert_string_equal(x->rep.hit[0].detail, "2 numbers differ, first #0");
    rule_reset(x);
    /* a vote moved from one pair to the other in the totals */
    x->en->recap.totals[31] -= 1;
    x->en->recap.totals[32] += 1;
    rule_run(x);
    expect_codes(x, "sum votes", "RECAP_SUM", 1);
    assert_string_equal(x->rep.hit[0].detail, "2 numbers differ, first #31");
    rule_reset(x);
    /* the adopted child's numbers changed under the recap (same version) */
    x->a[32] += 1;
    rule_run(x);
    expect_codes(x, "child moved", "RECAP_SUM", 1);
    assert_string_equal(x->rep.hit[0].detail, "1 numbers differ, first #32");
    rule_teardown(x);
}

typedef struct delta {
    uint32_t i;
    int d;
} delta;

static const struct arith_case {
    const char *code;
    delta d[2];
    unsigned nd, hits;
} arith[] = {
    {"RECAP_LPT_SUM", {{0, +1}}, 1, 1},              /* dpt male */
    {"RECAP_B4_SUM", {{18, +1}, {19, -1}}, 2, 2},    /* b4 male and female, total kept */
    {"RECAP_BALLOT_SUM", {{24, +1}}, 1, 1},          /* received */
    {"RECAP_USED_B4", {{25, +1}, {27, -1}}, 2, 1},   /* used, unused */
    {"RECAP_USED_B4", {{29, +1}, {30, +1}}, 2, 1},   /* invalid and V.C: V.C != B4 */
    {"RECAP_TOTAL_SUM", {{29, +1}}, 1, 1},           /* invalid */
    {"RECAP_VOTES_SUM", {{31, +1}}, 1, 1},           /* pair 1 */
};

static void apply(uint64_t *v, const struct arith_case *c, int sign)
{
    for (unsigned j = 0; j < c->nd; j++)
        v[c->d[j].i] = (uint64_t)((int64_t)v[c->d[j].i] + sign * c->d[j].d);
}

static void test_rules_arithmetic(void **state)
{
    (void)state;
    rule_fix *x = rule_setup();
    for (unsigned i = 0; i < sizeof arith / sizeof *arith; i++) {
        char label[64];
        /* on the totals: the adopted child moves with them, so the sum holds */
        rule_reset(x);
        apply(x->en->recap.totals, &arith[i], +1);
        apply(x->a, &arith[i], +1);
        rule_run(x);
        snprintf(label, sizeof label, "totals %s", arith[i].code);
        expect_codes(x, label, arith[i].code, arith[i].hits);
        for (unsigned h = 0; h < x->rep.nhit; h++)
            if (strncmp(x->rep.hit[h].detail, "totals:", 7) != 0)
                fail_msg("%s: detail \"%s\"", label, x->rep.hit[h].detail);
        /* on a corrected row: the adopted child makes up for it in the sum */
        rule_reset(x);
        apply(x->en->recap.row[2].numbers, &arith[i], +1);
        apply(x->a, &arith[i], -1);
        rule_run(x);
        snprintf(label, sizeof label, "row %s", arith[i].code);
        expect_codes(x, label, arith[i].code, arith[i].hits);
        for (unsigned h = 0; h < x->rep.nhit; h++)
            if (strncmp(x->rep.hit[h].detail, TPS3 ":", strlen(TPS3) + 1) != 0)
                fail_msg("%s: detail \"%s\"", label, x->rep.hit[h].detail);
    }
    /* the details say where and what */
    rule_reset(x);
    apply(x->en->recap.row[2].numbers, &arith[0], +1);
    apply(x->a, &arith[0], -1);
    rule_run(x);
    assert_string_equal(x->rep.hit[0].detail, TPS3 ": voters.dpt: 121 + 130 != 250");
    rule_reset(x);
    apply(x->en->recap.totals, &arith[1], +1);
    apply(x->a, &arith[1], +1);
    rule_run(x);
    assert_string_equal(x->rep.hit[0].detail, "totals: b4.male: 184 != 183");
    assert_string_equal(x->rep.hit[1].detail, "totals: b4.female: 200 != 201");

    /* several rules: in the order rows, sum, totals; each code once */
    rule_reset(x);
    x->ch[0].version = 2;                              /* row 0: stale */
    apply(x->en->recap.row[2].numbers, &arith[5], +1); /* row 2: TOTAL_SUM */
    apply(x->en->recap.totals, &arith[6], +1);         /* totals: VOTES_SUM */
    apply(x->en->recap.totals, &arith[0], +1);         /* totals: LPT_SUM */
    rule_run(x);
    expect_codes(x, "several", "RECAP_CHILD_STALE,RECAP_TOTAL_SUM,RECAP_LPT_SUM,RECAP_VOTES_SUM",
                 4);
    rule_reset(x);
    x->en->recap.totals[0] += 1; /* sum and the dpt row */
    apply(x->en->recap.row[2].numbers, &arith[6], +1);
    apply(x->en->recap.totals, &arith[6], +1);
    rule_run(x);
    expect_codes(x, "sum after rows", "RECAP_VOTES_SUM,RECAP_SUM,RECAP_LPT_SUM", 4);
    rule_teardown(x);
}

/* ====================================================================== */
/* 5. the book                                                            */

/* A recap entry of width w, version v, totals good(m), by hand. */
static recap_entry *hand_recap(uint32_t version, uint32_t w, uint64_t m, int accepted)
{
    recap_entry *en = mem_calloc(1, sizeof *en);
    en->type = SIGNED_RECAP;
    en->recap.version = version;
    en->recap.width = w;
    en->recap.totals = mem_alloc(w * sizeof(uint64_t));
    good(en->recap.totals, w, m);
    en->accepted = accepted;
    en->received = 1000 + version;
    if (!accepted)
        strcpy(en->codes, "RECAP_SUM");
    return en;
}

static recap_entry *hand_record(uint32_t number, uint32_t recap_version)
{
    recap_entry *en = mem_calloc(1, sizeof *en);
    en->type = SIGNED_RECORD;
    en->record.number = number;
    en->record.recap = recap_version;
    en->accepted = 1;
    return en;
}

static void drop(recap_entry *en)
{
    recap_entry_free(en);
    free(en);
}

static void expect_follows(const recap_book *b, const recap_unit *u, const recap_entry *en,
                           int rc, const char *code, const char *where)
{
    err_info e = {0};
    int got = recap_book_follows(b, u, en, &e);
    if (got != rc || (code && (!e.code || strcmp(e.code, code) || strcmp(e.where, where))))
        fail_msg("follows: expected %d %s at %s, got %d %s at %s: %s", rc, code ? code : "",
                 where ? where : "", got, e.code ? e.code : "(none)", e.where, e.msg);
}

typedef struct seen {
    recap_unit u[256];
    recap_state_of s[256];
    size_t n;
} seen;

static void collect(void *ctx, const recap_unit *u, const recap_state_of *s)
{
    seen *x = ctx;
    assert_true(x->n < 256);
    x->u[x->n] = *u;
    x->s[x->n++] = *s;
}

static void test_book_follows_and_record(void **state)
{
    (void)state;
    election *el = recap_election();
    recap_book *b = recap_book_new(el);
    recap_unit u = unit_of(el, "340401", CONTEST_PPWP, "ppwp");
    recap_unit other = unit_of(el, "340402", CONTEST_PPWP, "ppwp");
    uint64_t v[W_PPWP];

    const recap_state_of *s = recap_book_get(b, &u);
    assert_true(all_zero(s, sizeof *s));
    assert_int_equal(recap_book_size(b), 0);

    recap_entry *v1 = hand_recap(1, W_PPWP, 1, 1), *v2 = hand_recap(2, W_PPWP, 2, 0),
                *v3 = hand_recap(3, W_PPWP, 3, 1);
    expect_follows(b, &u, v1, 0, NULL, NULL);
    expect_follows(b, &u, v2, ERR_INVALID, "RECAP_VERSION_GAP", "version");
    expect_follows(b, &u, v3, ERR_INVALID, "RECAP_VERSION_GAP", "version");
    recap_entry *r1 = hand_record(1, 0), *r2 = hand_record(2, 0), *r1v1 = hand_record(1, 1);
    expect_follows(b, &u, r1, 0, NULL, NULL);
    expect_follows(b, &u, r2, ERR_INVALID, "RECORD_NUMBER_GAP", "number");
    expect_follows(b, &u, r1v1, ERR_INVALID, "RECORD_RECAP_UNKNOWN", "recap");

    recap_book_record(b, &u, v1, 41);
    s = recap_book_get(b, &u);
    assert_int_equal(s->latest, 1);
    assert_int_equal(s->accepted, 1);
    assert_int_equal(s->latest_ok, 1);
    assert_int_equal(s->index, 41);
    assert_int_equal(s->received, 1001);
    good(v, W_PPWP, 1);
    assert_non_null(s->totals);
    assert_memory_equal(s->totals, v, sizeof v);
    assert_int_equal(s->records, 0);
    assert_int_equal(recap_book_size(b), 1);
    /* the book keeps its own copy */
    v1->recap.totals[0] = 12345;
    assert_memory_equal(recap_book_get(b, &u)->totals, v, sizeof v);

    expect_follows(b, &u, v1, ERR_EXISTS, "RECAP_VERSION_LOGGED", "version");
    expect_follows(b, &u, v2, 0, NULL, NULL);
    expect_follows(b, &u, v3, ERR_INVALID, "RECAP_VERSION_GAP", "version");
    expect_follows(b, &u, r1v1, 0, NULL, NULL);
    /* another unit has nothing yet */
    expect_follows(b, &other, v1, 0, NULL, NULL);
    expect_follows(b, &other, v2, ERR_INVALID, "RECAP_VERSION_GAP", "version");
    assert_int_equal(recap_book_get(b, &other)->latest, 0);

    /* a rejected correction: the accepted totals stay */
    recap_book_record(b, &u, v2, 42);
    s = recap_book_get(b, &u);
    assert_int_equal(s->latest, 2);
    assert_int_equal(s->latest_ok, 0);
    assert_int_equal(s->accepted, 1);
    assert_int_equal(s->index, 41);
    assert_int_equal(s->received, 1001);
    assert_memory_equal(s->totals, v, sizeof v);
    expect_follows(b, &u, v2, ERR_EXISTS, "RECAP_VERSION_LOGGED", "version");

    /* records */
    recap_book_record(b, &u, r1v1, 43);
    assert_int_equal(recap_book_get(b, &u)->records, 1);
    expect_follows(b, &u, r1, ERR_EXISTS, "RECAP_VERSION_LOGGED", "number");
    recap_entry *r2v2 = hand_record(2, 2), *r2v3 = hand_record(2, 3), *r3 = hand_record(3, 0);
    expect_follows(b, &u, r2v2, 0, NULL, NULL); /* about the rejected version: logged */
    expect_follows(b, &u, r2v3, ERR_INVALID, "RECORD_RECAP_UNKNOWN", "recap");
    expect_follows(b, &u, r3, ERR_INVALID, "RECORD_NUMBER_GAP", "number");
    recap_book_record(b, &u, r2v2, 44);
    assert_int_equal(recap_book_get(b, &u)->records, 2);
    assert_int_equal(recap_book_get(b, &u)->latest, 2); /* a record is not a version */

    /* an accepted correction takes over */
    recap_book_record(b, &u, v3, 45);
    s = recap_book_get(b, &u);
    assert_int_equal(s->latest, 3);
    assert_int_equal(s->latest_ok, 1);
    assert_int_equal(s->accepted, 3);
    assert_int_equal(s->index, 45);
    assert_int_equal(s->received, 1003);
    good(v, W_PPWP, 3);
    assert_memory_equal(s->totals, v, sizeof v);

    /* a unit with only a record */
    recap_book_record(b, &other, r1, 46);
    assert_int_equal(recap_book_size(b), 2);
    assert_int_equal(recap_book_get(b, &other)->records, 1);
    assert_int_equal(recap_book_get(b, &other)->latest, 0);
    assert_null(recap_book_get(b, &other)->totals);

    seen *x = mem_calloc(1, sizeof *x);
    recap_book_each(b, collect, x);
    assert_int_equal(x->n, 2);
    for (size_t i = 0; i < 2; i++) {
        int mine = x->u[i].region == u.region;
        const recap_unit *want = mine ? &u : &other;
        assert_int_equal(x->u[i].region, want->region);
        assert_int_equal(x->u[i].level, want->level);
        assert_int_equal(x->u[i].kind, want->kind);
        assert_int_equal(x->u[i].district, want->district);
        assert_int_equal(x->u[i].width, want->width);
        assert_int_equal(x->s[i].records, mine ? 2 : 1);
    }

    drop(v1);
    drop(v2);
    drop(v3);
    drop(r1);
    drop(r2);
    drop(r1v1);
    drop(r2v2);
    drop(r2v3);
    drop(r3);
    free(x);
    recap_book_free(b);
    election_free(el);
}

/* Many units: the book grows and loses none; units differ by region,
 * kind and district. */
static void test_book_many_units(void **state)
{
    (void)state;
    election *el = recap_election();
    recap_book *b = recap_book_new(el);
    enum { N = 200 };
    recap_unit u[N];
    for (unsigned i = 0; i < N; i++) {
        u[i] = (recap_unit){.region = i / 10,
                            .level = REGION_KECAMATAN,
                            .kind = (contest_kind)(i % 5),
                            .district = (i / 5) % 2 + 9990 * (i % 2),
                            .width = W_PPWP};
        recap_entry *en = hand_recap(1, W_PPWP, 1, 1);
        en->recap.totals[0] = i;
        assert_int_equal(recap_book_follows(b, &u[i], en, NULL), 0);
        recap_book_record(b, &u[i], en, i);
        drop(en);
    }
    assert_int_equal(recap_book_size(b), N);
    for (unsigned i = 0; i < N; i++) {
        const recap_state_of *s = recap_book_get(b, &u[i]);
        assert_int_equal(s->latest, 1);
        assert_int_equal(s->index, i);
        assert_int_equal(s->totals[0], i);
    }
    seen *x = mem_calloc(1, sizeof *x);
    recap_book_each(b, collect, x);
    assert_int_equal(x->n, N);
    uint64_t sum = 0;
    for (size_t i = 0; i < x->n; i++)
        sum += x->s[i].totals[0];
    assert_int_equal(sum, N * (N - 1) / 2);
    free(x);
    recap_book_free(b);
    recap_book_free(NULL);
    election_free(el);
}

static void test_children_now_tps(void **state)
{
    (void)state;
    election *el = recap_election();
    recap_book *b = recap_book_new(el);
    test_src *ts = mem_calloc(1, sizeof *ts);
    ts->el = el;
    uint64_t a[W_PPWP], c[W_PPWP], d[W_DPR34];
    nums_of(N_A, a, W_PPWP);
    good(c, W_PPWP, 2);
    good(d, W_DPR34, 3);
    ts_serve(ts, 0, CONTEST_PPWP, 1, a, W_PPWP);
    ts_serve(ts, 2, CONTEST_PPWP, 4, c, W_PPWP);
    ts_serve(ts, 1, CONTEST_DPR, 2, d, W_DPR34);
    recap_src src = src_of(ts);
    recap_unit u = unit_of(el, "340401", CONTEST_PPWP, "ppwp");
    recap_child *ch = NULL;
    uint32_t n = 0;
    err_info e = {0};
    assert_int_equal(recap_children_now(el, b, &src, &u, &ch, &n, &e), 0);
    assert_int_equal(n, 3);
    uint32_t base = (uint32_t)el->tree->level_start[REGION_TPS];
    assert_int_equal(ch[0].node, base);
    assert_string_equal(el->tree->node[ch[0].node].code, TPS1);
    assert_int_equal(ch[0].status, RECAP_CHILD_COUNTED);
    assert_int_equal(ch[0].version, 1);
    assert_memory_equal(ch[0].numbers, a, sizeof a);
    assert_int_equal(ch[1].node, base + 1);
    assert_int_equal(ch[1].status, RECAP_CHILD_NONE);
    assert_int_equal(ch[1].version, 0);
    assert_null(ch[1].numbers);
    assert_int_equal(ch[2].status, RECAP_CHILD_COUNTED);
    assert_int_equal(ch[2].version, 4);
    assert_memory_equal(ch[2].numbers, c, sizeof c);
    assert_int_equal(ts->prev_calls, 2);
    recap_children_free(ch, n);

    /* a party-list contest: the form's candidates, then its party-only votes */
    u = unit_of(el, "340401", CONTEST_DPR, "dpr-34");
    assert_int_equal(recap_children_now(el, b, &src, &u, &ch, &n, &e), 0);
    assert_int_equal(n, 3);
    assert_int_equal(ch[0].status, RECAP_CHILD_NONE);
    assert_int_equal(ch[1].status, RECAP_CHILD_COUNTED);
    assert_int_equal(ch[1].version, 2);
    assert_memory_equal(ch[1].numbers, d, sizeof d);
    recap_children_free(ch, n);

    /* the counted array of a replay */
    uint16_t *counted = mem_calloc(el->ntps * CONTEST_KINDS, sizeof *counted);
    counted[2 * CONTEST_KINDS + CONTEST_PPWP] = 4;
    counted[0 * CONTEST_KINDS + CONTEST_PPWP] = 1;
    counted[0 * CONTEST_KINDS + CONTEST_DPR] = 7;
    assert_int_equal(recap_counted_array(counted, 2, CONTEST_PPWP), 4);
    assert_int_equal(recap_counted_array(counted, 0, CONTEST_DPR), 7);
    assert_int_equal(recap_counted_array(counted, 1, CONTEST_PPWP), 0);
    recap_src arr = {recap_counted_array, counted, ts_prev, ts};
    u = unit_of(el, "340401", CONTEST_PPWP, "ppwp");
    assert_int_equal(recap_children_now(el, b, &arr, &u, &ch, &n, &e), 0);
    assert_int_equal(ch[0].version, 1);
    assert_int_equal(ch[2].version, 4);
    assert_memory_equal(ch[2].numbers, c, sizeof c);
    recap_children_free(ch, n);
    free(counted);

    /* the source's error comes through, nothing is handed out */
    ts->fail = 1;
    ch = NULL;
    n = 77;
    memset(&e, 0, sizeof e);
    assert_int_equal(recap_children_now(el, b, &src, &u, &ch, &n, &e), ERR_IO);
    assert_string_equal(e.code, "TEST_READ");
    assert_string_equal(e.where, TPS1);
    assert_null(ch);
    assert_int_equal(n, 77);
    /* an error at a later child: what the earlier ones built is freed */
    ts->prev_calls = 0;
    ts->fail = 2; /* TPS 1 is served, TPS 3 fails */
    memset(&e, 0, sizeof e);
    assert_int_equal(recap_children_now(el, b, &src, &u, &ch, &n, &e), ERR_IO);
    assert_string_equal(e.where, TPS3);
    assert_int_equal(ts->prev_calls, 2);
    assert_null(ch);
    ts->fail = 0;
    free(ts);
    recap_book_free(b);
    election_free(el);
}

static void test_children_now_regions(void **state)
{
    (void)state;
    election *el = recap_election();
    recap_book *b = recap_book_new(el);
    test_src *ts = mem_calloc(1, sizeof *ts);
    ts->el = el;
    recap_src src = src_of(ts);
    recap_unit k1 = unit_of(el, "340401", CONTEST_DPR, "dpr-34");
    recap_unit k2 = unit_of(el, "340402", CONTEST_DPR, "dpr-34");
    /* 340401: v1 accepted; 340402: v1 accepted, v2 rejected; 340403: nothing */
    recap_entry *e1 = hand_recap(1, W_DPR34, 1, 1), *e2 = hand_recap(1, W_DPR34, 2, 1),
                *e3 = hand_recap(2, W_DPR34, 7, 0);
    recap_book_record(b, &k1, e1, 1);
    recap_book_record(b, &k2, e2, 2);
    recap_book_record(b, &k2, e3, 3);
    /* another contest's unit of the same kecamatan does not leak in */
    recap_entry *e4 = hand_recap(1, W_DPR34, 9, 1);
    recap_unit kp = unit_of(el, "340403", CONTEST_DPRD_PROV, "dprd_prov-34-1");
    recap_book_record(b, &kp, e4, 4);

    recap_unit u = unit_of(el, "3404", CONTEST_DPR, "dpr-34");
    recap_child *ch = NULL;
    uint32_t n = 0;
    err_info e = {0};
    assert_int_equal(recap_children_now(el, b, &src, &u, &ch, &n, &e), 0);
    assert_int_equal(n, 3);
    uint64_t v[W_DPR34];
    assert_int_equal(ch[0].node, node(el, "340401"));
    assert_int_equal(ch[0].status, RECAP_CHILD_SIGNED);
    assert_int_equal(ch[0].version, 1);
    good(v, W_DPR34, 1);
    assert_memory_equal(ch[0].numbers, v, sizeof v);
    assert_int_equal(ch[1].node, node(el, "340402"));
    assert_int_equal(ch[1].status, RECAP_CHILD_REJECTED);
    assert_int_equal(ch[1].version, 1);
    good(v, W_DPR34, 2);
    assert_memory_equal(ch[1].numbers, v, sizeof v);
    assert_int_equal(ch[2].node, node(el, "340403"));
    assert_int_equal(ch[2].status, RECAP_CHILD_NONE);
    assert_int_equal(ch[2].version, 0);
    assert_null(ch[2].numbers);
    assert_int_equal(ts->prev_calls, 0);
    recap_children_free(ch, n);

    /* a rejected first version: rejected, nothing to adopt */
    recap_unit k3 = unit_of(el, "340403", CONTEST_DPR, "dpr-34");
    recap_entry *e5 = hand_recap(1, W_DPR34, 1, 0);
    recap_book_record(b, &k3, e5, 5);
    assert_int_equal(recap_children_now(el, b, &src, &u, &ch, &n, &e), 0);
    assert_int_equal(ch[2].status, RECAP_CHILD_REJECTED);
    assert_int_equal(ch[2].version, 0);
    assert_null(ch[2].numbers);
    recap_children_free(ch, n);

    /* the province above: Sleman and Kota Yogyakarta have nothing */
    u = unit_of(el, "34", CONTEST_DPR, "dpr-34");
    assert_int_equal(recap_children_now(el, b, &src, &u, &ch, &n, &e), 0);
    assert_int_equal(n, 2);
    assert_int_equal(ch[0].node, node(el, "3404"));
    assert_int_equal(ch[0].status, RECAP_CHILD_NONE);
    assert_int_equal(ch[1].node, node(el, "3471"));
    recap_children_free(ch, n);
    recap_children_free(NULL, 0);

    drop(e1);
    drop(e2);
    drop(e3);
    drop(e4);
    drop(e5);
    free(ts);
    recap_book_free(b);
    election_free(el);
}

/* Replay one entry text; 0 or the error's code. */
static const char *replay(recap_book *b, const election *el, const recap_src *src,
                          const char *sub, const char *status, uint64_t index, int *rc)
{
    static err_info e;
    char *text = entry_of(sub, status);
    recap_entry *en = mem_alloc(sizeof *en);
    parse_entry_ok(text, en);
    memset(&e, 0, sizeof e);
    *rc = recap_book_replay(b, el, src, en, index, &e);
    recap_entry_free(en);
    free(en);
    free(text);
    return *rc ? e.code : "";
}

#define REPLAY_OK(sub, status, index)                                                      \
    do {                                                                                   \
        int rc_;                                                                           \
        const char *c_ = replay(b, el, &src, sub, status, index, &rc_);                    \
        if (rc_)                                                                           \
            fail_msg("replay %s: %d %s", status, rc_, c_);                                 \
    } while (0)
#define REPLAY_ERR(sub, status, index, want_rc, want_code)                                 \
    do {                                                                                   \
        int rc_;                                                                           \
        const char *c_ = replay(b, el, &src, sub, status, index, &rc_);                    \
        if (rc_ != (want_rc) || strcmp(c_, want_code))                                     \
            fail_msg("replay %s: expected %d %s, got %d %s", status, want_rc, want_code, rc_, \
                     c_);                                                                  \
    } while (0)

static void test_replay_kecamatan(void **state)
{
    (void)state;
    election *el = recap_election();
    recap_book *b = recap_book_new(el);
    test_src *ts = mem_calloc(1, sizeof *ts);
    ts->el = el;
    uint64_t a[W_PPWP], t[W_PPWP];
    nums_of(N_A, a, W_PPWP);
    nums_of(N_T, t, W_PPWP);
    ts_serve(ts, 0, CONTEST_PPWP, 1, a, W_PPWP);
    recap_src src = src_of(ts);
    recap_unit u = unit_of(el, "340401", CONTEST_PPWP, "ppwp");

    /* BASE is clean: accepted */
    REPLAY_ERR(BASE, "rejected RECAP_SUM", 10, ERR_INVALID, "RECAP_VERDICT");
    assert_int_equal(recap_book_size(b), 0);
    REPLAY_OK(BASE, "accepted", 10);
    const recap_state_of *s = recap_book_get(b, &u);
    assert_int_equal(s->latest, 1);
    assert_int_equal(s->accepted, 1);
    assert_int_equal(s->latest_ok, 1);
    assert_int_equal(s->index, 10);
    assert_int_equal(s->received, RECEIVED);
    assert_memory_equal(s->totals, t, sizeof t);
    REPLAY_ERR(BASE, "accepted", 11, ERR_EXISTS, "RECAP_VERSION_LOGGED");

    /* v2 with the totals off by one: the status line must say RECAP_SUM */
    char *v2a = test_replace(BASE, "version 1\n", "version 2\nreason \"Koreksi\"\n");
    char *v2 = test_replace(v2a, "totals 220 240 460 ", "totals 221 240 461 ");
    REPLAY_ERR(v2, "accepted", 11, ERR_INVALID, "RECAP_VERDICT");
    REPLAY_ERR(v2, "rejected RECAP_VOTES_SUM", 11, ERR_INVALID, "RECAP_VERDICT");
    REPLAY_ERR(v2, "rejected RECAP_SUM,RECAP_LPT_SUM", 11, ERR_INVALID, "RECAP_VERDICT");
    assert_int_equal(recap_book_get(b, &u)->latest, 1); /* nothing recorded */
    REPLAY_OK(v2, "rejected RECAP_SUM", 11);
    s = recap_book_get(b, &u);
    assert_int_equal(s->latest, 2);
    assert_int_equal(s->latest_ok, 0);
    assert_int_equal(s->accepted, 1);
    assert_int_equal(s->index, 10);
    assert_memory_equal(s->totals, t, sizeof t);

    /* v3 clean again: a rejection of it is a lie */
    char *v3 = test_replace(BASE, "version 1\n", "version 3\nreason \"Koreksi lagi\"\n");
    REPLAY_ERR(v3, "rejected RECAP_SUM", 12, ERR_INVALID, "RECAP_VERDICT");
    REPLAY_OK(v3, "accepted", 12);
    s = recap_book_get(b, &u);
    assert_int_equal(s->latest, 3);
    assert_int_equal(s->accepted, 3);
    assert_int_equal(s->index, 12);

    /* a gap */
    char *v5 = test_replace(BASE, "version 1\n", "version 5\nreason \"Loncat\"\n");
    REPLAY_ERR(v5, "accepted", 13, ERR_INVALID, "RECAP_VERSION_GAP");

    /* TPS 1's counted version moves on: adopting v1 is stale now */
    ts_serve(ts, 0, CONTEST_PPWP, 2, a, W_PPWP);
    char *v4 = test_replace(BASE, "version 1\n", "version 4\nreason \"Koreksi ketiga\"\n");
    REPLAY_ERR(v4, "accepted", 13, ERR_INVALID, "RECAP_VERDICT");
    REPLAY_ERR(v4, "rejected RECAP_SUM", 13, ERR_INVALID, "RECAP_VERDICT");
    REPLAY_OK(v4, "rejected RECAP_CHILD_STALE", 13);
    assert_int_equal(recap_book_get(b, &u)->latest, 4);
    assert_int_equal(recap_book_get(b, &u)->accepted, 3);

    /* the shape is checked before anything */
    char *bad = test_replace(v5, "mark " TPS2 " psu\nwhy \"PSU dijadwalkan 24 Februari\"\n", "");
    REPLAY_ERR(bad, "accepted", 14, ERR_INVALID, "RECAP_CHILDREN");
    free(bad);
    bad = test_replace(v5, "district ppwp", "district nope");
    REPLAY_ERR(bad, "accepted", 14, ERR_NOTFOUND, "RECAP_DISTRICT_UNKNOWN");
    free(bad);

    /* records: numbered from 1, about a logged version */
    char *rec1 = test_replace(REC, "recap 1\n", "recap 4\n");
    REPLAY_OK(rec1, "accepted", 20);
    assert_int_equal(recap_book_get(b, &u)->records, 1);
    assert_int_equal(recap_book_get(b, &u)->latest, 4);
    REPLAY_ERR(rec1, "accepted", 21, ERR_EXISTS, "RECAP_VERSION_LOGGED");
    char *rec3 = test_replace(REC, "number 1\n", "number 3\n");
    REPLAY_ERR(rec3, "accepted", 21, ERR_INVALID, "RECORD_NUMBER_GAP");
    char *rec2a = test_replace(REC, "number 1\nrecap 1\n", "number 2\nrecap 5\n");
    REPLAY_ERR(rec2a, "accepted", 21, ERR_INVALID, "RECORD_RECAP_UNKNOWN");
    char *rec2 = test_replace(REC, "number 1\nrecap 1\n", "number 2\nrecap 0\n");
    REPLAY_OK(rec2, "accepted", 21);
    assert_int_equal(recap_book_get(b, &u)->records, 2);
    /* a record of a unit that is not one */
    char *recx = test_replace(REC, "contest ppwp\ndistrict ppwp", "contest dpd\ndistrict dpd-35");
    REPLAY_ERR(recx, "accepted", 22, ERR_NOTFOUND, "RECAP_UNIT_UNKNOWN");
    free(recx);
    recx = test_replace(REC, "region 340401\ncontest ppwp\ndistrict ppwp",
                        "region 34\ncontest dprd_kab\ndistrict dprd_kab-3404-1");
    REPLAY_ERR(recx, "accepted", 22, ERR_NOTFOUND, "RECAP_LEVEL");
    free(recx);

    /* the source's error comes through, nothing is recorded */
    char *v5ok = test_replace(BASE, "version 1\n", "version 5\nreason \"Sumber rusak\"\n");
    ts->fail = 1;
    REPLAY_ERR(v5ok, "rejected RECAP_CHILD_STALE", 23, ERR_IO, "TEST_READ");
    assert_int_equal(recap_book_get(b, &u)->latest, 4);
    ts->fail = 0;
    REPLAY_OK(v5ok, "rejected RECAP_CHILD_STALE", 23);
    assert_int_equal(recap_book_size(b), 1);

    free(v2a);
    free(v2);
    free(v3);
    free(v4);
    free(v5);
    free(v5ok);
    free(rec1);
    free(rec2);
    free(rec2a);
    free(rec3);
    free(ts);
    recap_book_free(b);
    election_free(el);
}

/* The kab/kota above: its children are the kecamatan's recaps in the book. */
static void test_replay_kabupaten(void **state)
{
    (void)state;
    election *el = recap_election();
    recap_book *b = recap_book_new(el);
    test_src *ts = mem_calloc(1, sizeof *ts);
    ts->el = el;
    recap_src src = src_of(ts);
    recap_entry *e1 = hand_recap(1, W_DPR34, 1, 1), *e2 = hand_recap(1, W_DPR34, 2, 1),
                *e3 = hand_recap(2, W_DPR34, 7, 0);
    recap_unit k1 = unit_of(el, "340401", CONTEST_DPR, "dpr-34");
    recap_unit k2 = unit_of(el, "340402", CONTEST_DPR, "dpr-34");
    recap_book_record(b, &k1, e1, 1);
    recap_book_record(b, &k2, e2, 2);
    recap_book_record(b, &k2, e3, 3);

    uint64_t v1[W_DPR34], v2[W_DPR34], sum[W_DPR34];
    good(v1, W_DPR34, 1);
    good(v2, W_DPR34, 2);
    for (unsigned i = 0; i < W_DPR34; i++)
        sum[i] = v1[i] + v2[i];
    sb s = {0};
    sb_add(&s, "rekap-dhasil/1\nregion 3404\ncontest dpr\ndistrict dpr-34\nversion 1\n"
               "adopt 340401 1\nadopt 340402 1\nmark 340403 pending\n"
               "why \"Belum ada rekap kecamatan\"\ntotals");
    sb_nums(&s, sum, W_DPR34);
    REPLAY_ERR(s.s, "rejected RECAP_CHILD_STALE", 4, ERR_INVALID, "RECAP_VERDICT");
    REPLAY_OK(s.s, "accepted", 4);
    recap_unit u = unit_of(el, "3404", CONTEST_DPR, "dpr-34");
    const recap_state_of *st = recap_book_get(b, &u);
    assert_int_equal(st->accepted, 1);
    assert_memory_equal(st->totals, sum, sizeof sum);

    /* adopting the rejected version of 340402, and 340403 with nothing */
    s.n = 0;
    sb_add(&s, "rekap-dhasil/1\nregion 3404\ncontest dpr\ndistrict dpr-34\nversion 2\n"
               "reason \"Koreksi\"\nadopt 340401 1\nadopt 340402 2\nadopt 340403 1\ntotals");
    sb_nums(&s, sum, W_DPR34);
    REPLAY_ERR(s.s, "rejected RECAP_CHILD_STALE", 5, ERR_INVALID, "RECAP_VERDICT");
    REPLAY_OK(s.s, "rejected RECAP_CHILD_STALE,RECAP_CHILD_UNSIGNED", 5);

    /* the province sums the kab/kota: Sleman's accepted totals */
    s.n = 0;
    sb_add(&s, "rekap-dhasil/1\nregion 34\ncontest dpr\ndistrict dpr-34\nversion 1\n"
               "adopt 3404 1\nmark 3471 recount\nwhy \"Hitung ulang\"\ntotals");
    sb_nums(&s, sum, W_DPR34);
    REPLAY_OK(s.s, "accepted", 6);
    /* and the nation: province 34 signed, 35 marked */
    s.n = 0;
    sb_add(&s, "rekap-dhasil/1\nregion 0\ncontest dpr\ndistrict dpr-34\nversion 1\n"
               "adopt 34 1\ntotals");
    sb_nums(&s, sum, W_DPR34);
    REPLAY_OK(s.s, "accepted", 7);
    assert_int_equal(recap_book_size(b), 5);

    free(s.s);
    drop(e1);
    drop(e2);
    drop(e3);
    free(ts);
    recap_book_free(b);
    election_free(el);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_recap_round_trip),
        cmocka_unit_test(test_recap_encode_built),
        cmocka_unit_test(test_record_round_trip),
        cmocka_unit_test(test_entry_round_trip),
        cmocka_unit_test(test_signed_type),
        cmocka_unit_test(test_recap_errors),
        cmocka_unit_test(test_recap_errors_built),
        cmocka_unit_test(test_record_errors),
        cmocka_unit_test(test_entry_errors),
        cmocka_unit_test(test_rule_family),
        cmocka_unit_test(test_unit_find),
        cmocka_unit_test(test_children_and_districts),
        cmocka_unit_test(test_shape),
        cmocka_unit_test(test_known_shape_extra_row_first),
        cmocka_unit_test(test_known_crlf_format_line),
        cmocka_unit_test(test_key_and_field_names),
        cmocka_unit_test(test_numbers_from_form),
        cmocka_unit_test(test_rules_clean_and_children),
        cmocka_unit_test(test_rules_arithmetic),
        cmocka_unit_test(test_book_follows_and_record),
        cmocka_unit_test(test_book_many_units),
        cmocka_unit_test(test_children_now_tps),
        cmocka_unit_test(test_children_now_regions),
        cmocka_unit_test(test_replay_kecamatan),
        cmocka_unit_test(test_replay_kabupaten),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
