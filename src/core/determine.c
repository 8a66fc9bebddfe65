/* determine — the determination of results under UU 7/2017 (determine.h;
 * the rules and tie-breaks are in docs/DETERMINATION.md). Exact integer
 * arithmetic throughout: quotients and shares are compared by cross
 * multiplication, never in floating point. */
#include "core/determine.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/mem.h"

/* 128-bit products for share comparisons: votes (<= 2^53) x basis points
 * (<= 10^4) do not fit 64 bits. */
__extension__ typedef unsigned __int128 determine_u128;

static const struct {
    const char *code, *msg_id;
} determine_msgs[] = {
    {"DETERMINE_VOTES_LIMIT", "jumlah suara melebihi batas 2^53"},
    {"DETERMINE_SHAPE", "data suara tidak sesuai dengan bentuk pemilihan"},
    {"DETERMINE_CSV_HEADER", "baris pertama harus dapil,seats,party,votes"},
    {"DETERMINE_CSV_FIELDS", "setiap baris harus berisi empat kolom"},
    {"DETERMINE_CSV_DAPIL", "nama dapil kosong, terlalu panjang, atau berisi karakter kontrol"},
    {"DETERMINE_CSV_SEATS", "jumlah kursi harus 1 sampai 120 dan sama untuk satu dapil"},
    {"DETERMINE_CSV_PARTY", "nomor partai harus 1 sampai 99"},
    {"DETERMINE_CSV_VOTES", "jumlah suara harus bilangan bulat 0 sampai 2^53"},
    {"DETERMINE_CSV_DUPLICATE", "partai atau dapil tercantum dua kali"},
    {"DETERMINE_CSV_EMPTY", "tabel tidak berisi baris suara"},
    {"DETERMINE_CSV_LIMIT", "terlalu banyak baris atau dapil"},
};

const char *determine_msg_id(const char *code)
{
    for (size_t i = 0; code && i < sizeof determine_msgs / sizeof determine_msgs[0]; i++)
        if (!strcmp(code, determine_msgs[i].code))
            return determine_msgs[i].msg_id;
    return NULL;
}

/* ----------------------------------------------------------- pure rules */

/* Sum of votes[0..n) into *sum, DETERMINE_VOTES_LIMIT past 2^53. */
static int determine_sum(const uint64_t *votes, unsigned n, uint64_t *sum, err_info *e)
{
    uint64_t s = 0;
    for (unsigned i = 0; i < n; i++) {
        if (votes[i] > DETERMINE_VOTES_MAX || s + votes[i] > DETERMINE_VOTES_MAX)
            return err_set(e, ERR_LIMIT, "DETERMINE_VOTES_LIMIT", "",
                           "votes exceed 2^53 (selection %u)", i + 1);
        s += votes[i];
    }
    *sum = s;
    return 0;
}

/* part >= bp/10000 of whole, exactly. */
static int determine_share_at_least(uint64_t part, uint64_t whole, unsigned bp)
{
    return (determine_u128)part * DETERMINE_BP_MAX >= (determine_u128)whole * bp;
}

int determine_threshold(const uint64_t *votes, unsigned n, unsigned bp, uint8_t *eligible,
                        err_info *e)
{
    if (bp > DETERMINE_BP_MAX)
        return err_set(e, ERR_INVALID, "DETERMINE_SHAPE", "", "threshold over 100%%");
    uint64_t sum = 0; /* set by determine_sum (the optimiser cannot see it) */
    int rc = determine_sum(votes, n, &sum, e);
    if (rc)
        return rc;
    for (unsigned i = 0; i < n; i++)
        eligible[i] = (uint8_t)determine_share_at_least(votes[i], sum, bp);
    return 0;
}

