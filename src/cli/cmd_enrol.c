/* cmd_enrol — `rekap enrol`: enrol officer keys in an election directory
 * (ingest_enrol), one key file at a time, in bulk from a CSV, or, for
 * demos and tests, a freshly generated key for every TPS whose secret key
 * file is handed to that TPS's officers. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/csv.h"
#include "core/mem.h"
#include "core/note.h"
#include "io/file.h"
#include "store/store.h"

#define ENROL_CSV_MAX ((size_t)256 << 20) /* bytes: ~2 million rows, the nation twice */

static const char enrol_usage[] =
    "usage: rekap enrol --dir DIR --region CODE [--recap] KEYFILE\n"
    "       rekap enrol --dir DIR --csv FILE\n"
    "       rekap enrol --dir DIR --generate KEYDIR [--region CODE]\n"
    "\n"
    "Enrol officer keys: a KPPS key signs the C.Hasil of one TPS, a recap key\n"
    "(--recap) the D.Hasil of one region above the TPS.\n"
    "  KEYFILE           a key file (rekap keygen's FILE.pub, or the secret one)\n"
    "  --csv FILE        one key per row: header region,public,name; a TPS code\n"
    "                    enrols a KPPS key, any other region a recap key\n"
    "  --generate KEYDIR generate and enrol one KPPS key for every TPS (under\n"
    "                    --region CODE when given) and write its secret key to\n"
    "                    KEYDIR/<tps>.key (demos and tests); with --recap one\n"
    "                    recap key for every region from CODE (default the\n"
    "                    nation) down to the kecamatan, in KEYDIR/<code>.key\n"
    "\n"
    "  --dir DIR         election directory (required)\n"
    "  --region CODE     the key's TPS or region (with KEYFILE), or the region\n"
    "                    whose TPS get keys (with --generate)\n"
    "  --recap           enrol KEYFILE as a recap officer's key\n"
    "  --data DIR        master data directory\n"
    "  --help            this text\n"
    "\n"
    "Exit status: 0 every key enrolled, 1 some key refused, 2 usage, 3 the\n"
    "directory or an input file could not be read.\n";

typedef struct enrol_opts {
    const char *dir, *data, *region, *csv, *generate, *keyfile;
    int recap;
} enrol_opts;

static const char *enrol_role_name(int role)
{
    return role == STORE_ROLE_KPPS ? "KPPS" : "recap";
}

