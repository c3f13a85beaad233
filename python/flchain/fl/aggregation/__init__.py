"""Aggregation rules: pure functions over a (clients x parameters) float32 array.

One module per rule, all returning an :class:`AggregationResult`; :data:`RULES` and
:data:`RULE_IDS` list them by name and by on-chain id.
"""

from __future__ import annotations

from flchain.fl.aggregation.fedavg import fedavg
from flchain.fl.aggregation.fixedpoint import SCALE, SCALE_BITS
from flchain.fl.aggregation.registry import RULE_IDS, RULES, rule_by_id, rule_name
from flchain.fl.aggregation.result import AggregationResult, AggregationRule
from flchain.fl.aggregation.updates import stack_updates

__all__ = [
    "RULES",
    "RULE_IDS",
    "SCALE",
    "SCALE_BITS",
    "AggregationResult",
    "AggregationRule",
    "fedavg",
    "rule_by_id",
    "rule_name",
    "stack_updates",
]
