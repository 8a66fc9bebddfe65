/* http_limit — token buckets for rate limits (http_limit.h). A fixed
 * table of buckets indexed by a keyed hash (SipHash with a random key per
 * limiter, so a client cannot aim its addresses at somebody else's bucket
 * or at one stripe), each stripe of buckets behind its own mutex, so
 * checks from many threads rarely meet and memory never grows. */
#include "http/http_limit.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

#include <sodium.h>

#include "core/mem.h"

#define LIMIT_STRIPES 64          /* locks; a power of two */
#define LIMIT_SLOTS_MIN 64

typedef struct limit_bucket {
    double tokens;
    double last;                  /* when tokens was computed */
    int used;                     /* 0: untouched, full */
} limit_bucket;

struct limiter {
    double rate, burst;
    size_t nslot;
    limit_bucket *slot;
    unsigned char hkey[crypto_shorthash_KEYBYTES];
    pthread_mutex_t stripe[LIMIT_STRIPES];
};

limiter *limiter_new(double rate, double burst, size_t slots)
{
    limiter *l = mem_calloc(1, sizeof *l);
    l->rate = rate > 0 ? rate : 0;
    l->burst = burst >= 1 ? burst : 1; /* a bucket must hold one request */
    l->nslot = slots < LIMIT_SLOTS_MIN ? LIMIT_SLOTS_MIN : slots;
    l->slot = mem_calloc(l->nslot, sizeof *l->slot);
    if (sodium_init() < 0)
        abort();
    randombytes_buf(l->hkey, sizeof l->hkey);
    for (int i = 0; i < LIMIT_STRIPES; i++)
        pthread_mutex_init(&l->stripe[i], NULL);
    return l;
}

void limiter_free(limiter *l)
{
    if (!l)
        return;
    for (int i = 0; i < LIMIT_STRIPES; i++)
        pthread_mutex_destroy(&l->stripe[i]);
    free(l->slot);
    free(l);
}

/* Refill b to `now` and take one token if there is one, or if one is due
 * within max_wait (the wait in *wait); else the seconds until that would be
 * so in *wait. */
static int limit_bucket_take(const limiter *l, limit_bucket *b, double now, double max_wait,
                             double *wait)
{
    if (!b->used) {
        b->used = 1;
        b->tokens = l->burst;
        b->last = now;
    } else if (now > b->last) { /* a clock that went back refills nothing */
        b->tokens += (now - b->last) * l->rate;
        if (b->tokens > l->burst)
            b->tokens = l->burst;
        b->last = now;
    }
    double due = b->tokens >= 1 ? 0 : (1 - b->tokens) / l->rate;
    if (due <= max_wait) {
        b->tokens -= 1;
        assert(b->tokens >= -l->rate * max_wait - 1e-9);
        *wait = due;
        return 1;
    }
    *wait = due - max_wait;
    return 0;
}

int limiter_take(limiter *l, const void *key, size_t len, double now, double *retry_after)
{
    double wait = 0;
    int ok = limiter_take_wait(l, key, len, now, 0, &wait);
    if (retry_after)
        *retry_after = ok ? 0 : wait;
    return ok;
}

int limiter_take_wait(limiter *l, const void *key, size_t len, double now, double max_wait,
                      double *wait)
{
    *wait = 0;
    if (!l || l->rate <= 0)
        return 1;
    if (max_wait < 0)
        max_wait = 0;
    uint64_t h;
    crypto_shorthash((unsigned char *)&h, key, len, l->hkey);
    size_t i = (size_t)(h % l->nslot);
    /* the lock follows the slot, so keys sharing a slot share its lock */
    pthread_mutex_t *lock = &l->stripe[i & (LIMIT_STRIPES - 1)];
    pthread_mutex_lock(lock);
    int ok = limit_bucket_take(l, &l->slot[i], now, max_wait, wait);
    pthread_mutex_unlock(lock);
    return ok;
}
