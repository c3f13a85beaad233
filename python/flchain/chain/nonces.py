"""Per-account nonces, shared by every sender of this process.

The node is asked for an account's ``pending`` transaction count once; after that the
next nonce is counted locally, so threads sending for the same account never race for a
nonce. Each account has a lock that a sender holds from taking a nonce until the node
accepted the signed transaction: a send that fails leaves no gap behind it.

The local count goes stale when something else moves the account's nonce: another
process sending for it (the node then says "nonce too low": the sender calls
:meth:`AccountNonces.invalidate` and takes a fresh one) or an ``evm_revert`` to an older
snapshot (nonces would be too high, and Anvil queues such transactions forever instead
of refusing them): :func:`flchain.chain.controls.revert` calls :func:`forget_nonces`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from web3 import Web3

__all__ = ["AccountNonces", "account_nonces", "forget_nonces"]

logger = logging.getLogger(__name__)


class AccountNonces:
    """The next nonce of one account on one endpoint. Hold :attr:`lock` while using it."""

    def __init__(self, fetch_pending: Callable[[], int]) -> None:
        self.lock = threading.Lock()
        self._fetch_pending = fetch_pending
        self._next: int | None = None

    def next_nonce(self) -> int:
        """The nonce to use now: counted locally, or fetched from the node if unknown."""
        if self._next is None:
            self._next = self._fetch_pending()
            logger.debug("Nonce fetched from the node: %s", self._next)
        return self._next

    def mark_used(self, nonce: int) -> None:
        """The node accepted a transaction with ``nonce``: the next one is ``nonce + 1``."""
        self._next = nonce + 1

    def invalidate(self) -> None:
        """Forget the local count; the next :meth:`next_nonce` asks the node again."""
        self._next = None


_registry: dict[tuple[str, str], AccountNonces] = {}
_registry_lock = threading.Lock()


def _endpoint_key(w3: Web3) -> str:
    endpoint = getattr(w3.provider, "endpoint_uri", None)
    return str(endpoint) if endpoint else f"provider-{id(w3.provider)}"


def account_nonces(w3: Web3, address: str) -> AccountNonces:
    """The shared nonce counter of ``address`` on the endpoint ``w3`` talks to."""
    key = (_endpoint_key(w3), address.lower())
    with _registry_lock:
        nonces = _registry.get(key)
        if nonces is None:
            checksum = Web3.to_checksum_address(address)
            nonces = AccountNonces(lambda: w3.eth.get_transaction_count(checksum, "pending"))
            _registry[key] = nonces
        return nonces


def forget_nonces(w3: Web3 | None = None) -> None:
    """Invalidate the local counts of every account (on ``w3``'s endpoint, if given)."""
    endpoint = _endpoint_key(w3) if w3 is not None else None
    with _registry_lock:
        for (key_endpoint, _), nonces in _registry.items():
            if endpoint is None or key_endpoint == endpoint:
                nonces.invalidate()
