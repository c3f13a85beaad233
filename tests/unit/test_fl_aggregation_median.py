"""Coordinate-wise median: exact middle values, NaN rows rejected, any row order."""

from __future__ import annotations

import numpy as np
import pytest
from rule_checks import WIDE_ORDER, assert_same_when_permuted, wide_updates

from flchain.errors import AggregationError
from flchain.fl.aggregation import RULE_IDS, RULES, median


def test_median_returns_middle_value_when_row_count_is_odd() -> None:
    updates = np.array([[5.0, -1.0], [1.0, 7.0], [3.0, 2.0]], dtype=np.float32)

    result = median(updates)

    assert result.aggregate.tolist() == [3.0, 2.0]
    assert result.accepted.all()


def test_median_returns_midpoint_of_middle_values_when_row_count_is_even() -> None:
    updates = np.array([[1.0, 5.0], [2.0, -3.0], [0.0, 0.0], [8.0, 8.0]], dtype=np.float32)

    result = median(updates)

    assert result.aggregate.tolist() == [1.5, 2.5]


def test_median_matches_numpy_median_when_values_are_random() -> None:
    updates = np.random.default_rng(3).standard_normal((9, 1000), dtype=np.float32)

    result = median(updates)

    assert np.array_equal(result.aggregate, np.median(updates, axis=0))


def test_median_rejects_a_row_when_it_holds_nan_or_inf() -> None:
    updates = np.array([[1.0], [np.nan], [2.0], [np.inf], [4.0]], dtype=np.float32)

    result = median(updates)

    assert result.accepted.tolist() == [True, False, True, False, True]
    assert result.aggregate.tolist() == [2.0]


def test_median_rejects_a_row_when_a_value_is_beyond_the_fixed_point_range() -> None:
    updates = np.array([[1.0], [2.0], [3e30]], dtype=np.float32)

    result = median(updates)

    assert result.accepted.tolist() == [True, True, False]
    assert result.aggregate.tolist() == [1.5]


def test_median_returns_positive_zero_when_zeros_of_both_signs_tie() -> None:
    updates = np.array([[-0.0], [0.0], [-0.0]], dtype=np.float32)

    result = median(updates)

    assert result.aggregate.tobytes() == np.zeros(1, np.float32).tobytes()


def test_median_stays_within_honest_range_when_a_minority_is_arbitrary() -> None:
    honest = np.random.default_rng(0).uniform(-1, 1, (6, 50)).astype(np.float32)
    attackers = np.full((5, 50), 1e6, dtype=np.float32)

    result = median(np.concatenate([honest, attackers]))

    assert np.all(result.aggregate <= honest.max(axis=0))


def test_median_raises_aggregation_error_when_every_row_is_rejected() -> None:
    with pytest.raises(AggregationError, match="No update is left"):
        median(np.full((2, 3), np.nan, dtype=np.float32))


def test_median_is_bit_identical_when_rows_span_several_column_blocks() -> None:
    assert_same_when_permuted(median, wide_updates(), WIDE_ORDER)


def test_median_is_registered_with_id_1() -> None:
    assert RULES["median"] is median
    assert RULE_IDS["median"] == 1
