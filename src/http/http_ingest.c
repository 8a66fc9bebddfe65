/* http_ingest — the ingest listener of rekapd (http_ingest.h, docs/API.md).
 *
 * Owns: the libmicrohttpd daemon of the ingest port, its routes
 *   POST /api/v1/submissions          a signed C.Hasil or correction
 *   PUT  /api/v1/photos/<sha256 hex>  a photo (stored by http_photo)
 *   GET  /api/v1/tps/<code>/status    a TPS's logged versions
 *   GET  /metrics, GET /healthz
 * and the protections in front of them: per-address and per-officer-key
 * token buckets, connection caps, header and body caps, and a
 * whole-request deadline.
 *
 * Threads: a pool of MHD threads parses and verifies submissions in
 * parallel (ingest_prepare), then suspends the connection and queues the
 * job for the one writer (ingest_enqueue, never blocking: a full queue is
 * a 503). The writer's done callback stores the result and resumes the
 * connection, whose thread then answers. So a 201 is only ever sent after
 * the entry is on disk, and a listener thread never waits for a disk.
 * A reaper thread (http_conn) cuts connections past their deadlines: the
 * headers of a request within header_timeout_s, the whole request within
 * timeout_s, not counting the wait for the writer (libmicrohttpd's own
 * timeout only measures silence, which a client trickling one byte at a
 * time never produces); a request arriving under min_rate bytes a second;
 * and, near conn_max, the connections of an address over its fair share. */
#include "http/http_ingest.h"
#include "http/http_health.h"

#include <assert.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core/entry.h"
#include "core/keys.h"
#include "core/mem.h"
#include "core/rules.h"
#include "core/sha256.h"
#include "edir/edir.h"
#include "http/http_body.h"
#include "http/http_conn.h"
#include "http/http_limit.h"
#include "http/http_metrics.h"
#include "http/http_path.h"
#include "http/http_photo.h"
#include "http/http_util.h"

#define SRV_BODY_MAX (256u * 1024u)     /* a submission request's JSON body */
#define SRV_MEMORY_LIMIT (64u * 1024u)  /* per connection: headers and read buffer */
#define SRV_LIMIT_SLOTS 65536           /* token buckets per limiter */
#define SRV_PATH_MAX 4096
#define SRV_THREADS_MAX 64
#define SRV_BUSY_RETRY 1.0              /* seconds a 503 asks the client to wait */

/* The routes as http_path parses them, in the order of their metrics. */
enum srv_route {
    R_SUBMIT = PATH_INGEST_SUBMIT, R_PHOTO = PATH_INGEST_PHOTO, R_STATUS = PATH_INGEST_STATUS,
    R_METRICS = PATH_INGEST_METRICS, R_HEALTH = PATH_INGEST_HEALTH, R_OTHER = PATH_INGEST_OTHER,
    R_COUNT = PATH_INGEST_ROUTES
};
static const char *const srv_route_name[R_COUNT] = {"submissions", "photos", "status",
                                                    "metrics",     "health", "other"};

enum srv_counter {
    C_ACCEPTED, C_REJECTED, C_REFUSED, C_DUPLICATE, C_LIMIT_IP, C_LIMIT_KEY, C_BUSY,
    C_PHOTO_STORED, C_PHOTO_EXISTS, C_PHOTO_REFUSED, C_PHOTO_BYTES,
    C_CONN, /* then one per http_conn_event, in its order */
    C_COUNT = C_CONN + HTTP_CONN_EVENTS
};
static const http_counter_def srv_counters[C_COUNT] = {
    {"rekapd_submissions_total", "result=\"accepted\"",
     "Submissions answered, by verdict (a duplicate counts under its verdict)."},
    {"rekapd_submissions_total", "result=\"rejected\"", NULL},
    {"rekapd_submissions_total", "result=\"refused\"", NULL},
    {"rekapd_submissions_duplicate_total", NULL,
     "Submissions answered as a duplicate of one logged before."},
    {"rekapd_rate_limited_total", "by=\"address\"", "Requests refused with 429, by limit."},
    {"rekapd_rate_limited_total", "by=\"key\"", NULL},
    {"rekapd_queue_full_total", NULL, "Submissions refused with 503: the writer's queue was full."},
    {"rekapd_photos_total", "result=\"stored\"", "Photo uploads, by outcome."},
    {"rekapd_photos_total", "result=\"exists\"", NULL},
    {"rekapd_photos_total", "result=\"refused\"", NULL},
    {"rekapd_photo_bytes_total", NULL, "Bytes of photos stored."},
    {"rekapd_connections_cut_total", "reason=\"deadline\"",
     "Connections cut: past a deadline, under the floor, over the address's fair share."},
    {"rekapd_connections_cut_total", "reason=\"slow\"", NULL},
    {"rekapd_connections_cut_total", "reason=\"share\"", NULL},
    {"rekapd_connections_refused_total", "reason=\"per_ip\"",
     "Connections refused: the address at its cap or its fair share, the budget full."},
    {"rekapd_connections_refused_total", "reason=\"share\"", NULL},
    {"rekapd_connections_refused_total", "reason=\"conn_max\"", NULL},
};
_Static_assert(HTTP_CONN_EVENTS == 6, "one counter above per http_conn_event");

