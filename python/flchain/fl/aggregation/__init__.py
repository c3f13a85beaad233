"""Aggregation rules: pure functions over a (clients x parameters) float32 array.

One module per rule, all returning an :class:`AggregationResult`; :data:`RULES` and
:data:`RULE_IDS` list them by name and by on-chain id. Robust rules: ``median``,
``trimmed_mean``, ``krum``, ``multi_krum``, ``bulyan``, ``norm_clipping``, ``fltrust``.
Every rule is bit-identical for the same rows in any order; each module states its
method. ``secure_fedavg`` splits FedAvg into per-client contributions and the mean of their
sum, for secure aggregation. Helpers: ``screening`` (rows a robust rule may use), ``geometry`` (distances
and norms), ``ordering`` (canonical tie-breaks), ``columns`` (sorted coordinates).
"""

from __future__ import annotations

from flchain.fl.aggregation.bulyan import bulyan
from flchain.fl.aggregation.fedavg import fedavg
from flchain.fl.aggregation.fixedpoint import SCALE, SCALE_BITS
from flchain.fl.aggregation.fltrust import fltrust
from flchain.fl.aggregation.krum import krum
from flchain.fl.aggregation.median import median
from flchain.fl.aggregation.multi_krum import multi_krum
from flchain.fl.aggregation.norm_clipping import norm_clipping
from flchain.fl.aggregation.registry import RULE_IDS, RULES, rule_by_id, rule_name
from flchain.fl.aggregation.result import AggregationResult, AggregationRule
from flchain.fl.aggregation.secure_fedavg import fedavg_contribution, fedavg_from_sum
from flchain.fl.aggregation.trimmed_mean import trimmed_mean
from flchain.fl.aggregation.updates import stack_updates

__all__ = [
    "RULES",
    "RULE_IDS",
    "SCALE",
    "SCALE_BITS",
    "AggregationResult",
    "AggregationRule",
    "bulyan",
    "fedavg",
    "fedavg_contribution",
    "fedavg_from_sum",
    "fltrust",
    "krum",
    "median",
    "multi_krum",
    "norm_clipping",
    "rule_by_id",
    "rule_name",
    "stack_updates",
    "trimmed_mean",
]
