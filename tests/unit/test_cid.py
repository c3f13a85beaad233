"""The Cid value: text and binary forms, the on-chain pair, rejection of what it is not."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flchain.errors import InvalidCidError
from flchain.storage import CHAIN_CODEC_V0, DAG_PB, RAW, Cid

HELLO_V0 = "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyfD"
HELLO_RAW = "bafkreifzjut3te2nhyekklss27nh3k72ysco7y32koao5eei66wof36n5e"

digests = st.binary(min_size=32, max_size=32)
cids = st.one_of(
    st.builds(lambda d: Cid(0, DAG_PB, d), digests),
    st.builds(lambda d, c: Cid(1, c, d), digests, st.sampled_from([DAG_PB, RAW])),
)


@given(cids)
def test_parse_returns_same_cid_when_given_its_text(cid: Cid) -> None:
    assert Cid.parse(str(cid)) == cid


@given(cids)
def test_from_bytes_returns_same_cid_when_given_its_binary_form(cid: Cid) -> None:
    assert Cid.from_bytes(cid.to_bytes()) == cid


@given(cids)
def test_from_chain_returns_same_cid_when_given_its_chain_pair(cid: Cid) -> None:
    digest, codec = cid.to_chain()

    assert len(digest) == 32
    assert 0 <= codec <= 255
    assert Cid.from_chain(digest, codec) == cid


@given(cids)
def test_text_has_kubo_prefix_when_formatted(cid: Cid) -> None:
    text = str(cid)

    expected = {(0, DAG_PB): "Qm", (1, DAG_PB): "bafybei", (1, RAW): "bafkrei"}
    assert text.startswith(expected[(cid.version, cid.codec)])


def test_to_chain_uses_fixed_codec_bytes_when_each_kind() -> None:
    digest = hashlib.sha256(b"x").digest()

    assert Cid(0, DAG_PB, digest).to_chain() == (digest, CHAIN_CODEC_V0)
    assert Cid(1, DAG_PB, digest).to_chain() == (digest, 0x70)
    assert Cid(1, RAW, digest).to_chain() == (digest, 0x55)


def test_parse_reads_known_cids_when_v0_and_v1() -> None:
    digest = hashlib.sha256(b"hello world").digest()

    assert Cid.parse(HELLO_RAW) == Cid(1, RAW, digest)
    assert Cid.parse(HELLO_V0).version == 0
    assert str(Cid.parse(HELLO_V0)) == HELLO_V0


def test_v0_and_v1_differ_when_same_digest() -> None:
    digest = bytes(32)

    assert Cid(0, DAG_PB, digest) != Cid(1, DAG_PB, digest)
    assert len({Cid(0, DAG_PB, digest), Cid(1, DAG_PB, digest), Cid(1, RAW, digest)}) == 3


@pytest.mark.parametrize(
    "text",
    [
        "",
        "hello",
        "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyf0",  # '0' is not base58
        "Qmf412jQZiuVUtdgnB36FXFX7xg5V6KEbSJ4dpQuhkLyf",  # truncated
        HELLO_RAW.upper(),
        "BAFKREIFZJUT3TE2NHYEKKLSS27NH3K72YSCO7Y32KOAO5EEI66WOF36N5E",
        HELLO_RAW[:-2],
        "zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA",  # base58 CIDv1: not accepted
        "bafyreib",  # truncated
    ],
)
def test_parse_raises_invalid_cid_error_when_not_a_cid(text: str) -> None:
    with pytest.raises(InvalidCidError):
        Cid.parse(text)


@pytest.mark.parametrize(
    ("version", "codec", "digest"),
    [
        (2, DAG_PB, bytes(32)),
        (0, RAW, bytes(32)),
        (1, 0x71, bytes(32)),  # dag-cbor: not produced by `ipfs add`
        (1, RAW, bytes(31)),
    ],
)
def test_cid_raises_invalid_cid_error_when_fields_invalid(
    version: int, codec: int, digest: bytes
) -> None:
    with pytest.raises(InvalidCidError):
        Cid(version, codec, digest)


def test_from_chain_raises_invalid_cid_error_when_codec_byte_unknown() -> None:
    with pytest.raises(InvalidCidError, match="0x71"):
        Cid.from_chain(bytes(32), 0x71)


def test_from_bytes_raises_invalid_cid_error_when_hash_not_sha256() -> None:
    blake3 = bytes([1, RAW, 0x1E, 32]) + bytes(32)

    with pytest.raises(InvalidCidError, match="sha2-256"):
        Cid.from_bytes(blake3)


def test_cid_is_frozen_when_assigned() -> None:
    cid = Cid.parse(HELLO_V0)

    with pytest.raises(AttributeError):
        cid.version = 1  # type: ignore[misc]
