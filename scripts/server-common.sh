# Sourced by the scripts that run ZenML servers (zenml-server.sh, zenml-mariadb.sh): a free
# port, one server started and waited for, a process stopped by its pid file.

# free_port PYTHON: a TCP port of 127.0.0.1 free now.
free_port() {
    "$1" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# launch_zenml_server NAME PYTHON PORT DATA STORE_URL SECRET_FILE LOG PIDFILE TIMEOUT:
# starts ZenML's server (PYTHON's uvicorn) on 127.0.0.1:PORT over the store STORE_URL, its
# client files under DATA, its output appended to LOG and its pid in PIDFILE, then waits up to
# TIMEOUT seconds for /health. The caller's own ZenML client settings are not the server's. If
# the server exits or does not answer in time, says so with the end of its log, stops it, and
# returns 1.
launch_zenml_server() {
    local name="$1" python="$2" port="$3" data="$4" store_url="$5" secret_file="$6" log="$7"
    local pidfile="$8" timeout="$9"
    mkdir -p "$data/config" "$data/stores" || return 1
    (
        cd "$(dirname "$pidfile")" || exit 1
        for variable in $(compgen -e | grep '^ZENML_STORE_'); do unset "$variable"; done
        ZENML_ANALYTICS_OPT_IN=false \
        ZENML_CONFIG_PATH="$data/config" \
        ZENML_LOCAL_STORES_PATH="$data/stores" \
        ZENML_STORE_URL="$store_url" \
        ZENML_SERVER=true \
        ZENML_SERVER_DEPLOYMENT_TYPE=other \
        ZENML_SERVER_AUTH_SCHEME=OAUTH2_PASSWORD_BEARER \
        ZENML_SERVER_AUTO_ACTIVATE=true \
        ZENML_SERVER_JWT_SECRET_KEY="$(cat "$secret_file")" \
        ZENML_LOGGING_VERBOSITY=WARN \
        nohup "$python" -m uvicorn zenml.zen_server.zen_server_api:app \
            --host 127.0.0.1 --port "$port" --log-level warning \
            >> "$log" 2>&1 &
        echo $! > "$pidfile"
    )
    local deadline=$((SECONDS + timeout))
    until "$python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/health', timeout=2)" 2>/dev/null; do
        if ! kill -0 "$(cat "$pidfile")" 2>/dev/null; then
            echo "$name exited; its log ($log) ends with:" >&2
            tail -n 30 "$log" >&2
            rm -f "$pidfile"
            return 1
        fi
        if [ $SECONDS -ge $deadline ]; then
            echo "$name did not answer /health within $timeout s; see $log" >&2
            stop_pid_file "$pidfile"
            return 1
        fi
        sleep 1
    done
}

# stop_pid_file FILE: asks the process FILE names to stop, waits up to 10 s, then kills it; the
# file is removed. A missing file or a process already gone is no error.
stop_pid_file() {
    local pidfile="$1" pid
    if [ -f "$pidfile" ]; then
        pid="$(cat "$pidfile")"
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.2
        done
        kill -9 "$pid" 2>/dev/null || true
    fi
    rm -f "$pidfile"
}
