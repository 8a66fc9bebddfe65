/* Tests for region: codes, building from small CSV texts, tree shape,
 * lookups, TPS, populations, and every error path with its code. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/mem.h"
#include "core/region.h"

/* Rows deliberately out of order, dotted, one quoted name. */
static const char small_csv[] =
    "kode,nama\r\n"
    "32.73.01.1001,Sukaluyu\r\n"
    "32,Jawa Barat\r\n"
    "11.01,Kabupaten Aceh Selatan\r\n"
    "32.73,Kota Bandung\r\n"
    "32.73.01,Sukajadi\r\n"
    "32.01,Kabupaten Bogor\r\n"
    "11,Aceh\r\n"
    "32.73.01.1002,\"Pasteur, Bandung\"\r\n"
    "32.01.01,Cibinong\r\n"
    "32.73.02,Cicendo\r\n"
    "11.01.01,Bakongan\r\n"
    "11.01.01.2001,Keude Bakongan\r\n"
    "32.01.01.1001,Pakansari\r\n";

static region_tree *build(const char *csv)
{
    err_info e = {0};
    region_tree *t = region_tree_new();
    assert_int_equal(region_add_csv(t, csv, strlen(csv), "small.csv", &e), 0);
    assert_int_equal(region_tree_finish(t, &e), 0);
    return t;
}

static const region *at(const region_tree *t, const char *code)
{
    uint32_t i = region_find(t, code);
    assert_int_not_equal(i, REGION_NONE);
    return &t->node[i];
}

/* Every structural invariant the header promises, checked from scratch. */
static void check_shape(const region_tree *t)
{
    assert_int_equal(t->level_start[0], 0);
    assert_int_equal(t->level_start[REGION_LEVELS], t->n);
    assert_string_equal(t->node[0].code, "0");
    assert_int_equal(t->node[0].parent, REGION_NONE);
    for (size_t i = 0; i < t->n; i++) {
        const region *n = &t->node[i];
        assert_true(i >= t->level_start[n->level] && i < t->level_start[n->level + 1]);
        assert_int_equal(region_code_level(n->code), n->level);
        if (i > 0 && t->node[i - 1].level == n->level)
            assert_true(strcmp(t->node[i - 1].code, n->code) < 0);
        size_t kids = 0;
        for (size_t c = 0; c < t->n; c++)
            kids += t->node[c].parent == i;
        assert_int_equal(kids, n->nchild);
        for (uint32_t c = n->child; n->nchild && c < n->child + n->nchild; c++) {
            assert_int_equal(t->node[c].parent, i);
            assert_int_equal(t->node[c].level, n->level + 1);
            if (n->level > 0)
                assert_memory_equal(t->node[c].code, n->code, strlen(n->code));
        }
        if (!n->nchild)
            assert_int_equal(n->child, REGION_NONE);
    }
}

