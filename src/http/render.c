/* render — the public documents as bytes; see render.h. Owns the byte
 * buffer (rbuf), the helpers every document uses (time stamp, contest
 * mask), and the JSON and CSV shapes of rekap's own routes (docs/API.md,
 * "Public API"): this file is where one of their fields is added or
 * renamed, nowhere else. The commission's 2024 portal layout is
 * render_2024.c; the JSON pieces both write with, render_internal.h.
 * Hand-written JSON rather than jansson: documents are rendered by the
 * hundred thousand, and building a tree per document only to serialise it
 * would cost more than the numbers themselves. */
#include "http/render.h"
#include "http/render_internal.h"

#include <assert.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/export.h"
#include "core/mem.h"
#include "core/textbuf.h"

/* ============================================================= buffer */

void rbuf_put(rbuf *b, const void *s, size_t n)
{
    mem_grow((void **)&b->p, &b->cap, b->len + n + 1, 1);
    memcpy(b->p + b->len, s, n);
    b->len += n;
    b->p[b->len] = '\0';
}

void rbuf_puts(rbuf *b, const char *s)
{
    rbuf_put(b, s, strlen(s));
}

void rbuf_printf(rbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        rbuf_put(b, small, (size_t)n);
        return;
    }
    mem_grow((void **)&b->p, &b->cap, b->len + (size_t)n + 1, 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* The escaping is core's (textbuf_json_str, shared with the documents
 * core writes): into the spare room, which nearly always holds it, else
 * once more after growing. */
void rbuf_json_str(rbuf *b, const char *s)
{
    size_t room = b->cap > b->len + 1 ? b->cap - b->len - 1 : 0; /* one kept for the NUL */
    textbuf t;
    textbuf_init(&t, room ? b->p + b->len : NULL, room);
    textbuf_json_str(&t, s);
    if (t.len > room) {
        mem_grow((void **)&b->p, &b->cap, b->len + t.len + 1, 1);
        textbuf_init(&t, b->p + b->len, t.len);
        textbuf_json_str(&t, s);
    }
    b->len += t.len;
    b->p[b->len] = '\0';
}

void rbuf_u64(rbuf *b, uint64_t v)
{
    char tmp[24], *p = tmp + sizeof tmp;
    do
        *--p = (char)('0' + v % 10);
    while (v /= 10);
    rbuf_put(b, p, (size_t)(tmp + sizeof tmp - p));
}

void rbuf_reserve(rbuf *b, size_t n)
{
    mem_grow((void **)&b->p, &b->cap, n, 1);
}

char *rbuf_take(rbuf *b, size_t *len)
{
    if (!b->p)
        rbuf_put(b, "", 0);
    char *p =
        b->cap > b->len + 1 ? mem_realloc(b->p, b->len + 1) : b->p; /* kept for long: no slack */
    *len = b->len;
    memset(b, 0, sizeof *b);
    return p;
}

void rbuf_free(rbuf *b)
{
    free(b->p);
    memset(b, 0, sizeof *b);
}

/* ============================================================ helpers */

void render_ts(time_t t, char out[RENDER_TS_MAX])
{
    time_t wib = t + 7 * 3600;
    struct tm tm;
    gmtime_r(&wib, &tm);
    strftime(out, RENDER_TS_MAX, "%Y-%m-%d %H:%M:%S", &tm);
}

uint8_t *render_contest_mask(const election *el)
{
    const region_tree *tree = el->tree;
    uint8_t *mask = mem_calloc(tree->n ? tree->n : 1, 1);
    size_t base = tree->level_start[REGION_TPS];
    for (size_t i = 0; i < el->ntps; i++) {
        uint8_t bits = 0;
        for (int k = 0; k < CONTEST_KINDS; k++)
            if (el->tps[i].district[k] != ELECTION_NONE)
                bits |= (uint8_t)(1u << k);
        for (uint32_t r = (uint32_t)(base + i); r != REGION_NONE; r = tree->node[r].parent)
            mask[r] |= bits;
    }
    return mask;
}

static void render_kv_u64(rbuf *b, const char *key, uint64_t v)
{
    render_key(b, key);
    rbuf_u64(b, v);
}

