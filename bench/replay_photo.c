/* replay_photo — the replay's photos and the names of its phases
 * (replay.h). */
#include "replay.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core/mem.h"
#include "core/rng.h"

const char *const replay_phase_name[REPLAY_PHASES] = {
    "forms", "corrections", "recap kecamatan", "recap kab/kota", "recap provinsi",
    "recap nasional"};

struct replay_photos {
    uint8_t *master;                   /* REPLAY_PHOTO_MAX bytes */
    crypto_hash_sha256_state *mid;     /* [b]: after the first b blocks; NULL without */
};

/* A JPEG's start (SOI, APP0 "JFIF") so that rekapd, which types a photo
 * by its first bytes, serves these as image/jpeg like a real C.Hasil
 * photo; the rest is incompressible, as JPEG data is. */
static const uint8_t jpeg_start[20] = {0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 'J',  'F',  'I', 'F',
                                       0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00};

static void fill_master(uint8_t *m)
{
    rng r;
    rng_seed(&r, 0x70686f746f73ull); /* fixed: every process makes the same master */
    for (size_t i = 0; i < REPLAY_PHOTO_MAX; i += 8) {
        uint64_t x = rng_next(&r);
        memcpy(m + i, &x, 8);
    }
    memcpy(m, jpeg_start, sizeof jpeg_start);
}

replay_photos *replay_photos_new(int midstates)
{
    replay_photos *p = mem_calloc(1, sizeof *p);
    p->master = mem_alloc(REPLAY_PHOTO_MAX);
    fill_master(p->master);
    if (!midstates)
        return p;
    /* one hash of the master, its state kept after every block */
    p->mid = mem_alloc(REPLAY_PHOTO_MAX_BLOCKS * sizeof *p->mid);
    crypto_hash_sha256_init(&p->mid[0]);
    for (uint32_t b = 1; b < REPLAY_PHOTO_MAX_BLOCKS; b++) {
        p->mid[b] = p->mid[b - 1];
        crypto_hash_sha256_update(&p->mid[b], p->master + (size_t)(b - 1) * REPLAY_PHOTO_BLOCK,
                                  REPLAY_PHOTO_BLOCK);
    }
    return p;
}

void replay_photos_free(replay_photos *p)
{
    if (!p)
        return;
    free(p->master);
    free(p->mid);
    free(p);
}

const uint8_t *replay_photo_master(const replay_photos *p)
{
    return p->master;
}

void replay_photo_tail(uint32_t id, uint8_t tail[REPLAY_PHOTO_BLOCK])
{
    memset(tail, 0, REPLAY_PHOTO_BLOCK);
    snprintf((char *)tail, REPLAY_PHOTO_BLOCK - 2, "rekap replay photo %u", id);
    tail[REPLAY_PHOTO_BLOCK - 2] = 0xff; /* EOI */
    tail[REPLAY_PHOTO_BLOCK - 1] = 0xd9;
}

void replay_photo_sha256(const replay_photos *p, uint32_t blocks, uint32_t id, uint8_t out[32])
{
    assert(p->mid && blocks >= 1 && blocks <= REPLAY_PHOTO_MAX_BLOCKS);
    uint8_t tail[REPLAY_PHOTO_BLOCK];
    crypto_hash_sha256_state s = p->mid[blocks - 1];
    replay_photo_tail(id, tail);
    crypto_hash_sha256_update(&s, tail, sizeof tail);
    crypto_hash_sha256_final(&s, out);
}
