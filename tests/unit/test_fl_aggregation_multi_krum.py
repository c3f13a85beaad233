"""Multi-Krum: FedAvg over the rows of lowest Krum score, bit-identical in any row order."""

from __future__ import annotations

import numpy as np
import pytest
from rule_checks import WIDE_ORDER, assert_same_when_permuted, wide_updates

from flchain.errors import AggregationError
from flchain.fl.aggregation import RULE_IDS, RULES, fedavg, multi_krum


def test_multi_krum_averages_the_n_minus_f_closest_rows_when_num_to_keep_is_none() -> None:
    updates = np.array([[0.0], [0.5], [1.0], [1.5], [40.0], [-40.0]], dtype=np.float32)

    result = multi_krum(updates, num_malicious=1)  # keeps n - f = 5

    assert result.accepted.tolist() == [True, True, True, True, True, False]
    assert result.aggregate.tobytes() == fedavg(updates[:5]).aggregate.tobytes()


def test_multi_krum_weighs_the_kept_rows_when_weights_are_given() -> None:
    updates = np.array([[0.0], [1.0], [0.5], [30.0], [-30.0]], dtype=np.float32)
    weights = np.array([1, 3, 4, 1000, 1000])

    result = multi_krum(updates, num_malicious=1, num_to_keep=3, weights=weights)

    assert result.accepted.tolist() == [True, True, True, False, False]
    assert result.aggregate.tolist() == [0.625]  # (0*1 + 1*3 + 0.5*4) / 8


def test_multi_krum_keeps_every_finite_row_when_fewer_than_num_to_keep_remain() -> None:
    updates = np.array([[0.0], [np.nan], [1.0], [2.0], [np.inf]], dtype=np.float32)

    result = multi_krum(updates, num_malicious=1, num_to_keep=5)

    assert result.accepted.tolist() == [True, False, True, True, False]
    assert result.aggregate.tolist() == [1.0]


@pytest.mark.parametrize(
    ("keep", "message"),
    [
        (0, r"num_to_keep must be an integer >= 1, got 0"),
        (8, r"Multi-Krum needs 1 <= num_to_keep <= n: got num_to_keep=8, n=7\."),
    ],
)
def test_multi_krum_raises_aggregation_error_when_num_to_keep_is_out_of_range(
    keep: int, message: str
) -> None:
    with pytest.raises(AggregationError, match=message):
        multi_krum(np.zeros((7, 2), dtype=np.float32), num_malicious=1, num_to_keep=keep)


def test_multi_krum_raises_aggregation_error_with_the_numbers_when_f_is_too_large() -> None:
    with pytest.raises(AggregationError, match=r"Multi-Krum needs n > 2f \+ 2: got n=6, f=2\."):
        multi_krum(np.zeros((6, 2), dtype=np.float32), num_malicious=2)


def test_multi_krum_raises_aggregation_error_when_weights_do_not_fit() -> None:
    with pytest.raises(AggregationError, match="one per update"):
        multi_krum(np.zeros((5, 2), dtype=np.float32), weights=np.array([1, 2]))


def test_multi_krum_is_bit_identical_when_rows_span_several_column_blocks() -> None:
    assert_same_when_permuted(multi_krum, wide_updates(), WIDE_ORDER, num_malicious=2)


def test_multi_krum_is_registered_with_id_4() -> None:
    assert RULES["multi_krum"] is multi_krum
    assert RULE_IDS["multi_krum"] == 4
