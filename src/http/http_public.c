/* http_public — the public listener of rekapd (http_public.h; every route
 * is documented in docs/API.md, "Public API").
 *
 * Owns: the libmicrohttpd daemon of the public port and its routes, GET
 * and HEAD only:
 *   /api/v1/results/<contest>/<code>.json   rekap's own layout
 *   /api/v1/regions/<code>.json, /api/v1/tps/<code>.json,
 *   /api/v1/anomalies/<contest>.json, /api/v1/export/<contest>.csv,
 *   /api/v1/proof/<index>[?size=N]           inclusion proof from the tiles
 *   /api/v1/consistency?from=N[&to=M]        consistency proof from the tiles
 *   /wilayah/pemilu/ppwp/..., /pemilu/hhcw/ppwp..., /pemilu/ppwp.json
 *                                            the commission's 2024 layout
 *   /log/checkpoint, /log/tile/...           the log's files (tlog-tiles)
 *   /photos/<sha256 hex>                     the photos (http_photo)
 * and the protections: a token bucket per client address, connection
 * caps, a header size cap and a deadline for a request's headers (a client
 * trickling them is cut off). How an answer goes out (ETags and 304, gzip,
 * Cache-Control, the common headers) is http_response's.
 *
 * Isolation from the ingest: a request only ever reads documents already
 * rendered (http_public_docs.c), files, or the store through its own
 * read-only connections (edir_pool); it never touches the ingest's queue,
 * and of its locks takes only the tally's read lock, for an instant, to
 * learn which version of a form is counted (ingest_form_versions). File paths are built from parsed numbers and fixed-shape names,
 * never from the URL's text, so no path can leave the election directory. */
#include "http/http_public_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "core/mem.h"
#include "core/merkle.h"
#include "core/note.h"
#include "edir/edir.h"
#include "http/http_health.h"
#include "http/http_path.h"
#include "http/http_photo.h"
#include "http/http_util.h"
#include "io/file.h"
#include "log/tlog.h"
#include "log/tlog_proof.h"
#include "log/tlog_read.h"

#define PUB_LIMIT_SLOTS 65536
#define PUB_MEMORY_LIMIT (16u * 1024u) /* per connection: request line and headers */
#define PUB_TABLE_PLACES 16384         /* documents rendered on demand */
#define PUB_CHECKPOINT_MAX (64u * 1024u)
#define PUB_PATH_MAX 4096

/* ============================================================ answers */

static enum MHD_Result pub_not_found(struct MHD_Connection *c)
{
    return http_send_error(c, "NOT_FOUND", NULL, NULL, 0);
}

/* A document, 404 when there is none, 500 when it could not be made. */
static enum MHD_Result pub_answer(struct MHD_Connection *c, cache_doc *d, const err_info *e)
{
    if (d)
        return resp_send_doc(c, d);
    if (e && e->code) {
        http_log(HTTP_LOG_ERROR, "public_render_failed",
                 json_pack("{s:s,s:s,s:s}", "code", e->code, "where", e->where, "message", e->msg));
        return http_send_error(c, "INTERNAL", NULL, NULL, 0);
    }
    return pub_not_found(c);
}

/* ============================================================ parsing */

/* A region of this election by its plain code at a level in [lo, hi]. */
static uint32_t pub_region(const public_server *s, const char *code, int lo, int hi)
{
    if (path_region_code(code, lo, hi) < 0)
        return REGION_NONE;
    uint32_t r = region_find(s->el->tree, code);
    return r != REGION_NONE && s->mask[r] ? r : REGION_NONE;
}

/* The portal's nested path "<p>[/<k>[/<c>[/<d>[/<tps>]]]]" (each code
 * extending the one before, one level down each time), up to `max` levels:
 * the last region, REGION_NONE when malformed or contest k is not cast
 * there. */
static uint32_t pub_nested(const public_server *s, contest_kind k, const char *path, int max)
{
    char codes[REGION_TPS][REGION_CODE_MAX];
    int n = path_nested(path, max, codes);
    uint32_t r = REGION_NONE;
    for (int i = 0; i < n; i++) {
        r = pub_region(s, codes[i], i + 1, i + 1);
        if (r == REGION_NONE || !(s->mask[r] & (1u << k)))
            return REGION_NONE;
    }
    return r;
}

/* ===================================================== the log's files */

/* The checkpoint's size and root (the file as the ingest last signed it;
 * its signature is the monitors' business). */
static int pub_checkpoint(const public_server *s, char **text, size_t *len, checkpoint *cp)
{
    char path[PUB_PATH_MAX];
    snprintf(path, sizeof path, "%s/checkpoint", s->log_dir);
    err_info e = {0};
    if (file_read_all(path, PUB_CHECKPOINT_MAX, text, len, &e) < 0)
        return -1;
    const char *blank = strstr(*text, "\n\n");
    if (!blank || checkpoint_parse(cp, *text, (size_t)(blank - *text) + 1, &e) < 0) {
        free(*text);
        *text = NULL;
        return -1;
    }
    return 0;
}

