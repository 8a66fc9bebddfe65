/* render_2024 — the hhcw files of the 2024 layout (render_2024.h): a
 * region's results with one row per child, a desa's with one row per TPS,
 * and the TPS file, for every contest. docs/API.md ("The 2024 portal
 * layout") documents each member and its 2024 source. */
#include "http/render_2024.h"
#include "http/render_internal.h"

#include <assert.h>
#include <string.h>
#include <time.h>

/* The keys of a region's chart and rows, ascending: PPWP the pairs' ids,
 * DPD the candidates' ids of the province's ballot (none above a
 * province: the ballots differ), DPR and DPRD the ballot numbers of the
 * parties that run in the contest there (a local party only at home or
 * nationally). sel: where each key's votes are in a tally row (tally.h)
 * or a form's votes. */
typedef struct r24_keys {
    unsigned n;
    uint32_t id[ELECTION_PARTY_MAX + ELECTION_CANDIDATES_MAX];
    uint16_t sel[ELECTION_PARTY_MAX + ELECTION_CANDIDATES_MAX];
} r24_keys;

/* The first TPS (index into tps[]) under region reg, which has some. */
static uint32_t r24_first_tps(const election *el, uint32_t reg)
{
    while (el->tree->node[reg].level < REGION_TPS) {
        assert(el->tree->node[reg].nchild > 0);
        reg = el->tree->node[reg].child;
    }
    return render_node_tps(el, reg);
}

static void r24_keys_of(const render24 *x, contest_kind k, uint32_t reg, r24_keys *out)
{
    const election *el = x->el;
    const region *rg = &el->tree->node[reg];
    out->n = 0;
    if (contest_is_party_list(k)) {
        for (uint16_t p = 0; p < el->nparty; p++) {
            const election_party *pt = &el->party[p];
            if (!x->runs[k][pt->no] ||
                (pt->only_in && rg->level > REGION_NATIONAL && strncmp(rg->code, pt->only_in, 2)))
                continue;
            out->id[out->n] = pt->no;
            out->sel[out->n++] = p;
        }
        return;
    }
    if ((k == CONTEST_DPD && rg->level == REGION_NATIONAL) || !(x->mask[reg] & (1u << k)))
        return;
    uint32_t d = k == CONTEST_PPWP ? 0 : el->tps[r24_first_tps(el, reg)].district[k];
    if (d == ELECTION_NONE || d >= el->ndistrict[k])
        return;
    const election_district *ds = &el->district[k][d];
    for (uint16_t i = 0; i < ds->ncand; i++) {
        out->id[out->n] = k == CONTEST_PPWP ? RENDER24_PAIR_BASE + ds->cand[i].no
                                            : x->cand0[k][d] + i;
        out->sel[out->n++] = i;
    }
}

/* The votes of each key on form f: PPWP and DPD a candidate's votes,
 * DPR and DPRD the party's total as written. */
static void r24_form_votes(const form *f, const r24_keys *keys, uint64_t *v)
{
    for (unsigned i = 0; i < keys->n; i++) {
        v[i] = 0;
        if (!contest_is_party_list(f->kind)) {
            v[i] = keys->sel[i] < f->nvotes ? f->votes[keys->sel[i]] : 0;
            continue;
        }
        for (uint16_t p = 0; p < f->nparty; p++)
            if (f->party[p].no == keys->id[i])
                v[i] = f->party[p].total;
    }
}

/* `"<id>":<votes>` for each key, each preceded by a comma but the first
 * when `first`. */
static void r24_key_votes(rbuf *b, const r24_keys *keys, const uint64_t *v, int first)
{
    for (unsigned i = 0; i < keys->n; i++) {
        render_num(b, first && !i ? "\"" : ",\"", keys->id[i]);
        render_num(b, "\":", v[i]);
    }
}

/* One table row: psu, the keys' votes, persen, status_progress (2024's
 * order). Every key is written, 0 before anything is counted: zakiego's
 * schema of the national file requires them in every row. */
