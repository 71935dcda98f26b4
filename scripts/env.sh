# Sourced by the other scripts: the tools they need, first on PATH.
# npm's binaryen (wasm-opt 132) must come before any Debian wasm-opt: the old
# one silently breaks wasm-bindgen's output (see ../shared/toolchain.md).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/node_modules/.bin:$HOME/.cargo/bin:$PATH"
export WASM_BINDGEN_VERSION=0.2.130
export WASM_PACK_VERSION=0.15.1
# The browser builds rebuild std for size on this pinned nightly
# (scripts/build.sh); everything else uses stable.
export SIZE_TOOLCHAIN=nightly-2026-10-30
