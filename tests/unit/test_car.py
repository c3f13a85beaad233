"""CARv1 export and import: round trips, byte compatibility, rejection of bad archives."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from flchain.errors import ContentNotFoundError, IntegrityError, StorageError
from flchain.storage import Block, Cid, LocalStore, build_file_dag, encode_car, read_car
from flchain.storage.cid import encode_varint

DATA = hashlib.shake_256(b"flchain").digest(600_000)  # three chunks

# sha256 of the CAR files; @ipld/car 5 (npm) reads each one, verifies its blocks and
# re-writes it byte for byte (blocks in depth-first order from the root, as `ipfs dag export`).
CAR_SHA256 = {
    0: "d06f0d01fad408656ef564fb8e0ead42453d5fd08c852e8c0cfa0d772974af52",
    1: "fbd18a2a3e11ac4d2cee986cad9891793cb295efe4e1322d72e525cc5415f63a",
}


@pytest.mark.parametrize("version", [0, 1])
def test_export_car_matches_reference_bytes_when_multi_block_file(
    tmp_path: Path, version: int
) -> None:
    store = LocalStore(tmp_path, cid_version=version)
    cid = store.put(DATA)

    car = store.export_car(cid)

    assert hashlib.sha256(car).hexdigest() == CAR_SHA256[version]


@pytest.mark.parametrize("version", [0, 1])
def test_import_car_restores_content_when_exported_from_another_store(
    tmp_path: Path, version: int
) -> None:
    source = LocalStore(tmp_path / "a", cid_version=version)
    target = LocalStore(tmp_path / "b")
    cid = source.put(DATA)

    roots = target.import_car(source.export_car(cid))

    assert roots == (cid,)
    assert target.get(cid) == DATA
    assert cid in target.pinned()


def test_read_car_returns_roots_and_blocks_when_encoded() -> None:
    dag = build_file_dag(DATA, 1)

    car = read_car(encode_car([dag.root], dag.blocks))

    assert car.roots == (dag.root,)
    assert set(car.blocks) == set(dag.blocks)


def test_read_car_raises_integrity_error_when_block_tampered() -> None:
    dag = build_file_dag(b"some model bytes", 1)
    block = dag.blocks[0]
    tampered = Block(block.cid, b"other model bytes")

    with pytest.raises(IntegrityError):
        read_car(encode_car([dag.root], [tampered]))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\x05hello",
        encode_varint(3) + b"\xa0\x00\x00",  # empty map, trailing bytes
        encode_varint(1) + b"\xa0",  # no version
    ],
)
def test_read_car_raises_storage_error_when_not_a_car(data: bytes) -> None:
    with pytest.raises(StorageError, match="CARv1"):
        read_car(data)


def test_read_car_raises_storage_error_when_section_truncated() -> None:
    dag = build_file_dag(b"abc", 1)
    car = encode_car([dag.root], dag.blocks)

    with pytest.raises(StorageError, match="CARv1"):
        read_car(car[:-1])


def test_import_car_raises_content_not_found_when_root_dag_incomplete(tmp_path: Path) -> None:
    dag = build_file_dag(DATA, 1)
    partial = [block for block in dag.blocks if block.cid == dag.root]

    with pytest.raises(ContentNotFoundError):
        LocalStore(tmp_path).import_car(encode_car([dag.root], partial))


def test_import_car_stores_blocks_when_pin_roots_false_and_dag_incomplete(
    tmp_path: Path,
) -> None:
    dag = build_file_dag(DATA, 1)
    store = LocalStore(tmp_path)
    root_block = next(block for block in dag.blocks if block.cid == dag.root)

    roots = store.import_car(encode_car([dag.root], [root_block]), pin_roots=False)

    assert roots == (dag.root,)
    assert store.has_block(dag.root)
    assert not store.has(dag.root)


def test_encode_car_writes_v0_root_as_tag_42_when_cid_v0() -> None:
    cid = Cid.parse("Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD")

    car = encode_car([cid], [])

    assert b"\xd8\x2a\x58\x23\x00" + cid.to_bytes() in car
