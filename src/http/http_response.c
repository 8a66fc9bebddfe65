/* http_response — the public answers' ETags, 304s, gzip, Cache-Control
 * and common headers, and the senders of documents, files and buffers;
 * see http_response.h. Owns every header a cacheable answer carries: a
 * header is added or changed here, nowhere else. */
#include "http/http_response.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http_util.h"

const char resp_ct_json[] = "application/json; charset=utf-8";
const char resp_ct_text[] = "text/plain; charset=utf-8";
const char resp_ct_bin[] = "application/octet-stream";

const char resp_cc_live[] = "public, max-age=1";
const char resp_cc_static[] = "public, max-age=3600";
const char resp_cc_immutable[] = "public, max-age=31536000, immutable";

const char *resp_cc_fixed(int fixed)
{
    return fixed ? resp_cc_immutable : resp_cc_live;
}

/* ============================================================ decisions */

int resp_etag_match(const char *inm, const char *a, const char *b)
{
    assert(a);
    const char *p = inm;
    while (p && *p) {
        p += strspn(p, " \t,");
        if (*p == '*')
            return 1;
        if (!strncmp(p, "W/", 2))
            p += 2;
        if (*p != '"')
            return 0;
        const char *end = strchr(p + 1, '"');
        if (!end)
            return 0;
        size_t n = (size_t)(end - p + 1);
        if ((strlen(a) == n && !memcmp(p, a, n)) || (b && strlen(b) == n && !memcmp(p, b, n)))
            return 1;
        p = end + 1;
    }
    return 0;
}

int resp_gzip_accepted(const char *ae)
{
    const char *p = ae;
    while (p && *p) {
        p += strspn(p, " \t,");
        size_t n = strcspn(p, " \t;,");
        int named = (n == 4 && !strncasecmp(p, "gzip", 4)) || (n == 1 && *p == '*');
        const char *end = p + strcspn(p, ",");
        const char *q = strstr(p, "q=");
        if (named)
            return !(q && q < end && strtod(q + 2, NULL) <= 0);
        p = end;
    }
    return 0;
}

resp_variant resp_variant_of(cache_doc *d, int gzip_ok)
{
    resp_variant v = {.body = d->body, .len = d->len, .etag = d->etag, .gzip = 0};
    if (gzip_ok && cache_doc_gzip(d, &v.body, &v.len, &v.etag) == 0)
        v.gzip = 1;
    return v;
}

/* ============================================================== senders */

static void resp_common_headers(struct MHD_Response *r, const char *etag, const char *cc)
{
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cc);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    /* a page on another origin polls with If-None-Match: it must see it */
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "ETag");
    MHD_add_response_header(r, MHD_HTTP_HEADER_X_CONTENT_TYPE_OPTIONS, "nosniff");
}

/* Queue r (NULL: the library could not make it) and drop our reference. */
static enum MHD_Result resp_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
    if (!r)
        return MHD_NO;
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

/* Queue r (NULL: the library could not make it) as a 200 of ctype with the
 * common headers. */
static enum MHD_Result resp_ok(struct MHD_Connection *c, struct MHD_Response *r, const char *etag,
                               const char *cc, const char *ctype)
{
    if (r) {
        resp_common_headers(r, etag, cc);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
    }
    return resp_queue(c, MHD_HTTP_OK, r);
}

int resp_client_has(struct MHD_Connection *c, const char *a, const char *b)
{
    return resp_etag_match(
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH), a, b);
}

enum MHD_Result resp_not_modified(struct MHD_Connection *c, const char *etag, const char *cc,
                                  int vary)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
    if (r) {
        resp_common_headers(r, etag, cc);
        if (vary)
            MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    }
    return resp_queue(c, MHD_HTTP_NOT_MODIFIED, r);
}

static void resp_doc_release(void *cls)
{
    cache_doc_unref(cls);
}

enum MHD_Result resp_send_doc(struct MHD_Connection *c, cache_doc *d)
{
    int gzip_ok = resp_gzip_accepted(
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
    resp_variant v = resp_variant_of(d, gzip_ok);
    if (resp_client_has(c, d->etag, v.gzip ? v.etag : NULL)) {
        enum MHD_Result ret = resp_not_modified(c, v.etag, d->cache_control, 1);
        cache_doc_unref(d);
        return ret;
    }
    struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
        v.len, (void *)v.body, resp_doc_release, d);
    if (!r) {
        cache_doc_unref(d);
        return MHD_NO;
    }
    resp_common_headers(r, v.etag, d->cache_control);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, d->ctype);
    MHD_add_response_header(r, MHD_HTTP_HEADER_VARY, MHD_HTTP_HEADER_ACCEPT_ENCODING);
    if (v.gzip)
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
    return resp_queue(c, MHD_HTTP_OK, r);
}

enum MHD_Result resp_send_file(struct MHD_Connection *c, const char *path, const char *ctype,
                               const char *cc, const char *etag)
{
    if (resp_client_has(c, etag, NULL))
        return resp_not_modified(c, etag, cc, 0);
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        int missing = fd < 0 ? errno == ENOENT || errno == ELOOP : 1;
        if (fd >= 0)
            close(fd);
        return http_send_error(c, missing ? "NOT_FOUND" : "INTERNAL", NULL, NULL, 0);
    }
    struct MHD_Response *r = MHD_create_response_from_fd64((uint64_t)st.st_size, fd);
    if (!r)
        close(fd);
    return resp_ok(c, r, etag, cc, ctype);
}

enum MHD_Result resp_send_buffer(struct MHD_Connection *c, char *buf, size_t len,
                                 const char *ctype, const char *cc, const char *etag)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(len, buf, MHD_RESPMEM_MUST_FREE);
    if (!r)
        free(buf);
    return resp_ok(c, r, etag, cc, ctype);
}

enum MHD_Result resp_method_not_allowed(struct MHD_Connection *c, const char *allow)
{
    const http_error_def *def = http_error_find("METHOD_NOT_ALLOWED");
    size_t len;
    char *body = http_error_body(def->code, def->msg_id, def->msg_en, NULL, NULL, &len);
    struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
    if (r) {
        MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, resp_ct_json);
        MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
    } else {
        free(body);
    }
    return resp_queue(c, def->status, r);
}
