/* textbuf — the bounded, snprintf-like text writer the canonical formats
 * share (form_format, the entry encoders); the hot appends are inline in
 * textbuf.h, the rarer ones here. */
#include "core/textbuf.h"

#include <stdio.h>

void textbuf_hex(textbuf *t, const uint8_t *b, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        char two[2] = {hex[b[i] >> 4], hex[b[i] & 15]};
        textbuf_put(t, two, 2);
    }
}

void textbuf_json_str(textbuf *t, const char *s)
{
    textbuf_put(t, "\"", 1);
    const char *run = s;
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        textbuf_put(t, run, (size_t)(s - run));
        char esc[7] = {'\\', (char)c};
        if (c < 0x20)
            snprintf(esc + 1, sizeof esc - 1, "u%04x", c);
        textbuf_str(t, esc);
        run = s + 1;
    }
    textbuf_put(t, run, (size_t)(s - run));
    textbuf_put(t, "\"", 1);
}

size_t textbuf_finish(textbuf *t)
{
    if (t->cap)
        t->buf[t->len < t->cap ? t->len : t->cap - 1] = '\0';
    return t->len;
}
