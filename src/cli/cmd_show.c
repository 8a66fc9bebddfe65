/* cmd_show — `rekap show`: the totals of one region, at any level, for
 * each contest, computed from a set of form files: only forms without hard
 * errors count (rules.h), a second form for the same TPS and contest is
 * reported and left out. Or, with --dir, the totals an election
 * directory's signed log proves, read-only (edir.h): nothing is written
 * and no store column is taken on trust. Prints a table, or JSON with
 * --json. */
#include <assert.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/mem.h"
#include "core/rules.h"
#include "core/tally.h"

static const char show_usage[] =
    "usage: rekap show --election FILE [options] FORMS...\n"
    "       rekap show --dir DIR [options]\n"
    "\n"
    "Add up the C.Hasil forms given (.json or .jsonl) and show a region's\n"
    "totals per contest with its children. Forms with hard errors are left\n"
    "out and counted as rejected; flagged forms count and are shown as such.\n"
    "With --dir, show the totals an election directory's signed log proves\n"
    "instead (read-only: what the log has published).\n"
    "\n"
    "  --election FILE   the election definition (with FORMS)\n"
    "  --dir DIR         an election directory (rekap init), instead\n"
    "  --region CODE     region code (dotted or plain) or a unique name; default 0\n"
    "  --contests LIST   all (default) or e.g. ppwp,dpr\n"
    "  --json            print JSON instead of tables\n"
    "  --data DIR        master data directory\n"
    "  --help            this text\n";

typedef struct show_ctx {
    const election *el;
    tally *t;
    unsigned char *seen;      /* [ntps * CONTEST_KINDS]: a form already counted */
    unsigned long read, counted, flagged, rejected, unreadable, duplicate;
} show_ctx;

static int show_one(void *ctx, const char *where, const form *f, const err_info *perr)
{
    show_ctx *s = ctx;
    s->read++;
    if (!f) {
        s->unreadable++;
        fprintf(stderr, "rekap: %s: %s: %s (left out)\n", where, perr->code, perr->msg);
        return 0;
    }
    rule_report r;
    rules_check(f, s->el, &r);
    uint32_t tps = election_tps_find(s->el, f->tps);
    if (r.nhard || tps == ELECTION_NONE || tally_fits(s->t, f, tps) < 0) {
        s->rejected++;
        return 0;
    }
    unsigned char *seen = &s->seen[(size_t)tps * CONTEST_KINDS + f->kind];
    if (*seen) {
        s->duplicate++;
        fprintf(stderr, "rekap: %s: DUPLICATE_FORM: TPS %s %s already counted (left out)\n",
                where, f->tps, contest_kind_id[f->kind]);
        return 0;
    }
    *seen = 1;
    tally_apply(s->t, f, tps, +1);
    s->counted++;
    if (rules_flagged(&r)) {
        s->flagged++;
        tally_flag(s->t, f->kind, tps, +1);
    }
    return 0;
}

/* Name of selection i of a region row, or NULL where it has none. */
static const char *show_sel_name(const election *el, contest_kind k, uint32_t reg,
                                 unsigned i, char *buf, size_t cap)
{
    if (contest_is_party_list(k)) {
        snprintf(buf, cap, "%u %s", el->party[i].no, el->party[i].abbrev);
        return buf;
    }
    const election_district *d = election_region_district(el, k, reg);
    if (!d || i >= d->ncand)
        return NULL;
    snprintf(buf, cap, "%02u %s", d->cand[i].no, d->cand[i].name);
    return buf;
}

static json_t *show_row_json(const tally *t, contest_kind k, uint32_t r, int with_sel)
{
    const region *rg = &t->el->tree->node[r];
    const tally_row *row = tally_region(t, k, r);
    json_t *o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:I,s:I,s:I,s:I}", "code", rg->code,
                          "name", rg->name, "level", region_level_name[rg->level],
                          "tps_expected", (json_int_t)row->tps_expected, "tps_counted",
                          (json_int_t)row->tps_counted, "tps_flagged", (json_int_t)row->tps_flagged,
                          "dpt", (json_int_t)row->dpt, "voters", (json_int_t)row->voters,
                          "valid", (json_int_t)row->valid, "invalid", (json_int_t)row->invalid);
    if (!with_sel)
        return o;
    json_t *sel = json_array();
    const uint64_t *v = tally_region_sel(t, k, r);
    for (unsigned i = 0; i < t->width[k]; i++) {
        char name[256];
        if (!show_sel_name(t->el, k, r, i, name, sizeof name))
            break;
        json_array_append_new(sel, json_pack("{s:s,s:I}", "name", name, "votes", (json_int_t)v[i]));
    }
    json_object_set_new(o, "selections", sel);
    return o;
}

