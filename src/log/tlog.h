/* tlog — the transparency log: an append-only RFC 6962 Merkle log kept on
 * disk as the static files of C2SP tlog-tiles (c2sp.org/tlog-tiles), under
 * one directory that any web server, CDN or mirror can serve as is:
 *
 *   <dir>/checkpoint                   signed checkpoint (C2SP signed note)
 *   <dir>/tile/<L>/<N>                 full tile: 256 hashes of 32 bytes
 *   <dir>/tile/<L>/<N>.p/<W>           partial tile: W hashes, 1 <= W <= 255
 *   <dir>/tile/entries/<N>             full entry bundle: 256 entries
 *   <dir>/tile/entries/<N>.p/<W>       partial entry bundle: W entries
 *
 * <N> is written in groups of three digits, all but the last prefixed by
 * "x" (1234067 -> x001/x234/067). A bundle is its entries, each preceded
 * by its length as a big-endian uint16. Level-L tiles hold the hashes of
 * complete subtrees of 256^L leaves (tile height 8).
 *
 * Appends are in memory; tlog_publish makes them durable and public: it
 * writes every new or grown tile and bundle (temporary file, rename), makes
 * them all durable, then signs a checkpoint and replaces <dir>/checkpoint
 * atomically. A checkpoint is signed only after every file it covers is on
 * disk, and only for a tree that extends the last signed one, so the log
 * never signs two inconsistent checkpoints. Full tiles below the last
 * checkpoint are never written again.
 *
 * Partial tiles and bundles are bounded on disk. After each publish, at
 * every level (entry bundles included) the partials of tiles now full are
 * removed, and of the edge tile only the partials of the checkpoint just
 * signed and of the one before it stay: a reader who fetched the previous
 * checkpoint a moment ago still finds its file; for a reader further
 * behind, the first W hashes (entries) of a wider partial or the full tile
 * are exactly its partial: tlog_tile_read (tlog_read.h) reads them so, and
 * rekapd serves them, so every partial the spec asks for is still served
 * (docs/LOG.md). So at any
 * arrival rate, one entry per publish included, the partial files on disk
 * after a publish are at most 2 per hash level (a level per factor of 256
 * in the size: at most 3 below 16,777,216 entries, 8 in all) plus 2 entry
 * bundles, i.e. at most
 *     2 x (levels x 255 x 32 + 255 x (2 + largest entry)) bytes;
 * with entries of TLOG_ENTRY_MAX bytes 2 x 255 x 65,537 = 33,423,870 bytes
 * of bundles plus 16,320 bytes per level: 33,554,430 bytes (< 32 MiB) for 8
 * levels. While a publish writes, its new partials are one more per level,
 * and a publish that fails after writing leaves its own until the next
 * publish or open. Removal is best effort: a file that cannot be removed
 * is only unused.
 *
 * The checkpoint origin is also the signing key's name, so it must be a
 * valid note key name (no spaces, no '+'), e.g. "rekap.example/pemilu2024".
 *
 * tlog_open recovers the log from its directory and refuses to start when
 * the files do not reproduce the signed checkpoint. Entries past the last
 * checkpoint (a publish that did not finish) are not part of the log: the
 * caller appends them again (the store is the source of the entries). Once
 * the checkpoint is verified, it removes (best effort) what a crash can
 * leave: temporary files, partials of tiles now full, and every partial
 * but the checkpoint's own (older ones, wider ones of a publish never
 * signed, ones past the edge). Nothing the checkpoint needs is touched.
 *
 * Memory: the tree's hashes from level 4 up (n / 8 hashes: 4 bytes per
 * entry), the lower levels only of the last partial tile and of the
 * entries not yet published, and those entries. The tree's forgotten
 * lower levels (leaf hashes and subtrees of fewer than 16 leaves, which
 * the full level-0 tiles hold) are read back from those tiles when asked
 * for (merkle_tree_get on tlog_tree: a leaf hash below the edge, a
 * proof's subtree), each group of 16 checked against the kept hash of it
 * (TLOG_CORRUPT if it differs); the last tile read is kept.
 * Not thread-safe: one thread (the writer) owns a tlog, and reading the
 * tree through merkle_tree_get counts as using it.
 *
 * A follower (tlog_open_follower: a public replica) keeps the same files
 * for a log someone else signs: it appends the entries it has verified,
 * and tlog_adopt checks a checkpoint signed by the log's key against its
 * own tree before it writes the tiles and bundles of that size and the
 * signer's checkpoint bytes. Tiles and bundles are a function of the
 * entries, so a follower's files are byte for byte the signer's.
 *
 * Error codes (e->code):
 *   TLOG_ORIGIN          origin is not a valid key name (ERR_INVALID)
 *   TLOG_DIR             the directory cannot be created or read (ERR_IO)
 *   TLOG_KEY             the checkpoint on disk is not signed by this key
 *                        for this origin (ERR_INVALID)
 *   TLOG_CORRUPT         tiles, bundles or checkpoint on disk are missing,
 *                        not regular files, malformed or do not reproduce
 *                        the checkpoint's root (ERR_INVALID)
 *   TLOG_ENTRY_TOO_LARGE an entry over TLOG_ENTRY_MAX bytes (ERR_LIMIT)
 *   TLOG_INDEX           an index at or past the log's size (ERR_NOTFOUND)
 *   TLOG_WRITE           a tile or bundle could not be written (ERR_IO)
 *   TLOG_FOLLOWER        tlog_publish on a follower (ERR_INVALID)
 *   TLOG_CHECKPOINT_OLDER a checkpoint older than the one adopted (ERR_INVALID)
 *   TLOG_CHECKPOINT_AHEAD a checkpoint past the entries appended: append
 *                        more, then adopt it again (ERR_LIMIT)
 *   TLOG_FORK            a signed root that is not the root of the entries
 *                        appended (ERR_INVALID): the signer's log and the
 *                        entries this follower verified differ
 *   TLOG_INCONSISTENT    the tree no longer extends the last signed
 *                        checkpoint; nothing is signed (ERR_INVALID; only a
 *                        bug or memory corruption can cause it)
 * plus FILE_* (io/file.h) and NOTE_* / CHECKPOINT_* (core/note.h) passed
 * through from the layers below. */
