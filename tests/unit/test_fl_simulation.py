"""In-memory FedAvg over digits shards: the baseline for the on-chain rounds."""

from __future__ import annotations

import pytest

from flchain.fl.data import DIGITS_INPUT_SHAPE, ArrayDataset, load_digits_dataset, train_test_split
from flchain.fl.models import ModelSpec
from flchain.fl.simulation import SimulationConfig, simulate_fedavg

LOGREG = ModelSpec("logreg", DIGITS_INPUT_SHAPE, 10)


@pytest.fixture(scope="module")
def digits() -> tuple[ArrayDataset, ArrayDataset]:
    return train_test_split(load_digits_dataset(), test_fraction=0.2, seed=0)


def test_simulate_fedavg_reaches_ninety_percent_when_run_with_defaults(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    result = simulate_fedavg(LOGREG, *digits)

    assert [m.round for m in result.rounds] == list(range(11))
    assert result.rounds[-1].accuracy >= 0.90
    assert all(m.accepted == 5 for m in result.rounds[1:])


def test_simulate_fedavg_gives_identical_global_model_when_seed_is_the_same(
    digits: tuple[ArrayDataset, ArrayDataset],
) -> None:
    config = SimulationConfig(rounds=2, alpha=0.5, seed=9)

    first = simulate_fedavg(LOGREG, *digits, config)
    second = simulate_fedavg(LOGREG, *digits, config)

    assert first.global_model == second.global_model
    assert first.rounds == second.rounds