static uint64_t pub_log_size(const public_server *s)
{
    char *text;
    size_t len;
    checkpoint cp;
    if (pub_checkpoint(s, &text, &len, &cp) < 0)
        return 0;
    free(text);
    return cp.size;
}

static enum MHD_Result pub_send_checkpoint(public_server *s, struct MHD_Connection *c)
{
    char *text;
    size_t len;
    checkpoint cp;
    if (pub_checkpoint(s, &text, &len, &cp) < 0) /* a replica that adopted none yet */
        return http_send_error(c, "LOG_NOT_READY", NULL, NULL, 1);
    return resp_send_doc(c, cache_doc_new(text, len, resp_ct_text, resp_cc_live, http_now()));
}

/* A tile path (path_tile: the canonical spelling only) within the signed
 * tree. */
static int pub_tile_parse(const public_server *s, const char *p, int *level, uint64_t *n,
                          unsigned *width)
{
    if (path_tile(p, level, n, width) < 0)
        return -1;
    uint64_t count = tlog_level_count(*level, pub_log_size(s));
    return *n * TLOG_TILE_WIDTH < count && *width <= tlog_tile_width(count, *n) ? 0 : -1;
}

/* A partial the log has pruned since (a client holding an older
 * checkpoint): the first `width` items of a wider tile are its exact bytes
 * (tlog_tile_read), so C2SP clients get every partial they may ask for. */
static enum MHD_Result pub_send_tile_prefix(public_server *s, struct MHD_Connection *c, int level,
                                            uint64_t n, unsigned width, const char *cc,
                                            const char *etag)
{
    if (resp_client_has(c, etag, NULL))
        return resp_not_modified(c, etag, cc, 0);
    char *buf = NULL, path[TLOG_READ_PATH_MAX];
    size_t len = 0;
    if (tlog_tile_read(s->log_dir, level, n, width, &buf, &len, path, NULL) < 0)
        return pub_not_found(c);
    return resp_send_buffer(c, buf, len, resp_ct_bin, cc, etag);
}

static enum MHD_Result pub_log(public_server *s, struct MHD_Connection *c, const char *p)
{
    if (!strcmp(p, "checkpoint"))
        return pub_send_checkpoint(s, c);
    if (!strcmp(p, "vkey")) {
        cache_doc_ref(s->vkey);
        return resp_send_doc(c, s->vkey);
    }
    int level;
    uint64_t n;
    unsigned width;
    if (pub_tile_parse(s, p, &level, &n, &width) < 0)
        return pub_not_found(c);
    char rel[TLOG_PATH_MAX], path[PUB_PATH_MAX], etag[TLOG_PATH_MAX + 2];
    tlog_tile_path(rel, level, n, width);
    snprintf(path, sizeof path, "%s/%s", s->log_dir, rel);
    snprintf(etag, sizeof etag, "\"%s\"", rel); /* a tile's bytes are fixed by its name */
    const char *cc = resp_cc_fixed(width == TLOG_TILE_WIDTH);
    struct stat st;
    if (width == TLOG_TILE_WIDTH || stat(path, &st) == 0)
        return resp_send_file(c, path, resp_ct_bin, cc, etag);
    return pub_send_tile_prefix(s, c, level, n, width, cc, etag);
}

/* ================================================================ proofs */

static void pub_hex(rbuf *b, const uint8_t *h)
{
    rbuf_put(b, "\"", 1);
    for (int i = 0; i < MERKLE_HASH_SIZE; i++)
        rbuf_printf(b, "%02x", h[i]);
    rbuf_put(b, "\"", 1);
}

/* ,"proof":[hex, ...]} and the final newline. */
static void pub_proof_end(rbuf *b, const uint8_t (*proof)[MERKLE_HASH_SIZE], size_t n)
{
    rbuf_puts(b, ",\"proof\":[");
    for (size_t i = 0; i < n; i++) {
        if (i)
            rbuf_put(b, ",", 1);
        pub_hex(b, proof[i]);
    }
    rbuf_puts(b, "]}\n");
}

/* Why the log's files could not give a proof (the route answers 500). */
static int pub_proof_failed(const err_info *e, const char *a, uint64_t av, const char *b,
                            uint64_t bv)
{
    http_log(HTTP_LOG_ERROR, "proof_failed",
             json_pack("{s:I,s:I,s:s?,s:s,s:s}", a, (json_int_t)av, b, (json_int_t)bv, "code",
                       e->code, "where", e->where, "message", e->msg));
    return -1;
}

/* The inclusion proof document of entry m in the tree of `size` entries
 * (tlog_proof checks it against the checkpoint before it comes back). */
