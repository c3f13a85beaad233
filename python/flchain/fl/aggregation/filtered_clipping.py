"""Filtered clipping: FLAME's direction filter, then centered clipping with bucketing.

Two defences, each against what the other lets through:

1. **Direction filter** (after FLAME, Nguyen et al., USENIX Security 2022, which keeps the
   majority cluster of cosine distances): a row is rejected unless its cosine with a robust
   reference direction exceeds ``min_cosine``. The reference is one centered-clipping step
   over all the screened rows (each row moves it by at most ``tau / m``), a far steadier
   direction than the coordinate-wise median once honest updates are small and diverse.
   Updates that push against the majority (sign-flip, IPM, min-max/min-sum pushed past the
   mean) leave the accepted set.
2. **Centered clipping** around the previous round's aggregate with buckets of
   ``bucket_size`` rows (:mod:`~flchain.fl.aggregation.centered_clipping`): whatever passes
   the filter (ALIE, small perturbations) moves the aggregate by at most ``tau / m``.

If fewer than half of the screened rows pass the filter, the filter is not trusted (the
median itself may be off) and every screened row goes to step 2.

Rows are deltas from the global model. Determinism: the reference as centered clipping's,
cosines from float64 dot products and norms in a
fixed order, then centered clipping's exact means: bit-identical in any row order.

``accepted``: the screened rows that pass the filter.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flchain.fl.aggregation.buckets import bucket_means
from flchain.fl.aggregation.centered_clipping import checked_center, clip_around
from flchain.fl.aggregation.geometry import row_dots, row_norms
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import screen_rows
from flchain.fl.aggregation.spec import RuleSpec, require

__all__ = ["SPEC", "FilteredClippingParams", "filtered_clipping"]

DEFAULT_MIN_COSINE = 0.0
DEFAULT_BUCKET_SIZE = 1
DEFAULT_MAX_NORM_RATIO = 2.0


def filtered_clipping(
    updates: npt.NDArray[np.float32],
    /,
    *,
    previous: npt.NDArray[np.float32] | None = None,
    min_cosine: float = DEFAULT_MIN_COSINE,
    max_norm_ratio: float = DEFAULT_MAX_NORM_RATIO,
    bucket_size: int = DEFAULT_BUCKET_SIZE,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """Centered clipping over the rows that point along the median (module docstring).

    Args:
        updates: (clients x parameters) float32 array of deltas from the global model.
        previous: the previous round's aggregate delta (1-D float32); None: zeros.
        min_cosine: the cosine with the median a row must exceed, in [-1, 1).
        bucket_size: rows averaged per bucket before clipping (1: no bucketing).
        weights: accepted for the common signature and ignored: the mean is unweighted.

    Raises:
        AggregationError: malformed updates, a bad ``previous``, or no finite row.
    """
    FilteredClippingParams(min_cosine, max_norm_ratio, bucket_size)  # raises on bad values
    admitted = screen_rows(updates)
    center = checked_center(previous, updates.shape[1])
    norms = np.zeros(updates.shape[0], dtype=np.float64)
    for index in np.flatnonzero(admitted):
        norms[index] = row_norms(updates[index : index + 1])[0]
    bound = max_norm_ratio * float(np.median(norms[admitted]))
    passing = admitted & (norms <= bound)
    passing &= _cosines_above(updates, passing, norms, center, min_cosine)
    if 2 * int(passing.sum()) < int(admitted.sum()):
        passing = admitted
    indices = [int(i) for i in np.flatnonzero(passing)]
    if bucket_size > 1 and len(indices) > 1:
        rows, _ = bucket_means(updates, indices, bucket_size)
    else:
        rows = updates[passing]
    aggregate = clip_around(rows, center, None)
    return AggregationResult(aggregate=aggregate, accepted=passing)


def _cosines_above(
    updates: npt.NDArray[np.float32],
    admitted: npt.NDArray[np.bool_],
    norms: npt.NDArray[np.float64],
    center: npt.NDArray[np.float32],
    threshold: float,
) -> npt.NDArray[np.bool_]:
    """True for each admitted row whose cosine with the reference direction (one centered
    clipping step over every admitted row) exceeds ``threshold``."""
    rows = updates if admitted.all() else updates[admitted]
    reference = clip_around(rows, center, None)
    reference_norm = float(row_norms(reference.reshape(1, -1))[0])
    above = np.zeros(updates.shape[0], dtype=bool)
    if reference_norm == 0.0:
        return admitted.copy()
    for index in np.flatnonzero(admitted):
        if norms[index] > 0.0:
            dot = float(row_dots(updates[index : index + 1], reference)[0])
            cosine = dot / (float(norms[index]) * reference_norm)
            above[index] = cosine > threshold
    return above


@dataclass(frozen=True)
class FilteredClippingParams:
    """Filtered clipping's parameters (see :func:`filtered_clipping`)."""

    min_cosine: float = DEFAULT_MIN_COSINE
    max_norm_ratio: float = DEFAULT_MAX_NORM_RATIO
    bucket_size: int = DEFAULT_BUCKET_SIZE

    def __post_init__(self) -> None:
        name, cosine = "filtered_clipping", self.min_cosine
        require(name, "min_cosine", -1.0 <= cosine < 1.0, "within [-1, 1)", cosine)
        ratio = self.max_norm_ratio
        require(name, "max_norm_ratio", ratio >= 1.0, "a number >= 1", ratio)
        require(name, "bucket_size", 1 <= self.bucket_size <= 8, "within [1, 8]", self.bucket_size)


SPEC = RuleSpec(
    name="filtered_clipping",
    rule_id=9,
    function=filtered_clipping,
    params=FilteredClippingParams,
    side_inputs=("previous",),
    summary=(
        "drops rows of outsized norm or against the consensus direction, then centered clipping"
    ),
)
