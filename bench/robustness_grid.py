"""Test accuracy of every aggregation rule under every attack, IID and Dirichlet(0.5).

In-memory federated training on scikit-learn digits (no chain, no store): 20 participants,
the first ``f`` malicious (``--malicious 4 6``: 20% and 30%), the MLP 64-32-10 (2 local
epochs of SGD, lr 0.3, batch 16), 30 rounds, mean over 3 seeds; two worker processes. Each
round every participant trains from the global model; each rule runs through its spec
(:class:`~flchain.fl.aggregation.RuleSpec`, exactly as an aggregator applies it on chain) on
the submitted models, with its side inputs: FLTrust's reference (the server's own update on
a root set of 100 training samples kept out of the shards) and the previous round's
aggregate (the global model minus its parent). Rules taking ``num_malicious`` get ``f``.

Attacks (:mod:`flchain.fl.attacks`): none, sign-flip (scale 4), ALIE (z from n and f), IPM
(eps 0.5), min-max and min-sum (perturbation -std), boosted (factor 10), gaussian (sigma 1),
label-flip, free-rider. Adaptive attackers see every honest update of the round (the worst
case); all attackers send the same vector. A rule that cannot run a configuration (Bulyan
needs n >= 4f + 3) shows ``n/a``; one that fails later (FedAvg's fixed-point range
overflows once sign-flippers make the model diverge) keeps its last global model, as a
failed round does on chain.

Prints one table per partition and attacker count (the ``worst`` column is over none,
sign-flip, ALIE, IPM and min-max), a ratio of each rule's worst case against FedAvg's, and,
as the last line, one JSON object with every figure; ``--plot PATH`` writes a PNG.

Run: nice .venv/bin/python bench/robustness_grid.py [--seeds 3] [--rounds 30]
     [--partitions dirichlet-0.5] [--malicious 4 6] [--rules ...] [--attacks ...]
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from flchain.errors import AggregationError
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
from flchain.fl.aggregation import SPECS, SideInputs
from flchain.fl.attacks import (
    ADAPTIVE_ATTACKS,
    DEFAULT_IPM_EPS,
    adaptive,
    boosted,
    free_rider,
    gaussian_noise,
    label_flip,
    sign_flip,
)

WORKERS = 2
PARTICIPANTS = 20
ROOT_SAMPLES = 100
LOCAL_EPOCHS = 2
BATCH_SIZE = 16
LR = 0.3
HIDDEN = (64, 32)
SIGN_FLIP_SCALE = 4.0
BOOST_FACTOR = 10.0
NOISE_SIGMA = 1.0
IPM_EPS = DEFAULT_IPM_EPS
PARTITIONS: dict[str, float | None] = {"iid": None, "dirichlet-0.5": 0.5}
ATTACKS = [
    "none", "sign-flip", "alie", "ipm", "min-max", "min-sum",
    "boosted", "gaussian", "label-flip", "free-rider",
]  # fmt: skip
WORST_OVER = ("none", "sign-flip", "alie", "ipm", "min-max")
ADAPTIVE = ADAPTIVE_ATTACKS


@dataclass(frozen=True)
class Setting:
    """One seed's data: the participants' shards, FLTrust's root set, the test set."""

    shards: list[ArrayDataset]
    root: ArrayDataset
    test: ArrayDataset
    spec: ModelSpec
    seed: int


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=30)
    parser.add_argument(
        "--partitions", nargs="+", choices=list(PARTITIONS), default=list(PARTITIONS)
    )
    parser.add_argument("--malicious", nargs="+", type=int, default=[4, 6])
    parser.add_argument("--rules", nargs="+", choices=list(SPECS), default=list(SPECS))
    parser.add_argument("--attacks", nargs="+", choices=ATTACKS, default=ATTACKS)
    parser.add_argument("--plot", default=None, help="write a PNG of the worst cases here")
    args = parser.parse_args()
    started = time.perf_counter()
    cells = sorted(
        {
            (part, 0 if attack == "none" else f, attack, rule, seed, args.rounds)
            for part in args.partitions
            for f in args.malicious
            for attack in args.attacks
            for rule in args.rules
            for seed in range(args.seeds)
        }
    )
    with ProcessPoolExecutor(max_workers=WORKERS) as pool:
        accuracies = list(pool.map(_cell, cells, chunksize=1))
    runs: dict[tuple[str, int, str, str], list[float]] = {}
    for (part, f, attack, rule, *_), accuracy in zip(cells, accuracies, strict=True):
        runs.setdefault((part, f, attack, rule), []).append(accuracy)
    results = {
        f"{part}/{f}": {
            rule: {
                a: float(np.mean(runs[part, 0 if a == "none" else f, a, rule]))
                for a in args.attacks
            }
            for rule in args.rules
        }
        for part in args.partitions
        for f in args.malicious
    }
    for name, table in results.items():
        _print_table(name, table)
    seconds = time.perf_counter() - started
    print(f"\n{len(cells)} runs of {args.rounds} rounds in {seconds:.0f} s ({WORKERS} processes)")
    if args.plot:
        _plot(results, args.plot)
    summary = {
        "accuracy": {
            k: {r: {a: _json(v) for a, v in row.items()} for r, row in t.items()}
            for k, t in results.items()
        },
        "worst": {k: {r: _json(_worst(row)) for r, row in t.items()} for k, t in results.items()},
        "config": {
            "participants": PARTICIPANTS, "rounds": args.rounds, "seeds": args.seeds,
            "model": f"mlp {HIDDEN}", "lr": LR, "local_epochs": LOCAL_EPOCHS,
            "dataset": "sklearn digits", "sign_flip_scale": SIGN_FLIP_SCALE,
            "boost_factor": BOOST_FACTOR, "noise_sigma": NOISE_SIGMA, "ipm_eps": IPM_EPS,
            "root_samples": ROOT_SAMPLES, "worst_over": list(WORST_OVER),
        },
        "seconds": round(seconds, 1),
    }  # fmt: skip
    print(json.dumps(summary, sort_keys=True))


