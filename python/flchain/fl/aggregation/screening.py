"""Which rows a robust rule may look at, and the parameter checks the rules share.

A robust rule first screens the rows: a row holding NaN or +-inf, or a value beyond
the fixed-point range for ``n`` rows of weight 1 (``|x| * 2**24 > (2**63 - 1) // n``,
about 1.8e10 for 30 rows), is rejected (``accepted[i]`` False) and left out. Unlike
:func:`~flchain.fl.aggregation.fedavg`, which raises on an out-of-range value, a robust
rule does not let one client make the round fail.

Rules bounded by a number ``f`` of malicious rows count the screened-out rows among
them: with ``r`` rows rejected, the rule runs on the ``m = n - r`` others with
``f' = max(f - r, 0)``. Preconditions such as Krum's ``n > 2f + 2`` are checked on the
``n`` given rows, and imply ``m > 2f' + 2``; so a client cannot stop the round by
sending NaN.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import numpy.typing as npt

from flchain.errors import AggregationError
from flchain.fl.aggregation.fixedpoint import INT64_MAX, SCALE
from flchain.fl.aggregation.spec import require
from flchain.fl.aggregation.updates import check_updates, row_magnitudes

__all__ = [
    "ToleranceParams",
    "admitted_rows",
    "check_count",
    "num_malicious_or_default",
    "remaining_malicious",
    "screen_rows",
]


def screen_rows(updates: npt.NDArray[np.float32], /) -> npt.NDArray[np.bool_]:
    """Check ``updates``; return True for each row a robust rule may use (see module doc).

    Raises:
        AggregationError: malformed updates, or no row passes.
    """
    check_updates(updates)
    magnitudes = row_magnitudes(updates)
    limit = INT64_MAX // updates.shape[0]
    admitted = np.array(
        [
            bool(np.isfinite(mag)) and int(np.rint(mag * float(SCALE))) <= limit
            for mag in magnitudes
        ],
        dtype=bool,
    )
    if not admitted.any():
        raise AggregationError(
            f"No update is left to aggregate: all {len(admitted)} hold NaN, infinity or a "
            f"value beyond the fixed-point range {limit / SCALE:.6g}."
        )
    return admitted


def admitted_rows(
    updates: npt.NDArray[np.float32], admitted: npt.NDArray[np.bool_]
) -> npt.NDArray[np.float32]:
    """The admitted rows: ``updates`` itself when all are (no copy), else a copy of them."""
    return updates if admitted.all() else updates[admitted]


def remaining_malicious(num_malicious: int, admitted: npt.NDArray[np.bool_]) -> int:
    """``f' = max(f - r, 0)``: the screened-out rows count among the ``f`` malicious ones."""
    return max(num_malicious - int((~admitted).sum()), 0)


def check_count(rule: str, name: str, value: object, *, minimum: int = 0) -> int:
    """Return ``value`` as an int if it is an integer >= ``minimum``; else AggregationError."""
    if not isinstance(value, int | np.integer) or isinstance(value, bool) or value < minimum:
        raise AggregationError(f"{rule}: {name} must be an integer >= {minimum}, got {value!r}.")
    return int(value)


def num_malicious_or_default(rule: str, num_malicious: object, default: int) -> int:
    """``num_malicious`` checked as an integer >= 0, or ``default`` when it is None."""
    if num_malicious is None:
        return default
    return check_count(rule, "num_malicious", num_malicious)


@dataclass(frozen=True)
class ToleranceParams:
    """The parameter of a rule bounded by ``num_malicious`` (f), the malicious rows it
    tolerates; None takes the largest the rule allows. A rule's parameters extend it and name
    the rule in ``rule`` (its ConfigError says ``Rule <rule>: rule_params.num_malicious``)."""

    rule: ClassVar[str]
    num_malicious: int | None = None

    def __post_init__(self) -> None:
        value = self.num_malicious
        require(self.rule, "num_malicious", value is None or value >= 0, "an integer >= 0", value)
