/* fuzz_form_parse — form_parse (fast path + reference) against
 * form_parse_reference on any bytes.
 *
 * Contract (src/core/form.h, form_internal.h):
 *   - form_parse and form_parse_reference give the same rc, the same
 *     e->code and e->where, and on success the same struct;
 *   - on error *out is all zero;
 *   - on success form_format fits FORM_TEXT_MAX, and form_parse of its
 *     output gives the same struct back (round trip), whose format is
 *     the same bytes again. */
#include <stdint.h>
#include <string.h>

#include "core/form.h"
#include "fuzz_common.h"

static int same_code(const err_info *a, const err_info *b)
{
    if (!a->code || !b->code)
        return a->code == b->code;
    return strcmp(a->code, b->code) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static form fast, ref, again;
    static char text[FORM_TEXT_MAX], text2[FORM_TEXT_MAX];
    err_info ef = {0}, er = {0};
    memset(&fast, 0xA5, sizeof fast);
    memset(&ref, 0x5A, sizeof ref);

    int rf = form_parse((const char *)data, size, &fast, &ef);
    int rr = form_parse_reference((const char *)data, size, &ref, &er);

    FUZZ_CHECK(rf == rr);
    FUZZ_CHECK(same_code(&ef, &er));
    if (rf < 0) {
        FUZZ_CHECK(ef.code != NULL);
        FUZZ_CHECK(strcmp(ef.where, er.where) == 0);
        FUZZ_CHECK(fuzz_all_zero(&fast, sizeof fast));
        FUZZ_CHECK(fuzz_all_zero(&ref, sizeof ref));
        return 0;
    }
    FUZZ_CHECK(rf == 0);
    FUZZ_CHECK(memcmp(&fast, &ref, sizeof fast) == 0);

    size_t n = form_format(&fast, text, sizeof text);
    FUZZ_CHECK(n < sizeof text);
    FUZZ_CHECK(strlen(text) == n);
    err_info e2 = {0};
    FUZZ_CHECK(form_parse(text, n, &again, &e2) == 0);
    FUZZ_CHECK(memcmp(&fast, &again, sizeof fast) == 0);
    size_t n2 = form_format(&again, text2, sizeof text2);
    FUZZ_CHECK(n2 == n && memcmp(text, text2, n) == 0);
    /* the reference parser reads the canonical text the same way */
    FUZZ_CHECK(form_parse_reference(text, n, &again, &e2) == 0);
    FUZZ_CHECK(memcmp(&fast, &again, sizeof fast) == 0);
    return 0;
}
