#!/usr/bin/env bash
# Client benchmarks (issue "Client" item 7): our Updater (examples/bench_client.rs)
# against python-tuf's ngclient (py_client_bench.py), same repositories, same
# loopback HTTP server, cold metadata directory on every run.
#
#   scripts/bench/client_bench.sh [flat|bins|rotations|large|all]...
#
# Environment:
#   TUF_PYENV    venv for python-tuf (passed to scripts/pyenv.sh)
#   BENCH_DATA   where repositories and results go (default /tmp/tuf-bench)
#   WORK_ROOT    where the clients' metadata and target dirs go (default $BENCH_DATA/work)
#   RUNS         hyperfine runs per command (default 5; 3 for `large`)
#   RSS_RUNS     /usr/bin/time runs for peak RSS (default 3; the median is kept)
#   PAIRED_RUNS  interleaved rust/python-tuf pairs for the paired ratio
#                (scripts/bench/paired.py; default RUNS)
#   PORT         first loopback port to serve on (default 8731)
#   SERVER       nginx (default; installed from Debian if missing: HTTP/1.1,
#                keep-alive, sendfile) or python (`python3 -m http.server`,
#                HTTP/1.0, one connection per file). Both clients always
#                talk to the same server.
#
# Prints a summary and writes $BENCH_DATA/results/<workload>.{json,txt}.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
data="${BENCH_DATA:-/tmp/tuf-bench}"
work_root="${WORK_ROOT:-$data/work}"
port="${PORT:-8731}"
results="$data/results"
mkdir -p "$data" "$results" "$work_root"

# Tools: hyperfine (installed once), python-tuf, our release binaries.
server_kind="${SERVER:-nginx}"
export PATH="$PATH:/usr/sbin"
apt_install() { # apt_install PACKAGE COMMAND: once, if COMMAND is missing
    command -v "$2" >/dev/null && return 0
    if [ "$(id -u)" = 0 ]; then apt-get install -y "$1" >&2; else sudo apt-get install -y "$1" >&2; fi
}
apt_install hyperfine hyperfine
if [ "$server_kind" = nginx ]; then apt_install nginx-light nginx; fi
py="$(scripts/pyenv.sh)"
cargo build --release -q -p tuf-client --example bench_repo --example bench_client
bin="$root/target/release/examples"

log() { printf '%s\n' "$*" | tee -a "$results/summary.txt" >&2; }
load() { cut -d' ' -f1-3 /proc/loadavg; }

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

# peak_rss NAME CMD...: median over RSS_RUNS of /usr/bin/time's maximum RSS (KiB).
peak_rss() {
    local name="$1"; shift
    local i
    for i in $(seq "${RSS_RUNS:-3}"); do
        /usr/bin/time -f '%M' -o "$data/rss.tmp" "$@" 2>/dev/null >/dev/null
        cat "$data/rss.tmp"
    done | median | { read -r kib; log "  peak RSS $name: $kib KiB ($((kib / 1024)) MiB) [load $(load)]"; }
}

server_pid=""
stop_server() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; server_pid=""; fi; }
trap stop_server EXIT

serve() { # serve DIR on loopback with $server_kind
    stop_server
    port=$((port + 1))
    if [ "$server_kind" = nginx ]; then
        local prefix="$data/nginx"
        mkdir -p "$prefix/logs"
        cat >"$prefix/nginx.conf" <<EOF
worker_processes 1;
daemon off;
pid $prefix/nginx.pid;
error_log $prefix/logs/error.log warn;
events { worker_connections 256; }
http {
    access_log off;
    sendfile on;
    tcp_nodelay on;
    keepalive_requests 100000;
    default_type application/octet-stream;
    types { application/json json; }
    server {
        listen 127.0.0.1:$port;
        root $1;
    }
}
EOF
        nginx -p "$prefix" -c "$prefix/nginx.conf" >/dev/null 2>&1 &
    else
        python3 -m http.server --bind 127.0.0.1 "$port" --directory "$1" >/dev/null 2>&1 &
    fi
    server_pid=$!
    for _ in $(seq 50); do
        curl -sf -o /dev/null "http://127.0.0.1:$port/metadata/timestamp.json" && return 0
        sleep 0.1
    done
    echo "server on port $port did not start" >&2; return 1
}

