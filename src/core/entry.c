/* entry — owns the rekap-submission/1 text an officer signs and the
 * rekap-entry/1 text the log stores: encoding both into caller buffers,
 * parsing both strictly, and the Ed25519 signature over the submission;
 * see entry.h for the layout and the error codes.
 *
 * Strictness is the point: a text has exactly one spelling, so a
 * signature covers one meaning and two servers that log the same
 * submission log the same bytes. The rule lives in one place,
 * same_spelling: after parsing, the value is encoded again with this
 * module's own encoder and the bytes must be the ones read. The field
 * parsers therefore check meaning only (a number's range, a contest id,
 * a hard rule's code) and leave the spelling (leading zeros, hex case,
 * the form's layout, ...) to that comparison; only what an encoding
 * cannot show is checked where it is read: the photos' order (the
 * encoder writes them in the order given) and, in keys.c, the line
 * layout, quoting and base64 of the shared primitives.
 *
 * These run about once per form at ingest (millions of times), so nothing
 * here allocates: encoding writes into the caller's buffer, parsing into
 * the caller's struct, and the only allocations are jansson's inside
 * form_parse (and for a correction's reason). */
#include "core/entry.h"

#include <assert.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/keys.h"
#include "core/mem.h"
#include "core/rules.h"
#include "core/textbuf.h"

#define RULE_CODE_LEN_MAX 32 /* longer than any rule code */
/* Bounds of what the spelling checks encode: a submission's head lines
 * (format, tps, contest, version, psu: under 80 bytes), its reason quoted
 * (each byte escaped at worst), its photo lines and its form line (a
 * parsed form formats to under FORM_TEXT_MAX bytes); an entry's key, sig,
 * received and status lines. */
#define SUBMISSION_TEXT_MAX \
    (128 + 2 * ENTRY_REASON_MAX + ENTRY_PHOTOS_MAX * 72 + FORM_TEXT_MAX)
#define TRAILER_TEXT_MAX \
    (96 + KEYS_B64_LEN(KEYS_PUBLIC_LEN) + KEYS_B64_LEN(KEYS_SIG_LEN) + ENTRY_CODES_MAX)

_Static_assert(ENTRY_REASON_MAX <= KEYS_TEXT_MAX, "the line reader bounds quoted text");

const char *const entry_psu_word[ENTRY_PSU_KINDS] = {"", "recount", "revote"};

/* All n bytes are compared, so "recount\0" is not "recount" (a C string
 * would read it so: a second spelling). */
int entry_psu_parse(const char *word, size_t n)
{
    for (int k = ENTRY_PSU_RECOUNT; k < ENTRY_PSU_KINDS; k++)
        if (n == strlen(entry_psu_word[k]) && memcmp(word, entry_psu_word[k], n) == 0)
            return k;
    return -1;
}

/* ------------------------------------------------------------------ */
/* encoding                                                            */

static void put_b64(textbuf *t, const uint8_t *b, size_t n)
{
    char s[KEYS_B64_LEN(KEYS_SIG_LEN) + 1];
    assert(n <= KEYS_SIG_LEN);
    keys_b64_encode(b, n, s);
    textbuf_str(t, s);
}

/* The writers that format into a buffer themselves (form_format,
 * keys_quote) get the room left and report the length they need. */
static void put_quoted(textbuf *t, const char *s)
{
    textbuf_wrote(t, keys_quote(s, textbuf_at(t), textbuf_room(t)));
}

static void put_form(textbuf *t, const form *f)
{
    textbuf_wrote(t, form_format(f, textbuf_at(t), textbuf_room(t)));
}

/* A psu value past the table is written with no word: a line the reader
 * refuses (ENTRY_PSU), so submission_check reports it instead of this
 * reading past entry_psu_word. */
static void put_psu(textbuf *t, unsigned psu)
{
    textbuf_str(t, "psu ");
    textbuf_str(t, psu < ENTRY_PSU_KINDS ? entry_psu_word[psu] : "");
    textbuf_str(t, "\n");
}

