/* cmd_verify — `rekap verify`: recompute everything from the log and
 * check it. The log is read from its files alone, as an outside monitor
 * reads a mirror (log/tlog_read.h): the checkpoint's signature, every
 * entry hashed into the tree and the root compared, every tile compared.
 * Then every entry: it parses, its Ed25519 signature verifies, its key was
 * enrolled for its TPS, its version follows the one before, its verdict is
 * what the rules say, and it is byte for byte the store's entry at that
 * index; and the store holds nothing the signed log does not. Recaps and
 * plenary records the same way, each verdict recomputed against the log
 * before it (recap_book_replay). The totals
 * are recomputed from the log's entries. Any mismatch is named; the exit
 * status is 1 when there is one. Signatures are checked on every core. */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/count.h"
#include "core/keys.h"
#include "core/mem.h"
#include "core/recap.h"
#include "core/rules.h"
#include "edir/edir.h"
#include "io/file.h"
#include "io/masterdata.h"
#include "io/par.h"
#include "log/tlog_read.h"

static const char verify_usage[] =
    "usage: rekap verify --dir D [options]\n"
    "\n"
    "Recompute every total from the log of election directory D and check\n"
    "the signed checkpoint, every tile, every signature, every key's\n"
    "enrolment, every verdict and the store against the log. Prints each\n"
    "mismatch; exit status 0 all verified, 1 a mismatch, 3 unreadable input.\n"
    "\n"
    "  --dir D        the election directory (rekap init)\n"
    "  --key VKEY     the log's verifier key (name+id+key); default: the one of\n"
    "                 D/log.key. Give it to check a log against the key you trust.\n"
    "  --log DIR      read the log from DIR (a mirror) instead of D/log\n"
    "  --data DIR     master data directory\n"
    "  --help         this text\n";

#define VERIFY_CHUNK 8192
#define VERIFY_MISMATCH_SHOWN 50

/* One entry of a chunk: what the parallel pass found. */
typedef struct vitem {
    uint64_t idx;
    uint8_t *bytes;
    size_t len;
    entry en;
    recap_entry *rx;   /* a recap or plenary record instead of a C.Hasil */
    err_info perr;     /* parse error (code NULL: parsed) */
    int sig_ok;
    unsigned nhard;
    int flagged;       /* rules_flagged */
    char hard[ENTRY_CODES_MAX + 1];
} vitem;

typedef struct vofficer {
    uint8_t pk[32];
    char region[REGION_CODE_MAX];
    int role;
} vofficer;

typedef struct verify_ctx {
    const election *el;
    store *st;
    merkle_tree *tree;           /* the log's, rebuilt from its files */
    edir_prev_store prev;        /* corrections: the counted version, checked against tree */
    vofficer *off;
    size_t noff, capoff;
    tally *t;
    recap_book *book;            /* the tiered recap, replayed with every verdict recomputed */
    uint16_t *version, *counted;
    vitem *chunk;
    size_t n;
    unsigned threads;
    unsigned long entries, accepted, rejected, unverified, mismatches;
    unsigned long recaps, records;
} verify_ctx;

