"""Centered clipping, filtered clipping and bucketing: bounded influence, filters, order."""

from __future__ import annotations

import numpy as np
import pytest

from flchain.errors import AggregationError, ConfigError
from flchain.fl.aggregation import centered_clipping, filtered_clipping
from flchain.fl.aggregation.buckets import bucket_groups, content_order


def _honest(rows: int = 10, columns: int = 40, seed: int = 3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    direction = rng.standard_normal(columns)
    return (direction + 0.3 * rng.standard_normal((rows, columns))).astype(np.float32)


def test_centered_clipping_returns_mean_when_no_row_is_clipped() -> None:
    updates = np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32)

    result = centered_clipping(updates, radius=10.0, bucket_size=1)

    assert result.aggregate.tolist() == [0.5, 0.5]
    assert result.accepted.all()


def test_centered_clipping_starts_from_previous_when_given() -> None:
    updates = np.array([[3.0, 0.0], [5.0, 0.0]], dtype=np.float32)
    previous = np.array([4.0, 0.0], dtype=np.float32)

    result = centered_clipping(updates, previous=previous, radius=0.5, bucket_size=1)

    assert result.aggregate.tolist() == [4.0, 0.0]  # offsets -1 and +1 clipped to -0.5, +0.5


def test_centered_clipping_bounds_attacker_shift_when_it_sends_a_huge_row() -> None:
    honest = _honest()
    attacked = np.vstack([honest, np.full((1, 40), 1e3, dtype=np.float32)])

    clean = centered_clipping(honest, radius=1.0, bucket_size=1).aggregate
    poisoned = centered_clipping(attacked, radius=1.0, bucket_size=1).aggregate

    shift = float(np.linalg.norm(poisoned.astype(np.float64) - clean))
    assert shift <= 2.0 / 11 + 1e-5  # one row of 11 moves the mean by <= 2 tau / m


def test_centered_clipping_refuses_previous_when_its_shape_is_wrong() -> None:
    with pytest.raises(AggregationError, match="previous aggregate"):
        centered_clipping(_honest(), previous=np.zeros(3, dtype=np.float32))


def test_centered_clipping_refuses_radius_when_it_is_negative() -> None:
    with pytest.raises(ConfigError, match="radius"):
        centered_clipping(_honest(), radius=-1.0)


def test_filtered_clipping_rejects_rows_when_they_point_against_the_majority() -> None:
    honest = _honest()
    flipped = -honest[:3]
    updates = np.vstack([flipped, honest])

    result = filtered_clipping(updates)

    assert result.accepted.tolist() == [False] * 3 + [True] * 10


def test_filtered_clipping_rejects_row_when_its_norm_is_outsized() -> None:
    honest = _honest()
    boosted = 5.0 * honest[:1]
    updates = np.vstack([honest, boosted])

    result = filtered_clipping(updates)

    assert result.accepted.tolist() == [True] * 10 + [False]


def test_filtered_clipping_accepts_honest_rows_when_their_norms_grow_with_shard_size() -> None:
    scales = np.array([0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 1.1, 1.2, 2.3, 2.6], dtype=np.float32)
    updates = _honest() * scales[:, None]  # larger shards, more local steps, longer updates

    result = filtered_clipping(updates)

    assert result.accepted.all()  # 2.6x the median norm is within the 3x filter


def test_filtered_clipping_keeps_every_row_when_fewer_than_half_pass() -> None:
    honest = _honest(rows=4)
    updates = np.vstack([honest[:2], -honest[2:], -honest[2:] * 1.01])

    result = filtered_clipping(updates, min_cosine=0.999)

    assert result.accepted.all()


def test_content_order_is_the_same_when_rows_are_permuted() -> None:
    rows = _honest()
    order = [4, 8, 0, 3, 7, 1, 6, 2, 5, 9]
    permuted = rows[order]

    first = [rows[i].tobytes() for i in content_order(rows, list(range(10)))]
    second = [permuted[i].tobytes() for i in content_order(permuted, list(range(10)))]

    assert first == second


def test_bucket_groups_cover_rows_in_buckets_of_size_when_rows_are_bucketed() -> None:
    rows = _honest(rows=5)

    groups = bucket_groups(rows, list(range(5)), 2)

    assert [len(g) for g in groups] == [2, 2, 1]
    assert sorted(i for g in groups for i in g) == list(range(5))


def test_centered_clipping_averages_bucket_means_when_nothing_is_clipped() -> None:
    updates = np.array([[1.0, 0.0], [3.0, 0.0], [0.0, 2.0], [0.0, 6.0]], dtype=np.float32)

    result = centered_clipping(updates, radius=100.0, bucket_size=2)

    assert result.aggregate.tolist() == [1.0, 2.0]  # the mean of any two bucket means
