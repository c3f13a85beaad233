"""Bulyan: iterated Krum selection, then the mean of the values closest to the median."""

from __future__ import annotations

import numpy as np
import pytest
from rule_checks import WIDE_ORDER, assert_same_when_permuted, wide_updates

from flchain.errors import AggregationError
from flchain.fl.aggregation import RULE_IDS, RULES, bulyan, fedavg


def test_bulyan_selects_n_minus_2f_rows_and_leaves_out_the_far_ones() -> None:
    rng = np.random.default_rng(0)
    honest = rng.normal(0.0, 0.1, (9, 20)).astype(np.float32)
    far = np.stack([np.full(20, 50.0), np.full(20, -50.0)]).astype(np.float32)

    result = bulyan(np.concatenate([honest, far]), num_malicious=2)  # n = 11 = 4f + 3

    assert result.accepted.sum() == 11 - 2 * 2
    assert not result.accepted[9:].any()
    assert np.abs(result.aggregate).max() < 0.3


def test_bulyan_averages_the_beta_values_closest_to_the_median_per_coordinate() -> None:
    # f = 1, n = 7: theta = 5 rows kept (the two far ones dropped), beta = 3 per coordinate.
    column = np.array([[0.0], [1.0], [2.0], [10.0], [3.0], [100.0], [-100.0]], dtype=np.float32)

    result = bulyan(column, num_malicious=1)

    # Selected: 0, 1, 2, 3, 10; median 2; closest three: 1, 2, 3.
    assert result.aggregate.tolist() == [2.0]


def test_bulyan_keeps_the_smaller_value_when_two_are_equally_close_to_the_median() -> None:
    # Column 1 makes rows 5 and 6 far: rows 0-4 are selected (theta = 5), beta = 3.
    updates = np.array(
        [[-1.0, 0.0], [-1.0, 0.0], [0.0, 0.0], [1.0, 0.0], [5.0, 0.0], [0.0, 1e3], [0.0, -1e3]],
        dtype=np.float32,
    )

    result = bulyan(updates, num_malicious=1)

    # Column 0: -1, -1, 0, 1, 5, median 0; 5 goes, then -1 and 1 tie: 1 goes.
    assert result.accepted.tolist() == [True] * 5 + [False] * 2
    assert result.aggregate.tolist() == [pytest.approx(-2 / 3, abs=1e-7), 0.0]


def test_bulyan_equals_fedavg_when_f_is_zero() -> None:
    updates = np.random.default_rng(4).standard_normal((5, 64), dtype=np.float32)

    result = bulyan(updates, num_malicious=0)

    assert result.aggregate.tobytes() == fedavg(updates).aggregate.tobytes()
    assert result.accepted.all()


@pytest.mark.parametrize(
    ("rows", "malicious", "message"),
    [
        (10, 2, r"Bulyan needs n >= 4f \+ 3: got n=10, f=2\."),
        (2, None, r"Bulyan needs n >= 4f \+ 3: got n=2, f=0\."),
        (7, 1.5, r"num_malicious must be an integer >= 0, got 1.5"),
    ],
)
def test_bulyan_raises_aggregation_error_with_the_numbers_when_n_is_too_small(
    rows: int, malicious: int | None, message: str
) -> None:
    with pytest.raises(AggregationError, match=message):
        bulyan(np.zeros((rows, 3), dtype=np.float32), num_malicious=malicious)


def test_bulyan_is_bit_identical_when_rows_span_several_column_blocks() -> None:
    assert_same_when_permuted(bulyan, wide_updates(), WIDE_ORDER, num_malicious=1)


def test_bulyan_is_registered_with_id_5() -> None:
    assert RULES["bulyan"] is bulyan
    assert RULE_IDS["bulyan"] == 5
