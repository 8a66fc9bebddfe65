/* rules — owns the table of every rule a C.Hasil is checked against (code,
 * severity, messages in Bahasa Indonesia and English) and the checks
 * themselves: the form's own arithmetic, the form against the election
 * definition, and the soft signals for review, all behind one entry point
 * (rules_check), and what a report means (rules_flagged). docs/RULES.md
 * mirrors the table for people.
 *
 * The checks run over millions of forms, so they allocate nothing: a hit is
 * a rule id and a short detail formatted into the fixed-size report. A hit's
 * detail names fields by their JSON path in the form ("voters.b4[2]", index
 * 0 male, 1 female, 2 total) and gives the numbers; it is the same in both
 * languages. */
#include "core/rules.h"

#include <assert.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

/* Soft-signal thresholds: below these sizes the signal is noise (a TPS of
 * nine voters who all chose one pair is not remarkable). */
#define ONE_TAKES_ALL_MIN_VALID 10
#define INVALID_HIGH_MIN_TOTAL 20
#define INVALID_HIGH_PERCENT 10
#define NEIGHBOUR_MIN_GROUP 3

static const rule_def rule_table[RULE_COUNT] = {
    {RULE_LPT_SUM, "LPT_SUM", RULE_HARD,
     "Jumlah pemilih laki-laki dan perempuan tidak sama dengan jumlah total",
     "Male plus female does not equal the total"},
    {RULE_B4_SUM, "B4_SUM", RULE_HARD,
     "Jumlah seluruh pengguna hak pilih (B4) tidak sama dengan B1 + B2 + B3",
     "Voters who voted (B4) does not equal B1 + B2 + B3"},
    {RULE_B1_DPT, "B1_DPT", RULE_HARD,
     "Pengguna hak pilih dari DPT (B1) lebih banyak dari jumlah pemilih dalam DPT",
     "Voters from the DPT (B1) exceed the voters registered in the DPT"},
    {RULE_B2_DPTB, "B2_DPTB", RULE_HARD,
     "Pengguna hak pilih dari DPTb (B2) lebih banyak dari jumlah pemilih dalam DPTb",
     "Voters from the DPTb (B2) exceed the voters in the DPTb"},
    {RULE_B3_DPK, "B3_DPK", RULE_HARD,
     "Pengguna hak pilih dari DPK (B3) lebih banyak dari jumlah pemilih dalam DPK",
     "Voters from the DPK (B3) exceed the voters in the DPK"},
    {RULE_B4_CAP, "B4_CAP", RULE_HARD,
     "Jumlah pengguna hak pilih (B4) lebih banyak dari jumlah pemilih DPT + DPTb + DPK",
     "Voters who voted (B4) exceed DPT + DPTb + DPK"},
    {RULE_DISABLED_CAP, "DISABLED_CAP", RULE_HARD,
     "Pemilih disabilitas yang memilih lebih banyak dari jumlah pengguna hak pilih (B4)",
     "Voters with disabilities who voted exceed all voters who voted (B4)"},
    {RULE_BALLOT_SUM, "BALLOT_SUM", RULE_HARD,
     "Surat suara yang diterima tidak sama dengan surat suara yang digunakan + "
     "dikembalikan rusak/keliru coblos + tidak digunakan",
     "Ballot papers received do not equal used + returned damaged or wrongly "
     "marked + unused"},
    {RULE_RECEIVED_CAP, "RECEIVED_CAP", RULE_HARD,
     "Surat suara yang diterima lebih banyak dari DPT ditambah surat suara cadangan",
     "Ballot papers received exceed the DPT plus the reserve"},
    {RULE_USED_B4, "USED_B4", RULE_HARD,
     "Surat suara yang digunakan tidak sama dengan jumlah pengguna hak pilih (B4)",
     "Ballot papers used do not equal the voters who voted (B4)"},
    {RULE_TOTAL_SUM, "TOTAL_SUM", RULE_HARD,
     "Jumlah suara sah dan suara tidak sah tidak sama dengan jumlah seluruh suara",
     "Valid plus invalid votes do not equal the total votes"},
    {RULE_TOTAL_B4, "TOTAL_B4", RULE_HARD,
     "Jumlah seluruh suara sah dan tidak sah tidak sama dengan jumlah pengguna hak pilih (B4)",
     "Total votes do not equal the voters who voted (B4)"},
    {RULE_VOTES_SUM, "VOTES_SUM", RULE_HARD,
     "Jumlah perolehan suara seluruh pilihan tidak sama dengan jumlah suara sah",
     "The votes of all selections do not add up to the valid votes"},
    {RULE_PARTY_SUM, "PARTY_SUM", RULE_HARD,
     "Jumlah suara partai tidak sama dengan suara partai saja ditambah suara para calonnya",
     "A party's total does not equal its party-only votes plus its candidates' votes"},
    {RULE_TPS_UNKNOWN, "TPS_UNKNOWN", RULE_HARD,
     "TPS tidak terdaftar dalam pemilu ini",
     "This TPS is not registered in this election"},
    {RULE_CONTEST_NOT_HERE, "CONTEST_NOT_HERE", RULE_HARD,
     "Surat suara jenis ini tidak digunakan di TPS ini",
     "This ballot is not cast at this TPS"},
    {RULE_BALLOT_SHAPE, "BALLOT_SHAPE", RULE_HARD,
     "Partai atau calon pada formulir tidak sesuai dengan surat suara daerah pemilihan TPS ini",
     "Parties or candidates on the form differ from the ballot of this TPS's district"},
    {RULE_DPT_MISMATCH, "DPT_MISMATCH", RULE_HARD,
     "Jumlah pemilih DPT pada formulir berbeda dengan DPT yang ditetapkan untuk TPS ini",
     "The DPT on the form differs from the DPT registered for this TPS"},
    {RULE_TURNOUT_OVER, "TURNOUT_OVER", RULE_SOFT,
     "Pengguna hak pilih lebih banyak dari pemilih dalam DPT (partisipasi di atas 100%)",
     "More voters voted than the DPT holds (turnout over 100%)"},
    {RULE_ONE_TAKES_ALL, "ONE_TAKES_ALL", RULE_SOFT,
     "Seluruh suara sah diperoleh satu pilihan saja",
     "One selection received every valid vote"},
    {RULE_INVALID_HIGH, "INVALID_HIGH", RULE_SOFT,
     "Suara tidak sah lebih dari 10% dari jumlah seluruh suara",
     "Invalid votes are more than 10% of all votes"},
    {RULE_NEIGHBOUR_OUTLIER, "NEIGHBOUR_OUTLIER", RULE_SOFT,
     "Tingkat partisipasi jauh berbeda dari TPS lain di desa/kelurahan yang sama",
     "Turnout is far from the other TPS of the same desa/kelurahan"},
    {RULE_RECAP_CHILD_UNSIGNED, "RECAP_CHILD_UNSIGNED", RULE_HARD,
     "Baris yang diambil dari tingkat di bawah belum memiliki hasil yang dihitung atau "
     "ditandatangani: tandai (pending, PSU, hitung ulang) atau koreksi dengan alasan",
     "An adopted row has no counted or signed result below: mark it (pending, PSU, "
     "re-count) or correct it with a reason"},
    {RULE_RECAP_CHILD_STALE, "RECAP_CHILD_STALE", RULE_HARD,
     "Versi yang diambil bukan versi terakhir yang berlaku di tingkat di bawah",
     "The adopted version is not the one that stands below now"},
    {RULE_RECAP_SUM, "RECAP_SUM", RULE_HARD,
     "Jumlah rekapitulasi tidak sama dengan jumlah seluruh baris",
     "The recap's totals are not the sum of its rows"},
    {RULE_RECAP_LPT_SUM, "RECAP_LPT_SUM", RULE_HARD,
     "Jumlah pemilih laki-laki dan perempuan tidak sama dengan jumlah total",
     "Male plus female does not equal the total"},
    {RULE_RECAP_B4_SUM, "RECAP_B4_SUM", RULE_HARD,
     "Jumlah seluruh pengguna hak pilih (B4) tidak sama dengan B1 + B2 + B3",
     "Voters who voted (B4) does not equal B1 + B2 + B3"},
    {RULE_RECAP_BALLOT_SUM, "RECAP_BALLOT_SUM", RULE_HARD,
     "Surat suara yang diterima tidak sama dengan yang digunakan + rusak/keliru coblos + "
     "tidak digunakan",
     "Ballot papers received do not equal used + damaged or wrongly marked + unused"},
    {RULE_RECAP_USED_B4, "RECAP_USED_B4", RULE_HARD,
     "Surat suara yang digunakan, pengguna hak pilih (B4) dan jumlah seluruh suara tidak sama",
     "Ballot papers used, voters who voted (B4) and total votes are not equal"},
    {RULE_RECAP_TOTAL_SUM, "RECAP_TOTAL_SUM", RULE_HARD,
     "Jumlah suara sah dan suara tidak sah tidak sama dengan jumlah seluruh suara",
     "Valid plus invalid votes do not equal the total votes"},
    {RULE_RECAP_VOTES_SUM, "RECAP_VOTES_SUM", RULE_HARD,
     "Jumlah perolehan suara seluruh pilihan tidak sama dengan jumlah suara sah",
     "The votes of all selections do not add up to the valid votes"},
};