static json_t *show_contest_json(const tally *t, contest_kind k, uint32_t r)
{
    json_t *o = show_row_json(t, k, r, 1);
    json_object_set_new(o, "contest", json_string(contest_kind_id[k]));
    json_t *kids = json_array();
    const region *rg = &t->el->tree->node[r];
    for (uint32_t c = rg->child; rg->level < REGION_DESA && c < rg->child + rg->nchild; c++)
        if (tally_region(t, k, c)->tps_expected)
            json_array_append_new(kids, show_row_json(t, k, c, 1));
    json_object_set_new(o, "children", kids);
    return o;
}

static void show_pct(char *buf, size_t cap, uint64_t part, uint64_t whole)
{
    if (whole)
        snprintf(buf, cap, "%6.2f%%", 100.0 * (double)part / (double)whole);
    else
        snprintf(buf, cap, "%7s", "-");
}

static void show_contest_text(const tally *t, contest_kind k, uint32_t r)
{
    const tally_row *row = tally_region(t, k, r);
    if (!row->tps_expected)
        return;
    char pct[16];
    show_pct(pct, sizeof pct, row->tps_counted, row->tps_expected);
    printf("\n== %s ==  TPS %u of %u counted (%s), %u flagged\n", contest_kind_id[k],
           row->tps_counted, row->tps_expected, pct, row->tps_flagged);
    printf("   registered %llu, voted %llu, valid %llu, invalid %llu\n",
           (unsigned long long)row->dpt, (unsigned long long)row->voters,
           (unsigned long long)row->valid, (unsigned long long)row->invalid);
    const uint64_t *v = tally_region_sel(t, k, r);
    for (unsigned i = 0; i < t->width[k]; i++) {
        char name[256];
        if (!show_sel_name(t->el, k, r, i, name, sizeof name))
            break;
        show_pct(pct, sizeof pct, v[i], row->valid);
        printf("   %-52.52s %12llu %s\n", name, (unsigned long long)v[i], pct);
    }
    const region *rg = &t->el->tree->node[r];
    if (rg->level >= REGION_DESA)
        return;
    printf("   %-14s %-28s %17s %12s\n", "code", "name", "TPS counted", "valid");
    for (uint32_t c = rg->child; c < rg->child + rg->nchild; c++) {
        const tally_row *cr = tally_region(t, k, c);
        if (!cr->tps_expected)
            continue;
        const region *cg = &t->el->tree->node[c];
        printf("   %-14s %-28.28s %8u/%-8u %12llu\n", cg->code, cg->name, cr->tps_counted,
               cr->tps_expected, (unsigned long long)cr->valid);
    }
}

/* Region by code, or by a name that matches exactly one region. */
static uint32_t show_find_region(const election *el, const char *arg)
{
    uint32_t r = region_find(el->tree, arg);
    if (r != REGION_NONE)
        return r;
    uint32_t hits[2];
    size_t n = region_find_name(el->tree, arg, -1, hits, 2);
    if (n == 1)
        return hits[0];
    fprintf(stderr, "rekap show: region '%s': %s\n", arg,
            n ? "the name matches several regions; give the code" : "no such code or name");
    return REGION_NONE;
}

static void show_print(const show_ctx *s, const tally *t, uint32_t r, unsigned kinds,
                       int as_json)
{
    const region *rg = &s->el->tree->node[r];
    if (!as_json) {
        printf("%s %s (%s)\nforms read %lu: counted %lu (flagged %lu), rejected %lu, "
               "duplicate %lu, unreadable %lu\n",
               rg->code, rg->name, region_level_name[rg->level], s->read, s->counted, s->flagged,
               s->rejected, s->duplicate, s->unreadable);
        for (int k = 0; k < CONTEST_KINDS; k++)
            if (kinds & (1u << k))
                show_contest_text(t, (contest_kind)k, r);
        return;
    }
    json_t *contests = json_array();
    for (int k = 0; k < CONTEST_KINDS; k++)
        if ((kinds & (1u << k)) && tally_region(t, (contest_kind)k, r)->tps_expected)
            json_array_append_new(contests, show_contest_json(t, (contest_kind)k, r));
    json_t *o = json_pack("{s:{s:s,s:s,s:s},s:{s:I,s:I,s:I,s:I,s:I,s:I},s:o}", "region", "code",
                          rg->code, "name", rg->name, "level", region_level_name[rg->level],
                          "forms", "read", (json_int_t)s->read, "counted", (json_int_t)s->counted,
                          "flagged", (json_int_t)s->flagged, "rejected", (json_int_t)s->rejected,
                          "duplicate", (json_int_t)s->duplicate, "unreadable",
                          (json_int_t)s->unreadable, "contests", contests);
    json_dumpf(o, stdout, JSON_INDENT(1) | JSON_PRESERVE_ORDER);
    fputc('\n', stdout);
    json_decref(o);
}

