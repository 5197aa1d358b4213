# What the benchmarks against ZenML's own Python client share, sourced by scripts/bench-zenml.sh
# and scripts/bench-latency.sh from the repository's root, with `out` (the results' folder) and
# `results_file` (their JSON lines' file) set: the local server (started if it was not, stopped
# after), `zenml_compare` built in release (`bin`), ZenML's Python (`py`), a work folder removed
# on exit, the environment both clients read, and the helpers below.

server_was_running=0
scripts/zenml-server.sh status >/dev/null 2>&1 && server_was_running=1
server="$(scripts/zenml-server.sh start | tail -n 1)"
py="$(scripts/zenml-server.sh python | tail -n 1)"

echo "building zenml_compare (release)" >&2
cargo build --release --quiet -p run-metadata-benches --bin zenml_compare
bin="${CARGO_TARGET_DIR:-target}/release/zenml_compare"

mkdir -p "$out"
results="$out/$results_file"
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

# The server both clients talk to, each process with ZenML's configuration in a folder of the
# benchmark's own (one per server, kept between processes as a user's is).
against() {
    export ZENML_STORE_URL="$1"
    export ZENML_CONFIG_PATH="$work/config-$2"
    mkdir -p "$ZENML_CONFIG_PATH"
}

tag() {
    "$py" scripts/bench_zenml.py tag "$results" "$@"
}

timed() {
    "$py" scripts/bench_zenml.py time "$results" "$@"
}

# $1 runs of $2 steps each and the three components: sets `steps` and `components`.
setup() {
    local line
    steps=""
    components=""
    while IFS= read -r line; do
        case "$line" in
            steps=*) steps="${line#steps=}" ;;
            components=*) components="${line#components=}" ;;
        esac
    done < <("$bin" setup "$1" "$2")
    [ -n "$steps" ] && [ -n "$components" ]
}

# The stub, with options "$@"; sets `stub_url`.
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
}

stop_stub() {
    kill "$stub_pid" 2>/dev/null || true
    wait "$stub_pid" 2>/dev/null || true
    stub_pid=""
    rm -f "$work/stub.url"
}
