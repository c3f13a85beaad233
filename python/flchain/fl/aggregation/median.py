"""Coordinate-wise median (Yin et al., ICML 2018), bit-identical in any row order.

Each coordinate of the aggregate is the median of that coordinate over the screened
rows (see :mod:`~flchain.fl.aggregation.screening`): the middle value for an odd
count, the midpoint of the two middle values for an even count, computed in float64
(exact) and rounded once to float32, as ``numpy.median`` up to that last rounding.

Determinism: the median is a function of each column's multiset of values (see
:mod:`~flchain.fl.aggregation.columns`, which also maps -0.0 to +0.0); no sum is taken.
Translation-equivariant (up to float rounding): models or deltas give the same result
once the global model is added back. Tolerates up to half the rows being arbitrary.

``accepted``: every screened row, since every row may supply coordinates.
Flower parity: equals ``flwr.server.strategy.aggregate.aggregate_median`` (which
ignores the sample counts too) up to one float32 rounding for even counts.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from flchain.fl.aggregation.columns import sorted_column_blocks
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import admitted_rows, screen_rows
from flchain.fl.aggregation.spec import RuleSpec

__all__ = ["SPEC", "median"]


def median(
    updates: npt.NDArray[np.float32],
    /,
    *,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """Coordinate-wise median of the update rows.

    Args:
        updates: (clients x parameters) float32 array, one flattened update per row.
        weights: accepted for the common signature and ignored: the median is unweighted.

    Raises:
        AggregationError: malformed updates, or no finite row in range.
    """
    admitted = screen_rows(updates)
    rows = admitted_rows(updates, admitted)
    count = rows.shape[0]
    aggregate = np.empty(rows.shape[1], dtype=np.float32)
    middle = count // 2
    for columns, block in sorted_column_blocks(rows):
        if count % 2 == 1:
            aggregate[columns] = block[:, middle]
        else:
            pair = block[:, middle - 1].astype(np.float64) + block[:, middle]
            aggregate[columns] = pair / 2.0
    return AggregationResult(aggregate=aggregate, accepted=admitted)


SPEC = RuleSpec(name="median", rule_id=1, function=median, summary="coordinate-wise")
