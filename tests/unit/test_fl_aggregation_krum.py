"""Krum: the most central row, ties broken by content, bit-identical in any row order."""

from __future__ import annotations

import numpy as np
import pytest
from rule_checks import WIDE_ORDER, assert_same_when_permuted, wide_updates

from flchain.errors import AggregationError
from flchain.fl.aggregation import RULE_IDS, RULES, krum
from flchain.fl.aggregation.geometry import pairwise_sq_distances
from flchain.fl.aggregation.krum import krum_scores


def test_krum_selects_the_central_row_when_one_row_is_far() -> None:
    updates = np.array([[0.0, 0.0], [0.1, 0.0], [0.0, 0.1], [0.05, 0.05], [9.0, 9.0]], np.float32)

    result = krum(updates, num_malicious=1)

    assert result.aggregate.tolist() == pytest.approx([0.05, 0.05])
    assert result.accepted.tolist() == [False, False, False, True, False]


def test_krum_scores_sum_the_n_minus_f_minus_2_nearest_squared_distances() -> None:
    updates = np.array([[0.0], [1.0], [3.0], [7.0], [15.0]], dtype=np.float32)
    distances = pairwise_sq_distances(updates)

    scores, totals = krum_scores(distances, range(5), 1)  # 2 neighbours each

    assert scores == [1.0 + 9.0, 1.0 + 4.0, 4.0 + 9.0, 16.0 + 36.0, 64.0 + 144.0]
    assert totals[0] == 1.0 + 9.0 + 49.0 + 225.0


def test_krum_breaks_a_score_tie_by_content_when_rows_are_symmetric() -> None:
    updates = np.array([[-1.0], [1.0], [-3.0], [3.0]], dtype=np.float32)

    a = krum(updates, num_malicious=0)
    b = krum(updates[::-1].copy(), num_malicious=0)

    assert a.aggregate.tobytes() == b.aggregate.tobytes()


def test_krum_accepts_every_copy_when_the_selected_row_is_duplicated() -> None:
    updates = np.array([[0.0], [0.0], [0.1], [5.0], [0.0]], dtype=np.float32)

    result = krum(updates, num_malicious=1)

    assert result.accepted.tolist() == [True, True, False, False, True]


def test_krum_rejects_a_nan_row_and_counts_it_among_the_malicious() -> None:
    # n = 5 allows f = 1; the NaN row uses it up, so 4 rows remain with f' = 0.
    updates = np.array([[0.0], [np.nan], [0.2], [0.3], [4.0]], dtype=np.float32)

    result = krum(updates, num_malicious=1)

    assert result.accepted.tolist() == [False, False, True, False, False]


def test_krum_uses_the_largest_allowed_f_when_num_malicious_is_none() -> None:
    updates = np.array([[0.0], [0.1], [0.2], [0.3], [0.4], [10.0], [11.0]], dtype=np.float32)

    assert krum(updates).aggregate.tobytes() == krum(updates, num_malicious=2).aggregate.tobytes()


@pytest.mark.parametrize(
    ("rows", "malicious", "message"),
    [
        (5, 2, r"Krum needs n > 2f \+ 2: got n=5, f=2\."),
        (2, None, r"Krum needs n > 2f \+ 2: got n=2, f=0\."),
        (5, -1, r"num_malicious must be an integer >= 0, got -1"),
    ],
)
def test_krum_raises_aggregation_error_with_the_numbers_when_f_is_too_large(
    rows: int, malicious: int | None, message: str
) -> None:
    with pytest.raises(AggregationError, match=message):
        krum(np.zeros((rows, 3), dtype=np.float32), num_malicious=malicious)


def test_krum_is_bit_identical_when_rows_span_several_column_blocks() -> None:
    assert_same_when_permuted(krum, wide_updates(), WIDE_ORDER, num_malicious=2)


def test_krum_is_registered_with_id_3() -> None:
    assert RULES["krum"] is krum
    assert RULE_IDS["krum"] == 3
