/* election — the election definition's model: contest kinds, the
 * election object (new, free), its lookups, and the ERR_* return value of
 * each ELECTION_* error code. Reading, checking and writing a definition
 * are the other parts of the module (election_internal.h lists them). */
#include "core/election.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/election_internal.h"
#include "core/mem.h"

/* ------------------------------------------------------------------ kinds */

const char *const contest_kind_id[CONTEST_KINDS] = {
    "ppwp", "dpr", "dpd", "dprd_prov", "dprd_kab",
};

int contest_is_party_list(contest_kind k)
{
    return k == CONTEST_DPR || k == CONTEST_DPRD_PROV || k == CONTEST_DPRD_KAB;
}

int contest_kind_parse(const char *id)
{
    for (int k = 0; id && k < CONTEST_KINDS; k++)
        if (strcmp(id, contest_kind_id[k]) == 0)
            return k;
    return -1;
}

/* ------------------------------------------------------- the election object */

size_t election_tree_tps(const region_tree *t)
{
    return t->level_start[REGION_TPS + 1] - t->level_start[REGION_TPS];
}

void election_tps_reset(election *el)
{
    free(el->tps);
    el->ntps = election_tree_tps(el->tree);
    el->tps = mem_calloc(el->ntps, sizeof *el->tps);
    for (size_t i = 0; i < el->ntps; i++)
        for (int k = 0; k < CONTEST_KINDS; k++)
            el->tps[i].district[k] = ELECTION_NONE;
}

election *election_new(region_tree *tree)
{
    election *el = mem_calloc(1, sizeof *el);
    el->tree = tree;
    /* The law's defaults (PKPU 25/2023): 2% reserve, DPTb and DPK voters
     * get ballots from that reserve, 300 voters per TPS. */
    el->rules.reserve_permille = 20;
    el->rules.reserve_dptb = 1;
    el->rules.reserve_dpk = 1;
    el->rules.tps_max_dpt = 300;
    election_tps_reset(el);
    return el;
}

static void candidates_free(election_candidate *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].name);
    free(c);
}

static void district_free(election_district *d)
{
    free(d->id);
    free(d->name);
    free(d->region);
    candidates_free(d->cand, d->ncand);
    for (size_t l = 0; l < d->nlist; l++)
        candidates_free(d->list[l].cand, d->list[l].ncand);
    free(d->list);
}

void election_free(election *el)
{
    if (!el)
        return;
    free(el->name);
    for (size_t i = 0; i < el->nparty; i++) {
        free(el->party[i].abbrev);
        free(el->party[i].name);
        free(el->party[i].only_in);
    }
    free(el->party);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        for (size_t d = 0; d < el->ndistrict[k]; d++)
            district_free(&el->district[k][d]);
        free(el->district[k]);
    }
    region_tree_free(el->tree);
    free(el->tps);
    free(el);
}

/* ------------------------------------------------------------------ errors */

/* Machine codes map onto the return codes the header promises. */
static int code_rc(const char *code)
{
    if (strcmp(code, E_LIMIT) == 0)
        return ERR_LIMIT;
    if (strcmp(code, E_REGION) == 0 || strcmp(code, E_PARTY_UNKNOWN) == 0)
        return ERR_NOTFOUND;
    return ERR_INVALID;
}

int election_fail(err_info *e, const char *code, const char *where, const char *fmt,
                  ...)
{
    char msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(e, code_rc(code), code, where, "%s", msg);
}

/* ----------------------------------------------------------------- lookups */

uint32_t election_tps_find(const election *el, const char *code)
{
    uint32_t idx = region_find(el->tree, code);
    if (idx == REGION_NONE || el->tree->node[idx].level != REGION_TPS)
        return ELECTION_NONE;
    size_t i = idx - el->tree->level_start[REGION_TPS];
    return i < el->ntps ? (uint32_t)i : ELECTION_NONE;
}

const region *election_tps_region(const election *el, uint32_t i)
{
    if (i >= el->ntps)
        return NULL;
    return &el->tree->node[el->tree->level_start[REGION_TPS] + i];
}

const election_district *election_tps_district(const election *el, uint32_t i,
                                               contest_kind k)
{
    if (i >= el->ntps || (unsigned)k >= CONTEST_KINDS)
        return NULL;
    uint32_t d = el->tps[i].district[k];
    return d == ELECTION_NONE ? NULL : &el->district[k][d];
}

const election_district *election_region_district(const election *el, contest_kind k,
                                                   uint32_t reg)
{
    for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
        const election_district *ds = &el->district[k][d];
        for (uint32_t i = 0; i < ds->nregion; i++)
            if (region_is_within(el->tree, reg, ds->region[i]))
                return ds;
    }
    return NULL;
}

const election_party *election_party_find(const election *el, unsigned no)
{
    size_t lo = 0, hi = el->nparty;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (el->party[mid].no == no)
            return &el->party[mid];
        if (el->party[mid].no < no)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}
