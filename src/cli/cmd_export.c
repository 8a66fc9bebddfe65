/* cmd_export — `rekap export`: what an election directory counts, as CSV
 * for spreadsheets and independent checks, read-only from its signed log
 * (edir.h). Per TPS the rows are the forms counted, each the signed entry
 * the log holds; per region they are the totals of the log's replay.
 * With --format nist the same TPS figures as NIST SP 1500-100 v2 JSON
 * (core/nist.h). docs/CLI.md lists the columns and the mapping. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "core/entry.h"
#include "core/export.h"
#include "core/mem.h"
#include "core/nist.h"

static const char export_usage[] =
    "usage: rekap export --dir DIR [options]\n"
    "\n"
    "Write the counted results of the election directory DIR as CSV on\n"
    "standard output: one row per TPS with a counted form (the latest\n"
    "accepted version), or one row per region of a level; read-only, from\n"
    "what the directory's signed log has published.\n"
    "\n"
    "  --dir DIR         election directory (required)\n"
    "  --contest K       ppwp (default), dpr, dpd, dprd_prov or dprd_kab\n"
    "  --level LEVEL     tps (default), desa, kecamatan, kabupaten, provinsi\n"
    "                    or nasional\n"
    "  --format F        csv (default) or nist: the NIST SP 1500-100 v2 JSON\n"
    "                    (ElectionReport) of the contest's TPS in --region\n"
    "  --region CODE     only the TPS (or regions of --level) within this region\n"
    "                    (default 0: all); with --format nist the region exported\n"
    "  --date YYYY-MM-DD with --format nist: election day (default 2024-02-14)\n"
    "  --data DIR        master data directory\n"
    "  --help            this text\n";

/* ------------------------------------------------------------ CSV cells */

/* The bytes are core/export.h's, shared with rekapd's export; they are
 * written into one line buffer, grown when a line does not fit (the
 * writers are snprintf-like: a second call only then). */
typedef struct export_line {
    char *p;
    size_t cap;
} export_line;

static char *export_grow(export_line *l, size_t n)
{
    mem_grow((void **)&l->p, &l->cap, n + 1, 1);
    return l->p;
}

/* A text cell (quoted when needed), after a comma unless first. */
static void export_text(export_line *l, const char *s, int first)
{
    size_t n = export_csv_text(s, l->p, l->cap);
    if (n >= l->cap)
        export_csv_text(s, export_grow(l, n), n + 1);
    if (!first)
        putchar(',');
    fwrite(l->p, 1, n, stdout);
}

static void export_num(uint64_t v)
{
    printf(",%llu", (unsigned long long)v);
}

/* The selection part of a header line, line end included. */
static void export_columns(export_line *l, const election *el, contest_kind k)
{
    size_t n = export_csv_columns(el, k, l->p, l->cap);
    if (n >= l->cap)
        export_csv_columns(el, k, export_grow(l, n), n + 1);
    fwrite(l->p, 1, n, stdout);
    putchar('\n');
}

/* ------------------------------------------------------------ TPS rows */

static void export_tps_header(export_line *l, const election *el, contest_kind k)
{
    size_t n = export_csv_header(el, k, l->p, l->cap);
    if (n >= l->cap)
        export_csv_header(el, k, export_grow(l, n), n + 1);
    fwrite(l->p, 1, n, stdout);
}

static void export_tps_row(export_line *l, const election *el, const entry *en)
{
    size_t n = export_csv_row(el, en, l->p, l->cap);
    if (n >= l->cap)
        export_csv_row(el, en, export_grow(l, n), n + 1);
    fwrite(l->p, 1, n, stdout);
}

/* The counted form of each TPS within region node scope, in TPS order:
 * the entry the log holds. */
static int export_tps_rows(edir *d, contest_kind k, uint32_t scope, err_info *e)
{
    const election *el = edir_election(d);
    size_t base = el->tree->level_start[REGION_TPS];
    entry *en = mem_alloc(sizeof *en);
    export_line l = {0};
    export_tps_header(&l, el, k);
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < el->ntps; i++) {
        edir_versions v;
        edir_versions_of(d, i, k, &v);
        if (!v.counted || !region_is_within(el->tree, (uint32_t)(base + i), scope))
            continue;
        rc = edir_counted_entry(d, i, k, en, e);
        if (rc == 0)
            export_tps_row(&l, el, en);
    }
    free(l.p);
    free(en);
    return rc;
}

