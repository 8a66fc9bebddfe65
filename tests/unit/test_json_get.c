/* test_json_get — the strict accessors and their JSON paths: the path as
 * a reader descends and climbs back (and cut at the format's cap), and for
 * each accessor the value it accepts and each fault it reports, with the
 * fault's details and the path it names; the path is as before after a
 * report. The formats' own words are tested with election and form. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "core/json_get.h"

/* The last fault reported, and the path it was reported at. */
static jget_fault last;
static char last_path[JGET_PATH_MAX];
static int reports;

static int record(const jget *g, const jget_fault *f)
{
    last = *f;
    snprintf(last_path, sizeof last_path, "%s", g->path);
    reports++;
    return err_set(g->e, f->kind == JGET_TOO_LONG ? ERR_LIMIT : ERR_INVALID, "TEST_FAULT",
                   g->path, "fault %d", (int)f->kind);
}

static json_t *doc(const char *text)
{
    json_error_t je;
    json_t *j = json_loads(text, JSON_REJECT_DUPLICATES, &je);
    if (!j)
        fail_msg("bad test JSON %s: %s", text, je.text);
    return j;
}

/* A reader at "items[2]", as if descending into a document. */
static void at_item(jget *g, err_info *e)
{
    jget_init(g, e, JGET_PATH_MAX, record);
    jget_key(g, "items");
    jget_index(g, 2);
    reports = 0;
    memset(&last, 0, sizeof last);
    last_path[0] = '\0';
}

/* The path after a report is the one before it. */
static void expect_fault(const jget *g, int rc, jget_fault_kind kind, const char *path)
{
    assert_int_equal(rc, kind == JGET_TOO_LONG ? ERR_LIMIT : ERR_INVALID);
    assert_int_equal(reports, 1);
    assert_int_equal(last.kind, kind);
    assert_string_equal(last_path, path);
    assert_string_equal(g->path, "items[2]");
}

static void test_path(void **state)
{
    jget g;
    (void)state;
    jget_init(&g, NULL, JGET_PATH_MAX, record);
    assert_string_equal(g.path, "");
    size_t root = jget_key(&g, "contests");
    assert_int_equal(root, 0);
    size_t dpr = jget_key(&g, "dpr");
    jget_index(&g, 3);
    size_t lists = jget_at(&g, "lists", 12);
    assert_string_equal(g.path, "contests.dpr[3].lists[12]");
    assert_int_equal(g.n, strlen(g.path));
    jget_pop(&g, lists);
    assert_string_equal(g.path, "contests.dpr[3]");
    jget_at(&g, NULL, 0);
    jget_at(&g, "x", -1);
    jget_at(&g, NULL, -1);
    assert_string_equal(g.path, "contests.dpr[3][0].x");
    jget_pop(&g, dpr);
    assert_string_equal(g.path, "contests");
    jget_pop(&g, root);
    assert_string_equal(g.path, "");
    jget_index(&g, 7); /* an array at the root */
    jget_key(&g, "");  /* an empty name still takes its dot */
    assert_string_equal(g.path, "[7].");
}

/* A path longer than the cap is cut; an index that no longer fits is
 * left out, and popping restores what was there. */
static void test_path_cap(void **state)
{
    jget g;
    (void)state;
    jget_init(&g, NULL, 8, record);
    size_t a = jget_key(&g, "abc");
    size_t b = jget_key(&g, "defghij");
    assert_string_equal(g.path, "abc.def");
    assert_int_equal(g.n, 7);
    jget_index(&g, 1);
    assert_string_equal(g.path, "abc.def");
    jget_pop(&g, b);
    jget_index(&g, 12345);
    assert_string_equal(g.path, "abc[123");
    jget_pop(&g, a);
    assert_string_equal(g.path, "");
}

