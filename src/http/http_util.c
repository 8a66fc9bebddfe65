/* http_util — what both rekapd listeners share: the table of HTTP error
 * codes with their status and messages in Bahasa Indonesia and English,
 * JSON error bodies, client addresses for logs and rate limits, the
 * monotonic clock and one-line JSON logs on stderr. */
#include "http/http_util.h"

#include <arpa/inet.h>
#include <math.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>

#include "core/mem.h"

/* Exact codes first; "PREFIX_*" entries catch a family (the longest
 * matching prefix wins). The Indonesian text is what an officer reads on
 * the device: plain words, no jargon. */
static const http_error_def http_errors[] = {
    /* requests in general */
    {"BAD_REQUEST", 400, "Permintaan tidak dapat dipahami.", "The request cannot be understood."},
    {"NOT_FOUND", 404, "Alamat yang diminta tidak ada.", "The requested path does not exist."},
    {"METHOD_NOT_ALLOWED", 405, "Metode HTTP ini tidak didukung untuk alamat ini.",
     "This HTTP method is not supported on this path."},
    {"BODY_TOO_LARGE", 413, "Isi permintaan terlalu besar.", "The request body is too large."},
    {"REQUEST_FRAMING", 400,
     "Panjang isi permintaan tidak jelas: header Content-Length ganda, Content-Length "
     "bersama Transfer-Encoding, atau Transfer-Encoding selain chunked.",
     "The request's length is ambiguous: more than one Content-Length header, Content-Length "
     "together with Transfer-Encoding, or a Transfer-Encoding other than chunked."},
    {"UNSUPPORTED_MEDIA_TYPE", 415, "Jenis isi permintaan tidak didukung.",
     "The request's content type is not supported."},
    {"RATE_LIMITED", 429, "Terlalu banyak permintaan dari alamat ini. Coba lagi sebentar lagi.",
     "Too many requests from this address. Try again shortly."},
    {"KEY_RATE_LIMITED", 429,
     "Terlalu banyak kiriman dengan kunci petugas ini. Coba lagi sebentar lagi.",
     "Too many submissions with this officer key. Try again shortly."},
    {"BUSY", 503, "Server sedang sibuk. Coba lagi sebentar lagi.",
     "The server is busy. Try again shortly."},
    {"SHUTTING_DOWN", 503, "Server sedang dimatikan. Coba lagi sebentar lagi.",
     "The server is shutting down. Try again shortly."},
    {"INTERNAL", 500, "Terjadi kesalahan di server. Coba lagi nanti.",
     "Something went wrong on the server. Try again later."},
    {"REPLICA_STALE", 503,
     "Server ini tertinggal dari server utama. Coba lagi sebentar lagi.",
     "This replica has fallen behind the primary. Try again shortly."},
    {"LOG_NOT_READY", 503, "Log belum tersedia di server ini. Coba lagi sebentar lagi.",
     "This server has no checkpoint of the log yet. Try again shortly."},
    /* the submission request */
    {"REQUEST_JSON", 400, "Isi permintaan bukan JSON yang sah.", "The request body is not valid JSON."},
    {"REQUEST_FIELD", 400,
     "Isi permintaan harus berupa objek JSON dengan teks \"submission\", \"key\" dan \"sig\".",
     "The request body must be a JSON object with the strings \"submission\", \"key\" and \"sig\"."},
    {"REQUEST_KEY", 400, "Kunci publik bukan base64 dari 32 bita.",
     "The public key is not the base64 of 32 bytes."},
    {"REQUEST_SIG", 400, "Tanda tangan bukan base64 dari 64 bita.",
     "The signature is not the base64 of 64 bytes."},
    {"ENTRY_TOO_LARGE", 413, "Kiriman formulir terlalu besar.", "The submission is too large."},
    {"ENTRY_*", 400, "Teks kiriman formulir tidak sesuai format rekap-submission/1.",
     "The submission text does not follow the rekap-submission/1 format."},
    {"FORM_*", 400, "Isi formulir C.Hasil tidak dapat dibaca atau tidak lengkap.",
     "The C.Hasil form cannot be read or is incomplete."},
    /* who signed */
    {"SIG_INVALID", 403, "Tanda tangan tidak cocok dengan kiriman dan kunci petugas.",
     "The signature does not match the submission and the officer's key."},
    {"KEY_NOT_ENROLLED", 403, "Kunci petugas ini belum terdaftar.",
     "This officer key is not enrolled."},
    {"KEY_WRONG_TPS", 403, "Kunci petugas ini tidak terdaftar untuk TPS ini.",
     "This officer key is not enrolled for this TPS."},
    /* where */
    {"TPS_UNKNOWN", 404, "TPS ini tidak ada dalam pemilu ini.", "No such TPS in this election."},
    {"CONTEST_NOT_HERE", 404, "Jenis surat suara ini tidak dipakai di TPS ini.",
     "That ballot is not cast at this TPS."},
    /* versions */
    {"VERSION_CONFLICT", 409,
     "Versi formulir ini sudah dikirim dengan isi lain. Kirim perbaikan dengan versi berikutnya.",
     "This version of the form was already submitted with other content. Submit a correction "
     "with the next version."},
    {"VERSION_GAP", 409, "Nomor versi formulir harus tepat satu lebih tinggi dari versi terakhir.",
     "The form's version must be exactly one above the last version."},
    /* the tiered recap (rekap-dhasil/1) and plenary records (rekap-dkk/1) */
    {"RECAP_TOO_LARGE", 413, "Kiriman rekapitulasi terlalu besar.", "The recap is too large."},
    {"RECAP_*", 400, "Teks rekapitulasi tidak sesuai format rekap-dhasil/1.",
     "The recap text does not follow the rekap-dhasil/1 format."},
    {"RECORD_*", 400, "Teks catatan kejadian khusus tidak sesuai format rekap-dkk/1.",
     "The plenary record does not follow the rekap-dkk/1 format."},
    {"RECAP_REGION_UNKNOWN", 404, "Wilayah ini tidak ada dalam pemilu ini.",
     "No such region in this election."},
    {"RECAP_DISTRICT_UNKNOWN", 404, "Daerah pemilihan ini tidak ada dalam pemilu ini.",
     "No such electoral district in this election."},
    {"RECAP_LEVEL", 404, "Surat suara ini tidak direkapitulasi di tingkat wilayah ini.",
     "This contest is not recapitulated at this region's level."},
    {"RECAP_UNIT_UNKNOWN", 404, "Daerah pemilihan ini tidak mencakup wilayah ini.",
     "This electoral district does not reach this region."},
    {"RECAP_WIDTH", 422, "Jumlah angka per baris tidak sesuai dengan surat suara daerah pemilihan.",
     "The count of numbers per row does not fit the district's ballot."},
    {"RECAP_CHILDREN", 422,
     "Setiap wilayah atau TPS di bawahnya harus tepat satu baris, dan tidak ada baris lain.",
     "Every region or TPS below needs exactly one row, and no other row is allowed."},
    {"KEY_WRONG_REGION", 403, "Kunci petugas ini tidak terdaftar untuk rekapitulasi wilayah ini.",
     "This officer key is not enrolled for the recap of this region."},
    {"RECAP_VERSION_GAP", 409,
     "Nomor versi rekapitulasi harus tepat satu lebih tinggi dari versi terakhir.",
     "The recap's version must be exactly one above the last version."},
    {"RECORD_NUMBER_GAP", 409, "Nomor catatan harus tepat satu lebih tinggi dari catatan terakhir.",
     "The record's number must be exactly one above the last record."},
    {"RECORD_RECAP_UNKNOWN", 409, "Versi rekapitulasi yang dirujuk belum tercatat.",
     "The recap version the record refers to is not logged."},
    {"RECAP_RULES_BROKEN", 422,
     "Rekapitulasi tercatat tetapi tidak berlaku karena melanggar aturan. Periksa baris dan "
     "jumlahnya, lalu tandatangani perbaikan.",
     "The recap is logged but does not stand because it breaks rules. Check its rows and totals "
     "and sign a correction."},
    /* the form's own rules (422 with every rule broken) */
    {"RULES_BROKEN", 422,
     "Formulir tercatat tetapi tidak dihitung karena melanggar aturan. Periksa angka dan kirim "
     "perbaikan.",
     "The form is logged but not counted because it breaks rules. Check the numbers and submit a "
     "correction."},
    /* the writer */
    {"INGEST_BUSY", 503, "Antrean penyimpanan penuh. Coba lagi sebentar lagi.",
     "The storage queue is full. Try again shortly."},
    {"INGEST_LOG_UNPUBLISHED", 503,
     "Server belum dapat menerbitkan log publik. Kiriman tidak disimpan; coba lagi sebentar lagi.",
     "The server cannot publish the public log right now. Nothing was stored; try again shortly."},
    {"STORE_FULL", 507, "Penyimpanan server penuh. Kiriman tidak disimpan; coba lagi nanti.",
     "The server's storage is full. Nothing was stored; try again later."},
    {"STORE_*", 500, "Penyimpanan server gagal. Kiriman tidak disimpan; coba lagi nanti.",
     "The server's storage failed. Nothing was stored; try again later."},
    /* photos */
    {"PHOTO_NAME", 400, "Nama foto harus 64 digit heksadesimal huruf kecil (SHA-256).",
     "A photo's name must be 64 lowercase hexadecimal digits (its SHA-256)."},
    {"PHOTO_TOO_LARGE", 413, "Foto terlalu besar.", "The photo is too large."},
    {"PHOTO_HASH_MISMATCH", 422, "Isi foto tidak cocok dengan SHA-256 pada alamatnya.",
     "The photo's content does not match the SHA-256 in its path."},
    {"PHOTO_EMPTY", 400, "Foto kosong.", "The photo is empty."},
    {"PHOTO_STORE", 500, "Foto tidak dapat disimpan. Coba lagi nanti.",
     "The photo cannot be stored. Try again later."},
    {"PHOTO_FULL", 507, "Penyimpanan foto penuh. Coba lagi nanti.",
     "The photo storage is full. Try again later."},
};

