"""`flchain verify` blames the local store, not the chain, when an accepted update's bytes are
missing or corrupt here (the chain accepted them, so they existed and matched)."""

from __future__ import annotations

from pathlib import Path

import pytest

from flchain.errors import StorageError
from flchain.protocol.client import Revealed
from flchain.roles.verifier import check_local_copies
from flchain.storage.cid import Cid
from flchain.storage.local import LocalStore


def _revealed(cid: Cid, index: int) -> Revealed:
    digest, codec = cid.to_chain()
    return Revealed("0x" + "00" * 20, index, digest, codec, 1)


def _block_file(store: LocalStore, cid: Cid) -> Path:
    (path,) = [p for p in (store.root / "blocks").rglob("*") if p.is_file()]
    return path


def test_check_local_copies_names_the_missing_block_of_an_accepted_update(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    cid = store.put(b"an accepted update")
    _block_file(store, cid).unlink()

    with pytest.raises(StorageError, match=f"local store damaged: block {cid} .* is missing"):
        check_local_copies(store, [_revealed(cid, 0)], accepted_bitmap=0b1)


def test_check_local_copies_names_a_corrupt_block_of_an_accepted_update(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    cid = store.put(b"an accepted update")
    _block_file(store, cid).write_bytes(b"flipped bits")

    with pytest.raises(StorageError, match=f"local store damaged: block {cid} .* is corrupt"):
        check_local_copies(store, [_revealed(cid, 0)], accepted_bitmap=0b1)


def test_check_local_copies_ignores_updates_the_chain_rejected(tmp_path: Path) -> None:
    store = LocalStore(tmp_path)
    never_uploaded = Cid.parse(str(LocalStore(tmp_path / "elsewhere").put(b"never here")))

    check_local_copies(store, [_revealed(never_uploaded, 3)], accepted_bitmap=0b0111)
