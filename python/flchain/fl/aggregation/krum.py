"""Krum (Blanchard et al., NeurIPS 2017): the row closest to its nearest neighbours.

Each row's score is the sum of its squared distances to its ``m - f - 2`` nearest
other rows; the row of lowest score is the aggregate. Precondition (checked on the
``n`` given rows): ``n > 2f + 2``. Rows screened out (NaN, inf, out of range; see
:mod:`~flchain.fl.aggregation.screening`) count among the ``f``.

Determinism: distances are computed in float64 in a fixed order
(:mod:`~flchain.fl.aggregation.geometry`), each score is the correctly rounded sum
(``math.fsum``) of its neighbours' distances, and ties are broken by the sum of all
the row's distances, then by the row's bits (:mod:`~flchain.fl.aggregation.ordering`).
The aggregate is a copy of one row, so no rounding at all.
Translation-equivariant: models or deltas select the same row.

``accepted``: the selected row and any row with exactly the same bits.
Flower parity: ``aggregate_krum(..., to_keep=0)`` selects the same row (it uses
``max(1, n - f - 2)`` neighbours, the same for ``n > 2f + 2``, and float32 distances).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.geometry import pairwise_sq_distances
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

__all__ = ["SPEC", "check_krum_bound", "krum", "krum_scores"]


def krum(
    updates: npt.NDArray[np.float32],
    /,
    *,
    num_malicious: int | None = None,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """The update row of lowest Krum score.

    Args:
        updates: (clients x parameters) float32 array, one flattened update per row.
        num_malicious: ``f``, the number of malicious rows to tolerate; None takes the
            largest allowed, ``(n - 3) // 2``.
        weights: accepted for the common signature and ignored: Krum returns one row.

    Raises:
        AggregationError: malformed updates, ``n <= 2f + 2``, or no finite row.
    """
    admitted = screen_rows(updates)
    malicious = check_krum_bound("Krum", num_malicious, updates.shape[0])
    rows = admitted_rows(updates, admitted)
    distances = pairwise_sq_distances(rows)
    candidates = range(rows.shape[0])
    scores, totals = krum_scores(distances, candidates, remaining_malicious(malicious, admitted))
    winner = canonical_order(rows, (scores, totals), candidates)[0]
    chosen = np.zeros(rows.shape[0], dtype=bool)
    chosen[winner] = True
    accepted = np.zeros(updates.shape[0], dtype=bool)
    accepted[admitted] = accept_copies(rows, chosen, distances)
    return AggregationResult(aggregate=rows[winner].copy(), accepted=accepted)


@dataclass(frozen=True)
class KrumParams(ToleranceParams):
    """Krum's parameter: ``num_malicious`` (f) to tolerate; None takes ``(n - 3) // 2``."""

    rule: ClassVar[str] = "krum"


SPEC = RuleSpec(
    name="krum", rule_id=3, function=krum, params=KrumParams, summary="needs n > 2f + 2"
)


def check_krum_bound(rule: str, num_malicious: int | None, count: int) -> int:
    """``f`` (default ``(n - 3) // 2``), checked against Krum's ``n > 2f + 2``."""
    malicious = num_malicious_or_default(rule, num_malicious, max((count - 3) // 2, 0))
    if count <= 2 * malicious + 2:
        raise AggregationError(f"{rule} needs n > 2f + 2: got n={count}, f={malicious}.")
    return malicious


def krum_scores(
    distances: npt.NDArray[np.float64],
    candidates: Sequence[int],
    num_malicious: int,
) -> tuple[list[float], list[float]]:
    """Krum scores and total distances of ``candidates``, within ``candidates`` only.

    Each candidate sums its ``max(1, len(candidates) - f - 2)`` smallest distances to
    the other candidates (at least one neighbour, as Flower counts; the bound
    ``n > 2f + 2`` makes it ``n - f - 2`` for Krum itself). Both lists are indexed by
    row (entries for other rows are +inf).
    """
    count = distances.shape[0]
    scores = [math.inf] * count
    totals = [math.inf] * count
    neighbours = min(max(len(candidates) - num_malicious - 2, 1), len(candidates) - 1)
    for index in candidates:
        others = sorted(float(distances[index, other]) for other in candidates if other != index)
        scores[index] = math.fsum(others[:neighbours])
        totals[index] = math.fsum(others)
    return scores, totals
