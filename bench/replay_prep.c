/* replay_prep — the preparation of the full replay (issue 13 item 1,
 * docs/BENCHMARKS.md §7). Not timed.
 *
 *   replay_prep [--scope CODE|national] [--misread-permille N]
 *               [--photo-permille N] WORK
 *
 * Writes into WORK:
 *   election.json  the election of seed 2024 (the nation, or one province)
 *   el/            its election directory with every key enrolled: one
 *                  KPPS key per TPS, one recap key per PPWP recap unit
 *                  (kecamatan, kab/kota, province, nation); empty log
 *   feed.bin/.idx  every request of the replay in order (replay.h): all
 *                  five ballots' forms of every TPS (a share misread, a
 *                  share with a photo), the signed corrections of the
 *                  misreads the rules reject, the PPWP recaps level by level
 *   expected.json  what the replay must end with: counts, and the totals
 *                  of the nation and each province from the true forms and
 *                  from the forms the server counts (replay_expect.c)
 *
 * Everything is deterministic: keys come from seeded streams (this is a
 * benchmark; real officers' keys come from `rekap keygen`), and misreads
 * and photos are drawn per TPS code and contest, so a province prepared
 * alone gets exactly its share of the national replay. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <sodium.h>

#include "core/entry.h"
#include "core/mem.h"
#include "core/rules.h"
#include "gen/gen.h"
#include "ingest/ingest.h"
#include "io/masterdata.h"
#include "io/par.h"
#include "replay.h"
#include "replay_prep.h"
#include "store/store.h"

#ifndef REKAP_DATA_DIR
#define REKAP_DATA_DIR "data"
#endif

#define PREP_SEED 2024
#define PREP_BATCH 512                     /* forms signed in parallel at a time */
#define PREP_TEXT_MAX (FORM_TEXT_MAX + 2048) /* a submission: the form and its lines */
#define PREP_REASON "Salah baca angka, diperbaiki dari foto C.Hasil / misread, corrected " \
                    "from the C.Hasil photo"

/* Stream tags: one purpose each, so that changing one share moves nothing
 * else. */
enum { TAG_KEYS = 1, TAG_RECAP_KEYS, TAG_MISREAD, TAG_PHOTO };

typedef struct prep_opts {
    const char *work, *scope;
    unsigned misread_pm, photo_pm;         /* permille of forms */
} prep_opts;

/* One form on its way to the feed. */
typedef struct slot {
    form truth, shown;                     /* shown: as the officer's phone read it */
    uint32_t tps, seq;
    uint8_t misread, caught;               /* MISREAD_*; the rules reject it */
    replay_head head;
    uint8_t photo[32];
    size_t len[2];                         /* version 1, and its correction when caught */
    char text[2][PREP_TEXT_MAX];
    uint8_t sig[2][64];
} slot;

typedef struct offsets {
    uint64_t *at;
    size_t n, cap;
} offsets;

typedef struct prep {
    prep_opts o;
    election *el;
    uint8_t (*sk)[64];                     /* [ntps] KPPS keys */
    uint8_t (*rsk)[64];                    /* [region nodes above desa] recap keys */
    rng base;
    replay_photos *master;                 /* the photos' shared bytes */
    FILE *feed, *corr;                     /* corr: corrections until the forms are done */
    uint64_t feed_off, corr_off;
    offsets off[REPLAY_PHASES];
    slot *batch;
    size_t nbatch;
    uint32_t seq;                          /* forms so far */
    recap_plan *plan;
    replay_expect *expect;
    unsigned long forms[CONTEST_KINDS], misreads[MISREAD_KINDS], caught[MISREAD_KINDS];
    unsigned long photos, recaps[REPLAY_PHASES];
    unsigned long long photo_bytes;
} prep;

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what, const err_info *e)
{
    fprintf(stderr, "replay_prep: %s: %s %s %s\n", what, e ? e->code : "", e ? e->where : "",
            e ? e->msg : "");
    exit(1);
}

/* ------------------------------------------------------------ election */

