#!/usr/bin/env bash
# How long a step waits for its metadata when the ZenML server is far away: this project's
# sink delivering in the background, the same sink delivering synchronously, and ZenML 0.98.0's
# own Python client, through a loopback stub that adds a round trip to every request and every
# new connection in front of the server `scripts/zenml-server.sh` starts.
#
#   scripts/bench-latency.sh
#
# For each round trip in $BENCH_RTTS (default "0 50 200", milliseconds):
#   - step wait, ours: a run of $BENCH_STEPS steps (10) with the three components of
#     `zenml_compare` (10 keys each, on every step), $BENCH_REPS runs (3) per mode: into the
#     store alone, then a ZenmlSink delivering in the background, then synchronously; every
#     step's time (start, hooks, three publishes, end) is kept;
#   - step wait, ZenML's client: the three publishes of one step (3 requests; its step runner
#     also registers and ends the step, not counted here), $BENCH_REPS batches of 3 calls after
#     one of warm-up;
#   - the whole three-step run from process start to exit, $BENCH_REPS each: ZenML's client
#     (`bench_zenml.py run`) and ours (`zenml_compare sink-run`, background delivery, which also
#     reports when its steps were done and how long the end of the run waited for delivery).
# Then, at no added round trip: a server that goes away after 8 requests, mid-run (background
# delivery, the run's steps against the store alone), and 8 publishers of one process counted
# by the stub (logins).
#
# Results (JSON lines) go to $BENCH_OUT/latency.jsonl (default target/bench-zenml); the table
# is printed at the end (`scripts/bench_latency_table.py`).
set -euo pipefail

cd "$(dirname "$0")/.."

rtts="${BENCH_RTTS:-0 50 200}"
steps_n="${BENCH_STEPS:-10}"
reps="${BENCH_REPS:-3}"
out="${BENCH_OUT:-target/bench-zenml}"

server_was_running=0
scripts/zenml-server.sh status >/dev/null 2>&1 && server_was_running=1
server="$(scripts/zenml-server.sh start | tail -n 1)"
py="$(scripts/zenml-server.sh python | tail -n 1)"

echo "building zenml_compare (release)" >&2
cargo build --release --quiet -p run-metadata-benches --bin zenml_compare
bin="${CARGO_TARGET_DIR:-target}/release/zenml_compare"

mkdir -p "$out"
results="$out/latency.jsonl"
: > "$results"
work="$(mktemp -d)"
stub_pid=""

cleanup() {
    if [ -n "$stub_pid" ]; then
        kill "$stub_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
    if [ "$server_was_running" = 0 ]; then
        scripts/zenml-server.sh stop || true
    fi
}
trap cleanup EXIT

export ZENML_STORE_USERNAME="${ZENML_STORE_USERNAME:-default}"
export ZENML_STORE_PASSWORD="${ZENML_STORE_PASSWORD:-}"
export ZENML_ANALYTICS_OPT_IN=false
export ZENML_LOGGING_VERBOSITY=WARN
export PYTHONDONTWRITEBYTECODE=1
unset ZENML_STORE_API_KEY ZENML_ACTIVE_PROJECT_ID ZENML_ACTIVE_STACK_ID RUN_METADATA_DELIVERY \
    RUN_METADATA_DELIVERY_TIMEOUT

tag() {
    "$py" scripts/bench_zenml.py tag "$results" "$@"
}

timed() {
    "$py" scripts/bench_zenml.py time "$results" "$@"
}

# The stub with options "$@"; sets `stub_url` and points both clients at it, each process with
# ZenML's configuration in a folder of the benchmark's own.
start_stub() {
    "$bin" stub "$@" > "$work/stub.url" &
    stub_pid=$!
    local tries=0
    until [ -s "$work/stub.url" ]; do
        tries=$((tries + 1))
        if [ "$tries" -gt 100 ]; then
            echo "the stub did not start" >&2
            exit 1
        fi
        sleep 0.1
    done
    stub_url="$(head -n 1 "$work/stub.url")"
    export ZENML_STORE_URL="$stub_url"
    export ZENML_CONFIG_PATH="$work/config-$stub_pid"
    mkdir -p "$ZENML_CONFIG_PATH"
}

stop_stub() {
    kill "$stub_pid" 2>/dev/null || true
    wait "$stub_pid" 2>/dev/null || true
    stub_pid=""
    rm -f "$work/stub.url"
}

# The steps and components ZenML's client publishes to, made straight on the server.
line="$(ZENML_STORE_URL="$server" "$bin" setup 1 10)"
steps="$(sed -n 's/^steps=//p' <<< "$line")"
components="$(sed -n 's/^components=//p' <<< "$line")"

for rtt in $rtts; do
    echo "round trip $rtt ms" >&2
    start_stub --upstream "$server" --rtt-ms "$rtt"
    # ZenML's client writes its configuration in its first process.
    "$py" scripts/bench_zenml.py publish "$steps" "$components" 1 1 0 >/dev/null
    for rep in $(seq "$reps"); do
        for mode in store background sync; do
            "$bin" step-wait "$work/wait-$rtt-$mode-$rep.db" "$mode" "$steps_n" \
                | tag "rtt_ms=$rtt"
        done
        "$py" scripts/bench_zenml.py publish "$steps" "$components" 3 1 1 \
            | tag "rtt_ms=$rtt" case=step-wait client=zenml
        timed case=run client=zenml "rtt_ms=$rtt" -- \
            "$py" scripts/bench_zenml.py run "$components"
        timed case=run client=rust "rtt_ms=$rtt" -- \
            "$bin" sink-run "$work/run-$rtt-$rep.db"
        "$bin" sink-run "$work/run-inner-$rtt-$rep.db" | tag "rtt_ms=$rtt"
    done
    stop_stub
done

echo "a server that goes away mid-run" >&2
for rep in $(seq "$reps"); do
    start_stub --upstream "$server" --down-after 8
    RUN_METADATA_DELIVERY_TIMEOUT=2 "$bin" step-wait "$work/gone-$rep.db" background "$steps_n" \
        | tag rtt_ms=0 server=gone
    stop_stub
done

echo "8 publishers of one process, counted" >&2
line="$(ZENML_STORE_URL="$server" "$bin" setup 8 10)"
steps="$(sed -n 's/^steps=//p' <<< "$line")"
start_stub --upstream "$server"
"$bin" concurrent "$steps" "$components" 8 10 >/dev/null
"$bin" counts "$stub_url" | tag case=requests "what=8 publishers of one process x 10 step publishes"
stop_stub

"$py" scripts/bench_latency_table.py "$results"
