/* edir — an election directory read from its signed log; see edir.h. */
#include "edir/edir.h"

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <sodium.h>

#include "core/count.h"
#include "core/keys.h"
#include "core/mem.h"
#include "core/merkle.h"
#include "core/note.h"
#include "core/rules.h"
#include "core/sha256.h"
#include "io/file.h"
#include "io/masterdata.h"
#include "core/recap.h"
#include "log/tlog_read.h"

struct edir {
    election *el;
    store *st;                   /* read-only */
    note_verifier key;           /* the public half of log.key */
    char dir[EDIR_PATH_MAX];
    checkpoint cp;               /* verified */
    /* the replay */
    merkle_tree *tree;           /* the log's leaves: earlier versions are checked against them */
    tally *t;
    uint16_t *latest, *counted;  /* [tps * CONTEST_KINDS + kind], as count_form wants */
    uint64_t *index;             /* the log index of the counted version */
    recap_book *book;            /* the tiered recap the log proves */
    edir_stats stats;
};

int edir_store_uri_ok(const char *s)
{
    return strncmp(s, "postgresql://", 13) == 0 || strncmp(s, "postgres://", 11) == 0 ||
           (s[0] == '/' && s[1] != '\0' && s[1] != '\n');
}

int edir_store_target(const char *dir, char *buf, size_t cap, err_info *e)
{
    char conf[EDIR_PATH_MAX];
    int rc = edir_path(conf, dir, EDIR_STORE_CONF, e);
    if (rc)
        return rc;
    struct stat sb;
    if (stat(conf, &sb) != 0) {
        if (errno != ENOENT)
            return err_set(e, ERR_IO, "EDIR_STORE_CONF", conf, "cannot read: %s",
                           strerror(errno));
        if (cap < EDIR_PATH_MAX)
            return err_set(e, ERR_LIMIT, "EDIR_PATH", dir, "buffer too small for a path");
        return edir_path(buf, dir, EDIR_STORE, e);
    }
    char *text = NULL;
    size_t len = 0;
    rc = file_read_all(conf, EDIR_PATH_MAX, &text, &len, e);
    if (rc)
        return rc;
    size_t n = strcspn(text, "\r\n");
    if (!edir_store_uri_ok(text))
        rc = err_set(e, ERR_INVALID, "EDIR_STORE_CONF", conf,
                     "the first line must be a postgresql:// connection URI or the absolute "
                     "path of an SQLite store");
    else if (n >= cap)
        rc = err_set(e, ERR_LIMIT, "EDIR_PATH", conf, "the URI is longer than %zu bytes",
                     cap - 1);
    else {
        memcpy(buf, text, n);
        buf[n] = '\0';
    }
    sodium_memzero(text, len);
    free(text);
    return rc;
}

int edir_path(char *buf, const char *dir, const char *name, err_info *e)
{
    int n = snprintf(buf, EDIR_PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= EDIR_PATH_MAX)
        return err_set(e, ERR_LIMIT, "EDIR_PATH", dir, "directory name too long");
    return 0;
}

int edir_election_check(store *st, const char *path, err_info *e)
{
    char want[80], got[2 * SHA256_SIZE + 1];
    uint8_t sha[SHA256_SIZE];
    char *buf = NULL;
    size_t len = 0;
    int rc = store_meta_get(st, "election_sha256", want, sizeof want, e);
    if (rc == 0)
        rc = file_read_all(path, MASTERDATA_ELECTION_MAX, &buf, &len, e);
    if (rc < 0)
        return rc;
    sha256(buf, len, sha);
    free(buf);
    sodium_bin2hex(got, sizeof got, sha, sizeof sha);
    if (strcmp(want, got) != 0)
        return err_set(e, ERR_INVALID, "INGEST_ELECTION_CHANGED", path,
                       "election.json is not the definition this store was made for");
    return 0;
}

/* Row se, found as version `version` of (tps, k), parsed into *out: its
 * bytes must say what its columns say, and that it was accepted when it is
 * to be `counted`. */
