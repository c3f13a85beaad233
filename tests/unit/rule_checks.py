"""Shared inputs and checks for the aggregation-rule tests (test_fl_aggregation_*.py).

- ``VALUES``: few distinct values (with -0.0) so that ties and duplicate rows are common.
- ``update_batches``: float32 update matrices with copied rows and injected NaN/Inf
  (``row_weights``: weights drawn with them).
- ``draw_order`` / ``assert_same_when_permuted``: the bit-identity check under a row order.
- ``wide_updates`` / ``WIDE_ORDER``: rows wide enough to span several column blocks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pytest
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from flchain.errors import AggregationError

VALUES = st.one_of(st.floats(-1e3, 1e3, width=32), st.sampled_from([0.0, -0.0, 1.0, -1.0, 0.5]))

WIDE_ORDER = np.array([4, 8, 0, 3, 7, 1, 6, 2, 5])


@st.composite
def update_batches(
    draw: st.DrawFn,
    *,
    min_rows: int,
    max_rows: int,
    max_columns: int,
    extra: Callable[[int, int], st.SearchStrategy[np.ndarray]] | None = None,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """A (rows, columns) float32 matrix of ``VALUES``; up to three rows copied over others
    (ties), up to two rows with NaN or +-Inf in column 0. With ``extra``, the pair
    (updates, drawn from ``extra(rows, columns)``), e.g. weights or a reference."""
    rows = draw(st.integers(min_rows, max_rows))
    columns = draw(st.integers(1, max_columns))
    updates = draw(arrays(np.float32, (rows, columns), elements=VALUES))
    pairs = st.tuples(st.integers(0, rows - 1), st.integers(0, rows - 1))
    for source, target in draw(st.lists(pairs, max_size=3)):
        updates[target] = updates[source]
    for row in draw(st.lists(st.integers(0, rows - 1), max_size=2)):
        updates[row, 0] = draw(st.sampled_from([np.nan, np.inf, -np.inf]))
    if extra is None:
        return updates
    return updates, draw(extra(rows, columns))


def row_weights(
    elements: st.SearchStrategy[int],
) -> Callable[[int, int], st.SearchStrategy[np.ndarray]]:
    """An ``extra`` for ``update_batches``: one int64 weight of ``elements`` a row."""
    return lambda rows, _columns: arrays(np.int64, rows, elements=elements)


def draw_order(data: st.DataObject, rows: int) -> np.ndarray:
    """A permutation of ``range(rows)``, as an index array."""
    return np.array(data.draw(st.permutations(range(rows))), dtype=np.intp)


def wide_updates() -> np.ndarray:
    """Nine seeded standard-normal rows of 40 000 columns (for ``WIDE_ORDER``)."""
    return np.random.default_rng(11).standard_normal((9, 40_000), dtype=np.float32)


def assert_same_when_permuted(
    rule: Callable[..., Any],
    updates: np.ndarray,
    order: np.ndarray,
    *,
    per_row: Mapping[str, np.ndarray] | None = None,
    may_raise: bool = False,
    **options: Any,
) -> None:
    """``rule`` gives a bit-identical aggregate and the same verdict per row for ``updates``
    and for ``updates[order]``. ``per_row``: arguments with one entry a row (weights),
    reordered with the rows; ``options`` are passed as they are. With ``may_raise``, an
    AggregationError for ``updates`` must be raised for ``updates[order]`` too."""
    per_row = per_row or {}

    def run_permuted() -> Any:
        moved = {name: value[order] for name, value in per_row.items()}
        return rule(updates[order], **moved, **options)

    try:
        expected = rule(updates, **per_row, **options)
    except AggregationError:
        if not may_raise:
            raise
        with pytest.raises(AggregationError):
            run_permuted()
        return

    permuted = run_permuted()

    assert permuted.aggregate.tobytes() == expected.aggregate.tobytes()
    assert np.array_equal(permuted.accepted, expected.accepted[order])
