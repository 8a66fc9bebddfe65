/* cmd_determine — `rekap determine`: the determination of results
 * (core/determine.h, docs/DETERMINATION.md) of one contest, either from
 * what an election directory's signed log proves (read-only, edir.h) or
 * from a table of votes per dapil and party given as CSV; printed as text,
 * CSV, or (from a directory) the public API's JSON (core/determine_json.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/determine.h"
#include "core/export.h"
#include "core/mem.h"
#include "core/recap.h"
#include "io/file.h"

static const char determine_usage[] =
    "usage: rekap determine --dir DIR --contest K [--csv | --json]\n"
    "       rekap determine --votes FILE --contest dpr|dprd_prov|dprd_kab\n"
    "                       [--threshold PERCENT] [--csv]\n"
    "\n"
    "Determine the result of one contest under UU 7/2017 (docs/DETERMINATION.md):\n"
    "PPWP elected pair or second round, seats per dapil and party by\n"
    "Sainte-Lague and the candidates who take them, the four DPD members.\n"
    "With --dir, from the totals the election directory's signed log proves\n"
    "(read-only). With --votes, from a CSV table `dapil,seats,party,votes`\n"
    "(one row per dapil and party, party by ballot number): seats only.\n"
    "\n"
    "  --dir DIR           election directory\n"
    "  --votes FILE        a table of votes instead\n"
    "  --contest K         ppwp, dpr, dpd, dprd_prov or dprd_kab (required)\n"
    "  --threshold PERCENT with --votes: parliamentary threshold on the\n"
    "                      table's national sum, up to two decimals\n"
    "                      (default 4 for dpr, 0 for dprd_*)\n"
    "  --csv               CSV instead of text\n"
    "  --json              with --dir: the JSON document rekapd serves at\n"
    "                      /api/v1/determination/<contest>.json (docs/API.md)\n"
    "  --data DIR          master data directory\n"
    "  --help              this text\n";

#define DETERMINE_TABLE_FILE_MAX ((size_t)64 << 20)

enum { DETERMINE_TEXT, DETERMINE_CSV, DETERMINE_JSON }; /* what is printed */

/* Print the error in English and in Bahasa Indonesia. */
static void determine_error(const err_info *e)
{
    cli_error(e);
    const char *id = determine_msg_id(e->code);
    if (id)
        fprintf(stderr, "rekap: %s%s%s: %s\n", e->where, *e->where ? ": " : "", e->code, id);
}

/* A CSV text cell, quoted when needed. */
static void determine_cell(const char *s)
{
    char buf[2 * ELECTION_TEXT_MAX + 3];
    size_t n = export_csv_text(s, buf, sizeof buf);
    fwrite(buf, 1, n < sizeof buf ? n : sizeof buf - 1, stdout);
}

/* "3.99" -> 399 basis points; 0..100 with at most two decimals. */
static int determine_percent(const char *s, unsigned *bp)
{
    unsigned long whole = 0, frac = 0;
    unsigned digits = 0, fd = 0;
    for (; *s >= '0' && *s <= '9' && digits < 4; s++, digits++)
        whole = whole * 10 + (unsigned long)(*s - '0');
    if (!digits)
        return -1;
    if (*s == '.')
        for (s++; *s >= '0' && *s <= '9' && fd < 2; s++, fd++)
            frac = frac * 10 + (unsigned long)(*s - '0');
    for (; fd < 2; fd++)
        frac *= 10;
    if (*s || whole * 100 + frac > DETERMINE_BP_MAX)
        return -1;
    *bp = (unsigned)(whole * 100 + frac);
    return 0;
}

/* ----------------------------------------------------------- --votes */

