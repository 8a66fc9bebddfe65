/* edir_pool — owns a bounded set of read-only connections to an election
 * directory's store, lent to one thread at a time; see edir.h. A
 * connection is opened outside the pool's lock, so takers never wait for
 * another's open. */
#include "edir/edir.h"

#include <assert.h>
#include <pthread.h>
#include <stdlib.h>

#include "core/mem.h"

struct edir_pool {
    char path[EDIR_PATH_MAX];    /* the store */
    pthread_mutex_t lock;        /* everything below */
    unsigned max;
    unsigned open;               /* connections open or being opened: idle + taken */
    unsigned nidle;
    store **idle;                /* max places; [0, nidle) idle, the last given back on top */
};

int edir_pool_new(const char *dir, unsigned max, edir_pool **out, err_info *e)
{
    assert(max > 0);
    *out = NULL;
    edir_pool *p = mem_calloc(1, sizeof *p);
    int rc = edir_store_target(dir, p->path, sizeof p->path, e);
    if (rc < 0) {
        free(p);
        return rc;
    }
    pthread_mutex_init(&p->lock, NULL);
    p->max = max;
    p->idle = mem_calloc(max, sizeof *p->idle);
    *out = p;
    return 0;
}

/* Under the lock: an idle connection into *st, or else a place for one
 * the caller opens (*st NULL, counted open already); ERR_LIMIT when all
 * are taken. */
static int edir_pool_reserve(edir_pool *p, store **st, err_info *e)
{
    int rc = 0;
    *st = NULL;
    pthread_mutex_lock(&p->lock);
    assert(p->nidle <= p->open && p->open <= p->max);
    if (p->nidle)
        *st = p->idle[--p->nidle];
    else if (p->open < p->max)
        p->open++;
    else
        rc = err_set(e, ERR_LIMIT, "EDIR_POOL", p->path, "all %u store connections are taken",
                     p->max);
    pthread_mutex_unlock(&p->lock);
    return rc;
}

int edir_pool_take(edir_pool *p, store **out, err_info *e)
{
    store *st;
    int rc = edir_pool_reserve(p, &st, e);
    if (rc == 0 && !st && (rc = store_open_readonly(p->path, &st, e)) < 0) {
        pthread_mutex_lock(&p->lock); /* the place reserved is free again */
        p->open--;
        pthread_mutex_unlock(&p->lock);
    }
    *out = rc == 0 ? st : NULL;
    return rc;
}

void edir_pool_give(edir_pool *p, store *st)
{
    assert(st);
    pthread_mutex_lock(&p->lock);
    assert(p->nidle < p->open); /* one given back for one taken */
    p->idle[p->nidle++] = st;
    pthread_mutex_unlock(&p->lock);
}

void edir_pool_free(edir_pool *p)
{
    if (!p)
        return;
    assert(p->nidle == p->open); /* nothing is still taken */
    for (unsigned i = 0; i < p->nidle; i++)
        store_close(p->idle[i]);
    pthread_mutex_destroy(&p->lock);
    free(p->idle);
    free(p);
}
