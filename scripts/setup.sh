#!/usr/bin/env bash
# Installs what building and testing toolmemo needs, skipping whatever is
# already there at the pinned version (a warm machine spends seconds here, a
# fresh one about 8 minutes compiling wasm-bindgen-cli and wasm-pack, and a
# minute installing Chromium).
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"

command -v cargo >/dev/null || { echo "setup: cargo not found; install Rust with rustup first" >&2; exit 1; }
command -v npm >/dev/null || { echo "setup: npm not found; install Node.js 20.16 or later first" >&2; exit 1; }
command -v python3 >/dev/null || { echo "setup: python3 not found (the conformance checker needs it)" >&2; exit 1; }

rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
# The browser builds' toolchain (scripts/build.sh) with std's source, to
# rebuild std for size: ~10 s and ~250 MB, once.
sysroot=$(rustup run "$SIZE_TOOLCHAIN" rustc --print sysroot 2>/dev/null || true)
if [ ! -d "$sysroot/lib/rustlib/src/rust/library" ] || [ ! -d "$sysroot/lib/rustlib/wasm32-unknown-unknown" ]; then
  rustup toolchain install "$SIZE_TOOLCHAIN" --profile minimal --component rust-src --target wasm32-unknown-unknown
fi

if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $WASM_BINDGEN_VERSION" ]; then
  # Not --locked: its lockfile wants a crate version the registry lacks.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --force
fi
if [ "$(wasm-pack --version 2>/dev/null)" != "wasm-pack $WASM_PACK_VERSION" ]; then
  cargo install wasm-pack --version "$WASM_PACK_VERSION" --locked --force
fi

# Browser tests run in Debian's Chromium through its chromedriver (never a
# downloaded browser: only package registries are reachable); the Redis store's
# tests start their own redis-server.
missing=()
command -v chromium >/dev/null || missing+=(chromium)
command -v chromedriver >/dev/null || missing+=(chromium-driver)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
  else
    echo "setup: install ${missing[*]} (Debian: apt-get install ${missing[*]})" >&2
    exit 1
  fi
fi

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
