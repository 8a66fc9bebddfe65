/* Tests for http_response: the pure decisions (If-None-Match with weak
 * tags, lists and "*"; Accept-Encoding with q values; the gzip form chosen
 * only when accepted and smaller; Cache-Control for fixed and live bytes),
 * then every sender through a real libmicrohttpd daemon on 127.0.0.1 and
 * a raw HTTP/1.1 client: the headers of a 200 and of a 304, the variant a
 * 304 names, files (sent, 304, absent, a link, not a file, not to be
 * opened), buffers and the 405 with Allow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core/err.h"
#include "core/mem.h"
#include "http/cache.h"
#include "http/http_response.h"
#include "testutil.h"

/* A JSON body of n bytes that gzip shrinks well. */
static cache_doc *doc_text(size_t n, const char *cc)
{
    char *body = mem_alloc(n + 1);
    for (size_t i = 0; i < n; i++)
        body[i] = "{\"votes\":[1,2,3]}"[i % 17];
    body[n] = '\0';
    return cache_doc_new(body, n, resp_ct_json, cc, 0);
}

/* n random bytes: gzip cannot make them smaller. */
static cache_doc *doc_random(size_t n)
{
    char *body = mem_alloc(n + 1);
    randombytes_buf(body, n);
    body[n] = '\0';
    return cache_doc_new(body, n, resp_ct_bin, resp_cc_live, 0);
}

/* ============================================================ decisions */

static void test_etag_match_rules(void **state)
{
    (void)state;
    const char *a = "\"abc\"", *gz = "\"abc-gz\"";
    assert_false(resp_etag_match(NULL, a, NULL));
    assert_false(resp_etag_match("", a, NULL));
    assert_true(resp_etag_match("\"abc\"", a, NULL));
    assert_true(resp_etag_match("W/\"abc\"", a, NULL)); /* weak comparison */
    assert_true(resp_etag_match("\"x\", \"abc\"", a, NULL));
    assert_true(resp_etag_match("\"x\",W/\"abc\"", a, NULL));
    assert_true(resp_etag_match(" \t\"x\" ,\t \"abc\"", a, NULL));
    assert_true(resp_etag_match("*", a, NULL));
    assert_true(resp_etag_match("\"x\", *", a, NULL));
    /* the second tag (a gzip form) only when given */
    assert_true(resp_etag_match("\"abc-gz\"", a, gz));
    assert_false(resp_etag_match("\"abc-gz\"", a, NULL));
    /* whole tags only */
    assert_false(resp_etag_match("\"ab\"", a, NULL));
    assert_false(resp_etag_match("\"abcd\"", a, NULL));
    assert_false(resp_etag_match("abc", a, NULL));
    assert_false(resp_etag_match("\"x\"", a, gz));
    /* an entry that is not a quoted tag ends the list */
    assert_false(resp_etag_match("abc, \"abc\"", a, NULL));
    assert_false(resp_etag_match("\"abc", a, NULL));
    assert_false(resp_etag_match("w/\"abc\"", a, NULL));
}

static void test_gzip_accepted(void **state)
{
    (void)state;
    assert_false(resp_gzip_accepted(NULL));
    assert_false(resp_gzip_accepted(""));
    assert_true(resp_gzip_accepted("gzip"));
    assert_true(resp_gzip_accepted("GZip"));
    assert_true(resp_gzip_accepted("br, gzip"));
    assert_true(resp_gzip_accepted("gzip, deflate, br"));
    assert_true(resp_gzip_accepted("gzip;q=0.5"));
    assert_true(resp_gzip_accepted("*"));
    assert_false(resp_gzip_accepted("gzip;q=0"));
    assert_false(resp_gzip_accepted("gzip; q=0.000"));
    assert_false(resp_gzip_accepted("*;q=0"));
    assert_false(resp_gzip_accepted("deflate, br"));
    assert_false(resp_gzip_accepted("identity"));
    assert_false(resp_gzip_accepted("gzipx"));
    assert_false(resp_gzip_accepted("x-gzip"));
    /* a q belongs to its own entry */
    assert_true(resp_gzip_accepted("br;q=0, gzip"));
    assert_true(resp_gzip_accepted("gzip, br;q=0"));
}

