/* recap — the tiered recapitulation (D.Hasil): what a recap officer signs
 * for one unit (a region at a recap level, one contest, one district it
 * touches), the plenary's records (D.Kejadian Khusus), the rules a recap
 * is checked against, and the book of every unit's signed state that a
 * replay of the log builds. docs/RECAP.md explains the levels and the
 * comparison; docs/FORMATS.md the two signed texts; the rules' codes and
 * messages live in the one rule table (rules.h, RULE_RECAP_*).
 *
 * Signed texts, each logged inside the rekap-entry/1 envelope of a C.Hasil
 * (key, sig, received, status after the signed bytes):
 *
 *   rekap-dhasil/1\n                 a recap
 *   region <code>\n                  "0", 2, 4 or 6 digits
 *   contest <id>\n
 *   district <id>\n                  the district's id in the election
 *   version <1..999>\n
 *   reason "<text>"\n                only when version > 1
 *   adopt <child> <version>\n        } one row per child, ascending code:
 *   mark <child> pending|psu|recount\n  why "<text>"\n      } adopt, mark
 *   correct <child> <numbers>\n      why "<text>"\n         } or correct
 *   totals <numbers>\n
 *
 *   rekap-dkk/1\n                    a plenary record
 *   region, contest, district        as above
 *   number <1..>\n                   the unit's next record
 *   recap <0..999>\n                 the recap version it concerns
 *   kind objection|event\n
 *   by "<text>"\n  text "<text>"\n
 *
 * Numbers: width decimal integers 0..RECAP_VALUE_MAX, space-separated, in
 * the order of the RECAP_I_* indices, then the selections of the district
 * (candidates in ballot order, lists concatenated, then one party-only
 * count per list): the layout of tally_district.
 *
 * Parse error codes (e->code, e->where the line): RECAP_TOO_LARGE
 * (ERR_LIMIT), RECAP_FORMAT, RECAP_FIELD (a line missing, misspelt, out
 * of order or extra), RECAP_NOT_CANONICAL (right meaning, another
 * spelling), RECAP_REGION, RECAP_CONTEST, RECAP_DISTRICT, RECAP_VERSION,
 * RECAP_REASON, RECAP_ROW (a row's child code, version, state or order),
 * RECAP_ROWS (ERR_LIMIT: more than RECAP_ROWS_MAX), RECAP_NUMBERS (not
 * width numbers in range), RECORD_NUMBER, RECORD_RECAP, RECORD_KIND,
 * RECORD_TEXT; the envelope's ENTRY_KEY, ENTRY_SIG, ENTRY_RECEIVED,
 * ENTRY_STATUS. Against the election (recap_unit_find, recap_shape):
 * RECAP_REGION_UNKNOWN, RECAP_LEVEL, RECAP_DISTRICT_UNKNOWN,
 * RECAP_UNIT_UNKNOWN (the district does not touch the region),
 * RECAP_WIDTH, RECAP_CHILDREN (a row for a non-child, a child without a
 * row). */
#ifndef REKAP_RECAP_H
#define REKAP_RECAP_H

#include <stddef.h>
#include <stdint.h>

#include "core/count.h"
#include "core/election.h"
#include "core/entry.h"
#include "core/err.h"
#include "core/form.h"
#include "core/keys.h"
#include "core/rules.h"
#include "core/tally.h"

#define RECAP_FORMAT_ID "rekap-dhasil/1"
#define RECORD_FORMAT_ID "rekap-dkk/1"
#define RECAP_ROWS_MAX 2000u       /* children of one unit */
#define RECAP_VALUE_MAX (UINT64_C(1) << 53)
#define RECAP_KEY_MAX 14           /* a store key: "<region>/<district>", NUL included */

/* The fixed numbers of a unit, then its selections from RECAP_I_SEL. */
enum {
    RECAP_I_VOTERS = 0,     /* FORM_VOTER_ROWS rows x (male, female, total) */
    RECAP_I_BALLOTS = 24,   /* received, used, damaged, unused */
    RECAP_I_VALID = 28,
    RECAP_I_INVALID = 29,
    RECAP_I_TOTAL = 30,
    RECAP_I_SEL = 31,
};
#define RECAP_WIDTH_MAX (RECAP_I_SEL + FORM_SELECTIONS_MAX + FORM_PARTIES_MAX)

