/* http_photo — the photos of the forms, content-addressed in the election
 * directory's photos/ (docs/API.md: "Upload a photo", and the public
 * GET /photos/<sha256>): a photo's name is the SHA-256 of its bytes as 64
 * lowercase hex digits, so no name can leave the directory and the same
 * bytes always have the same name.
 *
 * Both sides live here: the upload (the ingest listener's PUT, streamed to
 * a temp file while hashed, then fsynced and renamed to its name) and the
 * public GET (the file, typed by its first bytes, immutable). The ingest
 * listener answers an upload's outcome and counts it; the public listener
 * routes /photos/ here. */
#ifndef REKAP_HTTP_PHOTO_H
#define REKAP_HTTP_PHOTO_H

#include <stddef.h>
#include <stdint.h>

#include <microhttpd.h>

#include "core/err.h"
#include "http/http_path.h"

#define PHOTO_NAME_LEN PATH_PHOTO_NAME_LEN /* hex digits of a photo's SHA-256 */
#define PHOTO_SNIFF 4       /* leading bytes photo_type looks at */

/* ------------------------------------------------------------ pure parts */

/* Whether a string is a photo's name is path_photo_name's (http_path.h):
 * the routes check it before a name comes here. */

/* The Content-Type of a photo from its first n bytes: "image/jpeg",
 * "image/png", else "application/octet-stream" (the type an upload
 * declared is never looked at). */
const char *photo_type(const unsigned char *head, size_t n);

/* ---------------------------------------------------------------- upload */

typedef struct photo_upload photo_upload;

/* Make the directory if missing and remove the temp files of uploads a
 * crash interrupted. HTTP_PHOTO_DIR when it cannot be made. */
int photo_dir_prepare(const char *dir, err_info *e);

/* The headers of an upload of photo `name` (path_photo_name) into dir are
 * in, with `declared` bytes to come (0: not said), at most `max`:
 * ERR_EXISTS when that photo is stored already (nothing to read), ERR_LIMIT
 * (PHOTO_TOO_LARGE) when declared > max, else 0 with *out, to be fed the
 * body and finished or dropped. A temp file that cannot be made is told
 * by photo_put_finish, once the body is in. */
int photo_put_begin(const char *dir, const char *name, uint64_t declared, uint64_t max,
                    photo_upload **out, err_info *e);

/* The next n bytes of the body: hashed and written (past `max` they are
 * not, and the upload is too large). */
void photo_put_body(photo_upload *u, const char *data, size_t n);

/* The body is in: 0 when the photo is stored (*size bytes, fsynced under
 * its name), else PHOTO_TOO_LARGE, PHOTO_EMPTY, PHOTO_HASH_MISMATCH,
 * PHOTO_FULL (no space) or PHOTO_STORE (logged) and nothing is kept. */
int photo_put_finish(photo_upload *u, uint64_t *size, err_info *e);

/* Remove the temp file (if any) and free u; NULL is a no-op. */
void photo_put_free(photo_upload *u);

/* ------------------------------------------------------------------- get */

/* GET /photos/<name> from dir: the file, immutable (its name is its
 * hash); 404 for a name that is not a photo's or not stored. */
enum MHD_Result photo_get(struct MHD_Connection *c, const char *dir, const char *name);

#endif