static void put_submission(textbuf *t, const submission *s)
{
    assert(s->form.kind >= 0 && s->form.kind < CONTEST_KINDS);
    assert(s->nphoto <= ENTRY_PHOTOS_MAX);
    textbuf_str(t, SUBMISSION_FORMAT_ID "\ntps ");
    textbuf_str(t, s->form.tps);
    textbuf_str(t, "\ncontest ");
    textbuf_str(t, contest_kind_id[s->form.kind]);
    textbuf_str(t, "\nversion ");
    textbuf_u64(t, s->version);
    textbuf_str(t, "\n");
    if (s->version > 1 || s->reason[0]) {
        textbuf_str(t, "reason ");
        put_quoted(t, s->reason);
        textbuf_str(t, "\n");
    }
    if (s->psu != ENTRY_PSU_NONE)
        put_psu(t, s->psu);
    for (unsigned i = 0; i < s->nphoto; i++) {
        textbuf_str(t, "photo ");
        textbuf_hex(t, s->photo[i], sizeof s->photo[i]);
        textbuf_str(t, "\n");
    }
    textbuf_str(t, "form ");
    put_form(t, &s->form);
    textbuf_str(t, "\n");
}

size_t submission_encode(const submission *s, char *buf, size_t cap)
{
    textbuf t;

    textbuf_init(&t, buf, cap);
    put_submission(&t, s);
    return textbuf_finish(&t);
}

void entry_seal_put(textbuf *t, const uint8_t pubkey[32], const uint8_t sig[64],
                    uint64_t received, int accepted, const char *codes)
{
    assert(accepted || codes[0]);
    textbuf_str(t, "key ");
    put_b64(t, pubkey, 32);
    textbuf_str(t, "\nsig ");
    put_b64(t, sig, 64);
    textbuf_str(t, "\nreceived ");
    textbuf_u64(t, received);
    if (accepted) {
        textbuf_str(t, "\nstatus accepted\n");
    } else {
        textbuf_str(t, "\nstatus rejected ");
        textbuf_str(t, codes);
        textbuf_str(t, "\n");
    }
}

/* The lines after the submission: key, sig, received, status. */
static void put_trailer(textbuf *t, const entry *en)
{
    entry_seal_put(t, en->pubkey, en->sig, en->received, en->accepted, en->codes);
}

size_t entry_encode(const entry *en, char *buf, size_t cap)
{
    textbuf t;

    textbuf_init(&t, buf, cap);
    textbuf_str(&t, ENTRY_FORMAT_ID "\n");
    textbuf_put(&t, en->sub_bytes, en->sub_len);
    put_trailer(&t, en);
    return textbuf_finish(&t);
}

/* ------------------------------------------------------------------ */
/* the one spelling                                                    */

/* The reader's name of the line of canon that holds byte `at`: "format"
 * for a format line (it has no value), "photo[i]" for the i-th photo
 * line, "end" past the last line, else the line's own name. Returns where
 * that line starts. */
static size_t line_name(const char *canon, size_t clen, size_t at, char *where, size_t cap)
{
    size_t start = at, nphoto = 0, k = 0;

    if (at == clen) {
        snprintf(where, cap, "end");
        return at;
    }
    while (start > 0 && canon[start - 1] != '\n')
        start--;
    for (const char *p = canon; p < canon + start; p = strchr(p, '\n') + 1)
        nphoto += strncmp(p, "photo ", 6) == 0;
    while (canon[start + k] != ' ' && canon[start + k] != '\n')
        k++;
    if (canon[start + k] == '\n')
        snprintf(where, cap, "format");
    else if (k == 5 && memcmp(canon + start, "photo", 5) == 0)
        snprintf(where, cap, "photo[%zu]", nphoto);
    else
        snprintf(where, cap, "%.*s", (int)k, canon + start);
    return start;
}

/* The one-spelling rule of both formats: text[0..len) was parsed into a
 * value that this module encodes as canon[0..clen) (NUL-terminated); any
 * difference means the text is another spelling of that value. The error
 * names the line of the first difference and shows what it should say. */
static int same_spelling(const char *text, size_t len, const char *canon, size_t clen,
                         err_info *e)
{
    char where[16];
    size_t i = 0, start, show;

    while (i < len && i < clen && text[i] == canon[i])
        i++;
    if (i == len && i == clen)
        return 0;
    start = line_name(canon, clen, i, where, sizeof where);
    show = strcspn(canon + i, "\n");
    return err_set(e, ERR_INVALID, "ENTRY_NOT_CANONICAL", where,
                   "%s is not in its one spelling: from byte %zu of the line it should read "
                   "\"%.*s\"", where, i - start, (int)(show < 32 ? show : 32), canon + i);
}

static int submission_spelling(const char *text, size_t len, const submission *s,
                               err_info *e)
{
    char canon[SUBMISSION_TEXT_MAX];
    size_t n = submission_encode(s, canon, sizeof canon);

    assert(n < sizeof canon);
    return same_spelling(text, len, canon, n, e);
}

