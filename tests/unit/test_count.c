/* Tests of count: the one counting rule. A first version is counted; a
 * correction takes the version counted before out (read back through the
 * source, with its own numbers) and puts the new one in; a source that
 * fails leaves the tally as it was; a form that does not fit is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "core/count.h"
#include "core/mem.h"
#include "testutil.h"

typedef struct fixture {
    election *el;
    form *forms;                 /* the true PPWP forms, one per TPS */
    size_t nforms;
    tally *t;
    uint16_t *counted;
    /* the source: the versions "logged" for TPS 0 */
    form logged[4];
    unsigned prev_calls, prev_fail;
} fixture;

static int setup(void **state)
{
    fixture *fx = mem_calloc(1, sizeof *fx);
    fx->el = test_province("65", 3, 1u << CONTEST_PPWP, &fx->forms, &fx->nforms);
    fx->t = tally_new(fx->el);
    fx->counted = mem_calloc(fx->el->ntps * CONTEST_KINDS, sizeof *fx->counted);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    tally_free(fx->t);
    free(fx->counted);
    free(fx->forms);
    election_free(fx->el);
    free(fx);
    return 0;
}

/* The source of earlier versions: fx->logged[version], or a failure. */
static int prev(void *ctx, const char *tps, contest_kind k, uint32_t version, entry *out,
                err_info *e)
{
    fixture *fx = ctx;
    fx->prev_calls++;
    if (fx->prev_fail)
        return err_set(e, ERR_INVALID, "TEST_PREV", tps, "the source refuses");
    assert_true(version < 4 && k == CONTEST_PPWP);
    memset(out, 0, sizeof *out);
    out->sub.form = fx->logged[version];
    out->sub.version = version;
    out->accepted = 1;
    return 0;
}

static uint64_t pair(const fixture *fx, unsigned i)
{
    return tally_region_sel(fx->t, CONTEST_PPWP, 0)[i];
}

static void count_ok(fixture *fx, uint32_t version)
{
    err_info e = {0};
    assert_int_equal(count_form(fx->t, prev, fx, fx->counted, 0, CONTEST_PPWP,
                                version, &fx->logged[version], 0, &e), 0);
}

static void test_first_then_corrections(void **state)
{
    fixture *fx = *state;
    fx->logged[1] = fx->forms[0];
    fx->logged[2] = fx->forms[0];
    fx->logged[2].votes[0] += 1; /* a one-vote correction, moved from pair 2 */
    fx->logged[2].votes[1] -= 1;
    count_ok(fx, 1);
    assert_int_equal(fx->prev_calls, 0);
    assert_int_equal(fx->counted[CONTEST_PPWP], 1);
    assert_int_equal(pair(fx, 0), fx->forms[0].votes[0]);
    assert_int_equal(tally_region(fx->t, CONTEST_PPWP, 0)->tps_counted, 1);

    count_ok(fx, 2);
    assert_int_equal(fx->prev_calls, 1);
    assert_int_equal(fx->counted[CONTEST_PPWP], 2);
    assert_int_equal(pair(fx, 0), fx->forms[0].votes[0] + 1);
    assert_int_equal(pair(fx, 1), fx->forms[0].votes[1] - 1);
    assert_int_equal(tally_region(fx->t, CONTEST_PPWP, 0)->tps_counted, 1);
}

static void test_failing_source_changes_nothing(void **state)
{
    fixture *fx = *state;
    fx->logged[1] = fx->forms[0];
    fx->logged[3] = fx->forms[0];
    fx->logged[3].votes[0] += 5;
    fx->logged[3].votes[2] -= 5;
    count_ok(fx, 1);
    tally_row before = *tally_region(fx->t, CONTEST_PPWP, 0);
    uint64_t p0 = pair(fx, 0);
    fx->prev_fail = 1;
    err_info e = {0};
    assert_int_equal(count_form(fx->t, prev, fx, fx->counted, 0, CONTEST_PPWP, 3,
                                &fx->logged[3], 0, &e), ERR_INVALID);
    assert_string_equal(e.code, "TEST_PREV");
    assert_int_equal(pair(fx, 0), p0);
    assert_int_equal(tally_region(fx->t, CONTEST_PPWP, 0)->valid, before.valid);
    assert_int_equal(fx->counted[CONTEST_PPWP], 1);
}

static void test_form_that_does_not_fit(void **state)
{
    fixture *fx = *state;
    form f = fx->forms[0];
    f.nvotes = f.nvotes + 1; /* one selection more than the ballot has */
    err_info e = {0};
    assert_int_equal(count_form(fx->t, prev, fx, fx->counted, 0, CONTEST_PPWP, 1,
                                &f, 0, &e), ERR_INVALID);
    assert_string_equal(e.code, "INGEST_TALLY");
    assert_int_equal(fx->counted[CONTEST_PPWP], 0);
    assert_int_equal(tally_region(fx->t, CONTEST_PPWP, 0)->tps_counted, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_first_then_corrections, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failing_source_changes_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_that_does_not_fit, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
