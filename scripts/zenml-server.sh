#!/usr/bin/env bash
# A local ZenML server for the live tests and for trying the ZenML sink.
#
#   scripts/zenml-server.sh start    install (once) and start; prints the server's URL
#   scripts/zenml-server.sh stop     stop it
#   scripts/zenml-server.sh restart  stop, then start on the same port with the same data
#   scripts/zenml-server.sh url      the running server's URL
#   scripts/zenml-server.sh status   whether it runs
#   scripts/zenml-server.sh python   the venv's python (for the checks that use ZenML's client)
#
# Everything lives under $ZENML_SERVER_DIR (default: target/zenml-server in the project):
# the venv with zenml[server]==$ZENML_VERSION (or $ZENML_VENV, to share one between servers),
# the server's database, its log, its pid and port.
# The server listens on 127.0.0.1 only, makes no outbound connections, and auto-activates the
# user `default` with an empty password.
set -euo pipefail

ZENML_VERSION="${ZENML_VERSION:-0.98.0}"
root="$(cd "$(dirname "$0")/.." && pwd)"
# shellcheck source=scripts/server-common.sh
. "$root/scripts/server-common.sh"
dir="${ZENML_SERVER_DIR:-$root/target/zenml-server}"
venv="${ZENML_VENV:-$dir/venv}"
data="$dir/data"
log="$dir/server.log"
pidfile="$dir/server.pid"
portfile="$dir/server.port"
python_bin="${PYTHON:-python3}"

mkdir -p "$dir"

install() {
    if [ -x "$venv/bin/python" ] &&
        "$venv/bin/python" -c "import zenml, sys; sys.exit(zenml.__version__ != '$ZENML_VERSION')" 2>/dev/null; then
        return
    fi
    echo "installing zenml[server]==$ZENML_VERSION into $venv" >&2
    "$python_bin" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade pip >&2
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "zenml[server]==$ZENML_VERSION" >&2
}

running() {
    [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null
}

url() {
    echo "http://127.0.0.1:$(cat "$portfile")"
}

start() {
    install
    if running; then
        url
        return
    fi
    local port
    if [ "${1:-}" = "same-port" ] && [ -f "$portfile" ]; then
        port="$(cat "$portfile")"
    else
        port="$(free_port "$venv/bin/python")"
    fi
    echo "$port" > "$portfile"
    local secret_file="$dir/jwt-secret"
    mkdir -p "$data"
    [ -f "$secret_file" ] || "$venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))' > "$secret_file"
    # Its store is the SQLite file below, whatever the user's own ZenML client uses.
    launch_zenml_server "the ZenML server" "$venv/bin/python" "$port" "$data" \
        "sqlite:///$data/zenml.db" "$secret_file" "$log" "$pidfile" 180 || exit 1
    url
}

stop() {
    stop_pid_file "$pidfile"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    restart) stop; start same-port ;;
    url) running && url || { echo "not running" >&2; exit 1; } ;;
    status) running && echo "running at $(url)" || { echo "not running"; exit 1; } ;;
    python) install; echo "$venv/bin/python" ;;
    *) sed -n '2,15p' "$0" >&2; exit 2 ;;
esac
