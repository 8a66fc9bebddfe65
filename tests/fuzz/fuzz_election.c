/* fuzz_election — election_parse (rekap-election/1, src/core/election_read.c
 * and election_scan.c, then election_link) on any bytes, over a small
 * region tree: two kabupaten of Aceh and two overseas PPLN (the tree of
 * the election unit tests, tests/unit/election_small_tree.h), built afresh
 * for each input since the parser takes the tree over.
 *
 * Contract (src/core/election.h):
 *   - on error the result is NULL, the return value one of ERR_INVALID,
 *     ERR_LIMIT, ERR_NOTFOUND, e->code set and e->where, e->msg
 *     NUL-terminated;
 *   - on success every TPS votes PPWP and DPR, has 1..tps_max_dpt voters,
 *     and each of its districts is a district of that kind whose regions
 *     hold the TPS;
 *   - election_write succeeds and what it writes parses again, to a
 *     definition that writes the same bytes (the writer is canonical). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/election.h"
#include "core/region.h"
#include "../unit/election_small_tree.h"
#include "fuzz_common.h"

static region_tree *small_tree(void)
{
    err_info e = {0};
    region_tree *t = region_tree_new();
    FUZZ_CHECK(region_add_csv(t, election_small_regions_csv,
                              sizeof election_small_regions_csv - 1, "fuzz.csv", &e) == 0);
    FUZZ_CHECK(region_tree_finish(t, &e) == 0);
    return t;
}

static int nul_in(const char *s, size_t cap)
{
    return memchr(s, '\0', cap) != NULL;
}

/* Is TPS i within one of district d's regions? */
static int district_holds(const election *el, const election_district *d, uint32_t i)
{
    uint32_t node = (uint32_t)el->tree->level_start[REGION_TPS] + i;
    for (uint32_t j = 0; j < d->nregion; j++)
        if (region_is_within(el->tree, node, d->region[j]))
            return 1;
    return 0;
}

static void check_tps(const election *el)
{
    const region_tree *t = el->tree;
    FUZZ_CHECK(el->ntps == t->level_start[REGION_TPS + 1] - t->level_start[REGION_TPS]);
    for (uint32_t i = 0; i < el->ntps; i++) {
        unsigned dpt = (unsigned)el->tps[i].dpt_male + el->tps[i].dpt_female;
        FUZZ_CHECK(dpt >= 1 && dpt <= el->rules.tps_max_dpt);
        FUZZ_CHECK(el->tps[i].district[CONTEST_PPWP] != ELECTION_NONE);
        FUZZ_CHECK(el->tps[i].district[CONTEST_DPR] != ELECTION_NONE);
        for (int k = 0; k < CONTEST_KINDS; k++) {
            uint32_t d = el->tps[i].district[k];
            if (d == ELECTION_NONE)
                continue;
            FUZZ_CHECK(d < el->ndistrict[k]);
            FUZZ_CHECK(district_holds(el, &el->district[k][d], i));
        }
    }
}

/* The canonical document of el, malloc'd, in *len bytes. */
static char *write_doc(const election *el, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);
    FUZZ_CHECK(f != NULL);
    FUZZ_CHECK(election_write(el, f) == 0);
    FUZZ_CHECK(fclose(f) == 0);
    return buf;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static election sentinel;
    election *el = &sentinel; /* not NULL: the parser must clear it */
    err_info e = {0};
    int rc = election_parse((const char *)data, size, small_tree(), &el, &e);
    if (rc != 0) {
        FUZZ_CHECK(rc == ERR_INVALID || rc == ERR_LIMIT || rc == ERR_NOTFOUND);
        FUZZ_CHECK(el == NULL && e.code != NULL);
        FUZZ_CHECK(nul_in(e.where, sizeof e.where) && nul_in(e.msg, sizeof e.msg));
        return 0;
    }
    FUZZ_CHECK(el != NULL && e.code == NULL);
    check_tps(el);

    size_t n1, n2;
    char *w1 = write_doc(el, &n1);
    election *again = NULL;
    err_info e2 = {0};
    if (election_parse(w1, n1, small_tree(), &again, &e2) != 0) {
        fprintf(stderr, "written document refused: %s at %s: %s\n", e2.code, e2.where, e2.msg);
        FUZZ_CHECK(!"election_write's document parses");
    }
    char *w2 = write_doc(again, &n2);
    FUZZ_CHECK(n1 == n2 && memcmp(w1, w2, n1) == 0);
    FUZZ_CHECK(again->ntps == el->ntps && again->nparty == el->nparty);
    for (size_t i = 0; i < el->ntps; i++)
        FUZZ_CHECK(memcmp(&again->tps[i], &el->tps[i], sizeof el->tps[i]) == 0);
    free(w1);
    free(w2);
    election_free(again);
    election_free(el);
    return 0;
}
