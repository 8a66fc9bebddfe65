/* Tests of par: every item is visited exactly once, whatever the number of
 * items and threads, including none and more threads than items. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "io/par.h"

typedef struct visits {
    _Atomic unsigned *count;
} visits;

static void visit(void *ctx, size_t i)
{
    visits *v = ctx;
    atomic_fetch_add(&v->count[i], 1);
}

static void test_each_item_once(void **state)
{
    (void)state;
    static const size_t sizes[] = {0, 1, 2, 3, 17, 1000};
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
        for (unsigned t = 1; t <= PAR_THREADS_MAX; t++) {
            size_t n = sizes[s];
            visits v = {calloc(n ? n : 1, sizeof *v.count)};
            par_for(n, t, visit, &v);
            for (size_t i = 0; i < n; i++)
                assert_int_equal(atomic_load(&v.count[i]), 1);
            free(v.count);
        }
}

static void test_threads_bounded(void **state)
{
    (void)state;
    unsigned t = par_threads();
    assert_true(t >= 1 && t <= PAR_THREADS_MAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_each_item_once),
        cmocka_unit_test(test_threads_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
