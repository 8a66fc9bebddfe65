/* cmd_gen — `rekap gen`: a realistic election from the master data, and
 * optionally every TPS's true C.Hasil. Output files are written whole or
 * not at all (io/file.h). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "core/mem.h"
#include "gen/gen.h"
#include "io/file.h"
#include "io/masterdata.h"

static const char gen_usage[] =
    "usage: rekap gen [options]\n"
    "\n"
    "Generate an election definition from the master data: TPS per desa from\n"
    "population, dapils and seats, parties and candidates (docs/GENERATOR.md).\n"
    "The same seed and data give the same bytes.\n"
    "\n"
    "  --out FILE        election definition to write (default election.json)\n"
    "  --forms FILE      also write every TPS's true C.Hasil, one per line (.jsonl)\n"
    "  --contests LIST   contests for --forms: all (default) or e.g. ppwp,dpr\n"
    "  --ppwp-csv FILE   PPWP votes per province to reproduce exactly\n"
    "                    (CSV: kode,<pair 1>,<pair 2>,<pair 3>)\n"
    "  --scope CODE      0 for the nation (default) or a province code (demo)\n"
    "  --seed N          seed (default 2024)\n"
    "  --data DIR        master data directory (default: $REKAP_DATA or the built-in one)\n"
    "  --help            this text\n";

typedef struct gen_job {
    election *el;
    uint64_t seed;
    unsigned kinds;
    gen_ppwp_table *ppwp;
    unsigned long nforms;
    err_info err;
} gen_job;

static int gen_write_election(FILE *f, void *ctx)
{
    return election_write(((gen_job *)ctx)->el, f);
}

static int gen_sink_form(void *ctx, const form *fm)
{
    FILE *f = ctx;
    if (form_write(fm, f) < 0 || fputc('\n', f) == EOF)
        return ERR_IO;
    return 0;
}

static int gen_write_forms(FILE *f, void *ctx)
{
    gen_job *job = ctx;
    return gen_forms(job->el, job->seed, job->kinds, job->ppwp, gen_sink_form, f, &job->err);
}

static int gen_load_ppwp(const char *path, gen_ppwp_table *t)
{
    err_info e = {0};
    char *buf;
    size_t len;
    if (file_read_all(path, (size_t)16 << 20, &buf, &len, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    int rc = gen_ppwp_table_parse(buf, len, path, t, &e);
    free(buf);
    if (rc < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    return 0;
}

/* Parsed command line of `rekap gen`. */
typedef struct gen_opts {
    const char *out, *forms, *ppwp_csv, *data;
    gen_params params;
    unsigned kinds;
} gen_opts;

static int gen_parse_args(int argc, char **argv, gen_opts *o)
{
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'},   {"forms", required_argument, 0, 'f'},
        {"contests", required_argument, 0, 'c'}, {"ppwp-csv", required_argument, 0, 'p'},
        {"scope", required_argument, 0, 's'}, {"seed", required_argument, 0, 'S'},
        {"data", required_argument, 0, 'd'},  {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    gen_params_default(&o->params);
    o->params.seed = 2024;
    o->out = "election.json";
    o->kinds = (1u << CONTEST_KINDS) - 1;
    int c;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'o': o->out = optarg; break;
        case 'f': o->forms = optarg; break;
        case 'p': o->ppwp_csv = optarg; break;
        case 'd': o->data = optarg; break;
        case 's': o->params.scope = optarg; break;
        case 'c':
            if (cli_parse_kinds(optarg, &o->kinds) < 0) {
                fprintf(stderr, "rekap gen: --contests: unknown contest in '%s'\n", optarg);
                return CLI_USAGE;
            }
            break;
        case 'S':
            o->params.seed = strtoull(optarg, &end, 10);
            if (*optarg == '\0' || *end != '\0') {
                fprintf(stderr, "rekap gen: --seed takes a whole number\n");
                return CLI_USAGE;
            }
            break;
        case 'h': fputs(gen_usage, stdout); return -1;
        default: fputs(gen_usage, stderr); return CLI_USAGE;
        }
    }
    if (optind != argc) {
        fprintf(stderr, "rekap gen: unexpected argument '%s'\n", argv[optind]);
        return CLI_USAGE;
    }
    return 0;
}

static void gen_summary(const election *el)
{
    uint64_t dpt = 0;
    for (size_t i = 0; i < el->ntps; i++)
        dpt += (uint64_t)el->tps[i].dpt_male + el->tps[i].dpt_female;
    printf("election: %s\n  TPS %zu, DPT %llu\n", el->name, el->ntps, (unsigned long long)dpt);
    for (int k = 0; k < CONTEST_KINDS; k++) {
        unsigned long seats = 0, cands = 0;
        for (uint32_t d = 0; d < el->ndistrict[k]; d++) {
            const election_district *ds = &el->district[k][d];
            seats += ds->seats;
            cands += ds->ncand;
            for (uint16_t l = 0; l < ds->nlist; l++)
                cands += ds->list[l].ncand;
        }
        printf("  %-9s %5u districts, %6lu seats, %7lu candidates\n", contest_kind_id[k],
               el->ndistrict[k], seats, cands);
    }
}

int cmd_gen(int argc, char **argv)
{
    gen_opts o = {0};
    int rc = gen_parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? CLI_OK : rc;

    gen_job job = {.seed = o.params.seed, .kinds = o.kinds};
    gen_ppwp_table ppwp = {0};
    if (o.ppwp_csv) {
        if ((rc = gen_load_ppwp(o.ppwp_csv, &ppwp)))
            return rc;
        job.ppwp = &ppwp;
    }
    err_info e = {0};
    region_tree *tree = NULL;
    rc = CLI_FAIL;
    if (masterdata_load(cli_data_dir(o.data), &tree, &e) < 0 ||
        gen_election(tree, &o.params, &job.el, &e) < 0 ||
        file_write_atomic(o.out, gen_write_election, &job, &e) < 0) {
        cli_error(&e);
        goto done;
    }
    gen_summary(job.el);
    printf("  written to %s\n", o.out);
    if (o.forms) {
        if (file_write_atomic(o.forms, gen_write_forms, &job, &e) < 0) {
            cli_error(job.err.code ? &job.err : &e);
            goto done;
        }
        printf("  true C.Hasil forms written to %s\n", o.forms);
    }
    rc = CLI_OK;
done:
    election_free(job.el);
    gen_ppwp_table_free(&ppwp);
    return rc;
}
