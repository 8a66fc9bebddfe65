/* count — the one rule for counting a TPS's form. Per TPS and contest at
 * most one version is counted: the latest accepted one. When a new version
 * is accepted it replaces the one counted before in the tally (delta = new
 * - old, flags likewise), so a region's total is always the sum of exactly
 * one form per TPS. Rejected versions (HARD rule hits) never move the
 * tally. Used by the ingest writer, the restart, `rekap verify` and the
 * read side (edir): one home, so they cannot disagree.
 *
 * The version counted before is not kept in memory (4 million forms would
 * not fit): it is read back through a count_prev_fn, which must hand over
 * only what the log holds (edir_prev_from_store checks the store's bytes
 * against the log's leaf hash). Pure: no I/O of its own. */
#ifndef REKAP_COUNT_H
#define REKAP_COUNT_H

#include <stdint.h>

#include "core/election.h"
#include "core/entry.h"
#include "core/err.h"
#include "core/tally.h"

/* The entry of (tps, kind, version) into *out, the one the log holds. */
typedef int (*count_prev_fn)(void *ctx, const char *tps, contest_kind k, uint32_t version,
                             entry *out, err_info *e);

/* Form f (accepted, version `version`, flagged: with SOFT rule hits)
 * becomes the counted version of (tps, k): the version counted before, if
 * any, is read through prev and taken out first, with the flag the tally
 * recorded for it. counted[] holds per TPS
 * and contest ([tps * CONTEST_KINDS + k]) the version counted, 0 for none,
 * and is updated. INGEST_TALLY when a form does not fit its ballot, or
 * prev's error; the tally is then unchanged only if prev failed. */
int count_form(tally *t, count_prev_fn prev, void *prev_ctx, uint16_t *counted, uint32_t tps,
               contest_kind k, uint32_t version, const form *f, int flagged, err_info *e);

#endif
