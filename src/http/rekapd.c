/* rekapd — the server: one process, two listeners on one election
 * directory. The ingest listener (http_ingest.h) takes signed forms and
 * photos; the public listener (http_public.h) serves results, the log and
 * the photos. Both sit on one ingest (ingest.h): the writer thread that
 * makes every acknowledged form durable.
 *
 * Owns: the command line and the config file (`key = value` lines, one
 * table of settings for both; flags override the file), the order of
 * start and stop, signals, and the port file tests read. Logs are JSON
 * lines on stderr (http_util.h). docs/OPERATIONS.md documents all of it.
 *
 * Stop (SIGTERM, SIGINT): the ingest listener stops accepting, every
 * submission in flight is written and answered, the public listener
 * stops, ingest_close publishes the log; exit 0. */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/mem.h"
#include "http/http_conn.h"
#include "http/http_health.h"
#include "http/http_ingest.h"
#include "http/http_public.h"
#include "http/http_util.h"
#include "ingest/ingest.h"

#ifndef REKAP_DEFAULT_DATA_DIR
#define REKAP_DEFAULT_DATA_DIR "data"
#endif

#define RD_CONFIG_MAX (64 * 1024)  /* bytes of a config file */
#define RD_LINE_MAX 1024           /* bytes of one line of it */
#define RD_STR_MAX 1024            /* bytes of one string setting */
#define RD_SETS_MAX 64             /* --set options */

enum { RD_OK = 0, RD_USAGE = 2, RD_FAIL = 3 };

static const char rd_usage[] =
    "usage: rekapd --dir DIR [options]\n"
    "\n"
    "Serve the election directory DIR (made by `rekap init`): signed forms and\n"
    "photos on the ingest listener, results and the log on the public one.\n"
    "Logs are JSON lines on standard error. SIGTERM or SIGINT stops it\n"
    "cleanly: every submission in flight is written and answered first.\n"
    "\n"
    "  --dir DIR            election directory (or `dir` in the config file)\n"
    "  --config FILE        settings as `key = value` lines (docs/OPERATIONS.md)\n"
    "  --ingest-addr A      ingest listener address (default 127.0.0.1)\n"
    "  --ingest-port P      ingest listener port (default 8081; 0: any free port)\n"
    "  --public-addr A      public listener address (default 127.0.0.1)\n"
    "  --public-port P      public listener port (default 8080; 0: any free port)\n"
    "  --data DIR           master data directory (default $REKAP_DATA, else the\n"
    "                       directory the build was configured with)\n"
    "  --port-file F        write \"ingest=P\\npublic=P\\n\" to F once both listen\n"
    "  --replica            serve a replica directory (`rekap init --replica`): the public\n"
    "                       listener only, following the primary through its store\n"
    "                       (docs/REPLICAS.md); the port file says ingest=0\n"
    "  --log-level L        debug, info (default), warn or error\n"
    "  --set KEY=VALUE      any config setting; repeatable; overrides the file\n"
    "  --help               this text\n"
    "\n"
    "Exit status: 0 stopped cleanly, 2 usage or a bad setting, 3 could not start.\n";

/* --------------------------------------------------------------- settings */

typedef struct rd_settings {
    char *dir, *data, *port_file, *log_level;
    ingest_config ingest;
    ingest_server_config in;
    public_config pub;
} rd_settings;

typedef enum rd_type { T_STR, T_UINT, T_SIZE, T_RATE } rd_type;

/* One setting: its key, type, bounds and where it lives. */
typedef struct rd_key {
    const char *key;
    rd_type type;
    double min, max;
    size_t off;           /* offsetof in rd_settings */
} rd_key;