/* A comma-separated code list as a JSON array of strings. */
static void render_codes(rbuf *b, const char *codes)
{
    rbuf_put(b, "[", 1);
    for (const char *s = codes; *s;) {
        size_t n = strcspn(s, ",");
        char code[ENTRY_CODES_MAX + 1];
        snprintf(code, sizeof code, "%.*s", (int)n, s);
        if (s != codes)
            rbuf_put(b, ",", 1);
        rbuf_json_str(b, code);
        s += n + (s[n] == ',');
    }
    rbuf_put(b, "]", 1);
}

/* "rejected_rules":[{"code","message_id","message_en"}] of a rejection's
 * codes, so a reader sees in plain words why a version was not counted
 * (a code the rules do not know keeps only its code). */
static void render_code_messages(rbuf *b, const char *codes)
{
    rbuf_puts(b, "\"rejected_rules\":[");
    for (const char *s = codes; *s;) {
        size_t n = strcspn(s, ",");
        char code[ENTRY_CODES_MAX + 1];
        snprintf(code, sizeof code, "%.*s", (int)n, s);
        rbuf_puts(b, s != codes ? ",{" : "{");
        render_kv_str(b, "code", code);
        const rule_def *d = rules_find(code);
        if (d) {
            rbuf_put(b, ",", 1);
            render_kv_str(b, "message_id", d->msg_id);
            rbuf_put(b, ",", 1);
            render_kv_str(b, "message_en", d->msg_en);
        }
        rbuf_put(b, "}", 1);
        s += n + (s[n] == ',');
    }
    rbuf_put(b, "]", 1);
}

/* ================================================== rekap's own layout */

static void render_row_fields(rbuf *b, const tally_row *row)
{
    render_num(b, "\"tps_expected\":", row->tps_expected);
    render_num(b, ",\"tps_counted\":", row->tps_counted);
    render_num(b, ",\"tps_flagged\":", row->tps_flagged);
    render_num(b, ",\"dpt\":", row->dpt);
    render_num(b, ",\"voters\":", row->voters);
    render_num(b, ",\"valid\":", row->valid);
    render_num(b, ",\"invalid\":", row->invalid);
    render_num(b, ",\"total\":", row->total);
}

/* "selections":[...] of region reg; returns how many were named (the
 * children's "votes" follow the same order). */
static unsigned render_selections(rbuf *b, const tally *t, contest_kind k, uint32_t reg)
{
    const election *el = t->el;
    const uint64_t *v = tally_region_sel(t, k, reg);
    unsigned n = 0;
    rbuf_puts(b, "\"selections\":[");
    if (contest_is_party_list(k)) {
        for (; n < el->nparty && n < t->width[k]; n++) {
            const election_party *p = &el->party[n];
            render_num(b, n ? ",{\"no\":" : "{\"no\":", p->no);
            rbuf_put(b, ",", 1);
            render_kv_str(b, "abbrev", p->abbrev);
            rbuf_put(b, ",", 1);
            render_kv_str(b, "name", p->name);
            render_num(b, ",\"votes\":", v[n]);
            rbuf_put(b, "}", 1);
        }
    } else {
        const election_district *d = election_region_district(el, k, reg);
        for (; d && n < d->ncand && n < t->width[k]; n++) {
            render_num(b, n ? ",{\"no\":" : "{\"no\":", d->cand[n].no);
            rbuf_put(b, ",", 1);
            render_kv_str(b, "name", d->cand[n].name);
            render_num(b, ",\"votes\":", v[n]);
            rbuf_put(b, "}", 1);
        }
    }
    rbuf_put(b, "]", 1);
    return n;
}

static void render_region_head(rbuf *b, const election *el, uint32_t reg)
{
    const region *rg = &el->tree->node[reg];
    render_kv_str(b, "code", rg->code);
    rbuf_put(b, ",", 1);
    render_kv_str(b, "name", rg->name);
    rbuf_put(b, ",", 1);
    render_kv_str(b, "level", region_level_name[rg->level]);
    render_num(b, ",\"tingkat\":", rg->level);
    rbuf_puts(b, ",\"parent\":");
    if (rg->parent == REGION_NONE)
        rbuf_puts(b, "null");
    else
        rbuf_json_str(b, el->tree->node[rg->parent].code);
}

