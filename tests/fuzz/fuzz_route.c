/* fuzz_route — the request path parsers of rekapd's listeners
 * (src/http/http_path.c) on any bytes, read as the NUL-terminated URL
 * libmicrohttpd hands a route.
 *
 * Contract (src/http/http_path.h): every parser accepts one spelling per
 * meaning, so an accepted path is rebuilt byte for byte from what the
 * parser gave back:
 *   - path_decimal / path_size: the value printed is the digits read;
 *   - path_stem, path_contest, path_contest24, path_recap, path_caleg,
 *     path_tps_status: the parts joined with their fixed text are the
 *     input; contests are known names; lengths within their bounds;
 *   - path_region_code, path_nested: each code of its level, each
 *     extending the one before, joined by "/" into the input; asking for
 *     fewer levels accepts exactly the shorter paths;
 *   - path_cut: container + "/" + kode is the input, the container holds
 *     depth segments;
 *   - path_tile: tlog_tile_path of the numbers is the input, width in
 *     1..256, level -1..7, (n + 1) * 256 fits 64 bits; and every tile
 *     tlog_tile_path writes (numbers drawn from the input) parses back;
 *   - no path the value parsers accept (nested codes, tile, TPS status,
 *     photo name) holds ".."; the splitters (stem, cut, recap's code,
 *     caleg's kode) hand back text unchecked, for a lookup to refuse;
 *   - path_ingest_route agrees with the URL's prefix and suffix. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/http_path.h"
#include "http/render_2024.h"
#include "log/tlog.h"
#include "fuzz_common.h"

#define JOIN_MAX 128 /* longer than any path a parser accepts */

/* a + b + c (NULs as ""), which must be exactly the input. */
static void same3(const char *in, const char *a, const char *b, const char *c)
{
    char buf[JOIN_MAX];
    int n = snprintf(buf, sizeof buf, "%s%s%s", a ? a : "", b ? b : "", c ? c : "");
    FUZZ_CHECK(n >= 0 && (size_t)n < sizeof buf);
    FUZZ_CHECK(strcmp(buf, in) == 0);
}

/* A path whose parts are used as values (numbers, codes, a tile's path):
 * nothing in it can climb a directory. */
static void no_dots(const char *in)
{
    FUZZ_CHECK(!strstr(in, ".."));
}

static int all_digits(const char *s)
{
    return *s && strspn(s, "0123456789") == strlen(s);
}

static void check_numbers(const char *in)
{
    uint64_t v;
    const char *end;
    char buf[32];
    int dec = path_decimal(in, &v, &end) == 0;
    if (dec) {
        size_t n = (size_t)(end - in);
        FUZZ_CHECK(n >= 1 && n <= PATH_DECIMAL_DIGITS && !(*end >= '0' && *end <= '9'));
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)v);
        FUZZ_CHECK(strlen(buf) == n && memcmp(buf, in, n) == 0);
    }
    uint64_t w;
    int size = path_size(in, &w) == 0;
    FUZZ_CHECK(size == (dec && !*end));
    FUZZ_CHECK(!size || w == v);
}

