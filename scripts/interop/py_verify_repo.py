#!/usr/bin/env python3
"""Check a published TUF repository with python-tuf's Metadata API.

    py_verify_repo.py DIR

DIR is a repository directory holding metadata/ (or the metadata directory
itself). Loads every metadata file, checks the root chain (each N.root.json is
signed by its own keys and by version N-1's), then walks timestamp ->
snapshot -> targets -> delegated roles, verifying each role's signatures
against its delegator with verify_delegate, versions against the referring
meta entry, and lengths/hashes where the meta entry lists them.

Exit 0 with a one-paragraph summary, or print the first error and exit 1.
Run with the project's venv python ("$(scripts/pyenv.sh)").
"""

from __future__ import annotations

import re
import sys
from collections import deque
from datetime import datetime, timezone
from pathlib import Path
from urllib import parse

from tuf.api.metadata import Metadata, MetaFile, Root, Snapshot, Targets, Timestamp


class RepoError(Exception):
    pass


def _load(path: Path, want_type: str) -> Metadata:
    try:
        md = Metadata.from_bytes(path.read_bytes())
    except Exception as e:
        raise RepoError(f"{path.name}: cannot load: {e}") from e
    if md.signed.type != want_type:
        raise RepoError(f"{path.name}: _type is {md.signed.type!r}, expected {want_type!r}")
    return md


def _check_meta(path: Path, md: Metadata, meta: MetaFile, what: str) -> None:
    if md.signed.version != meta.version:
        raise RepoError(f"{path.name}: version {md.signed.version}, but {what} says {meta.version}")
    try:
        meta.verify_length_and_hashes(path.read_bytes())
    except Exception as e:
        raise RepoError(f"{path.name}: {what}: {e}") from e


