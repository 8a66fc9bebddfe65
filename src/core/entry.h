/* entry — what an officer signs and what the log stores.
 *
 * A *submission* is one C.Hasil (or a correction of it) as the officer
 * signs it: a short, line-oriented, deterministic text, "rekap-submission/1".
 * An *entry* is the submission with the officer's public key, the Ed25519
 * signature over the submission bytes, and the server's verdict
 * ("rekap-entry/1"): exactly the bytes appended to the transparency log, so
 * a monitor in any language can re-verify the signature, re-run the rules
 * and re-add the totals. Both formats are documented in docs/FORMATS.md.
 *
 *   rekap-submission/1\n
 *   tps 3273011001001\n              the form's TPS
 *   contest ppwp\n                   the form's contest
 *   version 1\n                      1 for the first form, n+1 for a correction
 *   reason "<JSON string>"\n         only when version > 1
 *   psu recount\n | psu revote\n     optional, only when version > 1
 *   photo <64 hex>\n                 0..ENTRY_PHOTOS_MAX, page 1, 2, ... of the form, no repeats
 *   form <canonical rekap-chasil/1 JSON, form_format>\n
 * entry =
 *   rekap-entry/1\n
 *   <the submission bytes, exactly as signed>
 *   key <base64 of the 32-byte Ed25519 public key>\n
 *   sig <base64 of the 64-byte signature over the submission bytes>\n
 *   received <unix seconds>\n
 *   status accepted\n | status rejected <CODE>[,<CODE>...]\n
 *
 * Parsing is strict: a submission and an entry have exactly one byte
 * representation, so a signature covers exactly one meaning. The parsers
 * encode what they read again and require the same bytes. Error codes
 * (e->code; e->where is the line name: "version", "photo[2]", ...):
 *   ENTRY_TOO_LARGE      (ERR_LIMIT) more than ENTRY_MAX bytes
 *   ENTRY_FORMAT         first line is not "rekap-submission/1" / "rekap-entry/1"
 *   ENTRY_FIELD          a line missing, misspelt, out of order, or extra
 *   ENTRY_NOT_CANONICAL  right meaning, wrong bytes: the text differs from
 *                        what the encoders write for what was read (CR LF,
 *                        no final newline, spaces around a value, leading
 *                        zeros, uppercase hex, photos out of order, reason
 *                        not in canonical quoting, form not exactly
 *                        form_format's output); where names the first
 *                        differing line
 *   ENTRY_TPS            tps is not 13 digits
 *   ENTRY_CONTEST        contest is not a contest id
 *   ENTRY_VERSION        version is not a number 1..ENTRY_VERSION_MAX
 *   ENTRY_REASON         reason missing on a correction, present on version 1,
 *                        or not a JSON string of 1..ENTRY_REASON_MAX bytes of
 *                        UTF-8 without control characters (ERR_LIMIT: too long)
 *   ENTRY_PSU            psu on version 1, or not "recount" / "revote"
 *                        (exactly: no other case, no NUL byte)
 *   ENTRY_PHOTO          not 64 hex digits, the same photo twice, more than
 *                        ENTRY_PHOTOS_MAX (ERR_LIMIT)
 *   FORM_*               the form line does not parse (form_parse's code;
 *                        where "form: " + its JSON path)
 *   ENTRY_MISMATCH       the tps or contest line differs from the form's
 *   ENTRY_KEY, ENTRY_SIG key / sig not the canonical base64 of 32 / 64 bytes
 *                        (keys_b64_decode: padded, unused bits zero, no
 *                        other byte standing for a base64 digit)
 *   ENTRY_RECEIVED       received is not a number 0..2^63-1
 *   ENTRY_STATUS         not "accepted" / "rejected CODES"; a code that is not
 *                        a HARD rule's (rules_find), empty or repeated; codes
 *                        over ENTRY_CODES_MAX bytes (ERR_LIMIT)
 */
#ifndef REKAP_ENTRY_H
#define REKAP_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/form.h"
#include "core/keys.h"
#include "core/textbuf.h"

#define SUBMISSION_FORMAT_ID "rekap-submission/1"
#define ENTRY_FORMAT_ID "rekap-entry/1"
#define ENTRY_PHOTOS_MAX 8
#define ENTRY_REASON_MAX 500        /* bytes of UTF-8 */
#define ENTRY_MAX 65535             /* bytes of an encoded entry (tlog-tiles bound) */
#define ENTRY_VERSION_MAX 999
#define ENTRY_CODES_MAX 480         /* bytes of the comma-separated rejection codes */

/* What a correction says about how its numbers came about: nothing (an
 * ordinary correction, or the first version), or the result of a PSU at
 * the TPS — a re-count (Penghitungan Suara Ulang) or a re-vote
 * (Pemungutan Suara Ulang). A PSU always follows a first count, so only a
 * correction (version > 1) can say it. The 2024 portal shows it as a TPS
 * file's `psu`. */