const http_error_def *http_error_find(const char *code)
{
    const http_error_def *best = NULL;
    size_t bestlen = 0;
    size_t n = sizeof http_errors / sizeof http_errors[0];
    for (size_t i = 0; code && i < n; i++) {
        const char *c = http_errors[i].code;
        size_t len = strlen(c);
        if (c[len - 1] != '*') {
            if (strcmp(c, code) == 0)
                return &http_errors[i];
        } else if (len - 1 > bestlen && strncmp(c, code, len - 1) == 0) {
            best = &http_errors[i];
            bestlen = len - 1;
        }
    }
    return best ? best : http_error_find("INTERNAL");
}

/* Add key: s to o unless s is NULL or empty. */
static void http_json_set_str(json_t *o, const char *key, const char *s)
{
    if (s && *s)
        json_object_set_new(o, key, json_string(s));
}

char *http_error_body(const char *code, const char *msg_id, const char *msg_en,
                      const char *where, const char *detail, size_t *len)
{
    json_t *o = json_object();
    http_json_set_str(o, "code", code);
    http_json_set_str(o, "message_id", msg_id);
    http_json_set_str(o, "message_en", msg_en);
    http_json_set_str(o, "where", where);
    http_json_set_str(o, "detail", detail);
    char *s = json_dumps(o, JSON_COMPACT);
    json_decref(o);
    if (!s) /* a string that is not UTF-8 (a detail quoting input): drop the extras */
        return http_error_body(code, msg_id, msg_en, NULL, NULL, len);
    *len = strlen(s);
    return s;
}

