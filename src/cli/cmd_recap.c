/* cmd_recap — `rekap recap`: the recap officer's side of the tiered recap
 * (D.Hasil, core/recap.h). For one unit (a region at a recap level, a
 * contest, a district it touches) of an election directory it drafts the
 * rekap-dhasil/1 text a plenary starts from and the rekap-dkk/1 text of a
 * plenary record; it signs such texts as request bodies for rekapd, or
 * signs and ingests them as the server would (ingest.h); and it shows a
 * unit's signed recap against what its children say now, down to the
 * child and the number where they differ. Everything it reads of a
 * directory comes from its signed log (edir.h); the one signed recap or
 * record `show` takes from the store is used only when its bytes are the
 * log's entry (an inclusion proof from the log's tiles under the
 * checkpoint its key signs). */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/mem.h"
#include "core/note.h"
#include "core/recap.h"
#include "core/region.h"
#include "io/file.h"

static const char recap_usage[] =
    "usage: rekap recap draft  --dir DIR --region CODE --contest K [--district ID]\n"
    "                          [--reason TEXT] [--mark CODE:STATE:REASON]...\n"
    "                          [--correct CODE:FILE[:REASON]]...\n"
    "       rekap recap record --dir DIR --region CODE --contest K [--district ID]\n"
    "                          --kind objection|event --by TEXT --text TEXT\n"
    "       rekap recap sign   --key KEYFILE TEXTFILE...\n"
    "       rekap recap submit --dir DIR --key KEYFILE TEXTFILE...\n"
    "       rekap recap show   --dir DIR --region CODE --contest K [--district ID]\n"
    "\n"
    "The tiered recap (D.Hasil) of one unit: a region at a recap level (kecamatan,\n"
    "kab/kota, province, the nation), a contest and a district it touches.\n"
    "  draft   print the rekap-dhasil/1 text a plenary starts from: the next\n"
    "          version, each child adopted at the version it stands at now (a\n"
    "          child with nothing yet marked pending), the totals their sum\n"
    "  record  print the rekap-dkk/1 text of the unit's next plenary record\n"
    "  sign    print the JSON request body of each signed text, for rekapd\n"
    "  submit  sign each text and ingest it; prints the answer for each\n"
    "  show    the unit's signed recap against what its children say now\n"
    "\n"
    "  --dir DIR          election directory\n"
    "  --region CODE      the unit's region (0, or a province, kab/kota or kecamatan code)\n"
    "  --contest K        ppwp, dpr, dpd, dprd_prov or dprd_kab\n"
    "  --district ID      the district (dapil); needed where the region touches several\n"
    "  --reason TEXT      draft: why the recap is corrected (required for version > 1)\n"
    "  --mark CODE:STATE:REASON\n"
    "                     draft: leave child CODE out of the totals; STATE pending,\n"
    "                     psu or recount\n"
    "  --correct CODE:FILE[:REASON]\n"
    "                     draft: the plenary's own numbers for child CODE, from FILE\n"
    "                     (one line of the unit's numbers, space-separated)\n"
    "  --kind K           record: objection (keberatan saksi) or event (kejadian khusus)\n"
    "  --by TEXT          record: who raised it (1..128 bytes)\n"
    "  --text TEXT        record: what was raised (1..500 bytes)\n"
    "  --key KEYFILE      the recap officer's secret key file\n"
    "  --data DIR         master data directory\n"
    "  --help             this text\n"
    "\n"
    "Exit status: 0 done (submit: every text accepted), 1 sign/submit: some text\n"
    "not signed, rejected or refused, 2 usage (also an unknown region, district\n"
    "or level), 3 the directory, a key or a file could not be read.\n";

/* ------------------------------------------------------------- options */

enum {
    RO_DIR = 1 << 0, RO_REGION = 1 << 1, RO_CONTEST = 1 << 2, RO_DISTRICT = 1 << 3,
    RO_REASON = 1 << 4, RO_MARK = 1 << 5, RO_CORRECT = 1 << 6, RO_KIND = 1 << 7,
    RO_BY = 1 << 8, RO_TEXT = 1 << 9, RO_KEY = 1 << 10, RO_DATA = 1 << 11,
};
#define RO_COUNT 12
static const char *const recap_opt_name[RO_COUNT] = {
    "--dir", "--region", "--contest", "--district", "--reason", "--mark",
    "--correct", "--kind", "--by", "--text", "--key", "--data"};

/* A row of the draft given on the command line (--mark, --correct). */
typedef struct recap_override {
    char *arg;                   /* a copy of the argument, cut into the fields */
    const char *code;
    uint8_t how, state;          /* recap_how, recap_state */
    const char *reason;
    const char *file;            /* correct: the numbers */
} recap_override;

typedef struct recap_opts {
    const char *dir, *data, *region, *contest, *district, *reason, *key, *by, *text;
    int kind;                    /* record_kind, -1 unset */
    unsigned seen;               /* RO_* given */
    recap_override *over;
    unsigned nover;
    size_t capover;
    char **files;
    int nfiles;
} recap_opts;

