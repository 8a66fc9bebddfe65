/* recap — owns the two signed texts of the tiered recap (rekap-dhasil/1,
 * rekap-dkk/1) and their log entries: parsing them strictly, writing them
 * in their one spelling. The units, rules and book are in recap_unit.c and
 * recap_book.c (recap.h). */
#include "core/recap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "core/keys.h"
#include "core/mem.h"
#include "core/region.h"
#include "core/textbuf.h"

const char *const recap_how_word[3] = {"adopt", "mark", "correct"};
const char *const recap_state_word[RECAP_STATES] = {"pending", "psu", "recount"};
const char *const record_kind_word[RECORD_KINDS] = {"objection", "event"};

/* ------------------------------------------------------------------ */
/* which text                                                          */

/* The text starts with line id (a CR before the LF too: the format is
 * known, and its reader then names the layout error). */
static int starts_line(const char *buf, size_t len, const char *id)
{
    size_t n = strlen(id);
    return len > n && memcmp(buf, id, n) == 0 && (buf[n] == '\n' || buf[n] == '\r');
}

int signed_type_of_submission(const char *buf, size_t len)
{
    if (starts_line(buf, len, SUBMISSION_FORMAT_ID))
        return SIGNED_FORM;
    if (starts_line(buf, len, RECAP_FORMAT_ID))
        return SIGNED_RECAP;
    if (starts_line(buf, len, RECORD_FORMAT_ID))
        return SIGNED_RECORD;
    return -1;
}

int signed_type_of_entry(const char *buf, size_t len)
{
    size_t n = sizeof ENTRY_FORMAT_ID;   /* the format line with its LF */
    if (!starts_line(buf, len, ENTRY_FORMAT_ID))
        return -1;
    return signed_type_of_submission(buf + n, len - n);
}

/* ------------------------------------------------------------------ */
/* writing                                                             */

static void put_quoted(textbuf *t, const char *s)
{
    textbuf_wrote(t, keys_quote(s, textbuf_at(t), textbuf_room(t)));
}

static void put_numbers(textbuf *t, const uint64_t *v, uint32_t n)
{
    for (uint32_t i = 0; i < n; i++) {
        textbuf_put(t, " ", 1);
        textbuf_u64(t, v[i]);
    }
    textbuf_put(t, "\n", 1);
}

/* region, contest and district: the head both texts share. */
static void put_head(textbuf *t, const char *id, const char *code, contest_kind k,
                     const char *district)
{
    assert(k >= 0 && k < CONTEST_KINDS);
    textbuf_str(t, id);
    textbuf_str(t, "\nregion ");
    textbuf_str(t, code);
    textbuf_str(t, "\ncontest ");
    textbuf_str(t, contest_kind_id[k]);
    textbuf_str(t, "\ndistrict ");
    textbuf_str(t, district);
    textbuf_put(t, "\n", 1);
}

static void put_why(textbuf *t, const char *reason)
{
    textbuf_str(t, "why ");
    put_quoted(t, reason ? reason : "");
    textbuf_put(t, "\n", 1);
}

static void put_row(textbuf *t, const recap_row *w, uint32_t width)
{
    assert(w->how <= RECAP_CORRECT && w->state < RECAP_STATES);
    textbuf_str(t, recap_how_word[w->how]);
    textbuf_put(t, " ", 1);
    textbuf_str(t, w->code);
    if (w->how == RECAP_ADOPT) {
        textbuf_put(t, " ", 1);
        textbuf_u64(t, w->version);
        textbuf_put(t, "\n", 1);
        return;
    }
    if (w->how == RECAP_MARK) {
        textbuf_put(t, " ", 1);
        textbuf_str(t, recap_state_word[w->state]);
        textbuf_put(t, "\n", 1);
    } else {
        put_numbers(t, w->numbers, width);
    }
    put_why(t, w->reason);
}

static void put_recap(textbuf *t, const recap *r)
{
    put_head(t, RECAP_FORMAT_ID, r->region, r->kind, r->district);
    textbuf_str(t, "version ");
    textbuf_u64(t, r->version);
    textbuf_put(t, "\n", 1);
    if (r->version > 1 || r->reason[0]) {
        textbuf_str(t, "reason ");
        put_quoted(t, r->reason);
        textbuf_put(t, "\n", 1);
    }
    for (uint32_t i = 0; i < r->nrow; i++)
        put_row(t, &r->row[i], r->width);
    textbuf_str(t, "totals");
    put_numbers(t, r->totals, r->width);
}

