"""Bucketing (Karimireddy, He & Jaggi, ICLR 2022): average random groups of ``s`` rows first.

On non-IID data honest updates differ a lot, and a robust rule cannot tell an honest outlier
from an attacker. Averaging random buckets of ``s`` rows shrinks the honest spread by about
``sqrt(s)`` while each attacker spoils at most one bucket; the robust rule then runs on the
``ceil(m / s)`` bucket means.

The "random" order must be the same for every aggregator and any row order, and no
participant may choose its bucket: rows are ordered by ``blake2b(seed || digest(row))``,
where ``digest`` is the blake2b of every 61st float32 value of the row and ``seed`` the
blake2b of all the rows' digests, sorted; rows with equal keys (identical samples) are
ordered by their full content (:mod:`~flchain.fl.aggregation.ordering`). Under
commit-reveal an attacker does not know the honest rows when it commits, so it cannot
predict the seed, hence its bucket. Identical rows get the same key; which of them goes
where does not change any bucket's multiset of rows.

A bucket's mean is summed in float64 in that content order, divided by its size and rounded
once to float32 (:func:`~flchain.fl.aggregation.centered_clipping.clip_around`).
"""

from __future__ import annotations

import functools
import hashlib

import numpy as np
import numpy.typing as npt

from flchain.fl.aggregation.ordering import compare_rows
from flchain.fl.aggregation.spec import require

__all__ = [
    "MAX_BUCKET_SIZE",
    "bucket_groups",
    "bucket_points",
    "content_order",
    "require_bucket_size",
]

#: The largest bucket a rule's ``bucket_size`` may ask for.
MAX_BUCKET_SIZE = 8
_STRIDE = 61  # prime: a sampled coordinate does not fall on the same place of every layer


def content_order(rows: npt.NDArray[np.float32], indices: list[int]) -> list[int]:
    """``indices`` in the content-seeded pseudo-random order of the module docstring."""
    digests = {i: _digest(rows[i]) for i in indices}
    seed = hashlib.blake2b(b"".join(sorted(digests.values()))).digest()
    keys = {i: hashlib.blake2b(seed + digests[i]).digest() for i in indices}

    def compare(a: int, b: int) -> int:
        if keys[a] != keys[b]:
            return -1 if keys[a] < keys[b] else 1
        return compare_rows(rows, a, b)  # equal digests of different rows: by content

    return sorted(indices, key=functools.cmp_to_key(compare))


def _digest(row: npt.NDArray[np.float32]) -> bytes:
    """A digest of every ``_STRIDE``-th value of the row (a full hash of 30 rows of 11.2M
    values would cost seconds); rows that agree there are ordered by their full content."""
    return hashlib.blake2b(np.ascontiguousarray(row[::_STRIDE]).data).digest()


def bucket_groups(rows: npt.NDArray[np.float32], indices: list[int], size: int) -> list[list[int]]:
    """The rows ``indices`` in buckets of ``size`` (the last may be smaller), each bucket in
    the content-seeded order, so that its mean is summed in an order of its content only."""
    order = content_order(rows, indices)
    return [order[start : start + size] for start in range(0, len(order), size)]


def bucket_points(rows: npt.NDArray[np.float32], indices: list[int], size: int) -> list[list[int]]:
    """The points a clipping rule moves its centre by: the buckets of ``size`` rows
    (:func:`bucket_groups`), or each row alone when ``size`` is 1."""
    if size > 1:
        return bucket_groups(rows, indices, size)
    return [[index] for index in indices]


def require_bucket_size(rule: str, size: int) -> None:
    """ConfigError naming ``rule_params.bucket_size`` unless ``size`` is within
    ``[1, MAX_BUCKET_SIZE]``."""
    require(
        rule, "bucket_size", 1 <= size <= MAX_BUCKET_SIZE, f"within [1, {MAX_BUCKET_SIZE}]", size
    )
