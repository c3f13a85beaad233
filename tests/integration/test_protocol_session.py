"""A Session opens every contract client of one account on one chain from its deployment
record, and they share one sender (one nonce counter), so the account's transactions through
different clients never collide."""

from __future__ import annotations

import pytest
from protocol_parties import Parties
from web3 import Web3

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.errors import AccountError, ChainError
from flchain.protocol.session import Session

pytestmark = pytest.mark.integration


def test_clients_of_a_session_share_its_account_and_sender(
    w3: Web3, parties: Parties, chain_snapshot: str
) -> None:
    rpc = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    session = Session.open(rpc, "dev:2", deployments=parties.directory)

    assert session.sender is not None
    assert session.sender.address == dev_signer(2, DEV_CHAIN_ID).address
    assert session.client.address == session.sender.address
    assert session.datasets.account == session.sender.address
    assert session.client.sender is session.sender
    assert session.datasets.optional_sender is session.sender
    assert session.inference.optional_sender is session.sender
    assert session.notes.optional_sender is session.sender
    assert session.client.deployment.coordinator == parties.owner.deployment.coordinator


def test_a_read_only_session_refuses_to_send_and_a_bad_account_before_connecting(
    w3: Web3, parties: Parties
) -> None:
    rpc = w3.provider.endpoint_uri  # type: ignore[attr-defined]
    reader = Session.open(rpc, deployments=parties.directory)
    assert reader.client.task_count() >= 0
    with pytest.raises(ChainError, match="read-only"):
        reader.client.sender  # noqa: B018 - the property is the check
    with pytest.raises(AccountError):  # port 9 is never dialled: the spec is refused first
        Session.open("http://127.0.0.1:9", "dev:nope", deployments=parties.directory)
