/* testutil — helpers shared by the unit tests; see testutil.h. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "core/mem.h"

char *test_replace(const char *base, const char *from, const char *to)
{
    const char *at = strstr(base, from);
    assert_non_null(at);
    size_t pre = (size_t)(at - base), nf = strlen(from), nt = strlen(to);
    size_t rest = strlen(at + nf);
    char *s = mem_alloc(pre + nt + rest + 1);
    memcpy(s, base, pre);
    memcpy(s + pre, to, nt);
    memcpy(s + pre + nt, at + nf, rest + 1);
    return s;
}
