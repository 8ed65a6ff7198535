#!/usr/bin/env bash
# Builds a Release with the Google Benchmark programs and runs them (never part of pass/fail).
#
#   scripts/bench.sh [FILTER]      run every *_bench program (FILTER = --benchmark_filter regex)
# Record figures you quote in docs/benchmarks.md with this command line and the date.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
build=build/bench
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGW_BUILD_BENCH=ON >/dev/null
cmake --build "$build" -j "${GW_JOBS:-$(nproc)}"
for b in $(find "$build/tests/bench" -maxdepth 1 -type f -name '*_bench' -perm -u+x | sort); do
  echo "== $(basename "$b")"
  if [[ $# -gt 0 ]]; then "$b" --benchmark_filter="$1"; else "$b"; fi
done