/* Print the error, in English, then in Bahasa Indonesia for the codes of
 * this command. */
static void recap_error(const err_info *e)
{
    static const struct {
        const char *code, *id;
    } msg_id[] = {
        {"RECAP_CLI_DISTRICT", "wilayah ini masuk beberapa dapil: pilih satu dengan --district"},
        {"RECAP_CLI_CHILD", "kode ini bukan anak (TPS/wilayah di bawah) unit rekapitulasi ini"},
        {"RECAP_CLI_NUMBERS", "berkas angka tidak berisi angka unit ini, dipisah spasi, satu baris"},
        {"RECAP_CLI_VERSION", "sudah 999 versi rekapitulasi: tidak bisa dikoreksi lagi"},
    };
    cli_error(e);
    for (size_t i = 0; i < sizeof msg_id / sizeof msg_id[0]; i++)
        if (e->code && strcmp(e->code, msg_id[i].code) == 0)
            fprintf(stderr, "rekap: %s%s%s: %s\n", e->where, e->where[0] ? ": " : "", e->code,
                    msg_id[i].id);
}

/* --mark CODE:STATE:REASON or --correct CODE:FILE[:REASON]. NULL or why not. */
static const char *recap_take_override(recap_opts *o, int how, const char *arg)
{
    mem_grow((void **)&o->over, &o->capover, o->nover + 1, sizeof *o->over);
    recap_override *w = &o->over[o->nover++];
    memset(w, 0, sizeof *w);
    w->arg = mem_strdup(arg);
    w->how = (uint8_t)how;
    w->code = w->arg;
    char *second = strchr(w->arg, ':');
    char *third = second ? strchr(second + 1, ':') : NULL;
    if (second)
        *second++ = '\0';
    if (third)
        *third++ = '\0';
    if (how == RECAP_MARK) {
        int s = -1;
        for (int j = 0; j < RECAP_STATES && second; j++)
            if (strcmp(second, recap_state_word[j]) == 0)
                s = j;
        if (!third || s < 0)
            return "--mark takes CODE:STATE:REASON, STATE pending, psu or recount";
        w->state = (uint8_t)s;
        w->reason = third;
    } else {
        if (!second || !*second)
            return "--correct takes CODE:FILE or CODE:FILE:REASON";
        w->file = second;
        w->reason = third ? third : "Koreksi dalam rapat pleno / corrected in the plenary";
    }
    if (!cli_text_ok(w->reason, ENTRY_REASON_MAX))
        return "a row's reason must be 1 to 500 bytes of UTF-8 text on one line";
    for (unsigned i = 0; i + 1 < o->nover; i++)
        if (strcmp(o->over[i].code, w->code) == 0)
            return "a child is given by --mark or --correct once";
    return NULL;
}

static const char *recap_take(recap_opts *o, int opt, const char *arg)
{
    switch (opt) {
    case 'D': o->dir = arg; break;
    case 'd': o->data = arg; break;
    case 'g': o->region = arg; break;
    case 'c': o->contest = arg; break;
    case 's': o->district = arg; break;
    case 'r': o->reason = arg; break;
    case 'k': o->key = arg; break;
    case 'b': o->by = arg; break;
    case 't': o->text = arg; break;
    case 'K':
        o->kind = !strcmp(arg, record_kind_word[RECORD_OBJECTION]) ? RECORD_OBJECTION
                  : !strcmp(arg, record_kind_word[RECORD_EVENT])   ? RECORD_EVENT
                                                                   : -1;
        return o->kind < 0 ? "--kind takes objection or event" : NULL;
    case 'm': return recap_take_override(o, RECAP_MARK, arg);
    case 'x': return recap_take_override(o, RECAP_CORRECT, arg);
    }
    return NULL;
}

static int recap_draft(recap_opts *o);
static int recap_record(recap_opts *o);
static int recap_sign(recap_opts *o);
static int recap_submit(recap_opts *o);
static int recap_show(recap_opts *o);

#define RO_UNIT (RO_DIR | RO_REGION | RO_CONTEST)
static const struct recap_sub {
    const char *name;
    unsigned need, allow;        /* RO_* required, and allowed besides */
    int files;                   /* takes TEXTFILE... */
    int (*fn)(recap_opts *o);
} recap_subs[] = {
    {"draft", RO_UNIT, RO_DISTRICT | RO_REASON | RO_MARK | RO_CORRECT | RO_DATA, 0, recap_draft},
    {"record", RO_UNIT | RO_KIND | RO_BY | RO_TEXT, RO_DISTRICT | RO_DATA, 0, recap_record},
    {"sign", RO_KEY, 0, 1, recap_sign},
    {"submit", RO_DIR | RO_KEY, RO_DATA, 1, recap_submit},
    {"show", RO_UNIT, RO_DISTRICT | RO_DATA, 0, recap_show},
};