/* The region to show: one above the TPS level. */
static uint32_t show_pick_region(const election *el, const char *arg)
{
    uint32_t r = show_find_region(el, arg);
    if (r != REGION_NONE && el->tree->node[r].level >= REGION_TPS) {
        fprintf(stderr, "rekap show: '%s' is a TPS; give its desa or a higher level\n", arg);
        return REGION_NONE;
    }
    return r;
}

/* The form counts of an election directory, from its log: entries read
 * and rejected, forms counted now (flagged of them), and the accepted
 * entries no longer counted because a correction replaced them
 * (duplicate). */
static void show_dir_forms(const edir *d, show_ctx *s)
{
    const edir_stats *st = edir_stats_of(d);
    const tally *t = edir_tally(d);
    s->read = (unsigned long)st->read;
    s->rejected = (unsigned long)st->rejected;
    for (int k = 0; k < CONTEST_KINDS; k++) {
        s->counted += tally_region(t, (contest_kind)k, 0)->tps_counted;
        s->flagged += tally_region(t, (contest_kind)k, 0)->tps_flagged;
    }
    assert(st->accepted >= s->counted);
    s->duplicate = (unsigned long)st->accepted - s->counted;
}

static int show_dir(const char *dir, const char *data, const char *region_arg, unsigned kinds,
                    int as_json)
{
    edir *d = NULL;
    if (cli_edir_open(dir, cli_data_dir(data), &d))
        return CLI_FAIL;
    show_ctx s = {.el = edir_election(d)};
    uint32_t r = show_pick_region(s.el, region_arg);
    if (r != REGION_NONE) {
        show_dir_forms(d, &s);
        show_print(&s, edir_tally(d), r, kinds, as_json);
    }
    edir_close(d);
    return r == REGION_NONE ? CLI_USAGE : CLI_OK;
}

int cmd_show(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"election", required_argument, 0, 'e'}, {"region", required_argument, 0, 'r'},
        {"contests", required_argument, 0, 'c'}, {"json", no_argument, 0, 'j'},
        {"data", required_argument, 0, 'd'},     {"help", no_argument, 0, 'h'},
        {"dir", required_argument, 0, 'D'},      {0, 0, 0, 0}};
    const char *elpath = NULL, *data = NULL, *region_arg = "0", *dir = NULL;
    unsigned kinds = (1u << CONTEST_KINDS) - 1;
    int as_json = 0, opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'e': elpath = optarg; break;
        case 'D': dir = optarg; break;
        case 'r': region_arg = optarg; break;
        case 'd': data = optarg; break;
        case 'j': as_json = 1; break;
        case 'c':
            if (cli_parse_kinds(optarg, &kinds) < 0) {
                fprintf(stderr, "rekap show: --contests: unknown contest in '%s'\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'h': fputs(show_usage, stdout); return CLI_OK;
        default: fputs(show_usage, stderr); return CLI_USAGE;
        }
    }
    const char *why = NULL;
    if (dir && (elpath || optind < argc))
        why = "--dir takes no --election or form files";
    else if (!dir && !elpath)
        why = "--election (or --dir) is required";
    else if (!dir && optind == argc)
        why = "no form files given";
    if (why) {
        fprintf(stderr, "rekap show: %s\n", why);
        fputs(show_usage, stderr);
        return CLI_USAGE;
    }
    if (dir)
        return show_dir(dir, data, region_arg, kinds, as_json);
    election *el = NULL;
    if (cli_load_election(cli_data_dir(data), elpath, &el))
        return CLI_FAIL;
    int rc = CLI_USAGE;
    uint32_t r = show_pick_region(el, region_arg);
    if (r != REGION_NONE) {
        show_ctx s = {.el = el, .t = tally_new(el)};
        s.seen = mem_calloc(el->ntps ? el->ntps * CONTEST_KINDS : 1, 1);
        cli_forms_each(argv + optind, argc - optind, show_one, &s);
        show_print(&s, s.t, r, kinds, as_json);
        free(s.seen);
        tally_free(s.t);
        rc = CLI_OK;
    }
    election_free(el);
    return rc;
}
