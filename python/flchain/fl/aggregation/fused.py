"""A compiled, fused FedAvg kernel: the arithmetic of :mod:`fixedpoint` in one pass.

``fixed_weighted_mean`` returns, for every column, exactly what ``dequantize(
divide_round_half_even(weighted_fixed_sum(updates, weights), total))`` returns (the same
quantization, the same exact sums, the same ties-to-even division, the same float32
rounding), but reads each update once and works on both cores: numpy needs about five
passes over the data for the same result. It is compiled by Numba on first use (cached on
disk), so it is used only for updates large enough to repay that (see ``FUSED_MIN_VALUES``).

The kernel keeps the exact integer sums in float64 (vectorizable, unlike int64 conversions):
every quantized value is an integer-valued double, and as long as each weighted sum stays
below ``EXACT_SUM_BOUND`` (2**52) every product and partial sum is exact, so the sums are the
int64 sums. The kernel is optimistic: it sums every row of non-zero weight and, in the same
pass, counts each row's values within the bound for the total weight (NaN and infinities
never are). Only when every such row is in bound is the result used; otherwise the caller
falls back to the checked numpy path (exact int64, a wider range, and errors naming the row).
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
    def kernel(updates, weights, total, limit, out, in_range):  # type: ignore[no-untyped-def]
        rows, columns = updates.shape
        blocks = (columns + _BLOCK - 1) // _BLOCK
        scale = float(SCALE)
        divisor = float(total)
        for block in numba.prange(blocks):
            start = block * _BLOCK
            stop = min(start + _BLOCK, columns)
            sums = np.zeros(stop - start, dtype=np.float64)
            for row in range(rows):
                weight = float(weights[row])
                if weight == 0.0:
                    continue
                good = 0
                for j in range(start, stop):
                    q = np.rint(np.float64(updates[row, j]) * scale)
                    good += abs(q) <= limit  # False for NaN and infinities
                    sums[j - start] += weight * q
                in_range[block, row] = good
            for j in range(start, stop):
                # + 0.0 turns rint's -0.0 into the +0 that the integer path gives
                out[j] = np.float32((np.rint(sums[j - start] / divisor) + 0.0) / scale)

    return kernel


def fixed_weighted_mean(
    updates: npt.NDArray[np.float32], weights: list[int], total: int
) -> npt.NDArray[np.float32] | None:
    """The fixed-point weighted mean of the rows of non-zero weight, or None when a row of
    non-zero weight holds a value outside the range for ``total`` (or NaN/inf)."""
    global _kernel
    if _kernel is None:
        _kernel = _compile()
    rows, columns = updates.shape
    data = np.ascontiguousarray(updates, dtype=np.float32)
    flimit = float(EXACT_SUM_BOUND // total)  # exact: below 2**52
    blocks = (columns + _BLOCK - 1) // _BLOCK
    in_range = np.zeros((blocks, rows), dtype=np.int64)
    out = np.empty(columns, dtype=np.float32)
    _kernel(data, np.asarray(weights, dtype=np.int64), np.int64(total), flimit, out, in_range)
    counted = in_range.sum(axis=0)
    if any(w != 0 and int(counted[i]) != columns for i, w in enumerate(weights)):
        return None
    return out
