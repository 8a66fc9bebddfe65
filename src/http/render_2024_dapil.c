/* render_2024_dapil — the hhcd files of the 2024 layout (render_2024.h):
 * results by electoral district (dapil) of DPR and DPRD, as the
 * commission's seat calculators and the community read them. A
 * district's totals are the sums of its regions' tally rows (a district
 * covers whole subtrees, so those rows hold exactly its TPS); its
 * candidates' and party-only votes are the tally's district counts. */
#include "http/render_2024.h"
#include "http/render_internal.h"

#include <assert.h>
#include <string.h>

void render24_parties_of(const render24 *x, contest_kind k, const char *prov,
                         render24_party_set *out)
{
    const election *el = x->el;
    out->n = 0;
    for (uint16_t p = 0; p < el->nparty && out->n < ELECTION_PARTY_MAX; p++) {
        const election_party *pt = &el->party[p];
        if (!x->runs[k][pt->no] || (pt->only_in && (!prov || strncmp(prov, pt->only_in, 2))))
            continue;
        out->no[out->n] = pt->no;
        out->sel[out->n++] = p;
    }
}

/* District d's province code (its home's first two digits). */
static const char *r24d_prov(const render24 *x, contest_kind k, uint32_t d)
{
    return x->el->tree->node[x->home[k][d]].code;
}

/* District d's party totals (as written on its forms) and TPS counts. */
static void r24d_sums(const render24 *x, const tally *t, contest_kind k, uint32_t d,
                      const render24_party_set *ps, uint64_t *v, uint64_t *counted, uint64_t *expected)
{
    const election_district *ds = &x->el->district[k][d];
    memset(v, 0, ps->n * sizeof *v);
    *counted = *expected = 0;
    for (uint32_t i = 0; i < ds->nregion; i++) {
        const tally_row *row = tally_region(t, k, ds->region[i]);
        const uint64_t *sel = tally_region_sel(t, k, ds->region[i]);
        *counted += row->tps_counted;
        *expected += row->tps_expected;
        for (unsigned p = 0; p < ps->n; p++)
            v[p] += ps->sel[p] < t->width[k] ? sel[ps->sel[p]] : 0;
    }
}

uint64_t render24_dapil_rev(const render24 *x, const tally *t, contest_kind k, uint32_t d)
{
    const election_district *ds = &x->el->district[k][d];
    uint64_t rev = 0;
    for (uint32_t i = 0; i < ds->nregion; i++)
        rev += tally_region(t, k, ds->region[i])->rev; /* revs only grow */
    return rev;
}

int render24_container_level(contest_kind k)
{
    switch (k) {
    case CONTEST_DPR:
        return REGION_NATIONAL;
    case CONTEST_DPRD_PROV:
        return REGION_PROVINCE;
    case CONTEST_DPRD_KAB:
        return REGION_KABKOTA;
    default:
        return -1;
    }
}

/* Is district d of kind k in container reg (the nation for DPR, a
 * province for DPRD provinsi, a kab/kota for DPRD kab/kota)? */
static int r24d_in(const render24 *x, contest_kind k, uint32_t reg, uint32_t d)
{
    return reg == 0 ? k == CONTEST_DPR : x->home[k][d] == reg;
}

/* 2024's order: ts, mode, then the chart of the parties' votes (its
 * members after these are the caller's). */
static void r24d_open(rbuf *b, const char *ts, const render24_party_set *ps, const uint64_t *v)
{
    rbuf_puts(b, "{");
    render_kv_str(b, "ts", ts);
    rbuf_puts(b, ",\"mode\":\"hhcw\",\"chart\":{");
    for (unsigned p = 0; p < ps->n; p++) {
        render_num(b, p ? ",\"" : "\"", ps->no[p]);
        render_num(b, "\":", v[p]);
    }
}

void render24_dapils(rbuf *b, const render24 *x, const tally *t, contest_kind k, uint32_t reg,
                     const char *ts)
{
    assert(contest_is_party_list(k));
    const election *el = x->el;
    render24_party_set ps;
    render24_parties_of(x, k, reg ? el->tree->node[reg].code : NULL, &ps);
    uint64_t sum[ELECTION_PARTY_MAX] = {0}, v[ELECTION_PARTY_MAX], counted = 0, expected = 0;
    rbuf row = {0};
    int first = 1;
    for (uint32_t i = 0; i < el->ndistrict[k]; i++) {
        uint32_t d = x->by_kode[k][i];
        if (!r24d_in(x, k, reg, d))
            continue;
        uint64_t c, e;
        r24d_sums(x, t, k, d, &ps, v, &c, &e);
        counted += c;
        expected += e;
        rbuf_puts(&row, first ? "\"" : ",\"");
        first = 0;
        rbuf_puts(&row, x->kode[k][d]);
        rbuf_puts(&row, "\":{");
        for (unsigned p = 0; p < ps.n; p++) {
            sum[p] += v[p];
            render_num(&row, p ? ",\"" : "\"", ps.no[p]);
            render_num(&row, "\":", v[p]);
        }
        rbuf_puts(&row, ps.n ? ",\"persen\":" : "\"persen\":");
        render_pct(&row, c, e);
        rbuf_put(&row, "}", 1);
    }
    r24d_open(b, ts, &ps, sum); /* no persen in this chart (2024) */
    rbuf_puts(b, "},\"table\":{");
    if (row.len)
        rbuf_put(b, row.p, row.len);
    rbuf_free(&row);
    render_progres(b, counted, expected);
}

void render24_dapil(rbuf *b, const render24 *x, const tally *t, contest_kind k, uint32_t d,
                    const char *ts)
{
    assert(contest_is_party_list(k) && d < x->el->ndistrict[k]);
    const election_district *ds = &x->el->district[k][d];
    render24_party_set ps;
    render24_parties_of(x, k, r24d_prov(x, k, d), &ps);
    uint64_t v[ELECTION_PARTY_MAX], counted, expected;
    r24d_sums(x, t, k, d, &ps, v, &counted, &expected);
    uint32_t n;
    const uint64_t *dv = tally_district(t, k, d, &n); /* candidates, then party-only per list */
    r24d_open(b, ts, &ps, v);
    rbuf_puts(b, ps.n ? ",\"persen\":" : "\"persen\":");
    render_pct(b, counted, expected);
    rbuf_puts(b, "},\"table\":{");
    uint32_t ncand = 0; /* candidates of all lists: where party-only counts start */
    for (uint16_t l = 0; l < ds->nlist; l++)
        ncand += ds->list[l].ncand;
    assert(ncand + ds->nlist == n);
    for (unsigned p = 0; p < ps.n; p++) {
        render_num(b, p ? ",\"" : "\"", ps.no[p]);
        rbuf_puts(b, "\":{");
        uint32_t off = 0, id0 = x->cand0[k][d];
        uint64_t party_only = 0;
        for (uint16_t l = 0; l < ds->nlist; l++) {
            const election_list *li = &ds->list[l];
            if (li->party == ps.no[p]) {
                for (uint16_t c = 0; c < li->ncand; c++) {
                    render_num(b, "\"", id0 + off + c);
                    render_num(b, "\":", dv[off + c]);
                    rbuf_put(b, ",", 1);
                }
                party_only = dv[ncand + l];
            }
            off += li->ncand;
        }
        render_num(b, "\"jml_suara_total\":", v[p]);
        render_num(b, ",\"jml_suara_partai\":", party_only);
        rbuf_put(b, "}", 1);
    }
    render_progres(b, counted, expected);
}