#ifndef REKAP_TLOG_H
#define REKAP_TLOG_H

#include <assert.h>
#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/merkle.h"
#include "core/note.h"

#define TLOG_ENTRY_MAX 65535u   /* an entry's length must fit the uint16 prefix */
#define TLOG_TILE_HEIGHT 8
#define TLOG_TILE_WIDTH 256u    /* hashes in a full tile, entries in a full bundle */
#define TLOG_ENTRIES (-1)       /* the "level" of entry bundles in tlog_tile_path */
#define TLOG_PATH_MAX 64        /* longest relative path tlog_tile_path makes, NUL included */
#define TLOG_LEVELS (64 / TLOG_TILE_HEIGHT) /* tile levels a uint64 size reaches: 0..7 */
#define TLOG_BUNDLE_MAX ((size_t)TLOG_TILE_WIDTH * (2 + TLOG_ENTRY_MAX)) /* a bundle's bytes */

typedef struct tlog tlog;

/* Open the log in `dir` (created when missing), signing as `origin` with
 * the Ed25519 key of `seed`. A new log gets a signed checkpoint of the
 * empty tree at once. */
int tlog_open(const char *dir, const char *origin, const uint8_t seed[NOTE_SEED_SIZE],
              tlog **out, err_info *e);

/* Open a follower's log in `dir` (created when missing): the checkpoints
 * it serves are signed by the key of `v` (its name is the origin) and
 * adopted with tlog_adopt. A new follower holds no checkpoint until it
 * adopts one (tlog_checkpoint_text gives NULL). */
int tlog_open_follower(const char *dir, const note_verifier *v, tlog **out, err_info *e);

/* A follower adopts the signed checkpoint `text` (the signer's bytes,
 * served as they are): signed by the log's key for its origin, of a size
 * between the last adopted and tlog_size, and whose root is this tree's
 * root at that size (TLOG_KEY, TLOG_CORRUPT, TLOG_CHECKPOINT_OLDER,
 * TLOG_CHECKPOINT_AHEAD, TLOG_FORK). Then the tiles and bundles of that
 * size are written and made durable, and the checkpoint file replaced.
 * The checkpoint adopted last again: nothing to do. */