static int pub_inclusion_render(public_server *s, const checkpoint *cp, uint64_t m,
                                uint64_t size, rbuf *x)
{
    tlog_inclusion p;
    err_info e = {0};
    if (tlog_proof_inclusion(s->log_dir, cp, m, size, &p, &e) < 0)
        return pub_proof_failed(&e, "index", m, "size", size);
    rbuf_printf(x,
                "{\"index\":%llu,\"size\":%llu,\"checkpoint_size\":%llu,\"entry_bundle\":\"/log/"
                "%s\",\"leaf_hash\":",
                (unsigned long long)m, (unsigned long long)size, (unsigned long long)cp->size,
                p.bundle);
    pub_hex(x, p.leaf);
    rbuf_puts(x, ",\"root\":");
    pub_hex(x, p.root);
    pub_proof_end(x, (const uint8_t(*)[MERKLE_HASH_SIZE])p.proof, p.n);
    return 0;
}

/* The consistency proof document from the tree of `from` entries to that
 * of `to` (checked by tlog_proof as above). */
static int pub_consistency_render(public_server *s, const checkpoint *cp, uint64_t from,
                                  uint64_t to, rbuf *x)
{
    tlog_consistency p;
    err_info e = {0};
    if (tlog_proof_consistency(s->log_dir, cp, from, to, &p, &e) < 0)
        return pub_proof_failed(&e, "from", from, "to", to);
    rbuf_printf(x, "{\"from\":%llu,\"to\":%llu,\"from_root\":", (unsigned long long)from,
                (unsigned long long)to);
    pub_hex(x, p.root1);
    rbuf_puts(x, ",\"to_root\":");
    pub_hex(x, p.root2);
    pub_proof_end(x, (const uint8_t(*)[MERKLE_HASH_SIZE])p.proof, p.n);
    return 0;
}

typedef int (*pub_proof_fn)(public_server *s, const checkpoint *cp, uint64_t a, uint64_t b,
                            rbuf *x);

/* A proof document (`kind` of proof, for a and b) from the table, made by
 * `render` when missing: immutable when the client named every size (the
 * trees of given sizes never change), else good for a second. */
static enum MHD_Result pub_proof_answer(public_server *s, struct MHD_Connection *c,
                                        const checkpoint *cp, char kind, uint64_t a, uint64_t b,
                                        int fixed, pub_proof_fn render)
{
    char key[64];
    snprintf(key, sizeof key, "%c/%llu/%llu/%d", kind, (unsigned long long)a,
             (unsigned long long)b, fixed);
    cache_doc *d = cache_table_get(s->table, key, 0, 0);
    if (!d) {
        rbuf x = {0};
        if (render(s, cp, a, b, &x) < 0) {
            rbuf_free(&x);
            return http_send_error(c, "INTERNAL", NULL, NULL, 0);
        }
        size_t n;
        char *body = rbuf_take(&x, &n);
        d = cache_doc_new(body, n, resp_ct_json, resp_cc_fixed(fixed), http_now());
        cache_doc_ref(d);
        cache_table_put(s->table, key, d);
    }
    return resp_send_doc(c, d);
}

/* The current checkpoint's size and root. */
static int pub_proof_checkpoint(const public_server *s, checkpoint *cp)
{
    char *text;
    size_t len;
    if (pub_checkpoint(s, &text, &len, cp) < 0)
        return -1;
    free(text);
    return 0;
}

/* /api/v1/proof/<index>[?size=N]: against the current checkpoint, or an
 * earlier size (then the answer never changes: immutable). */
static enum MHD_Result pub_proof(public_server *s, struct MHD_Connection *c, const char *p)
{
    uint64_t m, size;
    if (path_size(p, &m) < 0)
        return pub_not_found(c);
    const char *arg = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "size");
    checkpoint cp;
    if (pub_proof_checkpoint(s, &cp) < 0)
        return http_send_error(c, "INTERNAL", NULL, NULL, 0);
    if (arg && (path_size(arg, &size) < 0 || size > cp.size))
        return http_send_error(c, "BAD_REQUEST", "size",
                               "size must be a tree size up to the checkpoint's", 0);
    if (!arg)
        size = cp.size;
    if (m >= size)
        return arg && m < cp.size ? http_send_error(c, "BAD_REQUEST", "size",
                                                    "the entry is not in a tree of that size", 0)
                                  : pub_not_found(c);
    return pub_proof_answer(s, c, &cp, 'p', m, size, arg != NULL, pub_inclusion_render);
}

/* /api/v1/consistency?from=N[&to=M]: the tree of M entries (default: the
 * current checkpoint's) extends the tree of N; immutable when `to` is
 * given. A `from` past the current checkpoint is 404: this log has no
 * such tree (yet). */