build_repo() { # build_repo KIND [N]: once per kind (a stamp marks a complete build)
    local kind="$1" dir="$data/repo-$1"
    if [ ! -f "$dir/.complete" ]; then
        "$bin/bench_repo" "$kind" "$dir" ${2:+"$2"}
        touch "$dir/.complete"
    fi
}

run_workload() { # run_workload KIND RUNS
    local kind="$1" runs="$2" repo="$data/repo-$1"
    build_repo "$kind"
    serve "$repo"
    local url="http://127.0.0.1:$port"
    local largest
    largest=$(find "$repo/metadata" -name '*.json' -printf '%s %p\n' | sort -n | tail -1)
    log "== $kind: repository $repo (served by $server_kind), largest metadata file: $largest"
    log "  load before: $(load); nproc $(nproc)"
    export NO_PROXY=127.0.0.1,localhost no_proxy=127.0.0.1,localhost
    # Removing the previous run's directory (an 18 MB targets.json takes
    # ~15 ms on ext4) is setup, not client work: done before each timed run
    # for both clients (each script also empties its directory, now a no-op).
    hyperfine --style basic --runs "$runs" --warmup 1 \
        --prepare "rm -rf $work_root/rust-$kind" \
        --prepare "rm -rf $work_root/py-$kind" \
        --export-json "$results/$kind.json" \
        -n rust "$bin/bench_client $url $repo $work_root/rust-$kind" \
        -n python-tuf "$py $root/scripts/bench/py_client_bench.py $url $repo $work_root/py-$kind" \
        | tee "$results/$kind.txt" >&2
    python3 - "$results/$kind.json" <<'PY' | tee -a "$results/summary.txt" >&2
import json, statistics, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
med = {k: statistics.median(v["times"]) for k, v in r.items()}
print("  median wall: rust %.3f s, python-tuf %.3f s, ratio %.1fx"
      % (med["rust"], med["python-tuf"], med["python-tuf"] / med["rust"]))
PY
    # The ratio to quote: rust and python-tuf run back to back, pair by pair
    # (hyperfine's two blocks run a minute apart on a machine whose speed drifts).
    python3 "$root/scripts/bench/paired.py" --runs "${PAIRED_RUNS:-$runs}" --json "$results/$kind-paired.json" \
        --name-a rust --prepare-a "rm -rf $work_root/rust-$kind && sync" \
        --cmd-a "$bin/bench_client $url $repo $work_root/rust-$kind" \
        --name-b python-tuf --prepare-b "rm -rf $work_root/py-$kind && sync" \
        --cmd-b "$py $root/scripts/bench/py_client_bench.py $url $repo $work_root/py-$kind" \
        | tee -a "$results/summary.txt" >&2
    peak_rss rust "$bin/bench_client" "$url" "$repo" "$work_root/rust-$kind"
    peak_rss python-tuf "$py" "$root/scripts/bench/py_client_bench.py" "$url" "$repo" "$work_root/py-$kind"
    if [ "$kind" = large ]; then
        local file
        file=$(find "$repo/targets" -type f -name '*.big.bin')
        local tpath
        tpath=${file#"$repo/targets/"}
        hyperfine --style basic --runs "$runs" --warmup 1 --export-json "$results/large-baselines.json" \
            -n sha256sum "sha256sum $file" \
            -n curl "curl -sf -o /dev/null $url/targets/$tpath" \
            -n curl-to-file "curl -sf -o $work_root/curl.out $url/targets/$tpath" \
            | tee "$results/large-baselines.txt" >&2
        rm -f "$work_root/curl.out"
    fi
    log "  load after: $(load)"
    stop_server
    rm -rf "$work_root/rust-$kind" "$work_root/py-$kind"
}

kinds=("$@")
[ ${#kinds[@]} -eq 0 ] && kinds=(all)
[ "${kinds[0]}" = all ] && kinds=(flat bins rotations large)
log "# client_bench $(date -u +%FT%TZ) on $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)), git $(git rev-parse --short HEAD)"
for k in "${kinds[@]}"; do
    case "$k" in
        large) run_workload large "${RUNS:-3}" ;;
        flat | bins | rotations) run_workload "$k" "${RUNS:-5}" ;;
        *) echo "unknown workload $k" >&2; exit 2 ;;
    esac
done