struct ingest_server {
    ingest_server_config cfg;
    char *addr, *dir, *photo_dir;
    ingest *in;
    struct MHD_Daemon *d;
    limiter *ip_limit, *key_limit;
    http_metrics *metrics;
    atomic_int stopping;
    atomic_int active;           /* requests begun, not yet completed */
    atomic_int pending;          /* requests waiting for the writer */
    edir_pool *pool;             /* read-only store connections for the status route */
    http_conns *conns;           /* the deadline: header_timeout_s, timeout_s */
};

/* One HTTP request (MHD's con_cls). */
typedef struct srv_req {
    ingest_server *srv;
    struct MHD_Connection *conn;
    http_conn *sc;               /* held while waiting for the writer */
    unsigned route;
    unsigned status;             /* of the answer queued; 0: none yet */
    double t0;
    /* the body: a submission's JSON (a photo's goes to http_photo) */
    char *body;
    size_t len, cap;
    int too_large;
    /* a submission waiting for the writer */
    char *sub;
    size_t sublen;
    int answered;
    ingest_result res;
    rule_hit *hits;              /* res.hits: the writer's, copied before the job goes */
    photo_upload *photo;         /* a photo being uploaded */
} srv_req;

void ingest_server_defaults(ingest_server_config *cfg)
{
    *cfg = (ingest_server_config){
        .addr = "127.0.0.1", .port = 8081, .dir = NULL,
        .conn_max = 4096,    .conn_per_ip = 64,
        .min_rate = 256,     .rate_window_s = 5, /* a trickle is cut within 5 s */
        .ip_rate = 20,       .ip_burst = 100,   /* officers behind carrier NAT share addresses */
        .key_rate = 1,       .key_burst = 20,   /* five ballots, corrections, retries */
        .timeout_s = 120,    .header_timeout_s = 10,
        .photo_max = 8u << 20,
        .threads = 0,
    };
}

/* -------------------------------------------------------------- answers */

static enum MHD_Result srv_json(srv_req *r, unsigned status, json_t *o, double retry_after)
{
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s)
        return MHD_NO;
    r->status = status;
    enum MHD_Result ret = http_send_json(r->conn, status, s, strlen(s), retry_after);
    free(s);
    return ret;
}

static enum MHD_Result srv_error(srv_req *r, const char *code, const char *where, const char *detail,
                                 double retry_after)
{
    r->status = http_error_find(code)->status;
    return http_send_error(r->conn, code, where, detail, retry_after);
}

static void srv_hex(const uint8_t *b, size_t n, char *out)
{
    sodium_bin2hex(out, 2 * n + 1, b, n);
}

/* ---------------------------------------------------------- submissions */

/* Every rule of `sev` the submission breaks, with both messages, from the
 * hits prepare found (the result carries them: the rules ran once). */
static json_t *srv_rules_json(const ingest_result *res, rule_severity sev)
{
    json_t *arr = json_array();
    for (unsigned i = 0; i < res->nhits; i++) {
        const rule_def *d = rules_def(res->hits[i].id);
        if (d->severity != sev)
            continue;
        char id[512], en[512];
        rules_hit_message(&res->hits[i], "id", id, sizeof id);
        rules_hit_message(&res->hits[i], "en", en, sizeof en);
        json_array_append_new(arr, json_pack("{s:s,s:s,s:s}", "code", d->code, "message_id", id,
                                             "message_en", en));
    }
    return arr;
}

