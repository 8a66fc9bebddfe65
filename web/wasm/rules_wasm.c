/* rules_wasm — the glue that puts src/core's form reader and rules into the
 * officer's page as WebAssembly (web/wasm/build.sh builds it, rules.js
 * loads it). No rule and no message is written here: a form is read by the
 * core's canonical reader (form_parse_canonical, what form_parse runs on
 * every canonical document) and checked by rules_check_form; this file only
 * moves bytes in and writes the report as JSON.
 *
 * The module imports nothing and allocates nothing: the page writes the
 * form's JSON into a static input buffer (rk_input, FORM_JSON_MAX bytes)
 * and calls rk_check, which writes the report into a static output buffer
 * (rk_output) and returns its length:
 *
 *   {"ok":bool,"flagged":bool,"parse_error":null|{"code","where","message"},
 *    "nhard":n,"nsoft":n,"truncated":n,
 *    "rules":[{"code","severity":"hard"|"soft","message_id","message_en",
 *              "detail","where"}]}
 *
 * message_id / message_en are rules_hit_message's words, exactly what the
 * server answers (docs/API.md, 422 body); "where" is the first field of the
 * form the hit's detail names (its JSON path, "" when none), for the page
 * to point at. There is no JSON parser in the module (jansson does not
 * build for wasm32): a document that is not canonical is refused with the
 * browser-only code FORM_NOT_CANONICAL, and rules.js, which always hands
 * canonical text over, says what is wrong with it in the server's words.
 *
 * The checks are rules_check_form's: the form's own arithmetic and the
 * soft signals that need nothing else. The rules against the election
 * definition (TPS_UNKNOWN, CONTEST_NOT_HERE, BALLOT_SHAPE, DPT_MISMATCH)
 * and the neighbour signal need data the page does not hold; the server
 * adds them. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/form_internal.h"
#include "core/rules.h"

#define RK_EXPORT(name) __attribute__((export_name(name), visibility("default")))
#define RK_OUTPUT_MAX (128 * 1024) /* 64 hits of < 1.5 KB each, escaped */
#define RK_MESSAGE_MAX 512         /* the server's buffer for a hit's message */

static char input[FORM_JSON_MAX];
static char output[RK_OUTPUT_MAX];
static form the_form;
static rule_report report;

/* An assertion of the core that fails traps (the page gets a RuntimeError)
 * instead of printing to a stderr the module does not have; its text is
 * kept for rk_assert_message. */
static char assert_message[256];

_Noreturn void __assert_fail(const char *expr, const char *file, int line, const char *func);
_Noreturn void __assert_fail(const char *expr, const char *file, int line, const char *func)
{
    (void)snprintf(assert_message, sizeof assert_message, "%s:%d: %s: assertion %s failed",
                   file, line, func, expr);
    __builtin_trap();
}

/* ------------------------------------------------------------------ */
/* the report's JSON                                                   */

typedef struct out {
    char *p;
    size_t n, cap;
} out;

static void put(out *o, const char *s, size_t n)
{
    if (n > o->cap - o->n)
        n = o->cap - o->n; /* cannot happen within the bounds above */
    memcpy(o->p + o->n, s, n);
    o->n += n;
}

static void puts_(out *o, const char *s)
{
    put(o, s, strlen(s));
}

static void put_uint(out *o, unsigned v)
{
    char b[12];
    int n = snprintf(b, sizeof b, "%u", v);
    put(o, b, (size_t)n);
}

/* A JSON string: quotes, backslashes and control bytes escaped; other
 * bytes as they are (the messages are UTF-8). */
static void put_str(out *o, const char *s)
{
    put(o, "\"", 1);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\') {
            char e[2] = {'\\', (char)c};
            put(o, e, 2);
        } else if (c < 0x20) {
            char e[8];
            int n = snprintf(e, sizeof e, "\\u%04x", c);
            put(o, e, (size_t)n);
        } else
            put(o, (const char *)&c, 1);
    }
    put(o, "\"", 1);
}

/* Is the token s[0..n) a field path of a rekap-chasil/1 form? */
static int is_form_path(const char *s, size_t n)
{
    static const char *const whole[] = {"tps", "contest", "votes", "parties",
                                        "valid", "invalid", "total"};
    static const char *const prefix[] = {"voters.", "ballots.", "votes[", "parties["};

    for (size_t i = 0; i < sizeof whole / sizeof whole[0]; i++)
        if (n == strlen(whole[i]) && memcmp(s, whole[i], n) == 0)
            return 1;
    for (size_t i = 0; i < sizeof prefix / sizeof prefix[0]; i++)
        if (n > strlen(prefix[i]) && memcmp(s, prefix[i], strlen(prefix[i])) == 0)
            return 1;
    return 0;
}

