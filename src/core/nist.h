/* nist — the counted forms of one contest in one region as a NIST SP
 * 1500-100 v2 Election Results Common Data Format JSON document (an
 * ElectionResults.ElectionReport, "precinct-level"), for `rekap export
 * --format nist`. docs/CLI.md ("rekap export --format nist") lists what
 * maps to what; tests/schemas/ ships the schema it is checked against.
 *
 * Use: nist_new for a contest kind and a scope region (any level), then
 * nist_add for each counted form of a TPS inside the scope, in TPS order,
 * then nist_write. The export keeps no JSON: only a compact table of the
 * figures of each counted form (TPS, version, DPT, voters, valid, invalid
 * and one 16-bit number per selection of its ballot), so its memory is
 * bounded by the number of TPS in the scope times their ballot's width
 * (about 60 MB for every TPS of the nation on the DPR ballot) while the
 * document, written straight to the stream, is many times that.
 *
 * Pure: no I/O besides writing the FILE* given to nist_write. */
#ifndef REKAP_NIST_H
#define REKAP_NIST_H

#include <stdint.h>
#include <stdio.h>

#include "core/election.h"
#include "core/err.h"
#include "core/form.h"

typedef struct nist_export nist_export;

/* An empty export of contest kind k for the region node `scope` (any
 * level, TPS included) of el's tree; NULL when scope is not a node. */
nist_export *nist_new(const election *el, contest_kind k, uint32_t scope);
void nist_free(nist_export *x);

/* Is TPS index `tps` inside the export's scope? */
int nist_in_scope(const nist_export *x, uint32_t tps);

/* Add the counted form f (version `version`) of TPS index `tps`. ERR_INVALID,
 * changing nothing, when the TPS is outside the scope or not after the last
 * one added, or the form is not of the kind or does not fit its ballot. */
int nist_add(nist_export *x, uint32_t tps, const form *f, uint32_t version);

typedef struct nist_meta {
    const char *generated;   /* GeneratedDate: "YYYY-MM-DDThh:mm:ssZ" */
    const char *date;        /* election day (Start/EndDate): "YYYY-MM-DD" */
    uint64_t log_size;       /* entries of the signed log the forms come from */
} nist_meta;

/* Write the document, one line per GpUnit, selection and count. ERR_IO when
 * the stream fails. */
int nist_write(const nist_export *x, const nist_meta *m, FILE *f);

#endif