/* "B4_SUM,VOTES_SUM" as a JSON array of strings. */
static json_t *srv_codes_json(const char *codes)
{
    json_t *arr = json_array();
    const char *p = codes;
    while (*p) {
        const char *end = strchr(p, ',');
        size_t n = end ? (size_t)(end - p) : strlen(p);
        json_array_append_new(arr, json_stringn(p, n));
        p += n + (end != NULL);
    }
    return arr;
}

/* What the officer keeps: enough to find the entry in the public log and
 * check that it carries exactly what was signed. */
static json_t *srv_receipt(const srv_req *r)
{
    uint8_t h[32];
    char hex[65];
    sha256(r->sub, r->sublen, h);
    srv_hex(h, 32, hex);
    const ingest_result *res = &r->res;
    if (res->type != SIGNED_FORM)   /* a recap's or record's unit */
        return json_pack("{s:I,s:s,s:s,s:s,s:s,s:i,s:s}", "log_index", (json_int_t)res->index,
                         "type", res->type == SIGNED_RECAP ? "recap" : "record", "region",
                         res->region, "contest", contest_kind_id[res->kind], "district",
                         res->district, res->type == SIGNED_RECAP ? "version" : "number",
                         (int)res->version, "submission_sha256", hex);
    return json_pack("{s:I,s:s,s:s,s:i,s:s}", "log_index", (json_int_t)res->index, "tps", res->tps,
                     "contest", contest_kind_id[res->kind], "version", (int)res->version,
                     "submission_sha256", hex);
}

static enum MHD_Result srv_submit_answer(srv_req *r)
{
    ingest_server *srv = r->srv;
    const ingest_result *res = &r->res;
    if (res->status == INGEST_REFUSED) {
        const char *code = res->err.code ? res->err.code : "INTERNAL";
        int busy = !strcmp(code, "INGEST_BUSY"), retry = busy || !strcmp(code, "INGEST_LOG_UNPUBLISHED");
        http_metrics_add(srv->metrics, busy ? C_BUSY : C_REFUSED, 1);
        return srv_error(r, code, res->err.where, res->err.msg, retry ? SRV_BUSY_RETRY : 0);
    }
    int accepted = res->status == INGEST_ACCEPTED;
    http_metrics_add(srv->metrics, accepted ? C_ACCEPTED : C_REJECTED, 1);
    if (res->duplicate)
        http_metrics_add(srv->metrics, C_DUPLICATE, 1);
    json_t *o = json_object();
    if (!accepted) {
        const http_error_def *d =
            http_error_find(res->type == SIGNED_FORM ? "RULES_BROKEN" : "RECAP_RULES_BROKEN");
        json_object_set_new(o, "code", json_string(d->code));
        json_object_set_new(o, "message_id", json_string(d->msg_id));
        json_object_set_new(o, "message_en", json_string(d->msg_en));
    }
    json_object_set_new(o, "status", json_string(accepted ? "accepted" : "rejected"));
    json_object_set_new(o, "index", json_integer((json_int_t)res->index));
    json_object_set_new(o, "duplicate", json_boolean(res->duplicate));
    json_object_set_new(o, "codes", srv_codes_json(res->codes));
    json_object_set_new(o, "rules", srv_rules_json(res, accepted ? RULE_SOFT : RULE_HARD));
    json_object_set_new(o, "receipt", srv_receipt(r));
    return srv_json(r, accepted ? MHD_HTTP_CREATED : MHD_HTTP_UNPROCESSABLE_CONTENT, o, 0);
}

/* The writer's answer (writer thread): keep it, with a copy of its rule
 * hits (they go with the job), wake the connection. */
