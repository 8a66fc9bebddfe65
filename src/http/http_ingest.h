/* http_ingest — the ingest listener of rekapd: signed C.Hasil submissions
 * and corrections, photo uploads (streamed to disk, content-addressed by
 * SHA-256), an officer's TPS status, and Prometheus metrics at /metrics.
 * Limits per client address and per officer key, connection caps, size
 * caps, whole-request deadlines; 503 with Retry-After when the writer's
 * queue is full. See docs/API.md. */
#ifndef REKAP_HTTP_INGEST_H
#define REKAP_HTTP_INGEST_H

#include "core/err.h"
#include "ingest/ingest.h"

typedef struct ingest_server_config {
    const char *addr;
    unsigned port;             /* 0: ephemeral */
    const char *dir;           /* the election directory: photos/ lives here */
    unsigned conn_max, conn_per_ip;
    double ip_rate, ip_burst;  /* requests a second per address */
    double key_rate, key_burst;/* submissions a second per officer key */
    unsigned timeout_s;
    size_t photo_max;          /* bytes of one photo (default 8 MiB) */
} ingest_server_config;

typedef struct ingest_server ingest_server;

int ingest_server_start(const ingest_server_config *cfg, ingest *in, ingest_server **out,
                        err_info *e);
unsigned ingest_server_port(const ingest_server *s);
/* Stop accepting, finish the requests in flight (their answers are sent). */
void ingest_server_stop(ingest_server *s);

#endif
