/* election — the election definition: contest kinds, the election object,
 * the rekap-election/1 reader and writer (docs/FORMATS.md), and
 * election_link, which checks every rule of a definition and gives each TPS
 * its district per contest kind.
 *
 * Reading: a national document is ~30 MB; handing it whole to jansson
 * builds a tree of ~500 MB. So a small structural scanner walks the three
 * big containers (the root object, "contests" and "tps") and hands jansson
 * one element at a time (one district, one desa's TPS list), freeing each
 * before the next: peak memory is the result plus one element. The scanner
 * only matches brackets, separators and member names; every element's
 * content is validated by jansson.
 *
 * Checking is split so the generator gets it too: the reader checks what
 * the JSON can get wrong (syntax, fields, types, sizes, unknown regions);
 * election_link checks what any election can get wrong, reporting the JSON
 * path where election_write would put the offending item. */
#include "core/election.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/mem.h"

#define E_JSON "ELECTION_JSON"
#define E_FORMAT "ELECTION_FORMAT"
#define E_MISSING "ELECTION_FIELD_MISSING"
#define E_TYPE "ELECTION_FIELD_TYPE"
#define E_UNKNOWN "ELECTION_FIELD_UNKNOWN"
#define E_RANGE "ELECTION_FIELD_RANGE"
#define E_LIMIT "ELECTION_LIMIT"
#define E_REGION "ELECTION_REGION_UNKNOWN"
#define E_PARTY_UNKNOWN "ELECTION_PARTY_UNKNOWN"
#define E_PARTY_DUP "ELECTION_PARTY_DUPLICATE"
#define E_PARTY_ORDER "ELECTION_PARTY_ORDER"
#define E_PARTY_LOCAL "ELECTION_PARTY_LOCAL"
#define E_CAND_ORDER "ELECTION_CANDIDATE_ORDER"
#define E_LIST_LONG "ELECTION_LIST_TOO_LONG"
#define E_DIST_DUP "ELECTION_DISTRICT_DUPLICATE"
#define E_DIST_SCOPE "ELECTION_DISTRICT_SCOPE"
#define E_OVERLAP "ELECTION_DISTRICT_OVERLAP"
#define E_DIST_MISSING "ELECTION_DISTRICT_MISSING"
#define E_DPT "ELECTION_DPT_RANGE"
#define E_TREE "ELECTION_TREE"

#define FORMAT_ID "rekap-election/1"
#define WHERE_MAX sizeof(((err_info *)0)->where)

/* ------------------------------------------------------------------ kinds */

const char *const contest_kind_id[CONTEST_KINDS] = {
    "ppwp", "dpr", "dpd", "dprd_prov", "dprd_kab",
};

int contest_is_party_list(contest_kind k)
{
    return k == CONTEST_DPR || k == CONTEST_DPRD_PROV || k == CONTEST_DPRD_KAB;
}

int contest_kind_parse(const char *id)
{
    for (int k = 0; id && k < CONTEST_KINDS; k++)
        if (strcmp(id, contest_kind_id[k]) == 0)
            return k;
    return -1;
}

/* ------------------------------------------------------- the election object */

static size_t tree_tps_count(const region_tree *t)
{
    return t->level_start[REGION_TPS + 1] - t->level_start[REGION_TPS];
}

/* tps[] for every TPS of the tree: no voters, no districts yet. */
static void tps_reset(election *el)
{
    free(el->tps);
    el->ntps = tree_tps_count(el->tree);
    el->tps = mem_calloc(el->ntps, sizeof *el->tps);
    for (size_t i = 0; i < el->ntps; i++)
        for (int k = 0; k < CONTEST_KINDS; k++)
            el->tps[i].district[k] = ELECTION_NONE;
}

election *election_new(region_tree *tree)
{
    election *el = mem_calloc(1, sizeof *el);
    el->tree = tree;
    /* The law's defaults (PKPU 25/2023): 2% reserve, DPTb and DPK voters
     * get ballots from that reserve, 300 voters per TPS. */
    el->rules.reserve_permille = 20;
    el->rules.reserve_dptb = 1;
    el->rules.reserve_dpk = 1;
    el->rules.tps_max_dpt = 300;
    tps_reset(el);
    return el;
}

static void candidates_free(election_candidate *c, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(c[i].name);
    free(c);
}

static void district_free(election_district *d)
{
    free(d->id);
    free(d->name);
    free(d->region);
    candidates_free(d->cand, d->ncand);
    for (size_t l = 0; l < d->nlist; l++)
        candidates_free(d->list[l].cand, d->list[l].ncand);
    free(d->list);
}

void election_free(election *el)
{
    if (!el)
        return;
    free(el->name);
    for (size_t i = 0; i < el->nparty; i++) {
        free(el->party[i].abbrev);
        free(el->party[i].name);
        free(el->party[i].only_in);
    }
    free(el->party);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        for (size_t d = 0; d < el->ndistrict[k]; d++)
            district_free(&el->district[k][d]);
        free(el->district[k]);
    }
    region_tree_free(el->tree);
    free(el->tps);
    free(el);
}

/* ------------------------------------------------------------------ errors */

/* Machine codes map onto the return codes the header promises. */
static int code_rc(const char *code)
{
    if (strcmp(code, E_LIMIT) == 0)
        return ERR_LIMIT;
    if (strcmp(code, E_REGION) == 0 || strcmp(code, E_PARTY_UNKNOWN) == 0)
        return ERR_NOTFOUND;
    return ERR_INVALID;
}

static int fail(err_info *e, const char *code, const char *where,
                const char *fmt, ...) __attribute__((format(printf, 4, 5)));
static int fail(err_info *e, const char *code, const char *where,
                const char *fmt, ...)
{
    char msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(e, code_rc(code), code, where, "%s", msg);
}

/* JSON path of the item being read: "contests.dpr[3].lists[2].party". */
typedef struct jpath {
    char s[WHERE_MAX];
    size_t n;
} jpath;

