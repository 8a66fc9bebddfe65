/* sha256 — the one SHA-256 of the tree: the log's leaves and nodes, the
 * signed texts' ids, the photos, the key ids. OpenSSL's libcrypto does
 * the work because it uses the CPU's SHA extensions where it has them:
 * on this project's 2-core machine 4.8x libsodium's portable code on a
 * photo and 2.4x on a tree node (docs/BENCHMARKS.md §7). A failure inside
 * libcrypto (it cannot allocate, its provider is missing) aborts like an
 * allocation failure (core/mem.h): a server cannot count without it.
 * Thread-safe; the tests check it against libsodium's. */
#ifndef REKAP_SHA256_H
#define REKAP_SHA256_H
#include <stddef.h>
#include <stdint.h>

#define SHA256_SIZE 32

/* The hash of data[0..len) (data may be NULL when len is 0). */
void sha256(const void *data, size_t len, uint8_t out[SHA256_SIZE]);

/* A hash fed in parts: sha256_begin, sha256_add as often as needed, then
 * sha256_end, which writes the hash and frees the state, or sha256_free
 * to drop it unfinished (sha256_free(NULL) does nothing). */
typedef struct sha256_state sha256_state;
sha256_state *sha256_begin(void);
void sha256_add(sha256_state *s, const void *data, size_t len);
void sha256_end(sha256_state *s, uint8_t out[SHA256_SIZE]);
void sha256_free(sha256_state *s);

#endif
