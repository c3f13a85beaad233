"""Filtered clipping: a norm filter, FLAME's direction filter, then centered clipping.

Three defences, each against what the others let through:

1. **Norm filter**: a row whose norm exceeds ``max_norm_ratio`` times the median norm of the
   screened rows is rejected (boosted updates, sign-flip with a large scale).
2. **Direction filter** (after FLAME, Nguyen et al., USENIX Security 2022, which keeps the
   majority cluster of cosine distances): a row is rejected unless its cosine with a robust
   reference direction exceeds ``min_cosine``. The reference is one centered-clipping step
   over the rows the norm filter kept (each row moves it by at most ``tau / m``), a far
   steadier direction than the coordinate-wise median once honest updates are small and
   diverse. Updates that push against the majority (sign-flip, IPM, min-max/min-sum pushed
   past the mean) leave the accepted set.
3. **Centered clipping** around the previous round's aggregate
   (:mod:`~flchain.fl.aggregation.centered_clipping`), optionally over buckets of
   ``bucket_size`` rows: whatever passes (ALIE, small perturbations) moves the aggregate by
   at most ``tau / m``. When no row failed the direction filter, step 3 is the reference.

The defaults (``max_norm_ratio`` 3, ``radius_scale`` 1.5) leave honest non-IID updates alone:
an honest update's norm grows with its shard (2 local epochs are more SGD steps on more
data), so on Dirichlet(0.5) shards the largest honest updates are 2-4x the smallest. A
filter at 2x the median norm rejected (and had the contract slash) the participants holding
the most data, and a radius of 1x the median offset clipped half the honest rows, again the
largest shards, every round: with the unweighted mean the global model learned from its
smallest shards first, the cause of the slow first rounds. An attacker still moves the
aggregate by at most ``1.5 tau_median / m``.

If fewer than half of the screened rows pass the filters, they are not trusted and every
screened row goes to step 3.

Rows are deltas from the global model. Determinism: norms and dot products in float64 in a
fixed order (:mod:`~flchain.fl.aggregation.geometry`), the median norm a function of the
multiset of norms, then centered clipping's exact means: bit-identical in any row order.

``accepted``: the screened rows that pass the filters.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flchain.fl.aggregation.buckets import bucket_points, require_bucket_size
from flchain.fl.aggregation.centered_clipping import checked_center, clip_around
from flchain.fl.aggregation.geometry import row_dots, row_norms
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import screen_rows
from flchain.fl.aggregation.spec import RuleSpec, require

__all__ = ["SPEC", "FilteredClippingParams", "filtered_clipping"]

DEFAULT_MIN_COSINE = 0.0
DEFAULT_BUCKET_SIZE = 1
DEFAULT_MAX_NORM_RATIO = 3.0
DEFAULT_RADIUS_SCALE = 1.5


def filtered_clipping(
    updates: npt.NDArray[np.float32],
    /,
    *,
    previous: npt.NDArray[np.float32] | None = None,
    min_cosine: float = DEFAULT_MIN_COSINE,
    max_norm_ratio: float = DEFAULT_MAX_NORM_RATIO,
    radius_scale: float = DEFAULT_RADIUS_SCALE,
    bucket_size: int = DEFAULT_BUCKET_SIZE,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """Centered clipping over the rows that point along the median (module docstring).

    Args:
        updates: (clients x parameters) float32 array of deltas from the global model.
        previous: the previous round's aggregate delta (1-D float32); None: zeros.
        min_cosine: the cosine with the reference a row must exceed, in [-1, 1).
        max_norm_ratio: a row whose norm exceeds this times the median norm is rejected.
        radius_scale: the clipping radius, as a multiple of the median offset norm.
        bucket_size: rows averaged per bucket before clipping (1: no bucketing).
        weights: accepted for the common signature and ignored: the mean is unweighted.

    Raises:
        AggregationError: malformed updates, a bad ``previous``, or no finite row.
    """
    FilteredClippingParams(min_cosine, max_norm_ratio, radius_scale, bucket_size)  # raises
    admitted = screen_rows(updates)
    center = checked_center(previous, updates.shape[1])
    norms = np.zeros(updates.shape[0], dtype=np.float64)
    if admitted.all():
        norms = row_norms(updates)  # one pass over every row, no copy
    else:
        for index in np.flatnonzero(admitted):
            norms[index] = row_norms(updates[index : index + 1])[0]
    bound = max_norm_ratio * float(np.median(norms[admitted]))
    passing = admitted & (norms <= bound)
    normed = passing.copy()
    singles = [[int(i)] for i in np.flatnonzero(normed)]
    reference = clip_around(updates, singles, center, None, radius_scale)
    passing &= _cosines_above(updates, passing, norms, reference, min_cosine)
    if 2 * int(passing.sum()) < int(admitted.sum()):
        passing = admitted
    indices = [int(i) for i in np.flatnonzero(passing)]
    if bucket_size == 1 and np.array_equal(passing, normed):
        return AggregationResult(aggregate=reference, accepted=passing)  # the same points
    points = bucket_points(updates, indices, bucket_size)
    aggregate = clip_around(updates, points, center, None, radius_scale)
    return AggregationResult(aggregate=aggregate, accepted=passing)


def _cosines_above(
    updates: npt.NDArray[np.float32],
    admitted: npt.NDArray[np.bool_],
    norms: npt.NDArray[np.float64],
    reference: npt.NDArray[np.float32],
    threshold: float,
) -> npt.NDArray[np.bool_]:
    """True for each admitted row whose cosine with ``reference`` exceeds ``threshold``."""
    reference_norm = float(row_norms(reference.reshape(1, -1))[0])
    if reference_norm == 0.0:
        return admitted.copy()
    dots = np.zeros(updates.shape[0], dtype=np.float64)
    if admitted.all():
        dots = row_dots(updates, reference)  # one pass over every row, no copy
    else:
        for index in np.flatnonzero(admitted):
            dots[index] = row_dots(updates[index : index + 1], reference)[0]
    above = np.zeros(updates.shape[0], dtype=bool)
    for index in np.flatnonzero(admitted & (norms > 0.0)):
        above[index] = dots[index] / (float(norms[index]) * reference_norm) > threshold
    return above


@dataclass(frozen=True)
class FilteredClippingParams:
    """Filtered clipping's parameters (see :func:`filtered_clipping`)."""

    min_cosine: float = DEFAULT_MIN_COSINE
    max_norm_ratio: float = DEFAULT_MAX_NORM_RATIO
    radius_scale: float = DEFAULT_RADIUS_SCALE
    bucket_size: int = DEFAULT_BUCKET_SIZE

    def __post_init__(self) -> None:
        name, cosine = "filtered_clipping", self.min_cosine
        require(name, "min_cosine", -1.0 <= cosine < 1.0, "within [-1, 1)", cosine)
        ratio = self.max_norm_ratio
        require(name, "max_norm_ratio", ratio >= 1.0, "a number >= 1", ratio)
        scale = self.radius_scale
        require(name, "radius_scale", 0.0 < scale <= 10.0, "within (0, 10]", scale)
        require_bucket_size(name, self.bucket_size)


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
