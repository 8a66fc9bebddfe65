/* render_2024_ids — the context of the 2024 layout (render_2024.h): ids,
 * dapil codes, homes, which parties run. Computed once from the election
 * definition alone, so every id is the same after a restart. */
#include "http/render_2024.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

const char *const render24_contest[CONTEST_KINDS] = {
    [CONTEST_PPWP] = "ppwp",        [CONTEST_DPR] = "pdpr",         [CONTEST_DPD] = "pdpd",
    [CONTEST_DPRD_PROV] = "pdprdp", [CONTEST_DPRD_KAB] = "pdprdk",
};

int render24_contest_parse(const char *s, size_t n)
{
    for (int k = 0; k < CONTEST_KINDS; k++)
        if (strlen(render24_contest[k]) == n && !memcmp(s, render24_contest[k], n))
            return k;
    return -1;
}

/* The first domestic region of district d, or its first region when it
 * has none (an overseas-only DPR district): its home lies above it. */
static const region *ids_anchor(const election *el, const election_district *d)
{
    assert(d->nregion > 0); /* election_link refuses empty districts */
    for (uint32_t i = 0; i < d->nregion; i++) {
        const region *r = &el->tree->node[d->region[i]];
        if (!region_overseas(r))
            return r;
    }
    return &el->tree->node[d->region[0]];
}

static int ids_home_level(contest_kind k)
{
    return k == CONTEST_DPRD_KAB ? REGION_KABKOTA : k == CONTEST_PPWP ? REGION_NATIONAL
                                                                      : REGION_PROVINCE;
}

/* Homes and codes of kind k's districts: the n-th district of a home (in
 * definition order) is number n; 2024 wrote DPR "PPNN", DPRD provinsi
 * "PP00NN", DPRD kab/kota "KKKKNN", DPD the province. */
static void ids_codes(render24 *x, contest_kind k)
{
    const election *el = x->el;
    uint32_t nd = el->ndistrict[k];
    x->home[k] = mem_calloc(nd ? nd : 1, sizeof *x->home[k]);
    x->kode[k] = mem_calloc(nd ? nd : 1, sizeof *x->kode[k]);
    for (uint32_t d = 0; d < nd; d++) {
        const election_district *ds = &el->district[k][d];
        x->home[k][d] = region_ancestor(el->tree, (uint32_t)(ids_anchor(el, ds) - el->tree->node),
                                        ids_home_level(k));
        unsigned no = 1;
        for (uint32_t e = 0; e < d; e++)
            no += x->home[k][e] == x->home[k][d];
        const char *home = el->tree->node[x->home[k][d]].code;
        char *out = x->kode[k][d];
        /* homes: a province (2 digits) or a kab/kota (4) */
        if (k == CONTEST_DPRD_KAB)
            snprintf(out, RENDER24_KODE_MAX, "%.4s%02u", home, no % 100);
        else if (k == CONTEST_DPR)
            snprintf(out, RENDER24_KODE_MAX, "%.2s%02u", home, no % 100);
        else if (k == CONTEST_DPRD_PROV)
            snprintf(out, RENDER24_KODE_MAX, "%.2s00%02u", home, no % 100);
        else
            snprintf(out, RENDER24_KODE_MAX, "%.2s", home);
    }
}

static __thread const render24 *ids_sort_ctx; /* qsort has no context argument */
static __thread contest_kind ids_sort_kind;

static int ids_kode_cmp(const void *a, const void *b)
{
    uint32_t i = *(const uint32_t *)a, j = *(const uint32_t *)b;
    int c = strcmp(ids_sort_ctx->kode[ids_sort_kind][i], ids_sort_ctx->kode[ids_sort_kind][j]);
    return c ? c : (i > j) - (i < j);
}

render24 *render24_new(const election *el, const uint8_t *mask, const char *base_url)
{
    render24 *x = mem_calloc(1, sizeof *x);
    x->el = el;
    x->mask = mask;
    x->base_url = mem_strdup(base_url ? base_url : "");
    uint32_t next = RENDER24_CAND_BASE;
    for (int k = 0; k < CONTEST_KINDS; k++) {
        uint32_t nd = el->ndistrict[k];
        x->cand0[k] = mem_calloc(nd ? nd : 1, sizeof *x->cand0[k]);
        for (uint32_t d = 0; k != CONTEST_PPWP && d < nd; d++) {
            const election_district *ds = &el->district[k][d];
            x->cand0[k][d] = next;
            next += ds->ncand;
            for (uint16_t l = 0; l < ds->nlist; l++) {
                next += ds->list[l].ncand;
                x->runs[k][ds->list[l].party] = 1;
            }
        }
        ids_codes(x, (contest_kind)k);
        x->by_kode[k] = mem_calloc(nd ? nd : 1, sizeof *x->by_kode[k]);
        for (uint32_t d = 0; d < nd; d++)
            x->by_kode[k][d] = d;
        ids_sort_ctx = x;
        ids_sort_kind = (contest_kind)k;
        qsort(x->by_kode[k], nd, sizeof *x->by_kode[k], ids_kode_cmp);
    }
    /* a national election's candidates stay far below 2^31 */
    assert(next < (1u << 31));
    return x;
}

void render24_free(render24 *x)
{
    if (!x)
        return;
    for (int k = 0; k < CONTEST_KINDS; k++) {
        free(x->cand0[k]);
        free(x->kode[k]);
        free(x->home[k]);
        free(x->by_kode[k]);
    }
    free(x->base_url);
    free(x);
}

uint32_t render24_dapil_find(const render24 *x, contest_kind k, const char *kode)
{
    uint32_t lo = 0, hi = x->el->ndistrict[k];
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int c = strcmp(x->kode[k][x->by_kode[k][mid]], kode);
        if (c == 0)
            return x->by_kode[k][mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return ELECTION_NONE;
}

uint32_t render24_dapil_id(contest_kind k, uint32_t d)
{
    static const uint32_t base[CONTEST_KINDS] = {
        [CONTEST_PPWP] = 1, [CONTEST_DPR] = 5001, [CONTEST_DPD] = 15001,
        [CONTEST_DPRD_PROV] = 25001, [CONTEST_DPRD_KAB] = 35001,
    };
    assert(d < ELECTION_DISTRICTS_MAX); /* so the kinds' ranges never meet */
    return base[k] + d;
}
