"""Test accuracy of every aggregation rule under every attack, IID and Dirichlet(0.5).

In-memory federated training on scikit-learn digits (no chain, no store), as in
:mod:`flchain.fl.simulation`: 20 participants of which the first 4 are malicious, a
logistic regression (2 local epochs of SGD per round), 10 rounds, mean over 3 seeds;
two worker processes. Rules get ``f = 4`` where they take one; ``multi_krum[f=8]`` is
Multi-Krum with its defaults for 20 rows (``f = (n - 3) // 2``), as an aggregator that
passes no parameter gets it. Each round every participant
trains from the global model; the rule aggregates the deltas (model - global model),
and the aggregate is added to the global model. FLTrust's reference is the server's
own delta, trained on a root set of 100 training samples kept out of the shards.

Attacks (from :mod:`flchain.fl.attacks`): none, sign-flip (scale 10), boosted (factor
10), gaussian (sigma 1), label-flip (data poisoning), free-rider. Prints one table
per partition, then, as the last line, one JSON object with every figure.

``--model mlp`` uses the demo's model instead (examples/digits.toml: one hidden layer of
64, learning rate 0.3); ``--partitions``, ``--rules`` and ``--attacks`` run part of the grid.

Run: .venv/bin/python bench/robustness_grid.py [--seeds 3] [--rounds 10] [--model logreg|mlp]
"""

from __future__ import annotations

import argparse
import functools
import json
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from flchain.fl import (
    ArrayDataset,
    ModelSpec,
    build_model,
    evaluate,
    flatten_state,
    load_digits_dataset,
    partition,
    train_local,
    train_test_split,
    unflatten_state,
)
from flchain.fl.aggregation import (
    AggregationResult,
    bulyan,
    fedavg,
    fltrust,
    krum,
    median,
    multi_krum,
    norm_clipping,
    trimmed_mean,
)
from flchain.fl.attacks import boosted, free_rider, gaussian_noise, label_flip, sign_flip

WORKERS = 2
PARTICIPANTS = 20
MALICIOUS = 4
ROOT_SAMPLES = 100
LOCAL_EPOCHS = 2
BATCH_SIZE = 16
LR = {"logreg": 0.5, "mlp": 0.3}
HIDDEN = {"logreg": (), "mlp": (64,)}
SIGN_FLIP_SCALE = 10.0
BOOST_FACTOR = 10.0
NOISE_SIGMA = 1.0
PARTITIONS: dict[str, float | None] = {"iid": None, "dirichlet-0.5": 0.5}
ATTACKS = ["none", "sign-flip", "boosted", "gaussian", "label-flip", "free-rider"]

Rule = Callable[[np.ndarray, np.ndarray, np.ndarray], AggregationResult]
RULES: dict[str, Rule] = {
    "fedavg": lambda d, w, ref: fedavg(d, weights=w),
    "median": lambda d, w, ref: median(d),
    "trimmed_mean": lambda d, w, ref: trimmed_mean(d, beta=0.2),
    "krum": lambda d, w, ref: krum(d, num_malicious=MALICIOUS),
    "multi_krum": lambda d, w, ref: multi_krum(d, num_malicious=MALICIOUS, weights=w),
    "multi_krum[f=8]": lambda d, w, ref: multi_krum(d, weights=w),
    "bulyan": lambda d, w, ref: bulyan(d, num_malicious=MALICIOUS),
    "norm_clipping": lambda d, w, ref: norm_clipping(d, weights=w),
    "fltrust": lambda d, w, ref: fltrust(d, reference=ref),
}


@dataclass(frozen=True)
class Setting:
    """One cell of the grid: data, model and who does what."""

    shards: list[ArrayDataset]
    root: ArrayDataset
    test: ArrayDataset
    spec: ModelSpec
    seed: int
    lr: float


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--model", choices=sorted(LR), default="logreg")
    parser.add_argument(
        "--partitions", nargs="+", choices=list(PARTITIONS), default=list(PARTITIONS)
    )
    parser.add_argument("--rules", nargs="+", choices=list(RULES), default=list(RULES))
    parser.add_argument("--attacks", nargs="+", choices=ATTACKS, default=ATTACKS)
    args = parser.parse_args()
    started = time.perf_counter()
    cells = [
        (part, attack, rule, seed, args.rounds, args.model)
        for part in args.partitions
        for attack in args.attacks
        for rule in args.rules
        for seed in range(args.seeds)
    ]
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        accuracies = list(pool.map(_cell, cells, chunksize=4))
    runs: dict[tuple[str, str, str], list[float]] = {}
    for (part, attack, rule, *_), accuracy in zip(cells, accuracies, strict=True):
        runs.setdefault((part, attack, rule), []).append(accuracy)
    results = {
        part: {
            rule: {a: float(np.mean(runs[part, a, rule])) for a in args.attacks}
            for rule in args.rules
        }
        for part in args.partitions
    }
    for part, table in results.items():
        _print_table(part, table)
    seconds = time.perf_counter() - started
    print(f"\n{len(cells)} runs of {args.rounds} rounds in {seconds:.0f} s ({WORKERS} processes)")
    print(
        json.dumps(_summary(results, args.seeds, args.rounds, seconds, args.model), sort_keys=True)
    )


