/* render_2024_lists — the lists of the 2024 layout (render_2024.h): region
 * lists per contest (wilayah), dapil lists, the pairs, the parties and the
 * candidate lists. None of them changes while an election is loaded. */
#include "http/render_2024.h"
#include "http/render_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* ------------------------------------------------------ region lists */

static __thread const election *wil_el; /* qsort has no context argument */

/* By name in byte order as 2024 listed them, then by code. */
static int wil_cmp(const void *a, const void *b)
{
    const region *x = &wil_el->tree->node[*(const uint32_t *)a];
    const region *y = &wil_el->tree->node[*(const uint32_t *)b];
    int c = strcmp(x->name, y->name);
    return c ? c : strcmp(x->code, y->code);
}

void render24_wilayah(rbuf *b, const render24 *x, contest_kind k, uint32_t reg)
{
    const region *rg = &x->el->tree->node[reg];
    uint32_t *kids = mem_calloc(rg->nchild ? rg->nchild : 1, sizeof *kids), n = 0;
    for (uint32_t c = rg->child; rg->nchild && c < rg->child + rg->nchild; c++)
        if (x->mask[c] & (1u << k))
            kids[n++] = c;
    wil_el = x->el;
    qsort(kids, n, sizeof *kids, wil_cmp); /* 2024 listed children by name */
    rbuf_put(b, "[", 1);
    for (uint32_t i = 0; i < n; i++) {
        const region *cr = &x->el->tree->node[kids[i]];
        rbuf_puts(b, i ? ",{" : "{");
        render_kv_str(b, "nama", cr->name);
        render_num(b, ",\"id\":", render24_region_id(kids[i]));
        rbuf_put(b, ",", 1);
        render_kv_str(b, "kode", cr->code);
        render_num(b, ",\"tingkat\":", cr->level);
        rbuf_put(b, "}", 1);
    }
    rbuf_puts(b, "]\n");
    free(kids);
}

void render24_dapil_list(rbuf *b, const render24 *x, contest_kind k, uint32_t reg)
{
    const election *el = x->el;
    int first = 1;
    rbuf_put(b, "[", 1);
    for (uint32_t i = 0; i < el->ndistrict[k]; i++) {
        uint32_t d = x->by_kode[k][i];
        if (k == CONTEST_DPR ? reg != 0 : x->home[k][d] != reg)
            continue;
        rbuf_puts(b, first ? "{" : ",{");
        first = 0;
        if (k == CONTEST_DPR) { /* dapil_dpr.json: nama, id, kode */
            render_kv_str(b, "nama", el->district[k][d].name);
            render_num(b, ",\"id\":", render24_dapil_id(k, d));
            rbuf_put(b, ",", 1);
            render_kv_str(b, "kode", x->kode[k][d]);
        } else {
            render_num(b, "\"id_dapil\":", render24_dapil_id(k, d));
            rbuf_put(b, ",", 1);
            render_kv_str(b, "kode_dapil", x->kode[k][d]);
            rbuf_put(b, ",", 1);
            render_kv_str(b, "nama_dapil", el->district[k][d].name);
        }
        rbuf_put(b, "}", 1);
    }
    rbuf_puts(b, "]\n");
}

/* ----------------------------------------------- pairs and parties */

void render24_pairs(rbuf *b, const render24 *x, const char *ts)
{
    /* the 2024 colours of pairs 1, 2, 3, then more */
    static const char *const colour[] = {"#8CB9BD", "#C7B7A3", "#B67352",
                                         "#80B9AD", "#83B4FF", "#EE4E4E"};
    const election *el = x->el;
    const election_district *d = el->ndistrict[CONTEST_PPWP] ? &el->district[CONTEST_PPWP][0] : NULL;
    rbuf_put(b, "{", 1);
    for (unsigned i = 0; d && i < d->ncand; i++) {
        render_num(b, i ? ",\"" : "\"", RENDER24_PAIR_BASE + d->cand[i].no);
        rbuf_puts(b, "\":{");
        render_kv_str(b, "ts", ts);
        rbuf_put(b, ",", 1);
        render_kv_str(b, "nama", d->cand[i].name);
        rbuf_puts(b, ",\"warna\":\"");
        rbuf_puts(b, colour[i % (sizeof colour / sizeof colour[0])]);
        render_num(b, "\",\"nomor_urut\":", d->cand[i].no);
        rbuf_put(b, "}", 1);
    }
    rbuf_puts(b, "}\n");
}

