/* textbuf — a bounded, snprintf-like text writer over a caller's buffer.
 *
 * It appends into buf[0..cap) and counts everything it was asked to
 * write, also what did not fit, so one pass serves both sizing (cap 0,
 * buf may be NULL) and filling: a result length >= cap means "call again
 * with a buffer of length + 1". The canonical writers (form_format, the
 * entry encoders) run millions of times at ingest, so the hot appends are
 * static inline here. */
#ifndef REKAP_TEXTBUF_H
#define REKAP_TEXTBUF_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef struct textbuf {
    char *buf;
    size_t cap; /* bytes of buf that may be written */
    size_t len; /* bytes asked for so far; may exceed cap */
} textbuf;

static inline void textbuf_init(textbuf *t, char *buf, size_t cap)
{
    t->buf = buf;
    t->cap = cap;
    t->len = 0;
}

/* The space left, for a writer that formats into the buffer itself. */
static inline size_t textbuf_room(const textbuf *t)
{
    return t->len < t->cap ? t->cap - t->len : 0;
}

/* Where such a writer writes, NULL when there is no room left. */
static inline char *textbuf_at(const textbuf *t)
{
    return textbuf_room(t) ? t->buf + t->len : NULL;
}

/* Counts the n bytes such a writer reported (written or only needed). */
static inline void textbuf_wrote(textbuf *t, size_t n)
{
    t->len += n;
}

static inline void textbuf_put(textbuf *t, const void *s, size_t n)
{
    size_t r = textbuf_room(t);
    if (r)
        memcpy(t->buf + t->len, s, n < r ? n : r);
    t->len += n;
}

static inline void textbuf_str(textbuf *t, const char *s)
{
    textbuf_put(t, s, strlen(s));
}

/* v in decimal, without leading zeros. */
static inline void textbuf_u64(textbuf *t, uint64_t v)
{
    char digits[20]; /* UINT64_MAX has 20 digits */
    size_t n = sizeof digits;
    do {
        digits[--n] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    textbuf_put(t, digits + n, sizeof digits - n);
}

/* s as a JSON string, quotes included: the quote and the backslash
 * escaped, control characters as six-byte u00XX escapes, bytes from 0x80
 * passed through (names are UTF-8 already). */
void textbuf_json_str(textbuf *t, const char *s);

/* The n bytes at b as 2n lowercase hex digits. */
void textbuf_hex(textbuf *t, const uint8_t *b, size_t n);

/* NUL-terminates within cap (truncating the last byte when full) unless
 * cap is 0, and returns the length needed without the NUL. */
size_t textbuf_finish(textbuf *t);

#endif
