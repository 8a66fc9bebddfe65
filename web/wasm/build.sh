#!/bin/sh
# web/wasm/build.sh OUT.wasm — build src/core's form reader and rules into
# one WebAssembly module for the officer's page (web/wasm/rules.js loads it).
#
# Needs clang and wasm-ld (LLVM 14 or later), Debian's wasi-libc
# (--sysroot=/usr) and libclang-rt-*-dev-wasm32 (runtime builtins), and the
# jansson headers the native build uses (found in /usr/include, which the
# wasm32-wasi search path ends with): form.c includes them, but nothing
# of jansson is linked (its reference parser is dropped as unreachable; the
# import check below would fail otherwise). The result imports nothing and
# exports only what rules_wasm.c marks. Deterministic: the same sources and
# toolchain give the same bytes.
#
# Environment: CC (default clang), WASM_SYSROOT (default /usr).
set -eu

if [ $# -ne 1 ]; then
    echo "usage: web/wasm/build.sh OUT.wasm" >&2
    exit 2
fi
out=$1
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cc=${CC:-clang}
sysroot=${WASM_SYSROOT:-/usr}

# What the glue needs of src/core: the canonical reader (form_fast.c) and
# the value rules it shares with the reference parser (form.c), the rules
# (rules.c), the contest kinds (election.c). Unreachable code of these
# files (jansson, the election model) is dropped at link time.
srcs="$here/rules_wasm.c $root/src/core/form.c $root/src/core/form_fast.c
      $root/src/core/rules.c $root/src/core/election.c"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM

flags="--target=wasm32-wasi --sysroot=$sysroot -std=c11 -Oz -flto
       -ffunction-sections -fdata-sections -fno-ident -ffile-prefix-map=$root/=
       -Wall -Wextra -Werror -Wno-unused-parameter -I$root/src"
# -lc-printscan-long-double: wasi-libc's default printf answers a long
# double with a message on stderr, which alone would import fd_write,
# fd_seek and fd_close; the full printf imports nothing (+4 KB).
# shellcheck disable=SC2086 # the lists above are meant to split
"$cc" $flags -nostartfiles -Wl,--no-entry -Wl,--gc-sections -Wl,--strip-all \
    -Wl,-z,stack-size=65536 -o "$tmp/rules.wasm" $srcs -lc-printscan-long-double

# Refuse a module that imports anything (a WASI call, a jansson function).
if command -v node >/dev/null 2>&1; then
    node -e '
        const m = new WebAssembly.Module(require("fs").readFileSync(process.argv[1]));
        const imp = WebAssembly.Module.imports(m);
        if (imp.length) {
            console.error("build.sh: the module imports " +
                          imp.map(i => i.module + "." + i.name).join(", "));
            process.exit(1);
        }' "$tmp/rules.wasm"
fi
mkdir -p "$(dirname "$out")"
mv "$tmp/rules.wasm" "$out"
