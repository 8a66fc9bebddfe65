/* mem — the one allocation wrapper. Allocation failure is not an error the
 * callers can recover from in a vote-counting server, so every allocation
 * goes through here and aborts with a message instead of returning NULL. */
#ifndef REKAP_MEM_H
#define REKAP_MEM_H
#include <stddef.h>

void *mem_alloc(size_t n);                 /* malloc or abort */
void *mem_calloc(size_t count, size_t n);  /* zeroed, overflow-checked, or abort */
void *mem_realloc(void *p, size_t n);      /* realloc or abort */
char *mem_strdup(const char *s);           /* strdup or abort */
char *mem_strndup(const char *s, size_t n);

/* Grow *arr (element size `elem`) so it holds at least `need` elements;
 * doubles the capacity *cap. The usual dynamic-array step, written once. */
void mem_grow(void **arr, size_t *cap, size_t need, size_t elem);

#endif