typedef enum recap_how { RECAP_ADOPT = 0, RECAP_MARK = 1, RECAP_CORRECT = 2 } recap_how;
typedef enum recap_state {
    RECAP_PENDING = 0,      /* not there yet */
    RECAP_PSU = 1,          /* a re-vote is due */
    RECAP_RECOUNT = 2,      /* a re-count is due */
    RECAP_STATES = 3,
} recap_state;
extern const char *const recap_how_word[3];      /* "adopt", "mark", "correct" */
extern const char *const recap_state_word[RECAP_STATES];

typedef struct recap_row {
    char code[REGION_CODE_MAX];
    uint8_t how;            /* recap_how */
    uint8_t state;          /* mark: recap_state */
    uint32_t version;       /* adopt: the child's version taken */
    char *reason;           /* mark, correct: owned */
    uint64_t *numbers;      /* correct: width numbers, owned */
} recap_row;

typedef struct recap {
    char region[REGION_CODE_MAX];
    contest_kind kind;
    char district[ELECTION_TEXT_MAX + 1];
    uint32_t version;
    char reason[ENTRY_REASON_MAX + 1];
    uint32_t width;
    uint32_t nrow;
    recap_row *row;         /* owned */
    uint64_t *totals;       /* width numbers, owned */
} recap;

typedef enum record_kind { RECORD_OBJECTION = 0, RECORD_EVENT = 1, RECORD_KINDS = 2 } record_kind;
extern const char *const record_kind_word[RECORD_KINDS];   /* "objection", "event" */

typedef struct record {
    char region[REGION_CODE_MAX];
    contest_kind kind;
    char district[ELECTION_TEXT_MAX + 1];
    uint32_t number;
    uint32_t recap;         /* recap version it concerns, 0: none yet */
    uint8_t what;           /* record_kind */
    char by[KEYS_NAME_MAX + 1];
    char text[ENTRY_REASON_MAX + 1];
} record;

/* Which of the three signed texts a submission is (its first line), or
 * of an entry (its second line): SIGNED_FORM, SIGNED_RECAP, SIGNED_RECORD,
 * or -1 for none of them. */
typedef enum signed_type { SIGNED_FORM = 0, SIGNED_RECAP = 1, SIGNED_RECORD = 2 } signed_type;
int signed_type_of_submission(const char *buf, size_t len);
int signed_type_of_entry(const char *buf, size_t len);

/* A parsed recap or record submission, or a whole logged entry of one. */
typedef struct recap_entry {
    signed_type type;       /* SIGNED_RECAP or SIGNED_RECORD */
    recap recap;
    record record;
    const char *sub_bytes;  /* entry: the signed bytes inside the parsed buffer */
    size_t sub_len;
    uint8_t pubkey[32];
    uint8_t sig[64];
    uint64_t received;
    int accepted;
    char codes[ENTRY_CODES_MAX + 1];
} recap_entry;

/* Parse a rekap-dhasil/1 or rekap-dkk/1 text strictly (one spelling).
 * On error *out is zero and owns nothing. */
int recap_submission_parse(const char *buf, size_t len, recap_entry *out, err_info *e);
/* Parse a logged entry of one (the rekap-entry/1 envelope). Does not
 * verify the signature. */
int recap_entry_parse(const char *buf, size_t len, recap_entry *out, err_info *e);
/* The signed text of out->type's content; like snprintf. */
size_t recap_submission_encode(const recap_entry *en, char *buf, size_t cap);
/* The whole entry: envelope, en->sub_bytes verbatim, key, sig, received,
 * status; like snprintf. */
size_t recap_entry_encode(const recap_entry *en, char *buf, size_t cap);
void recap_entry_free(recap_entry *en);

/* ------------------------------------------------ units of the election */

