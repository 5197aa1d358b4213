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
# shellcheck source=scripts/process-common.sh
. "$root/scripts/process-common.sh"
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

free_port() {
    "$venv/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
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
        port="$(free_port)"
    fi
    echo "$port" > "$portfile"
    mkdir -p "$data/config" "$data/stores"
    local secret_file="$dir/jwt-secret"
    [ -f "$secret_file" ] || "$venv/bin/python" -c 'import secrets; print(secrets.token_hex(32))' > "$secret_file"
    (
        cd "$dir"
        # The user's own ZenML client settings (a store URL, a username, a password for a remote
        # server) are not this server's: its store is the SQLite file below.
        for name in $(compgen -e | grep '^ZENML_STORE_'); do unset "$name"; done
        ZENML_ANALYTICS_OPT_IN=false \
        ZENML_CONFIG_PATH="$data/config" \
        ZENML_LOCAL_STORES_PATH="$data/stores" \
        ZENML_STORE_URL="sqlite:///$data/zenml.db" \
        ZENML_SERVER=true \
        ZENML_SERVER_DEPLOYMENT_TYPE=other \
        ZENML_SERVER_AUTH_SCHEME=OAUTH2_PASSWORD_BEARER \
        ZENML_SERVER_AUTO_ACTIVATE=true \
        ZENML_SERVER_JWT_SECRET_KEY="$(cat "$secret_file")" \
        ZENML_LOGGING_VERBOSITY=WARN \
        nohup "$venv/bin/python" -m uvicorn zenml.zen_server.zen_server_api:app \
            --host 127.0.0.1 --port "$port" --log-level warning \
            >> "$log" 2>&1 &
        echo $! > "$pidfile"
    )
    local deadline=$((SECONDS + 180))
    until "$venv/bin/python" -c "import urllib.request, sys; urllib.request.urlopen('$(url)/health', timeout=2)" 2>/dev/null; do
        if ! running; then
            echo "the ZenML server exited; its log ($log) ends with:" >&2
            tail -n 30 "$log" >&2
            exit 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            echo "the ZenML server did not answer /health within 180 s; see $log" >&2
            stop
            exit 1
        fi
        sleep 1
    done
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
