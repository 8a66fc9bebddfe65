/* render_internal — the JSON pieces both render files write with: render.c
 * (the buffer, rekap's own layout, the CSV) and render_2024.c (the
 * commission's 2024 portal layout). Static inline: documents are rendered
 * by the hundred thousand and these are their innermost calls. Not for
 * other modules (render.h is the interface). */
#ifndef REKAP_RENDER_INTERNAL_H
#define REKAP_RENDER_INTERNAL_H

#include <stdint.h>

#include "http/render.h"
#include "http/render_2024.h"

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

/* 100 * part / whole as the 2024 files printed it (their server's float
 * repr): two decimals at most, trailing zeros dropped but one ("78.4",
 * "100.0", "0.07"), and 0 when nothing is counted. */
static inline void render_pct(rbuf *b, uint64_t part, uint64_t whole)
{
    if (!part || !whole) {
        rbuf_put(b, "0", 1);
        return;
    }
    char s[32];
    int n = snprintf(s, sizeof s, "%.2f", 100.0 * (double)part / (double)whole);
    if (n > 3 && s[n - 1] == '0')
        n--;
    if (n > 3 && s[n - 1] == '0' && s[n - 2] != '.')
        n--;
    rbuf_put(b, s, (size_t)n);
}

/* The end of a 2024 results file: the table's close and progres (TPS
 * expected and counted). */
static inline void render_progres(rbuf *b, uint64_t counted, uint64_t expected)
{
    render_num(b, "},\"progres\":{\"total\":", expected);
    render_num(b, ",\"progres\":", counted);
    rbuf_puts(b, "}}\n");
}

/* The parties a dapil file or candidate list names: those with a list in
 * contest k somewhere, a local party only in its province (prov: a code
 * whose first two digits are the province; NULL: no local party). In
 * ballot order. render_2024_dapil.c. */
typedef struct render24_party_set {
    unsigned n;
    uint16_t no[ELECTION_PARTY_MAX];
    uint16_t sel[ELECTION_PARTY_MAX]; /* index into election.party = tally selection */
} render24_party_set;

void render24_parties_of(const render24 *x, contest_kind k, const char *prov,
                         render24_party_set *out);

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
