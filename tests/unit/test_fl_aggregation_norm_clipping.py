"""Norm bounding: rows scaled down to max_norm, then FedAvg; bit-identical in any row order."""

from __future__ import annotations

import numpy as np
import pytest
from rule_checks import WIDE_ORDER, assert_same_when_permuted, wide_updates

from flchain.errors import AggregationError
from flchain.fl.aggregation import RULE_IDS, RULES, fedavg, norm_clipping


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
    assert_same_when_permuted(norm_clipping, wide_updates(), WIDE_ORDER)


def test_norm_clipping_is_registered_with_id_6() -> None:
    assert RULES["norm_clipping"] is norm_clipping
    assert RULE_IDS["norm_clipping"] == 6
