/* tally — running totals by deltas; see tally.h. */
#include "core/tally.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* Party ballot number -> index into election.party, for row selections. */
static int tally_party_index(const election *el, unsigned no)
{
    const election_party *p = election_party_find(el, no);
    return p ? (int)(p - el->party) : -1;
}

static uint32_t tally_district_width(const election_district *d)
{
    if (!contest_is_party_list(d->kind))
        return d->ncand;
    uint32_t n = d->nlist; /* one party-only count per list */
    for (uint16_t i = 0; i < d->nlist; i++)
        n += d->list[i].ncand;
    return n;
}

static void tally_init_kind(tally *t, contest_kind k)
{
    const election *el = t->el;
    unsigned w = 0;
    if (contest_is_party_list(k)) {
        w = el->nparty;
    } else {
        for (uint32_t d = 0; d < el->ndistrict[k]; d++)
            if (el->district[k][d].ncand > w)
                w = el->district[k][d].ncand;
    }
    t->width[k] = w;
    t->row[k] = mem_calloc(t->nregion, sizeof(tally_row));
    t->sel[k] = mem_calloc((size_t)t->nregion * (w ? w : 1), sizeof(uint64_t));

    uint32_t nd = el->ndistrict[k];
    t->dist_off[k] = mem_calloc(nd + 1, sizeof(uint32_t));
    for (uint32_t d = 0; d < nd; d++)
        t->dist_off[k][d + 1] = t->dist_off[k][d] + tally_district_width(&el->district[k][d]);
    t->dist[k] = mem_calloc(t->dist_off[k][nd] ? t->dist_off[k][nd] : 1, sizeof(uint64_t));
    t->tps_counted[k] = mem_calloc(el->ntps ? el->ntps : 1, 1);
    t->tps_flagged[k] = mem_calloc(el->ntps ? el->ntps : 1, 1);
}

/* Every TPS where a ballot is cast counts as expected in all its regions. */
static void tally_count_expected(tally *t)
{
    const region_tree *tree = t->el->tree;
    size_t base = tree->level_start[REGION_TPS];
    for (size_t i = 0; i < t->el->ntps; i++) {
        for (int k = 0; k < CONTEST_KINDS; k++) {
            if (t->el->tps[i].district[k] == ELECTION_NONE)
                continue;
            for (uint32_t r = tree->node[base + i].parent; r != REGION_NONE; r = tree->node[r].parent)
                t->row[k][r].tps_expected++;
        }
    }
}

tally *tally_new(const election *el)
{
    tally *t = mem_calloc(1, sizeof *t);
    t->el = el;
    t->nregion = (uint32_t)el->tree->level_start[REGION_TPS];
    for (int k = 0; k < CONTEST_KINDS; k++)
        tally_init_kind(t, (contest_kind)k);
    tally_count_expected(t);
    return t;
}

static void *tally_dup(const void *p, size_t n)
{
    void *q = mem_alloc(n ? n : 1);
    memcpy(q, p, n);
    return q;
}

tally *tally_clone_kind(const tally *src, contest_kind k)
{
    const election *el = src->el;
    tally *t = mem_calloc(1, sizeof *t);
    uint32_t nd = el->ndistrict[k];
    t->el = el;
    t->nregion = src->nregion;
    t->width[k] = src->width[k];
    t->row[k] = tally_dup(src->row[k], t->nregion * sizeof(tally_row));
    t->sel[k] = tally_dup(src->sel[k], (size_t)t->nregion * (t->width[k] ? t->width[k] : 1) * 8);
    t->dist_off[k] = tally_dup(src->dist_off[k], (nd + 1) * sizeof(uint32_t));
    t->dist[k] = tally_dup(src->dist[k], (src->dist_off[k][nd] ? src->dist_off[k][nd] : 1) * 8);
    t->tps_counted[k] = tally_dup(src->tps_counted[k], el->ntps ? el->ntps : 1);
    t->tps_flagged[k] = tally_dup(src->tps_flagged[k], el->ntps ? el->ntps : 1);
    return t;
}

void tally_free(tally *t)
{
    if (!t)
        return;
    for (int k = 0; k < CONTEST_KINDS; k++) {
        free(t->row[k]);
        free(t->sel[k]);
        free(t->dist_off[k]);
        free(t->dist[k]);
        free(t->tps_counted[k]);
        free(t->tps_flagged[k]);
    }
    free(t);
}

/* Does the form have exactly the ballot of district d? Checked before any
 * total moves, so a bad form changes nothing. */
static int tally_shape_ok(const election *el, const election_district *d, const form *f)
{
    if (!contest_is_party_list(d->kind))
        return f->nparty == 0 && f->nvotes == d->ncand;
    if (f->nparty != d->nlist)
        return 0;
    unsigned off = 0; /* candidates' votes lie in list order, as in the district */
    for (uint16_t i = 0; i < d->nlist; i++) {
        if (f->party[i].no != d->list[i].party || f->party[i].ncand != d->list[i].ncand ||
            f->party[i].cand != off || tally_party_index(el, f->party[i].no) < 0)
            return 0;
        off += f->party[i].ncand;
    }
    return off == f->nvotes;
}

