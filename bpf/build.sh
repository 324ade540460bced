#!/usr/bin/env bash
# Compiles every bpf/*.bpf.c into OUTPUT_DIR/<name>.bpf.o (BPF target, -O2, BTF kept with -g).
# Called by the dataplane-core Maven build (process-resources); usable by hand: bash bpf/build.sh /tmp/out
set -euo pipefail
out="${1:?usage: build.sh OUTPUT_DIR}"
src_dir="$(cd "$(dirname "$0")" && pwd)"
clang_bin="${CLANG:-clang}"
if ! command -v "$clang_bin" >/dev/null 2>&1; then
  echo "ERROR: clang not found: the BPF programs need it. Install the Debian packages: apt-get install clang llvm libbpf-dev" >&2
  exit 1
fi
if [ ! -f /usr/include/bpf/bpf_helpers.h ]; then
  echo "ERROR: /usr/include/bpf/bpf_helpers.h not found. Install the Debian package: apt-get install libbpf-dev" >&2
  exit 1
fi
multiarch="$(gcc -print-multiarch 2>/dev/null || echo x86_64-linux-gnu)"
mkdir -p "$out"
for c in "$src_dir"/*.bpf.c; do
  name="$(basename "$c" .c)"
  "$clang_bin" -O2 -g -Wall -Werror -target bpf -I"/usr/include/$multiarch" -c "$c" -o "$out/$name.o"
  echo "bpf: compiled $(basename "$c") -> $out/$name.o"
done