static int edir_row_entry(const store_entry *se, const char *tps, contest_kind k,
                          uint32_t version, int counted, entry *out, err_info *e)
{
    int rc = entry_parse((const char *)se->bytes, se->len, out, e);
    if (rc == 0 && (strcmp(out->sub.form.tps, tps) || out->sub.form.kind != k ||
                    out->sub.version != version || out->accepted != se->accepted ||
                    (counted && !out->accepted)))
        rc = err_set(e, ERR_INVALID, "INGEST_STORE_COLUMNS", tps,
                     "the store's row %llu does not hold %s %s version %u%s",
                     (unsigned long long)se->idx, tps, contest_kind_id[k], version,
                     counted ? " as counted" : "");
    return rc;
}

int edir_prev_from_store(void *ctx, const char *tps, contest_kind k, uint32_t version,
                         entry *out, err_info *e)
{
    const edir_prev_store *src = ctx;
    store_entry se;
    int rc = store_entry_find(src->st, tps, k, version, &se, e);
    if (rc < 0)
        return rc;
    uint8_t leaf[MERKLE_HASH_SIZE], want[MERKLE_HASH_SIZE];
    merkle_leaf_hash(se.bytes, se.len, leaf);
    int in_log = se.idx < merkle_tree_size(src->tree);
    if (in_log && (rc = merkle_tree_get(src->tree, 0, se.idx, want, e)) < 0)
        return rc; /* the log's tile on disk could not be read */
    if (!in_log || sodium_memcmp(leaf, want, MERKLE_HASH_SIZE) != 0)
        return err_set(e, ERR_INVALID, "INGEST_STORE_NOT_LOGGED", tps,
                       "the store's row %llu for %s %s version %u is not the log's entry",
                       (unsigned long long)se.idx, tps, contest_kind_id[k], version);
    return edir_row_entry(&se, tps, k, version, 1, out, e);
}

int edir_store_entry(store *st, const char *tps, contest_kind k, uint32_t version, int counted,
                     entry *out, uint64_t *index, err_info *e)
{
    store_entry se;
    int rc = store_entry_find(st, tps, k, version, &se, e);
    if (rc == 0) {
        *index = se.idx;
        rc = edir_row_entry(&se, tps, k, version, counted, out, e);
    }
    return rc;
}

/* ------------------------------------------------------------- opening */

/* The directory must be there before anything in it is opened, so a
 * wrong path is named as such (EDIR_DIR), not as a missing store. */
static int edir_check_dir(const char *dir, err_info *e)
{
    struct stat sb;
    if (stat(dir, &sb) < 0)
        return err_set(e, errno == ENOENT ? ERR_NOTFOUND : ERR_IO, "EDIR_DIR", dir,
                       "no election directory here: %s", strerror(errno));
    if (!S_ISDIR(sb.st_mode))
        return err_set(e, ERR_NOTFOUND, "EDIR_DIR", dir, "not a directory");
    return 0;
}

int edir_log_verifier(const char *dir, note_verifier *out, err_info *e)
{
    char path[EDIR_PATH_MAX], *buf = NULL;
    size_t len = 0;
    keys_file k;
    int rc = edir_path(path, dir, EDIR_LOG_KEY, e);
    if (rc == 0)
        rc = file_read_all(path, KEYS_FILE_MAX, &buf, &len, e);
    if (rc == 0)
        rc = keys_parse(buf, len, &k, e);
    if (buf)
        sodium_memzero(buf, len); /* it held the secret line */
    free(buf);
    if (rc == 0 && !note_name_valid(k.name, strlen(k.name)))
        rc = err_set(e, ERR_INVALID, "EDIR_LOG_KEY", path,
                     "the log key's name is not a valid log origin");
    if (rc == 0) {
        snprintf(out->name, sizeof out->name, "%s", k.name);
        memcpy(out->pubkey, k.pk, sizeof out->pubkey);
        out->key_id = note_key_id(k.name, k.pk);
    }
    sodium_memzero(&k, sizeof k);
    return rc;
}

