/* http_health — what GET /healthz answers, on either listener of rekapd:
 * one home for when this server is healthy (docs/API.md, docs/REPLICAS.md).
 *
 *   primary: 200 while the log is published; 503 "log_unpublished" while
 *            a publication fails (nothing is acknowledged meanwhile);
 *   replica: 200 while it follows the store and its last complete read is
 *            at most HTTP_HEALTH_BEHIND_MS old; 503 "diverged" once a row
 *            or checkpoint did not verify (it follows no more), and past
 *            that age "store_unreachable" while the store cannot be read,
 *            "behind" when its reads stopped completing. A replica that is
 *            not healthy serves nothing but /healthz (http_health_serving:
 *            503 REPLICA_STALE), so that the edge's upstream pool sends
 *            readers to another replica and nobody reads stale results;
 *   either:  503 "starting" until rekapd has every listener it runs up
 *            (http_health_ready: the public listener starts after the
 *            ingest one, and a load balancer must not send to a server
 *            half up); 503 "stopping" while the server stops (a load
 *            balancer drains it). */
#ifndef REKAP_HTTP_HEALTH_H
#define REKAP_HTTP_HEALTH_H

#include <jansson.h>

#include "ingest/ingest.h"

#define HTTP_HEALTH_BEHIND_MS 10000u

/* Whether this server may answer public reads now (lock-free): a primary
 * always, a replica while healthy. */
int http_health_serving(ingest *in);

/* Every listener of this process is up: from now on /healthz may say
 * healthy. Called once by rekapd (the process runs one server, so the
 * flag is the process's). */
void http_health_ready(void);

/* The JSON body (caller owns it) and its HTTP status in *status. */
json_t *http_health(ingest *in, int stopping, unsigned *status);

#endif
