/* store — the dispatcher behind store.h: picks the backend from the
 * target (a postgresql:// or postgres:// URI is PostgreSQL, store_pg.c;
 * anything else an SQLite file, store_sqlite.c), and owns what both share
 * (store_impl.h): every argument check, the batch state with its
 * rollback-on-error rule, the migration loop, the bounds of a row read
 * back and the wording of the STORE_* errors. docs/STORE.md has the
 * guarantees of each backend. */
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/entry.h"
#include "core/mem.h"
#include "store/store_impl.h"

_Static_assert(CONTEST_KINDS == 5 && REGION_CODE_MAX == 14 && ENTRY_MAX == 65535 &&
                   STORE_NAME_MAX == 128,
               "the CHECK constraints of migration 1 spell these bounds out");

static int is_pg_uri(const char *target)
{
    return strncmp(target, "postgresql://", 13) == 0 || strncmp(target, "postgres://", 11) == 0;
}

/* The target as error messages may show it: a URI's password (the
 * user:password@ part, or a password= parameter) replaced by "***". */
static char *target_for_messages(const char *target)
{
    if (!is_pg_uri(target))
        return mem_strdup(target);
    const char *auth = strstr(target, "://") + 3;
    size_t len = strlen(target);
    char *out = mem_calloc(1, len + 8);
    const char *at = strchr(auth, '@'), *slash = strchr(auth, '/');
    const char *colon = strchr(auth, ':');
    if (at && (!slash || at < slash) && colon && colon < at)
        snprintf(out, len + 8, "%.*s***%s", (int)(colon + 1 - target), target, at);
    else
        snprintf(out, len + 8, "%s", target);
    char *pw = strstr(out, "password=");
    if (pw && (pw == out || pw[-1] == '?' || pw[-1] == '&')) {
        char *end = strchr(pw, '&');
        memmove(pw + 12, end ? end : "", end ? strlen(end) + 1 : 1);
        memcpy(pw + 9, "***", 3);
    }
    return out;
}

/* ---- shared helpers (store_impl.h) ---- */

static int corrupt(store *s, err_info *e, const char *what, int64_t rowid)
{
    return err_set(e, ERR_IO, "STORE_CORRUPT", s->path, "%s %" PRId64 " is out of range", what,
                   rowid);
}

/* Copy text of n bytes into a fixed buffer of cap bytes (NUL added); -1
 * when it is empty (unless allowed), does not fit or holds a NUL. */
static int text_copy(char *dst, size_t cap, const char *t, size_t n, int allow_empty)
{
    if (!t || n >= cap || (n == 0 && !allow_empty) || memchr(t, 0, n))
        return -1;
    memcpy(dst, t, n);
    dst[n] = '\0';
    return 0;
}

int store_entry_decode(store *s, int64_t idx, const char *tps, size_t tps_len, int64_t kind,
                       int64_t version, int64_t accepted, const void *bytes, size_t len,
                       store_entry *out, err_info *e)
{
    if (idx < 0 || kind < 0 || kind >= CONTEST_KINDS || version < 1 || version > UINT32_MAX ||
        (accepted != 0 && accepted != 1) || !bytes ||
        text_copy(out->tps, sizeof out->tps, tps, tps_len, 0) != 0)
        return corrupt(s, e, "entry", idx);
    out->idx = (uint64_t)idx;
    out->kind = (contest_kind)kind;
    out->version = (uint32_t)version;
    out->accepted = (int)accepted;
    out->bytes = bytes;
    out->len = len;
    return 0;
}

int store_officer_decode(store *s, int64_t order, const void *key, size_t key_len, int64_t role,
                         const char *reg, size_t reg_len, const char *name,
                         size_t name_len, int64_t at, store_officer *out, err_info *e)
{
    memset(out, 0, sizeof *out);
    if (!key || key_len != 32 || (role != 0 && role != 1) || at < 0 ||
        text_copy(out->region, sizeof out->region, reg, reg_len, 0) != 0 ||
        text_copy(out->name, sizeof out->name, name, name_len, 1) != 0)
        return corrupt(s, e, "officer", order);
    memcpy(out->pubkey, key, 32);
    out->role = (store_role)role;
    out->enrolled_at = (uint64_t)at;
    return 0;
}

void store_entry_keep(store *s, store_entry *out)
{
    mem_grow(&s->buf, &s->cap, out->len, 1);
    memcpy(s->buf, out->bytes, out->len);
    out->bytes = s->buf;
}

