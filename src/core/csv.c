/* csv — owns the parsing of RFC 4180 text held in memory into records of
 * NUL-terminated fields, and the parsing of unsigned integer fields. It
 * never allocates: a record is copied into the reader's fixed buffer, which
 * is what bounds a hostile file. See csv.h. */
#include "core/csv.h"

#include <stdio.h>
#include <string.h>

#define CSV_STR_(x) #x
#define CSV_STR(x) CSV_STR_(x)

static const char csv_bom[] = "\xEF\xBB\xBF";

void csv_init(csv_reader *r, const char *buf, size_t len, const char *source)
{
    r->p = buf;
    r->end = buf + len;
    if (len >= 3 && memcmp(buf, csv_bom, 3) == 0)
        r->p += 3;
    r->source = source ? source : "";
    r->line = 0;
    r->next_line = 1;
    r->buf[0] = '\0';
}

void csv_where(const csv_reader *r, char *buf, size_t cap)
{
    snprintf(buf, cap, "%s:%u", r->source, r->line);
}

/* Length of the line break at r->p (LF, CRLF, or a CR ending the input),
 * 0 when r->p is not at one. A CR elsewhere is ordinary data. */
static size_t csv_eol_len(const csv_reader *r)
{
    if (r->p >= r->end)
        return 0;
    if (r->p[0] == '\n')
        return 1;
    if (r->p[0] == '\r') {
        if (r->p + 1 == r->end)
            return 1;
        if (r->p[1] == '\n')
            return 2;
    }
    return 0;
}

/* Record an error at the current record and leave the reader at the end, so
 * a caller that ignores the error cannot read garbage after it. */
static int csv_fail(csv_reader *r, err_info *e, int rc, const char *code,
                    const char *msg)
{
    char where[128];
    csv_where(r, where, sizeof where);
    r->p = r->end;
    return err_set(e, rc, code, where, "%s", msg);
}

/* The record being assembled in r->buf. */
typedef struct csv_out {
    size_t used;
} csv_out;

static int csv_put(csv_reader *r, csv_out *o, char c, err_info *e)
{
    if (o->used >= sizeof r->buf)
        return csv_fail(r, e, ERR_LIMIT, "CSV_RECORD_TOO_LONG",
                        "record longer than the limit of "
                        CSV_STR(CSV_RECORD_MAX) " bytes");
    r->buf[o->used++] = c;
    return 0;
}

/* Copy one data byte of a field, refusing NUL (it would cut the field short
 * without anyone noticing). */
static int csv_put_data(csv_reader *r, csv_out *o, err_info *e)
{
    char c = *r->p;
    if (c == '\0')
        return csv_fail(r, e, ERR_INVALID, "CSV_NUL", "NUL byte in the input");
    if (c == '\n')
        r->next_line++;
    r->p++;
    return csv_put(r, o, c, e);
}

/* A quoted field, r->p on its opening quote. After the closing quote only a
 * comma, a line break or the end may follow. */
static int csv_quoted(csv_reader *r, csv_out *o, err_info *e)
{
    int rc;
    r->p++;
    for (;;) {
        if (r->p >= r->end)
            return csv_fail(r, e, ERR_INVALID, "CSV_QUOTE",
                            "quoted field not terminated before the end of input");
        if (*r->p == '"') {
            if (r->p + 1 < r->end && r->p[1] == '"') {
                r->p += 2;
                if ((rc = csv_put(r, o, '"', e)) < 0)
                    return rc;
                continue;
            }
            r->p++;
            break;
        }
        if ((rc = csv_put_data(r, o, e)) < 0)
            return rc;
    }
    if (r->p < r->end && *r->p != ',' && csv_eol_len(r) == 0)
        return csv_fail(r, e, ERR_INVALID, "CSV_QUOTE",
                        "text after the closing quote of a field");
    return 0;
}

/* An unquoted field: up to a comma, a line break or the end. A quote inside
 * it is a stray quote. */
static int csv_plain(csv_reader *r, csv_out *o, err_info *e)
{
    int rc;
    while (r->p < r->end && *r->p != ',' && csv_eol_len(r) == 0) {
        if (*r->p == '"')
            return csv_fail(r, e, ERR_INVALID, "CSV_QUOTE",
                            "quote inside an unquoted field");
        if ((rc = csv_put_data(r, o, e)) < 0)
            return rc;
    }
    return 0;
}

static void csv_skip_blank_lines(csv_reader *r)
{
    size_t n;
    while ((n = csv_eol_len(r)) > 0) {
        r->p += n;
        r->next_line++;
    }
}

int csv_next(csv_reader *r, char **fields, int max_fields, err_info *e)
{
    csv_skip_blank_lines(r);
    if (r->p >= r->end)
        return 0;
    r->line = r->next_line;
    csv_out o = {0};
    int nf = 0, rc;
    for (;;) {
        if (nf >= max_fields)
            return csv_fail(r, e, ERR_LIMIT, "CSV_TOO_MANY_FIELDS",
                            "record has more fields than allowed");
        fields[nf++] = r->buf + o.used;
        rc = (r->p < r->end && *r->p == '"') ? csv_quoted(r, &o, e)
                                              : csv_plain(r, &o, e);
        if (rc < 0 || (rc = csv_put(r, &o, '\0', e)) < 0)
            return rc;
        if (r->p < r->end && *r->p == ',') {
            r->p++;
            continue;
        }
        size_t eol = csv_eol_len(r);
        if (eol > 0) {
            r->p += eol;
            r->next_line++;
        }
        return nf;
    }
}

int csv_uint(const char *field, unsigned long long max, unsigned long long *out)
{
    if (!field || !*field)
        return ERR_INVALID;
    unsigned long long v = 0;
    for (const char *s = field; *s; s++) {
        if (*s < '0' || *s > '9')
            return ERR_INVALID;
        unsigned d = (unsigned)(*s - '0');
        if (d > max || v > (max - d) / 10)
            return ERR_INVALID;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}
