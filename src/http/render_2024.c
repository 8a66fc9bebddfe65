/* render_2024 — the commission's 2024 portal layout (Sirekap's public
 * files), so the community's scrapers and auditors of 2024 work unchanged:
 * /wilayah/pemilu/ppwp/<path>.json (the region lists),
 * /pemilu/hhcw/ppwp[/<path>].json (results above desa level and of a
 * desa), the TPS file, /pemilu/ppwp.json (the pairs) and the pairs' 2024
 * ids; see render.h for each, docs/API.md for their fields. The field
 * names, their order and the number formats are the 2024 portal's: a field
 * is changed here only to follow it. */
#include "http/render.h"
#include "http/render_internal.h"

#include <stdlib.h>

#include "core/mem.h"

unsigned render_pair_id(unsigned no)
{
    return 100024u + no;
}

/* 100 * part / whole with two decimals, 0 when whole is 0. */
static void render_percent(rbuf *b, uint64_t part, uint64_t whole)
{
    rbuf_printf(b, "%.2f", whole ? 100.0 * (double)part / (double)whole : 0.0);
}

void render_wilayah(rbuf *b, const election *el, const uint8_t *mask, uint32_t reg)
{
    const region *rg = &el->tree->node[reg];
    rbuf_put(b, "[", 1);
    int first = 1;
    for (uint32_t c = rg->child; rg->nchild && c < rg->child + rg->nchild; c++) {
        if (!(mask[c] & (1u << CONTEST_PPWP)))
            continue;
        const region *cr = &el->tree->node[c];
        rbuf_puts(b, first ? "{" : ",{");
        first = 0;
        render_kv_str(b, "nama", cr->name);
        rbuf_printf(b, ",\"id\":%llu,", strtoull(cr->code, NULL, 10));
        render_kv_str(b, "kode", cr->code);
        rbuf_printf(b, ",\"tingkat\":%u}", cr->level);
    }
    rbuf_puts(b, "]\n");
}

/* The pairs' votes as "<id>":n members (a leading comma before each but
 * the first when `first`). */
static void render_pair_votes(rbuf *b, const uint64_t *v, unsigned n, int first)
{
    for (unsigned i = 0; i < n; i++) {
        render_num(b, first && !i ? "\"" : ",\"", render_pair_id(i + 1));
        render_num(b, "\":", v[i]);
    }
}

/* One table row: pair votes, psu, persen, status_progress. */
static void render_hhcw_row(rbuf *b, const char *code, const uint64_t *v, unsigned npair,
                            uint64_t counted, uint64_t expected, int first)
{
    rbuf_printf(b, "%s\"%s\":{", first ? "" : ",", code);
    if (counted)
        render_pair_votes(b, v, npair, 1);
    rbuf_printf(b, "%s\"psu\":%s,\"persen\":", counted && npair ? "," : "",
                counted ? "\"Reguler\"" : "null");
    render_percent(b, counted, expected);
    rbuf_puts(b, ",\"status_progress\":");
    render_bool(b, counted > 0);
    rbuf_put(b, "}", 1);
}

/* chart, then (after the table the caller writes) progres, mode, ts. */
static void render_hhcw_open(rbuf *b, const uint64_t *v, unsigned npair, uint64_t counted,
                             uint64_t expected, const char *ts)
{
    rbuf_puts(b, "{");
    render_kv_str(b, "ts", ts);
    rbuf_puts(b, ",\"psu\":\"Reguler\",\"mode\":\"hhcw\",\"chart\":{");
    render_pair_votes(b, v, npair, 1);
    rbuf_puts(b, npair ? ",\"persen\":" : "\"persen\":");
    render_percent(b, counted, expected);
    rbuf_puts(b, "},\"table\":{");
}

static void render_hhcw_close(rbuf *b, uint64_t counted, uint64_t expected)
{
    rbuf_printf(b, "},\"progres\":{\"total\":%llu,\"progres\":%llu}}\n",
                (unsigned long long)expected, (unsigned long long)counted);
}

static unsigned render_npair(const election *el)
{
    return el->ndistrict[CONTEST_PPWP] ? el->district[CONTEST_PPWP][0].ncand : 0;
}

void render_hhcw_region(rbuf *b, const tally *t, uint32_t reg, const char *ts)
{
    const election *el = t->el;
    const region *rg = &el->tree->node[reg];
    const tally_row *row = tally_region(t, CONTEST_PPWP, reg);
    unsigned npair = render_npair(el);
    render_hhcw_open(b, tally_region_sel(t, CONTEST_PPWP, reg), npair, row->tps_counted,
                     row->tps_expected, ts);
    int first = 1;
    for (uint32_t c = rg->child; c < rg->child + rg->nchild; c++) {
        const tally_row *cr = tally_region(t, CONTEST_PPWP, c);
        if (!cr->tps_expected)
            continue;
        render_hhcw_row(b, el->tree->node[c].code, tally_region_sel(t, CONTEST_PPWP, c), npair,
                        cr->tps_counted, cr->tps_expected, first);
        first = 0;
    }
    render_hhcw_close(b, row->tps_counted, row->tps_expected);
}

/* The votes of a PPWP form as 64-bit counts. */
static void render_form_pairs(const form *f, uint64_t *v, unsigned npair)
{
    for (unsigned i = 0; i < npair; i++)
        v[i] = i < f->nvotes ? f->votes[i] : 0;
}

