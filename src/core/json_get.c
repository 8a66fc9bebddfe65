/* json_get — strict accessors over jansson values and the JSON path they
 * report at; see json_get.h. Owns what a strict reader refuses (missing
 * and unknown members, wrong types, integers out of bounds, overlong
 * arrays); the words are the formats'. */
#include "core/json_get.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *jget_type_name(jget_type t)
{
    static const char *const name[] = {
        [JGET_ANY] = "a value",     [JGET_OBJECT] = "an object",
        [JGET_ARRAY] = "an array",  [JGET_STRING] = "a string",
        [JGET_INTEGER] = "an integer", [JGET_BOOLEAN] = "true or false",
    };
    assert((unsigned)t < sizeof name / sizeof name[0]);
    return name[t];
}

void jget_init(jget *g, err_info *e, size_t cap, jget_report *report)
{
    assert(cap >= 1 && cap <= JGET_PATH_MAX && report);
    g->e = e;
    g->report = report;
    g->cap = cap;
    g->n = 0;
    g->path[0] = '\0';
}

/* ------------------------------------------------------------------ path */

static size_t path_push(jget *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t path_push(jget *g, const char *fmt, ...)
{
    size_t old = g->n, room = g->cap - g->n;
    va_list ap;
    assert(g->n < g->cap);
    va_start(ap, fmt);
    int w = vsnprintf(g->path + g->n, room, fmt, ap);
    va_end(ap);
    if (w > 0)
        g->n += (size_t)w < room ? (size_t)w : room - 1;
    return old;
}

size_t jget_key(jget *g, const char *key)
{
    return path_push(g, g->n ? ".%s" : "%s", key);
}

size_t jget_index(jget *g, size_t i)
{
    return path_push(g, "[%zu]", i);
}

size_t jget_at(jget *g, const char *key, long idx)
{
    size_t old = g->n;
    if (key)
        jget_key(g, key);
    if (idx >= 0)
        jget_index(g, (size_t)idx);
    return old;
}

void jget_pop(jget *g, size_t old)
{
    assert(old <= g->n);
    g->n = old;
    g->path[old] = '\0';
}

/* Report f for the value at path.key[idx]; the path is as before after. */
static int fault(jget *g, const char *key, long idx, jget_fault f)
{
    size_t old = jget_at(g, key, idx);
    int rc = g->report(g, &f);
    jget_pop(g, old);
    assert(rc < 0);
    return rc;
}

/* ------------------------------------------------------------- accessors */

static int type_ok(json_t *v, jget_type want)
{
    switch (want) {
    case JGET_ANY: return 1;
    case JGET_OBJECT: return json_is_object(v);
    case JGET_ARRAY: return json_is_array(v);
    case JGET_STRING: return json_is_string(v);
    case JGET_INTEGER: return json_is_integer(v);
    case JGET_BOOLEAN: return json_is_boolean(v);
    }
    return 0;
}

int jget_is(jget *g, json_t *v, const char *key, long idx, jget_type want)
{
    if (type_ok(v, want))
        return 0;
    return fault(g, key, idx, (jget_fault){.kind = JGET_TYPE, .want = want});
}

int jget_object(jget *g, json_t *v, const char *const *allowed, size_t n)
{
    int rc = jget_is(g, v, NULL, -1, JGET_OBJECT);
    const char *key;
    json_t *m;
    if (rc)
        return rc;
    json_object_foreach(v, key, m) {
        size_t i = 0;
        while (i < n && strcmp(key, allowed[i]) != 0)
            i++;
        if (i == n)
            return fault(g, key, -1, (jget_fault){.kind = JGET_UNKNOWN, .key = key});
    }
    return 0;
}

int jget_member(jget *g, json_t *o, const char *key, jget_type want, json_t **v)
{
    assert(json_is_object(o));
    *v = json_object_get(o, key);
    if (!*v)
        return fault(g, key, -1, (jget_fault){.kind = JGET_MISSING, .key = key});
    return jget_is(g, *v, key, -1, want);
}

int jget_int(jget *g, json_t *v, const char *key, long idx, long long lo,
             long long hi, const char *range_code, long long *out)
{
    int rc = jget_is(g, v, key, idx, JGET_INTEGER);
    if (rc)
        return rc;
    long long x = json_integer_value(v);
    if (x < lo || x > hi)
        return fault(g, key, idx,
                     (jget_fault){.kind = JGET_RANGE, .code = range_code, .value = x,
                                  .lo = lo, .hi = hi});
    *out = x;
    return 0;
}

int jget_int_member(jget *g, json_t *o, const char *key, long long lo, long long hi,
                    const char *range_code, long long *out)
{
    json_t *v;
    int rc = jget_member(g, o, key, JGET_ANY, &v);
    return rc ? rc : jget_int(g, v, key, -1, lo, hi, range_code, out);
}

int jget_array(jget *g, json_t *o, const char *key, size_t max, json_t **arr)
{
    int rc = jget_member(g, o, key, JGET_ARRAY, arr);
    if (rc == 0 && json_array_size(*arr) > max)
        rc = fault(g, key, -1,
                   (jget_fault){.kind = JGET_TOO_LONG, .n = json_array_size(*arr),
                                .max = max});
    return rc;
}
