"""Splitting a dataset among participants: IID or Dirichlet(alpha) non-IID, seeded.

Guarantees of :func:`partition` (both schemes):

- every sample index lands in exactly one shard;
- the result depends only on the labels, the shard count, the scheme and the seed;
- no shard is empty when there are at least as many samples as shards. When there
  are fewer, the trailing shards are empty (unavoidable).

IID shuffles and cuts into shards whose sizes differ by one at most. Dirichlet draws,
for each class, the shares of the shards from ``Dirichlet(alpha, ..., alpha)``; a small
alpha (0.1) gives each shard few classes, a large one (100) is close to IID. A shard
left empty by the draw then receives one sample from the largest shard (lowest shard
index on ties), repeated until none is empty.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError
from flchain.fl.data import ArrayDataset

__all__ = ["partition", "partition_dirichlet", "partition_iid", "shard"]

IndexArray = npt.NDArray[np.int64]


def partition_iid(num_samples: int, num_shards: int, *, seed: int) -> list[IndexArray]:
    """Shuffle ``range(num_samples)`` with ``seed`` and cut it into ``num_shards`` shards."""
    _check_count(num_shards)
    order = np.random.default_rng(seed).permutation(num_samples).astype(np.int64)
    return [np.sort(part) for part in np.array_split(order, num_shards)]


def partition_dirichlet(
    labels: npt.NDArray[np.int64], num_shards: int, *, alpha: float, seed: int
) -> list[IndexArray]:
    """Label-skewed shards: each class spread by Dirichlet(alpha) shares (see module doc)."""
    _check_count(num_shards)
    if not alpha > 0.0 or not np.isfinite(alpha):
        raise ConfigError(f"alpha must be a positive finite number, got {alpha}.")
    rng = np.random.default_rng(seed)
    parts: list[list[IndexArray]] = [[] for _ in range(num_shards)]
    for label in np.unique(labels):
        members = np.flatnonzero(labels == label).astype(np.int64)
        rng.shuffle(members)
        shares = rng.dirichlet(np.full(num_shards, alpha))
        cuts = np.floor(np.cumsum(shares)[:-1] * len(members)).astype(np.int64)
        for i, piece in enumerate(np.split(members, cuts)):
            parts[i].append(piece)
    shards = [np.sort(np.concatenate(p)) if p else np.empty(0, np.int64) for p in parts]
    return _fill_empty(shards)


def partition(
    labels: npt.NDArray[np.int64], num_shards: int, *, seed: int, alpha: float | None = None
) -> list[IndexArray]:
    """IID shards when ``alpha`` is None, else Dirichlet(alpha) shards."""
    if alpha is None:
        return partition_iid(len(labels), num_shards, seed=seed)
    return partition_dirichlet(labels, num_shards, alpha=alpha, seed=seed)


def shard(
    data: ArrayDataset, index: int, count: int, *, seed: int = 0, alpha: float | None = None
) -> ArrayDataset:
    """Participant ``index``'s shard (0-based) of ``count`` (see :func:`partition`)."""
    if not 0 <= index < count:
        raise ConfigError(f"shard index must be in [0, {count}), got {index}.")
    return data.subset(partition(data.labels, count, seed=seed, alpha=alpha)[index])


def _fill_empty(shards: list[IndexArray]) -> list[IndexArray]:
    while True:
        sizes = [len(s) for s in shards]
        donor = int(np.argmax(sizes))
        if 0 not in sizes or sizes[donor] < 2:
            return shards
        empty = sizes.index(0)
        shards[empty] = shards[donor][-1:]
        shards[donor] = shards[donor][:-1]


def _check_count(num_shards: int) -> None:
    if num_shards < 1:
        raise ConfigError(f"the number of shards must be >= 1, got {num_shards}.")
