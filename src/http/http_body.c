/* http_body — the pure decoding of rekapd's request bodies; see
 * http_body.h. */
#include "http/http_body.h"

#include <string.h>

#include <jansson.h>

#include "core/keys.h"
#include "core/mem.h"

int body_submission_parse(const char *body, size_t len, char **sub, size_t *sublen,
                          uint8_t pk[BODY_KEY_BYTES], uint8_t sig[BODY_SIG_BYTES],
                          const char **code, const char **where)
{
    json_error_t jerr;
    /* duplicates refused: {"key":A,"key":B} must not mean whichever wins */
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, &jerr);
    const char *s = NULL, *k = NULL, *g = NULL;
    size_t n = 0;
    int rc = -1;
    *sub = NULL;
    *where = NULL;
    if (!o)
        *code = "REQUEST_JSON";
    else if (json_unpack(o, "{s:s%,s:s,s:s!}", "submission", &s, &n, "key", &k, "sig", &g) < 0)
        *code = "REQUEST_FIELD";
    else if (keys_b64_decode(k, strlen(k), pk, BODY_KEY_BYTES) < 0)
        *code = "REQUEST_KEY", *where = "key";
    else if (keys_b64_decode(g, strlen(g), sig, BODY_SIG_BYTES) < 0)
        *code = "REQUEST_SIG", *where = "sig";
    else
        rc = 0;
    if (rc == 0) {
        *sub = mem_strndup(s, n);
        *sublen = n;
    }
    json_decref(o);
    return rc;
}
