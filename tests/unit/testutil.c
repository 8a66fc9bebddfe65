/* testutil — helpers shared by the unit tests; see testutil.h. */
#include "testutil.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "gen/gen.h"
#include "io/masterdata.h"

char *test_replace(const char *base, const char *from, const char *to)
{
    const char *at = strstr(base, from);
    assert_non_null(at);
    size_t pre = (size_t)(at - base), nf = strlen(from), nt = strlen(to);
    size_t rest = strlen(at + nf);
    char *s = mem_alloc(pre + nt + rest + 1);
    memcpy(s, base, pre);
    memcpy(s + pre, to, nt);
    memcpy(s + pre + nt, at + nf, rest + 1);
    return s;
}

void test_put_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

void test_remove_tree(const char *path)
{
    DIR *d = opendir(path);
    if (!d) {
        unlink(path);
        return;
    }
    for (struct dirent *de; (de = readdir(d));) {
        if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
            continue;
        char sub[1024];
        snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
        test_remove_tree(sub);
    }
    closedir(d);
    rmdir(path);
}

typedef struct test_forms {
    form *forms;
    size_t n, cap;
} test_forms;

static int test_collect(void *ctx, const form *f)
{
    test_forms *c = ctx;
    mem_grow((void **)&c->forms, &c->cap, c->n + 1, sizeof *c->forms);
    memcpy(&c->forms[c->n++], f, sizeof *f);
    return 0;
}

election *test_province(const char *scope, uint64_t seed, unsigned kinds, form **forms,
                        size_t *n)
{
    region_tree *tree;
    election *el;
    err_info e = {0};
    gen_params p;
    gen_params_default(&p);
    p.scope = scope;
    p.seed = seed;
    if (masterdata_load(REKAP_DATA_DIR, &tree, &e) || gen_election(tree, &p, &el, &e))
        fail_msg("test_province: %s %s %s", e.code, e.where, e.msg);
    test_forms c = {0};
    if (gen_forms(el, seed, kinds, NULL, test_collect, &c, &e))
        fail_msg("test_province: %s %s %s", e.code, e.where, e.msg);
    *forms = c.forms;
    *n = c.n;
    return el;
}
