"""What every aggregation rule returns, and the signature every rule has."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import numpy as np
import numpy.typing as npt

__all__ = ["AggregationResult", "AggregationRule"]


@dataclass(frozen=True, eq=False)
class AggregationResult:
    """The outcome of one aggregation.

    Attributes:
        aggregate: the new global model as a 1-D float32 vector (read-only).
        accepted: one bool per update row, True when the row entered the aggregate
            (read-only). This is the accepted set that aggregators attest on chain.
    """

    aggregate: npt.NDArray[np.float32]
    accepted: npt.NDArray[np.bool_]

    def __post_init__(self) -> None:
        self.aggregate.setflags(write=False)
        self.accepted.setflags(write=False)


class AggregationRule(Protocol):
    """A pure function from a (clients x parameters) float32 array to a result.

    Rule-specific parameters are keyword-only; ``weights`` (one integer per client,
    e.g. its sample count) is accepted by every rule, which may ignore it.
    """

    def __call__(
        self, updates: npt.NDArray[np.float32], /, *, weights: npt.NDArray[np.integer] | None = None
    ) -> AggregationResult: ...
