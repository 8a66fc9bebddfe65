/* render — the documents of rekapd's public listener, as bytes: rekap's own
 * JSON (results per region and contest, the region tree, TPS detail, the
 * anomaly list) and the per-TPS CSV; the commission's 2024 portal layout
 * is render_2024.h. docs/API.md ("Public API") documents every field.
 * render.c holds the buffer, helpers, rekap's own layout and the CSV.
 *
 * Pure: no I/O, no locks, no clock. The caller passes what it read (the
 * tally under the ingest's read lock, entries read from the store) and the
 * time stamp to print; the same input always gives the same bytes, which
 * is what makes a strong ETag of the bytes meaningful. Output goes to an
 * rbuf, a growable byte buffer (allocation through mem.h). */
#ifndef REKAP_RENDER_H
#define REKAP_RENDER_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "core/election.h"
#include "core/entry.h"
#include "core/rules.h"
#include "core/tally.h"

/* ------------------------------------------------------------- buffer */

typedef struct rbuf {
    char *p;
    size_t len, cap;
} rbuf;

void rbuf_put(rbuf *b, const void *s, size_t n);
void rbuf_puts(rbuf *b, const char *s);
void rbuf_printf(rbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* s as a JSON string, quotes included (control characters escaped; bytes
 * from 0x80 pass through: the master data is UTF-8). */
void rbuf_json_str(rbuf *b, const char *s);
/* v in decimal. */
void rbuf_u64(rbuf *b, uint64_t v);
/* Room for n bytes in all, so that a document of about that size is
 * written without growing. */
void rbuf_reserve(rbuf *b, size_t n);
/* The bytes, NUL-terminated (not counted in *len), their buffer shrunk to
 * fit (documents are kept long); the rbuf is left empty. Free with free(). */
char *rbuf_take(rbuf *b, size_t *len);
void rbuf_free(rbuf *b);

/* ------------------------------------------------------------ helpers */

#define RENDER_TS_MAX 20  /* "2024-02-14 18:44:00" + NUL */

/* The 2024 portal's time stamp: local time of Jakarta (WIB, UTC+7, no
 * daylight saving), "YYYY-MM-DD HH:MM:SS". */
void render_ts(time_t t, char out[RENDER_TS_MAX]);

/* Per region node ([tree->n]): bit k set when contest k is cast at a TPS
 * in that region (at a TPS: cast there). The tree never changes once the
 * election is loaded, so this is computed once. O(TPS x depth). */
uint8_t *render_contest_mask(const election *el);

/* ------------------------------------------------------ rekap's layout */

/* /api/v1/results/<contest>/<code>.json: the totals of region `reg` (a
 * level above TPS) for contest k, its selections with names, and one row
 * per child where k is cast (a desa's children are its TPS: counted and
 * flagged marks). The caller holds the tally's read lock. */
void render_results(rbuf *b, const tally *t, contest_kind k, uint32_t reg, const char *ts);

/* /api/v1/regions/<code>.json: a region, its parent, its contests and
 * its children (those where some contest is cast). */
void render_region(rbuf *b, const election *el, const uint8_t *mask, uint32_t reg);

/* /api/v1/search?q=: regions (province .. desa, where a contest is cast)
 * whose name contains q, ASCII letters without case: at most
 * RENDER_SEARCH_MAX, a match at a word's start first, then higher levels,
 * then by name; each with its parents (nearest first) so a reader can tell
 * the many "Sukamaju" apart; `matched` counts them all (the first
 * RENDER_SEARCH_SCAN_MAX are ranked). q: RENDER_SEARCH_Q_MIN ..
 * RENDER_SEARCH_Q_MAX bytes (the caller checks). O(regions). */
#define RENDER_SEARCH_MAX 50
#define RENDER_SEARCH_SCAN_MAX 5000
#define RENDER_SEARCH_Q_MIN 2
#define RENDER_SEARCH_Q_MAX 64
void render_search(rbuf *b, const election *el, const uint8_t *mask, const char *q);

/* One logged version of a TPS's form, for TPS detail. */
typedef struct render_version {
    uint64_t index;            /* log index */
    const entry *en;           /* parsed entry */
} render_version;

/* A TPS's history for one contest: every version in version order, which
 * of them is counted (-1: none) and the rule report of the counted form. */
typedef struct render_tps_contest {
    contest_kind kind;
    const render_version *v;
    unsigned n;
    int counted;
    const rule_report *report; /* of v[counted]; NULL when none is counted */
} render_tps_contest;

/* /api/v1/tps/<code>.json: for each contest cast at TPS index `tps`: the
 * counted form's numbers with names, its validation status and flags, and
 * every version with its log index, verdict, photos and proof link. */
void render_tps(rbuf *b, const election *el, uint32_t tps, const render_tps_contest *c,
                unsigned nc, const char *ts);

/* A rejected log entry, as the anomaly list shows it. */
typedef struct render_rejected {
    uint64_t index;
    char tps[REGION_CODE_MAX];
    uint32_t version;
    char codes[ENTRY_CODES_MAX + 1];
} render_rejected;

/* /api/v1/anomalies/<contest>.json: counted forms with flags (TPS indices,
 * `nflag` of `flag_total`) and rejected entries (latest first, `nrej` of
 * `rej_total`); `scanned` log entries were read to find them. */
void render_anomalies(rbuf *b, const election *el, contest_kind k, const uint32_t *flagged,
                      size_t nflag, uint64_t flag_total, const render_rejected *const *rej,
                      size_t nrej, uint64_t rej_total, uint64_t scanned, const char *ts);

/* The 2024 portal layout is render_2024.h. */

/* ------------------------------------------------------------------ CSV */

/* /api/v1/export/<contest>.csv, one row per TPS with a counted form: the
 * bytes of export_csv_header / export_csv_row (core/export.h), the same
 * as `rekap export`'s, appended to b. */
void render_csv_header(rbuf *b, const election *el, contest_kind k);
void render_csv_row(rbuf *b, const election *el, const entry *en);

#endif
