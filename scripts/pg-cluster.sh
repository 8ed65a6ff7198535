#!/usr/bin/env bash
# Private PostgreSQL 15 clusters for tests and the demo (never the system cluster).
#
#   scripts/pg-cluster.sh init  DIR          create a cluster in DIR/data (socket in DIR)
#   scripts/pg-cluster.sh start DIR PORT     start it on 127.0.0.1:PORT, wait until it accepts
#   scripts/pg-cluster.sh stop  DIR          fast shutdown (no error when not running)
#   scripts/pg-cluster.sh kill  DIR          immediate shutdown (crash-like)
#   scripts/pg-cluster.sh free-port          print a free loopback TCP port
#
# PostgreSQL refuses to run as root: when run as root the server programs run as the `postgres`
# user, and DIR must be a folder that user can reach (for example under /tmp or /var/lib).
set -euo pipefail

bindir=$(pg_config --bindir 2>/dev/null || true)
[[ -x "$bindir/initdb" ]] || bindir=/usr/lib/postgresql/15/bin
[[ -x "$bindir/initdb" ]] || { echo "pg-cluster: PostgreSQL 15 server programs not found (run scripts/setup.sh)" >&2; exit 1; }

as_pg() {
  if [[ $(id -u) -eq 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

free_port() {
  local p
  for _ in $(seq 1 200); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>/dev/tcp/127.0.0.1/$p) 2>/dev/null; then echo "$p"; return 0; fi
  done
  echo "pg-cluster: no free port found" >&2
  return 1
}

cmd=${1:-}
case "$cmd" in
  init)
    dir=${2:?DIR}
    mkdir -p "$dir"
    if [[ $(id -u) -eq 0 ]]; then
      chown postgres:postgres "$dir"
      if ! runuser -u postgres -- test -w "$dir"; then
        echo "pg-cluster: the postgres user cannot reach $dir (a parent folder is private); use a folder under /tmp or /var/lib" >&2
        exit 1
      fi
    fi
    if [[ ! -f "$dir/data/PG_VERSION" ]]; then
      as_pg "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    fi
    ;;
  start)
    dir=${2:?DIR}; port=${3:?PORT}
    # Checkpoints: ingest's keys are random UUIDs, so after each checkpoint nearly every insert
    # writes a full page image of an index leaf (~6x the WAL of the row). Fewer checkpoints and
    # compressed page images keep that down; crash recovery replays more WAL. Durability is
    # unchanged (fsync and synchronous_commit stay on: an answered message is on disk).
    wal_opts="-c wal_compression=lz4 -c max_wal_size=4GB -c checkpoint_timeout=15min"
    as_pg "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
      -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=on -c max_connections=200 -c shared_buffers=256MB $wal_opts" \
      start >/dev/null || { tail -n 20 "$dir/server.log" >&2; exit 1; }
    ;;
  stop)
    dir=${2:?DIR}
    [[ -f "$dir/data/postmaster.pid" ]] || exit 0
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null 2>&1 || true
    ;;
  kill)
    dir=${2:?DIR}
    [[ -f "$dir/data/postmaster.pid" ]] || exit 0
    as_pg "$bindir/pg_ctl" -D "$dir/data" -m immediate -w -t 60 stop >/dev/null 2>&1 || true
    ;;
  free-port) free_port ;;
  *) sed -n '2,12p' "$0"; exit 2 ;;
esac
