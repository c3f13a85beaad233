"""Secure aggregation of a round: participants reveal masked FedAvg contributions, and
aggregators only ever see their sum.

A participant of the round's roster turns its trained model into its exact fixed-point FedAvg
contribution ``[w, w * quantize(x)]`` (:mod:`flchain.fl.aggregation.secure_fedavg`), adds its
pairwise masks (:mod:`flchain.crypto.masks`) and seals the result like any private update.
Aggregators decrypt the masked rows, add them modulo 2**64 (the masks cancel), and divide: the
global model is bit-identical to plain FedAvg over the same updates.

A roster can be empty (too few members with budget left: see :mod:`flchain.roles.privacy.keyrings`);
if no roster member reveals, no mask is in play and the round keeps the parent model, as a
plain round without updates does.

Dropouts: the masks cancel only if *every* roster member reveals. If one does not (it never
committed, or committed and never revealed), or reveals something unusable, the sum is noise:
no honest aggregator attests, the round fails at its attest deadline (no honest member loses
stake: a failed round slashes only unrevealed commits), and the owner leaves the dropouts out
of the next attempt's roster (:mod:`flchain.roles.privacy.keyrings`). flchain does not recover the
dropout's masks (no secret-shared seeds): one failed round per dropout is the price.

Not seen, so not checked: individual updates. NaN, range and weight checks are the client's
own; robust rules, free-rider and copy checks are impossible (secure aggregation is FedAvg-only).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence

import numpy as np

from flchain.crypto.keyring import Keyring
from flchain.crypto.keys import KeyPair
from flchain.crypto.masks import decode_masked, encode_masked, mask_for, masked_row, sum_masked
from flchain.crypto.rounds import RoundCipher
from flchain.errors import DecryptionError, EncodingError, SecureAggregationError, StorageError
from flchain.fl import (
    SAMPLES_KEY,
    decode_metadata,
    decode_state,
    encode_state,
    flatten_state,
    unflatten_state,
)
from flchain.fl.aggregation.secure_fedavg import fedavg_contribution, fedavg_from_sum
from flchain.protocol.client import Revealed
from flchain.protocol.records import RoundId, TaskId
from flchain.roles.aggregator import RoundResult, publish_result
from flchain.storage.cid import Cid
from flchain.storage.store import Store

__all__ = ["aggregate_secure_round", "masked_update"]

logger = logging.getLogger(__name__)


def masked_update(
    update: bytes,
    address: str,
    key_pair: KeyPair,
    keyring: Keyring,
    cipher: RoundCipher,
    max_weight: int | None = None,
) -> bytes:
    """The sealed, masked FedAvg contribution of ``update`` (an encoded trained model whose
    metadata holds its sample count) for ``address`` in ``keyring``'s round."""
    state = decode_state(update)
    samples = int(decode_metadata(update).get(SAMPLES_KEY, "1"))
    contribution = fedavg_contribution(flatten_state(state), samples, max_weight)
    mask = mask_for(
        address, key_pair, keyring.roster_keys(), keyring.scope, keyring.round_id, contribution.size
    )
    return cipher.seal_update(encode_masked(masked_row(contribution, mask)), address)


def _check_complete(
    revealed: Sequence[Revealed], roster: Sequence[str], task_id: TaskId, round_id: RoundId
) -> None:
    present = {u.participant.lower() for u in revealed}
    missing = sorted(set(roster) - present)
    if missing and present:
        raise SecureAggregationError(
            f"Task {task_id} round {round_id}: {len(missing)} member(s) of the secure-aggregation "
            f"roster did not reveal ({', '.join(missing)}), so the masks cannot cancel; the round "
            "fails and the next attempt leaves them out."
        )


def _masked_rows(
    revealed: Sequence[Revealed], store: Store, cipher: RoundCipher, count: int
) -> list[np.ndarray]:
    rows = []
    for update in revealed:
        cid = update.cid
        try:
            rows.append(
                decode_masked(cipher.open_update(store.get(cid), update.participant), count)
            )
        except (StorageError, DecryptionError, SecureAggregationError) as exc:
            raise SecureAggregationError(
                f"The masked update of {update.participant} (reveal {update.reveal_index}) is "
                f"unusable ({type(exc).__name__}); without it the masks cannot cancel and the "
                "round fails."
            ) from exc
    return rows


def aggregate_secure_round(
    task_id: TaskId,
    round_id: RoundId,
    parent_cid: Cid,
    parent_model: bytes,
    revealed: Sequence[Revealed],
    store: Store,
    cipher: RoundCipher,
    roster: Sequence[str],
) -> RoundResult:
    """The round's FedAvg from its masked updates (``parent_model`` in plaintext).

    Updates revealed by members outside the roster are rejected (they hold no masks that
    cancel). Raises SecureAggregationError when a roster member's update is missing or
    unusable: the honest aggregators then all abstain, and the round fails.
    """
    members = {m.lower() for m in roster}
    in_roster = [u for u in revealed if u.participant.lower() in members]
    rejected: Mapping[int, str] = {
        u.reveal_index: "not in the round's secure-aggregation roster"
        for u in revealed
        if u.participant.lower() not in members
    }
    _check_complete(in_roster, sorted(members), task_id, round_id)
    try:
        template = decode_state(parent_model)
    except EncodingError as exc:
        raise SecureAggregationError(f"The parent model does not decode: {exc}") from exc
    model = parent_model  # no roster member revealed: no mask in play, the parent stays
    if in_roster:
        rows = _masked_rows(in_roster, store, cipher, flatten_state(template).size + 1)
        aggregate = fedavg_from_sum(sum_masked(rows))
        model = encode_state(unflatten_state(aggregate, template))
    bitmap = 0
    for update in in_roster:
        bitmap |= 1 << update.reveal_index
    accepted = [u.cid for u in in_roster]
    return publish_result(
        store, task_id, round_id, "fedavg", parent_cid, model, bitmap, accepted, rejected,
        cipher, {"secure_aggregation": True},
    )  # fmt: skip
