/* form — one C.Hasil: the tally form of one TPS for one contest, as the
 * KPPS officers filled it in. Every count is written in three digit boxes,
 * so each is 0..999 (FORM_COUNT_MAX). The JSON form ("rekap-chasil/1") is
 * documented in docs/FORMATS.md; parsing and writing it live here, the
 * rules it is checked against live in rules.h.
 *
 * A form is self-describing: it carries the TPS code, the contest kind and
 * the shape of its ballot (which parties, how many candidates each), so
 * its own arithmetic can be checked without the election definition;
 * rules_check_election() then checks it against the ballot the definition
 * says that TPS has. */
#ifndef REKAP_FORM_H
#define REKAP_FORM_H

#include <stdint.h>
#include <stdio.h>

#include "core/election.h"
#include "core/err.h"
#include "core/region.h"

#define FORM_COUNT_MAX 999
#define FORM_PARTIES_MAX 40      /* party blocks on one legislative form */
#define FORM_SELECTIONS_MAX 1200 /* candidate vote fields on one form */
#define FORM_JSON_MAX (256 * 1024) /* bytes of one form document */
/* form_format never needs more than this (NUL included) for a form within
 * the bounds above, even with any uint16 in a count: 1200 candidates at 6
 * bytes, 40 party blocks at ~62 bytes, ~500 bytes of the rest. */
#define FORM_TEXT_MAX 16384

typedef struct form_lpt {        /* a row of the voters section: male, female, total */
    uint16_t male, female, total;
} form_lpt;

typedef struct form_party {      /* one party block of a legislative form */
    uint16_t no;                 /* party ballot number */
    uint16_t party_only;         /* votes for the party alone */
    uint16_t total;              /* the party's total as written */
    uint16_t ncand;              /* its candidates' votes are votes[cand .. cand+ncand) */
    uint16_t cand;
} form_party;

typedef struct form {
    char tps[REGION_CODE_MAX];
    contest_kind kind;
    /* I. voters: registered (A) and those who used their vote (B) */
    form_lpt dpt, dptb, dpk;     /* registered: DPT, added (DPTb), special (DPK) */
    form_lpt b1, b2, b3, b4;     /* voted from DPT, DPTb, DPK; B4 = total voted */
    form_lpt disabled;           /* voters with disabilities who voted */
    /* II. ballot papers */
    uint16_t received, used, damaged, unused;
    /* III. votes */
    uint16_t nvotes;             /* PPWP/DPD: one per candidate; legislative: all candidates of all parties */
    uint16_t votes[FORM_SELECTIONS_MAX];
    uint16_t nparty;             /* legislative only */
    form_party party[FORM_PARTIES_MAX];
    uint16_t valid, invalid, total; /* V.A, V.B, V.C */
} form;

/* The rows of section I (voters) in the order of the format: their JSON
 * keys, and row i of a form. */
#define FORM_VOTER_ROWS 8
extern const char *const form_voter_keys[FORM_VOTER_ROWS];
const form_lpt *form_voter(const form *f, unsigned i);

/* Parse one rekap-chasil/1 document. Structural problems (not JSON, a
 * missing or unknown field, a wrong type, a count outside 0..999, too many
 * selections) return ERR_INVALID / ERR_LIMIT with e->code one of the FORM_*
 * codes of docs/RULES.md and e->where the JSON path ("voters.b1[2]",
 * "parties[3].candidates[1]"; indices from 0; "line:column" for JSON syntax
 * errors). On error *out is all zero. Rule violations are not parse errors:
 * see rules.h. */
int form_parse(const char *json, size_t len, form *out, err_info *e);
/* The reference parser (jansson): what form_parse does for every document
 * that is not canonical, with the same contract. form_parse reads a
 * canonical document (what form_format writes) with a fast scanner
 * instead, and gets the same result; this entry exists so that tests and
 * benchmarks can compare the two. Production code calls form_parse. */
int form_parse_reference(const char *json, size_t len, form *out, err_info *e);

/* Write f as one line of compact JSON (no trailing newline), deterministic:
 * fields in the documented order, no spaces. form_parse reads it back to an
 * identical struct. f must hold a 13-digit TPS code and consistent party
 * blocks (as form_parse leaves it). Returns bytes written or ERR_IO. */
int form_write(const form *f, FILE *out);
/* Same into a buffer: returns the length it needs without the NUL, and
 * writes a NUL-terminated prefix when cap is too small (like snprintf). */
size_t form_format(const form *f, char *buf, size_t cap);

/* Sum of the candidates' votes of party block i. */
unsigned form_party_candidates_sum(const form *f, unsigned i);

#endif