/* The options across each other for subcommand s. NULL or why. */
static const char *recap_check_opts(const struct recap_sub *s, const recap_opts *o,
                                    char *why, size_t cap)
{
    for (int i = 0; i < RO_COUNT; i++) {
        unsigned bit = 1u << i;
        if ((s->need & bit) && !(o->seen & bit))
            snprintf(why, cap, "recap %s needs %s", s->name, recap_opt_name[i]);
        else if ((o->seen & bit) && !((s->need | s->allow) & bit))
            snprintf(why, cap, "%s is not an option of recap %s", recap_opt_name[i], s->name);
        else
            continue;
        return why;
    }
    if (s->files != (o->nfiles > 0))
        return s->files ? "no text files given" : "unexpected arguments after the options";
    if (o->reason && !cli_text_ok(o->reason, ENTRY_REASON_MAX))
        return "--reason must be 1 to 500 bytes of UTF-8 text on one line";
    if (o->by && !cli_text_ok(o->by, KEYS_NAME_MAX))
        return "--by must be 1 to 128 bytes of UTF-8 text on one line";
    if (o->text && !cli_text_ok(o->text, ENTRY_REASON_MAX))
        return "--text must be 1 to 500 bytes of UTF-8 text on one line";
    return NULL;
}

/* Options into *o and the subcommand into *sub; 0, -1 (--help printed) or
 * CLI_USAGE (printed). */
static int recap_parse_args(int argc, char **argv, recap_opts *o, const struct recap_sub **sub)
{
    static const struct option longopts[] = {
        {"dir", required_argument, 0, 'D'},     {"data", required_argument, 0, 'd'},
        {"region", required_argument, 0, 'g'},  {"contest", required_argument, 0, 'c'},
        {"district", required_argument, 0, 's'}, {"reason", required_argument, 0, 'r'},
        {"mark", required_argument, 0, 'm'},    {"correct", required_argument, 0, 'x'},
        {"kind", required_argument, 0, 'K'},    {"by", required_argument, 0, 'b'},
        {"text", required_argument, 0, 't'},    {"key", required_argument, 0, 'k'},
        {"help", no_argument, 0, 'h'},          {0, 0, 0, 0}};
    static const char bits[] = "DgcsrmxKbtkd"; /* the RO_* order */
    char buf[160];
    const char *why = NULL;
    *sub = NULL;
    if (argc >= 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        fputs(recap_usage, stdout);
        return -1;
    }
    for (size_t i = 0; argc >= 2 && i < sizeof recap_subs / sizeof recap_subs[0]; i++)
        if (strcmp(argv[1], recap_subs[i].name) == 0)
            *sub = &recap_subs[i];
    if (!*sub) {
        fprintf(stderr, "rekap recap: %s\n",
                argc < 2 ? "which? draft, record, sign, submit or show" : "unknown subcommand");
        fputs(recap_usage, stderr);
        return CLI_USAGE;
    }
    int opt;
    o->kind = -1;
    while (!why && (opt = getopt_long(argc - 1, argv + 1, "", longopts, NULL)) != -1) {
        const char *bit = opt ? strchr(bits, opt) : NULL;
        if (opt == 'h') {
            fputs(recap_usage, stdout);
            return -1;
        }
        if (!bit) {
            fputs(recap_usage, stderr);
            return CLI_USAGE;
        }
        o->seen |= 1u << (bit - bits);
        why = recap_take(o, opt, optarg);
    }
    o->files = argv + 1 + optind;
    o->nfiles = argc - 1 - optind;
    if (!why)
        why = recap_check_opts(*sub, o, buf, sizeof buf);
    if (why) {
        fprintf(stderr, "rekap recap %s: %s\n", (*sub)->name, why);
        fputs(recap_usage, stderr);
        return CLI_USAGE;
    }
    return 0;
}

int cmd_recap(int argc, char **argv)
{
    recap_opts o = {0};
    const struct recap_sub *sub;
    int rc = recap_parse_args(argc, argv, &o, &sub);
    if (rc == 0)
        rc = sub->fn(&o);
    for (unsigned i = 0; i < o.nover; i++)
        free(o.over[i].arg);
    free(o.over);
    return rc < 0 ? CLI_OK : rc;
}

/* ------------------------------------------------------------- the unit */

/* The unit the options name (--region, --contest, --district): without
 * --district, the one district the region touches. Prints the error;
 * 0 or CLI_USAGE. */
