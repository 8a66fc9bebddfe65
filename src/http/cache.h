/* cache — the rendered-bytes store of rekapd's public listener.
 *
 * A cache_doc is one immutable response body with its strong ETag (a hash
 * of the bytes), content type and Cache-Control, and its gzip form, made on
 * the first request that accepts gzip (most documents are never asked for
 * compressed, so compressing them all up front would be wasted work).
 * Documents are reference-counted: a store holds one reference, each
 * response on the wire holds one more (released by the HTTP library's free
 * callback), so replacing a document never frees bytes still being sent.
 *
 * Two stores, both taking a short striped lock only to swap a pointer or
 * take a reference, so a reader never waits on rendering or compression:
 *   cache_slots  a fixed array, one slot per document the render thread
 *                keeps up to date (a region's results for one contest...);
 *   cache_table  a bounded table keyed by string for documents rendered on
 *                demand (TPS detail...): a key's place is fixed by its
 *                hash and a newer document evicts whatever held it, so a
 *                flood of distinct keys cannot grow memory.
 *
 * Error codes: none (nothing here reads outside input). */
#ifndef REKAP_CACHE_H
#define REKAP_CACHE_H

#include <stdatomic.h>
#include <stddef.h>

#define CACHE_ETAG_MAX 40        /* "\"" 32 hex "-gz\"" + NUL */
#define CACHE_GZIP_MIN 256       /* smaller bodies are not worth compressing */

typedef struct cache_gz cache_gz;

typedef struct cache_doc {
    const char *body;            /* the bytes (NUL-terminated, not counted) */
    size_t len;
    char etag[CACHE_ETAG_MAX];   /* strong: "\"<hex of a 128-bit BLAKE2b of body>\"" */
    const char *ctype;           /* static strings */
    const char *cache_control;
    double born;                 /* caller's clock when made (for time-to-live) */
    /* private */
    atomic_uint refs;
    _Atomic(cache_gz *) gz;
    char *key;                   /* cache_table key, owned */
} cache_doc;

/* A document of body[0..len) (malloc'ed; ownership passes), with one
 * reference for the caller. ctype and cache_control must outlive it. */
cache_doc *cache_doc_new(char *body, size_t len, const char *ctype, const char *cache_control,
                         double born);
void cache_doc_ref(cache_doc *d);
/* Drop a reference; the last one frees the document. NULL is allowed. */
void cache_doc_unref(cache_doc *d);

/* The gzip form of d (RFC 1952, made on the first call, then kept): 0 with
 * *body, *len and *etag (the identity ETag with "-gz" before the closing
 * quote) set; ERR_INVALID when compression does not pay (a body under
 * CACHE_GZIP_MIN bytes, or no smaller once compressed). Thread-safe. */
int cache_doc_gzip(cache_doc *d, const char **body, size_t *len, const char **etag);

/* gzip (RFC 1952) of in[0..len) at level 6 into a new buffer. */
char *cache_gzip(const char *in, size_t len, size_t *outlen);

/* ---------------------------------------------------------------- slots */

typedef struct cache_slots cache_slots;

cache_slots *cache_slots_new(size_t n);
/* Drops every document's reference. */
void cache_slots_free(cache_slots *s);
size_t cache_slots_size(const cache_slots *s);
/* A new reference to slot i's document, NULL when empty or i out of range. */
cache_doc *cache_slots_get(cache_slots *s, size_t i);
/* Publish d in slot i (the caller's reference passes to the slot) and
 * drop the reference to the document it replaces. */
void cache_slots_put(cache_slots *s, size_t i, cache_doc *d);

/* ---------------------------------------------------------------- table */

typedef struct cache_table cache_table;

cache_table *cache_table_new(size_t n);
void cache_table_free(cache_table *t);
/* A new reference to the document stored under key, NULL when absent or
 * older than ttl seconds at `now` (ttl <= 0: never too old). */
cache_doc *cache_table_get(cache_table *t, const char *key, double now, double ttl);
/* Store d under key (the caller's reference passes to the table), evicting
 * whatever held the key's place. */
void cache_table_put(cache_table *t, const char *key, cache_doc *d);

#endif
