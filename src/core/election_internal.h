/* election_internal — what the parts of the election module share; not an
 * interface for the rest of the project (election.h is).
 *
 *   election.c        contest kinds, the election object, lookups, and
 *                     the error codes with the return value each maps to
 *   election_scan.c   the structural scanner: walks the big containers of
 *                     a document without building its tree
 *   election_read.c   election_parse: the rekap-election/1 reader
 *   election_link.c   election_link: every rule of a definition, and each
 *                     TPS's district per contest kind
 *   election_write.c  election_write: the canonical document
 *
 * The error codes are documented in docs/FORMATS.md ("Errors"). */
#ifndef REKAP_ELECTION_INTERNAL_H
#define REKAP_ELECTION_INTERNAL_H

#include <stddef.h>

#include <jansson.h>

#include "core/election.h"

#define E_JSON "ELECTION_JSON"
#define E_FORMAT "ELECTION_FORMAT"
#define E_MISSING "ELECTION_FIELD_MISSING"
#define E_TYPE "ELECTION_FIELD_TYPE"
#define E_UNKNOWN "ELECTION_FIELD_UNKNOWN"
#define E_RANGE "ELECTION_FIELD_RANGE"
#define E_LIMIT "ELECTION_LIMIT"
#define E_REGION "ELECTION_REGION_UNKNOWN"
#define E_PARTY_UNKNOWN "ELECTION_PARTY_UNKNOWN"
#define E_PARTY_DUP "ELECTION_PARTY_DUPLICATE"
#define E_PARTY_ORDER "ELECTION_PARTY_ORDER"
#define E_PARTY_LOCAL "ELECTION_PARTY_LOCAL"
#define E_CAND_ORDER "ELECTION_CANDIDATE_ORDER"
#define E_LIST_LONG "ELECTION_LIST_TOO_LONG"
#define E_DIST_DUP "ELECTION_DISTRICT_DUPLICATE"
#define E_DIST_SCOPE "ELECTION_DISTRICT_SCOPE"
#define E_OVERLAP "ELECTION_DISTRICT_OVERLAP"
#define E_DIST_MISSING "ELECTION_DISTRICT_MISSING"
#define E_DPT "ELECTION_DPT_RANGE"
#define E_TREE "ELECTION_TREE"

#define ELECTION_FORMAT_ID "rekap-election/1"
#define ELECTION_WHERE_MAX sizeof(((err_info *)0)->where)

/* Fill e with `code` (one of the above) at `where` and return the ERR_*
 * code election.h promises for it. */
int election_fail(err_info *e, const char *code, const char *where, const char *fmt,
                  ...) __attribute__((format(printf, 4, 5)));

/* TPS the region tree holds now. */
size_t election_tree_tps(const region_tree *t);

/* tps[] for every TPS of the tree as it is now: no voters, no districts. */
void election_tps_reset(election *el);

/* ------------------------------------------------ the structural scanner */

/* A document being scanned; errors go to e. */
typedef struct escan {
    const char *buf;
    size_t len;
    err_info *e;
} escan;

/* Walking the members or elements of one object or array. */
typedef struct escan_iter {
    size_t pos;    /* next byte to read */
    size_t last;   /* the closing bracket */
    size_t key_at; /* where the current member's name starts */
    int first;
} escan_iter;

/* A syntax error (E_JSON) at byte off, reported as "line:column". */
int escan_fail(const escan *r, size_t off, const char *what);

/* The first byte at or after i that is not JSON whitespace. */
size_t escan_ws(const escan *r, size_t i);

/* *end = the end (exclusive) of the value starting at i. */
int escan_skip(const escan *r, size_t i, size_t *end);

/* Parse the value [vs, ve) with jansson (strict: duplicate names refused). */
int escan_load(const escan *r, size_t vs, size_t ve, json_t **out);

/* Start walking the value [vs, ve), which must be an object ('{') or an
 * array ('['): else E_TYPE at `path` ("" for the document), or E_JSON
 * when it is not JSON at all. */
int escan_open(const escan *r, size_t vs, size_t ve, char open, const char *path,
               escan_iter *it);

/* Next element: 1 with its value span (for objects, key != NULL, with its
 * name in key, cut to keycap), 0 at the end, or an error. */
int escan_next(const escan *r, escan_iter *it, char *key, size_t keycap, size_t *vs,
               size_t *ve);

/* The current member of it repeats the name `key`: E_JSON. */
int escan_duplicate(const escan *r, const escan_iter *it, const char *key);

#endif