int rules_is_recap(rule_id id)
{
    return id >= RULE_RECAP_CHILD_UNSIGNED && id < RULE_COUNT;
}

const rule_def *rules_def(rule_id id)
{
    if ((unsigned)id >= RULE_COUNT)
        return NULL;
    return &rule_table[id];
}

const rule_def *rules_find(const char *code)
{
    for (unsigned i = 0; i < RULE_COUNT; i++)
        if (strcmp(rule_table[i].code, code) == 0)
            return &rule_table[i];
    return NULL;
}

/* ------------------------------------------------------------------ */
/* report                                                              */

void rules_report_init(rule_report *r)
{
    memset(r, 0, offsetof(rule_report, hit));
}

/* Severity counts include hits beyond RULES_HITS_MAX: whether a form may be
 * counted must never depend on how many details fit. */
static void rules_report_vadd(rule_report *r, rule_id id, const char *fmt, va_list ap)
{
    assert((unsigned)id < RULE_COUNT);
    assert(r->nhit <= RULES_HITS_MAX && r->nhit + r->truncated == r->nhard + r->nsoft);
    if (rule_table[id].severity == RULE_HARD)
        r->nhard++;
    else
        r->nsoft++;
    if (r->nhit == RULES_HITS_MAX) {
        r->truncated++;
        return;
    }
    rule_hit *h = &r->hit[r->nhit++];
    h->id = id;
    vsnprintf(h->detail, sizeof h->detail, fmt, ap);
}