static void srv_submit_done(void *ctx, const ingest_result *res)
{
    srv_req *r = ctx;
    ingest_server *srv = r->srv; /* r may be gone once resumed */
    assert(!r->answered && !r->hits && atomic_load(&srv->pending) > 0); /* one answer each */
    r->res = *res;
    if (res->nhits) {
        r->hits = mem_alloc(res->nhits * sizeof *r->hits);
        memcpy(r->hits, res->hits, res->nhits * sizeof *r->hits);
    }
    r->res.hits = r->hits;
    r->answered = 1;
    http_conn_release(r->sc); /* the deadline restarts for the answer */
    MHD_resume_connection(r->conn);
    atomic_fetch_sub(&srv->pending, 1);
}

/* The body is in: verify here (in parallel), then hand the job to the
 * writer and suspend until its answer. */
static enum MHD_Result srv_submit(srv_req *r)
{
    ingest_server *srv = r->srv;
    if (r->answered)
        return srv_submit_answer(r);
    if (r->too_large)
        return srv_error(r, "BODY_TOO_LARGE", NULL, NULL, 0);
    uint8_t pk[32], sig[64];
    const char *code, *where;
    if (body_submission_parse(r->body, r->len, &r->sub, &r->sublen, pk, sig, &code, &where) < 0)
        return srv_error(r, code, where, NULL, 0);
    if (!ingest_log_healthy(srv->in)) { /* no work for what could not be acknowledged */
        http_metrics_add(srv->metrics, C_REFUSED, 1);
        return srv_error(r, "INGEST_LOG_UNPUBLISHED", "log", NULL, SRV_BUSY_RETRY);
    }
    ingest_job *job = NULL;
    err_info e = {0};
    if (ingest_prepare(srv->in, r->sub, r->sublen, pk, sig, &job, &e) < 0) {
        http_metrics_add(srv->metrics, C_REFUSED, 1);
        return srv_error(r, e.code ? e.code : "INTERNAL", e.where, e.msg, 0);
    }
    /* only a verified key spends its own tokens: nobody can drain an
     * officer's bucket by sending garbage with the officer's public key */
    double retry;
    if (!limiter_take(srv->key_limit, pk, sizeof pk, http_now(), &retry)) {
        ingest_job_free(job);
        http_metrics_add(srv->metrics, C_LIMIT_KEY, 1);
        http_conns_refused(srv->conns, "key_rate_limited", r->conn);
        return srv_error(r, "KEY_RATE_LIMITED", NULL, NULL, retry);
    }
    /* suspend before queueing, so the writer's resume always finds the
     * connection suspended */
    http_conn_hold(r->sc);
    atomic_fetch_add(&srv->pending, 1);
    MHD_suspend_connection(r->conn);
    if (ingest_enqueue(srv->in, job, 0, srv_submit_done, r) < 0) {
        /* the queue is full (or closing): answered as the writer would */
        ingest_result busy = {.status = INGEST_REFUSED};
        err_set(&busy.err, ERR_LIMIT, "INGEST_BUSY", "", "the writer's queue is full");
        srv_submit_done(r, &busy);
    }
    return MHD_YES;
}

/* --------------------------------------------------------------- photos */

/* PUT /api/v1/photos/<name>, its headers in: http_photo stores it; this
 * listener answers and counts the outcome. */
static enum MHD_Result srv_photo_begin(srv_req *r, const char *name)
{
    ingest_server *srv = r->srv;
    if (!path_photo_name(name))
        return srv_error(r, "PHOTO_NAME", "path", NULL, 0);
    const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    err_info e = {0};
    int rc = photo_put_begin(srv->photo_dir, name, cl ? strtoull(cl, NULL, 10) : 0,
                             srv->cfg.photo_max, &r->photo, &e);
    if (rc == ERR_EXISTS) {
        http_metrics_add(srv->metrics, C_PHOTO_EXISTS, 1);
        return srv_json(r, MHD_HTTP_OK, json_pack("{s:s,s:s}", "status", "exists", "sha256", name), 0);
    }
    if (rc < 0) {
        http_metrics_add(srv->metrics, C_PHOTO_REFUSED, 1);
        return srv_error(r, e.code, NULL, NULL, 0);
    }
    return MHD_YES;
}

