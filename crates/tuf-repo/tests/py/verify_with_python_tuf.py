#!/usr/bin/env python3
"""python-tuf's ngclient.Updater over a repository tuf-repo wrote.

    verify_with_python_tuf.py REPO_DIR TRUSTED_ROOT WORK_DIR TARGET...

Trusts TRUSTED_ROOT (e.g. REPO_DIR/metadata/1.root.json), refreshes from
REPO_DIR/metadata through a fetcher that reads files from disk (a missing
file is a 404, as from a static web server), then looks up and downloads
every TARGET from REPO_DIR/targets, which python-tuf verifies for length and
hashes. Prints one line per target; exit status 0 only if all succeeded.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from urllib import parse

from tuf.api import exceptions
from tuf.ngclient import Updater
from tuf.ngclient.fetcher import FetcherInterface

BASE = "http://repo.invalid"


class DirectoryFetcher(FetcherInterface):
    """Serves BASE/<path> from a local directory, byte for byte."""

    def __init__(self, root: str) -> None:
        self.root = root

    def _fetch(self, url: str) -> Iterator[bytes]:
        # Decoded, as a static web server does: role `apps/v1` is requested
        # as `N.apps%2Fv1.json` and stored as `N.apps/v1.json`.
        path = parse.unquote(parse.urlparse(url).path).lstrip("/")
        full = os.path.join(self.root, *path.split("/"))
        try:
            with open(full, "rb") as f:
                data = f.read()
        except (FileNotFoundError, NotADirectoryError) as e:
            raise exceptions.DownloadHTTPError(f"not found: {path}", 404) from e
        return iter([data])


def main(argv: list[str]) -> int:
    repo, trusted_root, work, *targets = argv
    meta_dir = os.path.join(work, "metadata")
    target_dir = os.path.join(work, "targets")
    os.makedirs(meta_dir, exist_ok=True)
    os.makedirs(target_dir, exist_ok=True)
    shutil.copyfile(trusted_root, os.path.join(meta_dir, "root.json"))
    updater = Updater(
        metadata_dir=meta_dir,
        metadata_base_url=f"{BASE}/metadata/",
        target_base_url=f"{BASE}/targets/",
        target_dir=target_dir,
        fetcher=DirectoryFetcher(repo),
        bootstrap=None,  # trust the root.json copied above
    )
    updater.refresh()
    print(f"root version {updater._trusted_set.root.version}")  # noqa: SLF001
    ok = True
    for name in targets:
        info = updater.get_targetinfo(name)
        if info is None:
            print(f"MISSING {name}")
            ok = False
            continue
        path = updater.download_target(info, os.path.join(target_dir, name.replace("/", "_")))
        print(f"ok {name} {info.length} {path}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