int store_meta_copy(store *s, const char *key, const char *text, size_t n, char *buf,
                    size_t cap, err_info *e)
{
    if (n >= cap)
        return err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                       "meta value for %s has %zu bytes, the buffer holds %zu", key, n,
                       cap ? cap - 1 : 0);
    memcpy(buf, text, n);
    buf[n] = '\0';
    return 0;
}

int store_schema_parse(store *s, const char *text, int *out, err_info *e)
{
    char *end = NULL;
    long v = text ? strtol(text, &end, 10) : -1;
    if (!text || text[0] < '1' || text[0] > '9' || *end != '\0' || v > 1000000)
        return err_set(e, ERR_IO, "STORE_OPEN", s->path,
                       "not a rekap store (table meta has no valid schema_version)");
    *out = (int)v;
    return 0;
}

int store_err_duplicate(store *s, const store_entry *en, err_info *e)
{
    return err_set(e, ERR_EXISTS, "STORE_DUPLICATE", s->path,
                   "TPS %s contest %s version %" PRIu32 " is already stored", en->tps,
                   contest_kind_id[en->kind], en->version);
}

int store_err_enrolled(store *s, const store_officer *o, err_info *e)
{
    return err_set(e, ERR_EXISTS, "STORE_KEY_ENROLLED", s->path,
                   "key %02x%02x%02x%02x... is already enrolled", o->pubkey[0], o->pubkey[1],
                   o->pubkey[2], o->pubkey[3]);
}

/* ---- opening and the migrations ---- */

static int schema_newer(store *s, int v, err_info *e)
{
    return err_set(e, ERR_INVALID, "STORE_SCHEMA_NEWER", s->path,
                   "the database has schema version %d; this program knows up to %d"
                   " (a newer rekap wrote it)",
                   v, STORE_SCHEMA_VERSION);
}

/* Bring the database to STORE_SCHEMA_VERSION in one write transaction, so
 * two processes opening a new database cannot both migrate it and a
 * failed step leaves the old version whole. */
