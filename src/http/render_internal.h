/* render_internal — the JSON pieces both render files write with: render.c
 * (the buffer, rekap's own layout, the CSV) and render_2024.c (the
 * commission's 2024 portal layout). Static inline: documents are rendered
 * by the hundred thousand and these are their innermost calls. Not for
 * other modules (render.h is the interface). */
#ifndef REKAP_RENDER_INTERNAL_H
#define REKAP_RENDER_INTERNAL_H

#include <stdint.h>

#include "http/render.h"

static inline void render_bool(rbuf *b, int v)
{
    rbuf_puts(b, v ? "true" : "false");
}

/* `"key":` */
static inline void render_key(rbuf *b, const char *key)
{
    rbuf_json_str(b, key);
    rbuf_put(b, ":", 1);
}

static inline void render_kv_str(rbuf *b, const char *key, const char *v)
{
    render_key(b, key);
    rbuf_json_str(b, v);
}

/* A literal (punctuation and key) followed by a number. */
static inline void render_num(rbuf *b, const char *lit, uint64_t v)
{
    rbuf_puts(b, lit);
    rbuf_u64(b, v);
}

/* "/photos/<hex of hash>" as a JSON string: where the public GET serves
 * the photo (http_photo). */
static inline void render_photo_url(rbuf *b, const uint8_t hash[32])
{
    rbuf_puts(b, "\"/photos/");
    for (int i = 0; i < 32; i++)
        rbuf_printf(b, "%02x", hash[i]);
    rbuf_put(b, "\"", 1);
}

/* The node index of TPS index i, and back. */
static inline uint32_t render_tps_node(const election *el, size_t i)
{
    return (uint32_t)(el->tree->level_start[REGION_TPS] + i);
}

static inline uint32_t render_node_tps(const election *el, uint32_t node)
{
    return (uint32_t)(node - el->tree->level_start[REGION_TPS]);
}

#endif
