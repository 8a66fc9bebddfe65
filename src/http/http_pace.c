/* http_pace — see http_pace.h. A binary min-heap of (due, connection)
 * under one mutex; the thread sleeps on a condition variable until the
 * earliest due time (or a new earlier one), resumes what is due, and
 * sleeps again. */
#include "http/http_pace.h"

#include <assert.h>
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "core/mem.h"
#include "http/http_util.h"

typedef struct pace_item {
    double due;
    struct MHD_Connection *c;
} pace_item;

struct pacer {
    pthread_mutex_t lock;
    pthread_cond_t wake; /* CLOCK_MONOTONIC, like http_now */
    pthread_t thread;
    pace_item *heap;
    size_t n, cap;
    int stopping;
    int running;                  /* the thread is to be joined */
    unsigned long long deferred;
};

static void pace_swap(pace_item *a, pace_item *b)
{
    pace_item t = *a;
    *a = *b;
    *b = t;
}

static void pace_push(pacer *p, pace_item it)
{
    assert(p->n < p->cap);
    size_t i = p->n++;
    p->heap[i] = it;
    while (i && p->heap[(i - 1) / 2].due > p->heap[i].due) {
        pace_swap(&p->heap[(i - 1) / 2], &p->heap[i]);
        i = (i - 1) / 2;
    }
}

static pace_item pace_pop(pacer *p)
{
    assert(p->n > 0);
    pace_item top = p->heap[0];
    p->heap[0] = p->heap[--p->n];
    for (size_t i = 0;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < p->n && p->heap[l].due < p->heap[m].due)
            m = l;
        if (r < p->n && p->heap[r].due < p->heap[m].due)
            m = r;
        if (m == i)
            break;
        pace_swap(&p->heap[i], &p->heap[m]);
        i = m;
    }
    return top;
}

static struct timespec pace_abstime(double t)
{
    struct timespec ts;
    ts.tv_sec = (time_t)t;
    ts.tv_nsec = (long)((t - (double)ts.tv_sec) * 1e9);
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

/* Resume what is due (everything when stopping), without the lock held
 * while MHD is called: MHD_resume_connection only flags the connection and
 * wakes its thread, but it must never wait on us. */
static void *pace_main(void *arg)
{
    pacer *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (p->n && (p->stopping || p->heap[0].due <= http_now())) {
            pace_item it = pace_pop(p);
            pthread_mutex_unlock(&p->lock);
            MHD_resume_connection(it.c);
            pthread_mutex_lock(&p->lock);
        }
        if (p->stopping)
            break;
        if (p->n) {
            struct timespec ts = pace_abstime(p->heap[0].due);
            pthread_cond_timedwait(&p->wake, &p->lock, &ts);
        } else {
            pthread_cond_wait(&p->wake, &p->lock);
        }
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

int pace_new(size_t cap, pacer **out, err_info *e)
{
    pacer *p = mem_calloc(1, sizeof *p);
    p->cap = cap ? cap : 1;
    p->heap = mem_calloc(p->cap, sizeof *p->heap);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&p->wake, &ca);
    pthread_condattr_destroy(&ca);
    pthread_mutex_init(&p->lock, NULL);
    int rc = pthread_create(&p->thread, NULL, pace_main, p);
    if (rc) {
        pthread_cond_destroy(&p->wake);
        pthread_mutex_destroy(&p->lock);
        free(p->heap);
        free(p);
        return err_set(e, ERR_IO, "HTTP_THREAD", "pacer", "cannot start the pacer: errno %d", rc);
    }
    p->running = 1;
    *out = p;
    return 0;
}

int pace_defer(pacer *p, struct MHD_Connection *c, double due)
{
    assert(isfinite(due));
    pthread_mutex_lock(&p->lock);
    if (p->stopping || p->n == p->cap) {
        pthread_mutex_unlock(&p->lock);
        return -1;
    }
    /* suspended before the thread can see it, so its resume finds it so */
    MHD_suspend_connection(c);
    int earliest = !p->n || due < p->heap[0].due;
    pace_push(p, (pace_item){.due = due, .c = c});
    p->deferred++;
    if (earliest)
        pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

void pace_drain(pacer *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->lock);
    p->stopping = 1;
    pthread_cond_signal(&p->wake);
    pthread_mutex_unlock(&p->lock);
    if (p->running)
        pthread_join(p->thread, NULL);
    p->running = 0;
    assert(p->n == 0);
}

void pace_free(pacer *p)
{
    if (!p)
        return;
    pace_drain(p);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p->heap);
    free(p);
}

size_t pace_waiting(pacer *p)
{
    pthread_mutex_lock(&p->lock);
    size_t n = p->n;
    pthread_mutex_unlock(&p->lock);
    return n;
}

unsigned long long pace_deferred(pacer *p)
{
    pthread_mutex_lock(&p->lock);
    unsigned long long n = p->deferred;
    pthread_mutex_unlock(&p->lock);
    return n;
}
