/* err — error details; see err.h. */
#include "core/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int err_set(err_info *e, int rc, const char *code, const char *where,
            const char *fmt, ...)
{
    if (!e)
        return rc;
    e->code = code;
    snprintf(e->where, sizeof e->where, "%s", where ? where : "");
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    return rc;
}

const char *err_name(int rc)
{
    switch (rc) {
    case ERR_OK: return "ok";
    case ERR_INVALID: return "invalid";
    case ERR_IO: return "io";
    case ERR_NOTFOUND: return "notfound";
    case ERR_LIMIT: return "limit";
    case ERR_EXISTS: return "exists";
    default: return "unknown";
    }
}
