/* determine_json — owns the JSON shape of a determination of results
 * (determine.h; every field in docs/API.md, "Determination"): rekapd's
 * /api/v1/determination/<contest>.json and `rekap determine --json` are
 * these bytes, so both say the same thing for the same votes. This file is
 * where one of its fields is added or renamed, nowhere else.
 *
 * Written through textbuf (bounded, counting past the end), which gives
 * the snprintf-like return; shares are printed from integers (hundredths,
 * rounded half up), never from floating point, so the bytes are the same
 * on every machine. */
#include "core/determine.h"

#include <assert.h>
#include <stdlib.h>

#include "core/mem.h"
#include "core/textbuf.h"

__extension__ typedef unsigned __int128 dj_u128; /* votes (<= 2^53) x 10^4 */

/* `"key":` */
static void dj_key(textbuf *t, const char *key)
{
    textbuf_json_str(t, key);
    textbuf_put(t, ":", 1);
}

/* A literal (punctuation and key) followed by a number. */
static void dj_num(textbuf *t, const char *lit, uint64_t v)
{
    textbuf_str(t, lit);
    textbuf_u64(t, v);
}

/* `,"key":"value"` */
static void dj_kv_str(textbuf *t, const char *key, const char *v)
{
    textbuf_put(t, ",", 1);
    dj_key(t, key);
    textbuf_json_str(t, v);
}

static void dj_bool(textbuf *t, const char *lit, int v)
{
    textbuf_str(t, lit);
    textbuf_str(t, v ? "true" : "false");
}

/* 100 * part / whole with two decimals ("54.12"), rounded half up; "0.00"
 * when whole is 0. */
static void dj_pct(textbuf *t, uint64_t part, uint64_t whole)
{
    uint64_t h = whole ? (uint64_t)(((dj_u128)part * 10000 + whole / 2) / whole) : 0;
    char two[3] = {(char)('0' + h % 100 / 10), (char)('0' + h % 10), 0};
    textbuf_u64(t, h / 100);
    textbuf_put(t, ".", 1);
    textbuf_str(t, two);
}

/* {"no":N,"name":"..."} of candidate (or pair) c. */
static void dj_cand(textbuf *t, const election_candidate *c)
{
    dj_num(t, "{\"no\":", c->no);
    dj_kv_str(t, "name", c->name);
    textbuf_put(t, "}", 1);
}

/* The head every contest shares: what, from where, how far counted. */
static void dj_head(textbuf *t, contest_kind k, const determine_json_meta *m)
{
    textbuf_put(t, "{", 1);
    dj_key(t, "contest");
    textbuf_json_str(t, contest_kind_id[k]);
    dj_kv_str(t, "source", m->source);
    dj_bool(t, ",\"complete\":", m->complete);
    dj_num(t, ",\"tps\":{\"counted\":", m->tps_counted);
    dj_num(t, ",\"expected\":", m->tps_expected);
    textbuf_put(t, "}", 1);
}

/* ---------------------------------------------------------------- PPWP */

static const char *const dj_outcome[] = {
    [DETERMINE_PPWP_NO_VOTES] = "no_votes",
    [DETERMINE_PPWP_ELECTED] = "elected",
    [DETERMINE_PPWP_RUNOFF] = "runoff",
};

/* "pairs":[{"no","name","votes","pct","provinces_20"}] in ballot order. */
static void dj_pairs(textbuf *t, const election_district *ds, const determine_ppwp *p)
{
    textbuf_str(t, ",\"pairs\":[");
    for (unsigned i = 0; i < ds->ncand; i++) {
        dj_num(t, i ? ",{\"no\":" : "{\"no\":", ds->cand[i].no);
        dj_kv_str(t, "name", ds->cand[i].name);
        dj_num(t, ",\"votes\":", p->votes[i]);
        textbuf_str(t, ",\"pct\":");
        dj_pct(t, p->votes[i], p->total);
        dj_num(t, ",\"provinces_20\":", p->prov20[i]);
        textbuf_put(t, "}", 1);
    }
    textbuf_put(t, "]", 1);
}

/* "ppwp":{"outcome","winner","runoff","total","provinces","pairs"}:
 * winner null unless elected, runoff empty unless a second round. */
static void dj_ppwp(textbuf *t, const election *el, const determine_result *r)
{
    const election_district *ds = &el->district[CONTEST_PPWP][0];
    const determine_ppwp *p = &r->ppwp;
    assert((unsigned)p->outcome < sizeof dj_outcome / sizeof dj_outcome[0]);
    textbuf_str(t, ",\"ppwp\":{\"outcome\":");
    textbuf_json_str(t, dj_outcome[p->outcome]);
    textbuf_str(t, ",\"winner\":");
    if (p->outcome == DETERMINE_PPWP_ELECTED)
        dj_cand(t, &ds->cand[p->winner]);
    else
        textbuf_str(t, "null");
    textbuf_str(t, ",\"runoff\":[");
    for (unsigned i = 0; p->outcome == DETERMINE_PPWP_RUNOFF && i < 2; i++) {
        if (i)
            textbuf_put(t, ",", 1);
        dj_cand(t, &ds->cand[p->runoff[i]]);
    }
    dj_num(t, "],\"total\":", p->total);
    dj_num(t, ",\"provinces\":", p->nprov);
    dj_pairs(t, ds, p);
    textbuf_put(t, "}", 1);
}

/* --------------------------------------------------------- party lists */

