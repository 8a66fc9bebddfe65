/* recap_determine — owns which votes the determination of results reads:
 * a district's signed recap at its contest's highest level where it is
 * accepted and stands, else (provisionally) the counted TPS forms
 * (docs/RECAP.md, "Determination from the recaps"). The counting and
 * seat rules stay determine.c's. */
#include "core/recap.h"

#include <stdlib.h>

#include "core/determine.h"
#include "core/mem.h"

int recap_determine(const recap_book *b, const election *el, const tally *t, contest_kind k,
                    determine_result **out, determine_json_meta *m, uint8_t **from_recap,
                    err_info *e)
{
    uint32_t n = el->ndistrict[k];
    tally *c = tally_clone_kind(t, k);
    uint8_t *fr = mem_calloc(n + 1, 1);
    uint32_t taken = recap_book_overlay(b, el, k, c, fr);
    int rc = determine_contest(el, c, k, out, e);
    tally_free(c);
    determine_json_meta_tps(el, t, k, m);
    m->from_recap = fr;
    if (taken && taken == n) {
        m->source = "recap";
        m->complete = 1;
    } else if (taken) {
        m->source = "mixed";
        m->complete = 0;
    }
    *from_recap = fr;
    return rc;
}