typedef struct recap_unit {
    uint32_t region;        /* node index */
    uint8_t level;          /* REGION_NATIONAL .. REGION_KECAMATAN */
    contest_kind kind;
    uint32_t district;      /* index into el->district[kind] */
    uint32_t width;
} recap_unit;

/* The highest level a contest is recapitulated to, where it is
 * determined: national for PPWP and DPR, province for DPD and DPRD
 * provinsi, kab/kota for DPRD kab/kota. */
int recap_top_level(contest_kind k);
/* Numbers per row of district d of kind k. */
uint32_t recap_width(const election *el, contest_kind k, uint32_t d);
/* The unit of (region code, kind, district id). */
int recap_unit_find(const election *el, const char *code, contest_kind k,
                    const char *district, recap_unit *u, err_info *e);
/* The unit of region node reg and district index d; 0 or like find. */
int recap_unit_at(const election *el, uint32_t reg, contest_kind k, uint32_t d, recap_unit *u,
                  err_info *e);
/* The children of u in ascending code: TPS indices (into el->tps) for a
 * kecamatan, region node indices above. Returns how many; out (mem.h,
 * caller frees) may be NULL. */
uint32_t recap_children(const election *el, const recap_unit *u, uint32_t **out);
/* The districts of kind k that region node reg touches, ascending: count,
 * and the indices into *out (caller frees; may be NULL). */
uint32_t recap_districts(const election *el, uint32_t reg, contest_kind k, uint32_t **out);
/* The unit of r, and r's rows are exactly its children and its widths its
 * district's. */
int recap_shape(const election *el, const recap *r, recap_unit *u, err_info *e);
/* The store key of a unit's recaps ("340401/3") or records ("340401#3"). */
void recap_key(const election *el, const recap_unit *u, signed_type t, char key[RECAP_KEY_MAX]);

/* A counted form's numbers in the unit layout (u->width of them). */
void recap_numbers_from_form(const form *f, uint64_t *out);
/* Name of number i of a unit of kind k, district d ("voters.b4.total",
 * "ballots.used", "valid", "votes[3]", "party_only[1]"). */
void recap_field_name(const election *el, contest_kind k, uint32_t d, uint32_t i, char *buf,
                      size_t cap);

/* ------------------------------------------------------- the book */

/* What the log says of one unit so far. */
typedef struct recap_state_of {
    uint32_t latest;        /* highest recap version logged, 0: none */
    uint32_t accepted;      /* the latest accepted version, 0: none */
    int latest_ok;          /* the latest is accepted */
    uint64_t index;         /* log index of the accepted version */
    uint64_t received;      /* its received time */
    uint64_t *totals;       /* its totals (width numbers), NULL when none */
    uint32_t records;       /* plenary records logged */
} recap_state_of;

typedef struct recap_book recap_book;

recap_book *recap_book_new(const election *el);
void recap_book_free(recap_book *b);
/* The unit's state (all zero when nothing is logged for it). */
const recap_state_of *recap_book_get(const recap_book *b, const recap_unit *u);
/* Number of units with anything logged. */
size_t recap_book_size(const recap_book *b);
/* Entries recorded so far: it moves with every recap and record. */
uint64_t recap_book_changes(const recap_book *b);
/* Call fn for every unit with anything logged, in no particular order. */
void recap_book_each(const recap_book *b,
                     void (*fn)(void *ctx, const recap_unit *u, const recap_state_of *s),
                     void *ctx);

/* Where the counted TPS forms come from: the version counted at TPS
 * index tps for kind k (0: none), and the entries themselves through prev
 * (what the log holds). A replay passes recap_counted_array over the
 * counted[] it keeps for count_form. */
typedef struct recap_src {
    uint32_t (*counted)(void *ctx, uint32_t tps, contest_kind k);
    void *counted_ctx;
    count_prev_fn prev;
    void *prev_ctx;
} recap_src;
/* counted for a uint16_t counted[tps * CONTEST_KINDS + kind] array (ctx). */
uint32_t recap_counted_array(void *ctx, uint32_t tps, contest_kind k);

