"""What a rule is beside its function: the spec every rule module declares as ``SPEC``.

A :class:`RuleSpec` names the rule and its on-chain id (uint8, forever), holds the frozen
dataclass of its parameters (:meth:`RuleSpec.parse_params` validates a task's
``rule_params`` into it: a misspelt key, a wrong type or an out-of-range value is a
ConfigError naming it, at task creation rather than in every participant), says whether the
rule works on whole models or on deltas from the parent, which side inputs it needs (FLTrust's
``reference``, the ``previous`` round's aggregate for centered clipping) and whether secure
aggregation (which reveals only the sum of the updates) can run it. :meth:`RuleSpec.apply`
runs the rule on model rows the way every aggregator must.

Side inputs are deltas from the parent model; ``previous`` None means zeros (round 1: the
parent is the task's initial model, which no aggregate produced).
"""

from __future__ import annotations

import dataclasses
import json
import math
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from flchain.errors import ConfigError
from flchain.fl.aggregation.result import AggregationResult

__all__ = [
    "NoParams",
    "RuleSpec",
    "SideInput",
    "SideInputs",
    "Space",
    "require",
]

Space = Literal["models", "deltas"]
SideInput = Literal["reference", "previous"]


@dataclass(frozen=True)
class NoParams:
    """The parameters of a rule that takes none."""


@dataclass(frozen=True, eq=False)
class SideInputs:
    """Inputs a rule takes beside the updates, as deltas from the parent model (float32)."""

    reference: npt.NDArray[np.float32] | None = None
    previous: npt.NDArray[np.float32] | None = None


def require(rule: str, key: str, ok: bool, expected: str, value: object) -> None:
    """ConfigError naming ``rule_params.key`` unless ``ok``."""
    if not ok:
        raise ConfigError(
            f"Rule {rule}: rule_params.{key} must be {expected}, got {value!r}; "
            "fix it in [task.rule_params]."
        )


@dataclass(frozen=True)
class RuleSpec:
    """One aggregation rule as a task names it (see the module docstring).

    ``function`` is called as ``function(rows, weights=..., **params, **side_inputs)``;
    the fields of ``params`` are its keyword arguments, with the same defaults.
    """

    name: str
    rule_id: int
    function: Callable[..., AggregationResult]
    params: type[Any] = NoParams
    space: Space = "deltas"
    side_inputs: tuple[SideInput, ...] = ()
    secure_aggregation: bool = False
    summary: str = ""

    @property
    def param_names(self) -> tuple[str, ...]:
        """The names of the rule's parameters, in declaration order."""
        return tuple(f.name for f in dataclasses.fields(self.params))

    def parse_params(self, raw: Mapping[str, object] | None) -> Any:
        """The validated parameters; ConfigError names an unknown, mistyped or bad key."""
        values = dict(raw or {})
        hints = typing.get_type_hints(self.params)
        unknown = sorted(set(values) - set(self.param_names))
        if unknown:
            known = ", ".join(self.param_names) or "none"
            raise ConfigError(
                f"Rule {self.name} has no parameter {', '.join(unknown)} (known: {known}); "
                "fix [task.rule_params]."
            )
        parsed = {key: _typed(self.name, key, value, hints[key]) for key, value in values.items()}
        return self.params(**parsed)

    def pinned_params(self, raw: Mapping[str, object] | None) -> bytes:
        """Every parameter, defaults filled in, as canonical JSON: what a task records on chain.

        A task pins its rule's parameters when it is created, so that a later release which
        changes a default never changes how an existing task's rounds recompute (``verify``
        of an old round keeps matching). ConfigError as :meth:`parse_params`.
        """
        params = dataclasses.asdict(self.parse_params(raw))
        return json.dumps(params, sort_keys=True, separators=(",", ":")).encode()

    def apply(
        self,
        models: npt.NDArray[np.float32],
        parent: npt.NDArray[np.float32],
        weights: npt.NDArray[np.integer],
        params: Any,
        side: SideInputs = SideInputs(),
    ) -> AggregationResult:
        """Run the rule on model rows; the result's aggregate is the new global model.

        A rule on deltas sees ``models - parent`` and its aggregate is added to ``parent``.
        """
        kwargs = dataclasses.asdict(params)
        for name in self.side_inputs:
            kwargs[name] = getattr(side, name)
        if self.space == "models":
            result = self.function(models, weights=weights, **kwargs)
            return AggregationResult(
                aggregate=np.asarray(result.aggregate, dtype=np.float32),
                accepted=np.asarray(result.accepted),
            )
        result = self.function(models - parent, weights=weights, **kwargs)
        aggregate = (parent + np.asarray(result.aggregate, dtype=np.float32)).astype(np.float32)
        return AggregationResult(aggregate=aggregate, accepted=np.asarray(result.accepted))


_NAMES = {int: "an integer", float: "a number", str: "a string", bool: "true or false"}


def _typed(rule: str, key: str, value: object, hint: object) -> object:
    """``value`` if it fits the type ``hint`` (an int also fits a float); else ConfigError."""
    allowed = typing.get_args(hint) if isinstance(hint, types.UnionType) else (hint,)
    if value is None and type(None) in allowed:
        return None
    if isinstance(value, bool):
        if bool in allowed:
            return value
    elif isinstance(value, int) and int in allowed:
        return value
    elif isinstance(value, int | float) and float in allowed and math.isfinite(value):
        return float(value)
    elif isinstance(value, str) and str in allowed:
        return value
    expected = " or ".join(_NAMES.get(a, "null") for a in allowed if isinstance(a, type))
    raise ConfigError(
        f"Rule {rule}: rule_params.{key} must be {expected}, got {value!r}; "
        "fix it in [task.rule_params]."
    )