/* The colours of parties 1..24 in the commission's 2024 partai.json (as
 * zakiego/data-pemilu-2024 src/lib/partai.ts holds it); grey beyond. */
static const char *parties_colour(unsigned no)
{
    static const char *const c[] = {
        NULL,      "#00764A", "#990001", "#D52027", "#FFF051", "#242464", "#FF6800", "#02CCFF",
        "#FC5100", "#FE0000", "#EE9B11", "#01274D", "#0054A3", "#00331C", "#004C9A", "#E62128",
        "#243E80", "#036302", "#FE6F37", "#000000", "#6ABDF7", "#DA2526", "#017C3A", "#35A9E2",
        "#000000",
    };
    return no < sizeof c / sizeof c[0] && c[no] ? c[no] : "#808080";
}

void render24_parties(rbuf *b, const render24 *x, const char *ts)
{
    const election *el = x->el;
    rbuf_put(b, "{", 1);
    for (uint16_t i = 0; i < el->nparty; i++) {
        const election_party *p = &el->party[i];
        render_num(b, i ? ",\"" : "\"", p->no);
        rbuf_puts(b, "\":{");
        render_kv_str(b, "ts", ts);
        render_num(b, ",\"id_partai\":", RENDER24_PARTY_BASE + p->no);
        render_num(b, ",\"id_pilihan\":", p->no);
        rbuf_puts(b, ",\"is_aceh\":");
        render_bool(b, p->only_in && !strcmp(p->only_in, "11"));
        rbuf_put(b, ",", 1);
        render_kv_str(b, "nama", p->name); /* 2024: the full name in both */
        rbuf_put(b, ",", 1);
        render_kv_str(b, "nama_lengkap", p->name);
        render_num(b, ",\"nomor_urut\":", p->no);
        rbuf_puts(b, ",\"warna\":\"");
        rbuf_puts(b, parties_colour(p->no));
        rbuf_puts(b, "\"}");
    }
    rbuf_puts(b, "}\n");
}

/* ------------------------------------------------- candidate lists */

/* "<id>":{"nama","nomor_urut","jenis_kelamin","tempat_tinggal"}. The
 * election definition has no residence: "" (docs/API.md). */
static void caleg_one(rbuf *b, uint32_t id, const election_candidate *c, int first)
{
    render_num(b, first ? "\"" : ",\"", id);
    rbuf_puts(b, "\":{");
    render_kv_str(b, "nama", c->name);
    render_num(b, ",\"nomor_urut\":", c->no);
    rbuf_puts(b, c->sex == 'P' ? ",\"jenis_kelamin\":\"P\"" : ",\"jenis_kelamin\":\"L\"");
    rbuf_puts(b, ",\"tempat_tinggal\":\"\"}");
}

void render24_caleg(rbuf *b, const render24 *x, contest_kind k, uint32_t d)
{
    const election_district *ds = &x->el->district[k][d];
    uint32_t id0 = x->cand0[k][d];
    rbuf_put(b, "{", 1);
    if (!contest_is_party_list(k)) {
        for (uint16_t i = 0; i < ds->ncand; i++)
            caleg_one(b, id0 + i, &ds->cand[i], i == 0);
        rbuf_puts(b, "}\n");
        return;
    }
    render24_party_set ps;
    render24_parties_of(x, k, x->el->tree->node[x->home[k][d]].code, &ps);
    for (unsigned p = 0; p < ps.n; p++) {
        render_num(b, p ? ",\"" : "\"", ps.no[p]);
        rbuf_puts(b, "\":");
        uint32_t off = 0;
        int listed = 0;
        for (uint16_t l = 0; l < ds->nlist; l++) {
            const election_list *li = &ds->list[l];
            if (li->party == ps.no[p]) {
                rbuf_put(b, "{", 1);
                for (uint16_t c = 0; c < li->ncand; c++)
                    caleg_one(b, id0 + off + c, &li->cand[c], c == 0);
                rbuf_put(b, "}", 1);
                listed = 1;
            }
            off += li->ncand;
        }
        if (!listed) /* 2024: null for a party without a list in the dapil */
            rbuf_puts(b, "null");
    }
    rbuf_puts(b, "}\n");
}