def verify_repo(d: Path) -> dict:
    """Verify the repository at d; return a summary dict or raise RepoError."""
    meta_dir = d / "metadata" if (d / "metadata").is_dir() else d
    files = {p.name: p for p in meta_dir.glob("*.json")}
    if not files:
        raise RepoError(f"no metadata files in {meta_dir}")
    used: set[str] = set()
    now = datetime.now(timezone.utc)
    expired: list[str] = []

    # --- root chain
    versions = sorted(
        int(m.group(1)) for n in files if (m := re.fullmatch(r"([0-9]+)\.root\.json", n))
    )
    if not versions:
        if "root.json" not in files:
            raise RepoError("no root metadata (N.root.json or root.json)")
        chain = [("root.json", _load(files["root.json"], Root.type))]
    else:
        if versions != list(range(versions[0], versions[-1] + 1)):
            raise RepoError(f"root versions are not consecutive: {versions}")
        chain = [(f"{v}.root.json", _load(files[f"{v}.root.json"], Root.type)) for v in versions]
    prev: Metadata[Root] | None = None
    for name, md in chain:
        if versions and md.signed.version != int(name.split(".")[0]):
            raise RepoError(f"{name}: contains version {md.signed.version}")
        try:
            if prev is not None:
                prev.signed.verify_delegate(Root.type, md.signed_bytes, md.signatures)
            md.signed.verify_delegate(Root.type, md.signed_bytes, md.signatures)
        except Exception as e:
            by = f"version {prev.signed.version} and itself" if prev else "itself"
            raise RepoError(f"{name}: not signed by {by}: {e}") from e
        used.add(name)
        prev = md
    root: Metadata[Root] = chain[-1][1]
    if "root.json" in files and versions:
        if files["root.json"].read_bytes() != files[chain[-1][0]].read_bytes():
            raise RepoError(f"root.json differs from the newest root, {chain[-1][0]}")
        used.add("root.json")
    consistent = root.signed.consistent_snapshot

    def fname(role: str, version: int) -> str:
        enc = parse.quote(role, "")
        return f"{version}.{enc}.json" if consistent else f"{enc}.json"

    def load_role(role: str, version: int, want: str) -> tuple[Path, Metadata]:
        n = fname(role, version)
        if n not in files:
            raise RepoError(f"{n} (role {role!r}) is missing")
        used.add(n)
        md = _load(files[n], want)
        if md.signed.is_expired(now):
            expired.append(n)
        return files[n], md

    def verify(delegator: Metadata, role: str, md: Metadata, path: Path) -> None:
        try:
            delegator.signed.verify_delegate(role, md.signed_bytes, md.signatures)
        except Exception as e:
            raise RepoError(f"{path.name}: role {role!r}: {e}") from e

    # --- timestamp, snapshot
    if "timestamp.json" not in files:
        raise RepoError("timestamp.json is missing")
    ts = _load(files["timestamp.json"], Timestamp.type)
    used.add("timestamp.json")
    verify(root, Timestamp.type, ts, files["timestamp.json"])
    snap_meta = ts.signed.snapshot_meta
    snap_path, snap = load_role(Snapshot.type, snap_meta.version, Snapshot.type)
    verify(root, Snapshot.type, snap, snap_path)
    _check_meta(snap_path, snap, snap_meta, "timestamp")

    # --- targets and delegated roles, breadth first
    def targets_role(role: str) -> tuple[Path, Metadata]:
        meta = snap.signed.meta.get(f"{role}.json")
        if meta is None:
            raise RepoError(f"role {role!r} is delegated but not listed in snapshot")
        path, md = load_role(role, meta.version, Targets.type)
        return path, md

    path, top = targets_role(Targets.type)
    verify(root, Targets.type, top, path)
    _check_meta(path, top, snap.signed.meta["targets.json"], "snapshot")
    verified = {Targets.type: top}
    queue = deque([(Targets.type, top)])
    seen_edges: set[tuple[str, str]] = set()
    n_targets = len(top.signed.targets)
    while queue:
        name, md = queue.popleft()
        dele = md.signed.delegations
        if dele is None:
            continue
        children = (
            [r.name for r in dele.roles.values()]
            if dele.roles is not None
            else list(dele.succinct_roles.get_roles())
        )
        for child in children:
            if (name, child) in seen_edges:
                continue
            seen_edges.add((name, child))
            cpath, cmd = targets_role(child)
            verify(md, child, cmd, cpath)
            _check_meta(cpath, cmd, snap.signed.meta[f"{child}.json"], "snapshot")
            if child not in verified:
                verified[child] = cmd
                n_targets += len(cmd.signed.targets)
                queue.append((child, cmd))

    unlisted = sorted(set(snap.signed.meta) - {f"{r}.json" for r in verified})
    return {
        "metadata_dir": str(meta_dir),
        "consistent_snapshot": consistent,
        "root_versions": [md.signed.version for _, md in chain],
        "timestamp": ts.signed.version,
        "snapshot": snap.signed.version,
        "targets_roles": len(verified),
        "targets": n_targets,
        "unreferenced_files": sorted(set(files) - used),
        "snapshot_roles_not_delegated": unlisted,
        "expired": expired + (["timestamp.json"] if ts.signed.is_expired(now) else []),
    }


def main(argv: list[str]) -> int:
    if len(argv) != 2 or argv[1] in ("-h", "--help"):
        print(__doc__, file=sys.stderr)
        return 2
    try:
        s = verify_repo(Path(argv[1]))
    except RepoError as e:
        print(f"FAILED: {e}", file=sys.stderr)
        return 1
    print(
        f"OK {s['metadata_dir']}: root v{s['root_versions'][0]}..v{s['root_versions'][-1]} "
        f"chain verified, timestamp v{s['timestamp']}, snapshot v{s['snapshot']}, "
        f"{s['targets_roles']} targets roles with {s['targets']} targets verified "
        f"(consistent_snapshot={str(s['consistent_snapshot']).lower()})"
    )
    for key in ("unreferenced_files", "snapshot_roles_not_delegated", "expired"):
        if s[key]:
            print(f"  note: {key.replace('_', ' ')}: {', '.join(s[key])}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