static void test_variant_gzip_only_when_accepted_and_smaller(void **state)
{
    (void)state;
    cache_doc *d = doc_text(4096, resp_cc_live);
    resp_variant v = resp_variant_of(d, 0);
    assert_false(v.gzip);
    assert_ptr_equal(v.body, d->body);
    assert_int_equal(v.len, d->len);
    assert_ptr_equal(v.etag, d->etag);
    v = resp_variant_of(d, 1);
    assert_true(v.gzip);
    assert_true(v.len < d->len);
    const char *gz_body, *gz_etag;
    size_t gz_len;
    assert_int_equal(cache_doc_gzip(d, &gz_body, &gz_len, &gz_etag), 0);
    assert_ptr_equal(v.body, gz_body);
    assert_string_equal(v.etag, gz_etag);
    assert_string_not_equal(v.etag, d->etag);
    cache_doc_unref(d);
    /* too small to be worth it, and bytes gzip cannot shrink */
    cache_doc *small = doc_text(CACHE_GZIP_MIN - 1, resp_cc_live), *noise = doc_random(4096);
    assert_false(resp_variant_of(small, 1).gzip);
    v = resp_variant_of(noise, 1);
    assert_false(v.gzip);
    assert_ptr_equal(v.body, noise->body);
    cache_doc_unref(small);
    cache_doc_unref(noise);
}

static void test_cache_control(void **state)
{
    (void)state;
    assert_string_equal(resp_cc_fixed(1), "public, max-age=31536000, immutable");
    assert_string_equal(resp_cc_fixed(0), "public, max-age=1");
    assert_ptr_equal(resp_cc_fixed(1), resp_cc_immutable);
    assert_ptr_equal(resp_cc_fixed(0), resp_cc_live);
    assert_string_equal(resp_cc_static, "public, max-age=3600");
    assert_string_equal(resp_ct_json, "application/json; charset=utf-8");
    assert_string_equal(resp_ct_text, "text/plain; charset=utf-8");
    assert_string_equal(resp_ct_bin, "application/octet-stream");
}

/* =============================================== through libmicrohttpd */

typedef struct server {
    struct MHD_Daemon *d;
    unsigned port;
    cache_doc *doc;          /* /doc (the server keeps a reference) */
    char dir[64];            /* scratch: a file, a link to it, a directory */
    char file[128], link[128], sub[128], under[160];
} server;

static const char file_bytes[] = "tile bytes\n";

/* The routes of the test daemon, answered on the second call as the
 * public listener does. */
static enum MHD_Result route(void *cls, struct MHD_Connection *c, const char *url,
                             const char *method, const char *version, const char *upload_data,
                             size_t *upload_data_size, void **con_cls)
{
    server *s = cls;
    (void)method;
    (void)version;
    (void)upload_data;
    (void)upload_data_size;
    if (!*con_cls) {
        *con_cls = s;
        return MHD_YES;
    }
    if (!strcmp(url, "/doc")) {
        cache_doc_ref(s->doc);
        return resp_send_doc(c, s->doc);
    }
    if (!strcmp(url, "/file"))
        return resp_send_file(c, s->file, resp_ct_bin, resp_cc_immutable, "\"f\"");
    if (!strcmp(url, "/link"))
        return resp_send_file(c, s->link, resp_ct_bin, resp_cc_immutable, "\"f\"");
    if (!strcmp(url, "/dir"))
        return resp_send_file(c, s->sub, resp_ct_bin, resp_cc_immutable, "\"f\"");
    if (!strcmp(url, "/under"))
        return resp_send_file(c, s->under, resp_ct_bin, resp_cc_immutable, "\"f\"");
    if (!strcmp(url, "/missing"))
        return resp_send_file(c, "/nonexistent/file", resp_ct_bin, resp_cc_immutable, "\"f\"");
    if (!strcmp(url, "/buffer"))
        return resp_send_buffer(c, mem_strdup("partial"), 7, resp_ct_bin, resp_cc_live, "\"b\"");
    return resp_method_not_allowed(c, "GET, HEAD");
}

static int setup(void **state)
{
    server *s = mem_calloc(1, sizeof *s);
    snprintf(s->dir, sizeof s->dir, "/tmp/test_http_response.XXXXXX");
    assert_non_null(mkdtemp(s->dir));
    snprintf(s->file, sizeof s->file, "%s/file", s->dir);
    snprintf(s->link, sizeof s->link, "%s/link", s->dir);
    snprintf(s->sub, sizeof s->sub, "%s/sub", s->dir);
    snprintf(s->under, sizeof s->under, "%s/x", s->file); /* ENOTDIR */
    FILE *f = fopen(s->file, "w");
    assert_non_null(f);
    fputs(file_bytes, f);
    fclose(f);
    assert_int_equal(symlink(s->file, s->link), 0);
    assert_int_equal(mkdir(s->sub, 0700), 0);
    s->doc = doc_text(4096, resp_cc_static);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    s->d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD, 0, NULL, NULL, route, s,
                            MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&sa, MHD_OPTION_END);
    assert_non_null(s->d);
    s->port = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT)->port;
    *state = s;
    return 0;
}

