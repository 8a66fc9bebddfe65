/* Tests for http_body: a submission request's body decoded (the
 * submission copied with its length, escapes undone; key and signature
 * decoded), and each refusal with its code and field: not JSON, not an
 * object, a member missing, extra, repeated or not a string, a key or
 * signature of the wrong length or in another spelling of base64. Then
 * the fast path against the reference: the bodies clients send (made by
 * jansson as `rekap sign` makes them) take it and decode the same; every
 * other spelling falls through to the reference. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

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

/* The fast path's answer on body, checked against the reference's when it
 * has one; returns what the fast path returned. */
static int fast_vs_reference(const char *body)
{
    outcome f = {.code = "unset"}, r = {.code = "unset"};
    size_t len = strlen(body);
    int fast = body_submission_fast(body, len, &f.sub, &f.sublen, f.pk, f.sig, &f.code, &f.where);
    r.rc = body_submission_parse_reference(body, len, &r.sub, &r.sublen, r.pk, r.sig, &r.code,
                                           &r.where);
    if (fast == 1) {
        assert_int_equal(r.rc, 0);
        assert_int_equal(f.sublen, r.sublen);
        assert_memory_equal(f.sub, r.sub, r.sublen + 1);
        assert_memory_equal(f.pk, r.pk, BODY_KEY_BYTES);
        assert_memory_equal(f.sig, r.sig, BODY_SIG_BYTES);
    } else if (fast == -1) {
        assert_int_equal(r.rc, -1);
        assert_null(f.sub);
        assert_string_equal(f.code, r.code);
        assert_string_equal(f.where, r.where);
    } else {
        assert_int_equal(fast, 0);
        assert_string_equal(f.code, "unset"); /* nothing written */
    }
    free(f.sub);
    free(r.sub);
    return fast;
}

/* The body `rekap sign` prints for this submission text (cli_print_signed). */
static char *client_body(const char *text, const char *key, const char *sig)
{
    json_t *o = json_pack("{s:s,s:s,s:s}", "submission", text, "key", key, "sig", sig);
    assert_non_null(o);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    assert_non_null(s);
    return s;
}

static void test_fast_path(void **state)
{
    (void)state;
    /* what clients send: every printable byte, the escapes jansson writes */
    const char *texts[] = {
        "",
        "rekap-submission/1\ntps 3201010001001\ncontest ppwp\n",
        "quote \" backslash \\ tab \t cr \r slash / del \x7f ~",
        "a reason: \"salah tulis\" {not: json}, [1,2]",
    };
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
        const char *text = texts[i];
        char *body = client_body(text, key_b64, sig_b64);
        assert_int_equal(fast_vs_reference(body), 1);
        free(body);
        /* a key or signature that is no canonical base64: refused alike */
        body = client_body(text, sig_b64, sig_b64);
        assert_int_equal(fast_vs_reference(body), -1);
        free(body);
        body = client_body(text, key_b64, key_b64);
        assert_int_equal(fast_vs_reference(body), -1);
        free(body);
    }

    /* other spellings: the reference decides, whatever it decides */
    char body[1024];
    const char *others[] = {
        "{\"submission\":\"caf\xc3\xa9\",\"key\":\"%s\",\"sig\":\"%s\"}",      /* UTF-8 */
        "{\"submission\":\"caf\\u00e9\",\"key\":\"%s\",\"sig\":\"%s\"}",       /* \u */
        "{\"submission\":\"a\\u0000\",\"key\":\"%s\",\"sig\":\"%s\"}",         /* NUL */
        "{\"submission\":\"a\tb\",\"key\":\"%s\",\"sig\":\"%s\"}",              /* raw tab */
        "{\"submission\":\"a\",\"key\":\"%s\",\"sig\":\"%s\"}\n",              /* trailing */
        "{\"submission\":\"a\",\"key\":\"%s\",\"sig\":\"%s\"}x",
        "{\"submission\":\"a\",\"key\":\"%s\",\"sig\":\"%s\",\"x\":1}",
        "{\"submission\":\"a\",\"key\":\"%s\",\"sig\":\"%s\"",
        "{\"submission\": \"a\",\"key\":\"%s\",\"sig\":\"%s\"}",
        "{\"key\":\"%s\",\"submission\":\"a\",\"sig\":\"%s\"}",
        "{\"submission\":\"a\\",                                       /* cut after \\ */
        "{\"submission\":\"a\\q\",\"key\":\"%s\",\"sig\":\"%s\"}",
    };
    for (size_t i = 0; i < sizeof others / sizeof others[0]; i++) {
        snprintf(body, sizeof body, others[i], key_b64, sig_b64);
        assert_int_equal(fast_vs_reference(body), 0);
    }
    /* a '/' of the signature written "\/": left to the reference, good */
    assert_non_null(strchr(sig_b64, '/'));
    char esc[256];
    size_t n = 0;
    for (const char *p = sig_b64; *p; p++) {
        if (*p == '/')
            esc[n++] = '\\';
        esc[n++] = *p;
    }
    esc[n] = '\0';
    snprintf(body, sizeof body, "{\"submission\":\"a\",\"key\":\"%s\",\"sig\":\"%s\"}", key_b64,
             esc);
    assert_int_equal(fast_vs_reference(body), 0);
    outcome o = parse(body);
    assert_int_equal(o.rc, 0);
    free(o.sub);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decoded),
        cmocka_unit_test(test_refused),
        cmocka_unit_test(test_fast_path),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