static enum MHD_Result pub_consistency(public_server *s, struct MHD_Connection *c)
{
    const char *from = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from");
    const char *to = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to");
    uint64_t size1, size2;
    checkpoint cp;
    if (!from || path_size(from, &size1) < 0)
        return http_send_error(c, "BAD_REQUEST", "from", "from must be a tree size", 0);
    if (pub_proof_checkpoint(s, &cp) < 0)
        return http_send_error(c, "INTERNAL", NULL, NULL, 0);
    if (to && (path_size(to, &size2) < 0 || size2 > cp.size))
        return http_send_error(c, "BAD_REQUEST", "to",
                               "to must be a tree size up to the checkpoint's", 0);
    if (!to)
        size2 = cp.size;
    if (size1 > size2)
        return to ? http_send_error(c, "BAD_REQUEST", "from", "from must not be larger than to",
                                    0)
                  : http_send_error(c, "NOT_FOUND", "from",
                                    "the log has no tree of that size", 0);
    return pub_proof_answer(s, c, &cp, 'c', size1, size2, to != NULL, pub_consistency_render);
}

/* ================================================================ routes */

/* /api/v1/... */
/* /api/v1/search?q=<text>: made when asked (a scan of the region names,
 * about a millisecond nationally), cacheable for an hour like the lists. */
static enum MHD_Result pub_search(public_server *s, struct MHD_Connection *c)
{
    const char *q = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "q");
    size_t n = q ? strlen(q) : 0;
    int ok = n >= RENDER_SEARCH_Q_MIN && n <= RENDER_SEARCH_Q_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)q[i] >= 0x20 && q[i] != 0x7f;
    if (!ok || !note_text_valid(q, n))
        return http_send_error(c, "BAD_REQUEST", "q",
                               "q must be 2 to 64 bytes of UTF-8 text on one line", 0);
    rbuf x = {0};
    render_search(&x, s->el, s->mask, q);
    size_t len;
    char *body = rbuf_take(&x, &len);
    return resp_send_doc(c, cache_doc_new(body, len, resp_ct_json, resp_cc_static, http_now()));
}

/* /api/v1/recap/<contest>/<code>.json (a region's units) or
 * /api/v1/recap/<contest>/<code>/<district index>.json (one unit). */
static enum MHD_Result pub_recap(public_server *s, struct MHD_Connection *c, const char *p)
{
    char code[REGION_CODE_MAX];
    contest_kind k;
    const char *rest;
    uint64_t d;
    uint32_t r;
    err_info e = {0};
    int unit = path_contest(p, NULL, &k, &rest) < 0 ? -1 : path_recap(rest, code, &d);
    if (unit < 0 || (r = pub_region(s, code, REGION_NATIONAL, REGION_KECAMATAN)) == REGION_NONE)
        return pub_not_found(c);
    if (!unit) {
        if ((int)s->el->tree->node[r].level < recap_top_level(k))
            return pub_not_found(c);
        return pub_answer(c, pubdocs_recap_region(s, k, r, &e), &e);
    }
    if (d >= s->el->ndistrict[k])
        return pub_not_found(c);
    cache_doc *doc = pubdocs_recap_unit(s, k, r, (uint32_t)d, &e);
    if (!doc && e.code && !strncmp(e.code, "RECAP_", 6)) /* no such unit: 404 with its code */
        return http_send_error(c, e.code, e.where, e.msg, 0);
    return pub_answer(c, doc, &e);
}

static enum MHD_Result pub_api(public_server *s, struct MHD_Connection *c, const char *p)
{
    char code[REGION_CODE_MAX];
    contest_kind k;
    const char *rest;
    err_info e = {0};
    if (!strncmp(p, "results/", 8)) {
        uint32_t r;
        if (path_contest(p + 8, NULL, &k, &rest) < 0 ||
            path_stem(rest, ".json", code, sizeof code) < 0 ||
            (r = pub_region(s, code, REGION_NATIONAL, REGION_DESA)) == REGION_NONE)
            return pub_not_found(c);
        return pub_answer(c, pubdocs_results(s, k, r), NULL);
    }
    if (!strncmp(p, "regions/", 8)) {
        uint32_t r;
        if (path_stem(p + 8, ".json", code, sizeof code) < 0 ||
            (r = pub_region(s, code, REGION_NATIONAL, REGION_TPS)) == REGION_NONE)
            return pub_not_found(c);
        return pub_answer(c, pubdocs_region(s, r), NULL);
    }
    if (!strcmp(p, "search"))
        return pub_search(s, c);
    if (!strncmp(p, "tps/", 4)) {
        uint32_t r;
        if (path_stem(p + 4, ".json", code, sizeof code) < 0 ||
            (r = pub_region(s, code, REGION_TPS, REGION_TPS)) == REGION_NONE)
            return pub_not_found(c);
        return pub_answer(c, pubdocs_tps(s, r - (uint32_t)s->el->tree->level_start[REGION_TPS], &e),
                          &e);
    }
    if (!strncmp(p, "anomalies/", 10)) {
        if (path_contest(p + 10, ".json", &k, &rest) < 0)
            return pub_not_found(c);
        return pub_answer(c, pubdocs_anomalies(s, k), NULL);
    }
    if (!strncmp(p, "determination/", 14)) {
        if (path_contest(p + 14, ".json", &k, &rest) < 0)
            return pub_not_found(c);
        return pub_answer(c, pubdocs_determination(s, k, &e), &e);
    }
    if (!strncmp(p, "export/", 7)) {
        if (path_contest(p + 7, ".csv", &k, &rest) < 0 || !(s->mask[0] & (1u << k)))
            return pub_not_found(c);
        cache_doc *d = pubdocs_export(s, k);
        return d ? resp_send_doc(c, d)
                 : http_send_error(c, "BUSY", NULL, "the CSV is being made", 5);
    }
    if (!strncmp(p, "recap/", 6))
        return pub_recap(s, c, p + 6);
    if (!strncmp(p, "proof/", 6))
        return pub_proof(s, c, p + 6);
    if (!strcmp(p, "consistency"))
        return pub_consistency(s, c);
    return pub_not_found(c);
}

