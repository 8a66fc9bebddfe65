/* form_internal — what the form module's two parsers share, and what its
 * unit test may look at; not an interface for the rest of the project
 * (form.h is).
 *
 *   form.c       the reference parser (jansson: any JSON layout, every
 *                error with its code and path), form_parse, the writer
 *   form_fast.c  the canonical fast path: a scanner for exactly the bytes
 *                form_format writes
 *
 * Both parsers must accept exactly the same documents into the same
 * struct, so every value rule of a rekap-chasil/1 document is stated here
 * once and both call it: the fast path gives up where the reference parser
 * reports an error. */
#ifndef REKAP_FORM_INTERNAL_H
#define REKAP_FORM_INTERNAL_H

#include <stddef.h>

#include "core/form.h"

#define FORM_FORMAT_ID "rekap-chasil/1"
#define FORM_VOTES_MAX ELECTION_CANDIDATES_MAX   /* "votes" of a PPWP/DPD form */
#define FORM_PARTY_CANDIDATES_MAX ELECTION_CANDIDATES_MAX /* one party block */
#define FORM_BALLOT_FIELDS 4

/* The inclusive range a number must lie in. */
typedef struct form_range {
    long long lo, hi;
} form_range;

#define FORM_COUNTS ((form_range){0, FORM_COUNT_MAX})       /* three digit boxes */
#define FORM_PARTY_NOS ((form_range){1, ELECTION_PARTY_MAX}) /* party ballot numbers */

static inline int form_in_range(long long x, form_range r)
{
    return x >= r.lo && x <= r.hi;
}

/* Keys of the voters rows and of the ballots fields, in document order. */
extern const char *const form_ballot_keys[FORM_BALLOT_FIELDS];

/* Row i of the voters section, field i of the ballots section, in the
 * order of the keys above. */
form_lpt *form_voter_row(form *f, unsigned i);
uint16_t *form_ballot_field(form *f, unsigned i);

/* s[0..n) is a TPS code: 13 digits, the desa code and a TPS number
 * 001..999. */
int form_tps_code_ok(const char *s, size_t n);

/* Close party block i whose candidates' votes, n of them, were stored at
 * f->votes[f->nvotes..]: the block owns them and counts as parsed. The
 * caller has checked n against both candidate bounds. */
void form_party_close(form *f, unsigned i, unsigned n);

/* The fast path of form_parse: when json[0..len) is byte for byte what
 * form_format writes for a form that passes every check of form_parse,
 * fill *out exactly as the reference parser would and return 1. Otherwise
 * return 0, with *out unspecified, and decide nothing: the reference
 * parser then accepts the document or reports its error. */
int form_parse_canonical(const char *json, size_t len, form *out);

#endif
