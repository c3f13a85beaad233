"""Data chunks of inference weights, and the inference contracts' custom errors in Python.

That deployed chunks hold the weights (code = STOP + data) is checked on Anvil in
tests/integration/test_inference.py; here the byte layout and the decoding of every error.
"""

from __future__ import annotations

from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.abi import collapse_if_tuple
from eth_utils.crypto import keccak

from flchain.chain.revert import RevertDecoder
from flchain.protocol.artifacts import load_artifact
from flchain.protocol.inference import CHUNK_CAPACITY, chunk_creation_code, split_chunks


def test_chunk_creation_code_returns_a_stop_byte_then_the_data() -> None:
    data = bytes(range(1, 6))

    code = chunk_creation_code(data)

    # PUSH2 6, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURNDATASIZE, RETURN | STOP, data
    assert code == bytes.fromhex("61000680600a3d393df3") + b"\x00" + data


@pytest.mark.parametrize("size", [0, CHUNK_CAPACITY + 1])
def test_chunk_creation_code_refuses_empty_or_oversized_chunks(size: int) -> None:
    with pytest.raises(ValueError, match=r"A chunk holds 1\.\.24575 bytes"):
        chunk_creation_code(b"\x01" * size)


@pytest.mark.parametrize(
    ("size", "pieces"),
    [
        (1, [1]),
        (CHUNK_CAPACITY, [CHUNK_CAPACITY]),
        (CHUNK_CAPACITY + 1, [CHUNK_CAPACITY, 1]),
        (3 * CHUNK_CAPACITY - 5, [CHUNK_CAPACITY, CHUNK_CAPACITY, CHUNK_CAPACITY - 5]),
    ],
)
def test_split_chunks_fills_each_chunk_under_the_code_size_limit(
    size: int, pieces: list[int]
) -> None:
    weights = bytes(i % 251 for i in range(size))

    chunks = split_chunks(weights)

    assert [len(c) for c in chunks] == pieces
    assert b"".join(chunks) == weights
    assert all(len(chunk_creation_code(c)) - 10 <= 24_576 for c in chunks)


CONTRACTS = ("InferenceRegistry", "ModelInference")
#: What InferenceRegistryClient decodes reverts with.
CLIENT_ABI: list[dict[str, Any]] = [
    item
    for name in (*CONTRACTS, "ModelRegistry")
    for item in load_artifact(name, check_fresh=False).abi
]
ERRORS = [
    (contract, item)
    for contract in CONTRACTS
    for item in load_artifact(contract, check_fresh=False).abi
    if item["type"] == "error"
]
SAMPLES = {
    "uint256": 3,
    "uint32": 3,
    "uint8": 3,
    "address": "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
    "bytes32": b"\x5a" * 32,
}


@pytest.mark.parametrize(("contract", "error"), ERRORS, ids=[f"{c}.{e['name']}" for c, e in ERRORS])
def test_inference_error_decodes_with_its_name_and_named_arguments(
    contract: str, error: dict[str, Any]
) -> None:
    types = [collapse_if_tuple(arg) for arg in error["inputs"]]
    data = keccak(text=f"{error['name']}({','.join(types)})")[:4] + encode(
        types, [SAMPLES[t] for t in types]
    )

    decoded = RevertDecoder(CLIENT_ABI, "InferenceRegistry").decode(data)

    assert decoded.error_name == error["name"]
    assert list(decoded.error_args) == [arg["name"] for arg in error["inputs"]]
    assert all(f"{arg['name']}=" in str(decoded) for arg in error["inputs"])


def test_the_inference_contracts_declare_the_errors_checked_here() -> None:
    names = {item["name"] for _, item in ERRORS}

    assert {
        "InferenceRegistryModelMismatch",
        "ModelInferenceWrongInputLength",
        "ModelInferenceBadChunk",
    } <= names