int determine_sainte_lague(const uint64_t *votes, const uint8_t *eligible, unsigned n,
                           unsigned seats, uint16_t *out, err_info *e)
{
    if (seats > ELECTION_SEATS_MAX)
        return err_set(e, ERR_LIMIT, "DETERMINE_SHAPE", "", "%u seats, at most %u", seats,
                       ELECTION_SEATS_MAX);
    uint64_t sum = 0;
    int rc = determine_sum(votes, n, &sum, e);
    if (rc)
        return rc;
    memset(out, 0, n * sizeof *out);
    unsigned given = 0;
    for (; given < seats; given++) {
        unsigned best = n;
        for (unsigned i = 0; i < n; i++) {
            if (!votes[i] || (eligible && !eligible[i]))
                continue;
            /* votes[i]/(2s_i+1) > votes[best]/(2s_b+1), products < 2^61;
             * strictly greater, so an equal quotient stays with the lower
             * index */
            if (best == n || votes[i] * (2u * out[best] + 1) > votes[best] * (2u * out[i] + 1))
                best = i;
        }
        if (best == n)
            break;
        out[best]++;
    }
    assert(given == 0 || given == seats);
    return (int)given;
}

/* a ranks before b: more votes; equal non-zero votes: higher key2; then
 * the lower index. */
static int determine_before(const uint64_t *votes, const uint64_t *key2, unsigned a, unsigned b)
{
    if (votes[a] != votes[b])
        return votes[a] > votes[b];
    if (key2 && votes[a] && key2[a] != key2[b])
        return key2[a] > key2[b];
    return a < b;
}

