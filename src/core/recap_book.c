/* recap_book — owns the book of the tiered recap: per unit, what the log
 * says so far (versions, the accepted totals, the plenary records), what
 * each child of a unit says now, and the replay of a logged recap entry
 * with its verdict recomputed (recap.h). One home for "the next version"
 * and "the verdict", used by the ingest writer, its restart, the read side
 * and `rekap verify`, so they cannot disagree. */
#include "core/recap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"

typedef struct book_slot {
    uint64_t key;           /* 0: free; else unit key + 1 */
    recap_unit unit;
    recap_state_of s;
} book_slot;

struct recap_book {
    const election *el;
    book_slot *slot;
    size_t cap, n;          /* cap a power of two, kept at most half full */
    uint64_t changes;       /* entries recorded: what a reader keyed on it compares */
};

/* A unit's identity: region node (22 bits), kind (3), district (14). */
static uint64_t unit_key(const recap_unit *u)
{
    return (((uint64_t)u->region << 17) | ((uint64_t)u->kind << 14) | u->district) + 1u;
}

static size_t slot_of(const recap_book *b, uint64_t key)
{
    uint64_t h = key * UINT64_C(0x9E3779B97F4A7C15);
    size_t i = (size_t)(h >> 20) & (b->cap - 1);
    while (b->slot[i].key && b->slot[i].key != key)
        i = (i + 1) & (b->cap - 1);
    return i;
}

recap_book *recap_book_new(const election *el)
{
    recap_book *b = mem_calloc(1, sizeof *b);
    b->el = el;
    b->cap = 64;
    b->slot = mem_calloc(b->cap, sizeof *b->slot);
    return b;
}

void recap_book_free(recap_book *b)
{
    if (!b)
        return;
    for (size_t i = 0; i < b->cap; i++)
        free(b->slot[i].s.totals);
    free(b->slot);
    free(b);
}

static void book_grow(recap_book *b)
{
    book_slot *old = b->slot;
    size_t ocap = b->cap;
    b->cap *= 2;
    b->slot = mem_calloc(b->cap, sizeof *b->slot);
    for (size_t i = 0; i < ocap; i++)
        if (old[i].key)
            b->slot[slot_of(b, old[i].key)] = old[i];
    free(old);
}

static book_slot *book_take(recap_book *b, const recap_unit *u)
{
    if (2 * (b->n + 1) > b->cap)
        book_grow(b);
    uint64_t key = unit_key(u);
    book_slot *s = &b->slot[slot_of(b, key)];
    if (!s->key) {
        s->key = key;
        s->unit = *u;
        b->n++;
    }
    return s;
}

const recap_state_of *recap_book_get(const recap_book *b, const recap_unit *u)
{
    static const recap_state_of none;
    const book_slot *s = &b->slot[slot_of(b, unit_key(u))];
    return s->key ? &s->s : &none;
}

size_t recap_book_size(const recap_book *b) { return b->n; }
uint64_t recap_book_changes(const recap_book *b) { return b->changes; }

void recap_book_each(const recap_book *b,
                     void (*fn)(void *ctx, const recap_unit *u, const recap_state_of *s),
                     void *ctx)
{
    for (size_t i = 0; i < b->cap; i++)
        if (b->slot[i].key)
            fn(ctx, &b->slot[i].unit, &b->slot[i].s);
}

void recap_book_record(recap_book *b, const recap_unit *u, const recap_entry *en,
                       uint64_t index)
{
    book_slot *s = book_take(b, u);
    b->changes++;
    if (en->type == SIGNED_RECORD) {
        assert(en->record.number == s->s.records + 1);
        s->s.records++;
        return;
    }
    assert(en->recap.version == s->s.latest + 1 && en->recap.width == u->width);
    s->s.latest = en->recap.version;
    s->s.latest_ok = en->accepted;
    if (!en->accepted)
        return;
    s->s.accepted = en->recap.version;
    s->s.index = index;
    s->s.received = en->received;
    if (!s->s.totals)
        s->s.totals = mem_alloc(u->width * sizeof *s->s.totals);
    memcpy(s->s.totals, en->recap.totals, u->width * sizeof *s->s.totals);
}

