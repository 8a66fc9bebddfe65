/* http_web — the web pages (web/: the public portal, later the officer's
 * page) as rekapd's public listener serves them: the built site
 * (`node web/build.mjs OUTDIR`, docs/WEB.md) read once at start into
 * memory, each file a cache_doc with its strong ETag and gzip form like
 * every other public document (http_response). The site never changes
 * while rekapd runs; a new build is served after a restart.
 *
 * URL to file: "/" -> index.html, "/<dir>/" -> <dir>/index.html, any other
 * "/<path>" -> <path>. Cache-Control: a file under assets/ whose name
 * carries its content hash ("<name>.<12+ hex>.<ext>") is immutable; HTML
 * is "no-cache" (revalidated each time, a 304 when unchanged); anything
 * else may be cached a minute.
 *
 * Bounded: at most WEB_FILES_MAX files, WEB_FILE_MAX bytes each,
 * WEB_TOTAL_MAX in all, WEB_DEPTH_MAX directories deep; names only of
 * [A-Za-z0-9._-] and not starting with a dot; symbolic links are not
 * followed. A site beyond a bound is refused at start (WEB_LIMIT). */
#ifndef REKAP_HTTP_WEB_H
#define REKAP_HTTP_WEB_H

#include <stddef.h>

#include "core/err.h"
#include "http/cache.h"

#define WEB_FILES_MAX 512
#define WEB_FILE_MAX ((size_t)16 << 20)
#define WEB_TOTAL_MAX ((size_t)64 << 20)
#define WEB_DEPTH_MAX 4
#define WEB_PATH_MAX 256

typedef struct web_site web_site;

/* A setting of this deployment written into a page as it is loaded: in
 * file `path`, the first `placeholder` (e.g. the officer page's empty
 * <meta name="rekap-ingest" content="">) becomes `value` (which the
 * caller has checked holds nothing the page would misread). */
typedef struct web_fill {
    const char *path, *placeholder, *value;
} web_fill;

/* Read the site under dir, filling in fill[0..nfill). A NULL or empty
 * dir, or one that does not exist, is an empty site (every page 404; the
 * API is unaffected). WEB_LIMIT (a bound), WEB_READ (a file or directory
 * could not be read). */
int web_load(const char *dir, const web_fill *fill, size_t nfill, web_site **out, err_info *e);
void web_free(web_site *w);

/* The document for url (a new reference), or NULL when there is none. */
cache_doc *web_get(web_site *w, const char *url);
/* Files and bytes served. */
size_t web_files(const web_site *w);
size_t web_bytes(const web_site *w);

#endif
