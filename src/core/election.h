/* election — the definition of one election: parties, the five contests
 * with their electoral districts (dapil) and candidates, and every TPS with
 * its registered voters (DPT). The JSON form is documented in
 * docs/FORMATS.md ("rekap-election/1"); this module reads, checks and
 * writes it (election_internal.h lists its files).
 *
 * An election holds a region tree (owned) whose TPS level is exactly the
 * TPS list of the definition. Each TPS belongs to at most one district of
 * each contest kind (exactly one where that ballot is cast there; overseas
 * TPS only vote PPWP and DPR). */
#ifndef REKAP_ELECTION_H
#define REKAP_ELECTION_H

#include <stdint.h>
#include <stdio.h>

#include "core/err.h"
#include "core/region.h"

typedef enum contest_kind {
    CONTEST_PPWP = 0,      /* president and vice president: one national contest, pairs */
    CONTEST_DPR = 1,       /* national parliament: party lists per dapil */
    CONTEST_DPD = 2,       /* regional representatives: individuals, one district per province */
    CONTEST_DPRD_PROV = 3, /* provincial parliament: party lists per dapil */
    CONTEST_DPRD_KAB = 4,  /* kabupaten/kota parliament: party lists per dapil */
    CONTEST_KINDS = 5,
} contest_kind;

/* "ppwp", "dpr", "dpd", "dprd_prov", "dprd_kab" */
extern const char *const contest_kind_id[CONTEST_KINDS];
/* Legislative contests carry party lists; PPWP and DPD carry individuals. */
int contest_is_party_list(contest_kind k);
/* Kind for an id string, or -1. */
int contest_kind_parse(const char *id);

#define ELECTION_PARTY_MAX 99      /* ballot numbers 1..99 */
#define ELECTION_CANDIDATES_MAX 99 /* per list or per individual ballot */
#define ELECTION_SEATS_MAX 120     /* seats of one district */
#define ELECTION_DISTRICTS_MAX 10000 /* districts of one contest kind */
#define ELECTION_TPS_PER_DESA_MAX 999 /* TPS numbers are three digits */
#define ELECTION_DPT_MAX 999       /* a form's boxes hold three digits */
#define ELECTION_TEXT_MAX 200      /* bytes of any name, abbreviation or id */
#define ELECTION_DOC_MAX ((size_t)256 << 20) /* bytes of one document */

typedef struct election_candidate {
    uint16_t no;   /* ballot number, 1.. in order */
    char sex;      /* 'L' or 'P' ('\0' for PPWP pairs) */
    char *name;
} election_candidate;

typedef struct election_party {
    uint16_t no;       /* ballot number */
    char *abbrev;      /* "PKB" */
    char *name;        /* "Partai Kebangkitan Bangsa" */
    char *only_in;     /* province code for local parties ("11" for Aceh), else NULL */
} election_party;

typedef struct election_list {   /* one party's list in one district */
    uint16_t party;              /* party ballot number */
    uint16_t ncand;
    election_candidate *cand;
} election_list;

typedef struct election_district {
    char *id;                    /* unique within its kind, e.g. "dpr-32-01" */
    char *name;                  /* "JAWA BARAT I" */
    contest_kind kind;
    uint16_t seats;
    uint32_t nregion;
    uint32_t *region;            /* region indices (any level) making up the district */
    /* PPWP and DPD: individual candidates (pairs for PPWP) */
    uint16_t ncand;
    election_candidate *cand;
    /* DPR and DPRD: party lists in ballot order */
    uint16_t nlist;
    election_list *list;
} election_district;

typedef struct election_rules {
    uint32_t reserve_permille;   /* ballot reserve over DPT, 20 = 2% */
    uint8_t reserve_dptb;        /* add DPTb to the received-ballots cap */
    uint8_t reserve_dpk;         /* add DPK to the received-ballots cap */
    uint16_t tps_max_dpt;        /* at most this many voters per TPS (300) */
} election_rules;

typedef struct election_tps {   /* index i is region node level_start[TPS] + i */
    uint16_t dpt_male;
    uint16_t dpt_female;
    uint32_t district[CONTEST_KINDS]; /* index into election.district[kind], ELECTION_NONE if not cast here */
} election_tps;

#define ELECTION_NONE UINT32_MAX

typedef struct election {
    char *name;
    uint64_t seed;               /* generator seed, 0 when hand-written */
    election_rules rules;
    uint16_t nparty;
    election_party *party;       /* sorted by ballot number */
    uint32_t ndistrict[CONTEST_KINDS];
    election_district *district[CONTEST_KINDS];
    region_tree *tree;           /* owned; TPS level = tps[] */
    size_t ntps;
    election_tps *tps;
} election;

/* A new empty election over `tree` (ownership passes to the election).
 * tps[] is sized from the tree's TPS level as it is now (DPT zero, no
 * districts), rules hold the law's defaults (20 permille, DPTb and DPK
 * reserve on, 300 voters per TPS); the caller sets the name, fills
 * parties, districts and DPT (strings allocated with mem.h: the election
 * frees them), then calls election_link. */
election *election_new(region_tree *tree);
void election_free(election *el);

/* Parse a rekap-election/1 document. The tree must hold every region the
 * document names (no TPS yet: the document's TPS list is added to it).
 * Bounded: document size, counts of parties, districts, candidates and TPS.
 * On error returns ERR_INVALID/ERR_LIMIT/ERR_NOTFOUND with e filled (code,
 * JSON path in e->where) and frees the tree. */
int election_parse(const char *json, size_t len, region_tree *tree,
                   election **out, err_info *e);

/* Write the rekap-election/1 document (deterministic byte for byte).
 * ERR_INVALID when the TPS of a desa are not numbered 1..n (the format
 * cannot say otherwise), ERR_IO when the stream fails. */
int election_write(const election *el, FILE *f);

/* Check every rule of the definition that is not about JSON syntax (rules
 * ranges, party numbers, seats, candidate numbering, list lengths, local
 * parties, district ids and scope, DPT per TPS) and fill tps[].district from
 * the districts' region lists: errors when a TPS lies in two districts of
 * one kind or a cast ballot has no district. Errors carry the JSON path of
 * the offending item as election_write would place it. Called by
 * election_parse and by the generator. O(tree nodes + definition size). */
int election_link(election *el, err_info *e);

/* TPS index (0-based, into tps[]) of a 13-digit code, or ELECTION_NONE. */
uint32_t election_tps_find(const election *el, const char *code);
/* The region node of TPS index i. */
const region *election_tps_region(const election *el, uint32_t i);
/* District of TPS i for kind k, or NULL where that ballot is not cast there. */
const election_district *election_tps_district(const election *el, uint32_t i,
                                               contest_kind k);
const election_party *election_party_find(const election *el, unsigned no);
/* The one district whose ballot every TPS of region `reg` (any level)
 * shares for kind k (PPWP: the national one; DPD: the province's), or NULL
 * when the region spans several or none (then only party or total figures
 * make sense for it). O(districts x regions of a district x depth). */
const election_district *election_region_district(const election *el, contest_kind k,
                                                   uint32_t reg);

#endif