static int teardown(void **state)
{
    server *s = *state;
    MHD_stop_daemon(s->d);
    cache_doc_unref(s->doc);
    test_remove_tree(s->dir);
    free(s);
    return 0;
}

/* One answer as it came off the wire. */
typedef struct answer {
    char raw[16384];
    size_t len;
    unsigned status;
    const char *body; /* into raw */
    size_t body_len;
} answer;

/* GET (or `method`) path with extra header lines ("Name: value\r\n"...). */
static void request(const server *s, const char *method, const char *path, const char *headers,
                    answer *a)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons((uint16_t)s->port),
                             .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    char req[1024];
    int n = snprintf(req, sizeof req, "%s %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n%s\r\n",
                     method, path, headers ? headers : "");
    assert_int_equal(send(fd, req, (size_t)n, 0), n);
    memset(a, 0, sizeof *a);
    ssize_t got;
    while ((got = recv(fd, a->raw + a->len, sizeof a->raw - 1 - a->len, 0)) > 0)
        a->len += (size_t)got;
    close(fd);
    assert_true(sscanf(a->raw, "HTTP/1.1 %u ", &a->status) == 1);
    char *end = strstr(a->raw, "\r\n\r\n");
    assert_non_null(end);
    a->body = end + 4;
    a->body_len = a->len - (size_t)(a->body - a->raw);
}

/* The value of header `name` (the first; NULL when absent), into buf. */
static const char *header(const answer *a, const char *name, char *buf, size_t cap)
{
    size_t n = strlen(name);
    for (const char *p = strstr(a->raw, "\r\n"); p && p + 2 < a->body; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (!strncasecmp(line, name, n) && line[n] == ':') {
            const char *v = line + n + 1 + strspn(line + n + 1, " ");
            snprintf(buf, cap, "%.*s", (int)strcspn(v, "\r"), v);
            return buf;
        }
    }
    return NULL;
}

static void assert_header(const answer *a, const char *name, const char *want)
{
    char buf[256];
    const char *got = header(a, name, buf, sizeof buf);
    if (!want) {
        assert_null(got);
        return;
    }
    assert_non_null(got);
    assert_string_equal(got, want);
}

/* What every 200 and 304 of a cacheable answer carries. */
static void assert_common(const answer *a, const char *etag, const char *cc)
{
    assert_header(a, "ETag", etag);
    assert_header(a, "Cache-Control", cc);
    assert_header(a, "Access-Control-Allow-Origin", "*");
    assert_header(a, "X-Content-Type-Options", "nosniff");
}

/* A 200 with the common headers, of ctype, with exactly body[0..len). */
static void assert_ok(const answer *a, const char *etag, const char *cc, const char *ctype,
                      const char *body, size_t len)
{
    assert_int_equal(a->status, 200);
    assert_common(a, etag, cc);
    assert_header(a, "Content-Type", ctype);
    assert_int_equal(a->body_len, len);
    assert_memory_equal(a->body, body, len);
}

static void test_doc_200_identity_and_gzip(void **state)
{
    server *s = *state;
    answer *a = mem_alloc(sizeof *a);
    request(s, "GET", "/doc", NULL, a);
    assert_ok(a, s->doc->etag, resp_cc_static, resp_ct_json, s->doc->body, s->doc->len);
    assert_header(a, "Vary", "Accept-Encoding");
    assert_header(a, "Content-Encoding", NULL);

    request(s, "GET", "/doc", "Accept-Encoding: gzip, br\r\n", a);
    const char *gz_body, *gz_etag;
    size_t gz_len;
    assert_int_equal(cache_doc_gzip(s->doc, &gz_body, &gz_len, &gz_etag), 0);
    assert_ok(a, gz_etag, resp_cc_static, resp_ct_json, gz_body, gz_len);
    assert_header(a, "Content-Encoding", "gzip");
    assert_header(a, "Vary", "Accept-Encoding");

    request(s, "GET", "/doc", "Accept-Encoding: gzip;q=0\r\n", a);
    assert_header(a, "Content-Encoding", NULL);
    assert_int_equal(a->body_len, s->doc->len);
    free(a);
}

