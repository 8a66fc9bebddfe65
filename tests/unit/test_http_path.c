/* Tests for http_path: each parser on what the listeners' routes send it,
 * and on the spellings it must refuse (leading zeros, empty or extra
 * segments, trailing slashes, dots, codes that do not extend their
 * parent, a tile path tlog_tile_path would not write, overflowing
 * numbers); the ingest routes and the status URL's TPS code. Photo names
 * are tested with the photos (test_http_photo.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "http/http_path.h"
#include "log/tlog.h"

static void test_decimal(void **state)
{
    (void)state;
    uint64_t v;
    const char *end;
    assert_int_equal(path_decimal("0", &v, &end), 0);
    assert_true(v == 0 && *end == '\0');
    assert_int_equal(path_decimal("123.json", &v, &end), 0);
    assert_true(v == 123 && !strcmp(end, ".json"));
    assert_int_equal(path_decimal("9999999999999999999", &v, &end), 0); /* 19 digits */
    assert_true(v == 9999999999999999999ull);
    assert_int_equal(path_decimal("10000000000000000000", &v, &end), -1); /* 20 */
    assert_int_equal(path_decimal("012", &v, &end), -1);
    assert_int_equal(path_decimal("00", &v, &end), -1);
    assert_int_equal(path_decimal("", &v, &end), -1);
    assert_int_equal(path_decimal("-1", &v, &end), -1);
    assert_int_equal(path_decimal("+1", &v, &end), -1);
    assert_int_equal(path_decimal(" 1", &v, &end), -1);

    assert_int_equal(path_size("42", &v), 0);
    assert_true(v == 42);
    assert_int_equal(path_size("42 ", &v), -1);
    assert_int_equal(path_size("42&to=3", &v), -1);
    assert_int_equal(path_size("4e2", &v), -1);
    assert_int_equal(path_size("", &v), -1);
}

static void test_stem(void **state)
{
    (void)state;
    char out[6];
    assert_int_equal(path_stem("3273.json", ".json", out, sizeof out), 0);
    assert_string_equal(out, "3273");
    assert_int_equal(path_stem("32731.json", ".json", out, sizeof out), 0); /* cap - 1 */
    assert_int_equal(path_stem("327301.json", ".json", out, sizeof out), -1);
    assert_int_equal(path_stem(".json", ".json", out, sizeof out), -1);     /* empty stem */
    assert_int_equal(path_stem("32.jsonx", ".json", out, sizeof out), -1);
    assert_int_equal(path_stem("32.JSON", ".json", out, sizeof out), -1);
    assert_int_equal(path_stem("json", ".json", out, sizeof out), -1);
}

static void test_region_code(void **state)
{
    (void)state;
    assert_int_equal(path_region_code("0", REGION_NATIONAL, REGION_TPS), REGION_NATIONAL);
    assert_int_equal(path_region_code("32", REGION_NATIONAL, REGION_TPS), REGION_PROVINCE);
    assert_int_equal(path_region_code("3273011001001", REGION_TPS, REGION_TPS), REGION_TPS);
    assert_int_equal(path_region_code("3273", REGION_PROVINCE, REGION_PROVINCE), -1);
    assert_int_equal(path_region_code("0", REGION_PROVINCE, REGION_TPS), -1);
    assert_int_equal(path_region_code("03", REGION_NATIONAL, REGION_TPS), -1); /* leading 0 */
    assert_int_equal(path_region_code("32.73", REGION_NATIONAL, REGION_TPS), -1);
    assert_int_equal(path_region_code("327", REGION_NATIONAL, REGION_TPS), -1);
    assert_int_equal(path_region_code("", REGION_NATIONAL, REGION_TPS), -1);
    assert_int_equal(path_region_code("..", REGION_NATIONAL, REGION_TPS), -1);
    assert_int_equal(path_region_code("32730110010011", REGION_NATIONAL, REGION_TPS), -1);
}

