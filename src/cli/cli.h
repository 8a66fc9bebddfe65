/* cli — what the `rekap` subcommands share: loading an election, reading
 * form files, printing errors the same way everywhere. Each subcommand
 * lives in its own cmd_<name>.c and is listed in main.c. */
#ifndef REKAP_CLI_H
#define REKAP_CLI_H

#include <stddef.h>

#include "core/election.h"
#include "core/err.h"
#include "core/form.h"

/* Exit codes of every subcommand. */
enum {
    CLI_OK = 0,       /* done, nothing wrong */
    CLI_FOUND = 1,    /* done, and the input breaks rules (check/verify) */
    CLI_USAGE = 2,    /* the command line is wrong */
    CLI_FAIL = 3,     /* input could not be read or processed */
};

typedef int (*cli_cmd_fn)(int argc, char **argv);

int cmd_gen(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_show(int argc, char **argv);

/* Where the master data lives: --data, else $REKAP_DATA, else the
 * directory the build was configured with. */
const char *cli_data_dir(const char *opt);

/* Load master data from data_dir and the election definition file. */
int cli_load_election(const char *data_dir, const char *path, election **out);

/* Print "rekap: <where>: <CODE>: <msg>" to stderr. */
void cli_error(const err_info *e);

/* One form read from a file: `where` is "file:line". */
typedef int (*cli_form_fn)(void *ctx, const char *where, const form *f,
                           const err_info *parse_err);

/* Read every form of each file: a .jsonl file holds one form per line,
 * anything else one form document. Calls fn for each form; f is NULL and
 * parse_err set when the form (or its whole file) cannot be read, so one
 * bad file is reported and the rest still read. Returns 0 or the first
 * non-zero value fn returned. */
int cli_forms_each(char **paths, int n, cli_form_fn fn, void *ctx);

/* Parse a comma-separated list of contest ids into a bit set (1<<kind);
 * "all" for all five. Returns 0 or -1. */
int cli_parse_kinds(const char *s, unsigned *kinds);

#endif
