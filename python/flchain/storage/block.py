"""A block: bytes addressed by their CID, and the check that they match."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from flchain.errors import IntegrityError
from flchain.storage.cid import Cid

__all__ = ["Block", "verify_block"]


@dataclass(frozen=True, slots=True)
class Block:
    """One IPLD block: its CID and its bytes (which hash to ``cid.digest``)."""

    cid: Cid
    data: bytes


def verify_block(cid: Cid, data: bytes, where: str = "") -> None:
    """Raise IntegrityError unless ``data`` hashes to ``cid``'s digest.

    ``where`` names the source (a file path, a URL) in the message.
    """
    actual = hashlib.sha256(data).digest()
    if actual != cid.digest:
        source = f" from {where}" if where else ""
        raise IntegrityError(
            f"Block {cid}{source} is corrupt: its {len(data)} bytes hash to "
            f"{actual.hex()[:16]}..., not {cid.digest.hex()[:16]}...; "
            "discard it and fetch or add the content again."
        )
