/* keys — owns officer key pairs and the rekap-key/1 key file, and the text
 * primitives the signed line formats share (base64, quoted text, the strict
 * line reader); see keys.h. Pure: no I/O.
 *
 * Every reader here is strict on purpose: a signed text must have exactly
 * one byte representation, so a signature covers exactly one meaning. The
 * line reader therefore refuses CR LF, a missing final newline and spaces
 * around a value, quoted text must be in keys_quote's form and base64 in
 * keys_b64_encode's (both checked by encoding again and comparing). Secret
 * bytes that pass through a temporary are wiped (sodium_memzero). */
#include "core/keys.h"

#include <assert.h>
#include <jansson.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEYS_FORMAT_ID "rekap-key/1"

/* sodium_init is itself idempotent and thread-safe, but takes a lock; the
 * flag makes every later call one atomic load. */
void keys_init(void)
{
    static atomic_int ready;

    if (atomic_load_explicit(&ready, memory_order_acquire))
        return;
    if (sodium_init() < 0) {
        fputs("rekap: libsodium failed to initialise\n", stderr);
        abort();
    }
    atomic_store_explicit(&ready, 1, memory_order_release);
}

void keys_generate(uint8_t pk[KEYS_PUBLIC_LEN], uint8_t sk[KEYS_SECRET_LEN])
{
    keys_init();
    crypto_sign_ed25519_keypair(pk, sk);
}

/* ------------------------------------------------------------------ */
/* base64 and quoted text                                              */

void keys_b64_encode(const uint8_t *bin, size_t n, char *out)
{
    sodium_bin2base64(out, KEYS_B64_LEN(n) + 1, bin, n,
                      sodium_base64_VARIANT_ORIGINAL);
}

/* Whether s[0..len) is exactly keys_b64_encode's text for bin[0..n).
 * Encoding a group of 48 bytes (64 characters) at a time needs no buffer
 * the size of the input (a note's signature lines can be long); the group
 * may hold a secret seed, so it is wiped. */
static int b64_is_encoding(const char *s, size_t len, const uint8_t *bin, size_t n)
{
    enum { GROUP = 48 }; /* a multiple of 3: groups encode without padding */
    char enc[KEYS_B64_LEN(GROUP) + 1];
    int same = len == KEYS_B64_LEN(n);

    for (size_t i = 0; same && i < n; i += GROUP) {
        size_t k = n - i < GROUP ? n - i : GROUP;
        keys_b64_encode(bin + i, k, enc);
        same = memcmp(enc, s + i / 3 * 4, KEYS_B64_LEN(k)) == 0;
    }
    sodium_memzero(enc, sizeof enc);
    return same;
}

/* libsodium only decodes. Whether its input was the one spelling is
 * decided by encoding the result again and comparing: that refuses every
 * alias a decoder lets through (1.0.18 reads any byte >= 0x80 as '/'),
 * non-zero unused bits and wrong padding, whatever the library version. */
int keys_b64_decode_max(const char *s, size_t len, uint8_t *out, size_t max, size_t *n)
{
    size_t got = 0;

    if (sodium_base642bin(out, max, s, len, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 ||
        !b64_is_encoding(s, len, out, got))
        return ERR_INVALID;
    *n = got;
    return 0;
}

int keys_b64_decode(const char *s, size_t len, uint8_t *out, size_t n)
{
    size_t got = 0;

    return keys_b64_decode_max(s, len, out, n, &got) == 0 && got == n ? 0 : ERR_INVALID;
}

/* One output byte; like snprintf, counts what does not fit. */
static void quote_put(char *buf, size_t cap, size_t *n, char c)
{
    if (*n < cap)
        buf[*n] = c;
    (*n)++;
}

size_t keys_quote(const char *s, char *buf, size_t cap)
{
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;

    quote_put(buf, cap, &n, '"');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        char esc[6] = {(char)*p};
        size_t k = 1;
        if (*p == '"' || *p == '\\') {
            esc[0] = '\\';
            esc[1] = (char)*p;
            k = 2;
        } else if (*p < 0x20) {
            memcpy(esc, "\\u00", 4);
            esc[4] = hex[*p >> 4];
            esc[5] = hex[*p & 15];
            k = 6;
        }
        for (size_t i = 0; i < k; i++)
            quote_put(buf, cap, &n, esc[i]);
    }
    quote_put(buf, cap, &n, '"');
    if (cap)
        buf[n < cap ? n : cap - 1] = '\0';
    return n;
}

/* C0 controls, DEL and C1 controls (U+0080..U+009F, UTF-8 C2 80..C2 9F).
 * s is valid UTF-8 (jansson checked), so 0xC2 is always a lead byte. */
static int has_control(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (s[i] < 0x20 || s[i] == 0x7f)
            return 1;
        if (s[i] == 0xc2 && i + 1 < n && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
            return 1;
    }
    return 0;
}

/* ------------------------------------------------------------------ */
/* the line reader                                                     */

void keys_lines_init(keys_lines *r, const char *buf, size_t len,
                     const char *missing_code, const char *layout_code)
{
    r->p = buf;
    r->end = buf + len;
    r->missing_code = missing_code;
    r->layout_code = layout_code;
}

