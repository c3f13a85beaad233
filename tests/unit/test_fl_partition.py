"""Partitioning among participants: every sample in exactly one shard, seeded."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flchain.errors import ConfigError
from flchain.fl.data import from_arrays
from flchain.fl.partition import partition, partition_dirichlet, partition_iid, shard


def _labels(num_samples: int, num_classes: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, num_classes, num_samples).astype(np.int64)


def _assert_exact_cover(shards: list[np.ndarray], num_samples: int) -> None:
    joined = np.concatenate(shards)
    assert np.array_equal(np.sort(joined), np.arange(num_samples))


@settings(max_examples=50, deadline=None)
@given(
    num_samples=st.integers(1, 300),
    num_shards=st.integers(1, 12),
    num_classes=st.integers(1, 10),
    alpha=st.one_of(st.none(), st.floats(0.01, 100.0)),
    seed=st.integers(0, 2**32 - 1),
)
def test_partition_covers_every_sample_exactly_once_without_empty_shards_when_avoidable(
    num_samples: int, num_shards: int, num_classes: int, alpha: float | None, seed: int
) -> None:
    labels = _labels(num_samples, num_classes, seed)

    shards = partition(labels, num_shards, seed=seed, alpha=alpha)

    assert len(shards) == num_shards
    _assert_exact_cover(shards, num_samples)
    empty = sum(len(s) == 0 for s in shards)
    assert empty == max(0, num_shards - num_samples)


def test_partition_iid_gives_sizes_differing_by_at_most_one_when_not_divisible() -> None:
    sizes = [len(s) for s in partition_iid(103, 5, seed=0)]

    assert sorted(sizes) == [20, 20, 21, 21, 21]


@pytest.mark.parametrize("alpha", [None, 0.5])
def test_partition_is_identical_when_seed_is_the_same(alpha: float | None) -> None:
    labels = _labels(500, 10, 0)

    first = partition(labels, 7, seed=11, alpha=alpha)
    second = partition(labels, 7, seed=11, alpha=alpha)

    assert all(np.array_equal(a, b) for a, b in zip(first, second, strict=True))


def test_partition_dirichlet_skews_labels_when_alpha_is_small() -> None:
    labels = _labels(2000, 10, 0)

    skewed = partition_dirichlet(labels, 5, alpha=0.05, seed=0)
    balanced = partition_dirichlet(labels, 5, alpha=1000.0, seed=0)

    def classes_per_shard(shards: list[np.ndarray]) -> float:
        return float(np.mean([len(np.unique(labels[s])) for s in shards]))

    assert classes_per_shard(skewed) < 6 < classes_per_shard(balanced) == 10


@pytest.mark.parametrize("alpha", [0.0, -1.0, float("nan"), float("inf")])
def test_partition_dirichlet_raises_config_error_when_alpha_is_not_positive(alpha: float) -> None:
    with pytest.raises(ConfigError, match="alpha"):
        partition_dirichlet(_labels(10, 2, 0), 2, alpha=alpha, seed=0)


def test_shard_returns_the_participants_samples_when_index_is_valid() -> None:
    data = from_arrays(np.arange(10, dtype=np.float32).reshape(10, 1), np.arange(10) % 2)

    shards = [shard(data, i, 3, seed=4) for i in range(3)]

    assert sorted(np.concatenate([s.features[:, 0] for s in shards]).tolist()) == list(range(10))


@pytest.mark.parametrize(("index", "count"), [(3, 3), (-1, 3)])
def test_shard_raises_config_error_when_index_is_out_of_range(index: int, count: int) -> None:
    data = from_arrays(np.zeros((4, 1)), np.zeros(4, dtype=np.int64))

    with pytest.raises(ConfigError, match="shard index"):
        shard(data, index, count)
