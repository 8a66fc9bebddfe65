/* nist — the NIST SP 1500-100 v2 JSON of one contest in one region; see
 * nist.h, and docs/CLI.md for the mapping. Ids: "ru-<code>" for a region
 * or TPS, "ru-dapil-<district id>" for a district, "contest-<district id>",
 * "sel-<district id>-<no>" (a pair or candidate) or "sel-<district id>-p<no>"
 * (a party), "cand-<district id>-<no>", "party-<no>". */
#include "core/nist.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

typedef struct nist_row {        /* one counted form */
    uint32_t tps, version, dpt, voters, valid, invalid;
    size_t off;                  /* its selections: val[off .. off + nsel) */
    uint32_t nsel;
} nist_row;

struct nist_export {
    const election *el;
    contest_kind k;
    uint32_t scope;              /* region node */
    nist_row *row;               /* in TPS order */
    size_t nrow, rcap;
    uint16_t *val;
    size_t nval, vcap;
};

nist_export *nist_new(const election *el, contest_kind k, uint32_t scope)
{
    if (scope >= el->tree->n || (unsigned)k >= CONTEST_KINDS)
        return NULL;
    nist_export *x = mem_calloc(1, sizeof *x);
    x->el = el;
    x->k = k;
    x->scope = scope;
    return x;
}

void nist_free(nist_export *x)
{
    if (!x)
        return;
    free(x->row);
    free(x->val);
    free(x);
}

static uint32_t tps_node(const election *el, uint32_t tps)
{
    return (uint32_t)(el->tree->level_start[REGION_TPS] + tps);
}

int nist_in_scope(const nist_export *x, uint32_t tps)
{
    return tps < x->el->ntps && region_is_within(x->el->tree, tps_node(x->el, tps), x->scope);
}

int nist_add(nist_export *x, uint32_t tps, const form *f, uint32_t version)
{
    if (!nist_in_scope(x, tps) || f->kind != x->k || (x->nrow && x->row[x->nrow - 1].tps >= tps))
        return ERR_INVALID;
    const election_district *d = election_tps_district(x->el, tps, x->k);
    if (!d)
        return ERR_INVALID;
    uint16_t sel[ELECTION_PARTY_MAX > ELECTION_CANDIDATES_MAX ? ELECTION_PARTY_MAX
                                                              : ELECTION_CANDIDATES_MAX];
    uint32_t n;
    if (contest_is_party_list(x->k)) {
        n = d->nlist;
        for (uint32_t i = 0; i < n; i++) {
            unsigned p = 0;
            while (p < f->nparty && f->party[p].no != d->list[i].party)
                p++;
            if (p == f->nparty)
                return ERR_INVALID;
            sel[i] = f->party[p].total;
        }
    } else {
        n = d->ncand;
        if (f->nvotes != n)
            return ERR_INVALID;
        for (uint32_t i = 0; i < n; i++)
            sel[i] = f->votes[i];
    }
    mem_grow((void **)&x->row, &x->rcap, x->nrow + 1, sizeof *x->row);
    mem_grow((void **)&x->val, &x->vcap, x->nval + n, sizeof *x->val);
    memcpy(x->val + x->nval, sel, n * sizeof *sel);
    x->row[x->nrow++] = (nist_row){
        .tps = tps,
        .version = version,
        .dpt = (uint32_t)f->dpt.total + f->dptb.total + f->dpk.total,
        .voters = f->b4.total,
        .valid = f->valid,
        .invalid = f->invalid,
        .off = x->nval,
        .nsel = n,
    };
    x->nval += n;
    return 0;
}

/* ------------------------------------------------------------- writing */

/* A JSON string, escaped (the names are UTF-8 already). */
static void put_str(FILE *f, const char *s)
{
    putc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            putc(*p, f);
    }
    putc('"', f);
}

/* An InternationalizedText in Bahasa Indonesia. */
static void put_text(FILE *f, const char *s)
{
    fputs("{\"@type\":\"ElectionResults.InternationalizedText\",\"Text\":[{\"@type\":"
          "\"ElectionResults.LanguageString\",\"Language\":\"id\",\"Content\":",
          f);
    put_str(f, s);
    fputs("}]}", f);
}