static void prep_election(prep *p)
{
    char path[4096], eldir[4096];
    err_info e = {0};
    region_tree *tree;
    gen_params gp;
    gen_params_default(&gp);
    gp.seed = PREP_SEED;
    gp.scope = strcmp(p->o.scope, "national") ? p->o.scope : NULL;
    mkdir(p->o.work, 0755);
    if (masterdata_load(REKAP_DATA_DIR, &tree, &e) < 0 || gen_election(tree, &gp, &p->el, &e) < 0)
        die("generate the election", &e);
    snprintf(path, sizeof path, "%s/election.json", p->o.work);
    FILE *f = fopen(path, "w");
    if (!f || election_write(p->el, f) < 0 || fclose(f) != 0)
        die("write election.json", NULL);
    snprintf(eldir, sizeof eldir, "%s/el", p->o.work);
    if (ingest_init(eldir, REKAP_DATA_DIR, path, "rekap.bench/replay", &e) < 0)
        die("init the election directory", &e);
}

/* ---------------------------------------------------------------- keys */

/* The key of stream (purpose, i): a seed from the base stream. */
static void seeded_key(const rng *base, uint64_t purpose, uint64_t i, uint8_t sk[64])
{
    rng r;
    uint8_t seed[32], pk[32];
    rng_fork(&r, base, (purpose << 40) | i);
    for (int j = 0; j < 4; j++) {
        uint64_t x = rng_next(&r);
        memcpy(seed + 8 * j, &x, 8);
    }
    crypto_sign_seed_keypair(pk, sk, seed); /* sk = seed || public key */
}

static void kpps_key(void *ctx, size_t i)
{
    prep *p = ctx;
    seeded_key(&p->base, TAG_KEYS, i, p->sk[i]);
}

static int is_recap_unit(const election *el, uint32_t node)
{
    recap_unit u;
    err_info e = {0};
    return recap_unit_at(el, node, CONTEST_PPWP, 0, &u, &e) == 0;
}

/* The recap officers: one key per PPWP unit (kecamatan, kab/kota,
 * province, nation), appended to req; how many. */
static size_t recap_officers(prep *p, ingest_officer *req)
{
    size_t n = 0;
    for (uint32_t node = 0; node < p->el->tree->level_start[REGION_DESA]; node++)
        if (is_recap_unit(p->el, node)) {
            seeded_key(&p->base, TAG_RECAP_KEYS, node, p->rsk[node]);
            req[n] = (ingest_officer){.role = STORE_ROLE_RECAP,
                                      .region = p->el->tree->node[node].code, .name = ""};
            memcpy(req[n++].pubkey, p->rsk[node] + 32, 32);
        }
    return n;
}

static void enrol(const prep *p, const ingest_officer *req, size_t n)
{
    char eldir[4096];
    snprintf(eldir, sizeof eldir, "%s/el", p->o.work);
    ingest_config cfg = {.dir = eldir, .data_dir = REKAP_DATA_DIR};
    ingest *in;
    err_info e = {0};
    if (ingest_open(&cfg, &in, &e) < 0 || ingest_enrol_many(in, req, n, &e) < 0)
        die("enrol", &e);
    ingest_close(in);
}

/* One KPPS key per TPS and one recap key per PPWP unit, all enrolled in
 * one transaction (ingest_enrol_many). */
static void prep_keys(prep *p)
{
    double t0 = now_s();
    size_t nreg = p->el->tree->level_start[REGION_DESA], ntps = p->el->ntps;
    p->sk = mem_alloc(ntps * sizeof *p->sk);
    p->rsk = mem_calloc(nreg, sizeof *p->rsk);
    par_for(ntps, par_threads(), kpps_key, p);
    ingest_officer *req = mem_alloc((ntps + nreg) * sizeof *req);
    for (uint32_t i = 0; i < ntps; i++) {
        req[i] = (ingest_officer){.role = STORE_ROLE_KPPS,
                                  .region = election_tps_region(p->el, i)->code, .name = ""};
        memcpy(req[i].pubkey, p->sk[i] + 32, 32);
    }
    size_t nrecap = recap_officers(p, req + ntps);
    enrol(p, req, ntps + nrecap);
    free(req);
    fprintf(stderr, "keys: %zu KPPS and %zu recap keys made and enrolled in %.1f s\n", ntps,
            nrecap, now_s() - t0);
}

/* --------------------------------------------------------------- feed */

static void offsets_push(offsets *o, uint64_t at)
{
    mem_grow((void **)&o->at, &o->cap, o->n + 1, sizeof *o->at);
    o->at[o->n++] = at;
}

/* One record into f at *off (feed.bin, or the corrections' file). */
static void put_record(prep *p, FILE *f, uint64_t *off, const replay_head *h, const char *text,
                       const uint8_t pk[32], const uint8_t sig[64])
{
    offsets_push(&p->off[h->phase], *off);
    fwrite(h, sizeof *h, 1, f);
    fwrite(text, 1, h->len, f);
    fwrite(pk, 1, 32, f);
    fwrite(sig, 1, 64, f);
    *off += sizeof *h + h->len + 96;
}

