/* Tests of ingest: the whole path from a signed submission to the store,
 * the tally and the log, on a real generated province (Kalimantan Utara):
 * accepted, rejected, refused, duplicate, conflict, gap, correction, and a
 * restart that rebuilds exactly the same totals and log; the rules' report
 * of prepare reaching the answer, and the soft flag the same from every
 * path (prepare, rebuild, the read side, a correction). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/keys.h"
#include "core/mem.h"
#include "core/rules.h"
#include "edir/edir.h"
#include "ingest/ingest.h"
#include "log/tlog.h"
#include "testutil.h"

typedef struct fixture {
    char dir[256], eldir[300];
    election *el;           /* the same election, loaded independently */
    form *forms;            /* the true PPWP forms, one per TPS */
    size_t nforms;
    uint8_t (*pk)[32], (*sk)[64];
    ingest *in;
} fixture;

static void open_ingest(fixture *fx)
{
    ingest_config cfg = {.dir = fx->eldir, .data_dir = REKAP_DATA_DIR, .publish_interval_ms = 1};
    err_info e = {0};
    int rc = ingest_open(&cfg, &fx->in, &e);
    if (rc)
        fail_msg("ingest_open: %s %s %s", e.code, e.where, e.msg);
}

static int setup(void **state)
{
    fixture *fx = mem_calloc(1, sizeof *fx);
    snprintf(fx->dir, sizeof fx->dir, "/tmp/rekap-test-ingest-XXXXXX");
    assert_non_null(mkdtemp(fx->dir));
    snprintf(fx->eldir, sizeof fx->eldir, "%s/el", fx->dir);
    err_info e = {0};
    fx->el = test_province("65", 5, 1u << CONTEST_PPWP, &fx->forms, &fx->nforms);
    char path[400];
    snprintf(path, sizeof path, "%s/election.json", fx->dir);
    FILE *f = fopen(path, "w");
    assert_int_equal(election_write(fx->el, f), 0);
    fclose(f);
    assert_int_equal(ingest_init(fx->eldir, REKAP_DATA_DIR, path, NULL, &e), 0);
    assert_int_equal(ingest_init(fx->eldir, REKAP_DATA_DIR, path, NULL, &e), ERR_EXISTS);

    assert_int_equal(fx->nforms, fx->el->ntps);
    fx->pk = mem_alloc(fx->el->ntps * sizeof *fx->pk);
    fx->sk = mem_alloc(fx->el->ntps * sizeof *fx->sk);
    ingest_officer *req = mem_alloc(fx->el->ntps * sizeof *req);
    for (size_t i = 0; i < fx->el->ntps; i++) {
        keys_generate(fx->pk[i], fx->sk[i]);
        memcpy(req[i].pubkey, fx->pk[i], 32);
        req[i].role = 0;
        req[i].region = election_tps_region(fx->el, (uint32_t)i)->code;
        req[i].name = "KPPS";
    }
    open_ingest(fx);
    assert_int_equal(ingest_enrol_many(fx->in, req, fx->el->ntps, &e), 0);
    /* the same key twice: nothing of that batch is enrolled */
    assert_int_equal(ingest_enrol_many(fx->in, req, 2, &e), ERR_EXISTS);
    free(req);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    fixture *fx = *state;
    ingest_close(fx->in);
    test_remove_tree(fx->dir);
    election_free(fx->el);
    free(fx->forms);
    free(fx->pk);
    free(fx->sk);
    free(fx);
    return 0;
}

/* Form f (version, reason) as a submission signed with key k: its bytes
 * into buf (ENTRY_MAX + 1), their length returned. */
static size_t sign_form(const fixture *fx, const form *f, uint32_t version, const char *reason,
                        size_t key, char *buf, uint8_t sig[64])
{
    submission *s = mem_calloc(1, sizeof *s);
    memcpy(&s->form, f, sizeof *f);
    s->version = version;
    if (reason)
        snprintf(s->reason, sizeof s->reason, "%s", reason);
    size_t n = submission_encode(s, buf, ENTRY_MAX + 1);
    entry_sign(buf, n, fx->sk[key], sig);
    free(s);
    return n;
}