static int determine_votes_file(const char *path, unsigned bp, int csv)
{
    char *buf = NULL;
    size_t len = 0;
    err_info e = {0};
    determine_table *t = NULL;
    if (file_read_all(path, DETERMINE_TABLE_FILE_MAX, &buf, &len, &e) < 0 ||
        determine_table_parse(buf, len, path, &t, &e) < 0) {
        free(buf);
        determine_error(&e);
        return CLI_FAIL;
    }
    free(buf);
    uint16_t *seats = mem_calloc((size_t)t->ndapil * ELECTION_PARTY_MAX, sizeof *seats);
    uint8_t ok[ELECTION_PARTY_MAX];
    int rc = determine_table_seats(t, bp, seats, ok, &e);
    if (rc < 0)
        determine_error(&e);
    else if (csv)
        printf("dapil,party,seats\n");
    else
        printf("threshold %u.%02u%% of the table's valid votes\n", bp / 100, bp % 100);
    for (unsigned d = 0; rc == 0 && d < t->ndapil; d++) {
        const determine_dapil *dp = &t->dapil[d];
        if (!csv)
            printf("\n%s (%u seats)\n  party            votes  seats\n", dp->id, dp->seats);
        for (unsigned p = 0; p < ELECTION_PARTY_MAX; p++) {
            if (!dp->present[p])
                continue;
            unsigned s = seats[(size_t)d * ELECTION_PARTY_MAX + p];
            if (csv) {
                determine_cell(dp->id);
                printf(",%u,%u\n", p + 1, s);
            } else {
                printf("  %5u %15llu  %5u%s\n", p + 1, (unsigned long long)dp->votes[p], s,
                       ok[p] ? "" : "  (below threshold)");
            }
        }
    }
    free(seats);
    determine_table_free(t);
    return rc < 0 ? CLI_FAIL : CLI_OK;
}

/* ------------------------------------------------------------- --dir */

static void determine_print_ppwp(const election *el, const determine_result *r, int csv)
{
    const election_district *ds = &el->district[CONTEST_PPWP][0];
    const determine_ppwp *p = &r->ppwp;
    if (csv)
        printf("pair,name,votes,provinces_20pct,result\n");
    else
        printf("PPWP: %llu valid votes, %u provinces\n", (unsigned long long)p->total, p->nprov);
    for (unsigned i = 0; i < ds->ncand; i++) {
        int runoff = p->outcome == DETERMINE_PPWP_RUNOFF && (p->runoff[0] == i || p->runoff[1] == i);
        const char *res = p->outcome == DETERMINE_PPWP_ELECTED && p->winner == i ? "elected"
                          : runoff                                               ? "runoff"
                                                                                 : "";
        if (csv) {
            printf("%u,", ds->cand[i].no);
            determine_cell(ds->cand[i].name);
            printf(",%llu,%u,%s\n", (unsigned long long)p->votes[i], p->prov20[i], res);
        } else {
            printf("  %02u %-40s %12llu  >=20%% in %2u provinces  %s\n", ds->cand[i].no,
                   ds->cand[i].name, (unsigned long long)p->votes[i], p->prov20[i], res);
        }
    }
    if (csv)
        return;
    if (p->outcome == DETERMINE_PPWP_NO_VOTES)
        printf("no valid vote yet\n");
    else if (p->outcome == DETERMINE_PPWP_ELECTED)
        printf("elected: %02u %s\n", ds->cand[p->winner].no, ds->cand[p->winner].name);
    else
        printf("second round: %02u and %02u\n", ds->cand[p->runoff[0]].no,
               ds->cand[p->runoff[1]].no);
}

/* 1 when candidate c of district dd is elected. */
static int determine_is_elected(const determine_district *dd, unsigned list, unsigned c)
{
    for (unsigned i = 0; i < dd->nelected; i++)
        if (dd->elected[i].list == list && dd->elected[i].cand == c)
            return 1;
    return 0;
}