static FILE *open_in(const prep *p, const char *name, const char *mode)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", p->o.work, name);
    FILE *f = fopen(path, mode);
    if (!f)
        die(path, NULL);
    return f;
}

/* ---------------------------------------------------------------- forms */

/* The stream of (purpose, TPS code, contest): the same in a province
 * prepared alone as in the nation, whatever the TPS's index. */
static void form_stream(const rng *base, uint64_t purpose, const form *f, rng *out)
{
    uint64_t code = strtoull(f->tps, NULL, 10); /* 13 digits: below 2^44 */
    rng_fork(out, base, (purpose << 56) ^ (code * CONTEST_KINDS + (uint64_t)f->kind));
}

/* A share of forms misread; the rules' verdict on the misread form is the
 * one rekapd will give (the same rules_check, the same election). */
static void slot_misread(const prep *p, slot *s)
{
    rng r;
    form_stream(&p->base, TAG_MISREAD, &s->truth, &r);
    s->shown = s->truth;
    s->misread = MISREAD_NONE;
    s->caught = 0;
    if (rng_below(&r, 1000) >= p->o.misread_pm)
        return;
    s->misread = (uint8_t)misread_apply(&s->shown, &r);
    if (s->misread != MISREAD_NONE) {
        rule_report rep;
        rules_check(&s->shown, p->el, &rep);
        s->caught = rep.nhard > 0;
    }
}

static void slot_photo(const prep *p, slot *s)
{
    rng r;
    form_stream(&p->base, TAG_PHOTO, &s->truth, &r);
    memset(&s->head, 0, sizeof s->head);
    if (rng_below(&r, 1000) >= p->o.photo_pm)
        return;
    s->head.photo = 1;
    s->head.photo_blocks =
        REPLAY_PHOTO_MIN_BLOCKS +
        (uint32_t)rng_below(&r, REPLAY_PHOTO_MAX_BLOCKS - REPLAY_PHOTO_MIN_BLOCKS + 1);
    s->head.photo_id = s->seq;
    replay_photo_sha256(p->master, s->head.photo_blocks, s->head.photo_id, s->photo);
}

/* Version v of the slot's form, f, signed by its TPS's key. A
 * correction names the same photo: the numbers were read again from it. */
static void slot_sign(const prep *p, slot *s, uint32_t v, const form *f)
{
    static _Thread_local submission sub;
    memset(&sub, 0, sizeof sub);
    sub.form = *f;
    sub.version = v;
    if (v > 1)
        snprintf(sub.reason, sizeof sub.reason, "%s", PREP_REASON);
    sub.nphoto = s->head.photo;
    memcpy(sub.photo[0], s->photo, 32);
    size_t n = submission_encode(&sub, s->text[v - 1], PREP_TEXT_MAX);
    if (n >= PREP_TEXT_MAX)
        die("a submission over the prep's buffer", NULL);
    s->len[v - 1] = n;
    entry_sign(s->text[v - 1], n, p->sk[s->tps], s->sig[v - 1]);
}

/* The parallel half of a form: misread, photo, sign. */
static void slot_work(void *ctx, size_t i)
{
    prep *p = ctx;
    slot *s = &p->batch[i];
    s->tps = election_tps_find(p->el, s->truth.tps);
    slot_misread(p, s);
    slot_photo(p, s);
    slot_sign(p, s, 1, &s->shown);
    if (s->caught)
        slot_sign(p, s, 2, &s->truth);
}

/* The in-order half: the records, the counts, what the server will
 * count (a caught misread's correction, an undetected one as misread). */
static void slot_write(prep *p, slot *s)
{
    const uint8_t *pk = p->sk[s->tps] + 32;
    s->head.len = (uint32_t)s->len[0];
    s->head.phase = REPLAY_FORMS;
    s->head.expect = s->caught ? REPLAY_EXPECT_REJECTED : REPLAY_EXPECT_ACCEPTED;
    put_record(p, p->feed, &p->feed_off, &s->head, s->text[0], pk, s->sig[0]);
    if (s->caught) {
        replay_head h = {.len = (uint32_t)s->len[1], .phase = REPLAY_CORRECTIONS};
        put_record(p, p->corr, &p->corr_off, &h, s->text[1], pk, s->sig[1]);
    }
    p->forms[s->truth.kind]++;
    p->misreads[s->misread] += s->misread != MISREAD_NONE;
    p->caught[s->misread] += s->caught;
    p->photos += s->head.photo;
    p->photo_bytes += (unsigned long long)s->head.photo_blocks * REPLAY_PHOTO_BLOCK;
    const form *counted = s->misread && !s->caught ? &s->shown : &s->truth;
    replay_expect_add(p->expect, EXPECT_TRUTH, s->tps, &s->truth);
    replay_expect_add(p->expect, EXPECT_COUNTED, s->tps, counted);
    if (s->truth.kind == CONTEST_PPWP)
        recap_plan_tps(p->plan, s->tps, counted, s->caught ? 2 : 1);
}