static size_t path_push(jpath *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static size_t path_push(jpath *p, const char *fmt, ...)
{
    size_t old = p->n;
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(p->s + p->n, sizeof p->s - p->n, fmt, ap);
    va_end(ap);
    if (w > 0)
        p->n += (size_t)w < sizeof p->s - p->n ? (size_t)w : sizeof p->s - p->n - 1;
    return old;
}

static size_t path_key(jpath *p, const char *key)
{
    return path_push(p, p->n ? ".%s" : "%s", key);
}

static size_t path_index(jpath *p, size_t i)
{
    return path_push(p, "[%zu]", i);
}

static void path_pop(jpath *p, size_t old)
{
    p->n = old;
    p->s[old] = '\0';
}

/* An error at member `key` of the item at p. */
static int fail_at(err_info *e, const char *code, jpath *p, const char *key,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));
static int fail_at(err_info *e, const char *code, jpath *p, const char *key,
                   const char *fmt, ...)
{
    char msg[sizeof e->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = path_key(p, key);
    int rc = fail(e, code, p->s, "%s %s", p->s, msg);
    path_pop(p, old);
    return rc;
}

/* ------------------------------------------------------ structural scanner */

typedef struct jreader {
    const char *buf;
    size_t len;
    err_info *e;
} jreader;

/* A syntax error at byte `off`, reported as "line:column" (1-based). */
static int jr_fail(const jreader *r, size_t off, const char *what)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < off && i < r->len; i++) {
        if (r->buf[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    char where[48];
    snprintf(where, sizeof where, "%zu:%zu", line, col);
    return fail(r->e, E_JSON, where, "malformed JSON: %s", what);
}

static size_t jr_ws(const jreader *r, size_t i)
{
    while (i < r->len && (r->buf[i] == ' ' || r->buf[i] == '\n' ||
                          r->buf[i] == '\r' || r->buf[i] == '\t'))
        i++;
    return i;
}

/* End (exclusive) of the string starting at the quote at i. */
static int jr_skip_string(const jreader *r, size_t i, size_t *end)
{
    for (size_t j = i + 1; j < r->len; j++) {
        if (r->buf[j] == '\\')
            j++;
        else if (r->buf[j] == '"') {
            *end = j + 1;
            return 0;
        }
    }
    return jr_fail(r, i, "unterminated string");
}

static int jr_delimiter(char c)
{
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' ||
           c == '\r' || c == '\t' || c == ':';
}

/* End (exclusive) of the value starting at i. Brackets are only counted,
 * not matched by kind: jansson rejects a mismatch inside the span. */
static int jr_skip(const jreader *r, size_t i, size_t *end)
{
    if (i >= r->len)
        return jr_fail(r, i, "value expected");
    char c = r->buf[i];
    if (c == '"')
        return jr_skip_string(r, i, end);
    if (c != '{' && c != '[') {
        size_t j = i;
        while (j < r->len && !jr_delimiter(r->buf[j]))
            j++;
        if (j == i)
            return jr_fail(r, i, "value expected");
        *end = j;
        return 0;
    }
    size_t depth = 0;
    for (size_t j = i; j < r->len; j++) {
        c = r->buf[j];
        if (c == '"') {
            size_t se = 0;
            int rc = jr_skip_string(r, j, &se);
            if (rc)
                return rc;
            j = se - 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            *end = j + 1;
            return 0;
        }
    }
    return jr_fail(r, i, "unterminated object or array");
}

/* Parse the value [vs, ve) with jansson. */
static int jr_load(const jreader *r, size_t vs, size_t ve, json_t **out)
{
    json_error_t je;
    *out = json_loadb(r->buf + vs, ve - vs,
                      JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (*out)
        return 0;
    return jr_fail(r, vs + (je.position > 0 ? (size_t)je.position : 0), je.text);
}

typedef struct jr_iter {
    size_t pos;    /* next byte to read */
    size_t last;   /* the closing bracket */
    size_t key_at; /* where the current member's name starts */
    int first;
} jr_iter;

/* Member name of the string [ks, ke) into key (truncated to cap). Names
 * with escapes or non-ASCII bytes are decoded (and validated) by jansson. */
static int jr_key(const jreader *r, size_t ks, size_t ke, char *key, size_t cap)
{
    const unsigned char *s = (const unsigned char *)r->buf + ks + 1;
    size_t n = ke - ks - 2;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' || s[i] < 0x20 || s[i] >= 0x80) {
            json_t *j;
            int rc = jr_load(r, ks, ke, &j);
            if (rc)
                return rc;
            snprintf(key, cap, "%s", json_string_value(j));
            json_decref(j);
            return 0;
        }
    }
    snprintf(key, cap, "%.*s", (int)(n < cap ? n : cap - 1), (const char *)s);
    return 0;
}

/* The value [vs, ve) must be an object ('{') or array ('['); else it is a
 * type error at p (or a syntax error when it is not JSON at all). */
static int jr_open(const jreader *r, size_t vs, size_t ve, char open,
                   const jpath *p, jr_iter *it)
{
    if (r->buf[vs] != open) {
        json_t *j;
        int rc = jr_load(r, vs, ve, &j);
        if (rc)
            return rc;
        json_decref(j);
        return fail(r->e, E_TYPE, p->s, "%s must be %s",
                    p->n ? p->s : "the document",
                    open == '{' ? "an object" : "an array");
    }
    if (r->buf[ve - 1] != (open == '{' ? '}' : ']'))
        return jr_fail(r, ve - 1, "mismatched bracket");
    it->pos = vs + 1;
    it->last = ve - 1;
    it->first = 1;
    return 0;
}

/* Next element of the container: 1 with its value span (and for objects,
 * key != NULL, its name), 0 at the end, or an error. */
static int jr_next(const jreader *r, jr_iter *it, char *key, size_t keycap,
                   size_t *vs, size_t *ve)
{
    size_t i = jr_ws(r, it->pos);
    if (i == it->last)
        return 0;
    if (!it->first) {
        if (r->buf[i] != ',')
            return jr_fail(r, i, "',' expected");
        i = jr_ws(r, i + 1);
    }
    it->first = 0;
    if (key) {
        size_t ke = 0;
        if (i >= it->last || r->buf[i] != '"')
            return jr_fail(r, i, "member name expected");
        int rc = jr_skip_string(r, i, &ke);
        if (!rc && ke > it->last)
            rc = jr_fail(r, i, "mismatched bracket");
        if (!rc)
            rc = jr_key(r, i, ke, key, keycap);
        if (rc)
            return rc;
        it->key_at = i;
        i = jr_ws(r, ke);
        if (i >= it->last || r->buf[i] != ':')
            return jr_fail(r, i, "':' expected");
        i = jr_ws(r, i + 1);
    }
    if (i >= it->last)
        return jr_fail(r, i, "value expected");
    int rc = jr_skip(r, i, ve);
    if (rc)
        return rc;
    if (*ve > it->last)
        return jr_fail(r, it->last, "mismatched bracket");
    *vs = i;
    it->pos = *ve;
    return 1;
}

static int jr_duplicate(const jreader *r, const jr_iter *it, const char *key)
{
    char what[96];
    snprintf(what, sizeof what, "duplicate member \"%.60s\"", key);
    return jr_fail(r, it->key_at, what);
}

/* ------------------------------------------------------- jansson accessors */

/* o must be an object whose member names all appear in `allowed`. */
static int check_object(json_t *o, const char *const *allowed, jpath *p, err_info *e)
{
    if (!json_is_object(o))
        return fail(e, E_TYPE, p->s, "%s must be an object", p->s);
    const char *key;
    json_t *v;
    json_object_foreach(o, key, v) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (!allowed[i])
            return fail_at(e, E_UNKNOWN, p, key, "is not a known field");
    }
    return 0;
}

static int get_member(json_t *o, const char *key, jpath *p, err_info *e, json_t **v)
{
    *v = json_object_get(o, key);
    return *v ? 0 : fail_at(e, E_MISSING, p, key, "is missing");
}

/* An integer member in [min, max]; outside it is a `range_code` error. */
static int get_int(json_t *o, const char *key, json_int_t min, json_int_t max,
                   const char *range_code, jpath *p, err_info *e, json_int_t *out)
{
    json_t *v;
    int rc = get_member(o, key, p, e, &v);
    if (rc)
        return rc;
    if (!json_is_integer(v))
        return fail_at(e, E_TYPE, p, key, "must be an integer");
    *out = json_integer_value(v);
    if (*out < min || *out > max)
        return fail_at(e, range_code, p, key, "is %lld, outside %lld..%lld",
                       (long long)*out, (long long)min, (long long)max);
    return 0;
}

