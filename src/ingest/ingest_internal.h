/* ingest_internal — the state shared by ingest.c (open, rebuild, prepare)
 * and ingest_writer.c (queue, group commit, log). Not for other modules. */
#ifndef REKAP_INGEST_INTERNAL_H
#define REKAP_INGEST_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>

#include "ingest/ingest.h"
#include "log/tlog.h"
#include "store/store.h"

/* An enrolled key: which region (TPS node for KPPS) it may sign for. */
typedef struct ingest_key {
    uint8_t pubkey[32];
    uint32_t region;             /* region node index; REGION_NONE marks a free slot */
    uint8_t role;
} ingest_key;

struct ingest_job {
    ingest_job *next;
    signed_type type;            /* SIGNED_FORM, or a recap / record (ingest_recap.c) */
    recap_entry *rx;             /* recap, record: parsed; its sub_bytes point into bytes */
    recap_unit unit;             /* recap, record: its unit */
    uint32_t tps;                /* TPS index */
    contest_kind kind;
    uint32_t version;
    int accepted;
    int flagged;                 /* accepted with SOFT hits */
    char codes[ENTRY_CODES_MAX + 1];
    rule_hit *hits;              /* the rules' kept hits, for the answer's messages (NULL: none) */
    unsigned nhits;
    char *bytes;                 /* the encoded entry (recap, record: the signed text
                                    until the writer encodes the entry) */
    size_t len;
    const char *sub;             /* the signed submission inside bytes */
    size_t sub_len;
    form form;
    ingest_done_fn done;
    void *ctx;
};

struct ingest {
    ingest_config cfg;
    election *el;
    tally *t;
    store *st;
    tlog *log;
    /* enrolled keys: open addressing on the key's first bytes */
    ingest_key *keys;
    size_t nkeys, capkeys;
    pthread_rwlock_t keys_lock;
    pthread_mutex_t store_lock;  /* the one store connection: writer batches, enrolment */
    /* per TPS and contest ([tps * CONTEST_KINDS + kind]): highest version
     * logged, and the version counted in the tally (0: none). Both move
     * only once the store holds what they say: at open, and in the writer
     * after a batch's commit, under tally_lock for writing; other threads
     * read them under tally_lock (ingest_form_versions) */
    uint16_t *version;
    uint16_t *counted;
    /* the writer's queue */
    pthread_mutex_t qlock;
    pthread_cond_t qwork, qspace;
    ingest_job *head, *tail;
    unsigned qlen;
    _Atomic uint64_t last_enqueue_ms; /* ingest_busy */
    int stopping;
    pthread_t writer;
    int writer_started;
    pthread_rwlock_t tally_lock; /* the tally, version[], counted[] and the book */
    recap_book *book;            /* the tiered recap: moves with the log, like the tally */
    uint64_t last_publish_ms;    /* the last publication tried (writer only) */
    int shared_ok;               /* the store holds the checkpoint of shared_size */
    uint64_t shared_size;        /* (writer only: writer_share) */
    /* the log's state for other threads (ingest_log_state_get) */
    _Atomic uint64_t log_size, log_published, publish_failures;
    _Atomic int log_failed;
    pthread_mutex_t log_err_lock;
    err_info log_err;
    double rebuild_s;
    int lock_fd;                 /* holds the directory's one-writer lock */
    /* a replica's follower thread (ingest_follow.c); it sleeps on qwork */
    pthread_t follower;
    int follower_started;
    _Atomic int diverged;        /* a row or checkpoint did not verify: follows no more */
    _Atomic uint64_t follow_ok_ms; /* the end of the last complete read of the store */
};

/* Move the tally for a newly logged accepted form of (tps, kind): take the
 * version counted so far out (read back from the store), put f in. Caller
 * holds tally_lock for writing. */
int ingest_count(ingest *in, uint32_t tps, contest_kind k, uint32_t version, const form *f,
                 int flagged, err_info *e);

/* Who may sign for region node `node`: a key of `role` enrolled for
 * exactly it (KEY_NOT_ENROLLED, else `wrong`: KEY_WRONG_TPS,
 * KEY_WRONG_REGION). */
int ingest_check_key(ingest *in, const uint8_t pk[32], int role, uint32_t node,
                     const char *wrong, err_info *e);

/* ingest_recap.c: a recap's or record's prepare (ingest_prepare hands it
 * over), the writer's decision on one (a batch of its own), and a stored
 * row of one at the restart (in log order, after the rows before it;
 * in_log: the signed log holds it already, else its key and signature
 * are verified as at ingest). */
int ingest_recap_prepare(ingest *in, const char *sub, size_t sublen, const uint8_t pubkey[32],
                         const uint8_t sig[64], ingest_job **job, err_info *e);
void ingest_recap_write(ingest *in, ingest_job *j);
/* What every answer of a recap or record job says (status REFUSED). */
void ingest_recap_result_base(const ingest *in, const ingest_job *j, ingest_result *r);
int ingest_recap_row(ingest *in, const store_entry *se, const recap_entry *rx, int in_log,
                     err_info *why);

/* The store's rows from index `from` on, each verified as at ingest (rows
 * the log holds: against its leaf hash; the others: key, signature, rules
 * and verdict), applied in log order to the versions, the log, the tally
 * and the book, stopping at the first refused. lock: readers run
 * meanwhile, so each chunk is applied under tally_lock. *next: the index
 * after the last row read. */
int ingest_replay_rows(ingest *in, uint64_t from, int lock, uint64_t *next, err_info *e);
/* Read every enrolled key from the store again (a replica, after the
 * primary enrolled more). */
int ingest_keys_reload(ingest *in, err_info *e);

/* ingest_follow.c: a replica adopts the primary's checkpoint from the
 * store when its log reproduces it; its follower thread. */
int ingest_follow_adopt(ingest *in, err_info *e);
int ingest_follow_start(ingest *in, err_info *e);
void ingest_follow_stop(ingest *in);
/* The primary shares each checkpoint it signs through the store. */
#define INGEST_META_CHECKPOINT "log_checkpoint"

int ingest_writer_start(ingest *in, err_info *e);
/* Tell the writer or follower thread t to stop (it wakes on qwork), and
 * wait for it. */
void ingest_thread_stop(ingest *in, pthread_t t);
void ingest_writer_stop(ingest *in);
uint64_t ingest_now_ms(void);

#endif