/* "<prefix><s>" as a JSON string (ids). */
static void put_id(FILE *f, const char *prefix, const char *s)
{
    char buf[ELECTION_TEXT_MAX + 64];
    snprintf(buf, sizeof buf, "%s%s", prefix, s);
    put_str(f, buf);
}

/* ReportingUnitType of each region level, and OtherType where "other". */
static const char *const ru_type[REGION_LEVELS] = {"country", "state", "county",
                                                   "other", "other", "polling-place"};
static const char *const ru_other[REGION_LEVELS] = {NULL, NULL, NULL, "kecamatan", "desa", NULL};

/* The row of TPS index tps, from *cursor on (TPS visited in order). */
static const nist_row *row_of(const nist_export *x, uint32_t tps, size_t *cursor)
{
    while (*cursor < x->nrow && x->row[*cursor].tps < tps)
        (*cursor)++;
    return *cursor < x->nrow && x->row[*cursor].tps == tps ? &x->row[*cursor] : NULL;
}

/* Every region and TPS of the scope, level by level, in code order. */
static void put_regions(const nist_export *x, FILE *f, int *first)
{
    const region_tree *t = x->el->tree;
    size_t cursor = 0;
    for (int l = t->node[x->scope].level; l < REGION_LEVELS; l++) {
        for (size_t i = t->level_start[l]; i < t->level_start[l + 1]; i++) {
            if (!region_is_within(t, (uint32_t)i, x->scope))
                continue;
            const region *r = &t->node[i];
            fputs(*first ? "\n" : ",\n", f);
            *first = 0;
            fputs("{\"@type\":\"ElectionResults.ReportingUnit\",\"@id\":", f);
            put_id(f, "ru-", r->code);
            fprintf(f, ",\"Type\":\"%s\"", ru_type[l]);
            if (ru_other[l])
                fprintf(f, ",\"OtherType\":\"%s\"", ru_other[l]);
            fputs(",\"Name\":", f);
            put_text(f, r->name);
            fputs(",\"ExternalIdentifier\":[{\"@type\":\"ElectionResults.ExternalIdentifier\","
                  "\"Type\":\"national-level\",\"Label\":\"kode-wilayah\",\"Value\":",
                  f);
            put_str(f, r->code);
            fputs("}]", f);
            if (r->nchild) {
                fputs(",\"ComposingGpUnitIds\":[", f);
                for (uint32_t c = 0; c < r->nchild; c++) {
                    if (c)
                        putc(',', f);
                    put_id(f, "ru-", t->node[r->child + c].code);
                }
                putc(']', f);
            }
            if (l == REGION_TPS) {
                uint32_t tps = (uint32_t)(i - t->level_start[REGION_TPS]);
                const nist_row *w = row_of(x, tps, &cursor);
                if (w)
                    fprintf(f, ",\"VotersRegistered\":%u,\"VotersParticipated\":%u", w->dpt,
                            w->voters);
            }
            putc('}', f);
        }
    }
}

/* Per district of the kind: TPS of the scope where its ballot is cast
 * (expected) and counted forms (reported); rows grouped by district in
 * order[] (start[d] .. start[d + 1]). */
typedef struct nist_groups {
    uint32_t *expected, *start, *order;
} nist_groups;

static void groups_make(const nist_export *x, nist_groups *g)
{
    const election *el = x->el;
    uint32_t nd = el->ndistrict[x->k];
    g->expected = mem_calloc(nd + 1, sizeof *g->expected);
    g->start = mem_calloc(nd + 2, sizeof *g->start);
    g->order = mem_calloc(x->nrow + 1, sizeof *g->order);
    for (uint32_t i = 0; i < el->ntps; i++) {
        uint32_t d = el->tps[i].district[x->k];
        if (d != ELECTION_NONE && nist_in_scope(x, i))
            g->expected[d]++;
    }
    for (size_t r = 0; r < x->nrow; r++)
        g->start[el->tps[x->row[r].tps].district[x->k] + 1]++;
    for (uint32_t d = 0; d < nd; d++)
        g->start[d + 1] += g->start[d];
    uint32_t *fill = mem_calloc(nd + 1, sizeof *fill);
    for (size_t r = 0; r < x->nrow; r++) {
        uint32_t d = el->tps[x->row[r].tps].district[x->k];
        g->order[g->start[d] + fill[d]++] = (uint32_t)r;
    }
    free(fill);
}