/* The photo's body is in. */
static enum MHD_Result srv_photo_finish(srv_req *r, const char *name)
{
    ingest_server *srv = r->srv;
    uint64_t size = 0;
    err_info e = {0};
    if (photo_put_finish(r->photo, &size, &e) < 0) {
        http_metrics_add(srv->metrics, C_PHOTO_REFUSED, 1);
        return srv_error(r, e.code, NULL, NULL, 0);
    }
    http_metrics_add(srv->metrics, C_PHOTO_STORED, 1);
    http_metrics_add(srv->metrics, C_PHOTO_BYTES, size);
    return srv_json(r, MHD_HTTP_CREATED,
                    json_pack("{s:s,s:s,s:I}", "status", "stored", "sha256", name, "size",
                              (json_int_t)size), 0);
}

/* --------------------------------------------------------------- status */

/* One contest's line of the status of TPS t (code tps): the latest
 * version (its verdict, index, time and codes, read from the store) and
 * the version counted, as the ingest knows them. */
static json_t *srv_status_contest(ingest *in, store *st, uint32_t t, const char *tps,
                                  contest_kind k, entry *en, err_info *e)
{
    uint32_t latest, counted;
    uint64_t idx;
    ingest_form_versions(in, t, k, &latest, &counted);
    if (!latest)
        return json_pack("{s:s,s:i,s:s}", "contest", contest_kind_id[k], "version", 0, "status",
                         "none");
    if (edir_store_entry(st, tps, k, latest, 0, en, &idx, e) < 0)
        return NULL;
    json_t *o = json_pack("{s:s,s:i,s:s,s:I,s:I,s:o}", "contest", contest_kind_id[k], "version",
                          (int)latest, "status", en->accepted ? "accepted" : "rejected",
                          "index", (json_int_t)idx, "received", (json_int_t)en->received,
                          "codes", srv_codes_json(en->codes));
    json_object_set_new(o, "counted_version", json_integer(counted));
    return o;
}

static enum MHD_Result srv_status(srv_req *r, const char *code)
{
    ingest_server *srv = r->srv;
    const election *el = ingest_election(srv->in);
    uint32_t t = strlen(code) == 13 ? election_tps_find(el, code) : ELECTION_NONE;
    if (t == ELECTION_NONE)
        return srv_error(r, "TPS_UNKNOWN", "path", NULL, 0);
    err_info e = {0};
    store *st;
    if (edir_pool_take(srv->pool, &st, &e) < 0)
        return srv_error(r, "STORE_OPEN", NULL, e.msg, 0);
    json_t *arr = json_array();
    entry *en = mem_alloc(sizeof *en);
    int ok = 1;
    for (int k = 0; ok && k < CONTEST_KINDS; k++) {
        if (el->tps[t].district[k] == ELECTION_NONE)
            continue;
        json_t *c = srv_status_contest(srv->in, st, t, code, (contest_kind)k, en, &e);
        ok = c != NULL;
        json_array_append_new(arr, c);
    }
    free(en);
    edir_pool_give(srv->pool, st);
    if (!ok) {
        json_decref(arr);
        return srv_error(r, e.code ? e.code : "INTERNAL", e.where, e.msg, 0);
    }
    return srv_json(r, MHD_HTTP_OK, json_pack("{s:s,s:o}", "tps", code, "contests", arr), 0);
}

/* -------------------------------------------------------------- metrics */