static void verify_mismatch(verify_ctx *v, uint64_t idx, const char *what, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void verify_mismatch(verify_ctx *v, uint64_t idx, const char *what, const char *fmt, ...)
{
    if (v->mismatches++ >= VERIFY_MISMATCH_SHOWN)
        return;
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    printf("MISMATCH entry %llu: %s: %s\n", (unsigned long long)idx, what, msg);
}

/* ---------------------------------------------------------- officers */

static int verify_officer_cmp(const void *a, const void *b)
{
    return memcmp(((const vofficer *)a)->pk, ((const vofficer *)b)->pk, 32);
}

static int verify_officer_add(void *ctx, const store_officer *o)
{
    verify_ctx *v = ctx;
    mem_grow((void **)&v->off, &v->capoff, v->noff + 1, sizeof *v->off);
    vofficer *w = &v->off[v->noff++];
    memcpy(w->pk, o->pubkey, 32);
    snprintf(w->region, sizeof w->region, "%s", o->region);
    w->role = o->role;
    return 0;
}

static const vofficer *verify_officer(const verify_ctx *v, const uint8_t pk[32])
{
    vofficer key;
    memcpy(key.pk, pk, 32);
    return bsearch(&key, v->off, v->noff, sizeof *v->off, verify_officer_cmp);
}

/* ---------------------------------------------------------- parallel pass */

static void verify_item(const verify_ctx *v, vitem *it)
{
    memset(&it->perr, 0, sizeof it->perr);
    if (signed_type_of_entry((const char *)it->bytes, it->len) > SIGNED_FORM) {
        it->rx = mem_calloc(1, sizeof *it->rx);
        if (recap_entry_parse((const char *)it->bytes, it->len, it->rx, &it->perr) == 0)
            it->sig_ok = entry_verify(it->rx->sub_bytes, it->rx->sub_len, it->rx->pubkey,
                                      it->rx->sig) == 0;
        return;
    }
    if (entry_parse((const char *)it->bytes, it->len, &it->en, &it->perr) < 0)
        return;
    it->sig_ok = entry_verify(it->en.sub_bytes, it->en.sub_len, it->en.pubkey, it->en.sig) == 0;
    rule_report r;
    rules_check(&it->en.sub.form, v->el, &r);
    it->nhard = r.nhard;
    it->flagged = rules_flagged(&r);
    rules_report_codes(&r, RULE_HARD, it->hard, sizeof it->hard);
}

static void verify_one(void *ctx, size_t i)
{
    const verify_ctx *v = ctx;
    verify_item(v, &v->chunk[i]);
}

/* Signatures and rules of a chunk on every core. */
static void verify_parallel(verify_ctx *v)
{
    par_for(v->n, v->threads, verify_one, v);
}

/* ---------------------------------------------------------- in log order */

/* The entry must be the store's row at the same index, byte for byte, with
 * every column the store's readers go by saying what the entry says. */
static void verify_against_store(verify_ctx *v, const vitem *it)
{
    const form *f = &it->en.sub.form;
    store_entry se;
    err_info e = {0};
    if (store_entry_find(v->st, f->tps, f->kind, it->en.sub.version, &se, &e) < 0)
        verify_mismatch(v, it->idx, "store", "not in the store: %s", e.msg);
    else if (se.idx != it->idx || se.len != it->len || memcmp(se.bytes, it->bytes, it->len))
        verify_mismatch(v, it->idx, "store", "the store's entry %llu for %s %s v%u differs",
                        (unsigned long long)se.idx, f->tps, contest_kind_id[f->kind],
                        it->en.sub.version);
    else if (se.accepted != it->en.accepted)
        verify_mismatch(v, it->idx, "store", "the store's row says %s, the log's entry %s",
                        se.accepted ? "accepted" : "rejected",
                        it->en.accepted ? "accepted" : "rejected");
}

/* Key, version and verdict, as ingest decides them. Returns the TPS index
 * when the entry verifies in every respect, ELECTION_NONE when it does not
 * (it is then treated as if it were not there: not counted, no version). */
static uint32_t verify_entry_rules(verify_ctx *v, const vitem *it)
{
    const form *f = &it->en.sub.form;
    unsigned before = (unsigned)v->mismatches;
    uint32_t tps = election_tps_find(v->el, f->tps);
    if (!it->sig_ok)
        verify_mismatch(v, it->idx, "signature", "does not verify for %s", f->tps);
    const vofficer *o = verify_officer(v, it->en.pubkey);
    if (!o || o->role != STORE_ROLE_KPPS || strcmp(o->region, f->tps))
        verify_mismatch(v, it->idx, "key", "not a key enrolled for TPS %s", f->tps);
    if (tps == ELECTION_NONE) {
        verify_mismatch(v, it->idx, "tps", "%s is not a TPS of this election", f->tps);
        return ELECTION_NONE;
    }
    size_t slot = (size_t)tps * CONTEST_KINDS + f->kind;
    if (it->en.sub.version != v->version[slot] + 1u)
        verify_mismatch(v, it->idx, "version", "%s %s version %u follows version %u", f->tps,
                        contest_kind_id[f->kind], it->en.sub.version, v->version[slot]);
    if (it->en.accepted != (it->nhard == 0) || (!it->en.accepted && strcmp(it->en.codes, it->hard)))
        verify_mismatch(v, it->idx, "verdict", "logged as %s %s, the rules say %s %s",
                        it->en.accepted ? "accepted" : "rejected", it->en.codes,
                        it->nhard ? "rejected" : "accepted", it->hard);
    if (v->mismatches != before)
        return ELECTION_NONE;
    v->version[slot] = (uint16_t)it->en.sub.version;
    return tps;
}

/* A recap or plenary record in log order: the store's row under its key,
 * its signature by a recap key enrolled for its region, and its replay
 * (shape, version, verdict recomputed against what the log held before). */
static void verify_recap(verify_ctx *v, const vitem *it)
{
    const recap_entry *rx = it->rx;
    recap_unit u;
    err_info e = {0};
    char key[RECAP_KEY_MAX];
    const char *code = rx->type == SIGNED_RECAP ? rx->recap.region : rx->record.region;
    unsigned long before = v->mismatches;
    if (!it->sig_ok)
        verify_mismatch(v, it->idx, "signature", "does not verify for the recap of %s", code);
    const vofficer *o = verify_officer(v, rx->pubkey);
    if (!o || o->role != STORE_ROLE_RECAP || strcmp(o->region, code))
        verify_mismatch(v, it->idx, "key", "not a recap key enrolled for %s", code);
    int rc = rx->type == SIGNED_RECAP
                 ? recap_shape(v->el, &rx->recap, &u, &e)
                 : recap_unit_find(v->el, code, rx->record.kind, rx->record.district, &u, &e);
    if (rc == 0) {
        store_entry se;
        recap_key(v->el, &u, rx->type, key);
        uint32_t version = rx->type == SIGNED_RECAP ? rx->recap.version : rx->record.number;
        if (store_entry_find(v->st, key, u.kind, version, &se, &e) < 0 || se.idx != it->idx ||
            se.len != it->len || memcmp(se.bytes, it->bytes, it->len) ||
            se.accepted != rx->accepted)
            verify_mismatch(v, it->idx, "store", "the store's row %s v%u is not this entry", key,
                            version);
    }
    if (v->mismatches != before || rc < 0) {
        if (rc < 0)
            verify_mismatch(v, it->idx, "recap", "%s: %s", e.code, e.msg);
        v->unverified++;
        return;
    }
    recap_src src = {.counted = recap_counted_array, .counted_ctx = v->counted,
                     .prev = edir_prev_from_store, .prev_ctx = &v->prev};
    if (recap_book_replay(v->book, v->el, &src, rx, it->idx, &e) < 0) {
        verify_mismatch(v, it->idx, "recap", "%s: %s", e.code, e.msg);
        v->unverified++;
        return;
    }
    if (rx->type == SIGNED_RECORD)
        v->records++;
    else
        v->recaps++;
    if (rx->accepted)
        v->accepted++;
    else
        v->rejected++;
}

/* In log order: the store beside each entry, then the entry itself; only
 * entries that verify move the totals. */
static void verify_sequential(verify_ctx *v)
{
    for (size_t i = 0; i < v->n; i++) {
        vitem *it = &v->chunk[i];
        v->entries++;
        if (it->perr.code) {
            verify_mismatch(v, it->idx, "entry", "%s: %s %s", it->perr.code, it->perr.where,
                            it->perr.msg);
            continue;
        }
        if (it->rx) {
            verify_recap(v, it);
            continue;
        }
        verify_against_store(v, it);
        uint32_t tps = verify_entry_rules(v, it);
        if (tps == ELECTION_NONE) {
            v->unverified++;
            continue;
        }
        if (!it->en.accepted) {
            v->rejected++;
            continue;
        }
        v->accepted++;
        err_info e = {0};
        const form *f = &it->en.sub.form;
        if (count_form(v->t, edir_prev_from_store, &v->prev, v->counted, tps,
                       f->kind, it->en.sub.version, f, it->flagged, &e) < 0)
            verify_mismatch(v, it->idx, "tally", "%s: %s", e.code, e.msg);
    }
    for (size_t i = 0; i < v->n; i++) {
        free(v->chunk[i].bytes);
        recap_entry_free(v->chunk[i].rx);
        free(v->chunk[i].rx);
    }
    v->n = 0;
}

static int verify_take(void *ctx, uint64_t index, const uint8_t *bytes, size_t len)
{
    verify_ctx *v = ctx;
    vitem *it = &v->chunk[v->n++];
    it->idx = index;
    it->bytes = mem_alloc(len);
    it->rx = NULL;
    memcpy(it->bytes, bytes, len);
    it->len = len;
    if (v->n == VERIFY_CHUNK) {
        verify_parallel(v);
        verify_sequential(v);
    }
    return 0;
}

/* ---------------------------------------------------------- setup */

/* The verifier to trust: --key, else the public half of D/log.key. */
static int verify_key(const char *dir, const char *vkey, note_verifier *out, err_info *e)
{
    return vkey ? note_verifier_parse(out, vkey, e) : edir_log_verifier(dir, out, e);
}

static int verify_open(verify_ctx *v, const char *dir, const char *data, election **el,
                       err_info *e)
{
    char path[CLI_PATH_MAX];
    int rc = cli_path(path, dir, EDIR_ELECTION, e);
    if (rc == 0)
        rc = masterdata_load_election(data, path, el, e);
    if (rc == 0)
        rc = edir_store_target(dir, path, sizeof path, e);
    if (rc == 0)
        rc = store_open_readonly(path, &v->st, e);
    if (rc == 0)
        rc = store_officers_each(v->st, verify_officer_add, v, e);
    if (rc < 0)
        return rc;
    if (v->noff)
        qsort(v->off, v->noff, sizeof *v->off, verify_officer_cmp);
    v->el = *el;
    v->tree = merkle_tree_new();
    v->prev = (edir_prev_store){v->st, v->tree};
    v->t = tally_new(*el);
    v->book = recap_book_new(*el);
    v->version = mem_calloc((*el)->ntps * CONTEST_KINDS + 1, sizeof *v->version);
    v->counted = mem_calloc((*el)->ntps * CONTEST_KINDS + 1, sizeof *v->counted);
    v->chunk = mem_alloc(VERIFY_CHUNK * sizeof *v->chunk);
    v->threads = par_threads();
    return 0;
}

static void verify_print_totals(const verify_ctx *v)
{
    for (int k = 0; k < CONTEST_KINDS; k++) {
        const tally_row *r = tally_region(v->t, (contest_kind)k, 0);
        if (!r->tps_expected)
            continue;
        printf("  %-9s TPS %u/%u, valid %llu, invalid %llu", contest_kind_id[k], r->tps_counted,
               r->tps_expected, (unsigned long long)r->valid, (unsigned long long)r->invalid);
        if (k == CONTEST_PPWP) {
            const uint64_t *sel = tally_region_sel(v->t, CONTEST_PPWP, 0);
            for (unsigned i = 0; i < v->t->width[k]; i++)
                printf("%s%llu", i ? " / " : ", pairs ", (unsigned long long)sel[i]);
        }
        printf("\n");
    }
}

static int verify_run(const char *dir, const char *logdir, const char *vkey, const char *data)
{
    verify_ctx v = {0};
    election *el = NULL;
    err_info e = {0};
    note_verifier nv;
    checkpoint cp;
    char lpath[CLI_PATH_MAX];
    int rc = verify_key(dir, vkey, &nv, &e);
    if (rc == 0)
        rc = verify_open(&v, dir, data, &el, &e);
    if (rc == 0 && !logdir && (rc = cli_path(lpath, dir, "log", &e)) == 0)
        logdir = lpath;
    if (rc == 0) {
        rc = tlog_read_verify(logdir, &nv, &cp, v.tree, verify_take, &v, &e);
        if (rc == 0 && v.n) {
            verify_parallel(&v);
            verify_sequential(&v);
        }
    }
    int status = CLI_OK;
    if (rc < 0) { /* the log itself does not verify: that is a finding, not a usage error */
        cli_error(&e);
        /* TLOG_MOVED is no finding: rekapd published faster than this read
         * the partials of its checkpoint (tlog_read.h); run it again */
        status = e.code && strcmp(e.code, "TLOG_MOVED") != 0 &&
                         (!strncmp(e.code, "TLOG_", 5) || !strncmp(e.code, "NOTE_", 5) ||
                          !strncmp(e.code, "CHECKPOINT_", 11))
                     ? CLI_FOUND
                     : CLI_FAIL;
    } else {
        uint64_t stored = store_next_index(v.st);
        if (stored != cp.size)
            verify_mismatch(&v, cp.size, "store",
                            "the store holds %llu entries, the signed log %llu",
                            (unsigned long long)stored, (unsigned long long)cp.size);
        char root[64];
        keys_b64_encode(cp.root, sizeof cp.root, root);
        printf("log %s: checkpoint of %llu entries, root %s, signed by %s+%08x: verified\n",
               cp.origin, (unsigned long long)cp.size, root, nv.name, nv.key_id);
        printf("entries %lu: %lu accepted, %lu rejected, %lu not verified (not counted); "
               "%lu mismatches\n", v.entries, v.accepted, v.rejected, v.unverified, v.mismatches);
        printf("recaps %lu and plenary records %lu replayed, every verdict recomputed\n",
               v.recaps, v.records);
        printf("totals recomputed from the entries that verify:\n");
        verify_print_totals(&v);
        status = v.mismatches ? CLI_FOUND : CLI_OK;
    }
    for (size_t i = 0; i < v.n; i++) {
        free(v.chunk[i].bytes);
        recap_entry_free(v.chunk[i].rx);
        free(v.chunk[i].rx);
    }
    free(v.chunk);
    free(v.off);
    free(v.version);
    free(v.counted);
    tally_free(v.t);
    recap_book_free(v.book);
    merkle_tree_free(v.tree);
    store_close(v.st);
    election_free(el);
    return status;
}

int cmd_verify(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dir", required_argument, 0, 'D'}, {"key", required_argument, 0, 'k'},
        {"log", required_argument, 0, 'l'}, {"data", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},      {0, 0, 0, 0}};
    const char *dir = NULL, *vkey = NULL, *logdir = NULL, *data = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D': dir = optarg; break;
        case 'k': vkey = optarg; break;
        case 'l': logdir = optarg; break;
        case 'd': data = optarg; break;
        case 'h': fputs(verify_usage, stdout); return CLI_OK;
        default: fputs(verify_usage, stderr); return CLI_USAGE;
        }
    }
    if (!dir || optind != argc) {
        fprintf(stderr, "rekap verify: %s\n", dir ? "unexpected argument" : "--dir is required");
        fputs(verify_usage, stderr);
        return CLI_USAGE;
    }
    keys_init();
    return verify_run(dir, logdir, vkey, cli_data_dir(data));
}