/* A desa's children: its TPS where k is cast, counted and flagged. */
static void render_tps_children(rbuf *b, const tally *t, contest_kind k, const region *rg)
{
    const election *el = t->el;
    int first = 1;
    for (uint32_t c = rg->child; c < rg->child + rg->nchild; c++) {
        uint32_t i = render_node_tps(el, c);
        if (el->tps[i].district[k] == ELECTION_NONE)
            continue;
        rbuf_puts(b, first ? "{" : ",{");
        first = 0;
        render_kv_str(b, "code", el->tree->node[c].code);
        rbuf_put(b, ",", 1);
        render_kv_str(b, "name", el->tree->node[c].name);
        rbuf_puts(b, ",\"counted\":");
        render_bool(b, t->tps_counted[k][i] > 0);
        rbuf_puts(b, ",\"flagged\":");
        render_bool(b, t->tps_flagged[k][i] > 0);
        rbuf_put(b, "}", 1);
    }
}

static void render_region_children(rbuf *b, const tally *t, contest_kind k, const region *rg,
                                   unsigned nsel)
{
    const election *el = t->el;
    int first = 1;
    for (uint32_t c = rg->child; c < rg->child + rg->nchild; c++) {
        const tally_row *row = tally_region(t, k, c);
        if (!row->tps_expected)
            continue;
        rbuf_puts(b, first ? "{" : ",{");
        first = 0;
        render_kv_str(b, "code", el->tree->node[c].code);
        rbuf_put(b, ",", 1);
        render_kv_str(b, "name", el->tree->node[c].name);
        rbuf_put(b, ",", 1);
        render_row_fields(b, row);
        rbuf_puts(b, ",\"votes\":[");
        const uint64_t *v = tally_region_sel(t, k, c);
        for (unsigned i = 0; i < nsel; i++)
            render_num(b, i ? "," : "", v[i]);
        rbuf_puts(b, "]}");
    }
}

void render_results(rbuf *b, const tally *t, contest_kind k, uint32_t reg, const char *ts)
{
    const election *el = t->el;
    const region *rg = &el->tree->node[reg];
    rbuf_puts(b, "{");
    render_kv_str(b, "contest", contest_kind_id[k]);
    rbuf_put(b, ",", 1);
    render_region_head(b, el, reg);
    rbuf_put(b, ",", 1);
    render_kv_str(b, "ts", ts);
    rbuf_put(b, ",", 1);
    render_row_fields(b, tally_region(t, k, reg));
    rbuf_put(b, ",", 1);
    unsigned nsel = render_selections(b, t, k, reg);
    rbuf_puts(b, ",\"children\":[");
    if (rg->level == REGION_DESA)
        render_tps_children(b, t, k, rg);
    else
        render_region_children(b, t, k, rg, nsel);
    rbuf_puts(b, "]}\n");
}

/* {"code","name"} of region r, after a comma unless it is the first. */
static void render_code_name(rbuf *b, const region *r, int first)
{
    rbuf_puts(b, first ? "{" : ",{");
    render_kv_str(b, "code", r->code);
    rbuf_put(b, ",", 1);
    render_kv_str(b, "name", r->name);
    rbuf_put(b, "}", 1);
}

void render_region(rbuf *b, const election *el, const uint8_t *mask, uint32_t reg)
{
    const region *rg = &el->tree->node[reg];
    rbuf_puts(b, "{");
    render_region_head(b, el, reg);
    rbuf_puts(b, ",\"contests\":[");
    for (int k = 0, n = 0; k < CONTEST_KINDS; k++)
        if (mask[reg] & (1u << k)) {
            if (n++)
                rbuf_put(b, ",", 1);
            rbuf_json_str(b, contest_kind_id[k]);
        }
    rbuf_puts(b, "],\"children\":[");
    int first = 1;
    for (uint32_t c = rg->child; rg->nchild && c < rg->child + rg->nchild; c++) {
        if (!mask[c])
            continue;
        render_code_name(b, &el->tree->node[c], first);
        first = 0;
    }
    rbuf_puts(b, "]}\n");
}