void render_hhcw_desa(rbuf *b, const election *el, uint32_t desa, const form *const *forms,
                      const char *ts)
{
    const region *rg = &el->tree->node[desa];
    unsigned npair = render_npair(el);
    uint64_t *sum = mem_calloc(npair + 1, sizeof *sum), *one = mem_calloc(npair + 1, sizeof *one);
    uint64_t expected = 0, counted = 0;
    for (uint32_t i = 0; i < rg->nchild; i++) {
        if (el->tps[render_node_tps(el, rg->child + i)].district[CONTEST_PPWP] == ELECTION_NONE)
            continue;
        expected++;
        if (!forms[i])
            continue;
        counted++;
        render_form_pairs(forms[i], one, npair);
        for (unsigned p = 0; p < npair; p++)
            sum[p] += one[p];
    }
    render_hhcw_open(b, sum, npair, counted, expected, ts);
    int first = 1;
    for (uint32_t i = 0; i < rg->nchild; i++) {
        if (el->tps[render_node_tps(el, rg->child + i)].district[CONTEST_PPWP] == ELECTION_NONE)
            continue;
        if (forms[i])
            render_form_pairs(forms[i], one, npair);
        render_hhcw_row(b, el->tree->node[rg->child + i].code, one, npair, forms[i] != NULL, 1,
                        first);
        first = 0;
    }
    render_hhcw_close(b, counted, expected);
    free(sum);
    free(one);
}

static void render_administrasi(rbuf *b, const form *f)
{
    rbuf_printf(b,
                "{\"suara_sah\":%u,\"suara_total\":%u,\"suara_tidak_sah\":%u,"
                "\"pemilih_dpt_j\":%u,\"pemilih_dpt_l\":%u,\"pemilih_dpt_p\":%u,"
                "\"pengguna_dpt_j\":%u,\"pengguna_dpt_l\":%u,\"pengguna_dpt_p\":%u,"
                "\"pengguna_dptb_j\":%u,\"pengguna_dptb_l\":%u,\"pengguna_dptb_p\":%u,"
                "\"pengguna_non_dpt_j\":%u,\"pengguna_non_dpt_l\":%u,\"pengguna_non_dpt_p\":%u,"
                "\"pengguna_total_j\":%u,\"pengguna_total_l\":%u,\"pengguna_total_p\":%u}",
                f->valid, f->total, f->invalid, f->dpt.total, f->dpt.male, f->dpt.female,
                f->b1.total, f->b1.male, f->b1.female, f->b2.total, f->b2.male, f->b2.female,
                f->b3.total, f->b3.male, f->b3.female, f->b4.total, f->b4.male, f->b4.female);
}

#define RENDER_IMAGES_MIN 3 /* the 2024 file always lists three pages */

void render_hhcw_tps(rbuf *b, const entry *counted, const char *ts)
{
    const submission *s = counted ? &counted->sub : NULL;
    rbuf_puts(b, "{\"chart\":");
    if (s) {
        rbuf_put(b, "{", 1);
        for (unsigned i = 0; i < s->form.nvotes; i++)
            rbuf_printf(b, "%s\"%u\":%u", i ? "," : "", render_pair_id(i + 1), s->form.votes[i]);
        rbuf_put(b, "}", 1);
    } else {
        rbuf_puts(b, "null");
    }
    rbuf_puts(b, ",\"images\":[");
    unsigned nphoto = s ? s->nphoto : 0;
    for (unsigned i = 0; i < nphoto || i < RENDER_IMAGES_MIN; i++) {
        if (i)
            rbuf_put(b, ",", 1);
        if (i < nphoto)
            render_photo_url(b, s->photo[i]);
        else
            rbuf_puts(b, "null");
    }
    rbuf_puts(b, "],\"administrasi\":");
    if (s)
        render_administrasi(b, &s->form);
    else
        rbuf_puts(b, "null");
    rbuf_puts(b, ",\"psu\":null,");
    render_kv_str(b, "ts", ts);
    rbuf_puts(b, ",\"status_suara\":");
    render_bool(b, s != NULL);
    rbuf_puts(b, ",\"status_adm\":");
    render_bool(b, s != NULL);
    rbuf_puts(b, "}\n");
}

void render_ppwp_pairs(rbuf *b, const election *el, const char *ts)
{
    static const char *const colour[] = {"#8CB9BD", "#C7B7A3", "#B67352",
                                         "#80B9AD", "#83B4FF", "#EE4E4E"};
    const election_district *d =
        el->ndistrict[CONTEST_PPWP] ? &el->district[CONTEST_PPWP][0] : NULL;
    rbuf_put(b, "{", 1);
    for (unsigned i = 0; d && i < d->ncand; i++) {
        rbuf_printf(b, "%s\"%u\":{", i ? "," : "", render_pair_id(d->cand[i].no));
        render_kv_str(b, "ts", ts);
        rbuf_put(b, ",", 1);
        render_kv_str(b, "nama", d->cand[i].name);
        rbuf_printf(b, ",\"warna\":\"%s\",\"nomor_urut\":%u}",
                    colour[i % (sizeof colour / sizeof colour[0])], d->cand[i].no);
    }
    rbuf_puts(b, "}\n");
}