static void r24_row(rbuf *b, const char *code, const r24_keys *keys, const uint64_t *v,
                    uint64_t counted, uint64_t expected, int tps_row, int first)
{
    rbuf_puts(b, first ? "\"" : ",\"");
    rbuf_puts(b, code);
    rbuf_puts(b, "\":{\"psu\":\"Reguler\"");
    r24_key_votes(b, keys, v, 0);
    rbuf_puts(b, ",\"persen\":");
    if (tps_row) /* a TPS is counted or not: 2024 wrote 100 or 0 */
        rbuf_puts(b, counted ? "100" : "0");
    else
        render_pct(b, counted, expected);
    rbuf_puts(b, ",\"status_progress\":");
    render_bool(b, counted > 0);
    rbuf_put(b, "}", 1);
}

/* ts, psu, mode, then the chart; the caller writes the table's rows. */
static void r24_open(rbuf *b, const r24_keys *keys, const uint64_t *v, uint64_t counted,
                     uint64_t expected, const char *ts)
{
    rbuf_puts(b, "{");
    render_kv_str(b, "ts", ts);
    rbuf_puts(b, ",\"psu\":\"Reguler\",\"mode\":\"hhcw\",\"chart\":{");
    r24_key_votes(b, keys, v, 1);
    rbuf_puts(b, keys->n ? ",\"persen\":" : "\"persen\":");
    render_pct(b, counted, expected);
    rbuf_puts(b, "},\"table\":{");
}

void render24_region(rbuf *b, const render24 *x, const tally *t, contest_kind k, uint32_t reg,
                     const char *ts)
{
    const region *rg = &x->el->tree->node[reg];
    const tally_row *row = tally_region(t, k, reg);
    r24_keys keys;
    r24_keys_of(x, k, reg, &keys);
    uint64_t v[sizeof keys.id / sizeof keys.id[0]];
    const uint64_t *sel = tally_region_sel(t, k, reg);
    for (unsigned i = 0; i < keys.n; i++)
        v[i] = keys.sel[i] < t->width[k] ? sel[keys.sel[i]] : 0;
    r24_open(b, &keys, v, row->tps_counted, row->tps_expected, ts);
    int first = 1;
    for (uint32_t c = rg->child; rg->nchild && c < rg->child + rg->nchild; c++) {
        const tally_row *cr = tally_region(t, k, c);
        if (!cr->tps_expected)
            continue;
        sel = tally_region_sel(t, k, c);
        for (unsigned i = 0; i < keys.n; i++)
            v[i] = keys.sel[i] < t->width[k] ? sel[keys.sel[i]] : 0;
        r24_row(b, x->el->tree->node[c].code, &keys, v, cr->tps_counted, cr->tps_expected, 0,
                first);
        first = 0;
    }
    render_progres(b, row->tps_counted, row->tps_expected);
}

void render24_desa(rbuf *b, const render24 *x, contest_kind k, uint32_t desa,
                   const form *const *forms, const char *ts)
{
    const election *el = x->el;
    const region *rg = &el->tree->node[desa];
    r24_keys keys;
    r24_keys_of(x, k, desa, &keys);
    uint64_t sum[sizeof keys.id / sizeof keys.id[0]] = {0}, one[sizeof sum / sizeof sum[0]];
    uint64_t expected = 0, counted = 0;
    for (uint32_t i = 0; i < rg->nchild; i++) {
        if (el->tps[render_node_tps(el, rg->child + i)].district[k] == ELECTION_NONE)
            continue;
        expected++;
        if (!forms[i])
            continue;
        counted++;
        r24_form_votes(forms[i], &keys, one);
        for (unsigned p = 0; p < keys.n; p++)
            sum[p] += one[p];
    }
    r24_open(b, &keys, sum, counted, expected, ts);
    int first = 1;
    for (uint32_t i = 0; i < rg->nchild; i++) {
        if (el->tps[render_node_tps(el, rg->child + i)].district[k] == ELECTION_NONE)
            continue;
        memset(one, 0, sizeof one);
        if (forms[i])
            r24_form_votes(forms[i], &keys, one);
        r24_row(b, el->tree->node[rg->child + i].code, &keys, one, forms[i] != NULL, 1, 1, first);
        first = 0;
    }
    render_progres(b, counted, expected);
}

