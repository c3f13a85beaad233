"""FedAvg split in two for secure aggregation: each client's exact fixed-point contribution,
and the mean from the sum of the contributions.

A client contributes the int64 vector ``[w, w * quantize(x)]`` (its weight first), which it
masks before anyone sees it; the aggregator only ever sees the sum of the contributions,
``[W, S]``, and computes ``divide_round_half_even(S, W)``. This is exactly the arithmetic of
:func:`~flchain.fl.aggregation.fedavg` (same quantization, same integer sum, same division),
so the result is bit-identical to ``fedavg`` over the same rows and weights.

What the aggregator can no longer do: see a row. NaN/Inf checks, range checks, weight caps
and every robust rule are the client's own business, or impossible.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.fixedpoint import (
    INT64_MAX,
    SCALE,
    dequantize,
    divide_round_half_even,
    quantize,
)

__all__ = ["MAX_CONTRIBUTORS", "fedavg_contribution", "fedavg_from_sum"]

#: Clients of one sum (the coordinator's member limit): each contribution must leave room for
#: this many in int64.
MAX_CONTRIBUTORS = 256


def fedavg_contribution(
    vector: npt.NDArray[np.float32], weight: int, max_weight: int | None = None
) -> npt.NDArray[np.int64]:
    """``[w, w * quantize(vector)]`` with ``w = min(weight, max_weight)``.

    Raises:
        AggregationError: a non-finite value, a negative weight, or a value so large that
            ``MAX_CONTRIBUTORS`` such contributions could overflow int64.
    """
    if vector.dtype != np.float32 or vector.ndim != 1:
        raise AggregationError(
            f"A contribution is a 1-D float32 vector, got {vector.dtype} {vector.shape}."
        )
    if weight < 0 or (max_weight is not None and max_weight < 1):
        raise AggregationError(
            f"Weights must be >= 0 and max_weight >= 1, got {weight} and {max_weight}."
        )
    w = weight if max_weight is None else min(weight, max_weight)
    if not np.isfinite(vector).all():
        raise AggregationError("The update holds NaN or infinity; it cannot be contributed.")
    largest = float(np.abs(vector).max()) if vector.size else 0.0
    limit = INT64_MAX // (MAX_CONTRIBUTORS * max(w, 1))
    if int(np.rint(largest * float(SCALE))) > limit:
        raise AggregationError(
            f"The update holds a value of magnitude {largest:.6g}, beyond the fixed-point range "
            f"{limit / SCALE:.6g} of a secure sum at weight {w}; it is corrupt or diverged."
        )
    contribution = np.empty(vector.size + 1, dtype=np.int64)
    contribution[0] = w
    contribution[1:] = quantize(vector)
    if w != 1:
        contribution[1:] *= w
    return contribution


def fedavg_from_sum(total: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """The weighted mean from the sum of contributions ``[W, S]``; AggregationError if
    ``W <= 0`` (nothing to average, or the sum is not one of contributions)."""
    if total.ndim != 1 or total.size < 2 or total.dtype != np.int64:
        raise AggregationError(f"A sum of contributions is 1-D int64 [W, S...], got {total.shape}.")
    weight = int(total[0])
    if weight <= 0:
        raise AggregationError(
            f"The secure sum carries a total weight of {weight}: no sample to average, or the "
            "masks did not cancel."
        )
    return dequantize(divide_round_half_even(total[1:], weight))
