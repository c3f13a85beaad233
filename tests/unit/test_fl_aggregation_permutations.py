"""Each robust rule gives the same bytes in any row order, over the whole range of its own
parameters (test_fl_aggregation_specs.py runs every registered rule with its defaults).

A case says how many rows and columns to draw, the rule's parameters as a strategy of the row
count, and the weights of the rows for a rule that weighs them; rows repeat and hold NaN or
+-Inf (``update_batches``), so ties and screening are exercised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rule_checks import assert_same_when_permuted, draw_order, row_weights, update_batches

from flchain.fl.aggregation import (
    AggregationResult,
    bulyan,
    krum,
    median,
    multi_krum,
    norm_clipping,
    trimmed_mean,
)

Params = Callable[[int], st.SearchStrategy[dict[str, Any]]]


def _none(_rows: int) -> st.SearchStrategy[dict[str, Any]]:
    return st.just({})


@dataclass(frozen=True)
class Case:
    """A rule, the rows and columns to draw, its parameters and the rows' weights (if any)."""

    rule: Callable[..., AggregationResult]
    rows: tuple[int, int]
    max_columns: int
    params: Params = _none
    weights: st.SearchStrategy[int] | None = None


def _up_to_f(largest: Callable[[int], int]) -> Params:
    """``num_malicious`` from 0 to the rule's largest allowed ``f`` for the row count."""
    return lambda rows: st.fixed_dictionaries({"num_malicious": st.integers(0, largest(rows))})


CASES = {
    "median": Case(median, (1, 9), 12),
    "trimmed_mean": Case(
        trimmed_mean,
        (1, 10),
        12,
        lambda _rows: st.fixed_dictionaries({"beta": st.sampled_from([0.0, 0.1, 0.2, 0.25, 0.49])}),
    ),
    "norm_clipping": Case(
        norm_clipping,
        (1, 9),
        12,
        lambda _rows: st.fixed_dictionaries({"max_norm": st.sampled_from([None, 0.5, 10.0, 1e4])}),
        weights=st.integers(0, 100),
    ),
    "krum": Case(krum, (3, 10), 6, _up_to_f(lambda rows: (rows - 3) // 2)),
    "multi_krum": Case(
        multi_krum,
        (3, 10),
        6,
        lambda rows: st.fixed_dictionaries(
            {"num_malicious": st.integers(0, (rows - 3) // 2), "num_to_keep": st.integers(1, rows)}
        ),
        weights=st.sampled_from([0, 1, 2, 50]),
    ),
    "bulyan": Case(bulyan, (3, 12), 6, _up_to_f(lambda rows: (rows - 3) // 4)),
}


@pytest.mark.parametrize("name", sorted(CASES))
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_rule_is_bit_identical_when_rows_are_permuted_under_any_parameters(
    name: str, data: st.DataObject
) -> None:
    case = CASES[name]
    low, high = case.rows
    weights = None if case.weights is None else row_weights(case.weights)
    batch = data.draw(
        update_batches(min_rows=low, max_rows=high, max_columns=case.max_columns, extra=weights)
    )
    updates, per_row = (batch, {}) if weights is None else (batch[0], {"weights": batch[1]})
    params = data.draw(case.params(len(updates)))
    order = draw_order(data, len(updates))

    assert_same_when_permuted(case.rule, updates, order, per_row=per_row, may_raise=True, **params)
