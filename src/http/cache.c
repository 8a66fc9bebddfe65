/* cache — immutable rendered documents, their ETags and gzip forms, and
 * the two stores that publish them; see cache.h. */
#include "http/cache.h"

#include <pthread.h>
#include <sodium.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/err.h"
#include "core/mem.h"

struct cache_gz {
    char *body;
    size_t len;
    char etag[CACHE_ETAG_MAX];
};

/* Marks a document whose gzip form does not pay. */
static cache_gz cache_gz_none;

/* Locks are striped: slot or place i uses lock i % CACHE_STRIPES, so two
 * readers rarely meet and memory does not grow with the number of slots. */
#define CACHE_STRIPES 64

/* ============================================================ document */

static void cache_etag(const char *body, size_t len, const char *suffix, char out[CACHE_ETAG_MAX])
{
    unsigned char h[16];
    crypto_generichash(h, sizeof h, (const unsigned char *)body, len, NULL, 0);
    char *p = out;
    *p++ = '"';
    for (size_t i = 0; i < sizeof h; i++)
        p += snprintf(p, 3, "%02x", h[i]);
    snprintf(p, CACHE_ETAG_MAX - (size_t)(p - out), "%s\"", suffix);
}

cache_doc *cache_doc_new(char *body, size_t len, const char *ctype, const char *cache_control,
                         double born)
{
    cache_doc *d = mem_calloc(1, sizeof *d);
    d->body = body;
    d->len = len;
    d->ctype = ctype;
    d->cache_control = cache_control;
    d->born = born;
    cache_etag(body, len, "", d->etag);
    atomic_init(&d->refs, 1);
    atomic_init(&d->gz, NULL);
    return d;
}

void cache_doc_ref(cache_doc *d)
{
    atomic_fetch_add_explicit(&d->refs, 1, memory_order_relaxed);
}

void cache_doc_unref(cache_doc *d)
{
    if (!d || atomic_fetch_sub_explicit(&d->refs, 1, memory_order_acq_rel) != 1)
        return;
    cache_gz *gz = atomic_load(&d->gz);
    if (gz && gz != &cache_gz_none) {
        free(gz->body);
        free(gz);
    }
    free((char *)d->body);
    free(d->key);
    free(d);
}

char *cache_gzip(const char *in, size_t len, size_t *outlen)
{
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip wrapper rather than zlib's */
    if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        abort(); /* only fails on bad parameters or no memory */
    size_t cap = deflateBound(&z, (uLong)len) + 32;
    char *out = mem_alloc(cap);
    z.next_in = (Bytef *)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out;
    z.avail_out = (uInt)cap;
    if (deflate(&z, Z_FINISH) != Z_STREAM_END)
        abort(); /* deflateBound guarantees room */
    *outlen = z.total_out;
    deflateEnd(&z);
    return out;
}

/* Compress d once; a loser of a race frees its copy and uses the winner's. */
static cache_gz *cache_make_gz(cache_doc *d)
{
    cache_gz *gz = &cache_gz_none;
    if (d->len >= CACHE_GZIP_MIN) {
        size_t n;
        char *z = cache_gzip(d->body, d->len, &n);
        if (n < d->len) {
            gz = mem_calloc(1, sizeof *gz);
            gz->body = z;
            gz->len = n;
            snprintf(gz->etag, sizeof gz->etag, "%.*s-gz\"", (int)strlen(d->etag) - 1, d->etag);
        } else {
            free(z);
        }
    }
    cache_gz *expected = NULL;
    if (atomic_compare_exchange_strong(&d->gz, &expected, gz))
        return gz;
    if (gz != &cache_gz_none) {
        free(gz->body);
        free(gz);
    }
    return expected;
}

int cache_doc_gzip(cache_doc *d, const char **body, size_t *len, const char **etag)
{
    cache_gz *gz = atomic_load(&d->gz);
    if (!gz)
        gz = cache_make_gz(d);
    if (gz == &cache_gz_none)
        return ERR_INVALID;
    *body = gz->body;
    *len = gz->len;
    *etag = gz->etag;
    return 0;
}

/* =============================================================== slots */

struct cache_slots {
    size_t n;
    cache_doc **doc;
    pthread_mutex_t lock[CACHE_STRIPES];
};

static void cache_slots_init(cache_slots *s, size_t n)
{
    s->n = n;
    s->doc = mem_calloc(n ? n : 1, sizeof *s->doc);
    for (int i = 0; i < CACHE_STRIPES; i++)
        pthread_mutex_init(&s->lock[i], NULL);
}

static void cache_slots_fini(cache_slots *s)
{
    for (size_t i = 0; i < s->n; i++)
        cache_doc_unref(s->doc[i]);
    for (int i = 0; i < CACHE_STRIPES; i++)
        pthread_mutex_destroy(&s->lock[i]);
    free(s->doc);
}

cache_slots *cache_slots_new(size_t n)
{
    cache_slots *s = mem_calloc(1, sizeof *s);
    cache_slots_init(s, n);
    return s;
}

void cache_slots_free(cache_slots *s)
{
    if (!s)
        return;
    cache_slots_fini(s);
    free(s);
}

size_t cache_slots_size(const cache_slots *s)
{
    return s->n;
}

/* A new reference to slot i's document; with a key, only when the
 * document is that key's and not older than ttl. */
static cache_doc *cache_slots_take(cache_slots *s, size_t i, const char *key, double now,
                                   double ttl)
{
    if (i >= s->n)
        return NULL;
    pthread_mutex_t *m = &s->lock[i % CACHE_STRIPES];
    pthread_mutex_lock(m);
    cache_doc *d = s->doc[i];
    if (d && key && (strcmp(d->key, key) || (ttl > 0 && now - d->born > ttl)))
        d = NULL;
    if (d)
        cache_doc_ref(d);
    pthread_mutex_unlock(m);
    return d;
}

cache_doc *cache_slots_get(cache_slots *s, size_t i)
{
    return cache_slots_take(s, i, NULL, 0, 0);
}

void cache_slots_put(cache_slots *s, size_t i, cache_doc *d)
{
    if (i >= s->n) {
        cache_doc_unref(d);
        return;
    }
    pthread_mutex_t *m = &s->lock[i % CACHE_STRIPES];
    pthread_mutex_lock(m);
    cache_doc *old = s->doc[i];
    s->doc[i] = d;
    pthread_mutex_unlock(m);
    cache_doc_unref(old);
}

/* =============================================================== table */

struct cache_table {
    cache_slots s; /* place i of a key is slot i */
};

cache_table *cache_table_new(size_t n)
{
    cache_table *t = mem_calloc(1, sizeof *t);
    cache_slots_init(&t->s, n ? n : 1);
    return t;
}

void cache_table_free(cache_table *t)
{
    if (!t)
        return;
    cache_slots_fini(&t->s);
    free(t);
}

/* FNV-1a: keys are short paths and codes; the place only needs spreading. */
static size_t cache_place(const cache_table *t, const char *key)
{
    uint64_t h = 1469598103934665603ull;
    for (; *key; key++)
        h = (h ^ (unsigned char)*key) * 1099511628211ull;
    return (size_t)(h % t->s.n);
}

cache_doc *cache_table_get(cache_table *t, const char *key, double now, double ttl)
{
    return cache_slots_take(&t->s, cache_place(t, key), key, now, ttl);
}

void cache_table_put(cache_table *t, const char *key, cache_doc *d)
{
    free(d->key);
    d->key = mem_strdup(key);
    cache_slots_put(&t->s, cache_place(t, key), d);
}
