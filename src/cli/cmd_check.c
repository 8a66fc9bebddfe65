/* cmd_check — `rekap check`: validate C.Hasil form files and print every
 * broken rule with its code and message. With --election the forms are
 * also checked against the definition (TPS, ballot, DPT). After all forms
 * are read, each desa's TPS are compared with each other (neighbour rule). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/mem.h"
#include "core/rules.h"

static const char check_usage[] =
    "usage: rekap check [options] FILE...\n"
    "\n"
    "Check C.Hasil forms (a .json file holds one form, a .jsonl file one per\n"
    "line) against every rule of docs/RULES.md and print each broken rule.\n"
    "Exit status: 0 no hard errors, 1 some form has hard errors or cannot be\n"
    "read, 2 usage, 3 the election could not be loaded.\n"
    "\n"
    "  --election FILE   also check against this election definition\n"
    "  --data DIR        master data directory (with --election)\n"
    "  --lang id|en      language of the messages (default id)\n"
    "  --quiet           print only the summary\n"
    "  --help            this text\n";

/* What the neighbour rule needs of one form: kept for every form read. */
typedef struct check_turnout {
    uint64_t desa;       /* the TPS code without its 3-digit number */
    uint16_t tps_no;
    uint8_t kind;
    float pct;
} check_turnout;

typedef struct check_ctx {
    const election *el;
    const char *lang;
    int quiet;
    unsigned long forms, clean, hard, soft, unreadable;
    check_turnout *turnout;
    size_t nturnout, capturnout;
} check_ctx;

static void check_print_hit(const check_ctx *c, const char *where, const char *tps,
                            contest_kind k, const rule_hit *h)
{
    if (c->quiet)
        return;
    const rule_def *d = rules_def(h->id);
    char msg[512];
    rules_hit_message(h, c->lang, msg, sizeof msg);
    printf("%s: %s %s: %s (%s): %s\n", where, tps, contest_kind_id[k], d->code,
           d->severity == RULE_HARD ? "error" : "flag", msg);
}

static void check_keep_turnout(check_ctx *c, const form *f)
{
    if (f->dpt.total == 0)
        return;
    mem_grow((void **)&c->turnout, &c->capturnout, c->nturnout + 1, sizeof *c->turnout);
    check_turnout *t = &c->turnout[c->nturnout++];
    t->desa = strtoull(f->tps, NULL, 10) / 1000;
    t->tps_no = (uint16_t)(strtoull(f->tps, NULL, 10) % 1000);
    t->kind = (uint8_t)f->kind;
    t->pct = (float)(100.0 * f->b4.total / f->dpt.total);
}

static int check_one(void *ctx, const char *where, const form *f, const err_info *perr)
{
    check_ctx *c = ctx;
    c->forms++;
    if (!f) {
        c->unreadable++;
        if (!c->quiet)
            printf("%s: %s%s%s: %s\n", where, perr->where, perr->where[0] ? ": " : "",
                   perr->code, perr->msg);
        return 0;
    }
    rule_report r;
    rules_check(f, c->el, &r);
    for (unsigned i = 0; i < r.nhit; i++)
        check_print_hit(c, where, f->tps, f->kind, &r.hit[i]);
    if (r.truncated && !c->quiet)
        printf("%s: %u more rule hits not shown\n", where, r.truncated);
    c->hard += r.nhard > 0;
    c->soft += r.nhard == 0 && rules_flagged(&r);
    c->clean += r.nhard == 0 && !rules_flagged(&r);
    if (r.nhard == 0)
        check_keep_turnout(c, f);
    return 0;
}

static int check_turnout_cmp(const void *a, const void *b)
{
    const check_turnout *x = a, *y = b;
    if (x->kind != y->kind)
        return x->kind - y->kind;
    if (x->desa != y->desa)
        return x->desa < y->desa ? -1 : 1;
    return x->tps_no - y->tps_no;
}

/* Neighbour rule over each (contest, desa) group of forms read. */
static unsigned long check_neighbours(check_ctx *c)
{
    if (c->nturnout)
        qsort(c->turnout, c->nturnout, sizeof *c->turnout, check_turnout_cmp);
    unsigned long flagged = 0;
    double pct[1000];
    unsigned char flag[1000];
    for (size_t i = 0, j; i < c->nturnout; i = j) {
        for (j = i; j < c->nturnout && j - i < 1000 && c->turnout[j].kind == c->turnout[i].kind &&
                    c->turnout[j].desa == c->turnout[i].desa;
             j++)
            pct[j - i] = c->turnout[j].pct;
        rules_neighbour_outliers(pct, j - i, 0.30, flag);
        for (size_t m = i; m < j; m++) {
            if (!flag[m - i])
                continue;
            flagged++;
            char tps[32];
            snprintf(tps, sizeof tps, "%010llu%03u", (unsigned long long)c->turnout[m].desa,
                     c->turnout[m].tps_no);
            rule_hit h = {.id = RULE_NEIGHBOUR_OUTLIER};
            snprintf(h.detail, sizeof h.detail, "turnout %.1f%%", c->turnout[m].pct);
            check_print_hit(c, "neighbours", tps, (contest_kind)c->turnout[m].kind, &h);
        }
    }
    return flagged;
}

int cmd_check(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"election", required_argument, 0, 'e'}, {"data", required_argument, 0, 'd'},
        {"lang", required_argument, 0, 'l'},     {"quiet", no_argument, 0, 'q'},
        {"help", no_argument, 0, 'h'},           {0, 0, 0, 0}};
    const char *elpath = NULL, *data = NULL;
    check_ctx c = {.lang = "id"};
    int opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'e': elpath = optarg; break;
        case 'd': data = optarg; break;
        case 'q': c.quiet = 1; break;
        case 'l':
            if (strcmp(optarg, "id") && strcmp(optarg, "en")) {
                fprintf(stderr, "rekap check: --lang is id or en\n");
                return CLI_USAGE;
            }
            c.lang = optarg;
            break;
        case 'h': fputs(check_usage, stdout); return CLI_OK;
        default: fputs(check_usage, stderr); return CLI_USAGE;
        }
    }
    if (optind == argc) {
        fprintf(stderr, "rekap check: no form files given\n");
        fputs(check_usage, stderr);
        return CLI_USAGE;
    }
    election *el = NULL;
    if (elpath && cli_load_election(cli_data_dir(data), elpath, &el))
        return CLI_FAIL;
    c.el = el;
    cli_forms_each(argv + optind, argc - optind, check_one, &c);
    unsigned long outliers = check_neighbours(&c);
    printf("forms %lu: %lu clean, %lu flagged, %lu with errors, %lu unreadable; "
           "%lu neighbour outliers\n",
           c.forms, c.clean, c.soft, c.hard, c.unreadable, outliers);
    free(c.turnout);
    election_free(el);
    return c.hard || c.unreadable ? CLI_FOUND : CLI_OK;
}