void rules_report_add(rule_report *r, rule_id id, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rules_report_vadd(r, id, fmt, ap);
    va_end(ap);
}

int rules_flagged(const rule_report *r)
{
    return r->nsoft > 0;
}

void rules_hit_message(const rule_hit *h, const char *lang, char *buf, size_t cap)
{
    assert((unsigned)h->id < RULE_COUNT && cap > 0);
    const rule_def *d = &rule_table[h->id];
    const char *msg = (lang && strcmp(lang, "en") == 0) ? d->msg_en : d->msg_id;

    if (h->detail[0])
        snprintf(buf, cap, "%s: %s", msg, h->detail);
    else
        snprintf(buf, cap, "%s", msg);
}

/* ------------------------------------------------------------------ */
/* the form's own arithmetic                                           */

typedef struct row {
    const char *name;
    const form_lpt *v;
} row;

static unsigned col(const form_lpt *r, int c)
{
    return c == 0 ? r->male : c == 1 ? r->female : r->total;
}

static void check_lpt_sums(const form *f, rule_report *r)
{
    const row rows[] = {{"dpt", &f->dpt}, {"dptb", &f->dptb}, {"dpk", &f->dpk},
                        {"b1", &f->b1},   {"b2", &f->b2},     {"b3", &f->b3},
                        {"b4", &f->b4},   {"disabled", &f->disabled}};

    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        const form_lpt *v = rows[i].v;
        if ((unsigned)v->male + v->female != v->total)
            rules_report_add(r, RULE_LPT_SUM, "voters.%s: %u + %u != %u", rows[i].name,
                             v->male, v->female, v->total);
    }
}

