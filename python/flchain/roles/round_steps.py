"""A participant's round, step by step: fetch the global model, record and commit an update,
store and reveal it, aggregate what was revealed, journal and commit an attestation of the
result, reveal it, finalize the round.

Each step is a small function of a :class:`Seat` (one participant's client, the store, its
task and journal), so that the honest :class:`~flchain.roles.participant.Participant`, the
benchmarks and the tests compose the same steps. Where a participant may depart from the
protocol, the participant asks its :class:`RoundBehaviour`; the base class departs nowhere
(honest), and the attacks of :mod:`flchain.roles.adversary` subclass it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flchain.errors import FlchainError
from flchain.fl import ArrayDataset
from flchain.protocol.client import FLClient, Revealed
from flchain.protocol.commitments import new_salt, result_id
from flchain.protocol.records import RoundId, RoundInfo, TaskId
from flchain.roles.aggregator import RoundResult, aggregate_round
from flchain.roles.journal import Journal, PendingAttestation, PendingUpdate
from flchain.roles.side_inputs import fetch_side_inputs
from flchain.storage.cid import Cid
from flchain.storage.store import Store
from flchain.storage.unixfs import compute_cid

__all__ = [
    "RoundBehaviour",
    "Seat",
    "aggregate_revealed",
    "commit_attestation",
    "commit_pending",
    "finalize_attested",
    "finalize_result",
    "finalize_winner",
    "global_model",
    "record_attestation",
    "record_update",
    "reveal_attestation",
    "reveal_stored",
    "store_pending",
]


@dataclass(frozen=True)
class Seat:
    """One participant's place in one task: what every step works with."""

    client: FLClient
    store: Store
    task_id: TaskId
    journal: Journal


class RoundBehaviour:
    """Where a participant may depart from the protocol; this base departs nowhere."""

    def commit(self, seat: Seat, rnd: RoundInfo) -> bool:
        """Commit in its own way instead of the honest commit; False: commit honestly."""
        return False

    def reveal(self, seat: Seat, rnd: RoundInfo, abstained: set[int]) -> bool:
        """Reveal in its own way (rounds it gives up go in ``abstained``); False: honestly."""
        return False

    def training_data(self, data: ArrayDataset, num_classes: int) -> ArrayDataset:
        """The data it trains on."""
        return data

    def trains(self) -> bool:
        """Whether it trains at all."""
        return True

    def submitted_state(self, state: Any, parent: bytes, seed: int) -> Any:
        """The model state it submits, given the one it trained from ``parent`` (bytes)."""
        return state

    def attested_digest(self, digest: bytes) -> bytes:
        """The model digest it attests (commits, then reveals), given the one the rule yields."""
        return digest


def global_model(seat: Seat, round_id: RoundId) -> tuple[Cid, bytes]:
    """The registry's model of ``round_id`` (0: the initial model), fetched and verified."""
    record = seat.client.model_at(seat.task_id, round_id)
    cid = Cid.from_chain(record.model_digest, record.codec)
    return cid, seat.store.get(cid)


def record_update(seat: Seat, round_id: RoundId, update: bytes) -> PendingUpdate:
    """Journal ``update`` with a fresh salt before committing it (a restart can reveal it)."""
    return seat.journal.record(round_id, str(compute_cid(update)), new_salt(), update)


def commit_pending(seat: Seat, round_id: RoundId, pending: PendingUpdate) -> None:
    """Commit the journaled update; its bytes reach the store only at reveal, so nobody can
    copy it before committing."""
    digest, codec = Cid.parse(pending.cid).to_chain()
    seat.client.commit(seat.task_id, round_id, digest, codec, pending.salt)


def store_pending(seat: Seat, pending: PendingUpdate) -> Cid:
    """Put the journaled update in the store and pin it; FlchainError if it was modified."""
    stored = seat.store.put(pending.update_path.read_bytes())
    if str(stored) != pending.cid:
        raise FlchainError(
            f"The journaled update of round {pending.round} no longer matches its CID; "
            "it was modified."
        )
    seat.store.pin(stored)
    return stored


def reveal_stored(seat: Seat, round_id: RoundId, stored: Cid, salt: bytes) -> None:
    """Reveal the stored update's CID with the salt of its commitment."""
    digest, codec = stored.to_chain()
    seat.client.reveal(seat.task_id, round_id, digest, codec, salt)


def aggregate_revealed(
    seat: Seat,
    rnd: RoundInfo,
    rule: str,
    params: Mapping[str, Any],
    parent: tuple[Cid, bytes],
    revealed: Sequence[Revealed],
) -> RoundResult:
    """Aggregate the revealed updates of a task without privacy, with the rule's side inputs
    (FLTrust reference, grandparent model) fetched from chain and store."""
    side = fetch_side_inputs(
        seat.client, seat.store, seat.task_id, rnd.round, rnd.parent_round, rule
    )
    return aggregate_round(
        seat.task_id, rnd.round, rule, parent[0], parent[1], revealed, seat.store,
        params, side.reference, grandparent=side.grandparent,
    )  # fmt: skip


def record_attestation(
    seat: Seat, round_id: RoundId, result: RoundResult, digest: bytes | None = None
) -> PendingAttestation:
    """Journal the attestation of ``result`` (under ``digest`` instead of its model's, if
    given) with a fresh salt before committing it, so that a restart can still reveal it."""
    model_digest, codec = result.model_cid.to_chain()
    pending = PendingAttestation(
        round_id, digest or model_digest, codec, result.accepted_bitmap,
        result.metrics_digest, new_salt(),
    )  # fmt: skip
    return seat.journal.record_attestation(pending)


def commit_attestation(seat: Seat, pending: PendingAttestation) -> None:
    """Commit the journaled attestation (attest-commit half): the result stays hidden, so
    nobody can copy it without aggregating on their own."""
    seat.client.commit_attestation(
        seat.task_id, pending.round, pending.model_digest, pending.codec,
        pending.accepted_bitmap, pending.metrics_digest, pending.salt,
    )  # fmt: skip


def reveal_attestation(seat: Seat, pending: PendingAttestation) -> bool:
    """Reveal the journaled attestation (attest-reveal half); True when it brought the round
    to quorum."""
    _, quorum = seat.client.reveal_attestation(
        seat.task_id, pending.round, pending.model_digest, pending.codec,
        pending.accepted_bitmap, pending.metrics_digest, pending.salt,
    )  # fmt: skip
    return quorum


def finalize_attested(seat: Seat, pending: PendingAttestation) -> None:
    """Finalize the round on the journaled attestation's result (the one that reached quorum)."""
    seat.client.finalize_round(
        seat.task_id, pending.model_digest, pending.codec, pending.accepted_bitmap,
        pending.metrics_digest,
    )  # fmt: skip


def finalize_result(seat: Seat, result: RoundResult, digest: bytes | None = None) -> None:
    """Finalize the round on ``result`` (the one that reached quorum)."""
    model_digest, codec = result.model_cid.to_chain()
    seat.client.finalize_round(
        seat.task_id, digest or model_digest, codec, result.accepted_bitmap, result.metrics_digest
    )


def finalize_winner(seat: Seat, rnd: RoundInfo) -> bool:
    """Finalize a round that reached quorum on someone's attested result; False if none of
    the attested results is the winning one."""
    for att in seat.client.attested_results(seat.task_id, rnd.round):
        if (
            result_id(att.model_digest, att.codec, att.accepted_bitmap, att.metrics_digest)
            == rnd.winning_result
        ):
            seat.client.finalize_round(
                seat.task_id, att.model_digest, att.codec, att.accepted_bitmap, att.metrics_digest
            )
            return True
    return False
