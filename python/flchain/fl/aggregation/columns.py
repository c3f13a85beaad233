"""Coordinate-wise views of the rows: each column sorted, one block of columns at a time.

Sorting values is canonical by nature: a column's sorted values depend only on the
multiset of its values, not on the row order, except for one detail that this module
removes: -0.0 and +0.0 compare equal, so their order after a sort would follow the
input. Every -0.0 becomes +0.0 first (``x + 0.0``), so the sorted block is a pure
function of the column's values.

A block of 16,384 columns is gathered transposed (columns x rows, contiguous) and each
line sorted by numpy (about 1.3 s for 30 x 11.2M on one core); memory stays at a few MB
beyond the input.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["sorted_column_blocks"]

_BLOCK = 1 << 14


def sorted_column_blocks(
    rows: npt.NDArray[np.float32], selection: Sequence[int] | None = None
) -> Iterator[tuple[slice, npt.NDArray[np.float32]]]:
    """Yield ``(columns, block)``: ``block[j]`` is column ``columns.start + j`` sorted ascending.

    ``selection`` (row indices) restricts the columns to those rows; the rows must be
    finite. The block is reused between steps: consume it before the next one.
    """
    count = rows.shape[0] if selection is None else len(selection)
    columns = rows.shape[1]
    buffer = np.empty((min(columns, _BLOCK), count), dtype=np.float32)
    index = None if selection is None else np.asarray(selection, dtype=np.intp)
    for start in range(0, columns, _BLOCK):
        stop = min(start + _BLOCK, columns)
        part = rows[:, start:stop] if index is None else rows[index, start:stop]
        block = buffer[: stop - start]
        block[...] = part.T
        np.add(block, np.float32(0.0), out=block)  # -0.0 -> +0.0; nothing else changes
        block.sort(axis=1)
        yield slice(start, stop), block
