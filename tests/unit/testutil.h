/* testutil — small helpers shared by the unit tests (linked into each). */
#ifndef REKAP_TESTUTIL_H
#define REKAP_TESTUTIL_H

#include <stddef.h>
#include <stdint.h>

#include "core/election.h"
#include "core/form.h"

/* A new string: base with the first occurrence of `from` replaced by `to`;
 * fails the test when `from` does not occur. The caller frees it. */
char *test_replace(const char *base, const char *from, const char *to);

/* Write text to the file dir/name (created or emptied); fails the test
 * when it cannot. */
void test_put_file(const char *dir, const char *name, const char *text);

/* Remove path and everything below it (a test's scratch directory). */
void test_remove_tree(const char *path);

/* A generated election over the shipped master data (`scope`, e.g. the
 * province "65", and `seed`), and the true forms of the contests in
 * `kinds` (a bit per contest_kind) of every TPS into *forms, *n of them.
 * The caller frees both. Fails the test on any error. */
election *test_province(const char *scope, uint64_t seed, unsigned kinds, form **forms,
                        size_t *n);

#endif
