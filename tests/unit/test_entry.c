/* test_entry — the rekap-submission/1 and rekap-entry/1 texts: round trips
 * of generated forms of every contest, signing and verifying (RFC 8032
 * test 1, a flipped byte anywhere), every parse error code with its line,
 * the non-canonical spellings of a valid submission, entry status lines,
 * the optional psu line (re-count / re-vote), submission_check and
 * snprintf-like sizing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"
#include "core/entry.h"
#include "core/keys.h"
#include "core/mem.h"
#include "gen/gen.h"
#include "io/masterdata.h"

/* ---- fixtures ------------------------------------------------------------ */

/* A DPR form in the canonical layout (as docs/FORMATS.md shows it). */
#define DPR_FORM                                                                   \
    "{\"format\":\"rekap-chasil/1\",\"tps\":\"3273011001004\",\"contest\":\"dpr\","   \
    "\"voters\":{\"dpt\":[120,130,250],\"dptb\":[4,3,7],\"dpk\":[3,2,5],"           \
    "\"b1\":[90,100,190],\"b2\":[3,2,5],\"b3\":[2,1,3],\"b4\":[95,103,198],"       \
    "\"disabled\":[2,1,3]},"                                                       \
    "\"ballots\":{\"received\":260,\"used\":198,\"damaged\":2,\"unused\":60},"     \
    "\"parties\":[{\"no\":1,\"party_only\":10,\"candidates\":[20,15,5],\"total\":50}," \
    "{\"no\":2,\"party_only\":5,\"candidates\":[30,20,10,5],\"total\":70},"        \
    "{\"no\":5,\"party_only\":20,\"candidates\":[],\"total\":20},"                 \
    "{\"no\":7,\"party_only\":0,\"candidates\":[25,15,10],\"total\":50}],"        \
    "\"valid\":190,\"invalid\":8,\"total\":198}"

#define HEX_A "1111111111111111111111111111111111111111111111111111111111111111"
#define HEX_A63 "111111111111111111111111111111111111111111111111111111111111111"
#define HEX_B "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"

/* A correction with a reason and two photos: every optional line present. */
static const char BASE[] = "rekap-submission/1\n"
                           "tps 3273011001004\n"
                           "contest dpr\n"
                           "version 2\n"
                           "reason \"angka B4 salah tulis\"\n"
                           "photo " HEX_A "\n"
                           "photo " HEX_B "\n"
                           "form " DPR_FORM "\n";

/* BASE as the result of a re-count: the psu line between reason and photos. */
static const char BASE_PSU[] = "rekap-submission/1\n"
                               "tps 3273011001004\n"
                               "contest dpr\n"
                               "version 2\n"
                               "reason \"angka B4 salah tulis\"\n"
                               "psu recount\n"
                               "photo " HEX_A "\n"
                               "photo " HEX_B "\n"
                               "form " DPR_FORM "\n";

static const char B64_DIGITS[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* RFC 8032 section 7.1, test 1. */
static const char RFC_SEED[] = "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
static const char RFC_PK[] = "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
static const char RFC_SIG[] = "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

static void unhex(const char *hex, uint8_t *out, size_t n)
{
    size_t got = 0;
    assert_int_equal(sodium_hex2bin(out, n, hex, strlen(hex), NULL, &got, NULL), 0);
    assert_int_equal(got, n);
}

static void rfc_keys(uint8_t pk[32], uint8_t sk[64])
{
    uint8_t seed[32];
    keys_init();
    unhex(RFC_SEED, seed, sizeof seed);
    crypto_sign_ed25519_seed_keypair(pk, sk, seed);
}

/* Every '\n' of s as "\r\n". */
static char *crlf(const char *s)
{
    size_t n = strlen(s), k = 0;
    char *out = mem_alloc(2 * n + 1);
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            out[k++] = '\r';
        out[k++] = s[i];
    }
    out[k] = '\0';
    return out;
}

static int all_zero(const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/* label names the case in a failure message. */
static void expect_sub_error(const char *label, const char *text, size_t len, int rc,
                             const char *code, const char *where)
{
    submission *s = mem_alloc(sizeof *s);
    err_info e = {0};
    memset(s, 0x5a, sizeof *s);
    int got = submission_parse(text, len, s, &e);
    if (got != rc || !e.code || strcmp(e.code, code) != 0 || strcmp(e.where, where) != 0)
        fail_msg("%s: expected %d %s at \"%s\", got %d %s at \"%s\": %s", label, rc, code,
                 where, got, e.code ? e.code : "(none)", e.where, e.msg);
    assert_true(e.msg[0] != '\0');
    assert_true(all_zero(s, sizeof *s)); /* nothing half-built */
    free(s);
}

static void parse_ok(const char *text, size_t len, submission *s)
{
    err_info e = {0};
    if (submission_parse(text, len, s, &e) != 0)
        fail_msg("submission_parse: %s at %s: %s", e.code, e.where, e.msg);
}

/* ---- round trips --------------------------------------------------------- */

static void test_base_parses(void **state)
{
    (void)state;
    submission *s = mem_alloc(sizeof *s);
    char *buf = mem_alloc(ENTRY_MAX);
    parse_ok(BASE, strlen(BASE), s);
    assert_string_equal(s->form.tps, "3273011001004");
    assert_int_equal(s->form.kind, CONTEST_DPR);
    assert_int_equal(s->form.nparty, 4);
    assert_int_equal(s->version, 2);
    assert_string_equal(s->reason, "angka B4 salah tulis");
    assert_int_equal(s->nphoto, 2);
    assert_int_equal(s->photo[0][0], 0x11);
    assert_int_equal(s->photo[1][31], 0xaa);
    /* the one spelling: encoding gives the same bytes back */
    size_t n = submission_encode(s, buf, ENTRY_MAX);
    assert_int_equal(n, strlen(BASE));
    assert_memory_equal(buf, BASE, n);
    free(buf);
    free(s);
}

/* Texts that must parse, each re-encoding to itself. */
static void test_valid_variants(void **state)
{
    (void)state;
    char big[ENTRY_REASON_MAX + 1];
    char reason_line[ENTRY_REASON_MAX + 16];
    memset(big, 'x', ENTRY_REASON_MAX);
    big[ENTRY_REASON_MAX] = '\0';
    snprintf(reason_line, sizeof reason_line, "reason \"%s\"", big);
    struct {
        const char *from, *to, *reason;
    } cases[] = {
        /* first version: no reason line */
        {"version 2\nreason \"angka B4 salah tulis\"\n", "version 1\n", ""},
        /* no photos */
        {"photo " HEX_A "\nphoto " HEX_B "\n", "", "angka B4 salah tulis"},
        /* pages in any order of their hashes: the order is the page order */
        {"photo " HEX_A "\nphoto " HEX_B "\n", "photo " HEX_B "\nphoto " HEX_A "\n",
         "angka B4 salah tulis"},
        /* quotes and backslashes are the only escapes; UTF-8 raw */
        {"\"angka B4 salah tulis\"", "\"kata \\\"B4\\\" \\\\ salah — ditulis ulang\"",
         "kata \"B4\" \\ salah — ditulis ulang"},
        /* exactly ENTRY_REASON_MAX bytes */
        {"reason \"angka B4 salah tulis\"", reason_line, big},
        {"version 2\n", "version 999\n", "angka B4 salah tulis"},
    };
    submission *s = mem_alloc(sizeof *s);
    char *buf = mem_alloc(ENTRY_MAX);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = test_replace(BASE, cases[i].from, cases[i].to);
        parse_ok(t, strlen(t), s);
        assert_string_equal(s->reason, cases[i].reason);
        size_t n = submission_encode(s, buf, ENTRY_MAX);
        assert_int_equal(n, strlen(t));
        assert_memory_equal(buf, t, n);
        free(t);
    }
    free(buf);
    free(s);
}

/* What the generator's sink does with every form: wrap it in a submission
 * (every third one a correction with photos), encode, parse, compare,
 * sign and verify. */
typedef struct roundtrip {
    unsigned long per_kind[CONTEST_KINDS];
    uint8_t pk[32], sk[64];
    char *buf, *buf2;
    submission *s, *back;
} roundtrip;

