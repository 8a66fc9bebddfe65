/* cmd_submit — `rekap submit`: turn C.Hasil form files into signed
 * submissions (entry.h) and ingest them into an election directory
 * (ingest.h), the way an officer's device and the server would, and print
 * the server's answer for every form.
 *
 * The main thread reads the forms and hands them in chunks to a few worker
 * threads; each worker encodes the submission, signs it and runs the
 * parallel half of the ingest (ingest_prepare: parse, key, signature,
 * rules), then queues it for the one writer (ingest_enqueue), whose done
 * callback prints the answer as it arrives. */
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cli/cli.h"
#include "core/entry.h"
#include "core/mem.h"

#define SUBMIT_CHUNK 32          /* forms handed to a worker at once */
#define SUBMIT_THREADS_MAX 64

static const char submit_usage[] =
    "usage: rekap submit --dir DIR (--key FILE | --keys KEYDIR) [options] FORMS...\n"
    "\n"
    "Sign each C.Hasil form of FORMS (.json one form, .jsonl one per line) as\n"
    "a submission and ingest it into the election directory DIR. Prints one\n"
    "line per form as the answers arrive:\n"
    "  <where>: <tps> <contest> v<version>: accepted #<index> [flagged CODES]\n"
    "  <where>: <tps> <contest> v<version>: rejected #<index> CODES\n"
    "  <where>: <tps> <contest> v<version>: refused CODE: message\n"
    "with \" (duplicate)\" when the same submission was logged before, then a\n"
    "summary. Accepted and rejected forms are on disk with a log index;\n"
    "rejected ones break a hard rule and are never counted; refused ones are\n"
    "not logged. Throughput goes to standard error.\n"
    "\n"
    "  --dir DIR         election directory (required)\n"
    "  --key FILE        sign every form with this secret key file\n"
    "  --keys KEYDIR     sign each form with KEYDIR/<tps>.key\n"
    "  --version N       submission version: 1 (default), n+1 for a correction\n"
    "  --reason TEXT     why the form is corrected (required when N > 1)\n"
    "  --psu recount|revote\n"
    "                    the correction is the result of a re-count (Penghitungan\n"
    "                    Suara Ulang) or a re-vote (Pemungutan Suara Ulang) at\n"
    "                    the TPS; only when N > 1\n"
    "  --photo FILE      a photo of the form (its SHA-256 is signed); up to 8\n"
    "  --threads N       signing threads (default: the number of CPUs)\n"
    "  --data DIR        master data directory\n"
    "  --help            this text\n"
    "\n"
    "Exit status: 0 every form accepted (or a duplicate of an accepted one),\n"
    "1 some form rejected, refused or unreadable, 2 usage, 3 the directory,\n"
    "a key or a photo could not be read.\n";

/* One form read, waiting for a worker. */
typedef struct submit_item {
    char *where;                 /* "file:line"; owned, passed on to the answer */
    form f;
} submit_item;

typedef struct submit_chunk {
    struct submit_chunk *next;
    unsigned n;
    submit_item item[SUBMIT_CHUNK];
} submit_chunk;

typedef struct submit_run {
    ingest *in;
    submission proto;            /* version, reason, psu, photos: what every form carries */
    const keys_file *key;        /* --key */
    const char *keydir;          /* --keys */
    /* chunks from the reader to the workers */
    pthread_mutex_t qlock;
    pthread_cond_t qwork, qspace;
    submit_chunk *head, *tail, *filling;
    unsigned qlen, qmax;
    int eof;
    /* answers: printed and counted under `out` */
    pthread_mutex_t out;
    unsigned long forms, accepted, flagged, rejected, refused, duplicate;
} submit_run;

typedef struct submit_worker {
    submit_run *run;
    pthread_t thread;
    submission sub;
    char *text;                  /* ENTRY_MAX + 1 bytes */
    keys_file key;               /* --keys: the last key read, for key_tps */
    char key_tps[REGION_CODE_MAX];
} submit_worker;

/* What the writer's done callback needs. */
typedef struct submit_pending {
    submit_run *run;
    char *where;
} submit_pending;