int tlog_adopt(tlog *l, const char *text, size_t len, err_info *e);

/* Free the log (NULL is fine). Unpublished entries are dropped. */
void tlog_close(tlog *l);

/* Entries appended so far, published or not. */
uint64_t tlog_size(const tlog *l);

/* Size of the last signed checkpoint. */
uint64_t tlog_published_size(const tlog *l);

/* Append one entry (in memory; tlog_publish makes it durable); *index is
 * its position in the log. */
int tlog_append(tlog *l, const uint8_t *entry, size_t len, uint64_t *index, err_info *e);

/* Write the tiles and bundles of everything appended, then sign and write
 * the checkpoint. Nothing to do when nothing was appended. On failure
 * nothing new is signed and publishing can be retried. */
int tlog_publish(tlog *l, err_info *e);

/* Tree hash of the first `size` entries (size <= tlog_size). */
int tlog_root(const tlog *l, uint64_t size, uint8_t out[MERKLE_HASH_SIZE]);

/* RFC 6962 proofs over the first `size` entries (size <= tlog_size; serve
 * only sizes of signed checkpoints to others); proof holds
 * MERKLE_PROOF_MAX hashes. ERR_INVALID for impossible arguments. */
int tlog_inclusion_proof(const tlog *l, uint64_t index, uint64_t size,
                         uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n);
int tlog_consistency_proof(const tlog *l, uint64_t size1, uint64_t size2,
                           uint8_t (*proof)[MERKLE_HASH_SIZE], size_t *n);

/* A copy of entry `index` into *entry (caller frees), *len bytes; published
 * entries are read back from their bundle and checked against the tree.
 * TLOG_INDEX, TLOG_CORRUPT, FILE_*. */
int tlog_entry(const tlog *l, uint64_t index, uint8_t **entry, size_t *len, err_info *e);

/* The bytes of the last signed checkpoint (owned by the log, valid until
 * the next publish, adopt or close), *len bytes; a follower that adopted
 * none yet: NULL. */
const char *tlog_checkpoint_text(const tlog *l, size_t *len);

/* The tree of every appended entry (published or not), owned by the log:
 * its leaf hashes are what a stored entry is checked against. Valid until
 * the next append or close; read it on the thread that appends. */
const merkle_tree *tlog_tree(const tlog *l);

/* The log's public key: name (= origin), key ID, key. */
const note_verifier *tlog_verifier(const tlog *l);

/* The relative path of tile `n` at `level` (TLOG_ENTRIES for an entry
 * bundle) of `width` hashes or entries (TLOG_TILE_WIDTH: a full tile), e.g.
 * "tile/0/x001/x234/067.p/8". Returns the length (< TLOG_PATH_MAX). */
size_t tlog_tile_path(char buf[TLOG_PATH_MAX], int level, uint64_t n, unsigned width);

/* The hashes (entries, for TLOG_ENTRIES) that tile level `level` holds in a
 * tree of `size` entries: one per complete subtree of 256^level leaves. */
static inline uint64_t tlog_level_count(int level, uint64_t size)
{
    assert(level >= TLOG_ENTRIES && level < TLOG_LEVELS);
    return level <= 0 ? size : size >> (TLOG_TILE_HEIGHT * level);
}

/* The width of tile n of a level holding `count` hashes (entries):
 * TLOG_TILE_WIDTH, or the edge partial's count mod 256. n must be one of
 * the level's tiles (n * TLOG_TILE_WIDTH < count). */
static inline unsigned tlog_tile_width(uint64_t count, uint64_t n)
{
    assert(n < count / TLOG_TILE_WIDTH + (count % TLOG_TILE_WIDTH != 0));
    uint64_t left = count - n * TLOG_TILE_WIDTH;
    return left >= TLOG_TILE_WIDTH ? TLOG_TILE_WIDTH : (unsigned)left;
}

#endif