#define RD_AT(field) offsetof(rd_settings, field)
static const rd_key rd_keys[] = {
    {"dir", T_STR, 0, 0, RD_AT(dir)},
    {"data", T_STR, 0, 0, RD_AT(data)},
    {"port_file", T_STR, 0, 0, RD_AT(port_file)},
    {"log_level", T_STR, 0, 0, RD_AT(log_level)},
    /* the writer */
    {"queue_max", T_UINT, 1, 1 << 22, RD_AT(ingest.queue_max)},
    {"batch_max", T_UINT, 1, 1 << 20, RD_AT(ingest.batch_max)},
    {"publish_interval_ms", T_UINT, 1, 3600000, RD_AT(ingest.publish_interval_ms)},
    /* a replica (docs/REPLICAS.md) */
    {"replica", T_UINT, 0, 1, RD_AT(ingest.replica)},
    {"follow_interval_ms", T_UINT, 1, 60000, RD_AT(ingest.follow_interval_ms)},
    /* the ingest listener */
    {"ingest_addr", T_STR, 0, 0, RD_AT(in.addr)},
    {"ingest_port", T_UINT, 0, 65535, RD_AT(in.port)},
    {"ingest_threads", T_UINT, 0, 64, RD_AT(in.threads)},
    {"ingest_conn_max", T_UINT, 1, 1 << 20, RD_AT(in.conn_max)},
    {"ingest_conn_per_ip", T_UINT, 0, 1 << 20, RD_AT(in.conn_per_ip)},
    {"ingest_min_rate", T_UINT, 0, 1 << 20, RD_AT(in.min_rate)},
    {"ingest_min_rate_window", T_UINT, 1, 60, RD_AT(in.rate_window_s)},
    {"ingest_ip_rate", T_RATE, 0, 1e6, RD_AT(in.ip_rate)},
    {"ingest_ip_burst", T_RATE, 1, 1e6, RD_AT(in.ip_burst)},
    {"ingest_key_rate", T_RATE, 0, 1e6, RD_AT(in.key_rate)},
    {"ingest_key_burst", T_RATE, 1, 1e6, RD_AT(in.key_burst)},
    {"ingest_timeout", T_UINT, 1, 3600, RD_AT(in.timeout_s)},
    {"ingest_header_timeout", T_UINT, 1, 3600, RD_AT(in.header_timeout_s)},
    {"photo_max", T_SIZE, 1, 1 << 30, RD_AT(in.photo_max)},
    /* the public listener */
    {"public_addr", T_STR, 0, 0, RD_AT(pub.addr)},
    {"public_port", T_UINT, 0, 65535, RD_AT(pub.port)},
    {"public_threads", T_UINT, 0, 64, RD_AT(pub.threads)},
    {"public_conn_max", T_UINT, 1, 1 << 20, RD_AT(pub.conn_max)},
    {"public_conn_per_ip", T_UINT, 0, 1 << 20, RD_AT(pub.conn_per_ip)},
    {"public_ip_rate", T_RATE, 0, 1e6, RD_AT(pub.ip_rate)},
    {"public_ip_burst", T_RATE, 1, 1e6, RD_AT(pub.ip_burst)},
    {"public_ip_wait", T_RATE, 0, 60, RD_AT(pub.ip_wait)},
    {"public_url", T_STR, 0, 0, RD_AT(pub.base_url)},
    {"web_dir", T_STR, 0, 0, RD_AT(pub.web_dir)},
    {"ingest_url", T_STR, 0, 0, RD_AT(pub.ingest_url)},
    {"public_timeout", T_UINT, 1, 3600, RD_AT(pub.timeout_s)},
    {"render_ms", T_UINT, 1, 60000, RD_AT(pub.render_ms)},
};
#define RD_NKEYS (sizeof rd_keys / sizeof rd_keys[0])

/* The built web pages beside the program: scripts/build writes them to
 * build/release/web next to build/release/rekapd (docs/WEB.md). */
static char rd_web_default[4096];

static const char *rd_web_dir(void)
{
    ssize_t n = readlink("/proc/self/exe", rd_web_default, sizeof rd_web_default - 5);
    if (n <= 0)
        return NULL;
    rd_web_default[n] = '\0';
    char *slash = strrchr(rd_web_default, '/');
    if (!slash)
        return NULL;
    memcpy(slash, "/web", 5);
    return rd_web_default;
}

static void rd_defaults(rd_settings *s)
{
    memset(s, 0, sizeof *s);
    ingest_server_defaults(&s->in);
    s->pub = (public_config){
        .addr = "127.0.0.1", .port = 8080, .threads = 0, .conn_max = 4096, .conn_per_ip = 256,
        .ip_rate = 200,      .ip_burst = 400, .ip_wait = 5, .timeout_s = 30, .render_ms = 250,
        .web_dir = rd_web_dir(),
    };
}

/* Strings the settings own (freed at exit); defaults are static. */
static char *rd_owned[RD_NKEYS];

