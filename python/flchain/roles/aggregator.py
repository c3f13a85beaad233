"""Aggregating a round: fetch every revealed update, apply the task's rule, and produce the
global model, the accepted set and the metrics document that aggregators attest.

Deterministic by construction, so that every honest aggregator attests the same result:
updates are taken in reveal order; an update that cannot be fetched, does not verify, does
not decode into the task's model, repeats an earlier-revealed CID, or holds NaN/Inf is
rejected with a fixed reason; the rule is a pure function over the stacked updates; the
encodings are canonical.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import torch

from flchain.crypto.rounds import RoundCipher
from flchain.errors import (
    AggregationError,
    ConfigError,
    DecryptionError,
    EncodingError,
    StorageError,
)
from flchain.fl import (
    SAMPLES_KEY,
    AggregationResult,
    RuleSpec,
    SideInputs,
    decode_metadata,
    decode_state,
    encode_state,
    flatten_state,
    rule_spec,
    unflatten_state,
)
from flchain.protocol.client import Revealed
from flchain.protocol.documents import metrics_document
from flchain.protocol.records import RoundId, TaskId
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["RoundResult", "aggregate_round", "apply_rule", "publish_result"]

logger = logging.getLogger(__name__)

#: Updates with larger weights are rejected: they are not a model trained from the global one,
#: and exact fixed-point aggregation could not hold their sum.
MAX_ABS_VALUE = 1.0e4


@dataclass(frozen=True)
class RoundResult:
    """What an aggregator attests for a round, with the bytes behind it (``model`` is the
    plaintext; ``model_cid`` that of the stored, possibly sealed, bytes)."""

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


@dataclass(frozen=True)
class _Update:
    index: int
    cid: Cid
    vector: npt.NDArray[np.float32]
    samples: int


def _samples(data: bytes) -> int:
    """The self-reported sample count of an update (1 when absent or unreadable)."""
    try:
        value = int(decode_metadata(data).get(SAMPLES_KEY, "1"))
    except (EncodingError, ValueError):
        return 1
    return max(0, value)


def _load_update(
    store: Store,
    update: Revealed,
    cid: Cid,
    template: Mapping[str, torch.Tensor],
    cipher: RoundCipher | None,
) -> _Update | str:
    """The usable update, or the fixed reason it is rejected."""
    index = update.reveal_index
    try:
        data = store.get(cid)
    except StorageError as exc:
        return f"unavailable: {type(exc).__name__}"
    if cipher is not None:
        try:
            data = cipher.open_update(data, update.participant)
        except DecryptionError:
            return "does not decrypt"
    try:
        state = decode_state(data)
    except EncodingError:
        return "does not decode"
    shapes = {name: tuple(t.shape) for name, t in state.items()}
    if shapes != {name: tuple(t.shape) for name, t in template.items()}:
        return "does not fit the task's model"
    vector = flatten_state(state)
    if np.array_equal(vector, flatten_state(template)):
        return "unchanged global model (no training)"
    if not np.isfinite(vector).all():
        return "holds NaN or Inf"
    if vector.size and float(np.abs(vector).max()) > MAX_ABS_VALUE:
        return f"holds values beyond +-{MAX_ABS_VALUE:g}"
    return _Update(index, cid, vector, _samples(data))


def _collect(
    revealed: Sequence[Revealed],
    store: Store,
    template: Mapping[str, torch.Tensor],
    cipher: RoundCipher | None,
) -> tuple[list[_Update], dict[int, str]]:
    """Usable updates in reveal order, and the rejected ones with their reasons."""
    rejected: dict[int, str] = {}
    usable: list[_Update] = []
    first_seen: dict[Cid, int] = {}
    for update in sorted(revealed, key=lambda u: u.reveal_index):
        cid = update.cid
        if cid in first_seen:
            rejected[update.reveal_index] = f"copy of update {first_seen[cid]}"
            continue
        first_seen[cid] = update.reveal_index
        loaded = _load_update(store, update, cid, template, cipher)
        if isinstance(loaded, str):
            rejected[update.reveal_index] = loaded
        else:
            usable.append(loaded)
    return usable, rejected


def _side_delta(
    name: str,
    model: bytes | None,
    template: Mapping[str, torch.Tensor],
    parent: npt.NDArray[np.float32],
) -> npt.NDArray[np.float32]:
    """A side input model (FLTrust's reference, the previous round's parent) minus the parent
    (for ``previous``: the parent minus it, the previous round's aggregate delta)."""
    if model is None:
        raise AggregationError(
            "FLTrust needs the round's reference update from the task owner, and none was given."
        )
    label = "The FLTrust reference update" if name == "reference" else "The grandparent model"
    try:
        state = decode_state(model)
    except EncodingError as exc:
        raise AggregationError(f"{label} does not decode: {exc}") from exc
    if {n: tuple(t.shape) for n, t in state.items()} != {
        n: tuple(t.shape) for n, t in template.items()
    }:
        raise AggregationError(f"{label} does not fit the task's model.")
    if name == "previous":
        return (parent - flatten_state(state)).astype(np.float32)
    return (flatten_state(state) - parent).astype(np.float32)


def _side_inputs(
    spec: RuleSpec,
    reference: bytes | None,
    grandparent: bytes | None,
    template: Mapping[str, torch.Tensor],
    parent: npt.NDArray[np.float32],
) -> SideInputs:
    """The side inputs the rule's spec lists, as deltas (``previous`` None: round 1)."""
    found: dict[str, npt.NDArray[np.float32] | None] = {}
    if "reference" in spec.side_inputs:
        found["reference"] = _side_delta("reference", reference, template, parent)
    if "previous" in spec.side_inputs and grandparent is not None:
        found["previous"] = _side_delta("previous", grandparent, template, parent)
    return SideInputs(**found)


def _rule(rule: str, params: Mapping[str, Any] | None) -> tuple[RuleSpec, Any]:
    """The rule's spec and its validated parameters; AggregationError if either is bad."""
    try:
        spec = rule_spec(rule)
        return spec, spec.parse_params(params)
    except ConfigError as exc:
        raise AggregationError(str(exc)) from exc


def _apply(
    spec: RuleSpec,
    parsed: Any,
    template: Mapping[str, torch.Tensor],
    rows: npt.NDArray[np.float32],
    weights: npt.NDArray[np.int64],
    reference: bytes | None,
    grandparent: bytes | None,
) -> AggregationResult:
    parent_vector = flatten_state(template)
    side = _side_inputs(spec, reference, grandparent, template, parent_vector)
    return spec.apply(rows, parent_vector, weights, parsed, side)


def apply_rule(
    rule: str,
    params: Mapping[str, Any] | None,
    parent_model: bytes,
    rows: npt.NDArray[np.float32],
    weights: npt.NDArray[np.int64],
    reference: bytes | None = None,
    grandparent: bytes | None = None,
) -> AggregationResult:
    """The rule applied to usable updates as :func:`aggregate_round` applies it, without store
    or chain: ``rows`` are the flattened update models in reveal order, ``weights`` their
    sample counts; the spec sees models or deltas from ``parent_model`` and its side inputs.
    The aggregate is the new global model, flattened (an in-memory baseline's use)."""
    spec, parsed = _rule(rule, params)
    return _apply(spec, parsed, decode_state(parent_model), rows, weights, reference, grandparent)


def aggregate_round(
    task_id: TaskId,
    round_id: RoundId,
    rule: str,
    parent_cid: Cid,
    parent_model: bytes,
    revealed: Sequence[Revealed],
    store: Store,
    params: Mapping[str, Any] | None = None,
    reference: bytes | None = None,
    cipher: RoundCipher | None = None,
    grandparent: bytes | None = None,
) -> RoundResult:
    """Aggregate the revealed updates of a round into the next global model.

    The rule's spec (:class:`~flchain.fl.aggregation.RuleSpec`) validates ``params``, says
    whether it sees models or deltas and which side inputs it takes (roles/side_inputs.py):
    ``reference``, for FLTrust, the encoded model the task owner trained from the parent on
    its root data and published for the round (see roles/reference.py); ``grandparent``, for
    rules centred on the previous aggregate, the parent's own parent model (None in round 1).

    ``parent_model`` is the plaintext parent. With a ``cipher`` (a private task) every update
    is decrypted first (one that does not decrypt is rejected) and the new global model is
    sealed deterministically; see :func:`publish_result`.

    Raises AggregationError when the rule cannot be applied (e.g. too few usable updates
    for its preconditions): every honest aggregator then abstains alike and the round fails.
    """
    spec, parsed = _rule(rule, params)
    template = decode_state(parent_model)
    usable, rejected = _collect(revealed, store, template, cipher)
    bitmap = 0
    accepted_cids: list[Cid] = []
    model = parent_model
    if usable:
        rows = np.stack([u.vector for u in usable]).astype(np.float32, copy=False)
        weights = np.array([u.samples for u in usable], dtype=np.int64)
        result = _apply(spec, parsed, template, rows, weights, reference, grandparent)
        aggregate, accepted = result.aggregate, result.accepted
        for keep, update in zip(accepted.tolist(), usable, strict=True):
            if keep:
                bitmap |= 1 << update.index
                accepted_cids.append(update.cid)
            else:
                rejected[update.index] = f"rejected by {rule}"
        if bitmap:
            model = encode_state(unflatten_state(aggregate, template))
    return publish_result(
        store, task_id, round_id, rule, parent_cid, model, bitmap, accepted_cids, rejected, cipher
    )


def publish_result(
    store: Store,
    task_id: TaskId,
    round_id: RoundId,
    rule: str,
    parent_cid: Cid,
    model: bytes,
    bitmap: int,
    accepted: Sequence[Cid],
    rejected: Mapping[int, str],
    cipher: RoundCipher | None = None,
    extra: Mapping[str, object] | None = None,
) -> RoundResult:
    """Put the new global model and its metrics document in the store.

    With a ``cipher``, the store gets the model sealed deterministically (its CID is what the
    chain records) and the metrics document carries ``model_commitment``, an HMAC of the
    plaintext model under the round key: hiding for outsiders, checkable by members."""
    fields = dict(extra or {})
    stored = model
    if cipher is not None:
        stored = cipher.seal_model(model)
        fields["model_commitment"] = cipher.model_commitment(model).hex()
    model_cid = store.put(stored)
    metrics = metrics_document(
        task_id, round_id, parent_cid, model_cid, rule, accepted, rejected, fields
    )
    metrics_cid = store.put(metrics)
    logger.info(
        "Task %s round %s aggregated: %s accepted, %s rejected, model %s",
        task_id, round_id, len(accepted), len(rejected), model_cid,
    )  # fmt: skip
    return RoundResult(model, model_cid, bitmap, metrics, metrics_cid, rejected)
