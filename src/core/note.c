/* note — owns the C2SP signed-note format with Ed25519 keys (key names,
 * key IDs, key strings, signing, opening a note against known keys) and
 * the tlog-checkpoint text inside it. Parsing is strict and bounded: the
 * whole note is checked as UTF-8 text first, sizes and signature counts
 * are capped, and every malformed piece has its own stable code. Base64
 * goes through keys.h's one decoder, which accepts only the spelling the
 * encoder writes: otherwise one signature could be written several ways
 * (libsodium 1.0.18 alone reads any byte >= 0x80 as '/'). See note.h. */
#include "core/note.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/keys.h"
#include "core/mem.h"
#include "core/sha256.h"

#define NOTE_ALG_ED25519 0x01
#define NOTE_SIG_SIZE 64                           /* Ed25519 */
#define NOTE_SIG_BLOB (4 + NOTE_SIG_SIZE)          /* key ID || signature */
#define NOTE_KEY_BLOB (1 + NOTE_PUBKEY_SIZE)       /* 0x01 || key */
#define NOTE_KEY_B64 sodium_base64_ENCODED_LEN(NOTE_KEY_BLOB, sodium_base64_VARIANT_ORIGINAL)
#define NOTE_SIG_B64 sodium_base64_ENCODED_LEN(NOTE_SIG_BLOB, sodium_base64_VARIANT_ORIGINAL)
#define NOTE_ROOT_B64 \
    sodium_base64_ENCODED_LEN(CHECKPOINT_HASH_SIZE, sodium_base64_VARIANT_ORIGINAL)

static const char note_dash[] = "\xe2\x80\x94 "; /* U+2014 EM DASH, then a space */
static const char note_private[] = "PRIVATE+KEY+";

/* libsodium must be initialised before its signing functions are used;
 * failing that, nothing in this process can sign or verify. */
static void note_crypto_init(void)
{
    if (sodium_init() < 0) {
        fprintf(stderr, "rekap: libsodium cannot be initialised\n");
        abort();
    }
}

/* One UTF-8 sequence at p (n > 0 bytes left): its length with the code
 * point in *cp, or 0 when malformed (truncated, overlong, a surrogate, or
 * beyond U+10FFFF) — the sequences Go's decoder turns into RuneError. */
static size_t note_utf8(const uint8_t *p, size_t n, uint32_t *cp)
{
    uint8_t b = p[0];
    size_t len;
    uint32_t c, min;
    if (b < 0x80) {
        *cp = b;
        return 1;
    }
    if (b >= 0xC2 && b <= 0xDF) {
        len = 2, c = b & 0x1Fu, min = 0x80;
    } else if ((b & 0xF0) == 0xE0) {
        len = 3, c = b & 0x0Fu, min = 0x800;
    } else if (b >= 0xF0 && b <= 0xF4) {
        len = 4, c = b & 0x07u, min = 0x10000;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        c = (c << 6) | (p[i] & 0x3Fu);
    }
    if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
        return 0;
    *cp = c;
    return len;
}

/* Unicode White_Space: what Go's unicode.IsSpace (used by the reference
 * implementation for key names) accepts. */
static bool note_is_space(uint32_t c)
{
    return (c >= 0x09 && c <= 0x0D) || c == 0x20 || c == 0x85 || c == 0xA0 || c == 0x1680
        || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F
        || c == 0x205F || c == 0x3000;
}

bool note_text_valid(const char *p, size_t len)
{
    const uint8_t *u = (const uint8_t *)p;
    for (size_t i = 0; i < len;) {
        uint32_t c = 0;
        size_t n = note_utf8(u + i, len - i, &c);
        if (n == 0 || (c < 0x20 && c != '\n'))
            return false;
        i += n;
    }
    return true;
}

bool note_name_valid(const char *name, size_t len)
{
    if (len == 0 || !note_text_valid(name, len))
        return false;
    const uint8_t *u = (const uint8_t *)name;
    for (size_t i = 0; i < len;) {
        uint32_t c = 0;
        i += note_utf8(u + i, len - i, &c);
        if (c == '+' || note_is_space(c))
            return false;
    }
    return true;
}