/* Each "voted" row is bounded by the register row it was drawn from. */
static void check_register_caps(const form *f, int c, rule_report *r)
{
    static const struct {
        rule_id id;
        const char *voted, *reg;
    } caps[] = {{RULE_B1_DPT, "b1", "dpt"},
                {RULE_B2_DPTB, "b2", "dptb"},
                {RULE_B3_DPK, "b3", "dpk"}};
    const form_lpt *voted[] = {&f->b1, &f->b2, &f->b3};
    const form_lpt *reg[] = {&f->dpt, &f->dptb, &f->dpk};

    for (size_t i = 0; i < 3; i++)
        if (col(voted[i], c) > col(reg[i], c))
            rules_report_add(r, caps[i].id, "voters.%s[%d] %u > voters.%s[%d] %u",
                             caps[i].voted, c, col(voted[i], c), caps[i].reg, c,
                             col(reg[i], c));
}

/* The voters section column by column (0 male, 1 female, 2 total). */
static void check_voter_columns(const form *f, rule_report *r)
{
    for (int c = 0; c < 3; c++) {
        unsigned b1 = col(&f->b1, c), b2 = col(&f->b2, c), b3 = col(&f->b3, c);
        unsigned b4 = col(&f->b4, c);
        unsigned dpt = col(&f->dpt, c), dptb = col(&f->dptb, c), dpk = col(&f->dpk, c);

        if (b1 + b2 + b3 != b4)
            rules_report_add(r, RULE_B4_SUM, "voters.b4[%d]: %u + %u + %u != %u", c,
                             b1, b2, b3, b4);
        check_register_caps(f, c, r);
        if (b4 > dpt + dptb + dpk)
            rules_report_add(r, RULE_B4_CAP, "voters.b4[%d]: %u > %u + %u + %u", c, b4,
                             dpt, dptb, dpk);
        if (col(&f->disabled, c) > b4)
            rules_report_add(r, RULE_DISABLED_CAP,
                             "voters.disabled[%d] %u > voters.b4[%d] %u", c,
                             col(&f->disabled, c), c, b4);
    }
}

/* Ballot papers received: DPT plus the reserve (2% in 2024, rounded up),
 * plus DPTb and DPK where the rules send extra papers for them. */
static void check_ballots(const form *f, const election_rules *rules, rule_report *r)
{
    static const election_rules defaults = {.reserve_permille = 20,
                                            .reserve_dptb = 1,
                                            .reserve_dpk = 1};
    const election_rules *ru = rules ? rules : &defaults;
    unsigned long long dpt_cap =
        ((unsigned long long)f->dpt.total * (1000 + ru->reserve_permille) + 999) / 1000;
    unsigned dptb = ru->reserve_dptb ? f->dptb.total : 0;
    unsigned dpk = ru->reserve_dpk ? f->dpk.total : 0;

    if ((unsigned)f->used + f->damaged + f->unused != f->received)
        rules_report_add(r, RULE_BALLOT_SUM, "ballots.received %u != %u + %u + %u",
                         f->received, f->used, f->damaged, f->unused);
    if (f->received > dpt_cap + dptb + dpk)
        rules_report_add(r, RULE_RECEIVED_CAP,
                         "ballots.received %u > %llu (DPT %u + %u.%u%% = %llu, DPTb %u, DPK %u)",
                         f->received, dpt_cap + dptb + dpk, f->dpt.total,
                         ru->reserve_permille / 10, ru->reserve_permille % 10, dpt_cap,
                         dptb, dpk);
    if (f->used != f->b4.total)
        rules_report_add(r, RULE_USED_B4, "ballots.used %u != voters.b4[2] %u", f->used,
                         f->b4.total);
}

/* Sum of the selections the valid votes are split over: the votes per
 * candidate, or for party lists the parties' totals as written. */
static unsigned selections_sum(const form *f)
{
    unsigned sum = 0;

    if (contest_is_party_list(f->kind))
        for (unsigned i = 0; i < f->nparty; i++)
            sum += f->party[i].total;
    else
        for (unsigned i = 0; i < f->nvotes; i++)
            sum += f->votes[i];
    return sum;
}

