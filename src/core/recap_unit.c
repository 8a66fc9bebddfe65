/* recap_unit — owns what a recap means against the election: its units
 * (a region at a recap level, a contest, a district it touches), their
 * children and widths, the numbers' layout and names, and the rules a
 * recap is checked against (recap.h). */
#include "core/recap.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/region.h"

int recap_top_level(contest_kind k)
{
    switch (k) {
    case CONTEST_DPD:
    case CONTEST_DPRD_PROV: return REGION_PROVINCE;
    case CONTEST_DPRD_KAB: return REGION_KABKOTA;
    default: return REGION_NATIONAL;
    }
}

uint32_t recap_width(const election *el, contest_kind k, uint32_t d)
{
    const election_district *ds = &el->district[k][d];
    uint32_t n = ds->ncand;
    if (contest_is_party_list(k)) {
        n = ds->nlist;
        for (uint32_t i = 0; i < ds->nlist; i++)
            n += ds->list[i].ncand;
    }
    return RECAP_I_SEL + n;
}

/* The TPS (indices into el->tps) under region node reg: [*lo, *hi). The
 * TPS level is sorted by code, so they are the run of codes that start
 * with reg's code. */
static void tps_range(const election *el, uint32_t reg, uint32_t *lo, uint32_t *hi)
{
    const region_tree *t = el->tree;
    const region *r = &t->node[reg];
    size_t base = t->level_start[REGION_TPS];
    size_t a = 0, b = el->ntps;
    if (r->level == REGION_NATIONAL) {
        *lo = 0;
        *hi = (uint32_t)el->ntps;
        return;
    }
    size_t plen = strlen(r->code);
    while (a < b) {   /* first TPS whose prefix is >= the code */
        size_t m = a + (b - a) / 2;
        if (strncmp(t->node[base + m].code, r->code, plen) < 0)
            a = m + 1;
        else
            b = m;
    }
    *lo = (uint32_t)a;
    b = el->ntps;
    while (a < b) {   /* first TPS whose prefix is > the code */
        size_t m = a + (b - a) / 2;
        if (strncmp(t->node[base + m].code, r->code, plen) <= 0)
            a = m + 1;
        else
            b = m;
    }
    *hi = (uint32_t)a;
}

static int touches(const election *el, uint32_t reg, contest_kind k, uint32_t d)
{
    uint32_t lo, hi;
    tps_range(el, reg, &lo, &hi);
    for (uint32_t i = lo; i < hi; i++)
        if (el->tps[i].district[k] == d)
            return 1;
    return 0;
}

uint32_t recap_districts(const election *el, uint32_t reg, contest_kind k, uint32_t **out)
{
    uint32_t lo, hi, n = 0;
    uint8_t *seen = mem_calloc(el->ndistrict[k] + 1u, 1);
    tps_range(el, reg, &lo, &hi);
    for (uint32_t i = lo; i < hi; i++) {
        uint32_t d = el->tps[i].district[k];
        if (d != ELECTION_NONE && !seen[d]) {
            seen[d] = 1;
            n++;
        }
    }
    if (out) {
        *out = mem_alloc((n ? n : 1) * sizeof **out);
        for (uint32_t d = 0, j = 0; d < el->ndistrict[k]; d++)
            if (seen[d])
                (*out)[j++] = d;
    }
    free(seen);
    return n;
}

int recap_unit_at(const election *el, uint32_t reg, contest_kind k, uint32_t d, recap_unit *u,
                  err_info *e)
{
    const region *r = &el->tree->node[reg];
    if (r->level < recap_top_level(k) || r->level > REGION_KECAMATAN)
        return err_set(e, ERR_NOTFOUND, "RECAP_LEVEL", "region",
                       "%s is not recapitulated at the level of %s", contest_kind_id[k],
                       r->code);
    if (d >= el->ndistrict[k] || !touches(el, reg, k, d))
        return err_set(e, ERR_NOTFOUND, "RECAP_UNIT_UNKNOWN", "district",
                       "district %s does not reach region %s",
                       d < el->ndistrict[k] ? el->district[k][d].id : "?", r->code);
    u->region = reg;
    u->level = r->level;
    u->kind = k;
    u->district = d;
    u->width = recap_width(el, k, d);
    return 0;
}

int recap_unit_find(const election *el, const char *code, contest_kind k,
                    const char *district, recap_unit *u, err_info *e)
{
    uint32_t reg = region_find(el->tree, code);
    if (reg == REGION_NONE)
        return err_set(e, ERR_NOTFOUND, "RECAP_REGION_UNKNOWN", "region",
                       "no region %s in this election", code);
    for (uint32_t d = 0; d < el->ndistrict[k]; d++)
        if (strcmp(el->district[k][d].id, district) == 0)
            return recap_unit_at(el, reg, k, d, u, e);
    return err_set(e, ERR_NOTFOUND, "RECAP_DISTRICT_UNKNOWN", "district",
                   "no %s district %s in this election", contest_kind_id[k], district);
}