static void test_contest(void **state)
{
    (void)state;
    contest_kind k;
    const char *rest = NULL;
    assert_int_equal(path_contest("dpr/32.json", NULL, &k, &rest), 0);
    assert_int_equal(k, CONTEST_DPR);
    assert_string_equal(rest, "32.json");
    assert_int_equal(path_contest("dprd_kab/", NULL, &k, &rest), 0);
    assert_int_equal(k, CONTEST_DPRD_KAB);
    assert_string_equal(rest, "");
    assert_int_equal(path_contest("ppwp.csv", ".csv", &k, &rest), 0);
    assert_int_equal(k, CONTEST_PPWP);
    assert_int_equal(path_contest("dpr", NULL, &k, &rest), -1);           /* no slash */
    assert_int_equal(path_contest("pdpr/32.json", NULL, &k, &rest), -1);  /* a 2024 name */
    assert_int_equal(path_contest("DPR/32.json", NULL, &k, &rest), -1);
    assert_int_equal(path_contest("/32.json", NULL, &k, &rest), -1);
    assert_int_equal(path_contest("dprd_provinsi_x/1", NULL, &k, &rest), -1); /* too long */
    assert_int_equal(path_contest("ppwp.json", ".csv", &k, &rest), -1);
    assert_int_equal(path_contest("ppwp/x.csv", ".csv", &k, &rest), -1);

    assert_int_equal(path_contest24("pdprdk/11/1101.json", &rest), CONTEST_DPRD_KAB);
    assert_string_equal(rest, "11/1101.json");
    assert_int_equal(path_contest24("ppwp.json", &rest), CONTEST_PPWP);
    assert_null(rest);
    assert_int_equal(path_contest24("pdpd/0.json", &rest), CONTEST_DPD);
    assert_int_equal(path_contest24("dpr/0.json", &rest), -1); /* rekap's name */
    assert_int_equal(path_contest24("ppwp.jsonx", &rest), -1);
    assert_int_equal(path_contest24("ppwp", &rest), -1);
    assert_int_equal(path_contest24("ppwp.x/1", &rest), -1);
    assert_int_equal(path_contest24("", &rest), -1);
}

static void test_nested(void **state)
{
    (void)state;
    char c[REGION_TPS][REGION_CODE_MAX];
    assert_int_equal(path_nested("32", REGION_TPS, c), 1);
    assert_string_equal(c[0], "32");
    assert_int_equal(path_nested("32/3273/327301/3273011001/3273011001001", REGION_TPS, c), 5);
    assert_string_equal(c[3], "3273011001");
    assert_string_equal(c[4], "3273011001001");
    assert_int_equal(path_nested("32/3273", 1, c), -1);        /* deeper than max */
    assert_int_equal(path_nested("32/3273", 2, c), 2);
    assert_int_equal(path_nested("32/3573", REGION_TPS, c), -1); /* not 32's */
    assert_int_equal(path_nested("3273", REGION_TPS, c), -1);    /* a level skipped */
    assert_int_equal(path_nested("32/327301", REGION_TPS, c), -1);
    assert_int_equal(path_nested("32/", REGION_TPS, c), -1);     /* trailing slash */
    assert_int_equal(path_nested("/32", REGION_TPS, c), -1);
    assert_int_equal(path_nested("32//3273", REGION_TPS, c), -1);
    assert_int_equal(path_nested("", REGION_TPS, c), -1);
    assert_int_equal(path_nested("0", REGION_TPS, c), -1);       /* the nation is no level 1 */
    assert_int_equal(path_nested("03/0301", REGION_TPS, c), -1);
    assert_int_equal(path_nested("32/..", REGION_TPS, c), -1);
    assert_int_equal(path_nested("32/32.73", REGION_TPS, c), -1);
    /* max beyond the TPS level is held to it: codes[] has five rows */
    assert_int_equal(path_nested("32/3273/327301/3273011001/3273011001001/1", 9, c), -1);
}