static int store_migrate(store *s, err_info *e)
{
    int rc = s->be->exec(s, s->be->migrate_begin, "begin the migration", e);
    if (rc)
        return rc;
    int v = 0;
    rc = s->be->schema_version(s, &v, e);
    if (rc == 0 && v > STORE_SCHEMA_VERSION)
        rc = schema_newer(s, v, e);
    int migrated = rc == 0 && v < STORE_SCHEMA_VERSION;
    for (; rc == 0 && v < STORE_SCHEMA_VERSION; v++)
        rc = s->be->exec(s, s->be->migrations[v], "migrate the schema", e);
    if (rc == 0 && migrated) {
        char sql[128];
        snprintf(sql, sizeof sql,
                 "INSERT INTO meta (key, value) VALUES ('schema_version', '%d')"
                 " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                 STORE_SCHEMA_VERSION);
        rc = s->be->exec(s, sql, "record schema_version", e);
    }
    if (rc == 0)
        rc = s->be->exec(s, "COMMIT", "commit the migration", e);
    if (rc)
        s->be->rollback(s);
    return rc;
}

/* Readers cannot migrate: they need the writer to have done it. */
static int schema_check_readonly(store *s, err_info *e)
{
    int v = 0;
    int rc = s->be->schema_version(s, &v, e);
    if (rc)
        return rc;
    if (v > STORE_SCHEMA_VERSION)
        return schema_newer(s, v, e);
    if (v < STORE_SCHEMA_VERSION)
        return err_set(e, ERR_INVALID, "STORE_SCHEMA_OLDER", s->path,
                       "the database has schema version %d, this program needs %d:"
                       " open it for writing once to migrate it",
                       v, STORE_SCHEMA_VERSION);
    return 0;
}

/* Shared tail of both opens: the store is returned only whole. */
static int store_open_as(const char *target, int readonly, store **out, err_info *e)
{
    *out = NULL;
    store *s = mem_calloc(1, sizeof *s);
    s->be = is_pg_uri(target) ? &store_pg_backend : &store_sqlite_backend;
    s->path = target_for_messages(target);
    s->readonly = readonly;
    s->opening = 1;
    int rc = s->be->connect(s, target, e);
    if (rc == 0)
        rc = readonly ? schema_check_readonly(s, e) : store_migrate(s, e);
    if (rc == 0)
        rc = s->be->ready(s, e);
    if (rc == 0)
        rc = s->be->next_index(s, &s->next, e);
    if (rc) {
        store_close(s);
        return rc;
    }
    s->opening = 0;
    *out = s;
    return 0;
}

int store_open(const char *path, store **out, err_info *e)
{
    return store_open_as(path, 0, out, e);
}

int store_open_readonly(const char *path, store **out, err_info *e)
{
    return store_open_as(path, 1, out, e);
}

void store_close(store *s)
{
    if (!s)
        return;
    if (s->impl)
        store_batch_rollback(s);
    s->be->close(s);
    free(s->buf);
    free(s->path);
    free(s);
}

/* ---- batches ---- */

void store_batch_rollback(store *s)
{
    if (!s->in_batch)
        return;
    s->be->rollback(s);
    s->in_batch = 0;
    s->next = s->batch_start;
}

/* A write that fails while a batch is open ends the batch, so the caller
 * never has to guess which rows of a half-failed batch are in. rc comes
 * from err_set, already recorded before the rollback. */
static int write_failed(store *s, int rc)
{
    store_batch_rollback(s);
    return rc;
}

/* Inside a batch, before any other use of the connection: the writes the
 * backend queued reach the database (so a read sees them), and one that
 * failed there fails this call and ends the batch like any failed write. */
static int batch_flush(store *s, err_info *e)
{
    if (!s->in_batch || !s->be->flush)
        return 0;
    int rc = s->be->flush(s, e);
    return rc ? write_failed(s, rc) : 0;
}

static int readonly_error(store *s, err_info *e)
{
    return err_set(e, ERR_INVALID, "STORE_READONLY", s->path,
                   "this connection was opened read-only");
}

static int no_batch(store *s, err_info *e)
{
    return err_set(e, ERR_INVALID, "STORE_NO_BATCH", s->path,
                   "no open batch (never begun, or rolled back by an earlier error)");
}

uint64_t store_next_index(store *s)
{
    /* Outside a batch the database is the truth (another connection may
     * have committed); inside one, only this connection writes. */
    if (!s->in_batch) {
        err_info ignored;
        s->be->next_index(s, &s->next, &ignored);
    }
    return s->next;
}

int store_batch_begin(store *s, err_info *e)
{
    if (s->readonly)
        return readonly_error(s, e);
    if (s->in_batch)
        return err_set(e, ERR_INVALID, "STORE_BATCH_OPEN", s->path, "a batch is already open");
    uint64_t next = 0;
    int rc = s->be->begin(s, &next, e);
    if (rc) {
        s->be->rollback(s);
        return rc;
    }
    s->in_batch = 1;
    s->next = s->batch_start = next;
    return 0;
}

int store_batch_commit(store *s, err_info *e)
{
    if (!s->in_batch)
        return no_batch(s, e);
    int rc = s->be->commit(s, e);
    if (rc)
        return write_failed(s, rc);
    s->in_batch = 0;
    return 0;
}

/* ---- meta ---- */

static int meta_key_check(store *s, const char *key, err_info *e)
{
    size_t n = strnlen(key, STORE_META_KEY_MAX + 1);
    if (n == 0)
        return err_set(e, ERR_INVALID, "STORE_META_INVALID", s->path, "empty meta key");
    if (n > STORE_META_KEY_MAX)
        return err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                       "meta key longer than %d bytes", STORE_META_KEY_MAX);
    return 0;
}

static int meta_put(store *s, const char *key, const char *value, err_info *e)
{
    int rc = meta_key_check(s, key, e);
    if (rc)
        return rc;
    if (strcmp(key, "schema_version") == 0)
        return err_set(e, ERR_INVALID, "STORE_META_RESERVED", s->path,
                       "meta key schema_version belongs to the migrations");
    size_t n = strnlen(value, STORE_META_VALUE_MAX + 1);
    if (n > STORE_META_VALUE_MAX)
        return err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                       "meta value for %s longer than %d bytes", key, STORE_META_VALUE_MAX);
    rc = batch_flush(s, e);
    return rc ? rc : s->be->meta_put(s, key, value, n, e);
}

int store_meta_set(store *s, const char *key, const char *value, err_info *e)
{
    if (s->readonly)
        return readonly_error(s, e);
    int rc = meta_put(s, key, value, e);
    return rc ? write_failed(s, rc) : 0;
}

int store_meta_get(store *s, const char *key, char *buf, size_t cap, err_info *e)
{
    int rc = meta_key_check(s, key, e);
    if (rc == 0)
        rc = batch_flush(s, e);
    return rc ? rc : s->be->meta_get(s, key, buf, cap, e);
}

/* ---- officers ---- */