/* ---------------------------------------------------------- TPS file */

static void r24_administrasi(rbuf *b, const form *f)
{
    rbuf_printf(b,
                "{\"suara_sah\":%u,\"suara_total\":%u,"
                "\"pemilih_dpt_j\":%u,\"pemilih_dpt_l\":%u,\"pemilih_dpt_p\":%u,"
                "\"pengguna_dpt_j\":%u,\"pengguna_dpt_l\":%u,\"pengguna_dpt_p\":%u,"
                "\"pengguna_dptb_j\":%u,\"pengguna_dptb_l\":%u,\"pengguna_dptb_p\":%u,"
                "\"suara_tidak_sah\":%u,"
                "\"pengguna_total_j\":%u,\"pengguna_total_l\":%u,\"pengguna_total_p\":%u,"
                "\"pengguna_non_dpt_j\":%u,\"pengguna_non_dpt_l\":%u,\"pengguna_non_dpt_p\":%u}",
                f->valid, f->total, f->dpt.total, f->dpt.male, f->dpt.female, f->b1.total,
                f->b1.male, f->b1.female, f->b2.total, f->b2.male, f->b2.female, f->invalid,
                f->b4.total, f->b4.male, f->b4.female, f->b3.total, f->b3.male, f->b3.female);
}

/* Pages of the 2024 TPS file's images: the PPWP form's three pages always
 * (zakiego's schema requires exactly 3); other forms as many as photos
 * were signed, at least one. */
#define R24_PPWP_PAGES 3

static void r24_images(rbuf *b, const render24 *x, contest_kind k, const submission *s)
{
    unsigned nphoto = s ? s->nphoto : 0;
    unsigned pages = k == CONTEST_PPWP ? R24_PPWP_PAGES : nphoto ? nphoto : 1;
    rbuf_puts(b, "\"images\":[");
    for (unsigned i = 0; i < pages; i++) {
        if (i)
            rbuf_put(b, ",", 1);
        if (i >= nphoto) {
            rbuf_puts(b, "null");
            continue;
        }
        rbuf_put(b, "\"", 1);
        rbuf_puts(b, x->base_url); /* checked at start: no quote, backslash or control */
        rbuf_puts(b, "/photos/");
        for (int j = 0; j < 32; j++)
            rbuf_printf(b, "%02x", s->photo[i][j]);
        rbuf_put(b, "\"", 1);
    }
    rbuf_put(b, "]", 1);
}

/* PPWP and DPD: {"null":null, "<id>":votes, ...} as 2024 wrote it. */
static void r24_tps_chart_cand(rbuf *b, const render24 *x, contest_kind k, uint32_t tps,
                               const form *f)
{
    rbuf_puts(b, "{\"null\":null");
    uint32_t d = x->el->tps[tps].district[k];
    for (uint16_t i = 0; i < f->nvotes; i++) {
        uint32_t id = k == CONTEST_PPWP ? RENDER24_PAIR_BASE + i + 1 : x->cand0[k][d] + i;
        render_num(b, ",\"", id);
        render_num(b, "\":", f->votes[i]);
    }
    rbuf_put(b, "}", 1);
}

/* DPR and DPRD: per party its total and its party-only votes. */
static void r24_tps_chart_party(rbuf *b, const form *f)
{
    rbuf_put(b, "{", 1);
    for (uint16_t p = 0; p < f->nparty; p++) {
        render_num(b, p ? ",\"" : "\"", f->party[p].no);
        render_num(b, "\":{\"jml_suara_total\":", f->party[p].total);
        render_num(b, ",\"jml_suara_partai\":", f->party[p].party_only);
        rbuf_put(b, "}", 1);
    }
    rbuf_put(b, "}", 1);
}

