#!/usr/bin/env bash
# `npm run bench`: renders the same sampled conformance cases with nipype (the
# peer), the native build and the wasm build in Node, times Memory hits against
# lru-cache, memoizee, p-memoize, hash-wasm and node:crypto, a cached tool
# run's hit from Node against nipype's PipeFunc, the IndexedDB store against
# raw IndexedDB in Chromium, the native stores against joblib, all in one run,
# and rewrites the results tables of bench/README.md with the ratios.
#
#   BENCH_LIMIT=300 (cases)  BENCH_MS_PER_CASE=40 (native/wasm)  PEER_BUDGET=60 (s, nipype)
set -euo pipefail
source "$(dirname "$0")/../scripts/env.sh"
cd "$ROOT"
SHARED="${TOOLMEMO_SHARED:-$ROOT/../shared}"
OUT=bench/out
mkdir -p "$OUT"

bash scripts/setup.sh
bash scripts/build.sh
bash bench/peer/setup.sh

python3 bench/select_cases.py "$OUT/cases.jsonl" "${BENCH_LIMIT:-300}" "$SHARED"/conformance/*.jsonl
echo "== nipype (peer)"
NIPYPE_NO_ET=1 .venv-peers/bin/python bench/peer/bench_nipype.py --cases "$OUT/cases.jsonl" \
  --budget "${PEER_BUDGET:-60}" > "$OUT/nipype.json"
echo "== native"
cargo bench --quiet --features native --bench render > "$OUT/native.json"
echo "== wasm in Node"
node bench/render.mjs > "$OUT/wasm.json"
echo "== Memory hits in Node (vs lru-cache, memoizee, p-memoize, hash-wasm, node:crypto)"
node bench/memory.mjs > "$OUT/memory.json"
echo "== a cached tool run's hit (cp, 1.3 MB): toolmemo from Node vs nipype's PipeFunc"
NIPYPE_NO_ET=1 .venv-peers/bin/python bench/peer/bench_pipefunc.py > "$OUT/pipefunc.json"
node bench/hit.mjs "$OUT/pipefunc.json" > "$OUT/hit.json"
echo "== the IndexedDB store in Chromium vs raw IndexedDB"
node bench/idb.mjs > "$OUT/idb.json"
echo "== the native filesystem store vs joblib.Memory"
.venv-peers/bin/python bench/peer/bench_joblib.py > "$OUT/joblib.json"
cargo bench --quiet --features native --bench store > "$OUT/store.json"
echo "== eviction at scale: inserts under a limit at 400/20,000/100,000 entries, reduce to half (issue 15)"
cargo bench --quiet --features native --bench eviction > "$OUT/eviction.json"
node bench/eviction.mjs > "$OUT/eviction-node.json"
echo "== the Redis store on loopback vs the local filesystem store"
cargo bench --quiet --features redis --bench redis > "$OUT/redis.json"
python3 bench/report.py "$OUT" bench/README.md