/* ------------------------------------------------------------- search */

typedef struct render_hit {
    uint32_t node;
    unsigned rank; /* a match at a word's start first, then higher levels */
} render_hit;

static __thread const election *render_hit_el; /* qsort has no context argument */

static int render_hit_cmp(const void *a, const void *b)
{
    const render_hit *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    int c = strcmp(render_hit_el->tree->node[x->node].name, render_hit_el->tree->node[y->node].name);
    return c ? c : (x->node > y->node) - (x->node < y->node);
}

/* Where q (already folded) occurs in name, ASCII letters compared without
 * case: -1, or its offset. */
static long render_find_folded(const char *name, const char *q, size_t qn)
{
    for (const char *p = name; *p; p++) {
        size_t i = 0;
        while (i < qn && p[i] && tolower((unsigned char)p[i]) == q[i])
            i++;
        if (i == qn)
            return p - name;
    }
    return -1;
}

void render_search(rbuf *b, const election *el, const uint8_t *mask, const char *q)
{
    char f[RENDER_SEARCH_Q_MAX + 1];
    size_t qn = strlen(q);
    assert(qn >= RENDER_SEARCH_Q_MIN && qn <= RENDER_SEARCH_Q_MAX);
    for (size_t i = 0; i <= qn; i++)
        f[i] = (char)tolower((unsigned char)q[i]);
    render_hit *hit = mem_alloc(RENDER_SEARCH_SCAN_MAX * sizeof *hit);
    size_t n = 0, matched = 0;
    uint32_t end = (uint32_t)el->tree->level_start[REGION_TPS];
    for (uint32_t r = 1; r < end; r++) { /* provinces .. desa */
        const region *rg = &el->tree->node[r];
        long at = mask[r] ? render_find_folded(rg->name, f, qn) : -1;
        if (at < 0)
            continue;
        matched++;
        if (n == RENDER_SEARCH_SCAN_MAX)
            continue;
        int word = at == 0 || rg->name[at - 1] == ' ';
        hit[n++] = (render_hit){.node = r, .rank = (word ? 0u : 10u) + rg->level};
    }
    render_hit_el = el;
    qsort(hit, n, sizeof *hit, render_hit_cmp);
    rbuf_puts(b, "{");
    render_kv_str(b, "q", q);
    render_num(b, ",\"matched\":", matched);
    rbuf_puts(b, ",\"regions\":[");
    for (size_t i = 0; i < n && i < RENDER_SEARCH_MAX; i++) {
        const region *rg = &el->tree->node[hit[i].node];
        rbuf_puts(b, i ? ",{" : "{");
        render_kv_str(b, "code", rg->code);
        rbuf_put(b, ",", 1);
        render_kv_str(b, "name", rg->name);
        render_num(b, ",\"tingkat\":", rg->level);
        rbuf_puts(b, ",\"parents\":[");
        int first = 1;
        for (uint32_t p = rg->parent; p != REGION_NONE && p != 0; p = el->tree->node[p].parent) {
            render_code_name(b, &el->tree->node[p], first);
            first = 0;
        }
        rbuf_puts(b, "]}");
    }
    rbuf_puts(b, "]}\n");
    free(hit);
}

/* --------------------------------------------------------- TPS detail */

static void render_lpt(rbuf *b, const char *key, const form_lpt *l)
{
    rbuf_printf(b, "\"%s\":{\"male\":%u,\"female\":%u,\"total\":%u}", key, l->male, l->female,
                l->total);
}

static void render_cand(rbuf *b, const election_candidate *c, unsigned votes, int first)
{
    rbuf_printf(b, "%s{\"no\":%u,", first ? "" : ",", c->no);
    render_kv_str(b, "name", c->name);
    rbuf_printf(b, ",\"votes\":%u}", votes);
}

/* The votes of a counted form with the names of its ballot (district d:
 * a counted form always has exactly d's shape, tally_fits). */
