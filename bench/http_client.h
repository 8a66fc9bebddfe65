/* http_client — the few HTTP/1.1 client pieces the load generators of
 * bench/ share (http_load, replay_load): a keep-alive TCP connection to a
 * loopback server, one request out, one response back. Deliberately small:
 * these tools talk to rekapd on 127.0.0.1 and nothing else, so there is no
 * TLS, no chunked encoding (rekapd always sends Content-Length) and no
 * pipelining (one request in flight per connection). */
#ifndef REKAP_BENCH_HTTP_CLIENT_H
#define REKAP_BENCH_HTTP_CLIENT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* The largest submission record: an entry is at most 65,535 bytes, and a
 * JSON-quoted one at most six times that (\u00XX for every byte) plus the
 * base64 key and signature and the request line and headers. */
#define HC_SUB_MAX 65535
#define HC_REQUEST_MAX (6 * HC_SUB_MAX + 1024)

/* Monotonic seconds. */
double hc_now(void);

/* A TCP connection to host:port (IPv4 dotted quad), TCP_NODELAY; -1 when
 * it cannot connect. */
int hc_dial(const char *host, int port);

/* Write every byte of the vector (loops over short writes); 0 or -1. */
int hc_sendv(int fd, struct iovec *iov, int n);
int hc_send_all(int fd, const char *p, size_t n);

typedef struct hc_response {
    int status;            /* HTTP status */
    int retry_after;       /* seconds of Retry-After, 0 when absent */
    size_t body_len;       /* Content-Length */
    size_t kept;           /* bytes of the body kept in the caller's buffer */
    char etag[80];         /* the ETag header's value, "" when absent or longer */
} hc_response;

/* Read one response. The headers must fit in cap - 1 bytes; the body is
 * kept from the start of buf (NUL-terminated) up to cap - 1 bytes and the
 * rest read and dropped, so a buffer of any size bounds the memory.
 * Returns the status, or -1 when the connection failed. */
int hc_read_response(int fd, char *buf, size_t cap, hc_response *r);

/* The request POST /api/v1/submissions {"submission","key","sig"} for the
 * signed text sub[0..len) into req (HC_REQUEST_MAX bytes); its length. */
size_t hc_submission_request(const char *host, int port, const char *sub, uint32_t len,
                             const uint8_t pk[32], const uint8_t sig[64], char *req);

#endif
