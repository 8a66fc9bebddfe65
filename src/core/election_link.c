/* election_link — election_link: every rule of an election definition
 * that is not about JSON (docs/FORMATS.md: rules ranges, parties, seats,
 * candidate numbering, lists, district ids and scope, DPT per TPS), and
 * each TPS's district per contest kind from the districts' region lists.
 * The reader and the generator both end here, so a definition built in
 * memory is held to the same rules as one read from a file; errors carry
 * the JSON path where election_write would put the offending item. */
#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/election_internal.h"
#include "core/mem.h"

/* JSON path of TPS i: "tps.<desa code>[<number - 1>]". */
static void tps_where(const election *el, size_t i, char *where, size_t cap)
{
    const region *r = election_tps_region(el, (uint32_t)i);
    snprintf(where, cap, "tps.%.10s[%d]", r->code, atoi(r->code + 10) - 1);
}

static int check_rules(const election *el, err_info *e)
{
    if (el->rules.reserve_permille > 1000)
        return election_fail(e, E_RANGE, "rules.ballot_reserve_permille",
                             "the ballot reserve is %u permille, more than 1000",
                             el->rules.reserve_permille);
    if (el->rules.tps_max_dpt < 1 || el->rules.tps_max_dpt > ELECTION_DPT_MAX)
        return election_fail(e, E_RANGE, "rules.tps_max_dpt",
                             "at most %u voters per TPS is outside 1..%d",
                             el->rules.tps_max_dpt, ELECTION_DPT_MAX);
    return 0;
}

/* Parties: numbers 1..99 in strictly ascending order (party_find relies on
 * it), local parties tied to a province code. */
static int check_parties(const election *el, err_info *e)
{
    char where[ELECTION_WHERE_MAX];
    if (el->nparty > ELECTION_PARTY_MAX)
        return election_fail(e, E_LIMIT, "parties", "more than %d parties",
                             ELECTION_PARTY_MAX);
    for (size_t i = 0; i < el->nparty; i++) {
        const election_party *pa = &el->party[i];
        snprintf(where, sizeof where, "parties[%zu].no", i);
        if (pa->no < 1 || pa->no > ELECTION_PARTY_MAX)
            return election_fail(e, E_RANGE, where, "party number %u is outside 1..%d",
                                 pa->no, ELECTION_PARTY_MAX);
        if (i > 0 && pa->no == el->party[i - 1].no)
            return election_fail(e, E_PARTY_DUP, where, "party number %u is defined twice",
                                 pa->no);
        if (i > 0 && pa->no < el->party[i - 1].no)
            return election_fail(e, E_PARTY_ORDER, where,
                                 "party %u follows party %u: parties go in ballot order",
                                 pa->no, el->party[i - 1].no);
        snprintf(where, sizeof where, "parties[%zu].only_in", i);
        if (pa->only_in && region_code_level(pa->only_in) != REGION_PROVINCE)
            return election_fail(e, E_RANGE, where, "\"%.20s\" is not a province code",
                                 pa->only_in);
    }
    return 0;
}

/* Candidates numbered 1..n in order; sex L/P except presidential pairs. */
static int check_candidates(const election_candidate *c, size_t n, contest_kind k,
                            const char *at, err_info *e)
{
    char where[ELECTION_WHERE_MAX];
    snprintf(where, sizeof where, "%s.candidates", at);
    if (n == 0)
        return election_fail(e, E_RANGE, where, "%s is empty", where);
    if (n > ELECTION_CANDIDATES_MAX)
        return election_fail(e, E_LIMIT, where, "more than %d candidates",
                             ELECTION_CANDIDATES_MAX);
    for (size_t j = 0; j < n; j++) {
        snprintf(where, sizeof where, "%s.candidates[%zu].no", at, j);
        if (c[j].no != j + 1)
            return election_fail(
                e, E_CAND_ORDER, where,
                "candidate number %u at position %zu: numbers run 1..n in order", c[j].no,
                j + 1);
        snprintf(where, sizeof where, "%s.candidates[%zu].sex", at, j);
        if (k == CONTEST_PPWP ? c[j].sex != '\0' : c[j].sex != 'L' && c[j].sex != 'P')
            return election_fail(e, E_RANGE, where, k == CONTEST_PPWP
                                                         ? "presidential pairs carry no sex"
                                                         : "sex must be \"L\" or \"P\"");
    }
    return 0;
}

