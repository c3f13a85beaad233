"""The ``Store`` port: what the rest of flchain needs from a content store.

Implementations: ``LocalStore`` (embedded, directory-backed) and ``KuboStore`` (a Kubo
daemon's HTTP RPC, or ``flchain ipfs serve``). Every implementation returns from ``get``
only bytes it has verified against the CID; a mismatch raises IntegrityError.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from flchain.storage.cid import Cid

__all__ = ["Store"]


@runtime_checkable
class Store(Protocol):
    """A content-addressed store whose CIDs equal Kubo's ``ipfs add`` CIDs."""

    def put(self, data: bytes) -> Cid:
        """Store ``data`` as a UnixFS file and return its CID."""
        ...

    def get(self, cid: Cid) -> bytes:
        """The verified bytes of ``cid``.

        Raises ContentNotFoundError when the content is absent, IntegrityError when
        it does not match ``cid``, StoreUnavailableError when the store does not answer.
        """
        ...

    def has(self, cid: Cid) -> bool:
        """Whether the store holds ``cid`` itself, without fetching it from elsewhere."""
        ...

    def pin(self, cid: Cid) -> None:
        """Keep ``cid`` (and its whole DAG) from garbage collection.

        Raises ContentNotFoundError when the store cannot get the content.
        """
        ...
