"""Bucketing (Karimireddy, He & Jaggi, ICLR 2022): average random groups of ``s`` rows first.

On non-IID data honest updates differ a lot, and a robust rule cannot tell an honest outlier
from an attacker. Averaging random buckets of ``s`` rows shrinks the honest spread by about
``sqrt(s)`` while each attacker spoils at most one bucket; the robust rule then runs on the
``ceil(m / s)`` bucket means.

The "random" order must be the same for every aggregator and any row order, and no
participant may choose its bucket: rows are ordered by ``blake2b(seed || digest(row))``,
where ``digest`` is the blake2b of the row's float32 bytes and ``seed`` the blake2b of all
the rows' digests, sorted. Under commit-reveal an attacker does not know the honest rows
when it commits, so it cannot predict the seed, hence its bucket. Identical rows get the
same key; which of them goes where does not change any bucket's multiset of rows.

Bucket means are FedAvg's exact fixed-point means with equal weights.
"""

from __future__ import annotations

import hashlib

import numpy as np
import numpy.typing as npt

from flchain.fl.aggregation.fedavg import fedavg

__all__ = ["bucket_means", "content_order"]


def content_order(rows: npt.NDArray[np.float32], indices: list[int]) -> list[int]:
    """``indices`` in the content-seeded pseudo-random order of the module docstring."""
    digests = {i: hashlib.blake2b(np.ascontiguousarray(rows[i]).data).digest() for i in indices}
    seed = hashlib.blake2b(b"".join(sorted(digests.values()))).digest()
    keys = {i: hashlib.blake2b(seed + digests[i]).digest() for i in indices}
    return sorted(indices, key=lambda i: keys[i])


def bucket_means(
    rows: npt.NDArray[np.float32], indices: list[int], size: int
) -> tuple[npt.NDArray[np.float32], list[list[int]]]:
    """The means of buckets of ``size`` of the rows ``indices`` (the last may be smaller),
    and the row indices in each bucket."""
    order = content_order(rows, indices)
    groups = [order[start : start + size] for start in range(0, len(order), size)]
    means = np.empty((len(groups), rows.shape[1]), dtype=np.float32)
    for position, group in enumerate(groups):
        means[position] = fedavg(rows[group]).aggregate
    return means, groups
