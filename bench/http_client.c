/* http_client — see http_client.h. */
#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

double hc_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int hc_dial(const char *host, int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    return fd;
}

int hc_sendv(int fd, struct iovec *iov, int n)
{
    while (n > 0) {
        struct msghdr m = {.msg_iov = iov, .msg_iovlen = (size_t)n};
        ssize_t w = sendmsg(fd, &m, MSG_NOSIGNAL);
        if (w <= 0)
            return -1;
        /* skip what went out: whole vectors, then part of the next */
        while (n > 0 && (size_t)w >= iov->iov_len) {
            w -= (ssize_t)iov->iov_len;
            iov++;
            n--;
        }
        if (n > 0) {
            iov->iov_base = (char *)iov->iov_base + w;
            iov->iov_len -= (size_t)w;
        }
    }
    return 0;
}

int hc_send_all(int fd, const char *p, size_t n)
{
    struct iovec v = {.iov_base = (void *)p, .iov_len = n};
    return hc_sendv(fd, &v, 1);
}

/* The value of header name (with its colon, e.g. "\r\nContent-Length:")
 * in the headers [buf, end), or NULL. */
static const char *header(const char *buf, const char *end, const char *name)
{
    const char *h = strcasestr(buf, name);
    return h && h < end ? h + strlen(name) : NULL;
}

/* The rest of a body of r->body_len bytes, of which `have` are read:
 * into buf while it has room, then into a scratch buffer and dropped. */
static int read_body(int fd, char *buf, size_t cap, size_t have, hc_response *r)
{
    char scratch[16384];
    while (have < r->body_len) {
        size_t room = cap - 1 - r->kept;
        char *to = room ? buf + r->kept : scratch;
        size_t want = room ? room : sizeof scratch;
        if (want > r->body_len - have)
            want = r->body_len - have;
        ssize_t n = recv(fd, to, want, 0);
        if (n <= 0)
            return -1;
        have += (size_t)n;
        if (room)
            r->kept += (size_t)n;
    }
    buf[r->kept] = '\0';
    return 0;
}

int hc_read_response(int fd, char *buf, size_t cap, hc_response *r)
{
    size_t got = 0;
    char *end = NULL;
    memset(r, 0, sizeof *r);
    while (!(end = memmem(buf, got, "\r\n\r\n", 4))) {
        if (got + 1 >= cap)
            return -1; /* headers larger than the buffer: not rekapd */
        ssize_t n = recv(fd, buf + got, cap - got - 1, 0);
        if (n <= 0)
            return -1;
        got += (size_t)n;
        buf[got] = '\0';
    }
    r->status = atoi(buf + 9);
    const char *cl = header(buf, end, "\r\nContent-Length:");
    const char *ra = header(buf, end, "\r\nRetry-After:");
    const char *et = header(buf, end, "\r\nETag:");
    /* a 304 or 204 has no body, whatever Content-Length says (RFC 9110) */
    int bodyless = r->status == 304 || r->status == 204;
    r->body_len = cl && !bodyless ? (size_t)strtoull(cl, NULL, 10) : 0;
    r->retry_after = ra ? atoi(ra) : 0;
    if (et) {
        et += strspn(et, " ");
        size_t n = strcspn(et, "\r");
        if (n < sizeof r->etag) {
            memcpy(r->etag, et, n);
            r->etag[n] = '\0';
        }
    }
    size_t start = (size_t)(end + 4 - buf), have = got - start;
    if (have > r->body_len)
        have = r->body_len; /* one request in flight: nothing follows */
    memmove(buf, buf + start, have);
    r->kept = have;
    return read_body(fd, buf, cap, have, r) < 0 ? -1 : r->status;
}

/* JSON string of the submission text: it holds quotes and newlines. */
static size_t json_quote(const char *s, size_t n, char *out)
{
    size_t o = 0;
    out[o++] = '"';
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c < 0x20) {
            o += (size_t)sprintf(out + o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o++] = '"';
    return o;
}

size_t hc_submission_request(const char *host, int port, const char *sub, uint32_t len,
                             const uint8_t pk[32], const uint8_t sig[64], char *req)
{
    char key[64], sg[128], head[256];
    sodium_bin2base64(key, sizeof key, pk, 32, sodium_base64_VARIANT_ORIGINAL);
    sodium_bin2base64(sg, sizeof sg, sig, 64, sodium_base64_VARIANT_ORIGINAL);
    /* the body goes after room for the headers, which need its length */
    char *body = req + sizeof head;
    size_t b = (size_t)sprintf(body, "{\"submission\":");
    b += json_quote(sub, len, body + b);
    b += (size_t)sprintf(body + b, ",\"key\":\"%s\",\"sig\":\"%s\"}", key, sg);
    int h = snprintf(head, sizeof head,
                     "POST /api/v1/submissions HTTP/1.1\r\nHost: %s:%d\r\n"
                     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                     host, port, b);
    memcpy(req, head, (size_t)h);
    memmove(req + h, body, b);
    return (size_t)h + b;
}