static int get_bool(json_t *o, const char *key, jpath *p, err_info *e, uint8_t *out)
{
    json_t *v;
    int rc = get_member(o, key, p, e, &v);
    if (rc)
        return rc;
    if (!json_is_boolean(v))
        return fail_at(e, E_TYPE, p, key, "must be true or false");
    *out = json_is_true(v);
    return 0;
}

/* A text of 1..ELECTION_TEXT_MAX bytes, copied. */
static int text_value(json_t *v, const char *key, jpath *p, err_info *e, char **out)
{
    if (!json_is_string(v))
        return fail_at(e, E_TYPE, p, key, "must be a string");
    size_t n = json_string_length(v);
    if (n == 0)
        return fail_at(e, E_RANGE, p, key, "must not be empty");
    if (n > ELECTION_TEXT_MAX)
        return fail_at(e, E_LIMIT, p, key, "is %zu bytes, more than %d", n,
                       ELECTION_TEXT_MAX);
    *out = mem_strndup(json_string_value(v), n);
    return 0;
}

static int get_text(json_t *o, const char *key, jpath *p, err_info *e, char **out)
{
    json_t *v;
    int rc = get_member(o, key, p, e, &v);
    return rc ? rc : text_value(v, key, p, e, out);
}

/* An array member of at most `max` elements. */
static int get_array(json_t *o, const char *key, size_t max, jpath *p,
                     err_info *e, json_t **arr)
{
    int rc = get_member(o, key, p, e, arr);
    if (rc)
        return rc;
    if (!json_is_array(*arr))
        return fail_at(e, E_TYPE, p, key, "must be an array");
    if (json_array_size(*arr) > max)
        return fail_at(e, E_LIMIT, p, key, "has %zu elements, more than %zu",
                       json_array_size(*arr), max);
    return 0;
}

/* ------------------------------------------------------------------ reader */

static int parse_rules(election *el, json_t *o, jpath *p, err_info *e)
{
    static const char *const keys[] = {"ballot_reserve_permille", "reserve_dptb",
                                       "reserve_dpk", "tps_max_dpt", NULL};
    json_int_t permille, maxdpt;
    int rc = check_object(o, keys, p, e);
    if (!rc)
        rc = get_int(o, "ballot_reserve_permille", 0, UINT32_MAX, E_RANGE, p, e, &permille);
    if (!rc)
        rc = get_bool(o, "reserve_dptb", p, e, &el->rules.reserve_dptb);
    if (!rc)
        rc = get_bool(o, "reserve_dpk", p, e, &el->rules.reserve_dpk);
    if (!rc)
        rc = get_int(o, "tps_max_dpt", 0, UINT16_MAX, E_RANGE, p, e, &maxdpt);
    if (rc)
        return rc;
    el->rules.reserve_permille = (uint32_t)permille;
    el->rules.tps_max_dpt = (uint16_t)maxdpt;
    return 0;
}

static int parse_party(election_party *party, json_t *o, jpath *p, err_info *e)
{
    static const char *const keys[] = {"no", "abbrev", "name", "only_in", NULL};
    json_int_t no;
    int rc = check_object(o, keys, p, e);
    if (!rc)
        rc = get_int(o, "no", 0, UINT16_MAX, E_RANGE, p, e, &no);
    if (rc)
        return rc;
    party->no = (uint16_t)no;
    rc = get_text(o, "abbrev", p, e, &party->abbrev);
    if (!rc)
        rc = get_text(o, "name", p, e, &party->name);
    json_t *only = json_object_get(o, "only_in");
    if (!rc && only)
        rc = text_value(only, "only_in", p, e, &party->only_in);
    return rc;
}

static int parse_parties(election *el, json_t *arr, jpath *p, err_info *e)
{
    if (!json_is_array(arr))
        return fail(e, E_TYPE, p->s, "%s must be an array", p->s);
    if (json_array_size(arr) > ELECTION_PARTY_MAX)
        return fail(e, E_LIMIT, p->s, "more than %d parties", ELECTION_PARTY_MAX);
    el->nparty = (uint16_t)json_array_size(arr);
    el->party = mem_calloc(el->nparty, sizeof *el->party);
    for (size_t i = 0; i < el->nparty; i++) {
        size_t old = path_index(p, i);
        int rc = parse_party(&el->party[i], json_array_get(arr, i), p, e);
        if (rc)
            return rc;
        path_pop(p, old);
    }
    return 0;
}

static int parse_candidate(election_candidate *c, contest_kind k, json_t *o,
                           jpath *p, err_info *e)
{
    static const char *const pair_keys[] = {"no", "name", NULL};
    static const char *const person_keys[] = {"no", "name", "sex", NULL};
    json_int_t no;
    int rc = check_object(o, k == CONTEST_PPWP ? pair_keys : person_keys, p, e);
    if (!rc)
        rc = get_int(o, "no", 0, UINT16_MAX, E_CAND_ORDER, p, e, &no);
    if (rc)
        return rc;
    c->no = (uint16_t)no;
    rc = get_text(o, "name", p, e, &c->name);
    if (rc || k == CONTEST_PPWP)
        return rc;
    json_t *sex;
    rc = get_member(o, "sex", p, e, &sex);
    if (rc)
        return rc;
    if (!json_is_string(sex))
        return fail_at(e, E_TYPE, p, "sex", "must be a string");
    if (json_string_length(sex) != 1)
        return fail_at(e, E_RANGE, p, "sex", "must be \"L\" or \"P\"");
    c->sex = json_string_value(sex)[0];
    return 0;
}

static int parse_candidates(json_t *o, contest_kind k, uint16_t *ncand,
                            election_candidate **cand, jpath *p, err_info *e)
{
    json_t *arr;
    int rc = get_array(o, "candidates", ELECTION_CANDIDATES_MAX, p, e, &arr);
    if (rc)
        return rc;
    *ncand = (uint16_t)json_array_size(arr);
    *cand = mem_calloc(*ncand, sizeof **cand);
    size_t old = path_key(p, "candidates");
    for (size_t i = 0; i < *ncand; i++) {
        size_t at = path_index(p, i);
        rc = parse_candidate(&(*cand)[i], k, json_array_get(arr, i), p, e);
        if (rc)
            return rc;
        path_pop(p, at);
    }
    path_pop(p, old);
    return 0;
}

static int parse_lists(election_district *d, json_t *o, jpath *p, err_info *e)
{
    static const char *const keys[] = {"party", "candidates", NULL};
    json_t *arr;
    int rc = get_array(o, "lists", ELECTION_PARTY_MAX, p, e, &arr);
    if (rc)
        return rc;
    d->nlist = (uint16_t)json_array_size(arr);
    d->list = mem_calloc(d->nlist, sizeof *d->list);
    size_t old = path_key(p, "lists");
    for (size_t i = 0; i < d->nlist; i++) {
        json_t *lo = json_array_get(arr, i);
        json_int_t party;
        size_t at = path_index(p, i);
        rc = check_object(lo, keys, p, e);
        if (!rc)
            rc = get_int(lo, "party", 0, UINT16_MAX, E_PARTY_UNKNOWN, p, e, &party);
        if (rc)
            return rc;
        d->list[i].party = (uint16_t)party;
        rc = parse_candidates(lo, d->kind, &d->list[i].ncand, &d->list[i].cand, p, e);
        if (rc)
            return rc;
        path_pop(p, at);
    }
    path_pop(p, old);
    return 0;
}

