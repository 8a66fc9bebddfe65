/* region — owns the region tree: its node array (sorted by level, then
 * code), the arena holding every node's name, the building of the tree from
 * wilayah-style CSV and from TPS numbers, the linking of parents and
 * children, lookups by code and by name, and populations. See region.h.
 *
 * Names live in blocks that are never reallocated, so a node's `name`
 * pointer stays valid however much the tree grows. Adding rows only appends
 * to the node array; region_tree_finish puts it in order: a full sort after
 * CSV rows, or, when only TPS were added, a linear counting sort of the TPS
 * level alone (levels above keep their indices, which is what lets
 * region_add_tps take a desa index and lets 823k TPS finish in milliseconds). */
#include "core/region.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/csv.h"
#include "core/mem.h"

#define REGION_CSV_ROWS_MAX 2000000u
#define REGION_CSV_FIELDS_MAX 8
#define REGION_NAMES_BLOCK 65536u
#define REGION_TPS_NO_MAX 999u

const char *const region_level_name[REGION_LEVELS] = {
    "nasional", "provinsi", "kabupaten/kota", "kecamatan", "desa/kelurahan", "tps",
};

/* Digits in a code of each level. */
static const uint8_t region_code_len[REGION_LEVELS] = {1, 2, 4, 6, 10, 13};

struct region_names {
    struct region_names *prev;
    size_t used, cap;
    char data[];
};

/* ---- codes ------------------------------------------------------------ */

int region_code_level(const char *code)
{
    size_t len = strnlen(code, REGION_CODE_MAX);
    for (size_t i = 0; i < len; i++)
        if (code[i] < '0' || code[i] > '9')
            return -1;
    if (len == 1)
        return code[0] == '0' ? REGION_NATIONAL : -1;
    for (int l = REGION_PROVINCE; l < REGION_LEVELS; l++)
        if (len == region_code_len[l])
            return l;
    return -1;
}

/* Dotted form: groups of 2, 2, 2, 4 and 3 digits, as many groups as the
 * level needs, separated by single dots ("32.73.01.1001.001"). */
static int region_code_undot(const char *in, char out[REGION_CODE_MAX])
{
    static const uint8_t group[] = {2, 2, 2, 4, 3};
    size_t g = 0, k = 0, n = 0;
    for (const char *s = in; *s; s++) {
        if (*s == '.') {
            if (k != group[g] || g + 1 == sizeof group)
                return ERR_INVALID;
            g++;
            k = 0;
        } else if (*s >= '0' && *s <= '9' && k < group[g]) {
            out[n++] = *s;
            k++;
        } else {
            return ERR_INVALID;
        }
    }
    if (k != group[g])
        return ERR_INVALID;
    out[n] = '\0';
    return 0;
}

int region_code_normalise(const char *in, char out[REGION_CODE_MAX])
{
    if (strchr(in, '.'))
        return region_code_undot(in, out);
    size_t len = strnlen(in, REGION_CODE_MAX);
    if (len == REGION_CODE_MAX || region_code_level(in) < 0)
        return ERR_INVALID;
    memcpy(out, in, len + 1);
    return 0;
}

/* ---- the name arena --------------------------------------------------- */

static const char *region_name_store(region_tree *t, const char *s, size_t len)
{
    struct region_names *b = t->names;
    if (!b || b->cap - b->used < len + 1) {
        size_t cap = len + 1 > REGION_NAMES_BLOCK ? len + 1 : REGION_NAMES_BLOCK;
        b = mem_alloc(sizeof *b + cap);
        b->prev = t->names;
        b->used = 0;
        b->cap = cap;
        t->names = b;
    }
    char *d = b->data + b->used;
    memcpy(d, s, len);
    d[len] = '\0';
    b->used += len + 1;
    return d;
}

/* Where the tree stood before a CSV buffer, so a failed buffer leaves no
 * node and no name behind. */
typedef struct region_mark {
    struct region_names *block;
    size_t used, n;
} region_mark;

static region_mark region_mark_get(const region_tree *t)
{
    region_mark m = {t->names, t->names ? t->names->used : 0, t->n};
    return m;
}

static void region_rollback(region_tree *t, const region_mark *m)
{
    while (t->names != m->block) {
        struct region_names *prev = t->names->prev;
        free(t->names);
        t->names = prev;
    }
    if (t->names)
        t->names->used = m->used;
    t->n = m->n;
}

/* ---- tree lifetime ---------------------------------------------------- */