/* One key file for one TPS or region. */
static int enrol_one(ingest *in, const enrol_opts *o)
{
    keys_file k;
    err_info e = {0};
    if (cli_key_read(o->keyfile, 0, &k, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    int role = o->recap ? STORE_ROLE_RECAP : STORE_ROLE_KPPS;
    int rc = ingest_enrol(in, k.pk, role, o->region, k.name, &e);
    char b64[KEYS_B64_LEN(KEYS_PUBLIC_LEN) + 1];
    keys_b64_encode(k.pk, KEYS_PUBLIC_LEN, b64);
    sodium_memzero(&k, sizeof k);
    if (rc < 0) {
        cli_error(&e);
        return CLI_FOUND;
    }
    printf("enrolled %s as %s key for %s\n", b64, enrol_role_name(role), o->region);
    return CLI_OK;
}

/* ---------------------------------------------------------------- --csv */

/* A name stored with a key: printable UTF-8 on one line. */
static int enrol_name_ok(const char *s)
{
    size_t n = strlen(s);
    return n < STORE_NAME_MAX && !strchr(s, '\n') && note_text_valid(s, n);
}

/* Keys per enrolment transaction: one commit for thousands of keys, not
 * one per key (on PostgreSQL with a synchronous standby each commit is a
 * round trip to both servers; the inserts inside are pipelined). */
#define ENROL_CSV_BATCH 4096
/* A refused batch is split in halves down to this size, then tried key by
 * key: a few bad rows cost a few transactions each, a batch of bad rows
 * (a CSV enrolled twice) not much more than one per row. */
#define ENROL_CSV_ALONE 16

/* What a checked row keeps until its batch is enrolled (the CSV reader's
 * fields are overwritten by the next row). */
typedef struct enrol_row {
    char code[REGION_CODE_MAX];
    char name[STORE_NAME_MAX];
    char where[128]; /* file:line, for its error */
} enrol_row;

typedef struct enrol_batch {
    ingest_officer req[ENROL_CSV_BATCH]; /* region, name: into row[] */
    enrol_row row[ENROL_CSV_BATCH];
    size_t n;
} enrol_batch;

/* Check a row into the batch's next slot (not yet counted in b->n). */
static int enrol_csv_row(enrol_batch *b, char **f, int nf, err_info *e)
{
    ingest_officer *req = &b->req[b->n];
    enrol_row *row = &b->row[b->n];
    if (nf != 3)
        return err_set(e, ERR_INVALID, "ENROL_CSV_FIELDS", "",
                       "expected 3 fields (region,public,name), got %d", nf);
    if (region_code_normalise(f[0], row->code) < 0)
        return err_set(e, ERR_INVALID, "ENROL_CSV_REGION", "region", "'%.40s' is not a region code",
                       f[0]);
    if (keys_b64_decode(f[1], strlen(f[1]), req->pubkey, sizeof req->pubkey) < 0 ||
        !crypto_core_ed25519_is_valid_point(req->pubkey))
        return err_set(e, ERR_INVALID, "ENROL_CSV_KEY", "public",
                       "not the base64 of an Ed25519 public key");
    if (!enrol_name_ok(f[2]))
        return err_set(e, ERR_INVALID, "ENROL_CSV_NAME", "name",
                       "the name must be UTF-8 text on one line of at most %d bytes",
                       STORE_NAME_MAX - 1);
    snprintf(row->name, sizeof row->name, "%s", f[2]);
    req->role = region_code_level(row->code) == REGION_TPS ? STORE_ROLE_KPPS : STORE_ROLE_RECAP;
    req->region = row->code;
    req->name = row->name;
    return 0;
}

/* Enrol n rows in one transaction (all or none); when that is refused,
 * each half on its own, down to single rows whose error is reported with
 * their file:line. Returns the number enrolled. */
static size_t enrol_span(ingest *in, const ingest_officer *req, const enrol_row *row, size_t n)
{
    err_info e = {0};
    if (ingest_enrol_many(in, req, n, &e) == 0)
        return n;
    if (n == 1) {
        cli_error_within(&e, row->where);
        cli_error(&e);
        return 0;
    }
    size_t done = 0;
    if (n <= ENROL_CSV_ALONE) {
        for (size_t i = 0; i < n; i++)
            done += enrol_span(in, &req[i], &row[i], 1);
        return done;
    }
    size_t half = n / 2;
    done = enrol_span(in, req, row, half);
    return done + enrol_span(in, req + half, row + half, n - half);
}

/* Enrol the rows waiting in b, emptying it. */
static unsigned long enrol_batch_flush(ingest *in, enrol_batch *b)
{
    size_t done = b->n ? enrol_span(in, b->req, b->row, b->n) : 0;
    b->n = 0;
    return done;
}

static int enrol_csv_header(csv_reader *r, err_info *e)
{
    char *f[4];
    int nf = csv_next(r, f, 4, e);
    if (nf < 0)
        return nf;
    if (nf != 3 || strcmp(f[0], "region") || strcmp(f[1], "public") || strcmp(f[2], "name")) {
        char where[128];
        csv_where(r, where, sizeof where);
        return err_set(e, ERR_INVALID, "ENROL_CSV_HEADER", where,
                       "the first line must be: region,public,name");
    }
    return 0;
}

/* The rows after the header, enrolled ENROL_CSV_BATCH at a time. Every
 * row is tried; a refused row is reported with its file:line (in file
 * order: the waiting rows are enrolled before a bad row is reported) and
 * the rest still enrolled. A broken CSV (an open quote) stops the reading. */
static unsigned long enrol_csv_rows(ingest *in, csv_reader *r, unsigned long *rows)
{
    enrol_batch *b = mem_alloc(sizeof *b);
    b->n = 0;
    unsigned long enrolled = 0;
    char *f[4];
    err_info e = {0};
    int nf;
    while ((nf = csv_next(r, f, 4, &e)) != 0) {
        (*rows)++;
        if (nf > 0 && enrol_csv_row(b, f, nf, &e) == 0) {
            csv_where(r, b->row[b->n].where, sizeof b->row[b->n].where);
            if (++b->n == ENROL_CSV_BATCH)
                enrolled += enrol_batch_flush(in, b);
            continue;
        }
        enrolled += enrol_batch_flush(in, b);
        if (nf > 0) {
            char where[128];
            csv_where(r, where, sizeof where);
            cli_error_within(&e, where);
        }
        cli_error(&e);
    }
    enrolled += enrol_batch_flush(in, b);
    free(b);
    return enrolled;
}

static int enrol_csv(ingest *in, const char *path)
{
    char *buf = NULL;
    size_t len = 0;
    err_info e = {0};
    if (file_read_all(path, ENROL_CSV_MAX, &buf, &len, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    csv_reader *r = mem_alloc(sizeof *r);
    csv_init(r, buf, len, path);
    unsigned long rows = 0, enrolled = 0;
    int rc = enrol_csv_header(r, &e);
    if (rc < 0) {
        cli_error(&e);
    } else {
        enrolled = enrol_csv_rows(in, r, &rows);
        printf("enrolled %lu of %lu keys from %s\n", enrolled, rows, path);
    }
    free(r);
    free(buf);
    return rc < 0 ? CLI_FAIL : enrolled == rows ? CLI_OK : CLI_FOUND;
}

/* ----------------------------------------------------------- --generate */

/* A new key for one TPS, its secret key file written; the enrolment
 * request is filled for enrol_generate to send with all the others. */
static int enrol_generate_one(const char *keydir, const char *tps, int role,
                              ingest_officer *req, char *name, err_info *e)
{
    char file[32], path[CLI_PATH_MAX];
    snprintf(file, sizeof file, "%s.key", tps);
    int rc = cli_path(path, keydir, file, e);
    if (rc < 0)
        return rc;
    keys_file k = {.has_secret = 1};
    snprintf(k.name, sizeof k.name, "%s %s", role == STORE_ROLE_KPPS ? "KPPS" : "Rekap", tps);
    keys_generate(k.pk, k.sk);
    rc = cli_key_write(path, &k, 1, 0, e);
    memcpy(req->pubkey, k.pk, sizeof req->pubkey);
    req->role = role;
    req->region = tps;
    req->name = strcpy(name, k.name);
    sodium_memzero(&k, sizeof k);
    return rc;
}

/* Remove the key files of keys that were not enrolled after all. */
static void enrol_generate_undo(const char *keydir, const ingest_officer *req, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char file[32], path[CLI_PATH_MAX];
        snprintf(file, sizeof file, "%s.key", req[i].region);
        if (cli_path(path, keydir, file, NULL) == 0)
            unlink(path);
    }
}

static int enrol_generate(ingest *in, const enrol_opts *o)
{
    const election *el = ingest_election(in);
    const region_tree *tree = el->tree;
    uint32_t top = region_find(tree, o->region ? o->region : "0");
    if (top == REGION_NONE) {
        fprintf(stderr, "rekap enrol: --region %s: no such region in this election\n", o->region);
        return CLI_USAGE;
    }
    if (mkdir(o->generate, 0700) < 0 && errno != EEXIST) {
        err_info e;
        err_set(&e, ERR_IO, "FILE_WRITE", o->generate, "cannot create: %s", strerror(errno));
        cli_error(&e);
        return CLI_FAIL;
    }
    /* Key files first, then one enrolment transaction for all: a key is
     * never enrolled without its secret kept, and never half the set.
     * KPPS keys for the TPS; recap keys for the regions from the nation to
     * the kecamatan (those that sign a D.Hasil). */
    int role = o->recap ? STORE_ROLE_RECAP : STORE_ROLE_KPPS;
    size_t lo = o->recap ? 0 : tree->level_start[REGION_TPS];
    size_t hi = o->recap ? tree->level_start[REGION_DESA] : lo + el->ntps, n = 0;
    ingest_officer *req = mem_alloc((hi - lo + 1) * sizeof *req);
    char (*names)[KEYS_NAME_MAX + 1] = mem_alloc((hi - lo + 1) * sizeof *names);
    err_info e = {0};
    int rc = 0;
    for (size_t i = lo; i < hi && rc == 0; i++) {
        if (!region_is_within(tree, (uint32_t)i, top))
            continue;
        rc = enrol_generate_one(o->generate, tree->node[i].code, role, &req[n], names[n], &e);
        if (rc == 0)
            n++;
    }
    if (rc == 0)
        rc = ingest_enrol_many(in, req, n, &e);
    if (rc < 0) {
        cli_error(&e);
        enrol_generate_undo(o->generate, req, n);
    } else {
        printf("enrolled %zu %s keys for %s %s; secret keys in %s/<%s>.key\n", n,
               o->recap ? "recap" : "KPPS", tree->node[top].code, tree->node[top].name,
               o->generate, o->recap ? "region" : "tps");
    }
    free(req);
    free(names);
    return rc < 0 ? CLI_FOUND : CLI_OK;
}

/* ------------------------------------------------------------- command */

static int enrol_parse_args(int argc, char **argv, enrol_opts *o)
{
    static const struct option longopts[] = {
        {"dir", required_argument, 0, 'D'},    {"region", required_argument, 0, 'r'},
        {"recap", no_argument, 0, 'R'},        {"csv", required_argument, 0, 'c'},
        {"generate", required_argument, 0, 'g'}, {"data", required_argument, 0, 'd'},
        {"help", no_argument, 0, 'h'},         {0, 0, 0, 0}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D': o->dir = optarg; break;
        case 'r': o->region = optarg; break;
        case 'R': o->recap = 1; break;
        case 'c': o->csv = optarg; break;
        case 'g': o->generate = optarg; break;
        case 'd': o->data = optarg; break;
        case 'h': fputs(enrol_usage, stdout); return -1;
        default: fputs(enrol_usage, stderr); return CLI_USAGE;
        }
    }
    const char *why = NULL;
    int npos = argc - optind;
    if (!o->dir)
        why = "--dir is required";
    else if (o->csv && (o->generate || o->region || o->recap || npos))
        why = "--csv takes no --region, --recap, --generate or key file";
    else if (o->generate && npos)
        why = "--generate takes no key file";
    else if (!o->csv && !o->generate && (npos != 1 || !o->region))
        why = "give --region CODE and one key file, or --csv, or --generate";
    if (why) {
        fprintf(stderr, "rekap enrol: %s\n", why);
        fputs(enrol_usage, stderr);
        return CLI_USAGE;
    }
    o->keyfile = npos ? argv[optind] : NULL;
    return 0;
}

int cmd_enrol(int argc, char **argv)
{
    enrol_opts o = {0};
    int rc = enrol_parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    ingest *in = NULL;
    if (cli_ingest_open(o.dir, cli_data_dir(o.data), &in))
        return CLI_FAIL;
    if (o.csv)
        rc = enrol_csv(in, o.csv);
    else if (o.generate)
        rc = enrol_generate(in, &o);
    else
        rc = enrol_one(in, &o);
    ingest_close(in);
    return rc;
}
