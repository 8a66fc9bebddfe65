/* replay — what bench/replay_prep writes and bench/replay_load sends: the
 * full replay of election night (issue 13 item 1, docs/BENCHMARKS.md §7).
 *
 * WORK/feed.bin holds one record per request, phase after phase:
 *   [replay_head][signed text: len bytes][32-byte public key][64-byte sig]
 * WORK/feed.idx holds uint64_t count[REPLAY_PHASES], then the offset in
 * feed.bin of every record, phase after phase. The phases follow each
 * other with a barrier (every answer of one is in before the next
 * starts), because each needs the one before it logged: a correction
 * (version 2) the version 1 it corrects, a kecamatan's recap the counted
 * version of every TPS it adopts, a kab/kota's the accepted recaps of its
 * kecamatan, and so on up.
 *
 * Photos are not stored: a photo is the first (blocks - 1) * 64 bytes of
 * one shared pseudo-random JPEG-looking master, then a 64-byte tail of its
 * own (its id). So the prep hashes a photo in microseconds, from the
 * SHA-256 state after that prefix computed once, and the load sends it
 * from memory without generating anything; rekapd still receives, hashes
 * and fsyncs every byte of every photo, which is what is measured. */
#ifndef REKAP_BENCH_REPLAY_H
#define REKAP_BENCH_REPLAY_H

#include <stdint.h>

enum {
    REPLAY_FORMS = 0,        /* every form, version 1, its photo before it */
    REPLAY_CORRECTIONS = 1,  /* version 2 of every misread the rules rejected */
    REPLAY_RECAP_KEC = 2,    /* PPWP recaps, kecamatan (PPK) */
    REPLAY_RECAP_KAB = 3,    /* kab/kota */
    REPLAY_RECAP_PROV = 4,   /* province */
    REPLAY_RECAP_NATION = 5, /* the nation */
    REPLAY_PHASES = 6,
};
extern const char *const replay_phase_name[REPLAY_PHASES];

/* What the server must answer. */
enum { REPLAY_EXPECT_ACCEPTED = 0, REPLAY_EXPECT_REJECTED = 1 };

typedef struct replay_head {
    uint32_t len;            /* bytes of the signed text */
    uint8_t phase;
    uint8_t expect;          /* REPLAY_EXPECT_*: 201 or 422 */
    uint8_t photo;           /* 1: PUT the photo (named in the text) first */
    uint8_t pad;
    uint32_t photo_blocks;   /* its size in 64-byte blocks */
    uint32_t photo_id;       /* what makes its bytes its own */
} replay_head;

/* Photo sizes: 150 KiB .. 400 KiB, a whole number of 64-byte blocks. */
#define REPLAY_PHOTO_BLOCK 64u
#define REPLAY_PHOTO_MIN_BLOCKS 2400u
#define REPLAY_PHOTO_MAX_BLOCKS 6400u
#define REPLAY_PHOTO_MAX (REPLAY_PHOTO_MAX_BLOCKS * REPLAY_PHOTO_BLOCK)

/* The shared master bytes (REPLAY_PHOTO_MAX of them, the same in every
 * process: a fixed seed) and, with midstates, the SHA-256 state after
 * each block of it. */
typedef struct replay_photos replay_photos;
replay_photos *replay_photos_new(int midstates);
void replay_photos_free(replay_photos *p);
/* The master: a photo of b blocks is its first (b - 1) * 64 bytes, then
 * its tail. */
const uint8_t *replay_photo_master(const replay_photos *p);
/* The last 64 bytes of photo id: its id in text, JPEG's end marker last. */
void replay_photo_tail(uint32_t id, uint8_t tail[REPLAY_PHOTO_BLOCK]);
/* SHA-256 of photo (blocks, id); needs midstates. */
void replay_photo_sha256(const replay_photos *p, uint32_t blocks, uint32_t id, uint8_t out[32]);

#endif