void determine_rank(const uint64_t *votes, const uint64_t *key2, unsigned n, unsigned *order)
{
    /* insertion sort: n is a ballot (at most 99) */
    for (unsigned i = 0; i < n; i++) {
        unsigned j = i;
        for (; j > 0 && determine_before(votes, key2, i, order[j - 1]); j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
}

int determine_ppwp_run(const uint64_t *national, unsigned npair, const uint64_t *prov,
                       unsigned nprov, determine_ppwp *out, err_info *e)
{
    memset(out, 0, sizeof *out);
    if (npair < 2 || npair > ELECTION_CANDIDATES_MAX || nprov > DETERMINE_PROVINCES_MAX)
        return err_set(e, ERR_INVALID, "DETERMINE_SHAPE", "",
                       "%u pairs and %u provinces: need 2..%u pairs, at most %u provinces",
                       npair, nprov, ELECTION_CANDIDATES_MAX, DETERMINE_PROVINCES_MAX);
    int rc = determine_sum(national, npair, &out->total, e);
    if (rc)
        return rc;
    out->nprov = nprov;
    memcpy(out->votes, national, npair * sizeof *national);
    for (unsigned p = 0; p < nprov; p++) {
        const uint64_t *v = &prov[(size_t)p * npair];
        uint64_t pt = 0;
        if ((rc = determine_sum(v, npair, &pt, e)))
            return rc;
        for (unsigned i = 0; i < npair; i++) {
            if (v[i] > national[i])
                return err_set(e, ERR_INVALID, "DETERMINE_SHAPE", "",
                               "pair %u: province %u holds more votes than the nation", i + 1,
                               p + 1);
            out->spread[i] += v[i] > 0;
            out->prov20[i] += pt > 0 && determine_share_at_least(v[i], pt,
                                                                 DETERMINE_PPWP_PROVINCE_BP);
        }
    }
    if (!out->total)
        return 0; /* DETERMINE_PPWP_NO_VOTES */
    unsigned order[ELECTION_CANDIDATES_MAX];
    determine_rank(national, out->spread, npair, order);
    unsigned lead = order[0];
    int majority = national[lead] > out->total - national[lead];   /* > 50% */
    int spread = 2 * out->prov20[lead] > nprov;                     /* > half the provinces */
    /* two pairs: MK 50/PUU-XII/2014 -- the pair with the most votes wins,
     * without the provinces' rule; a tie of the two goes to a new vote
     * (Art. 416(3)) */
    if (npair == 2 ? national[order[0]] != national[order[1]] : majority && spread) {
        out->outcome = DETERMINE_PPWP_ELECTED;
        out->winner = lead;
        return 0;
    }
    out->outcome = DETERMINE_PPWP_RUNOFF;
    out->runoff[0] = order[0];
    out->runoff[1] = order[1];
    return 0;
}

/* ------------------------------------------------- a --votes table (CSV) */

static int determine_csv_err(const csv_reader *r, err_info *e, const char *code,
                             const char *msg)
{
    char where[sizeof e->where];
    csv_where(r, where, sizeof where);
    return err_set(e, ERR_INVALID, code, where, "%s", msg);
}

static int determine_dapil_ok(const char *s)
{
    size_t n = strlen(s);
    if (!n || n > ELECTION_TEXT_MAX)
        return 0;
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 0;
    return 1;
}

/* One data row into the table; *line_of[] keeps each dapil's first line. */
static int determine_row(determine_table *t, size_t *cap, unsigned **line_of, size_t *lcap,
                         const csv_reader *r, char **f, err_info *e)
{
    unsigned long long seats, party, votes;
    if (!determine_dapil_ok(f[0]))
        return determine_csv_err(r, e, "DETERMINE_CSV_DAPIL",
                                 "dapil is empty, over 200 bytes or has a control character");
    if (csv_uint(f[1], ELECTION_SEATS_MAX, &seats) || !seats)
        return determine_csv_err(r, e, "DETERMINE_CSV_SEATS", "seats is not a number 1..120");
    if (csv_uint(f[2], ELECTION_PARTY_MAX, &party) || !party)
        return determine_csv_err(r, e, "DETERMINE_CSV_PARTY", "party is not a ballot number 1..99");
    if (csv_uint(f[3], DETERMINE_VOTES_MAX, &votes))
        return determine_csv_err(r, e, "DETERMINE_CSV_VOTES", "votes is not a number 0..2^53");
    determine_dapil *d = t->ndapil ? &t->dapil[t->ndapil - 1] : NULL;
    if (!d || strcmp(d->id, f[0])) {
        if (t->ndapil >= ELECTION_DISTRICTS_MAX)
            return determine_csv_err(r, e, "DETERMINE_CSV_LIMIT", "more than 10000 dapil");
        mem_grow((void **)&t->dapil, cap, t->ndapil + 1, sizeof *t->dapil);
        mem_grow((void **)line_of, lcap, t->ndapil + 1, sizeof **line_of);
        (*line_of)[t->ndapil] = r->line;
        d = &t->dapil[t->ndapil++];
        memset(d, 0, sizeof *d);
        d->id = mem_strdup(f[0]);
        d->seats = (uint16_t)seats;
    }
    if (d->seats != seats)
        return determine_csv_err(r, e, "DETERMINE_CSV_SEATS",
                                 "seats differ from the dapil's earlier rows");
    if (d->present[party - 1])
        return determine_csv_err(r, e, "DETERMINE_CSV_DUPLICATE", "party twice in one dapil");
    d->present[party - 1] = 1;
    d->votes[party - 1] = votes;
    return 0;
}

static int determine_cmp_id(const void *a, const void *b)
{
    const determine_dapil *x = *(const determine_dapil *const *)a;
    const determine_dapil *y = *(const determine_dapil *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x > y) - (x < y);
}

/* Each dapil's rows must be together: a dapil id seen twice is an error
 * naming the line where it comes back. */
static int determine_unique(const determine_table *t, const unsigned *line_of,
                            const char *source, err_info *e)
{
    const determine_dapil **by_id = mem_calloc(t->ndapil, sizeof *by_id);
    for (unsigned i = 0; i < t->ndapil; i++)
        by_id[i] = &t->dapil[i];
    qsort(by_id, t->ndapil, sizeof *by_id, determine_cmp_id);
    int rc = 0;
    for (unsigned i = 1; i < t->ndapil && !rc; i++)
        if (!strcmp(by_id[i - 1]->id, by_id[i]->id)) {
            size_t later = (size_t)(by_id[i] - t->dapil); /* equal ids sort by position */
            char where[sizeof e->where];
            snprintf(where, sizeof where, "%s:%u", source, line_of[later]);
            rc = err_set(e, ERR_INVALID, "DETERMINE_CSV_DUPLICATE", where,
                         "dapil '%s' again: a dapil's rows must be together", by_id[i]->id);
        }
    free(by_id);
    return rc;
}

int determine_table_parse(const char *buf, size_t len, const char *source,
                          determine_table **out, err_info *e)
{
    *out = NULL;
    csv_reader *r = mem_alloc(sizeof *r);
    csv_init(r, buf, len, source);
    determine_table *t = mem_calloc(1, sizeof *t);
    unsigned *line_of = NULL;
    size_t cap = 0, lcap = 0;
    char *f[8];
    int rc = csv_next(r, f, 8, e);
    if (rc >= 0 && (rc != 4 || strcmp(f[0], "dapil") || strcmp(f[1], "seats") ||
                    strcmp(f[2], "party") || strcmp(f[3], "votes")))
        rc = determine_csv_err(r, e, "DETERMINE_CSV_HEADER",
                               "the first line must be dapil,seats,party,votes");
    unsigned rows = 0;
    while (rc >= 0 && (rc = csv_next(r, f, 8, e)) > 0) {
        if (++rows > DETERMINE_ROWS_MAX)
            rc = determine_csv_err(r, e, "DETERMINE_CSV_LIMIT", "more than 1000000 rows");
        else if (rc != 4)
            rc = determine_csv_err(r, e, "DETERMINE_CSV_FIELDS",
                                   "a row needs four fields: dapil,seats,party,votes");
        else
            rc = determine_row(t, &cap, &line_of, &lcap, r, f, e);
    }
    if (rc == 0 && !t->ndapil)
        rc = err_set(e, ERR_INVALID, "DETERMINE_CSV_EMPTY", source, "no rows of votes");
    if (rc == 0)
        rc = determine_unique(t, line_of, source, e);
    free(line_of);
    free(r);
    if (rc < 0) {
        determine_table_free(t);
        return rc;
    }
    *out = t;
    return 0;
}

void determine_table_free(determine_table *t)
{
    if (!t)
        return;
    for (unsigned i = 0; i < t->ndapil; i++)
        free(t->dapil[i].id);
    free(t->dapil);
    free(t);
}

int determine_table_seats(const determine_table *t, unsigned bp, uint16_t *seats,
                          uint8_t *eligible, err_info *e)
{
    uint64_t national[ELECTION_PARTY_MAX] = {0};
    for (unsigned d = 0; d < t->ndapil; d++)
        for (unsigned p = 0; p < ELECTION_PARTY_MAX; p++) {
            national[p] += t->dapil[d].votes[p];
            if (national[p] > DETERMINE_VOTES_MAX)
                return err_set(e, ERR_LIMIT, "DETERMINE_VOTES_LIMIT", "",
                               "party %u: national votes exceed 2^53", p + 1);
        }
    uint8_t ok[ELECTION_PARTY_MAX];
    int rc = determine_threshold(national, ELECTION_PARTY_MAX, bp, ok, e);
    for (unsigned d = 0; rc >= 0 && d < t->ndapil; d++) {
        const determine_dapil *dp = &t->dapil[d];
        uint8_t in[ELECTION_PARTY_MAX];
        for (unsigned p = 0; p < ELECTION_PARTY_MAX; p++)
            in[p] = ok[p] && dp->present[p];
        rc = determine_sainte_lague(dp->votes, in, ELECTION_PARTY_MAX, dp->seats,
                                    &seats[(size_t)d * ELECTION_PARTY_MAX], e);
    }
    if (rc >= 0 && eligible)
        memcpy(eligible, ok, sizeof ok);
    return rc < 0 ? rc : 0;
}

/* ------------------------------------------ a contest of an election */

static int determine_ppwp_contest(const election *el, const tally *t, determine_result *res,
                                  err_info *e)
{
    if (el->ndistrict[CONTEST_PPWP] != 1)
        return err_set(e, ERR_INVALID, "DETERMINE_SHAPE", "", "PPWP needs one national district");
    const region_tree *tree = el->tree;
    unsigned npair = el->district[CONTEST_PPWP][0].ncand;
    assert(npair <= t->width[CONTEST_PPWP]);
    uint64_t *prov = mem_calloc((size_t)DETERMINE_PROVINCES_MAX * (npair ? npair : 1),
                                sizeof *prov);
    unsigned nprov = 0;
    int rc = 0;
    for (size_t r = tree->level_start[REGION_PROVINCE];
         r < tree->level_start[REGION_PROVINCE + 1]; r++) {
        if (region_overseas(&tree->node[r]) ||
            !tally_region(t, CONTEST_PPWP, (uint32_t)r)->tps_expected)
            continue;
        if (nprov == DETERMINE_PROVINCES_MAX) {
            rc = err_set(e, ERR_LIMIT, "DETERMINE_SHAPE", "", "more than %u provinces",
                         DETERMINE_PROVINCES_MAX);
            break;
        }
        memcpy(&prov[(size_t)nprov++ * npair], tally_region_sel(t, CONTEST_PPWP, (uint32_t)r),
               npair * sizeof *prov);
    }
    const uint64_t *national =
        tally_region_sel(t, CONTEST_PPWP, (uint32_t)tree->level_start[REGION_NATIONAL]);
    if (rc == 0)
        rc = determine_ppwp_run(national, npair, prov, nprov, &res->ppwp, e);
    free(prov);
    return rc;
}

/* The kab/kota nodes of a district (its provinces' children, its kab/kota,
 * the kab/kota above a smaller region), each once; returns how many. */
static unsigned determine_kabkota(const region_tree *tree, const election_district *ds,
                                  uint32_t *out, unsigned cap)
{
    unsigned n = 0;
    for (uint32_t j = 0; j < ds->nregion; j++) {
        uint32_t r = ds->region[j];
        const region *rg = &tree->node[r];
        uint32_t first = r, count = 1;
        if (rg->level == REGION_PROVINCE) {
            first = rg->child;
            count = rg->child == REGION_NONE ? 0 : rg->nchild;
        } else {
            while (tree->node[first].level > REGION_KABKOTA)
                first = tree->node[first].parent;
            if (tree->node[first].level != REGION_KABKOTA)
                count = 0;
        }
        for (uint32_t c = first; c < first + count && n < cap; c++) {
            unsigned k = 0;
            while (k < n && out[k] != c)
                k++;
            if (k == n)
                out[n++] = c;
        }
    }
    return n;
}

#define DETERMINE_KAB_MAX 1024

/* DPD (Art. 423): the four (the district's seats) with the most votes; a
 * tie is broken by the number of kab/kota where the candidate has a vote. */
static int determine_dpd_district(const election *el, const tally *t, uint32_t d,
                                  determine_district *out, err_info *e)
{
    const election_district *ds = &el->district[CONTEST_DPD][d];
    uint32_t n;
    const uint64_t *votes = tally_district(t, CONTEST_DPD, d, &n);
    assert(n == ds->ncand);
    int rc = determine_sum(votes, n, &out->valid, e);
    if (rc || !out->valid)
        return rc;
    uint64_t spread[ELECTION_CANDIDATES_MAX] = {0};
    uint32_t *kab = mem_calloc(DETERMINE_KAB_MAX, sizeof *kab);
    unsigned nkab = determine_kabkota(el->tree, ds, kab, DETERMINE_KAB_MAX);
    for (unsigned k = 0; k < nkab; k++) {
        const uint64_t *v = tally_region_sel(t, CONTEST_DPD, kab[k]);
        for (unsigned c = 0; c < n; c++)
            spread[c] += v[c] > 0;
    }
    free(kab);
    unsigned order[ELECTION_CANDIDATES_MAX];
    determine_rank(votes, spread, n, order);
    out->nelected = (uint16_t)(ds->seats < n ? ds->seats : n);
    out->allocated = out->nelected;
    out->elected = mem_calloc(out->nelected ? out->nelected : 1, sizeof *out->elected);
    for (unsigned i = 0; i < out->nelected; i++)
        out->elected[i] = (determine_elected){UINT16_MAX, (uint16_t)order[i], votes[order[i]]};
    return 0;
}

/* Party totals of a party-list district: party-only + candidates. */
static void determine_list_votes(const election_district *ds, const uint64_t *v, uint32_t n,
                                 uint64_t *list_votes)
{
    uint32_t off = 0;
    for (unsigned l = 0; l < ds->nlist; l++) {
        list_votes[l] = v[n - ds->nlist + l];
        for (unsigned c = 0; c < ds->list[l].ncand; c++)
            list_votes[l] += v[off++];
    }
    assert(off + ds->nlist == n);
}

/* Seats by Sainte-Laguë among the eligible lists, then each list's seats
 * to its candidates by personal votes (Art. 422). */
static int determine_list_district(const election *el, const tally *t, contest_kind k,
                                   uint32_t d, const uint8_t *party_ok, determine_district *out,
                                   err_info *e)
{
    const election_district *ds = &el->district[k][d];
    uint32_t n;
    const uint64_t *v = tally_district(t, k, d, &n);
    uint8_t ok[ELECTION_PARTY_MAX];
    for (unsigned l = 0; l < ds->nlist; l++)
        ok[l] = party_ok[election_party_find(el, ds->list[l].party) - el->party];
    int rc = determine_sainte_lague(out->list_votes, ok, ds->nlist, ds->seats, out->seats, e);
    if (rc < 0)
        return rc;
    out->allocated = (uint16_t)rc;
    out->elected = mem_calloc(ds->seats ? ds->seats : 1, sizeof *out->elected);
    uint32_t off = 0;
    for (unsigned l = 0; l < ds->nlist; l++) {
        const election_list *li = &ds->list[l];
        uint64_t woman[ELECTION_CANDIDATES_MAX];
        for (unsigned c = 0; c < li->ncand; c++)
            woman[c] = li->cand[c].sex == 'P';
        unsigned order[ELECTION_CANDIDATES_MAX];
        determine_rank(&v[off], woman, li->ncand, order);
        for (unsigned i = 0; i < out->seats[l] && i < li->ncand; i++)
            out->elected[out->nelected++] =
                (determine_elected){(uint16_t)l, (uint16_t)order[i], v[off + order[i]]};
        off += li->ncand;
    }
    (void)n;
    return 0;
}

static int determine_lists(const election *el, const tally *t, contest_kind k,
                           determine_result *res, err_info *e)
{
    res->threshold_bp = k == CONTEST_DPR ? DETERMINE_DPR_THRESHOLD_BP : 0;
    res->party_votes = mem_calloc(el->nparty ? el->nparty : 1, sizeof *res->party_votes);
    res->party_eligible = mem_calloc(el->nparty ? el->nparty : 1, sizeof *res->party_eligible);
    for (uint32_t d = 0; d < res->ndistrict; d++) {
        const election_district *ds = &el->district[k][d];
        determine_district *dd = &res->district[d];
        uint32_t n;
        const uint64_t *v = tally_district(t, k, d, &n);
        dd->seats = mem_calloc(ds->nlist ? ds->nlist : 1, sizeof *dd->seats);
        dd->list_votes = mem_calloc(ds->nlist ? ds->nlist : 1, sizeof *dd->list_votes);
        determine_list_votes(ds, v, n, dd->list_votes);
        int rc = determine_sum(dd->list_votes, ds->nlist, &dd->valid, e);
        for (unsigned l = 0; rc == 0 && l < ds->nlist; l++) {
            uint64_t *pv = &res->party_votes[election_party_find(el, ds->list[l].party) - el->party];
            if ((*pv += dd->list_votes[l]) > DETERMINE_VOTES_MAX)
                rc = err_set(e, ERR_LIMIT, "DETERMINE_VOTES_LIMIT", ds->id,
                             "party %u: national votes exceed 2^53", ds->list[l].party);
        }
        if (rc)
            return rc;
    }
    int rc = determine_threshold(res->party_votes, el->nparty, res->threshold_bp,
                                 res->party_eligible, e);
    for (uint32_t d = 0; rc == 0 && d < res->ndistrict; d++)
        rc = determine_list_district(el, t, k, d, res->party_eligible, &res->district[d], e);
    return rc;
}

int determine_contest(const election *el, const tally *t, contest_kind k,
                      determine_result **out, err_info *e)
{
    assert(t->el == el && k < CONTEST_KINDS);
    determine_result *res = mem_calloc(1, sizeof *res);
    res->kind = k;
    int rc = 0;
    if (k == CONTEST_PPWP) {
        rc = determine_ppwp_contest(el, t, res, e);
    } else {
        res->ndistrict = el->ndistrict[k];
        res->district = mem_calloc(res->ndistrict ? res->ndistrict : 1, sizeof *res->district);
        if (k == CONTEST_DPD)
            for (uint32_t d = 0; rc == 0 && d < res->ndistrict; d++)
                rc = determine_dpd_district(el, t, d, &res->district[d], e);
        else
            rc = determine_lists(el, t, k, res, e);
    }
    if (rc < 0) {
        determine_result_free(res);
        res = NULL;
    }
    *out = res;
    return rc < 0 ? rc : 0;
}

void determine_result_free(determine_result *r)
{
    if (!r)
        return;
    for (uint32_t d = 0; d < r->ndistrict; d++) {
        free(r->district[d].seats);
        free(r->district[d].list_votes);
        free(r->district[d].elected);
    }
    free(r->district);
    free(r->party_votes);
    free(r->party_eligible);
    free(r);
}
