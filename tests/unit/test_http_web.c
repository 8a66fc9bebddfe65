/* Tests for http_web: which URL serves which file, with which type and
 * Cache-Control (hashed assets immutable, HTML revalidated); hidden files,
 * odd names and symbolic links never served; an absent directory is an
 * empty site; the bounds on files, size and depth refuse a site. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/http_response.h"
#include "http/http_web.h"
#include "testutil.h"

static char *site(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/rekap_web_XXXXXX");
    assert_non_null(mkdtemp(dir));
    char sub[128];
    snprintf(sub, sizeof sub, "%s/assets", dir);
    mkdir(sub, 0755);
    snprintf(sub, sizeof sub, "%s/petugas", dir);
    mkdir(sub, 0755);
    test_put_file(dir, "index.html", "<!doctype html><title>Hasil</title>");
    test_put_file(dir, "petugas/index.html", "<!doctype html><title>Petugas</title>");
    test_put_file(dir, "assets/app.0123456789ab.js", "export const x = 1;");
    test_put_file(dir, "assets/rules.abcdefabcdef.wasm", "wasm");
    test_put_file(dir, "assets/plain.css", "body{}");
    test_put_file(dir, ".secret", "no");
    test_put_file(dir, "assets/we ird.js", "no");
    char target[128], link[128];
    snprintf(target, sizeof target, "%s/index.html", dir);
    snprintf(link, sizeof link, "%s/link.html", dir);
    assert_int_equal(symlink(target, link), 0);
    return dir;
}

static void expect(web_site *w, const char *url, const char *body, const char *ctype,
                   const char *cc)
{
    cache_doc *d = web_get(w, url);
    if (!body) {
        if (d)
            fail_msg("%s is served", url);
        return;
    }
    if (!d)
        fail_msg("%s is not served", url);
    assert_int_equal(d->len, strlen(body));
    assert_string_equal(d->ctype, ctype);
    assert_string_equal(d->cache_control, cc);
    cache_doc_unref(d);
}

static void test_urls(void **state)
{
    (void)state;
    char *dir = site();
    web_site *w;
    err_info e = {0};
    assert_int_equal(web_load(dir, NULL, 0, &w, &e), 0);
    assert_int_equal(web_files(w), 5); /* not the hidden file, the odd name, the link */
    expect(w, "/", "<!doctype html><title>Hasil</title>", "text/html; charset=utf-8", "no-cache");
    expect(w, "/petugas/", "<!doctype html><title>Petugas</title>", "text/html; charset=utf-8",
           "no-cache");
    expect(w, "/assets/app.0123456789ab.js", "export const x = 1;",
           "text/javascript; charset=utf-8", resp_cc_immutable);
    expect(w, "/assets/rules.abcdefabcdef.wasm", "wasm", "application/wasm", resp_cc_immutable);
    expect(w, "/assets/plain.css", "body{}", "text/css; charset=utf-8", "public, max-age=60");
    expect(w, "/.secret", NULL, NULL, NULL);
    expect(w, "/link.html", NULL, NULL, NULL);
    expect(w, "/assets/we ird.js", NULL, NULL, NULL);
    expect(w, "/petugas", NULL, NULL, NULL);
    expect(w, "/nope/", NULL, NULL, NULL);
    expect(w, "/../index.html", NULL, NULL, NULL);
    expect(w, "", NULL, NULL, NULL);
    web_free(w);
    test_remove_tree(dir);
}

/* A deployment's setting written into a page as it is loaded. */
static void test_fill(void **state)
{
    (void)state;
    char *dir = site();
    web_fill fill[] = {
        {"petugas/index.html", "<title>Petugas</title>", "<title>KPPS 6501</title>"},
        {"index.html", "not there", "x"}, /* nothing to fill: unchanged */
    };
    web_site *w;
    err_info e = {0};
    assert_int_equal(web_load(dir, fill, 2, &w, &e), 0);
    expect(w, "/petugas/", "<!doctype html><title>KPPS 6501</title>", "text/html; charset=utf-8",
           "no-cache");
    expect(w, "/", "<!doctype html><title>Hasil</title>", "text/html; charset=utf-8", "no-cache");
    web_free(w);
    test_remove_tree(dir);
}

static void test_absent_is_empty(void **state)
{
    (void)state;
    web_site *w;
    err_info e = {0};
    assert_int_equal(web_load("/nonexistent/rekap/web", NULL, 0, &w, &e), 0);
    assert_int_equal(web_files(w), 0);
    assert_null(web_get(w, "/"));
    web_free(w);
    assert_int_equal(web_load(NULL, NULL, 0, &w, &e), 0);
    web_free(w);
}

static void test_bounds(void **state)
{
    (void)state;
    char dir[64] = "/tmp/rekap_webb_XXXXXX";
    assert_non_null(mkdtemp(dir));
    char name[64];
    for (int i = 0; i <= WEB_FILES_MAX; i++) { /* one file too many */
        snprintf(name, sizeof name, "f%d.txt", i);
        test_put_file(dir, name, "x");
    }
    web_site *w = NULL;
    err_info e = {0};
    assert_int_equal(web_load(dir, NULL, 0, &w, &e), ERR_LIMIT);
    assert_string_equal(e.code, "WEB_LIMIT");
    assert_null(w);
    test_remove_tree(dir);

    /* too deep */
    assert_non_null(mkdtemp(strcpy(dir, "/tmp/rekap_webd_XXXXXX")));
    char path[256];
    snprintf(path, sizeof path, "%s", dir);
    for (int i = 0; i <= WEB_DEPTH_MAX + 1; i++) {
        strcat(path, "/d");
        mkdir(path, 0755);
    }
    e = (err_info){0};
    assert_int_equal(web_load(dir, NULL, 0, &w, &e), ERR_LIMIT);
    assert_string_equal(e.code, "WEB_LIMIT");
    test_remove_tree(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_urls),
        cmocka_unit_test(test_fill),
        cmocka_unit_test(test_absent_is_empty),
        cmocka_unit_test(test_bounds),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
