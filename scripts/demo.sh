#!/usr/bin/env bash
# Runs the gateway demo in the foreground: installs dependencies, builds a release, keeps a local
# PostgreSQL cluster (created on first run, reused afterwards), makes development certificates,
# then runs the national database stub (`national-db-stub serve`, config/national-stub.yaml, its
# own database emr_national) and `emr-gateway serve` with config/gateway.yaml, forwarding to the
# stub. Ctrl-C stops everything it started.
#
# Ports (override with the environment): MLLP/TLS 2575, HTTPS ingest 8443, admin 8081 (localhost),
# national stub HTTPS 9643 and its admin 9644 (localhost), PostgreSQL 55432 (localhost).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/setup.sh

build=${GW_DEMO_BUILD_DIR:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGW_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "${GW_JOBS:-$(nproc)}" --target emr-gateway national-db-stub

scripts/gen-dev-certs.sh var/certs

# The embedded default database: a cluster of the project's own in var/pg, or, when run as root
# from a folder the postgres user cannot reach, under /var/lib/emr-gateway.
pgdir="$root/var/pg"
mkdir -p "$root/var"
if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$root/var" 2>/dev/null; then
  pgdir="/var/lib/emr-gateway/$(echo -n "$root" | sha256sum | cut -c1-12)/pg"
fi
pgport=${GW_PG_PORT:-55432}
scripts/pg-cluster.sh init "$pgdir"
started_pg=0
if ! [[ -f "$pgdir/data/postmaster.pid" ]]; then
  scripts/pg-cluster.sh start "$pgdir" "$pgport"
  started_pg=1
fi
psql_() { psql -h 127.0.0.1 -p "$pgport" -U postgres -v ON_ERROR_STOP=1 -qAt "$@"; }
if [[ -z $(psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'emr_gateway'") ]]; then
  psql_ -d postgres -c "CREATE DATABASE emr_gateway"
fi
export GW_DATABASE_URL="host=127.0.0.1 port=$pgport user=postgres dbname=emr_gateway"
# The national database stub: its own database in the same cluster; the gateway forwards to it.
if [[ -z $(psql_ -d postgres -c "SELECT 1 FROM pg_database WHERE datname = 'emr_national'") ]]; then
  psql_ -d postgres -c "CREATE DATABASE emr_national"
fi
export GW_NATIONAL_DATABASE_URL="host=127.0.0.1 port=$pgport user=postgres dbname=emr_national"
export GW_NATIONAL_PORT=${GW_NATIONAL_PORT:-9643}
export GW_NATIONAL_ADMIN_PORT=${GW_NATIONAL_ADMIN_PORT:-9644}
export GW_NATIONAL_ENABLED=${GW_NATIONAL_ENABLED:-true}

children=()
stop_all() {
  trap - EXIT INT TERM
  # Newest first, each waited for: the gateway drains (its forwarder too) before the national stub
  # it forwards to is stopped.
  for ((i = ${#children[@]} - 1; i >= 0; i--)); do
    kill -TERM "${children[$i]}" 2>/dev/null || true
    wait "${children[$i]}" 2>/dev/null || true
  done
  if [[ $started_pg -eq 1 ]]; then scripts/pg-cluster.sh stop "$pgdir"; fi
  echo "demo: stopped"
}
trap stop_all EXIT
trap 'exit 0' INT TERM

echo "demo: PostgreSQL on 127.0.0.1:$pgport ($pgdir)"
"$build/gateway/national-db-stub" serve --config config/national-stub.yaml &
children+=($!)
for _ in $(seq 1 120); do
  if curl -fsS "http://127.0.0.1:$GW_NATIONAL_ADMIN_PORT/readyz" >/dev/null 2>&1; then break; fi
  if ! kill -0 "${children[0]}" 2>/dev/null; then echo "demo: national-db-stub did not start" >&2; exit 1; fi
  sleep 0.5
done
echo "demo: national database stub on https://127.0.0.1:$GW_NATIONAL_PORT/fhir (admin: curl http://127.0.0.1:$GW_NATIONAL_ADMIN_PORT/admin/stats)"
echo "demo: gateway starting; try  curl http://127.0.0.1:${GW_ADMIN_PORT:-8081}/readyz   (Ctrl-C stops)"
"$build/gateway/emr-gateway" serve --config config/gateway.yaml &
gateway_pid=$!
children+=($gateway_pid)
wait "$gateway_pid"
