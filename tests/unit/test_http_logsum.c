/* Tests for http_logsum: a flood of one kind is one line with its exact
 * count and the heaviest address first; nothing more until the interval
 * is over (unless flushed whole); kinds beyond the table share "other";
 * nothing is written for kinds with nothing counted; many threads count
 * every event. The lines are read back from stderr, redirected to a file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "http/http_logsum.h"

static char logpath[] = "/tmp/test_http_logsum.XXXXXX";

/* Redirect stderr to a fresh file for one test. */
static int setup(void **state)
{
    (void)state;
    int fd = mkstemp(logpath);
    if (fd < 0)
        return -1;
    close(fd);
    return freopen(logpath, "w", stderr) ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    fflush(stderr);
    unlink(logpath);
    strcpy(logpath, "/tmp/test_http_logsum.XXXXXX");
    return 0;
}

/* The lines written so far, as JSON objects (an array, caller frees). */
static json_t *lines(void)
{
    fflush(stderr);
    FILE *f = fopen(logpath, "r");
    assert_non_null(f);
    json_t *all = json_array();
    char buf[8192];
    while (fgets(buf, sizeof buf, f)) {
        json_t *o = json_loads(buf, 0, NULL);
        assert_non_null(o);
        json_array_append_new(all, o);
    }
    fclose(f);
    return all;
}

static const uint8_t heavy[4] = {192, 0, 2, 7}, light[4] = {198, 51, 100, 1};

static void test_flood_is_one_line(void **state)
{
    (void)state;
    logsum *ls = logsum_new("ingest", 3600);
    for (int i = 0; i < 10000; i++)
        logsum_note(ls, "refused", "per_ip", i % 10 ? heavy : light, 4);
    logsum_flush(ls, 0);
    json_t *all = lines();
    assert_int_equal(json_array_size(all), 1);
    json_t *o = json_array_get(all, 0);
    assert_string_equal(json_string_value(json_object_get(o, "event")), "refused");
    assert_string_equal(json_string_value(json_object_get(o, "listener")), "ingest");
    assert_string_equal(json_string_value(json_object_get(o, "kind")), "per_ip");
    assert_int_equal(json_integer_value(json_object_get(o, "count")), 10000);
    json_t *top = json_object_get(o, "top");
    assert_int_equal(json_array_size(top), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(top, 0), "client")),
                        "192.0.2.7");
    assert_int_equal(json_integer_value(json_object_get(json_array_get(top, 0), "count")), 9000);
    json_decref(all);
    logsum_free(ls);
}

static void test_interval(void **state)
{
    (void)state;
    logsum *ls = logsum_new("public", 3600);
    logsum_note(ls, "cut", "slow", heavy, 4);
    logsum_flush(ls, 0);
    logsum_note(ls, "cut", "slow", heavy, 4);
    logsum_note(ls, "cut", "slow", light, 4);
    logsum_flush(ls, 0); /* within the interval: counted, not written */
    logsum_flush(ls, 0);
    json_t *all = lines();
    assert_int_equal(json_array_size(all), 1);
    json_decref(all);
    logsum_flush(ls, 1); /* whole: the two since */
    all = lines();
    assert_int_equal(json_array_size(all), 2);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(all, 1), "count")), 2);
    json_decref(all);
    logsum_flush(ls, 1); /* nothing counted: nothing written */
    logsum_free(ls);
    all = lines();
    assert_int_equal(json_array_size(all), 2);
    json_decref(all);
}

static void test_kinds_bounded(void **state)
{
    (void)state;
    logsum *ls = logsum_new("ingest", 3600);
    char kind[32];
    for (int i = 0; i < 3 * LOGSUM_KINDS; i++) {
        snprintf(kind, sizeof kind, "message %d", i);
        logsum_note(ls, "mhd", kind, NULL, 0);
    }
    logsum_free(ls); /* writes what is counted */
    json_t *all = lines();
    assert_int_equal(json_array_size(all), LOGSUM_KINDS);
    json_t *last = json_array_get(all, LOGSUM_KINDS - 1);
    assert_string_equal(json_string_value(json_object_get(last, "kind")), "other");
    assert_int_equal(json_integer_value(json_object_get(last, "count")), 2 * LOGSUM_KINDS + 1);
    assert_null(json_object_get(last, "top")); /* no addresses given */
    json_decref(all);
}

static void *noter(void *arg)
{
    logsum *ls = arg;
    uint8_t key[8] = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 1};
    for (int i = 0; i < 20000; i++)
        logsum_note(ls, "refused", "rate_limited", key, sizeof key);
    return NULL;
}

static void test_threads(void **state)
{
    (void)state;
    logsum *ls = logsum_new("ingest", 3600);
    pthread_t t[4];
    for (int i = 0; i < 4; i++)
        pthread_create(&t[i], NULL, noter, ls);
    for (int i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    logsum_free(ls);
    json_t *all = lines();
    json_t *o = json_array_get(all, 0);
    assert_int_equal(json_integer_value(json_object_get(o, "count")), 80000);
    assert_string_equal( /* an IPv6 client is its /64 */
        json_string_value(json_object_get(json_array_get(json_object_get(o, "top"), 0), "client")),
        "2001:db8:0:1::/64");
    json_decref(all);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_flood_is_one_line, setup, teardown),
        cmocka_unit_test_setup_teardown(test_interval, setup, teardown),
        cmocka_unit_test_setup_teardown(test_kinds_bounded, setup, teardown),
        cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