static void test_cut(void **state)
{
    (void)state;
    char p1[] = "11/1101", p2[] = "11/1101/110101", p3[] = "11", p4[] = "11/1101/a/b";
    char *kode = path_cut(p1, 1);
    assert_string_equal(p1, "11");
    assert_string_equal(kode, "1101");
    kode = path_cut(p2, 2);
    assert_string_equal(p2, "11/1101");
    assert_string_equal(kode, "110101");
    assert_null(path_cut(p3, 1));
    assert_string_equal(p3, "11");
    assert_null(path_cut(p1, 2)); /* "11" now: one segment */
    kode = path_cut(p4, 1);
    assert_string_equal(kode, "1101/a/b"); /* the rest, for the lookup to refuse */
    assert_null(path_cut(p4, 0));
}

static void test_recap(void **state)
{
    (void)state;
    char code[REGION_CODE_MAX];
    uint64_t unit = 99;
    assert_int_equal(path_recap("327301.json", code, &unit), 0);
    assert_string_equal(code, "327301");
    assert_int_equal(path_recap("327301/12.json", code, &unit), 1);
    assert_string_equal(code, "327301");
    assert_true(unit == 12);
    assert_int_equal(path_recap("0/0.json", code, &unit), 1);
    assert_true(unit == 0);
    assert_int_equal(path_recap("327301/012.json", code, &unit), -1);
    assert_int_equal(path_recap("327301/12.json/", code, &unit), -1);
    assert_int_equal(path_recap("327301/12", code, &unit), -1);
    assert_int_equal(path_recap("/12.json", code, &unit), -1);
    assert_int_equal(path_recap("32730110010010/1.json", code, &unit), -1); /* 14 bytes */
    assert_int_equal(path_recap("327301/1/2.json", code, &unit), -1);
    assert_int_equal(path_recap(".json", code, &unit), -1);
}

static void test_caleg(void **state)
{
    (void)state;
    char kode[PATH_KODE_MAX];
    contest_kind k;
    assert_int_equal(path_caleg("dpd/32.json", kode, &k), 0);
    assert_int_equal(k, CONTEST_DPD);
    assert_string_equal(kode, "32");
    assert_int_equal(path_caleg("partai/3201.json", kode, &k), 0);
    assert_int_equal(k, CONTEST_DPR);
    assert_int_equal(path_caleg("partai/320001.json", kode, &k), 0);
    assert_int_equal(k, CONTEST_DPRD_PROV);
    assert_int_equal(path_caleg("partai/327301.json", kode, &k), 0);
    assert_int_equal(k, CONTEST_DPRD_KAB);
    assert_int_equal(path_caleg("partai/32730123.json", kode, &k), -1); /* 8 bytes */
    assert_int_equal(path_caleg("partai/.json", kode, &k), -1);
    assert_int_equal(path_caleg("partai/3201", kode, &k), -1);
    assert_int_equal(path_caleg("dpr/3201.json", kode, &k), -1);
    assert_int_equal(path_caleg("", kode, &k), -1);
}

/* Every tile tlog_tile_path writes parses back to its numbers. */
static void tile_round_trip(int level, uint64_t n, unsigned width)
{
    char p[TLOG_PATH_MAX];
    tlog_tile_path(p, level, n, width);
    int l = 99;
    uint64_t m = 0;
    unsigned w = 0;
    if (path_tile(p, &l, &m, &w) < 0)
        fail_msg("%s refused", p);
    assert_int_equal(l, level);
    assert_true(m == n);
    assert_int_equal(w, width);
}