static enum MHD_Result srv_metrics(srv_req *r)
{
    ingest_server *srv = r->srv;
    char extra[2048];
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(srv->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    ingest_log_state ls;
    ingest_log_state_get(srv->in, &ls);
    snprintf(extra, sizeof extra,
             "# HELP rekapd_ingest_queue_depth Jobs waiting for the writer.\n"
             "# TYPE rekapd_ingest_queue_depth gauge\n"
             "rekapd_ingest_queue_depth %u\n"
             "# HELP rekapd_ingest_waiting Requests waiting for the writer's answer.\n"
             "# TYPE rekapd_ingest_waiting gauge\n"
             "rekapd_ingest_waiting %d\n"
             "# HELP rekapd_ingest_connections Open connections on the ingest port.\n"
             "# TYPE rekapd_ingest_connections gauge\n"
             "rekapd_ingest_connections %u\n"
             "# HELP rekapd_log_entries Entries logged (appended, maybe not yet published).\n"
             "# TYPE rekapd_log_entries gauge\n"
             "rekapd_log_entries %llu\n"
             "# HELP rekapd_log_published_entries Entries under the last signed checkpoint.\n"
             "# TYPE rekapd_log_published_entries gauge\n"
             "rekapd_log_published_entries %llu\n"
             "# HELP rekapd_log_publish_failures_total Log publications that failed.\n"
             "# TYPE rekapd_log_publish_failures_total counter\n"
             "rekapd_log_publish_failures_total %llu\n"
             "# HELP rekapd_log_healthy 1 while the log is published, 0 while ingest refuses.\n"
             "# TYPE rekapd_log_healthy gauge\n"
             "rekapd_log_healthy %d\n",
             ingest_queue_depth(srv->in), atomic_load(&srv->pending),
             di ? di->num_connections : 0u, (unsigned long long)ls.size,
             (unsigned long long)ls.published, (unsigned long long)ls.failures, ls.healthy);
    size_t len;
    char *text = http_metrics_render(srv->metrics, extra, &len);
    struct MHD_Response *resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(text);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    r->status = MHD_HTTP_OK;
    enum MHD_Result ret = MHD_queue_response(r->conn, MHD_HTTP_OK, resp);
    MHD_destroy_response(resp);
    return ret;
}

/* Healthy means able to acknowledge: not stopping, and the log published
 * (a load balancer takes an unhealthy node out of the ingest pool). */
static enum MHD_Result srv_health(srv_req *r)
{
    unsigned status;
    json_t *o = http_health(r->srv->in, atomic_load(&r->srv->stopping), &status);
    return srv_json(r, status, o, 0);
}

/* -------------------------------------------------------------- routing */

#define SRV_PHOTOS PATH_INGEST_PHOTOS

static int srv_method_ok(unsigned route, const char *method)
{
    int get = strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
    switch (route) {
    case R_SUBMIT: return strcmp(method, "POST") == 0;
    case R_PHOTO: return strcmp(method, "PUT") == 0;
    default: return get;
    }
}

/* The per-address budget: 1 when the request is over it (*retry: when to
 * come back). /healthz and /metrics are outside it: a load balancer's
 * checks and the operator's scrapes are not refused because of a flood
 * from their address. */
static int srv_over_rate(srv_req *r, double *retry)
{
    ingest_server *srv = r->srv;
    if (r->route == R_HEALTH || r->route == R_METRICS)
        return 0;
    uint8_t key[HTTP_CLIENT_KEY_MAX];
    size_t klen = http_client_key(r->conn, key);
    if (limiter_take(srv->ip_limit, key, klen, r->t0, retry))
        return 0;
    http_metrics_add(srv->metrics, C_LIMIT_IP, 1);
    http_conns_refused(srv->conns, "rate_limited", r->conn);
    return 1;
}

/* The headers are in: everything that can be refused before the body. */
static enum MHD_Result srv_begin(srv_req *r, const char *url, const char *method)
{
    ingest_server *srv = r->srv;
    r->route = path_ingest_route(url);
    double retry;
    if (http_framing_check(r->conn) < 0) /* answered before any of the body is read */
        return srv_error(r, "REQUEST_FRAMING", NULL, NULL, 0);
    if (srv_over_rate(r, &retry))
        return srv_error(r, "RATE_LIMITED", NULL, NULL, retry);
    if (r->route == R_OTHER)
        return srv_error(r, "NOT_FOUND", NULL, NULL, 0);
    if (!strcmp(method, "OPTIONS") && r->route <= R_STATUS) { /* a page's CORS preflight */
        r->status = MHD_HTTP_NO_CONTENT;
        return http_send_preflight(r->conn, r->route == R_SUBMIT  ? "POST"
                                            : r->route == R_PHOTO ? "PUT"
                                                                  : "GET, HEAD");
    }
    if (!srv_method_ok(r->route, method))
        return srv_error(r, "METHOD_NOT_ALLOWED", NULL, method, 0);
    if (atomic_load(&srv->stopping) && r->route != R_METRICS)
        return srv_error(r, "SHUTTING_DOWN", NULL, NULL, SRV_BUSY_RETRY);
    if (r->route == R_SUBMIT) {
        const char *cl = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND,
                                                     MHD_HTTP_HEADER_CONTENT_LENGTH);
        if (cl && strtoull(cl, NULL, 10) > SRV_BODY_MAX)
            return srv_error(r, "BODY_TOO_LARGE", NULL, NULL, 0);
    }
    if (r->route == R_PHOTO)
        return srv_photo_begin(r, url + strlen(SRV_PHOTOS));
    return MHD_YES;
}

