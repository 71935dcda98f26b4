#!/usr/bin/env bash
# Every test: installs what is missing, builds, then runs the Rust tests
# (native, wasm under Node, wasm in headless Chromium), the Node tests of the
# built package, and the conformance checker against the native program.
# Stops at the first failure.
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
SHARED="${TOOLMEMO_SHARED:-$ROOT/../shared}"

bash scripts/setup.sh
bash scripts/build.sh

echo "== cargo test (native, with the Redis store against a redis-server of its own;"
echo "   the stable fuzz drivers a minute per target: docs/reliability.md)"
TOOLMEMO_FUZZ_SECS="${TOOLMEMO_FUZZ_SECS:-60}" cargo test --release --features native,redis

echo "== wasm-pack test --node (the Rust tests compiled to wasm)"
wasm-pack test --node --release crate

echo "== wasm-pack test --headless --chrome (the shared vectors in Chromium)"
wasm-pack test --headless --chrome --release crate

echo "== node --test (the built package, from Node)"
node --test tests/

echo "== conformance checker against target/release/toolmemo"
for cases in "$SHARED"/conformance/*.jsonl tests/vectors/nipype-probes.jsonl; do
  # Cases that name a nipype interface instead of carrying a spec are the
  # nipype importer's (check_import.py), not the spec engine's.
  if ! head -n 1 "$cases" | python3 -c 'import json, sys; sys.exit("spec" not in json.loads(sys.stdin.read()))'; then
    echo "-- $cases: importer cases (no specs), not for the spec checker"
    continue
  fi
  echo "-- $cases"
  python3 "$SHARED/conformance/check_conformance.py" --show 10 "$cases" target/release/toolmemo cmdline
done
