#!/usr/bin/env bash
# Compile time of the derive against serde's: builds a generated crate of 200 components with
# `#[derive(RunMetadata)]`, and the same crate with `#[derive(Serialize)]` in their place,
# several times each (dependencies built once beforehand, then only the crate itself), and
# prints the ratio of the means.
#
#   scripts/bench-compile.sh [RUNS]     (default 5 runs each)
set -euo pipefail

runs="${1:-5}"
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

time_builds() { # crate
    local dir="$work/$1" total=0
    (cd "$dir" && cargo build --quiet --offline 2>/dev/null || cargo build --quiet)
    for _ in $(seq 1 "$runs"); do
        touch "$dir/src/lib.rs"
        local start end
        start=$(date +%s%N)
        (cd "$dir" && cargo build --quiet --offline)
        end=$(date +%s%N)
        total=$((total + (end - start) / 1000000))
    done
    echo $((total / runs))
}

derive_ms=$(time_builds with_run_metadata)
serde_ms=$(time_builds with_serde)
echo "components: $components, runs: $runs each (dev profile, dependencies prebuilt)"
echo "derive(RunMetadata): ${derive_ms} ms per build"
echo "derive(Serialize):   ${serde_ms} ms per build"
awk -v a="$derive_ms" -v b="$serde_ms" 'BEGIN { printf "ratio RunMetadata / Serialize: %.2f\n", a / b }'