static void test_tile(void **state)
{
    (void)state;
    static const uint64_t ns[] = {0, 1, 999, 1000, 1234067, 999999999, UINT64_MAX / 256 - 1};
    for (int level = TLOG_ENTRIES; level < TLOG_LEVELS; level++)
        for (size_t i = 0; i < sizeof ns / sizeof ns[0]; i++) {
            tile_round_trip(level, ns[i], TLOG_TILE_WIDTH);
            tile_round_trip(level, ns[i], 1);
            tile_round_trip(level, ns[i], TLOG_TILE_WIDTH - 1);
        }
    int l;
    uint64_t n;
    unsigned w;
    static const char *const bad[] = {
        "tile/0/001/x002",        /* groups after the last */
        "tile/0/x000/001",        /* a leading zero group */
        "tile/0/01",              /* two digits */
        "tile/0/0001",
        "tile/00/001",
        "tile/8/001",             /* level past the tree */
        "tile/-1/001",
        "tile/entries/001.p/0",   /* empty partial */
        "tile/entries/001.p/256", /* a full tile has no .p */
        "tile/entries/001.p/08",
        "tile/entries/001.p/",
        "tile/entries/001/",
        "tile/0/x001/../001",
        "tile/0/x001//001",
        "tile/0/001.p/8/",
        "tile//001",
        "tile/0/",
        "tile/",
        "tiles/0/001",
        "TILE/0/001",
        "",
        /* n = 72057594037927936 = 2^56: n * 256 does not fit 64 bits */
        "tile/0/x072/x057/x594/x037/x927/936",
        /* eight groups, and 10^21 - 1 */
        "tile/0/x001/x000/x000/x000/x000/x000/x000/000",
        "tile/0/x999/x999/x999/x999/x999/x999/999",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        if (path_tile(bad[i], &l, &n, &w) == 0)
            fail_msg("%s accepted", bad[i]);
}

static void test_ingest(void **state)
{
    (void)state;
    assert_int_equal(path_ingest_route("/api/v1/submissions"), PATH_INGEST_SUBMIT);
    assert_int_equal(path_ingest_route("/api/v1/submissions/"), PATH_INGEST_OTHER);
    assert_int_equal(path_ingest_route("/api/v1/photos/"), PATH_INGEST_PHOTO); /* name: later */
    assert_int_equal(path_ingest_route("/api/v1/photos/../x"), PATH_INGEST_PHOTO);
    assert_int_equal(path_ingest_route("/api/v1/tps/3273011001001/status"), PATH_INGEST_STATUS);
    assert_int_equal(path_ingest_route("/api/v1/tps/x/status"), PATH_INGEST_STATUS);
    assert_int_equal(path_ingest_route("/api/v1/tps//status"), PATH_INGEST_OTHER);
    assert_int_equal(path_ingest_route("/api/v1/tps/status"), PATH_INGEST_OTHER);
    assert_int_equal(path_ingest_route("/api/v1/tps/3273011001001"), PATH_INGEST_OTHER);
    assert_int_equal(path_ingest_route("/metrics"), PATH_INGEST_METRICS);
    assert_int_equal(path_ingest_route("/metrics/"), PATH_INGEST_OTHER);
    assert_int_equal(path_ingest_route("/healthz"), PATH_INGEST_HEALTH);
    assert_int_equal(path_ingest_route(""), PATH_INGEST_OTHER);
    assert_int_equal(path_ingest_route("/"), PATH_INGEST_OTHER);

    char code[REGION_CODE_MAX] = "junk";
    assert_int_equal(path_tps_status("/api/v1/tps/3273011001001/status", code), 0);
    assert_string_equal(code, "3273011001001");
    static const char *const bad[] = {
        "/api/v1/tps/327301100100/status",   /* 12 digits */
        "/api/v1/tps/32730110010011/status", /* 14 */
        "/api/v1/tps/0273011001001/status",
        "/api/v1/tps/3273011001x01/status",
        "/api/v1/tps/32.73.01.1001.001/status",
        "/api/v1/tps/32730/1001001/status",
        "/api/v1/tps/3273011001001/statu",
        "/api/v1/tps//status",
        "/api/v1/submissions",
        "",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        strcpy(code, "junk");
        if (path_tps_status(bad[i], code) == 0)
            fail_msg("%s accepted", bad[i]);
        assert_string_equal(code, "");
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decimal),   cmocka_unit_test(test_stem),
        cmocka_unit_test(test_region_code), cmocka_unit_test(test_contest),
        cmocka_unit_test(test_nested),    cmocka_unit_test(test_cut),
        cmocka_unit_test(test_recap),     cmocka_unit_test(test_caleg),
        cmocka_unit_test(test_tile),      cmocka_unit_test(test_ingest),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