/* A district of kind k by its 2024 code, within container reg (0: any). */
static uint32_t pub_dapil(const public_server *s, contest_kind k, const char *kode, uint32_t reg)
{
    uint32_t d = render24_dapil_find(s->r24, k, kode);
    return d != ELECTION_NONE && (!reg || s->r24->home[k][d] == reg) ? d : ELECTION_NONE;
}

/* /pemilu/hhcw/<c>.json, /pemilu/hhcw/<c>/<path>.json (region, desa or
 * TPS file). */
static enum MHD_Result pub_hhcw(public_server *s, struct MHD_Connection *c, const char *p)
{
    char path[5 * REGION_CODE_MAX];
    err_info e = {0};
    const char *rest;
    int k = path_contest24(p, &rest);
    if (k < 0)
        return pub_not_found(c);
    if (!rest)
        return pub_answer(c, pubdocs_hhcw(s, (contest_kind)k, 0, &e), &e);
    if (path_stem(rest, ".json", path, sizeof path) < 0)
        return pub_not_found(c);
    uint32_t r = pub_nested(s, (contest_kind)k, path, REGION_TPS);
    if (r == REGION_NONE)
        return pub_not_found(c);
    if (s->el->tree->node[r].level == REGION_TPS)
        return pub_answer(c, pubdocs_hhcw_tps(s, (contest_kind)k, r - s->nregion, &e), &e);
    return pub_answer(c, pubdocs_hhcw(s, (contest_kind)k, r, &e), &e);
}

/* The dapil files: /pemilu/hhcd/pdpr/0.json, /pemilu/hhcd/pdpr/<PPNN>.json,
 * /pemilu/hhcd/pdprdp/<p>[/<PP00NN>].json,
 * /pemilu/hhcd/pdprdk/<p>/<k>[/<KKKKNN>].json: "<container path>[/<kode>]". */
static enum MHD_Result pub_hhcd(public_server *s, struct MHD_Connection *c, const char *p)
{
    char path[4 * REGION_CODE_MAX];
    const char *rest;
    int k = path_contest24(p, &rest);
    if (k < 0 || !rest || !contest_is_party_list((contest_kind)k) ||
        path_stem(rest, ".json", path, sizeof path) < 0)
        return pub_not_found(c);
    /* the container: the nation ("0") for DPR, a province or a kab/kota */
    int depth = render24_container_level((contest_kind)k);
    if (depth == REGION_NATIONAL) {
        if (!strcmp(path, "0"))
            return pub_answer(c, pubdocs_hhcd(s, (contest_kind)k, 0), NULL);
        return pub_answer(c, pubdocs_hhcd_dapil(s, (contest_kind)k,
                                                pub_dapil(s, (contest_kind)k, path, 0)),
                          NULL);
    }
    char *kode = path_cut(path, depth); /* "<container>/<kode>" */
    uint32_t r = pub_nested(s, (contest_kind)k, path, depth);
    if (r == REGION_NONE || s->el->tree->node[r].level != depth)
        return pub_not_found(c);
    if (!kode)
        return pub_answer(c, pubdocs_hhcd(s, (contest_kind)k, r), NULL);
    return pub_answer(
        c, pubdocs_hhcd_dapil(s, (contest_kind)k, pub_dapil(s, (contest_kind)k, kode, r)), NULL);
}

/* /pemilu/caleg/partai/<kode>.json (a DPR, DPRD provinsi or DPRD kab/kota
 * district: 4 digits DPR, 6 digits "PP00NN" DPRD provinsi, else DPRD
 * kab/kota) and /pemilu/caleg/dpd/<p>.json. */
static enum MHD_Result pub_caleg(public_server *s, struct MHD_Connection *c, const char *p)
{
    char kode[PATH_KODE_MAX];
    contest_kind k;
    if (path_caleg(p, kode, &k) < 0)
        return pub_not_found(c);
    uint32_t d = render24_dapil_find(s->r24, k, kode);
    return pub_answer(c, d == ELECTION_NONE ? NULL : pubdocs_caleg(s, k, d), NULL);
}

