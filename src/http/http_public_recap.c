/* http_public_recap — the tiered recap on the public listener
 * (docs/API.md "Recaps (D.Hasil)"):
 *
 *   /api/v1/recap/<contest>/<code>.json       a region's units: status, the
 *                                             TPS sum beside the signed sum
 *   /api/v1/recap/<contest>/<code>/<d>.json   one unit: the plenary's screen
 *
 * Owns gathering what a unit's documents say (the book's state under the
 * ingest's read lock, the children as they stand, the signed rows, versions
 * and records from a pooled read-only store connection) and writing them.
 * Both are made when asked and kept like the other store-made documents
 * (docs_from_store, render_ms). The rules and the sums are core's
 * (recap.h); nothing here decides a verdict. */
#include "http/http_public_internal.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/recap.h"
#include "edir/edir.h"

/* Everything a unit's documents say, gathered once. */
typedef struct unit_view {
    recap_unit u;
    recap_state_of st;           /* a copy; st.totals owned */
    recap_child *ch;             /* what each child says now */
    uint32_t nch;
    recap_entry acc;             /* the accepted version's entry (rows), type 0 when none */
    recap_entry last;            /* the latest, when it is not the accepted one */
    uint64_t last_index;
    uint64_t *below;             /* the sum of what the children say now */
} unit_view;

static void view_free(unit_view *v)
{
    free(v->st.totals);
    recap_children_free(v->ch, v->nch);
    recap_entry_free(&v->acc);
    recap_entry_free(&v->last);
    free(v->below);
}

/* Version `version` of a unit's recap (or record `version`) from the
 * store the writer keeps. */
static int view_entry(public_server *s, store *st, const recap_unit *u, signed_type t,
                      uint32_t version, recap_entry *out, uint64_t *index, err_info *e)
{
    return edir_store_recap(st, NULL, s->el, u, t, version, out, index, e);
}

static int view_gather(public_server *s, store *st, const recap_unit *u, unit_view *v,
                       err_info *e)
{
    memset(v, 0, sizeof *v);
    v->u = *u;
    ingest_read_lock(s->in);
    v->st = *recap_book_get(ingest_recap_book(s->in), u);
    if (v->st.totals) {
        uint64_t *t = mem_alloc(u->width * sizeof *t);
        memcpy(t, v->st.totals, u->width * sizeof *t);
        v->st.totals = t;
    }
    ingest_read_unlock(s->in);
    int rc = ingest_recap_children(s->in, st, u, &v->ch, &v->nch, e);
    if (rc == 0 && v->st.accepted)
        rc = view_entry(s, st, u, SIGNED_RECAP, v->st.accepted, &v->acc, NULL, e);
    if (rc == 0 && v->st.latest && !v->st.latest_ok)
        rc = view_entry(s, st, u, SIGNED_RECAP, v->st.latest, &v->last, &v->last_index, e);
    v->below = mem_calloc(u->width, sizeof *v->below);
    for (uint32_t i = 0; i < v->nch; i++)
        for (uint32_t f = 0; v->ch[i].numbers && f < u->width; f++)
            v->below[f] += v->ch[i].numbers[f];
    return rc;
}

/* The numbers an adopted row took when its child has moved since: the
 * version it names, read back (NULL when it cannot be: then no diff). */
static uint64_t *view_adopted(public_server *s, store *st, const unit_view *v, uint32_t i)
{
    uint64_t *out = mem_alloc(v->u.width * sizeof *out);
    err_info e = {0};
    if (edir_adopted_numbers(st, NULL, s->el, &v->u, v->ch[i].node,
                             v->acc.recap.row[i].version, out, &e) == 0)
        return out;
    free(out);
    return NULL;
}

/* ------------------------------------------------------------- writing */

static void put_numbers(rbuf *x, const uint64_t *v, uint32_t n)
{
    rbuf_puts(x, "[");
    for (uint32_t i = 0; i < n; i++) {
        if (i)
            rbuf_puts(x, ",");
        rbuf_u64(x, v[i]);
    }
    rbuf_puts(x, "]");
}

