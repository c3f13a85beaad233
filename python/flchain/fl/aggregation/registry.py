"""The aggregation rules a task can name, by name and by on-chain id (uint8).

Adding a rule: one module per rule (``median.py``, ``krum.py``...) exporting a pure
function with the :class:`~flchain.fl.aggregation.result.AggregationRule` signature and its
``SPEC`` (:class:`~flchain.fl.aggregation.spec.RuleSpec`: name, the next free id, parameters,
models or deltas, side inputs), and one entry in :data:`SPECS`. Ids are forever: never reuse
or renumber one, the chain stores them.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flchain.errors import ConfigError
from flchain.fl.aggregation.bulyan import SPEC as BULYAN
from flchain.fl.aggregation.centered_clipping import SPEC as CENTERED_CLIPPING
from flchain.fl.aggregation.fedavg import SPEC as FEDAVG
from flchain.fl.aggregation.filtered_clipping import SPEC as FILTERED_CLIPPING
from flchain.fl.aggregation.fltrust import SPEC as FLTRUST
from flchain.fl.aggregation.krum import SPEC as KRUM
from flchain.fl.aggregation.median import SPEC as MEDIAN
from flchain.fl.aggregation.multi_krum import SPEC as MULTI_KRUM
from flchain.fl.aggregation.norm_clipping import SPEC as NORM_CLIPPING
from flchain.fl.aggregation.result import AggregationRule
from flchain.fl.aggregation.spec import RuleSpec
from flchain.fl.aggregation.trimmed_mean import SPEC as TRIMMED_MEAN

__all__ = [
    "DEFAULT_PRIVATE_RULE",
    "DEFAULT_RULE",
    "RULES",
    "RULE_IDS",
    "SPECS",
    "default_rule",
    "rule_by_id",
    "rule_name",
    "rule_spec",
]

SPECS: Mapping[str, RuleSpec] = MappingProxyType(
    {
        spec.name: spec
        for spec in (
            FEDAVG,
            MEDIAN,
            TRIMMED_MEAN,
            KRUM,
            MULTI_KRUM,
            BULYAN,
            NORM_CLIPPING,
            FLTRUST,
            CENTERED_CLIPPING,
            FILTERED_CLIPPING,
        )
    }
)
"""Every rule's spec by name, in id order."""

RULES: Mapping[str, AggregationRule] = MappingProxyType(
    {name: spec.function for name, spec in SPECS.items()}
)
"""Every rule by name. Called with the updates alone, a rule uses its defaults: see
each rule's parameters (``fltrust`` cannot run without its ``reference``)."""

RULE_IDS: Mapping[str, int] = MappingProxyType({name: s.rule_id for name, s in SPECS.items()})
"""The uint8 id of every rule as stored on chain (ids are forever)."""

DEFAULT_RULE = "filtered_clipping"
"""The rule of a task config that names none: the one whose worst case over the attacks of
``bench/robustness_grid.py`` is best (see the README's robust aggregation section)."""

DEFAULT_PRIVATE_RULE = "fedavg"
"""The rule of a private task config that names none: an encrypted task cannot read the
side inputs of :data:`DEFAULT_RULE`, and secure aggregation runs FedAvg only."""


def default_rule(private: bool) -> str:
    """The rule a task config that names none gets."""
    return DEFAULT_PRIVATE_RULE if private else DEFAULT_RULE


def rule_spec(name: str) -> RuleSpec:
    """The spec of the rule ``name``; ConfigError listing the known rules otherwise."""
    try:
        return SPECS[name]
    except KeyError:
        raise ConfigError(
            f"Unknown aggregation rule {name!r}; known: {', '.join(SPECS)}."
        ) from None


def rule_name(rule_id: int) -> str:
    """The name of the rule with on-chain id ``rule_id``."""
    for name, known in RULE_IDS.items():
        if known == rule_id:
            return name
    raise ConfigError(
        f"Aggregation rule id {rule_id} is unknown; known ids: {dict(RULE_IDS)}. "
        "Is this flchain older than the task?"
    )


def rule_by_id(rule_id: int) -> AggregationRule:
    """The rule function with on-chain id ``rule_id``."""
    return RULES[rule_name(rule_id)]