/* /pemilu/ppwp.json, /pemilu/partai.json, /pemilu/hhcw/..., /pemilu/hhcd/...,
 * /pemilu/caleg/... */
static enum MHD_Result pub_pemilu(public_server *s, struct MHD_Connection *c, const char *p)
{
    if (!strcmp(p, "ppwp.json"))
        return pub_answer(c, pubdocs_pairs(s), NULL);
    if (!strcmp(p, "partai.json"))
        return pub_answer(c, pubdocs_parties(s), NULL);
    if (!strncmp(p, "hhcw/", 5))
        return pub_hhcw(s, c, p + 5);
    if (!strncmp(p, "hhcd/", 5))
        return pub_hhcd(s, c, p + 5);
    if (!strncmp(p, "caleg/", 6))
        return pub_caleg(s, c, p + 6);
    return pub_not_found(c);
}

/* /wilayah/pemilu/<c>/0.json (provinces) and /wilayah/pemilu/<c>/<path>.json
 * (a region's children) for ppwp, pdpr, pdpd; the dapil lists
 * /wilayah/pemilu/pdpr/dapil_dpr.json, /wilayah/pemilu/pdprdp/<p>.json and
 * /wilayah/pemilu/pdprdk/<p>/<k>.json (as 2024 placed them: a DPRD
 * provinsi province lists its dapil, not its kab/kota). */
static enum MHD_Result pub_wilayah(public_server *s, struct MHD_Connection *c, const char *p)
{
    char path[5 * REGION_CODE_MAX];
    const char *rest;
    int k = path_contest24(p, &rest);
    if (k < 0 || !rest || path_stem(rest, ".json", path, sizeof path) < 0)
        return pub_not_found(c);
    if (!strcmp(path, "0"))
        return pub_answer(c, pubdocs_wilayah(s, (contest_kind)k, 0), NULL);
    if (k == CONTEST_DPR && !strcmp(path, "dapil_dpr"))
        return pub_answer(c, pubdocs_dapil_list(s, (contest_kind)k, 0), NULL);
    int dapils_at = k == CONTEST_DPRD_PROV ? REGION_PROVINCE
                    : k == CONTEST_DPRD_KAB ? REGION_KABKOTA
                                            : REGION_LEVELS; /* never */
    uint32_t r = pub_nested(s, (contest_kind)k, path, dapils_at < REGION_LEVELS ? dapils_at : REGION_DESA);
    if (r == REGION_NONE)
        return pub_not_found(c);
    if (s->el->tree->node[r].level == dapils_at)
        return pub_answer(c, pubdocs_dapil_list(s, (contest_kind)k, r), NULL);
    return pub_answer(c, pubdocs_wilayah(s, (contest_kind)k, r), NULL);
}

#define PUB_HEALTH "/healthz"

/* GET /healthz (http_health.h): outside the per-address budget, so a load
 * balancer's checks are never refused. */
static enum MHD_Result pub_health(public_server *s, struct MHD_Connection *c)
{
    unsigned status;
    json_t *o = http_health(s->in, atomic_load(&s->stopping), &status);
    char *body = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!body)
        return MHD_NO;
    enum MHD_Result ret = http_send_json(c, status, body, strlen(body), 0);
    free(body);
    return ret;
}

static enum MHD_Result pub_route(public_server *s, struct MHD_Connection *c, const char *url)
{
    if (!strcmp(url, PUB_HEALTH))
        return pub_health(s, c);
    if (!strncmp(url, "/api/v1/", 8))
        return pub_api(s, c, url + 8);
    if (!strncmp(url, "/pemilu/", 8))
        return pub_pemilu(s, c, url + 8);
    if (!strncmp(url, "/wilayah/pemilu/", 16))
        return pub_wilayah(s, c, url + 16);
    if (!strncmp(url, "/log/", 5))
        return pub_log(s, c, url + 5);
    if (!strncmp(url, "/photos/", 8))
        return photo_get(c, s->photo_dir, url + 8);
    cache_doc *page = web_get(s->web, url); /* the portal's files (http_web) */
    return page ? resp_send_doc(c, page) : pub_not_found(c);
}

/* 429 with Retry-After: never less than a second, so that a client
 * honouring it does come back later; in the log's summaries. */
static enum MHD_Result pub_rate_limited(public_server *s, struct MHD_Connection *c, double retry)
{
    http_conns_refused(s->conns, "rate_limited", c);
    return http_send_error(c, "RATE_LIMITED", NULL, NULL, retry < 1 ? 1 : retry);
}

/* libmicrohttpd calls this first when the headers are in, then with the
 * body's pieces, then once more at the end. Refusals (rate limit, method)
 * are answered at once, which closes the connection; a GET is answered at
 * the end, which keeps it alive. */
