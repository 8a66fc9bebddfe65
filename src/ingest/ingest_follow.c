/* ingest_follow — a public replica follows the primary through the store
 * (ingest.h, docs/REPLICAS.md). Its one thread, every follow_interval_ms:
 *
 *   1. reads the checkpoint the primary last shared (meta "log_checkpoint");
 *   2. reads every row past its own log and verifies each as at ingest
 *      (ingest_replay_rows: key, signature, rules, verdict, versions),
 *      moving its own tally, book and log;
 *   3. adopts that checkpoint (tlog_adopt): only once its own tree of the
 *      rows it verified gives the signed root does it write the tiles and
 *      serve the primary's signed bytes.
 *
 * The checkpoint is read before the rows: the primary shares a checkpoint
 * only after the rows under it were committed, so rows read later cover
 * it. What stops the following for good (diverged): a row or checkpoint
 * that does not verify — the replica keeps serving what it verified and
 * says so on /healthz. What is retried: a store that cannot be read (a
 * standby restarting, a failover), with the connection opened again; and
 * a row signed by a key enrolled after the keys were read (read again
 * once per round). */
#include "ingest/ingest_internal.h"

#include <string.h>
#include <time.h>

#include "core/note.h"
#include "edir/edir.h"

/* Errors of the store itself (a lost connection, a standby restarting)
 * pass; anything else a row or a checkpoint says is final. */
static int follow_transient(const err_info *e)
{
    return e->code && strncmp(e->code, "STORE_", 6) == 0;
}

/* Errors a freshly enrolled key explains (a form's row names the key's
 * code in its message, a recap's row carries it): read the keys again. */
static int follow_key_miss(const err_info *e)
{
    if (!e->code)
        return 0;
    if (strncmp(e->code, "KEY_", 4) == 0)
        return 1;
    return strcmp(e->code, "INGEST_STORE_UNVERIFIED") == 0 && strstr(e->msg, ": KEY_") != NULL;
}

static void follow_event(ingest *in, const char *name, const err_info *e)
{
    if (in->cfg.event)
        in->cfg.event(in->cfg.event_ctx, name, e);
}

/* Keep why the last round failed, for /healthz. */
static void follow_keep_error(ingest *in, const err_info *e)
{
    pthread_mutex_lock(&in->log_err_lock);
    in->log_err = *e;
    pthread_mutex_unlock(&in->log_err_lock);
}

/* The checkpoint the primary last shared into text; *have 0: none yet. */
static int follow_checkpoint(ingest *in, char text[STORE_META_VALUE_MAX], int *have, err_info *e)
{
    int rc = store_meta_get(in->st, INGEST_META_CHECKPOINT, text, STORE_META_VALUE_MAX, e);
    *have = rc == 0;
    return rc == ERR_NOTFOUND ? 0 : rc;
}

/* Adopt it when the log reproduces it; one whose rows are not all read
 * yet waits for the next round. */
static int follow_adopt(ingest *in, const char *text, err_info *e)
{
    int rc = tlog_adopt(in->log, text, strlen(text), e);
    if (rc == ERR_LIMIT && strcmp(e->code, "TLOG_CHECKPOINT_AHEAD") == 0)
        rc = 0;
    atomic_store(&in->log_size, tlog_size(in->log));
    atomic_store(&in->log_published, tlog_published_size(in->log));
    return rc;
}

int ingest_follow_adopt(ingest *in, err_info *e)
{
    char text[STORE_META_VALUE_MAX];
    int have = 0, rc = follow_checkpoint(in, text, &have, e);
    return rc == 0 && have ? follow_adopt(in, text, e) : rc;
}

/* The rows past the log; a key miss reads the keys again and retries
 * once. */