/* The store read-only, the definition it was made for, the log's key. */
static int edir_load(edir *d, const char *data_dir, err_info *e)
{
    char path[EDIR_PATH_MAX];
    int rc = edir_check_dir(d->dir, e);
    if (rc == 0)
        rc = edir_store_target(d->dir, path, sizeof path, e);
    if (rc == 0)
        rc = store_open_readonly(path, &d->st, e);
    if (rc == 0)
        rc = edir_path(path, d->dir, EDIR_ELECTION, e);
    if (rc == 0)
        rc = edir_election_check(d->st, path, e);
    if (rc == 0)
        rc = masterdata_load_election(data_dir, path, &d->el, e);
    if (rc == 0)
        rc = edir_log_verifier(d->dir, &d->key, e);
    return rc;
}

/* ------------------------------------------------------------- replay */

/* The replay's state: the tree, the tally and the versions, all empty. */
static void edir_replay_new(edir *d)
{
    size_t n = d->el->ntps * CONTEST_KINDS + 1;
    d->tree = merkle_tree_new();
    d->t = tally_new(d->el);
    d->latest = mem_calloc(n, sizeof *d->latest);
    d->counted = mem_calloc(n, sizeof *d->counted);
    d->index = mem_calloc(n, sizeof *d->index);
    d->book = recap_book_new(d->el);
}

typedef struct edir_replay {
    edir *d;
    entry *en;                   /* scratch for the entry being replayed */
    err_info *e;
} edir_replay;

/* The entry's TPS, and its version, which must be the next one of its
 * form: so the log holds each version of a form once. */
static int edir_place(edir *d, const char *where, const entry *en, uint32_t *tps, size_t *slot,
                      err_info *e)
{
    const form *f = &en->sub.form;
    *tps = election_tps_find(d->el, f->tps);
    if (*tps == ELECTION_NONE)
        return err_set(e, ERR_INVALID, "EDIR_TPS", where, "TPS %s is not in the election",
                       f->tps);
    *slot = (size_t)*tps * CONTEST_KINDS + f->kind;
    if (en->sub.version != d->latest[*slot] + 1u)
        return err_set(e, ERR_INVALID, "EDIR_VERSION", where,
                       "%s %s version %u does not follow version %u", f->tps,
                       contest_kind_id[f->kind], en->sub.version, d->latest[*slot]);
    d->latest[*slot] = (uint16_t)en->sub.version;
    return 0;
}

/* A recap or plenary record of the log, in log order: replayed into the
 * book with its verdict recomputed against what the log held before it. */
static int edir_take_recap(edir_replay *r, uint64_t index, const uint8_t *bytes, size_t len,
                           const char *where)
{
    edir *d = r->d;
    recap_entry rx;
    err_info pe = {0};
    if (recap_entry_parse((const char *)bytes, len, &rx, &pe) < 0)
        return err_set(r->e, ERR_INVALID, "EDIR_ENTRY", where, "does not parse: %s %s: %s",
                       pe.code, pe.where, pe.msg);
    edir_prev_store prev = {d->st, d->tree};
    recap_src src = {.counted = recap_counted_array, .counted_ctx = d->counted,
                     .prev = edir_prev_from_store, .prev_ctx = &prev};
    int rc = recap_book_replay(d->book, d->el, &src, &rx, index, &pe);
    if (rc < 0)
        err_set(r->e, rc, "EDIR_RECAP", where, "%s %s: %s", pe.code, pe.where, pe.msg);
    else {
        d->stats.read++;
        if (rx.accepted)
            d->stats.accepted++;
        else
            d->stats.rejected++;
    }
    recap_entry_free(&rx);
    return rc;
}

/* One entry of the log, in log order: an accepted one is counted by the
 * ingest's rule, the version it corrects read back through the store and
 * checked against the leaves read so far. */
static int edir_take(void *ctx, uint64_t index, const uint8_t *bytes, size_t len)
{
    edir_replay *r = ctx;
    edir *d = r->d;
    assert(index == d->stats.read);
    char where[48];
    snprintf(where, sizeof where, "log entry %llu", (unsigned long long)index);
    if (signed_type_of_entry((const char *)bytes, len) > SIGNED_FORM)
        return edir_take_recap(r, index, bytes, len, where);
    err_info pe = {0};
    if (entry_parse((const char *)bytes, len, r->en, &pe) < 0)
        return err_set(r->e, ERR_INVALID, "EDIR_ENTRY", where, "does not parse: %s %s: %s",
                       pe.code, pe.where, pe.msg);
    uint32_t tps = 0;
    size_t slot = 0;
    int rc = edir_place(d, where, r->en, &tps, &slot, r->e);
    if (rc < 0)
        return rc;
    d->stats.read++;
    if (!r->en->accepted) {
        d->stats.rejected++;
        return 0;
    }
    d->stats.accepted++;
    const form *f = &r->en->sub.form;
    rule_report rep;
    rules_check(f, d->el, &rep);
    edir_prev_store prev = {d->st, d->tree};
    rc = count_form(d->t, edir_prev_from_store, &prev, d->counted, tps, f->kind,
                    r->en->sub.version, f, rules_flagged(&rep), r->e);
    if (rc == 0)
        d->index[slot] = index;
    return rc;
}

