#!/usr/bin/env bash
# Cost per key from 10 to 1,000,000 keys, for every path a key takes (benches/benches/scale.rs),
# as a table: nanoseconds per key at each size (criterion's median), and the ratio of the cost
# per key at 1,000,000 to that at 1,000 (flat cost is linear time; the target is under 2).
#
# With --instructions, the same paths counted in instructions per key under callgrind
# (benches/benches/scale_instructions.rs): the algorithm's cost alone, the same on every run of one
# build, apart from what the caches add as the data outgrows them.
#
#   scripts/bench-scale.sh                 run the benchmark, then print the table
#   scripts/bench-scale.sh --table         print the table of the last run only
#   scripts/bench-scale.sh --instructions [PATH...]
#                                          count instructions per key (of every path, or of
#                                          those named), and print their table
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
if [ "${1:-}" = "--instructions" ]; then
    command -v valgrind >/dev/null || { echo "needs valgrind (apt-get install valgrind)" >&2; exit 1; }
    exe=$(cargo bench -p run-metadata-benches --bench scale_instructions --no-run 2>&1 |
        sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -n 1)
    [ -x "$exe" ] || { echo "could not build the scale_instructions benchmark" >&2; exit 1; }
    sizes=(10 1000 100000 1000000)
    echo "| path | 10 | 1,000 | 100,000 | 1,000,000 | 1,000,000 / 1,000 |"
    echo "|---|---|---|---|---|---|"
    paths=("${@:2}")
    [ ${#paths[@]} -gt 0 ] || paths=(insert std-insert lookup std-lookup from_json dict serde_json \
        store-write store-read show show-json)
    for path in "${paths[@]}"; do
        row="| $path |"
        declare -A per=()
        for n in "${sizes[@]}"; do
            out=$(valgrind --tool=callgrind --callgrind-out-file=/dev/null \
                --toggle-collect='*measured*' "$exe" "$path" "$n" 2>&1)
            total=$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' <<<"$out")
            keys=$(sed -n 's/^keys //p' <<<"$out")
            per[$n]=$((total / keys))
            row="$row ${per[$n]} |"
        done
        ratio=$(awk -v a="${per[1000000]}" -v b="${per[1000]}" 'BEGIN { printf "%.2f", a / b }')
        echo "$row $ratio |"
    done
    exit 0
fi
if [ "${1:-}" != "--table" ]; then
    cargo bench -p run-metadata-benches --bench scale >&2
fi
python3 - "${CARGO_TARGET_DIR:-$root/target}/criterion" <<'PY'
import json, os, sys

base = sys.argv[1]
sizes = [10, 1_000, 100_000, 1_000_000]
paths = ["insert", "std HashMap insert", "lookup", "std HashMap lookup", "from_json", "dict value",
         "serde_json Value", "store write", "store read", "show", "show --json"]

def per_key(path, n):
    # criterion keeps each result in a folder named after the group (`/` as `_`) and function.
    estimates = os.path.join(base, f"scale_{path}", str(n), "new", "estimates.json")
    if not os.path.exists(estimates):
        return None
    with open(estimates) as f:
        return json.load(f)["median"]["point_estimate"] / n

def show(ns):
    if ns is None:
        return "–"
    return f"{ns / 1000:.2f} µs" if ns >= 1000 else f"{ns:.1f} ns"

print("| path | " + " | ".join(f"{n:,}" for n in sizes) + " | 1,000,000 / 1,000 |")
print("|---|" + "---|" * (len(sizes) + 1))
for path in paths:
    costs = [per_key(path, n) for n in sizes]
    ratio = f"{costs[3] / costs[1]:.2f}" if costs[1] and costs[3] else "–"
    print(f"| {path} | " + " | ".join(show(c) for c in costs) + f" | {ratio} |")
PY
