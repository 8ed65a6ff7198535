#!/usr/bin/env bash
# Runs every test: installs dependencies, builds with AddressSanitizer + UndefinedBehaviorSanitizer
# (warnings as errors), starts a private throwaway PostgreSQL 15 cluster, runs the whole suite with
# ctest, validates every FHIR resource the suite produced against the official R4 JSON schema, and
# always removes the cluster. Exits non-zero on any failure; a skipped test counts as a failure.
#
#   scripts/test.sh [ctest arguments...]     e.g. scripts/test.sh -R config
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/setup.sh

build=${GW_TEST_BUILD_DIR:-build/test-asan}
jobs=${GW_JOBS:-$(nproc)}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DGW_SANITIZE=address,undefined -DGW_WERROR=ON -DGW_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j "$jobs"

# A private cluster, removed on every exit path (success, failure, Ctrl-C).
pgdir=$(mktemp -d /tmp/emr-gateway-test.XXXXXX)
chmod 755 "$pgdir"
cleanup() {
  local rc=$?
  scripts/pg-cluster.sh stop "$pgdir/shared" || true
  # Clusters that tests made for themselves and left behind after a crash.
  for d in "$pgdir"/*/; do scripts/pg-cluster.sh kill "$d" >/dev/null 2>&1 || true; done
  rm -rf "$pgdir"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port=$(scripts/pg-cluster.sh free-port)
scripts/pg-cluster.sh init "$pgdir/shared"
scripts/pg-cluster.sh start "$pgdir/shared" "$port"
echo "test: PostgreSQL 15 on 127.0.0.1:$port (data in $pgdir/shared)"

export GW_TEST_PG_DSN="host=127.0.0.1 port=$port user=postgres dbname=postgres"
export GW_TEST_PG_CLUSTER_TOOL="$root/scripts/pg-cluster.sh"
export GW_TEST_TMPDIR="$pgdir"
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:strict_string_checks=1}
# Third-party leaks only (tests/lsan.supp says which and why).
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# FHIR output of this run only.
rm -rf "$build/test-out/fhir" && mkdir -p "$build/test-out/fhir"

log="$build/ctest.log"
status=0
ctest --test-dir "$build" --output-on-failure --no-tests=error -j "$jobs" -LE schema "$@" 2>&1 | tee "$log" || status=1
if [[ $# -eq 0 ]]; then
  # After everything else: the official R4 schema over every resource the suite wrote.
  # --no-tests=error: a build without node has no schema test, and that must not pass quietly.
  ctest --test-dir "$build" --output-on-failure --no-tests=error -L schema 2>&1 | tee -a "$log" || status=1
fi
if grep -Eq '\*\*\*Skipped|Not Run|\[  SKIPPED \]' "$log"; then
  echo "test: some tests were skipped or did not run; that counts as a failure" >&2
  status=1
fi
if ! grep -Eq '^[0-9]+% tests passed' "$log"; then
  echo "test: ctest ran no test" >&2
  status=1
fi
exit $status
