"""How fast deterministic FedAvg aggregates: 10 clients x 11.2M parameters (ResNet-18 size).

Prints the best wall time of a few runs, and a plain float64 mean for comparison.
Run: .venv/bin/python bench/aggregation_speed.py [clients] [parameters]
"""

from __future__ import annotations

import sys

import numpy as np

from flchain.fl.aggregation import fedavg
from timing import best_time


def main() -> None:
    clients = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    parameters = int(sys.argv[2]) if len(sys.argv) > 2 else 11_200_000
    rng = np.random.default_rng(0)
    updates = rng.standard_normal((clients, parameters), dtype=np.float32) * np.float32(0.05)
    weights = rng.integers(100, 10_000, size=clients)
    fixed = best_time(lambda: fedavg(updates, weights=weights))
    plain = best_time(lambda: np.average(updates, axis=0, weights=weights).astype(np.float32))
    print(f"fedavg {clients} x {parameters:,} float32 ({updates.nbytes / 2**20:.0f} MiB):")
    rate = updates.nbytes / fixed / 2**30
    print(f"  deterministic fixed point: {fixed:.3f} s ({rate:.2f} GiB/s)")
    print(f"  plain float mean (np.average, not order-independent): {plain:.3f} s")


if __name__ == "__main__":
    main()
