#!/usr/bin/env bash
# Forwarder to the national database, long runs (the short versions are in the test suite).
#
#   scripts/forward-test.sh [OUTAGE_SECONDS]            default 60
#       The end-to-end fault test (tests/e2e/forward_e2e_pgtest.cpp) with a longer outage: every
#       sample and a stream of changes go through facilities -> gateway -> national stub with 20%
#       errors and lost answers; after recovery the stub must equal the gateway's store, with no
#       extra version and each person's order kept; then two gateway processes share one database.
#   scripts/forward-test.sh bench [OUTAGE_SECONDS] [RESOURCES] [LOAD]   defaults 600, 100000, 250
#       Release gateway + stub; gw-forward-bench measures resources/s delivered from a standing
#       backlog and the catch-up time after an outage under a steady load (resources/s), and
#       appends its row to docs/benchmarks.md.
# GW_FORWARD_BUILD_DIR=DIR uses the programs already built in DIR as they are (no configure, no build).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
scripts/setup.sh >/dev/null

tmp=$(mktemp -d /tmp/emr-gateway-forward.XXXXXX); chmod 755 "$tmp"
pids=()
cleanup() {
  local rc=$?
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done
  scripts/pg-cluster.sh stop "$tmp/pg" >/dev/null 2>&1 || true
  for d in "$tmp"/*/; do scripts/pg-cluster.sh kill "$d" >/dev/null 2>&1 || true; done
  rm -rf "$tmp"
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

pgport=$(scripts/pg-cluster.sh free-port)
scripts/pg-cluster.sh init "$tmp/pg" >/dev/null
scripts/pg-cluster.sh start "$tmp/pg" "$pgport" >/dev/null
server_dsn="host=127.0.0.1 port=$pgport user=postgres"

if [[ ${1:-} != bench ]]; then
  outage=${1:-60}
  build=${GW_FORWARD_BUILD_DIR:-build/forward-test}
  if [[ -z ${GW_FORWARD_BUILD_DIR:-} ]]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGW_BUILD_TESTS=ON -DGW_BUILD_BENCH=OFF >/dev/null
    cmake --build "$build" --target e2e_forward_pgtest emr-gateway national-db-stub
  fi
  export GW_TEST_PG_DSN="$server_dsn dbname=postgres" GW_TEST_TMPDIR="$tmp"
  export GW_TEST_PG_CLUSTER_TOOL="$root/scripts/pg-cluster.sh" GW_FORWARD_OUTAGE_SECONDS=$outage
  echo "forward-test: end-to-end with a ${outage} s outage of the national database"
  (cd "$build/tests/e2e" && ./e2e_forward_pgtest)
  exit $?
fi

outage=${2:-600}
resources=${3:-100000}
load=${4:-250}
build=${GW_FORWARD_BUILD_DIR:-build/release}
if [[ -z ${GW_FORWARD_BUILD_DIR:-} ]]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGW_BUILD_TESTS=ON -DGW_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build" --target emr-gateway national-db-stub gw-forward-bench
fi

psql -h 127.0.0.1 -p "$pgport" -U postgres -qAt -c "CREATE DATABASE emr_gateway" postgres
psql -h 127.0.0.1 -p "$pgport" -U postgres -qAt -c "CREATE DATABASE national_stub" postgres
scripts/gen-dev-certs.sh "$tmp/certs" >/dev/null
stub_cert=$tmp/certs/national-stub.crt; stub_key=$tmp/certs/national-stub.key
[[ -f $stub_cert ]] || { stub_cert=$tmp/certs/national.crt; stub_key=$tmp/certs/national.key; }

free() { scripts/pg-cluster.sh free-port; }
nport=$(free); nadmin=$(free); mllp=$(free); ingest=$(free); admin=$(free)
cat >"$tmp/national-stub.yaml" <<YAML
log_level: warn
io_threads: 2
listen:
  address: 127.0.0.1
  port: $nport
  tls: {certificate: $stub_cert, private_key: $stub_key, ca: $tmp/certs/ca.crt}
  limits: {read_timeout: 30s, idle_timeout: 60s, max_message_bytes: 64MiB}
admin: {address: 127.0.0.1, port: $nadmin}
clients: {subjects: ["CN=gateway.emr-gateway.test"]}
database: {dsn: "$server_dsn dbname=national_stub", connect_timeout: 2s}
YAML
"$build/gateway/national-db-stub" serve --config "$tmp/national-stub.yaml" >"$tmp/stub.log" 2>&1 &
pids+=($!)

export GW_CERT_DIR="$tmp/certs" GW_MLLP_PORT=$mllp GW_INGEST_PORT=$ingest GW_ADMIN_PORT=$admin GW_LOG_LEVEL=warn
export GW_DATABASE_URL="$server_dsn dbname=emr_gateway" GW_NATIONAL_ENABLED=true GW_NATIONAL_PORT=$nport
export GW_INSTANCE_NAME=bench
"$build/gateway/emr-gateway" serve --config config/gateway.yaml >"$tmp/gateway.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 150); do
  curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null && curl -sf "http://127.0.0.1:$nadmin/healthz" >/dev/null && break
  sleep 0.2
done
"$build/tests/tools/gw-forward-bench" --dsn "$GW_DATABASE_URL" --stub-admin-port "$nadmin" \
  --resources "$resources" --outage "$outage" --load "$load" --record docs/benchmarks.md \
  --command "${GW_FORWARD_BUILD_DIR:+GW_FORWARD_BUILD_DIR=$build }scripts/forward-test.sh bench $outage $resources $load"
curl -s "http://127.0.0.1:$admin/metrics" | grep -E '^gw_(forward|outbox)' || true