static void check_votes(const form *f, rule_report *r)
{
    unsigned sel = selections_sum(f);

    if ((unsigned)f->valid + f->invalid != f->total)
        rules_report_add(r, RULE_TOTAL_SUM, "total %u != valid %u + invalid %u", f->total,
                         f->valid, f->invalid);
    if (f->total != f->b4.total)
        rules_report_add(r, RULE_TOTAL_B4, "total %u != voters.b4[2] %u", f->total,
                         f->b4.total);
    if (sel != f->valid)
        rules_report_add(r, RULE_VOTES_SUM, "%s %u != valid %u",
                         contest_is_party_list(f->kind) ? "sum of party totals"
                                                        : "sum of votes",
                         sel, f->valid);
    if (!contest_is_party_list(f->kind))
        return;
    for (unsigned i = 0; i < f->nparty; i++) {
        const form_party *p = &f->party[i];
        unsigned cand = form_party_candidates_sum(f, i);
        if ((unsigned)p->party_only + cand != p->total)
            rules_report_add(r, RULE_PARTY_SUM,
                             "party %u (parties[%u]): total %u != %u + %u", p->no, i,
                             p->total, p->party_only, cand);
    }
}

/* The selection holding every valid vote, or -1. Selections are parties
 * for party lists (a list's voters may split over its candidates). */
static int sole_selection(const form *f, unsigned *nsel)
{
    int party_list = contest_is_party_list(f->kind);
    unsigned n = party_list ? f->nparty : f->nvotes;

    *nsel = n;
    for (unsigned i = 0; i < n; i++)
        if ((party_list ? f->party[i].total : f->votes[i]) == f->valid)
            return (int)i;
    return -1;
}

static void check_soft(const form *f, rule_report *r)
{
    unsigned nsel;

    if (f->b4.total > f->dpt.total)
        rules_report_add(r, RULE_TURNOUT_OVER, "voters.b4[2] %u > voters.dpt[2] %u",
                         f->b4.total, f->dpt.total);
    if (f->valid >= ONE_TAKES_ALL_MIN_VALID) {
        int i = sole_selection(f, &nsel);
        if (i >= 0 && nsel >= 2) {
            if (contest_is_party_list(f->kind))
                rules_report_add(r, RULE_ONE_TAKES_ALL, "party %u (parties[%d]): %u of %u",
                                 f->party[i].no, i, f->valid, f->valid);
            else
                rules_report_add(r, RULE_ONE_TAKES_ALL, "votes[%d]: %u of %u", i,
                                 f->valid, f->valid);
        }
    }
    if (f->total >= INVALID_HIGH_MIN_TOTAL &&
        (unsigned)f->invalid * 100 > (unsigned)f->total * INVALID_HIGH_PERCENT)
        rules_report_add(r, RULE_INVALID_HIGH, "invalid %u of total %u (%.1f%%)",
                         f->invalid, f->total, 100.0 * f->invalid / f->total);
}

void rules_check_form(const form *f, const election_rules *rules, rule_report *r)
{
    /* the checks index the form's arrays by its own counts */
    assert(f->kind < CONTEST_KINDS && f->nvotes <= FORM_SELECTIONS_MAX &&
           f->nparty <= FORM_PARTIES_MAX);
    check_lpt_sums(f, r);
    check_voter_columns(f, r);
    check_ballots(f, rules, r);
    check_votes(f, r);
    check_soft(f, r);
}

/* ------------------------------------------------------------------ */
/* the form against the election                                       */

/* A hit of a rule against the election: always HARD, which rules_flagged
 * relies on (a form's flag is the same from its own rules alone). */
__attribute__((format(printf, 3, 4)))
static void election_hit(rule_report *r, rule_id id, const char *fmt, ...)
{
    va_list ap;
    assert(rule_table[id].severity == RULE_HARD);
    va_start(ap, fmt);
    rules_report_vadd(r, id, fmt, ap);
    va_end(ap);
}

/* Reports the first difference only: a shifted party list would otherwise
 * fill the report with one hit per party. */