static uint32_t note_key_id_of(const char *name, const uint8_t *key, size_t klen)
{
    uint8_t h[SHA256_SIZE];
    sha256_state *st = sha256_begin();
    sha256_add(st, name, strlen(name));
    sha256_add(st, "\n", 1);
    sha256_add(st, key, klen);
    sha256_end(st, h);
    return (uint32_t)h[0] << 24 | (uint32_t)h[1] << 16 | (uint32_t)h[2] << 8 | h[3];
}

uint32_t note_key_id(const char *name, const uint8_t pubkey[NOTE_PUBKEY_SIZE])
{
    uint8_t blob[NOTE_KEY_BLOB];
    blob[0] = NOTE_ALG_ED25519;
    memcpy(blob + 1, pubkey, NOTE_PUBKEY_SIZE);
    return note_key_id_of(name, blob, sizeof blob);
}

/* Copy a key name into a fixed buffer after checking it. */
static int note_set_name(char dst[NOTE_NAME_MAX + 1], const char *name, size_t len,
                         err_info *e)
{
    if (len > NOTE_NAME_MAX || !note_name_valid(name, len))
        return err_set(e, ERR_INVALID, "NOTE_NAME", "",
                       "a key name must be 1 to %d bytes of text without spaces or '+'",
                       NOTE_NAME_MAX);
    memcpy(dst, name, len);
    dst[len] = '\0';
    return 0;
}

int note_signer_from_seed(note_signer *s, const char *name,
                          const uint8_t seed[NOTE_SEED_SIZE], err_info *e)
{
    note_crypto_init();
    int rc = note_set_name(s->pub.name, name, strlen(name), e);
    if (rc < 0)
        return rc;
    crypto_sign_seed_keypair(s->pub.pubkey, s->secret, seed);
    s->pub.key_id = note_key_id(s->pub.name, s->pub.pubkey);
    return 0;
}

void note_signer_wipe(note_signer *s)
{
    sodium_memzero(s, sizeof *s);
}

static int note_key_error(err_info *e, const char *what)
{
    return err_set(e, ERR_INVALID, "NOTE_KEY", "", "malformed %s key: expected %s", what,
                   what[0] == 's' ? "PRIVATE+KEY+<name>+<8 hex digits>+<base64>"
                                  : "<name>+<8 hex digits>+<base64>");
}

/* The parts of "<name>+<id>+<base64 key>": the name checked and copied,
 * the id, and the decoded key bytes (at most `max`). `what` names the key
 * kind in messages. */
static int note_key_split(const char *s, char name[NOTE_NAME_MAX + 1], uint32_t *id,
                          uint8_t *key, size_t max, size_t *klen, const char *what,
                          err_info *e)
{
    const char *p1 = strchr(s, '+');
    const char *p2 = p1 ? strchr(p1 + 1, '+') : NULL;
    if (!p2 || p2 - p1 - 1 != 8)
        return note_key_error(e, what);
    int rc = note_set_name(name, s, (size_t)(p1 - s), e);
    if (rc < 0)
        return rc;
    uint32_t v = 0;
    for (const char *h = p1 + 1; h < p2; h++) {
        int d = *h >= '0' && *h <= '9' ? *h - '0'
              : *h >= 'a' && *h <= 'f' ? *h - 'a' + 10
              : *h >= 'A' && *h <= 'F' ? *h - 'A' + 10 : -1;
        if (d < 0)
            return note_key_error(e, what);
        v = v << 4 | (uint32_t)d;
    }
    *id = v;
    const char *b64 = p2 + 1;
    if (keys_b64_decode_max(b64, strlen(b64), key, max, klen) != 0 || *klen == 0)
        return note_key_error(e, what);
    return 0;
}

static int note_key_alg(const uint8_t *key, size_t klen, const char *what, err_info *e)
{
    if (key[0] != NOTE_ALG_ED25519)
        return err_set(e, ERR_INVALID, "NOTE_KEY_ALG", "",
                       "%s key of signature type 0x%02x; only Ed25519 (0x01) is supported",
                       what, key[0]);
    if (klen != NOTE_KEY_BLOB)
        return note_key_error(e, what);
    return 0;
}