static void test_codes(void **state)
{
    (void)state;
    char out[REGION_CODE_MAX];
    assert_int_equal(region_code_level("0"), REGION_NATIONAL);
    assert_int_equal(region_code_level("32"), REGION_PROVINCE);
    assert_int_equal(region_code_level("3273"), REGION_KABKOTA);
    assert_int_equal(region_code_level("327301"), REGION_KECAMATAN);
    assert_int_equal(region_code_level("3273011001"), REGION_DESA);
    assert_int_equal(region_code_level("3273011001001"), REGION_TPS);
    assert_int_equal(region_code_level("5"), -1);
    assert_int_equal(region_code_level("327"), -1);
    assert_int_equal(region_code_level("32a3"), -1);
    assert_int_equal(region_code_level(""), -1);
    assert_int_equal(region_code_level("32730110010011"), -1);

    assert_int_equal(region_code_normalise("32.73.01.1001.001", out), 0);
    assert_string_equal(out, "3273011001001");
    assert_int_equal(region_code_normalise("11.01", out), 0);
    assert_string_equal(out, "1101");
    assert_int_equal(region_code_normalise("3273011001", out), 0);
    assert_string_equal(out, "3273011001");
    assert_int_equal(region_code_normalise("0", out), 0);
    assert_string_equal(out, "0");
    static const char *const bad[] = {
        "", ".", "32.", ".32", "3.273", "32..73", "32.7", "32.73.1", "32.73.01.101",
        "32.73.01.1001.01", "32.73.01.1001.001.1", "32.73.01.1001001", "327.3",
        "3273011001001001", "32a", "1", "32.7x", "32 73",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(region_code_normalise(bad[i], out), ERR_INVALID);
    assert_string_equal(region_level_name[REGION_NATIONAL], "nasional");
    assert_string_equal(region_level_name[REGION_KABKOTA], "kabupaten/kota");
    assert_string_equal(region_level_name[REGION_TPS], "tps");
}

static void test_build_and_lookup(void **state)
{
    (void)state;
    region_tree *t = build(small_csv);
    assert_int_equal(t->n, 14);
    size_t per_level[] = {1, 2, 3, 4, 4, 0};
    for (int l = 0; l < REGION_LEVELS; l++)
        assert_int_equal(t->level_start[l + 1] - t->level_start[l], per_level[l]);
    check_shape(t);

    const region *bdg = at(t, "32.73");
    assert_string_equal(bdg->name, "Kota Bandung");
    assert_ptr_equal(bdg, at(t, "3273"));
    assert_int_equal(bdg->level, REGION_KABKOTA);
    assert_string_equal(t->node[bdg->parent].code, "32");
    assert_int_equal(bdg->nchild, 2);
    assert_string_equal(t->node[bdg->child].name, "Sukajadi");
    assert_string_equal(t->node[bdg->child + 1].name, "Cicendo");
    assert_string_equal(at(t, "3273011002")->name, "Pasteur, Bandung");
    assert_string_equal(at(t, "0")->name, "Indonesia");
    assert_int_equal(at(t, "0")->nchild, 2);

    assert_int_equal(region_find(t, "3274"), REGION_NONE);
    assert_int_equal(region_find(t, "31"), REGION_NONE);
    assert_int_equal(region_find(t, "32.73.01.1003"), REGION_NONE);
    assert_int_equal(region_find(t, "3273x"), REGION_NONE);
    assert_int_equal(region_find(t, "327"), REGION_NONE);
    assert_int_equal(region_find(t, ""), REGION_NONE);
    region_tree_free(t);
}

static void test_names_survive_growth(void **state)
{
    (void)state;
    /* Enough rows to need many arena blocks and node reallocations: names
     * read back after the tree has grown must still be right. */
    size_t nprov = 90, nkab = 99, cap = 64 + nprov * (nkab + 1) * 160;
    char *csv = mem_alloc(cap), name[128];
    size_t len = (size_t)snprintf(csv, cap, "kode,nama\n");
    for (size_t p = 10; p < 10 + nprov; p++) {
        len += (size_t)snprintf(csv + len, cap - len, "%zu,Provinsi %zu\n", p, p);
        for (size_t k = 1; k <= nkab; k++)
            len += (size_t)snprintf(csv + len, cap - len,
                                    "%zu.%02zu,Kabupaten nomor %zu di %zu %0100d\n",
                                    p, k, k, p, 0);
    }
    region_tree *t = build(csv);
    free(csv);
    assert_int_equal(t->n, 1 + nprov * (nkab + 1));
    const region *r = at(t, "10.01");
    snprintf(name, sizeof name, "Kabupaten nomor 1 di 10 %0100d", 0);
    assert_string_equal(r->name, name);
    r = at(t, "99.99");
    snprintf(name, sizeof name, "Kabupaten nomor 99 di 99 %0100d", 0);
    assert_string_equal(r->name, name);
    assert_string_equal(at(t, "55")->name, "Provinsi 55");
    region_tree_free(t);
}

static void test_find_name(void **state)
{
    (void)state;
    region_tree *t = build(small_csv);
    uint32_t out[8];
    assert_int_equal(region_find_name(t, "bandung", -1, out, 8), 2);
    assert_string_equal(t->node[out[0]].code, "3273");        /* level order */
    assert_string_equal(t->node[out[1]].code, "3273011002");
    assert_int_equal(region_find_name(t, "BANDUNG", REGION_DESA, out, 8), 1);
    assert_string_equal(t->node[out[0]].name, "Pasteur, Bandung");
    assert_int_equal(region_find_name(t, "kabupaten", REGION_KABKOTA, out, 1), 2);
    assert_string_equal(t->node[out[0]].code, "1101");        /* only max filled */
    assert_int_equal(region_find_name(t, "zzz", -1, out, 8), 0);
    assert_int_equal(region_find_name(t, "a", REGION_TPS, out, 8), 0);
    assert_int_equal(region_find_name(t, "a", REGION_LEVELS, out, 8), 0);
    assert_int_equal(region_find_name(t, "", REGION_PROVINCE, out, 8), 2);
    assert_int_equal(region_find_name(t, "Sukaluyu", -1, NULL, 0), 1);
    region_tree_free(t);
}

static void test_ancestor(void **state)
{
    (void)state;
    region_tree *t = build(small_csv);
    uint32_t desa = region_find(t, "3273011001");
    uint32_t kab = region_find(t, "3273"), prov = region_find(t, "32");
    uint32_t other = region_find(t, "3201");
    assert_int_equal(region_ancestor(t, desa, REGION_KABKOTA), kab);
    assert_int_equal(region_ancestor(t, desa, REGION_PROVINCE), prov);
    assert_int_equal(region_ancestor(t, desa, REGION_NATIONAL), 0);
    assert_int_equal(region_ancestor(t, desa, REGION_DESA), desa);
    assert_int_equal(region_ancestor(t, kab, REGION_DESA), REGION_NONE);
    assert_int_equal(region_ancestor(t, kab, -1), REGION_NONE);
    assert_int_equal(region_ancestor(t, (uint32_t)t->n, 0), REGION_NONE);
    assert_true(region_is_within(t, desa, kab));
    assert_true(region_is_within(t, desa, desa));
    assert_true(region_is_within(t, desa, 0));
    assert_false(region_is_within(t, desa, other));
    assert_false(region_is_within(t, kab, desa));
    assert_false(region_is_within(t, desa, (uint32_t)t->n));
    region_tree_free(t);
}

static void expect_csv_error(const char *csv, int rc, const char *code,
                             const char *where)
{
    err_info e = {0};
    region_tree *t = region_tree_new();
    assert_int_equal(region_add_csv(t, csv, strlen(csv), "bad.csv", &e), rc);
    assert_string_equal(e.code, code);
    if (where)
        assert_string_equal(e.where, where);
    /* Nothing of the bad buffer is kept: the tree is the bare root. */
    assert_int_equal(t->n, 1);
    assert_int_equal(region_tree_finish(t, &e), 0);
    assert_int_equal(region_find(t, "11"), REGION_NONE);
    region_tree_free(t);
}

static void test_csv_errors(void **state)
{
    (void)state;
    char longname[REGION_NAME_MAX + 32];
    expect_csv_error("", ERR_INVALID, "REGION_HEADER", "bad.csv:0");
    expect_csv_error("code,name\n11,Aceh\n", ERR_INVALID, "REGION_HEADER", "bad.csv:1");
    expect_csv_error("kode,nama\n11,Aceh\n12\n", ERR_INVALID, "REGION_FIELDS", "bad.csv:3");
    expect_csv_error("kode,nama\n11,Aceh,x\n", ERR_INVALID, "REGION_FIELDS", "bad.csv:2");
    expect_csv_error("kode,nama\n11,Aceh\n1.1,X\n", ERR_INVALID, "REGION_CODE", "bad.csv:3");
    expect_csv_error("kode,nama\n0,Indonesia\n", ERR_INVALID, "REGION_CODE", "bad.csv:2");
    expect_csv_error("kode,nama\n11,Aceh\n11.01.01.2001.001,TPS\n", ERR_INVALID,
                     "REGION_CODE", "bad.csv:3");
    expect_csv_error("kode,nama\n11,\n", ERR_INVALID, "REGION_NAME", "bad.csv:2");
    snprintf(longname, sizeof longname, "kode,nama\n11,%0*d\n", REGION_NAME_MAX, 0);
    expect_csv_error(longname, ERR_LIMIT, "REGION_NAME", "bad.csv:2");
    expect_csv_error("kode,nama\n11,\"Aceh\n", ERR_INVALID, "CSV_QUOTE", "bad.csv:2");

    /* The longest allowed name passes. */
    snprintf(longname, sizeof longname, "kode,nama\n11,%0*d\n", REGION_NAME_MAX - 1, 0);
    region_tree *t = build(longname);
    assert_int_equal(strlen(at(t, "11")->name), REGION_NAME_MAX - 1);
    region_tree_free(t);
}

static void test_failed_buffer_keeps_earlier_ones(void **state)
{
    (void)state;
    err_info e = {0};
    region_tree *t = region_tree_new();
    const char *good = "kode,nama\n11,Aceh\n";
    const char *bad = "kode,nama\n12,Sumatera Utara\n12.01,\n";
    assert_int_equal(region_add_csv(t, good, strlen(good), "a.csv", &e), 0);
    assert_int_equal(region_add_csv(t, bad, strlen(bad), "b.csv", &e), ERR_INVALID);
    assert_string_equal(e.where, "b.csv:3");
    assert_int_equal(region_tree_finish(t, &e), 0);
    assert_int_equal(t->n, 2);
    assert_string_equal(at(t, "11")->name, "Aceh");
    assert_int_equal(region_find(t, "12"), REGION_NONE);
    region_tree_free(t);
}

static void expect_finish_error(const char *csv, const char *code, const char *where)
{
    err_info e = {0};
    region_tree *t = region_tree_new();
    assert_int_equal(region_add_csv(t, csv, strlen(csv), "x.csv", &e), 0);
    assert_int_equal(region_tree_finish(t, &e), ERR_INVALID);
    assert_string_equal(e.code, code);
    assert_string_equal(e.where, where);
    /* An unfinished tree answers no lookups and takes no TPS. */
    assert_int_equal(region_find(t, "11"), REGION_NONE);
    assert_int_equal(region_add_tps(t, 0, 1, &e), ERR_INVALID);
    assert_string_equal(e.code, "REGION_UNFINISHED");
    region_tree_free(t);
}

static void test_duplicates_and_orphans(void **state)
{
    (void)state;
    expect_finish_error("kode,nama\n11,Aceh\n12,X\n11,Aceh lagi\n", "REGION_DUPLICATE", "11");
    expect_finish_error("kode,nama\n11,Aceh\n11.01,A\n1101,B\n", "REGION_DUPLICATE", "1101");
    expect_finish_error("kode,nama\n11,Aceh\n11.01.01,Bakongan\n", "REGION_ORPHAN", "110101");
    expect_finish_error("kode,nama\n11,Aceh\n12.01,X\n", "REGION_ORPHAN", "1201");
    expect_finish_error("kode,nama\n11,Aceh\n11.01,A\n11.01.01,B\n11.01.02.2001,C\n",
                        "REGION_ORPHAN", "1101022001");
}

static void test_tps(void **state)
{
    (void)state;
    err_info e = {0};
    region_tree *t = build(small_csv);
    uint32_t d1 = region_find(t, "3273011001"), d2 = region_find(t, "3201011001");
    uint32_t d3 = region_find(t, "1101012001"), kab = region_find(t, "3273");
    size_t before = t->n;
    /* Any order; numbers need not be consecutive. */
    assert_int_equal(region_add_tps(t, d1, 3, &e), 0);
    assert_int_equal(region_add_tps(t, d2, 1, &e), 0);
    assert_int_equal(region_add_tps(t, d1, 1, &e), 0);
    assert_int_equal(region_add_tps(t, d3, 999, &e), 0);
    assert_int_equal(region_add_tps(t, d1, 2, &e), 0);
    /* Not visible before the finish; indices above TPS do not move. */
    assert_int_equal(region_find(t, "3273011001001"), REGION_NONE);
    assert_int_equal(region_tree_finish(t, &e), 0);
    assert_int_equal(t->n, before + 5);
    assert_int_equal(region_find(t, "3273011001"), d1);
    check_shape(t);
    const region *tps = at(t, "32.73.01.1001.002");
    assert_string_equal(tps->name, "TPS 002");
    assert_int_equal(tps->parent, d1);
    assert_int_equal(t->node[d1].nchild, 3);
    assert_string_equal(t->node[t->node[d1].child].code, "3273011001001");
    assert_string_equal(at(t, "1101012001999")->name, "TPS 999");
    assert_int_equal(region_ancestor(t, region_find(t, "3273011001003"), REGION_KABKOTA), kab);

    /* Errors at add time. */
    assert_int_equal(region_add_tps(t, kab, 1, &e), ERR_INVALID);
    assert_string_equal(e.code, "REGION_NOT_DESA");
    assert_int_equal(region_add_tps(t, (uint32_t)(t->n - 1), 1, &e), ERR_INVALID);
    assert_string_equal(e.code, "REGION_NOT_DESA");
    assert_int_equal(region_add_tps(t, d1, 0, &e), ERR_INVALID);
    assert_string_equal(e.code, "REGION_TPS_NUMBER");
    assert_int_equal(region_add_tps(t, d1, 1000, &e), ERR_INVALID);
    assert_string_equal(e.code, "REGION_TPS_NUMBER");

    /* A duplicate at finish drops the new batch only. */
    size_t n = t->n;
    assert_int_equal(region_add_tps(t, d2, 2, &e), 0);
    assert_int_equal(region_add_tps(t, d1, 2, &e), 0);
    assert_int_equal(region_tree_finish(t, &e), ERR_INVALID);
    assert_string_equal(e.code, "REGION_DUPLICATE");
    assert_string_equal(e.where, "3273011001002");
    assert_int_equal(t->n, n);
    assert_int_equal(region_find(t, "3201011001002"), REGION_NONE);
    check_shape(t);

    /* A second batch merges with the first. */
    assert_int_equal(region_add_tps(t, d2, 2, &e), 0);
    assert_int_equal(region_tree_finish(t, &e), 0);
    assert_int_equal(t->node[d2].nchild, 2);
    check_shape(t);
    assert_int_equal(region_find_name(t, "tps 00", REGION_TPS, NULL, 0), 5);
    region_tree_free(t);
}

/* Many desa, TPS added in scrambled order, one finish: the order and links
 * must come out right, and the finish must be fast (the national case is
 * 823k TPS; this is the same work at a tenth of that). */
static void test_tps_many(void **state)
{
    (void)state;
    err_info e = {0};
    size_t ndesa = 900, per = 90, cap = 64 + ndesa * 40;
    char *csv = mem_alloc(cap);
    size_t len = (size_t)snprintf(csv, cap, "kode,nama\n11,A\n11.01,B\n11.01.01,C\n");
    for (size_t d = 1; d <= ndesa; d++)
        len += (size_t)snprintf(csv + len, cap - len, "11.01.01.%04zu,D%zu\n", d, d);
    region_tree *t = build(csv);
    free(csv);
    uint32_t d0 = (uint32_t)t->level_start[REGION_DESA];
    for (size_t k = 0; k < ndesa * per; k++) {
        size_t x = (k * 7919) % (ndesa * per); /* a permutation: 7919 is prime */
        assert_int_equal(region_add_tps(t, d0 + (uint32_t)(x % ndesa),
                                        (unsigned)(x / ndesa) + 1, &e), 0);
    }
    clock_t c0 = clock();
    assert_int_equal(region_tree_finish(t, &e), 0);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    assert_true(secs < 1.0);
    size_t s = t->level_start[REGION_TPS];
    assert_int_equal(t->n - s, ndesa * per);
    for (size_t i = s + 1; i < t->n; i++)
        assert_true(strcmp(t->node[i - 1].code, t->node[i].code) < 0);
    for (uint32_t d = d0; d < d0 + ndesa; d++) {
        assert_int_equal(t->node[d].nchild, per);
        const region *first = &t->node[t->node[d].child];
        assert_memory_equal(first->code, t->node[d].code, 10);
        assert_string_equal(first->name, "TPS 001");
    }
    region_tree_free(t);
}

static const char pop_csv[] =
    "kode,nama,pria,wanita,total\n"
    "0,INDONESIA,30,27,57\n"
    "32,Jawa Barat,20,20,40\n"
    "32.73,Kota Bandung,12,13,25\n"
    "11,Aceh,10,7,17\n";

static void test_population(void **state)
{
    (void)state;
    err_info e = {0};
    region_tree *t = build(small_csv);
    assert_int_equal(region_set_population_csv(t, pop_csv, strlen(pop_csv), "p.csv", &e), 0);
    assert_int_equal(at(t, "0")->pop_male, 30);
    assert_int_equal(at(t, "0")->pop_female, 27);
    assert_int_equal(at(t, "3273")->pop_male + at(t, "3273")->pop_female, 25);
    assert_int_equal(at(t, "11")->pop_female, 7);
    assert_int_equal(at(t, "3201")->pop_male, 0);
    region_tree_free(t);
}

static void expect_pop_error(const char *csv, int rc, const char *code, const char *where)
{
    err_info e = {0};
    region_tree *t = build(small_csv);
    assert_int_equal(region_set_population_csv(t, csv, strlen(csv), "p.csv", &e), rc);
    assert_string_equal(e.code, code);
    assert_string_equal(e.where, where);
    /* A bad file sets nothing, not even its good rows before the error. */
    for (size_t i = 0; i < t->n; i++)
        assert_int_equal(t->node[i].pop_male + t->node[i].pop_female, 0);
    region_tree_free(t);
}

static void test_population_errors(void **state)
{
    (void)state;
    const char *h = "kode,nama,pria,wanita,total\n";
    char csv[256];
    expect_pop_error("kode,nama\n11,A\n", ERR_INVALID, "REGION_HEADER", "p.csv:1");
#define ROW(r) (snprintf(csv, sizeof csv, "%s11,Aceh,1,1,2\n%s", h, r), csv)
    expect_pop_error(ROW("31,Jakarta,1,1,2\n"), ERR_NOTFOUND, "REGION_POP_UNKNOWN", "p.csv:3");
    expect_pop_error(ROW("32,Jabar,1,1,3\n"), ERR_INVALID, "REGION_POP_TOTAL", "p.csv:3");
    expect_pop_error(ROW("32,Jabar,1,-1,0\n"), ERR_INVALID, "REGION_POP_NUMBER", "p.csv:3");
    expect_pop_error(ROW("32,Jabar,4294967296,0,4294967296\n"), ERR_INVALID,
                     "REGION_POP_NUMBER", "p.csv:3");
    expect_pop_error(ROW("32,Jabar,1,1\n"), ERR_INVALID, "REGION_FIELDS", "p.csv:3");
    expect_pop_error(ROW("11,Aceh,2,2,4\n"), ERR_INVALID, "REGION_POP_DUPLICATE", "p.csv:3");
    expect_pop_error(ROW("32.7,X,1,1,2\n"), ERR_INVALID, "REGION_CODE", "p.csv:3");
#undef ROW
    /* Unfinished tree. */
    err_info e = {0};
    region_tree *t = region_tree_new();
    const char *rows = "kode,nama\n11,Aceh\n";
    assert_int_equal(region_add_csv(t, rows, strlen(rows), "r.csv", &e), 0);
    assert_int_equal(region_set_population_csv(t, pop_csv, strlen(pop_csv), "p.csv", &e),
                     ERR_INVALID);
    assert_string_equal(e.code, "REGION_UNFINISHED");
    region_tree_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codes),
        cmocka_unit_test(test_build_and_lookup),
        cmocka_unit_test(test_names_survive_growth),
        cmocka_unit_test(test_find_name),
        cmocka_unit_test(test_ancestor),
        cmocka_unit_test(test_csv_errors),
        cmocka_unit_test(test_failed_buffer_keeps_earlier_ones),
        cmocka_unit_test(test_duplicates_and_orphans),
        cmocka_unit_test(test_tps),
        cmocka_unit_test(test_tps_many),
        cmocka_unit_test(test_population),
        cmocka_unit_test(test_population_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
