/* cmd_keygen — `rekap keygen`: a new officer key pair written as a secret
 * key file (rekap-key/1, mode 0600) and its public form beside it. Also
 * owns reading and writing key files for the other subcommands (init,
 * enrol, submit), so the 0600 and no-overwrite rules live in one place. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "io/file.h"

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

int cli_key_read(const char *path, int need_secret, keys_file *k, err_info *e)
{
    char *buf = NULL;
    size_t len = 0;
    int rc = file_read_all(path, KEYS_FILE_MAX, &buf, &len, e);
    if (rc == 0) {
        rc = keys_parse(buf, len, k, e);
        sodium_memzero(buf, len);
        free(buf);
    }
    if (rc == 0 && need_secret && !k->has_secret)
        rc = err_set(e, ERR_INVALID, "KEY_NO_SECRET", path,
                     "this is a public key file; signing needs the secret one");
    if (rc < 0 && strcmp(e->where, path) != 0)
        cli_error_within(e, path); /* keys_parse names the line: add the file */
    return rc;
}

typedef struct key_text {
    const char *buf;
    size_t len;
} key_text;

static int key_write_text(FILE *f, void *ctx)
{
    const key_text *t = ctx;
    return fwrite(t->buf, 1, t->len, f) == t->len ? 0 : ERR_IO;
}

/* Make sure `path` exists with mode 0600 before the atomic write, which
 * keeps an existing file's permission bits: a secret is never readable by
 * others, not even for a moment. O_EXCL makes the no-overwrite check
 * race-free. *created says whether to remove it again on failure. */
static int key_claim(const char *path, int force, int *created, err_info *e)
{
    *created = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd >= 0) {
        close(fd);
        *created = 1;
        return 0;
    }
    if (errno != EEXIST)
        return err_set(e, ERR_IO, "FILE_WRITE", path, "cannot create: %s", strerror(errno));
    if (!force)
        return err_set(e, ERR_EXISTS, "KEY_EXISTS", path,
                       "a key file is already there (--force replaces it)");
    if (chmod(path, 0600) < 0)
        return err_set(e, ERR_IO, "FILE_WRITE", path, "cannot restrict: %s", strerror(errno));
    return 0;
}

int cli_key_write(const char *path, const keys_file *k, int secret, int force, err_info *e)
{
    char buf[KEYS_FILE_MAX];
    key_text t = {buf, secret ? keys_format_secret(k, buf, sizeof buf)
                              : keys_format_public(k, buf, sizeof buf)};
    int created = 0, rc = 0;
    keys_file back; /* what a reader will see: a bad name fails here, not later */
    if (t.len >= sizeof buf)
        rc = err_set(e, ERR_LIMIT, "KEY_TOO_LARGE", path, "key file over %d bytes", KEYS_FILE_MAX);
    else
        rc = keys_parse(buf, t.len, &back, e);
    sodium_memzero(&back, sizeof back);
    if (rc == 0 && secret)
        rc = key_claim(path, force, &created, e);
    if (rc == 0)
        rc = file_write_atomic(path, key_write_text, &t, e);
    if (rc < 0 && created)
        unlink(path);
    sodium_memzero(buf, sizeof buf);
    return rc;
}

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