static int note_key_id_error(err_info *e, const char *what)
{
    return err_set(e, ERR_INVALID, "NOTE_KEY_ID", "",
                   "the key ID of the %s key does not match its name and key", what);
}

int note_verifier_parse(note_verifier *v, const char *vkey, err_info *e)
{
    uint8_t key[2 * NOTE_KEY_BLOB];
    size_t klen = 0;
    int rc = note_key_split(vkey, v->name, &v->key_id, key, sizeof key, &klen,
                            "verifier", e);
    if (rc < 0)
        return rc;
    /* The ID covers the whole encoded key, algorithm byte included, so it
     * is checked before the algorithm, as the reference does. */
    if (note_key_id_of(v->name, key, klen) != v->key_id)
        return note_key_id_error(e, "verifier");
    if ((rc = note_key_alg(key, klen, "verifier", e)) < 0)
        return rc;
    memcpy(v->pubkey, key + 1, NOTE_PUBKEY_SIZE);
    return 0;
}

int note_signer_parse(note_signer *s, const char *skey, err_info *e)
{
    if (strncmp(skey, note_private, sizeof note_private - 1) != 0)
        return note_key_error(e, "signer");
    uint8_t key[2 * NOTE_KEY_BLOB];
    size_t klen = 0;
    uint32_t id = 0;
    char name[NOTE_NAME_MAX + 1];
    int rc = note_key_split(skey + sizeof note_private - 1, name, &id, key, sizeof key,
                            &klen, "signer", e);
    if (rc == 0)
        rc = note_key_alg(key, klen, "signer", e);
    if (rc == 0)
        rc = note_signer_from_seed(s, name, key + 1, e);
    /* The ID names the public key, known only once derived from the seed. */
    if (rc == 0 && s->pub.key_id != id) {
        note_signer_wipe(s);
        rc = note_key_id_error(e, "signer");
    }
    sodium_memzero(key, sizeof key);
    return rc;
}

