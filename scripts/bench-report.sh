#!/usr/bin/env bash
# The HTML report at 10,000 keys: its size and how long it takes to write
# (benches/benches/report.rs, beside `show --json` of one run), then how long Chromium
# (headless) takes to load and lay it out, beside the same report of 10 keys. Medians of 5.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
cargo bench -p run-metadata-benches --bench report 2>&1 | grep -E "^report|bytes|time:" >&2
browser="${CHROMIUM:-$(command -v chromium || command -v chromium-browser)}"
[ -x "$browser" ] || { echo "needs Chromium (apt-get install chromium)" >&2; exit 1; }
load() {
    local page="$1" profile
    profile="$(mktemp -d)"
    local start end
    start=$(date +%s%N)
    "$browser" --headless --no-sandbox --disable-gpu --no-first-run --user-data-dir="$profile" \
        --dump-dom "file://$page" >/dev/null 2>&1
    end=$(date +%s%N)
    rm -rf "$profile"
    echo $(((end - start) / 1000000))
}
median() { sort -n | sed -n 3p; }
for keys in 10 10000; do
    page="$root/target/report-bench/report-$keys.html"
    ms=$(for _ in 1 2 3 4 5; do load "$page"; done | median)
    printf '%6d keys: %9d bytes, Chromium loads and lays it out in %d ms (median of 5)\n' \
        "$keys" "$(stat -c %s "$page")" "$ms"
done
# Two runs, each with one value of N bytes without a space and one nested 128 deep. A load that
# takes longer than 240 s is cut there.
for bytes in 1000 1000000 10000000; do
    page="$root/target/report-bench/report-long-$bytes.html"
    ms=$(for _ in 1 2 3; do timeout 240 bash -c "$(declare -f load); browser='$browser'; load '$page'" || echo 240000; done | sort -n | sed -n 2p)
    printf '%8d-byte values: %9d bytes, Chromium loads and lays it out in %d ms (median of 3)\n' \
        "$bytes" "$(stat -c %s "$page")" "$ms"
done