static void srv_body(srv_req *r, const char *data, size_t n)
{
    if (r->status) /* answered already (e.g. 413 before the body): drop it */
        return;
    if (r->route == R_PHOTO) {
        assert(r->photo); /* else srv_photo_begin answered */
        photo_put_body(r->photo, data, n);
        return;
    }
    if (r->too_large || r->len + n > SRV_BODY_MAX) {
        r->too_large = 1;
        return;
    }
    mem_grow((void **)&r->body, &r->cap, r->len + n, 1);
    memcpy(r->body + r->len, data, n);
    r->len += n;
}

/* The whole request is in (and, for a submission, again when resumed). */
static enum MHD_Result srv_finish(srv_req *r, const char *url)
{
    switch (r->route) {
    case R_SUBMIT: return srv_submit(r);
    case R_PHOTO: return srv_photo_finish(r, url + strlen(SRV_PHOTOS));
    case R_STATUS: {
        char code[REGION_CODE_MAX];
        path_tps_status(url, code); /* "" when not a TPS code: TPS_UNKNOWN */
        return srv_status(r, code);
    }
    case R_METRICS: return srv_metrics(r);
    default: return srv_health(r);
    }
}

static enum MHD_Result srv_access(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    srv_req *r = *con_cls;
    if (!r) {
        ingest_server *srv = cls;
        r = mem_calloc(1, sizeof *r);
        r->srv = srv;
        r->conn = c;
        r->sc = http_conn_of(c);
        r->t0 = http_now();
        atomic_fetch_add(&srv->active, 1);
        http_conn_request(r->sc);
        *con_cls = r;
        enum MHD_Result ret = srv_begin(r, url, method);
        if (r->status) /* refused before the body: nothing more is read */
            http_conn_answer(r->sc);
        return ret;
    }
    if (*upload_data_size) {
        srv_body(r, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (r->status)
        return MHD_YES;
    http_conn_answer(r->sc); /* the whole request is in: no floor on what is left */
    return srv_finish(r, url);
}

/* The request is over (answered, or the connection dropped). */
static void srv_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                          enum MHD_RequestTerminationCode toe)
{
    ingest_server *srv = cls;
    srv_req *r = *con_cls;
    if (!r)
        return;
    double now = http_now();
    http_metrics_request(srv->metrics, r->route, r->status ? r->status : 499, now - r->t0);
    /* a server fault is worth a line; 503s come in floods and are counted */
    if ((r->status >= 500 && r->status != 503) || toe != MHD_REQUEST_TERMINATED_COMPLETED_OK) {
        char addr[HTTP_ADDR_MAX];
        http_client_addr(c, addr, sizeof addr);
        http_log(toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? HTTP_LOG_WARN : HTTP_LOG_DEBUG,
                 "request", json_pack("{s:s,s:s,s:i,s:i,s:f}", "client", addr, "route",
                                      srv_route_name[r->route], "status", (int)r->status,
                                      "termination", (int)toe, "seconds", now - r->t0));
    }
    http_conn_idle(r->sc);
    photo_put_free(r->photo);
    free(r->body);
    free(r->sub);
    free(r->hits);
    free(r);
    *con_cls = NULL;
    assert(atomic_load(&srv->active) > 0);
    atomic_fetch_sub(&srv->active, 1);
}

/* ---------------------------------------------------------------- start */

static int srv_mkdirs(ingest_server *srv, err_info *e)
{
    if (strlen(srv->dir) > SRV_PATH_MAX - 128)
        return err_set(e, ERR_LIMIT, "HTTP_PATH", srv->dir, "directory name too long");
    srv->photo_dir = mem_alloc(strlen(srv->dir) + 8);
    sprintf(srv->photo_dir, "%s/" EDIR_PHOTOS, srv->dir);
    return photo_dir_prepare(srv->photo_dir, e);
}

static int srv_listen(ingest_server *srv, err_info *e)
{
    http_listen_config lc = {
        .addr = srv->addr, .port = srv->cfg.port,
        .flags = MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ITC,
        .threads = http_threads(srv->cfg.threads, 2, SRV_THREADS_MAX),
        .timeout_s = srv->cfg.header_timeout_s, .memory_limit = SRV_MEMORY_LIMIT,
        .access = srv_access, .completed = srv_completed, .cls = srv, .conns = srv->conns,
    };
    return http_listen(&lc, &srv->d, e);
}

/* A connection refused or cut (http_conn): counted for /metrics. */
static void srv_conn_event(void *cls, http_conn_event ev)
{
    ingest_server *srv = cls;
    http_metrics_add(srv->metrics, C_CONN + (unsigned)ev, 1);
}

static void srv_free(ingest_server *srv)
{
    http_conns_free(srv->conns); /* first: its reaper counts in srv->metrics */
    edir_pool_free(srv->pool);
    limiter_free(srv->ip_limit);
    limiter_free(srv->key_limit);
    http_metrics_free(srv->metrics);
    free(srv->addr);
    free(srv->dir);
    free(srv->photo_dir);
    free(srv);
}

int ingest_server_start(const ingest_server_config *cfg, ingest *in, ingest_server **out,
                        err_info *e)
{
    ingest_server *srv = mem_calloc(1, sizeof *srv);
    srv->cfg = *cfg;
    srv->addr = mem_strdup(cfg->addr ? cfg->addr : "127.0.0.1");
    srv->dir = mem_strdup(cfg->dir ? cfg->dir : ".");
    srv->cfg.addr = srv->addr;
    srv->cfg.dir = srv->dir;
    if (!srv->cfg.timeout_s)
        srv->cfg.timeout_s = 120;
    if (!srv->cfg.header_timeout_s || srv->cfg.header_timeout_s > srv->cfg.timeout_s)
        srv->cfg.header_timeout_s = srv->cfg.timeout_s < 10 ? srv->cfg.timeout_s : 10;
    srv->in = in;
    srv->ip_limit = limiter_new(cfg->ip_rate, cfg->ip_burst, SRV_LIMIT_SLOTS);
    srv->key_limit = limiter_new(cfg->key_rate, cfg->key_burst, SRV_LIMIT_SLOTS);
    srv->metrics = http_metrics_new("rekapd_ingest", srv_route_name, R_COUNT, srv_counters, C_COUNT);
    int rc = srv_mkdirs(srv, e);
    if (rc == 0)
        rc = edir_pool_new(srv->dir, SRV_THREADS_MAX, &srv->pool, e);
    if (rc == 0) {
        http_conns_config cc = {
            .name = "ingest", .idle_timeout_s = srv->cfg.header_timeout_s,
            .request_timeout_s = srv->cfg.timeout_s, .min_rate = srv->cfg.min_rate,
            .rate_window_s = srv->cfg.rate_window_s, .conn_max = srv->cfg.conn_max,
            .conn_per_ip = srv->cfg.conn_per_ip, .on_event = srv_conn_event, .cls = srv};
        rc = http_conns_new(&cc, &srv->conns, e);
    }
    if (rc == 0)
        rc = srv_listen(srv, e);
    if (rc < 0) {
        ingest_server_stop(srv);
        return rc;
    }
    *out = srv;
    return 0;
}

unsigned ingest_server_port(const ingest_server *s)
{
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    return di ? di->port : 0;
}

/* ----------------------------------------------------------------- stop */

void ingest_server_stop(ingest_server *srv)
{
    if (!srv)
        return;
    atomic_store(&srv->stopping, 1);
    MHD_socket lfd = srv->d ? MHD_quiesce_daemon(srv->d) : MHD_INVALID_SOCKET;
    /* every job queued gets its answer from the writer; give the answers
     * (and uploads in progress) up to the deadline to reach the clients */
    double until = http_now() + srv->cfg.timeout_s;
    while ((atomic_load(&srv->pending) > 0 || atomic_load(&srv->active) > 0) && http_now() < until) {
        struct timespec ts = {0, 10 * 1000 * 1000};
        nanosleep(&ts, NULL);
    }
    if (srv->d)
        MHD_stop_daemon(srv->d);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    srv_free(srv);
}