uint32_t recap_children(const election *el, const recap_unit *u, uint32_t **out)
{
    const region_tree *t = el->tree;
    uint32_t n = 0;
    uint32_t *a = NULL;
    if (u->level == REGION_KECAMATAN) {
        uint32_t lo, hi;
        tps_range(el, u->region, &lo, &hi);
        a = mem_alloc((hi - lo + 1) * sizeof *a);
        for (uint32_t i = lo; i < hi; i++)
            if (el->tps[i].district[u->kind] == u->district)
                a[n++] = i;
    } else {
        const region *r = &t->node[u->region];
        a = mem_alloc((r->nchild + 1) * sizeof *a);
        for (uint32_t c = r->child; c != REGION_NONE && c < r->child + r->nchild; c++)
            if (touches(el, c, u->kind, u->district))
                a[n++] = c;
    }
    if (out)
        *out = a;
    else
        free(a);
    return n;
}

/* The region node of child i of a unit at `level`. */
static uint32_t child_node(const election *el, uint8_t level, uint32_t child)
{
    if (level == REGION_KECAMATAN)
        return (uint32_t)el->tree->level_start[REGION_TPS] + child;
    return child;
}

int recap_shape(const election *el, const recap *r, recap_unit *u, err_info *e)
{
    int rc = recap_unit_find(el, r->region, r->kind, r->district, u, e);
    if (rc)
        return rc;
    if (r->width != u->width)
        return err_set(e, ERR_INVALID, "RECAP_WIDTH", "totals",
                       "district %s has %u numbers per row, the recap gives %u", r->district,
                       u->width, r->width);
    uint32_t *ch = NULL;
    uint32_t n = recap_children(el, u, &ch);
    uint32_t i = 0;
    for (; i < n && i < r->nrow; i++) {
        const char *code = el->tree->node[child_node(el, u->level, ch[i])].code;
        if (strcmp(code, r->row[i].code) != 0)
            break;
    }
    if (i < n || i < r->nrow) {
        const char *child = i < n ? el->tree->node[child_node(el, u->level, ch[i])].code : NULL;
        int missing = child && (i >= r->nrow || strcmp(child, r->row[i].code) < 0);
        const char *code = missing ? child : r->row[i].code;
        free(ch);
        return err_set(e, ERR_INVALID, "RECAP_CHILDREN", code,
                       missing ? "%s of this unit has no row: every child has one"
                               : "%s is not a child of this unit", code);
    }
    free(ch);
    return 0;
}

void recap_key(const election *el, const recap_unit *u, signed_type t, char key[RECAP_KEY_MAX])
{
    char buf[32]; /* what the compiler can prove fits; the key itself is shorter */
    int n = snprintf(buf, sizeof buf, "%s%c%u", el->tree->node[u->region].code,
                     t == SIGNED_RECORD ? '#' : '/', u->district);
    assert(n > 0 && n < RECAP_KEY_MAX); /* 6 digits, a sign, district < 10000 */
    memcpy(key, buf, (size_t)n + 1);
}

/* ------------------------------------------------------------ numbers */

void recap_numbers_from_form(const form *f, uint64_t *out)
{
    for (unsigned i = 0; i < FORM_VOTER_ROWS; i++) {
        const form_lpt *l = form_voter(f, i);
        out[3 * i] = l->male;
        out[3 * i + 1] = l->female;
        out[3 * i + 2] = l->total;
    }
    out[RECAP_I_BALLOTS] = f->received;
    out[RECAP_I_BALLOTS + 1] = f->used;
    out[RECAP_I_BALLOTS + 2] = f->damaged;
    out[RECAP_I_BALLOTS + 3] = f->unused;
    out[RECAP_I_VALID] = f->valid;
    out[RECAP_I_INVALID] = f->invalid;
    out[RECAP_I_TOTAL] = f->total;
    for (unsigned i = 0; i < f->nvotes; i++)
        out[RECAP_I_SEL + i] = f->votes[i];
    for (unsigned i = 0; i < f->nparty; i++)
        out[RECAP_I_SEL + f->nvotes + i] = f->party[i].party_only;
}

void recap_field_name(const election *el, contest_kind k, uint32_t d, uint32_t i, char *buf,
                      size_t cap)
{
    static const char *const col[3] = {"male", "female", "total"};
    static const char *const ballot[4] = {"received", "used", "damaged", "unused"};
    static const char *const votes[3] = {"valid", "invalid", "total"};
    uint32_t ncand = recap_width(el, k, d) - RECAP_I_SEL;
    if (contest_is_party_list(k))
        ncand -= el->district[k][d].nlist;
    if (i < RECAP_I_BALLOTS)
        snprintf(buf, cap, "voters.%s.%s", form_voter_keys[i / 3], col[i % 3]);
    else if (i < RECAP_I_VALID)
        snprintf(buf, cap, "ballots.%s", ballot[i - RECAP_I_BALLOTS]);
    else if (i < RECAP_I_SEL)
        snprintf(buf, cap, "%s", votes[i - RECAP_I_VALID]);
    else if (i - RECAP_I_SEL < ncand)
        snprintf(buf, cap, "votes[%u]", i - RECAP_I_SEL);
    else
        snprintf(buf, cap, "party_only[%u]", i - RECAP_I_SEL - ncand);
}