/* ------------------------------------------------------------- answers */

/* "<where>: <tps> <contest> v<version>: ", or "<where>: " without a form. */
static void submit_print_head(const char *where, const char *tps, contest_kind k,
                              uint32_t version)
{
    if (tps)
        printf("%s: %s %s v%u: ", where, tps, contest_kind_id[k], version);
    else
        printf("%s: ", where);
}

static void submit_print_refused(const char *tps, const err_info *e)
{
    printf("refused %s: ", e->code ? e->code : "ERROR");
    if (e->where[0] && (!tps || strcmp(e->where, tps) != 0))
        printf("%s: ", e->where);
    printf("%s\n", e->msg);
}

/* A form that never reached the log. f is NULL when it could not be read. */
static void submit_refuse(submit_run *run, const char *where, const form *f, const err_info *e)
{
    pthread_mutex_lock(&run->out);
    run->refused++;
    submit_print_head(where, f ? f->tps : NULL, f ? f->kind : CONTEST_PPWP, run->proto.version);
    submit_print_refused(f ? f->tps : NULL, e);
    pthread_mutex_unlock(&run->out);
}

/* The writer's answer (called from the writer thread). */
static void submit_done(void *ctx, const ingest_result *r)
{
    submit_pending *p = ctx;
    submit_run *run = p->run;
    const char *dup = r->duplicate ? " (duplicate)" : "";
    pthread_mutex_lock(&run->out);
    run->duplicate += r->duplicate != 0;
    submit_print_head(p->where, r->tps, r->kind, r->version);
    switch (r->status) {
    case INGEST_ACCEPTED:
        run->accepted++;
        run->flagged += r->codes[0] != '\0';
        printf("accepted #%llu%s%s%s\n", (unsigned long long)r->index,
               r->codes[0] ? " flagged " : "", r->codes, dup);
        break;
    case INGEST_REJECTED:
        run->rejected++;
        printf("rejected #%llu %s%s\n", (unsigned long long)r->index, r->codes, dup);
        break;
    default:
        run->refused++;
        submit_print_refused(r->tps, &r->err);
        break;
    }
    pthread_mutex_unlock(&run->out);
    free(p->where);
    free(p);
}

/* ------------------------------------------------------------- workers */

/* The key that signs for this TPS: --key, or KEYDIR/<tps>.key (the last
 * one read is kept: the forms of one TPS come together). */
static const keys_file *submit_key(submit_worker *w, const char *tps, err_info *e)
{
    if (w->run->key)
        return w->run->key;
    if (strcmp(w->key_tps, tps) == 0)
        return &w->key;
    w->key_tps[0] = '\0';
    if (cli_key_for_tps(w->run->keydir, tps, &w->key, e) < 0)
        return NULL;
    snprintf(w->key_tps, sizeof w->key_tps, "%s", tps);
    return &w->key;
}

/* Encode, sign, prepare and queue one form; its answer comes later. */
static void submit_one(submit_worker *w, submit_item *it)
{
    submit_run *run = w->run;
    err_info e = {0};
    ingest_job *job = NULL;
    const keys_file *key = submit_key(w, it->f.tps, &e);
    if (key) {
        memcpy(&w->sub.form, &it->f, sizeof it->f);
        size_t n = submission_encode(&w->sub, w->text, ENTRY_MAX + 1);
        uint8_t sig[KEYS_SIG_LEN];
        if (n > ENTRY_MAX) {
            err_set(&e, ERR_LIMIT, "ENTRY_TOO_LARGE", "", "the submission is over %d bytes",
                    ENTRY_MAX);
        } else {
            entry_sign(w->text, n, key->sk, sig);
            ingest_prepare(run->in, w->text, n, key->pk, sig, &job, &e);
        }
    }
    if (job) {
        submit_pending *p = mem_alloc(sizeof *p);
        *p = (submit_pending){run, it->where};
        if (ingest_enqueue(run->in, job, 1, submit_done, p) == 0)
            return; /* p and where now belong to submit_done */
        free(p);
        err_set(&e, ERR_LIMIT, "INGEST_BUSY", "", "the ingest is shutting down");
    }
    submit_refuse(run, it->where, &it->f, &e);
    free(it->where);
}

