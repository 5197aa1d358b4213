#!/usr/bin/env bash
# ZenML's production shape for the tests: its server on MariaDB, two server processes on two
# ports over one database (as replicas behind a load balancer scale it).
#
#   scripts/zenml-mariadb.sh start   install (once) and start MariaDB and both servers on an
#                                    empty database; prints the two servers' URLs, one a line
#   scripts/zenml-mariadb.sh stop    stop the servers and MariaDB
#   scripts/zenml-mariadb.sh urls    the running servers' URLs
#   scripts/zenml-mariadb.sh sql Q   runs the SQL Q on ZenML's database; tab-separated rows
#
# Everything lives under $ZENML_MARIADB_DIR (default: target/zenml-mariadb in the project).
# MariaDB is Debian's mariadb-server, run unprivileged in that folder on a loopback port; the
# servers share the venv of scripts/zenml-server.sh. The first server starts alone on the empty
# database and migrates it; then the second. Nothing listens beyond 127.0.0.1.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/server-common.sh
. "$root/scripts/server-common.sh"
dir="${ZENML_MARIADB_DIR:-$root/target/zenml-mariadb}"
data="$dir/mysql"
sock="$dir/mysqld.sock"
password="zenml-test-only"
mkdir -p "$dir"

install_mariadb() {
    command -v mariadbd >/dev/null && command -v mariadb >/dev/null && return
    echo "installing Debian's mariadb-server" >&2
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo="sudo"
    $sudo apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
        mariadb-server mariadb-client >&2
}

sql() {
    mariadb --no-defaults --socket="$sock" -uroot -B -N "$@"
}

start_mariadb() {
    if [ -f "$dir/mysqld.pid" ] && kill -0 "$(cat "$dir/mysqld.pid")" 2>/dev/null; then
        return
    fi
    if [ ! -d "$data/mysql" ]; then
        mariadb-install-db --no-defaults --datadir="$data" \
            --auth-root-authentication-method=normal >"$dir/install.log" 2>&1
    fi
    local user=()
    [ "$(id -u)" = 0 ] && user=(--user=root)
    local port
    port="$(free_port "$python")"
    echo "$port" > "$dir/mysqld.port"
    nohup mariadbd --no-defaults --datadir="$data" --socket="$sock" --port="$port" \
        --bind-address=127.0.0.1 --pid-file="$dir/mysqld.pid" "${user[@]}" \
        >"$dir/mysqld.log" 2>&1 &
    for _ in $(seq 120); do
        sql -e "SELECT 1" >/dev/null 2>&1 && return
        sleep 0.5
    done
    echo "MariaDB did not start; its log ($dir/mysqld.log) ends with:" >&2
    tail -n 20 "$dir/mysqld.log" >&2
    exit 1
}

# start_server N: the N-th server process on the shared database.
start_server() {
    local n="$1" port
    port="$(free_port "$python")"
    echo "$port" > "$dir/server$n.port"
    launch_zenml_server "ZenML server $n" "$python" "$port" "$dir/server$n" \
        "mysql://zenml:$password@127.0.0.1:$(cat "$dir/mysqld.port")/zenml" \
        "$dir/jwt-secret" "$dir/server$n.log" "$dir/server$n.pid" 240 || exit 1
}

urls() {
    for n in 1 2; do echo "http://127.0.0.1:$(cat "$dir/server$n.port")"; done
}

stop() {
    for pidfile in "$dir/server1.pid" "$dir/server2.pid" "$dir/mysqld.pid"; do
        stop_pid_file "$pidfile"
    done
}

start() {
    install_mariadb
    python="$("$root/scripts/zenml-server.sh" python)"
    stop
    start_mariadb
    # An empty database each time: the tests count rows from a fresh start.
    sql -e "DROP DATABASE IF EXISTS zenml; CREATE DATABASE zenml;
            CREATE USER IF NOT EXISTS 'zenml'@'127.0.0.1' IDENTIFIED BY '$password';
            GRANT ALL ON zenml.* TO 'zenml'@'127.0.0.1'; FLUSH PRIVILEGES;"
    [ -f "$dir/jwt-secret" ] || "$python" -c 'import secrets; print(secrets.token_hex(32))' > "$dir/jwt-secret"
    # The first server migrates the empty database alone; then the second joins it.
    start_server 1
    start_server 2
    urls
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    urls) urls ;;
    sql) shift; sql zenml -e "$1" ;;
    *) sed -n '2,14p' "$0" >&2; exit 2 ;;
esac
