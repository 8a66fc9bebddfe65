/* http_path — what a request's path names, parsed before anything is
 * looked up: the pure half of rekapd's routing (no libmicrohttpd, no
 * server state, no I/O). The listeners (http_public.c, http_ingest.c,
 * http_photo.c) parse a URL with these, then look the names up in their
 * election, log and photo directory; tests/fuzz/fuzz_route.c holds every
 * parser to its contract on any bytes.
 *
 * Every parser reads a NUL-terminated string and accepts exactly one
 * spelling per meaning: decimals without sign or leading zeros, region
 * codes plain (no dots), no empty segments, nothing after the expected
 * end. The parsers of values (decimals, region codes, nested paths, tile
 * paths, photo names, the status URL's TPS code) therefore accept nothing
 * holding ".."; the splitters (path_stem, path_cut, and the code or kode
 * of path_recap and path_caleg) hand back text unchecked, which callers
 * only ever look up in a table, never use in a file path. On failure a
 * parser returns -1 and its outputs hold nothing useful. */
#ifndef REKAP_HTTP_PATH_H
#define REKAP_HTTP_PATH_H

#include <stddef.h>
#include <stdint.h>

#include "core/election.h"
#include "core/region.h"

#define PATH_DECIMAL_DIGITS 19 /* at most: every such decimal fits 64 bits */
#define PATH_PHOTO_NAME_LEN 64 /* a photo's name: its SHA-256, lowercase hex */
#define PATH_KODE_MAX 8        /* a 2024 dapil code "PP00NN", NUL included */

/* ------------------------------------------------------------ pieces */

/* A decimal without sign or leading zeros of 1..PATH_DECIMAL_DIGITS
 * digits at the start of p: its value in *v, the first byte after it in
 * *end. */
int path_decimal(const char *p, uint64_t *v, const char **end);

/* The whole of p is such a decimal (a query argument: "?size=12"). */
int path_size(const char *p, uint64_t *v);

/* p is "<stem><suffix>" with a stem of 1..cap-1 bytes: the stem into
 * out (NUL-terminated). */
int path_stem(const char *p, const char *suffix, char *out, size_t cap);

/* The level of a plain region code when it lies in [lo, hi] ("0" for the
 * nation; other codes never start with 0), else -1. */
int path_region_code(const char *code, int lo, int hi);

/* ---------------------------------------------------------- contests */

/* rekap's own contest names (contest_kind_id): with suffix NULL, p is
 * "<contest>/<rest>" and *rest points after the slash; else p is exactly
 * "<contest><suffix>" (*rest untouched). */
int path_contest(const char *p, const char *suffix, contest_kind *k, const char **rest);

/* The 2024 layout's contest names (render24_contest): p is
 * "<contest>/<rest>" (*rest after the slash) or "<contest>.json" (*rest
 * NULL). The kind, or -1. */
int path_contest24(const char *p, const char **rest);

/* --------------------------------------------------------- regions */

/* The portal's nested region path "<p>[/<k>[/<c>[/<d>[/<tps>]]]]" of 1 to
 * max (<= REGION_TPS) codes, each one level below and extending the one
 * before: the codes into codes[0..n) (codes[i] at level i + 1), n
 * returned. */
int path_nested(const char *path, int max, char codes[REGION_TPS][REGION_CODE_MAX]);

/* "<container>/<kode>" with a container of `depth` (>= 1) segments: cut
 * path at the slash after its depth-th segment and return what follows
 * it (the kode), or NULL when path has no more than `depth` segments (the
 * whole path is the container). Only splits: the parts are checked by
 * whoever looks them up. */
char *path_cut(char *path, int depth);

/* The recap routes' rest after "<contest>/": "<code>.json" (a region's
 * recap: 0) or "<code>/<unit>.json" (one unit: 1, the unit's index in
 * *unit). The code (1..13 bytes, unchecked) into code. */
int path_recap(const char *p, char code[REGION_CODE_MAX], uint64_t *unit);

/* /pemilu/caleg/...: "dpd/<p>.json" (DPD) or "partai/<kode>.json" with a
 * 2024 dapil code: 4 bytes DPR, 6 bytes "PP00NN" DPRD provinsi, anything
 * else DPRD kab/kota. The kode (1..PATH_KODE_MAX-1 bytes, unchecked: the
 * caller looks it up) into kode, its kind in *k. */
int path_caleg(const char *p, char kode[PATH_KODE_MAX], contest_kind *k);

/* -------------------------------------------------------------- log */

/* A tlog-tiles path "tile/<L>/<N>[.p/<W>]" or "tile/entries/<N>[.p/<W>]"
 * exactly as tlog_tile_path writes it (N in "x123/" groups): level
 * (TLOG_ENTRIES or 0..TLOG_LEVELS-1), tile index (the end of its items,
 * (n + 1) * TLOG_TILE_WIDTH, fits 64 bits) and width (1..TLOG_TILE_WIDTH; a full tile has no ".p").
 * Whether the log has that tile is the caller's question. */
int path_tile(const char *p, int *level, uint64_t *n, unsigned *width);

/* ----------------------------------------------------------- photos */

/* Is s a photo's name: exactly PATH_PHOTO_NAME_LEN lowercase hex digits
 * (upper case would be a second spelling of the same photo)? */
int path_photo_name(const char *s);

/* ----------------------------------------------------------- ingest */

#define PATH_INGEST_PHOTOS "/api/v1/photos/" /* + the photo's name */

/* The ingest listener's routes; their order is the order of its metrics. */
typedef enum path_ingest {
    PATH_INGEST_SUBMIT,  /* /api/v1/submissions */
    PATH_INGEST_PHOTO,   /* /api/v1/photos/<anything>: the name is checked later */
    PATH_INGEST_STATUS,  /* /api/v1/tps/<anything>/status */
    PATH_INGEST_METRICS, /* /metrics */
    PATH_INGEST_HEALTH,  /* /healthz */
    PATH_INGEST_OTHER,   /* none of them: 404 */
    PATH_INGEST_ROUTES,
} path_ingest;

/* The route of an ingest URL. Deliberately loose for photos and status
 * (any name, any code): a wrong one is answered by that route with its
 * own error code (PHOTO_NAME, TPS_UNKNOWN), not a bare 404. */
path_ingest path_ingest_route(const char *url);

/* The TPS code of a status URL ("/api/v1/tps/<code>/status") when it is a
 * plain 13-digit TPS code, else -1 and code "". */
int path_tps_status(const char *url, char code[REGION_CODE_MAX]);

#endif