static void render_form_votes(rbuf *b, const election *el, const election_district *d,
                              const form *f)
{
    if (!contest_is_party_list(f->kind)) {
        rbuf_puts(b, ",\"selections\":[");
        for (unsigned i = 0; i < f->nvotes && i < d->ncand; i++)
            render_cand(b, &d->cand[i], f->votes[i], i == 0);
        rbuf_put(b, "]", 1);
        return;
    }
    rbuf_puts(b, ",\"parties\":[");
    for (unsigned p = 0; p < f->nparty && p < d->nlist; p++) {
        const form_party *fp = &f->party[p];
        const election_party *ep = election_party_find(el, fp->no);
        rbuf_printf(b, "%s{\"no\":%u,", p ? "," : "", fp->no);
        render_kv_str(b, "abbrev", ep ? ep->abbrev : "");
        rbuf_printf(b, ",\"party_only\":%u,\"total\":%u,\"candidates\":[", fp->party_only,
                    fp->total);
        for (unsigned c = 0; c < fp->ncand && c < d->list[p].ncand; c++)
            render_cand(b, &d->list[p].cand[c], f->votes[fp->cand + c], c == 0);
        rbuf_puts(b, "]}");
    }
    rbuf_put(b, "]", 1);
}

static void render_form(rbuf *b, const election *el, const election_district *d, const form *f)
{
    rbuf_puts(b, "{\"voters\":{");
    for (unsigned i = 0; i < FORM_VOTER_ROWS; i++) {
        if (i)
            rbuf_put(b, ",", 1);
        render_lpt(b, form_voter_keys[i], form_voter(f, i));
    }
    rbuf_printf(b,
                "},\"ballots\":{\"received\":%u,\"used\":%u,\"damaged\":%u,\"unused\":%u},"
                "\"valid\":%u,\"invalid\":%u,\"total\":%u",
                f->received, f->used, f->damaged, f->unused, f->valid, f->invalid, f->total);
    render_form_votes(b, el, d, f);
    rbuf_put(b, "}", 1);
}

static void render_flags(rbuf *b, const rule_report *r)
{
    rbuf_puts(b, "\"flags\":[");
    for (unsigned i = 0; r && i < r->nhit; i++) {
        const rule_def *def = rules_def(r->hit[i].id);
        rbuf_puts(b, i ? ",{" : "{");
        render_kv_str(b, "code", def->code);
        rbuf_put(b, ",", 1);
        render_kv_str(b, "severity", def->severity == RULE_HARD ? "hard" : "soft");
        rbuf_put(b, ",", 1);
        render_kv_str(b, "message_id", def->msg_id);
        rbuf_put(b, ",", 1);
        render_kv_str(b, "message_en", def->msg_en);
        rbuf_put(b, ",", 1);
        render_kv_str(b, "detail", r->hit[i].detail);
        rbuf_put(b, "}", 1);
    }
    rbuf_put(b, "]", 1);
}

static void render_version_doc(rbuf *b, const render_version *v)
{
    const entry *en = v->en;
    rbuf_printf(b, "{\"version\":%u,\"log_index\":%llu,\"accepted\":", en->sub.version,
                (unsigned long long)v->index);
    render_bool(b, en->accepted);
    rbuf_printf(b, ",\"received\":%llu,\"rejected_codes\":", (unsigned long long)en->received);
    render_codes(b, en->accepted ? "" : en->codes);
    rbuf_put(b, ",", 1);
    render_code_messages(b, en->accepted ? "" : en->codes);
    if (en->sub.version > 1) {
        rbuf_put(b, ",", 1);
        render_kv_str(b, "reason", en->sub.reason);
    }
    if (en->sub.psu != ENTRY_PSU_NONE) { /* a re-count or re-vote (entry.h) */
        rbuf_put(b, ",", 1);
        render_kv_str(b, "psu", entry_psu_word[en->sub.psu]);
    }
    rbuf_puts(b, ",\"photos\":[");
    for (unsigned p = 0; p < en->sub.nphoto; p++) {
        if (p)
            rbuf_put(b, ",", 1);
        render_photo_url(b, en->sub.photo[p]);
    }
    rbuf_printf(b, "],\"proof\":\"/api/v1/proof/%llu\"}", (unsigned long long)v->index);
}

