/* region — the region tree of Indonesia, from the national root down to the
 * polling station (TPS).
 *
 *   level 0 national  "0"
 *   level 1 province  2 digits        "32"         (99 = overseas, Luar Negeri)
 *   level 2 kab/kota  4 digits        "3273"
 *   level 3 kecamatan 6 digits        "327301"
 *   level 4 desa/kel. 10 digits       "3273011001"
 *   level 5 TPS       13 digits       "3273011001001" (desa code + 3-digit number)
 *
 * Codes are the Kemendagri codes without dots. Nodes live in one array
 * sorted by (level, code), so every node's children are contiguous and each
 * level is a contiguous range: lookup by code is a binary search inside the
 * level its length names. The tree owns all its nodes and names.
 *
 * Overseas regions are not in Kemendagri's list; the project ships its own
 * table of them (data/luarnegeri.csv) in the same CSV form.
 *
 * Building: region_tree_new, then region_add_csv (wilayah-style CSV, any
 * number of times), then region_tree_finish (sorts, links, checks every
 * node has its parent). TPS are added after finish with region_add_tps
 * (in any order) followed by region_tree_finish again; adding TPS never
 * moves a node above the TPS level, so indices of provinces ... desa stay
 * valid. Lookups see the nodes of the last successful finish only.
 *
 * Error codes (e->code): REGION_HEADER, REGION_FIELDS, REGION_CODE,
 * REGION_NAME, REGION_TOO_MANY, REGION_DUPLICATE, REGION_ORPHAN,
 * REGION_UNFINISHED, REGION_NOT_DESA, REGION_TPS_NUMBER, REGION_POP_UNKNOWN,
 * REGION_POP_DUPLICATE, REGION_POP_NUMBER, REGION_POP_TOTAL (docs/DATA.md). */
#ifndef REKAP_REGION_H
#define REKAP_REGION_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

enum {
    REGION_NATIONAL = 0,
    REGION_PROVINCE = 1,
    REGION_KABKOTA = 2,
    REGION_KECAMATAN = 3,
    REGION_DESA = 4,
    REGION_TPS = 5,
    REGION_LEVELS = 6,
};

#define REGION_NONE UINT32_MAX
#define REGION_CODE_MAX 14 /* 13 digits + NUL */
#define REGION_NAME_MAX 128
#define REGION_OVERSEAS "99"
#define REGION_NODES_MAX 4000000u /* nodes in one tree, TPS included */

typedef struct region {
    char code[REGION_CODE_MAX]; /* digits only, "0" for the nation */
    uint8_t level;
    uint32_t parent;            /* index, REGION_NONE for the root */
    uint32_t child;             /* first child's index, REGION_NONE if none */
    uint32_t nchild;
    const char *name;           /* owned by the tree; "TPS 001" for a TPS */
    uint32_t pop_male;          /* population where known (national, province,  */
    uint32_t pop_female;        /* kab/kota from penduduk.csv), else 0           */
} region;

/* An overseas region (province "99" and everything under it). */
static inline int region_overseas(const region *r)
{
    return r->level >= REGION_PROVINCE && r->code[0] == '9' && r->code[1] == '9';
}

struct region_names; /* private: a block of the name arena */

typedef struct region_tree {
    region *node;
    size_t n, cap;
    size_t level_start[REGION_LEVELS + 1]; /* level L is [start[L], start[L+1]) */
    /* private */
    struct region_names *names;  /* name arena: blocks that never move, so  */
                                 /* node names stay valid while it grows    */
    char (*tps_names)[8];        /* "TPS 001".."TPS 999", shared by all TPS  */
    int finished;                /* levels are sorted and linked; nodes in    */
                                 /* [level_start[REGION_LEVELS], n) are TPS   */
                                 /* added since, waiting for the next finish  */
} region_tree;

/* Level of a code by its digit count (1 -> national "0"), -1 if no level has
 * that length or it holds a non-digit. */
int region_code_level(const char *code);

/* Normalise a dotted or plain code into out (digits only). Returns 0, or
 * ERR_INVALID when it is not a well-formed code of any level. */
int region_code_normalise(const char *in, char out[REGION_CODE_MAX]);

region_tree *region_tree_new(void); /* holds the national root already */
void region_tree_free(region_tree *t);

/* Parse a wilayah-style CSV ("kode,nama" header, dotted or plain codes of
 * levels 1..4, RFC 4180 quoting) from a buffer. `source` names it in errors.
 * Bounded: at most 2 million rows, names 1..REGION_NAME_MAX-1 bytes, at most
 * REGION_NODES_MAX nodes. On error nothing from this buffer is kept. The
 * tree needs region_tree_finish afterwards. */
int region_add_csv(region_tree *t, const char *buf, size_t len,
                   const char *source, err_info *e);

/* Parse penduduk.csv ("kode,nama,pria,wanita,total" header, codes of
 * levels 0..4 dotted or plain) and set populations of the nodes it names
 * (after region_tree_finish). Unknown codes (ERR_NOTFOUND), a code given
 * twice, numbers that are not whole numbers fitting 32 bits and
 * pria+wanita != total are errors; on error no population is changed.
 * The `nama` column is not compared with the tree's names. */
int region_set_population_csv(region_tree *t, const char *buf, size_t len,
                              const char *source, err_info *e);

/* Add TPS number `no` (1..999) under desa index `desa`, named "TPS 001".
 * The tree must be finished (REGION_UNFINISHED otherwise). The TPS is
 * visible to lookups after the next region_tree_finish; a TPS added twice is
 * reported there (REGION_DUPLICATE). */
int region_add_tps(region_tree *t, uint32_t desa, unsigned no, err_info *e);

/* Sort, link parents and children, and check the tree. Returns
 * ERR_INVALID (code REGION_ORPHAN / REGION_DUPLICATE) when a node has no
 * parent or a code appears twice. When only TPS were added since the last
 * finish, this is linear in the number of TPS, and a failure drops exactly
 * those TPS and leaves the tree as it was. After CSV rows a failure leaves
 * the tree unfinished: only region_tree_free is then useful. */
int region_tree_finish(region_tree *t, err_info *e);

/* Index of the node with this code (dotted or plain), or REGION_NONE. */
uint32_t region_find(const region_tree *t, const char *code);

/* Case-insensitive (ASCII) name search: fills out[] with up to max indices
 * of nodes whose name contains `needle` (at `level`, or any level when
 * level < 0), in index order (level, then code); returns the total number
 * of matches. */
size_t region_find_name(const region_tree *t, const char *needle, int level,
                        uint32_t *out, size_t max);

/* Index of the ancestor of `idx` at `level` (idx itself when already at that
 * level), REGION_NONE when level is deeper than idx's. */
uint32_t region_ancestor(const region_tree *t, uint32_t idx, int level);

/* Is `anc` equal to `idx` or one of its ancestors? */
int region_is_within(const region_tree *t, uint32_t idx, uint32_t anc);

extern const char *const region_level_name[REGION_LEVELS]; /* "nasional", "provinsi", ... */

#endif