typedef enum entry_psu {
    ENTRY_PSU_NONE = 0,             /* no psu line */
    ENTRY_PSU_RECOUNT = 1,          /* "psu recount": Penghitungan Suara Ulang */
    ENTRY_PSU_REVOTE = 2,           /* "psu revote": Pemungutan Suara Ulang */
    ENTRY_PSU_KINDS = 3,
} entry_psu;

/* The word of the psu line for each value: "" for ENTRY_PSU_NONE (no
 * line), "recount", "revote". */
extern const char *const entry_psu_word[ENTRY_PSU_KINDS];

/* ENTRY_PSU_RECOUNT or ENTRY_PSU_REVOTE for word[0..n) spelt exactly as
 * in entry_psu_word (no other case, no NUL byte), else -1: "" is not a
 * word of the line. */
int entry_psu_parse(const char *word, size_t n);

typedef struct submission {
    form form;                      /* tps and kind live here */
    uint32_t version;
    char reason[ENTRY_REASON_MAX + 1];
    uint8_t psu;                    /* entry_psu; NONE unless version > 1 */
    unsigned nphoto;
    uint8_t photo[ENTRY_PHOTOS_MAX][32]; /* SHA-256 of page 1, 2, ... */
} submission;

typedef struct entry {
    submission sub;
    const char *sub_bytes;          /* the signed bytes inside the parsed buffer */
    size_t sub_len;
    uint8_t pubkey[32];
    uint8_t sig[64];
    uint64_t received;              /* unix seconds */
    int accepted;                   /* 1 accepted, 0 rejected */
    char codes[ENTRY_CODES_MAX + 1];/* rejected: the hard rule codes, comma-separated */
} entry;

/* Encode the submission text; like snprintf, returns the length it needs
 * without the NUL and writes a NUL-terminated prefix when cap is too small.
 * The reason line is written when version > 1 or reason is not empty, the
 * psu line when psu is not ENTRY_PSU_NONE. An invalid submission (a count
 * over 999, photos out of order, a psu on version 1 or past
 * ENTRY_PSU_KINDS, ...) encodes to a text submission_parse refuses: see
 * submission_check. The text of a submission within the limits is under
 * ENTRY_MAX bytes. */
size_t submission_encode(const submission *s, char *buf, size_t cap);

/* 0 when s encodes to a valid submission (one submission_parse reads back),
 * else submission_parse's error. For building a submission before signing
 * it; allocates a scratch buffer. */
int submission_check(const submission *s, err_info *e);

/* Parse a submission text strictly (it must re-encode to the same bytes,
 * so a signature covers exactly one meaning). Codes above; on error *out
 * is all zero. Allocates nothing beyond form_parse's jansson tree (and a
 * correction's reason, also decoded by jansson). */
int submission_parse(const char *buf, size_t len, submission *out, err_info *e);

/* The seal after the signed bytes of every log entry, whichever signed
 * text it carries (a C.Hasil here, a recap or plenary record: recap.h):
 * key, sig, received, status. entry_seal_put writes it; entry_seal_parse
 * reads it to the end of the entry, the rejection codes from the rules of
 * one family (recap: 1 for RULE_RECAP_*, 0 for a C.Hasil's), codes holding
 * ENTRY_CODES_MAX + 1 bytes. Errors: ENTRY_KEY, ENTRY_SIG, ENTRY_RECEIVED,
 * ENTRY_STATUS, and the line reader's. */
void entry_seal_put(textbuf *t, const uint8_t pubkey[32], const uint8_t sig[64],
                    uint64_t received, int accepted, const char *codes);
int entry_seal_parse(keys_lines *r, int recap, uint8_t pubkey[32], uint8_t sig[64],
                     uint64_t *received, int *accepted, char *codes, err_info *e);

/* Sign buf[0..len) with a 64-byte libsodium secret key. */
void entry_sign(const char *buf, size_t len, const uint8_t sk[64], uint8_t sig[64]);
/* 0 when sig is pubkey's signature over buf[0..len), else ERR_INVALID. */
int entry_verify(const char *buf, size_t len, const uint8_t pubkey[32], const uint8_t sig[64]);

/* Encode a whole entry: the format line, en->sub_bytes[0..sub_len) verbatim
 * (the bytes that were signed; en->sub is not consulted), key, sig,
 * received, status (en->codes when not accepted: must be valid). Like
 * snprintf. */
size_t entry_encode(const entry *en, char *buf, size_t cap);
/* Parse an entry strictly: its submission as submission_parse does, and
 * the lines after it must be what entry_encode writes for what they say,
 * so entry_encode gives buf back. en->sub_bytes points into buf. Does not
 * verify the signature (entry_verify does). Codes above; on error *out is
 * all zero. */
int entry_parse(const char *buf, size_t len, entry *out, err_info *e);

#endif