static int parse_regions(const election *el, election_district *d, json_t *o,
                         jpath *p, err_info *e)
{
    json_t *arr;
    int rc = get_array(o, "regions", el->tree->n, p, e, &arr);
    if (rc)
        return rc;
    d->nregion = (uint32_t)json_array_size(arr);
    d->region = mem_calloc(d->nregion, sizeof *d->region);
    size_t old = path_key(p, "regions");
    for (size_t i = 0; i < d->nregion; i++) {
        json_t *v = json_array_get(arr, i);
        size_t at = path_index(p, i);
        if (!json_is_string(v))
            return fail(e, E_TYPE, p->s, "%s must be a region code", p->s);
        d->region[i] = region_find(el->tree, json_string_value(v));
        if (d->region[i] == REGION_NONE)
            return fail(e, E_REGION, p->s, "region \"%.40s\" is not in the region tree",
                        json_string_value(v));
        path_pop(p, at);
    }
    path_pop(p, old);
    return 0;
}

static int parse_district(election *el, contest_kind k, size_t *cap, json_t *o,
                          jpath *p, err_info *e)
{
    static const char *const person_keys[] = {"id", "name", "seats", "regions",
                                              "candidates", NULL};
    static const char *const list_keys[] = {"id", "name", "seats", "regions",
                                            "lists", NULL};
    if (el->ndistrict[k] >= ELECTION_DISTRICTS_MAX)
        return fail(e, E_LIMIT, p->s, "more than %d %s districts",
                    ELECTION_DISTRICTS_MAX, contest_kind_id[k]);
    mem_grow((void **)&el->district[k], cap, el->ndistrict[k] + 1,
             sizeof *el->district[k]);
    election_district *d = &el->district[k][el->ndistrict[k]++];
    memset(d, 0, sizeof *d);
    d->kind = k;
    json_int_t seats;
    int rc = check_object(o, contest_is_party_list(k) ? list_keys : person_keys, p, e);
    if (!rc)
        rc = get_text(o, "id", p, e, &d->id);
    if (!rc)
        rc = get_text(o, "name", p, e, &d->name);
    if (!rc)
        rc = get_int(o, "seats", 0, UINT16_MAX, E_LIMIT, p, e, &seats);
    if (rc)
        return rc;
    d->seats = (uint16_t)seats;
    rc = parse_regions(el, d, o, p, e);
    if (!rc && contest_is_party_list(k))
        rc = parse_lists(d, o, p, e);
    else if (!rc)
        rc = parse_candidates(o, k, &d->ncand, &d->cand, p, e);
    return rc;
}

/* One kind's array of districts, one jansson parse per district. */
static int parse_kind(const jreader *r, election *el, contest_kind k, size_t vs,
                      size_t ve, jpath *p)
{
    jr_iter it;
    size_t cap = 0;
    int rc = jr_open(r, vs, ve, '[', p, &it);
    for (size_t i = 0; !rc && (rc = jr_next(r, &it, NULL, 0, &vs, &ve)) > 0; i++) {
        json_t *o;
        size_t at = path_index(p, i);
        rc = jr_load(r, vs, ve, &o);
        if (rc)
            return rc;
        rc = parse_district(el, k, &cap, o, p, r->e);
        json_decref(o);
        path_pop(p, at);
    }
    return rc;
}

/* "contests": an object holding every kind's array exactly once. */
static int parse_contests(const jreader *r, election *el, size_t vs, size_t ve,
                          jpath *p)
{
    jr_iter it;
    char key[64];
    int seen[CONTEST_KINDS] = {0};
    int rc = jr_open(r, vs, ve, '{', p, &it);
    if (rc)
        return rc;
    while ((rc = jr_next(r, &it, key, sizeof key, &vs, &ve)) > 0) {
        int k = contest_kind_parse(key);
        if (k < 0)
            return fail_at(r->e, E_UNKNOWN, p, key, "is not a contest kind");
        if (seen[k])
            return jr_duplicate(r, &it, key);
        seen[k] = 1;
        size_t old = path_key(p, key);
        rc = parse_kind(r, el, (contest_kind)k, vs, ve, p);
        if (rc)
            return rc;
        path_pop(p, old);
    }
    for (int k = 0; k < CONTEST_KINDS && !rc; k++)
        if (!seen[k])
            rc = fail_at(r->e, E_MISSING, p, contest_kind_id[k], "is missing");
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

static int parse_tps_list(tps_stage *st, json_t *arr, jpath *p, err_info *e)
{
    if (!json_is_array(arr))
        return fail(e, E_TYPE, p->s, "%s must be an array of [male, female]", p->s);
    size_t n = json_array_size(arr);
    if (n > ELECTION_TPS_PER_DESA_MAX)
        return fail(e, E_LIMIT, p->s, "%s has %zu TPS, more than %d", p->s, n,
                    ELECTION_TPS_PER_DESA_MAX);
    mem_grow((void **)&st->dpt, &st->cap, st->n + n, sizeof *st->dpt);
    for (size_t i = 0; i < n; i++) {
        json_t *pair = json_array_get(arr, i);
        size_t at = path_index(p, i);
        if (!json_is_array(pair) || json_array_size(pair) != 2 ||
            !json_is_integer(json_array_get(pair, 0)) ||
            !json_is_integer(json_array_get(pair, 1)))
            return fail(e, E_TYPE, p->s, "%s must be [male, female]", p->s);
        for (size_t s = 0; s < 2; s++) {
            json_int_t v = json_integer_value(json_array_get(pair, s));
            if (v < 0 || v > UINT16_MAX)
                return fail(e, E_DPT, p->s, "%s: %lld voters", p->s, (long long)v);
            st->dpt[st->n + i][s] = (uint16_t)v;
        }
        path_pop(p, at);
    }
    st->n += n;
    return 0;
}

static int read_tps(const jreader *r, election *el, tps_stage *st, size_t vs,
                    size_t ve, jpath *p)
{
    region_tree *t = el->tree;
    size_t d0 = t->level_start[REGION_DESA];
    jr_iter it;
    char key[64];
    int rc = jr_open(r, vs, ve, '{', p, &it);
    if (rc)
        return rc;
    while ((rc = jr_next(r, &it, key, sizeof key, &vs, &ve)) > 0) {
        uint32_t desa = region_find(t, key);
        if (desa == REGION_NONE || t->node[desa].level != REGION_DESA)
            return fail_at(r->e, E_REGION, p, key, "is not a desa of the region tree");
        if (st->first[desa - d0] != UINT32_MAX)
            return jr_duplicate(r, &it, key);
        st->first[desa - d0] = (uint32_t)st->n;
        json_t *arr;
        rc = jr_load(r, vs, ve, &arr);
        if (rc)
            return rc;
        size_t old = path_key(p, t->node[desa].code);
        rc = parse_tps_list(st, arr, p, r->e);
        st->count[desa - d0] = (uint16_t)json_array_size(arr);
        json_decref(arr);
        if (rc)
            return rc;
        path_pop(p, old);
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
    tps_reset(el);
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

static int parse_tps(const jreader *r, election *el, size_t vs, size_t ve, jpath *p)
{
    const region_tree *t = el->tree;
    size_t nd = t->level_start[REGION_DESA + 1] - t->level_start[REGION_DESA];
    tps_stage st = {0};
    st.first = mem_alloc((nd ? nd : 1) * sizeof *st.first);
    memset(st.first, 0xff, (nd ? nd : 1) * sizeof *st.first);
    st.count = mem_calloc(nd, sizeof *st.count);
    int rc = read_tps(r, el, &st, vs, ve, p);
    if (!rc)
        rc = add_tps(el, &st, r->e);
    free(st.first);
    free(st.count);
    free(st.dpt);
    return rc;
}

/* The seed is read from the text itself: jansson's integers stop at
 * 2^63-1 and generator seeds are any 64-bit value. */
static int parse_seed(const jreader *r, size_t vs, size_t ve, uint64_t *out)
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
                return fail(r->e, E_RANGE, "seed", "seed is larger than 2^64-1");
            v = v * 10 + dgt;
        }
        *out = v;
        return 0;
    }
    json_t *j;
    int rc = jr_load(r, vs, ve, &j);
    if (rc)
        return rc;
    int number = json_is_number(j);
    json_decref(j);
    return number ? fail(r->e, E_RANGE, "seed", "seed must be an integer in 0..2^64-1")
                  : fail(r->e, E_TYPE, "seed", "seed must be an integer");
}

