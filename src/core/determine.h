/* determine — the determination of results (penetapan hasil) under UU
 * 7/2017, Bab XII: who is elected president, how many seats each party
 * wins in each dapil, which candidates take them, and who sits in the DPD.
 * Every rule and every tie-break, with the article it follows and the
 * stand-ins where the law leaves a tie to a further rule, is written down
 * once in docs/DETERMINATION.md; the code below follows that page.
 *
 * Two layers: pure functions over plain arrays (votes in ballot order, so
 * "the lower index" is "the lower ballot number"), and determine_contest,
 * which takes an election and the tally a log proves and determines one
 * whole contest with them; determine_json.c writes such a result as the
 * JSON document rekapd serves and `rekap determine --json` prints. Neither
 * allocates without bound: votes are at most DETERMINE_VOTES_MAX (2^53,
 * exact in a double and in JSON) per selection and per sum, seats at most
 * ELECTION_SEATS_MAX per district.
 *
 * Error codes (e->code), each with an English message in e->msg and a
 * Bahasa Indonesia one from determine_msg_id: DETERMINE_VOTES_LIMIT,
 * DETERMINE_SHAPE, DETERMINE_CSV_HEADER, DETERMINE_CSV_FIELDS,
 * DETERMINE_CSV_DAPIL, DETERMINE_CSV_SEATS, DETERMINE_CSV_PARTY,
 * DETERMINE_CSV_VOTES, DETERMINE_CSV_DUPLICATE, DETERMINE_CSV_EMPTY,
 * DETERMINE_CSV_LIMIT, and the CSV reader's CSV_* codes. */
#ifndef REKAP_DETERMINE_H
#define REKAP_DETERMINE_H

#include <stddef.h>
#include <stdint.h>

#include "core/election.h"
#include "core/err.h"
#include "core/tally.h"

#define DETERMINE_VOTES_MAX (UINT64_C(1) << 53)
#define DETERMINE_DPR_THRESHOLD_BP 400u   /* UU 7/2017 Art. 414(1): 4% */
#define DETERMINE_BP_MAX 10000u           /* 100.00% */
#define DETERMINE_PPWP_PROVINCE_BP 2000u  /* Art. 416(1): 20% in a province */
#define DETERMINE_ROWS_MAX 1000000u       /* rows of a --votes table */

/* The Bahasa Indonesia message of a DETERMINE_* code, or NULL for
 * another code. */
const char *determine_msg_id(const char *code);

/* ----------------------------------------------------------- pure rules */

/* The parliamentary threshold (Art. 414): eligible[i] = 1 when votes[i] is
 * at least bp/10000 of the sum of votes[0..n), else 0. bp 0 makes every
 * party eligible (DPRD, Art. 414(2)). DETERMINE_VOTES_LIMIT when a value
 * or the sum exceeds DETERMINE_VOTES_MAX; ERR_INVALID when bp > 10000. */
int determine_threshold(const uint64_t *votes, unsigned n, unsigned bp, uint8_t *eligible,
                        err_info *e);

/* Sainte-Laguë (Art. 415(2)-(3), Art. 420): `seats` seats of one dapil
 * among the n parties (ballot order) whose eligible[i] is set (NULL: all),
 * by the highest quotients votes / (1, 3, 5, ...). A party with no votes
 * wins nothing; equal quotients go to the lower index (stand-in, see the
 * docs). Fills out[0..n) and returns the seats given: `seats`, or 0 when no
 * eligible party has a vote. DETERMINE_VOTES_LIMIT, DETERMINE_SHAPE (seats
 * over ELECTION_SEATS_MAX). */
int determine_sainte_lague(const uint64_t *votes, const uint8_t *eligible, unsigned n,
                           unsigned seats, uint16_t *out, err_info *e);

/* The order of n selections (ballot order) as the law ranks them: more
 * votes first; among equal non-zero votes a higher key2[i] first (spread
 * of the votes, or 1 for a woman: the further rule of the article in
 * question; NULL: none); then the lower index (stand-in). order[0..n)
 * receives indices. */
void determine_rank(const uint64_t *votes, const uint64_t *key2, unsigned n, unsigned *order);

/* PPWP (Art. 416). */
typedef enum determine_ppwp_outcome {
    DETERMINE_PPWP_NO_VOTES = 0,  /* no valid vote yet */
    DETERMINE_PPWP_ELECTED = 1,   /* winner is elected in the first round */
    DETERMINE_PPWP_RUNOFF = 2,    /* runoff[0], runoff[1] go to a second round */
} determine_ppwp_outcome;

#define DETERMINE_PROVINCES_MAX 64

typedef struct determine_ppwp {
    determine_ppwp_outcome outcome;
    unsigned winner;            /* ELECTED: index of the pair */
    unsigned runoff[2];         /* RUNOFF: first and second place */
    uint64_t total;             /* national valid votes */
    uint64_t votes[ELECTION_CANDIDATES_MAX];  /* per pair: national votes */
    unsigned nprov;             /* provinces counted for the 20% rule */
    unsigned prov20[ELECTION_CANDIDATES_MAX]; /* per pair: provinces with >= 20% */
    uint64_t spread[ELECTION_CANDIDATES_MAX]; /* per pair: provinces with a vote */
} determine_ppwp;