/* The next line as it stands: its content without the '\n' and without a
 * '\r' before it (so a CR LF line is recognised and then refused as
 * layout, not as the wrong line). */
typedef struct line {
    const char *s;
    size_t n;
    int cr, nl;
    const char *next;
} line;

static line peek_line(const keys_lines *r)
{
    line ln = {r->p, 0, 0, 0, r->end};
    const char *nl = memchr(r->p, '\n', (size_t)(r->end - r->p));

    if (nl) {
        ln.nl = 1;
        ln.next = nl + 1;
    } else {
        nl = r->end;
    }
    ln.n = (size_t)(nl - r->p);
    if (ln.n && ln.s[ln.n - 1] == '\r') {
        ln.cr = 1;
        ln.n--;
    }
    return ln;
}

/* Layout checks of a recognised line, then consume it. */
static int finish_line(keys_lines *r, const line *ln, const char *name, err_info *e)
{
    if (!ln->nl)
        return err_set(e, ERR_INVALID, r->layout_code, name,
                       "line \"%s\" does not end with a newline", name);
    if (ln->cr)
        return err_set(e, ERR_INVALID, r->layout_code, name,
                       "line \"%s\" ends with CR LF; lines end with LF alone", name);
    r->p = ln->next;
    return 0;
}

int keys_lines_header(keys_lines *r, const char *id, const char *code, err_info *e)
{
    line ln = peek_line(r);

    if (ln.n != strlen(id) || memcmp(ln.s, id, ln.n) != 0)
        return err_set(e, ERR_INVALID, code, "format", "the first line must be \"%s\"", id);
    return finish_line(r, &ln, "format", e);
}

/* 1 when ln is "<name> ..." */
static int line_is(const line *ln, const char *name)
{
    size_t k = strlen(name);
    return ln->n > k && memcmp(ln->s, name, k) == 0 && ln->s[k] == ' ';
}

int keys_lines_peek(const keys_lines *r, const char *name)
{
    line ln = peek_line(r);
    return line_is(&ln, name);
}

int keys_lines_field(keys_lines *r, const char *name, const char **val,
                     size_t *vlen, err_info *e)
{
    line ln = peek_line(r);
    size_t k = strlen(name) + 1;
    int rc;

    if (r->p == r->end)
        return err_set(e, ERR_INVALID, r->missing_code, name, "missing line \"%s\"", name);
    if (!line_is(&ln, name))
        return err_set(e, ERR_INVALID, r->missing_code, name,
                       "expected line \"%s\" here", name);
    rc = finish_line(r, &ln, name, e);
    if (rc)
        return rc;
    *val = ln.s + k;
    *vlen = ln.n - k;
    if (*vlen && ((*val)[0] == ' ' || (*val)[*vlen - 1] == ' '))
        return err_set(e, ERR_INVALID, r->layout_code, name,
                       "extra space around the value of line \"%s\"", name);
    return 0;
}

/* The decoding goes through jansson (UTF-8 validation, surrogates, NUL);
 * the canonical check quotes the result again and compares the bytes. */
int keys_lines_text(keys_lines *r, const char *name, size_t max, char *out,
                    const char *code, err_info *e)
{
    char canon[2 * KEYS_TEXT_MAX + 3];
    const char *v = NULL;
    size_t n = 0, tn;
    json_t *j;
    json_error_t jerr;
    int rc = keys_lines_field(r, name, &v, &n, e);

    assert(max <= KEYS_TEXT_MAX);
    if (rc)
        return rc;
    if (n > 2 * max + 2) /* longer than the quoting of any valid text */
        return err_set(e, ERR_LIMIT, code, name, "%s is longer than %zu bytes", name, max);
    j = json_loadb(v, n, JSON_DECODE_ANY, &jerr);
    if (!j || !json_is_string(j)) {
        json_decref(j);
        return err_set(e, ERR_INVALID, code, name,
                       "%s must be a JSON string of valid UTF-8", name);
    }
    tn = json_string_length(j);
    if (tn == 0 || tn > max || has_control((const unsigned char *)json_string_value(j), tn)) {
        json_decref(j);
        return err_set(e, tn > max ? ERR_LIMIT : ERR_INVALID, code, name,
                       "%s must be 1..%zu bytes without control characters", name, max);
    }
    memcpy(out, json_string_value(j), tn);
    out[tn] = '\0';
    json_decref(j);
    if (keys_quote(out, canon, sizeof canon) != n || memcmp(canon, v, n) != 0)
        return err_set(e, ERR_INVALID, r->layout_code, name,
                       "%s is not in canonical quoting (raw UTF-8, only \\\" and \\\\ escaped)",
                       name);
    return 0;
}

int keys_lines_b64(keys_lines *r, const char *name, uint8_t *out, size_t n,
                   const char *code, err_info *e)
{
    const char *v = NULL;
    size_t vn = 0;
    int rc = keys_lines_field(r, name, &v, &vn, e);

    if (rc == 0 && keys_b64_decode(v, vn, out, n) != 0)
        rc = err_set(e, ERR_INVALID, code, name,
                     "%s must be the canonical (padded, standard) base64 of %zu bytes",
                     name, n);
    return rc;
}