enum { TOP_FORMAT, TOP_NAME, TOP_SEED, TOP_RULES, TOP_PARTIES, TOP_CONTESTS,
       TOP_TPS, TOP_N };
static const char *const top_key[TOP_N] = {
    "format", "name", "seed", "rules", "parties", "contests", "tps",
};

/* A small top-level member through jansson. */
static int parse_small(const jreader *r, election *el, int which, size_t vs,
                       size_t ve, jpath *p)
{
    json_t *v;
    int rc = jr_load(r, vs, ve, &v);
    if (rc)
        return rc;
    if (which == TOP_NAME) {
        rc = text_value(v, "name", p, r->e, &el->name);
        json_decref(v);
        return rc;
    }
    size_t old = path_key(p, top_key[which]);
    if (which == TOP_FORMAT) {
        if (!json_is_string(v) || strcmp(json_string_value(v), FORMAT_ID) != 0)
            rc = fail(r->e, E_FORMAT, p->s, "not a " FORMAT_ID " document");
    } else if (which == TOP_RULES) {
        rc = parse_rules(el, v, p, r->e);
    } else {
        rc = parse_parties(el, v, p, r->e);
    }
    path_pop(p, old);
    json_decref(v);
    return rc;
}

/* Find the top-level members, then read them in dependency order: the
 * format first (a wrong document fails as such, not on its fields), rules
 * before the TPS they bound, TPS before the contests (region lookups want
 * the finished tree). */
static int parse_document(const jreader *r, election *el)
{
    size_t span[TOP_N][2], vs, ve;
    char key[64], unknown[64] = "";
    jpath p = {.n = 0};
    jr_iter it;
    for (int t = 0; t < TOP_N; t++)
        span[t][0] = SIZE_MAX;
    size_t start = jr_ws(r, 0), end;
    int rc = jr_skip(r, start, &end);
    if (!rc && jr_ws(r, end) != r->len)
        rc = jr_fail(r, jr_ws(r, end), "trailing characters after the document");
    if (!rc)
        rc = jr_open(r, start, end, '{', &p, &it);
    if (rc)
        return rc;
    while ((rc = jr_next(r, &it, key, sizeof key, &vs, &ve)) > 0) {
        int t = 0;
        while (t < TOP_N && strcmp(key, top_key[t]) != 0)
            t++;
        if (t == TOP_N && !unknown[0])
            snprintf(unknown, sizeof unknown, "%s", key[0] ? key : "\"\"");
        if (t < TOP_N && span[t][0] != SIZE_MAX)
            return jr_duplicate(r, &it, key);
        if (t < TOP_N) {
            span[t][0] = vs;
            span[t][1] = ve;
        }
    }
    if (rc < 0)
        return rc;
    if (span[TOP_FORMAT][0] != SIZE_MAX &&
        (rc = parse_small(r, el, TOP_FORMAT, span[TOP_FORMAT][0], span[TOP_FORMAT][1], &p)))
        return rc;
    if (unknown[0])
        return fail_at(r->e, E_UNKNOWN, &p, unknown, "is not a known field");
    for (int t = 0; t < TOP_N; t++)
        if (span[t][0] == SIZE_MAX)
            return fail_at(r->e, E_MISSING, &p, top_key[t], "is missing");
    static const int order[] = {TOP_NAME, TOP_SEED, TOP_RULES, TOP_PARTIES,
                                TOP_TPS, TOP_CONTESTS};
    for (size_t i = 0; i < sizeof order / sizeof order[0] && !rc; i++) {
        int t = order[i];
        vs = span[t][0];
        ve = span[t][1];
        if (t == TOP_SEED) {
            rc = parse_seed(r, vs, ve, &el->seed);
        } else if (t == TOP_TPS || t == TOP_CONTESTS) {
            size_t old = path_key(&p, top_key[t]);
            rc = t == TOP_TPS ? parse_tps(r, el, vs, ve, &p)
                              : parse_contests(r, el, vs, ve, &p);
            path_pop(&p, old);
        } else {
            rc = parse_small(r, el, t, vs, ve, &p);
        }
    }
    return rc;
}