static int trailer_spelling(const char *text, size_t len, const entry *en, err_info *e)
{
    char canon[TRAILER_TEXT_MAX];
    textbuf t;
    size_t n;

    textbuf_init(&t, canon, sizeof canon);
    put_trailer(&t, en);
    n = textbuf_finish(&t);
    assert(n < sizeof canon);
    return same_spelling(text, len, canon, n, e);
}

/* ------------------------------------------------------------------ */
/* parsing                                                             */


/* Photo i: the SHA-256 of the photo in 64 hex digits (uppercase ones
 * are left to the spelling check) of page i + 1 of the paper form: the
 * order is the form's page order, which is meaning, not spelling (the 2024
 * portal lists a TPS's photos by page). The same photo cannot be two
 * pages. */
static int parse_photo(keys_lines *r, submission *s, err_info *e)
{
    char where[16];
    const char *v;
    size_t n, got = 0;
    unsigned i = s->nphoto;
    uint8_t *h;
    int rc;

    snprintf(where, sizeof where, "photo[%u]", i);
    if (i == ENTRY_PHOTOS_MAX)
        return err_set(e, ERR_LIMIT, "ENTRY_PHOTO", where, "at most %d photos",
                       ENTRY_PHOTOS_MAX);
    rc = keys_lines_field(r, "photo", &v, &n, e);
    if (rc) { /* the reader knows the line's name, not which photo it is */
        if (e)
            snprintf(e->where, sizeof e->where, "%s", where);
        return rc;
    }
    h = s->photo[i];
    if (n != 64 || sodium_hex2bin(h, 32, v, n, NULL, &got, NULL) != 0 || got != 32)
        return err_set(e, ERR_INVALID, "ENTRY_PHOTO", where,
                       "a photo is its SHA-256 in 64 hex digits");
    for (unsigned j = 0; j < i; j++)
        if (memcmp(s->photo[j], h, 32) == 0)
            return err_set(e, ERR_INVALID, "ENTRY_PHOTO", where, "the same photo twice");
    s->nphoto = i + 1;
    return 0;
}

/* The reason line is there exactly when the submission is a correction. */
static int parse_reason(keys_lines *r, submission *s, err_info *e)
{
    int present = keys_lines_peek(r, "reason");

    if (s->version > 1 && !present)
        return err_set(e, ERR_INVALID, "ENTRY_REASON", "reason",
                       "a correction (version %u) needs a reason line", s->version);
    if (s->version == 1 && present)
        return err_set(e, ERR_INVALID, "ENTRY_REASON", "reason",
                       "the first version of a form has no reason line");
    if (!present)
        return 0;
    return keys_lines_text(r, "reason", ENTRY_REASON_MAX, s->reason, "ENTRY_REASON", e);
}

/* The psu line is optional, and only a correction may have one: a re-count
 * or a re-vote always follows a first count, which it corrects (and the
 * reason line before it says why). The word is meaning, so another case
 * is ENTRY_PSU, as for contest; spaces around it are the line reader's
 * layout error. */
static int parse_psu(keys_lines *r, submission *s, err_info *e)
{
    const char *v;
    size_t n;
    int k, rc;

    if (!keys_lines_peek(r, "psu"))
        return 0;
    if (s->version == 1)
        return err_set(e, ERR_INVALID, "ENTRY_PSU", "psu",
                       "the first version of a form has no psu line: a re-count or "
                       "re-vote is a correction");
    rc = keys_lines_field(r, "psu", &v, &n, e);
    if (rc)
        return rc;
    k = entry_psu_parse(v, n);
    if (k < 0)
        return err_set(e, ERR_INVALID, "ENTRY_PSU", "psu",
                       "psu is \"recount\" or \"revote\"");
    s->psu = (uint8_t)k;
    return 0;
}

/* Keep form_parse's own code (a monitor matches FORM_* the same way in a
 * form file and in a submission) and say where: "form: voters.b4[2]". */
static int form_error(int rc, err_info *e)
{
    char inner[sizeof e->where];

    if (e) {
        memcpy(inner, e->where, sizeof inner);
        snprintf(e->where, sizeof e->where, "form: %.*s", (int)sizeof inner - 7, inner);
    }
    return rc;
}

/* The form line: a form that parses and is for the TPS and contest the
 * head lines name (that it is form_format's output byte for byte is the
 * spelling check's). */
