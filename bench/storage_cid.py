"""Storage figures: CID computation and LocalStore put/get throughput (prints, never asserts).

Run: ``.venv/bin/python bench/storage_cid.py [MiB]`` (default 64 MiB of pseudo-random bytes).
"""

from __future__ import annotations

import hashlib
import sys
import tempfile
import time
from collections.abc import Callable

from flchain.storage import LocalStore, compute_cid


def timed(label: str, size: int, action: Callable[[], object]) -> None:
    start = time.perf_counter()
    action()
    seconds = time.perf_counter() - start
    print(f"{label:<28} {seconds * 1000:9.1f} ms  {size / seconds / 2**20:8.1f} MiB/s")


def main() -> None:
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 64
    data = hashlib.shake_256(b"bench").digest(mib * 2**20)
    print(f"{mib} MiB, chunker size-262144, balanced layout (174 links)")
    timed("compute_cid v0", len(data), lambda: compute_cid(data, 0))
    timed("compute_cid v1 (raw leaves)", len(data), lambda: compute_cid(data, 1))
    with tempfile.TemporaryDirectory() as root:
        store = LocalStore(root)
        cid = store.put(data)
        timed("LocalStore.put (again)", len(data), lambda: store.put(data))
        timed("LocalStore.get (verified)", len(data), lambda: store.get(cid))
    with tempfile.TemporaryDirectory() as root:
        timed("LocalStore.put (new store)", len(data), lambda: LocalStore(root).put(data))


if __name__ == "__main__":
    main()