static enum MHD_Result pub_access(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    public_server *s = cls;
    (void)version;
    (void)upload_data;
    if (!*con_cls) {
        *con_cls = s;
        pub_yield(s);
        if (http_framing_check(c) < 0) /* before any of a body is read */
            return http_send_error(c, "REQUEST_FRAMING", NULL, NULL, 0);
        int health = !strcmp(url, PUB_HEALTH);
        uint8_t key[HTTP_CLIENT_KEY_MAX];
        size_t klen = health ? 0 : http_client_key(c, key);
        double now = http_now(), wait = 0;
        if (klen && !limiter_take_wait(s->ip_limit, key, klen, now, s->cfg.ip_wait, &wait))
            return pub_rate_limited(s, c, wait);
        if (strcmp(method, MHD_HTTP_METHOD_GET) && strcmp(method, MHD_HTTP_METHOD_HEAD))
            return resp_method_not_allowed(c, "GET, HEAD");
        if (!health && !http_health_serving(s->in)) /* a stale replica: another serves */
            return http_send_error(c, "REPLICA_STALE", NULL, NULL, 5);
        /* over the rate but within ip_wait: answered when its turn comes */
        if (wait > 0 && pace_defer(s->pacer, c, now + wait) < 0)
            return pub_rate_limited(s, c, wait);
        return MHD_YES;
    }
    if (*upload_data_size) { /* a GET with a body: ignored */
        *upload_data_size = 0;
        return MHD_YES;
    }
    http_conn_hold(http_conn_of(c)); /* answering: left to MHD's timeout */
    return pub_route(s, c, url);
}

static void pub_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                          enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)toe;
    *con_cls = NULL;
    http_conn_idle(http_conn_of(c));
}

/* ========================================================== start, stop */

static int pub_listen(public_server *s, err_info *e)
{
    http_listen_config lc = {
        .addr = s->addr, .port = s->cfg.port,
        .flags = MHD_USE_TURBO | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC,
        .threads = http_threads(s->cfg.threads, 1, PUB_THREADS_MAX),
        .timeout_s = s->cfg.timeout_s, .memory_limit = PUB_MEMORY_LIMIT,
        .access = pub_access, .completed = pub_completed, .cls = s, .conns = s->conns,
    };
    return http_listen(&lc, &s->d, e);
}

/* Paths of the election directory, defaults for what the caller left 0. */
static void pub_setup(public_server *s, const public_config *cfg, ingest *in)
{
    s->cfg = *cfg;
    s->addr = mem_strdup(cfg->addr ? cfg->addr : "127.0.0.1");
    s->dir = mem_strdup(cfg->dir ? cfg->dir : ".");
    s->cfg.addr = s->addr;
    s->cfg.dir = s->dir;
    if (!s->cfg.render_ms)
        s->cfg.render_ms = 1000;
    if (!s->cfg.timeout_s)
        s->cfg.timeout_s = 30;
    if (!s->cfg.conn_max)
        s->cfg.conn_max = 4096;
    size_t n = strlen(s->dir) + 16;
    s->log_dir = mem_alloc(n);
    s->photo_dir = mem_alloc(n);
    snprintf(s->log_dir, n, "%s/" EDIR_LOG, s->dir);
    snprintf(s->photo_dir, n, "%s/" EDIR_PHOTOS, s->dir);
    s->in = in;
    s->el = ingest_election(in);
    s->mask = render_contest_mask(s->el);
    s->nregion = (uint32_t)s->el->tree->level_start[REGION_TPS];
    s->r24 = render24_new(s->el, s->mask, NULL); /* its base URL: pub_base_url */
    s->ip_limit = limiter_new(cfg->ip_rate, cfg->ip_burst, PUB_LIMIT_SLOTS);
    s->table = cache_table_new(PUB_TABLE_PLACES);
    pthread_mutex_init(&s->render_lock, NULL);
    pthread_cond_init(&s->render_wake, NULL);
}

#define PUB_URL_MAX 256

/* The public base URL of the 2024 TPS files' photos: the setting (checked:
 * http or https, no character JSON would have to escape, at most
 * PUB_URL_MAX bytes; a trailing slash dropped), else http://localhost:<port>.
 * Called before the listener opens when the port is known, else (port 0,
 * tests) right after it, before anyone can have learnt the port. */
/* A URL setting rekapd writes into JSON and HTML: http or https, at most
 * PUB_URL_MAX bytes, nothing either would have to escape. */
static int pub_url_check(const char *u, const char *setting, err_info *e)
{
    size_t n = strlen(u);
    int ok = n <= PUB_URL_MAX && (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8));
    for (size_t i = 0; ok && i < n; i++)
        ok = (unsigned char)u[i] > 0x20 && !strchr("\"\\<>&'", u[i]) && u[i] != 0x7f;
    if (!ok)
        return err_set(e, ERR_INVALID, "HTTP_URL", setting,
                       "%s must be an http:// or https:// URL of at most %d bytes without "
                       "spaces, quotes, backslashes, <, > or &",
                       setting, PUB_URL_MAX);
    return 0;
}