int recap_book_follows(const recap_book *b, const recap_unit *u, const recap_entry *en,
                       err_info *e)
{
    const recap_state_of *s = recap_book_get(b, u);
    if (en->type == SIGNED_RECORD) {
        const record *c = &en->record;
        if (c->number <= s->records)
            return err_set(e, ERR_EXISTS, "RECAP_VERSION_LOGGED", "number",
                           "record %u of this unit is logged", c->number);
        if (c->number != s->records + 1)
            return err_set(e, ERR_INVALID, "RECORD_NUMBER_GAP", "number",
                           "the next record of this unit is number %u", s->records + 1);
        if (c->recap > s->latest)
            return err_set(e, ERR_INVALID, "RECORD_RECAP_UNKNOWN", "recap",
                           "recap version %u of this unit is not logged (latest %u)", c->recap,
                           s->latest);
        return 0;
    }
    if (en->recap.version <= s->latest)
        return err_set(e, ERR_EXISTS, "RECAP_VERSION_LOGGED", "version",
                       "version %u of this recap is logged; sign a correction as version %u",
                       en->recap.version, s->latest + 1);
    if (en->recap.version != s->latest + 1)
        return err_set(e, ERR_INVALID, "RECAP_VERSION_GAP", "version",
                       "expected version %u of this recap, got %u", s->latest + 1,
                       en->recap.version);
    return 0;
}

/* ------------------------------------------------------- the children */

uint32_t recap_counted_array(void *ctx, uint32_t tps, contest_kind k)
{
    return ((const uint16_t *)ctx)[(size_t)tps * CONTEST_KINDS + k];
}

static int child_tps(const election *el, const recap_src *src, const recap_unit *u,
                     uint32_t tps, entry *scratch, recap_child *c, err_info *e)
{
    c->node = (uint32_t)el->tree->level_start[REGION_TPS] + tps;
    c->version = src->counted(src->counted_ctx, tps, u->kind);
    if (!c->version)
        return 0;
    int rc = src->prev(src->prev_ctx, el->tree->node[c->node].code, u->kind, c->version,
                       scratch, e);
    if (rc < 0)
        return rc;
    assert(scratch->accepted && scratch->sub.form.kind == u->kind);
    c->status = RECAP_CHILD_COUNTED;
    c->numbers = mem_alloc(u->width * sizeof *c->numbers);
    recap_numbers_from_form(&scratch->sub.form, c->numbers);
    return 0;
}

static void child_region(const election *el, const recap_book *b, const recap_unit *u,
                         uint32_t node, recap_child *c)
{
    recap_unit cu = {.region = node, .level = el->tree->node[node].level, .kind = u->kind,
                     .district = u->district, .width = u->width};
    const recap_state_of *s = recap_book_get(b, &cu);
    c->node = node;
    c->status = !s->latest ? RECAP_CHILD_NONE
                : s->latest_ok ? RECAP_CHILD_SIGNED
                               : RECAP_CHILD_REJECTED;
    c->version = s->accepted;
    if (s->accepted) {
        c->numbers = mem_alloc(u->width * sizeof *c->numbers);
        memcpy(c->numbers, s->totals, u->width * sizeof *c->numbers);
    }
}

int recap_children_now(const election *el, const recap_book *b, const recap_src *src,
                       const recap_unit *u, recap_child **out, uint32_t *n, err_info *e)
{
    uint32_t *idx = NULL;
    uint32_t k = recap_children(el, u, &idx);
    recap_child *c = mem_calloc(k ? k : 1, sizeof *c);
    entry *scratch = u->level == REGION_KECAMATAN ? mem_alloc(sizeof *scratch) : NULL;
    int rc = 0;
    for (uint32_t i = 0; i < k && rc == 0; i++) {
        if (u->level == REGION_KECAMATAN)
            rc = child_tps(el, src, u, idx[i], scratch, &c[i], e);
        else
            child_region(el, b, u, idx[i], &c[i]);
    }
    free(scratch);
    free(idx);
    if (rc < 0) {
        recap_children_free(c, k);
        return rc;
    }
    *out = c;
    *n = k;
    return 0;
}

void recap_children_free(recap_child *c, uint32_t n)
{
    if (!c)
        return;
    for (uint32_t i = 0; i < n; i++)
        free(c[i].numbers);
    free(c);
}

/* ------------------------------------------------------------ replay */

