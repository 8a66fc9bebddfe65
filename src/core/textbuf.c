/* textbuf — the bounded, snprintf-like text writer the canonical formats
 * share (form_format, the entry encoders); the hot appends are inline in
 * textbuf.h, the rarer ones here. */
#include "core/textbuf.h"

void textbuf_hex(textbuf *t, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char two[2] = {hex[b[i] >> 4], hex[b[i] & 15]};
        textbuf_put(t, two, 2);
    }
}

size_t textbuf_finish(textbuf *t)
{
    if (t->cap)
        t->buf[t->len < t->cap ? t->len : t->cap - 1] = '\0';
    return t->len;
}