/* "threshold_bp":N,"parties":[{"no","abbrev","name","votes","eligible"}]:
 * every party of the election, its national votes in this contest. */
static void dj_parties(textbuf *t, const election *el, const determine_result *r)
{
    dj_num(t, ",\"threshold_bp\":", r->threshold_bp);
    textbuf_str(t, ",\"parties\":[");
    for (unsigned p = 0; p < el->nparty; p++) {
        dj_num(t, p ? ",{\"no\":" : "{\"no\":", el->party[p].no);
        dj_kv_str(t, "abbrev", el->party[p].abbrev);
        dj_kv_str(t, "name", el->party[p].name);
        dj_num(t, ",\"votes\":", r->party_votes[p]);
        dj_bool(t, ",\"eligible\":", r->party_eligible[p]);
        textbuf_put(t, "}", 1);
    }
    textbuf_put(t, "]", 1);
}

/* `{"index","id","name","seats","valid"` of district d: what both kinds
 * of district start with. */
static void dj_district_head(textbuf *t, uint32_t d, const election_district *ds,
                             const determine_district *dd, const determine_json_meta *m)
{
    dj_num(t, d ? ",{\"index\":" : "{\"index\":", d);
    dj_kv_str(t, "id", ds->id);
    dj_kv_str(t, "name", ds->name);
    dj_kv_str(t, "source", m->from_recap && m->from_recap[d] ? "recap" : "tps");
    dj_num(t, ",\"seats\":", ds->seats);
    dj_num(t, ",\"valid\":", dd->valid);
}

/* "parties":[{"no","votes","seats"}] of a district's lists, ballot order. */
static void dj_list_seats(textbuf *t, const election_district *ds, const determine_district *dd)
{
    textbuf_str(t, ",\"parties\":[");
    for (unsigned l = 0; l < ds->nlist; l++) {
        dj_num(t, l ? ",{\"no\":" : "{\"no\":", ds->list[l].party);
        dj_num(t, ",\"votes\":", dd->list_votes[l]);
        dj_num(t, ",\"seats\":", dd->seats[l]);
        textbuf_put(t, "}", 1);
    }
    textbuf_put(t, "]", 1);
}

/* "elected":[...] in order of election: party lists
 * {"party","no","name","sex","votes"}, DPD {"no","name","votes"}. */
static void dj_elected(textbuf *t, const election_district *ds, const determine_district *dd)
{
    int lists = contest_is_party_list(ds->kind);
    textbuf_str(t, ",\"elected\":[");
    for (unsigned i = 0; i < dd->nelected; i++) {
        const determine_elected *x = &dd->elected[i];
        const election_list *li = lists ? &ds->list[x->list] : NULL;
        const election_candidate *c = li ? &li->cand[x->cand] : &ds->cand[x->cand];
        textbuf_str(t, i ? ",{" : "{");
        if (li)
            dj_num(t, "\"party\":", li->party);
        dj_num(t, li ? ",\"no\":" : "\"no\":", c->no);
        dj_kv_str(t, "name", c->name);
        if (li) {
            char sex[2] = {c->sex, 0};
            dj_kv_str(t, "sex", sex);
        }
        dj_num(t, ",\"votes\":", x->votes);
        textbuf_put(t, "}", 1);
    }
    textbuf_put(t, "]", 1);
}

/* "districts":[...]: party lists with "allocated" (seats given so far),
 * the lists' seats and the elected; DPD with its elected. */
static void dj_districts(textbuf *t, const election *el, const determine_result *r,
                         const determine_json_meta *m)
{
    textbuf_str(t, ",\"districts\":[");
    for (uint32_t d = 0; d < r->ndistrict; d++) {
        const election_district *ds = &el->district[r->kind][d];
        const determine_district *dd = &r->district[d];
        dj_district_head(t, d, ds, dd, m);
        if (r->kind != CONTEST_DPD) {
            dj_num(t, ",\"allocated\":", dd->allocated);
            dj_list_seats(t, ds, dd);
        }
        dj_elected(t, ds, dd);
        textbuf_put(t, "}", 1);
    }
    textbuf_put(t, "]", 1);
}

/* ------------------------------------------------------------ document */

void determine_json_meta_tps(const election *el, const tally *t, contest_kind k,
                             determine_json_meta *m)
{
    const tally_row *row = tally_region(t, k, (uint32_t)el->tree->level_start[REGION_NATIONAL]);
    m->source = "tps";
    m->from_recap = NULL;
    m->tps_counted = row->tps_counted;
    m->tps_expected = row->tps_expected;
    m->complete = row->tps_expected && row->tps_counted == row->tps_expected;
}

size_t determine_json(const election *el, const determine_result *r,
                      const determine_json_meta *m, char *buf, size_t cap)
{
    textbuf t;
    textbuf_init(&t, buf, cap);
    dj_head(&t, r->kind, m);
    if (r->kind == CONTEST_PPWP) {
        dj_ppwp(&t, el, r);
    } else {
        if (contest_is_party_list(r->kind))
            dj_parties(&t, el, r);
        dj_districts(&t, el, r, m);
    }
    textbuf_str(&t, "}\n");
    return textbuf_finish(&t);
}

char *determine_json_new(const election *el, const determine_result *r,
                         const determine_json_meta *m, size_t *len)
{
    size_t n = determine_json(el, r, m, NULL, 0);
    char *buf = mem_alloc(n + 1);
    *len = determine_json(el, r, m, buf, n + 1);
    assert(*len == n);
    return buf;
}
