#!/usr/bin/env bash
# Long, coverage-guided fuzzing with libFuzzer (what docs/reliability.md
# records): builds fuzz/ as cargo-fuzz does (SanitizerCoverage, AddressSanitizer
# on nightly; without ASan on stable) and runs each target for
# FUZZ_SECS seconds (default 600), JOBS targets at a time (default 1).
# The corpus starts from the conformance cases and vectors
# (crate/tests/fuzz_targets.rs writes it: TOOLMEMO_FUZZ_WRITE_CORPUS=fuzz/corpus).
#
#   bash scripts/fuzz-long.sh                  # every target, 10 minutes each
#   FUZZ_SECS=60 bash scripts/fuzz-long.sh render pyfmt
set -euo pipefail
source "$(dirname "$0")/env.sh"
cd "$ROOT"
SECS="${FUZZ_SECS:-600}"
JOBS="${JOBS:-1}"
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] || TARGETS=(spec pyfmt render encoding stored_entry)
TRIPLE=x86_64-unknown-linux-gnu
FLAGS="-Cpasses=sancov-module -Cllvm-args=-sanitizer-coverage-level=4 -Cllvm-args=-sanitizer-coverage-inline-8bit-counters -Cllvm-args=-sanitizer-coverage-pc-table -Cllvm-args=-sanitizer-coverage-trace-compares --cfg fuzzing -Cdebug-assertions -Coverflow-checks"
if rustup toolchain list | grep -q '^nightly'; then
  TOOLCHAIN=+nightly
  FLAGS="$FLAGS -Zsanitizer=address"
  echo "== libFuzzer with AddressSanitizer (nightly)"
else
  TOOLCHAIN=
  echo "== libFuzzer without AddressSanitizer (no nightly toolchain)"
fi
RUSTFLAGS="$FLAGS" cargo $TOOLCHAIN build --release --manifest-path fuzz/Cargo.toml --target "$TRIPLE" --bins
if [ ! -d fuzz/corpus ]; then
  TOOLMEMO_FUZZ_WRITE_CORPUS="$ROOT/fuzz/corpus" cargo test --release --features native --test fuzz_targets -- corpus_is_written
fi
mkdir -p fuzz/artifacts fuzz/logs
run() {
  local t="$1"
  mkdir -p "fuzz/corpus/$t" "fuzz/artifacts/$t"
  "fuzz/target/$TRIPLE/release/$t" -max_total_time="$SECS" -max_len=4096 -rss_limit_mb=2048 -timeout=10 \
    -print_final_stats=1 -artifact_prefix="fuzz/artifacts/$t/" "fuzz/corpus/$t" > "fuzz/logs/$t.log" 2>&1
  echo "-- $t: exit $?; $(grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "fuzz/logs/$t.log" | tail -1)"
}
pids=()
for t in "${TARGETS[@]}"; do
  run "$t" &
  pids+=($!)
  while [ "$(jobs -rp | wc -l)" -ge "$JOBS" ]; do sleep 5; done
done
wait
for t in "${TARGETS[@]}"; do
  echo "== $t"; grep -E 'DONE|stat::|ERROR|panicked|SUMMARY' "fuzz/logs/$t.log" | tail -8
  ls "fuzz/artifacts/$t" | sed 's/^/   crash: /'
done
