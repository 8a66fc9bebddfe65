/* fuzz_keys — keys_parse (rekap-key/1 key files) and the base64 decoder
 * on any bytes.
 *
 * Contract (src/core/keys.h):
 *   - on error *out is all zero and e->code is set;
 *   - on success keys_format_secret / keys_format_public (per has_secret)
 *     gives back exactly the input;
 *   - keys_b64_decode_max success: keys_b64_encode of the bytes is
 *     exactly the input (one spelling per byte string). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/keys.h"
#include "fuzz_common.h"

#define B64_MAX 96

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    static keys_file k;
    static char buf[KEYS_FILE_MAX * 2];
    err_info e = {0};

    memset(&k, 0xA5, sizeof k);
    if (keys_parse(in, size, &k, &e) == 0) {
        FUZZ_CHECK(k.has_secret == 0 || k.has_secret == 1);
        size_t n = k.has_secret ? keys_format_secret(&k, buf, sizeof buf)
                                : keys_format_public(&k, buf, sizeof buf);
        FUZZ_CHECK(n == size && memcmp(buf, in, size) == 0);
    } else {
        FUZZ_CHECK(e.code != NULL);
        FUZZ_CHECK(fuzz_all_zero(&k, sizeof k));
    }

    uint8_t bin[B64_MAX];
    size_t nb = 0;
    if (keys_b64_decode_max(in, size, bin, sizeof bin, &nb) == 0) {
        FUZZ_CHECK(nb <= sizeof bin);
        char enc[KEYS_B64_LEN(B64_MAX) + 1];
        keys_b64_encode(bin, nb, enc);
        FUZZ_CHECK(strlen(enc) == size && memcmp(enc, in, size) == 0);
    }
    return 0;
}