static void put_record(textbuf *t, const record *c)
{
    assert(c->what < RECORD_KINDS);
    put_head(t, RECORD_FORMAT_ID, c->region, c->kind, c->district);
    textbuf_str(t, "number ");
    textbuf_u64(t, c->number);
    textbuf_str(t, "\nrecap ");
    textbuf_u64(t, c->recap);
    textbuf_str(t, "\nkind ");
    textbuf_str(t, record_kind_word[c->what]);
    textbuf_str(t, "\nby ");
    put_quoted(t, c->by);
    textbuf_str(t, "\ntext ");
    put_quoted(t, c->text);
    textbuf_put(t, "\n", 1);
}

size_t recap_submission_encode(const recap_entry *en, char *buf, size_t cap)
{
    textbuf t;
    textbuf_init(&t, buf, cap);
    if (en->type == SIGNED_RECAP)
        put_recap(&t, &en->recap);
    else
        put_record(&t, &en->record);
    return textbuf_finish(&t);
}

size_t recap_entry_encode(const recap_entry *en, char *buf, size_t cap)
{
    textbuf t;
    textbuf_init(&t, buf, cap);
    textbuf_str(&t, ENTRY_FORMAT_ID "\n");
    textbuf_put(&t, en->sub_bytes, en->sub_len);
    entry_seal_put(&t, en->pubkey, en->sig, en->received, en->accepted, en->codes);
    return textbuf_finish(&t);
}

void recap_entry_free(recap_entry *en)
{
    if (!en)
        return;
    for (uint32_t i = 0; i < en->recap.nrow; i++) {
        free(en->recap.row[i].reason);
        free(en->recap.row[i].numbers);
    }
    free(en->recap.row);
    free(en->recap.totals);
    memset(en, 0, sizeof *en);
}

/* ------------------------------------------------------------------ */
/* reading                                                             */

static int too_large(size_t len, err_info *e)
{
    return err_set(e, ERR_LIMIT, "RECAP_TOO_LARGE", "", "%zu bytes, at most %d", len,
                   ENTRY_MAX);
}

/* A region code of a recap level: "0", 2, 4 or 6 digits. */
static int parse_region(keys_lines *r, char out[REGION_CODE_MAX], err_info *e)
{
    const char *v;
    size_t n;
    int rc = keys_lines_field(r, "region", &v, &n, e);
    if (rc)
        return rc;
    char code[REGION_CODE_MAX] = {0};
    if (n < sizeof code)
        memcpy(code, v, n);
    int level = n < sizeof code && !memchr(v, '\0', n) ? region_code_level(code) : -1;
    if (level < REGION_NATIONAL || level > REGION_KECAMATAN)
        return err_set(e, ERR_INVALID, "RECAP_REGION", "region",
                       "a recap's region is the nation (0), a province, a kab/kota or a "
                       "kecamatan code");
    memcpy(out, code, sizeof code);
    return 0;
}

static int parse_contest(keys_lines *r, contest_kind *k, err_info *e)
{
    const char *v;
    size_t n;
    int rc = keys_lines_field(r, "contest", &v, &n, e);
    char id[16] = {0};
    if (rc)
        return rc;
    if (n < sizeof id && !memchr(v, '\0', n))
        memcpy(id, v, n);
    int kind = contest_kind_parse(id);
    if (kind < 0)
        return err_set(e, ERR_INVALID, "RECAP_CONTEST", "contest",
                       "unknown contest (ppwp, dpr, dpd, dprd_prov, dprd_kab)");
    *k = (contest_kind)kind;
    return 0;
}

/* A district id: 1..ELECTION_TEXT_MAX bytes of printable ASCII without
 * spaces (what the election's ids are); the election says whether it
 * exists. */
static int parse_district(keys_lines *r, char *out, err_info *e)
{
    const char *v;
    size_t n;
    int rc = keys_lines_field(r, "district", &v, &n, e);
    if (rc)
        return rc;
    int ok = n >= 1 && n <= ELECTION_TEXT_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = v[i] > ' ' && v[i] < 0x7f;
    if (!ok)
        return err_set(e, ERR_INVALID, "RECAP_DISTRICT", "district",
                       "a district id is 1..%d printable characters without spaces",
                       ELECTION_TEXT_MAX);
    memcpy(out, v, n);
    out[n] = '\0';
    return 0;
}