/* Sign form f (version, reason) with key k and submit it. */
static void submit(fixture *fx, const form *f, uint32_t version, const char *reason, size_t key,
                   ingest_result *r)
{
    char *buf = mem_alloc(ENTRY_MAX + 1);
    uint8_t sig[64];
    size_t n = sign_form(fx, f, version, reason, key, buf, sig);
    ingest_submit(fx->in, buf, n, fx->pk[key], sig, r);
    free(buf);
}

static uint64_t nat_votes(fixture *fx, unsigned pair)
{
    ingest_read_lock(fx->in);
    uint64_t v = tally_region_sel(ingest_tally(fx->in), CONTEST_PPWP, 0)[pair];
    ingest_read_unlock(fx->in);
    return v;
}

static void test_accept_all_and_restart(void **state)
{
    fixture *fx = *state;
    uint64_t want[3] = {0};
    for (size_t i = 0; i < fx->nforms; i++) {
        ingest_result r;
        submit(fx, &fx->forms[i], 1, NULL, i, &r);
        assert_int_equal(r.status, INGEST_ACCEPTED);
        assert_int_equal(r.index, i);
        for (unsigned p = 0; p < 3; p++)
            want[p] += fx->forms[i].votes[p];
    }
    for (unsigned p = 0; p < 3; p++)
        assert_int_equal(nat_votes(fx, p), want[p]);

    /* the same signed submission again: the same answer, nothing new */
    ingest_result r;
    submit(fx, &fx->forms[3], 1, NULL, 3, &r);
    assert_int_equal(r.status, INGEST_ACCEPTED);
    assert_true(r.duplicate);
    assert_int_equal(r.index, 3);

    /* restart: the tally is rebuilt from the store to the same totals */
    ingest_close(fx->in);
    open_ingest(fx);
    for (unsigned p = 0; p < 3; p++)
        assert_int_equal(nat_votes(fx, p), want[p]);
    ingest_read_lock(fx->in);
    assert_int_equal(tally_region(ingest_tally(fx->in), CONTEST_PPWP, 0)->tps_counted, fx->nforms);
    ingest_read_unlock(fx->in);
}

static void test_refusals_change_nothing(void **state)
{
    fixture *fx = *state;
    ingest_result r;
    form f = fx->forms[0];
    submit(fx, &f, 1, NULL, 0, &r); /* the first, accepted */
    assert_int_equal(r.status, INGEST_ACCEPTED);
    uint64_t before = nat_votes(fx, 0);

    submit(fx, &f, 1, NULL, 1, &r); /* a key enrolled for another TPS */
    assert_int_equal(r.status, INGEST_REFUSED);
    assert_string_equal(r.err.code, "KEY_WRONG_TPS");

    f.votes[0]++;
    f.votes[1]--;
    submit(fx, &f, 1, NULL, 0, &r); /* version 1 again with other numbers */
    assert_string_equal(r.err.code, "VERSION_CONFLICT");
    submit(fx, &f, 3, "lompat", 0, &r); /* version 3 before 2 */
    assert_string_equal(r.err.code, "VERSION_GAP");

    uint8_t bad[64] = {0};
    char sub[] = "not a submission";
    ingest_submit(fx->in, sub, sizeof sub - 1, fx->pk[0], bad, &r);
    assert_int_equal(r.status, INGEST_REFUSED);
    assert_string_equal(r.err.code, "ENTRY_FORMAT");
    assert_int_equal(nat_votes(fx, 0), before);

    /* a correction moves the totals by exactly its delta */
    submit(fx, &f, 2, "salah hitung pasangan 01", 0, &r);
    assert_int_equal(r.status, INGEST_ACCEPTED);
    assert_int_equal(r.index, 1);
    assert_int_equal(nat_votes(fx, 0), before + 1);
}