static int recap_unit_of_opts(const election *el, const recap_opts *o, recap_unit *u)
{
    err_info e = {0};
    int k = contest_kind_parse(o->contest);
    if (k < 0) {
        fprintf(stderr, "rekap recap: --contest takes ppwp, dpr, dpd, dprd_prov or dprd_kab\n");
        return CLI_USAGE;
    }
    uint32_t reg = region_find(el->tree, o->region);
    int rc = 0;
    if (reg == REGION_NONE)
        rc = err_set(&e, ERR_NOTFOUND, "RECAP_REGION_UNKNOWN", "--region",
                     "no region %s in this election", o->region);
    else if (o->district)
        rc = recap_unit_find(el, el->tree->node[reg].code, (contest_kind)k, o->district, u, &e);
    if (rc < 0 || o->district) {
        if (rc < 0)
            recap_error(&e);
        return rc < 0 ? CLI_USAGE : 0;
    }
    uint32_t *ds = NULL;
    uint32_t n = recap_districts(el, reg, (contest_kind)k, &ds);
    rc = recap_unit_at(el, reg, (contest_kind)k, n ? ds[0] : 0, u, &e); /* the level first */
    if (rc == 0 && n > 1) {
        rc = err_set(&e, ERR_INVALID, "RECAP_CLI_DISTRICT", "--district",
                     "region %s touches %u %s districts: give one with --district",
                     el->tree->node[reg].code, n, contest_kind_id[k]);
        recap_error(&e);
        for (uint32_t i = 0; i < n; i++)
            fprintf(stderr, "  %s  %s\n", el->district[k][ds[i]].id, el->district[k][ds[i]].name);
    } else if (rc < 0 && n == 0 && strcmp(e.code, "RECAP_LEVEL") != 0) {
        err_set(&e, ERR_NOTFOUND, "RECAP_UNIT_UNKNOWN", "--region",
                "no %s district reaches region %s", contest_kind_id[k], el->tree->node[reg].code);
        recap_error(&e);
    } else if (rc < 0) {
        recap_error(&e);
    }
    free(ds);
    return rc < 0 ? CLI_USAGE : 0;
}

/* The directory read from its signed log, and the unit the options name. */
static int recap_open_unit(const recap_opts *o, edir **d, recap_unit *u)
{
    int rc = cli_edir_open(o->dir, cli_data_dir(o->data), d);
    if (rc == 0 && (rc = recap_unit_of_opts(edir_election(*d), o, u)) != 0) {
        edir_close(*d);
        *d = NULL;
    }
    return rc;
}

/* The head of a unit's texts: region, contest and district. */
static void recap_head(const election *el, const recap_unit *u, char *code, contest_kind *k,
                       char *district)
{
    snprintf(code, REGION_CODE_MAX, "%s", el->tree->node[u->region].code);
    *k = u->kind;
    snprintf(district, ELECTION_TEXT_MAX + 1, "%s", el->district[u->kind][u->district].id);
}

/* Encode en, check it reads back (the one spelling; a text the parser
 * refuses is never printed) and print it. 0 or CLI_FAIL. */
static int recap_print_text(const recap_entry *en)
{
    char *buf = mem_alloc(ENTRY_MAX + 1);
    size_t n = recap_submission_encode(en, buf, ENTRY_MAX + 1);
    recap_entry back;
    err_info e = {0};
    int rc = n > ENTRY_MAX ? err_set(&e, ERR_LIMIT, "RECAP_TOO_LARGE", "", "over %d bytes",
                                     ENTRY_MAX)
                           : recap_submission_parse(buf, n, &back, &e);
    if (rc == 0) {
        recap_entry_free(&back);
        fwrite(buf, 1, n, stdout);
    } else {
        recap_error(&e);
    }
    free(buf);
    return rc < 0 ? CLI_FAIL : 0;
}

/* ---------------------------------------------------------------- draft */