/* ---------------------------------------------------------- region rows */

/* Selection cells of a region row that mean something: every party; the
 * candidates of the one ballot a region's TPS share (none for DPD above a
 * province, whose rows mix ballots). */
static unsigned export_region_cells(const election *el, contest_kind k, uint32_t r)
{
    if (contest_is_party_list(k))
        return el->nparty;
    const election_district *d = election_region_district(el, k, r);
    return d ? d->ncand : 0;
}

static void export_region_rows(const tally *t, contest_kind k, int level, uint32_t scope)
{
    const election *el = t->el;
    const region_tree *tree = el->tree;
    export_line l = {0};
    printf("code,name,tps_expected,tps_counted,tps_flagged,dpt,voters,valid,invalid");
    export_columns(&l, el, k);
    for (size_t r = tree->level_start[level]; r < tree->level_start[level + 1]; r++) {
        const tally_row *row = tally_region(t, k, (uint32_t)r);
        if (!row->tps_expected || !region_is_within(tree, (uint32_t)r, scope))
            continue;
        export_text(&l, tree->node[r].code, 1);
        export_text(&l, tree->node[r].name, 0);
        export_num(row->tps_expected);
        export_num(row->tps_counted);
        export_num(row->tps_flagged);
        export_num(row->dpt);
        export_num(row->voters);
        export_num(row->valid);
        export_num(row->invalid);
        const uint64_t *sel = tally_region_sel(t, k, (uint32_t)r);
        unsigned cells = export_region_cells(el, k, (uint32_t)r);
        for (unsigned i = 0; i < t->width[k]; i++) {
            if (i < cells)
                export_num(sel[i]);
            else
                putchar(',');
        }
        putchar('\n');
    }
    free(l.p);
}

/* TPS rows (level REGION_TPS) or the region rows of a level, within the
 * region `code`. */
static int export_dir(const char *dir, const char *data, contest_kind k, int level,
                      const char *code)
{
    edir *d = NULL;
    if (cli_edir_open(dir, cli_data_dir(data), &d))
        return CLI_FAIL;
    uint32_t scope = region_find(edir_election(d)->tree, code);
    if (scope == REGION_NONE || edir_election(d)->tree->node[scope].level > level) {
        fprintf(stderr, "rekap export: --region: no region with the code '%s' above the rows\n",
                code);
        edir_close(d);
        return CLI_USAGE;
    }
    err_info e = {0};
    int rc = 0;
    if (level == REGION_TPS)
        rc = export_tps_rows(d, k, scope, &e);
    else
        export_region_rows(edir_tally(d), k, level, scope);
    if (rc < 0)
        cli_error(&e);
    edir_close(d);
    return rc < 0 ? CLI_FAIL : CLI_OK;
}

/* ------------------------------------------------------------ NIST JSON */

/* The counted forms of the TPS inside `code` as NIST SP 1500-100 v2 JSON
 * (core/nist.h): the figures of each counted entry are kept, the document
 * is streamed to stdout. */