static void put_region(rbuf *x, const election *el, uint32_t reg)
{
    const region *r = &el->tree->node[reg];
    rbuf_puts(x, "{\"code\":");
    rbuf_json_str(x, r->code);
    rbuf_puts(x, ",\"name\":");
    rbuf_json_str(x, r->name);
    rbuf_printf(x, ",\"tingkat\":%u}", r->level);
}

static const char *const level_word[REGION_LEVELS] = {"nasional", "provinsi", "kabkota",
                                                      "kecamatan", "desa", "tps"};

static void put_district(rbuf *x, const election *el, contest_kind k, uint32_t d)
{
    const election_district *ds = &el->district[k][d];
    rbuf_printf(x, "{\"index\":%u,\"id\":", d);
    rbuf_json_str(x, ds->id);
    rbuf_puts(x, ",\"name\":");
    rbuf_json_str(x, ds->name);
    rbuf_printf(x, ",\"seats\":%u}", ds->seats);
}

/* "fields": the name of every number, with the party and candidate of a
 * selection. */
static void put_fields(rbuf *x, const election *el, const recap_unit *u)
{
    const election_district *ds = &el->district[u->kind][u->district];
    char name[48];
    rbuf_puts(x, "[");
    for (uint32_t i = 0; i < RECAP_I_SEL; i++) {
        recap_field_name(el, u->kind, u->district, i, name, sizeof name);
        rbuf_printf(x, "%s{\"key\":\"%s\"}", i ? "," : "", name);
    }
    uint32_t f = RECAP_I_SEL;
    if (!contest_is_party_list(u->kind)) {
        for (uint32_t c = 0; c < ds->ncand; c++, f++) {
            recap_field_name(el, u->kind, u->district, f, name, sizeof name);
            rbuf_printf(x, ",{\"key\":\"%s\",\"no\":%u,\"candidate\":", name, ds->cand[c].no);
            rbuf_json_str(x, ds->cand[c].name);
            rbuf_puts(x, "}");
        }
    } else {
        for (uint32_t l = 0; l < ds->nlist; l++)
            for (uint32_t c = 0; c < ds->list[l].ncand; c++, f++) {
                recap_field_name(el, u->kind, u->district, f, name, sizeof name);
                rbuf_printf(x, ",{\"key\":\"%s\",\"party\":%u,\"no\":%u,\"candidate\":", name,
                            ds->list[l].party, ds->list[l].cand[c].no);
                rbuf_json_str(x, ds->list[l].cand[c].name);
                rbuf_puts(x, "}");
            }
        for (uint32_t l = 0; l < ds->nlist; l++, f++) {
            recap_field_name(el, u->kind, u->district, f, name, sizeof name);
            rbuf_printf(x, ",{\"key\":\"%s\",\"party\":%u}", name, ds->list[l].party);
        }
    }
    rbuf_puts(x, "]");
}

static const char *const child_word[4] = {"none", "counted", "signed", "rejected"};

static void put_row(rbuf *x, const recap_row *w, uint32_t width)
{
    rbuf_printf(x, "{\"how\":\"%s\"", recap_how_word[w->how]);
    if (w->how == RECAP_ADOPT)
        rbuf_printf(x, ",\"version\":%u", w->version);
    if (w->how == RECAP_MARK)
        rbuf_printf(x, ",\"why\":\"%s\"", recap_state_word[w->state]);
    if (w->how != RECAP_ADOPT) {
        rbuf_puts(x, ",\"reason\":");
        rbuf_json_str(x, w->reason);
    }
    if (w->how == RECAP_CORRECT) {
        rbuf_puts(x, ",\"numbers\":");
        put_numbers(x, w->numbers, width);
    }
    rbuf_puts(x, "}");
}