int election_parse(const char *json, size_t len, region_tree *tree,
                   election **out, err_info *e)
{
    *out = NULL;
    if (tree_tps_count(tree) != 0) {
        region_tree_free(tree);
        return fail(e, E_TREE, "", "the region tree already holds TPS");
    }
    election *el = election_new(tree);
    jreader r = {.buf = json, .len = len, .e = e};
    int rc = len > ELECTION_DOC_MAX
                 ? fail(e, E_LIMIT, "", "document is %zu bytes, more than %zu", len,
                        ELECTION_DOC_MAX)
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

/* ------------------------------------------------------------------- link */

static int region_overseas(const region *r)
{
    return r->level >= REGION_PROVINCE &&
           strncmp(r->code, REGION_OVERSEAS, 2) == 0;
}

/* JSON path of TPS i: "tps.<desa code>[<number - 1>]". */
static void tps_where(const election *el, size_t i, char *where, size_t cap)
{
    const region *r = election_tps_region(el, (uint32_t)i);
    snprintf(where, cap, "tps.%.10s[%d]", r->code, atoi(r->code + 10) - 1);
}

static int check_rules(const election *el, err_info *e)
{
    if (el->rules.reserve_permille > 1000)
        return fail(e, E_RANGE, "rules.ballot_reserve_permille",
                    "the ballot reserve is %u permille, more than 1000",
                    el->rules.reserve_permille);
    if (el->rules.tps_max_dpt < 1 || el->rules.tps_max_dpt > ELECTION_DPT_MAX)
        return fail(e, E_RANGE, "rules.tps_max_dpt",
                    "at most %u voters per TPS is outside 1..%d",
                    el->rules.tps_max_dpt, ELECTION_DPT_MAX);
    return 0;
}

/* Parties: numbers 1..99 in strictly ascending order (party_find relies on
 * it), local parties tied to a province code. */
static int check_parties(const election *el, err_info *e)
{
    char where[WHERE_MAX];
    if (el->nparty > ELECTION_PARTY_MAX)
        return fail(e, E_LIMIT, "parties", "more than %d parties", ELECTION_PARTY_MAX);
    for (size_t i = 0; i < el->nparty; i++) {
        const election_party *pa = &el->party[i];
        snprintf(where, sizeof where, "parties[%zu].no", i);
        if (pa->no < 1 || pa->no > ELECTION_PARTY_MAX)
            return fail(e, E_RANGE, where, "party number %u is outside 1..%d",
                        pa->no, ELECTION_PARTY_MAX);
        if (i > 0 && pa->no == el->party[i - 1].no)
            return fail(e, E_PARTY_DUP, where, "party number %u is defined twice", pa->no);
        if (i > 0 && pa->no < el->party[i - 1].no)
            return fail(e, E_PARTY_ORDER, where,
                        "party %u follows party %u: parties go in ballot order",
                        pa->no, el->party[i - 1].no);
        snprintf(where, sizeof where, "parties[%zu].only_in", i);
        if (pa->only_in && region_code_level(pa->only_in) != REGION_PROVINCE)
            return fail(e, E_RANGE, where, "\"%.20s\" is not a province code", pa->only_in);
    }
    return 0;
}

/* Candidates numbered 1..n in order; sex L/P except presidential pairs. */
static int check_candidates(const election_candidate *c, size_t n, contest_kind k,
                            const char *at, err_info *e)
{
    char where[WHERE_MAX];
    snprintf(where, sizeof where, "%s.candidates", at);
    if (n == 0)
        return fail(e, E_RANGE, where, "%s is empty", where);
    if (n > ELECTION_CANDIDATES_MAX)
        return fail(e, E_LIMIT, where, "more than %d candidates", ELECTION_CANDIDATES_MAX);
    for (size_t j = 0; j < n; j++) {
        snprintf(where, sizeof where, "%s.candidates[%zu].no", at, j);
        if (c[j].no != j + 1)
            return fail(e, E_CAND_ORDER, where,
                        "candidate number %u at position %zu: numbers run 1..n in order",
                        c[j].no, j + 1);
        snprintf(where, sizeof where, "%s.candidates[%zu].sex", at, j);
        if (k == CONTEST_PPWP ? c[j].sex != '\0' : c[j].sex != 'L' && c[j].sex != 'P')
            return fail(e, E_RANGE, where, k == CONTEST_PPWP
                                                ? "presidential pairs carry no sex"
                                                : "sex must be \"L\" or \"P\"");
    }
    return 0;
}

/* Which regions a district of each kind may hold: its shallowest level,
 * how many leading code digits its domestic regions share (2: one
 * province, 4: one kab/kota), and whether overseas regions may join. */
static const struct {
    uint8_t min_level, same_prefix, overseas;
} district_scope[CONTEST_KINDS] = {
    [CONTEST_PPWP] = {REGION_NATIONAL, 0, 1},
    [CONTEST_DPR] = {REGION_PROVINCE, 2, 1},
    [CONTEST_DPD] = {REGION_PROVINCE, 2, 0},
    [CONTEST_DPRD_PROV] = {REGION_PROVINCE, 2, 0},
    [CONTEST_DPRD_KAB] = {REGION_KABKOTA, 4, 0},
};

/* Check the district's regions against its kind's scope; *home is its first
 * domestic region (NULL when it has none), whose province local parties
 * must match. */
static int check_scope(const election *el, const election_district *d,
                       const char *at, const region **home, err_info *e)
{
    char where[WHERE_MAX];
    const region_tree *t = el->tree;
    *home = NULL;
    snprintf(where, sizeof where, "%s.regions", at);
    if (d->nregion == 0)
        return fail(e, E_RANGE, where, "%s is empty", where);
    for (size_t j = 0; j < d->nregion; j++) {
        snprintf(where, sizeof where, "%s.regions[%zu]", at, j);
        if (d->region[j] >= t->n)
            return fail(e, E_REGION, where, "region index %u is not in the tree",
                        d->region[j]);
        const region *r = &t->node[d->region[j]];
        if (r->level < district_scope[d->kind].min_level)
            return fail(e, E_DIST_SCOPE, where, "a %s district cannot hold region %s (%s)",
                        contest_kind_id[d->kind], r->code, region_level_name[r->level]);
        if (region_overseas(r)) {
            if (!district_scope[d->kind].overseas)
                return fail(e, E_DIST_SCOPE, where,
                            "%s is overseas, where no %s ballot is cast", r->code,
                            contest_kind_id[d->kind]);
            continue;
        }
        if (!*home)
            *home = r;
        else if (strncmp(r->code, (*home)->code, district_scope[d->kind].same_prefix))
            return fail(e, E_DIST_SCOPE, where, "%s and %s lie in different %s",
                        (*home)->code, r->code,
                        district_scope[d->kind].same_prefix == 2 ? "provinces"
                                                                 : "kabupaten/kota");
    }
    return 0;
}

/* Party lists: ballot order, defined parties, local parties at home, no
 * more candidates than seats. */
static int check_lists(const election *el, const election_district *d,
                       const region *home, const char *at, err_info *e)
{
    char where[WHERE_MAX];
    snprintf(where, sizeof where, "%s.lists", at);
    if (d->nlist == 0)
        return fail(e, E_RANGE, where, "%s is empty", where);
    if (d->nlist > ELECTION_PARTY_MAX)
        return fail(e, E_LIMIT, where, "more than %d lists", ELECTION_PARTY_MAX);
    for (size_t l = 0; l < d->nlist; l++) {
        const election_list *li = &d->list[l];
        snprintf(where, sizeof where, "%s.lists[%zu].party", at, l);
        const election_party *pa = election_party_find(el, li->party);
        if (!pa)
            return fail(e, E_PARTY_UNKNOWN, where, "party %u is not defined", li->party);
        if (l > 0 && li->party == d->list[l - 1].party)
            return fail(e, E_PARTY_DUP, where, "party %u has two lists", li->party);
        if (l > 0 && li->party < d->list[l - 1].party)
            return fail(e, E_PARTY_ORDER, where,
                        "party %u follows party %u: lists go in ballot order",
                        li->party, d->list[l - 1].party);
        if (pa->only_in && (!home || strncmp(home->code, pa->only_in, 2) != 0))
            return fail(e, E_PARTY_LOCAL, where,
                        "local party %u stands only in province %s", li->party,
                        pa->only_in);
        snprintf(where, sizeof where, "%s.lists[%zu].candidates", at, l);
        if (li->ncand > d->seats)
            return fail(e, E_LIST_LONG, where,
                        "party %u lists %u candidates for %u seats", li->party,
                        li->ncand, d->seats);
        snprintf(where, sizeof where, "%s.lists[%zu]", at, l);
        int rc = check_candidates(li->cand, li->ncand, d->kind, where, e);
        if (rc)
            return rc;
    }
    return 0;
}

static int check_district(const election *el, contest_kind k, size_t i, err_info *e)
{
    const election_district *d = &el->district[k][i];
    char at[64], where[WHERE_MAX]; /* "contests.dprd_kab[9999]" fits */
    snprintf(at, sizeof at, "contests.%s[%zu]", contest_kind_id[k], i);
    unsigned max = k == CONTEST_PPWP ? 1 : ELECTION_SEATS_MAX;
    snprintf(where, sizeof where, "%s.seats", at);
    if (d->seats < 1 || d->seats > max)
        return fail(e, E_LIMIT, where, "%u seats is outside 1..%u", d->seats, max);
    if (k == CONTEST_PPWP && i > 0)
        return fail(e, E_DIST_SCOPE, at, "there is one presidential contest");
    const region *home;
    int rc = check_scope(el, d, at, &home, e);
    if (rc)
        return rc;
    return contest_is_party_list(k) ? check_lists(el, d, home, at, e)
                                    : check_candidates(d->cand, d->ncand, k, at, e);
}

typedef struct id_ref {
    const char *id;
    size_t i;
} id_ref;

static int id_ref_cmp(const void *a, const void *b)
{
    const id_ref *x = a, *y = b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->i > y->i) - (x->i < y->i);
}

