/* cmd_keygen — `rekap keygen`: a new officer key pair written as a secret
 * key file (rekap-key/1, mode 0600) and its public form beside it, through
 * cli_keys.c, which owns reading and writing key files. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "cli/cli.h"

static const char keygen_usage[] =
    "usage: rekap keygen --out FILE [options]\n"
    "\n"
    "Generate an Ed25519 key pair for an officer. FILE gets the secret key\n"
    "(rekap-key/1, readable by its owner only), FILE.pub its public form, the\n"
    "file to give to `rekap enrol`. Prints the public key (base64).\n"
    "An existing FILE is never overwritten without --force (KEY_EXISTS).\n"
    "\n"
    "  --out FILE        secret key file to write (required)\n"
    "  --name NAME       who holds the key (default: FILE's name without .key)\n"
    "  --force           replace an existing FILE\n"
    "  --help            this text\n";

/* Default key name: the file's base name without ".key". */
static void keygen_default_name(const char *path, char *name, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".key") == 0)
        n -= 4;
    snprintf(name, cap, "%.*s", (int)n, base);
}

static int keygen_write(const char *out, const keys_file *k, int force)
{
    char pub[CLI_PATH_MAX];
    err_info e = {0};
    int n = snprintf(pub, sizeof pub, "%s.pub", out);
    if (n < 0 || (size_t)n >= sizeof pub)
        err_set(&e, ERR_LIMIT, "CLI_PATH", out, "path too long");
    else if (cli_key_write(out, k, 1, force, &e) == 0 && cli_key_write(pub, k, 0, 1, &e) == 0)
        return 0;
    cli_error(&e);
    return CLI_FAIL;
}

int cmd_keygen(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"out", required_argument, 0, 'o'}, {"name", required_argument, 0, 'n'},
        {"force", no_argument, 0, 'f'},     {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    const char *out = NULL, *name = NULL;
    int force = 0, opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'o': out = optarg; break;
        case 'n': name = optarg; break;
        case 'f': force = 1; break;
        case 'h': fputs(keygen_usage, stdout); return CLI_OK;
        default: fputs(keygen_usage, stderr); return CLI_USAGE;
        }
    }
    if (!out || optind != argc) {
        fprintf(stderr, "rekap keygen: %s\n", !out ? "--out is required" : "unexpected argument");
        fputs(keygen_usage, stderr);
        return CLI_USAGE;
    }
    keys_file k = {0};
    if (name && (!*name || strlen(name) > KEYS_NAME_MAX)) {
        fprintf(stderr, "rekap keygen: --name must have 1 to %d bytes\n", KEYS_NAME_MAX);
        return CLI_USAGE;
    }
    if (name)
        snprintf(k.name, sizeof k.name, "%s", name);
    else
        keygen_default_name(out, k.name, sizeof k.name);
    if (!k.name[0])
        snprintf(k.name, sizeof k.name, "officer");
    keys_generate(k.pk, k.sk);
    k.has_secret = 1;
    int rc = keygen_write(out, &k, force);
    if (rc == 0) {
        char b64[KEYS_B64_LEN(KEYS_PUBLIC_LEN) + 1];
        keys_b64_encode(k.pk, KEYS_PUBLIC_LEN, b64);
        printf("%s\n", b64);
    }
    sodium_memzero(&k, sizeof k);
    return rc;
}
