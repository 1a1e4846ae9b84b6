#!/usr/bin/env python3
"""python-tuf (ngclient) side of the client benchmarks: the same work as
crates/tuf-client/examples/bench_client.rs.

    "$(TUF_PYENV=... scripts/pyenv.sh)" scripts/bench/py_client_bench.py BASE_URL REPO_DIR WORK_DIR

BASE_URL serves REPO_DIR (built by `bench_repo`): metadata under
BASE_URL/metadata/, targets under BASE_URL/targets/. Starts from
REPO_DIR/trusted_root.json in an emptied WORK_DIR (every run is cold),
refreshes, looks up the target named in REPO_DIR/target_path and downloads it
into WORK_DIR/targets.
"""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

from tuf.ngclient import Updater, UpdaterConfig


def main() -> int:
    base, repo, work = sys.argv[1].rstrip("/"), Path(sys.argv[2]), Path(sys.argv[3])
    started = time.perf_counter()
    shutil.rmtree(work, ignore_errors=True)
    (work / "metadata").mkdir(parents=True)
    (work / "targets").mkdir()
    shutil.copyfile(repo / "trusted_root.json", work / "metadata" / "root.json")
    target_path = (repo / "target_path").read_text()

    updater = Updater(
        metadata_dir=str(work / "metadata"),
        metadata_base_url=f"{base}/metadata/",
        target_dir=str(work / "targets"),
        target_base_url=f"{base}/targets/",
        config=UpdaterConfig(),  # python-tuf's defaults, as the Rust side
        bootstrap=None,  # use metadata_dir/root.json, as the Rust side does
    )
    updater.refresh()
    refreshed = time.perf_counter() - started
    info = updater.get_targetinfo(target_path)
    if info is None:
        raise SystemExit(f"{target_path} is not listed")
    path = updater.download_target(info)
    print(
        f"refresh {refreshed:.3f} s, lookup + download "
        f"{time.perf_counter() - started - refreshed:.3f} s: {path} ({info.length} bytes)",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