/* The first field path the detail names: "voters.b4[0]: 90 + 3 + 2 != 96"
 * -> "voters.b4[0]", "party 3 (parties[2]): total ..." -> "parties[2]". */
static void hit_where(const char *detail, char *buf, size_t cap)
{
    const char *s = detail;

    buf[0] = '\0';
    while (*s) {
        size_t n = strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_.[]");
        if (n && is_form_path(s, n) && n < cap) {
            memcpy(buf, s, n);
            buf[n] = '\0';
            return;
        }
        s += n ? n : 1;
    }
}

static void put_hit(out *o, const rule_hit *h)
{
    const rule_def *d = rules_def(h->id);
    char id[RK_MESSAGE_MAX], en[RK_MESSAGE_MAX], where[RULES_DETAIL_MAX];

    rules_hit_message(h, "id", id, sizeof id);
    rules_hit_message(h, "en", en, sizeof en);
    hit_where(h->detail, where, sizeof where);
    puts_(o, "{\"code\":");
    put_str(o, d->code);
    puts_(o, d->severity == RULE_HARD ? ",\"severity\":\"hard\"" : ",\"severity\":\"soft\"");
    puts_(o, ",\"message_id\":");
    put_str(o, id);
    puts_(o, ",\"message_en\":");
    put_str(o, en);
    puts_(o, ",\"detail\":");
    put_str(o, h->detail);
    puts_(o, ",\"where\":");
    put_str(o, where);
    puts_(o, "}");
}

/* ------------------------------------------------------------------ */
/* exports                                                             */

RK_EXPORT("rk_input") char *rk_input(void)
{
    return input;
}

RK_EXPORT("rk_input_cap") unsigned rk_input_cap(void)
{
    return FORM_JSON_MAX;
}

RK_EXPORT("rk_output") const char *rk_output(void)
{
    return output;
}

RK_EXPORT("rk_assert_message") const char *rk_assert_message(void)
{
    return assert_message;
}

/* Check the form in input[0..len). reserve_permille < 0: the core's
 * default reserve (rules_check_form with no configuration: 20 permille,
 * DPTb and DPK allowances, the law's defaults election_new also sets);
 * otherwise the election's (election_rules). Returns the report's length
 * in output[]. */
RK_EXPORT("rk_check")
unsigned rk_check(unsigned len, int reserve_permille, int reserve_dptb, int reserve_dpk)
{
    out o = {output, 0, sizeof output};
    election_rules ru = {.reserve_permille = (uint32_t)reserve_permille,
                         .reserve_dptb = reserve_dptb != 0,
                         .reserve_dpk = reserve_dpk != 0};

    if (len > FORM_JSON_MAX || !form_parse_canonical(input, len, &the_form)) {
        puts_(&o, "{\"ok\":false,\"flagged\":false,\"parse_error\":{\"code\":");
        if (len > FORM_JSON_MAX) {
            char msg[96];
            snprintf(msg, sizeof msg, "form is %u bytes, at most %d", len, FORM_JSON_MAX);
            puts_(&o, "\"FORM_JSON_MAX\",\"where\":\"\",\"message\":");
            put_str(&o, msg);
        } else
            puts_(&o, "\"FORM_NOT_CANONICAL\",\"where\":\"\",\"message\":"
                      "\"not a canonical rekap-chasil/1 document\"");
        puts_(&o, "},\"nhard\":0,\"nsoft\":0,\"truncated\":0,\"rules\":[]}");
        return (unsigned)o.n;
    }
    rules_report_init(&report);
    rules_check_form(&the_form, reserve_permille < 0 ? NULL : &ru, &report);
    puts_(&o, report.nhard ? "{\"ok\":false" : "{\"ok\":true");
    puts_(&o, !report.nhard && rules_flagged(&report) ? ",\"flagged\":true"
                                                      : ",\"flagged\":false");
    puts_(&o, ",\"parse_error\":null,\"nhard\":");
    put_uint(&o, report.nhard);
    puts_(&o, ",\"nsoft\":");
    put_uint(&o, report.nsoft);
    puts_(&o, ",\"truncated\":");
    put_uint(&o, report.truncated);
    puts_(&o, ",\"rules\":[");
    for (unsigned i = 0; i < report.nhit; i++) {
        if (i)
            puts_(&o, ",");
        put_hit(&o, &report.hit[i]);
    }
    puts_(&o, "]}");
    return (unsigned)o.n;
}
