"""Multi-Krum (Blanchard et al., NeurIPS 2017): FedAvg over the rows of lowest Krum score.

The ``num_to_keep`` rows of lowest Krum score (see :mod:`~flchain.fl.aggregation.krum`)
are averaged, weighted by ``weights`` as :func:`~flchain.fl.aggregation.fedavg` does
(Flower weighs them by sample count as well). Precondition: ``n > 2f + 2`` and
``1 <= num_to_keep <= n``; screened-out rows count among the ``f`` and, when fewer
than ``num_to_keep`` rows are left, all are kept.

Determinism: scores and ties as in Krum, with the weight as a last key; the mean is
FedAvg's exact fixed-point mean. Translation-equivariant up to rounding.

``accepted``: the kept rows (minus any of weight 0, which FedAvg drops) and any row
identical in bits and weight to a kept one (copies cannot be told apart).
Flower parity: ``aggregate_krum(..., to_keep=k)`` keeps the same rows and agrees within
float32 rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.fedavg import fedavg
from flchain.fl.aggregation.geometry import pairwise_sq_distances
from flchain.fl.aggregation.krum import check_krum_bound, krum_scores
from flchain.fl.aggregation.ordering import accept_copies, canonical_order
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import (
    ToleranceParams,
    admitted_rows,
    check_count,
    remaining_malicious,
    screen_rows,
)
from flchain.fl.aggregation.spec import RuleSpec, require

__all__ = ["SPEC", "multi_krum"]


def multi_krum(
    updates: npt.NDArray[np.float32],
    /,
    *,
    num_malicious: int | None = None,
    num_to_keep: int | None = None,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """Weighted mean of the ``num_to_keep`` update rows of lowest Krum score.

    Args:
        updates: (clients x parameters) float32 array, one flattened update per row.
        num_malicious: ``f``; None takes the largest allowed, ``(n - 3) // 2``.
        num_to_keep: how many rows to average; None keeps ``n - f``.
        weights: one integer >= 0 per row (e.g. its sample count); None weighs the
            kept rows equally.

    Raises:
        AggregationError: malformed updates or weights, ``n <= 2f + 2``, a
            ``num_to_keep`` outside [1, n], or no finite row.
    """
    admitted = screen_rows(updates)
    count = updates.shape[0]
    malicious = check_krum_bound("Multi-Krum", num_malicious, count)
    keep = count - malicious if num_to_keep is None else num_to_keep
    keep = check_count("Multi-Krum", "num_to_keep", keep, minimum=1)
    if keep > count:
        raise AggregationError(
            f"Multi-Krum needs 1 <= num_to_keep <= n: got num_to_keep={keep}, n={count}."
        )
    row_weights = _row_weights(weights, count)[admitted]
    rows = admitted_rows(updates, admitted)
    distances = pairwise_sq_distances(rows)
    candidates = range(rows.shape[0])
    scores, totals = krum_scores(distances, candidates, remaining_malicious(malicious, admitted))
    tags = [int(w) for w in row_weights]
    order = canonical_order(rows, (scores, totals, tags), candidates)
    kept = np.sort(np.array(order[:keep], dtype=np.intp))
    result = fedavg(rows[kept], weights=row_weights[kept])
    chosen = np.zeros(rows.shape[0], dtype=bool)
    chosen[kept] = result.accepted
    accepted = np.zeros(count, dtype=bool)
    accepted[admitted] = accept_copies(rows, chosen, distances, tags)
    return AggregationResult(aggregate=result.aggregate.copy(), accepted=accepted)


@dataclass(frozen=True)
class MultiKrumParams(ToleranceParams):
    """Multi-Krum's parameters: ``num_malicious`` (f) and ``num_to_keep`` (None: n - f)."""

    rule: ClassVar[str] = "multi_krum"
    num_to_keep: int | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        keep = self.num_to_keep
        require(self.rule, "num_to_keep", keep is None or keep >= 1, "an integer >= 1", keep)


SPEC = RuleSpec(
    name="multi_krum",
    rule_id=4,
    function=multi_krum,
    params=MultiKrumParams,
    summary="needs n > 2f + 2",
)


def _row_weights(weights: npt.NDArray[np.integer] | None, count: int) -> npt.NDArray[np.integer]:
    if weights is None:
        return np.ones(count, dtype=np.int64)
    array = np.asarray(weights)
    if array.shape != (count,) or array.dtype.kind not in "iu":
        raise AggregationError(
            f"weights must be {count} integers (one per update), got {array.dtype} "
            f"of shape {array.shape}."
        )
    if (array < 0).any():
        raise AggregationError(f"weights must be >= 0, got {int(array.min())}.")
    return array