/* [field, row value, child value] wherever they differ. */
static void put_child_diff(rbuf *x, const uint64_t *row, const uint64_t *now, uint32_t width)
{
    int first = 1;
    rbuf_puts(x, "[");
    for (uint32_t f = 0; f < width; f++) {
        uint64_t a = row ? row[f] : 0, b = now ? now[f] : 0;
        if (a == b)
            continue;
        rbuf_printf(x, "%s[%u,%llu,%llu]", first ? "" : ",", f, (unsigned long long)a,
                    (unsigned long long)b);
        first = 0;
    }
    rbuf_puts(x, "]");
}

static void put_children(public_server *s, rbuf *x, const unit_view *v,
                         const uint64_t **rows)
{
    rbuf_puts(x, "[");
    for (uint32_t i = 0; i < v->nch; i++) {
        const recap_child *c = &v->ch[i];
        rbuf_puts(x, i ? ",{\"code\":" : "{\"code\":");
        rbuf_json_str(x, s->el->tree->node[c->node].code);
        rbuf_puts(x, ",\"name\":");
        rbuf_json_str(x, s->el->tree->node[c->node].name);
        rbuf_printf(x, ",\"status\":\"%s\",\"version\":%u,\"numbers\":", child_word[c->status],
                    c->version);
        if (c->numbers)
            put_numbers(x, c->numbers, v->u.width);
        else
            rbuf_puts(x, "null");
        rbuf_puts(x, ",\"row\":");
        if (v->acc.type == SIGNED_RECAP) {
            put_row(x, &v->acc.recap.row[i], v->u.width);
            rbuf_puts(x, ",\"diff\":");
            put_child_diff(x, rows[i], c->numbers, v->u.width);
        } else {
            rbuf_puts(x, "null,\"diff\":[]");
        }
        rbuf_puts(x, "}");
    }
    rbuf_puts(x, "]");
}

/* Per field where the signed totals and the children now differ: the
 * children where a difference arises. */
static void put_differences(public_server *s, rbuf *x, const unit_view *v, const uint64_t **rows)
{
    int first = 1;
    rbuf_puts(x, "[");
    for (uint32_t f = 0; v->acc.type == SIGNED_RECAP && f < v->u.width; f++) {
        if (v->acc.recap.totals[f] == v->below[f])
            continue;
        rbuf_printf(x, "%s{\"field\":%u,\"recap\":%llu,\"below\":%llu,\"children\":[",
                    first ? "" : ",", f, (unsigned long long)v->acc.recap.totals[f],
                    (unsigned long long)v->below[f]);
        first = 0;
        int cf = 1;
        for (uint32_t i = 0; i < v->nch; i++) {
            uint64_t a = rows[i] ? rows[i][f] : 0;
            uint64_t b = v->ch[i].numbers ? v->ch[i].numbers[f] : 0;
            if (a == b)
                continue;
            rbuf_puts(x, cf ? "" : ",");
            rbuf_json_str(x, s->el->tree->node[v->ch[i].node].code);
            cf = 0;
        }
        rbuf_puts(x, "]}");
    }
    rbuf_puts(x, "]");
}

/* "A,B" as ["A","B"]. */
static void put_codes(rbuf *x, const char *codes)
{
    rbuf_puts(x, "[");
    for (const char *p = codes; *p;) {
        size_t n = strcspn(p, ",");
        rbuf_printf(x, "%s\"%.*s\"", p == codes ? "" : ",", (int)n, p);
        p += n + (p[n] == ',');
    }
    rbuf_puts(x, "]");
}

static void put_entry_head(rbuf *x, const recap_entry *en, uint32_t version, uint64_t index)
{
    char pk[KEYS_B64_LEN(32) + 1];
    keys_b64_encode(en->pubkey, 32, pk);
    rbuf_printf(x, "{\"version\":%u,\"index\":%llu,\"signed_at\":%llu,\"status\":\"%s\",\"codes\":",
                version, (unsigned long long)index, (unsigned long long)en->received,
                en->accepted ? "accepted" : "rejected");
    put_codes(x, en->codes);
    rbuf_puts(x, ",\"reason\":");
    rbuf_json_str(x, en->recap.reason);
    rbuf_printf(x, ",\"officer\":\"%s\"", pk);
}

