#!/usr/bin/env python3
"""python-tuf's ngclient.Updater behind the tuf-conformance client CLI.

Used by interop tests where python-tuf reads repositories that we write.
Run it with the project's venv python ("$(scripts/pyenv.sh)").

    py_client.py --metadata-dir DIR init TRUSTED_ROOT
    py_client.py --metadata-dir DIR --metadata-url URL refresh
    py_client.py --metadata-dir DIR --metadata-url URL --target-name PATH \
        --target-base-url URL --target-dir DIR download

URLs may be http(s):// (python-tuf's default urllib3 fetcher), file:// or a
plain directory path (read straight from disk, so tests need no server).
Exit code 0 on success, 1 on any failure (the error goes to stderr).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from collections.abc import Iterator
from urllib import parse, request

from tuf.api import exceptions
from tuf.ngclient import Updater
from tuf.ngclient.fetcher import FetcherInterface


class FileFetcher(FetcherInterface):
    """Reads file:// URLs (and plain paths) from disk; a missing file is a
    404, as a static web server would answer, so the root update loop ends."""

    def _fetch(self, url: str) -> Iterator[bytes]:
        u = parse.urlparse(url)
        path = request.url2pathname(u.path) if u.scheme == "file" else url
        try:
            f = open(path, "rb")  # noqa: SIM115
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError) as e:
            raise exceptions.DownloadHTTPError(f"not found: {path}", 404) from e
        return self._chunks(f)

    @staticmethod
    def _chunks(f) -> Iterator[bytes]:  # noqa: ANN001
        with f:
            while chunk := f.read(64 * 1024):
                yield chunk


def is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def as_url(url: str) -> str:
    """Plain paths become absolute file paths with a trailing slash."""
    if "://" in url:
        return url
    return os.path.abspath(url)


def make_updater(args: argparse.Namespace, with_targets: bool = False) -> Updater:
    urls = [args.metadata_url] + ([args.target_base_url] if with_targets else [])
    fetcher = FileFetcher() if any(is_local(u) for u in urls) else None
    return Updater(
        metadata_dir=args.metadata_dir,
        metadata_base_url=as_url(args.metadata_url),
        target_dir=args.target_dir if with_targets else None,
        target_base_url=as_url(args.target_base_url) if with_targets else None,
        fetcher=fetcher,
        bootstrap=None,  # trust the root.json that `init` stored
    )


def cmd_init(args: argparse.Namespace) -> None:
    os.makedirs(args.metadata_dir, exist_ok=True)
    shutil.copyfile(args.trusted_root, os.path.join(args.metadata_dir, "root.json"))


def cmd_refresh(args: argparse.Namespace) -> None:
    make_updater(args).refresh()


def cmd_download(args: argparse.Namespace) -> None:
    os.makedirs(args.target_dir, exist_ok=True)
    updater = make_updater(args, with_targets=True)
    info = updater.get_targetinfo(args.target_name)
    if info is None:
        raise LookupError(f"target {args.target_name!r} not found")
    path = updater.find_cached_target(info)
    if path is None:
        path = updater.download_target(info)
    print(path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="python-tuf client (tuf-conformance CLI)")
    ap.add_argument("--metadata-dir", required=True)
    ap.add_argument("--metadata-url")
    ap.add_argument("--target-name")
    ap.add_argument("--target-base-url")
    ap.add_argument("--target-dir")
    ap.add_argument("-v", "--verbose", action="store_true")
    sub = ap.add_subparsers(dest="command", required=True)
    p_init = sub.add_parser("init")
    p_init.add_argument("trusted_root")
    sub.add_parser("refresh")
    sub.add_parser("download")
    args = ap.parse_args(argv)

    if args.verbose:
        import logging  # noqa: PLC0415

        logging.basicConfig(level=logging.DEBUG)
    need = {
        "refresh": ["metadata_url"],
        "download": ["metadata_url", "target_name", "target_base_url", "target_dir"],
    }.get(args.command, [])
    missing = [f"--{n.replace('_', '-')}" for n in need if getattr(args, n) is None]
    if missing:
        print(f"error: {args.command} needs {', '.join(missing)}", file=sys.stderr)
        return 1
    try:
        {"init": cmd_init, "refresh": cmd_refresh, "download": cmd_download}[args.command](args)
    except Exception as e:  # noqa: BLE001 - the CLI protocol is exit 0 or 1
        print(f"error: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
