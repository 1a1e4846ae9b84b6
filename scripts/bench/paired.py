#!/usr/bin/env python3
"""Paired, interleaved timing of two commands (used by client_bench.sh).

    paired.py --runs N --name-a A --cmd-a CMD --prepare-a CMD \
              --name-b B --cmd-b CMD --prepare-b CMD [--json FILE]

Runs A then B, N times (after one warm-up pair), each preceded by its
prepare command (not timed). hyperfine times all runs of one command, then
all runs of the other; on this shared 2-core machine the speed of the whole
machine drifts by 10-30% over a minute, so a ratio of two medians taken a
minute apart moves with it. Here each pair runs back to back, and the
figure to quote is the median of the N per-pair ratios B/A.

Wall time is measured around posix_spawn + waitpid (the spawn costs both
commands the same ~0.3 ms). Prints one summary line and, with --json FILE,
writes every time.
"""
import argparse
import json
import os
import shlex
import statistics
import subprocess
import sys
import time


def timed(argv):
    start = time.perf_counter_ns()
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_WRONLY, 0) for fd in (1, 2)]
    pid = os.posix_spawnp(argv[0], argv, os.environ, file_actions=quiet)
    _, status = os.waitpid(pid, 0)
    elapsed = (time.perf_counter_ns() - start) / 1e9
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"paired.py: {' '.join(argv)} failed ({status})")
    return elapsed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=15)
    ap.add_argument("--prepare-a", default="")
    ap.add_argument("--prepare-b", default="")
    ap.add_argument("--name-a", default="A")
    ap.add_argument("--name-b", default="B")
    ap.add_argument("--cmd-a", required=True)
    ap.add_argument("--cmd-b", required=True)
    ap.add_argument("--json")
    args = ap.parse_args()
    cmd_a, cmd_b = shlex.split(args.cmd_a), shlex.split(args.cmd_b)

    def run(prepare, cmd):
        if prepare:
            subprocess.run(prepare, shell=True, check=True)
        return timed(cmd)

    run(args.prepare_a, cmd_a)
    run(args.prepare_b, cmd_b)
    a, b = [], []
    for _ in range(args.runs):
        a.append(run(args.prepare_a, cmd_a))
        b.append(run(args.prepare_b, cmd_b))
    ratios = sorted(y / x for x, y in zip(a, b))
    print(
        "  paired (%d interleaved pairs): %s median %.4f s, %s median %.4f s; "
        "median of per-pair ratios %.1fx (lowest %.1fx, highest %.1fx)"
        % (args.runs, args.name_a, statistics.median(a), args.name_b,
           statistics.median(b), statistics.median(ratios), ratios[0], ratios[-1])
    )
    if args.json:
        with open(args.json, "w") as f:
            json.dump({args.name_a: a, args.name_b: b, "ratios": ratios}, f, indent=1)


if __name__ == "__main__":
    main()
