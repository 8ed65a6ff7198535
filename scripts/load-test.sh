#!/usr/bin/env bash
# Load benchmark: a release gateway on a private PostgreSQL, 23 facility connections over
# MLLP/TLS and HTTPS for SECONDS (default 30), then the raw PostgreSQL limit measured by the same
# tool. Appends its row to docs/benchmarks.md.
#
#   scripts/load-test.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
secs=${1:-30}
scripts/setup.sh >/dev/null
build=build/release
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGW_BUILD_TESTS=ON -DGW_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" --target emr-gateway gw-load

tmp=$(mktemp -d /tmp/emr-gateway-load.XXXXXX); chmod 755 "$tmp"
gw_pid=""
cleanup() {
  [[ -n $gw_pid ]] && kill -TERM "$gw_pid" 2>/dev/null && wait "$gw_pid" 2>/dev/null || true
  scripts/pg-cluster.sh stop "$tmp/pg" || true
  rm -rf "$tmp"
}
trap cleanup EXIT

pgport=$(scripts/pg-cluster.sh free-port)
scripts/pg-cluster.sh init "$tmp/pg"
scripts/pg-cluster.sh start "$tmp/pg" "$pgport"
psql -h 127.0.0.1 -p "$pgport" -U postgres -qAt -c "CREATE DATABASE emr_gateway" postgres
scripts/gen-dev-certs.sh "$tmp/certs" >/dev/null

mllp=$(scripts/pg-cluster.sh free-port); ingest=$(scripts/pg-cluster.sh free-port); admin=$(scripts/pg-cluster.sh free-port)
export GW_CERT_DIR="$tmp/certs" GW_MLLP_PORT=$mllp GW_INGEST_PORT=$ingest GW_ADMIN_PORT=$admin GW_LOG_LEVEL=warn
export GW_DATABASE_URL="host=127.0.0.1 port=$pgport user=postgres dbname=emr_gateway"
"$build/gateway/emr-gateway" serve --config config/gateway.yaml >"$tmp/gateway.log" 2>&1 &
gw_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null && break
  sleep 0.2
done
"$build/tests/tools/gw-load" --mllp-port "$mllp" --ingest-port "$ingest" --certs "$tmp/certs" \
  --samples "$root/../shared/samples" --own-samples "$root/tests/samples" --dsn "$GW_DATABASE_URL" --seconds "$secs" \
  --record docs/benchmarks.md --command "scripts/load-test.sh $secs"
