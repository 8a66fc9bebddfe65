/* fuzz_recap — recap_submission_parse and recap_entry_parse on any bytes:
 * the signed recap (rekap-dhasil/1), the plenary record (rekap-dkk/1) and
 * their log entries.
 *
 * Contract (src/core/recap.h):
 *   - on error the out struct is all zero (owns nothing) and e->code is set;
 *   - a submission that parses encodes back to exactly the input bytes
 *     (one byte representation per meaning), and its numbers are in range
 *     with every corrected row as wide as the totals;
 *   - an entry that parses encodes back to exactly the input, its signed
 *     bytes lie inside the input and parse alone to the same text. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/recap.h"
#include "fuzz_common.h"

static char buf[ENTRY_MAX + 1];

static void check_recap(const recap *r)
{
    FUZZ_CHECK(r->width > RECAP_I_SEL && r->width <= RECAP_WIDTH_MAX);
    FUZZ_CHECK(r->nrow <= RECAP_ROWS_MAX);
    for (uint32_t f = 0; f < r->width; f++)
        FUZZ_CHECK(r->totals[f] <= RECAP_VALUE_MAX);
    for (uint32_t i = 0; i < r->nrow; i++) {
        const recap_row *w = &r->row[i];
        FUZZ_CHECK(i == 0 || strcmp(r->row[i - 1].code, w->code) < 0);
        FUZZ_CHECK((w->how == RECAP_CORRECT) == (w->numbers != NULL));
        FUZZ_CHECK((w->how == RECAP_ADOPT) == (w->reason == NULL));
        for (uint32_t f = 0; w->numbers && f < r->width; f++)
            FUZZ_CHECK(w->numbers[f] <= RECAP_VALUE_MAX);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    recap_entry en, again;
    err_info e = {0};

    int rc = recap_submission_parse(in, size, &en, &e);
    if (rc < 0) {
        FUZZ_CHECK(e.code != NULL);
        FUZZ_CHECK(fuzz_all_zero(&en, sizeof en));
    } else {
        FUZZ_CHECK(rc == 0);
        size_t n = recap_submission_encode(&en, buf, sizeof buf);
        FUZZ_CHECK(n == size && memcmp(buf, in, size) == 0);
        if (en.type == SIGNED_RECAP)
            check_recap(&en.recap);
        recap_entry_free(&en);
    }

    memset(&e, 0, sizeof e);
    rc = recap_entry_parse(in, size, &en, &e);
    if (rc < 0) {
        FUZZ_CHECK(e.code != NULL);
        FUZZ_CHECK(fuzz_all_zero(&en, sizeof en));
        return 0;
    }
    FUZZ_CHECK(en.sub_bytes >= in && en.sub_len <= size &&
               (size_t)(en.sub_bytes - in) <= size - en.sub_len);
    size_t n = recap_entry_encode(&en, buf, sizeof buf);
    FUZZ_CHECK(n == size && memcmp(buf, in, size) == 0);
    err_info e2 = {0};
    FUZZ_CHECK(recap_submission_parse(en.sub_bytes, en.sub_len, &again, &e2) == 0);
    FUZZ_CHECK(again.type == en.type);
    recap_entry_free(&again);
    recap_entry_free(&en);
    return 0;
}