/* "<prefix><name>+<id>+<base64(0x01 || key)>" as a new string. */
static char *note_key_format(const char *prefix, const char *name, uint32_t id,
                             const uint8_t key[32])
{
    uint8_t blob[NOTE_KEY_BLOB];
    char b64[NOTE_KEY_B64];
    blob[0] = NOTE_ALG_ED25519;
    memcpy(blob + 1, key, 32);
    sodium_bin2base64(b64, sizeof b64, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    size_t n = strlen(prefix) + strlen(name) + 1 + 8 + 1 + strlen(b64) + 1;
    char *out = mem_alloc(n);
    snprintf(out, n, "%s%s+%08" PRIx32 "+%s", prefix, name, id, b64);
    sodium_memzero(blob, sizeof blob);
    sodium_memzero(b64, sizeof b64);
    return out;
}

char *note_verifier_format(const note_verifier *v)
{
    return note_key_format("", v->name, v->key_id, v->pubkey);
}

char *note_signer_format(const note_signer *s)
{
    /* libsodium's secret key starts with the 32-byte seed. */
    return note_key_format(note_private, s->pub.name, s->pub.key_id, s->secret);
}

static void note_put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

static int note_text_error(err_info *e, const char *what)
{
    return err_set(e, ERR_INVALID, "NOTE_TEXT", "", "note text %s", what);
}

static int note_too_large(err_info *e, size_t len)
{
    return err_set(e, ERR_LIMIT, "NOTE_TOO_LARGE", "",
                   "a signed note of %zu bytes is over the limit of %u", len, NOTE_MAX_SIZE);
}

int note_sign(const note_signer *s, const char *text, size_t len, char **out,
              size_t *out_len, err_info *e)
{
    if (len == 0 || text[len - 1] != '\n')
        return note_text_error(e, "must end with a newline");
    if (!note_text_valid(text, len))
        return note_text_error(e, "must be UTF-8 without control characters but newline");
    size_t name_len = strlen(s->pub.name);
    size_t dash = sizeof note_dash - 1, b64len = NOTE_SIG_B64 - 1;
    if (len > NOTE_MAX_SIZE)
        return note_too_large(e, len);
    size_t total = len + 1 + dash + name_len + 1 + b64len + 1;
    if (total > NOTE_MAX_SIZE)
        return note_too_large(e, total);
    note_crypto_init();
    uint8_t blob[NOTE_SIG_BLOB];
    note_put_be32(blob, s->pub.key_id);
    crypto_sign_detached(blob + 4, NULL, (const uint8_t *)text, len, s->secret);

    char *m = mem_alloc(total + 1);
    char *p = m;
    memcpy(p, text, len), p += len;
    *p++ = '\n';
    memcpy(p, note_dash, dash), p += dash;
    memcpy(p, s->pub.name, name_len), p += name_len;
    *p++ = ' ';
    sodium_bin2base64(p, b64len + 1, blob, sizeof blob, sodium_base64_VARIANT_ORIGINAL);
    p += b64len;
    *p++ = '\n';
    *p = '\0';
    *out = m;
    *out_len = total;
    return 0;
}

/* State of note_open while it walks the signature lines. */
typedef struct note_reader {
    const char *msg;
    size_t text_len;
    const note_verifier *known;
    size_t nknown;
    bool *verified;   /* per known key: a good signature was seen */
    size_t nverified;
    uint8_t *blob;    /* room for the largest decoded signature */
    size_t nsigs;
} note_reader;

/* A malformed signature block; line counts signature lines from 1, 0 for
 * the block as a whole. */
static int note_malformed(err_info *e, size_t line, const char *what)
{
    char where[48] = "";
    if (line > 0)
        snprintf(where, sizeof where, "signature line %zu", line);
    return err_set(e, ERR_INVALID, "NOTE_MALFORMED", where, "%s", what);
}

/* The known key with this name and ID, or -1. */
static long note_find_known(const note_reader *r, const char *name, size_t nlen, uint32_t id)
{
    for (size_t i = 0; i < r->nknown; i++)
        if (r->known[i].key_id == id && strlen(r->known[i].name) == nlen
            && memcmp(r->known[i].name, name, nlen) == 0)
            return (long)i;
    return -1;
}

/* Check one signature line (without its newline). */
static int note_read_sig(note_reader *r, const char *line, size_t len, err_info *e)
{
    size_t dash = sizeof note_dash - 1, lineno = ++r->nsigs;
    if (len < dash || memcmp(line, note_dash, dash) != 0)
        return note_malformed(e, lineno, "a signature line must start with an em dash and a space");
    const char *name = line + dash;
    const char *sp = memchr(name, ' ', len - dash);
    if (!sp || !note_name_valid(name, (size_t)(sp - name)))
        return note_malformed(e, lineno, "a signature line needs a valid key name and a space");
    size_t nlen = (size_t)(sp - name), dlen = 0;
    const char *b64 = sp + 1;
    size_t blen = len - dash - nlen - 1;
    if (keys_b64_decode_max(b64, blen, r->blob, blen, &dlen) != 0 || dlen < 5)
        return note_malformed(e, lineno, "the signature is not base64 of a key ID and a signature");
    if (r->nsigs > NOTE_MAX_SIGS)
        return err_set(e, ERR_LIMIT, "NOTE_TOO_MANY_SIGS", "",
                       "a note may carry at most %d signatures", NOTE_MAX_SIGS);
    uint32_t id = (uint32_t)r->blob[0] << 24 | (uint32_t)r->blob[1] << 16
                | (uint32_t)r->blob[2] << 8 | r->blob[3];
    long k = note_find_known(r, name, nlen, id);
    if (k < 0 || r->verified[k])
        return 0; /* unknown keys are ignored; a repeated one was checked */
    if (dlen != NOTE_SIG_BLOB
        || crypto_sign_verify_detached(r->blob + 4, (const uint8_t *)r->msg, r->text_len,
                                       r->known[k].pubkey) != 0)
        return err_set(e, ERR_INVALID, "NOTE_BAD_SIGNATURE", "",
                       "the signature by %s+%08" PRIx32 " does not verify",
                       r->known[k].name, id);
    r->verified[k] = true;
    r->nverified++;
    return 0;
}

/* Offset of the last "\n\n" in p[0..len), or -1. */
static long note_last_blank(const char *p, size_t len)
{
    for (size_t i = len; i-- > 1;)
        if (p[i] == '\n' && p[i - 1] == '\n')
            return (long)(i - 1);
    return -1;
}

static int note_read_sigs(note_reader *r, const char *sigs, size_t slen, err_info *e)
{
    while (slen > 0) {
        const char *nl = memchr(sigs, '\n', slen);
        size_t llen = (size_t)(nl - sigs);
        int rc = note_read_sig(r, sigs, llen, e);
        if (rc < 0)
            return rc;
        sigs += llen + 1;
        slen -= llen + 1;
    }
    return 0;
}

int note_open(const char *msg, size_t len, const note_verifier *known, size_t nknown,
              size_t *text_len, err_info *e)
{
    if (len > NOTE_MAX_SIZE)
        return note_too_large(e, len);
    if (!note_text_valid(msg, len))
        return note_text_error(e, "must be UTF-8 without control characters but newline");
    long split = note_last_blank(msg, len);
    const char *sigs = split < 0 ? NULL : msg + split + 2;
    size_t slen = split < 0 ? 0 : len - (size_t)split - 2;
    if (slen == 0 || sigs[slen - 1] != '\n')
        return note_malformed(e, 0, "a note needs a blank line, then signature lines "
                                    "each ending in a newline");
    note_crypto_init();
    note_reader r = {
        .msg = msg, .text_len = (size_t)split + 1, .known = known, .nknown = nknown,
        .verified = mem_calloc(nknown, sizeof(bool)), .blob = mem_alloc(slen),
    };
    int rc = note_read_sigs(&r, sigs, slen, e);
    if (rc == 0 && r.nverified == 0)
        rc = err_set(e, ERR_INVALID, "NOTE_UNVERIFIED", "",
                     "the note has no signature by a known key");
    if (rc == 0)
        *text_len = r.text_len;
    free(r.verified);
    free(r.blob);
    return rc;
}

/* ---- checkpoints ---- */

/* Record a checkpoint error at a line (counted from 1). */
static int checkpoint_error(err_info *e, const char *code, size_t line, const char *msg)
{
    char where[48];
    snprintf(where, sizeof where, "checkpoint line %zu", line);
    return err_set(e, ERR_INVALID, code, where, "%s", msg);
}

#define CHECKPOINT_STR(x) #x
#define CHECKPOINT_XSTR(x) CHECKPOINT_STR(x)

/* Extension lines: each non-empty and newline-terminated. */
static int checkpoint_check_ext(const char *ext, size_t len, err_info *e)
{
    size_t line = 4;
    for (size_t i = 0; i < len; line++) {
        const char *nl = memchr(ext + i, '\n', len - i);
        if (!nl)
            return checkpoint_error(e, "CHECKPOINT_LINES", line, "the last line has no newline");
        if (nl == ext + i)
            return checkpoint_error(e, "CHECKPOINT_EXTENSION", line, "an extension line is empty");
        i = (size_t)(nl - ext) + 1;
    }
    return 0;
}

static int checkpoint_check_origin(const char *origin, size_t len, err_info *e)
{
    if (len == 0 || len > CHECKPOINT_ORIGIN_MAX || memchr(origin, '\n', len))
        return checkpoint_error(e, "CHECKPOINT_ORIGIN", 1,
                                "the origin must be one line of 1 to "
                                CHECKPOINT_XSTR(CHECKPOINT_ORIGIN_MAX) " bytes");
    return 0;
}

int checkpoint_format(const checkpoint *c, char **text, size_t *len, err_info *e)
{
    size_t olen = strnlen(c->origin, sizeof c->origin);
    size_t elen = c->ext ? c->ext_len : 0;
    int rc = checkpoint_check_origin(c->origin, olen, e);
    if (rc == 0)
        rc = checkpoint_check_ext(c->ext, elen, e);
    if (rc == 0 && !(note_text_valid(c->origin, olen) && note_text_valid(c->ext, elen)))
        rc = checkpoint_error(e, "CHECKPOINT_TEXT", 1,
                              "a checkpoint must be UTF-8 without control characters but newline");
    if (rc < 0)
        return rc;
    char b64[NOTE_ROOT_B64];
    sodium_bin2base64(b64, sizeof b64, c->root, CHECKPOINT_HASH_SIZE,
                      sodium_base64_VARIANT_ORIGINAL);
    size_t cap = olen + 1 + 21 + sizeof b64 + 1 + elen + 1;
    char *t = mem_alloc(cap);
    int n = snprintf(t, cap, "%s\n%" PRIu64 "\n%s\n", c->origin, c->size, b64);
    if (elen)
        memcpy(t + n, c->ext, elen);
    t[(size_t)n + elen] = '\0';
    *text = t;
    *len = (size_t)n + elen;
    return 0;
}

/* The canonical decimal form: digits only, no leading zero but "0". */
static int checkpoint_parse_size(const char *p, size_t len, uint64_t *out)
{
    if (len == 0 || len > 20 || (len > 1 && p[0] == '0'))
        return ERR_INVALID;
    uint64_t v = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] < '0' || p[i] > '9')
            return ERR_INVALID;
        unsigned d = (unsigned)(p[i] - '0');
        if (v > (UINT64_MAX - d) / 10)
            return ERR_INVALID;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Next line of p[*at..len), without its newline; ERR_INVALID when there
 * is no newline left. */