static void determine_print_dpd(const election *el, const tally *t, const determine_result *r,
                                int csv)
{
    if (csv)
        printf("dapil,candidate,name,votes,elected\n");
    for (uint32_t d = 0; d < r->ndistrict; d++) {
        const election_district *ds = &el->district[CONTEST_DPD][d];
        const determine_district *dd = &r->district[d];
        uint32_t n;
        const uint64_t *v = tally_district(t, CONTEST_DPD, d, &n);
        if (!csv) {
            printf("\n%s %s (%u seats, %llu valid votes)\n", ds->id, ds->name, ds->seats,
                   (unsigned long long)dd->valid);
            for (unsigned i = 0; i < dd->nelected; i++) {
                const election_candidate *c = &ds->cand[dd->elected[i].cand];
                printf("  %u. %02u %-40s %12llu\n", i + 1, c->no, c->name,
                       (unsigned long long)dd->elected[i].votes);
            }
            continue;
        }
        for (unsigned c = 0; c < ds->ncand; c++) {
            determine_cell(ds->id);
            printf(",%u,", ds->cand[c].no);
            determine_cell(ds->cand[c].name);
            printf(",%llu,%d\n", (unsigned long long)v[c],
                   determine_is_elected(dd, UINT16_MAX, c));
        }
    }
}

static void determine_print_lists(const election *el, const determine_result *r, int csv)
{
    contest_kind k = r->kind;
    if (csv) {
        printf("dapil,party,votes,seats,elected\n");
    } else {
        printf("%s: threshold %u.%02u%% of the national valid votes\n", contest_kind_id[k],
               r->threshold_bp / 100, r->threshold_bp % 100);
        for (unsigned p = 0; p < el->nparty && r->threshold_bp; p++)
            printf("  %2u %-16s %10llu  %s\n", el->party[p].no, el->party[p].abbrev,
                   (unsigned long long)r->party_votes[p],
                   r->party_eligible[p] ? "takes part" : "below threshold");
    }
    for (uint32_t d = 0; d < r->ndistrict; d++) {
        const election_district *ds = &el->district[k][d];
        const determine_district *dd = &r->district[d];
        if (!csv)
            printf("\n%s %s (%u seats, %llu valid votes%s)\n", ds->id, ds->name, ds->seats,
                   (unsigned long long)dd->valid, dd->allocated ? "" : ", no seat given yet");
        for (unsigned l = 0; l < ds->nlist; l++) {
            const election_list *li = &ds->list[l];
            if (csv) {
                determine_cell(ds->id);
                printf(",%u,%llu,%u,", li->party, (unsigned long long)dd->list_votes[l],
                       dd->seats[l]);
            } else if (dd->seats[l]) {
                printf("  party %2u %-16s %10llu  %u seat%s:", li->party,
                       election_party_find(el, li->party)->abbrev,
                       (unsigned long long)dd->list_votes[l], dd->seats[l],
                       dd->seats[l] == 1 ? "" : "s");
            } else {
                continue;
            }
            /* the elected of this list, in order of election */
            const char *sep = csv ? "" : " ";
            for (unsigned i = 0; i < dd->nelected; i++) {
                if (dd->elected[i].list != l)
                    continue;
                const election_candidate *c = &li->cand[dd->elected[i].cand];
                if (csv)
                    printf("%s%u", sep, c->no);
                else
                    printf("%s%u %s (%llu)", sep, c->no, c->name,
                           (unsigned long long)dd->elected[i].votes);
                sep = csv ? " " : ", ";
            }
            putchar('\n');
        }
    }
}

/* The result as the JSON document of the public API (core's writer, so
 * the bytes are rekapd's for the same votes). */
static void determine_print_json(const election *el, const determine_json_meta *m,
                                 const determine_result *r)
{
    size_t len;
    char *doc = determine_json_new(el, r, m, &len);
    fwrite(doc, 1, len, stdout);
    free(doc);
}

