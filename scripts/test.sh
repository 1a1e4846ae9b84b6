#!/usr/bin/env bash
# The one test command: every test of the workspace.
#
#   scripts/test.sh                 # everything
#   scripts/test.sh -p tuf-core     # extra arguments go to `cargo nextest run`
#
# 0. Installs cargo-nextest from crates.io if it is missing.
# 1. Makes sure the Python venv with python-tuf exists (scripts/pyenv.sh, the
#    first time about 20 s) and exports TUF_PYTHON, its python, for the tests
#    that check interop with python-tuf.
# 2. Runs the doc tests (`cargo test --workspace --doc`).
# 3. Runs every other test with `cargo nextest run --workspace`, last, so the
#    output ends with nextest's summary line.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

echo "==> python-tuf venv (scripts/pyenv.sh)" >&2
TUF_PYTHON="$(scripts/pyenv.sh)"
export TUF_PYTHON
echo "    TUF_PYTHON=$TUF_PYTHON" >&2

if ! cargo nextest --version >/dev/null 2>&1; then
    echo "==> cargo-nextest is missing: cargo install --locked cargo-nextest (a few minutes, once)" >&2
    cargo install --locked cargo-nextest
fi

echo "==> doc tests (cargo test --workspace --doc)" >&2
cargo test --workspace --doc --quiet

echo "==> tests (cargo nextest run --workspace $*)" >&2
nextest_args=()
if [ -n "${CI:-}" ]; then
    # report every failure, not only the first
    nextest_args+=(--no-fail-fast)
fi
exec cargo nextest run --workspace "${nextest_args[@]}" "$@"
