#!/usr/bin/env bash
# A fleet on ZenML's production shape: P processes (16) each make one whole three-step run, all
# started at once, spread over the two server processes of scripts/zenml-mariadb.sh (MariaDB,
# one database). Ours goes through the path users take — a Stack run with a ZenmlSink on a
# store of its own, every record written ahead, then delivered (`zenml_compare sink-run`);
# ZenML's own client does the same run through its REST store (`bench_zenml.py run`): the
# pipeline, a snapshot, the run, three steps, 3 components x 10 keys on the run and on each
# step, the statuses. Each process logs in on its own, with a configuration folder of its own.
#
#   scripts/bench-fleet.sh          (BENCH_FLEET=16 processes, BENCH_ROUNDS=3 per client)
#
# Prints, per round, the wall time from the first start to the last exit and the runs per
# second, then the medians and their ratio (ZenML's time over ours). The clients take turns
# going first.
set -euo pipefail

cd "$(dirname "$0")/.."

p="${BENCH_FLEET:-16}"
rounds="${BENCH_ROUNDS:-3}"
work="$(mktemp -d)"
trap 'scripts/zenml-mariadb.sh stop; rm -rf "$work"' EXIT

mapfile -t urls < <(scripts/zenml-mariadb.sh start)
py="$(scripts/zenml-server.sh python | tail -n 1)"
echo "building zenml_compare (release)" >&2
cargo build --release --quiet -p run-metadata-benches --bin zenml_compare
bin="${CARGO_TARGET_DIR:-target}/release/zenml_compare"

export ZENML_STORE_USERNAME=default
export ZENML_STORE_PASSWORD=
export ZENML_ANALYTICS_OPT_IN=false
export ZENML_LOGGING_VERBOSITY=WARN
export PYTHONDONTWRITEBYTECODE=1
unset ZENML_STORE_API_KEY ZENML_ACTIVE_PROJECT_ID ZENML_ACTIVE_STACK_ID

# The three components, registered once (ZenML's side publishes from them by id).
components="$(ZENML_STORE_URL="${urls[0]}" ZENML_CONFIG_PATH="$work/setup" \
    "$bin" setup 1 3 | sed -n 's/^components=//p')"

now() { "$py" -c 'import time; print(time.time())'; }

# fleet CLIENT ROUND: P runs at once; appends "CLIENT SECONDS FAILED" to $work/walls.
fleet() {
    local client="$1" round="$2" pids=() start end failed=0
    start="$(now)"
    for i in $(seq 0 $((p - 1))); do
        local url="${urls[$((i % 2))]}" cfg="$work/cfg-$client-$round-$i"
        mkdir -p "$cfg"
        if [ "$client" = rust ]; then
            ZENML_STORE_URL="$url" ZENML_CONFIG_PATH="$cfg" \
                "$bin" sink-run "$work/store-$round-$i.db" >"$cfg/out" 2>&1 &
        else
            ZENML_STORE_URL="$url" ZENML_CONFIG_PATH="$cfg" \
                "$py" scripts/bench_zenml.py run "$components" >"$cfg/out" 2>&1 &
        fi
        pids+=("$!")
    done
    for pid in "${pids[@]}"; do
        wait "$pid" || failed=$((failed + 1))
    done
    end="$(now)"
    local wall
    wall="$("$py" -c "print(round($end - $start, 2))")"
    echo "$client round $round: $p runs in $wall s ($("$py" -c "print(round($p / ($end - $start), 2))") runs/s), $failed failed"
    echo "$client $wall $failed" >> "$work/walls"
}

# One of each first, so that both find the pipeline and the stack there.
fleet rust 0 >/dev/null
fleet zenml 0 >/dev/null
: > "$work/walls"
for round in $(seq 1 "$rounds"); do
    if [ $((round % 2)) = 1 ]; then
        fleet rust "$round"; fleet zenml "$round"
    else
        fleet zenml "$round"; fleet rust "$round"
    fi
done

"$py" - "$work/walls" "$p" <<'EOF'
import statistics, sys
walls = {}
for line in open(sys.argv[1]):
    client, wall, failed = line.split()
    walls.setdefault(client, []).append(float(wall))
p = int(sys.argv[2])
rust, zenml = statistics.median(walls["rust"]), statistics.median(walls["zenml"])
print(f"median wall, {p} runs at once: ours {rust:.2f} s ({p / rust:.2f} runs/s), "
      f"ZenML's client {zenml:.2f} s ({p / zenml:.2f} runs/s); ZenML / ours = {zenml / rust:.2f}")
EOF
