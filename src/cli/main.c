/* rekap — the command-line tool: dispatches to one cmd_<name>() per
 * subcommand. Each subcommand parses its own options and has --help. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
    const char *name;
    cli_cmd_fn fn;
    const char *what;
} cli_cmds[] = {
    {"gen", cmd_gen, "generate an election (and its true C.Hasil forms) from the master data"},
    {"check", cmd_check, "validate C.Hasil form files and print every broken rule"},
    {"show", cmd_show, "totals of a region at any level, from form files or an election directory"},
    {"init", cmd_init, "create an election directory (store, log, log key) from a definition"},
    {"keygen", cmd_keygen, "generate an officer's Ed25519 key file"},
    {"enrol", cmd_enrol, "enrol officer keys for their TPS or region"},
    {"submit", cmd_submit, "sign C.Hasil forms and ingest them into an election directory"},
    {"sign", cmd_sign, "sign C.Hasil forms as request bodies for rekapd's ingest API"},
    {"export", cmd_export, "counted results as CSV, per TPS or per region"},
    {"determine", cmd_determine, "determine the result of a contest: elected pair, seats, members"},
    {"recap", cmd_recap, "the tiered recap (D.Hasil): draft, sign, submit and compare a unit's recap"},
    {"verify", cmd_verify, "recompute every total from the log and check every signature"},
};

static void usage(FILE *f)
{
    fprintf(f, "usage: rekap <command> [options]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof cli_cmds / sizeof cli_cmds[0]; i++)
        fprintf(f, "  %-9s %s\n", cli_cmds[i].name, cli_cmds[i].what);
    fprintf(f, "\nRun 'rekap <command> --help' for a command's options.\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
        usage(stdout);
        return CLI_OK;
    }
    for (size_t i = 0; i < sizeof cli_cmds / sizeof cli_cmds[0]; i++)
        if (!strcmp(argv[1], cli_cmds[i].name))
            return cli_cmds[i].fn(argc - 1, argv + 1);
    fprintf(stderr, "rekap: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
