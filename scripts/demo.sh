#!/usr/bin/env bash
# Runs the gateway demo in the foreground: installs dependencies, builds a release, keeps a local
# PostgreSQL cluster (created on first run, reused afterwards), makes development certificates,
# then runs `emr-gateway serve` with config/gateway.yaml. Ctrl-C stops everything it started.
#
# Ports (override with the environment): MLLP/TLS 2575, HTTPS ingest 8443, admin 8081 (localhost),
# PostgreSQL 55432 (localhost).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/setup.sh

build=${GW_DEMO_BUILD_DIR:-build/release}
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DGW_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j "${GW_JOBS:-$(nproc)}" --target emr-gateway

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

children=()
stop_all() {
  trap - EXIT INT TERM
  for pid in "${children[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${children[@]}"; do wait "$pid" 2>/dev/null || true; done
  if [[ $started_pg -eq 1 ]]; then scripts/pg-cluster.sh stop "$pgdir"; fi
  echo "demo: stopped"
}
trap stop_all EXIT
trap 'exit 0' INT TERM

echo "demo: PostgreSQL on 127.0.0.1:$pgport ($pgdir)"
echo "demo: gateway starting; try  curl http://127.0.0.1:${GW_ADMIN_PORT:-8081}/readyz   (Ctrl-C stops)"
"$build/gateway/emr-gateway" serve --config config/gateway.yaml &
children+=($!)
wait "${children[0]}"