/* "none", "rejected" (logged, none counted), "counted", "flagged". */
static const char *render_tps_status(const render_tps_contest *c)
{
    if (!c->n)
        return "none";
    if (c->counted < 0)
        return "rejected";
    return c->report && rules_flagged(c->report) ? "flagged" : "counted";
}

/* "ballot": the names on district d's ballot, the shape of its form, for
 * an officer's page to enter a form nothing has been counted for yet:
 * {"selections":[{"no","name"}]} or
 * {"parties":[{"no","abbrev","name","candidates":[{"no","name"}]}]}. */
static void render_ballot(rbuf *b, const election *el, const election_district *d)
{
    rbuf_puts(b, ",\"ballot\":{");
    if (!contest_is_party_list(d->kind)) {
        rbuf_puts(b, "\"selections\":[");
        for (uint16_t i = 0; i < d->ncand; i++) {
            render_num(b, i ? ",{\"no\":" : "{\"no\":", d->cand[i].no);
            rbuf_put(b, ",", 1);
            render_kv_str(b, "name", d->cand[i].name);
            rbuf_put(b, "}", 1);
        }
        rbuf_puts(b, "]}");
        return;
    }
    rbuf_puts(b, "\"parties\":[");
    for (uint16_t l = 0; l < d->nlist; l++) {
        const election_list *li = &d->list[l];
        const election_party *ep = election_party_find(el, li->party);
        render_num(b, l ? ",{\"no\":" : "{\"no\":", li->party);
        rbuf_put(b, ",", 1);
        render_kv_str(b, "abbrev", ep ? ep->abbrev : "");
        rbuf_put(b, ",", 1);
        render_kv_str(b, "name", ep ? ep->name : "");
        rbuf_puts(b, ",\"candidates\":[");
        for (uint16_t c = 0; c < li->ncand; c++) {
            render_num(b, c ? ",{\"no\":" : "{\"no\":", li->cand[c].no);
            rbuf_put(b, ",", 1);
            render_kv_str(b, "name", li->cand[c].name);
            rbuf_put(b, "}", 1);
        }
        rbuf_puts(b, "]}");
    }
    rbuf_puts(b, "]}");
}

static void render_tps_contest_doc(rbuf *b, const election *el, uint32_t tps,
                                   const render_tps_contest *c)
{
    const election_district *d = election_tps_district(el, tps, c->kind);
    rbuf_puts(b, "{");
    render_kv_str(b, "contest", contest_kind_id[c->kind]);
    rbuf_puts(b, ",\"district\":{");
    render_kv_str(b, "id", d->id);
    rbuf_put(b, ",", 1);
    render_kv_str(b, "name", d->name);
    rbuf_puts(b, "},");
    render_kv_str(b, "status", render_tps_status(c));
    rbuf_puts(b, ",\"counted_version\":");
    if (c->counted >= 0)
        rbuf_printf(b, "%u,\"form\":", c->v[c->counted].en->sub.version);
    else
        rbuf_puts(b, "null,\"form\":null");
    if (c->counted >= 0)
        render_form(b, el, d, &c->v[c->counted].en->sub.form);
    else /* nothing counted: the ballot's shape, which a counted form shows */
        render_ballot(b, el, d);
    rbuf_put(b, ",", 1);
    render_flags(b, c->counted >= 0 ? c->report : NULL);
    rbuf_puts(b, ",\"versions\":[");
    for (unsigned i = 0; i < c->n; i++) {
        if (i)
            rbuf_put(b, ",", 1);
        render_version_doc(b, &c->v[i]);
    }
    rbuf_puts(b, "]}");
}

