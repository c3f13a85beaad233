"""Bulyan (El Mhamdi et al., ICML 2018): Krum selection, then a trimmed mean around the median.

With ``m`` screened rows and ``f`` malicious ones (screened-out rows count among them,
see :mod:`~flchain.fl.aggregation.screening`):

1. select ``theta = m - 2f`` rows by iterated Krum: score the remaining rows with Krum
   (:func:`~flchain.fl.aggregation.krum.krum_scores`), move the best to the selection;
2. per coordinate, average the ``beta = theta - 2f`` selected values closest to the
   median of the ``theta`` selected values.

Precondition (checked on the ``n`` given rows): ``n >= 4f + 3``.

Paper and Flower: ``flwr.server.strategy.aggregate.aggregate_bulyan`` (1.42) follows
the paper step by step. The one case the paper leaves open is Krum's neighbour count
``r - f - 2`` over ``r`` remaining rows, below 1 in the last iteration when ``f <= 1``.
Flower counts ``max(1, r - f - 2)`` neighbours and so do we; the literal reading (no
neighbour, every score 0, ties broken by total distance as in Krum) selects the same
row: among three rows, the medoid is one of the mutually nearest pair. So one rule
serves as both (a ``bulyan_flower`` twin would always give the same bytes).

Deliberate differences from Flower: ties are broken by content, not position
(Flower's ``argmin`` and ``argpartition`` follow the row order); distances are float64
(Flower: float32); the median and the mean of step 2 are exact in fixed point.

Determinism: selection as in Krum; in step 2 each column is sorted
(:mod:`~flchain.fl.aggregation.columns`) and quantized, so the ``beta`` closest values
are a window of the sorted column, found by dropping ``2f`` values from its ends, each
time the end farther from the median (on a tie, the larger value); their sum is exact.
Translation-equivariant up to rounding. ``weights`` are ignored (unweighted, as in
Flower). ``accepted``: the ``theta`` selected rows and any row with the same bits.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.columns import sorted_column_blocks
from flchain.fl.aggregation.fixedpoint import dequantize, divide_round_half_even, quantize
from flchain.fl.aggregation.geometry import pairwise_sq_distances
from flchain.fl.aggregation.krum import krum_scores
from flchain.fl.aggregation.ordering import accept_copies, canonical_order
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import (
    ToleranceParams,
    admitted_rows,
    num_malicious_or_default,
    remaining_malicious,
    screen_rows,
)
from flchain.fl.aggregation.spec import RuleSpec

__all__ = ["SPEC", "bulyan"]


def bulyan(
    updates: npt.NDArray[np.float32],
    /,
    *,
    num_malicious: int | None = None,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """Bulyan: iterated Krum selection, then the mean of the values closest to the median.

    Args:
        updates: (clients x parameters) float32 array, one flattened update per row.
        num_malicious: ``f``; None takes the largest allowed, ``(n - 3) // 4``.
        weights: accepted for the common signature and ignored.

    Raises:
        AggregationError: malformed updates, ``n < 4f + 3``, or no finite row.
    """
    admitted = screen_rows(updates)
    count = updates.shape[0]
    malicious = num_malicious_or_default("Bulyan", num_malicious, max((count - 3) // 4, 0))
    if count < 4 * malicious + 3:
        raise AggregationError(f"Bulyan needs n >= 4f + 3: got n={count}, f={malicious}.")
    rows = admitted_rows(updates, admitted)
    malicious = remaining_malicious(malicious, admitted)
    distances = pairwise_sq_distances(rows)
    selected = _select(rows, distances, rows.shape[0] - 2 * malicious, malicious)
    chosen = np.zeros(rows.shape[0], dtype=bool)
    chosen[selected] = True
    accepted = np.zeros(count, dtype=bool)
    accepted[admitted] = accept_copies(rows, chosen, distances)
    aggregate = _mean_around_median(rows, sorted(selected), malicious)
    return AggregationResult(aggregate=aggregate, accepted=accepted)


@dataclass(frozen=True)
class BulyanParams(ToleranceParams):
    """Bulyan's parameter: ``num_malicious`` (f) to tolerate; None takes ``(n - 3) // 4``."""

    rule: ClassVar[str] = "bulyan"


SPEC = RuleSpec(
    name="bulyan",
    rule_id=5,
    function=bulyan,
    params=BulyanParams,
    summary="the paper's (Flower 1.42's selects the same rows; see module doc); needs n >= 4f + 3",
)


def _select(
    rows: npt.NDArray[np.float32],
    distances: npt.NDArray[np.float64],
    theta: int,
    malicious: int,
) -> list[int]:
    remaining = list(range(rows.shape[0]))
    selected: list[int] = []
    for _ in range(theta):
        scores, totals = krum_scores(distances, remaining, malicious)
        best = canonical_order(rows, (scores, totals), remaining)[0]
        selected.append(best)
        remaining.remove(best)
    return selected


def _mean_around_median(
    rows: npt.NDArray[np.float32], selected: list[int], malicious: int
) -> npt.NDArray[np.float32]:
    theta = len(selected)
    beta = theta - 2 * malicious
    aggregate = np.empty(rows.shape[1], dtype=np.float32)
    for columns, block in sorted_column_blocks(rows, selected):
        values = quantize(block)
        lines = np.arange(values.shape[0])
        twice_median = values[:, (theta - 1) // 2] + values[:, theta // 2]
        low = np.zeros(values.shape[0], dtype=np.intp)
        high = np.full(values.shape[0], theta - 1, dtype=np.intp)
        for _ in range(2 * malicious):
            below = twice_median - 2 * values[lines, low]
            above = 2 * values[lines, high] - twice_median
            drop_high = above >= below
            high -= drop_high
            low += ~drop_high
        prefix = np.zeros((values.shape[0], theta + 1), dtype=np.int64)
        np.cumsum(values, axis=1, out=prefix[:, 1:])
        sums = prefix[lines, high + 1] - prefix[lines, low]
        aggregate[columns] = dequantize(divide_round_half_even(sums, beta))
    return aggregate
