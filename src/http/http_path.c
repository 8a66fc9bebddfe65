/* http_path — the pure parsing of rekapd's request paths; see
 * http_path.h. Parsers compare bytes and copy bounded segments only: no
 * allocation, no lookups, nothing read past a string's NUL. */
#include "http/http_path.h"

#include <string.h>

#include "http/render_2024.h"
#include "log/tlog.h"

_Static_assert(PATH_KODE_MAX == RENDER24_KODE_MAX, "one bound for a 2024 dapil code");

#define PATH_DIGITS "0123456789"

/* ------------------------------------------------------------ pieces */

int path_decimal(const char *p, uint64_t *v, const char **end)
{
    size_t n = strspn(p, PATH_DIGITS);
    if (n == 0 || n > PATH_DECIMAL_DIGITS || (n > 1 && p[0] == '0'))
        return -1;
    *v = 0;
    for (size_t i = 0; i < n; i++)
        *v = *v * 10 + (uint64_t)(p[i] - '0');
    *end = p + n;
    return 0;
}

int path_size(const char *p, uint64_t *v)
{
    const char *end;
    return path_decimal(p, v, &end) < 0 || *end ? -1 : 0;
}

int path_stem(const char *p, const char *suffix, char *out, size_t cap)
{
    size_t n = strlen(p), m = strlen(suffix);
    if (n <= m || n - m >= cap || strcmp(p + n - m, suffix))
        return -1;
    memcpy(out, p, n - m);
    out[n - m] = '\0';
    return 0;
}

int path_region_code(const char *code, int lo, int hi)
{
    int level = region_code_level(code);
    /* "0" is the nation; "011" would be a second spelling of nothing */
    if (level < lo || level > hi || (level > REGION_NATIONAL && code[0] == '0'))
        return -1;
    return level;
}

/* ---------------------------------------------------------- contests */

int path_contest(const char *p, const char *suffix, contest_kind *k, const char **rest)
{
    char id[16]; /* longer than any contest_kind_id */
    size_t n = suffix ? 0 : strcspn(p, "/");
    if (suffix ? path_stem(p, suffix, id, sizeof id) < 0 : (n >= sizeof id || p[n] != '/'))
        return -1;
    if (!suffix) {
        memcpy(id, p, n);
        id[n] = '\0';
        *rest = p + n + 1;
    }
    int kind = contest_kind_parse(id);
    if (kind < 0)
        return -1;
    *k = (contest_kind)kind;
    return 0;
}

int path_contest24(const char *p, const char **rest)
{
    size_t n = strcspn(p, "/.");
    int k = render24_contest_parse(p, n);
    if (k < 0)
        return -1;
    if (!strcmp(p + n, ".json")) {
        *rest = NULL;
        return k;
    }
    if (p[n] != '/')
        return -1;
    *rest = p + n + 1;
    return k;
}

/* --------------------------------------------------------- regions */

int path_nested(const char *path, int max, char codes[REGION_TPS][REGION_CODE_MAX])
{
    int level = 0; /* codes read so far; the next is at level + 1 */
    if (max > REGION_TPS)
        max = REGION_TPS; /* codes[] holds no more */
    while (*path) {
        size_t n = strcspn(path, "/");
        if (n == 0 || n >= REGION_CODE_MAX || level >= max)
            return -1;
        char *seg = codes[level];
        memcpy(seg, path, n);
        seg[n] = '\0';
        if (path_region_code(seg, level + 1, level + 1) < 0)
            return -1;
        /* each code extends its parent's: "32/3273", never "32/3573" */
        if (level > 0 && strncmp(seg, codes[level - 1], strlen(codes[level - 1])))
            return -1;
        level++;
        path += n;
        if (*path == '/' && !*++path)
            return -1; /* a trailing slash */
    }
    return level > 0 ? level : -1;
}

char *path_cut(char *path, int depth)
{
    char *slash = NULL;
    for (int i = 0; i < depth; i++)
        if (!(slash = strchr(slash ? slash + 1 : path, '/')))
            return NULL;
    if (!slash)
        return NULL;
    *slash = '\0';
    return slash + 1;
}

int path_recap(const char *p, char code[REGION_CODE_MAX], uint64_t *unit)
{
    const char *slash = strchr(p, '/'), *end;
    if (!slash)
        return path_stem(p, ".json", code, REGION_CODE_MAX) < 0 ? -1 : 0;
    size_t n = (size_t)(slash - p);
    if (n == 0 || n >= REGION_CODE_MAX)
        return -1;
    memcpy(code, p, n);
    code[n] = '\0';
    if (path_decimal(slash + 1, unit, &end) < 0 || strcmp(end, ".json"))
        return -1;
    return 1;
}

