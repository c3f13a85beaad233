"""Test accuracy versus the privacy budget epsilon on digits, federated, delta = 1e-5.

In-memory FedAvg (:func:`flchain.fl.simulation.simulate_fedavg`, no chain, no store) with the
demo's settings: 5 participants on IID shards of scikit-learn digits, an MLP with 64 hidden
units, 10 rounds of 2 local SGD epochs at lr 0.3. For each budget epsilon in {1, 3, 8}, the
noise multiplier is calibrated (Opacus RDP accountant) so that the 10 rounds spend exactly
epsilon, as ``flchain demo --dp-epsilon EPS`` does; epsilon = inf is plain FedAvg (batch 16),
the baseline measured in the same run. Two modes:

- ``sample``: DP-SGD in local training (Opacus per-sample gradients, clip norm 1, Poisson
  sampling with an expected batch of 16, i.e. q = 16 / shard size); epsilon protects any one
  training sample of a participant.
- ``client``: each update clipped to norm 1 plus distributed Gaussian noise (every one of
  the 5 participants adds its share, so that the sum carries noise multiplier z); epsilon
  protects a participant's whole shard. With 5 participants this is known to be hopeless:
  client-level DP needs many participants for the average to drown the noise.

Mean (and spread) over 3 seeds (data shards, initial model, sampling, noise). Prints a
table, then, as the last line, one JSON object with every figure.

Run: .venv/bin/python bench/dp_accuracy.py [seeds]
"""

from __future__ import annotations

import json
import math
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import numpy as np
import torch

from flchain.fl import (
    ModelSpec,
    SimulationConfig,
    load_digits_dataset,
    simulate_fedavg,
    train_test_split,
)
from flchain.fl.privacy import (
    Mechanism,
    PrivacyParams,
    calibrate_noise,
    epsilon_after,
    round_mechanism,
)

WORKERS = 2
PARTICIPANTS = 5
ROUNDS = 10
EPOCHS = 2
LR = 0.3
BATCH = 16
DELTA = 1e-5
CLIP = 1.0
EPSILONS = [1.0, 3.0, 8.0, math.inf]
MODES = ["sample", "client"]
SPEC = ModelSpec("mlp", (1, 8, 8), 10, hidden_sizes=(64,))


def main() -> None:
    seeds = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    started = time.perf_counter()
    shard = _shard_size()
    budgets = [eps for eps in EPSILONS if math.isfinite(eps)]
    params = {(mode, eps): _params(mode, eps, shard) for mode in MODES for eps in budgets}
    settings = [("none", math.inf), *params]  # epsilon = inf: plain FedAvg, run once
    cells = [(mode, eps, seed) for mode, eps in settings for seed in range(seeds)]
    jobs = [(params.get((mode, eps)), seed) for mode, eps, seed in cells]
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        accuracies = list(pool.map(_run, jobs))
    runs: dict[tuple[str, float], list[float]] = {}
    for (mode, eps, _), accuracy in zip(cells, accuracies, strict=True):
        runs.setdefault((mode, eps), []).append(accuracy)
    rows = [_row(mode, eps, runs[mode, eps], params.get((mode, eps))) for mode, eps in runs]
    baseline = float(np.mean(runs["none", math.inf]))
    _print(rows, baseline)
    seconds = time.perf_counter() - started
    print(f"\n{len(cells)} runs of {ROUNDS} rounds in {seconds:.0f} s ({WORKERS} processes)")
    print(json.dumps(_summary(rows, baseline, seeds, shard, seconds), sort_keys=True))


def _shard_size() -> int:
    train, _ = train_test_split(load_digits_dataset(), test_fraction=0.2, seed=0)
    return len(train) // PARTICIPANTS


def _params(mode: str, epsilon: float, shard: int) -> PrivacyParams:
    rate = BATCH / shard if mode == "sample" else None
    base = PrivacyParams(mode, 1.0, CLIP, DELTA, sample_rate=rate)  # type: ignore[arg-type]
    mechanism: Mechanism = round_mechanism(base, EPOCHS)
    noise = calibrate_noise(epsilon, DELTA, mechanism, ROUNDS)
    return PrivacyParams(mode, noise, CLIP, DELTA, epsilon, rate)  # type: ignore[arg-type]


def _run(job: tuple[PrivacyParams | None, int]) -> float:
    privacy, seed = job
    torch.set_num_threads(1)
    data = load_digits_dataset()
    train, test = train_test_split(data, test_fraction=0.2, seed=0)
    config = SimulationConfig(
        participants=PARTICIPANTS,
        rounds=ROUNDS,
        local_epochs=EPOCHS,
        batch_size=BATCH,
        lr=LR,
        seed=seed,
        privacy=privacy,
    )
    return simulate_fedavg(SPEC, train, test, config).rounds[-1].accuracy


def _row(
    mode: str, epsilon: float, accuracies: list[float], privacy: PrivacyParams | None
) -> dict[str, Any]:
    spent = epsilon_after(privacy, EPOCHS, ROUNDS) if privacy is not None else None
    return {
        "mode": mode,
        "epsilon": None if math.isinf(epsilon) else epsilon,
        "noise_multiplier": None if privacy is None else privacy.noise_multiplier,
        "epsilon_spent": spent,
        "accuracy": float(np.mean(accuracies)),
        "accuracy_min": float(np.min(accuracies)),
        "accuracy_max": float(np.max(accuracies)),
    }


def _print(rows: list[dict[str, Any]], baseline: float) -> None:
    print(
        f"digits, {PARTICIPANTS} participants, {ROUNDS} rounds, delta = {DELTA:g}: "
        "test accuracy (mean of seeds, [min, max]) and ratio to no DP"
    )
    print(f"{'mode':<8} {'epsilon':>8} {'noise z':>8} {'spent':>7} {'accuracy':>22} {'ratio':>6}")
    for row in rows:
        eps = "inf" if row["epsilon"] is None else f"{row['epsilon']:g}"
        noise = "-" if row["noise_multiplier"] is None else f"{row['noise_multiplier']:.3f}"
        spent = "-" if row["epsilon_spent"] is None else f"{row['epsilon_spent']:.3f}"
        accuracy = f"{row['accuracy']:.3f} [{row['accuracy_min']:.3f}, {row['accuracy_max']:.3f}]"
        print(
            f"{row['mode']:<8} {eps:>8} {noise:>8} {spent:>7} {accuracy:>22} "
            f"{row['accuracy'] / baseline:>6.2f}"
        )


def _summary(
    rows: list[dict[str, Any]], baseline: float, seeds: int, shard: int, seconds: float
) -> dict[str, Any]:
    return {
        "bench": "dp_accuracy",
        "dataset": "digits",
        "participants": PARTICIPANTS,
        "rounds": ROUNDS,
        "local_epochs": EPOCHS,
        "lr": LR,
        "delta": DELTA,
        "clip_norm": CLIP,
        "sample_rate": BATCH / shard,
        "seeds": seeds,
        "baseline_accuracy": baseline,
        "results": [{**row, "ratio": row["accuracy"] / baseline} for row in rows],
        "seconds": round(seconds, 1),
    }


if __name__ == "__main__":
    main()