static void put_versions(public_server *s, store *st, rbuf *x, const unit_view *v)
{
    int first = 1;   /* a version the store cannot give back is left out */
    rbuf_puts(x, "[");
    for (uint32_t n = 1; n <= v->st.latest; n++) {
        recap_entry en;
        uint64_t index = 0;
        err_info e = {0};
        if (view_entry(s, st, &v->u, SIGNED_RECAP, n, &en, &index, &e) < 0)
            continue;
        rbuf_puts(x, first ? "" : ",");
        first = 0;
        put_entry_head(x, &en, n, index);
        rbuf_puts(x, "}");
        recap_entry_free(&en);
    }
    rbuf_puts(x, "]");
}

static void put_records(public_server *s, store *st, rbuf *x, const unit_view *v)
{
    int first = 1;
    rbuf_puts(x, "[");
    for (uint32_t n = 1; n <= v->st.records; n++) {
        recap_entry en;
        uint64_t index = 0;
        err_info e = {0};
        if (view_entry(s, st, &v->u, SIGNED_RECORD, n, &en, &index, &e) < 0)
            continue;
        const record *c = &en.record;
        rbuf_printf(x, "%s{\"number\":%u,\"recap\":%u,\"kind\":\"%s\",\"by\":", first ? "" : ",",
                    c->number, c->recap, record_kind_word[c->what]);
        first = 0;
        rbuf_json_str(x, c->by);
        rbuf_puts(x, ",\"text\":");
        rbuf_json_str(x, c->text);
        rbuf_printf(x, ",\"index\":%llu,\"signed_at\":%llu}", (unsigned long long)index,
                    (unsigned long long)en.received);
        recap_entry_free(&en);
    }
    rbuf_puts(x, "]");
}

static void put_unit_head(public_server *s, rbuf *x, const recap_unit *u)
{
    rbuf_printf(x, "{\"contest\":\"%s\",\"region\":", contest_kind_id[u->kind]);
    put_region(x, s->el, u->region);
    rbuf_printf(x, ",\"level\":\"%s\",\"top\":%s,\"district\":", level_word[u->level],
                u->level == recap_top_level(u->kind) ? "true" : "false");
    put_district(x, s->el, u->kind, u->district);
}

/* The plenary's screen of one unit. */
static void put_unit(public_server *s, store *st, rbuf *x, const unit_view *v)
{
    const uint64_t **rows = mem_calloc(v->nch ? v->nch : 1, sizeof *rows);
    uint64_t **adopted = mem_calloc(v->nch ? v->nch : 1, sizeof *adopted);
    for (uint32_t i = 0; v->acc.type == SIGNED_RECAP && i < v->nch; i++) {
        const recap_row *w = &v->acc.recap.row[i];
        if (w->how == RECAP_ADOPT && v->ch[i].version != w->version)
            adopted[i] = view_adopted(s, st, v, i);
        rows[i] = adopted[i] ? adopted[i] : recap_row_value(&v->acc.recap, i, v->ch);
    }
    put_unit_head(s, x, &v->u);
    rbuf_puts(x, ",\"fields\":");
    put_fields(x, s->el, &v->u);
    rbuf_printf(x, ",\"child_level\":\"%s\",\"children\":",
                level_word[v->u.level == REGION_KECAMATAN ? REGION_TPS : v->u.level + 1]);
    put_children(s, x, v, rows);
    rbuf_puts(x, ",\"below\":");
    put_numbers(x, v->below, v->u.width);
    rbuf_puts(x, ",\"recap\":");
    if (v->acc.type == SIGNED_RECAP) {
        put_entry_head(x, &v->acc, v->st.accepted, v->st.index);
        rbuf_puts(x, ",\"totals\":");
        put_numbers(x, v->acc.recap.totals, v->u.width);
        rbuf_puts(x, "}");
    } else {
        rbuf_puts(x, "null");
    }
    rbuf_puts(x, ",\"latest\":");
    if (v->last.type == SIGNED_RECAP) {
        put_entry_head(x, &v->last, v->st.latest, v->last_index);
        rbuf_puts(x, "}");
    } else {
        rbuf_puts(x, "null");
    }
    rbuf_puts(x, ",\"differences\":");
    put_differences(s, x, v, rows);
    rbuf_puts(x, ",\"versions\":");
    put_versions(s, st, x, v);
    rbuf_puts(x, ",\"records\":");
    put_records(s, st, x, v);
    rbuf_puts(x, "}\n");
    for (uint32_t i = 0; i < v->nch; i++)
        free(adopted[i]);
    free(adopted);
    free(rows);
}

