#!/usr/bin/env bash
# The long crash test: kill -9 the gateway at random moments while 4 facilities send over
# MLLP/TLS; checks every acknowledged message is stored exactly once and prints the counts.
#
#   scripts/crash-test.sh [MESSAGES] [KILLS]     (defaults 20000 and 5)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
build=build/crash
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGW_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target e2e_crash_pgtest emr-gateway
tmp=$(mktemp -d /tmp/emr-gateway-crash.XXXXXX); chmod 755 "$tmp"
trap 'for d in "$tmp"/*/; do scripts/pg-cluster.sh kill "$d" >/dev/null 2>&1 || true; done; rm -rf "$tmp"' EXIT
GW_TEST_PG_CLUSTER_TOOL="$PWD/scripts/pg-cluster.sh" GW_TEST_TMPDIR="$tmp" \
GW_CRASH_MESSAGES=${1:-20000} GW_CRASH_KILLS=${2:-5} \
  "$build/tests/e2e/e2e_crash_pgtest" --gtest_filter='crash.*'
