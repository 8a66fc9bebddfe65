/* edir_recap — the signed recaps and plenary records of an election
 * directory read back from its store: the rows a unit's recap was made of,
 * its history, its records, and the numbers an adopted version stood for
 * (edir.h). One home for "this stored row is that version of that unit",
 * for the read side (checked against the log it replayed) and for readers
 * beside the writer (its store is theirs). */
#include "edir/edir.h"

#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/mem.h"

/* The row (key, k, v), its bytes the log's leaf at its index when tree is
 * given. */
static int stored_row(store *st, const merkle_tree *tree, const char *key, contest_kind k,
                      uint32_t v, store_entry *se, err_info *e)
{
    int rc = store_entry_find(st, key, k, v, se, e);
    if (rc < 0 || !tree)
        return rc;
    uint8_t leaf[MERKLE_HASH_SIZE], want[MERKLE_HASH_SIZE];
    merkle_leaf_hash(se->bytes, se->len, leaf);
    int in_log = se->idx < merkle_tree_size(tree);
    if (in_log && (rc = merkle_tree_get(tree, 0, se->idx, want, e)) < 0)
        return rc; /* the log's tile on disk could not be read */
    if (!in_log || sodium_memcmp(leaf, want, MERKLE_HASH_SIZE) != 0)
        return err_set(e, ERR_INVALID, "INGEST_STORE_NOT_LOGGED", key,
                       "the store's row %llu for %s %s version %u is not the log's entry",
                       (unsigned long long)se->idx, key, contest_kind_id[k], v);
    return 0;
}

int edir_store_recap(store *st, const merkle_tree *tree, const election *el,
                     const recap_unit *u, signed_type t, uint32_t v, recap_entry *out,
                     uint64_t *index, err_info *e)
{
    char key[RECAP_KEY_MAX];
    store_entry se;
    recap_unit at;
    recap_key(el, u, t, key);
    int rc = stored_row(st, tree, key, u->kind, v, &se, e);
    if (rc == 0)
        rc = recap_entry_parse((const char *)se.bytes, se.len, out, e);
    if (rc < 0)
        return rc;
    const record *c = &out->record;
    if (out->type != t || out->accepted != se.accepted ||
        (t == SIGNED_RECAP ? recap_shape(el, &out->recap, &at, NULL)
                           : recap_unit_find(el, c->region, c->kind, c->district, &at, NULL)) < 0 ||
        at.region != u->region || at.district != u->district || at.kind != u->kind ||
        (t == SIGNED_RECAP ? out->recap.version : c->number) != v) {
        recap_entry_free(out);
        return err_set(e, ERR_INVALID, "INGEST_STORE_COLUMNS", key,
                       "the store's row %llu is not %s %u of %s", (unsigned long long)se.idx,
                       t == SIGNED_RECAP ? "version" : "record", v, key);
    }
    if (index)
        *index = se.idx;
    return 0;
}

int edir_adopted_numbers(store *st, const merkle_tree *tree, const election *el,
                         const recap_unit *u, uint32_t child, uint32_t v, uint64_t *out,
                         err_info *e)
{
    int rc;
    if (u->level == REGION_KECAMATAN) { /* a TPS's form: counted when it was adopted */
        const char *code = el->tree->node[child].code;
        entry *en = mem_alloc(sizeof *en);
        uint64_t index;
        edir_prev_store prev = {st, tree};
        rc = tree ? edir_prev_from_store(&prev, code, u->kind, v, en, e)
                  : edir_store_entry(st, code, u->kind, v, 1, en, &index, e);
        if (rc == 0)
            recap_numbers_from_form(&en->sub.form, out);
        free(en);
        return rc;
    }
    recap_unit cu = *u;   /* a child region's recap of the same district */
    recap_entry rx;
    cu.region = child;
    cu.level = el->tree->node[child].level;
    rc = edir_store_recap(st, tree, el, &cu, SIGNED_RECAP, v, &rx, NULL, e);
    if (rc == 0) {
        memcpy(out, rx.recap.totals, u->width * sizeof *out);
        recap_entry_free(&rx);
    }
    return rc;
}

int edir_recap_entry(edir *d, const recap_unit *u, signed_type t, uint32_t v, recap_entry *out,
                     uint64_t *index, err_info *e)
{
    return edir_store_recap(edir_store(d), edir_tree(d), edir_election(d), u, t, v, out, index,
                            e);
}

int edir_recap_adopted(edir *d, const recap_unit *u, uint32_t child, uint32_t v, uint64_t *out,
                       err_info *e)
{
    return edir_adopted_numbers(edir_store(d), edir_tree(d), edir_election(d), u, child, v, out,
                                e);
}
