/* render_2024 — the commission's 2024 portal layout (Sirekap's public
 * files, sirekap-obj-data.kpu.go.id), so the community's scrapers and
 * auditors of 2024 work unchanged against rekapd: for every contest the
 * region lists (wilayah), the region and TPS results (hhcw), the dapil
 * results (hhcd), the party, pair and candidate lists. docs/API.md ("The
 * 2024 portal layout") lists every path, field and deliberate difference;
 * tests/conformance/ holds the schemas written from the community's code
 * and real 2024 files they are proven against.
 *
 * The field names, their order, the number formats are the 2024 portal's:
 * a field is changed here only to follow it. Pure like render.h: the
 * caller passes what it read (the tally under the ingest's read lock,
 * entries from the store) and the time stamp.
 *
 * Files: render_2024_ids.c (the context: ids, dapil codes, which parties
 * run), render_2024.c (hhcw: region, desa and TPS files), render_2024_dapil.c
 * (hhcd), render_2024_lists.c (wilayah, dapil lists, pairs, parties,
 * candidates). */
#ifndef REKAP_RENDER_2024_H
#define REKAP_RENDER_2024_H

#include <stddef.h>
#include <stdint.h>

#include "http/render.h"

/* The 2024 names of the contests in paths: "ppwp", "pdpr", "pdpd",
 * "pdprdp", "pdprdk" (by contest_kind). */
extern const char *const render24_contest[CONTEST_KINDS];
/* The kind of s[0..n) as a 2024 name, or -1. */
int render24_contest_parse(const char *s, size_t n);

#define RENDER24_KODE_MAX 8    /* "PP00NN" + NUL */
#define RENDER24_PAIR_BASE 100024u  /* pair n is 100024 + n: 100025.. as in 2024 */
#define RENDER24_PARTY_BASE 100000u /* id_partai of party n: 100001.. as in 2024 */
#define RENDER24_CAND_BASE 200001u  /* the first DPR, DPD or DPRD candidate */

/* What the 2024 layout needs beyond the election, computed once:
 *   - candidate ids: every DPR, DPD, DPRD provinsi and DPRD kab/kota
 *     candidate numbered from RENDER24_CAND_BASE in the order of the
 *     definition (kinds in that order, districts, lists, ballot numbers);
 *   - dapil codes as 2024 wrote them: DPR "PPNN" (province, then the
 *     district's number among the province's DPR districts in definition
 *     order, from 01), DPRD provinsi "PP00NN", DPRD kab/kota "KKKKNN", DPD
 *     the province's code (a home with more than 99 districts of a kind
 *     would repeat codes: no real one has); and their 2024 ids (DPR from
 *     5001 as "ACEH I" was, DPD from 15001, DPRD provinsi from 25001, DPRD
 *     kab/kota from 35001);
 *   - the home of each district (its province, or kab/kota for DPRD
 *     kab/kota: overseas-only districts live in "99");
 *   - which parties have a list in some district of each kind.
 * All stable while the election definition is unchanged: they depend on
 * nothing else (docs/API.md, "Ids"). */
typedef struct render24 {
    const election *el;
    const uint8_t *mask;             /* render_contest_mask */
    char *base_url;                  /* photos: <base_url>/photos/<sha256> */
    uint32_t *cand0[CONTEST_KINDS];  /* [ndistrict]: id of its first candidate */
    char (*kode[CONTEST_KINDS])[RENDER24_KODE_MAX]; /* [ndistrict] */
    uint32_t *home[CONTEST_KINDS];   /* [ndistrict]: province or kab/kota node */
    uint32_t *by_kode[CONTEST_KINDS]; /* district indices sorted by kode */
    uint8_t runs[CONTEST_KINDS][ELECTION_PARTY_MAX + 1]; /* party no has a list */
} render24;

/* base_url: scheme and host, no trailing slash (the caller checks it). */
render24 *render24_new(const election *el, const uint8_t *mask, const char *base_url);
void render24_free(render24 *x);