/* What each child of a unit says now. */
typedef enum recap_child_status {
    RECAP_CHILD_NONE = 0,   /* nothing counted / signed there */
    RECAP_CHILD_COUNTED = 1,/* a TPS with a counted form */
    RECAP_CHILD_SIGNED = 2, /* a region whose latest recap is accepted */
    RECAP_CHILD_REJECTED = 3,/* a region whose latest recap is rejected (version: the accepted one, if any) */
} recap_child_status;

typedef struct recap_child {
    uint32_t node;          /* region node index (a TPS's too) */
    uint8_t status;
    uint32_t version;       /* the counted / accepted version; 0: none */
    uint64_t *numbers;      /* width numbers, NULL when version is 0 */
} recap_child;

/* The children of u and what each says now (*out, *n; recap_children_free).
 * Errors: the source's (a TPS's counted entry could not be read). */
int recap_children_now(const election *el, const recap_book *b, const recap_src *src,
                       const recap_unit *u, recap_child **out, uint32_t *n, err_info *e);
void recap_children_free(recap_child *c, uint32_t n);

/* The verdict on recap r of unit u (its shape already checked: rows match
 * ch one to one) against what the children say now: the HARD recap rules
 * into *rep (initialised here). r counts when rep->nhard == 0. */
void recap_check(const recap *r, const recap_unit *u, const recap_child *ch, uint32_t n,
                 rule_report *rep);
/* The value row i of r stands for in the sums: the child's numbers
 * (adopt), none (mark: NULL), or the row's own (correct). */
const uint64_t *recap_row_value(const recap *r, uint32_t i, const recap_child *ch);

/* Record in the book a logged recap or record of unit u at index `index`
 * (its verdict decided: en->accepted). The caller has checked it follows
 * (recap_book_follows). */
void recap_book_record(recap_book *b, const recap_unit *u, const recap_entry *en,
                       uint64_t index);
/* 0 when en is the next of its unit: recap version latest + 1 (reason
 * only on corrections is the parser's), record number records + 1 with
 * its recap version at most the latest logged. Else ERR_INVALID
 * (RECAP_VERSION_GAP, RECORD_NUMBER_GAP, RECORD_RECAP_UNKNOWN) or
 * ERR_EXISTS (RECAP_VERSION_LOGGED: that version or number is logged). */
int recap_book_follows(const recap_book *b, const recap_unit *u, const recap_entry *en,
                       err_info *e);

/* Replay one logged recap or record entry (signature already verified by
 * the caller, who also checked the key is enrolled for the region):
 * its shape, that it follows, and its verdict recomputed against the book
 * and the counted forms must equal its status line; then it is recorded.
 * Errors: the shape's, follows', RECAP_VERDICT (the status line is not
 * the recomputed verdict), the source's. */
int recap_book_replay(recap_book *b, const election *el, const recap_src *src,
                      const recap_entry *en, uint64_t index, err_info *e);

/* The official figures where they are signed: for every district of
 * contest k whose recap at the contest's highest level is accepted (and
 * stands: its latest version), its votes replace the TPS sum in t
 * (determine_contest then reads them); from_recap[d] (el->ndistrict[k]
 * bytes) says which. PPWP is taken as a whole: the national and every
 * province's recap signed (the 20% rule reads the provinces), or nothing.
 * DPD also takes the signed kab/kota rows its tie-break reads. Returns the
 * districts taken; t is the caller's (a copy: tally_clone_kind). */
uint32_t recap_book_overlay(const recap_book *b, const election *el, contest_kind k, tally *t,
                            uint8_t *from_recap);

struct determine_result;
struct determine_json_meta;
/* Determine contest k (determine_contest) from the TPS tally t overlaid
 * with the signed recaps of b (recap_book_overlay, on a copy of t): the
 * result into *out (determine_result_free), what it rests on into *m
 * (source "recap" when every district is from its signed recap, "mixed"
 * when some, "tps" when none; m->from_recap per district), the per-district
 * flags into *from_recap (caller frees, after m is used). determine's
 * errors. */
int recap_determine(const recap_book *b, const election *el, const tally *t, contest_kind k,
                    struct determine_result **out, struct determine_json_meta *m,
                    uint8_t **from_recap, err_info *e);

#endif
