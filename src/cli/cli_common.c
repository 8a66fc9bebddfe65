/* cli_common — helpers shared by the subcommands; see cli.h. */
#include "cli/cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/mem.h"
#include "core/note.h"
#include "core/sha256.h"
#include "io/file.h"
#include "io/masterdata.h"

#ifndef REKAP_DEFAULT_DATA_DIR
#define REKAP_DEFAULT_DATA_DIR "data"
#endif

const char *cli_data_dir(const char *opt)
{
    if (opt)
        return opt;
    const char *env = getenv("REKAP_DATA");
    return env && *env ? env : REKAP_DEFAULT_DATA_DIR;
}

void cli_error(const err_info *e)
{
    fprintf(stderr, "rekap: %s%s%s: %s\n", e->where, e->where[0] ? ": " : "",
            e->code ? e->code : "ERROR", e->msg);
}

void cli_error_within(err_info *e, const char *prefix)
{
    char full[4 * sizeof e->where];
    snprintf(full, sizeof full, "%s%s%s", prefix, e->where[0] ? ": " : "", e->where);
    size_t n = strnlen(full, sizeof e->where - 1); /* cut at the end, as err_set does */
    memcpy(e->where, full, n);
    e->where[n] = '\0';
}

int cli_load_election(const char *data_dir, const char *path, election **out)
{
    err_info e = {0};
    if (masterdata_load_election(data_dir, path, out, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    return 0;
}

int cli_path(char *buf, const char *dir, const char *name, err_info *e)
{
    int n = snprintf(buf, CLI_PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= CLI_PATH_MAX)
        return err_set(e, ERR_LIMIT, "CLI_PATH", dir, "path too long");
    return 0;
}

int cli_ingest_open(const char *dir, const char *data_dir, ingest **out)
{
    ingest_config cfg = {.dir = dir, .data_dir = data_dir};
    err_info e = {0};
    if (ingest_open(&cfg, out, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    return 0;
}

int cli_edir_open(const char *dir, const char *data_dir, edir **out)
{
    err_info e = {0};
    if (edir_open_readonly(dir, data_dir, out, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    return 0;
}

static int cli_is_jsonl(const char *path)
{
    size_t n = strlen(path);
    return n >= 6 && strcmp(path + n - 6, ".jsonl") == 0;
}

/* Call fn for one form document held in buf. */
static int cli_form_one(cli_form_fn fn, void *ctx, const char *where,
                        const char *buf, size_t len, form *f)
{
    err_info e = {0};
    if (form_parse(buf, len, f, &e) < 0)
        return fn(ctx, where, NULL, &e);
    return fn(ctx, where, f, NULL);
}

/* A line longer than a form may be is reported, then skipped to its end. */
static int cli_forms_jsonl(const char *path, FILE *fp, cli_form_fn fn, void *ctx, form *f)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    int rc = 0;
    while (rc == 0 && (n = getline(&line, &cap, fp)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0)
            continue;
        char where[300];
        snprintf(where, sizeof where, "%s:%lu", path, lineno);
        if ((size_t)n > FORM_JSON_MAX) {
            err_info e;
            err_set(&e, ERR_LIMIT, "FORM_JSON", "", "form is over %d bytes", FORM_JSON_MAX);
            rc = fn(ctx, where, NULL, &e);
            continue;
        }
        rc = cli_form_one(fn, ctx, where, line, (size_t)n, f);
    }
    free(line);
    return rc;
}

int cli_forms_each(char **paths, int n, cli_form_fn fn, void *ctx)
{
    form *f = mem_alloc(sizeof *f);
    int rc = 0;
    for (int i = 0; i < n && rc == 0; i++) {
        if (cli_is_jsonl(paths[i])) {
            FILE *fp = fopen(paths[i], "r");
            if (!fp) {
                err_info e;
                err_set(&e, ERR_IO, "FILE_OPEN", "", "cannot open: %s", strerror(errno));
                rc = fn(ctx, paths[i], NULL, &e);
                continue;
            }
            rc = cli_forms_jsonl(paths[i], fp, fn, ctx, f);
            fclose(fp);
            continue;
        }
        err_info e = {0};
        char *buf;
        size_t len;
        if (file_read_all(paths[i], FORM_JSON_MAX, &buf, &len, &e) < 0) {
            rc = fn(ctx, paths[i], NULL, &e); /* one unreadable file is one bad form */
            continue;
        }
        rc = cli_form_one(fn, ctx, paths[i], buf, len, f);
        free(buf);
    }
    free(f);
    return rc;
}

int cli_parse_kinds(const char *s, unsigned *kinds)
{
    if (strcmp(s, "all") == 0) {
        *kinds = (1u << CONTEST_KINDS) - 1;
        return 0;
    }
    *kinds = 0;
    char *dup = mem_strdup(s), *save = NULL;
    int rc = 0;
    for (char *tok = strtok_r(dup, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
        int k = contest_kind_parse(tok);
        if (k < 0) {
            rc = -1;
            break;
        }
        *kinds |= 1u << k;
    }
    free(dup);
    return rc == 0 && *kinds ? 0 : -1;
}

/* ------------------------------------------- building a submission */

int cli_parse_count(const char *s, unsigned long max, unsigned long *out)
{
    char *end;
    *out = strtoul(s, &end, 10);
    return *s >= '0' && *s <= '9' && !*end && *out >= 1 && *out <= max ? 0 : -1;
}

const char *cli_sub_opt(cli_sub_opts *o, int opt, const char *arg)
{
    switch (opt) {
    case 'v':
        return cli_parse_count(arg, ENTRY_VERSION_MAX, &o->version) < 0
                   ? "--version takes a number 1..999" : NULL;
    case 'r':
        o->reason = arg;
        return NULL;
    case 'u':
        o->psu = entry_psu_parse(arg, strlen(arg));
        return o->psu < 0 ? "--psu takes recount or revote" : NULL;
    case 'p':
        if (o->nphoto == ENTRY_PHOTOS_MAX)
            return "at most 8 --photo";
        o->photo[o->nphoto++] = arg;
        return NULL;
    default:
        return "not a submission option";
    }
}

int cli_text_ok(const char *s, size_t max)
{
    size_t n = strlen(s);
    return n >= 1 && n <= max && !strchr(s, '\n') && note_text_valid(s, n);
}

const char *cli_sub_check(const cli_sub_opts *o)
{
    unsigned long version = o->version ? o->version : 1;
    if (version > 1 && !o->reason)
        return "a correction (--version above 1) needs --reason";
    if (version == 1 && o->reason)
        return "--reason is only for a correction (--version above 1)";
    if (version == 1 && o->psu != ENTRY_PSU_NONE) /* a PSU always follows a first count */
        return "--psu is only for a correction (--version above 1)";
    if (o->reason && !cli_text_ok(o->reason, ENTRY_REASON_MAX))
        return "--reason must be 1 to 500 bytes of UTF-8 text on one line";
    return NULL;
}

/* SHA-256 of a photo file, streamed (photos may be large). */
static int cli_hash_photo(const char *path, uint8_t out[32], err_info *e)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return err_set(e, ERR_IO, "FILE_OPEN", path, "cannot open the photo");
    sha256_state *st = sha256_begin();
    unsigned char buf[65536];
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0)
        sha256_add(st, buf, n);
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        sha256_free(st);
        return err_set(e, ERR_IO, "FILE_READ", path, "cannot read the photo");
    }
    sha256_end(st, out);
    return 0;
}

int cli_sub_proto(const cli_sub_opts *o, submission *s)
{
    memset(s, 0, sizeof *s);
    s->version = (uint32_t)(o->version ? o->version : 1);
    snprintf(s->reason, sizeof s->reason, "%s", o->reason ? o->reason : "");
    s->psu = (uint8_t)o->psu;
    for (unsigned i = 0; i < o->nphoto; i++) {
        err_info e = {0};
        if (cli_hash_photo(o->photo[i], s->photo[i], &e) < 0) {
            cli_error(&e);
            return CLI_FAIL;
        }
    }
    s->nphoto = o->nphoto; /* in the order given: page 1, 2, ... */
    for (unsigned i = 1; i < s->nphoto; i++) {
        for (unsigned j = 0; j < i; j++) {
            if (memcmp(s->photo[j], s->photo[i], 32) == 0) {
                fprintf(stderr, "rekap: --photo: the same photo is given twice\n");
                return CLI_USAGE;
            }
        }
    }
    return 0;
}

void cli_print_signed(const char *text, size_t n, const keys_file *k, const uint8_t sig[64])
{
    char pk64[KEYS_B64_LEN(KEYS_PUBLIC_LEN) + 1], sig64[KEYS_B64_LEN(KEYS_SIG_LEN) + 1];
    keys_b64_encode(k->pk, KEYS_PUBLIC_LEN, pk64);
    keys_b64_encode(sig, KEYS_SIG_LEN, sig64);
    json_t *o = json_pack("{s:s%,s:s,s:s}", "submission", text, n, "key", pk64, "sig", sig64);
    char *line = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!line)
        abort(); /* the signed texts are valid UTF-8 by construction */
    puts(line);
    free(line);
}
