#!/usr/bin/env bash
# Build the libFuzzer targets of tests/fuzz with clang (CMake builds the
# project with gcc and cannot switch compilers per target, so this script
# compiles each target itself). Usage: tests/fuzz/build.sh OUTDIR
# Exit 77 when clang cannot build a fuzzer (no clang, no libFuzzer runtime,
# no jansson/libsodium development files), 1 on a compile error.
set -euo pipefail

if [ $# -ne 1 ]; then
    echo "usage: $0 OUTDIR" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CC=${CC:-clang}
mkdir -p "$out"

# Can clang build a fuzzer here at all?
if ! command -v "$CC" >/dev/null 2>&1; then
    echo "fuzz: $CC not found: skipping" >&2
    exit 77
fi
probe=$(mktemp -d)
trap 'rm -rf "$probe"' EXIT
printf '%s\n' '#include <stdint.h>' '#include <stddef.h>' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
    'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
    >"$probe/probe.c"
if ! "$CC" -fsanitize=fuzzer,address,undefined "$probe/probe.c" -o "$probe/probe" \
        >/dev/null 2>&1; then
    echo "fuzz: $CC cannot build a libFuzzer target: skipping" >&2
    exit 77
fi
if ! pkg-config --exists jansson libsodium libcrypto; then
    echo "fuzz: jansson/libsodium/libcrypto development files not found: skipping" >&2
    exit 77
fi

# As CMakeLists.txt builds src/core (rekap_core): C11, the POSIX
# definitions, jansson, libsodium, libcrypto and libm.
CFLAGS=(-std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
        -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
        -fno-omit-frame-pointer -g -O1 -Wall -Wextra -Wno-unused-parameter
        -I "$root/src" -I "$here")
read -r -a PKG_CFLAGS <<<"$(pkg-config --cflags jansson libsodium libcrypto)"
read -r -a PKG_LIBS <<<"$(pkg-config --libs jansson libsodium libcrypto)"

# Each target and the src/ files it needs (minimal: what its module calls).
FORM_SRC="core/form.c core/form_fast.c core/json_get.c core/textbuf.c core/election.c core/region.c core/csv.c core/mem.c core/err.c"
ELECTION_SRC="core/election.c core/election_read.c core/election_scan.c core/election_link.c core/election_write.c core/region.c core/csv.c core/json_get.c core/mem.c core/err.c"
declare -A SRCS=(
    [form_parse]="$FORM_SRC"
    [entry]="core/entry.c core/keys.c core/rules.c $FORM_SRC"
    [recap]="core/recap.c core/entry.c core/keys.c core/rules.c $FORM_SRC"
    [checkpoint]="core/note.c core/sha256.c core/keys.c core/mem.c core/err.c"
    [keys]="core/keys.c core/err.c"
    [csv]="core/csv.c core/err.c"
    [election]="$ELECTION_SRC"
    # http_path: 2024 contest names (render_2024_ids.c), tile paths (tlog_fs.c)
    [route]="http/http_path.c http/render_2024_ids.c log/tlog_fs.c io/file.c core/election.c core/region.c core/csv.c core/mem.c core/err.c"
    [request_body]="http/http_body.c core/keys.c core/mem.c core/err.c"
)
TARGETS=${FUZZ_TARGETS:-"form_parse entry recap checkpoint keys csv election route request_body"}

for t in $TARGETS; do
    bin="$out/fuzz_$t"
    files=("$here/fuzz_$t.c" "$here/fuzz_common.h")
    for f in ${SRCS[$t]}; do files+=("$root/src/$f"); done
    # Rebuild only when a source, anything under src/ (headers) or the
    # election tests' region tree is newer.
    if [ -x "$bin" ]; then
        newer=$(find "${files[@]}" "$root/src" "$here/build.sh" \
            "$root/tests/unit/election_small_tree.h" -newer "$bin" -print -quit)
        [ -z "$newer" ] && continue
    fi
    srcs=("$here/fuzz_$t.c")
    for f in ${SRCS[$t]}; do srcs+=("$root/src/$f"); done
    echo "fuzz: building fuzz_$t" >&2
    "$CC" "${CFLAGS[@]}" "${PKG_CFLAGS[@]}" "${srcs[@]}" "${PKG_LIBS[@]}" -lm -o "$bin.tmp"
    mv "$bin.tmp" "$bin"
done