static int export_nist(const char *dir, const char *data, contest_kind k, const char *code,
                       const char *date)
{
    edir *d = NULL;
    if (cli_edir_open(dir, cli_data_dir(data), &d))
        return CLI_FAIL;
    const election *el = edir_election(d);
    uint32_t scope = region_find(el->tree, code);
    if (scope == REGION_NONE) {
        fprintf(stderr, "rekap export: --region: no region with the code '%s'\n", code);
        edir_close(d);
        return CLI_USAGE;
    }
    nist_export *x = nist_new(el, k, scope);
    entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    int rc = 0;
    for (uint32_t i = 0; rc == 0 && i < el->ntps; i++) {
        edir_versions v;
        if (!nist_in_scope(x, i))
            continue;
        edir_versions_of(d, i, k, &v);
        if (!v.counted)
            continue;
        rc = edir_counted_entry(d, i, k, en, &e);
        if (rc == 0 && nist_add(x, i, &en->sub.form, en->sub.version) != 0)
            rc = err_set(&e, ERR_INVALID, "EXPORT_NIST_FORM", en->sub.form.tps,
                         "the counted form does not fit its ballot");
    }
    if (rc == 0) {
        char now[32];
        time_t t = time(NULL);
        struct tm tm;
        strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&t, &tm));
        nist_meta m = {.generated = now, .date = date, .log_size = edir_log_size(d)};
        if (nist_write(x, &m, stdout) != 0 || fflush(stdout) != 0)
            rc = err_set(&e, ERR_IO, "FILE_WRITE", "stdout", "cannot write the output");
    }
    if (rc < 0)
        cli_error(&e);
    free(en);
    nist_free(x);
    edir_close(d);
    return rc < 0 ? CLI_FAIL : CLI_OK;
}

/* A date YYYY-MM-DD (digits in place; the month and day in range). */
static int export_date_ok(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return 0;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
            return 0;
    int mon = (s[5] - '0') * 10 + s[6] - '0', day = (s[8] - '0') * 10 + s[9] - '0';
    return mon >= 1 && mon <= 12 && day >= 1 && day <= 31;
}

/* ------------------------------------------------------------- command */

/* A level by its name; the long forms of region_level_name too. */
static int export_level(const char *s)
{
    static const char *const short_name[REGION_LEVELS] = {
        "nasional", "provinsi", "kabupaten", "kecamatan", "desa", "tps"};
    for (int l = 0; l < REGION_LEVELS; l++)
        if (!strcmp(s, short_name[l]) || !strcmp(s, region_level_name[l]))
            return l;
    return -1;
}

int cmd_export(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dir", required_argument, 0, 'D'},   {"contest", required_argument, 0, 'c'},
        {"level", required_argument, 0, 'l'}, {"data", required_argument, 0, 'd'},
        {"format", required_argument, 0, 'f'}, {"region", required_argument, 0, 'r'},
        {"date", required_argument, 0, 't'},  {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *dir = NULL, *data = NULL, *region_code = NULL, *date = NULL;
    int kind = CONTEST_PPWP, level = REGION_TPS, opt, nist = 0, level_set = 0;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D': dir = optarg; break;
        case 'd': data = optarg; break;
        case 'c':
            if ((kind = contest_kind_parse(optarg)) < 0) {
                fprintf(stderr, "rekap export: --contest: unknown contest '%s'\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'l':
            level_set = 1;
            if ((level = export_level(optarg)) < 0) {
                fprintf(stderr, "rekap export: --level: unknown level '%s'\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'f':
            if (!strcmp(optarg, "nist"))
                nist = 1;
            else if (!strcmp(optarg, "csv"))
                nist = 0;
            else {
                fprintf(stderr, "rekap export: --format: unknown format '%s' (csv or nist)\n",
                        optarg);
                return CLI_USAGE;
            }
            break;
        case 'r': region_code = optarg; break;
        case 't':
            if (!export_date_ok(optarg)) {
                fprintf(stderr, "rekap export: --date: not a date YYYY-MM-DD: '%s'\n", optarg);
                return CLI_USAGE;
            }
            date = optarg;
            break;
        case 'h': fputs(export_usage, stdout); return CLI_OK;
        default: fputs(export_usage, stderr); return CLI_USAGE;
        }
    }
    if (!dir || optind != argc) {
        fprintf(stderr, "rekap export: %s\n", !dir ? "--dir is required" : "unexpected argument");
        fputs(export_usage, stderr);
        return CLI_USAGE;
    }
    if (nist ? level_set : date != NULL) {
        fprintf(stderr, "rekap export: %s\n",
                nist ? "--level is for --format csv (nist is per TPS)"
                     : "--date is for --format nist");
        fputs(export_usage, stderr);
        return CLI_USAGE;
    }
    if (nist)
        return export_nist(dir, data, (contest_kind)kind, region_code ? region_code : "0",
                           date ? date : "2024-02-14");
    return export_dir(dir, data, (contest_kind)kind, level, region_code ? region_code : "0");
}
