"""Deterministic FedAvg: the weighted mean of the updates in exact fixed point.

``fedavg`` gives the bit-identical aggregate for the same rows in any order, on any
machine (see :mod:`flchain.fl.aggregation.fixedpoint` for the arithmetic and its
error bounds). Large inputs go through a compiled one-pass kernel with the same result
(:mod:`flchain.fl.aggregation.fused`). Rules for the rows:

- a row holding NaN or +-inf is rejected (``accepted[i]`` is False) and left out;
- a row whose (capped) weight is 0 is rejected too: it carries no samples;
- a finite row with a value too large for the fixed-point range raises an
  AggregationError naming it (it cannot be averaged exactly);
- if no row is accepted, an AggregationError says why.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.fixedpoint import (
    check_range,
    dequantize,
    divide_round_half_even,
    weighted_fixed_sum,
)
from flchain.fl.aggregation.fused import FUSED_MIN_VALUES, fixed_weighted_mean
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.spec import RuleSpec, require
from flchain.fl.aggregation.updates import check_updates, row_magnitudes

__all__ = ["SPEC", "fedavg"]


def fedavg(
    updates: npt.NDArray[np.float32],
    /,
    *,
    weights: npt.NDArray[np.integer] | None = None,
    max_weight: int | None = None,
) -> AggregationResult:
    """Weighted mean of the update rows, exact and order-independent.

    Args:
        updates: (clients x parameters) float32 array, one flattened update per row.
        weights: one integer >= 0 per row (e.g. its sample count); None weighs all
            rows equally.
        max_weight: if given (>= 1), each weight is capped at it, so that no client
            dominates by claiming many samples.

    Raises:
        AggregationError: bad shapes or weights, a value beyond the fixed-point range,
            or no row left to average.
    """
    check_updates(updates)
    capped = _capped_weights(weights, max_weight, updates.shape[0])
    if updates.size >= FUSED_MIN_VALUES and sum(capped) > 0:
        # One compiled pass; None when a row is non-finite or large: the checked path decides.
        fused = fixed_weighted_mean(updates, capped, sum(capped))
        if fused is not None:
            return AggregationResult(aggregate=fused, accepted=np.array(capped) > 0)
    magnitudes = row_magnitudes(updates)
    finite = np.isfinite(magnitudes)
    accepted = finite & np.array([weight > 0 for weight in capped], dtype=bool)
    if not accepted.any():
        raise AggregationError(
            f"No update is left to average: {int((~finite).sum())} of {len(capped)} hold "
            f"NaN or infinity, the others have weight 0."
        )
    used = [weight if ok else 0 for weight, ok in zip(capped, accepted, strict=True)]
    total = sum(used)
    check_range(magnitudes, accepted, total)
    mean = divide_round_half_even(weighted_fixed_sum(updates, used), total)
    return AggregationResult(aggregate=dequantize(mean), accepted=accepted)


@dataclass(frozen=True)
class FedAvgParams:
    """FedAvg's parameters: ``max_weight`` caps each update's self-reported weight."""

    max_weight: int | None = None

    def __post_init__(self) -> None:
        value = self.max_weight
        require("fedavg", "max_weight", value is None or value >= 1, "an integer >= 1", value)


SPEC = RuleSpec(
    name="fedavg",
    rule_id=0,
    function=fedavg,
    params=FedAvgParams,
    space="models",
    secure_aggregation=True,
    summary="weighted by self-reported samples; the only rule secure aggregation runs",
)


def _capped_weights(
    weights: npt.NDArray[np.integer] | None, max_weight: int | None, clients: int
) -> list[int]:
    if max_weight is not None and (not _is_int(max_weight) or max_weight < 1):
        raise AggregationError(f"max_weight must be an integer >= 1, got {max_weight!r}.")
    if weights is None:
        return [1] * clients
    array = np.asarray(weights)
    if array.shape != (clients,) or array.dtype.kind not in "iu":
        raise AggregationError(
            f"weights must be {clients} integers (one per update), got {array.dtype} "
            f"of shape {array.shape}."
        )
    values = [int(w) for w in array]
    if any(w < 0 for w in values):
        raise AggregationError(f"weights must be >= 0, got {min(values)}.")
    if max_weight is None:
        return values
    return [min(w, max_weight) for w in values]


def _is_int(value: object) -> bool:
    return isinstance(value, int | np.integer) and not isinstance(value, bool)