/* -------------------------------------------------------------- rules */

/* The arithmetic every recap number set keeps (the totals, a corrected
 * row): what each C.Hasil keeps, so what their sums keep. */
static void check_numbers(const uint64_t *v, uint32_t width, const char *what,
                          rule_report *rep)
{
    static const char *const col[3] = {"male", "female", "total"};
    for (unsigned r = 0; r < FORM_VOTER_ROWS; r++)
        if (v[3 * r] + v[3 * r + 1] != v[3 * r + 2])
            rules_report_add(rep, RULE_RECAP_LPT_SUM, "%s voters.%s: %llu + %llu != %llu", what,
                             form_voter_keys[r], (unsigned long long)v[3 * r],
                             (unsigned long long)v[3 * r + 1], (unsigned long long)v[3 * r + 2]);
    for (unsigned c = 0; c < 3; c++)   /* rows b1, b2, b3, b4 are 3..6 */
        if (v[9 + c] + v[12 + c] + v[15 + c] != v[18 + c])
            rules_report_add(rep, RULE_RECAP_B4_SUM, "%s b4.%s: %llu != %llu", what, col[c],
                             (unsigned long long)v[18 + c],
                             (unsigned long long)(v[9 + c] + v[12 + c] + v[15 + c]));
    const uint64_t *b = v + RECAP_I_BALLOTS;
    if (b[0] != b[1] + b[2] + b[3])
        rules_report_add(rep, RULE_RECAP_BALLOT_SUM, "%s received %llu != %llu", what,
                         (unsigned long long)b[0], (unsigned long long)(b[1] + b[2] + b[3]));
    if (b[1] != v[20] || v[RECAP_I_TOTAL] != v[20])
        rules_report_add(rep, RULE_RECAP_USED_B4, "%s used %llu, b4 %llu, total %llu", what,
                         (unsigned long long)b[1], (unsigned long long)v[20],
                         (unsigned long long)v[RECAP_I_TOTAL]);
    if (v[RECAP_I_VALID] + v[RECAP_I_INVALID] != v[RECAP_I_TOTAL])
        rules_report_add(rep, RULE_RECAP_TOTAL_SUM, "%s %llu + %llu != %llu", what,
                         (unsigned long long)v[RECAP_I_VALID],
                         (unsigned long long)v[RECAP_I_INVALID],
                         (unsigned long long)v[RECAP_I_TOTAL]);
    uint64_t sel = 0;
    for (uint32_t i = RECAP_I_SEL; i < width; i++)
        sel += v[i];
    if (sel != v[RECAP_I_VALID])
        rules_report_add(rep, RULE_RECAP_VOTES_SUM, "%s votes %llu != valid %llu", what,
                         (unsigned long long)sel, (unsigned long long)v[RECAP_I_VALID]);
}

const uint64_t *recap_row_value(const recap *r, uint32_t i, const recap_child *ch)
{
    const recap_row *w = &r->row[i];
    if (w->how == RECAP_CORRECT)
        return w->numbers;
    if (w->how == RECAP_ADOPT && ch[i].version == w->version)
        return ch[i].numbers;
    return NULL;
}

/* An adopted row stands when the child says that version now. */
static int check_adopted(const recap_row *w, const recap_child *c, rule_report *rep)
{
    if (c->version == 0) {
        rules_report_add(rep, RULE_RECAP_CHILD_UNSIGNED, "%s", w->code);
        return 0;
    }
    if (c->version != w->version) {
        rules_report_add(rep, RULE_RECAP_CHILD_STALE, "%s: v%u adopted, v%u stands", w->code,
                         w->version, c->version);
        return 0;
    }
    return 1;
}

void recap_check(const recap *r, const recap_unit *u, const recap_child *ch, uint32_t n,
                 rule_report *rep)
{
    assert(n == r->nrow && r->width == u->width);
    (void)u;
    rules_report_init(rep);
    int known = 1;   /* every row's value is known, so the sum can be checked */
    for (uint32_t i = 0; i < n; i++) {
        const recap_row *w = &r->row[i];
        if (w->how == RECAP_ADOPT) {
            known &= check_adopted(w, &ch[i], rep);
        } else if (w->how == RECAP_CORRECT) {
            char what[REGION_CODE_MAX + 4];
            snprintf(what, sizeof what, "%s:", w->code);
            check_numbers(w->numbers, r->width, what, rep);
        }
    }
    if (known) {
        uint32_t first = r->width, count = 0;
        for (uint32_t f = 0; f < r->width; f++) {
            uint64_t sum = 0;
            for (uint32_t i = 0; i < n; i++) {
                const uint64_t *v = recap_row_value(r, i, ch);
                sum += v ? v[f] : 0;
            }
            if (sum != r->totals[f] && count++ == 0)
                first = f;
        }
        if (count)
            rules_report_add(rep, RULE_RECAP_SUM, "%u numbers differ, first #%u", count, first);
    }
    check_numbers(r->totals, r->width, "totals:", rep);
}