static int checkpoint_line(const char *p, size_t len, size_t *at, const char **line,
                           size_t *llen)
{
    const char *nl = *at < len ? memchr(p + *at, '\n', len - *at) : NULL;
    if (!nl)
        return ERR_INVALID;
    *line = p + *at;
    *llen = (size_t)(nl - *line);
    *at = (size_t)(nl - p) + 1;
    return 0;
}

static int checkpoint_parse_lines(checkpoint *c, const char *text, size_t len, err_info *e)
{
    const char *l[3];
    size_t n[3], at = 0;
    for (int i = 0; i < 3; i++)
        if (checkpoint_line(text, len, &at, &l[i], &n[i]) < 0)
            return checkpoint_error(e, "CHECKPOINT_LINES", (size_t)i + 1,
                                    "a checkpoint needs origin, size and root hash lines, "
                                    "each ending in a newline");
    int rc = checkpoint_check_origin(l[0], n[0], e);
    if (rc < 0)
        return rc;
    if (checkpoint_parse_size(l[1], n[1], &c->size) < 0)
        return checkpoint_error(e, "CHECKPOINT_SIZE", 2,
                                "the tree size must be a decimal number without leading zeros");
    if (keys_b64_decode(l[2], n[2], c->root, sizeof c->root) < 0)
        return checkpoint_error(e, "CHECKPOINT_ROOT", 3,
                                "the root hash must be the canonical base64 of 32 bytes");
    if ((rc = checkpoint_check_ext(text + at, len - at, e)) < 0)
        return rc;
    memcpy(c->origin, l[0], n[0]);
    c->origin[n[0]] = '\0';
    c->ext = at < len ? text + at : NULL;
    c->ext_len = len - at;
    return 0;
}

int checkpoint_parse(checkpoint *c, const char *text, size_t len, err_info *e)
{
    if (len > NOTE_MAX_SIZE || !note_text_valid(text, len))
        return checkpoint_error(e, "CHECKPOINT_TEXT", 1,
                                "a checkpoint must be at most 1 MiB of UTF-8 without control "
                                "characters but newline");
    checkpoint tmp = {0};
    int rc = checkpoint_parse_lines(&tmp, text, len, e);
    if (rc == 0)
        *c = tmp;
    return rc;
}

int checkpoint_open(checkpoint *c, const char *msg, size_t len,
                    const note_verifier *known, size_t nknown, err_info *e)
{
    size_t text_len = 0;
    int rc = note_open(msg, len, known, nknown, &text_len, e);
    return rc < 0 ? rc : checkpoint_parse(c, msg, text_len, e);
}
