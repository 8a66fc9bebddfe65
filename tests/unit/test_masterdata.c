/* Tests for masterdata: the real data/ directory loads into the tree the
 * published figures describe, populations add up level by level, and
 * broken directories fail with the right code and leave nothing behind. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/region.h"
#include "io/masterdata.h"
#include "testutil.h"

static uint64_t pop(const region *r)
{
    return (uint64_t)r->pop_male + r->pop_female;
}

static size_t level_count(const region_tree *t, int l)
{
    return t->level_start[l + 1] - t->level_start[l];
}

/* Rows of a "kode,..." file per level, counted from the dots of the code
 * column: independent of the CSV and region code under test. */
static void count_rows_by_dots(const char *path, size_t per_level[REGION_LEVELS])
{
    char line[512];
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    assert_non_null(fgets(line, sizeof line, f)); /* header */
    while (fgets(line, sizeof line, f)) {
        size_t dots = 0;
        for (const char *p = line; *p && *p != ','; p++)
            dots += *p == '.';
        per_level[dots + 1]++;
    }
    fclose(f);
}

static region_tree *load_real(void)
{
    err_info e = {0};
    region_tree *t = NULL;
    clock_t c0 = clock();
    int rc = masterdata_load(REKAP_DATA_DIR, &t, &e);
    if (rc < 0)
        fail_msg("%s at %s: %s", e.code, e.where, e.msg);
    double secs = (double)(clock() - c0) / CLOCKS_PER_SEC;
    print_message("masterdata_load: %.3f s (%zu regions)\n", secs, t->n);
    assert_true(secs < 5.0); /* sanitizer build; the release figure is in docs/DATA.md */
    return t;
}

static void test_counts(void **state)
{
    (void)state;
    size_t overseas[REGION_LEVELS] = {0};
    count_rows_by_dots(REKAP_DATA_DIR "/luarnegeri.csv", overseas);
    assert_int_equal(overseas[REGION_PROVINCE], 1);
    assert_true(overseas[REGION_KABKOTA] >= 25);   /* countries */
    assert_true(overseas[REGION_KECAMATAN] >= 60);  /* PPLN cities */
    assert_int_equal(overseas[REGION_DESA], overseas[REGION_KECAMATAN]);

    region_tree *t = load_real();
    assert_int_equal(level_count(t, REGION_NATIONAL), 1);
    assert_int_equal(level_count(t, REGION_PROVINCE), 38 + 1);
    assert_int_equal(level_count(t, REGION_KABKOTA), 514 + overseas[REGION_KABKOTA]);
    assert_int_equal(level_count(t, REGION_KECAMATAN), 7285 + overseas[REGION_KECAMATAN]);
    assert_int_equal(level_count(t, REGION_DESA), 83762 + overseas[REGION_DESA]);
    assert_int_equal(level_count(t, REGION_TPS), 0);

    /* Each PPLN city holds exactly one PPLN, so overseas TPS sit at level 5. */
    const region *ln = &t->node[region_find(t, REGION_OVERSEAS)];
    assert_string_equal(ln->name, "Luar Negeri");
    for (uint32_t c = ln->child; c < ln->child + ln->nchild; c++) {
        const region *country = &t->node[c];
        assert_true(country->nchild >= 1);
        for (uint32_t k = country->child; k < country->child + country->nchild; k++)
            assert_int_equal(t->node[k].nchild, 1);
    }
    region_tree_free(t);
}

static void test_known_names(void **state)
{
    (void)state;
    region_tree *t = load_real();
    assert_string_equal(t->node[region_find(t, "3273")].name, "Kota Bandung");
    assert_string_equal(t->node[region_find(t, "32.73")].name, "Kota Bandung");
    assert_string_equal(t->node[region_find(t, "11")].name, "Aceh");
    assert_string_equal(t->node[region_find(t, "1101012001")].name, "Keude Bakongan");
    assert_string_equal(t->node[region_find(t, "12.07.28.1007")].name, "Lubuk Pakam I,II");
    assert_string_equal(t->node[region_find(t, "99.01")].name, "Malaysia");
    uint32_t kl[4];
    assert_int_equal(region_find_name(t, "ppln kuala lumpur", REGION_DESA, kl, 4), 1);
    assert_true(region_is_within(t, kl[0], region_find(t, "9901")));
    region_tree_free(t);
}

static void test_populations_add_up(void **state)
{
    (void)state;
    region_tree *t = load_real();
    const region *nat = &t->node[0];
    assert_true(pop(nat) == 284973643u);
    uint64_t domestic = 0;
    for (size_t p = t->level_start[REGION_PROVINCE]; p < t->level_start[REGION_KABKOTA]; p++) {
        const region *prov = &t->node[p];
        uint64_t kabs = 0;
        assert_true(pop(prov) > 0);
        for (uint32_t k = prov->child; k < prov->child + prov->nchild; k++) {
            assert_true(pop(&t->node[k]) > 0);
            kabs += pop(&t->node[k]);
        }
        if (pop(prov) != kabs)
            fail_msg("province %s: %llu != sum of kab/kota %llu", prov->code,
                     (unsigned long long)pop(prov), (unsigned long long)kabs);
        if (strcmp(prov->code, REGION_OVERSEAS) != 0)
            domestic += pop(prov);
    }
    /* The national figure counts residents: the provinces at home. */
    assert_true(domestic == pop(nat));

    /* Malaysia holds the largest Indonesian community abroad. */
    const region *ln = &t->node[region_find(t, REGION_OVERSEAS)];
    uint32_t largest = ln->child;
    for (uint32_t c = ln->child; c < ln->child + ln->nchild; c++)
        if (pop(&t->node[c]) > pop(&t->node[largest]))
            largest = c;
    assert_string_equal(t->node[largest].name, "Malaysia");
    region_tree_free(t);
}