typedef struct head {
    char region[REGION_CODE_MAX];
    contest_kind kind;
    char district[ELECTION_TEXT_MAX + 1];
} head;

static int parse_head(keys_lines *r, const char *id, head *h, err_info *e)
{
    int rc = keys_lines_header(r, id, "RECAP_FORMAT", e);
    if (rc == 0)
        rc = parse_region(r, h->region, e);
    if (rc == 0)
        rc = parse_contest(r, &h->kind, e);
    if (rc == 0)
        rc = parse_district(r, h->district, e);
    return rc;
}

/* Space-separated decimals 0..RECAP_VALUE_MAX after a leading space, into
 * a new array (*out, *n). */
static int parse_numbers(const char *v, size_t len, const char *where, uint64_t **out,
                         uint32_t *n, err_info *e)
{
    uint64_t *a = NULL;
    size_t cap = 0, k = 0, i = 0;
    while (i < len) {
        uint64_t x = 0;
        size_t start = ++i;   /* past the space */
        while (i < len && v[i] >= '0' && v[i] <= '9' && x <= RECAP_VALUE_MAX)
            x = x * 10 + (uint64_t)(v[i++] - '0');
        if (i == start || x > RECAP_VALUE_MAX || (i < len && v[i] != ' ') ||
            k == RECAP_WIDTH_MAX) {
            free(a);
            return err_set(e, ERR_INVALID, "RECAP_NUMBERS", where,
                           "numbers are at most %d decimals 0..2^53, one space apart",
                           RECAP_WIDTH_MAX);
        }
        mem_grow((void **)&a, &cap, k + 1, sizeof *a);
        a[k++] = x;
    }
    if (k <= RECAP_I_SEL) {
        free(a);
        return err_set(e, ERR_INVALID, "RECAP_NUMBERS", where,
                       "a unit has %d fixed numbers and at least one selection", RECAP_I_SEL);
    }
    *out = a;
    *n = (uint32_t)k;
    return 0;
}

/* A row's child code: 13 digits (a TPS) or a region code, then a space. */
static int row_code(const char *v, size_t n, char code[REGION_CODE_MAX], size_t *used)
{
    size_t i = 0;
    while (i < n && v[i] != ' ')
        i++;
    if (i == 0 || i >= REGION_CODE_MAX)
        return -1;
    memcpy(code, v, i);
    code[i] = '\0';
    if (region_code_level(code) < REGION_PROVINCE)
        return -1;
    *used = i;
    return 0;
}

static int row_error(err_info *e, uint32_t i, const char *msg)
{
    char where[24];
    snprintf(where, sizeof where, "row[%u]", i);
    return err_set(e, ERR_INVALID, "RECAP_ROW", where, "%s", msg);
}

static int parse_row(keys_lines *r, recap *c, err_info *e)
{
    uint32_t i = c->nrow;
    recap_row *w = &c->row[i];
    const char *v;
    size_t n, used = 0;
    int how = keys_lines_peek(r, "adopt") ? RECAP_ADOPT
              : keys_lines_peek(r, "mark") ? RECAP_MARK
                                           : RECAP_CORRECT;
    int rc = keys_lines_field(r, recap_how_word[how], &v, &n, e);
    if (rc)
        return rc;
    c->nrow = i + 1;   /* owned from here: recap_entry_free frees it */
    w->how = (uint8_t)how;
    if (row_code(v, n, w->code, &used) < 0)
        return row_error(e, i, "a row starts with its child's code");
    if (i > 0 && strcmp(c->row[i - 1].code, w->code) >= 0)
        return row_error(e, i, "rows are in ascending code order, each child once");
    v += used;
    n -= used;
    if (how == RECAP_ADOPT) {
        uint64_t x = 0;
        int ok = n >= 2 && v[0] == ' ' && n - 1 <= 3;
        for (size_t j = 1; ok && j < n; j++) {
            ok = v[j] >= '0' && v[j] <= '9';
            x = x * 10 + (uint64_t)(v[j] - '0');
        }
        if (!ok || x < 1 || x > ENTRY_VERSION_MAX)
            return row_error(e, i, "adopt names the child's version 1..999");
        w->version = (uint32_t)x;
        return 0;
    }
    if (how == RECAP_MARK) {
        int s = -1;
        for (int j = 0; j < RECAP_STATES && n > 1 && v[0] == ' '; j++)
            if (n - 1 == strlen(recap_state_word[j]) &&
                !memcmp(v + 1, recap_state_word[j], n - 1))
                s = j;
        if (s < 0)
            return row_error(e, i, "mark says pending, psu or recount");
        w->state = (uint8_t)s;
    } else {
        char where[24];
        snprintf(where, sizeof where, "row[%u]", i);
        if (n == 0 || v[0] != ' ')
            return row_error(e, i, "correct gives the child's numbers");
        uint32_t k = 0;
        rc = parse_numbers(v, n, where, &w->numbers, &k, e);
        if (rc)
            return rc;
        if (i == 0 || c->width == 0)
            c->width = k;
        if (k != c->width)
            return err_set(e, ERR_INVALID, "RECAP_NUMBERS", where,
                           "every row and the totals have the same count of numbers");
    }
    w->reason = mem_alloc(ENTRY_REASON_MAX + 1);
    return keys_lines_text(r, "why", ENTRY_REASON_MAX, w->reason, "RECAP_REASON", e);
}