/* out: DETERMINE_TEXT, DETERMINE_CSV or DETERMINE_JSON. */
static int determine_dir(const char *dir, const char *data, contest_kind k, int out)
{
    edir *d = NULL;
    if (cli_edir_open(dir, cli_data_dir(data), &d))
        return CLI_FAIL;
    const election *el = edir_election(d);
    const tally *t = edir_tally(d);
    determine_result *r = NULL;
    determine_json_meta m;
    uint8_t *fr = NULL;
    err_info e = {0};
    if (recap_determine(edir_recap_book(d), el, t, k, &r, &m, &fr, &e) < 0) {
        determine_error(&e);
        free(fr);
        edir_close(d);
        return CLI_FAIL;
    }
    int csv = out == DETERMINE_CSV;
    if (out == DETERMINE_TEXT) {
        const tally_row *row =
            tally_region(t, k, (uint32_t)el->tree->level_start[REGION_NATIONAL]);
        uint32_t nd = el->ndistrict[k], nr = 0;
        for (uint32_t i = 0; i < nd; i++)
            nr += fr[i];
        printf("from %llu log entries: %u of %u TPS counted%s\n",
               (unsigned long long)edir_log_size(d), row->tps_counted, row->tps_expected,
               m.complete ? "" : " (provisional)");
        printf("votes from signed recaps (D.Hasil): %s%u of %u districts\n\n",
               k == CONTEST_PPWP ? "the nation and every province: " : "", nr, nd);
    }
    if (out == DETERMINE_JSON)
        determine_print_json(el, &m, r);
    else if (k == CONTEST_PPWP)
        determine_print_ppwp(el, r, csv);
    else if (k == CONTEST_DPD)
        determine_print_dpd(el, t, r, csv);
    else
        determine_print_lists(el, r, csv);
    determine_result_free(r);
    free(fr);
    edir_close(d);
    return CLI_OK;
}

/* ------------------------------------------------------------- command */

static int determine_bad(const char *msg, const char *arg)
{
    fprintf(stderr, "rekap determine: %s%s%s\n", msg, arg ? " " : "", arg ? arg : "");
    fputs(determine_usage, stderr);
    return CLI_USAGE;
}

int cmd_determine(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dir", required_argument, 0, 'D'},       {"votes", required_argument, 0, 'v'},
        {"contest", required_argument, 0, 'c'},   {"threshold", required_argument, 0, 't'},
        {"csv", no_argument, 0, 'C'},             {"json", no_argument, 0, 'J'},
        {"data", required_argument, 0, 'd'},      {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *dir = NULL, *votes = NULL, *data = NULL, *threshold = NULL;
    int kind = -1, csv = 0, json = 0, opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D': dir = optarg; break;
        case 'v': votes = optarg; break;
        case 'd': data = optarg; break;
        case 't': threshold = optarg; break;
        case 'C': csv = 1; break;
        case 'J': json = 1; break;
        case 'c':
            if ((kind = contest_kind_parse(optarg)) < 0)
                return determine_bad("--contest: unknown contest", optarg);
            break;
        case 'h': fputs(determine_usage, stdout); return CLI_OK;
        default: fputs(determine_usage, stderr); return CLI_USAGE;
        }
    }
    if (optind != argc)
        return determine_bad("unexpected argument", argv[optind]);
    if (!dir == !votes)
        return determine_bad("give one of --dir and --votes", NULL);
    if (kind < 0)
        return determine_bad("--contest is required", NULL);
    if (csv && json)
        return determine_bad("give one of --csv and --json", NULL);
    if (dir) {
        if (threshold)
            return determine_bad("--threshold goes with --votes (the law fixes it for --dir)", NULL);
        return determine_dir(dir, data, (contest_kind)kind,
                             json ? DETERMINE_JSON : csv ? DETERMINE_CSV : DETERMINE_TEXT);
    }
    if (json)
        return determine_bad("--json goes with --dir", NULL);
    if (!contest_is_party_list((contest_kind)kind))
        return determine_bad("--votes: seats of dpr, dprd_prov or dprd_kab only", NULL);
    unsigned bp = kind == CONTEST_DPR ? DETERMINE_DPR_THRESHOLD_BP : 0;
    if (threshold && determine_percent(threshold, &bp) < 0)
        return determine_bad("--threshold: not a percentage 0..100 with up to two decimals:",
                             threshold);
    return determine_votes_file(votes, bp, csv);
}
