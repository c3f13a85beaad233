"""Aggregating a round: fetch every revealed update, apply the task's rule, and produce the
global model, the accepted set and the metrics document that aggregators attest.

Deterministic by construction, so that every honest aggregator attests the same result:
updates are taken in reveal order; an update that cannot be fetched, does not verify, does
not decode into the task's model, repeats an earlier-revealed CID, or holds NaN/Inf is
rejected with a fixed reason; the rule is a pure function over the stacked updates; the
encodings are canonical.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from flchain.errors import AggregationError, EncodingError, StorageError
from flchain.fl import RULES, decode_state, encode_state, flatten_state, unflatten_state
from flchain.protocol.client import Revealed
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["RoundResult", "aggregate_round", "metrics_document"]

logger = logging.getLogger(__name__)

#: Updates with larger weights are rejected: they are not a model trained from the global one,
#: and exact fixed-point aggregation could not hold their sum.
MAX_ABS_VALUE = 1.0e4


@dataclass(frozen=True)
class RoundResult:
    """What an aggregator attests for a round, with the bytes behind it."""

    model: bytes
    model_cid: Cid
    accepted_bitmap: int
    metrics: bytes
    metrics_cid: Cid
    rejected: Mapping[int, str]  # reveal index -> reason

    @property
    def metrics_digest(self) -> bytes:
        """The metrics document's CID digest, attested on chain."""
        return self.metrics_cid.to_chain()[0]


def metrics_document(
    task_id: int,
    round_id: int,
    parent: Cid,
    model: Cid,
    rule: str,
    accepted: Sequence[Cid],
    rejected: Mapping[int, str],
) -> bytes:
    """The canonical JSON that every aggregator derives identically for a round."""
    doc = {
        "task": task_id,
        "round": round_id,
        "parent_model": str(parent),
        "model": str(model),
        "rule": rule,
        "accepted_updates": [str(c) for c in accepted],
        "rejected": {str(k): v for k, v in sorted(rejected.items())},
    }
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def _load_update(
    store: Store, cid: Cid, template: Mapping[str, torch.Tensor]
) -> tuple[np.ndarray | None, str]:
    try:
        data = store.get(cid)
    except StorageError as exc:
        return None, f"unavailable: {type(exc).__name__}"
    try:
        state = decode_state(data)
    except EncodingError:
        return None, "does not decode"
    shapes = {name: tuple(t.shape) for name, t in state.items()}
    if shapes != {name: tuple(t.shape) for name, t in template.items()}:
        return None, "does not fit the task's model"
    vector = flatten_state(state)
    if not np.isfinite(vector).all():
        return None, "holds NaN or Inf"
    if vector.size and float(np.abs(vector).max()) > MAX_ABS_VALUE:
        return None, f"holds values beyond +-{MAX_ABS_VALUE:g}"
    return vector, ""


def aggregate_round(
    task_id: int,
    round_id: int,
    rule: str,
    parent_cid: Cid,
    parent_model: bytes,
    revealed: Sequence[Revealed],
    store: Store,
) -> RoundResult:
    """Aggregate the revealed updates of a round into the next global model."""
    template = decode_state(parent_model)
    rejected: dict[int, str] = {}
    rows: list[np.ndarray] = []
    row_index: list[int] = []
    first_seen: dict[Cid, int] = {}
    for update in sorted(revealed, key=lambda u: u.reveal_index):
        cid = Cid.from_chain(update.cid_digest, update.codec)
        if cid in first_seen:
            rejected[update.reveal_index] = f"copy of update {first_seen[cid]}"
            continue
        first_seen[cid] = update.reveal_index
        vector, reason = _load_update(store, cid, template)
        if vector is None:
            rejected[update.reveal_index] = reason
            continue
        rows.append(vector)
        row_index.append(update.reveal_index)

    bitmap = 0
    accepted_cids: list[Cid] = []
    model = parent_model
    if rows:
        try:
            result = RULES[rule](np.stack(rows).astype(np.float32, copy=False))
        except KeyError as exc:
            raise AggregationError(
                f"Unknown aggregation rule {rule!r}; known: {', '.join(RULES)}."
            ) from exc
        for keep, index in zip(result.accepted.tolist(), row_index, strict=True):
            if keep:
                bitmap |= 1 << index
                accepted_cids.append(next(c for c, i in first_seen.items() if i == index))
            else:
                rejected[index] = f"rejected by {rule}"
        if bitmap:
            model = encode_state(
                unflatten_state(np.asarray(result.aggregate, dtype=np.float32), template)
            )
    model_cid = store.put(model)
    metrics = metrics_document(
        task_id, round_id, parent_cid, model_cid, rule, accepted_cids, rejected
    )
    metrics_cid = store.put(metrics)
    logger.info(
        "Task %s round %s aggregated: %s accepted, %s rejected, model %s",
        task_id, round_id, len(accepted_cids), len(rejected), model_cid,
    )  # fmt: skip
    return RoundResult(model, model_cid, bitmap, metrics, metrics_cid, rejected)
