/* fuzz_entry — submission_parse and entry_parse on any bytes.
 *
 * Contract (src/core/entry.h):
 *   - on error *out is all zero and e->code is set;
 *   - submission_parse success: submission_encode gives back exactly the
 *     input bytes (one byte representation per meaning), and
 *     submission_check accepts the struct;
 *   - entry_parse success: entry_encode gives back exactly the input,
 *     en.sub_bytes[0..sub_len) lies inside the input, and submission_parse
 *     of those bytes gives the same submission. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/entry.h"
#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static submission sub, sub2;
    static entry en;
    static char buf[ENTRY_MAX + 1];
    const char *in = (const char *)data;
    err_info e = {0};

    memset(&sub, 0xA5, sizeof sub);
    int rc = submission_parse(in, size, &sub, &e);
    if (rc < 0) {
        FUZZ_CHECK(e.code != NULL);
        FUZZ_CHECK(fuzz_all_zero(&sub, sizeof sub));
    } else {
        FUZZ_CHECK(rc == 0);
        size_t n = submission_encode(&sub, buf, sizeof buf);
        FUZZ_CHECK(n == size && memcmp(buf, in, size) == 0);
        err_info ec = {0};
        FUZZ_CHECK(submission_check(&sub, &ec) == 0);
    }

    memset(&e, 0, sizeof e);
    memset(&en, 0xA5, sizeof en);
    rc = entry_parse(in, size, &en, &e);
    if (rc < 0) {
        FUZZ_CHECK(e.code != NULL);
        FUZZ_CHECK(fuzz_all_zero(&en, sizeof en));
        return 0;
    }
    FUZZ_CHECK(rc == 0);
    FUZZ_CHECK(en.sub_bytes >= in && en.sub_len <= size &&
               (size_t)(en.sub_bytes - in) <= size - en.sub_len);
    size_t n = entry_encode(&en, buf, sizeof buf);
    FUZZ_CHECK(n == size && memcmp(buf, in, size) == 0);
    err_info e2 = {0};
    memset(&sub2, 0, sizeof sub2);
    FUZZ_CHECK(submission_parse(en.sub_bytes, en.sub_len, &sub2, &e2) == 0);
    FUZZ_CHECK(memcmp(&sub2, &en.sub, sizeof sub2) == 0);
    return 0;
}
