"""Aggregation rules: pure functions over a (clients x parameters) float32 array.

One module per rule, all returning an :class:`AggregationResult`; :data:`RULES` and
:data:`RULE_IDS` list them by name and by on-chain id. Robust rules: ``median``,
``trimmed_mean``, ``krum``, ``multi_krum``, ``bulyan``, ``norm_clipping``, ``fltrust``,
``centered_clipping``, ``filtered_clipping``. Each rule module declares its ``SPEC``
(:class:`RuleSpec`: name, id, parameters, models or deltas, side inputs); :data:`SPECS` holds
them and :func:`rule_spec` finds one.
Every rule is bit-identical for the same rows in any order; each module states its
method. ``secure_fedavg`` splits FedAvg into per-client contributions and the mean of their
sum, for secure aggregation. Helpers: ``screening`` (rows a robust rule may use), ``geometry`` (distances
and norms), ``ordering`` (canonical tie-breaks), ``columns`` (sorted coordinates).
"""

from __future__ import annotations

from flchain.fl.aggregation.bulyan import bulyan
from flchain.fl.aggregation.centered_clipping import centered_clipping
from flchain.fl.aggregation.fedavg import fedavg
from flchain.fl.aggregation.filtered_clipping import filtered_clipping
from flchain.fl.aggregation.fixedpoint import SCALE, SCALE_BITS
from flchain.fl.aggregation.fltrust import fltrust
from flchain.fl.aggregation.krum import krum
from flchain.fl.aggregation.median import median
from flchain.fl.aggregation.multi_krum import multi_krum
from flchain.fl.aggregation.norm_clipping import norm_clipping
from flchain.fl.aggregation.registry import (
    DEFAULT_RULE,
    RULE_IDS,
    RULES,
    SPECS,
    default_rule,
    rule_by_id,
    rule_name,
    rule_spec,
)
from flchain.fl.aggregation.result import AggregationResult, AggregationRule
from flchain.fl.aggregation.secure_fedavg import fedavg_contribution, fedavg_from_sum
from flchain.fl.aggregation.spec import RuleSpec, SideInputs
from flchain.fl.aggregation.trimmed_mean import trimmed_mean
from flchain.fl.aggregation.updates import stack_updates

__all__ = [
    "DEFAULT_RULE",
    "RULES",
    "RULE_IDS",
    "SCALE",
    "SCALE_BITS",
    "SPECS",
    "AggregationResult",
    "AggregationRule",
    "RuleSpec",
    "SideInputs",
    "bulyan",
    "centered_clipping",
    "default_rule",
    "fedavg",
    "fedavg_contribution",
    "fedavg_from_sum",
    "filtered_clipping",
    "fltrust",
    "krum",
    "median",
    "multi_krum",
    "norm_clipping",
    "rule_by_id",
    "rule_name",
    "rule_spec",
    "stack_updates",
    "trimmed_mean",
]
