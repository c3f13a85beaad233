"""Our rules agree with Flower 1.42's ``flwr.server.strategy.aggregate`` on the same inputs.

Flower is installed by `make setup` as a test-only reference (never skipped). Flower's functions take
``[(layers, num_examples), ...]``; each of our rows is passed as one 1-D layer.
Compared: fedavg / ``aggregate``, median / ``aggregate_median``, trimmed_mean /
``aggregate_trimmed_avg``, krum and multi_krum / ``aggregate_krum``, bulyan /
``aggregate_bulyan``. Flower has no norm clipping rule and no FLTrust.

Tolerances: Flower sums in float32 in row order; we sum exactly in fixed point
(2**-25 absolute per step) and round once, so values agree within float32 rounding.

Deliberate differences (documented in the rules' docstrings too):

- ties: Flower breaks them by position (``argmin``, ``argpartition``), so its result
  depends on the row order; ours are broken by content and never do. With Bulyan and
  ``f <= 2``, Krum counts a single neighbour in the last iterations, so two mutually
  nearest rows tie in nearly every round: Flower's Bulyan then changes with the row
  order (see the last test), and parity is checked for ``f >= 3`` (two neighbours or
  more, no exact ties on random data);
- Bulyan selections are compared via the aggregate only (Flower returns no accepted set).
"""

from __future__ import annotations

import flwr.server.strategy.aggregate as flower
import numpy as np
import pytest

from flchain.fl.aggregation import bulyan, fedavg, krum, median, multi_krum, trimmed_mean

RTOL = 1e-5
ATOL = 1e-6
SHAPES = [(5, 1), (9, 37), (15, 1000), (20, 257)]


def _results(updates: np.ndarray, weights: np.ndarray | None = None) -> list:
    counts = np.ones(len(updates), dtype=np.int64) if weights is None else weights
    return [([updates[i].copy()], int(counts[i])) for i in range(len(updates))]


def _updates(shape: tuple[int, int], seed: int) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)


@pytest.mark.parametrize("shape", SHAPES)
def test_fedavg_agrees_with_flower_aggregate_when_weighted(shape: tuple[int, int]) -> None:
    updates = _updates(shape, 0)
    weights = np.random.default_rng(1).integers(1, 5_000, size=shape[0])

    ours = fedavg(updates, weights=weights).aggregate
    theirs = flower.aggregate(_results(updates, weights))[0]

    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape", [*SHAPES, (8, 100)])
def test_median_agrees_with_flower_aggregate_median(shape: tuple[int, int]) -> None:
    updates = _updates(shape, 2)

    ours = median(updates).aggregate
    theirs = flower.aggregate_median(_results(updates))[0]

    np.testing.assert_allclose(ours, theirs, rtol=2**-23, atol=0)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("beta", [0.0, 0.1, 0.2, 0.3, 0.45])
def test_trimmed_mean_agrees_with_flower_aggregate_trimmed_avg(
    shape: tuple[int, int], beta: float
) -> None:
    updates = _updates(shape, 3)

    ours = trimmed_mean(updates, beta=beta).aggregate
    theirs = flower.aggregate_trimmed_avg(_results(updates), beta)[0]

    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize("shape", SHAPES)
def test_krum_selects_the_same_row_as_flower_aggregate_krum(shape: tuple[int, int]) -> None:
    updates = _updates(shape, 4)
    for malicious in range((shape[0] - 3) // 2 + 1):
        ours = krum(updates, num_malicious=malicious).aggregate
        theirs = flower.aggregate_krum(_results(updates), malicious, 0)[0]

        assert ours.tobytes() == theirs.tobytes(), f"f={malicious}"


@pytest.mark.parametrize("shape", SHAPES)
def test_multi_krum_agrees_with_flower_aggregate_krum_when_to_keep_is_set(
    shape: tuple[int, int],
) -> None:
    updates = _updates(shape, 5)
    weights = np.random.default_rng(6).integers(1, 100, size=shape[0])
    malicious = (shape[0] - 3) // 2
    for keep in range(1, shape[0] + 1):
        ours = multi_krum(updates, num_malicious=malicious, num_to_keep=keep, weights=weights)
        theirs = flower.aggregate_krum(_results(updates, weights), malicious, keep)[0]

        np.testing.assert_allclose(ours.aggregate, theirs, rtol=RTOL, atol=ATOL)


@pytest.mark.parametrize(("clients", "malicious"), [(15, 3), (16, 3), (19, 4), (23, 5)])
@pytest.mark.parametrize("seed", [7, 8, 9])
def test_bulyan_agrees_with_flower_aggregate_bulyan_when_f_is_at_least_3(
    clients: int, malicious: int, seed: int
) -> None:
    updates = _updates((clients, 64), seed)

    ours = bulyan(updates, num_malicious=malicious).aggregate
    theirs = flower.aggregate_bulyan(
        _results(updates), malicious, flower.aggregate_krum, to_keep=0
    )[0]

    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=ATOL)


def test_flower_bulyan_depends_on_row_order_where_ours_does_not_when_krum_scores_tie() -> None:
    updates = _updates((7, 8), 0)  # f = 1: one Krum neighbour in the last two iterations
    reversed_rows = updates[::-1].copy()

    theirs = flower.aggregate_bulyan(_results(updates), 1, flower.aggregate_krum, to_keep=0)[0]
    theirs_reversed = flower.aggregate_bulyan(
        _results(reversed_rows), 1, flower.aggregate_krum, to_keep=0
    )[0]

    assert not np.allclose(theirs, theirs_reversed, atol=1e-3)
    ours = bulyan(updates, num_malicious=1).aggregate
    assert ours.tobytes() == bulyan(reversed_rows, num_malicious=1).aggregate.tobytes()