static int parse_form(keys_lines *r, submission *s, const char *tps,
                      contest_kind kind, err_info *e)
{
    const char *v;
    size_t n;
    int rc = keys_lines_field(r, "form", &v, &n, e);

    if (rc)
        return rc;
    rc = form_parse(v, n, &s->form, e);
    if (rc)
        return form_error(rc, e);
    if (strcmp(s->form.tps, tps) != 0)
        return err_set(e, ERR_INVALID, "ENTRY_MISMATCH", "tps",
                       "the tps line says %s, the form %s", tps, s->form.tps);
    if (s->form.kind != kind)
        return err_set(e, ERR_INVALID, "ENTRY_MISMATCH", "contest",
                       "the contest line says %s, the form %s", contest_kind_id[kind],
                       contest_kind_id[s->form.kind]);
    return 0;
}

static int parse_tps(keys_lines *r, char tps[REGION_CODE_MAX], err_info *e)
{
    const char *v;
    size_t n;
    size_t digits = 0;
    int rc = keys_lines_field(r, "tps", &v, &n, e);

    if (rc)
        return rc;
    while (digits < n && v[digits] >= '0' && v[digits] <= '9')
        digits++;
    if (n != REGION_CODE_MAX - 1 || digits != n)
        return err_set(e, ERR_INVALID, "ENTRY_TPS", "tps", "a TPS code is 13 digits");
    memcpy(tps, v, n);
    tps[n] = '\0';
    return 0;
}

static int parse_contest(keys_lines *r, contest_kind *kind, err_info *e)
{
    char id[16];
    const char *v;
    size_t n;
    int k = -1;
    int rc = keys_lines_field(r, "contest", &v, &n, e);

    if (rc)
        return rc;
    if (n < sizeof id && !memchr(v, '\0', n)) { /* "dpr\0x" is not "dpr" */
        memcpy(id, v, n);
        id[n] = '\0';
        k = contest_kind_parse(id);
    }
    if (k < 0)
        return err_set(e, ERR_INVALID, "ENTRY_CONTEST", "contest",
                       "unknown contest (ppwp, dpr, dpd, dprd_prov, dprd_kab)");
    *kind = (contest_kind)k;
    return 0;
}

/* The submission lines, from the format line through the form line, in
 * their one spelling. */
static int parse_submission(keys_lines *r, submission *s, err_info *e)
{
    const char *start = r->p;
    char tps[REGION_CODE_MAX];
    contest_kind kind = CONTEST_PPWP;
    uint64_t version = 0;
    int rc = keys_lines_header(r, SUBMISSION_FORMAT_ID, "ENTRY_FORMAT", e);

    if (rc == 0)
        rc = parse_tps(r, tps, e);
    if (rc == 0)
        rc = parse_contest(r, &kind, e);
    if (rc == 0)
        rc = keys_lines_number(r, "version", 1, ENTRY_VERSION_MAX, "ENTRY_VERSION", &version, e);
    s->version = (uint32_t)version;
    if (rc == 0)
        rc = parse_reason(r, s, e);
    if (rc == 0)
        rc = parse_psu(r, s, e);
    while (rc == 0 && keys_lines_peek(r, "photo"))
        rc = parse_photo(r, s, e);
    if (rc == 0)
        rc = parse_form(r, s, tps, kind, e);
    if (rc == 0)
        rc = submission_spelling(start, (size_t)(r->p - start), s, e);
    return rc;
}

static void lines_init(keys_lines *r, const char *buf, size_t len)
{
    keys_lines_init(r, buf, len, "ENTRY_FIELD", "ENTRY_NOT_CANONICAL");
}

static int too_large(size_t len, err_info *e)
{
    return err_set(e, ERR_LIMIT, "ENTRY_TOO_LARGE", "", "%zu bytes, at most %d",
                   len, ENTRY_MAX);
}

