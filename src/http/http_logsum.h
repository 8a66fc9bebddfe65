/* http_logsum — refusals and cuts as summaries in the log, never one line
 * per connection. A flood of refused connections from one address once
 * wrote 156 MB of log lines in 35 s (one line each); here each kind of
 * event writes at most one line per `interval` seconds:
 *
 *   {"event":"refused","listener":"ingest","kind":"per_ip","count":5120,
 *    "seconds":10.0,"top":[{"client":"127.0.0.2","count":2710},...]}
 *
 * `count` is exact (events since the kind's last line, over `seconds`);
 * `top` holds the addresses with the most of them, found with a few
 * counters per kind (the Space-Saving sketch: an address's count may be
 * over-stated by at most the smallest count shown, never under-stated), so
 * memory stays fixed whatever the flood.
 *
 * logsum_note only counts (any thread, one short lock, no I/O); the lines
 * are written by logsum_flush, which the listener's reaper thread calls
 * once a second: the first event of a kind is in the log within a second,
 * the next ones at most once per interval. */
#ifndef REKAP_HTTP_LOGSUM_H
#define REKAP_HTTP_LOGSUM_H

#include <stddef.h>
#include <stdint.h>

#define LOGSUM_KINDS 32       /* kinds kept per listener; beyond: "other" */
#define LOGSUM_TEXT_MAX 128   /* bytes of an event's or kind's name */

typedef struct logsum logsum;

/* listener: its name in every line ("ingest", "public"); interval:
 * seconds between two lines of one kind. */
logsum *logsum_new(const char *listener, double interval);
/* Writes what is still counted, then frees. NULL is a no-op. */
void logsum_free(logsum *ls);

/* One event: `event` is the line's event ("refused", "cut", "mhd"),
 * `kind` what happened ("per_ip", "slow", an MHD message); both copied,
 * cut at LOGSUM_TEXT_MAX - 1 bytes. key[0..klen) is the client's address
 * key (http_client_key; klen 0: none). */
void logsum_note(logsum *ls, const char *event, const char *kind, const uint8_t *key,
                 size_t klen);

/* Write a line for each kind with events counted whose last line is at
 * least the interval old (every such kind when `all`). */
void logsum_flush(logsum *ls, int all);

#endif
