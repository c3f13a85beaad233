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

Determinism: offsets and norms in float64 with one float32 rounding per clipped row
(:mod:`~flchain.fl.aggregation.geometry`), the mean FedAvg's exact fixed-point one, ``v +
mean`` one float32 addition per coordinate: the same bytes in any row order.

``accepted``: every screened row (a clipped row is accepted: its influence is bounded).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.buckets import bucket_means
from flchain.fl.aggregation.fedavg import fedavg
from flchain.fl.aggregation.geometry import row_norms
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import screen_rows
from flchain.fl.aggregation.spec import RuleSpec, require

__all__ = ["SPEC", "CenteredClippingParams", "centered_clipping", "checked_center", "clip_around"]

DEFAULT_ITERATIONS = 1
DEFAULT_BUCKET_SIZE = 2


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
    if bucket_size > 1 and len(indices) > 1:
        rows, _ = bucket_means(updates, indices, bucket_size)
    else:
        rows = updates if admitted.all() else updates[admitted]
    for _ in range(iterations):
        center = clip_around(rows, center, radius)
    return AggregationResult(aggregate=center, accepted=admitted.copy())


def clip_around(
    rows: npt.NDArray[np.float32], center: npt.NDArray[np.float32], radius: float | None
) -> npt.NDArray[np.float32]:
    """One centered-clipping step: ``center`` plus the mean of the clipped offsets."""
    offsets = np.empty_like(rows)
    norms = np.empty(rows.shape[0], dtype=np.float64)
    for index in range(rows.shape[0]):
        np.subtract(rows[index], center, out=offsets[index])
        norms[index] = row_norms(offsets[index : index + 1])[0]
    tau = float(np.median(norms)) if radius is None else float(radius)
    for over in np.flatnonzero(norms > tau):
        offsets[over] = np.multiply(offsets[over], tau / norms[over], dtype=np.float64)
    step = fedavg(offsets).aggregate
    return (center + step).astype(np.float32)


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
        require(name, "bucket_size", 1 <= self.bucket_size <= 8, "within [1, 8]", self.bucket_size)


SPEC = RuleSpec(
    name="centered_clipping",
    rule_id=8,
    function=centered_clipping,
    params=CenteredClippingParams,
    side_inputs=("previous",),
    summary="clips offsets from the previous aggregate (chain state), buckets of 2",
)
