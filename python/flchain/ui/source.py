"""Where the dashboard reads from: a chain (RPC URL, deployment records) and a store.

:class:`UiSource` is the value the command line builds (``--rpc``, ``--store``,
``--deployments``; a ``--network`` option resolves to the same fields). :class:`Reader`
holds the open clients and one lock: web3's HTTP provider and the store are shared by the
server's worker threads, so every page reads the chain under that lock.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from flchain.errors import FlchainError
from flchain.protocol.client import FLClient
from flchain.protocol.datasets_registry import DatasetRegistryClient
from flchain.protocol.inference_registry import InferenceRegistryClient
from flchain.protocol.session import open_client
from flchain.storage.locator import open_store
from flchain.storage.store import Store

__all__ = ["Reader", "UiSource"]


@dataclass(frozen=True)
class UiSource:
    """The chain and store the dashboard shows (None: the CLI's defaults)."""

    rpc_url: str | None = None
    store: str | Path | None = (
        None  # a directory or a Kubo RPC URL (None: $FLCHAIN_STORE, else the home's store)
    )
    deployments: Path | None = None


class Reader:
    """Read-only clients of one source, shared by the server's threads under :attr:`lock`."""

    def __init__(self, client: FLClient, store: Store, deployments: Path | None = None) -> None:
        self.client = client
        self.store = store
        self.deployments = deployments
        self.lock = threading.RLock()
        self._datasets: DatasetRegistryClient | None = None
        self._inference: InferenceRegistryClient | None = None
        self._looked_up: set[str] = set()

    @classmethod
    def open(cls, source: UiSource) -> Reader:
        """Connect to the source's chain (no account: the dashboard never signs)."""
        client = open_client(source.rpc_url, deployments=source.deployments)
        return cls(client, open_store(source.store), source.deployments)

    @property
    def rpc_url(self) -> str:
        """The RPC URL the client talks to (for the page header)."""
        provider = self.client.w3.provider
        return str(getattr(provider, "endpoint_uri", "") or "")

    def datasets(self) -> DatasetRegistryClient | None:
        """The DatasetRegistry, or None if this chain's deployment lacks it."""
        if "datasets" not in self._looked_up:
            self._looked_up.add("datasets")
            try:
                self._datasets = DatasetRegistryClient.open(self.client.w3, None, self.deployments)
            except FlchainError:
                self._datasets = None
        return self._datasets

    def inference(self) -> InferenceRegistryClient | None:
        """The InferenceRegistry, or None if this chain's deployment lacks it."""
        if "inference" not in self._looked_up:
            self._looked_up.add("inference")
            try:
                self._inference = InferenceRegistryClient.for_chain(
                    self.client.w3, self.deployments
                )
            except FlchainError:
                self._inference = None
        return self._inference