static void groups_free(nist_groups *g)
{
    free(g->expected);
    free(g->start);
    free(g->order);
}

/* A district as a ReportingUnit: the parts of the scope it covers (its own
 * regions inside the scope, or the scope when one of them holds it). */
static void put_district_unit(const nist_export *x, const election_district *d, FILE *f)
{
    const region_tree *t = x->el->tree;
    fputs(",\n{\"@type\":\"ElectionResults.ReportingUnit\",\"@id\":", f);
    put_id(f, "ru-dapil-", d->id);
    fputs(",\"Type\":\"other\",\"OtherType\":\"dapil\",\"Name\":", f);
    put_text(f, d->name);
    fputs(",\"ComposingGpUnitIds\":[", f);
    int first = 1;
    for (uint32_t i = 0; i < d->nregion; i++) {
        uint32_t r = d->region[i];
        if (region_is_within(t, r, x->scope))
            ;
        else if (region_is_within(t, x->scope, r))
            r = x->scope;
        else
            continue;
        if (!first)
            putc(',', f);
        first = 0;
        put_id(f, "ru-", t->node[r].code);
    }
    fputs("]}", f);
}

static void put_votes(const nist_export *x, const nist_groups *g, uint32_t d, uint32_t s,
                      FILE *f)
{
    const election *el = x->el;
    fputs(",\"VoteCounts\":[", f);
    for (uint32_t i = g->start[d]; i < g->start[d + 1]; i++) {
        const nist_row *w = &x->row[g->order[i]];
        fputs(i == g->start[d] ? "\n" : ",\n", f);
        fputs("{\"@type\":\"ElectionResults.VoteCounts\",\"Type\":\"total\",\"GpUnitId\":", f);
        put_id(f, "ru-", el->tree->node[tps_node(el, w->tps)].code);
        fprintf(f, ",\"Count\":%u}", s < w->nsel ? x->val[w->off + s] : 0);
    }
    fputs("]}", f);
}

static void put_contest(const nist_export *x, const nist_groups *g, uint32_t di, FILE *f)
{
    const election_district *d = &x->el->district[x->k][di];
    int party = contest_is_party_list(x->k);
    fprintf(f, "{\"@type\":\"ElectionResults.%s\",\"@id\":",
            party ? "PartyContest" : "CandidateContest");
    put_id(f, "contest-", d->id);
    fputs(",\"Name\":", f);
    put_str(f, d->name);
    fputs(",\"Abbreviation\":", f);
    put_str(f, d->id);
    fputs(",\"ElectionDistrictId\":", f);
    put_id(f, "ru-dapil-", d->id);
    if (party)
        fputs(",\"VoteVariation\":\"proportional\"", f);
    else
        fprintf(f, ",\"VotesAllowed\":1,\"NumberElected\":%u,\"VoteVariation\":\"%s\"%s",
                d->seats, x->k == CONTEST_PPWP ? "majority" : "plurality",
                x->k == CONTEST_PPWP ? ",\"NumberRunoff\":2" : "");
    fprintf(f, ",\"TotalSubUnits\":%u,\"SubUnitsReported\":%u,\"ContestSelection\":[",
            g->expected[di], g->start[di + 1] - g->start[di]);
    uint32_t n = party ? d->nlist : d->ncand;
    for (uint32_t s = 0; s < n; s++) {
        char id[ELECTION_TEXT_MAX + 16];
        fputs(s ? ",\n" : "\n", f);
        if (party) {
            unsigned no = d->list[s].party;
            snprintf(id, sizeof id, "%s-p%u", d->id, no);
            fputs("{\"@type\":\"ElectionResults.PartySelection\",\"@id\":", f);
            put_id(f, "sel-", id);
            fprintf(f, ",\"SequenceOrder\":%u,\"PartyIds\":[\"party-%u\"]", s + 1, no);
        } else {
            snprintf(id, sizeof id, "%s-%u", d->id, d->cand[s].no);
            fputs("{\"@type\":\"ElectionResults.CandidateSelection\",\"@id\":", f);
            put_id(f, "sel-", id);
            fprintf(f, ",\"SequenceOrder\":%u,\"CandidateIds\":[", d->cand[s].no);
            put_id(f, "cand-", id);
            putc(']', f);
        }
        put_votes(x, g, di, s, f);
    }
    fputs("]}", f);
}

