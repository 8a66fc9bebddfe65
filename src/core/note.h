/* note — C2SP signed notes (c2sp.org/signed-note) with Ed25519 keys, and
 * transparency log checkpoints (c2sp.org/tlog-checkpoint), byte for byte as
 * golang.org/x/mod/sumdb/note and the tlog tools read and write them.
 *
 * A signed note is a text ending in a newline, a blank line, then one or
 * more signature lines "— <key name> <base64(key ID || signature)>\n" (the
 * dash is U+2014 EM DASH). The key ID of an Ed25519 key is the first four
 * bytes, big-endian, of SHA-256(key name || 0x0A || 0x01 || public key).
 * Key strings:
 *   verifier  <name>+<key ID, 8 hex digits>+<base64(0x01 || public key)>
 *   signer    PRIVATE+KEY+<name>+<key ID>+<base64(0x01 || 32-byte seed)>
 * Key names are non-empty UTF-8 without Unicode white space or '+'.
 * Every base64 here (keys, signature lines, the root hash) is read only in
 * its one spelling, the one the encoder writes (keys_b64_decode_max).
 *
 * A checkpoint is a note text of at least three lines: origin, tree size
 * (decimal, no leading zeros), root hash (base64 of 32 bytes), then
 * optional non-empty extension lines.
 *
 * Error codes (e->code):
 *   NOTE_NAME          key name empty, too long, or with space or '+'
 *   NOTE_KEY           signer or verifier key string malformed (its
 *                      base64 too: not in its one spelling)
 *   NOTE_KEY_ALG       key of a signature type other than Ed25519 (0x01)
 *   NOTE_KEY_ID        key ID does not match the name and key
 *   NOTE_TEXT          text not valid UTF-8, has control characters other
 *                      than newline, or does not end in a newline
 *   NOTE_TOO_LARGE     note over NOTE_MAX_SIZE bytes (ERR_LIMIT)
 *   NOTE_MALFORMED     no blank line before the signatures, or a
 *                      signature line of the wrong form (its base64 not
 *                      in its one spelling too, whoever's key it names)
 *   NOTE_TOO_MANY_SIGS more than NOTE_MAX_SIGS signature lines (ERR_LIMIT)
 *   NOTE_BAD_SIGNATURE a signature by a known key does not verify
 *   NOTE_UNVERIFIED    no signature by a known key
 *   CHECKPOINT_LINES   fewer than three lines, or no final newline
 *   CHECKPOINT_ORIGIN  origin line empty or over CHECKPOINT_ORIGIN_MAX
 *   CHECKPOINT_SIZE    tree size not a canonical decimal uint64
 *   CHECKPOINT_ROOT    root hash not the canonical base64 of 32 bytes
 *   CHECKPOINT_EXTENSION an empty extension line
 *   CHECKPOINT_TEXT    text not valid note text (see NOTE_TEXT)
 * All are ERR_INVALID unless marked. */
#ifndef REKAP_NOTE_H
#define REKAP_NOTE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"

#define NOTE_MAX_SIZE (1u << 20) /* bytes of a whole signed note */
#define NOTE_MAX_SIGS 100        /* signature lines in one note */
#define NOTE_NAME_MAX 255        /* bytes of a key name we hold */
#define NOTE_PUBKEY_SIZE 32
#define NOTE_SEED_SIZE 32
#define CHECKPOINT_ORIGIN_MAX 255
#define CHECKPOINT_HASH_SIZE 32

/* An Ed25519 public key with its name and key ID. */
typedef struct note_verifier {
    char name[NOTE_NAME_MAX + 1];
    uint32_t key_id;
    uint8_t pubkey[NOTE_PUBKEY_SIZE];
} note_verifier;

/* An Ed25519 private key; wipe it with note_signer_wipe when done. */
typedef struct note_signer {
    note_verifier pub;
    uint8_t secret[64]; /* libsodium form: seed || public key */
} note_signer;

/* Whether name[0..len) is a valid key name (no length bound). */
bool note_name_valid(const char *name, size_t len);

/* Whether p[0..len) is valid UTF-8 with no control character other than
 * newline: what the signed-note format allows anywhere. */
bool note_text_valid(const char *p, size_t len);

/* The key ID of an Ed25519 key under a name. */
uint32_t note_key_id(const char *name, const uint8_t pubkey[NOTE_PUBKEY_SIZE]);

/* Derive the key pair of `seed` under `name` (NOTE_NAME). */
int note_signer_from_seed(note_signer *s, const char *name,
                          const uint8_t seed[NOTE_SEED_SIZE], err_info *e);

/* Parse "PRIVATE+KEY+name+id+base64" (NOTE_KEY, NOTE_NAME, NOTE_KEY_ALG,
 * NOTE_KEY_ID). */
int note_signer_parse(note_signer *s, const char *skey, err_info *e);

/* The signer key string; a new string the caller frees (and should wipe). */
char *note_signer_format(const note_signer *s);

/* Zero the private key. */
void note_signer_wipe(note_signer *s);

/* Parse "name+id+base64" (NOTE_KEY, NOTE_NAME, NOTE_KEY_ALG, NOTE_KEY_ID). */
int note_verifier_parse(note_verifier *v, const char *vkey, err_info *e);

/* The verifier key string; a new string the caller frees. */
char *note_verifier_format(const note_verifier *v);

/* Sign text[0..len) (a complete note text, final newline included) with
 * one key: *out (caller frees) receives the signed note of *out_len bytes.
 * NOTE_TEXT, NOTE_TOO_LARGE. */
int note_sign(const note_signer *s, const char *text, size_t len, char **out,
              size_t *out_len, err_info *e);

/* Check a signed note msg[0..len) against the known keys: signatures by
 * other keys are ignored; every signature by a known key must verify and
 * at least one must be there. On success *text_len is the length of the
 * note text, which is msg[0..*text_len). */
int note_open(const char *msg, size_t len, const note_verifier *known, size_t nknown,
              size_t *text_len, err_info *e);

typedef struct checkpoint {
    char origin[CHECKPOINT_ORIGIN_MAX + 1];
    uint64_t size;
    uint8_t root[CHECKPOINT_HASH_SIZE];
    const char *ext; /* extension lines, each ending in newline; may be NULL */
    size_t ext_len;
} checkpoint;

/* The checkpoint's note text into *text (caller frees), *len bytes. */
int checkpoint_format(const checkpoint *c, char **text, size_t *len, err_info *e);

/* Parse a checkpoint note text; c->ext points into `text`. */
int checkpoint_parse(checkpoint *c, const char *text, size_t len, err_info *e);

/* note_open, then checkpoint_parse of its text: a checkpoint signed by one
 * of the known keys. c->ext points into msg. */
int checkpoint_open(checkpoint *c, const char *msg, size_t len,
                    const note_verifier *known, size_t nknown, err_info *e);

#endif
