#!/usr/bin/env bash
# Runs the Backstage side of the differential test outside the repository:
# npm packages and the PostgreSQL cluster live in $BACKSTAGE_RUN, the
# scripts read and write the repository's e2e/backstage.
#
#   e2e/backstage/run.sh install   # npm ci into $BACKSTAGE_RUN/app
#   e2e/backstage/run.sh gen       # rewrite catalog/ (gen-catalog.mjs)
#   e2e/backstage/run.sh record    # rewrite recorded.json (record.mjs)
#   e2e/backstage/run.sh speed     # rewrite speed.json (speed.mjs)
#
# BACKSTAGE_RUN   scratch directory (default ${TMPDIR:-/tmp}/callboard-backstage)
# PGHOST, PGPORT, PGUSER, PGPASSWORD
#                 an existing PostgreSQL server to use; when PGHOST is unset a
#                 cluster is created in $BACKSTAGE_RUN/pg (Debian's postgresql
#                 package, run as the postgres user when run as root),
#                 started on port ${PGPORT:-55432} and stopped afterwards
# BACKSTAGE_PORT, FILES_PORT   the backend's and the catalog server's ports
#                 (default 17007, 17008; the recording names 17008)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
run="${BACKSTAGE_RUN:-${TMPDIR:-/tmp}/callboard-backstage}"
app="$run/app"
mkdir -p "$app"

sync_app() {
  cp "$here"/package.json "$here"/package-lock.json "$here"/app-config.yaml "$here"/*.mjs "$app"/
}

install() {
  sync_app
  (cd "$app" && npm ci --no-audit --no-fund --loglevel=error)
}

ensure_installed() {
  if ! cmp -s "$here/package-lock.json" "$app/node_modules/.package-lock.json.copy" 2>/dev/null; then
    install
    cp "$here/package-lock.json" "$app/node_modules/.package-lock.json.copy"
  fi
  sync_app
}

pg_started=""
start_pg() {
  if [ -n "${PGHOST:-}" ]; then
    return
  fi
  export PGHOST=127.0.0.1 PGPORT="${PGPORT:-55432}" PGUSER=postgres
  local bin="${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
  if [ -z "$bin" ] || [ ! -x "$bin/initdb" ]; then
    echo "run.sh: PostgreSQL is not installed (apt-get install postgresql), and PGHOST is unset" >&2
    exit 1
  fi
  local as=()
  if [ "$(id -u)" = 0 ]; then
    as=(runuser -u postgres --)
  fi
  mkdir -p "$run/pg"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$run/pg"; fi
  if [ ! -f "$run/pg/data/PG_VERSION" ]; then
    # C.UTF-8: byte order, as SQLite compares; the recording names it.
    "${as[@]}" "$bin/initdb" -D "$run/pg/data" --locale=C.UTF-8 --encoding=UTF8 --auth=trust -U postgres >/dev/null
  fi
  if ! "${as[@]}" "$bin/pg_ctl" -D "$run/pg/data" status >/dev/null 2>&1; then
    "${as[@]}" "$bin/pg_ctl" -D "$run/pg/data" -l "$run/pg/log" -w \
      -o "-p $PGPORT -k $run/pg -c listen_addresses=127.0.0.1" start >/dev/null
    pg_started="$bin"
  fi
}

stop_pg() {
  if [ -n "$pg_started" ]; then
    local as=()
    if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
    "${as[@]}" "$pg_started/pg_ctl" -D "$run/pg/data" -m fast stop >/dev/null
  fi
}

cmd="${1:-}"
case "$cmd" in
  install)
    install
    ;;
  gen)
    ensure_installed
    (cd "$app" && E2E_DIR="$here" node gen-catalog.mjs)
    ;;
  record | speed)
    ensure_installed
    start_pg
    trap stop_pg EXIT
    (cd "$app" && E2E_DIR="$here" node "$cmd.mjs")
    ;;
  *)
    sed -n '2,20p' "$0" >&2
    exit 2
    ;;
esac
