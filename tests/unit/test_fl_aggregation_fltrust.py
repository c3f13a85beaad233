"""FLTrust: trust by cosine with the server's reference, rows rescaled to its norm."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from rule_checks import (
    WIDE_ORDER,
    assert_same_when_permuted,
    draw_order,
    update_batches,
    wide_updates,
)

from flchain.errors import AggregationError
from flchain.fl.aggregation import RULE_IDS, RULES, fltrust


def _reference(_rows: int, columns: int) -> st.SearchStrategy[np.ndarray]:
    return arrays(np.float32, columns, elements=st.floats(-10, 10, width=32))


@settings(max_examples=200, deadline=None)
@given(
    batch=update_batches(min_rows=1, max_rows=9, max_columns=12, extra=_reference), data=st.data()
)
def test_fltrust_is_bit_identical_when_rows_are_permuted(
    batch: tuple[np.ndarray, np.ndarray], data: st.DataObject
) -> None:
    updates, reference = batch
    order = draw_order(data, len(updates))
    assert_same_when_permuted(fltrust, updates, order, may_raise=True, reference=reference)


def test_fltrust_weighs_rows_by_cosine_and_rescales_them_to_the_reference_norm() -> None:
    reference = np.array([1.0, 0.0], dtype=np.float32)
    updates = np.array([[10.0, 0.0], [1.0, 1.0]], dtype=np.float32)

    result = fltrust(updates, reference=reference)

    # Trust 1 and cos 45 deg; rescaled rows [1, 0] and [0.7071, 0.7071].
    trust = np.array([1.0, np.sqrt(0.5)])
    expected = trust[0] * np.array([1.0, 0.0]) + trust[1] * np.array([0.5, 0.5]) * np.sqrt(2)
    assert result.aggregate.tolist() == pytest.approx(expected / trust.sum(), abs=1e-7)
    assert result.accepted.tolist() == [True, True]


def test_fltrust_rejects_a_row_when_it_points_away_from_the_reference() -> None:
    reference = np.array([1.0, 1.0], dtype=np.float32)
    updates = np.array([[1.0, 1.0], [-5.0, -5.0], [2.0, 2.5]], dtype=np.float32)

    result = fltrust(updates, reference=reference)

    assert result.accepted.tolist() == [True, False, True]


def test_fltrust_rejects_a_row_when_its_delta_is_zero() -> None:
    reference = np.array([1.0, -1.0], dtype=np.float32)
    updates = np.array([[0.0, 0.0], [1.0, -1.0]], dtype=np.float32)

    result = fltrust(updates, reference=reference)

    assert result.accepted.tolist() == [False, True]
    assert result.aggregate.tolist() == [1.0, -1.0]


def test_fltrust_raises_aggregation_error_when_no_row_has_positive_trust() -> None:
    reference = np.array([1.0], dtype=np.float32)

    with pytest.raises(AggregationError, match="every trust score is 0"):
        fltrust(np.array([[-1.0], [-2.0]], dtype=np.float32), reference=reference)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        (None, "FLTrust needs reference="),
        (np.ones(3, dtype=np.float64), "1-D float32 of 2 values"),
        (np.ones(3, dtype=np.float32), "1-D float32 of 2 values"),
        (np.zeros(2, dtype=np.float32), "non-zero"),
        (np.array([np.nan, 1.0], dtype=np.float32), "finite"),
    ],
)
def test_fltrust_raises_aggregation_error_when_the_reference_is_missing_or_bad(
    reference: np.ndarray | None, message: str
) -> None:
    with pytest.raises(AggregationError, match=message):
        fltrust(np.ones((3, 2), dtype=np.float32), reference=reference)


def test_fltrust_is_bit_identical_when_rows_span_several_column_blocks() -> None:
    updates = wide_updates()

    assert_same_when_permuted(fltrust, updates, WIDE_ORDER, reference=updates[0] + updates[1])


def test_fltrust_is_registered_with_id_7() -> None:
    assert RULES["fltrust"] is fltrust
    assert RULE_IDS["fltrust"] == 7