static submit_chunk *submit_take(submit_run *run)
{
    pthread_mutex_lock(&run->qlock);
    while (!run->head && !run->eof)
        pthread_cond_wait(&run->qwork, &run->qlock);
    submit_chunk *c = run->head;
    if (c) {
        run->head = c->next;
        if (!run->head)
            run->tail = NULL;
        run->qlen--;
        pthread_cond_signal(&run->qspace);
    }
    pthread_mutex_unlock(&run->qlock);
    return c;
}

static void *submit_worker_main(void *arg)
{
    submit_worker *w = arg;
    submit_chunk *c;
    while ((c = submit_take(w->run))) {
        for (unsigned i = 0; i < c->n; i++)
            submit_one(w, &c->item[i]);
        free(c);
    }
    return NULL;
}

/* -------------------------------------------------------------- reader */

static void submit_push(submit_run *run)
{
    submit_chunk *c = run->filling;
    run->filling = NULL;
    if (!c)
        return;
    pthread_mutex_lock(&run->qlock);
    while (run->qlen >= run->qmax)
        pthread_cond_wait(&run->qspace, &run->qlock);
    if (run->tail)
        run->tail->next = c;
    else
        run->head = c;
    run->tail = c;
    run->qlen++;
    pthread_cond_signal(&run->qwork);
    pthread_mutex_unlock(&run->qlock);
}

static int submit_read(void *ctx, const char *where, const form *f, const err_info *perr)
{
    submit_run *run = ctx;
    run->forms++;
    if (!f) {
        submit_refuse(run, where, NULL, perr);
        return 0;
    }
    if (!run->filling) {
        run->filling = mem_alloc(sizeof *run->filling);
        run->filling->next = NULL;
        run->filling->n = 0;
    }
    submit_item *it = &run->filling->item[run->filling->n++];
    it->where = mem_strdup(where);
    memcpy(&it->f, f, sizeof *f);
    if (run->filling->n == SUBMIT_CHUNK)
        submit_push(run);
    return 0;
}

static double submit_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Read every form, let `nthreads` workers sign and prepare them, wait for
 * every answer (ingest_close finishes the queue). Consumes `in`. */
static void submit_all(submit_run *run, unsigned nthreads, char **paths, int npaths)
{
    submit_worker *w = mem_calloc(nthreads, sizeof *w);
    run->qmax = 2 * nthreads;
    pthread_mutex_init(&run->qlock, NULL);
    pthread_cond_init(&run->qwork, NULL);
    pthread_cond_init(&run->qspace, NULL);
    pthread_mutex_init(&run->out, NULL);
    unsigned started = 0;
    for (; started < nthreads; started++) {
        w[started].run = run;
        w[started].sub = run->proto;
        w[started].text = mem_alloc(ENTRY_MAX + 1);
        if (pthread_create(&w[started].thread, NULL, submit_worker_main, &w[started]) != 0)
            break;
    }
    if (!started) /* no thread at all: this one does the work after reading */
        run->qmax = UINT_MAX;
    cli_forms_each(paths, npaths, submit_read, run);
    submit_push(run);
    pthread_mutex_lock(&run->qlock);
    run->eof = 1;
    pthread_cond_broadcast(&run->qwork);
    pthread_mutex_unlock(&run->qlock);
    if (!started)
        submit_worker_main(&w[0]);
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    ingest_close(run->in); /* every queued form answered */
    for (unsigned i = 0; i < nthreads; i++) {
        free(w[i].text);
        sodium_memzero(&w[i].key, sizeof w[i].key);
    }
    free(w);
    pthread_mutex_destroy(&run->qlock);
    pthread_cond_destroy(&run->qwork);
    pthread_cond_destroy(&run->qspace);
    pthread_mutex_destroy(&run->out);
}

/* ------------------------------------------------------------- options */

typedef struct submit_opts {
    const char *dir, *data, *keyfile, *keydir;
    cli_sub_opts sub;            /* --version, --reason, --psu, --photo */
    unsigned long threads;
} submit_opts;

