#!/usr/bin/env bash
# This project's ZenML client against ZenML's own Python client, on the same local server, in
# one run:
#
#   (a) publishing one step's metadata for 3 components of 10 keys (3 requests), warm, per call;
#   (b) a whole three-step run registered and published, from process start to exit;
#   (c) 8 concurrent publishers x 100 step publishes each: throughput, and the entries lost
#       (read back from the server; must be 0).
#
# (a) and (b) are measured twice: against the server `scripts/zenml-server.sh` starts, and
# against a loopback stub that answers every request at once with the server's own answers
# (recorded first), so that each client's own cost is seen apart from the server's. The
# requests and connections of each client are counted by the stub in front of the server.
#
#   scripts/bench-zenml.sh
#
# Our side is `zenml_compare` (benches/src/bin/zenml_compare.rs, built in release); ZenML's
# is scripts/bench_zenml.py, run with the server's venv. Sizes and repetitions can be set:
# BENCH_REPS (5: processes of (a), one warm batch each, and runs of (b), per client and
# target), BENCH_C_REPS (3: runs of (c) per client), BENCH_A_N and BENCH_A_WARM (20 calls per
# batch after 10 on the server), BENCH_A_STUB_N and BENCH_A_STUB_WARM (500 after 100 on the
# stub), BENCH_C_PUBLISHERS (8), BENCH_C_M (100), BENCH_ZENML_PROCESSES (1: (c) also with
# ZenML's publishers as processes; 0: threads only). The clients take turns going first. Results
# (JSON lines) and the table go to $BENCH_OUT (default target/bench-zenml). Medians are
# reported; each ratio is ZenML's time over ours.
set -euo pipefail

cd "$(dirname "$0")/.."

reps="${BENCH_REPS:-5}"
c_reps="${BENCH_C_REPS:-3}"
a_n="${BENCH_A_N:-20}"
a_warm="${BENCH_A_WARM:-10}"
a_stub_n="${BENCH_A_STUB_N:-500}"
a_stub_warm="${BENCH_A_STUB_WARM:-100}"
c_publishers="${BENCH_C_PUBLISHERS:-8}"
c_m="${BENCH_C_M:-100}"
zenml_processes="${BENCH_ZENML_PROCESSES:-1}"
out="${BENCH_OUT:-target/bench-zenml}"

results_file=results.jsonl
# shellcheck source=scripts/bench-common.sh
. scripts/bench-common.sh

# The requests the stub has seen since last asked, tagged with "$@".
counted() {
    "$bin" counts "$stub_url" | tag case=requests "$@"
}

# Its arguments after the first, rotated by the first: who goes first changes from one
# repetition to the next, so that neither client always meets the server as the other left it.
rotated() {
    local k="$1"
    shift
    local items=("$@")
    local n=${#items[@]}
    local i
    for ((i = 0; i < n; i++)); do
        echo "${items[$(((i + k) % n))]}"
    done
}

# One process of (a) for client $1 against $2: $5 calls of warm-up, then one batch of $4.
publish_batch() {
    case "$1" in
        zenml) "$py" scripts/bench_zenml.py publish "$3" "$components" "$4" 1 "$5" ;;
        rust) "$bin" publish "$3" "$components" "$4" 1 "$5" ;;
    esac | tag "client=$1" "target=$2"
}

# One run of (b) for client $1 against $2, timed from process start to exit.
run_timed() {
    case "$1" in
        zenml)
            timed case=run client=zenml "target=$2" -- \
                "$py" scripts/bench_zenml.py run "$components"
            ;;
        rust) timed case=run client=rust "target=$2" -- "$bin" run "$components" ;;
    esac
}

# --- Requests per run: both clients through the counting stub, in front of the server. ---
echo "counting requests through the stub in front of $server" >&2
start_stub --upstream "$server" --record "$work/canned.json"
against "$stub_url" proxy
# One run each first: ZenML's client writes its configuration in the first process, and the
# stub records the server's answer to every request either client makes.
setup 1 10
"$py" scripts/bench_zenml.py run "$components" >/dev/null
"$bin" run "$components" >/dev/null
"$bin" counts "$stub_url" >/dev/null
"$py" scripts/bench_zenml.py run "$components" >/dev/null
counted client=zenml "what=(b) one three-step run, process start to exit"
"$bin" run "$components" >/dev/null
counted client=rust "what=(b) one three-step run, process start to exit"
"$py" scripts/bench_zenml.py publish "$steps" "$components" 10 1 0 >/dev/null
counted client=zenml "what=(a) one process, 10 calls"
"$bin" publish "$steps" "$components" 10 1 0 >/dev/null
counted client=rust "what=(a) one process, 10 calls"
setup "$c_publishers" 10
"$bin" counts "$stub_url" >/dev/null
"$py" scripts/bench_zenml.py concurrent "$steps" "$components" "$c_publishers" 10 >/dev/null
counted client=zenml "what=(c) $c_publishers publishers x 10 step publishes, threads"
"$py" scripts/bench_zenml.py concurrent "$steps" "$components" "$c_publishers" 10 processes \
    >/dev/null
counted client=zenml "what=(c) $c_publishers publishers x 10 step publishes, processes"
"$bin" concurrent "$steps" "$components" "$c_publishers" 10 >/dev/null
counted client=rust "what=(c) $c_publishers publishers x 10 step publishes"
stop_stub

# --- The clients' own cost: the stub answers at once, with the server's recorded answers. ---
echo "measuring against the stub" >&2
start_stub --replay "$work/canned.json"
against "$stub_url" stub
"$py" scripts/bench_zenml.py run "$components" >/dev/null
"$bin" run "$components" >/dev/null
for rep in $(seq "$reps"); do
    for who in $(rotated "$rep" zenml rust); do
        publish_batch "$who" stub "$steps" "$a_stub_n" "$a_stub_warm"
    done
    for who in $(rotated "$rep" zenml rust); do
        run_timed "$who" stub
    done
done
stop_stub

# --- End to end, against the server. ---
echo "measuring against the server at $server" >&2
against "$server" server
setup 1 3
"$py" scripts/bench_zenml.py run "$components" >/dev/null
"$bin" run "$components" >/dev/null
for rep in $(seq "$reps"); do
    for who in $(rotated "$rep" zenml rust); do
        setup 1 $((a_warm + a_n))
        publish_batch "$who" server "$steps" "$a_n" "$a_warm"
    done
    for who in $(rotated "$rep" zenml rust); do
        run_timed "$who" server
    done
done
publishers="zenml:threads rust:threads"
[ "$zenml_processes" = 1 ] && publishers="zenml:threads zenml:processes rust:threads"
for rep in $(seq "$c_reps"); do
    for who in $(rotated "$rep" $publishers); do
        setup "$c_publishers" "$c_m"
        case "$who" in
            zenml:*)
                "$py" scripts/bench_zenml.py concurrent "$steps" "$components" "$c_publishers" \
                    "$c_m" "${who#zenml:}" | tag client=zenml target=server
                ;;
            rust:*)
                "$bin" concurrent "$steps" "$components" "$c_publishers" "$c_m" |
                    tag client=rust target=server
                ;;
        esac
        "$bin" count "$steps" | tag "client=${who%%:*}" "mode=${who#*:}"
    done
done

"$py" scripts/bench_zenml.py table "$results" | tee "$out/table.md"
echo "results: $results" >&2
