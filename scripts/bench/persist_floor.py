"""The cost of replacing a small file atomically, three ways, on the disk
under the current directory: the floor under persisting each root of a
chain before fetching the next (spec 5.3.8, checklist W-14).

    cd /tmp && python3 /path/to/scripts/bench/persist_floor.py [COUNT]

For COUNT (default 250) files of 2,144 bytes (one root of the rotations
benchmark), each replacing `root.json`:

- full:  write a temporary file, fsync it, rename it over, fsync the
         directory (what our DirectoryStore does, architecture decision 7);
- nodir: the same without the directory fsync;
- none:  write and rename only (what python-tuf does: no fsync at all);
- overlap4: nodir's steps, but four threads write and fsync the next
         temporary files at once while the renames still happen in order,
         so the journal commits of several files can be shared. This is
         what W-14 rules out for a client (each root must be on disk before
         the next is even requested); it shows how much of nodir's cost is
         one commit per file rather than the bytes.

Prints milliseconds per replacement; each way is run twice, interleaved.
"""

from __future__ import annotations

import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor


def write_file(name: str, data: bytes, sync: bool = True) -> str:
    fd = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        os.write(fd, data)
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    return name


def main() -> int:
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 250
    data = b"x" * 2144
    directory = os.open(".", os.O_RDONLY)
    try:
        for mode in ["full", "nodir", "none", "overlap4"] * 2:
            started = time.perf_counter()
            if mode == "overlap4":
                with ThreadPoolExecutor(4) as pool:
                    names = [f"persist_floor.{i}.tmp" for i in range(count)]
                    for done in [pool.submit(write_file, n, data) for n in names]:
                        os.rename(done.result(), "persist_floor.json")
                os.fsync(directory)
            else:
                for _ in range(count):
                    write_file("persist_floor.tmp", data, sync=mode != "none")
                    os.rename("persist_floor.tmp", "persist_floor.json")
                    if mode == "full":
                        os.fsync(directory)
            per = (time.perf_counter() - started) * 1000 / count
            print(f"{mode:8} {per:.3f} ms per file, {per * count:.0f} ms for {count}")
    finally:
        os.close(directory)
        for name in ("persist_floor.tmp", "persist_floor.json"):
            try:
                os.unlink(name)
            except FileNotFoundError:
                pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
