/* http_web — see http_web.h. The files are kept in one array sorted by
 * path, looked up by binary search. */
#include "http/http_web.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/mem.h"
#include "http/http_response.h"
#include "http/http_util.h"
#include "io/file.h"

typedef struct web_file {
    char path[WEB_PATH_MAX]; /* relative: "index.html", "assets/app.1a2b3c4d5e6f.js" */
    cache_doc *doc;
} web_file;

struct web_site {
    web_file *f;
    size_t n, cap, bytes;
    const web_fill *fill; /* while loading */
    size_t nfill;
};

static const char web_cc_html[] = "no-cache";
static const char web_cc_short[] = "public, max-age=60";

static const char *web_ctype(const char *path)
{
    static const struct {
        const char *ext, *type;
    } t[] = {
        {".html", "text/html; charset=utf-8"},  {".js", "text/javascript; charset=utf-8"},
        {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
        {".wasm", "application/wasm"},          {".json", "application/json; charset=utf-8"},
        {".webmanifest", "application/manifest+json"}, {".svg", "image/svg+xml"},
        {".png", "image/png"},                  {".ico", "image/x-icon"},
        {".txt", "text/plain; charset=utf-8"},
    };
    const char *dot = strrchr(path, '.');
    for (size_t i = 0; dot && i < sizeof t / sizeof t[0]; i++)
        if (!strcmp(dot, t[i].ext))
            return t[i].type;
    return resp_ct_bin;
}

/* "<name>.<12 or more hex>.<ext>" under assets/: its bytes are its name's. */
static int web_hashed(const char *path)
{
    if (strncmp(path, "assets/", 7))
        return 0;
    const char *ext = strrchr(path, '.');
    if (!ext || ext == path)
        return 0;
    const char *h = ext - 1;
    size_t n = 0;
    while (h > path && strchr("0123456789abcdef", *h)) {
        h--;
        n++;
    }
    return *h == '.' && n >= 12;
}

static const char *web_cc(const char *path)
{
    const char *dot = strrchr(path, '.');
    if (dot && !strcmp(dot, ".html"))
        return web_cc_html;
    return web_hashed(path) ? resp_cc_immutable : web_cc_short;
}

static int web_name_ok(const char *name)
{
    if (!*name || name[0] == '.')
        return 0;
    for (const char *p = name; *p; p++)
        if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-", *p))
            return 0;
    return 1;
}

static int web_add(web_site *w, const char *root, const char *rel, err_info *e)
{
    if (w->n == WEB_FILES_MAX)
        return err_set(e, ERR_LIMIT, "WEB_LIMIT", rel, "more than %d files in the site",
                       WEB_FILES_MAX);
    char full[2 * WEB_PATH_MAX + 2];
    snprintf(full, sizeof full, "%s/%s", root, rel);
    char *body;
    size_t len;
    if (file_read_all(full, WEB_FILE_MAX, &body, &len, e) < 0)
        return err_set(e, ERR_IO, "WEB_READ", rel, "cannot read the file (or it is over %zu bytes)",
                       WEB_FILE_MAX);
    for (size_t i = 0; i < w->nfill; i++) {
        const web_fill *fl = &w->fill[i];
        char *at = strcmp(fl->path, rel) ? NULL : strstr(body, fl->placeholder);
        if (!at)
            continue;
        size_t head = (size_t)(at - body), ph = strlen(fl->placeholder), v = strlen(fl->value);
        char *nb = mem_alloc(len - ph + v + 1);
        memcpy(nb, body, head);
        memcpy(nb + head, fl->value, v);
        memcpy(nb + head + v, at + ph, len - head - ph + 1); /* the NUL too */
        free(body);
        body = nb;
        len = len - ph + v;
    }
    if (w->bytes + len > WEB_TOTAL_MAX) {
        free(body);
        return err_set(e, ERR_LIMIT, "WEB_LIMIT", rel, "the site is over %zu bytes", WEB_TOTAL_MAX);
    }
    mem_grow((void **)&w->f, &w->cap, w->n + 1, sizeof *w->f);
    web_file *f = &w->f[w->n++];
    snprintf(f->path, sizeof f->path, "%s", rel);
    f->doc = cache_doc_new(body, len, web_ctype(rel), web_cc(rel), http_now());
    w->bytes += len;
    return 0;
}

/* Every regular file under root/rel (rel "" for the root), depth bounded. */
static int web_walk(web_site *w, const char *root, const char *rel, int depth, err_info *e)
{
    char dirpath[2 * WEB_PATH_MAX + 2];
    snprintf(dirpath, sizeof dirpath, "%s%s%s", root, *rel ? "/" : "", rel);
    DIR *d = opendir(dirpath);
    if (!d)
        return err_set(e, ERR_IO, "WEB_READ", rel, "cannot read the directory");
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(d))) {
        if (!web_name_ok(de->d_name))
            continue; /* ".", "..", hidden files, odd names: not served */
        char sub[WEB_PATH_MAX];
        if ((size_t)snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", de->d_name) >=
            sizeof sub) {
            rc = err_set(e, ERR_LIMIT, "WEB_LIMIT", de->d_name, "a path over %d bytes",
                         WEB_PATH_MAX - 1);
            break;
        }
        struct stat st;
        char full[2 * WEB_PATH_MAX + 2];
        snprintf(full, sizeof full, "%s/%s", root, sub);
        if (lstat(full, &st) < 0)
            rc = err_set(e, ERR_IO, "WEB_READ", sub, "cannot stat");
        else if (S_ISDIR(st.st_mode))
            rc = depth + 1 > WEB_DEPTH_MAX
                     ? err_set(e, ERR_LIMIT, "WEB_LIMIT", sub, "deeper than %d", WEB_DEPTH_MAX)
                     : web_walk(w, root, sub, depth + 1, e);
        else if (S_ISREG(st.st_mode))
            rc = web_add(w, root, sub, e);
    }
    closedir(d);
    return rc;
}