/* ----------------------------------------------------- the region's list */

/* How the signed recap's rows stand against the children now. */
typedef struct unit_counts {
    uint32_t adopted, marked, corrected, unsigned_now, stale;
} unit_counts;

static void count_rows(const unit_view *v, unit_counts *c)
{
    memset(c, 0, sizeof *c);
    for (uint32_t i = 0; i < v->nch; i++) {
        c->unsigned_now += v->ch[i].version == 0;
        if (v->acc.type != SIGNED_RECAP)
            continue;
        const recap_row *w = &v->acc.recap.row[i];
        c->adopted += w->how == RECAP_ADOPT;
        c->marked += w->how == RECAP_MARK;
        c->corrected += w->how == RECAP_CORRECT;
        c->stale += w->how == RECAP_ADOPT && v->ch[i].version != w->version;
    }
}

static const char *unit_status(const unit_view *v, const unit_counts *c)
{
    if (!v->st.latest)
        return "none";
    if (!v->st.latest_ok)
        return "rejected";
    return c->stale ? "stale" : "signed";
}

/* Add a unit's signed totals to a region's sums in the tally's layout:
 * valid, invalid, total, voters (B4), then the selections of a tally row
 * (PPWP and DPD by candidate, party lists by party). */
static void sum_summary(const election *el, const recap_unit *u, const uint64_t *v,
                        uint64_t *sum, unsigned width)
{
    const election_district *ds = &el->district[u->kind][u->district];
    sum[0] += v[RECAP_I_VALID];
    sum[1] += v[RECAP_I_INVALID];
    sum[2] += v[RECAP_I_TOTAL];
    sum[3] += v[20]; /* b4.total */
    uint64_t *sel = sum + 4;
    if (!contest_is_party_list(u->kind)) {
        for (uint32_t c = 0; c < ds->ncand && c < width; c++)
            sel[c] += v[RECAP_I_SEL + c];
        return;
    }
    uint32_t f = RECAP_I_SEL, ncand = 0;
    for (uint32_t l = 0; l < ds->nlist; l++)
        ncand += ds->list[l].ncand;
    for (uint32_t l = 0; l < ds->nlist; l++) {
        uint64_t party = v[RECAP_I_SEL + ncand + l];
        for (uint32_t c = 0; c < ds->list[l].ncand; c++)
            party += v[f++];
        for (unsigned p = 0; p < el->nparty && p < width; p++)
            if (el->party[p].no == ds->list[l].party)
                sel[p] += party;
    }
}

static void put_summary(rbuf *x, const uint64_t *sum, unsigned width)
{
    rbuf_printf(x, "{\"valid\":%llu,\"invalid\":%llu,\"total\":%llu,\"voters\":%llu,\"votes\":",
                (unsigned long long)sum[0], (unsigned long long)sum[1],
                (unsigned long long)sum[2], (unsigned long long)sum[3]);
    put_numbers(x, sum + 4, width);
    rbuf_puts(x, "}");
}