static int is_row(const keys_lines *r)
{
    return keys_lines_peek(r, "adopt") || keys_lines_peek(r, "mark") ||
           keys_lines_peek(r, "correct");
}

static int parse_recap(keys_lines *r, recap *c, err_info *e)
{
    head h = {0};
    uint64_t version = 0;
    size_t cap = 0;
    int rc = parse_head(r, RECAP_FORMAT_ID, &h, e);
    memcpy(c->region, h.region, sizeof c->region);
    c->kind = h.kind;
    memcpy(c->district, h.district, sizeof c->district);
    if (rc == 0)
        rc = keys_lines_number(r, "version", 1, ENTRY_VERSION_MAX, "RECAP_VERSION", &version,
                               e);
    c->version = (uint32_t)version;
    if (rc == 0 && (c->version > 1) != keys_lines_peek(r, "reason"))
        rc = err_set(e, ERR_INVALID, "RECAP_REASON", "reason",
                     "a correction (version > 1) and only a correction has a reason line");
    if (rc == 0 && c->version > 1)
        rc = keys_lines_text(r, "reason", ENTRY_REASON_MAX, c->reason, "RECAP_REASON", e);
    while (rc == 0 && is_row(r)) {
        if (c->nrow == RECAP_ROWS_MAX)
            return err_set(e, ERR_LIMIT, "RECAP_ROWS", "row", "at most %u rows",
                           RECAP_ROWS_MAX);
        mem_grow((void **)&c->row, &cap, c->nrow + 1, sizeof *c->row);
        memset(&c->row[c->nrow], 0, sizeof *c->row);
        rc = parse_row(r, c, e);
    }
    const char *v;
    size_t n;
    uint32_t k = 0;
    if (rc == 0)
        rc = keys_lines_field(r, "totals", &v, &n, e);
    if (rc == 0)
        rc = parse_numbers(v - 1, n + 1, "totals", &c->totals, &k, e);
    if (rc == 0 && c->width && k != c->width)
        rc = err_set(e, ERR_INVALID, "RECAP_NUMBERS", "totals",
                     "every row and the totals have the same count of numbers");
    c->width = k;
    return rc;
}

static int parse_kind(keys_lines *r, uint8_t *out, err_info *e)
{
    const char *v;
    size_t n;
    int rc = keys_lines_field(r, "kind", &v, &n, e);
    if (rc)
        return rc;
    for (int j = 0; j < RECORD_KINDS; j++)
        if (n == strlen(record_kind_word[j]) && !memcmp(v, record_kind_word[j], n)) {
            *out = (uint8_t)j;
            return 0;
        }
    return err_set(e, ERR_INVALID, "RECORD_KIND", "kind", "kind is objection or event");
}

