"""Checks on the update matrix shared by every rule: shape, dtype, finite rows."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError

__all__ = ["check_updates", "row_magnitudes", "stack_updates"]


def stack_updates(vectors: Sequence[npt.NDArray[np.float32]]) -> npt.NDArray[np.float32]:
    """Stack per-client 1-D float32 vectors into the (clients x parameters) matrix.

    Raises:
        AggregationError: no vector, or a vector that is not 1-D float32 of the
            first one's length (the message names the client's row index).
    """
    if len(vectors) == 0:
        raise AggregationError("There is no update to aggregate.")
    size = vectors[0].size
    for index, vector in enumerate(vectors):
        if vector.dtype != np.float32 or vector.ndim != 1 or vector.size != size:
            raise AggregationError(
                f"Update {index} is {vector.dtype} of shape {vector.shape}, but update 0 "
                f"sets the shape to ({size},) float32; every update must have the same shape."
            )
    return np.stack(vectors)


def check_updates(updates: npt.NDArray[np.float32]) -> None:
    """Raise AggregationError unless ``updates`` is a non-empty 2-D float32 array."""
    if not isinstance(updates, np.ndarray) or updates.ndim != 2:
        shape = getattr(updates, "shape", None)
        raise AggregationError(
            f"Updates must be a 2-D (clients x parameters) array, got shape {shape}; "
            "stack per-client vectors with stack_updates()."
        )
    if updates.dtype != np.float32:
        raise AggregationError(f"Updates must be float32, got {updates.dtype}.")
    if updates.shape[0] == 0 or updates.shape[1] == 0:
        raise AggregationError(
            f"Updates of shape {updates.shape} are empty: there must be at least one "
            "client and one parameter."
        )


def row_magnitudes(updates: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
    """Largest absolute value of each row; NaN or inf for a row holding NaN or inf."""
    highest = updates.max(axis=1).astype(np.float64)
    lowest = updates.min(axis=1).astype(np.float64)
    # max/min propagate NaN; -lowest is +inf for a row holding -inf.
    magnitudes: npt.NDArray[np.float64] = np.maximum(highest, -lowest)
    return magnitudes