def _json(value: float) -> float | None:
    return None if math.isnan(value) else round(value, 4)


def _worst(row: dict[str, float]) -> float:
    values = [row[a] for a in WORST_OVER if a in row]
    return min(values) if values else math.nan


def _cell(cell: tuple[str, int, str, str, int, int]) -> float:
    part, malicious, attack, rule, seed, rounds = cell
    torch.set_num_threads(1)
    try:
        return _run(_setting(PARTITIONS[part], seed), rule, attack, malicious, rounds)
    except AggregationError:
        return math.nan


@functools.cache
def _setting(alpha: float | None, seed: int) -> Setting:
    data = load_digits_dataset()
    train, test = train_test_split(data, seed=seed)
    order = np.random.default_rng(seed).permutation(len(train))
    root, pool = train.subset(order[:ROOT_SAMPLES]), train.subset(order[ROOT_SAMPLES:])
    shards = [
        pool.subset(indices)
        for indices in partition(pool.labels, PARTICIPANTS, seed=seed, alpha=alpha)
    ]
    spec = ModelSpec(
        family="mlp", input_shape=data.sample_shape, num_classes=10, hidden_sizes=HIDDEN
    )
    return Setting(shards, root, test, spec, seed)


def _run(
    setting: Setting,
    rule: str,
    attack: str,
    malicious: int,
    rounds: int,
    overrides: dict[str, Any] | None = None,
) -> float:
    spec = SPECS[rule]
    raw = {"num_malicious": malicious} if "num_malicious" in spec.param_names else {}
    params = spec.parse_params({**raw, **(overrides or {})})
    model = build_model(setting.spec, setting.seed)
    template = model.state_dict()
    global_model = flatten_state(template)
    previous: np.ndarray | None = None
    for round_number in range(1, rounds + 1):
        seeds = [
            int(np.random.SeedSequence([setting.seed, round_number, i]).generate_state(1)[0])
            for i in range(PARTICIPANTS)
        ]
        models = [
            _participant(model, template, global_model, shard, attack, i < malicious, seeds[i])
            for i, shard in enumerate(setting.shards)
        ]
        if attack in ADAPTIVE and malicious:
            forged = adaptive(
                attack, np.stack(models[malicious:]), global_model,
                num_participants=PARTICIPANTS, num_malicious=malicious, ipm_eps=IPM_EPS,
            )  # fmt: skip
            models[:malicious] = [forged] * malicious
        side = SideInputs(previous=previous)
        if "reference" in spec.side_inputs:
            reference = _train(model, template, global_model, setting.root, seed=round_number)
            side = SideInputs(reference=(reference - global_model).astype(np.float32))
        weights = np.array([len(s) for s in setting.shards], dtype=np.int64)
        rows = np.stack(models).astype(np.float32)
        try:
            result = spec.apply(rows, global_model, weights, params, side)
        except AggregationError:
            if round_number == 1:
                raise  # the rule cannot run this configuration: n/a
            break  # diverged (e.g. FedAvg under sign-flip): the round fails, the model stays
        previous = (result.aggregate - global_model).astype(np.float32)
        global_model = result.aggregate
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
) -> np.ndarray:
    """The model vector a participant submits: honest training, or a simple attack's output."""
    malicious = malicious and attack != "none"
    if malicious and attack == "free-rider":
        return free_rider(global_model)
    if malicious and attack in ADAPTIVE:
        return global_model  # replaced by the forged vector once the honest ones are known
    if malicious and attack == "label-flip":
        shard = ArrayDataset(shard.features, label_flip(shard.labels, num_classes=10, seed=seed))
    trained = _train(model, template, global_model, shard, seed=seed)
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
) -> np.ndarray:
    model.load_state_dict(unflatten_state(global_model, template))
    train_local(model, data, epochs=LOCAL_EPOCHS, batch_size=BATCH_SIZE, lr=LR, seed=seed)
    return flatten_state(model.state_dict())