static int parse_record(keys_lines *r, record *c, err_info *e)
{
    head h = {0};
    uint64_t number = 0, version = 0;
    int rc = parse_head(r, RECORD_FORMAT_ID, &h, e);
    memcpy(c->region, h.region, sizeof c->region);
    c->kind = h.kind;
    memcpy(c->district, h.district, sizeof c->district);
    if (rc == 0)
        rc = keys_lines_number(r, "number", 1, UINT32_MAX, "RECORD_NUMBER", &number, e);
    if (rc == 0)
        rc = keys_lines_number(r, "recap", 0, ENTRY_VERSION_MAX, "RECORD_RECAP", &version, e);
    c->number = (uint32_t)number;
    c->recap = (uint32_t)version;
    if (rc == 0)
        rc = parse_kind(r, &c->what, e);
    if (rc == 0)
        rc = keys_lines_text(r, "by", KEYS_NAME_MAX, c->by, "RECORD_TEXT", e);
    if (rc == 0)
        rc = keys_lines_text(r, "text", ENTRY_REASON_MAX, c->text, "RECORD_TEXT", e);
    return rc;
}

/* The text read must be the one its meaning encodes to. */
static int spelling(const char *text, size_t len, const recap_entry *en, err_info *e)
{
    char *canon = mem_alloc(ENTRY_MAX + 1);
    size_t n = recap_submission_encode(en, canon, ENTRY_MAX + 1);
    int rc = 0;
    if (n != len || memcmp(canon, text, len) != 0) {
        size_t at = 0, line = 1;
        while (at < len && at < n && canon[at] == text[at])
            line += text[at++] == '\n';
        char where[24];
        snprintf(where, sizeof where, "line %zu", line);
        rc = err_set(e, ERR_INVALID, "RECAP_NOT_CANONICAL", where,
                     "not in the one spelling of this text (docs/FORMATS.md)");
    }
    free(canon);
    return rc;
}

/* The signed text from r's position to the end of its last line. */
static int parse_signed(keys_lines *r, recap_entry *out, err_info *e)
{
    const char *start = r->p;
    int t = signed_type_of_submission(r->p, (size_t)(r->end - r->p));
    int rc;
    if (t != SIGNED_RECAP && t != SIGNED_RECORD)
        return err_set(e, ERR_INVALID, "RECAP_FORMAT", "format",
                       "the text is neither " RECAP_FORMAT_ID " nor " RECORD_FORMAT_ID);
    out->type = (signed_type)t;
    rc = t == SIGNED_RECAP ? parse_recap(r, &out->recap, e) : parse_record(r, &out->record, e);
    out->sub_bytes = start;
    out->sub_len = (size_t)(r->p - start);
    if (rc == 0)
        rc = spelling(start, out->sub_len, out, e);
    return rc;
}

int recap_submission_parse(const char *buf, size_t len, recap_entry *out, err_info *e)
{
    keys_lines r;
    memset(out, 0, sizeof *out);
    if (len > ENTRY_MAX)
        return too_large(len, e);
    keys_lines_init(&r, buf, len, "RECAP_FIELD", "RECAP_NOT_CANONICAL");
    int rc = parse_signed(&r, out, e);
    if (rc == 0)
        rc = keys_lines_end(&r, e);
    if (rc)
        recap_entry_free(out);
    return rc;
}

int recap_entry_parse(const char *buf, size_t len, recap_entry *out, err_info *e)
{
    keys_lines r;
    memset(out, 0, sizeof *out);
    if (len > ENTRY_MAX)
        return too_large(len, e);
    keys_lines_init(&r, buf, len, "RECAP_FIELD", "RECAP_NOT_CANONICAL");
    int rc = keys_lines_header(&r, ENTRY_FORMAT_ID, "RECAP_FORMAT", e);
    if (rc == 0)
        rc = parse_signed(&r, out, e);
    if (rc == 0)
        rc = entry_seal_parse(&r, 1, out->pubkey, out->sig, &out->received, &out->accepted,
                              out->codes, e);
    if (rc == 0 && out->type == SIGNED_RECORD && !out->accepted)
        rc = err_set(e, ERR_INVALID, "ENTRY_STATUS", "status", "a plenary record is accepted");
    if (rc == 0) {
        char *back = mem_alloc(ENTRY_MAX + 1);
        size_t n = recap_entry_encode(out, back, ENTRY_MAX + 1);
        if (n != len || memcmp(back, buf, len) != 0)
            rc = err_set(e, ERR_INVALID, "RECAP_NOT_CANONICAL", "status",
                         "the lines after the signed text are not in their one spelling");
        free(back);
    }
    if (rc)
        recap_entry_free(out);
    return rc;
}
