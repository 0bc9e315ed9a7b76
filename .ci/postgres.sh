#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the tests: 127.0.0.1 only, trust auth, fsync off (test data only).
#
#   .ci/postgres.sh start   install PostgreSQL from Debian's packages if missing (needs root), init and start
#                           a cluster, and print the connection string to export as MLOPS_TEST_POSTGRES
#   .ci/postgres.sh stop    stop it and delete its data
#
# PGPORT (default 55432) and PGROOT (default /tmp/mlops-pg) choose where it runs. PostgreSQL refuses to run as
# root, so as root the server runs as the postgres user (runuser); as another user it runs as that user.
set -euo pipefail

port=${PGPORT:-55432}
root=${PGROOT:-/tmp/mlops-pg}

find_bin() {
    local dir
    for dir in /usr/lib/postgresql/*/bin; do
        [ -x "$dir/pg_ctl" ] && { echo "$dir"; return 0; }
    done
    return 1
}

as_owner() {
    if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

start() {
    local bin
    if ! bin=$(find_bin); then
        [ "$(id -u)" = 0 ] || { echo "PostgreSQL is not installed; run: sudo apt-get install -y postgresql" >&2; exit 1; }
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
        bin=$(find_bin)
    fi

    mkdir -p "$root"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$root"
    if [ ! -f "$root/data/PG_VERSION" ]; then
        as_owner "$bin/initdb" -D "$root/data" -U postgres -A trust -E UTF8 --no-locale >"$root/initdb.log"
    fi

    as_owner "$bin/pg_ctl" -D "$root/data" -l "$root/server.log" -w -t 60 \
        -o "-p $port -c listen_addresses=127.0.0.1 -k $root -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
        start >&2
    as_owner "$bin/pg_isready" -q -h 127.0.0.1 -p "$port" -t 30
    echo "Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres"
}

stop() {
    local bin
    bin=$(find_bin) || return 0
    if [ -f "$root/data/postmaster.pid" ]; then
        as_owner "$bin/pg_ctl" -D "$root/data" -m fast -w stop >&2 || true
    fi
    rm -rf "$root"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
