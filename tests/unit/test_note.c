/* Tests for note: the published golang.org/x/mod/sumdb/note vectors (keys,
 * a signed note, a doubly signed note), key IDs recomputed here from the
 * C2SP definition, every mangling of a key string, tampered notes, the
 * format's limits, and strict checkpoint parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/err.h"
#include "core/mem.h"
#include "core/note.h"

/* Published in golang.org/x/mod/sumdb/note's tests. */
static const char peter_skey[] =
    "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz";
static const char peter_vkey[] = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
static const char enoch_vkey[] = "EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop";
static const char go_text[] = "If you think cryptography is the answer to your problem,\n"
                              "then you don't know what your problem is.\n";
static const char peter_sig[] = "\xe2\x80\x94 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
static const char enoch_sig[] = "\xe2\x80\x94 EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n";

/* A string built from pieces, freed by the caller. */
static char *cat(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *s = mem_alloc(n);
    snprintf(s, n, "%s%s%s", a, b, c);
    return s;
}

static int open_str(const char *msg, const note_verifier *v, size_t nv, err_info *e)
{
    size_t tl = 0;
    return note_open(msg, strlen(msg), v, nv, &tl, e);
}

static void test_go_vectors(void **state)
{
    (void)state;
    err_info e = {0};
    note_signer s;
    note_verifier peter, enoch;
    assert_int_equal(note_signer_parse(&s, peter_skey, &e), 0);
    assert_string_equal(s.pub.name, "PeterNeumann");
    assert_int_equal(s.pub.key_id, 0xc74f20a3);
    char *str = note_signer_format(&s);
    assert_string_equal(str, peter_skey);
    free(str);
    str = note_verifier_format(&s.pub);
    assert_string_equal(str, peter_vkey);
    free(str);
    assert_int_equal(note_verifier_parse(&peter, peter_vkey, &e), 0);
    assert_memory_equal(peter.pubkey, s.pub.pubkey, NOTE_PUBKEY_SIZE);
    assert_int_equal(note_verifier_parse(&enoch, enoch_vkey, &e), 0);
    assert_int_equal(enoch.key_id, 0xaf0cfe78);

    /* Ed25519 is deterministic: the signed note is the published one. */
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(note_sign(&s, go_text, strlen(go_text), &out, &len, &e), 0);
    char *want = cat(go_text, "\n", peter_sig);
    assert_int_equal(len, strlen(want));
    assert_string_equal(out, want);
    free(out);
    free(want);
    note_signer_wipe(&s);

    /* Both signatures: one known key suffices, the unknown one is ignored. */
    char *both = cat(go_text, "\n", "");
    char *msg = cat(both, peter_sig, enoch_sig);
    size_t tl = 0;
    assert_int_equal(note_open(msg, strlen(msg), &peter, 1, &tl, &e), 0);
    assert_int_equal(tl, strlen(go_text));
    assert_int_equal(note_open(msg, strlen(msg), &enoch, 1, &tl, &e), 0);
    note_verifier two[2] = {peter, enoch};
    assert_int_equal(note_open(msg, strlen(msg), two, 2, &tl, &e), 0);
    assert_int_equal(note_open(msg, strlen(msg), NULL, 0, &tl, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_UNVERIFIED");
    free(msg);
    free(both);

    /* The reference's EnochRoot key is the one of the all-zero seed: its
     * verifier key and its signature come out the same from here. */
    uint8_t zero[NOTE_SEED_SIZE] = {0};
    assert_int_equal(note_signer_from_seed(&s, "EnochRoot", zero, &e), 0);
    str = note_verifier_format(&s.pub);
    assert_string_equal(str, enoch_vkey);
    free(str);
    assert_int_equal(note_sign(&s, go_text, strlen(go_text), &out, &len, &e), 0);
    want = cat(go_text, "\n", enoch_sig);
    assert_string_equal(out, want);
    free(out);
    free(want);
    note_signer_wipe(&s);
}

/* The key ID and verifier string recomputed from the C2SP definition. */
static void test_key_id_definition(void **state)
{
    (void)state;
    uint8_t seed[NOTE_SEED_SIZE];
    for (int i = 0; i < NOTE_SEED_SIZE; i++)
        seed[i] = (uint8_t)(i * 7 + 1);
    const char *name = "rekap.example/pemilu2024";
    note_signer s;
    err_info e = {0};
    assert_int_equal(note_signer_from_seed(&s, name, seed, &e), 0);

    uint8_t pk[32], sk[64];
    crypto_sign_seed_keypair(pk, sk, seed);
    uint8_t buf[256], h[32];
    size_t n = strlen(name);
    memcpy(buf, name, n);
    buf[n] = 0x0A;
    buf[n + 1] = 0x01;
    memcpy(buf + n + 2, pk, 32);
    crypto_hash_sha256(h, buf, n + 34);
    uint32_t id = (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
    assert_int_equal(s.pub.key_id, id);
    assert_int_equal(note_key_id(name, pk), id);

    uint8_t blob[33];
    blob[0] = 1;
    memcpy(blob + 1, pk, 32);
    char b64[64], want[400];
    sodium_bin2base64(b64, sizeof b64, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    snprintf(want, sizeof want, "%s+%08" PRIx32 "+%s", name, id, b64);
    char *v = note_verifier_format(&s.pub);
    assert_string_equal(v, want);
    free(v);

    /* The signer string round-trips to the same key. */
    char *sk_str = note_signer_format(&s);
    note_signer back;
    assert_int_equal(note_signer_parse(&back, sk_str, &e), 0);
    assert_string_equal(back.pub.name, s.pub.name);
    assert_int_equal(back.pub.key_id, s.pub.key_id);
    assert_memory_equal(back.pub.pubkey, s.pub.pubkey, sizeof s.pub.pubkey);
    assert_memory_equal(back.secret, s.secret, sizeof s.secret);
    free(sk_str);
    note_signer_wipe(&s);
    note_signer_wipe(&back);
    for (size_t i = 0; i < sizeof s; i++)
        assert_int_equal(((uint8_t *)&s)[i], 0);
}

/* Every proper substring and every one-byte change of a good key string
 * is refused, as in the reference tests. */
static void check_manglings(const char *good, int is_signer)
{
    size_t len = strlen(good);
    char *b = mem_strdup(good);
    err_info e = {0};
    note_signer s;
    note_verifier v;
    for (size_t i = 0; i <= len; i++) {
        for (size_t j = i + 1; j <= len; j++) {
            if (i == 0 && j == len)
                continue;
            char *sub = mem_strndup(good + i, j - i);
            int rc = is_signer ? note_signer_parse(&s, sub, &e) : note_verifier_parse(&v, sub, &e);
            assert_int_equal(rc, ERR_INVALID);
            free(sub);
        }
    }
    for (size_t i = 0; i < len; i++) {
        b[i]++;
        int rc = is_signer ? note_signer_parse(&s, b, &e) : note_verifier_parse(&v, b, &e);
        assert_int_equal(rc, ERR_INVALID);
        b[i]--;
    }
    free(b);
}

static void test_bad_keys(void **state)
{
    (void)state;
    check_manglings(peter_vkey, 0);
    check_manglings(peter_skey, 1);
    err_info e = {0};
    note_verifier v;
    /* Wrong key length and unknown algorithm, each with a matching ID. */
    assert_int_equal(note_verifier_parse(&v, "PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY==", &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_KEY");
    assert_int_equal(note_verifier_parse(&v, "PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_KEY_ALG");
    assert_int_equal(note_verifier_parse(&v, "PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_KEY_ID");
    assert_int_equal(note_verifier_parse(&v, "Peter+Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_KEY");
    assert_int_equal(note_verifier_parse(&v, "Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_NAME");
    /* Upper-case hex is the same ID. */
    assert_int_equal(note_verifier_parse(&v, "PeterNeumann+C74F20A3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW", &e), 0);
    note_signer s;
    assert_int_equal(note_signer_parse(&s, "PRIVATE+KEY+PeterNeumann+c74f20a4+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz", &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_KEY_ID");
    uint8_t seed[32] = {0};
    assert_int_equal(note_signer_from_seed(&s, "bad name", seed, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_NAME");
    char longname[NOTE_NAME_MAX + 2];
    memset(longname, 'a', sizeof longname - 1);
    longname[sizeof longname - 1] = '\0';
    assert_int_equal(note_signer_from_seed(&s, longname, seed, &e), ERR_INVALID);
    longname[NOTE_NAME_MAX] = '\0';
    assert_int_equal(note_signer_from_seed(&s, longname, seed, &e), 0);
    note_signer_wipe(&s);
}

static void test_names(void **state)
{
    (void)state;
    static const char *good[] = {"a", "example.com/log42", "\xc3\x9cn\xc3\xaf" "code", "a-b_c~d",
                                 "x\xe2\x80\x94y"};
    static const char *bad[] = {"", "a+b", "a b", "a\tb", "a\nb", "a\xc2\xa0" "b",
                                "a\xe3\x80\x80" "b", "a\xe2\x80\xa8" "b", "a\xe1\x9a\x80" "b",
                                "\xff", "\xc0\xaf", "\xed\xa0\x80", "a\x01"};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++)
        assert_true(note_name_valid(good[i], strlen(good[i])));
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_false(note_name_valid(bad[i], strlen(bad[i])));
}

static void make_signer(note_signer *s, const char *name, uint8_t fill)
{
    uint8_t seed[NOTE_SEED_SIZE];
    memset(seed, fill, sizeof seed);
    err_info e = {0};
    assert_int_equal(note_signer_from_seed(s, name, seed, &e), 0);
}

static void test_round_trip_and_tampering(void **state)
{
    (void)state;
    note_signer s, other, same_name;
    make_signer(&s, "rekap.example/log", 1);
    make_signer(&other, "rekap.example/other", 2);
    make_signer(&same_name, "rekap.example/log", 3);
    const char *text = "rekap.example/log\n42\nline with \xe2\x80\x94 dash\n\nafter a blank line\n";
    char *msg = NULL;
    size_t len = 0, tl = 0;
    err_info e = {0};
    assert_int_equal(note_sign(&s, text, strlen(text), &msg, &len, &e), 0);
    assert_int_equal(note_open(msg, len, &s.pub, 1, &tl, &e), 0);
    assert_int_equal(tl, strlen(text));
    assert_memory_equal(msg, text, tl);

    /* Body changed. */
    msg[18] ^= 1;
    assert_int_equal(note_open(msg, len, &s.pub, 1, &tl, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_BAD_SIGNATURE");
    msg[18] ^= 1;
    /* A signature character changed ('A' <-> 'B' stays valid base64 in the
     * middle of the signature). */
    char *sigch = msg + len - 20;
    char was = *sigch;
    *sigch = was == 'A' ? 'B' : 'A';
    assert_int_equal(note_open(msg, len, &s.pub, 1, &tl, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_BAD_SIGNATURE");
    *sigch = was;
    /* A key with another name, or the same name and another key: unknown. */
    assert_int_equal(note_open(msg, len, &other.pub, 1, &tl, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_UNVERIFIED");
    assert_int_equal(note_open(msg, len, &same_name.pub, 1, &tl, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_UNVERIFIED");
    /* A known key's ID claimed by another name is still unknown. */
    note_verifier renamed = s.pub;
    snprintf(renamed.name, sizeof renamed.name, "rekap.example/renamed");
    assert_int_equal(note_open(msg, len, &renamed, 1, &tl, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_UNVERIFIED");

    /* Cosigned by a second key: either key alone opens it. */
    char *msg2 = NULL;
    size_t len2 = 0;
    assert_int_equal(note_sign(&other, text, strlen(text), &msg2, &len2, &e), 0);
    char *sig2 = msg2 + strlen(text) + 1;
    char *both = cat(msg, sig2, "");
    assert_int_equal(open_str(both, &other.pub, 1, &e), 0);
    assert_int_equal(open_str(both, &s.pub, 1, &e), 0);
    free(both);
    free(msg2);
    free(msg);
    note_signer_wipe(&s);
    note_signer_wipe(&other);
    note_signer_wipe(&same_name);
}

static void test_malformed_notes(void **state)
{
    (void)state;
    err_info e = {0};
    note_verifier peter;
    assert_int_equal(note_verifier_parse(&peter, peter_vkey, &e), 0);
    char *sig_nonl = mem_strndup(peter_sig, strlen(peter_sig) - 1);
    struct {
        char *msg;
        const char *code;
    } bad[] = {
        {cat(go_text, "", ""), "NOTE_MALFORMED"},
        {cat(go_text, "\n", ""), "NOTE_MALFORMED"},
        {cat(go_text, "\n", sig_nonl), "NOTE_MALFORMED"},
        {cat("\x01", go_text, "\n"), "NOTE_TEXT"},
        {cat("\xff", go_text, "\n"), "NOTE_TEXT"},
        {cat(go_text, "\n\xe2\x80\x94 Bad Name x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", ""), "NOTE_MALFORMED"},
        {cat(go_text, "\n", peter_sig), NULL},
        {cat(go_text, "\n- PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n", ""), "NOTE_MALFORMED"},
        {cat(go_text, "\n\xe2\x80\x94 PeterNeumann !!!!\n", ""), "NOTE_MALFORMED"},
        {cat(go_text, "\n\xe2\x80\x94 PeterNeumann AAAA\n", ""), "NOTE_MALFORMED"},
        {cat(go_text, "\n\xe2\x80\x94 PeterNeumann \n", ""), "NOTE_MALFORMED"},
        {cat(go_text, "\r\n", peter_sig), "NOTE_TEXT"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        int rc = open_str(bad[i].msg, &peter, 1, &e);
        if (bad[i].code) {
            assert_int_equal(rc, ERR_INVALID);
            assert_string_equal(e.code, bad[i].code);
        } else {
            assert_int_equal(rc, 0);
        }
        free(bad[i].msg);
    }
    /* A line after the signatures. */
    char *tail = cat(go_text, "\n", peter_sig);
    char *msg = cat(tail, "Unexpected line.\n", "");
    assert_int_equal(open_str(msg, &peter, 1, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_MALFORMED");
    free(msg);
    /* A corrupted signature of the known key (reference: invalid signature). */
    char *sig_bad = mem_alloc(strlen(peter_sig) + 5);
    snprintf(sig_bad, strlen(peter_sig) + 5, "%.60sABCD%s", peter_sig, peter_sig + 60);
    msg = cat(go_text, "\n", sig_bad);
    assert_int_equal(open_str(msg, &peter, 1, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_BAD_SIGNATURE");
    free(msg);
    free(sig_bad);
    free(tail);
    free(sig_nonl);

    note_signer s;
    assert_int_equal(note_signer_parse(&s, peter_skey, &e), 0);
    char *out = NULL;
    size_t len = 0;
    assert_int_equal(note_sign(&s, "no newline", 10, &out, &len, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_TEXT");
    assert_int_equal(note_sign(&s, "tab\there\n", 9, &out, &len, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_TEXT");
    assert_int_equal(note_sign(&s, "", 0, &out, &len, &e), ERR_INVALID);
    note_signer_wipe(&s);
}

/* A note with `count` copies of a signature line after the text. */
static char *repeat_sigs(const char *sig, size_t count, size_t *len)
{
    size_t tl = strlen(go_text), sl = strlen(sig);
    *len = tl + 1 + count * sl;
    char *m = mem_alloc(*len + 1);
    memcpy(m, go_text, tl);
    m[tl] = '\n';
    for (size_t i = 0; i < count; i++)
        memcpy(m + tl + 1 + i * sl, sig, sl);
    m[*len] = '\0';
    return m;
}

static void test_limits(void **state)
{
    (void)state;
    err_info e = {0};
    note_verifier peter;
    assert_int_equal(note_verifier_parse(&peter, peter_vkey, &e), 0);
    size_t len = 0, tl = 0;
    /* Repeated signatures by one known key: checked once, accepted. */
    char *m = repeat_sigs(peter_sig, NOTE_MAX_SIGS, &len);
    assert_int_equal(note_open(m, len, &peter, 1, &tl, &e), 0);
    free(m);
    m = repeat_sigs(peter_sig, NOTE_MAX_SIGS + 1, &len);
    assert_int_equal(note_open(m, len, &peter, 1, &tl, &e), ERR_LIMIT);
    assert_string_equal(e.code, "NOTE_TOO_MANY_SIGS");
    assert_int_equal(note_open(m, len, NULL, 0, &tl, &e), ERR_LIMIT);
    free(m);

    /* One byte over 1 MiB. */
    size_t big = NOTE_MAX_SIZE + 1;
    char *huge = mem_alloc(big);
    memset(huge, 'a', big);
    assert_int_equal(note_open(huge, big, &peter, 1, &tl, &e), ERR_LIMIT);
    assert_string_equal(e.code, "NOTE_TOO_LARGE");
    note_signer s;
    assert_int_equal(note_signer_parse(&s, peter_skey, &e), 0);
    huge[NOTE_MAX_SIZE - 10] = '\n';
    char *out = NULL;
    assert_int_equal(note_sign(&s, huge, NOTE_MAX_SIZE - 9, &out, &len, &e), ERR_LIMIT);
    assert_string_equal(e.code, "NOTE_TOO_LARGE");
    /* The largest text that fits signs and opens. */
    size_t fit = NOTE_MAX_SIZE - (1 + 4 + strlen("PeterNeumann") + 1 + 92 + 1);
    huge[fit - 1] = '\n';
    assert_int_equal(note_sign(&s, huge, fit, &out, &len, &e), 0);
    assert_int_equal(len, NOTE_MAX_SIZE);
    assert_int_equal(note_open(out, len, &peter, 1, &tl, &e), 0);
    assert_int_equal(tl, fit);
    free(out);
    free(huge);
    note_signer_wipe(&s);
}

static const char sofa[] = "example.com/behind-the-sofa\n20852163\n"
                           "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";

static void test_checkpoint_format_parse(void **state)
{
    (void)state;
    err_info e = {0};
    checkpoint c;
    /* The example of c2sp.org/tlog-checkpoint. */
    assert_int_equal(checkpoint_parse(&c, sofa, strlen(sofa), &e), 0);
    assert_string_equal(c.origin, "example.com/behind-the-sofa");
    assert_int_equal(c.size, 20852163);
    assert_null(c.ext);
    char *text = NULL;
    size_t len = 0;
    assert_int_equal(checkpoint_format(&c, &text, &len, &e), 0);
    assert_int_equal(len, strlen(sofa));
    assert_string_equal(text, sofa);
    free(text);

    /* Extremes of the size, and extension lines. */
    checkpoint d = {.size = UINT64_MAX, .ext = "ext one\nsecond \xe2\x80\x94\n"};
    d.ext_len = strlen(d.ext);
    snprintf(d.origin, sizeof d.origin, "rekap.example/log");
    memset(d.root, 0xab, sizeof d.root);
    assert_int_equal(checkpoint_format(&d, &text, &len, &e), 0);
    assert_int_equal(checkpoint_parse(&c, text, len, &e), 0);
    assert_int_equal(c.size, UINT64_MAX);
    assert_memory_equal(c.root, d.root, 32);
    assert_int_equal(c.ext_len, d.ext_len);
    assert_memory_equal(c.ext, d.ext, d.ext_len);
    assert_ptr_equal(c.ext, text + len - d.ext_len);
    free(text);
    d.size = 0;
    d.ext = NULL;
    assert_int_equal(checkpoint_format(&d, &text, &len, &e), 0);
    assert_memory_equal(text, "rekap.example/log\n0\nq6ur", 24);
    free(text);

    /* Bad fields refused on the way out too. */
    d.ext = "no newline";
    d.ext_len = strlen(d.ext);
    assert_int_equal(checkpoint_format(&d, &text, &len, &e), ERR_INVALID);
    assert_string_equal(e.code, "CHECKPOINT_LINES");
    d.ext = "\n";
    d.ext_len = 1;
    assert_int_equal(checkpoint_format(&d, &text, &len, &e), ERR_INVALID);
    assert_string_equal(e.code, "CHECKPOINT_EXTENSION");
    d.ext = NULL;
    d.origin[0] = '\0';
    assert_int_equal(checkpoint_format(&d, &text, &len, &e), ERR_INVALID);
    assert_string_equal(e.code, "CHECKPOINT_ORIGIN");
}

static void test_checkpoint_malformed(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *code;
    } bad[] = {
        {"", "CHECKPOINT_LINES"},
        {"origin\n1\n", "CHECKPOINT_LINES"},
        {"origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=", "CHECKPOINT_LINES"},
        {"\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_ORIGIN"},
        {"origin\n\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_SIZE"},
        {"origin\n007\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_SIZE"},
        {"origin\n00\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_SIZE"},
        {"origin\n-1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_SIZE"},
        {"origin\n+1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_SIZE"},
        {"origin\n 1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_SIZE"},
        {"origin\n18446744073709551616\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_SIZE"},
        {"origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I\n", "CHECKPOINT_ROOT"},
        {"origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2=\n", "CHECKPOINT_ROOT"},
        {"origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I==\n", "CHECKPOINT_ROOT"},
        {"origin\n1\nCsUYapGGPo4dkMgIAUqom_Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_ROOT"},
        {"origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2J=\n", "CHECKPOINT_ROOT"},
        {"origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n\n", "CHECKPOINT_EXTENSION"},
        {"origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next\n\n", "CHECKPOINT_EXTENSION"},
        {"origin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\next", "CHECKPOINT_LINES"},
        {"ori\tgin\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_TEXT"},
        {"origin\xff\n1\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n", "CHECKPOINT_TEXT"},
    };
    err_info e = {0};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        checkpoint c = {.size = 77};
        assert_int_equal(checkpoint_parse(&c, bad[i].text, strlen(bad[i].text), &e), ERR_INVALID);
        assert_string_equal(e.code, bad[i].code);
        assert_int_equal(c.size, 77); /* nothing half-filled */
    }
    char origin[CHECKPOINT_ORIGIN_MAX + 80];
    memset(origin, 'o', CHECKPOINT_ORIGIN_MAX + 1);
    snprintf(origin + CHECKPOINT_ORIGIN_MAX + 1, 80, "\n1\n%s", "CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n");
    checkpoint c;
    assert_int_equal(checkpoint_parse(&c, origin, strlen(origin), &e), ERR_INVALID);
    assert_string_equal(e.code, "CHECKPOINT_ORIGIN");
    assert_int_equal(checkpoint_parse(&c, origin + 1, strlen(origin + 1), &e), 0);
    assert_int_equal(strlen(c.origin), CHECKPOINT_ORIGIN_MAX);
    /* Origins need not be key names: spaces are allowed there. */
    const char *spaced = "my log\n18446744073709551615\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n";
    assert_int_equal(checkpoint_parse(&c, spaced, strlen(spaced), &e), 0);
    assert_int_equal(c.size, UINT64_MAX);
}

static void test_checkpoint_open(void **state)
{
    (void)state;
    note_signer s, other;
    make_signer(&s, "rekap.example/log", 9);
    make_signer(&other, "rekap.example/log", 10);
    err_info e = {0};
    checkpoint c = {.size = 5};
    snprintf(c.origin, sizeof c.origin, "rekap.example/log");
    memset(c.root, 0x11, sizeof c.root);
    char *text = NULL, *msg = NULL;
    size_t len = 0, mlen = 0;
    assert_int_equal(checkpoint_format(&c, &text, &len, &e), 0);
    assert_int_equal(note_sign(&s, text, len, &msg, &mlen, &e), 0);
    checkpoint got;
    assert_int_equal(checkpoint_open(&got, msg, mlen, &s.pub, 1, &e), 0);
    assert_int_equal(got.size, 5);
    assert_string_equal(got.origin, "rekap.example/log");
    assert_int_equal(checkpoint_open(&got, msg, mlen, &other.pub, 1, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_UNVERIFIED");
    free(msg);
    /* A signed note that is not a checkpoint. */
    assert_int_equal(note_sign(&s, "just text\n", 10, &msg, &mlen, &e), 0);
    assert_int_equal(checkpoint_open(&got, msg, mlen, &s.pub, 1, &e), ERR_INVALID);
    assert_string_equal(e.code, "CHECKPOINT_LINES");
    free(msg);
    free(text);
    note_signer_wipe(&s);
    note_signer_wipe(&other);
}

/* Every base64 of the format in its one spelling only. libsodium 1.0.18
 * reads any byte >= 0x80 as '/': a note stays valid UTF-8 when "//" is
 * written as the two bytes of U+00E9 (or any 2-byte character), which
 * such a decoder reads as the same signature. */
static void test_base64_one_spelling(void **state)
{
    (void)state;
    err_info e = {0};
    note_verifier v;
    note_signer s;
    /* verifier and signer keys: an aliased '/', padding, whitespace */
    char *vk = mem_strdup(peter_vkey);
    char *slash = strchr(strrchr(vk, '+'), '/');
    assert_non_null(slash);
    for (int c = 0x80; c <= 0xff; c++) {
        *slash = (char)c;
        assert_int_equal(note_verifier_parse(&v, vk, &e), ERR_INVALID);
        assert_string_equal(e.code, "NOTE_KEY");
    }
    free(vk);
    static const char *const bad_keys[] = {"=", "==", "\n", " "};
    for (size_t i = 0; i < sizeof bad_keys / sizeof *bad_keys; i++) {
        char *k = cat(peter_vkey, bad_keys[i], "");
        assert_int_equal(note_verifier_parse(&v, k, &e), ERR_INVALID);
        assert_string_equal(e.code, "NOTE_KEY");
        free(k);
        k = cat(peter_skey, bad_keys[i], "");
        assert_int_equal(note_signer_parse(&s, k, &e), ERR_INVALID);
        assert_string_equal(e.code, "NOTE_KEY");
        free(k);
    }

    /* a signature line holding "//", rewritten as U+00E9 */
    note_signer signer;
    make_signer(&signer, "rekap.example/log", 5);
    char text[64], *msg = NULL, *dup = NULL;
    size_t len = 0, tl = 0, i;
    for (i = 0; i < 20000 && !dup; i++) {
        free(msg);
        snprintf(text, sizeof text, "rekap.example/log\n%zu\n", i);
        assert_int_equal(note_sign(&signer, text, strlen(text), &msg, &len, &e), 0);
        dup = strstr(strrchr(msg, ' '), "//");
    }
    assert_non_null(dup);
    assert_int_equal(note_open(msg, len, &signer.pub, 1, &tl, &e), 0);
    memcpy(dup, "\xc3\xa9", 2);
    uint8_t blob[68], good[68];
    size_t got = 0;
    char *b64 = strrchr(msg, ' ') + 1;
    if (sodium_base642bin(blob, sizeof blob, b64, strlen(b64) - 1, NULL, &got, NULL,
                          sodium_base64_VARIANT_ORIGINAL) == 0) {
        memcpy(dup, "//", 2); /* the lenient reading is the signature itself */
        assert_int_equal(sodium_base642bin(good, sizeof good, b64, strlen(b64) - 1, NULL,
                                           &got, NULL, sodium_base64_VARIANT_ORIGINAL), 0);
        assert_memory_equal(blob, good, sizeof good);
        memcpy(dup, "\xc3\xa9", 2);
    }
    assert_int_equal(note_open(msg, len, &signer.pub, 1, &tl, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_MALFORMED");
    /* the same line is refused when it names a key nobody asked for */
    note_verifier stranger;
    note_signer other;
    make_signer(&other, "rekap.example/stranger", 6);
    stranger = other.pub;
    assert_int_equal(note_open(msg, len, &stranger, 1, &tl, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_MALFORMED");
    free(msg);
    note_signer_wipe(&other);
    note_signer_wipe(&signer);

    /* the unused bits of the signature's last character, and its padding */
    char *sig = mem_strdup(peter_sig);
    char *pad = strchr(sig, '=');
    note_verifier peter;
    assert_int_equal(note_verifier_parse(&peter, peter_vkey, &e), 0);
    for (char c = 'N'; c <= 'P'; c++) { /* 'M' with either unused bit set */
        pad[-1] = c;
        char *m = cat(go_text, "\n", sig);
        assert_int_equal(open_str(m, &peter, 1, &e), ERR_INVALID);
        assert_string_equal(e.code, "NOTE_MALFORMED");
        free(m);
    }
    pad[-1] = 'M';
    memmove(pad, pad + 1, strlen(pad)); /* no padding */
    char *m = cat(go_text, "\n", sig);
    assert_int_equal(open_str(m, &peter, 1, &e), ERR_INVALID);
    assert_string_equal(e.code, "NOTE_MALFORMED");
    free(m);
    free(sig);

    /* the checkpoint's root hash: 32 bytes 0xff are "//...//8=" */
    uint8_t ff[CHECKPOINT_HASH_SIZE];
    char root[80] = "origin\n1\n";
    memset(ff, 0xff, sizeof ff);
    sodium_bin2base64(root + strlen(root), 45, ff, sizeof ff, sodium_base64_VARIANT_ORIGINAL);
    strcat(root, "\n");
    checkpoint c;
    assert_int_equal(checkpoint_parse(&c, root, strlen(root), &e), 0);
    memcpy(strstr(root, "//"), "\xc3\xa9", 2);
    assert_int_equal(checkpoint_parse(&c, root, strlen(root), &e), ERR_INVALID);
    assert_string_equal(e.code, "CHECKPOINT_ROOT");
    for (size_t k = 0; k < sizeof c.root; k++)
        assert_int_equal(c.root[k], 0xff);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_go_vectors),
        cmocka_unit_test(test_key_id_definition),
        cmocka_unit_test(test_bad_keys),
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_round_trip_and_tampering),
        cmocka_unit_test(test_malformed_notes),
        cmocka_unit_test(test_limits),
        cmocka_unit_test(test_checkpoint_format_parse),
        cmocka_unit_test(test_checkpoint_malformed),
        cmocka_unit_test(test_checkpoint_open),
        cmocka_unit_test(test_base64_one_spelling),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
