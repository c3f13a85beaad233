"""LocalStore: the embedded block store on disk."""

from __future__ import annotations

import hashlib
import multiprocessing
from pathlib import Path

import pytest

from flchain.errors import ContentNotFoundError, IntegrityError, StorageError
from flchain.storage import Cid, LocalStore, Store, compute_cid

CHUNK = 262_144
DATA = hashlib.shake_256(b"local").digest(3 * CHUNK + 100)


def block_files(root: Path) -> list[Path]:
    return sorted(path for path in (root / "blocks").rglob("*") if path.is_file())


def flip_byte(path: Path, offset: int = 0) -> None:
    raw = bytearray(path.read_bytes())
    raw[offset] ^= 0xFF
    path.write_bytes(bytes(raw))


def test_local_store_satisfies_store_protocol_when_checked(tmp_path: Path) -> None:
    assert isinstance(LocalStore(tmp_path), Store)


@pytest.mark.parametrize("version", [0, 1])
def test_put_returns_kubo_cid_when_cid_version_configured(tmp_path: Path, version: int) -> None:
    store = LocalStore(tmp_path, cid_version=version)

    cid = store.put(DATA)

    assert cid == compute_cid(DATA, version)
    assert store.get(cid) == DATA


def test_put_defaults_to_cid_v1_when_not_configured(tmp_path: Path) -> None:
    assert LocalStore(tmp_path).put(b"x").version == 1


def test_put_stores_one_file_per_distinct_block_when_chunks_repeat(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)

    store.put(b"\0" * (4 * CHUNK))  # four identical raw leaves and one root

    assert len(block_files(tmp_path)) == 2


def test_put_leaves_no_temporary_files_when_done(tmp_path: Path) -> None:
    LocalStore(tmp_path).put(DATA)

    assert not [path for path in block_files(tmp_path) if path.name.startswith(".tmp-")]


@pytest.mark.parametrize("which", ["leaf", "root"])
def test_get_raises_integrity_error_when_block_flipped_on_disk(tmp_path: Path, which: str) -> None:
    store = LocalStore(tmp_path)
    cid = store.put(DATA)
    root_path = store._block_path(cid)
    target = (
        root_path if which == "root" else next(p for p in block_files(tmp_path) if p != root_path)
    )
    flip_byte(target, offset=5)

    with pytest.raises(IntegrityError, match="corrupt"):
        store.get(cid)


def test_put_repairs_corrupt_block_when_content_added_again(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    cid = store.put(DATA)
    flip_byte(block_files(tmp_path)[0])

    store.put(DATA)

    assert store.get(cid) == DATA


def test_get_raises_content_not_found_when_cid_never_added(tmp_path: Path) -> None:
    with pytest.raises(ContentNotFoundError, match=str(compute_cid(b"absent"))):
        LocalStore(tmp_path).get(compute_cid(b"absent"))


def test_get_raises_content_not_found_when_leaf_block_missing(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    cid = store.put(DATA)
    root_path = store._block_path(cid)
    next(p for p in block_files(tmp_path) if p != root_path).unlink()

    with pytest.raises(ContentNotFoundError):
        store.get(cid)


def test_has_reports_whole_dag_when_blocks_added_or_removed(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    cid = compute_cid(DATA)
    assert not store.has(cid)

    store.put(DATA)
    assert store.has(cid)

    block_files(tmp_path)[0].unlink()
    assert not store.has(cid)


def test_pin_records_cid_when_content_present(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    cid = store.put(DATA)

    store.pin(cid)

    assert store.pinned() == frozenset({cid})


def test_pin_raises_content_not_found_when_content_absent(tmp_path: Path) -> None:
    with pytest.raises(ContentNotFoundError, match="pin"):
        LocalStore(tmp_path).pin(compute_cid(b"absent"))


def test_put_raises_storage_error_when_root_is_a_file(tmp_path: Path) -> None:
    root = tmp_path / "not-a-dir"
    root.write_text("x")

    with pytest.raises(StorageError, match="--root"):
        LocalStore(root).put(b"data")


def _put_payloads(args: tuple[str, int]) -> list[str]:
    root, worker = args
    store = LocalStore(root)
    shared = [hashlib.shake_256(b"shared-%d" % i).digest(CHUNK) for i in range(6)]
    cids = []
    for round_ in range(6):
        # overlapping content: every worker writes the same chunks in shifted combinations
        payload = b"".join(shared[(round_ + k) % 6] for k in range(3)) + b"tail-%d" % round_
        cids.append(str(store.put(payload)))
        cids.append(str(store.put(b"worker-%d" % worker)))
    for text in cids:
        store.get(Cid.parse(text))
    return cids


def test_put_keeps_store_consistent_when_processes_write_concurrently(tmp_path: Path) -> None:
    context = multiprocessing.get_context("spawn")

    with context.Pool(4) as pool:
        results = pool.map(_put_payloads, [(str(tmp_path), worker) for worker in range(4)])

    store = LocalStore(tmp_path)
    assert results[0][::2] == results[3][::2]  # same shared payloads, same CIDs
    for cids in results:
        for text in cids:
            cid = Cid.parse(text)
            assert compute_cid(store.get(cid)) == cid
    assert not [path for path in block_files(tmp_path) if path.name.startswith(".tmp-")]
