"""Open a client on a chain in one call: resolve the RPC URL, load the signer and the
deployment record, and check the contracts are there."""

from __future__ import annotations

from pathlib import Path

from flchain.chain.accounts import load_signer, parse_account_spec
from flchain.chain.connection import connect
from flchain.chain.transactions import TxSender
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import load_deployment

__all__ = ["open_client"]


def open_client(
    rpc_url: str | None = None,
    account: str | None = None,
    *,
    deployments: Path | None = None,
    expected_chain_id: int | None = None,
) -> FLClient:
    """A client for the flchain deployment on the chain at ``rpc_url`` (default: the running
    devnet), sending as ``account`` (``dev:N``, ``keystore:PATH``, ``env:VAR``) or read-only."""
    if account is not None:
        parse_account_spec(account)  # a bad spec is refused before any connection
    w3 = connect(rpc_url, expected_chain_id)
    deployment = load_deployment(w3, deployments)
    sender = None
    if account is not None:
        sender = TxSender(w3, load_signer(account, chain_id=deployment.chain_id))
    return FLClient(w3, deployment, sender)