static void test_rejected_is_logged_not_counted(void **state)
{
    fixture *fx = *state;
    ingest_result r;
    form f = fx->forms[2];
    f.votes[0] += 500; /* the misread 800 votes */
    submit(fx, &f, 1, NULL, 2, &r);
    assert_int_equal(r.status, INGEST_REJECTED);
    assert_non_null(strstr(r.codes, "VOTES_SUM"));
    assert_int_equal(r.index, 0);
    assert_int_equal(nat_votes(fx, 0), 0);
    /* the fixed form comes as version 2 and counts */
    submit(fx, &fx->forms[2], 2, "angka salah baca", 2, &r);
    assert_int_equal(r.status, INGEST_ACCEPTED);
    assert_int_equal(nat_votes(fx, 0), fx->forms[2].votes[0]);
}

/* The writer's answer, with a copy of its rule hits (they go with the
 * job once the done callback returns). */
typedef struct answer {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    int done;
    ingest_result res;
    rule_hit hits[RULES_HITS_MAX];
} answer;

static void answer_done(void *ctx, const ingest_result *r)
{
    answer *a = ctx;
    pthread_mutex_lock(&a->lock);
    a->res = *r;
    if (r->nhits)
        memcpy(a->hits, r->hits, r->nhits * sizeof *r->hits);
    a->res.hits = a->hits;
    a->done = 1;
    pthread_cond_signal(&a->cond);
    pthread_mutex_unlock(&a->lock);
}

/* Prepare and queue one signed form (version, reason), as the HTTP
 * listener does, without waiting: answer_wait waits for its answer. */
static void answer_enqueue(fixture *fx, const form *f, uint32_t version, const char *reason,
                           size_t key, answer *a)
{
    char *buf = mem_alloc(ENTRY_MAX + 1);
    uint8_t sig[64];
    size_t n = sign_form(fx, f, version, reason, key, buf, sig);
    ingest_job *job = NULL;
    err_info e = {0};
    if (ingest_prepare(fx->in, buf, n, fx->pk[key], sig, &job, &e) < 0)
        fail_msg("ingest_prepare: %s %s %s", e.code, e.where, e.msg);
    memset(a, 0, sizeof *a);
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->cond, NULL);
    assert_int_equal(ingest_enqueue(fx->in, job, 1, answer_done, a), 0);
    free(buf);
}

static void answer_wait(answer *a)
{
    pthread_mutex_lock(&a->lock);
    while (!a->done)
        pthread_cond_wait(&a->cond, &a->lock);
    pthread_mutex_unlock(&a->lock);
    pthread_mutex_destroy(&a->lock);
    pthread_cond_destroy(&a->cond);
}

/* Prepare, queue and wait for one signed form, as the HTTP listener does. */
static void submit_answer(fixture *fx, const form *f, size_t key, answer *a)
{
    answer_enqueue(fx, f, 1, NULL, key, a);
    answer_wait(a);
}

/* The answer carries rules_check's report of the form, details included. */
static void assert_hits_are_rules(const fixture *fx, const answer *a, const form *f)
{
    rule_report *want = mem_alloc(sizeof *want);
    rules_check(f, fx->el, want);
    assert_int_equal(a->res.nhits, want->nhit);
    for (unsigned i = 0; i < want->nhit; i++) {
        assert_int_equal(a->res.hits[i].id, want->hit[i].id);
        assert_string_equal(a->res.hits[i].detail, want->hit[i].detail);
    }
    free(want);
}

/* Every valid vote to the first pair: ONE_TAKES_ALL, a soft signal. */
static void one_takes_all(form *f)
{
    assert_true(f->valid >= 10 && f->nvotes >= 2);
    for (unsigned i = 0; i < f->nvotes; i++)
        f->votes[i] = i ? 0 : f->valid;
}

