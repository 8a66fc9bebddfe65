/* csv — a bounded RFC 4180 reader over a buffer in memory: quoted fields
 * with "" escapes and embedded commas or line breaks, CRLF or LF line ends,
 * a UTF-8 BOM at the start skipped. Used for the master data and the
 * outcome tables. Records are bounded (CSV_RECORD_MAX bytes, `max_fields`
 * fields) so a hostile file cannot make it allocate without end; the reader
 * itself never allocates.
 *
 * Error codes (e->code): CSV_QUOTE, CSV_RECORD_TOO_LONG, CSV_TOO_MANY_FIELDS,
 * CSV_NUL (a NUL byte in the input). After an error the reader is at the end
 * of its input: further calls return 0. */
#ifndef REKAP_CSV_H
#define REKAP_CSV_H

#include <stddef.h>

#include "core/err.h"

#define CSV_RECORD_MAX 4096

typedef struct csv_reader {
    const char *p, *end;
    const char *source;   /* file name for errors */
    unsigned line;        /* line number of the record last returned (1-based) */
    unsigned next_line;   /* private: physical line the reader stands on */
    char buf[CSV_RECORD_MAX];
} csv_reader;

void csv_init(csv_reader *r, const char *buf, size_t len, const char *source);

/* Read the next record. fields[] point into r->buf (valid until the next
 * call). Returns the number of fields (>= 1), 0 at end of input, or
 * ERR_INVALID / ERR_LIMIT with e filled: CSV_QUOTE (unterminated or stray
 * quote), CSV_RECORD_TOO_LONG, CSV_TOO_MANY_FIELDS, CSV_NUL; e->where
 * "source:line" (the line the record starts on). Blank lines are skipped.
 * The bytes of a record, one NUL per field included, must fit in
 * CSV_RECORD_MAX. */
int csv_next(csv_reader *r, char **fields, int max_fields, err_info *e);

/* "source:line" of the last record, for callers' own errors. */
void csv_where(const csv_reader *r, char *buf, size_t cap);

/* Parse a non-negative decimal integer field that must fit in max; returns 0
 * or ERR_INVALID (no sign, no spaces, no empty field). */
int csv_uint(const char *field, unsigned long long max, unsigned long long *out);

#endif
