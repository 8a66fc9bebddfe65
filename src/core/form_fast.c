/* form_fast — owns the fast path of form_parse: a one-pass scanner for
 * exactly the bytes form_format writes (the fields in the documented order,
 * no whitespace, integers in plain decimal with no sign and no leading
 * zero). It fills the form in place, with no allocation and no tree, so a
 * canonical form costs little more than reading its bytes; jansson spends
 * most of its time building the tree the reference parser then walks.
 *
 * The scanner decides no error. At the first byte that is not the one the
 * canonical layout has next, and at any value a shared rule of
 * form_internal.h refuses, it gives up, and form_parse hands the document
 * to the reference parser, which accepts it or reports the error exactly
 * as it would have without this file. So all this file must get right is
 * what it accepts: only documents the reference parser accepts too (valid
 * JSON, no duplicate keys, the same rules), read into the same struct. */
#include <string.h>

#include "core/form_internal.h"

#define NUMBER_DIGITS_MAX 5 /* enough for any uint16 form_format writes */
#define CONTEST_ID_MAX 16   /* longer than any contest id ("dprd_prov") */

typedef struct cursor {
    const char *p, *end;
} cursor;

/* Step over the n bytes of s if they come next. */
static inline int lit(cursor *c, const char *s, size_t n)
{
    if ((size_t)(c->end - c->p) < n || memcmp(c->p, s, n) != 0)
        return 0;
    c->p += n;
    return 1;
}

#define LIT(c, s) lit((c), (s), sizeof(s) - 1)

/* Step over sep"k": where sep is the '{' opening an object or the ','
 * before a further member. */
static inline int key(cursor *c, char sep, const char *k)
{
    size_t n = strlen(k);
    const char *p = c->p;

    if ((size_t)(c->end - p) < n + 4 || p[0] != sep || p[1] != '"' ||
        memcmp(p + 2, k, n) != 0 || p[n + 2] != '"' || p[n + 3] != ':')
        return 0;
    c->p = p + n + 4;
    return 1;
}

/* A number in r written the canonical way: 1..NUMBER_DIGITS_MAX digits and
 * no leading zero. A sign, fraction or exponent stops the digits at a byte
 * the caller does not expect next, so it gives up there. */
static int number(cursor *c, form_range r, uint16_t *out)
{
    const char *p = c->p, *stop = c->end;
    unsigned v = 0;

    if (stop - p > NUMBER_DIGITS_MAX)
        stop = p + NUMBER_DIGITS_MAX + 1; /* one more: a sixth digit gives up */
    while (p < stop && (unsigned)(*p - '0') <= 9)
        v = v * 10 + (unsigned)(*p++ - '0');
    size_t digits = (size_t)(p - c->p);
    if (digits == 0 || digits > NUMBER_DIGITS_MAX || (digits > 1 && *c->p == '0') ||
        !form_in_range(v, r))
        return 0;
    *out = (uint16_t)v;
    c->p = p;
    return 1;
}

/* sep"k":<count> */
static int count(cursor *c, char sep, const char *k, uint16_t *out)
{
    return key(c, sep, k) && number(c, FORM_COUNTS, out);
}

/* [a,b,...] of counts into out[]; more than max of them: give up. */
static int count_list(cursor *c, uint16_t *out, unsigned max, unsigned *n)
{
    unsigned i = 0;

    if (!LIT(c, "["))
        return 0;
    if (!LIT(c, "]")) {
        do {
            if (i == max || !number(c, FORM_COUNTS, &out[i]))
                return 0;
            i++;
        } while (LIT(c, ","));
        if (!LIT(c, "]"))
            return 0;
    }
    *n = i;
    return 1;
}

/* A string of at most max bytes: *s, *n are its bytes between the quotes.
 * It may hold escapes or control bytes; the callers' checks refuse them,
 * as no valid TPS code or contest id has any. */
static int string(cursor *c, size_t max, const char **s, size_t *n)
{
    if (!LIT(c, "\""))
        return 0;
    size_t room = (size_t)(c->end - c->p);
    const char *q = memchr(c->p, '"', room < max + 1 ? room : max + 1);
    if (!q)
        return 0;
    *s = c->p;
    *n = (size_t)(q - c->p);
    c->p = q + 1;
    return 1;
}

