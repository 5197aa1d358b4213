#!/usr/bin/env bash
# Instruction counts per iteration of each collect and encode variant, under callgrind: the same
# figures on every run of the same build, whatever else the machine is doing. Prints the counts
# and the ratios the targets are stated in.
set -euo pipefail
cd "$(dirname "$0")/.."

exe=$(cargo bench -p run-metadata-benches --bench instructions --no-run 2>&1 |
    sed -n 's/.*Executable .*(\(.*\)).*/\1/p' | tail -n 1)
[ -x "$exe" ] || { echo "could not build the instructions benchmark" >&2; exit 1; }
iterations=$("$exe" | sed -n 's/^iterations //p')

count() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$exe" "$1" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}

base=$(count none)
declare -A per
for v in collect10-derive collect10-macro collect10-serde collect200-derive collect200-insert \
    collect200-macro collect200-serde encode10-ours encode10-serde_json encode10-serde_impls \
    encode10-serde_typed encode200-ours encode200-serde_json encode200-serde_impls encode200-serde_typed; do
    total=$(count "$v")
    per[$v]=$(((total - base) / iterations))
    printf '%-22s %10d instructions per iteration\n' "$v" "${per[$v]}"
done
ratio() { awk -v a="$2" -v b="$3" -v l="$1" 'BEGIN { printf "%-50s %.3f\n", l, a / b }'; }
echo
ratio "derive / metadata! (10 fields)" "${per[collect10-derive]}" "${per[collect10-macro]}"
ratio "derive / metadata! (200 fields)" "${per[collect200-derive]}" "${per[collect200-macro]}"
ratio "derive / insert_value (200 fields)" "${per[collect200-derive]}" "${per[collect200-insert]}"
ratio "serde route / derive (10 fields)" "${per[collect10-serde]}" "${per[collect10-derive]}"
ratio "serde route / derive (200 fields)" "${per[collect200-serde]}" "${per[collect200-derive]}"
ratio "our encoding / serde_json (10 fields)" "${per[encode10-ours]}" "${per[encode10-serde_json]}"
ratio "our encoding / serde_json (200 fields)" "${per[encode200-ours]}" "${per[encode200-serde_json]}"
ratio "our encoding / serde, crate impls (10 fields)" "${per[encode10-ours]}" "${per[encode10-serde_impls]}"
ratio "our encoding / serde, crate impls (200 fields)" "${per[encode200-ours]}" "${per[encode200-serde_impls]}"
ratio "our encoding / serde, typed (10 fields)" "${per[encode10-ours]}" "${per[encode10-serde_typed]}"
ratio "our encoding / serde, typed (200 fields)" "${per[encode200-ours]}" "${per[encode200-serde_typed]}"
