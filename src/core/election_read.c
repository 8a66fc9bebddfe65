/* election_read — election_parse, the rekap-election/1 reader
 * (docs/FORMATS.md). The structural scanner (election_scan.c) walks the
 * three big containers (the root object, "contests" and "tps") and hands
 * jansson one element at a time (one district, one desa's TPS list, one
 * small top-level member), freeing each before the next: peak memory is
 * the result plus one element. Each element is read through json_get in
 * the election's words ("<path> must be an integer").
 *
 * The reader checks what the JSON can get wrong (syntax, fields, types,
 * sizes, unknown regions); election_link, which it calls last, checks
 * what any election can get wrong. */
#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/election_internal.h"
#include "core/json_get.h"
#include "core/mem.h"

/* ------------------------------------------------------------------ errors */

/* An error at the value g->path names: "<path> <what>". */
static int say(const jget *g, const char *code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int say(const jget *g, const char *code, const char *fmt, ...)
{
    char msg[sizeof((err_info *)0)->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return election_fail(g->e, code, g->path, "%s %s", g->path, msg);
}

/* An error at member `key` of the value at g->path. */
static int fail_at(jget *g, const char *code, const char *key, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int fail_at(jget *g, const char *code, const char *key, const char *fmt, ...)
{
    char msg[sizeof((err_info *)0)->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = jget_key(g, key);
    int rc = say(g, code, "%s", msg);
    jget_pop(g, old);
    return rc;
}

/* The election's words for what json_get finds wrong. */
static int report(const jget *g, const jget_fault *f)
{
    switch (f->kind) {
    case JGET_UNKNOWN: return say(g, E_UNKNOWN, "is not a known field");
    case JGET_MISSING: return say(g, E_MISSING, "is missing");
    case JGET_TYPE: return say(g, E_TYPE, "must be %s", jget_type_name(f->want));
    case JGET_RANGE:
        return say(g, f->code, "is %lld, outside %lld..%lld", f->value, f->lo, f->hi);
    case JGET_TOO_LONG:
        return say(g, E_LIMIT, "has %zu elements, more than %zu", f->n, f->max);
    }
    assert(!"a fault json_get does not report");
    return ERR_INVALID;
}

/* ------------------------------------------------------------------ values */

/* A text of 1..ELECTION_TEXT_MAX bytes at member `key`, copied. */
static int text_value(jget *g, json_t *v, const char *key, char **out)
{
    int rc = jget_is(g, v, key, -1, JGET_STRING);
    if (rc)
        return rc;
    size_t n = json_string_length(v);
    if (n == 0)
        return fail_at(g, E_RANGE, key, "must not be empty");
    if (n > ELECTION_TEXT_MAX)
        return fail_at(g, E_LIMIT, key, "is %zu bytes, more than %d", n,
                       ELECTION_TEXT_MAX);
    *out = mem_strndup(json_string_value(v), n);
    return 0;
}

static int get_text(jget *g, json_t *o, const char *key, char **out)
{
    json_t *v;
    int rc = jget_member(g, o, key, JGET_ANY, &v);
    return rc ? rc : text_value(g, v, key, out);
}

static int get_bool(jget *g, json_t *o, const char *key, uint8_t *out)
{
    json_t *v;
    int rc = jget_member(g, o, key, JGET_BOOLEAN, &v);
    if (rc == 0)
        *out = json_is_true(v);
    return rc;
}

/* ------------------------------------------------------------------ reader */

static int parse_rules(election *el, json_t *o, jget *g)
{
    static const char *const keys[] = {"ballot_reserve_permille", "reserve_dptb",
                                       "reserve_dpk", "tps_max_dpt"};
    long long permille, maxdpt;
    int rc = jget_object(g, o, keys, sizeof keys / sizeof keys[0]);
    if (!rc)
        rc = jget_int_member(g, o, "ballot_reserve_permille", 0, UINT32_MAX, E_RANGE,
                             &permille);
    if (!rc)
        rc = get_bool(g, o, "reserve_dptb", &el->rules.reserve_dptb);
    if (!rc)
        rc = get_bool(g, o, "reserve_dpk", &el->rules.reserve_dpk);
    if (!rc)
        rc = jget_int_member(g, o, "tps_max_dpt", 0, UINT16_MAX, E_RANGE, &maxdpt);
    if (rc)
        return rc;
    el->rules.reserve_permille = (uint32_t)permille;
    el->rules.tps_max_dpt = (uint16_t)maxdpt;
    return 0;
}

static int parse_party(election_party *party, json_t *o, jget *g)
{
    static const char *const keys[] = {"no", "abbrev", "name", "only_in"};
    long long no;
    int rc = jget_object(g, o, keys, sizeof keys / sizeof keys[0]);
    if (!rc)
        rc = jget_int_member(g, o, "no", 0, UINT16_MAX, E_RANGE, &no);
    if (rc)
        return rc;
    party->no = (uint16_t)no;
    rc = get_text(g, o, "abbrev", &party->abbrev);
    if (!rc)
        rc = get_text(g, o, "name", &party->name);
    json_t *only = json_object_get(o, "only_in");
    if (!rc && only)
        rc = text_value(g, only, "only_in", &party->only_in);
    return rc;
}

static int parse_parties(election *el, json_t *arr, jget *g)
{
    int rc = jget_is(g, arr, NULL, -1, JGET_ARRAY);
    if (rc)
        return rc;
    if (json_array_size(arr) > ELECTION_PARTY_MAX)
        return election_fail(g->e, E_LIMIT, g->path, "more than %d parties",
                             ELECTION_PARTY_MAX);
    el->nparty = (uint16_t)json_array_size(arr);
    el->party = mem_calloc(el->nparty, sizeof *el->party);
    for (size_t i = 0; i < el->nparty; i++) {
        size_t old = jget_index(g, i);
        rc = parse_party(&el->party[i], json_array_get(arr, i), g);
        if (rc)
            return rc;
        jget_pop(g, old);
    }
    return 0;
}

static int parse_candidate(election_candidate *c, contest_kind k, json_t *o, jget *g)
{
    static const char *const keys[] = {"no", "name", "sex"}; /* no sex for PPWP pairs */
    long long no;
    int rc = jget_object(g, o, keys, k == CONTEST_PPWP ? 2 : 3);
    if (!rc)
        rc = jget_int_member(g, o, "no", 0, UINT16_MAX, E_CAND_ORDER, &no);
    if (rc)
        return rc;
    c->no = (uint16_t)no;
    rc = get_text(g, o, "name", &c->name);
    if (rc || k == CONTEST_PPWP)
        return rc;
    json_t *sex;
    rc = jget_member(g, o, "sex", JGET_STRING, &sex);
    if (rc)
        return rc;
    if (json_string_length(sex) != 1)
        return fail_at(g, E_RANGE, "sex", "must be \"L\" or \"P\"");
    c->sex = json_string_value(sex)[0];
    return 0;
}

static int parse_candidates(json_t *o, contest_kind k, uint16_t *ncand,
                            election_candidate **cand, jget *g)
{
    json_t *arr;
    int rc = jget_array(g, o, "candidates", ELECTION_CANDIDATES_MAX, &arr);
    if (rc)
        return rc;
    *ncand = (uint16_t)json_array_size(arr);
    *cand = mem_calloc(*ncand, sizeof **cand);
    size_t old = jget_key(g, "candidates");
    for (size_t i = 0; i < *ncand; i++) {
        size_t at = jget_index(g, i);
        rc = parse_candidate(&(*cand)[i], k, json_array_get(arr, i), g);
        if (rc)
            return rc;
        jget_pop(g, at);
    }
    jget_pop(g, old);
    return 0;
}

static int parse_lists(election_district *d, json_t *o, jget *g)
{
    static const char *const keys[] = {"party", "candidates"};
    json_t *arr;
    int rc = jget_array(g, o, "lists", ELECTION_PARTY_MAX, &arr);
    if (rc)
        return rc;
    d->nlist = (uint16_t)json_array_size(arr);
    d->list = mem_calloc(d->nlist, sizeof *d->list);
    size_t old = jget_key(g, "lists");
    for (size_t i = 0; i < d->nlist; i++) {
        json_t *lo = json_array_get(arr, i);
        long long party;
        size_t at = jget_index(g, i);
        rc = jget_object(g, lo, keys, sizeof keys / sizeof keys[0]);
        if (!rc)
            rc = jget_int_member(g, lo, "party", 0, UINT16_MAX, E_PARTY_UNKNOWN, &party);
        if (rc)
            return rc;
        d->list[i].party = (uint16_t)party;
        rc = parse_candidates(lo, d->kind, &d->list[i].ncand, &d->list[i].cand, g);
        if (rc)
            return rc;
        jget_pop(g, at);
    }
    jget_pop(g, old);
    return 0;
}

static int parse_regions(const election *el, election_district *d, json_t *o, jget *g)
{
    json_t *arr;
    int rc = jget_array(g, o, "regions", el->tree->n, &arr);
    if (rc)
        return rc;
    d->nregion = (uint32_t)json_array_size(arr);
    d->region = mem_calloc(d->nregion, sizeof *d->region);
    size_t old = jget_key(g, "regions");
    for (size_t i = 0; i < d->nregion; i++) {
        json_t *v = json_array_get(arr, i);
        size_t at = jget_index(g, i);
        if (!json_is_string(v))
            return say(g, E_TYPE, "must be a region code");
        d->region[i] = region_find(el->tree, json_string_value(v));
        if (d->region[i] == REGION_NONE)
            return election_fail(g->e, E_REGION, g->path,
                                 "region \"%.40s\" is not in the region tree",
                                 json_string_value(v));
        jget_pop(g, at);
    }
    jget_pop(g, old);
    return 0;
}

static int parse_district(election *el, contest_kind k, size_t *cap, json_t *o, jget *g)
{
    static const char *const person_keys[] = {"id", "name", "seats", "regions",
                                              "candidates"};
    static const char *const list_keys[] = {"id", "name", "seats", "regions", "lists"};
    _Static_assert(sizeof person_keys == sizeof list_keys, "one count for both");
    if (el->ndistrict[k] >= ELECTION_DISTRICTS_MAX)
        return election_fail(g->e, E_LIMIT, g->path, "more than %d %s districts",
                             ELECTION_DISTRICTS_MAX, contest_kind_id[k]);
    mem_grow((void **)&el->district[k], cap, el->ndistrict[k] + 1,
             sizeof *el->district[k]);
    election_district *d = &el->district[k][el->ndistrict[k]++];
    memset(d, 0, sizeof *d);
    d->kind = k;
    long long seats;
    int rc = jget_object(g, o, contest_is_party_list(k) ? list_keys : person_keys,
                         sizeof list_keys / sizeof list_keys[0]);
    if (!rc)
        rc = get_text(g, o, "id", &d->id);
    if (!rc)
        rc = get_text(g, o, "name", &d->name);
    if (!rc)
        rc = jget_int_member(g, o, "seats", 0, UINT16_MAX, E_LIMIT, &seats);
    if (rc)
        return rc;
    d->seats = (uint16_t)seats;
    rc = parse_regions(el, d, o, g);
    if (!rc && contest_is_party_list(k))
        rc = parse_lists(d, o, g);
    else if (!rc)
        rc = parse_candidates(o, k, &d->ncand, &d->cand, g);
    return rc;
}

/* One kind's array of districts, one jansson parse per district. */
static int parse_kind(const escan *r, election *el, contest_kind k, size_t vs,
                      size_t ve, jget *g)
{
    escan_iter it;
    size_t cap = 0;
    int rc = escan_open(r, vs, ve, '[', g->path, &it);
    for (size_t i = 0; !rc && (rc = escan_next(r, &it, NULL, 0, &vs, &ve)) > 0; i++) {
        json_t *o;
        size_t at = jget_index(g, i);
        rc = escan_load(r, vs, ve, &o);
        if (rc)
            return rc;
        rc = parse_district(el, k, &cap, o, g);
        json_decref(o);
        jget_pop(g, at);
    }
    return rc;
}

/* "contests": an object holding every kind's array exactly once. */
static int parse_contests(const escan *r, election *el, size_t vs, size_t ve, jget *g)
{
    escan_iter it;
    char key[64];
    int seen[CONTEST_KINDS] = {0};
    int rc = escan_open(r, vs, ve, '{', g->path, &it);
    if (rc)
        return rc;
    while ((rc = escan_next(r, &it, key, sizeof key, &vs, &ve)) > 0) {
        int k = contest_kind_parse(key);
        if (k < 0)
            return fail_at(g, E_UNKNOWN, key, "is not a contest kind");
        if (seen[k])
            return escan_duplicate(r, &it, key);
        seen[k] = 1;
        size_t old = jget_key(g, key);
        rc = parse_kind(r, el, (contest_kind)k, vs, ve, g);
        if (rc)
            return rc;
        jget_pop(g, old);
    }
    for (int k = 0; k < CONTEST_KINDS && !rc; k++)
        if (!seen[k])
            rc = fail_at(g, E_MISSING, contest_kind_id[k], "is missing");
    return rc;
}

/* "tps": per desa, the registered voters of TPS 001, 002, ... Read into a
 * staging list first, since the tree only sorts its TPS at finish. */
typedef struct tps_stage {
    uint32_t *first;          /* per desa (offset in the desa level): index in dpt */
    uint16_t *count;          /* per desa: number of TPS */
    uint16_t (*dpt)[2];       /* male, female in document order */
    size_t n, cap;
} tps_stage;

static int parse_tps_list(tps_stage *st, json_t *arr, jget *g)
{
    if (!json_is_array(arr))
        return say(g, E_TYPE, "must be an array of [male, female]");
    size_t n = json_array_size(arr);
    if (n > ELECTION_TPS_PER_DESA_MAX)
        return say(g, E_LIMIT, "has %zu TPS, more than %d", n, ELECTION_TPS_PER_DESA_MAX);
    mem_grow((void **)&st->dpt, &st->cap, st->n + n, sizeof *st->dpt);
    for (size_t i = 0; i < n; i++) {
        json_t *pair = json_array_get(arr, i);
        size_t at = jget_index(g, i);
        if (!json_is_array(pair) || json_array_size(pair) != 2 ||
            !json_is_integer(json_array_get(pair, 0)) ||
            !json_is_integer(json_array_get(pair, 1)))
            return say(g, E_TYPE, "must be [male, female]");
        for (size_t s = 0; s < 2; s++) {
            json_int_t v = json_integer_value(json_array_get(pair, s));
            if (v < 0 || v > UINT16_MAX)
                return election_fail(g->e, E_DPT, g->path, "%s: %lld voters", g->path,
                                     (long long)v);
            st->dpt[st->n + i][s] = (uint16_t)v;
        }
        jget_pop(g, at);
    }
    st->n += n;
    return 0;
}

static int read_tps(const escan *r, election *el, tps_stage *st, size_t vs, size_t ve,
                    jget *g)
{
    region_tree *t = el->tree;
    size_t d0 = t->level_start[REGION_DESA];
    escan_iter it;
    char key[64];
    int rc = escan_open(r, vs, ve, '{', g->path, &it);
    if (rc)
        return rc;
    while ((rc = escan_next(r, &it, key, sizeof key, &vs, &ve)) > 0) {
        uint32_t desa = region_find(t, key);
        if (desa == REGION_NONE || t->node[desa].level != REGION_DESA)
            return fail_at(g, E_REGION, key, "is not a desa of the region tree");
        if (st->first[desa - d0] != UINT32_MAX)
            return escan_duplicate(r, &it, key);
        st->first[desa - d0] = (uint32_t)st->n;
        json_t *arr;
        rc = escan_load(r, vs, ve, &arr);
        if (rc)
            return rc;
        size_t old = jget_key(g, t->node[desa].code);
        rc = parse_tps_list(st, arr, g);
        st->count[desa - d0] = (uint16_t)json_array_size(arr);
        json_decref(arr);
        if (rc)
            return rc;
        jget_pop(g, old);
    }
    return rc;
}

/* Add the staged TPS to the tree and fill tps[] in tree order: index i is
 * node level_start[TPS] + i, and adding TPS leaves the desa indices as they
 * were (nodes are sorted by level, TPS come last). */
static int add_tps(election *el, const tps_stage *st, err_info *e)
{
    region_tree *t = el->tree;
    size_t d0 = t->level_start[REGION_DESA];
    size_t nd = t->level_start[REGION_DESA + 1] - d0;
    int rc = 0;
    for (size_t d = 0; d < nd && !rc; d++)
        for (unsigned no = 1; no <= st->count[d] && !rc; no++)
            rc = region_add_tps(t, (uint32_t)(d0 + d), no, e);
    if (!rc)
        rc = region_tree_finish(t, e);
    if (rc)
        return rc;
    assert(t->level_start[REGION_DESA] == d0);
    election_tps_reset(el);
    const region *tps = &t->node[t->level_start[REGION_TPS]];
    for (size_t i = 0; i < el->ntps; i++) {
        size_t d = tps[i].parent - d0;
        unsigned no = (unsigned)atoi(tps[i].code + 10);
        assert(d < nd && no >= 1 && no <= st->count[d]);
        el->tps[i].dpt_male = st->dpt[st->first[d] + no - 1][0];
        el->tps[i].dpt_female = st->dpt[st->first[d] + no - 1][1];
    }
    return 0;
}

static int parse_tps(const escan *r, election *el, size_t vs, size_t ve, jget *g)
{
    const region_tree *t = el->tree;
    size_t nd = t->level_start[REGION_DESA + 1] - t->level_start[REGION_DESA];
    tps_stage st = {0};
    st.first = mem_alloc((nd ? nd : 1) * sizeof *st.first);
    memset(st.first, 0xff, (nd ? nd : 1) * sizeof *st.first);
    st.count = mem_calloc(nd, sizeof *st.count);
    int rc = read_tps(r, el, &st, vs, ve, g);
    if (!rc)
        rc = add_tps(el, &st, r->e);
    free(st.first);
    free(st.count);
    free(st.dpt);
    return rc;
}

/* The seed is read from the text itself: jansson's integers stop at
 * 2^63-1 and generator seeds are any 64-bit value. */
static int parse_seed(const escan *r, size_t vs, size_t ve, uint64_t *out)
{
    const char *s = r->buf + vs;
    size_t n = ve - vs;
    int digits = n > 0 && (n == 1 || s[0] != '0');
    for (size_t i = 0; i < n && digits; i++)
        digits = s[i] >= '0' && s[i] <= '9';
    if (digits) {
        uint64_t v = 0;
        for (size_t i = 0; i < n; i++) {
            unsigned dgt = (unsigned)(s[i] - '0');
            if (v > (UINT64_MAX - dgt) / 10)
                return election_fail(r->e, E_RANGE, "seed", "seed is larger than 2^64-1");
            v = v * 10 + dgt;
        }
        *out = v;
        return 0;
    }
    json_t *j;
    int rc = escan_load(r, vs, ve, &j);
    if (rc)
        return rc;
    int number = json_is_number(j);
    json_decref(j);
    return number ? election_fail(r->e, E_RANGE, "seed",
                                  "seed must be an integer in 0..2^64-1")
                  : election_fail(r->e, E_TYPE, "seed", "seed must be an integer");
}

enum { TOP_FORMAT, TOP_NAME, TOP_SEED, TOP_RULES, TOP_PARTIES, TOP_CONTESTS,
       TOP_TPS, TOP_N };
static const char *const top_key[TOP_N] = {
    "format", "name", "seed", "rules", "parties", "contests", "tps",
};

/* A small top-level member through jansson. */
static int parse_small(const escan *r, election *el, int which, size_t vs, size_t ve,
                       jget *g)
{
    json_t *v;
    int rc = escan_load(r, vs, ve, &v);
    if (rc)
        return rc;
    if (which == TOP_NAME) {
        rc = text_value(g, v, "name", &el->name);
        json_decref(v);
        return rc;
    }
    size_t old = jget_key(g, top_key[which]);
    if (which == TOP_FORMAT) {
        if (!json_is_string(v) || strcmp(json_string_value(v), ELECTION_FORMAT_ID) != 0)
            rc = election_fail(r->e, E_FORMAT, g->path,
                               "not a " ELECTION_FORMAT_ID " document");
    } else if (which == TOP_RULES) {
        rc = parse_rules(el, v, g);
    } else {
        rc = parse_parties(el, v, g);
    }
    jget_pop(g, old);
    json_decref(v);
    return rc;
}

/* Find the top-level members, then read them in dependency order: the
 * format first (a wrong document fails as such, not on its fields), rules
 * before the TPS they bound, TPS before the contests (region lookups want
 * the finished tree). */
static int parse_document(const escan *r, election *el)
{
    size_t span[TOP_N][2], vs, ve;
    char key[64], unknown[64] = "";
    jget g;
    escan_iter it;
    jget_init(&g, r->e, JGET_PATH_MAX, report);
    for (int t = 0; t < TOP_N; t++)
        span[t][0] = SIZE_MAX;
    size_t start = escan_ws(r, 0), end;
    int rc = escan_skip(r, start, &end);
    if (!rc && escan_ws(r, end) != r->len)
        rc = escan_fail(r, escan_ws(r, end), "trailing characters after the document");
    if (!rc)
        rc = escan_open(r, start, end, '{', g.path, &it);
    if (rc)
        return rc;
    while ((rc = escan_next(r, &it, key, sizeof key, &vs, &ve)) > 0) {
        int t = 0;
        while (t < TOP_N && strcmp(key, top_key[t]) != 0)
            t++;
        if (t == TOP_N && !unknown[0])
            snprintf(unknown, sizeof unknown, "%s", key[0] ? key : "\"\"");
        if (t < TOP_N && span[t][0] != SIZE_MAX)
            return escan_duplicate(r, &it, key);
        if (t < TOP_N) {
            span[t][0] = vs;
            span[t][1] = ve;
        }
    }
    if (rc < 0)
        return rc;
    if (span[TOP_FORMAT][0] != SIZE_MAX &&
        (rc = parse_small(r, el, TOP_FORMAT, span[TOP_FORMAT][0], span[TOP_FORMAT][1], &g)))
        return rc;
    if (unknown[0])
        return fail_at(&g, E_UNKNOWN, unknown, "is not a known field");
    for (int t = 0; t < TOP_N; t++)
        if (span[t][0] == SIZE_MAX)
            return fail_at(&g, E_MISSING, top_key[t], "is missing");
    static const int order[] = {TOP_NAME, TOP_SEED, TOP_RULES, TOP_PARTIES,
                                TOP_TPS, TOP_CONTESTS};
    for (size_t i = 0; i < sizeof order / sizeof order[0] && !rc; i++) {
        int t = order[i];
        vs = span[t][0];
        ve = span[t][1];
        if (t == TOP_SEED) {
            rc = parse_seed(r, vs, ve, &el->seed);
        } else if (t == TOP_TPS || t == TOP_CONTESTS) {
            size_t old = jget_key(&g, top_key[t]);
            rc = t == TOP_TPS ? parse_tps(r, el, vs, ve, &g)
                              : parse_contests(r, el, vs, ve, &g);
            jget_pop(&g, old);
        } else {
            rc = parse_small(r, el, t, vs, ve, &g);
        }
    }
    return rc;
}

int election_parse(const char *json, size_t len, region_tree *tree,
                   election **out, err_info *e)
{
    *out = NULL;
    if (election_tree_tps(tree) != 0) {
        region_tree_free(tree);
        return election_fail(e, E_TREE, "", "the region tree already holds TPS");
    }
    election *el = election_new(tree);
    escan r = {.buf = json, .len = len, .e = e};
    int rc = len > ELECTION_DOC_MAX
                 ? election_fail(e, E_LIMIT, "", "document is %zu bytes, more than %zu",
                                 len, ELECTION_DOC_MAX)
                 : parse_document(&r, el);
    if (!rc)
        rc = election_link(el, e);
    if (rc) {
        election_free(el);
        return rc;
    }
    *out = el;
    return 0;
}