int path_caleg(const char *p, char kode[PATH_KODE_MAX], contest_kind *k)
{
    if (!strncmp(p, "dpd/", 4) && path_stem(p + 4, ".json", kode, PATH_KODE_MAX) == 0) {
        *k = CONTEST_DPD;
        return 0;
    }
    if (strncmp(p, "partai/", 7) || path_stem(p + 7, ".json", kode, PATH_KODE_MAX) < 0)
        return -1;
    /* 2024's codes tell their kind by shape: DPR "PPNN", DPRD provinsi
     * "PP00NN", DPRD kab/kota "KKKKNN" (whose 3rd and 4th digits are a
     * kab/kota's, never "00") */
    size_t n = strlen(kode);
    *k = n == 4                                 ? CONTEST_DPR
         : n == 6 && !strncmp(kode + 2, "00", 2) ? CONTEST_DPRD_PROV
                                                 : CONTEST_DPRD_KAB;
    return 0;
}

/* -------------------------------------------------------------- log */

#define PATH_TILE_GROUPS 7 /* three-digit groups of a 64-bit tile index */

int path_tile(const char *p, int *level, uint64_t *n, unsigned *width)
{
    const char *q = p + 5;
    uint64_t v;
    if (strncmp(p, "tile/", 5))
        return -1;
    if (!strncmp(q, "entries/", 8)) {
        *level = TLOG_ENTRIES;
        q += 8;
    } else if (path_decimal(q, &v, &q) < 0 || v >= TLOG_LEVELS || *q++ != '/') {
        return -1;
    } else {
        *level = (int)v;
    }
    *n = 0;
    for (int groups = 1;; groups++) { /* "x123/" groups, then "123" */
        int more = *q == 'x';
        q += more;
        if (groups > PATH_TILE_GROUPS || strspn(q, PATH_DIGITS) < 3 ||
            *n > (UINT64_MAX - 999) / 1000)
            return -1;
        *n = *n * 1000 + (uint64_t)((q[0] - '0') * 100 + (q[1] - '0') * 10 + (q[2] - '0'));
        q += 3;
        if (!more)
            break;
        if (*q++ != '/')
            return -1;
    }
    *width = TLOG_TILE_WIDTH;
    if (!strncmp(q, ".p/", 3)) {
        if (path_decimal(q + 3, &v, &q) < 0 || v == 0 || v >= TLOG_TILE_WIDTH)
            return -1;
        *width = (unsigned)v;
    }
    /* the end of the tile's items, (n + 1) * 256, must fit 64 bits */
    if (*q || *n > UINT64_MAX / TLOG_TILE_WIDTH - 1)
        return -1;
    /* one spelling: the groups above also read "x000/001" and "001" for
     * 1, which tlog_tile_path never writes */
    char canon[TLOG_PATH_MAX];
    tlog_tile_path(canon, *level, *n, *width);
    return strcmp(canon, p) ? -1 : 0;
}

/* ----------------------------------------------------------- photos */

int path_photo_name(const char *s)
{
    return strlen(s) == PATH_PHOTO_NAME_LEN &&
           strspn(s, PATH_DIGITS "abcdef") == PATH_PHOTO_NAME_LEN;
}

/* ----------------------------------------------------------- ingest */

#define PATH_INGEST_TPS "/api/v1/tps/"
#define PATH_INGEST_STATUS_END "/status"

path_ingest path_ingest_route(const char *url)
{
    size_t n = strlen(url), pre = strlen(PATH_INGEST_TPS), post = strlen(PATH_INGEST_STATUS_END);
    if (!strcmp(url, "/api/v1/submissions"))
        return PATH_INGEST_SUBMIT;
    if (!strncmp(url, PATH_INGEST_PHOTOS, strlen(PATH_INGEST_PHOTOS)))
        return PATH_INGEST_PHOTO;
    if (!strncmp(url, PATH_INGEST_TPS, pre) && n > pre + post &&
        !strcmp(url + n - post, PATH_INGEST_STATUS_END))
        return PATH_INGEST_STATUS;
    if (!strcmp(url, "/metrics"))
        return PATH_INGEST_METRICS;
    if (!strcmp(url, "/healthz"))
        return PATH_INGEST_HEALTH;
    return PATH_INGEST_OTHER;
}

int path_tps_status(const char *url, char code[REGION_CODE_MAX])
{
    code[0] = '\0';
    if (path_ingest_route(url) != PATH_INGEST_STATUS)
        return -1;
    const char *s = url + strlen(PATH_INGEST_TPS);
    size_t n = strlen(s) - strlen(PATH_INGEST_STATUS_END);
    if (n != REGION_CODE_MAX - 1)
        return -1;
    memcpy(code, s, n);
    code[n] = '\0';
    if (path_region_code(code, REGION_TPS, REGION_TPS) < 0) {
        code[0] = '\0';
        return -1;
    }
    return 0;
}