int keys_lines_end(const keys_lines *r, err_info *e)
{
    if (r->p != r->end)
        return err_set(e, ERR_INVALID, r->missing_code, "end",
                       "unexpected text after the last line");
    return 0;
}

/* ------------------------------------------------------------------ */
/* key files                                                           */

static size_t format_key(const keys_file *k, int with_secret, char *buf, size_t cap)
{
    char name[6 * KEYS_NAME_MAX + 3]; /* every byte escaped as \u00XX at worst */
    char pub[KEYS_B64_LEN(KEYS_PUBLIC_LEN) + 1];
    char sec[KEYS_B64_LEN(KEYS_SEED_LEN) + 1] = "";
    int n;

    assert(memchr(k->name, '\0', sizeof k->name));
    keys_quote(k->name, name, sizeof name);
    keys_b64_encode(k->pk, KEYS_PUBLIC_LEN, pub);
    if (with_secret) {
        assert(k->has_secret);
        keys_b64_encode(k->sk, KEYS_SEED_LEN, sec); /* libsodium's sk starts with the seed */
    }
    n = snprintf(buf, cap, KEYS_FORMAT_ID "\nname %s\npublic %s\n%s%s%s", name, pub,
                 with_secret ? "secret " : "", sec, with_secret ? "\n" : "");
    sodium_memzero(sec, sizeof sec);
    assert(n >= 0);
    return (size_t)n;
}

size_t keys_format_secret(const keys_file *k, char *buf, size_t cap)
{
    return format_key(k, 1, buf, cap);
}

size_t keys_format_public(const keys_file *k, char *buf, size_t cap)
{
    return format_key(k, 0, buf, cap);
}

/* Rebuild the secret key from its seed; its public half must be the
 * public line, or the file pairs one officer's name with another's key. */
static int secret_from_seed(keys_file *k, const uint8_t seed[KEYS_SEED_LEN], err_info *e)
{
    uint8_t pk[KEYS_PUBLIC_LEN];

    crypto_sign_ed25519_seed_keypair(pk, k->sk, seed);
    if (memcmp(pk, k->pk, sizeof pk) != 0)
        return err_set(e, ERR_INVALID, "KEY_MISMATCH", "secret",
                       "the secret key does not belong to the public key");
    k->has_secret = 1;
    return 0;
}

int keys_parse(const char *buf, size_t len, keys_file *out, err_info *e)
{
    uint8_t seed[KEYS_SEED_LEN];
    keys_lines r;
    int rc;

    keys_init();
    memset(out, 0, sizeof *out);
    if (len > KEYS_FILE_MAX)
        return err_set(e, ERR_LIMIT, "KEY_TOO_LARGE", "", "a key file is at most %d bytes",
                       KEYS_FILE_MAX);
    keys_lines_init(&r, buf, len, "KEY_FORMAT", "KEY_FORMAT");
    rc = keys_lines_header(&r, KEYS_FORMAT_ID, "KEY_FORMAT", e);
    if (rc == 0)
        rc = keys_lines_text(&r, "name", KEYS_NAME_MAX, out->name, "KEY_NAME", e);
    if (rc == 0)
        rc = keys_lines_b64(&r, "public", out->pk, KEYS_PUBLIC_LEN, "KEY_BASE64", e);
    if (rc == 0 && !crypto_core_ed25519_is_valid_point(out->pk))
        rc = err_set(e, ERR_INVALID, "KEY_POINT", "public",
                     "the public key is not a valid Ed25519 point");
    if (rc == 0 && keys_lines_peek(&r, "secret")) {
        rc = keys_lines_b64(&r, "secret", seed, KEYS_SEED_LEN, "KEY_BASE64", e);
        if (rc == 0)
            rc = secret_from_seed(out, seed, e);
    }
    if (rc == 0)
        rc = keys_lines_end(&r, e);
    sodium_memzero(seed, sizeof seed);
    if (rc)
        sodium_memzero(out, sizeof *out);
    return rc;
}

/* A `name` line holding a decimal number min..max, digits only; else
 * `code`. Leading zeros read as a number: the spelling check refuses
 * them. */
int keys_lines_number(keys_lines *r, const char *name, uint64_t min, uint64_t max,
                        const char *code, uint64_t *out, err_info *e)
{
    const char *v;
    size_t n;
    uint64_t x = 0;
    int rc = keys_lines_field(r, name, &v, &n, e);
    int ok;

    if (rc)
        return rc;
    ok = n > 0;
    for (size_t i = 0; ok && i < n; i++) {
        unsigned d = (unsigned)(v[i] - '0');
        ok = d <= 9 && x <= (max - d) / 10;
        x = x * 10 + d;
    }
    if (!ok || x < min)
        return err_set(e, ERR_INVALID, code, name, "%s must be a decimal number %llu..%llu",
                       name, (unsigned long long)min, (unsigned long long)max);
    *out = x;
    return 0;
}
