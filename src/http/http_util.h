/* http_util — the small pieces both rekapd listeners share: error bodies
 * in Bahasa Indonesia and English, the client's address (as text for logs
 * and as a short binary key for rate limits), monotonic time and
 * structured log lines (one JSON object per line on stderr).
 *
 * Every error body has one shape, documented in docs/API.md:
 *   {"code":"RATE_LIMITED","message_id":"...","message_en":"...",
 *    "where":"...","detail":"..."}
 * `code` is stable (docs/ERRORS.md); the two messages say the same thing
 * for people; "where" (the field at fault) and "detail" (the module's
 * specific English message, e.g. "expected version 3, got 5") are there
 * only when known. */
#ifndef REKAP_HTTP_UTIL_H
#define REKAP_HTTP_UTIL_H

#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include <jansson.h>
#include <microhttpd.h>

/* ------------------------------------------------------------- errors */

/* One error an HTTP listener answers: its status and both messages. */
typedef struct http_error_def {
    const char *code;        /* stable machine code; a trailing '*' matches a prefix */
    unsigned status;         /* HTTP status */
    const char *msg_id;      /* Bahasa Indonesia */
    const char *msg_en;      /* English */
} http_error_def;

/* The definition of `code` (exact match first, then the longest prefix
 * entry such as "FORM_*"); never NULL: unknown codes map to INTERNAL (500).
 * Codes either listener answers on its own: BAD_REQUEST, NOT_FOUND,
 * METHOD_NOT_ALLOWED, BODY_TOO_LARGE, RATE_LIMITED, BUSY, INTERNAL,
 * UNSUPPORTED_MEDIA_TYPE, REQUEST_FRAMING, plus the ingest codes
 * (docs/API.md). */
const http_error_def *http_error_find(const char *code);

/* The JSON error body {"code","message_id","message_en"} (+ "where",
 * "detail" when not NULL or empty), NUL-terminated; the caller frees it
 * with free(). *len gets its length. */
char *http_error_body(const char *code, const char *msg_id, const char *msg_en,
                      const char *where, const char *detail, size_t *len);

/* Queue a JSON body (copied) with `status`; Content-Type application/json,
 * Cache-Control no-store, Access-Control-Allow-Origin * (Retry-After
 * exposed to scripts), and Retry-After (whole seconds, rounded up, at
 * least 1) when retry_after > 0. */
enum MHD_Result http_send_json(struct MHD_Connection *c, unsigned status, const char *body,
                               size_t len, double retry_after);

/* 204 to a CORS preflight (OPTIONS): any origin may send `methods` with a
 * Content-Type header; browsers may keep the answer ten minutes. */
enum MHD_Result http_send_preflight(struct MHD_Connection *c, const char *methods);

/* Queue the error `code` with the status and messages of its table entry
 * (http_error_find); `where` and `detail` may be NULL. */
enum MHD_Result http_send_error(struct MHD_Connection *c, const char *code, const char *where,
                                const char *detail, double retry_after);

/* ------------------------------------------------------------ clients */

#define HTTP_ADDR_MAX 64     /* text of an IPv6 address with port, NUL included */
#define HTTP_CLIENT_KEY_MAX 16

/* The client's address as text ("192.0.2.1", "2001:db8::1"), "?" when
 * unknown. Always NUL-terminates buf (cap >= 2). */
void http_client_addr(struct MHD_Connection *c, char *buf, size_t cap);

/* The client's address as a rate-limit key: the 4 bytes of IPv4 (also
 * IPv4-mapped IPv6), the first 8 bytes (/64) of IPv6 — one host's
 * network, so rotating addresses inside a /64 buys nothing. Returns the
 * key's length (0: unknown address). */
size_t http_client_key(struct MHD_Connection *c, uint8_t key[HTTP_CLIENT_KEY_MAX]);
/* The same key of a socket address (NULL: 0). */
size_t http_sockaddr_key(const struct sockaddr *sa, uint8_t key[HTTP_CLIENT_KEY_MAX]);
/* A key as text for the log: "192.0.2.1", "2001:db8:1:2::/64", "?" when
 * len is 0. Always NUL-terminates buf (cap >= HTTP_ADDR_MAX). */
void http_key_text(const uint8_t *key, size_t len, char *buf, size_t cap);

/* ------------------------------------------------------------ framing */

/* Whether the request's body length is unambiguous (called when its
 * headers are in, before any of the body is read): at most one
 * Content-Length, and no Transfer-Encoding beside it; a Transfer-Encoding
 * only as one header that says exactly "chunked". libmicrohttpd 0.9.75
 * takes the first of two Content-Length headers (a proxy in front may take
 * the last) and lets chunked win over a Content-Length, so the rest of such
 * a body would be read as another request: request smuggling. 0 when
 * unambiguous, else -1 and the listener answers 400 REQUEST_FRAMING. */
int http_framing_check(struct MHD_Connection *c);

/* ------------------------------------------------------------ time, log */

/* Seconds on the monotonic clock (for deadlines, rates, latencies). */
double http_now(void);

typedef enum http_log_level {
    HTTP_LOG_DEBUG = 0,
    HTTP_LOG_INFO = 1,
    HTTP_LOG_WARN = 2,
    HTTP_LOG_ERROR = 3,
} http_log_level;

/* Lines below `level` are dropped (default HTTP_LOG_INFO). */
void http_log_set_level(http_log_level level);
/* "debug", "info", "warn", "error" to a level; -1 when unknown. */
int http_log_level_parse(const char *s);

/* Write one line {"ts":"<UTC ISO 8601 with ms>","level":..,"event":..,
 * <fields>...} to stderr in one write. `fields` is a JSON object whose
 * members are appended; it is consumed (decref'd), may be NULL (so
 * json_pack's NULL on a bad argument still logs the event). Thread-safe.
 *   http_log(HTTP_LOG_INFO, "listen", json_pack("{s:s,s:i}", "addr", a, "port", p)); */
void http_log(http_log_level level, const char *event, json_t *fields);

#endif
