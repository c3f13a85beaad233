"""Centered clipping (Karimireddy, He & Jaggi, ICML 2021), around the previous aggregate.

Starting from the centre ``v`` (the ``previous`` round's aggregate delta, i.e. the parent
model minus its own parent, as every aggregator reads them from the registry; zeros in round
1), each iteration moves ``v`` by the mean of the rows' offsets from it, each clipped to norm
``tau``::

    v <- v + mean_i( (x_i - v) * min(1, tau / |x_i - v|) )

An attacker thus moves the aggregate by at most ``tau / m`` whatever it sends. ``radius``
None takes ``tau`` as the median of the offsets' norms (at each iteration), so at least half
of the rows are left as they are; ``bucket_size`` > 1 first averages content-seeded random
buckets of that many rows (:mod:`~flchain.fl.aggregation.buckets`, Karimireddy et al. 2022),
for non-IID data. The mean is unweighted (self-reported sample counts could be inflated).

Rows are deltas from the global model (not translation-invariant).

Determinism: a bucket's mean is summed in float64 in its content order; offsets ``x_i - v``
are float32, their norms float64 sums over fixed column blocks; a clipped offset is scaled by
the float32 factor ``tau / |x_i - v|``; the mean is exact in fixed point (sum of
``round_half_even(offset * 2**24)``, divided with ties to even, as FedAvg); ``v + mean`` is
one float32 addition per coordinate: the same bytes in any row order.

``accepted``: every screened row (a clipped row is accepted: its influence is bounded).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.buckets import bucket_points, require_bucket_size
from flchain.fl.aggregation.fixedpoint import (
    INT64_MAX,
    SCALE,
    dequantize,
    divide_round_half_even,
)
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import screen_rows
from flchain.fl.aggregation.spec import RuleSpec, require

__all__ = ["SPEC", "CenteredClippingParams", "centered_clipping", "checked_center", "clip_around"]

DEFAULT_ITERATIONS = 1
DEFAULT_BUCKET_SIZE = 2
_CHUNK = 1 << 13  # columns per block: the block's buffers stay in cache


def centered_clipping(
    updates: npt.NDArray[np.float32],
    /,
    *,
    previous: npt.NDArray[np.float32] | None = None,
    radius: float | None = None,
    iterations: int = DEFAULT_ITERATIONS,
    bucket_size: int = DEFAULT_BUCKET_SIZE,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """The centre moved by the mean clipped offset of the rows (see the module docstring).

    Args:
        updates: (clients x parameters) float32 array of deltas from the global model.
        previous: the previous round's aggregate delta (1-D float32), the first centre;
            None starts from zeros.
        radius: the clipping radius ``tau`` (> 0); None takes the median offset norm.
        iterations: how many times the centre moves (>= 1).
        bucket_size: rows averaged per bucket first (1: no bucketing).
        weights: accepted for the common signature and ignored: the mean is unweighted.

    Raises:
        AggregationError: malformed updates, a bad ``previous``, or no finite row.
    """
    CenteredClippingParams(radius, iterations, bucket_size)  # raises on bad values
    admitted = screen_rows(updates)
    center = checked_center(previous, updates.shape[1])
    indices = [int(i) for i in np.flatnonzero(admitted)]
    points = bucket_points(updates, indices, bucket_size)
    for _ in range(iterations):
        center = clip_around(updates, points, center, radius)
    return AggregationResult(aggregate=center, accepted=admitted.copy())


def clip_around(
    rows: npt.NDArray[np.float32],
    groups: Sequence[Sequence[int]],
    center: npt.NDArray[np.float32],
    radius: float | None,
    scale: float = 1.0,
) -> npt.NDArray[np.float32]:
    """One centered-clipping step over the points ``groups`` make of ``rows`` (each point the
    mean of its group's rows, a singleton being the row itself): ``center`` plus the exact mean
    of the clipped offsets ``point - center``, clipped to ``radius`` or, when it is None, to
    ``scale`` times the median offset norm.

    Column blocks of fixed width, two passes (norms, then the clipped fixed-point mean), with
    buffers of one block: no array of the input's size is allocated (fresh memory costs more
    than the arithmetic here).
    """
    count, columns = len(groups), rows.shape[1]
    block = _Block(count, min(columns, _CHUNK))
    squares = np.zeros(count, dtype=np.float64)
    for start in range(0, columns, _CHUNK):
        offsets = block.offsets(rows, groups, center, start, min(start + _CHUNK, columns))
        wide = block.wide[:, : offsets.shape[1]]
        np.multiply(offsets, offsets, out=wide, dtype=np.float64)
        squares += wide.sum(axis=1)
    norms = np.sqrt(squares)
    tau = scale * float(np.median(norms)) if radius is None else float(radius)
    factors = np.array([tau / n if n > tau else 1.0 for n in norms], dtype=np.float32)
    limit = INT64_MAX // count
    result = np.empty(columns, dtype=np.float32)
    for start in range(0, columns, _CHUNK):
        stop = min(start + _CHUNK, columns)
        offsets = block.offsets(rows, groups, center, start, stop)
        offsets *= factors[:, None]
        if int(np.rint(float(np.abs(offsets).max()) * SCALE)) > limit:
            raise AggregationError(
                "An offset from the previous aggregate is beyond the fixed-point range; the "
                "previous aggregate or an update diverged."
            )
        wide, fixed = block.wide[:, : stop - start], block.fixed[:, : stop - start]
        np.multiply(offsets, float(SCALE), out=wide, dtype=np.float64)
        np.rint(wide, out=wide)
        fixed[...] = wide  # exact: integral values within int64
        mean = divide_round_half_even(fixed.sum(axis=0), count)
        result[start:stop] = center[start:stop] + dequantize(mean)
    return result


class _Block:
    """Buffers for one block of columns of every point."""

    def __init__(self, count: int, width: int) -> None:
        self.points = np.empty((count, width), dtype=np.float64)
        self.single = np.empty((count, width), dtype=np.float32)
        self.wide = np.empty((count, width), dtype=np.float64)
        self.fixed = np.empty((count, width), dtype=np.int64)

    def offsets(
        self,
        rows: npt.NDArray[np.float32],
        groups: Sequence[Sequence[int]],
        center: npt.NDArray[np.float32],
        start: int,
        stop: int,
    ) -> npt.NDArray[np.float32]:
        """``point - center`` over columns ``start:stop`` for every group's point (float32)."""
        width = stop - start
        out = self.single[:, :width]
        points = self.points[:, :width]
        for position, group in enumerate(groups):
            if len(group) == 1:
                np.subtract(rows[group[0], start:stop], center[start:stop], out=out[position])
                continue
            point = points[position]
            point[...] = rows[group[0], start:stop]
            for index in group[1:]:
                point += rows[index, start:stop]
            point /= len(group)
            out[position] = point  # one rounding to float32
            out[position] -= center[start:stop]
        return out


