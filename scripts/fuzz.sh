#!/usr/bin/env bash
# Coverage-guided fuzzing with clang's libFuzzer, on demand (the suite replays the corpora).
#
#   scripts/fuzz.sh                 list the fuzz targets
#   scripts/fuzz.sh TARGET [SECS]   fuzz TARGET (default 60 s); new inputs go to a scratch folder,
#                                   crashes to build/fuzz/crashes/. Add interesting finds to
#                                   tests/fuzz/corpus/TARGET/ so every test run replays them.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null

build=build/fuzz
CC=clang CXX=clang++ cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGW_FUZZ=ON -DGW_SANITIZE=address,undefined -DGW_BUILD_BENCH=OFF \
  -DGW_SANITIZE_EXCEPT=pointer-overflow >/dev/null
# pointer-overflow is left out: clang reports RapidJSON 1.1's internal stack computing null + n
# before its first allocation (third-party, harmless; GCC's sanitizer build in the suite keeps it).
targets=$(sed -n 's/.*gw_add_fuzz(\([a-z0-9_]*\).*/\1/p' tests/fuzz/*.cmake | sort)
if [[ $# -eq 0 ]]; then
  echo "fuzz targets:"; echo "$targets" | sed 's/^/  /'; exit 0
fi
target=$1; secs=${2:-60}
echo "$targets" | grep -qx "$target" || { echo "fuzz: unknown target '$target'" >&2; exit 2; }
cmake --build "$build" --target "${target}_fuzz"
scratch="$build/corpus/$target"; mkdir -p "$scratch" "$build/crashes"
bin=$(find "$build" -type f -name "${target}_fuzz" | head -1)
"$bin" -max_total_time="$secs" -artifact_prefix="$build/crashes/" -max_len=1048576 \
  "$scratch" "tests/fuzz/corpus/$target"
