/* sha256 — SHA-256 through libcrypto; see sha256.h. */
#include "core/sha256.h"

#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

/* The algorithm is fetched once: an EVP_sha256() handed to each digest
 * is looked up again every time, which costs 2x on a tree node. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_die(const char *what)
{
    fprintf(stderr, "rekap: SHA-256 (libcrypto) failed: %s\n", what);
    abort();
}

static void sha256_fetch(void)
{
    sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
    if (!sha256_md)
        sha256_die("no SHA256 in the default provider");
}

static const EVP_MD *sha256_algo(void)
{
    pthread_once(&sha256_once, sha256_fetch);
    return sha256_md;
}

void sha256(const void *data, size_t len, uint8_t out[SHA256_SIZE])
{
    static const uint8_t none;
    if (!EVP_Digest(len ? data : &none, len, out, NULL, sha256_algo(), NULL))
        sha256_die("digest");
}

sha256_state *sha256_begin(void)
{
    EVP_MD_CTX *c = EVP_MD_CTX_new();
    if (!c || !EVP_DigestInit_ex(c, sha256_algo(), NULL))
        sha256_die("init");
    return (sha256_state *)c;
}

void sha256_add(sha256_state *s, const void *data, size_t len)
{
    if (len && !EVP_DigestUpdate((EVP_MD_CTX *)s, data, len))
        sha256_die("update");
}

void sha256_end(sha256_state *s, uint8_t out[SHA256_SIZE])
{
    if (!EVP_DigestFinal_ex((EVP_MD_CTX *)s, out, NULL))
        sha256_die("final");
    sha256_free(s);
}

void sha256_free(sha256_state *s)
{
    EVP_MD_CTX_free((EVP_MD_CTX *)s);
}
