/* testutil — small helpers shared by the unit tests (linked into each). */
#ifndef REKAP_TESTUTIL_H
#define REKAP_TESTUTIL_H

/* A new string: base with the first occurrence of `from` replaced by `to`;
 * fails the test when `from` does not occur. The caller frees it. */
char *test_replace(const char *base, const char *from, const char *to);

#endif