/* The PPWP flags of tally t: the nation's count, and TPS 0 and 1's marks. */
static void expect_flags(const tally *t, unsigned nation, unsigned tps0, unsigned tps1)
{
    assert_int_equal(tally_region(t, CONTEST_PPWP, 0)->tps_flagged, nation);
    assert_int_equal(t->tps_flagged[CONTEST_PPWP][0], tps0);
    assert_int_equal(t->tps_flagged[CONTEST_PPWP][1], tps1);
}

/* The flags of the running ingest, and of the read side's replay of the
 * log once published (the writer publishes after it answers). */
static void expect_flags_everywhere(fixture *fx, unsigned nation, unsigned tps0, unsigned tps1)
{
    ingest_log_state ls;
    for (int i = 0; i < 500; i++) {
        ingest_log_state_get(fx->in, &ls);
        if (ls.published == ls.size)
            break;
        usleep(10000);
    }
    assert_int_equal(ls.published, ls.size);
    ingest_read_lock(fx->in);
    expect_flags(ingest_tally(fx->in), nation, tps0, tps1);
    ingest_read_unlock(fx->in);
    edir *d = NULL;
    err_info e = {0};
    if (edir_open_readonly(fx->eldir, REKAP_DATA_DIR, &d, &e) < 0)
        fail_msg("edir_open_readonly: %s %s %s", e.code, e.where, e.msg);
    expect_flags(edir_tally(d), nation, tps0, tps1);
    edir_close(d);
}

/* The rules run once, in prepare, and their hits reach the answer: a
 * flagged form, and a rejected one breaking a rule against the election
 * (with a soft signal too, which does not flag what is not counted). The
 * flag counted is the same after a restart (the rebuild), on the read side
 * (edir's replay), and a correction without the signal takes it out
 * (count). */
static void test_rules_once_flag_everywhere(void **state)
{
    fixture *fx = *state;
    answer *a = mem_alloc(sizeof *a);
    form f = fx->forms[0];
    one_takes_all(&f);
    submit_answer(fx, &f, 0, a);
    assert_int_equal(a->res.status, INGEST_ACCEPTED);
    assert_string_equal(a->res.codes, "ONE_TAKES_ALL");
    assert_hits_are_rules(fx, a, &f);

    form g = fx->forms[1];
    one_takes_all(&g);
    g.dpt.male++; /* not the DPT registered for the TPS */
    g.dpt.total++;
    submit_answer(fx, &g, 1, a);
    assert_int_equal(a->res.status, INGEST_REJECTED);
    assert_string_equal(a->res.codes, "DPT_MISMATCH");
    assert_hits_are_rules(fx, a, &g);
    assert_int_equal(a->res.nhits, 2);

    /* ingest_submit's result outlives the job: it has no hits */
    ingest_result r;
    submit(fx, &g, 1, NULL, 1, &r);
    assert_true(r.duplicate && r.hits == NULL && r.nhits == 0);

    expect_flags_everywhere(fx, 1, 1, 0);
    ingest_close(fx->in);
    open_ingest(fx);
    expect_flags_everywhere(fx, 1, 1, 0);

    submit(fx, &fx->forms[0], 2, "salah tulis", 0, &r);
    assert_int_equal(r.status, INGEST_ACCEPTED);
    assert_string_equal(r.codes, ""); /* the true form: no signal */
    expect_flags_everywhere(fx, 0, 0, 0);
    ingest_close(fx->in);
    open_ingest(fx);
    expect_flags_everywhere(fx, 0, 0, 0);
    free(a);
}

/* f with one vote moved from the second pair to the first: other valid
 * numbers. */
static form one_moved(const form *f)
{
    form g = *f;
    assert_true(g.votes[1] > 0);
    g.votes[0]++;
    g.votes[1]--;
    return g;
}

/* ingest_form_versions of TPS tps (PPWP) is (latest, counted). */
static void expect_versions(fixture *fx, uint32_t tps, uint32_t latest, uint32_t counted)
{
    uint32_t l = 99, c = 99;
    ingest_form_versions(fx->in, tps, CONTEST_PPWP, &l, &c);
    if (l != latest || c != counted)
        fail_msg("TPS %u: latest %u counted %u, wanted %u %u", tps, l, c, latest, counted);
}

