/* Tests for http_body: a submission request's body decoded (the
 * submission copied with its length, escapes undone; key and signature
 * decoded), and each refusal with its code and field: not JSON, not an
 * object, a member missing, extra, repeated or not a string, a key or
 * signature of the wrong length or in another spelling of base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keys.h"
#include "http/http_body.h"

static char key_b64[KEYS_B64_LEN(BODY_KEY_BYTES) + 1];
static char sig_b64[KEYS_B64_LEN(BODY_SIG_BYTES) + 1];

static int setup(void **state)
{
    (void)state;
    uint8_t pk[BODY_KEY_BYTES], sig[BODY_SIG_BYTES];
    for (size_t i = 0; i < sizeof pk; i++)
        pk[i] = (uint8_t)(i * 7 + 1);
    for (size_t i = 0; i < sizeof sig; i++)
        sig[i] = (uint8_t)(255 - i);
    keys_b64_encode(pk, sizeof pk, key_b64);
    keys_b64_encode(sig, sizeof sig, sig_b64);
    return 0;
}

typedef struct outcome {
    int rc;
    char *sub;
    size_t sublen;
    uint8_t pk[BODY_KEY_BYTES], sig[BODY_SIG_BYTES];
    const char *code, *where;
} outcome;

static outcome parse(const char *body)
{
    outcome o = {.code = "unset"};
    o.rc = body_submission_parse(body, strlen(body), &o.sub, &o.sublen, o.pk, o.sig, &o.code,
                                 &o.where);
    return o;
}

/* A body with these three member texts (already JSON). */
static outcome parse3(const char *sub, const char *key, const char *sig)
{
    char body[1024];
    snprintf(body, sizeof body, "{\"submission\":%s,\"key\":%s,\"sig\":%s}", sub, key, sig);
    return parse(body);
}

static void refused(outcome o, const char *code, const char *where)
{
    assert_int_equal(o.rc, -1);
    assert_null(o.sub);
    assert_string_equal(o.code, code);
    if (where)
        assert_string_equal(o.where, where);
    else
        assert_null(o.where);
}

static void test_decoded(void **state)
{
    (void)state;
    char key[128], sig[128];
    snprintf(key, sizeof key, "\"%s\"", key_b64);
    snprintf(sig, sizeof sig, "\"%s\"", sig_b64);
    outcome o = parse3("\"rekap-submission/1\\nline \\u00e9\\\"\"", key, sig);
    assert_int_equal(o.rc, 0);
    assert_string_equal(o.sub, "rekap-submission/1\nline \xc3\xa9\"");
    assert_int_equal(o.sublen, strlen(o.sub));
    for (size_t i = 0; i < BODY_KEY_BYTES; i++)
        assert_int_equal(o.pk[i], (uint8_t)(i * 7 + 1));
    for (size_t i = 0; i < BODY_SIG_BYTES; i++)
        assert_int_equal(o.sig[i], (uint8_t)(255 - i));
    free(o.sub);

    /* members in any order, whitespace around them */
    char body[512];
    snprintf(body, sizeof body, " { \"sig\" : %s , \"key\":%s,\"submission\":\"\"}\n", sig, key);
    o = parse(body);
    assert_int_equal(o.rc, 0);
    assert_int_equal(o.sublen, 0);
    free(o.sub);
}

static void test_refused(void **state)
{
    (void)state;
    char key[128], sig[128], body[512];
    snprintf(key, sizeof key, "\"%s\"", key_b64);
    snprintf(sig, sizeof sig, "\"%s\"", sig_b64);
    refused(parse(""), "REQUEST_JSON", NULL);
    refused(parse("{"), "REQUEST_JSON", NULL);
    refused(parse("\"x\""), "REQUEST_JSON", NULL); /* jansson: only objects, arrays */
    refused(parse("{\"submission\":\"a\\u0000b\"}"), "REQUEST_JSON", NULL); /* NUL in text */
    snprintf(body, sizeof body, "{\"submission\":\"a\",\"key\":%s,\"key\":%s,\"sig\":%s}", key,
             key, sig);
    refused(parse(body), "REQUEST_JSON", NULL); /* a repeated member */
    refused(parse("[]"), "REQUEST_FIELD", NULL);
    refused(parse("{}"), "REQUEST_FIELD", NULL);
    refused(parse3("1", key, sig), "REQUEST_FIELD", NULL);
    refused(parse3("null", key, sig), "REQUEST_FIELD", NULL);
    refused(parse3("\"a\"", "[]", sig), "REQUEST_FIELD", NULL);
    snprintf(body, sizeof body, "{\"submission\":\"a\",\"key\":%s}", key);
    refused(parse(body), "REQUEST_FIELD", NULL);
    snprintf(body, sizeof body, "{\"submission\":\"a\",\"key\":%s,\"sig\":%s,\"x\":1}", key, sig);
    refused(parse(body), "REQUEST_FIELD", NULL);

    refused(parse3("\"a\"", "\"\"", sig), "REQUEST_KEY", "key");
    refused(parse3("\"a\"", sig, sig), "REQUEST_KEY", "key"); /* 64 bytes, not 32 */
    char alt[128];
    snprintf(alt, sizeof alt, "\"%.*s\"", (int)strlen(key_b64) - 1, key_b64); /* no padding */
    refused(parse3("\"a\"", alt, sig), "REQUEST_KEY", "key");
    snprintf(alt, sizeof alt, "\" %s\"", key_b64);
    refused(parse3("\"a\"", alt, sig), "REQUEST_KEY", "key");
    refused(parse3("\"a\"", key, key), "REQUEST_SIG", "sig");
    snprintf(alt, sizeof alt, "\"%s\\n\"", sig_b64);
    refused(parse3("\"a\"", key, alt), "REQUEST_SIG", "sig");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoded),
        cmocka_unit_test(test_refused),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