/* District ids are unique within their kind: sort, compare neighbours. */
static int check_ids(const election *el, contest_kind k, err_info *e)
{
    size_t n = el->ndistrict[k];
    id_ref *ref = mem_calloc(n, sizeof *ref);
    for (size_t i = 0; i < n; i++)
        ref[i] = (id_ref){el->district[k][i].id, i};
    qsort(ref, n, sizeof *ref, id_ref_cmp);
    int rc = 0;
    for (size_t i = 1; i < n && !rc; i++) {
        if (strcmp(ref[i].id, ref[i - 1].id) == 0) {
            char where[WHERE_MAX];
            snprintf(where, sizeof where, "contests.%s[%zu].id", contest_kind_id[k],
                     ref[i].i);
            rc = fail(e, E_DIST_DUP, where, "district id \"%s\" is used twice", ref[i].id);
        }
    }
    free(ref);
    return rc;
}

static int check_dpt(const election *el, err_info *e)
{
    for (size_t i = 0; i < el->ntps; i++) {
        unsigned dpt = (unsigned)el->tps[i].dpt_male + el->tps[i].dpt_female;
        if (dpt == 0 || dpt > el->rules.tps_max_dpt) {
            char where[WHERE_MAX];
            tps_where(el, i, where, sizeof where);
            return fail(e, E_DPT, where, "TPS %s has %u registered voters, outside 1..%u",
                        election_tps_region(el, (uint32_t)i)->code, dpt,
                        el->rules.tps_max_dpt);
        }
    }
    return 0;
}

/* Overlap error for listing j of district d, which district `other`
 * already covers. */
static int overlap(const election *el, contest_kind k, uint32_t d, size_t j,
                   uint32_t other, err_info *e)
{
    const election_district *dd = &el->district[k][d];
    char where[WHERE_MAX];
    snprintf(where, sizeof where, "contests.%s[%u].regions[%zu]", contest_kind_id[k], d, j);
    return fail(e, E_OVERLAP, where, "region %s of %s district %s also lies in district %s",
                el->tree->node[dd->region[j]].code, contest_kind_id[k], dd->id,
                el->district[k][other].id);
}

/* Position of node x in district d's region list. */
static size_t listing_of(const election_district *d, uint32_t x)
{
    size_t j = 0;
    while (j + 1 < d->nregion && d->region[j] != x)
        j++;
    return j;
}

/* Mark every listed region with its district, then hand each node its
 * parent's district in tree order (parents precede children: nodes are
 * sorted by level). A node listed while an ancestor is listed, or listed
 * twice, is an overlap. O(nodes + listings). */
static int assign_kind(election *el, contest_kind k, uint32_t *mark, err_info *e)
{
    const region_tree *t = el->tree;
    for (size_t i = 0; i < t->n; i++)
        mark[i] = ELECTION_NONE;
    for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
        const election_district *dd = &el->district[k][d];
        for (size_t j = 0; j < dd->nregion; j++) {
            uint32_t x = dd->region[j];
            if (mark[x] != ELECTION_NONE)
                return overlap(el, k, d, j, mark[x], e);
            mark[x] = d;
        }
    }
    for (size_t i = 0; i < t->n; i++) {
        uint32_t par = t->node[i].parent;
        if (par == REGION_NONE || mark[par] == ELECTION_NONE)
            continue;
        assert(par < i);
        if (mark[i] != ELECTION_NONE)
            return overlap(el, k, mark[i],
                           listing_of(&el->district[k][mark[i]], (uint32_t)i),
                           mark[par], e);
        mark[i] = mark[par];
    }
    const uint32_t *tps = mark + t->level_start[REGION_TPS];
    for (size_t i = 0; i < el->ntps; i++)
        el->tps[i].district[k] = tps[i];
    return 0;
}

/* Every TPS casts all five ballots at home, PPWP and DPR overseas. */
/* PPWP and DPR are cast at every TPS, overseas included. The other
 * ballots are cast at every TPS of a province or at none: overseas votes
 * neither DPD nor DPRD, and DKI Jakarta has no DPRD kabupaten/kota. A TPS
 * left out where its neighbours in the province vote is an error. */
static int check_missing_run(const election *el, size_t from, size_t to, err_info *e)
{
    for (int k = 0; k < CONTEST_KINDS; k++) {
        int everywhere = k == CONTEST_PPWP || k == CONTEST_DPR, cast = everywhere;
        size_t missing = to;
        for (size_t i = from; i < to; i++) {
            if (el->tps[i].district[k] != ELECTION_NONE)
                cast = 1;
            else if (missing == to)
                missing = i;
        }
        if (!cast || missing == to)
            continue;
        char where[WHERE_MAX];
        tps_where(el, missing, where, sizeof where);
        return fail(e, E_DIST_MISSING, where, "TPS %s lies in no %s district",
                    election_tps_region(el, (uint32_t)missing)->code, contest_kind_id[k]);
    }
    return 0;
}

static int check_missing(const election *el, err_info *e)
{
    size_t from = 0;
    while (from < el->ntps) { /* TPS are in code order: each province is one run */
        const char *code = election_tps_region(el, (uint32_t)from)->code;
        size_t to = from + 1;
        while (to < el->ntps && !strncmp(election_tps_region(el, (uint32_t)to)->code, code, 2))
            to++;
        int rc = check_missing_run(el, from, to, e);
        if (rc)
            return rc;
        from = to;
    }
    return 0;
}

int election_link(election *el, err_info *e)
{
    if (!el->name)
        return fail(e, E_MISSING, "name", "the election has no name");
    if (el->ntps != tree_tps_count(el->tree))
        return fail(e, E_TREE, "tps", "%zu TPS in the election, %zu in the region tree",
                    el->ntps, tree_tps_count(el->tree));
    int rc = check_rules(el, e);
    if (!rc)
        rc = check_parties(el, e);
    for (int k = 0; k < CONTEST_KINDS && !rc; k++) {
        if (el->ndistrict[k] > ELECTION_DISTRICTS_MAX)
            return fail(e, E_LIMIT, contest_kind_id[k], "more than %d %s districts",
                        ELECTION_DISTRICTS_MAX, contest_kind_id[k]);
        for (size_t i = 0; i < el->ndistrict[k] && !rc; i++)
            rc = check_district(el, (contest_kind)k, i, e);
        if (!rc)
            rc = check_ids(el, (contest_kind)k, e);
    }
    if (!rc)
        rc = check_dpt(el, e);
    if (rc)
        return rc;
    uint32_t *mark = mem_alloc(el->tree->n * sizeof *mark);
    for (int k = 0; k < CONTEST_KINDS && !rc; k++)
        rc = assign_kind(el, (contest_kind)k, mark, e);
    free(mark);
    return rc ? rc : check_missing(el, e);
}

