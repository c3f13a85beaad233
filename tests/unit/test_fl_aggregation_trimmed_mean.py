"""Coordinate-wise trimmed mean: exact fixed-point mean of the kept values, any row order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from flchain.errors import AggregationError
from flchain.fl.aggregation import RULE_IDS, RULES, SCALE, fedavg, trimmed_mean

values = st.one_of(st.floats(-1e3, 1e3, width=32), st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5]))


@st.composite
def update_batches(draw: st.DrawFn) -> np.ndarray:
    rows = draw(st.integers(1, 10))
    updates = draw(arrays(np.float32, (rows, draw(st.integers(1, 12))), elements=values))
    pairs = st.tuples(st.integers(0, rows - 1), st.integers(0, rows - 1))
    for source, target in draw(st.lists(pairs, max_size=3)):
        updates[target] = updates[source]
    for row in draw(st.lists(st.integers(0, rows - 1), max_size=2)):
        updates[row, 0] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    return updates


@settings(max_examples=200, deadline=None)
@given(
    updates=update_batches(),
    beta=st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.49]),
    data=st.data(),
)
def test_trimmed_mean_is_bit_identical_when_rows_are_permuted(
    updates: np.ndarray, beta: float, data: st.DataObject
) -> None:
    order = np.array(data.draw(st.permutations(range(len(updates)))), dtype=np.intp)
    try:
        expected = trimmed_mean(updates, beta=beta)
    except AggregationError:
        with pytest.raises(AggregationError):
            trimmed_mean(updates[order], beta=beta)
        return

    permuted = trimmed_mean(updates[order], beta=beta)

    assert permuted.aggregate.tobytes() == expected.aggregate.tobytes()
    assert np.array_equal(permuted.accepted, expected.accepted[order])


def test_trimmed_mean_drops_int_beta_n_values_at_each_end_when_averaging() -> None:
    updates = np.array([[-100.0], [1.0], [2.0], [3.0], [6.0], [100.0]], dtype=np.float32)

    result = trimmed_mean(updates, beta=0.2)  # int(0.2 * 6) = 1 value cut on each side

    assert result.aggregate.tolist() == [3.0]
    assert result.accepted.all()


def test_trimmed_mean_equals_fedavg_when_beta_is_zero() -> None:
    updates = np.random.default_rng(1).standard_normal((7, 300), dtype=np.float32)

    result = trimmed_mean(updates, beta=0.0)

    assert result.aggregate.tobytes() == fedavg(updates).aggregate.tobytes()


def test_trimmed_mean_equals_float64_trimmed_mean_within_fixed_point_error() -> None:
    updates = np.random.default_rng(2).standard_normal((20, 500), dtype=np.float32)
    kept = np.sort(updates.astype(np.float64), axis=0)[4:16]

    result = trimmed_mean(updates, beta=0.2)

    exact = kept.mean(axis=0)
    assert np.all(np.abs(result.aggregate - exact) <= 1.0 / SCALE + np.abs(exact) * 2.0**-24)


def test_trimmed_mean_rejects_rows_when_they_hold_nan_or_huge_values() -> None:
    updates = np.array([[1.0], [np.nan], [2.0], [3e30], [3.0]], dtype=np.float32)

    result = trimmed_mean(updates, beta=0.0)

    assert result.accepted.tolist() == [True, False, True, False, True]
    assert result.aggregate.tolist() == [2.0]


@pytest.mark.parametrize("beta", [-0.1, 0.5, 0.7, float("nan")])
def test_trimmed_mean_raises_aggregation_error_naming_beta_when_out_of_range(beta: float) -> None:
    with pytest.raises(AggregationError, match=r"0 <= beta < 0.5: got beta="):
        trimmed_mean(np.ones((4, 2), dtype=np.float32), beta=beta)


def test_trimmed_mean_is_bit_identical_when_rows_span_several_column_blocks() -> None:
    updates = np.random.default_rng(11).standard_normal((9, 40_000), dtype=np.float32)
    order = np.array([4, 8, 0, 3, 7, 1, 6, 2, 5])

    expected = trimmed_mean(updates, beta=0.2)
    permuted = trimmed_mean(updates[order], beta=0.2)

    assert permuted.aggregate.tobytes() == expected.aggregate.tobytes()
    assert np.array_equal(permuted.accepted, expected.accepted[order])


def test_trimmed_mean_is_registered_with_id_2() -> None:
    assert RULES["trimmed_mean"] is trimmed_mean
    assert RULE_IDS["trimmed_mean"] == 2