static int follow_rows(ingest *in, err_info *e)
{
    uint64_t next = 0;
    int rc = ingest_replay_rows(in, tlog_size(in->log), 1, &next, e);
    if (rc < 0 && follow_key_miss(e)) {
        err_info why = {0};
        if (ingest_keys_reload(in, &why) < 0) {
            *e = why;
            return ERR_IO;
        }
        rc = ingest_replay_rows(in, tlog_size(in->log), 1, &next, e);
    }
    atomic_store(&in->log_size, tlog_size(in->log));
    return rc;
}

/* One round: the checkpoint first (its rows were committed before it was
 * shared), then the rows past the log, then the adoption. */
static int follow_round(ingest *in, err_info *e)
{
    char text[STORE_META_VALUE_MAX];
    int have = 0, rc = follow_checkpoint(in, text, &have, e);
    if (rc == 0)
        rc = follow_rows(in, e);
    return rc == 0 && have ? follow_adopt(in, text, e) : rc;
}

/* The store's connection again, after a read failed (it may be gone). */
static void follow_reconnect(ingest *in)
{
    char db[EDIR_PATH_MAX];
    err_info e = {0};
    store *st = NULL;
    if (edir_store_target(in->cfg.dir, db, sizeof db, &e) < 0 ||
        store_open_readonly(db, &st, &e) < 0)
        return; /* the old one stays: the next round tries again */
    store_close(in->st);
    in->st = st;
}

/* Sleep until the next round or the stop. Returns 1 when stopping. */
static int follow_sleep(ingest *in)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    uint64_t ns = (uint64_t)until.tv_nsec + (uint64_t)in->cfg.follow_interval_ms * 1000000u;
    until.tv_sec += (time_t)(ns / 1000000000u);
    until.tv_nsec = (long)(ns % 1000000000u);
    pthread_mutex_lock(&in->qlock);
    if (!in->stopping)
        pthread_cond_timedwait(&in->qwork, &in->qlock, &until);
    int stop = in->stopping;
    pthread_mutex_unlock(&in->qlock);
    return stop;
}

/* A round failed: a store error is retried (told once), anything else
 * ends the following. */
static void follow_failed(ingest *in, const err_info *e)
{
    follow_keep_error(in, e);
    if (follow_transient(e)) {
        atomic_fetch_add(&in->publish_failures, 1);
        if (!atomic_exchange(&in->log_failed, 1))
            follow_event(in, "replica_store_failed", e);
        follow_reconnect(in);
        return;
    }
    atomic_store(&in->diverged, 1);
    atomic_store(&in->log_failed, 1);
    follow_event(in, "replica_diverged", e);
}

static void *follow_main(void *arg)
{
    ingest *in = arg;
    while (!follow_sleep(in)) {
        if (atomic_load(&in->diverged))
            continue; /* serve what was verified; follow no more */
        err_info e = {0};
        if (follow_round(in, &e) < 0) {
            follow_failed(in, &e);
            continue;
        }
        atomic_store(&in->follow_ok_ms, ingest_now_ms());
        if (atomic_exchange(&in->log_failed, 0))
            follow_event(in, "replica_following", NULL);
    }
    return NULL;
}

int ingest_follow_start(ingest *in, err_info *e)
{
    atomic_store(&in->log_size, tlog_size(in->log));
    atomic_store(&in->log_published, tlog_published_size(in->log));
    atomic_store(&in->follow_ok_ms, ingest_now_ms());
    if (pthread_create(&in->follower, NULL, follow_main, in) != 0)
        return err_set(e, ERR_IO, "INGEST_THREAD", "", "cannot start the follower thread");
    in->follower_started = 1;
    return 0;
}

void ingest_follow_stop(ingest *in)
{
    ingest_thread_stop(in, in->follower);
    in->follower_started = 0;
}

void ingest_follow_state(ingest *in, int *diverged, uint64_t *behind_ms)
{
    *diverged = in->cfg.replica && atomic_load(&in->diverged);
    *behind_ms = in->cfg.replica ? ingest_now_ms() - atomic_load(&in->follow_ok_ms) : 0;
}