static void test_object(void **state)
{
    static const char *const allowed[] = {"no", "name"};
    err_info e = {0};
    jget g;
    (void)state;
    json_t *ok = doc("{\"no\":1,\"name\":\"A\"}");
    json_t *some = doc("{\"no\":1}");
    json_t *typo = doc("{\"no\":1,\"nmae\":\"A\"}");
    json_t *arr = doc("[]");

    at_item(&g, &e);
    assert_int_equal(jget_object(&g, ok, allowed, 2), 0);
    assert_int_equal(jget_object(&g, some, allowed, 2), 0);
    assert_int_equal(reports, 0);

    expect_fault(&g, jget_object(&g, typo, allowed, 2), JGET_UNKNOWN, "items[2].nmae");
    assert_string_equal(last.key, "nmae");
    assert_string_equal(e.where, "items[2].nmae");
    assert_string_equal(e.code, "TEST_FAULT");

    at_item(&g, &e);
    expect_fault(&g, jget_object(&g, ok, allowed, 1), JGET_UNKNOWN, "items[2].name");

    at_item(&g, &e);
    expect_fault(&g, jget_object(&g, arr, allowed, 2), JGET_TYPE, "items[2]");
    assert_int_equal(last.want, JGET_OBJECT);
    json_decref(ok);
    json_decref(some);
    json_decref(typo);
    json_decref(arr);
}

static void test_member(void **state)
{
    static const struct {
        jget_type want;
        const char *good, *bad;
    } types[] = {
        {JGET_OBJECT, "{}", "[]"},       {JGET_ARRAY, "[1]", "{}"},
        {JGET_STRING, "\"s\"", "1"},     {JGET_INTEGER, "-3", "3.0"},
        {JGET_BOOLEAN, "false", "0"},    {JGET_INTEGER, "0", "\"0\""},
        {JGET_BOOLEAN, "true", "null"},
    };
    err_info e = {0};
    jget g;
    json_t *v;
    (void)state;
    for (size_t i = 0; i < sizeof types / sizeof types[0]; i++) {
        char text[64];
        snprintf(text, sizeof text, "{\"good\":%s,\"bad\":%s}", types[i].good, types[i].bad);
        json_t *o = doc(text);
        at_item(&g, &e);
        assert_int_equal(jget_member(&g, o, "good", types[i].want, &v), 0);
        assert_ptr_equal(v, json_object_get(o, "good"));
        assert_int_equal(jget_member(&g, o, "bad", JGET_ANY, &v), 0);
        assert_int_equal(reports, 0);
        expect_fault(&g, jget_member(&g, o, "bad", types[i].want, &v), JGET_TYPE,
                     "items[2].bad");
        assert_int_equal(last.want, types[i].want);
        at_item(&g, &e);
        expect_fault(&g, jget_member(&g, o, "gone", types[i].want, &v), JGET_MISSING,
                     "items[2].gone");
        assert_string_equal(last.key, "gone");
        assert_null(v);
        at_item(&g, &e);
        expect_fault(&g, jget_is(&g, json_object_get(o, "bad"), "bad", 4, types[i].want),
                     JGET_TYPE, "items[2].bad[4]");
        json_decref(o);
    }
}

