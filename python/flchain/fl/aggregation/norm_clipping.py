"""Norm bounding (Sun et al., 2019, "Can You Really Backdoor Federated Learning?").

Variant: clip, do not drop. Each screened row (see
:mod:`~flchain.fl.aggregation.screening`) whose Euclidean norm exceeds ``max_norm`` is
scaled down to norm ``max_norm``; then the rows are averaged as
:func:`~flchain.fl.aggregation.fedavg` does, weighted by ``weights``. A boosted update
thus still enters, but with at most the influence of an honest one. ``max_norm`` None
takes the median of the rows' norms (as FLAME, Nguyen et al. 2022, does), so at least
half of the rows are left as they are.

The rows must be deltas from the global model (``update - global``): norm bounding is
not translation-invariant, and clipping whole models would shrink the model itself.

Determinism: norms are float64 in a fixed order (:mod:`~flchain.fl.aggregation.geometry`);
a clipped row is ``float32(row * (max_norm / norm))`` (float64 product, one rounding),
so its norm may exceed ``max_norm`` by a relative 2**-24; the mean is FedAvg's exact one.

``accepted``: every screened row of non-zero weight (a clipped row is accepted).
Flower 1.42 has no such function in ``aggregate.py`` (its DP wrappers clip differently).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.fedavg import fedavg
from flchain.fl.aggregation.geometry import row_norms
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import screen_rows
from flchain.fl.aggregation.spec import RuleSpec, require

__all__ = ["SPEC", "norm_clipping"]


def norm_clipping(
    updates: npt.NDArray[np.float32],
    /,
    *,
    max_norm: float | None = None,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """Weighted mean of the update rows after scaling each down to norm <= ``max_norm``.

    Args:
        updates: (clients x parameters) float32 array of deltas from the global model.
        max_norm: the norm bound (> 0); None takes the median norm of the rows.
        weights: one integer >= 0 per row (e.g. its sample count); None weighs rows equally.

    Raises:
        AggregationError: malformed updates or weights, a bad ``max_norm``, or no row left.
    """
    if max_norm is not None and not (
        isinstance(max_norm, float | int) and math.isfinite(max_norm) and max_norm > 0
    ):
        raise AggregationError(f"norm_clipping needs a finite max_norm > 0: got {max_norm!r}.")
    admitted = screen_rows(updates)
    norms = np.zeros(updates.shape[0], dtype=np.float64)
    norms[admitted] = row_norms(updates[admitted] if not admitted.all() else updates)
    bound = _median(norms[admitted]) if max_norm is None else float(max_norm)
    over = admitted & (norms > bound)
    clipped = updates
    if over.any():
        clipped = updates.copy()
        for index in np.flatnonzero(over):
            factor = bound / norms[index]
            clipped[index] = np.multiply(updates[index], factor, dtype=np.float64)
    used = _zero_rejected(weights, admitted)
    return fedavg(clipped, weights=used)


@dataclass(frozen=True)
class NormClippingParams:
    """Norm clipping's parameter: the bound ``max_norm`` (> 0); None takes the median norm."""

    max_norm: float | None = None

    def __post_init__(self) -> None:
        value = self.max_norm
        require("norm_clipping", "max_norm", value is None or value > 0, "a number > 0", value)


SPEC = RuleSpec(
    name="norm_clipping",
    rule_id=6,
    function=norm_clipping,
    params=NormClippingParams,
    summary="norm bounding of each delta",
)


def _median(values: npt.NDArray[np.float64]) -> float:
    ordered = np.sort(values)
    middle = len(ordered) // 2
    if len(ordered) % 2 == 1:
        return float(ordered[middle])
    return float((ordered[middle - 1] + ordered[middle]) / 2.0)


def _zero_rejected(
    weights: npt.NDArray[np.integer] | None, admitted: npt.NDArray[np.bool_]
) -> npt.NDArray[np.integer]:
    """The weights with 0 for screened-out rows, so that FedAvg rejects them too."""
    if weights is None:
        return admitted.astype(np.int64)
    array = np.asarray(weights)
    if array.shape != admitted.shape:
        raise AggregationError(
            f"weights must be {len(admitted)} integers (one per update), got {array.dtype} "
            f"of shape {array.shape}."
        )
    return np.where(admitted, array, 0).astype(array.dtype)
