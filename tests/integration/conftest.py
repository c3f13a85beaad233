"""Integration fixtures: one real Anvil for the session, isolation by evm_snapshot/evm_revert.

- ``devnet``: a running :class:`Devnet` (ephemeral chain, stopped at session end:
  SIGINT -> SIGTERM -> SIGKILL, like web3.py's own node fixtures).
- ``w3``: a Web3 connected to it (chain 31337).
- ``chain_snapshot``: function-scoped; snapshots before the test and reverts after, so
  every test starts from the same chain (also forgets locally counted nonces).
- ``probe_artifact`` / ``probe``: the test-only ``ChainProbe`` contract (see
  fixtures/README.md): its ABI + bytecode, and a fresh deployment inside the snapshot.
- ``parties``: module-scoped; the flchain contracts deployed for the module (inside a module
  snapshot, reverted after it) and clients for its owner, alice and bob (protocol_parties.py).
- ``network``: a devnet of its own with flchain deployed, for a test that runs whole tasks with
  participant processes (role_network.py); stopped, with its processes, after the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from protocol_parties import Parties
from role_network import Network
from web3 import Web3
from web3.contract import Contract

from flchain.chain.accounts import DEV_CHAIN_ID, dev_signer
from flchain.chain.connection import connect
from flchain.chain.controls import revert, snapshot
from flchain.chain.devnet import Devnet
from flchain.chain.transactions import TxSender
from flchain.protocol.client import FLClient
from flchain.protocol.deploy import deploy

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def devnet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Devnet]:
    with Devnet(tmp_path_factory.mktemp("devnet"), persist=False) as running:
        yield running


@pytest.fixture(scope="session")
def w3(devnet: Devnet) -> Web3:
    return connect(devnet.rpc_url, expected_chain_id=DEV_CHAIN_ID)


@pytest.fixture
def chain_snapshot(w3: Web3) -> Iterator[str]:
    snapshot_id = snapshot(w3)
    yield snapshot_id
    revert(w3, snapshot_id)


@pytest.fixture(scope="session")
def probe_artifact() -> dict[str, Any]:
    artifact: dict[str, Any] = json.loads((FIXTURES / "ChainProbe.json").read_text())
    return artifact


@pytest.fixture
def probe(w3: Web3, chain_snapshot: str, probe_artifact: dict[str, Any]) -> Contract:
    sender = TxSender(w3, dev_signer(0, DEV_CHAIN_ID))
    result = sender.deploy(
        probe_artifact["abi"], probe_artifact["bytecode"], contract_name="ChainProbe"
    )
    assert result.contract_address is not None
    return w3.eth.contract(address=result.contract_address, abi=probe_artifact["abi"])


@pytest.fixture(scope="module")
def parties(w3: Web3, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Parties]:
    module_snapshot = snapshot(w3)
    directory = tmp_path_factory.mktemp("deployments")
    report = deploy(w3, TxSender(w3, dev_signer(0, DEV_CHAIN_ID)), directory=directory)
    assert report.deployment is not None
    clients = [
        FLClient(w3, report.deployment, TxSender(w3, dev_signer(i, DEV_CHAIN_ID))) for i in range(3)
    ]
    yield Parties(directory, *clients)
    revert(w3, module_snapshot)


@pytest.fixture
def network(tmp_path: Path) -> Iterator[Network]:
    net = Network(tmp_path)
    yield net
    net.close()