/* Set `key` to the text `val`. Returns NULL or why it is refused. */
static const char *rd_set(rd_settings *s, const char *key, const char *val)
{
    const rd_key *k = NULL;
    for (size_t i = 0; i < RD_NKEYS && !k; i++)
        if (strcmp(rd_keys[i].key, key) == 0)
            k = &rd_keys[i];
    if (!k)
        return "unknown setting";
    char *at = (char *)s + k->off;
    if (k->type == T_STR) {
        if (!*val || strlen(val) > RD_STR_MAX)
            return "needs a value of 1..1024 bytes";
        size_t slot = (size_t)(k - rd_keys);
        free(rd_owned[slot]);
        rd_owned[slot] = mem_strdup(val);
        memcpy(at, &rd_owned[slot], sizeof(char *));
        return NULL;
    }
    char *end;
    errno = 0;
    double v = strtod(val, &end);
    if (end == val || *end || errno || !isfinite(v) || v < k->min || v > k->max)
        return "needs a number in its range (docs/OPERATIONS.md)";
    if (k->type == T_RATE) {
        memcpy(at, &v, sizeof v);
        return NULL;
    }
    if (v != floor(v))
        return "needs a whole number";
    if (k->type == T_SIZE) {
        size_t z = (size_t)v;
        memcpy(at, &z, sizeof z);
    } else {
        unsigned u = (unsigned)v;
        memcpy(at, &u, sizeof u);
    }
    return NULL;
}

static char *rd_trim(char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
        s[--n] = '\0';
    return s;
}

/* One line of the config file: blank, "# comment" or "key = value". */
static const char *rd_config_line(rd_settings *s, char *line)
{
    char *p = rd_trim(line);
    if (!*p || *p == '#')
        return NULL;
    char *eq = strchr(p, '=');
    if (!eq)
        return "not a `key = value` line";
    *eq = '\0';
    return rd_set(s, rd_trim(p), rd_trim(eq + 1));
}

static int rd_config(rd_settings *s, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "rekapd: %s: cannot open: %s\n", path, strerror(errno));
        return RD_USAGE;
    }
    char line[RD_LINE_MAX + 2];
    size_t total = 0;
    int lineno = 0, rc = RD_OK;
    while (rc == RD_OK && fgets(line, sizeof line, f)) {
        lineno++;
        size_t n = strlen(line);
        total += n;
        const char *why = NULL;
        if (total > RD_CONFIG_MAX)
            why = "the file is over 64 KiB";
        else if (n > RD_LINE_MAX || (n == RD_LINE_MAX + 1 && line[n - 1] != '\n'))
            why = "the line is over 1024 bytes";
        else {
            line[strcspn(line, "\n")] = '\0';
            why = rd_config_line(s, line);
        }
        if (why) {
            fprintf(stderr, "rekapd: %s:%d: %s\n", path, lineno, why);
            rc = RD_USAGE;
        }
    }
    fclose(f);
    return rc;
}

/* ---------------------------------------------------------- command line */

typedef struct rd_args {
    const char *config;
    const char *set[RD_SETS_MAX][2];  /* key, value: applied after the file */
    char *owned[RD_SETS_MAX];
    unsigned nset;
} rd_args;

static int rd_arg_set(rd_args *a, const char *key, const char *val)
{
    if (a->nset == RD_SETS_MAX) {
        fprintf(stderr, "rekapd: at most %d settings on the command line\n", RD_SETS_MAX);
        return -1;
    }
    a->set[a->nset][0] = key;
    a->set[a->nset][1] = val;
    a->nset++;
    return 0;
}

/* --set KEY=VALUE */
static int rd_arg_kv(rd_args *a, const char *kv)
{
    const char *eq = strchr(kv, '=');
    if (!eq || eq == kv) {
        fprintf(stderr, "rekapd: --set takes KEY=VALUE\n");
        return -1;
    }
    if (a->nset == RD_SETS_MAX)
        return rd_arg_set(a, kv, eq + 1); /* refuses, saying why */
    char *key = mem_strndup(kv, (size_t)(eq - kv));
    a->owned[a->nset] = key;
    return rd_arg_set(a, key, eq + 1);
}

