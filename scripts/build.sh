#!/usr/bin/env bash
# Builds the wasm package for Node (pkg/node) and for browsers and bundlers
# (pkg/web), and the native `toolmemo` program (target/release/toolmemo).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

for target in nodejs web; do
  out=$([ "$target" = nodejs ] && echo node || echo web)
  wasm-pack --quiet build crate --release --target "$target" --out-dir "../pkg/$out" --out-name toolmemo
done
cargo build --release --features native