static int web_cmp(const void *a, const void *b)
{
    return strcmp(((const web_file *)a)->path, ((const web_file *)b)->path);
}

int web_load(const char *dir, const web_fill *fill, size_t nfill, web_site **out, err_info *e)
{
    web_site *w = mem_calloc(1, sizeof *w);
    w->fill = fill;
    w->nfill = nfill;
    struct stat st;
    int rc = 0;
    if (dir && *dir && stat(dir, &st) == 0 && S_ISDIR(st.st_mode)) {
        if (strlen(dir) >= WEB_PATH_MAX)
            rc = err_set(e, ERR_LIMIT, "WEB_LIMIT", dir, "the site's directory name is too long");
        else
            rc = web_walk(w, dir, "", 0, e);
    }
    if (rc < 0) {
        web_free(w);
        return rc;
    }
    if (w->n)
        qsort(w->f, w->n, sizeof *w->f, web_cmp);
    w->fill = NULL;
    w->nfill = 0;
    *out = w;
    return 0;
}

void web_free(web_site *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->n; i++)
        cache_doc_unref(w->f[i].doc);
    free(w->f);
    free(w);
}

cache_doc *web_get(web_site *w, const char *url)
{
    char rel[WEB_PATH_MAX];
    size_t n = strlen(url);
    if (!w || !w->n || n == 0 || url[0] != '/' || n >= sizeof rel - 16)
        return NULL;
    /* "/" and "/<dir>/" are the directory's index.html */
    snprintf(rel, sizeof rel, "%s%s", url + 1, url[n - 1] == '/' ? "index.html" : "");
    web_file key;
    memcpy(key.path, rel, strlen(rel) + 1);
    web_file *f = bsearch(&key, w->f, w->n, sizeof *w->f, web_cmp);
    if (!f)
        return NULL;
    cache_doc_ref(f->doc);
    return f->doc;
}

size_t web_files(const web_site *w)
{
    return w ? w->n : 0;
}

size_t web_bytes(const web_site *w)
{
    return w ? w->bytes : 0;
}
