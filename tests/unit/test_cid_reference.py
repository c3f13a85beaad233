"""compute_cid against a live independent implementation: Debian's ``ipfs-cid``.

``ipfs_cid FILE`` (apt package ``ipfs-cid``, rust-cid-npm) builds the UnixFS DAG as Kubo does
(size-262144 chunks, balanced layout, 174 links) and prints its CIDv0; it needs no daemon and
no network. Install it with ``apt-get install -y ipfs-cid``. Its "CIDv1" output is the same
root relabelled, not ``ipfs add --cid-version=1``, so only CIDv0 is compared here; CIDv1 is
covered by the recorded vectors in test_cid_vectors.py.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from pathlib import Path

import pytest

from flchain.storage import compute_cid

CHUNK = 262_144
SIZES = [0, 1, 11, 1000, CHUNK - 1, CHUNK, CHUNK + 1, 3_000_000, 174 * CHUNK + 1]


@pytest.fixture(scope="module")
def ipfs_cid() -> str:
    path = shutil.which("ipfs_cid")
    if path is None:
        pytest.fail(
            "The reference tool ipfs_cid is not installed; run `apt-get install -y ipfs-cid` "
            "(Debian package), then rerun the tests."
        )
    return path


def reference_cid_v0(tool: str, file: Path) -> str:
    result = subprocess.run([tool, str(file)], capture_output=True, check=True, timeout=60)
    return str(json.loads(result.stdout)["CIDv0"])


@pytest.mark.parametrize("size", SIZES)
def test_compute_cid_equals_ipfs_cid_when_v0(ipfs_cid: str, tmp_path: Path, size: int) -> None:
    data = hashlib.shake_256(f"reference-{size}".encode()).digest(size) if size else b""
    file = tmp_path / "data.bin"
    file.write_bytes(data)

    expected = reference_cid_v0(ipfs_cid, file)

    assert str(compute_cid(data, 0)) == expected


def test_compute_cid_equals_ipfs_cid_when_data_repeats_chunks(
    ipfs_cid: str, tmp_path: Path
) -> None:
    data = b"\0" * (5 * CHUNK + 7)  # identical leaves: one block, linked five times
    file = tmp_path / "zeros.bin"
    file.write_bytes(data)

    assert str(compute_cid(data, 0)) == reference_cid_v0(ipfs_cid, file)