int nist_write(const nist_export *x, const nist_meta *m, FILE *f)
{
    const election *el = x->el;
    uint32_t nd = el->ndistrict[x->k];
    nist_groups g;
    groups_make(x, &g);
    uint64_t expected = 0;
    for (uint32_t d = 0; d < nd; d++)
        expected += g.expected[d];
    int party = contest_is_party_list(x->k);

    fputs("{\"@type\":\"ElectionResults.ElectionReport\",\"Format\":\"precinct-level\","
          "\"GeneratedDate\":",
          f);
    put_str(f, m->generated);
    fprintf(f,
            ",\"Issuer\":\"rekap\",\"IssuerAbbreviation\":\"rekap\","
            "\"VendorApplicationId\":\"rekap\",\"SequenceStart\":1,\"SequenceEnd\":1,"
            "\"Status\":\"%s\",\"Notes\":\"contest %s, region %s: the counted forms of a "
            "signed log of %llu entries\"",
            expected && x->nrow == expected ? "unofficial-complete" : "unofficial-partial",
            contest_kind_id[x->k], el->tree->node[x->scope].code,
            (unsigned long long)m->log_size);

    if (party) {
        fputs(",\n\"Party\":[", f);
        for (unsigned p = 0; p < el->nparty; p++) {
            fprintf(f, "%s{\"@type\":\"ElectionResults.Party\",\"@id\":\"party-%u\",\"Name\":",
                    p ? ",\n" : "\n", el->party[p].no);
            put_text(f, el->party[p].name);
            fputs(",\"Abbreviation\":", f);
            put_text(f, el->party[p].abbrev);
            putc('}', f);
        }
        fputs("]", f);
    }

    fputs(",\n\"GpUnit\":[", f);
    int first = 1;
    put_regions(x, f, &first);
    for (uint32_t d = 0; d < nd; d++)
        if (g.expected[d])
            put_district_unit(x, &el->district[x->k][d], f);
    fputs("],\n\"Election\":[{\"@type\":\"ElectionResults.Election\",\"Type\":\"general\",\"Name\":",
          f);
    put_text(f, el->name);
    fputs(",\"StartDate\":", f);
    put_str(f, m->date);
    fputs(",\"EndDate\":", f);
    put_str(f, m->date);
    fputs(",\"ElectionScopeId\":", f);
    put_id(f, "ru-", el->tree->node[x->scope].code);

    if (!party) {
        fputs(",\n\"Candidate\":[", f);
        first = 1;
        for (uint32_t d = 0; d < nd; d++) {
            const election_district *ds = &el->district[x->k][d];
            if (!g.expected[d])
                continue;
            for (uint32_t c = 0; c < ds->ncand; c++) {
                char id[ELECTION_TEXT_MAX + 16];
                snprintf(id, sizeof id, "%s-%u", ds->id, ds->cand[c].no);
                fputs(first ? "\n" : ",\n", f);
                first = 0;
                fputs("{\"@type\":\"ElectionResults.Candidate\",\"@id\":", f);
                put_id(f, "cand-", id);
                fputs(",\"BallotName\":", f);
                put_text(f, ds->cand[c].name);
                putc('}', f);
            }
        }
        fputs("]", f);
    }

    fputs(",\n\"Contest\":[", f);
    first = 1;
    for (uint32_t d = 0; d < nd; d++) {
        if (!g.expected[d])
            continue;
        fputs(first ? "\n" : ",\n", f);
        first = 0;
        put_contest(x, &g, d, f);
    }
    fputs("],\n\"BallotCounts\":[", f);
    for (size_t r = 0; r < x->nrow; r++) {
        const nist_row *w = &x->row[r];
        fputs(r ? ",\n" : "\n", f);
        fputs("{\"@type\":\"ElectionResults.BallotCounts\",\"Type\":\"total\",\"GpUnitId\":", f);
        put_id(f, "ru-", el->tree->node[tps_node(el, w->tps)].code);
        fprintf(f, ",\"BallotsCast\":%u,\"BallotsRejected\":%u}", w->valid + w->invalid,
                w->invalid);
    }
    fputs("]}]}\n", f);
    groups_free(&g);
    return ferror(f) ? ERR_IO : 0;
}