/* Determine the presidential election from the national votes of npair
 * pairs and their votes in each of nprov provinces (prov[p * npair + i];
 * overseas votes count nationally only, so each province's votes are at
 * most the national ones). DETERMINE_SHAPE when npair is 0 or over
 * ELECTION_CANDIDATES_MAX, nprov over DETERMINE_PROVINCES_MAX or a
 * province holds more votes than the nation; DETERMINE_VOTES_LIMIT. */
int determine_ppwp_run(const uint64_t *national, unsigned npair, const uint64_t *prov,
                       unsigned nprov, determine_ppwp *out, err_info *e);

/* ------------------------------------------------- a --votes table (CSV) */

typedef struct determine_dapil {
    char *id;
    uint16_t seats;
    uint8_t present[ELECTION_PARTY_MAX];   /* by party number - 1 */
    uint64_t votes[ELECTION_PARTY_MAX];
} determine_dapil;

typedef struct determine_table {
    unsigned ndapil;
    determine_dapil *dapil;               /* in the order of the file */
} determine_table;

/* Parse a table with the header `dapil,seats,party,votes`: one row per
 * dapil and party (party by ballot number 1..99), a dapil's rows together
 * and with one seat count (1..ELECTION_SEATS_MAX), votes 0..2^53. Errors
 * name source:line. */
int determine_table_parse(const char *buf, size_t len, const char *source,
                          determine_table **out, err_info *e);
void determine_table_free(determine_table *t);

/* Seats of every dapil of the table: the threshold bp applied to the
 * table's national sums, then Sainte-Laguë per dapil. seats[d * 99 + p]
 * for dapil d and party number p + 1; eligible[p] (may be NULL) tells who
 * passed. DETERMINE_VOTES_LIMIT when the national sum is too large. */
int determine_table_seats(const determine_table *t, unsigned bp, uint16_t *seats,
                          uint8_t *eligible, err_info *e);

/* ------------------------------------------ a contest of an election */

typedef struct determine_elected {
    uint16_t list;       /* party lists: index into the district's lists */
    uint16_t cand;       /* index into the list's (or the district's) candidates */
    uint64_t votes;
} determine_elected;

typedef struct determine_district {
    uint64_t valid;            /* valid votes of the district */
    uint16_t allocated;        /* seats given (0 while nothing is counted) */
    uint16_t *seats;           /* party lists: [nlist] seats per list */
    uint64_t *list_votes;      /* party lists: [nlist] party-only + candidates */
    uint16_t nelected;
    determine_elected *elected; /* in order of election */
} determine_district;

typedef struct determine_result {
    contest_kind kind;
    unsigned threshold_bp;     /* DPR: 400, else 0 */
    uint64_t *party_votes;     /* party lists: [el->nparty] national sums */
    uint8_t *party_eligible;   /* party lists: [el->nparty] */
    determine_ppwp ppwp;       /* PPWP */
    uint32_t ndistrict;        /* party lists and DPD: el->ndistrict[kind] */
    determine_district *district;
} determine_result;

/* Determine contest k of el from the tally t (edir_tally: what the signed
 * log proves). PPWP uses the province rows of the tally (the overseas
 * "99" is not a province); DPD ties at the last seat use the number of
 * kab/kota with a vote; party lists use the district votes. *out is the
 * caller's (determine_result_free). DETERMINE_VOTES_LIMIT, DETERMINE_SHAPE. */
int determine_contest(const election *el, const tally *t, contest_kind k,
                      determine_result **out, err_info *e);
void determine_result_free(determine_result *r);

/* ------------------------------------------------ as JSON (determine_json.c) */

/* What the caller knows beside the result: where its votes come from
 * ("tps": the counted TPS forms, provisional; "recap": the signed recaps),
 * whether that source is complete, and the TPS counted of those expected
 * (the contest's national tally row). */
typedef struct determine_json_meta {
    const char *source;
    int complete;
    uint64_t tps_counted, tps_expected;
    /* per district (el->ndistrict[kind] bytes): 1 where its votes come from
     * its signed recap (recap_determine), 0 from the TPS forms; NULL: all
     * from the TPS. Written as each district's "source". */
    const uint8_t *from_recap;
} determine_json_meta;

/* The meta of a result computed from the tally t of el (determine_contest):
 * source "tps", the TPS counted and expected of contest k's national row,
 * complete when every expected TPS is counted. */
void determine_json_meta_tps(const election *el, const tally *t, contest_kind k,
                             determine_json_meta *m);

/* The result r of contest r->kind of el as the JSON document of
 * /api/v1/determination/<contest>.json (docs/API.md), one line and "\n".
 * snprintf-like (textbuf.h): at most cap - 1 bytes and a NUL into buf
 * (nothing when cap is 0; buf may then be NULL); returns the whole length.
 * Pure: the same input gives the same bytes. */
size_t determine_json(const election *el, const determine_result *r,
                      const determine_json_meta *m, char *buf, size_t cap);

/* The same document in a new NUL-terminated buffer (the caller frees it),
 * its length in *len. */
char *determine_json_new(const election *el, const determine_result *r,
                         const determine_json_meta *m, size_t *len);

#endif
