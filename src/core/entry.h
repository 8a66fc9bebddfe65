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
 *   tps 3273011001001\n
 *   contest ppwp\n
 *   version 1\n                      1 for the first form, n+1 for a correction
 *   reason "<JSON string>"\n         only when version > 1
 *   photo <64 hex>\n                 0..ENTRY_PHOTOS_MAX, ascending
 *   form <canonical rekap-chasil/1 JSON, form_format>\n
 * entry = submission bytes, then
 *   key <base64 of the 32-byte Ed25519 public key>\n
 *   sig <base64 of the 64-byte signature over the submission bytes>\n
 *   received <unix seconds>\n
 *   status accepted\n | status rejected <CODE>[,<CODE>...]\n
 */
#ifndef REKAP_ENTRY_H
#define REKAP_ENTRY_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/form.h"

#define ENTRY_PHOTOS_MAX 8
#define ENTRY_REASON_MAX 500        /* bytes of UTF-8 */
#define ENTRY_MAX 65535             /* bytes of an encoded entry (tlog-tiles bound) */
#define ENTRY_VERSION_MAX 999
#define ENTRY_CODES_MAX 480         /* bytes of the comma-separated rejection codes */

typedef struct submission {
    form form;                      /* tps and kind live here */
    uint32_t version;
    char reason[ENTRY_REASON_MAX + 1];
    unsigned nphoto;
    uint8_t photo[ENTRY_PHOTOS_MAX][32]; /* SHA-256 of each photo, ascending */
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

/* Encode the submission text; returns the length it needs (like snprintf). */
size_t submission_encode(const submission *s, char *buf, size_t cap);

/* Parse a submission text strictly (it must re-encode to the same bytes,
 * so a signature covers exactly one meaning). ENTRY_* codes. */
int submission_parse(const char *buf, size_t len, submission *out, err_info *e);

/* Sign buf[0..len) with a 64-byte libsodium secret key. */
void entry_sign(const char *buf, size_t len, const uint8_t sk[64], uint8_t sig[64]);
/* 0 when sig is pubkey's signature over buf[0..len), else ERR_INVALID. */
int entry_verify(const char *buf, size_t len, const uint8_t pubkey[32], const uint8_t sig[64]);

/* Encode a whole entry (submission bytes + key, sig, received, status). */
size_t entry_encode(const entry *en, char *buf, size_t cap);
/* Parse an entry; en->sub_bytes points into buf. Does not verify the
 * signature (entry_verify does). */
int entry_parse(const char *buf, size_t len, entry *out, err_info *e);

#endif
