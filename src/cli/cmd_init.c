/* cmd_init — `rekap init`: create an election directory (ingest.h: the
 * definition, the store, the log and its signing key) and print the log's
 * verifier key, the one string a monitor needs to check every checkpoint. */
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
#include "core/note.h"
#include "edir/edir.h"

static const char init_usage[] =
    "usage: rekap init --dir DIR --election FILE [options]\n"
    "       rekap init --replica VKEY --store STORE --dir DIR --election FILE\n"
    "\n"
    "Create the election directory DIR from a definition: DIR/election.json,\n"
    "the store DIR/rekap.db (or the PostgreSQL database of --store), the\n"
    "transparency log DIR/log/ with its first\n"
    "(empty) signed checkpoint, and the log's signing key DIR/log.key.\n"
    "Prints the log's verifier key (C2SP signed-note form).\n"
    "\n"
    "  --dir DIR         election directory to create (required; must not hold a store)\n"
    "  --election FILE   election definition (required)\n"
    "  --origin NAME     log origin and key name (default rekap.local/<hash of the definition>)\n"
    "  --data DIR        master data directory\n"
    "  --store URI       keep the store in PostgreSQL (a postgresql:// libpq URI;\n"
    "                    written to DIR/store.conf, mode 0600) instead of DIR/rekap.db\n"
    "  --replica VKEY    make DIR a public replica's directory instead (rekapd --replica,\n"
    "                    docs/REPLICAS.md): VKEY is the log's verifier key as `rekap init`\n"
    "                    printed it; --store names the primary's store (its hot standby's\n"
    "                    URI, or the absolute path of its rekap.db on this machine), which\n"
    "                    must hold this election and this log\n"
    "  --help            this text\n";

/* The verifier key of the log: its name is the origin (ingest_init names
 * the key so), its key the public half of DIR/log.key. */
static int init_print_verifier(const char *dir)
{
    char path[CLI_PATH_MAX];
    err_info e = {0};
    keys_file k;
    if (cli_path(path, dir, EDIR_LOG_KEY, &e) < 0 || cli_key_read(path, 0, &k, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    note_verifier v = {0};
    snprintf(v.name, sizeof v.name, "%s", k.name);
    memcpy(v.pubkey, k.pk, sizeof v.pubkey);
    v.key_id = note_key_id(v.name, v.pubkey);
    sodium_memzero(&k, sizeof k);
    char *vkey = note_verifier_format(&v);
    printf("log origin:   %s\nverifier key: %s\n", v.name, vkey);
    free(vkey);
    return CLI_OK;
}

/* DIR/store.conf for --store: created (never replaced) with mode 0600,
 * since the URI may hold a password; the directory is made first. */
static int init_store_conf(const char *dir, const char *uri, char *conf, err_info *e)
{
    if (!edir_store_uri_ok(uri) || strchr(uri, '\n'))
        return err_set(e, ERR_INVALID, "INIT_STORE", "--store",
                       "the store must be a postgresql:// or postgres:// connection URI, or the "
                       "absolute path of an SQLite store");
    char db[CLI_PATH_MAX];
    struct stat sb;
    if (cli_path(db, dir, EDIR_STORE, e) < 0 || cli_path(conf, dir, EDIR_STORE_CONF, e) < 0)
        return ERR_LIMIT;
    if (stat(db, &sb) == 0)
        return err_set(e, ERR_EXISTS, "INGEST_EXISTS", dir, "an election store is already there");
    if (mkdir(dir, 0755) < 0 && errno != EEXIST)
        return err_set(e, ERR_IO, "INGEST_MKDIR", dir, "cannot create: %s", strerror(errno));
    int fd = open(conf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return err_set(e, errno == EEXIST ? ERR_EXISTS : ERR_IO, "INIT_STORE", conf,
                       "cannot create: %s", strerror(errno));
    size_t n = strlen(uri);
    int ok = write(fd, uri, n) == (ssize_t)n && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    if (!ok) {
        unlink(conf);
        return err_set(e, ERR_IO, "INIT_STORE", conf, "cannot write: %s", strerror(errno));
    }
    return 0;
}

int cmd_init(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"dir", required_argument, 0, 'D'},  {"election", required_argument, 0, 'e'},
        {"origin", required_argument, 0, 'o'}, {"data", required_argument, 0, 'd'},
        {"store", required_argument, 0, 's'}, {"replica", required_argument, 0, 'r'},
        {"help", no_argument, 0, 'h'},        {0, 0, 0, 0}};
    const char *dir = NULL, *elpath = NULL, *origin = NULL, *data = NULL, *uri = NULL,
               *vkey = NULL;
    int opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D': dir = optarg; break;
        case 'e': elpath = optarg; break;
        case 'o': origin = optarg; break;
        case 'd': data = optarg; break;
        case 's': uri = optarg; break;
        case 'r': vkey = optarg; break;
        case 'h': fputs(init_usage, stdout); return CLI_OK;
        default: fputs(init_usage, stderr); return CLI_USAGE;
        }
    }
    if (!dir || !elpath || optind != argc || (vkey && (!uri || origin))) {
        fprintf(stderr, "rekap init: %s\n", !dir      ? "--dir is required"
                                            : !elpath ? "--election is required"
                                            : optind != argc ? "unexpected argument"
                                            : !uri    ? "--replica needs --store (the primary's store)"
                                                      : "--replica takes the origin of the log it follows");
        fputs(init_usage, stderr);
        return CLI_USAGE;
    }
    /* The origin names the log key too: a key name, and no longer than a
     * key file can hold, so the checkpoint and the key agree. */
    if (origin && (strlen(origin) > KEYS_NAME_MAX || !note_name_valid(origin, strlen(origin)))) {
        err_info e;
        err_set(&e, ERR_INVALID, "INIT_ORIGIN", "--origin",
                "the origin must be 1 to %d bytes of UTF-8 without spaces or '+'", KEYS_NAME_MAX);
        cli_error(&e);
        return CLI_USAGE;
    }
    err_info e = {0};
    char conf[CLI_PATH_MAX];
    int rc = uri ? init_store_conf(dir, uri, conf, &e) : 0;
    if (rc < 0) {
        cli_error(&e);
        return rc == ERR_INVALID ? CLI_USAGE : CLI_FAIL;
    }
    rc = vkey ? ingest_init_replica(dir, cli_data_dir(data), elpath, vkey, &e)
              : ingest_init(dir, cli_data_dir(data), elpath, origin, &e);
    if (rc < 0) {
        if (uri)
            unlink(conf); /* ours: a retry starts clean */
        cli_error(&e);
        return CLI_FAIL;
    }
    printf("%s directory %s created\n", vkey ? "replica" : "election", dir);
    return init_print_verifier(dir);
}