static void check_shape(const form *f, const election_district *d, rule_report *r)
{
    if (!contest_is_party_list(f->kind)) {
        if (f->nvotes != d->ncand)
            election_hit(r, RULE_BALLOT_SHAPE, "votes: %u candidates, %s has %u", f->nvotes,
                         d->id, d->ncand);
        return;
    }
    if (f->nparty != d->nlist) {
        election_hit(r, RULE_BALLOT_SHAPE, "parties: %u parties, %s has %u", f->nparty, d->id,
                     d->nlist);
        return;
    }
    for (unsigned i = 0; i < f->nparty; i++) {
        const form_party *p = &f->party[i];
        const election_list *l = &d->list[i];
        if (p->no != l->party) {
            election_hit(r, RULE_BALLOT_SHAPE, "parties[%u]: party %u, %s has party %u", i,
                         p->no, d->id, l->party);
            return;
        }
        if (p->ncand != l->ncand) {
            election_hit(r, RULE_BALLOT_SHAPE, "party %u (parties[%u]): %u candidates, %s has %u",
                         p->no, i, p->ncand, d->id, l->ncand);
            return;
        }
    }
}

void rules_check_election(const form *f, const election *el, rule_report *r)
{
    uint32_t i = election_tps_find(el, f->tps);
    const election_district *d;
    const election_tps *t;

    if (i == ELECTION_NONE) {
        election_hit(r, RULE_TPS_UNKNOWN, "tps %s", f->tps);
        return;
    }
    d = election_tps_district(el, i, f->kind);
    if (!d) {
        election_hit(r, RULE_CONTEST_NOT_HERE, "%s at tps %s", contest_kind_id[f->kind],
                     f->tps);
        return;
    }
    check_shape(f, d, r);
    t = &el->tps[i];
    if (f->dpt.male != t->dpt_male || f->dpt.female != t->dpt_female)
        election_hit(r, RULE_DPT_MISMATCH, "voters.dpt %u + %u, registered %u + %u",
                     f->dpt.male, f->dpt.female, t->dpt_male, t->dpt_female);
}

void rules_check(const form *f, const election *el, rule_report *r)
{
    rules_report_init(r);
    rules_check_form(f, el ? &el->rules : NULL, r);
    if (el)
        rules_check_election(f, el, r);
}

/* ------------------------------------------------------------------ */
/* neighbours                                                          */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* NaN entries (a TPS whose turnout is undefined, DPT 0) take no part: they
 * are neither counted in the group nor flagged. A desa has at most 999 TPS,
 * so the sort buffer normally lives on the stack. */
void rules_neighbour_outliers(const double *turnout_pct, size_t n, double spread,
                              unsigned char *flagged)
{
    double local[1024];
    double *v = n <= sizeof local / sizeof local[0] ? local : mem_alloc(n * sizeof *v);
    size_t m = 0;

    for (size_t i = 0; i < n; i++) {
        flagged[i] = 0;
        if (!isnan(turnout_pct[i]))
            v[m++] = turnout_pct[i];
    }
    if (m >= NEIGHBOUR_MIN_GROUP) {
        qsort(v, m, sizeof *v, cmp_double);
        double median = m % 2 ? v[m / 2] : (v[m / 2 - 1] + v[m / 2]) / 2;
        for (size_t i = 0; i < n; i++)
            flagged[i] = fabs(turnout_pct[i] - median) > spread * 100.0;
    }
    if (v != local)
        free(v);
}

void rules_report_codes(const rule_report *r, rule_severity sev, char *buf, size_t cap)
{
    unsigned char seen[RULE_COUNT] = {0};
    size_t n = 0;
    assert(cap > 0);
    buf[0] = '\0';
    for (unsigned i = 0; i < r->nhit; i++) {
        const rule_def *d = rules_def(r->hit[i].id);
        if (d->severity != sev || seen[d->id])
            continue;
        seen[d->id] = 1;
        int w = snprintf(buf + n, cap - n, "%s%s", n ? "," : "", d->code);
        if (w < 0 || (size_t)w >= cap - n) {
            buf[n] = '\0';
            break;
        }
        n += (size_t)w;
    }
}