/* Verify the log from its files and replay it, entry by entry. */
static int edir_replay_log(edir *d, err_info *e)
{
    char logdir[EDIR_PATH_MAX];
    edir_replay_new(d);
    int rc = edir_path(logdir, d->dir, EDIR_LOG, e);
    edir_replay r = {d, mem_alloc(sizeof(entry)), e};
    if (rc == 0)
        rc = tlog_read_verify(logdir, &d->key, &d->cp, d->tree, edir_take, &r, e);
    free(r.en);
    assert(rc < 0 || d->stats.read == d->cp.size);
    return rc;
}

int edir_open_readonly(const char *dir, const char *data_dir, edir **out, err_info *e)
{
    keys_init();
    *out = NULL;
    edir *d = mem_calloc(1, sizeof *d);
    int rc = snprintf(d->dir, sizeof d->dir, "%s", dir) < (int)sizeof d->dir
                 ? 0 : err_set(e, ERR_LIMIT, "EDIR_PATH", dir, "directory name too long");
    if (rc == 0)
        rc = edir_load(d, data_dir, e);
    if (rc == 0)
        rc = edir_replay_log(d, e);
    if (rc < 0) {
        edir_close(d);
        return rc;
    }
    *out = d;
    return 0;
}

void edir_close(edir *d)
{
    if (!d)
        return;
    merkle_tree_free(d->tree);
    tally_free(d->t);
    free(d->latest);
    free(d->counted);
    free(d->index);
    recap_book_free(d->book);
    store_close(d->st);
    election_free(d->el);
    free(d);
}

/* ------------------------------------------------------------- reading */

const election *edir_election(const edir *d) { return d->el; }
const tally *edir_tally(const edir *d) { return d->t; }
uint64_t edir_log_size(const edir *d) { return d->cp.size; }
const edir_stats *edir_stats_of(const edir *d) { return &d->stats; }
const recap_book *edir_recap_book(const edir *d) { return d->book; }
store *edir_store(edir *d) { return d->st; }
const merkle_tree *edir_tree(const edir *d) { return d->tree; }

int edir_recap_children(edir *d, const recap_unit *u, recap_child **out, uint32_t *n,
                        err_info *e)
{
    edir_prev_store prev = {d->st, d->tree};
    recap_src src = {.counted = recap_counted_array, .counted_ctx = d->counted,
                     .prev = edir_prev_from_store, .prev_ctx = &prev};
    return recap_children_now(d->el, d->book, &src, u, out, n, e);
}

void edir_versions_of(const edir *d, uint32_t tps, contest_kind k, edir_versions *out)
{
    assert(tps < d->el->ntps && (unsigned)k < CONTEST_KINDS);
    size_t slot = (size_t)tps * CONTEST_KINDS + k;
    out->latest = d->latest[slot];
    out->counted = d->counted[slot];
    out->index = d->index[slot];
}

int edir_counted_entry(edir *d, uint32_t tps, contest_kind k, entry *out, err_info *e)
{
    assert(tps < d->el->ntps && (unsigned)k < CONTEST_KINDS);
    const char *code = election_tps_region(d->el, tps)->code;
    uint16_t version = d->counted[(size_t)tps * CONTEST_KINDS + k];
    if (!version)
        return err_set(e, ERR_NOTFOUND, "EDIR_NOT_COUNTED", code, "no %s form is counted here",
                       contest_kind_id[k]);
    edir_prev_store src = {d->st, d->tree};
    return edir_prev_from_store(&src, code, k, version, out, e);
}