int submission_parse(const char *buf, size_t len, submission *out, err_info *e)
{
    keys_lines r;
    int rc;

    memset(out, 0, sizeof *out);
    if (len > ENTRY_MAX)
        return too_large(len, e);
    lines_init(&r, buf, len);
    rc = parse_submission(&r, out, e);
    if (rc == 0)
        rc = keys_lines_end(&r, e);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

int submission_check(const submission *s, err_info *e)
{
    char *buf = mem_alloc(ENTRY_MAX + 1);
    submission *back = mem_alloc(sizeof *back);
    size_t n = submission_encode(s, buf, ENTRY_MAX + 1);
    int rc = n > ENTRY_MAX ? too_large(n, e) : submission_parse(buf, n, back, e);

    free(back);
    free(buf);
    return rc;
}

/* "rejected" codes: distinct codes of HARD rules, comma-separated. */
static int parse_codes(const char *v, size_t n, int recap, char *codes, err_info *e)
{
    unsigned char seen[RULE_COUNT] = {0};
    size_t i = 0;

    if (n > ENTRY_CODES_MAX)
        return err_set(e, ERR_LIMIT, "ENTRY_STATUS", "status",
                       "rejection codes are at most %d bytes", ENTRY_CODES_MAX);
    for (;;) {
        const char *comma = memchr(v + i, ',', n - i);
        size_t j = comma ? (size_t)(comma - v) : n;
        char code[RULE_CODE_LEN_MAX];
        const rule_def *d = NULL;

        if (j > i && j - i < sizeof code && !memchr(v + i, '\0', j - i)) {
            memcpy(code, v + i, j - i);
            code[j - i] = '\0';
            d = rules_find(code);
        }
        if (!d || d->severity != RULE_HARD || rules_is_recap(d->id) != recap)
            return err_set(e, ERR_INVALID, "ENTRY_STATUS", "status",
                           "rejection code at byte %zu is not the code of a hard rule", i);
        if (seen[d->id]++)
            return err_set(e, ERR_INVALID, "ENTRY_STATUS", "status",
                           "rejection code %s is listed twice", d->code);
        if (j == n)
            break;
        i = j + 1;
    }
    memcpy(codes, v, n);
    codes[n] = '\0';
    return 0;
}

static int parse_status(keys_lines *r, int recap, int *accepted, char *codes, err_info *e)
{
    static const char rejected[] = "rejected ";
    const size_t rn = sizeof rejected - 1;
    const char *v;
    size_t n;
    int rc = keys_lines_field(r, "status", &v, &n, e);

    if (rc)
        return rc;
    if (n == 8 && memcmp(v, "accepted", 8) == 0) {
        *accepted = 1;
        return 0;
    }
    if (n <= rn || memcmp(v, rejected, rn) != 0)
        return err_set(e, ERR_INVALID, "ENTRY_STATUS", "status",
                       "status is \"accepted\" or \"rejected CODE[,CODE...]\"");
    return parse_codes(v + rn, n - rn, recap, codes, e);
}

int entry_seal_parse(keys_lines *r, int recap, uint8_t pubkey[32], uint8_t sig[64],
                     uint64_t *received, int *accepted, char *codes, err_info *e)
{
    int rc = keys_lines_b64(r, "key", pubkey, 32, "ENTRY_KEY", e);
    if (rc == 0)
        rc = keys_lines_b64(r, "sig", sig, 64, "ENTRY_SIG", e);
    if (rc == 0)
        rc = keys_lines_number(r, "received", 0, INT64_MAX, "ENTRY_RECEIVED", received, e);
    if (rc == 0)
        rc = parse_status(r, recap, accepted, codes, e);
    if (rc == 0)
        rc = keys_lines_end(r, e);
    return rc;
}

int entry_parse(const char *buf, size_t len, entry *out, err_info *e)
{
    const char *trailer = NULL;
    keys_lines r;
    int rc;

    memset(out, 0, sizeof *out);
    if (len > ENTRY_MAX)
        return too_large(len, e);
    lines_init(&r, buf, len);
    rc = keys_lines_header(&r, ENTRY_FORMAT_ID, "ENTRY_FORMAT", e);
    if (rc == 0) {
        out->sub_bytes = r.p;
        rc = parse_submission(&r, &out->sub, e);
        out->sub_len = (size_t)(r.p - out->sub_bytes);
        trailer = r.p;
    }
    if (rc == 0)
        rc = entry_seal_parse(&r, 0, out->pubkey, out->sig, &out->received, &out->accepted,
                              out->codes, e);
    if (rc == 0)
        rc = trailer_spelling(trailer, (size_t)(r.p - trailer), out, e);
    if (rc)
        memset(out, 0, sizeof *out);
    return rc;
}

/* ------------------------------------------------------------------ */
/* signatures                                                          */

void entry_sign(const char *buf, size_t len, const uint8_t sk[64], uint8_t sig[64])
{
    keys_init();
    crypto_sign_ed25519_detached(sig, NULL, (const unsigned char *)buf, len, sk);
}

int entry_verify(const char *buf, size_t len, const uint8_t pubkey[32], const uint8_t sig[64])
{
    keys_init();
    return crypto_sign_ed25519_verify_detached(sig, (const unsigned char *)buf, len, pubkey) == 0
               ? 0
               : ERR_INVALID;
}