static region *region_push(region_tree *t)
{
    mem_grow((void **)&t->node, &t->cap, t->n + 1, sizeof *t->node);
    region *r = &t->node[t->n++];
    memset(r, 0, sizeof *r);
    r->parent = REGION_NONE;
    r->child = REGION_NONE;
    return r;
}

region_tree *region_tree_new(void)
{
    static const char root_name[] = "Indonesia";
    region_tree *t = mem_calloc(1, sizeof *t);
    region *root = region_push(t);
    root->code[0] = '0';
    root->level = REGION_NATIONAL;
    root->name = region_name_store(t, root_name, sizeof root_name - 1);
    for (int l = 1; l <= REGION_LEVELS; l++)
        t->level_start[l] = 1;
    t->finished = 1;
    return t;
}

void region_tree_free(region_tree *t)
{
    if (!t)
        return;
    region_mark none = {NULL, 0, 0};
    region_rollback(t, &none);
    free(t->node);
    free(t->tps_names);
    free(t);
}

/* ---- building from CSV ------------------------------------------------ */

static int region_csv_header(csv_reader *r, const char *const *want, int nwant,
                             err_info *e)
{
    char *f[REGION_CSV_FIELDS_MAX];
    char where[160];
    int nf = csv_next(r, f, REGION_CSV_FIELDS_MAX, e);
    if (nf < 0)
        return nf;
    int ok = nf == nwant;
    for (int i = 0; ok && i < nf; i++)
        ok = strcmp(f[i], want[i]) == 0;
    if (ok)
        return 0;
    csv_where(r, where, sizeof where);
    return err_set(e, ERR_INVALID, "REGION_HEADER", where,
                   "the first line must be the header \"%s,%s...\"", want[0], want[1]);
}

/* One "kode,nama" row: a province, kab/kota, kecamatan or desa. */
static int region_add_row(region_tree *t, const csv_reader *r, char **f, int nf,
                          err_info *e)
{
    char where[160], code[REGION_CODE_MAX];
    csv_where(r, where, sizeof where);
    if (nf != 2)
        return err_set(e, ERR_INVALID, "REGION_FIELDS", where,
                       "expected 2 fields (kode,nama), found %d", nf);
    int level = region_code_normalise(f[0], code) < 0 ? -1 : region_code_level(code);
    if (level < REGION_PROVINCE || level > REGION_DESA)
        return err_set(e, ERR_INVALID, "REGION_CODE", where,
                       "\"%.20s\" is not a province, kab/kota, kecamatan or desa code",
                       f[0]);
    size_t len = strlen(f[1]);
    if (len == 0)
        return err_set(e, ERR_INVALID, "REGION_NAME", where, "empty name");
    if (len >= REGION_NAME_MAX)
        return err_set(e, ERR_LIMIT, "REGION_NAME", where,
                       "name longer than %d bytes", REGION_NAME_MAX - 1);
    if (t->n >= REGION_NODES_MAX)
        return err_set(e, ERR_LIMIT, "REGION_TOO_MANY", where,
                       "more than %u regions", (unsigned)REGION_NODES_MAX);
    const char *name = region_name_store(t, f[1], len);
    region *n = region_push(t);
    memcpy(n->code, code, sizeof code);
    n->level = (uint8_t)level;
    n->name = name;
    return 0;
}

int region_add_csv(region_tree *t, const char *buf, size_t len,
                   const char *source, err_info *e)
{
    static const char *const header[] = {"kode", "nama"};
    csv_reader r;
    char *f[REGION_CSV_FIELDS_MAX];
    region_mark m = region_mark_get(t);
    size_t rows = 0;
    csv_init(&r, buf, len, source);
    int rc = region_csv_header(&r, header, 2, e);
    while (rc == 0 && (rc = csv_next(&r, f, REGION_CSV_FIELDS_MAX, e)) > 0) {
        if (++rows > REGION_CSV_ROWS_MAX) {
            char where[160];
            csv_where(&r, where, sizeof where);
            rc = err_set(e, ERR_LIMIT, "REGION_TOO_MANY", where,
                         "more than %u rows", REGION_CSV_ROWS_MAX);
        } else {
            rc = region_add_row(t, &r, f, rc, e);
        }
    }
    if (rc < 0) {
        region_rollback(t, &m);
        return rc;
    }
    if (t->n > m.n)
        t->finished = 0;
    return 0;
}

/* ---- finishing -------------------------------------------------------- */

static int region_cmp(const void *a, const void *b)
{
    const region *x = a, *y = b;
    if (x->level != y->level)
        return x->level < y->level ? -1 : 1;
    return strcmp(x->code, y->code);
}

