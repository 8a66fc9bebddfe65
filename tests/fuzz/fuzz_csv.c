/* fuzz_csv — the bounded RFC 4180 reader on any bytes.
 *
 * Contract (src/core/csv.h):
 *   - csv_next returns >= 1 fields (at most max_fields), 0 at the end, or
 *     ERR_INVALID / ERR_LIMIT with e->code set, after which it returns 0;
 *   - every field is a NUL-terminated string inside r->buf;
 *   - the reader terminates (each record consumes input);
 *   - csv_uint never reads past a field's NUL. */
#include <stdint.h>
#include <string.h>

#include "core/csv.h"
#include "core/err.h"
#include "fuzz_common.h"

#define MAX_FIELDS 16

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static csv_reader r;
    char *fields[MAX_FIELDS];
    csv_init(&r, (const char *)data, size, "fuzz.csv");
    for (size_t records = 0;; records++) {
        FUZZ_CHECK(records <= size + 1);
        err_info e = {0};
        int n = csv_next(&r, fields, MAX_FIELDS, &e);
        if (n == 0)
            break;
        if (n < 0) {
            FUZZ_CHECK(n == ERR_INVALID || n == ERR_LIMIT);
            FUZZ_CHECK(e.code != NULL);
            err_info e2 = {0};
            FUZZ_CHECK(csv_next(&r, fields, MAX_FIELDS, &e2) == 0);
            break;
        }
        FUZZ_CHECK(n <= MAX_FIELDS);
        for (int i = 0; i < n; i++) {
            FUZZ_CHECK(fields[i] >= r.buf && fields[i] < r.buf + sizeof r.buf);
            size_t room = (size_t)(r.buf + sizeof r.buf - fields[i]);
            FUZZ_CHECK(memchr(fields[i], '\0', room) != NULL);
            unsigned long long v;
            (void)csv_uint(fields[i], 999999999ULL, &v);
        }
        char where[160];
        csv_where(&r, where, sizeof where);
    }
    return 0;
}
