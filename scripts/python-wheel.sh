#!/usr/bin/env bash
# Builds a maturin project of this repository into a wheel and installs it into the venv of
# scripts/zenml-server.sh (or $RUN_METADATA_ZENML_PYTHON's), installing maturin there first if
# needed. Prints the wheel's path.
#
#   scripts/python-wheel.sh examples/zenml-flavor     the example flavors (rust_components)
#   scripts/python-wheel.sh python/fixture            the components python/tests check
#
# Debug builds, into target/python-wheels (one target folder for every such project).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
project="$(cd "${1:?usage: scripts/python-wheel.sh PROJECT_DIR}" && pwd)"
python="${RUN_METADATA_ZENML_PYTHON:-$("$root/scripts/zenml-server.sh" python)}"
out="$root/target/python-wheels"

if ! "$python" -m maturin --version >/dev/null 2>&1; then
    echo "installing maturin into $("$python" -c 'import sys; print(sys.prefix)')" >&2
    "$python" -m pip install --quiet --disable-pip-version-check "maturin>=1.9,<2" >&2
fi
# The distribution's name, as wheel files spell it (`rust-components` → `rust_components`).
name="$(sed -n 's/^name = "\(.*\)"$/\1/p' "$project/pyproject.toml" | head -n 1 | tr - _)"
rm -f "$out/$name"-*.whl
(
    cd "$project"
    CARGO_TARGET_DIR="$out/target" "$python" -m maturin build --quiet --profile dev \
        --interpreter "$python" --out "$out" >&2
)
wheel="$(ls "$out/$name"-*.whl)"
"$python" -m pip install --quiet --disable-pip-version-check --no-deps --force-reinstall "$wheel" >&2
echo "$wheel"