static int officer_check(store *s, const store_officer *o, err_info *e)
{
    size_t region_len = strnlen(o->region, sizeof o->region);
    if (o->role != STORE_ROLE_KPPS && o->role != STORE_ROLE_RECAP)
        return err_set(e, ERR_INVALID, "STORE_OFFICER_INVALID", s->path, "unknown role %d",
                       (int)o->role);
    if (region_len == 0 || region_len == sizeof o->region)
        return err_set(e, ERR_INVALID, "STORE_OFFICER_INVALID", s->path,
                       "region code must have 1 to %d characters", REGION_CODE_MAX - 1);
    if (strnlen(o->name, sizeof o->name) == sizeof o->name)
        return err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                       "officer name longer than %d bytes", STORE_NAME_MAX - 1);
    if (o->enrolled_at > INT64_MAX)
        return err_set(e, ERR_INVALID, "STORE_OFFICER_INVALID", s->path,
                       "enrolment time out of range");
    return 0;
}

int store_officer_add(store *s, const store_officer *o, err_info *e)
{
    if (s->readonly)
        return readonly_error(s, e);
    int rc = officer_check(s, o, e);
    if (rc == 0)
        rc = s->be->officer_insert(s, o, e);
    return rc ? write_failed(s, rc) : 0;
}

int store_officers_each(store *s, int (*fn)(void *ctx, const store_officer *o), void *ctx,
                        err_info *e)
{
    int rc = batch_flush(s, e);
    return rc ? rc : s->be->officers_each(s, fn, ctx, e);
}

/* ---- entries ---- */

static int entry_key_check(store *s, const char *tps, contest_kind k, err_info *e)
{
    size_t n = strnlen(tps, REGION_CODE_MAX);
    if (n == 0 || n == REGION_CODE_MAX)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path,
                       "TPS code must have 1 to %d characters", REGION_CODE_MAX - 1);
    if ((unsigned)k >= CONTEST_KINDS)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path, "unknown contest %d",
                       (int)k);
    return 0;
}

static int entry_check(store *s, const store_entry *en, err_info *e)
{
    int rc = entry_key_check(s, en->tps, en->kind, e);
    if (rc)
        return rc;
    if (en->version < 1 || en->version > ENTRY_VERSION_MAX)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path,
                       "version %" PRIu32 " is not in 1..%d", en->version, ENTRY_VERSION_MAX);
    if (en->accepted != 0 && en->accepted != 1)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path,
                       "accepted must be 0 or 1");
    if (!en->bytes || en->len == 0)
        return err_set(e, ERR_INVALID, "STORE_ENTRY_INVALID", s->path, "empty entry");
    if (en->len > ENTRY_MAX)
        return err_set(e, ERR_LIMIT, "STORE_TOO_LONG", s->path,
                       "entry of %zu bytes; at most %d", en->len, ENTRY_MAX);
    if (en->idx != s->next)
        return err_set(e, ERR_INVALID, "STORE_INDEX_GAP", s->path,
                       "entry has log index %" PRIu64 ", the next index is %" PRIu64, en->idx,
                       s->next);
    return 0;
}

int store_entry_add(store *s, const store_entry *en, err_info *e)
{
    if (!s->in_batch)
        return no_batch(s, e);
    int rc = entry_check(s, en, e);
    if (rc == 0)
        rc = s->be->entry_insert(s, en, e);
    if (rc)
        return write_failed(s, rc);
    s->next++;
    return 0;
}

static int entry_lookup(store *s, const char *tps, contest_kind k, uint32_t version,
                        store_entry *out, err_info *e)
{
    int rc = entry_key_check(s, tps, k, e);
    if (rc == 0)
        rc = batch_flush(s, e);
    if (rc == 0)
        rc = s->be->entry_get(s, tps, k, version, out, e);
    if (rc == ERR_NOTFOUND)
        err_set(e, rc, "STORE_NOT_FOUND", s->path, "no entry for TPS %s contest %s", tps,
                contest_kind_id[k]);
    return rc;
}

int store_entry_find(store *s, const char *tps, contest_kind k, uint32_t version,
                     store_entry *out, err_info *e)
{
    if (version == 0) { /* 0 means "latest" to the backends; no entry has it */
        int rc = entry_key_check(s, tps, k, e);
        return rc ? rc
                  : err_set(e, ERR_NOTFOUND, "STORE_NOT_FOUND", s->path,
                            "no entry for TPS %s contest %s", tps, contest_kind_id[k]);
    }
    return entry_lookup(s, tps, k, version, out, e);
}

int store_entry_latest(store *s, const char *tps, contest_kind k, store_entry *out,
                       err_info *e)
{
    return entry_lookup(s, tps, k, 0, out, e);
}

int store_entries_each(store *s, uint64_t from,
                       int (*fn)(void *ctx, const store_entry *en), void *ctx, err_info *e)
{
    int rc = batch_flush(s, e);
    return rc ? rc : s->be->entries_each(s, from, fn, ctx, e);
}
