"""Norm bounding: rows scaled down to max_norm, then FedAvg; bit-identical in any row order."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from flchain.errors import AggregationError
from flchain.fl.aggregation import RULE_IDS, RULES, fedavg, norm_clipping

values = st.one_of(st.floats(-1e3, 1e3, width=32), st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5]))


@st.composite
def update_batches(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray]:
    rows = draw(st.integers(1, 9))
    updates = draw(arrays(np.float32, (rows, draw(st.integers(1, 12))), elements=values))
    pairs = st.tuples(st.integers(0, rows - 1), st.integers(0, rows - 1))
    for source, target in draw(st.lists(pairs, max_size=3)):
        updates[target] = updates[source]
    for row in draw(st.lists(st.integers(0, rows - 1), max_size=2)):
        updates[row, 0] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    weights = draw(arrays(np.int64, rows, elements=st.integers(0, 100)))
    return updates, weights


@settings(max_examples=200, deadline=None)
@given(batch=update_batches(), max_norm=st.sampled_from([None, 0.5, 10.0, 1e4]), data=st.data())
def test_norm_clipping_is_bit_identical_when_rows_are_permuted(
    batch: tuple[np.ndarray, np.ndarray], max_norm: float | None, data: st.DataObject
) -> None:
    updates, weights = batch
    order = np.array(data.draw(st.permutations(range(len(updates)))), dtype=np.intp)
    try:
        expected = norm_clipping(updates, max_norm=max_norm, weights=weights)
    except AggregationError:
        with pytest.raises(AggregationError):
            norm_clipping(updates[order], max_norm=max_norm, weights=weights[order])
        return

    permuted = norm_clipping(updates[order], max_norm=max_norm, weights=weights[order])

    assert permuted.aggregate.tobytes() == expected.aggregate.tobytes()
    assert np.array_equal(permuted.accepted, expected.accepted[order])


def test_norm_clipping_scales_a_row_down_to_max_norm_and_keeps_it_accepted() -> None:
    updates = np.array([[3.0, 4.0], [0.3, 0.4]], dtype=np.float32)  # norms 5 and 0.5

    result = norm_clipping(updates, max_norm=1.0)

    assert result.accepted.tolist() == [True, True]
    assert result.aggregate.tolist() == pytest.approx([(0.6 + 0.3) / 2, (0.8 + 0.4) / 2])


def test_norm_clipping_equals_fedavg_when_no_row_exceeds_max_norm() -> None:
    updates = np.random.default_rng(5).standard_normal((6, 100), dtype=np.float32)
    weights = np.array([1, 2, 3, 4, 5, 6])

    result = norm_clipping(updates, max_norm=1e3, weights=weights)

    assert result.aggregate.tobytes() == fedavg(updates, weights=weights).aggregate.tobytes()


def test_norm_clipping_clips_to_the_median_norm_when_max_norm_is_none() -> None:
    updates = np.array([[1.0], [2.0], [3.0], [100.0], [-50.0]], dtype=np.float32)

    result = norm_clipping(updates)  # median norm 3

    assert result.aggregate.tolist() == pytest.approx([(1 + 2 + 3 + 3 - 3) / 5])


def test_norm_clipping_bounds_a_boosted_row_to_an_honest_influence() -> None:
    rng = np.random.default_rng(6)
    honest = rng.normal(0.0, 0.01, (9, 500)).astype(np.float32)
    boosted = np.full((1, 500), 10.0, dtype=np.float32)

    result = norm_clipping(np.concatenate([honest, boosted]))

    assert result.accepted.all()
    assert np.linalg.norm(result.aggregate) < np.linalg.norm(honest, axis=1).max()


def test_norm_clipping_rejects_rows_when_they_hold_nan_or_inf() -> None:
    updates = np.array([[1.0], [np.nan], [3.0]], dtype=np.float32)

    result = norm_clipping(updates, max_norm=10.0, weights=np.array([1, 5, 1]))

    assert result.accepted.tolist() == [True, False, True]
    assert result.aggregate.tolist() == [2.0]


@pytest.mark.parametrize("max_norm", [0.0, -1.0, float("inf"), float("nan")])
def test_norm_clipping_raises_aggregation_error_when_max_norm_is_invalid(
    max_norm: float,
) -> None:
    with pytest.raises(AggregationError, match="finite max_norm > 0: got"):
        norm_clipping(np.ones((2, 2), dtype=np.float32), max_norm=max_norm)


def test_norm_clipping_is_bit_identical_when_rows_span_several_column_blocks() -> None:
    updates = np.random.default_rng(11).standard_normal((9, 40_000), dtype=np.float32)
    order = np.array([4, 8, 0, 3, 7, 1, 6, 2, 5])

    expected = norm_clipping(updates)
    permuted = norm_clipping(updates[order])

    assert permuted.aggregate.tobytes() == expected.aggregate.tobytes()
    assert np.array_equal(permuted.accepted, expected.accepted[order])


def test_norm_clipping_is_registered_with_id_6() -> None:
    assert RULES["norm_clipping"] is norm_clipping
    assert RULE_IDS["norm_clipping"] == 6
