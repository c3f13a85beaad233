"""The shard draw mirrored in Python, and the dataset registry's custom errors as Python errors.

The chain side of the mirror (same seed and shards as the contract for real block hashes) is in
tests/integration/test_dataset_registry.py.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from eth_abi.abi import encode
from eth_utils.crypto import keccak
from hypothesis import given, settings
from hypothesis import strategies as st
from test_protocol_errors_map import CLIENT_ABI, _revert_data

from flchain.chain.revert import RevertDecoder
from flchain.protocol.artifacts import load_artifact
from flchain.protocol.dataset_records import (
    DrawInfo,
    ShardAssignmentInfo,
    draw_offset,
    draw_seed,
    draw_shards,
)

REGISTRY_ABI = load_artifact("DatasetRegistry", check_fresh=False).abi
ERRORS = [item for item in REGISTRY_ABI if item["type"] == "error"]
REGISTRY = "0x5FbDB2315678afecb367f032d93F642f64180aa3"


@settings(max_examples=60, deadline=None)
@given(
    seed=st.binary(min_size=32, max_size=32),
    tickets=st.integers(1, 30),
    shard_count=st.integers(1, 40),
    per_member=st.integers(1, 40),
)
def test_draw_deals_every_shard_floor_or_ceil_of_n_m_over_k_times_when_tickets_share_a_seed(
    seed: bytes, tickets: int, shard_count: int, per_member: int
) -> None:
    per_member = min(per_member, shard_count)

    dealt = [draw_shards(seed, t, per_member, shard_count) for t in range(tickets)]

    counts = Counter(index for shards in dealt for index in shards)
    low, extra = divmod(tickets * per_member, shard_count)
    assert all(len(set(shards)) == per_member for shards in dealt)
    assert all(0 <= index < shard_count for shards in dealt for index in shards)
    assert all(counts[s] in (low, low + (1 if extra else 0)) for s in range(shard_count))
    assert dealt[0][0] == int.from_bytes(seed, "big") % shard_count


def test_draw_seed_is_keccak_of_the_abi_encoded_inputs() -> None:
    block_hash = bytes(range(32))

    seed = draw_seed(block_hash, 31337, REGISTRY, 4, 2)

    expected = keccak(
        encode(
            ["bytes32", "uint256", "address", "uint256", "uint32"],
            [block_hash, 31337, REGISTRY, 4, 2],
        )
    )
    assert seed == expected
    assert draw_seed(block_hash, 31337, REGISTRY, 4, 3) != seed
    assert draw_offset(seed, 7) == int.from_bytes(seed, "big") % 7


def test_assignment_indices_wrap_around_the_last_shard() -> None:
    assignment = ShardAssignmentInfo(
        1, 1, 2, first_shard=8, count=3, shard_count=10, seed=b"\1" * 32
    )

    assert assignment.indices == [8, 9, 0]


def test_draw_expires_only_beyond_the_blockhash_window_of_its_target() -> None:
    draw = DrawInfo(1, 1, opened_block=5, target_block=100, tickets=2, renewals=0, seed=bytes(32))

    assert not draw.fixed
    assert not draw.expired(356)
    assert draw.expired(357)
    assert not DrawInfo(1, 2, 5, 0, 1, 0, bytes(32)).expired(10_000)


def test_the_registry_declares_the_errors_this_test_checks() -> None:
    names = {item["name"] for item in ERRORS}

    assert {"DatasetNotFound", "DatasetDrawExpired", "DatasetNotMember"} <= names
    assert len(ERRORS) >= 25


@pytest.mark.parametrize("error", ERRORS, ids=[e["name"] for e in ERRORS])
def test_registry_error_decodes_with_its_name_and_named_arguments(error: dict[str, Any]) -> None:
    arg_names = [arg["name"] for arg in error["inputs"]]
    decoder = RevertDecoder([*REGISTRY_ABI, *CLIENT_ABI], "DatasetRegistry")

    decoded = decoder.decode(_revert_data(error))

    assert all(arg_names), f"{error['name']} has an unnamed argument; name it for messages"
    assert decoded.error_name == error["name"]
    assert list(decoded.error_args) == arg_names
    assert f"{error['name']}(" in str(decoded)
