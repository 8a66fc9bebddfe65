/* http_body — the pure decoding of rekapd's request bodies (no
 * libmicrohttpd, no server state): what the ingest listener's
 * POST /api/v1/submissions carries, before anything is verified.
 * tests/fuzz/fuzz_request_body.c holds it to its contract on any bytes.
 *
 * The body (docs/API.md, "Submit") is one JSON object of exactly three
 * strings: {"submission": the signed text, "key": the officer's public
 * key, "sig": the Ed25519 signature}, key and sig in the canonical base64
 * of keys_b64_decode (one spelling per value, so a body cannot be
 * re-spelt into a "new" request). */
#ifndef REKAP_HTTP_BODY_H
#define REKAP_HTTP_BODY_H

#include <stddef.h>
#include <stdint.h>

#define BODY_KEY_BYTES 32
#define BODY_SIG_BYTES 64

/* Decode body[0..len). On success 0: *sub a NUL-terminated copy of the
 * submission (the caller frees it) of *sublen bytes, the key and
 * signature in pk and sig. On failure -1, *sub NULL and *code the error
 * code: REQUEST_JSON (not JSON), REQUEST_FIELD (not an object of exactly
 * those three strings), REQUEST_KEY / REQUEST_SIG (not the canonical
 * base64 of 32 / 64 bytes; *where "key" / "sig"); *where NULL otherwise. */
int body_submission_parse(const char *body, size_t len, char **sub, size_t *sublen,
                          uint8_t pk[BODY_KEY_BYTES], uint8_t sig[BODY_SIG_BYTES],
                          const char **code, const char **where);

/* The two halves of body_submission_parse, for the tests that hold them
 * to each other (unit/test_http_body, fuzz_request_body).
 *
 * The reference reads any body with jansson. The fast path reads only the
 * body every client of rekap sends (`rekap sign`, the officer page, the
 * replay): {"submission":"…","key":"…","sig":"…"}, compact, in that
 * order, the submission printable ASCII with one-letter escapes; on such
 * a body it answers exactly as the reference does (1 decoded, -1 refused
 * for its key or signature) without building a JSON tree, which took 7 %
 * of rekapd's CPU per form. On any other body it returns 0, having
 * written nothing, and the reference decides. */
int body_submission_parse_reference(const char *body, size_t len, char **sub, size_t *sublen,
                                    uint8_t pk[BODY_KEY_BYTES], uint8_t sig[BODY_SIG_BYTES],
                                    const char **code, const char **where);
int body_submission_fast(const char *body, size_t len, char **sub, size_t *sublen,
                         uint8_t pk[BODY_KEY_BYTES], uint8_t sig[BODY_SIG_BYTES],
                         const char **code, const char **where);

#endif