static void prep_flush(prep *p)
{
    par_for(p->nbatch, par_threads(), slot_work, p);
    for (size_t i = 0; i < p->nbatch; i++)
        slot_write(p, &p->batch[i]);
    p->nbatch = 0;
}

static int prep_sink(void *ctx, const form *f)
{
    prep *p = ctx;
    slot *s = &p->batch[p->nbatch++];
    s->truth = *f;
    s->seq = p->seq++;
    if (p->nbatch == PREP_BATCH)
        prep_flush(p);
    return 0;
}

/* The corrections go after every form: each needs its version 1 logged. */
static void append_corrections(prep *p)
{
    char buf[1 << 16];
    size_t n;
    if (fflush(p->corr) != 0 || fseek(p->corr, 0, SEEK_SET) != 0)
        die("corrections", NULL);
    while ((n = fread(buf, 1, sizeof buf, p->corr)) > 0)
        fwrite(buf, 1, n, p->feed);
    for (size_t i = 0; i < p->off[REPLAY_CORRECTIONS].n; i++)
        p->off[REPLAY_CORRECTIONS].at[i] += p->feed_off;
    p->feed_off += p->corr_off;
    fclose(p->corr);
}

static void recap_out(void *ctx, int phase, uint32_t node, const char *text, size_t len)
{
    prep *p = ctx;
    uint8_t sig[64];
    replay_head h = {.len = (uint32_t)len, .phase = (uint8_t)phase};
    entry_sign(text, len, p->rsk[node], sig);
    put_record(p, p->feed, &p->feed_off, &h, text, p->rsk[node] + 32, sig);
    p->recaps[phase]++;
}

static void prep_forms(prep *p)
{
    double t0 = now_s();
    err_info e = {0};
    char tmp[4096];
    p->feed = open_in(p, "feed.bin", "w");
    p->corr = open_in(p, "corrections.tmp", "w+");
    p->master = replay_photos_new(1);
    p->plan = recap_plan_new(p->el);
    p->expect = replay_expect_new(p->el);
    p->batch = mem_alloc(PREP_BATCH * sizeof *p->batch);
    if (gen_forms(p->el, PREP_SEED, (1u << CONTEST_KINDS) - 1, NULL, prep_sink, p, &e) < 0)
        die("generate the forms", &e);
    prep_flush(p);
    append_corrections(p);
    snprintf(tmp, sizeof tmp, "%s/corrections.tmp", p->o.work);
    remove(tmp);
    if (recap_plan_emit(p->plan, recap_out, p) < 0)
        die("recaps", NULL);
    if (ferror(p->feed) || fclose(p->feed) != 0)
        die("write feed.bin", NULL);
    fprintf(stderr, "feed: %u forms, %zu corrections, %zu recaps signed in %.1f s (%.2f GB)\n",
            p->seq, p->off[REPLAY_CORRECTIONS].n,
            p->off[REPLAY_RECAP_KEC].n + p->off[REPLAY_RECAP_KAB].n +
                p->off[REPLAY_RECAP_PROV].n + p->off[REPLAY_RECAP_NATION].n,
            now_s() - t0, (double)p->feed_off / 1e9);
}

static void write_index(prep *p)
{
    FILE *f = open_in(p, "feed.idx", "w");
    for (int ph = 0; ph < REPLAY_PHASES; ph++) {
        uint64_t n = p->off[ph].n;
        fwrite(&n, sizeof n, 1, f);
    }
    for (int ph = 0; ph < REPLAY_PHASES; ph++)
        fwrite(p->off[ph].at, sizeof *p->off[ph].at, p->off[ph].n, f);
    if (fclose(f) != 0)
        die("write feed.idx", NULL);
}

/* ------------------------------------------------------- expected.json */

