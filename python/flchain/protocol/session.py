"""One session on a chain: the connection, the deployment record, one account's sender and
a content store, and every contract client built from them (sharing the sender, so one
account's transactions never race on nonces).

``Session.open`` resolves the RPC URL (default: the running devnet), refuses a bad account
spec before any connection, loads the deployment and checks the contracts are there.
Clients are built on first use: a command that only reads tasks never loads the dataset
or inference registries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from web3 import Web3

from flchain.chain.accounts import load_signer, parse_account_spec
from flchain.chain.connection import connect
from flchain.chain.transactions import TxSender
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import load_deployment
from flchain.protocol.deployment import Deployment

if TYPE_CHECKING:
    from flchain.protocol.datasets_registry import DatasetRegistryClient
    from flchain.protocol.inference_registry import InferenceRegistryClient
    from flchain.protocol.notes import RoundNotesClient
    from flchain.storage.store import Store

__all__ = ["Session", "open_client"]


@dataclass
class Session:
    """A chain, its flchain deployment, one account (``sender``; None: read-only) and a store
    spec (``store``: a directory or a Kubo RPC URL; None: the default local store).

    ``deployments`` is the directory of deployment records the session was opened with
    (None: the default); registries added by later migrations are looked up there.
    """

    w3: Web3
    deployment: Deployment
    sender: TxSender | None = None
    store_spec: str | None = None
    deployments: Path | None = field(default=None, repr=False)

    @classmethod
    def open(
        cls,
        rpc_url: str | None = None,
        account: str | None = None,
        *,
        deployments: Path | None = None,
        store: str | None = None,
        expected_chain_id: int | None = None,
    ) -> Session:
        """A session on the chain at ``rpc_url`` (default: the running devnet), sending as
        ``account`` (``dev:N``, ``keystore:PATH``, ``env:VAR``) or read-only."""
        if account is not None:
            parse_account_spec(account)  # a bad spec is refused before any connection
        w3 = connect(rpc_url, expected_chain_id)
        deployment = load_deployment(w3, deployments)
        sender = None
        if account is not None:
            sender = TxSender(w3, load_signer(account, chain_id=deployment.chain_id))
        return cls(w3, deployment, sender, store, deployments)

    @cached_property
    def client(self) -> FLClient:
        """The coordinator, model registry and token, as this session's account."""
        return FLClient(self.w3, self.deployment, self.sender)

    @cached_property
    def datasets(self) -> DatasetRegistryClient:
        """The DatasetRegistry (migration 007), as this session's account."""
        from flchain.protocol.datasets_registry import DatasetRegistryClient

        return DatasetRegistryClient.open(self.w3, self.sender, self.deployments)

    @cached_property
    def inference(self) -> InferenceRegistryClient:
        """The InferenceRegistry (migration 008), as this session's account."""
        from flchain.protocol.inference_registry import InferenceRegistryClient

        return InferenceRegistryClient.for_chain(self.w3, self.deployments, self.sender)

    @cached_property
    def notes(self) -> RoundNotesClient:
        """RoundNotes, as this session's account."""
        from flchain.protocol.notes import RoundNotesClient

        return RoundNotesClient(self.client)

    @cached_property
    def store(self) -> Store:
        """The content store the session's spec names (opened on first use)."""
        from flchain.storage.locator import open_store

        return open_store(self.store_spec)


def open_client(
    rpc_url: str | None = None,
    account: str | None = None,
    *,
    deployments: Path | None = None,
    expected_chain_id: int | None = None,
) -> FLClient:
    """The coordinator client of ``Session.open(...)`` (see :class:`Session`): the shortcut
    for commands that need nothing else."""
    return Session.open(
        rpc_url, account, deployments=deployments, expected_chain_id=expected_chain_id
    ).client
