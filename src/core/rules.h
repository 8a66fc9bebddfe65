/* rules — every rule a C.Hasil is checked against, in one place.
 *
 * Each rule has a stable code (never reused or renamed), a severity and a
 * message in Bahasa Indonesia and English that a KPPS officer understands.
 * HARD rules are breaks of the form's own arithmetic or of the law: a form
 * that breaks one is never added to published totals. SOFT rules raise a
 * flag for review but the form still counts. The table in rules.c is the
 * single source; docs/RULES.md lists it for people. */
#ifndef REKAP_RULES_H
#define REKAP_RULES_H

#include <stddef.h>

#include "core/election.h"
#include "core/form.h"

typedef enum rule_severity { RULE_HARD = 0, RULE_SOFT = 1 } rule_severity;

typedef enum rule_id {
    /* hard: arithmetic of the form */
    RULE_LPT_SUM,          /* male + female = total on every row */
    RULE_B4_SUM,           /* B4 = B1 + B2 + B3 (each column) */
    RULE_B1_DPT,           /* B1 <= DPT */
    RULE_B2_DPTB,          /* B2 <= DPTb */
    RULE_B3_DPK,           /* B3 <= DPK */
    RULE_B4_CAP,           /* B4 <= DPT + DPTb + DPK */
    RULE_DISABLED_CAP,     /* disabled voters <= B4 (each column) */
    RULE_BALLOT_SUM,       /* received = used + damaged + unused */
    RULE_RECEIVED_CAP,     /* received <= ceil(DPT * (1 + reserve)) [+ DPTb] [+ DPK] */
    RULE_USED_B4,          /* ballots used = B4 */
    RULE_TOTAL_SUM,        /* V.C = V.A + V.B */
    RULE_TOTAL_B4,         /* V.C = B4 */
    RULE_VOTES_SUM,        /* sum of selections (party totals) = V.A */
    RULE_PARTY_SUM,        /* party total = party-only + its candidates */
    /* hard: against the election definition */
    RULE_TPS_UNKNOWN,      /* no such TPS in the election */
    RULE_CONTEST_NOT_HERE, /* that ballot is not cast at this TPS */
    RULE_BALLOT_SHAPE,     /* parties / candidates differ from the TPS's ballot */
    RULE_DPT_MISMATCH,     /* DPT on the form != DPT registered for the TPS */
    /* soft: signals for review */
    RULE_TURNOUT_OVER,     /* B4 > DPT (over 100% of the register) */
    RULE_ONE_TAKES_ALL,    /* one selection holds every valid vote */
    RULE_INVALID_HIGH,     /* invalid votes over 10% of V.C */
    RULE_NEIGHBOUR_OUTLIER,/* turnout far from the other TPS of its desa */
    /* hard: a signed recap (D.Hasil, recap.h); never a C.Hasil's */
    RULE_RECAP_CHILD_UNSIGNED, /* an adopted child has nothing counted / signed */
    RULE_RECAP_CHILD_STALE,    /* an adopted version is not the child's current one */
    RULE_RECAP_SUM,            /* the totals are not the sum of the rows */
    RULE_RECAP_LPT_SUM,        /* male + female = total on every voters row */
    RULE_RECAP_B4_SUM,         /* B4 = B1 + B2 + B3 */
    RULE_RECAP_BALLOT_SUM,     /* received = used + damaged + unused */
    RULE_RECAP_USED_B4,        /* ballots used = B4 = V.C */
    RULE_RECAP_TOTAL_SUM,      /* V.C = V.A + V.B */
    RULE_RECAP_VOTES_SUM,      /* the selections add up to V.A */
    RULE_COUNT,
} rule_id;

typedef struct rule_def {
    rule_id id;
    const char *code;       /* stable machine code, e.g. "B4_SUM" */
    rule_severity severity;
    const char *msg_id;     /* Bahasa Indonesia, plain text (no format) */
    const char *msg_en;     /* English, plain text */
} rule_def;

/* The definition of rule id, or NULL when id is outside the table. */
const rule_def *rules_def(rule_id id);
/* The rule with this code (exact, case-sensitive), or NULL. */
const rule_def *rules_find(const char *code);
/* 1 for the rules of a signed recap (RULE_RECAP_*), 0 for a C.Hasil's:
 * a log entry's rejection codes come from its own family only. */
int rules_is_recap(rule_id id);

#define RULES_DETAIL_MAX 96

typedef struct rule_hit {
    rule_id id;
    char detail[RULES_DETAIL_MAX]; /* which row/field and the numbers: "b4.total: 120 != 118" */
} rule_hit;

#define RULES_HITS_MAX 64

typedef struct rule_report {
    unsigned nhit;
    unsigned nhard, nsoft;
    unsigned truncated;            /* hits beyond RULES_HITS_MAX, counted not kept */
    rule_hit hit[RULES_HITS_MAX];
} rule_report;

/* Every rule of one form, into *r (initialised here): the form's own
 * arithmetic and soft signals, then, with an election, the form against it
 * (with its ballot-reserve configuration). el NULL: the form alone, with
 * the default reserve (`rekap check` without --election). The one entry
 * point for a form's verdict: it counts when r->nhard == 0, and is then
 * flagged for review when rules_flagged(r). Allocates nothing. */
void rules_check(const form *f, const election *el, rule_report *r);

/* The soft flag of a form with report r: it has SOFT hits. Only a counted
 * form (no HARD hit) carries it into the totals. Every rule against the
 * election is HARD (asserted in rules.c), so the flag is the same from
 * rules_check_form alone as from rules_check: count takes a corrected
 * form's flag out that way (it holds the reserve configuration only). */
int rules_flagged(const rule_report *r);

/* The two halves of rules_check, each appending to *r (call
 * rules_report_init first). rules_check_form: the form's own arithmetic and
 * the soft signals that need nothing else (TURNOUT_OVER, ONE_TAKES_ALL,
 * INVALID_HIGH); `rules` gives the ballot-reserve configuration (NULL: 2%,
 * DPTb and DPK allowed). */
void rules_check_form(const form *f, const election_rules *rules, rule_report *r);

/* rules_check_election: the form against the election: the TPS exists, the
 * ballot is cast there, the ballot shape (first difference only) and the
 * registered DPT match; HARD hits only. Stops after TPS_UNKNOWN /
 * CONTEST_NOT_HERE. */
void rules_check_election(const form *f, const election *el, rule_report *r);

/* Neighbour signal: flags each TPS whose turnout (B4/DPT) lies more than
 * `spread` (0.30 = 30 points) from the median of its group when the group
 * has at least 3 members. turnout_pct[i] in percent; sets every flagged[i]
 * to 0 or 1. NaN entries (DPT 0) are left out of the group and never
 * flagged. The median of an even group is the mean of the middle two. */
void rules_neighbour_outliers(const double *turnout_pct, size_t n, double spread,
                              unsigned char *flagged);

void rules_report_init(rule_report *r);
/* Append a hit with a printf-style detail. nhard/nsoft count every hit,
 * also those past RULES_HITS_MAX (which only bump `truncated`). */
void rules_report_add(rule_report *r, rule_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* "<message>: <detail>" of hit h in the chosen language ("en"; anything
 * else, "id" included, gives Bahasa Indonesia), into buf. */
void rules_hit_message(const rule_hit *h, const char *lang, char *buf, size_t cap);

/* The distinct codes of the report's hits of one severity, in hit order,
 * comma-separated ("B4_SUM,VOTES_SUM"; "" when none): what a log entry
 * records as the reasons for a rejection. */
void rules_report_codes(const rule_report *r, rule_severity sev, char *buf, size_t cap);

#endif