static const char *submit_check_opts(const submit_opts *o, int npos)
{
    if (!o->dir)
        return "--dir is required";
    if (!o->keyfile == !o->keydir)
        return "give one of --key FILE or --keys KEYDIR";
    if (!npos)
        return "no form files given";
    return cli_sub_check(&o->sub);
}

static int submit_parse_args(int argc, char **argv, submit_opts *o)
{
    static const struct option longopts[] = {
        {"dir", required_argument, 0, 'D'},    {"key", required_argument, 0, 'k'},
        {"keys", required_argument, 0, 'K'},   {"version", required_argument, 0, 'v'},
        {"reason", required_argument, 0, 'r'}, {"psu", required_argument, 0, 'u'},
        {"photo", required_argument, 0, 'p'},  {"threads", required_argument, 0, 't'},
        {"data", required_argument, 0, 'd'},   {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    int opt;
    const char *why = NULL;
    while (!why && (opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (opt) {
        case 'D': o->dir = optarg; break;
        case 'k': o->keyfile = optarg; break;
        case 'K': o->keydir = optarg; break;
        case 'd': o->data = optarg; break;
        case 'v':
        case 'r':
        case 'u':
        case 'p': why = cli_sub_opt(&o->sub, opt, optarg); break;
        case 't':
            if (cli_parse_count(optarg, SUBMIT_THREADS_MAX, &o->threads) < 0)
                why = "--threads takes a number 1..64";
            break;
        case 'h': fputs(submit_usage, stdout); return -1;
        default: fputs(submit_usage, stderr); return CLI_USAGE;
        }
    }
    if (!why)
        why = submit_check_opts(o, argc - optind);
    if (why) {
        fprintf(stderr, "rekap submit: %s\n", why);
        fputs(submit_usage, stderr);
        return CLI_USAGE;
    }
    return 0;
}

static unsigned submit_threads(unsigned long opt)
{
    if (opt)
        return (unsigned)opt;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > SUBMIT_THREADS_MAX ? SUBMIT_THREADS_MAX : (unsigned)n;
}

static int submit_load_key(const submit_opts *o, keys_file *k)
{
    err_info e = {0};
    struct stat sb;
    if (o->keyfile && cli_key_read(o->keyfile, 1, k, &e) < 0) {
        cli_error(&e);
        return CLI_FAIL;
    }
    if (o->keydir && (stat(o->keydir, &sb) < 0 || !S_ISDIR(sb.st_mode))) {
        err_set(&e, ERR_NOTFOUND, "FILE_OPEN", o->keydir, "not a directory of key files");
        cli_error(&e);
        return CLI_FAIL;
    }
    return 0;
}

int cmd_submit(int argc, char **argv)
{
    submit_opts o = {0};
    int rc = submit_parse_args(argc, argv, &o);
    if (rc)
        return rc < 0 ? CLI_OK : rc;
    submit_run *run = mem_calloc(1, sizeof *run);
    keys_file key = {0};
    if ((rc = cli_sub_proto(&o.sub, &run->proto)) || (rc = submit_load_key(&o, &key)) ||
        (rc = cli_ingest_open(o.dir, cli_data_dir(o.data), &run->in))) {
        sodium_memzero(&key, sizeof key);
        free(run);
        return rc;
    }
    run->key = o.keyfile ? &key : NULL;
    run->keydir = o.keydir;
    double t0 = submit_seconds();
    submit_all(run, submit_threads(o.threads), argv + optind, argc - optind);
    double dt = submit_seconds() - t0;
    sodium_memzero(&key, sizeof key);
    printf("forms %lu: accepted %lu (flagged %lu), rejected %lu, refused %lu; "
           "%lu answered as duplicates\n",
           run->forms, run->accepted, run->flagged, run->rejected, run->refused, run->duplicate);
    fprintf(stderr, "rekap submit: %lu forms in %.2f s (%.0f forms/s)\n", run->forms, dt,
            dt > 0 ? (double)run->forms / dt : 0.0);
    rc = run->rejected || run->refused ? CLI_FOUND : CLI_OK;
    free(run);
    return rc;
}
