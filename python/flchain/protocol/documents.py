"""Documents the protocol puts in the store beside the chain's records, as canonical JSON
(sorted keys, no spaces): the same content always gives the same bytes, hence the same CID,
on every machine.

- the round's metrics document: what every aggregator derives identically for a round (its
  parent and new global model, the rule, the accepted updates and why the others were
  rejected); its CID digest is attested on chain with the model.

The task document (model spec, training settings, rule) stays with the task file it is
written from (:mod:`flchain.roles.taskfile`): it holds the learning layer's model spec and
privacy parameters, which this layer does not know.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

from flchain.storage.cid import Cid

__all__ = ["metrics_document"]


def metrics_document(
    task_id: int,
    round_id: int,
    parent: Cid,
    model: Cid,
    rule: str,
    accepted: Sequence[Cid],
    rejected: Mapping[int, str],
    extra: Mapping[str, object] | None = None,
) -> bytes:
    """The canonical JSON that every aggregator derives identically for a round (``extra``:
    more fields, e.g. the private model commitment)."""
    doc = {
        **(extra or {}),
        "task": task_id,
        "round": round_id,
        "parent_model": str(parent),
        "model": str(model),
        "rule": rule,
        "accepted_updates": [str(c) for c in accepted],
        "rejected": {str(k): v for k, v in sorted(rejected.items())},
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()
