/* fuzz_common — what the fuzz targets share: a contract check that aborts
 * with a message (so libFuzzer records a crash and its reproducer). */
#ifndef REKAP_FUZZ_COMMON_H
#define REKAP_FUZZ_COMMON_H

#include <stdio.h>
#include <stdlib.h>

#define FUZZ_CHECK(cond)                                                        \
    do {                                                                        \
        if (!(cond)) {                                                          \
            fprintf(stderr, "fuzz contract broken: %s (%s:%d)\n", #cond,        \
                    __FILE__, __LINE__);                                        \
            abort();                                                            \
        }                                                                       \
    } while (0)

/* Whether the n bytes at p are all zero. */
static inline int fuzz_all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

#endif
