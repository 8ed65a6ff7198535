#!/usr/bin/env bash
# Load benchmark: a release gateway on a private PostgreSQL, 23 facility connections over
# MLLP/TLS and HTTPS for SECONDS (default 30), then the raw PostgreSQL limit measured by the same
# tool. Appends its row to docs/benchmarks.md. Also prints the CPU (gateway, PostgreSQL) and the WAL
# per message stored during the load phase: steadier than messages/s on a shared machine.
#
#   scripts/load-test.sh [SECONDS]
#
# Settings (environment): GW_LOAD_BUILD_DIR (default build/release), GW_LOAD_PG=socket (default:
# the gateway and the raw measurement reach PostgreSQL over its Unix socket, as a gateway on the
# database host would) or tcp (loopback TCP), GW_LOAD_RECORD=0 (no row in docs/benchmarks.md, e.g.
# while profiling).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
secs=${1:-30}
scripts/setup.sh >/dev/null
build=${GW_LOAD_BUILD_DIR:-build/release}
pg_via=${GW_LOAD_PG:-socket}
[[ $pg_via == socket || $pg_via == tcp ]] || { echo "load-test: GW_LOAD_PG must be socket or tcp" >&2; exit 2; }
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGW_BUILD_TESTS=ON -DGW_BUILD_BENCH=OFF >/dev/null
cmake --build "$build" -j 2 --target emr-gateway gw-load

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
pghost=127.0.0.1
[[ $pg_via == socket ]] && pghost=$tmp/pg
export GW_DATABASE_URL="host=$pghost port=$pgport user=postgres dbname=emr_gateway"
"$build/gateway/emr-gateway" serve --config config/gateway.yaml >"$tmp/gateway.log" 2>&1 &
gw_pid=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$admin/readyz" >/dev/null && break
  sleep 0.2
done
# CPU seconds of the gateway and of the PostgreSQL server processes over the load phase (the
# first SECONDS of gw-load; the raw measurement follows it).
cpu_of() { awk '{ t += $14 + $15 } END { printf "%.2f", t / '"$(getconf CLK_TCK)"' }' "$@" 2>/dev/null || echo 0; }
# PostgreSQL: the postmaster with the CPU of its children that have exited (cutime + cstime, so a
# backend that ends during the run still counts), plus each live backend. A backend can exit
# between listing and reading: a stat file that is gone is skipped, not fatal to the sum.
pg_cpu() {
  local pm; pm=$(head -1 "$tmp/pg/data/postmaster.pid")
  { awk '{ print $14 + $15 + $16 + $17 }' "/proc/$pm/stat"
    for c in $(pgrep -P "$pm"); do cat "/proc/$c/stat" 2>/dev/null; done | awk '{ print $14 + $15 }'
  } | awk -v hz="$(getconf CLK_TCK)" '{ t += $1 } END { printf "%.2f", t / hz }'
}
# Per stored message: CPU and WAL (LSN difference) over the same window.
stored() { psql "$GW_DATABASE_URL" -qAt -c "SELECT count(*), pg_current_wal_lsn() FROM inbound_message"; }
(
  g0=$(cpu_of "/proc/$gw_pid/stat"); p0=$(pg_cpu); s0=$(stored)
  sleep "$secs"
  g1=$(cpu_of "/proc/$gw_pid/stat"); p1=$(pg_cpu); s1=$(stored)
  echo "load-test: CPU over the load phase: gateway $(awk "BEGIN { print $g1 - $g0 }") s, PostgreSQL $(awk "BEGIN { print $p1 - $p0 }") s (PostgreSQL via $pg_via)"
  psql "$GW_DATABASE_URL" -qAt -c "SELECT format('load-test: per message stored (%s): PostgreSQL %s ms, gateway %s ms of CPU, WAL %s KB', \
    n, round(($p1 - $p0) * 1000.0 / n, 3), round(($g1 - $g0) * 1000.0 / n, 3), \
    round(pg_wal_lsn_diff('${s1#*|}', '${s0#*|}') / 1024.0 / n, 1)) FROM (SELECT nullif(${s1%|*} - ${s0%|*}, 0) AS n) x"
) &
"$build/tests/tools/gw-load" --mllp-port "$mllp" --ingest-port "$ingest" --certs "$tmp/certs" \
  --samples "$root/../shared/samples" --own-samples "$root/tests/samples" --dsn "$GW_DATABASE_URL" --seconds "$secs" \
  $([[ ${GW_LOAD_RECORD:-1} == 0 ]] || echo --record docs/benchmarks.md) --command "GW_LOAD_PG=$pg_via scripts/load-test.sh $secs"