static int roundtrip_sink(void *ctx, const form *f)
{
    roundtrip *rt = ctx;
    unsigned long k = rt->per_kind[f->kind]++;
    submission *s = rt->s;
    memset(s, 0, sizeof *s);
    s->form = *f;
    s->version = 1;
    if (k % 3 == 2) {
        s->version = (uint32_t)(2 + k % 7);
        snprintf(s->reason, sizeof s->reason, "koreksi \"%lu\" \\ ü", k);
        s->psu = (uint8_t)(k / 3 % ENTRY_PSU_KINDS); /* none, recount, revote in turn */
        s->nphoto = (unsigned)(k % (ENTRY_PHOTOS_MAX + 1));
        for (unsigned i = 0; i < s->nphoto && i < ENTRY_PHOTOS_MAX; i++) {
            crypto_hash_sha256(s->photo[i], (const unsigned char *)&k, sizeof k);
            s->photo[i][0] = (uint8_t)(ENTRY_PHOTOS_MAX - i); /* pages, hashes descending */
        }
    }
    size_t n = submission_encode(s, rt->buf, ENTRY_MAX);
    assert_true(n < ENTRY_MAX);
    err_info e = {0};
    if (submission_parse(rt->buf, n, rt->back, &e) != 0)
        fail_msg("%s %s: %s at %s: %s", f->tps, contest_kind_id[f->kind], e.code, e.where, e.msg);
    assert_int_equal(rt->back->version, s->version);
    assert_string_equal(rt->back->reason, s->reason);
    assert_int_equal(rt->back->psu, s->psu);
    assert_int_equal(rt->back->nphoto, s->nphoto);
    assert_memory_equal(rt->back->photo, s->photo, sizeof s->photo);
    char fa[FORM_TEXT_MAX], fb[FORM_TEXT_MAX];
    size_t na = form_format(f, fa, sizeof fa), nb = form_format(&rt->back->form, fb, sizeof fb);
    assert_int_equal(na, nb);
    assert_memory_equal(fa, fb, na);
    assert_int_equal(submission_encode(rt->back, rt->buf2, ENTRY_MAX), n);
    assert_memory_equal(rt->buf, rt->buf2, n);
    if (k < 3) { /* signatures are slow under ASan: a few per kind */
        uint8_t sig[64];
        entry_sign(rt->buf, n, rt->sk, sig);
        assert_int_equal(entry_verify(rt->buf, n, rt->pk, sig), 0);
    }
    return 0;
}

static void test_roundtrip_generated(void **state)
{
    (void)state;
    err_info e = {0};
    region_tree *t = NULL;
    election *el = NULL;
    gen_params p;
    assert_int_equal(masterdata_load(REKAP_DATA_DIR, &t, &e), 0);
    gen_params_default(&p);
    p.seed = 11;
    p.scope = "65"; /* Kalimantan Utara: small */
    if (gen_election(t, &p, &el, &e) != 0)
        fail_msg("gen_election: %s %s %s", e.code, e.where, e.msg);
    roundtrip rt = {0};
    keys_generate(rt.pk, rt.sk);
    rt.buf = mem_alloc(ENTRY_MAX);
    rt.buf2 = mem_alloc(ENTRY_MAX);
    rt.s = mem_alloc(sizeof *rt.s);
    rt.back = mem_alloc(sizeof *rt.back);
    assert_int_equal(gen_forms(el, 5, (1u << CONTEST_KINDS) - 1, NULL, roundtrip_sink, &rt, &e), 0);
    for (int k = 0; k < CONTEST_KINDS; k++)
        assert_true(rt.per_kind[k] > 3);
    free(rt.back);
    free(rt.s);
    free(rt.buf2);
    free(rt.buf);
    election_free(el);
}

static void test_encode_sizing(void **state)
{
    (void)state;
    submission *s = mem_alloc(sizeof *s);
    char small[40], *full = mem_alloc(ENTRY_MAX);
    parse_ok(BASE, strlen(BASE), s);
    size_t n = submission_encode(s, full, ENTRY_MAX);
    assert_int_equal(submission_encode(s, NULL, 0), n);
    memset(small, '#', sizeof small);
    assert_int_equal(submission_encode(s, small, sizeof small), n);
    assert_int_equal(strlen(small), sizeof small - 1);
    assert_memory_equal(small, full, sizeof small - 1);
    /* cut inside the reason and inside the form: still sized right */
    for (size_t cap = 1; cap <= n + 1; cap += 97) {
        char *b = mem_alloc(cap);
        assert_int_equal(submission_encode(s, b, cap), n);
        assert_int_equal(strlen(b), cap - 1 < n ? cap - 1 : n);
        assert_memory_equal(b, full, strlen(b));
        free(b);
    }
    free(full);
    free(s);
}

/* ---- signatures ---------------------------------------------------------- */

static void test_rfc8032_vector1(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], want_pk[32], want_sig[64], sig[64];
    rfc_keys(pk, sk);
    unhex(RFC_PK, want_pk, sizeof want_pk);
    unhex(RFC_SIG, want_sig, sizeof want_sig);
    assert_memory_equal(pk, want_pk, 32);
    entry_sign("", 0, sk, sig);
    assert_memory_equal(sig, want_sig, 64);
    assert_int_equal(entry_verify("", 0, pk, want_sig), 0);
    want_sig[63] ^= 0x01;
    assert_int_equal(entry_verify("", 0, pk, want_sig), ERR_INVALID);
    assert_int_equal(entry_verify("x", 1, pk, sig), ERR_INVALID);
}

static void test_flipped_byte_fails(void **state)
{
    (void)state;
    uint8_t pk[32], sk[64], pk2[32], sk2[64], sig[64];
    size_t n = strlen(BASE);
    char *copy = mem_alloc(n);
    keys_generate(pk, sk);
    keys_generate(pk2, sk2);
    entry_sign(BASE, n, sk, sig);
    assert_int_equal(entry_verify(BASE, n, pk, sig), 0);
    assert_int_equal(entry_verify(BASE, n, pk2, sig), ERR_INVALID);
    assert_int_equal(entry_verify(BASE, n - 1, pk, sig), ERR_INVALID);
    for (size_t i = 0; i < n; i++) {
        memcpy(copy, BASE, n);
        copy[i] ^= (char)(1u << (i % 8));
        if (entry_verify(copy, n, pk, sig) == 0)
            fail_msg("a flipped bit at byte %zu still verifies", i);
    }
    for (size_t i = 0; i < sizeof sig; i++) {
        sig[i] ^= 0x80;
        assert_int_equal(entry_verify(BASE, n, pk, sig), ERR_INVALID);
        sig[i] ^= 0x80;
    }
    free(copy);
}

/* ---- submission errors --------------------------------------------------- */

typedef struct mutation {
    const char *from, *to;
    int rc;
    const char *code, *where;
} mutation;

static void run_mutations(const char *base, const mutation *m, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char *t = test_replace(base, m[i].from, m[i].to);
        expect_sub_error(m[i].to, t, strlen(t), m[i].rc, m[i].code, m[i].where);
        free(t);
    }
}