def _print_table(name: str, table: dict[str, dict[str, float]]) -> None:
    part, f = name.split("/")
    print(f"\nTest accuracy after the last round, {part}, {f}/{PARTICIPANTS} malicious")
    attacks = list(next(iter(table.values())))
    print(f"  {'rule':<18}" + "".join(f"{a:>11}" for a in attacks) + f"{'worst':>9}{'xFedAvg':>9}")
    base = _worst(table["fedavg"]) if "fedavg" in table else math.nan
    for rule, row in table.items():
        cells = "".join(
            "        n/a" if math.isnan(row[a]) else f"{row[a]:>11.3f}" for a in attacks
        )
        worst = _worst(row)
        print(f"  {rule:<18}{cells}{worst:>9.3f}{worst / base:>9.2f}")


def _plot(results: dict[str, dict[str, dict[str, float]]], path: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rules = list(next(iter(results.values())))
    fig, ax = plt.subplots(figsize=(10, 4.5))
    width = 0.8 / len(results)
    for offset, (name, table) in enumerate(results.items()):
        worst = [_worst(table[r]) for r in rules]
        xs = [i + offset * width for i in range(len(rules))]
        ax.bar(xs, [0 if math.isnan(w) else w for w in worst], width, label=name)
    ax.axhline(0.90, color="grey", linestyle="--", linewidth=0.8)
    ax.set_xticks([i + 0.4 - width / 2 for i in range(len(rules))], rules, rotation=30, ha="right")
    ax.set_ylabel("worst-case test accuracy")
    ax.set_title("Worst case over none, sign-flip, ALIE, IPM, min-max (partition/attackers)")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)


if __name__ == "__main__":
    main()
