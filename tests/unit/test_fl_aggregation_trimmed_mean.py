"""Coordinate-wise trimmed mean: exact fixed-point mean of the kept values, any row order."""

from __future__ import annotations

import numpy as np
import pytest
from rule_checks import WIDE_ORDER, assert_same_when_permuted, wide_updates

from flchain.errors import AggregationError
from flchain.fl.aggregation import RULE_IDS, RULES, SCALE, fedavg, trimmed_mean


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
    assert_same_when_permuted(trimmed_mean, wide_updates(), WIDE_ORDER, beta=0.2)


def test_trimmed_mean_is_registered_with_id_2() -> None:
    assert RULES["trimmed_mean"] is trimmed_mean
    assert RULE_IDS["trimmed_mean"] == 2