static int rd_parse_args(int argc, char **argv, rd_args *a)
{
    static const struct option opts[] = {
        {"dir", required_argument, 0, 'D'},         {"config", required_argument, 0, 'c'},
        {"ingest-addr", required_argument, 0, 'a'}, {"ingest-port", required_argument, 0, 'p'},
        {"public-addr", required_argument, 0, 'A'}, {"public-port", required_argument, 0, 'P'},
        {"data", required_argument, 0, 'd'},        {"port-file", required_argument, 0, 'f'},
        {"log-level", required_argument, 0, 'l'},   {"set", required_argument, 0, 's'},
        {"replica", no_argument, 0, 'r'},           {"help", no_argument, 0, 'h'},
        {0, 0, 0, 0}};
    static const struct { int opt; const char *key; } alias[] = {
        {'D', "dir"},         {'a', "ingest_addr"}, {'p', "ingest_port"}, {'A', "public_addr"},
        {'P', "public_port"}, {'d', "data"},        {'f', "port_file"},   {'l', "log_level"}};
    int opt;
    while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        int rc = 0, known = 0;
        for (size_t i = 0; i < sizeof alias / sizeof alias[0]; i++)
            if (alias[i].opt == opt) {
                rc = rd_arg_set(a, alias[i].key, optarg);
                known = 1;
            }
        if (opt == 'c')
            a->config = optarg;
        else if (opt == 'r')
            rc = rd_arg_set(a, "replica", "1");
        else if (opt == 's')
            rc = rd_arg_kv(a, optarg);
        else if (opt == 'h') {
            fputs(rd_usage, stdout);
            return -1;
        } else if (!known)
            rc = -1;
        if (rc < 0) {
            fputs(rd_usage, stderr);
            return RD_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "rekapd: unexpected argument '%s'\n", argv[optind]);
        return RD_USAGE;
    }
    return RD_OK;
}

/* Defaults, then the file, then the command line; then what must hold. */
static int rd_settle(rd_settings *s, const rd_args *a)
{
    int rc = a->config ? rd_config(s, a->config) : RD_OK;
    for (unsigned i = 0; rc == RD_OK && i < a->nset; i++) {
        const char *why = rd_set(s, a->set[i][0], a->set[i][1]);
        if (why) {
            fprintf(stderr, "rekapd: %s: %s\n", a->set[i][0], why);
            rc = RD_USAGE;
        }
    }
    if (rc == RD_OK && !s->dir) {
        fprintf(stderr, "rekapd: --dir (or `dir` in the config file) is required\n");
        rc = RD_USAGE;
    }
    if (rc == RD_OK && s->log_level && http_log_level_parse(s->log_level) < 0) {
        fprintf(stderr, "rekapd: log_level: one of debug, info, warn, error\n");
        rc = RD_USAGE;
    }
    if (rc != RD_OK)
        fputs("Run 'rekapd --help' for the options.\n", stderr);
    return rc;
}

/* ----------------------------------------------------------------- run */