static void check_names(const char *in)
{
    char out[REGION_CODE_MAX];
    if (path_stem(in, ".json", out, sizeof out) == 0) {
        FUZZ_CHECK(strlen(out) >= 1 && strlen(out) < sizeof out);
        same3(in, out, ".json", NULL);
    }
    int level = path_region_code(in, REGION_NATIONAL, REGION_TPS);
    if (level >= 0) {
        FUZZ_CHECK(level < REGION_LEVELS && region_code_level(in) == level && all_digits(in));
        FUZZ_CHECK(level == REGION_NATIONAL ? !strcmp(in, "0") : in[0] != '0');
    }
    contest_kind k;
    const char *rest = NULL;
    if (path_contest(in, NULL, &k, &rest) == 0) {
        FUZZ_CHECK(k >= 0 && k < CONTEST_KINDS && rest);
        char head[32];
        snprintf(head, sizeof head, "%s/", contest_kind_id[k]);
        FUZZ_CHECK(strncmp(in, head, strlen(head)) == 0 && rest == in + strlen(head));
    }
    if (path_contest(in, ".json", &k, &rest) == 0) {
        FUZZ_CHECK(k >= 0 && k < CONTEST_KINDS);
        same3(in, contest_kind_id[k], ".json", NULL);
    }
    int k24 = path_contest24(in, &rest);
    if (k24 >= 0) {
        FUZZ_CHECK(k24 < CONTEST_KINDS);
        if (rest) {
            size_t n = strlen(render24_contest[k24]);
            FUZZ_CHECK(!strncmp(in, render24_contest[k24], n) && in[n] == '/' &&
                       rest == in + n + 1);
        } else {
            same3(in, render24_contest[k24], ".json", NULL);
        }
    }
    char kode[PATH_KODE_MAX];
    if (path_caleg(in, kode, &k) == 0) {
        size_t n = strlen(kode);
        FUZZ_CHECK(n >= 1 && n < PATH_KODE_MAX);
        if (k == CONTEST_DPD) {
            same3(in, "dpd/", kode, ".json");
        } else {
            same3(in, "partai/", kode, ".json");
            FUZZ_CHECK(k == (n == 4                                  ? CONTEST_DPR
                             : n == 6 && !strncmp(kode + 2, "00", 2) ? CONTEST_DPRD_PROV
                                                                     : CONTEST_DPRD_KAB));
        }
    }
    uint64_t unit;
    int r = path_recap(in, out, &unit);
    FUZZ_CHECK(r >= -1 && r <= 1);
    if (r >= 0)
        FUZZ_CHECK(strlen(out) >= 1 && strlen(out) < REGION_CODE_MAX && !strchr(out, '/'));
    if (r == 0)
        same3(in, out, ".json", NULL);
    if (r == 1) {
        char num[32];
        snprintf(num, sizeof num, "/%llu.json", (unsigned long long)unit);
        same3(in, out, num, NULL);
    }
}

static void check_nested(const char *in)
{
    char codes[REGION_TPS][REGION_CODE_MAX], fewer[REGION_TPS][REGION_CODE_MAX];
    int n = path_nested(in, REGION_TPS, codes);
    FUZZ_CHECK(n == -1 || (n >= 1 && n <= REGION_TPS));
    if (n > 0) {
        char buf[JOIN_MAX] = "";
        for (int i = 0; i < n; i++) {
            FUZZ_CHECK(region_code_level(codes[i]) == i + 1 && codes[i][0] != '0');
            if (i > 0)
                FUZZ_CHECK(!strncmp(codes[i], codes[i - 1], strlen(codes[i - 1])));
            strcat(buf, i ? "/" : "");
            strcat(buf, codes[i]);
        }
        same3(in, buf, NULL, NULL);
        no_dots(in);
    }
    int m = path_nested(in, REGION_KABKOTA, fewer);
    FUZZ_CHECK(m == (n > 0 && n <= REGION_KABKOTA ? n : -1));
    for (int i = 0; i < m; i++)
        FUZZ_CHECK(!strcmp(fewer[i], codes[i]));

    size_t len = strlen(in);
    char *copy = malloc(len + 1);
    for (int depth = 1; depth <= REGION_KABKOTA; depth++) {
        memcpy(copy, in, len + 1);
        char *kode = path_cut(copy, depth);
        size_t slashes = 0;
        for (const char *s = in; *s; s++)
            slashes += *s == '/';
        FUZZ_CHECK(!kode == (slashes < (size_t)depth));
        if (!kode) {
            FUZZ_CHECK(!strcmp(copy, in));
            continue;
        }
        FUZZ_CHECK(kode > copy && kode <= copy + len && kode[-1] == '\0');
        FUZZ_CHECK(!strcmp(kode, in + (kode - copy)) && !strncmp(copy, in, strlen(copy)));
        size_t inner = 0;
        for (const char *s = copy; *s; s++)
            inner += *s == '/';
        FUZZ_CHECK(inner == (size_t)depth - 1);
    }
    free(copy);
}

