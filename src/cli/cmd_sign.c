/* cmd_sign — `rekap sign`: turn C.Hasil form files into signed
 * submissions (entry.h) ready to send to rekapd's ingest listener: one
 * JSON request body {"submission","key","sig"} per form and line, for
 * curl, a load generator or an officer's own client (docs/API.md). It
 * signs exactly what `rekap submit` signs; nothing is sent anywhere. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/mem.h"

static const char sign_usage[] =
    "usage: rekap sign (--key FILE | --keys KEYDIR) [options] FORMS...\n"
    "\n"
    "Sign each C.Hasil form of FORMS (.json one form, .jsonl one per line) as\n"
    "a submission and print one line per form: the JSON request body of\n"
    "POST /api/v1/submissions on rekapd's ingest listener,\n"
    "  {\"submission\":\"rekap-submission/1\\n...\",\"key\":\"<base64>\",\"sig\":\"<base64>\"}\n"
    "A form that cannot be signed is reported on standard error instead.\n"
    "\n"
    "  --key FILE        sign every form with this secret key file\n"
    "  --keys KEYDIR     sign each form with KEYDIR/<tps>.key\n"
    "  --version N       submission version: 1 (default), n+1 for a correction\n"
    "  --reason TEXT     why the form is corrected (required when N > 1)\n"
    "  --psu recount|revote\n"
    "                    the correction is the result of a re-count (Penghitungan\n"
    "                    Suara Ulang) or a re-vote (Pemungutan Suara Ulang) at\n"
    "                    the TPS; only when N > 1\n"
    "  --photo FILE      a photo of the form (its SHA-256 is signed); up to 8\n"
    "  --help            this text\n"
    "\n"
    "Exit status: 0 every form signed, 1 some form unreadable or not a valid\n"
    "submission, 2 usage, 3 a key or a photo could not be read.\n";

typedef struct sign_run {
    submission sub;              /* version, reason, psu, photos; the form per line */
    const keys_file *key;        /* --key */
    const char *keydir;          /* --keys */
    keys_file tps_key;           /* --keys: the last key read */
    char key_tps[REGION_CODE_MAX];
    char *text;                  /* ENTRY_MAX + 1 bytes */
    unsigned long failed;
} sign_run;

static const keys_file *sign_key(sign_run *run, const char *tps, err_info *e)
{
    if (run->key)
        return run->key;
    if (strcmp(run->key_tps, tps) != 0) {
        run->key_tps[0] = '\0';
        if (cli_key_for_tps(run->keydir, tps, &run->tps_key, e) < 0)
            return NULL;
        snprintf(run->key_tps, sizeof run->key_tps, "%s", tps);
    }
    return &run->tps_key;
}

static int sign_one(void *ctx, const char *where, const form *f, const err_info *perr)
{
    sign_run *run = ctx;
    err_info e = {0};
    const keys_file *k = NULL;
    if (!f)
        e = *perr;
    else if ((k = sign_key(run, f->tps, &e))) {
        memcpy(&run->sub.form, f, sizeof *f);
        if (submission_check(&run->sub, &e) == 0) {
            size_t n = submission_encode(&run->sub, run->text, ENTRY_MAX + 1);
            uint8_t sig[KEYS_SIG_LEN];
            entry_sign(run->text, n, k->sk, sig);
            cli_print_signed(run->text, n, k, sig);
            return 0;
        }
    }
    cli_error_within(&e, where);
    cli_error(&e);
    run->failed++;
    return 0;
}

int cmd_sign(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"key", required_argument, 0, 'k'},    {"keys", required_argument, 0, 'K'},
        {"version", required_argument, 0, 'v'}, {"reason", required_argument, 0, 'r'},
        {"psu", required_argument, 0, 'u'},    {"photo", required_argument, 0, 'p'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    const char *keyfile = NULL, *keydir = NULL, *why = NULL;
    cli_sub_opts so = {0};
    int opt;
    while (!why && (opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'k': keyfile = optarg; break;
        case 'K': keydir = optarg; break;
        case 'v':
        case 'r':
        case 'u':
        case 'p': why = cli_sub_opt(&so, opt, optarg); break;
        case 'h': fputs(sign_usage, stdout); return CLI_OK;
        default: fputs(sign_usage, stderr); return CLI_USAGE;
        }
    }
    if (!why && !keyfile == !keydir)
        why = "give one of --key FILE or --keys KEYDIR";
    if (!why && optind == argc)
        why = "no form files given";
    if (!why)
        why = cli_sub_check(&so);
    if (why) {
        fprintf(stderr, "rekap sign: %s\n", why);
        fputs(sign_usage, stderr);
        return CLI_USAGE;
    }
    sign_run *run = mem_calloc(1, sizeof *run);
    keys_file key = {0};
    err_info e = {0};
    int rc = cli_sub_proto(&so, &run->sub);
    if (!rc && keyfile && cli_key_read(keyfile, 1, &key, &e) < 0) {
        cli_error(&e);
        rc = CLI_FAIL;
    }
    if (!rc) {
        run->key = keyfile ? &key : NULL;
        run->keydir = keydir;
        run->text = mem_alloc(ENTRY_MAX + 1);
        cli_forms_each(argv + optind, argc - optind, sign_one, run);
        rc = run->failed ? CLI_FOUND : CLI_OK;
        free(run->text);
    }
    sodium_memzero(&key, sizeof key);
    sodium_memzero(&run->tps_key, sizeof run->tps_key);
    free(run);
    return rc;
}
