#!/usr/bin/env bash
# Compile time of the derive against serde's: builds a generated crate of 200 components with
# `#[derive(RunMetadata)]`, and the same crate with `#[derive(Serialize)]` in their place,
# several times each (dependencies built once beforehand, then only the crate itself), and
# prints the ratio of the medians.
#
#   scripts/bench-compile.sh [RUNS]     (default 11 runs each, interleaved; medians compared)
set -euo pipefail

runs="${1:-11}"
# Incremental compilation would find the touched file unchanged and skip most of the work:
# every build here compiles the crate in full.
export CARGO_INCREMENTAL=0
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${BENCH_COMPILE_DIR:-$root/target/bench-compile}"
components=200
mkdir -p "$work"

write_crate() { # name, derive line, dependency lines
    local name="$1" derive="$2" deps="$3" dir="$work/$1"
    mkdir -p "$dir/src"
    cat > "$dir/Cargo.toml" <<TOML
[package]
name = "$name"
version = "0.0.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
$deps
TOML
    {
        echo "#![allow(dead_code)]"
        echo "$derive"
        for i in $(seq 1 "$components"); do
            if [ "$name" = "with_run_metadata" ]; then
                cat <<RUST
#[derive(RunMetadata)]
#[metadata(step)]
pub struct Component$i {
    #[metadata(pipeline, uri)]
    pub console: String,
    #[metadata]
    pub run_id: String,
    #[metadata]
    pub epochs: u32,
    #[metadata]
    pub learning_rate: f64,
    #[metadata]
    pub tags: Vec<String>,
    #[metadata(storage_size)]
    pub bytes: u64,
    #[metadata]
    pub notes: Option<String>,
}
RUST
            else
                cat <<RUST
#[derive(Serialize)]
pub struct Component$i {
    pub console: String,
    pub run_id: String,
    pub epochs: u32,
    pub learning_rate: f64,
    pub tags: Vec<String>,
    pub bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<String>,
}
RUST
            fi
        done
    } > "$dir/src/lib.rs"
}

write_crate with_run_metadata "use run_metadata::RunMetadata;" \
    "run-metadata = { path = \"$root/runtime\" }"
write_crate with_serde "use serde::Serialize;" \
    "serde = { version = \"1\", features = [\"derive\"] }"

build_ms() { # crate: one rebuild of the crate itself, in milliseconds
    local dir="$work/$1" start end
    touch "$dir/src/lib.rs"
    start=$(date +%s%N)
    (cd "$dir" && cargo build --quiet --offline)
    end=$(date +%s%N)
    echo $(((end - start) / 1000000))
}

median() {
    sort -n | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else print int((v[NR / 2] + v[NR / 2 + 1]) / 2) }'
}

# Dependencies first, once; then the two crates in turn, so that the machine's drift touches
# both alike.
for crate in with_run_metadata with_serde; do
    (cd "$work/$crate" && { cargo build --quiet --offline 2>/dev/null || cargo build --quiet; })
done
derive_runs=()
serde_runs=()
for _ in $(seq 1 "$runs"); do
    derive_runs+=("$(build_ms with_run_metadata)")
    serde_runs+=("$(build_ms with_serde)")
done
derive_ms=$(printf '%s\n' "${derive_runs[@]}" | median)
serde_ms=$(printf '%s\n' "${serde_runs[@]}" | median)
echo "components: $components, runs: $runs each, interleaved (dev profile without incremental, dependencies prebuilt)"
echo "derive(RunMetadata): median ${derive_ms} ms per build (runs: ${derive_runs[*]})"
echo "derive(Serialize):   median ${serde_ms} ms per build (runs: ${serde_runs[*]})"
awk -v a="$derive_ms" -v b="$serde_ms" 'BEGIN { printf "ratio RunMetadata / Serialize (wall clock): %.2f\n", a / b }'

# Wall clock is noisy on a shared machine; instructions are not. The crate's own rustc command,
# as cargo runs it (without incremental state), under callgrind.
instructions() { # crate
    local dir="$work/$1" cmd
    touch "$dir/src/lib.rs"
    cmd=$(cd "$dir" && CARGO_INCREMENTAL=0 cargo build --offline -v 2>&1 |
        sed -n 's/^ *Running `\(.*rustc --crate-name '"$1"' .*\)`$/\1/p' | tail -n 1)
    [ -n "$cmd" ] || { echo "no rustc command found for $1" >&2; return 1; }
    (cd "$dir" && eval "CARGO_INCREMENTAL=0 valgrind --tool=callgrind --callgrind-out-file=/dev/null $cmd" 2>&1 |
        sed -n 's/.*Collected : \([0-9]*\).*/\1/p' | tail -n 1)
}

if command -v valgrind >/dev/null; then
    derive_ir=$(instructions with_run_metadata)
    serde_ir=$(instructions with_serde)
    echo "derive(RunMetadata): $derive_ir instructions (rustc, callgrind)"
    echo "derive(Serialize):   $serde_ir instructions (rustc, callgrind)"
    awk -v a="$derive_ir" -v b="$serde_ir" 'BEGIN { printf "ratio RunMetadata / Serialize (instructions): %.2f\n", a / b }'
fi
