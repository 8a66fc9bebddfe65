/* cli — what the `rekap` subcommands share: loading an election, reading
 * form files, printing errors the same way everywhere. Each subcommand
 * lives in its own cmd_<name>.c and is listed in main.c. */
#ifndef REKAP_CLI_H
#define REKAP_CLI_H

#include <stddef.h>

#include "core/election.h"
#include "core/entry.h"
#include "core/err.h"
#include "core/form.h"
#include "core/keys.h"
#include "edir/edir.h"
#include "ingest/ingest.h"

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
int cmd_init(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_enrol(int argc, char **argv);
int cmd_submit(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_sign(int argc, char **argv);
int cmd_determine(int argc, char **argv);
int cmd_recap(int argc, char **argv);

/* Where the master data lives: --data, else $REKAP_DATA, else the
 * directory the build was configured with. */
const char *cli_data_dir(const char *opt);

/* Load master data from data_dir and the election definition file. */
int cli_load_election(const char *data_dir, const char *path, election **out);

#define CLI_PATH_MAX 4096

/* "<dir>/<name>" into buf (CLI_PATH_MAX bytes); ERR_LIMIT with e set
 * (CLI_PATH) when it does not fit. */
int cli_path(char *buf, const char *dir, const char *name, err_info *e);

/* Open the election directory `dir` (ingest.h) with master data from
 * data_dir; prints the error. Returns 0 or CLI_FAIL. */
int cli_ingest_open(const char *dir, const char *data_dir, ingest **out);
/* Open the election directory `dir` read-only (edir.h: its signed log
 * verified and replayed) for the commands that only read; prints the
 * error. Returns 0 or CLI_FAIL. */
int cli_edir_open(const char *dir, const char *data_dir, edir **out);

/* Key files (cli_keys.c). Read a key file (keys.h); with need_secret a
 * public one is refused (KEY_NO_SECRET). Fills e on error, its where
 * naming the file; prints nothing. */
int cli_key_read(const char *path, int need_secret, keys_file *k, err_info *e);
/* Write a key file atomically: the secret form readable by its owner only
 * (0600), refusing an existing file (KEY_EXISTS) unless force; or the
 * public form (0644). */
int cli_key_write(const char *path, const keys_file *k, int secret, int force, err_info *e);
/* Read the secret key KEYDIR/<tps>.key of a TPS (the layout of `rekap
 * enrol --generate`). SUBMIT_TPS when tps is not a TPS code. */
int cli_key_for_tps(const char *keydir, const char *tps, keys_file *k, err_info *e);

/* A decimal number 1..max, digits only. 0 or -1. */
int cli_parse_count(const char *s, unsigned long max, unsigned long *out);

/* What `submit` and `sign` put in every submission besides the form:
 * the options --version N, --reason TEXT, --psu recount|revote, --photo
 * FILE (up to 8). */
typedef struct cli_sub_opts {
    unsigned long version;       /* 1 (the default when 0), n+1 for a correction */
    const char *reason;
    int psu;                     /* ENTRY_PSU_*: NONE unless --psu */
    const char *photo[ENTRY_PHOTOS_MAX];
    unsigned nphoto;
} cli_sub_opts;

/* Whether s is 1..max bytes of UTF-8 text on one line (a reason, a name):
 * what a signed text's quoted lines may hold. */
int cli_text_ok(const char *s, size_t max);

/* Print the JSON request body of one signed text on one line of stdout,
 * {"submission","key","sig"}: what rekapd's ingest API takes (sign and
 * recap sign). */
void cli_print_signed(const char *text, size_t n, const keys_file *k, const uint8_t sig[64]);

/* Take one of those options ('v' --version, 'r' --reason, 'u' --psu,
 * 'p' --photo) with its argument. NULL, or why it is refused. */
const char *cli_sub_opt(cli_sub_opts *o, int opt, const char *arg);
/* The checks across them (a correction needs a reason, --psu only on a
 * correction, ...). NULL or why. */
const char *cli_sub_check(const cli_sub_opts *o);
/* Fill s with the version, reason, psu and photos' SHA-256 (read from the
 * files, in the order given: page 1, 2, ...); s->form is left zero. Prints the
 * error; returns 0, CLI_USAGE (the same photo twice) or CLI_FAIL. */
int cli_sub_proto(const cli_sub_opts *o, submission *s);

/* Print "rekap: <where>: <CODE>: <msg>" to stderr. */
void cli_error(const err_info *e);
/* Put "<prefix>: " before e->where (or make it prefix when empty), so an
 * error found inside a line still names the file and line. */
void cli_error_within(err_info *e, const char *prefix);

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
