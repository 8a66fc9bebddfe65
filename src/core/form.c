/* form — owns the rekap-chasil/1 document of one C.Hasil: parsing it from
 * untrusted JSON into a fixed-size `form` (no allocation kept), and writing
 * it back as deterministic compact JSON. Parsing checks only structure
 * (fields, types, ranges, bounds); the arithmetic of the form is rules.c's.
 *
 * form_parse first tries the canonical fast path (form_fast.c), which
 * takes only what form_format writes; everything else, errors included,
 * goes to the reference parser here, on jansson (strict: duplicate keys
 * rejected, no NUL in strings, one value per document), read through
 * json_get's strict accessors in the form's own words: an error's where is
 * the JSON path of the offending value, its message names no path. A clean
 * form formats only the path of each section and party block. The value
 * rules both parsers apply are the shared ones of form_internal.h, defined
 * at the end of the parsing part. */
#include "core/form.h"

#include <assert.h>
#include <jansson.h>
#include <stdarg.h>
#include <string.h>

#include "core/form_internal.h"
#include "core/json_get.h"
#include "core/textbuf.h"

#define FORM_PATH_MAX 64 /* longest path: "parties[39].candidates[98]" */

/* ------------------------------------------------------------------ */
/* parsing                                                             */

/* Record a structural error at path.key[idx] (key NULL or idx < 0 leave
 * their part out). */
