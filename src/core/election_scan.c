/* election_scan — the structural scanner of the election reader. A
 * national document is ~30 MB; handing it whole to jansson builds a tree
 * of ~500 MB. So the reader walks the three big containers (the root
 * object, "contests" and "tps") with this scanner and hands jansson one
 * element at a time. The scanner only matches brackets, separators and
 * member names and reports syntax errors by line and column
 * (ELECTION_JSON); every element's content is validated by jansson. */
#include <stdio.h>

#include "core/election_internal.h"

/* A syntax error at byte `off`, reported as "line:column" (1-based). */
int escan_fail(const escan *r, size_t off, const char *what)
{
    size_t line = 1, col = 1;
    for (size_t i = 0; i < off && i < r->len; i++) {
        if (r->buf[i] == '\n') {
            line++;
            col = 1;
        } else {
            col++;
        }
    }
    char where[48];
    snprintf(where, sizeof where, "%zu:%zu", line, col);
    return election_fail(r->e, E_JSON, where, "malformed JSON: %s", what);
}

size_t escan_ws(const escan *r, size_t i)
{
    while (i < r->len && (r->buf[i] == ' ' || r->buf[i] == '\n' ||
                          r->buf[i] == '\r' || r->buf[i] == '\t'))
        i++;
    return i;
}

/* End (exclusive) of the string starting at the quote at i. */
static int skip_string(const escan *r, size_t i, size_t *end)
{
    for (size_t j = i + 1; j < r->len; j++) {
        if (r->buf[j] == '\\')
            j++;
        else if (r->buf[j] == '"') {
            *end = j + 1;
            return 0;
        }
    }
    return escan_fail(r, i, "unterminated string");
}

static int is_delimiter(char c)
{
    return c == ',' || c == '}' || c == ']' || c == ' ' || c == '\n' ||
           c == '\r' || c == '\t' || c == ':';
}

/* End (exclusive) of the value starting at i. Brackets are only counted,
 * not matched by kind: jansson rejects a mismatch inside the span. */
int escan_skip(const escan *r, size_t i, size_t *end)
{
    if (i >= r->len)
        return escan_fail(r, i, "value expected");
    char c = r->buf[i];
    if (c == '"')
        return skip_string(r, i, end);
    if (c != '{' && c != '[') {
        size_t j = i;
        while (j < r->len && !is_delimiter(r->buf[j]))
            j++;
        if (j == i)
            return escan_fail(r, i, "value expected");
        *end = j;
        return 0;
    }
    size_t depth = 0;
    for (size_t j = i; j < r->len; j++) {
        c = r->buf[j];
        if (c == '"') {
            size_t se = 0;
            int rc = skip_string(r, j, &se);
            if (rc)
                return rc;
            j = se - 1;
        } else if (c == '{' || c == '[') {
            depth++;
        } else if ((c == '}' || c == ']') && --depth == 0) {
            *end = j + 1;
            return 0;
        }
    }
    return escan_fail(r, i, "unterminated object or array");
}

/* Parse the value [vs, ve) with jansson. */
int escan_load(const escan *r, size_t vs, size_t ve, json_t **out)
{
    json_error_t je;
    *out = json_loadb(r->buf + vs, ve - vs,
                      JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
    if (*out)
        return 0;
    return escan_fail(r, vs + (je.position > 0 ? (size_t)je.position : 0), je.text);
}

/* Member name of the string [ks, ke) into key (truncated to cap). Names
 * with escapes or non-ASCII bytes are decoded (and validated) by jansson. */
static int member_name(const escan *r, size_t ks, size_t ke, char *key, size_t cap)
{
    const unsigned char *s = (const unsigned char *)r->buf + ks + 1;
    size_t n = ke - ks - 2;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\\' || s[i] < 0x20 || s[i] >= 0x80) {
            json_t *j;
            int rc = escan_load(r, ks, ke, &j);
            if (rc)
                return rc;
            snprintf(key, cap, "%s", json_string_value(j));
            json_decref(j);
            return 0;
        }
    }
    snprintf(key, cap, "%.*s", (int)(n < cap ? n : cap - 1), (const char *)s);
    return 0;
}

/* The value [vs, ve) must be an object ('{') or array ('['); else it is a
 * type error at p (or a syntax error when it is not JSON at all). */
int escan_open(const escan *r, size_t vs, size_t ve, char open, const char *path,
               escan_iter *it)
{
    if (r->buf[vs] != open) {
        json_t *j;
        int rc = escan_load(r, vs, ve, &j);
        if (rc)
            return rc;
        json_decref(j);
        return election_fail(r->e, E_TYPE, path, "%s must be %s",
                             *path ? path : "the document",
                             open == '{' ? "an object" : "an array");
    }
    if (r->buf[ve - 1] != (open == '{' ? '}' : ']'))
        return escan_fail(r, ve - 1, "mismatched bracket");
    it->pos = vs + 1;
    it->last = ve - 1;
    it->first = 1;
    return 0;
}

/* Next element of the container: 1 with its value span (and for objects,
 * key != NULL, its name), 0 at the end, or an error. */
int escan_next(const escan *r, escan_iter *it, char *key, size_t keycap, size_t *vs,
               size_t *ve)
{
    size_t i = escan_ws(r, it->pos);
    if (i == it->last)
        return 0;
    if (!it->first) {
        if (r->buf[i] != ',')
            return escan_fail(r, i, "',' expected");
        i = escan_ws(r, i + 1);
    }
    it->first = 0;
    if (key) {
        size_t ke = 0;
        if (i >= it->last || r->buf[i] != '"')
            return escan_fail(r, i, "member name expected");
        int rc = skip_string(r, i, &ke);
        if (!rc && ke > it->last)
            rc = escan_fail(r, i, "mismatched bracket");
        if (!rc)
            rc = member_name(r, i, ke, key, keycap);
        if (rc)
            return rc;
        it->key_at = i;
        i = escan_ws(r, ke);
        if (i >= it->last || r->buf[i] != ':')
            return escan_fail(r, i, "':' expected");
        i = escan_ws(r, i + 1);
    }
    if (i >= it->last)
        return escan_fail(r, i, "value expected");
    int rc = escan_skip(r, i, ve);
    if (rc)
        return rc;
    if (*ve > it->last)
        return escan_fail(r, it->last, "mismatched bracket");
    *vs = i;
    it->pos = *ve;
    return 1;
}

int escan_duplicate(const escan *r, const escan_iter *it, const char *key)
{
    char what[96];
    snprintf(what, sizeof what, "duplicate member \"%.60s\"", key);
    return escan_fail(r, it->key_at, what);
}
