"""How fast each aggregation rule runs, next to Flower 1.42's implementation in the same run.

Part 1: every rule over 10 clients x 11.2M float32 parameters (ResNet-18 size), with
Flower's function where it has one, and the ratio Flower / ours (> 1: we are faster).
Part 2: median, trimmed mean, centered clipping and filtered clipping (both with the
previous aggregate as their centre, 20% of the rows sign-flipped so that filtered clipping
rejects them and runs both of its clipping passes) over 30 clients x 11.2M, each with its
ratio to our median in the same run (the robust rule of reference at that size).
Times are the best of three runs; FedAvg's compiled kernel is compiled before timing.
Targets (reported, not asserted): FedAvg >= 5x faster than Flower's ``aggregate``;
median, trimmed mean, centered and filtered clipping at 30 x 11.2M within 5 s. Peak memory stays under ~8 GB.
Flower is optional: without it, only our times are printed.

Run: .venv/bin/python bench/aggregation_rules_speed.py [clients] [parameters] [many_clients]
[wide-only] (``wide-only``: Part 2 alone)
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any

import numpy as np

from flchain.fl.aggregation import (
    bulyan,
    centered_clipping,
    fedavg,
    filtered_clipping,
    fltrust,
    krum,
    median,
    multi_krum,
    norm_clipping,
    trimmed_mean,
)
from flchain.fl.aggregation.fused import fixed_weighted_mean
from timing import best_time

try:
    from flwr.server.strategy import aggregate as flower
except ImportError:  # Flower is a dev extra, not a dependency
    flower = None

BETA = 0.2


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    parameters = int(sys.argv[2]) if len(sys.argv) > 2 else 11_200_000
    many = int(sys.argv[3]) if len(sys.argv) > 3 else 30
    rng = np.random.default_rng(0)
    if len(sys.argv) <= 4 or sys.argv[4] != "wide-only":
        _part_one(rng, clients, parameters)
    wide = rng.standard_normal((many, parameters), dtype=np.float32) * np.float32(0.01)
    print(f"\nPart 2: {many} x {parameters:,} float32 ({wide.nbytes / 2**30:.2f} GiB), target 5 s")
    _header()
    results = [((list(wide[i : i + 1]), 1)) for i in range(many)]
    base = _report(
        "median", lambda: median(wide), _flower(lambda: flower.aggregate_median(results))
    )
    _report(
        "trimmed_mean",
        lambda: trimmed_mean(wide, beta=BETA),
        _flower(lambda: flower.aggregate_trimmed_avg(results, BETA)),
    )
    previous = wide.mean(axis=0)
    wide[: many // 5] *= np.float32(-1.0)  # 20% flipped rows: filtered clipping's slow path
    for name, rule in (("centered_clip", centered_clipping), ("filtered_clip", filtered_clipping)):
        seconds = _report(name, lambda rule=rule: rule(wide, previous=previous), None)
        print(f"  {'':<15}{seconds / base:>10.2f}x our median's time", flush=True)


def _part_one(rng: np.random.Generator, clients: int, parameters: int) -> None:
    updates = rng.standard_normal((clients, parameters), dtype=np.float32) * np.float32(0.01)
    weights = rng.integers(100, 10_000, size=clients)
    # Compile (or load from its disk cache) FedAvg's fused kernel: not part of the timing.
    fixed_weighted_mean(np.ascontiguousarray(updates[:, :1024]), [1] * clients, clients)
    print(f"Part 1: {clients} x {parameters:,} float32 ({updates.nbytes / 2**30:.2f} GiB)")
    _header()
    for name, ours, theirs in _cases(updates, weights):
        _report(name, ours, theirs)
    # The floor: one read of the input (a reduction keeps nothing). FedAvg cannot go faster;
    # Flower's float FedAvg over the floor bounds any FedAvg's speed-up over it on this machine.
    floor = best_time(functools.partial(np.max, updates, axis=0))
    print(
        f"  {'(one read)':<15}{floor:>10.2f}   memory floor for FedAvg on this machine", flush=True
    )
    del updates


def _cases(
    updates: np.ndarray, weights: np.ndarray
) -> list[tuple[str, Callable[[], Any], Callable[[], Any] | None]]:
    clients = len(updates)
    malicious = (clients - 3) // 4  # Bulyan's bound; Krum is run with the same f
    weighted = [(list(updates[i : i + 1]), int(weights[i])) for i in range(clients)]
    plain = [(list(updates[i : i + 1]), 1) for i in range(clients)]
    reference = updates.mean(axis=0)
    return [
        (
            "fedavg",
            lambda: fedavg(updates, weights=weights),
            _flower(lambda: flower.aggregate(weighted)),
        ),
        ("median", lambda: median(updates), _flower(lambda: flower.aggregate_median(plain))),
        (
            "trimmed_mean",
            lambda: trimmed_mean(updates, beta=BETA),
            _flower(lambda: flower.aggregate_trimmed_avg(plain, BETA)),
        ),
        (
            "krum",
            lambda: krum(updates, num_malicious=malicious),
            _flower(lambda: flower.aggregate_krum(plain, malicious, 0)),
        ),
        (
            "multi_krum",
            lambda: multi_krum(updates, num_malicious=malicious, weights=weights),
            _flower(lambda: flower.aggregate_krum(weighted, malicious, clients - malicious)),
        ),
        (
            "bulyan",
            lambda: bulyan(updates, num_malicious=malicious),
            _flower(
                lambda: flower.aggregate_bulyan(
                    list(plain), malicious, flower.aggregate_krum, to_keep=0
                )
            ),
        ),
        ("norm_clipping", lambda: norm_clipping(updates, weights=weights), None),
        ("fltrust", lambda: fltrust(updates, reference=reference), None),
    ]


def _flower(run: Callable[[], Any]) -> Callable[[], Any] | None:
    return run if flower is not None else None


def _header() -> None:
    print(f"  {'rule':<15}{'ours (s)':>10}{'Flower (s)':>12}{'Flower/ours':>13}")


def _report(name: str, ours: Callable[[], Any], theirs: Callable[[], Any] | None) -> float:
    mine = best_time(ours)
    if theirs is None:
        print(f"  {name:<15}{mine:>10.2f}{'-':>12}{'-':>13}", flush=True)
        return mine
    other = best_time(theirs)
    print(f"  {name:<15}{mine:>10.2f}{other:>12.2f}{other / mine:>12.1f}x", flush=True)
    return mine


if __name__ == "__main__":
    main()
