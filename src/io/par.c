/* par — a parallel for over array items; see par.h. */
#include "io/par.h"

#include <assert.h>
#include <pthread.h>
#include <unistd.h>

typedef struct par_job {
    size_t n, from, step;
    void (*fn)(void *ctx, size_t i);
    void *ctx;
} par_job;

static void *par_run(void *arg)
{
    const par_job *j = arg;
    for (size_t i = j->from; i < j->n; i += j->step)
        j->fn(j->ctx, i);
    return NULL;
}

unsigned par_threads(void)
{
    long nc = sysconf(_SC_NPROCESSORS_ONLN);
    return nc < 1 ? 1 : nc > PAR_THREADS_MAX ? PAR_THREADS_MAX : (unsigned)nc;
}

void par_for(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i), void *ctx)
{
    assert(threads >= 1 && threads <= PAR_THREADS_MAX);
    if (threads > n)
        threads = n ? (unsigned)n : 1;
    pthread_t th[PAR_THREADS_MAX];
    par_job job[PAR_THREADS_MAX];
    unsigned started = 0;
    for (unsigned t = 1; t < threads; t++) {
        job[t] = (par_job){n, t, threads, fn, ctx};
        if (pthread_create(&th[started + 1], NULL, par_run, &job[t]) != 0)
            break; /* what was not started, the calling thread does below */
        started++;
    }
    /* the calling thread takes slot 0 and every slot no thread could take */
    for (unsigned t = 0; t < threads; t++)
        if (t == 0 || t > started) {
            job[t] = (par_job){n, t, threads, fn, ctx};
            par_run(&job[t]);
        }
    for (unsigned t = 1; t <= started; t++)
        pthread_join(th[t], NULL);
}
