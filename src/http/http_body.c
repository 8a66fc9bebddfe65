/* http_body — the pure decoding of rekapd's request bodies; see
 * http_body.h. */
#include "http/http_body.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/keys.h"
#include "core/mem.h"

int body_submission_parse_reference(const char *body, size_t len, char **sub, size_t *sublen,
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

/* ------------------------------------------------------- the fast path */

/* Does [*p, end) start with lit? Then step over it. */
static int body_lit(const char **p, const char *end, const char *lit)
{
    size_t n = strlen(lit);
    if ((size_t)(end - *p) < n || memcmp(*p, lit, n) != 0)
        return 0;
    *p += n;
    return 1;
}

/* The byte an escape's letter stands for in JSON; 0 for \u (or no escape). */
static char body_unescape(char c)
{
    switch (c) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
    }
}

/* A string's text after its opening quote, up to and over its closing
 * one, decoded into out (room for end - *p bytes), when it is printable
 * ASCII and the one-letter escapes only: exactly what a JSON reader makes
 * of it. 0 for anything else (\u, a byte >= 0x80 or < 0x20, no end). */
static int body_ascii_string(const char **p, const char *end, char *out, size_t *n)
{
    const unsigned char *s = (const unsigned char *)*p, *e = (const unsigned char *)end;
    size_t k = 0;
    for (; s < e; s++) {
        unsigned char c = *s;
        if (c == '"') {
            *p = (const char *)s + 1;
            *n = k;
            return 1;
        }
        if (c < 0x20 || c >= 0x80)
            return 0;
        if (c == '\\') {
            if (++s == e || !(c = (unsigned char)body_unescape((char)*s)))
                return 0;
        }
        out[k++] = (char)c;
    }
    return 0;
}

/* A base64 value's text after its opening quote, over its closing one:
 * [*b, *b + *n). 0 when it holds anything a base64 value has not (an
 * escape, a control byte, a byte >= 0x80) or does not end. */
static int body_b64_span(const char **p, const char *end, const char **b, size_t *n)
{
    const char *q = *p;
    while (q < end && *q != '"' && *q != '\\' && (unsigned char)*q >= 0x20 &&
           (unsigned char)*q < 0x80)
        q++;
    if (q == end || *q != '"')
        return 0;
    *b = *p;
    *n = (size_t)(q - *p);
    *p = q + 1;
    return 1;
}

int body_submission_fast(const char *body, size_t len, char **sub, size_t *sublen,
                         uint8_t pk[BODY_KEY_BYTES], uint8_t sig[BODY_SIG_BYTES],
                         const char **code, const char **where)
{
    const char *p = body, *end = body + len, *k, *g;
    size_t kn, gn, n;
    if (!body_lit(&p, end, "{\"submission\":\""))
        return 0;
    char *s = mem_alloc(len + 1); /* the decoded text is shorter than the body */
    if (!body_ascii_string(&p, end, s, &n) || !body_lit(&p, end, ",\"key\":\"") ||
        !body_b64_span(&p, end, &k, &kn) || !body_lit(&p, end, ",\"sig\":\"") ||
        !body_b64_span(&p, end, &g, &gn) || !body_lit(&p, end, "}") || p != end) {
        free(s);
        return 0;
    }
    assert(n <= len);
    s[n] = '\0';
    *sub = NULL;
    *where = NULL;
    if (keys_b64_decode(k, kn, pk, BODY_KEY_BYTES) < 0)
        *code = "REQUEST_KEY", *where = "key";
    else if (keys_b64_decode(g, gn, sig, BODY_SIG_BYTES) < 0)
        *code = "REQUEST_SIG", *where = "sig";
    else {
        *sub = s;
        *sublen = n;
        return 1;
    }
    free(s);
    return -1;
}

int body_submission_parse(const char *body, size_t len, char **sub, size_t *sublen,
                          uint8_t pk[BODY_KEY_BYTES], uint8_t sig[BODY_SIG_BYTES],
                          const char **code, const char **where)
{
    int fast = body_submission_fast(body, len, sub, sublen, pk, sig, code, where);
    if (fast != 0)
        return fast > 0 ? 0 : -1;
    return body_submission_parse_reference(body, len, sub, sublen, pk, sig, code, where);
}
