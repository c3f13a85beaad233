"""FLTrust (Cao et al., NDSS 2021): trust each update by its direction against a reference.

The server holds a small trusted root dataset and computes its own update ``g0`` on it
(the caller passes it as ``reference``). Each screened row ``g_i`` (see
:mod:`~flchain.fl.aggregation.screening`) gets the trust score
``TS_i = ReLU(cos(g_i, g0))``, is rescaled to the reference's norm, and the aggregate
is ``sum_i TS_i * (|g0| / |g_i|) * g_i / sum_i TS_i``. A row of norm 0 (a free rider's
delta) has trust 0.

Rows and reference must be deltas from the global model: FLTrust is not
translation-invariant. ``weights`` are ignored: the trust scores are the weights.

Determinism: dot products and norms are float64 in a fixed order
(:mod:`~flchain.fl.aggregation.geometry`); ``sum TS`` is ``math.fsum`` (exact, then
rounded once); each row contributes ``round_half_even(g_i * c_i * 2**24)`` with its
own coefficient ``c_i = TS_i |g0| / (|g_i| sum TS)``, and those integers are summed
exactly, so the result does not depend on the row order.

``accepted``: the screened rows of positive trust.
Flower 1.42 has no FLTrust.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.fixedpoint import INT64_MAX, SCALE, dequantize
from flchain.fl.aggregation.geometry import row_dots, row_norms
from flchain.fl.aggregation.result import AggregationResult
from flchain.fl.aggregation.screening import screen_rows
from flchain.fl.aggregation.spec import RuleSpec

__all__ = ["SPEC", "fltrust"]


def fltrust(
    updates: npt.NDArray[np.float32],
    /,
    *,
    reference: npt.NDArray[np.float32] | None = None,
    weights: npt.NDArray[np.integer] | None = None,
) -> AggregationResult:
    """Trust-weighted mean of the update rows, each rescaled to the reference's norm.

    Args:
        updates: (clients x parameters) float32 array of deltas from the global model.
        reference: the server's own delta, trained on its trusted root dataset:
            1-D float32, one value per parameter, finite and non-zero. Required.
        weights: accepted for the common signature and ignored.

    Raises:
        AggregationError: malformed updates, a missing or bad reference, or no row of
            positive trust.
    """
    admitted = screen_rows(updates)
    reference, reference_norm = _checked_reference(reference, updates.shape[1])
    trust = np.zeros(updates.shape[0], dtype=np.float64)
    norms = np.zeros(updates.shape[0], dtype=np.float64)
    indices = np.flatnonzero(admitted)
    for index in indices:  # one row at a time: no copy of the matrix
        row = updates[index : index + 1]
        norms[index] = row_norms(row)[0]
        if norms[index] > 0.0:
            cosine = row_dots(row, reference)[0] / (norms[index] * reference_norm)
            trust[index] = max(cosine, 0.0)
    total = math.fsum(trust)
    if total == 0.0:
        raise AggregationError(
            f"FLTrust has no update to average: none of the {len(indices)} finite updates "
            "points in the reference's direction (every trust score is 0)."
        )
    accepted = trust > 0.0
    fixed = np.zeros(updates.shape[1], dtype=np.int64)
    for index in np.flatnonzero(accepted):
        coefficient = trust[index] * reference_norm / (norms[index] * total) * float(SCALE)
        scaled = np.multiply(updates[index], coefficient, dtype=np.float64)
        fixed += np.rint(scaled).astype(np.int64)
    return AggregationResult(aggregate=dequantize(fixed), accepted=accepted)


SPEC = RuleSpec(
    name="fltrust",
    rule_id=7,
    function=fltrust,
    side_inputs=("reference",),
    summary="the task owner publishes each round's reference (below)",
)


def _checked_reference(
    reference: npt.NDArray[np.float32] | None, parameters: int
) -> tuple[npt.NDArray[np.float32], float]:
    """The reference and its norm, after checking its shape and values."""
    if reference is None:
        raise AggregationError(
            "FLTrust needs reference=..., the server's own update computed on its trusted "
            "root dataset (as a delta from the global model)."
        )
    if (
        not isinstance(reference, np.ndarray)
        or reference.dtype != np.float32
        or reference.shape != (parameters,)
    ):
        raise AggregationError(
            f"FLTrust's reference must be 1-D float32 of {parameters} values, got "
            f"{getattr(reference, 'dtype', type(reference).__name__)} of shape "
            f"{getattr(reference, 'shape', None)}."
        )
    norm = float(row_norms(reference.reshape(1, -1))[0])
    if not math.isfinite(norm) or norm == 0.0:
        raise AggregationError(f"FLTrust's reference must be finite and non-zero, got norm {norm}.")
    if norm * SCALE > INT64_MAX // 2:
        raise AggregationError(
            f"FLTrust's reference norm {norm:.6g} is beyond the fixed-point range "
            f"{INT64_MAX // 2 / SCALE:.6g}."
        )
    return reference, norm