/* DPR and DPRD: per party its candidates' votes by id. A counted form has
 * the district's exact shape (tally_fits), so its candidate offsets are
 * the district's, which the ids follow. */
static void r24_tps_caleg(rbuf *b, const render24 *x, contest_kind k, uint32_t tps, const form *f)
{
    uint32_t base = x->cand0[k][x->el->tps[tps].district[k]];
    rbuf_put(b, "{", 1);
    for (uint16_t p = 0; p < f->nparty; p++) {
        render_num(b, p ? ",\"" : "\"", f->party[p].no);
        rbuf_puts(b, "\":{");
        for (uint16_t c = 0; c < f->party[p].ncand; c++) {
            render_num(b, c ? ",\"" : "\"", base + f->party[p].cand + c);
            render_num(b, "\":", f->votes[f->party[p].cand + c]);
        }
        rbuf_put(b, "}", 1);
    }
    rbuf_put(b, "}", 1);
}

/* The TPS file's psu: null for a regular count; a version signed as a
 * re-count or re-vote (entry.h) as 2024 named them. */
static void r24_psu(rbuf *b, const submission *s)
{
    static const char *const name[ENTRY_PSU_KINDS] = {
        [ENTRY_PSU_NONE] = "null",
        [ENTRY_PSU_RECOUNT] = "\"Penghitungan Suara Ulang\"",
        [ENTRY_PSU_REVOTE] = "\"Pemungutan Suara Ulang\"",
    };
    rbuf_puts(b, name[s && s->psu < ENTRY_PSU_KINDS ? s->psu : ENTRY_PSU_NONE]);
}

void render24_tps(rbuf *b, const render24 *x, contest_kind k, uint32_t tps, const entry *counted,
                  const char *ts)
{
    const submission *s = counted ? &counted->sub : NULL;
    const form *f = s ? &s->form : NULL;
    int party = contest_is_party_list(k);
    assert(x->el->tps[tps].district[k] != ELECTION_NONE);
    /* 2024: "mode" first in the PPWP and DPD files; none in the
     * legislative ones (zakiego's strict schema has none) */
    rbuf_puts(b, party ? "{\"chart\":" : "{\"mode\":\"hhcw\",\"chart\":");
    if (!f)
        rbuf_puts(b, "null");
    else if (party)
        r24_tps_chart_party(b, f);
    else
        r24_tps_chart_cand(b, x, k, tps, f);
    rbuf_put(b, ",", 1);
    r24_images(b, x, k, s);
    if (party) {
        rbuf_put(b, ",", 1);
        render_kv_str(b, "kode_dapil", x->kode[k][x->el->tps[tps].district[k]]);
    }
    rbuf_puts(b, ",\"administrasi\":");
    if (f)
        r24_administrasi(b, f);
    else
        rbuf_puts(b, "null");
    if (party) {
        rbuf_puts(b, ",\"caleg\":");
        if (f)
            r24_tps_caleg(b, x, k, tps, f);
        else
            rbuf_puts(b, "null");
    }
    rbuf_puts(b, ",\"psu\":");
    r24_psu(b, s);
    rbuf_put(b, ",", 1);
    /* 2024: the TPS's own last update; here when the counted form was
     * received (so the bytes, and the ETag, stay until it changes) */
    char when[RENDER_TS_MAX];
    if (counted)
        render_ts((time_t)counted->received, when);
    render_kv_str(b, "ts", counted ? when : ts);
    rbuf_puts(b, ",\"status_suara\":");
    render_bool(b, f != NULL);
    rbuf_puts(b, ",\"status_adm\":");
    render_bool(b, f != NULL);
    rbuf_puts(b, "}\n");
}