static int fail(jget *g, int rc, const char *code, const char *key, int idx,
                const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static int fail(jget *g, int rc, const char *code, const char *key, int idx,
                const char *fmt, ...)
{
    char msg[sizeof((err_info *)0)->msg];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t old = jget_at(g, key, idx);
    rc = err_set(g->e, rc, code, g->path, "%s", msg);
    jget_pop(g, old);
    return rc;
}

/* The form's words for what json_get finds wrong: the path is the where,
 * the message names no path. */
static int report(const jget *g, const jget_fault *f)
{
    switch (f->kind) {
    case JGET_UNKNOWN:
        return err_set(g->e, ERR_INVALID, "FORM_FIELD_UNKNOWN", g->path,
                       "unknown field \"%s\"", f->key);
    case JGET_MISSING:
        return err_set(g->e, ERR_INVALID, "FORM_FIELD_MISSING", g->path,
                       "missing field \"%s\"", f->key);
    case JGET_TYPE:
        return err_set(g->e, ERR_INVALID, "FORM_FIELD_TYPE", g->path, "must be %s",
                       f->want == JGET_INTEGER ? "a whole number" : jget_type_name(f->want));
    case JGET_RANGE:
        return err_set(g->e, ERR_INVALID, f->code, g->path, "%lld is outside %lld..%lld",
                       f->value, f->lo, f->hi);
    case JGET_TOO_LONG:
        return err_set(g->e, ERR_LIMIT, "FORM_TOO_MANY", g->path, "%zu entries, at most %zu",
                       f->n, f->max);
    }
    assert(!"a fault json_get does not report");
    return ERR_INVALID;
}

/* An integer in r (FORM_COUNTS or FORM_PARTY_NOS) at path.key[idx]. */
static int int_value(jget *g, json_t *v, form_range r, const char *key, int idx,
                     uint16_t *out)
{
    long long x;
    int rc = jget_int(g, v, key, idx, r.lo, r.hi, "FORM_VALUE_RANGE", &x);

    if (rc == 0)
        *out = (uint16_t)x;
    return rc;
}

static int count_field(jget *g, json_t *obj, const char *key, uint16_t *out)
{
    json_t *v;
    int rc = jget_member(g, obj, key, JGET_ANY, &v);
    return rc ? rc : int_value(g, v, FORM_COUNTS, key, -1, out);
}

static int string_field(jget *g, json_t *obj, const char *key, const char **out)
{
    json_t *v;
    int rc = jget_member(g, obj, key, JGET_STRING, &v);
    if (rc == 0)
        *out = json_string_value(v);
    return rc;
}

/* Counts array[0..n), the member key, into out[]. */
static int count_array(jget *g, json_t *arr, uint16_t *out, const char *key)
{
    size_t i;
    json_t *v;

    json_array_foreach(arr, i, v) {
        int rc = int_value(g, v, FORM_COUNTS, key, (int)i, &out[i]);
        if (rc)
            return rc;
    }
    return 0;
}

/* A voters row: [male, female, total]. */
static int parse_lpt(jget *g, json_t *voters, const char *key, form_lpt *row)
{
    json_t *arr;
    uint16_t c[3];
    int rc = jget_array(g, voters, key, SIZE_MAX, &arr);

    if (rc == 0 && json_array_size(arr) != 3)
        rc = fail(g, ERR_INVALID, "FORM_FIELD_TYPE", key, -1,
                  "must be [male, female, total], got %zu numbers",
                  json_array_size(arr));
    if (rc == 0)
        rc = count_array(g, arr, c, key);
    if (rc == 0) {
        row->male = c[0];
        row->female = c[1];
        row->total = c[2];
    }
    return rc;
}

static int parse_voters(jget *g, json_t *root, form *f)
{
    json_t *voters;
    int rc = jget_member(g, root, "voters", JGET_OBJECT, &voters);
    if (rc)
        return rc;

    size_t old = jget_key(g, "voters");
    rc = jget_object(g, voters, form_voter_keys, FORM_VOTER_ROWS);
    for (unsigned i = 0; rc == 0 && i < FORM_VOTER_ROWS; i++)
        rc = parse_lpt(g, voters, form_voter_keys[i], form_voter_row(f, i));
    jget_pop(g, old);
    return rc;
}

static int parse_ballots(jget *g, json_t *root, form *f)
{
    json_t *ballots;
    int rc = jget_member(g, root, "ballots", JGET_OBJECT, &ballots);
    if (rc)
        return rc;

    size_t old = jget_key(g, "ballots");
    rc = jget_object(g, ballots, form_ballot_keys, FORM_BALLOT_FIELDS);
    for (unsigned i = 0; rc == 0 && i < FORM_BALLOT_FIELDS; i++)
        rc = count_field(g, ballots, form_ballot_keys[i], form_ballot_field(f, i));
    jget_pop(g, old);
    return rc;
}

/* PPWP / DPD: "votes", one count per candidate (pair) in ballot order. */
static int parse_votes(jget *g, json_t *root, form *f)
{
    json_t *arr;
    int rc = jget_array(g, root, "votes", FORM_VOTES_MAX, &arr);

    if (rc == 0 && json_array_size(arr) == 0)
        rc = fail(g, ERR_INVALID, "FORM_SHAPE", "votes", -1,
                  "a ballot has at least one candidate");
    if (rc == 0)
        rc = count_array(g, arr, f->votes, "votes");
    if (rc == 0)
        f->nvotes = (uint16_t)json_array_size(arr);
    return rc;
}

/* One party block, at path parties[i]; its candidates' votes go to
 * f->votes[f->nvotes..]. */
static int parse_party(jget *g, json_t *obj, unsigned i, form *f, uint8_t *seen)
{
    static const char *const keys[] = {"no", "party_only", "candidates", "total"};
    form_party *p = &f->party[i];
    json_t *no, *cands;
    int rc = jget_object(g, obj, keys, sizeof keys / sizeof keys[0]);

    if (rc == 0)
        rc = jget_member(g, obj, "no", JGET_ANY, &no);
    if (rc == 0)
        rc = int_value(g, no, FORM_PARTY_NOS, "no", -1, &p->no);
    if (rc == 0 && seen[p->no])
        rc = fail(g, ERR_INVALID, "FORM_PARTY_DUPLICATE", "no", -1,
                  "party %u appears twice", (unsigned)p->no);
    if (rc == 0)
        rc = count_field(g, obj, "party_only", &p->party_only);
    if (rc == 0)
        rc = jget_array(g, obj, "candidates", FORM_PARTY_CANDIDATES_MAX, &cands);
    if (rc == 0 && f->nvotes + json_array_size(cands) > FORM_SELECTIONS_MAX)
        rc = fail(g, ERR_LIMIT, "FORM_TOO_MANY", "candidates", -1,
                  "more than %d candidates on one form", FORM_SELECTIONS_MAX);
    if (rc == 0)
        rc = count_array(g, cands, f->votes + f->nvotes, "candidates");
    if (rc == 0)
        rc = count_field(g, obj, "total", &p->total);
    if (rc == 0) {
        seen[p->no] = 1;
        form_party_close(f, i, (unsigned)json_array_size(cands));
    }
    return rc;
}

/* DPR / DPRD: "parties", one block per party in ballot order. */
static int parse_parties(jget *g, json_t *root, form *f)
{
    uint8_t seen[ELECTION_PARTY_MAX + 1] = {0};
    json_t *arr, *v;
    size_t i;
    int rc = jget_array(g, root, "parties", FORM_PARTIES_MAX, &arr);

    if (rc == 0 && json_array_size(arr) == 0)
        rc = fail(g, ERR_INVALID, "FORM_SHAPE", "parties", -1,
                  "a ballot has at least one party");
    if (rc)
        return rc;
    size_t old = jget_key(g, "parties");
    json_array_foreach(arr, i, v) {
        size_t at = jget_index(g, i);
        rc = parse_party(g, v, (unsigned)i, f, seen);
        jget_pop(g, at);
        if (rc)
            break;
    }
    jget_pop(g, old);
    return rc;
}

/* The selections section: which of "votes"/"parties" the contest needs. */
static int parse_selections(jget *g, json_t *root, form *f)
{
    int party_list = contest_is_party_list(f->kind);
    const char *wrong = party_list ? "votes" : "parties";

    if (json_object_get(root, wrong))
        return fail(g, ERR_INVALID, "FORM_SHAPE", wrong, -1,
                    "a %s form carries \"%s\", not \"%s\"",
                    contest_kind_id[f->kind], party_list ? "parties" : "votes",
                    wrong);
    return party_list ? parse_parties(g, root, f) : parse_votes(g, root, f);
}

static int parse_head(jget *g, json_t *root, form *f)
{
    const char *s;
    int rc = string_field(g, root, "format", &s);

    if (rc == 0 && strcmp(s, FORM_FORMAT_ID) != 0)
        rc = fail(g, ERR_INVALID, "FORM_FORMAT", "format", -1,
                  "expected \"%s\"", FORM_FORMAT_ID);
    if (rc == 0)
        rc = string_field(g, root, "tps", &s);
    if (rc == 0 && !form_tps_code_ok(s, strlen(s)))
        rc = fail(g, ERR_INVALID, "FORM_TPS_CODE", "tps", -1,
                  "a TPS code is 13 digits (desa code and TPS number 001..999)");
    if (rc == 0)
        memcpy(f->tps, s, REGION_CODE_MAX);
    if (rc == 0)
        rc = string_field(g, root, "contest", &s);
    if (rc == 0) {
        int k = contest_kind_parse(s);
        if (k < 0)
            rc = fail(g, ERR_INVALID, "FORM_CONTEST", "contest", -1,
                      "unknown contest (ppwp, dpr, dpd, dprd_prov, dprd_kab)");
        else
            f->kind = (contest_kind)k;
    }
    return rc;
}

static int parse_root(jget *g, json_t *root, form *f)
{
    static const char *const keys[] = {"format", "tps",     "contest", "voters",
                                       "ballots", "votes",  "parties", "valid",
                                       "invalid", "total"};
    int rc;

    if (!json_is_object(root))
        return fail(g, ERR_INVALID, "FORM_FIELD_TYPE", NULL, -1,
                    "a form is a JSON object");
    rc = jget_object(g, root, keys, sizeof keys / sizeof keys[0]);
    if (rc == 0)
        rc = parse_head(g, root, f);
    if (rc == 0)
        rc = parse_voters(g, root, f);
    if (rc == 0)
        rc = parse_ballots(g, root, f);
    if (rc == 0)
        rc = parse_selections(g, root, f);
    if (rc == 0)
        rc = count_field(g, root, "valid", &f->valid);
    if (rc == 0)
        rc = count_field(g, root, "invalid", &f->invalid);
    if (rc == 0)
        rc = count_field(g, root, "total", &f->total);
    return rc;
}

/* On error *out is left zeroed, so a failed parse never looks like a form. */
int form_parse_reference(const char *json, size_t len, form *out, err_info *e)
{
    json_error_t jerr;
    json_t *root;
    jget g;
    int rc;

    memset(out, 0, sizeof *out);
    if (len > FORM_JSON_MAX)
        return err_set(e, ERR_LIMIT, "FORM_JSON_MAX", "", "form is %zu bytes, at most %d",
                       len, FORM_JSON_MAX);
    root = json_loadb(json, len, JSON_REJECT_DUPLICATES, &jerr);
    if (!root) {
        char where[32];
        snprintf(where, sizeof where, "%d:%d", jerr.line, jerr.column);
        return err_set(e, ERR_INVALID,
                       json_error_code(&jerr) == json_error_duplicate_key
                           ? "FORM_FIELD_DUPLICATE"
                           : "FORM_JSON",
                       where, "%s", jerr.text);
    }
    jget_init(&g, e, FORM_PATH_MAX, report);
    rc = parse_root(&g, root, out);
    json_decref(root);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

/* Signed submissions and generated forms are canonical, so nearly every
 * form takes the fast path; the reference parser sees the rest and every
 * error, so results and errors are the reference parser's for any input. */
int form_parse(const char *json, size_t len, form *out, err_info *e)
{
    if (len <= FORM_JSON_MAX && form_parse_canonical(json, len, out))
        return 0;
    return form_parse_reference(json, len, out, e);
}

/* ------------------------------------------------------------------ */
/* the rules both parsers share (form_internal.h)                      */

const char *const form_voter_keys[FORM_VOTER_ROWS] = {
    "dpt", "dptb", "dpk", "b1", "b2", "b3", "b4", "disabled"};
const char *const form_ballot_keys[FORM_BALLOT_FIELDS] = {"received", "used",
                                                          "damaged", "unused"};

const form_lpt *form_voter(const form *f, unsigned i)
{
    const form_lpt *rows[FORM_VOTER_ROWS] = {&f->dpt, &f->dptb, &f->dpk, &f->b1,
                                             &f->b2,  &f->b3,   &f->b4,  &f->disabled};
    assert(i < FORM_VOTER_ROWS);
    return rows[i];
}

form_lpt *form_voter_row(form *f, unsigned i)
{
    return (form_lpt *)form_voter(f, i); /* f is the caller's, writable */
}

uint16_t *form_ballot_field(form *f, unsigned i)
{
    uint16_t *fields[FORM_BALLOT_FIELDS] = {&f->received, &f->used, &f->damaged,
                                            &f->unused};
    assert(i < FORM_BALLOT_FIELDS);
    return fields[i];
}

/* 13 digits: the 10-digit desa code and a TPS number 001..999. */
int form_tps_code_ok(const char *s, size_t n)
{
    if (n != REGION_CODE_MAX - 1)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (s[i] < '0' || s[i] > '9')
            return 0;
    return memcmp(s + 10, "000", 3) != 0;
}

void form_party_close(form *f, unsigned i, unsigned n)
{
    form_party *p = &f->party[i];

    assert(i < FORM_PARTIES_MAX && f->nvotes + n <= FORM_SELECTIONS_MAX);
    p->cand = f->nvotes;
    p->ncand = (uint16_t)n;
    f->nvotes = (uint16_t)(f->nvotes + n);
    f->nparty = (uint16_t)(i + 1);
}

/* ------------------------------------------------------------------ */
/* writing                                                             */

/* A name (its quotes, colon and any leading comma included) and a count. */
static void put_count(textbuf *t, const char *name, unsigned v)
{
    textbuf_str(t, name);
    textbuf_u64(t, v);
}

static void put_list(textbuf *t, const uint16_t *v, unsigned n)
{
    textbuf_put(t, "[", 1);
    for (unsigned i = 0; i < n; i++) {
        if (i)
            textbuf_put(t, ",", 1);
        textbuf_u64(t, v[i]);
    }
    textbuf_put(t, "]", 1);
}

static void put_voters(textbuf *t, const form *f)
{
    static const char *const names[] = {"\"dpt\":", ",\"dptb\":", ",\"dpk\":",
                                        ",\"b1\":", ",\"b2\":",   ",\"b3\":",
                                        ",\"b4\":", ",\"disabled\":"};
    const form_lpt *rows[] = {&f->dpt, &f->dptb, &f->dpk, &f->b1,
                              &f->b2,  &f->b3,   &f->b4,  &f->disabled};

    textbuf_str(t, ",\"voters\":{");
    for (size_t i = 0; i < 8; i++) {
        uint16_t c[3] = {rows[i]->male, rows[i]->female, rows[i]->total};
        textbuf_str(t, names[i]);
        put_list(t, c, 3);
    }
    textbuf_put(t, "}", 1);
}

static void put_parties(textbuf *t, const form *f)
{
    assert(f->nparty <= FORM_PARTIES_MAX);
    textbuf_str(t, ",\"parties\":[");
    for (unsigned i = 0; i < f->nparty; i++) {
        const form_party *p = &f->party[i];
        assert((unsigned)p->cand + p->ncand <= f->nvotes);
        textbuf_str(t, i ? ",{" : "{");
        put_count(t, "\"no\":", p->no);
        put_count(t, ",\"party_only\":", p->party_only);
        textbuf_str(t, ",\"candidates\":");
        put_list(t, f->votes + p->cand, p->ncand);
        put_count(t, ",\"total\":", p->total);
        textbuf_put(t, "}", 1);
    }
    textbuf_put(t, "]", 1);
}

size_t form_format(const form *f, char *buf, size_t cap)
{
    textbuf t;

    textbuf_init(&t, buf, cap);
    assert(f->kind >= 0 && f->kind < CONTEST_KINDS);
    assert(f->nvotes <= FORM_SELECTIONS_MAX);
    textbuf_str(&t, "{\"format\":\"" FORM_FORMAT_ID "\",\"tps\":\"");
    textbuf_str(&t, f->tps); /* 13 digits (form_parse checks): needs no escaping */
    textbuf_str(&t, "\",\"contest\":\"");
    textbuf_str(&t, contest_kind_id[f->kind]);
    textbuf_put(&t, "\"", 1);
    put_voters(&t, f);
    put_count(&t, ",\"ballots\":{\"received\":", f->received);
    put_count(&t, ",\"used\":", f->used);
    put_count(&t, ",\"damaged\":", f->damaged);
    put_count(&t, ",\"unused\":", f->unused);
    textbuf_put(&t, "}", 1);
    if (contest_is_party_list(f->kind))
        put_parties(&t, f);
    else {
        textbuf_str(&t, ",\"votes\":");
        put_list(&t, f->votes, f->nvotes);
    }
    put_count(&t, ",\"valid\":", f->valid);
    put_count(&t, ",\"invalid\":", f->invalid);
    put_count(&t, ",\"total\":", f->total);
    textbuf_put(&t, "}", 1);
    return textbuf_finish(&t);
}

int form_write(const form *f, FILE *out)
{
    char buf[FORM_TEXT_MAX];
    size_t n = form_format(f, buf, sizeof buf);

    assert(n < sizeof buf); /* FORM_TEXT_MAX bounds every form within limits */
    if (fwrite(buf, 1, n, out) != n)
        return ERR_IO;
    return (int)n;
}

unsigned form_party_candidates_sum(const form *f, unsigned i)
{
    const form_party *p = &f->party[i];
    unsigned sum = 0;

    for (unsigned j = 0; j < p->ncand; j++)
        sum += f->votes[p->cand + j];
    return sum;
}