static void test_submission_errors(void **state)
{
    (void)state;
    static const mutation m[] = {
        /* structure */
        {"rekap-submission/1", "rekap-submission/2", ERR_INVALID, "ENTRY_FORMAT", "format"},
        {"rekap-submission/1\n", "", ERR_INVALID, "ENTRY_FORMAT", "format"},
        {"tps 3273011001004\n", "", ERR_INVALID, "ENTRY_FIELD", "tps"},
        {"contest ", "kontest ", ERR_INVALID, "ENTRY_FIELD", "contest"},
        {"tps 3273011001004\ncontest dpr\n", "contest dpr\ntps 3273011001004\n",
         ERR_INVALID, "ENTRY_FIELD", "tps"},
        {"version 2", "Version 2", ERR_INVALID, "ENTRY_FIELD", "version"},
        {"version 2", "version", ERR_INVALID, "ENTRY_FIELD", "version"},
        {"}\n", "}\nphoto " HEX_A "\n", ERR_INVALID, "ENTRY_FIELD", "end"},
        {"}\n", "}\n\n", ERR_INVALID, "ENTRY_FIELD", "end"},
        {"form ", "forms ", ERR_INVALID, "ENTRY_FIELD", "form"},
        {"rekap-submission/1\n", "Rekap-Submission/1\n", ERR_INVALID, "ENTRY_FORMAT", "format"},
        {"rekap-submission/1\n", "rekap-submission/1 \n", ERR_INVALID, "ENTRY_FORMAT", "format"},
        {"rekap-submission/1\n", "rekap-submission/1\n\n", ERR_INVALID, "ENTRY_FIELD", "tps"},
        /* a line twice, or two lines swapped */
        {"tps 3273011001004\n", "tps 3273011001004\ntps 3273011001004\n", ERR_INVALID,
         "ENTRY_FIELD", "contest"},
        {"contest dpr\n", "contest dpr\ncontest dpr\n", ERR_INVALID, "ENTRY_FIELD", "version"},
        {"version 2\n", "version 2\nversion 2\n", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"tulis\"\n", "tulis\"\nreason \"angka B4 salah tulis\"\n", ERR_INVALID, "ENTRY_FIELD",
         "form"},
        {"photo " HEX_A "\n", "photo " HEX_A "\nphoto " HEX_A "\n", ERR_INVALID, "ENTRY_PHOTO",
         "photo[1]"},
        {"}\n", "}\nform " DPR_FORM "\n", ERR_INVALID, "ENTRY_FIELD", "end"},
        {"version 2\nreason \"angka B4 salah tulis\"\n", "reason \"angka B4 salah tulis\"\nversion 2\n",
         ERR_INVALID, "ENTRY_FIELD", "version"},
        {"reason \"angka B4 salah tulis\"\nphoto " HEX_A "\n",
         "photo " HEX_A "\nreason \"angka B4 salah tulis\"\n", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"photo " HEX_B "\nform " DPR_FORM "\n", "form " DPR_FORM "\nphoto " HEX_B "\n",
         ERR_INVALID, "ENTRY_FIELD", "end"},
        /* tps and contest */
        {"tps 3273011001004", "tps 327301100100", ERR_INVALID, "ENTRY_TPS", "tps"},
        {"tps 3273011001004", "tps 32730110010040", ERR_INVALID, "ENTRY_TPS", "tps"},
        {"tps 3273011001004", "tps 32.73.01.1001", ERR_INVALID, "ENTRY_TPS", "tps"},
        {"tps 3273011001004", "tps +273011001004", ERR_INVALID, "ENTRY_TPS", "tps"},
        {"tps 3273011001004", "tps 327301100100\xef\xbc\x94", ERR_INVALID, "ENTRY_TPS", "tps"},
        {"contest dpr", "contest Dpr", ERR_INVALID, "ENTRY_CONTEST", "contest"},
        {"contest dpr", "contest \"dpr\"", ERR_INVALID, "ENTRY_CONTEST", "contest"},
        {"contest dpr", "contest DPR", ERR_INVALID, "ENTRY_CONTEST", "contest"},
        {"contest dpr", "contest dprd_provinsi_xx", ERR_INVALID, "ENTRY_CONTEST", "contest"},
        {"tps 3273011001004", "tps 3273011001005", ERR_INVALID, "ENTRY_MISMATCH", "tps"},
        {"contest dpr", "contest dprd_prov", ERR_INVALID, "ENTRY_MISMATCH", "contest"},
        /* version */
        {"version 2", "version 0", ERR_INVALID, "ENTRY_VERSION", "version"},
        {"version 2", "version 1000", ERR_INVALID, "ENTRY_VERSION", "version"},
        {"version 2", "version 18446744073709551617", ERR_INVALID, "ENTRY_VERSION", "version"},
        {"version 2", "version -2", ERR_INVALID, "ENTRY_VERSION", "version"},
        {"version 2", "version +2", ERR_INVALID, "ENTRY_VERSION", "version"},
        {"version 2", "version 2x", ERR_INVALID, "ENTRY_VERSION", "version"},
        {"version 2", "version ", ERR_INVALID, "ENTRY_VERSION", "version"},
        {"version 2", "version 2.0", ERR_INVALID, "ENTRY_VERSION", "version"},
        {"version 2", "version 0x2", ERR_INVALID, "ENTRY_VERSION", "version"},
        /* reason */
        {"version 2", "version 1", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"reason \"angka B4 salah tulis\"\n", "", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "angka", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\" \"b\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\\u0001b\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\\tb\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\\u0000b\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\\u0085b\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\xc2\x85" "b\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\x7f" "b\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\xff" "b\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\xc3\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"\\ud800\"", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"\"angka B4 salah tulis\"", "\"\\u0041\"", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\\/b\"", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {"\"angka B4 salah tulis\"", "\"\\u00fc\"", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\" ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\"\t", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\\u0022b\"", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {"\"angka B4 salah tulis\"", "\"a\\u005cb\"", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {"\"angka B4 salah tulis\"", "\"\\u00FC\"", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {"reason \"", "reason  \"", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {HEX_B, HEX_B "\x20", ERR_INVALID, "ENTRY_NOT_CANONICAL", "photo[1]"},
        {"photo " HEX_A, "photo  " HEX_A, ERR_INVALID, "ENTRY_NOT_CANONICAL", "photo[0]"},
        {HEX_B, "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaA",
         ERR_INVALID, "ENTRY_NOT_CANONICAL", "photo[1]"},
        {"version 2", "version 002", ERR_INVALID, "ENTRY_NOT_CANONICAL", "version"},
        {"contest dpr", "contest dpr ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "contest"},
        {"tps 3273011001004", "tps  3273011001004", ERR_INVALID, "ENTRY_NOT_CANONICAL", "tps"},
        {"form {\"format\"", "form { \"format\"", ERR_INVALID, "ENTRY_NOT_CANONICAL", "form"},
        {"rekap-chasil/1", "rekap-chasil\\/1", ERR_INVALID, "ENTRY_NOT_CANONICAL", "form"},
        /* photos */
        {HEX_A, HEX_A "1", ERR_INVALID, "ENTRY_PHOTO", "photo[0]"},
        {HEX_A, HEX_A63, ERR_INVALID, "ENTRY_PHOTO", "photo[0]"},
        {HEX_A, "g" HEX_A63, ERR_INVALID, "ENTRY_PHOTO", "photo[0]"},
        {HEX_B, HEX_A, ERR_INVALID, "ENTRY_PHOTO", "photo[1]"},
        {"photo " HEX_A, "photo", ERR_INVALID, "ENTRY_FIELD", "form"},
        /* non-canonical spellings of the same meaning */
        {HEX_B, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
         ERR_INVALID, "ENTRY_NOT_CANONICAL", "photo[1]"},
        {"version 2", "version 02", ERR_INVALID, "ENTRY_NOT_CANONICAL", "version"},
        {"version 2", "version  2", ERR_INVALID, "ENTRY_NOT_CANONICAL", "version"},
        {"version 2", "version 2 ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "version"},
        {"tps 3273011001004", "tps 3273011001004 ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "tps"},
        {"rekap-submission/1\n", "rekap-submission/1\r\n", ERR_INVALID, "ENTRY_NOT_CANONICAL", "format"},
        {"contest dpr\n", "contest dpr\r\n", ERR_INVALID, "ENTRY_NOT_CANONICAL", "contest"},
        {"}\n", "}", ERR_INVALID, "ENTRY_NOT_CANONICAL", "form"},
        {"}\n", "}\r\n", ERR_INVALID, "ENTRY_NOT_CANONICAL", "form"},
        {"form {", "form  {", ERR_INVALID, "ENTRY_NOT_CANONICAL", "form"},
        {"\"valid\":190,\"invalid\":8", "\"invalid\":8,\"valid\":190", ERR_INVALID,
         "ENTRY_NOT_CANONICAL", "form"},
        {"\"valid\":190", "\"valid\": 190", ERR_INVALID, "ENTRY_NOT_CANONICAL", "form"},
        {"\"valid\":190", "\"valid\":190 ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "form"},
        {"\"contest\":\"dpr\"", "\"contest\":\"\\u0064pr\"", ERR_INVALID, "ENTRY_NOT_CANONICAL", "form"},
        /* the form's own errors, with its JSON path */
        {"[95,103,198]", "[95,103,1000]", ERR_INVALID, "FORM_VALUE_RANGE", "form: voters.b4[2]"},
        {"\"candidates\":[20,15,5]", "\"candidates\":[20,-1,5]", ERR_INVALID,
         "FORM_VALUE_RANGE", "form: parties[0].candidates[1]"},
        {"\"valid\":190,", "", ERR_INVALID, "FORM_FIELD_MISSING", "form: valid"},
    };
    run_mutations(BASE, m, sizeof m / sizeof m[0]);
}

static void test_submission_limits(void **state)
{
    (void)state;
    /* too many photos: 9 ascending hashes */
    char lines[16 * 71 + 1] = "", hex[65];
    for (int i = 0; i < ENTRY_PHOTOS_MAX + 1; i++) {
        for (int k = 0; k < 64; k++)
            hex[k] = "0123456789abcdef"[i];
        hex[64] = '\0';
        strcat(lines, "photo ");
        strcat(lines, hex);
        strcat(lines, "\n");
    }
    char *t = test_replace(BASE, "photo " HEX_A "\nphoto " HEX_B "\n", lines);
    expect_sub_error(__func__, t, strlen(t), ERR_LIMIT, "ENTRY_PHOTO", "photo[8]");
    free(t);

    /* a reason one byte too long, in ASCII and with a two-byte character */
    char reason[ENTRY_REASON_MAX + 16];
    memset(reason, 'x', sizeof reason);
    reason[0] = '"';
    reason[ENTRY_REASON_MAX + 2] = '"';
    reason[ENTRY_REASON_MAX + 3] = '\0';
    t = test_replace(BASE, "\"angka B4 salah tulis\"", reason);
    expect_sub_error(__func__, t, strlen(t), ERR_LIMIT, "ENTRY_REASON", "reason");
    free(t);
    memcpy(reason + 1, "\xc3\xbc", 2); /* ü: 501 bytes in 500 characters */
    t = test_replace(BASE, "\"angka B4 salah tulis\"", reason);
    expect_sub_error(__func__, t, strlen(t), ERR_LIMIT, "ENTRY_REASON", "reason");
    free(t);
    /* escaping past twice the limit: refused before decoding */
    char *esc = mem_alloc(6 * ENTRY_REASON_MAX + 3);
    strcpy(esc, "\"");
    for (int i = 0; i < ENTRY_REASON_MAX; i++)
        strcat(esc, "\\u0041");
    strcat(esc, "\"");
    t = test_replace(BASE, "\"angka B4 salah tulis\"", esc);
    expect_sub_error(__func__, t, strlen(t), ERR_LIMIT, "ENTRY_REASON", "reason");
    free(t);
    free(esc);

    /* the whole text */
    char *huge = mem_alloc(ENTRY_MAX + 1);
    memcpy(huge, BASE, strlen(BASE));
    expect_sub_error(__func__, huge, ENTRY_MAX + 1, ERR_LIMIT, "ENTRY_TOO_LARGE", "");
    free(huge);

    /* empty and truncated texts */
    expect_sub_error(__func__, "", 0, ERR_INVALID, "ENTRY_FORMAT", "format");
    size_t form_at = (size_t)(strstr(BASE, "form ") - BASE);
    expect_sub_error(__func__, BASE, form_at, ERR_INVALID, "ENTRY_FIELD", "form");
    expect_sub_error(__func__, BASE, strlen(BASE) - 1, ERR_INVALID, "ENTRY_NOT_CANONICAL", "form");
    expect_sub_error(__func__, BASE, form_at + 20, ERR_INVALID, "ENTRY_NOT_CANONICAL", "form");
}

static void test_submission_crlf(void **state)
{
    (void)state;
    char *t = crlf(BASE);
    expect_sub_error(__func__, t, strlen(t), ERR_INVALID, "ENTRY_NOT_CANONICAL", "format");
    free(t);
}

/* The form's JSON syntax errors keep FORM_JSON with the position. */
static void test_submission_form_json(void **state)
{
    (void)state;
    static const struct {
        const char *to, *code;
    } cases[] = {
        {"\"valid\":19O", "FORM_JSON"},
        {"\"valid\":190,\"valid\":190", "FORM_FIELD_DUPLICATE"},
    };
    submission *s = mem_alloc(sizeof *s);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *t = test_replace(BASE, "\"valid\":190", cases[i].to);
        err_info e = {0};
        assert_int_equal(submission_parse(t, strlen(t), s, &e), ERR_INVALID);
        assert_string_equal(e.code, cases[i].code);
        assert_true(strncmp(e.where, "form: 1:", 8) == 0); /* line:column in the form */
        free(t);
    }
    free(s);
}

static void test_submission_check(void **state)
{
    (void)state;
    submission *s = mem_alloc(sizeof *s);
    err_info e = {0};
    parse_ok(BASE, strlen(BASE), s);
    assert_int_equal(submission_check(s, &e), 0);

    s->form.b4.total = 1000;
    assert_int_equal(submission_check(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "FORM_VALUE_RANGE");
    assert_string_equal(e.where, "form: voters.b4[2]");

    parse_ok(BASE, strlen(BASE), s);
    memcpy(s->photo[0], s->photo[1], 32); /* one photo as two pages */
    assert_int_equal(submission_check(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "ENTRY_PHOTO");
    assert_string_equal(e.where, "photo[1]");

    parse_ok(BASE, strlen(BASE), s);
    s->version = 1; /* a first version with a reason */
    assert_int_equal(submission_check(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "ENTRY_REASON");

    parse_ok(BASE, strlen(BASE), s);
    s->reason[0] = '\0'; /* a correction without one */
    assert_int_equal(submission_check(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "ENTRY_REASON");

    parse_ok(BASE, strlen(BASE), s);
    strcpy(s->reason, "dua\nbaris"); /* a newline stays escaped, then refused */
    assert_int_equal(submission_check(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "ENTRY_REASON");

    parse_ok(BASE, strlen(BASE), s);
    s->version = ENTRY_VERSION_MAX + 1;
    assert_int_equal(submission_check(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "ENTRY_VERSION");
    free(s);
}

/* ---- entries ------------------------------------------------------------- */

/* An entry over the submission text sub signed with the RFC 8032 test key. */
static size_t make_entry_of(const char *sub, char *buf, size_t cap, int accepted,
                            const char *codes, uint64_t received)
{
    entry *en = mem_alloc(sizeof *en);
    uint8_t sk[64];
    memset(en, 0, sizeof *en);
    rfc_keys(en->pubkey, sk);
    en->sub_bytes = sub;
    en->sub_len = strlen(sub);
    entry_sign(sub, en->sub_len, sk, en->sig);
    en->received = received;
    en->accepted = accepted;
    snprintf(en->codes, sizeof en->codes, "%s", codes);
    size_t n = entry_encode(en, buf, cap);
    free(en);
    return n;
}

/* An entry over BASE. */
static size_t make_entry(char *buf, size_t cap, int accepted, const char *codes,
                         uint64_t received)
{
    return make_entry_of(BASE, buf, cap, accepted, codes, received);
}

static void test_entry_roundtrip(void **state)
{
    (void)state;
    char *buf = mem_alloc(ENTRY_MAX), *again = mem_alloc(ENTRY_MAX);
    entry *en = mem_alloc(sizeof *en);
    uint8_t pk[32], sk[64];
    err_info e = {0};
    rfc_keys(pk, sk);

    size_t n = make_entry(buf, ENTRY_MAX, 1, "", 1707890400);
    assert_true(n < ENTRY_MAX);
    assert_int_equal(entry_parse(buf, n, en, &e), 0);
    assert_ptr_equal(en->sub_bytes, buf + strlen("rekap-entry/1\n"));
    assert_int_equal(en->sub_len, strlen(BASE));
    assert_memory_equal(en->sub_bytes, BASE, en->sub_len);
    assert_memory_equal(en->pubkey, pk, 32);
    assert_int_equal(entry_verify(en->sub_bytes, en->sub_len, en->pubkey, en->sig), 0);
    assert_int_equal(en->received, 1707890400);
    assert_int_equal(en->accepted, 1);
    assert_string_equal(en->codes, "");
    assert_int_equal(en->sub.version, 2);
    assert_string_equal(en->sub.reason, "angka B4 salah tulis");
    /* the text ends with the trailer lines, in order */
    assert_non_null(strstr(buf, "\nreceived 1707890400\nstatus accepted\n"));
    assert_int_equal(entry_encode(en, again, ENTRY_MAX), n);
    assert_memory_equal(again, buf, n);

    n = make_entry(buf, ENTRY_MAX, 0, "B4_SUM,TOTAL_SUM", (uint64_t)INT64_MAX);
    assert_int_equal(entry_parse(buf, n, en, &e), 0);
    assert_int_equal(en->accepted, 0);
    assert_string_equal(en->codes, "B4_SUM,TOTAL_SUM");
    assert_int_equal(en->received, (uint64_t)INT64_MAX);
    assert_int_equal(entry_encode(en, again, ENTRY_MAX), n);
    assert_memory_equal(again, buf, n);

    /* sizing like snprintf */
    assert_int_equal(entry_encode(en, NULL, 0), n);
    assert_int_equal(entry_encode(en, again, 10), n);
    assert_string_equal(again, "rekap-ent");

    /* a flipped byte in the logged submission: parses, does not verify */
    n = make_entry(buf, ENTRY_MAX, 1, "", 0);
    char *v = strstr(buf, "\"valid\":190");
    v[8] = '8'; /* 890: still a well-formed form */
    assert_int_equal(entry_parse(buf, n, en, &e), 0);
    assert_int_equal(entry_verify(en->sub_bytes, en->sub_len, en->pubkey, en->sig), ERR_INVALID);
    free(en);
    free(again);
    free(buf);
}

static void expect_entry_error(const char *label, const char *text, size_t len, int rc,
                               const char *code, const char *where)
{
    entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    memset(en, 0x5a, sizeof *en);
    int got = entry_parse(text, len, en, &e);
    if (got != rc || !e.code || strcmp(e.code, code) != 0 || strcmp(e.where, where) != 0)
        fail_msg("%s: expected %d %s at \"%s\", got %d %s at \"%s\": %s", label, rc, code,
                 where, got, e.code ? e.code : "(none)", e.where, e.msg);
    assert_true(all_zero(en, sizeof *en));
    free(en);
}

static void test_entry_errors(void **state)
{
    (void)state;
    char *base = mem_alloc(ENTRY_MAX);
    char codes[ENTRY_CODES_MAX + 64];
    make_entry(base, ENTRY_MAX, 0, "B4_SUM", 1707890400);
    char *keyline = strstr(base, "key ") + 4, *sigline = strstr(base, "sig ") + 4;
    char key[45], sig[89];
    memcpy(key, keyline, 44);
    key[44] = '\0';
    memcpy(sig, sigline, 88);
    sig[88] = '\0';
    /* the same key with non-zero unused bits in its last base64 digit */
    char badbits[45];
    strcpy(badbits, key);
    badbits[42] = B64_DIGITS[(strchr(B64_DIGITS, key[42]) - B64_DIGITS) ^ 1]; /* 2 unused bits */
    /* padding missing or doubled */
    char key_nopad[45], key_pad2[47], sig_nopad[89];
    snprintf(key_nopad, sizeof key_nopad, "%.43s", key);
    snprintf(key_pad2, sizeof key_pad2, "%s=", key);
    snprintf(sig_nopad, sizeof sig_nopad, "%.87s", sig);
    /* B4_SUM,LPT_SUM,... repeated past ENTRY_CODES_MAX */
    strcpy(codes, "status rejected B4_SUM");
    while (strlen(codes) < ENTRY_CODES_MAX + 20)
        strcat(codes, ",LPT_SUM");

    struct {
        const char *from, *to;
        int rc;
        const char *code, *where;
    } m[] = {
        {"rekap-entry/1\n", "", ERR_INVALID, "ENTRY_FORMAT", "format"},
        {"rekap-entry/1", "rekap-entry/2", ERR_INVALID, "ENTRY_FORMAT", "format"},
        {"rekap-submission/1", "rekap-submission/0", ERR_INVALID, "ENTRY_FORMAT", "format"},
        {"version 2", "version 0", ERR_INVALID, "ENTRY_VERSION", "version"},
        {key, "", ERR_INVALID, "ENTRY_KEY", "key"},
        {key, key + 4, ERR_INVALID, "ENTRY_KEY", "key"},
        {key, badbits, ERR_INVALID, "ENTRY_KEY", "key"},
        {"key ", "kunci ", ERR_INVALID, "ENTRY_FIELD", "key"},
        {sig, key, ERR_INVALID, "ENTRY_SIG", "sig"},
        {"=\nreceived", "\nreceived", ERR_INVALID, "ENTRY_SIG", "sig"},
        {"received 1707890400", "received 01707890400", ERR_INVALID, "ENTRY_NOT_CANONICAL", "received"},
        {"received 1707890400", "received 9223372036854775808", ERR_INVALID, "ENTRY_RECEIVED", "received"},
        {"received 1707890400", "received 17078904OO", ERR_INVALID, "ENTRY_RECEIVED", "received"},
        {"received 1707890400", "received -1", ERR_INVALID, "ENTRY_RECEIVED", "received"},
        {"received 1707890400\n", "", ERR_INVALID, "ENTRY_FIELD", "received"},
        {"status rejected B4_SUM", "status Accepted", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "status"},
        {"status rejected B4_SUM", "status rejected NOPE", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected b4_sum", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected TURNOUT_OVER", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected B4_SUM,B4_SUM", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected B4_SUM,", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected ,B4_SUM", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected B4_SUM LPT_SUM", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected B4_SUM_B4_SUM_B4_SUM_B4_SUM_B4_SUM", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", codes, ERR_LIMIT, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM\n", "status rejected B4_SUM", ERR_INVALID, "ENTRY_NOT_CANONICAL", "status"},
        {"status rejected B4_SUM\n", "status rejected B4_SUM\nstatus accepted\n", ERR_INVALID, "ENTRY_FIELD", "end"},
        {"status rejected B4_SUM\n", "", ERR_INVALID, "ENTRY_FIELD", "status"},
        {"\nkey ", "\nkey  ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "key"},
        {"\nkey ", "\nkey\t", ERR_INVALID, "ENTRY_FIELD", "key"},
        {key, key_nopad, ERR_INVALID, "ENTRY_KEY", "key"},
        {key, key_pad2, ERR_INVALID, "ENTRY_KEY", "key"},
        {sig, sig_nopad, ERR_INVALID, "ENTRY_SIG", "sig"},
        {"\nsig ", "\nsig  ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "sig"},
        {"received 1707890400", "received +1707890400", ERR_INVALID, "ENTRY_RECEIVED", "received"},
        {"received 1707890400", "received 1707890400.0", ERR_INVALID, "ENTRY_RECEIVED", "received"},
        {"received 1707890400", "received 0001707890400", ERR_INVALID, "ENTRY_NOT_CANONICAL", "received"},
        {"received 1707890400", "received  1707890400", ERR_INVALID, "ENTRY_NOT_CANONICAL", "received"},
        {"status rejected B4_SUM", "status REJECTED B4_SUM", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected\tB4_SUM", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected  B4_SUM", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected B4_SUM, LPT_SUM", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected B4_SUM ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "status"},
        {"status rejected B4_SUM", "status  rejected B4_SUM", ERR_INVALID, "ENTRY_NOT_CANONICAL", "status"},
        {"status rejected B4_SUM", "status accepted ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "status"},
        {"status rejected B4_SUM", "status ACCEPTED", ERR_INVALID, "ENTRY_STATUS", "status"},
        /* a trailer line twice, or two swapped */
        {"\nkey ", "\nkey AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\nkey ", ERR_INVALID,
         "ENTRY_FIELD", "sig"},
        {"\nreceived 1707890400\n", "\nreceived 1707890400\nreceived 1707890400\n", ERR_INVALID,
         "ENTRY_FIELD", "status"},
        {"\nreceived 1707890400\nstatus rejected B4_SUM\n",
         "\nstatus rejected B4_SUM\nreceived 1707890400\n", ERR_INVALID, "ENTRY_FIELD", "received"},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++) {
        char *t = test_replace(base, m[i].from, m[i].to);
        expect_entry_error(m[i].to, t, strlen(t), m[i].rc, m[i].code, m[i].where);
        free(t);
    }
    /* the valid codes parse, all hard rules at once too */
    char *t = test_replace(base, "B4_SUM", "LPT_SUM,B4_SUM,DPT_MISMATCH,BALLOT_SHAPE");
    entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    assert_int_equal(entry_parse(t, strlen(t), en, &e), 0);
    assert_string_equal(en->codes, "LPT_SUM,B4_SUM,DPT_MISMATCH,BALLOT_SHAPE");
    free(t);
    free(en);
    t = crlf(base);
    expect_entry_error("crlf", t, strlen(t), ERR_INVALID, "ENTRY_NOT_CANONICAL", "format");
    free(t);
    /* too large */
    char *huge = mem_alloc(ENTRY_MAX + 2);
    memset(huge, 'x', ENTRY_MAX + 1);
    huge[ENTRY_MAX + 1] = '\0';
    expect_entry_error("huge", huge, strlen(huge), ERR_LIMIT, "ENTRY_TOO_LARGE", "");
    free(huge);
    free(base);
}

/* ---- one spelling ------------------------------------------------------ */

/* base with `from` replaced by `to`, in which every 0x01 stands for a NUL
 * byte (a C string cannot hold one); *len is the text's length. */
static char *with_nul(const char *base, const char *from, const char *to, size_t *len)
{
    char *t = test_replace(base, from, to);
    *len = strlen(t);
    for (char *p = t; (p = strchr(p, '\x01')) != NULL;)
        *p = '\0';
    return t;
}

/* A NUL byte is no part of any value: a C string reading "dpr\0x" as
 * "dpr" would be a second spelling. */
static void test_nul_bytes(void **state)
{
    (void)state;
    static const mutation sub[] = {
        {"contest dpr", "contest dpr\x01x", ERR_INVALID, "ENTRY_CONTEST", "contest"},
        {"contest dpr", "contest dpr\x01", ERR_INVALID, "ENTRY_CONTEST", "contest"},
        {"tps 3273011001004", "tps 327301100100\x01", ERR_INVALID, "ENTRY_TPS", "tps"},
        {"version 2", "version 2\x01", ERR_INVALID, "ENTRY_VERSION", "version"},
        {"tulis\"", "tulis\"\x01", ERR_INVALID, "ENTRY_REASON", "reason"},
        {HEX_B, HEX_B "\x01", ERR_INVALID, "ENTRY_PHOTO", "photo[1]"},
        {"\"total\":198}", "\"total\":198}\x01", ERR_INVALID, "FORM_JSON", "form: 1:548"},
    };
    for (size_t i = 0; i < sizeof sub / sizeof *sub; i++) {
        size_t n;
        char *t = with_nul(BASE, sub[i].from, sub[i].to, &n);
        expect_sub_error(sub[i].to, t, n, sub[i].rc, sub[i].code, sub[i].where);
        free(t);
    }
    char *base = mem_alloc(ENTRY_MAX);
    make_entry(base, ENTRY_MAX, 0, "B4_SUM", 1707890400);
    static const mutation ent[] = {
        {"status rejected B4_SUM", "status rejected B4_SUM\x01X", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"status rejected B4_SUM", "status rejected B4_SUM\x01", ERR_INVALID, "ENTRY_STATUS", "status"},
        {"received 1707890400", "received 1707890400\x01", ERR_INVALID, "ENTRY_RECEIVED", "received"},
        {"=\nsig", "=\x01\nsig", ERR_INVALID, "ENTRY_KEY", "key"},
    };
    for (size_t i = 0; i < sizeof ent / sizeof *ent; i++) {
        size_t n;
        char *t = with_nul(base, ent[i].from, ent[i].to, &n);
        expect_entry_error(ent[i].to, t, n, ent[i].rc, ent[i].code, ent[i].where);
        free(t);
    }
    free(base);
}

/* The key and the signature spelled another way, all refused: a byte
 * >= 0x80 for a '/' (libsodium 1.0.18 reads each as '/', so every '/' had
 * 129 spellings of the same key and signature, which still verify), and
 * non-zero unused bits in the last character. */
static void test_entry_base64_spellings(void **state)
{
    (void)state;
    static const struct {
        const char *line, *where, *code;
        size_t n, last;
        unsigned unused;
    } lines[] = {{"\nkey ", "key", "ENTRY_KEY", 32, 42, 3},
                 {"\nsig ", "sig", "ENTRY_SIG", 64, 85, 15}};
    char *base = mem_alloc(ENTRY_MAX);
    size_t len = make_entry(base, ENTRY_MAX, 1, "", 1707890400);
    entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    assert_int_equal(entry_parse(base, len, en, &e), 0);
    for (size_t k = 0; k < sizeof lines / sizeof *lines; k++) {
        const char *where = lines[k].where;
        char *v = strstr(base, lines[k].line) + strlen(lines[k].line);
        char *slash = memchr(v, '/', KEYS_B64_LEN(lines[k].n));
        assert_non_null(slash); /* the RFC 8032 key's and this signature's */
        for (int c = 0x80; c <= 0xff; c++) {
            *slash = (char)c;
            /* what a decoder without the re-encoding check makes of it */
            uint8_t alias[64];
            size_t got = 0;
            if (sodium_base642bin(alias, sizeof alias, v, KEYS_B64_LEN(lines[k].n), NULL, &got,
                                  NULL, sodium_base64_VARIANT_ORIGINAL) == 0)
                assert_memory_equal(alias, k ? en->sig : en->pubkey, lines[k].n);
            expect_entry_error(where, base, len, ERR_INVALID, lines[k].code, where);
        }
        *slash = '/';
        char *last = v + lines[k].last;
        const char was = *last;
        unsigned canon = (unsigned)(strchr(B64_DIGITS, was) - B64_DIGITS);
        for (unsigned u = 1; u <= lines[k].unused; u++) {
            *last = B64_DIGITS[canon | u];
            expect_entry_error(where, base, len, ERR_INVALID, lines[k].code, where);
        }
        *last = was;
    }
    free(en);
    free(base);
}

/* Another spelling of the submission, signed as it is: the signature
 * verifies over those bytes, and still the entry (and the submission) is
 * refused, naming the line. */
static void test_signed_not_canonical(void **state)
{
    (void)state;
    static const mutation m[] = {
        {"version 2", "version 02", ERR_INVALID, "ENTRY_NOT_CANONICAL", "version"},
        {HEX_B, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", ERR_INVALID,
         "ENTRY_NOT_CANONICAL", "photo[1]"},
        {"\"angka", "\"\\u0061ngka", ERR_INVALID, "ENTRY_NOT_CANONICAL", "reason"},
        {"\"valid\":190", "\"valid\": 190", ERR_INVALID, "ENTRY_NOT_CANONICAL", "form"},
        {"\"valid\":190,\"invalid\":8", "\"invalid\":8,\"valid\":190", ERR_INVALID,
         "ENTRY_NOT_CANONICAL", "form"},
        {"contest dpr\n", "contest dpr\r\n", ERR_INVALID, "ENTRY_NOT_CANONICAL", "contest"},
    };
    uint8_t sk[64];
    entry *en = mem_alloc(sizeof *en);
    char *buf = mem_alloc(ENTRY_MAX);
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        char *sub = test_replace(BASE, m[i].from, m[i].to);
        memset(en, 0, sizeof *en);
        rfc_keys(en->pubkey, sk);
        en->sub_bytes = sub;
        en->sub_len = strlen(sub);
        entry_sign(sub, en->sub_len, sk, en->sig);
        en->accepted = 1;
        size_t n = entry_encode(en, buf, ENTRY_MAX);
        assert_true(n < ENTRY_MAX);
        assert_int_equal(entry_verify(sub, en->sub_len, en->pubkey, en->sig), 0);
        expect_entry_error(m[i].to, buf, n, m[i].rc, m[i].code, m[i].where);
        expect_sub_error(m[i].to, sub, en->sub_len, m[i].rc, m[i].code, m[i].where);
        free(sub);
    }
    free(buf);
    free(en);
}

/* Every line of an entry twice, and every two neighbouring lines
 * swapped: never read — but for two photo lines, whose order is the page
 * order: swapped, they are another meaning, which the signature refuses. */
static void lines_doubled_or_swapped(const char *sub)
{
    char *base = mem_alloc(ENTRY_MAX), *t = mem_alloc(2 * ENTRY_MAX);
    size_t n = make_entry_of(sub, base, ENTRY_MAX, 0, "B4_SUM", 1707890400);
    size_t at[32], nl = 0;
    entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    for (size_t i = 0; i < n && nl < 31; i++)
        if (i == 0 || base[i - 1] == '\n')
            at[nl++] = i;
    at[nl] = n;
    for (size_t i = 0; i < nl; i++) {
        size_t a = at[i], b = at[i + 1];
        /* line i twice */
        memcpy(t, base, b);
        memcpy(t + b, base + a, n - a);
        if (entry_parse(t, n + b - a, en, &e) == 0)
            fail_msg("line %zu twice is read", i);
        if (i + 1 == nl)
            continue;
        /* lines i and i + 1 swapped */
        size_t c = at[i + 2];
        memcpy(t, base, a);
        memcpy(t + a, base + b, c - b);
        memcpy(t + a + c - b, base + a, b - a);
        memcpy(t + c, base + c, n - c);
        int pages = !strncmp(base + a, "photo ", 6) && !strncmp(base + b, "photo ", 6);
        if (pages) {
            assert_int_equal(entry_parse(t, n, en, &e), 0);
            assert_int_not_equal(entry_verify(en->sub_bytes, en->sub_len, en->pubkey, en->sig), 0);
        } else if (entry_parse(t, n, en, &e) == 0) {
            fail_msg("lines %zu and %zu swapped are read", i, i + 1);
        }
    }
    free(en);
    free(t);
    free(base);
}

static void test_lines_doubled_or_swapped(void **state)
{
    (void)state;
    lines_doubled_or_swapped(BASE);
    lines_doubled_or_swapped(BASE_PSU); /* the psu line too, next to reason and photo */
}

/* The property itself, on mutants: whatever single byte of an entry is
 * changed, removed or doubled, a text that is still read encodes back to
 * exactly itself, the submission and the trailer alike. */
static void mutants_one_spelling(const char *sub_text)
{
    static const unsigned char subst[] = {0x80, 0xaf, 0xff, 0x00, 0x01, '\n', '\r', ' ',
                                          '\t', '/', '+', '=', '0', '9', 'A', 'a', 'F',
                                          'f', '"', '\\', ','};
    char *base = mem_alloc(ENTRY_MAX), *t = mem_alloc(ENTRY_MAX + 1);
    char *again = mem_alloc(ENTRY_MAX), *sub = mem_alloc(ENTRY_MAX);
    size_t n = make_entry_of(sub_text, base, ENTRY_MAX, 0, "B4_SUM,TOTAL_SUM", 1707890400);
    entry *en = mem_alloc(sizeof *en);
    unsigned read = 0;
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < sizeof subst + 2; k++) {
            size_t m = n;
            memcpy(t, base, n);
            if (k < sizeof subst) {
                if ((unsigned char)base[i] == subst[k])
                    continue;
                t[i] = (char)subst[k];
            } else if (k == sizeof subst) {
                memmove(t + i, base + i + 1, n - i - 1);
                m = n - 1;
            } else {
                memcpy(t + i + 1, base + i, n - i);
                m = n + 1;
            }
            err_info e = {0};
            if (entry_parse(t, m, en, &e) != 0)
                continue;
            read++;
            size_t sn = submission_encode(&en->sub, sub, ENTRY_MAX);
            if (sn != en->sub_len || memcmp(sub, en->sub_bytes, sn) != 0 ||
                entry_encode(en, again, ENTRY_MAX) != m || memcmp(again, t, m) != 0)
                fail_msg("byte %zu, case %zu: a second spelling is read", i, k);
        }
    }
    assert_true(read > 100); /* digits of counts, hashes, the key: other meanings */
    free(en);
    free(sub);
    free(again);
    free(t);
    free(base);
}

static void test_mutants_one_spelling(void **state)
{
    (void)state;
    mutants_one_spelling(BASE);
    mutants_one_spelling(BASE_PSU);
}

/* ---- the psu line ------------------------------------------------------- */

/* Each value of the psu line reads back and encodes to the same bytes,
 * next to BASE without the line (ENTRY_PSU_NONE, as every entry written
 * before it existed); and a submission built in memory writes it after
 * the reason. */
static void test_psu_roundtrip(void **state)
{
    (void)state;
    static const struct {
        const char *line;
        int psu;
    } cases[] = {
        {"", ENTRY_PSU_NONE},
        {"psu recount\n", ENTRY_PSU_RECOUNT},
        {"psu revote\n", ENTRY_PSU_REVOTE},
    };
    submission *s = mem_alloc(sizeof *s);
    char *buf = mem_alloc(ENTRY_MAX);
    err_info e = {0};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        char to[64];
        snprintf(to, sizeof to, "tulis\"\n%s", cases[i].line);
        char *t = test_replace(BASE, "tulis\"\n", to);
        parse_ok(t, strlen(t), s);
        assert_int_equal(s->psu, cases[i].psu);
        assert_int_equal(s->version, 2);
        assert_string_equal(s->reason, "angka B4 salah tulis");
        assert_int_equal(s->nphoto, 2);
        size_t n = submission_encode(s, buf, ENTRY_MAX);
        assert_int_equal(n, strlen(t));
        assert_memory_equal(buf, t, n);
        free(t);
    }
    /* built, not parsed: the line goes after the reason, before the photos */
    parse_ok(BASE, strlen(BASE), s);
    s->psu = ENTRY_PSU_REVOTE;
    assert_int_equal(submission_check(s, &e), 0);
    size_t n = submission_encode(s, buf, ENTRY_MAX);
    buf[n] = '\0';
    assert_non_null(strstr(buf, "tulis\"\npsu revote\nphoto " HEX_A "\n"));
    /* the word table and its reader */
    assert_string_equal(entry_psu_word[ENTRY_PSU_NONE], "");
    assert_string_equal(entry_psu_word[ENTRY_PSU_RECOUNT], "recount");
    assert_string_equal(entry_psu_word[ENTRY_PSU_REVOTE], "revote");
    assert_int_equal(entry_psu_parse("recount", 7), ENTRY_PSU_RECOUNT);
    assert_int_equal(entry_psu_parse("revote", 6), ENTRY_PSU_REVOTE);
    assert_int_equal(entry_psu_parse("", 0), -1);
    assert_int_equal(entry_psu_parse("revote", 5), -1);
    assert_int_equal(entry_psu_parse("recount\0", 8), -1);
    assert_int_equal(entry_psu_parse("Revote", 6), -1);
    free(buf);
    free(s);
}

static void test_psu_errors(void **state)
{
    (void)state;
    static const mutation m[] = {
        /* a first version cannot be a PSU, with or without a reason line */
        {"version 2\nreason \"angka B4 salah tulis\"\n", "version 1\n", ERR_INVALID,
         "ENTRY_PSU", "psu"},
        {"version 2", "version 1", ERR_INVALID, "ENTRY_REASON", "reason"},
        /* unknown words: meaning, like contest */
        {"psu recount", "psu Recount", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu RECOUNT", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu rehitung", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu re-count", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu none", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu 1", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu \"recount\"", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu recount revote", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu recount,revote", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu recounts", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"psu recount", "psu ", ERR_INVALID, "ENTRY_PSU", "psu"},
        /* the right word in another spelling: layout */
        {"psu recount", "psu  recount", ERR_INVALID, "ENTRY_NOT_CANONICAL", "psu"},
        {"psu recount", "psu recount ", ERR_INVALID, "ENTRY_NOT_CANONICAL", "psu"},
        {"psu recount\n", "psu recount\r\n", ERR_INVALID, "ENTRY_NOT_CANONICAL", "psu"},
        /* not a psu line at all: the line after it is missing */
        {"psu recount", "psu\trecount", ERR_INVALID, "ENTRY_FIELD", "form"},
        {"psu recount", "Psu recount", ERR_INVALID, "ENTRY_FIELD", "form"},
        {"psu recount", "psu", ERR_INVALID, "ENTRY_FIELD", "form"},
        /* twice */
        {"psu recount\n", "psu recount\npsu recount\n", ERR_INVALID, "ENTRY_FIELD", "form"},
        {"psu recount\n", "psu recount\npsu revote\n", ERR_INVALID, "ENTRY_FIELD", "form"},
        /* out of place: after a photo, after the photos, before the reason,
         * before the version, after the form */
        {"psu recount\nphoto " HEX_A "\n", "photo " HEX_A "\npsu recount\n", ERR_INVALID,
         "ENTRY_FIELD", "form"},
        {"psu recount\nphoto " HEX_A "\nphoto " HEX_B "\n",
         "photo " HEX_A "\nphoto " HEX_B "\npsu recount\n", ERR_INVALID, "ENTRY_FIELD", "form"},
        {"reason \"angka B4 salah tulis\"\npsu recount\n",
         "psu recount\nreason \"angka B4 salah tulis\"\n", ERR_INVALID, "ENTRY_REASON", "reason"},
        {"version 2\nreason \"angka B4 salah tulis\"\npsu recount\n",
         "psu recount\nversion 2\nreason \"angka B4 salah tulis\"\n", ERR_INVALID, "ENTRY_FIELD",
         "version"},
    };
    run_mutations(BASE_PSU, m, sizeof m / sizeof *m);
    /* after the form line */
    char *t = test_replace(BASE_PSU, "psu recount\n", "");
    char *u = test_replace(t, "}\n", "}\npsu recount\n");
    expect_sub_error("psu after form", u, strlen(u), ERR_INVALID, "ENTRY_FIELD", "end");
    free(u);
    free(t);
    /* a NUL byte after the word is no part of it */
    size_t n;
    t = with_nul(BASE_PSU, "psu recount", "psu recount\x01", &n);
    expect_sub_error("psu NUL", t, n, ERR_INVALID, "ENTRY_PSU", "psu");
    free(t);
    t = with_nul(BASE_PSU, "psu recount", "psu revote\x01x", &n);
    expect_sub_error("psu NUL x", t, n, ERR_INVALID, "ENTRY_PSU", "psu");
    free(t);
}

/* submission_check refuses what submission_parse would: a psu on a first
 * version, and a value past the table (written as a line with no word). */
static void test_psu_check(void **state)
{
    (void)state;
    submission *s = mem_alloc(sizeof *s);
    err_info e = {0};
    parse_ok(BASE_PSU, strlen(BASE_PSU), s);
    assert_int_equal(submission_check(s, &e), 0);

    s->version = 1;
    s->reason[0] = '\0'; /* a first version as it should be, but for its psu */
    assert_int_equal(submission_check(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "ENTRY_PSU");
    assert_string_equal(e.where, "psu");

    parse_ok(BASE_PSU, strlen(BASE_PSU), s);
    s->psu = ENTRY_PSU_KINDS;
    assert_int_equal(submission_check(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "ENTRY_PSU");
    s->psu = 0xff;
    assert_int_equal(submission_check(s, &e), ERR_INVALID);
    assert_string_equal(e.code, "ENTRY_PSU");
    free(s);
}

/* A log entry carrying the line: read, signature verified over the bytes
 * with the line, encoded back; the bytes signed without it are another
 * submission, which that signature does not cover; and another spelling
 * of the line, signed as it is, is still refused. */
static void test_psu_entry(void **state)
{
    (void)state;
    char *buf = mem_alloc(ENTRY_MAX), *again = mem_alloc(ENTRY_MAX);
    entry *en = mem_alloc(sizeof *en);
    err_info e = {0};
    size_t n = make_entry_of(BASE_PSU, buf, ENTRY_MAX, 1, "", 1707890400);
    if (entry_parse(buf, n, en, &e) != 0)
        fail_msg("entry_parse: %s at %s: %s", e.code, e.where, e.msg);
    assert_int_equal(en->sub.psu, ENTRY_PSU_RECOUNT);
    assert_int_equal(en->sub.version, 2);
    assert_int_equal(en->sub_len, strlen(BASE_PSU));
    assert_memory_equal(en->sub_bytes, BASE_PSU, en->sub_len);
    assert_int_equal(entry_verify(en->sub_bytes, en->sub_len, en->pubkey, en->sig), 0);
    assert_int_equal(entry_encode(en, again, ENTRY_MAX), n);
    assert_memory_equal(again, buf, n);
    assert_int_equal(entry_verify(BASE, strlen(BASE), en->pubkey, en->sig), ERR_INVALID);

    /* revote, rejected */
    char *sub = test_replace(BASE_PSU, "psu recount", "psu revote");
    n = make_entry_of(sub, buf, ENTRY_MAX, 0, "B4_SUM", 1707890400);
    assert_int_equal(entry_parse(buf, n, en, &e), 0);
    assert_int_equal(en->sub.psu, ENTRY_PSU_REVOTE);
    assert_int_equal(en->accepted, 0);
    assert_int_equal(entry_encode(en, again, ENTRY_MAX), n);
    assert_memory_equal(again, buf, n);
    free(sub);

    /* signed in another spelling, or on a first version: refused all the same */
    static const mutation m[] = {
        {"psu recount", "psu  recount", ERR_INVALID, "ENTRY_NOT_CANONICAL", "psu"},
        {"psu recount", "psu Recount", ERR_INVALID, "ENTRY_PSU", "psu"},
        {"version 2\nreason \"angka B4 salah tulis\"\n", "version 1\n", ERR_INVALID,
         "ENTRY_PSU", "psu"},
        {"photo " HEX_B "\n", "photo " HEX_B "\npsu recount\n", ERR_INVALID, "ENTRY_FIELD",
         "form"},
    };
    for (size_t i = 0; i < sizeof m / sizeof *m; i++) {
        sub = test_replace(BASE_PSU, m[i].from, m[i].to);
        n = make_entry_of(sub, buf, ENTRY_MAX, 1, "", 1707890400);
        expect_entry_error(m[i].to, buf, n, m[i].rc, m[i].code, m[i].where);
        free(sub);
    }
    free(en);
    free(again);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_base_parses),
        cmocka_unit_test(test_valid_variants),
        cmocka_unit_test(test_roundtrip_generated),
        cmocka_unit_test(test_encode_sizing),
        cmocka_unit_test(test_rfc8032_vector1),
        cmocka_unit_test(test_flipped_byte_fails),
        cmocka_unit_test(test_submission_errors),
        cmocka_unit_test(test_submission_limits),
        cmocka_unit_test(test_submission_crlf),
        cmocka_unit_test(test_submission_form_json),
        cmocka_unit_test(test_submission_check),
        cmocka_unit_test(test_entry_roundtrip),
        cmocka_unit_test(test_entry_errors),
        cmocka_unit_test(test_nul_bytes),
        cmocka_unit_test(test_entry_base64_spellings),
        cmocka_unit_test(test_signed_not_canonical),
        cmocka_unit_test(test_lines_doubled_or_swapped),
        cmocka_unit_test(test_mutants_one_spelling),
        cmocka_unit_test(test_psu_roundtrip),
        cmocka_unit_test(test_psu_errors),
        cmocka_unit_test(test_psu_check),
        cmocka_unit_test(test_psu_entry),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
