/* replay_recap — the replay's PPWP recap entries (replay_prep.h). A
 * plenary adopts what each child says as it stands, so a unit's text is
 * built from what the server will hold when it arrives: every TPS's
 * counted form (a corrected one at version 2, an undetected misread as it
 * was misread) and every child region's recap, version 1. The totals are
 * their sums, so every recap is accepted; the server recomputes all of it
 * (recap_check), which is the point. */
#include "replay_prep.h"

#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "core/recap.h"
#include "replay.h"

struct recap_plan {
    const election *el;
    uint32_t width;           /* numbers of a PPWP unit */
    uint16_t *tps_num;        /* [ntps * width]: each TPS's counted numbers */
    uint8_t *tps_ver;         /* [ntps]: the version counted, 0 none */
    uint64_t **unit_tot;      /* [region nodes above desa]: a unit's totals once written */
    char *text;               /* ENTRY_MAX + 1 */
};

recap_plan *recap_plan_new(const election *el)
{
    recap_plan *p = mem_calloc(1, sizeof *p);
    p->el = el;
    p->width = recap_width(el, CONTEST_PPWP, 0);
    p->tps_num = mem_calloc(el->ntps * p->width, sizeof *p->tps_num);
    p->tps_ver = mem_calloc(el->ntps ? el->ntps : 1, 1);
    p->unit_tot = mem_calloc(el->tree->level_start[REGION_DESA], sizeof *p->unit_tot);
    p->text = mem_alloc(ENTRY_MAX + 1);
    return p;
}

void recap_plan_free(recap_plan *p)
{
    if (!p)
        return;
    for (size_t i = 0; i < p->el->tree->level_start[REGION_DESA]; i++)
        free(p->unit_tot[i]);
    free(p->unit_tot);
    free(p->tps_num);
    free(p->tps_ver);
    free(p->text);
    free(p);
}

void recap_plan_tps(recap_plan *p, uint32_t tps, const form *f, uint32_t version)
{
    uint64_t v[RECAP_WIDTH_MAX];
    recap_numbers_from_form(f, v);
    for (uint32_t i = 0; i < p->width; i++)
        p->tps_num[(size_t)tps * p->width + i] = (uint16_t)v[i]; /* a box holds 0..999 */
    p->tps_ver[tps] = (uint8_t)version;
}

/* Row i of unit u: adopt child c at the version it stands at, its
 * numbers added to the totals. -1 when it has none. */
static int plan_row(recap_plan *p, const recap_unit *u, uint32_t c, recap_row *row,
                    uint64_t *totals)
{
    const region_tree *t = p->el->tree;
    uint32_t node = u->level == REGION_KECAMATAN ? (uint32_t)t->level_start[REGION_TPS] + c : c;
    snprintf(row->code, sizeof row->code, "%s", t->node[node].code);
    row->how = RECAP_ADOPT;
    if (u->level == REGION_KECAMATAN) {
        row->version = p->tps_ver[c];
        for (uint32_t i = 0; i < p->width; i++)
            totals[i] += p->tps_num[(size_t)c * p->width + i];
    } else {
        row->version = p->unit_tot[c] ? 1 : 0;
        for (uint32_t i = 0; p->unit_tot[c] && i < p->width; i++)
            totals[i] += p->unit_tot[c][i];
    }
    if (row->version)
        return 0;
    fprintf(stderr, "replay_prep: recap of %s: child %s has nothing to adopt\n",
            t->node[u->region].code, row->code);
    return -1;
}

/* The text of unit u into p->text; its length, or 0 on error. Keeps the
 * unit's totals for its parent. */
static size_t plan_unit(recap_plan *p, const recap_unit *u)
{
    uint32_t *kids = NULL, n = recap_children(p->el, u, &kids);
    const char *code = p->el->tree->node[u->region].code;
    recap_entry en = {.type = SIGNED_RECAP};
    recap *r = &en.recap;
    snprintf(r->region, sizeof r->region, "%s", code);
    r->kind = CONTEST_PPWP;
    snprintf(r->district, sizeof r->district, "%s", p->el->district[CONTEST_PPWP][0].id);
    r->version = 1;
    r->width = p->width;
    r->row = mem_calloc(n ? n : 1, sizeof *r->row);
    r->totals = mem_calloc(p->width, sizeof *r->totals);
    int ok = n <= RECAP_ROWS_MAX;
    for (uint32_t i = 0; ok && i < n; i++, r->nrow++)
        ok = plan_row(p, u, kids[i], &r->row[i], r->totals) == 0;
    size_t len = ok ? recap_submission_encode(&en, p->text, ENTRY_MAX + 1) : 0;
    if (len + 512 > ENTRY_MAX) { /* the envelope (key, sig, status) comes on top */
        fprintf(stderr, "replay_prep: recap of %s: %u children do not fit one entry\n", code, n);
        len = 0;
    }
    if (len) {
        p->unit_tot[u->region] = r->totals;
        r->totals = NULL;
    }
    recap_entry_free(&en);
    free(kids);
    return len;
}

long recap_plan_emit(recap_plan *p, recap_out_fn fn, void *ctx)
{
    const region_tree *t = p->el->tree;
    long units = 0;
    for (int level = REGION_KECAMATAN; level >= REGION_NATIONAL; level--) {
        int phase = REPLAY_RECAP_KEC + (REGION_KECAMATAN - level);
        for (size_t node = t->level_start[level]; node < t->level_start[level + 1]; node++) {
            recap_unit u;
            err_info e = {0};
            if (recap_unit_at(p->el, (uint32_t)node, CONTEST_PPWP, 0, &u, &e) < 0)
                continue; /* no TPS below it: not a unit */
            size_t len = plan_unit(p, &u);
            if (!len)
                return -1;
            fn(ctx, phase, (uint32_t)node, p->text, len);
            units++;
        }
    }
    return units;
}