/* The numbers of --correct's FILE: the unit's width of them, one line. */
static int recap_read_numbers(const recap_override *w, uint32_t width, uint64_t *out)
{
    err_info e = {0};
    char *buf = NULL;
    size_t len = 0;
    if (file_read_all(w->file, ENTRY_MAX, &buf, &len, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    uint32_t n = 0;
    const char *p = buf, *stop = buf + len - (len && buf[len - 1] == '\n'); /* one line */
    int ok = 1;
    while (ok && p < stop) {
        char *end;
        unsigned long long x = 0;
        ok = *p >= '0' && *p <= '9' && n < width;
        if (ok) {
            x = strtoull(p, &end, 10);
            ok = x <= RECAP_VALUE_MAX && (end == stop || *end == ' ');
            out[n++] = x;
            p = end + (end < stop);
        }
    }
    free(buf);
    if (ok && n == width)
        return 0;
    err_set(&e, ERR_INVALID, "RECAP_CLI_NUMBERS", w->file,
            "not %u numbers 0..2^53 on one line, space-separated: the numbers of this unit",
            width);
    recap_error(&e);
    return CLI_FAIL;
}

/* Row i of the draft: the override given for it, else adopt the version
 * the child stands at, else pending. Adds its value to the totals. */
static int recap_draft_row(const recap_opts *o, const recap_child *c, recap_row *w,
                           uint32_t width, uint64_t *totals, unsigned *used)
{
    const recap_override *ov = NULL;
    for (unsigned j = 0; j < o->nover; j++)
        if (strcmp(o->over[j].code, w->code) == 0)
            ov = &o->over[j];
    const uint64_t *v = NULL;
    if (ov) {
        (*used)++;
        w->how = ov->how;
        w->state = ov->state;
        w->reason = mem_strdup(ov->reason);
        if (ov->how == RECAP_CORRECT) {
            w->numbers = mem_calloc(width, sizeof *w->numbers);
            if (recap_read_numbers(ov, width, w->numbers))
                return CLI_FAIL;
            v = w->numbers;
        }
    } else if (c->version) {
        w->how = RECAP_ADOPT;
        w->version = c->version;
        v = c->numbers;
    } else {
        w->how = RECAP_MARK;
        w->state = RECAP_PENDING;
        w->reason = mem_strdup(c->status == RECAP_CHILD_REJECTED
                                   ? "Rekapitulasinya ditolak, belum ada yang sah / "
                                     "its recap was rejected, none accepted yet"
                                   : "Belum ada hasil / no result yet");
    }
    for (uint32_t f = 0; v && f < width; f++)
        totals[f] += v[f];
    return 0;
}

/* Every --mark and --correct must name a child. */
static int recap_overrides_used(const recap_opts *o, const recap_entry *en, unsigned used)
{
    if (used == o->nover)
        return 0;
    for (unsigned j = 0; j < o->nover; j++) {
        uint32_t i = 0;
        while (i < en->recap.nrow && strcmp(en->recap.row[i].code, o->over[j].code))
            i++;
        if (i == en->recap.nrow) {
            err_info e;
            err_set(&e, ERR_NOTFOUND, "RECAP_CLI_CHILD", o->over[j].code,
                    "not a child of the unit %s %s %s", en->recap.region,
                    contest_kind_id[en->recap.kind], en->recap.district);
            recap_error(&e);
        }
    }
    return CLI_USAGE;
}

/* The version the draft is: the latest logged + 1, with --reason from 2 on. */
static int recap_draft_version(const recap_opts *o, const recap_state_of *s, recap *r)
{
    err_info e = {0};
    r->version = s->latest + 1;
    if (r->version > ENTRY_VERSION_MAX) {
        err_set(&e, ERR_LIMIT, "RECAP_CLI_VERSION", "version", "version %u is logged, the last",
                s->latest);
        recap_error(&e);
        return CLI_FAIL;
    }
    if ((r->version > 1) != (o->reason != NULL)) {
        fprintf(stderr, "rekap recap draft: %s\n",
                o->reason ? "--reason is only for a correction: no version of this recap is "
                            "logged yet"
                          : "this recap is a correction (a version is logged): give --reason");
        return CLI_USAGE;
    }
    snprintf(r->reason, sizeof r->reason, "%s", o->reason ? o->reason : "");
    return 0;
}

static int recap_draft(recap_opts *o)
{
    edir *d = NULL;
    recap_unit u;
    int rc = recap_open_unit(o, &d, &u);
    if (rc)
        return rc;
    const election *el = edir_election(d);
    recap_entry en = {.type = SIGNED_RECAP};
    recap *r = &en.recap;
    recap_child *ch = NULL;
    uint32_t n = 0;
    err_info e = {0};
    recap_head(el, &u, r->region, &r->kind, r->district);
    rc = recap_draft_version(o, recap_book_get(edir_recap_book(d), &u), r);
    if (rc == 0 && edir_recap_children(d, &u, &ch, &n, &e) < 0) {
        cli_error(&e);
        rc = CLI_FAIL;
    }
    if (rc == 0) {
        unsigned used = 0;
        r->width = u.width;
        r->row = mem_calloc(n ? n : 1, sizeof *r->row);
        r->totals = mem_calloc(u.width, sizeof *r->totals);
        for (uint32_t i = 0; i < n && rc == 0; i++, r->nrow++) {
            snprintf(r->row[i].code, sizeof r->row[i].code, "%s", el->tree->node[ch[i].node].code);
            rc = recap_draft_row(o, &ch[i], &r->row[i], u.width, r->totals, &used);
        }
        if (rc == 0)
            rc = recap_overrides_used(o, &en, used);
    }
    if (rc == 0)
        rc = recap_print_text(&en);
    recap_children_free(ch, n);
    recap_entry_free(&en);
    edir_close(d);
    return rc;
}

/* --------------------------------------------------------------- record */

static int recap_record(recap_opts *o)
{
    edir *d = NULL;
    recap_unit u;
    int rc = recap_open_unit(o, &d, &u);
    if (rc)
        return rc;
    recap_entry en = {.type = SIGNED_RECORD};
    record *c = &en.record;
    const recap_state_of *s = recap_book_get(edir_recap_book(d), &u);
    recap_head(edir_election(d), &u, c->region, &c->kind, c->district);
    c->number = s->records + 1;
    c->recap = s->latest;
    c->what = (uint8_t)o->kind;
    snprintf(c->by, sizeof c->by, "%s", o->by);
    snprintf(c->text, sizeof c->text, "%s", o->text);
    rc = recap_print_text(&en);
    edir_close(d);
    return rc;
}

/* ------------------------------------------------------- sign, submit */

/* A text file: a rekap-dhasil/1 or rekap-dkk/1 text in its one spelling,
 * into *buf (caller frees) and *rx (recap_entry_free). A parse error's
 * where is the line, a read error's the file. */
static int recap_read_text(const char *path, char **buf, size_t *len, recap_entry *rx,
                           err_info *e)
{
    int rc = file_read_all(path, ENTRY_MAX, buf, len, e);
    if (rc == 0 && (rc = recap_submission_parse(*buf, *len, rx, e)) < 0) {
        free(*buf);
        *buf = NULL;
    }
    return rc;
}

static int recap_load_key(const char *path, keys_file *k)
{
    err_info e = {0};
    if (cli_key_read(path, 1, k, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    return 0;
}

static int recap_sign(recap_opts *o)
{
    keys_file key = {0};
    int rc = recap_load_key(o->key, &key);
    unsigned long failed = 0;
    for (int i = 0; rc == 0 && i < o->nfiles; i++) {
        char *buf;
        size_t len;
        recap_entry rx;
        err_info e = {0};
        if (recap_read_text(o->files[i], &buf, &len, &rx, &e) < 0) {
            if (strcmp(e.where, o->files[i]) != 0)
                cli_error_within(&e, o->files[i]);
            cli_error(&e);
            failed++;
            continue;
        }
        uint8_t sig[KEYS_SIG_LEN];
        entry_sign(buf, len, key.sk, sig);
        cli_print_signed(buf, len, &key, sig);
        recap_entry_free(&rx);
        free(buf);
    }
    sodium_memzero(&key, sizeof key);
    return rc ? rc : failed ? CLI_FOUND : CLI_OK;
}

/* One submitted text waiting for the writer's answer. */
typedef struct recap_wait {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    ingest_status status;
} recap_wait;

/* "<file>: <region> <contest> <district> v<N>: " (a record: "record <N>"). */
static void recap_print_head(const char *file, const recap_entry *rx)
{
    if (!rx) {
        printf("%s: ", file);
        return;
    }
    if (rx->type == SIGNED_RECAP)
        printf("%s: %s %s %s v%u: ", file, rx->recap.region, contest_kind_id[rx->recap.kind],
               rx->recap.district, rx->recap.version);
    else
        printf("%s: %s %s %s record %u: ", file, rx->record.region,
               contest_kind_id[rx->record.kind], rx->record.district, rx->record.number);
}

static void recap_print_refused(const err_info *e)
{
    printf("refused %s: %s%s%s\n", e->code ? e->code : "ERROR", e->where,
           e->where[0] ? ": " : "", e->msg);
}

/* The writer's answer (from its thread; the hits are valid only now):
 * the line's end, then each rule hit in English and Bahasa Indonesia. */
static void recap_submit_done(void *ctx, const ingest_result *r)
{
    recap_wait *w = ctx;
    const char *dup = r->duplicate ? " (duplicate)" : "";
    if (r->status == INGEST_ACCEPTED)
        printf("accepted #%llu%s\n", (unsigned long long)r->index, dup);
    else if (r->status == INGEST_REJECTED)
        printf("rejected #%llu %s%s\n", (unsigned long long)r->index, r->codes, dup);
    else
        recap_print_refused(&r->err);
    for (unsigned i = 0; i < r->nhits; i++) {
        char msg[512];
        const char *code = rules_def(r->hits[i].id)->code;
        rules_hit_message(&r->hits[i], "en", msg, sizeof msg);
        printf("  %s: %s\n", code, msg);
        rules_hit_message(&r->hits[i], "id", msg, sizeof msg);
        printf("  %s: %s\n", code, msg);
    }
    fflush(stdout);
    pthread_mutex_lock(&w->lock);
    w->status = r->status;
    w->done = 1;
    pthread_cond_signal(&w->cond);
    pthread_mutex_unlock(&w->lock);
}

/* Sign one text, prepare and queue it, wait for its answer (each text is
 * decided against everything before it, in the order given). */
static ingest_status recap_submit_one(ingest *in, const keys_file *key, const char *file)
{
    char *buf = NULL;
    size_t len = 0;
    recap_entry rx;
    err_info e = {0};
    ingest_job *job = NULL;
    int parsed = recap_read_text(file, &buf, &len, &rx, &e) == 0;
    if (!parsed && strcmp(e.where, file) == 0)
        e.where[0] = '\0'; /* the line names the file already */
    recap_print_head(file, parsed ? &rx : NULL);
    if (parsed) {
        uint8_t sig[KEYS_SIG_LEN];
        entry_sign(buf, len, key->sk, sig);
        ingest_prepare(in, buf, len, key->pk, sig, &job, &e);
    }
    recap_wait w = {.status = INGEST_REFUSED};
    if (job) {
        pthread_mutex_init(&w.lock, NULL);
        pthread_cond_init(&w.cond, NULL);
        if (ingest_enqueue(in, job, 1, recap_submit_done, &w) == 0) {
            pthread_mutex_lock(&w.lock);
            while (!w.done)
                pthread_cond_wait(&w.cond, &w.lock);
            pthread_mutex_unlock(&w.lock);
        } else {
            err_set(&e, ERR_LIMIT, "INGEST_BUSY", "", "the ingest is shutting down");
        }
        pthread_mutex_destroy(&w.lock);
        pthread_cond_destroy(&w.cond);
    }
    if (!w.done)
        recap_print_refused(&e);
    if (parsed)
        recap_entry_free(&rx);
    free(buf);
    return w.status;
}

static int recap_submit(recap_opts *o)
{
    keys_file key = {0};
    ingest *in = NULL;
    int rc = recap_load_key(o->key, &key);
    if (rc == 0)
        rc = cli_ingest_open(o->dir, cli_data_dir(o->data), &in);
    if (rc) {
        sodium_memzero(&key, sizeof key);
        return rc;
    }
    unsigned long n[3] = {0};   /* by ingest_status */
    for (int i = 0; i < o->nfiles; i++)
        n[recap_submit_one(in, &key, o->files[i])]++;
    ingest_close(in);
    sodium_memzero(&key, sizeof key);
    printf("texts %d: accepted %lu, rejected %lu, refused %lu\n", o->nfiles,
           n[INGEST_ACCEPTED], n[INGEST_REJECTED], n[INGEST_REFUSED]);
    return n[INGEST_REJECTED] || n[INGEST_REFUSED] ? CLI_FOUND : CLI_OK;
}

/* ----------------------------------------------------------------- show */

/* show reads the signed texts the book does not keep (a recap's rows, a
 * record's words) from the store, each checked against the log the read
 * side replayed (edir_recap_entry). */
typedef struct recap_show_ctx {
    const election *el;
    edir *d;
    recap_unit u;
    const recap *r;              /* the signed recap compared, or NULL */
    recap_child *ch;
    uint32_t n;
    uint64_t **row;              /* what each row of r stands for (width numbers) */
} recap_show_ctx;

static const char *const recap_child_word[4] = {"none", "counted", "signed", "rejected"};

/* What adopted version v of child c stood for: the TPS's form or the
 * child region's recap of that version; zero when the log has none. */
static int recap_show_adopted(recap_show_ctx *s, const recap_child *c, uint32_t v, uint64_t *out,
                              err_info *e)
{
    int rc = edir_recap_adopted(s->d, &s->u, c->node, v, out, e);
    return rc == ERR_NOTFOUND ? 0 : rc;
}

/* What each row of the compared recap stands for: its own numbers
 * (correct), nothing (mark), the child's numbers of the version adopted. */
static int recap_show_rows(recap_show_ctx *s, err_info *e)
{
    s->row = mem_calloc(s->n ? s->n : 1, sizeof *s->row);
    for (uint32_t i = 0; i < s->n; i++) {
        const recap_row *w = &s->r->row[i];
        const uint64_t *v = recap_row_value(s->r, i, s->ch);
        s->row[i] = mem_calloc(s->u.width, sizeof **s->row);
        if (v)
            memcpy(s->row[i], v, s->u.width * sizeof *v);
        else if (w->how == RECAP_ADOPT &&
                 recap_show_adopted(s, &s->ch[i], w->version, s->row[i], e) < 0)
            return -1;
    }
    return 0;
}

/* The unit and its status: none, signed vN, or rejected vN with codes. */
static void recap_show_status(const recap_show_ctx *s, const recap_state_of *st,
                              const recap_entry *latest)
{
    const region *rg = &s->el->tree->node[s->u.region];
    printf("unit %s %s (%s), %s, district %s\n", rg->code, rg->name,
           region_level_name[rg->level], contest_kind_id[s->u.kind],
           s->el->district[s->u.kind][s->u.district].id);
    if (!st->latest)
        printf("recap: none signed\n");
    else if (st->latest_ok)
        printf("recap: signed v%u, log #%llu\n", st->latest, (unsigned long long)st->index);
    else
        printf("recap: rejected v%u %s%s\n", st->latest, latest ? latest->codes : "?",
               st->accepted ? "; the last accepted stands:" : "");
    if (st->accepted && !st->latest_ok)
        printf("recap: signed v%u, log #%llu\n", st->accepted, (unsigned long long)st->index);
}

static void recap_show_children(const recap_show_ctx *s)
{
    printf("children %u:\n", s->n);
    for (uint32_t i = 0; i < s->n; i++) {
        const recap_child *c = &s->ch[i];
        printf("  %-13s  %-8s", s->el->tree->node[c->node].code, recap_child_word[c->status]);
        if (c->version)
            printf(" v%-3u", c->version);
        else
            printf("     ");
        const recap_row *w = s->r ? &s->r->row[i] : NULL;
        if (w && w->how == RECAP_ADOPT)
            printf("  adopt v%u%s", w->version, w->version != c->version ? " (stale)" : "");
        else if (w && w->how == RECAP_MARK)
            printf("  mark %s", recap_state_word[w->state]);
        else if (w)
            printf("  correct");
        printf("\n");
    }
}

/* Why child i of the compared recap says `says` where its row stands for
 * another number. */
static void recap_show_child_diff(const recap_show_ctx *s, uint32_t i, uint32_t f, uint64_t says)
{
    const recap_row *w = &s->r->row[i];
    const recap_child *c = &s->ch[i];
    printf("    %s: ", s->el->tree->node[c->node].code);
    if (w->how == RECAP_MARK)
        printf("marked %s", recap_state_word[w->state]);
    else if (w->how == RECAP_CORRECT)
        printf("corrected %llu", (unsigned long long)s->row[i][f]);
    else
        printf("adopted v%u %llu", w->version, (unsigned long long)s->row[i][f]);
    if (c->version)
        printf(", v%u says %llu\n", c->version, (unsigned long long)says);
    else
        printf(", nothing there now\n");
}

/* Every number where the recap's totals differ from the sum of what the
 * children say now, with the children where it arises. */
static void recap_show_differences(const recap_show_ctx *s)
{
    uint32_t count = 0;
    char name[64];
    for (uint32_t f = 0; f < s->u.width; f++) {
        uint64_t now = 0;
        for (uint32_t i = 0; i < s->n; i++)
            now += s->ch[i].numbers ? s->ch[i].numbers[f] : 0;
        if (now == s->r->totals[f])
            continue;
        if (count++ == 0)
            printf("differences of v%u's totals from what the children say now:\n",
                   s->r->version);
        recap_field_name(s->el, s->u.kind, s->u.district, f, name, sizeof name);
        printf("  %s: signed %llu, the children say %llu\n", name,
               (unsigned long long)s->r->totals[f], (unsigned long long)now);
        for (uint32_t i = 0; i < s->n; i++) {
            uint64_t says = s->ch[i].numbers ? s->ch[i].numbers[f] : 0;
            if (s->row[i][f] != says)
                recap_show_child_diff(s, i, f, says);
        }
    }
    if (!count)
        printf("differences: none, v%u's totals are what the children say now\n",
               s->r->version);
}

static int recap_show_records(const recap_show_ctx *s, uint32_t records, err_info *e)
{
    printf("records %u:\n", records);
    for (uint32_t i = 1; i <= records; i++) {
        recap_entry rx;
        if (edir_recap_entry(s->d, &s->u, SIGNED_RECORD, i, &rx, NULL, e) < 0)
            return -1;
        printf("  #%u %s (recap v%u) by \"%s\": \"%s\"\n", i, record_kind_word[rx.record.what],
               rx.record.recap, rx.record.by, rx.record.text);
        recap_entry_free(&rx);
    }
    return 0;
}

/* The recap compared: the latest accepted, else the latest logged. */
static int recap_show_unit(recap_show_ctx *s, edir *d, err_info *e)
{
    const recap_state_of *st = recap_book_get(edir_recap_book(d), &s->u);
    recap_entry latest = {0}, cmp = {0};
    int rc = st->latest ? edir_recap_entry(d, &s->u, SIGNED_RECAP, st->latest, &latest, NULL, e)
                        : 0;
    if (rc == 0 && st->accepted && st->accepted != st->latest)
        rc = edir_recap_entry(d, &s->u, SIGNED_RECAP, st->accepted, &cmp, NULL, e);
    if (rc == 0)
        rc = edir_recap_children(d, &s->u, &s->ch, &s->n, e);
    if (rc == 0) {
        s->r = cmp.recap.totals ? &cmp.recap : st->latest ? &latest.recap : NULL;
        rc = s->r ? recap_show_rows(s, e) : 0;
    }
    if (rc == 0) {
        recap_show_status(s, st, st->latest ? &latest : NULL);
        recap_show_children(s);
        if (s->r)
            recap_show_differences(s);
        else
            printf("differences: no recap signed to compare\n");
        rc = recap_show_records(s, st->records, e);
    }
    for (uint32_t i = 0; s->row && i < s->n; i++)
        free(s->row[i]);
    free(s->row);
    recap_children_free(s->ch, s->n);
    recap_entry_free(&latest);
    recap_entry_free(&cmp);
    return rc;
}

static int recap_show(recap_opts *o)
{
    edir *d = NULL;
    recap_show_ctx s = {0};
    err_info e = {0};
    int rc = recap_open_unit(o, &d, &s.u);
    if (rc)
        return rc;
    s.el = edir_election(d);
    s.d = d;
    if (recap_show_unit(&s, d, &e) < 0) {
        fflush(stdout);
        cli_error(&e);
        rc = CLI_FAIL;
    }
    edir_close(d);
    return rc;
}
