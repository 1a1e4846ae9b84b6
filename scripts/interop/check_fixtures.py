#!/usr/bin/env python3
"""Read every python-tuf fixture back with python-tuf itself.

    check_fixtures.py [FIXTURES_DIR]   (default crates/tuf-testkit/fixtures/python-tuf)

For each fixture (a folder with manifest.json): py_verify_repo's checks, then
python-tuf's ngclient.Updater, trusting metadata/1.root.json, refreshes from
metadata/ and, for every manifest target, looks it up, downloads it from
targets/ and compares length and sha256; every "absent" path must not be
found. Exit 0 if all fixtures pass, else 1.
"""

from __future__ import annotations

import hashlib
import json
import sys
import tempfile
import traceback
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from py_client import FileFetcher  # noqa: E402
from py_verify_repo import verify_repo  # noqa: E402
from tuf.ngclient import Updater  # noqa: E402

DEFAULT = Path(__file__).resolve().parents[2] / "crates/tuf-testkit/fixtures/python-tuf"


def check(fixture: Path) -> str:
    manifest = json.loads((fixture / "manifest.json").read_text())
    summary = verify_repo(fixture)
    if summary["expired"]:
        raise AssertionError(f"expired: {summary['expired']}")
    if summary["unreferenced_files"]:
        raise AssertionError(f"files no role refers to: {summary['unreferenced_files']}")
    bootstrap = (fixture / manifest["trusted_root"]).read_bytes()
    with tempfile.TemporaryDirectory() as tmp:
        md_dir = Path(tmp, "metadata")
        md_dir.mkdir()
        updater = Updater(
            metadata_dir=str(md_dir),
            metadata_base_url=str(fixture / "metadata") + "/",
            target_dir=str(Path(tmp, "targets")),
            target_base_url=str(fixture / "targets") + "/",
            fetcher=FileFetcher(),
            bootstrap=bootstrap,
        )
        updater.refresh()
        want_root = manifest["versions"]["root"]
        if updater._trusted_set.root.version != want_root:  # noqa: SLF001
            raise AssertionError(f"client ended on root v{updater._trusted_set.root.version}")  # noqa: SLF001
        for t in manifest["targets"]:
            info = updater.get_targetinfo(t["path"])
            if info is None:
                raise AssertionError(f"{t['path']}: not found")
            got = Path(updater.download_target(info)).read_bytes()
            if hashlib.sha256(got).hexdigest() != t["sha256"] or len(got) != t["length"]:
                raise AssertionError(f"{t['path']}: downloaded contents differ from manifest")
        for a in manifest["absent"]:
            if updater.get_targetinfo(a["path"]) is not None:
                raise AssertionError(f"{a['path']}: found, but should not be ({a['why']})")
    return (
        f"{len(manifest['targets'])} targets downloaded, {len(manifest['absent'])} absent, "
        f"{summary['targets_roles']} targets roles"
    )


def main() -> int:
    base = Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT
    fixtures = sorted(p.parent for p in base.glob("*/manifest.json"))
    if not fixtures:
        print(f"no fixtures under {base}", file=sys.stderr)
        return 1
    bad = 0
    for f in fixtures:
        try:
            print(f"  ok   {f.name}: {check(f)}")
        except Exception:  # noqa: BLE001
            bad += 1
            print(f"  FAIL {f.name}:", file=sys.stderr)
            traceback.print_exc()
    print(f"python-tuf read back {len(fixtures) - bad} of {len(fixtures)} fixtures")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
