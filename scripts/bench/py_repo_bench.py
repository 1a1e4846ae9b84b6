#!/usr/bin/env python3
"""python-tuf baseline for crates/tuf-repo/benches/bins.rs.

The same work with python-tuf's Metadata API (tuf.api.metadata):

  full build   init four top-level roles (ed25519), delegate from targets to
               2^14 succinct bins, add N targets (TargetFile.from_data of
               the same synthetic contents), sign every bin, targets,
               snapshot and timestamp, write everything with consistent
               snapshot names via Metadata.to_file (which fsyncs each file).
  one update   load root, timestamp, snapshot, targets and the one bin
               holding the changed target from disk, change it, re-sign that
               bin, snapshot and timestamp, write them.

    python scripts/bench/py_repo_bench.py [--targets N] [--bits B] [--dir D] [--keep]

--keep leaves the repository in D (as TUF_BENCH_KEEP does for the Rust
bench): deleting 16,384 files slows the next run's file creation on some
file systems (see docs/benchmarks.md).

Run it with the project's venv python: "$(scripts/pyenv.sh)".
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from datetime import datetime, timedelta, timezone

from securesystemslib.signer import CryptoSigner
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    SuccinctRoles,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

PRETTY = JSONSerializer(compact=False)


def target(i: int, generation: int) -> tuple[str, bytes]:
    content = f"content of target {i}, generation {generation}".encode()
    return f"files/{i % 997:03}/{i:07}.bin", content


def expiry(days: int) -> datetime:
    return (datetime.now(timezone.utc) + timedelta(days=days)).replace(microsecond=0)


def write(md: Metadata, path: str) -> None:
    md.to_file(path, PRETTY)


def full_build(meta_dir: str, n: int, bits: int) -> dict:
    os.makedirs(meta_dir, exist_ok=True)
    signers = {r: CryptoSigner.generate_ed25519() for r in ("root", "targets", "snapshot", "timestamp", "bins")}
    root = Metadata(Root(expires=expiry(365), consistent_snapshot=True))
    for r in ("root", "targets", "snapshot", "timestamp"):
        root.signed.add_key(signers[r].public_key, r)
    targets = Metadata(Targets(expires=expiry(90)))
    succinct = SuccinctRoles(keyids=[], threshold=1, bit_length=bits, name_prefix="bin")
    targets.signed.delegations = Delegations(keys={}, roles=None, succinct_roles=succinct)
    targets.signed.add_key(signers["bins"].public_key)
    bins = {name: Metadata(Targets(expires=expiry(90))) for name in succinct.get_roles()}
    for i in range(n):
        path, content = target(i, 0)
        bins[succinct.get_role_for_target(path)].signed.targets[path] = TargetFile.from_data(path, content)
    snapshot = Metadata(Snapshot(expires=expiry(7)))
    for name, md in bins.items():
        md.sign(signers["bins"])
        write(md, os.path.join(meta_dir, f"1.{name}.json"))
        snapshot.signed.meta[f"{name}.json"] = MetaFile(version=1)
    targets.sign(signers["targets"])
    write(targets, os.path.join(meta_dir, "1.targets.json"))
    snapshot.sign(signers["snapshot"])
    write(snapshot, os.path.join(meta_dir, "1.snapshot.json"))
    timestamp = Metadata(Timestamp(expires=expiry(1)))
    timestamp.signed.snapshot_meta = MetaFile(version=1)
    timestamp.sign(signers["timestamp"])
    write(timestamp, os.path.join(meta_dir, "timestamp.json"))
    root.sign(signers["root"])
    write(root, os.path.join(meta_dir, "1.root.json"))
    write(root, os.path.join(meta_dir, "root.json"))
    return signers


def one_update(meta_dir: str, signers: dict, n: int, generation: int) -> None:
    def load(name: str) -> Metadata:
        return Metadata.from_file(os.path.join(meta_dir, name))

    root = load("root.json")
    timestamp = load("timestamp.json")
    snapshot = load(f"{timestamp.signed.snapshot_meta.version}.snapshot.json")
    targets = load(f"{snapshot.signed.meta['targets.json'].version}.targets.json")
    root.verify_delegate("targets", targets)
    succinct = targets.signed.delegations.succinct_roles
    path, content = target(12_345 % n, generation)
    name = succinct.get_role_for_target(path)
    version = snapshot.signed.meta[f"{name}.json"].version
    bin_md = load(f"{version}.{name}.json")
    targets.verify_delegate(name, bin_md)
    bin_md.signed.targets[path] = TargetFile.from_data(path, content)
    bin_md.signed.version += 1
    bin_md.signed.expires = expiry(90)
    bin_md.sign(signers["bins"], append=False)
    write(bin_md, os.path.join(meta_dir, f"{bin_md.signed.version}.{name}.json"))
    snapshot.signed.meta[f"{name}.json"] = MetaFile(version=bin_md.signed.version)
    snapshot.signed.version += 1
    snapshot.signed.expires = expiry(7)
    snapshot.sign(signers["snapshot"], append=False)
    write(snapshot, os.path.join(meta_dir, f"{snapshot.signed.version}.snapshot.json"))
    timestamp.signed.snapshot_meta = MetaFile(version=snapshot.signed.version)
    timestamp.signed.version += 1
    timestamp.signed.expires = expiry(1)
    timestamp.sign(signers["timestamp"], append=False)
    write(timestamp, os.path.join(meta_dir, "timestamp.json"))


def run(tmp: str, args: argparse.Namespace) -> None:
    meta_dir = os.path.join(tmp, "metadata")
    t0 = time.perf_counter()
    signers = full_build(meta_dir, args.targets, args.bits)
    t1 = time.perf_counter()
    print(f"full_build: {args.targets} targets, {2**args.bits} bins: {t1 - t0:.2f} s")
    times = []
    for g in range(1, args.updates + 1):
        s = time.perf_counter()
        one_update(meta_dir, signers, args.targets, g)
        times.append(time.perf_counter() - s)
    times.sort()
    print(f"one_target_update: median {times[len(times) // 2] * 1000:.1f} ms over {len(times)} runs "
          f"(fastest {times[0] * 1000:.1f} ms, slowest {times[-1] * 1000:.1f} ms)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--targets", type=int, default=1_000_000)
    ap.add_argument("--bits", type=int, default=14)
    ap.add_argument("--updates", type=int, default=10)
    ap.add_argument("--dir", default=None, help="work directory (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="leave the repository in the work directory")
    args = ap.parse_args()
    if args.keep:
        tmp = tempfile.mkdtemp(dir=args.dir)
        run(tmp, args)
        print(f"kept {tmp}")
    else:
        with tempfile.TemporaryDirectory(dir=args.dir) as tmp:
            run(tmp, args)


if __name__ == "__main__":
    main()