def _cell(cell: tuple[str, str, str, int, int, str]) -> float:
    part, attack, rule, seed, rounds, model = cell
    torch.set_num_threads(1)
    return _run(_setting(PARTITIONS[part], seed, model), rule, attack, rounds)


@functools.cache
def _digits() -> ArrayDataset:
    return load_digits_dataset()


@functools.cache
def _setting(alpha: float | None, seed: int, model: str) -> Setting:
    data = _digits()
    train, test = train_test_split(data, seed=seed)
    order = np.random.default_rng(seed).permutation(len(train))
    root, pool = train.subset(order[:ROOT_SAMPLES]), train.subset(order[ROOT_SAMPLES:])
    shards = [
        pool.subset(indices)
        for indices in partition(pool.labels, PARTICIPANTS, seed=seed, alpha=alpha)
    ]
    family = "mlp" if HIDDEN[model] else "logreg"
    spec = ModelSpec(
        family=family, input_shape=data.sample_shape, num_classes=10, hidden_sizes=HIDDEN[model]
    )
    return Setting(shards, root, test, spec, seed, LR[model])


def _run(setting: Setting, rule: str, attack: str, rounds: int) -> float:
    model = build_model(setting.spec, setting.seed)
    template = model.state_dict()
    global_model = flatten_state(template)
    for round_number in range(1, rounds + 1):
        deltas, weights = [], []
        for index, shard in enumerate(setting.shards):
            malicious = index < MALICIOUS and attack != "none"
            seed = int(
                np.random.SeedSequence([setting.seed, round_number, index]).generate_state(1)[0]
            )
            submitted = _participant(
                model, template, global_model, shard, attack, malicious, seed, setting.lr
            )
            deltas.append(submitted - global_model)
            weights.append(len(shard))
        reference = _train(
            model, template, global_model, setting.root, seed=round_number, lr=setting.lr
        )
        result = RULES[rule](
            np.stack(deltas).astype(np.float32),
            np.array(weights, dtype=np.int64),
            (reference - global_model).astype(np.float32),
        )
        global_model = (global_model + result.aggregate).astype(np.float32)
    model.load_state_dict(unflatten_state(global_model, template))
    accuracy, _ = evaluate(model, setting.test)
    return accuracy


def _participant(
    model: torch.nn.Module,
    template: dict[str, torch.Tensor],
    global_model: np.ndarray,
    shard: ArrayDataset,
    attack: str,
    malicious: bool,
    seed: int,
    lr: float,
) -> np.ndarray:
    """The model vector a participant submits: honest training, or the attack's output."""
    if malicious and attack == "free-rider":
        return free_rider(global_model)
    if malicious and attack == "label-flip":
        shard = ArrayDataset(shard.features, label_flip(shard.labels, num_classes=10, seed=seed))
    trained = _train(model, template, global_model, shard, seed=seed, lr=lr)
    if not malicious or attack == "label-flip":
        return trained
    if attack == "sign-flip":
        return sign_flip(trained, global_model, scale=SIGN_FLIP_SCALE)
    if attack == "boosted":
        return boosted(trained, global_model, factor=BOOST_FACTOR)
    return gaussian_noise(trained, sigma=NOISE_SIGMA, seed=seed)


def _train(
    model: torch.nn.Module,
    template: dict[str, torch.Tensor],
    global_model: np.ndarray,
    data: ArrayDataset,
    *,
    seed: int,
    lr: float,
) -> np.ndarray:
    model.load_state_dict(unflatten_state(global_model, template))
    train_local(model, data, epochs=LOCAL_EPOCHS, batch_size=BATCH_SIZE, lr=lr, seed=seed)
    return flatten_state(model.state_dict())


def _print_table(part_name: str, table: dict[str, dict[str, float]]) -> None:
    print(
        f"\nTest accuracy after the last round, {part_name}, {MALICIOUS}/{PARTICIPANTS} malicious"
    )
    attacks = list(next(iter(table.values())))
    print(f"  {'rule':<16}" + "".join(f"{attack:>12}" for attack in attacks))
    for rule, row in table.items():
        print(f"  {rule:<16}" + "".join(f"{row[attack]:>12.3f}" for attack in attacks))


def _summary(
    results: dict[str, dict[str, dict[str, float]]],
    seeds: int,
    rounds: int,
    seconds: float,
    model: str,
) -> dict[str, Any]:
    return {
        "accuracy": {
            p: {r: {a: round(v, 4) for a, v in row.items()} for r, row in t.items()}
            for p, t in results.items()
        },
        "config": {
            "participants": PARTICIPANTS,
            "malicious": MALICIOUS,
            "rounds": rounds,
            "seeds": seeds,
            "model": model,
            "lr": LR[model],
            "local_epochs": LOCAL_EPOCHS,
            "dataset": "sklearn digits",
            "sign_flip_scale": SIGN_FLIP_SCALE,
            "boost_factor": BOOST_FACTOR,
            "noise_sigma": NOISE_SIGMA,
            "root_samples": ROOT_SAMPLES,
        },
        "seconds": round(seconds, 1),
    }


if __name__ == "__main__":
    main()
