/* replay_expect — the totals the replay must end with (replay_prep.h):
 * for the nation (slot 0) and each province (slot 1 + its index among the
 * provinces), per contest, the fields of /api/v1/results/<contest>/<code>.json
 * and its selections in the document's order (PPWP and DPD: by ballot
 * position; party lists: every party of the election, in ballot order). */
#include "replay_prep.h"

#include <stdlib.h>

#include "core/mem.h"

typedef struct expect_row {
    uint64_t tps, dpt, voters, valid, invalid, total;
    uint64_t *sel;                 /* width of the contest */
} expect_row;

struct replay_expect {
    const election *el;
    uint32_t nslot;                /* 1 + provinces */
    unsigned width[CONTEST_KINDS];
    uint8_t party_index[100];      /* ballot number -> index in el->party */
    expect_row *row[2][CONTEST_KINDS]; /* [which][kind][slot] */
};

/* Room for the selections of any region's document: every party, or the
 * most candidates a ballot may have (the document lists its own). */
static unsigned contest_width(const election *el, contest_kind k)
{
    return contest_is_party_list(k) ? el->nparty : ELECTION_CANDIDATES_MAX;
}

replay_expect *replay_expect_new(const election *el)
{
    replay_expect *x = mem_calloc(1, sizeof *x);
    const region_tree *t = el->tree;
    x->el = el;
    x->nslot = 1 + (uint32_t)(t->level_start[REGION_KABKOTA] - t->level_start[REGION_PROVINCE]);
    for (uint16_t i = 0; i < el->nparty; i++)
        x->party_index[el->party[i].no % 100] = (uint8_t)i;
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < CONTEST_KINDS; k++) {
            x->width[k] = contest_width(el, (contest_kind)k);
            x->row[w][k] = mem_calloc(x->nslot, sizeof *x->row[w][k]);
            for (uint32_t s = 0; s < x->nslot; s++)
                x->row[w][k][s].sel = mem_calloc(x->width[k] + 1, sizeof(uint64_t));
        }
    return x;
}

void replay_expect_free(replay_expect *x)
{
    if (!x)
        return;
    for (int w = 0; w < 2; w++)
        for (int k = 0; k < CONTEST_KINDS; k++) {
            for (uint32_t s = 0; s < x->nslot; s++)
                free(x->row[w][k][s].sel);
            free(x->row[w][k]);
        }
    free(x);
}

static void row_add(const replay_expect *x, expect_row *r, const form *f)
{
    r->tps++;
    r->dpt += (uint64_t)f->dpt.total + f->dptb.total + f->dpk.total;
    r->voters += f->b4.total;
    r->valid += f->valid;
    r->invalid += f->invalid;
    r->total += f->total;
    if (!contest_is_party_list(f->kind)) {
        for (unsigned i = 0; i < f->nvotes && i < x->width[f->kind]; i++)
            r->sel[i] += f->votes[i];
        return;
    }
    for (unsigned i = 0; i < f->nparty; i++)
        r->sel[x->party_index[f->party[i].no % 100]] += f->party[i].total;
}

void replay_expect_add(replay_expect *x, int which, uint32_t tps, const form *f)
{
    const region_tree *t = x->el->tree;
    uint32_t node = (uint32_t)t->level_start[REGION_TPS] + tps;
    uint32_t prov = region_ancestor(t, node, REGION_PROVINCE);
    expect_row *rows = x->row[which][f->kind];
    row_add(x, &rows[0], f);
    if (prov != REGION_NONE)
        row_add(x, &rows[1 + prov - t->level_start[REGION_PROVINCE]], f);
}

/* The votes the region's document lists: none for DPD above a province
 * (its provinces' ballots differ), the ballot's candidates for PPWP and a
 * province's DPD, every party for the party lists. */
static unsigned listed(const replay_expect *x, contest_kind k, uint32_t node)
{
    if (contest_is_party_list(k))
        return x->width[k];
    const election_district *d = election_region_district(x->el, k, node);
    return d ? d->ncand : 0;
}

static void row_write(const expect_row *r, unsigned nsel, FILE *out)
{
    fprintf(out,
            "{\"tps_counted\":%llu,\"dpt\":%llu,\"voters\":%llu,\"valid\":%llu,"
            "\"invalid\":%llu,\"total\":%llu,\"votes\":[",
            (unsigned long long)r->tps, (unsigned long long)r->dpt,
            (unsigned long long)r->voters, (unsigned long long)r->valid,
            (unsigned long long)r->invalid, (unsigned long long)r->total);
    for (unsigned i = 0; i < nsel; i++)
        fprintf(out, "%s%llu", i ? "," : "", (unsigned long long)r->sel[i]);
    fputs("]}", out);
}

static void kind_write(const replay_expect *x, contest_kind k, FILE *out)
{
    const region_tree *t = x->el->tree;
    int first = 1;
    fprintf(out, "\"%s\":{", contest_kind_id[k]);
    for (uint32_t s = 0; s < x->nslot; s++) {
        const expect_row *truth = &x->row[EXPECT_TRUTH][k][s];
        if (!truth->tps)
            continue; /* not cast there, or outside the scope: the document is a 404 */
        uint32_t node = s ? (uint32_t)t->level_start[REGION_PROVINCE] + s - 1 : 0;
        unsigned nsel = listed(x, k, node);
        fprintf(out, "%s\n\"%s\":{\"truth\":", first ? "" : ",", t->node[node].code);
        row_write(truth, nsel, out);
        fputs(",\"expected\":", out);
        row_write(&x->row[EXPECT_COUNTED][k][s], nsel, out);
        fputs("}", out);
        first = 0;
    }
    fputs("}", out);
}

void replay_expect_write(const replay_expect *x, FILE *out)
{
    fputs("{", out);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        if (k)
            fputs(",\n", out);
        kind_write(x, (contest_kind)k, out);
    }
    fputs("}", out);
}