def checked_center(
    previous: npt.NDArray[np.float32] | None, parameters: int
) -> npt.NDArray[np.float32]:
    """``previous`` as the first centre (zeros when None), after checking it."""
    if previous is None:
        return np.zeros(parameters, dtype=np.float32)
    if (
        not isinstance(previous, np.ndarray)
        or previous.dtype != np.float32
        or previous.shape != (parameters,)
        or not np.isfinite(previous).all()
    ):
        raise AggregationError(
            f"The previous aggregate must be 1-D finite float32 of {parameters} values, got "
            f"{getattr(previous, 'dtype', type(previous).__name__)} of shape "
            f"{getattr(previous, 'shape', None)}."
        )
    return previous


@dataclass(frozen=True)
class CenteredClippingParams:
    """Centered clipping's parameters (see :func:`centered_clipping`)."""

    radius: float | None = None
    iterations: int = DEFAULT_ITERATIONS
    bucket_size: int = DEFAULT_BUCKET_SIZE

    def __post_init__(self) -> None:
        name, tau = "centered_clipping", self.radius
        require(name, "radius", tau is None or tau > 0, "a number > 0", tau)
        require(name, "iterations", 1 <= self.iterations <= 10, "within [1, 10]", self.iterations)
        require_bucket_size(name, self.bucket_size)


SPEC = RuleSpec(
    name="centered_clipping",
    rule_id=8,
    function=centered_clipping,
    params=CenteredClippingParams,
    side_inputs=("previous",),
    summary="clips offsets from the previous aggregate (chain state), buckets of 2",
)
