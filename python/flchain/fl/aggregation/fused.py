"""A compiled, fused FedAvg kernel: the arithmetic of :mod:`fixedpoint` in one pass.

``fixed_weighted_mean`` returns, for every column, exactly what ``dequantize(
divide_round_half_even(weighted_fixed_sum(updates, weights), total))`` returns (the same
quantization, the same exact sums, the same ties-to-even division, the same float32
rounding), but reads each update once and works on both cores: numpy needs about five
passes over the data for the same result. It is compiled by Numba on first use (cached on
disk), so it is used only for updates large enough to repay that (see ``FUSED_MIN_VALUES``).

The kernel keeps the exact integer sums in float64 (vectorizable, unlike int64 conversions):
every quantized value is an integer-valued double, and as long as a column's sum of
|weight x value| stays below ``EXACT_SUM_BOUND`` (2**52) every product and partial sum is
exact, so the sums are the int64 sums. The kernel is optimistic: it sums every row of
non-zero weight and, in the same pass, that sum of magnitudes per column (NaN and infinities
make it fail the bound). Only when every column is in bound is the result used; otherwise
the caller falls back to the checked numpy path (exact int64, a wider range, and errors
naming the bad row).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from flchain.fl.aggregation.fixedpoint import SCALE

__all__ = ["FUSED_MIN_VALUES", "fixed_weighted_mean"]

#: Updates with fewer values (rows x columns) than this use the numpy path: compiling the
#: kernel costs a second or two once per process when its disk cache is cold.
FUSED_MIN_VALUES = 1 << 24

_BLOCK = 4096  # columns per block: the block's sums stay in L1/L2 cache

#: Bound on the magnitude of every weighted sum (in units of 2**-24) for the float64 path:
#: below 2**52, sums of integer-valued doubles are exact and rint(S / W) is S / W rounded
#: half to even exactly (the float division's error stays under 1 / (2W), the distance from
#: any non-tie quotient to the nearest tie).
EXACT_SUM_BOUND = 1 << 52

_kernel: Any = None


def _compile() -> Any:
    import numba  # deferred: importing numba costs ~0.3 s, and small models never need it

    @numba.njit(parallel=True, cache=True, fastmath=False, boundscheck=False)
    def kernel(updates, weights, total, bound, out, over):  # type: ignore[no-untyped-def]
        rows, columns = updates.shape
        blocks = (columns + _BLOCK - 1) // _BLOCK
        scale = float(SCALE)
        divisor = float(total)
        for block in numba.prange(blocks):
            start = block * _BLOCK
            width = min(start + _BLOCK, columns) - start
            sums = np.zeros(width, dtype=np.float64)
            magnitudes = np.zeros(
                width, dtype=np.float64
            )  # sum of |terms|: bounds every partial sum
            for row in range(rows):
                weight = float(weights[row])
                if weight == 0.0:
                    continue
                values = updates[row, start : start + width]
                for j in range(width):
                    term = weight * np.rint(np.float64(values[j]) * scale)
                    sums[j] += term
                    magnitudes[j] += abs(term)
            count = 0
            for j in range(width):
                count += not (magnitudes[j] < bound)  # also counts NaN and infinities
                # + 0.0 turns rint's -0.0 into the +0 that the integer path gives
                out[start + j] = np.float32((np.rint(sums[j] / divisor) + 0.0) / scale)
            over[block] = count

    return kernel


def fixed_weighted_mean(
    updates: npt.NDArray[np.float32], weights: list[int], total: int
) -> npt.NDArray[np.float32] | None:
    """The fixed-point weighted mean of the rows of non-zero weight, or None when the kernel
    cannot vouch for it: a row of non-zero weight holds NaN or an infinity, or some column's
    weighted magnitudes add up to ``EXACT_SUM_BOUND`` or more."""
    global _kernel
    if _kernel is None:
        _kernel = _compile()
    data = np.ascontiguousarray(updates, dtype=np.float32)
    columns = data.shape[1]
    over = np.zeros((columns + _BLOCK - 1) // _BLOCK, dtype=np.int64)
    out = np.empty(columns, dtype=np.float32)
    bound = float(EXACT_SUM_BOUND)
    _kernel(data, np.asarray(weights, dtype=np.int64), np.int64(total), bound, out, over)
    return None if over.any() else out
