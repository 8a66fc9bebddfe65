/* http_limit — token buckets keyed by a client's address or an officer's
 * key: `rate` tokens a second up to `burst`. A fixed table of buckets
 * (hashing keys into it; a collision shares a bucket, which only ever makes
 * a limit stricter), so a flood of new addresses cannot grow memory.
 * Thread-safe with striped locks: a check never waits on the other
 * listener's traffic. */
#ifndef REKAP_HTTP_LIMIT_H
#define REKAP_HTTP_LIMIT_H

#include <stddef.h>

typedef struct limiter limiter;

/* rate 0 disables the limiter (every take succeeds). */
limiter *limiter_new(double rate, double burst, size_t slots);
void limiter_free(limiter *l);

/* Take one token for key[0..len) at time `now` (seconds, monotonic).
 * Returns 1 when allowed, 0 when the bucket is empty; *retry_after gets
 * the seconds until a token is back (may be NULL). */
int limiter_take(limiter *l, const void *key, size_t len, double now, double *retry_after);

/* The same, but a request that would find the bucket empty may instead
 * wait its turn: when a token is due within max_wait seconds it is taken
 * in advance (the bucket goes below zero, down to -rate * max_wait) and
 * *wait gets the seconds until it is due; 1 is returned. Beyond that, 0
 * and *wait gets the seconds until a request would again be let in within
 * max_wait. So a client sending faster than `rate` is paced, in the order
 * it asked, and refused only when it keeps more than max_wait seconds of
 * requests waiting. max_wait 0 is limiter_take. */
int limiter_take_wait(limiter *l, const void *key, size_t len, double now, double max_wait,
                      double *wait);

#endif