int recap_book_replay(recap_book *b, const election *el, const recap_src *src,
                      const recap_entry *en, uint64_t index, err_info *e)
{
    recap_unit u;
    int rc = en->type == SIGNED_RECAP
                 ? recap_shape(el, &en->recap, &u, e)
                 : recap_unit_find(el, en->record.region, en->record.kind, en->record.district,
                                   &u, e);
    if (rc == 0)
        rc = recap_book_follows(b, &u, en, e);
    if (rc)
        return rc;
    if (en->type == SIGNED_RECAP) {
        recap_child *ch = NULL;
        uint32_t n = 0;
        rule_report *rep = mem_alloc(sizeof *rep);
        char codes[ENTRY_CODES_MAX + 1];
        rc = recap_children_now(el, b, src, &u, &ch, &n, e);
        if (rc == 0) {
            recap_check(&en->recap, &u, ch, n, rep);
            rules_report_codes(rep, RULE_HARD, codes, sizeof codes);
            if ((rep->nhard == 0) != (en->accepted != 0) || strcmp(codes, en->codes) != 0)
                rc = err_set(e, ERR_INVALID, "RECAP_VERDICT", "status",
                             "the status line says %s%s, the rules say %s%s",
                             en->accepted ? "accepted" : "rejected ", en->codes,
                             rep->nhard ? "rejected " : "accepted", codes);
        }
        recap_children_free(ch, n);
        free(rep);
        if (rc)
            return rc;
    }
    recap_book_record(b, &u, en, index);
    return 0;
}

/* ------------------------------------------------------- determination */

/* The region at the contest's top level that holds district d. */
static uint32_t top_region(const election *el, contest_kind k, uint32_t d)
{
    const election_district *ds = &el->district[k][d];
    int top = recap_top_level(k);
    if (top == REGION_NATIONAL || !ds->nregion)
        return (uint32_t)el->tree->level_start[REGION_NATIONAL];
    return region_ancestor(el->tree, ds->region[0], top);
}

/* The accepted totals of unit (reg, k, d), or NULL. */
static const uint64_t *accepted_totals(const recap_book *b, const election *el, uint32_t reg,
                                       contest_kind k, uint32_t d)
{
    recap_unit u = {.region = reg, .level = el->tree->node[reg].level, .kind = k,
                    .district = d, .width = recap_width(el, k, d)};
    const recap_state_of *s = recap_book_get(b, &u);
    return s->accepted && s->latest_ok ? s->totals : NULL;
}

/* Region rows' selections of PPWP and DPD from the signed units of one
 * level, into t when copy; returns the units not signed. */
static uint32_t overlay_rows(const recap_book *b, const election *el, tally *t, contest_kind k,
                             int level, int copy)
{
    uint32_t missing = 0;
    for (size_t r = el->tree->level_start[level]; r < el->tree->level_start[level + 1]; r++) {
        uint32_t reg = (uint32_t)r, *ds = NULL;
        if (recap_districts(el, reg, k, &ds) == 1) {
            const uint64_t *v = accepted_totals(b, el, reg, k, ds[0]);
            uint32_t n = recap_width(el, k, ds[0]) - RECAP_I_SEL;
            assert(n <= t->width[k]);
            missing += !v;
            if (v && copy)
                memcpy(t->sel[k] + (size_t)reg * t->width[k], v + RECAP_I_SEL, n * sizeof *v);
        }
        free(ds);
    }
    return missing;
}

uint32_t recap_book_overlay(const recap_book *b, const election *el, contest_kind k, tally *t,
                            uint8_t *from_recap)
{
    uint32_t taken = 0;
    if (k == CONTEST_PPWP) { /* the 20% rule reads the provinces, the result the nation */
        memset(from_recap, 0, el->ndistrict[k]);
        if (overlay_rows(b, el, t, k, REGION_NATIONAL, 0) == 0 &&
            overlay_rows(b, el, t, k, REGION_PROVINCE, 0) == 0) {
            overlay_rows(b, el, t, k, REGION_NATIONAL, 1);
            overlay_rows(b, el, t, k, REGION_PROVINCE, 1);
            taken = from_recap[0] = 1;
        }
        return taken;
    }
    for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
        const uint64_t *v = accepted_totals(b, el, top_region(el, k, d), k, d);
        uint32_t n = recap_width(el, k, d) - RECAP_I_SEL;
        assert(t->dist_off[k][d + 1] - t->dist_off[k][d] == n); /* the same layout */
        from_recap[d] = v != NULL;
        if (v) {
            memcpy(t->dist[k] + t->dist_off[k][d], v + RECAP_I_SEL, n * sizeof *v);
            taken++;
        }
    }
    if (k == CONTEST_DPD) /* a tie at the last seat reads the kab/kota */
        overlay_rows(b, el, t, k, REGION_KABKOTA, 1);
    return taken;
}
