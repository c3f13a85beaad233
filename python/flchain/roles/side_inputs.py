"""What a rule needs beside the round's updates, read from the chain and the store.

A rule's spec lists its side inputs (:class:`~flchain.fl.aggregation.RuleSpec`):

- ``reference``: FLTrust's reference model, the task owner's note for the round
  (:func:`~flchain.roles.reference.fetch_reference`);
- ``previous``: the previous round's aggregate, as the registry's lineage gives it: the
  parent model's own parent (the *grandparent*); the aggregator takes ``parent - grandparent``.
  When the parent is the task's initial model there is none, and the rule starts from zeros.

Everything comes from the chain and the store, so every aggregator and ``flchain verify``
read the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from flchain.fl import rule_spec
from flchain.protocol.client import FLClient
from flchain.protocol.records import RoundId, TaskId
from flchain.roles.reference import fetch_reference
from flchain.storage.store import Store

__all__ = ["RoundInputs", "fetch_side_inputs"]


@dataclass(frozen=True)
class RoundInputs:
    """The encoded models a round's rule takes beside the updates (None: not needed/none)."""

    reference: bytes | None = None
    grandparent: bytes | None = None


def fetch_side_inputs(
    client: FLClient,
    store: Store,
    task_id: TaskId,
    round_id: RoundId,
    parent_round: RoundId,
    rule: str,
) -> RoundInputs:
    """The side inputs ``rule`` needs to aggregate ``round_id`` (whose parent is
    ``parent_round``); AggregationError when a needed one is missing (e.g. no reference)."""
    needs = rule_spec(rule).side_inputs
    reference = fetch_reference(client, store, task_id, round_id) if "reference" in needs else None
    grandparent = None
    if "previous" in needs and parent_round > 0:
        parent = client.model_at(task_id, parent_round)
        record = client.model_at(task_id, parent.parent_round)
        grandparent = store.get(record.model)
    return RoundInputs(reference, grandparent)