static int pub_base_url(public_server *s, unsigned port, err_info *e)
{
    const char *u = s->cfg.base_url;
    char def[64];
    if (!u || !*u) {
        snprintf(def, sizeof def, "http://localhost:%u", port);
        u = def;
    }
    if (pub_url_check(u, "public_url", e) < 0)
        return ERR_INVALID;
    size_t n = strlen(u);
    free(s->r24->base_url);
    s->r24->base_url = mem_strdup(u);
    if (n > 8 && s->r24->base_url[n - 1] == '/')
        s->r24->base_url[n - 1] = '\0';
    return 0;
}

/* What the public listener serves besides the results: the web pages and
 * the log's verifier key (a reader compares it with the one the
 * commission published, then checks checkpoints with it). */
static int pub_static(public_server *s, err_info *e)
{
    note_verifier v;
    int rc = edir_log_verifier(s->dir, &v, e);
    if (rc < 0)
        return rc;
    char *vkey = note_verifier_format(&v);
    size_t n = strlen(vkey);
    vkey = mem_realloc(vkey, n + 2);
    memcpy(vkey + n, "\n", 2);
    s->vkey = cache_doc_new(vkey, n + 1, resp_ct_text, resp_cc_static, http_now());
    /* the officer page posts to the ingest listener: where it is */
    static const char ph[] = "<meta name=\"rekap-ingest\" content=\"\">";
    const char *iu = s->cfg.ingest_url ? s->cfg.ingest_url : "";
    char meta[PUB_URL_MAX + sizeof ph];
    if (*iu && pub_url_check(iu, "ingest_url", e) < 0)
        return ERR_INVALID;
    snprintf(meta, sizeof meta, "<meta name=\"rekap-ingest\" content=\"%s\">", iu);
    web_fill fill[] = {{"petugas/index.html", ph, meta}, {"rekap/index.html", ph, meta}};
    rc = web_load(s->cfg.web_dir, fill, sizeof fill / sizeof fill[0], &s->web, e);
    if (rc == 0)
        http_log(HTTP_LOG_INFO, "web_loaded",
                 json_pack("{s:s,s:i,s:I}", "dir", s->cfg.web_dir ? s->cfg.web_dir : "", "files",
                           (int)web_files(s->web), "bytes", (json_int_t)web_bytes(s->web)));
    return rc;
}

int public_start(const public_config *cfg, ingest *in, public_server **out, err_info *e)
{
    public_server *s = mem_calloc(1, sizeof *s);
    pub_setup(s, cfg, in);
    if (strlen(s->dir) > PUB_PATH_MAX - 128) {
        public_stop(s);
        return err_set(e, ERR_LIMIT, "HTTP_PATH", cfg->dir, "directory name too long");
    }
    double t0 = http_now();
    int rc = pub_static(s, e);
    if (rc == 0 && s->cfg.port)
        rc = pub_base_url(s, s->cfg.port, e);
    if (rc == 0)
        rc = pubdocs_start(s, e);
    if (rc == 0) {
        /* a request's line and headers, or an idle spell, within timeout_s */
        /* fair shares near conn_max, but no floor: a request waiting its
         * turn (http_pace) receives nothing and would look slow */
        http_conns_config cc = {.name = "public", .idle_timeout_s = s->cfg.timeout_s,
                                .request_timeout_s = s->cfg.timeout_s,
                                .conn_max = s->cfg.conn_max, .conn_per_ip = s->cfg.conn_per_ip};
        rc = http_conns_new(&cc, &s->conns, e);
    }
    if (rc == 0)
        rc = pace_new(s->cfg.conn_max, &s->pacer, e);
    if (rc == 0)
        rc = pub_listen(s, e);
    if (rc == 0 && !s->cfg.port)
        rc = pub_base_url(s, public_port(s), e);
    if (rc < 0) {
        public_stop(s);
        return rc;
    }
    http_log(HTTP_LOG_INFO, "public_rendered",
             json_pack("{s:i,s:f}", "regions", (int)s->nregion, "seconds", http_now() - t0));
    *out = s;
    return 0;
}

unsigned public_port(const public_server *s)
{
    const union MHD_DaemonInfo *di =
        s && s->d ? MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT) : NULL;
    return di ? di->port : 0;
}

void public_stop(public_server *s)
{
    if (!s)
        return;
    pace_drain(s->pacer); /* MHD may not stop with connections suspended */
    if (s->d)
        MHD_stop_daemon(s->d); /* answers in flight are finished or dropped here */
    pace_free(s->pacer);
    http_conns_free(s->conns);
    pubdocs_stop(s);
    cache_slots_free(s->slots);
    cache_table_free(s->table);
    limiter_free(s->ip_limit);
    render24_free(s->r24);
    web_free(s->web);
    cache_doc_unref(s->vkey);
    free(s->mask);
    pthread_mutex_destroy(&s->render_lock);
    pthread_cond_destroy(&s->render_wake);
    free(s->addr);
    free(s->dir);
    free(s->log_dir);
    free(s->photo_dir);
    free(s);
}
