"""A canonical order of update rows: ties are broken by content, never by position.

Rules that select rows (Krum, Multi-Krum, Bulyan) sort them by a score. Equal scores
are broken by the row's content: the float32 bit patterns, read as unsigned integers,
compared coordinate by coordinate (the first differing coordinate decides). The order
thus depends only on the rows, not on where they sit in the matrix.

Rows with the same bits are indistinguishable: whichever copy a rule picks, the
aggregate is the same. So that ``accepted`` is well defined too, copies are accepted
or rejected together (:func:`accept_copies`).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

__all__ = ["accept_copies", "canonical_order", "compare_rows"]


def compare_rows(rows: npt.NDArray[np.float32], a: int, b: int) -> int:
    """-1, 0 or 1 as row ``a``'s bits come before, equal or after row ``b``'s."""
    bits_a = rows[a].view(np.uint32)
    bits_b = rows[b].view(np.uint32)
    differ = np.flatnonzero(bits_a != bits_b)
    if differ.size == 0:
        return 0
    first = differ[0]
    return -1 if bits_a[first] < bits_b[first] else 1


def canonical_order(
    rows: npt.NDArray[np.float32], keys: Sequence[Sequence[float]], indices: Sequence[int]
) -> list[int]:
    """``indices`` sorted by ``keys`` (compared in turn, each indexed by row), then by bits."""

    def compare(a: int, b: int) -> int:
        for key in keys:
            if key[a] != key[b]:
                return -1 if key[a] < key[b] else 1
        return compare_rows(rows, a, b)

    return sorted(indices, key=functools.cmp_to_key(compare))


def accept_copies(
    rows: npt.NDArray[np.float32],
    chosen: npt.NDArray[np.bool_],
    distances: npt.NDArray[np.float64],
    tags: Sequence[int] | None = None,
) -> npt.NDArray[np.bool_]:
    """``chosen`` plus every row with the same bits (and the same tag) as a chosen one.

    ``distances`` are the rows' pairwise squared distances: only pairs at distance 0
    are compared bit by bit. ``tags`` (e.g. sample counts) must also match, if given.
    """
    accepted = chosen.copy()
    for index in np.flatnonzero(~chosen):
        twins = np.flatnonzero(chosen & (distances[index] == 0.0))
        if tags is not None:
            twins = np.array([t for t in twins if tags[int(t)] == tags[int(index)]], dtype=np.intp)
        if any(compare_rows(rows, int(index), int(twin)) == 0 for twin in twins):
            accepted[index] = True
    return accepted
