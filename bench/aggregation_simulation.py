"""Sanity figure: in-memory FedAvg, 5 IID participants on scikit-learn digits, 10 rounds.

Prints the test accuracy of the global model after every round, for the default
config (logistic regression) and an MLP, and the wall time of each run.
Run: .venv/bin/python bench/aggregation_simulation.py
"""

from __future__ import annotations

import time

import torch

from flchain.fl.data import DIGITS_INPUT_SHAPE, load_digits_dataset, train_test_split
from flchain.fl.models import ModelSpec
from flchain.fl.simulation import SimulationConfig, simulate_fedavg

RUNS = [
    ("logreg, defaults", ModelSpec("logreg", DIGITS_INPUT_SHAPE, 10), SimulationConfig()),
    (
        "mlp(64), lr 0.3",
        ModelSpec("mlp", DIGITS_INPUT_SHAPE, 10, hidden_sizes=(64,)),
        SimulationConfig(lr=0.3),
    ),
    (
        "logreg, Dirichlet 0.5",
        ModelSpec("logreg", DIGITS_INPUT_SHAPE, 10),
        SimulationConfig(alpha=0.5),
    ),
]


def main() -> None:
    train, test = train_test_split(load_digits_dataset(), test_fraction=0.2, seed=0)
    threads = torch.get_num_threads()
    print(f"digits: {len(train)} train / {len(test)} test samples, {threads} torch threads")
    for label, spec, config in RUNS:
        start = time.perf_counter()
        result = simulate_fedavg(spec, train, test, config)
        elapsed = time.perf_counter() - start
        accuracies = " ".join(f"{m.accuracy:.3f}" for m in result.rounds)
        print(f"{label:24} {elapsed:5.2f} s  accuracy by round 0..{config.rounds}: {accuracies}")


if __name__ == "__main__":
    main()
