#!/usr/bin/env python3
"""python-tuf baseline for our metadata benchmarks.

    "$(scripts/pyenv.sh)" scripts/bench/py_metadata_bench.py \
        --out target/bench-data/targets.json [--runs 7] [--targets 100000]

1. Generates, deterministically, a targets.json with N targets (default
   100,000) signed with one ed25519 key, and a root.json whose targets role
   trusts that key and whose root role has 10 ed25519 keys with threshold 10
   (signed by all 10). Keys come from fixed seeds and ed25519 signatures are
   deterministic, so the files are byte-identical on every run. They are
   written to --out and to root.json beside it, for the Rust benchmarks.
2. In a fresh child process (so peak RSS is the benchmark's, not the
   generator's), times with time.perf_counter, median of --runs runs:
     parse            Metadata.from_bytes(targets.json)
     parse+verify     Metadata.from_bytes + root.verify_delegate("targets", md)
     canonical        CanonicalJSONSerializer().serialize(md.signed)
     canonical(dict)  encode_canonical(md.signed.to_dict())
     root verify      root.verify_delegate("root", root_md): 10 ed25519 of 10
   wall-clock (perf_counter) median, min and max, and the median CPU time
   (process_time, less disturbed when the machine is shared), then peak RSS
   (resource.getrusage ru_maxrss) and the load average.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import securesystemslib
import tuf
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.formats import encode_canonical
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import Metadata, Root, TargetFile, Targets
from tuf.api.serialization.json import CanonicalJSONSerializer, JSONSerializer

EXPIRES = datetime(2100, 1, 1, tzinfo=timezone.utc)


def signer(seed: str) -> CryptoSigner:
    priv = Ed25519PrivateKey.from_private_bytes(hashlib.sha256(seed.encode()).digest())
    return CryptoSigner(priv, SSlibKey.from_crypto(priv.public_key(), None, "ed25519"))


def generate(n_targets: int) -> tuple[bytes, bytes]:
    """Return (targets.json, root.json) bytes, the same on every call."""
    targets_signer = signer("tuf-bench targets key")
    root_signers = [signer(f"tuf-bench root key {i}") for i in range(10)]

    root = Root(version=1, expires=EXPIRES, consistent_snapshot=True)
    for s in root_signers:
        root.add_key(s.public_key, "root")
    root.roles["root"].threshold = 10
    root.add_key(targets_signer.public_key, "targets")
    for role in ("snapshot", "timestamp"):
        root.add_key(root_signers[0].public_key, role)
    root_md = Metadata(root)
    for s in root_signers:
        root_md.sign(s, append=True)

    targets = Targets(version=1, expires=EXPIRES)
    for i in range(n_targets):
        path = f"packages/{i % 997:03}/package-{i:06}-1.0.{i % 13}.tar.gz"
        digest = hashlib.sha256(f"contents of target {i}".encode()).hexdigest()
        targets.targets[path] = TargetFile(1000 + (i * 7919) % 5_000_000, {"sha256": digest}, path)
    targets_md = Metadata(targets)
    targets_md.sign(targets_signer)
    ser = JSONSerializer()
    return targets_md.to_bytes(ser), root_md.to_bytes(ser)


def timed(fn, runs: int, inner: int = 1) -> dict:  # noqa: ANN001
    fn()  # warm up
    samples, cpu = [], []
    for _ in range(runs):
        t0, c0 = time.perf_counter(), time.process_time()
        for _ in range(inner):
            fn()
        samples.append((time.perf_counter() - t0) / inner)
        cpu.append((time.process_time() - c0) / inner)
    return {
        "median_s": statistics.median(samples),
        "min_s": min(samples),
        "max_s": max(samples),
        # CPU time of this process: less disturbed by other load on a shared machine
        "cpu_median_s": statistics.median(cpu),
        "runs": runs,
        "inner": inner,
    }


def bench(targets_path: Path, root_path: Path, runs: int) -> dict:
    data = targets_path.read_bytes()
    root_md = Metadata[Root].from_bytes(root_path.read_bytes())
    root = root_md.signed
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    def parse() -> Metadata:
        return Metadata.from_bytes(data)

    def parse_verify() -> None:
        md = Metadata.from_bytes(data)
        root.verify_delegate("targets", md.signed_bytes, md.signatures)

    md = parse()
    canon = CanonicalJSONSerializer()
    signed_dict = md.signed.to_dict()

    results = {
        "parse": timed(parse, runs),
        "parse+verify": timed(parse_verify, runs),
        "canonical": timed(lambda: canon.serialize(md.signed), runs),
        "canonical(dict)": timed(lambda: encode_canonical(signed_dict), runs),
        "root verify": timed(
            lambda: root.verify_delegate("root", root_md.signed_bytes, root_md.signatures),
            runs,
            inner=50,
        ),
    }
    return {
        "targets_json_bytes": len(data),
        "canonical_bytes": len(canon.serialize(md.signed)),
        "n_targets": len(md.signed.targets),
        "results": results,
        "rss_before_kib": rss_before,
        "peak_rss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    }


def fmt_s(s: float) -> str:
    return f"{s * 1e3:9.2f} ms" if s >= 1e-3 else f"{s * 1e6:9.1f} us"


def main() -> int:
    ap = argparse.ArgumentParser(description="python-tuf metadata benchmark baseline")
    ap.add_argument(
        "--out",
        type=Path,
        default=Path("target/bench-data/targets.json"),
        help="where to write targets.json (root.json goes beside it)",
    )
    ap.add_argument("--targets", type=int, default=100_000)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--json", action="store_true", help="print the results as JSON")
    ap.add_argument("--bench-only", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    root_out = args.out.with_name("root.json")

    if args.bench_only:  # child process
        print(json.dumps(bench(args.out, root_out, args.runs)))
        return 0

    t0 = time.perf_counter()
    targets_bytes, root_bytes = generate(args.targets)
    gen_s = time.perf_counter() - t0
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(targets_bytes)
    root_out.write_bytes(root_bytes)

    load_before = os.getloadavg()
    child = subprocess.run(
        [
            sys.executable,
            __file__,
            "--bench-only",
            "--out",
            str(args.out),
            "--runs",
            str(args.runs),
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    load_after = os.getloadavg()
    r = json.loads(child.stdout)
    r.update(
        generate_s=gen_s,
        targets_sha256=hashlib.sha256(targets_bytes).hexdigest(),
        load_before=load_before,
        load_after=load_after,
        cpus=os.cpu_count(),
        python=platform.python_version(),
        python_tuf=tuf.__version__,
        securesystemslib=securesystemslib.__version__,
    )
    if args.json:
        print(json.dumps(r, indent=2))
        return 0
    print(
        f"python-tuf {tuf.__version__}, securesystemslib {securesystemslib.__version__}, "
        f"Python {r['python']}, {r['cpus']} CPUs"
    )
    print(
        f"wrote {args.out} ({r['targets_json_bytes']:,} bytes, {r['n_targets']:,} targets, "
        f"sha256 {r['targets_sha256'][:16]}...) and {root_out} in {gen_s:.1f} s"
    )
    print(f"canonical form of targets' signed part: {r['canonical_bytes']:,} bytes")
    print(f"{'benchmark':<34} {'median':>12} {'min':>12} {'max':>12} {'median CPU':>12}")
    labels = {
        "parse": "parse (Metadata.from_bytes)",
        "parse+verify": "parse + verify targets (ed25519)",
        "canonical": "canonical JSON (serializer)",
        "canonical(dict)": "canonical JSON (encode_canonical)",
        "root verify": "verify root, 10 ed25519 of 10",
    }
    for k, v in r["results"].items():
        print(
            f"{labels[k]:<34} {fmt_s(v['median_s']):>12} {fmt_s(v['min_s']):>12} "
            f"{fmt_s(v['max_s']):>12} {fmt_s(v['cpu_median_s']):>12}   ({v['runs']} runs"
            + (f" x {v['inner']}" if v["inner"] > 1 else "")
            + ")"
        )
    print(
        f"peak RSS of the benchmark process: {r['peak_rss_kib'] / 1024:.0f} MiB "
        f"({r['rss_before_kib'] / 1024:.0f} MiB after loading the inputs)"
    )
    print(
        "load average (1/5/15 min) before: {:.2f} {:.2f} {:.2f}, after: {:.2f} {:.2f} {:.2f}".format(
            *load_before, *load_after
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
