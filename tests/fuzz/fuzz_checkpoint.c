/* fuzz_checkpoint — checkpoint_parse, note_open / checkpoint_open and the
 * note key strings on any bytes.
 *
 * Contract (src/core/note.h):
 *   - checkpoint_parse success: c.ext points into the text, and
 *     checkpoint_format gives back exactly the text (one spelling);
 *   - note_open success: *text_len < len, the text ends in a newline
 *     followed by the blank line, and checkpoint_open agrees with
 *     note_open + checkpoint_parse of the text;
 *   - note_verifier_parse / note_signer_parse of the input as a C string:
 *     success implies the format function gives the same string back (but
 *     for the case of the key ID's hex digits) and that parses to the
 *     same key.
 * The known key is a fixed test key (seed 0x01.., name "fuzz.example/log");
 * the seed corpus holds checkpoints signed by it, so the fuzzer reaches
 * the signature check. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/note.h"
#include "fuzz_common.h"

static note_verifier known[1];

/* The format of a parsed key string is the input, but for the case of the
 * key ID's hex digits: the parser reads "%08x" as Go's note package does
 * (strconv.ParseUint, either case), the formatter writes lower case. */
static int same_key_string(const char *f, const char *s)
{
    if (!f || strlen(f) != strlen(s))
        return 0;
    for (size_t i = 0; s[i]; i++)
        if (f[i] != s[i] && !(f[i] >= 'a' && f[i] <= 'f' && s[i] == f[i] - 'a' + 'A'))
            return 0;
    return 1;
}

static void setup(void)
{
    static int done;
    if (done)
        return;
    note_signer s;
    uint8_t seed[NOTE_SEED_SIZE];
    memset(seed, 1, sizeof seed);
    err_info e = {0};
    if (note_signer_from_seed(&s, "fuzz.example/log", seed, &e) != 0)
        abort();
    known[0] = s.pub;
    note_signer_wipe(&s);
    done = 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    setup();
    const char *in = (const char *)data;
    err_info e = {0};
    checkpoint c;

    /* 1. the input as a checkpoint text */
    if (checkpoint_parse(&c, in, size, &e) == 0) {
        FUZZ_CHECK(c.ext == NULL || (c.ext >= in && c.ext_len <= size &&
                                     (size_t)(c.ext - in) <= size - c.ext_len));
        char *t = NULL;
        size_t tl = 0;
        err_info ef = {0};
        FUZZ_CHECK(checkpoint_format(&c, &t, &tl, &ef) == 0);
        FUZZ_CHECK(tl == size && memcmp(t, in, size) == 0);
        free(t);
    } else {
        FUZZ_CHECK(e.code != NULL);
    }

    /* 2. the input as a signed note / signed checkpoint */
    size_t text_len = (size_t)-1;
    memset(&e, 0, sizeof e);
    int ro = note_open(in, size, known, 1, &text_len, &e);
    checkpoint c2;
    err_info e2 = {0};
    int rc = checkpoint_open(&c2, in, size, known, 1, &e2);
    if (ro == 0) {
        FUZZ_CHECK(text_len < size);
        FUZZ_CHECK(text_len >= 1 && in[text_len - 1] == '\n' && in[text_len] == '\n');
        err_info e3 = {0};
        checkpoint c3;
        int rp = checkpoint_parse(&c3, in, text_len, &e3);
        FUZZ_CHECK(rp == rc);
        if (rc == 0)
            FUZZ_CHECK(c2.size == c3.size && memcmp(c2.root, c3.root, sizeof c2.root) == 0 &&
                       strcmp(c2.origin, c3.origin) == 0 && c2.ext_len == c3.ext_len);
    } else {
        FUZZ_CHECK(e.code != NULL);
        FUZZ_CHECK(rc == ro);
    }

    /* 3. the input as a key string (up to the first NUL) */
    char *s = malloc(size + 1);
    if (!s)
        abort();
    memcpy(s, data, size);
    s[size] = '\0';
    note_verifier v, v2;
    memset(&v, 0, sizeof v);
    memset(&v2, 0, sizeof v2);
    memset(&e, 0, sizeof e);
    if (note_verifier_parse(&v, s, &e) == 0) {
        char *f = note_verifier_format(&v);
        FUZZ_CHECK(same_key_string(f, s));
        FUZZ_CHECK(note_verifier_parse(&v2, f, &e) == 0);
        FUZZ_CHECK(memcmp(&v, &v2, sizeof v) == 0);
        free(f);
    }
    note_signer sg, sg2;
    memset(&sg, 0, sizeof sg);
    memset(&sg2, 0, sizeof sg2);
    memset(&e, 0, sizeof e);
    if (note_signer_parse(&sg, s, &e) == 0) {
        char *f = note_signer_format(&sg);
        FUZZ_CHECK(same_key_string(f, s));
        FUZZ_CHECK(note_signer_parse(&sg2, f, &e) == 0);
        FUZZ_CHECK(memcmp(&sg, &sg2, sizeof sg) == 0);
        free(f);
        note_signer_wipe(&sg);
        note_signer_wipe(&sg2);
    }
    free(s);
    return 0;
}