static int region_duplicate(const region *n, err_info *e)
{
    return err_set(e, ERR_INVALID, "REGION_DUPLICATE", n->code,
                   "region code %s appears more than once", n->code);
}

/* Make node c a child of node p. Children arrive in index order, so the
 * first one fixes p's child range. */
static void region_adopt(region_tree *t, size_t p, size_t c)
{
    t->node[c].parent = (uint32_t)p;
    if (t->node[p].nchild++ == 0)
        t->node[p].child = (uint32_t)c;
}

static void region_clear_children(region_tree *t, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        t->node[i].child = REGION_NONE;
        t->node[i].nchild = 0;
    }
}

/* Link level l to level l-1 by walking both in code order together: a
 * child's parent code is its code's prefix, and both levels are sorted. */
static int region_link_level(region_tree *t, int l, err_info *e)
{
    size_t plen = l == REGION_PROVINCE ? 0 : region_code_len[l - 1];
    size_t p = t->level_start[l - 1], pend = t->level_start[l];
    for (size_t c = t->level_start[l]; c < t->level_start[l + 1]; c++) {
        const char *code = t->node[c].code;
        while (p < pend && memcmp(t->node[p].code, code, plen) < 0)
            p++;
        if (p == pend || memcmp(t->node[p].code, code, plen) != 0)
            return err_set(e, ERR_INVALID, "REGION_ORPHAN", code,
                           "region %s has no parent region %.*s", code,
                           (int)plen, code);
        region_adopt(t, p, c);
    }
    return 0;
}

/* Full finish after CSV rows: sort everything, find level ranges, refuse
 * duplicates, link every level. */
static int region_finish_all(region_tree *t, err_info *e)
{
    size_t count[REGION_LEVELS] = {0};
    qsort(t->node, t->n, sizeof *t->node, region_cmp);
    for (size_t i = 0; i < t->n; i++) {
        count[t->node[i].level]++;
        if (i > 0 && strcmp(t->node[i].code, t->node[i - 1].code) == 0)
            return region_duplicate(&t->node[i], e);
    }
    t->level_start[0] = 0;
    for (int l = 0; l < REGION_LEVELS; l++)
        t->level_start[l + 1] = t->level_start[l] + count[l];
    region_clear_children(t, 0, t->n);
    for (int l = REGION_PROVINCE; l < REGION_LEVELS; l++) {
        int rc = region_link_level(t, l, e);
        if (rc < 0)
            return rc;
    }
    t->finished = 1;
    return 0;
}

static unsigned region_tps_no(const region *n)
{
    const char *d = n->code + region_code_len[REGION_DESA];
    return (unsigned)(d[0] - '0') * 100 + (unsigned)(d[1] - '0') * 10 +
           (unsigned)(d[2] - '0');
}

/* Stable counting sort of the permutation in[0..m) into out by key[item]
 * (keys below nkeys). */
static void region_count_sort(const uint32_t *in, uint32_t *out, size_t m,
                              const uint32_t *key, size_t nkeys)
{
    size_t *at = mem_calloc(nkeys + 1, sizeof *at);
    for (size_t i = 0; i < m; i++)
        at[key[in[i]] + 1]++;
    for (size_t k = 0; k < nkeys; k++)
        at[k + 1] += at[k];
    for (size_t i = 0; i < m; i++)
        out[at[key[in[i]]]++] = in[i];
    free(at);
}

/* Order of the TPS level [s, s+m) by (desa, number), which is code order
 * because desa indices are in code order: two counting passes, linear. */
static uint32_t *region_tps_order(const region_tree *t, size_t s, size_t m)
{
    size_t desa0 = t->level_start[REGION_DESA];
    size_t ndesa = t->level_start[REGION_TPS] - desa0;
    uint32_t *no = mem_alloc(m * sizeof *no), *desa = mem_alloc(m * sizeof *desa);
    uint32_t *ord = mem_alloc(m * sizeof *ord), *tmp = mem_alloc(m * sizeof *tmp);
    for (size_t i = 0; i < m; i++) {
        const region *n = &t->node[s + i];
        no[i] = region_tps_no(n);
        desa[i] = (uint32_t)(n->parent - desa0);
        tmp[i] = (uint32_t)i;
    }
    region_count_sort(tmp, ord, m, no, REGION_TPS_NO_MAX + 1);
    region_count_sort(ord, tmp, m, desa, ndesa);
    free(no);
    free(desa);
    free(ord);
    return tmp;
}

/* Finish after TPS only: order the TPS level, refuse duplicates (dropping
 * the TPS added since the last finish, so the tree stays as it was), then
 * move the nodes and link them to their desa. */