/* Which regions a district of each kind may hold: its shallowest level,
 * how many leading code digits its domestic regions share (2: one
 * province, 4: one kab/kota), and whether overseas regions may join. */
static const struct {
    uint8_t min_level, same_prefix, overseas;
} district_scope[CONTEST_KINDS] = {
    [CONTEST_PPWP] = {REGION_NATIONAL, 0, 1},
    [CONTEST_DPR] = {REGION_PROVINCE, 2, 1},
    [CONTEST_DPD] = {REGION_PROVINCE, 2, 0},
    [CONTEST_DPRD_PROV] = {REGION_PROVINCE, 2, 0},
    [CONTEST_DPRD_KAB] = {REGION_KABKOTA, 4, 0},
};

/* Check the district's regions against its kind's scope; *home is its first
 * domestic region (NULL when it has none), whose province local parties
 * must match. */
static int check_scope(const election *el, const election_district *d,
                       const char *at, const region **home, err_info *e)
{
    char where[ELECTION_WHERE_MAX];
    const region_tree *t = el->tree;
    *home = NULL;
    snprintf(where, sizeof where, "%s.regions", at);
    if (d->nregion == 0)
        return election_fail(e, E_RANGE, where, "%s is empty", where);
    for (size_t j = 0; j < d->nregion; j++) {
        snprintf(where, sizeof where, "%s.regions[%zu]", at, j);
        if (d->region[j] >= t->n)
            return election_fail(e, E_REGION, where, "region index %u is not in the tree",
                                 d->region[j]);
        const region *r = &t->node[d->region[j]];
        if (r->level < district_scope[d->kind].min_level)
            return election_fail(e, E_DIST_SCOPE, where,
                                 "a %s district cannot hold region %s (%s)",
                                 contest_kind_id[d->kind], r->code,
                                 region_level_name[r->level]);
        if (region_overseas(r)) {
            if (!district_scope[d->kind].overseas)
                return election_fail(e, E_DIST_SCOPE, where,
                                     "%s is overseas, where no %s ballot is cast", r->code,
                                     contest_kind_id[d->kind]);
            continue;
        }
        if (!*home)
            *home = r;
        else if (strncmp(r->code, (*home)->code, district_scope[d->kind].same_prefix))
            return election_fail(e, E_DIST_SCOPE, where, "%s and %s lie in different %s",
                                 (*home)->code, r->code,
                                 district_scope[d->kind].same_prefix == 2
                                     ? "provinces"
                                     : "kabupaten/kota");
    }
    return 0;
}

/* Party lists: ballot order, defined parties, local parties at home, no
 * more candidates than seats. */
static int check_lists(const election *el, const election_district *d,
                       const region *home, const char *at, err_info *e)
{
    char where[ELECTION_WHERE_MAX];
    snprintf(where, sizeof where, "%s.lists", at);
    if (d->nlist == 0)
        return election_fail(e, E_RANGE, where, "%s is empty", where);
    if (d->nlist > ELECTION_PARTY_MAX)
        return election_fail(e, E_LIMIT, where, "more than %d lists", ELECTION_PARTY_MAX);
    for (size_t l = 0; l < d->nlist; l++) {
        const election_list *li = &d->list[l];
        snprintf(where, sizeof where, "%s.lists[%zu].party", at, l);
        const election_party *pa = election_party_find(el, li->party);
        if (!pa)
            return election_fail(e, E_PARTY_UNKNOWN, where, "party %u is not defined",
                                 li->party);
        if (l > 0 && li->party == d->list[l - 1].party)
            return election_fail(e, E_PARTY_DUP, where, "party %u has two lists",
                                 li->party);
        if (l > 0 && li->party < d->list[l - 1].party)
            return election_fail(e, E_PARTY_ORDER, where,
                                 "party %u follows party %u: lists go in ballot order",
                                 li->party, d->list[l - 1].party);
        if (pa->only_in && (!home || strncmp(home->code, pa->only_in, 2) != 0))
            return election_fail(e, E_PARTY_LOCAL, where,
                                 "local party %u stands only in province %s", li->party,
                                 pa->only_in);
        snprintf(where, sizeof where, "%s.lists[%zu].candidates", at, l);
        if (li->ncand > d->seats)
            return election_fail(e, E_LIST_LONG, where,
                                 "party %u lists %u candidates for %u seats", li->party,
                                 li->ncand, d->seats);
        snprintf(where, sizeof where, "%s.lists[%zu]", at, l);
        int rc = check_candidates(li->cand, li->ncand, d->kind, where, e);
        if (rc)
            return rc;
    }
    return 0;
}

