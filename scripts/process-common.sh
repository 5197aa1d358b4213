# Sourced by the scripts that run servers: stopping a process by its pid file.

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
