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

results_file=latency.jsonl
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

# The stub with options "$@" (`start_stub`), both clients pointed at it.
stub_for_both() {
    start_stub "$@"
    against "$stub_url" "stub-$stub_pid"
}

# The steps and components ZenML's client publishes to, made straight on the server.
ZENML_STORE_URL="$server" setup 1 10

for rtt in $rtts; do
    echo "round trip $rtt ms" >&2
    stub_for_both --upstream "$server" --rtt-ms "$rtt"
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
    stub_for_both --upstream "$server" --down-after 8
    RUN_METADATA_DELIVERY_TIMEOUT=2 "$bin" step-wait "$work/gone-$rep.db" background "$steps_n" \
        | tag rtt_ms=0 server=gone
    stop_stub
done

echo "8 publishers of one process, counted" >&2
ZENML_STORE_URL="$server" setup 8 10
stub_for_both --upstream "$server"
"$bin" concurrent "$steps" "$components" 8 10 >/dev/null
"$bin" counts "$stub_url" | tag case=requests "what=8 publishers of one process x 10 step publishes"
stop_stub

"$py" scripts/bench_latency_table.py "$results"