static int head(cursor *c, form *f)
{
    char id[CONTEST_ID_MAX + 1];
    const char *s;
    size_t n;

    if (!LIT(c, "{\"format\":\"" FORM_FORMAT_ID "\"") || !key(c, ',', "tps") ||
        !string(c, REGION_CODE_MAX, &s, &n) || !form_tps_code_ok(s, n))
        return 0;
    memcpy(f->tps, s, n); /* 13 digits, and the form was zeroed: terminated */
    if (!key(c, ',', "contest") || !string(c, CONTEST_ID_MAX, &s, &n))
        return 0;
    memcpy(id, s, n);
    id[n] = '\0';
    int k = strlen(id) == n ? contest_kind_parse(id) : -1; /* a NUL inside is not JSON */
    if (k < 0)
        return 0;
    f->kind = (contest_kind)k;
    return 1;
}

static int voters(cursor *c, form *f)
{
    if (!key(c, ',', "voters"))
        return 0;
    for (unsigned i = 0; i < FORM_VOTER_ROWS; i++) {
        uint16_t v[3];
        unsigned n;
        if (!key(c, i ? ',' : '{', form_voter_keys[i]) || !count_list(c, v, 3, &n) ||
            n != 3)
            return 0;
        *form_voter_row(f, i) = (form_lpt){v[0], v[1], v[2]};
    }
    return LIT(c, "}");
}

static int ballots(cursor *c, form *f)
{
    if (!key(c, ',', "ballots"))
        return 0;
    for (unsigned i = 0; i < FORM_BALLOT_FIELDS; i++)
        if (!count(c, i ? ',' : '{', form_ballot_keys[i], form_ballot_field(f, i)))
            return 0;
    return LIT(c, "}");
}

/* PPWP / DPD: "votes", at least one. */
static int votes(cursor *c, form *f)
{
    unsigned n;

    if (!key(c, ',', "votes") || !count_list(c, f->votes, FORM_VOTES_MAX, &n) || n == 0)
        return 0;
    f->nvotes = (uint16_t)n;
    return 1;
}

/* Party block i; its candidates' votes go to f->votes[f->nvotes..], within
 * both the party's and the form's bound. */
static int party(cursor *c, form *f, unsigned i, uint8_t seen[])
{
    form_party *p = &f->party[i];
    unsigned room = FORM_SELECTIONS_MAX - f->nvotes, n;

    if (room > FORM_PARTY_CANDIDATES_MAX)
        room = FORM_PARTY_CANDIDATES_MAX;
    if (!key(c, '{', "no") || !number(c, FORM_PARTY_NOS, &p->no) || seen[p->no] ||
        !count(c, ',', "party_only", &p->party_only) || !key(c, ',', "candidates") ||
        !count_list(c, f->votes + f->nvotes, room, &n) ||
        !count(c, ',', "total", &p->total) || !LIT(c, "}"))
        return 0;
    seen[p->no] = 1;
    form_party_close(f, i, n);
    return 1;
}

/* DPR / DPRD: "parties", 1..FORM_PARTIES_MAX blocks, no number twice. */
static int parties(cursor *c, form *f)
{
    uint8_t seen[ELECTION_PARTY_MAX + 1] = {0};
    unsigned i = 0;

    if (!key(c, ',', "parties") || !LIT(c, "["))
        return 0;
    do {
        if (i == FORM_PARTIES_MAX || !party(c, f, i, seen))
            return 0;
        i++;
    } while (LIT(c, ","));
    return LIT(c, "]");
}

int form_parse_canonical(const char *json, size_t len, form *out)
{
    memset(out, 0, sizeof *out);
    if (!json)
        return 0;
    cursor c = {json, json + len};
    if (!head(&c, out) || !voters(&c, out) || !ballots(&c, out))
        return 0;
    if (!(contest_is_party_list(out->kind) ? parties(&c, out) : votes(&c, out)))
        return 0;
    return count(&c, ',', "valid", &out->valid) &&
           count(&c, ',', "invalid", &out->invalid) &&
           count(&c, ',', "total", &out->total) && LIT(&c, "}") && c.p == c.end;
}