enum MHD_Result http_send_json(struct MHD_Connection *c, unsigned status, const char *body,
                               size_t len, double retry_after)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json; charset=utf-8");
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    /* readable by any page (the officer's page is served by the public
     * listener, another origin): nothing here rests on cookies */
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    MHD_add_response_header(r, "Access-Control-Expose-Headers", "Retry-After");
    if (retry_after > 0) {
        char secs[32];
        double up = ceil(retry_after);
        snprintf(secs, sizeof secs, "%.0f", up < 1 ? 1.0 : up > 86400 ? 86400.0 : up);
        MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, secs);
    }
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result http_send_preflight(struct MHD_Connection *c, const char *methods)
{
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    MHD_add_response_header(r, "Access-Control-Allow-Methods", methods);
    MHD_add_response_header(r, "Access-Control-Allow-Headers", "Content-Type");
    MHD_add_response_header(r, "Access-Control-Max-Age", "600");
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_NO_CONTENT, r);
    MHD_destroy_response(r);
    return ret;
}

enum MHD_Result http_send_error(struct MHD_Connection *c, const char *code, const char *where,
                                const char *detail, double retry_after)
{
    const http_error_def *d = http_error_find(code);
    size_t len;
    /* a family entry ("FORM_*") answers with the caller's exact code */
    char *body = http_error_body(code ? code : d->code, d->msg_id, d->msg_en, where, detail, &len);
    enum MHD_Result ret = http_send_json(c, d->status, body, len, retry_after);
    free(body);
    return ret;
}

/* ------------------------------------------------------------ clients */

static const struct sockaddr *http_client_sockaddr(struct MHD_Connection *c)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    return ci ? ci->client_addr : NULL;
}

