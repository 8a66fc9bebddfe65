/* http_logsum — summaries of refusals and cuts in the log (http_logsum.h).
 * A fixed table of kinds under one mutex; a line is built under it and
 * written after it is released, so a slow stderr never holds up the
 * threads that count. */
#include "http/http_logsum.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/mem.h"
#include "http/http_util.h"

#define LOGSUM_TOP 8      /* addresses counted per kind (Space-Saving) */
#define LOGSUM_SHOWN 5    /* of which a line shows the first */

typedef struct logsum_hitter {
    uint8_t key[HTTP_CLIENT_KEY_MAX];
    size_t len;
    uint64_t count;
} logsum_hitter;

typedef struct logsum_kind {
    char event[LOGSUM_TEXT_MAX], kind[LOGSUM_TEXT_MAX];
    uint64_t count;           /* since the last line */
    double since;             /* when the first of them came */
    double last_line;         /* when the last line was written; 0: never */
    logsum_hitter top[LOGSUM_TOP];
    unsigned ntop;
} logsum_kind;

struct logsum {
    char listener[LOGSUM_TEXT_MAX];
    double interval;
    pthread_mutex_t lock;
    logsum_kind kind[LOGSUM_KINDS];
    unsigned nkind;
};

logsum *logsum_new(const char *listener, double interval)
{
    logsum *ls = mem_calloc(1, sizeof *ls);
    snprintf(ls->listener, sizeof ls->listener, "%s", listener ? listener : "");
    ls->interval = interval > 0 ? interval : 1;
    pthread_mutex_init(&ls->lock, NULL);
    return ls;
}

void logsum_free(logsum *ls)
{
    if (!ls)
        return;
    logsum_flush(ls, 1);
    pthread_mutex_destroy(&ls->lock);
    free(ls);
}

/* The kind (event, kind), added when new; once the table is full its
 * last place ("other") counts every kind not in it. */
static logsum_kind *logsum_find(logsum *ls, const char *event, const char *kind)
{
    for (unsigned i = 0; i < ls->nkind; i++)
        if (!strncmp(ls->kind[i].event, event, LOGSUM_TEXT_MAX - 1) &&
            !strncmp(ls->kind[i].kind, kind, LOGSUM_TEXT_MAX - 1))
            return &ls->kind[i];
    if (ls->nkind == LOGSUM_KINDS)
        return &ls->kind[LOGSUM_KINDS - 1];
    logsum_kind *k = &ls->kind[ls->nkind++];
    int last = ls->nkind == LOGSUM_KINDS;
    snprintf(k->event, sizeof k->event, "%s", last ? "other" : event);
    snprintf(k->kind, sizeof k->kind, "%s", last ? "other" : kind);
    return k;
}

/* Space-Saving: an address already counted gains one; a new one takes a
 * free counter, else the smallest one's place and count, plus one. */
static void logsum_hit(logsum_kind *k, const uint8_t *key, size_t len)
{
    logsum_hitter *min = NULL;
    for (unsigned i = 0; i < k->ntop; i++) {
        logsum_hitter *h = &k->top[i];
        if (h->len == len && !memcmp(h->key, key, len)) {
            h->count++;
            return;
        }
        if (!min || h->count < min->count)
            min = h;
    }
    if (k->ntop < LOGSUM_TOP) {
        min = &k->top[k->ntop++];
        min->count = 0;
    }
    memcpy(min->key, key, len);
    min->len = len;
    min->count++;
}

void logsum_note(logsum *ls, const char *event, const char *kind, const uint8_t *key,
                 size_t klen)
{
    if (!ls)
        return;
    double now = http_now();
    pthread_mutex_lock(&ls->lock);
    logsum_kind *k = logsum_find(ls, event ? event : "?", kind ? kind : "?");
    if (!k->count++)
        k->since = now;
    if (klen && klen <= HTTP_CLIENT_KEY_MAX)
        logsum_hit(k, key, klen);
    pthread_mutex_unlock(&ls->lock);
}

static int logsum_by_count(const void *a, const void *b)
{
    const logsum_hitter *x = a, *y = b;
    return x->count < y->count ? 1 : x->count > y->count ? -1 : 0;
}

/* The line of kind k (its counts then start again), to write once the
 * lock is released. */
static json_t *logsum_line(logsum *ls, logsum_kind *k, double now)
{
    json_t *o = json_pack("{s:s,s:s,s:I,s:f}", "listener", ls->listener, "kind", k->kind, "count",
                          (json_int_t)k->count, "seconds", now - k->since);
    if (k->ntop) {
        qsort(k->top, k->ntop, sizeof k->top[0], logsum_by_count);
        json_t *top = json_array();
        for (unsigned i = 0; i < k->ntop && i < LOGSUM_SHOWN; i++) {
            char text[HTTP_ADDR_MAX];
            http_key_text(k->top[i].key, k->top[i].len, text, sizeof text);
            json_array_append_new(top, json_pack("{s:s,s:I}", "client", text, "count",
                                                 (json_int_t)k->top[i].count));
        }
        json_object_set_new(o, "top", top);
    }
    k->count = 0;
    k->ntop = 0;
    k->last_line = now;
    return o;
}

void logsum_flush(logsum *ls, int all)
{
    if (!ls)
        return;
    json_t *lines[LOGSUM_KINDS];
    char events[LOGSUM_KINDS][LOGSUM_TEXT_MAX];
    unsigned n = 0;
    double now = http_now();
    pthread_mutex_lock(&ls->lock);
    for (unsigned i = 0; i < ls->nkind; i++) {
        logsum_kind *k = &ls->kind[i];
        if (!k->count || (!all && k->last_line && now - k->last_line < ls->interval))
            continue;
        memcpy(events[n], k->event, LOGSUM_TEXT_MAX);
        lines[n++] = logsum_line(ls, k, now);
    }
    pthread_mutex_unlock(&ls->lock);
    for (unsigned i = 0; i < n; i++)
        http_log(HTTP_LOG_WARN, events[i], lines[i]);
}
