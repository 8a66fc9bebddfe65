/* count — the counting rule; see count.h. */
#include "core/count.h"

#include <assert.h>
#include <stdlib.h>

#include "core/mem.h"

/* Take the counted version `old` of (tps, f's contest) out of the tally
 * before its correction goes in, with the soft flag it went in with (the
 * tally keeps it per TPS). */
static int count_take_out(tally *t, count_prev_fn prev, void *prev_ctx, uint32_t tps,
                          const form *f, uint32_t old, err_info *e)
{
    entry *was = mem_alloc(sizeof *was);
    int rc = prev(prev_ctx, f->tps, f->kind, old, was, e);
    if (rc == 0 && tally_apply(t, &was->sub.form, tps, -1) < 0)
        rc = err_set(e, ERR_INVALID, "INGEST_TALLY", f->tps, "counted form does not fit");
    if (rc == 0 && t->tps_flagged[f->kind][tps])
        tally_flag(t, f->kind, tps, -1);
    free(was);
    return rc;
}

int count_form(tally *t, count_prev_fn prev, void *prev_ctx, uint16_t *counted, uint32_t tps, contest_kind k, uint32_t version, const form *f,
               int flagged, err_info *e)
{
    assert(f->kind == k && version > 0 && version <= ENTRY_VERSION_MAX);
    size_t slot = (size_t)tps * CONTEST_KINDS + k;
    uint16_t old = counted[slot];
    assert(old < version); /* versions only grow: the callers check the chain */
    if (old) {
        int rc = count_take_out(t, prev, prev_ctx, tps, f, old, e);
        if (rc < 0)
            return rc;
    }
    if (tally_apply(t, f, tps, +1) < 0)
        return err_set(e, ERR_INVALID, "INGEST_TALLY", f->tps, "form does not fit its ballot");
    if (flagged)
        tally_flag(t, k, tps, +1);
    counted[slot] = (uint16_t)version;
    return 0;
}