void render_tps(rbuf *b, const election *el, uint32_t tps, const render_tps_contest *c, unsigned nc,
                const char *ts)
{
    uint32_t node = render_tps_node(el, tps);
    const region *rg = &el->tree->node[node];
    rbuf_puts(b, "{");
    render_kv_str(b, "code", rg->code);
    rbuf_put(b, ",", 1);
    render_kv_str(b, "name", rg->name);
    rbuf_puts(b, ",\"regions\":[");
    for (uint32_t r = rg->parent, n = 0; r != REGION_NONE; r = el->tree->node[r].parent, n++)
        render_code_name(b, &el->tree->node[r], n == 0);
    rbuf_printf(b, "],\"dpt\":{\"male\":%u,\"female\":%u},", el->tps[tps].dpt_male,
                el->tps[tps].dpt_female);
    /* the ballot reserve the rules check against (as the definition says) */
    rbuf_printf(b, "\"rules\":{\"ballot_reserve_permille\":%u,\"reserve_dptb\":%s,"
                   "\"reserve_dpk\":%s},",
                el->rules.reserve_permille, el->rules.reserve_dptb ? "true" : "false",
                el->rules.reserve_dpk ? "true" : "false");
    render_kv_str(b, "ts", ts);
    rbuf_puts(b, ",\"contests\":[");
    for (unsigned i = 0; i < nc; i++) {
        if (i)
            rbuf_put(b, ",", 1);
        render_tps_contest_doc(b, el, tps, &c[i]);
    }
    rbuf_puts(b, "]}\n");
}

void render_anomalies(rbuf *b, const election *el, contest_kind k, const uint32_t *flagged,
                      size_t nflag, uint64_t flag_total, const render_rejected *const *rej,
                      size_t nrej, uint64_t rej_total, uint64_t scanned, const char *ts)
{
    rbuf_puts(b, "{");
    render_kv_str(b, "contest", contest_kind_id[k]);
    rbuf_put(b, ",", 1);
    render_kv_str(b, "ts", ts);
    rbuf_printf(b, ",\"log_entries_scanned\":%llu", (unsigned long long)scanned);
    rbuf_puts(b, ",\"flagged\":{");
    render_kv_u64(b, "total", flag_total);
    rbuf_printf(b, ",\"shown\":%zu,\"tps\":[", nflag);
    for (size_t i = 0; i < nflag; i++) {
        const char *code = el->tree->node[render_tps_node(el, flagged[i])].code;
        rbuf_printf(b, "%s{\"code\":\"%s\",\"detail\":\"/api/v1/tps/%s.json\"}", i ? "," : "", code,
                    code);
    }
    rbuf_puts(b, "]},\"rejected\":{");
    render_kv_u64(b, "total", rej_total);
    rbuf_printf(b, ",\"shown\":%zu,\"entries\":[", nrej);
    for (size_t i = 0; i < nrej; i++) {
        rbuf_printf(b,
                    "%s{\"log_index\":%llu,\"tps\":\"%s\",\"version\":%u,\"codes\":", i ? "," : "",
                    (unsigned long long)rej[i]->index, rej[i]->tps, rej[i]->version);
        render_codes(b, rej[i]->codes);
        rbuf_printf(b, ",\"detail\":\"/api/v1/tps/%s.json\"}", rej[i]->tps);
    }
    rbuf_puts(b, "]}}\n");
}

/* ================================================================ CSV */

/* The bytes come from core/export.h, shared with `rekap export`. Its
 * writers are snprintf-like: one call into the buffer's spare room, and a
 * second only when the line did not fit, once the buffer has grown. */
static char *render_spare(const rbuf *b)
{
    return b->p ? b->p + b->len : NULL;
}

static char *render_grow(rbuf *b, size_t n)
{
    mem_grow((void **)&b->p, &b->cap, b->len + n + 1, 1);
    return b->p + b->len;
}

void render_csv_header(rbuf *b, const election *el, contest_kind k)
{
    size_t n = export_csv_header(el, k, render_spare(b), b->cap - b->len);
    if (n >= b->cap - b->len)
        export_csv_header(el, k, render_grow(b, n), n + 1);
    b->len += n;
}

void render_csv_row(rbuf *b, const election *el, const entry *en)
{
    size_t n = export_csv_row(el, en, render_spare(b), b->cap - b->len);
    if (n >= b->cap - b->len)
        export_csv_row(el, en, render_grow(b, n), n + 1);
    b->len += n;
}