static void test_doc_304(void **state)
{
    server *s = *state;
    answer *a = mem_alloc(sizeof *a);
    const char *gz_body, *gz_etag;
    size_t gz_len;
    assert_int_equal(cache_doc_gzip(s->doc, &gz_body, &gz_len, &gz_etag), 0);
    char h[256];

    snprintf(h, sizeof h, "If-None-Match: %s\r\n", s->doc->etag);
    request(s, "GET", "/doc", h, a);
    assert_int_equal(a->status, 304);
    assert_int_equal(a->body_len, 0);
    assert_common(a, s->doc->etag, resp_cc_static);
    assert_header(a, "Vary", "Accept-Encoding");
    assert_header(a, "Content-Type", NULL);
    assert_header(a, "Content-Encoding", NULL);

    /* the 304 names the variant the client would get now */
    snprintf(h, sizeof h, "If-None-Match: %s\r\nAccept-Encoding: gzip\r\n", s->doc->etag);
    request(s, "GET", "/doc", h, a);
    assert_int_equal(a->status, 304);
    assert_common(a, gz_etag, resp_cc_static);
    snprintf(h, sizeof h, "If-None-Match: \"x\", W/%s\r\nAccept-Encoding: gzip\r\n", gz_etag);
    request(s, "GET", "/doc", h, a);
    assert_int_equal(a->status, 304);
    assert_common(a, gz_etag, resp_cc_static);

    /* the gzip form's tag, from a client that no longer accepts gzip */
    snprintf(h, sizeof h, "If-None-Match: %s\r\n", gz_etag);
    request(s, "GET", "/doc", h, a);
    assert_int_equal(a->status, 200);
    assert_int_equal(a->body_len, s->doc->len);

    request(s, "GET", "/doc", "If-None-Match: *\r\n", a);
    assert_int_equal(a->status, 304);
    free(a);
}

static void test_file(void **state)
{
    server *s = *state;
    answer *a = mem_alloc(sizeof *a);
    request(s, "GET", "/file", NULL, a);
    assert_ok(a, "\"f\"", resp_cc_immutable, resp_ct_bin, file_bytes, strlen(file_bytes));
    assert_header(a, "Vary", NULL);

    request(s, "GET", "/file", "If-None-Match: W/\"f\"\r\n", a);
    assert_int_equal(a->status, 304);
    assert_int_equal(a->body_len, 0);
    assert_common(a, "\"f\"", resp_cc_immutable);
    assert_header(a, "Vary", NULL);
    assert_header(a, "Content-Type", NULL);

    /* absent, a link (never followed), not a regular file: 404; a path
     * that cannot be opened otherwise: 500 */
    request(s, "GET", "/missing", NULL, a);
    assert_int_equal(a->status, 404);
    assert_non_null(strstr(a->body, "\"code\":\"NOT_FOUND\""));
    assert_header(a, "Cache-Control", "no-store");
    request(s, "GET", "/link", NULL, a);
    assert_int_equal(a->status, 404);
    request(s, "GET", "/dir", NULL, a);
    assert_int_equal(a->status, 404);
    request(s, "GET", "/under", NULL, a);
    assert_int_equal(a->status, 500);
    assert_non_null(strstr(a->body, "\"code\":\"INTERNAL\""));
    free(a);
}

static void test_buffer_and_method(void **state)
{
    server *s = *state;
    answer *a = mem_alloc(sizeof *a);
    request(s, "GET", "/buffer", NULL, a);
    assert_ok(a, "\"b\"", resp_cc_live, resp_ct_bin, "partial", 7);

    request(s, "DELETE", "/other", NULL, a);
    assert_int_equal(a->status, 405);
    assert_header(a, "Allow", "GET, HEAD");
    assert_header(a, "Cache-Control", "no-store");
    assert_header(a, "Content-Type", resp_ct_json);
    assert_header(a, "ETag", NULL);
    assert_non_null(strstr(a->body, "\"code\":\"METHOD_NOT_ALLOWED\""));
    free(a);
}

int main(void)
{
    if (sodium_init() < 0)
        return 1;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_etag_match_rules),
        cmocka_unit_test(test_gzip_accepted),
        cmocka_unit_test(test_variant_gzip_only_when_accepted_and_smaller),
        cmocka_unit_test(test_cache_control),
        cmocka_unit_test_setup_teardown(test_doc_200_identity_and_gzip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_doc_304, setup, teardown),
        cmocka_unit_test_setup_teardown(test_file, setup, teardown),
        cmocka_unit_test_setup_teardown(test_buffer_and_method, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