/* The port file, written whole (temp + rename) so a reader never sees half. */
static int rd_port_file(const char *path, unsigned ingest_port, unsigned public_port)
{
    size_t n = strlen(path) + 8;
    char *tmp = mem_alloc(n);
    snprintf(tmp, n, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    int ok = f && fprintf(f, "ingest=%u\npublic=%u\n", ingest_port, public_port) > 0;
    ok = f && fclose(f) == 0 && ok && rename(tmp, path) == 0;
    if (!ok)
        unlink(tmp);
    free(tmp);
    return ok ? 0 : -1;
}

/* File descriptors beyond the connections': the store, the log, the
 * read-only pools, epoll and the listeners' own. */
#define RD_FD_SPARE 256

/* Every connection the caps allow needs a descriptor, and an upload in
 * progress a second one (its temp file): check now, with a clear error,
 * rather than fail to accept under load. */
static int rd_fd_reserve(const rd_settings *s, err_info *e)
{
    unsigned long need = (unsigned long)s->pub.conn_max + RD_FD_SPARE;
    if (!s->ingest.replica)
        need += 2ul * s->in.conn_max;
    return http_fd_reserve(need, e);
}

static void rd_log_error(const char *event, const err_info *e)
{
    http_log(HTTP_LOG_ERROR, event,
             json_pack("{s:s,s:s,s:s}", "code", e->code ? e->code : "ERROR", "where", e->where,
                       "message", e->msg));
}

/* What ingest tells the operator (the log stopped or resumed being
 * published), as a log line. */
static void rd_ingest_event(void *ctx, const char *name, const err_info *e)
{
    if (e)
        rd_log_error(name, e);
    else
        http_log(HTTP_LOG_INFO, name, NULL);
}

/* Block the stop signals in every thread (threads inherit the mask), so
 * the main thread alone takes them with sigwait. */
static void rd_block_signals(sigset_t *set)
{
    sigemptyset(set);
    sigaddset(set, SIGTERM);
    sigaddset(set, SIGINT);
    pthread_sigmask(SIG_BLOCK, set, NULL);
    signal(SIGPIPE, SIG_IGN);
}

static int rd_serve(rd_settings *s)
{
    sigset_t set;
    rd_block_signals(&set);
    err_info e = {0};
    ingest *in = NULL;
    ingest_server *is = NULL;
    public_server *ps = NULL;
    s->ingest.dir = s->dir;
    const char *env = getenv("REKAP_DATA");
    s->ingest.data_dir = s->data ? s->data : env && *env ? env : REKAP_DEFAULT_DATA_DIR;
    s->in.dir = s->pub.dir = s->dir;
    s->ingest.event = rd_ingest_event;
    if (rd_fd_reserve(s, &e) < 0) {
        rd_log_error("start_failed", &e);
        return RD_FAIL;
    }
    if (ingest_open(&s->ingest, &in, &e) < 0) {
        rd_log_error("open_failed", &e);
        return RD_FAIL;
    }
    http_log(HTTP_LOG_INFO, "opened", json_pack("{s:s,s:f}", "dir", s->dir, "rebuild_seconds",
                                                ingest_rebuild_seconds(in)));
    int rc = RD_FAIL;
    char ingest_url[64];
    if (!s->ingest.replica && ingest_server_start(&s->in, in, &is, &e) < 0) {
        rd_log_error("ingest_listen_failed", &e);
    } else {
        if (is && (!s->pub.ingest_url || !*s->pub.ingest_url)) {
            /* the officer page on this machine reaches the ingest listener here */
            snprintf(ingest_url, sizeof ingest_url, "http://localhost:%u", ingest_server_port(is));
            s->pub.ingest_url = ingest_url;
        }
        if (public_start(&s->pub, in, &ps, &e) < 0)
            rd_log_error("public_listen_failed", &e);
        else if (s->port_file &&
                 rd_port_file(s->port_file, is ? ingest_server_port(is) : 0, public_port(ps)) < 0)
            http_log(HTTP_LOG_ERROR, "port_file_failed",
                     json_pack("{s:s,s:s}", "path", s->port_file, "error", strerror(errno)));
        else
            rc = RD_OK;
    }
    if (rc == RD_OK) {
        http_health_ready(); /* both listeners up: /healthz may say healthy */
        http_log(HTTP_LOG_INFO, "listening",
                 json_pack("{s:s,s:i,s:s,s:i,s:b}", "ingest_addr", s->in.addr, "ingest_port",
                           is ? (int)ingest_server_port(is) : 0, "public_addr", s->pub.addr,
                           "public_port", (int)public_port(ps), "replica", s->ingest.replica));
        int sig = 0;
        while (sigwait(&set, &sig) != 0)
            ;
        http_log(HTTP_LOG_INFO, "stopping", json_pack("{s:s}", "signal", strsignal(sig)));
    }
    ingest_server_stop(is);   /* in-flight submissions written and answered */
    if (ps)
        public_stop(ps);
    ingest_close(in);         /* the queue drained, the log published */
    http_log(rc == RD_OK ? HTTP_LOG_INFO : HTTP_LOG_ERROR, "stopped", json_pack("{s:i}", "exit", rc));
    return rc;
}

int main(int argc, char **argv)
{
    rd_args a = {0};
    rd_settings s;
    rd_defaults(&s);
    int rc = rd_parse_args(argc, argv, &a);
    if (rc == RD_OK)
        rc = rd_settle(&s, &a);
    if (rc == RD_OK) {
        if (s.log_level)
            http_log_set_level((http_log_level)http_log_level_parse(s.log_level));
        rc = rd_serve(&s);
    }
    for (unsigned i = 0; i < a.nset; i++)
        free(a.owned[i]);
    for (size_t i = 0; i < RD_NKEYS; i++)
        free(rd_owned[i]);
    return rc < 0 ? RD_OK : rc;
}
