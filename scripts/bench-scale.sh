#!/usr/bin/env bash
# Cost per key from 10 to 1,000,000 keys, for every path a key takes (benches/benches/scale.rs),
# as a table: nanoseconds per key at each size (criterion's median), and the ratio of the cost
# per key at 1,000,000 to that at 1,000 (flat cost is linear time; the target is under 2).
#
#   scripts/bench-scale.sh            run the benchmark, then print the table
#   scripts/bench-scale.sh --table    print the table of the last run only
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
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
