/* http_ingest — the ingest listener of rekapd: signed C.Hasil submissions
 * and corrections, photo uploads (streamed to disk, content-addressed by
 * SHA-256), an officer's TPS status, and Prometheus metrics at /metrics.
 * Limits per client address and per officer key, connection caps with fair
 * shares, size caps, whole-request deadlines and a floor under the rate a
 * request arrives at (http_conn.h); 503 with Retry-After when the writer's
 * queue is full. See docs/API.md. */
#ifndef REKAP_HTTP_INGEST_H
#define REKAP_HTTP_INGEST_H

#include "core/err.h"
#include "ingest/ingest.h"

typedef struct ingest_server_config {
    const char *addr;
    unsigned port;             /* 0: ephemeral */
    const char *dir;           /* the election directory: photos/ lives here */
    unsigned conn_max, conn_per_ip;/* connections; per address (0: no cap); fair
                                  shares near conn_max (http_conn.h) */
    unsigned min_rate;         /* bytes a second while a request arrives (0: no floor) */
    unsigned rate_window_s;    /* ... over every window of this many seconds */
    double ip_rate, ip_burst;  /* requests a second per address */
    double key_rate, key_burst;/* submissions a second per officer key */
    unsigned timeout_s;        /* whole-request deadline: headers and body (default 120) */
    unsigned header_timeout_s; /* headers complete within this, and no longer silence
                                  (an idle keep-alive connection too; default 10) */
    size_t photo_max;          /* bytes of one photo (default 8 MiB) */
    unsigned threads;          /* listener threads (0: two per core, at least 2) */
} ingest_server_config;

/* Fill every field with its default (docs/OPERATIONS.md); then set what
 * differs. A rate of 0 disables that limit; threads 0 picks for the machine. */
void ingest_server_defaults(ingest_server_config *cfg);

typedef struct ingest_server ingest_server;

int ingest_server_start(const ingest_server_config *cfg, ingest *in, ingest_server **out,
                        err_info *e);
unsigned ingest_server_port(const ingest_server *s);
/* Stop accepting, finish the requests in flight (their answers are sent). */
void ingest_server_stop(ingest_server *s);

#endif