/* Little-endian bytes of the input from `at`, zero past its end. */
static uint64_t take(const uint8_t *d, size_t n, size_t at, size_t bytes)
{
    uint64_t v = 0;
    for (size_t i = 0; i < bytes; i++)
        v |= (uint64_t)(at + i < n ? d[at + i] : 0) << (8 * i);
    return v;
}

static void check_tile(const char *in, const uint8_t *data, size_t size)
{
    int level;
    uint64_t n;
    unsigned width;
    char canon[TLOG_PATH_MAX];
    if (path_tile(in, &level, &n, &width) == 0) {
        FUZZ_CHECK(level >= TLOG_ENTRIES && level < TLOG_LEVELS);
        FUZZ_CHECK(width >= 1 && width <= TLOG_TILE_WIDTH);
        FUZZ_CHECK(n <= UINT64_MAX / TLOG_TILE_WIDTH - 1);
        tlog_tile_path(canon, level, n, width);
        same3(in, canon, NULL, NULL);
        no_dots(in);
    }
    /* the other way round: whatever tlog_tile_path writes is accepted */
    uint64_t m = take(data, size, 0, 8) >> (take(data, size, 8, 1) % 64);
    int lv = (int)(take(data, size, 9, 1) % (TLOG_LEVELS + 1)) - 1;
    unsigned w = 1 + (unsigned)(take(data, size, 10, 1) % TLOG_TILE_WIDTH);
    if (m <= UINT64_MAX / TLOG_TILE_WIDTH - 1) {
        tlog_tile_path(canon, lv, m, w);
        FUZZ_CHECK(path_tile(canon, &level, &n, &width) == 0);
        FUZZ_CHECK(level == lv && n == m && width == w);
    }
}

static void check_ingest(const char *in)
{
    path_ingest r = path_ingest_route(in);
    FUZZ_CHECK(r >= PATH_INGEST_SUBMIT && r < PATH_INGEST_ROUTES);
    FUZZ_CHECK((r == PATH_INGEST_SUBMIT) == !strcmp(in, "/api/v1/submissions"));
    FUZZ_CHECK((r == PATH_INGEST_METRICS) == !strcmp(in, "/metrics"));
    FUZZ_CHECK((r == PATH_INGEST_HEALTH) == !strcmp(in, "/healthz"));
    FUZZ_CHECK((r == PATH_INGEST_PHOTO) ==
               !strncmp(in, PATH_INGEST_PHOTOS, strlen(PATH_INGEST_PHOTOS)));
    size_t len = strlen(in);
    if (r == PATH_INGEST_STATUS)
        FUZZ_CHECK(!strncmp(in, "/api/v1/tps/", 12) && len > 19 &&
                   !strcmp(in + len - 7, "/status"));
    char code[REGION_CODE_MAX];
    memset(code, 'x', sizeof code);
    if (path_tps_status(in, code) == 0) {
        FUZZ_CHECK(r == PATH_INGEST_STATUS);
        FUZZ_CHECK(path_region_code(code, REGION_TPS, REGION_TPS) == REGION_TPS);
        same3(in, "/api/v1/tps/", code, "/status");
        no_dots(in);
    } else {
        FUZZ_CHECK(code[0] == '\0');
    }
    if (path_photo_name(in))
        FUZZ_CHECK(len == PATH_PHOTO_NAME_LEN && strspn(in, "0123456789abcdef") == len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* a heap copy of exactly the string, so a read past its NUL is an
     * ASan report */
    char *in = malloc(size + 1);
    memcpy(in, data, size);
    in[size] = '\0';
    check_numbers(in);
    check_names(in);
    check_nested(in);
    check_tile(in, data, size);
    check_ingest(in);
    free(in);
    return 0;
}
