/* cli_keys — officer key files (rekap-key/1, keys.h) as the subcommands
 * read and write them (keygen, init, enrol, submit, sign, recap): a secret is
 * written readable by its owner only (0600) and never over an existing
 * file unless asked, and a read error names the file. See cli.h. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "io/file.h"

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
    size_t len = secret ? keys_format_secret(k, buf, sizeof buf)
                        : keys_format_public(k, buf, sizeof buf);
    int created = 0, rc = 0;
    keys_file back; /* what a reader will see: a bad name fails here, not later */
    if (len >= sizeof buf)
        rc = err_set(e, ERR_LIMIT, "KEY_TOO_LARGE", path, "key file over %d bytes", KEYS_FILE_MAX);
    else
        rc = keys_parse(buf, len, &back, e);
    sodium_memzero(&back, sizeof back);
    if (rc == 0 && secret)
        rc = key_claim(path, force, &created, e);
    if (rc == 0)
        rc = file_write_atomic_bytes(path, 0, buf, len, e); /* keeps key_claim's 0600 */
    if (rc < 0 && created)
        unlink(path);
    sodium_memzero(buf, sizeof buf);
    return rc;
}

int cli_key_for_tps(const char *keydir, const char *tps, keys_file *k, err_info *e)
{
    char name[32], path[CLI_PATH_MAX];
    if (region_code_level(tps) != REGION_TPS) /* the code becomes a file name */
        return err_set(e, ERR_INVALID, "SUBMIT_TPS", tps, "not a TPS code");
    snprintf(name, sizeof name, "%s.key", tps);
    int rc = cli_path(path, keydir, name, e);
    return rc < 0 ? rc : cli_key_read(path, 1, k, e);
}