/* The district of kind k with 2024 code `kode`, or ELECTION_NONE. */
uint32_t render24_dapil_find(const render24 *x, contest_kind k, const char *kode);
/* The 2024 id of district d of kind k (dapil lists' id / id_dapil). */
uint32_t render24_dapil_id(contest_kind k, uint32_t d);
/* A region's 2024 id: its node index in the election's tree (below 2^31:
 * REGION_NODES_MAX), stable while the definition is unchanged. */
static inline uint32_t render24_region_id(uint32_t node)
{
    return node;
}

/* ------------------------------------------------------------- hhcw */

/* /pemilu/hhcw/<c>.json and /pemilu/hhcw/<c>/<p>[/<k>[/<kc>]].json: the
 * totals of region reg (above desa) and one row per child where the
 * ballot is cast, from the tally (read lock held). */
void render24_region(rbuf *b, const render24 *x, const tally *t, contest_kind k, uint32_t reg,
                     const char *ts);

/* The same for a desa: its TPS as rows, from their counted forms
 * (forms[i] for the desa's i-th TPS, NULL when none is counted). */
void render24_desa(rbuf *b, const render24 *x, contest_kind k, uint32_t desa,
                   const form *const *forms, const char *ts);

/* /pemilu/hhcw/<c>/<p>/<k>/<kc>/<d>/<tps>.json from the counted entry of
 * TPS index tps (NULL: nothing counted yet; ts is then the time stamp,
 * else the entry's received time). */
void render24_tps(rbuf *b, const render24 *x, contest_kind k, uint32_t tps, const entry *counted,
                  const char *ts);

/* ------------------------------------------------------------- hhcd */

/* The rev of what district d's documents show (the sum of its regions'
 * rows' revs): a reader re-renders them when it moves. */
uint64_t render24_dapil_rev(const render24 *x, const tally *t, contest_kind k, uint32_t d);

/* The level of the regions holding kind k's districts in the hhcd paths
 * (the containers): the nation for DPR, a province for DPRD provinsi, a
 * kab/kota for DPRD kab/kota; -1 for a kind without party lists. */
int render24_container_level(contest_kind k);

/* One row per district of a container: /pemilu/hhcd/pdpr/0.json (reg 0:
 * every DPR district), /pemilu/hhcd/pdprdp/<p>.json (reg a province: its
 * DPRD provinsi districts), /pemilu/hhcd/pdprdk/<p>/<k>.json (reg a
 * kab/kota). */
void render24_dapils(rbuf *b, const render24 *x, const tally *t, contest_kind k, uint32_t reg,
                     const char *ts);
/* One district: its parties' totals and each candidate's votes. */
void render24_dapil(rbuf *b, const render24 *x, const tally *t, contest_kind k, uint32_t d,
                    const char *ts);

/* ------------------------------------------------------------ lists */

/* /wilayah/pemilu/<c>/<path>.json: the children of reg where contest k
 * is cast, [{"nama","id","kode","tingkat"}] sorted by nama as in 2024. */
void render24_wilayah(rbuf *b, const render24 *x, contest_kind k, uint32_t reg);
/* The dapil lists: /wilayah/pemilu/pdpr/dapil_dpr.json (k DPR, reg 0:
 * [{"nama","id","kode"}]), /wilayah/pemilu/pdprdp/<p>.json (a province)
 * and /wilayah/pemilu/pdprdk/<p>/<k>.json (a kab/kota):
 * [{"id_dapil","kode_dapil","nama_dapil"}]. */
void render24_dapil_list(rbuf *b, const render24 *x, contest_kind k, uint32_t reg);
/* /pemilu/ppwp.json: the pairs by their 2024 ids. */
void render24_pairs(rbuf *b, const render24 *x, const char *ts);
/* /pemilu/partai.json: the parties by ballot number. */
void render24_parties(rbuf *b, const render24 *x, const char *ts);
/* /pemilu/caleg/partai/<kode>.json (a DPR or DPRD district: per party its
 * candidates by id, null for a party without a list there) and
 * /pemilu/caleg/dpd/<p>.json (a DPD district: its candidates by id). */
void render24_caleg(rbuf *b, const render24 *x, contest_kind k, uint32_t d);

#endif