static int region_finish_tps(region_tree *t, err_info *e)
{
    size_t s = t->level_start[REGION_TPS], m = t->n - s;
    if (t->level_start[REGION_LEVELS] == t->n)
        return 0;
    uint32_t *ord = region_tps_order(t, s, m);
    for (size_t i = 1; i < m; i++) {
        const region *a = &t->node[s + ord[i - 1]], *b = &t->node[s + ord[i]];
        if (strcmp(a->code, b->code) == 0) {
            int rc = region_duplicate(b, e);
            free(ord);
            t->n = t->level_start[REGION_LEVELS];
            return rc;
        }
    }
    region *sorted = mem_alloc(m * sizeof *sorted);
    for (size_t i = 0; i < m; i++)
        sorted[i] = t->node[s + ord[i]];
    memcpy(t->node + s, sorted, m * sizeof *sorted);
    free(sorted);
    free(ord);
    region_clear_children(t, t->level_start[REGION_DESA], s);
    for (size_t c = s; c < t->n; c++)
        region_adopt(t, t->node[c].parent, c);
    t->level_start[REGION_LEVELS] = t->n;
    return 0;
}

int region_tree_finish(region_tree *t, err_info *e)
{
    return t->finished ? region_finish_tps(t, e) : region_finish_all(t, e);
}

/* ---- TPS -------------------------------------------------------------- */

static void region_tps_names_init(region_tree *t)
{
    t->tps_names = mem_alloc(REGION_TPS_NO_MAX * sizeof *t->tps_names);
    for (unsigned i = 0; i < REGION_TPS_NO_MAX; i++)
        snprintf(t->tps_names[i], sizeof t->tps_names[i], "TPS %03u", i + 1);
}

int region_add_tps(region_tree *t, uint32_t desa, unsigned no, err_info *e)
{
    char where[32];
    snprintf(where, sizeof where, "desa[%u]", (unsigned)desa);
    if (!t->finished)
        return err_set(e, ERR_INVALID, "REGION_UNFINISHED", where,
                       "TPS can only be added to a finished tree");
    if (desa < t->level_start[REGION_DESA] || desa >= t->level_start[REGION_TPS])
        return err_set(e, ERR_INVALID, "REGION_NOT_DESA", where,
                       "region index %u is not a desa/kelurahan", (unsigned)desa);
    if (no < 1 || no > REGION_TPS_NO_MAX)
        return err_set(e, ERR_INVALID, "REGION_TPS_NUMBER", where,
                       "TPS number %u is outside 1..%u", no, REGION_TPS_NO_MAX);
    if (t->n >= REGION_NODES_MAX)
        return err_set(e, ERR_LIMIT, "REGION_TOO_MANY", where,
                       "more than %u regions", (unsigned)REGION_NODES_MAX);
    if (!t->tps_names)
        region_tps_names_init(t);
    region *n = region_push(t);
    size_t dlen = region_code_len[REGION_DESA];
    memcpy(n->code, t->node[desa].code, dlen);
    n->code[dlen] = (char)('0' + no / 100);
    n->code[dlen + 1] = (char)('0' + no / 10 % 10);
    n->code[dlen + 2] = (char)('0' + no % 10);
    n->code[dlen + 3] = '\0';
    n->level = REGION_TPS;
    n->parent = desa;
    n->name = t->tps_names[no - 1];
    return 0;
}

/* ---- populations ------------------------------------------------------ */

typedef struct region_pop {
    uint32_t idx, male, female;
} region_pop;

/* Check one "kode,nama,pria,wanita,total" row into *out. seen[] marks the
 * nodes already given a population by this file. */
