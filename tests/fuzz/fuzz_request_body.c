/* fuzz_request_body — body_submission_parse (src/http/http_body.c), the
 * decoder of the ingest listener's POST /api/v1/submissions body
 * {"submission","key","sig"}, on any bytes.
 *
 * Contract (src/http/http_body.h):
 *   - on error -1, *sub NULL, *code one of REQUEST_JSON, REQUEST_FIELD
 *     (*where NULL), REQUEST_KEY (*where "key"), REQUEST_SIG ("sig"); a
 *     body refused for its key or signature is otherwise a well-formed
 *     object of the three strings;
 *   - on success the body is a JSON object of exactly the three strings,
 *     *sub holds the submission's *sublen bytes and a NUL (and no other
 *     NUL), and key and sig are the canonical base64 of pk and sig: one
 *     spelling per request;
 *   - a body made again from what was decoded decodes to the same;
 *   - the fast path (body_submission_fast) either passes (0, nothing
 *     written) or answers exactly as the reference (jansson) does. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/keys.h"
#include "http/http_body.h"
#include "fuzz_common.h"

typedef struct decoded {
    int rc;
    char *sub;
    size_t sublen;
    uint8_t pk[BODY_KEY_BYTES], sig[BODY_SIG_BYTES];
    const char *code, *where;
} decoded;

static void decode(const char *body, size_t len, decoded *d)
{
    d->code = d->where = "unset";
    d->sub = (char *)"unset";
    d->rc = body_submission_parse(body, len, &d->sub, &d->sublen, d->pk, d->sig, &d->code,
                                  &d->where);
}

/* The body read independently: an object of exactly the three strings. */
static json_t *three_strings(const char *body, size_t len)
{
    json_t *o = json_loadb(body, len, JSON_REJECT_DUPLICATES, NULL);
    if (!o)
        return NULL;
    int ok = json_is_object(o) && json_object_size(o) == 3;
    static const char *const names[] = {"submission", "key", "sig"};
    for (size_t i = 0; ok && i < 3; i++)
        ok = json_is_string(json_object_get(o, names[i]));
    if (!ok) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static int is_b64_of(json_t *s, const uint8_t *bin, size_t n)
{
    char enc[KEYS_B64_LEN(BODY_SIG_BYTES) + 1];
    keys_b64_encode(bin, n, enc);
    return strlen(enc) == json_string_length(s) && !strcmp(enc, json_string_value(s));
}

static void check_refused(const decoded *d, const char *body, size_t len)
{
    FUZZ_CHECK(d->rc == -1 && d->sub == NULL && d->code != NULL);
    json_t *o = three_strings(body, len);
    if (!strcmp(d->code, "REQUEST_JSON")) {
        FUZZ_CHECK(d->where == NULL && o == NULL);
    } else if (!strcmp(d->code, "REQUEST_FIELD")) {
        FUZZ_CHECK(d->where == NULL && o == NULL);
    } else if (!strcmp(d->code, "REQUEST_KEY")) {
        FUZZ_CHECK(d->where && !strcmp(d->where, "key") && o != NULL);
    } else {
        FUZZ_CHECK(!strcmp(d->code, "REQUEST_SIG"));
        FUZZ_CHECK(d->where && !strcmp(d->where, "sig") && o != NULL);
        FUZZ_CHECK(is_b64_of(json_object_get(o, "key"), d->pk, BODY_KEY_BYTES));
    }
    json_decref(o);
}

static void check_decoded(const decoded *d, const char *body, size_t len)
{
    FUZZ_CHECK(d->rc == 0 && d->sub != NULL);
    FUZZ_CHECK(d->sub[d->sublen] == '\0' && strlen(d->sub) == d->sublen);
    json_t *o = three_strings(body, len);
    FUZZ_CHECK(o != NULL);
    json_t *s = json_object_get(o, "submission");
    FUZZ_CHECK(json_string_length(s) == d->sublen &&
               memcmp(json_string_value(s), d->sub, d->sublen) == 0);
    FUZZ_CHECK(is_b64_of(json_object_get(o, "key"), d->pk, BODY_KEY_BYTES));
    FUZZ_CHECK(is_b64_of(json_object_get(o, "sig"), d->sig, BODY_SIG_BYTES));

    /* the same request spelt afresh */
    char *again = json_dumps(o, JSON_COMPACT);
    FUZZ_CHECK(again != NULL);
    decoded d2;
    decode(again, strlen(again), &d2);
    FUZZ_CHECK(d2.rc == 0 && d2.sublen == d->sublen && !memcmp(d2.sub, d->sub, d->sublen));
    FUZZ_CHECK(!memcmp(d2.pk, d->pk, BODY_KEY_BYTES) && !memcmp(d2.sig, d->sig, BODY_SIG_BYTES));
    free(d2.sub);
    free(again);
    json_decref(o);
}

/* The fast path against the reference on the same bytes. */
static void check_fast(const char *body, size_t len)
{
    decoded f = {.code = "unset", .where = "unset", .sub = NULL}, r;
    int fast = body_submission_fast(body, len, &f.sub, &f.sublen, f.pk, f.sig, &f.code, &f.where);
    if (fast == 0) {
        FUZZ_CHECK(f.sub == NULL && !strcmp(f.code, "unset") && !strcmp(f.where, "unset"));
        return;
    }
    r.rc = body_submission_parse_reference(body, len, &r.sub, &r.sublen, r.pk, r.sig, &r.code,
                                           &r.where);
    if (fast == 1) {
        FUZZ_CHECK(r.rc == 0 && f.sublen == r.sublen && !memcmp(f.sub, r.sub, r.sublen + 1));
        FUZZ_CHECK(!memcmp(f.pk, r.pk, BODY_KEY_BYTES) && !memcmp(f.sig, r.sig, BODY_SIG_BYTES));
    } else {
        FUZZ_CHECK(fast == -1 && r.rc == -1 && f.sub == NULL && !strcmp(f.code, r.code));
        FUZZ_CHECK(f.where && r.where && !strcmp(f.where, r.where));
    }
    free(f.sub);
    free(r.sub);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *body = (const char *)data;
    check_fast(body, size);
    decoded d;
    decode(body, size, &d);
    if (d.rc == 0)
        check_decoded(&d, body, size);
    else
        check_refused(&d, body, size);
    free(d.sub);
    return 0;
}
