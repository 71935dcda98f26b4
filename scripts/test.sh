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
# The page's real tools, made by the nipype importer (page.test.mjs checks them).
bash scripts/nipype-specs.sh

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

echo "== the nipype importer (python/): installed with pip into a venv with nipype 1.12.0,"
echo "   its own tests, then every interface it exports checked against nipype's cases"
echo "   (natively with check_import.py, and in wasm under Node): none may be wrong"
bash bench/peer/setup.sh
PY="$ROOT/.venv-peers/bin/python"
"$PY" -m pip install --quiet --no-deps --force-reinstall ./python
(cd python && TOOLMEMO_BIN="$ROOT/target/release/toolmemo" "$PY" -m unittest discover -s tests)
rm -rf target/nipype-specs
FSLOUTPUTTYPE=NIFTI_GZ "$PY" -m toolmemo_nipype export --all --out target/nipype-specs
# Command-line interfaces (issue 16): the checker's own gate (>= 75% covered,
# none wrong) must hold.
python3 "$SHARED/conformance/check_import.py" "$SHARED/conformance/nipype-all-dev.jsonl" target/nipype-specs \
  "$ROOT/target/release/toolmemo"
# SPM interfaces (issue 18): their MATLAB batch scripts, `toolmemo script`; the
# checker's own gate (>= 75% covered, none wrong) must hold.
python3 "$SHARED/conformance/check_import.py" "$SHARED/conformance/nipype-all-dev.jsonl" target/nipype-specs \
  "$ROOT/target/release/toolmemo" --matlab
node tests/import_check.mjs "$SHARED/conformance/nipype-all-dev.jsonl" target/nipype-specs
