"""Secure aggregation's arithmetic: pairwise masks cancel exactly, so the masked sum equals the
plain sum bit for bit, and secure FedAvg equals plain FedAvg bit for bit."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from flchain.crypto import (
    KeyPair,
    TaskScope,
    decode_masked,
    encode_masked,
    mask_for,
    masked_row,
    sum_masked,
)
from flchain.errors import AggregationError, SecureAggregationError
from flchain.fl.aggregation import fedavg
from flchain.fl.aggregation.secure_fedavg import fedavg_contribution, fedavg_from_sum

SCOPE = TaskScope(31337, "0x5FbDB2315678afecb367f032d93F642f64180aa3", 7)
PAIRS = {f"0x{i:040x}": KeyPair.from_secret(bytes([i]) * 32) for i in range(1, 9)}


def _roster(size: int) -> dict[str, bytes]:
    return {a: PAIRS[a].public for a in list(PAIRS)[:size]}


def _masked(
    rows: list[np.ndarray], roster: dict[str, bytes], round_id: int = 1
) -> list[np.ndarray]:
    return [
        masked_row(row, mask_for(address, PAIRS[address], roster, SCOPE, round_id, row.size))
        for row, address in zip(rows, roster, strict=True)
    ]


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 8), st.integers(1, 40), st.data())
def test_masked_sum_equals_the_plain_sum_bit_for_bit(
    size: int, length: int, data: st.DataObject
) -> None:
    # Values anywhere in int64 whose plain sum fits: the masks must cancel modulo 2**64.
    bound = (2**63 - 1) // size
    rows = [
        data.draw(arrays(np.int64, length, elements=st.integers(-bound, bound)))
        for _ in range(size)
    ]

    total = sum_masked(_masked(rows, _roster(size)))

    assert total.dtype == np.int64
    assert total.tolist() == [sum(int(r[i]) for r in rows) for i in range(length)]


def test_one_masked_row_shows_nothing_of_its_values() -> None:
    rows = [np.zeros(1000, dtype=np.int64) for _ in range(3)]

    masked = _masked(rows, _roster(3))

    assert all(np.count_nonzero(m) > 990 for m in masked)
    assert sum_masked(masked).tolist() == [0] * 1000


def test_masks_differ_between_rounds_and_do_not_cancel_without_a_member() -> None:
    rows = [np.full(50, i, dtype=np.int64) for i in range(4)]
    roster = _roster(4)

    masked = _masked(rows, roster)

    assert not np.array_equal(masked[0], _masked(rows, roster, round_id=2)[0])
    assert not np.array_equal(sum_masked(masked[:3]), sum(rows[:3]))


def test_mask_for_refuses_a_member_outside_the_roster() -> None:
    outsider = list(PAIRS)[-1]

    with pytest.raises(SecureAggregationError, match="not in the roster"):
        mask_for(outsider, PAIRS[outsider], _roster(3), SCOPE, 1, 10)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 30),
    st.data(),
)
def test_secure_fedavg_equals_plain_fedavg_bit_for_bit(
    clients: int, length: int, data: st.DataObject
) -> None:
    values = data.draw(
        arrays(np.float32, (clients, length), elements=st.floats(-100, 100, width=32))
    )
    weights = data.draw(st.lists(st.integers(1, 5000), min_size=clients, max_size=clients))
    roster = _roster(max(clients, 2))
    contributions = [fedavg_contribution(values[i], weights[i]) for i in range(clients)]
    if clients == 1:  # a roster of one has no pairs: pad with a zero-weight member
        contributions.append(np.zeros(length + 1, dtype=np.int64))

    aggregate = fedavg_from_sum(sum_masked(_masked(contributions, roster)))

    expected = fedavg(values, weights=np.array(weights, dtype=np.int64)).aggregate
    assert aggregate.tobytes() == expected.tobytes()


def test_contribution_caps_the_weight_and_refuses_non_finite_values() -> None:
    vector = np.array([0.5, -0.25], dtype=np.float32)

    assert fedavg_contribution(vector, 10, max_weight=3)[0] == 3
    with pytest.raises(AggregationError, match="NaN or infinity"):
        fedavg_contribution(np.array([np.nan], dtype=np.float32), 1)
    with pytest.raises(AggregationError, match="beyond the fixed-point range"):
        fedavg_contribution(np.array([1e9], dtype=np.float32), 10)
    with pytest.raises(AggregationError, match="total weight of 0"):
        fedavg_from_sum(np.zeros(3, dtype=np.int64))


def test_masked_update_bytes_round_trip_and_refuse_another_length() -> None:
    row = np.arange(5, dtype=np.uint64) * np.uint64(2**61)

    data = encode_masked(row)

    assert decode_masked(data, 5).tolist() == row.tolist()
    with pytest.raises(SecureAggregationError, match="Not a masked update of 6 values"):
        decode_masked(data, 6)
    with pytest.raises(SecureAggregationError, match="bytes of values"):
        decode_masked(data[:-1], 5)
