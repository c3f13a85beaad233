"""Exact fixed-point arithmetic that makes aggregation bit-identical everywhere.

A float32 value ``x`` becomes the int64 ``q = round_half_even(x * 2**SCALE_BITS)``
(exact: ``x * 2**24`` is exact in float64, and ``rint`` rounds half to even). Sums of
such integers are exact and associative, so they do not depend on the order of the
clients, the machine or the number of threads. A weighted sum ``S`` is divided by the
total weight ``W`` with rounding to nearest, ties to even, and ``S / W / 2**24`` goes
back to float32 (int64 -> float64 -> float32, IEEE round to nearest even).

Quantization moves a value by ``2**-25`` at most (about 3e-8); the division by
another ``2**-25`` at most; the final float32 rounding by a relative ``2**-24``.

Range: for the weighted sum to fit in int64, every value ``x`` of an accepted update
must satisfy ``|x| * 2**24 <= (2**63 - 1) // W``. With a total weight of one million
samples that is ``|x| <~ 5.5e5``, far above the weights of a trained model.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError

__all__ = [
    "INT64_MAX",
    "SCALE",
    "SCALE_BITS",
    "check_range",
    "dequantize",
    "divide_round_half_even",
    "quantize",
    "weighted_fixed_sum",
]

SCALE_BITS = 24
SCALE = 1 << SCALE_BITS
INT64_MAX = (1 << 63) - 1

_CHUNK = 1 << 15  # columns per step: keeps the float64 and int64 buffers in L2 cache


def quantize(values: npt.NDArray[np.float32]) -> npt.NDArray[np.int64]:
    """``round_half_even(values * 2**24)`` as int64; call :func:`check_range` first."""
    scaled = np.multiply(values, float(SCALE), dtype=np.float64)
    return np.rint(scaled).astype(np.int64)


def dequantize(values: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
    """``values / 2**24`` rounded to float32 (exact in float64 below 2**53)."""
    return (values.astype(np.float64) / float(SCALE)).astype(np.float32)


def check_range(
    magnitudes: npt.NDArray[np.float64], accepted: npt.NDArray[np.bool_], total_weight: int
) -> None:
    """Raise AggregationError naming the first accepted client whose values could overflow.

    ``magnitudes`` holds each client's largest absolute value (finite where accepted).
    """
    if total_weight > INT64_MAX:
        raise AggregationError(
            f"The total weight {total_weight} exceeds int64; cap the weights with max_weight."
        )
    limit = INT64_MAX // total_weight
    for index in np.flatnonzero(accepted):
        largest = int(np.rint(magnitudes[index] * float(SCALE)))
        if largest > limit:
            raise AggregationError(
                f"Update {index} holds a value of magnitude {magnitudes[index]:.6g}, beyond "
                f"the fixed-point range {limit / SCALE:.6g} for a total weight of "
                f"{total_weight}; the update is corrupt or diverged."
            )


def weighted_fixed_sum(
    updates: npt.NDArray[np.float32], weights: Sequence[int]
) -> npt.NDArray[np.int64]:
    """Exact ``sum_i weights[i] * quantize(updates[i])`` over rows with a non-zero weight.

    Rows of weight 0 are skipped (they may hold NaN). The caller has checked the range.
    """
    columns = updates.shape[1]
    total = np.zeros(columns, dtype=np.int64)
    scaled = np.empty(min(columns, _CHUNK), dtype=np.float64)
    fixed = np.empty(min(columns, _CHUNK), dtype=np.int64)
    for start in range(0, columns, _CHUNK):
        stop = min(start + _CHUNK, columns)
        width = stop - start
        for row, weight in enumerate(weights):
            if weight == 0:
                continue
            row_values = updates[row, start:stop]
            np.multiply(row_values, float(SCALE), out=scaled[:width], dtype=np.float64)
            np.rint(scaled[:width], out=scaled[:width])
            fixed[:width] = scaled[:width]  # exact: integral values within int64
            if weight != 1:
                np.multiply(fixed[:width], weight, out=fixed[:width])
            np.add(total[start:stop], fixed[:width], out=total[start:stop])
    return total


def divide_round_half_even(
    numerators: npt.NDArray[np.int64], divisor: int
) -> npt.NDArray[np.int64]:
    """``numerators / divisor`` rounded to the nearest integer, ties to even (divisor >= 1)."""
    quotient, remainder = np.divmod(numerators, np.int64(divisor))  # floor; 0 <= rem < divisor
    # rest is in (0, divisor]: comparing remainder with it avoids computing 2 * remainder.
    rest = np.int64(divisor) - remainder
    round_up = (remainder > rest) | ((remainder == rest) & (quotient % 2 == 1))
    result: npt.NDArray[np.int64] = quotient + round_up
    return result
