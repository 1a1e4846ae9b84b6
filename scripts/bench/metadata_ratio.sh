#!/usr/bin/env bash
# Parse + verify of a 100,000-target targets.json (issue "Foundation" item 9):
# python-tuf and tuf-core measured back to back, ROUNDS times, so that load
# from other work on the machine hits both sides alike.
#
#   scripts/bench/metadata_ratio.sh            # ROUNDS=3 by default
#
# Each round: python-tuf `Metadata.from_bytes` + `verify_delegate` (median of
# 7 runs, py_metadata_bench.py), then divan's `parse_and_verify_targets`
# (median of 10 samples, crates/tuf-core/benches/metadata.rs) on the same
# bytes. Prints one line per round and the median ratio.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
py="$(scripts/pyenv.sh)"
rounds="${ROUNDS:-3}"
data="$root/target/bench-data"
export TUF_BENCH_PY_TARGETS="$data/targets.json"

# Inputs (written by python-tuf; the Rust bench checks it builds the same bytes).
"$py" scripts/bench/py_metadata_bench.py --out "$data/targets.json" --runs 1 >/dev/null
cargo bench -q --no-run -p tuf-core --bench metadata 2>/dev/null

ratios=()
for round in $(seq "$rounds"); do
    load="$(cut -d' ' -f1-3 /proc/loadavg)"
    py_ms="$("$py" scripts/bench/py_metadata_bench.py --bench-only --out "$data/targets.json" --runs 7 |
        python3 -c 'import json, sys; print("%.1f" % (json.load(sys.stdin)["results"]["parse+verify"]["median_s"] * 1000))')"
    rs_ms="$(cargo bench -q -p tuf-core --bench metadata -- parse_and_verify_targets 2>/dev/null |
        python3 -c '
import re, sys
for line in sys.stdin:
    if "parse_and_verify_targets" in line:
        median = line.split("│")[2].strip()
        value, unit = re.match(r"([0-9.]+)\s*(\S+)", median).groups()
        print("%.1f" % (float(value) * {"s": 1000, "ms": 1, "µs": 0.001}[unit]))
')"
    ratio="$(python3 -c "print('%.1f' % ($py_ms / $rs_ms))")"
    ratios+=("$ratio")
    echo "round $round (load $load): python-tuf ${py_ms} ms, tuf-core ${rs_ms} ms, ratio ${ratio}x"
done
printf '%s\n' "${ratios[@]}" | sort -n |
    awk '{a[NR]=$1} END {printf "median ratio over %d rounds: %sx\n", NR, (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'