static void write_counts(const prep *p, FILE *f)
{
    unsigned long forms = 0, mis = 0, caught = 0;
    for (int k = 0; k < CONTEST_KINDS; k++)
        forms += p->forms[k];
    fprintf(f, "\"forms\":%lu,\"forms_by_contest\":{", forms);
    for (int k = 0; k < CONTEST_KINDS; k++)
        fprintf(f, "%s\"%s\":%lu", k ? "," : "", contest_kind_id[k], p->forms[k]);
    fputs("},\n\"misreads_by_kind\":{", f);
    for (int m = 1; m < MISREAD_KINDS; m++) {
        fprintf(f, "%s\"%s\":{\"total\":%lu,\"caught\":%lu}", m > 1 ? "," : "", misread_name[m],
                p->misreads[m], p->caught[m]);
        mis += p->misreads[m];
        caught += p->caught[m];
    }
    fprintf(f, "},\n\"misreads\":%lu,\"misreads_caught\":%lu,\"misreads_undetected\":%lu,\n", mis,
            caught, mis - caught);
    fprintf(f, "\"photos\":%lu,\"photo_bytes\":%llu,\"corrections\":%zu,\"recaps\":{", p->photos,
            p->photo_bytes, p->off[REPLAY_CORRECTIONS].n);
    for (int ph = REPLAY_RECAP_KEC; ph < REPLAY_PHASES; ph++)
        fprintf(f, "%s\"%s\":%lu", ph > REPLAY_RECAP_KEC ? "," : "", replay_phase_name[ph],
                p->recaps[ph]);
    fputs("},\n", f);
}

static void write_expected(const prep *p)
{
    FILE *f = open_in(p, "expected.json", "w");
    fprintf(f, "{\"format\":\"rekap-replay-expected/1\",\"scope\":\"%s\",\"seed\":%d,", p->o.scope,
            PREP_SEED);
    fprintf(f, "\"misread_permille\":%u,\"photo_permille\":%u,\"tps\":%zu,\n", p->o.misread_pm,
            p->o.photo_pm, p->el->ntps);
    write_counts(p, f);
    fputs("\"regions\":", f);
    replay_expect_write(p->expect, f);
    fputs("}\n", f);
    if (ferror(f) || fclose(f) != 0)
        die("write expected.json", NULL);
}

/* ---------------------------------------------------------------- main */

static void prep_free(prep *p)
{
    for (int ph = 0; ph < REPLAY_PHASES; ph++)
        free(p->off[ph].at);
    replay_expect_free(p->expect);
    recap_plan_free(p->plan);
    replay_photos_free(p->master);
    free(p->batch);
    free(p->sk);
    free(p->rsk);
    election_free(p->el);
}

static const char usage[] =
    "usage: replay_prep [--scope CODE|national] [--misread-permille N] [--photo-permille N] "
    "WORK\n";

static int parse_opts(int argc, char **argv, prep_opts *o)
{
    static const struct option lo[] = {{"scope", required_argument, NULL, 's'},
                                       {"misread-permille", required_argument, NULL, 'm'},
                                       {"photo-permille", required_argument, NULL, 'p'},
                                       {NULL, 0, NULL, 0}};
    *o = (prep_opts){.scope = "national", .misread_pm = 20, .photo_pm = 20};
    int c;
    while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
        if (c == 's')
            o->scope = optarg;
        else if (c == 'm' || c == 'p') {
            unsigned long v = strtoul(optarg, NULL, 10);
            if (v > 1000)
                return -1;
            *(c == 'm' ? &o->misread_pm : &o->photo_pm) = (unsigned)v;
        } else
            return -1;
    }
    if (optind != argc - 1)
        return -1;
    o->work = argv[optind];
    return 0;
}

int main(int argc, char **argv)
{
    static prep p;
    if (sodium_init() < 0 || parse_opts(argc, argv, &p.o) < 0) {
        fputs(usage, stderr);
        return 2;
    }
    rng_seed(&p.base, 0x7265706c6179ull ^ PREP_SEED); /* "replay": apart from gen's streams */
    double t0 = now_s();
    prep_election(&p);
    fprintf(stderr, "election: scope %s, %zu TPS\n", p.o.scope, p.el->ntps);
    prep_keys(&p);
    prep_forms(&p);
    write_index(&p);
    write_expected(&p);
    fprintf(stderr, "photos: %lu forms with one (%.2f GB); prepared in %.1f s\n", p.photos,
            (double)p.photo_bytes / 1e9, now_s() - t0);
    prep_free(&p);
    return 0;
}
