"""How the benchmarks time a call: the best wall time of a few runs (the least disturbed by
other load on the machine)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

REPEATS = 3


def best_time(run: Callable[[], Any], repeats: int = REPEATS) -> float:
    """The shortest wall time, in seconds, of ``repeats`` calls of ``run``."""
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - start)
    return best
