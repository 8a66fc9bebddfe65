/* keys — officer keys (Ed25519, libsodium) and their key files, and the
 * text primitives that every signed line format of rekap shares (the
 * submission and log entry of entry.h, the key file here): standard base64,
 * one-line quoted text, and a strict reader of "name value\n" lines.
 * Pure: no I/O. Writing a key file (mode 0600 for a secret one) is the
 * caller's job. The formats are documented in docs/FORMATS.md.
 *
 * Key file, "rekap-key/1" (the public form, for enrolment, has no secret line):
 *   rekap-key/1\n
 *   name "<JSON string>"\n            who holds the key, 1..KEYS_NAME_MAX bytes
 *   public <base64 of the 32-byte Ed25519 public key>\n
 *   secret <base64 of the 32-byte Ed25519 seed>\n
 */
#ifndef REKAP_KEYS_H
#define REKAP_KEYS_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define KEYS_PUBLIC_LEN 32   /* Ed25519 public key */
#define KEYS_SECRET_LEN 64   /* libsodium secret key: seed || public key */
#define KEYS_SEED_LEN 32     /* what a secret key file stores */
#define KEYS_SIG_LEN 64      /* Ed25519 signature */
/* Characters of the padded base64 of n bytes (no NUL). */
#define KEYS_B64_LEN(n) ((((n) + 2) / 3) * 4)
#define KEYS_NAME_MAX 128    /* bytes of UTF-8 in a key's name */
#define KEYS_TEXT_MAX 500    /* longest quoted text any line format carries */
#define KEYS_FILE_MAX 1024   /* bytes of a key file */

/* Ready libsodium. Idempotent, thread-safe and cheap after the first call;
 * every function here that needs libsodium calls it, so callers need not. */
void keys_init(void);

/* A new random key pair. */
void keys_generate(uint8_t pk[KEYS_PUBLIC_LEN], uint8_t sk[KEYS_SECRET_LEN]);

typedef struct keys_file {
    char name[KEYS_NAME_MAX + 1];
    uint8_t pk[KEYS_PUBLIC_LEN];
    int has_secret;               /* 1: sk holds the secret key */
    uint8_t sk[KEYS_SECRET_LEN];
} keys_file;

/* Write the key file, with or without its secret line (secret: k->has_secret
 * must be 1), into buf; like snprintf, returns the length it needs without
 * the NUL and writes a NUL-terminated prefix when cap is too small. */
size_t keys_format_secret(const keys_file *k, char *buf, size_t cap);
size_t keys_format_public(const keys_file *k, char *buf, size_t cap);

/* Parse a key file, public or secret (out->has_secret says which). Errors:
 * KEY_TOO_LARGE (ERR_LIMIT) over KEYS_FILE_MAX; KEY_FORMAT (not
 * "rekap-key/1", a line missing, misspelt, out of order or extra, CR LF,
 * no final newline, spaces around a value, a name not in canonical
 * quoting); KEY_NAME (the name is not a JSON string of 1..KEYS_NAME_MAX
 * bytes of UTF-8 without control characters); KEY_BASE64 (public or secret
 * is not the canonical base64 of 32 bytes: keys_b64_decode); KEY_POINT
 * (the public key is not a valid Ed25519 point); KEY_MISMATCH (the
 * secret's public key is not the public line). e->where is the line name.
 * On error *out is zero. */
int keys_parse(const char *buf, size_t len, keys_file *out, err_info *e);

/* ---- text primitives of the line formats ----------------------------- */

/* Standard base64 (RFC 4648, "+/", with padding) of bin[0..n) into out,
 * which holds KEYS_B64_LEN(n) + 1 bytes; NUL-terminated. */
void keys_b64_encode(const uint8_t *bin, size_t n, char *out);
/* The one base64 decoder of rekap: s[0..len) must be exactly what
 * keys_b64_encode writes for the bytes it decodes to, at most max of them
 * (*n gets how many). So each byte string has one accepted spelling:
 * missing or extra padding, non-zero unused bits, whitespace, another
 * alphabet and bytes >= 0x80 (which libsodium 1.0.18 reads as '/') are
 * ERR_INVALID. out[0..max) may be written even then. */
int keys_b64_decode_max(const char *s, size_t len, uint8_t *out, size_t max, size_t *n);
/* keys_b64_decode_max of exactly n bytes. 0 or ERR_INVALID. */
int keys_b64_decode(const char *s, size_t len, uint8_t *out, size_t n);

/* The canonical quoting of text s: a JSON string in which only '"' and '\'
 * are escaped (and, so the result stays one line, control characters below
 * 0x20 as \u00XX, which a reader then refuses). Like snprintf. */
size_t keys_quote(const char *s, char *buf, size_t cap);

/* A strict reader of lines "name value\n". Errors it reports carry the
 * caller's codes: missing_code when the expected line is not next (missing,
 * misspelt, out of order), layout_code when the text is right but not in
 * its one layout (CR LF, no final newline, spaces around the value, a
 * quoted value not in canonical quoting); e->where is the line name. */
typedef struct keys_lines {
    const char *p, *end;        /* what is left to read */
    const char *missing_code;
    const char *layout_code;
} keys_lines;

void keys_lines_init(keys_lines *r, const char *buf, size_t len,
                     const char *missing_code, const char *layout_code);
/* The next line must be exactly `id` (a format line: "rekap-key/1");
 * otherwise `code` with where "format". */
int keys_lines_header(keys_lines *r, const char *id, const char *code, err_info *e);
/* 1 when the next line is a `name` line. */
int keys_lines_peek(const keys_lines *r, const char *name);
/* Read the next line, which must be "<name> <value>": *val, *vlen. */
int keys_lines_field(keys_lines *r, const char *name, const char **val,
                     size_t *vlen, err_info *e);
/* Read a `name` line holding quoted text of 1..max (<= KEYS_TEXT_MAX)
 * bytes of UTF-8 without control characters into out (max + 1 bytes).
 * Bad text: `code` (ERR_LIMIT when too long); valid text not in
 * keys_quote's form: layout_code. */
int keys_lines_text(keys_lines *r, const char *name, size_t max, char *out,
                    const char *code, err_info *e);
/* Read a `name` line holding the base64 of exactly n bytes in its one
 * spelling (keys_b64_decode); else `code`. */
int keys_lines_b64(keys_lines *r, const char *name, uint8_t *out, size_t n,
                   const char *code, err_info *e);
/* Read a `name` line holding a decimal number min..max, digits only, into
 * *out; else `code`. Leading zeros read as a number: a format's spelling
 * check (re-encode and compare) refuses them. */
int keys_lines_number(keys_lines *r, const char *name, uint64_t min, uint64_t max,
                      const char *code, uint64_t *out, err_info *e);
/* Nothing may be left; else missing_code with where "end". */
int keys_lines_end(const keys_lines *r, err_info *e);

#endif
