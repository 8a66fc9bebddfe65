/* err — error codes and error details shared by every module.
 *
 * Functions return 0 on success or a negative ERR_* code. Where the cause
 * comes from outside (a file, a form, a request) the function also fills an
 * err_info: a stable machine code (UPPER_SNAKE, never changes once shipped,
 * indexed in docs/ERRORS.md), where it happened (file:line or field path)
 * and a human message in English. */
#ifndef REKAP_ERR_H
#define REKAP_ERR_H

enum {
    ERR_OK = 0,
    ERR_INVALID = -1,  /* input is malformed or breaks a rule */
    ERR_IO = -2,       /* the operating system failed us (open, read, write, fsync) */
    ERR_NOTFOUND = -3, /* a code, file or key that does not exist */
    ERR_LIMIT = -4,    /* input exceeds a size, count or depth bound */
    ERR_EXISTS = -5,   /* already there (duplicate) */
};

typedef struct err_info {
    const char *code; /* stable machine code; static string; NULL when no error */
    char where[128];  /* "data/wilayah.csv:17", "votes[2]", or "" */
    char msg[256];    /* human message, English */
} err_info;

/* Record an error into *e (when e is not NULL) and return rc, so callers can
 * write `return err_set(e, ERR_INVALID, "CSV_FIELDS", where, "...", ...);`. */
int err_set(err_info *e, int rc, const char *code, const char *where,
            const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Short name of an ERR_* code ("invalid", "io", ...). */
const char *err_name(int rc);

#endif