void http_client_addr(struct MHD_Connection *c, char *buf, size_t cap)
{
    const struct sockaddr *sa = http_client_sockaddr(c);
    const char *ok = NULL;
    if (sa && sa->sa_family == AF_INET)
        ok = inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, buf,
                       (socklen_t)cap);
    else if (sa && sa->sa_family == AF_INET6)
        ok = inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, buf,
                       (socklen_t)cap);
    if (!ok)
        snprintf(buf, cap, "?");
}

size_t http_client_key(struct MHD_Connection *c, uint8_t key[HTTP_CLIENT_KEY_MAX])
{
    return http_sockaddr_key(http_client_sockaddr(c), key);
}

size_t http_sockaddr_key(const struct sockaddr *sa, uint8_t key[HTTP_CLIENT_KEY_MAX])
{
    if (sa && sa->sa_family == AF_INET) {
        memcpy(key, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return 4;
    }
    if (sa && sa->sa_family == AF_INET6) {
        const struct in6_addr *a = &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr;
        if (IN6_IS_ADDR_V4MAPPED(a)) { /* the same client as its IPv4 address */
            memcpy(key, a->s6_addr + 12, 4);
            return 4;
        }
        memcpy(key, a->s6_addr, 8);
        return 8;
    }
    return 0;
}

void http_key_text(const uint8_t *key, size_t len, char *buf, size_t cap)
{
    const char *ok = NULL;
    if (len == 4) {
        ok = inet_ntop(AF_INET, key, buf, (socklen_t)cap);
    } else if (len == 8) { /* a /64 */
        uint8_t a[16] = {0};
        memcpy(a, key, 8);
        ok = inet_ntop(AF_INET6, a, buf, (socklen_t)cap);
        if (ok && strlen(buf) + 4 < cap)
            strcat(buf, "/64");
    }
    if (!ok)
        snprintf(buf, cap, "?");
}

/* ------------------------------------------------------------ framing */

typedef struct http_framing {
    unsigned lengths, encodings;
    int chunked;            /* the (one) Transfer-Encoding is exactly "chunked" */
} http_framing;

static enum MHD_Result http_framing_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                           const char *value)
{
    http_framing *f = cls;
    (void)kind;
    if (!strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH))
        f->lengths++;
    else if (!strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING)) {
        f->encodings++;
        f->chunked = value && !strcasecmp(value, "chunked");
    }
    return MHD_YES;
}

int http_framing_check(struct MHD_Connection *c)
{
    http_framing f = {0};
    MHD_get_connection_values(c, MHD_HEADER_KIND, http_framing_header, &f);
    if (f.lengths > 1 || (f.lengths && f.encodings))
        return -1;
    /* any other coding (or a list of them) would leave the length to
     * whoever reads it which way: refused as well */
    return f.encodings > 1 || (f.encodings && !f.chunked) ? -1 : 0;
}

/* ------------------------------------------------------------ time, log */

double http_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static atomic_int http_log_min = HTTP_LOG_INFO;
static const char *const http_log_names[] = {"debug", "info", "warn", "error"};

void http_log_set_level(http_log_level level)
{
    atomic_store(&http_log_min, (int)level);
}

int http_log_level_parse(const char *s)
{
    for (int i = 0; i < 4; i++)
        if (s && strcmp(s, http_log_names[i]) == 0)
            return i;
    return -1;
}

void http_log(http_log_level level, const char *event, json_t *fields)
{
    if ((int)level < atomic_load(&http_log_min) || (int)level < 0 || level > HTTP_LOG_ERROR) {
        json_decref(fields);
        return;
    }
    struct timespec ts;
    struct tm tm;
    char stamp[40];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(stamp + n, sizeof stamp - n, ".%03ldZ", ts.tv_nsec / 1000000);
    json_t *o = json_pack("{s:s,s:s,s:s}", "ts", stamp, "level", http_log_names[level], "event",
                          event ? event : "?");
    if (json_is_object(fields))
        json_object_update_missing(o, fields);
    json_decref(fields);
    char *line = json_dumps(o, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_REAL_PRECISION(6));
    json_decref(o);
    if (!line)
        return;
    /* one fputs per line: stdio's lock keeps lines of threads apart */
    size_t len = strlen(line);
    line = mem_realloc(line, len + 2); /* jansson allocates with malloc */
    line[len] = '\n';
    line[len + 1] = '\0';
    fputs(line, stderr);
    free(line);
}
