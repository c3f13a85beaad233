"""Coordinate-wise trimmed mean (Yin et al., ICML 2018), exact and order-independent.

For each coordinate, the ``k = int(beta * m)`` smallest and ``k`` largest values of the
``m`` screened rows (see :mod:`~flchain.fl.aggregation.screening`) are dropped and the
``m - 2k`` others averaged. ``k`` is computed as scipy's ``trim_mean`` and Flower's
``aggregate_trimmed_avg`` do, so ``beta`` means the same there.

Determinism: each column is sorted (see :mod:`~flchain.fl.aggregation.columns`); the
kept values are summed exactly in fixed point and divided with rounding half to even
(see :mod:`~flchain.fl.aggregation.fixedpoint`), so the result depends only on each
column's multiset of values. Translation-equivariant up to rounding. Tolerates up to
``k`` arbitrary values per coordinate on each side.

``accepted``: every screened row (each may supply kept coordinates).
Flower parity: equals ``aggregate_trimmed_avg`` (which ignores sample counts too)
within the fixed-point error (about 3e-8 absolute plus one float32 rounding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.columns import sorted_column_blocks
from flchain.fl.aggregation.fixedpoint import dequantize, divide_round_half_even, quantize
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import admitted_rows, screen_rows
from flchain.fl.aggregation.spec import RuleSpec, require

__all__ = ["DEFAULT_BETA", "SPEC", "trimmed_mean"]

DEFAULT_BETA = 0.2
"""Fraction cut at each end by default: 4 values of each 20 per coordinate and side."""


def trimmed_mean(
    updates: npt.NDArray[np.float32],
    /,
    *,
    beta: float = DEFAULT_BETA,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """Coordinate-wise mean of the update rows after cutting ``beta`` at each end.

    Args:
        updates: (clients x parameters) float32 array, one flattened update per row.
        beta: fraction of the rows cut at each end of every coordinate, in [0, 0.5);
            ``int(beta * m)`` values go on each side, for ``m`` screened rows.
        weights: accepted for the common signature and ignored: the mean is unweighted.

    Raises:
        AggregationError: malformed updates, beta outside [0, 0.5), or no finite row.
    """
    if not isinstance(beta, float | int) or not 0.0 <= beta < 0.5:
        raise AggregationError(f"trimmed_mean needs 0 <= beta < 0.5: got beta={beta!r}.")
    admitted = screen_rows(updates)
    rows = admitted_rows(updates, admitted)
    count = rows.shape[0]
    cut = int(beta * count)
    kept = count - 2 * cut
    aggregate = np.empty(rows.shape[1], dtype=np.float32)
    for columns, block in sorted_column_blocks(rows):
        sums = quantize(block[:, cut : count - cut]).sum(axis=1)
        aggregate[columns] = dequantize(divide_round_half_even(sums, kept))
    return AggregationResult(aggregate=aggregate, accepted=admitted)


@dataclass(frozen=True)
class TrimmedMeanParams:
    """Trimmed mean's parameter: the fraction ``beta`` cut at each end, in [0, 0.5)."""

    beta: float = DEFAULT_BETA

    def __post_init__(self) -> None:
        require("trimmed_mean", "beta", 0.0 <= self.beta < 0.5, "within [0, 0.5)", self.beta)


SPEC = RuleSpec(
    name="trimmed_mean",
    rule_id=2,
    function=trimmed_mean,
    params=TrimmedMeanParams,
    summary="cuts `int(beta*n)` per side, as Flower/scipy",
)