/* The TPS sum of a region from the tally, in the summary's layout. */
static void tally_summary(public_server *s, contest_kind k, uint32_t reg, uint64_t *sum,
                          uint32_t *counted, uint32_t *expected)
{
    ingest_read_lock(s->in);
    const tally *t = ingest_tally(s->in);
    const tally_row *r = tally_region(t, k, reg);
    const uint64_t *sel = tally_region_sel(t, k, reg);
    sum[0] = r->valid;
    sum[1] = r->invalid;
    sum[2] = r->total;
    sum[3] = r->voters;
    memcpy(sum + 4, sel, t->width[k] * sizeof *sum);
    *counted = r->tps_counted;
    *expected = r->tps_expected;
    ingest_read_unlock(s->in);
}

int pubrecap_region_render(public_server *s, store *st, contest_kind k, uint32_t reg, rbuf *x,
                           err_info *e)
{
    uint32_t *ds = NULL;
    uint32_t nd = recap_districts(s->el, reg, k, &ds);
    unsigned width = ingest_tally(s->in)->width[k];
    uint64_t *tps = mem_calloc(4 + width, sizeof *tps), *signed_sum = mem_calloc(4 + width, 8);
    uint32_t counted = 0, expected = 0, nsigned = 0;
    int rc = 0;
    tally_summary(s, k, reg, tps, &counted, &expected);
    rbuf_printf(x, "{\"contest\":\"%s\",\"region\":", contest_kind_id[k]);
    put_region(x, s->el, reg);
    rbuf_printf(x, ",\"level\":\"%s\",\"units\":[", level_word[s->el->tree->node[reg].level]);
    for (uint32_t i = 0; i < nd && rc == 0; i++) {
        unit_view v;
        unit_counts c;
        recap_unit u;
        if ((rc = recap_unit_at(s->el, reg, k, ds[i], &u, e)) < 0)
            break;
        if ((rc = view_gather(s, st, &u, &v, e)) < 0) {
            view_free(&v);
            break;
        }
        count_rows(&v, &c);
        if (v.st.accepted) {
            sum_summary(s->el, &u, v.st.totals, signed_sum, width);
            nsigned++;
        }
        rbuf_puts(x, i ? ",{\"district\":" : "{\"district\":");
        put_district(x, s->el, k, u.district);
        rbuf_printf(x, ",\"status\":\"%s\",\"version\":%u,\"latest\":%u,\"index\":%llu,"
                       "\"signed_at\":%llu,\"codes\":",
                    unit_status(&v, &c), v.st.accepted, v.st.latest,
                    (unsigned long long)v.st.index, (unsigned long long)v.st.received);
        put_codes(x, v.last.type == SIGNED_RECAP ? v.last.codes : "");
        rbuf_printf(x, ",\"children\":{\"total\":%u,\"adopted\":%u,\"marked\":%u,\"corrected\":%u,"
                       "\"unsigned\":%u,\"stale\":%u},\"records\":%u,\"detail\":\"/api/v1/recap/%s/%s/%u.json\"}",
                    v.nch, c.adopted, c.marked, c.corrected, c.unsigned_now, c.stale,
                    v.st.records, contest_kind_id[k], s->el->tree->node[reg].code, u.district);
        view_free(&v);
    }
    rbuf_printf(x, "],\"tps\":{\"counted\":%u,\"expected\":%u},\"tps_sum\":", counted, expected);
    put_summary(x, tps, width);
    rbuf_printf(x, ",\"signed_units\":%u,\"signed_sum\":", nsigned);
    put_summary(x, signed_sum, width);
    rbuf_puts(x, "}\n");
    free(ds);
    free(tps);
    free(signed_sum);
    return rc;
}

int pubrecap_unit_render(public_server *s, store *st, contest_kind k, uint32_t packed, rbuf *x,
                         err_info *e)
{
    recap_unit u;
    unit_view v;
    int rc = recap_unit_at(s->el, packed >> PUBRECAP_DISTRICT_BITS, k,
                           packed & ((1u << PUBRECAP_DISTRICT_BITS) - 1), &u, e);
    if (rc < 0)
        return rc;
    rc = view_gather(s, st, &u, &v, e);
    if (rc == 0)
        put_unit(s, st, x, &v);
    view_free(&v);
    return rc;
}