static int check_district(const election *el, contest_kind k, size_t i, err_info *e)
{
    const election_district *d = &el->district[k][i];
    char at[64], where[ELECTION_WHERE_MAX]; /* "contests.dprd_kab[9999]" fits */
    snprintf(at, sizeof at, "contests.%s[%zu]", contest_kind_id[k], i);
    unsigned max = k == CONTEST_PPWP ? 1 : ELECTION_SEATS_MAX;
    snprintf(where, sizeof where, "%s.seats", at);
    if (d->seats < 1 || d->seats > max)
        return election_fail(e, E_LIMIT, where, "%u seats is outside 1..%u", d->seats, max);
    if (k == CONTEST_PPWP && i > 0)
        return election_fail(e, E_DIST_SCOPE, at, "there is one presidential contest");
    const region *home;
    int rc = check_scope(el, d, at, &home, e);
    if (rc)
        return rc;
    return contest_is_party_list(k) ? check_lists(el, d, home, at, e)
                                    : check_candidates(d->cand, d->ncand, k, at, e);
}

typedef struct id_ref {
    const char *id;
    size_t i;
} id_ref;

static int id_ref_cmp(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* District ids are unique within their kind: sort, compare neighbours. */
static int check_ids(const election *el, contest_kind k, err_info *e)
{
    size_t n = el->ndistrict[k];
    id_ref *ref = mem_calloc(n, sizeof *ref);
    for (size_t i = 0; i < n; i++)
        ref[i] = (id_ref){el->district[k][i].id, i};
    qsort(ref, n, sizeof *ref, id_ref_cmp);
    int rc = 0;
    for (size_t i = 1; i < n && !rc; i++) {
        if (strcmp(ref[i].id, ref[i - 1].id) == 0) {
            char where[ELECTION_WHERE_MAX];
            snprintf(where, sizeof where, "contests.%s[%zu].id", contest_kind_id[k],
                     ref[i].i);
            rc = election_fail(e, E_DIST_DUP, where, "district id \"%s\" is used twice",
                               ref[i].id);
        }
    }
    free(ref);
    return rc;
}

static int check_dpt(const election *el, err_info *e)
{
    for (size_t i = 0; i < el->ntps; i++) {
        unsigned dpt = (unsigned)el->tps[i].dpt_male + el->tps[i].dpt_female;
        if (dpt == 0 || dpt > el->rules.tps_max_dpt) {
            char where[ELECTION_WHERE_MAX];
            tps_where(el, i, where, sizeof where);
            return election_fail(e, E_DPT, where,
                                 "TPS %s has %u registered voters, outside 1..%u",
                                 election_tps_region(el, (uint32_t)i)->code, dpt,
                                 el->rules.tps_max_dpt);
        }
    }
    return 0;
}

/* Overlap error for listing j of district d, which district `other`
 * already covers. */
static int overlap(const election *el, contest_kind k, uint32_t d, size_t j,
                   uint32_t other, err_info *e)
{
    const election_district *dd = &el->district[k][d];
    char where[ELECTION_WHERE_MAX];
    snprintf(where, sizeof where, "contests.%s[%u].regions[%zu]", contest_kind_id[k], d, j);
    return election_fail(e, E_OVERLAP, where,
                         "region %s of %s district %s also lies in district %s",
                         el->tree->node[dd->region[j]].code, contest_kind_id[k], dd->id,
                         el->district[k][other].id);
}

/* Position of node x in district d's region list. */
static size_t listing_of(const election_district *d, uint32_t x)
{
    size_t j = 0;
    while (j + 1 < d->nregion && d->region[j] != x)
        j++;
    return j;
}

/* Mark every listed region with its district, then hand each node its
 * parent's district in tree order (parents precede children: nodes are
 * sorted by level). A node listed while an ancestor is listed, or listed
 * twice, is an overlap. O(nodes + listings). */
static int assign_kind(election *el, contest_kind k, uint32_t *mark, err_info *e)
{
    const region_tree *t = el->tree;
    for (size_t i = 0; i < t->n; i++)
        mark[i] = ELECTION_NONE;
    for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
        const election_district *dd = &el->district[k][d];
        for (size_t j = 0; j < dd->nregion; j++) {
            uint32_t x = dd->region[j];
            if (mark[x] != ELECTION_NONE)
                return overlap(el, k, d, j, mark[x], e);
            mark[x] = d;
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        uint32_t par = t->node[i].parent;
        if (par == REGION_NONE || mark[par] == ELECTION_NONE)
            continue;
        assert(par < i);
        if (mark[i] != ELECTION_NONE)
            return overlap(el, k, mark[i],
                           listing_of(&el->district[k][mark[i]], (uint32_t)i),
                           mark[par], e);
        mark[i] = mark[par];
    }
    const uint32_t *tps = mark + t->level_start[REGION_TPS];
    for (size_t i = 0; i < el->ntps; i++)
        el->tps[i].district[k] = tps[i];
    return 0;
}

/* PPWP and DPR are cast at every TPS, overseas included. The other
 * ballots are cast at every TPS of a province or at none: overseas votes
 * neither DPD nor DPRD, and DKI Jakarta has no DPRD kabupaten/kota. A TPS
 * left out where its neighbours in the province vote is an error. */
static int check_missing_run(const election *el, size_t from, size_t to, err_info *e)
{
    for (int k = 0; k < CONTEST_KINDS; k++) {
        int everywhere = k == CONTEST_PPWP || k == CONTEST_DPR, cast = everywhere;
        size_t missing = to;
        for (size_t i = from; i < to; i++) {
            if (el->tps[i].district[k] != ELECTION_NONE)
                cast = 1;
            else if (missing == to)
                missing = i;
        }
        if (!cast || missing == to)
            continue;
        char where[ELECTION_WHERE_MAX];
        tps_where(el, missing, where, sizeof where);
        return election_fail(e, E_DIST_MISSING, where, "TPS %s lies in no %s district",
                             election_tps_region(el, (uint32_t)missing)->code,
                             contest_kind_id[k]);
    }
    return 0;
}

static int check_missing(const election *el, err_info *e)
{
    size_t from = 0;
    while (from < el->ntps) { /* TPS are in code order: each province is one run */
        const char *code = election_tps_region(el, (uint32_t)from)->code;
        size_t to = from + 1;
        while (to < el->ntps && !strncmp(election_tps_region(el, (uint32_t)to)->code, code, 2))
            to++;
        int rc = check_missing_run(el, from, to, e);
        if (rc)
            return rc;
        from = to;
    }
    return 0;
}

int election_link(election *el, err_info *e)
{
    if (!el->name)
        return election_fail(e, E_MISSING, "name", "the election has no name");
    if (el->ntps != election_tree_tps(el->tree))
        return election_fail(e, E_TREE, "tps",
                             "%zu TPS in the election, %zu in the region tree",
                             el->ntps, election_tree_tps(el->tree));
    int rc = check_rules(el, e);
    if (!rc)
        rc = check_parties(el, e);
    for (int k = 0; k < CONTEST_KINDS && !rc; k++) {
        if (el->ndistrict[k] > ELECTION_DISTRICTS_MAX)
            return election_fail(e, E_LIMIT, contest_kind_id[k],
                                 "more than %d %s districts",
                                 ELECTION_DISTRICTS_MAX, contest_kind_id[k]);
        for (size_t i = 0; i < el->ndistrict[k] && !rc; i++)
            rc = check_district(el, (contest_kind)k, i, e);
        if (!rc)
            rc = check_ids(el, (contest_kind)k, e);
    }
    if (!rc)
        rc = check_dpt(el, e);
    if (rc)
        return rc;
    uint32_t *mark = mem_alloc(el->tree->n * sizeof *mark);
    for (int k = 0; k < CONTEST_KINDS && !rc; k++)
        rc = assign_kind(el, (contest_kind)k, mark, e);
    free(mark);
    return rc ? rc : check_missing(el, e);
}
