/* export — the per-TPS CSV of counted forms, as bytes: the one definition
 * of its columns, shared by `rekap export` and rekapd's
 * /api/v1/export/<contest>.csv (docs/CLI.md lists them):
 *
 *   tps,contest,version,dpt,voters,valid,invalid, then one column per
 *   selection of the contest's widest ballot: pair_N (PPWP), cand_N (DPD),
 *   party_<no>_<abbrev> (legislative, every party of the election in
 *   election order; a party not on a TPS's ballot is an empty cell).
 *
 * Pure: no I/O, no allocation. Every writer is snprintf-like: it writes at
 * most cap - 1 bytes and a NUL into buf (nothing when cap is 0; buf may then
 * be NULL) and returns the length of the whole text, so a return >= cap
 * means "call again with return + 1 bytes". */
#ifndef REKAP_EXPORT_H
#define REKAP_EXPORT_H

#include <stddef.h>

#include "core/election.h"
#include "core/entry.h"

/* s as one CSV cell, quoted (RFC 4180) when it holds a comma, quote or
 * line end. */
size_t export_csv_text(const char *s, char *buf, size_t cap);

/* The selection columns of contest k, each preceded by a comma, no line
 * end: the tail of every export header (per TPS and per region). */
size_t export_csv_columns(const election *el, contest_kind k, char *buf, size_t cap);

/* The per-TPS header line, "\n" included. */
size_t export_csv_header(const election *el, contest_kind k, char *buf, size_t cap);

/* One TPS row from its counted entry (a form of el), "\n" included. */
size_t export_csv_row(const election *el, const entry *en, char *buf, size_t cap);

#endif
