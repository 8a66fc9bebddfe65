/* http_response — how rekapd's public answers go out: strong ETags and
 * If-None-Match (304 Not Modified), gzip when the client accepts it and it
 * pays, the Cache-Control a CDN may act on, the headers every cacheable
 * answer carries, and the three kinds of body (a rendered cache_doc, a
 * file sent by descriptor, a buffer). The routes choose what to send; this
 * module decides how, so every cacheable answer follows the same rules.
 *
 * The decisions are pure functions of header values (resp_etag_match,
 * resp_gzip_accepted, resp_variant_of, resp_cc_fixed); the senders read
 * the headers from the connection, apply them and queue the response.
 * Headers of a 200 and a 304: ETag, Cache-Control,
 * Access-Control-Allow-Origin: *, X-Content-Type-Options: nosniff; a
 * document also Vary: Accept-Encoding (its 304 too), a 200 its
 * Content-Type (and Content-Encoding: gzip when compressed). Errors go
 * through http_util (http_send_error): JSON, no-store. */
#ifndef REKAP_HTTP_RESPONSE_H
#define REKAP_HTTP_RESPONSE_H

#include <stddef.h>

#include <microhttpd.h>

#include "http/cache.h"

/* ------------------------------------------------------ content, lifetime */

extern const char resp_ct_json[]; /* "application/json; charset=utf-8" */
extern const char resp_ct_text[]; /* "text/plain; charset=utf-8" */
extern const char resp_ct_bin[];  /* "application/octet-stream" */

extern const char resp_cc_live[];      /* changes any second: a CDN may answer for one */
extern const char resp_cc_static[];    /* changes rarely: region lists, candidates (an hour) */
extern const char resp_cc_immutable[]; /* never changes under its name (a year) */

/* The Cache-Control of bytes that never change under their name (`fixed`:
 * a full tile, a proof between given sizes) or may (live). */
const char *resp_cc_fixed(int fixed);

/* ------------------------------------------------------------- decisions */

/* Does the If-None-Match value `inm` (NULL: no header) name etag a or b (b
 * may be NULL)? Weak comparison (RFC 9110 13.1.2: "W/" is ignored), a list
 * of tags, "*" matches anything; an entry that is not a quoted tag ends
 * the list unmatched. */
int resp_etag_match(const char *inm, const char *a, const char *b);

/* Does the Accept-Encoding value `ae` (NULL: no header) allow gzip: "gzip"
 * (any case) or "*" named first, without a q of 0? */
int resp_gzip_accepted(const char *ae);

/* The bytes of a document to send. */
typedef struct resp_variant {
    const char *body;
    size_t len;
    const char *etag; /* of these bytes */
    int gzip;         /* the gzip form (Content-Encoding: gzip) */
} resp_variant;

/* d's gzip form when `gzip_ok` and compression pays (cache_doc_gzip),
 * else its own bytes. */
resp_variant resp_variant_of(cache_doc *d, int gzip_ok);

/* ---------------------------------------------------------------- senders */

/* Does the client's If-None-Match name etag a or b? */
int resp_client_has(struct MHD_Connection *c, const char *a, const char *b);

/* 304 with etag, cc and the common headers (and Vary: Accept-Encoding
 * when `vary`: the answer of a document), no body. */
enum MHD_Result resp_not_modified(struct MHD_Connection *c, const char *etag, const char *cc,
                                  int vary);

/* A document; the caller's reference passes to the response (released
 * when the library is done sending it): 304 when the client holds the
 * variant it would get, gzip when accepted and smaller. */
enum MHD_Result resp_send_doc(struct MHD_Connection *c, cache_doc *d);

/* A regular file by descriptor (the library sends it with sendfile and
 * closes it): 304 when the client holds etag, 404 when absent, a link or
 * not a regular file, 500 when it cannot be opened otherwise. */
enum MHD_Result resp_send_file(struct MHD_Connection *c, const char *path, const char *ctype,
                               const char *cc, const char *etag);

/* buf[0..len) (malloc'ed; ownership passes, freed when sent or on
 * failure) as a 200 with etag and cc; the caller has checked If-None-Match. */
enum MHD_Result resp_send_buffer(struct MHD_Connection *c, char *buf, size_t len,
                                 const char *ctype, const char *cc, const char *etag);

/* 405 METHOD_NOT_ALLOWED (the JSON error body, no-store) with
 * Allow: `allow`. */
enum MHD_Result resp_method_not_allowed(struct MHD_Connection *c, const char *allow);

#endif