static void test_int(void **state)
{
    err_info e = {0};
    jget g;
    long long x = 42;
    (void)state;
    json_t *o = doc("{\"lo\":-5,\"hi\":999,\"over\":1000,\"real\":1.0,"
                    "\"big\":9223372036854775807,\"list\":[0,7,-1]}");

    at_item(&g, &e);
    assert_int_equal(jget_int_member(&g, o, "lo", -5, 999, "R", &x), 0);
    assert_int_equal(x, -5);
    assert_int_equal(jget_int_member(&g, o, "hi", -5, 999, "R", &x), 0);
    assert_int_equal(x, 999);
    assert_int_equal(jget_int_member(&g, o, "big", 0, INT64_MAX, "R", &x), 0);
    assert_int_equal(x, INT64_MAX);
    assert_int_equal(reports, 0);

    x = 42;
    expect_fault(&g, jget_int_member(&g, o, "over", -5, 999, "MY_RANGE", &x), JGET_RANGE,
                 "items[2].over");
    assert_int_equal(x, 42); /* nothing written on error */
    assert_string_equal(last.code, "MY_RANGE");
    assert_int_equal(last.value, 1000);
    assert_int_equal(last.lo, -5);
    assert_int_equal(last.hi, 999);

    at_item(&g, &e);
    expect_fault(&g, jget_int_member(&g, o, "lo", 0, 9, "R", &x), JGET_RANGE,
                 "items[2].lo");
    assert_int_equal(last.value, -5);

    at_item(&g, &e);
    expect_fault(&g, jget_int_member(&g, o, "real", 0, 9, "R", &x), JGET_TYPE,
                 "items[2].real");
    assert_int_equal(last.want, JGET_INTEGER);

    at_item(&g, &e);
    expect_fault(&g, jget_int_member(&g, o, "none", 0, 9, "R", &x), JGET_MISSING,
                 "items[2].none");

    /* elements: the path names the member and the index */
    json_t *list = json_object_get(o, "list");
    at_item(&g, &e);
    assert_int_equal(jget_int(&g, json_array_get(list, 1), "list", 1, 0, 9, "R", &x), 0);
    assert_int_equal(x, 7);
    expect_fault(&g, jget_int(&g, json_array_get(list, 2), "list", 2, 0, 9, "R", &x),
                 JGET_RANGE, "items[2].list[2]");
    at_item(&g, &e);
    expect_fault(&g, jget_int(&g, json_array_get(list, 2), NULL, 2, 0, 9, "R", &x),
                 JGET_RANGE, "items[2][2]");
    json_decref(o);
}

static void test_array(void **state)
{
    err_info e = {0};
    jget g;
    json_t *arr;
    (void)state;
    json_t *o = doc("{\"three\":[1,2,3],\"empty\":[],\"obj\":{}}");

    at_item(&g, &e);
    assert_int_equal(jget_array(&g, o, "three", 3, &arr), 0);
    assert_int_equal(json_array_size(arr), 3);
    assert_int_equal(jget_array(&g, o, "empty", 0, &arr), 0);
    assert_int_equal(reports, 0);

    expect_fault(&g, jget_array(&g, o, "three", 2, &arr), JGET_TOO_LONG, "items[2].three");
    assert_int_equal(last.n, 3);
    assert_int_equal(last.max, 2);
    assert_string_equal(e.where, "items[2].three");

    at_item(&g, &e);
    expect_fault(&g, jget_array(&g, o, "obj", 9, &arr), JGET_TYPE, "items[2].obj");
    assert_int_equal(last.want, JGET_ARRAY);

    at_item(&g, &e);
    expect_fault(&g, jget_array(&g, o, "none", 9, &arr), JGET_MISSING, "items[2].none");
    json_decref(o);
}

/* Reports go nowhere when the caller wants no details; codes still do. */
static void test_no_err_info(void **state)
{
    jget g;
    json_t *v;
    (void)state;
    json_t *o = doc("{\"a\":\"x\"}");
    at_item(&g, NULL);
    assert_int_equal(jget_member(&g, o, "a", JGET_INTEGER, &v), ERR_INVALID);
    assert_int_equal(jget_array(&g, o, "b", 1, &v), ERR_INVALID);
    assert_string_equal(g.path, "items[2]");
    json_decref(o);
}

static void test_type_names(void **state)
{
    (void)state;
    assert_string_equal(jget_type_name(JGET_OBJECT), "an object");
    assert_string_equal(jget_type_name(JGET_ARRAY), "an array");
    assert_string_equal(jget_type_name(JGET_STRING), "a string");
    assert_string_equal(jget_type_name(JGET_INTEGER), "an integer");
    assert_string_equal(jget_type_name(JGET_BOOLEAN), "true or false");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_path),   cmocka_unit_test(test_path_cap),
        cmocka_unit_test(test_object), cmocka_unit_test(test_member),
        cmocka_unit_test(test_int),    cmocka_unit_test(test_array),
        cmocka_unit_test(test_no_err_info), cmocka_unit_test(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
