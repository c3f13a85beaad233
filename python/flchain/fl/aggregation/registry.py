"""The aggregation rules a task can name, by name and by on-chain id (uint8).

Adding a rule: one module per rule (``median.py``, ``krum.py``...) exporting a pure
function with the :class:`~flchain.fl.aggregation.result.AggregationRule` signature,
one entry in :data:`RULES`, and the next free id in :data:`RULE_IDS` (ids are
forever: never reuse or renumber one, the chain stores them).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from flchain.errors import ConfigError
from flchain.fl.aggregation.bulyan import bulyan
from flchain.fl.aggregation.fedavg import fedavg
from flchain.fl.aggregation.fltrust import fltrust
from flchain.fl.aggregation.krum import krum
from flchain.fl.aggregation.median import median
from flchain.fl.aggregation.multi_krum import multi_krum
from flchain.fl.aggregation.norm_clipping import norm_clipping
from flchain.fl.aggregation.result import AggregationRule
from flchain.fl.aggregation.trimmed_mean import trimmed_mean

__all__ = ["RULES", "RULE_IDS", "rule_by_id", "rule_name"]

RULES: Mapping[str, AggregationRule] = MappingProxyType(
    {
        "fedavg": fedavg,
        "median": median,
        "trimmed_mean": trimmed_mean,
        "krum": krum,
        "multi_krum": multi_krum,
        "bulyan": bulyan,
        "norm_clipping": norm_clipping,
        "fltrust": fltrust,
    }
)
"""Every rule by name. Called with the updates alone, a rule uses its defaults: see
each rule's parameters (``fltrust`` cannot run without its ``reference``)."""

RULE_IDS: Mapping[str, int] = MappingProxyType(
    {
        "fedavg": 0,
        "median": 1,
        "trimmed_mean": 2,
        "krum": 3,
        "multi_krum": 4,
        "bulyan": 5,
        "norm_clipping": 6,
        "fltrust": 7,
    }
)
"""The uint8 id of every rule as stored on chain (ids are forever)."""


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
