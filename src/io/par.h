/* par — run one function over the items of an array on every core: the
 * parallel half of the work that has a parallel half and an in-order half
 * (signatures and rules in `rekap verify`, parsing and hashing in the
 * restart). Items are dealt round-robin, so neighbours of similar cost
 * spread evenly; fn must touch only item i and what nobody writes
 * meanwhile. Returns when every item is done. */
#ifndef REKAP_PAR_H
#define REKAP_PAR_H

#include <stddef.h>

#define PAR_THREADS_MAX 16

/* Threads to use: the online cores, 1..PAR_THREADS_MAX. */
unsigned par_threads(void);

/* fn(ctx, i) for every i in [0, n), on up to `threads` threads (the
 * calling one among them). */
void par_for(size_t n, unsigned threads, void (*fn)(void *ctx, size_t i), void *ctx);

#endif
