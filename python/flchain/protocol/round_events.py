"""A round's coordinator events as frozen records: the updates revealed (``UpdateRevealed``)
and the results attested (``ResultAttested``), built from the logs
:class:`~flchain.protocol.client.FLClient` reads.

Each record lists, in its field order, the event arguments it is read from and how each is
converted; one builder (:func:`_records`) reads them all, ``block_number`` last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from flchain.chain.events import EventRecord
from flchain.storage.cid import Cid

__all__ = ["Attestation", "Revealed", "attestations_from_logs", "revealed_from_logs"]

R = TypeVar("R")
#: Event arguments in a record's field order, each with the conversion to its field's type.
EventArgs = Sequence[tuple[str, Callable[[Any], object]]]


@dataclass(frozen=True)
class Revealed:
    """An update revealed in a round, from its ``UpdateRevealed`` event."""

    participant: str
    reveal_index: int
    cid_digest: bytes
    codec: int
    block_number: int

    @property
    def cid(self) -> Cid:
        """The revealed update's CID."""
        return Cid.from_chain(self.cid_digest, self.codec)


_REVEALED_ARGS: EventArgs = (
    ("participant", str),
    ("revealIndex", int),
    ("cidDigest", bytes),
    ("codec", int),
)


@dataclass(frozen=True)
class Attestation:
    """A result attested in a round, from its ``ResultAttested`` event."""

    attester: str
    result_id: bytes
    model_digest: bytes
    codec: int
    accepted_bitmap: int
    metrics_digest: bytes
    weight: int
    block_number: int


_ATTESTATION_ARGS: EventArgs = (
    ("attester", str),
    ("resultId", bytes),
    ("modelDigest", bytes),
    ("codec", int),
    ("acceptedBitmap", int),
    ("metricsDigest", bytes),
    ("weight", int),
)


def _records(make: Callable[..., R], args: EventArgs, logs: Iterable[EventRecord]) -> list[R]:
    """One ``make(*converted arguments, block_number)`` per log, in log order."""
    return [
        make(*(convert(log.args[name]) for name, convert in args), log.block_number) for log in logs
    ]


def revealed_from_logs(logs: Iterable[EventRecord]) -> list[Revealed]:
    """The updates of ``UpdateRevealed`` logs, ordered by reveal index."""
    return sorted(_records(Revealed, _REVEALED_ARGS, logs), key=lambda r: r.reveal_index)


def attestations_from_logs(logs: Iterable[EventRecord]) -> list[Attestation]:
    """The attestations of ``ResultAttested`` logs, in log (chain) order."""
    return _records(Attestation, _ATTESTATION_ARGS, logs)