/* ----------------------------------------------------------------- lookups */

uint32_t election_tps_find(const election *el, const char *code)
{
    uint32_t idx = region_find(el->tree, code);
    if (idx == REGION_NONE || el->tree->node[idx].level != REGION_TPS)
        return ELECTION_NONE;
    size_t i = idx - el->tree->level_start[REGION_TPS];
    return i < el->ntps ? (uint32_t)i : ELECTION_NONE;
}

const region *election_tps_region(const election *el, uint32_t i)
{
    if (i >= el->ntps)
        return NULL;
    return &el->tree->node[el->tree->level_start[REGION_TPS] + i];
}

const election_district *election_tps_district(const election *el, uint32_t i,
                                               contest_kind k)
{
    if (i >= el->ntps || (unsigned)k >= CONTEST_KINDS)
        return NULL;
    uint32_t d = el->tps[i].district[k];
    return d == ELECTION_NONE ? NULL : &el->district[k][d];
}

const election_district *election_region_district(const election *el, contest_kind k,
                                                   uint32_t reg)
{
    for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
        const election_district *ds = &el->district[k][d];
        for (uint32_t i = 0; i < ds->nregion; i++)
            if (region_is_within(el->tree, reg, ds->region[i]))
                return ds;
    }
    return NULL;
}

const election_party *election_party_find(const election *el, unsigned no)
{
    size_t lo = 0, hi = el->nparty;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (el->party[mid].no == no)
            return &el->party[mid];
        if (el->party[mid].no < no)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

/* ------------------------------------------------------------------ writer */

static void write_text(FILE *f, const char *s)
{
    putc('"', f);
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            putc('\\', f);
            putc(*c, f);
        } else if (*c < 0x20) {
            fprintf(f, "\\u%04x", *c);
        } else {
            putc(*c, f);
        }
    }
    putc('"', f);
}

/* Element separators: one element per line inside the big arrays. */
static void write_sep(FILE *f, size_t i)
{
    fputs(i ? ",\n" : "\n", f);
}

static void write_close(FILE *f, size_t n, char c)
{
    if (n)
        putc('\n', f);
    putc(c, f);
}

static void write_candidates(FILE *f, const election_candidate *c, size_t n)
{
    fputs("\"candidates\":[", f);
    for (size_t j = 0; j < n; j++) {
        fprintf(f, "%s{\"no\":%u,\"name\":", j ? "," : "", c[j].no);
        write_text(f, c[j].name);
        if (c[j].sex)
            fprintf(f, ",\"sex\":\"%c\"", c[j].sex);
        putc('}', f);
    }
    putc(']', f);
}

static void write_district(FILE *f, const election *el, const election_district *d)
{
    fputs("{\"id\":", f);
    write_text(f, d->id);
    fputs(",\"name\":", f);
    write_text(f, d->name);
    fprintf(f, ",\"seats\":%u,\"regions\":[", d->seats);
    for (size_t j = 0; j < d->nregion; j++)
        fprintf(f, "%s\"%s\"", j ? "," : "", el->tree->node[d->region[j]].code);
    fputs("],", f);
    if (!contest_is_party_list(d->kind)) {
        write_candidates(f, d->cand, d->ncand);
    } else {
        fputs("\"lists\":[", f);
        for (size_t l = 0; l < d->nlist; l++) {
            fprintf(f, "%s{\"party\":%u,", l ? "," : "", d->list[l].party);
            write_candidates(f, d->list[l].cand, d->list[l].ncand);
            putc('}', f);
        }
        putc(']', f);
    }
    putc('}', f);
}

static void write_parties(FILE *f, const election *el)
{
    fputs("\"parties\":[", f);
    for (size_t i = 0; i < el->nparty; i++) {
        const election_party *pa = &el->party[i];
        write_sep(f, i);
        fprintf(f, "{\"no\":%u,\"abbrev\":", pa->no);
        write_text(f, pa->abbrev);
        fputs(",\"name\":", f);
        write_text(f, pa->name);
        if (pa->only_in) {
            fputs(",\"only_in\":", f);
            write_text(f, pa->only_in);
        }
        putc('}', f);
    }
    write_close(f, el->nparty, ']');
}

/* The format numbers a desa's TPS by position: they must be 1..n. */
static int tps_numbered(const election *el)
{
    const region *tps = election_tps_region(el, 0);
    for (size_t i = 0; i < el->ntps; i++) {
        int no = atoi(tps[i].code + 10);
        int first = i == 0 || tps[i].parent != tps[i - 1].parent;
        if (no != (first ? 1 : atoi(tps[i - 1].code + 10) + 1))
            return 0;
    }
    return 1;
}

static void write_tps(FILE *f, const election *el)
{
    const region *tps = election_tps_region(el, 0);
    size_t ndesa = 0;
    fputs("\"tps\":{", f);
    for (size_t i = 0; i < el->ntps; i++) {
        if (i == 0 || tps[i].parent != tps[i - 1].parent) {
            if (i)
                putc(']', f);
            write_sep(f, ndesa++);
            fprintf(f, "\"%s\":[", el->tree->node[tps[i].parent].code);
        } else {
            putc(',', f);
        }
        fprintf(f, "[%u,%u]", el->tps[i].dpt_male, el->tps[i].dpt_female);
    }
    if (el->ntps)
        putc(']', f);
    write_close(f, ndesa, '}');
}

int election_write(const election *el, FILE *f)
{
    if (!tps_numbered(el))
        return ERR_INVALID;
    fputs("{\"format\":\"" FORMAT_ID "\",\n\"name\":", f);
    write_text(f, el->name);
    fprintf(f, ",\n\"seed\":%llu,\n", (unsigned long long)el->seed);
    fprintf(f, "\"rules\":{\"ballot_reserve_permille\":%u,\"reserve_dptb\":%s,"
               "\"reserve_dpk\":%s,\"tps_max_dpt\":%u},\n",
            el->rules.reserve_permille, el->rules.reserve_dptb ? "true" : "false",
            el->rules.reserve_dpk ? "true" : "false", el->rules.tps_max_dpt);
    write_parties(f, el);
    fputs(",\n\"contests\":{", f);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        fprintf(f, "%s\n\"%s\":[", k ? "," : "", contest_kind_id[k]);
        for (size_t d = 0; d < el->ndistrict[k]; d++) {
            write_sep(f, d);
            write_district(f, el, &el->district[k][d]);
        }
        write_close(f, el->ndistrict[k], ']');
    }
    fputs("\n},\n", f);
    write_tps(f, el);
    fputs("\n}\n", f);
    return fflush(f) != 0 || ferror(f) ? ERR_IO : 0;
}