static int region_pop_row(const region_tree *t, const csv_reader *r, char **f,
                          int nf, uint8_t *seen, region_pop *out, err_info *e)
{
    char where[160], code[REGION_CODE_MAX];
    unsigned long long v[3];
    csv_where(r, where, sizeof where);
    if (nf != 5)
        return err_set(e, ERR_INVALID, "REGION_FIELDS", where,
                       "expected 5 fields (kode,nama,pria,wanita,total), found %d", nf);
    int level = region_code_normalise(f[0], code) < 0 ? -1 : region_code_level(code);
    if (level < 0 || level >= REGION_TPS)
        return err_set(e, ERR_INVALID, "REGION_CODE", where,
                       "\"%.20s\" is not a region code above TPS level", f[0]);
    uint32_t idx = region_find(t, code);
    if (idx == REGION_NONE)
        return err_set(e, ERR_NOTFOUND, "REGION_POP_UNKNOWN", where,
                       "no region with code %s", code);
    if (seen[idx]++)
        return err_set(e, ERR_INVALID, "REGION_POP_DUPLICATE", where,
                       "a second population for region %s", code);
    for (int i = 0; i < 3; i++)
        if (csv_uint(f[2 + i], UINT32_MAX, &v[i]) < 0)
            return err_set(e, ERR_INVALID, "REGION_POP_NUMBER", where,
                           "field %d is not a whole number up to %u", 3 + i,
                           (unsigned)UINT32_MAX);
    if (v[0] + v[1] != v[2])
        return err_set(e, ERR_INVALID, "REGION_POP_TOTAL", where,
                       "pria %llu + wanita %llu is not total %llu", v[0], v[1], v[2]);
    out->idx = idx;
    out->male = (uint32_t)v[0];
    out->female = (uint32_t)v[1];
    return 0;
}

/* Every row is checked before any population is set, so a bad file changes
 * nothing. */
int region_set_population_csv(region_tree *t, const char *buf, size_t len,
                              const char *source, err_info *e)
{
    static const char *const header[] = {"kode", "nama", "pria", "wanita", "total"};
    if (!t->finished)
        return err_set(e, ERR_INVALID, "REGION_UNFINISHED", source ? source : "",
                       "populations need a finished tree");
    csv_reader r;
    char *f[REGION_CSV_FIELDS_MAX];
    region_pop *pop = NULL;
    size_t n = 0, cap = 0;
    uint8_t *seen = mem_calloc(t->level_start[REGION_TPS], 1);
    csv_init(&r, buf, len, source);
    int rc = region_csv_header(&r, header, 5, e);
    while (rc == 0 && (rc = csv_next(&r, f, REGION_CSV_FIELDS_MAX, e)) > 0) {
        mem_grow((void **)&pop, &cap, n + 1, sizeof *pop);
        rc = region_pop_row(t, &r, f, rc, seen, &pop[n++], e);
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        t->node[pop[i].idx].pop_male = pop[i].male;
        t->node[pop[i].idx].pop_female = pop[i].female;
    }
    free(pop);
    free(seen);
    return rc;
}

/* ---- lookups ---------------------------------------------------------- */

uint32_t region_find(const region_tree *t, const char *code)
{
    char c[REGION_CODE_MAX];
    if (!t->finished || region_code_normalise(code, c) < 0)
        return REGION_NONE;
    int l = region_code_level(c);
    size_t lo = t->level_start[l], hi = t->level_start[l + 1];
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int cmp = strcmp(t->node[mid].code, c);
        if (cmp == 0)
            return (uint32_t)mid;
        if (cmp < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return REGION_NONE;
}

static char region_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Does `hay` contain the lower-case `needle` (length n), ASCII case folded? */
static int region_contains_ci(const char *hay, const char *needle, size_t n)
{
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && region_lower(hay[i]) == needle[i])
            i++;
        if (i == n)
            return 1;
    }
    return n == 0;
}

size_t region_find_name(const region_tree *t, const char *needle, int level,
                        uint32_t *out, size_t max)
{
    char low[REGION_NAME_MAX];
    size_t n = strnlen(needle, REGION_NAME_MAX);
    if (!t->finished || level >= REGION_LEVELS || n == REGION_NAME_MAX)
        return 0;
    for (size_t i = 0; i < n; i++)
        low[i] = region_lower(needle[i]);
    size_t lo = level < 0 ? 0 : t->level_start[level];
    size_t hi = level < 0 ? t->level_start[REGION_LEVELS] : t->level_start[level + 1];
    size_t found = 0;
    for (size_t i = lo; i < hi; i++) {
        if (!region_contains_ci(t->node[i].name, low, n))
            continue;
        if (found < max)
            out[found] = (uint32_t)i;
        found++;
    }
    return found;
}

uint32_t region_ancestor(const region_tree *t, uint32_t idx, int level)
{
    if (idx >= t->n || level < 0 || level >= REGION_LEVELS)
        return REGION_NONE;
    while (t->node[idx].level > level) {
        idx = t->node[idx].parent;
        if (idx == REGION_NONE) /* a row not linked yet (unfinished tree) */
            return REGION_NONE;
    }
    return t->node[idx].level == level ? idx : REGION_NONE;
}

int region_is_within(const region_tree *t, uint32_t idx, uint32_t anc)
{
    if (anc >= t->n)
        return 0;
    return region_ancestor(t, idx, t->node[anc].level) == anc;
}
