/* http_public — the public listener of rekapd: results of every region at
 * every level for each contest (rekap's own JSON and the commission's 2024
 * portal layout), TPS detail, anomalies, bulk CSV, the transparency log's
 * checkpoint, tiles and entry bundles, inclusion proofs, photos. Every
 * response is bytes rendered once per change and kept in memory with a
 * strong ETag (and gzip); nothing a GET does can make an ingest wait.
 * See docs/API.md. */
#ifndef REKAP_HTTP_PUBLIC_H
#define REKAP_HTTP_PUBLIC_H

#include "core/err.h"
#include "ingest/ingest.h"

typedef struct public_config {
    const char *addr;          /* listen address ("127.0.0.1", "::", ...) */
    unsigned port;             /* 0: an ephemeral port (tests) */
    const char *dir;           /* the election directory: log/, photos/ */
    unsigned threads;          /* listener threads (default: cores) */
    unsigned conn_max;         /* open connections at most */
    unsigned conn_per_ip;      /* per client address */
    double ip_rate, ip_burst;  /* requests a second per address (0: no limit) */
    double ip_wait;            /* seconds a request over the rate may wait its turn
                                * before it is refused with 429 (0: refused at once) */
    const char *base_url;      /* this listener as the public reaches it, for the
                                * absolute photo URLs of the 2024 TPS files
                                * ("https://data.example.org"); NULL or "":
                                * http://localhost:<port> */
    const char *web_dir;       /* the built web pages (docs/WEB.md); NULL or "": none */
    const char *ingest_url;    /* the ingest listener as officers' phones reach it,
                                * written into the officer page; NULL or "": the
                                * page's own origin */
    unsigned timeout_s;        /* whole-request deadline, idle connections too */
    unsigned render_ms;        /* render changed regions at most this often (250) */
} public_config;

typedef struct public_server public_server;

int public_start(const public_config *cfg, ingest *in, public_server **out, err_info *e);
unsigned public_port(const public_server *s); /* the port actually bound */
void public_stop(public_server *s);

#endif
