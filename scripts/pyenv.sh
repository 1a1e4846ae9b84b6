#!/usr/bin/env bash
# Creates (idempotently) the Python environment used by interop tests, vector
# generators and python-tuf benchmarks: .venv/ at the project root with pinned
# python-tuf 7.0.x (which brings securesystemslib and cryptography) from PyPI.
# Prints the path of the venv's python on stdout.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="${TUF_PYENV:-$root/.venv}"
want="tuf==7.0.1 securesystemslib[crypto]==1.6.0 cryptography"
stamp="$venv/.ok-$(printf '%s' "$want" | sha256sum | cut -c1-12)"
if [ ! -f "$stamp" ]; then
    rm -rf "$venv"
    python3 -m venv "$venv" >&2
    # shellcheck disable=SC2086
    "$venv/bin/python" -m pip install -q --disable-pip-version-check $want >&2
    touch "$stamp"
fi
echo "$venv/bin/python"