/* ---- broken directories ---------------------------------------------- */

static void rm(const char *dir, const char *name)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    unlink(path);
}

static const char *const all_files[] = {
    "wilayah.csv", "luarnegeri.csv", "penduduk.csv", "luarnegeri_penduduk.csv",
};

/* A small valid data directory; each test then breaks one file. */
static void make_dir(char *dir)
{
    assert_non_null(mkdtemp(dir));
    test_put_file(dir, "wilayah.csv", "kode,nama\n11,Aceh\n11.01,Kab A\n");
    test_put_file(dir, "luarnegeri.csv", "kode,nama\n99,Luar Negeri\n99.01,Malaysia\n"
                               "99.01.01,Kuala Lumpur\n99.01.01.0001,PPLN Kuala Lumpur\n");
    test_put_file(dir, "penduduk.csv", "kode,nama,pria,wanita,total\n0,I,1,1,2\n11,Aceh,1,1,2\n"
                             "11.01,Kab A,1,1,2\n");
    test_put_file(dir, "luarnegeri_penduduk.csv", "kode,nama,pria,wanita,total\n99,LN,3,4,7\n"
                                        "99.01,Malaysia,3,4,7\n");
}

static void remove_dir(const char *dir)
{
    for (size_t i = 0; i < sizeof all_files / sizeof all_files[0]; i++)
        rm(dir, all_files[i]);
    assert_int_equal(rmdir(dir), 0);
}

static void expect_load_error(const char *dir, int rc, const char *code,
                              const char *where_has)
{
    err_info e = {0};
    region_tree *t = NULL;
    assert_int_equal(masterdata_load(dir, &t, &e), rc);
    assert_null(t);
    assert_string_equal(e.code, code);
    if (!strstr(e.where, where_has))
        fail_msg("where \"%s\" lacks \"%s\"", e.where, where_has);
}

static void test_small_dir(void **state)
{
    (void)state;
    char dir[] = "/tmp/rekap-md-XXXXXX";
    make_dir(dir);
    err_info e = {0};
    region_tree *t = NULL;
    assert_int_equal(masterdata_load(dir, &t, &e), 0);
    assert_int_equal(t->n, 7);
    assert_int_equal(pop(&t->node[region_find(t, "9901")]), 7);
    region_tree_free(t);
    remove_dir(dir);
}

static void test_errors(void **state)
{
    (void)state;
    char dir[] = "/tmp/rekap-md-XXXXXX";
    make_dir(dir);
    expect_load_error("/nonexistent/rekap", ERR_NOTFOUND, "FILE_OPEN", "wilayah.csv");

    rm(dir, "luarnegeri.csv");
    expect_load_error(dir, ERR_NOTFOUND, "FILE_OPEN", "luarnegeri.csv");
    test_put_file(dir, "luarnegeri.csv", "kode,nama\n99,Luar Negeri\n99.02.01,Tokyo\n");
    expect_load_error(dir, ERR_INVALID, "REGION_ORPHAN", "990201");
    test_put_file(dir, "luarnegeri.csv", "kode,nama\n99,Luar Negeri\n99.01,Malaysia\n99.01,Malaysia\n");
    expect_load_error(dir, ERR_INVALID, "REGION_DUPLICATE", "9901");
    test_put_file(dir, "luarnegeri.csv", "kode,nama\n99,Luar Negeri\n99.01,\"Malaysia\n");
    expect_load_error(dir, ERR_INVALID, "CSV_QUOTE", "luarnegeri.csv:3");
    test_put_file(dir, "luarnegeri.csv", "kode,nama\n99,Luar Negeri\n99.01,Malaysia\n");

    test_put_file(dir, "penduduk.csv", "kode,nama,pria,wanita,total\n12,Sumut,1,1,2\n");
    expect_load_error(dir, ERR_NOTFOUND, "REGION_POP_UNKNOWN", "penduduk.csv:2");
    test_put_file(dir, "penduduk.csv", "kode,nama,pria,wanita,total\n11,Aceh,1,1,2\n");
    test_put_file(dir, "luarnegeri_penduduk.csv", "kode,nama,pria,wanita,total\n99.01,M,3,4,8\n");
    expect_load_error(dir, ERR_INVALID, "REGION_POP_TOTAL", "luarnegeri_penduduk.csv:2");

    char longdir[PATH_MAX + 8];
    memset(longdir, 'a', sizeof longdir - 1);
    longdir[sizeof longdir - 1] = '\0';
    expect_load_error(longdir, ERR_LIMIT, "MASTERDATA_PATH", "wilayah.csv");
    remove_dir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_counts),
        cmocka_unit_test(test_known_names),
        cmocka_unit_test(test_populations_add_up),
        cmocka_unit_test(test_small_dir),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