/* Add v * sign to an unsigned counter: wraps back exactly on removal. */
static inline void tally_add(uint64_t *c, uint64_t v, int sign)
{
    assert(sign == 1 || sign == -1);
    *c += sign > 0 ? v : (uint64_t)0 - v;
}

/* The row selection of party list i of f: its party's index into
 * election.party. Never -1: tally_shape_ok refused forms whose parties the
 * election does not know before anything moved. */
static unsigned tally_party_sel(const tally *t, const form *f, uint16_t i)
{
    int p = tally_party_index(t->el, f->party[i].no);
    assert(p >= 0 && (unsigned)p < t->width[f->kind]);
    return (unsigned)p;
}

static void tally_add_row(tally *t, contest_kind k, uint32_t r, const form *f, int sign)
{
    tally_row *row = &t->row[k][r];
    assert(sign > 0 || row->tps_counted > 0);
    row->rev++;
    row->tps_counted += (uint32_t)sign;
    tally_add(&row->dpt, (uint64_t)f->dpt.total + f->dptb.total + f->dpk.total, sign);
    tally_add(&row->voters, f->b4.total, sign);
    tally_add(&row->valid, f->valid, sign);
    tally_add(&row->invalid, f->invalid, sign);
    tally_add(&row->total, f->total, sign);

    uint64_t *sel = &t->sel[k][(size_t)r * t->width[k]];
    if (!contest_is_party_list(k)) {
        assert(f->nvotes <= t->width[k]); /* the widest ballot of the contest */
        for (uint16_t i = 0; i < f->nvotes; i++)
            tally_add(&sel[i], f->votes[i], sign);
        return;
    }
    for (uint16_t i = 0; i < f->nparty; i++)
        tally_add(&sel[tally_party_sel(t, f, i)], f->party[i].total, sign);
}

static void tally_add_district(tally *t, contest_kind k, uint32_t d, const form *f, int sign)
{
    uint64_t *v = &t->dist[k][t->dist_off[k][d]];
    /* the district's width: its candidates, then one party-only count per list */
    assert((uint32_t)f->nvotes + f->nparty == t->dist_off[k][d + 1] - t->dist_off[k][d]);
    for (uint16_t i = 0; i < f->nvotes; i++)
        tally_add(&v[i], f->votes[i], sign);
    for (uint16_t i = 0; i < f->nparty; i++)
        tally_add(&v[f->nvotes + i], f->party[i].party_only, sign);
}

int tally_fits(const tally *t, const form *f, uint32_t tps)
{
    if (tps >= t->el->ntps || f->kind >= CONTEST_KINDS)
        return ERR_INVALID;
    uint32_t d = t->el->tps[tps].district[f->kind];
    if (d == ELECTION_NONE || !tally_shape_ok(t->el, &t->el->district[f->kind][d], f))
        return ERR_INVALID;
    return 0;
}

int tally_apply(tally *t, const form *f, uint32_t tps, int sign)
{
    if ((sign != 1 && sign != -1) || tally_fits(t, f, tps) < 0)
        return ERR_INVALID;
    contest_kind k = f->kind;
    uint32_t d = t->el->tps[tps].district[k];

    const region_tree *tree = t->el->tree;
    uint32_t node = (uint32_t)(tree->level_start[REGION_TPS] + tps);
    for (uint32_t r = tree->node[node].parent; r != REGION_NONE; r = tree->node[r].parent)
        tally_add_row(t, k, r, f, sign);
    tally_add_district(t, k, d, f, sign);
    assert(sign > 0 || t->tps_counted[k][tps] > 0); /* only what was put in comes out */
    t->tps_counted[k][tps] += (uint8_t)sign;
    return 0;
}

void tally_flag(tally *t, contest_kind k, uint32_t tps, int sign)
{
    assert(k < CONTEST_KINDS && tps < t->el->ntps && (sign == 1 || sign == -1));
    /* a flag goes in with a counted form and comes out no more than went in */
    assert(sign > 0 ? t->tps_counted[k][tps] > 0 : t->tps_flagged[k][tps] > 0);
    const region_tree *tree = t->el->tree;
    uint32_t node = (uint32_t)(tree->level_start[REGION_TPS] + tps);
    for (uint32_t r = tree->node[node].parent; r != REGION_NONE; r = tree->node[r].parent) {
        assert(sign > 0 || t->row[k][r].tps_flagged > 0);
        t->row[k][r].tps_flagged += (uint32_t)sign;
        t->row[k][r].rev++;
    }
    t->tps_flagged[k][tps] += (uint8_t)sign;
}

const tally_row *tally_region(const tally *t, contest_kind k, uint32_t reg)
{
    return reg < t->nregion ? &t->row[k][reg] : NULL;
}

const uint64_t *tally_region_sel(const tally *t, contest_kind k, uint32_t reg)
{
    return reg < t->nregion ? &t->sel[k][(size_t)reg * t->width[k]] : NULL;
}

const uint64_t *tally_district(const tally *t, contest_kind k, uint32_t d, uint32_t *n)
{
    if (d >= t->el->ndistrict[k])
        return NULL;
    *n = t->dist_off[k][d + 1] - t->dist_off[k][d];
    return &t->dist[k][t->dist_off[k][d]];
}