/* The versions logged and counted, as the ingest tells them to readers:
 * after an accepted form, a rejected correction, an accepted one, a
 * rejected first version, jobs of one form queued together (a new version
 * after another, a duplicate, a gap, a conflict: the writer decides each
 * against those before it in its batch) and a restart. */
static void test_form_versions(void **state)
{
    fixture *fx = *state;
    ingest_result r;
    expect_versions(fx, 0, 0, 0);
    submit(fx, &fx->forms[0], 1, NULL, 0, &r);
    assert_int_equal(r.status, INGEST_ACCEPTED);
    expect_versions(fx, 0, 1, 1);
    form bad = fx->forms[0];
    bad.votes[0] += 500;
    submit(fx, &bad, 2, "koreksi", 0, &r);
    assert_int_equal(r.status, INGEST_REJECTED);
    expect_versions(fx, 0, 2, 1);
    form fixed = one_moved(&fx->forms[0]);
    submit(fx, &fixed, 3, "salah hitung", 0, &r);
    assert_int_equal(r.status, INGEST_ACCEPTED);
    expect_versions(fx, 0, 3, 3);
    bad = fx->forms[1];
    bad.votes[0] += 500;
    submit(fx, &bad, 1, NULL, 1, &r);
    assert_int_equal(r.status, INGEST_REJECTED);
    expect_versions(fx, 1, 1, 0);

    /* queued together: most likely one batch, while the writer commits
     * the first job */
    answer *a = mem_alloc(6 * sizeof *a);
    fixed = one_moved(&fx->forms[2]);
    answer_enqueue(fx, &fx->forms[3], 1, NULL, 3, &a[0]);
    answer_enqueue(fx, &fx->forms[2], 1, NULL, 2, &a[1]);
    answer_enqueue(fx, &fixed, 2, "salah hitung", 2, &a[2]);
    answer_enqueue(fx, &fx->forms[2], 1, NULL, 2, &a[3]);      /* again */
    answer_enqueue(fx, &fx->forms[2], 4, "lompat", 2, &a[4]);  /* a gap */
    answer_enqueue(fx, &fixed, 1, NULL, 2, &a[5]);             /* other content */
    for (int i = 0; i < 6; i++)
        answer_wait(&a[i]);
    assert_true(a[0].res.status == INGEST_ACCEPTED && a[1].res.status == INGEST_ACCEPTED &&
                a[2].res.status == INGEST_ACCEPTED);
    assert_int_equal(a[2].res.index, a[1].res.index + 1);
    assert_true(a[3].res.status == INGEST_ACCEPTED && a[3].res.duplicate);
    assert_int_equal(a[3].res.index, a[1].res.index);
    assert_string_equal(a[4].res.err.code, "VERSION_GAP");
    assert_non_null(strstr(a[4].res.err.msg, "expected version 3"));
    assert_string_equal(a[5].res.err.code, "VERSION_CONFLICT");
    assert_non_null(strstr(a[5].res.err.msg, "as version 3"));
    free(a);
    expect_versions(fx, 2, 2, 2);
    expect_versions(fx, 3, 1, 1);

    ingest_close(fx->in);
    open_ingest(fx);
    expect_versions(fx, 0, 3, 3);
    expect_versions(fx, 1, 1, 0);
    expect_versions(fx, 2, 2, 2);
    expect_versions(fx, 3, 1, 1);
    expect_versions(fx, 4, 0, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_accept_all_and_restart, setup, teardown),
        cmocka_unit_test_setup_teardown(test_refusals_change_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rejected_is_logged_not_counted, setup, teardown),
        cmocka_unit_test_setup_teardown(test_rules_once_flag_everywhere, setup, teardown),
        cmocka_unit_test_setup_teardown(test_form_versions, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
